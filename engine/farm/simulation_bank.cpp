#include "nsbi/farm/simulation_bank.hpp"

#include <limits>
#include <span>

#include "nsbi/mpi/node_shared.hpp"

namespace nsbi {
namespace {

template <class M>
Eigen::MatrixXd columns(const M& m, const std::vector<std::size_t>& rows) {
  Eigen::MatrixXd out(m.rows(), static_cast<Eigen::Index>(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k)
    out.col(static_cast<Eigen::Index>(k)) = m.col(static_cast<Eigen::Index>(rows[k])).template cast<double>();
  return out;
}

}  // namespace

BankX::BankX(Eigen::Index rows, Eigen::Index cols)
    : local_(std::make_shared<std::vector<float>>(static_cast<std::size_t>(rows * cols),
                                                  std::numeric_limits<float>::quiet_NaN())),
      data_(local_->data()),
      rows_(rows),
      cols_(cols) {}

BankX BankX::from(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  BankX b(x.rows(), x.cols());
  b.writable() = x.cast<float>();
  return b;
}

BankX BankX::shared(const mpi::Communicator& comm, Eigen::Index rows, Eigen::Index cols) {
  BankX b;
  b.shared_ = std::make_shared<mpi::NodeSharedFloats>(comm, static_cast<std::size_t>(rows * cols));
  b.data_ = b.shared_->data();
  b.rows_ = rows;
  b.cols_ = cols;
  return b;
}

bool BankX::writer() const { return !shared_ || shared_->leader(); }

BankX BankX::columns(Eigen::Index first, Eigen::Index count) const {
  BankX b = *this;
  b.data_ = data_ ? data_ + first * rows_ : nullptr;
  b.cols_ = count;
  return b;
}

bool BankX::shares_storage(const BankX& o) const {
  return (local_ && local_ == o.local_) || (shared_ && shared_ == o.shared_);
}

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
  BankX joined(o.x.rows(), n + m);
  if (x.cols() == n) joined.writable().leftCols(n) = x.matrix();
  joined.writable().rightCols(m) = o.x.matrix();
  x = joined;
  append_rows(o);
}

void SimulationBank::append_rows(const SimulationBank& o) {
  if (o.size() == 0) return;
  if (size() == 0) {
    theta = o.theta;
  } else {
    const Eigen::Index n = theta.cols(), m = o.theta.cols();
    theta.conservativeResize(Eigen::NoChange, n + m);
    theta.rightCols(m) = o.theta;
  }
  status.insert(status.end(), o.status.begin(), o.status.end());
  attempts.insert(attempts.end(), o.attempts.begin(), o.attempts.end());
  round.insert(round.end(), o.round.begin(), o.round.end());
  log_proposal.insert(log_proposal.end(), o.log_proposal.begin(), o.log_proposal.end());
}

void broadcast_bank(const mpi::Communicator& comm, SimulationBank& bank, int root, bool with_x) {
  std::int64_t shape[4] = {bank.theta.rows(), bank.x.rows(), static_cast<std::int64_t>(bank.size()),
                           bank.round.size() == bank.size() && bank.log_proposal.size() == bank.size() ? 1 : 0};
  comm.broadcast(std::span<std::int64_t>(shape, 4), root);
  if (comm.rank() != root) {
    bank.theta.resize(shape[0], shape[2]);
    if (with_x) bank.x = BankX(shape[1], shape[2]);
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
  if (with_x) comm.broadcast(std::span<float>(bank.x.writable().data(), static_cast<std::size_t>(bank.x.writable().size())), root);
  static_assert(sizeof(SimStatus) == sizeof(std::uint8_t));
  comm.broadcast(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(bank.status.data()), bank.status.size()),
                 root);
  comm.broadcast(std::span<std::uint32_t>(bank.attempts.data(), bank.attempts.size()), root);
}

}  // namespace nsbi
