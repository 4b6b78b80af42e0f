#include "nsbi/nn/made.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

template <typename T>
Made<T>::Made(ParameterBuffer<T>& params, int dim, int context_dim, int hidden, int outputs_per_dim,
              std::span<const int> order)
    : dim_(dim),
      context_dim_(context_dim),
      hidden_(hidden),
      outputs_(outputs_per_dim),
      l1_(params, dim, hidden),
      ctx_(params, context_dim, hidden, /*bias=*/false),
      l2_(params, hidden, hidden),
      l3_(params, hidden, outputs_per_dim * dim) {
  if (!order.empty() && static_cast<int>(order.size()) != dim)
    throw ShapeError(make_message("MADE", "order", std::to_string(dim) + " positions", std::to_string(order.size())));
  feature_at_.assign(static_cast<std::size_t>(dim), -1);
  Eigen::VectorXi deg_in(dim), deg_h(hidden), deg_out(outputs_per_dim * dim);
  for (int i = 0; i < dim; ++i) {
    const int r = order.empty() ? i : order[static_cast<std::size_t>(i)];
    if (r < 0 || r >= dim || feature_at_[static_cast<std::size_t>(r)] >= 0)
      throw ConfigError(make_message("MADE", "order", "a permutation of 0.." + std::to_string(dim - 1),
                                     "position " + std::to_string(r) + " at input " + std::to_string(i)));
    feature_at_[static_cast<std::size_t>(r)] = i;
    deg_in(i) = r + 1;
  }
  for (int k = 0; k < hidden; ++k) deg_h(k) = k % std::max(1, dim - 1) + std::min(1, dim - 1);
  for (int i = 0; i < outputs_per_dim * dim; ++i) deg_out(i) = deg_in(i % dim);
  m1_.resize(hidden, dim);
  m2_.resize(hidden, hidden);
  m3_.resize(outputs_per_dim * dim, hidden);
  for (int k = 0; k < hidden; ++k)
    for (int i = 0; i < dim; ++i) m1_(k, i) = deg_h(k) >= deg_in(i) ? T(1) : T(0);
  for (int k = 0; k < hidden; ++k)
    for (int j = 0; j < hidden; ++j) m2_(k, j) = deg_h(k) >= deg_h(j) ? T(1) : T(0);
  for (int o = 0; o < outputs_per_dim * dim; ++o)
    for (int k = 0; k < hidden; ++k) m3_(o, k) = deg_out(o) > deg_h(k) ? T(1) : T(0);
  l1_.set_mask(m1_);
  l2_.set_mask(m2_);
  l3_.set_mask(m3_);
}

template <typename T>
void Made<T>::init(RandomStream& rng) {
  l1_.init_default(rng);
  ctx_.init_default(rng);
  l2_.init_default(rng);
  l3_.init_default(rng);
}

template <typename T>
void Made<T>::forward(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c) {
  const Eigen::Index n = u.cols();
  u_ = u;
  c_ = c;
  h1_.resize(hidden_, n);
  h2_.resize(hidden_, n);
  out_.resize(outputs_ * dim_, n);
  l1_.forward(u_, h1_);
  if (context_dim_ > 0) ctx_.forward_add(c_, h1_);
  h1_.array() = h1_.array().tanh();
  l2_.forward(h1_, h2_);
  h2_.array() = h2_.array().tanh();
  l3_.forward(h2_, out_);
}

namespace {

// Y (N×out) += X (N×in) · Wᵀ. A narrow input (in ≤ 4: the two-dimensional benchmark tasks)
// goes as rank-one updates, vectorised along N, instead of a GEMM whose packing would cost more
// than its arithmetic.
template <typename T, typename W>
void add_times_transposed(const Eigen::Ref<const Mat<T>>& X, const W& weight, Mat<T>& Y) {
  if (X.cols() <= 4) {
    for (Eigen::Index k = 0; k < X.cols(); ++k)
      for (Eigen::Index j = 0; j < Y.cols(); ++j) Y.col(j) += weight(j, k) * X.col(k);
  } else {
    Y.noalias() += X * weight.transpose();
  }
}

// Y (N×out) = 1·bᵀ: the bias is the GEMM's starting value, so it costs no pass of its own.
template <typename T, typename B>
void set_bias_rows(const B& bias, Eigen::Index n, Mat<T>& Y) {
  Y.resize(n, bias.rows());
  Y.rowwise() = bias.col(0).transpose();
}

}  // namespace

template <typename T>
void Made<T>::forward_batch_major(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c,
                                  Mat<T>& out) {
  const Eigen::Index n = u.rows();
  const auto& l1 = std::as_const(l1_);
  const auto& ctx = std::as_const(ctx_);
  const auto& l2 = std::as_const(l2_);
  const auto& l3 = std::as_const(l3_);
  set_bias_rows<T>(l1.bias(), n, g1_);
  add_times_transposed<T>(u, l1.weight(), g1_);
  if (context_dim_ > 0) add_times_transposed<T>(c, ctx.weight(), g1_);
  g1_.array() = g1_.array().tanh();
  set_bias_rows<T>(l2.bias(), n, g2_);
  g2_.noalias() += g1_ * l2.weight().transpose();
  g2_.array() = g2_.array().tanh();
  set_bias_rows<T>(l3.bias(), n, out);
  out.noalias() += g2_ * l3.weight().transpose();
}

template <typename T>
void Made<T>::backward(const Eigen::Ref<const Mat<T>>& d_out, Eigen::Ref<Mat<T>> du, Mat<T>* dc) {
  const Eigen::Index n = d_out.cols();
  dh2_.resize(hidden_, n);
  dh1_.resize(hidden_, n);
  l3_.backward_params(h2_, d_out);
  l3_.backward_input(d_out, dh2_);
  dh2_.array() *= T(1) - h2_.array().square();  // tanh' = 1 − tanh²
  l2_.backward_params(h1_, dh2_);
  l2_.backward_input(dh2_, dh1_);
  dh1_.array() *= T(1) - h1_.array().square();
  l1_.backward_params(u_, dh1_);
  if (context_dim_ > 0) ctx_.backward_params(c_, dh1_);
  if (dc && context_dim_ > 0) ctx_.backward_input(dh1_, *dc, /*accumulate=*/true);
  l1_.backward_input(dh1_, du);
}

template class Made<float>;
template class Made<double>;

}  // namespace nsbi::nn
