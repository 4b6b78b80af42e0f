#pragma once
// Counter-based random streams (DESIGN.md §3, rule 1).
//
// Every random number in nsbi is Philox4x32-10 (Random123) evaluated at a counter that names the
// draw: key = the 64-bit run seed, counter = (draw block, index bits 0-31, round (16 bits) |
// index bits 32-47, stream). A stream is the
// sequence of draws for one (seed, stream, round, index); simulation i of round r therefore sees
// the same numbers whichever rank runs it, and a resumed run sees the same numbers again.
#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace nsbi {

/// Purpose of a stream: the last counter word. New purposes are appended, never renumbered.
enum class StreamId : std::uint32_t {
  proposal = 1,        // θ draws of a round (index = simulation index)
  simulation = 2,      // seed handed to simulation i (index = simulation index)
  training = 3,        // minibatch shuffles (index = epoch)
  initialization = 4,  // network weights (index = parameter block)
  posterior = 5,       // posterior samples (index = sample block)
  validation_split = 6,
  mcmc = 7,            // index = chain
  diagnostics = 8,     // C2ST folds and classifier
  resample = 9,        // replacement θ for failed simulations
  normalizer = 10,     // draws that estimate a restricted proposal's normalising constant
  atoms = 11,          // contrasting atoms of a minibatch (index = key of (epoch, step))
  truncation = 12,     // draws that locate a truncated proposal's region
  mcmc_init = 13,      // MCMC initial positions: SIR candidates and their resampling, prior draws
  sbc = 14,            // SBC: round 0 θ of test i, 1 test i's posterior seed, 2 TARP reference of test i, 3 the simulation seed
  ppc = 15,            // posterior predictive check: the simulation seed
  reference = 16,      // nsbi bench reference: θ_j of observation j (index = j)
};

class RandomStream {
 public:
  using Philox = r123::Philox4x32;

  RandomStream(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t index)
      : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
        ctr_{{0, static_cast<std::uint32_t>(index),
              (round & 0xFFFFu) | (static_cast<std::uint32_t>(index >> 32) << 16),
              static_cast<std::uint32_t>(stream)}} {}

  /// Next 32 random bits.
  std::uint32_t next_u32() {
    if (pos_ == 4) refill();
    return block_[pos_++];
  }
  std::uint64_t next_u64() {
    const std::uint64_t lo = next_u32();
    return lo | (static_cast<std::uint64_t>(next_u32()) << 32);
  }
  /// Uniform on the open interval (0, 1), 53 random bits.
  double uniform() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Standard normal by Box–Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * std::numbers::pi * u2);
  }
  /// Uniform integer in [0, n) without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t n) {
    if (n <= 1) return 0;
    for (;;) {
      const std::uint64_t x = next_u64();
      const unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
      const std::uint64_t l = static_cast<std::uint64_t>(m);
      if (l >= n || l >= (-n) % n) return static_cast<std::uint64_t>(m >> 64);
    }
  }

  /// Number of Philox blocks consumed so far (for checkpoints and tests).
  std::uint32_t blocks_used() const { return ctr_[0]; }

 private:
  void refill() {
    Philox::ctr_type c{{ctr_[0], ctr_[1], ctr_[2], ctr_[3]}};
    Philox::key_type k{{key_[0], key_[1]}};
    const auto r = Philox()(c, k);
    for (int i = 0; i < 4; ++i) block_[i] = r[i];
    ++ctr_[0];
    pos_ = 0;
  }

  std::array<std::uint32_t, 2> key_;
  std::array<std::uint32_t, 4> ctr_;
  std::array<std::uint32_t, 4> block_{};
  int pos_ = 4;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

/// The 64-bit seed handed to simulation `index` of `round` (builtin, external and plugin
/// simulators all receive it): the first two words of its own Philox stream.
inline std::uint64_t simulation_seed(std::uint64_t run_seed, std::uint32_t round, std::uint64_t index) {
  return RandomStream(run_seed, StreamId::simulation, round, index).next_u64();
}

}  // namespace nsbi
