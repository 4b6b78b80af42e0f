#pragma once
// The simulation bank: every simulation attempted, in simulation-index order within a round and
// in round order across rounds. Rank 0 holds a round's bank after run_simulations; its bytes do
// not depend on the number of ranks.
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
  /// Per row: the round that simulated it and log p̃_r(θ), the density of the proposal θ was
  /// drawn from (the run loop fills them; empty in a bank fresh from the farm).
  std::vector<std::uint32_t> round;
  std::vector<double> log_proposal;

  std::size_t size() const { return status.size(); }
  /// θ and x of the columns with status ok, in index order (theta_dim×m, x_dim×m): the only
  /// pairs that may reach training.
  Eigen::MatrixXd valid_theta() const;
  Eigen::MatrixXd valid_x() const;
  /// Number of simulations per final status, indexed by the SimStatus value.
  std::array<std::size_t, kNumSimStatus> counts() const;
  /// Calls beyond the first, summed over all simulations.
  std::size_t retries() const;
  /// Rows with status ok, in bank order; of round `only_round` alone when it is given.
  std::vector<std::size_t> valid_rows(const std::uint32_t* only_round = nullptr) const;
  /// The θ (theta_dim×k) and x (x_dim×k) columns of `rows`.
  Eigen::MatrixXd theta_of(const std::vector<std::size_t>& rows) const;
  Eigen::MatrixXd x_of(const std::vector<std::size_t>& rows) const;
  /// Rows of `round` r only (all columns when no row has a round).
  std::vector<std::size_t> rows_of_round(std::uint32_t r) const;
  /// Appends every row of `other` (both must carry round and log_proposal, or neither).
  void append(const SimulationBank& other);
};

/// Collective: every rank of `comm` leaves with root's bank (for trainers that need the data on
/// every rank), round and log_proposal included when root's bank has them. Shapes travel first,
/// so non-root ranks may pass an empty bank.
void broadcast_bank(const mpi::Communicator& comm, SimulationBank& bank, int root = 0);

}  // namespace nsbi
