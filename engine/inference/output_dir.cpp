#include "nsbi/inference/output_dir.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "nsbi/core/error.hpp"

namespace nsbi {

std::string run_identity_toml(const RunConfig& config) {
  RunConfig c = config;
  c.output = OutputConfig{};
  c.checkpoint = CheckpointConfig{};
  return to_toml(c);
}

std::optional<KeyDifference> first_difference(const std::string& a, const std::string& b) {
  std::istringstream ia(a), ib(b);
  std::string la, lb, table;
  const auto key_value = [](const std::string& line) {
    const auto eq = line.find(" = ");
    return eq == std::string::npos ? std::pair<std::string, std::string>{line, ""}
                                   : std::pair<std::string, std::string>{line.substr(0, eq), line.substr(eq + 3)};
  };
  while (true) {
    const bool ga = static_cast<bool>(std::getline(ia, la)), gb = static_cast<bool>(std::getline(ib, lb));
    if (!ga && !gb) return std::nullopt;
    if (ga && gb && la == lb) {
      if (!la.empty() && la.front() == '[') table = la.substr(1, la.find(']') - 1);
      continue;
    }
    const auto [ka, va] = key_value(ga ? la : "");
    const auto [kb, vb] = key_value(gb ? lb : "");
    const std::string& k = ga && !ka.empty() && ka.front() != '[' ? ka : kb;
    if (!k.empty() && k.front() == '[') return KeyDifference{"[" + table + "] table contents", ga ? la : "", gb ? lb : ""};
    return KeyDifference{table.empty() ? k : table + "." + k, ka == k ? va : "(absent)", kb == k ? vb : "(absent)"};
  }
}

void prepare_output_dir(const RunConfig& config, Log& log, bool resume, bool overwrite) {
  namespace fs = std::filesystem;
  const fs::path dir = config.output.dir;
  const auto quoted = [](const fs::path& p) { return std::string(1, '"').append(p.string()).append(1, '"'); };
  // "output.dir: directory expected <expected>, got "<path>" (<why>)"
  const auto fail = [&](const std::string& expected, const std::string& why) {
    throw IoError(make_message("output.dir", "directory", expected, quoted(dir) + " (" + why + ")"));
  };
  std::error_code ec;
  const bool finished = fs::exists(dir / "report.json", ec);
  if (ec) fail("one that can be read", ec.message());
  const bool interrupted = !finished && fs::exists(dir / "journal.bin", ec);
  const bool may_replace = overwrite || config.output.overwrite;
  if (resume) {
    if (!fs::exists(dir / "config.toml", ec))
      throw ConfigError(make_message("--resume", "output.dir", "a directory holding a run (config.toml)",
                                     quoted(dir) + " without one"));
    const RunConfig stored = load_run_config((dir / "config.toml").string());
    if (const auto d = first_difference(run_identity_toml(stored), run_identity_toml(config)))
      throw ConfigError(make_message("--resume", "configuration key " + d->key,
                                     d->first_value + " (as the run in " + quoted(dir) + ")", d->second_value));
  } else if (finished && !may_replace) {
    throw ConfigError(make_message("output.dir", "directory",
                                   "one without a finished run (replace it with --overwrite or output.overwrite = true)",
                                   quoted(dir) + " holding report.json"));
  } else if (interrupted && !may_replace) {
    throw ConfigError(make_message("output.dir", "directory", "one without an interrupted run (resume it with --resume, "
                                   "or discard it with --overwrite)", quoted(dir) + " holding journal.bin"));
  }
  fs::create_directories(dir, ec);
  if (ec) fail("one that can be created", ec.message());
  if (!resume) {
    fs::remove(dir / "log.txt", ec);
    if (ec) fail("one where log.txt can be replaced", ec.message());
    // A replaced run's checkpoints are not this run's.
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("checkpoint-", 0) == 0 || name == "checkpoint.tmp") fs::remove(entry.path(), ec);
    }
    if (ec) fail("one where old checkpoints can be removed", ec.message());
  }
  try {
    log.open_file((dir / "log.txt").string());
  } catch (const IoError&) {
    fail("a writable one", "log.txt cannot be opened for writing");
  }
  std::ofstream toml(dir / "config.toml");
  toml << to_toml(config);
  if (!toml.flush()) fail("a writable one", "config.toml cannot be written");
}

}  // namespace nsbi
