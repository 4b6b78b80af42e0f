#pragma once
// The run directory, made ready before any simulation is paid for (rank 0 only; see run.hpp for
// what it holds).
#include "nsbi/config/run_config.hpp"
#include "nsbi/core/log.hpp"

#include <optional>
#include <string>

namespace nsbi {

/// Makes config.output.dir ready for a run: refuses one that holds a finished run (report.json)
/// unless `overwrite` or output.overwrite, creates it, starts log.txt afresh (`log` writes to it from now on) and
/// writes config.toml. Throws ConfigError (a finished run is there) or IoError (the directory or
/// a file in it cannot be created or written), both naming output.dir and the path.
///
/// A directory holding an interrupted run (journal.bin without report.json) is refused unless
/// `overwrite` or output.overwrite (start afresh), or `resume`. With `resume` the directory must hold a run whose
/// configuration equals `config` in every key but output.*; a difference is a ConfigError naming
/// the first differing key. log.txt is then appended to, not replaced.
void prepare_output_dir(const RunConfig& config, Log& log, bool resume = false, bool overwrite = false);

/// The configuration as TOML without the keys that may change between an interrupted run and its
/// resumption (output.*): equal texts mean the same run. Its fingerprint keys the journal.
std::string run_identity_toml(const RunConfig& config);

/// The first key ("table.key") whose line differs between two to_toml texts, with both values;
/// nullopt when they are equal.
struct KeyDifference {
  std::string key, first_value, second_value;
};
std::optional<KeyDifference> first_difference(const std::string& toml_a, const std::string& toml_b);

}  // namespace nsbi
