#pragma once
// RAII ownership of MPI. nsbi always runs inside MPI, even as a single process without mpirun
// (Open MPI then starts as a singleton), so the same code path serves a laptop and a cluster.
namespace nsbi::mpi {

class Environment {
 public:
  /// Initialises MPI unless someone else already did; finalises in the destructor only if this
  /// object initialised it.
  Environment(int* argc = nullptr, char*** argv = nullptr);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  static bool initialized();

 private:
  bool owns_ = false;
};

}  // namespace nsbi::mpi
