#include "nsbi/inference/likelihood_estimation.hpp"

#include <mpi.h>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/sequential_npe.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/train/nll_loss.hpp"

namespace nsbi {

LikelihoodEstimation::LikelihoodEstimation(const MethodContext& context, bool sequential)
    : ctx_(context), sequential_(sequential), proposal_(std::make_unique<PriorProposal>(context.prior)) {}

LikelihoodEstimation::~LikelihoodEstimation() = default;

void LikelihoodEstimation::build(const nn::Standardizer& x_std, const nn::Standardizer& theta_std) {
  const RunConfig& cfg = ctx_.config;
  x_std_ = x_std;
  theta_std_ = theta_std;
  const nn::DensityEstimatorSpec spec = density_estimator_spec(cfg);
  estimator_ = nn::make_density_estimator(spec, x_std.dim(), theta_std.dim(), cfg.seed, x_std, theta_std);
  const Prior& prior = ctx_.prior;
  nn::ConditionalDensityEstimator<float>* q = estimator_.get();
  // log π(θ | x) = log q(x | θ) + log p(θ), batched: the flow runs once per call on all columns.
  PotentialPosterior::PotentialAt at = [q, &prior](const Eigen::VectorXd& x_at) -> mcmc::LogDensity {
    struct Buffers {
      nn::Mat<float> y, c;
      nn::Vec<float> lp;
    };
    auto buf = std::make_shared<Buffers>();
    const nn::Vec<float> xf = x_at.cast<float>();
    return [q, &prior, buf, xf](const Eigen::Ref<const Eigen::MatrixXd>& th, Eigen::Ref<Eigen::VectorXd> out) {
      const Eigen::Index n = th.cols();
      buf->c = th.cast<float>();
      buf->y = xf.replicate(1, n);
      buf->lp.resize(n);
      q->evaluate(buf->y, buf->c, buf->lp);
      out = buf->lp.cast<double>() + prior.log_prob(th);
    };
  };
  posterior_ = std::make_unique<PotentialPosterior>(prior, std::move(at), mcmc_options(cfg, ctx_.chains),
                                                    "the likelihood flow's posterior");
}

RoundTraining LikelihoodEstimation::train(const SimulationBank& bank, std::uint32_t round) {
  const RunConfig& cfg = ctx_.config;
  const double t0 = MPI_Wtime();
  const BankPairs pairs = valid_pairs(bank);
  const Eigen::MatrixXd& theta = pairs.theta;
  const Eigen::Map<const Eigen::MatrixXf> x = pairs.x();

  if (!estimator_) build(nn::Standardizer::fit(x), nn::Standardizer::fit(theta));

  const train::DataRef y = x;  // read in place
  const nn::Mat<float> c = theta.cast<float>();
  std::vector<std::int64_t> train_idx, val_idx;
  split_by_round(pairs.round, cfg.training.validation_fraction, cfg.seed, train_idx, val_idx);
  train::TrainingOptions topt = round_training_options(cfg, round);
  topt.ledger = ctx_.ledger;
  train::NllLoss loss(*estimator_, y, c);
  train::Trainer trainer(loss, train_idx, val_idx, topt, ctx_.comm);
  RoundTraining out;
  out.examples = static_cast<std::int64_t>(pairs.rows.size());
  out.loss = "likelihood nll";
  out.trainings.push_back(trainer.run());
  out.seconds = MPI_Wtime() - t0;
  return out;
}

double LikelihoodEstimation::next_proposal(std::uint32_t next) {
  const RunConfig& cfg = ctx_.config;
  if (!sequential_)
    throw ConfigError(make_message("inference.rounds", "rounds", "1 for method \"nle\"", std::to_string(cfg.inference.rounds)));
  past_proposals_.push_back(std::move(proposal_));
  proposal_ = make_sampled_proposal(*posterior_, ctx_, next);
  return 1.0;
}

Eigen::MatrixXd LikelihoodEstimation::weights() const {
  return estimator_->parameters().values().cast<double>();
}

std::optional<TrainedState> LikelihoodEstimation::trained_state() const {
  return TrainedState{ctx_.config.inference.method, {{x_std_, theta_std_, estimator_->parameters().values()}}};
}

void LikelihoodEstimation::restore(const TrainedState& state) {
  check_trained_state(state, ctx_.config, 1);
  build(state.estimators[0].first, state.estimators[0].second);
  restore_weights(estimator_->parameters().values(), state.estimators[0].weights, "likelihood flow");
}

}  // namespace nsbi
