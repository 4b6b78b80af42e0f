#include "nsbi/farm/simulate_chunk.hpp"

#include <chrono>
#include <limits>
#include <vector>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"

namespace nsbi::farm {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool retryable(SimStatus s) { return s == SimStatus::crashed || s == SimStatus::timeout; }

// Calls the simulator on θ (theta_dim×n) with the given seeds; x and status come back finalised:
// ok only with finite x, NaN x otherwise. x starts as NaN so a column the simulator leaves
// untouched cannot pass as ok.
void call(Simulator& sim, const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
          Eigen::MatrixXd& x, std::vector<SimStatus>& status) {
  x.setConstant(sim.x_dim(), theta.cols(), kNaN);
  status.assign(static_cast<std::size_t>(theta.cols()), SimStatus::ok);
  sim.simulate(theta, seeds, x, status);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    SimStatus& s = status[static_cast<std::size_t>(j)];
    if (s == SimStatus::ok && !x.col(j).allFinite()) s = SimStatus::non_finite;
    if (s != SimStatus::ok) x.col(j).setConstant(kNaN);
  }
}

}  // namespace

ChunkResult simulate_chunk(Simulator& sim, const WorkChunk& chunk, std::uint64_t seed, std::uint32_t round,
                           int max_retries) {
  const auto n = static_cast<std::size_t>(chunk.range.count);
  if (chunk.theta.rows() != sim.theta_dim() || static_cast<std::size_t>(chunk.theta.cols()) != n)
    throw ShapeError(make_message("simulator '" + sim.name() + "'", "θ chunk",
                                  std::to_string(sim.theta_dim()) + "×" + std::to_string(n),
                                  std::to_string(chunk.theta.rows()) + "×" + std::to_string(chunk.theta.cols())));
  const auto start = std::chrono::steady_clock::now();
  ChunkResult r;
  r.range = chunk.range;
  r.attempts.assign(n, 1);
  std::vector<std::uint64_t> seeds(n);
  for (std::size_t j = 0; j < n; ++j) seeds[j] = simulation_seed(seed, round, chunk.range.first + j);
  call(sim, chunk.theta, seeds, r.x, r.status);

  // Retries: the columns still crashed or timed out, as one smaller block with the same seeds.
  std::vector<std::size_t> again;
  Eigen::MatrixXd theta_again, x_again;
  std::vector<std::uint64_t> seeds_again;
  std::vector<SimStatus> status_again;
  for (int retry = 0; retry < max_retries; ++retry) {
    again.clear();
    for (std::size_t j = 0; j < n; ++j)
      if (retryable(r.status[j])) again.push_back(j);
    if (again.empty()) break;
    theta_again.resize(chunk.theta.rows(), static_cast<Eigen::Index>(again.size()));
    seeds_again.resize(again.size());
    for (std::size_t k = 0; k < again.size(); ++k) {
      theta_again.col(static_cast<Eigen::Index>(k)) = chunk.theta.col(static_cast<Eigen::Index>(again[k]));
      seeds_again[k] = seeds[again[k]];
    }
    call(sim, theta_again, seeds_again, x_again, status_again);
    for (std::size_t k = 0; k < again.size(); ++k) {
      r.x.col(static_cast<Eigen::Index>(again[k])) = x_again.col(static_cast<Eigen::Index>(k));
      r.status[again[k]] = status_again[k];
      ++r.attempts[again[k]];
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace nsbi::farm
