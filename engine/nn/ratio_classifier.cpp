#include "nsbi/nn/ratio_classifier.hpp"

#include <cmath>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {
namespace {

constexpr double kResidualInitBound = 1e-3;  // nflows' zero_initialization of a block's last layer

// Checked before any layer is built from them.
int checked_blocks(int theta_dim, int x_dim, const RatioClassifierOptions& o) {
  const bool resnet = o.architecture == RatioArchitecture::resnet;
  if (theta_dim < 1 || x_dim < 1 || o.hidden < 1 || (resnet && o.blocks < 1))
    throw ConfigError(make_message("ratio classifier", resnet ? "theta_dim, x_dim, hidden, blocks" : "theta_dim, x_dim, hidden",
                                   "all ≥ 1",
                                   std::to_string(theta_dim) + ", " + std::to_string(x_dim) + ", " +
                                       std::to_string(o.hidden) + (resnet ? ", " + std::to_string(o.blocks) : "")));
  return resnet ? o.blocks : 1;
}

void check_standardizer(const Standardizer& s, int dim, const char* what) {
  if (s.dim() != dim || s.std.size() != dim)
    throw ShapeError(make_message("ratio classifier", std::string(what) + " standardizer dimension",
                                  std::to_string(dim), std::to_string(s.dim())));
}

template <typename T>
void relu(const Mat<T>& in, Mat<T>& out) {
  out = in.cwiseMax(T(0));
}

// d ⊙= 1[a > 0]: back through a = ReLU(pre), whose mask a > 0 equals pre > 0.
template <typename T>
void relu_backward(const Mat<T>& a, Mat<T>& d) {
  d.array() *= (a.array() > T(0)).template cast<T>();
}

}  // namespace

template <typename T>
RatioClassifier<T>::RatioClassifier(int theta_dim, int x_dim, const RatioClassifierOptions& options,
                                    std::uint64_t seed, Standardizer theta_std, Standardizer x_std,
                                    const EmbeddingSpec& embedding)
    : theta_dim_(theta_dim),
      x_dim_(x_dim),
      options_(options),
      theta_std_(std::move(theta_std)),
      x_std_(std::move(x_std)),
      params_(std::make_unique<ParameterBuffer<T>>()) {
  const int blocks = checked_blocks(theta_dim, x_dim, options);
  check_standardizer(theta_std_, theta_dim, "θ");
  check_standardizer(x_std_, x_dim, "x");
  const int H = options.hidden;
  const bool embedded = embedding.type != "none";
  const int x_in = embedded ? embedding.features : x_dim;
  // Registered in the order of the header's formula, so the flat layout reads like it.
  theta_in_ = Linear<T>(*params_, theta_dim, H);
  x_in_ = Linear<T>(*params_, x_in, H, /*bias=*/false);
  for (int k = 0; k < blocks; ++k) {
    inner_.emplace_back(*params_, H, H);
    if (residual()) outer_.emplace_back(*params_, H, H);
  }
  out_ = Linear<T>(*params_, H, 1);

  RandomStream rng(seed, StreamId::initialization, 0, 0);
  // PyTorch's default for the one first layer of fan_in Dθ + Dx, of which these are two blocks.
  const double first_bound = 1.0 / std::sqrt(static_cast<double>(theta_dim + x_in));
  theta_in_.init_uniform(rng, first_bound);
  x_in_.init_uniform(rng, first_bound);
  for (int k = 0; k < blocks; ++k) {
    inner_[static_cast<std::size_t>(k)].init_default(rng);
    if (residual()) outer_[static_cast<std::size_t>(k)].init_uniform(rng, kResidualInitBound);
  }
  out_.init_default(rng);
  if (embedded) {
    RandomStream erng(seed, StreamId::initialization, kEmbeddingStream, 0);
    embed_ = make_embedding_net<T>(embedding, x_dim, *params_, erng);
  }
  t_.resize(static_cast<std::size_t>(residual() ? blocks + 1 : 1));
  a_.resize(static_cast<std::size_t>(2 * blocks));
}

template <typename T>
void RatioClassifier<T>::forward(const Eigen::Ref<const Mat<T>>& theta, const Eigen::Ref<const Mat<T>>& x,
                                 Eigen::Ref<Vec<T>> out) {
  const Eigen::Index N = theta.cols();
  if (theta.rows() != theta_dim_ || x.rows() != x_dim_ || (x.cols() != N && x.cols() != 1) || out.size() != N)
    throw ShapeError(make_message(
        "ratio classifier", "θ, x and output shapes",
        std::to_string(theta_dim_) + "×N, " + std::to_string(x_dim_) + "×N (or ×1) and N",
        std::to_string(theta.rows()) + "×" + std::to_string(N) + ", " + std::to_string(x.rows()) + "×" +
            std::to_string(x.cols()) + " and " + std::to_string(out.size())));
  const int H = options_.hidden;
  u_.resize(theta_dim_, N);
  theta_std_.apply<T>(theta, u_);
  v_.resize(x_dim_, x.cols());
  x_std_.apply<T>(x, v_);
  if (embed_) f_ = embed_->forward(v_);
  // t_0 = W_θ u + W_x v + b_0 (v: or its features), with W_x v computed once for a broadcast x.
  Mat<T>& t0 = t_[0];
  t0.resize(H, N);
  theta_in_.forward(u_, t0);
  if (x.cols() == N) {
    x_in_.forward_add(x_input(), t0);
  } else {
    wx_.resize(H, 1);
    x_in_.forward(x_input(), wx_);
    t0.colwise() += wx_.col(0);
  }
  for (std::size_t k = 0; k < inner_.size(); ++k) {
    Mat<T>& a = a_[2 * k];
    Mat<T>& h = a_[2 * k + 1];
    const Mat<T>& t = t_[residual() ? k : 0];
    relu(t, a);
    h.resize(H, N);
    inner_[k].forward(a, h);
    relu(h, h);
    if (residual()) {  // t_{k+1} = t_k + W_k2 h + b_k2
      Mat<T>& next = t_[k + 1];
      next.resize(H, N);
      outer_[k].forward(h, next);
      next += t;
    }
  }
  logits_.resize(1, N);
  out_.forward(residual() ? t_.back() : a_.back(), logits_);
  out = logits_.row(0).transpose();
}

template <typename T>
void RatioClassifier<T>::backward(const Eigen::Ref<const Vec<T>>& g) {
  const Eigen::Index N = g.size();
  const Mat<T> g_row = g.transpose();
  out_.backward_params(residual() ? t_.back() : a_.back(), g_row);
  d_.resize(options_.hidden, N);
  out_.backward_input(g_row, d_);  // d(loss)/d t_blocks (resnet) or d(loss)/d a_1 (mlp)
  for (std::size_t k = inner_.size(); k-- > 0;) {
    const Mat<T>& a = a_[2 * k];
    const Mat<T>& h = a_[2 * k + 1];
    if (residual()) {  // d_ = d/d t_{k+1}: the residual path keeps it, the block's path gets dh
      outer_[k].backward_params(h, d_);
      dh_.resize(options_.hidden, N);
      outer_[k].backward_input(d_, dh_);
    } else {
      dh_ = d_;
    }
    relu_backward(h, dh_);
    inner_[k].backward_params(a, dh_);
    da_.resize(options_.hidden, N);
    inner_[k].backward_input(dh_, da_);
    relu_backward(a, da_);
    if (residual())
      d_ += da_;  // d/d t_k = d/d t_{k+1} + (block path)
    else
      d_.swap(da_);
  }
  // d_ = d(loss)/d t_0 = d/d(W_θ u + W_x v + b_0).
  theta_in_.backward_params(u_, d_);
  Mat<T> d_x;  // d(loss)/d(W_x v); for a broadcast v, Σ_n d_n
  if (v_.cols() == N)
    d_x = d_;
  else
    d_x = d_.rowwise().sum();
  x_in_.backward_params(x_input(), d_x);
  if (embed_) {  // on into the embedding: d/df = W_xᵀ d
    df_.resize(x_in_.in(), d_x.cols());
    x_in_.backward_input(d_x, df_);
    embed_->backward(df_);
  }
}

template <typename T>
void RatioClassifier<T>::calibrate_x(const Eigen::Ref<const Mat<T>>& x) {
  if (!embed_) return;
  Mat<T> xz(x.rows(), x.cols());
  x_std_.apply<T>(x, xz);
  embed_->calibrate(xz);
}

template class RatioClassifier<float>;
template class RatioClassifier<double>;

}  // namespace nsbi::nn
