#include "nsbi/farm/farm_channel.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

namespace nsbi::farm {

FarmChannel::FarmChannel(const mpi::Communicator& comm) : comm_(comm.duplicate()) {}

FarmChannel::~FarmChannel() {
  if (std::uncaught_exceptions() > 0) {
    // Unwinding on this rank only: the receivers of the posted sends may never take them, so
    // waiting could block forever. Their buffers stay allocated for MPI (the process is failing)
    // in a list that lives until exit, reachable, so LeakSanitizer does not report them as
    // leaked; the communicator is not freed (free_duplicate).
    static auto* const abandoned = new std::list<Posted>();
    abandoned->splice(abandoned->end(), posted_);
  } else {
    complete_posted();
  }
  comm_.free_duplicate();
}

MPI_Status FarmChannel::wait(int source, const std::function<void()>& idle, double idle_seconds) {
  using Clock = std::chrono::steady_clock;
  constexpr int kSpins = 100;  // a message due within microseconds is taken without sleeping
  constexpr auto kMaxSleep = std::chrono::microseconds(250);
  MPI_Status st;
  auto sleep = std::chrono::microseconds(0);
  auto last_idle = Clock::now();
  for (int spins = 0;; ++spins) {
    int flag = 0;
    MPI_Iprobe(source, MPI_ANY_TAG, comm_.native(), &flag, &st);
    if (flag) return st;
    if (spins < kSpins) continue;
    sleep = std::min(kMaxSleep, std::max(std::chrono::microseconds(2), sleep * 2));
    std::this_thread::sleep_for(sleep);
    if (idle && Clock::now() - last_idle >= std::chrono::duration<double>(idle_seconds)) {
      idle();
      last_idle = Clock::now();
    }
  }
}

bool FarmChannel::pending(int source, FarmTag tag) const {
  int flag = 0;
  MPI_Iprobe(source, tag_value(tag), comm_.native(), &flag, MPI_STATUS_IGNORE);
  return flag != 0;
}

std::string FarmChannel::receive_text(const MPI_Status& envelope) const {
  const std::vector<char> chars = receive<char>(envelope);
  return std::string(chars.begin(), chars.end());
}

void FarmChannel::send_text(int dest, FarmTag tag, const std::string& text) const {
  send(dest, tag, std::span<const char>(text.data(), text.size()));
}

FarmChannel::Posted& FarmChannel::new_posted() {
  // Forget the sends that have completed (at most a few per worker are pending).
  for (auto it = posted_.begin(); it != posted_.end();) {
    int done = 0;
    MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    it = done ? posted_.erase(it) : std::next(it);
  }
  return posted_.emplace_back();
}

void FarmChannel::post(int dest, FarmTag tag, std::vector<double> data) {
  Posted& p = new_posted();
  p.data = std::move(data);
  MPI_Isend(p.data.data(), static_cast<int>(p.data.size()), MPI_DOUBLE, dest, tag_value(tag), comm_.native(),
            &p.request);
}

void FarmChannel::post_text(int dest, FarmTag tag, std::string text) {
  Posted& p = new_posted();
  p.text = std::move(text);
  MPI_Isend(p.text.data(), static_cast<int>(p.text.size()), MPI_CHAR, dest, tag_value(tag), comm_.native(),
            &p.request);
}

void FarmChannel::complete_posted() {
  for (Posted& p : posted_) MPI_Wait(&p.request, MPI_STATUS_IGNORE);
  posted_.clear();
}

}  // namespace nsbi::farm
