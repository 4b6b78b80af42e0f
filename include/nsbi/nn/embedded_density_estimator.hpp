#pragma once
// q(y | embed(x)): an embedding network in front of a conditional density estimator, trained
// jointly (NPE with sbi's `embedding_net`). With x_z = (x − μ_x)/σ_x (fixed z-scoring of x) and
// f = embed(x_z) (features × N),
//   log q(y | x) = log q_inner(y | f),
// the inner estimator built with context_dim = features and identity context z-scoring. The
// embedding's layers are appended to the inner estimator's parameter buffer, so parameters() is
// one flat buffer (Adam, the exact allreduce, checkpoints and estimator.bin see one vector), and
// backward() carries d(loss)/df from the inner estimator (backward_with_context) into the
// embedding.
//
// Runs of equal consecutive columns of x are embedded once: the atomic loss of SNPE-C repeats
// each x over its atoms, a posterior repeats x_o over its θ. The features are then copied over
// the run and backward sums d(loss)/df over it (the same gradient as one pass per column).
#include <cstdint>
#include <memory>
#include <vector>

#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/nn/embedding_registry.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

template <typename T>
class EmbeddedDensityEstimator final : public ConditionalDensityEstimator<T> {
 public:
  /// `inner`: q(y | f) with context_dim = spec.features. The embedding's weights come from
  /// RandomStream(seed, initialization, kEmbeddingStream, 0); x_standardizer has x's dimension.
  EmbeddedDensityEstimator(std::unique_ptr<ConditionalDensityEstimator<T>> inner, const EmbeddingSpec& spec,
                           std::uint64_t seed, Standardizer x_standardizer);

  int target_dim() const override { return inner_->target_dim(); }
  int context_dim() const override { return embed_->input_dim(); }
  ParameterBuffer<T>& parameters() override { return inner_->parameters(); }
  const EmbeddingNet<T>& embedding() const { return *embed_; }

  void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  void backward(const Eigen::Ref<const Vec<T>>& g) override;
  void backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) override;
  void evaluate(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Eigen::Ref<Vec<T>> out) override;
  Mat<T> sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) override;
  /// The embedding's calibrate() on the z-scored contexts.
  void calibrate_context(const Eigen::Ref<const Mat<T>>& c) override;

  static constexpr std::uint32_t kEmbeddingStream = 0x454d;  // the round index of the embedding's weights

 private:
  // f = embed((c − μ)/σ) for the columns of c, each run of equal columns embedded once.
  const Mat<T>& features(const Eigen::Ref<const Mat<T>>& c);
  // d(loss)/df_ (from the inner estimator) summed over each run: the embedding's d_features.
  const Mat<T>& run_gradient();

  std::unique_ptr<ConditionalDensityEstimator<T>> inner_;
  Standardizer x_std_;
  std::unique_ptr<EmbeddingNet<T>> embed_;
  std::vector<Eigen::Index> first_;  // the first column of each run, and c.cols() at the end
  Mat<T> c_, xz_, f_, df_, df_runs_;  // the last x, z-scored run heads, features, their gradients
};

}  // namespace nsbi::nn
