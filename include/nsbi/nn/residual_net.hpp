#pragma once
// nflows' ResidualNet with a context, the conditioner of sbi's coupling spline flow: for input
// a (A×N) and context c (C×N),
//   h_0     = W_a a + W_c c + b_0                                 (hidden units)
//   h_{k+1} = h_k + (V_k2 ReLU(V_k1 ReLU(h_k) + e_k1) + e_k2) ⊙ sigmoid(G_k c + f_k)
//   out     = W_out h_blocks + b_out
// (the gate is nflows' F.glu of the block's output and its context layer; with C = 0 the gate
// is omitted, as nflows does without a context). A may be 0: the net is then a function of the
// context alone (a one-dimensional coupling flow's only transform).
//
// Initialisation from the caller's stream, layer by layer in the order above: PyTorch's default
// U(−1/√fan_in, 1/√fan_in), fan_in = A + C for both blocks of the first layer, except each
// block's last layer (V_k2, e_k2), U(−1e-3, 1e-3), nflows' zero_initialization: every block
// starts near the identity.
#include <vector>

#include "nsbi/core/random.hpp"
#include "nsbi/nn/linear.hpp"

namespace nsbi::nn {

template <typename T>
class ResidualNet {
 public:
  /// Registers the layers in `params`. Throws ConfigError for hidden or blocks below 1 or an
  /// input with neither features nor context.
  ResidualNet(ParameterBuffer<T>& params, int in, int context_dim, int hidden, int out, int blocks);

  int in() const { return in_; }
  int hidden() const { return hidden_; }
  void init(RandomStream& rng);

  /// out() = the net at (a, c); keeps the activations for backward.
  void forward(const Eigen::Ref<const Mat<T>>& a, const Eigen::Ref<const Mat<T>>& c);
  const Mat<T>& output() const { return out_; }

  /// d_out = d(loss)/d out: adds the parameter gradients, writes d(loss)/da into da (A×N) and,
  /// with dc, adds d(loss)/dc into *dc (C×N).
  void backward(const Eigen::Ref<const Mat<T>>& d_out, Eigen::Ref<Mat<T>> da, Mat<T>* dc = nullptr);

 private:
  struct Block {
    Linear<T> first, second, gate;
  };
  int in_, context_dim_, hidden_;
  Linear<T> in_a_, in_c_, out_layer_;
  std::vector<Block> blocks_;
  // Workspace of the last forward: h_k (blocks + 1), ReLU(h_k), the first layer's ReLU output,
  // the second layer's output before the gate and the gate, per block.
  Mat<T> a_, c_;
  std::vector<Mat<T>> h_, r_, s_, t_, g_;
  Mat<T> out_, dh_, dt_, ds_, dr_, dgate_;
};

}  // namespace nsbi::nn
