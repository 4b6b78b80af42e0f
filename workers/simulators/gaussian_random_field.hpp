#pragma once
// The gaussian_random_field demonstrator task (issue 13): a zero-mean Gaussian random field on an
// N×N periodic grid with power spectrum P(k) = A·|k|^(−n), θ = (log A, n), x = the map (N² values,
// row-major). |k| is the length of the integer wave vector (k_x, k_y), each component taken in
// (−N/2, N/2]; the k = 0 mode is zero (the field has zero mean).
//
// Simulation: white noise w (N² iid N(0, 1)), W = FFT₂(w), x = Re IFFT₂(√P · W) with IFFT₂ carrying
// the 1/N². Because √P(k) = √P(−k), x is real and its transform X = FFT₂(x) = √P · W, so the modes
// are independent Gaussians with E|X(k)|² = N²·P(k): a complex pair (k, −k) or, for the modes
// with k = −k mod N other than 0, a real value. In the orthonormal real coordinates of the
// unitary transform (X/N for a real mode, √2·Re X/N and √2·Im X/N for a pair) every coordinate is
// N(0, P(k)), so the density of a zero-mean map (on the N² − 1 dimensional space of such maps) is
//   log p(x | θ) = Σ_{k≠0} [ −½ log(2π P(k)) − ½ S(k)/P(k) ],   S(k) = |X(k)|²/N²,
// summed here over the distinct |k|² with their counts. The reference posterior (nsbi bench
// reference) samples it by MCMC.
#include <Eigen/Core>
#include <complex>
#include <vector>

#include "nsbi/core/random.hpp"

namespace nsbi {

class GaussianRandomField {
 public:
  /// N a power of two ≥ 2.
  explicit GaussianRandomField(int n);
  int size() const { return n_; }

  /// x (N², row-major) ~ p(x | θ), θ = (log A, n); drawing N² normals from `rng`. Allocation-free.
  void simulate(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const;

  /// The sufficient statistics of a map: per distinct |k|² > 0, the number of modes and Σ S(k).
  struct Spectrum {
    std::vector<double> log_k2, modes, power;
    double constant = 0;  // −½ (N² − 1) log 2π
  };
  Spectrum spectrum(const Eigen::Ref<const Eigen::VectorXd>& x) const;
  /// log p(x | θ) from the map's spectrum.
  static double log_likelihood(const Spectrum& s, const Eigen::Ref<const Eigen::VectorXd>& theta);

 private:
  /// In-place 2-D transform of the N×N row-major grid (inverse: conjugate twiddles, no scaling).
  void fft2(std::complex<double>* grid, bool inverse) const;
  void fft1(std::complex<double>* a, int stride, bool inverse) const;

  int n_, log2n_;
  std::vector<std::complex<double>> twiddle_;  // e^{−2πi j/N}, j < N/2
  std::vector<int> bitrev_;
  std::vector<double> k2_;                       // |k|² per grid index
  mutable std::vector<std::complex<double>> work_;
};

}  // namespace nsbi
