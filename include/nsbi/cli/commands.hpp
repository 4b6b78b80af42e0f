#pragma once
// Subcommands of the `nsbi` executable, one file each under engine/cli/.
#include <CLI/CLI.hpp>

namespace nsbi::cli {

/// `nsbi run CONFIG [--set key.path=value ...]`
void add_run_command(CLI::App& app);
/// `nsbi tasks`
void add_tasks_command(CLI::App& app);
/// `nsbi bench train --data pairs.csv --theta-dim D --epochs E ...`
void add_bench_command(CLI::App& app);
/// `nsbi sample RUN_DIR --observation FILE -n N [--out DIR] [--seed S]`
void add_sample_command(CLI::App& app);
/// `nsbi sbc RUN_DIR --tests T [--samples L] [--out DIR] [--seed S]`
void add_sbc_command(CLI::App& app);
/// `nsbi ppc RUN_DIR [-n N] [--out DIR] [--seed S]`
void add_ppc_command(CLI::App& app);
/// `nsbi plot RUN_DIR [--reference FILE] [--true-theta FILE] [--out DIR] [--bins N]`
void add_plot_command(CLI::App& app);

}  // namespace nsbi::cli
