// The task constants compiled into the library are the shipped copies in
// workers/simulators/data/, and those are the files of ../shared/sbibm/task_constants.
#include "workers/simulators/task_constants.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "nsbi/core/error.hpp"
#include "task_test_util.hpp"

namespace nsbi {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* const kFiles[] = {"bernoulli_glm_design_matrix.csv", "slcp_distractors_permutation_idx.csv",
                              "slcp_distractors_gmm_weights_df.csv", "slcp_distractors_gmm_loc.csv",
                              "slcp_distractors_gmm_scale_tril.csv"};

TEST(TaskConstantsTest, ShippedCopiesEqualTheSharedSource) {
  for (const char* f : kFiles) {
    const std::string shipped = slurp(std::string(NSBI_SOURCE_DIR) + "/workers/simulators/data/" + f);
    EXPECT_FALSE(shipped.empty()) << f;
    EXPECT_TRUE(shipped == slurp(std::string(NSBI_SHARED_DIR) + "/sbibm/task_constants/" + f)) << f;
  }
}

TEST(TaskConstantsTest, CompiledInTextEqualsTheShippedFiles) {
  EXPECT_EQ(kNumTaskConstantFiles, static_cast<int>(std::size(kFiles)));
  for (const char* f : kFiles) {
    // The files have CRLF line ends; the compiler reads the raw string literal with LF ones.
    std::string shipped = slurp(std::string(NSBI_SOURCE_DIR) + "/workers/simulators/data/" + f);
    std::erase(shipped, '\r');
    EXPECT_TRUE(task_constant_text(f) == shipped) << f;
  }
}

TEST(TaskConstantsTest, MatricesParseToTheDocumentedShapes) {
  EXPECT_EQ(task_constant_matrix("bernoulli_glm_design_matrix.csv").rows(), 100);
  EXPECT_EQ(task_constant_matrix("bernoulli_glm_design_matrix.csv").cols(), 10);
  EXPECT_EQ(task_constant_matrix("slcp_distractors_gmm_loc.csv").rows(), 20);
  EXPECT_EQ(task_constant_matrix("slcp_distractors_gmm_loc.csv").cols(), 92);
  EXPECT_EQ(task_constant_matrix("slcp_distractors_gmm_scale_tril.csv").rows(), 20 * 92 * 93 / 2);
  // Parsed values are the shared file's values.
  const Eigen::MatrixXd loc = task_constant_matrix("slcp_distractors_gmm_loc.csv");
  EXPECT_EQ(loc, test::read_shared_constant("slcp_distractors_gmm_loc.csv"));
}

TEST(TaskConstantsTest, UnknownFileIsAConfigError) {
  EXPECT_THROW(task_constant_text("no_such_file.csv"), ConfigError);
}

}  // namespace
}  // namespace nsbi
