#pragma once
// The slcp likelihood (TASKS.md §3), shared by slcp and slcp_distractors: four iid points
// z_k ~ N(m, Σ) in R², m = (θ1, θ2), s1 = θ3², s2 = θ4², ρ = tanh θ5,
// Σ = [[s1², ρ·s1·s2], [ρ·s1·s2, s2²]] + 1e-6·I.
#include <Eigen/Core>
#include <memory>

#include "nsbi/core/random.hpp"
#include "nsbi/prior/prior.hpp"

namespace nsbi {

/// x (length 8) = (z_1, …, z_4) for θ (length 5); draws exactly 8 normals from `rng`.
void simulate_slcp(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x);
/// The slcp prior, U([−3, 3]⁵).
std::unique_ptr<Prior> slcp_prior();

}  // namespace nsbi
