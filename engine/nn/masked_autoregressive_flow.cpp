#include "nsbi/nn/masked_autoregressive_flow.hpp"

#include <cmath>
#include <numbers>

namespace nsbi::nn {

template <typename T>
MaskedAutoregressiveFlow<T>::MaskedAutoregressiveFlow(int dim, int context_dim, const MafOptions& options,
                                                      std::uint64_t seed, Standardizer y_standardizer,
                                                      Standardizer c_standardizer)
    : dim_(dim),
      context_dim_(context_dim),
      options_(options),
      y_std_(std::move(y_standardizer)),
      c_std_(std::move(c_standardizer)),
      params_(std::make_unique<ParameterBuffer<T>>()) {
  mades_.reserve(options.transforms);
  for (int k = 0; k < options.transforms; ++k) mades_.emplace_back(*params_, dim, context_dim, options.hidden);
  RandomStream rng(seed, StreamId::initialization, 0, 0);
  for (auto& m : mades_) m.init(rng);
  u_.resize(options.transforms + 1);
  s_.resize(options.transforms);
}

template <typename T>
void MaskedAutoregressiveFlow<T>::scale_from(const Eigen::Ref<const Mat<T>>& a, Mat<T>& s) {
  s.resize(a.rows(), a.cols());
  s.array() = T(1) / (T(1) + (-(a.array() + T(2))).exp()) + kScaleEps;
}

template <typename T>
void MaskedAutoregressiveFlow<T>::log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                           Eigen::Ref<Vec<T>> out) {
  const Eigen::Index n = y.cols();
  const int D = dim_;
  u_[0].resize(D, n);
  y_std_.apply<T>(y, u_[0]);
  cz_.resize(context_dim_, n);
  c_std_.apply<T>(c, cz_);
  Vec<T>& log_det = log_det_;  // workspace: no allocation once the batch size is seen
  log_det.setConstant(n, static_cast<T>(y_std_.log_abs_det()));
  for (std::size_t k = 0; k < mades_.size(); ++k) {
    mades_[k].forward(u_[k], cz_);
    const Mat<T>& o = mades_[k].output();
    scale_from(o.bottomRows(D), s_[k]);
    // v = (u − m) / s, then reverse the feature order.
    v_.resize(D, n);
    v_.array() = (u_[k].array() - o.topRows(D).array()) / s_[k].array();
    u_[k + 1] = v_.colwise().reverse();
    log_det.noalias() -= s_[k].array().log().colwise().sum().matrix().transpose();
  }
  const T half_log_2pi = static_cast<T>(0.5 * std::log(2.0 * std::numbers::pi));
  out = (T(-0.5) * u_.back().array().square().colwise().sum()).matrix().transpose();
  out.array() += log_det.array() - T(D) * half_log_2pi;
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
    // m: dv/dm = −1/s.   s: dv/ds = −v/s, and −Σ log s gives −g/s.
    // a: ds/da = σ(1 − σ) with σ = s − eps.
    dout_.topRows(D).array() = -dv_.array() / s.array();
    auto sig = (s.array() - kScaleEps);
    dout_.bottomRows(D).array() =
        (-dv_.array() * v_.array() / s.array() - (s.array().inverse().rowwise() * g.transpose().array())) *
        sig * (T(1) - sig);
    mades_[k].backward(dout_, du_net_);
    du_.array() = dv_.array() / s.array() + du_net_.array();
  }
}

template <typename T>
Mat<T> MaskedAutoregressiveFlow<T>::transform(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c) {
  Vec<T> lp(y.cols());
  log_prob(y, c, lp);
  return u_.back();
}

template <typename T>
void MaskedAutoregressiveFlow<T>::invert_made(int k, const Mat<T>& v, const Mat<T>& cz, Mat<T>& u) {
  const int D = dim_;
  u.setZero(D, v.cols());
  Mat<T> s;
  // Feature i depends on features < i only, so after pass i feature i is exact.
  for (int i = 0; i < D; ++i) {
    mades_[k].forward(u, cz);
    const Mat<T>& o = mades_[k].output();
    scale_from(o.row(D + i), s);
    u.row(i).array() = v.row(i).array() * s.row(0).array() + o.row(i).array();
  }
}

template <typename T>
Mat<T> MaskedAutoregressiveFlow<T>::inverse(const Eigen::Ref<const Mat<T>>& u_in, const Eigen::Ref<const Mat<T>>& c) {
  const Eigen::Index n = u_in.cols();
  Mat<T> cz(context_dim_, n);
  c_std_.apply<T>(c, cz);
  Mat<T> u = u_in, v, prev;
  for (int k = static_cast<int>(mades_.size()) - 1; k >= 0; --k) {
    v = u.colwise().reverse();
    invert_made(k, v, cz, prev);
    u.swap(prev);
  }
  Mat<T> y(dim_, n);
  y_std_.invert<T>(u, y);
  return y;
}

template <typename T>
Mat<T> MaskedAutoregressiveFlow<T>::sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) {
  Mat<T> z(dim_, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (int i = 0; i < dim_; ++i) z(i, j) = static_cast<T>(rng.normal());
  Mat<T> cc = c.replicate(1, n);
  return inverse(z, cc);
}

template class MaskedAutoregressiveFlow<float>;
template class MaskedAutoregressiveFlow<double>;

}  // namespace nsbi::nn
