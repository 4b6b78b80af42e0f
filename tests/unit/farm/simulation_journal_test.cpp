// The simulation journal: chunks read back exactly; a tail cut short or bit-flipped is dropped
// (and the file truncated so appends continue cleanly); another run's, version's or dimensions'
// journal is refused naming the file.
#include "nsbi/farm/simulation_journal.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nsbi/core/error.hpp"

namespace nsbi::farm {
namespace {

namespace fs = std::filesystem;

ChunkResult chunk(std::uint64_t first, std::uint64_t count, int x_dim) {
  ChunkResult r;
  r.range = {first, count};
  r.seconds = 0.25 * double(count);
  r.x.resize(x_dim, static_cast<Eigen::Index>(count));
  for (Eigen::Index c = 0; c < r.x.cols(); ++c)
    for (Eigen::Index d = 0; d < x_dim; ++d) r.x(d, c) = 1.0 / 3.0 * double(first + c) + double(d);
  for (std::uint64_t i = 0; i < count; ++i) {
    r.status.push_back((first + i) % 5 == 0 ? SimStatus::non_finite : SimStatus::ok);
    r.attempts.push_back(static_cast<std::uint32_t>(1 + (first + i) % 2));
  }
  return r;
}

Eigen::MatrixXd theta_for(std::uint64_t first, std::uint64_t count) {
  Eigen::MatrixXd t(2, static_cast<Eigen::Index>(count));
  for (Eigen::Index c = 0; c < t.cols(); ++c) t.col(c) << std::sqrt(double(first + c)), -double(first + c) / 7.0;
  return t;
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nsbi_journal_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = (dir_ / "journal.bin").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_three() {
    auto j = SimulationJournal::create(path_, 42, 2, 3);
    j.append(0, chunk(0, 4, 3), theta_for(0, 4));
    j.append(0, chunk(4, 2, 3), theta_for(4, 2));
    j.append(1, chunk(0, 5, 3), theta_for(0, 5));
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(JournalTest, ChunksReadBackExactly) {
  write_three();
  const auto j = SimulationJournal::resume(path_, 42, 2, 3);
  EXPECT_EQ(j.chunks_read(), 3u);
  EXPECT_EQ(j.simulations_read(), 11u);
  EXPECT_EQ(j.dropped_bytes(), 0u);
  const auto r0 = j.chunks_of_round(0);
  ASSERT_EQ(r0.size(), 2u);
  const ChunkResult want = chunk(4, 2, 3);
  EXPECT_EQ(r0[1].result.range, want.range);
  EXPECT_EQ(r0[1].result.x, want.x);
  EXPECT_EQ(r0[1].result.status, want.status);
  EXPECT_EQ(r0[1].result.attempts, want.attempts);
  EXPECT_EQ(r0[1].result.seconds, want.seconds);
  EXPECT_EQ(r0[1].theta, theta_for(4, 2));
  EXPECT_EQ(j.chunks_of_round(1).size(), 1u);
  EXPECT_TRUE(j.chunks_of_round(2).empty());
}

TEST_F(JournalTest, ATailCutShortIsDroppedAndAppendsContinueCleanly) {
  write_three();
  const auto full = fs::file_size(path_);
  fs::resize_file(path_, full - 7);  // the kill came while the third chunk was written
  {
    auto j = SimulationJournal::resume(path_, 42, 2, 3);
    EXPECT_EQ(j.chunks_read(), 2u);
    EXPECT_GT(j.dropped_bytes(), 0u);
    j.append(1, chunk(0, 5, 3), theta_for(0, 5));
  }
  EXPECT_EQ(fs::file_size(path_), full);
  const auto j = SimulationJournal::resume(path_, 42, 2, 3);
  EXPECT_EQ(j.chunks_read(), 3u);
  EXPECT_EQ(j.dropped_bytes(), 0u);
}

TEST_F(JournalTest, ABitFlipEndsTheJournalAtTheChunkBefore) {
  write_three();
  const auto size = fs::file_size(path_);
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size) - 30);  // inside the third chunk's x
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(size) - 30);
    c = static_cast<char>(c ^ 0x10);
    f.write(&c, 1);
  }
  const auto j = SimulationJournal::resume(path_, 42, 2, 3);
  EXPECT_EQ(j.chunks_read(), 2u);
  EXPECT_GT(j.dropped_bytes(), 0u);
}

TEST_F(JournalTest, AnotherRunsJournalIsRefusedNamingTheFile) {
  write_three();
  const auto refused = [&](std::uint64_t fp, int td, int xd, const std::string& words) {
    try {
      SimulationJournal::resume(path_, fp, td, xd);
      ADD_FAILURE() << "accepted: " << words;
    } catch (const CheckpointError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(path_), std::string::npos) << m;
      EXPECT_NE(m.find(words), std::string::npos) << m;
    }
  };
  refused(43, 2, 3, "another configuration");
  refused(42, 3, 3, "dimensions");
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8);
    const char v = 9;
    f.write(&v, 1);  // version 9
  }
  refused(42, 2, 3, "version");
  {
    std::ofstream f(path_, std::ios::binary);
    f << "theta,x\n1,2\n";
  }
  refused(42, 2, 3, "NSBIJRNL");
}

TEST_F(JournalTest, AMissingFileStartsAnEmptyJournal) {
  auto j = SimulationJournal::resume(path_, 42, 2, 3);
  EXPECT_EQ(j.chunks_read(), 0u);
  j.append(0, chunk(0, 1, 3), theta_for(0, 1));
  EXPECT_EQ(SimulationJournal::resume(path_, 42, 2, 3).chunks_read(), 1u);
  EXPECT_THROW(j.append(0, chunk(0, 2, 3), theta_for(0, 1)), ShapeError);
}

TEST(Fingerprint, IsFnv1a64) {
  EXPECT_EQ(fingerprint_of(""), 14695981039346656037ull);
  EXPECT_EQ(fingerprint_of("a"), 0xaf63dc4c8601ec8cull);  // published FNV-1a test vector
}

}  // namespace
}  // namespace nsbi::farm
