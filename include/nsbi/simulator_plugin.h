/* The C ABI of an nsbi simulator plugin: a shared library loaded with dlopen (DESIGN.md §5).
 *
 * A plugin exports one function with C linkage, by default named nsbi_simulate
 * ([simulator] symbol = "..." picks another name):
 *
 *   int nsbi_simulate(const double* theta, int theta_dim, double* x, int x_dim, uint64_t seed);
 *
 *   theta  in:  the parameters, theta[0..theta_dim-1]
 *   x      out: the simulated data, x[0..x_dim-1] (nsbi fills it with NaN before the call)
 *   seed   all of the simulation's randomness must come from this seed: the same (theta, seed)
 *          must give the same x, whichever process or rank calls it, however often
 *   return 0 when x is valid; any other value marks this simulation as failed (status error).
 *          NaN or ±inf in x gives status non_finite.
 *
 * nsbi checks theta_dim and x_dim against the run's configuration before calling; a plugin may
 * still check them and return non-zero on a mismatch. Each process calls the function from one
 * thread at a time. Keep no state between calls that changes results (a read-only table loaded
 * once is fine). The plugin runs inside the nsbi process: a crash or a hang takes the rank down,
 * and no timeout applies; a simulator that may crash or hang belongs in an external program
 * ([simulator] kind = "external"), which nsbi isolates in its own process.
 *
 * Build: cc -O2 -shared -fPIC -I<nsbi>/include my_sim.c -o my_sim.so; C++ and Fortran
 * (bind(C)) work the same way. examples/plugins/two_moons_plugin.c is a complete example.
 */
#ifndef NSBI_SIMULATOR_PLUGIN_H
#define NSBI_SIMULATOR_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
#define NSBI_PLUGIN_EXTERN_C extern "C"
#else
#define NSBI_PLUGIN_EXTERN_C
#endif

/* Put in front of the definition: exported with C linkage, visible under -fvisibility=hidden. */
#define NSBI_PLUGIN_EXPORT NSBI_PLUGIN_EXTERN_C __attribute__((visibility("default")))

#define NSBI_PLUGIN_DEFAULT_SYMBOL "nsbi_simulate"

/* Signature of the exported function. */
typedef int (*nsbi_simulate_fn)(const double* theta, int theta_dim, double* x, int x_dim, uint64_t seed);

/* MPI-parallel simulators ([simulator] kind = "mpi_plugin", ranks_per_simulation = k): a code that
 * is itself an MPI program runs each simulation on a group of k ranks. The library exports, by
 * default under the name nsbi_simulate_mpi ([simulator] symbol = "..." picks another):
 *
 *   int nsbi_simulate_mpi(MPI_Fint comm, const double* theta, int theta_dim, double* x, int x_dim,
 *                         uint64_t seed);
 *
 *   comm   the group's communicator as a Fortran handle (C: MPI_Comm_f2c(comm); Fortran: use it
 *          as the communicator argument directly). Every rank of the group calls the function at
 *          the same time with the same theta and seed; it may use comm for any collective or
 *          point-to-point communication and must leave no message pending on it.
 *   x      out: complete on rank 0 of comm at return (the values on other ranks are ignored).
 *   return 0 when x is valid; any other value on any rank marks the simulation as failed (status
 *          error). NaN or ±inf in rank 0's x gives status non_finite.
 *
 * The result must not depend on k (split the work, not the randomness: draw from the seed by the
 * index of the value, not by rank), so the simulation bank is the same bytes for any k and any
 * number of groups. The function runs inside the nsbi processes: a crash or a hang of one rank
 * ends the whole job (MPI cannot isolate a failed rank); a code that can only be started as its
 * own mpirun job belongs in an external simulator (see the README, "Large simulators").
 * examples/plugins/mpi_slab_plugin.c and mpi_slab_plugin.f90 are complete examples. */
#define NSBI_MPI_PLUGIN_DEFAULT_SYMBOL "nsbi_simulate_mpi"
#ifdef MPI_VERSION /* include <mpi.h> first for the typedef */
typedef int (*nsbi_simulate_mpi_fn)(MPI_Fint comm, const double* theta, int theta_dim, double* x, int x_dim,
                                    uint64_t seed);
#endif

#endif /* NSBI_SIMULATOR_PLUGIN_H */
