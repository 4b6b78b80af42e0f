#pragma once
// The simulation bank: every simulation attempted, in simulation-index order within a round and
// in round order across rounds. Rank 0 holds a round's bank after run_simulations; its bytes do
// not depend on the number of ranks.
//
// x is held as float (the precision every estimator trains in; the simulator's doubles go to the
// journal and x.npy as they arrive), in this process's memory or, for a run's bank, in one
// MPI-3 shared-memory window per node (BankX::shared): one copy of x per node, which the trainers
// read in place.
#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "nsbi/mpi/communicator.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi {

namespace mpi {
class NodeSharedFloats;
}

/// x_dim×n floats, column i = simulation i: process memory, or a node-shared window. Copies and
/// column views share the storage (a bank passed around is not copied).
class BankX {
 public:
  BankX() = default;
  /// Process memory, NaN.
  BankX(Eigen::Index rows, Eigen::Index cols);
  /// Process memory holding `x` rounded to float.
  static BankX from(const Eigen::Ref<const Eigen::MatrixXd>& x);
  /// Collective over `comm`: a node-shared window (uninitialised); only its writer() ranks (one
  /// per node) may write, then publish or synchronize through window().
  static BankX shared(const mpi::Communicator& comm, Eigen::Index rows, Eigen::Index cols);

  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }
  Eigen::Map<const Eigen::MatrixXf> matrix() const { return {data_, rows_, cols_}; }
  /// For this process's memory, or for the node leader of a shared window.
  Eigen::Map<Eigen::MatrixXf> writable() const { return {data_, rows_, cols_}; }
  bool writer() const;
  /// The window of a shared BankX (nullptr for process memory).
  mpi::NodeSharedFloats* window() const { return shared_.get(); }
  /// Columns [first, first + count) sharing this storage.
  BankX columns(Eigen::Index first, Eigen::Index count) const;
  /// Whether `other` is a view of the same storage.
  bool shares_storage(const BankX& other) const;
  /// Column j as double.
  Eigen::VectorXd col(Eigen::Index j) const { return matrix().col(j).cast<double>(); }

 private:
  std::shared_ptr<std::vector<float>> local_;
  std::shared_ptr<mpi::NodeSharedFloats> shared_;
  float* data_ = nullptr;
  Eigen::Index rows_ = 0, cols_ = 0;
};

struct SimulationBank {
  Eigen::MatrixXd theta;                 // theta_dim×n, column i = simulation index i
  BankX x;                               // x_dim×n, NaN in columns whose status is not ok
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
  /// Appends every row of `other` (both must carry round and log_proposal, or neither); x into
  /// process memory.
  void append(const SimulationBank& other);
  /// The same without x: θ, status, attempts, round, log_proposal (the run's loop, whose x is
  /// in a shared window).
  void append_rows(const SimulationBank& other);
};

/// Collective: every rank of `comm` leaves with root's bank (for trainers that need the data on
/// every rank), round and log_proposal included when root's bank has them. Shapes travel first,
/// so non-root ranks may pass an empty bank. With `with_x` false, x is left as it is.
void broadcast_bank(const mpi::Communicator& comm, SimulationBank& bank, int root = 0, bool with_x = true);

}  // namespace nsbi
