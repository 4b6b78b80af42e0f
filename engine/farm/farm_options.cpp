#include "nsbi/farm/farm_options.hpp"

#include <cmath>

#include "nsbi/core/error.hpp"

namespace nsbi {

void FarmOptions::validate() const {
  const std::string where = "simulation farm options";
  if (sim.max_retries < 0)
    throw ConfigError(make_message(where, "simulator.max_retries", ">= 0", std::to_string(sim.max_retries)));
  if (!(sim.max_resample_factor >= 1.0) || !std::isfinite(sim.max_resample_factor))
    throw ConfigError(make_message(where, "simulator.max_resample_factor", "a finite number >= 1",
                                   std::to_string(sim.max_resample_factor)));
  if (sim.chunk_size < 0)
    throw ConfigError(
        make_message(where, "simulator.chunk_size", ">= 0 (0 = automatic)", std::to_string(sim.chunk_size)));
  if (!(target_chunk_seconds > 0.0))
    throw ConfigError(make_message(where, "target_chunk_seconds", "> 0", std::to_string(target_chunk_seconds)));
}

}  // namespace nsbi
