#include "nsbi/nn/embedded_density_estimator.hpp"

#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

template <typename T>
EmbeddedDensityEstimator<T>::EmbeddedDensityEstimator(std::unique_ptr<ConditionalDensityEstimator<T>> inner,
                                                      const EmbeddingSpec& spec, std::uint64_t seed,
                                                      Standardizer x_standardizer)
    : inner_(std::move(inner)), x_std_(std::move(x_standardizer)) {
  if (inner_->context_dim() != spec.features)
    throw ShapeError(make_message("EmbeddedDensityEstimator", "inner estimator's context dimension",
                                  std::to_string(spec.features) + " (embedding.features)",
                                  std::to_string(inner_->context_dim())));
  RandomStream rng(seed, StreamId::initialization, kEmbeddingStream, 0);
  embed_ = make_embedding_net<T>(spec, x_std_.dim(), inner_->parameters(), rng);
}

template <typename T>
const Mat<T>& EmbeddedDensityEstimator<T>::features(const Eigen::Ref<const Mat<T>>& c) {
  xz_.resize(c.rows(), c.cols());
  x_std_.apply<T>(c, xz_);
  return embed_->forward(xz_);
}

template <typename T>
void EmbeddedDensityEstimator<T>::log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                           Eigen::Ref<Vec<T>> out) {
  inner_->log_prob(y, features(c), out);
}

template <typename T>
void EmbeddedDensityEstimator<T>::backward(const Eigen::Ref<const Vec<T>>& g) {
  df_.resize(embed_->output_dim(), g.size());
  inner_->backward_with_context(g, df_);
  embed_->backward(df_);
}

template <typename T>
void EmbeddedDensityEstimator<T>::backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) {
  df_.resize(embed_->output_dim(), g.size());
  inner_->backward_with_context(g, df_);
  const Mat<T>& dxz = embed_->backward(df_);
  // x_z = (x − μ)/σ, so d/dx = d/dx_z / σ.
  dc = (dxz.array().colwise() / x_std_.std.cast<T>().array()).matrix();
}

template <typename T>
void EmbeddedDensityEstimator<T>::evaluate(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                           Eigen::Ref<Vec<T>> out) {
  bool one_x = c.cols() > 1;
  for (Eigen::Index j = 1; one_x && j < c.cols(); ++j) one_x = c.col(j) == c.col(0);
  if (!one_x) {
    inner_->evaluate(y, features(c), out);
    return;
  }
  f_ = features(c.col(0)).col(0).replicate(1, c.cols());
  inner_->evaluate(y, f_, out);
}

template <typename T>
Mat<T> EmbeddedDensityEstimator<T>::sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) {
  const Vec<T> f = features(c).col(0);
  return inner_->sample(f, n, rng);
}

template class EmbeddedDensityEstimator<float>;
template class EmbeddedDensityEstimator<double>;

}  // namespace nsbi::nn
