// Checkpoints of MCMC samplings (issue 11): sample_chains paused by its ledger at chain steps, or
// stopped by a signal, gives the same draws as an uninterrupted run, and a sampling continued
// from any saved progress — by a fresh call, as a resumed run makes it — ends with the same bytes,
// for both kernels. A saved progress that does not fit the sampling is a CheckpointError.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>

#include "nsbi/core/error.hpp"
#include "nsbi/core/interrupt.hpp"
#include "nsbi/mcmc/parallel_chains.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/prior/box_uniform.hpp"

using namespace nsbi;
using namespace nsbi::mcmc;

namespace {

mpi::Environment& env() {
  static mpi::Environment e;
  return e;
}

/// A Gaussian on a box (chains in the unconstrained space, the Jacobian term in play).
LogDensity target() {
  return [](const Eigen::Ref<const Eigen::MatrixXd>& th, Eigen::Ref<Eigen::VectorXd> out) {
    const Eigen::Vector2d mean(0.3, -0.2);
    const Eigen::MatrixXd d = th.colwise() - mean;
    out = -0.5 * (d.array().square().colwise().sum() / 0.04).transpose();
  };
}

/// A ledger that asks for a checkpoint every `every` steps and keeps every progress saved; it
/// hands `restore` (when set) to the sampling, as a resumed run's checkpointer does.
struct RecordingLedger : ChainsLedger {
  int every = 0;
  mutable int calls = 0;
  std::optional<ChainsProgress> restore;
  std::vector<ChainsProgress> saved;
  std::vector<bool> stopping;
  std::optional<ChainsProgress> resume_sampling(std::uint32_t) override { return restore; }
  bool checkpoint_due() const override { return every > 0 && ++calls % every == 0; }
  void save_sampling(const ChainsProgress& p, bool stop) override {
    saved.push_back(p);
    stopping.push_back(stop);
  }
};

McmcOptions options(const std::string& sampler) {
  McmcOptions o;
  o.sampler = sampler;
  o.seed = 11;
  o.round = 2;
  o.chains = 12;
  o.group_size = 5;  // groups of 5, 5 and 2
  o.warmup = 20;
  o.thin = 3;
  o.samples = 600;
  o.init_candidates = 500;
  return o;
}

class ChainsCheckpoint : public ::testing::TestWithParam<std::string> {};

TEST_P(ChainsCheckpoint, PausesAndResumesGiveTheSameDraws) {
  env();
  const BoxUniform prior(Eigen::Vector2d(-1, -1), Eigen::Vector2d(1, 1));
  McmcOptions o = options(GetParam());
  const McmcResult plain = sample_chains(target(), prior, o, mpi::Communicator());

  // Paused every 37 steps: many checkpoints, the same draws and figures.
  RecordingLedger ledger;
  ledger.every = 37;
  o.ledger = &ledger;
  const McmcResult paused = sample_chains(target(), prior, o, mpi::Communicator());
  ASSERT_EQ(plain.theta.cols(), 600);
  EXPECT_EQ(std::memcmp(plain.theta.data(), paused.theta.data(), sizeof(double) * plain.theta.size()), 0);
  EXPECT_EQ(plain.evaluations, paused.evaluations);
  EXPECT_EQ(plain.acceptance, paused.acceptance);
  EXPECT_EQ(plain.adaptation, paused.adaptation);
  EXPECT_EQ(plain.log_normalizer, paused.log_normalizer);
  ASSERT_GT(ledger.saved.size(), 10u);
  EXPECT_TRUE(ledger.saved.back().finished());
  for (std::size_t k = 0; k + 1 < ledger.saved.size(); ++k) EXPECT_FALSE(ledger.saved[k].finished());

  // A fresh sampling continued from every third saved progress (warm-up, draws, a group not yet
  // started, the finished one) ends with the same bytes.
  for (std::size_t k = 0; k < ledger.saved.size(); k += 3) {
    RecordingLedger resumed;
    resumed.restore = ledger.saved[k];
    o.ledger = &resumed;
    const McmcResult r = sample_chains(target(), prior, o, mpi::Communicator());
    ASSERT_EQ(r.theta.cols(), 600);
    EXPECT_EQ(std::memcmp(plain.theta.data(), r.theta.data(), sizeof(double) * r.theta.size()), 0) << "progress " << k;
    EXPECT_EQ(plain.evaluations, r.evaluations);
    EXPECT_EQ(plain.adaptation, r.adaptation);
  }
}

TEST_P(ChainsCheckpoint, AStopSignalSavesTheProgressAndItContinues) {
  env();
  const BoxUniform prior(Eigen::Vector2d(-1, -1), Eigen::Vector2d(1, 1));
  McmcOptions o = options(GetParam());
  const McmcResult plain = sample_chains(target(), prior, o, mpi::Communicator());
  // The signal arrives while the ledger is consulted (at a chain step, after 50 steps).
  struct SignallingLedger : RecordingLedger {
    bool checkpoint_due() const override {
      if (++calls == 50) request_interrupt(SIGUSR1);
      return false;
    }
  } ledger;
  o.ledger = &ledger;
  EXPECT_THROW(sample_chains(target(), prior, o, mpi::Communicator()), Interrupted);
  clear_interrupt();
  ASSERT_EQ(ledger.saved.size(), 1u);
  EXPECT_TRUE(ledger.stopping[0]);
  EXPECT_FALSE(ledger.saved[0].finished());
  RecordingLedger resumed;
  resumed.restore = ledger.saved[0];
  o.ledger = &resumed;
  const McmcResult r = sample_chains(target(), prior, o, mpi::Communicator());
  EXPECT_EQ(std::memcmp(plain.theta.data(), r.theta.data(), sizeof(double) * r.theta.size()), 0);
}

INSTANTIATE_TEST_SUITE_P(Kernels, ChainsCheckpoint, ::testing::Values("slice", "mh"));

TEST(ChainsCheckpointErrors, ProgressOfAnotherSamplingIsRefused) {
  env();
  const BoxUniform prior(Eigen::Vector2d(-1, -1), Eigen::Vector2d(1, 1));
  McmcOptions o = options("slice");
  RecordingLedger ledger;
  ledger.every = 100;
  o.ledger = &ledger;
  sample_chains(target(), prior, o, mpi::Communicator());
  const ChainsProgress good = ledger.saved.front();
  auto message = [&](ChainsProgress p, McmcOptions opt) {
    RecordingLedger l;
    l.restore = std::move(p);
    opt.ledger = &l;
    try {
      sample_chains(target(), prior, opt, mpi::Communicator());
    } catch (const CheckpointError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  McmcOptions more = o;
  more.chains = 13;
  EXPECT_NE(message(good, more).find("13 chains"), std::string::npos) << message(good, more);
  McmcOptions other_round = o;
  other_round.round = 3;
  EXPECT_NE(message(good, other_round).find("round 3"), std::string::npos);
  // A group's bytes cut short, or of another shape (more thinning: other kept sizes).
  ChainsProgress cut = good;
  for (auto& g : cut.groups)
    if (!g.empty()) g.resize(g.size() - 3);
  EXPECT_NE(message(cut, o).find("chain group"), std::string::npos) << message(cut, o);
  McmcOptions thinner = o;
  thinner.thin = 4;
  EXPECT_NE(message(good, thinner).find("chain group"), std::string::npos) << message(good, thinner);
}

}  // namespace
