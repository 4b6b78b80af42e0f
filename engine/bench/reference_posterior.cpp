#include "nsbi/bench/reference_posterior.hpp"

#include <mpi.h>

#include <cstdio>
#include <filesystem>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/mcmc/parallel_chains.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi::bench {

std::string reference_tasks() {
  std::string names;
  for (const Task& t : builtin_tasks())
    if (t.make_log_likelihood) names += (names.empty() ? "" : ", ") + t.name;
  return names;
}

void make_reference_posteriors(const ReferenceSpec& spec, const mpi::Communicator& comm, std::ostream& out) {
  namespace fs = std::filesystem;
  const Task& task = *mpi::agree(comm, [&] {
    const Task& t = find_task(spec.task);
    if (!t.make_log_likelihood)
      throw ConfigError(make_message("--task", "task", "one whose likelihood is known in closed form (" + reference_tasks() + ")",
                                     "'" + spec.task + "'"));
    return &t;
  }, mpi::Failure::bad_input);
  const auto prior = task.make_prior();
  const auto simulator = task.make_simulator();
  const int D = task.theta_dim;
  for (const int j : spec.observations) {
    const double t0 = MPI_Wtime();
    // θ_j from the prior and x_j at it: the same on every rank.
    const Eigen::MatrixXd theta = prior->sample(spec.seed, StreamId::reference, 0, static_cast<std::uint64_t>(j), 1);
    Eigen::MatrixXd x(task.x_dim, 1);
    std::vector<std::uint64_t> seeds{simulation_seed(spec.seed, 0, static_cast<std::uint64_t>(j))};
    std::vector<SimStatus> status(1);
    simulator->simulate(theta, seeds, x, status);
    if (status[0] != SimStatus::ok)
      throw NumericalError(make_message("reference observation " + std::to_string(j), "simulation status", "ok",
                                        to_string(status[0])));
    const Task::LogLikelihood loglik = task.make_log_likelihood(x.col(0));
    const mcmc::LogDensity potential = [&](const Eigen::Ref<const Eigen::MatrixXd>& th, Eigen::Ref<Eigen::VectorXd> o) {
      const Eigen::VectorXd lp = prior->log_prob(th);
      for (Eigen::Index c = 0; c < th.cols(); ++c) o(c) = loglik(th.col(c)) + lp(c);
    };
    mcmc::McmcOptions o;
    o.sampler = "slice";
    o.chains = spec.chains;
    o.warmup = spec.warmup;
    o.thin = spec.thin;
    o.samples = spec.samples;
    o.seed = spec.seed + static_cast<std::uint64_t>(j);
    o.init = "sir";
    const mcmc::McmcResult r = mcmc::sample_chains(potential, *prior, o, comm);
    mpi::agree_on_root(comm, [&] {
      const fs::path dir = fs::path(spec.out_dir) / task.name / ("obs" + std::to_string(j));
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) throw IoError(make_message(dir.string(), "directory", "one that can be created", ec.message()));
      write_csv((dir / "true_parameters.csv").string(), theta, numbered_names("parameter", D));
      write_csv((dir / "observation.csv").string(), x, numbered_names("data", task.x_dim));
      write_csv((dir / "reference_posterior_samples.csv").string(), r.theta, numbered_names("parameter", D));
      char line[256];
      std::snprintf(line, sizeof line, "%s obs%d: theta_true =", task.name.c_str(), j);
      out << line;
      for (int d = 0; d < D; ++d) out << " " << theta(d, 0);
      std::snprintf(line, sizeof line, "; %lld samples, max R-hat %.4f, min bulk ESS %.0f, %.1f s",
                    static_cast<long long>(r.theta.cols()), r.max_rhat, r.min_ess_bulk, MPI_Wtime() - t0);
      out << line << "\n" << std::flush;
    });
  }
}

}  // namespace nsbi::bench
