#include "nsbi/mcmc/parallel_chains.hpp"

#include <mpi.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/core/interrupt.hpp"
#include "nsbi/mcmc/convergence.hpp"

namespace nsbi::mcmc {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

/// The potential in unconstrained space, counting its evaluations and the time spent in it.
class UnconstrainedPotential {
 public:
  UnconstrainedPotential(const LogDensity& potential, const Prior& prior) : potential_(potential), prior_(prior) {}

  void operator()(const Eigen::Ref<const Eigen::MatrixXd>& u, Eigen::Ref<Eigen::VectorXd> out) {
    const double t0 = MPI_Wtime();
    theta_ = prior_.from_unconstrained(u);
    potential_(theta_, out);
    out += prior_.log_abs_det_jacobian(u);
    for (Eigen::Index i = 0; i < out.size(); ++i)
      if (std::isnan(out(i))) out(i) = kNegInf;
    evaluations += u.cols();
    seconds += MPI_Wtime() - t0;
  }
  /// The potential itself on θ (SIR candidates), counted and timed the same way.
  void on_theta(const Eigen::Ref<const Eigen::MatrixXd>& theta, Eigen::Ref<Eigen::VectorXd> out) {
    const double t0 = MPI_Wtime();
    potential_(theta, out);
    evaluations += theta.cols();
    seconds += MPI_Wtime() - t0;
  }

  std::int64_t evaluations = 0;
  double seconds = 0;

 private:
  const LogDensity& potential_;
  const Prior& prior_;
  Eigen::MatrixXd theta_;
};

struct Initialisation {
  Eigen::MatrixXd u;  // D×C
  double log_normalizer = std::numeric_limits<double>::quiet_NaN();
  double ess = std::numeric_limits<double>::quiet_NaN();
};

/// Sampling-importance-resampling from the prior: candidates in fixed blocks, block b on rank
/// b mod P; the selection is drawn from one stream on every rank.
Initialisation init_sir(UnconstrainedPotential& pot, const Prior& prior, const McmcOptions& o,
                        const mpi::Communicator& comm) {
  const int P = comm.size(), r = comm.rank();
  const std::int64_t N = o.init_candidates, B = o.evaluation_block;
  const Eigen::MatrixXd cand = prior.sample(o.seed, StreamId::mcmc_init, o.round, 0, N);
  const std::int64_t blocks = (N + B - 1) / B;
  std::vector<double> mine;
  Eigen::VectorXd v;
  for (std::int64_t b = r; b < blocks; b += P) {
    const std::int64_t first = b * B, n = std::min(B, N - first);
    v.resize(n);
    pot.on_theta(cand.middleCols(first, n), v);
    mine.insert(mine.end(), v.data(), v.data() + n);
  }
  std::vector<int> counts;
  const std::vector<double> all = comm.allgather_blocks<double>(mine, &counts);
  Eigen::VectorXd log_w(N);
  {
    std::vector<std::size_t> offset(static_cast<std::size_t>(P), 0);
    for (int p = 1; p < P; ++p) offset[p] = offset[p - 1] + static_cast<std::size_t>(counts[p - 1]);
    for (std::int64_t b = 0; b < blocks; ++b) {
      const auto p = static_cast<std::size_t>(b % P);
      const std::int64_t first = b * B, n = std::min(B, N - first);
      for (std::int64_t i = 0; i < n; ++i) log_w(first + i) = all[offset[p]++];
    }
  }
  log_w -= prior.log_prob(cand);
  std::int64_t finite = 0;
  for (std::int64_t i = 0; i < N; ++i) {
    if (!std::isfinite(log_w(i))) log_w(i) = kNegInf;
    else ++finite;
  }
  if (finite == 0)
    throw NumericalError(make_message("mcmc initialisation", "a finite potential at some of the " +
                                      std::to_string(N) + " candidates (mcmc.init_candidates)",
                                      "at least one", "NaN or −inf at every candidate"));
  if (finite < o.chains)
    throw NumericalError(make_message("mcmc initialisation", "candidates with a finite potential",
                                      "at least mcmc.chains = " + std::to_string(o.chains),
                                      std::to_string(finite) + " of " + std::to_string(N)));
  const double mx = log_w.maxCoeff();
  Eigen::VectorXd w = (log_w.array() - mx).exp();
  Initialisation out;
  const double sum = w.sum();
  out.log_normalizer = mx + std::log(sum / static_cast<double>(N));
  out.ess = sum * sum / w.squaredNorm();
  // Draw `chains` distinct candidates, each in proportion to its weight among those left; once
  // the weights left have underflowed to zero, the largest log weights left, in order.
  RandomStream rng(o.seed, StreamId::mcmc_init, o.round, static_cast<std::uint64_t>(N));
  double left = sum;
  std::vector<char> taken(static_cast<std::size_t>(N), 0);
  Eigen::MatrixXd chosen(prior.dim(), o.chains);
  for (int c = 0; c < o.chains; ++c) {
    std::int64_t pick = -1;
    if (left > 0) {
      const double target = rng.uniform() * left;
      double acc = 0;
      for (std::int64_t i = 0; i < N; ++i) {
        if (taken[i] || w(i) <= 0) continue;
        acc += w(i);
        pick = i;
        if (acc > target) break;
      }
    }
    if (pick < 0) {
      for (std::int64_t i = 0; i < N; ++i)
        if (!taken[i] && std::isfinite(log_w(i)) && (pick < 0 || log_w(i) > log_w(pick))) pick = i;
    }
    taken[pick] = 1;
    left = std::max(0.0, left - w(pick));
    chosen.col(c) = cand.col(pick);
  }
  out.u = prior.to_unconstrained(chosen);
  return out;
}

/// One prior draw per chain, redrawn where the potential is not finite (the same on every rank).
Initialisation init_prior(UnconstrainedPotential& pot, const Prior& prior, const McmcOptions& o) {
  constexpr int kTries = 1000;
  const int D = prior.dim();
  Initialisation out;
  Eigen::MatrixXd theta(D, o.chains);
  std::vector<RandomStream> rng;
  for (int c = 0; c < o.chains; ++c) rng.emplace_back(o.seed, StreamId::mcmc_init, o.round, c);
  std::vector<int> pending(static_cast<std::size_t>(o.chains));
  for (int c = 0; c < o.chains; ++c) pending[c] = c;
  Eigen::MatrixXd batch;
  Eigen::VectorXd v;
  for (int attempt = 0; !pending.empty(); ++attempt) {
    if (attempt == kTries)
      throw NumericalError(make_message("mcmc initialisation (mcmc.init = \"prior\")",
                                        "a prior draw with a finite potential for chain " + std::to_string(pending[0]),
                                        "within " + std::to_string(kTries) + " draws", "NaN or −inf at every draw"));
    batch.resize(D, static_cast<Eigen::Index>(pending.size()));
    Eigen::VectorXd one(D);
    for (std::size_t j = 0; j < pending.size(); ++j) {
      prior.sample(rng[pending[j]], one);
      batch.col(static_cast<Eigen::Index>(j)) = one;
    }
    v.resize(batch.cols());
    pot.on_theta(batch, v);
    std::vector<int> still;
    for (std::size_t j = 0; j < pending.size(); ++j) {
      if (std::isfinite(v(static_cast<Eigen::Index>(j)))) theta.col(pending[j]) = batch.col(static_cast<Eigen::Index>(j));
      else still.push_back(pending[j]);
    }
    pending.swap(still);
  }
  out.u = prior.to_unconstrained(theta);
  return out;
}

}  // namespace

void validate(const McmcOptions& o) {
  auto bad = [](const std::string& key, const std::string& expected, const std::string& got) {
    throw ConfigError(make_message(key, "value", expected, got));
  };
  if (std::find(chain_kernel_names().begin(), chain_kernel_names().end(), o.sampler) == chain_kernel_names().end())
    bad("mcmc.sampler", "\"slice\" or \"mh\"", "\"" + o.sampler + "\"");
  if (o.chains < 1) bad("mcmc.chains", "an integer >= 1", std::to_string(o.chains));
  if (o.warmup < 0) bad("mcmc.warmup", "an integer >= 0", std::to_string(o.warmup));
  if (o.thin < 1) bad("mcmc.thin", "an integer >= 1", std::to_string(o.thin));
  if (o.init != "sir" && o.init != "prior") bad("mcmc.init", "\"sir\" or \"prior\"", "\"" + o.init + "\"");
  if (o.init == "sir" && o.init_candidates < o.chains)
    bad("mcmc.init_candidates", "at least mcmc.chains = " + std::to_string(o.chains), std::to_string(o.init_candidates));
  if (o.group_size < 1) bad("mcmc.group_size", "an integer >= 1", std::to_string(o.group_size));
  if (o.samples < 1) bad("posterior.samples", "an integer >= 1", std::to_string(o.samples));
  if (o.max_expansions < 1) bad("mcmc.max_expansions", "an integer >= 1", std::to_string(o.max_expansions));
  if (o.evaluation_block < 1) bad("mcmc.evaluation_block", "an integer >= 1", std::to_string(o.evaluation_block));
}

McmcResult sample_chains(const LogDensity& potential, const Prior& prior, const McmcOptions& o,
                         const mpi::Communicator& comm) {
  validate(o);
  const double t_start = MPI_Wtime();
  const int D = prior.dim(), C = o.chains, P = comm.size(), r = comm.rank();
  UnconstrainedPotential pot(potential, prior);

  // Initial positions of every chain, identical on every rank.
  const Initialisation init = o.init == "sir" ? init_sir(pot, prior, o, comm) : init_prior(pot, prior, o);
  if (!init.u.allFinite())
    throw NumericalError(make_message("mcmc initialisation", "initial positions inside the prior's support",
                                      "finite unconstrained values", "a position on the support's boundary"));
  McmcResult res;
  res.init_seconds = MPI_Wtime() - t_start;
  res.log_normalizer = init.log_normalizer;
  res.init_ess = init.ess;

  // The kernel's starting scales from the spread of the initial positions (unconstrained).
  KernelOptions ko;
  ko.max_expansions = o.max_expansions;
  const Eigen::VectorXd mean = init.u.rowwise().mean();
  const Eigen::MatrixXd centred = init.u.colwise() - mean;
  Eigen::MatrixXd cov = C > 1 ? Eigen::MatrixXd(centred * centred.transpose() / (C - 1.0)) : Eigen::MatrixXd::Identity(D, D);
  ko.initial_width = cov.diagonal().cwiseSqrt();
  for (Eigen::Index d = 0; d < D; ++d)
    if (!(ko.initial_width(d) > 1e-8) || !std::isfinite(ko.initial_width(d))) ko.initial_width(d) = 1.0;
  cov.diagonal().array() += 1e-8 * ko.initial_width.array().square();
  if (Eigen::LLT<Eigen::MatrixXd>(cov).info() != Eigen::Success)
    cov = ko.initial_width.array().square().matrix().asDiagonal();
  ko.initial_covariance = cov;

  const int draws = static_cast<int>((o.samples + C - 1) / C);
  res.chains = C;
  res.draws_per_chain = draws;
  const int groups = (C + o.group_size - 1) / o.group_size;
  std::vector<double> mine, mine_stats;  // per chain of my groups: draws×D; evaluations, expansions, accepted
  std::string adaptation;
  for (int g = r; g < groups && !interrupt_requested(); g += P) {
    ChainGroup group;
    const int first = g * o.group_size, n = std::min(o.group_size, C - first);
    group.u = init.u.middleCols(first, n);
    for (int c = 0; c < n; ++c) {
      group.chain.push_back(static_cast<std::uint64_t>(first + c));
      group.rng.emplace_back(o.seed, StreamId::mcmc, o.round, static_cast<std::uint64_t>(first + c));
    }
    group.evaluations.assign(static_cast<std::size_t>(n), 0);
    group.expansions.assign(static_cast<std::size_t>(n), 0);
    group.accepted.assign(static_cast<std::size_t>(n), 0);
    group.log_density.resize(n);
    pot(group.u, group.log_density);
    for (int c = 0; c < n; ++c)
      if (!std::isfinite(group.log_density(c)))
        throw NumericalError(make_message("mcmc chain " + std::to_string(first + c), "a finite potential at its start",
                                          "a finite value", num(group.log_density(c))));
    const LogDensity density = [&pot](const Eigen::Ref<const Eigen::MatrixXd>& u, Eigen::Ref<Eigen::VectorXd> out) {
      pot(u, out);
    };
    auto kernel = make_chain_kernel(o.sampler, ko, o.warmup);
    kernel->attach(group);
    for (int t = 0; t < o.warmup && !interrupt_requested(); ++t) kernel->step(group, density, t);
    if (g == 0) adaptation = kernel->adaptation_summary();
    std::vector<double> kept(static_cast<std::size_t>(n) * draws * D);
    for (int k = 0; k < draws && !interrupt_requested(); ++k) {
      for (int s = 0; s < o.thin; ++s) kernel->step(group, density, -1);
      const Eigen::MatrixXd theta = prior.from_unconstrained(group.u);
      for (int c = 0; c < n; ++c)
        std::copy(theta.col(c).data(), theta.col(c).data() + D,
                  kept.begin() + (static_cast<std::ptrdiff_t>(c) * draws + k) * D);
    }
    mine.insert(mine.end(), kept.begin(), kept.end());
    for (int c = 0; c < n; ++c) {
      mine_stats.push_back(static_cast<double>(group.evaluations[c]));
      mine_stats.push_back(static_cast<double>(group.expansions[c]));
      mine_stats.push_back(static_cast<double>(group.accepted[c]));
    }
  }
  // A stop signal ends every rank's chains at their next step; the draws are discarded.
  if (agree_interrupt(comm)) throw Interrupted("stopped by a signal during MCMC");
  comm.broadcast(adaptation);
  res.adaptation = adaptation;

  // Gather in rank order, then put every chain in its place: rank p holds groups p, p + P, ….
  std::vector<int> counts;
  const std::vector<double> all = comm.allgather_blocks<double>(mine, &counts);
  const std::vector<double> stats = comm.allgather_blocks<double>(mine_stats);
  std::vector<std::size_t> at(static_cast<std::size_t>(P), 0), at_stats(static_cast<std::size_t>(P), 0);
  for (int p = 1; p < P; ++p) {
    at[p] = at[p - 1] + static_cast<std::size_t>(counts[p - 1]);
    // stats blocks: 3 values per chain of rank p−1's groups
    std::size_t chains_prev = static_cast<std::size_t>(counts[p - 1]) / (static_cast<std::size_t>(draws) * D);
    at_stats[p] = at_stats[p - 1] + 3 * chains_prev;
  }
  std::vector<double> chain_draws(static_cast<std::size_t>(C) * draws * D);  // chain-major
  double evaluations = 0, expansions = 0, accepted = 0;
  for (int g = 0; g < groups; ++g) {
    const auto p = static_cast<std::size_t>(g % P);
    const int first = g * o.group_size, n = std::min(o.group_size, C - first);
    const std::size_t len = static_cast<std::size_t>(n) * draws * D;
    std::copy(all.begin() + static_cast<std::ptrdiff_t>(at[p]), all.begin() + static_cast<std::ptrdiff_t>(at[p] + len),
              chain_draws.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(first) * draws * D));
    at[p] += len;
    for (int c = 0; c < n; ++c) {
      evaluations += stats[at_stats[p]++];
      expansions += stats[at_stats[p]++];
      accepted += stats[at_stats[p]++];
    }
  }
  // Draw-major output, cut at `samples`.
  const std::int64_t total = std::min<std::int64_t>(o.samples, static_cast<std::int64_t>(C) * draws);
  res.theta.resize(D, total);
  for (std::int64_t j = 0; j < total; ++j) {
    const std::int64_t k = j / C, c = j % C;
    res.theta.col(j) = Eigen::Map<const Eigen::VectorXd>(chain_draws.data() + (c * draws + k) * D, D);
  }
  const double steps = static_cast<double>(C) * (o.warmup + static_cast<double>(draws) * o.thin);
  res.evaluations_per_step = evaluations / steps;
  res.expansions_per_update = o.sampler == "slice" ? expansions / (steps * D) : 0.0;
  res.acceptance = o.sampler == "mh" ? accepted / steps : 1.0;
  res.evaluations = comm.allreduce<std::int64_t>(pot.evaluations, mpi::Op::sum);

  // Convergence per parameter over every chain's kept draws.
  res.rhat.assign(static_cast<std::size_t>(D), std::numeric_limits<double>::quiet_NaN());
  res.ess_bulk = res.rhat;
  res.ess_tail = res.rhat;
  if (draws >= 4) {
    Eigen::MatrixXd x(draws, C);
    for (int d = 0; d < D; ++d) {
      for (int c = 0; c < C; ++c)
        for (int k = 0; k < draws; ++k) x(k, c) = chain_draws[(static_cast<std::size_t>(c) * draws + k) * D + d];
      res.rhat[d] = split_rhat(x);
      res.ess_bulk[d] = ess_bulk(x);
      res.ess_tail[d] = ess_tail(x);
    }
  }
  auto extreme = [](const std::vector<double>& v, bool max) {
    double e = std::numeric_limits<double>::quiet_NaN();
    for (double x : v)
      if (!std::isnan(x) && (std::isnan(e) || (max ? x > e : x < e))) e = x;
    return e;
  };
  res.max_rhat = extreme(res.rhat, true);
  res.min_ess_bulk = extreme(res.ess_bulk, false);
  res.min_ess_tail = extreme(res.ess_tail, false);
  res.density_seconds = pot.seconds;
  res.seconds = MPI_Wtime() - t_start;
  return res;
}

}  // namespace nsbi::mcmc
