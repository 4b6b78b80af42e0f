#include <mpi.h>

#include <iostream>
#include <memory>

#include "nsbi/cli/commands.hpp"
#include "nsbi/plot/plot_run.hpp"

namespace nsbi::cli {

void add_plot_command(CLI::App& app) {
  auto o = std::make_shared<plot::PlotOptions>();
  auto* cmd = app.add_subcommand(
      "plot", "SVG plots of a run: corner.svg, losses.svg and, when RUN_DIR/sbc/ exists, sbc_ranks.svg and sbc_coverage.svg");
  cmd->add_option("run_dir", o->run_dir, "the run directory (output.dir of `nsbi run`)")->required();
  cmd->add_option("--reference", o->reference, "reference posterior samples to overlay: CSV, header row, one sample per row");
  cmd->add_option("--true-theta", o->true_theta, "CSV with one row of true parameter values, marked in the corner plot");
  cmd->add_option("--out", o->out_dir, "directory for the SVG files (default RUN_DIR/plots)");
  cmd->add_option("--bins", o->bins, "corner plot histogram bins per axis")->capture_default_str();
  cmd->callback([o] {
    // A single-process tool: under mpirun only rank 0 draws.
    int initialized = 0, rank = 0;
    MPI_Initialized(&initialized);
    if (initialized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) plot::plot_run(*o, std::cout);
  });
}

}  // namespace nsbi::cli
