// PluginSimulator: dlopen + dlsym of the nsbi_simulate_fn C ABI.
#include "nsbi/simulator/plugin_simulator.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <type_traits>

#include "nsbi/core/error.hpp"
#include "nsbi/simulator_plugin.h"
#include "workers/plugin/shared_library.hpp"
#include "workers/simulate_shapes.hpp"

namespace nsbi {

static_assert(std::is_same_v<nsbi_simulate_fn, int (*)(const double*, int, double*, int, std::uint64_t)>,
              "PluginSimulator::Fn must match the C ABI in nsbi/simulator_plugin.h");

PluginSimulator::PluginSimulator(const SimulatorOptions& options, int theta_dim, int x_dim)
    : name_("plugin simulator '" + options.library + "' (symbol " + options.symbol + ")"),
      theta_dim_(theta_dim),
      x_dim_(x_dim) {
  if (options.library.empty())
    throw ConfigError(make_message(name_, "simulator.library", "the path of a shared library", "an empty string"));
  if (theta_dim <= 0 || x_dim <= 0)
    throw ConfigError(make_message(name_, "theta_dim and x_dim", "positive",
                                   std::to_string(theta_dim) + " and " + std::to_string(x_dim)));
  library_ = std::make_unique<detail::SharedLibrary>(
      name_, options.library, options.symbol, "int " + options.symbol + "(const double*, int, double*, int, uint64_t)");
  fn_ = reinterpret_cast<Fn>(library_->function());
}

PluginSimulator::~PluginSimulator() = default;

std::string PluginSimulator::name() const { return name_; }

const std::string& PluginSimulator::message(std::size_t j) const {
  static const std::string none;
  return j < messages_.size() ? messages_[j] : none;
}

void PluginSimulator::simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                               Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) {
  const auto n = static_cast<std::size_t>(theta.cols());
  detail::check_simulate_shapes(name_, theta_dim_, x_dim_, theta, seeds.size(), x, status.size());
  if (messages_.size() < n) messages_.resize(n);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t j = 0; j < n; ++j) {
    const auto c = static_cast<Eigen::Index>(j);
    double* xj = x.col(c).data();
    std::fill_n(xj, x_dim_, nan);  // a plugin that returns 0 without writing x gives non_finite
    messages_[j].clear();
    int rc = 0;
    try {
      rc = fn_(theta.col(c).data(), theta_dim_, xj, x_dim_, seeds[j]);
    } catch (const std::exception& e) {  // a C++ plugin that let an exception escape
      rc = -1;
      messages_[j] = std::string("threw ") + e.what();
    } catch (...) {
      rc = -1;
      messages_[j] = "threw an exception";
    }
    if (rc != 0) {
      status[j] = SimStatus::error;
      std::fill_n(xj, x_dim_, nan);
      if (messages_[j].empty()) messages_[j] = "returned " + std::to_string(rc);
    } else if (!std::all_of(xj, xj + x_dim_, [](double v) { return std::isfinite(v); })) {
      status[j] = SimStatus::non_finite;
      messages_[j] = "returned non-finite values";
    } else {
      status[j] = SimStatus::ok;
    }
  }
  for (std::size_t j = n; j < messages_.size(); ++j) messages_[j].clear();
}

}  // namespace nsbi
