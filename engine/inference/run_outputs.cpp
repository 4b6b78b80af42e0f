#include "nsbi/inference/run_outputs.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "nsbi/core/error.hpp"
#include "nsbi/train/trainer.hpp"
#include "nsbi/version.hpp"

namespace nsbi {

namespace {

void write_mcmc(JsonWriter& j, const RunConfig& cfg, const mcmc::McmcResult& m) {
  j.key("mcmc").begin_object();
  j.field("sampler", cfg.mcmc.sampler).field("init", cfg.mcmc.init).field("chains", m.chains);
  j.field("warmup", cfg.mcmc.warmup).field("thin", cfg.mcmc.thin).field("group_size", cfg.mcmc.group_size);
  j.field("draws_per_chain", m.draws_per_chain);
  j.key("rhat").value(std::span<const double>(m.rhat));
  j.key("ess_bulk").value(std::span<const double>(m.ess_bulk));
  j.key("ess_tail").value(std::span<const double>(m.ess_tail));
  j.field("max_rhat", m.max_rhat).field("min_ess_bulk", m.min_ess_bulk).field("min_ess_tail", m.min_ess_tail);
  if (cfg.mcmc.sampler == "mh") j.field("acceptance", m.acceptance);
  if (cfg.mcmc.sampler == "slice") j.field("expansions_per_update", m.expansions_per_update);
  j.field("evaluations", m.evaluations).field("evaluations_per_step", m.evaluations_per_step);
  if (std::isfinite(m.log_normalizer)) j.field("log_normalizer", m.log_normalizer).field("init_ess", m.init_ess);
  j.key("seconds_rank0").begin_object();
  j.field("total", m.seconds).field("potential", m.density_seconds).field("sampler", m.seconds - m.density_seconds);
  j.field("initialisation", m.init_seconds).end_object();
  j.end_object();
}

}  // namespace

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw IoError(path + ": cannot open for writing");
  f << text;
  if (!f) throw IoError(path + ": write failed");
}

std::string shortest_decimal(double v) {
  char b[32];
  const auto r = std::to_chars(b, b + sizeof b, v);
  return std::string(b, r.ptr);
}

std::string format_seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f s", s);
  return b;
}

void write_command_report(const std::string& path, const std::string& command, const std::string& run_dir,
                          const RunConfig& cfg, std::uint64_t seed, int ranks,
                          const std::function<void(JsonWriter&)>& body) {
  std::ostringstream text;
  JsonWriter j(text);
  j.begin_object();
  j.field("nsbi_version", kVersion).field("git", kGitHash).field("command", command).field("run_dir", run_dir);
  j.field("task", cfg.task.name).field("method", cfg.inference.method).field("estimator", cfg.inference.estimator);
  j.field("seed", seed).field("ranks", ranks);
  body(j);
  j.end_object();
  text << "\n";
  write_text(path, text.str());
}

void write_posterior(JsonWriter& j, const RunConfig& cfg, const PosteriorSamples& post) {
  j.key("posterior").begin_object();
  j.field("samples", post.theta.cols()).field("draws", post.draws);
  j.field("acceptance", post.acceptance).field("truncated", post.truncated);
  if (post.mcmc) write_mcmc(j, cfg, *post.mcmc);
  j.end_object();
}

void log_training_diagnostics(Log& log, const RunConfig& cfg, std::int64_t train_examples, int ranks) {
  // The micro-shards are the unit of data-parallel training (the arithmetic, and so the result,
  // does not depend on the ranks).
  const int shards = train::minibatch_shape(cfg.training.batch_size, cfg.training.micro_batch, train_examples).shards;
  if (shards < ranks)
    log.warn("training: a minibatch of training.batch_size = " + std::to_string(cfg.training.batch_size) + " is " +
             std::to_string(shards) + " micro-shard(s) of training.micro_batch = " +
             std::to_string(cfg.training.micro_batch) + " for " + std::to_string(ranks) + " ranks: " +
             std::to_string(ranks - shards) +
             " rank(s) sat idle in every step; raise training.batch_size or lower training.micro_batch");
}

void log_posterior_diagnostics(Log& log, const RunConfig& cfg, const PosteriorSamples& post, int ranks) {
  if (post.mcmc) {
    const mcmc::McmcResult& m = *post.mcmc;
    log.info("mcmc: " + std::to_string(m.chains) + " " + cfg.mcmc.sampler + " chains × " +
             std::to_string(m.draws_per_chain) + " draws, max R̂ " + std::to_string(m.max_rhat) + ", min bulk ESS " +
             std::to_string(m.min_ess_bulk) + ", min tail ESS " + std::to_string(m.min_ess_tail) + "; " +
             format_seconds(m.density_seconds) + " of " + format_seconds(m.seconds) + " in the potential");
    const int groups = (cfg.mcmc.chains + cfg.mcmc.group_size - 1) / cfg.mcmc.group_size;
    if (groups < ranks)
      log.warn("mcmc: " + std::to_string(groups) + " chain group(s) of mcmc.group_size = " +
               std::to_string(cfg.mcmc.group_size) + " for " + std::to_string(ranks) + " ranks: " +
               std::to_string(ranks - groups) + " rank(s) sat idle; lower mcmc.group_size or raise mcmc.chains");
    if (m.max_rhat > 1.01)
      log.warn("mcmc: R̂ = " + std::to_string(m.max_rhat) +
               " > 1.01: the chains have not mixed; more mcmc.warmup or mcmc.thin, or another mcmc.sampler");
  } else if (post.acceptance < cfg.posterior.min_acceptance_warning)
    log.warn("only " + std::to_string(post.acceptance) +
             " of the posterior draws fall inside the prior's support; the estimator leaks mass outside it "
             "(more simulations or a sequential method usually help)");
}

}  // namespace nsbi
