#pragma once
// Progress of a round of simulations: done/total, rate, ETA and failures. On a terminal one live
// line is rewritten in place (\r); in a batch log a plain line is written every ~10 s or each 10%.
#include <array>
#include <cstddef>
#include <cstdio>
#include <string>

#include "nsbi/simulator/simulator.hpp"

namespace nsbi::farm {

struct ProgressSnapshot {
  std::size_t done = 0;   // simulations with a final status
  std::size_t total = 0;  // simulations the round holds now (grows when failures are resampled)
  double elapsed_seconds = 0.0;
  std::array<std::size_t, kNumSimStatus> counts{};  // final statuses of the done simulations
  std::size_t retries = 0;
};

/// "simulations 1200/5000 (24.0%) 850/s ETA 4.5s failures 3 (crashed 2, timeout 1) retries 4"
std::string format_progress(const std::string& label, const ProgressSnapshot& s);
/// "12.3s", "4m05s", "2h03m".
std::string format_duration(double seconds);

class ProgressMeter {
 public:
  enum class Mode { off, live, lines };
  /// off unless enabled; live when `out` is a terminal, lines otherwise.
  static Mode mode_for(bool enabled, std::FILE* out);

  ProgressMeter(std::string label, Mode mode, std::FILE* out = stderr, double live_interval = 0.2,
                double line_interval = 10.0);
  /// Writes when due: live every live_interval seconds; lines every line_interval seconds or
  /// when another 10% is done. Time is the snapshot's elapsed_seconds.
  void update(const ProgressSnapshot& s);
  /// The final line, ending the live line (in a log: unless the last line already says it).
  void finish(const ProgressSnapshot& s);

 private:
  void write(const ProgressSnapshot& s, bool final_line);
  std::string label_;
  Mode mode_;
  std::FILE* out_;
  double live_interval_, line_interval_;
  double last_written_ = 0.0;
  std::size_t last_decile_ = 0;
  std::size_t last_width_ = 0;
  bool written_ = false;
  std::size_t last_done_ = 0, last_total_ = 0;
};

}  // namespace nsbi::farm
