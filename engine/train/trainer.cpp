#include "nsbi/train/trainer.hpp"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/nn/adam.hpp"
#include "nsbi/train/exact_allreduce.hpp"

namespace nsbi::train {

namespace {

void shuffle(std::vector<std::int64_t>& v, RandomStream& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

// Sum of the loss over `examples`, cut into fixed shards and reduced exactly over ranks.
double exact_loss_sum(ShardLoss& loss, std::span<const std::int64_t> examples, int shard_size,
                      const mpi::Communicator& comm, ExactAllreduce& reducer) {
  const std::int64_t n = static_cast<std::int64_t>(examples.size());
  const std::int64_t shards = (n + shard_size - 1) / shard_size;
  const int P = comm.size(), r = comm.rank();
  Eigen::MatrixXd mine(1, std::max<std::int64_t>(0, (shards - r + P - 1) / P));
  Eigen::Index k = 0;
  for (std::int64_t s = r; s < shards; s += P) {
    const std::int64_t b = s * shard_size, e = std::min(n, b + shard_size);
    mine(0, k++) = loss.loss(examples.subspan(b, e - b));
  }
  Eigen::VectorXd total(1);
  reducer.sum<double>(mine, shards, total);
  return total(0);
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

TrainingResult train(ShardLoss& loss, std::int64_t n_examples, const TrainingOptions& opt,
                     const mpi::Communicator& comm) {
  if (opt.batch_size < 1 || opt.micro_batch < 1)
    throw ConfigError(make_message("training", "batch_size and micro_batch", "≥ 1",
                                   std::to_string(opt.batch_size) + ", " + std::to_string(opt.micro_batch)));
  TrainingResult result;
  std::vector<std::int64_t> train_idx, val_idx;
  split_examples(n_examples, opt.validation_fraction, opt.split_seed ? opt.split_seed : opt.seed, opt.round, train_idx,
                 val_idx);
  if (val_idx.empty() || train_idx.empty())
    throw ConfigError(make_message("training", "training and validation examples", "at least 1 each",
                                   std::to_string(train_idx.size()) + " and " + std::to_string(val_idx.size())));
  result.train_examples = static_cast<std::int64_t>(train_idx.size());
  result.validation_examples = static_cast<std::int64_t>(val_idx.size());
  const int batch = static_cast<int>(std::min<std::int64_t>(opt.batch_size, result.train_examples));
  const std::int64_t steps_per_epoch = result.train_examples / batch;  // drop the last partial batch
  const int shards_per_batch = (batch + opt.micro_batch - 1) / opt.micro_batch;
  const int P = comm.size(), r = comm.rank();
  const int my_shards = std::max(0, (shards_per_batch - r + P - 1) / P);

  auto& params = loss.parameters();
  const Eigen::Index n_params = params.size();
  nn::Adam<float> adam(n_params, {opt.learning_rate});
  ExactAllreduce reducer(comm);
  // One column per owned shard: its gradient and, in the last row, its loss.
  Eigen::MatrixXf shard_grads(n_params + 1, my_shards);
  Eigen::VectorXd loss_sum(1);
  Eigen::VectorXf best_weights = params.values();
  double best_val = std::numeric_limits<double>::infinity();
  int since_improvement = 0;
  const double t_start = MPI_Wtime();

  for (int epoch = 0; epoch < opt.max_epochs; ++epoch) {
    const double t_epoch = MPI_Wtime();
    std::vector<std::int64_t> order = train_idx;
    RandomStream rng(opt.seed, StreamId::training, opt.round, static_cast<std::uint64_t>(epoch));
    shuffle(order, rng);
    double epoch_loss = 0;
    for (std::int64_t step = 0; step < steps_per_epoch; ++step) {
      const std::span<const std::int64_t> batch_idx(order.data() + step * batch, static_cast<std::size_t>(batch));
      int k = 0;
      for (int s = r; s < shards_per_batch; s += P, ++k) {
        const int b = s * opt.micro_batch, e = std::min(batch, b + opt.micro_batch);
        params.zero_grad();
        const double l = loss.loss_and_gradient(batch_idx.subspan(b, e - b));
        shard_grads.col(k).head(n_params) = params.grads();
        shard_grads(n_params, k) = static_cast<float>(l);
      }
      // The batch-mean gradient (float, as Adam consumes it; a view of the reducer's buffer) and
      // the exact loss sum, bitwise identical on every rank and at every rank count.
      const auto step_grad =
          reducer.sum_scaled(shard_grads, shards_per_batch, 1.0 / static_cast<double>(batch), loss_sum);
      epoch_loss += loss_sum(0);
      if (opt.clip_norm > 0) nn::clip_grad_norm<float>(step_grad, opt.clip_norm);
      adam.step(params.values(), step_grad);
      ++result.steps;
    }
    // Validation needs no gradients, so its shards are larger (fewer, better-filled GEMMs); the
    // shard size depends only on the options, never on the rank count.
    const double val_sum = exact_loss_sum(loss, val_idx, opt.micro_batch * 4, comm, reducer);
    EpochRecord rec;
    rec.epoch = epoch;
    rec.train_loss = epoch_loss / static_cast<double>(steps_per_epoch * batch);
    rec.val_loss = val_sum / static_cast<double>(val_idx.size());
    rec.seconds = MPI_Wtime() - t_epoch;
    result.history.push_back(rec);
    if (!std::isfinite(rec.val_loss))
      throw NumericalError(make_message("training, epoch " + std::to_string(epoch), "validation loss", "finite",
                                        std::to_string(rec.val_loss)));
    if (opt.verbose && comm.is_root())
      std::fprintf(stderr, "epoch %4d  train %.5f  val %.5f  (%.3f s)\n", epoch, rec.train_loss, rec.val_loss,
                   rec.seconds);
    if (rec.val_loss < best_val) {
      best_val = rec.val_loss;
      result.best_epoch = epoch;
      best_weights = params.values();
      since_improvement = 0;
    } else if (++since_improvement >= opt.stop_after_epochs) {
      if (result.lr_decays < opt.lr_decays) {
        // Plateau: continue from the best weights with a smaller step.
        params.values() = best_weights;
        adam.options().learning_rate *= opt.lr_decay_factor;
        ++result.lr_decays;
        since_improvement = 0;
        if (opt.verbose && comm.is_root())
          std::fprintf(stderr, "plateau: learning rate now %g\n", adam.options().learning_rate);
        continue;
      }
      result.early_stopped = true;
      break;
    }
  }
  params.values() = best_weights;
  result.best_val_loss = best_val;
  result.seconds = MPI_Wtime() - t_start;
  result.communication_seconds = reducer.communication_seconds();
  return result;
}

}  // namespace nsbi::train
