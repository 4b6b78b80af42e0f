#include "nsbi/core/log.hpp"

#include <ctime>

#include "nsbi/core/error.hpp"

namespace nsbi {

Log::~Log() {
  if (file_) std::fclose(file_);
}

void Log::open_file(const std::string& path) {
  if (!enabled_) return;
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) throw IoError(path + ": cannot open the log file for writing");
}

void Log::info(const std::string& message) { line("info", message); }
void Log::warn(const std::string& message) { line("WARNING", message); }

void Log::line(const char* level, const std::string& message) {
  if (!enabled_) return;
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  std::fprintf(stderr, "nsbi %s: %s\n", level, message.c_str());
  if (file_) {
    std::fprintf(file_, "%s %s: %s\n", stamp, level, message.c_str());
    std::fflush(file_);
  }
}

}  // namespace nsbi
