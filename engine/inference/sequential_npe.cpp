#include "nsbi/inference/sequential_npe.hpp"

#include <mpi.h>

#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/truncated_prior_proposal.hpp"
#include "nsbi/train/atomic_loss.hpp"
#include "nsbi/train/nll_loss.hpp"

namespace nsbi {

namespace {

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

}  // namespace

void split_by_round(const std::vector<std::uint32_t>& row_round, double validation_fraction, std::uint64_t seed,
                    std::vector<std::int64_t>& train, std::vector<std::int64_t>& validation) {
  train.clear();
  validation.clear();
  std::uint32_t last = 0;
  for (std::uint32_t r : row_round) last = std::max(last, r);
  std::vector<std::int64_t> rows, t, v;
  for (std::uint32_t r = 0; r <= last; ++r) {
    rows.clear();
    for (std::size_t i = 0; i < row_round.size(); ++i)
      if (row_round[i] == r) rows.push_back(static_cast<std::int64_t>(i));
    if (rows.empty()) continue;
    train::split_examples(static_cast<std::int64_t>(rows.size()), validation_fraction, seed, r, t, v);
    for (auto i : t) train.push_back(rows[static_cast<std::size_t>(i)]);
    for (auto i : v) validation.push_back(rows[static_cast<std::size_t>(i)]);
  }
  std::sort(train.begin(), train.end());
  std::sort(validation.begin(), validation.end());
}

train::TrainingOptions training_options(const RunConfig& cfg) {
  train::TrainingOptions to;
  to.batch_size = cfg.training.batch_size;
  to.learning_rate = cfg.training.learning_rate;
  to.clip_norm = cfg.training.clip_norm;
  to.validation_fraction = cfg.training.validation_fraction;
  to.stop_after_epochs = cfg.training.stop_after_epochs;
  to.max_epochs = cfg.training.max_epochs;
  to.micro_batch = cfg.training.micro_batch;
  to.lr_decays = cfg.training.lr_decays;
  to.lr_decay_factor = cfg.training.lr_decay_factor;
  return to;
}

nn::DensityEstimatorSpec density_estimator_spec(const RunConfig& cfg) {
  return {cfg.inference.estimator, cfg.estimator.transforms, cfg.estimator.hidden_features, cfg.estimator.bins,
          cfg.estimator.tail_bound,      cfg.estimator.components,  cfg.estimator.order,
          cfg.estimator.scale,           cfg.embedding};
}

train::TrainingOptions round_training_options(const RunConfig& cfg, std::uint32_t round) {
  train::TrainingOptions to = training_options(cfg);
  to.seed = cfg.seed;
  to.split_seed = cfg.seed;
  to.round = round;
  return to;
}

namespace {

bool structured_x(const RunConfig& cfg) {
  const std::string& z = cfg.estimator.z_score_x;
  // "auto": structured for the embeddings that read x as a map of a field (cnn2d, power_spectrum).
  return z == "structured" || (z == "auto" && (cfg.embedding.type == "cnn2d" || cfg.embedding.type == "power_spectrum"));
}

}  // namespace

nn::Standardizer fit_x_standardizer(const RunConfig& cfg, const Eigen::Ref<const Eigen::MatrixXf>& x) {
  return structured_x(cfg) ? nn::Standardizer::fit_structured(x) : nn::Standardizer::fit(x);
}

nn::Standardizer fit_x_standardizer(const RunConfig& cfg, const Eigen::Ref<const Eigen::MatrixXd>& x) {
  return structured_x(cfg) ? nn::Standardizer::fit_structured(x) : nn::Standardizer::fit(x);
}

BankPairs valid_pairs(const SimulationBank& bank) {
  BankPairs p;
  p.rows = bank.valid_rows();
  p.theta = bank.theta_of(p.rows);
  if (p.rows.size() == bank.size()) {
    p.bank_x_ = bank.x;
  } else {
    const Eigen::Map<const Eigen::MatrixXf> all = bank.x.matrix();
    p.gathered_.resize(all.rows(), static_cast<Eigen::Index>(p.rows.size()));
    for (std::size_t j = 0; j < p.rows.size(); ++j)
      p.gathered_.col(static_cast<Eigen::Index>(j)) = all.col(static_cast<Eigen::Index>(p.rows[j]));
  }
  p.round.resize(p.rows.size());
  for (std::size_t j = 0; j < p.rows.size(); ++j) p.round[j] = bank.round.empty() ? 0 : bank.round[p.rows[j]];
  return p;
}

std::uint64_t member_seed(std::uint64_t seed, std::size_t k) {
  return k == 0 ? seed : RandomStream(seed, StreamId::initialization, 1, k).next_u64();
}

void SequentialNpe::build(const nn::Standardizer& y_std, const nn::Standardizer& c_std) {
  const RunConfig& cfg = ctx_.config;
  y_std_ = y_std;
  c_std_ = c_std;
  const nn::DensityEstimatorSpec spec = density_estimator_spec(cfg);
  std::vector<nn::ConditionalDensityEstimator<float>*> members;
  for (int k = 0; k < cfg.estimator.ensemble; ++k) {
    // The same data and validation split for every member.
    estimators_.push_back(
        nn::make_density_estimator(spec, y_std.dim(), c_std.dim(), member_seed(cfg.seed, k), y_std, c_std));
    members.push_back(estimators_.back().get());
  }
  posterior_ = std::make_unique<DirectPosterior>(members, ctx_.prior, cfg.inference.unconstrained);
}

SequentialNpe::SequentialNpe(const MethodContext& context, NpeVariant variant)
    : ctx_(context), variant_(variant), proposal_(std::make_unique<PriorProposal>(context.prior)) {}

SequentialNpe::~SequentialNpe() = default;

RoundTraining SequentialNpe::train(const SimulationBank& bank, std::uint32_t round) {
  const RunConfig& cfg = ctx_.config;
  const Prior& prior = ctx_.prior;
  const double t0 = MPI_Wtime();
  // The pairs of every round with status ok, in bank order.
  const BankPairs pairs = valid_pairs(bank);
  const std::vector<std::size_t>& rows = pairs.rows;
  const auto n = static_cast<Eigen::Index>(rows.size());
  const Eigen::MatrixXd& theta = pairs.theta;
  const Eigen::Map<const Eigen::MatrixXf> x = pairs.x();
  const std::vector<std::uint32_t>& row_round = pairs.round;
  const Eigen::MatrixXd target = cfg.inference.unconstrained ? prior.to_unconstrained(theta) : theta;
  if (!target.allFinite())
    throw NumericalError(make_message("npe", "θ inside the prior's support", "finite unconstrained values",
                                      "θ on or outside the support boundary"));

  const std::uint64_t seed = cfg.seed;
  // Round 0: the estimators and their z-scoring, fitted on round 0's pairs.
  if (estimators_.empty()) {
    build(nn::Standardizer::fit(target), fit_x_standardizer(cfg, x));
    for (auto& e : estimators_) e->calibrate_context(calibration_contexts(x));
  }

  const nn::Mat<float> y = target.cast<float>();
  const train::DataRef c = x;  // read in place
  std::vector<std::int64_t> train_idx, val_idx;
  split_by_round(row_round, cfg.training.validation_fraction, seed, train_idx, val_idx);

  // The loss of this variant and round.
  nn::Vec<float> weights;
  Eigen::VectorXd log_prior_target, prior_draws;
  RoundTraining out;
  out.examples = n;
  out.loss = "nll";
  if (variant_ == NpeVariant::snpe_b) {
    // w = p(θ)/p̄(θ) (the Jacobians of the unconstrained map cancel in the ratio), mean 1.
    const Eigen::VectorXd log_w = prior.log_prob(theta) - log_mixture_proposal(bank, rows, theta);
    const double mx = log_w.maxCoeff();
    Eigen::VectorXd w = (log_w.array() - mx).exp();
    w *= static_cast<double>(n) / w.sum();
    if (!w.allFinite())
      throw NumericalError(make_message("snpe_b, round " + std::to_string(round), "importance weights", "finite",
                                        "non-finite values (a proposal density of zero at a simulated θ)"));
    weights = w.cast<float>();
    out.loss = "importance-weighted nll";
  }
  const bool atomic = variant_ == NpeVariant::snpe_c && round > 0;
  if (atomic) {
    // log p in the estimator's units: p_u(u) = p(T(u))·|det ∂T/∂u| when training on u.
    log_prior_target = prior.log_prob(theta);
    if (cfg.inference.unconstrained) log_prior_target += prior.log_abs_det_jacobian(target);
    out.loss = "atomic (" + std::to_string(cfg.inference.atoms) + " atoms)";
    if (cfg.inference.combined_loss) {  // + the NLL of round 0's rows, the prior's draws
      prior_draws.resize(n);
      for (Eigen::Index i = 0; i < n; ++i) prior_draws(i) = row_round[static_cast<std::size_t>(i)] == 0 ? 1.0 : 0.0;
      out.loss += " + nll of the prior's draws";
    }
  }

  for (std::size_t k = 0; k < estimators_.size(); ++k) {
    train::TrainingOptions topt = training_options(cfg);
    topt.seed = member_seed(seed, k);
    topt.split_seed = seed;
    topt.round = round;
    topt.ledger = ctx_.ledger;
    std::unique_ptr<train::ShardLoss> loss;
    if (atomic)
      loss = std::make_unique<train::AtomicLoss>(*estimators_[k], y, c, log_prior_target, cfg.inference.atoms,
                                                 topt.seed,
                                                 cfg.inference.combined_loss ? prior_draws
                                                                             : train::AtomicLoss::no_nll_weight());
    else
      loss = std::make_unique<train::NllLoss>(*estimators_[k], y, c,
                                              weights.size() ? weights : train::NllLoss::empty_weights());
    train::Trainer trainer(*loss, train_idx, val_idx, topt, ctx_.comm);
    out.trainings.push_back(trainer.run());
  }
  out.seconds = MPI_Wtime() - t0;
  return out;
}

Eigen::VectorXd SequentialNpe::log_mixture_proposal(const SimulationBank& bank, const std::vector<std::size_t>& rows,
                                                    const Eigen::MatrixXd& theta) {
  // N_s: draws of round s (every status: the design drew them all from p̃_s).
  const std::size_t S = snapshots_.size() + 1;
  std::vector<double> draws(S, 0.0);
  for (std::size_t i = 0; i < bank.size(); ++i) draws[bank.round.empty() ? 0 : bank.round[i]] += 1;
  const double total = static_cast<double>(bank.size());
  const auto n = static_cast<Eigen::Index>(rows.size());
  Eigen::MatrixXd terms(static_cast<Eigen::Index>(S), n);  // log(N_s/N) + log p̃_s(θ_n)
  terms.row(0) = ctx_.prior.log_prob(theta).transpose();
  // The later proposals with the weights they had: swap each snapshot in, evaluate, restore.
  std::vector<Eigen::VectorXf> now;
  for (const auto& e : estimators_) now.push_back(e->parameters().values());
  for (std::size_t s = 1; s < S; ++s) {
    for (std::size_t k = 0; k < estimators_.size(); ++k) estimators_[k]->parameters().values() = snapshots_[s - 1].weights[k];
    terms.row(static_cast<Eigen::Index>(s)) =
        (posterior_->log_prob(theta, ctx_.x_o).array() - snapshots_[s - 1].log_z).matrix().transpose();
  }
  for (std::size_t k = 0; k < estimators_.size(); ++k) estimators_[k]->parameters().values() = now[k];
  // A row's own proposal: the value recorded when it was drawn.
  for (Eigen::Index j = 0; j < n; ++j)
    if (!bank.round.empty()) terms(bank.round[rows[j]], j) = bank.log_proposal[rows[j]];
  Eigen::VectorXd out(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    double mx = -std::numeric_limits<double>::infinity();
    for (std::size_t s = 0; s < S; ++s)
      if (draws[s] > 0) mx = std::max(mx, terms(static_cast<Eigen::Index>(s), j) + std::log(draws[s] / total));
    double sum = 0;
    for (std::size_t s = 0; s < S; ++s)
      if (draws[s] > 0) sum += std::exp(terms(static_cast<Eigen::Index>(s), j) + std::log(draws[s] / total) - mx);
    out(j) = mx + std::log(sum);
  }
  return out;
}

double SequentialNpe::next_proposal(std::uint32_t next) {
  const RunConfig& cfg = ctx_.config;
  past_proposals_.push_back(std::move(proposal_));
  switch (variant_) {
    case NpeVariant::snpe_b:
    case NpeVariant::snpe_c: {
      auto p = std::make_unique<PosteriorProposal>(*posterior_, ctx_.x_o, cfg.seed, next);
      const double acc = p->acceptance();
      if (acc < cfg.posterior.min_acceptance)
        throw NumericalError(make_message(
            "round " + std::to_string(next) + " proposal", "posterior mass inside the prior's support",
            "at least posterior.min_acceptance = " + fmt(cfg.posterior.min_acceptance),
            fmt(acc) + ": the estimator leaks its mass outside the support (leakage); more simulations per round, "
                       "inference.unconstrained = true or method = \"tsnpe\" avoid it"));
      if (variant_ == NpeVariant::snpe_b) {
        ProposalSnapshot snap;
        for (const auto& e : estimators_) snap.weights.push_back(e->parameters().values());
        snap.log_z = p->log_normalizer();
        snapshots_.push_back(std::move(snap));
      }
      proposal_ = std::move(p);
      return acc;
    }
    case NpeVariant::tsnpe: {
      TruncationOptions t;
      t.quantile = cfg.inference.truncation_quantile;
      auto p = std::make_unique<TruncatedPriorProposal>(*posterior_, ctx_.x_o, cfg.seed, next, t, ctx_.comm);
      const double mass = p->prior_mass();
      proposal_ = std::move(p);
      return mass;
    }
    case NpeVariant::npe: break;
  }
  throw ConfigError(make_message("inference.rounds", "1 for method \"npe\"", "1", std::to_string(cfg.inference.rounds)));
}

Eigen::MatrixXd SequentialNpe::weights() const {
  Eigen::MatrixXd w(estimators_.front()->parameters().size(), static_cast<Eigen::Index>(estimators_.size()));
  for (std::size_t k = 0; k < estimators_.size(); ++k)
    w.col(static_cast<Eigen::Index>(k)) = estimators_[k]->parameters().values().cast<double>();
  return w;
}

std::optional<TrainedState> SequentialNpe::trained_state() const {
  TrainedState s;
  s.method = ctx_.config.inference.method;
  for (const auto& e : estimators_) s.estimators.push_back({y_std_, c_std_, e->parameters().values()});
  return s;
}

void SequentialNpe::restore(const TrainedState& state) {
  check_trained_state(state, ctx_.config, static_cast<std::size_t>(ctx_.config.estimator.ensemble));
  const TrainedEstimator& first = state.estimators.front();
  build(first.first, first.second);
  for (std::size_t k = 0; k < estimators_.size(); ++k)
    restore_weights(estimators_[k]->parameters().values(), state.estimators[k].weights,
                    "ensemble member " + std::to_string(k + 1));
}

}  // namespace nsbi
