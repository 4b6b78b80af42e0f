#include "nsbi/inference/amortized_sampling.hpp"

#include <mpi.h>

#include <filesystem>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/run_outputs.hpp"
#include "nsbi/inference/trained_run.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/json_writer.hpp"
#include "nsbi/io/npy.hpp"
#include "nsbi/mpi/agreement.hpp"

namespace nsbi {

namespace fs = std::filesystem;

void prepare_command_dir(const std::string& dir, const std::string& option, Log& log) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError(make_message(option, "directory", "one that can be created", "\"" + dir + "\" (" + ec.message() + ")"));
  fs::remove(fs::path(dir) / "log.txt", ec);
  try {
    log.open_file((fs::path(dir) / "log.txt").string());
  } catch (const IoError&) {
    throw IoError(make_message(option, "directory", "a writable one", "\"" + dir + "\" (log.txt cannot be opened)"));
  }
}

void sample_trained_run(const SampleRequest& req, const mpi::Communicator& comm) {
  const double t_start = MPI_Wtime();
  Log log(comm.is_root());
  mpi::agree(comm, [&] {
    if (req.samples < 1)
      throw ConfigError(make_message("nsbi sample", "-n", "a number of samples ≥ 1", std::to_string(req.samples)));
  }, mpi::Failure::bad_input);
  const TrainedRun run(req.run_dir, comm, log);
  const RunConfig& cfg = run.config();
  const Observation obs = mpi::agree(comm, [&] {
    return load_observation_file(req.observation, run.x_dim(), "x dimension of the run's estimator");
  }, mpi::Failure::bad_input);
  const std::string out =
      !req.out.empty() ? req.out : (fs::path(req.run_dir) / ("sample_" + fs::path(req.observation).stem().string())).string();
  mpi::agree_on_root(comm, [&] { prepare_command_dir(out, "--out", log); }, mpi::Failure::bad_input);
  const std::uint64_t seed = req.seed.value_or(cfg.seed);
  log.info("sample " + std::to_string(req.samples) + " from " + run.posterior().describe() + " of " + req.run_dir +
           " (method " + cfg.inference.method + ", estimator " + cfg.inference.estimator + ") at " + obs.source +
           ", seed " + std::to_string(seed) + ", on " + std::to_string(comm.size()) + " rank(s)");
  const double t_setup = MPI_Wtime() - t_start;

  double t0 = MPI_Wtime();
  PosteriorSampleOptions so;
  so.samples = req.samples;
  so.max_draws = cfg.posterior.max_sampling_draws;
  so.seed = seed;
  so.round = run.last_round();
  const PosteriorSamples post = run.posterior().sample(obs.x_o, so, comm);
  const double t_sample = MPI_Wtime() - t0;
  log.info("sampled " + std::to_string(post.theta.cols()) + " from " + std::to_string(post.draws) + " draws in " +
           format_seconds(t_sample) + " (acceptance " + std::to_string(post.acceptance) + ")");
  log_posterior_diagnostics(log, cfg, post, comm.size());
  if (post.truncated)
    log.warn("posterior.max_sampling_draws reached: " + std::to_string(post.theta.cols()) + " of " +
             std::to_string(req.samples) + " samples written");

  mpi::agree_on_root(comm, [&] {
    t0 = MPI_Wtime();
    const fs::path dir = out;
    write_csv((dir / "posterior_samples.csv").string(), post.theta, numbered_names("theta", run.prior().dim()));
    write_npy((dir / "posterior_samples.npy").string(), post.theta);
    write_command_report((dir / "report.json").string(), "sample", req.run_dir, cfg, seed, comm.size(), [&](JsonWriter& j) {
      j.field("observation", obs.source);
      j.key("x_o").value(std::span<const double>(obs.x_o.data(), static_cast<std::size_t>(obs.x_o.size())));
      j.key("timings_seconds").begin_object();
      j.field("setup", t_setup).field("sample", t_sample).field("write", MPI_Wtime() - t0);
      j.field("total", MPI_Wtime() - t_start).end_object();
      write_posterior(j, cfg, post);
    });
  });
  log.info("done in " + format_seconds(MPI_Wtime() - t_start) + ": " + (fs::path(out) / "posterior_samples.csv").string());
}

}  // namespace nsbi
