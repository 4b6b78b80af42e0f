#include "nsbi/inference/truncated_prior_proposal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/prior/box_uniform.hpp"

namespace nsbi {

TruncatedPriorProposal::TruncatedPriorProposal(const DirectPosterior& posterior, const Eigen::VectorXd& x_o,
                                               std::uint64_t seed, std::uint32_t round, const TruncationOptions& t,
                                               const mpi::Communicator& comm, const Options& options)
    : RestrictedProposal(posterior.dim(), options), posterior_(posterior), x_o_(x_o) {
  if (!(t.quantile > 0 && t.quantile < 1))
    throw ConfigError(make_message("truncation", "quantile", "in (0, 1)", std::to_string(t.quantile)));
  // τ: the ε-quantile of log q over posterior samples (inside the support).
  PosteriorSampleOptions so;
  so.samples = t.samples;
  so.seed = seed;
  so.round = round;
  const PosteriorSamples s = posterior.sample(x_o, so, comm);  // stream (seed, posterior, round)
  if (s.theta.cols() == 0)
    throw NumericalError(make_message("truncated proposal, round " + std::to_string(round),
                                      "posterior samples inside the prior's support", "some", "none"));
  const Eigen::VectorXd lq = posterior.log_prob(s.theta, x_o);
  std::vector<double> sorted(lq.data(), lq.data() + lq.size());
  std::sort(sorted.begin(), sorted.end());
  const auto k = static_cast<std::size_t>(std::floor(t.quantile * static_cast<double>(sorted.size())));
  tau_ = sorted[std::min(k, sorted.size() - 1)];
  // The bounding box of the samples in A, widened, within the prior's support.
  const Prior& prior = posterior.prior();
  box_lo_ = Eigen::VectorXd::Constant(dim_, std::numeric_limits<double>::infinity());
  box_hi_ = -box_lo_;
  for (Eigen::Index j = 0; j < s.theta.cols(); ++j)
    if (lq(j) >= tau_) {
      box_lo_ = box_lo_.cwiseMin(s.theta.col(j));
      box_hi_ = box_hi_.cwiseMax(s.theta.col(j));
    }
  const Eigen::VectorXd width = box_hi_ - box_lo_;
  box_lo_ = (box_lo_ - t.box_margin * width).cwiseMax(prior.lower());
  box_hi_ = (box_hi_ + t.box_margin * width).cwiseMin(prior.upper());
  if (const auto* box = dynamic_cast<const BoxUniform*>(&prior)) {
    uniform_in_box_ = true;
    log_box_mass_ = ((box_hi_ - box_lo_).array().log() - (box->upper() - box->lower()).array().log()).sum();
  }
  estimate_normalizer(seed, round, "proposal (" + describe() + ")");
}

Eigen::MatrixXd TruncatedPriorProposal::candidates(RandomStream& rng, Eigen::Index n) const {
  Eigen::MatrixXd c(dim_, n);
  if (uniform_in_box_) {
    for (Eigen::Index j = 0; j < n; ++j)
      for (int i = 0; i < dim_; ++i) c(i, j) = rng.uniform(box_lo_(i), box_hi_(i));
  } else {
    for (Eigen::Index j = 0; j < n; ++j) posterior_.prior().sample(rng, c.col(j));
  }
  return c;
}

void TruncatedPriorProposal::accept(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::vector<char>& accepted) const {
  const auto n = theta.cols();
  accepted.assign(static_cast<std::size_t>(n), 0);
  // The cheap box test first; log q only for the columns inside it.
  std::vector<Eigen::Index> in_box;
  for (Eigen::Index j = 0; j < n; ++j)
    if (theta.col(j).allFinite() && (theta.col(j).array() >= box_lo_.array()).all() &&
        (theta.col(j).array() <= box_hi_.array()).all())
      in_box.push_back(j);
  Eigen::MatrixXd t(dim_, static_cast<Eigen::Index>(in_box.size()));
  for (std::size_t k = 0; k < in_box.size(); ++k) t.col(static_cast<Eigen::Index>(k)) = theta.col(in_box[k]);
  const Eigen::VectorXd lq = posterior_.log_prob(t, x_o_);
  for (std::size_t k = 0; k < in_box.size(); ++k) accepted[in_box[k]] = lq(static_cast<Eigen::Index>(k)) >= tau_;
}

Eigen::VectorXd TruncatedPriorProposal::base_log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  // The density of the candidates: the prior restricted to the box, p(θ)/P(box).
  Eigen::VectorXd lp = posterior_.prior().log_prob(theta);
  if (uniform_in_box_) lp.array() -= log_box_mass_;
  return lp;
}

}  // namespace nsbi
