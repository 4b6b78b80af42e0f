// run_simulations with one process (rank 0 simulates its own chunks), against the serial
// reference of farm_test_simulators.hpp. The same checks at 2-4 ranks are in tests/mpi/.
#include "nsbi/farm/run_simulations.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "farm_test_simulators.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/mpi/environment.hpp"

namespace nsbi {
namespace {

using farm_test::ScriptedSimulator;

const mpi::Communicator& world() {
  static mpi::Environment env;
  static mpi::Communicator comm;
  return comm;
}

FarmOptions options(FailurePolicy policy) { return farm_test::test_options(policy, 17, 2); }
ReplacementDraw replacements(int dim) { return farm_test::test_replacements(dim); }

// Every simulation of the bank was called attempts[i] times with its own seed, and nothing else was.
void expect_each_called_by_attempts(const SimulationBank& b, std::vector<std::uint64_t> calls, const FarmOptions& o) {
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, farm_test::expected_calls(b, o));
}

TEST(RunSimulationsTest, AllOkRoundEqualsTheSerialReference) {
  ScriptedSimulator sim(2, false);
  const Eigen::MatrixXd theta = farm_test::test_theta(2, 500);
  const FarmOptions o = options(FailurePolicy::drop);
  const SimulationBank b = run_simulations(world(), sim, theta, {}, o);
  EXPECT_TRUE(farm_test::same_bytes(b, farm_test::reference_bank(theta, false, o.seed, o.round, o.sim)));
  EXPECT_EQ(b.counts()[0], 500u);
  expect_each_called_by_attempts(b, sim.calls, o);
}

TEST(RunSimulationsTest, ResampleReplacesFailuresInIndexOrder) {
  ScriptedSimulator sim(3, true);
  const Eigen::MatrixXd theta = farm_test::test_theta(3, 600);
  const FarmOptions o = options(FailurePolicy::resample);
  const SimulationBank b = run_simulations(world(), sim, theta, replacements(3), o);
  const SimulationBank ref = farm_test::reference_bank(theta, true, o.seed, o.round, o.sim);
  EXPECT_TRUE(farm_test::same_bytes(b, ref));
  EXPECT_EQ(b.counts()[0], 600u);  // the budget of valid pairs is met
  EXPECT_GT(b.size(), 600u);
  EXPECT_EQ(b.theta.col(600), farm_test::test_replacement(3, 0));
  EXPECT_TRUE(b.valid_x().allFinite());
  EXPECT_EQ(b.valid_x().cols(), 600);
  expect_each_called_by_attempts(b, sim.calls, o);
}

TEST(RunSimulationsTest, DropKeepsFailuresWithTheirStatus) {
  ScriptedSimulator sim(2, true);
  const Eigen::MatrixXd theta = farm_test::test_theta(2, 400);
  const FarmOptions o = options(FailurePolicy::drop);
  const SimulationBank b = run_simulations(world(), sim, theta, {}, o);
  EXPECT_TRUE(farm_test::same_bytes(b, farm_test::reference_bank(theta, true, o.seed, o.round, o.sim)));
  const auto c = b.counts();
  EXPECT_EQ(b.size(), 400u);
  for (int k = 1; k < kNumSimStatus; ++k) EXPECT_GT(c[static_cast<std::size_t>(k)], 0u) << to_string(SimStatus(k));
  EXPECT_GT(b.retries(), 0u);
}

TEST(RunSimulationsTest, ChunkSizeDoesNotChangeTheBank) {
  const Eigen::MatrixXd theta = farm_test::test_theta(2, 300);
  FarmOptions o = options(FailurePolicy::resample);
  const SimulationBank ref = farm_test::reference_bank(theta, true, o.seed, o.round, o.sim);
  for (int chunk : {1, 7, 1000}) {
    o.sim.chunk_size = chunk;
    ScriptedSimulator sim(2, true);
    EXPECT_TRUE(farm_test::same_bytes(run_simulations(world(), sim, theta, replacements(2), o), ref)) << chunk;
  }
}

class AlwaysCrashing : public ScriptedSimulator {
 public:
  AlwaysCrashing() : ScriptedSimulator(1, false) {}
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) override {
    ScriptedSimulator::simulate(theta, seeds, x, status);
    std::fill(status.begin(), status.end(), SimStatus::crashed);
  }
};

TEST(RunSimulationsTest, ResampleStopsAtTheBoundWhenTheBudgetCannotBeMet) {
  AlwaysCrashing sim;
  FarmOptions o = options(FailurePolicy::resample);
  o.sim.max_resample_factor = 1.5;
  o.sim.max_retries = 1;
  o.fail_fast_after = 0;
  const SimulationBank b = run_simulations(world(), sim, farm_test::test_theta(1, 40), replacements(1), o);
  EXPECT_EQ(b.size(), 60u);
  EXPECT_EQ(b.counts()[static_cast<int>(SimStatus::crashed)], 60u);
  EXPECT_EQ(sim.calls.size(), 120u);  // 1 + max_retries calls each
  EXPECT_EQ(b.valid_theta().cols(), 0);
}

TEST(RunSimulationsTest, ASimulatorThatNeverSucceedsStopsTheRoundEarly) {
  AlwaysCrashing sim;
  FarmOptions o = options(FailurePolicy::resample);
  o.sim.max_retries = 0;
  o.fail_fast_after = 30;
  try {
    run_simulations(world(), sim, farm_test::test_theta(1, 1000), replacements(1), o);
    FAIL() << "a simulator that always fails did not stop the round";
  } catch (const SimulatorError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("misconfigured"), std::string::npos) << what;
    EXPECT_NE(what.find("crashed"), std::string::npos) << what;
  }
  // It stops after the chunk in which the probe count was reached, far below the 2,000 calls
  // (budget × max_resample_factor) a resampling round would otherwise make.
  EXPECT_LE(sim.calls.size(), 1000u);
}

TEST(RunSimulationsTest, AbortNamesTheFirstFailedSimulation) {
  ScriptedSimulator sim(2, true);
  const Eigen::MatrixXd theta = farm_test::test_theta(2, 300);
  const FarmOptions o = options(FailurePolicy::abort);
  const SimulationBank ref = farm_test::reference_bank(theta, true, o.seed, o.round, o.sim);
  const auto failed = [](SimStatus s) { return s != SimStatus::ok; };
  const auto i =
      static_cast<std::size_t>(std::find_if(ref.status.begin(), ref.status.end(), failed) - ref.status.begin());
  try {
    run_simulations(world(), sim, theta, {}, o);
    FAIL() << "abort did not throw";
  } catch (const SimulatorError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("simulator 'scripted'"), std::string::npos) << what;
    EXPECT_NE(what.find("simulation " + std::to_string(i) + " of round 2"), std::string::npos) << what;
    const std::string expected = "expected status ok (simulator.on_failure = abort), got ";
    EXPECT_NE(what.find(expected + to_string(ref.status[i])), std::string::npos) << what;
  }
}

TEST(RunSimulationsTest, SimulatorExceptionEndsTheRoundWithItsMessage) {
  ScriptedSimulator sim(2, false);
  sim.throw_on = {simulation_seed(17, 2, 123)};
  try {
    run_simulations(world(), sim, farm_test::test_theta(2, 300), {}, options(FailurePolicy::drop));
    FAIL() << "no exception";
  } catch (const SimulatorError& e) {
    EXPECT_NE(std::string(e.what()).find("refused seed"), std::string::npos);
  }
}

TEST(RunSimulationsTest, BadInputsAreClearErrors) {
  ScriptedSimulator sim(2, true);
  const FarmOptions drop = options(FailurePolicy::drop), resample = options(FailurePolicy::resample);
  EXPECT_THROW(run_simulations(world(), sim, farm_test::test_theta(3, 10), {}, drop), ShapeError);
  EXPECT_THROW(run_simulations(world(), sim, farm_test::test_theta(2, 10), {}, resample), Error);
  const ReplacementDraw wrong = [](std::uint64_t) { return Eigen::VectorXd::Zero(5).eval(); };
  EXPECT_THROW(run_simulations(world(), sim, farm_test::test_theta(2, 200), wrong, resample), ShapeError);
  FarmOptions bad = drop;
  bad.sim.max_retries = -1;
  EXPECT_THROW(run_simulations(world(), sim, farm_test::test_theta(2, 10), {}, bad), ConfigError);
}

TEST(RunSimulationsTest, EmptyRoundGivesAnEmptyBank) {
  ScriptedSimulator sim(2, false);
  const SimulationBank b = run_simulations(world(), sim, Eigen::MatrixXd(2, 0), {}, options(FailurePolicy::drop));
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.theta.rows(), 2);
  EXPECT_TRUE(sim.calls.empty());
}

}  // namespace
}  // namespace nsbi
