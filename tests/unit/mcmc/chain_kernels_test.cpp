// The MCMC samplers against closed-form targets: a correlated Gaussian (moments), a bimodal
// mixture (mode weights and mean), a Gaussian truncated to a box prior's support (chains in the
// unconstrained space with the Jacobian term; Kolmogorov–Smirnov distance to the exact marginal
// CDF), independence of a chain's draws from the grouping, and the errors of bad settings.
#include <gtest/gtest.h>

#include <csignal>

#include "nsbi/core/interrupt.hpp"

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <cstring>
#include <algorithm>
#include <cmath>

#include "nsbi/core/error.hpp"
#include "nsbi/mcmc/parallel_chains.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/prior/gaussian.hpp"
#include "tests/unit/normal_closed_forms.hpp"

using namespace nsbi;
using namespace nsbi::mcmc;

namespace {

mpi::Environment& env() {
  static mpi::Environment e;
  return e;
}

using nsbi::closed_form::normal_cdf;

/// sup |F_n − F| of the sample against a CDF.
template <typename Cdf>
double ks_distance(std::vector<double> v, Cdf cdf) {
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  double d = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double f = cdf(v[i]);
    d = std::max({d, std::abs(f - i / n), std::abs((i + 1) / n - f)});
  }
  return d;
}

struct CorrelatedGaussian {
  Eigen::Vector3d mean{1.0, -2.0, 0.5};
  Eigen::Matrix3d cov;
  Eigen::Matrix3d precision;
  CorrelatedGaussian() {
    const Eigen::Vector3d sd(1.0, 0.3, 2.0);
    Eigen::Matrix3d corr;
    corr << 1.0, 0.8, -0.3, 0.8, 1.0, 0.0, -0.3, 0.0, 1.0;
    cov = sd.asDiagonal() * corr * sd.asDiagonal();
    precision = cov.inverse();
  }
  LogDensity density() const {
    return [this](const Eigen::Ref<const Eigen::MatrixXd>& th, Eigen::Ref<Eigen::VectorXd> out) {
      const Eigen::MatrixXd d = th.colwise() - mean;
      out = -0.5 * (d.array() * (precision * d).array()).colwise().sum().transpose();
    };
  }
};

McmcOptions options(const std::string& sampler) {
  McmcOptions o;
  o.sampler = sampler;
  o.seed = 7;
  o.samples = 10000;
  return o;
}

class Samplers : public ::testing::TestWithParam<std::string> {};

TEST_P(Samplers, CorrelatedGaussianMoments) {
  env();
  const CorrelatedGaussian target;
  const Gaussian prior(Eigen::Vector3d::Zero(), 100.0 * Eigen::Matrix3d::Identity());  // T = identity
  McmcOptions o = options(GetParam());
  if (GetParam() == "mh") o.warmup = 400;
  const McmcResult r = sample_chains(target.density(), prior, o, mpi::Communicator());
  ASSERT_EQ(r.theta.cols(), 10000);
  const Eigen::Vector3d m = r.theta.rowwise().mean();
  const Eigen::MatrixXd c = r.theta.colwise() - m;
  const Eigen::Matrix3d cov = c * c.transpose() / (r.theta.cols() - 1.0);
  for (int d = 0; d < 3; ++d) {
    const double sd = std::sqrt(target.cov(d, d));
    // The Monte-Carlo error of the mean is sd/√ESS; allow 5 of them.
    EXPECT_NEAR(m(d), target.mean(d), 5 * sd / std::sqrt(r.ess_bulk[d])) << "dimension " << d;
    for (int e = 0; e < 3; ++e)
      EXPECT_NEAR(cov(d, e), target.cov(d, e), 0.1 * sd * std::sqrt(target.cov(e, e))) << d << "," << e;
    EXPECT_LT(r.rhat[d], 1.02);
    EXPECT_GT(r.ess_bulk[d], 300);
  }
  if (GetParam() == "mh") {
    EXPECT_GT(r.acceptance, 0.1);
    EXPECT_LT(r.acceptance, 0.6);
  } else {
    EXPECT_GT(r.evaluations_per_step, 3.0);  // per chain step: a sweep over 3 coordinates
    EXPECT_LT(r.evaluations_per_step / 3, 8.0);
  }
}

TEST_P(Samplers, TruncatedGaussianInBoxKs) {
  env();
  // p(θ) ∝ N(θ; μ, σ²I) on the box [0,1]²: chains in logit space, the Jacobian in the potential.
  const BoxUniform prior(Eigen::Vector2d::Zero(), Eigen::Vector2d::Ones());
  const Eigen::Vector2d mu(0.9, 0.2);
  const double s = 0.3;
  const LogDensity pot = [&](const Eigen::Ref<const Eigen::MatrixXd>& th, Eigen::Ref<Eigen::VectorXd> out) {
    out = -0.5 * ((th.colwise() - mu).array() / s).square().colwise().sum().transpose();
    out += prior.log_prob(th);
  };
  McmcOptions o = options(GetParam());
  if (GetParam() == "mh") o.warmup = 400;
  const McmcResult r = sample_chains(pot, prior, o, mpi::Communicator());
  for (int d = 0; d < 2; ++d) {
    const double lo = normal_cdf((0 - mu(d)) / s), hi = normal_cdf((1 - mu(d)) / s);
    std::vector<double> v(r.theta.row(d).data(), r.theta.row(d).data() + 0);
    for (Eigen::Index j = 0; j < r.theta.cols(); ++j) v.push_back(r.theta(d, j));
    EXPECT_GT(*std::min_element(v.begin(), v.end()), 0.0);
    EXPECT_LT(*std::max_element(v.begin(), v.end()), 1.0);
    const double ks = ks_distance(v, [&](double t) { return (normal_cdf((t - mu(d)) / s) - lo) / (hi - lo); });
    // Critical value of the KS distance at level 0.001 for n = ESS draws: 1.95/√n.
    EXPECT_LT(ks, 1.95 / std::sqrt(r.ess_bulk[d])) << "dimension " << d << " ess " << r.ess_bulk[d];
  }
}

TEST_P(Samplers, BimodalMixtureWeights) {
  env();
  // 0.3·N(−1.5, 0.6²) + 0.7·N(1.5, 0.6²): mean 0.6, 70 % of the mass above 0.
  const Gaussian prior(Eigen::VectorXd::Zero(1), 25.0 * Eigen::MatrixXd::Identity(1, 1));
  const LogDensity pot = [](const Eigen::Ref<const Eigen::MatrixXd>& th, Eigen::Ref<Eigen::VectorXd> out) {
    for (Eigen::Index j = 0; j < th.cols(); ++j) {
      const double a = std::log(0.3) - 0.5 * std::pow((th(0, j) + 1.5) / 0.6, 2);
      const double b = std::log(0.7) - 0.5 * std::pow((th(0, j) - 1.5) / 0.6, 2);
      out(j) = std::max(a, b) + std::log1p(std::exp(-std::abs(a - b)));
    }
  };
  McmcOptions o = options(GetParam());
  o.samples = 20000;
  const McmcResult r = sample_chains(pot, prior, o, mpi::Communicator());
  const double above = (r.theta.row(0).array() > 0).cast<double>().mean();
  EXPECT_NEAR(above, 0.7, 0.05);
  EXPECT_NEAR(r.theta.row(0).mean(), 0.6, 0.15);
  // Φ-mixture CDF.
  std::vector<double> v(r.theta.data(), r.theta.data() + r.theta.cols());
  const double ks = ks_distance(v, [](double t) {
    return 0.3 * normal_cdf((t + 1.5) / 0.6) + 0.7 * normal_cdf((t - 1.5) / 0.6);
  });
  EXPECT_LT(ks, 0.05);
}

TEST_P(Samplers, ChainDrawsDoNotDependOnGrouping) {
  env();
  // A potential computed column by column: a chain's draws must be the same bytes whatever
  // group it runs in (the rank layout only changes the grouping's placement).
  const CorrelatedGaussian target;
  const Gaussian prior(Eigen::Vector3d::Zero(), 100.0 * Eigen::Matrix3d::Identity());
  McmcOptions o = options(GetParam());
  o.samples = 500;
  o.chains = 10;
  o.group_size = 10;
  const McmcResult a = sample_chains(target.density(), prior, o, mpi::Communicator());
  o.group_size = 3;
  const McmcResult b = sample_chains(target.density(), prior, o, mpi::Communicator());
  ASSERT_EQ(a.theta.cols(), b.theta.cols());
  EXPECT_EQ(0, std::memcmp(a.theta.data(), b.theta.data(), sizeof(double) * a.theta.size()));
}

INSTANTIATE_TEST_SUITE_P(Mcmc, Samplers, ::testing::Values("slice", "mh"));

TEST(Mcmc, PotentialNotFiniteAnywhereIsAClearError) {
  env();
  const BoxUniform prior(Eigen::Vector2d::Zero(), Eigen::Vector2d::Ones());
  const LogDensity nan = [](const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::VectorXd> out) {
    out.setConstant(std::numeric_limits<double>::quiet_NaN());
  };
  McmcOptions o;
  o.samples = 100;
  try {
    sample_chains(nan, prior, o, mpi::Communicator());
    FAIL() << "no error";
  } catch (const NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("every candidate"), std::string::npos) << e.what();
  }
  o.init = "prior";
  EXPECT_THROW(sample_chains(nan, prior, o, mpi::Communicator()), NumericalError);
}

TEST(Mcmc, AStopSignalEndsTheChainsWithInterrupted) {
  env();
  const CorrelatedGaussian target;
  const Gaussian prior(Eigen::Vector3d::Zero(), 100.0 * Eigen::Matrix3d::Identity());
  McmcOptions o;
  o.samples = 200;
  request_interrupt(SIGUSR1);
  EXPECT_THROW(sample_chains(target.density(), prior, o, mpi::Communicator()), Interrupted);
  clear_interrupt();
  EXPECT_EQ(sample_chains(target.density(), prior, o, mpi::Communicator()).theta.cols(), 200);
}

TEST(Mcmc, ValidateNamesTheKey) {
  auto message = [](McmcOptions o) {
    try {
      validate(o);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  McmcOptions o;
  o.chains = 0;
  EXPECT_NE(message(o).find("mcmc.chains"), std::string::npos);
  o = {};
  o.thin = 0;
  EXPECT_NE(message(o).find("mcmc.thin"), std::string::npos);
  o = {};
  o.sampler = "hmc";
  EXPECT_NE(message(o).find("mcmc.sampler"), std::string::npos);
  o = {};
  o.init = "map";
  EXPECT_NE(message(o).find("mcmc.init"), std::string::npos);
  EXPECT_EQ(message(McmcOptions{}), "");
}

}  // namespace
