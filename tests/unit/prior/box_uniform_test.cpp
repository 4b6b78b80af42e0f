#include "nsbi/prior/box_uniform.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"
#include "prior_test_util.hpp"

namespace nsbi {
namespace {

Eigen::VectorXd vec(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out(i++) = x;
  return out;
}

BoxUniform make_box() { return BoxUniform(vec({-1.0, 0.0, 2.0}), vec({1.0, 0.5, 10.0})); }

TEST(BoxUniformTest, LogProbIsMinusLogVolumeInsideAndMinusInfOutside) {
  const BoxUniform box = make_box();
  const double log_volume = std::log(2.0 * 0.5 * 8.0);
  Eigen::MatrixXd theta(3, 5);
  theta << 0.0, -1.0, 1.1, 0.0, 0.3,  //
      0.2, 0.0, 0.2, -1e-12, 0.49,    //
      5.0, 10.0, 5.0, 5.0, 2.0;
  const Eigen::VectorXd lp = box.log_prob(theta);
  EXPECT_NEAR(lp(0), -log_volume, 1e-14);
  EXPECT_NEAR(lp(1), -log_volume, 1e-14);  // closed box: the corner is inside
  EXPECT_EQ(lp(2), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(lp(3), -std::numeric_limits<double>::infinity());
  EXPECT_NEAR(lp(4), -log_volume, 1e-14);
}

TEST(BoxUniformTest, SupportBoundsAndMoments) {
  const BoxUniform box = make_box();
  EXPECT_EQ(box.dim(), 3);
  EXPECT_TRUE(box.bounded());
  EXPECT_EQ(box.lower(), vec({-1.0, 0.0, 2.0}));
  EXPECT_EQ(box.upper(), vec({1.0, 0.5, 10.0}));
  EXPECT_TRUE(box.mean().isApprox(vec({0.0, 0.25, 6.0})));
  // Var U(a, b) = (b − a)²/12.
  EXPECT_TRUE(box.stddev().isApprox(vec({2.0, 0.5, 8.0}) / std::sqrt(12.0)));
  EXPECT_TRUE(box.in_support(vec({1.0, 0.5, 2.0})));
  EXPECT_FALSE(box.in_support(vec({1.0, 0.51, 2.0})));
  EXPECT_FALSE(box.in_support(vec({std::nan(""), 0.1, 3.0})));
}

TEST(BoxUniformTest, SampleMomentsMatchClosedForm) {
  test::expect_sample_moments(make_box(), 20000);
  test::expect_sample_blocks_reproducible(make_box());
}

TEST(BoxUniformTest, SamplesFillTheBoxUniformly) {
  // Each half of each dimension gets half of the draws (binomial, 5 standard errors).
  const BoxUniform box = make_box();
  const Eigen::MatrixXd theta = box.sample(5, StreamId::proposal, 0, 0, 20000);
  const Eigen::VectorXd mid = box.mean();
  for (int i = 0; i < 3; ++i) {
    const double frac = (theta.row(i).array() < mid(i)).cast<double>().mean();
    EXPECT_NEAR(frac, 0.5, 5 * 0.5 / std::sqrt(20000.0));
  }
}

TEST(BoxUniformTest, BijectionRoundTripAndJacobian) {
  const BoxUniform box = make_box();
  const Eigen::MatrixXd theta = box.sample(9, StreamId::proposal, 0, 0, 50);
  test::expect_bijection_round_trip(box, theta);
  Eigen::MatrixXd u(3, 4);
  u << 0.0, -3.0, 8.0, 0.5,  //
      1.0, 2.5, -7.0, 0.0,   //
      -0.3, 0.0, 1.0, 12.0;
  test::expect_log_abs_det_jacobian_matches_finite_differences(box, u);
  // Centre of the box ↔ u = 0; θ = T(u) stays inside the box for large |u|.
  EXPECT_TRUE(box.to_unconstrained(box.mean()).isZero(1e-12));
  Eigen::MatrixXd far(3, 1);
  far << 800.0, -800.0, 40.0;
  const Eigen::MatrixXd t = box.from_unconstrained(far);
  EXPECT_TRUE(box.in_support(t.col(0)));
  // log σ(u) + log σ(−u) ≈ −|u| in the tails: finite, no overflow to NaN.
  const double ladj_far = box.log_abs_det_jacobian(far)(0);
  EXPECT_TRUE(std::isfinite(ladj_far));
  EXPECT_NEAR(ladj_far, std::log(2.0 * 0.5 * 8.0) - 800.0 - 800.0 - 40.0, 1e-9);
}

TEST(BoxUniformTest, RejectsInvalidBounds) {
  EXPECT_THROW(BoxUniform(vec({0.0, 0.0}), vec({1.0})), ShapeError);
  EXPECT_THROW(BoxUniform(Eigen::VectorXd(), Eigen::VectorXd()), ConfigError);
  EXPECT_THROW(BoxUniform(vec({0.0, 1.0}), vec({1.0, 1.0})), ConfigError);
  EXPECT_THROW(BoxUniform(vec({0.0}), vec({std::numeric_limits<double>::infinity()})), ConfigError);
  try {
    BoxUniform(vec({0.0, 2.0}), vec({1.0, 1.0}));
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("dimension 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("low < high"), std::string::npos) << e.what();
  }
}

TEST(BoxUniformTest, RejectsWrongThetaDimension) {
  const BoxUniform box = make_box();
  EXPECT_THROW(box.log_prob(Eigen::MatrixXd::Zero(2, 4)), ShapeError);
  EXPECT_THROW(box.to_unconstrained(Eigen::MatrixXd::Zero(4, 1)), ShapeError);
  EXPECT_THROW(box.in_support(Eigen::VectorXd::Zero(2)), ShapeError);
}

TEST(BoxUniformTest, DescribeNamesTheBounds) {
  EXPECT_EQ(make_box().describe(), "BoxUniform(low=[-1, 0, 2], high=[1, 0.5, 10])");
  EXPECT_EQ(BoxUniform(Eigen::VectorXd::Constant(10, -1), Eigen::VectorXd::Constant(10, 1)).describe(),
            "BoxUniform(low=-1 (all 10), high=1 (all 10))");
}

}  // namespace
}  // namespace nsbi
