#pragma once
// Conditional masked autoregressive flow (Papamakarios, Pavlakou & Murray 2017), the `sbi`
// default "maf": K MADE transforms with reversal permutations between them, a standard-normal
// base, and fixed z-scoring of y and of the context in front.
//
// Transform k maps u_k to u_{k+1} = P·(u_k − m_k(u_k, c)) / s_k(u_k, c), where P reverses the
// order of the features and s = sigmoid(a + 2) + 1e-3 (as in nflows/sbi and the PyTorch peer),
// so each affine step can narrow the density (0.001 < s < 1.001). With y_z = (y − μ)/σ,
//   log q(y | c) = log N(u_K; 0, I) − Σ_k Σ_i log s_{k,i} − Σ_i log σ_i.
#include <memory>
#include <vector>

#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/nn/made.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

struct MafOptions {
  int transforms = 5;
  int hidden = 50;
};

template <typename T>
class MaskedAutoregressiveFlow final : public ConditionalDensityEstimator<T> {
 public:
  /// Weights are drawn from RandomStream(seed, initialization, 0, 0).
  MaskedAutoregressiveFlow(int dim, int context_dim, const MafOptions& options, std::uint64_t seed,
                           Standardizer y_standardizer, Standardizer c_standardizer);

  int target_dim() const override { return dim_; }
  int context_dim() const override { return context_dim_; }
  ParameterBuffer<T>& parameters() override { return *params_; }
  const MafOptions& options() const { return options_; }
  const Standardizer& y_standardizer() const { return y_std_; }
  const Standardizer& c_standardizer() const { return c_std_; }

  void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  void backward(const Eigen::Ref<const Vec<T>>& g) override;
  Mat<T> sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) override;

  /// The forward map y → u_K (D×N) in standardised units, for structural tests.
  Mat<T> transform(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c);
  /// Its inverse u_K → y, for the same context columns.
  Mat<T> inverse(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c);

 private:
  static constexpr T kScaleEps = T(1e-3);
  // s = sigmoid(a + 2) + eps
  static void scale_from(const Eigen::Ref<const Mat<T>>& a, Mat<T>& s);
  // Solves v = (u − m(u))/s(u) for u, one feature at a time in degree order.
  void invert_made(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u);

  int dim_, context_dim_;
  MafOptions options_;
  Standardizer y_std_, c_std_;
  std::unique_ptr<ParameterBuffer<T>> params_;
  std::vector<Made<T>> mades_;
  // Workspace: inputs u_k of each transform (K+1 entries), scales, and backward buffers.
  Mat<T> cz_;
  std::vector<Mat<T>> u_, s_;
  Mat<T> v_, du_, dv_, dout_, du_net_;
  Vec<T> log_det_;
};

}  // namespace nsbi::nn
