#pragma once
// Test helpers shared by the io and config tests: a fresh temporary directory, removed at the end,
// the message of an expected exception, and a python3 that can import a module (for cross-checks
// against an independent reader).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

namespace nsbi::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "nsbi-io-test-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  /// Writes `text` to `name` inside the directory and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The message of the exception of type E that `f` throws; a test failure if it throws none.
template <class E>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception of the expected type";
  return {};
}

/// A python3 interpreter that imports `module`, or nothing (the caller skips its check).
inline std::optional<std::string> python_with(const std::string& module) {
  for (const char* candidate : {"python3", "/usr/bin/python3"}) {
    const std::string cmd = std::string(candidate) + " -c 'import " + module + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return std::string(candidate);
  }
  return std::nullopt;
}

}  // namespace nsbi::test
