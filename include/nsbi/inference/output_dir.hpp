#pragma once
// The run directory, made ready before any simulation is paid for (rank 0 only; see run.hpp for
// what it holds).
#include "nsbi/config/run_config.hpp"
#include "nsbi/core/log.hpp"

namespace nsbi {

/// Makes config.output.dir ready for a run: refuses one that holds a finished run (report.json)
/// unless output.overwrite, creates it, starts log.txt afresh (`log` writes to it from now on) and
/// writes config.toml. Throws ConfigError (a finished run is there) or IoError (the directory or
/// a file in it cannot be created or written), both naming output.dir and the path.
void prepare_output_dir(const RunConfig& config, Log& log);

}  // namespace nsbi
