#include "nsbi/nn/mixture_density_network.hpp"

#include <Eigen/Core>
#include <cmath>
#include <numbers>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {
namespace {

constexpr double kHeadInitScale = 1e-2;  // pyknos' ε for the logits' and factors' rows

// Checked here, before the layers are built from them.
std::vector<int> layer_sizes(int dim, int context_dim, const MdnOptions& o) {
  if (dim < 1 || context_dim < 1 || o.components < 1 || o.hidden < 1)
    throw ConfigError(make_message("MixtureDensityNetwork", "dim, context_dim, components, hidden", "all ≥ 1",
                                   std::to_string(dim) + ", " + std::to_string(context_dim) + ", " +
                                       std::to_string(o.components) + ", " + std::to_string(o.hidden)));
  const int heads = o.components * (1 + dim + dim * (dim + 1) / 2);
  return {context_dim, o.hidden, o.hidden, heads};
}

}  // namespace

template <typename T>
MixtureDensityNetwork<T>::MixtureDensityNetwork(int dim, int context_dim, const MdnOptions& options,
                                                std::uint64_t seed, Standardizer y_standardizer,
                                                Standardizer c_standardizer)
    : dim_(dim),
      context_dim_(context_dim),
      options_(options),
      y_std_(std::move(y_standardizer)),
      c_std_(std::move(c_standardizer)),
      net_(layer_sizes(dim, context_dim, options), Activation::tanh, seed) {
  // Near-uniform weights and near-unit precision factors; the means keep the default init so the
  // components start apart.
  RandomStream rng(seed, StreamId::initialization, 0, 1);
  Linear<T>& head = net_.layer(2);
  auto W = head.weight();
  auto b = head.bias();
  const auto small_rows = [&](int first, int count) {
    for (int r = first; r < first + count; ++r) {
      for (Eigen::Index j = 0; j < W.cols(); ++j) W(r, j) = static_cast<T>(kHeadInitScale * rng.normal());
      b(r, 0) = static_cast<T>(kHeadInitScale * rng.normal());
    }
  };
  small_rows(0, options.components);
  small_rows(factor_row(0), options.components * factor_size());
}

template <typename T>
const Mat<T>& MixtureDensityNetwork<T>::run_network(const Eigen::Ref<const Mat<T>>& c) {
  cz_.resize(context_dim_, c.cols());
  c_std_.apply<T>(c, cz_);
  return net_.forward(cz_);
}

template <typename T>
void MixtureDensityNetwork<T>::log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                                        Eigen::Ref<Vec<T>> out) {
  const Eigen::Index N = y.cols();
  const int D = dim_, K = options_.components;
  u_.resize(D, N);
  y_std_.apply<T>(y, u_);
  const Mat<T>& o = run_network(c);
  log_alpha_.resize(K, N);
  resp_.resize(K, N);
  e_.resize(K * D, N);
  z_.resize(K * D, N);
  const T log_norm = static_cast<T>(-0.5 * D * std::log(2.0 * std::numbers::pi));
  const T log_det_y = static_cast<T>(y_std_.log_abs_det());
  for (Eigen::Index n = 0; n < N; ++n) {
    // log α = logits − logsumexp(logits).
    const auto logits = o.col(n).head(K);
    const T m = logits.maxCoeff();
    const T lse = m + std::log((logits.array() - m).exp().sum());
    for (int k = 0; k < K; ++k) {
      log_alpha_(k, n) = logits(k) - lse;
      const T* mu = &o(mean_row(k), n);
      const T* f = &o(factor_row(k), n);  // a_0..a_{D−1}, then U_ij (i < j)
      T* e = &e_(k * D, n);
      T* z = &z_(k * D, n);
      for (int i = 0; i < D; ++i) e[i] = u_(i, n) - mu[i];
      // z = U e, row by row: z_i = exp(a_i) e_i + Σ_{j>i} U_ij e_j;  log N = log_norm + Σ a_i − ½‖z‖².
      T log_n = log_norm;
      for (int i = 0; i < D; ++i) {
        T zi = std::exp(f[i]) * e[i];
        for (int j = i + 1; j < D; ++j) zi += f[D + upper(i, j)] * e[j];
        z[i] = zi;
        log_n += f[i] - T(0.5) * zi * zi;
      }
      resp_(k, n) = log_alpha_(k, n) + log_n;
    }
    // log q = logsumexp_k(log α_k + log N_k); resp becomes r_k = exp(log α_k + log N_k − log q).
    auto w = resp_.col(n);
    const T wm = w.maxCoeff();
    const T lq = wm + std::log((w.array() - wm).exp().sum());
    w = (w.array() - lq).exp().matrix();
    out(n) = lq + log_det_y;
  }
}

template <typename T>
void MixtureDensityNetwork<T>::backward(const Eigen::Ref<const Vec<T>>& g) {
  backward_network(g);
}

template <typename T>
void MixtureDensityNetwork<T>::backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) {
  const Mat<T>& dcz = backward_network(g);
  // cz = (c − μ)/σ, so d/dc = d/dcz / σ.
  dc = (dcz.array().colwise() / c_std_.std.cast<T>().array()).matrix();
}

template <typename T>
const Mat<T>& MixtureDensityNetwork<T>::backward_network(const Eigen::Ref<const Vec<T>>& g) {
  const Eigen::Index N = g.size();
  const int D = dim_, K = options_.components;
  const Mat<T>& o = net_.output();
  d_heads_.resize(o.rows(), N);
  for (Eigen::Index n = 0; n < N; ++n) {
    for (int k = 0; k < K; ++k) {
      // ∂ log q/∂ logit_k = r_k − α_k;  ∂ log q/∂ log N_k = r_k.
      const T r = resp_(k, n), gr = g(n) * r;
      d_heads_(k, n) = g(n) * (r - std::exp(log_alpha_(k, n)));
      const T* f = &o(factor_row(k), n);
      const T* e = &e_(k * D, n);
      const T* z = &z_(k * D, n);
      T* d_mu = &d_heads_(mean_row(k), n);
      T* d_f = &d_heads_(factor_row(k), n);
      // With z = U(u − μ) and log N = … − ½ zᵀz:
      //   ∂/∂μ = Uᵀz, (Uᵀz)_j = exp(a_j) z_j + Σ_{i<j} U_ij z_i;
      //   ∂/∂U_ij = −z_i e_j (i < j);   ∂/∂a_i = 1 − z_i e_i exp(a_i).
      for (int j = 0; j < D; ++j) {
        const T ud = std::exp(f[j]);
        T s = ud * z[j];
        for (int i = 0; i < j; ++i) {
          s += f[D + upper(i, j)] * z[i];
          d_f[D + upper(i, j)] = -gr * z[i] * e[j];
        }
        d_mu[j] = gr * s;
        d_f[j] = gr * (T(1) - z[j] * e[j] * ud);
      }
    }
  }
  return net_.backward(d_heads_);
}

template <typename T>
Mat<T> MixtureDensityNetwork<T>::sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) {
  return mixture(c).sample(rng, n).template cast<T>();
}

template <typename T>
GaussianMixture MixtureDensityNetwork<T>::mixture(const Eigen::Ref<const Vec<T>>& c) {
  const int D = dim_, K = options_.components;
  const Eigen::VectorXd o = run_network(c).col(0).template cast<double>();
  GaussianMixture q;
  const Eigen::VectorXd logits = o.head(K);
  const double m = logits.maxCoeff();
  q.log_weights = logits.array() - (m + std::log((logits.array() - m).exp().sum()));
  q.means.resize(D, K);
  q.covariances.resize(K);
  const Eigen::MatrixXd scale = y_std_.std * y_std_.std.transpose();  // σ_i σ_j
  Eigen::MatrixXd U(D, D), U_inv(D, D);
  for (int k = 0; k < K; ++k) {
    // y = m + S u: mean m + S μ_k; covariance S Σ_u S with Σ_u = (UᵀU)⁻¹ = U⁻¹U⁻ᵀ.
    q.means.col(k) = y_std_.mean.array() + y_std_.std.array() * o.segment(mean_row(k), D).array();
    const auto f = o.segment(factor_row(k), factor_size());
    U.setZero();
    for (int j = 0; j < D; ++j) {
      U(j, j) = std::exp(f(j));
      for (int i = 0; i < j; ++i) U(i, j) = f(D + upper(i, j));
    }
    U_inv.setIdentity();
    U.triangularView<Eigen::Upper>().solveInPlace(U_inv);
    q.covariances[k] = (U_inv * U_inv.transpose()).cwiseProduct(scale);
  }
  return q;
}

template <typename T>
MixtureDensityNetwork<T> MixtureDensityNetwork<T>::expand(int components, std::uint64_t seed, double jitter) const {
  if (options_.components != 1)
    throw ConfigError(make_message("MixtureDensityNetwork::expand", "components of the source network", "1",
                                   std::to_string(options_.components)));
  MixtureDensityNetwork out(dim_, context_dim_, MdnOptions{components, options_.hidden}, seed, y_std_, c_std_);
  for (std::size_t l = 0; l < 2; ++l) {
    out.net_.layer(l).weight() = net_.layer(l).weight();
    out.net_.layer(l).bias() = net_.layer(l).bias();
  }
  const Linear<T>& src = net_.layer(2);
  Linear<T>& dst = out.net_.layer(2);
  const int D = dim_, P = factor_size();
  // Copy rows [src_first, src_first + count) of the source head into [dst_first, …).
  const auto copy_rows = [&](int src_first, int dst_first, int count) {
    dst.weight().middleRows(dst_first, count) = src.weight().middleRows(src_first, count);
    dst.bias().middleRows(dst_first, count) = src.bias().middleRows(src_first, count);
  };
  RandomStream rng(seed, StreamId::initialization, 0, 2);
  for (int k = 0; k < components; ++k) {
    copy_rows(0, k, 1);
    copy_rows(mean_row(0), out.mean_row(k), D);
    copy_rows(factor_row(0), out.factor_row(k), P);
    for (int i = 0; i < D; ++i) dst.bias()(out.mean_row(k) + i, 0) += static_cast<T>(jitter * rng.normal());
  }
  return out;
}

template class MixtureDensityNetwork<float>;
template class MixtureDensityNetwork<double>;

}  // namespace nsbi::nn
