#pragma once
// Direct sampling of an NPE posterior q(θ | x_o), with rejection of draws outside a bounded
// prior's support (sbi's behaviour: the flow leaks mass outside the box).
//
// Draws are made in blocks whose content depends only on the block number (stream
// (seed, posterior, round, block)); ranks compute blocks in turn and the accepted draws are
// concatenated in block order and cut at n, so the samples are the same for any rank count.
#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <span>

#include "nsbi/mcmc/parallel_chains.hpp"

#include "nsbi/mpi/communicator.hpp"
#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/prior/prior.hpp"

namespace nsbi {

struct PosteriorSamples {
  Eigen::MatrixXd theta;      // D×n
  std::int64_t draws = 0;     // draws made to obtain them
  double acceptance = 1.0;    // fraction of draws inside the prior's support
  bool truncated = false;     // max_draws reached before n samples were accepted
  /// MCMC posteriors: the chains' diagnostics and timings (theta left empty); null otherwise.
  std::shared_ptr<const mcmc::McmcResult> mcmc;
};

struct RejectionOptions {
  std::int64_t samples = 10000;
  std::int64_t max_draws = 10'000'000;
  std::int64_t block = 2000;
  std::uint64_t seed = 1;
  std::uint32_t round = 0;
  /// q models u = T⁻¹(θ), T the prior's bijection to its support: draws are mapped through
  /// T = prior.from_unconstrained before the support check (which then always passes).
  bool unconstrained = false;
};

/// Collective over comm; every rank returns the same samples.
///
/// With several estimators q_1..q_K the posterior is their equal-weight mixture: draw j of a
/// block comes from member j mod K (each member draws block/K with its own stream), so a block
/// is balanced between members and a cut at n keeps the weights equal. Rejection outside the
/// support then gives the truncated mixture.
PosteriorSamples sample_posterior(std::span<nn::ConditionalDensityEstimator<float>* const> q,
                                  const Eigen::VectorXd& x_o, const Prior& prior, const RejectionOptions& options,
                                  const mpi::Communicator& comm);

}  // namespace nsbi
