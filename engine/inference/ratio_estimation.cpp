#include "nsbi/inference/ratio_estimation.hpp"

#include <mpi.h>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/sequential_npe.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/train/ratio_losses.hpp"

namespace nsbi {

RatioEstimation::RatioEstimation(const MethodContext& context, RatioLossKind loss, bool sequential)
    : ctx_(context), loss_(loss), sequential_(sequential), proposal_(std::make_unique<PriorProposal>(context.prior)) {}

RatioEstimation::~RatioEstimation() = default;

RoundTraining RatioEstimation::train(const SimulationBank& bank, std::uint32_t round) {
  const RunConfig& cfg = ctx_.config;
  const double t0 = MPI_Wtime();
  const std::vector<std::size_t> rows = bank.valid_rows();
  const Eigen::MatrixXd theta = bank.theta_of(rows), x = bank.x_of(rows);
  std::vector<std::uint32_t> row_round(rows.size());
  for (std::size_t j = 0; j < rows.size(); ++j) row_round[j] = bank.round.empty() ? 0 : bank.round[rows[j]];

  if (!classifier_) {
    classifier_ = nn::make_ratio_classifier(cfg.inference.estimator, static_cast<int>(theta.rows()),
                                            static_cast<int>(x.rows()), cfg.estimator.hidden_features, cfg.seed,
                                            nn::Standardizer::fit(theta), nn::Standardizer::fit(x));
    const Prior& prior = ctx_.prior;
    nn::RatioClassifier<float>* d = classifier_.get();
    // log π(θ | x) = d(θ, x) + log p(θ), batched, x broadcast over the columns.
    PotentialPosterior::PotentialAt at = [d, &prior](const Eigen::VectorXd& x_at) -> mcmc::LogDensity {
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
    posterior_ = std::make_unique<PotentialPosterior>(prior, std::move(at), mcmc_options(cfg),
                                                      "the ratio classifier's posterior");
  }

  const nn::Mat<float> th = theta.cast<float>(), xs = x.cast<float>();
  std::vector<std::int64_t> train_idx, val_idx;
  split_by_round(row_round, cfg.training.validation_fraction, cfg.seed, train_idx, val_idx);
  train::TrainingOptions topt = training_options(cfg);
  topt.seed = cfg.seed;
  topt.split_seed = cfg.seed;
  topt.round = round;
  RoundTraining out;
  out.examples = static_cast<std::int64_t>(rows.size());
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

}  // namespace nsbi
