#pragma once
// Gaussian mixtures in θ space and the SNPE-A analytic correction (Papamakarios & Murray 2016,
// "Fast ε-free inference of simulation models with Bayesian conditional density estimation",
// §2.3 and appendix C). Pure math: no MPI, no network.
//
//   q(θ) = Σ_k α_k N(θ; μ_k, Σ_k),   Σ_k α_k = 1.
//
// SNPE-A trains q(θ | x) on θ drawn from a Gaussian proposal p̃ and corrects it at x_o:
//   posterior(θ) ∝ q(θ | x_o) · p(θ) / p̃(θ),
// which, for a Gaussian or box-uniform prior p, is again a Gaussian mixture (correct_mixture).
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "nsbi/core/random.hpp"

namespace nsbi {

/// Draws of a mixture restricted to a box by rejection.
struct TruncatedSamples {
  Eigen::MatrixXd theta;    // D×n' with n' ≤ n (n' < n only when truncated)
  std::int64_t draws = 0;   // draws made to obtain them
  double acceptance = 1.0;  // accepted / draws: the mixture's mass inside the box, estimated
  bool truncated = false;   // max_draws reached before n draws were accepted
};

struct GaussianMixture {
  Eigen::VectorXd log_weights;               // K: log α_k, log Σ_k α_k = 0
  Eigen::MatrixXd means;                     // D×K: μ_k in column k
  std::vector<Eigen::MatrixXd> covariances;  // K entries, D×D symmetric positive definite

  int dim() const { return static_cast<int>(means.rows()); }
  int components() const { return static_cast<int>(log_weights.size()); }

  /// log q(θ_n) for each column of theta (D×N) → N, by log-sum-exp over components.
  /// Throws ShapeError on inconsistent sizes, NumericalError if a covariance is not positive definite.
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const;

  /// n draws (D×n). Draw j takes one uniform to pick the component (inverse CDF of α) and then
  /// D normals z: θ = μ_k + L_k z with L_k L_kᵀ = Σ_k. Deterministic given rng's state.
  Eigen::MatrixXd sample(RandomStream& rng, Eigen::Index n) const;

  /// n draws of q restricted to the box [lo, hi] (D each), by rejection: draws are made in the
  /// order of sample() and those outside the box discarded, until n are kept or max_draws are made.
  /// This is the SNPE-A posterior for a box-uniform prior (correct_mixture with a null prior).
  TruncatedSamples sample_in_box(RandomStream& rng, Eigen::Index n, const Eigen::VectorXd& lo,
                                 const Eigen::VectorXd& hi, std::int64_t max_draws = 10'000'000) const;

  /// Closed-form moments: E θ = Σ α_k μ_k and Cov θ = Σ α_k (Σ_k + μ_k μ_kᵀ) − E θ E θᵀ.
  Eigen::VectorXd mean() const;
  Eigen::MatrixXd covariance() const;
};

/// The SNPE-A correction q(θ)·p(θ)/p̃(θ), renormalised, for a Gaussian proposal
/// p̃ = N(proposal_mean, proposal_cov) and a prior p that is N(*prior_mean, *prior_cov) or, when
/// both pointers are null, box-uniform (precision 0 inside the box; the caller then samples the
/// result truncated to the box with sample_in_box). Per component, with Λ = Σ⁻¹:
///   Λ'_k = Λ_k − Λ_p̃ + Λ_p,   η'_k = Λ_k μ_k − Λ_p̃ μ_p̃ + Λ_p μ_p,   μ'_k = Λ'_k⁻¹ η'_k,
///   log α'_k = log α_k + log Z_k − log Σ_j α_j Z_j,   Z_k = ∫ N(θ;μ_k,Σ_k) p(θ)/p̃(θ) dθ.
/// A proposal that is a truncated Gaussian differs from p̃ by a constant factor on the box, which
/// the renormalisation removes. Throws NumericalError naming the component when Λ'_k is not
/// positive definite (the proposal is narrower than the estimate in some direction), ShapeError
/// on inconsistent sizes.
GaussianMixture correct_mixture(const GaussianMixture& q, const Eigen::VectorXd& proposal_mean,
                                const Eigen::MatrixXd& proposal_cov, const Eigen::VectorXd* prior_mean,
                                const Eigen::MatrixXd* prior_cov);

}  // namespace nsbi
