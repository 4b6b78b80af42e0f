#include "nsbi/mpi/agreement.hpp"

#include <string>

#include "nsbi/core/error_transport.hpp"

namespace nsbi::mpi {

void agree_on_error(const Communicator& comm, std::exception_ptr local) {
  const int P = comm.size();
  const int failed = comm.allreduce(local ? comm.rank() : P, Op::min);
  if (failed == P) return;
  std::string encoded = failed == comm.rank() ? encode_exception(local) : std::string();
  comm.broadcast(encoded, failed);
  // The failing rank rethrows the decoded copy as well, so every rank holds the same message.
  rethrow_encoded(encoded, failed == 0 ? "" : "rank " + std::to_string(failed) + ": ");
}

}  // namespace nsbi::mpi
