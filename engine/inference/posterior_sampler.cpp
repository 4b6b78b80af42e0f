#include "nsbi/inference/posterior_sampler.hpp"

#include <algorithm>
#include <span>

namespace nsbi {

PosteriorSamples sample_posterior(std::span<nn::ConditionalDensityEstimator<float>* const> q,
                                  const Eigen::VectorXd& x_o, const Prior& prior, const RejectionOptions& opt,
                                  const mpi::Communicator& comm) {
  const int D = q.front()->target_dim(), P = comm.size(), r = comm.rank();
  const auto K = static_cast<Eigen::Index>(q.size());
  const Eigen::Index per_member = (opt.block + K - 1) / K, block = per_member * K;
  const nn::Vec<float> c = x_o.cast<float>();
  PosteriorSamples out;
  std::vector<double> accepted;  // column-major D×k, in block order
  accepted.reserve(static_cast<std::size_t>(opt.samples * D));
  std::int64_t n_accepted_total = 0;  // accepted in consumed blocks (before the cut at n)
  std::vector<double> mine;
  std::vector<std::int64_t> counts;
  for (std::int64_t pass = 0; n_accepted_total < opt.samples && out.draws < opt.max_draws; ++pass) {
    // Blocks pass·P … pass·P+P−1, block pass·P+r on rank r; member k of block b draws from
    // stream (b·K + k), and its draws fill columns k, k+K, k+2K, … of the block.
    const auto b = static_cast<std::uint64_t>(pass * P + r);
    Eigen::MatrixXd y(D, block);
    for (Eigen::Index k = 0; k < K; ++k) {
      RandomStream rng(opt.seed, StreamId::posterior, opt.round, b * static_cast<std::uint64_t>(K) + k);
      const Eigen::MatrixXd yk = q[k]->sample(c, per_member, rng).cast<double>();
      for (Eigen::Index j = 0; j < per_member; ++j) y.col(j * K + k) = yk.col(j);
    }
    if (opt.unconstrained) y = prior.from_unconstrained(y);
    mine.clear();
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
      const auto t = y.col(j);
      if (t.allFinite() && prior.in_support(t)) mine.insert(mine.end(), t.data(), t.data() + D);
    }
    const auto all = comm.allgather_blocks<double>(mine, &counts);
    // Consume blocks in order, exactly as a serial loop would, stopping once n are accepted.
    std::size_t offset = 0;
    for (int b = 0; b < P && n_accepted_total < opt.samples && out.draws < opt.max_draws; ++b) {
      accepted.insert(accepted.end(), all.begin() + offset, all.begin() + offset + counts[b]);
      offset += counts[b];
      n_accepted_total += counts[b] / D;
      out.draws += block;
    }
  }
  out.acceptance = out.draws ? static_cast<double>(n_accepted_total) / static_cast<double>(out.draws) : 0.0;
  const std::int64_t n = std::min(n_accepted_total, opt.samples);
  out.truncated = n_accepted_total < opt.samples;
  out.theta = Eigen::Map<const Eigen::MatrixXd>(accepted.data(), D, n);
  return out;
}

}  // namespace nsbi
