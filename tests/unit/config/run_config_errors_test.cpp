// Bad input: each mistake gives one line that names the file (and line:column where toml++ knows
// it), the key, what was expected and what was found.
#include <gtest/gtest.h>

#include "../io/io_test_util.hpp"
#include "nsbi/config/run_config.hpp"
#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

using test::error_of;
using test::TempDir;

const std::string kMoons = "[task]\nname = \"two_moons\"\n[observation]\nvalues = [0.1, -0.2]\n";

class RunConfigErrorsTest : public ::testing::Test {
 protected:
  // Loads `text` written to cfg.toml and returns the message of the E it throws.
  template <class E = ConfigError>
  std::string error(const std::string& text, const std::vector<std::string>& overrides = {}) {
    dir_.write("cfg.toml", text);
    return error_of<E>([&] { load_run_config(path_, overrides); });
  }
  bool contains(const std::string& message, const std::string& part) {
    return message.find(part) != std::string::npos;
  }
  TempDir dir_;
  const std::string path_ = dir_.file("cfg.toml");
};

TEST_F(RunConfigErrorsTest, MalformedTomlNamesFileLineColumnAndTheParserDescription) {
  const std::string m = error("seed = 1\n[task]\nname = \"two_moons\n");
  EXPECT_TRUE(contains(m, dir_.file("cfg.toml") + ":3:")) << m;
  EXPECT_TRUE(contains(m, "malformed TOML: ")) << m;
  EXPECT_TRUE(contains(m, "string")) << m;  // toml++: "Error while parsing string: ..."
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

TEST_F(RunConfigErrorsTest, UnknownKeyNamesItsTableAndListsTheValidKeys) {
  EXPECT_EQ(error(kMoons + "[training]\nbatch_size = 10\nbach_size = 10\n"),
            path_ + ":7:1: training.bach_size: expected a key of [training] (batch_size, learning_rate, clip_norm, "
                    "validation_fraction, stop_after_epochs, max_epochs, micro_batch, lr_decays, lr_decay_factor), got unknown key \"bach_size\"");
  const std::string table = error(kMoons + "[trainig]\n");
  EXPECT_TRUE(contains(table, path_ + ":5:2: trainig: expected a top-level key or table (seed, [task], [prior]")) << table;
  const std::string prior = error(kMoons + "[prior]\ntype = \"box_uniform\"\nlow = [0, 0]\nhigh = [1, 1]\nmean = [0]\n");
  EXPECT_EQ(prior, path_ + ":9:1: prior.mean: expected a key of a box_uniform prior (type, low, high), got unknown key \"mean\"");
}

TEST_F(RunConfigErrorsTest, WrongTypeSaysExpectedAndFound) {
  EXPECT_EQ(error(kMoons + "[inference]\nsimulations = \"many\"\n"),
            path_ + ":6:15: inference.simulations: expected a positive integer, got string \"many\"");
  EXPECT_EQ(error(kMoons + "[inference]\nsimulations = 2.5\n"),
            path_ + ":6:15: inference.simulations: expected a positive integer, got float 2.5");
  EXPECT_EQ(error(kMoons + "[output]\noverwrite = \"yes\"\n"),
            path_ + ":6:13: output.overwrite: expected true or false, got string \"yes\"");
  EXPECT_EQ(error(kMoons + "[simulator]\ncommand = \"python3 sim.py\"\n"),
            path_ + ":6:11: simulator.command: expected an array of strings, got string \"python3 sim.py\"");
  EXPECT_EQ(error("task = \"two_moons\"\n"), path_ + ":1:8: task: expected a table [task], got string \"two_moons\"");
  EXPECT_EQ(error(kMoons + "[training]\nlearning_rate = [1]\n"),
            path_ + ":6:17: training.learning_rate: expected a positive number, got array [ 1 ]");
  EXPECT_EQ(error("seed = -1\n" + kMoons),
            path_ + ":1:8: seed: expected a non-negative integer (64-bit), got integer -1");
}

TEST_F(RunConfigErrorsTest, OutOfRangeValues) {
  EXPECT_EQ(error(kMoons + "[inference]\nsimulations = 0\n"),
            path_ + ":6:15: inference.simulations: expected a positive integer, got 0");
  EXPECT_EQ(error(kMoons + "[training]\nvalidation_fraction = 1.0\n"),
            path_ + ":6:23: training.validation_fraction: expected a number in (0, 1), got 1");
  EXPECT_EQ(error(kMoons + "[estimator]\ntransforms = 3000000000\n"),
            path_ + ":6:14: estimator.transforms: expected a positive integer (32-bit), got integer 3000000000");
  EXPECT_EQ(error(kMoons + "[simulator]\nmax_resample_factor = 0.5\n"),
            path_ + ":6:23: simulator.max_resample_factor: expected a number >= 1, got 0.5");
  EXPECT_EQ(error(kMoons + "[simulator]\ntimeout = nan\n"),
            path_ + ":6:11: simulator.timeout: expected a non-negative number, got nan");
  EXPECT_EQ(error(kMoons + "[estimator]\nbins = 0\n"), path_ + ":6:8: estimator.bins: expected a positive integer, got 0");
  EXPECT_EQ(error(kMoons + "[estimator]\ntail_bound = -1\n"),
            path_ + ":6:14: estimator.tail_bound: expected a positive number, got -1");
}

TEST_F(RunConfigErrorsTest, UnimplementedMethodOrEstimatorListsTheAcceptedOnes) {
  std::string methods, estimators;
  for (const auto& m : accepted_methods()) methods += (methods.empty() ? "\"" : ", \"") + m + "\"";
  for (const auto& e : accepted_estimators()) estimators += (estimators.empty() ? "\"" : ", \"") + e + "\"";
  EXPECT_EQ(error(kMoons + "[inference]\nmethod = \"sbi\"\n"),
            path_ + ":6:10: inference.method: expected one of " + methods + ", got \"sbi\"");
  EXPECT_EQ(error(kMoons + "[inference]\nestimator = 3\n"),
            path_ + ":6:13: inference.estimator: expected one of " + estimators + ", got integer 3");
  EXPECT_EQ(error(kMoons + "[simulator]\non_failure = \"retry\"\n"),
            path_ + ":6:14: simulator.on_failure: expected one of \"resample\", \"drop\", \"abort\", got \"retry\"");
}

TEST_F(RunConfigErrorsTest, UnknownTaskListsTheKnownOnes) {
  const std::string m = error("[task]\nname = \"three_moons\"\n[observation]\nvalues = [0, 0]\n");
  EXPECT_TRUE(contains(m, path_ + ":2:8: task.name: expected a builtin task, one of ")) << m;
  EXPECT_TRUE(contains(m, "two_moons")) << m;
  EXPECT_TRUE(contains(m, "got \"three_moons\"")) << m;
}

TEST_F(RunConfigErrorsTest, ObservationOfTheWrongDimensionIsAShapeError) {
  EXPECT_EQ(error<ShapeError>("[task]\nname = \"two_moons\"\n[observation]\nvalues = [1, 2, 3]\n"),
            path_ + ":4:10: observation.values: expected 2 values (x dimension of task two_moons), got 3");

  const std::string obs = dir_.write("obs.csv", "x_1,x_2,x_3\n1,2,3\n");
  const RunConfig c = load_run_config(dir_.write("f.toml", "[task]\nname = \"two_moons\"\n[observation]\nfile = \"obs.csv\"\n"), {});
  EXPECT_EQ(error_of<ShapeError>([&] { load_observation(c); }),
            obs + ": observation expected 2 values (x dimension of task two_moons), got 3");
  dir_.write("obs.csv", "1,2\n3,4\n");
  EXPECT_EQ(error_of<ShapeError>([&] { load_observation(c); }),
            obs + ": observation expected exactly 1 data row (one observation x_o), got 2 rows");

  EXPECT_EQ(error<ShapeError>("[prior]\ntype = \"box_uniform\"\nlow = [0]\nhigh = [1]\n"
                              "[simulator]\nkind = \"external\"\ncommand = [\"s\"]\nx_dim = 3\n"
                              "[observation]\nvalues = [1, 2]\n"),
            path_ + ":10:10: observation.values: expected 3 values (simulator.x_dim), got 2");
}

TEST_F(RunConfigErrorsTest, NonFiniteObservationNamesTheIndex) {
  EXPECT_EQ(error<NumericalError>("[task]\nname = \"two_moons\"\n[observation]\nvalues = [1.0, nan]\n"),
            path_ + ":4:16: observation.values[1]: expected a finite number, got nan");
  const std::string obs = dir_.write("obs.csv", "a,b\n1,-inf\n");
  const RunConfig c = load_run_config(dir_.write("f.toml", "[task]\nname = \"two_moons\"\n[observation]\nfile = \"obs.csv\"\n"), {});
  EXPECT_EQ(error_of<NumericalError>([&] { load_observation(c); }),
            obs + ": observation column 2 (b) expected a finite number, got -inf");
}

TEST_F(RunConfigErrorsTest, MissingFilesNameThePath) {
  const std::string missing = dir_.file("nowhere.toml");
  const std::string m = error_of<IoError>([&] { load_run_config(missing, {}); });
  EXPECT_TRUE(contains(m, missing + ": configuration file expected a readable TOML file, got ")) << m;

  const RunConfig c = load_run_config(dir_.write("f.toml", "[task]\nname = \"two_moons\"\n[observation]\nfile = \"gone.csv\"\n"), {});
  EXPECT_EQ(error_of<IoError>([&] { load_observation(c); }),
            dir_.file("gone.csv") + ": observation file expected an existing CSV file, got no such file");
}

// Found by bench/fuzz.sh (run_config): a command word with a '/' longer than a file name may be
// made fs::exists throw std::filesystem::error ("File name too long") out of load_run_config.
TEST_F(RunConfigErrorsTest, OverlongPathsAreOrdinaryInputs) {
  const std::string word = "simulators/" + std::string(300, 'v') + ".py";
  const RunConfig c = load_run_config(
      dir_.write("f.toml", kMoons + "[simulator]\nkind = \"external\"\ncommand = [\"python3\", \"" + word + "\"]\n"), {});
  ASSERT_EQ(c.simulator.command.size(), 2u);
  EXPECT_EQ(c.simulator.command[1], word);  // names no file: kept as written

  const std::string csv = std::string(300, 'b') + ".csv";
  const RunConfig o = load_run_config(
      dir_.write("g.toml", "[task]\nname = \"two_moons\"\n[observation]\nfile = \"" + csv + "\"\n"), {});
  const std::string m = error_of<IoError>([&] { load_observation(o); });
  EXPECT_TRUE(contains(m, csv + ": observation file expected an existing CSV file, got File name too long")) << m;
}

TEST_F(RunConfigErrorsTest, ObservationNeedsExactlyOneSource) {
  EXPECT_EQ(error("[task]\nname = \"two_moons\"\n"),
            path_ + ": observation: expected exactly one of observation.file or observation.values, got neither");
  EXPECT_EQ(error(kMoons + "file = \"o.csv\"\n"),
            path_ + ":3:1: observation: expected exactly one of observation.file or observation.values, got both");
}

TEST_F(RunConfigErrorsTest, BadOverridesNameTheArgument) {
  EXPECT_EQ(error(kMoons, {"inference.simulations=many"}),
            "--set inference.simulations=many: inference.simulations: expected a positive integer, got string \"many\"");
  EXPECT_EQ(error(kMoons, {"inference.simulations"}), "--set inference.simulations: expected key.path=value, got no '='");
  EXPECT_EQ(error(kMoons, {"task.name.x=1"}), "--set task.name.x=1: task.name: expected a table, got string \"two_moons\"");
  const std::string unknown = error(kMoons, {"training.bach_size=10"});
  EXPECT_TRUE(contains(unknown, "--set training.bach_size=10: training.bach_size: expected a key of [training]")) << unknown;
}

TEST_F(RunConfigErrorsTest, PriorsAreChecked) {
  const std::string box = kMoons + "[prior]\ntype = \"box_uniform\"\n";
  EXPECT_EQ(error(box + "low = [0, 1]\nhigh = [1, 1]\n"),
            path_ + ":8:12: prior.high[1]: expected a bound above low[1] = 1, got 1");
  EXPECT_EQ(error(box + "low = [0, 1]\nhigh = [1]\n"),
            path_ + ":8:8: prior.high: expected 2 numbers (one per dimension), got 1");
  EXPECT_EQ(error(box + "low = [0]\nhigh = [1]\n"),
            path_ + ":5:1: prior: expected a prior of dimension 2 (θ dimension of task two_moons), got dimension 1");
  EXPECT_EQ(error(kMoons + "[prior]\nlow = [0]\n"),
            path_ + ":5:1: prior.type: expected one of \"box_uniform\", \"gaussian\", \"lognormal\", \"product\", got none");
  const std::string gauss = kMoons + "[prior]\ntype = \"gaussian\"\nmean = [0, 0]\n";
  EXPECT_EQ(error(gauss + "std = [1, 1]\ncovariance = [[1, 0], [0, 1]]\n"),
            path_ + ":5:1: prior: expected exactly one of prior.std or prior.covariance, got both");
  EXPECT_EQ(error(gauss + "covariance = [[1, 2], [2, 1]]\n"),
            path_ + ":8:14: prior.covariance: expected a positive-definite matrix, got one without a Cholesky factor");
  EXPECT_EQ(error(gauss + "std = [1, -1]\n"), path_ + ":8:11: prior.std[1]: expected a positive number, got -1");
  EXPECT_EQ(error(kMoons + "[prior]\ntype = \"product\"\nparts = [ { type = \"lognormal\", log_mean = [0], log_std = [0] } ]\n"),
            path_ + ":7:60: prior.parts[0].log_std[0]: expected a positive number, got 0");
}

TEST_F(RunConfigErrorsTest, SimulatorRequirements) {
  EXPECT_EQ(error("[observation]\nvalues = [0, 0]\n"),
            path_ + ": task.name: expected a builtin task (simulator.kind = \"builtin\" runs the task's simulator), got none");
  EXPECT_EQ(error(kMoons + "[simulator]\nkind = \"external\"\n"),
            path_ + ":5:1: simulator.command: expected the simulator's argv, a non-empty array of strings, got []");
  EXPECT_EQ(error("[simulator]\nkind = \"plugin\"\nlibrary = \"x.so\"\n[observation]\nvalues = [0]\n"),
            path_ + ": prior: expected a [prior] table (there is no [task] to take the prior from), got none");
  EXPECT_EQ(error(kMoons + "[simulator]\nx_dim = 3\n"),
            path_ + ":6:9: simulator.x_dim: expected 0 or 2 (task two_moons), got 3");
}

}  // namespace
}  // namespace nsbi
