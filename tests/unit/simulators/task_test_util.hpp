#pragma once
// Helpers for the builtin task tests: run a task's simulator on one θ many times, and read the
// stored sbibm observation files (NSBI_SHARED_DIR/sbibm/<task>/obs<k>/...) and task constants.
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

/// x and status of one simulation per column of `theta` (seeds 1..n), failures allowed.
struct Simulated {
  Eigen::MatrixXd x;
  std::vector<SimStatus> status;
};
inline Simulated simulate_columns(const Task& task, const Eigen::MatrixXd& theta) {
  const auto sim = task.make_simulator();
  Simulated out{Eigen::MatrixXd(task.x_dim, theta.cols()), std::vector<SimStatus>(static_cast<std::size_t>(theta.cols()))};
  std::vector<std::uint64_t> seeds(out.status.size());
  for (std::size_t j = 0; j < seeds.size(); ++j) seeds[j] = j + 1;
  sim->simulate(theta, seeds, out.x, out.status);
  return out;
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

/// All numeric rows of a CSV file with one header row, one matrix row per line.
inline Eigen::MatrixXd read_csv(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::string line;
  std::getline(in, line);
  std::vector<double> values;
  Eigen::Index rows = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) values.push_back(std::stod(cell));
    ++rows;
  }
  const Eigen::Index cols = rows ? static_cast<Eigen::Index>(values.size()) / rows : 0;
  return Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(values.data(), rows, cols);
}

/// A file of ../shared/sbibm/task_constants (the source of the copies shipped in workers/simulators/data).
inline Eigen::MatrixXd read_shared_constant(const std::string& file) {
  return read_csv(std::string(NSBI_SHARED_DIR) + "/sbibm/task_constants/" + file);
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
