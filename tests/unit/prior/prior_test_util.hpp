#pragma once
// Checks every prior must pass, against independent computations: bijection round trip,
// log|det J| against a finite-difference Jacobian, sample moments against mean()/stddev(),
// and block reproducibility of Prior::sample.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>

#include "nsbi/prior/prior.hpp"

namespace nsbi::test {

/// T(T⁻¹(θ)) = θ for θ in the support, and T⁻¹(T(u)) = u.
inline void expect_bijection_round_trip(const Prior& prior, const Eigen::MatrixXd& theta, double tol = 1e-10) {
  const Eigen::MatrixXd u = prior.to_unconstrained(theta);
  ASSERT_TRUE(u.allFinite());
  const Eigen::MatrixXd back = prior.from_unconstrained(u);
  EXPECT_LT((back - theta).cwiseAbs().maxCoeff(), tol * (1.0 + theta.cwiseAbs().maxCoeff()));
  const Eigen::MatrixXd u_back = prior.to_unconstrained(prior.from_unconstrained(u));
  EXPECT_LT((u_back - u).cwiseAbs().maxCoeff(), 1e3 * tol * (1.0 + u.cwiseAbs().maxCoeff()));
}

/// log|det ∂T/∂u| per column against log|det| of a central-difference Jacobian.
inline void expect_log_abs_det_jacobian_matches_finite_differences(const Prior& prior, const Eigen::MatrixXd& u) {
  const Eigen::VectorXd ladj = prior.log_abs_det_jacobian(u);
  ASSERT_EQ(ladj.size(), u.cols());
  const int d = prior.dim();
  for (Eigen::Index j = 0; j < u.cols(); ++j) {
    Eigen::MatrixXd jac(d, d);
    for (int k = 0; k < d; ++k) {
      const double h = 1e-5 * (1.0 + std::abs(u(k, j)));
      Eigen::MatrixXd plus = u.col(j), minus = u.col(j);
      plus(k) += h, minus(k) -= h;
      jac.col(k) = (prior.from_unconstrained(plus) - prior.from_unconstrained(minus)) / (2 * h);
    }
    const double fd = std::log(std::abs(jac.fullPivLu().determinant()));
    EXPECT_NEAR(ladj(j), fd, 1e-6 * (1.0 + std::abs(fd))) << "column " << j;
  }
}

/// n draws: all in the support with finite log_prob; per-dimension sample mean within 5 standard
/// errors of mean() and sample variance within 5 standard errors of stddev()²
/// (se of the variance estimated from the sample's fourth central moment). Returns the draws.
inline Eigen::MatrixXd expect_sample_moments(const Prior& prior, Eigen::Index n, std::uint64_t seed = 2024) {
  const Eigen::MatrixXd theta = prior.sample(seed, StreamId::proposal, 0, 0, n);
  EXPECT_EQ(theta.rows(), prior.dim());
  EXPECT_EQ(theta.cols(), n);
  EXPECT_TRUE(prior.log_prob(theta).allFinite());
  for (Eigen::Index j = 0; j < n; ++j) EXPECT_TRUE(prior.in_support(theta.col(j))) << "draw " << j;
  const Eigen::VectorXd mu = prior.mean(), sd = prior.stddev();
  const double dn = static_cast<double>(n);
  for (int i = 0; i < prior.dim(); ++i) {
    const Eigen::ArrayXd row = theta.row(i).transpose().array();
    const double m = row.mean();
    const Eigen::ArrayXd c = row - m;
    const double var = c.square().sum() / (dn - 1), m4 = c.pow(4).mean();
    EXPECT_NEAR(m, mu(i), 5 * sd(i) / std::sqrt(dn)) << "dimension " << i;
    EXPECT_NEAR(var, sd(i) * sd(i), 5 * std::sqrt((m4 - var * var) / dn)) << "dimension " << i;
  }
  return theta;
}

/// Any block of Prior::sample equals the same columns of a larger call, and each column equals
/// one draw from RandomStream(seed, stream, round, index).
inline void expect_sample_blocks_reproducible(const Prior& prior) {
  const Eigen::MatrixXd all = prior.sample(77, StreamId::posterior, 3, 0, 20);
  const Eigen::MatrixXd block = prior.sample(77, StreamId::posterior, 3, 10, 5);
  EXPECT_EQ(block, all.middleCols(10, 5));
  Eigen::VectorXd one(prior.dim());
  RandomStream rng(77, StreamId::posterior, 3, 13);
  prior.sample(rng, one);
  EXPECT_EQ(one, all.col(13));
  EXPECT_NE(all.col(0), all.col(1));
  EXPECT_NE(prior.sample(78, StreamId::posterior, 3, 0, 1), all.col(0));
}

}  // namespace nsbi::test
