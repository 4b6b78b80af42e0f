#pragma once
// The proposal p̃_r(θ) that round r draws its simulation parameters from (DESIGN.md §1, §4):
// the prior in round 0; later the posterior estimate at x_o restricted to the prior's support,
// the prior truncated to a high-density region, or an analytically corrected Gaussian.
//
// Draws are block-addressed: the draws of (seed, stream, round) form one fixed sequence, and
// sample(seed, stream, round, first, n) returns its elements first … first+n−1, whoever asks and
// in whatever order. Shapes: θ is D×N, one sample per column.
#include <Eigen/Core>
#include <cstdint>
#include <string>

#include "nsbi/core/random.hpp"
#include "nsbi/prior/prior.hpp"

namespace nsbi {

class Proposal {
 public:
  virtual ~Proposal() = default;
  virtual int dim() const = 0;
  virtual std::string describe() const = 0;
  /// Elements first … first+n−1 of the draw sequence of (seed, stream, round) → D×n.
  virtual Eigen::MatrixXd sample(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t first,
                                 Eigen::Index n) const = 0;
  /// log p̃(θ), normalised, for each column (D×N) → N; −inf outside the support.
  virtual Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const = 0;
  /// The support box (±inf where unbounded).
  virtual Eigen::VectorXd lower() const = 0;
  virtual Eigen::VectorXd upper() const = 0;
  /// Fraction of candidate draws that a restriction keeps (1 when there is none).
  virtual double acceptance() const { return 1.0; }
};

/// The prior as a proposal: draw i of (seed, stream, round) is Prior::sample's draw i.
class PriorProposal final : public Proposal {
 public:
  explicit PriorProposal(const Prior& prior) : prior_(prior) {}
  int dim() const override { return prior_.dim(); }
  std::string describe() const override { return "the prior"; }
  Eigen::MatrixXd sample(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t first,
                         Eigen::Index n) const override {
    return prior_.sample(seed, stream, round, first, n);
  }
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override {
    return prior_.log_prob(theta);
  }
  Eigen::VectorXd lower() const override { return prior_.lower(); }
  Eigen::VectorXd upper() const override { return prior_.upper(); }

 private:
  const Prior& prior_;
};

}  // namespace nsbi
