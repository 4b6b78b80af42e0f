#pragma once
// The frame of a single x–y chart (losses, coverage, one SBC rank histogram): a box, ticks with
// labels on the left and bottom, axis titles, and the scales that map data into the box.
#include <string>
#include <utility>

#include "nsbi/plot/axis.hpp"
#include "nsbi/plot/svg_writer.hpp"

namespace nsbi::plot {

struct ChartBox {
  double x, y, width, height;  // pixels of the plotting area
  std::pair<double, double> xr, yr;  // data ranges (lo < hi)
  LinearScale sx() const { return {xr.first, xr.second, x, x + width}; }
  LinearScale sy() const { return {yr.first, yr.second, y + height, y}; }
};

/// Draws the frame of `box` with about `x_ticks` and `y_ticks` labelled ticks, `x_title` below and
/// `y_title` rotated on the left (empty titles are left out), and `title` above the box.
void draw_chart_axes(SvgWriter& svg, const ChartBox& box, int x_ticks, int y_ticks, const std::string& x_title,
                     const std::string& y_title, const std::string& title = "");

/// A legend entry at (x, y): a line (or a filled square) in `colour` and `text` after it; returns
/// the x where the next entry may start.
double legend_entry(SvgWriter& svg, double x, double y, const std::string& colour, const std::string& text,
                    bool square = false, const std::string& dash = "");

}  // namespace nsbi::plot
