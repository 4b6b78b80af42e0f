#include "nsbi/inference/potential_posterior.hpp"

#include <cmath>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/inference_method.hpp"

namespace nsbi {

mcmc::McmcOptions mcmc_options(const RunConfig& c, mcmc::ChainsLedger* ledger) {
  mcmc::McmcOptions o;
  o.ledger = ledger;
  o.sampler = c.mcmc.sampler;
  o.chains = c.mcmc.chains;
  o.warmup = c.mcmc.warmup;
  o.thin = c.mcmc.thin;
  o.init = c.mcmc.init;
  o.init_candidates = c.mcmc.init_candidates;
  o.group_size = c.mcmc.group_size;
  o.max_expansions = c.mcmc.max_expansions;
  o.samples = c.posterior.samples;
  o.seed = c.seed;
  return o;
}

PosteriorSamples PotentialPosterior::sample(const Eigen::VectorXd& x, const PosteriorSampleOptions& so,
                                            const mpi::Communicator& comm) const {
  mcmc::McmcOptions o = options_;
  o.samples = so.samples;
  o.seed = so.seed;
  o.round = so.round;
  mcmc::McmcResult r = mcmc::sample_chains(potential_(x), prior_, o, comm);
  PosteriorSamples out;
  out.theta = std::move(r.theta);
  r.theta.resize(0, 0);
  out.draws = r.evaluations;
  out.acceptance = 1.0;  // every draw lies inside the support (chains in unconstrained space)
  last_ = r;
  out.mcmc = std::make_shared<const mcmc::McmcResult>(std::move(r));
  return out;
}

Eigen::VectorXd PotentialPosterior::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta,
                                             const Eigen::VectorXd& x) const {
  Eigen::VectorXd out(theta.cols());
  potential_(x)(theta, out);
  return out;
}

SampledProposal::SampledProposal(const PotentialPosterior& posterior, const Eigen::VectorXd& x_o, std::uint64_t seed,
                                 std::uint32_t round, std::int64_t draws, const mpi::Communicator& comm)
    : posterior_(posterior), x_o_(x_o), seed_(seed), round_(round), draws_(draws) {
  // A reserve of a tenth for replacements of failed simulations (cycled when exhausted: a θ used
  // twice is simulated with two different seeds).
  reserve_ = std::max<std::int64_t>(1, (draws + 9) / 10);
  PosteriorSampleOptions so;
  so.samples = draws + reserve_;
  so.seed = seed;
  so.round = round;
  PosteriorSamples s = posterior.sample(x_o, so, comm);
  pool_ = std::move(s.theta);
  run_ = *s.mcmc;
  log_z_ = std::isfinite(run_.log_normalizer) ? run_.log_normalizer : 0.0;
  // The support of the posterior is the prior's.
  lower_ = posterior.prior().lower();
  upper_ = posterior.prior().upper();
}

Eigen::MatrixXd SampledProposal::sample(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t first,
                                        Eigen::Index n) const {
  if (seed != seed_ || round != round_ || (stream != StreamId::proposal && stream != StreamId::resample))
    throw std::logic_error("SampledProposal: drawn for seed " + std::to_string(seed_) + ", round " +
                           std::to_string(round_) + " (proposal and resample streams) only");
  Eigen::MatrixXd out(pool_.rows(), n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const std::uint64_t i = first + static_cast<std::uint64_t>(j);
    if (stream == StreamId::proposal) {
      if (i >= static_cast<std::uint64_t>(draws_))
        throw std::logic_error("SampledProposal: draw " + std::to_string(i) + " beyond the " + std::to_string(draws_) +
                               " drawn for this round");
      out.col(j) = pool_.col(static_cast<Eigen::Index>(i));
    } else {
      out.col(j) = pool_.col(static_cast<Eigen::Index>(draws_ + static_cast<std::int64_t>(i % reserve_)));
    }
  }
  return out;
}

Eigen::VectorXd SampledProposal::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  return (posterior_.log_prob(theta, x_o_).array() - log_z_).matrix();
}

std::unique_ptr<SampledProposal> make_sampled_proposal(const PotentialPosterior& posterior, const MethodContext& ctx,
                                                       std::uint32_t next) {
  auto p = std::make_unique<SampledProposal>(posterior, ctx.x_o, ctx.config.seed, next,
                                             ctx.config.round_simulations(static_cast<int>(next)), ctx.comm);
  const mcmc::McmcResult& r = p->chains();
  char b[160];
  std::snprintf(b, sizeof b, "round %u proposal: %d chains, max R̂ %.4f, min bulk ESS %.0f, %.2f s", next + 1, r.chains,
                r.max_rhat, r.min_ess_bulk, r.seconds);
  ctx.log.info(b);
  return p;
}

}  // namespace nsbi
