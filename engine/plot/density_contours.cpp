#include "nsbi/plot/density_contours.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace nsbi::plot {

Eigen::MatrixXd histogram_2d(const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y,
                             double x0, double x1, double y0, double y1, int nx, int ny) {
  Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(nx, ny);
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    const double u = (x(k) - x0) / (x1 - x0) * nx, v = (y(k) - y0) / (y1 - y0) * ny;
    if (!(u >= 0 && u <= nx && v >= 0 && v <= ny)) continue;  // also drops NaN
    counts(std::min(static_cast<int>(u), nx - 1), std::min(static_cast<int>(v), ny - 1)) += 1;
  }
  return counts;
}

Eigen::MatrixXd gaussian_smooth(const Eigen::Ref<const Eigen::MatrixXd>& grid, double sigma) {
  if (sigma <= 0) return grid;
  const int r = static_cast<int>(std::ceil(3 * sigma));
  std::vector<double> kernel(2 * r + 1);
  for (int k = -r; k <= r; ++k) kernel[k + r] = std::exp(-0.5 * k * k / (sigma * sigma));
  const double total = std::accumulate(kernel.begin(), kernel.end(), 0.0);
  for (double& w : kernel) w /= total;
  // Separable: along rows (i), then along columns (j).
  const auto pass = [&](const Eigen::MatrixXd& in, bool along_i) {
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(in.rows(), in.cols());
    const Eigen::Index n = along_i ? in.rows() : in.cols();
    for (Eigen::Index i = 0; i < in.rows(); ++i)
      for (Eigen::Index j = 0; j < in.cols(); ++j) {
        const Eigen::Index c = along_i ? i : j;
        double s = 0;
        for (int k = -r; k <= r; ++k) {
          const Eigen::Index m = c + k;
          if (m < 0 || m >= n) continue;
          s += kernel[k + r] * (along_i ? in(m, j) : in(i, m));
        }
        out(i, j) = s;
      }
    return out;
  };
  return pass(pass(grid, true), false);
}

std::vector<double> mass_levels(const Eigen::Ref<const Eigen::MatrixXd>& grid, const std::vector<double>& masses) {
  std::vector<double> v(grid.data(), grid.data() + grid.size());
  std::sort(v.begin(), v.end(), std::greater<>());
  const double total = std::accumulate(v.begin(), v.end(), 0.0);
  std::vector<double> levels;
  if (!(total > 0)) return levels;
  for (const double m : masses) {
    double cum = 0;
    double level = v.back();
    for (const double c : v) {
      cum += c;
      level = c;
      if (cum >= m * total) break;
    }
    levels.push_back(level);
  }
  return levels;
}

std::vector<std::vector<Point>> contour_rings(const Eigen::Ref<const Eigen::MatrixXd>& f, double level) {
  const int nx = static_cast<int>(f.rows()), ny = static_cast<int>(f.cols());
  // Node values on the padded grid, nodes −1 … n along each axis; the pad is below the level.
  const auto value = [&](int i, int j) {
    return (i < 0 || j < 0 || i >= nx || j >= ny) ? -std::numeric_limits<double>::infinity() : f(i, j);
  };
  const auto inside = [&](int i, int j) { return value(i, j) >= level; };
  // An edge is named by its lower-left node and its direction: horizontal (i,j)-(i+1,j), vertical
  // (i,j)-(i,j+1). Shifting by one keeps indices of the padded grid non-negative.
  const auto edge_key = [&](int i, int j, bool vertical) {
    return (static_cast<std::int64_t>(i + 1) * (ny + 3) + (j + 1)) * 2 + (vertical ? 1 : 0);
  };
  const auto crossing = [&](int i, int j, bool vertical) {
    const int i2 = vertical ? i : i + 1, j2 = vertical ? j + 1 : j;
    const double a = value(i, j), b = value(i2, j2);
    // Linear interpolation; against the pad the crossing is placed halfway.
    double t = 0.5;
    if (std::isfinite(a) && std::isfinite(b) && a != b) t = (level - a) / (b - a);
    return Point{i + t * (i2 - i), j + t * (j2 - j)};
  };

  // Segments between edge crossings, cell by cell. Cell (i, j) has corners c0 = (i, j),
  // c1 = (i+1, j), c2 = (i+1, j+1), c3 = (i, j+1) and edges bottom (c0c1), right (c1c2), top (c3c2),
  // left (c0c3).
  std::vector<std::array<std::int64_t, 2>> segments;
  for (int i = -1; i < nx; ++i)
    for (int j = -1; j < ny; ++j) {
      const bool c0 = inside(i, j), c1 = inside(i + 1, j), c2 = inside(i + 1, j + 1), c3 = inside(i, j + 1);
      const std::int64_t bottom = edge_key(i, j, false), right = edge_key(i + 1, j, true),
                         top = edge_key(i, j + 1, false), left = edge_key(i, j, true);
      std::vector<std::int64_t> crossed;
      if (c0 != c1) crossed.push_back(bottom);
      if (c1 != c2) crossed.push_back(right);
      if (c3 != c2) crossed.push_back(top);
      if (c0 != c3) crossed.push_back(left);
      if (crossed.size() == 2) {
        segments.push_back({crossed[0], crossed[1]});
      } else if (crossed.size() == 4) {
        // Saddle: c0, c2 on one side, c1, c3 on the other. If the centre is on c0's side, the
        // diagonal c0-c2 is connected and c1, c3 are cut off; otherwise c0 and c2 are.
        const double centre = (value(i, j) + value(i + 1, j) + value(i + 1, j + 1) + value(i, j + 1)) / 4;
        if ((centre >= level) == c0) {
          segments.push_back({bottom, right});
          segments.push_back({top, left});
        } else {
          segments.push_back({left, bottom});
          segments.push_back({right, top});
        }
      }
    }

  // Every crossed edge belongs to exactly two segments (its two cells): walk them into rings.
  std::unordered_map<std::int64_t, std::array<int, 2>> at_edge;
  for (int s = 0; s < static_cast<int>(segments.size()); ++s)
    for (const std::int64_t e : segments[s]) {
      auto [it, fresh] = at_edge.try_emplace(e, std::array<int, 2>{s, -1});
      if (!fresh) it->second[1] = s;
    }
  const auto edge_point = [&](std::int64_t key) {
    const bool vertical = key % 2 == 1;
    const std::int64_t node = key / 2;
    return crossing(static_cast<int>(node / (ny + 3)) - 1, static_cast<int>(node % (ny + 3)) - 1, vertical);
  };
  std::vector<char> used(segments.size(), 0);
  std::vector<std::vector<Point>> rings;
  for (std::size_t start = 0; start < segments.size(); ++start) {
    if (used[start]) continue;
    std::vector<Point> ring;
    int s = static_cast<int>(start);
    const std::int64_t first = segments[start][0];
    std::int64_t e = first;
    while (s >= 0 && !used[s]) {
      used[s] = 1;
      ring.push_back(edge_point(e));
      e = segments[s][0] == e ? segments[s][1] : segments[s][0];  // leave by the other edge
      const auto& pair = at_edge.at(e);
      s = pair[0] == s ? pair[1] : pair[0];
    }
    rings.push_back(std::move(ring));
  }
  return rings;
}

}  // namespace nsbi::plot
