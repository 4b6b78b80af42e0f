#pragma once
// Shared by the libFuzzer harnesses: the loaders under test read files, so the input is written
// to a file private to this process first (in /dev/shm when it exists, to spare the disk).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::fuzz {

inline std::string scratch_path(const char* suffix) {
  const char* dir = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  return std::string(dir) + "/nsbi-fuzz-" + std::to_string(::getpid()) + suffix;
}

/// Writes `size` bytes to `path`, replacing it.
inline void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

/// A property of a loader that must hold for every input (not a bad-input error): stops the run
/// with the message, so libFuzzer records the input as a crash.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

}  // namespace nsbi::fuzz
