#pragma once
// What every conditional normalizing flow here shares: fixed z-scoring of y and of the context
// in front, a standard-normal base, and sampling by inverting the flow.
//
// A flow maps u_0 = (y − μ)/σ through K autoregressive transforms, each followed by a reversal
// of the feature order, u_{k+1} = reverse(f_k(u_k; c)), and
//   log q(y | c) = log N(u_K; 0, I) + Σ_k log |det ∂f_k/∂u_k| − Σ_i log σ_i.
#include <memory>

#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

template <typename T>
class NormalizingFlow : public ConditionalDensityEstimator<T> {
 public:
  int target_dim() const override { return dim_; }
  int context_dim() const override { return context_dim_; }
  ParameterBuffer<T>& parameters() override { return *params_; }
  const Standardizer& y_standardizer() const { return y_std_; }
  const Standardizer& c_standardizer() const { return c_std_; }

  /// z ~ N(0, I) from `rng` (column by column), mapped back: y = inverse(z, c).
  Mat<T> sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) override;

  /// The forward map y → u_K (D×N) in standardised units, for structural tests.
  Mat<T> transform(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c);
  /// Its inverse u_K → y, for the same context columns.
  Mat<T> inverse(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c);

 protected:
  NormalizingFlow(int dim, int context_dim, Standardizer y_standardizer, Standardizer c_standardizer);

  /// u_0 = (y − μ)/σ and cz = the standardised context, into the given workspaces; log_det is
  /// set to the z-scoring term −Σ log σ for every column.
  void standardize(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Mat<T>& u0, Mat<T>& cz,
                   Vec<T>& log_det) const;
  /// out = log N(u_K; 0, I) + log_det, per column.
  static void base_log_prob(const Mat<T>& u_K, const Vec<T>& log_det, Eigen::Ref<Vec<T>> out);
  /// u_K of the last log_prob call.
  virtual const Mat<T>& base_point() const = 0;
  virtual int transforms() const = 0;
  /// Solves v = f_k(u; cz) for u (D×N), the standardised context cz given.
  virtual void invert_transform(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) = 0;

  int dim_, context_dim_;
  Standardizer y_std_, c_std_;
  std::unique_ptr<ParameterBuffer<T>> params_;
};

}  // namespace nsbi::nn
