#pragma once
// Posterior predictive check: x simulated at posterior draws θ_j ~ p̂(θ | x_o) against x_o, per
// dimension of x. A well-specified model and a good posterior put x_o inside the predictive
// spread; a quantile near 0 or 1 says x_o is not something the fitted model produces.
#include <Eigen/Core>

namespace nsbi {

struct PredictiveSummary {
  Eigen::VectorXd mean, sd;  // per x dimension; sd unbiased (0 with one draw)
  /// (#{x_jd < x_o,d} + ½·#{x_jd = x_o,d}) / m: where x_o falls among the m predictive draws.
  Eigen::VectorXd quantile;
};

/// x_pred (Dx×m, m ≥ 1, finite) and x_o (Dx).
PredictiveSummary summarize_predictive(const Eigen::Ref<const Eigen::MatrixXd>& x_pred,
                                       const Eigen::Ref<const Eigen::VectorXd>& x_o);

}  // namespace nsbi
