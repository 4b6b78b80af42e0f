#include "nsbi/plot/plot_run.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "../io/io_test_util.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/npy.hpp"

namespace nsbi::plot {
namespace {

using test::error_of;
using test::TempDir;

// D×N correlated Gaussian samples (deterministic, no RNG dependence of the test on the library).
Eigen::MatrixXd gaussian_samples(int d, int n, double shift) {
  Eigen::MatrixXd m(d, n);
  for (int k = 0; k < n; ++k) {
    // Box–Muller on a fixed low-discrepancy-free sequence: good enough for a plot.
    for (int p = 0; p < d; ++p) {
      const double u1 = (std::fmod(0.5 + k * 0.6180339887 + p * 0.3247, 1.0) * 0.998) + 0.001;
      const double u2 = std::fmod(0.25 + k * 0.7548776662 + p * 0.5698, 1.0);
      m(p, k) = shift + std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2) + (p > 0 ? 0.5 * m(p - 1, k) : 0.0);
    }
  }
  return m;
}

void write_run(const TempDir& dir, const std::string& name, int d, int n) {
  std::filesystem::create_directories(dir.path / name);
  write_csv(dir.file(name + "/posterior_samples.csv"), gaussian_samples(d, n, 0.0), numbered_names("theta", d));
}

const char* kReport = R"({"task": "x", "rounds": [
  {"round": 0, "requested": 10, "train_loss": [2.0, 1.5, null, 1.0], "val_loss": [2.1, 1.6, 1.4, 1.2]},
  {"round": 1, "requested": 10},
  {"round": 2, "requested": 10, "train_loss": [0.9, 0.8], "val_loss": [1.0, 0.95]}]})";

void write_sbc(const TempDir& dir, const std::string& run, int d, int tests, int l) {
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> ranks(d, tests);
  for (int t = 0; t < tests; ++t)
    for (int p = 0; p < d; ++p) ranks(p, t) = (t * 7 + p * 13) % (l + 1);
  std::filesystem::create_directories(dir.path / run / "sbc");
  write_npy(dir.file(run + "/sbc/ranks.npy"), ranks);
  std::string pvalues;
  for (int p = 0; p < d; ++p) pvalues += (p ? ", " : "") + std::to_string(0.1 + 0.8 * p / d);
  dir.write(run + "/sbc/sbc.json", "{\"samples_per_test\": " + std::to_string(l) + ", \"dim\": " + std::to_string(d) +
                                       ", \"tests\": " + std::to_string(tests) + ", \"valid_tests\": " +
                                       std::to_string(tests) + ", \"rank_pvalues\": [" + pvalues + "]}");
  std::string cov = "level,expected_coverage,tarp_coverage\n";
  for (int k = 1; k < 20; ++k) cov += std::to_string(k / 20.0) + "," + std::to_string(k / 20.0 * 0.95) + "," +
                                      std::to_string(std::min(1.0, k / 20.0 * 1.03)) + "\n";
  dir.write(run + "/sbc/coverage.csv", cov);
}

PlotOptions options(const std::string& run, const std::string& reference = "", const std::string& true_theta = "",
                    const std::string& out = "", int bins = 30) {
  PlotOptions o;
  o.run_dir = run;
  o.reference = reference;
  o.true_theta = true_theta;
  o.out_dir = out;
  o.bins = bins;
  return o;
}

std::vector<std::string> plot(const PlotOptions& o) {
  std::ostringstream log;
  return plot_run(o, log);
}

TEST(PlotRunTest, WritesEveryPlotAsWellFormedSvgForOneToTenParameters) {
  TempDir dir;
  std::vector<std::string> all;
  for (const int d : {1, 2, 3, 5, 10}) {
    const std::string run = "run" + std::to_string(d);
    write_run(dir, run, d, 2000);
    dir.write(run + "/report.json", kReport);
    write_sbc(dir, run, d, 300, 99);
    write_csv(dir.file(run + "/ref.csv"), gaussian_samples(d, 1500, 0.3), numbered_names("parameter", d));
    write_csv(dir.file(run + "/true.csv"), Eigen::MatrixXd::Constant(d, 1, 0.2), numbered_names("parameter", d));
    const auto files = plot(options(dir.file(run), dir.file(run + "/ref.csv"), dir.file(run + "/true.csv")));
    ASSERT_EQ(files.size(), 4u) << d;
    EXPECT_EQ(files[0], dir.file(run + "/plots/corner.svg"));
    EXPECT_EQ(files[1], dir.file(run + "/plots/losses.svg"));
    EXPECT_EQ(files[2], dir.file(run + "/plots/sbc_ranks.svg"));
    EXPECT_EQ(files[3], dir.file(run + "/plots/sbc_coverage.svg"));
    const std::string corner = test::read_text(files[0]);
    // One clip per panel of the lower triangle and the diagonal; both colours; θ labels.
    std::size_t clips = 0;
    for (auto at = corner.find("<clipPath"); at != std::string::npos; at = corner.find("<clipPath", at + 1)) ++clips;
    EXPECT_EQ(clips, static_cast<std::size_t>(d * (d + 1) / 2));
    EXPECT_NE(corner.find("#1f77b4"), std::string::npos);
    EXPECT_NE(corner.find("#ff7f0e"), std::string::npos);
    EXPECT_NE(corner.find("#d62728"), std::string::npos);
    EXPECT_NE(corner.find("\u03B8\u2081"), std::string::npos);
    if (d > 1) {
      EXPECT_NE(corner.find("fill-rule=\"evenodd\""), std::string::npos);  // contours drawn
    }
    all.insert(all.end(), files.begin(), files.end());
  }
  const std::string losses = test::read_text(dir.file("run2/plots/losses.svg"));
  EXPECT_NE(losses.find(">round 0<"), std::string::npos);
  EXPECT_NE(losses.find(">round 2<"), std::string::npos);
  EXPECT_EQ(losses.find(">round 1<"), std::string::npos);  // a round without training

  const auto python = test::python_with("xml.etree.ElementTree");
  if (!python) GTEST_SKIP() << "no python3 to check the SVGs' XML";
  std::string cmd = *python + " -c 'import sys, xml.etree.ElementTree as E\n"
                              "for f in sys.argv[1:]:\n"
                              "    r = E.parse(f).getroot()\n"
                              "    assert r.tag == \"{http://www.w3.org/2000/svg}svg\", (f, r.tag)\n'";
  for (const auto& f : all) cmd += " " + f;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

TEST(PlotRunTest, TenThousandSamplesInTenDimensionsIsQuick) {
  TempDir dir;
  write_run(dir, "run", 10, 10000);
  write_csv(dir.file("ref.csv"), gaussian_samples(10, 10000, 0.3), numbered_names("theta", 10));
  const auto t0 = std::chrono::steady_clock::now();
  const auto files = plot(options(dir.file("run"), dir.file("ref.csv"), "", dir.file("out")));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(files.size(), 1u);  // no report.json, no sbc/
  EXPECT_EQ(files[0], dir.file("out/corner.svg"));
  EXPECT_LT(seconds, 10.0);
}

TEST(PlotRunTest, BadInputNamesTheProblem) {
  TempDir dir;
  EXPECT_EQ(error_of<IoError>([&] { plot(options(dir.file("nope"))); }),
            dir.file("nope") + ": run directory expected an existing directory, got no such directory");
  std::filesystem::create_directories(dir.path / "empty");
  EXPECT_EQ(error_of<IoError>([&] { plot(options(dir.file("empty"))); }),
            dir.file("empty/posterior_samples.csv") +
                ": posterior samples expected a file (a finished run writes it), got no such file");
  write_run(dir, "run", 2, 50);
  write_csv(dir.file("ref3.csv"), gaussian_samples(3, 10, 0), numbered_names("theta", 3));
  EXPECT_EQ(error_of<ShapeError>([&] { plot(options(dir.file("run"), dir.file("ref3.csv"))); }),
            dir.file("ref3.csv") + ": reference samples columns expected 2 (as posterior_samples.csv), got 3");
  EXPECT_EQ(error_of<IoError>([&] { plot(options(dir.file("run"), dir.file("none.csv"))); }),
            dir.file("none.csv") + ": reference samples expected a readable CSV file, got no such file");
  write_csv(dir.file("true2.csv"), gaussian_samples(2, 2, 0), numbered_names("theta", 2));
  EXPECT_NE(error_of<ShapeError>([&] { plot(options(dir.file("run"), "", dir.file("true2.csv"))); })
                .find("true parameters expected one row, got 2 rows"),
            std::string::npos);
  EXPECT_NE(error_of<ConfigError>([&] { plot(options(dir.file("run"), "", "", "", 1)); }).find("--bins"),
            std::string::npos);

  dir.write("run/report.json", "{\"rounds\": [\n  {\"round\": 0 \"train_loss\": []}]}");
  EXPECT_EQ(error_of<IoError>([&] { plot(options(dir.file("run"))); }),
            dir.file("run/report.json") + ":2:15: JSON expected ',' or '}' in an object, got '\"'");
  dir.write("run/report.json", "{\"rounds\": [{\"round\": 0, \"train_loss\": [1, 2], \"val_loss\": [1]}]}");
  EXPECT_EQ(error_of<IoError>([&] { plot(options(dir.file("run"))); }),
            dir.file("run/report.json") + ": rounds[0]: val_loss expected 2 epochs (as train_loss), got 1");
  dir.write("run/report.json", kReport);

  write_sbc(dir, "run", 3, 40, 9);  // ranks of three parameters for a two-parameter run
  EXPECT_NE(error_of<ShapeError>([&] { plot(options(dir.file("run"))); }).find("sbc.json: dim expected 2"),
            std::string::npos);
  write_sbc(dir, "run", 2, 40, 9);
  dir.write("run/sbc/sbc.json", "{\"samples_per_test\": 5, \"dim\": 2, \"tests\": 40, \"valid_tests\": 40}");
  EXPECT_EQ(error_of<IoError>([&] { plot(options(dir.file("run"))); }),
            dir.file("run/sbc/ranks.npy") + ": rank of test 1, column 1 expected 0..5 (samples_per_test), got 7");
}

}  // namespace
}  // namespace nsbi::plot
