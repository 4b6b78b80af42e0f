#include "nsbi/mpi/communicator.hpp"

#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

namespace nsbi::mpi {

Communicator::Communicator() : comm_(MPI_COMM_WORLD) {}

int Communicator::rank() const {
  int r = 0;
  MPI_Comm_rank(comm_, &r);
  return r;
}

int Communicator::size() const {
  int s = 1;
  MPI_Comm_size(comm_, &s);
  return s;
}

void Communicator::barrier() const { MPI_Barrier(comm_); }

Communicator Communicator::duplicate() const {
  MPI_Comm dup = MPI_COMM_NULL;
  MPI_Comm_dup(comm_, &dup);
  return Communicator(dup);
}

void Communicator::free_duplicate() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized || std::uncaught_exceptions() > 0 || comm_ == MPI_COMM_NULL) return;
  MPI_Comm_free(&comm_);
}

void Communicator::broadcast(std::string& s, int root) const {
  std::uint64_t n = s.size();
  broadcast(n, root);
  s.resize(n);
  broadcast(std::span<char>(s.data(), s.size()), root);
}

int Communicator::count_of(std::size_t n) {
  if (n > 2147483647u)
    throw std::length_error("MPI message of " + std::to_string(n) + " elements: more than an MPI count holds");
  return static_cast<int>(n);
}

MPI_Status Communicator::probe(int source, int tag) const {
  MPI_Status st;
  MPI_Probe(source, tag, comm_, &st);
  return st;
}

void Communicator::abort(int code) const {
  MPI_Abort(comm_, code);
  std::abort();
}

}  // namespace nsbi::mpi
