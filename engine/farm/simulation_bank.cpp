#include "nsbi/farm/simulation_bank.hpp"

#include <span>

namespace nsbi {
namespace {

Eigen::MatrixXd ok_columns(const Eigen::MatrixXd& m, const std::vector<SimStatus>& status) {
  Eigen::Index n_ok = 0;
  for (SimStatus s : status) n_ok += s == SimStatus::ok;
  Eigen::MatrixXd out(m.rows(), n_ok);
  Eigen::Index k = 0;
  for (std::size_t i = 0; i < status.size(); ++i)
    if (status[i] == SimStatus::ok) out.col(k++) = m.col(static_cast<Eigen::Index>(i));
  return out;
}

}  // namespace

Eigen::MatrixXd SimulationBank::valid_theta() const { return ok_columns(theta, status); }
Eigen::MatrixXd SimulationBank::valid_x() const { return ok_columns(x, status); }

std::array<std::size_t, kNumSimStatus> SimulationBank::counts() const {
  std::array<std::size_t, kNumSimStatus> c{};
  for (SimStatus s : status) ++c[static_cast<std::size_t>(s)];
  return c;
}

std::size_t SimulationBank::retries() const {
  std::size_t r = 0;
  for (std::uint32_t a : attempts) r += a > 0 ? a - 1 : 0;
  return r;
}

void broadcast_bank(const mpi::Communicator& comm, SimulationBank& bank, int root) {
  std::int64_t shape[3] = {bank.theta.rows(), bank.x.rows(), static_cast<std::int64_t>(bank.size())};
  comm.broadcast(std::span<std::int64_t>(shape, 3), root);
  if (comm.rank() != root) {
    bank.theta.resize(shape[0], shape[2]);
    bank.x.resize(shape[1], shape[2]);
    bank.status.resize(static_cast<std::size_t>(shape[2]));
    bank.attempts.resize(static_cast<std::size_t>(shape[2]));
  }
  comm.broadcast(std::span<double>(bank.theta.data(), static_cast<std::size_t>(bank.theta.size())), root);
  comm.broadcast(std::span<double>(bank.x.data(), static_cast<std::size_t>(bank.x.size())), root);
  static_assert(sizeof(SimStatus) == sizeof(std::uint8_t));
  comm.broadcast(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(bank.status.data()), bank.status.size()),
                 root);
  comm.broadcast(std::span<std::uint32_t>(bank.attempts.data(), bank.attempts.size()), root);
}

}  // namespace nsbi
