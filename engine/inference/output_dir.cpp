#include "nsbi/inference/output_dir.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "nsbi/core/error.hpp"

namespace nsbi {

void prepare_output_dir(const RunConfig& config, Log& log) {
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
  if (finished && !config.output.overwrite)
    throw ConfigError(make_message("output.dir", "directory", "one without a finished run (or output.overwrite = true)",
                                   quoted(dir) + " holding report.json"));
  fs::create_directories(dir, ec);
  if (ec) fail("one that can be created", ec.message());
  fs::remove(dir / "log.txt", ec);
  if (ec) fail("one where log.txt can be replaced", ec.message());
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
