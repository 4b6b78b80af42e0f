#include "nsbi/nn/power_spectrum_embedding.hpp"

#include <cmath>
#include <numbers>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

namespace {

constexpr double kTiny = 1e-12;  // log(p + tiny): a constant map has p = 0

std::vector<int> hidden_sizes(int bins, int hidden, int layers, int features) {
  std::vector<int> sizes{bins};
  sizes.insert(sizes.end(), static_cast<std::size_t>(layers), hidden);
  sizes.push_back(features);
  return sizes;
}

// cos and sin of 2π·a·j/n (n×n, symmetric).
template <typename T>
void dft_matrices(int n, Mat<T>& c, Mat<T>& s) {
  c.resize(n, n);
  s.resize(n, n);
  for (int a = 0; a < n; ++a)
    for (int j = 0; j < n; ++j) {
      const double phase = 2.0 * std::numbers::pi * static_cast<double>((a * j) % n) / n;
      c(a, j) = static_cast<T>(std::cos(phase));
      s(a, j) = static_cast<T>(std::sin(phase));
    }
}

}  // namespace

SpectrumBins spectrum_bins(int height, int width, int bins) {
  if (height < 1 || width < 1 || height * width < 2 || bins < 1)
    throw ConfigError(make_message("power_spectrum embedding", "shape and bins",
                                   "a grid of at least 2 cells and at least 1 bin",
                                   std::to_string(height) + "×" + std::to_string(width) + ", " +
                                       std::to_string(bins) + " bins"));
  const auto freq = [](int i, int n) { return static_cast<double>(i <= n / 2 ? i : i - n) / n; };
  // Position r·W + c of the row-major map: row frequency along H, column frequency along W.
  std::vector<double> log_k2(static_cast<std::size_t>(height * width), 0.0);
  double lo = INFINITY, hi = -INFINITY;
  for (int r = 0; r < height; ++r)
    for (int c = 0; c < width; ++c) {
      const double k2 = freq(r, height) * freq(r, height) + freq(c, width) * freq(c, width);
      if (k2 == 0) continue;
      log_k2[static_cast<std::size_t>(r * width + c)] = std::log(k2);
      lo = std::fmin(lo, std::log(k2));
      hi = std::fmax(hi, std::log(k2));
    }
  std::vector<int> interval(log_k2.size(), -1), used(static_cast<std::size_t>(bins), 0);
  const double span = hi - lo;
  for (std::size_t i = 0; i < log_k2.size(); ++i) {
    if (i == 0) continue;  // the mean mode
    const int b = span > 0 ? std::min(bins - 1, static_cast<int>((log_k2[i] - lo) / span * bins)) : 0;
    interval[i] = b;
    used[static_cast<std::size_t>(b)] += 1;
  }
  std::vector<int> index(static_cast<std::size_t>(bins), -1);
  SpectrumBins out;
  for (int b = 0; b < bins; ++b)
    if (used[static_cast<std::size_t>(b)] > 0) {
      index[static_cast<std::size_t>(b)] = out.count();
      out.modes.push_back(used[static_cast<std::size_t>(b)]);
    }
  out.bin.resize(interval.size());
  for (std::size_t i = 0; i < interval.size(); ++i)
    out.bin[i] = interval[i] < 0 ? -1 : index[static_cast<std::size_t>(interval[i])];
  return out;
}

template <typename T>
PowerSpectrumEmbedding<T>::PowerSpectrumEmbedding(ParameterBuffer<T>& params, int height, int width, int bins,
                                                  int hidden, int layers, int features, RandomStream& rng)
    : h_(height), w_(width), bins_(spectrum_bins(height, width, bins)), params_(&params),
      scale_(params.allocate(bins_.count())), shift_(params.allocate(bins_.count())),
      head_(params, hidden_sizes(bins_.count(), hidden, layers, features), Activation::relu, rng) {
  params.values().segment(scale_, bins_.count()).setOnes();
  inv_modes_.resize(bins_.count());
  for (int b = 0; b < bins_.count(); ++b)
    inv_modes_(b) = static_cast<T>(1.0 / (static_cast<double>(bins_.modes[static_cast<std::size_t>(b)]) * h_ * w_));
  dft_matrices(w_, cw_, sw_);
  dft_matrices(h_, ch_, sh_);
}

template <typename T>
const Mat<T>& PowerSpectrumEmbedding<T>::log_power(const Eigen::Ref<const Mat<T>>& x) {
  if (x.cols() > 1 && x.outerStride() != x.rows()) {  // a view with gaps between its columns
    contiguous_ = x;
    return log_power(contiguous_);
  }
  const Eigen::Index n = x.cols(), B = bins_.count();
  // Column j of x, read as a W×H matrix m (m(c, r) = map(r, c)): X = F_W·m·F_H with
  // F = C − i·S, so with A = F_W·m: Re A = C_W·m, Im A = −S_W·m, and
  // Re X = Re A·C_H + Im A·S_H, Im X = Im A·C_H − Re A·S_H.
  const Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>> all(x.data(), w_, h_ * n, Eigen::OuterStride<>(w_));
  ar_.noalias() = cw_ * all;
  ai_.noalias() = -(sw_ * all);
  const Mat<T>&ar = ar_, &ai = ai_;
  xr_.resize(w_, h_ * n);
  xi_.resize(w_, h_ * n);
  power_.setZero(B, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const auto cols = Eigen::seqN(j * h_, h_);
    xr_(Eigen::all, cols).noalias() = ar(Eigen::all, cols) * ch_ + ai(Eigen::all, cols) * sh_;
    xi_(Eigen::all, cols).noalias() = ai(Eigen::all, cols) * ch_ - ar(Eigen::all, cols) * sh_;
    for (int r = 0; r < h_; ++r)
      for (int c = 0; c < w_; ++c) {
        const int b = bins_.bin[static_cast<std::size_t>(r * w_ + c)];
        if (b < 0) continue;
        const T re = xr_(c, j * h_ + r), im = xi_(c, j * h_ + r);
        power_(b, j) += re * re + im * im;
      }
  }
  s_.resize(B, n);
  for (Eigen::Index b = 0; b < B; ++b) {
    power_.row(b) *= inv_modes_(b);
    s_.row(b) = (power_.row(b).array() + T(kTiny)).log();
  }
  return s_;
}

template <typename T>
const Mat<T>& PowerSpectrumEmbedding<T>::forward(const Eigen::Ref<const Mat<T>>& x) {
  if (x.rows() != input_dim())
    throw ShapeError(make_message("power_spectrum embedding", "x rows", std::to_string(input_dim()),
                                  std::to_string(x.rows())));
  log_power(x);
  const auto a = params_->matrix(scale_, bins_.count(), 1), c = params_->matrix(shift_, bins_.count(), 1);
  z_ = (s_.array().colwise() * a.col(0).array()).colwise() + c.col(0).array();
  return head_.forward(z_);
}

template <typename T>
const Mat<T>& PowerSpectrumEmbedding<T>::backward(const Eigen::Ref<const Mat<T>>& d_features) {
  const Mat<T>& dz = head_.backward(d_features);
  const Eigen::Index n = dz.cols(), B = bins_.count();
  const auto a = params_->matrix(scale_, B, 1);
  params_->grad_matrix(scale_, B, 1).col(0) += (dz.array() * s_.array()).rowwise().sum().matrix();
  params_->grad_matrix(shift_, B, 1).col(0) += dz.rowwise().sum();
  // d(loss)/d|X_k|² = dz_b·a_b / ((p_b + tiny)·M_b·H·W) for k in bin b.
  ds_.resize(B, n);
  for (Eigen::Index b = 0; b < B; ++b) {
    ds_.row(b) = dz.row(b).array() * a(b, 0) * inv_modes_(b) / (power_.row(b).array() + T(kTiny));
  }
  // d|X_k|²/dm = 2·Re(conj(X_k)·∂X_k/∂m): dm = 2·Re(F_W·Y·F_H) with Y = w ⊙ conj(X), so with
  // Z = F_W·Y: Re Z = C_W·Re Y + S_W·Im Y, Im Z = C_W·Im Y − S_W·Re Y, dm = 2·(Re Z·C_H + Im Z·S_H).
  Mat<T>&yr = ar_, &yi = ai_;  // the forward's workspace, free again
  yr.resize(w_, h_ * n);
  yi.resize(w_, h_ * n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (int r = 0; r < h_; ++r)
      for (int c = 0; c < w_; ++c) {
        const int b = bins_.bin[static_cast<std::size_t>(r * w_ + c)];
        const T wk = b < 0 ? T(0) : ds_(b, j);
        yr(c, j * h_ + r) = wk * xr_(c, j * h_ + r);
        yi(c, j * h_ + r) = -wk * xi_(c, j * h_ + r);
      }
  Mat<T>&zr = zr_, &zi = zi_;
  zr.noalias() = cw_ * yr;
  zr.noalias() += sw_ * yi;
  zi.noalias() = cw_ * yi;
  zi.noalias() -= sw_ * yr;
  dx_.resize(h_ * w_, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const auto cols = Eigen::seqN(j * h_, h_);
    Eigen::Map<Mat<T>> dm(dx_.col(j).data(), w_, h_);
    dm.noalias() = T(2) * (zr(Eigen::all, cols) * ch_ + zi(Eigen::all, cols) * sh_);
  }
  return dx_;
}

template <typename T>
void PowerSpectrumEmbedding<T>::calibrate(const Eigen::Ref<const Mat<T>>& x) {
  if (x.cols() < 2) return;
  const Eigen::Index B = bins_.count();
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(B), sq = Eigen::VectorXd::Zero(B);
  constexpr Eigen::Index kChunk = 256;  // bounded workspace for any number of maps
  for (Eigen::Index first = 0; first < x.cols(); first += kChunk) {
    const Eigen::Index m = std::min(kChunk, x.cols() - first);
    const Mat<T>& s = log_power(x.middleCols(first, m));
    for (Eigen::Index b = 0; b < B; ++b)
      for (Eigen::Index j = 0; j < m; ++j) {
        const double v = static_cast<double>(s(b, j));
        sum(b) += v;
        sq(b) += v * v;
      }
  }
  const double count = static_cast<double>(x.cols());
  auto a = params_->matrix(scale_, B, 1);
  auto c = params_->matrix(shift_, B, 1);
  for (Eigen::Index b = 0; b < B; ++b) {
    const double mean = sum(b) / count, var = std::max(0.0, sq(b) / count - mean * mean);
    const double sd = var > 1e-12 ? std::sqrt(var) : 1.0;
    a(b, 0) = static_cast<T>(1.0 / sd);
    c(b, 0) = static_cast<T>(-mean / sd);
  }
}

template class PowerSpectrumEmbedding<float>;
template class PowerSpectrumEmbedding<double>;

}  // namespace nsbi::nn
