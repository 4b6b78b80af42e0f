#include "nsbi/nn/cnn_embedding.hpp"

#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

namespace {

// 2 where a side can be halved, 1 where it has length 1 (a series keeps its single row).
int pool_of(int side) { return side >= 2 ? 2 : 1; }

constexpr double kLogEpsilon = 1e-4;

}  // namespace

template <typename T>
CnnEmbedding<T>::CnnEmbedding(ParameterBuffer<T>& params, const CnnEmbeddingOptions& o, RandomStream& rng)
    : options_(o) {
  int h = o.height, w = o.width, c = 1;
  const int kh = h == 1 ? 1 : o.kernel;
  for (int l = 0; l < o.layers; ++l) {
    const int out = o.channels << l;
    convs_.emplace_back(params, c, out, h, w, kh, o.kernel, o.padding, o.isotropic);
    convs_.back().init_default(rng);
    pools_.emplace_back(out, h, w, pool_of(h), pool_of(w));
    h = pools_.back().out_height();
    w = pools_.back().out_width();
    c = out;
  }
  int head_in = c * h * w;
  if (o.global_mean) {
    head_in = 0;
    for (int l = 0; l < o.layers; ++l) {
      const bool read = o.multiscale || l == o.layers - 1;
      mean_row_.push_back(read ? head_in : -1);
      if (read) head_in += o.channels << l;
    }
  }
  head_.emplace(params, std::vector<int>{head_in, o.hidden, o.features}, Activation::relu, rng);
  conv_.resize(static_cast<std::size_t>(o.layers));
  pooled_.resize(static_cast<std::size_t>(o.layers) + 1);
}

template <typename T>
const Mat<T>& CnnEmbedding<T>::forward(const Eigen::Ref<const Mat<T>>& x) {
  pooled_[0] = x;
  for (std::size_t l = 0; l < convs_.size(); ++l) {
    convs_[l].forward(pooled_[l], conv_[l]);
    conv_[l].array() = conv_[l].array().max(T(0));
    pools_[l].forward(conv_[l], pooled_[l + 1]);
  }
  if (!options_.global_mean) return head_->forward(pooled_.back());
  means_.resize(head_->sizes().front(), x.cols());
  for (std::size_t l = 0; l < mean_row_.size(); ++l)
    if (mean_row_[l] >= 0) average(l, mean_row_[l]);
  if (!options_.log_mean) return head_->forward(means_);
  logs_ = (means_.array() + T(kLogEpsilon)).log().matrix();
  return head_->forward(logs_);
}

template <typename T>
const Mat<T>& CnnEmbedding<T>::backward(const Eigen::Ref<const Mat<T>>& d_features) {
  d_ = head_->backward(d_features);
  if (options_.log_mean) d_.array() /= means_.array() + T(kLogEpsilon);
  if (options_.global_mean) {
    d_means_.swap(d_);
    average_backward(mean_row_.size() - 1, mean_row_.back(), d_means_, d_, false);
  }
  for (std::size_t l = convs_.size(); l-- > 0;) {
    pools_[l].backward(d_, dconv_);
    dconv_.array() *= (conv_[l].array() > T(0)).template cast<T>();  // through the ReLU
    convs_[l].backward(dconv_, d_);
    // d_ is now d(loss)/d pooled_[l]: add what block l − 1's means send back to it.
    if (l > 0 && options_.global_mean && mean_row_[l - 1] >= 0)
      average_backward(l - 1, mean_row_[l - 1], d_means_, d_, true);
  }
  return d_;
}

template <typename T>
void CnnEmbedding<T>::average(std::size_t l, Eigen::Index first) {
  // Column n holds channel c's cells at rows c·cells … (c+1)·cells − 1: as a cells × (C·N) matrix,
  // the column means are the channels' means, column n·C + c.
  const Mat<T>& p = pooled_[l + 1];
  const Eigen::Index c = convs_[l].out_channels(), cells = p.rows() / c, n = p.cols();
  const auto m = Eigen::Map<const Mat<T>>(p.data(), cells, c * n).colwise().mean();
  for (Eigen::Index s = 0; s < n; ++s) means_.col(s).segment(first, c) = m.segment(s * c, c).transpose();
}

template <typename T>
void CnnEmbedding<T>::average_backward(std::size_t l, Eigen::Index first, const Mat<T>& d_means, Mat<T>& d_pooled,
                                       bool add) const {
  const Eigen::Index c = convs_[l].out_channels(), n = d_means.cols();
  const Eigen::Index cells = static_cast<Eigen::Index>(pooled_[l + 1].rows()) / c;
  if (!add) d_pooled.resize(c * cells, n);
  for (Eigen::Index s = 0; s < n; ++s) {
    auto cells_of = Eigen::Map<Mat<T>>(d_pooled.col(s).data(), cells, c);
    const auto share = (d_means.col(s).segment(first, c) / T(cells)).transpose();
    if (add)
      cells_of.rowwise() += share;
    else
      cells_of.rowwise() = share;
  }
}

template class CnnEmbedding<float>;
template class CnnEmbedding<double>;

}  // namespace nsbi::nn
