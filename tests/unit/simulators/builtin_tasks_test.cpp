// Contract checks over every registered builtin task: registry, dimensions, determinism,
// per-column independence, status reporting and shape errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "nsbi/core/error.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi {
namespace {

std::vector<std::uint64_t> seeds_for(std::uint64_t run_seed, int n) {
  std::vector<std::uint64_t> s(n);
  for (int j = 0; j < n; ++j) s[j] = simulation_seed(run_seed, 0, j);
  return s;
}

Eigen::MatrixXd run(Simulator& sim, const Eigen::MatrixXd& theta, const std::vector<std::uint64_t>& seeds,
                    std::vector<SimStatus>* status_out = nullptr) {
  Eigen::MatrixXd x(sim.x_dim(), theta.cols());
  std::vector<SimStatus> status(seeds.size(), SimStatus::error);
  sim.simulate(theta, seeds, x, status);
  if (status_out) *status_out = status;
  return x;
}

TEST(TaskRegistryTest, NamesAreUniqueAndFindable) {
  std::set<std::string> names;
  for (const Task& t : builtin_tasks()) {
    EXPECT_TRUE(names.insert(t.name).second) << "duplicate task " << t.name;
    EXPECT_EQ(&find_task(t.name), &t);
  }
  for (const char* name : {"gaussian_linear", "gaussian_linear_uniform", "slcp", "slcp_distractors", "bernoulli_glm",
                           "bernoulli_glm_raw", "gaussian_mixture", "two_moons", "sir", "lotka_volterra"})
    EXPECT_EQ(names.count(name), 1u) << name;
}

TEST(TaskRegistryTest, UnknownNameListsKnownNames) {
  try {
    find_task("three_moons");
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'three_moons'"), std::string::npos) << what;
    for (const Task& t : builtin_tasks()) EXPECT_NE(what.find(t.name), std::string::npos) << what;
  }
}

TEST(SimStatusTest, ToString) {
  EXPECT_STREQ(to_string(SimStatus::ok), "ok");
  EXPECT_STREQ(to_string(SimStatus::non_finite), "non_finite");
  EXPECT_STREQ(to_string(SimStatus::error), "error");
  EXPECT_STREQ(to_string(SimStatus::crashed), "crashed");
  EXPECT_STREQ(to_string(SimStatus::timeout), "timeout");
}

class BuiltinTaskTest : public ::testing::TestWithParam<std::string> {
 protected:
  const Task& task() const { return find_task(GetParam()); }
};

TEST_P(BuiltinTaskTest, DimensionsAgree) {
  const auto prior = task().make_prior();
  const auto sim = task().make_simulator();
  EXPECT_EQ(sim->name(), task().name);
  EXPECT_EQ(prior->dim(), task().theta_dim);
  EXPECT_EQ(sim->theta_dim(), task().theta_dim);
  EXPECT_EQ(sim->x_dim(), task().x_dim);
  EXPECT_FALSE(task().description.empty());
}

TEST_P(BuiltinTaskTest, SameSeedsSameDataDifferentSeedsDifferentData) {
  const auto prior = task().make_prior();
  const auto sim = task().make_simulator();
  const int n = 64;
  const Eigen::MatrixXd theta = prior->sample(1, StreamId::proposal, 0, 0, n);
  std::vector<SimStatus> status;
  const Eigen::MatrixXd x1 = run(*sim, theta, seeds_for(7, n), &status);
  for (SimStatus s : status) EXPECT_EQ(s, SimStatus::ok);
  EXPECT_TRUE(x1.allFinite());
  EXPECT_EQ(run(*task().make_simulator(), theta, seeds_for(7, n)), x1);
  const Eigen::MatrixXd x2 = run(*sim, theta, seeds_for(8, n));
  // Most columns change with the seed. Not all need to: a discrete simulator can repeat itself
  // (sir with β < γ has no outbreak and returns all-zero counts for any seed).
  int differing = 0;
  for (int j = 0; j < n; ++j) differing += x1.col(j) != x2.col(j);
  EXPECT_GE(differing, 3 * n / 4);
}

// Column j is a function of (θ_j, seed_j) only: any split into blocks gives the same bank.
TEST_P(BuiltinTaskTest, ColumnsIndependentOfBlocking) {
  const auto prior = task().make_prior();
  const auto sim = task().make_simulator();
  const int n = 10;
  const Eigen::MatrixXd theta = prior->sample(2, StreamId::proposal, 0, 0, n);
  const auto seeds = seeds_for(3, n);
  const Eigen::MatrixXd all = run(*sim, theta, seeds);
  for (int j = 0; j < n; ++j) {
    const Eigen::MatrixXd one = run(*sim, theta.col(j), {seeds[j]});
    EXPECT_EQ(one.col(0), all.col(j)) << "column " << j;
  }
  // Reversed order of columns: the same per-column results.
  const Eigen::MatrixXd reversed = run(*sim, theta.rowwise().reverse(), std::vector<std::uint64_t>(seeds.rbegin(), seeds.rend()));
  EXPECT_EQ(reversed, all.rowwise().reverse());
}

TEST_P(BuiltinTaskTest, NonFiniteThetaGivesNonFiniteStatus) {
  const auto sim = task().make_simulator();
  Eigen::MatrixXd theta = task().make_prior()->sample(4, StreamId::proposal, 0, 0, 3);
  theta.col(1).setConstant(std::numeric_limits<double>::quiet_NaN());
  std::vector<SimStatus> status;
  const Eigen::MatrixXd x = run(*sim, theta, seeds_for(5, 3), &status);
  EXPECT_EQ(status[0], SimStatus::ok);
  EXPECT_EQ(status[1], SimStatus::non_finite);
  EXPECT_EQ(status[2], SimStatus::ok);
  EXPECT_FALSE(x.col(1).allFinite());
}

TEST_P(BuiltinTaskTest, WrongShapesThrow) {
  const auto sim = task().make_simulator();
  const int d = task().theta_dim, dx = task().x_dim;
  std::vector<std::uint64_t> seeds{1, 2};
  std::vector<SimStatus> status(2);
  Eigen::MatrixXd x(dx, 2);
  EXPECT_THROW(sim->simulate(Eigen::MatrixXd::Zero(d + 1, 2), seeds, x, status), ShapeError);
  Eigen::MatrixXd x_bad(dx + 1, 2);
  EXPECT_THROW(sim->simulate(Eigen::MatrixXd::Zero(d, 2), seeds, x_bad, status), ShapeError);
  std::vector<std::uint64_t> one_seed{1};
  EXPECT_THROW(sim->simulate(Eigen::MatrixXd::Zero(d, 2), one_seed, x, status), ShapeError);
  std::vector<SimStatus> short_status(1);
  EXPECT_THROW(sim->simulate(Eigen::MatrixXd::Zero(d, 2), seeds, x, short_status), ShapeError);
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const Task& t : builtin_tasks()) names.push_back(t.name);
  return names;
}

// Every registered task, so a new task gets these checks without touching this file.
INSTANTIATE_TEST_SUITE_P(AllTasks, BuiltinTaskTest, ::testing::ValuesIn(task_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nsbi
