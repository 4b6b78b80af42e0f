#pragma once
// Conditional coupling neural spline flow, "RQ-NSF (C)" of Durkan, Bekasov, Murray & Papamakarios
// 2019, as sbi builds its default "nsf" (nflows' PiecewiseRationalQuadraticCouplingTransform
// followed by an LULinear, per transform). Estimator name "nsf_coupling".
//
// With u_0 = (y − μ)/σ (fixed z-scoring), transform k splits the features by an alternating mask:
// T_k = the even indices for even k and the odd ones for odd k are transformed, the others I_k
// pass unchanged and condition them. Then
//   v_k[I_k] = u_k[I_k],  v_k[T_k] = g_k(u_k[T_k]; ResidualNet_k(u_k[I_k], c))   (monotone RQ
//   splines with linear tails, 3·bins − 1 parameters per transformed feature; widths and heights
//   enter the softmax divided by √hidden, as in nflows),
//   u_{k+1} = L_k U_k v_k + b_k   (an invertible linear map: L unit lower triangular, U upper
//   triangular with diagonal softplus(d) + 1e-3, identity at initialisation; it mixes the
//   features, so no fixed permutation is needed),
//   log q(y | c) = log N(u_K; 0, I) + Σ_k [Σ_{i∈T_k} log g'_{k,i} + Σ_i log U_k,ii] − Σ_i log σ_i.
// ResidualNet: see residual_net.hpp (`blocks` context-gated residual blocks of `hidden` ReLU units).
// With D = 1 every transform's spline is conditioned on the context alone (I_k is empty).
//
// Against the autoregressive NSF: each transform is inverted in one pass (sampling costs K
// conditioner passes, not K·D), and the LU layers let every feature condition every other.
//
// The parameters of transform k (its net, then L/U/d as one D×D block M_k — strictly lower = L,
// strictly upper = U, diagonal = d — then b_k) are registered in order of k; the net's weights
// are drawn from RandomStream(seed, initialization, 0, 0) in that order.
#include <memory>
#include <vector>

#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/nn/rational_quadratic_spline.hpp"
#include "nsbi/nn/residual_net.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

struct CouplingNsfOptions {
  int transforms = 5;
  int hidden = 50;
  int bins = 10;
  double tail_bound = 3.0;  // in z-scored units
  int blocks = 2;           // residual blocks of each conditioner
};

template <typename T>
class CouplingSplineFlow final : public ConditionalDensityEstimator<T> {
 public:
  /// Throws ConfigError for dim < 1 or transforms < 1 (and the spline's and net's own checks).
  CouplingSplineFlow(int dim, int context_dim, const CouplingNsfOptions& options, std::uint64_t seed,
                     Standardizer y_standardizer, Standardizer c_standardizer);

  int target_dim() const override { return dim_; }
  int context_dim() const override { return context_dim_; }
  ParameterBuffer<T>& parameters() override { return *params_; }
  const CouplingNsfOptions& options() const { return options_; }

  void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  void backward(const Eigen::Ref<const Vec<T>>& g) override;
  void backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) override;
  /// z ~ N(0, I) from `rng` (column by column), mapped back: y = inverse(z, c).
  Mat<T> sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) override;

  /// The forward map y → u_K (D×N) in standardised units, for structural tests.
  Mat<T> transform(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c);
  /// Its inverse u_K → y, for the same context columns.
  Mat<T> inverse(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c);
  /// The linear map of transform k, L_k U_k (D×D), for tests.
  Mat<T> linear_map(int k) const;

 private:
  struct Transform {
    std::vector<int> identity, transformed;  // I_k and T_k, feature indices in ascending order
    ResidualNet<T> net;
    Eigen::Index lu = 0, bias = 0;  // offsets of M_k (D×D) and b_k (D) in the buffer
    SplineKnots<T> knots;           // of the last log_prob
    Mat<T> bt, db, d_raw, da;       // workspace: spline output, its gradients, d/d(identity features)
  };
  // L, U and diag(U) of transform k from its block M_k.
  void factors(const Transform& t, Mat<T>& L, Mat<T>& U, Vec<T>& diag) const;
  void backward_impl(const Eigen::Ref<const Vec<T>>& g, Mat<T>* dcz);

  int dim_, context_dim_;
  CouplingNsfOptions options_;
  Standardizer y_std_, c_std_;
  std::unique_ptr<ParameterBuffer<T>> params_;
  RationalQuadraticSpline<T> spline_;
  std::vector<Transform> transforms_;
  // Workspace of the last log_prob / backward: u_k (K+1), v_k (K), the gathered identity and
  // transformed features of each transform, and buffers of the backward pass (those whose shape
  // depends on the transform's mask live in Transform, so no buffer changes shape between steps).
  std::vector<Mat<T>> u_, v_, a_, b_;
  Mat<T> cz_, du_, dv_, dcz_, L_, U_, W_, dW_, dL_, dU_;
  Vec<T> log_det_, diag_;
};

}  // namespace nsbi::nn
