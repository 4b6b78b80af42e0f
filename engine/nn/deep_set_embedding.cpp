#include "nsbi/nn/deep_set_embedding.hpp"

namespace nsbi::nn {

namespace {

std::vector<int> phi_sizes(int trial_dim, int hidden, int layers) {
  std::vector<int> sizes{trial_dim};
  sizes.insert(sizes.end(), static_cast<std::size_t>(layers) + 1, hidden);
  return sizes;
}

}  // namespace

template <typename T>
DeepSetEmbedding<T>::DeepSetEmbedding(ParameterBuffer<T>& params, int trials, int trial_dim, int hidden, int layers,
                                      int features, RandomStream& rng)
    : trials_(trials),
      trial_dim_(trial_dim),
      phi_(params, phi_sizes(trial_dim, hidden, layers), Activation::relu, rng),
      rho_(params, {hidden, hidden, features}, Activation::relu, rng) {}

template <typename T>
const Mat<T>& DeepSetEmbedding<T>::forward(const Eigen::Ref<const Mat<T>>& x) {
  const Eigen::Index n = x.cols();
  // Column n of x holds its trials one after another: as d × T it is trials_x_'s block n.
  trials_x_.resize(trial_dim_, n * trials_);
  for (Eigen::Index s = 0; s < n; ++s)
    trials_x_.middleCols(s * trials_, trials_) = x.col(s).reshaped(trial_dim_, trials_);
  const Mat<T>& h = phi_.forward(trials_x_);
  mean_.resize(h.rows(), n);
  for (Eigen::Index s = 0; s < n; ++s) mean_.col(s) = h.middleCols(s * trials_, trials_).rowwise().mean();
  return rho_.forward(mean_);
}

template <typename T>
const Mat<T>& DeepSetEmbedding<T>::backward(const Eigen::Ref<const Mat<T>>& d_features) {
  const Eigen::Index n = d_features.cols();
  const Mat<T>& d_mean = rho_.backward(d_features);
  // Each trial's φ output enters the mean with weight 1/T.
  d_phi_.resize(d_mean.rows(), n * trials_);
  for (Eigen::Index s = 0; s < n; ++s)
    d_phi_.middleCols(s * trials_, trials_) = (d_mean.col(s) / static_cast<T>(trials_)).replicate(1, trials_);
  const Mat<T>& d_trials = phi_.backward(d_phi_);
  dx_.resize(input_dim(), n);
  for (Eigen::Index s = 0; s < n; ++s) dx_.col(s) = d_trials.middleCols(s * trials_, trials_).reshaped();
  return dx_;
}

template class DeepSetEmbedding<float>;
template class DeepSetEmbedding<double>;

}  // namespace nsbi::nn
