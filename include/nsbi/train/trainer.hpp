#pragma once
// Data-parallel minibatch training with the `sbi` defaults (DESIGN.md §2, §3).
//
// Every minibatch is cut into micro-shards of a fixed size (independent of the rank count);
// rank r computes the gradient of shards r, r+P, r+2P, …; the shard gradients are summed exactly
// across ranks (ExactAllreduce), so every rank takes the identical clipped Adam step. Validation
// loss, early stopping and the restore of the best weights are decided from exactly reduced
// values, so every rank takes the same decisions and the trained weights are bitwise the same for
// any number of ranks.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nsbi/mpi/communicator.hpp"
#include "nsbi/train/shard_loss.hpp"

namespace nsbi::train {

class TrainingLedger;

struct TrainingOptions {
  int batch_size = 200;
  double learning_rate = 5e-4;
  double clip_norm = 5.0;  // ≤ 0: no clipping
  double validation_fraction = 0.1;
  int stop_after_epochs = 20;
  int max_epochs = 100000;
  int micro_batch = 50;
  /// Learning-rate decay on plateau: when validation has not improved for stop_after_epochs,
  /// restore the best weights, multiply the learning rate by lr_decay_factor and go on, up to
  /// lr_decays times; only then stop. 0 decays = sbi's plain early stopping.
  int lr_decays = 0;
  double lr_decay_factor = 0.2;
  std::uint64_t seed = 1;          // minibatch order
  std::uint64_t split_seed = 0;    // training/validation split; 0 = use `seed`
  std::uint32_t round = 0;
  bool verbose = false;  // one line per epoch on rank 0's stderr
  /// Where a run keeps its trainings for checkpoints (issue 11); nullptr: none. Not owned.
  TrainingLedger* ledger = nullptr;
};

/// A minibatch's micro-shards, the units of data-parallel work: the minibatch is batch_size
/// examples, or all train_examples when fewer, cut into shards of micro_batch. Fewer shards than
/// ranks leave ranks waiting at every step.
struct MinibatchShape {
  int batch = 0, shards = 0;
};
MinibatchShape minibatch_shape(int batch_size, int micro_batch, std::int64_t train_examples);

struct EpochRecord {
  int epoch = 0;
  double train_loss = 0;  // mean over the epoch's training examples
  double val_loss = 0;    // mean over the validation examples
  double seconds = 0;
};

struct TrainingResult {
  std::vector<EpochRecord> history;
  int best_epoch = -1;
  double best_val_loss = 0;
  bool early_stopped = false;
  int lr_decays = 0;  // decays made
  std::int64_t steps = 0;
  std::int64_t train_examples = 0, validation_examples = 0;
  double seconds = 0;
  double communication_seconds = 0;
};

/// The whole state of a training run between two epochs, as a plain value (a checkpoint saves it;
/// Trainer::restore continues from it with the same bytes as an uninterrupted run).
struct TrainerState {
  std::int64_t adam_steps = 0;
  std::vector<float> adam_m, adam_v;   // Adam's moments
  double learning_rate = 0;            // after the decays made so far
  std::vector<float> weights;          // the parameters now
  std::vector<float> best_weights;     // those of the best validation epoch
  double best_val = 0;                 // +inf before the first epoch
  int since_improvement = 0;           // epochs since best_val improved (patience)
  int epoch = 0;                       // the next epoch to run
  bool finished = false;
  bool allreduce_has_bound = false;    // ExactAllreduce's predicted exponent bound
  int allreduce_bound = 0;
  TrainingResult result;               // history and counters so far
};

/// Data-parallel minibatch training of one ShardLoss on fixed training and validation example
/// sets. Collective over `comm` (every rank constructs it with the same arguments).
class Trainer {
 public:
  Trainer(ShardLoss& loss, std::vector<std::int64_t> train_examples, std::vector<std::int64_t> validation_examples,
          const TrainingOptions& options, const mpi::Communicator& comm);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// One epoch: the minibatch steps, the validation loss and the early-stopping decision.
  void run_epoch();
  bool finished() const { return state_.finished; }
  /// Epochs until finished; then the parameters hold the best weights. Returns the result.
  TrainingResult run();

  /// The state now (weights included), for checkpoints.
  TrainerState state() const;
  /// Continues from a state taken from a Trainer of the same loss, examples and options.
  void restore(const TrainerState& state);

 private:
  void finish();

  ShardLoss& loss_;
  std::vector<std::int64_t> train_idx_, val_idx_;
  TrainingOptions opt_;
  const mpi::Communicator& comm_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  TrainerState state_;
};

/// What a run keeps of its trainings (checkpoints, issue 11). Trainer::run() with a ledger asks
/// it, before the first epoch, for a state an earlier process of the same run saved for this
/// training (the trainings of a run start in the same order every time, so the n-th call names
/// the n-th training), and tells it after every epoch. Every rank calls it identically.
class TrainingLedger {
 public:
  virtual ~TrainingLedger() = default;
  /// The saved state of the next training of `round` (finished, or between two epochs), or
  /// nullopt when it is to run from the start. CheckpointError when the saved one does not fit.
  virtual std::optional<TrainerState> resume(std::uint32_t round) = 0;
  /// After every epoch (with finished() true after the last); `stopping`: every rank agreed
  /// that a signal stops the run here, and Interrupted follows.
  virtual void after_epoch(const Trainer& trainer, std::uint32_t round, bool stopping) = 0;
};

/// Trains on examples 0..n_examples−1 of `loss`, split by split_examples; collective over
/// `comm`. On return the parameters hold the weights of the best validation epoch.
TrainingResult train(ShardLoss& loss, std::int64_t n_examples, const TrainingOptions& options,
                     const mpi::Communicator& comm);

/// The training/validation split: a permutation of 0..n−1 from the seed; the first
/// round(fraction·n) indices validate. Pure, for tests.
void split_examples(std::int64_t n, double validation_fraction, std::uint64_t seed, std::uint32_t round,
                    std::vector<std::int64_t>& train, std::vector<std::int64_t>& validation);

}  // namespace nsbi::train
