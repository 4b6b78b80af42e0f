#pragma once
// A thin value-returning wrapper over an MPI communicator. C++ types map to MPI datatypes at
// compile time (mpi_type<T>()). Everything here is collective or point-to-point on the
// communicator it wraps; errors abort the whole job (MPI_ERRORS_ARE_FATAL).
//
// Counts are 64-bit: broadcasts and allreduces of more elements than an MPI count (int) holds go
// in pieces of at most max_count() elements, and allgather_blocks falls back to one chunked
// broadcast per rank when the gathered total does not fit; point-to-point messages and
// allgather_in_place, whose sizes are bounded by their callers (farm chunks, gradients), throw
// instead of truncating.
#include <mpi.h>

#include <algorithm>
#include <complex>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace nsbi::mpi {

template <typename T>
MPI_Datatype mpi_type() {
  if constexpr (std::is_same_v<T, double>) return MPI_DOUBLE;
  else if constexpr (std::is_same_v<T, float>) return MPI_FLOAT;
  else if constexpr (std::is_same_v<T, long double>) return MPI_LONG_DOUBLE;
  else if constexpr (std::is_same_v<T, std::int64_t>) return MPI_INT64_T;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return MPI_UINT64_T;
  else if constexpr (std::is_same_v<T, std::int32_t>) return MPI_INT32_T;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return MPI_UINT32_T;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return MPI_UINT8_T;
  else if constexpr (std::is_same_v<T, char>) return MPI_CHAR;
  else static_assert(sizeof(T) == 0, "no MPI datatype for this type");
}

enum class Op { sum, max, min };

class Communicator {
 public:
  /// MPI_COMM_WORLD.
  Communicator();
  explicit Communicator(MPI_Comm comm) : comm_(comm) {}

  int rank() const;
  int size() const;
  bool is_root() const { return rank() == 0; }
  MPI_Comm native() const { return comm_; }

  void barrier() const;

  /// A duplicate (MPI_Comm_dup, collective): its messages and collectives never match those of
  /// other code on this communicator. The caller owns it and ends it with free_duplicate.
  Communicator duplicate() const;
  /// Frees a communicator made by duplicate() (MPI_Comm_free, collective) unless MPI has ended
  /// or an exception is unwinding: a failing rank may be the only one here, and it must reach its
  /// error report instead of waiting for the others (DESIGN.md §7); a failing process may leak it.
  void free_duplicate();

  /// Elements per MPI call (INT_MAX; lower it in tests to exercise the chunked paths).
  static std::size_t max_count() { return max_count_; }
  static void set_max_count(std::size_t n) { max_count_ = n; }

  template <typename T>
  void broadcast(std::span<T> data, int root = 0) const {
    for (std::size_t at = 0; at < data.size(); at += max_count_) {
      const std::size_t n = std::min(max_count_, data.size() - at);
      MPI_Bcast(data.data() + at, static_cast<int>(n), mpi_type<std::remove_const_t<T>>(), root, comm_);
    }
  }
  template <typename T>
  void broadcast(T& value, int root = 0) const {
    broadcast(std::span<T>(&value, 1), root);
  }
  void broadcast(std::string& s, int root = 0) const;

  /// In-place allreduce.
  template <typename T>
  void allreduce(std::span<T> data, Op op) const {
    for (std::size_t at = 0; at < data.size(); at += max_count_) {
      const std::size_t n = std::min(max_count_, data.size() - at);
      MPI_Allreduce(MPI_IN_PLACE, data.data() + at, static_cast<int>(n), mpi_type<T>(), native_op(op), comm_);
    }
  }
  template <typename T>
  T allreduce(T value, Op op) const {
    allreduce(std::span<T>(&value, 1), op);
    return value;
  }

  /// Sends `out` to dest while receiving `in` from source (one step of a ring exchange).
  template <typename T>
  void sendrecv(std::span<const T> out, int dest, std::span<T> in, int source, int tag) const {
    MPI_Sendrecv(out.data(), count_of(out.size()), mpi_type<T>(), dest, tag, in.data(), count_of(in.size()),
                 mpi_type<T>(), source, tag, comm_, MPI_STATUS_IGNORE);
  }

  template <typename T>
  void send(std::span<const T> data, int dest, int tag) const {
    MPI_Send(data.data(), count_of(data.size()), mpi_type<T>(), dest, tag, comm_);
  }
  template <typename T>
  MPI_Status recv(std::span<T> data, int source, int tag) const {
    MPI_Status st;
    MPI_Recv(data.data(), count_of(data.size()), mpi_type<T>(), source, tag, comm_, &st);
    return st;
  }
  MPI_Status probe(int source, int tag) const;

  /// Every rank contributes a block of any length; every rank receives the concatenation in
  /// rank order (and, in `counts`, the length of each rank's block).
  template <typename T>
  std::vector<T> allgather_blocks(std::span<const T> mine, std::vector<std::int64_t>* counts = nullptr) const {
    const int P = size();
    std::vector<std::int64_t> n(static_cast<std::size_t>(P));
    std::int64_t my_n = static_cast<std::int64_t>(mine.size());
    MPI_Allgather(&my_n, 1, MPI_INT64_T, n.data(), 1, MPI_INT64_T, comm_);
    std::vector<std::int64_t> displ(static_cast<std::size_t>(P), 0);
    for (int p = 1; p < P; ++p) displ[p] = displ[p - 1] + n[p - 1];
    const std::int64_t total = displ[P - 1] + n[P - 1];
    std::vector<T> all(static_cast<std::size_t>(total));
    if (static_cast<std::uint64_t>(total) <= max_count_) {
      std::vector<int> n32(n.begin(), n.end()), d32(displ.begin(), displ.end());
      MPI_Allgatherv(mine.data(), static_cast<int>(my_n), mpi_type<T>(), all.data(), n32.data(), d32.data(),
                     mpi_type<T>(), comm_);
    } else {  // beyond one MPI count: every rank's block broadcast in pieces from its owner
      std::copy(mine.begin(), mine.end(), all.begin() + displ[rank()]);
      for (int p = 0; p < P; ++p)
        broadcast(std::span<T>(all.data() + displ[p], static_cast<std::size_t>(n[p])), p);
    }
    if (counts) *counts = n;
    return all;
  }

  /// In-place allgatherv: rank p's block is data[displs[p], displs[p] + counts[p]) on entry (on
  /// rank p) and every rank holds every block on exit. Counts and displacements are in elements.
  template <typename T>
  void allgather_in_place(std::span<T> data, std::span<const int> counts, std::span<const int> displs) const {
    count_of(data.size());
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data.data(), counts.data(), displs.data(), mpi_type<T>(), comm_);
  }

  /// Ends every rank of the job: used when one rank has an error the others cannot learn of in
  /// a collective (DESIGN.md §7: no rank left waiting).
  [[noreturn]] void abort(int code) const;

 private:
  static MPI_Op native_op(Op op) { return op == Op::sum ? MPI_SUM : op == Op::max ? MPI_MAX : MPI_MIN; }
  /// n as an MPI count; std::length_error when it does not fit (a message the caller must cut).
  static int count_of(std::size_t n);
  MPI_Comm comm_;
  static inline std::size_t max_count_ = 2147483647;
};

}  // namespace nsbi::mpi
