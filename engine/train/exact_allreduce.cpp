#include "nsbi/train/exact_allreduce.hpp"

#include <mpi.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/train/fixed_point.hpp"

namespace nsbi::train {

namespace {

constexpr int kRingTag = 0x4e53;

// Word offset of an element in wire_: scaled rows take one word, the others two.
Eigen::Index wire_word(Eigen::Index element, Eigen::Index head) {
  return element < head ? element : head + 2 * (element - head);
}

}  // namespace

ExactAllreduce::ExactAllreduce(const mpi::Communicator& comm) : comm_(comm.duplicate()) {}

ExactAllreduce::~ExactAllreduce() { comm_.free_duplicate(); }

template <typename T>
void ExactAllreduce::sum(const Eigen::Ref<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>& shards,
                         std::int64_t total_shards, Eigen::Ref<Eigen::VectorXd> out) {
  const Eigen::Index L = out.size();
  double max_abs = shards.size() ? static_cast<double>(shards.cwiseAbs().maxCoeff()) : 0.0;
  if (!std::isfinite(max_abs)) max_abs = std::numeric_limits<double>::infinity();
  double t0 = MPI_Wtime();
  max_abs = comm_.allreduce(max_abs, mpi::Op::max);
  comm_seconds_ += MPI_Wtime() - t0;
  if (!std::isfinite(max_abs)) throw NumericalError("gradient allreduce: finite values expected, got NaN or inf");
  const int E = fixed_point_exponent(max_abs, total_shards);
  acc_.assign(static_cast<std::size_t>(L), 0);
  for (Eigen::Index s = 0; s < shards.cols(); ++s)
    accumulate_fixed<T>(std::span<const T>(shards.col(s).data(), static_cast<std::size_t>(L)), E, acc_);
  t0 = MPI_Wtime();
  if (comm_.size() > 1) comm_.allreduce(std::span<std::int64_t>(acc_), mpi::Op::sum);
  comm_seconds_ += MPI_Wtime() - t0;
  const double inv_scale = std::ldexp(1.0, -E);
  for (Eigen::Index i = 0; i < L; ++i) out(i) = static_cast<double>(acc_[static_cast<std::size_t>(i)]) * inv_scale;
}

template void ExactAllreduce::sum<float>(const Eigen::Ref<const Eigen::MatrixXf>&, std::int64_t, Eigen::Ref<Eigen::VectorXd>);
template void ExactAllreduce::sum<double>(const Eigen::Ref<const Eigen::MatrixXd>&, std::int64_t, Eigen::Ref<Eigen::VectorXd>);

void ExactAllreduce::layout(Eigen::Index rows, Eigen::Index head) {
  if (rows == rows_ && head == head_) return;
  rows_ = rows;
  head_ = head;
  elements_ = rows + 2 + kWindow;
  const int P = comm_.size();
  segment_ = (elements_ + P - 1) / P;
  ring_.assign(static_cast<std::size_t>(P * segment_), 0);
  recv_.assign(static_cast<std::size_t>(std::max(1, P / 2) * segment_), 0);  // the most one exchange receives
  wire_.assign(static_cast<std::size_t>(wire_word(elements_, head)), 0.0f);
  wire_count_.resize(P);
  wire_displ_.resize(P);
  for (int p = 0; p < P; ++p) {
    const Eigen::Index lo = std::min(elements_, p * segment_), hi = std::min(elements_, (p + 1) * segment_);
    wire_displ_[p] = static_cast<int>(4 * wire_word(lo, head));
    wire_count_[p] = static_cast<int>(4 * (wire_word(hi, head) - wire_word(lo, head)));
  }
}

std::int64_t ExactAllreduce::wire_int(Eigen::Index element) const {
  std::int64_t q;
  std::memcpy(&q, wire_.data() + wire_word(element, head_), sizeof q);
  return q;
}

void ExactAllreduce::reduce_scatter() {
  // Leaves in segment r of ring_ the sum over all ranks of their segment r. Integer sums: exact
  // in any order, so the algorithm is chosen for speed alone.
  const int P = comm_.size(), r = comm_.rank();
  const Eigen::Index B = segment_;
  std::int64_t* const ring = ring_.data();
  auto exchange = [&](Eigen::Index send_seg, int dest, Eigen::Index recv_seg, int source, Eigen::Index segs) {
    const auto n = static_cast<std::size_t>(segs * B);
    comm_.sendrecv(std::span<const std::int64_t>(ring + send_seg * B, n), dest,
                   std::span<std::int64_t>(recv_.data(), n), source, kRingTag);
    std::int64_t* const dst = ring + recv_seg * B;
    for (std::size_t i = 0; i < n; ++i) dst[i] += recv_[i];
  };
  if (std::has_single_bit(static_cast<unsigned>(P))) {
    // Recursive halving: log2 P exchanges (what matters when ranks share cores). Each keeps the
    // half of its current range that holds segment r and sends the other half to the rank at
    // distance d, which keeps that one.
    int lo = 0;
    for (int d = P / 2; d >= 1; d /= 2) {
      const bool upper = r - lo >= d;
      const int keep = upper ? lo + d : lo, give = upper ? lo : lo + d;
      exchange(give, r ^ d, keep, r ^ d, d);
      lo = keep;
    }
    return;
  }
  // Ring: at step k rank r passes its partial sum of segment r−k−1 to r+1 and adds r−1's partial
  // sum of segment r−k−2; after P−1 steps it holds the whole sum of segment r.
  for (int k = 0; k + 1 < P; ++k)
    exchange((r - k - 1 + 2 * P) % P, (r + 1) % P, (r - k - 2 + 2 * P) % P, (r + P - 1) % P, 1);
}

void ExactAllreduce::reduce_with_bound(const Eigen::Ref<const Eigen::MatrixXf>& shards, std::int64_t total_shards,
                                       int e_bound, double scale) {
  E_ = fixed_point_exponent_for_bound(e_bound, total_shards);
  std::int64_t* const ring = ring_.data();
  const std::size_t rows = static_cast<std::size_t>(rows_);
  // Local sum of the owned shards, converted in row blocks so that the block of the sum stays in L1
  // while every shard is added. The same pass finds each shard's max |v|; a shard that breaks the
  // bound is clamped (no overflow) and counted, which makes every rank redo the call.
  const float bound = float_bound(e_bound);
  const std::size_t S = static_cast<std::size_t>(shards.cols());
  shard_bits_.assign(S, 0);
  constexpr std::size_t kBlock = 512;
  for (std::size_t b = 0; b < rows; b += kBlock) {
    const std::size_t n = std::min(kBlock, rows - b);
    const std::span<std::int64_t> dst(ring + b, n);
    if (S == 0) std::fill(dst.begin(), dst.end(), 0);
    for (std::size_t s = 0; s < S; ++s) {
      const std::span<const float> src(shards.col(static_cast<Eigen::Index>(s)).data() + b, n);
      shard_bits_[s] = std::max(shard_bits_[s], accumulate_fixed_checked(src, bound, E_, dst, s == 0));
    }
  }
  std::fill(ring + rows_, ring + elements_, 0);
  for (std::size_t s = 0; s < S; ++s) {
    const int e = magnitude_exponent_of_bits(shard_bits_[s]);
    if (e > e_bound) ++ring[rows_];
    else if (e_bound - e <= kWindow) ++ring[rows_ + 1 + (e_bound - e)];
  }

  const int P = comm_.size(), r = comm_.rank();
  double t0 = MPI_Wtime();
  reduce_scatter();
  comm_seconds_ += MPI_Wtime() - t0;

  // Convert this rank's segment to what the caller consumes. 2^−E · scale is exact (a power of two
  // times a double), so each scaled value is float(double(q) · c) whichever rank converts it.
  const Eigen::Index lo = std::min(elements_, r * segment_), hi = std::min(elements_, (r + 1) * segment_);
  const double c = std::ldexp(scale, -E_);
  float* const words = wire_.data();
  for (Eigen::Index i = lo; i < std::min(hi, head_); ++i)
    words[i] = static_cast<float>(static_cast<double>(ring[i]) * c);
  for (Eigen::Index i = std::max(lo, head_); i < hi; ++i) std::memcpy(words + wire_word(i, head_), ring + i, 8);

  if (P > 1) {
    t0 = MPI_Wtime();
    comm_.allgather_in_place(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(words), 4 * wire_.size()),
                             wire_count_, wire_displ_);
    comm_seconds_ += MPI_Wtime() - t0;
  }
}

Eigen::Map<Eigen::VectorXf> ExactAllreduce::sum_scaled(const Eigen::Ref<const Eigen::MatrixXf>& shards,
                                                       std::int64_t total_shards, double scale,
                                                       Eigen::Ref<Eigen::VectorXd> exact) {
  if (exact.size() > shards.rows())
    throw ShapeError("ExactAllreduce::sum_scaled: more exact rows than the shards have");
  layout(shards.rows(), shards.rows() - exact.size());
  ++scaled_calls_;
  bool accepted = false;
  if (have_bound_) {
    reduce_with_bound(shards, total_shards, bound_, scale);
    // The counters are global sums over shards, so every rank takes the same branch.
    const std::int64_t overflow = wire_int(rows_);
    int k = 0;
    while (k <= kWindow && wire_int(rows_ + 1 + k) == 0) ++k;
    if (overflow == 0 && k <= kWindow) {
      bound_ = bound_ - k + kMargin;
      accepted = true;
    }
  }
  if (!accepted) {
    // Redo (or first call): the tightest bound, from a max-allreduce of the shard exponents.
    ++fallbacks_;
    int e = -1000;
    for (Eigen::Index s = 0; s < shards.cols(); ++s) {
      std::uint32_t m = 0;
      for (float v : shards.col(s)) m = std::max(m, abs_bits(v));
      e = std::max(e, magnitude_exponent_of_bits(m));
    }
    const double t0 = MPI_Wtime();
    e = comm_.allreduce(e, mpi::Op::max);
    comm_seconds_ += MPI_Wtime() - t0;
    if (e == INT_MAX) throw NumericalError("gradient allreduce: finite values expected, got NaN or inf");
    reduce_with_bound(shards, total_shards, e, scale);
    bound_ = e + kMargin;
    have_bound_ = true;
  }
  const double inv_scale = std::ldexp(1.0, -E_);
  for (Eigen::Index j = 0; j < exact.size(); ++j) exact(j) = static_cast<double>(wire_int(head_ + j)) * inv_scale;
  return Eigen::Map<Eigen::VectorXf>(wire_.data(), head_);  // the scaled rows are the first words
}

}  // namespace nsbi::train
