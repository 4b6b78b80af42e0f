// Rank 0 of run_simulations: owns the θ of the round, the scheduler and the bank.
#include <algorithm>
#include <chrono>
#include <deque>
#include <limits>
#include <optional>
#include <sstream>

#include "nsbi/core/error.hpp"
#include "nsbi/core/error_transport.hpp"
#include "nsbi/core/interrupt.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/farm/chunk_messages.hpp"
#include "nsbi/farm/chunk_scheduler.hpp"
#include "nsbi/farm/fail_fast_probe.hpp"
#include "nsbi/farm/farm_channel.hpp"
#include "nsbi/farm/progress_meter.hpp"
#include "nsbi/farm/run_simulations.hpp"
#include "nsbi/farm/simulate_chunk.hpp"
#include "nsbi/farm/worker_loop.hpp"
#include "nsbi/simulator/group_simulator.hpp"

namespace nsbi {
namespace {

using farm::ChunkResult;
using farm::FarmTag;
using farm::IndexRange;

constexpr std::size_t kChunkDepth = 2;              // chunks in flight per worker
constexpr std::size_t kMaxMessageBytes = 4u << 20;  // bounds simulations per chunk
constexpr std::size_t kMaxChunk = 16384;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

class Coordinator {
 public:
  Coordinator(farm::FarmChannel& channel, Simulator& sim, const Eigen::MatrixXd& theta, const ReplacementDraw& draw,
              const FarmOptions& options)
      : channel_(channel),
        sim_(sim),
        theta0_(theta),
        draw_(draw),
        options_(options),
        theta_dim_(sim.theta_dim()),
        x_dim_(sim.x_dim()),
        workers_(static_cast<std::size_t>(channel.size() - 1)),
        scheduler_(static_cast<std::size_t>(theta.cols()), options.sim.on_failure, options.sim.max_resample_factor,
                   chunk_policy()),
        fail_fast_(std::min(options.fail_fast_after, static_cast<std::size_t>(theta.cols()))),
        progress_(options.label, farm::ProgressMeter::mode_for(options.progress, stderr)),
        start_(std::chrono::steady_clock::now()),
        into_cols_(options.x_into.rows() == sim.x_dim() ? static_cast<std::size_t>(options.x_into.cols()) : 0) {}

  SimulationBank run() {
    try {
      check_inputs();
      extend_to_issued();
      replay_journal();
      if (workers_ == 0)
        run_local();
      else
        run_workers();
      progress_.finish(snapshot());
      return take_bank();
    } catch (...) {
      const std::exception_ptr e = std::current_exception();
      progress_.finish(snapshot());  // where the round stood, before the error is reported
      if (workers_ > 0) abort_workers(encode_exception(e));
      std::rethrow_exception(e);
    }
  }

 private:
  farm::ChunkPolicy chunk_policy() const {
    farm::ChunkPolicy p;
    p.workers = std::max<std::size_t>(1, workers_);
    p.depth = kChunkDepth;
    p.fixed_cap = static_cast<std::size_t>(options_.sim.chunk_size);
    p.target_seconds = options_.target_chunk_seconds;
    const std::size_t column_bytes = sizeof(double) * static_cast<std::size_t>(theta_dim_ + x_dim_ + 1);
    p.max_cap = std::clamp<std::size_t>(kMaxMessageBytes / column_bytes, 1, kMaxChunk);
    return p;
  }

  std::string where() const { return "simulation farm (simulator '" + sim_.name() + "')"; }

  void check_inputs() const {
    if (theta0_.rows() != theta_dim_ && theta0_.cols() > 0)
      throw ShapeError(make_message(where(), "rows of the round's θ", std::to_string(theta_dim_),
                                    std::to_string(theta0_.rows())));
    if (options_.sim.on_failure == FailurePolicy::resample && !draw_)
      throw Error(make_message(where(), "on_failure = resample", "a replacement draw function", "none"));
  }

  // Simulation indices [0, issued) need θ: the round's own, then replacements in order of k.
  void extend_to_issued() {
    const std::size_t n = static_cast<std::size_t>(theta0_.cols());
    const std::size_t issued = scheduler_.issued();
    const std::size_t have = status_.size();
    if (issued <= have) return;
    theta_.resize(issued * static_cast<std::size_t>(theta_dim_));
    if (issued > into_cols_) x_.resize((issued - into_cols_) * static_cast<std::size_t>(x_dim_), kNaN);
    status_.resize(issued, SimStatus::ok);
    attempts_.resize(issued, 0);
    for (std::size_t i = have; i < issued; ++i) {
      double* col = theta_.data() + i * static_cast<std::size_t>(theta_dim_);
      if (i < n) {
        std::copy_n(theta0_.col(static_cast<Eigen::Index>(i)).data(), theta_dim_, col);
        continue;
      }
      const Eigen::VectorXd t = draw_(i - n);
      if (t.size() != theta_dim_)
        throw ShapeError(make_message(where(), "replacement θ " + std::to_string(i - n),
                                      std::to_string(theta_dim_) + " values", std::to_string(t.size())));
      std::copy_n(t.data(), theta_dim_, col);
    }
  }

  Eigen::Map<const Eigen::MatrixXd> theta_of(IndexRange r) const {
    return {theta_.data() + r.first * static_cast<std::size_t>(theta_dim_), theta_dim_,
            static_cast<Eigen::Index>(r.count)};
  }

  std::string failure_message(std::size_t i) const {
    std::ostringstream os;
    os.precision(17);
    os << "simulation " << i << " of round " << options_.round << " (seed "
       << simulation_seed(options_.seed, options_.round, i) << ", θ = [";
    for (int d = 0; d < theta_dim_; ++d) os << (d ? ", " : "") << theta_[i * std::size_t(theta_dim_) + std::size_t(d)];
    os << "])";
    return make_message(where(), os.str(), "status ok (simulator.on_failure = abort)",
                        std::string(to_string(status_[i])) + " after " + std::to_string(attempts_[i]) + " attempt(s)");
  }

  // Stores a chunk's results by index; the one place the bank is written, for 1 or P ranks.
  void ingest(const ChunkResult& r) {
    const std::size_t first = r.range.first, count = r.range.count;
    if (first + count > scheduler_.dispatched() || r.status.size() != count || r.x.rows() != x_dim_)
      throw Error(make_message(where(), "result chunk", "a dispatched range",
                               std::to_string(first) + "+" + std::to_string(count)));
    if (options_.on_chunk) options_.on_chunk(r, theta_of(r.range));  // paid for: on disk first
    const std::size_t failures = store(r);
    scheduler_.complete(r.range, failures, r.seconds);
    after_store();
  }

  /// Takes the journal's chunks of this round as results (a resumed run), before any chunk is
  /// handed out. Indices are issued as the replayed failures are counted, exactly as when the
  /// chunks first arrived.
  void replay_journal() {
    if (!options_.replay) return;
    const farm::JournalReplay& replay = *options_.replay;
    std::vector<std::size_t> order(replay.ranges.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return replay.ranges[a].first < replay.ranges[b].first; });
    for (const std::size_t k : order) {  // one chunk in memory at a time
      const farm::JournalChunk c = replay.load(k);
      const ChunkResult& r = c.result;
      const std::size_t first = r.range.first, count = r.range.count;
      const std::string what = "journaled chunk " + std::to_string(first) + "+" + std::to_string(count) + " of round " +
                               std::to_string(options_.round);
      std::size_t failures = 0;
      for (const SimStatus st : r.status) failures += st != SimStatus::ok;
      extend_to_issued();
      if (r.status.size() != count || r.x.rows() != x_dim_ || c.theta.rows() != theta_dim_ ||
          first > status_.size() || count > status_.size() - first || !scheduler_.mark_done(r.range, failures))
        throw CheckpointError(make_message(where(), what, "a range of this round's simulations, each index once",
                                           "one outside the round or overlapping another"));
      if (theta_of(r.range) != c.theta)
        throw CheckpointError(make_message(where(), what, "the θ this run draws for those simulations",
                                           "other values (the proposal or the seed changed since the journal was written)"));
      store(r);
      after_store();
    }
  }

  /// Writes a chunk's results into the bank under construction; returns its final failures.
  std::size_t store(const ChunkResult& r) {
    const std::size_t first = r.range.first, count = r.range.count;
    std::size_t failures = 0;
    std::optional<std::size_t> first_failure;
    for (std::size_t j = 0; j < count; ++j) {
      const std::size_t i = first + j;
      if (attempts_[i] != 0)
        throw Error(make_message(where(), "result of simulation " + std::to_string(i), "once", "twice"));
      status_[i] = r.status[j];
      attempts_[i] = r.attempts[j];
      float* to = i < into_cols_ ? options_.x_into.writable().col(static_cast<Eigen::Index>(i)).data()
                                 : x_.data() + (i - into_cols_) * std::size_t(x_dim_);
      Eigen::Map<Eigen::VectorXf>(to, x_dim_) = r.x.col(static_cast<Eigen::Index>(j)).cast<float>();
      ++counts_[static_cast<std::size_t>(r.status[j])];
      fail_fast_.record(i, r.status[j]);
      retries_ += r.attempts[j] - 1;
      if (r.status[j] != SimStatus::ok) {
        ++failures;
        if (!first_failure) first_failure = i;
      }
    }
    if (options_.on_stored) options_.on_stored(r);
    if (first_failure && options_.sim.on_failure == FailurePolicy::abort)
      throw SimulatorError(failure_message(*first_failure));
    return failures;
  }

  void after_store() {
    // A simulator that has never succeeded in the first fail_fast_after simulations (by index) is
    // misconfigured (a missing module, a wrong path inside the script): stop instead of burning
    // the budget on retries and replacements.
    if (fail_fast_.stop()) {
      std::string by_status;
      for (int s = 1; s < kNumSimStatus; ++s)
        if (const std::size_t c = fail_fast_.counts()[std::size_t(s)])
          by_status += std::string(by_status.empty() ? "" : ", ") + to_string(SimStatus(s)) + " " + std::to_string(c);
      throw SimulatorError(make_message(where(), "at least one successful simulation among the first " +
                                                     std::to_string(fail_fast_.size()),
                                        "status ok", "none (" + by_status +
                                                         "); the simulator looks misconfigured, run it by hand"));
    }
    extend_to_issued();
    progress_.update(snapshot());
  }

  void run_local() {
    while (!scheduler_.finished() && !interrupt_requested()) {
      const IndexRange r = *scheduler_.next_chunk();  // nothing is in flight, so a range exists
      ingest(farm::simulate_chunk(sim_, farm::WorkChunk{r, theta_of(r)}, options_.seed, options_.round,
                                  options_.sim.max_retries));
    }
  }

  void run_workers() {
    // One entry per chunk a worker has asked for and not yet received (pull-based dispatch): a
    // worker asks for kChunkDepth chunks when ready and for one more with each result.
    std::deque<int> requests;
    std::size_t ready = 0;
    const auto tick = [this] { progress_.update(snapshot()); };
    // On a stop signal no new chunk is handed out; those in flight come back (to the journal).
    std::size_t in_flight = 0;
    const auto done = [&] {
      return ready == workers_ && (scheduler_.finished() || (interrupt_requested() && in_flight == 0));
    };
    while (!done()) {
      const MPI_Status envelope = channel_.wait(MPI_ANY_SOURCE, tick);
      const int w = envelope.MPI_SOURCE;
      switch (static_cast<FarmTag>(envelope.MPI_TAG)) {
        case FarmTag::ready: {
          const std::vector<std::int64_t> dims = channel_.receive<std::int64_t>(envelope);
          if (dims.size() != 2 || dims[0] != theta_dim_ || dims[1] != x_dim_) {
            const std::string mine = std::to_string(theta_dim_) + " and " + std::to_string(x_dim_) + " (as on rank 0)";
            const std::string theirs =
                dims.size() == 2 ? std::to_string(dims[0]) + " and " + std::to_string(dims[1]) : "a malformed message";
            throw ShapeError(
                make_message(where(), "θ and x dimensions of the simulator on rank " + std::to_string(w), mine, theirs));
          }
          ++ready;
          requests.insert(requests.end(), kChunkDepth, w);
          break;
        }
        case FarmTag::result:
          --in_flight;
          ingest(farm::unpack_result(channel_.receive<double>(envelope), x_dim_));
          requests.push_back(w);
          break;
        case FarmTag::error:
          rethrow_encoded(channel_.receive_text(envelope), "rank " + std::to_string(w) + ": ");
        default:
          discard(envelope);
          throw Error(make_message(where(), "message tag from rank " + std::to_string(w), "a farm tag",
                                   std::to_string(envelope.MPI_TAG)));
      }
      while (!requests.empty() && !interrupt_requested()) {
        const std::optional<IndexRange> r = scheduler_.next_chunk();
        if (!r) break;
        channel_.post(requests.front(), FarmTag::work, farm::pack_work(*r, theta_of(*r)));
        requests.pop_front();
        ++in_flight;
      }
    }
    for (std::size_t w = 1; w <= workers_; ++w)
      channel_.send(static_cast<int>(w), FarmTag::stop, std::span<const char>());
    channel_.complete_posted();
  }

  void discard(const MPI_Status& envelope) {
    switch (static_cast<FarmTag>(envelope.MPI_TAG)) {
      case FarmTag::ready: channel_.receive<std::int64_t>(envelope); break;
      case FarmTag::result: channel_.receive<double>(envelope); break;
      default: channel_.receive<char>(envelope);
    }
  }

  // Every worker gets abort (posted: a worker may be busy, or blocked sending us a result) and
  // answers stopped after its last message; everything before that is received and dropped, so
  // all sends on both sides complete before the exception leaves rank 0.
  void abort_workers(const std::string& encoded) {
    for (std::size_t w = 1; w <= workers_; ++w) channel_.post_text(static_cast<int>(w), FarmTag::abort, encoded);
    std::size_t stopped = 0;
    while (stopped < workers_) {
      const MPI_Status envelope = channel_.wait(MPI_ANY_SOURCE);
      stopped += envelope.MPI_TAG == farm::tag_value(FarmTag::stopped);
      discard(envelope);
    }
    channel_.complete_posted();
  }

  farm::ProgressSnapshot snapshot() const {
    farm::ProgressSnapshot s;
    s.done = scheduler_.completed();
    s.total = scheduler_.issued();
    s.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    s.counts = counts_;
    s.retries = retries_;
    return s;
  }

  SimulationBank take_bank() {
    const auto n = static_cast<Eigen::Index>(status_.size());
    SimulationBank bank;
    bank.theta = Eigen::Map<const Eigen::MatrixXd>(theta_.data(), theta_dim_, n);
    const auto into = static_cast<Eigen::Index>(into_cols_);
    if (n == into) {
      bank.x = options_.x_into;
    } else {  // no window, or replacements beyond it: all of x in the bank's own memory
      bank.x = BankX(x_dim_, n);
      const Eigen::Index head = std::min(n, into);
      if (head > 0) bank.x.writable().leftCols(head) = options_.x_into.matrix().leftCols(head);
      bank.x.writable().rightCols(n - head) =
          Eigen::Map<const Eigen::MatrixXf>(x_.data(), x_dim_, n - head);
    }
    bank.status = std::move(status_);
    bank.attempts = std::move(attempts_);
    return bank;
  }

  farm::FarmChannel& channel_;
  Simulator& sim_;
  const Eigen::MatrixXd& theta0_;
  const ReplacementDraw& draw_;
  const FarmOptions& options_;
  const int theta_dim_, x_dim_;
  const std::size_t workers_;
  farm::ChunkScheduler scheduler_;
  farm::FailFastProbe fail_fast_;
  farm::ProgressMeter progress_;
  const std::chrono::steady_clock::time_point start_;
  // The bank under construction, index order (column-major θ and x, x of simulations from
  // into_cols_ on; those before it are in options_.x_into); attempts 0 = not yet back.
  const std::size_t into_cols_;
  std::vector<double> theta_;
  std::vector<float> x_;
  std::vector<SimStatus> status_;
  std::vector<std::uint32_t> attempts_;
  std::array<std::size_t, kNumSimStatus> counts_{};
  std::size_t retries_ = 0;
};

SimulationBank run_farm(const mpi::Communicator& comm, Simulator& simulator, const Eigen::MatrixXd& theta,
                        const ReplacementDraw& draw_replacement, const FarmOptions& options) {
  farm::FarmChannel channel(comm);
  if (channel.rank() != 0) {
    farm::worker_loop(channel, simulator, options);
    return {};
  }
  return Coordinator(channel, simulator, theta, draw_replacement, options).run();
}

/// The farm for a simulator that runs each simulation on k ranks: rank 0 coordinates alone, ranks
/// 1 … P−1 form groups of k consecutive ranks, and the farm runs over rank 0 and the groups'
/// leaders; the other members follow their leader. With one process, rank 0 is a group of one
/// and simulates itself.
SimulationBank run_grouped(const mpi::Communicator& comm, GroupSimulator& sim, const Eigen::MatrixXd& theta,
                           const ReplacementDraw& draw_replacement, const FarmOptions& options) {
  const int P = comm.size(), r = comm.rank(), k = sim.ranks_per_simulation();
  if (P > 1 && (P - 1) % k != 0)  // the same on every rank: all throw here, before any message
    throw ConfigError(make_message(
        "simulator.ranks_per_simulation", "value",
        "a divisor of the " + std::to_string(P - 1) + " ranks besides the coordinator (run with k·n + 1 ranks, or one process)",
        std::to_string(k)));
  const int g = r == 0 ? -1 : (r - 1) / k;
  const bool leader = r == 0 || (r - 1) % k == 0;
  MPI_Comm group = MPI_COMM_NULL, farm = MPI_COMM_NULL;
  MPI_Comm_split(comm.native(), g + 1, r, &group);
  MPI_Comm_split(comm.native(), leader ? 0 : MPI_UNDEFINED, r, &farm);
  // Freed on the way out, but not while an exception unwinds on this rank only (as
  // Communicator::free_duplicate: MPI_Comm_free is collective).
  const auto free_all = [&] {
    if (farm != MPI_COMM_NULL) MPI_Comm_free(&farm);
    MPI_Comm_free(&group);
    sim.join_group(MPI_COMM_SELF);
  };
  sim.join_group(group);
  if (!leader) {
    sim.follow();  // throws the leader's error when the farm failed
    free_all();
    return {};
  }
  SimulationBank bank;
  try {
    bank = run_farm(mpi::Communicator(farm), sim, theta, draw_replacement, options);
  } catch (...) {
    sim.release_followers(encode_exception(std::current_exception()));
    sim.join_group(MPI_COMM_SELF);
    throw;
  }
  sim.release_followers({});
  free_all();
  return bank;
}

}  // namespace

SimulationBank run_simulations(const mpi::Communicator& comm, Simulator& simulator, const Eigen::MatrixXd& theta,
                               const ReplacementDraw& draw_replacement, const FarmOptions& options) {
  options.validate();  // the same options on every rank: all throw here, before any message
  if (GroupSimulator* group = simulator.as_group()) return run_grouped(comm, *group, theta, draw_replacement, options);
  return run_farm(comm, simulator, theta, draw_replacement, options);
}

}  // namespace nsbi
