#pragma once
// Posteriors known up to a constant through a potential, sampled by parallel-chain MCMC
// (NLE: log q(x|θ) + log p(θ); NRE: log r(θ, x) + log p(θ)), and the proposal of sequential
// NLE/NRE rounds made from their samples.
#include <functional>
#include <memory>
#include <optional>

#include "nsbi/config/run_config.hpp"
#include "nsbi/inference/posterior.hpp"
#include "nsbi/inference/proposal.hpp"
#include "nsbi/mcmc/parallel_chains.hpp"

namespace nsbi {

/// The [mcmc] table as sampler options (samples, seed and round are set per call), saving its
/// progress to `ledger` when given (a run's checkpoints).
mcmc::McmcOptions mcmc_options(const RunConfig& config, mcmc::ChainsLedger* ledger = nullptr);

class PotentialPosterior final : public Posterior {
 public:
  /// The potential at observation x: a batched log π(θ | x) up to a constant, −inf outside the
  /// prior's support. Called once per sample()/log_prob() call; it may keep buffers.
  using PotentialAt = std::function<mcmc::LogDensity(const Eigen::VectorXd& x)>;

  PotentialPosterior(const Prior& prior, PotentialAt potential, mcmc::McmcOptions options, std::string what)
      : prior_(prior), potential_(std::move(potential)), options_(std::move(options)), what_(std::move(what)) {}
  int dim() const override { return prior_.dim(); }
  std::string describe() const override { return what_ + ", sampled by " + options_.sampler + " MCMC"; }
  /// Collective: the chains of mcmc_options spread over comm's ranks; the result carries the
  /// chains' diagnostics.
  PosteriorSamples sample(const Eigen::VectorXd& x, const PosteriorSampleOptions& options,
                          const mpi::Communicator& comm) const override;
  /// The potential (unnormalised log posterior).
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta, const Eigen::VectorXd& x) const override;
  /// The chains' run behind the last sample() (theta left empty).
  const mcmc::McmcResult& last_run() const { return last_; }
  const mcmc::McmcOptions& options() const { return options_; }
  /// The same potential sampled with other options (benchmarks, a resampling with more chains).
  PotentialPosterior with_options(mcmc::McmcOptions options) const {
    return PotentialPosterior(prior_, potential_, std::move(options), what_);
  }
  const Prior& prior() const { return prior_; }

 private:
  const Prior& prior_;
  PotentialAt potential_;
  mcmc::McmcOptions options_;
  std::string what_;
  mutable mcmc::McmcResult last_;
};

/// The proposal of a sequential round from MCMC samples of the posterior at x_o: a pool of
/// `draws` + `reserve` samples drawn once, at construction (collective). Draw i of the proposal
/// stream is pool column i; draw k of the resample stream (replacements for failed simulations)
/// is column draws + (k mod reserve). log_prob is the potential minus the SIR estimate of its
/// log normaliser (mcmc.init = "sir"; unnormalised with "prior").
class SampledProposal final : public Proposal {
 public:
  SampledProposal(const PotentialPosterior& posterior, const Eigen::VectorXd& x_o, std::uint64_t seed,
                  std::uint32_t round, std::int64_t draws, const mpi::Communicator& comm);
  int dim() const override { return posterior_.dim(); }
  std::string describe() const override { return "MCMC samples of " + posterior_.describe(); }
  Eigen::MatrixXd sample(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t first,
                         Eigen::Index n) const override;
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd lower() const override { return lower_; }
  Eigen::VectorXd upper() const override { return upper_; }
  const mcmc::McmcResult& chains() const { return run_; }

 private:
  const PotentialPosterior& posterior_;
  Eigen::VectorXd x_o_, lower_, upper_;
  std::uint64_t seed_;
  std::uint32_t round_;
  std::int64_t draws_, reserve_;
  Eigen::MatrixXd pool_;
  mcmc::McmcResult run_;
  double log_z_ = 0;
};

struct MethodContext;
/// The SampledProposal of round `next` for a sequential MCMC method (its budget from the
/// configuration), with the chains' diagnostics in the log. Collective.
std::unique_ptr<SampledProposal> make_sampled_proposal(const PotentialPosterior& posterior, const MethodContext& ctx,
                                                       std::uint32_t next);

}  // namespace nsbi
