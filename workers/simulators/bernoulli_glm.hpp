#pragma once
// The Bernoulli GLM of sbibm's bernoulli_glm and bernoulli_glm_raw (TASKS.md §5–6): θ = (b, h₁..h₉),
// ψ = X·θ with the fixed 100×10 design X (column of ones, stimulus lagged 0..8 bins; the data file
// bernoulli_glm_design_matrix.csv), y_t ~ Bernoulli(σ(ψ_t)) for t = 0..99. bernoulli_glm's data
// are the sufficient statistics Xᵀy (10 values), bernoulli_glm_raw's the spikes y (100 values).
#include <Eigen/Core>
#include <memory>
#include <string>

#include "nsbi/prior/prior.hpp"
#include "workers/simulators/builtin_simulator.hpp"

namespace nsbi {

/// The design matrix X (100×10), read once from the shipped constants.
const Eigen::MatrixXd& bernoulli_glm_design();

/// N(0, P⁻¹), P block-diagonal: 0.5 for the offset b, FᵀF for the filter h with
/// F = D·D + diag(√(i/9)), i = 0..8, D the 9×9 first-difference matrix (1 on the diagonal,
/// −1 below it): a smoothness prior on second differences plus a ridge growing with lag.
std::unique_ptr<Prior> bernoulli_glm_prior();

class BernoulliGlmSimulator final : public BuiltinSimulator {
 public:
  /// raw: x = y (100 values); otherwise x = Xᵀy (10 values).
  BernoulliGlmSimulator(std::string name, bool raw);

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override;

 private:
  Eigen::MatrixXd design_t_;  // Xᵀ (10×100): bin t is the contiguous column t
  bool raw_;
};

}  // namespace nsbi
