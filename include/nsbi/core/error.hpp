#pragma once
// The error hierarchy. Every error a user can trigger derives from nsbi::Error; its message says
// what was expected and what was found, in the shared format
//   "<where>: <what> expected <expected>, got <found>"
// (see make_message). `assert` is kept for internal invariants only.
#include <stdexcept>
#include <string>

namespace nsbi {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad configuration: malformed TOML, unknown or mistyped key, invalid value.
class ConfigError : public Error {
 public:
  using Error::Error;
};
/// Arrays whose dimensions disagree (observation vs simulator, CSV columns, ...).
class ShapeError : public Error {
 public:
  using Error::Error;
};
/// Non-finite values or a numerical procedure that failed.
class NumericalError : public Error {
 public:
  using Error::Error;
};
/// A simulator that cannot be started, answers in the wrong format, or fails under `abort`.
class SimulatorError : public Error {
 public:
  using Error::Error;
};
/// A checkpoint that is missing, corrupt or from an incompatible version.
class CheckpointError : public Error {
 public:
  using Error::Error;
};
/// A file that cannot be read or written, or whose content cannot be parsed.
class IoError : public Error {
 public:
  using Error::Error;
};

/// "<where>: <what> expected <expected>, got <found>".
inline std::string make_message(const std::string& where, const std::string& what,
                                const std::string& expected, const std::string& found) {
  return where + ": " + what + " expected " + expected + ", got " + found;
}

}  // namespace nsbi
