#include "nsbi/farm/progress_meter.hpp"

#include <unistd.h>

#include <cmath>
#include <utility>

namespace nsbi::farm {

std::string format_duration(double seconds) {
  char buf[48];
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else if (seconds < 3600) {
    const long s = std::lround(seconds);
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    const long m = std::lround(seconds / 60);
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", m / 60, m % 60);
  }
  return buf;
}

std::string format_progress(const std::string& label, const ProgressSnapshot& s) {
  char buf[128];
  const double pct = s.total ? 100.0 * double(s.done) / double(s.total) : 100.0;
  std::snprintf(buf, sizeof buf, "%s %zu/%zu (%.1f%%)", label.c_str(), s.done, s.total, pct);
  std::string line = buf;
  if (s.elapsed_seconds > 0 && s.done > 0) {
    const double rate = double(s.done) / s.elapsed_seconds;
    std::snprintf(buf, sizeof buf, rate >= 100 ? " %.0f/s" : " %.3g/s", rate);
    line += buf;
    if (s.done < s.total) line += " ETA " + format_duration(double(s.total - s.done) / rate);
  }
  std::size_t failed = 0;
  std::string detail;
  for (int k = 1; k < kNumSimStatus; ++k) {
    const std::size_t c = s.counts[static_cast<std::size_t>(k)];
    if (c == 0) continue;
    failed += c;
    if (!detail.empty()) detail += ", ";
    detail += std::string(to_string(static_cast<SimStatus>(k))) + " " + std::to_string(c);
  }
  line += " failures " + std::to_string(failed);
  if (failed) line += " (" + detail + ")";
  if (s.retries) line += " retries " + std::to_string(s.retries);
  return line;
}

ProgressMeter::Mode ProgressMeter::mode_for(bool enabled, std::FILE* out) {
  if (!enabled) return Mode::off;
  return isatty(fileno(out)) ? Mode::live : Mode::lines;
}

ProgressMeter::ProgressMeter(std::string label, Mode mode, std::FILE* out, double live_interval, double line_interval)
    : label_(std::move(label)), mode_(mode), out_(out), live_interval_(live_interval), line_interval_(line_interval) {}

void ProgressMeter::update(const ProgressSnapshot& s) {
  if (mode_ == Mode::off) return;
  const double since = s.elapsed_seconds - last_written_;
  if (mode_ == Mode::live) {
    if (since >= live_interval_) write(s, false);
    return;
  }
  // Every 10% or every line_interval, but never more than one line a second: a round that
  // finishes in milliseconds gets its final line only.
  const std::size_t decile = s.total ? 10 * s.done / s.total : 0;
  if (since >= line_interval_ || (decile > last_decile_ && since >= 1.0)) write(s, false);
}

void ProgressMeter::finish(const ProgressSnapshot& s) {
  if (mode_ == Mode::off) return;
  // A log already holding this very line (the last 10% step) does not get it twice.
  if (mode_ == Mode::lines && written_ && last_done_ == s.done && last_total_ == s.total) return;
  write(s, true);
}

void ProgressMeter::write(const ProgressSnapshot& s, bool final_line) {
  const std::string line = format_progress(label_, s);
  if (mode_ == Mode::live) {
    // Pad over the rest of a longer previous line; the terminal keeps one line for the round.
    const std::size_t pad = last_width_ > line.size() ? last_width_ - line.size() : 0;
    std::fprintf(out_, "\r%s%*s%s", line.c_str(), static_cast<int>(pad), "", final_line ? "\n" : "");
    last_width_ = line.size();
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
  last_written_ = s.elapsed_seconds;
  written_ = true;
  last_done_ = s.done;
  last_total_ = s.total;
  last_decile_ = s.total ? 10 * s.done / s.total : 0;
}

}  // namespace nsbi::farm
