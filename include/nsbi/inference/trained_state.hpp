#pragma once
// What rebuilds a method's trained posterior without the simulation bank (issue 12, `nsbi sample`
// and `nsbi sbc`): per estimator (ensemble member, likelihood flow or ratio classifier) its two
// z-scorings and its flat weights. The architecture and the prior come from the run's resolved
// config.toml; together they make the run directory's estimator.bin loadable.
//
// estimator.bin (little-endian, version 1):
//   magic "NSBIEST\0" (8 bytes), u32 version, u32 n + n bytes method name, u32 K estimators;
//   per estimator: two z-scorings (u32 d, d × f64 mean, d × f64 std), u64 w, w × f32 weights;
//   u32 CRC-32 (boost::crc_32_type) of every byte before it.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "nsbi/nn/standardizer.hpp"

namespace nsbi {

struct TrainedEstimator {
  /// The z-scorings in the order the method's estimator takes them: NPE (θ, x), NLE (x, θ),
  /// NRE (θ, x).
  nn::Standardizer first, second;
  Eigen::VectorXf weights;
};

struct TrainedState {
  std::string method;  // inference.method of the run that wrote it
  std::vector<TrainedEstimator> estimators;
};

/// Writes `state` to `path`; IoError when it cannot be written.
void write_trained_state(const std::string& path, const TrainedState& state);
/// Reads what write_trained_state wrote; IoError naming `path` when it is missing or unreadable,
/// CheckpointError when it is truncated, corrupt (checksum) or of another version.
TrainedState read_trained_state(const std::string& path);

}  // namespace nsbi
