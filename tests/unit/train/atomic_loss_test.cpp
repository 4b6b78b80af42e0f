// The atomic APT loss against an independent computation: its atoms, its value (each atom's
// log q evaluated on its own), its gradient (central differences along random directions) and
// its independence of how a minibatch is cut into shards.
#include "nsbi/train/atomic_loss.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "nsbi/core/error.hpp"
#include "nsbi/nn/masked_autoregressive_flow.hpp"

using namespace nsbi;
using namespace nsbi::nn;

namespace {

struct Problem {
  static constexpr int D = 2, C = 3, N = 40;
  Problem() : flow(D, C, MafOptions{2, 8}, 5, Standardizer::identity(D), Standardizer::identity(C)) {
    RandomStream rng(1, StreamId::initialization, 3, 0);
    y.resize(D, N);
    c.resize(C, N);
    for (auto& v : y.reshaped()) v = static_cast<float>(rng.normal());
    for (auto& v : c.reshaped()) v = static_cast<float>(rng.normal());
    log_prior.resize(N);
    for (auto& v : log_prior) v = -0.5 * rng.uniform();  // a non-uniform prior: it must enter the loss
    for (auto& v : flow.parameters().values()) v += v == 0.0f ? 0.0f : 0.2f * static_cast<float>(rng.normal());
    for (int i = 0; i < N; ++i) examples.push_back((i * 7) % N);  // a shuffled batch
  }
  MaskedAutoregressiveFlow<float> flow;
  Mat<float> y, c;
  Eigen::VectorXd log_prior;
  std::vector<std::int64_t> examples;
  train::Minibatch batch() const { return {std::span<const std::int64_t>(examples), 2, 3, 4}; }
};

TEST(AtomicLossTest, AtomsAreDistinctOtherMembersOfTheBatch) {
  Problem p;
  train::AtomicLoss loss(p.flow, p.y, p.c, p.log_prior, 10, 11);
  loss.begin_batch(p.batch());
  std::vector<int> hits(Problem::N, 0);
  for (std::int64_t i = 0; i < Problem::N; ++i) {
    const auto a = loss.atoms_of(i);
    ASSERT_EQ(a.size(), 9u);
    const std::set<std::int64_t> distinct(a.begin(), a.end());
    EXPECT_EQ(distinct.size(), 9u) << "position " << i;
    for (auto m : a) {
      EXPECT_NE(m, i);
      EXPECT_GE(m, 0);
      EXPECT_LT(m, Problem::N);
      ++hits[m];
    }
  }
  // Each position is drawn 9 times on average; none is left out entirely.
  EXPECT_GT(*std::min_element(hits.begin(), hits.end()), 0);
  // Another step draws other atoms; the same step the same ones.
  train::AtomicLoss again(p.flow, p.y, p.c, p.log_prior, 10, 11);
  again.begin_batch(p.batch());
  EXPECT_TRUE(std::equal(loss.atoms_of(0).begin(), loss.atoms_of(0).end(), again.atoms_of(0).begin()));
  train::Minibatch next = p.batch();
  next.step = 5;
  again.begin_batch(next);
  EXPECT_FALSE(std::equal(loss.atoms_of(0).begin(), loss.atoms_of(0).end(), again.atoms_of(0).begin()));
}

TEST(AtomicLossTest, WithAsManyAtomsAsTheBatchEveryOtherMemberIsAnAtom) {
  Problem p;
  train::AtomicLoss loss(p.flow, p.y, p.c, p.log_prior, Problem::N, 1);
  loss.begin_batch(p.batch());
  const auto a = loss.atoms_of(3);
  std::set<std::int64_t> s(a.begin(), a.end());
  EXPECT_EQ(s.size(), static_cast<std::size_t>(Problem::N - 1));
  EXPECT_EQ(s.count(3), 0u);
}

TEST(AtomicLossTest, LossIsTheNegativeLogSoftmaxOverAtoms) {
  Problem p;
  train::AtomicLoss loss(p.flow, p.y, p.c, p.log_prior, 5, 2);
  const auto b = p.batch();
  loss.begin_batch(b);
  const double l = loss.loss(b, 0, Problem::N);
  // Independently: each atom's log q on its own, a_j = log q(θ_j|x_n) − log p(θ_j).
  double expected = 0;
  Vec<float> one(1);
  for (std::int64_t i = 0; i < Problem::N; ++i) {
    const std::int64_t n = b.examples[i];
    std::vector<std::int64_t> atoms{n};
    for (auto m : loss.atoms_of(i)) atoms.push_back(b.examples[m]);
    std::vector<double> a;
    for (auto e : atoms) {
      p.flow.log_prob(p.y.col(e), p.c.col(n), one);
      a.push_back(static_cast<double>(one(0)) - p.log_prior(e));
    }
    double s = 0;
    for (double v : a) s += std::exp(v);
    expected += std::log(s) - a[0];
  }
  EXPECT_NEAR(l, expected, 1e-4 * std::abs(expected));
}

TEST(AtomicLossTest, ShardsSumToTheWholeBatch) {
  Problem p;
  train::AtomicLoss loss(p.flow, p.y, p.c, p.log_prior, 10, 3);
  const auto b = p.batch();
  loss.begin_batch(b);
  p.flow.parameters().zero_grad();
  const double whole = loss.loss_and_gradient(b, 0, Problem::N);
  const Vec<float> g_whole = p.flow.parameters().grads();
  p.flow.parameters().zero_grad();
  const double parts = loss.loss_and_gradient(b, 0, 13) + loss.loss_and_gradient(b, 13, Problem::N);
  EXPECT_NEAR(whole, parts, 1e-5 * std::abs(whole));
  EXPECT_LT((p.flow.parameters().grads() - g_whole).cwiseAbs().maxCoeff(), 1e-4f * g_whole.cwiseAbs().maxCoeff());
}

// The loss's gradient against directional derivatives along random directions (in float, a
// per-coordinate difference is all rounding): (L(p + h·v) − L(p − h·v)) / 2h against g·v. Masked
// weights stay 0.
void expect_gradient_matches_central_differences(Problem& p, train::AtomicLoss& loss, std::uint64_t seed) {
  const auto b = p.batch();
  loss.begin_batch(b);
  auto& params = p.flow.parameters();
  params.zero_grad();
  loss.loss_and_gradient(b, 0, Problem::N);
  const Eigen::VectorXd g = params.grads().cast<double>();
  const Vec<float> p0 = params.values();
  RandomStream rng(seed, StreamId::initialization, 5, 0);
  for (int trial = 0; trial < 5; ++trial) {
    Vec<float> v(p0.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) v(i) = p0(i) == 0.0f ? 0.0f : static_cast<float>(rng.normal());
    v /= v.norm();
    const float h = 2e-3f;
    params.values() = p0 + h * v;
    const double lp = loss.loss(b, 0, Problem::N);
    params.values() = p0 - h * v;
    const double lm = loss.loss(b, 0, Problem::N);
    params.values() = p0;
    const double fd = (lp - lm) / (2.0 * h), an = g.dot(v.cast<double>());
    EXPECT_NEAR(fd, an, 2e-2 * std::max(1.0, std::abs(an))) << "direction " << trial;
  }
}

TEST(AtomicLossTest, GradientMatchesCentralDifferences) {
  Problem p;
  train::AtomicLoss loss(p.flow, p.y, p.c, p.log_prior, 6, 4);
  expect_gradient_matches_central_differences(p, loss, 9);
}

TEST(AtomicLossTest, RejectsFewerThanTwoAtoms) {
  Problem p;
  EXPECT_THROW(train::AtomicLoss(p.flow, p.y, p.c, p.log_prior, 1, 1), ConfigError);
}


// The combined loss (sbi's use_combined_loss): the atomic loss plus −log q(θ_n | x_n) of the
// examples with weight 1, each evaluated on its own.
TEST(AtomicLossTest, CombinedLossAddsTheNllOfThePriorDraws) {
  Problem p;
  Eigen::VectorXd w = Eigen::VectorXd::Zero(Problem::N);
  for (int n = 0; n < Problem::N; n += 3) w(n) = 1.0;
  train::AtomicLoss atomic(p.flow, p.y, p.c, p.log_prior, 5, 2);
  train::AtomicLoss combined(p.flow, p.y, p.c, p.log_prior, 5, 2, w);
  const auto b = p.batch();
  atomic.begin_batch(b);
  combined.begin_batch(b);
  double nll = 0;
  Vec<float> one(1);
  for (std::int64_t i = 0; i < Problem::N; ++i) {
    const std::int64_t n = b.examples[i];
    p.flow.log_prob(p.y.col(n), p.c.col(n), one);
    nll -= w(n) * static_cast<double>(one(0));
  }
  ASSERT_GT(std::abs(nll), 1.0);
  const double expected = atomic.loss(b, 0, Problem::N) + nll;
  EXPECT_NEAR(combined.loss(b, 0, Problem::N), expected, 1e-4 * std::abs(expected));
  EXPECT_THROW(train::AtomicLoss(p.flow, p.y, p.c, p.log_prior, 5, 2, Eigen::VectorXd::Ones(3)), ShapeError);
}

TEST(AtomicLossTest, CombinedLossGradientMatchesCentralDifferences) {
  Problem p;
  Eigen::VectorXd w = Eigen::VectorXd::Zero(Problem::N);
  for (int n = 0; n < Problem::N; n += 2) w(n) = 1.0;
  train::AtomicLoss loss(p.flow, p.y, p.c, p.log_prior, 6, 4, w);
  expect_gradient_matches_central_differences(p, loss, 19);
}

}  // namespace
