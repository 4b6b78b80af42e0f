#include "nsbi/farm/simulation_journal.hpp"

#include <unistd.h>

#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "nsbi/core/error.hpp"

namespace nsbi::farm {

namespace {

constexpr char kMagic[8] = {'N', 'S', 'B', 'I', 'J', 'R', 'N', 'L'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kChunkTag = 0x4B4E4843;  // "CHNK"
constexpr std::size_t kHeaderBytes = 8 + 4 + 8 + 4 + 4 + 4;

std::uint32_t crc32(const unsigned char* data, std::size_t n) {
  boost::crc_32_type crc;
  crc.process_bytes(data, n);
  return crc.checksum();
}

template <typename T>
void put(std::vector<unsigned char>& b, const T& v) {
  const auto* p = reinterpret_cast<const unsigned char*>(&v);
  b.insert(b.end(), p, p + sizeof(T));
}

void put_bytes(std::vector<unsigned char>& b, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  b.insert(b.end(), p, p + n);
}

/// Reads fixed-size fields from a byte buffer; fails (returns false) instead of reading past it.
struct Reader {
  const std::vector<unsigned char>& b;
  std::size_t pos = 0;
  template <typename T>
  bool get(T& v) {
    if (b.size() - pos < sizeof(T)) return false;
    std::memcpy(&v, b.data() + pos, sizeof(T));
    pos += sizeof(T);
    return true;
  }
  bool get_bytes(void* out, std::size_t n) {
    if (b.size() - pos < n) return false;
    std::memcpy(out, b.data() + pos, n);
    pos += n;
    return true;
  }
};

std::vector<unsigned char> header_bytes(std::uint64_t fingerprint, int theta_dim, int x_dim) {
  std::vector<unsigned char> h;
  put_bytes(h, kMagic, sizeof kMagic);
  put(h, kVersion);
  put(h, fingerprint);
  put(h, static_cast<std::uint32_t>(theta_dim));
  put(h, static_cast<std::uint32_t>(x_dim));
  put(h, crc32(h.data(), h.size()));
  return h;
}

std::FILE* open_or_throw(const std::string& path, const char* mode) {
  std::FILE* f = std::fopen(path.c_str(), mode);
  if (!f) throw IoError(path + ": cannot open the simulation journal (" + std::strerror(errno) + ")");
  return f;
}

void write_all(std::FILE* f, const std::string& path, const std::vector<unsigned char>& bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fflush(f) != 0 || ::fdatasync(fileno(f)) != 0)
    throw IoError(path + ": cannot write the simulation journal (" + std::strerror(errno) + ")");
}

}  // namespace

std::uint64_t fingerprint_of(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
  for (const unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;  // FNV prime
  }
  return h;
}

SimulationJournal::SimulationJournal(SimulationJournal&& o) noexcept
    : path_(std::move(o.path_)),
      theta_dim_(o.theta_dim_),
      x_dim_(o.x_dim_),
      file_(o.file_),
      index_(std::move(o.index_)),
      dropped_bytes_(o.dropped_bytes_),
      buffer_(std::move(o.buffer_)) {
  o.file_ = nullptr;
}

SimulationJournal& SimulationJournal::operator=(SimulationJournal&& o) noexcept {
  if (this != &o) {
    if (file_) std::fclose(file_);
    path_ = std::move(o.path_);
    theta_dim_ = o.theta_dim_;
    x_dim_ = o.x_dim_;
    file_ = o.file_;
    index_ = std::move(o.index_);
    dropped_bytes_ = o.dropped_bytes_;
    buffer_ = std::move(o.buffer_);
    o.file_ = nullptr;
  }
  return *this;
}

SimulationJournal::~SimulationJournal() {
  if (file_) std::fclose(file_);
}

SimulationJournal SimulationJournal::create(const std::string& path, std::uint64_t fingerprint, int theta_dim, int x_dim) {
  SimulationJournal j(path, theta_dim, x_dim);
  j.file_ = open_or_throw(path, "wb");
  write_all(j.file_, path, header_bytes(fingerprint, theta_dim, x_dim));
  return j;
}

namespace {

constexpr std::size_t kChunkHead = 4 + 4 + 8 + 8 + 8;  // tag, round, first, count, seconds

/// Bytes of a chunk record of `count` simulations after its fixed head, CRC included.
std::size_t chunk_body_bytes(std::uint64_t count, int theta_dim, int x_dim) {
  return count * (1 + 4 + 8 * static_cast<std::size_t>(theta_dim + x_dim)) + 4;
}

/// Parses one whole chunk record (head, body, CRC) in `b`; false when it is not a valid one.
bool parse_chunk(const std::vector<unsigned char>& b, int theta_dim, int x_dim, JournalChunk* out) {
  Reader r{b};
  std::uint32_t tag = 0, round = 0;
  std::uint64_t first = 0, count = 0;
  double seconds = 0;
  if (!r.get(tag) || tag != kChunkTag || !r.get(round) || !r.get(first) || !r.get(count) || !r.get(seconds)) return false;
  if (count == 0 || b.size() != kChunkHead + chunk_body_bytes(count, theta_dim, x_dim)) return false;
  std::uint32_t stored = 0;
  std::memcpy(&stored, b.data() + b.size() - 4, 4);
  if (crc32(b.data(), b.size() - 4) != stored) return false;
  for (std::size_t i = 0; i < count; ++i)
    if (b[kChunkHead + i] >= kNumSimStatus) return false;
  if (!out) return true;
  JournalChunk& c = *out;
  c.round = round;
  c.result.range = {first, count};
  c.result.seconds = seconds;
  c.result.status.resize(count);
  c.result.attempts.resize(count);
  c.theta.resize(theta_dim, static_cast<Eigen::Index>(count));
  c.result.x.resize(x_dim, static_cast<Eigen::Index>(count));
  for (std::size_t i = 0; i < count; ++i) {
    std::uint8_t st = 0;
    r.get(st);
    c.result.status[i] = static_cast<SimStatus>(st);
  }
  r.get_bytes(c.result.attempts.data(), 4 * count);
  r.get_bytes(c.theta.data(), 8 * count * static_cast<std::size_t>(theta_dim));
  r.get_bytes(c.result.x.data(), 8 * count * static_cast<std::size_t>(x_dim));
  return true;
}

}  // namespace

// The file is read a chunk at a time (one record in memory, CRC checked) and only each chunk's
// place is kept: a journal of 10^6 large simulations is not held in memory (chunk() reads one).
SimulationJournal SimulationJournal::resume(const std::string& path, std::uint64_t fingerprint, int theta_dim, int x_dim) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return create(path, fingerprint, theta_dim, x_dim);
  const std::uint64_t size = fs::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (!in || ec) throw IoError(path + ": cannot read the simulation journal");
  const auto bad = [&](const std::string& what) {
    return CheckpointError(path + ": not this run's simulation journal: " + what);
  };
  std::vector<unsigned char> bytes(kHeaderBytes);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  Reader r{bytes};
  char magic[8];
  std::uint32_t version = 0, td = 0, xd = 0, crc = 0;
  std::uint64_t fp = 0;
  if (!r.get_bytes(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) throw bad("it does not start with NSBIJRNL");
  if (!r.get(version) || version != kVersion)
    throw bad("version " + std::to_string(version) + ", expected " + std::to_string(kVersion));
  if (!r.get(fp) || !r.get(td) || !r.get(xd) || !r.get(crc) || crc32(bytes.data(), kHeaderBytes - 4) != crc)
    throw bad("its header is corrupt (CRC mismatch)");
  if (fp != fingerprint)
    throw bad("it was written for another configuration (fingerprint " + std::to_string(fp) + ", this run's " +
              std::to_string(fingerprint) + ")");
  if (td != static_cast<std::uint32_t>(theta_dim) || xd != static_cast<std::uint32_t>(x_dim))
    throw bad("θ and x dimensions " + std::to_string(td) + " and " + std::to_string(xd) + ", this run's " +
              std::to_string(theta_dim) + " and " + std::to_string(x_dim));

  SimulationJournal j(path, theta_dim, x_dim);
  std::uint64_t good_end = kHeaderBytes;
  std::vector<unsigned char>& record = j.buffer_;
  while (good_end + kChunkHead <= size) {
    record.resize(kChunkHead);
    in.seekg(static_cast<std::streamoff>(good_end));
    if (!in.read(reinterpret_cast<char*>(record.data()), kChunkHead)) break;
    std::uint64_t count = 0;
    std::memcpy(&count, record.data() + 16, 8);
    if (count == 0 || count > size) break;
    const std::size_t body = chunk_body_bytes(count, theta_dim, x_dim);
    if (size - good_end - kChunkHead < body) break;
    record.resize(kChunkHead + body);
    if (!in.read(reinterpret_cast<char*>(record.data() + kChunkHead), static_cast<std::streamsize>(body))) break;
    if (!parse_chunk(record, theta_dim, x_dim, nullptr)) break;
    Entry e;
    std::memcpy(&e.round, record.data() + 4, 4);
    std::memcpy(&e.range.first, record.data() + 8, 8);
    e.range.count = count;
    e.offset = good_end;
    e.bytes = kChunkHead + body;
    j.index_.push_back(e);
    good_end += kChunkHead + body;
  }
  in.close();
  j.dropped_bytes_ = size - good_end;
  if (j.dropped_bytes_ > 0) std::filesystem::resize_file(path, good_end);
  j.file_ = open_or_throw(path, "ab");
  return j;
}

JournalChunk SimulationJournal::chunk(const Entry& e) const {
  std::ifstream in(path_, std::ios::binary);
  std::vector<unsigned char> record(e.bytes);
  in.seekg(static_cast<std::streamoff>(e.offset));
  JournalChunk c;
  if (!in.read(reinterpret_cast<char*>(record.data()), static_cast<std::streamsize>(record.size())) ||
      !parse_chunk(record, theta_dim_, x_dim_, &c))
    throw IoError(make_message(path_, "journal chunk at byte " + std::to_string(e.offset),
                               "the record read when the run resumed", "a changed or unreadable file"));
  return c;
}

JournalReplay SimulationJournal::replay_of_round(std::uint32_t round) const {
  JournalReplay out;
  std::vector<Entry> entries;
  for (const Entry& e : index_)
    if (e.round == round) {
      entries.push_back(e);
      out.ranges.push_back(e.range);
    }
  out.load = [this, entries = std::move(entries)](std::size_t k) { return chunk(entries.at(k)); };
  return out;
}

void SimulationJournal::append(std::uint32_t round, const ChunkResult& result, const Eigen::Ref<const Eigen::MatrixXd>& theta) {
  const std::size_t n = result.range.count;
  if (theta.rows() != theta_dim_ || static_cast<std::size_t>(theta.cols()) != n || result.x.rows() != x_dim_ ||
      static_cast<std::size_t>(result.x.cols()) != n || result.status.size() != n || result.attempts.size() != n)
    throw ShapeError(make_message(path_, "journal chunk " + std::to_string(result.range.first) + "+" + std::to_string(n),
                                  "θ, x, status and attempts of " + std::to_string(n) + " simulations", "other shapes"));
  buffer_.clear();
  put(buffer_, kChunkTag);
  put(buffer_, round);
  put(buffer_, result.range.first);
  put(buffer_, result.range.count);
  put(buffer_, result.seconds);
  for (const SimStatus s : result.status) put(buffer_, static_cast<std::uint8_t>(s));
  put_bytes(buffer_, result.attempts.data(), 4 * n);
  for (Eigen::Index c = 0; c < theta.cols(); ++c) put_bytes(buffer_, theta.col(c).data(), 8 * static_cast<std::size_t>(theta_dim_));
  put_bytes(buffer_, result.x.data(), 8 * n * static_cast<std::size_t>(x_dim_));
  put(buffer_, crc32(buffer_.data(), buffer_.size()));
  write_all(file_, path_, buffer_);
}

std::vector<JournalChunk> SimulationJournal::chunks_of_round(std::uint32_t round) const {
  std::vector<JournalChunk> out;
  for (const Entry& e : index_)
    if (e.round == round) out.push_back(chunk(e));
  return out;
}

std::size_t SimulationJournal::simulations_read() const {
  std::size_t n = 0;
  for (const Entry& e : index_) n += e.range.count;
  return n;
}

}  // namespace nsbi::farm
