/* A damped oscillation observed at many times, simulated by an MPI program: an nsbi MPI plugin
 * (nsbi_simulate_mpi, the C ABI of nsbi/simulator_plugin.h; [simulator] kind = "mpi_plugin").
 *
 * Model: theta = (A, omega); at t_i = 10 i / (X - 1), i = 0 … X-1 (X = x_dim),
 *   x_i = A exp(-t_i / 5) sin(omega t_i) + 0.1 eps_i,   eps_i ~ N(0, 1).
 * Every rank of the group's communicator computes its slab of the X values (contiguous indices
 * [X r / k, X (r + 1) / k)), and MPI_Gatherv assembles x on rank 0. The noise of value i comes
 * from a counter-based hash of (seed, i) — splitmix64's finaliser, Box–Muller on two uniforms —
 * never from a per-rank generator, so x does not depend on how many ranks share the work.
 * Returns 1 (status error) when the dimensions are wrong or A is not positive.
 *
 * Build: mpicc -O2 -shared -fPIC -I<nsbi>/include mpi_slab_plugin.c -o mpi_slab_plugin.so -lm
 * (CMake builds it as <build>/examples/mpi_slab_plugin.so).
 */
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>

#include "nsbi/simulator_plugin.h"

#define SLAB_PI 3.14159265358979323846

/* splitmix64's output function (Steele et al. 2014) of a counter. */
static uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Uniform on the open interval (0, 1) from the top 53 bits. */
static double uniform(uint64_t seed, uint64_t counter) {
  return ((double)(mix(seed ^ mix(counter)) >> 11) + 0.5) * 0x1.0p-53;
}

static double value(const double* theta, int i, int n, uint64_t seed) {
  const double t = n > 1 ? 10.0 * i / (n - 1) : 0.0;
  const double u1 = uniform(seed, 2 * (uint64_t)i), u2 = uniform(seed, 2 * (uint64_t)i + 1);
  const double eps = sqrt(-2.0 * log(u1)) * cos(2.0 * SLAB_PI * u2);
  return theta[0] * exp(-t / 5.0) * sin(theta[1] * t) + 0.1 * eps;
}

NSBI_PLUGIN_EXPORT int nsbi_simulate_mpi(MPI_Fint fcomm, const double* theta, int theta_dim, double* x, int x_dim,
                                         uint64_t seed) {
  if (theta_dim != 2 || x_dim < 1) return 1;
  if (!(theta[0] > 0.0)) return 1;
  MPI_Comm comm = MPI_Comm_f2c(fcomm);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int* counts = malloc(sizeof(int) * (size_t)size);
  int* displs = malloc(sizeof(int) * (size_t)size);
  if (!counts || !displs) {
    free(counts);
    free(displs);
    return 1; /* every rank must still take part: the allocation of two small arrays does not fail */
  }
  for (int r = 0; r < size; ++r) {
    const int lo = (int)((long long)x_dim * r / size), hi = (int)((long long)x_dim * (r + 1) / size);
    counts[r] = hi - lo;
    displs[r] = lo;
  }
  double* slab = malloc(sizeof(double) * (size_t)(counts[rank] > 0 ? counts[rank] : 1));
  for (int j = 0; j < counts[rank]; ++j) slab[j] = value(theta, displs[rank] + j, x_dim, seed);
  MPI_Gatherv(slab, counts[rank], MPI_DOUBLE, x, counts, displs, MPI_DOUBLE, 0, comm);
  free(slab);
  free(counts);
  free(displs);
  return 0;
}
