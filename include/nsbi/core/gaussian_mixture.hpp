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
#include <optional>
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
  /// log α_k + log N(θ_n; μ_k, Σ_k): K×N, the terms log_prob sums.
  Eigen::MatrixXd component_log_probs(const Eigen::Ref<const Eigen::MatrixXd>& theta) const;

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

/// exp(½ (θ − c)ᵀ T (θ − c) − b), T positive semi-definite and b at least the largest exponent
/// over a box, so that the factor is at most 1 inside it.
struct QuadraticTilt {
  Eigen::MatrixXd T;
  Eigen::VectorXd c;
  double b = 0;
  /// ½ (θ − c)ᵀ T (θ − c) − b for each column.
  Eigen::VectorXd log_factor(const Eigen::Ref<const Eigen::MatrixXd>& theta) const;
};

/// A Gaussian mixture some of whose components carry a tilt, read inside a box:
///   g(θ) ∝ Σ_k α_k N(θ; μ_k, Σ_k) · a_k(θ),   a_k = the tilt's factor (≤ 1 in the box), or 1.
/// Without tilts it is the mixture itself.
struct TiltedMixture {
  GaussianMixture mixture;
  std::vector<std::optional<QuadraticTilt>> tilts;  // empty, or one entry per component

  bool tilted() const;
  /// log Σ_k α_k N_k(θ) a_k(θ) per column (the mixture's log_prob when not tilted).
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const;
  /// n draws of the mixture (as sample()); when tilted, draw j is then kept with probability
  /// Σ α N a / Σ α N at it (one more uniform each, after the n draws) and a rejected draw is a
  /// column of NaN. Inside the box the kept draws follow g: rejection sampling under the mixture.
  Eigen::MatrixXd candidates(RandomStream& rng, Eigen::Index n) const;
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

/// The same correction for the box-uniform prior on [lo, hi], where a component may be wider than
/// the proposal. Inside the box q_k/p̃ ∝ exp(−½ θᵀΛ'_kθ + θᵀη'_k) is integrable whatever Λ'_k is;
/// where Λ'_k = Σ_i λ_i v_i v_iᵀ is not positive definite, every direction with λ_i < 1/s_i²
/// (s_i = Σ_j |v_ij|·(hi_j − lo_j)/2, the box's half-extent along v_i) is raised to 1/s_i²:
///   T = Σ_i (1/s_i² − λ_i) v_i v_iᵀ,  Λ^e = Λ'_k + T,  η^e = η'_k + T c  (c the box's centre),
/// so that q_k/p̃ ∝ N(θ; Λ^e⁻¹η^e, Λ^e⁻¹) · exp(½ (θ − c)ᵀ T (θ − c)), whose second factor is
/// bounded on the box by exp(½ Σ_i (1/s_i² − λ_i) s_i²). That component is the Gaussian envelope
/// with that QuadraticTilt, its weight carrying the envelope's integral and the bound; components
/// with a positive definite Λ'_k are exactly those of correct_mixture. The result, restricted to
/// the box, is the corrected posterior. Throws ShapeError on inconsistent sizes or a box whose
/// lo ≥ hi somewhere.
TiltedMixture correct_mixture_in_box(const GaussianMixture& q, const Eigen::VectorXd& proposal_mean,
                                     const Eigen::MatrixXd& proposal_cov, const Eigen::VectorXd& lo,
                                     const Eigen::VectorXd& hi);

}  // namespace nsbi
