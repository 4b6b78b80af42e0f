#include "nsbi/plot/axis.hpp"

#include <cmath>
#include <cstdio>

namespace nsbi::plot {
namespace {

double tick_step(double lo, double hi, int target) {
  const double raw = (hi - lo) / std::max(1, target - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double nice = norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10;
  return nice * mag;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  double step = tick_step(lo, hi, target);
  // Fewer than two ticks inside the range: the next smaller 1-2-5 step (5 → 2, 2 → 1, 1 → 0.5).
  for (int attempt = 0; attempt < 3; ++attempt) {
    ticks.clear();
    for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k += 1) {
      const double v = k * step;
      ticks.push_back(std::abs(v) < 1e-12 * step ? 0.0 : v);
    }
    if (ticks.size() >= 2) break;
    const double mag = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    const double lead = std::round(step / mag);
    step = lead == 5 ? 2 * mag : lead == 2 ? mag : 0.5 * mag;
  }
  return ticks;
}

std::string tick_label(double v, double step) {
  char buf[48];
  if (std::abs(v) >= 1e5 || (step < 1e-4 && v != 0)) {
    std::snprintf(buf, sizeof(buf), "%.3g", v);
  } else {
    const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    // A step of 2.5 × 10^k needs one decimal more than its power of ten.
    const double scaled = step * std::pow(10.0, decimals);
    const int extra = std::abs(scaled - std::round(scaled)) > 1e-6 ? 1 : 0;
    std::snprintf(buf, sizeof(buf), "%.*f", decimals + extra, v);
  }
  std::string s = buf;
  bool zero = true;
  for (const char c : s)
    if (c >= '1' && c <= '9') zero = false;
  if (s.front() == '-') s = zero ? s.substr(1) : "\u2212" + s.substr(1);
  return s;
}

std::string parameter_label(const std::string& column) {
  const std::string prefix = "theta_";
  if (column.size() <= prefix.size() || column.compare(0, prefix.size(), prefix) != 0) return column;
  std::string out = "\u03B8";
  for (std::size_t i = prefix.size(); i < column.size(); ++i) {
    const char c = column[i];
    if (c < '0' || c > '9') return column;
    // Subscript digits are U+2080..U+2089: UTF-8 E2 82 80+d.
    out += "\xE2\x82";
    out += static_cast<char>(0x80 + (c - '0'));
  }
  return out;
}

std::pair<double, double> padded_range(double lo, double hi, double fraction) {
  if (!(hi > lo)) {
    const double half = std::max(0.5, 0.1 * std::abs(lo));
    return {lo - half, lo + half};
  }
  const double pad = fraction * (hi - lo);
  return {lo - pad, hi + pad};
}

}  // namespace nsbi::plot
