// NPE against closed-form posteriors (small problems, trained in a few seconds): the npe method
// of the registry on a one-round bank, and its DirectPosterior.
#include "nsbi/inference/sequential_npe.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "nsbi/mpi/environment.hpp"
#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/prior/gaussian.hpp"
#include "tests/unit/normal_closed_forms.hpp"

using namespace nsbi;

namespace {

mpi::Environment& env() {
  static mpi::Environment e;  // singleton MPI: these tests run without mpirun
  return e;
}

// x ~ N(θ, s²·I), one draw per θ column.
Eigen::MatrixXd simulate_gaussian(const Eigen::MatrixXd& theta, double s, std::uint64_t seed) {
  Eigen::MatrixXd x(theta.rows(), theta.cols());
  for (Eigen::Index j = 0; j < theta.cols(); ++j) {
    RandomStream rng(seed, StreamId::simulation, 0, static_cast<std::uint64_t>(j));
    for (Eigen::Index i = 0; i < theta.rows(); ++i) x(i, j) = theta(i, j) + s * rng.normal();
  }
  return x;
}

RunConfig small_options(bool unconstrained) {
  RunConfig o;
  o.seed = 3;
  o.estimator.hidden_features = 32;
  o.estimator.transforms = 3;
  o.training.batch_size = 100;
  o.training.learning_rate = 1e-3;
  o.training.stop_after_epochs = 10;
  o.training.max_epochs = 150;
  o.posterior.samples = 5000;
  o.inference.unconstrained = unconstrained;
  return o;
}

struct NpeResult {
  std::vector<RoundTraining> trainings;
  Eigen::MatrixXd weights;  // one column per ensemble member
  PosteriorSamples posterior;
};

// One round of the npe method on the pairs (θ, x), all valid, then posterior samples at x_o.
NpeResult run_npe(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& x, const Eigen::VectorXd& x_o,
                  const Prior& prior, const RunConfig& cfg, const mpi::Communicator& comm) {
  SimulationBank bank;
  bank.theta = theta;
  bank.x = BankX::from(x);
  bank.status.assign(static_cast<std::size_t>(theta.cols()), SimStatus::ok);
  bank.attempts.assign(bank.status.size(), 1);
  bank.round.assign(bank.status.size(), 0);
  bank.log_proposal.assign(bank.status.size(), 0.0);
  Log log(false);
  SequentialNpe npe(MethodContext{cfg, prior, x_o, comm, log}, NpeVariant::npe);
  NpeResult r;
  r.trainings.push_back(npe.train(bank, 0));
  r.weights = npe.weights();
  PosteriorSampleOptions so;
  so.samples = cfg.posterior.samples;
  so.seed = cfg.seed;
  r.posterior = npe.posterior().sample(x_o, so, comm);
  return r;
}

// The posterior of θ ~ N(0, I₂), x ~ N(θ, 0.5²·I): precision 1 + 4 = 5, so mean 4·x_o/5 and
// variance 0.2 per dimension. Returns the sample mean and variance for further checks.
std::pair<Eigen::VectorXd, Eigen::VectorXd> expect_linear_gaussian_posterior(const Eigen::MatrixXd& s,
                                                                             const Eigen::VectorXd& x_o) {
  const Eigen::VectorXd mean = s.rowwise().mean();
  const Eigen::VectorXd var = (s.colwise() - mean).array().square().rowwise().sum() / (s.cols() - 1);
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(mean(i), 0.8 * x_o(i), 0.06) << "dim " << i;
    EXPECT_NEAR(var(i), 0.2, 0.04) << "dim " << i;
  }
  return {mean, var};
}

// θ ~ U([-1,1]²), x ~ N(θ, 0.5²·I), x_o near a corner: the posterior is N(x_o, 0.25·I)
// truncated to the box, independent per dimension.
constexpr double kBoxObservation[2] = {0.9, -0.7};

NpeResult run_box_problem(const RunConfig& o) {
  const BoxUniform prior(Eigen::VectorXd::Constant(2, -1.0), Eigen::VectorXd::Ones(2));
  const Eigen::MatrixXd theta = prior.sample(21, StreamId::proposal, 0, 0, 6000);
  const Eigen::MatrixXd x = simulate_gaussian(theta, 0.5, 22);
  const Eigen::Vector2d x_o(kBoxObservation[0], kBoxObservation[1]);
  return run_npe(theta, x, x_o, prior, o, mpi::Communicator());
}

// Mean and standard deviation of N(μ, 0.5²) truncated to [−1, 1].
std::pair<double, double> truncated_box_moments(double mu) {
  return nsbi::closed_form::truncated_normal_moments(mu, 0.5, -1.0, 1.0);
}

}  // namespace

TEST(NpeTest, RecoversTheLinearGaussianPosterior) {
  env();
  // θ ~ N(0, I₂), x ~ N(θ, 0.5²·I): see expect_linear_gaussian_posterior.
  const Gaussian prior = Gaussian::diagonal(Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(2));
  const Eigen::MatrixXd theta = prior.sample(11, StreamId::proposal, 0, 0, 6000);
  const Eigen::MatrixXd x = simulate_gaussian(theta, 0.5, 12);
  Eigen::VectorXd x_o(2);
  x_o << 0.8, -1.2;
  const NpeResult r = run_npe(theta, x, x_o, prior, small_options(false), mpi::Communicator());
  const Eigen::MatrixXd& s = r.posterior.theta;
  ASSERT_EQ(s.cols(), 5000);
  const auto [mean, var] = expect_linear_gaussian_posterior(s, x_o);
  const double corr = ((s.row(0).array() - mean(0)) * (s.row(1).array() - mean(1))).sum() / (s.cols() - 1) /
                      std::sqrt(var(0) * var(1));
  EXPECT_NEAR(corr, 0.0, 0.08);
  EXPECT_EQ(r.posterior.acceptance, 1.0);  // unbounded prior: nothing to reject
}

TEST(NpeTest, UnconstrainedTrainingKeepsSamplesInsideABoxAndMatchesTheTruncatedPosterior) {
  env();
  const NpeResult r = run_box_problem(small_options(true));
  const Eigen::MatrixXd& s = r.posterior.theta;
  ASSERT_EQ(s.cols(), 5000);
  EXPECT_EQ(r.posterior.acceptance, 1.0);  // every draw maps into the support
  EXPECT_LT(s.maxCoeff(), 1.0);
  EXPECT_GT(s.minCoeff(), -1.0);
  for (int i = 0; i < 2; ++i)
    EXPECT_NEAR(s.row(i).mean(), truncated_box_moments(kBoxObservation[i]).first, 0.06) << "dim " << i;
}

TEST(NpeTest, ASplineFlowFollowsTheBoxEdgeOfATruncatedPosterior) {
  env();
  // Trained on θ itself (no bijection): the truncated posterior has a sharp edge, which a
  // spline flow can follow. Sample mean and standard deviation per dimension.
  RunConfig o = small_options(false);
  o.inference.estimator = "nsf";
  const NpeResult r = run_box_problem(o);
  const Eigen::MatrixXd& s = r.posterior.theta;
  ASSERT_EQ(s.cols(), 5000);
  EXPECT_GT(r.posterior.acceptance, 0.9);  // little mass leaks outside the box
  for (int i = 0; i < 2; ++i) {
    const auto [mean, sd] = truncated_box_moments(kBoxObservation[i]);
    const double m = s.row(i).mean();
    const double sd_s = std::sqrt((s.row(i).array() - m).square().sum() / (s.cols() - 1));
    EXPECT_NEAR(m, mean, 0.05) << "dim " << i;
    EXPECT_NEAR(sd_s, sd, 0.04) << "dim " << i << " (truncated std " << sd << ")";
  }
}

TEST(NpeTest, AnEnsembleTrainsDistinctMembersAndSamplesTheirMixture) {
  env();
  const Gaussian prior = Gaussian::diagonal(Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(2));
  const Eigen::MatrixXd theta = prior.sample(11, StreamId::proposal, 0, 0, 4000);
  const Eigen::MatrixXd x = simulate_gaussian(theta, 0.5, 12);
  Eigen::VectorXd x_o(2);
  x_o << -0.4, 1.0;
  RunConfig o = small_options(false);
  o.estimator.ensemble = 3;
  o.posterior.samples = 4999;  // not a multiple of the block: the cut must keep the count exact
  const NpeResult r = run_npe(theta, x, x_o, prior, o, mpi::Communicator());
  ASSERT_EQ(r.weights.cols(), 3);
  ASSERT_EQ(r.trainings.front().trainings.size(), 3u);
  EXPECT_NE(r.weights.col(0), r.weights.col(1));
  EXPECT_NE(r.weights.col(1), r.weights.col(2));
  const Eigen::MatrixXd& s = r.posterior.theta;
  ASSERT_EQ(s.cols(), 4999);
  expect_linear_gaussian_posterior(s, x_o);
}

TEST(NpeTest, XIsZScoredAsAWholeForMapEmbeddingsAndPerValueOtherwise) {
  // Four values with different scales: per value, each gets its own mean and std; structured,
  // all four share those of the 4·N entries.
  Eigen::MatrixXd x(4, 200);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    RandomStream rng(21, StreamId::simulation, 0, static_cast<std::uint64_t>(j));
    for (Eigen::Index i = 0; i < x.rows(); ++i) x(i, j) = static_cast<double>(i) + static_cast<double>(i + 1) * rng.normal();
  }
  const nn::Standardizer independent = nn::Standardizer::fit(x), structured = nn::Standardizer::fit_structured(x);
  EXPECT_GT(independent.std(3), 2 * independent.std(0));  // the two fits differ
  const auto z_scored_as = [&](const std::string& type, const std::string& z_score) {
    RunConfig cfg;
    cfg.embedding.type = type;
    cfg.estimator.z_score_x = z_score;
    const nn::Standardizer s = fit_x_standardizer(cfg, x);
    if (s.mean == structured.mean && s.std == structured.std) return std::string("structured");
    if (s.mean == independent.mean && s.std == independent.std) return std::string("independent");
    return std::string("neither");
  };
  EXPECT_EQ(z_scored_as("cnn2d", "auto"), "structured");
  EXPECT_EQ(z_scored_as("power_spectrum", "auto"), "structured");
  for (const char* type : {"none", "mlp", "cnn1d", "deepset"}) EXPECT_EQ(z_scored_as(type, "auto"), "independent") << type;
  EXPECT_EQ(z_scored_as("cnn2d", "independent"), "independent");
  EXPECT_EQ(z_scored_as("mlp", "structured"), "structured");
  // The float path (the bank's x) makes the same choice.
  RunConfig cfg;
  cfg.embedding.type = "cnn2d";
  EXPECT_NEAR(fit_x_standardizer(cfg, Eigen::MatrixXf(x.cast<float>())).std(0), structured.std(0), 1e-5 * structured.std(0));
}
