#pragma once
// Parallel-chain MCMC over MPI ranks (DESIGN.md §1 and §3, "blocks, not ranks").
//
// The target is a posterior known up to a constant through its potential log π(θ) (NLE:
// log q(x_o|θ) + log p(θ); NRE: logit d(θ, x_o) + log p(θ)). Chains run in the prior's
// unconstrained space u = T⁻¹(θ) with log π_u(u) = log π(T(u)) + log|det ∂T/∂u|, so a bounded
// prior never sees a step outside its box; draws are mapped back through T.
//
//   initialisation — "sir": sampling-importance-resampling, sbi's default: `init_candidates`
//                    prior draws, importance weights π(θ)/p(θ), `chains` of them drawn without
//                    replacement in proportion to the weights; "prior": one prior draw per chain
//                    (redrawn, up to 1,000 times, where the potential is not finite);
//   layout         — chains cut into fixed groups of `group_size` (not a function of the rank
//                    count); group g runs on rank g mod P, one batched potential evaluation per
//                    sampler round for all its chains; chain c draws from (seed, mcmc, round, c);
//   output         — each chain runs warmup + ⌈samples/chains⌉·thin steps and keeps every
//                    thin-th state after warm-up; the draws are gathered and ordered draw-major
//                    (draw 0 of chains 0…C−1, then draw 1, …) and cut at `samples`, so a cut
//                    keeps the chains balanced. Byte-identical at any rank count.
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nsbi/mcmc/chain_kernels.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/prior/prior.hpp"

namespace nsbi::mcmc {

/// How far one sampling (one sample_chains call) has come, for checkpoints: the chains' initial
/// positions and the SIR figures, and per group of chains its state between two steps (an
/// opaque, versioned byte string: positions, densities, random streams, counters, the kernel's
/// adaptation and the draws kept so far; "" for a group that has not started). Groups are the
/// units of work, so progress saved at one rank count continues at any other.
struct ChainsProgress {
  std::uint32_t round = 0;
  std::int32_t dim = 0, chains = 0;
  std::vector<double> init_u;          // dim×chains, column-major (unconstrained space)
  double log_normalizer = 0, init_ess = 0;
  std::int64_t init_evaluations = 0;
  std::vector<std::string> groups;     // by group index
  bool finished() const;               // every group has taken its last step
};

/// What a run keeps of its samplings (checkpoints, issue 11), beside its TrainingLedger. Every
/// rank calls it identically: the samplings of a run happen in the same order every time, so the
/// n-th resume() names the n-th sampling.
class ChainsLedger {
 public:
  virtual ~ChainsLedger() = default;
  /// The saved progress of the next sampling, made with `round`, or nullopt to start afresh.
  /// CheckpointError when the saved one does not fit.
  virtual std::optional<ChainsProgress> resume_sampling(std::uint32_t round) = 0;
  /// Whether this rank would like a checkpoint now (its clock only: the chains pause at their
  /// next step and the ranks meet in a collective). Called at every chain step.
  virtual bool checkpoint_due() const = 0;
  /// Collective, the same `progress` on every rank: after a pause, when a signal stops the run
  /// (`stopping`, Interrupted follows) and once when the sampling is done.
  virtual void save_sampling(const ChainsProgress& progress, bool stopping) = 0;
};

struct McmcOptions {
  std::string sampler = "slice";   // "slice" | "mh"
  int chains = 100;
  int warmup = 100;                // steps per chain before draws are kept
  int thin = 10;                   // steps per kept draw
  std::string init = "sir";        // "sir" | "prior"
  std::int64_t init_candidates = 10000;
  int group_size = 50;             // chains per group (a unit of work; ranks take whole groups)
  std::int64_t samples = 10000;
  std::uint64_t seed = 1;
  std::uint32_t round = 0;
  int max_expansions = 100;        // slice: stepping-out budget per coordinate update
  /// Evaluations of the potential at most per call (SIR candidates are evaluated in blocks of
  /// this size; the block content never depends on the rank count).
  std::int64_t evaluation_block = 1000;
  /// The run's checkpoints of samplings; none: nothing is saved and a stop signal discards the
  /// chains.
  ChainsLedger* ledger = nullptr;
};

/// What the run of the chains shows (identical on every rank, timings excepted).
struct McmcResult {
  Eigen::MatrixXd theta;               // D×samples, draw-major (see above)
  int chains = 0, draws_per_chain = 0;
  std::vector<double> rhat, ess_bulk, ess_tail;  // per parameter, over all chains' kept draws
  double max_rhat = 0, min_ess_bulk = 0, min_ess_tail = 0;
  double acceptance = 1.0;             // mh: accepted proposals / steps (slice: 1)
  double expansions_per_update = 0;    // slice: stepping-out expansions per coordinate update
  double evaluations_per_step = 0;     // potential evaluations per chain step
  std::int64_t evaluations = 0;        // all ranks, initialisation included
  /// SIR: log of the mean importance weight, an estimate of log ∫π(θ)dθ (the evidence when π is
  /// likelihood × prior), and the weights' effective sample size. NaN for "prior".
  double log_normalizer = 0, init_ess = 0;
  std::string adaptation;              // the kernel's adaptation summary of group 0
  /// Seconds on this rank: everything, inside the potential, and in initialisation.
  double seconds = 0, density_seconds = 0, init_seconds = 0;
};

/// Throws ConfigError naming the mcmc.* key of the first invalid option.
void validate(const McmcOptions& options);

/// Runs the chains; collective over comm. `potential` is log π(θ) on θ in the prior's support
/// (D×N → N, batched); the prior supplies T, the support and the SIR proposal. A potential that
/// is not finite at every initial candidate is a NumericalError.
McmcResult sample_chains(const LogDensity& potential, const Prior& prior, const McmcOptions& options,
                         const mpi::Communicator& comm);

}  // namespace nsbi::mcmc
