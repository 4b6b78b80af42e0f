#pragma once
// The simulation bank of one round: every simulation attempted, in simulation-index order.
// Rank 0 holds it after run_simulations; its bytes do not depend on the number of ranks.
#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nsbi/mpi/communicator.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi {

struct SimulationBank {
  Eigen::MatrixXd theta;                 // theta_dim×n, column i = simulation index i
  Eigen::MatrixXd x;                     // x_dim×n, NaN in columns whose status is not ok
  std::vector<SimStatus> status;         // n
  std::vector<std::uint32_t> attempts;   // n: calls made for index i (1 + retries)

  std::size_t size() const { return status.size(); }
  /// θ and x of the columns with status ok, in index order (theta_dim×m, x_dim×m): the only
  /// pairs that may reach training.
  Eigen::MatrixXd valid_theta() const;
  Eigen::MatrixXd valid_x() const;
  /// Number of simulations per final status, indexed by the SimStatus value.
  std::array<std::size_t, kNumSimStatus> counts() const;
  /// Calls beyond the first, summed over all simulations.
  std::size_t retries() const;
};

/// Collective: every rank of `comm` leaves with root's bank (for trainers that need the data on
/// every rank). Shapes travel first, so non-root ranks may pass an empty bank.
void broadcast_bank(const mpi::Communicator& comm, SimulationBank& bank, int root = 0);

}  // namespace nsbi
