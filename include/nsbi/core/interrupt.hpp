#pragma once
// Stopping a run on request (DESIGN.md §7, issue 11). SIGTERM, SIGUSR1 (SLURM's --signal) and
// SIGINT only set a flag; the run looks at it at its safe points — between chunks in the farm
// (the coordinator hands out no new chunk and waits for those in flight, which reach the
// journal), after every training epoch and after MCMC — where all ranks agree on it
// (agree_interrupt, a collective OR) and stop together with Interrupted (exit code 3). A second
// SIGINT ends the process at once (exit 130).
#include <string>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi {

/// Installs the handlers (idempotent). Called by the commands that run (nsbi run, resume).
void install_interrupt_handlers();
/// This rank has received a stop signal (async-signal-safe flag).
bool interrupt_requested();
/// The first stop signal received (0 when none).
int interrupt_signal();
/// Sets the flag as a signal would (tests; a farm that must stop).
void request_interrupt(int signal_number);
/// Clears the flag (tests).
void clear_interrupt();
/// Collective over comm: true on every rank when any rank has received a stop signal.
bool agree_interrupt(const mpi::Communicator& comm);
/// "SIGTERM", "SIGUSR1", "SIGINT", or "signal N".
std::string signal_name(int signal_number);

}  // namespace nsbi
