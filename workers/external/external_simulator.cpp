// ExternalSimulator: persistent children fed over pipes, or one process per call.
#include "nsbi/simulator/external_simulator.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "nsbi/core/error.hpp"
#include "nsbi/simulator/external_protocol.hpp"
#include "workers/external/child_process.hpp"
#include "workers/simulate_shapes.hpp"

namespace nsbi {
namespace {

using detail::Clock;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string join_command(const std::vector<std::string>& command) {
  std::string s;
  for (const auto& a : command) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

std::string shorten(std::string_view text, std::size_t max_chars = 200) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.size() <= max_chars) return std::string(text);
  return std::string(text.substr(0, max_chars)) + "...";
}

std::string format_seconds(double s) {
  char buf[32];
  std::string out(buf, std::to_chars(buf, buf + sizeof buf, s).ptr);  // shortest form: "0.3"
  return out + " s";
}

/// A pipe whose ends are both O_CLOEXEC and above fd 2 (so dup2 onto 0/1 in the child always
/// makes a fresh inheritable copy, even when nsbi itself was started with 0 or 1 closed).
void make_pipe(int fds[2], const std::string& where) {
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw SimulatorError(where + ": cannot create a pipe (" + std::strerror(errno) + ")");
  for (int k = 0; k < 2; ++k) {
    if (fds[k] > 2) continue;
    const int moved = ::fcntl(fds[k], F_DUPFD_CLOEXEC, 3);
    ::close(fds[k]);
    fds[k] = moved;
  }
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// A piece of one per-call argv entry: literal text or a placeholder.
struct Segment {
  enum Kind { literal, theta_all, theta_i, seed, output } kind = literal;
  std::string text;  // literal
  int index = 0;     // theta_i: 0-based
};

}  // namespace

struct ExternalSimulator::Impl {
  enum class Io { data, eof, exited, timeout };
  enum class Write { done, broken_pipe, exited, timeout };
  struct Ending {
    SimStatus status;
    std::string message;
  };

  SimulatorOptions opt;
  int theta_dim;
  int x_dim;
  std::string name;
  std::string program;  // resolved command[0]
  detail::ChildEnvironment env;
  std::vector<std::string> messages;
  long started = 0;
  bool ever_answered = false;
  detail::ChildProcess child;
  std::vector<char> in;  // bytes read from the child, [0, in_end)
  std::size_t in_end = 0;
  std::size_t max_answer_bytes;

  // persistent
  int to_child = -1;
  int from_child = -1;
  std::string request;

  // per-call
  std::vector<std::vector<Segment>> templ;
  std::vector<std::string> argv;
  bool program_has_placeholder = false;
  bool uses_output = false;
  std::string temp_dir;
  std::string output_path;
  int dev_null = -1;

  Impl(const SimulatorOptions& o, int td, int xd) : opt(o), theta_dim(td), x_dim(xd) {
    name = "external simulator '" + join_command(opt.command) + "'";
    if (opt.command.empty())
      throw ConfigError(make_message(name, "simulator.command", "a program and its arguments", "an empty list"));
    if (theta_dim <= 0 || x_dim <= 0)
      throw ConfigError(make_message(name, "theta_dim and x_dim", "positive",
                                     std::to_string(theta_dim) + " and " + std::to_string(x_dim)));
    max_answer_bytes = std::max<std::size_t>(std::size_t{16} << 20, static_cast<std::size_t>(x_dim) * 64);
    in.resize(4096);
    request.reserve(32 + static_cast<std::size_t>(theta_dim) * 32);
    if (opt.mode == ExternalMode::per_call) parse_template();
    if (!program_has_placeholder) program = resolve_program(opt.command[0]);
    detail::ignore_sigpipe();
    if (opt.mode == ExternalMode::per_call) {
      dev_null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (uses_output) make_temp_dir();
    }
  }

  ~Impl() {
    if (opt.mode == ExternalMode::persistent) shut_down_persistent();
    child.kill_group();
    detail::close_fd(dev_null);
    if (!temp_dir.empty()) {
      ::unlink(output_path.c_str());
      ::rmdir(temp_dir.c_str());
    }
  }

  std::string resolve_program(const std::string& cmd0) const {
    std::string path = detail::find_executable(cmd0);
    if (path.empty())
      throw SimulatorError(make_message(name, "command", "an executable program (searched in PATH)",
                                        "'" + cmd0 + "', which is not an executable file"));
    return path;
  }

  Clock::time_point deadline() const {
    if (opt.timeout_seconds <= 0) return Clock::time_point::max();
    return Clock::now() +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.timeout_seconds));
  }

  // ---- reading from the child ------------------------------------------------------------------

  /// Waits for data on fd, the child's exit, or the deadline; appends what is readable to `in`.
  Io read_some(int fd, Clock::time_point until) {
    const int exit_fd = child.exit_fd();
    for (;;) {
      if (in_end == in.size()) {
        if (in.size() >= max_answer_bytes) return Io::eof;  // runaway output: treated as malformed
        in.resize(std::min(in.size() * 2, max_answer_bytes));
      }
      pollfd fds[2] = {{fd, POLLIN, 0}, {exit_fd, POLLIN, 0}};
      const nfds_t n = exit_fd >= 0 ? 2 : 1;
      int wait_ms = -1;
      if (until != Clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
        wait_ms = static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
      }
      if (exit_fd < 0) wait_ms = wait_ms < 0 ? 10 : std::min(wait_ms, 10);  // no pidfd: check the child every 10 ms
      const int r = ::poll(fds, n, wait_ms);
      if (r < 0 && errno != EINTR) throw SimulatorError(name + ": poll failed (" + std::strerror(errno) + ")");
      if (r > 0 && fds[0].revents != 0) {
        const ssize_t got = ::read(fd, in.data() + in_end, in.size() - in_end);
        if (got > 0) {
          in_end += static_cast<std::size_t>(got);
          return Io::data;
        }
        if (got == 0 || (errno != EAGAIN && errno != EINTR)) return Io::eof;
        continue;
      }
      if ((r > 0 && n == 2 && fds[1].revents != 0) || (exit_fd < 0 && child.try_reap())) return Io::exited;
      if (Clock::now() >= until) return Io::timeout;
    }
  }

  /// After the child exited: whatever it wrote is in the pipe already (a grandchild may keep the
  /// pipe open, so do not wait for EOF). Bounded, in case that grandchild keeps writing.
  void drain(int fd) {
    for (int k = 0; k < 64; ++k) {
      if (in_end == in.size()) {
        if (in.size() >= max_answer_bytes) return;
        in.resize(std::min(in.size() * 2, max_answer_bytes));
      }
      const ssize_t got = ::read(fd, in.data() + in_end, in.size() - in_end);
      if (got <= 0) return;
      in_end += static_cast<std::size_t>(got);
    }
  }

  /// The child has exited or closed its pipes: reap it (TERM/KILL if it is still alive after the
  /// grace period), kill what is left of its group, and describe how it ended.
  Ending collect_ended_child(const char* when) {
    const auto grace =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.kill_grace_seconds));
    if (!child.wait_until(Clock::now() + grace)) {
      child.terminate_group(opt.kill_grace_seconds);
      close_pipes();
      return {SimStatus::error, std::string("closed its output ") + when + " but did not exit; process group killed"};
    }
    child.kill_group();
    close_pipes();
    const int st = child.status();
    return {WIFSIGNALED(st) ? SimStatus::crashed : SimStatus::error, detail::describe_wait_status(st) + " " + when};
  }

  Ending timed_out() {
    child.terminate_group(opt.kill_grace_seconds);
    close_pipes();
    return {SimStatus::timeout, "no answer within " + format_seconds(opt.timeout_seconds) +
                                    "; process group sent SIGTERM, then SIGKILL"};
  }

  void close_pipes() {
    detail::close_fd(to_child);
    detail::close_fd(from_child);
  }

  /// Stores the parsed answer in xj; throws on a malformed first answer of this instance.
  Ending accept_answer(std::string_view text, double* xj, std::string_view request_text) {
    std::string why;
    if (decode_values(text, std::span<double>(xj, static_cast<std::size_t>(x_dim)), why)) {
      ever_answered = true;
      for (int i = 0; i < x_dim; ++i)
        if (!std::isfinite(xj[i])) return {SimStatus::non_finite, "answered non-finite values"};
      return {SimStatus::ok, {}};
    }
    if (!ever_answered)
      throw SimulatorError(make_message(
          name, "answer to its first request '" + shorten(request_text) + "'",
          std::to_string(x_dim) + " numbers separated by spaces or commas",
          "'" + shorten(text) + "' (" + why + "); stdout is reserved for answers, print diagnostics to stderr"));
    return {SimStatus::error, "malformed answer '" + shorten(text) + "': " + why};
  }

  // ---- persistent mode ---------------------------------------------------------------------------

  void start_persistent() {
    int in_pipe[2], out_pipe[2];
    make_pipe(in_pipe, name);
    make_pipe(out_pipe, name);
    const int rc = child.start(program, opt.command, env.envp(), in_pipe[0], out_pipe[1]);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    if (rc != 0) {
      ::close(in_pipe[1]);
      ::close(out_pipe[0]);
      throw SimulatorError(make_message(name, "command", "a program that can be started",
                                        "'" + program + "' (" + std::strerror(rc) + ")"));
    }
    ++started;
    to_child = in_pipe[1];
    from_child = out_pipe[0];
    set_nonblocking(to_child);
    set_nonblocking(from_child);
  }

  Write write_request(Clock::time_point until, std::size_t& written) {
    written = 0;
    while (written < request.size()) {
      const ssize_t n = ::write(to_child, request.data() + written, request.size() - written);
      if (n > 0) {
        written += static_cast<std::size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return Write::broken_pipe;  // EPIPE: nobody reads the pipe any more
      // Pipe full (a very long θ line, or a child that stopped reading).
      pollfd fds[2] = {{to_child, POLLOUT, 0}, {child.exit_fd(), POLLIN, 0}};
      int wait_ms = -1;
      if (until != Clock::time_point::max())
        wait_ms = static_cast<int>(std::clamp<long long>(
            std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count(), 0, 1 << 30));
      const int r = ::poll(fds, child.exit_fd() >= 0 ? 2 : 1, wait_ms);
      if (r > 0 && fds[1].revents != 0 && fds[0].revents == 0) return Write::exited;
      if (r == 0 && Clock::now() >= until) return Write::timeout;
    }
    return Write::done;
  }

  Ending simulate_persistent(std::uint64_t seed, const double* theta, double* xj) {
    encode_request(seed, std::span<const double>(theta, static_cast<std::size_t>(theta_dim)), request);
    for (int attempt = 0;; ++attempt) {
      if (!child.running()) start_persistent();
      in_end = 0;  // stray output after a previous answer's newline is not an answer to this request
      const auto until = deadline();
      std::size_t written = 0;
      const Write w = write_request(until, written);
      if (w == Write::timeout) return timed_out();
      if (w != Write::done) {
        Ending e = collect_ended_child("before reading the request");
        // The child died after its previous answer and never saw this request: a fresh child gets it.
        if (written == 0 && attempt == 0) continue;
        return e;
      }
      std::size_t scanned = 0;
      bool child_ended = false;
      for (;;) {
        const void* nl = std::memchr(in.data() + scanned, '\n', in_end - scanned);
        if (nl != nullptr) {
          const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - in.data());
          Ending e = accept_answer(std::string_view(in.data(), len), xj, request);
          if (child_ended) collect_ended_child("after answering");  // restart on the next call
          return e;
        }
        if (child_ended) return collect_ended_child("before answering");
        scanned = in_end;
        const Io io = read_some(from_child, until);
        if (io == Io::timeout) return timed_out();
        if (io == Io::eof || io == Io::exited) {
          drain(from_child);
          child_ended = true;
        }
      }
    }
  }

  void shut_down_persistent() {
    if (!child.running()) return;
    detail::close_fd(to_child);  // EOF on stdin: a well-behaved child exits now
    const auto grace =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.kill_grace_seconds));
    if (!child.wait_until(Clock::now() + grace)) child.terminate_group(opt.kill_grace_seconds);
    child.kill_group();
    close_pipes();
  }

  // ---- per-call mode -----------------------------------------------------------------------------

  void parse_template() {
    for (const std::string& arg : opt.command) {
      std::vector<Segment> segs;
      std::size_t pos = 0;
      auto literal = [&](std::string_view t) {
        if (t.empty()) return;
        if (segs.empty() || segs.back().kind != Segment::literal) segs.push_back({Segment::literal, {}, 0});
        segs.back().text.append(t);
      };
      while (pos < arg.size()) {
        const std::size_t open = arg.find('{', pos);
        const std::size_t close = open == std::string::npos ? open : arg.find('}', open);
        if (close == std::string::npos) {
          literal(std::string_view(arg).substr(pos));
          break;
        }
        literal(std::string_view(arg).substr(pos, open - pos));
        const std::string key = arg.substr(open + 1, close - open - 1);
        if (key == "theta") {
          segs.push_back({Segment::theta_all, {}, 0});
        } else if (key == "seed") {
          segs.push_back({Segment::seed, {}, 0});
        } else if (key == "output") {
          segs.push_back({Segment::output, {}, 0});
          uses_output = true;
        } else if (key.starts_with("theta_") && key.size() > 6 &&
                   key.find_first_not_of("0123456789", 6) == std::string::npos) {
          const long i = std::strtol(key.c_str() + 6, nullptr, 10);
          if (i < 1 || i > theta_dim)
            throw ConfigError(make_message(name, "placeholder {" + key + "} in simulator.command",
                                           "{theta_1}..{theta_" + std::to_string(theta_dim) + "}", "{" + key + "}"));
          segs.push_back({Segment::theta_i, {}, static_cast<int>(i - 1)});
        } else {
          literal(std::string_view(arg).substr(open, close - open + 1));  // not ours: JSON, shell braces
        }
        pos = close + 1;
      }
      if (&arg == &opt.command.front())
        program_has_placeholder = std::any_of(segs.begin(), segs.end(), [](const Segment& s) { return s.kind != Segment::literal; });
      templ.push_back(std::move(segs));
    }
    argv.resize(templ.size());
  }

  void make_temp_dir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/nsbi-sim-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      throw SimulatorError(name + ": cannot create a temporary directory " + pattern + " (" + std::strerror(errno) + ")");
    temp_dir = pattern;
    output_path = temp_dir + "/x.txt";
  }

  void build_argv(std::uint64_t seed, const double* theta) {
    const std::span<const double> t(theta, static_cast<std::size_t>(theta_dim));
    for (std::size_t a = 0; a < templ.size(); ++a) {
      std::string& s = argv[a];
      s.clear();
      for (const Segment& seg : templ[a]) {
        switch (seg.kind) {
          case Segment::literal: s += seg.text; break;
          case Segment::theta_all: append_values(t, ',', s); break;
          case Segment::theta_i: append_values(t.subspan(static_cast<std::size_t>(seg.index), 1), ',', s); break;
          case Segment::seed: s += std::to_string(seed); break;
          case Segment::output: s += output_path; break;
        }
      }
    }
  }

  Ending simulate_per_call(std::uint64_t seed, const double* theta, double* xj) {
    build_argv(seed, theta);
    const std::string path = program_has_placeholder ? resolve_program(argv[0]) : program;
    if (uses_output) ::unlink(output_path.c_str());
    int out_pipe[2] = {-1, -1};
    if (!uses_output) make_pipe(out_pipe, name);
    // With {output}, the program's stdout goes to nsbi's stderr: nsbi's stdout stays clean.
    const int rc = child.start(path, argv, env.envp(), dev_null, uses_output ? STDERR_FILENO : out_pipe[1]);
    detail::close_fd(out_pipe[1]);
    if (rc != 0) {
      detail::close_fd(out_pipe[0]);
      throw SimulatorError(make_message(name, "command", "a program that can be started",
                                        "'" + path + "' (" + std::strerror(rc) + ")"));
    }
    ++started;
    from_child = out_pipe[0];
    in_end = 0;
    const auto until = deadline();
    if (from_child >= 0) {
      set_nonblocking(from_child);
      for (;;) {
        const Io io = read_some(from_child, until);
        if (io == Io::timeout) return timed_out();
        if (io == Io::eof || io == Io::exited) break;
      }
      drain(from_child);
    }
    if (!child.wait_until(until)) return timed_out();
    child.kill_group();  // stragglers the program left behind
    close_pipes();
    const int st = child.status();
    if (WIFSIGNALED(st)) return {SimStatus::crashed, detail::describe_wait_status(st)};
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return {SimStatus::error, detail::describe_wait_status(st)};
    if (uses_output && !read_output_file()) {
      const std::string what = "the output file " + output_path;
      if (!ever_answered)
        throw SimulatorError(make_message(name, "after its first call", "x written to {output}",
                                          "no file at " + output_path + " (exit code 0)"));
      return {SimStatus::error, "exited with code 0 but did not write " + what};
    }
    return accept_answer(std::string_view(in.data(), in_end), xj, join_command(argv));
  }

  bool read_output_file() {
    const int fd = ::open(output_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    in_end = 0;
    for (;;) {
      if (in_end == in.size()) {
        if (in.size() >= max_answer_bytes) break;
        in.resize(std::min(in.size() * 2, max_answer_bytes));
      }
      const ssize_t got = ::read(fd, in.data() + in_end, in.size() - in_end);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      in_end += static_cast<std::size_t>(got);
    }
    ::close(fd);
    return true;
  }
};

ExternalSimulator::ExternalSimulator(const SimulatorOptions& options, int theta_dim, int x_dim)
    : impl_(std::make_unique<Impl>(options, theta_dim, x_dim)) {}

ExternalSimulator::~ExternalSimulator() = default;

std::string ExternalSimulator::name() const { return impl_->name; }
int ExternalSimulator::theta_dim() const { return impl_->theta_dim; }
int ExternalSimulator::x_dim() const { return impl_->x_dim; }
long ExternalSimulator::children_started() const { return impl_->started; }
long ExternalSimulator::child_pid() const {
  return impl_->opt.mode == ExternalMode::persistent && impl_->child.running() ? impl_->child.pid() : 0;
}

const std::string& ExternalSimulator::message(std::size_t j) const {
  static const std::string none;
  return j < impl_->messages.size() ? impl_->messages[j] : none;
}

void ExternalSimulator::simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                                 Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) {
  Impl& m = *impl_;
  const auto n = static_cast<std::size_t>(theta.cols());
  detail::check_simulate_shapes(m.name, m.theta_dim, m.x_dim, theta, seeds.size(), x, status.size());
  if (m.messages.size() < n) m.messages.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    double* xj = x.col(static_cast<Eigen::Index>(j)).data();
    const double* tj = theta.col(static_cast<Eigen::Index>(j)).data();
    Impl::Ending e = m.opt.mode == ExternalMode::persistent ? m.simulate_persistent(seeds[j], tj, xj)
                                                            : m.simulate_per_call(seeds[j], tj, xj);
    status[j] = e.status;
    if (e.status != SimStatus::ok && e.status != SimStatus::non_finite) std::fill_n(xj, m.x_dim, kNaN);
    m.messages[j] = std::move(e.message);
  }
  for (std::size_t j = n; j < m.messages.size(); ++j) m.messages[j].clear();
}

}  // namespace nsbi
