// Cost of one training shard (50 examples: forward, loss and backward into the flat gradient)
// for the plain NLL and the atomic APT loss with K atoms, on the flows of the benchmark tasks.
// The atomic loss evaluates the flow on 50·K columns, so ≈ K× the NLL step is the floor.
//   ./build/bench/loss_step_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/train/atomic_loss.hpp"
#include "nsbi/train/nll_loss.hpp"

using namespace nsbi;

namespace {

struct Data {
  Data(const std::string& estimator, int theta_dim, int x_dim, int n = 1000) {
    RandomStream rng(1, StreamId::initialization, 0, 0);
    theta.resize(theta_dim, n);
    x.resize(x_dim, n);
    for (auto& v : theta.reshaped()) v = static_cast<float>(rng.normal());
    for (auto& v : x.reshaped()) v = static_cast<float>(rng.normal());
    log_prior = Eigen::VectorXd::Zero(n);
    q = nn::make_density_estimator({.name = estimator}, theta_dim, x_dim, 3, nn::Standardizer::identity(theta_dim),
                                   nn::Standardizer::identity(x_dim));
    for (int i = 0; i < n; ++i) batch.push_back((i * 37) % n);
  }
  nn::Mat<float> theta, x;
  Eigen::VectorXd log_prior;
  std::unique_ptr<nn::ConditionalDensityEstimator<float>> q;
  std::vector<std::int64_t> batch;
};

void run(benchmark::State& state, const std::string& estimator, int theta_dim, int x_dim, int atoms) {
  Data d(estimator, theta_dim, x_dim);
  std::unique_ptr<train::ShardLoss> loss;
  if (atoms > 1)
    loss = std::make_unique<train::AtomicLoss>(*d.q, d.theta, d.x, d.log_prior, atoms, 5);
  else
    loss = std::make_unique<train::NllLoss>(*d.q, d.theta, d.x);
  const train::Minibatch mb{std::span<const std::int64_t>(d.batch.data(), 200), 0, 0, 0};
  loss->begin_batch(mb);
  std::int64_t b = 0;
  for (auto _ : state) {
    d.q->parameters().zero_grad();
    benchmark::DoNotOptimize(loss->loss_and_gradient(mb, b, b + 50));
    b = (b + 50) % 200;
  }
  state.SetItemsProcessed(state.iterations() * 50);
}

void nll_nsf_two_moons(benchmark::State& s) { run(s, "nsf", 2, 2, 1); }
void atomic_nsf_two_moons(benchmark::State& s) { run(s, "nsf", 2, 2, 10); }
void nll_nsf_slcp(benchmark::State& s) { run(s, "nsf", 5, 8, 1); }
void atomic_nsf_slcp(benchmark::State& s) { run(s, "nsf", 5, 8, 10); }
void nll_maf_slcp(benchmark::State& s) { run(s, "maf", 5, 8, 1); }
void atomic_maf_slcp(benchmark::State& s) { run(s, "maf", 5, 8, 10); }

}  // namespace

BENCHMARK(nll_nsf_two_moons);
BENCHMARK(atomic_nsf_two_moons);
BENCHMARK(nll_nsf_slcp);
BENCHMARK(atomic_nsf_slcp);
BENCHMARK(nll_maf_slcp);
BENCHMARK(atomic_maf_slcp);
