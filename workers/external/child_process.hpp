#pragma once
// A child process in its own process group, started with posix_spawn (internal to workers/external).
//
// posix_spawn (vfork-like in glibc) rather than fork: a rank that has registered memory with the
// network stack must not fork. The child gets its own process group so a timeout can signal the
// whole tree it started (a shell and its children, a Python driver and its helpers).
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace nsbi::detail {

using Clock = std::chrono::steady_clock;

/// PATH lookup as execvp does it: the absolute path of the executable, or "" if there is none.
std::string find_executable(const std::string& name);

/// The parent's environment without the MPI launcher's variables (OMPI_*, PMIX_*, PMI_*), so a
/// child that initialises MPI (a Python script importing mpi4py) starts as a singleton instead of
/// attaching to the parent's job. OMPI_ALLOW_RUN_AS_ROOT* are kept: they are settings, not job data.
class ChildEnvironment {
 public:
  ChildEnvironment();
  char* const* envp() const { return const_cast<char* const*>(pointers_.data()); }

 private:
  std::vector<std::string> entries_;
  std::vector<char*> pointers_;
};

/// "killed by signal 11 (Segmentation fault)", "exited with code 3".
std::string describe_wait_status(int status);

/// SIGPIPE is ignored in this process (once, and only if it still has its default action), so a
/// child that dies while nsbi writes to it gives EPIPE instead of killing the rank.
void ignore_sigpipe();

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Starts `path` with `argv` in a new process group; stdin_fd and stdout_fd become its fds 0
  /// and 1 (stderr is inherited). Signal dispositions and mask are reset to the defaults.
  /// Returns 0, or the errno of the failed spawn.
  int start(const std::string& path, const std::vector<std::string>& argv, char* const* envp, int stdin_fd,
            int stdout_fd);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  /// A descriptor that polls readable when the child exits (pidfd), or -1 if the kernel has none.
  int exit_fd() const { return pidfd_; }

  /// Reaps the child if it has exited; true when it has (then status() is its wait status).
  bool try_reap();
  /// Waits until the child exits or `deadline`; true when it has exited and was reaped.
  bool wait_until(Clock::time_point deadline);
  /// SIGTERM to the group, up to `grace` for the child to exit, SIGKILL to the group, reap.
  void terminate_group(double grace_seconds);
  /// SIGKILL to whatever is left of the group (after the child itself exited), reap the child.
  void kill_group();

  int status() const { return status_; }

 private:
  void forget();

  pid_t pid_ = 0;
  int pidfd_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

/// Closes fd if it is open and sets it to -1.
void close_fd(int& fd);

}  // namespace nsbi::detail
