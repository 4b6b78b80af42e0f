#include "nsbi/train/fixed_point.hpp"

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <climits>
#include <limits>
#include <vector>

#include "nsbi/core/random.hpp"
#include "nsbi/train/exact_allreduce.hpp"

using namespace nsbi;
using namespace nsbi::train;

namespace {

// Shards of gradients whose magnitudes span 1e-6..1e4 (log-uniform, random signs).
std::vector<Eigen::VectorXd> make_shards(int n_shards, int len, std::uint64_t seed) {
  RandomStream rng(seed, StreamId::diagnostics, 0, 0);
  std::vector<Eigen::VectorXd> shards(n_shards, Eigen::VectorXd(len));
  for (auto& s : shards)
    for (auto& v : s) v = (rng.uniform() < 0.5 ? -1 : 1) * std::pow(10.0, rng.uniform(-6, 4));
  return shards;
}

std::vector<std::int64_t> fixed_sum(const std::vector<Eigen::VectorXd>& shards, const std::vector<int>& order, int E) {
  std::vector<std::int64_t> acc(shards[0].size(), 0);
  for (int s : order) accumulate_fixed<double>(std::span<const double>(shards[s].data(), shards[s].size()), E, acc);
  return acc;
}

double max_abs_of(const std::vector<Eigen::VectorXd>& shards) {
  double m = 0;
  for (auto& s : shards) m = std::max(m, s.cwiseAbs().maxCoeff());
  return m;
}

// ‖a − b‖/‖b‖ for a the fixed-point sum of all shards with exponent E, b the long-double serial sum.
double error_against_long_double(const std::vector<Eigen::VectorXd>& shards, int E) {
  const int S = static_cast<int>(shards.size());
  const Eigen::Index L = shards[0].size();
  std::vector<int> order(S);
  for (int i = 0; i < S; ++i) order[i] = i;
  const auto acc = fixed_sum(shards, order, E);
  Eigen::VectorXd a(L), b(L);
  for (Eigen::Index i = 0; i < L; ++i) {
    long double ref = 0;
    for (auto& s : shards) ref += s(i);
    b(i) = static_cast<double>(ref);
    a(i) = from_fixed(acc[i], E);
  }
  return (a - b).norm() / b.norm();
}

}  // namespace

TEST(FixedPointTest, AgreesWithALongDoubleSerialSum) {
  const int S = 64, L = 2000;
  auto shards = make_shards(S, L, 3);
  const double max_abs = max_abs_of(shards);
  const int E = fixed_point_exponent(max_abs, S);
  EXPECT_LT(error_against_long_double(shards, E), 1e-12);
}

TEST(FixedPointTest, BitwiseUnchangedUnderPermutationAndRegrouping) {
  const int S = 37, L = 500;
  auto shards = make_shards(S, L, 5);
  const double max_abs = max_abs_of(shards);
  const int E = fixed_point_exponent(max_abs, S);
  std::vector<int> order(S);
  for (int i = 0; i < S; ++i) order[i] = i;
  const auto reference = fixed_sum(shards, order, E);
  RandomStream rng(9, StreamId::diagnostics, 1, 0);
  for (int trial = 0; trial < 20; ++trial) {
    for (int i = S; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    // Regroup: split the shards into G groups (as G ranks would), sum each group, then add groups.
    const int G = 1 + static_cast<int>(rng.below(8));
    std::vector<std::int64_t> total(L, 0);
    for (int g = 0; g < G; ++g) {
      std::vector<int> part;
      for (int i = g; i < S; i += G) part.push_back(order[i]);
      if (part.empty()) continue;
      const auto partial = fixed_sum(shards, part, E);
      for (int i = 0; i < L; ++i) total[i] += partial[i];
    }
    EXPECT_EQ(total, reference) << "trial " << trial;
  }
}

TEST(FixedPointTest, ExponentLeavesHeadroomForEveryTerm) {
  // S terms all at the maximum magnitude must not overflow.
  const int S = 1000;
  const double m = 123.456;
  const int E = fixed_point_exponent(m, S);
  std::int64_t acc = 0;
  for (int i = 0; i < S; ++i) acc += to_fixed(m, E);
  EXPECT_NEAR(from_fixed(acc, E), S * m, 1e-9 * S * m);
  EXPECT_EQ(fixed_point_exponent(0.0, 4), 1000);
}

TEST(FixedPointTest, LooseBoundWithinTheAcceptedWindowKeepsPrecision) {
  // sum_scaled accepts a predicted bound up to kWindow bits above the true maximum exponent: the
  // sum must still agree with the long-double serial sum to 1e-12 of the norm.
  const int S = 64, L = 2000;
  auto shards = make_shards(S, L, 3);
  const double max_abs = max_abs_of(shards);
  const int E = fixed_point_exponent_for_bound(magnitude_exponent(max_abs) + ExactAllreduce::kWindow, S);
  EXPECT_EQ(E, fixed_point_exponent(max_abs, S) - ExactAllreduce::kWindow);
  EXPECT_LT(error_against_long_double(shards, E), 1e-12);
}

TEST(FixedPointTest, MagnitudeExponentsAndFloatBounds) {
  EXPECT_EQ(magnitude_exponent(1.0), 1);  // 1 < 2^1
  EXPECT_EQ(magnitude_exponent(0.75), 0);
  EXPECT_EQ(magnitude_exponent(0.0), -1000);
  EXPECT_EQ(magnitude_exponent(std::numeric_limits<double>::infinity()), INT_MAX);
  EXPECT_EQ(magnitude_exponent(std::numeric_limits<double>::quiet_NaN()), INT_MAX);
  EXPECT_EQ(magnitude_exponent_of_bits(abs_bits(-3.0f)), 2);
  EXPECT_EQ(magnitude_exponent_of_bits(abs_bits(std::numeric_limits<float>::denorm_min())), -148);
  EXPECT_EQ(magnitude_exponent_of_bits(abs_bits(-std::numeric_limits<float>::infinity())), INT_MAX);
  EXPECT_EQ(magnitude_exponent_of_bits(abs_bits(std::numeric_limits<float>::quiet_NaN())), INT_MAX);
  EXPECT_EQ(float_bound(3), 8.0f);
  EXPECT_EQ(float_bound(200), std::numeric_limits<float>::max());
  EXPECT_EQ(float_bound(-200), 0.0f);
  // Bounds far outside any double range do not overflow the exponent arithmetic.
  EXPECT_EQ(fixed_point_exponent_for_bound(INT_MAX, 4), -1000);
  EXPECT_EQ(fixed_point_exponent_for_bound(INT_MIN, 4), 1000);
}

TEST(FixedPointTest, CheckedConversionMatchesThePlainOneAndClampsOverflow) {
  RandomStream rng(11, StreamId::diagnostics, 2, 0);
  std::vector<float> v(1000);
  const int T = 4;
  // Gains 1 and 1e-30: scale 2^E a normal float (float products) and not (double products).
  for (const double gain : {1.0, 1e-30}) {
    for (auto& x : v) x = static_cast<float>(gain * rng.normal() * std::pow(10.0, rng.uniform(-6, 4)));
    float max_abs = 0;
    for (float x : v) max_abs = std::max(max_abs, std::abs(x));
    const int e = magnitude_exponent(max_abs), E = fixed_point_exponent_for_bound(e, T);
    EXPECT_EQ(E <= 127, gain == 1.0);
    std::vector<std::int64_t> plain(v.size(), 5), checked(v.size(), 5);
    accumulate_fixed<float>(v, E, plain);
    const std::uint32_t bits = accumulate_fixed_checked(v, float_bound(e), E, checked, false);
    EXPECT_EQ(plain, checked);
    EXPECT_EQ(bits, abs_bits(max_abs));
    std::fill(plain.begin(), plain.end(), 0);
    accumulate_fixed<float>(v, E, plain);
    accumulate_fixed_checked(v, float_bound(e), E, checked, true);
    EXPECT_EQ(plain, checked);
  }
  float max_abs = 0;
  for (float x : v) max_abs = std::max(max_abs, std::abs(x));
  const int e = magnitude_exponent(max_abs), E = fixed_point_exponent_for_bound(e, T);

  // Values that break the bound (by 2^20, inf, NaN) are clamped: T of them cannot overflow int64,
  // and the returned maximum shows the breach.
  v[3] = std::ldexp(max_abs, 20);
  v[7] = std::numeric_limits<float>::infinity();
  v[9] = -std::numeric_limits<float>::quiet_NaN();
  std::vector<std::int64_t> acc(v.size(), 0);
  std::uint32_t worst = 0;
  for (int t = 0; t < T; ++t) worst = std::max(worst, accumulate_fixed_checked(v, float_bound(e), E, acc, t == 0));
  EXPECT_EQ(magnitude_exponent_of_bits(worst), INT_MAX);
  const std::int64_t limit = std::int64_t{1} << 62;
  for (std::int64_t q : acc) EXPECT_LE(std::abs(q), limit);
  EXPECT_EQ(acc[3], T * to_fixed(float_bound(e), E));
}
