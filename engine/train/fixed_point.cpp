#include "nsbi/train/fixed_point.hpp"

#include <bit>

namespace nsbi::train {

int fixed_point_exponent(double max_abs, std::int64_t max_terms) {
  int e = 0;
  if (max_abs > 0 && std::isfinite(max_abs)) std::frexp(max_abs, &e);  // max_abs < 2^e
  else if (max_abs == 0) e = -1000;                                       // all zero: any scale works
  const int headroom = std::bit_width(static_cast<std::uint64_t>(max_terms > 1 ? max_terms - 1 : 1));  // ⌈log2 T⌉
  int E = 62 - e - headroom;
  // Keep ldexp in range for tiny or zero maxima (values then convert to 0 or exactly).
  if (E > 1000) E = 1000;
  if (E < -1000) E = -1000;
  return E;
}

}  // namespace nsbi::train
