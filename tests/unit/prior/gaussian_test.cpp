#include "nsbi/prior/gaussian.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>

#include "nsbi/core/error.hpp"
#include "prior_test_util.hpp"

namespace nsbi {
namespace {

Eigen::MatrixXd covariance3() {
  Eigen::MatrixXd s(3, 3);
  s << 2.0, 0.6, -0.3,  //
      0.6, 1.0, 0.2,    //
      -0.3, 0.2, 0.5;
  return s;
}
Eigen::VectorXd mean3() { return Eigen::Vector3d(1.0, -2.0, 0.5); }

TEST(GaussianTest, LogProbMatchesExplicitFormula) {
  const Gaussian g(mean3(), covariance3());
  const Eigen::MatrixXd sigma = covariance3(), inv = sigma.inverse();
  const double det = sigma.determinant();
  Eigen::MatrixXd theta(3, 4);
  theta << 0.0, 1.0, 3.0, -1.0,  //
      0.0, -2.0, 1.0, -4.0,      //
      0.0, 0.5, -1.0, 2.0;
  const Eigen::VectorXd lp = g.log_prob(theta);
  for (int j = 0; j < 4; ++j) {
    // log N(θ; μ, Σ) = −½ (θ−μ)ᵀ Σ⁻¹ (θ−μ) − ½ log det(2πΣ)
    const Eigen::Vector3d d = theta.col(j) - mean3();
    const double expected = -0.5 * d.dot(inv * d) - 0.5 * std::log(std::pow(2 * std::numbers::pi, 3) * det);
    EXPECT_NEAR(lp(j), expected, 1e-12) << "column " << j;
  }
}

TEST(GaussianTest, DiagonalLogProbIsSumOfUnivariateNormals) {
  const Gaussian g = Gaussian::diagonal(Eigen::Vector2d(0.5, -1.0), Eigen::Vector2d(0.3, 2.0));
  const Eigen::Vector2d theta(0.1, 1.5);
  double expected = 0;
  for (int i = 0; i < 2; ++i) {
    const double m = i ? -1.0 : 0.5, s = i ? 2.0 : 0.3;
    expected += -0.5 * std::pow((theta(i) - m) / s, 2) - std::log(s * std::sqrt(2 * std::numbers::pi));
  }
  EXPECT_NEAR(g.log_prob(theta)(0), expected, 1e-13);
  EXPECT_TRUE(g.stddev().isApprox(Eigen::Vector2d(0.3, 2.0)));
  EXPECT_TRUE(g.covariance().isApprox(Eigen::Vector2d(0.09, 4.0).asDiagonal().toDenseMatrix()));
}

TEST(GaussianTest, CholeskyFactorReproducesCovariance) {
  const Gaussian g(mean3(), covariance3());
  const Eigen::MatrixXd& l = g.cholesky_factor();
  EXPECT_TRUE((l * l.transpose()).isApprox(covariance3(), 1e-14));
  EXPECT_TRUE(l.isLowerTriangular());
}

TEST(GaussianTest, SampleMeanAndCovarianceMatch) {
  const Gaussian g(mean3(), covariance3());
  const Eigen::Index n = 40000;
  const Eigen::MatrixXd theta = test::expect_sample_moments(g, n);
  const Eigen::MatrixXd c = theta.colwise() - theta.rowwise().mean();
  const Eigen::MatrixXd cov = c * c.transpose() / static_cast<double>(n - 1);
  const Eigen::MatrixXd s = covariance3();
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) {
      // se of a Gaussian sample covariance: √((Σ_ii Σ_kk + Σ_ik²)/n).
      const double se = std::sqrt((s(i, i) * s(k, k) + s(i, k) * s(i, k)) / static_cast<double>(n));
      EXPECT_NEAR(cov(i, k), s(i, k), 5 * se) << i << "," << k;
    }
  test::expect_sample_blocks_reproducible(g);
}

TEST(GaussianTest, UnboundedIdentityBijection) {
  const Gaussian g(mean3(), covariance3());
  EXPECT_FALSE(g.bounded());
  EXPECT_TRUE(g.lower().array().isInf().all() && (g.lower().array() < 0).all());
  EXPECT_TRUE(g.upper().array().isInf().all() && (g.upper().array() > 0).all());
  EXPECT_TRUE(g.in_support(Eigen::Vector3d(1e300, -1e300, 0.0)));
  const Eigen::MatrixXd theta = g.sample(4, StreamId::proposal, 0, 0, 10);
  EXPECT_EQ(g.to_unconstrained(theta), theta);
  test::expect_bijection_round_trip(g, theta);
  test::expect_log_abs_det_jacobian_matches_finite_differences(g, theta);
  EXPECT_TRUE(g.log_abs_det_jacobian(theta).isZero(0.0));
}

TEST(GaussianTest, RejectsInvalidInput) {
  Eigen::MatrixXd asym = covariance3();
  asym(0, 1) += 0.1;
  EXPECT_THROW(Gaussian(mean3(), asym), ConfigError);
  Eigen::MatrixXd indefinite = covariance3();
  indefinite(2, 2) = -0.5;
  try {
    Gaussian(mean3(), indefinite);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("positive definite"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Gaussian(mean3(), Eigen::MatrixXd::Identity(2, 2)), ShapeError);
  EXPECT_THROW(Gaussian(mean3(), Eigen::MatrixXd::Identity(3, 2)), ShapeError);
  EXPECT_THROW(Gaussian(Eigen::VectorXd(), Eigen::MatrixXd()), ConfigError);
  EXPECT_THROW(Gaussian::diagonal(Eigen::Vector2d(0, 0), Eigen::Vector2d(1.0, 0.0)), ConfigError);
  EXPECT_THROW(Gaussian::diagonal(Eigen::Vector2d(0, 0), Eigen::Vector3d(1.0, 1.0, 1.0)), ShapeError);
  EXPECT_THROW(Gaussian::diagonal(Eigen::Vector2d(0, std::nan("")), Eigen::Vector2d(1.0, 1.0)), ConfigError);
}

TEST(GaussianTest, DescribeNamesMeanAndStddev) {
  EXPECT_EQ(Gaussian::diagonal(Eigen::VectorXd::Zero(3), Eigen::VectorXd::Constant(3, 2.0)).describe(),
            "Gaussian(mean=0 (all 3), stddev=2 (all 3))");
  EXPECT_NE(Gaussian(mean3(), covariance3()).describe().find("correlation"), std::string::npos);
}

}  // namespace
}  // namespace nsbi
