// libFuzzer harness: decode_values, the parser of an external simulator's answer line
// (workers/external/external_protocol.cpp). The first byte picks how many values the line must
// hold (0..15), the rest is the line. It must either fill x or say why not, never read outside
// the text; an answer it accepts must survive the round trip through append_values (what nsbi
// writes for per-call simulators) with the same doubles.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "nsbi/simulator/external_protocol.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t n = data[0] % 16;
  // A copy of exactly the line's bytes, so ASan sees any read past its end.
  const std::vector<char> line(data + 1, data + size);
  std::vector<double> x(n);
  std::string why;
  if (!nsbi::decode_values(std::string_view(line.data(), line.size()), x, why)) {
    nsbi::fuzz::require(!why.empty(), "a rejected answer without a reason");
    return 0;
  }
  std::string text;
  nsbi::append_values(x, ' ', text);
  std::vector<double> again(n);
  nsbi::fuzz::require(nsbi::decode_values(text, again, why), "append_values output is not a valid answer");
  for (std::size_t i = 0; i < n; ++i) {
    const bool same = (std::isnan(x[i]) && std::isnan(again[i])) || std::memcmp(&x[i], &again[i], sizeof(double)) == 0;
    nsbi::fuzz::require(same, "a value changed through append_values -> decode_values");
  }
  return 0;
}
