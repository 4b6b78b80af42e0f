#pragma once
// A training objective evaluated on one micro-shard of examples at a time. The trainer owns the
// batching, the exact reduction and the optimiser; a loss only knows how to compute
// Σ_{n∈shard} loss_n and add its gradient to the estimator's flat gradient buffer.
#include <cstdint>
#include <span>

#include "nsbi/nn/parameter_buffer.hpp"

namespace nsbi::train {

class ShardLoss {
 public:
  virtual ~ShardLoss() = default;
  virtual nn::ParameterBuffer<float>& parameters() = 0;
  /// Σ of the per-example loss over `examples` (indices into the training data); adds
  /// d(Σ loss)/d(params) to parameters().grads().
  virtual double loss_and_gradient(std::span<const std::int64_t> examples) = 0;
  /// Σ of the per-example loss, without gradients (validation).
  virtual double loss(std::span<const std::int64_t> examples) = 0;
};

}  // namespace nsbi::train
