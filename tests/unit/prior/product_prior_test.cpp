#include "nsbi/prior/product_prior.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/prior/gaussian.hpp"
#include "nsbi/prior/log_normal.hpp"
#include "prior_test_util.hpp"

namespace nsbi {
namespace {

std::unique_ptr<Prior> box() { return std::make_unique<BoxUniform>(Eigen::Vector2d(-1, 0), Eigen::Vector2d(1, 3)); }
std::unique_ptr<Prior> lognormal() { return std::make_unique<LogNormal>(Eigen::VectorXd::Constant(1, -1.0), Eigen::VectorXd::Constant(1, 0.4)); }
std::unique_ptr<Prior> gaussian() {
  Eigen::Matrix2d s;
  s << 1.0, 0.5, 0.5, 2.0;
  return std::make_unique<Gaussian>(Eigen::Vector2d(3, -3), s);
}

ProductPrior make_product() {
  std::vector<std::unique_ptr<Prior>> parts;
  parts.push_back(box());
  parts.push_back(lognormal());
  parts.push_back(gaussian());
  return ProductPrior(std::move(parts));
}

TEST(ProductPriorTest, ConcatenatesDimensionsBoundsAndMoments) {
  const ProductPrior p = make_product();
  const auto b = box(), l = lognormal(), g = gaussian();
  EXPECT_EQ(p.dim(), 5);
  EXPECT_EQ(p.offset(0), 0);
  EXPECT_EQ(p.offset(1), 2);
  EXPECT_EQ(p.offset(2), 3);
  Eigen::VectorXd lower(5), mean(5), sd(5);
  lower << b->lower(), l->lower(), g->lower();
  mean << b->mean(), l->mean(), g->mean();
  sd << b->stddev(), l->stddev(), g->stddev();
  EXPECT_EQ(p.lower(), lower);
  EXPECT_EQ(p.mean(), mean);
  EXPECT_EQ(p.stddev(), sd);
  EXPECT_FALSE(p.bounded());
  EXPECT_EQ(p.describe(), "ProductPrior(" + b->describe() + ", " + l->describe() + ", " + g->describe() + ")");
}

TEST(ProductPriorTest, LogProbIsSumOfParts) {
  const ProductPrior p = make_product();
  const Eigen::MatrixXd theta = p.sample(1, StreamId::proposal, 0, 0, 6);
  const Eigen::VectorXd expected = box()->log_prob(theta.topRows(2)) + lognormal()->log_prob(theta.middleRows(2, 1)) +
                                   gaussian()->log_prob(theta.bottomRows(2));
  EXPECT_TRUE(p.log_prob(theta).isApprox(expected, 1e-14));
  Eigen::MatrixXd outside = theta;
  outside(2, 3) = -1.0;  // log-normal coordinate negative
  outside(0, 4) = 2.0;   // box coordinate out of range
  const Eigen::VectorXd lp = p.log_prob(outside);
  EXPECT_EQ(lp(3), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(lp(4), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isfinite(lp(0)));
  EXPECT_FALSE(p.in_support(outside.col(3)));
}

// A draw is the parts' draws in order from one stream.
TEST(ProductPriorTest, SampleTakesPartsInOrderFromOneStream) {
  const ProductPrior p = make_product();
  RandomStream a(5, StreamId::proposal, 1, 2), b(5, StreamId::proposal, 1, 2);
  Eigen::VectorXd theta(5), expected(5);
  p.sample(a, theta);
  box()->sample(b, expected.segment(0, 2));
  lognormal()->sample(b, expected.segment(2, 1));
  gaussian()->sample(b, expected.segment(3, 2));
  EXPECT_EQ(theta, expected);
  test::expect_sample_blocks_reproducible(p);
  test::expect_sample_moments(p, 30000);
}

TEST(ProductPriorTest, BlockwiseBijection) {
  const ProductPrior p = make_product();
  const Eigen::MatrixXd theta = p.sample(8, StreamId::proposal, 0, 0, 10);
  test::expect_bijection_round_trip(p, theta);
  const Eigen::MatrixXd u = p.to_unconstrained(theta);
  EXPECT_TRUE(u.middleRows(2, 1).isApprox(theta.middleRows(2, 1).array().log().matrix()));
  test::expect_log_abs_det_jacobian_matches_finite_differences(p, u);
}

TEST(ProductPriorTest, RejectsEmptyOrNullParts) {
  EXPECT_THROW(ProductPrior(std::vector<std::unique_ptr<Prior>>{}), ConfigError);
  std::vector<std::unique_ptr<Prior>> parts;
  parts.push_back(box());
  parts.push_back(nullptr);
  EXPECT_THROW(ProductPrior(std::move(parts)), ConfigError);
  EXPECT_THROW(make_product().log_prob(Eigen::MatrixXd::Zero(4, 1)), ShapeError);
}

}  // namespace
}  // namespace nsbi
