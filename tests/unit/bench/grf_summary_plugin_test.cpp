// bench/grf_summary/grf_summary_plugin.cpp (issue 13's diagnostic) against independent
// computations: on a map whose power is exactly P(k) (an "Asimov" map, built here by an inverse DFT
// by the definition) the shell summary is log P per shell and the MLE is θ itself; and the
// plugin's own simulations have the builtin task's distribution (per-shell means of the summary
// over many draws, the builtin's maps reduced by the plugin).
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <filesystem>
#include <numbers>
#include <vector>

#include "nsbi/core/random.hpp"
#include "nsbi/simulator_plugin.h"
#include "workers/simulators/gaussian_random_field.hpp"

namespace nsbi {
namespace {

using SummaryFn = int (*)(const double*, int, int, double*);

struct Plugin {
  void* handle = nullptr;
  nsbi_simulate_fn shells = nullptr, mle = nullptr;
  SummaryFn summary = nullptr;
  Plugin() {
    const std::string path = std::string(NSBI_BINARY_DIR) + "/bench/grf_summary_plugin.so";
    if (!std::filesystem::exists(path)) return;
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) return;
    shells = reinterpret_cast<nsbi_simulate_fn>(dlsym(handle, "nsbi_simulate"));
    mle = reinterpret_cast<nsbi_simulate_fn>(dlsym(handle, "nsbi_simulate_mle"));
    summary = reinterpret_cast<SummaryFn>(dlsym(handle, "nsbi_grf_summary"));
  }
  ~Plugin() {
    if (handle) dlclose(handle);
  }
  bool ok() const { return shells && mle && summary; }
};

constexpr int kN = 32;
int freq(int i) { return i <= kN / 2 ? i : i - kN; }

TEST(GrfSummaryPluginTest, AsimovMapGivesTheSpectrumAndTheParameters) {
  const Plugin p;
  if (!p.ok()) GTEST_SKIP() << "bench/grf_summary_plugin.so not built (NSBI_BUILD_BENCH=OFF)";
  const int dim = p.summary(nullptr, 0, 0, nullptr);
  ASSERT_EQ(dim, 134);  // distinct non-zero |k|² on a 32×32 periodic grid
  for (const auto& theta : {std::vector<double>{0.3, 2.5}, std::vector<double>{-0.9, 1.2}, std::vector<double>{0.7, 3.8}}) {
    // DFT(map)_k = √(m P(k)), real and even in k, so map = IDFT is real and |DFT|²/m = P exactly.
    std::vector<double> amp(kN * kN, 0.0);
    for (int r = 0; r < kN; ++r)
      for (int c = 0; c < kN; ++c) {
        const int k2 = freq(r) * freq(r) + freq(c) * freq(c);
        if (k2 > 0) amp[r * kN + c] = std::sqrt(kN * kN * std::exp(theta[0] - 0.5 * theta[1] * std::log(k2)));
      }
    std::vector<double> map(kN * kN);
    for (int r = 0; r < kN; ++r)
      for (int c = 0; c < kN; ++c) {
        std::complex<double> s = 0;
        for (int kr = 0; kr < kN; ++kr)
          for (int kc = 0; kc < kN; ++kc)
            s += amp[kr * kN + kc] * std::polar(1.0, 2.0 * std::numbers::pi * (kr * r + kc * c) / kN);
        map[r * kN + c] = s.real() / (kN * kN);
      }
    std::vector<double> out(dim);
    ASSERT_EQ(p.summary(map.data(), kN * kN, 0, out.data()), 0);
    // Shells in increasing |k|²: the first ones are |k|² = 1, 2, 4, 5.
    const double expected_k2[] = {1, 2, 4, 5};
    for (int q = 0; q < 4; ++q)
      EXPECT_NEAR(out[q], theta[0] - 0.5 * theta[1] * std::log(expected_k2[q]), 1e-9) << "shell " << q;
    double est[2];
    ASSERT_EQ(p.summary(map.data(), kN * kN, 1, est), 0);
    EXPECT_NEAR(est[0], theta[0], 1e-8);
    EXPECT_NEAR(est[1], theta[1], 1e-8);
  }
  EXPECT_EQ(p.summary(std::vector<double>(10, 1.0).data(), 10, 0, nullptr), -1);  // not a 32×32 map
}

TEST(GrfSummaryPluginTest, SimulationsHaveTheBuiltinTasksDistribution) {
  const Plugin p;
  if (!p.ok()) GTEST_SKIP() << "bench/grf_summary_plugin.so not built (NSBI_BUILD_BENCH=OFF)";
  const int dim = p.summary(nullptr, 0, 0, nullptr), draws = 400;
  const GaussianRandomField field(kN);
  const double theta[2] = {0.2, 2.7};
  const Eigen::Vector2d th(theta[0], theta[1]);
  std::vector<double> sum_a(dim, 0.0), sq_a(dim, 0.0), sum_b(dim, 0.0), sq_b(dim, 0.0), x(dim);
  Eigen::VectorXd map(kN * kN);
  for (int i = 0; i < draws; ++i) {
    ASSERT_EQ(p.shells(theta, 2, x.data(), dim, 1000 + static_cast<std::uint64_t>(i)), 0);
    for (int q = 0; q < dim; ++q) sum_a[q] += x[q], sq_a[q] += x[q] * x[q];
    RandomStream rng(5, StreamId::simulation, 0, static_cast<std::uint64_t>(i));
    field.simulate(th, rng, map);
    ASSERT_EQ(p.summary(map.data(), kN * kN, 0, x.data()), 0);
    for (int q = 0; q < dim; ++q) sum_b[q] += x[q], sq_b[q] += x[q] * x[q];
  }
  for (int q = 0; q < dim; ++q) {
    const double ma = sum_a[q] / draws, mb = sum_b[q] / draws;
    const double va = sq_a[q] / draws - ma * ma, vb = sq_b[q] / draws - mb * mb;
    EXPECT_NEAR(ma, mb, 5.0 * std::sqrt((va + vb) / draws)) << "shell " << q;
  }
  double est[2];
  EXPECT_NE(p.mle(theta, 2, est, 3, 1), 0);  // wrong x_dim is refused
  ASSERT_EQ(p.mle(theta, 2, est, 2, 1), 0);
  EXPECT_NEAR(est[0], theta[0], 1.0);
  EXPECT_NEAR(est[1], theta[1], 1.0);
}

}  // namespace
}  // namespace nsbi
