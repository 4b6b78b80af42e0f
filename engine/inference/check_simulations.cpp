#include "nsbi/inference/check_simulations.hpp"

#include "nsbi/farm/run_simulations.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/simulator/simulator_factory.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi {

std::unique_ptr<Simulator> make_run_simulator(const RunConfig& cfg, const mpi::Communicator& comm) {
  return mpi::agree(comm, [&] {
    const Task* task = cfg.task.name.empty() ? nullptr : &find_task(cfg.task.name);
    return make_simulator(cfg.simulator, task);
  }, mpi::Failure::bad_input);
}

SimulationBank simulate_dropping_failures(const mpi::Communicator& comm, Simulator& simulator, const RunConfig& cfg,
                                          const Eigen::MatrixXd& theta, std::uint64_t seed, const std::string& label) {
  FarmOptions farm;
  farm.sim = cfg.simulator;
  farm.sim.on_failure = FailurePolicy::drop;
  farm.seed = seed;
  farm.progress = comm.is_root();
  farm.label = label;
  SimulationBank bank = run_simulations(comm, simulator, theta, {}, farm);
  broadcast_bank(comm, bank);
  return bank;
}

}  // namespace nsbi
