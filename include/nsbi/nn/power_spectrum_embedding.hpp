#pragma once
// Embedding "power_spectrum": x is an H×W map (row-major, as for cnn2d) on a periodic grid;
// the features are the map's binned power spectrum, the summary a cosmologist computes first:
//
//   X = DFT₂(map),  p_b = Σ_{k ∈ b} |X_k|² / (M_b·H·W),  s_b = log(p_b + 10⁻¹²),
//   z_b = a_b·s_b + c_b,  features = MLP(z) (`layers` hidden layers of `hidden` ReLU units).
//
// The bins: `bins` intervals of equal width in log |k|² (|k|² = (k_y/H)² + (k_x/W)², k = 0
// excluded), from the smallest to the largest |k|² of the grid; empty intervals are dropped, so
// bin_count() ≤ bins. M_b is the number of modes in bin b. Averaging many modes per bin makes
// log p_b nearly Gaussian, and a few dozen bins keep the context low-dimensional; for a
// statistically isotropic field the spectrum carries the map's information about the spectrum's
// parameters, up to the shape within a bin.
//
// (a, c) are parameters, trained with the rest; calibrate() sets them once, from the training
// maps, so that z has mean 0 and variance 1 over them (data-dependent initialisation, as Glow's
// ActNorm): the log powers span many units across bins and parameters, the MLP wants O(1) input.
#include <vector>

#include "nsbi/core/random.hpp"
#include "nsbi/nn/embedding_net.hpp"
#include "nsbi/nn/mlp.hpp"

namespace nsbi::nn {

/// The bins of an H×W grid: bin index per position of the row-major map (−1 for the mean
/// mode), and the number of (non-empty) bins.
struct SpectrumBins {
  std::vector<int> bin;
  std::vector<int> modes;  // per bin
  int count() const { return static_cast<int>(modes.size()); }
};
SpectrumBins spectrum_bins(int height, int width, int bins);

template <typename T>
class PowerSpectrumEmbedding final : public EmbeddingNet<T> {
 public:
  PowerSpectrumEmbedding(ParameterBuffer<T>& params, int height, int width, int bins, int hidden, int layers,
                         int features, RandomStream& rng);

  int input_dim() const override { return h_ * w_; }
  int output_dim() const override { return head_.sizes().back(); }
  int bin_count() const { return bins_.count(); }
  const Mat<T>& forward(const Eigen::Ref<const Mat<T>>& x) override;
  const Mat<T>& backward(const Eigen::Ref<const Mat<T>>& d_features) override;
  void calibrate(const Eigen::Ref<const Mat<T>>& x) override;

  /// s = log binned power of each column of x (bin_count()×N), without the affine map.
  const Mat<T>& log_power(const Eigen::Ref<const Mat<T>>& x);

 private:
  int h_, w_;
  SpectrumBins bins_;
  Vec<T> inv_modes_;                     // 1/(M_b·H·W) per bin
  ParameterBuffer<T>* params_;
  Eigen::Index scale_ = 0, shift_ = 0;  // a and c, bin_count() each
  Mat<T> cw_, sw_, ch_, sh_;             // cos and sin of the DFT along the rows (W) and columns (H)
  Mlp<T> head_;
  Mat<T> xr_, xi_;                       // Re and Im of every column's DFT, W×(H·N)
  Mat<T> ar_, ai_, zr_, zi_;             // workspace of the row transforms, W×(H·N)
  Mat<T> contiguous_;                    // x copied when its columns are not contiguous
  Mat<T> power_, s_, z_, ds_, dx_;       // p, s, z (bin_count()×N), d(loss)/ds, d(loss)/dx
};

}  // namespace nsbi::nn
