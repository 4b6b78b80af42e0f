// mpi::agree / agree_on_root under mpirun (DESIGN.md §7: no rank left waiting): a step that fails
// on rank 0 only, on one worker only, or on every rank makes every rank throw the same kind with
// the same message; a step that succeeds everywhere returns its value and the collectives after
// it stay matched. Prints one line and returns 0 when every check passed on every rank.
//
// `agreement_mpi_test escape`: the last rank fails alone outside any agreement point while the
// others wait in a barrier; mpi::ExitGate must abort the job with its code (2) within the grace
// period instead of leaving them waiting.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "nsbi/core/error.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/mpi/exit_gate.hpp"

using namespace nsbi;

namespace {

struct Context {
  mpi::Communicator comm;
  int failures = 0;
  void check(bool ok, const std::string& what) {
    if (ok) return;
    ++failures;
    std::fprintf(stderr, "[rank %d of %d] FAILED: %s\n", comm.rank(), comm.size(), what.c_str());
  }
};

// Runs `round`, which must throw E on this rank; returns its message ("" if it did not).
template <typename E, typename F>
std::string expect_throw(Context& ctx, const std::string& name, F&& round) {
  try {
    round();
    ctx.check(false, name + ": no exception");
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ctx.check(false, name + ": wrong kind of exception: " + e.what());
  }
  return "";
}

// Every rank holds the same text.
bool same_everywhere(const mpi::Communicator& comm, const std::string& mine) {
  std::string root = mine;
  comm.broadcast(root);
  return comm.allreduce(root == mine ? 1 : 0, mpi::Op::min) == 1;
}

void check_round(Context& ctx, const std::string& name, const std::string& what, const std::string& expected) {
  ctx.check(what == expected, name + ": message \"" + what + "\", expected \"" + expected + "\"");
  ctx.check(same_everywhere(ctx.comm, what), name + ": every rank has the same message");
}

void run_checks(Context& ctx) {
  const int P = ctx.comm.size(), r = ctx.comm.rank(), worker = P - 1;

  // Success: the value comes back and nothing else happens.
  const int v = mpi::agree(ctx.comm, [&] { return 10 * r; });
  ctx.check(v == 10 * r, "success: the step's value is returned");

  // Rank 0 only, as a root-only step (the output directory, the bank write).
  std::string what = expect_throw<IoError>(ctx, "root only", [&] {
    mpi::agree_on_root(ctx.comm, [] { throw IoError("output.dir: directory expected one that can be created"); });
  });
  check_round(ctx, "root only", what, "output.dir: directory expected one that can be created");

  // One worker only (a file readable on some nodes only); the others name the failing rank.
  what = expect_throw<ShapeError>(ctx, "worker only", [&] {
    mpi::agree(ctx.comm, [&] {
      if (r == worker) throw ShapeError("obs.csv: observation expected 2 values, got 3");
      return 0;
    });
  });
  const std::string prefix = worker == 0 ? "" : "rank " + std::to_string(worker) + ": ";
  check_round(ctx, "worker only", what, prefix + "obs.csv: observation expected 2 values, got 3");

  // Failure::bad_input marks the error as bad input on every rank, whatever its kind.
  bool marked = false;
  try {
    mpi::agree(ctx.comm, [&] { if (r == worker) throw SimulatorError("plugin: cannot load"); }, mpi::Failure::bad_input);
  } catch (const SimulatorError& e) {
    marked = e.marked_input() && exit_code(e) == 2;
  }
  ctx.check(marked, "bad input: a worker's SimulatorError is bad input (exit code 2) on every rank");

  // Several ranks fail differently: the lowest failing rank's error wins everywhere.
  what = expect_throw<NumericalError>(ctx, "lowest wins", [&] {
    mpi::agree(ctx.comm, [&] {
      if (r >= 1 || P == 1) throw NumericalError("numerical on rank " + std::to_string(r));
    });
  });
  const int lowest = P == 1 ? 0 : 1;
  check_round(ctx, "lowest wins", what,
              (lowest == 0 ? "" : "rank 1: ") + std::string("numerical on rank ") + std::to_string(lowest));

  // An internal error (not an nsbi error) on a worker stays internal (exit code 1) everywhere.
  bool internal = false;
  try {
    mpi::agree(ctx.comm, [&] { if (r == worker) throw std::out_of_range("index 9"); });
  } catch (const Error&) {
  } catch (const std::exception& e) {
    internal = exit_code(e) == 1 && std::string(e.what()).find("index 9") != std::string::npos;
  }
  ctx.check(internal, "internal: a worker's std::out_of_range stays an internal error on every rank");

  // Every rank alike: rank 0's message.
  what = expect_throw<ConfigError>(ctx, "everywhere", [&] {
    mpi::agree(ctx.comm, [&] { throw ConfigError("seed on rank " + std::to_string(r)); });
  });
  check_round(ctx, "everywhere", what, "seed on rank 0");

  // The collectives after the failures are still matched.
  ctx.check(ctx.comm.allreduce(1, mpi::Op::sum) == P, "after the failures the ranks still agree");
}

}  // namespace

int main(int argc, char** argv) {
  mpi::Environment env(&argc, &argv);
  Context ctx;
  if (argc > 1 && std::string(argv[1]) == "escape") {
    mpi::ExitGate gate;
    if (ctx.comm.rank() == ctx.comm.size() - 1)
      return gate.leave(2, "nsbi: error: rank " + std::to_string(ctx.comm.rank()) + " failed alone", 2.0);
    ctx.comm.barrier();  // never completes: the last rank is not coming
    return gate.leave(0, "");
  }
  try {
    run_checks(ctx);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[rank %d] unexpected exception: %s\n", ctx.comm.rank(), e.what());
    ctx.comm.abort(3);
  }
  const int failures = ctx.comm.allreduce(ctx.failures, mpi::Op::sum);
  if (ctx.comm.is_root())
    std::printf("np=%d agreement_mpi_test: %s (%d failed checks)\n", ctx.comm.size(), failures ? "FAILED" : "passed",
                failures);
  return failures ? 1 : 0;
}
