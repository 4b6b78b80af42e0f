#pragma once
// The simulator seam (DESIGN.md §4, §5): simulate a block of θ with one seed per column.
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>

namespace nsbi {

/// Outcome of one simulation. Values are stored in the simulation bank; never renumber.
enum class SimStatus : std::uint8_t {
  ok = 0,
  non_finite = 1,  // the simulator returned NaN or ±inf
  error = 2,       // exception, non-zero exit, malformed output
  crashed = 3,     // killed by a signal
  timeout = 4,     // exceeded the wall-clock limit
};
inline constexpr int kNumSimStatus = 5;
const char* to_string(SimStatus s);

class GroupSimulator;

class Simulator {
 public:
  virtual ~Simulator() = default;
  virtual std::string name() const = 0;
  virtual int theta_dim() const = 0;
  virtual int x_dim() const = 0;

  /// theta: theta_dim×n, seeds: n, x: x_dim×n (output), status: n (output).
  /// Column j is a pure function of (theta.col(j), seeds[j]). A builtin simulator draws all of
  /// its randomness from RandomStream(seeds[j], StreamId::simulation, 0, 0).
  /// Implementations set status[j] = non_finite themselves when x.col(j) is not finite.
  virtual void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                        Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) = 0;

  /// A simulator whose every simulation runs on a group of ranks (group_simulator.hpp), or null.
  virtual GroupSimulator* as_group() { return nullptr; }
};

}  // namespace nsbi
