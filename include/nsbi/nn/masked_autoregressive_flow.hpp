#pragma once
// Conditional masked autoregressive flow (Papamakarios, Pavlakou & Murray 2017), the `sbi`
// default "maf": K MADE transforms with reversal permutations between them, a standard-normal
// base, and fixed z-scoring of y and of the context in front.
//
// Transform k maps u_k to u_{k+1} = P·(u_k − m_k(u_k, c)) / s_k(u_k, c), where P reverses the
// order of the features and s comes from the MADE's unconstrained output a by MafScale:
//   sigmoid:  s = sigmoid(a + 2) + 1e-3 (the PyTorch peer's and nflows' first choice): 0.001 <
//             s < 1.001, so each step can only narrow the density. A density wider than the
//             z-scored unit (an x given θ whose spread exceeds the marginal's: NLE on slcp) is
//             out of reach; the flow's entropy is at most the standard normal's.
//   softplus: s = 1/(softplus(a + c) + 1e-3), c = log(e − 1) (nflows' later choice, v =
//             (softplus(a) + ε)·(u − m), shifted so that a = 0 is the identity instead of a
//             1.44-fold widening): 0 < s < 1000, so a step narrows or widens.
// With y_z = (y − μ)/σ,
//   log q(y | c) = log N(u_K; 0, I) − Σ_k Σ_i log s_{k,i} − Σ_i log σ_i.
#include "nsbi/nn/autoregressive_flow.hpp"

namespace nsbi::nn {

enum class MafScale { sigmoid, softplus };
/// "sigmoid" or "softplus"; throws ConfigError naming `key` otherwise.
MafScale maf_scale_from(const std::string& name, const std::string& key);

struct MafOptions {
  int transforms = 5;
  int hidden = 50;
  FlowOrder order = FlowOrder::reverse;
  MafScale scale = MafScale::sigmoid;
};

template <typename T>
class MaskedAutoregressiveFlow final : public AutoregressiveFlow<T> {
 public:
  /// Weights are drawn from RandomStream(seed, initialization, 0, 0).
  MaskedAutoregressiveFlow(int dim, int context_dim, const MafOptions& options, std::uint64_t seed,
                           Standardizer y_standardizer, Standardizer c_standardizer);

  const MafOptions& options() const { return options_; }

  void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  void backward(const Eigen::Ref<const Vec<T>>& g) override;
  /// The inference path: the same map in the batch-major layout (N×D), where the element-wise
  /// steps run on whole contiguous columns instead of D-row slices (D = 2 leaves AVX lanes
  /// empty in the feature-major layout), and nothing is kept for backward.
  void evaluate(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;

 private:
  using Base = AutoregressiveFlow<T>;
  using Base::dim_, Base::mades_, Base::u_, Base::cz_, Base::v_, Base::du_, Base::dv_, Base::dout_, Base::du_net_,
      Base::log_det_;
  // Solves v = (u − m(u))/s(u) for u, one feature at a time in degree order.
  void invert_transform(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) override;
  static constexpr T kScaleEps = T(1e-3);
  static constexpr T kSoftplusShift = T(0.5413248546129181);  // log(e − 1): softplus(c) = 1
  // s of the unconstrained output a (see MafScale), and ds/da from s.
  void scale_from(const Eigen::Ref<const Mat<T>>& a, Mat<T>& s) const;
  void scale_derivative(const Mat<T>& s, Mat<T>& ds) const;

  MafOptions options_;
  std::vector<Mat<T>> s_;  // the scales of each transform, from the last log_prob
  Mat<T> ds_;              // backward's ds/da
  Mat<T> bu_, bc_, bo_, bs_, bv_;  // batch-major workspace of evaluate: u, context, MADE output, s, v
  Vec<T> blog_det_;
};

}  // namespace nsbi::nn
