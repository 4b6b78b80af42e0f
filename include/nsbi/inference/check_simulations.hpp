#pragma once
// Simulations made after a run to check it (`nsbi sbc`, `nsbi ppc`): the run's simulator through
// the farm, failures dropped (and counted by the bank's status), seeded apart from the run's own.
#include <memory>
#include <string>

#include "nsbi/config/run_config.hpp"
#include "nsbi/farm/simulation_bank.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi {

/// The run's simulator on this rank (an agreement point: bad input on every rank if it cannot start).
std::unique_ptr<Simulator> make_run_simulator(const RunConfig& config, const mpi::Communicator& comm);

/// Simulates the columns of `theta` (given on rank 0; empty elsewhere) with simulation seeds
/// from `seed` (simulation i: simulation_seed(seed, 0, i)), on_failure = drop; the bank on every
/// rank. Collective.
SimulationBank simulate_dropping_failures(const mpi::Communicator& comm, Simulator& simulator, const RunConfig& config,
                                          const Eigen::MatrixXd& theta, std::uint64_t seed, const std::string& label);

}  // namespace nsbi
