#include "nsbi/train/fixed_point.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace nsbi::train {

int magnitude_exponent(double max_abs) {
  if (!std::isfinite(max_abs)) return INT_MAX;
  if (max_abs == 0) return -1000;
  int e = 0;
  std::frexp(max_abs, &e);  // max_abs < 2^e
  return e;
}

int fixed_point_exponent_for_bound(int e, std::int64_t max_terms) {
  const int headroom = std::bit_width(static_cast<std::uint64_t>(max_terms > 1 ? max_terms - 1 : 1));  // ⌈log2 T⌉
  // A double bound has e within about ±1100; clamping first keeps 62 − e from overflowing int.
  if (e > 2000) e = 2000;
  if (e < -2000) e = -2000;
  int E = 62 - e - headroom;
  if (E > 1000) E = 1000;
  if (E < -1000) E = -1000;
  return E;
}

int magnitude_exponent_of_bits(std::uint32_t bits) {
  if (bits >= 0x7f800000u) return INT_MAX;
  return magnitude_exponent(static_cast<double>(std::bit_cast<float>(bits)));
}

float float_bound(int e) {
  if (e > 127) return std::numeric_limits<float>::max();
  if (e < -149) return 0.0f;
  return std::ldexp(1.0f, e);
}

namespace {
// Scale is float when 2^E is a normal float: v · 2^E is then exact in float as in double (a power of
// two; no overflow after the clamp, and a product below the normal range truncates to 0 either
// way), so both give the same integers, and the float product saves a widening per value.
template <bool store, typename Scale>
std::uint32_t convert_checked(const float* values, std::size_t n, float bound, Scale scale, std::int64_t* acc) {
  std::uint32_t m = 0;
  const float lo = -bound, hi = bound;
  for (std::size_t i = 0; i < n; ++i) {
    float v = values[i];
    const std::uint32_t b = abs_bits(v);
    m = b > m ? b : m;
    // Written so that NaN compares false and becomes lo: the cast below never sees NaN or inf.
    v = lo < v ? v : lo;
    v = v < hi ? v : hi;
    const auto q = static_cast<std::int64_t>(static_cast<Scale>(v) * scale);
    if constexpr (store) acc[i] = q;
    else acc[i] += q;
  }
  return m;
}
}  // namespace

std::uint32_t accumulate_fixed_checked(std::span<const float> values, float bound, int exponent,
                                       std::span<std::int64_t> acc, bool store) {
  const std::size_t n = values.size();
  if (exponent >= -126 && exponent <= 127) {
    const float scale = std::ldexp(1.0f, exponent);
    return store ? convert_checked<true>(values.data(), n, bound, scale, acc.data())
                 : convert_checked<false>(values.data(), n, bound, scale, acc.data());
  }
  const double scale = std::ldexp(1.0, exponent);
  return store ? convert_checked<true>(values.data(), n, bound, scale, acc.data())
               : convert_checked<false>(values.data(), n, bound, scale, acc.data());
}

}  // namespace nsbi::train
