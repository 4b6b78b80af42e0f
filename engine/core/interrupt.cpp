#include "nsbi/core/interrupt.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdint>

namespace nsbi {

namespace {

volatile std::sig_atomic_t g_signal = 0;  // the first stop signal
volatile std::sig_atomic_t g_sigints = 0;

extern "C" void on_stop_signal(int sig) {
  if (sig == SIGINT) {
    if (g_sigints != 0) ::_exit(130);  // a second Ctrl-C: at once
    g_sigints = 1;
  }
  if (g_signal == 0) g_signal = sig;
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // blocking reads and waits continue; the flag is polled
  for (const int sig : {SIGTERM, SIGUSR1, SIGINT}) ::sigaction(sig, &sa, nullptr);
}

bool interrupt_requested() { return g_signal != 0; }
int interrupt_signal() { return g_signal; }
void request_interrupt(int signal_number) { g_signal = signal_number; }
void clear_interrupt() {
  g_signal = 0;
  g_sigints = 0;
}

bool agree_interrupt(const mpi::Communicator& comm) {
  std::int32_t mine = interrupt_requested() ? 1 : 0;
  comm.allreduce(std::span<std::int32_t>(&mine, 1), mpi::Op::max);
  return mine != 0;
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    case SIGINT: return "SIGINT";
    default: return "signal " + std::to_string(sig);
  }
}

}  // namespace nsbi
