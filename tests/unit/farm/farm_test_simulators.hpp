#pragma once
// Tiny simulators for the farm's tests (unit and MPI), and an independent serial reference of
// what a round must produce. Every outcome is a function of (θ, seed, attempt), so it does not
// depend on which rank runs a simulation.
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/farm/farm_options.hpp"
#include "nsbi/farm/simulation_bank.hpp"
#include "nsbi/simulator/simulator.hpp"
#include "nsbi/simulator/simulator_options.hpp"

namespace nsbi::farm_test {

/// x = 2θ + 0.1 ε with ε ~ N(0, I) from the simulation stream of the seed.
inline Eigen::VectorXd affine_x(const Eigen::VectorXd& theta, std::uint64_t seed) {
  RandomStream rng(seed, StreamId::simulation, 0, 0);
  Eigen::VectorXd x(theta.size());
  for (Eigen::Index d = 0; d < theta.size(); ++d) x(d) = 2.0 * theta(d) + 0.1 * rng.normal();
  return x;
}

struct Outcome {
  SimStatus status;
  Eigen::VectorXd x;
};

/// The scripted behaviour, decided by seed % 100 (attempt counts from 1):
///   0-4 NaN in x with status left ok (the farm must notice), 5-7 error, 8-10 crashed on the
///   first attempt only, 11-12 always crashed, 13 always timeout, otherwise ok.
inline Outcome scripted_outcome(const Eigen::VectorXd& theta, std::uint64_t seed, std::uint32_t attempt) {
  const std::uint64_t h = seed % 100;
  Outcome o{SimStatus::ok, affine_x(theta, seed)};
  if (h < 5) o.x(0) = std::numeric_limits<double>::quiet_NaN();
  else if (h < 8) o.status = SimStatus::error;
  else if (h < 11) o.status = attempt == 1 ? SimStatus::crashed : SimStatus::ok;
  else if (h < 13) o.status = SimStatus::crashed;
  else if (h < 14) o.status = SimStatus::timeout;
  return o;
}

/// Simulates by scripted_outcome (or only the ok branch when `failing` is false). Records every
/// seed it is called with; counts attempts per seed on this rank (retries stay on one rank).
/// Optionally sleeps up to max_sleep_us per call (seeded), so results arrive out of order, and
/// throws SimulatorError for seeds in throw_on.
class ScriptedSimulator : public Simulator {
 public:
  ScriptedSimulator(int dim, bool failing, int max_sleep_us = 0, int x_dim = -1)
      : dim_(dim), x_dim_(x_dim < 0 ? dim : x_dim), failing_(failing), max_sleep_us_(max_sleep_us) {}
  std::string name() const override { return "scripted"; }
  int theta_dim() const override { return dim_; }
  int x_dim() const override { return x_dim_; }
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) override {
    for (Eigen::Index j = 0; j < theta.cols(); ++j) {
      const std::uint64_t s = seeds[static_cast<std::size_t>(j)];
      calls.push_back(s);
      for (std::uint64_t t : throw_on)
        if (t == s) throw SimulatorError("scripted: refused seed " + std::to_string(s));
      if (max_sleep_us_ > 0)
        std::this_thread::sleep_for(std::chrono::microseconds((s >> 40) % std::uint64_t(max_sleep_us_)));
      const std::uint32_t attempt = ++attempts_[s];
      const Outcome o =
          failing_ ? scripted_outcome(theta.col(j), s, attempt) : Outcome{SimStatus::ok, affine_x(theta.col(j), s)};
      status[static_cast<std::size_t>(j)] = o.status;
      x.col(j) = o.x.head(x_dim_);
    }
  }

  std::vector<std::uint64_t> calls;
  std::vector<std::uint64_t> throw_on;

 private:
  int dim_, x_dim_;
  bool failing_;
  int max_sleep_us_;
  std::map<std::uint64_t, std::uint32_t> attempts_;
};

/// θ_i for the round: column i of a fixed pseudo-random matrix (theta_dim×n) from its own stream.
inline Eigen::MatrixXd test_theta(int dim, std::size_t n, std::uint64_t salt = 0) {
  Eigen::MatrixXd t(dim, static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    RandomStream rng(1234 + salt, StreamId::proposal, 0, i);
    for (int d = 0; d < dim; ++d) t(d, static_cast<Eigen::Index>(i)) = rng.uniform(-1.0, 1.0);
  }
  return t;
}

/// Replacement θ k from the resample stream.
inline Eigen::VectorXd test_replacement(int dim, std::uint64_t k) {
  RandomStream rng(99, StreamId::resample, 0, k);
  Eigen::VectorXd t(dim);
  for (int d = 0; d < dim; ++d) t(d) = rng.uniform(-1.0, 1.0);
  return t;
}

inline std::function<Eigen::VectorXd(std::uint64_t)> test_replacements(int dim) {
  return [dim](std::uint64_t k) { return test_replacement(dim, k); };
}

/// Farm options of the tests: max_retries 2, max_resample_factor 2.
inline FarmOptions test_options(FailurePolicy policy, std::uint64_t seed, std::uint32_t round) {
  FarmOptions o;
  o.seed = seed;
  o.round = round;
  o.sim.on_failure = policy;
  o.sim.max_retries = 2;
  o.sim.max_resample_factor = 2.0;
  return o;
}

/// The seeds the simulators of all ranks must have seen for `bank`, sorted: simulation i's seed
/// attempts[i] times.
inline std::vector<std::uint64_t> expected_calls(const SimulationBank& bank, const FarmOptions& o) {
  std::vector<std::uint64_t> expected;
  for (std::size_t i = 0; i < bank.size(); ++i)
    expected.insert(expected.end(), bank.attempts[i], simulation_seed(o.seed, o.round, i));
  std::sort(expected.begin(), expected.end());
  return expected;
}

/// What the round must produce, computed serially from the definitions in run_simulations.hpp
/// (no scheduler, no chunks): simulations in index order, retries of crashed/timeout with the
/// same seed, NaN x for failures; resample stops at the first prefix with n ok simulations.
inline SimulationBank reference_bank(const Eigen::MatrixXd& theta, bool failing, std::uint64_t seed,
                                     std::uint32_t round, const SimulatorOptions& opt) {
  const std::size_t n = static_cast<std::size_t>(theta.cols());
  const bool resample = opt.on_failure == FailurePolicy::resample;
  const std::size_t max_total =
      resample ? static_cast<std::size_t>(std::floor(opt.max_resample_factor * double(n))) : n;
  std::vector<Eigen::VectorXd> th, xs;
  SimulationBank b;
  std::size_t ok = 0;
  for (std::size_t i = 0; i < max_total && !(resample && ok == n); ++i) {
    const Eigen::VectorXd t = i < n ? Eigen::VectorXd(theta.col(static_cast<Eigen::Index>(i)))
                                    : test_replacement(static_cast<int>(theta.rows()), i - n);
    const std::uint64_t s = simulation_seed(seed, round, i);
    std::uint32_t attempt = 1;
    Outcome o = failing ? scripted_outcome(t, s, attempt) : Outcome{SimStatus::ok, affine_x(t, s)};
    while ((o.status == SimStatus::crashed || o.status == SimStatus::timeout) &&
           attempt <= static_cast<std::uint32_t>(opt.max_retries))
      o = scripted_outcome(t, s, ++attempt);
    if (o.status == SimStatus::ok && !o.x.allFinite()) o.status = SimStatus::non_finite;
    if (o.status != SimStatus::ok) o.x.setConstant(std::numeric_limits<double>::quiet_NaN());
    ok += o.status == SimStatus::ok;
    th.push_back(t);
    xs.push_back(o.x);
    b.status.push_back(o.status);
    b.attempts.push_back(attempt);
  }
  b.theta.resize(theta.rows(), static_cast<Eigen::Index>(th.size()));
  b.x = BankX(theta.rows(), static_cast<Eigen::Index>(th.size()));
  for (std::size_t i = 0; i < th.size(); ++i) {
    b.theta.col(static_cast<Eigen::Index>(i)) = th[i];
    b.x.writable().col(static_cast<Eigen::Index>(i)) = xs[i].cast<float>();
  }
  return b;
}

/// Byte equality of two banks (NaN == NaN when the bits agree).
inline bool same_bytes(const SimulationBank& a, const SimulationBank& b) {
  const auto eq = [](const auto& p, const auto& q) {
    return p.rows() == q.rows() && p.cols() == q.cols() &&
           std::equal(reinterpret_cast<const char*>(p.data()), reinterpret_cast<const char*>(p.data() + p.size()),
                      reinterpret_cast<const char*>(q.data()));
  };
  return eq(a.theta, b.theta) && eq(a.x.matrix(), b.x.matrix()) && a.status == b.status && a.attempts == b.attempts;
}

}  // namespace nsbi::farm_test
