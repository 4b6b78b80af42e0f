#include "nsbi/farm/progress_meter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace nsbi::farm {
namespace {

// Captures what a meter writes (open_memstream: an in-memory FILE*).
class Capture {
 public:
  Capture() : f_(open_memstream(&buf_, &len_)) {}
  ~Capture() {
    std::fclose(f_);
    std::free(buf_);
  }
  std::FILE* file() { return f_; }
  std::string text() {
    std::fflush(f_);
    return std::string(buf_, len_);
  }

 private:
  char* buf_ = nullptr;
  std::size_t len_ = 0;
  std::FILE* f_;
};

ProgressSnapshot at(std::size_t done, std::size_t total, double t) {
  ProgressSnapshot s;
  s.done = done;
  s.total = total;
  s.elapsed_seconds = t;
  s.counts[0] = done;
  return s;
}

std::size_t count_of(const std::string& s, char c) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), c));
}

TEST(ProgressMeterTest, LineShowsDoneRateEtaAndFailuresByStatus) {
  ProgressSnapshot s = at(1200, 5000, 2.0);
  s.counts[static_cast<int>(SimStatus::crashed)] = 2;
  s.counts[static_cast<int>(SimStatus::timeout)] = 1;
  s.retries = 4;
  // rate 600/s, 3800 left -> 6.3 s
  EXPECT_EQ(format_progress("round 1", s),
            "round 1 1200/5000 (24.0%) 600/s ETA 6.3s failures 3 (crashed 2, timeout 1) retries 4");
  EXPECT_EQ(format_progress("sims", at(0, 10, 0.0)), "sims 0/10 (0.0%) failures 0");
  EXPECT_EQ(format_progress("sims", at(3, 3, 1.5)), "sims 3/3 (100.0%) 2/s failures 0");
}

TEST(ProgressMeterTest, DurationsReadLikeAClock) {
  EXPECT_EQ(format_duration(4.24), "4.2s");
  EXPECT_EQ(format_duration(245), "4m05s");
  EXPECT_EQ(format_duration(7380), "2h03m");
  EXPECT_EQ(format_duration(-1), "?");
}

TEST(ProgressMeterTest, BatchLogGetsALineEveryTenPercentOrTenSeconds) {
  Capture out;
  ProgressMeter m("sims", ProgressMeter::Mode::lines, out.file());
  for (std::size_t done = 1; done < 100; ++done) m.update(at(done, 1000, 0.01 * double(done)));
  EXPECT_EQ(count_of(out.text(), '\n'), 0u);  // under 10% and 10 s
  m.update(at(100, 1000, 1.0));
  EXPECT_EQ(count_of(out.text(), '\n'), 1u);  // 10% reached
  m.update(at(150, 1000, 5.0));
  EXPECT_EQ(count_of(out.text(), '\n'), 1u);
  m.update(at(160, 1000, 11.5));  // 10 s since the last line
  EXPECT_EQ(count_of(out.text(), '\n'), 2u);
  m.finish(at(1000, 1000, 20.0));
  const std::string text = out.text();
  EXPECT_EQ(count_of(text, '\n'), 3u);
  EXPECT_EQ(count_of(text, '\r'), 0u);
  EXPECT_NE(text.find("sims 1000/1000 (100.0%)"), std::string::npos);
}

TEST(ProgressMeterTest, AQuickRoundGetsItsFinalLineOnly) {
  Capture out;
  ProgressMeter m("sims", ProgressMeter::Mode::lines, out.file());
  for (std::size_t done = 100; done <= 1000; done += 100) m.update(at(done, 1000, 0.0005 * double(done)));
  EXPECT_EQ(count_of(out.text(), '\n'), 0u);  // ten 10% steps within half a second
  m.finish(at(1000, 1000, 0.5));
  EXPECT_EQ(count_of(out.text(), '\n'), 1u);
}

TEST(ProgressMeterTest, BatchLogDoesNotRepeatTheLastLineAtTheEnd) {
  Capture out;
  ProgressMeter m("sims", ProgressMeter::Mode::lines, out.file());
  m.update(at(1000, 1000, 3.0));  // the last 10% step
  m.finish(at(1000, 1000, 3.0));
  EXPECT_EQ(count_of(out.text(), '\n'), 1u);
}

TEST(ProgressMeterTest, TerminalGetsOneLiveLineRewrittenInPlace) {
  Capture out;
  ProgressMeter m("sims", ProgressMeter::Mode::live, out.file(), 0.2);
  m.update(at(1, 100, 0.1));  // too soon
  m.update(at(2, 100, 0.3));
  m.update(at(3, 100, 0.35));  // too soon
  m.update(at(50, 100, 0.6));
  m.finish(at(100, 100, 1.0));
  const std::string text = out.text();
  EXPECT_EQ(count_of(text, '\r'), 3u);
  EXPECT_EQ(count_of(text, '\n'), 1u);
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressMeterTest, OffWritesNothing) {
  Capture out;
  ProgressMeter m("sims", ProgressMeter::Mode::off, out.file());
  m.update(at(500, 1000, 100.0));
  m.finish(at(1000, 1000, 200.0));
  EXPECT_TRUE(out.text().empty());
  EXPECT_EQ(ProgressMeter::mode_for(false, stderr), ProgressMeter::Mode::off);
}

}  // namespace
}  // namespace nsbi::farm
