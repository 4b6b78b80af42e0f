#pragma once
// The error hierarchy. Every error a user can trigger derives from nsbi::Error; its message says
// what was expected and what was found, in the shared format
//   "<where>: <what> expected <expected>, got <found>"
// (see make_message). `assert` is kept for internal invariants only.
//
// Exit codes (exit_code): 2 = bad input, the user must change the configuration or a file;
// 1 = the run failed (or an internal error). The kind decides, except that an error raised while a
// run's input is checked (mark_input) is bad input whatever its kind: a non-finite observation is a
// NumericalError and a simulator that cannot start a SimulatorError, but both are the user's to fix.
#include <stdexcept>
#include <string>

namespace nsbi {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  /// Raised while the input was checked: bad input (exit code 2) whatever the kind.
  void mark_input() { input_ = true; }
  bool marked_input() const { return input_; }

 private:
  bool input_ = false;
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
/// The run stopped at a safe point because a signal asked it to (SIGTERM, SIGUSR1, SIGINT): what
/// was paid for is on disk and `nsbi resume` continues it. Exit code 3.
class Interrupted : public Error {
 public:
  using Error::Error;
};
/// A file that cannot be read or written, or whose content cannot be parsed.
class IoError : public Error {
 public:
  using Error::Error;
};

/// 2 for bad input — ConfigError, ShapeError, IoError (a file or output.dir that cannot be read or
/// written), CheckpointError, or any error marked_input() — and 1 for a failed run: NumericalError
/// and SimulatorError once the run is under way, and anything else (internal errors); 3 for a run
/// stopped by a signal (Interrupted), which can be resumed.
inline int exit_code(const std::exception& e) {
  if (dynamic_cast<const Interrupted*>(&e)) return 3;
  if (dynamic_cast<const ConfigError*>(&e) || dynamic_cast<const ShapeError*>(&e) ||
      dynamic_cast<const IoError*>(&e) || dynamic_cast<const CheckpointError*>(&e))
    return 2;
  const auto* error = dynamic_cast<const Error*>(&e);
  return error && error->marked_input() ? 2 : 1;
}

/// "<where>: <what> expected <expected>, got <found>".
inline std::string make_message(const std::string& where, const std::string& what,
                                const std::string& expected, const std::string& found) {
  return where + ": " + what + " expected " + expected + ", got " + found;
}

}  // namespace nsbi
