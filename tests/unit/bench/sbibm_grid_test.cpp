// The sbibm grid's parsing, its results.csv (round trip, a row cut short by a kill) and the
// markdown table against means computed by hand; the paper's figures read from the shared file.
#include "nsbi/bench/sbibm_grid.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nsbi/core/error.hpp"

namespace nsbi::bench {
namespace {

namespace fs = std::filesystem;

TEST(SbibmGrid, ParsesObservationRangesAndLists) {
  EXPECT_EQ(parse_index_list("1-5", "--observations"), (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(parse_index_list("7, 2-3,2", "--observations"), (std::vector<int>{2, 3, 7}));
  for (const char* bad : {"", "0", "5-2", "a", "1-", "-3", "1.5"})
    EXPECT_THROW(parse_index_list(bad, "--observations"), ConfigError) << bad;
}

TEST(SbibmGrid, ParsesBudgets) {
  EXPECT_EQ(parse_budget_list("1000,1e4, 100000", "--budgets"), (std::vector<std::int64_t>{1000, 10000, 100000}));
  for (const char* bad : {"", "0", "-5", "1.5", "ten"}) EXPECT_THROW(parse_budget_list(bad, "--budgets"), ConfigError) << bad;
}

TEST(SbibmGrid, ParsesMethodsAndTasks) {
  const auto m = parse_method_list("npe, nle:nsf");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].method, "npe");
  EXPECT_EQ(m[0].estimator, "");
  EXPECT_EQ(m[1].label(), "nle:nsf");
  EXPECT_THROW(parse_method_list("npe,nope"), ConfigError);
  EXPECT_THROW(parse_method_list("npe:nope"), ConfigError);
  EXPECT_THROW(parse_method_list(""), ConfigError);
  EXPECT_EQ(parse_task_list("two_moons,slcp,two_moons"), (std::vector<std::string>{"two_moons", "slcp"}));
  EXPECT_THROW(parse_task_list("two_moons,moons"), ConfigError);
}

TEST(SbibmGrid, BenchmarkDefaultsAndPaperNames) {
  EXPECT_EQ(default_benchmark_estimator("npe"), "nsf");
  EXPECT_EQ(default_benchmark_estimator("snpe_c"), "nsf");
  EXPECT_EQ(default_benchmark_estimator("snpe_a"), "mdn");
  EXPECT_EQ(default_benchmark_estimator("nle"), "maf");
  EXPECT_EQ(paper_algorithm("nre_b"), "NRE");
  EXPECT_EQ(paper_algorithm("snre_b"), "SNRE");
  EXPECT_EQ(paper_algorithm("nre_a"), "");
  EXPECT_EQ(paper_budget(10000), "10⁴");
  EXPECT_EQ(paper_budget(5000), "");
}

GridRow row(const std::string& task, const std::string& method, std::int64_t budget, int obs, double c2st) {
  GridRow r;
  r.task = task;
  r.method = method;
  r.estimator = "nsf";
  r.budget = budget;
  r.observation = obs;
  r.c2st = c2st;
  r.train_seconds = 1.25;
  r.epochs = 17;
  r.ranks = 2;
  r.seed = 1u + static_cast<unsigned>(obs);
  return r;
}

TEST(SbibmGrid, CsvRoundTripsAndDropsARowCutShort) {
  const fs::path dir = fs::temp_directory_path() / "nsbi_sbibm_grid_test";
  fs::create_directories(dir);
  const fs::path csv = dir / "results.csv";
  const GridRow a = row("two_moons", "npe", 1000, 1, 0.61), b = row("slcp", "npe", 10000, 3, 0.875);
  {
    std::ofstream f(csv);
    f << grid_csv_header() << "\n" << to_csv_line(a) << "\n" << to_csv_line(b) << "\n";
    f << to_csv_line(a).substr(0, 20);  // a kill while the third row was being written
  }
  const auto rows = read_grid_csv(csv.string());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(to_csv_line(rows[0]), to_csv_line(a));
  EXPECT_EQ(to_csv_line(rows[1]), to_csv_line(b));
  EXPECT_EQ(rows[1].task, "slcp");
  EXPECT_EQ(rows[1].observation, 3);
  EXPECT_DOUBLE_EQ(rows[1].c2st, 0.875);
  {
    std::ofstream f(csv);
    f << grid_csv_header() << "\nslcp,npe,nsf,10000,x,0.5,0,0,0,0,0,0,1,1,1\n" << to_csv_line(a) << "\n";
  }
  try {
    read_grid_csv(csv.string());
    FAIL() << "a malformed row must be refused";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("results.csv:2"), std::string::npos) << e.what();
  }
  {
    std::ofstream f(csv);
    f << "task,c2st\n";
  }
  EXPECT_THROW(read_grid_csv(csv.string()), IoError);
  EXPECT_TRUE(read_grid_csv((dir / "absent.csv").string()).empty());
  fs::remove_all(dir);
}

TEST(SbibmGrid, MarkdownShowsMeansBesideThePapersOverTheSameObservations) {
  PaperResults paper;
  paper[{"two_moons", "NPE", "10⁴"}] = {{1, 0.60}, {2, 0.70}, {3, 0.90}};
  const std::vector<GridRow> rows{row("two_moons", "npe", 10000, 1, 0.52), row("two_moons", "npe", 10000, 2, 0.58),
                                  row("two_moons", "nre_a", 10000, 1, 0.70)};
  const std::string md = grid_markdown(rows, paper);
  EXPECT_NE(md.find("| task | npe:nsf | paper NPE | nre_a:nsf |"), std::string::npos) << md;
  // ours (0.52 + 0.58) / 2 over 2 observations; the paper's over observations 1 and 2 only.
  EXPECT_NE(md.find("| two_moons | 0.550 (2) | 0.650 | 0.700 (1) |"), std::string::npos) << md;
}

TEST(SbibmGrid, MarkdownMarksCellsAMethodCannotRun) {
  const std::vector<GridRow> rows{row("sir", "npe", 10000, 1, 0.60)};
  const NotApplicable na{{{"sir", "snpe_a:mdn", 10000}, "a Gaussian prior, got LogNormal"}};
  const std::string md = grid_markdown(rows, PaperResults{}, na);
  EXPECT_NE(md.find("| task | npe:nsf | paper NPE | snpe_a:mdn |"), std::string::npos) << md;
  EXPECT_NE(md.find("| sir | 0.600 (1) | — | n/a |"), std::string::npos) << md;
  EXPECT_NE(md.find("n/a: snpe_a:mdn on sir: a Gaussian prior, got LogNormal"), std::string::npos) << md;
}

TEST(SbibmGrid, ReadsThePapersResults) {
  const fs::path file = fs::path(NSBI_SHARED_DIR) / "sbibm" / "paper_results.csv";
  if (!fs::exists(file)) GTEST_SKIP() << file << " not found";
  const PaperResults paper = read_paper_results(file.string());
  const auto it = paper.find({"two_moons", "NPE", "10⁴"});
  ASSERT_NE(it, paper.end());
  EXPECT_EQ(it->second.size(), 10u);  // observations 1-10
  double mean = 0;
  for (int o = 1; o <= 5; ++o) mean += it->second.at(o) / 5;
  EXPECT_NEAR(mean, 0.6042, 5e-4);  // computed from the file independently (python csv)
  EXPECT_THROW(read_paper_results("/nonexistent/paper_results.csv"), IoError);
  // gaussian_mixture from the re-run after sbibm's bug fix (mean of NPE 10⁴ obs 1-5: 0.62916).
  const PaperResults merged = read_paper_results_dir(file.parent_path().string());
  const auto gm = merged.find({"gaussian_mixture", "NPE", "10⁴"});
  ASSERT_NE(gm, merged.end());
  double gm_mean = 0;
  for (int o = 1; o <= 5; ++o) gm_mean += gm->second.at(o) / 5;
  if (fs::exists(file.parent_path() / "paper_results_gaussian_mixture_rerun.csv")) {
    EXPECT_NEAR(gm_mean, 0.62916, 5e-4);
  }
  EXPECT_EQ(merged.at({"two_moons", "NPE", "10⁴"}), it->second);
}

}  // namespace
}  // namespace nsbi::bench
