#pragma once
// How the simulator of a run is provided and how its failures are handled ([simulator] table).
#include <string>
#include <vector>

namespace nsbi {

enum class SimulatorKind { builtin, external, plugin, mpi_plugin };
enum class ExternalMode { persistent, per_call };
enum class FailurePolicy { resample, drop, abort };

struct SimulatorOptions {
  SimulatorKind kind = SimulatorKind::builtin;  // builtin = the [task]'s own simulator
  // external, persistent: argv of the long-lived child (one per worker).
  // external, per_call: argv template; placeholders {theta} (comma-separated θ), {theta_1}..{theta_D},
  // {seed} and {output} (path of the file the program writes x to) are substituted per call.
  std::vector<std::string> command;
  ExternalMode mode = ExternalMode::persistent;
  std::string library;                  // plugin, mpi_plugin: path of the shared library
  std::string symbol = "nsbi_simulate";  // plugin: exported function name (mpi_plugin: nsbi_simulate_mpi)
  // mpi_plugin: ranks that take part in each simulation (a group of k ranks per simulation; the
  // coordinator serves chunks to the groups' leaders).
  int ranks_per_simulation = 1;
  int theta_dim = 0;                    // external/plugin: required when there is no builtin task
  int x_dim = 0;
  double timeout_seconds = 0.0;  // wall-clock limit per call; 0 = none
  double kill_grace_seconds = 2.0;  // SIGTERM → SIGKILL grace
  int max_retries = 2;              // for crashed and timed-out calls, same seed
  FailurePolicy on_failure = FailurePolicy::resample;
  double max_resample_factor = 2.0;  // resample: stop after this many × the budget of draws
  int chunk_size = 0;                // simulations per work unit; 0 = automatic
};

}  // namespace nsbi
