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
  const Eigen::Index n = c.cols();
  c_ = c;
  first_.clear();
  for (Eigen::Index j = 0; j < n; ++j)
    if (j == 0 || c.col(j) != c.col(j - 1)) first_.push_back(j);
  const auto runs = static_cast<Eigen::Index>(first_.size());
  first_.push_back(n);
  Mat<T> heads(c.rows(), runs);
  for (Eigen::Index r = 0; r < runs; ++r) heads.col(r) = c.col(first_[r]);
  xz_.resize(c.rows(), runs);
  x_std_.apply<T>(heads, xz_);
  const Mat<T>& f = embed_->forward(xz_);
  f_.resize(f.rows(), n);
  for (Eigen::Index r = 0; r < runs; ++r) f_.middleCols(first_[r], first_[r + 1] - first_[r]).colwise() = f.col(r);
  return f_;
}

template <typename T>
void EmbeddedDensityEstimator<T>::calibrate_context(const Eigen::Ref<const Mat<T>>& c) {
  Mat<T> xz(c.rows(), c.cols());
  x_std_.apply<T>(c, xz);
  embed_->calibrate(xz);
}

template <typename T>
const Mat<T>& EmbeddedDensityEstimator<T>::run_gradient() {
  const auto runs = static_cast<Eigen::Index>(first_.size()) - 1;
  df_runs_.resize(df_.rows(), runs);
  for (Eigen::Index r = 0; r < runs; ++r)
    df_runs_.col(r) = df_.middleCols(first_[r], first_[r + 1] - first_[r]).rowwise().sum();
  return df_runs_;
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
  embed_->backward(run_gradient());
}

template <typename T>
void EmbeddedDensityEstimator<T>::backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) {
  df_.resize(embed_->output_dim(), g.size());
  inner_->backward_with_context(g, df_);
  // Every column's own d(loss)/dx: the embedding once more on all columns of the last x (the
  // same features), then back through it with each column's gradient.
  Mat<T> xz(c_.rows(), c_.cols());
  x_std_.apply<T>(c_, xz);
  embed_->forward(xz);
  const Mat<T>& dxz = embed_->backward(df_);
  // x_z = (x − μ)/σ, so d/dx = d/dx_z / σ.
  dc = (dxz.array().colwise() / x_std_.std.cast<T>().array()).matrix();
}

template <typename T>
void EmbeddedDensityEstimator<T>::evaluate(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                           Eigen::Ref<Vec<T>> out) {
  inner_->evaluate(y, features(c), out);
}

template <typename T>
Mat<T> EmbeddedDensityEstimator<T>::sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) {
  const Vec<T> f = features(c).col(0);
  return inner_->sample(f, n, rng);
}

template class EmbeddedDensityEstimator<float>;
template class EmbeddedDensityEstimator<double>;

}  // namespace nsbi::nn
