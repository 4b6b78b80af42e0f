#include "nsbi/inference/ppc_run.hpp"

#include <mpi.h>

#include <filesystem>

#include "nsbi/core/error.hpp"
#include "nsbi/core/log.hpp"
#include "nsbi/diagnostics/predictive_check.hpp"
#include "nsbi/inference/amortized_sampling.hpp"
#include "nsbi/inference/check_simulations.hpp"
#include "nsbi/inference/run_outputs.hpp"
#include "nsbi/inference/trained_run.hpp"
#include "nsbi/io/json_writer.hpp"
#include "nsbi/io/npy.hpp"
#include "nsbi/mpi/agreement.hpp"

namespace nsbi {

namespace {

namespace fs = std::filesystem;

}  // namespace

void run_ppc(const PpcRequest& req, const mpi::Communicator& comm) {
  const double t_start = MPI_Wtime();
  Log log(comm.is_root());
  struct Input {
    RunConfig config;
    Observation obs;
    Eigen::MatrixXd theta;
  };
  const Input in = mpi::agree(comm, [&] {
    if (req.draws < 1)
      throw ConfigError(make_message("nsbi ppc", "-n", "a number of predictive draws ≥ 1", std::to_string(req.draws)));
    Input i{load_run_dir_config(req.run_dir), {}, {}};
    i.obs = load_observation(i.config);
    const std::string samples = (fs::path(req.run_dir) / "posterior_samples.npy").string();
    std::error_code ec;
    if (!fs::exists(samples, ec))
      throw IoError(make_message(req.run_dir, "run directory", "one holding posterior_samples.npy (a finished run)", "none"));
    const Eigen::MatrixXd all = read_npy_matrix(samples);
    if (all.cols() < req.draws)
      throw ConfigError(make_message("nsbi ppc", "-n", "at most " + std::to_string(all.cols()) + " (the samples in " + samples + ")",
                                     std::to_string(req.draws)));
    i.theta = all.leftCols(req.draws);
    return i;
  }, mpi::Failure::bad_input);
  const RunConfig& cfg = in.config;
  const std::unique_ptr<Simulator> simulator = make_run_simulator(cfg, comm);
  const std::string out = !req.out.empty() ? req.out : (fs::path(req.run_dir) / "ppc").string();
  mpi::agree_on_root(comm, [&] { prepare_command_dir(out, "--out", log); }, mpi::Failure::bad_input);
  const std::uint64_t seed = req.seed.value_or(cfg.seed);
  log.info("ppc of " + req.run_dir + ": " + std::to_string(req.draws) + " simulations at its first posterior samples, x_o from " +
           in.obs.source + ", seed " + std::to_string(seed) + ", on " + std::to_string(comm.size()) + " rank(s)");

  const SimulationBank bank = simulate_dropping_failures(
      comm, *simulator, cfg, comm.is_root() ? in.theta : Eigen::MatrixXd(), RandomStream(seed, StreamId::ppc, 0, 0).next_u64(),
      "ppc simulations");
  const std::vector<std::size_t> valid = bank.valid_rows();
  if (valid.empty())
    throw SimulatorError(make_message("simulator " + simulator->name(), "valid predictive simulations", "at least 1", "0"));
  const Eigen::MatrixXd x = bank.x_of(valid), theta = bank.theta_of(valid);
  const PredictiveSummary s = summarize_predictive(x, in.obs.x_o);
  std::vector<double> extreme;
  for (Eigen::Index d = 0; d < s.quantile.size(); ++d)
    if (s.quantile(d) < 0.005 || s.quantile(d) > 0.995) extreme.push_back(static_cast<double>(d + 1));
  log.info("ppc: " + std::to_string(valid.size()) + " valid of " + std::to_string(bank.size()) + " simulations");
  if (!extreme.empty())
    log.warn("ppc: x_o lies outside the central 99% of the posterior predictive in " + std::to_string(extreme.size()) +
             " of " + std::to_string(s.quantile.size()) + " dimension(s) of x (see ppc.csv): the model or the posterior "
             "does not reproduce the observation there");

  if (comm.is_root()) {
    const fs::path dir = out;
    std::string csv = "dim,x_o,mean,sd,quantile\n";
    for (Eigen::Index d = 0; d < s.quantile.size(); ++d)
      csv += std::to_string(d + 1) + "," + shortest_decimal(in.obs.x_o(d)) + "," + shortest_decimal(s.mean(d)) + "," + shortest_decimal(s.sd(d)) +
             "," + shortest_decimal(s.quantile(d)) + "\n";
    write_text((dir / "ppc.csv").string(), csv);
    write_npy((dir / "x.npy").string(), x);
    write_npy((dir / "theta.npy").string(), theta);
    write_command_report((dir / "ppc.json").string(), "ppc", req.run_dir, cfg, seed, comm.size(), [&](JsonWriter& j) {
      j.field("draws", req.draws).field("valid_draws", valid.size()).field("x_dim", s.quantile.size());
      j.key("quantiles").value(std::span<const double>(s.quantile.data(), static_cast<std::size_t>(s.quantile.size())));
      j.key("extreme_dims").value(std::span<const double>(extreme));
      j.field("seconds", MPI_Wtime() - t_start);
    });
  }
  log.info("done in " + format_seconds(MPI_Wtime() - t_start) + ": " + (fs::path(out) / "ppc.csv").string());
}

}  // namespace nsbi
