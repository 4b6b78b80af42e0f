#include "nsbi/nn/residual_net.hpp"

#include <cmath>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {
namespace {

constexpr double kResidualInitBound = 1e-3;  // nflows' zero_initialization of a block's last layer

void checked_blocks(int in, int context_dim, int hidden, int blocks) {
  if (in < 0 || context_dim < 0 || in + context_dim < 1 || hidden < 1 || blocks < 1)
    throw ConfigError(make_message("residual net", "inputs + context, hidden, blocks", "all ≥ 1",
                                   std::to_string(in + context_dim) + ", " + std::to_string(hidden) + ", " +
                                       std::to_string(blocks)));
}

}  // namespace

template <typename T>
ResidualNet<T>::ResidualNet(ParameterBuffer<T>& params, int in, int context_dim, int hidden, int out, int blocks)
    : in_((checked_blocks(in, context_dim, hidden, blocks), in)),  // before any layer is sized
      context_dim_(context_dim),
      hidden_(hidden),
      in_a_(params, in, hidden),
      in_c_(params, context_dim, hidden, /*bias=*/false) {
  blocks_.reserve(static_cast<std::size_t>(blocks));
  for (int k = 0; k < blocks; ++k)
    blocks_.push_back(Block{Linear<T>(params, hidden, hidden), Linear<T>(params, hidden, hidden),
                            context_dim > 0 ? Linear<T>(params, context_dim, hidden) : Linear<T>()});
  out_layer_ = Linear<T>(params, hidden, out);
  h_.resize(static_cast<std::size_t>(blocks) + 1);
  r_.resize(static_cast<std::size_t>(blocks));
  s_.resize(static_cast<std::size_t>(blocks));
  t_.resize(static_cast<std::size_t>(blocks));
  g_.resize(static_cast<std::size_t>(blocks));
}

template <typename T>
void ResidualNet<T>::init(RandomStream& rng) {
  const double first_bound = 1.0 / std::sqrt(static_cast<double>(in_ + context_dim_));
  in_a_.init_uniform(rng, first_bound);
  if (context_dim_ > 0) in_c_.init_uniform(rng, first_bound);
  for (auto& b : blocks_) {
    b.first.init_default(rng);
    b.second.init_uniform(rng, kResidualInitBound);
    if (context_dim_ > 0) b.gate.init_default(rng);
  }
  out_layer_.init_default(rng);
}

template <typename T>
void ResidualNet<T>::forward(const Eigen::Ref<const Mat<T>>& a, const Eigen::Ref<const Mat<T>>& c) {
  const Eigen::Index n = a.cols();
  a_ = a;
  c_ = c;
  h_[0].resize(hidden_, n);
  in_a_.forward(a_, h_[0]);
  if (context_dim_ > 0) in_c_.forward_add(c_, h_[0]);
  for (std::size_t k = 0; k < blocks_.size(); ++k) {
    const Block& b = blocks_[k];
    r_[k] = h_[k].cwiseMax(T(0));
    s_[k].resize(hidden_, n);
    b.first.forward(r_[k], s_[k]);
    s_[k] = s_[k].cwiseMax(T(0));
    t_[k].resize(hidden_, n);
    b.second.forward(s_[k], t_[k]);
    h_[k + 1] = h_[k];
    if (context_dim_ > 0) {
      g_[k].resize(hidden_, n);
      b.gate.forward(c_, g_[k]);
      g_[k].array() = T(0.5) + T(0.5) * (T(0.5) * g_[k].array()).tanh();  // sigmoid
      h_[k + 1].array() += t_[k].array() * g_[k].array();
    } else {
      h_[k + 1] += t_[k];
    }
  }
  out_.resize(out_layer_.out(), n);
  out_layer_.forward(h_.back(), out_);
}

template <typename T>
void ResidualNet<T>::backward(const Eigen::Ref<const Mat<T>>& d_out, Eigen::Ref<Mat<T>> da, Mat<T>* dc) {
  const Eigen::Index n = d_out.cols();
  dh_.resize(hidden_, n);
  out_layer_.backward_params(h_.back(), d_out);
  out_layer_.backward_input(d_out, dh_);
  for (int k = static_cast<int>(blocks_.size()) - 1; k >= 0; --k) {
    const auto K = static_cast<std::size_t>(k);
    Block& b = blocks_[K];
    // h_{k+1} = h_k + t ⊙ g: dh reaches h_k directly and t as dh ⊙ g; the gate's pre-activation
    // gets dh ⊙ t ⊙ g(1 − g).
    if (context_dim_ > 0) {
      dt_ = (dh_.array() * g_[K].array()).matrix();
      dgate_ = (dh_.array() * t_[K].array() * g_[K].array() * (T(1) - g_[K].array())).matrix();
      b.gate.backward_params(c_, dgate_);
      if (dc) b.gate.backward_input(dgate_, *dc, /*accumulate=*/true);
    } else {
      dt_ = dh_;
    }
    b.second.backward_params(s_[K], dt_);
    ds_.resize(hidden_, n);
    b.second.backward_input(dt_, ds_);
    ds_.array() *= (s_[K].array() > T(0)).template cast<T>();
    b.first.backward_params(r_[K], ds_);
    dr_.resize(hidden_, n);
    b.first.backward_input(ds_, dr_);
    dr_.array() *= (r_[K].array() > T(0)).template cast<T>();
    dh_ += dr_;
  }
  in_a_.backward_params(a_, dh_);
  in_a_.backward_input(dh_, da);
  if (context_dim_ > 0) {
    in_c_.backward_params(c_, dh_);
    if (dc) in_c_.backward_input(dh_, *dc, /*accumulate=*/true);
  }
}

template class ResidualNet<float>;
template class ResidualNet<double>;

}  // namespace nsbi::nn
