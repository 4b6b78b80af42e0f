// libFuzzer harness: read_csv and load_observation_file (engine/io/csv.cpp,
// engine/config/run_config.cpp) on arbitrary file contents. A bad file must end in one
// nsbi::Error naming it; a file that reads must give a table whose header (if any) names every
// column, and an observation that loads must be finite.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "nsbi/config/run_config.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/io/csv.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = nsbi::fuzz::scratch_path(".csv");
  nsbi::fuzz::write_file(path, data, size);
  try {
    const nsbi::CsvTable table = nsbi::read_csv(path);
    nsbi::fuzz::require(table.header.empty() || table.header.size() == static_cast<std::size_t>(table.rows.cols()),
                        "header and row length differ");
  } catch (const nsbi::Error&) {
  }
  try {
    const nsbi::Observation obs = nsbi::load_observation_file(path, 0);
    nsbi::fuzz::require(obs.x_o.allFinite(), "an observation with a non-finite value loaded");
  } catch (const nsbi::Error&) {
  }
  return 0;
}
