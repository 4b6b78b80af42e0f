#pragma once
// The embedding seam: a network that maps x (input_dim) to summary features (output_dim) in
// front of an estimator, trained jointly with it (sbi's `embedding_net`). Its layers live in the
// estimator's parameter buffer, so Adam, the exact allreduce and checkpoints see one vector.
#include "nsbi/nn/tensor.hpp"

namespace nsbi::nn {

template <typename T>
class EmbeddingNet {
 public:
  virtual ~EmbeddingNet() = default;

  virtual int input_dim() const = 0;
  virtual int output_dim() const = 0;
  /// x (input_dim×N) → features (output_dim×N); keeps what backward() needs.
  virtual const Mat<T>& forward(const Eigen::Ref<const Mat<T>>& x) = 0;
  /// d_features = d(loss)/d(features) (output_dim×N) of the last forward: adds d(loss)/d(params)
  /// to the buffer's gradients and returns d(loss)/dx (input_dim×N).
  virtual const Mat<T>& backward(const Eigen::Ref<const Mat<T>>& d_features) = 0;
  /// Data-dependent initialisation from the training x (input_dim×N, z-scored), once before the
  /// first training; the default does nothing.
  virtual void calibrate(const Eigen::Ref<const Mat<T>>& x) { (void)x; }
};

}  // namespace nsbi::nn
