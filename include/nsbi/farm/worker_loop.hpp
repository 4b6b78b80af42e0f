#pragma once
// The worker side of run_simulations (ranks 1..P-1).
#include "nsbi/farm/farm_channel.hpp"
#include "nsbi/farm/farm_options.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi::farm {

/// Announces `simulator` to rank 0, then simulates the chunks rank 0 sends and returns each
/// result (which asks for the next chunk) until rank 0 sends stop: then it returns. On abort it
/// acknowledges and throws: its own exception if its simulator threw (rank 0 was told with an
/// error message), otherwise the error rank 0 sent.
void worker_loop(FarmChannel& channel, Simulator& simulator, const FarmOptions& options);

}  // namespace nsbi::farm
