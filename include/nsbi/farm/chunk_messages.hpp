#pragma once
// Wire format of the farm's two data messages (see farm_tags.hpp). Each is one message of
// doubles, so a chunk costs one send each way. Indices and small integers are exact in a double
// up to 2^53; x travels bit for bit (NaN payloads included).
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "nsbi/farm/chunk_scheduler.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi::farm {

/// θ of the simulations range.first .. range.first+count-1 (theta_dim×count).
struct WorkChunk {
  IndexRange range;
  Eigen::MatrixXd theta;
};

/// Outcome of a chunk: x (x_dim×count, NaN where status is not ok), final status and calls made.
struct ChunkResult {
  IndexRange range;
  double seconds = 0.0;  // wall time spent simulating, retries included
  Eigen::MatrixXd x;
  std::vector<SimStatus> status;
  std::vector<std::uint32_t> attempts;
};

/// {first, count, θ column-major}; theta is theta_dim×range.count.
std::vector<double> pack_work(IndexRange range, const Eigen::Ref<const Eigen::MatrixXd>& theta);
/// Throws ShapeError when the message does not hold theta_dim×count values.
WorkChunk unpack_work(std::span<const double> message, int theta_dim);

/// {first, count, seconds, status + 8·attempts for each column, x column-major}.
std::vector<double> pack_result(const ChunkResult& result);
/// Throws ShapeError when the message does not hold x_dim×count values or a code is invalid.
ChunkResult unpack_result(std::span<const double> message, int x_dim);

}  // namespace nsbi::farm
