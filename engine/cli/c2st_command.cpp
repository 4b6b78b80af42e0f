#include "nsbi/cli/c2st_command.hpp"

#include <mpi.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <span>

#include "nsbi/core/error.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/json_writer.hpp"
#include "nsbi/io/npy.hpp"

namespace nsbi::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A sample file as the engine's D×N matrix (files hold one sample per row).
Eigen::MatrixXd read_samples(const std::string& path) {
  if (ends_with(path, ".npy")) return read_npy_matrix(path);
  return read_csv(path).rows.transpose();
}

}  // namespace

C2stResult run_c2st_command(const C2stCommandArgs& args, std::ostream& out) {
  const Eigen::MatrixXd samples = read_samples(args.samples);
  const Eigen::MatrixXd reference = read_samples(args.reference);
  if (samples.rows() != reference.rows())
    throw ShapeError(make_message(
        "nsbi c2st", "columns of samples file '" + args.samples + "'",
        std::to_string(reference.rows()) + " (as reference file '" + args.reference + "')",
        std::to_string(samples.rows())));
  const auto t0 = std::chrono::steady_clock::now();
  const C2stResult r = c2st_detailed(reference, samples, args.options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  out << std::fixed << std::setprecision(6) << r.accuracy << std::defaultfloat << "\n";
  if (args.json) {
    JsonWriter j(out, 0);
    j.begin_object();
    j.field("c2st", r.accuracy);
    j.key("fold_accuracies").value(std::span<const double>(r.fold_accuracies));
    j.key("fold_epochs").begin_array();
    for (const int e : r.fold_epochs) j.value(e);
    j.end_array();
    j.key("fold_converged").begin_array();
    for (const bool c : r.fold_converged) j.value(c);
    j.end_array();
    j.field("dim", r.dim).field("n_samples", r.n_samples).field("n_reference", r.n_reference);
    j.field("folds", args.options.folds).field("seed", args.options.seed).field("seconds", seconds);
    j.field("samples", args.samples).field("reference", args.reference);
    j.end_object();
    out << "\n";
  }
  out.flush();
  return r;
}

void add_c2st_command(CLI::App& app) {
  auto args = std::make_shared<C2stCommandArgs>();
  auto* cmd = app.add_subcommand(
      "c2st", "Classifier two-sample test (sbibm's C2ST) of SAMPLES against REFERENCE; 0.5 = indistinguishable");
  cmd->add_option("samples", args->samples, "algorithm samples: CSV (header row, one sample per row) or .npy")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("reference", args->reference, "reference posterior samples, same format")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--seed", args->options.seed, "seed for folds, initial weights and shuffles")->capture_default_str();
  cmd->add_option("--folds", args->options.folds, "cross-validation folds")->check(CLI::Range(2, 1000))
      ->capture_default_str();
  cmd->add_option("--max-samples", args->options.max_samples, "use the first N samples of each file (0 = all)")
      ->capture_default_str();
  cmd->add_option("--threads", args->options.threads, "folds trained concurrently (same result for any value)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "also print one JSON line with fold accuracies and epochs");
  cmd->callback([args] {
    // A single-process diagnostic: under mpirun only rank 0 computes and prints.
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) {
      int rank = 0;
      MPI_Comm_rank(MPI_COMM_WORLD, &rank);
      if (rank != 0) return;
    }
    run_c2st_command(*args, std::cout);
  });
}

}  // namespace nsbi::cli
