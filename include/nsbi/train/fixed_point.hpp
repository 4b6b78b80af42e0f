#pragma once
// Exact, order-independent summation through int64 fixed point (DESIGN.md §3, rule 3).
//
// Given a bound 2^e on every |value| and the number of terms T that can be summed, every value v
// is mapped to the integer v · 2^E (rounded toward zero) with E = 62 − e − ⌈log2 T⌉, so that no
// partial sum of T terms can overflow int64. Integer addition is associative and commutative,
// hence the sum of the integers does not depend on the order or grouping of the terms — in
// particular not on the number of ranks — and converting back gives the true sum with an absolute
// error below T · 2^−E. The bound e may come from a max-allreduce of the values (the tightest) or
// be predicted (ExactAllreduce::sum_scaled): any e that every value respects gives an exact,
// order-independent sum; a looser e only costs bits of precision.
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <span>

namespace nsbi::train {

/// The e of frexp (max_abs < 2^e) for a finite max_abs > 0; −1000 for 0 (any scale works);
/// INT_MAX for inf or NaN (no bound holds).
int magnitude_exponent(double max_abs);

/// The scale exponent E for values with |v| < 2^e, summed over at most max_terms terms; clamped to
/// ±1000 so that 2^±E stays a normal double (tiny values then lose bits, none overflow).
int fixed_point_exponent_for_bound(int e, std::int64_t max_terms);

/// The scale exponent E for values with |v| ≤ max_abs (finite), summed over at most max_terms terms.
inline int fixed_point_exponent(double max_abs, std::int64_t max_terms) {
  return fixed_point_exponent_for_bound(std::isfinite(max_abs) ? magnitude_exponent(max_abs) : 0, max_terms);
}

/// v · 2^E rounded toward zero (a plain conversion, which vectorises; any fixed rounding rule keeps
/// the sum order-independent). |E| ≤ 1000 (fixed_point_exponent clamps it), so 2^±E is a normal
/// double and multiplying by it is exact: no ldexp call in the hot loop.
inline std::int64_t to_fixed(double v, int exponent) { return static_cast<std::int64_t>(v * std::ldexp(1.0, exponent)); }
inline double from_fixed(std::int64_t q, int exponent) { return static_cast<double>(q) * std::ldexp(1.0, -exponent); }

/// acc[i] += to_fixed(values[i]). The float → double product is exact and the loop has no
/// reduction, so it vectorises (vcvttpd2qq with AVX-512DQ).
template <typename T>
void accumulate_fixed(std::span<const T> values, int exponent, std::span<std::int64_t> acc) {
  const double scale = std::ldexp(1.0, exponent);
  for (std::size_t i = 0; i < values.size(); ++i) acc[i] += static_cast<std::int64_t>(static_cast<double>(values[i]) * scale);
}

/// The bit pattern of |v|: for floats these order like the magnitudes, and anything ≥ 0x7f800000
/// is inf or NaN, so an integer max (which vectorises without -ffast-math) finds max |v| and
/// detects non-finite values at once.
inline std::uint32_t abs_bits(float v) { return std::bit_cast<std::uint32_t>(v) & 0x7fffffffu; }
/// magnitude_exponent of the float whose |v| has bit pattern `bits`.
int magnitude_exponent_of_bits(std::uint32_t bits);
/// The largest float ≤ 2^e (0 below the float range, the largest float above it).
float float_bound(int e);

/// One pass over a float shard that both converts and checks it: acc[i] = (store) or += to_fixed(v)
/// for every v, clamped first to ±bound so that a shard that breaks the bound cannot overflow int64
/// (the caller then discards the sum); returns max abs_bits(v) over the shard.
std::uint32_t accumulate_fixed_checked(std::span<const float> values, float bound, int exponent,
                                       std::span<std::int64_t> acc, bool store);

}  // namespace nsbi::train
