#include "nsbi/mcmc/parallel_chains.hpp"

#include <mpi.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

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
  std::vector<std::int64_t> counts;
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


/// What every group of a sampling shares: dimension, kept draws per chain, steps per chain
/// (warm-up included), warm-up steps and thinning.
struct GroupShape {
  int D, draws;
  std::int64_t T;
  int warmup, thin;
};

/// A group of chains between two steps, with the kernel's state and the draws kept so far
/// (n×draws×D, chain-major; draw k of chain c at (c·draws + k)·D).
struct GroupRun {
  ChainGroup group;
  std::vector<double> kernel;
  std::vector<double> kept;
};

static_assert(std::is_trivially_copyable_v<RandomStream>, "a chain's stream is saved as its bytes");
constexpr std::uint32_t kGroupFormat = 0x4E4D4301;  // "NMC" 1

/// A group's state as bytes: format, first chain, chains, D, steps taken, steps in all, the
/// numbers of kept and kernel values, then the
/// positions, densities, streams, counters, kernel state and kept draws.
std::string encode_group(const GroupRun& run, std::int64_t T) {
  std::string out;
  auto put = [&out](const void* p, std::size_t bytes) { out.append(static_cast<const char*>(p), bytes); };
  auto put64 = [&put](std::int64_t v) { put(&v, 8); };
  const ChainGroup& g = run.group;
  const std::uint32_t format = kGroupFormat;
  put(&format, 4);
  put64(static_cast<std::int64_t>(g.chain.empty() ? 0 : g.chain.front()));
  put64(g.size());
  put64(g.dim());
  put64(g.steps);
  put64(T);
  put64(static_cast<std::int64_t>(run.kept.size()));
  put64(static_cast<std::int64_t>(run.kernel.size()));
  put(g.u.data(), sizeof(double) * static_cast<std::size_t>(g.u.size()));
  put(g.log_density.data(), sizeof(double) * static_cast<std::size_t>(g.log_density.size()));
  put(g.rng.data(), sizeof(RandomStream) * g.rng.size());
  put(g.evaluations.data(), 8 * g.evaluations.size());
  put(g.expansions.data(), 8 * g.expansions.size());
  put(g.accepted.data(), 8 * g.accepted.size());
  put(run.kernel.data(), sizeof(double) * run.kernel.size());
  put(run.kept.data(), sizeof(double) * run.kept.size());
  return out;
}

/// The fixed-size header encode_group writes first.
struct GroupHeader {
  std::int64_t first_chain = 0, chains = 0, dim = 0, steps = 0, total = 0, kept = 0, kernel = 0;
};
constexpr std::size_t kGroupHeaderBytes = 4 + 7 * 8;

/// The header of a group's bytes; nullopt when they are too short or of another format.
std::optional<GroupHeader> read_header(const std::string& b) {
  if (b.size() < kGroupHeaderBytes) return std::nullopt;
  std::uint32_t format = 0;
  std::memcpy(&format, b.data(), 4);
  if (format != kGroupFormat) return std::nullopt;
  GroupHeader h;
  std::int64_t* fields[] = {&h.first_chain, &h.chains, &h.dim, &h.steps, &h.total, &h.kept, &h.kernel};
  for (std::size_t i = 0; i < 7; ++i) std::memcpy(fields[i], b.data() + 4 + 8 * i, 8);
  return h;
}

/// Group g (chains first … first + n − 1) from its bytes; CheckpointError when they are not
/// the state of that group in a sampling of this shape.
GroupRun decode_group(const std::string& b, int g, int first, int n, const GroupShape& s) {
  const auto bad = [g](const std::string& expected, const std::string& got) {
    return CheckpointError(make_message("mcmc checkpoint, chain group " + std::to_string(g), "state", expected, got));
  };
  const std::optional<GroupHeader> h = read_header(b);
  if (!h) throw bad("format " + std::to_string(kGroupFormat) + " and a complete header", "other bytes");
  const auto [first_chain, chains, dim, steps, total, kept, kernel] = *h;
  std::size_t at = kGroupHeaderBytes;
  auto take = [&](void* p, std::size_t bytes) {
    if (b.size() - at < bytes) throw bad("a complete state", "one cut short");
    std::memcpy(p, b.data() + at, bytes);
    at += bytes;
  };
  if (first_chain != first || chains != n || dim != s.D)
    throw bad("chains " + std::to_string(first) + "+" + std::to_string(n) + " in " + std::to_string(s.D) + " dimensions",
              "chains " + std::to_string(first_chain) + "+" + std::to_string(chains) + " in " + std::to_string(dim));
  const std::int64_t want_kept = static_cast<std::int64_t>(n) * s.draws * s.D;
  if (total != s.T || steps < 0 || steps > s.T || kept != want_kept)
    throw bad(std::to_string(want_kept) + " kept values and at most " + std::to_string(s.T) + " steps of " +
                  std::to_string(s.T),
              std::to_string(kept) + " and " + std::to_string(steps) + " of " + std::to_string(total));
  if (kernel < 0 || static_cast<std::uint64_t>(kernel) > b.size() / sizeof(double))
    throw bad("a kernel state within the bytes", std::to_string(kernel) + " values");
  GroupRun run;
  ChainGroup& grp = run.group;
  grp.steps = steps;
  grp.u.resize(s.D, n);
  grp.log_density.resize(n);
  take(grp.u.data(), sizeof(double) * static_cast<std::size_t>(grp.u.size()));
  take(grp.log_density.data(), sizeof(double) * static_cast<std::size_t>(n));
  for (int c = 0; c < n; ++c) {
    grp.chain.push_back(static_cast<std::uint64_t>(first + c));
    grp.rng.emplace_back(0, StreamId::mcmc, 0, 0);
  }
  take(grp.rng.data(), sizeof(RandomStream) * grp.rng.size());
  for (auto* v : {&grp.evaluations, &grp.expansions, &grp.accepted}) {
    v->resize(static_cast<std::size_t>(n));
    take(v->data(), 8 * v->size());
  }
  run.kernel.resize(static_cast<std::size_t>(kernel));
  take(run.kernel.data(), sizeof(double) * run.kernel.size());
  run.kept.resize(static_cast<std::size_t>(kept));
  take(run.kept.data(), sizeof(double) * run.kept.size());
  if (at != b.size()) throw bad("no bytes after the kept draws", std::to_string(b.size() - at) + " more");
  return run;
}

/// Group g at its initial positions, its first density evaluation done.
GroupRun start_group(int first, int n, const Eigen::Ref<const Eigen::MatrixXd>& init_u, const GroupShape& s,
                     const McmcOptions& o, UnconstrainedPotential& pot) {
  GroupRun run;
  ChainGroup& group = run.group;
  group.u = init_u.middleCols(first, n);
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
  run.kept.assign(static_cast<std::size_t>(n) * s.draws * s.D, 0.0);
  return run;
}

/// After the step that completes draw k: every chain's state, in θ, into its kept draws.
void keep_draw(GroupRun& run, const Prior& prior, const GroupShape& s) {
  const std::int64_t k = (run.group.steps - s.warmup) / s.thin - 1;
  const Eigen::MatrixXd theta = prior.from_unconstrained(run.group.u);
  for (int c = 0; c < run.group.size(); ++c)
    std::copy(theta.col(c).data(), theta.col(c).data() + s.D,
              run.kept.begin() + (static_cast<std::ptrdiff_t>(c) * s.draws + k) * s.D);
}

/// Every rank's groups (g ≡ rank mod P) to every rank: collective.
void gather_groups(std::vector<std::string>& groups, const mpi::Communicator& comm) {
  const int P = comm.size(), r = comm.rank(), G = static_cast<int>(groups.size());
  if (P == 1) return;
  std::string mine;
  for (int g = r; g < G; g += P) {
    const std::uint64_t len = groups[g].size();
    mine.append(reinterpret_cast<const char*>(&len), 8);
    mine += groups[g];
  }
  const std::vector<char> all = comm.allgather_blocks<char>(std::span<const char>(mine.data(), mine.size()));
  std::size_t at = 0;
  for (int p = 0; p < P; ++p)
    for (int g = p; g < G; g += P) {
      std::uint64_t len;
      std::memcpy(&len, all.data() + at, 8);
      at += 8;
      groups[g].assign(all.data() + at, len);
      at += len;
    }
}

/// A saved sampling must be one of these options: CheckpointError otherwise.
void check_progress(const ChainsProgress& p, std::uint32_t round, int D, int C, int groups) {
  if (p.round != round || p.dim != D || p.chains != C || static_cast<int>(p.groups.size()) != groups ||
      p.init_u.size() != static_cast<std::size_t>(D) * C)
    throw CheckpointError(make_message(
        "mcmc checkpoint", "sampling",
        "round " + std::to_string(round) + ", " + std::to_string(C) + " chains in " + std::to_string(groups) +
            " groups, dimension " + std::to_string(D),
        "round " + std::to_string(p.round) + ", " + std::to_string(p.chains) + " chains in " +
            std::to_string(p.groups.size()) + " groups, dimension " + std::to_string(p.dim)));
}

}  // namespace

bool ChainsProgress::finished() const {
  if (groups.empty()) return false;
  for (const std::string& g : groups) {
    const std::optional<GroupHeader> h = read_header(g);  // "" (not started) has none
    if (!h || h->steps != h->total) return false;
  }
  return true;
}

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
  const int draws = static_cast<int>((o.samples + C - 1) / C);
  const std::int64_t T = o.warmup + static_cast<std::int64_t>(draws) * o.thin;  // steps per chain
  const int groups = (C + o.group_size - 1) / o.group_size;

  // Initial positions of every chain, identical on every rank (or those of a checkpoint).
  ChainsProgress prog;
  if (o.ledger) {
    if (std::optional<ChainsProgress> saved = o.ledger->resume_sampling(o.round)) {
      check_progress(*saved, o.round, D, C, groups);
      prog = std::move(*saved);
    }
  }
  if (prog.groups.empty()) {
    const Initialisation init = o.init == "sir" ? init_sir(pot, prior, o, comm) : init_prior(pot, prior, o);
    if (!init.u.allFinite())
      throw NumericalError(make_message("mcmc initialisation", "initial positions inside the prior's support",
                                        "finite unconstrained values", "a position on the support's boundary"));
    prog.round = o.round;
    prog.dim = D;
    prog.chains = C;
    prog.init_u.assign(init.u.data(), init.u.data() + init.u.size());
    prog.log_normalizer = init.log_normalizer;
    prog.init_ess = init.ess;
    // SIR evaluates every candidate once (spread over the ranks); "prior" runs on every rank.
    prog.init_evaluations = o.init == "sir" ? o.init_candidates : pot.evaluations;
    prog.groups.assign(static_cast<std::size_t>(groups), std::string());
  }
  const Eigen::Map<const Eigen::MatrixXd> init_u(prog.init_u.data(), D, C);
  McmcResult res;
  res.init_seconds = MPI_Wtime() - t_start;
  res.log_normalizer = prog.log_normalizer;
  res.init_ess = prog.init_ess;

  // The kernel's starting scales from the spread of the initial positions (unconstrained).
  KernelOptions ko;
  ko.max_expansions = o.max_expansions;
  const Eigen::VectorXd mean = init_u.rowwise().mean();
  const Eigen::MatrixXd centred = init_u.colwise() - mean;
  Eigen::MatrixXd cov = C > 1 ? Eigen::MatrixXd(centred * centred.transpose() / (C - 1.0)) : Eigen::MatrixXd::Identity(D, D);
  ko.initial_width = cov.diagonal().cwiseSqrt();
  for (Eigen::Index d = 0; d < D; ++d)
    if (!(ko.initial_width(d) > 1e-8) || !std::isfinite(ko.initial_width(d))) ko.initial_width(d) = 1.0;
  cov.diagonal().array() += 1e-8 * ko.initial_width.array().square();
  if (Eigen::LLT<Eigen::MatrixXd>(cov).info() != Eigen::Success)
    cov = ko.initial_width.array().square().matrix().asDiagonal();
  ko.initial_covariance = cov;

  res.chains = C;
  res.draws_per_chain = draws;
  const LogDensity density = [&pot](const Eigen::Ref<const Eigen::MatrixXd>& u, Eigen::Ref<Eigen::VectorXd> out) {
    pot(u, out);
  };
  const GroupShape shape{D, draws, T, o.warmup, o.thin};
  // Rank r advances its groups r, r + P, … until they are done or it pauses (a signal, or a
  // checkpoint due by its clock); then every rank meets, the groups' states are gathered, and a
  // checkpoint is written when one is due. Without pauses this is one pass and one gather.
  for (;;) {
    bool paused = false;
    for (int g = r; g < groups && !paused; g += P) {
      const int first = g * o.group_size, n = std::min(o.group_size, C - first);
      const std::optional<GroupHeader> h = read_header(prog.groups[g]);
      if (h && h->steps == T) continue;  // finished: not decoded again until the end
      GroupRun run = prog.groups[g].empty() ? start_group(first, n, init_u, shape, o, pot)
                                            : decode_group(prog.groups[g], g, first, n, shape);
      auto kernel = make_chain_kernel(o.sampler, ko, o.warmup);
      kernel->attach(run.group);
      if (!run.kernel.empty()) kernel->load_state(run.kernel);
      // At least one step per pass, so that a checkpoint always follows progress.
      for (bool stepped = false; run.group.steps < T; stepped = true) {
        if (interrupt_requested() || (stepped && o.ledger && o.ledger->checkpoint_due())) {
          paused = true;
          break;
        }
        const std::int64_t t = run.group.steps;
        kernel->step(run.group, density, t < o.warmup ? static_cast<int>(t) : -1);
        if (t + 1 > o.warmup && (t + 1 - o.warmup) % o.thin == 0) keep_draw(run, prior, shape);
      }
      run.kernel = kernel->save_state();
      prog.groups[g] = encode_group(run, T);
    }
    const bool interrupted = agree_interrupt(comm);
    gather_groups(prog.groups, comm);
    if (interrupted) {
      if (o.ledger) o.ledger->save_sampling(prog, true);
      throw Interrupted("stopped by a signal during MCMC");
    }
    if (o.ledger) o.ledger->save_sampling(prog, false);
    if (prog.finished()) break;
  }

  // Every chain's draws and counters, from the groups' final states (the same on every rank).
  std::vector<double> chain_draws(static_cast<std::size_t>(C) * draws * D);  // chain-major
  double evaluations = 0, expansions = 0, accepted = 0;
  for (int g = 0; g < groups; ++g) {
    const int first = g * o.group_size, n = std::min(o.group_size, C - first);
    const GroupRun run = decode_group(prog.groups[g], g, first, n, shape);
    std::copy(run.kept.begin(), run.kept.end(),
              chain_draws.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(first) * draws * D));
    for (int c = 0; c < n; ++c) {
      evaluations += static_cast<double>(run.group.evaluations[c]);
      expansions += static_cast<double>(run.group.expansions[c]);
      accepted += static_cast<double>(run.group.accepted[c]);
    }
    if (g == 0) {  // the adaptation is frozen after warm-up: group 0's kernel as it ended
      auto kernel = make_chain_kernel(o.sampler, ko, o.warmup);
      kernel->attach(run.group);
      kernel->load_state(run.kernel);
      res.adaptation = kernel->adaptation_summary();
    }
  }
  // Draw-major output, cut at `samples`.
  const std::int64_t total = std::min<std::int64_t>(o.samples, static_cast<std::int64_t>(C) * draws);
  res.theta.resize(D, total);
  for (std::int64_t j = 0; j < total; ++j) {
    const std::int64_t k = j / C, c = j % C;
    res.theta.col(j) = Eigen::Map<const Eigen::VectorXd>(chain_draws.data() + (c * draws + k) * D, D);
  }
  const double steps = static_cast<double>(C) * static_cast<double>(T);
  res.evaluations_per_step = evaluations / steps;
  res.expansions_per_update = o.sampler == "slice" ? expansions / (steps * D) : 0.0;
  res.acceptance = o.sampler == "mh" ? accepted / steps : 1.0;
  // Initialisation, each chain's first evaluation and its steps: the same at any rank count.
  res.evaluations = prog.init_evaluations + C + static_cast<std::int64_t>(evaluations);

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
