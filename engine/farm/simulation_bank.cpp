#include "nsbi/farm/simulation_bank.hpp"

#include <span>

namespace nsbi {
namespace {

Eigen::MatrixXd columns(const Eigen::MatrixXd& m, const std::vector<std::size_t>& rows) {
  Eigen::MatrixXd out(m.rows(), static_cast<Eigen::Index>(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k)
    out.col(static_cast<Eigen::Index>(k)) = m.col(static_cast<Eigen::Index>(rows[k]));
  return out;
}

}  // namespace

std::vector<std::size_t> SimulationBank::valid_rows(const std::uint32_t* only_round) const {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < size(); ++i)
    if (status[i] == SimStatus::ok && (!only_round || (round.empty() ? 0u : round[i]) == *only_round))
      rows.push_back(i);
  return rows;
}
Eigen::MatrixXd SimulationBank::theta_of(const std::vector<std::size_t>& rows) const { return columns(theta, rows); }
Eigen::MatrixXd SimulationBank::x_of(const std::vector<std::size_t>& rows) const { return columns(x, rows); }
Eigen::MatrixXd SimulationBank::valid_theta() const { return theta_of(valid_rows()); }
Eigen::MatrixXd SimulationBank::valid_x() const { return x_of(valid_rows()); }

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

std::vector<std::size_t> SimulationBank::rows_of_round(std::uint32_t r) const {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < size(); ++i)
    if (round.empty() || round[i] == r) rows.push_back(i);
  return rows;
}

void SimulationBank::append(const SimulationBank& o) {
  if (o.size() == 0) return;
  if (size() == 0) {
    *this = o;
    return;
  }
  const Eigen::Index n = theta.cols(), m = o.theta.cols();
  theta.conservativeResize(Eigen::NoChange, n + m);
  theta.rightCols(m) = o.theta;
  x.conservativeResize(Eigen::NoChange, n + m);
  x.rightCols(m) = o.x;
  status.insert(status.end(), o.status.begin(), o.status.end());
  attempts.insert(attempts.end(), o.attempts.begin(), o.attempts.end());
  round.insert(round.end(), o.round.begin(), o.round.end());
  log_proposal.insert(log_proposal.end(), o.log_proposal.begin(), o.log_proposal.end());
}

void broadcast_bank(const mpi::Communicator& comm, SimulationBank& bank, int root) {
  std::int64_t shape[4] = {bank.theta.rows(), bank.x.rows(), static_cast<std::int64_t>(bank.size()),
                           bank.round.size() == bank.size() && bank.log_proposal.size() == bank.size() ? 1 : 0};
  comm.broadcast(std::span<std::int64_t>(shape, 4), root);
  if (comm.rank() != root) {
    bank.theta.resize(shape[0], shape[2]);
    bank.x.resize(shape[1], shape[2]);
    bank.status.resize(static_cast<std::size_t>(shape[2]));
    bank.attempts.resize(static_cast<std::size_t>(shape[2]));
    bank.round.resize(shape[3] ? static_cast<std::size_t>(shape[2]) : 0);
    bank.log_proposal.resize(shape[3] ? static_cast<std::size_t>(shape[2]) : 0);
  }
  if (shape[3]) {
    comm.broadcast(std::span<std::uint32_t>(bank.round.data(), bank.round.size()), root);
    comm.broadcast(std::span<double>(bank.log_proposal.data(), bank.log_proposal.size()), root);
  }
  comm.broadcast(std::span<double>(bank.theta.data(), static_cast<std::size_t>(bank.theta.size())), root);
  comm.broadcast(std::span<double>(bank.x.data(), static_cast<std::size_t>(bank.x.size())), root);
  static_assert(sizeof(SimStatus) == sizeof(std::uint8_t));
  comm.broadcast(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(bank.status.data()), bank.status.size()),
                 root);
  comm.broadcast(std::span<std::uint32_t>(bank.attempts.data(), bank.attempts.size()), root);
}

}  // namespace nsbi
