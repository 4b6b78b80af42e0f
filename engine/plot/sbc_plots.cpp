#include "nsbi/plot/sbc_plots.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "nsbi/plot/chart_axes.hpp"
#include "nsbi/plot/corner_plot.hpp"

namespace nsbi::plot {

std::pair<int, int> binomial_interval(int n, double p, double level) {
  if (n <= 0 || p <= 0) return {0, 0};
  if (p >= 1) return {n, n};
  const double lo_mass = (1 - level) / 2, hi_mass = (1 + level) / 2;
  const double lp = std::log(p), lq = std::log1p(-p), lgn = std::lgamma(n + 1.0);
  double cdf = 0;
  int lo = -1, hi = n;
  for (int k = 0; k <= n; ++k) {
    cdf += std::exp(lgn - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * lp + (n - k) * lq);
    if (lo < 0 && cdf >= lo_mass) lo = k;
    if (cdf >= hi_mass) {
      hi = k;
      break;
    }
  }
  return {std::max(lo, 0), hi};
}

std::vector<int> rank_bin_edges(int samples_per_test, int tests) {
  const int values = samples_per_test + 1;
  const int bins = std::max(1, std::min({20, values, tests / 20}));
  std::vector<int> edges(bins + 1);
  for (int b = 0; b <= bins; ++b)
    edges[b] = static_cast<int>(static_cast<std::int64_t>(b) * values / bins);
  return edges;
}

std::string sbc_rank_svg(const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>& ranks,
                         int samples_per_test, const std::vector<std::string>& labels,
                         const std::vector<double>& pvalues) {
  const int d = static_cast<int>(ranks.rows()), tests = static_cast<int>(ranks.cols());
  if (d < 1 || static_cast<int>(labels.size()) != d) throw std::logic_error("sbc_rank_svg: D labels required");
  const int cols = std::min(d, 5), rows = (d + cols - 1) / cols;
  const double pw = 180, ph = 120, left = 64, top = 56, hgap = 40, vgap = 66;
  SvgWriter svg(left + cols * pw + (cols - 1) * hgap + 20, top + rows * ph + (rows - 1) * vgap + 50);
  const std::vector<int> edges = rank_bin_edges(samples_per_test, tests);
  const int bins = static_cast<int>(edges.size()) - 1;
  // Which bin each rank falls into.
  std::vector<int> bin_of(samples_per_test + 1);
  for (int b = 0; b < bins; ++b)
    for (int r = edges[b]; r < edges[b + 1]; ++r) bin_of[r] = b;
  std::vector<std::pair<int, int>> band(bins);
  std::vector<double> expected(bins);
  int top_count = 0;
  for (int b = 0; b < bins; ++b) {
    const double p = static_cast<double>(edges[b + 1] - edges[b]) / (samples_per_test + 1);
    band[b] = binomial_interval(tests, p, 0.99);
    expected[b] = tests * p;
    top_count = std::max(top_count, band[b].second);
  }
  std::vector<std::vector<int>> counts(d, std::vector<int>(bins, 0));
  for (int p = 0; p < d; ++p) {
    for (int t = 0; t < tests; ++t) ++counts[p][bin_of[static_cast<std::size_t>(ranks(p, t))]];
    top_count = std::max(top_count, *std::max_element(counts[p].begin(), counts[p].end()));
  }
  for (int p = 0; p < d; ++p) {
    const int row = p / cols, col = p % cols;
    const ChartBox box{.x = left + col * (pw + hgap), .y = top + row * (ph + vgap), .width = pw, .height = ph,
                       .xr = {0, samples_per_test + 1.0}, .yr = {0, std::max(1.0, top_count * 1.08)}};
    const LinearScale sx = box.sx(), sy = box.sy();
    for (int b = 0; b < bins; ++b) {
      const double x0 = sx(edges[b]), x1 = sx(edges[b + 1]);
      svg.rect(x0, sy(band[b].second), x1 - x0, sy(band[b].first) - sy(band[b].second), Style::area("#d9d9d9"));
    }
    for (int b = 0; b < bins; ++b) {
      const double x0 = sx(edges[b]), x1 = sx(edges[b + 1]);
      svg.rect(x0, sy(counts[p][b]), x1 - x0, sy(0) - sy(counts[p][b]),
               Style::area(kSampleColour, 0.7).outlined("white", 0.5));
      svg.line({x0, sy(expected[b])}, {x1, sy(expected[b])}, Style::line("#555", 1));
    }
    std::string title = labels[p];
    if (p < static_cast<int>(pvalues.size()) && std::isfinite(pvalues[p])) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), " (p = %.3g)", pvalues[p]);
      title += buf;
    }
    draw_chart_axes(svg, box, 4, 4, row == rows - 1 ? "rank" : "", col == 0 ? "tests" : "", title);
  }
  double x = legend_entry(svg, left, 20, kSampleColour, "rank counts of " + std::to_string(tests) + " tests, " +
                                                           std::to_string(bins) + " bins", true);
  x = legend_entry(svg, x, 20, "#d9d9d9", "99% band of a uniform histogram", true);
  legend_entry(svg, x, 20, "#555", "expected count");
  return svg.str();
}

std::string sbc_coverage_svg(const std::vector<double>& level, const std::vector<double>& expected,
                             const std::vector<double>& tarp, int tests) {
  if (level.size() != expected.size() || level.size() != tarp.size())
    throw std::logic_error("sbc_coverage_svg: columns of different lengths");
  const ChartBox box{.x = 70, .y = 50, .width = 380, .height = 380, .xr = {0, 1}, .yr = {0, 1}};
  const LinearScale sx = box.sx(), sy = box.sy();
  SvgWriter svg(480, 480);
  std::vector<std::size_t> order(level.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return level[a] < level[b]; });
  if (tests > 0 && !order.empty()) {
    std::vector<Point> band;
    for (const std::size_t k : order)
      band.push_back({sx(level[k]), sy(binomial_interval(tests, level[k], 0.99).second / double(tests))});
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      band.push_back({sx(level[*it]), sy(binomial_interval(tests, level[*it], 0.99).first / double(tests))});
    svg.rings({band}, Style::area("#d9d9d9"));
  }
  svg.line({sx(0), sy(0)}, {sx(1), sy(1)}, Style::line("#555", 1).dashed("5 4"));
  for (const auto& [curve, colour] : {std::pair{&expected, kSampleColour}, std::pair{&tarp, kReferenceColour}}) {
    std::vector<Point> pts;
    for (const std::size_t k : order)
      if (std::isfinite((*curve)[k]) && std::isfinite(level[k])) pts.push_back({sx(level[k]), sy((*curve)[k])});
    svg.polyline(pts, Style::line(colour, 1.8));
    for (const Point& q : pts) svg.circle(q, 2.2, Style::area(colour));
  }
  draw_chart_axes(svg, box, 6, 6, "credibility level", "empirical coverage");
  double x = legend_entry(svg, box.x, 20, kSampleColour, "expected coverage");
  x = legend_entry(svg, x, 20, kReferenceColour, "TARP");
  legend_entry(svg, x, 20, "#d9d9d9", "99% band (" + std::to_string(tests) + " tests)", true);
  return svg.str();
}

}  // namespace nsbi::plot
