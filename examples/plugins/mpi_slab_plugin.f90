! The model of mpi_slab_plugin.c as a Fortran MPI plugin (nsbi_simulate_mpi through bind(C), the
! C ABI of nsbi/simulator_plugin.h): theta = (A, omega), at t_i = 10 i / (X - 1), i = 0 ... X-1,
!   x_i = A exp(-t_i / 5) sin(omega t_i) + 0.1 eps_i,   eps_i ~ N(0, 1),
! each rank of the group computing its slab of the values and MPI_Gatherv assembling x on rank 0;
! the noise of value i comes from splitmix64's finaliser of (seed, i), so x is the same bytes as
! the C plugin's for any number of ranks. The 64-bit hash relies on wrapping integer arithmetic:
! compile with -fwrapv.
!
! Build: mpif90 -O2 -fwrapv -shared -fPIC mpi_slab_plugin.f90 -o mpi_slab_plugin_fortran.so
! (CMake builds it as <build>/examples/mpi_slab_plugin_fortran.so when gfortran is there).
module mpi_slab_plugin
  use, intrinsic :: iso_c_binding, only: c_int, c_int64_t, c_double
  use, intrinsic :: iso_fortran_env, only: int64, real64
  implicit none
  private
  public :: nsbi_simulate_mpi
  real(real64), parameter :: pi = 3.14159265358979323846_real64
contains

  ! splitmix64's output function of a counter (the unsigned constants as two's complement).
  pure function mix(z0) result(z)
    integer(int64), intent(in) :: z0
    integer(int64) :: z
    z = z0 + (-7046029254386353131_int64)
    z = ieor(z, shiftr(z, 30)) * (-4658895280553007687_int64)
    z = ieor(z, shiftr(z, 27)) * (-7723592293110705685_int64)
    z = ieor(z, shiftr(z, 31))
  end function mix

  ! Uniform on the open interval (0, 1) from the top 53 bits.
  pure function uniform(seed, counter) result(u)
    integer(int64), intent(in) :: seed, counter
    real(real64) :: u
    u = (real(shiftr(mix(ieor(seed, mix(counter))), 11), real64) + 0.5_real64) * 2.0_real64**(-53)
  end function uniform

  pure function value_at(theta, i, n, seed) result(v)
    real(c_double), intent(in) :: theta(2)
    integer, intent(in) :: i, n
    integer(int64), intent(in) :: seed
    real(real64) :: v, t, u1, u2, eps
    t = 0.0_real64
    if (n > 1) t = 10.0_real64 * i / (n - 1)
    u1 = uniform(seed, 2_int64 * i)
    u2 = uniform(seed, 2_int64 * i + 1_int64)
    eps = sqrt(-2.0_real64 * log(u1)) * cos(2.0_real64 * pi * u2)
    v = theta(1) * exp(-t / 5.0_real64) * sin(theta(2) * t) + 0.1_real64 * eps
  end function value_at

  function nsbi_simulate_mpi(comm, theta, theta_dim, x, x_dim, seed) result(rc) bind(C, name="nsbi_simulate_mpi")
    use mpi
    integer(c_int), value :: comm, theta_dim, x_dim
    real(c_double), intent(in) :: theta(*)
    real(c_double), intent(inout) :: x(*)
    integer(c_int64_t), value :: seed
    integer(c_int) :: rc
    integer :: rank, nranks, ierr, r, j
    integer, allocatable :: counts(:), displs(:)
    real(real64), allocatable :: slab(:)
    rc = 1
    if (theta_dim /= 2 .or. x_dim < 1) return
    if (.not. (theta(1) > 0.0_real64)) return
    call MPI_Comm_rank(comm, rank, ierr)
    call MPI_Comm_size(comm, nranks, ierr)
    allocate(counts(0:nranks - 1), displs(0:nranks - 1))
    do r = 0, nranks - 1
      displs(r) = int(int(x_dim, int64) * r / nranks)
      counts(r) = int(int(x_dim, int64) * (r + 1) / nranks) - displs(r)
    end do
    allocate(slab(max(counts(rank), 1)))
    do j = 1, counts(rank)
      slab(j) = value_at(theta(1:2), displs(rank) + j - 1, int(x_dim), int(seed, int64))
    end do
    call MPI_Gatherv(slab, counts(rank), MPI_DOUBLE_PRECISION, x, counts, displs, MPI_DOUBLE_PRECISION, 0, comm, ierr)
    rc = 0
  end function nsbi_simulate_mpi

end module mpi_slab_plugin
