// MpiPluginSimulator: dlopen + dlsym of the nsbi_simulate_mpi_fn C ABI, one simulation per group.
#include "nsbi/simulator/mpi_plugin_simulator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "nsbi/core/error.hpp"
#include "nsbi/core/error_transport.hpp"
#include "nsbi/simulator_plugin.h"
#include "workers/plugin/shared_library.hpp"
#include "workers/simulate_shapes.hpp"

namespace nsbi {

static_assert(std::is_same_v<nsbi_simulate_mpi_fn, int (*)(MPI_Fint, const double*, int, double*, int, std::uint64_t)>,
              "MpiPluginSimulator::Fn must match the C ABI in nsbi/simulator_plugin.h");

namespace {
constexpr int kSimulate = 1, kRelease = 0, kFail = 2;  // the leader's commands to the other members
}  // namespace

MpiPluginSimulator::MpiPluginSimulator(const SimulatorOptions& options, int theta_dim, int x_dim)
    : name_("MPI plugin simulator '" + options.library + "' (symbol " + options.symbol + ", " +
            std::to_string(options.ranks_per_simulation) + " rank(s) per simulation)"),
      theta_dim_(theta_dim),
      x_dim_(x_dim),
      ranks_(options.ranks_per_simulation) {
  if (theta_dim <= 0 || x_dim <= 0)
    throw ConfigError(make_message(name_, "theta_dim and x_dim", "positive",
                                   std::to_string(theta_dim) + " and " + std::to_string(x_dim)));
  if (ranks_ < 1)
    throw ConfigError(make_message(name_, "simulator.ranks_per_simulation", "at least 1", std::to_string(ranks_)));
  library_ = std::make_unique<detail::SharedLibrary>(
      name_, options.library, options.symbol,
      "int " + options.symbol + "(MPI_Fint, const double*, int, double*, int, uint64_t)");
  fn_ = reinterpret_cast<Fn>(library_->function());
  theta_buf_.resize(static_cast<std::size_t>(theta_dim_));
  x_buf_.resize(static_cast<std::size_t>(x_dim_));
}

MpiPluginSimulator::~MpiPluginSimulator() = default;

std::string MpiPluginSimulator::name() const { return name_; }

int MpiPluginSimulator::run_one(double* theta, double* x, std::uint64_t& seed) {
  MPI_Bcast(theta, theta_dim_, MPI_DOUBLE, 0, group_);
  MPI_Bcast(&seed, 1, MPI_UINT64_T, 0, group_);
  std::fill_n(x, x_dim_, std::numeric_limits<double>::quiet_NaN());
  int failed = 0;
  try {
    failed = fn_(MPI_Comm_c2f(group_), theta, theta_dim_, x, x_dim_, seed) != 0;
  } catch (...) {  // a C++ plugin that let an exception escape
    failed = 1;
  }
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, group_);
  return failed;
}

void MpiPluginSimulator::simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                                  Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) {
  detail::check_simulate_shapes(name_, theta_dim_, x_dim_, theta, seeds.size(), x, status.size());
  for (Eigen::Index j = 0; j < theta.cols(); ++j) {
    int command = kSimulate;
    MPI_Bcast(&command, 1, MPI_INT, 0, group_);
    std::copy_n(theta.col(j).data(), theta_dim_, theta_buf_.data());
    std::uint64_t seed = seeds[static_cast<std::size_t>(j)];
    double* xj = x.col(j).data();
    const int failed = run_one(theta_buf_.data(), xj, seed);
    SimStatus& s = status[static_cast<std::size_t>(j)];
    if (failed) {
      s = SimStatus::error;
      std::fill_n(xj, x_dim_, std::numeric_limits<double>::quiet_NaN());
    } else {
      s = std::all_of(xj, xj + x_dim_, [](double v) { return std::isfinite(v); }) ? SimStatus::ok
                                                                                   : SimStatus::non_finite;
    }
  }
}

void MpiPluginSimulator::follow() {
  for (;;) {
    int command = kRelease;
    MPI_Bcast(&command, 1, MPI_INT, 0, group_);
    if (command == kFail) {
      std::uint64_t n = 0;
      MPI_Bcast(&n, 1, MPI_UINT64_T, 0, group_);
      std::string error(static_cast<std::size_t>(n), '\0');
      MPI_Bcast(error.data(), static_cast<int>(n), MPI_CHAR, 0, group_);
      rethrow_encoded(error);
    }
    if (command != kSimulate) return;
    std::uint64_t seed = 0;
    run_one(theta_buf_.data(), x_buf_.data(), seed);
  }
}

void MpiPluginSimulator::release_followers(const std::string& encoded_error) {
  int command = encoded_error.empty() ? kRelease : kFail;
  MPI_Bcast(&command, 1, MPI_INT, 0, group_);
  if (command == kFail) {
    std::uint64_t n = encoded_error.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, group_);
    MPI_Bcast(const_cast<char*>(encoded_error.data()), static_cast<int>(n), MPI_CHAR, 0, group_);
  }
}

}  // namespace nsbi
