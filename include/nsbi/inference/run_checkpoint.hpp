#pragma once
// Checkpoints of a run (DESIGN.md §7, issue 11): the state that simulations alone do not give
// back — every training of the run so far, finished (final weights and record) or between two
// epochs (weights, best weights, Adam's moments, learning rate, patience, the allreduce's
// exponent bound), and every MCMC sampling, finished or between two chain steps (per group of
// chains: positions, densities, stream positions, counters, the kernel's adaptation and the draws
// kept; mcmc::ChainsProgress) — so that `nsbi resume` continues a run cut short during training,
// proposal building or sampling without repeating a finished epoch or chain step.
//
// What is not in a checkpoint, and why: the simulation bank is in journal.bin (appended per
// chunk, CRC-checked), which a resumed run replays; random numbers come from counter-based streams
// keyed by (seed, stream, round, index), so there are no generator positions to save outside the
// MCMC chains (whose streams advance with every step, and are saved with them); the
// z-scorings, proposals and posteriors are deterministic functions of the bank and the weights and
// are rebuilt. The resumed run is therefore byte-identical to an uninterrupted one at any rank
// count, and a checkpoint's size does not grow with the number of simulations.
//
// File `checkpoint-NNNNNN.bin` in the run directory (NNNNNN counts up; the newest two are kept):
//   "NSBICKPT" | u32 format version | u64 run fingerprint (journal.bin's) | u64 payload bytes |
//   payload (a Boost.Serialization binary archive, no header) | u32 CRC-32 of every byte before it
// Written to checkpoint.tmp, flushed to the disk (fsync) and renamed, so a kill at any instant
// leaves the previous checkpoint whole.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nsbi/core/log.hpp"
#include "nsbi/mcmc/parallel_chains.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/train/trainer.hpp"

namespace nsbi {

/// One training of a run, in the order the run started them.
struct CheckpointTraining {
  std::uint32_t round = 0;
  train::TrainerState state;  // finished: weights only (no moments, no best weights)
};

struct CheckpointContent {
  std::uint64_t fingerprint = 0;
  std::uint64_t sequence = 0;  // the NNNNNN of its file
  std::vector<CheckpointTraining> trainings;
  /// Every MCMC sampling of the run so far (NLE/NRE posteriors and SNLE/SNRE proposals), in the
  /// order the run started them: finished ones and the one in progress.
  std::vector<mcmc::ChainsProgress> samplings;
};

/// The bytes of a checkpoint file / the content they hold. decode throws CheckpointError naming
/// `path` when the bytes are not a checkpoint, another format version, truncated, corrupt
/// (CRC-32) or from a run with another configuration (fingerprint).
std::string encode_checkpoint(const CheckpointContent& content);
CheckpointContent decode_checkpoint(const std::string& bytes, const std::string& path, std::uint64_t fingerprint);

/// `dir`/checkpoint-NNNNNN.bin.
std::string checkpoint_path(const std::string& dir, std::uint64_t sequence);
/// The sequence numbers of the checkpoint files in `dir`, newest first.
std::vector<std::uint64_t> checkpoint_sequences(const std::string& dir);
/// Writes `content` to checkpoint_path(dir, content.sequence) atomically (temporary file, fsync,
/// rename, fsync of the directory). IoError when it cannot.
void write_checkpoint(const std::string& dir, const CheckpointContent& content);

/// The newest valid checkpoint in `dir`, read on rank 0 and given to every rank (a run directory
/// may be readable on rank 0's node only). A newer invalid one is skipped with a warning naming
/// the file and what is wrong, and left in place; when checkpoints exist and none is valid,
/// CheckpointError (exit code 2) for the newest. nullopt when there are none. Collective.
std::optional<CheckpointContent> load_newest_checkpoint(const std::string& dir, std::uint64_t fingerprint,
                                                        const mpi::Communicator& comm, Log& log);

/// The run's TrainingLedger and ChainsLedger: restores the trainings and MCMC samplings of a
/// loaded checkpoint in order and writes a checkpoint on rank 0 when a training or a sampling
/// finishes, every `every_seconds` at an epoch boundary or MCMC step (0: never by time) and when
/// a signal stops the run. Every rank holds the same training records (the weights are bitwise
/// the same on every rank); rank 0 alone writes. A checkpoint that cannot be written is a
/// warning: the run goes on (its simulations are in the journal).
class RunCheckpointer : public train::TrainingLedger, public mcmc::ChainsLedger {
 public:
  RunCheckpointer(std::string dir, std::uint64_t fingerprint, double every_seconds, const mpi::Communicator& comm,
                  Log& log);
  /// Before the first training: continue from `loaded` (a resumed run); new files are numbered
  /// from `first_sequence` (above every file in the directory, so none is overwritten).
  void adopt(std::optional<CheckpointContent> loaded, std::uint64_t first_sequence);

  std::optional<train::TrainerState> resume(std::uint32_t round) override;
  void after_epoch(const train::Trainer& trainer, std::uint32_t round, bool stopping) override;

  std::optional<mcmc::ChainsProgress> resume_sampling(std::uint32_t round) override;
  bool checkpoint_due() const override;
  void save_sampling(const mcmc::ChainsProgress& progress, bool stopping) override;

  /// Trainings restored from the loaded checkpoint so far (finished ones and the one continued).
  std::size_t restored() const { return restored_; }
  /// Samplings restored from the loaded checkpoint so far (finished or continued).
  std::size_t restored_samplings() const { return restored_samplings_; }
  std::size_t checkpoints_written() const { return written_; }
  double write_seconds() const { return write_seconds_; }
  std::uint64_t last_bytes() const { return last_bytes_; }

 private:
  void write(const train::TrainerState* in_progress);

  std::string dir_;
  std::uint64_t fingerprint_;
  double every_seconds_;
  const mpi::Communicator& comm_;
  Log& log_;
  std::vector<CheckpointTraining> loaded_;
  std::vector<std::optional<CheckpointTraining>> done_;  // by training ordinal; nullopt: not finished
  std::vector<std::uint32_t> rounds_;                    // by training ordinal
  std::vector<mcmc::ChainsProgress> loaded_samplings_;
  std::vector<mcmc::ChainsProgress> samplings_;  // rank 0: saved progress by sampling ordinal
  std::size_t samplings_started_ = 0, restored_samplings_ = 0;
  bool replayed_finished_ = false;  // the current sampling was restored finished: nothing new to write
  double sampling_mark_ = 0;        // every rank: the last pause of the current sampling
  std::size_t started_ = 0, restored_ = 0, written_ = 0;
  std::uint64_t next_sequence_;
  std::vector<std::uint64_t> mine_;  // files this run wrote or loaded, oldest first
  double last_write_ = 0, write_seconds_ = 0;
  std::uint64_t last_bytes_ = 0;
};

}  // namespace nsbi
