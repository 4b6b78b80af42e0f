#include "nsbi/inference/direct_posterior.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"

namespace nsbi {

DirectPosterior::DirectPosterior(std::vector<nn::ConditionalDensityEstimator<float>*> estimators, const Prior& prior,
                                 bool unconstrained)
    : q_(std::move(estimators)), prior_(prior), unconstrained_(unconstrained) {
  if (q_.empty()) throw ShapeError(make_message("DirectPosterior", "estimators", "at least one", "none"));
}

std::string DirectPosterior::describe() const {
  return q_.size() == 1 ? "the flow's posterior" : "the mixture of " + std::to_string(q_.size()) + " flows";
}

PosteriorSamples DirectPosterior::sample(const Eigen::VectorXd& x, const PosteriorSampleOptions& o,
                                         const mpi::Communicator& comm) const {
  RejectionOptions r;
  r.samples = o.samples;
  r.max_draws = o.max_draws;
  r.seed = o.seed;
  r.round = o.round;
  r.block = o.block;
  r.unconstrained = unconstrained_;
  return sample_posterior(q_, x, prior_, r, comm);
}

Eigen::VectorXd DirectPosterior::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta,
                                          const Eigen::VectorXd& x) const {
  const Eigen::Index n = theta.cols();
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  Eigen::VectorXd out = Eigen::VectorXd::Constant(n, kNegInf);
  // Only points inside the support are evaluated (outside: −inf; on the support's boundary the
  // unconstrained map is infinite).
  std::vector<Eigen::Index> inside;
  for (Eigen::Index j = 0; j < n; ++j)
    if (theta.col(j).allFinite() && prior_.in_support(theta.col(j))) inside.push_back(j);
  constexpr Eigen::Index kChunk = 4096;
  nn::Mat<float> y, c;
  nn::Vec<float> lp;
  Eigen::MatrixXd members;
  Eigen::VectorXd mixture(std::min<Eigen::Index>(kChunk, static_cast<Eigen::Index>(inside.size())));
  for (std::size_t b = 0; b < inside.size(); b += kChunk) {
    const auto m = static_cast<Eigen::Index>(std::min<std::size_t>(kChunk, inside.size() - b));
    Eigen::MatrixXd t(theta.rows(), m);
    for (Eigen::Index j = 0; j < m; ++j) t.col(j) = theta.col(inside[b + j]);
    Eigen::VectorXd correction = Eigen::VectorXd::Zero(m);
    if (unconstrained_) {
      const Eigen::MatrixXd u = prior_.to_unconstrained(t);
      correction = -prior_.log_abs_det_jacobian(u);
      t = u;
    }
    y = t.cast<float>();
    c = x.cast<float>().replicate(1, m);
    nn::ensemble_log_prob(q_, y, c, lp, members, mixture.head(m));
    for (Eigen::Index j = 0; j < m; ++j) {
      const double v = mixture(j) + correction(j);
      out(inside[b + j]) = std::isnan(v) ? kNegInf : v;
    }
  }
  return out;
}

Eigen::MatrixXd DirectPosterior::draw(const Eigen::VectorXd& x, Eigen::Index n, RandomStream& rng) const {
  const auto K = static_cast<Eigen::Index>(q_.size());
  const nn::Vec<float> c = x.cast<float>();
  Eigen::MatrixXd y(prior_.dim(), n);
  for (Eigen::Index k = 0; k < K; ++k) {
    const Eigen::Index nk = (n - k + K - 1) / K;
    if (nk <= 0) continue;
    const Eigen::MatrixXd yk = q_[k]->sample(c, nk, rng).cast<double>();
    for (Eigen::Index j = 0; j < nk; ++j) y.col(j * K + k) = yk.col(j);
  }
  return unconstrained_ ? prior_.from_unconstrained(y) : y;
}

PosteriorProposal::PosteriorProposal(const DirectPosterior& posterior, Eigen::VectorXd x_o, std::uint64_t seed,
                                     std::uint32_t round, const Options& options)
    : RestrictedProposal(posterior.dim(), options), posterior_(posterior), x_o_(std::move(x_o)) {
  estimate_normalizer(seed, round, "proposal (" + describe() + ")");
}

Eigen::MatrixXd PosteriorProposal::candidates(RandomStream& rng, Eigen::Index n) const {
  return posterior_.draw(x_o_, n, rng);
}

void PosteriorProposal::accept(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::vector<char>& accepted) const {
  accepted.resize(static_cast<std::size_t>(theta.cols()));
  for (Eigen::Index j = 0; j < theta.cols(); ++j)
    accepted[j] = theta.col(j).allFinite() && posterior_.prior().in_support(theta.col(j));
}

Eigen::VectorXd PosteriorProposal::base_log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  return posterior_.log_prob(theta, x_o_);
}

}  // namespace nsbi
