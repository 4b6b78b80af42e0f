#include "nsbi/inference/restricted_proposal.hpp"

#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"

namespace nsbi {

void RestrictedProposal::estimate_normalizer(std::uint64_t seed, std::uint32_t round, const std::string& what) {
  std::int64_t drawn = 0, kept = 0;
  std::vector<char> ok;
  // At least normalizer_draws candidates and 1,000 accepted ones (a ~3 % relative error of Z),
  // within max_draws.
  for (std::uint64_t b = 0; (drawn < opt_.normalizer_draws || kept < 1000) && drawn < opt_.max_draws; ++b) {
    RandomStream rng(seed, StreamId::normalizer, round, b);
    const Eigen::MatrixXd c = candidates(rng, opt_.block_size);
    accept(c, ok);
    for (char a : ok) kept += a != 0;
    drawn += c.cols();
  }
  if (kept == 0)
    throw NumericalError(make_message(what + ", round " + std::to_string(round), "accepted candidate draws",
                                      "at least one", "none of " + std::to_string(drawn)));
  acceptance_ = static_cast<double>(kept) / static_cast<double>(drawn);
  log_z_ = std::log(acceptance_);
}

Eigen::MatrixXd RestrictedProposal::sample(std::uint64_t seed, StreamId stream, std::uint32_t round,
                                           std::uint64_t first, Eigen::Index n) const {
  std::lock_guard lock(mutex_);
  Sequence& seq = cache_[{seed, static_cast<std::uint32_t>(stream), round}];
  const auto need = static_cast<std::size_t>((first + static_cast<std::uint64_t>(n)) * static_cast<std::uint64_t>(dim_));
  std::vector<char> ok;
  std::int64_t drawn = 0;
  while (seq.accepted.size() < need) {
    if (drawn >= opt_.max_draws)
      throw NumericalError(make_message(describe() + ", round " + std::to_string(round), "accepted draws",
                                        std::to_string(first + n), std::to_string(seq.accepted.size() / dim_) +
                                                                       " after " + std::to_string(drawn) + " candidates"));
    RandomStream rng(seed, stream, round, seq.next_block++);
    const Eigen::MatrixXd c = candidates(rng, opt_.block_size);
    accept(c, ok);
    for (Eigen::Index j = 0; j < c.cols(); ++j)
      if (ok[j]) seq.accepted.insert(seq.accepted.end(), c.col(j).data(), c.col(j).data() + dim_);
    drawn += c.cols();
  }
  return Eigen::Map<const Eigen::MatrixXd>(seq.accepted.data() + first * dim_, dim_, n);
}

Eigen::VectorXd RestrictedProposal::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  Eigen::VectorXd lp = base_log_prob(theta);
  std::vector<char> ok;
  accept(theta, ok);
  for (Eigen::Index j = 0; j < lp.size(); ++j)
    lp(j) = ok[j] ? lp(j) - log_z_ : -std::numeric_limits<double>::infinity();
  return lp;
}

}  // namespace nsbi
