#include "nsbi/nn/neural_spline_flow.hpp"

#include <cmath>

namespace nsbi::nn {

template <typename T>
NeuralSplineFlow<T>::NeuralSplineFlow(int dim, int context_dim, const NsfOptions& options, std::uint64_t seed,
                                      Standardizer y_standardizer, Standardizer c_standardizer)
    : Base(dim, context_dim, options.transforms, options.hidden,
           RationalQuadraticSpline<T>::params_per_dim(options.bins), seed, std::move(y_standardizer),
           std::move(c_standardizer), options.order),
      options_(options),
      spline_(conditioned_spline_options(options.bins, options.tail_bound, options.hidden)) {
  knots_.resize(options.transforms);
}

template <typename T>
void NeuralSplineFlow<T>::log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                   Eigen::Ref<Vec<T>> out) {
  this->standardize(y, c);
  v_.resize(dim_, y.cols());
  for (std::size_t k = 0; k < mades_.size(); ++k) {
    mades_[k].forward(u_[k], cz_);
    spline_.knots(mades_[k].output(), knots_[k]);
    spline_.forward(u_[k], knots_[k], v_, log_det_);
    u_[k + 1] = v_.colwise().reverse();
  }
  this->base_log_prob(out);
}

template <typename T>
void NeuralSplineFlow<T>::backward(const Eigen::Ref<const Vec<T>>& g) {
  const Eigen::Index n = g.size();
  const int D = dim_;
  // d log N(u_K)/du_K = −u_K; every log g' enters log q with weight 1, so d/d(log g') = g.
  du_ = -(u_.back().array().rowwise() * g.transpose().array()).matrix();
  dout_.resize(static_cast<Eigen::Index>(spline_.params_per_dim()) * D, n);
  du_net_.resize(D, n);
  dv_.resize(D, n);
  for (int k = static_cast<int>(mades_.size()) - 1; k >= 0; --k) {
    dv_ = du_.colwise().reverse();  // undo the reversal
    spline_.backward(u_[k], knots_[k], dv_, g, dout_, dv_);
    mades_[k].backward(dout_, du_net_, this->context_grad());
    du_ = dv_ + du_net_;  // direct path through the spline + path through its parameters
  }
}

template <typename T>
void NeuralSplineFlow<T>::invert_transform(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) {
  // Feature i's spline depends on the features before it in MADE k's order only, so after pass
  // r the feature at position r is exact.
  u.setZero(dim_, v.cols());
  for (int r = 0; r < dim_; ++r) {
    const int i = mades_[k].feature_at(r);
    mades_[k].forward(u, cz);
    spline_.knots(mades_[k].output(), inverse_knots_);
    spline_.inverse_feature(i, v, inverse_knots_, u);
  }
}

template class NeuralSplineFlow<float>;
template class NeuralSplineFlow<double>;

}  // namespace nsbi::nn
