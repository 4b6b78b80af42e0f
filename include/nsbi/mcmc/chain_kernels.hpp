#pragma once
// Markov-chain kernels that advance a group of chains together (DESIGN.md §1: MCMC for NLE/NRE).
//
// A kernel sees only a batched LogDensity of the chains' state, never a network: every call
// evaluates the density once for a batch of columns (the chains of a group that still need a
// value), so a network is run on a matrix, not on one θ at a time. Chain c owns RandomStream
// (seed, mcmc, round, c) and its own adaptation state; nothing a chain does depends on the other
// chains of its group, so the draws of a chain are the same whichever group or rank runs it — as
// long as the density of a column does not depend on the batch it is evaluated in. (A network's
// matrix product can round differently at different batch widths; the driver therefore keeps the
// groups fixed, parallel_chains.hpp.)
//
//   slice — axis-aligned slice sampling (Neal 2003, §4 with the stepping-out procedure of fig. 3
//           and the shrinkage of fig. 5): one sweep per step over the coordinates in an order
//           drawn per chain and step; interval widths adapted per chain and coordinate during
//           warm-up to the running mean of the final (shrunk) interval, then frozen.
//   mh    — random-walk Metropolis–Hastings with a Gaussian proposal N(u, s²Σ): during warm-up
//           Σ is the chain's own running covariance (after a quarter of the warm-up, Haario et
//           al. 2001) and log s follows a Robbins–Monro recursion to acceptance 0.234; both
//           frozen afterwards, so the kept draws come from one fixed, reversible kernel.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nsbi/core/random.hpp"

namespace nsbi::mcmc {

/// log π(u) for each column of u (D×N) → out (N); −inf (or NaN, read as −inf) where π is zero.
using LogDensity = std::function<void(const Eigen::Ref<const Eigen::MatrixXd>& u, Eigen::Ref<Eigen::VectorXd> out)>;

/// The state of a group of G chains.
struct ChainGroup {
  std::vector<std::uint64_t> chain;  // global chain numbers
  Eigen::MatrixXd u;                 // D×G positions
  Eigen::VectorXd log_density;       // G values at u (finite)
  std::vector<RandomStream> rng;     // one stream per chain
  /// Counters since the group was made (per chain): density evaluations, and for slice the
  /// stepping-out expansions, for mh the accepted proposals; steps taken.
  std::vector<std::int64_t> evaluations, expansions, accepted;
  std::int64_t steps = 0;
  int dim() const { return static_cast<int>(u.rows()); }
  int size() const { return static_cast<int>(u.cols()); }
};

struct KernelOptions {
  /// slice: the initial interval width per coordinate (D), the same for every chain.
  Eigen::VectorXd initial_width;
  /// slice: at most this many expansions of the interval per coordinate update (Neal's m).
  int max_expansions = 100;
  /// slice: shrinkage steps before a coordinate update gives up (a density that is not finite at
  /// the current point can cause this); a NumericalError names the chain.
  int max_shrinks = 200;
  /// mh: the initial proposal covariance Σ (D×D, positive definite) and scale s.
  Eigen::MatrixXd initial_covariance;
  double initial_scale = 0;  // 0: 2.38/√D
};

class ChainKernel {
 public:
  virtual ~ChainKernel() = default;
  virtual std::string name() const = 0;
  /// Prepares per-chain state for `group` (call once, before the first step).
  virtual void attach(const ChainGroup& group) = 0;
  /// One step of every chain of the group. `warmup_step` ≥ 0: a warm-up step (adaptation on),
  /// its index; −1: a sampling step (the kernel is fixed).
  virtual void step(ChainGroup& group, const LogDensity& density, int warmup_step) = 0;
  /// A one-line summary of the adaptation after warm-up (widths, scales) for the log.
  virtual std::string adaptation_summary() const = 0;
  /// The kernel's per-chain state between two steps (adapted widths, proposal covariances and
  /// scales, running moments), for checkpoints: load_state() after attach() on the same group
  /// continues the chains exactly as if they had never stopped. load_state() throws
  /// CheckpointError when the values do not fit the group.
  virtual std::vector<double> save_state() const = 0;
  virtual void load_state(const std::vector<double>& state) = 0;
};

/// "slice" or "mh"; ConfigError naming mcmc.sampler otherwise.
std::unique_ptr<ChainKernel> make_chain_kernel(const std::string& sampler, const KernelOptions& options,
                                               int warmup_steps);
/// The sampler names make_chain_kernel accepts.
const std::vector<std::string>& chain_kernel_names();

}  // namespace nsbi::mcmc
