#include "nsbi/nn/coupling_spline_flow.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {
namespace {

constexpr double kMinDiagonal = 1e-3;  // nflows' LULinear eps: diag(U) = softplus(d) + eps

int checked_dim(int dim, const CouplingNsfOptions& o) {
  if (dim < 1 || o.transforms < 1)
    throw ConfigError(make_message("estimator nsf_coupling", "dimension, transforms", "both ≥ 1",
                                   std::to_string(dim) + ", " + std::to_string(o.transforms)));
  return dim;
}

template <typename T>
T softplus(T r) {
  return std::max(r, T(0)) + std::log1p(std::exp(-std::abs(r)));
}

template <typename T>
T sigmoid(T r) {
  return T(0.5) + T(0.5) * std::tanh(T(0.5) * r);
}

}  // namespace

template <typename T>
CouplingSplineFlow<T>::CouplingSplineFlow(int dim, int context_dim, const CouplingNsfOptions& options,
                                          std::uint64_t seed, Standardizer y_standardizer,
                                          Standardizer c_standardizer)
    : dim_(checked_dim(dim, options)),
      context_dim_(context_dim),
      options_(options),
      y_std_(std::move(y_standardizer)),
      c_std_(std::move(c_standardizer)),
      params_(std::make_unique<ParameterBuffer<T>>()),
      spline_(conditioned_spline_options(options.bins, options.tail_bound, options.hidden)) {
  const int P = spline_.params_per_dim();
  transforms_.reserve(static_cast<std::size_t>(options.transforms));
  for (int k = 0; k < options.transforms; ++k) {
    std::vector<int> identity, transformed;
    for (int i = 0; i < dim; ++i) (dim == 1 || i % 2 == k % 2 ? transformed : identity).push_back(i);
    const int n_id = static_cast<int>(identity.size()), n_tr = static_cast<int>(transformed.size());
    ResidualNet<T> net(*params_, n_id, context_dim, options.hidden, n_tr * P, options.blocks);
    const Eigen::Index lu = params_->allocate(static_cast<Eigen::Index>(dim) * dim);
    const Eigen::Index bias = params_->allocate(dim);
    transforms_.push_back(Transform{std::move(identity), std::move(transformed), std::move(net), lu, bias, {}, {}, {}, {}, {}});
  }
  RandomStream rng(seed, StreamId::initialization, 0, 0);
  // L = I, U = I (d = softplus⁻¹(1 − eps)), b = 0: every linear map starts as the identity.
  const T d0 = static_cast<T>(std::log(std::expm1(1.0 - kMinDiagonal)));
  for (auto& t : transforms_) {
    t.net.init(rng);
    params_->matrix(t.lu, dim, dim).diagonal().setConstant(d0);
  }
  u_.resize(transforms_.size() + 1);
  v_.resize(transforms_.size());
  a_.resize(transforms_.size());
  b_.resize(transforms_.size());
}

template <typename T>
void CouplingSplineFlow<T>::factors(const Transform& t, Mat<T>& L, Mat<T>& U, Vec<T>& diag) const {
  const auto M = std::as_const(*params_).matrix(t.lu, dim_, dim_);
  L = M.template triangularView<Eigen::StrictlyLower>();
  L.diagonal().setOnes();
  U = M.template triangularView<Eigen::StrictlyUpper>();
  diag.resize(dim_);
  for (int i = 0; i < dim_; ++i) diag(i) = softplus(M(i, i)) + static_cast<T>(kMinDiagonal);
  U.diagonal() = diag;
}

template <typename T>
void CouplingSplineFlow<T>::log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                     Eigen::Ref<Vec<T>> out) {
  const Eigen::Index n = y.cols();
  u_[0].resize(dim_, n);
  y_std_.apply<T>(y, u_[0]);
  cz_.resize(context_dim_, n);
  c_std_.apply<T>(c, cz_);
  log_det_.setConstant(n, static_cast<T>(y_std_.log_abs_det()));
  for (std::size_t k = 0; k < transforms_.size(); ++k) {
    Transform& t = transforms_[k];
    a_[k] = u_[k](t.identity, Eigen::all);
    b_[k] = u_[k](t.transformed, Eigen::all);
    t.net.forward(a_[k], cz_);
    spline_.knots(t.net.output(), t.knots);
    t.bt.resize(b_[k].rows(), n);
    spline_.forward(b_[k], t.knots, t.bt, log_det_);
    v_[k] = u_[k];
    v_[k](t.transformed, Eigen::all) = t.bt;
    factors(t, L_, U_, diag_);
    W_.noalias() = L_ * U_;
    u_[k + 1].noalias() = W_ * v_[k];
    u_[k + 1].colwise() += std::as_const(*params_).matrix(t.bias, dim_, 1).col(0);
    log_det_.array() += diag_.array().log().sum();
  }
  standard_normal_log_prob<T>(u_.back(), log_det_, out);
}

template <typename T>
void CouplingSplineFlow<T>::backward_impl(const Eigen::Ref<const Vec<T>>& g, Mat<T>* dcz) {
  const T g_sum = g.sum();  // every log|det| term enters log q with weight 1
  du_ = -(u_.back().array().rowwise() * g.transpose().array()).matrix();
  for (int k = static_cast<int>(transforms_.size()) - 1; k >= 0; --k) {
    const auto K = static_cast<std::size_t>(k);
    Transform& t = transforms_[K];
    // u_{k+1} = L U v + b: dW = du vᵀ; dL = dW Uᵀ (strictly lower), dU = Lᵀ dW (upper), and
    // log U_ii adds g_sum / U_ii to U_ii; U_ii = softplus(d_i) + eps, softplus' = sigmoid.
    factors(t, L_, U_, diag_);
    dW_.noalias() = du_ * v_[K].transpose();
    params_->grad_matrix(t.bias, dim_, 1).col(0) += du_.rowwise().sum();
    auto dM = params_->grad_matrix(t.lu, dim_, dim_);
    dL_.noalias() = dW_ * U_.transpose();
    dU_.noalias() = L_.transpose() * dW_;
    const auto M = std::as_const(*params_).matrix(t.lu, dim_, dim_);
    for (int j = 0; j < dim_; ++j)
      for (int i = 0; i < dim_; ++i)
        dM(i, j) += i > j ? dL_(i, j) : i < j ? dU_(i, j) : (dU_(i, i) + g_sum / diag_(i)) * sigmoid(M(i, i));
    dv_.noalias() = U_.transpose() * (L_.transpose() * du_);
    // v[T] = g(u[T]; net(u[I], c)), v[I] = u[I].
    t.db = dv_(t.transformed, Eigen::all);
    t.d_raw.resize(t.net.output().rows(), g.size());
    spline_.backward(b_[K], t.knots, t.db, g, t.d_raw, t.db);
    t.da.resize(static_cast<Eigen::Index>(t.identity.size()), g.size());
    t.net.backward(t.d_raw, t.da, dcz);
    du_ = dv_;
    du_(t.identity, Eigen::all) += t.da;
    du_(t.transformed, Eigen::all) = t.db;
  }
}

template <typename T>
void CouplingSplineFlow<T>::backward(const Eigen::Ref<const Vec<T>>& g) {
  backward_impl(g, nullptr);
}

template <typename T>
void CouplingSplineFlow<T>::backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) {
  dcz_.setZero(context_dim_, g.size());
  backward_impl(g, &dcz_);
  // cz = (c − μ)/σ, so d/dc = d/dcz / σ.
  dc = (dcz_.array().colwise() / c_std_.std.cast<T>().array()).matrix();
}

template <typename T>
Mat<T> CouplingSplineFlow<T>::transform(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c) {
  Vec<T> lp(y.cols());
  log_prob(y, c, lp);
  return u_.back();
}

template <typename T>
Mat<T> CouplingSplineFlow<T>::inverse(const Eigen::Ref<const Mat<T>>& u_K, const Eigen::Ref<const Mat<T>>& c) {
  const Eigen::Index n = u_K.cols();
  Mat<T> cz(context_dim_, n);
  c_std_.apply<T>(c, cz);
  Mat<T> u = u_K, a, z, x, L, U;
  Vec<T> diag;
  SplineKnots<T> knots;
  for (int k = static_cast<int>(transforms_.size()) - 1; k >= 0; --k) {
    Transform& t = transforms_[static_cast<std::size_t>(k)];
    factors(t, L, U, diag);
    u.colwise() -= std::as_const(*params_).matrix(t.bias, dim_, 1).col(0);
    L.template triangularView<Eigen::UnitLower>().solveInPlace(u);
    U.template triangularView<Eigen::Upper>().solveInPlace(u);  // u is v_k now
    a = u(t.identity, Eigen::all);
    t.net.forward(a, cz);
    spline_.knots(t.net.output(), knots);
    z = u(t.transformed, Eigen::all);
    x.resize(z.rows(), n);
    for (Eigen::Index i = 0; i < z.rows(); ++i) spline_.inverse_feature(static_cast<int>(i), z, knots, x);
    u(t.transformed, Eigen::all) = x;
  }
  Mat<T> y(dim_, n);
  y_std_.invert<T>(u, y);
  return y;
}

template <typename T>
Mat<T> CouplingSplineFlow<T>::sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) {
  return inverse(standard_normal<T>(dim_, n, rng), c.replicate(1, n));
}

template <typename T>
Mat<T> CouplingSplineFlow<T>::linear_map(int k) const {
  Mat<T> L, U;
  Vec<T> diag;
  factors(transforms_.at(static_cast<std::size_t>(k)), L, U, diag);
  return L * U;
}

template class CouplingSplineFlow<float>;
template class CouplingSplineFlow<double>;

}  // namespace nsbi::nn
