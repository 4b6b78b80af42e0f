#include "nsbi/plot/loss_plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "nsbi/core/error.hpp"
#include "nsbi/plot/chart_axes.hpp"
#include "nsbi/plot/corner_plot.hpp"

namespace nsbi::plot {
namespace {

std::vector<double> numbers(const JsonValue& v, const std::string& where) {
  std::vector<double> out;
  for (const JsonValue& e : v.as_array(where)) out.push_back(e.is_null() ? std::nan("") : e.as_number(where));
  return out;
}

}  // namespace

std::vector<RoundLosses> read_round_losses(const JsonValue& report, const std::string& where) {
  std::vector<RoundLosses> out;
  const auto& rounds = report.at("rounds", where).as_array(where + ": rounds");
  for (std::size_t k = 0; k < rounds.size(); ++k) {
    const std::string at = where + ": rounds[" + std::to_string(k) + "]";
    const JsonValue& r = rounds[k];
    const JsonValue* train = r.find("train_loss");
    if (!train) continue;
    RoundLosses l;
    l.round = static_cast<int>(r.at("round", at).as_number(at + ".round"));
    l.train = numbers(*train, at + ".train_loss");
    l.val = numbers(r.at("val_loss", at), at + ".val_loss");
    if (l.train.size() != l.val.size())
      throw IoError(make_message(at, "val_loss", std::to_string(l.train.size()) + " epochs (as train_loss)",
                                 std::to_string(l.val.size())));
    if (!l.train.empty()) out.push_back(std::move(l));
  }
  return out;
}

std::string loss_plot_svg(const std::vector<RoundLosses>& rounds) {
  std::size_t epochs = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& r : rounds) {
    epochs += r.train.size();
    for (const auto* curve : {&r.train, &r.val})
      for (const double v : *curve)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (epochs == 0) throw std::logic_error("loss_plot_svg: no epochs");
  if (!std::isfinite(lo)) lo = hi = 0;
  const double width = 720, height = 400;
  const ChartBox box{.x = 70, .y = 40, .width = width - 90, .height = height - 100,
                     .xr = {0.5, static_cast<double>(epochs) + 0.5}, .yr = padded_range(lo, hi, 0.05)};
  const LinearScale sx = box.sx(), sy = box.sy();
  SvgWriter svg(width, height);
  const std::string clip = "losses";
  svg.clip_rect(clip, box.x, box.y, box.width, box.height);
  svg.begin_group(clip);
  std::size_t first = 0;  // epochs before this round
  for (std::size_t k = 0; k < rounds.size(); ++k) {
    const auto& r = rounds[k];
    if (rounds.size() > 1) {
      if (k > 0) svg.line({sx(first + 0.5), box.y}, {sx(first + 0.5), box.y + box.height}, Style::line("#999").dashed("4 3"));
      svg.text(sx(first + 0.5) + 4, box.y + 14, "round " + std::to_string(r.round), 10, "start", 0, "#555");
    }
    for (const auto& [curve, colour] : {std::pair{&r.train, kSampleColour}, std::pair{&r.val, kReferenceColour}}) {
      std::vector<Point> run;  // a polyline per stretch of finite losses
      for (std::size_t e = 0; e <= curve->size(); ++e) {
        if (e < curve->size() && std::isfinite((*curve)[e])) {
          run.push_back({sx(static_cast<double>(first + e + 1)), sy((*curve)[e])});
          continue;
        }
        if (run.size() == 1) svg.circle(run[0], 2, Style::area(colour));
        svg.polyline(run, Style::line(colour, 1.5));
        run.clear();
      }
    }
    first += r.train.size();
  }
  svg.end_group();
  draw_chart_axes(svg, box, 8, 6, rounds.size() > 1 ? "epoch (counted over all rounds)" : "epoch", "loss");
  double x = legend_entry(svg, box.x, 22, kSampleColour, "training loss");
  legend_entry(svg, x, 22, kReferenceColour, "validation loss");
  return svg.str();
}

}  // namespace nsbi::plot
