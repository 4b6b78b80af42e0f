#pragma once
// The posterior estimate p̂(θ | x) a method builds after each round (DESIGN.md §4): samples at an
// observation (collective: direct sampling or MCMC spread over ranks) and the log density at an
// observation (local). NPE's flows (DirectPosterior), SNPE-A's corrected mixture and the MCMC
// posteriors of NLE/NRE implement it.
#include <Eigen/Core>
#include <cstdint>
#include <string>

#include "nsbi/inference/posterior_sampler.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi {

struct PosteriorSampleOptions {
  std::int64_t samples = 10000;
  std::int64_t max_draws = 10'000'000;
  std::uint64_t seed = 1;
  std::uint32_t round = 0;
  /// Direct (rejection) sampling: draws per block, the unit of work spread over ranks; the
  /// samples depend on it. MCMC posteriors ignore it.
  std::int64_t block = 2000;
};

class Posterior {
 public:
  virtual ~Posterior() = default;
  virtual int dim() const = 0;
  virtual std::string describe() const = 0;
  /// n samples θ ~ p̂(θ | x) inside the prior's support (D×n, identical on every rank and at
  /// every rank count); collective over comm.
  virtual PosteriorSamples sample(const Eigen::VectorXd& x, const PosteriorSampleOptions& options,
                                  const mpi::Communicator& comm) const = 0;
  /// log p̂(θ | x) for each column of θ (D×N) → N, up to a constant that does not depend on θ
  /// (the mass a bounded prior's support cuts away); −inf outside the support.
  virtual Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta, const Eigen::VectorXd& x) const = 0;
};

}  // namespace nsbi
