#pragma once
// Convergence diagnostics of MCMC draws (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021,
// "Rank-normalization, folding, and localization: an improved R̂ for assessing convergence of
// MCMC", Bayesian Analysis 16(2)), computed as ArviZ does (rhat method "rank", ess methods
// "bulk" and "tail"):
//   split      — every chain cut into its first and second half (the middle draw of an odd
//                length dropped), so a drift inside a chain shows up as disagreement;
//   rank-normalised z = Φ⁻¹((r − 3/8)/(S + 1/4)), r the average rank among all S draws;
//   R̂          = max(R̂(z), R̂(z of |x − median|)), R̂ = √(var⁺/W) with var⁺ = (n−1)/n·W + B/n;
//   ESS        = C·n/τ̂, τ̂ = −1 + 2Σρ̂ with Geyer's initial monotone sequence on the
//                multi-chain autocorrelations ρ̂_t = 1 − (W − mean_c acov_c(t))/var⁺;
//   bulk ESS   = ESS of the rank-normalised split chains;
//   tail ESS   = min(ESS(1[x ≤ q₀.₀₅]), ESS(1[x ≤ q₀.₉₅])) on the split chains.
#include <Eigen/Core>

namespace nsbi::mcmc {

/// draws: n×C, column c = chain c in draw order (n ≥ 4, C ≥ 1).
double split_rhat(const Eigen::Ref<const Eigen::MatrixXd>& draws);
double ess_bulk(const Eigen::Ref<const Eigen::MatrixXd>& draws);
double ess_tail(const Eigen::Ref<const Eigen::MatrixXd>& draws);
/// The plain multi-chain ESS of draws (no splitting, no rank normalisation).
double ess(const Eigen::Ref<const Eigen::MatrixXd>& draws);

}  // namespace nsbi::mcmc
