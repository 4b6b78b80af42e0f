#include "nsbi/nn/autoregressive_flow.hpp"

#include <cmath>
#include <span>
#include <utility>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

FlowOrder flow_order_from(const std::string& name, const std::string& key) {
  if (name == "reverse") return FlowOrder::reverse;
  if (name == "random") return FlowOrder::random;
  throw ConfigError(make_message("estimator", key, "\"reverse\" or \"random\"", "\"" + name + "\""));
}

template <typename T>
AutoregressiveFlow<T>::AutoregressiveFlow(int dim, int context_dim, int transforms, int hidden, int outputs_per_dim,
                                          std::uint64_t seed, Standardizer y_standardizer, Standardizer c_standardizer,
                                          FlowOrder order)
    : dim_(dim),
      context_dim_(context_dim),
      y_std_(std::move(y_standardizer)),
      c_std_(std::move(c_standardizer)),
      params_(std::make_unique<ParameterBuffer<T>>()) {
  mades_.reserve(transforms);
  std::vector<int> positions;
  for (int k = 0; k < transforms; ++k) {
    if (order == FlowOrder::random) {
      // Fisher–Yates over 0..D−1.
      RandomStream orng(seed, StreamId::initialization, kOrderStream, static_cast<std::uint64_t>(k));
      positions.resize(static_cast<std::size_t>(dim));
      for (int i = 0; i < dim; ++i) positions[static_cast<std::size_t>(i)] = i;
      for (int i = dim - 1; i > 0; --i)
        std::swap(positions[static_cast<std::size_t>(i)],
                  positions[static_cast<std::size_t>(orng.below(static_cast<std::uint64_t>(i) + 1))]);
    }
    mades_.emplace_back(*params_, dim, context_dim, hidden, outputs_per_dim, std::span<const int>(positions));
  }
  RandomStream rng(seed, StreamId::initialization, 0, 0);
  for (auto& m : mades_) m.init(rng);
  u_.resize(transforms + 1);
}

template <typename T>
void AutoregressiveFlow<T>::standardize(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c) {
  const Eigen::Index n = y.cols();
  u_[0].resize(dim_, n);
  y_std_.apply<T>(y, u_[0]);
  cz_.resize(context_dim_, n);
  c_std_.apply<T>(c, cz_);
  log_det_.setConstant(n, static_cast<T>(y_std_.log_abs_det()));
}

template <typename T>
void AutoregressiveFlow<T>::base_log_prob(Eigen::Ref<Vec<T>> out) const {
  standard_normal_log_prob<T>(u_.back(), log_det_, out);
}

template <typename T>
void AutoregressiveFlow<T>::backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) {
  dcz_.setZero(context_dim_, g.size());
  context_grad_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{context_grad_};
  this->backward(g);
  // cz = (c − μ)/σ, so d/dc = d/dcz / σ.
  dc = (dcz_.array().colwise() / c_std_.std.cast<T>().array()).matrix();
}

template <typename T>
Mat<T> AutoregressiveFlow<T>::transform(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c) {
  Vec<T> lp(y.cols());
  this->log_prob(y, c, lp);
  return u_.back();
}

template <typename T>
Mat<T> AutoregressiveFlow<T>::inverse(const Eigen::Ref<const Mat<T>>& u_K, const Eigen::Ref<const Mat<T>>& c) {
  const Eigen::Index n = u_K.cols();
  Mat<T> cz(context_dim_, n);
  c_std_.apply<T>(c, cz);
  Mat<T> u = u_K, v, prev(dim_, n);
  for (int k = transforms() - 1; k >= 0; --k) {
    v = u.colwise().reverse();
    invert_transform(k, v, cz, prev);
    u.swap(prev);
  }
  Mat<T> y(dim_, n);
  y_std_.invert<T>(u, y);
  return y;
}

template <typename T>
Mat<T> AutoregressiveFlow<T>::sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) {
  return inverse(standard_normal<T>(dim_, n, rng), c.replicate(1, n));
}

template class AutoregressiveFlow<float>;
template class AutoregressiveFlow<double>;

}  // namespace nsbi::nn
