// Proposals against independent computations: block addressing of the draw sequence, and
// normalised densities, acceptance, truncation thresholds and prior masses against quadrature on
// a grid, for a flow restricted to a box prior (PosteriorProposal) and TSNPE's truncated prior.
#include <gtest/gtest.h>

#include <cmath>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/direct_posterior.hpp"
#include "nsbi/inference/truncated_prior_proposal.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/nn/masked_autoregressive_flow.hpp"
#include "nsbi/prior/box_uniform.hpp"

using namespace nsbi;
using namespace nsbi::nn;

namespace {

mpi::Environment& env() {
  static mpi::Environment e;
  return e;
}

// q(θ | x) a 2-D flow with perturbed weights; about a third of its mass at x_o lies outside
// the prior's box [−1, 1.2] × [−1, 1].
struct FlowAtObservation {
  FlowAtObservation()
      : prior(Eigen::Vector2d(-1.0, -1.0), Eigen::Vector2d(1.2, 1.0)),
        flow(2, 1, MafOptions{2, 8}, 3,
             Standardizer{Eigen::Vector2d(1.0, -0.3), Eigen::Vector2d(0.6, 0.5)}, Standardizer::identity(1)),
        x_o(Eigen::VectorXd::Constant(1, 0.4)) {
    RandomStream rng(4, StreamId::initialization, 8, 0);
    for (auto& v : flow.parameters().values()) v += v == 0.0f ? 0.0f : 0.3f * static_cast<float>(rng.normal());
    posterior = std::make_unique<DirectPosterior>(std::vector<ConditionalDensityEstimator<float>*>{&flow}, prior,
                                                  false);
  }
  // Grid over [−4, 4]² with cell area h²; log q at every point.
  void grid(int n, Eigen::MatrixXd& pts, Eigen::VectorXd& lq, double& cell) {
    const double lo = -4, hi = 4, h = (hi - lo) / n;
    pts.resize(2, static_cast<Eigen::Index>(n) * n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) pts.col(i * n + j) = Eigen::Vector2d(lo + (i + 0.5) * h, lo + (j + 0.5) * h);
    Mat<float> y = pts.cast<float>(), c = Mat<float>::Constant(1, pts.cols(), 0.4f);
    Vec<float> out(pts.cols());
    flow.log_prob(y, c, out);
    lq = out.cast<double>();
    cell = h * h;
  }
  BoxUniform prior;
  MaskedAutoregressiveFlow<float> flow;
  Eigen::VectorXd x_o;
  std::unique_ptr<DirectPosterior> posterior;
};

bool in_box(const Eigen::Vector2d& t) { return t(0) >= -1 && t(0) <= 1.2 && t(1) >= -1 && t(1) <= 1; }

TEST(PriorProposalTest, DrawsArePriorDraws) {
  const BoxUniform prior(Eigen::Vector2d(0, 0), Eigen::Vector2d(1, 2));
  const PriorProposal p(prior);
  EXPECT_EQ(p.sample(5, StreamId::proposal, 2, 10, 7), prior.sample(5, StreamId::proposal, 2, 10, 7));
  EXPECT_EQ(p.log_prob(Eigen::Vector2d(0.5, 0.5)), prior.log_prob(Eigen::Vector2d(0.5, 0.5)));
}

TEST(PosteriorProposalTest, DrawSequenceIsBlockAddressed) {
  env();
  FlowAtObservation s;
  const PosteriorProposal a(*s.posterior, s.x_o, 9, 1), b(*s.posterior, s.x_o, 9, 1);
  const Eigen::MatrixXd all = a.sample(9, StreamId::proposal, 1, 0, 6000);
  // Any window of the sequence, asked for in any order and from another object, is the same.
  EXPECT_EQ(b.sample(9, StreamId::proposal, 1, 5000, 1000), all.rightCols(1000));
  EXPECT_EQ(b.sample(9, StreamId::proposal, 1, 17, 3), all.middleCols(17, 3));
  EXPECT_NE(a.sample(9, StreamId::resample, 1, 0, 3), all.leftCols(3));
  for (Eigen::Index j = 0; j < all.cols(); ++j) ASSERT_TRUE(in_box(all.col(j))) << j;
}

TEST(PosteriorProposalTest, AcceptanceAndDensityAgreeWithQuadrature) {
  env();
  FlowAtObservation s;
  const PosteriorProposal p(*s.posterior, s.x_o, 2, 1);
  Eigen::MatrixXd pts;
  Eigen::VectorXd lq;
  double cell;
  s.grid(400, pts, lq, cell);
  double mass_in = 0, total = 0, mean0 = 0;
  for (Eigen::Index j = 0; j < pts.cols(); ++j) {
    const double q = std::exp(lq(j)) * cell;
    total += q;
    if (in_box(pts.col(j))) {
      mass_in += q;
      mean0 += q * pts(0, j);
    }
  }
  ASSERT_NEAR(total, 1.0, 5e-3);  // the grid holds the flow's mass
  EXPECT_GT(mass_in, 0.3);
  EXPECT_LT(mass_in, 0.9);
  EXPECT_NEAR(p.acceptance(), mass_in, 0.015);
  // The normalised density integrates to one over the box, and is −inf outside it.
  const Eigen::VectorXd lp = p.log_prob(pts);
  double integral = 0;
  for (Eigen::Index j = 0; j < pts.cols(); ++j) {
    if (in_box(pts.col(j))) integral += std::exp(lp(j)) * cell;
    else EXPECT_EQ(lp(j), -std::numeric_limits<double>::infinity());
  }
  EXPECT_NEAR(integral, 1.0, 0.03);
  const Eigen::MatrixXd draws = p.sample(2, StreamId::proposal, 1, 0, 20000);
  EXPECT_NEAR(draws.row(0).mean(), mean0 / mass_in, 0.02);
}

TEST(TruncatedPriorProposalTest, RegionThresholdMassAndDrawsAgreeWithQuadrature) {
  env();
  FlowAtObservation s;
  TruncationOptions t;
  t.quantile = 0.05;  // a region whose edge 10,000 samples locate well
  const TruncatedPriorProposal p(*s.posterior, s.x_o, 3, 2, t, mpi::Communicator());
  Eigen::MatrixXd pts;
  Eigen::VectorXd lq;
  double cell;
  s.grid(400, pts, lq, cell);
  // The posterior here is q restricted to the box: the region above τ must hold 1 − ε of it.
  double in_box_mass = 0, above = 0, area = 0, mean1 = 0;
  for (Eigen::Index j = 0; j < pts.cols(); ++j) {
    if (!in_box(pts.col(j))) continue;
    const double q = std::exp(lq(j)) * cell;
    in_box_mass += q;
    if (lq(j) >= p.threshold()) {
      above += q;
      area += cell;
      mean1 += cell * pts(1, j);
    }
  }
  EXPECT_NEAR(above / in_box_mass, 0.95, 0.01);
  EXPECT_NEAR(p.prior_mass(), area / (2.2 * 2.0), 0.01);
  // Draws: inside the box and the region, uniform on it (its mean), and the density integrates to one.
  const Eigen::MatrixXd d = p.sample(3, StreamId::proposal, 2, 0, 20000);
  const Eigen::VectorXd ld = s.posterior->log_prob(d, s.x_o);
  for (Eigen::Index j = 0; j < d.cols(); ++j) {
    ASSERT_TRUE(in_box(d.col(j)));
    ASSERT_GE(ld(j), p.threshold());
  }
  EXPECT_NEAR(d.row(1).mean(), mean1 / area, 0.02);
  const Eigen::VectorXd lp = p.log_prob(pts);
  double integral = 0;
  for (Eigen::Index j = 0; j < pts.cols(); ++j)
    if (std::isfinite(lp(j))) integral += std::exp(lp(j)) * cell;
  EXPECT_NEAR(integral, 1.0, 0.03);
}

TEST(TruncatedPriorProposalTest, RejectsAQuantileOutsideTheUnitInterval) {
  env();
  FlowAtObservation s;
  TruncationOptions t;
  t.quantile = 1.0;
  EXPECT_THROW(TruncatedPriorProposal(*s.posterior, s.x_o, 3, 2, t, mpi::Communicator()), ConfigError);
}

}  // namespace
