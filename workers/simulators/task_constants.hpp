#pragma once
// Fixed sbibm task constants (workers-internal): the Bernoulli GLM design matrix and the
// slcp_distractors permutation and Student-t mixture. They are the CSV files in
// workers/simulators/data/ (copies of ../shared/sbibm/task_constants, from sbibm v1.1.1; see the
// README there), compiled into the library by CMake so that no file is read at run time.
#include <Eigen/Core>
#include <string_view>

namespace nsbi {

/// The text of data file `name`, e.g. "bernoulli_glm_design_matrix.csv"; ConfigError if unknown.
std::string_view task_constant_text(std::string_view name);

/// The numeric rows of data file `name` (its header row skipped): one matrix row per CSV row.
/// Throws ConfigError on a ragged or non-numeric row.
Eigen::MatrixXd task_constant_matrix(std::string_view name);

/// The generated table (build/generated/task_constants_data.cpp).
struct TaskConstantFile {
  const char* name;
  const char* text;
};
extern const TaskConstantFile kTaskConstantFiles[];
extern const int kNumTaskConstantFiles;

}  // namespace nsbi
