// nsbi bench reference (issue 13): the reference posterior of gaussian_random_field, sampled by
// MCMC on the exact likelihood, against the same posterior by quadrature on a fine grid over the
// prior's box (an independent computation: no chains): means, standard deviations and the
// correlation agree within Monte Carlo error; the files have sbibm's layout. The linear tasks
// against their closed-form posteriors.
#include "nsbi/bench/reference_posterior.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>

#include "nsbi/core/error.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/simulator/task.hpp"
#include "tests/unit/normal_closed_forms.hpp"

namespace nsbi {
namespace {

namespace fs = std::filesystem;

// A reference spec for one observation j of `task`, written under a fresh temporary directory.
bench::ReferenceSpec small_spec(const std::string& task, int j, std::int64_t samples, int chains) {
  const fs::path out = fs::temp_directory_path() / ("nsbi_reference_test_" + task);
  fs::remove_all(out);
  bench::ReferenceSpec spec;
  spec.task = task;
  spec.observations = {j};
  spec.out_dir = out.string();
  spec.samples = samples;
  spec.chains = chains;
  return spec;
}

TEST(ReferencePosteriorTest, GaussianRandomFieldMatchesQuadrature) {
  static mpi::Environment env;
  bench::ReferenceSpec spec = small_spec("gaussian_random_field", 2, 4000, 40);
  const fs::path out = spec.out_dir;
  std::ostringstream log;
  bench::make_reference_posteriors(spec, mpi::Communicator(), log);
  EXPECT_NE(log.str().find("obs2"), std::string::npos) << log.str();
  const fs::path dir = out / "gaussian_random_field" / "obs2";
  const CsvTable samples = read_csv((dir / "reference_posterior_samples.csv").string());
  const CsvTable x = read_csv((dir / "observation.csv").string());
  ASSERT_EQ(samples.header, (std::vector<std::string>{"parameter_1", "parameter_2"}));
  ASSERT_EQ(x.rows.cols(), 1024);
  ASSERT_EQ(samples.rows.rows(), 4000);

  // Quadrature: the posterior ∝ likelihood on the prior's box [−1, 1] × [1, 4], on a grid fine
  // enough for a posterior whose widths are ~0.1 and ~0.05.
  const Task& task = find_task("gaussian_random_field");
  const auto loglik = task.make_log_likelihood(x.rows.row(0).transpose());
  const int g = 400;
  Eigen::MatrixXd lp(g, g);
  for (int i = 0; i < g; ++i)
    for (int j = 0; j < g; ++j)
      lp(i, j) = loglik(Eigen::Vector2d(-1.0 + 2.0 * (i + 0.5) / g, 1.0 + 3.0 * (j + 0.5) / g));
  const Eigen::MatrixXd w = (lp.array() - lp.maxCoeff()).exp();
  double m0 = 0, m1 = 0, s00 = 0, s11 = 0, s01 = 0;
  for (int i = 0; i < g; ++i)
    for (int j = 0; j < g; ++j) {
      const double a = -1.0 + 2.0 * (i + 0.5) / g, n = 1.0 + 3.0 * (j + 0.5) / g, p = w(i, j) / w.sum();
      m0 += p * a;
      m1 += p * n;
      s00 += p * a * a;
      s11 += p * n * n;
      s01 += p * a * n;
    }
  const double sd0 = std::sqrt(s00 - m0 * m0), sd1 = std::sqrt(s11 - m1 * m1);
  const double rho = (s01 - m0 * m1) / (sd0 * sd1);
  const Eigen::VectorXd a = samples.rows.col(0), n = samples.rows.col(1);
  const double ma = a.mean(), mn = n.mean();
  const double sa = std::sqrt((a.array() - ma).square().mean()), sn = std::sqrt((n.array() - mn).square().mean());
  const double r = ((a.array() - ma) * (n.array() - mn)).mean() / (sa * sn);
  // Monte Carlo error of a mean with ESS ≥ 1000 of these 4,000 draws: sd/√1000.
  EXPECT_NEAR(ma, m0, 4 * sd0 / std::sqrt(1000.0));
  EXPECT_NEAR(mn, m1, 4 * sd1 / std::sqrt(1000.0));
  EXPECT_NEAR(sa / sd0, 1.0, 0.1);
  EXPECT_NEAR(sn / sd1, 1.0, 0.1);
  EXPECT_NEAR(r, rho, 0.03);

  spec.task = "two_moons";  // no closed-form likelihood here
  EXPECT_THROW(bench::make_reference_posteriors(spec, mpi::Communicator(), log), ConfigError);
}

// The linear tasks' likelihood N(x_o; θ, 0.1·I): on gaussian_linear (prior N(0, 0.1·I)) the
// posterior is N(x_o/2, 0.05·I); on gaussian_linear_uniform (prior U([−1, 1]¹⁰)) it is N(x_o, 0.1·I)
// cut to the box, coordinate by coordinate, whose truncated-normal moments are closed-form.
TEST(ReferencePosteriorTest, LinearTasksMatchTheirClosedFormPosteriors) {
  static mpi::Environment env;
  for (const std::string name : {"gaussian_linear", "gaussian_linear_uniform"}) {
    const bench::ReferenceSpec spec = small_spec(name, 3, 2000, 20);
    std::ostringstream log;
    bench::make_reference_posteriors(spec, mpi::Communicator(), log);
    const fs::path dir = fs::path(spec.out_dir) / name / "obs3";
    const Eigen::MatrixXd samples = read_csv((dir / "reference_posterior_samples.csv").string()).rows;
    const Eigen::VectorXd x = read_csv((dir / "observation.csv").string()).rows.row(0).transpose();
    ASSERT_EQ(samples.rows(), 2000);
    ASSERT_EQ(samples.cols(), 10);
    const bool uniform = name == "gaussian_linear_uniform";
    const double sigma = std::sqrt(uniform ? 0.1 : 0.05);
    for (int d = 0; d < 10; ++d) {
      const auto [mean, sd] =
          uniform ? closed_form::truncated_normal_moments(x(d), sigma, -1.0, 1.0) : std::pair{x(d) / 2, sigma};
      const Eigen::ArrayXd c = samples.col(d).array();
      const double m = c.mean(), s = std::sqrt((c - m).square().mean());
      // Monte Carlo error of a mean with ESS ≥ 500 of these 2,000 draws: sd/√500.
      EXPECT_NEAR(m, mean, 4 * sd / std::sqrt(500.0)) << name << " θ" << d + 1;
      EXPECT_NEAR(s / sd, 1.0, 0.12) << name << " θ" << d + 1;
      if (uniform) {
        EXPECT_LE(c.abs().maxCoeff(), 1.0) << name << " θ" << d + 1;
      }
    }
  }
}

}  // namespace
}  // namespace nsbi
