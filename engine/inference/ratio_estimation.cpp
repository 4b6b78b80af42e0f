#include "nsbi/inference/ratio_estimation.hpp"

#include <mpi.h>

#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/sequential_npe.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/train/ratio_losses.hpp"

namespace nsbi {

TrainedState classifier_state(const std::string& method, const nn::RatioClassifier<float>& classifier) {
  return TrainedState{method, {{classifier.theta_standardizer(), classifier.x_standardizer(), classifier.parameters().values()}}};
}

PotentialPosterior::PotentialAt ratio_potential(nn::RatioClassifier<float>& classifier, const Prior& prior) {
  nn::RatioClassifier<float>* d = &classifier;
  return [d, &prior](const Eigen::VectorXd& x_at) -> mcmc::LogDensity {
    struct Buffers {
      nn::Mat<float> theta;
      nn::Vec<float> logit;
    };
    auto buf = std::make_shared<Buffers>();
    const nn::Mat<float> xf = x_at.cast<float>();
    return [d, &prior, buf, xf](const Eigen::Ref<const Eigen::MatrixXd>& th, Eigen::Ref<Eigen::VectorXd> out) {
      buf->theta = th.cast<float>();
      buf->logit.resize(th.cols());
      d->forward(buf->theta, xf, buf->logit);
      out = buf->logit.cast<double>() + prior.log_prob(th);
    };
  };
}

namespace {

/// The configuration's classifier with these z-scorings, and its MCMC posterior described as `what`.
void build_classifier(const MethodContext& ctx, const nn::Standardizer& theta_std, const nn::Standardizer& x_std,
                      const std::string& what, std::unique_ptr<nn::RatioClassifier<float>>& classifier,
                      std::unique_ptr<PotentialPosterior>& posterior) {
  const RunConfig& cfg = ctx.config;
  classifier = nn::make_ratio_classifier(cfg.inference.estimator, theta_std.dim(), x_std.dim(),
                                         cfg.estimator.hidden_features, cfg.seed, theta_std, x_std,
                                         /*blocks=*/2, cfg.embedding);
  posterior = std::make_unique<PotentialPosterior>(ctx.prior, ratio_potential(*classifier, ctx.prior),
                                                   mcmc_options(cfg, ctx.chains), what);
}

/// restore() of a one-classifier method.
template <class Build>
void restore_classifier(const TrainedState& state, const RunConfig& config, Build&& build,
                        const std::unique_ptr<nn::RatioClassifier<float>>& classifier) {
  check_trained_state(state, config, 1);
  build(state.estimators[0].first, state.estimators[0].second);
  restore_weights(classifier->parameters().values(), state.estimators[0].weights, "ratio classifier");
}

}  // namespace

RatioEstimation::RatioEstimation(const MethodContext& context, RatioLossKind loss, bool sequential)
    : ctx_(context), loss_(loss), sequential_(sequential), proposal_(std::make_unique<PriorProposal>(context.prior)) {}

RatioEstimation::~RatioEstimation() = default;

void RatioEstimation::build(const nn::Standardizer& theta_std, const nn::Standardizer& x_std) {
  build_classifier(ctx_, theta_std, x_std, "the ratio classifier's posterior", classifier_, posterior_);
}

RoundTraining RatioEstimation::train(const SimulationBank& bank, std::uint32_t round) {
  const RunConfig& cfg = ctx_.config;
  const double t0 = MPI_Wtime();
  const BankPairs pairs = valid_pairs(bank);
  const Eigen::MatrixXd& theta = pairs.theta;
  const Eigen::Map<const Eigen::MatrixXf> x = pairs.x();

  if (!classifier_) {
    build(nn::Standardizer::fit(theta), fit_x_standardizer(cfg, x));
    classifier_->calibrate_x(calibration_contexts(x));
  }

  const nn::Mat<float> th = theta.cast<float>();
  const train::DataRef xs = x;  // read in place
  std::vector<std::int64_t> train_idx, val_idx;
  split_by_round(pairs.round, cfg.training.validation_fraction, cfg.seed, train_idx, val_idx);
  train::TrainingOptions topt = round_training_options(cfg, round);
  topt.ledger = ctx_.ledger;
  RoundTraining out;
  out.examples = static_cast<std::int64_t>(pairs.rows.size());
  std::unique_ptr<train::ShardLoss> loss;
  if (loss_ == RatioLossKind::binary) {
    loss = std::make_unique<train::BceRatioLoss>(*classifier_, th, xs, cfg.seed);
    out.loss = "binary cross-entropy (dependent vs shuffled pairs)";
  } else {
    loss = std::make_unique<train::ContrastiveRatioLoss>(*classifier_, th, xs, cfg.inference.atoms, cfg.seed);
    out.loss = "contrastive (" + std::to_string(cfg.inference.atoms) + " atoms)";
  }
  train::Trainer trainer(*loss, train_idx, val_idx, topt, ctx_.comm);
  out.trainings.push_back(trainer.run());
  out.seconds = MPI_Wtime() - t0;
  return out;
}

double RatioEstimation::next_proposal(std::uint32_t next) {
  const RunConfig& cfg = ctx_.config;
  if (!sequential_)
    throw ConfigError(make_message("inference.rounds", "rounds", "1 for method \"" + cfg.inference.method + "\"",
                                   std::to_string(cfg.inference.rounds)));
  past_proposals_.push_back(std::move(proposal_));
  proposal_ = make_sampled_proposal(*posterior_, ctx_, next);
  return 1.0;
}

Eigen::MatrixXd RatioEstimation::weights() const { return classifier_->parameters().values().cast<double>(); }

namespace {

/// A point mass at θ_ref: every draw is θ_ref. It has no density; log_prob is 0 at θ_ref and
/// −inf elsewhere (the value the bank records for the reference block).
class PointProposal final : public Proposal {
 public:
  explicit PointProposal(Eigen::VectorXd at) : at_(std::move(at)) {}
  int dim() const override { return static_cast<int>(at_.size()); }
  std::string describe() const override { return "θ_ref (the reference block)"; }
  Eigen::MatrixXd sample(std::uint64_t, StreamId, std::uint32_t, std::uint64_t, Eigen::Index n) const override {
    return at_.replicate(1, n);
  }
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override {
    Eigen::VectorXd out(theta.cols());
    for (Eigen::Index j = 0; j < theta.cols(); ++j)
      out(j) = theta.col(j) == at_ ? 0.0 : -std::numeric_limits<double>::infinity();
    return out;
  }
  Eigen::VectorXd lower() const override { return at_; }
  Eigen::VectorXd upper() const override { return at_; }

 private:
  Eigen::VectorXd at_;
};

}  // namespace

Carl::Carl(const MethodContext& context)
    : ctx_(context), proposal_(std::make_unique<PriorProposal>(context.prior)) {
  const std::vector<double>& ref = context.config.inference.theta_ref;
  theta_ref_ = ref.empty() ? context.prior.mean()
                           : Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(ref.data(), static_cast<Eigen::Index>(ref.size())));
  if (theta_ref_.size() != context.prior.dim())
    throw ConfigError(make_message("inference.theta_ref", "length", std::to_string(context.prior.dim()) + " (θ's dimension)",
                                   std::to_string(theta_ref_.size())));
  if (!theta_ref_.allFinite() || !context.prior.in_support(theta_ref_) ||
      !std::isfinite(context.prior.log_prob(theta_ref_)(0)))
    throw ConfigError(make_message("inference.theta_ref", "value", "a point inside the prior's support",
                                   "a point outside it"));
}

Carl::~Carl() = default;

void Carl::build(const nn::Standardizer& theta_std, const nn::Standardizer& x_std) {
  build_classifier(ctx_, theta_std, x_std, "the CARL classifier's posterior", classifier_, posterior_);
}

RoundTraining Carl::train(const SimulationBank& bank, std::uint32_t round) {
  RoundTraining out;
  if (round == 0) {
    out.loss = "none (the reference block at θ_ref is simulated next)";
    return out;
  }
  const RunConfig& cfg = ctx_.config;
  const double t0 = MPI_Wtime();
  const std::uint32_t r0 = 0, r1 = 1;
  const std::vector<std::size_t> rows0 = bank.valid_rows(&r0), rows1 = bank.valid_rows(&r1);
  const std::size_t m = std::min(rows0.size(), rows1.size());
  const std::vector<std::size_t> a(rows0.begin(), rows0.begin() + static_cast<std::ptrdiff_t>(m)),
      b(rows1.begin(), rows1.begin() + static_cast<std::ptrdiff_t>(m));
  const Eigen::MatrixXd theta0 = bank.theta_of(a), x0 = bank.x_of(a), x1 = bank.x_of(b);
  const auto M = static_cast<Eigen::Index>(m);
  // Example i: (θ_i, x_i ~ p(x|θ_i)) against x'_i ~ p(x|θ_ref) paired with another member's θ
  // (train::CarlRatioLoss). x is z-scored over both blocks.
  if (!classifier_) {
    Eigen::MatrixXd both(x0.rows(), 2 * M);
    both << x0, x1;
    build(nn::Standardizer::fit(theta0), fit_x_standardizer(ctx_.config, both));
    const nn::Mat<float> some = calibration_contexts(both).cast<float>();
    classifier_->calibrate_x(some);
  }
  const nn::Mat<float> th = theta0.cast<float>(), xs = x0.cast<float>(), xr = x1.cast<float>();
  std::vector<std::int64_t> train_idx, val_idx;
  split_by_round(std::vector<std::uint32_t>(static_cast<std::size_t>(M), 0), cfg.training.validation_fraction,
                 cfg.seed, train_idx, val_idx);
  train::TrainingOptions topt = round_training_options(cfg, round);
  topt.ledger = ctx_.ledger;
  train::CarlRatioLoss loss(*classifier_, th, xs, xr, cfg.seed);
  train::Trainer trainer(loss, train_idx, val_idx, topt, ctx_.comm);
  out.examples = 2 * M;
  out.loss = "binary cross-entropy, p(x|θ) against p(x|θ_ref)";
  out.trainings.push_back(trainer.run());
  out.seconds = MPI_Wtime() - t0;
  return out;
}

double Carl::next_proposal(std::uint32_t next) {
  (void)next;
  past_proposals_.push_back(std::move(proposal_));
  proposal_ = std::make_unique<PointProposal>(theta_ref_);
  return 1.0;
}

Eigen::MatrixXd Carl::weights() const { return classifier_->parameters().values().cast<double>(); }

std::optional<TrainedState> RatioEstimation::trained_state() const {
  return classifier_state(ctx_.config.inference.method, *classifier_);
}

void RatioEstimation::restore(const TrainedState& state) {
  restore_classifier(state, ctx_.config, [this](const auto& a, const auto& b) { build(a, b); }, classifier_);
}

std::optional<TrainedState> Carl::trained_state() const { return classifier_state(ctx_.config.inference.method, *classifier_); }

void Carl::restore(const TrainedState& state) {
  restore_classifier(state, ctx_.config, [this](const auto& a, const auto& b) { build(a, b); }, classifier_);
}

}  // namespace nsbi
