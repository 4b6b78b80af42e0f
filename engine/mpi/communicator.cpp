#include "nsbi/mpi/communicator.hpp"

#include <cstdlib>

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

void Communicator::broadcast(std::string& s, int root) const {
  std::uint64_t n = s.size();
  broadcast(n, root);
  s.resize(n);
  if (n) MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, root, comm_);
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
