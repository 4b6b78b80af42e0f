// Cost of one batched density evaluation log q(y | c) of the likelihood flow of NLE (no
// backward), the network the MCMC potential calls: per column, by batch width, on the shapes of
// the benchmark tasks (two_moons: 2-d x given 2-d θ; gaussian_linear: 10-d given 10-d).
//   ./build/bench/flow_eval_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "nsbi/nn/estimator_registry.hpp"

using namespace nsbi;

namespace {

void run(benchmark::State& state, const std::string& estimator, int x_dim, int theta_dim, bool training_path) {
  const Eigen::Index n = state.range(0);
  RandomStream rng(1, StreamId::initialization, 0, 0);
  nn::Mat<float> x(x_dim, n), theta(theta_dim, n);
  for (auto& v : theta.reshaped()) v = static_cast<float>(rng.normal());
  for (auto& v : x.reshaped()) v = static_cast<float>(rng.normal());
  auto q = nn::make_density_estimator({.name = estimator}, x_dim, theta_dim, 3, nn::Standardizer::identity(x_dim),
                                      nn::Standardizer::identity(theta_dim));
  nn::Vec<float> out(n);
  for (auto _ : state) {
    if (training_path)
      q->log_prob(x, theta, out);
    else
      q->evaluate(x, theta, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// evaluate(): the inference path the potentials call; log_prob(): the training path (keeps the
// activations for backward), for comparison.
void maf_two_moons(benchmark::State& s) { run(s, "maf", 2, 2, false); }
void maf_gaussian_linear(benchmark::State& s) { run(s, "maf", 10, 10, false); }
void maf_two_moons_log_prob(benchmark::State& s) { run(s, "maf", 2, 2, true); }
void maf_gaussian_linear_log_prob(benchmark::State& s) { run(s, "maf", 10, 10, true); }
void nsf_gaussian_linear(benchmark::State& s) { run(s, "nsf", 10, 10, false); }

}  // namespace

BENCHMARK(maf_two_moons)->Arg(10)->Arg(50)->Arg(100)->Arg(500);
BENCHMARK(maf_gaussian_linear)->Arg(10)->Arg(50)->Arg(100)->Arg(500);
BENCHMARK(maf_two_moons_log_prob)->Arg(50)->Arg(100);
BENCHMARK(maf_gaussian_linear_log_prob)->Arg(50)->Arg(100);
BENCHMARK(nsf_gaussian_linear)->Arg(50);
