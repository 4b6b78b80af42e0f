#pragma once
// Pieces of a run directory's outputs shared by `nsbi run`, `nsbi sample` and `nsbi sbc`.
#include <cstdint>
#include <functional>
#include <string>

#include "nsbi/config/run_config.hpp"
#include "nsbi/core/log.hpp"
#include "nsbi/inference/posterior_sampler.hpp"
#include "nsbi/io/json_writer.hpp"

namespace nsbi {

/// Writes `text` to `path`; IoError naming it when it cannot be written.
void write_text(const std::string& path, const std::string& text);
/// The shortest decimal that reads back as `v` (std::to_chars): 0.05, 0.123, 1e-07.
std::string shortest_decimal(double v);
/// "1.23 s".
std::string format_seconds(double seconds);
/// Writes the JSON report of a command on a finished run (`sample`, `sbc`, `ppc`) to `path`: the
/// members every such report starts with (nsbi_version, git, command, run_dir, task, method,
/// estimator, seed, ranks), then those `body` writes. IoError when it cannot be written.
void write_command_report(const std::string& path, const std::string& command, const std::string& run_dir,
                          const RunConfig& config, std::uint64_t seed, int ranks,
                          const std::function<void(JsonWriter&)>& body);
/// The "posterior" member of report.json: samples, draws, acceptance, truncation and, for MCMC,
/// the chains' settings, R̂, ESS and timings.
void write_posterior(JsonWriter& j, const RunConfig& config, const PosteriorSamples& post);
/// A warning when a minibatch (of the last round's train_examples) has fewer micro-shards than
/// there are ranks: the others wait at every step.
void log_training_diagnostics(Log& log, const RunConfig& config, std::int64_t train_examples, int ranks);
/// The log lines a sampled posterior deserves: MCMC diagnostics and warnings (R̂, idle ranks), or
/// a warning when little of a direct posterior's mass falls inside the prior's support.
void log_posterior_diagnostics(Log& log, const RunConfig& config, const PosteriorSamples& post, int ranks);

}  // namespace nsbi
