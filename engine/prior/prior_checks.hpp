#pragma once
// Input checks and formatting shared by the concrete priors (engine-internal).
// Messages follow "<where>: <what> expected <expected>, got <found>" (error.hpp).
#include <Eigen/Core>
#include <string>
#include <string_view>

namespace nsbi::detail {

/// "[a, b, c]" with 6 significant digits; a vector whose entries are all equal as "a (all n)".
std::string format_vector(const Eigen::Ref<const Eigen::VectorXd>& v);

/// Throws ShapeError unless `m` has `dim` rows.
void require_rows(std::string_view where, std::string_view what, const Eigen::Ref<const Eigen::MatrixXd>& m,
                  Eigen::Index dim);
/// Throws ShapeError unless `v` has length `n`.
void require_size(std::string_view where, std::string_view what, const Eigen::Ref<const Eigen::VectorXd>& v,
                  Eigen::Index n);
/// Throws ConfigError if `v` is empty or has a non-finite entry.
void require_finite_nonempty(std::string_view where, std::string_view what,
                             const Eigen::Ref<const Eigen::VectorXd>& v);
/// Throws ConfigError unless every entry of `v` is > 0 (and finite).
void require_positive(std::string_view where, std::string_view what, const Eigen::Ref<const Eigen::VectorXd>& v);

}  // namespace nsbi::detail
