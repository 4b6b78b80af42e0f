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
  std::vector<nn::ConditionalDensityEstimator<float>*> q;
  for (int k = 0; k < cfg.estimator.ensemble; ++k) {
    estimators_.push_back(nn::make_density_estimator(spec, x_std.dim(), theta_std.dim(),
                                                     member_seed(cfg.seed, static_cast<std::size_t>(k)), x_std,
                                                     theta_std));
    q.push_back(estimators_.back().get());
  }
  const Prior& prior = ctx_.prior;
  // log π(θ | x) = log q̄(x | θ) + log p(θ), batched: each flow runs once per call on all columns;
  // q̄ = (1/K)·Σ_k q_k by log-sum-exp.
  PotentialPosterior::PotentialAt at = [q, &prior](const Eigen::VectorXd& x_at) -> mcmc::LogDensity {
    struct Buffers {
      nn::Mat<float> y, c;
      nn::Vec<float> lp;
      Eigen::MatrixXd members;  // K×n: log q_k
    };
    auto buf = std::make_shared<Buffers>();
    const nn::Vec<float> xf = x_at.cast<float>();
    return [q, &prior, buf, xf](const Eigen::Ref<const Eigen::MatrixXd>& th, Eigen::Ref<Eigen::VectorXd> out) {
      buf->c = th.cast<float>();
      buf->y = xf.replicate(1, th.cols());
      nn::ensemble_log_prob(q, buf->y, buf->c, buf->lp, buf->members, out);
      out += prior.log_prob(th);
    };
  };
  posterior_ = std::make_unique<PotentialPosterior>(prior, std::move(at), mcmc_options(cfg, ctx_.chains),
                                                    q.size() == 1 ? "the likelihood flow's posterior"
                                                                  : "the likelihood ensemble's posterior");
}

RoundTraining LikelihoodEstimation::train(const SimulationBank& bank, std::uint32_t round) {
  const RunConfig& cfg = ctx_.config;
  const double t0 = MPI_Wtime();
  const BankPairs pairs = valid_pairs(bank);
  const Eigen::MatrixXd& theta = pairs.theta;
  const Eigen::Map<const Eigen::MatrixXf> x = pairs.x();

  if (estimators_.empty()) build(fit_x_standardizer(cfg, x), nn::Standardizer::fit(theta));

  const train::DataRef y = x;  // read in place
  const nn::Mat<float> c = theta.cast<float>();
  std::vector<std::int64_t> train_idx, val_idx;
  split_by_round(pairs.round, cfg.training.validation_fraction, cfg.seed, train_idx, val_idx);
  RoundTraining out;
  out.examples = static_cast<std::int64_t>(pairs.rows.size());
  out.loss = "likelihood nll";
  for (std::size_t k = 0; k < estimators_.size(); ++k) {
    // The same data and validation split for every member; its own minibatch order.
    train::TrainingOptions topt = round_training_options(cfg, round);
    topt.seed = member_seed(cfg.seed, k);
    topt.ledger = ctx_.ledger;
    train::NllLoss loss(*estimators_[k], y, c);
    train::Trainer trainer(loss, train_idx, val_idx, topt, ctx_.comm);
    out.trainings.push_back(trainer.run());
  }
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
  Eigen::MatrixXd w(estimators_.front()->parameters().size(), static_cast<Eigen::Index>(estimators_.size()));
  for (std::size_t k = 0; k < estimators_.size(); ++k)
    w.col(static_cast<Eigen::Index>(k)) = estimators_[k]->parameters().values().cast<double>();
  return w;
}

std::optional<TrainedState> LikelihoodEstimation::trained_state() const {
  TrainedState s{ctx_.config.inference.method, {}};
  for (const auto& e : estimators_) s.estimators.push_back({x_std_, theta_std_, e->parameters().values()});
  return s;
}

void LikelihoodEstimation::restore(const TrainedState& state) {
  check_trained_state(state, ctx_.config, static_cast<std::size_t>(ctx_.config.estimator.ensemble));
  build(state.estimators[0].first, state.estimators[0].second);
  for (std::size_t k = 0; k < estimators_.size(); ++k)
    restore_weights(estimators_[k]->parameters().values(), state.estimators[k].weights,
                    estimators_.size() == 1 ? "likelihood flow" : "likelihood flow " + std::to_string(k + 1));
}

}  // namespace nsbi
