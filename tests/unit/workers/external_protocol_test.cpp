// The text protocol: requests in %.17g, answers parsed back to the same bits.
#include "nsbi/simulator/external_protocol.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace nsbi {
namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(ExternalProtocolTest, RequestIsSeedThenPercent17gValues) {
  std::string line;
  const std::vector<double> theta{0.1, -2.5, 1e-300, 1.0 / 3.0};
  encode_request(18446744073709551615ULL, theta, line);
  // Independent reference: the C library's printf.
  char expected[256];
  std::snprintf(expected, sizeof expected, "18446744073709551615 %.17g %.17g %.17g %.17g\n", theta[0], theta[1],
                theta[2], theta[3]);
  EXPECT_EQ(line, expected);
}

TEST(ExternalProtocolTest, RequestReusesCapacity) {
  std::string line;
  const std::vector<double> theta(10, -1.2345678901234567e-123);
  encode_request(1, theta, line);
  const char* data = line.data();
  const std::size_t cap = line.capacity();
  encode_request(2, theta, line);
  EXPECT_EQ(line.data(), data);
  EXPECT_EQ(line.capacity(), cap);
}

TEST(ExternalProtocolTest, RandomDoublesSurviveTheRoundTripBitForBit) {
  std::mt19937_64 gen(7);
  std::vector<double> values;
  for (int i = 0; i < 2000; ++i) {
    double v;
    std::uint64_t bits = gen();
    std::memcpy(&v, &bits, sizeof v);
    if (std::isfinite(v)) values.push_back(v);
  }
  values.insert(values.end(), {0.0, -0.0, std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                               std::numeric_limits<double>::min(), 0.1, 1.0 / 3.0});
  std::string text;
  append_values(values, ' ', text);
  std::vector<double> back(values.size());
  std::string why;
  ASSERT_TRUE(decode_values(text, back, why)) << why;
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_TRUE(same_bits(values[i], back[i])) << values[i];
  // strtod agrees with what append_values wrote (the child's side of the protocol).
  char* p = text.data();
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_TRUE(same_bits(std::strtod(p, &p), values[i]));
}

TEST(ExternalProtocolTest, SeparatorsAreSpacesTabsAndCommas) {
  std::vector<double> x(4);
  std::string why;
  ASSERT_TRUE(decode_values(" 1, 2.5\t-3e2 ,+4\r\n", x, why)) << why;
  EXPECT_EQ(x, (std::vector<double>{1.0, 2.5, -300.0, 4.0}));
}

TEST(ExternalProtocolTest, NanAndInfAreNumbers) {
  std::vector<double> x(4);
  std::string why;
  ASSERT_TRUE(decode_values("nan -inf inf NaN", x, why)) << why;
  EXPECT_TRUE(std::isnan(x[0]));
  EXPECT_EQ(x[1], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(x[2], std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(x[3]));
}

TEST(ExternalProtocolTest, OutOfRangeBecomesInfOrTiny) {
  std::vector<double> x(3);
  std::string why;
  ASSERT_TRUE(decode_values("1e400 -1e400 1e-400", x, why)) << why;
  EXPECT_EQ(x[0], std::numeric_limits<double>::infinity());
  EXPECT_EQ(x[1], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(std::fabs(x[2]), 0.0);
}

TEST(ExternalProtocolTest, WrongCountSaysExpectedAndGot) {
  std::vector<double> x(2);
  std::string why;
  EXPECT_FALSE(decode_values("1 2 3", x, why));
  EXPECT_EQ(why, "expected 2 values, got 3");
  EXPECT_FALSE(decode_values("1", x, why));
  EXPECT_EQ(why, "expected 2 values, got 1");
  EXPECT_FALSE(decode_values("", x, why));
  EXPECT_EQ(why, "expected 2 values, got 0");
}

TEST(ExternalProtocolTest, NonNumbersAreNamed) {
  std::vector<double> x(2);
  std::string why;
  EXPECT_FALSE(decode_values("1.5 abc", x, why));
  EXPECT_EQ(why, "'abc' is not a number");
  EXPECT_FALSE(decode_values("1.5x 2", x, why));
  EXPECT_EQ(why, "'1.5x' is not a number");
  EXPECT_FALSE(decode_values("+-1 2", x, why));
  EXPECT_EQ(why, "'+-1' is not a number");
  EXPECT_FALSE(decode_values("0x10 2", x, why));
}

}  // namespace
}  // namespace nsbi
