#pragma once
// Axis helpers shared by the plots: a linear map from data to pixels, "nice" tick positions
// (multiples of 1, 2 or 5 × 10^k) and their labels, and parameter labels (theta_3 → θ₃).
#include <string>
#include <vector>

namespace nsbi::plot {

/// Maps [d0, d1] (data) linearly onto [p0, p1] (pixels; p1 < p0 for a y axis).
struct LinearScale {
  double d0 = 0, d1 = 1, p0 = 0, p1 = 1;
  double operator()(double v) const { return p0 + (v - d0) / (d1 - d0) * (p1 - p0); }
};

/// Tick positions inside [lo, hi] (lo < hi): every multiple of the step, the step being the
/// 1-2-5 × 10^k value that gives about `target` ticks (at least two where the range allows).
std::vector<double> nice_ticks(double lo, double hi, int target);

/// The label of tick `v` on an axis whose ticks are `step` apart: as many decimals as the step
/// needs (0.25 → 2), no "-0", a Unicode minus for negative values; scientific notation when
/// |v| ≥ 1e5 or the step < 1e-4.
std::string tick_label(double v, double step);

/// "theta_<k>" → "θ" + subscript digits of k; any other column name is returned unchanged.
std::string parameter_label(const std::string& column);

/// [lo, hi] widened by `fraction` of its width on each side; a zero-width range becomes
/// [v − 0.5, v + 0.5] (or ±10% of |v| when that is larger).
std::pair<double, double> padded_range(double lo, double hi, double fraction);

}  // namespace nsbi::plot
