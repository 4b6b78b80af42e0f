#pragma once
// Run log: timestamped lines to stderr and, once a run directory exists, to its log file.
// Only rank 0 logs; other ranks' calls are no-ops.
#include <cstdio>
#include <string>

namespace nsbi {

class Log {
 public:
  explicit Log(bool enabled) : enabled_(enabled) {}
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  /// Also write to `path` (appending) from now on.
  void open_file(const std::string& path);
  void info(const std::string& message);
  void warn(const std::string& message);

 private:
  void line(const char* level, const std::string& message);
  bool enabled_;
  std::FILE* file_ = nullptr;
};

}  // namespace nsbi
