// sbibm bernoulli_glm (TASKS.md §5): θ ∈ R¹⁰ ~ N(0, P⁻¹), x = Xᵀy ∈ R¹⁰ with
// y_t ~ Bernoulli(σ((X·θ)_t)), t = 0..99 (bernoulli_glm.hpp).
#include "workers/simulators/bernoulli_glm.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <string>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random_variates.hpp"
#include "nsbi/prior/gaussian.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/task_constants.hpp"

namespace nsbi {

namespace {
constexpr int kBins = 100, kParams = 10;
}  // namespace

const Eigen::MatrixXd& bernoulli_glm_design() {
  static const Eigen::MatrixXd x = [] {
    Eigen::MatrixXd m = task_constant_matrix("bernoulli_glm_design_matrix.csv");
    if (m.rows() != kBins || m.cols() != kParams)
      throw ConfigError(make_message("bernoulli_glm constants", "design matrix", "100×10",
                                     std::to_string(m.rows()) + "×" + std::to_string(m.cols())));
    return m;
  }();
  return x;
}

std::unique_ptr<Prior> bernoulli_glm_prior() {
  constexpr int m = kParams - 1;
  Eigen::MatrixXd d = Eigen::MatrixXd::Identity(m, m);
  for (int i = 1; i < m; ++i) d(i, i - 1) = -1.0;
  Eigen::MatrixXd f = d * d;
  for (int i = 0; i < m; ++i) f(i, i) += std::sqrt(static_cast<double>(i) / m);
  Eigen::MatrixXd precision = Eigen::MatrixXd::Zero(kParams, kParams);
  precision(0, 0) = 0.5;
  precision.bottomRightCorner(m, m) = f.transpose() * f;
  Eigen::MatrixXd cov = precision.ldlt().solve(Eigen::MatrixXd::Identity(kParams, kParams));
  cov = 0.5 * (cov + cov.transpose()).eval();  // exact symmetry for the Gaussian's check
  return std::make_unique<Gaussian>(Eigen::VectorXd::Zero(kParams), cov);
}

BernoulliGlmSimulator::BernoulliGlmSimulator(std::string name, bool raw)
    : BuiltinSimulator(std::move(name), kParams, raw ? kBins : kParams), design_t_(bernoulli_glm_design().transpose()), raw_(raw) {}

void BernoulliGlmSimulator::simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                                         Eigen::Ref<Eigen::VectorXd> x) const {
  if (!raw_) x.setZero();
  for (int t = 0; t < kBins; ++t) {
    const double psi = design_t_.col(t).dot(theta);
    const bool spike = bernoulli(rng, 1.0 / (1.0 + std::exp(-psi)));
    if (raw_) {
      x(t) = spike ? 1.0 : 0.0;
    } else if (spike) {
      x += design_t_.col(t);  // x = Xᵀy accumulated over the spiking bins
    }
  }
}

Task bernoulli_glm_task() {
  return {
      .name = "bernoulli_glm",
      .theta_dim = kParams,
      .x_dim = kParams,
      .description =
          "Bernoulli GLM spiking neuron; x = spike count and 9 spike-triggered stimulus sums (sufficient statistics)",
      .make_prior = bernoulli_glm_prior,
      .make_simulator = [] { return std::make_unique<BernoulliGlmSimulator>("bernoulli_glm", false); }};
}

}  // namespace nsbi
