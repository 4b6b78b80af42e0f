#include "nsbi/plot/plot_run.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nsbi/core/error.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/json_reader.hpp"
#include "nsbi/io/npy.hpp"
#include "nsbi/plot/axis.hpp"
#include "nsbi/plot/corner_plot.hpp"
#include "nsbi/plot/loss_plot.hpp"
#include "nsbi/plot/sbc_plots.hpp"

namespace nsbi::plot {
namespace {

namespace fs = std::filesystem;

void write_svg(const fs::path& path, const std::string& svg, std::vector<std::string>& written, std::ostream& log) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << svg;
  if (!out.flush()) throw IoError(make_message(path.string(), "plot", "a writable file", std::strerror(errno)));
  written.push_back(path.string());
  log << "wrote " << path.string() << "\n";
}

// A CSV whose column count must be `d` (the samples'); ShapeError naming the file otherwise.
Eigen::MatrixXd read_matching(const std::string& path, const char* what, Eigen::Index d) {
  if (!fs::is_regular_file(path))
    throw IoError(make_message(path, what, "a readable CSV file", "no such file"));
  const Eigen::MatrixXd m = read_csv(path).rows.transpose();
  if (m.rows() != d)
    throw ShapeError(make_message(path, std::string(what) + " columns",
                                  std::to_string(d) + " (as posterior_samples.csv)", std::to_string(m.rows())));
  return m;
}

std::vector<std::string> labels_of(const std::vector<std::string>& header, Eigen::Index d) {
  std::vector<std::string> labels;
  for (Eigen::Index p = 0; p < d; ++p)
    labels.push_back(parameter_label(p < static_cast<Eigen::Index>(header.size()) ? header[p]
                                                                                  : "theta_" + std::to_string(p + 1)));
  return labels;
}

void plot_sbc(const fs::path& sbc, const fs::path& out, const std::vector<std::string>& labels,
              std::vector<std::string>& written, std::ostream& log) {
  const std::string json_path = (sbc / "sbc.json").string();
  const JsonValue info = read_json(json_path);
  const double l = info.at("samples_per_test", json_path).as_number(json_path + ": samples_per_test");
  const double dim = info.at("dim", json_path).as_number(json_path + ": dim");
  const double valid = info.at("valid_tests", json_path).as_number(json_path + ": valid_tests");
  if (!(l >= 1 && l == std::floor(l) && l < 1e7))
    throw IoError(make_message(json_path, "samples_per_test", "a positive integer", std::to_string(l)));
  if (dim != static_cast<double>(labels.size()))
    throw ShapeError(make_message(json_path, "dim", std::to_string(labels.size()) + " (as posterior_samples.csv)",
                                  std::to_string(dim)));
  std::vector<double> pvalues;
  if (const JsonValue* pv = info.find("rank_pvalues"))
    for (const JsonValue& v : pv->as_array(json_path + ": rank_pvalues"))
      pvalues.push_back(v.is_null() ? std::nan("") : v.as_number(json_path + ": rank_pvalues"));

  const std::string ranks_path = (sbc / "ranks.npy").string();
  const auto ranks = read_npy_int64_matrix(ranks_path);
  if (ranks.rows() != static_cast<Eigen::Index>(labels.size()))
    throw ShapeError(make_message(ranks_path, "columns", std::to_string(labels.size()) + " (as sbc.json's dim)",
                                  std::to_string(ranks.rows())));
  const auto samples_per_test = static_cast<int>(l);
  for (Eigen::Index t = 0; t < ranks.cols(); ++t)
    for (Eigen::Index p = 0; p < ranks.rows(); ++p)
      if (ranks(p, t) < 0 || ranks(p, t) > samples_per_test)
        throw IoError(make_message(ranks_path, "rank of test " + std::to_string(t) + ", column " + std::to_string(p + 1),
                                   "0.." + std::to_string(samples_per_test) + " (samples_per_test)",
                                   std::to_string(ranks(p, t))));
  if (ranks.cols() > 0) write_svg(out / "sbc_ranks.svg", sbc_rank_svg(ranks, samples_per_test, labels, pvalues), written, log);
  else log << "no SBC ranks in " << ranks_path << ": sbc_ranks.svg not drawn\n";

  const std::string coverage_path = (sbc / "coverage.csv").string();
  const CsvTable coverage = read_csv(coverage_path);
  const std::vector<std::string> columns{"level", "expected_coverage", "tarp_coverage"};
  if (coverage.header != columns)
    throw IoError(make_message(coverage_path, "header", "level,expected_coverage,tarp_coverage",
                               coverage.header.empty() ? "no header row" : "another header"));
  const auto column = [&](int c) {
    const Eigen::VectorXd v = coverage.rows.col(c);
    return std::vector<double>(v.data(), v.data() + v.size());
  };
  write_svg(out / "sbc_coverage.svg", sbc_coverage_svg(column(0), column(1), column(2), static_cast<int>(valid)),
            written, log);
}

}  // namespace

std::vector<std::string> plot_run(const PlotOptions& o, std::ostream& log) {
  if (o.bins < 2 || o.bins > 500)
    throw ConfigError(make_message("nsbi plot", "--bins", "an integer in [2, 500]", std::to_string(o.bins)));
  const fs::path run(o.run_dir);
  if (!fs::is_directory(run))
    throw IoError(make_message(o.run_dir, "run directory", "an existing directory", "no such directory"));
  const fs::path samples_path = run / "posterior_samples.csv";
  if (!fs::is_regular_file(samples_path))
    throw IoError(make_message(samples_path.string(), "posterior samples", "a file (a finished run writes it)",
                               "no such file"));
  const CsvTable table = read_csv(samples_path.string());
  CornerPlotInput in;
  in.samples = table.rows.transpose();
  in.bins = o.bins;
  const Eigen::Index d = in.samples.rows();
  if (in.samples.cols() == 0)
    throw IoError(make_message(samples_path.string(), "posterior samples", "at least one sample row", "none"));
  in.labels = labels_of(table.header, d);
  if (!o.reference.empty()) in.reference = read_matching(o.reference, "reference samples", d);
  if (!o.true_theta.empty()) {
    const Eigen::MatrixXd t = read_matching(o.true_theta, "true parameters", d);
    if (t.cols() != 1)
      throw ShapeError(make_message(o.true_theta, "true parameters", "one row", std::to_string(t.cols()) + " rows"));
    if (!t.allFinite()) throw IoError(make_message(o.true_theta, "true parameters", "finite values", "a non-finite value"));
    in.truth = t.col(0);
  }

  const fs::path out = o.out_dir.empty() ? run / "plots" : fs::path(o.out_dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec || !fs::is_directory(out))
    throw IoError(make_message(out.string(), "plot directory", "a directory that can be created", ec ? ec.message() : "a file"));

  std::vector<std::string> written;
  write_svg(out / "corner.svg", corner_plot_svg(in), written, log);

  const fs::path report = run / "report.json";
  if (fs::exists(report)) {
    const auto losses = read_round_losses(read_json(report.string()), report.string());
    if (!losses.empty()) write_svg(out / "losses.svg", loss_plot_svg(losses), written, log);
    else log << "no training losses in " << report.string() << ": losses.svg not drawn\n";
  } else {
    log << "no " << report.string() << ": losses.svg not drawn\n";
  }
  if (fs::is_directory(run / "sbc")) plot_sbc(run / "sbc", out, in.labels, written, log);
  return written;
}

}  // namespace nsbi::plot
