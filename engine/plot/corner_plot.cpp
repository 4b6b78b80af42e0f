#include "nsbi/plot/corner_plot.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nsbi/plot/axis.hpp"
#include "nsbi/plot/chart_axes.hpp"
#include "nsbi/plot/density_contours.hpp"
#include "nsbi/plot/svg_writer.hpp"

namespace nsbi::plot {
namespace {

struct Layout {
  int d;
  double panel, gap = 6, left = 64, top = 16, right = 16, bottom = 52;
  double width() const { return left + d * panel + (d - 1) * gap + right; }
  double height() const { return top + d * panel + (d - 1) * gap + bottom; }
  double x(int col) const { return left + col * (panel + gap); }
  double y(int row) const { return top + row * (panel + gap); }
  int ticks() const { return panel >= 150 ? 5 : panel >= 120 ? 4 : 3; }
};

// The q-quantile of the finite values (nearest rank), or NaN when there are none.
double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto k = static_cast<std::size_t>(std::round(q * static_cast<double>(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// A set of samples with its colour: what the panels draw once per set.
struct SampleSet {
  const Eigen::MatrixXd* theta;
  const char* colour;
  bool filled;  // the posterior samples are filled, the reference is drawn in outline
};

// The 1-d histogram as a density (counts / (N · bin width)), bins over [lo, hi].
std::vector<double> density_histogram(const Eigen::Ref<const Eigen::VectorXd>& v, double lo, double hi, int bins) {
  std::vector<double> h(bins, 0.0);
  const double w = (hi - lo) / bins;
  for (const double t : v) {
    const double u = (t - lo) / w;
    if (!(u >= 0 && u <= bins)) continue;
    h[std::min(static_cast<int>(u), bins - 1)] += 1;
  }
  for (double& c : h) c /= static_cast<double>(std::max<Eigen::Index>(v.size(), 1)) * w;
  return h;
}

void draw_histograms(SvgWriter& svg, const std::vector<SampleSet>& sets, int p, std::pair<double, double> range,
                     int bins, const LinearScale& sx, double y0, double panel) {
  std::vector<std::vector<double>> hists;
  double peak = 0;
  for (const SampleSet& s : sets) {
    hists.push_back(density_histogram(s.theta->row(p).transpose(), range.first, range.second, bins));
    peak = std::max(peak, *std::max_element(hists.back().begin(), hists.back().end()));
  }
  if (!(peak > 0)) return;
  const LinearScale sy{0, peak * 1.08, y0 + panel, y0};
  const double w = (range.second - range.first) / bins;
  for (std::size_t k = 0; k < sets.size(); ++k) {
    std::vector<Point> step{{sx(range.first), sy(0)}};
    for (int b = 0; b < bins; ++b) {
      step.push_back({sx(range.first + b * w), sy(hists[k][b])});
      step.push_back({sx(range.first + (b + 1) * w), sy(hists[k][b])});
    }
    step.push_back({sx(range.second), sy(0)});
    if (sets[k].filled) {
      svg.rings({step}, Style::area(sets[k].colour, 0.25));
      svg.polyline(step, Style::line(sets[k].colour, 1.2));
    } else {
      svg.polyline(step, Style::line(sets[k].colour, 1.5));
    }
  }
}

void draw_contours(SvgWriter& svg, const SampleSet& set, int px, int py, std::pair<double, double> rx,
                   std::pair<double, double> ry, const CornerPlotInput& in, const LinearScale& sx,
                   const LinearScale& sy) {
  const int n = in.bins;
  const Eigen::MatrixXd grid = gaussian_smooth(
      histogram_2d(set.theta->row(px).transpose(), set.theta->row(py).transpose(), rx.first, rx.second, ry.first,
                   ry.second, n, n),
      in.smooth_sigma);
  const std::vector<double> levels = mass_levels(grid, {0.95, 0.68});
  const double wx = (rx.second - rx.first) / n, wy = (ry.second - ry.first) / n;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    if (!(levels[k] > 0)) continue;
    std::vector<std::vector<Point>> rings = contour_rings(grid, levels[k]);
    for (auto& ring : rings)  // grid node a is the centre of bin a
      for (Point& q : ring) q = {sx(rx.first + (q.x + 0.5) * wx), sy(ry.first + (q.y + 0.5) * wy)};
    if (set.filled) {
      svg.rings(rings, Style::area(set.colour, k == 0 ? 0.18 : 0.38).outlined(set.colour, 1.2).evenodd());
    } else {
      svg.rings(rings, Style::line(set.colour, 1.4).dashed(k == 0 ? "4 2" : ""));
    }
  }
}

void draw_x_ticks(SvgWriter& svg, const Layout& l, const LinearScale& sx, std::pair<double, double> r, double y0,
                  bool labelled) {
  const auto ticks = nice_ticks(r.first, r.second, l.ticks());
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  const double yb = y0 + l.panel;
  for (const double t : ticks) {
    svg.line({sx(t), yb}, {sx(t), yb + (labelled ? 4 : -3)}, Style::line("#444", 0.8));
    if (labelled) svg.text(sx(t), yb + 15, tick_label(t, step), l.panel < 120 ? 9 : 10, "middle");
  }
}

void draw_y_ticks(SvgWriter& svg, const Layout& l, const LinearScale& sy, std::pair<double, double> r, double x0,
                  bool labelled) {
  const auto ticks = nice_ticks(r.first, r.second, l.ticks());
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  for (const double t : ticks) {
    svg.line({x0, sy(t)}, {x0 + (labelled ? -4 : 3), sy(t)}, Style::line("#444", 0.8));
    if (labelled) svg.text(x0 - 6, sy(t) + 3.5, tick_label(t, step), l.panel < 120 ? 9 : 10, "end");
  }
}

// The legend, one entry per line: in the empty upper-right triangle from D = 2 on, above the
// single panel for D = 1 (Layout::top makes room).
int legend_lines(const CornerPlotInput& in) { return 1 + (in.reference ? 1 : 0) + (in.truth ? 1 : 0); }

void draw_legend(SvgWriter& svg, const CornerPlotInput& in, const Layout& l) {
  const double x = l.d == 1 ? l.left : l.x(std::max(1, l.d - 2)) + 8;
  double y = l.d == 1 ? 18 : l.y(0) + 14;
  legend_entry(svg, x, y, kSampleColour, "samples (N = " + std::to_string(in.samples.cols()) + ")", true);
  if (in.reference)
    legend_entry(svg, x, y += 17, kReferenceColour, "reference (N = " + std::to_string(in.reference->cols()) + ")", true);
  if (in.truth) legend_entry(svg, x, y += 17, kTruthColour, "true parameters");
  if (l.d > 1) {
    svg.text(x, y += 21, "contours hold 68%", 11, "start", 0, "#555");
    svg.text(x, y += 14, "and 95% of the mass", 11, "start", 0, "#555");
  }
}

}  // namespace

std::vector<std::pair<double, double>> corner_ranges(const CornerPlotInput& in) {
  const int d = static_cast<int>(in.samples.rows());
  std::vector<std::pair<double, double>> ranges;
  for (int p = 0; p < d; ++p) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const Eigen::MatrixXd* m : {&in.samples, in.reference ? &*in.reference : nullptr}) {
      if (!m) continue;
      std::vector<double> v;
      for (Eigen::Index k = 0; k < m->cols(); ++k)
        if (std::isfinite((*m)(p, k))) v.push_back((*m)(p, k));
      if (v.empty()) continue;
      lo = std::min(lo, quantile(v, 0.001));
      hi = std::max(hi, quantile(v, 0.999));
    }
    if (in.truth && std::isfinite((*in.truth)(p))) {
      lo = std::min(lo, (*in.truth)(p));
      hi = std::max(hi, (*in.truth)(p));
    }
    if (!std::isfinite(lo)) lo = hi = 0;  // no finite value at all: an empty panel around 0
    ranges.push_back(padded_range(lo, hi, 0.05));
  }
  return ranges;
}

std::string corner_plot_svg(const CornerPlotInput& in) {
  const int d = static_cast<int>(in.samples.rows());
  if (d < 1 || static_cast<int>(in.labels.size()) != d || in.bins < 2)
    throw std::logic_error("corner_plot_svg: D >= 1 rows, D labels and bins >= 2 required");
  Layout l{.d = d, .panel = d <= 3 ? 170.0 : d <= 6 ? 130.0 : 92.0};
  l.top = d == 1 ? 12 + 17 * legend_lines(in) : 16;
  const auto ranges = corner_ranges(in);
  std::vector<SampleSet> sets{{&in.samples, kSampleColour, true}};
  if (in.reference) sets.push_back({&*in.reference, kReferenceColour, false});

  SvgWriter svg(l.width(), l.height());
  draw_legend(svg, in, l);
  const Style frame = Style::line("#444", 0.8);
  const Style truth_line = Style::line(kTruthColour, 1.2);
  for (int row = 0; row < d; ++row) {
    for (int col = 0; col <= row; ++col) {
      const double x0 = l.x(col), y0 = l.y(row);
      const LinearScale sx{ranges[col].first, ranges[col].second, x0, x0 + l.panel};
      const LinearScale sy{ranges[row].first, ranges[row].second, y0 + l.panel, y0};
      const std::string clip = "panel_" + std::to_string(row) + "_" + std::to_string(col);
      svg.clip_rect(clip, x0, y0, l.panel, l.panel);
      svg.begin_group(clip);
      if (row == col) {
        draw_histograms(svg, sets, col, ranges[col], in.bins, sx, y0, l.panel);
        if (in.truth) svg.line({sx((*in.truth)(col)), y0}, {sx((*in.truth)(col)), y0 + l.panel}, truth_line);
      } else {
        for (const SampleSet& s : sets) draw_contours(svg, s, col, row, ranges[col], ranges[row], in, sx, sy);
        if (in.truth) {
          const Point t{sx((*in.truth)(col)), sy((*in.truth)(row))};
          svg.line({t.x, y0}, {t.x, y0 + l.panel}, truth_line);
          svg.line({x0, t.y}, {x0 + l.panel, t.y}, truth_line);
          svg.circle(t, 3, Style::area(kTruthColour));
        }
      }
      svg.end_group();
      svg.rect(x0, y0, l.panel, l.panel, frame);
      draw_x_ticks(svg, l, sx, ranges[col], y0, row == d - 1);
      if (row != col) draw_y_ticks(svg, l, sy, ranges[row], x0, col == 0);
    }
    svg.text(l.x(row) + l.panel / 2, l.height() - 14, in.labels[row], 14, "middle");
    if (row > 0) svg.text(20, l.y(row) + l.panel / 2, in.labels[row], 14, "middle", -90);
  }
  return svg.str();
}

}  // namespace nsbi::plot
