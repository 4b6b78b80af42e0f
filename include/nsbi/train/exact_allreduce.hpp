#pragma once
// Sums vectors held as blocks ("shards") spread over the ranks of a communicator, exactly: the
// result is bit-for-bit the same for any number of ranks and any assignment of shards to ranks.
//
// sum(): the general path.
//   1. each rank finds max |value| over its shards; a max-allreduce makes it global;
//   2. each shard is converted to int64 fixed point with the common exponent and added locally;
//   3. an int64 sum-allreduce adds the ranks' partial sums; the result is converted back.
//
// sum_scaled(): the training step's path, the same exact integer sum with less on the wire.
//   1. the bound 2^e on |value| is predicted from the previous call (its global maximum exponent
//      plus a margin), so there is no latency-bound max-allreduce;
//   2. the shards are converted and added locally as above, in one pass that also finds each
//      shard's maximum (values are clamped to the bound, so a shard that breaks it cannot
//      overflow); appended to the buffer are a few int64 counters (shards that broke the bound,
//      shards per exponent just below it), summed with the data, so every rank learns the global
//      verdict and the next call's bound;
//   3. a reduce-scatter of int64 (recursive halving, or a ring when P is not a power of two)
//      leaves each rank one segment of the exact integer sum; the rank converts it to the width
//      the caller consumes (float(Σ·scale); the exact rows and the counters stay int64), and an
//      allgather of the converted segments gives every rank the same bits: 8 + 4 bytes per value
//      on the wire instead of 8 + 8. The conversion is a function of the integer sum alone, so it
//      does not matter which rank does it.
//   If any shard broke the bound, or the bound was so loose that precision would suffer, the
//   call is redone with the exponent of a max-allreduce. Every decision depends only on sums
//   over all shards, never on how the shards are spread over the ranks.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi::train {

class ExactAllreduce {
 public:
  /// A predicted bound is accepted if the global maximum exponent lies in
  /// [bound − kWindow, bound]: at most kWindow bits of precision are lost against a max-allreduce
  /// exponent (at least 61 − kWindow − ⌈log2 T⌉ bits below the largest value remain). The next bound is the
  /// global maximum exponent + kMargin, so the values may grow by up to 2^kMargin per call and
  /// shrink by up to 2^(kWindow − kMargin) before a call is redone.
  static constexpr int kMargin = 3;
  static constexpr int kWindow = 10;

  /// Collective over `comm`: works on a duplicate of it (MPI_Comm_dup), so the point-to-point
  /// exchanges of the reduce-scatter can never match a message of other code on `comm`.
  explicit ExactAllreduce(const mpi::Communicator& comm);
  ~ExactAllreduce();
  ExactAllreduce(const ExactAllreduce&) = delete;
  ExactAllreduce& operator=(const ExactAllreduce&) = delete;

  /// shards: L×S, the S shards this rank owns (one per column); total_shards: the number of
  /// shards over all ranks (headroom against overflow). out (L) = Σ over every rank's shards.
  template <typename T>
  void sum(const Eigen::Ref<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>& shards, std::int64_t total_shards,
           Eigen::Ref<Eigen::VectorXd> out);

  /// shards and total_shards as in sum(); the last exact.size() of the L rows are "exact rows".
  /// With Σ the exact sum over every rank's shards, returns the first L − exact.size() rows as
  /// float(Σ_i · scale) — a view of this object's buffer (no copy of the gradient), valid until
  /// the next call — and sets exact(j) = Σ of exact row j (a double, not scaled). Bitwise the same
  /// at every rank count; one object per stream of similar sums (it carries the predicted bound).
  Eigen::Map<Eigen::VectorXf> sum_scaled(const Eigen::Ref<const Eigen::MatrixXf>& shards, std::int64_t total_shards,
                                         double scale, Eigen::Ref<Eigen::VectorXd> exact);

  /// Seconds spent inside MPI calls so far (for the communication-fraction benchmark).
  double communication_seconds() const { return comm_seconds_; }
  /// sum_scaled calls so far, and how many of them were redone with a max-allreduce exponent
  /// (the first call always is: there is nothing to predict from).
  std::int64_t scaled_calls() const { return scaled_calls_; }
  std::int64_t fallbacks() const { return fallbacks_; }

  /// The predicted bound carried from one sum_scaled call to the next (part of a trainer's
  /// state: a restored reducer must predict what the uninterrupted one would have).
  bool has_bound() const { return have_bound_; }
  int bound() const { return bound_; }
  void set_bound(bool has_bound, int bound) {
    have_bound_ = has_bound;
    bound_ = bound;
  }

 private:
  /// Sizes the buffers and segment tables for L data rows of which `head` are scaled.
  void layout(Eigen::Index rows, Eigen::Index head);
  /// Steps 2–3 of sum_scaled with bound 2^e_bound: leaves the gathered result in wire_.
  void reduce_with_bound(const Eigen::Ref<const Eigen::MatrixXf>& shards, std::int64_t total_shards, int e_bound,
                         double scale);
  /// The int64 reduce-scatter of ring_: afterwards segment r holds the global sum of segment r.
  void reduce_scatter();
  std::int64_t wire_int(Eigen::Index element) const;

  mpi::Communicator comm_;
  std::vector<std::int64_t> acc_;
  double comm_seconds_ = 0;

  // sum_scaled state. Buffer layout (elements): [0, head_) scaled rows, [head_, rows_) exact rows,
  // then the counters: overflow count, then shards with max exponent bound − k for k = 0..kWindow.
  Eigen::Index rows_ = -1, head_ = -1, elements_ = 0, segment_ = 0;
  std::vector<std::int64_t> ring_;      // P segments of `segment_` int64 (zero padding at the end)
  std::vector<std::int64_t> recv_;      // what one reduce-scatter exchange receives
  // The gathered result, in 4-byte words: one per scaled row (a float), two per other element (the
  // raw int64). Exchanged as bytes: MPI never interprets it.
  std::vector<float> wire_;
  std::vector<int> wire_count_, wire_displ_;  // bytes of each rank's segment in wire_
  std::vector<std::uint32_t> shard_bits_;  // max abs_bits of each owned shard
  int E_ = 0;                           // scale exponent of the last reduce_with_bound
  bool have_bound_ = false;
  int bound_ = 0;
  std::int64_t scaled_calls_ = 0, fallbacks_ = 0;
};

}  // namespace nsbi::train
