#include "nsbi/nn/masked_autoregressive_flow.hpp"

#include <cmath>
#include <numbers>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

template <typename T>
MaskedAutoregressiveFlow<T>::MaskedAutoregressiveFlow(int dim, int context_dim, const MafOptions& options,
                                                      std::uint64_t seed, Standardizer y_standardizer,
                                                      Standardizer c_standardizer)
    : Base(dim, context_dim, options.transforms, options.hidden, /*outputs_per_dim=*/2, seed, std::move(y_standardizer),
           std::move(c_standardizer), options.order),
      options_(options) {
  s_.resize(options.transforms);
}

MafScale maf_scale_from(const std::string& name, const std::string& key) {
  if (name == "sigmoid") return MafScale::sigmoid;
  if (name == "softplus") return MafScale::softplus;
  throw ConfigError(make_message("estimator", key, "\"sigmoid\" or \"softplus\"", "\"" + name + "\""));
}

namespace {
// softplus(a) = log(1 + e^a), without overflow for large a.
template <typename Derived>
auto softplus(const Eigen::ArrayBase<Derived>& a) {
  using T = typename Derived::Scalar;
  return a.max(T(0)) + (-a.abs()).exp().log1p();
}
}  // namespace

template <typename T>
void MaskedAutoregressiveFlow<T>::scale_from(const Eigen::Ref<const Mat<T>>& a, Mat<T>& s) const {
  s.resize(a.rows(), a.cols());
  if (options_.scale == MafScale::sigmoid)
    s.array() = T(1) / (T(1) + (-(a.array() + T(2))).exp()) + kScaleEps;
  else
    s.array() = T(1) / (softplus(a.array() + kSoftplusShift) + kScaleEps);
}

template <typename T>
void MaskedAutoregressiveFlow<T>::scale_derivative(const Mat<T>& s, Mat<T>& ds) const {
  ds.resize(s.rows(), s.cols());
  if (options_.scale == MafScale::sigmoid) {
    // ds/da = σ(1 − σ) with σ = s − eps.
    const auto sig = s.array() - kScaleEps;
    ds.array() = sig * (T(1) - sig);
  } else {
    // s = 1/(softplus(a + c) + eps): ds/da = −sigmoid(a + c)·s², and sigmoid(b) = 1 − e^(−softplus(b)).
    ds.array() = ((-(s.array().inverse() - kScaleEps)).exp() - T(1)) * s.array().square();
  }
}

template <typename T>
void MaskedAutoregressiveFlow<T>::log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                           Eigen::Ref<Vec<T>> out) {
  const Eigen::Index n = y.cols();
  const int D = dim_;
  this->standardize(y, c);
  for (std::size_t k = 0; k < mades_.size(); ++k) {
    mades_[k].forward(u_[k], cz_);
    const Mat<T>& o = mades_[k].output();
    scale_from(o.bottomRows(D), s_[k]);
    // v = (u − m) / s, then reverse the feature order.
    v_.resize(D, n);
    v_.array() = (u_[k].array() - o.topRows(D).array()) / s_[k].array();
    u_[k + 1] = v_.colwise().reverse();
    log_det_.noalias() -= s_[k].array().log().colwise().sum().matrix().transpose();
  }
  this->base_log_prob(out);
}

template <typename T>
void MaskedAutoregressiveFlow<T>::evaluate(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                           Eigen::Ref<Vec<T>> out) {
  const Eigen::Index n = y.cols();
  const int D = dim_;
  const Standardizer &ys = this->y_std_, &cs = this->c_std_;
  bu_.resize(n, D);
  for (int i = 0; i < D; ++i)
    bu_.col(i) = (y.row(i).transpose().array() - static_cast<T>(ys.mean(i))) / static_cast<T>(ys.std(i));
  bc_.resize(n, this->context_dim_);
  for (int i = 0; i < this->context_dim_; ++i)
    bc_.col(i) = (c.row(i).transpose().array() - static_cast<T>(cs.mean(i))) / static_cast<T>(cs.std(i));
  blog_det_.setConstant(n, static_cast<T>(ys.log_abs_det()));
  bs_.resize(n, D);
  bv_.resize(n, D);
  for (auto& made : mades_) {
    made.forward_batch_major(bu_, bc_, bo_);
    // s from a (see MafScale), v = (u − m)/s, then the feature order reversed.
    scale_from(bo_.rightCols(D), bs_);
    bv_.array() = (bu_.array() - bo_.leftCols(D).array()) / bs_.array();
    for (int i = 0; i < D; ++i) bu_.col(i) = bv_.col(D - 1 - i);
    blog_det_.array() -= bs_.array().log().rowwise().sum();
  }
  const T half_log_2pi = static_cast<T>(0.5 * std::log(2.0 * std::numbers::pi));
  out.array() = T(-0.5) * bu_.array().square().rowwise().sum() + blog_det_.array() - static_cast<T>(D) * half_log_2pi;
}

template <typename T>
void MaskedAutoregressiveFlow<T>::backward(const Eigen::Ref<const Vec<T>>& g) {
  const Eigen::Index n = g.size();
  const int D = dim_;
  // d log N(u_K)/du_K = −u_K.
  du_ = -(u_.back().array().rowwise() * g.transpose().array()).matrix();
  dout_.resize(2 * D, n);
  du_net_.resize(D, n);
  for (int k = static_cast<int>(mades_.size()) - 1; k >= 0; --k) {
    const Mat<T>& s = s_[k];
    dv_ = du_.colwise().reverse();            // undo the reversal
    v_ = u_[k + 1].colwise().reverse();        // v = (u − m)/s
    // m: dv/dm = −1/s.   s: dv/ds = −v/s, and −Σ log s gives −g/s.   a: ds/da (scale_derivative).
    dout_.topRows(D).array() = -dv_.array() / s.array();
    scale_derivative(s, ds_);
    dout_.bottomRows(D).array() =
        (-dv_.array() * v_.array() / s.array() - (s.array().inverse().rowwise() * g.transpose().array())) *
        ds_.array();
    mades_[k].backward(dout_, du_net_, this->context_grad());
    du_.array() = dv_.array() / s.array() + du_net_.array();
  }
}

template <typename T>
void MaskedAutoregressiveFlow<T>::invert_transform(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) {
  const int D = dim_;
  u.setZero(D, v.cols());
  Mat<T> s;
  // Feature i depends on the features before it in MADE k's order only, so after pass r the
  // feature at position r is exact.
  for (int r = 0; r < D; ++r) {
    const int i = mades_[k].feature_at(r);
    mades_[k].forward(u, cz);
    const Mat<T>& o = mades_[k].output();
    scale_from(o.row(D + i), s);
    u.row(i).array() = v.row(i).array() * s.row(0).array() + o.row(i).array();
  }
}

template class MaskedAutoregressiveFlow<float>;
template class MaskedAutoregressiveFlow<double>;

}  // namespace nsbi::nn
