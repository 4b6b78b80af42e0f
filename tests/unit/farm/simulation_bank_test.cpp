#include "nsbi/farm/simulation_bank.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace nsbi {
namespace {

SimulationBank small_bank() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SimulationBank b;
  b.theta.resize(2, 4);
  b.theta << 1, 2, 3, 4, 5, 6, 7, 8;
  b.x.resize(1, 4);
  b.x << 10, nan, 30, nan;
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
  b.x.resize(2, 0);
  EXPECT_EQ(b.valid_theta().rows(), 3);
  EXPECT_EQ(b.valid_theta().cols(), 0);
  EXPECT_EQ(b.counts()[0], 0u);
}

}  // namespace
}  // namespace nsbi
