#pragma once
// `nsbi ppc RUN_DIR [-n 100]`: posterior predictive check of a finished run (issue 12). The first
// n of the run's posterior_samples.npy are simulated through the farm (failures dropped and
// counted) and each dimension of x is summarised against the run's observation x_o
// (nsbi/diagnostics/predictive_check.hpp). Works for every method: it needs the run's samples,
// not its estimator.
//
// Outputs in --out (default RUN_DIR/ppc/):
//   ppc.csv   header dim,x_o,mean,sd,quantile — one row per x dimension
//   ppc.json  draws, valid_draws, x_dim, quantiles, extreme_dims (quantile < 0.005 or > 0.995), seconds
//   x.npy     the predictive simulations (valid_draws×x_dim), theta.npy the θ they were made at
//   log.txt
#include <cstdint>
#include <optional>
#include <string>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi {

struct PpcRequest {
  std::string run_dir;
  std::int64_t draws = 100;
  std::string out;                    // empty: RUN_DIR/ppc
  std::optional<std::uint64_t> seed;  // empty: the run's seed
};

/// Collective over comm; the same bytes at any rank count.
void run_ppc(const PpcRequest& request, const mpi::Communicator& comm);

}  // namespace nsbi
