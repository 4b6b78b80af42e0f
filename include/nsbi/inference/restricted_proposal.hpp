#pragma once
// A proposal made of candidates and a test: a base distribution g(θ) drawn in blocks and
// restricted to the set A where accept(θ) holds, p̃(θ) = g(θ)·1_A(θ) / Z with Z = ∫_A g.
//
// Block b of (seed, stream, round) holds `block_size` candidates from RandomStream(seed, stream,
// round, b); the accepted ones, concatenated in block order, are the draw sequence. Z is
// estimated once, at construction, from candidates of the separate stream
// (seed, normalizer, round, ·), so log_prob does not depend on what was sampled before.
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "nsbi/inference/proposal.hpp"

namespace nsbi {

class RestrictedProposal : public Proposal {
 public:
  Eigen::MatrixXd sample(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t first,
                         Eigen::Index n) const override;
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  double acceptance() const override { return acceptance_; }
  /// log Z (the estimate used by log_prob).
  double log_normalizer() const { return log_z_; }

  struct Options {
    Eigen::Index block_size = 4096;
    std::int64_t normalizer_draws = 20000;   // candidates for the Z estimate (at least)
    std::int64_t max_draws = 100000000;     // candidates before giving up (acceptance ≈ 0)
  };

 protected:
  RestrictedProposal(int dim, const Options& options) : dim_(dim), opt_(options) {}
  /// Estimates Z; call at the end of the derived constructor. `what` names the proposal in the
  /// error raised when no candidate of max_draws is accepted.
  void estimate_normalizer(std::uint64_t seed, std::uint32_t round, const std::string& what);

  /// n candidates from g into D×n, using only `rng`.
  virtual Eigen::MatrixXd candidates(RandomStream& rng, Eigen::Index n) const = 0;
  /// accepted(j) = 1 if column j of θ lies in A.
  virtual void accept(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::vector<char>& accepted) const = 0;
  /// log g(θ) per column (−inf outside g's support); A is applied by log_prob.
  virtual Eigen::VectorXd base_log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const = 0;

  int dim_;
  Options opt_;

 private:
  struct Sequence {
    std::vector<double> accepted;  // column-major D×k
    std::uint64_t next_block = 0;
  };
  double acceptance_ = 1.0, log_z_ = 0.0;
  mutable std::mutex mutex_;
  mutable std::map<std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>, Sequence> cache_;
};

}  // namespace nsbi
