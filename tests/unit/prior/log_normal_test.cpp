#include "nsbi/prior/log_normal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "nsbi/core/error.hpp"
#include "prior_test_util.hpp"

namespace nsbi {
namespace {

// sbibm's SIR prior: β ~ LogNormal(log 0.4, 0.5), γ ~ LogNormal(log 0.125, 0.2).
LogNormal make_sir_prior() { return LogNormal(Eigen::Vector2d(std::log(0.4), std::log(0.125)), Eigen::Vector2d(0.5, 0.2)); }

TEST(LogNormalTest, LogProbMatchesDensityFormula) {
  const LogNormal p = make_sir_prior();
  Eigen::MatrixXd theta(2, 3);
  theta << 0.4, 0.1, 1.7,  //
      0.125, 0.2, 0.05;
  const Eigen::VectorXd lp = p.log_prob(theta);
  const double m[2] = {std::log(0.4), std::log(0.125)}, s[2] = {0.5, 0.2};
  for (int j = 0; j < 3; ++j) {
    // density 1/(x s √(2π)) · exp(−(ln x − m)²/(2 s²)), product over dimensions
    double density = 1;
    for (int i = 0; i < 2; ++i) {
      const double x = theta(i, j);
      density *= std::exp(-std::pow(std::log(x) - m[i], 2) / (2 * s[i] * s[i])) / (x * s[i] * std::sqrt(2 * std::numbers::pi));
    }
    EXPECT_NEAR(lp(j), std::log(density), 1e-12) << "column " << j;
  }
}

TEST(LogNormalTest, ZeroOrNegativeIsOutsideTheSupport) {
  const LogNormal p = make_sir_prior();
  Eigen::MatrixXd theta(2, 3);
  theta << 0.0, -0.1, 0.3,  //
      0.1, 0.1, std::numeric_limits<double>::infinity();
  const Eigen::VectorXd lp = p.log_prob(theta);
  for (int j = 0; j < 3; ++j) EXPECT_EQ(lp(j), -std::numeric_limits<double>::infinity()) << j;
  EXPECT_FALSE(p.bounded());
  EXPECT_EQ(p.lower(), Eigen::Vector2d::Zero());
  EXPECT_TRUE(p.upper().array().isInf().all());
  EXPECT_FALSE(p.in_support(Eigen::Vector2d(-0.1, 0.1)));
  EXPECT_TRUE(p.in_support(Eigen::Vector2d(0.1, 100.0)));
}

TEST(LogNormalTest, SampleMomentsMatchClosedForm) {
  const LogNormal p = make_sir_prior();
  // E θ = exp(m + s²/2), sd θ = E θ · √(exp(s²) − 1), by hand for β.
  EXPECT_NEAR(p.mean()(0), 0.4 * std::exp(0.125), 1e-14);
  EXPECT_NEAR(p.stddev()(0), 0.4 * std::exp(0.125) * std::sqrt(std::exp(0.25) - 1), 1e-14);
  const Eigen::MatrixXd theta = test::expect_sample_moments(p, 40000);
  // log θ is N(m, s²): check its moments too.
  const Eigen::ArrayXd log_beta = theta.row(0).transpose().array().log();
  EXPECT_NEAR(log_beta.mean(), std::log(0.4), 5 * 0.5 / std::sqrt(40000.0));
  EXPECT_NEAR(std::sqrt((log_beta - log_beta.mean()).square().mean()), 0.5, 5 * 0.5 / std::sqrt(2 * 40000.0));
  test::expect_sample_blocks_reproducible(p);
}

TEST(LogNormalTest, ExpBijection) {
  const LogNormal p = make_sir_prior();
  const Eigen::MatrixXd theta = p.sample(3, StreamId::proposal, 0, 0, 20);
  test::expect_bijection_round_trip(p, theta);
  EXPECT_TRUE(p.to_unconstrained(theta).isApprox(theta.array().log().matrix()));
  Eigen::MatrixXd u(2, 3);
  u << -2.0, 0.0, 1.5,  //
      0.3, -4.0, 2.0;
  test::expect_log_abs_det_jacobian_matches_finite_differences(p, u);
}

TEST(LogNormalTest, RejectsInvalidInput) {
  EXPECT_THROW(LogNormal(Eigen::Vector2d(0, 0), Eigen::Vector3d(1, 1, 1)), ShapeError);
  EXPECT_THROW(LogNormal(Eigen::Vector2d(0, 0), Eigen::Vector2d(1, -1)), ConfigError);
  EXPECT_THROW(LogNormal(Eigen::Vector2d(0, std::nan("")), Eigen::Vector2d(1, 1)), ConfigError);
  EXPECT_THROW(LogNormal(Eigen::VectorXd(), Eigen::VectorXd()), ConfigError);
  try {
    LogNormal(Eigen::Vector2d(0, 0), Eigen::Vector2d(1, 0));
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("log_stddev[1]"), std::string::npos) << e.what();
  }
}

TEST(LogNormalTest, Describe) {
  EXPECT_EQ(LogNormal(Eigen::Vector2d(-3, -3), Eigen::Vector2d(0.5, 0.5)).describe(),
            "LogNormal(log_mean=-3 (all 2), log_stddev=0.5 (all 2))");
}

}  // namespace
}  // namespace nsbi
