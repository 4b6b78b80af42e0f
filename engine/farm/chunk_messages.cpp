#include "nsbi/farm/chunk_messages.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::farm {
namespace {

constexpr double kStatusBase = 8.0;  // code = status + 8·attempts; statuses are < 8

// Header {first, count, ...}: checks the message holds `header + per_column·count` values.
IndexRange read_range(std::span<const double> m, std::size_t header, std::size_t per_column, const char* what) {
  const auto fail = [&](const std::string& expected, const std::string& found) {
    throw ShapeError(make_message("farm message", what, expected, found));
  };
  if (m.size() < header) fail(std::to_string(header) + "+ values", std::to_string(m.size()));
  const double first = m[0], count = m[1];
  if (!(first >= 0 && count >= 0 && first == std::floor(first) && count == std::floor(count) && first < 0x1p53 &&
        count < 0x1p53))
    fail("non-negative integer index and count", std::to_string(first) + ", " + std::to_string(count));
  const IndexRange r{static_cast<std::uint64_t>(first), static_cast<std::uint64_t>(count)};
  if (m.size() != header + per_column * r.count)
    fail(std::to_string(header + per_column * r.count) + " values for " + std::to_string(r.count) + " columns",
         std::to_string(m.size()));
  return r;
}

}  // namespace

std::vector<double> pack_work(IndexRange range, const Eigen::Ref<const Eigen::MatrixXd>& theta) {
  std::vector<double> m;
  m.reserve(2 + static_cast<std::size_t>(theta.size()));
  m.push_back(double(range.first));
  m.push_back(double(range.count));
  for (Eigen::Index j = 0; j < theta.cols(); ++j)
    m.insert(m.end(), theta.col(j).data(), theta.col(j).data() + theta.rows());
  return m;
}

WorkChunk unpack_work(std::span<const double> m, int theta_dim) {
  WorkChunk w;
  w.range = read_range(m, 2, static_cast<std::size_t>(theta_dim), "work chunk");
  w.theta = Eigen::Map<const Eigen::MatrixXd>(m.data() + 2, theta_dim, static_cast<Eigen::Index>(w.range.count));
  return w;
}

std::vector<double> pack_result(const ChunkResult& r) {
  const std::size_t n = r.status.size();
  std::vector<double> m(3 + n + static_cast<std::size_t>(r.x.size()));
  m[0] = double(r.range.first);
  m[1] = double(r.range.count);
  m[2] = r.seconds;
  for (std::size_t j = 0; j < n; ++j)
    m[3 + j] = double(static_cast<unsigned>(r.status[j])) + kStatusBase * double(r.attempts[j]);
  std::copy(r.x.data(), r.x.data() + r.x.size(), m.begin() + static_cast<std::ptrdiff_t>(3 + n));
  return m;
}

ChunkResult unpack_result(std::span<const double> m, int x_dim) {
  ChunkResult r;
  r.range = read_range(m, 3, 1 + static_cast<std::size_t>(x_dim), "result chunk");
  r.seconds = m[2];
  const std::size_t n = r.range.count;
  r.status.resize(n);
  r.attempts.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    const double code = m[3 + j];
    const double attempts = std::floor(code / kStatusBase), status = code - kStatusBase * attempts;
    if (!(code >= 0 && code == std::floor(code) && status < kNumSimStatus && attempts >= 1 && attempts < 0x1p32))
      throw ShapeError(
          make_message("farm message", "result status code", "status + 8·attempts", std::to_string(code)));
    r.status[j] = static_cast<SimStatus>(static_cast<std::uint8_t>(status));
    r.attempts[j] = static_cast<std::uint32_t>(attempts);
  }
  r.x = Eigen::Map<const Eigen::MatrixXd>(m.data() + 3 + n, x_dim, static_cast<Eigen::Index>(n));
  return r;
}

}  // namespace nsbi::farm
