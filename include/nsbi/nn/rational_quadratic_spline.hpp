#pragma once
// Monotone rational-quadratic splines with linear tails (Durkan, Bekasov, Murray & Papamakarios,
// "Neural Spline Flows", 2019; Gregory & Delbourgo 1982), as nflows implements them for sbi's NSF,
// applied elementwise to a block of D features × N columns.
//
// On [−B, B] each map g is a monotone rational-quadratic function with K bins; outside it is the
// identity (the boundary slopes are fixed at 1, so g is C¹). Each feature's spline takes
// P = 3K − 1 unconstrained values; a parameter block is P·D × N, parameter-major (row j·D + i is
// parameter j of feature i, the layout of a MADE output), ordered [widths (K); heights (K);
// slopes (K − 1)]:
//   w = m_w + (1 − K·m_w)·softmax(s·raw_w),  knots x_j = −B + 2B·Σ_{l<j} w_l   (x_0 = −B, x_K = B)
//   h likewise with m_h → knots y_j;         δ_j = m_δ + softplus(raw_δ_{j−1}), δ_0 = δ_K = 1
// (s = raw_scale, 1/√hidden in nflows' autoregressive spline). In bin k with
// ξ = (x − x_k)/Δx_k, σ = Δy_k/Δx_k:
//   g(x) = y_k + Δy_k (σξ² + δ_k ξ(1−ξ)) / (σ + (δ_k + δ_{k+1} − 2σ) ξ(1−ξ))
//   g'(x) = σ² (δ_{k+1}ξ² + 2σξ(1−ξ) + δ_k(1−ξ)²) / (σ + (δ_k + δ_{k+1} − 2σ) ξ(1−ξ))²
// and the inverse solves a quadratic in ξ in closed form.
//
// The transcendental work (softmax, softplus, sigmoid, log) runs as vectorised Eigen array
// operations over the whole block; only the bin search and the rational function are per element.
// Workspaces are resized only when the block shape changes.
#include <cmath>

#include "nsbi/nn/tensor.hpp"

namespace nsbi::nn {

struct RqSplineOptions {
  int bins = 10;
  double tail_bound = 3.0;
  double min_bin_width = 1e-3;
  double min_bin_height = 1e-3;
  double min_derivative = 1e-3;
  double raw_scale = 1.0;  // raw widths and heights are multiplied by this before the softmax
};

/// nflows' spline of a flow whose conditioner has `hidden` units: raw widths and heights scaled
/// by 1/√hidden before the softmax, nflows' minima.
inline RqSplineOptions conditioned_spline_options(int bins, double tail_bound, int hidden) {
  RqSplineOptions s;
  s.bins = bins;
  s.tail_bound = tail_bound;
  s.raw_scale = 1.0 / std::sqrt(static_cast<double>(hidden));
  return s;
}

/// The knots of a block of splines (from RationalQuadraticSpline::knots), kept for backward.
/// Stored sample-major, so that the vectorised passes run along the batch: row n, column j·D + i
/// holds knot (or bin) j of feature i for column n of the block.
template <typename T>
struct SplineKnots {
  Mat<T> raw;             // N × P·D, the raw parameters transposed
  Mat<T> prob_w, prob_h;  // N × K·D, the softmax outputs
  Mat<T> x, y, d;         // N × (K+1)·D, knot positions and slopes
  Mat<T> sig;             // N × (K−1)·D, dδ/draw = sigmoid(raw slope)
  Mat<T> work, work2;     // scratch
  Mat<T> d_raw;           // N × P·D, backward's result before the transpose
};

template <typename T>
class RationalQuadraticSpline {
 public:
  /// Throws ConfigError for bins < 1, a non-positive tail bound or minima that leave no room
  /// (K·min ≥ 1).
  explicit RationalQuadraticSpline(const RqSplineOptions& options);

  /// Raw parameters per feature, 3·bins − 1.
  static int params_per_dim(int bins) { return 3 * bins - 1; }
  int params_per_dim() const { return params_per_dim(K_); }

  /// Knots of the splines given raw parameters (P·D × N).
  void knots(const Eigen::Ref<const Mat<T>>& raw, SplineKnots<T>& k) const;
  /// v = g(u) elementwise (u, v: D × N; may alias) and log_det(n) += Σ_i log g'_i(u(i, n)).
  void forward(const Eigen::Ref<const Mat<T>>& u, SplineKnots<T>& k, Eigen::Ref<Mat<T>> v,
               Eigen::Ref<Vec<T>> log_det) const;
  /// Row `feature` of x = g⁻¹(z) (z, x: D × N; only that row of x is written).
  void inverse_feature(int feature, const Eigen::Ref<const Mat<T>>& z, const SplineKnots<T>& k,
                       Eigen::Ref<Mat<T>> x) const;
  /// Given gv = dL/dv (D × N) and gl(n) = dL/d(Σ_i log g'_i) for the knots of the last forward at
  /// u: d_raw (P·D × N) = dL/d(raw parameters), du (D × N) = dL/du along the direct path.
  /// du may alias gv.
  void backward(const Eigen::Ref<const Mat<T>>& u, SplineKnots<T>& k, const Eigen::Ref<const Mat<T>>& gv,
                const Eigen::Ref<const Vec<T>>& gl, Eigen::Ref<Mat<T>> d_raw, Eigen::Ref<Mat<T>> du) const;

 private:
  void softmax_knots(const Eigen::Ref<const Mat<T>>& raw_t, int D, T min_size, Mat<T>& prob, Mat<T>& knot,
                     Mat<T>& work, Mat<T>& work2) const;
  int bin_of(const T* knot, Eigen::Index stride, T v) const;

  int K_;
  T B_, min_w_, min_h_, min_d_, scale_;
};

}  // namespace nsbi::nn
