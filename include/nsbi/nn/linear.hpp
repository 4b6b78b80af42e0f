#pragma once
// Affine layer Y = W·X + b with W (out×in), X (in×N), Y (out×N), optionally masked (MADE).
//
// A mask is enforced by keeping masked weights at exactly zero: they are zeroed at
// initialisation and their gradient is zeroed in backward, so Adam never moves them and the
// forward pass needs no elementwise product.
#include <optional>
#include <utility>

#include "nsbi/core/random.hpp"
#include "nsbi/nn/parameter_buffer.hpp"

namespace nsbi::nn {

template <typename T>
class Linear {
 public:
  Linear() = default;
  /// Registers W and b in `params`. `bias` = false registers no bias (a context branch whose
  /// bias would duplicate the main branch's).
  Linear(ParameterBuffer<T>& params, int in, int out, bool bias = true);

  int in() const { return in_; }
  int out() const { return out_; }

  /// PyTorch's default: W, b ~ U(−1/√in, 1/√in); masked entries set to 0.
  void init_default(RandomStream& rng);
  /// W, b ~ U(−bound, bound) (Glorot uniform etc.).
  void init_uniform(RandomStream& rng, double bound);
  /// mask (out×in) of 0/1: entries with 0 are held at zero.
  void set_mask(const Mat<T>& mask);

  /// Y = W·X + b.
  void forward(const Eigen::Ref<const Mat<T>>& X, Eigen::Ref<Mat<T>> Y) const;
  /// Y += W·X (no bias).
  void forward_add(const Eigen::Ref<const Mat<T>>& X, Eigen::Ref<Mat<T>> Y) const;
  /// dW += dY·Xᵀ (masked), db += Σ_n dY(:, n).
  void backward_params(const Eigen::Ref<const Mat<T>>& X, const Eigen::Ref<const Mat<T>>& dY);
  /// dX = Wᵀ·dY (or += when accumulate).
  void backward_input(const Eigen::Ref<const Mat<T>>& dY, Eigen::Ref<Mat<T>> dX, bool accumulate = false) const;

  Eigen::Map<const Mat<T>> weight() const { return std::as_const(*params_).matrix(w_, out_, in_); }
  Eigen::Map<Mat<T>> weight() { return params_->matrix(w_, out_, in_); }
  /// b (out×1); only for a layer registered with a bias.
  Eigen::Map<const Mat<T>> bias() const { return std::as_const(*params_).matrix(b_, out_, 1); }
  Eigen::Map<Mat<T>> bias() { return params_->matrix(b_, out_, 1); }

 private:
  ParameterBuffer<T>* params_ = nullptr;
  int in_ = 0, out_ = 0;
  Eigen::Index w_ = 0, b_ = -1;
  std::optional<Mat<T>> mask_;
};

}  // namespace nsbi::nn
