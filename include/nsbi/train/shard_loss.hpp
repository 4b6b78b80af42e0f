#pragma once
// A training objective evaluated on one micro-shard of a minibatch at a time. The trainer owns the
// batching, the exact reduction and the optimiser; a loss only knows how to compute
// Σ_{n∈shard} loss_n and add its gradient to the estimator's flat gradient buffer.
//
// The loss sees the whole minibatch before its shards (begin_batch), so that contrastive losses
// (atomic APT, SNRE-B) can draw the other members of the batch they compare with. Such draws come
// from counter-based streams keyed by Minibatch::key, never from the rank: every rank that
// computes a shard sees the same atoms, whatever the rank count.
#include <cstdint>
#include <span>

#include "nsbi/nn/parameter_buffer.hpp"

namespace nsbi::train {

/// Training data as the losses see it, one example per column: a matrix of its own or a view of
/// the bank's node-shared x (read in place, never copied).
using DataRef = Eigen::Ref<const nn::Mat<float>>;

struct Minibatch {
  std::span<const std::int64_t> examples;  // indices into the training data, in batch order
  std::uint32_t round = 0;
  int epoch = 0;
  /// Step within the epoch; kValidation for the validation set (then `epoch` is not part of the
  /// key, so the validation loss compares like with like from epoch to epoch).
  std::int64_t step = 0;
  static constexpr std::int64_t kValidation = -1;

  /// A stream index unique to (epoch, step) within a round: epoch·2^32 + step, and 2^48 − 1 for
  /// the validation set (a RandomStream index has 48 bits: epochs up to 65,534 have their own).
  std::uint64_t key() const {
    return step == kValidation ? (std::uint64_t{1} << 48) - 1
                               : (static_cast<std::uint64_t>(epoch) << 32) | static_cast<std::uint64_t>(step);
  }
};

class ShardLoss {
 public:
  virtual ~ShardLoss() = default;
  virtual nn::ParameterBuffer<float>& parameters() = 0;
  /// Called on every rank before the shards of `batch` are computed (training steps and the
  /// validation pass alike).
  virtual void begin_batch(const Minibatch& batch) { (void)batch; }
  /// Σ of the per-example loss over batch.examples[begin, end); adds d(Σ loss)/d(params) to
  /// parameters().grads().
  virtual double loss_and_gradient(const Minibatch& batch, std::int64_t begin, std::int64_t end) = 0;
  /// Σ of the per-example loss over batch.examples[begin, end), without gradients (validation).
  virtual double loss(const Minibatch& batch, std::int64_t begin, std::int64_t end) = 0;
};

}  // namespace nsbi::train
