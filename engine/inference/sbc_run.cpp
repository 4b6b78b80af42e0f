#include "nsbi/inference/sbc_run.hpp"

#include <mpi.h>

#include <filesystem>

#include "nsbi/core/error.hpp"
#include "nsbi/core/log.hpp"
#include "nsbi/diagnostics/sbc.hpp"
#include "nsbi/inference/amortized_sampling.hpp"
#include "nsbi/inference/check_simulations.hpp"
#include "nsbi/inference/run_outputs.hpp"
#include "nsbi/inference/trained_run.hpp"
#include "nsbi/io/json_writer.hpp"
#include "nsbi/io/npy.hpp"
#include "nsbi/mpi/agreement.hpp"

namespace nsbi {

namespace {

namespace fs = std::filesystem;

void write_coverage_csv(const std::string& path, const SbcSummary& s) {
  std::string text = "level,expected_coverage,tarp_coverage\n";
  for (Eigen::Index k = 0; k < s.levels.size(); ++k)
    text += shortest_decimal(s.levels(k)) + "," + shortest_decimal(s.expected_coverage(k)) + "," + shortest_decimal(s.tarp_coverage(k)) + "\n";
  write_text(path, text);
}

}  // namespace

void run_sbc(const SbcRequest& req, const mpi::Communicator& comm) {
  const double t_start = MPI_Wtime();
  const bool root = comm.is_root();
  Log log(root);
  mpi::agree(comm, [&] {
    if (req.tests < 1)
      throw ConfigError(make_message("nsbi sbc", "--tests", "a number of tests ≥ 1", std::to_string(req.tests)));
    if (req.samples < 1)
      throw ConfigError(make_message("nsbi sbc", "--samples", "a number of posterior draws per test ≥ 1",
                                     std::to_string(req.samples)));
  }, mpi::Failure::bad_input);
  const TrainedRun run(req.run_dir, comm, log);
  const RunConfig& cfg = run.config();
  const Prior& prior = run.prior();
  const std::unique_ptr<Simulator> simulator = make_run_simulator(cfg, comm);
  const std::string out = !req.out.empty() ? req.out : (fs::path(req.run_dir) / "sbc").string();
  mpi::agree_on_root(comm, [&] { prepare_command_dir(out, "--out", log); }, mpi::Failure::bad_input);
  const std::uint64_t seed = req.seed.value_or(cfg.seed);
  const std::int64_t n = req.tests, L = req.samples;
  const int D = prior.dim();
  log.info("sbc of " + req.run_dir + " (method " + cfg.inference.method + ", estimator " + cfg.inference.estimator +
           ", " + run.posterior().describe() + "): " + std::to_string(n) + " tests × " + std::to_string(L) +
           " draws, seed " + std::to_string(seed) + ", on " + std::to_string(comm.size()) + " rank(s)");

  // θ_i ~ p(θ) and x_i ~ p(x | θ_i), farmed like a run's round; failures are dropped.
  double t0 = MPI_Wtime();
  Eigen::MatrixXd theta;
  if (root) theta = prior.sample(seed, StreamId::sbc, 0, 0, n);
  const SimulationBank bank = simulate_dropping_failures(comm, *simulator, cfg, theta,
                                                        RandomStream(seed, StreamId::sbc, 3, 0).next_u64(),
                                                        "sbc simulations");
  const std::vector<std::size_t> valid = bank.valid_rows();
  const auto m = static_cast<Eigen::Index>(valid.size());
  const double t_simulate = MPI_Wtime() - t0;
  const auto counts = bank.counts();
  log.info("simulated " + std::to_string(bank.size()) + " tests in " + format_seconds(t_simulate) + ": " +
           std::to_string(m) + " valid, " + std::to_string(bank.size() - valid.size()) + " failed (dropped)");
  if (m == 0)
    throw SimulatorError(make_message("simulator " + simulator->name(), "valid SBC simulations", "at least 1", "0"));

  // L draws at each x_i, test blocks spread over the ranks; each rank samples alone.
  t0 = MPI_Wtime();
  const mpi::Communicator self(MPI_COMM_SELF);
  const Posterior& q = run.posterior();
  const Eigen::MatrixXd references = prior.sample(seed, StreamId::sbc, 2, 0, n);  // TARP, one per test
  const Eigen::VectorXd scale = prior.stddev();
  IndexMatrix ranks = IndexMatrix::Zero(D, m);
  IndexVector hpd = IndexVector::Zero(m), tarp = IndexVector::Zero(m), complete = IndexVector::Zero(m);
  const std::int64_t blocks = (m + kSbcBlock - 1) / kSbcBlock;
  std::int64_t done = 0, mine = 0;
  for (std::int64_t b = comm.rank(); b < blocks; b += comm.size()) mine += std::min<std::int64_t>(kSbcBlock, m - b * kSbcBlock);
  for (std::int64_t b = comm.rank(); b < blocks; b += comm.size()) {
    for (Eigen::Index j = b * kSbcBlock; j < std::min<Eigen::Index>(m, (b + 1) * kSbcBlock); ++j) {
      const std::size_t i = valid[static_cast<std::size_t>(j)];  // the test's (simulation) index
      const Eigen::VectorXd x = bank.x.col(static_cast<Eigen::Index>(i)), th = bank.theta.col(static_cast<Eigen::Index>(i));
      PosteriorSampleOptions so;
      so.samples = L;
      so.max_draws = cfg.posterior.max_sampling_draws;
      so.seed = RandomStream(seed, StreamId::sbc, 1, i).next_u64();
      so.round = run.last_round();
      // One block of L + L/10 draws (at least 16 more) suffices when ≥ 91% of them land inside the
      // prior's support, instead of the default block of 2000 (twice the draws for L = 1000).
      so.block = L + std::max<std::int64_t>(16, L / 10);
      const PosteriorSamples post = q.sample(x, so, self);
      if (post.theta.cols() < L) continue;  // truncated at max_sampling_draws: not a complete test
      ranks.col(j) = sbc_ranks(th, post.theta);
      hpd(j) = hpd_count(q.log_prob(th, x)(0), q.log_prob(post.theta, x));
      tarp(j) = tarp_count(th, post.theta, references.col(static_cast<Eigen::Index>(i)), scale);
      complete(j) = 1;
    }
    done += std::min<std::int64_t>(kSbcBlock, m - b * kSbcBlock);
    if (root && (done == mine || (done / kSbcBlock) % std::max<std::int64_t>(1, mine / kSbcBlock / 10) == 0))
      log.info("sbc: rank 0 sampled " + std::to_string(done) + "/" + std::to_string(mine) + " of its tests in " +
               format_seconds(MPI_Wtime() - t0));
  }
  // Each entry was filled by one rank only (zeros elsewhere): an exact sum in any order.
  comm.allreduce(std::span<std::int64_t>(ranks.data(), static_cast<std::size_t>(ranks.size())), mpi::Op::sum);
  comm.allreduce(std::span<std::int64_t>(hpd.data(), static_cast<std::size_t>(m)), mpi::Op::sum);
  comm.allreduce(std::span<std::int64_t>(tarp.data(), static_cast<std::size_t>(m)), mpi::Op::sum);
  comm.allreduce(std::span<std::int64_t>(complete.data(), static_cast<std::size_t>(m)), mpi::Op::sum);
  const double t_sample = MPI_Wtime() - t0;

  // The complete tests, in index order.
  std::vector<Eigen::Index> keep;
  for (Eigen::Index j = 0; j < m; ++j)
    if (complete(j)) keep.push_back(j);
  const auto k = static_cast<Eigen::Index>(keep.size());
  if (k == 0)
    throw NumericalError(make_message("nsbi sbc", "tests with " + std::to_string(L) + " posterior draws", "at least 1",
                                      "0 (every test reached posterior.max_sampling_draws)"));
  IndexMatrix r(D, k);
  IndexVector h(k), t(k);
  Eigen::MatrixXd th(D, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    r.col(j) = ranks.col(keep[j]);
    h(j) = hpd(keep[j]);
    t(j) = tarp(keep[j]);
    th.col(j) = bank.theta.col(static_cast<Eigen::Index>(valid[static_cast<std::size_t>(keep[j])]));
  }
  const SbcSummary s = summarize_sbc(r, h, t, L);
  // Coverage of k tests scatters by ≈ sqrt(α(1−α)/k) around the diagonal: the tolerance is the
  // issue's ±0.05, or 4 standard errors at α = 0.5 when there are too few tests for it.
  const double tolerance = std::max(0.05, 4 * std::sqrt(0.25 / static_cast<double>(k)));
  const bool calibrated = s.uniform && s.max_coverage_deviation <= tolerance && s.tarp_max_deviation <= tolerance;

  std::vector<double> pvalues, chi2;
  std::string ptext;
  for (const auto& u : s.rank_tests) {
    pvalues.push_back(u.p_value);
    chi2.push_back(u.statistic);
    ptext += (ptext.empty() ? "" : ", ") + shortest_decimal(u.p_value);
  }
  log.info("sbc: " + std::to_string(k) + " tests; rank uniformity p-values (chi-square, " +
           std::to_string(s.rank_tests.front().bins) + " bins) [" + ptext + "]; max expected-coverage deviation " +
           shortest_decimal(s.max_coverage_deviation) + ", TARP " + shortest_decimal(s.tarp_max_deviation));
  if (!s.uniform)
    log.warn("sbc: calibration fails: the ranks are not uniform (a p-value below " + shortest_decimal(s.alpha) + "/" +
             std::to_string(D) + ", Bonferroni); the posterior is mis-calibrated in those dimensions");
  if (s.max_coverage_deviation > tolerance || s.tarp_max_deviation > tolerance)
    log.warn("sbc: calibration fails: coverage deviates from the diagonal by more than " + shortest_decimal(tolerance) +
             " (expected coverage " + shortest_decimal(s.max_coverage_deviation) + ", TARP " + shortest_decimal(s.tarp_max_deviation) +
             "); below the diagonal means overconfident, above underconfident");

  if (root) {
    const fs::path dir = out;
    write_npy((dir / "ranks.npy").string(), r);
    write_npy((dir / "theta.npy").string(), th);
    write_coverage_csv((dir / "coverage.csv").string(), s);
    write_command_report((dir / "sbc.json").string(), "sbc", req.run_dir, cfg, seed, comm.size(), [&](JsonWriter& j) {
      j.field("tests", n).field("valid_tests", k).field("failed_simulations", bank.size() - valid.size());
      j.key("simulations_by_status").begin_object();
      for (int st = 0; st < kNumSimStatus; ++st) j.field(to_string(static_cast<SimStatus>(st)), counts[st]);
      j.end_object();
      j.field("incomplete_tests", m - k).field("samples_per_test", L).field("dim", D);
      j.field("bins", s.rank_tests.front().bins);
      j.key("rank_pvalues").value(std::span<const double>(pvalues));
      j.key("rank_chi2").value(std::span<const double>(chi2));
      j.field("alpha", s.alpha).field("uniform", s.uniform);
      j.field("max_coverage_deviation", s.max_coverage_deviation).field("tarp_max_deviation", s.tarp_max_deviation);
      j.field("coverage_tolerance", tolerance).field("calibrated", calibrated);
      j.key("timings_seconds").begin_object();
      j.field("simulate", t_simulate).field("sample", t_sample).end_object();
      j.field("seconds", MPI_Wtime() - t_start);
    });
  }
  log.info("done in " + format_seconds(MPI_Wtime() - t_start) + ": " + (fs::path(out) / "sbc.json").string());
}

}  // namespace nsbi
