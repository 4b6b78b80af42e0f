// make_simulator: dimensions from options or task, disagreements, missing pieces.
#include "nsbi/simulator/simulator_factory.hpp"

#include <gtest/gtest.h>

#include "nsbi/core/error.hpp"
#include "nsbi/simulator/external_simulator.hpp"
#include "nsbi/simulator/plugin_simulator.hpp"

namespace nsbi {
namespace {

const std::string kPlugin = NSBI_BINARY_DIR "/examples/two_moons_plugin.so";
const std::string kFaulty = NSBI_BINARY_DIR "/examples/faulty_simulator";

// A stand-in builtin: x = θ.
class IdentitySimulator final : public Simulator {
 public:
  std::string name() const override { return "identity"; }
  int theta_dim() const override { return 2; }
  int x_dim() const override { return 2; }
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t>,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) override {
    x = theta;
    std::fill(status.begin(), status.end(), SimStatus::ok);
  }
};

Task two_dim_task() {
  Task t;
  t.name = "identity2";
  t.theta_dim = 2;
  t.x_dim = 2;
  t.make_simulator = [] { return std::make_unique<IdentitySimulator>(); };
  return t;
}

SimulatorOptions external(int theta_dim = 0, int x_dim = 0) {
  SimulatorOptions o;
  o.kind = SimulatorKind::external;
  o.command = {kFaulty, "--crash", "0", "--hang", "0", "--nan", "0"};
  o.theta_dim = theta_dim;
  o.x_dim = x_dim;
  return o;
}

TEST(SimulatorFactoryTest, BuiltinComesFromTheTask) {
  const Task task = two_dim_task();
  auto sim = make_simulator(SimulatorOptions{}, &task);
  EXPECT_EQ(sim->name(), "identity");
  EXPECT_THROW(make_simulator(SimulatorOptions{}, nullptr), ConfigError);
  SimulatorOptions wrong;
  wrong.x_dim = 3;
  EXPECT_THROW(make_simulator(wrong, &task), ShapeError);
}

TEST(SimulatorFactoryTest, ExternalTakesDimensionsFromTheTaskWhenOptionsLeaveThemOut) {
  const Task task = two_dim_task();
  auto sim = make_simulator(external(), &task);
  ASSERT_NE(dynamic_cast<ExternalSimulator*>(sim.get()), nullptr);
  EXPECT_EQ(sim->theta_dim(), 2);
  EXPECT_EQ(sim->x_dim(), 2);
  auto own = make_simulator(external(3, 4), nullptr);
  EXPECT_EQ(own->theta_dim(), 3);
  EXPECT_EQ(own->x_dim(), 4);
}

TEST(SimulatorFactoryTest, DimensionDisagreementIsAShapeErrorNamingTheSimulator) {
  const Task task = two_dim_task();
  try {
    make_simulator(external(2, 5), &task);
    FAIL() << "no ShapeError";
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("external simulator '" + kFaulty), std::string::npos) << what;
    EXPECT_NE(what.find("x_dim"), std::string::npos) << what;
    EXPECT_NE(what.find("expected 2 as in task identity2, got 5"), std::string::npos) << what;
  }
}

TEST(SimulatorFactoryTest, MissingDimensionsWithoutTaskAreAConfigError) {
  EXPECT_THROW(make_simulator(external(2, 0), nullptr), ConfigError);
  EXPECT_THROW(make_simulator(external(-1, 2), nullptr), ConfigError);
}

TEST(SimulatorFactoryTest, PluginIsLoaded) {
  SimulatorOptions o;
  o.kind = SimulatorKind::plugin;
  o.library = kPlugin;
  const Task task = two_dim_task();
  auto sim = make_simulator(o, &task);
  ASSERT_NE(dynamic_cast<PluginSimulator*>(sim.get()), nullptr);
  o.library = "/nonexistent.so";
  EXPECT_THROW(make_simulator(o, &task), SimulatorError);
}

TEST(SimulatorFactoryTest, ObservationDimensionIsChecked) {
  IdentitySimulator sim;
  EXPECT_NO_THROW(check_observation_dim(sim, 2));
  try {
    check_observation_dim(sim, 3);
    FAIL() << "no ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_EQ(std::string(e.what()), "identity: observation length (x_dim of the simulator) expected 2, got 3");
  }
}

}  // namespace
}  // namespace nsbi
