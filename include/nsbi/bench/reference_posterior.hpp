#pragma once
// Reference posteriors for builtin tasks whose likelihood is known in closed form (Task::
// make_log_likelihood: gaussian_linear, gaussian_linear_uniform and the gaussian_random_field
// demonstrator of issue 13), in sbibm's layout so that `nsbi bench sbibm --sbibm DIR` and
// `nsbi c2st` take them as they take sbibm's:
//   DIR/<task>/obs<j>/true_parameters.csv     θ_j drawn from the prior (header parameter_1, …)
//   DIR/<task>/obs<j>/observation.csv         x_j simulated at θ_j (header data_1, …)
//   DIR/<task>/obs<j>/reference_posterior_samples.csv   `samples` draws of p(θ | x_j) by
//       parallel-chain slice sampling on log p(x_j | θ) + log p(θ) (the run's MCMC, long chains)
// Everything is a function of the seed and j: the same files at any rank count.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi::bench {

struct ReferenceSpec {
  std::string task;
  std::vector<int> observations;
  std::string out_dir;
  std::int64_t samples = 10000;
  std::uint64_t seed = 1;
  int chains = 100, warmup = 500, thin = 50;  // R̂ ≤ 1.005 on gaussian_random_field (log A and n correlate at 0.93)
};

/// The builtin tasks whose likelihood is known (Task::make_log_likelihood), comma-separated.
std::string reference_tasks();

/// Collective over comm (the chains spread over the ranks); rank 0 writes and prints one line per
/// observation (θ_j, R̂, bulk ESS, seconds). ConfigError for a task without a known likelihood.
void make_reference_posteriors(const ReferenceSpec& spec, const mpi::Communicator& comm, std::ostream& out);

}  // namespace nsbi::bench
