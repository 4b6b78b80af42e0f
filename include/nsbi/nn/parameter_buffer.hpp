#pragma once
// All parameters of a network live in one contiguous vector, and all gradients in another of
// the same layout (DESIGN.md §4). Layers register blocks while the network is built and view
// them through Eigen::Map afterwards, so Adam, the exact gradient allreduce and checkpoints
// each touch one vector.
#include <Eigen/Core>

#include "nsbi/nn/tensor.hpp"

namespace nsbi::nn {

template <typename T>
class ParameterBuffer {
 public:
  /// Reserves `count` parameters (zero-initialised) and returns their offset.
  Eigen::Index allocate(Eigen::Index count) {
    const Eigen::Index offset = values_.size();
    values_.conservativeResize(offset + count);
    values_.segment(offset, count).setZero();
    grads_.setZero(values_.size());
    return offset;
  }

  Eigen::Index size() const { return values_.size(); }
  Vec<T>& values() { return values_; }
  const Vec<T>& values() const { return values_; }
  Vec<T>& grads() { return grads_; }
  const Vec<T>& grads() const { return grads_; }
  void zero_grad() { grads_.setZero(); }

  /// rows×cols column-major view of the block at `offset`.
  Eigen::Map<Mat<T>> matrix(Eigen::Index offset, Eigen::Index rows, Eigen::Index cols) {
    return {values_.data() + offset, rows, cols};
  }
  Eigen::Map<const Mat<T>> matrix(Eigen::Index offset, Eigen::Index rows, Eigen::Index cols) const {
    return {values_.data() + offset, rows, cols};
  }
  Eigen::Map<Mat<T>> grad_matrix(Eigen::Index offset, Eigen::Index rows, Eigen::Index cols) {
    return {grads_.data() + offset, rows, cols};
  }

 private:
  Vec<T> values_;
  Vec<T> grads_;
};

}  // namespace nsbi::nn
