// Per-call overhead of a persistent external simulator (issue 3: target ≤ 50 µs per call beyond
// the simulator's own time).
//
// The children answer at once, so the time per call is nsbi's overhead plus the pipe round trip
// (two context switches), which every out-of-process simulator pays:
//   BM_RawPipeRoundTrip/D     the floor: a hand-written write + blocking read loop with `cat`
//   BM_PersistentCat/D        ExternalSimulator with `cat` (echoes the request: x_dim = D + 1)
//   BM_PersistentFaulty/D     ExternalSimulator with examples' faulty_simulator, faults off
//                             (parses the request, formats D numbers: a realistic instant child)
//   BM_PersistentBlock/D      as BM_PersistentCat, 256 columns per simulate() call
// D = θ dimension. Counter us_per_call = wall-clock µs per simulation.
//   ./build/bench/external_overhead_bench
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "nsbi/simulator/external_protocol.hpp"
#include "nsbi/simulator/external_simulator.hpp"

namespace {

using nsbi::ExternalSimulator;
using nsbi::SimStatus;

nsbi::SimulatorOptions persistent(std::vector<std::string> command) {
  nsbi::SimulatorOptions o;
  o.kind = nsbi::SimulatorKind::external;
  o.command = std::move(command);
  o.timeout_seconds = 10.0;  // a deadline is set per call, as in production
  return o;
}

Eigen::MatrixXd random_theta(int d, int n) {
  std::mt19937_64 gen(1);
  std::normal_distribution<double> z;
  Eigen::MatrixXd theta(d, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < d; ++i) theta(i, j) = z(gen);
  return theta;
}

/// Wall-clock µs per call since t0 (includes Google Benchmark's loop, which is negligible here).
double micros_per(std::chrono::steady_clock::time_point t0, std::int64_t calls) {
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return calls > 0 ? us / static_cast<double>(calls) : 0.0;
}

void run_persistent(benchmark::State& state, ExternalSimulator& sim, int columns) {
  const int d = sim.theta_dim();
  const Eigen::MatrixXd theta = random_theta(d, columns);
  Eigen::MatrixXd x(sim.x_dim(), columns);
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(columns));
  std::vector<SimStatus> status(static_cast<std::size_t>(columns));
  std::uint64_t seed = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (auto& s : seeds) s = ++seed;
    sim.simulate(theta, seeds, x, status);
    benchmark::DoNotOptimize(x.data());
  }
  for (SimStatus s : status)
    if (s != SimStatus::ok) state.SkipWithError("a simulation failed");
  state.SetItemsProcessed(state.iterations() * columns);
  state.counters["us_per_call"] = micros_per(t0, state.iterations() * columns);
}

void BM_PersistentCat(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  ExternalSimulator sim(persistent({"cat"}), d, d + 1);
  run_persistent(state, sim, 1);
}

/// <build>/examples/faulty_simulator, found from this executable's path (<build>/bench/).
std::string faulty_simulator_path() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" /
          "faulty_simulator")
      .string();
}

void BM_PersistentFaulty(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  ExternalSimulator sim(persistent({faulty_simulator_path(), "--crash", "0", "--hang", "0", "--nan", "0"}), d, d);
  run_persistent(state, sim, 1);
}

void BM_PersistentBlock(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  ExternalSimulator sim(persistent({"cat"}), d, d + 1);
  run_persistent(state, sim, 256);
}

// The floor: the same request/answer through a pipe to `cat`, blocking I/O, nothing else.
void BM_RawPipeRoundTrip(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  int in[2], out[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0) return state.SkipWithError("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char arg0[] = "cat";
  char* argv[] = {arg0, nullptr};
  pid_t pid = 0;
  if (::posix_spawnp(&pid, "cat", &fa, nullptr, argv, environ) != 0) return state.SkipWithError("spawn");
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  const Eigen::MatrixXd theta = random_theta(d, 1);
  std::string line;
  std::vector<char> buf(1 << 16);
  std::uint64_t seed = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    nsbi::encode_request(++seed, std::span<const double>(theta.data(), static_cast<std::size_t>(d)), line);
    if (::write(in[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) break;
    std::size_t got = 0;
    while (got == 0 || buf[got - 1] != '\n') {
      const ssize_t n = ::read(out[0], buf.data() + got, buf.size() - got);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    benchmark::DoNotOptimize(buf.data());
  }
  state.counters["us_per_call"] = micros_per(t0, state.iterations());
  ::close(in[1]);
  ::close(out[0]);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

BENCHMARK(BM_RawPipeRoundTrip)->Arg(2)->Arg(10)->Arg(100)->UseRealTime();
BENCHMARK(BM_PersistentCat)->Arg(2)->Arg(10)->Arg(100)->UseRealTime();
BENCHMARK(BM_PersistentFaulty)->Arg(2)->Arg(10)->Arg(100)->UseRealTime();
BENCHMARK(BM_PersistentBlock)->Arg(2)->Arg(10)->UseRealTime();
