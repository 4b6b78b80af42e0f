#pragma once
// Prior distributions p(θ). Shapes: θ is one sample per column, D×N (DESIGN.md §4).
#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>

#include "nsbi/core/random.hpp"

namespace nsbi {

class Prior {
 public:
  virtual ~Prior() = default;

  /// Dimension D of θ.
  virtual int dim() const = 0;
  virtual std::string describe() const = 0;

  /// One draw θ ~ p(θ) into `theta` (length D), using only `rng`.
  virtual void sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const = 0;

  /// log p(θ) for each column of `theta` (D×N) → N values; -inf outside the support.
  virtual Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const = 0;

  /// Per-dimension support bounds (±inf where unbounded); the support is their box.
  virtual Eigen::VectorXd lower() const = 0;
  virtual Eigen::VectorXd upper() const = 0;
  /// True when every dimension has finite bounds on both sides.
  bool bounded() const;
  /// True if every coordinate of θ (length D) lies in the support.
  bool in_support(const Eigen::Ref<const Eigen::VectorXd>& theta) const;

  /// Bijection T from unconstrained R^D onto the support: θ = T(u) per column (D×N).
  virtual Eigen::MatrixXd from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const = 0;
  /// Its inverse u = T⁻¹(θ) (θ inside the support).
  virtual Eigen::MatrixXd to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const = 0;
  /// log |det ∂T(u)/∂u| per column → N values.
  virtual Eigen::VectorXd log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const = 0;

  /// Mean and standard deviation per dimension (closed form).
  virtual Eigen::VectorXd mean() const = 0;
  virtual Eigen::VectorXd stddev() const = 0;

  /// N draws (D×N); draw n uses stream (seed, stream, round, first_index + n), so any block of
  /// draws is reproducible on its own.
  Eigen::MatrixXd sample(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t first_index,
                         Eigen::Index n) const;
};

}  // namespace nsbi
