#pragma once
// A simulator in a shared library with the C ABI of nsbi/simulator_plugin.h, loaded with dlopen.
// The fastest path for C, C++ and Fortran simulators; it runs inside the rank, so a crash or hang
// of the plugin is not contained (use ExternalSimulator for those).
#include <memory>
#include <string>
#include <vector>

#include "nsbi/simulator/simulator.hpp"
#include "nsbi/simulator/simulator_options.hpp"

namespace nsbi {

namespace detail {
class SharedLibrary;
}

class PluginSimulator final : public Simulator {
 public:
  /// Loads options.library (RTLD_NOW | RTLD_LOCAL; a path without '/' is searched like any
  /// dlopen name, so write "./lib.so" for the current directory) and looks up options.symbol.
  /// Throws SimulatorError naming the library, the symbol and dlerror() when either is missing,
  /// ConfigError for an empty library path or non-positive dimensions.
  PluginSimulator(const SimulatorOptions& options, int theta_dim, int x_dim);
  ~PluginSimulator() override;
  PluginSimulator(const PluginSimulator&) = delete;
  PluginSimulator& operator=(const PluginSimulator&) = delete;

  /// "plugin simulator 'path/lib.so' (symbol nsbi_simulate)".
  std::string name() const override;
  int theta_dim() const override { return theta_dim_; }
  int x_dim() const override { return x_dim_; }

  /// theta: theta_dim×n, seeds: n, x: x_dim×n, status: n. A non-zero return code is status error
  /// (x set to NaN), a C++ exception escaping the plugin too; non-finite x is status non_finite.
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) override;

  /// Why column j of the last simulate() call did not end ok ("" if it did).
  const std::string& message(std::size_t j) const;

 private:
  using Fn = int (*)(const double*, int, double*, int, std::uint64_t);
  std::string name_;
  int theta_dim_;
  int x_dim_;
  std::unique_ptr<detail::SharedLibrary> library_;
  Fn fn_ = nullptr;
  std::vector<std::string> messages_;
};

}  // namespace nsbi
