#pragma once
// A simulator that is an external program in any language (DESIGN.md §5).
//
// Persistent mode: one long-lived child per ExternalSimulator (so one per rank), fed one request
// line per simulation on stdin and answering one line of x on stdout (protocol in
// external_protocol.hpp and examples/simulators/README.md). Per-call mode: the argv template is
// run once per simulation with {theta}, {theta_1}..{theta_D}, {seed}, {output} substituted.
//
// Children are started with posix_spawn in their own process group, without the MPI launcher's
// environment variables, with stderr passed through. Each call has a wall-clock limit
// (options.timeout_seconds, 0 = none); on expiry the group gets SIGTERM, kill_grace_seconds later
// SIGKILL, and the call ends with status timeout. A crash is status crashed (signal), a non-zero
// exit or a closed stdout status error; a persistent child is restarted on the next call.
// Nothing is retried here: retries are the farm's decision.
//
// A malformed answer (wrong count, non-number) is status error; but while this instance has not
// yet had one well-formed answer it throws SimulatorError instead: a simulator that prints a
// banner, the wrong dimension or words is misconfigured, and every call would fail the same way.
//
// SIGPIPE is set to ignored in the process on construction (if it had its default action).
// Not thread-safe: one instance per thread.
#include <memory>
#include <string>

#include "nsbi/simulator/simulator.hpp"
#include "nsbi/simulator/simulator_options.hpp"

namespace nsbi {

class ExternalSimulator final : public Simulator {
 public:
  /// Uses options.command, mode, timeout_seconds and kill_grace_seconds; theta_dim, x_dim > 0.
  /// Throws SimulatorError if the program (command[0], searched in PATH) is not an executable
  /// file, ConfigError for an empty command or a {theta_i} placeholder beyond theta_dim.
  /// The persistent child is started on the first simulate() call.
  ExternalSimulator(const SimulatorOptions& options, int theta_dim, int x_dim);
  /// Closes the child's stdin, gives it kill_grace_seconds to exit, then TERM/KILL its group.
  ~ExternalSimulator() override;
  ExternalSimulator(const ExternalSimulator&) = delete;
  ExternalSimulator& operator=(const ExternalSimulator&) = delete;

  /// "external simulator 'python3 two_moons.py'".
  std::string name() const override;
  int theta_dim() const override;
  int x_dim() const override;

  /// theta: theta_dim×n, seeds: n, x: x_dim×n, status: n. Columns run one after another; a column
  /// that does not end ok gets NaN in x. Throws ShapeError for mismatched shapes.
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) override;

  /// Why column j of the last simulate() call did not end ok ("" if it did): the exit code or
  /// signal, the timeout, or the malformed answer. For the failure report.
  const std::string& message(std::size_t j) const;
  /// Children started so far (persistent: 1 + restarts; per-call: one per call).
  long children_started() const;
  /// Process id of the running persistent child (also its process group id), 0 if none.
  long child_pid() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nsbi
