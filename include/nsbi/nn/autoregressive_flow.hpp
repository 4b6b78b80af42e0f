#pragma once
// What MAF and NSF share: K autoregressive transforms, each conditioned by its own MADE on the
// preceding features and the context, reversal permutations between them, fixed z-scoring of y
// and of the context in front, a standard-normal base, and sampling by inverting the flow.
//
// With u_0 = (y − μ)/σ and u_{k+1} = reverse(f_k(u_k; MADE_k(u_k, c))),
//   log q(y | c) = log N(u_K; 0, I) + Σ_k log |det ∂f_k/∂u_k| − Σ_i log σ_i.
// A concrete flow supplies f_k (log_prob, backward) and its feature-by-feature inverse.
//
// FlowOrder::random gives MADE_k an autoregressive order drawn from RandomStream(seed,
// initialization, kOrderStream, k) on top of the reversal: each transform then sees its features
// in a uniformly random order, as sbi's MAF with a RandomPermutation after every transform (a
// permutation never changes the density, only which features condition which).
#include <memory>
#include <string>
#include <vector>

#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/nn/made.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

/// How the transforms order the features: `reverse` (MADE in feature order, the features
/// reversed between transforms) or `random` (see above).
enum class FlowOrder { reverse, random };
/// "reverse" or "random"; throws ConfigError naming `key` otherwise.
FlowOrder flow_order_from(const std::string& name, const std::string& key);

template <typename T>
class AutoregressiveFlow : public ConditionalDensityEstimator<T> {
 public:
  int target_dim() const override { return dim_; }
  int context_dim() const override { return context_dim_; }
  ParameterBuffer<T>& parameters() override { return *params_; }
  const Standardizer& y_standardizer() const { return y_std_; }
  const Standardizer& c_standardizer() const { return c_std_; }

  /// backward(g) with the MADEs' context gradients summed into dcz_, then dc = dcz_ / σ_c.
  void backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) override;

  /// z ~ N(0, I) from `rng` (column by column), mapped back: y = inverse(z, c).
  Mat<T> sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) override;

  /// The forward map y → u_K (D×N) in standardised units, for structural tests.
  Mat<T> transform(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c);
  /// Its inverse u_K → y, for the same context columns.
  Mat<T> inverse(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c);

 protected:
  /// `transforms` MADEs with `hidden` units and `outputs_per_dim` outputs per feature, all in
  /// one parameter buffer; weights drawn from RandomStream(seed, initialization, 0, 0).
  /// `order`: see FlowOrder.
  AutoregressiveFlow(int dim, int context_dim, int transforms, int hidden, int outputs_per_dim, std::uint64_t seed,
                     Standardizer y_standardizer, Standardizer c_standardizer, FlowOrder order = FlowOrder::reverse);
  static constexpr std::uint32_t kOrderStream = 0x4f52;  // the round index of the order streams

  int transforms() const { return static_cast<int>(mades_.size()); }
  /// u_[0] = (y − μ)/σ and cz_ = the standardised context; log_det_ is set to the z-scoring term
  /// −Σ log σ for every column.
  void standardize(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c);
  /// out = log N(u_K; 0, I) + log_det_, per column.
  void base_log_prob(Eigen::Ref<Vec<T>> out) const;
  /// Solves v = f_k(u; cz) for u (D×N), the standardised context cz given.
  virtual void invert_transform(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) = 0;
  /// Where MADE k's backward adds d(loss)/d(cz): dcz_ inside backward_with_context, else nowhere.
  Mat<T>* context_grad() { return context_grad_ ? &dcz_ : nullptr; }

  int dim_, context_dim_;
  Standardizer y_std_, c_std_;
  std::unique_ptr<ParameterBuffer<T>> params_;
  std::vector<Made<T>> mades_;
  // Workspace of the last log_prob / backward: inputs u_k of each transform (K+1 entries), the
  // standardised context, the log-determinant, and buffers of the backward pass.
  std::vector<Mat<T>> u_;
  Mat<T> cz_, v_, du_, dv_, dout_, du_net_;
  Vec<T> log_det_;
  Mat<T> dcz_;  // d(loss)/d(cz), summed over the transforms (backward_with_context)
  bool context_grad_ = false;
};

}  // namespace nsbi::nn
