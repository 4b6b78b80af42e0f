#include "nsbi/inference/snpe_a.hpp"

#include <mpi.h>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/sequential_npe.hpp"
#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/train/nll_loss.hpp"

namespace nsbi {

MixtureProposal::MixtureProposal(TiltedMixture mixture, const Prior& prior, std::uint64_t seed,
                                 std::uint32_t round)
    : RestrictedProposal(mixture.mixture.dim(), Options{}), mixture_(std::move(mixture)), prior_(prior) {
  estimate_normalizer(seed, round, "proposal (" + describe() + ")");
}

std::string MixtureProposal::describe() const {
  return mixture_.mixture.components() == 1 ? "the corrected Gaussian restricted to the prior's support"
                                            : "the corrected mixture restricted to the prior's support";
}

void MixtureProposal::accept(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::vector<char>& accepted) const {
  accepted.resize(static_cast<std::size_t>(theta.cols()));
  for (Eigen::Index j = 0; j < theta.cols(); ++j) accepted[j] = theta.col(j).allFinite() && prior_.in_support(theta.col(j));
}

PosteriorSamples MixturePosterior::sample(const Eigen::VectorXd&, const PosteriorSampleOptions& o,
                                          const mpi::Communicator&) const {
  PosteriorSamples s;
  s.theta = proposal_.sample(o.seed, StreamId::posterior, o.round, 0, o.samples);
  s.acceptance = proposal_.acceptance();
  s.draws = static_cast<std::int64_t>(static_cast<double>(o.samples) / std::max(1e-300, s.acceptance));
  return s;
}

Eigen::VectorXd MixturePosterior::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta,
                                           const Eigen::VectorXd&) const {
  return proposal_.log_prob(theta);
}

SnpeA::SnpeA(const MethodContext& context)
    : ctx_(context), proposal_(std::make_unique<PriorProposal>(context.prior)) {
  gaussian_prior_ = dynamic_cast<const Gaussian*>(&context.prior);
  if (const auto p = check_prior(context.config, context.prior))
    throw ConfigError(make_message(p->key, "prior", p->expected, p->found));
}

std::optional<MethodConfigProblem> SnpeA::check_prior(const RunConfig&, const Prior& prior) {
  if (dynamic_cast<const Gaussian*>(&prior) || dynamic_cast<const BoxUniform*>(&prior)) return std::nullopt;
  return MethodConfigProblem{"inference.method", "for \"snpe_a\", a Gaussian or box-uniform prior (its correction is in "
                                                 "closed form for these)", prior.describe()};
}

SnpeA::~SnpeA() = default;

RoundTraining SnpeA::train(const SimulationBank& bank, std::uint32_t round) {
  const RunConfig& cfg = ctx_.config;
  const double t0 = MPI_Wtime();
  const int R = cfg.inference.rounds;
  // This round's pairs with status ok.
  const std::vector<std::size_t> rows = bank.valid_rows(&round);
  const auto n = static_cast<Eigen::Index>(rows.size());
  const Eigen::MatrixXd theta = bank.theta_of(rows), x = bank.x_of(rows);
  const bool last = static_cast<int>(round) == R - 1;
  if (!mdn_) {
    const nn::MdnOptions mo{R == 1 ? cfg.estimator.components : 1, cfg.estimator.hidden_features};
    mdn_ = std::make_unique<nn::MixtureDensityNetwork<float>>(static_cast<int>(theta.rows()), static_cast<int>(x.rows()),
                                                              mo, cfg.seed, nn::Standardizer::fit(theta),
                                                              nn::Standardizer::fit(x));
  }
  if (last && mdn_->components() < cfg.estimator.components) {
    // The final round's K components start as jittered copies of the trained one.
    const std::uint64_t s = RandomStream(cfg.seed, StreamId::initialization, round, 0).next_u64();
    mdn_ = std::make_unique<nn::MixtureDensityNetwork<float>>(mdn_->expand(cfg.estimator.components, s));
  }
  const nn::Mat<float> y = theta.cast<float>(), c = x.cast<float>();
  std::vector<std::int64_t> train_idx, val_idx;
  split_by_round(std::vector<std::uint32_t>(rows.size(), round), cfg.training.validation_fraction, cfg.seed, train_idx,
                 val_idx);
  train::TrainingOptions topt = training_options(cfg);
  topt.seed = cfg.seed;
  topt.split_seed = cfg.seed;
  topt.round = round;
  topt.ledger = ctx_.ledger;
  train::NllLoss loss(*mdn_, y, c);
  train::Trainer trainer(loss, train_idx, val_idx, topt, ctx_.comm);
  RoundTraining out;
  out.trainings.push_back(trainer.run());
  out.examples = n;
  out.loss = "nll (this round's pairs)";

  // p̂(θ|x_o) ∝ q(θ|x_o)·p(θ)/p̃(θ): nothing to correct while the proposal is the prior.
  TiltedMixture q{mdn_->mixture(ctx_.x_o.cast<float>()), {}};
  if (round > 0) {
    const Eigen::VectorXd proposal_mean = proposal_gaussian_.means.col(0);
    const Eigen::MatrixXd& proposal_cov = proposal_gaussian_.covariances.front();
    try {
      if (gaussian_prior_) {
        const Eigen::VectorXd prior_mean = gaussian_prior_->mean();
        q.mixture = correct_mixture(q.mixture, proposal_mean, proposal_cov, &prior_mean, &gaussian_prior_->covariance());
      } else {
        q = correct_mixture_in_box(q.mixture, proposal_mean, proposal_cov, ctx_.prior.lower(), ctx_.prior.upper());
      }
    } catch (const NumericalError& e) {
      throw NumericalError("snpe_a, round " + std::to_string(round) + ": " + e.what());
    }
    if (q.tilted()) {
      std::string which;
      for (std::size_t k = 0; k < q.tilts.size(); ++k)
        if (q.tilts[k]) which += (which.empty() ? "" : ", ") + std::to_string(k);
      ctx_.log.info("snpe_a, round " + std::to_string(round) + ": component(s) " + which +
                    " wider than the proposal in some direction; corrected inside the prior's box (tilted envelope)");
    }
  }
  posterior_ = std::make_unique<MixturePosterior>(std::move(q), ctx_.prior, cfg.seed, round);
  out.seconds = MPI_Wtime() - t0;
  return out;
}

double SnpeA::next_proposal(std::uint32_t next) {
  const RunConfig& cfg = ctx_.config;
  past_proposals_.push_back(std::move(proposal_));
  proposal_gaussian_ = posterior_->restricted().mixture();
  for (auto& cov : proposal_gaussian_.covariances) cov *= cfg.inference.proposal_inflation;
  auto p = std::make_unique<MixtureProposal>(TiltedMixture{proposal_gaussian_, {}}, ctx_.prior, cfg.seed, next);
  const double acc = p->acceptance();
  if (acc < cfg.posterior.min_acceptance)
    throw NumericalError(make_message("snpe_a, round " + std::to_string(next) + " proposal",
                                      "mass of the corrected Gaussian inside the prior's support",
                                      "at least posterior.min_acceptance", std::to_string(acc)));
  proposal_ = std::move(p);
  return acc;
}

Eigen::MatrixXd SnpeA::weights() const { return mdn_->parameters().values().cast<double>(); }

}  // namespace nsbi
