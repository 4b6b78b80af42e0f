// estimator.bin: what write_trained_state writes, read_trained_state gives back exactly; a
// truncated, corrupt or foreign file is refused with a CheckpointError naming it.
#include "nsbi/inference/trained_state.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "nsbi/core/error.hpp"
#include "tests/unit/io/io_test_util.hpp"

namespace nsbi {
namespace {

TrainedState example_state() {
  TrainedState s;
  s.method = "npe";
  for (int k = 0; k < 2; ++k) {
    TrainedEstimator e;
    e.first.mean = Eigen::VectorXd::LinSpaced(3, -1.0 + k, 1.0);
    e.first.std = Eigen::VectorXd::Constant(3, 0.1 + 0.3 * k);
    e.second.mean = Eigen::VectorXd::LinSpaced(5, 0.0, 1e-7);
    e.second.std = Eigen::VectorXd::Constant(5, 3.0);
    e.weights = Eigen::VectorXf::LinSpaced(101, -2.5f, 7.25f * (k + 1));
    s.estimators.push_back(e);
  }
  return s;
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

TEST(TrainedStateTest, ReadGivesBackWhatWasWritten) {
  test::TempDir dir;
  const std::string path = (dir.path / "estimator.bin").string();
  const TrainedState s = example_state();
  write_trained_state(path, s);
  const TrainedState r = read_trained_state(path);
  EXPECT_EQ(r.method, "npe");
  ASSERT_EQ(r.estimators.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(r.estimators[k].first.mean, s.estimators[k].first.mean);
    EXPECT_EQ(r.estimators[k].first.std, s.estimators[k].first.std);
    EXPECT_EQ(r.estimators[k].second.mean, s.estimators[k].second.mean);
    EXPECT_EQ(r.estimators[k].second.std, s.estimators[k].second.std);
    EXPECT_EQ(r.estimators[k].weights, s.estimators[k].weights);
  }
  // Layout: magic, version, name, count, per estimator 2 z-scorings + weights, CRC.
  const std::size_t expected = 8 + 4 + 4 + 3 + 4 + 2 * ((4 + 2 * 3 * 8) + (4 + 2 * 5 * 8) + 8 + 101 * 4) + 4;
  EXPECT_EQ(read_bytes(path).size(), expected);
}

TEST(TrainedStateTest, CorruptTruncatedAndForeignFilesAreRefused) {
  test::TempDir dir;
  const std::string path = (dir.path / "estimator.bin").string();
  write_trained_state(path, example_state());
  const std::string good = read_bytes(path);
  const auto refused = [&](const std::string& bytes, const std::string& words) {
    const std::string p = dir.write("bad.bin", bytes);
    try {
      read_trained_state(p);
      ADD_FAILURE() << "accepted: " << words;
    } catch (const CheckpointError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.bin"), std::string::npos) << e.what();
    }
  };
  std::string flipped = good;
  flipped[200] ^= 0x01;
  refused(flipped, "checksum");
  refused(good.substr(0, good.size() / 2), "checksum");
  refused("not an estimator file at all", "magic");
  std::string version = good;
  version[8] = 7;
  refused(version, "version");
  EXPECT_THROW(read_trained_state((dir.path / "missing.bin").string()), IoError);
}

}  // namespace
}  // namespace nsbi
