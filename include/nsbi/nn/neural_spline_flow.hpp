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
#include <vector>

#include "nsbi/nn/autoregressive_flow.hpp"
#include "nsbi/nn/rational_quadratic_spline.hpp"

namespace nsbi::nn {

struct NsfOptions {
  int transforms = 5;
  int hidden = 50;
  int bins = 10;
  double tail_bound = 3.0;  // in z-scored units
  FlowOrder order = FlowOrder::reverse;
};

template <typename T>
class NeuralSplineFlow final : public AutoregressiveFlow<T> {
 public:
  /// Weights are drawn from RandomStream(seed, initialization, 0, 0).
  NeuralSplineFlow(int dim, int context_dim, const NsfOptions& options, std::uint64_t seed,
                   Standardizer y_standardizer, Standardizer c_standardizer);

  const NsfOptions& options() const { return options_; }

  void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  void backward(const Eigen::Ref<const Vec<T>>& g) override;

 private:
  using Base = AutoregressiveFlow<T>;
  using Base::dim_, Base::mades_, Base::u_, Base::cz_, Base::v_, Base::du_, Base::dv_, Base::dout_, Base::du_net_,
      Base::log_det_;
  // Solves v = g(u; MADE(u, cz)) for u, one feature at a time in degree order.
  void invert_transform(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) override;

  NsfOptions options_;
  RationalQuadraticSpline<T> spline_;
  std::vector<SplineKnots<T>> knots_;  // per transform, from the last log_prob
  SplineKnots<T> inverse_knots_;
};

}  // namespace nsbi::nn
