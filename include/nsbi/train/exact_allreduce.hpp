#pragma once
// Sums vectors held as blocks ("shards") spread over the ranks of a communicator, exactly: the
// result is bit-for-bit the same for any number of ranks and any assignment of shards to ranks.
//   1. each rank finds max |value| over its shards; a max-allreduce makes it global;
//   2. each shard is converted to int64 fixed point with the common exponent and added locally;
//   3. an int64 sum-allreduce adds the ranks' partial sums; the result is converted back.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi::train {

class ExactAllreduce {
 public:
  explicit ExactAllreduce(const mpi::Communicator& comm) : comm_(comm) {}

  /// shards: L×S, the S shards this rank owns (one per column); total_shards: the number of
  /// shards over all ranks (headroom against overflow). out (L) = Σ over every rank's shards.
  template <typename T>
  void sum(const Eigen::Ref<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>& shards, std::int64_t total_shards,
           Eigen::Ref<Eigen::VectorXd> out);

  /// Seconds spent inside MPI calls so far (for the communication-fraction benchmark).
  double communication_seconds() const { return comm_seconds_; }

 private:
  mpi::Communicator comm_;
  std::vector<std::int64_t> acc_;
  double comm_seconds_ = 0;
};

}  // namespace nsbi::train
