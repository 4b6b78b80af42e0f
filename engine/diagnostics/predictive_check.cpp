#include "nsbi/diagnostics/predictive_check.hpp"

#include <cmath>

#include "nsbi/core/error.hpp"

namespace nsbi {

PredictiveSummary summarize_predictive(const Eigen::Ref<const Eigen::MatrixXd>& x_pred,
                                       const Eigen::Ref<const Eigen::VectorXd>& x_o) {
  const Eigen::Index m = x_pred.cols();
  if (m < 1 || x_pred.rows() != x_o.size())
    throw ShapeError(make_message("summarize_predictive", "predictive draws",
                                  "at least 1 of dimension " + std::to_string(x_o.size()),
                                  std::to_string(m) + " of dimension " + std::to_string(x_pred.rows())));
  PredictiveSummary s;
  s.mean = x_pred.rowwise().mean();
  const Eigen::MatrixXd centred = x_pred.colwise() - s.mean;
  s.sd = Eigen::VectorXd::Zero(x_o.size());
  if (m > 1) s.sd = (centred.array().square().rowwise().sum() / static_cast<double>(m - 1)).sqrt().matrix();
  const Eigen::MatrixXd xo = x_o.replicate(1, m);
  const Eigen::VectorXd below = (x_pred.array() < xo.array()).cast<double>().rowwise().sum();
  const Eigen::VectorXd equal = (x_pred.array() == xo.array()).cast<double>().rowwise().sum();
  s.quantile = (below + 0.5 * equal) / static_cast<double>(m);
  return s;
}

}  // namespace nsbi
