// The gaussian_random_field task (gaussian_random_field.hpp): a 32×32 map, θ = (log A, n) with
// log A ~ U(−1, 1), n ~ U(1, 4).
#include "workers/simulators/gaussian_random_field.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <numbers>
#include <stdexcept>

#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/builtin_simulator.hpp"

namespace nsbi {

GaussianRandomField::GaussianRandomField(int n) : n_(n), log2n_(0) {
  if (n < 2 || (n & (n - 1)) != 0) throw std::invalid_argument("GaussianRandomField: N must be a power of two >= 2");
  while ((1 << log2n_) < n) ++log2n_;
  twiddle_.resize(static_cast<std::size_t>(n / 2));
  for (int j = 0; j < n / 2; ++j) twiddle_[j] = std::polar(1.0, -2.0 * std::numbers::pi * j / n);
  bitrev_.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    int r = 0;
    for (int b = 0; b < log2n_; ++b) r |= ((i >> b) & 1) << (log2n_ - 1 - b);
    bitrev_[i] = r;
  }
  k2_.resize(static_cast<std::size_t>(n) * n);
  const auto freq = [n](int i) { return i <= n / 2 ? i : i - n; };
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) k2_[static_cast<std::size_t>(r * n + c)] = double(freq(r) * freq(r) + freq(c) * freq(c));
  work_.resize(static_cast<std::size_t>(n) * n);
}

// Iterative radix-2 Cooley–Tukey on a[0], a[stride], …, a[(N−1)·stride].
void GaussianRandomField::fft1(std::complex<double>* a, int stride, bool inverse) const {
  const int n = n_;
  for (int i = 0; i < n; ++i) {
    const int j = bitrev_[i];
    if (i < j) std::swap(a[i * stride], a[j * stride]);
  }
  for (int len = 2; len <= n; len <<= 1) {
    const int half = len / 2, step = n / len;
    for (int i = 0; i < n; i += len)
      for (int j = 0; j < half; ++j) {
        const std::complex<double> w = inverse ? std::conj(twiddle_[j * step]) : twiddle_[j * step];
        std::complex<double>& u = a[(i + j) * stride];
        std::complex<double>& v = a[(i + j + half) * stride];
        const std::complex<double> t = w * v;
        v = u - t;
        u += t;
      }
  }
}

void GaussianRandomField::fft2(std::complex<double>* grid, bool inverse) const {
  for (int r = 0; r < n_; ++r) fft1(grid + r * n_, 1, inverse);
  for (int c = 0; c < n_; ++c) fft1(grid + c, n_, inverse);
}

void GaussianRandomField::simulate(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                                   Eigen::Ref<Eigen::VectorXd> x) const {
  const std::size_t m = work_.size();
  for (std::size_t i = 0; i < m; ++i) work_[i] = rng.normal();
  fft2(work_.data(), false);
  // √P(k) = exp(½ (log A − n/2 · log |k|²)); the mean mode is zero.
  work_[0] = 0.0;
  for (std::size_t i = 1; i < m; ++i) work_[i] *= std::exp(0.5 * (theta(0) - 0.5 * theta(1) * std::log(k2_[i])));
  fft2(work_.data(), true);
  const double scale = 1.0 / static_cast<double>(m);
  for (std::size_t i = 0; i < m; ++i) x(static_cast<Eigen::Index>(i)) = work_[i].real() * scale;
}

GaussianRandomField::Spectrum GaussianRandomField::spectrum(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  const std::size_t m = work_.size();
  if (static_cast<std::size_t>(x.size()) != m) throw std::invalid_argument("GaussianRandomField::spectrum: map size");
  for (std::size_t i = 0; i < m; ++i) work_[i] = x(static_cast<Eigen::Index>(i));
  fft2(work_.data(), false);
  std::map<double, std::pair<double, double>> by_k2;  // |k|² → (modes, Σ S)
  Spectrum s;
  const double nn = static_cast<double>(m);
  for (std::size_t i = 1; i < m; ++i) {
    auto& [modes, power] = by_k2[k2_[i]];
    modes += 1;
    power += std::norm(work_[i]) / nn;
  }
  s.constant = -0.5 * (nn - 1.0) * std::log(2.0 * std::numbers::pi);
  for (const auto& [k2, v] : by_k2) {
    s.log_k2.push_back(std::log(k2));
    s.modes.push_back(v.first);
    s.power.push_back(v.second);
  }
  return s;
}

double GaussianRandomField::log_likelihood(const Spectrum& s, const Eigen::Ref<const Eigen::VectorXd>& theta) {
  double l = s.constant;
  for (std::size_t q = 0; q < s.modes.size(); ++q) {
    const double log_p = theta(0) - 0.5 * theta(1) * s.log_k2[q];
    l -= 0.5 * (s.modes[q] * log_p + s.power[q] * std::exp(-log_p));
  }
  return l;
}

namespace {

constexpr int kGrid = 32;

class GaussianRandomFieldSimulator final : public BuiltinSimulator {
 public:
  GaussianRandomFieldSimulator() : BuiltinSimulator("gaussian_random_field", 2, kGrid * kGrid), field_(kGrid) {}

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override {
    field_.simulate(theta, rng, x);
  }

 private:
  GaussianRandomField field_;
};

std::unique_ptr<Prior> grf_prior() {
  return std::make_unique<BoxUniform>(Eigen::Vector2d(-1.0, 1.0), Eigen::Vector2d(1.0, 4.0));
}

}  // namespace

Task gaussian_random_field_task() {
  Task t{.name = "gaussian_random_field",
         .theta_dim = 2,
         .x_dim = kGrid * kGrid,
         .description =
             "32x32 periodic Gaussian random field with power spectrum A k^-n, theta = (log A, n); exact likelihood",
         .make_prior = grf_prior,
         .make_simulator = [] { return std::make_unique<GaussianRandomFieldSimulator>(); }};
  t.make_log_likelihood = [](const Eigen::VectorXd& x_o) -> Task::LogLikelihood {
    auto spectrum = std::make_shared<GaussianRandomField::Spectrum>(GaussianRandomField(kGrid).spectrum(x_o));
    return [spectrum](const Eigen::Ref<const Eigen::VectorXd>& theta) {
      return GaussianRandomField::log_likelihood(*spectrum, theta);
    };
  };
  return t;
}

}  // namespace nsbi
