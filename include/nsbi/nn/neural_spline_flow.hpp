#pragma once
// Conditional autoregressive neural spline flow, "RQ-NSF (AR)" of Durkan, Bekasov, Murray &
// Papamakarios 2019: K transforms, each a monotone rational-quadratic spline per feature whose
// 3·bins − 1 parameters come from a MADE (2 hidden layers, tanh) of the preceding features and
// the context, with linear (identity) tails outside [−B, B], reversal permutations between
// transforms, a standard-normal base and fixed z-scoring of y and of the context in front.
// Widths and heights enter the softmax divided by √hidden, as in nflows.
//
// With u_0 = (y − μ)/σ, v_k = g_k(u_k; MADE_k(u_k, c)) elementwise and u_{k+1} = reverse(v_k),
//   log q(y | c) = log N(u_K; 0, I) + Σ_k Σ_i log g'_{k,i}(u_{k,i}) − Σ_i log σ_i.
// Unlike an affine MAF, a spline can bend the density sharply, e.g. follow the edge of a
// box-bounded posterior. Sampling inverts each transform feature by feature (D MADE passes).
#include <memory>
#include <vector>

#include "nsbi/nn/made.hpp"
#include "nsbi/nn/normalizing_flow.hpp"
#include "nsbi/nn/rational_quadratic_spline.hpp"

namespace nsbi::nn {

struct NsfOptions {
  int transforms = 5;
  int hidden = 50;
  int bins = 10;
  double tail_bound = 3.0;  // in z-scored units
};

template <typename T>
class NeuralSplineFlow final : public NormalizingFlow<T> {
 public:
  /// Weights are drawn from RandomStream(seed, initialization, 0, 0).
  NeuralSplineFlow(int dim, int context_dim, const NsfOptions& options, std::uint64_t seed,
                   Standardizer y_standardizer, Standardizer c_standardizer);

  const NsfOptions& options() const { return options_; }

  void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  void backward(const Eigen::Ref<const Vec<T>>& g) override;

 private:
  using NormalizingFlow<T>::dim_;
  using NormalizingFlow<T>::context_dim_;
  const Mat<T>& base_point() const override { return u_.back(); }
  int transforms() const override { return static_cast<int>(mades_.size()); }
  // Solves v = g(u; MADE(u, cz)) for u, one feature at a time in degree order.
  void invert_transform(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) override;

  NsfOptions options_;
  RationalQuadraticSpline<T> spline_;
  std::vector<Made<T>> mades_;
  // Workspace: inputs u_k of each transform (K+1 entries) and backward buffers.
  Mat<T> cz_, v_, du_, dv_, dout_, du_net_;
  SplineKnots<T> inverse_knots_;
  std::vector<Mat<T>> u_;
  std::vector<SplineKnots<T>> knots_;  // per transform, from the last log_prob
  Vec<T> log_det_;
};

}  // namespace nsbi::nn
