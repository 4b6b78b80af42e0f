// RandomStream: Philox known answer, distribution moments, stream separation, reproducibility,
// and unbiasedness of below(n).
#include "nsbi/core/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

namespace nsbi {
namespace {

// The counter/key layout of C++26 std::philox4x32 makes its 10,000th output word 3 of the block
// at counter {2499, 0, 0, 0} with its default key {20111115, 0}; the standard gives 1955073260.
TEST(RandomStreamTest, PhiloxKnownAnswer) {
  r123::Philox4x32 philox;
  const r123::Philox4x32::ctr_type ctr{{2499, 0, 0, 0}};
  const r123::Philox4x32::key_type key{{20111115, 0}};
  EXPECT_EQ(philox(ctr, key)[3], 1955073260u);
}

// The stream at (seed, stream, round, index) is Philox at counter (block, index, round, stream).
TEST(RandomStreamTest, DrawsArePhiloxAtTheDocumentedCounter) {
  const std::uint64_t seed = 0x0123456789ABCDEFull;
  RandomStream rng(seed, StreamId::mcmc, 7, 42);
  r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key{{0x89ABCDEFu, 0x01234567u}};
  for (std::uint32_t block = 0; block < 3; ++block) {
    const auto r = philox(r123::Philox4x32::ctr_type{{block, 42, 7, static_cast<std::uint32_t>(StreamId::mcmc)}}, key);
    for (int w = 0; w < 4; ++w) EXPECT_EQ(rng.next_u32(), r[w]) << "block " << block << " word " << w;
  }
  EXPECT_EQ(rng.blocks_used(), 3u);
}

struct Moments {
  double mean = 0, var = 0, skew = 0, kurt = 0;
};
template <typename Draw>
Moments moments(Draw draw, int n) {
  std::vector<double> v(n);
  double m = 0;
  for (auto& x : v) m += (x = draw());
  m /= n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double x : v) {
    const double d = x - m;
    m2 += d * d, m3 += d * d * d, m4 += d * d * d * d;
  }
  m2 /= n, m3 /= n, m4 /= n;
  return {m, m2, m3 / std::pow(m2, 1.5), m4 / (m2 * m2)};
}

TEST(RandomStreamTest, UniformMomentsAndOpenInterval) {
  RandomStream rng(1, StreamId::diagnostics, 0, 0);
  const int n = 400000;
  double lo = 1, hi = 0;
  const Moments m = moments([&] {
    const double u = rng.uniform();
    lo = std::min(lo, u), hi = std::max(hi, u);
    return u;
  }, n);
  EXPECT_GT(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  // U(0,1): mean 1/2 (sd 1/√12), variance 1/12 (sd of the estimate √(1/180 − 1/144)/√n).
  EXPECT_NEAR(m.mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(m.var, 1.0 / 12, 5 * std::sqrt(1.0 / 80 - 1.0 / 144) / std::sqrt(n));
  EXPECT_NEAR(m.skew, 0.0, 0.02);
  EXPECT_NEAR(m.kurt, 1.8, 0.02);

  RandomStream r2(2, StreamId::diagnostics, 0, 0);
  const Moments s = moments([&] { return r2.uniform(-3.0, 5.0); }, n);
  EXPECT_NEAR(s.mean, 1.0, 5 * 8 / std::sqrt(12.0 * n));
  EXPECT_NEAR(s.var, 64.0 / 12, 5 * 64 * std::sqrt(1.0 / 80 - 1.0 / 144) / std::sqrt(n));
}

TEST(RandomStreamTest, NormalMoments) {
  RandomStream rng(3, StreamId::diagnostics, 0, 0);
  const int n = 400000;
  const Moments m = moments([&] { return rng.normal(); }, n);
  // N(0,1): se(mean) = 1/√n, se(var) = √2/√n, se(skew) ≈ √6/√n, se(kurt) ≈ √24/√n.
  EXPECT_NEAR(m.mean, 0.0, 5 / std::sqrt(n));
  EXPECT_NEAR(m.var, 1.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(m.skew, 0.0, 5 * std::sqrt(6.0 / n));
  EXPECT_NEAR(m.kurt, 3.0, 5 * std::sqrt(24.0 / n));
}

// Consecutive normals (the Box–Muller pair and across pairs) are uncorrelated.
TEST(RandomStreamTest, ConsecutiveNormalsUncorrelated) {
  RandomStream rng(4, StreamId::diagnostics, 0, 0);
  const int n = 200000;
  double prev = rng.normal(), sum = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    sum += prev * z;
    prev = z;
  }
  EXPECT_NEAR(sum / n, 0.0, 5 / std::sqrt(n));
}

std::vector<std::uint64_t> first_words(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t index) {
  RandomStream rng(seed, stream, round, index);
  std::vector<std::uint64_t> w(4);
  for (auto& x : w) x = rng.next_u64();
  return w;
}

TEST(RandomStreamTest, SameAddressGivesSameNumbers) {
  RandomStream a(99, StreamId::proposal, 3, 12345), b(99, StreamId::proposal, 3, 12345);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u32(), b.next_u32());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.normal(), b.normal());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.below(17), b.below(17));
}

TEST(RandomStreamTest, DifferentAddressesGiveDifferentStreams) {
  const auto base = first_words(5, StreamId::simulation, 2, 7);
  std::set<std::vector<std::uint64_t>> seen{base};
  const std::vector<std::vector<std::uint64_t>> variants{
      first_words(6, StreamId::simulation, 2, 7),                 // seed, low word
      first_words(5 + (1ull << 32), StreamId::simulation, 2, 7),  // seed, high word
      first_words(5, StreamId::proposal, 2, 7),                   // stream
      first_words(5, StreamId::simulation, 3, 7),                 // round
      first_words(5, StreamId::simulation, 2, 8),                 // index, low bits
      first_words(5, StreamId::simulation, 2, 7 + (1ull << 32)),  // index, bits 32-47
  };
  for (const auto& v : variants) EXPECT_TRUE(seen.insert(v).second) << "two addresses share a stream";
  // Neighbouring indices are not shifted copies of one another.
  const auto next = first_words(5, StreamId::simulation, 2, 8);
  for (std::size_t i = 0; i < base.size(); ++i)
    for (std::size_t j = 0; j < next.size(); ++j) EXPECT_NE(base[i], next[j]);
}

TEST(RandomStreamTest, SimulationSeedDependsOnRoundAndIndex) {
  std::set<std::uint64_t> seeds;
  for (std::uint32_t r = 0; r < 4; ++r)
    for (std::uint64_t i = 0; i < 250; ++i) seeds.insert(simulation_seed(11, r, i));
  EXPECT_EQ(seeds.size(), 1000u);
  EXPECT_EQ(simulation_seed(11, 2, 5), simulation_seed(11, 2, 5));
  EXPECT_NE(simulation_seed(11, 2, 5), simulation_seed(12, 2, 5));
}

// Pearson χ² of counts against equal cell probabilities.
double chi_square(const std::vector<double>& counts) {
  double total = 0;
  for (double c : counts) total += c;
  const double expected = total / static_cast<double>(counts.size());
  double chi2 = 0;
  for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
  return chi2;
}

TEST(RandomStreamTest, BelowSmallNIsUniform) {
  RandomStream rng(8, StreamId::diagnostics, 0, 0);
  const std::uint64_t n = 7;
  std::vector<double> counts(n, 0.0);
  for (int i = 0; i < 70000; ++i) {
    const std::uint64_t k = rng.below(n);
    ASSERT_LT(k, n);
    counts[k] += 1;
  }
  EXPECT_LT(chi_square(counts), 22.46);  // χ²(6) 0.999 quantile
  EXPECT_EQ(rng.below(1), 0u);
  EXPECT_EQ(rng.below(0), 0u);
}

// n = 3·2^62 is where a modulo reduction is most biased: x mod n puts twice the mass on
// [0, 2^62). Each third of [0, n) must get a third of the draws.
TEST(RandomStreamTest, BelowLargeNIsUnbiased) {
  RandomStream rng(9, StreamId::diagnostics, 0, 0);
  const std::uint64_t quarter = 1ull << 62, n = 3 * quarter;
  std::vector<double> counts(3, 0.0);
  for (int i = 0; i < 30000; ++i) {
    const std::uint64_t k = rng.below(n);
    ASSERT_LT(k, n);
    counts[k / quarter] += 1;
  }
  EXPECT_LT(chi_square(counts), 13.82);  // χ²(2) 0.999 quantile
}

}  // namespace
}  // namespace nsbi

namespace nsbi {
namespace {
// The counter holds 48 bits of index and 16 of round: beyond them a stream would silently share
// another's numbers, so it is an error.
TEST(RandomStreamTest, IndexOrRoundBeyondTheCounterIsAnError) {
  EXPECT_NO_THROW(RandomStream(1, StreamId::simulation, 0xFFFF, (std::uint64_t{1} << 48) - 1));
  EXPECT_THROW(RandomStream(1, StreamId::simulation, 0, std::uint64_t{1} << 48), Error);
  EXPECT_THROW(RandomStream(1, StreamId::simulation, 0x10000, 0), Error);
  try {
    simulation_seed(1, 0, std::uint64_t{1} << 50);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index below 2^48"), std::string::npos) << e.what();
  }
}
}  // namespace
}  // namespace nsbi
