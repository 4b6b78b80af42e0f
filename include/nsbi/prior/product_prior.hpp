#pragma once
// Independent product of priors: θ = (θ_1, …, θ_K) concatenated, p(θ) = Π_k p_k(θ_k).
// Support, bijection (block-diagonal Jacobian, so log|det J| adds), mean and stddev are the
// parts' own, concatenated. A draw takes the parts' draws in order from the same stream.
#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "nsbi/prior/prior.hpp"

namespace nsbi {

class ProductPrior final : public Prior {
 public:
  /// parts: at least one, none null. Throws ConfigError otherwise.
  explicit ProductPrior(std::vector<std::unique_ptr<Prior>> parts);

  using Prior::sample;
  int dim() const override { return dim_; }
  std::string describe() const override;
  void sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const override;
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd lower() const override;
  Eigen::VectorXd upper() const override;
  Eigen::MatrixXd from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const override;
  Eigen::MatrixXd to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const override;
  Eigen::VectorXd mean() const override;
  Eigen::VectorXd stddev() const override;

  const std::vector<std::unique_ptr<Prior>>& parts() const { return parts_; }
  /// First row of part k inside θ.
  int offset(std::size_t k) const { return offsets_[k]; }

 private:
  using VectorFn = Eigen::VectorXd (Prior::*)() const;
  using ColumnwiseFn = Eigen::MatrixXd (Prior::*)(const Eigen::Ref<const Eigen::MatrixXd>&) const;
  using ReduceFn = Eigen::VectorXd (Prior::*)(const Eigen::Ref<const Eigen::MatrixXd>&) const;
  /// The parts' f() stacked into one D-vector.
  Eigen::VectorXd stack(VectorFn f) const;
  /// The parts' f applied to their row blocks of `in`, stacked (D×N).
  Eigen::MatrixXd blockwise(ColumnwiseFn f, const Eigen::Ref<const Eigen::MatrixXd>& in) const;
  /// The parts' f on their row blocks of `in`, summed (N values).
  Eigen::VectorXd sum_over_parts(ReduceFn f, const Eigen::Ref<const Eigen::MatrixXd>& in) const;

  std::vector<std::unique_ptr<Prior>> parts_;
  std::vector<int> offsets_;
  int dim_ = 0;
};

}  // namespace nsbi
