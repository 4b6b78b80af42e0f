#pragma once
// Mixture density network with full covariances (Bishop 1994), the estimator of SNPE-A
// (Papamakarios & Murray 2016) and of sbi's "mdn" (pyknos MultivariateGaussianMDN):
//
//   q(y | c) = Σ_k α_k(c) N(y; μ_k(c), Λ_k(c)⁻¹),   Λ_k = U_kᵀ U_k,
//
// U_k upper triangular with diagonal exp(a_k) (a_k unconstrained) and a free strict upper triangle.
// With u = (y − m)/σ (fixed z-scoring of y) and cz the z-scored context:
//   h = tanh(W2 tanh(W1 cz + b1) + b2)   (2 hidden layers of `hidden` units, tanh)
//   [logits; means; factors] = W3 h + b3 (one head layer, K·(1 + D + D(D+1)/2) rows)
//   log N(u; μ, Λ⁻¹) = −(D/2) log 2π + Σ_i a_i − ½‖U(u − μ)‖²,
//   log q(y | c) = logsumexp_k (log softmax(logits)_k + log N(u; μ_k, Λ_k⁻¹)) − Σ_i log σ_i.
//
// Rows of the head: logits 0..K−1; mean i of component k at K + k·D + i; factor entry p of
// component k at K + K·D + k·P + p (P = D(D+1)/2), where p < D is the log-diagonal a_p and
// p = D + j(j−1)/2 + i is U_ij for i < j (strict upper triangle, column by column).
//
// Initialisation (pyknos' "near-uniform weights, near-unit covariances"): hidden layers and the
// means' rows with PyTorch's default from RandomStream(seed, initialization, 0, 0), then the
// logits' and factors' rows (weights and biases) set to 0.01·N(0, 1) from stream index 1, so
// α ≈ 1/K and Λ ≈ I in z-scored units at the start.
#include <cstdint>

#include "nsbi/core/gaussian_mixture.hpp"
#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/nn/mlp.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

struct MdnOptions {
  int components = 10;
  int hidden = 50;
};

template <typename T>
class MixtureDensityNetwork final : public ConditionalDensityEstimator<T> {
 public:
  /// dim = D (y), context_dim = C (c ≥ 1).
  MixtureDensityNetwork(int dim, int context_dim, const MdnOptions& options, std::uint64_t seed,
                        Standardizer y_standardizer, Standardizer c_standardizer);

  int target_dim() const override { return dim_; }
  int context_dim() const override { return context_dim_; }
  int components() const { return options_.components; }
  const MdnOptions& options() const { return options_; }
  ParameterBuffer<T>& parameters() override { return net_.parameters(); }
  const ParameterBuffer<T>& parameters() const { return net_.parameters(); }
  const Standardizer& y_standardizer() const { return y_std_; }
  const Standardizer& c_standardizer() const { return c_std_; }

  void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  void backward(const Eigen::Ref<const Vec<T>>& g) override;
  void backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) override;
  /// Draws from mixture(c) (GaussianMixture::sample), cast to T. Like mixture(), it runs the
  /// network and so replaces what the last log_prob kept for backward.
  Mat<T> sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) override;

  /// q(· | c) for one raw context c (C) as a mixture in RAW y units: with S = diag(σ),
  /// means m + S μ_k and covariances S (U_kᵀU_k)⁻¹ S; log weights log softmax(logits).
  GaussianMixture mixture(const Eigen::Ref<const Vec<T>>& c);

  /// A `components`-component network initialised from this one-component network (the SNPE-A
  /// final round, paper §2.4): the hidden layers are copied, every component's head rows are
  /// copies of the single component's (equal logits, so α_k = 1/K), and the means' biases get
  /// jitter·N(0, 1) in z-scored units from RandomStream(seed, initialization, 0, 2). With
  /// jitter = 0 the density is unchanged. Throws ConfigError if this network has K ≠ 1.
  MixtureDensityNetwork expand(int components, std::uint64_t seed, double jitter = 0.1) const;

 private:
  // Number of factor entries per component, D(D+1)/2, and the offset of U_ij (i < j) after the diagonal.
  int factor_size() const { return dim_ * (dim_ + 1) / 2; }
  static int upper(int i, int j) { return j * (j - 1) / 2 + i; }
  // Head row offsets of the three blocks.
  int mean_row(int k) const { return options_.components + k * dim_; }
  int factor_row(int k) const { return options_.components * (1 + dim_) + k * factor_size(); }
  // cz_ = z-scored c, then the network's forward pass; returns the head outputs.
  const Mat<T>& run_network(const Eigen::Ref<const Mat<T>>& c);
  // backward's work; returns d(loss)/d(cz) (C×N).
  const Mat<T>& backward_network(const Eigen::Ref<const Vec<T>>& g);

  int dim_, context_dim_;
  MdnOptions options_;
  Standardizer y_std_, c_std_;
  Mlp<T> net_;  // cz → heads; owns the flat parameter buffer
  // Workspace of the last log_prob, for backward: z-scored inputs, log α (K×N), responsibilities
  // r_k = α_k N_k / q (K×N), e_k = u − μ_k and z_k = U_k e_k (K·D×N), and the head gradient.
  Mat<T> cz_, u_, log_alpha_, resp_, e_, z_, d_heads_;
};

}  // namespace nsbi::nn
