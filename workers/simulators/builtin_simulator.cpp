#include "workers/simulators/builtin_simulator.hpp"

#include <limits>

#include "nsbi/core/error.hpp"

namespace nsbi {

namespace {
void require(bool ok, const std::string& where, const std::string& what, long long expected, long long found) {
  if (!ok) throw ShapeError(make_message(where, what, std::to_string(expected), std::to_string(found)));
}
}  // namespace

void BuiltinSimulator::simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) {
  const std::string where = name_ + " simulator";
  const Eigen::Index n = theta.cols();
  require(theta.rows() == theta_dim_, where, "theta rows", theta_dim_, theta.rows());
  require(x.rows() == x_dim_, where, "x rows", x_dim_, x.rows());
  require(x.cols() == n, where, "x columns (= theta columns)", n, x.cols());
  require(static_cast<Eigen::Index>(seeds.size()) == n, where, "number of seeds (= theta columns)", n,
          static_cast<long long>(seeds.size()));
  require(static_cast<Eigen::Index>(status.size()) == n, where, "status length (= theta columns)", n,
          static_cast<long long>(status.size()));
  for (Eigen::Index j = 0; j < n; ++j) {
    if (!theta.col(j).allFinite()) {  // e.g. an ODE solver must not see NaN, a Bernoulli draw would hide it
      x.col(j).setConstant(std::numeric_limits<double>::quiet_NaN());
      status[j] = SimStatus::non_finite;
      continue;
    }
    RandomStream rng(seeds[j], StreamId::simulation, 0, 0);
    simulate_one(theta.col(j), rng, x.col(j));
    status[j] = x.col(j).allFinite() ? SimStatus::ok : SimStatus::non_finite;
  }
}

}  // namespace nsbi
