// The external simulator text protocol: %.17g requests, from_chars answers.
#include "nsbi/simulator/external_protocol.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

namespace nsbi {
namespace {

// Longest %.17g output: sign, 17 digits, point, "e-308" = 24 characters.
constexpr std::size_t kMaxDoubleChars = 32;
constexpr std::size_t kMaxSeedChars = 20;

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// std::to_chars with a precision behaves as printf("%.17g") in the "C" locale, whatever the
// process locale is (snprintf would follow LC_NUMERIC).
char* put_double(char* p, char* end, double v) {
  return std::to_chars(p, end, v, std::chars_format::general, 17).ptr;
}

std::string quoted_token(std::string_view text, std::size_t begin) {
  std::size_t end = begin;
  while (end < text.size() && !is_separator(text[end]) && end - begin < 40) ++end;
  std::string quoted(1, '\'');
  quoted.append(text.substr(begin, end - begin));
  quoted.push_back('\'');
  return quoted;
}

}  // namespace

void encode_request(std::uint64_t seed, std::span<const double> theta, std::string& line) {
  line.resize(kMaxSeedChars + 2 + theta.size() * (kMaxDoubleChars + 1));
  char* p = line.data();
  char* const end = line.data() + line.size();
  p = std::to_chars(p, end, seed).ptr;
  for (const double t : theta) {
    *p++ = ' ';
    p = put_double(p, end, t);
  }
  *p++ = '\n';
  line.resize(static_cast<std::size_t>(p - line.data()));
}

void append_values(std::span<const double> values, char separator, std::string& out) {
  char buf[kMaxDoubleChars];
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(separator);
    out.append(buf, put_double(buf, buf + sizeof buf, values[i]));
  }
}

bool decode_values(std::string_view text, std::span<double> x, std::string& why) {
  const char* p = text.data();
  const char* const end = text.data() + text.size();
  std::size_t count = 0;
  for (;;) {
    while (p < end && is_separator(*p)) ++p;
    if (p == end) break;
    const char* start = p;
    if (*p == '+' && p + 1 < end && p[1] != '-') ++p;  // from_chars rejects a leading '+'; printf("%+g") writes it
    double v = 0.0;
    auto [q, ec] = std::from_chars(p, end, v);
    if (ec == std::errc::result_out_of_range) {
      // Overflow or underflow: strtod gives ±HUGE_VAL (→ non_finite) or the nearest tiny value.
      std::string token(p, static_cast<std::size_t>(q - p));
      v = std::strtod(token.c_str(), nullptr);
    } else if (ec != std::errc() || (q < end && !is_separator(*q))) {
      why = quoted_token(text, static_cast<std::size_t>(start - text.data())) + " is not a number";
      return false;
    }
    if (count < x.size()) x[count] = v;
    ++count;
    p = q;
  }
  if (count != x.size()) {
    why = "expected " + std::to_string(x.size()) + " values, got " + std::to_string(count);
    return false;
  }
  return true;
}

}  // namespace nsbi
