#include "nsbi/mcmc/convergence.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "nsbi/core/error.hpp"

namespace nsbi::mcmc {

namespace {

void check(const Eigen::Ref<const Eigen::MatrixXd>& draws) {
  if (draws.rows() < 4 || draws.cols() < 1)
    throw ShapeError(make_message("mcmc diagnostics", "draws", "at least 4 per chain and one chain",
                                  std::to_string(draws.rows()) + " × " + std::to_string(draws.cols()) + " chains"));
}

/// The chains cut in halves: (n/2)×2C.
Eigen::MatrixXd split(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const Eigen::Index half = x.rows() / 2, C = x.cols();
  Eigen::MatrixXd out(half, 2 * C);
  for (Eigen::Index c = 0; c < C; ++c) {
    out.col(2 * c) = x.col(c).head(half);
    out.col(2 * c + 1) = x.col(c).tail(half);
  }
  return out;
}

/// Φ⁻¹ of the average ranks over all entries (ties share their mean rank).
Eigen::MatrixXd rank_normalise(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const Eigen::Index S = x.size();
  std::vector<Eigen::Index> idx(static_cast<std::size_t>(S));
  std::iota(idx.begin(), idx.end(), 0);
  const double* v = x.data();
  std::stable_sort(idx.begin(), idx.end(), [&](Eigen::Index a, Eigen::Index b) { return v[a] < v[b]; });
  Eigen::MatrixXd z(x.rows(), x.cols());
  const boost::math::normal normal;
  for (Eigen::Index i = 0; i < S;) {
    Eigen::Index j = i;
    while (j + 1 < S && v[idx[j + 1]] == v[idx[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;  // 1-based average rank
    const double p = (rank - 0.375) / (static_cast<double>(S) + 0.25);
    const double q = boost::math::quantile(normal, p);
    for (Eigen::Index k = i; k <= j; ++k) z.data()[idx[k]] = q;
    i = j + 1;
  }
  return z;
}

double plain_rhat(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const double n = static_cast<double>(x.rows());
  const Eigen::VectorXd means = x.colwise().mean().transpose();
  double W = 0;
  for (Eigen::Index c = 0; c < x.cols(); ++c) W += (x.col(c).array() - means(c)).square().sum() / (n - 1);
  W /= static_cast<double>(x.cols());
  const double B = x.cols() > 1 ? n * (means.array() - means.mean()).square().sum() / (x.cols() - 1.0) : 0.0;
  if (W <= 0) return std::numeric_limits<double>::quiet_NaN();
  const double var_plus = (n - 1) / n * W + B / n;
  return std::sqrt(var_plus / W);
}

double median(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  std::vector<double> v(x.data(), x.data() + x.size());
  const std::size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m), v.end());
  double hi = v[m];
  if (v.size() % 2) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m));
  return 0.5 * (lo + hi);
}

/// The q-quantile with linear interpolation between order statistics (numpy's default).
double quantile(const Eigen::Ref<const Eigen::MatrixXd>& x, double q) {
  std::vector<double> v(x.data(), x.data() + x.size());
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

double ess(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const Eigen::Index n = x.rows(), C = x.cols();
  const double nd = static_cast<double>(n);
  const Eigen::MatrixXd centred = x.rowwise() - x.colwise().mean();
  const Eigen::VectorXd means = x.colwise().mean().transpose();
  // acov_c(t) = (1/n) Σ_i (x_i − m_c)(x_{i+t} − m_c), averaged over chains, computed lag by lag
  // only as far as the sequence runs.
  auto mean_acov = [&](Eigen::Index t) {
    double s = 0;
    for (Eigen::Index c = 0; c < C; ++c)
      s += centred.col(c).head(n - t).dot(centred.col(c).tail(n - t));
    return s / (nd * static_cast<double>(C));
  };
  const double acov0 = mean_acov(0);
  const double mean_var = acov0 * nd / (nd - 1.0);
  double var_plus = mean_var * (nd - 1.0) / nd;
  if (C > 1) var_plus += (means.array() - means.mean()).square().sum() / (static_cast<double>(C) - 1.0);
  if (!(var_plus > 0)) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> rho(static_cast<std::size_t>(n), 0.0);
  rho[0] = 1.0;
  auto rho_at = [&](Eigen::Index t) { return 1.0 - (mean_var - mean_acov(t)) / var_plus; };
  double even = 1.0, odd = rho_at(1);
  rho[1] = odd;
  Eigen::Index t = 1;
  while (t < n - 3 && even + odd > 0.0) {
    even = rho_at(t + 1);
    odd = rho_at(t + 2);
    if (even + odd >= 0) {
      rho[static_cast<std::size_t>(t + 1)] = even;
      rho[static_cast<std::size_t>(t + 2)] = odd;
    }
    t += 2;
  }
  const Eigen::Index max_t = t - 2;
  if (even > 0 && max_t + 1 < n) rho[static_cast<std::size_t>(max_t + 1)] = even;
  // Geyer's initial monotone sequence.
  for (t = 1; t <= max_t - 2; t += 2) {
    const auto i = static_cast<std::size_t>(t);
    if (rho[i + 1] + rho[i + 2] > rho[i - 1] + rho[i]) {
      rho[i + 1] = (rho[i - 1] + rho[i]) / 2.0;
      rho[i + 2] = rho[i + 1];
    }
  }
  const double total = nd * static_cast<double>(C);
  double tau = -1.0;
  for (Eigen::Index i = 0; i <= max_t; ++i) tau += 2.0 * rho[static_cast<std::size_t>(i)];
  if (max_t + 1 < n) tau += rho[static_cast<std::size_t>(max_t + 1)];
  tau = std::max(tau, 1.0 / std::log10(total));
  return total / tau;
}

double split_rhat(const Eigen::Ref<const Eigen::MatrixXd>& draws) {
  check(draws);
  const Eigen::MatrixXd s = split(draws);
  const double bulk = plain_rhat(rank_normalise(s));
  const double m = median(s);
  const double tail = plain_rhat(rank_normalise((s.array() - m).abs().matrix()));
  return std::max(bulk, tail);
}

double ess_bulk(const Eigen::Ref<const Eigen::MatrixXd>& draws) {
  check(draws);
  return ess(rank_normalise(split(draws)));
}

double ess_tail(const Eigen::Ref<const Eigen::MatrixXd>& draws) {
  check(draws);
  const double q05 = quantile(draws, 0.05), q95 = quantile(draws, 0.95);
  const Eigen::MatrixXd s = split(draws);
  const Eigen::MatrixXd lo = (s.array() <= q05).cast<double>(), hi = (s.array() <= q95).cast<double>();
  return std::min(ess(lo), ess(hi));
}

}  // namespace nsbi::mcmc
