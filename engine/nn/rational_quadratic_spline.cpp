#include "nsbi/nn/rational_quadratic_spline.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

namespace {

// The quantities of the bin that holds a value, read from column n of the knots of feature i.
template <typename T>
struct Bin {
  int k;
  T xk, wk, yk, hk, s, dk, dk1;
};

template <typename T>
Bin<T> bin_from(int k, const T* x, const T* y, const T* d, Eigen::Index stride) {
  Bin<T> b;
  b.k = k;
  b.xk = x[k * stride];
  b.wk = x[(k + 1) * stride] - b.xk;
  b.yk = y[k * stride];
  b.hk = y[(k + 1) * stride] - b.yk;
  b.s = b.hk / b.wk;
  b.dk = d[k * stride];
  b.dk1 = d[(k + 1) * stride];
  return b;
}

}  // namespace

template <typename T>
RationalQuadraticSpline<T>::RationalQuadraticSpline(const RqSplineOptions& o)
    : K_(o.bins),
      B_(static_cast<T>(o.tail_bound)),
      min_w_(static_cast<T>(o.min_bin_width)),
      min_h_(static_cast<T>(o.min_bin_height)),
      min_d_(static_cast<T>(o.min_derivative)),
      scale_(static_cast<T>(o.raw_scale)) {
  if (o.bins < 1) throw ConfigError(make_message("estimator", "bins", "≥ 1", std::to_string(o.bins)));
  if (!(o.tail_bound > 0))
    throw ConfigError(make_message("estimator", "tail_bound", "> 0", std::to_string(o.tail_bound)));
  if (!(o.min_bin_width > 0 && o.min_bin_width * o.bins < 1 && o.min_bin_height > 0 && o.min_bin_height * o.bins < 1 &&
        o.min_derivative > 0))
    throw ConfigError(make_message("estimator", "spline minima", "positive, with bins × minimum < 1",
                                   std::to_string(o.min_bin_width) + ", " + std::to_string(o.min_bin_height)));
}

template <typename T>
void RationalQuadraticSpline<T>::softmax_knots(const Eigen::Ref<const Mat<T>>& raw_t, int D, T min_size, Mat<T>& prob,
                                               Mat<T>& knot, Mat<T>& m, Mat<T>& c) const {
  // Column blocks of N × D are contiguous, so every pass is one vectorised loop over N·D values.
  const Eigen::Index N = raw_t.rows();
  prob.resize(N, K_ * D);
  knot.resize(N, (K_ + 1) * D);
  m = raw_t.leftCols(D);
  for (int j = 1; j < K_; ++j) m = m.cwiseMax(raw_t.middleCols(j * D, D));
  c.setZero(N, D);
  for (int j = 0; j < K_; ++j) {
    prob.middleCols(j * D, D).array() = (scale_ * (raw_t.middleCols(j * D, D) - m).array()).exp();
    c += prob.middleCols(j * D, D);
  }
  m = c.cwiseInverse();  // 1 / Σ exp
  const T span = T(1) - static_cast<T>(K_) * min_size;
  knot.leftCols(D).setConstant(-B_);
  c.setZero();
  for (int j = 0; j < K_; ++j) {
    prob.middleCols(j * D, D).array() *= m.array();
    c.array() += min_size + span * prob.middleCols(j * D, D).array();
    knot.middleCols((j + 1) * D, D).array() = T(2) * B_ * c.array() - B_;
  }
  knot.rightCols(D).setConstant(B_);  // Σ w = 1 up to rounding: pin the end exactly
}

template <typename T>
void RationalQuadraticSpline<T>::knots(const Eigen::Ref<const Mat<T>>& raw, SplineKnots<T>& k) const {
  const int D = static_cast<int>(raw.rows() / params_per_dim());
  const Eigen::Index N = raw.cols();
  k.raw = raw.transpose();
  softmax_knots(k.raw.leftCols(K_ * D), D, min_w_, k.prob_w, k.x, k.work, k.work2);
  softmax_knots(k.raw.middleCols(K_ * D, K_ * D), D, min_h_, k.prob_h, k.y, k.work, k.work2);
  k.d.resize(N, (K_ + 1) * D);
  k.sig.resize(N, (K_ - 1) * D);
  k.d.leftCols(D).setOnes();
  k.d.rightCols(D).setOnes();
  if (K_ > 1) {
    // softplus(r) = log(1 + e^r) = max(r, 0) + log(1 + e^−|r|) (no overflow), and its derivative
    // sigmoid(r) = (1 + tanh(r/2)) / 2.
    const auto r = k.raw.rightCols((K_ - 1) * D).array();
    k.sig.array() = T(0.5) + T(0.5) * (T(0.5) * r).tanh();
    k.work.array() = (-r.abs()).exp();
    k.d.middleCols(D, (K_ - 1) * D).array() = min_d_ + r.max(T(0)) + (T(1) + k.work.array()).log();
  }
}

template <typename T>
int RationalQuadraticSpline<T>::bin_of(const T* knot, Eigen::Index stride, T v) const {
  int k = 0;
  while (k < K_ - 1 && v >= knot[(k + 1) * stride]) ++k;
  return k;
}

template <typename T>
void RationalQuadraticSpline<T>::forward(const Eigen::Ref<const Mat<T>>& u, SplineKnots<T>& kn, Eigen::Ref<Mat<T>> v,
                                         Eigen::Ref<Vec<T>> log_det) const {
  const Eigen::Index D = u.rows(), N = u.cols();
  Mat<T>& ratio = kn.work;  // g'(u), logged in one vectorised pass below
  ratio.resize(D, N);
  for (Eigen::Index n = 0; n < N; ++n)
    for (Eigen::Index i = 0; i < D; ++i) {
      const T x = u(i, n);
      if (x < -B_ || x > B_) {
        v(i, n) = x;
        ratio(i, n) = T(1);
        continue;
      }
      const Eigen::Index at = i * N + n;  // knot j of this element is at at + j·D·N
      const T *X = kn.x.data() + at, *Y = kn.y.data() + at, *Dd = kn.d.data() + at;
      const Bin<T> b = bin_from(bin_of(X, D * N, x), X, Y, Dd, D * N);
      const T xi = (x - b.xk) / b.wk, t = xi * (T(1) - xi);
      const T den = b.s + (b.dk + b.dk1 - T(2) * b.s) * t;
      v(i, n) = b.yk + b.hk * (b.s * xi * xi + b.dk * t) / den;
      const T Q = b.dk1 * xi * xi + T(2) * b.s * t + b.dk * (T(1) - xi) * (T(1) - xi);
      ratio(i, n) = b.s * b.s * Q / (den * den);
    }
  log_det.noalias() += ratio.array().log().colwise().sum().matrix().transpose();
}

template <typename T>
void RationalQuadraticSpline<T>::inverse_feature(int i, const Eigen::Ref<const Mat<T>>& z, const SplineKnots<T>& kn,
                                                 Eigen::Ref<Mat<T>> out) const {
  const Eigen::Index D = z.rows(), N = z.cols();
  for (Eigen::Index n = 0; n < N; ++n) {
    const T zv = z(i, n);
    if (zv < -B_ || zv > B_) {
      out(i, n) = zv;
      continue;
    }
    const Eigen::Index at = i * N + n;
    const T *X = kn.x.data() + at, *Y = kn.y.data() + at, *Dd = kn.d.data() + at;
    const Bin<T> b = bin_from(bin_of(Y, D * N, zv), X, Y, Dd, D * N);
    // (z − y_k)·den = Δy(σξ² + δ_k ξ(1−ξ)) is a·ξ² + b·ξ + c = 0; the root in [0, 1] in the
    // cancellation-free form 2c / (−b − √(b² − 4ac)).
    const T dz = zv - b.yk, A = b.dk + b.dk1 - T(2) * b.s;
    const T qa = b.hk * (b.s - b.dk) + dz * A, qb = b.hk * b.dk - dz * A, qc = -b.s * dz;
    const T disc = std::max(T(0), qb * qb - T(4) * qa * qc);
    out(i, n) = b.xk + T(2) * qc / (-qb - std::sqrt(disc)) * b.wk;
  }
}

template <typename T>
void RationalQuadraticSpline<T>::backward(const Eigen::Ref<const Mat<T>>& u, SplineKnots<T>& kn,
                                          const Eigen::Ref<const Mat<T>>& gv, const Eigen::Ref<const Vec<T>>& gl_all,
                                          Eigen::Ref<Mat<T>> d_raw, Eigen::Ref<Mat<T>> du) const {
  const Eigen::Index D = u.rows(), N = u.cols(), S = D * N;  // S: from knot j to knot j + 1
  const int P = params_per_dim();
  kn.d_raw.resize(N, P * D);
  const T cw = T(2) * B_ * (T(1) - static_cast<T>(K_) * min_w_), ch = T(2) * B_ * (T(1) - static_cast<T>(K_) * min_h_);
  for (Eigen::Index n = 0; n < N; ++n)
    for (Eigen::Index i = 0; i < D; ++i) {
      const T x = u(i, n), gz = gv(i, n), gl = gl_all(n);
      const Eigen::Index at = i * N + n;
      T* dp = kn.d_raw.data() + at;
      for (int j = 0; j < P; ++j) dp[j * S] = 0;
      if (x < -B_ || x > B_) {  // identity tails: no parameter enters
        du(i, n) = gz;
        continue;
      }
      const T *X = kn.x.data() + at, *Y = kn.y.data() + at, *Dd = kn.d.data() + at;
      const Bin<T> b = bin_from(bin_of(X, S, x), X, Y, Dd, S);
      const int k = b.k;
      const T s = b.s, dk = b.dk, dk1 = b.dk1, wk = b.wk, hk = b.hk;
      const T xi = (x - b.xk) / wk, om = T(1) - xi, t = xi * om, tp = T(1) - T(2) * xi;  // tp = dt/dξ
      const T A = dk + dk1 - T(2) * s;
      const T den = s + A * t, inner = s * xi * xi + dk * t;  // z = y_k + Δy·inner/den
      const T Q = dk1 * xi * xi + T(2) * s * t + dk * om * om;  // log g' = 2 log σ + log Q − 2 log den
      const T den2 = den * den;
      // Partial derivatives of z and of log g' with respect to ξ, σ, δ_k, δ_{k+1}.
      const T dz_dxi = hk * ((T(2) * s * xi + dk * tp) * den - inner * A * tp) / den2;
      const T dz_ds = hk * (xi * xi * den - inner * (T(1) - T(2) * t)) / den2;
      const T dz_ddk = hk * t * (den - inner) / den2;
      const T dz_ddk1 = -hk * inner * t / den2;
      const T dl_dxi = (T(2) * dk1 * xi + T(2) * s * tp - T(2) * dk * om) / Q - T(2) * A * tp / den;
      const T dl_ds = T(2) / s + T(2) * t / Q - T(2) * (T(1) - T(2) * t) / den;
      const T dl_ddk = om * om / Q - T(2) * t / den;
      const T dl_ddk1 = xi * xi / Q - T(2) * t / den;
      const T g_xi = gz * dz_dxi + gl * dl_dxi, g_s = gz * dz_ds + gl * dl_ds;
      const T g_dk = gz * dz_ddk + gl * dl_ddk, g_dk1 = gz * dz_ddk1 + gl * dl_ddk1;
      // ξ = (x − x_k)/Δx, σ = Δy/Δx, Δx = x_{k+1} − x_k, Δy = y_{k+1} − y_k.
      const T g_wk = -(g_xi * xi + g_s * s) / wk, g_hk = gz * inner / den + g_s / wk;
      const T gx[2] = {-g_xi / wk - g_wk, g_wk};  // d/dx_k, d/dx_{k+1}
      const T gy[2] = {gz - g_hk, g_hk};          // d/dy_k, d/dy_{k+1}
      // Knot j (1 ≤ j ≤ K−1) is −B + 2B Σ_{l<j} (m + (1 − K·m)·prob_l); knots 0 and K are fixed,
      // so dL/dprob_l = c·Σ_{j ∈ {k, k+1}, 1 ≤ j ≤ K−1, j > l} dL/dx_j; then the softmax.
      auto to_raw = [&](const T* g_knot, const T* prob, T c, T* d) {
        const T g_lo = (k >= 1 ? g_knot[0] : T(0)) * c, g_hi = (k + 1 <= K_ - 1 ? g_knot[1] : T(0)) * c;
        T dot = 0;
        for (int l = 0; l <= k; ++l) dot += prob[l * S] * (l < k ? g_lo + g_hi : g_hi);
        for (int l = 0; l < K_; ++l) {
          const T g_prob = l < k ? g_lo + g_hi : l == k ? g_hi : T(0);
          d[l * S] = scale_ * prob[l * S] * (g_prob - dot);
        }
      };
      to_raw(gx, kn.prob_w.data() + at, cw, dp);
      to_raw(gy, kn.prob_h.data() + at, ch, dp + K_ * S);
      // δ_j = m + softplus(raw_{j−1}), softplus' = sigmoid; δ_0 = δ_K = 1 are fixed.
      const T* sig = kn.sig.data() + at;
      if (k >= 1) dp[(2 * K_ + k - 1) * S] = g_dk * sig[(k - 1) * S];
      if (k + 1 <= K_ - 1) dp[(2 * K_ + k) * S] = g_dk1 * sig[k * S];
      du(i, n) = g_xi / wk;
    }
  d_raw = kn.d_raw.transpose();
}

template class RationalQuadraticSpline<float>;
template class RationalQuadraticSpline<double>;

}  // namespace nsbi::nn
