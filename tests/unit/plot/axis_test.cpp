#include "nsbi/plot/axis.hpp"

#include <gtest/gtest.h>

namespace nsbi::plot {
namespace {

TEST(AxisTest, NiceTicksAreMultiplesOfOneTwoOrFive) {
  EXPECT_EQ(nice_ticks(-0.93, 0.93, 5), (std::vector<double>{-0.5, 0, 0.5}));
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0.5, 137.5, 8), (std::vector<double>{20, 40, 60, 80, 100, 120}));
  const auto t = nice_ticks(1.0001, 1.0009, 4);
  ASSERT_GE(t.size(), 2u);
  for (const double v : t) {
    EXPECT_GE(v, 1.0001);
    EXPECT_LE(v, 1.0009);
  }
  // Step 5 would leave one tick inside: the next smaller step, 2, not a crowd of 1s.
  EXPECT_EQ(nice_ticks(-4.4, 4.4, 3), (std::vector<double>{-4, -2, 0, 2, 4}));
  EXPECT_TRUE(nice_ticks(1, 1, 4).empty());
}

TEST(AxisTest, TickLabelsHaveTheStepsDecimalsAndAUnicodeMinus) {
  EXPECT_EQ(tick_label(0.5, 0.5), "0.5");
  EXPECT_EQ(tick_label(-0.5, 0.5), "\u22120.5");
  EXPECT_EQ(tick_label(-1e-17, 0.5), "0.0");
  EXPECT_EQ(tick_label(20, 20), "20");
  EXPECT_EQ(tick_label(0.25, 0.25), "0.25");
  EXPECT_EQ(tick_label(3e6, 1e6), "3e+06");
}

TEST(AxisTest, ParameterLabelsUseSubscripts) {
  EXPECT_EQ(parameter_label("theta_1"), "\u03B8\u2081");
  EXPECT_EQ(parameter_label("theta_10"), "\u03B8\u2081\u2080");
  EXPECT_EQ(parameter_label("parameter_1"), "parameter_1");
  EXPECT_EQ(parameter_label("theta_x"), "theta_x");
}

TEST(AxisTest, PaddedRangeWidensAndHandlesAPoint) {
  EXPECT_EQ(padded_range(0, 10, 0.05), (std::pair<double, double>{-0.5, 10.5}));
  EXPECT_EQ(padded_range(2, 2, 0.05), (std::pair<double, double>{1.5, 2.5}));
  EXPECT_EQ(padded_range(100, 100, 0.05), (std::pair<double, double>{90, 110}));
}

TEST(AxisTest, LinearScaleMapsEndsAndFlipsForY) {
  const LinearScale sy{0, 1, 100, 0};
  EXPECT_EQ(sy(0), 100);
  EXPECT_EQ(sy(1), 0);
  EXPECT_EQ(sy(0.25), 75);
}

}  // namespace
}  // namespace nsbi::plot
