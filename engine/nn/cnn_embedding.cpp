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
  cells_ = h * w;
  head_.emplace(params, std::vector<int>{o.global_mean ? c : c * h * w, o.hidden, o.features}, Activation::relu,
                rng);
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
  // Column n holds channel c's cells at rows c·cells … (c+1)·cells − 1: as a cells × (C·N) matrix,
  // the column means are the channels' means, column n·C + c.
  const Mat<T>& last = pooled_.back();
  const Eigen::Index c = last.rows() / cells_;
  means_.resize(c, last.cols());
  Eigen::Map<Mat<T>>(means_.data(), 1, means_.size()) =
      Eigen::Map<const Mat<T>>(last.data(), cells_, c * last.cols()).colwise().mean();
  if (!options_.log_mean) return head_->forward(means_);
  logs_ = (means_.array() + T(kLogEpsilon)).log().matrix();
  return head_->forward(logs_);
}

template <typename T>
const Mat<T>& CnnEmbedding<T>::backward(const Eigen::Ref<const Mat<T>>& d_features) {
  d_ = head_->backward(d_features);
  if (options_.log_mean) d_.array() /= means_.array() + T(kLogEpsilon);
  if (options_.global_mean) {  // each cell of channel c gets d(mean_c) / cells
    const Eigen::Index n = d_.cols(), c = d_.rows();
    dconv_.resize(c * cells_, n);
    Eigen::Map<Mat<T>>(dconv_.data(), cells_, c * n).noalias() =
        Eigen::Matrix<T, Eigen::Dynamic, 1>::Constant(cells_, T(1) / T(cells_)) *
        Eigen::Map<const Mat<T>>(d_.data(), 1, c * n);
    d_.swap(dconv_);
  }
  for (std::size_t l = convs_.size(); l-- > 0;) {
    pools_[l].backward(d_, dconv_);
    dconv_.array() *= (conv_[l].array() > T(0)).template cast<T>();  // through the ReLU
    convs_[l].backward(dconv_, d_);
  }
  return d_;
}

template class CnnEmbedding<float>;
template class CnnEmbedding<double>;

}  // namespace nsbi::nn
