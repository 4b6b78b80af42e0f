#pragma once
// `nsbi bench sbibm`: the benchmark grid of Lueckmann et al. (AISTATS 2021) — every
// (task, method, budget, observation) cell is one `nsbi run` (in process, collective over the
// ranks the command was started on) followed by the C2ST of its posterior samples against
// sbibm's reference posterior samples. One CSV row per finished cell; finished cells are skipped
// when the command is started again (a killed grid resumes where it stopped); a markdown table
// of the means per task beside the paper's figures (paper_results.csv, the same observations).
//
// The cells use the benchmark's settings: 10,000 posterior samples, minibatches of 50 (sbibm's
// training_batch_size), NPE-style methods with the neural spline flow the paper used for
// NPE/SNPE, NLE with a MAF, the classifiers the methods default to, and seed = base seed +
// observation. Anything else can be changed with --set, applied to every cell.
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi::bench {

/// A method of the grid: `method` or `method:estimator` on the command line.
struct GridMethod {
  std::string method;
  std::string estimator;  // empty: the benchmark default (see default_benchmark_estimator)
  std::string label() const { return estimator.empty() ? method : method + ":" + estimator; }
};

struct GridSpec {
  std::vector<std::string> tasks;
  std::vector<GridMethod> methods;
  std::vector<std::int64_t> budgets;
  std::vector<int> observations;
  std::string sbibm_dir;  // holds <task>/obs<k>/{observation,reference_posterior_samples}.csv
  std::string out_dir;
  std::uint64_t seed = 1;
  std::vector<std::string> overrides;  // --set key=value, applied to every cell
  int c2st_threads = 1;
  bool report_only = false;  // run nothing: the table of the cells results.csv already holds
};

/// "1-5", "1,3,5", "2-4,7": ascending, without repeats. Throws ConfigError naming `what`.
std::vector<int> parse_index_list(const std::string& text, const std::string& what);
/// "1000,10000,1e5": positive integers. Throws ConfigError naming `what`.
std::vector<std::int64_t> parse_budget_list(const std::string& text, const std::string& what);
/// "two_moons,slcp": builtin tasks. Throws ConfigError for an unknown task (listing the known ones).
std::vector<std::string> parse_task_list(const std::string& text);
/// "npe,nle:nsf,nre_b". Throws ConfigError for an unknown method (listing the known ones).
std::vector<GridMethod> parse_method_list(const std::string& text);

/// The estimator a grid cell uses when the method spec names none: "nsf" for NPE and the
/// sequential NPE methods that take a flow (the paper's NPE/SNPE), "mdn" for snpe_a, otherwise
/// the method's own default.
std::string default_benchmark_estimator(const std::string& method);
/// The algorithm of paper_results.csv a method corresponds to ("NPE", "SNPE", "NLE", "SNLE",
/// "NRE", "SNRE"), or "" when the paper has none (nre_a, carl, snpe_a, snpe_b, tsnpe). sbibm's NRE
/// and SNRE are SNRE-B (sbi's default ratio estimator), with one and ten rounds.
std::string paper_algorithm(const std::string& method);
/// "10³", "10⁴", "10⁵" as paper_results.csv writes budgets; "" for other budgets.
std::string paper_budget(std::int64_t budget);

/// Rows of paper_results.csv: (task, algorithm, budget label) → observation → C2ST.
using PaperResults = std::map<std::tuple<std::string, std::string, std::string>, std::map<int, double>>;
/// Reads paper_results.csv (header task,num_simulations,num_observation,algorithm,C2ST,...).
/// Throws IoError naming the file and line for a missing file or a malformed row.
PaperResults read_paper_results(const std::string& path);
/// The paper's figures in an sbibm directory: paper_results.csv, with every task that a
/// paper_results_<task>_rerun.csv re-ran (gaussian_mixture, after a bug fix in sbibm) taken from
/// that file instead. Empty when the directory has no paper_results.csv.
PaperResults read_paper_results_dir(const std::string& sbibm_dir);

/// One finished cell: a row of results.csv.
struct GridRow {
  std::string task, method, estimator;
  std::int64_t budget = 0;
  int observation = 0;
  double c2st = 0;
  double simulate_seconds = 0, train_seconds = 0, proposal_seconds = 0, sample_seconds = 0, total_seconds = 0;
  double c2st_seconds = 0;
  int epochs = 0;
  int ranks = 1;
  std::uint64_t seed = 0;
};

/// The header of results.csv.
std::string grid_csv_header();
std::string to_csv_line(const GridRow& row);
/// The rows of an existing results.csv; a last line cut short by a kill is ignored. Throws
/// IoError naming the file and line for a row that does not parse, or a different header.
std::vector<GridRow> read_grid_csv(const std::string& path);

/// The markdown table: per budget, one row per task; per method the mean C2ST over the
/// observations run (with their count) beside the paper's mean over the same observations.
/// Cells in `not_applicable` ((task, method:estimator, budget) → why) read "n/a", with the
/// reasons below the table.
using NotApplicable = std::map<std::tuple<std::string, std::string, std::int64_t>, std::string>;
std::string grid_markdown(const std::vector<GridRow>& rows, const PaperResults& paper,
                          const NotApplicable& not_applicable = {});

/// Runs every cell not in out_dir/results.csv (collective over comm), appends a row per
/// finished cell, writes out_dir/results.md and prints progress and the table on rank 0. Every
/// cell's configuration is built and checked, and every observation and reference file is
/// found, before the first cell runs. A cell whose method refuses the task's prior (snpe_a on a
/// log-normal prior) is skipped with the reason, not run. Returns the rows of the whole grid.
std::vector<GridRow> run_sbibm_grid(const GridSpec& spec, const mpi::Communicator& comm, std::ostream& out);

}  // namespace nsbi::bench
