#include "nsbi/mpi/exit_gate.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace nsbi::mpi {

namespace {

void print_line(const std::string& message) {
  if (message.empty()) return;  // printed already (CLI11 prints its own parse errors)
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
}

}  // namespace

ExitGate::ExitGate(const Communicator& comm) : comm_(comm.duplicate()) {}

ExitGate::~ExitGate() { comm_.free_duplicate(); }

int ExitGate::leave(int code, const std::string& message, double grace_seconds) {
  using Clock = std::chrono::steady_clock;
  const int P = comm_.size(), r = comm_.rank();
  int lowest_failed = code != 0 ? r : P;
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Iallreduce(MPI_IN_PLACE, &lowest_failed, 1, MPI_INT, MPI_MIN, comm_.native(), &request);
  const auto deadline = Clock::now() + std::chrono::duration<double>(grace_seconds);
  for (auto sleep = std::chrono::microseconds(1);;) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) break;
    if (code != 0 && Clock::now() >= deadline) {
      // The others are not coming: they wait for this rank somewhere else.
      print_line(message);
      MPI_Abort(MPI_COMM_WORLD, code);
    }
    std::this_thread::sleep_for(sleep);  // leave the cores to ranks still at work
    sleep = std::min(sleep * 2, std::chrono::microseconds(20000));
  }
  if (code != 0 && lowest_failed == r) print_line(message);
  return code;
}

}  // namespace nsbi::mpi
