// ExactAllreduce::sum_scaled as one process (singleton MPI): agreement with a long-double sum,
// independence of the shard order, the predicted bound and its redo on overflow or waste.
// tests/mpi/exact_allreduce_mpi_test.cpp checks the same at np = 1..4.
#include "nsbi/train/exact_allreduce.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/mpi/environment.hpp"

using namespace nsbi;
using namespace nsbi::train;

namespace {

mpi::Environment& env() {
  static mpi::Environment e;  // singleton MPI: these tests run without mpirun
  return e;
}

// L×S float shards, magnitudes log-uniform over 1e-6..1e4 times `gain`, random signs.
Eigen::MatrixXf make_shards(Eigen::Index L, Eigen::Index S, std::uint32_t round, float gain = 1) {
  RandomStream rng(17, StreamId::diagnostics, round, 0);
  Eigen::MatrixXf m(L, S);
  for (auto& v : m.reshaped())
    v = gain * static_cast<float>((rng.uniform() < 0.5 ? -1 : 1) * std::pow(10.0, rng.uniform(-6, 4)));
  return m;
}

struct Result {
  Eigen::VectorXf scaled;
  Eigen::VectorXd exact;
  bool operator==(const Result& o) const {
    return scaled.size() == o.scaled.size() && exact.size() == o.exact.size() &&
           !std::memcmp(scaled.data(), o.scaled.data(), sizeof(float) * scaled.size()) &&
           !std::memcmp(exact.data(), o.exact.data(), sizeof(double) * exact.size());
  }
};

Result reduce(ExactAllreduce& r, const Eigen::MatrixXf& shards, double scale, int exact_rows = 1) {
  Result out{Eigen::VectorXf(), Eigen::VectorXd(exact_rows)};
  out.scaled = r.sum_scaled(shards, shards.cols(), scale, out.exact);
  return out;
}

// Checks a result against the long-double sum: the exact rows to 1e-12 relative, the scaled rows
// to one float rounding of the true Σ·scale.
void expect_close(const Result& got, const Eigen::MatrixXf& shards, double scale) {
  const Eigen::Index H = got.scaled.size();
  Eigen::VectorXd a(H), b(H);
  for (Eigen::Index i = 0; i < shards.rows(); ++i) {
    long double ref = 0;
    for (Eigen::Index s = 0; s < shards.cols(); ++s) ref += shards(i, s);
    if (i < H) {
      const float want = static_cast<float>(static_cast<double>(ref) * scale);
      EXPECT_LE(std::abs(got.scaled(i) - want), std::abs(want) * 0x1p-23f) << "row " << i;
      a(i) = got.scaled(i);
      b(i) = static_cast<double>(ref) * scale;
    } else {
      EXPECT_LE(std::abs(got.exact(i - H) - static_cast<double>(ref)), 1e-12 * std::abs(static_cast<double>(ref)));
    }
  }
  EXPECT_LT((a - b).norm() / b.norm(), 1e-7);  // float output: one rounding per value
}

}  // namespace

TEST(ExactAllreduceTest, SumScaledAgreesWithALongDoubleSum) {
  env();
  ExactAllreduce r{mpi::Communicator()};
  const auto shards = make_shards(2001, 8, 1);
  expect_close(reduce(r, shards, 1.0 / 200), shards, 1.0 / 200);
  expect_close(reduce(r, shards, 1.0 / 200), shards, 1.0 / 200);  // now with the predicted bound
  EXPECT_EQ(r.scaled_calls(), 2);
  EXPECT_EQ(r.fallbacks(), 1);  // only the first call, which has nothing to predict from
}

TEST(ExactAllreduceTest, BitwiseUnchangedUnderShardPermutation) {
  env();
  const auto shards = make_shards(777, 9, 2);
  ExactAllreduce r1{mpi::Communicator()}, r2{mpi::Communicator()};
  const Result a1 = reduce(r1, shards, 0.01), a2 = reduce(r1, shards, 0.01);
  Eigen::MatrixXf permuted(shards.rows(), shards.cols());
  const int perm[] = {4, 7, 0, 8, 2, 1, 6, 3, 5};
  for (int s = 0; s < 9; ++s) permuted.col(s) = shards.col(perm[s]);
  EXPECT_TRUE(reduce(r2, permuted, 0.01) == a1);
  EXPECT_TRUE(reduce(r2, permuted, 0.01) == a2);
}

TEST(ExactAllreduceTest, PredictedBoundIsRedoneOnOverflowAndOnWaste) {
  env();
  ExactAllreduce r{mpi::Communicator()};
  const auto base = make_shards(500, 4, 3);
  reduce(r, base, 1.0);
  EXPECT_EQ(r.fallbacks(), 1);
  // Growth within the margin is absorbed.
  Eigen::MatrixXf grown = base * std::ldexp(1.0f, ExactAllreduce::kMargin - 1);
  expect_close(reduce(r, grown, 1.0), grown, 1.0);
  EXPECT_EQ(r.fallbacks(), 1);
  // One shard beyond the bound: redone, still right, and bitwise what a fresh reducer (whose first
  // call takes the max-allreduce exponent) gives.
  Eigen::MatrixXf overflow = grown;
  overflow.col(2) *= std::ldexp(1.0f, 12);
  const Result redone = reduce(r, overflow, 1.0);
  EXPECT_EQ(r.fallbacks(), 2);
  expect_close(redone, overflow, 1.0);
  ExactAllreduce fresh{mpi::Communicator()};
  EXPECT_TRUE(reduce(fresh, overflow, 1.0) == redone);
  // Everything shrinks far below the bound: redone rather than summed with too few bits.
  Eigen::MatrixXf shrunk = overflow * std::ldexp(1.0f, -30);
  const Result small = reduce(r, shrunk, 1.0);
  EXPECT_EQ(r.fallbacks(), 3);
  expect_close(small, shrunk, 1.0);
  // And the next call at that scale is predicted again.
  reduce(r, shrunk, 1.0);
  EXPECT_EQ(r.fallbacks(), 3);
}

TEST(ExactAllreduceTest, ZeroShardsAndZeroValues) {
  env();
  ExactAllreduce r{mpi::Communicator()};
  const Eigen::MatrixXf zeros = Eigen::MatrixXf::Zero(100, 3);
  for (int call = 0; call < 3; ++call) {
    const Result z = reduce(r, zeros, 0.5);
    EXPECT_TRUE(z.scaled.isZero(0) && z.exact.isZero(0));
  }
  const Eigen::MatrixXf none(100, 0);
  const Result n = reduce(r, none, 0.5);
  EXPECT_TRUE(n.scaled.isZero(0) && n.exact.isZero(0));
}

TEST(ExactAllreduceTest, NonFiniteValuesThrow) {
  env();
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity()}) {
    ExactAllreduce r{mpi::Communicator()};
    auto shards = make_shards(300, 2, 4);
    reduce(r, shards, 1.0);           // a bound is predicted from here on
    shards(123, 1) = bad;
    EXPECT_THROW(reduce(r, shards, 1.0), NumericalError);
    ExactAllreduce first{mpi::Communicator()};
    EXPECT_THROW(reduce(first, shards, 1.0), NumericalError);  // and on a first call
  }
}

TEST(ExactAllreduceTest, RejectsMismatchedOutputs) {
  env();
  ExactAllreduce r{mpi::Communicator()};
  const auto shards = make_shards(10, 1, 5);
  Eigen::VectorXd exact(11);
  EXPECT_THROW(r.sum_scaled(shards, 1, 1.0, exact), ShapeError);
}
