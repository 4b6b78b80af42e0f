#include "nsbi/plot/chart_axes.hpp"

namespace nsbi::plot {

void draw_chart_axes(SvgWriter& svg, const ChartBox& box, int x_ticks, int y_ticks, const std::string& x_title,
                     const std::string& y_title, const std::string& title) {
  const Style tick = Style::line("#444", 0.8);
  const LinearScale sx = box.sx(), sy = box.sy();
  const auto xt = nice_ticks(box.xr.first, box.xr.second, x_ticks);
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1.0;
  for (const double t : xt) {
    svg.line({sx(t), box.y + box.height}, {sx(t), box.y + box.height + 4}, tick);
    svg.text(sx(t), box.y + box.height + 15, tick_label(t, xstep), 10, "middle");
  }
  const auto yt = nice_ticks(box.yr.first, box.yr.second, y_ticks);
  const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1.0;
  for (const double t : yt) {
    svg.line({box.x - 4, sy(t)}, {box.x, sy(t)}, tick);
    svg.text(box.x - 6, sy(t) + 3.5, tick_label(t, ystep), 10, "end");
  }
  svg.rect(box.x, box.y, box.width, box.height, tick);
  if (!x_title.empty()) svg.text(box.x + box.width / 2, box.y + box.height + 32, x_title, 12, "middle");
  if (!y_title.empty()) svg.text(box.x - 44, box.y + box.height / 2, y_title, 12, "middle", -90);
  if (!title.empty()) svg.text(box.x + box.width / 2, box.y - 6, title, 12, "middle");
}

double legend_entry(SvgWriter& svg, double x, double y, const std::string& colour, const std::string& text,
                    bool square, const std::string& dash) {
  if (square) svg.rect(x, y - 10, 14, 10, Style::area(colour));
  else svg.line({x, y - 4}, {x + 18, y - 4}, Style::line(colour, 2).dashed(dash));
  svg.text(x + 23, y, text, 11);
  return x + 23 + 6.3 * static_cast<double>(text.size()) + 16;
}

}  // namespace nsbi::plot
