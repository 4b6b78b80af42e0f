#pragma once
// One chunk through a simulator, with the farm's failure rules. Workers and a single-process
// rank 0 both call this, so the bank is built the same way at any rank count.
#include <cstdint>

#include "nsbi/farm/chunk_messages.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi::farm {

/// Simulates every column of `chunk`; column j runs with simulation_seed(seed, round, first + j).
/// - crashed and timeout are retried with the same seed, up to max_retries more calls;
/// - an ok column with a non-finite value becomes non_finite (not retried, like error);
/// - x is NaN in every column whose final status is not ok.
/// Exceptions thrown by the simulator propagate: they are not a status but the end of the job.
ChunkResult simulate_chunk(Simulator& simulator, const WorkChunk& chunk, std::uint64_t seed, std::uint32_t round,
                           int max_retries);

}  // namespace nsbi::farm
