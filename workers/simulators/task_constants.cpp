#include "workers/simulators/task_constants.hpp"

#include <charconv>
#include <string>
#include <vector>

#include "nsbi/core/error.hpp"

namespace nsbi {

std::string_view task_constant_text(std::string_view name) {
  std::string known;
  for (int i = 0; i < kNumTaskConstantFiles; ++i) {
    if (name == kTaskConstantFiles[i].name) return kTaskConstantFiles[i].text;
    known += (known.empty() ? "" : ", ") + std::string(kTaskConstantFiles[i].name);
  }
  throw ConfigError(make_message("task constants", "file", "one of " + known, "'" + std::string(name) + "'"));
}

Eigen::MatrixXd task_constant_matrix(std::string_view name) {
  const std::string_view text = task_constant_text(name);
  const std::string where = "task constants " + std::string(name);
  std::vector<double> values;
  Eigen::Index cols = -1, rows = 0;
  std::size_t pos = text.find('\n');  // skip the header row
  while (pos != std::string_view::npos && pos + 1 < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos + 1), text.size());
    std::string_view line = text.substr(pos + 1, end - pos - 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files, should a compiler keep the CR
    pos = end < text.size() ? end : std::string_view::npos;
    if (line.empty()) continue;
    Eigen::Index n = 0;
    for (const char* p = line.data(); p <= line.data() + line.size(); ++n) {
      double v;
      const auto [next, ec] = std::from_chars(p, line.data() + line.size(), v);
      if (ec != std::errc()) throw ConfigError(make_message(where, "row " + std::to_string(rows + 1), "numbers", std::string(line)));
      values.push_back(v);
      p = next + 1;  // past the comma (or the end)
    }
    if (cols >= 0 && n != cols)
      throw ConfigError(make_message(where, "columns in row " + std::to_string(rows + 1), std::to_string(cols), std::to_string(n)));
    cols = n, ++rows;
  }
  Eigen::MatrixXd m(rows, std::max<Eigen::Index>(cols, 0));
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = values[static_cast<std::size_t>(r * m.cols() + c)];
  return m;
}

}  // namespace nsbi
