#pragma once
// Common frame of the builtin benchmark simulators (workers-internal): checks shapes, gives
// column j its own RandomStream(seeds[j], StreamId::simulation, 0, 0), and marks non-finite
// output; a column with a non-finite θ gets NaN x and status non_finite without simulate_one.
// A task only writes simulate_one, which must not allocate (it runs 10^5+ times).
#include <Eigen/Core>
#include <string>
#include <utility>

#include "nsbi/core/random.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi {

class BuiltinSimulator : public Simulator {
 public:
  BuiltinSimulator(std::string name, int theta_dim, int x_dim)
      : name_(std::move(name)), theta_dim_(theta_dim), x_dim_(x_dim) {}

  std::string name() const final { return name_; }
  int theta_dim() const final { return theta_dim_; }
  int x_dim() const final { return x_dim_; }

  /// Throws ShapeError if theta is not theta_dim×n, x not x_dim×n, or seeds/status not length n.
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) final;

 protected:
  /// x (length x_dim) ~ p(x | θ) (θ length theta_dim), drawing only from `rng`.
  virtual void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                            Eigen::Ref<Eigen::VectorXd> x) const = 0;

 private:
  std::string name_;
  int theta_dim_, x_dim_;
};

}  // namespace nsbi
