#pragma once
// Density contours of 2-d samples for the corner plot: a 2-d histogram, smoothed with a small
// Gaussian kernel, the density levels whose super-level sets hold given fractions of the mass
// (68%, 95%), and marching squares that turn a level into closed rings.
#include <Eigen/Core>
#include <vector>

#include "nsbi/plot/svg_writer.hpp"

namespace nsbi::plot {

/// Counts of (x, y) pairs on an nx × ny grid of equal bins over [x0, x1] × [y0, y1]; `counts(i, j)`
/// is bin i along x, bin j along y. Pairs outside the box are not counted.
Eigen::MatrixXd histogram_2d(const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y,
                             double x0, double x1, double y0, double y1, int nx, int ny);

/// `grid` convolved with a Gaussian of standard deviation `sigma` bins along both axes (kernel
/// cut at 3σ and renormalised; outside the grid counts as zero, so mass near the edge spreads
/// out of the box as a kernel density estimate would). sigma = 0 returns the grid.
Eigen::MatrixXd gaussian_smooth(const Eigen::Ref<const Eigen::MatrixXd>& grid, double sigma);

/// For each fraction m in `masses` (in (0, 1]), the largest value v such that the cells with
/// value ≥ v hold at least m of the grid's total: the contour at v encloses the highest-density
/// region of mass m. Levels come in the order of `masses`. An all-zero grid gives no levels.
std::vector<double> mass_levels(const Eigen::Ref<const Eigen::MatrixXd>& grid, const std::vector<double>& masses);

/// The level set {f = level} of the values f(i, j) at grid nodes (i, j) (node (i, j) at point
/// (i, j)) as closed rings, by marching squares with linear interpolation along cell edges.
/// The grid is padded with one ring of nodes below the level, so every ring closes (a set that
/// touches the border is closed just outside it; clip the drawing to the box). Saddle cells are
/// resolved by the value at the cell centre (mean of the corners). Nodes with f ≥ level are
/// inside. Ring points are in grid units (−1 … n).
std::vector<std::vector<Point>> contour_rings(const Eigen::Ref<const Eigen::MatrixXd>& f, double level);

}  // namespace nsbi::plot
