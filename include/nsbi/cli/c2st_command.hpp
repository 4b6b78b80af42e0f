#pragma once
// `nsbi c2st SAMPLES REFERENCE`: the sbibm classifier two-sample test between two sample files
// (CSV with one header row and one sample per row, or .npy of shape (N, D)).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>

#include "nsbi/diagnostics/c2st.hpp"

namespace nsbi::cli {

struct C2stCommandArgs {
  std::string samples;    // algorithm samples
  std::string reference;  // reference posterior samples
  C2stOptions options;    // --seed, --folds, --max-samples, --threads
  bool json = false;      // also print one JSON line with the fold details
};

/// Reads both files, checks that they have the same number of columns (ShapeError naming both
/// files and their column counts otherwise), runs c2st_detailed and writes the C2ST value on one
/// line, then with `json` one compact JSON line:
///   {"c2st", "fold_accuracies", "fold_epochs", "fold_converged", "dim", "n_samples",
///    "n_reference", "folds", "seed", "seconds", "samples", "reference"}.
/// Returns the result.
C2stResult run_c2st_command(const C2stCommandArgs& args, std::ostream& out);

/// Registers the `c2st` subcommand on `app`.
void add_c2st_command(CLI::App& app);

}  // namespace nsbi::cli
