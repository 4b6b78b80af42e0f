#include "nsbi/inference/trained_state.hpp"

#include <bit>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "nsbi/core/error.hpp"

namespace nsbi {

namespace {

static_assert(std::endian::native == std::endian::little, "estimator.bin I/O assumes a little-endian host");

constexpr char kMagic[8] = {'N', 'S', 'B', 'I', 'E', 'S', 'T', '\0'};
constexpr std::uint32_t kVersion = 1;

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
void put_standardizer(std::string& out, const nn::Standardizer& s) {
  put(out, static_cast<std::uint32_t>(s.dim()));
  out.append(reinterpret_cast<const char*>(s.mean.data()), sizeof(double) * s.mean.size());
  out.append(reinterpret_cast<const char*>(s.std.data()), sizeof(double) * s.std.size());
}

/// Reads the bytes in order; running past the end is a truncated file.
class Reader {
 public:
  Reader(const std::string& bytes, std::size_t end, const std::string& path) : b_(bytes), end_(end), path_(path) {}
  void raw(void* to, std::size_t n) {
    if (n > end_ - pos_)
      throw CheckpointError(make_message(path_, "estimator file", "complete", "a truncated file"));
    std::memcpy(to, b_.data() + pos_, n);
    pos_ += n;
  }
  template <typename T>
  T get() {
    T v;
    raw(&v, sizeof(T));
    return v;
  }
  /// A count that must fit in what is left of the file (each item at least `item` bytes).
  std::uint64_t count(std::uint64_t n, std::size_t item) {
    if (n > (end_ - pos_) / item)
      throw CheckpointError(make_message(path_, "estimator file", "complete", "a truncated file"));
    return n;
  }
  nn::Standardizer standardizer() {
    const auto d = static_cast<Eigen::Index>(count(get<std::uint32_t>(), 2 * sizeof(double)));
    nn::Standardizer s;
    s.mean.resize(d);
    s.std.resize(d);
    raw(s.mean.data(), sizeof(double) * d);
    raw(s.std.data(), sizeof(double) * d);
    return s;
  }
  bool done() const { return pos_ == end_; }

 private:
  const std::string& b_;
  std::size_t pos_ = 0, end_;
  const std::string& path_;
};

}  // namespace

void write_trained_state(const std::string& path, const TrainedState& state) {
  std::string out(kMagic, sizeof kMagic);
  put(out, kVersion);
  put(out, static_cast<std::uint32_t>(state.method.size()));
  out += state.method;
  put(out, static_cast<std::uint32_t>(state.estimators.size()));
  for (const TrainedEstimator& e : state.estimators) {
    put_standardizer(out, e.first);
    put_standardizer(out, e.second);
    put(out, static_cast<std::uint64_t>(e.weights.size()));
    out.append(reinterpret_cast<const char*>(e.weights.data()), sizeof(float) * e.weights.size());
  }
  boost::crc_32_type crc;
  crc.process_bytes(out.data(), out.size());
  put(out, static_cast<std::uint32_t>(crc.checksum()));
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw IoError(make_message(path, "estimator file", "a writable path", std::strerror(errno)));
  f.write(out.data(), static_cast<std::streamsize>(out.size()));
  f.flush();
  if (!f) throw IoError(make_message(path, "estimator file", "a completed write", std::strerror(errno)));
}

TrainedState read_trained_state(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IoError(make_message(path, "estimator file", "a readable file", std::strerror(errno)));
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof kMagic + 4 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw CheckpointError(make_message(path, "file", "an nsbi estimator file (magic NSBIEST)", "other content"));
  const std::size_t end = bytes.size() - 4;
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), end);
  std::uint32_t stored;
  std::memcpy(&stored, bytes.data() + end, 4);
  Reader r(bytes, end, path);
  char magic[sizeof kMagic];
  r.raw(magic, sizeof magic);
  const auto version = r.get<std::uint32_t>();
  if (version != kVersion)
    throw CheckpointError(make_message(path, "estimator file version", std::to_string(kVersion), std::to_string(version)));
  if (stored != crc.checksum())
    throw CheckpointError(make_message(path, "estimator file checksum", "a match (CRC-32)", "a mismatch: the file is corrupt"));
  TrainedState s;
  s.method.resize(r.count(r.get<std::uint32_t>(), 1));
  r.raw(s.method.data(), s.method.size());
  const std::uint64_t K = r.count(r.get<std::uint32_t>(), 1);
  for (std::uint64_t k = 0; k < K; ++k) {
    TrainedEstimator e;
    e.first = r.standardizer();
    e.second = r.standardizer();
    e.weights.resize(static_cast<Eigen::Index>(r.count(r.get<std::uint64_t>(), sizeof(float))));
    r.raw(e.weights.data(), sizeof(float) * e.weights.size());
    s.estimators.push_back(std::move(e));
  }
  if (!r.done())
    throw CheckpointError(make_message(path, "estimator file", "no bytes after the last estimator", "trailing bytes"));
  return s;
}

}  // namespace nsbi
