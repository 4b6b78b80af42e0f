#include "nsbi/farm/simulation_bank.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nsbi {
namespace {

SimulationBank small_bank() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SimulationBank b;
  b.theta.resize(2, 4);
  b.theta << 1, 2, 3, 4, 5, 6, 7, 8;
  Eigen::MatrixXd x(1, 4);
  x << 10, nan, 30, nan;
  b.x = BankX::from(x);
  b.status = {SimStatus::ok, SimStatus::crashed, SimStatus::ok, SimStatus::non_finite};
  b.attempts = {1, 3, 2, 1};
  return b;
}

TEST(SimulationBankTest, ValidPairsAreTheOkColumnsInIndexOrder) {
  const SimulationBank b = small_bank();
  Eigen::MatrixXd t(2, 2), x(1, 2);
  t << 1, 3, 5, 7;
  x << 10, 30;
  EXPECT_EQ(b.valid_theta(), t);
  EXPECT_EQ(b.valid_x(), x);
}

TEST(SimulationBankTest, CountsByStatusAndRetries) {
  const SimulationBank b = small_bank();
  const auto c = b.counts();
  EXPECT_EQ(c[static_cast<int>(SimStatus::ok)], 2u);
  EXPECT_EQ(c[static_cast<int>(SimStatus::crashed)], 1u);
  EXPECT_EQ(c[static_cast<int>(SimStatus::non_finite)], 1u);
  EXPECT_EQ(c[static_cast<int>(SimStatus::timeout)], 0u);
  EXPECT_EQ(b.retries(), 3u);
  EXPECT_EQ(b.size(), 4u);
}

TEST(SimulationBankTest, EmptyBankHasNoValidPairs) {
  SimulationBank b;
  b.theta.resize(3, 0);
  b.x = BankX(2, 0);
  EXPECT_EQ(b.valid_theta().rows(), 3);
  EXPECT_EQ(b.valid_theta().cols(), 0);
  EXPECT_EQ(b.counts()[0], 0u);
}

// x is float; copies and column views share its storage; append joins θ, x and the per-row
// fields, append_rows everything but x.
TEST(SimulationBankTest, XIsSharedFloatStorage) {
  SimulationBank a = small_bank();
  const SimulationBank copy = a;
  EXPECT_TRUE(copy.x.shares_storage(a.x));
  a.x.writable()(0, 0) = 11.5f;
  EXPECT_EQ(copy.x.matrix()(0, 0), 11.5f);
  const BankX tail = a.x.columns(2, 2);
  EXPECT_EQ(tail.cols(), 2);
  EXPECT_EQ(tail.matrix()(0, 0), 30.0f);
  EXPECT_EQ(tail.col(0)(0), 30.0);
  EXPECT_TRUE(std::isnan(a.x.col(3)(0)));
  EXPECT_EQ(BankX::from(Eigen::MatrixXd::Constant(1, 1, 0.1)).matrix()(0, 0), 0.1f);  // rounded to float

  SimulationBank joined = a;
  joined.append(small_bank());
  EXPECT_EQ(joined.size(), 8u);
  EXPECT_FALSE(joined.x.shares_storage(a.x));
  EXPECT_EQ(joined.x.cols(), 8);
  EXPECT_EQ(joined.x.matrix()(0, 4), 10.0f);
  EXPECT_EQ(joined.x.matrix()(0, 0), 11.5f);
  EXPECT_EQ(joined.theta(1, 6), 7.0);
  EXPECT_EQ(joined.attempts[5], 3u);

  SimulationBank rows = a;
  rows.append_rows(small_bank());
  EXPECT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows.theta.cols(), 8);
  EXPECT_EQ(rows.x.cols(), 4);  // x is the caller's to extend
  EXPECT_TRUE(rows.x.shares_storage(a.x));
}

}  // namespace
}  // namespace nsbi
