// ExternalSimulator against real child processes: examples/simulators/faulty_simulator (built by
// examples/CMakeLists.txt), /bin/sh scripts, and examples/simulators/two_moons.py when numpy exists.
#include "nsbi/simulator/external_simulator.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <limits>
#include <numbers>
#include <random>
#include <thread>
#include <vector>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kFaulty = NSBI_BINARY_DIR "/examples/faulty_simulator";

SimulatorOptions persistent(std::vector<std::string> command, double timeout = 0.0, double grace = 0.2) {
  SimulatorOptions o;
  o.kind = SimulatorKind::external;
  o.mode = ExternalMode::persistent;
  o.command = std::move(command);
  o.timeout_seconds = timeout;
  o.kill_grace_seconds = grace;
  return o;
}

SimulatorOptions per_call(std::vector<std::string> command, double timeout = 0.0) {
  SimulatorOptions o = persistent(std::move(command), timeout);
  o.mode = ExternalMode::per_call;
  return o;
}

/// faulty_simulator that never fails, x = θ exactly.
std::vector<std::string> echo_command() {
  return {kFaulty, "--crash", "0", "--hang", "0", "--nan", "0", "--noise", "0"};
}

/// A fresh empty directory for --transient markers and pid files.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "nsbi-ext-test-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

/// Alive and not a zombie (a zombie is dead; in a container nobody may reap orphans).
bool process_alive(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

bool gone_within(long pid, double seconds) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) {
    if (!process_alive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return !process_alive(pid);
}

long read_pid(const fs::path& file) {
  for (int k = 0; k < 200; ++k) {  // the child writes it at start-up
    std::ifstream in(file);
    long pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return 0;
}

struct Call {
  Eigen::MatrixXd x;
  std::vector<SimStatus> status;
};

Call run(ExternalSimulator& sim, const Eigen::MatrixXd& theta, const std::vector<std::uint64_t>& seeds) {
  Call c{Eigen::MatrixXd(sim.x_dim(), theta.cols()), std::vector<SimStatus>(seeds.size())};
  sim.simulate(theta, seeds, c.x, c.status);
  return c;
}

Call run_one(ExternalSimulator& sim, std::uint64_t seed, std::vector<double> theta) {
  return run(sim, Eigen::Map<Eigen::VectorXd>(theta.data(), static_cast<Eigen::Index>(theta.size())), {seed});
}

/// The faulty simulator's seeds that land in each band (same rule as faulty_simulator.cpp).
std::uint64_t u_band_seed(double lo, double hi) {
  for (std::uint64_t s = 1;; ++s) {
    std::uint64_t z = (s ^ 0x6a09e667f3bcc908ULL) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    const double u = static_cast<double>(z >> 11) * 0x1.0p-53;
    if (u >= lo && u < hi) return s;
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SimulatorError& e) {
    return e.what();
  }
  return "no SimulatorError";
}

// ---- persistent mode -----------------------------------------------------------------------------

TEST(ExternalSimulatorTest, RoundTripIsExactToTheLastBitAndUsesOneChild) {
  ExternalSimulator sim(persistent(echo_command()), 5, 5);
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> expo(-300, 300), mant(-1, 1);
  Eigen::MatrixXd theta(5, 200);
  for (Eigen::Index j = 0; j < theta.cols(); ++j)
    for (Eigen::Index i = 0; i < 5; ++i) theta(i, j) = mant(gen) * std::pow(10.0, expo(gen));
  theta(0, 0) = std::numeric_limits<double>::denorm_min();
  theta(1, 0) = 1.0 / 3.0;
  theta(2, 0) = -0.0;
  std::vector<std::uint64_t> seeds(200);
  for (std::size_t j = 0; j < seeds.size(); ++j) seeds[j] = gen();
  const Call c = run(sim, theta, seeds);
  for (Eigen::Index j = 0; j < theta.cols(); ++j) {
    ASSERT_EQ(c.status[static_cast<std::size_t>(j)], SimStatus::ok) << sim.message(static_cast<std::size_t>(j));
    EXPECT_EQ(std::memcmp(c.x.col(j).data(), theta.col(j).data(), 5 * sizeof(double)), 0) << "column " << j;
  }
  EXPECT_EQ(sim.children_started(), 1);
  EXPECT_GT(sim.child_pid(), 0);
}

TEST(ExternalSimulatorTest, AnswerIsAFunctionOfSeedAndTheta) {
  std::vector<std::string> cmd{kFaulty, "--crash", "0", "--hang", "0", "--nan", "0", "--x-dim", "3"};
  ExternalSimulator a(persistent(cmd), 2, 3), b(persistent(cmd), 2, 3);
  const Call a1 = run_one(a, 42, {0.5, -0.5});
  const Call a2 = run_one(a, 43, {0.5, -0.5});
  const Call b1 = run_one(b, 42, {0.5, -0.5});
  EXPECT_EQ(a1.x, b1.x);
  EXPECT_NE(a1.x, a2.x);
  EXPECT_NEAR(a1.x(2), 0.5, 0.1 + 1e-12);  // x_3 = θ_1 + noise in [-0.1, 0.1]
}

TEST(ExternalSimulatorTest, TimeoutKillsTheWholeProcessGroupAndTheNextCallRestarts) {
  TempDir dir;
  const fs::path pidfile = dir.path / "grandchild.pid";
  // Seed-driven hang on the first attempt only (--transient), plus a grandchild in the group.
  ExternalSimulator sim(persistent({kFaulty, "--crash", "0", "--hang", "1", "--nan", "0", "--noise", "0",
                                    "--transient", dir.path.string(), "--grandchild-pidfile", pidfile.string()},
                                   0.3, 0.2),
                        2, 2);
  const auto t0 = Clock::now();
  const Call c = run_one(sim, 7, {1.0, 2.0});
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_EQ(c.status[0], SimStatus::timeout);
  EXPECT_TRUE(std::isnan(c.x(0)) && std::isnan(c.x(1)));
  EXPECT_NE(sim.message(0).find("no answer within 0.3 s"), std::string::npos) << sim.message(0);
  EXPECT_GE(elapsed, 0.3);
  EXPECT_LT(elapsed, 1.5);
  const long grandchild = read_pid(pidfile);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(gone_within(grandchild, 1.0)) << "grandchild " << grandchild << " survived the timeout";
  EXPECT_EQ(sim.child_pid(), 0);

  fs::remove(pidfile);
  const Call again = run_one(sim, 7, {1.0, 2.0});  // same seed: the marker makes it answer now
  EXPECT_EQ(again.status[0], SimStatus::ok) << sim.message(0);
  EXPECT_EQ(again.x(0), 1.0);
  EXPECT_EQ(sim.children_started(), 2);
}

TEST(ExternalSimulatorTest, ChildIgnoringSigtermIsKilledAfterTheGrace) {
  ExternalSimulator sim(persistent({kFaulty, "--crash", "0", "--hang", "1", "--ignore-term"}, 0.2, 0.3), 1, 1);
  const auto t0 = Clock::now();
  const Call c = run_one(sim, 1, {0.0});
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_EQ(c.status[0], SimStatus::timeout);
  EXPECT_GE(elapsed, 0.5);  // timeout + full grace: SIGTERM was ignored
  EXPECT_LT(elapsed, 2.0);
}

TEST(ExternalSimulatorTest, CrashIsCrashedAndTheChildIsRestarted) {
  TempDir dir;
  ExternalSimulator sim(
      persistent({kFaulty, "--crash", "1", "--noise", "0", "--transient", dir.path.string()}, 5.0), 2, 2);
  Eigen::MatrixXd theta(2, 2);
  theta << 0.25, 0.25, -0.75, -0.75;
  const Call c = run(sim, theta, {11, 11});  // crashes, then (marker present) answers
  EXPECT_EQ(c.status[0], SimStatus::crashed);
  EXPECT_NE(sim.message(0).find("signal 11"), std::string::npos) << sim.message(0);
  EXPECT_EQ(c.status[1], SimStatus::ok) << sim.message(1);
  EXPECT_EQ(c.x(0, 1), 0.25);
  EXPECT_EQ(sim.message(1), "");
  EXPECT_EQ(sim.children_started(), 2);
}

TEST(ExternalSimulatorTest, FaultsFollowTheSeedBands) {
  // Default bands: crash [0, 0.02), hang [0.02, 0.03), NaN [0.03, 0.04), ok otherwise.
  ExternalSimulator sim(persistent({kFaulty}, 0.3, 0.1), 2, 2);
  const std::vector<std::uint64_t> seeds{u_band_seed(0.0, 0.02), u_band_seed(0.02, 0.03), u_band_seed(0.03, 0.04),
                                         u_band_seed(0.5, 1.0)};
  const Call c = run(sim, Eigen::MatrixXd::Zero(2, 4), seeds);
  EXPECT_EQ(c.status, (std::vector<SimStatus>{SimStatus::crashed, SimStatus::timeout, SimStatus::non_finite,
                                                SimStatus::ok}));
  EXPECT_TRUE(std::isnan(c.x(0, 2)));
  EXPECT_TRUE(std::isfinite(c.x(1, 2)));  // only x_1 is NaN; the rest is kept as answered
  EXPECT_EQ(sim.children_started(), 3);
}

TEST(ExternalSimulatorTest, NanAnswerIsNonFinite) {
  ExternalSimulator sim(persistent({kFaulty, "--crash", "0", "--hang", "0", "--nan", "1"}), 2, 2);
  const Call c = run_one(sim, 5, {0.0, 0.0});
  EXPECT_EQ(c.status[0], SimStatus::non_finite);
  EXPECT_TRUE(std::isnan(c.x(0)));
}

TEST(ExternalSimulatorTest, WrongCountOnTheFirstAnswerThrowsNamingCommandExpectedAndReceived) {
  ExternalSimulator sim(persistent({kFaulty, "--crash", "0", "--hang", "0", "--nan", "0", "--x-dim", "3"}), 2, 2);
  const std::string what = error_of([&] { run_one(sim, 1, {0.0, 0.0}); });
  EXPECT_NE(what.find("external simulator '" + kFaulty), std::string::npos) << what;
  EXPECT_NE(what.find("expected 2 numbers"), std::string::npos) << what;
  EXPECT_NE(what.find("expected 2 values, got 3"), std::string::npos) << what;
}

TEST(ExternalSimulatorTest, BannerLineOnStdoutThrowsOnTheFirstAnswer) {
  ExternalSimulator sim(persistent({"/bin/sh", "-c", "echo ready; exec " + kFaulty}), 2, 2);
  const std::string what = error_of([&] { run_one(sim, 1, {0.0, 0.0}); });
  EXPECT_NE(what.find("'ready'"), std::string::npos) << what;
  EXPECT_NE(what.find("is not a number"), std::string::npos) << what;
}

TEST(ExternalSimulatorTest, MalformedAnswersAfterAGoodOneAreErrorsWithMessages) {
  // seed 2 → three values, seed 3 → a word, anything else → θ echoed.
  const std::string script =
      "while read s a b; do case $s in 2) echo 1 2 3;; 3) echo oops 1;; *) echo $a,$b;; esac; done";
  ExternalSimulator sim(persistent({"/bin/sh", "-c", script}), 2, 2);
  Eigen::MatrixXd theta(2, 4);
  theta << 1, 1, 1, 1, 2, 2, 2, 2;
  const Call c = run(sim, theta, {1, 2, 3, 4});
  EXPECT_EQ(c.status, (std::vector<SimStatus>{SimStatus::ok, SimStatus::error, SimStatus::error, SimStatus::ok}));
  EXPECT_EQ(sim.message(1), "malformed answer '1 2 3': expected 2 values, got 3");
  EXPECT_EQ(sim.message(2), "malformed answer 'oops 1': 'oops' is not a number");
  EXPECT_TRUE(std::isnan(c.x(0, 1)));
  EXPECT_EQ(c.x(1, 3), 2.0);
  EXPECT_EQ(sim.children_started(), 1);
}

TEST(ExternalSimulatorTest, NonZeroExitIsErrorAndTheChildIsRestarted) {
  ExternalSimulator sim(persistent({"/bin/sh", "-c", "read line; exit 3"}), 1, 1);
  const Call c = run(sim, Eigen::MatrixXd::Zero(1, 2), {1, 2});
  EXPECT_EQ(c.status, (std::vector<SimStatus>{SimStatus::error, SimStatus::error}));
  EXPECT_EQ(sim.message(0), "exited with code 3 before answering");
  EXPECT_EQ(sim.children_started(), 2);
}

TEST(ExternalSimulatorTest, ChildThatExitedAfterItsAnswerIsReplacedWithoutLosingTheRequest) {
  // Answers once and exits: the next request meets a closed pipe (EPIPE, not SIGPIPE: this test
  // process survives) and goes to a fresh child.
  ExternalSimulator sim(persistent({"/bin/sh", "-c", "read s a; echo $a"}), 1, 1);
  for (int k = 0; k < 3; ++k) {
    const Call c = run_one(sim, 1, {0.5 + k});
    EXPECT_EQ(c.status[0], SimStatus::ok) << "call " << k << ": " << sim.message(0);
    EXPECT_EQ(c.x(0), 0.5 + k);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the child exit
  }
  EXPECT_EQ(sim.children_started(), 3);
}

TEST(ExternalSimulatorTest, MissingExecutableThrowsNamingTheCommand) {
  const std::string abs = error_of([] { ExternalSimulator s(persistent({"/nonexistent/dir/sim", "-v"}), 1, 1); });
  EXPECT_NE(abs.find("'/nonexistent/dir/sim'"), std::string::npos) << abs;
  EXPECT_NE(abs.find("external simulator '/nonexistent/dir/sim -v'"), std::string::npos) << abs;
  const std::string in_path = error_of([] { ExternalSimulator s(persistent({"nsbi-no-such-simulator"}), 1, 1); });
  EXPECT_NE(in_path.find("'nsbi-no-such-simulator'"), std::string::npos) << in_path;
  EXPECT_NE(in_path.find("PATH"), std::string::npos) << in_path;
  EXPECT_THROW(ExternalSimulator(persistent({}), 1, 1), ConfigError);
}

TEST(ExternalSimulatorTest, ChildDoesNotSeeTheMpiLaunchersVariables) {
  ::setenv("OMPI_COMM_WORLD_RANK", "3", 1);
  ::setenv("PMIX_RANK", "3", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ExternalSimulator sim(
      persistent({"/bin/sh", "-c", "while read l; do echo ${OMPI_COMM_WORLD_RANK:-0} ${PMIX_RANK:-0} "
                                   "${OMPI_ALLOW_RUN_AS_ROOT:-0}; done"}),
      1, 3);
  const Call c = run_one(sim, 1, {0.0});
  ::unsetenv("OMPI_COMM_WORLD_RANK");
  ::unsetenv("PMIX_RANK");
  ASSERT_EQ(c.status[0], SimStatus::ok) << sim.message(0);
  EXPECT_EQ(c.x(0), 0.0);
  EXPECT_EQ(c.x(1), 0.0);
  EXPECT_EQ(c.x(2), 1.0);
}

TEST(ExternalSimulatorTest, ChildInheritsNoOtherDescriptors) {
  // An inheritable descriptor of the parent, as an MPI library's socket would be.
  const int fd = ::dup2(STDERR_FILENO, 57);
  ASSERT_EQ(fd, 57);
  ExternalSimulator sim(
      persistent({"/bin/sh", "-c", "while read l; do if [ -e /proc/$$/fd/57 ]; then echo 1; else echo 0; fi; done"}),
      1, 1);
  const Call c = run_one(sim, 1, {0.0});
  ::close(fd);
  ASSERT_EQ(c.status[0], SimStatus::ok) << sim.message(0);
  EXPECT_EQ(c.x(0), 0.0);
}

TEST(ExternalSimulatorTest, DestructorEndsTheChild) {
  long pid = 0;
  {
    ExternalSimulator sim(persistent(echo_command()), 1, 1);
    run_one(sim, 1, {0.0});
    pid = sim.child_pid();
    ASSERT_GT(pid, 0);
  }
  EXPECT_TRUE(gone_within(pid, 1.0));
}

TEST(ExternalSimulatorTest, WrongShapesThrowShapeError) {
  ExternalSimulator sim(persistent(echo_command()), 2, 2);
  Eigen::MatrixXd theta(3, 1), x(2, 1);
  std::vector<std::uint64_t> seeds{1};
  std::vector<SimStatus> status(1);
  EXPECT_THROW(sim.simulate(theta, seeds, x, status), ShapeError);
}

// ---- per-call mode -------------------------------------------------------------------------------

TEST(ExternalSimulatorTest, PerCallSubstitutesPlaceholdersAndReadsTheOutputFile) {
  std::vector<std::string> cmd = echo_command();
  cmd.insert(cmd.end(), {"--seed", "{seed}", "--theta", "{theta}", "--output", "{output}"});
  ExternalSimulator sim(per_call(cmd, 5.0), 3, 3);
  Eigen::MatrixXd theta(3, 2);
  theta << 0.1, 1e-310, 1.0 / 3.0, -2.0, -7e100, 5.0;
  const Call c = run(sim, theta, {1, 18446744073709551615ULL});
  ASSERT_EQ(c.status[0], SimStatus::ok) << sim.message(0);
  ASSERT_EQ(c.status[1], SimStatus::ok) << sim.message(1);
  EXPECT_EQ(std::memcmp(c.x.data(), theta.data(), 6 * sizeof(double)), 0);
  EXPECT_EQ(sim.children_started(), 2);
}

TEST(ExternalSimulatorTest, PerCallIndexedPlaceholdersAndStdout) {
  // No {output}: x is read from the program's stdout. {theta_2} {theta_1} swap, {seed} last.
  ExternalSimulator sim(per_call({"/bin/sh", "-c", "echo \"$1, $2, $3\"", "sh", "{theta_2}", "{theta_1}", "{seed}"}),
                        2, 3);
  const Call c = run_one(sim, 99, {0.5, -1.25});
  ASSERT_EQ(c.status[0], SimStatus::ok) << sim.message(0);
  EXPECT_EQ(c.x(0), -1.25);
  EXPECT_EQ(c.x(1), 0.5);
  EXPECT_EQ(c.x(2), 99.0);
}

TEST(ExternalSimulatorTest, PerCallFailuresBecomeStatuses) {
  // First call: writes x and exits 0. Later: exit 4, crash, hang.
  const std::string script =
      "case $1 in 1) echo 1 > $2;; 2) exit 4;; 3) kill -SEGV $$;; 4) sleep 30;; 5) true;; esac";
  ExternalSimulator sim(per_call({"/bin/sh", "-c", script, "sh", "{seed}", "{output}"}, 0.3), 1, 1);
  const auto t0 = Clock::now();
  const Call c = run(sim, Eigen::MatrixXd::Zero(1, 5), {1, 2, 3, 4, 5});
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 2.0);
  EXPECT_EQ(c.status, (std::vector<SimStatus>{SimStatus::ok, SimStatus::error, SimStatus::crashed, SimStatus::timeout,
                                                SimStatus::error}));
  EXPECT_EQ(sim.message(1), "exited with code 4");
  EXPECT_NE(sim.message(4).find("did not write"), std::string::npos) << sim.message(4);
}

TEST(ExternalSimulatorTest, PerCallPlaceholderBeyondThetaDimIsAConfigError) {
  EXPECT_THROW(ExternalSimulator(per_call({kFaulty, "{theta_3}"}), 2, 2), ConfigError);
  EXPECT_NO_THROW(ExternalSimulator(per_call({kFaulty, "{\"json\": 1}", "{theta_2}"}), 2, 2));
}

TEST(ExternalSimulatorTest, PerCallWrongCountOnTheFirstCallThrows) {
  ExternalSimulator sim(per_call({"/bin/sh", "-c", "echo 1 2 3 > $1", "sh", "{output}"}), 1, 2);
  const std::string what = error_of([&] { run_one(sim, 1, {0.0}); });
  EXPECT_NE(what.find("expected 2 values, got 3"), std::string::npos) << what;
}

// ---- the shipped Python example ------------------------------------------------------------------

/// A Python interpreter with numpy, or "" (then the test is skipped).
std::string python_with_numpy() {
  for (const char* py : {"python3", "/usr/bin/python3"}) {
    const std::string cmd = std::string(py) + " -c 'import numpy' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return py;
  }
  return {};
}

TEST(ExternalSimulatorTest, TwoMoonsPythonExampleFollowsTheTaskSpec) {
  const std::string py = python_with_numpy();
  if (py.empty()) GTEST_SKIP() << "no python3 with numpy";
  ExternalSimulator sim(persistent({py, NSBI_SOURCE_DIR "/examples/simulators/two_moons.py"}, 20.0), 2, 2);
  const int n = 400;
  Eigen::MatrixXd theta(2, n);
  std::vector<std::uint64_t> seeds(n);
  std::mt19937_64 gen(1);
  std::uniform_real_distribution<double> prior(-1, 1);
  for (int j = 0; j < n; ++j) {
    theta(0, j) = prior(gen);
    theta(1, j) = prior(gen);
    seeds[static_cast<std::size_t>(j)] = gen();
  }
  const Call c = run(sim, theta, seeds);
  // Undo the θ shift: p = x - (-|θ1+θ2|/√2, (-θ1+θ2)/√2) must be (r cos a + 0.25, r sin a) with
  // a in (-π/2, π/2) and r ~ N(0.1, 0.01²).
  double sum_r = 0, sum_r2 = 0;
  for (int j = 0; j < n; ++j) {
    ASSERT_EQ(c.status[static_cast<std::size_t>(j)], SimStatus::ok) << sim.message(static_cast<std::size_t>(j));
    const double p0 = c.x(0, j) + std::fabs(theta(0, j) + theta(1, j)) / std::numbers::sqrt2 - 0.25;
    const double p1 = c.x(1, j) - (-theta(0, j) + theta(1, j)) / std::numbers::sqrt2;
    const double r = std::hypot(p0, p1);
    EXPECT_GT(p0, 0.0);  // cos a > 0
    sum_r += r;
    sum_r2 += r * r;
  }
  const double mean = sum_r / n, sd = std::sqrt(sum_r2 / n - mean * mean);
  EXPECT_NEAR(mean, 0.1, 4 * 0.01 / std::sqrt(n));
  EXPECT_NEAR(sd, 0.01, 0.0015);
  // Same seed, same answer (numpy's generator is seeded from the request).
  const Call again = run(sim, theta.leftCols(3), {seeds[0], seeds[1], seeds[2]});
  EXPECT_EQ(again.x, c.x.leftCols(3));
  EXPECT_EQ(sim.children_started(), 1);
}

}  // namespace
}  // namespace nsbi
