/* bench/mpi.sh's communication figure: the time of one MPI_Allreduce (sum of floats) of a
 * given size once both ranks are in it (a barrier before each timed call, so a rank late
 * from its time slice is not counted), the median of REPS calls. Built with mpicc by
 * bench/mpi.sh; prints "bytes median_us" per size on rank 0. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  enum { REPS = 200 };
  double times[REPS];
  for (int i = 1; i < argc; ++i) {
    long floats = atol(argv[i]) / 4;
    float *buf = calloc((size_t)floats, sizeof(float));
    for (int r = -20; r < REPS; ++r) { /* 20 warm-up calls */
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = MPI_Wtime();
      MPI_Allreduce(MPI_IN_PLACE, buf, (int)floats, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      if (r >= 0)
        times[r] = MPI_Wtime() - t0;
    }
    qsort(times, REPS, sizeof(double), compare);
    if (rank == 0)
      printf("%ld %.1f\n", floats * 4, 1e6 * times[REPS / 2]);
    free(buf);
  }
  MPI_Finalize();
  return 0;
}
