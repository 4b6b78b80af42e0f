#pragma once
// The text protocol between nsbi and an external simulator (examples/simulators/README.md).
//
// Request, one line per simulation, written by nsbi to the child's stdin:
//   <seed> <theta_1> ... <theta_D>\n
// seed as an unsigned decimal integer, each θ_i as printf("%.17g") in the "C" locale (17 significant
// digits: strtod / float() of the text gives back the same double, bit for bit).
// Answer, one line per request, written by the child to its stdout:
//   <x_1> ... <x_K>\n
// numbers separated by any run of spaces, tabs and commas; "nan", "inf", "-inf" are accepted.
// Per-call mode uses the same number format for the {output} file (newlines count as separators).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nsbi {

/// Replaces `line` by the request for one simulation, including the final '\n'. Keeps the capacity
/// of `line`, so a reused string does not allocate after the first call.
void encode_request(std::uint64_t seed, std::span<const double> theta, std::string& line);

/// Appends the values of `values` as "%.17g" separated by `separator` (no newline) to `out`.
void append_values(std::span<const double> values, char separator, std::string& out);

/// Parses exactly x.size() numbers from `text` into x. Returns true on success; otherwise false
/// and `why` says what was wrong ("expected 2 values, got 3", "'abc' is not a number"). Values
/// out of double range become ±inf / 0 as strtod gives them. Does not allocate on success.
bool decode_values(std::string_view text, std::span<double> x, std::string& why);

}  // namespace nsbi
