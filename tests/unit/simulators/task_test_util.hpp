#pragma once
// Helpers for the builtin task tests: run a task's simulator on one θ many times, and read the
// stored sbibm observation files (NSBI_SHARED_DIR/sbibm/<task>/obs<k>/...).
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nsbi/core/random.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi::test {

/// x for n simulations at the same θ, seeds simulation_seed(run_seed, 0, j); all must be ok.
inline Eigen::MatrixXd simulate_repeatedly(const Task& task, const Eigen::VectorXd& theta, Eigen::Index n,
                                           std::uint64_t run_seed = 1) {
  const auto sim = task.make_simulator();
  const Eigen::MatrixXd thetas = theta.replicate(1, n);
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(n));
  for (std::size_t j = 0; j < seeds.size(); ++j) seeds[j] = simulation_seed(run_seed, 0, j);
  std::vector<SimStatus> status(seeds.size());
  Eigen::MatrixXd x(task.x_dim, n);
  sim->simulate(thetas, seeds, x, status);
  for (SimStatus s : status) EXPECT_EQ(s, SimStatus::ok);
  return x;
}

/// The single data row of a stored sbibm CSV (one header row, one numeric row).
inline Eigen::VectorXd read_observation_row(const std::string& task, int k, const std::string& file) {
  const std::string path = std::string(NSBI_SHARED_DIR) + "/sbibm/" + task + "/obs" + std::to_string(k) + "/" + file;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  std::vector<double> values;
  std::stringstream ss(row);
  for (std::string cell; std::getline(ss, cell, ',');) values.push_back(std::stod(cell));
  return Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

/// Stored observations 1..5 of every task (6..10 are a holdout kept elsewhere).
inline constexpr int kNumStoredObservations = 5;

struct StoredObservation {
  Eigen::VectorXd theta;  // θ*, drawn from the prior
  Eigen::VectorXd x_o;    // simulator(θ*)
};
/// Observation k of `task`, with its lengths checked against the task and θ* against the prior.
inline StoredObservation load_observation(const Task& task, int k) {
  StoredObservation o{read_observation_row(task.name, k, "true_parameters.csv"),
                      read_observation_row(task.name, k, "observation.csv")};
  EXPECT_EQ(o.theta.size(), task.theta_dim) << task.name << " obs " << k;
  EXPECT_EQ(o.x_o.size(), task.x_dim) << task.name << " obs " << k;
  if (o.theta.size() == task.theta_dim) {
    EXPECT_TRUE(std::isfinite(task.make_prior()->log_prob(o.theta)(0))) << task.name << " obs " << k;
  }
  return o;
}

}  // namespace nsbi::test
