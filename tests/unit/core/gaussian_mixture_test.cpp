// Gaussian mixtures and the SNPE-A correction, against independent computations: the correction
// against q·p/p̃ evaluated and normalised on a grid, moments and truncated means in closed form.
#include "nsbi/core/gaussian_mixture.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>

#include "nsbi/core/error.hpp"
#include "nsbi/prior/gaussian.hpp"

using namespace nsbi;

namespace {

Eigen::MatrixXd m2(double a, double b, double c, double d) {
  Eigen::MatrixXd m(2, 2);
  m << a, b, c, d;
  return m;
}

// log N(θ; μ, Σ) of every column, through the Gaussian prior (its own Cholesky code).
Eigen::VectorXd gaussian_log_prob(const Eigen::MatrixXd& theta, const Eigen::VectorXd& mu, const Eigen::MatrixXd& s) {
  return Gaussian(mu, s).log_prob(theta);
}

// log q of every column, as Σ_k α_k N_k summed in the linear domain from per-component densities.
Eigen::VectorXd mixture_log_prob_direct(const GaussianMixture& q, const Eigen::MatrixXd& theta) {
  Eigen::ArrayXd p = Eigen::ArrayXd::Zero(theta.cols());
  const double lse = std::log(q.log_weights.array().exp().sum());
  for (int k = 0; k < q.components(); ++k)
    p += std::exp(q.log_weights(k) - lse) * gaussian_log_prob(theta, q.means.col(k), q.covariances[k]).array().exp();
  return p.log();
}

// A regular grid of n points per axis over [lo, hi]^D (D = 1 or 2); returns the cell volume.
double grid(int D, int n, double lo, double hi, Eigen::MatrixXd& theta) {
  const double h = (hi - lo) / (n - 1);
  theta.resize(D, D == 1 ? n : n * n);
  for (Eigen::Index i = 0; i < theta.cols(); ++i) {
    theta(0, i) = lo + static_cast<double>(i % n) * h;
    if (D == 2) theta(1, i) = lo + static_cast<double>(i / n) * h;
  }
  return D == 1 ? h : h * h;
}

// max |p_corrected − p_grid| / max p_grid, where p_grid = q·p/p̃ normalised numerically on the
// grid (restricted to the box [box_lo, box_hi] when the prior is uniform).
double correction_error(const GaussianMixture& q, const Eigen::VectorXd& mp, const Eigen::MatrixXd& sp,
                        const Eigen::VectorXd* m0, const Eigen::MatrixXd* s0, int n, double lo, double hi,
                        double box_lo = -1e300, double box_hi = 1e300) {
  Eigen::MatrixXd theta;
  const double cell = grid(q.dim(), n, lo, hi, theta);
  Eigen::ArrayXd log_target = mixture_log_prob_direct(q, theta).array() - gaussian_log_prob(theta, mp, sp).array();
  if (m0) log_target += gaussian_log_prob(theta, *m0, *s0).array();
  const Eigen::ArrayXd inside =
      ((theta.array() >= box_lo).colwise().all() && (theta.array() <= box_hi).colwise().all()).cast<double>().transpose();
  Eigen::ArrayXd target = (log_target - log_target.maxCoeff()).exp() * inside;
  target /= target.sum() * cell;

  const GaussianMixture post = correct_mixture(q, mp, sp, m0, s0);
  Eigen::ArrayXd p = post.log_prob(theta).array().exp() * inside;
  p /= p.sum() * cell;  // only matters for the box (mass of the untruncated mixture outside it)
  return (p - target).abs().maxCoeff() / target.maxCoeff();
}

GaussianMixture two_components_1d() {
  GaussianMixture q;
  q.log_weights = Eigen::Vector2d(std::log(0.3), std::log(0.7));
  q.means = Eigen::RowVector2d(-1.0, 1.5);
  q.covariances = {Eigen::MatrixXd::Constant(1, 1, 0.25), Eigen::MatrixXd::Constant(1, 1, 0.6)};
  return q;
}

GaussianMixture two_components_2d() {
  GaussianMixture q;
  q.log_weights = Eigen::Vector2d(std::log(0.4), std::log(0.6));
  q.means = m2(-0.5, 1.0, 0.3, -0.8);
  q.covariances = {m2(0.5, 0.2, 0.2, 0.3), m2(0.4, -0.15, -0.15, 0.7)};
  return q;
}

}  // namespace

TEST(GaussianMixtureTest, LogProbMatchesSumOfGaussians) {
  const GaussianMixture q = two_components_2d();
  Eigen::MatrixXd theta(2, 4);
  theta << 0.0, 1.0, -2.0, 3.0,  //
      0.5, -1.0, 0.2, 2.0;
  EXPECT_LT((q.log_prob(theta) - mixture_log_prob_direct(q, theta)).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(GaussianMixtureTest, CorrectionMatchesGridIn1D) {
  const GaussianMixture q = two_components_1d();
  const Eigen::VectorXd mp = Eigen::VectorXd::Constant(1, 0.3), m0 = Eigen::VectorXd::Constant(1, -0.5);
  const Eigen::MatrixXd sp = Eigen::MatrixXd::Constant(1, 1, 4.0), s0 = Eigen::MatrixXd::Constant(1, 1, 9.0);
  EXPECT_LT(correction_error(q, mp, sp, &m0, &s0, 4001, -10, 10), 1e-8);
}

TEST(GaussianMixtureTest, CorrectionMatchesGridIn2D) {
  const GaussianMixture q = two_components_2d();
  const Eigen::VectorXd mp = Eigen::Vector2d(0.2, 0.1), m0 = Eigen::Vector2d(-0.3, 0.4);
  const Eigen::MatrixXd sp = m2(2.0, 0.5, 0.5, 1.5), s0 = m2(3.0, -0.4, -0.4, 2.0);
  EXPECT_LT(correction_error(q, mp, sp, &m0, &s0, 401, -6, 6), 1e-8);
}

TEST(GaussianMixtureTest, CorrectionForBoxPriorMatchesGridIn2D) {
  // A null prior is box-uniform: the corrected mixture, truncated to the box, is q/p̃ on the box.
  const GaussianMixture q = two_components_2d();
  const Eigen::VectorXd mp = Eigen::Vector2d(0.2, 0.1);
  const Eigen::MatrixXd sp = m2(2.0, 0.5, 0.5, 1.5);
  EXPECT_LT(correction_error(q, mp, sp, nullptr, nullptr, 401, -6, 6, -1.0, 1.5), 1e-8);
}

TEST(GaussianMixtureTest, CorrectedWeightsOfTwoComponents) {
  // α'_k ∝ α_k ∫ N_k p / p̃, each integral by quadrature.
  const GaussianMixture q = two_components_1d();
  const Eigen::VectorXd mp = Eigen::VectorXd::Constant(1, 0.3), m0 = Eigen::VectorXd::Constant(1, -0.5);
  const Eigen::MatrixXd sp = Eigen::MatrixXd::Constant(1, 1, 4.0), s0 = Eigen::MatrixXd::Constant(1, 1, 9.0);
  Eigen::MatrixXd theta;
  const double cell = grid(1, 8001, -15, 15, theta);
  const Eigen::ArrayXd ratio = (gaussian_log_prob(theta, m0, s0) - gaussian_log_prob(theta, mp, sp)).array().exp();
  Eigen::Vector2d w;
  for (int k = 0; k < 2; ++k)
    w(k) = std::exp(q.log_weights(k)) *
           (gaussian_log_prob(theta, q.means.col(k), q.covariances[k]).array().exp() * ratio).sum() * cell;
  w /= w.sum();
  const GaussianMixture post = correct_mixture(q, mp, sp, &m0, &s0);
  EXPECT_NEAR(std::exp(post.log_weights(0)), w(0), 1e-10);
  EXPECT_NEAR(std::exp(post.log_weights(1)), w(1), 1e-10);
  EXPECT_GT(std::abs(w(0) - 0.3), 0.01);  // the correction does move the weights
}

TEST(GaussianMixtureTest, ProposalNarrowerThanEstimateThrowsNamingTheComponent) {
  // Component 1 has variance 0.6 along θ_0; a proposal of variance 0.5 makes 1/0.6 − 1/0.5 < 0.
  const GaussianMixture q = two_components_1d();
  const Eigen::VectorXd mp = Eigen::VectorXd::Zero(1);
  const Eigen::MatrixXd sp = Eigen::MatrixXd::Constant(1, 1, 0.5);
  try {
    correct_mixture(q, mp, sp, nullptr, nullptr);
    FAIL() << "expected NumericalError";
  } catch (const NumericalError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("correct_mixture: component 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("positive definite"), std::string::npos) << msg;
    EXPECT_NE(msg.find("narrower"), std::string::npos) << msg;
  }
}

TEST(GaussianMixtureTest, SamplesMatchClosedFormMoments) {
  const GaussianMixture q = two_components_2d();
  RandomStream rng(5, StreamId::posterior, 0, 0);
  const int n = 100000;
  const Eigen::MatrixXd s = q.sample(rng, n);
  const Eigen::VectorXd mean = s.rowwise().mean();
  const Eigen::MatrixXd centered = s.colwise() - mean;
  const Eigen::MatrixXd cov = centered * centered.transpose() / (n - 1);
  const Eigen::MatrixXd true_cov = q.covariance();
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(mean(i), q.mean()(i), 4 * std::sqrt(true_cov(i, i) / n));
    for (int j = 0; j < 2; ++j)
      // Var of a sample covariance is (σ_ii σ_jj + σ_ij²)/n for a Gaussian; ×2 for the mixture's heavier tails.
      EXPECT_NEAR(cov(i, j), true_cov(i, j),
                  8 * std::sqrt((true_cov(i, i) * true_cov(j, j) + true_cov(i, j) * true_cov(i, j)) / n));
  }
  // Closed-form moments of the two-component mixture, by hand for θ_0.
  EXPECT_NEAR(q.mean()(0), 0.4 * -0.5 + 0.6 * 1.0, 1e-14);
  EXPECT_NEAR(true_cov(0, 0), 0.4 * (0.5 + 0.25) + 0.6 * (0.4 + 1.0) - 0.4 * 0.4, 1e-14);
}

TEST(GaussianMixtureTest, BoxSamplesMatchTruncatedNormalMean) {
  // N(0.5, 1) on [0, 2]: mean = μ + σ (φ(a) − φ(b)) / (Φ(b) − Φ(a)), a = −0.5, b = 1.5.
  GaussianMixture q;
  q.log_weights = Eigen::VectorXd::Zero(1);
  q.means = Eigen::MatrixXd::Constant(1, 1, 0.5);
  q.covariances = {Eigen::MatrixXd::Identity(1, 1)};
  const auto phi = [](double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi); };
  const auto Phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  const double mass = Phi(1.5) - Phi(-0.5), mean = 0.5 + (phi(-0.5) - phi(1.5)) / mass;
  RandomStream rng(7, StreamId::posterior, 0, 0);
  const int n = 50000;
  const TruncatedSamples s = q.sample_in_box(rng, n, Eigen::VectorXd::Zero(1), Eigen::VectorXd::Constant(1, 2.0));
  ASSERT_EQ(s.theta.cols(), n);
  EXPECT_FALSE(s.truncated);
  EXPECT_GE(s.theta.minCoeff(), 0.0);
  EXPECT_LE(s.theta.maxCoeff(), 2.0);
  EXPECT_NEAR(s.theta.mean(), mean, 4 * 0.6 / std::sqrt(double(n)));  // sd of the truncated normal < 0.6
  EXPECT_NEAR(s.acceptance, mass, 4 * std::sqrt(mass * (1 - mass) / s.draws));
}

TEST(GaussianMixtureTest, BoxSamplingStopsAtTheDrawCap) {
  GaussianMixture q;
  q.log_weights = Eigen::VectorXd::Zero(1);
  q.means = Eigen::MatrixXd::Zero(1, 1);
  q.covariances = {Eigen::MatrixXd::Identity(1, 1)};
  RandomStream rng(8, StreamId::posterior, 0, 0);
  // P(θ > 3) ≈ 1.3e-3: 1000 draws keep about 1 of the 100 asked for.
  const TruncatedSamples s = q.sample_in_box(rng, 100, Eigen::VectorXd::Constant(1, 3.0), Eigen::VectorXd::Constant(1, 9.0), 1000);
  EXPECT_TRUE(s.truncated);
  EXPECT_EQ(s.draws, 1000);
  EXPECT_LT(s.theta.cols(), 100);
  EXPECT_DOUBLE_EQ(s.acceptance, static_cast<double>(s.theta.cols()) / 1000.0);
}

TEST(GaussianMixtureTest, InconsistentShapesAreRejected) {
  GaussianMixture q = two_components_2d();
  q.covariances.pop_back();
  EXPECT_THROW(q.log_prob(Eigen::MatrixXd::Zero(2, 1)), ShapeError);
  const GaussianMixture ok = two_components_2d();
  EXPECT_THROW(ok.log_prob(Eigen::MatrixXd::Zero(3, 1)), ShapeError);
  const Eigen::VectorXd m = Eigen::Vector2d::Zero();
  EXPECT_THROW(correct_mixture(ok, m, Eigen::MatrixXd::Identity(3, 3), nullptr, nullptr), ShapeError);
}

namespace {

// q of two_components_2d with a proposal narrower than component 1 along one direction and wider
// than component 0: Λ'_1 is indefinite, Λ'_0 positive definite.
struct WideComponentCase {
  GaussianMixture q = two_components_2d();
  Eigen::VectorXd mp = Eigen::Vector2d(0.1, -0.2);
  Eigen::MatrixXd sp = m2(3.0, 0.0, 0.0, 0.5);
  Eigen::VectorXd lo = Eigen::Vector2d(-1.5, -2.0), hi = Eigen::Vector2d(1.0, 1.5);
};

// 1 for the columns of theta inside [lo, hi], else 0.
Eigen::ArrayXd in_box(const Eigen::MatrixXd& theta, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi) {
  Eigen::ArrayXd inside(theta.cols());
  for (Eigen::Index j = 0; j < theta.cols(); ++j)
    inside(j) = (theta.col(j).array() >= lo.array()).all() && (theta.col(j).array() <= hi.array()).all() ? 1.0 : 0.0;
  return inside;
}

}  // namespace

TEST(GaussianMixtureTest, BoxCorrectionOfAComponentWiderThanTheProposalMatchesGrid) {
  const WideComponentCase c;
  EXPECT_THROW(correct_mixture(c.q, c.mp, c.sp, nullptr, nullptr), NumericalError);
  const TiltedMixture post = correct_mixture_in_box(c.q, c.mp, c.sp, c.lo, c.hi);
  ASSERT_EQ(post.tilts.size(), 2u);
  EXPECT_FALSE(post.tilts[0].has_value());
  ASSERT_TRUE(post.tilts[1].has_value());
  // Component 0 is the closed-form one, as correct_mixture gives it for this component alone.
  GaussianMixture first = c.q;
  first.log_weights = Eigen::VectorXd::Zero(1);
  first.means = c.q.means.col(0);
  first.covariances = {c.q.covariances[0]};
  const GaussianMixture alone = correct_mixture(first, c.mp, c.sp, nullptr, nullptr);
  EXPECT_LT((post.mixture.means.col(0) - alone.means.col(0)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((post.mixture.covariances[0] - alone.covariances[0]).cwiseAbs().maxCoeff(), 1e-12);

  // Inside the box, the tilted mixture is q/p̃ up to one constant: normalised on a grid, the two agree.
  Eigen::MatrixXd theta;
  const double cell = grid(2, 301, -2.0, 1.5, theta);
  const Eigen::ArrayXd inside = in_box(theta, c.lo, c.hi);
  const Eigen::ArrayXd log_target = mixture_log_prob_direct(c.q, theta).array() - gaussian_log_prob(theta, c.mp, c.sp).array();
  Eigen::ArrayXd target = (log_target - log_target.maxCoeff()).exp() * inside;
  target /= target.sum() * cell;
  const Eigen::ArrayXd lp = post.log_prob(theta).array();
  Eigen::ArrayXd p = (lp - lp.maxCoeff()).exp() * inside;
  p /= p.sum() * cell;
  EXPECT_LT((p - target).abs().maxCoeff() / target.maxCoeff(), 1e-10);

  // The tilt's factor is at most 1 in the box: at its corners, where a convex exponent peaks.
  for (int corner = 0; corner < 4; ++corner) {
    const Eigen::Vector2d v(corner & 1 ? c.hi(0) : c.lo(0), corner & 2 ? c.hi(1) : c.lo(1));
    EXPECT_LE(post.tilts[1]->log_factor(v)(0), 1e-12);
  }
}

TEST(GaussianMixtureTest, TiltedCandidatesInTheBoxFollowTheCorrectedDensity) {
  const WideComponentCase c;
  const TiltedMixture post = correct_mixture_in_box(c.q, c.mp, c.sp, c.lo, c.hi);
  // Moments of q/p̃ on the box by quadrature, against the candidates kept inside the box.
  Eigen::MatrixXd theta;
  grid(2, 401, -2.0, 1.5, theta);
  const Eigen::ArrayXd inside = in_box(theta, c.lo, c.hi);
  const Eigen::ArrayXd log_target = mixture_log_prob_direct(c.q, theta).array() - gaussian_log_prob(theta, c.mp, c.sp).array();
  Eigen::ArrayXd w = (log_target - log_target.maxCoeff()).exp() * inside;
  w /= w.sum();
  const Eigen::Vector2d mean = theta * w.matrix();
  const Eigen::MatrixXd centered = theta.colwise() - mean;
  const Eigen::MatrixXd cov = centered * w.matrix().asDiagonal() * centered.transpose();

  RandomStream rng(11, StreamId::posterior, 0, 0);
  const Eigen::MatrixXd cand = post.candidates(rng, 400000);
  const Eigen::ArrayXd ok = in_box(cand, c.lo, c.hi);  // NaN columns compare false
  std::vector<Eigen::Index> kept;
  for (Eigen::Index j = 0; j < cand.cols(); ++j)
    if (ok(j) > 0) kept.push_back(j);
  ASSERT_GT(kept.size(), 20000u);
  const Eigen::MatrixXd s = cand(Eigen::all, kept);
  const Eigen::Vector2d sm = s.rowwise().mean();
  const double n = static_cast<double>(kept.size());
  for (int i = 0; i < 2; ++i) EXPECT_NEAR(sm(i), mean(i), 4 * std::sqrt(cov(i, i) / n)) << i;
  const Eigen::MatrixXd sc = s.colwise() - sm;
  const Eigen::MatrixXd scov = sc * sc.transpose() / (n - 1);
  for (int i = 0; i < 2; ++i) EXPECT_NEAR(scov(i, i), cov(i, i), 6 * cov(i, i) * std::sqrt(2.0 / n)) << i;
  // Without tilts, candidates are exactly the mixture's draws.
  const TiltedMixture plain{two_components_2d(), {}};
  RandomStream a(3, StreamId::posterior, 0, 0), b(3, StreamId::posterior, 0, 0);
  EXPECT_EQ(plain.candidates(a, 100), two_components_2d().sample(b, 100));
}
