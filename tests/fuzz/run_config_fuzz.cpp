// libFuzzer harness: parse_run_config on arbitrary TOML text. A bad input must end in one
// nsbi::Error (any other exception escapes and counts as a crash); a config that loads must come
// back identical through to_toml (run_config.hpp promises that round trip).
#include <cstddef>
#include <cstdint>
#include <string>

#include "nsbi/config/run_config.hpp"
#include "nsbi/core/error.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nsbi::RunConfig config;
  try {
    config = nsbi::parse_run_config(text, "fuzz.toml");
  } catch (const nsbi::Error&) {
    return 0;
  }
  const std::string resolved = nsbi::to_toml(config);
  std::string again;
  try {
    again = nsbi::to_toml(nsbi::parse_run_config(resolved, "fuzz.toml"));
  } catch (const nsbi::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    nsbi::fuzz::require(false, "to_toml of a valid config does not load");
  }
  nsbi::fuzz::require(again == resolved, "to_toml -> parse_run_config -> to_toml changes the config");
  try {
    (void)nsbi::make_prior(config);
  } catch (const nsbi::Error&) {
  }
  return 0;
}
