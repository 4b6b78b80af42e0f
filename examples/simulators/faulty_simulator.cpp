// faulty_simulator: an external simulator that fails on purpose, for the failure-handling tests.
//
// Whether a call crashes, hangs or prints NaN is decided from its seed alone (deterministic), so
// a retry with the same seed fails the same way, unless --transient is given.
//
//   faulty_simulator [options]                      persistent protocol on stdin/stdout
//   faulty_simulator --seed S --theta T1,T2,... [--output FILE] [options]   one call (per-call mode)
//
// Options:
//   --crash P        fraction of seeds that segfault (raise SIGSEGV, no core file)   default 0.02
//   --hang P         fraction of seeds that hang forever                              default 0.01
//   --nan P          fraction of seeds whose answer has NaN as x_1                    default 0.01
//   --x-dim K        values per answer (default: the number of θ values)
//   --noise S        x_i = θ_(i mod D) + S·u_i with u_i uniform on [-1, 1] from the seed; default 0.1
//                    (0 echoes θ exactly: the round-trip test)
//   --transient DIR  fail only on the first attempt of a seed: a marker file DIR/<seed> is
//                    created before failing, so a retry succeeds
//   --sleep-ms M     sleep M milliseconds per call before answering
//   --ignore-term    ignore SIGTERM (only SIGKILL stops it)
//   --grandchild-pidfile FILE   start a grandchild (sleeps forever, same process group) and
//                    write its pid to FILE
// Faults are drawn in the order crash, hang, nan from one uniform number u(seed):
// u < crash → crash; u < crash + hang → hang; u < crash + hang + nan → NaN.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

struct Options {
  double crash = 0.02, hang = 0.01, nan = 0.01, noise = 0.1;
  int x_dim = 0;
  long sleep_ms = 0;
  std::string transient_dir, output, theta, grandchild_pidfile;
  bool per_call = false;
  std::uint64_t seed = 0;
};

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double unit(std::uint64_t& state) { return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53; }

[[noreturn]] void usage(const char* what) {
  std::fprintf(stderr, "faulty_simulator: %s (see the comment at the top of faulty_simulator.cpp)\n", what);
  std::exit(2);
}

bool first_attempt(const Options& o, std::uint64_t seed) {
  if (o.transient_dir.empty()) return true;
  const std::string marker = o.transient_dir + "/" + std::to_string(seed);
  const int fd = ::open(marker.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (fd < 0) return false;  // EEXIST: this seed already failed once
  ::close(fd);
  return true;
}

/// Computes x for (seed, θ) into `line` (with '\n'), or crashes / hangs as the seed says.
void simulate(const Options& o, std::uint64_t seed, const std::vector<double>& theta, std::string& line) {
  std::uint64_t state = seed ^ 0x6a09e667f3bcc908ULL;
  const double u = unit(state);
  if (o.sleep_ms > 0) ::usleep(static_cast<useconds_t>(o.sleep_ms * 1000));
  const bool faulty = u < o.crash + o.hang + o.nan && first_attempt(o, seed);
  if (faulty && u < o.crash) {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    std::fflush(stdout);
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
  }
  if (faulty && u < o.crash + o.hang)
    for (;;) ::pause();
  const bool nan = faulty;  // the remaining faulty band is the NaN one
  const std::size_t d = theta.size();
  const int k = o.x_dim > 0 ? o.x_dim : static_cast<int>(d);
  line.clear();
  char buf[40];
  for (int i = 0; i < k; ++i) {
    double x = d > 0 ? theta[static_cast<std::size_t>(i) % d] : 0.0;
    x += o.noise * (2.0 * unit(state) - 1.0);
    if (i == 0 && nan) x = std::numeric_limits<double>::quiet_NaN();
    if (i > 0) line.push_back(' ');
    line.append(buf, std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 17).ptr);
  }
  line.push_back('\n');
}

bool parse_doubles(const char* p, const char* end, std::vector<double>& out) {
  out.clear();
  while (p < end) {
    while (p < end && (*p == ' ' || *p == ',' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
    if (p == end) break;
    double v = 0;
    auto [q, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) return false;
    out.push_back(v);
    p = q;
  }
  return true;
}

void start_grandchild(const std::string& pidfile) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  FILE* f = std::fopen(pidfile.c_str(), "w");
  if (f == nullptr) usage("cannot write --grandchild-pidfile");
  std::fprintf(f, "%d\n", static_cast<int>(pid));
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--crash") o.crash = std::atof(value());
    else if (a == "--hang") o.hang = std::atof(value());
    else if (a == "--nan") o.nan = std::atof(value());
    else if (a == "--noise") o.noise = std::atof(value());
    else if (a == "--x-dim") o.x_dim = std::atoi(value());
    else if (a == "--sleep-ms") o.sleep_ms = std::atol(value());
    else if (a == "--transient") o.transient_dir = value();
    else if (a == "--output") o.output = value();
    else if (a == "--theta") o.theta = value();
    else if (a == "--grandchild-pidfile") o.grandchild_pidfile = value();
    else if (a == "--ignore-term") std::signal(SIGTERM, SIG_IGN);
    else if (a == "--seed") {
      o.per_call = true;
      o.seed = std::strtoull(value(), nullptr, 10);
    } else usage(("unknown option " + a).c_str());
  }
  if (!o.grandchild_pidfile.empty()) start_grandchild(o.grandchild_pidfile);

  std::vector<double> theta;
  std::string out;
  if (o.per_call) {
    if (!parse_doubles(o.theta.data(), o.theta.data() + o.theta.size(), theta)) usage("bad --theta");
    simulate(o, o.seed, theta, out);
    FILE* f = o.output.empty() ? stdout : std::fopen(o.output.c_str(), "w");
    if (f == nullptr) usage("cannot write --output");
    std::fputs(out.c_str(), f);
    return std::fclose(f) == 0 ? 0 : 1;
  }

  // Persistent: one request line in, one answer line out, flushed at once.
  std::string line;
  char* buf = nullptr;
  std::size_t cap = 0;
  ssize_t len;
  while ((len = ::getline(&buf, &cap, stdin)) > 0) {
    char* end = buf + len;
    char* p = buf;
    std::uint64_t seed = 0;
    auto [q, ec] = std::from_chars(p, end, seed);
    if (ec != std::errc() || !parse_doubles(q, end, theta)) {
      std::fprintf(stderr, "faulty_simulator: cannot parse request '%.*s'\n", static_cast<int>(len), buf);
      return 3;
    }
    simulate(o, seed, theta, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }
  std::free(buf);
  return 0;
}
