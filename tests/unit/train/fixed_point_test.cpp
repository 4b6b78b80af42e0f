#include "nsbi/train/fixed_point.hpp"

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <vector>

#include "nsbi/core/random.hpp"

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

}  // namespace

TEST(FixedPointTest, AgreesWithALongDoubleSerialSum) {
  const int S = 64, L = 2000;
  auto shards = make_shards(S, L, 3);
  double max_abs = 0;
  for (auto& s : shards) max_abs = std::max(max_abs, s.cwiseAbs().maxCoeff());
  const int E = fixed_point_exponent(max_abs, S);
  std::vector<int> order(S);
  for (int i = 0; i < S; ++i) order[i] = i;
  const auto acc = fixed_sum(shards, order, E);
  Eigen::VectorXd a(L), b(L);
  for (int i = 0; i < L; ++i) {
    long double ref = 0;
    for (auto& s : shards) ref += s(i);
    b(i) = static_cast<double>(ref);
    a(i) = from_fixed(acc[i], E);
  }
  EXPECT_LT((a - b).norm() / b.norm(), 1e-12);
}

TEST(FixedPointTest, BitwiseUnchangedUnderPermutationAndRegrouping) {
  const int S = 37, L = 500;
  auto shards = make_shards(S, L, 5);
  double max_abs = 0;
  for (auto& s : shards) max_abs = std::max(max_abs, s.cwiseAbs().maxCoeff());
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
