// posix_spawn in a new process group, pidfd-based waiting, group termination.
#include "workers/external/child_process.hpp"

#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>
#include <thread>

extern char** environ;

namespace nsbi::detail {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return fd >= 0 ? static_cast<int>(fd) : -1;  // ENOSYS (kernel < 5.3) or a seccomp filter: poll instead
#else
  (void)pid;
  return -1;
#endif
}

int millis_until(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

}  // namespace

std::string find_executable(const std::string& name) {
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return is_executable_file(name) ? name : std::string();
  const char* path_env = std::getenv("PATH");
  std::string_view path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  for (;;) {
    const std::size_t colon = path.find(':');
    const std::string_view dir = colon == 0 || path.empty() ? std::string_view(".") : path.substr(0, colon);
    std::string candidate(dir);
    candidate.push_back('/');
    candidate.append(name);
    if (is_executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) return {};
    path.remove_prefix(colon + 1);
  }
}

ChildEnvironment::ChildEnvironment() {
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view var(*e);
    const bool launcher = var.starts_with("OMPI_") || var.starts_with("PMIX_") || var.starts_with("PMI_");
    if (launcher && !var.starts_with("OMPI_ALLOW_RUN_AS_ROOT")) continue;
    entries_.emplace_back(var);
  }
  for (auto& e : entries_) pointers_.push_back(e.data());
  pointers_.push_back(nullptr);
}

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* what = ::strsignal(sig);
    return "killed by signal " + std::to_string(sig) + " (" + (what != nullptr ? what : "unknown") + ")";
  }
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  return "ended with wait status " + std::to_string(status);
}

void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      sigemptyset(&ignore.sa_mask);
      ::sigaction(SIGPIPE, &ignore, nullptr);
    }
  });
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

ChildProcess::~ChildProcess() {
  kill_group();
}

int ChildProcess::start(const std::string& path, const std::vector<std::string>& argv, char* const* envp,
                        int stdin_fd, int stdout_fd) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  // The pipe ends are opened O_CLOEXEC and above fd 2, so dup2 always makes an inheritable copy.
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // Nothing else crosses over: descriptors the MPI library opened without O_CLOEXEC (sockets to
  // the launcher, shared-memory segments) stay with the rank.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  // Own process group (pgid = the child's pid), an empty signal mask, and SIGPIPE back to its
  // default action: nsbi ignores it, and ignored signals survive exec. Other ignored signals
  // (nohup's SIGHUP) are the user's choice and stay; handlers are reset by exec anyway.
  sigset_t pipe_only, none;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigemptyset(&none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigdefault(&attr, &pipe_only);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, path.c_str(), &actions, &attr, args.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return rc;
  pid_ = pid;
  pidfd_ = open_pidfd(pid);
  reaped_ = false;
  status_ = 0;
  return 0;
}

bool ChildProcess::try_reap() {
  if (!running()) return true;
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == 0) return false;
  // r == -1 (ECHILD: someone set SIGCHLD to SIG_IGN and the kernel reaped it) counts as exited.
  status_ = r == pid_ ? st : 0;
  reaped_ = true;
  return true;
}

bool ChildProcess::wait_until(Clock::time_point deadline) {
  for (;;) {
    if (try_reap()) return true;
    if (Clock::now() >= deadline) return false;
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, millis_until(deadline));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

void ChildProcess::terminate_group(double grace_seconds) {
  if (!running()) return;
  ::kill(-pid_, SIGTERM);
  const auto grace = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(grace_seconds));
  wait_until(Clock::now() + grace);
  kill_group();
}

void ChildProcess::kill_group() {
  if (!running()) return;
  // The group outlives its leader while any member lives, so -pid_ still names it here.
  ::kill(-pid_, SIGKILL);
  if (!reaped_) {
    int st = 0;
    pid_t r;
    do r = ::waitpid(pid_, &st, 0);
    while (r == -1 && errno == EINTR);
    status_ = r == pid_ ? st : 0;
    reaped_ = true;
  }
  forget();
}

void ChildProcess::forget() {
  close_fd(pidfd_);
  pid_ = 0;
}

}  // namespace nsbi::detail
