#include "nsbi/inference/run_checkpoint.hpp"

#include <fcntl.h>
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/crc.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/level.hpp>
#include <boost/serialization/tracking.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "nsbi/core/error.hpp"
#include "nsbi/mpi/agreement.hpp"

// The payload holds our fields only: no Boost class-information preamble (version, tracking) for
// the types written with `&`, so every byte of a checkpoint is a field this file reads and checks
// (a mutated version byte would otherwise load and be written back differently).
BOOST_CLASS_IMPLEMENTATION(nsbi::train::EpochRecord, boost::serialization::object_serializable)
BOOST_CLASS_TRACKING(nsbi::train::EpochRecord, boost::serialization::track_never)
BOOST_CLASS_IMPLEMENTATION(nsbi::CheckpointTraining, boost::serialization::object_serializable)
BOOST_CLASS_TRACKING(nsbi::CheckpointTraining, boost::serialization::track_never)
BOOST_CLASS_IMPLEMENTATION(nsbi::mcmc::ChainsProgress, boost::serialization::object_serializable)
BOOST_CLASS_TRACKING(nsbi::mcmc::ChainsProgress, boost::serialization::track_never)

namespace nsbi::checkpoint_detail {

/// While a payload is read: its size in bytes. No count read from it may exceed this, so a
/// corrupt count is an error instead of an allocation of gigabytes.
thread_local std::uint64_t t_payload_limit = 0;

/// A vector as a u64 count and its items (arithmetic items as one block).
template <class A, class T>
void sequence(A& a, std::vector<T>& v) {
  std::uint64_t n = v.size();
  a & n;
  if constexpr (A::is_loading::value) {
    if (n > t_payload_limit) throw std::length_error("a count of " + std::to_string(n) + " beyond the payload");
    v.resize(static_cast<std::size_t>(n));
  }
  if constexpr (std::is_arithmetic_v<T>) {
    if (n) a & boost::serialization::make_array(v.data(), v.size());
  } else if constexpr (std::is_same_v<T, std::string>) {
    for (std::string& s : v) {
      std::uint64_t bytes = s.size();
      a & bytes;
      if constexpr (A::is_loading::value) {
        if (bytes > t_payload_limit) throw std::length_error("a string of " + std::to_string(bytes) + " bytes beyond the payload");
        s.resize(static_cast<std::size_t>(bytes));
      }
      if (bytes) a & boost::serialization::make_array(s.data(), s.size());
    }
  } else {
    for (T& item : v) a & item;
  }
}
/// A bool as one byte 0/1 (any other byte is refused: it is not a bool).
template <class A>
void flag(A& a, bool& b) {
  std::uint8_t v = b ? 1 : 0;
  a & v;
  if constexpr (A::is_loading::value) {
    if (v > 1) throw std::length_error("a flag byte of " + std::to_string(v));
    b = v == 1;
  }
}

}  // namespace nsbi::checkpoint_detail

namespace boost::serialization {

using nsbi::checkpoint_detail::flag;
using nsbi::checkpoint_detail::sequence;

template <class A>
void serialize(A& a, nsbi::train::EpochRecord& e, unsigned) {
  a & e.epoch & e.train_loss & e.val_loss & e.seconds;
}
template <class A>
void serialize(A& a, nsbi::train::TrainingResult& r, unsigned) {
  sequence(a, r.history);
  a & r.best_epoch & r.best_val_loss;
  flag(a, r.early_stopped);
  a & r.lr_decays & r.steps & r.train_examples & r.validation_examples & r.seconds & r.communication_seconds;
}
template <class A>
void serialize(A& a, nsbi::train::TrainerState& s, unsigned) {
  a & s.adam_steps;
  sequence(a, s.adam_m);
  sequence(a, s.adam_v);
  a & s.learning_rate;
  sequence(a, s.weights);
  sequence(a, s.best_weights);
  a & s.best_val & s.since_improvement & s.epoch;
  flag(a, s.finished);
  flag(a, s.allreduce_has_bound);
  a & s.allreduce_bound;
  serialize(a, s.result, 0);
}
template <class A>
void serialize(A& a, nsbi::CheckpointTraining& t, unsigned) {
  a & t.round;
  serialize(a, t.state, 0);
}
template <class A>
void serialize(A& a, nsbi::mcmc::ChainsProgress& p, unsigned) {
  a & p.round & p.dim & p.chains;
  sequence(a, p.init_u);
  a & p.log_normalizer & p.init_ess & p.init_evaluations;
  sequence(a, p.groups);
}

}  // namespace boost::serialization

namespace nsbi {

namespace {

namespace fs = std::filesystem;

static_assert(std::endian::native == std::endian::little, "checkpoint I/O assumes a little-endian host");

constexpr char kMagic[8] = {'N', 'S', 'B', 'I', 'C', 'K', 'P', 'T'};
constexpr std::uint32_t kFormatVersion = 2;  // 2: MCMC samplings
constexpr std::size_t kHeader = sizeof kMagic + 4 + 8 + 8;

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
T get(const std::string& b, std::size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof(T));
  return v;
}

std::string hex(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

std::string megabytes(std::uint64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f MB", static_cast<double>(bytes) / 1e6);
  return b;
}

/// A finished training as a checkpoint keeps it: the final weights and the record.
train::TrainerState finished_only(train::TrainerState s) {
  s.adam_m.clear();
  s.adam_v.clear();
  s.best_weights.clear();
  return s;
}

}  // namespace

std::string encode_checkpoint(const CheckpointContent& content) {
  std::ostringstream payload;
  {
    boost::archive::binary_oarchive ar(payload, boost::archive::no_header);
    CheckpointContent& c = const_cast<CheckpointContent&>(content);  // saving reads only
    ar << c.sequence;
    checkpoint_detail::sequence(ar, c.trainings);
    checkpoint_detail::sequence(ar, c.samplings);
  }
  const std::string p = payload.str();
  std::string out(kMagic, sizeof kMagic);
  put(out, kFormatVersion);
  put(out, content.fingerprint);
  put(out, static_cast<std::uint64_t>(p.size()));
  out += p;
  boost::crc_32_type crc;
  crc.process_bytes(out.data(), out.size());
  put(out, static_cast<std::uint32_t>(crc.checksum()));
  return out;
}

CheckpointContent decode_checkpoint(const std::string& b, const std::string& path, std::uint64_t fingerprint) {
  const auto bad = [&](const std::string& what, const std::string& expected, const std::string& got) {
    return CheckpointError(make_message(path, what, expected, got));
  };
  if (b.size() < sizeof kMagic || std::memcmp(b.data(), kMagic, sizeof kMagic) != 0)
    throw bad("file", "an nsbi checkpoint (magic NSBICKPT)", "other content");
  if (b.size() < kHeader + 4) throw bad("checkpoint", "a complete file", "a truncated file of " + std::to_string(b.size()) + " bytes");
  const auto version = get<std::uint32_t>(b, sizeof kMagic);
  if (version != kFormatVersion)
    throw bad("checkpoint format version", std::to_string(kFormatVersion), std::to_string(version));
  const auto payload = get<std::uint64_t>(b, sizeof kMagic + 12);
  if (payload != b.size() - kHeader - 4)
    throw bad("checkpoint", "a complete file (" + std::to_string(kHeader + 4 + payload) + " bytes)",
              (b.size() < kHeader + 4 + payload ? "a truncated file of " : "a file of ") + std::to_string(b.size()) +
                  " bytes");
  boost::crc_32_type crc;
  crc.process_bytes(b.data(), b.size() - 4);
  if (get<std::uint32_t>(b, b.size() - 4) != crc.checksum())
    throw bad("checkpoint checksum", "a match (CRC-32)", "a mismatch: the file is corrupt");
  const auto fp = get<std::uint64_t>(b, sizeof kMagic + 4);
  if (fp != fingerprint)
    throw bad("checkpoint run fingerprint", hex(fingerprint) + " (this run's configuration)",
              hex(fp) + ": it belongs to a run with another configuration");
  CheckpointContent c;
  c.fingerprint = fp;
  try {
    std::istringstream in(b.substr(kHeader, payload));
    boost::archive::binary_iarchive ar(in, boost::archive::no_header);
    checkpoint_detail::t_payload_limit = payload;
    ar >> c.sequence;
    checkpoint_detail::sequence(ar, c.trainings);
    checkpoint_detail::sequence(ar, c.samplings);
    if (in.peek() != std::char_traits<char>::eof())
      throw bad("checkpoint payload", "no bytes after the last sampling", "trailing bytes");
  } catch (const boost::archive::archive_exception& e) {
    throw bad("checkpoint payload", "a readable archive", e.what());
  } catch (const std::length_error& e) {
    throw bad("checkpoint payload", "a readable archive", e.what());
  } catch (const std::bad_alloc&) {
    throw bad("checkpoint payload", "a readable archive", "sizes beyond memory");
  }
  return c;
}

std::string checkpoint_path(const std::string& dir, std::uint64_t sequence) {
  char name[40];
  std::snprintf(name, sizeof name, "checkpoint-%06llu.bin", static_cast<unsigned long long>(sequence));
  return (fs::path(dir) / name).string();
}

std::vector<std::uint64_t> checkpoint_sequences(const std::string& dir) {
  std::vector<std::uint64_t> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() < 16 || name.rfind("checkpoint-", 0) != 0 || name.substr(name.size() - 4) != ".bin") continue;
    const std::string digits = name.substr(11, name.size() - 15);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    out.push_back(std::stoull(digits));
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

void write_checkpoint(const std::string& dir, const CheckpointContent& content) {
  const std::string bytes = encode_checkpoint(content);
  const std::string tmp = (fs::path(dir) / "checkpoint.tmp").string(), path = checkpoint_path(dir, content.sequence);
  const auto fail = [&](const std::string& what) {
    throw IoError(make_message(tmp, "checkpoint", what, std::strerror(errno)));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("a writable file");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ::close(fd);
      fail("a completed write");
    }
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("a flush to the disk (fsync)");
  }
  if (::close(fd) != 0) fail("a completed close");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("a rename to " + path);
  // The rename itself reaches the disk with the directory.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::optional<CheckpointContent> load_newest_checkpoint(const std::string& dir, std::uint64_t fingerprint,
                                                        const mpi::Communicator& comm, Log& log) {
  std::string bytes;  // rank 0: the valid file's bytes ("" when none)
  mpi::agree_on_root(comm, [&] {
    const std::vector<std::uint64_t> seqs = checkpoint_sequences(dir);
    std::optional<CheckpointError> newest_error;
    std::vector<std::string> skipped;
    for (const std::uint64_t s : seqs) {
      const std::string path = checkpoint_path(dir, s);
      std::ifstream f(path, std::ios::binary);
      std::string b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      try {
        if (!f.good() && !f.eof())
          throw CheckpointError(make_message(path, "checkpoint", "a readable file", std::strerror(errno)));
        decode_checkpoint(b, path, fingerprint);
        for (const auto& w : skipped) log.warn(w + "; resuming from the previous valid checkpoint " + path);
        bytes = std::move(b);
        return;
      } catch (const CheckpointError& e) {
        if (!newest_error) newest_error = e;
        skipped.push_back(e.what());
      }
    }
    if (newest_error)
      throw CheckpointError(std::string(newest_error->what()) +
                            " (no valid checkpoint to fall back to; move the checkpoint files away to resume from "
                            "journal.bin alone, which retrains)");
  }, mpi::Failure::bad_input);
  comm.broadcast(bytes);
  if (bytes.empty()) return std::nullopt;
  return decode_checkpoint(bytes, dir, fingerprint);
}

RunCheckpointer::RunCheckpointer(std::string dir, std::uint64_t fingerprint, double every_seconds,
                                 const mpi::Communicator& comm, Log& log)
    : dir_(std::move(dir)), fingerprint_(fingerprint), every_seconds_(every_seconds), comm_(comm), log_(log),
      next_sequence_(1), last_write_(MPI_Wtime()) {}

void RunCheckpointer::adopt(std::optional<CheckpointContent> loaded, std::uint64_t first_sequence) {
  next_sequence_ = first_sequence;
  if (loaded) {
    loaded_ = std::move(loaded->trainings);
    loaded_samplings_ = std::move(loaded->samplings);
    mine_.push_back(loaded->sequence);
  }
  last_write_ = MPI_Wtime();
}

std::optional<mcmc::ChainsProgress> RunCheckpointer::resume_sampling(std::uint32_t round) {
  const std::size_t k = samplings_started_++;
  sampling_mark_ = MPI_Wtime();
  replayed_finished_ = false;
  if (k >= loaded_samplings_.size()) return std::nullopt;
  const mcmc::ChainsProgress& saved = loaded_samplings_[k];
  if (saved.round != round)
    throw CheckpointError(make_message(checkpoint_path(dir_, mine_.empty() ? 0 : mine_.front()),
                                       "sampling " + std::to_string(k + 1) + "'s round", std::to_string(round),
                                       std::to_string(saved.round)));
  ++restored_samplings_;
  replayed_finished_ = saved.finished();
  return saved;
}

bool RunCheckpointer::checkpoint_due() const {
  return every_seconds_ > 0 && MPI_Wtime() - sampling_mark_ >= every_seconds_;
}

void RunCheckpointer::save_sampling(const mcmc::ChainsProgress& progress, bool stopping) {
  sampling_mark_ = MPI_Wtime();
  if (!comm_.is_root()) return;  // every rank holds the same progress; rank 0 writes
  const std::size_t k = samplings_started_ - 1;
  if (samplings_.size() <= k) samplings_.resize(k + 1);
  samplings_[k] = progress;
  if (replayed_finished_ && !stopping) return;  // restored as it was saved: nothing new
  write(nullptr);
  if (!progress.finished())
    log_.info("checkpoint " + checkpoint_path(dir_, next_sequence_ - 1) + ": MCMC sampling " + std::to_string(k + 1) +
              " in progress (" + megabytes(last_bytes_) + ")");
}

std::optional<train::TrainerState> RunCheckpointer::resume(std::uint32_t round) {
  const std::size_t k = started_++;
  done_.emplace_back();
  rounds_.push_back(round);
  if (k >= loaded_.size()) return std::nullopt;
  const CheckpointTraining& saved = loaded_[k];
  if (saved.round != round)
    throw CheckpointError(make_message(checkpoint_path(dir_, mine_.empty() ? 0 : mine_.front()),
                                       "training " + std::to_string(k + 1) + "'s round", std::to_string(round),
                                       std::to_string(saved.round)));
  if (saved.state.weights.empty()) return std::nullopt;  // a training with no epoch to save
  ++restored_;
  if (saved.state.finished) done_[k] = saved;
  return saved.state;
}

void RunCheckpointer::after_epoch(const train::Trainer& trainer, std::uint32_t round, bool stopping) {
  if (!comm_.is_root()) return;  // the states are the same bytes on every rank; rank 0 writes
  const std::size_t k = started_ - 1;
  if (trainer.finished()) {
    done_[k] = CheckpointTraining{round, finished_only(trainer.state())};
    write(nullptr);
  } else if (stopping || (every_seconds_ > 0 && MPI_Wtime() - last_write_ >= every_seconds_)) {
    const train::TrainerState now = trainer.state();
    write(&now);
  }
}

void RunCheckpointer::write(const train::TrainerState* in_progress) {
  const double t0 = MPI_Wtime();
  CheckpointContent c;
  c.fingerprint = fingerprint_;
  c.sequence = next_sequence_;
  for (std::size_t k = 0; k < done_.size(); ++k) {
    if (done_[k]) {
      c.trainings.push_back(*done_[k]);
    } else if (k + 1 == done_.size() && in_progress) {
      c.trainings.push_back({rounds_[k], *in_progress});
    } else {
      c.trainings.push_back({rounds_[k], {}});  // a training that ran no epoch: it starts afresh on resume
    }
  }
  // A resumed run that has not yet replayed everything its checkpoint held keeps the rest (the
  // replay is deterministic, so those entries stay valid).
  for (std::size_t k = done_.size(); k < loaded_.size(); ++k) c.trainings.push_back(loaded_[k]);
  c.samplings = samplings_;
  for (std::size_t k = samplings_.size(); k < loaded_samplings_.size(); ++k) c.samplings.push_back(loaded_samplings_[k]);
  try {
    write_checkpoint(dir_, c);
  } catch (const IoError& e) {
    log_.warn(std::string("checkpoint not written (the run goes on; its simulations are in journal.bin): ") + e.what());
    last_write_ = MPI_Wtime();
    return;
  }
  ++next_sequence_;
  ++written_;
  mine_.push_back(c.sequence);
  while (mine_.size() > 2) {
    std::error_code ec;
    fs::remove(checkpoint_path(dir_, mine_.front()), ec);
    mine_.erase(mine_.begin());
  }
  last_write_ = MPI_Wtime();
  write_seconds_ += last_write_ - t0;
  std::error_code ec;
  last_bytes_ = fs::file_size(checkpoint_path(dir_, c.sequence), ec);
  if (in_progress)
    log_.info("checkpoint " + checkpoint_path(dir_, c.sequence) + ": training " + std::to_string(done_.size()) +
              " at epoch " + std::to_string(in_progress->epoch) + " (" + megabytes(last_bytes_) + ", " +
              std::to_string(last_write_ - t0) + " s)");
}

}  // namespace nsbi
