#pragma once
// The corner (pair) plot of posterior samples: a D × D grid with each parameter's 1-d histogram
// on the diagonal and, below it, 2-d density contours of each pair enclosing 68% and 95% of the
// mass (a smoothed 2-d histogram, marching squares). Optional reference samples are overlaid in a
// second colour (histograms and contours), the true parameter is marked by lines and a point.
#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

namespace nsbi::plot {

/// The colours of the plots (also what the rendering test looks for).
inline constexpr const char* kSampleColour = "#1f77b4";     // blue
inline constexpr const char* kReferenceColour = "#ff7f0e";  // orange
inline constexpr const char* kTruthColour = "#d62728";      // red

struct CornerPlotInput {
  Eigen::MatrixXd samples;                  // D×N, one sample per column
  std::vector<std::string> labels;          // D parameter labels (θ₁ …)
  std::optional<Eigen::MatrixXd> reference; // D×M reference samples
  std::optional<Eigen::VectorXd> truth;     // D values
  int bins = 30;                            // histogram bins per axis (1-d and 2-d)
  double smooth_sigma = 1.0;                // Gaussian kernel of the 2-d histograms, in bins
};

/// The axis range of each parameter: the union over the sample sets of their central 99.8%
/// (0.1% and 99.9% quantiles, so a few far outliers do not squash the plot) and the true value,
/// widened by 5% on each side. Returns D (lo, hi) pairs.
std::vector<std::pair<double, double>> corner_ranges(const CornerPlotInput& in);

/// The SVG document. D may be 1 … any (panels shrink to 90 px from D = 7 on). Requires
/// labels.size() == D and reference/truth of D rows (the caller checks user input).
std::string corner_plot_svg(const CornerPlotInput& in);

}  // namespace nsbi::plot
