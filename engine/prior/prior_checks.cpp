#include "engine/prior/prior_checks.hpp"

#include <cmath>
#include <cstdio>

#include "nsbi/core/error.hpp"

namespace nsbi::detail {

namespace {
std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
// The strings are built only on failure: these checks sit on per-draw paths.
std::string message(std::string_view where, std::string_view what, const std::string& suffix,
                    const std::string& expected, const std::string& found) {
  return make_message(std::string(where), std::string(what) + suffix, expected, found);
}
}  // namespace

std::string format_vector(const Eigen::Ref<const Eigen::VectorXd>& v) {
  if (v.size() > 1 && (v.array() == v(0)).all()) return format_number(v(0)) + " (all " + std::to_string(v.size()) + ")";
  std::string s = "[";
  for (Eigen::Index i = 0; i < v.size(); ++i) s += (i ? ", " : "") + format_number(v(i));
  return s + "]";
}

void require_rows(std::string_view where, std::string_view what, const Eigen::Ref<const Eigen::MatrixXd>& m,
                  Eigen::Index dim) {
  if (m.rows() != dim) throw ShapeError(message(where, what, " rows", std::to_string(dim), std::to_string(m.rows())));
}

void require_size(std::string_view where, std::string_view what, const Eigen::Ref<const Eigen::VectorXd>& v,
                  Eigen::Index n) {
  if (v.size() != n) throw ShapeError(message(where, what, " length", std::to_string(n), std::to_string(v.size())));
}

void require_finite_nonempty(std::string_view where, std::string_view what,
                             const Eigen::Ref<const Eigen::VectorXd>& v) {
  if (v.size() == 0) throw ConfigError(message(where, what, " length", "at least 1", "0"));
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (!std::isfinite(v(i)))
      throw ConfigError(message(where, what, "[" + std::to_string(i) + "]", "a finite number", format_number(v(i))));
}

void require_positive(std::string_view where, std::string_view what, const Eigen::Ref<const Eigen::VectorXd>& v) {
  require_finite_nonempty(where, what, v);
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (!(v(i) > 0.0)) throw ConfigError(message(where, what, "[" + std::to_string(i) + "]", "> 0", format_number(v(i))));
}

}  // namespace nsbi::detail
