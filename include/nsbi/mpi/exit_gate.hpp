#pragma once
// The last agreement of a program (DESIGN.md §7: no rank left waiting). Every rank passes the
// gate on its way out of main with its exit code. When every rank arrives (they all succeeded,
// or an error reached all of them through an agreement point or alike), the job ends normally
// with one error line, printed by rank 0 if it failed, else by the lowest failing rank. An error
// that escaped on some ranks only — the others are still computing or blocked in a collective —
// cannot be agreed on: after a grace period the failing rank prints its line and aborts the
// job with its exit code (MPI_Abort), instead of leaving the others waiting forever.
#include <mpi.h>

#include <string>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi::mpi {

class ExitGate {
 public:
  /// Collective over `comm`: works on a duplicate, so the gate's reduction never meets another
  /// collective the program left unfinished on `comm`. Construct it right after MPI starts.
  explicit ExitGate(const Communicator& comm = Communicator());
  ~ExitGate();
  ExitGate(const ExitGate&) = delete;
  ExitGate& operator=(const ExitGate&) = delete;

  /// Collective (non-blocking underneath): this rank leaves with `code` (0 = success) and, if
  /// code != 0, `message`, its one error line (without newline). Returns `code` once every rank
  /// has arrived; a failing rank that waits longer than grace_seconds prints `message` to stderr
  /// and calls MPI_Abort(MPI_COMM_WORLD, code) (it does not return). Ranks that succeeded wait.
  int leave(int code, const std::string& message, double grace_seconds = 10.0);

 private:
  Communicator comm_;  // the duplicate, owned
};

}  // namespace nsbi::mpi
