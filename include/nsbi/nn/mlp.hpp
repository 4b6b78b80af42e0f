#pragma once
// Multi-layer perceptron: Linear → activation → … → Linear, one flat parameter buffer (its own,
// or a block of a larger network's). Used by the C2ST classifier, the ratio-estimation
// classifiers and the embedding networks.
#include <memory>
#include <vector>

#include "nsbi/nn/linear.hpp"

namespace nsbi::nn {

enum class Activation { relu, tanh };

template <typename T>
class Mlp {
 public:
  /// sizes = {in, hidden..., out}. Weights from RandomStream(seed, initialization, 0, 0):
  /// Glorot uniform (√(6/(fan_in+fan_out)), as scikit-learn) when glorot, else PyTorch's default.
  Mlp(std::vector<int> sizes, Activation activation, std::uint64_t seed, bool glorot = false);
  /// The same with its layers registered in `params` (a part of a larger network), weights
  /// drawn with PyTorch's default from `rng`.
  Mlp(ParameterBuffer<T>& params, std::vector<int> sizes, Activation activation, RandomStream& rng);

  ParameterBuffer<T>& parameters() { return *params_; }
  const ParameterBuffer<T>& parameters() const { return *params_; }
  const std::vector<int>& sizes() const { return sizes_; }
  /// Layer l (0-based), for networks that initialise or copy their layers themselves.
  Linear<T>& layer(std::size_t l) { return layers_[l]; }
  const Linear<T>& layer(std::size_t l) const { return layers_[l]; }

  /// X (in×N) → output (out×N); keeps activations for backward.
  const Mat<T>& forward(const Eigen::Ref<const Mat<T>>& X);
  /// The output of the last forward (out×N).
  const Mat<T>& output() const { return a_.back(); }
  /// d_out (out×N) for the last forward: adds parameter gradients; returns d(loss)/dX.
  const Mat<T>& backward(const Eigen::Ref<const Mat<T>>& d_out);
  /// Σ of squared weights (not biases), for an L2 penalty, and its gradient added with factor.
  double weight_square_sum() const;
  void add_weight_decay_grad(T factor);  // grads_W += factor · W

 private:
  void add_layers();  // registers the layers of sizes_ in *params_
  std::vector<int> sizes_;
  Activation act_;
  std::unique_ptr<ParameterBuffer<T>> owned_;  // null when the layers live in another network's buffer
  ParameterBuffer<T>* params_;
  std::vector<Linear<T>> layers_;
  std::vector<Mat<T>> a_;   // a_[0] = input, a_[l] = activation output of layer l
  std::vector<Mat<T>> d_;   // gradient workspace
};

}  // namespace nsbi::nn
