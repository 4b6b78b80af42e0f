#include "nsbi/cli/c2st_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>

#include "../diagnostics/c2st_test_data.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/npy.hpp"

using namespace nsbi;
using c2st_testing::gaussian;

namespace {

class C2stCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nsbi_c2st_command_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

}  // namespace

TEST_F(C2stCommandTest, PrintsTheSameValueAsTheLibraryAndAJsonLine) {
  const Eigen::MatrixXd ref = gaussian(2, 300, 0, 1), smp = gaussian(2, 250, 1.5, 2);
  write_csv(path("ref.csv"), ref, numbered_names("theta", 2));
  write_npy(path("samples.npy"), smp);
  cli::C2stCommandArgs args;
  args.samples = path("samples.npy");
  args.reference = path("ref.csv");
  args.options.seed = 3;
  args.options.folds = 4;
  args.json = true;
  std::ostringstream out;
  const C2stResult r = cli::run_c2st_command(args, out);

  C2stOptions o;
  o.seed = 3;
  o.folds = 4;
  EXPECT_EQ(r.accuracy, c2st(ref, smp, o));
  std::istringstream lines(out.str());
  std::string first, json, rest;
  std::getline(lines, first);
  std::getline(lines, json);
  EXPECT_FALSE(std::getline(lines, rest));
  EXPECT_NEAR(std::stod(first), r.accuracy, 1e-6);
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  for (const char* key : {"\"c2st\":", "\"fold_accuracies\":[", "\"fold_epochs\":[", "\"dim\":2", "\"n_samples\":250",
                          "\"n_reference\":300", "\"folds\":4", "\"seed\":3"})
    EXPECT_NE(json.find(key), std::string::npos) << key << " missing in " << json;
}

TEST_F(C2stCommandTest, ColumnMismatchNamesBothFiles) {
  write_csv(path("a.csv"), gaussian(2, 20, 0, 1), numbered_names("theta", 2));
  write_csv(path("b.csv"), gaussian(3, 20, 0, 2), numbered_names("theta", 3));
  cli::C2stCommandArgs args;
  args.samples = path("b.csv");
  args.reference = path("a.csv");
  std::ostringstream out;
  try {
    cli::run_c2st_command(args, out);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path("a.csv")), std::string::npos) << msg;
    EXPECT_NE(msg.find(path("b.csv")), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("got 3"), std::string::npos) << msg;
  }
  EXPECT_TRUE(out.str().empty());
}

TEST_F(C2stCommandTest, ParsesOptionsThroughCli11) {
  const Eigen::MatrixXd ref = gaussian(1, 100, 0, 3), smp = gaussian(1, 100, 0, 4);
  write_csv(path("r.csv"), ref, {"theta"});
  write_csv(path("s.csv"), smp, {"theta"});
  CLI::App app;
  cli::add_c2st_command(app);
  std::vector<std::string> argv{"c2st", path("s.csv"), path("r.csv"), "--max-samples", "60", "--folds", "3", "--seed", "7"};
  std::reverse(argv.begin(), argv.end());  // CLI11's parse(vector) takes the arguments last first
  testing::internal::CaptureStdout();
  std::string error;
  try {
    app.parse(argv);
  } catch (const std::exception& e) {
    error = e.what();
  }
  const std::string printed = testing::internal::GetCapturedStdout();
  ASSERT_EQ(error, "");
  C2stOptions o;
  o.seed = 7;
  o.folds = 3;
  o.max_samples = 60;
  EXPECT_NEAR(std::stod(printed), c2st(ref, smp, o), 1e-6);
  EXPECT_EQ(printed.find('{'), std::string::npos);  // no JSON line without --json
}
