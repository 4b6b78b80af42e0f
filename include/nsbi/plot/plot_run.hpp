#pragma once
// `nsbi plot RUN_DIR`: the SVG plots of a finished run (hand-written SVG, see svg_writer.hpp).
//   corner.svg         posterior_samples.csv (+ --reference, --true-theta)
//   losses.svg         report.json's training and validation loss per epoch and round
//   sbc_ranks.svg      sbc/ranks.npy and sbc/sbc.json, when RUN_DIR/sbc/ exists
//   sbc_coverage.svg   sbc/coverage.csv and sbc/sbc.json
#include <ostream>
#include <string>
#include <vector>

namespace nsbi::plot {

struct PlotOptions {
  std::string run_dir;
  std::string reference;   // CSV of reference posterior samples (header row, one sample per row), or ""
  std::string true_theta;  // CSV with one row of D true parameter values, or ""
  std::string out_dir;     // "" → RUN_DIR/plots
  int bins = 30;           // corner plot histogram bins per axis
};

/// Writes the plots and returns their paths, in the order above; one line per file to `log`.
/// Bad input is one error naming the problem: IoError for a missing run directory or
/// posterior_samples.csv, a malformed report.json or sbc file (file, line and column or member);
/// ShapeError when --reference, --true-theta or sbc/ranks.npy has another dimension than the
/// samples (expected and found); ConfigError for bins outside [2, 500].
std::vector<std::string> plot_run(const PlotOptions& options, std::ostream& log);

}  // namespace nsbi::plot
