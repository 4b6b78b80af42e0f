#include "nsbi/inference/run.hpp"

#include <mpi.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <fstream>
#include <optional>
#include <sstream>

#include "nsbi/core/error.hpp"
#include "nsbi/core/interrupt.hpp"
#include "nsbi/core/log.hpp"
#include "nsbi/farm/run_simulations.hpp"
#include "nsbi/farm/simulation_journal.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/output_dir.hpp"
#include "nsbi/inference/run_checkpoint.hpp"
#include "nsbi/inference/run_outputs.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/json_writer.hpp"
#include "nsbi/io/npy.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/mpi/node_shared.hpp"
#include "nsbi/simulator/simulator_factory.hpp"
#include "nsbi/version.hpp"

namespace nsbi {

namespace {

namespace fs = std::filesystem;

/// Peak resident memory of every rank and the bank's x per node, for report.json and the log.
struct MemoryRecord {
  std::vector<double> peak_rss_mib;  // per rank (getrusage: node-shared pages a rank touched count too)
  double bank_x_mib_per_node = 0;
  int nodes = 1;
};

MemoryRecord gather_memory(const mpi::Communicator& comm, const SimulationBank& bank) {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const std::vector<double> mine{static_cast<double>(u.ru_maxrss) / 1024.0};  // KiB on Linux
  MemoryRecord m;
  m.peak_rss_mib = comm.allgather_blocks<double>(mine);
  m.bank_x_mib_per_node = static_cast<double>(bank.x.rows()) * static_cast<double>(bank.x.cols()) * sizeof(float) / 1048576.0;
  if (const auto* w = bank.x.window()) m.nodes = w->nodes();
  return m;
}

/// Collective: a node-shared window of `cols` columns of x whose first `keep` columns are those of
/// `earlier` (copied by each node's leader from its own node's copy).
BankX bank_window(const mpi::Communicator& comm, int x_dim, const BankX& earlier, Eigen::Index keep,
                  Eigen::Index cols) {
  BankX w = BankX::shared(comm, x_dim, cols);
  if (w.writer() && keep > 0) w.writable().leftCols(keep) = earlier.matrix().leftCols(keep);
  return w;
}

/// What report.json shows of one round.
struct RoundRecord {
  std::uint32_t round = 0;
  std::int64_t requested = 0;
  std::array<std::size_t, kNumSimStatus> counts{};
  std::size_t retries = 0;
  RoundTraining training;
  double simulate_seconds = 0, proposal_seconds = 0;
  /// The acceptance of the proposal this round drew from (1 for the prior), and what the next
  /// proposal's construction reported (acceptance of the restriction, or TSNPE's prior mass).
  double proposal_acceptance = 1.0;
  double next_proposal_measure = std::numeric_limits<double>::quiet_NaN();
};

// x.npy is written as the simulations arrive (NpyRowsFile), from the simulator's doubles.
void write_bank(const fs::path& dir, const SimulationBank& bank) {
  write_npy((dir / "theta.npy").string(), bank.theta);
  std::vector<std::uint8_t> status(bank.status.size());
  for (std::size_t i = 0; i < status.size(); ++i) status[i] = static_cast<std::uint8_t>(bank.status[i]);
  write_npy((dir / "status.npy").string(), status);
  write_npy((dir / "round.npy").string(), std::span<const std::uint32_t>(bank.round));
  write_npy((dir / "log_proposal.npy").string(), std::span<const double>(bank.log_proposal));
}

void write_training(JsonWriter& j, const train::TrainingResult& tr, const std::vector<train::TrainingResult>& members) {
  j.field("epochs", tr.history.size()).field("best_epoch", tr.best_epoch).field("best_val_loss", tr.best_val_loss);
  j.field("early_stopped", tr.early_stopped).field("lr_decays", tr.lr_decays).field("steps", tr.steps);
  j.field("train_examples", tr.train_examples).field("validation_examples", tr.validation_examples);
  j.field("communication_seconds", tr.communication_seconds);
  std::vector<double> member_epochs;
  for (const auto& m : members) member_epochs.push_back(static_cast<double>(m.history.size()));
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
}

void write_status_counts(JsonWriter& j, const std::array<std::size_t, kNumSimStatus>& counts) {
  j.key("by_status").begin_object();
  for (int s = 0; s < kNumSimStatus; ++s) j.field(to_string(static_cast<SimStatus>(s)), counts[s]);
  j.end_object();
}

void write_report(const fs::path& path, const RunConfig& cfg, int ranks, const SimulationBank& bank,
                  const std::vector<RoundRecord>& rounds, const PosteriorSamples& post, const PhaseTimes& t,
                  const RunCheckpointer& checkpoints, const MemoryRecord& memory) {
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
  write_status_counts(j, counts);
  j.end_object();
  j.key("memory").begin_object();
  j.key("peak_rss_mib").value(std::span<const double>(memory.peak_rss_mib));
  j.field("bank_x_mib_per_node", memory.bank_x_mib_per_node).field("nodes", memory.nodes);
  j.end_object();
  j.key("timings_seconds").begin_object();
  j.field("setup", t.setup).field("simulate", t.simulate).field("train", t.train).field("proposal", t.proposal);
  j.field("sample", t.sample).field("write", t.write).field("total", t.total).end_object();
  // This process's checkpoints (a resumed run counts its own only).
  j.key("checkpoints").begin_object();
  j.field("every_seconds", cfg.checkpoint.every_seconds).field("written", checkpoints.checkpoints_written());
  j.field("restored_trainings", checkpoints.restored()).field("restored_samplings", checkpoints.restored_samplings());
  j.field("last_bytes", checkpoints.last_bytes());
  j.field("write_seconds", checkpoints.write_seconds()).end_object();
  // The last round's training (the estimator that gives the posterior).
  const auto& last = rounds.back().training;
  j.key("training").begin_object();
  if (!last.trainings.empty()) write_training(j, last.trainings.front(), last.trainings);
  j.end_object();
  j.key("rounds").begin_array();
  for (const RoundRecord& r : rounds) {
    j.begin_object();
    j.field("round", r.round).field("requested", r.requested).field("retries", r.retries);
    write_status_counts(j, r.counts);
    j.field("loss", r.training.loss).field("examples", r.training.examples);
    if (!r.training.trainings.empty()) {  // a round may only simulate (carl's reference block)
      j.field("epochs", r.training.trainings.front().history.size());
      j.field("best_val_loss", r.training.trainings.front().best_val_loss);
      std::vector<double> tl, vl;
      for (const auto& e : r.training.trainings.front().history) {
        tl.push_back(e.train_loss);
        vl.push_back(e.val_loss);
      }
      j.key("train_loss").value(std::span<const double>(tl));
      j.key("val_loss").value(std::span<const double>(vl));
    }
    j.field("proposal_acceptance", r.proposal_acceptance);
    if (!std::isnan(r.next_proposal_measure)) j.field("next_proposal_acceptance", r.next_proposal_measure);
    j.key("seconds").begin_object();
    j.field("simulate", r.simulate_seconds).field("train", r.training.seconds).field("proposal", r.proposal_seconds);
    j.end_object();
    j.end_object();
  }
  j.end_array();
  write_posterior(j, cfg, post);
  j.end_object();
  out << "\n";
  write_text(path.string(), out.str());
}

std::string counts_text(const std::array<std::size_t, kNumSimStatus>& counts) {
  std::string failures;
  for (int s = 1; s < kNumSimStatus; ++s)
    if (counts[s]) failures += " " + std::string(to_string(static_cast<SimStatus>(s))) + "=" + std::to_string(counts[s]);
  return std::to_string(counts[0]) + " ok" + (failures.empty() ? "" : "," + failures);
}

}  // namespace

namespace {
RunSummary run_inference_impl(const RunConfig& cfg, const mpi::Communicator& comm, const RunOptions& options);
}  // namespace

RunSummary run_inference(const RunConfig& cfg, const mpi::Communicator& comm, const RunOptions& options) {
  try {
    return run_inference_impl(cfg, comm, options);
  } catch (const Interrupted& e) {
    const int sig = interrupt_signal();
    throw Interrupted(std::string(e.what()) + (sig ? " (" + signal_name(sig) + ")" : "") +
                      "; every finished simulation is in " + (std::filesystem::path(cfg.output.dir) / "journal.bin").string() +
                      " and every training in its checkpoint-*.bin" +
                      ": continue with `nsbi resume " + cfg.output.dir + "`");
  }
}

namespace {

RunSummary run_inference_impl(const RunConfig& cfg, const mpi::Communicator& comm, const RunOptions& options) {
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

  // Every training of the run reaches a checkpoint (issue 11); the trainings of a resumed run
  // continue from the newest valid one.
  const fs::path dir = cfg.output.dir;
  const std::uint64_t fingerprint = farm::fingerprint_of(run_identity_toml(cfg));
  RunCheckpointer checkpointer(dir.string(), fingerprint, cfg.checkpoint.every_seconds, comm, log);

  // A method checks what needs the prior (e.g. carl's theta_ref inside the support).
  const MethodContext context{cfg, *prior, obs.x_o, comm, log, &checkpointer, &checkpointer};
  const std::unique_ptr<InferenceMethod> method =
      mpi::agree(comm, [&] { return find_method(cfg.inference.method).make(context); }, Failure::bad_input);

  // Rank 0's journal of every finished chunk (a resumed run reads the chunks already paid for).
  std::optional<farm::SimulationJournal> journal;
  std::optional<NpyRowsFile> x_file;  // rank 0: x.npy, every round's rows as they arrive
  mpi::agree_on_root(comm, [&] {
    prepare_output_dir(cfg, log, options.resume, options.overwrite);
    x_file.emplace((dir / "x.npy").string(), simulator->x_dim());
    const std::string path = (dir / "journal.bin").string();
    const std::uint64_t fp = fingerprint;
    journal = options.resume ? farm::SimulationJournal::resume(path, fp, simulator->theta_dim(), simulator->x_dim())
                             : farm::SimulationJournal::create(path, fp, simulator->theta_dim(), simulator->x_dim());
    if (options.resume) {
      log.info("resuming " + dir.string() + ": " + std::to_string(journal->simulations_read()) +
               " simulations in the journal (" + std::to_string(journal->chunks_read()) + " chunks)");
      if (journal->dropped_bytes() > 0)
        log.warn("journal.bin: dropped " + std::to_string(journal->dropped_bytes()) +
                 " bytes after the last whole chunk (cut short or corrupt); those simulations run again");
    }
  }, Failure::bad_input);
  {
    std::optional<CheckpointContent> loaded;
    if (options.resume) loaded = load_newest_checkpoint(dir.string(), fingerprint, comm, log);
    const auto seqs = checkpoint_sequences(dir.string());  // rank 0's directory counts
    if (loaded) {
      std::size_t finished = 0;
      for (const auto& t : loaded->trainings) finished += t.state.finished ? 1 : 0;
      const auto& last = loaded->trainings.empty() ? CheckpointTraining{} : loaded->trainings.back();
      log.info("resuming from " + checkpoint_path(dir.string(), loaded->sequence) + ": " + std::to_string(finished) +
               " finished training(s)" +
               (!last.state.finished && !last.state.weights.empty()
                    ? ", one continued from epoch " + std::to_string(last.state.epoch) + " of round " + std::to_string(last.round + 1)
                    : std::string()) +
               (loaded->samplings.empty() ? std::string()
                                          : ", " + std::to_string(loaded->samplings.size()) + " MCMC sampling(s)" +
                                                (loaded->samplings.back().finished() ? "" : ", the last one in progress")));
    }
    checkpointer.adopt(std::move(loaded), seqs.empty() ? 1 : seqs.front() + 1);
  }
  log.info("run " + dir.string() + ": method " + cfg.inference.method + ", estimator " + cfg.inference.estimator +
           ", " + std::to_string(cfg.inference.simulations) + " simulations" +
           (cfg.inference.rounds > 1 ? " in " + std::to_string(cfg.inference.rounds) + " rounds" : "") + " with " + simulator->name() + " on " +
           std::to_string(comm.size()) + " rank(s)");
  t.setup = MPI_Wtime() - t_start;

  const int R = cfg.inference.rounds;
  SimulationBank bank;  // every round, on every rank
  std::vector<RoundRecord> rounds;
  for (int r = 0; r < R; ++r) {
    const auto round = static_cast<std::uint32_t>(r);
    RoundRecord rec;
    rec.round = round;
    rec.requested = cfg.round_simulations(r);
    const Proposal& proposal = method->proposal();
    rec.proposal_acceptance = proposal.acceptance();

    // θ from the round's proposal on rank 0, simulated by the farm.
    double t0 = MPI_Wtime();
    Eigen::MatrixXd theta;
    if (root) theta = proposal.sample(cfg.seed, StreamId::proposal, round, 0, rec.requested);
    ReplacementDraw draw_replacement = [&](std::uint64_t k) -> Eigen::VectorXd {
      return proposal.sample(cfg.seed, StreamId::resample, round, k, 1).col(0);
    };
    farm::JournalReplay replay;
    if (journal) replay = journal->replay_of_round(round);
    // x of the whole bank in one node-shared window: the earlier rounds' columns (copied by each
    // node's leader from its node's copy) and room for this round's, which rank 0's farm writes
    // in place.
    const auto n_old = static_cast<Eigen::Index>(bank.size());
    const int x_dim = simulator->x_dim();
    BankX all_x = bank_window(comm, x_dim, bank.x, n_old, n_old + rec.requested);
    FarmOptions farm;
    if (root) {
      farm.x_into = all_x.columns(n_old, rec.requested);
      farm.on_stored = [&](const farm::ChunkResult& c) {
        x_file->write(n_old + static_cast<std::int64_t>(c.range.first), c.x.data(),
                      static_cast<std::int64_t>(c.range.count));
      };
    }
    if (journal) {
      farm.replay = &replay;
      farm.on_chunk = [&](const farm::ChunkResult& c, const Eigen::Ref<const Eigen::MatrixXd>& th) {
        journal->append(round, c, th);
      };
    }
    farm.sim = cfg.simulator;
    farm.seed = cfg.seed;
    farm.round = round;
    farm.progress = root;
    if (R > 1) farm.label = "round " + std::to_string(r + 1) + "/" + std::to_string(R);
    SimulationBank round_bank = run_simulations(comm, *simulator, theta, draw_replacement, farm);
    // Windows are freed collectively: no view of one may outlive it on rank 0 alone.
    farm.x_into = BankX();
    // A safe point: on a stop signal the farm handed out no new chunk and those in flight reached
    // the journal; the round's partial bank is not used.
    if (agree_interrupt(comm)) throw Interrupted("stopped by a signal during the simulations of round " + std::to_string(r + 1));
    // Paid-for simulations reach the disk before anything else can fail.
    mpi::agree_on_root(comm, [&] {
      round_bank.round.assign(round_bank.size(), round);
      const Eigen::VectorXd lp = proposal.log_prob(round_bank.theta);
      round_bank.log_proposal.assign(lp.data(), lp.data() + lp.size());
      bank.append_rows(round_bank);
      x_file->finish(static_cast<std::int64_t>(bank.size()));
      write_bank(dir, bank);
    });
    broadcast_bank(comm, round_bank, 0, /*with_x=*/false);
    if (!root) bank.append_rows(round_bank);
    // Replacements beyond the round's budget (on_failure = resample): a window that holds them.
    const auto n_round = static_cast<Eigen::Index>(round_bank.size());
    if (n_round != rec.requested) {
      BankX grown = bank_window(comm, x_dim, all_x, n_old, n_old + n_round);
      if (root) grown.writable().rightCols(n_round) = round_bank.x.matrix();  // the farm's own memory
      round_bank.x = BankX();
      all_x = grown;
    }
    round_bank.x = BankX();
    all_x.window()->publish_from_root(static_cast<std::size_t>(n_old * x_dim), static_cast<std::size_t>(n_round * x_dim));
    bank.x = all_x;
    rec.simulate_seconds = MPI_Wtime() - t0;
    t.simulate += rec.simulate_seconds;
    rec.counts = round_bank.counts();
    rec.retries = round_bank.retries();
    const std::string prefix = R > 1 ? "round " + std::to_string(r + 1) + "/" + std::to_string(R) + ": " : "";
    const std::size_t journaled = replay.simulations();
    log.info(prefix + "simulated " + std::to_string(round_bank.size()) + " in " + format_seconds(rec.simulate_seconds) +
             ": " + counts_text(rec.counts) +
             (journaled ? " (" + std::to_string(journaled) + " of them taken from the journal)" : ""));
    const auto valid = bank.counts()[static_cast<int>(SimStatus::ok)];
    if (valid < 10)
      throw SimulatorError(make_message("simulator " + simulator->name(), "valid simulations", "at least 10",
                                        std::to_string(valid)));

    rec.training = method->train(bank, round);
    t.train += rec.training.seconds;
    for (std::size_t k = 0; k < rec.training.trainings.size(); ++k) {
      const auto& tr = rec.training.trainings[k];
      const std::string who = rec.training.trainings.size() > 1 ? "ensemble member " + std::to_string(k + 1) + ": " : "";
      log.info(prefix + who + "trained " + std::to_string(tr.history.size()) + " epochs on " +
               std::to_string(rec.training.examples) + " pairs, " + rec.training.loss + " loss (best epoch " +
               std::to_string(tr.best_epoch) + ", validation loss " + std::to_string(tr.best_val_loss) + ")");
    }
    if (r + 1 < R) {
      t0 = MPI_Wtime();
      rec.next_proposal_measure = method->next_proposal(round + 1);
      rec.proposal_seconds = MPI_Wtime() - t0;
      t.proposal += rec.proposal_seconds;
      log.info(prefix + "next proposal: " + method->proposal().describe() + " (" +
               std::to_string(rec.next_proposal_measure) + ", " + format_seconds(rec.proposal_seconds) + ")");
    }
    rounds.push_back(std::move(rec));
  }
  log.info("training took " + format_seconds(t.train));
  if (!rounds.empty() && !rounds.back().training.trainings.empty())
    log_training_diagnostics(log, cfg, rounds.back().training.trainings.front().train_examples, comm.size());

  double t0 = MPI_Wtime();
  PosteriorSampleOptions so;
  so.samples = cfg.posterior.samples;
  so.max_draws = cfg.posterior.max_sampling_draws;
  so.seed = cfg.seed;
  so.round = static_cast<std::uint32_t>(R - 1);
  const PosteriorSamples post = method->posterior().sample(obs.x_o, so, comm);
  t.sample = MPI_Wtime() - t0;
  log.info("sampled " + std::to_string(post.theta.cols()) + " from " + std::to_string(post.draws) + " draws in " +
           format_seconds(t.sample) + " (acceptance " + std::to_string(post.acceptance) + ")");
  log_posterior_diagnostics(log, cfg, post, comm.size());
  if (post.truncated)
    log.warn("posterior.max_sampling_draws reached: " + std::to_string(post.theta.cols()) + " of " +
             std::to_string(cfg.posterior.samples) + " samples written");

  const MemoryRecord memory = gather_memory(comm, bank);
  {
    std::ostringstream os;
    os.precision(4);
    os << "memory: peak resident " << *std::max_element(memory.peak_rss_mib.begin(), memory.peak_rss_mib.end())
       << " MiB (the largest of " << memory.peak_rss_mib.size() << " rank(s)); the bank's x " << memory.bank_x_mib_per_node
       << " MiB of float, one copy on each of " << memory.nodes << " node(s)";
    log.info(os.str());
  }
  if (root) {
    t0 = MPI_Wtime();
    const auto header = numbered_names("theta", prior->dim());
    write_csv((dir / "posterior_samples.csv").string(), post.theta, header);
    write_npy((dir / "posterior_samples.npy").string(), post.theta);
    // The trained weights (float32 values, stored exactly as float64) for reproducibility checks.
    write_npy((dir / "estimator_weights.npy").string(), method->weights());
    // What `nsbi sample` and `nsbi sbc` rebuild the posterior from, with config.toml.
    if (const auto state = method->trained_state()) write_trained_state((dir / "estimator.bin").string(), *state);
    t.write = MPI_Wtime() - t0;
    t.total = MPI_Wtime() - t_start;
    write_report(dir / "report.json", cfg, comm.size(), bank, rounds, post, t, checkpointer, memory);
    log.info("done in " + format_seconds(t.total) + ": " + (dir / "posterior_samples.csv").string());
  }
  const auto& last = rounds.back().training.trainings;
  return {dir.string(), MPI_Wtime() - t_start, t, last.empty() ? 0 : static_cast<int>(last.front().history.size())};
}

}  // namespace

}  // namespace nsbi
