#pragma once
// The classifier of neural ratio estimation: one logit d(θ, x) per pair, trained so that
// d(θ, x) ≈ log p(x | θ) / p(x) (NRE-A, Hermans et al. 2019), the same up to a function of x
// (NRE-B, Durkan et al. 2020), or log p(x | θ) / p(x | θ_ref) (CARL, Cranmer et al. 2015); the
// losses live in train/ratio_losses.hpp.
//
// With u = (θ − m_θ)/σ_θ and v = (x − m_x)/σ_x (fixed z-scoring, fitted by the caller) and the
// input [u; v] (Dθ + Dx):
//   "resnet" (sbi's build_resnet_classifier = nflows' ResidualNet, no batch norm, no dropout):
//     t_0     = W_0 [u; v] + b_0                               (hidden units)
//     t_{k+1} = t_k + W_k2 ReLU(W_k1 ReLU(t_k) + b_k1) + b_k2   (k < blocks)
//     d       = w_outᵀ t_blocks + b_out
//   "mlp" (sbi's build_mlp_classifier):
//     d = w_outᵀ ReLU(W_1 ReLU(W_0 [u; v] + b_0) + b_1) + b_out   (two hidden layers; `blocks` unused)
//
// W_0 is kept as two blocks, W_0 [u; v] = W_θ u + W_x v, so that many θ against one fixed x
// (the MCMC potential θ ↦ d(θ, x_o)) cost W_x v + b_0 once: forward() accepts x with a single
// column and broadcasts it.
//
// With an embedding network (EmbeddingSpec type ≠ "none"), v is replaced by its features
// f = embed(v) (features rows) in W_x f, trained jointly; the embedding's layers follow the
// classifier's in the buffer, with weights from RandomStream(seed, initialization,
// kEmbeddingStream, 0). A broadcast x is embedded once.
//
// Initialisation from RandomStream(seed, initialization, 0, 0), layer by layer in the order
// above: PyTorch's default U(−1/√fan_in, 1/√fan_in) for weights and biases (fan_in = Dθ + Dx for
// both blocks of W_0), except that each residual block's last layer (W_k2, b_k2) is
// U(−1e-3, 1e-3), nflows' zero_initialization, so every block starts near the identity (with an
// embedding, fan_in = Dθ + features).
#include <cstdint>
#include <memory>
#include <vector>

#include "nsbi/nn/embedding_registry.hpp"
#include "nsbi/nn/linear.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

enum class RatioArchitecture { resnet, mlp };

struct RatioClassifierOptions {
  RatioArchitecture architecture = RatioArchitecture::resnet;
  int hidden = 50;  // units of every hidden layer
  int blocks = 2;   // residual blocks (resnet only)
};

template <typename T>
class RatioClassifier {
 public:
  /// theta_dim = Dθ ≥ 1, x_dim = Dx ≥ 1; the standardizers have those dimensions. Throws
  /// ConfigError for a dimension, hidden or blocks (resnet) below 1, ShapeError for a
  /// standardizer of another dimension.
  RatioClassifier(int theta_dim, int x_dim, const RatioClassifierOptions& options, std::uint64_t seed,
                  Standardizer theta_std, Standardizer x_std, const EmbeddingSpec& embedding = {});

  static constexpr std::uint32_t kEmbeddingStream = 0x454d;  // the round index of the embedding's weights

  int theta_dim() const { return theta_dim_; }
  int x_dim() const { return x_dim_; }
  const RatioClassifierOptions& options() const { return options_; }
  const Standardizer& theta_standardizer() const { return theta_std_; }
  const Standardizer& x_standardizer() const { return x_std_; }
  ParameterBuffer<T>& parameters() { return *params_; }
  const ParameterBuffer<T>& parameters() const { return *params_; }

  /// out(n) = d(θ_n, x_n) for theta (Dθ×N) and x (Dx×N), or d(θ_n, x) for every n when x is
  /// Dx×1; raw (un-standardised) units; out has N entries. Keeps what backward() needs. Throws
  /// ShapeError for inputs of other sizes.
  void forward(const Eigen::Ref<const Mat<T>>& theta, const Eigen::Ref<const Mat<T>>& x, Eigen::Ref<Vec<T>> out);
  /// Given g_n = d(loss)/d(out(n)) for the last forward call, adds d(loss)/d(params) to
  /// parameters().grads().
  void backward(const Eigen::Ref<const Vec<T>>& g);
  /// The embedding's data-dependent initialisation (EmbeddingNet::calibrate) from training x
  /// (Dx×N, raw units), once before the first training; nothing without an embedding.
  void calibrate_x(const Eigen::Ref<const Mat<T>>& x);

 private:
  bool residual() const { return options_.architecture == RatioArchitecture::resnet; }

  int theta_dim_, x_dim_;
  RatioClassifierOptions options_;
  Standardizer theta_std_, x_std_;
  std::unique_ptr<ParameterBuffer<T>> params_;  // on the heap: the layers point into it, moves keep it
  Linear<T> theta_in_, x_in_;                   // W_θ with b_0, and W_x without a bias
  std::vector<Linear<T>> inner_, outer_;        // W_k1 and W_k2 per block; mlp: inner_ = {W_1}
  Linear<T> out_;
  std::unique_ptr<EmbeddingNet<T>> embed_;      // null without an embedding
  // The input of W_x: v, or its features f with an embedding.
  const Mat<T>& x_input() const { return embed_ ? f_ : v_; }
  // Workspace of the last forward, for backward: the z-scored inputs u and v (v has one column
  // when it was broadcast), the residual stream t_0..t_blocks (mlp: t_0), the ReLU outputs
  // a_[2k] = ReLU(t_k) and a_[2k+1] = ReLU(W_k1 a_[2k] + b_k1), and gradient buffers.
  Mat<T> u_, v_, wx_, f_, df_;  // f_: the features of v_ (with an embedding), df_ their gradient
  std::vector<Mat<T>> t_, a_;
  Mat<T> d_, dh_, da_, logits_;
};

}  // namespace nsbi::nn
