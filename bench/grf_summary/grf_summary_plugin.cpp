// The gaussian_random_field task (workers/simulators/gaussian_random_field.cpp) with its data
// reduced to summaries, as a simulator plugin (include/nsbi/simulator_plugin.h): a diagnostic for
// issue 13 that separates what NPE loses in learning a summary of the 32×32 map from what it
// loses in the flow. bench/grf_summary/run.sh runs it; figures in bench/RESULTS.md.
//
//   nsbi_simulate      x = log of the mean power |X_k|²/m in each shell of equal |k|² (134 values):
//                      the exact sufficient statistic, given to the flow as it is;
//   nsbi_simulate_mle  x = the maximum-likelihood estimate of θ = (log A, n) (2 values), by Newton
//                      on the exact log-likelihood (convex in θ): an efficient summary that a real
//                      simulator would not offer;
//   nsbi_simulate_binned  x = log of the mean power in 16 bins equally spaced in log |k|² (15 non-empty
//                      values; NSBI_GRF_BINS sets the number): shells merged so that each value averages more modes; not sufficient
//                      (the weights within a bin do not depend on n), a low-dimensional summary of
//                      the kind a cosmologist computes;
//   nsbi_grf_summary   the same reduction of a given map (the observation), so that simulations and
//                      observation go through one code path.
//
// Same model as the builtin: white noise w, X = √P(k)·DFT(w), P(k) = A·|k|^−n, mean mode zero. The
// noise comes from the seed through splitmix64 and Box–Muller (not the builtin's streams: the
// distribution is the same, the values are not).
#include <cmath>
#include <cstdlib>
#include <complex>
#include <cstdint>
#include <map>
#include <numbers>
#include <vector>

#include "nsbi/simulator_plugin.h"

namespace {

constexpr int kN = 32;
constexpr int kM = kN * kN;

struct Grid {
  std::vector<int> shell;          // per mode: its |k|² shell, −1 for the mean mode
  std::vector<double> modes;       // per shell: number of modes
  std::vector<double> log_k2;      // per shell: log |k|²
  std::vector<int> bin;            // per shell: its bin of equal width in log |k|² (non-empty bins only)
  int bins = 0;
  std::vector<std::complex<double>> twiddle;
  Grid() {
    const auto freq = [](int i) { return i <= kN / 2 ? i : i - kN; };
    std::map<int, int> index;
    std::vector<int> k2(kM);
    for (int r = 0; r < kN; ++r)
      for (int c = 0; c < kN; ++c) k2[r * kN + c] = freq(r) * freq(r) + freq(c) * freq(c);
    for (int v : k2)
      if (v != 0) index[v] = 0;
    int s = 0;
    for (auto& [v, i] : index) {
      i = s++;
      log_k2.push_back(std::log(static_cast<double>(v)));
    }
    modes.assign(index.size(), 0.0);
    for (int v : k2) {
      shell.push_back(v == 0 ? -1 : index[v]);
      if (v != 0) modes[static_cast<std::size_t>(shell.back())] += 1.0;
    }
    const char* env = std::getenv("NSBI_GRF_BINS");  // the number of bins (default 16)
    const int kBins = env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : 16;
    const double top = log_k2.back() + 1e-9;
    int last = -1;
    for (double L : log_k2) {
      const int b = static_cast<int>(L / top * kBins);
      if (b != last) ++bins;
      last = b;
      bin.push_back(bins - 1);
    }
    for (int j = 0; j < kN; ++j) twiddle.push_back(std::polar(1.0, -2.0 * std::numbers::pi * j / kN));
  }
  int shells() const { return static_cast<int>(modes.size()); }
};

const Grid& grid() {
  static const Grid g;
  return g;
}

void dft1(std::complex<double>* a, int stride) {
  const Grid& g = grid();
  std::complex<double> out[kN];
  for (int k = 0; k < kN; ++k) {
    std::complex<double> s = 0.0;
    for (int j = 0; j < kN; ++j) s += a[j * stride] * g.twiddle[(j * k) % kN];
    out[k] = s;
  }
  for (int k = 0; k < kN; ++k) a[k * stride] = out[k];
}

// S_q = Σ_{k in shell q} |DFT(map)_k|² / m.
std::vector<double> shell_power(std::vector<std::complex<double>> a, const std::vector<double>& power_factor) {
  for (int r = 0; r < kN; ++r) dft1(&a[static_cast<std::size_t>(r * kN)], 1);
  for (int c = 0; c < kN; ++c) dft1(&a[static_cast<std::size_t>(c)], kN);
  const Grid& g = grid();
  std::vector<double> s(static_cast<std::size_t>(g.shells()), 0.0);
  for (int i = 0; i < kM; ++i)
    if (g.shell[i] >= 0) s[static_cast<std::size_t>(g.shell[i])] += power_factor[static_cast<std::size_t>(g.shell[i])] * std::norm(a[i]) / kM;
  return s;
}

// −log-likelihood up to a constant: ½ Σ_q m_q (a − n L_q/2) + S_q exp(−a + n L_q/2), convex in (a, n).
bool maximum_likelihood(const std::vector<double>& s, double* theta) {
  const Grid& g = grid();
  double a = 0.0, n = 2.5;
  for (int it = 0; it < 200; ++it) {
    double ga = 0, gn = 0, haa = 0, han = 0, hnn = 0;
    for (int q = 0; q < g.shells(); ++q) {
      const double L = g.log_k2[q], m = g.modes[q], e = s[q] * std::exp(-a + 0.5 * n * L);
      ga += 0.5 * (m - e);
      gn += 0.25 * L * (e - m);
      haa += 0.5 * e;
      han -= 0.25 * L * e;
      hnn += 0.125 * L * L * e;
    }
    const double det = haa * hnn - han * han;
    if (!(det > 0)) return false;
    const double da = (hnn * ga - han * gn) / det, dn = (haa * gn - han * ga) / det;
    const double big = std::fmax(std::fabs(da), std::fabs(dn)), step = big > 1.0 ? 1.0 / big : 1.0;
    a -= step * da;
    n -= step * dn;
    if (big < 1e-10) {
      theta[0] = a;
      theta[1] = n;
      return true;
    }
  }
  return false;
}

int summarize(const std::vector<double>& s, int kind, double* x) {
  const Grid& g = grid();
  if (kind == 1) return maximum_likelihood(s, x) ? 0 : 1;
  if (kind == 2) {
    std::vector<double> power(static_cast<std::size_t>(g.bins), 0.0), modes(power.size(), 0.0);
    for (int q = 0; q < g.shells(); ++q) {
      power[static_cast<std::size_t>(g.bin[q])] += s[q];
      modes[static_cast<std::size_t>(g.bin[q])] += g.modes[q];
    }
    for (int b = 0; b < g.bins; ++b) x[b] = std::log(power[b] / modes[b]);
    return 0;
  }
  for (int q = 0; q < g.shells(); ++q) x[q] = std::log(s[q] / g.modes[q]);
  return 0;
}

int summary_dim(int kind) { return kind == 1 ? 2 : kind == 2 ? grid().bins : grid().shells(); }

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int simulate(const double* theta, int theta_dim, double* x, int x_dim, std::uint64_t seed, int kind) {
  if (theta_dim != 2 || x_dim != summary_dim(kind)) return 1;
  std::vector<std::complex<double>> w(kM);
  std::uint64_t state = seed;
  for (int i = 0; i < kM; i += 2) {  // Box–Muller: two normals per pair of uniforms in (0, 1]
    const double u1 = (static_cast<double>(splitmix64(state) >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    w[i] = r * std::cos(2.0 * std::numbers::pi * u2);
    w[i + 1] = r * std::sin(2.0 * std::numbers::pi * u2);
  }
  const Grid& g = grid();
  std::vector<double> power(static_cast<std::size_t>(g.shells()));
  for (int q = 0; q < g.shells(); ++q) power[q] = std::exp(theta[0] - 0.5 * theta[1] * g.log_k2[q]);
  return summarize(shell_power(std::move(w), power), kind, x);
}

}  // namespace

NSBI_PLUGIN_EXPORT int nsbi_simulate(const double* theta, int theta_dim, double* x, int x_dim, uint64_t seed) {
  return simulate(theta, theta_dim, x, x_dim, seed, 0);
}

NSBI_PLUGIN_EXPORT int nsbi_simulate_mle(const double* theta, int theta_dim, double* x, int x_dim, uint64_t seed) {
  return simulate(theta, theta_dim, x, x_dim, seed, 1);
}

NSBI_PLUGIN_EXPORT int nsbi_simulate_binned(const double* theta, int theta_dim, double* x, int x_dim, uint64_t seed) {
  return simulate(theta, theta_dim, x, x_dim, seed, 2);
}

// kind 0: shells, 1: MLE, 2: binned. Returns the summary's dimension when map is null, else 0 on success.
NSBI_PLUGIN_EXPORT int nsbi_grf_summary(const double* map, int map_dim, int kind, double* out) {
  if (map == nullptr) return summary_dim(kind);
  if (map_dim != kM) return -1;
  std::vector<std::complex<double>> a(map, map + kM);
  return summarize(shell_power(std::move(a), std::vector<double>(static_cast<std::size_t>(grid().shells()), 1.0)), kind, out);
}
