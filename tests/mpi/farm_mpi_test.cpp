// run_simulations under mpirun at any np (ctest runs np = 1, 2, 3, 4).
//
//   farm_mpi_test OUT_DIR [FAULTY_SIMULATOR]
//
// Each scenario checks the bank against the serial reference of farm_test_simulators.hpp, that
// every simulation ran exactly once plus its retries (seeds gathered from all ranks), and that
// failing rounds end on every rank with the error; the banks are also written to
// OUT_DIR/<scenario>_np<P>.bin for the byte comparison across np (compare_banks.cmake).
// With FAULTY_SIMULATOR (examples/simulators/faulty_simulator: segfault 2%, hang 1%, NaN 1%),
// rounds with that external program run too. Exit code 0 when every check passed on every rank.
#include <mpi.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "../unit/farm/farm_test_simulators.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/farm/run_simulations.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/simulator/external_simulator.hpp"

namespace {

using namespace nsbi;
using farm_test::ScriptedSimulator;

struct Context {
  mpi::Communicator comm;
  std::string out_dir;
  int failures = 0;
  bool root() const { return comm.rank() == 0; }

  void check(bool ok, const std::string& what) {
    if (ok) return;
    ++failures;
    std::fprintf(stderr, "[rank %d of %d] FAILED: %s\n", comm.rank(), comm.size(), what.c_str());
  }
  void note(const std::string& what) const {
    if (root()) std::printf("np=%d %s\n", comm.size(), what.c_str());
  }
};

/// Forwards to another simulator and records every seed it was called with.
class Recording : public Simulator {
 public:
  explicit Recording(Simulator& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  int theta_dim() const override { return inner_.theta_dim(); }
  int x_dim() const override { return inner_.x_dim(); }
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) override {
    calls.insert(calls.end(), seeds.begin(), seeds.end());
    inner_.simulate(theta, seeds, x, status);
  }
  std::vector<std::uint64_t> calls;

 private:
  Simulator& inner_;
};

using farm_test::test_options;
using farm_test::test_replacements;

std::vector<std::uint64_t> gather_calls(const mpi::Communicator& comm, const std::vector<std::uint64_t>& mine) {
  int n = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(comm.size())), offsets(counts.size());
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm.native());
  int total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    offsets[r] = total;
    total += counts[r];
  }
  std::vector<std::uint64_t> all(static_cast<std::size_t>(comm.rank() == 0 ? total : 0));
  MPI_Gatherv(mine.data(), n, MPI_UINT64_T, all.data(), counts.data(), offsets.data(), MPI_UINT64_T, 0, comm.native());
  return all;
}

// Every simulation i of the bank ran attempts[i] times with its seed, on some rank, and nothing else ran.
void check_exactly_once(Context& ctx, const std::string& name, const SimulationBank& bank,
                        const std::vector<std::uint64_t>& mine, const FarmOptions& o) {
  std::vector<std::uint64_t> calls = gather_calls(ctx.comm, mine);
  if (!ctx.root()) {
    ctx.check(bank.size() == 0, name + ": workers receive an empty bank");
    return;
  }
  const std::vector<std::uint64_t> expected = farm_test::expected_calls(bank, o);
  std::sort(calls.begin(), calls.end());
  ctx.check(calls == expected, name + ": every simulation called exactly once plus its retries (" +
                                   std::to_string(calls.size()) + " calls, expected " +
                                   std::to_string(expected.size()) + ")");
}

void dump(Context& ctx, const std::string& name, const SimulationBank& b) {
  if (!ctx.root()) return;
  const std::string path = ctx.out_dir + "/" + name + "_np" + std::to_string(ctx.comm.size()) + ".bin";
  std::ofstream f(path, std::ios::binary);
  const std::int64_t shape[3] = {b.theta.rows(), b.x.rows(), static_cast<std::int64_t>(b.size())};
  f.write(reinterpret_cast<const char*>(shape), sizeof shape);
  const auto put = [&f](const void* data, std::size_t bytes) {
    f.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  };
  put(b.theta.data(), sizeof(double) * static_cast<std::size_t>(b.theta.size()));
  put(b.x.matrix().data(), sizeof(float) * static_cast<std::size_t>(b.x.matrix().size()));
  put(b.status.data(), b.status.size());
  put(b.attempts.data(), sizeof(std::uint32_t) * b.attempts.size());
  ctx.check(f.good(), "writing " + path);
}

std::string counts_text(const SimulationBank& b) {
  std::string s;
  const auto c = b.counts();
  for (int k = 0; k < kNumSimStatus; ++k)
    s += (k ? ", " : "") + std::string(to_string(static_cast<SimStatus>(k))) + " " + std::to_string(c[std::size_t(k)]);
  return s + "; retries " + std::to_string(b.retries());
}

// A round of the scripted simulator that must succeed: compare with the reference, count calls, dump.
void good_round(Context& ctx, const std::string& name, int dim, std::size_t n, bool failing, int max_sleep_us,
                FarmOptions o) {
  ScriptedSimulator sim(dim, failing, max_sleep_us);
  const Eigen::MatrixXd theta = ctx.root() ? farm_test::test_theta(dim, n, o.seed) : Eigen::MatrixXd();
  const SimulationBank bank = run_simulations(ctx.comm, sim, theta, test_replacements(dim), o);
  if (ctx.root()) {
    const SimulationBank ref = farm_test::reference_bank(theta, failing, o.seed, o.round, o.sim);
    ctx.check(farm_test::same_bytes(bank, ref), name + ": bank equals the serial reference");
    ctx.note(name + ": " + std::to_string(bank.size()) + " simulations (" + counts_text(bank) + ")");
  }
  check_exactly_once(ctx, name, bank, sim.calls, o);
  dump(ctx, name, bank);
}

// Runs `round` and expects every rank to throw E; returns this rank's message.
template <typename E, typename F>
std::string expect_throw_everywhere(Context& ctx, const std::string& name, F round) {
  std::string what;
  bool right_type = false;
  try {
    round();
    what = "(returned normally)";
  } catch (const E& e) {
    right_type = true;
    what = e.what();
  } catch (const std::exception& e) {
    what = std::string("wrong exception type: ") + e.what();
  }
  ctx.check(right_type, name + ": this rank throws the round's error; got " + what);
  return what;
}

std::string broadcast_text(const mpi::Communicator& comm, std::string s) {
  comm.broadcast(s);
  return s;
}

void abort_round(Context& ctx) {
  const FarmOptions o = test_options(FailurePolicy::abort, 31, 1);
  ScriptedSimulator sim(2, true, 200);
  const Eigen::MatrixXd theta = ctx.root() ? farm_test::test_theta(2, 400) : Eigen::MatrixXd();
  const std::string what = expect_throw_everywhere<SimulatorError>(
      ctx, "abort", [&] { run_simulations(ctx.comm, sim, theta, {}, o); });
  const std::string root_what = broadcast_text(ctx.comm, what);
  ctx.check(root_what.find("expected status ok (simulator.on_failure = abort)") != std::string::npos,
            "abort: message names the policy: " + root_what);
  ctx.check(what == root_what, "abort: every rank reports rank 0's message");
  ctx.note("abort: every rank threw \"" + root_what + "\"");
}

void exception_round(Context& ctx) {
  const FarmOptions o = test_options(FailurePolicy::drop, 41, 0);
  ScriptedSimulator sim(2, false, 100);
  sim.throw_on = {simulation_seed(o.seed, o.round, 157)};
  const Eigen::MatrixXd theta = ctx.root() ? farm_test::test_theta(2, 400) : Eigen::MatrixXd();
  const std::string what = expect_throw_everywhere<SimulatorError>(
      ctx, "exception", [&] { run_simulations(ctx.comm, sim, theta, {}, o); });
  ctx.check(what.find("scripted: refused seed " + std::to_string(sim.throw_on[0])) != std::string::npos,
            "exception: message carries the simulator's text: " + what);
  if (ctx.root() && ctx.comm.size() > 1)
    ctx.check(what.rfind("rank ", 0) == 0, "exception: rank 0 names the failing rank: " + what);
  ctx.note("exception: rank 0 threw \"" + broadcast_text(ctx.comm, what) + "\"");
}

void dimension_round(Context& ctx) {
  if (ctx.comm.size() < 2) return;
  ScriptedSimulator sim(2, false, 0, ctx.root() ? 2 : 3);
  const Eigen::MatrixXd theta = ctx.root() ? farm_test::test_theta(2, 50) : Eigen::MatrixXd();
  const FarmOptions o = test_options(FailurePolicy::drop, 5, 0);
  const std::string what = expect_throw_everywhere<ShapeError>(
      ctx, "dimensions", [&] { run_simulations(ctx.comm, sim, theta, {}, o); });
  if (ctx.root()) ctx.check(what.find("on rank") != std::string::npos, "dimensions: names the rank: " + what);
}

// The faulty external program: deterministic faults (retries fail again) with resample, and
// transient faults (only a seed's first attempt fails) with drop.
void faulty_rounds(Context& ctx, const std::string& program) {
  if (program.empty()) return;
  SimulatorOptions so;
  so.kind = SimulatorKind::external;
  so.mode = ExternalMode::persistent;
  so.timeout_seconds = 0.3;
  so.kill_grace_seconds = 0.2;
  for (bool transient : {false, true}) {
    const std::string name = transient ? "faulty_transient" : "faulty";
    std::string marker_dir;
    if (ctx.root() && transient) {
      char tmpl[] = "/tmp/nsbi_farm_faulty_XXXXXX";
      marker_dir = mkdtemp(tmpl);
    }
    marker_dir = broadcast_text(ctx.comm, marker_dir);
    so.command = {program};
    if (transient) so.command.insert(so.command.end(), {"--transient", marker_dir});
    ExternalSimulator external(so, 2, 2);
    Recording sim(external);
    FarmOptions o = test_options(transient ? FailurePolicy::drop : FailurePolicy::resample, 77, 0);
    const std::size_t n = 400;
    const Eigen::MatrixXd theta = ctx.root() ? farm_test::test_theta(2, n, 3) : Eigen::MatrixXd();
    const SimulationBank bank = run_simulations(ctx.comm, sim, theta, test_replacements(2), o);
    check_exactly_once(ctx, name, bank, sim.calls, o);
    dump(ctx, name, bank);
    if (!ctx.root()) continue;
    if (transient) std::filesystem::remove_all(marker_dir);
    const auto c = bank.counts();
    const auto count = [&](SimStatus s) { return c[static_cast<std::size_t>(s)]; };
    ctx.note(name + ": " + std::to_string(bank.size()) + " simulations (" + counts_text(bank) + ")");
    ctx.check(count(SimStatus::non_finite) > 0, name + ": NaN answers become non_finite");
    ctx.check(bank.valid_x().allFinite(), name + ": valid x are finite");
    if (transient) {
      ctx.check(count(SimStatus::crashed) == 0 && count(SimStatus::timeout) == 0,
                name + ": every crash and hang recovered on retry");
      ctx.check(bank.retries() > 0, name + ": crashes and hangs were retried");
      ctx.check(bank.size() == n, name + ": drop keeps the round's size");
    } else {
      ctx.check(count(SimStatus::ok) == n, name + ": resample meets the budget of valid pairs");
      ctx.check(count(SimStatus::crashed) > 0 && count(SimStatus::timeout) > 0, name + ": crashes and hangs recorded");
      for (std::size_t i = 0; i < bank.size(); ++i) {
        const SimStatus s = bank.status[i];
        const std::uint32_t expected = s == SimStatus::crashed || s == SimStatus::timeout ? 3 : 1;
        if (bank.attempts[i] != expected) {
          ctx.check(false, name + ": simulation " + std::to_string(i) + " has " + std::to_string(bank.attempts[i]) +
                               " attempts with status " + to_string(s));
          break;
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  nsbi::mpi::Environment env(&argc, &argv);
  Context ctx;
  if (argc < 2) {
    if (ctx.root()) std::fprintf(stderr, "usage: farm_mpi_test OUT_DIR [FAULTY_SIMULATOR]\n");
    return 2;
  }
  ctx.out_dir = argv[1];
  const std::string faulty = argc > 2 ? argv[2] : "";
  try {
    good_round(ctx, "ok", 2, 3000, false, 0, test_options(FailurePolicy::drop, 11, 0));
    good_round(ctx, "resample", 3, 600, true, 300, test_options(FailurePolicy::resample, 12, 1));
    good_round(ctx, "drop", 2, 500, true, 300, test_options(FailurePolicy::drop, 13, 2));
    FarmOptions small_chunks = test_options(FailurePolicy::resample, 14, 3);
    small_chunks.sim.chunk_size = 3;
    small_chunks.sim.max_resample_factor = 1.1;  // the bound is reached: fewer than n ok
    good_round(ctx, "resample_bound", 2, 300, true, 100, small_chunks);
    abort_round(ctx);
    exception_round(ctx);
    dimension_round(ctx);
    // The farm still works after the failed rounds.
    good_round(ctx, "after_errors", 2, 200, true, 0, test_options(FailurePolicy::resample, 15, 4));
    faulty_rounds(ctx, faulty);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[rank %d] unexpected exception: %s\n", ctx.comm.rank(), e.what());
    ctx.comm.abort(3);
  }
  const int failures = ctx.comm.allreduce(ctx.failures, nsbi::mpi::Op::sum);
  if (ctx.root())
    std::printf("np=%d farm_mpi_test: %s (%d failed checks)\n", ctx.comm.size(), failures ? "FAILED" : "passed",
                failures);
  return failures ? 1 : 0;
}
