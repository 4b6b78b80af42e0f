#pragma once
// Embeddings "cnn1d" and "cnn2d" (sbi's CNNEmbedding): x read as a one-channel H×W grid
// (channel-major, row by row: x_{h·W + w}; a series is H = 1), then `layers` blocks of
//   Conv2d (same padding, channels·2^l output channels, kernel k×k, or 1×k when H = 1) → ReLU →
//   MaxPool2d (2×2; a side of length 1 is not pooled),
// flattened into a linear layer of `hidden` ReLU units and a linear layer of `features` outputs.
// With `global_mean`, each channel of the last block is averaged over the grid first (global
// average pooling): the head sees one value per channel, the summary is invariant to translations
// of x away from the borders, and the network's size does not depend on the grid's — the design
// for stationary fields, where sbi's flattening asks the head to learn the same statistic at every
// position. With `log_mean` as well, the head sees log(ε + mean) (ε = 1e-4): ReLU features of a
// map scale with its amplitude, so their logarithms turn a field's amplitude and spectral slope
// into additive terms (a learned log power spectrum, the usual cosmological summary).
// With `multiscale` as well, the channel means of every block go into the head, not only the
// last block's: block l sees the map at 1/2^l of its resolution, so its means summarise the field
// at that scale (a learned band power per scale), which the last block reaches only through the
// nonlinear blocks between.
// With circular padding (a periodic box: a cosmological simulation's map has no edges), every
// convolution commutes with circular shifts, and with `global_mean` a shift of x by a multiple of
// 2^layers cells in each direction leaves the summary unchanged. With `isotropic`, every kernel is
// averaged over the rotations and reflections of its square (a mirror for cnn1d): each block
// commutes with them (2×2 pooling of an even grid does too), so with `global_mean` the summary of
// a square map is invariant under its 8 rotations and reflections — the symmetry of an isotropic
// field, with 6 free weights per 5×5 kernel instead of 25.
#include <optional>
#include <vector>

#include "nsbi/nn/conv2d.hpp"
#include "nsbi/nn/embedding_net.hpp"
#include "nsbi/nn/max_pool2d.hpp"
#include "nsbi/nn/mlp.hpp"

namespace nsbi::nn {

struct CnnEmbeddingOptions {
  int height = 1, width = 1;  // the grid; H·W = x's dimension
  int channels = 6;           // of the first block, doubled in each further block
  int kernel = 5;             // odd
  int layers = 2;             // convolution blocks
  int hidden = 50;
  int features = 20;
  bool global_mean = false;
  bool log_mean = false;    // with global_mean
  bool multiscale = false;  // with global_mean: the means of every block, not only the last one's
  Padding padding = Padding::zeros;  // of every convolution
  bool isotropic = false;            // symmetric kernels (Conv2d's `symmetric`) in every block
};

template <typename T>
class CnnEmbedding final : public EmbeddingNet<T> {
 public:
  /// Layers registered in `params`, weights (PyTorch's default) from `rng`. Throws ConfigError
  /// for an even kernel or a grid that 2×2 pooling would empty.
  CnnEmbedding(ParameterBuffer<T>& params, const CnnEmbeddingOptions& options, RandomStream& rng);

  int input_dim() const override { return options_.height * options_.width; }
  int output_dim() const override { return options_.features; }
  const Mat<T>& forward(const Eigen::Ref<const Mat<T>>& x) override;
  const Mat<T>& backward(const Eigen::Ref<const Mat<T>>& d_features) override;

 private:
  CnnEmbeddingOptions options_;
  std::vector<Conv2d<T>> convs_;
  std::vector<MaxPool2d<T>> pools_;
  std::optional<Mlp<T>> head_;  // built after the blocks, whose output size it needs
  // conv_[l]: block l's convolution output after the ReLU; pooled_[l]: its pooled output
  // (pooled_[0] is x itself); d_ and dconv_: gradient workspace.
  std::vector<Mat<T>> conv_, pooled_;
  Mat<T> d_, dconv_;
  // global_mean: per block, the first row of its channel means in means_ (those blocks' channels
  // × N), or −1 for a block whose means the head does not read (all but the last without
  // multiscale).
  std::vector<Eigen::Index> mean_row_;
  Mat<T> means_;
  Mat<T> logs_;     // log_mean: log(ε + means_)
  Mat<T> d_means_;  // d(loss)/d means_
  // Channel means of pooled_[l + 1] into rows first … of means_, and its adjoint: every cell of
  // channel c gets d_means(first + c) / cells, added to d_pooled.
  void average(std::size_t l, Eigen::Index first);
  void average_backward(std::size_t l, Eigen::Index first, const Mat<T>& d_means, Mat<T>& d_pooled, bool add) const;
};

}  // namespace nsbi::nn
