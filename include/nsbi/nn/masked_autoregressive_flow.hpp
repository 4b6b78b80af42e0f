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

#include "nsbi/nn/made.hpp"
#include "nsbi/nn/normalizing_flow.hpp"

namespace nsbi::nn {

struct MafOptions {
  int transforms = 5;
  int hidden = 50;
};

template <typename T>
class MaskedAutoregressiveFlow final : public NormalizingFlow<T> {
 public:
  /// Weights are drawn from RandomStream(seed, initialization, 0, 0).
  MaskedAutoregressiveFlow(int dim, int context_dim, const MafOptions& options, std::uint64_t seed,
                           Standardizer y_standardizer, Standardizer c_standardizer);

  const MafOptions& options() const { return options_; }

  void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  void backward(const Eigen::Ref<const Vec<T>>& g) override;

 private:
  using NormalizingFlow<T>::dim_;
  using NormalizingFlow<T>::context_dim_;
  const Mat<T>& base_point() const override { return u_.back(); }
  int transforms() const override { return static_cast<int>(mades_.size()); }
  // Solves v = (u − m(u))/s(u) for u, one feature at a time in degree order.
  void invert_transform(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) override;
  static constexpr T kScaleEps = T(1e-3);
  // s = sigmoid(a + 2) + eps
  static void scale_from(const Eigen::Ref<const Mat<T>>& a, Mat<T>& s);

  MafOptions options_;
  std::vector<Made<T>> mades_;
  // Workspace: inputs u_k of each transform (K+1 entries), scales, and backward buffers.
  Mat<T> cz_;
  std::vector<Mat<T>> u_, s_;
  Mat<T> v_, du_, dv_, dout_, du_net_;
  Vec<T> log_det_;
};

}  // namespace nsbi::nn
