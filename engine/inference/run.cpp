#include "nsbi/inference/run.hpp"

#include <mpi.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nsbi/core/error.hpp"
#include "nsbi/core/log.hpp"
#include "nsbi/farm/run_simulations.hpp"
#include "nsbi/inference/npe.hpp"
#include "nsbi/inference/output_dir.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/json_writer.hpp"
#include "nsbi/io/npy.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/simulator/simulator_factory.hpp"
#include "nsbi/version.hpp"

namespace nsbi {

namespace {

namespace fs = std::filesystem;

struct PhaseTimes {
  double setup = 0, simulate = 0, train = 0, sample = 0, write = 0, total = 0;
};

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw IoError(path.string() + ": cannot open for writing");
  f << text;
  if (!f) throw IoError(path.string() + ": write failed");
}

void write_bank(const fs::path& dir, const SimulationBank& bank) {
  write_npy((dir / "theta.npy").string(), bank.theta);
  write_npy((dir / "x.npy").string(), bank.x);
  std::vector<std::uint8_t> status(bank.status.size());
  for (std::size_t i = 0; i < status.size(); ++i) status[i] = static_cast<std::uint8_t>(bank.status[i]);
  write_npy((dir / "status.npy").string(), status);
}

void write_report(const fs::path& path, const RunConfig& cfg, int ranks, const SimulationBank& bank,
                  const NpeResult& npe, const PhaseTimes& t) {
  std::ostringstream out;
  JsonWriter j(out);
  j.begin_object();
  j.field("nsbi_version", kVersion).field("git", kGitHash);
  j.field("task", cfg.task.name).field("method", cfg.inference.method).field("estimator", cfg.inference.estimator);
  j.field("seed", cfg.seed).field("ranks", ranks);
  j.key("simulations").begin_object();
  j.field("requested", cfg.inference.simulations).field("attempted", bank.size());
  const auto counts = bank.counts();
  j.field("valid", counts[static_cast<int>(SimStatus::ok)]).field("retries", bank.retries());
  j.key("by_status").begin_object();
  for (int s = 0; s < kNumSimStatus; ++s) j.field(to_string(static_cast<SimStatus>(s)), counts[s]);
  j.end_object().end_object();
  j.key("timings_seconds").begin_object();
  j.field("setup", t.setup).field("simulate", t.simulate).field("train", t.train).field("sample", t.sample);
  j.field("write", t.write).field("total", t.total).end_object();
  const auto& tr = npe.trainings.front();
  j.key("training").begin_object();
  j.field("epochs", tr.history.size()).field("best_epoch", tr.best_epoch).field("best_val_loss", tr.best_val_loss);
  j.field("early_stopped", tr.early_stopped).field("lr_decays", tr.lr_decays).field("steps", tr.steps);
  j.field("train_examples", tr.train_examples).field("validation_examples", tr.validation_examples);
  j.field("communication_seconds", tr.communication_seconds);
  std::vector<double> member_epochs;
  for (const auto& m : npe.trainings) member_epochs.push_back(static_cast<double>(m.history.size()));
  j.key("ensemble_epochs").value(std::span<const double>(member_epochs));
  std::vector<double> train_loss, val_loss, secs;
  for (const auto& e : tr.history) {
    train_loss.push_back(e.train_loss);
    val_loss.push_back(e.val_loss);
    secs.push_back(e.seconds);
  }
  j.key("train_loss").value(std::span<const double>(train_loss));
  j.key("val_loss").value(std::span<const double>(val_loss));
  j.key("epoch_seconds").value(std::span<const double>(secs));
  j.end_object();
  j.key("posterior").begin_object();
  j.field("samples", npe.posterior.theta.cols()).field("draws", npe.posterior.draws);
  j.field("acceptance", npe.posterior.acceptance).field("truncated", npe.posterior.truncated);
  j.end_object();
  j.end_object();
  out << "\n";
  write_text(path, out.str());
}

std::string format_seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f s", s);
  return b;
}

}  // namespace

RunSummary run_inference(const RunConfig& cfg, const mpi::Communicator& comm) {
  const double t_start = MPI_Wtime();
  const bool root = comm.is_root();
  Log log(root);
  PhaseTimes t;

  // Everything that can be wrong with the input is checked before any simulation is paid for.
  // Files are read on every rank and may be readable on some nodes only, and a simulator may
  // fail to start on some ranks only: each step is an agreement point, so that every rank stops
  // with the same message instead of waiting in the next collective.
  using mpi::Failure;
  const auto prior = mpi::agree(comm, [&] { return make_prior(cfg); }, Failure::bad_input);
  const Task* task = cfg.task.name.empty() ? nullptr : &find_task(cfg.task.name);
  const Observation obs = mpi::agree(comm, [&] { return load_observation(cfg); }, Failure::bad_input);
  const std::unique_ptr<Simulator> simulator = mpi::agree(comm, [&] {
    auto sim = make_simulator(cfg.simulator, task);
    check_observation_dim(*sim, obs.x_o.size());
    if (sim->theta_dim() != prior->dim())
      throw ShapeError(make_message("simulator " + sim->name(), "theta dimension",
                                    std::to_string(prior->dim()) + " (the prior's)", std::to_string(sim->theta_dim())));
    return sim;
  }, Failure::bad_input);

  const fs::path dir = cfg.output.dir;
  mpi::agree_on_root(comm, [&] { prepare_output_dir(cfg, log); }, Failure::bad_input);
  log.info("run " + dir.string() + ": method " + cfg.inference.method + ", estimator " + cfg.inference.estimator +
           ", " + std::to_string(cfg.inference.simulations) + " simulations with " + simulator->name() + " on " +
           std::to_string(comm.size()) + " rank(s)");
  t.setup = MPI_Wtime() - t_start;

  // Round 0: θ from the prior on rank 0, simulated by the farm.
  double t0 = MPI_Wtime();
  Eigen::MatrixXd theta;
  if (root) theta = prior->sample(cfg.seed, StreamId::proposal, 0, 0, cfg.inference.simulations);
  ReplacementDraw draw_replacement = [&](std::uint64_t k) {
    Eigen::VectorXd th(prior->dim());
    RandomStream rng(cfg.seed, StreamId::resample, 0, k);
    prior->sample(rng, th);
    return th;
  };
  FarmOptions farm;
  farm.sim = cfg.simulator;
  farm.seed = cfg.seed;
  farm.round = 0;
  farm.progress = root;
  SimulationBank bank = run_simulations(comm, *simulator, theta, draw_replacement, farm);
  // Paid-for simulations reach the disk before anything else can fail.
  mpi::agree_on_root(comm, [&] { write_bank(dir, bank); });
  broadcast_bank(comm, bank);
  t.simulate = MPI_Wtime() - t0;
  const auto counts = bank.counts();
  {
    std::string failures;
    for (int s = 1; s < kNumSimStatus; ++s)
      if (counts[s]) failures += " " + std::string(to_string(static_cast<SimStatus>(s))) + "=" + std::to_string(counts[s]);
    log.info("simulated " + std::to_string(bank.size()) + " in " + format_seconds(t.simulate) + ": " +
             std::to_string(counts[0]) + " ok" + (failures.empty() ? "" : "," + failures));
  }
  const Eigen::MatrixXd th_valid = bank.valid_theta(), x_valid = bank.valid_x();
  if (th_valid.cols() < 10)
    throw SimulatorError(make_message("simulator " + simulator->name(), "valid simulations", "at least 10",
                                      std::to_string(th_valid.cols())));

  NpeOptions npe_opt;
  npe_opt.seed = cfg.seed;
  npe_opt.unconstrained = cfg.inference.unconstrained;
  npe_opt.ensemble = cfg.estimator.ensemble;
  npe_opt.estimator = {cfg.inference.estimator, cfg.estimator.transforms, cfg.estimator.hidden_features,
                       cfg.estimator.bins, cfg.estimator.tail_bound};
  auto& to = npe_opt.training;
  to.batch_size = cfg.training.batch_size;
  to.learning_rate = cfg.training.learning_rate;
  to.clip_norm = cfg.training.clip_norm;
  to.validation_fraction = cfg.training.validation_fraction;
  to.stop_after_epochs = cfg.training.stop_after_epochs;
  to.max_epochs = cfg.training.max_epochs;
  to.micro_batch = cfg.training.micro_batch;
  to.lr_decays = cfg.training.lr_decays;
  to.lr_decay_factor = cfg.training.lr_decay_factor;
  npe_opt.sampling.samples = cfg.posterior.samples;
  npe_opt.sampling.max_draws = cfg.posterior.max_sampling_draws;
  NpeResult npe = run_npe(th_valid, x_valid, obs.x_o, *prior, npe_opt, comm);
  t.train = npe.train_seconds;
  t.sample = npe.sample_seconds;
  for (std::size_t k = 0; k < npe.trainings.size(); ++k) {
    const auto& tr = npe.trainings[k];
    const std::string who = npe.trainings.size() > 1 ? "ensemble member " + std::to_string(k + 1) + ": " : "";
    log.info(who + "trained " + std::to_string(tr.history.size()) + " epochs (best epoch " +
             std::to_string(tr.best_epoch) + ", validation loss " + std::to_string(tr.best_val_loss) + ")");
  }
  log.info("training took " + format_seconds(t.train));
  const auto& post = npe.posterior;
  log.info("sampled " + std::to_string(post.theta.cols()) + " from " + std::to_string(post.draws) +
           " draws in " + format_seconds(t.sample) + " (acceptance " + std::to_string(post.acceptance) + ")");
  if (post.acceptance < cfg.posterior.min_acceptance_warning)
    log.warn("only " + std::to_string(post.acceptance) +
             " of the posterior draws fall inside the prior's support; the estimator leaks mass outside it "
             "(more simulations or a sequential method usually help)");
  if (post.truncated)
    log.warn("posterior.max_sampling_draws reached: " + std::to_string(post.theta.cols()) + " of " +
             std::to_string(cfg.posterior.samples) + " samples written");

  if (root) {
    t0 = MPI_Wtime();
    const auto header = numbered_names("theta", prior->dim());
    write_csv((dir / "posterior_samples.csv").string(), post.theta, header);
    write_npy((dir / "posterior_samples.npy").string(), post.theta);
    // The trained weights (float32 values, stored exactly as float64) for reproducibility checks.
    Eigen::MatrixXd w(npe.estimators.size(), npe.estimators.front()->parameters().size());
    for (std::size_t k = 0; k < npe.estimators.size(); ++k)
      w.row(static_cast<Eigen::Index>(k)) = npe.estimators[k]->parameters().values().cast<double>().transpose();
    write_npy((dir / "estimator_weights.npy").string(), w.transpose());
    t.write = MPI_Wtime() - t0;
    t.total = MPI_Wtime() - t_start;
    write_report(dir / "report.json", cfg, comm.size(), bank, npe, t);
    log.info("done in " + format_seconds(t.total) + ": " + (dir / "posterior_samples.csv").string());
  }
  return {dir.string(), MPI_Wtime() - t_start};
}

}  // namespace nsbi
