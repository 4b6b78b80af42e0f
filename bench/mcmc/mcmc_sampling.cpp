// MCMC sampling speed of an NLE posterior at sbibm's settings (issue 10): 10,000 samples from
// 100 slice chains, 100 warm-up steps, thinning 10, SIR initialisation from 10,000 prior draws.
// For each task it simulates 10,000 pairs from the prior with the builtin simulator, trains the
// MAF likelihood (sbibm's NLE settings, minibatch 50) once, then times the posterior draw at
// observation 1 of ../shared/sbibm — the time split into the potential (the flow and the prior)
// and the sampler's own work. A Google Benchmark program with an MPI main: under
// `mpirun -np P` every rank runs the same fixed iterations (the draw is collective) and rank 0
// reports, so np 1 and np 2 are compared on the same trained flow (its training is
// data-parallel and byte-identical at any rank count, and so are the samples).
//
//   build/bench/mcmc_sampling --benchmark_repetitions=3 [--benchmark_filter=gaussian_linear]
//   mpirun -np 2 --oversubscribe build/bench/mcmc_sampling --benchmark_repetitions=3
//
// NSBI_SHARED overrides the shared/ folder (default: beside the source tree).
#include <benchmark/benchmark.h>
#include <mpi.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "nsbi/config/run_config.hpp"
#include "nsbi/core/log.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/potential_posterior.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/simulator/task.hpp"

using namespace nsbi;

namespace {

std::string shared_dir() {
  const char* s = std::getenv("NSBI_SHARED");
  return s ? s : NSBI_SHARED_DEFAULT;
}

// A trained NLE of one task: the method owns the flow and its posterior.
struct Trained {
  RunConfig config;
  std::unique_ptr<Prior> prior;
  Eigen::VectorXd x_o;
  Log log{false};
  std::unique_ptr<mpi::Communicator> comm;
  std::unique_ptr<MethodContext> context;
  std::unique_ptr<InferenceMethod> method;
  double train_seconds = 0;
};

// Emptied before MPI_Finalize (a Trained holds a communicator).
std::map<std::string, std::unique_ptr<Trained>> cache;

Trained& trained(const std::string& task_name) {
  auto& slot = cache[task_name];
  if (slot) return *slot;
  slot = std::make_unique<Trained>();
  Trained& t = *slot;
  RunConfig& cfg = t.config;
  cfg.seed = 2;
  cfg.task.name = task_name;
  cfg.inference.method = "nle";
  cfg.inference.estimator = "maf";
  cfg.inference.simulations = 10000;
  cfg.training.batch_size = 50;
  cfg.posterior.samples = 10000;
  const Task& task = find_task(task_name);
  t.prior = task.make_prior();
  t.x_o = load_observation_file(shared_dir() + "/sbibm/" + task_name + "/obs1/observation.csv", task.x_dim).x_o;
  t.comm = std::make_unique<mpi::Communicator>();
  t.context = std::make_unique<MethodContext>(MethodContext{cfg, *t.prior, t.x_o, *t.comm, t.log});
  t.method = find_method("nle").make(*t.context);

  // The round-0 bank, simulated in-process (the farm is not what is measured here).
  const Eigen::Index n = cfg.inference.simulations;
  SimulationBank bank;
  bank.theta = t.method->proposal().sample(cfg.seed, StreamId::proposal, 0, 0, n);
  Eigen::MatrixXd x(task.x_dim, n);
  bank.status.assign(static_cast<std::size_t>(n), SimStatus::ok);
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(n));
  for (std::size_t j = 0; j < seeds.size(); ++j) seeds[j] = cfg.seed * 1000003u + j;
  task.make_simulator()->simulate(bank.theta, seeds, x, bank.status);
  bank.x = BankX::from(x);
  bank.attempts.assign(bank.status.size(), 1);
  bank.round.assign(bank.status.size(), 0);
  bank.log_proposal.assign(bank.status.size(), 0.0);
  const double t0 = MPI_Wtime();
  t.method->train(bank, 0);
  t.train_seconds = MPI_Wtime() - t0;
  return t;
}

void draw(benchmark::State& state, const std::string& task, int group_size) {
  Trained& t = trained(task);
  // The method's posterior with this benchmark's group size.
  const auto& posterior = dynamic_cast<const PotentialPosterior&>(t.method->posterior());
  mcmc::McmcOptions o = posterior.options();
  o.group_size = group_size;
  const PotentialPosterior p = posterior.with_options(o);
  PosteriorSampleOptions so;
  so.samples = t.config.posterior.samples;
  so.seed = t.config.seed;
  double potential = 0, total = 0, init = 0, evaluations = 0;
  for (auto _ : state) {
    const PosteriorSamples s = p.sample(t.x_o, so, *t.comm);
    benchmark::DoNotOptimize(s.theta.data());
    potential += s.mcmc->density_seconds;
    total += s.mcmc->seconds;
    init += s.mcmc->init_seconds;
    evaluations += static_cast<double>(s.mcmc->evaluations);
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["potential_s"] = potential / it;
  state.counters["sampler_s"] = (total - potential) / it;
  state.counters["init_s"] = init / it;
  state.counters["evaluations"] = evaluations / it;
  state.counters["ranks"] = t.comm->size();
  state.counters["train_s"] = t.train_seconds;
}

// Rank 0 reports; the others run the same iterations silently.
class SilentReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  mpi::Environment env;
  benchmark::Initialize(&argc, argv);
  for (const std::string task : {"two_moons", "gaussian_linear"})
    for (int g : {10, 25, 50, 100})
      benchmark::RegisterBenchmark(("nle_posterior_10k/" + task + "/group_size:" + std::to_string(g)).c_str(),
                                   [task, g](benchmark::State& s) { draw(s, task, g); })
          ->Iterations(1)  // fixed, so that every rank makes the same collective calls
          ->Unit(benchmark::kSecond)
          ->UseRealTime();
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  SilentReporter silent;
  if (rank == 0) benchmark::RunSpecifiedBenchmarks();
  else benchmark::RunSpecifiedBenchmarks(&silent);
  benchmark::Shutdown();
  cache.clear();
  return 0;
}
