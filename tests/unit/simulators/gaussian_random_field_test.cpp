// The gaussian_random_field task (issue 13) against independent computations: the maps' power
// spectrum is A·|k|^(−n) (mode by mode, averaged over many maps), the maps have zero mean, and the
// FFT likelihood equals a dense Gaussian density whose covariance is built from the cosine sum
// Σ_ab = N^−2 Σ_k P(k) cos(2π k·(r_a − r_b)/N) (up to a θ-independent constant: the dense one is
// made regular by a variance for the mean mode, which a zero-mean map does not see).
#include "workers/simulators/gaussian_random_field.hpp"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <cmath>
#include <map>
#include <numbers>

#include "nsbi/simulator/task.hpp"

namespace nsbi {
namespace {

double power(const Eigen::Vector2d& theta, double k2) { return std::exp(theta(0)) * std::pow(k2, -0.5 * theta(1)); }
int freq(int i, int n) { return i <= n / 2 ? i : i - n; }

TEST(GaussianRandomFieldTest, PowerSpectrumAndZeroMean) {
  const int n = 16, maps = 400;
  const GaussianRandomField field(n);
  const Eigen::Vector2d theta(0.3, 2.5);
  std::map<int, std::pair<double, int>> by_k2;  // |k|² → (Σ |X|²/N², modes)
  Eigen::VectorXd x(n * n);
  Eigen::MatrixXcd grid(n, n);
  for (int m = 0; m < maps; ++m) {
    RandomStream rng(11, StreamId::simulation, 0, static_cast<std::uint64_t>(m));
    field.simulate(theta, rng, x);
    EXPECT_LT(std::abs(x.mean()), 1e-12);
    // The transform by the definition (a direct DFT, not the task's FFT).
    for (int kr = 0; kr < n; ++kr)
      for (int kc = 0; kc < n; ++kc) {
        std::complex<double> s = 0;
        for (int r = 0; r < n; ++r)
          for (int c = 0; c < n; ++c)
            s += x(r * n + c) * std::polar(1.0, -2.0 * std::numbers::pi * (kr * r + kc * c) / n);
        grid(kr, kc) = s;
      }
    for (int kr = 0; kr < n; ++kr)
      for (int kc = 0; kc < n; ++kc) {
        const int k2 = freq(kr, n) * freq(kr, n) + freq(kc, n) * freq(kc, n);
        if (k2 == 0) continue;
        auto& [sum, count] = by_k2[k2];
        sum += std::norm(grid(kr, kc)) / (n * n);
        ++count;
      }
  }
  for (const auto& [k2, v] : by_k2) {
    const double mean = v.first / v.second, p = power(theta, k2);
    // S = |X|²/N² is P·Exp(1) for a pair's modes (two equal per pair), P·χ²₁ for a real mode.
    const double rel_sd = std::sqrt(2.0 / (v.second / 2.0));
    EXPECT_NEAR(mean / p, 1.0, 5 * rel_sd) << "|k|² = " << k2;
  }
}

TEST(GaussianRandomFieldTest, LikelihoodIsTheDenseGaussianDensity) {
  const int n = 8, d = n * n;
  const GaussianRandomField field(n);
  Eigen::VectorXd x(d);
  RandomStream rng(5, StreamId::simulation, 0, 0);
  field.simulate(Eigen::Vector2d(0.2, 2.0), rng, x);
  const GaussianRandomField::Spectrum s = field.spectrum(x);
  auto dense = [&](const Eigen::Vector2d& theta) {
    Eigen::MatrixXd cov = Eigen::MatrixXd::Constant(d, d, 1.0 / d);  // the mean mode's variance: 1
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < d; ++b) {
        const int dr = a / n - b / n, dc = a % n - b % n;
        double sum = 0;
        for (int kr = 0; kr < n; ++kr)
          for (int kc = 0; kc < n; ++kc) {
            const int k2 = freq(kr, n) * freq(kr, n) + freq(kc, n) * freq(kc, n);
            if (k2 > 0) sum += power(theta, k2) * std::cos(2.0 * std::numbers::pi * (kr * dr + kc * dc) / n);
          }
        cov(a, b) += sum / d;
      }
    const Eigen::LLT<Eigen::MatrixXd> llt(cov);
    const Eigen::VectorXd z = llt.matrixL().solve(x);
    return -0.5 * z.squaredNorm() - Eigen::MatrixXd(llt.matrixL()).diagonal().array().log().sum() -
           0.5 * d * std::log(2.0 * std::numbers::pi);
  };
  const Eigen::Vector2d a(0.2, 2.0), b(-0.5, 3.1), c(0.9, 1.2);
  const double la = GaussianRandomField::log_likelihood(s, a), lb = GaussianRandomField::log_likelihood(s, b),
               lc = GaussianRandomField::log_likelihood(s, c);
  EXPECT_NEAR(la - lb, dense(a) - dense(b), 1e-8 * std::abs(la - lb) + 1e-8);
  EXPECT_NEAR(la - lc, dense(a) - dense(c), 1e-8 * std::abs(la - lc) + 1e-8);
  // The constant too: the dense density is the zero-mean one times that of the mean mode's
  // orthonormal coordinate (N·mean(x) = 0, variance 1 here) at 0, N(0; 0, 1).
  EXPECT_NEAR(dense(a) - la, -0.5 * std::log(2.0 * std::numbers::pi), 1e-8);
}

TEST(GaussianRandomFieldTest, TheTaskHasItsLikelihood) {
  const Task& t = find_task("gaussian_random_field");
  EXPECT_EQ(t.theta_dim, 2);
  EXPECT_EQ(t.x_dim, 1024);
  ASSERT_TRUE(t.make_log_likelihood);
  auto sim = t.make_simulator();
  Eigen::MatrixXd x(1024, 1);
  std::vector<std::uint64_t> seeds{3};
  std::vector<SimStatus> status(1);
  const Eigen::Vector2d truth(0.4, 2.2);
  sim->simulate(truth, seeds, x, status);
  ASSERT_EQ(status[0], SimStatus::ok);
  const auto loglik = t.make_log_likelihood(x.col(0));
  // 1023 modes pin θ down: the truth beats points a few posterior widths away.
  EXPECT_GT(loglik(truth), loglik(Eigen::Vector2d(0.6, 2.2)));
  EXPECT_GT(loglik(truth), loglik(Eigen::Vector2d(0.4, 2.5)));
}

}  // namespace
}  // namespace nsbi
