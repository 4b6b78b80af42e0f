// ExactAllreduce::sum_scaled under mpirun at any np (ctest runs np = 1, 2, 3, 4).
//
//   exact_allreduce_mpi_test OUT_DIR
//
// Sequences of sums whose magnitudes hold, grow within the margin, overflow the predicted bound in
// a single shard (so only one rank sees it), shrink far below it, and drop to zero, for several
// shard counts (fewer shards than ranks included) and lengths. Every rank checks that its bits
// equal those of a one-process reduction of all shards (MPI_COMM_SELF) and those of rank 0, and
// that the redo decisions match; a NaN in one shard must raise NumericalError on every rank. The
// results are written to OUT_DIR/exact_allreduce_np<P>.bin for the byte comparison across np.
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/train/exact_allreduce.hpp"

namespace {

using namespace nsbi;

// Shard t of call c: log-uniform magnitudes over 1e-6..1e4 times the call's gain.
Eigen::VectorXf shard(Eigen::Index L, int T, int c, int t, float gain) {
  RandomStream rng(23, StreamId::diagnostics, static_cast<std::uint32_t>(c), static_cast<std::uint64_t>(T * 1000 + t));
  Eigen::VectorXf v(L);
  for (auto& x : v) x = gain * static_cast<float>((rng.uniform() < 0.5 ? -1 : 1) * std::pow(10.0, rng.uniform(-6, 4)));
  return v;
}

float gain_of(int call, int t, int T) {
  switch (call) {
    case 2: return 4.0f;                                            // growth within the margin
    case 3: return t == T - 1 ? std::ldexp(1.0f, 12) : 4.0f;        // one shard breaks the bound
    case 5: case 6: return std::ldexp(1.0f, -24);                   // far below the bound
    case 7: return 0.0f;                                            // all zero
    default: return 1.0f;
  }
}

// memcmp must not see the null data() of an empty vector (GCC would then assume it non-null).
bool same_bytes(const void* a, const void* b, std::size_t n) { return n == 0 || !std::memcmp(a, b, n); }

// The shards rank r owns (t = r, r + P, …), as the trainer assigns micro-shards.
Eigen::MatrixXf owned(const Eigen::MatrixXf& all, int r, int P) {
  const int T = static_cast<int>(all.cols());
  Eigen::MatrixXf mine(all.rows(), std::max(0, (T - r + P - 1) / P));
  for (int t = r, k = 0; t < T; t += P, ++k) mine.col(k) = all.col(t);
  return mine;
}

std::uint64_t fnv(const void* p, std::size_t n, std::uint64_t h) {
  for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<const unsigned char*>(p)[i]) * 1099511628211ull;
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  mpi::Environment env(&argc, &argv);
  const mpi::Communicator comm;
  const mpi::Communicator self(MPI_COMM_SELF);
  const int P = comm.size(), r = comm.rank();
  if (argc < 2) {
    std::fprintf(stderr, "usage: exact_allreduce_mpi_test OUT_DIR\n");
    return 2;
  }
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (ok) return;
    ++failures;
    std::fprintf(stderr, "[rank %d of %d] FAILED: %s\n", r, P, what.c_str());
  };
  std::vector<char> out;  // every result, in call order (rank 0 writes it)
  const int kCalls = 10;
  for (const int T : {1, 3, 4, 7}) {
    for (const Eigen::Index L : {Eigen::Index{2}, Eigen::Index{1001}, Eigen::Index{15021}}) {
      for (const int exact_rows : {1, 2}) {
        const std::string name =
            "T=" + std::to_string(T) + " L=" + std::to_string(L) + " exact=" + std::to_string(exact_rows);
        train::ExactAllreduce dist(comm), ref(self);
        for (int c = 0; c < kCalls; ++c) {
          Eigen::MatrixXf all(L, T);
          for (int t = 0; t < T; ++t) all.col(t) = shard(L, T, c, t, gain_of(c, t, T));
          const Eigen::MatrixXf mine = owned(all, r, P);
          const double scale = 1.0 / (50.0 * T);
          Eigen::VectorXd e1(exact_rows), e2(exact_rows);
          const Eigen::VectorXf s1 = dist.sum_scaled(mine, T, scale, e1);
          const Eigen::VectorXf s2 = ref.sum_scaled(all, T, scale, e2);
          const std::string at = name + " call " + std::to_string(c);
          check(same_bytes(s1.data(), s2.data(), sizeof(float) * s1.size()) &&
                    same_bytes(e1.data(), e2.data(), sizeof(double) * e1.size()),
                at + ": differs from the one-process reduction");
          check(dist.fallbacks() == ref.fallbacks(), at + ": redo decisions differ");
          std::uint64_t h = fnv(s1.data(), sizeof(float) * s1.size(), 1469598103934665603ull);
          h = fnv(e1.data(), sizeof(double) * e1.size(), h);
          std::uint64_t h0 = h;
          comm.broadcast(h0);
          check(h == h0, at + ": differs from rank 0");
          out.insert(out.end(), reinterpret_cast<const char*>(s1.data()),
                     reinterpret_cast<const char*>(s1.data() + s1.size()));
          out.insert(out.end(), reinterpret_cast<const char*>(e1.data()),
                     reinterpret_cast<const char*>(e1.data() + e1.size()));
        }
        // With ≥ 1000 values a shard's maximum is steady, and the redone calls are: 0 (first),
        // 3 (one shard over the bound), 4 and 5 (shrunk by more than the window), 7 (zero: far
        // below) and 8 (back from zero: over). Shorter shards may redo more often.
        if (L >= 1000)
          check(dist.fallbacks() == 6, name + ": expected 6 redone calls, got " + std::to_string(dist.fallbacks()));

        // A NaN in the last shard (one rank only) must end the call with an error on every rank.
        Eigen::MatrixXf poisoned(L, T);
        for (int t = 0; t < T; ++t) poisoned.col(t) = shard(L, T, kCalls, t, 1.0f);
        poisoned(L / 2, T - 1) = std::numeric_limits<float>::quiet_NaN();
        const Eigen::MatrixXf mine = owned(poisoned, r, P);
        Eigen::VectorXd e(exact_rows);
        bool threw = false;
        try {
          dist.sum_scaled(mine, T, 1.0, e);
        } catch (const NumericalError&) {
          threw = true;
        }
        check(threw, name + ": NaN did not raise NumericalError");
      }
    }
  }
  if (r == 0) {
    std::ofstream f(std::string(argv[1]) + "/exact_allreduce_np" + std::to_string(P) + ".bin", std::ios::binary);
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    check(static_cast<bool>(f), "cannot write the results");
  }
  const int total = comm.allreduce(failures, mpi::Op::sum);
  if (r == 0) std::printf("np=%d exact_allreduce: %s (%zu result bytes)\n", P, total ? "FAILED" : "ok", out.size());
  return total ? 1 : 0;
}
