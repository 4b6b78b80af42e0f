#include "nsbi/core/error.hpp"

#include <gtest/gtest.h>

namespace nsbi {
namespace {

TEST(ErrorTest, ExitCodeIsTwoForBadInputAndOneForAFailedRun) {
  EXPECT_EQ(exit_code(ConfigError("c")), 2);
  EXPECT_EQ(exit_code(ShapeError("s")), 2);
  EXPECT_EQ(exit_code(IoError("i")), 2);
  EXPECT_EQ(exit_code(CheckpointError("k")), 2);
  EXPECT_EQ(exit_code(Interrupted("stopped")), 3);  // resumable: the SLURM script requeues on it
  EXPECT_EQ(exit_code(NumericalError("n")), 1);
  EXPECT_EQ(exit_code(SimulatorError("m")), 1);
  EXPECT_EQ(exit_code(Error("e")), 1);
  EXPECT_EQ(exit_code(std::runtime_error("x")), 1);
  SimulatorError cannot_start("simulator: cannot start");
  cannot_start.mark_input();
  EXPECT_EQ(exit_code(cannot_start), 2);
}

}  // namespace
}  // namespace nsbi
