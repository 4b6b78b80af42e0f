#pragma once
// Exact, order-independent summation through int64 fixed point (DESIGN.md §3, rule 3).
//
// Given a bound 2^e on every |value| (e from frexp of the global max, agreed by a max-allreduce)
// and the number of terms T that can be summed, every value v is mapped to the integer
// round(v · 2^E) with E = 62 − e − ⌈log2 T⌉, so that no partial sum of T terms can overflow
// int64. Integer addition is associative and commutative, hence the sum of the integers does
// not depend on the order or grouping of the terms — in particular not on the number of ranks —
// and converting back gives the true sum with an absolute error of about T · 2^(e−62).
#include <cmath>
#include <cstdint>
#include <span>

namespace nsbi::train {

/// The scale exponent E for values with |v| ≤ max_abs, summed over at most max_terms terms.
int fixed_point_exponent(double max_abs, std::int64_t max_terms);

/// v · 2^E rounded toward zero (a plain conversion, which vectorises; any fixed rounding rule keeps
/// the sum order-independent). |E| ≤ 1000 (fixed_point_exponent clamps it), so 2^±E is a normal
/// double and multiplying by it is exact: no ldexp call in the hot loop.
inline std::int64_t to_fixed(double v, int exponent) { return static_cast<std::int64_t>(v * std::ldexp(1.0, exponent)); }
inline double from_fixed(std::int64_t q, int exponent) { return static_cast<double>(q) * std::ldexp(1.0, -exponent); }

/// acc[i] += to_fixed(values[i]).
template <typename T>
void accumulate_fixed(std::span<const T> values, int exponent, std::span<std::int64_t> acc) {
  const double scale = std::ldexp(1.0, exponent);
  for (std::size_t i = 0; i < values.size(); ++i) acc[i] += static_cast<std::int64_t>(static_cast<double>(values[i]) * scale);
}

}  // namespace nsbi::train
