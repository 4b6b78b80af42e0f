#include "nsbi/io/npy.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

// The data is written and read as the host's bytes; .npy files here are little-endian.
static_assert(std::endian::native == std::endian::little, "npy I/O assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

// Python's repr of a shape tuple: (), (N,), (N, D).
std::string shape_text(std::span<const std::int64_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// The complete header (preamble and dict) for `descr` and `shape`, padded to `size` bytes when
// given (0: the next multiple of 64).
std::string header_bytes(std::string_view descr, std::span<const std::int64_t> shape, std::size_t size = 0) {
  std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  const std::size_t preamble = kMagicSize + 2 + 2;
  const std::size_t total = size ? size : (preamble + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - preamble - dict.size() - 1, ' ');
  dict += '\n';
  const auto len = static_cast<std::uint16_t>(dict.size());
  const char version_and_len[4] = {1, 0, static_cast<char>(len & 0xFF), static_cast<char>(len >> 8)};
  return std::string(kMagic, kMagicSize) + std::string(version_and_len, 4) + dict;
}

// Version 1.0 preamble: magic, version (1, 0), little-endian uint16 header length, then the dict
// padded with spaces and a final '\n' so that the data starts at a multiple of 64 bytes.
void write_file(const std::string& path, std::string_view descr, std::span<const std::int64_t> shape,
                const void* data, std::size_t bytes) {
  const std::string header = header_bytes(descr, shape);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError(make_message(path, ".npy file", "a writable path", std::strerror(errno)));
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  out.flush();
  if (!out) throw IoError(make_message(path, ".npy file", "a completed write", std::strerror(errno)));
}

// The value of `key` in the header dict, as raw text up to the next top-level ',' or '}'.
std::string dict_value(const std::string& dict, const std::string& key, const std::string& path) {
  const std::string quoted = "'" + key + "'";
  auto pos = dict.find(quoted);
  if (pos == std::string::npos) {
    throw IoError(make_message(path, ".npy header", "a '" + key + "' entry", "\"" + dict + "\""));
  }
  pos = dict.find(':', pos + quoted.size());
  if (pos == std::string::npos) throw IoError(make_message(path, ".npy header", "':' after " + quoted, "\"" + dict + "\""));
  ++pos;
  int depth = 0;
  std::size_t end = pos;
  for (; end < dict.size(); ++end) {
    const char c = dict[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  const auto first = dict.find_first_not_of(' ', pos);
  const auto last = dict.find_last_not_of(' ', end - 1);
  return first == std::string::npos || first > last ? std::string() : dict.substr(first, last - first + 1);
}

NpyHeader read_header(std::ifstream& in, const std::string& path) {
  char pre[kMagicSize + 2];
  if (!in.read(pre, sizeof(pre)) || std::memcmp(pre, kMagic, kMagicSize) != 0) {
    throw IoError(make_message(path, "file", "an .npy file (magic \\x93NUMPY)", "other content"));
  }
  const int major = static_cast<unsigned char>(pre[kMagicSize]);
  std::size_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::size_t>(b[3]) << 24);
  } else {
    throw IoError(make_message(path, ".npy format version", "1, 2 or 3", std::to_string(major)));
  }
  std::string dict(header_len, '\0');
  if (!in || !in.read(dict.data(), static_cast<std::streamsize>(header_len))) {
    throw IoError(make_message(path, ".npy header", std::to_string(header_len) + " bytes", "a truncated file"));
  }

  NpyHeader h;
  std::string descr = dict_value(dict, "descr", path);
  if (descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"')) descr = descr.substr(1, descr.size() - 2);
  h.descr = descr;
  const std::string order = dict_value(dict, "fortran_order", path);
  if (order != "False" && order != "True") {
    throw IoError(make_message(path, ".npy fortran_order", "True or False", "\"" + order + "\""));
  }
  h.fortran_order = order == "True";
  const std::string shape = dict_value(dict, "shape", path);
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') {
    throw IoError(make_message(path, ".npy shape", "a tuple", "\"" + shape + "\""));
  }
  std::size_t i = 1;
  while (i < shape.size() - 1) {
    const auto comma = shape.find(',', i);
    const std::string item = shape.substr(i, (comma == std::string::npos ? shape.size() - 1 : comma) - i);
    const auto digits = item.find_first_not_of(' ');
    if (digits != std::string::npos) {
      try {
        h.shape.push_back(std::stoll(item));
      } catch (const std::exception&) {
        throw IoError(make_message(path, ".npy shape", "a tuple of integers", "\"" + shape + "\""));
      }
    }
    if (comma == std::string::npos) break;
    i = comma + 1;
  }
  return h;
}

template <class T>
void read_data(std::ifstream& in, const std::string& path, T* out, std::size_t count) {
  in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(count * sizeof(T)));
  if (static_cast<std::size_t>(in.gcount()) != count * sizeof(T)) {
    throw IoError(make_message(path, ".npy data", std::to_string(count * sizeof(T)) + " bytes",
                               std::to_string(in.gcount()) + " (truncated file)"));
  }
}

std::ifstream open_for_reading(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(make_message(path, ".npy file", "a readable file", std::strerror(errno)));
  return in;
}

}  // namespace

void write_npy(const std::string& path, const Eigen::Ref<const Eigen::MatrixXd>& samples) {
  const std::int64_t shape[2] = {samples.cols(), samples.rows()};
  const std::size_t bytes = static_cast<std::size_t>(samples.size()) * sizeof(double);
  if (samples.outerStride() == samples.rows()) {
    write_file(path, "<f8", shape, samples.data(), bytes);
  } else {
    const Eigen::MatrixXd packed = samples;  // a strided block: pack it first
    write_file(path, "<f8", shape, packed.data(), bytes);
  }
}

void write_npy(const std::string& path, const Eigen::Ref<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>>& rows) {
  const std::int64_t shape[2] = {rows.cols(), rows.rows()};
  const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> packed = rows;
  write_file(path, "<i8", shape, packed.data(), static_cast<std::size_t>(packed.size()) * sizeof(std::int64_t));
}

void write_npy(const std::string& path, std::span<const std::uint8_t> values) {
  const std::int64_t shape[1] = {static_cast<std::int64_t>(values.size())};
  write_file(path, "|u1", shape, values.data(), values.size());
}

void write_npy(const std::string& path, std::span<const std::uint32_t> values) {
  const std::int64_t shape[1] = {static_cast<std::int64_t>(values.size())};
  write_file(path, "<u4", shape, values.data(), values.size() * sizeof(std::uint32_t));
}

void write_npy(const std::string& path, std::span<const double> values) {
  const std::int64_t shape[1] = {static_cast<std::int64_t>(values.size())};
  write_file(path, "<f8", shape, values.data(), values.size() * sizeof(double));
}

namespace {

// An (N, D) or (N,) array of T (C or Fortran order) as D×N, one sample per column.
template <class T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> read_matrix(const std::string& path,
                                                            std::initializer_list<std::string_view> descrs,
                                                            const std::string& dtype) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  std::ifstream in = open_for_reading(path);
  const NpyHeader h = read_header(in, path);
  if (std::find(descrs.begin(), descrs.end(), h.descr) == descrs.end()) {
    throw IoError(make_message(path, ".npy dtype", dtype, "'" + h.descr + "'"));
  }
  if (h.shape.size() != 1 && h.shape.size() != 2) {
    throw IoError(make_message(path, ".npy shape", "(N, D) or (N,)", shape_text(h.shape)));
  }
  const Eigen::Index n = h.shape[0];
  const Eigen::Index d = h.shape.size() == 2 ? h.shape[1] : 1;
  if (n < 0 || d < 0) throw IoError(make_message(path, ".npy shape", "non-negative sizes", shape_text(h.shape)));
  Matrix out(d, n);
  if (!h.fortran_order || d == 1) {
    // C order (N, D): sample i is D consecutive values, i.e. column i of a column-major D×N.
    read_data(in, path, out.data(), static_cast<std::size_t>(out.size()));
  } else {
    // Fortran order (N, D): memory is column-major N×D, the transpose of what we return.
    Matrix nd(n, d);
    read_data(in, path, nd.data(), static_cast<std::size_t>(nd.size()));
    out = nd.transpose();
  }
  return out;
}

}  // namespace

Eigen::MatrixXd read_npy_matrix(const std::string& path) {
  return read_matrix<double>(path, {"<f8", "f8", "float64"}, "'<f8' (float64)");
}

Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> read_npy_int64_matrix(const std::string& path) {
  return read_matrix<std::int64_t>(path, {"<i8", "i8", "int64"}, "'<i8' (int64)");
}


std::vector<std::uint8_t> read_npy_u8(const std::string& path) {
  std::ifstream in = open_for_reading(path);
  const NpyHeader h = read_header(in, path);
  if (h.descr != "|u1" && h.descr != "<u1" && h.descr != "u1" && h.descr != "uint8") {
    throw IoError(make_message(path, ".npy dtype", "'|u1' (uint8)", "'" + h.descr + "'"));
  }
  if (h.shape.size() != 1 || h.shape[0] < 0) {
    throw IoError(make_message(path, ".npy shape", "(N,)", shape_text(h.shape)));
  }
  std::vector<std::uint8_t> out(static_cast<std::size_t>(h.shape[0]));
  read_data(in, path, out.data(), out.size());
  return out;
}

namespace {

constexpr std::size_t kRowsFileHeader = 128;

void write_all(int fd, const char* p, std::size_t bytes, off_t at, const std::string& path) {
  while (bytes > 0) {
    const ssize_t w = ::pwrite(fd, p, std::min<std::size_t>(bytes, 1u << 30), at);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw IoError(make_message(path, ".npy data", "a completed write", std::strerror(errno)));
    }
    p += w;
    at += w;
    bytes -= static_cast<std::size_t>(w);
  }
}

}  // namespace

NpyRowsFile::NpyRowsFile(std::string path, std::int64_t cols) : path_(std::move(path)), cols_(cols) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError(make_message(path_, ".npy file", "a writable path", std::strerror(errno)));
  finish(0);
}

NpyRowsFile::NpyRowsFile(NpyRowsFile&& o) noexcept : path_(std::move(o.path_)), cols_(o.cols_), fd_(o.fd_) { o.fd_ = -1; }

NpyRowsFile& NpyRowsFile::operator=(NpyRowsFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    cols_ = o.cols_;
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

NpyRowsFile::~NpyRowsFile() {
  if (fd_ >= 0) ::close(fd_);
}

void NpyRowsFile::write(std::int64_t first, const double* data, std::int64_t rows) {
  const auto row_bytes = static_cast<std::size_t>(cols_) * sizeof(double);
  write_all(fd_, reinterpret_cast<const char*>(data), row_bytes * static_cast<std::size_t>(rows),
            static_cast<off_t>(kRowsFileHeader + row_bytes * static_cast<std::size_t>(first)), path_);
}

void NpyRowsFile::finish(std::int64_t rows) {
  const std::int64_t shape[2] = {rows, cols_};
  const std::string header = header_bytes("<f8", shape, kRowsFileHeader);
  write_all(fd_, header.data(), header.size(), 0, path_);
  const auto end = static_cast<off_t>(kRowsFileHeader + static_cast<std::size_t>(rows * cols_) * sizeof(double));
  if (::ftruncate(fd_, end) != 0 || ::fdatasync(fd_) != 0)
    throw IoError(make_message(path_, ".npy file", "a completed write", std::strerror(errno)));
}

}  // namespace nsbi
