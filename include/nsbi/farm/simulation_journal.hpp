#pragma once
// The simulation journal (DESIGN.md §7, issue 11): every finished chunk of simulations is
// appended to `journal.bin` in the run directory the moment rank 0 receives it, so a run killed
// during simulation resumes without repeating any finished simulation (at most the chunks in
// flight are redone).
//
// File layout (native little-endian; every block ends with a CRC-32 of its bytes, Boost.CRC):
//   header  "NSBIJRNL" | u32 version | u64 run fingerprint | u32 theta_dim | u32 x_dim | u32 crc
//   chunk*  u32 "CHNK" | u32 round | u64 first | u64 count | f64 seconds |
//           count × u8 status | count × u32 attempts | theta_dim·count f64 θ | x_dim·count f64 x |
//           u32 crc
// A chunk cut short by a kill, or one whose CRC does not match, ends the journal: it and what
// follows are dropped (and simulated again), never used. The fingerprint identifies the run's
// configuration (every key except output.*); a journal of another configuration is refused.
#include <Eigen/Core>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "nsbi/farm/chunk_messages.hpp"

namespace nsbi::farm {

/// One journaled chunk: the farm's result and the θ it was simulated at.
struct JournalChunk {
  std::uint32_t round = 0;
  ChunkResult result;
  Eigen::MatrixXd theta;  // theta_dim×count
};

/// The journaled chunks of one round, read from the file one at a time (a resumed run replays
/// them without holding the journal in memory).
struct JournalReplay {
  std::vector<IndexRange> ranges;                     // in file order
  std::function<JournalChunk(std::size_t k)> load;    // chunk k (CRC checked again); throws IoError
  std::size_t simulations() const {
    std::size_t n = 0;
    for (const auto& r : ranges) n += r.count;
    return n;
  }
};

class SimulationJournal {
 public:
  /// Creates `path` afresh (an existing file is replaced) for a run with this fingerprint.
  static SimulationJournal create(const std::string& path, std::uint64_t fingerprint, int theta_dim, int x_dim);
  /// Opens an existing journal to resume: checks every whole chunk (a record at a time; only
  /// their places are kept), truncates the file after the last one (dropping a torn or corrupt
  /// tail) and appends from there. Throws CheckpointError
  /// naming the file when it is not a journal, has another version, fingerprint or dimensions.
  /// A missing file gives an empty journal (create).
  static SimulationJournal resume(const std::string& path, std::uint64_t fingerprint, int theta_dim, int x_dim);

  SimulationJournal(SimulationJournal&&) noexcept;
  SimulationJournal& operator=(SimulationJournal&&) noexcept;
  SimulationJournal(const SimulationJournal&) = delete;
  ~SimulationJournal();

  /// Appends one chunk and flushes it to the disk (fdatasync) before returning. Throws IoError.
  void append(std::uint32_t round, const ChunkResult& result, const Eigen::Ref<const Eigen::MatrixXd>& theta);
  /// The chunks found by resume() for `round`, in file order: all read now (tests), or one at a
  /// time through the replay (the run; it must not outlive the journal).
  std::vector<JournalChunk> chunks_of_round(std::uint32_t round) const;
  JournalReplay replay_of_round(std::uint32_t round) const;
  std::size_t chunks_read() const { return index_.size(); }
  std::size_t simulations_read() const;
  /// Bytes resume() dropped after the last whole chunk (0 for a clean file).
  std::uint64_t dropped_bytes() const { return dropped_bytes_; }
  const std::string& path() const { return path_; }

 private:
  SimulationJournal(std::string path, int theta_dim, int x_dim) : path_(std::move(path)), theta_dim_(theta_dim), x_dim_(x_dim) {}
  std::string path_;
  int theta_dim_ = 0, x_dim_ = 0;
  std::FILE* file_ = nullptr;
  struct Entry {
    std::uint32_t round = 0;
    IndexRange range;
    std::uint64_t offset = 0, bytes = 0;  // the record's place in the file
  };
  JournalChunk chunk(const Entry& e) const;
  std::vector<Entry> index_;
  std::uint64_t dropped_bytes_ = 0;
  std::vector<unsigned char> buffer_;  // one record, reused
};

/// 64-bit FNV-1a of `text` (the configuration's fingerprint).
std::uint64_t fingerprint_of(const std::string& text);

}  // namespace nsbi::farm
