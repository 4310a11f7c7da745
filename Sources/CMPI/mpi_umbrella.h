/* Open MPI's C API, found through pkg-config ompi-c. Only CHybridMPI includes it, and only
   when the package trait MPI is on: MPI_COMM_WORLD and the datatypes are macros that Swift
   cannot import, so Swift never sees this module. */
#include <mpi.h>
