#include "nsbi/train/trainer.hpp"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/core/interrupt.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/nn/adam.hpp"
#include "nsbi/train/exact_allreduce.hpp"

namespace nsbi::train {

namespace {

void shuffle(std::vector<std::int64_t>& v, RandomStream& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

std::vector<float> to_vector(const Eigen::VectorXf& v) { return {v.data(), v.data() + v.size()}; }
Eigen::VectorXf to_eigen(const std::vector<float>& v) {
  return Eigen::Map<const Eigen::VectorXf>(v.data(), static_cast<Eigen::Index>(v.size()));
}

}  // namespace

void split_examples(std::int64_t n, double validation_fraction, std::uint64_t seed, std::uint32_t round,
                    std::vector<std::int64_t>& train, std::vector<std::int64_t>& validation) {
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) perm[i] = i;
  RandomStream rng(seed, StreamId::validation_split, round, 0);
  shuffle(perm, rng);
  const auto n_val = static_cast<std::int64_t>(std::llround(validation_fraction * static_cast<double>(n)));
  validation.assign(perm.begin(), perm.begin() + n_val);
  train.assign(perm.begin() + n_val, perm.end());
  // Sorted sets: the epoch shuffle alone decides the order.
  std::sort(validation.begin(), validation.end());
  std::sort(train.begin(), train.end());
}

// What lives only between construction and the end of training: the optimiser, the reducer
// and the buffers of one step.
struct Trainer::Impl {
  Impl(Eigen::Index n_params, int my_shards, double lr, const mpi::Communicator& comm)
      : adam(n_params, {lr}), reducer(comm), shard_grads(n_params + 1, my_shards), loss_sum(1) {}
  nn::Adam<float> adam;
  ExactAllreduce reducer;
  Eigen::MatrixXf shard_grads;  // one column per owned shard: its gradient and, last, its loss
  Eigen::VectorXd loss_sum;
  Eigen::VectorXf best_weights;
  std::vector<std::int64_t> order;
};

MinibatchShape minibatch_shape(int batch_size, int micro_batch, std::int64_t train_examples) {
  MinibatchShape m;
  m.batch = static_cast<int>(std::min<std::int64_t>(batch_size, train_examples));
  m.shards = (m.batch + micro_batch - 1) / micro_batch;
  return m;
}

Trainer::Trainer(ShardLoss& loss, std::vector<std::int64_t> train_examples,
                 std::vector<std::int64_t> validation_examples, const TrainingOptions& opt,
                 const mpi::Communicator& comm)
    : loss_(loss), train_idx_(std::move(train_examples)), val_idx_(std::move(validation_examples)), opt_(opt),
      comm_(comm) {
  if (opt.batch_size < 1 || opt.micro_batch < 1)
    throw ConfigError(make_message("training", "batch_size and micro_batch", "≥ 1",
                                   std::to_string(opt.batch_size) + ", " + std::to_string(opt.micro_batch)));
  if (val_idx_.empty() || train_idx_.empty())
    throw ConfigError(make_message("training", "training and validation examples", "at least 1 each",
                                   std::to_string(train_idx_.size()) + " and " + std::to_string(val_idx_.size())));
  auto& r = state_.result;
  r.train_examples = static_cast<std::int64_t>(train_idx_.size());
  r.validation_examples = static_cast<std::int64_t>(val_idx_.size());
  const int shards_per_batch = minibatch_shape(opt.batch_size, opt.micro_batch, r.train_examples).shards;
  const int P = comm.size(), rank = comm.rank();
  const int my_shards = std::max(0, (shards_per_batch - rank + P - 1) / P);
  impl_ = std::make_unique<Impl>(loss.parameters().size(), my_shards, opt.learning_rate, comm);
  impl_->best_weights = loss.parameters().values();
  state_.learning_rate = opt.learning_rate;
  state_.best_val = std::numeric_limits<double>::infinity();
  state_.finished = opt.max_epochs <= 0;
}

Trainer::~Trainer() = default;

void Trainer::run_epoch() {
  if (state_.finished) return;
  auto& params = loss_.parameters();
  const Eigen::Index n_params = params.size();
  auto& result = state_.result;
  const auto [batch, shards_per_batch] = minibatch_shape(opt_.batch_size, opt_.micro_batch, result.train_examples);
  const std::int64_t steps_per_epoch = result.train_examples / batch;  // drop the last partial batch
  const int P = comm_.size(), r = comm_.rank();
  const int epoch = state_.epoch;
  const double t_epoch = MPI_Wtime();

  impl_->order = train_idx_;
  RandomStream rng(opt_.seed, StreamId::training, opt_.round, static_cast<std::uint64_t>(epoch));
  shuffle(impl_->order, rng);
  double epoch_loss = 0;
  for (std::int64_t step = 0; step < steps_per_epoch; ++step) {
    const Minibatch mb{std::span<const std::int64_t>(impl_->order.data() + step * batch, static_cast<std::size_t>(batch)),
                       opt_.round, epoch, step};
    loss_.begin_batch(mb);
    int k = 0;
    for (int s = r; s < shards_per_batch; s += P, ++k) {
      const int b = s * opt_.micro_batch, e = std::min(batch, b + opt_.micro_batch);
      params.zero_grad();
      const double l = loss_.loss_and_gradient(mb, b, e);
      impl_->shard_grads.col(k).head(n_params) = params.grads();
      impl_->shard_grads(n_params, k) = static_cast<float>(l);
    }
    // The batch-mean gradient (float, as Adam consumes it; a view of the reducer's buffer) and
    // the exact loss sum, bitwise identical on every rank and at every rank count.
    const auto step_grad = impl_->reducer.sum_scaled(impl_->shard_grads, shards_per_batch,
                                                     1.0 / static_cast<double>(batch), impl_->loss_sum);
    epoch_loss += impl_->loss_sum(0);
    if (opt_.clip_norm > 0) nn::clip_grad_norm<float>(step_grad, opt_.clip_norm);
    impl_->adam.step(params.values(), step_grad);
    ++result.steps;
  }

  // Validation needs no gradients, so its shards are larger (fewer, better-filled GEMMs); the
  // shard size depends only on the options, never on the rank count. The sum is exact.
  const Minibatch vb{std::span<const std::int64_t>(val_idx_), opt_.round, epoch, Minibatch::kValidation};
  loss_.begin_batch(vb);
  const int val_shard = opt_.micro_batch * 4;
  const auto n_val = static_cast<std::int64_t>(val_idx_.size());
  const std::int64_t val_shards = (n_val + val_shard - 1) / val_shard;
  Eigen::MatrixXd mine(1, std::max<std::int64_t>(0, (val_shards - r + P - 1) / P));
  Eigen::Index k = 0;
  for (std::int64_t s = r; s < val_shards; s += P) {
    const std::int64_t b = s * val_shard, e = std::min(n_val, b + val_shard);
    mine(0, k++) = loss_.loss(vb, b, e);
  }
  Eigen::VectorXd val_total(1);
  impl_->reducer.sum<double>(mine, val_shards, val_total);

  EpochRecord rec;
  rec.epoch = epoch;
  rec.train_loss = epoch_loss / static_cast<double>(steps_per_epoch * batch);
  rec.val_loss = val_total(0) / static_cast<double>(n_val);
  rec.seconds = MPI_Wtime() - t_epoch;
  result.history.push_back(rec);
  result.seconds += rec.seconds;
  ++state_.epoch;
  if (!std::isfinite(rec.val_loss))
    throw NumericalError(make_message("training, round " + std::to_string(opt_.round) + ", epoch " +
                                          std::to_string(epoch),
                                      "validation loss", "finite", std::to_string(rec.val_loss)));
  if (opt_.verbose && comm_.is_root())
    std::fprintf(stderr, "epoch %4d  train %.5f  val %.5f  (%.3f s)\n", epoch, rec.train_loss, rec.val_loss,
                 rec.seconds);
  if (rec.val_loss < state_.best_val) {
    state_.best_val = rec.val_loss;
    result.best_epoch = epoch;
    impl_->best_weights = params.values();
    state_.since_improvement = 0;
  } else if (++state_.since_improvement >= opt_.stop_after_epochs) {
    if (result.lr_decays < opt_.lr_decays) {
      // Plateau: continue from the best weights with a smaller step.
      params.values() = impl_->best_weights;
      impl_->adam.options().learning_rate *= opt_.lr_decay_factor;
      state_.learning_rate = impl_->adam.options().learning_rate;
      ++result.lr_decays;
      state_.since_improvement = 0;
      if (opt_.verbose && comm_.is_root())
        std::fprintf(stderr, "plateau: learning rate now %g\n", state_.learning_rate);
    } else {
      result.early_stopped = true;
      finish();
      return;
    }
  }
  if (state_.epoch >= opt_.max_epochs) finish();
}

void Trainer::finish() {
  loss_.parameters().values() = impl_->best_weights;
  state_.result.best_val_loss = state_.best_val;
  state_.result.communication_seconds = impl_->reducer.communication_seconds();
  state_.finished = true;
}

TrainingResult Trainer::run() {
  TrainingLedger* ledger = opt_.ledger;
  if (ledger) {
    if (std::optional<TrainerState> saved = ledger->resume(opt_.round)) {
      if (saved->finished) {
        // A finished training: its final weights and record, nothing left to run.
        const auto n = static_cast<std::size_t>(loss_.parameters().size());
        if (saved->weights.size() != n)
          throw CheckpointError(make_message("trainer state", "parameter count", std::to_string(n),
                                             std::to_string(saved->weights.size())));
        loss_.parameters().values() = to_eigen(saved->weights);
        impl_->best_weights = loss_.parameters().values();
        state_ = std::move(*saved);
        state_.weights.clear();
        state_.best_weights.clear();
        return state_.result;
      }
      restore(*saved);
    }
  }
  while (!state_.finished) {
    run_epoch();
    // A safe point: every rank agrees whether a stop signal arrived anywhere.
    const bool stopping = agree_interrupt(comm_);
    if (ledger) ledger->after_epoch(*this, opt_.round, stopping);
    if (stopping) throw Interrupted("stopped by a signal after training epoch " + std::to_string(state_.epoch));
  }
  return state_.result;
}

TrainerState Trainer::state() const {
  TrainerState s = state_;
  s.adam_steps = impl_->adam.steps();
  s.adam_m = to_vector(impl_->adam.first_moment());
  s.adam_v = to_vector(impl_->adam.second_moment());
  s.weights = to_vector(loss_.parameters().values());
  s.best_weights = to_vector(impl_->best_weights);
  s.allreduce_has_bound = impl_->reducer.has_bound();
  s.allreduce_bound = impl_->reducer.bound();
  return s;
}

void Trainer::restore(const TrainerState& s) {
  const auto n = static_cast<std::size_t>(loss_.parameters().size());
  if (s.weights.size() != n || s.best_weights.size() != n || s.adam_m.size() != n || s.adam_v.size() != n)
    throw CheckpointError(make_message("trainer state", "parameter count", std::to_string(n),
                                       std::to_string(s.weights.size())));
  state_ = s;
  state_.adam_m.clear();
  state_.adam_v.clear();
  state_.weights.clear();
  state_.best_weights.clear();
  impl_->adam.set_state(s.adam_steps, to_eigen(s.adam_m), to_eigen(s.adam_v));
  impl_->adam.options().learning_rate = s.learning_rate;
  loss_.parameters().values() = to_eigen(s.weights);
  impl_->best_weights = to_eigen(s.best_weights);
  impl_->reducer.set_bound(s.allreduce_has_bound, s.allreduce_bound);
}

TrainingResult train(ShardLoss& loss, std::int64_t n_examples, const TrainingOptions& opt,
                     const mpi::Communicator& comm) {
  std::vector<std::int64_t> train_idx, val_idx;
  split_examples(n_examples, opt.validation_fraction, opt.split_seed ? opt.split_seed : opt.seed, opt.round, train_idx,
                 val_idx);
  Trainer trainer(loss, std::move(train_idx), std::move(val_idx), opt, comm);
  return trainer.run();
}

}  // namespace nsbi::train
