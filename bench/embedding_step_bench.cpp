// Cost of one training shard (50 examples: forward, loss and backward into the flat gradient) of
// NPE with an embedding network on 1,024-value x (a 32×32 map, the size of issue 13's
// gaussian_random_field), θ of dimension 2, MAF with sbi's defaults; and the atomic APT loss with
// 10 atoms, whose repeated x are embedded once per example.
//   ./build/bench/embedding_step_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/train/atomic_loss.hpp"
#include "nsbi/train/nll_loss.hpp"

using namespace nsbi;

namespace {

constexpr int kThetaDim = 2, kSide = 32, kXDim = kSide * kSide, kExamples = 400;

// The setting of the gaussian_random_field runs in bench/RESULTS.md: three blocks of 16, 32 and 64
// channels, circular padding, the channel means into a 100-unit head.
void grf_setting(nn::EmbeddingSpec& e) {
  e.channels = 16;
  e.layers = 3;
  e.hidden = 100;
  e.pooling = "mean";
  e.padding = "circular";
}

void run(benchmark::State& state, const std::string& embedding, int atoms, bool grf = false) {
  RandomStream rng(1, StreamId::initialization, 0, 0);
  nn::Mat<float> theta(kThetaDim, kExamples), x(kXDim, kExamples);
  for (auto& v : theta.reshaped()) v = static_cast<float>(rng.normal());
  for (auto& v : x.reshaped()) v = static_cast<float>(rng.normal());
  nn::DensityEstimatorSpec spec;
  spec.embedding.type = embedding;
  if (embedding == "cnn2d") spec.embedding.shape = {kSide, kSide};
  if (grf) grf_setting(spec.embedding);
  auto q = nn::make_density_estimator(spec, kThetaDim, kXDim, 3, nn::Standardizer::identity(kThetaDim),
                                      nn::Standardizer::identity(kXDim));
  std::unique_ptr<train::ShardLoss> loss;
  if (atoms > 1)
    loss = std::make_unique<train::AtomicLoss>(*q, theta, x, Eigen::VectorXd::Zero(kExamples), atoms, 5);
  else
    loss = std::make_unique<train::NllLoss>(*q, theta, x);
  std::vector<std::int64_t> batch;
  for (int i = 0; i < 200; ++i) batch.push_back((i * 37) % kExamples);
  const train::Minibatch mb{std::span<const std::int64_t>(batch.data(), batch.size()), 0, 0, 0};
  loss->begin_batch(mb);
  std::int64_t b = 0;
  for (auto _ : state) {
    q->parameters().zero_grad();
    benchmark::DoNotOptimize(loss->loss_and_gradient(mb, b, b + 50));
    b = (b + 50) % 200;
  }
  state.SetItemsProcessed(state.iterations() * 50);
  state.counters["parameters"] = static_cast<double>(q->parameters().size());
}

void nll_no_embedding(benchmark::State& s) { run(s, "none", 1); }
void nll_mlp(benchmark::State& s) { run(s, "mlp", 1); }
void nll_cnn2d(benchmark::State& s) { run(s, "cnn2d", 1); }
void atomic_cnn2d(benchmark::State& s) { run(s, "cnn2d", 10); }
void nll_cnn2d_grf(benchmark::State& s) { run(s, "cnn2d", 1, true); }

}  // namespace

BENCHMARK(nll_no_embedding);
BENCHMARK(nll_mlp);
BENCHMARK(nll_cnn2d);
BENCHMARK(atomic_cnn2d);
BENCHMARK(nll_cnn2d_grf);
