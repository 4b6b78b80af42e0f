#include "nsbi/plot/density_contours.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nsbi::plot {
namespace {

// f(i, j) = g(distance of node (i, j) from (cx, cy)) on an n × n grid.
template <class G>
Eigen::MatrixXd radial(int n, double cx, double cy, G g) {
  Eigen::MatrixXd f(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) f(i, j) = g(std::hypot(i - cx, j - cy));
  return f;
}

double max_radius_error(const std::vector<Point>& ring, double cx, double cy, double r) {
  double e = 0;
  for (const Point& p : ring) e = std::max(e, std::abs(std::hypot(p.x - cx, p.y - cy) - r));
  return e;
}

TEST(DensityContoursTest, ACircleIsOneClosedRingOnTheCircle) {
  // f = 10 − r: the level 6 set is the circle r = 4 (linear interpolation is exact along edges
  // up to the curvature of r between nodes).
  const Eigen::MatrixXd f = radial(21, 10.3, 9.6, [](double r) { return 10 - r; });
  const auto rings = contour_rings(f, 6.0);
  ASSERT_EQ(rings.size(), 1u);
  EXPECT_GT(rings[0].size(), 20u);
  EXPECT_LT(max_radius_error(rings[0], 10.3, 9.6, 4.0), 0.1);
  // Consecutive points are neighbours (one cell apart at most): the ring is walked in order.
  for (std::size_t k = 0; k < rings[0].size(); ++k) {
    const Point a = rings[0][k], b = rings[0][(k + 1) % rings[0].size()];
    EXPECT_LE(std::hypot(a.x - b.x, a.y - b.y), std::sqrt(2.0) + 1e-9) << k;
  }
}

TEST(DensityContoursTest, AnAnnulusGivesTwoRingsAndTwoBumpsTwoRings) {
  const Eigen::MatrixXd annulus = radial(41, 20, 20, [](double r) { return std::exp(-(r - 10) * (r - 10) / 8); });
  const auto rings = contour_rings(annulus, 0.5);  // |r − 10| < sqrt(8 ln 2) ≈ 2.35
  ASSERT_EQ(rings.size(), 2u);
  const double r0 = std::hypot(rings[0][0].x - 20, rings[0][0].y - 20);
  const double r1 = std::hypot(rings[1][0].x - 20, rings[1][0].y - 20);
  EXPECT_NEAR(std::min(r0, r1), 10 - std::sqrt(8 * std::log(2.0)), 0.2);
  EXPECT_NEAR(std::max(r0, r1), 10 + std::sqrt(8 * std::log(2.0)), 0.2);

  Eigen::MatrixXd bumps = radial(30, 7, 7, [](double r) { return std::exp(-r * r / 4); });
  bumps += radial(30, 22, 20, [](double r) { return std::exp(-r * r / 4); });
  EXPECT_EQ(contour_rings(bumps, 0.3).size(), 2u);
}

TEST(DensityContoursTest, ASetTouchingTheBorderClosesJustOutsideIt) {
  const Eigen::MatrixXd f = Eigen::MatrixXd::Constant(5, 4, 2.0);
  const auto rings = contour_rings(f, 1.0);
  ASSERT_EQ(rings.size(), 1u);
  for (const Point& p : rings[0]) {
    EXPECT_GE(p.x, -0.5);
    EXPECT_LE(p.x, 4.5);
    EXPECT_GE(p.y, -0.5);
    EXPECT_LE(p.y, 3.5);
    // Every point is halfway between a border node and the pad.
    EXPECT_TRUE(p.x == -0.5 || p.x == 4.5 || p.y == -0.5 || p.y == 3.5) << p.x << "," << p.y;
  }
  EXPECT_EQ(rings[0].size(), 2u * (5 + 4));
  EXPECT_TRUE(contour_rings(f, 3.0).empty());  // above every value
}

TEST(DensityContoursTest, SaddleIsResolvedByTheCentreValue) {
  Eigen::MatrixXd f(2, 2);
  f << 1, 0, 0, 1;  // f(0,0) = f(1,1) = 1 inside, the others outside; centre 0.5
  EXPECT_EQ(contour_rings(f, 0.4).size(), 1u);  // centre inside: the diagonal is connected
  EXPECT_EQ(contour_rings(f, 0.6).size(), 2u);  // centre outside: two separate corners
}

TEST(DensityContoursTest, HistogramCountsInsideTheBoxOnly) {
  Eigen::VectorXd x(5), y(5);
  x << 0.1, 0.9, 1.0, 1.5, std::nan("");
  y << 0.1, 0.6, 1.0, 0.5, 0.5;
  const Eigen::MatrixXd h = histogram_2d(x, y, 0, 1, 0, 1, 2, 2);
  EXPECT_EQ(h(0, 0), 1);
  EXPECT_EQ(h(1, 1), 2);  // 1.0 is the box's closed upper edge
  EXPECT_EQ(h.sum(), 3);  // 1.5 outside, NaN dropped
}

TEST(DensityContoursTest, SmoothingKeepsInteriorMassAndSpreadsAPoint) {
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(21, 21);
  g(10, 10) = 1;
  const Eigen::MatrixXd s = gaussian_smooth(g, 1.5);
  EXPECT_NEAR(s.sum(), 1.0, 1e-12);
  EXPECT_NEAR(s(10, 11) / s(10, 10), std::exp(-0.5 / 2.25), 1e-12);
  EXPECT_NEAR(s(11, 11) / s(10, 10), std::exp(-1.0 / 2.25), 1e-12);
  EXPECT_EQ(gaussian_smooth(g, 0), g);
}

TEST(DensityContoursTest, MassLevelsEncloseTheRequestedFractions) {
  // A 2-d standard normal on a fine grid: the HPD region of mass m is r² ≤ −2 ln(1 − m), so the
  // density level there is exp(−r²/2)/(2π) = (1 − m)/(2π) up to the grid's discretisation.
  const double h = 0.05;
  const int n = 241;
  Eigen::MatrixXd f(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double x = (i - 120) * h, y = (j - 120) * h;
      f(i, j) = std::exp(-(x * x + y * y) / 2) / (2 * M_PI) * h * h;
    }
  const auto levels = mass_levels(f, {0.95, 0.68});
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_NEAR(levels[0] / (h * h), 0.05 / (2 * M_PI), 2e-4);
  EXPECT_NEAR(levels[1] / (h * h), 0.32 / (2 * M_PI), 2e-4);
  EXPECT_TRUE(mass_levels(Eigen::MatrixXd::Zero(3, 3), {0.5}).empty());
}

}  // namespace
}  // namespace nsbi::plot
