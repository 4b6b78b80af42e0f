#pragma once
// The simulation farm (DESIGN.md §1, §3, §5): rank 0 hands chunks of consecutive simulation
// indices to the worker ranks that ask for them and collects the results in index order.
#include <Eigen/Core>
#include <cstdint>
#include <functional>

#include "nsbi/farm/farm_options.hpp"
#include "nsbi/farm/simulation_bank.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi {

/// Draws the θ of replacement k = 0, 1, ... (length theta_dim); called on rank 0 only, in order of k.
using ReplacementDraw = std::function<Eigen::VectorXd(std::uint64_t k)>;

/// Runs one round of simulations. Collective over `comm`; every rank passes its own simulator
/// (constructed on that rank) and the same options.
///
/// Rank 0 passes the round's θ (theta_dim×n, drawn by the caller) and, for on_failure = resample,
/// `draw_replacement`; workers pass an empty θ and may pass an empty function. Simulation i runs
/// with simulation_seed(options.seed, options.round, i) on whichever rank; replacement k is
/// simulation n + k with θ = draw_replacement(k). With one rank, rank 0 simulates the chunks
/// itself; with more, rank 0 only coordinates.
///
/// Returns the bank on rank 0 (identical bytes at any rank count for a deterministic simulator)
/// and an empty bank on the workers:
/// - drop: n columns, failed ones kept with their status;
/// - resample: indices [0, M), M the first index count with n ok simulations, or
///   floor(max_resample_factor·n) when the budget cannot be met (then fewer than n are ok);
/// - abort: throws SimulatorError on every rank at the first failure.
/// When any rank throws (its simulator, a bad dimension, abort), every rank throws: rank 0 the
/// error (prefixed with the failing rank), the failing worker its own exception, the other
/// workers rank 0's error. No rank is left waiting.
SimulationBank run_simulations(const mpi::Communicator& comm, Simulator& simulator, const Eigen::MatrixXd& theta,
                               const ReplacementDraw& draw_replacement, const FarmOptions& options);

}  // namespace nsbi
