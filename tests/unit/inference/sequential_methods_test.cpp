// The sequential methods against the closed-form linear-Gaussian posterior: each method of the
// registry driven through its rounds (propose → simulate → train → next proposal) on
// θ ~ N(0, I₂), x ~ N(θ, 0.5²·I), whose posterior is N(0.8·x_o, 0.2·I). x_o lies in the
// prior's tail, so the later rounds' proposals differ from the prior and each method's
// correction (weights, atoms, truncation, analytic) must undo it.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/sequential_npe.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/prior/gaussian.hpp"

using namespace nsbi;

namespace {

mpi::Environment& env() {
  static mpi::Environment e;
  return e;
}

struct Outcome {
  PosteriorSamples samples;
  std::vector<double> proposal_measures;
  SimulationBank bank;
};

using Inspect = std::function<void(const InferenceMethod&, const RunConfig&, const Prior&, const Eigen::VectorXd&)>;

Outcome run_rounds(const std::string& method, int rounds, std::int64_t per_round, const std::string& estimator = "maf",
                   const std::function<void(RunConfig&)>& tweak = {}, const Inspect& inspect = {}) {
  env();
  RunConfig cfg;
  cfg.seed = 5;
  cfg.inference.method = method;
  cfg.inference.estimator = estimator;
  cfg.inference.rounds = rounds;
  cfg.inference.simulations = rounds * per_round;
  cfg.estimator.hidden_features = 32;
  cfg.estimator.transforms = 3;
  cfg.estimator.components = 2;
  cfg.training.batch_size = 100;
  cfg.training.learning_rate = 1e-3;
  cfg.training.stop_after_epochs = 20;
  cfg.training.max_epochs = 200;
  cfg.inference.truncation_quantile = 1e-3;
  cfg.mcmc.chains = 20;
  cfg.mcmc.group_size = 10;
  if (tweak) tweak(cfg);
  const Gaussian prior = Gaussian::diagonal(Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(2));
  const Eigen::Vector2d x_o(1.6, -2.0);
  Log log(false);
  const mpi::Communicator comm;
  const MethodContext ctx{cfg, prior, x_o, comm, log};
  auto m = find_method(method).make(ctx);
  Outcome out;
  for (int r = 0; r < rounds; ++r) {
    const auto round = static_cast<std::uint32_t>(r);
    SimulationBank b;
    b.theta = m->proposal().sample(cfg.seed, StreamId::proposal, round, 0, per_round);
    Eigen::MatrixXd x = b.theta;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      RandomStream rng(cfg.seed, StreamId::simulation, round, static_cast<std::uint64_t>(j));
      for (int i = 0; i < 2; ++i) x(i, j) += 0.5 * rng.normal();
    }
    b.x = BankX::from(x);
    b.status.assign(static_cast<std::size_t>(per_round), SimStatus::ok);
    b.attempts.assign(b.status.size(), 1);
    b.round.assign(b.status.size(), round);
    const Eigen::VectorXd lp = m->proposal().log_prob(b.theta);
    b.log_proposal.assign(lp.data(), lp.data() + lp.size());
    out.bank.append(b);
    m->train(out.bank, round);
    if (r + 1 < rounds) out.proposal_measures.push_back(m->next_proposal(round + 1));
  }
  PosteriorSampleOptions so;
  so.samples = 5000;
  so.seed = cfg.seed;
  so.round = static_cast<std::uint32_t>(rounds - 1);
  out.samples = m->posterior().sample(x_o, so, comm);
  if (inspect) inspect(*m, cfg, prior, x_o);
  return out;
}

void expect_posterior(const Eigen::MatrixXd& s, double mean_tol = 0.08, double var_tol = 0.05) {
  ASSERT_EQ(s.cols(), 5000);
  const Eigen::Vector2d expected_mean(0.8 * 1.6, 0.8 * -2.0);
  const Eigen::VectorXd mean = s.rowwise().mean();
  const Eigen::VectorXd var = (s.colwise() - mean).array().square().rowwise().sum() / (s.cols() - 1);
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(mean(i), expected_mean(i), mean_tol) << "dim " << i;
    EXPECT_NEAR(var(i), 0.2, var_tol) << "dim " << i;
  }
}

// Later rounds concentrate their θ near the posterior: their mean moves from the prior's 0
// towards 0.8·x_o.
void expect_proposals_moved(const SimulationBank& bank, int rounds) {
  const auto last = bank.rows_of_round(static_cast<std::uint32_t>(rounds - 1));
  double m0 = 0;
  for (auto i : last) m0 += bank.theta(0, static_cast<Eigen::Index>(i));
  m0 /= static_cast<double>(last.size());
  EXPECT_GT(m0, 0.8) << "the last round's θ should be drawn near the posterior (mean 1.28)";
}

TEST(SequentialMethodsTest, SnpeCRecoversTheLinearGaussianPosterior) {
  const Outcome o = run_rounds("snpe_c", 3, 2000);
  expect_posterior(o.samples.theta);
  expect_proposals_moved(o.bank, 3);
  EXPECT_EQ(o.proposal_measures.front(), 1.0);  // an unbounded prior: nothing leaks
}

TEST(SequentialMethodsTest, SnpeBRecoversTheLinearGaussianPosterior) {
  const Outcome o = run_rounds("snpe_b", 3, 2000);
  // Without the importance weights the variance would be about half (the proposal posterior's).
  expect_posterior(o.samples.theta);
  expect_proposals_moved(o.bank, 3);
}

TEST(SequentialMethodsTest, TsnpeRecoversTheLinearGaussianPosterior) {
  const Outcome o = run_rounds("tsnpe", 3, 2000);
  expect_posterior(o.samples.theta);
  // The truncated prior keeps a small part of the prior: the 1 − 1e-3 HPD ellipse of
  // N((1.28, −1.6), 0.2·I) has radius² 2·0.2·ln(1000) ≈ 2.76, a prior mass of about 0.3.
  ASSERT_EQ(o.proposal_measures.size(), 2u);
  EXPECT_LT(o.proposal_measures.back(), 0.5);
  EXPECT_GT(o.proposal_measures.back(), 0.05);
}

TEST(SequentialMethodsTest, SnpeARecoversTheLinearGaussianPosterior) {
  const Outcome o = run_rounds("snpe_a", 3, 2000, "mdn");
  expect_posterior(o.samples.theta);
  expect_proposals_moved(o.bank, 3);
}

TEST(SequentialMethodsTest, NleEnsembleIsTheMixtureOfItsFlows) {
  // NLE with three flows: the posterior's potential is log((1/3)·Σ_k q_k(x_o | θ)) + log p(θ),
  // recomputed here from each member's saved weights; the members differ (own seeds); and the
  // MCMC posterior of the mixture recovers the closed form.
  const auto tweak = [](RunConfig& c) {
    c.estimator.ensemble = 3;
    c.estimator.scale = "softplus";
  };
  const auto inspect = [](const InferenceMethod& m, const RunConfig& cfg, const Prior& prior, const Eigen::VectorXd& x_o) {
    const std::optional<TrainedState> state = m.trained_state();
    ASSERT_TRUE(state.has_value());
    ASSERT_EQ(state->estimators.size(), 3u);
    Eigen::MatrixXd theta(2, 4);
    theta << 1.2, 0.5, -0.3, 2.0, -1.5, -1.0, 0.4, -2.5;
    const nn::Mat<float> y = x_o.cast<float>().replicate(1, theta.cols()), c = theta.cast<float>();
    Eigen::MatrixXd lq(3, theta.cols());
    for (int k = 0; k < 3; ++k) {
      const TrainedEstimator& e = state->estimators[static_cast<std::size_t>(k)];
      auto q = nn::make_density_estimator(density_estimator_spec(cfg), 2, 2, 0, e.first, e.second);
      q->parameters().values() = e.weights;
      nn::Vec<float> lp(theta.cols());
      q->log_prob(y, c, lp);
      lq.row(k) = lp.cast<double>().transpose();
    }
    EXPECT_GT((lq.row(0) - lq.row(1)).cwiseAbs().maxCoeff(), 1e-3) << "members should differ";
    const Eigen::VectorXd expected =
        (lq.array().exp().colwise().sum() / 3.0).log().transpose().matrix() + prior.log_prob(theta);
    const Eigen::VectorXd got = m.posterior().log_prob(theta, x_o);
    for (Eigen::Index j = 0; j < theta.cols(); ++j) EXPECT_NEAR(got(j), expected(j), 1e-4 * (1 + std::abs(expected(j))));
  };
  const Outcome o = run_rounds("nle", 1, 3000, "maf", tweak, inspect);
  expect_posterior(o.samples.theta, 0.1, 0.06);
}

}  // namespace
