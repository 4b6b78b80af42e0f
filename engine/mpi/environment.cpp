#include "nsbi/mpi/environment.hpp"

#include <mpi.h>

namespace nsbi::mpi {

Environment::Environment(int* argc, char*** argv) {
  if (!initialized()) {
    int provided = 0;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    owns_ = true;
  }
}

Environment::~Environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_ && !finalized) MPI_Finalize();
}

bool Environment::initialized() {
  int flag = 0;
  MPI_Initialized(&flag);
  return flag != 0;
}

}  // namespace nsbi::mpi
