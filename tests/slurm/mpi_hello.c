/*
 * mpi_hello.c - stands in for bin/agtrade-mpi in tests/slurm/selftest.sh: proves that a
 * launcher in configs/slurm/mpi.sbatch starts one MPI world of --ntasks ranks (not
 * ntasks singletons). Accepts agtrade's command line; rank 0 writes "size=N ranks=..."
 * to the file after -o, gathered over MPI_COMM_WORLD.
 */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int sum = 0;
    MPI_Reduce(&rank, &sum, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    const char *out = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "-o"))
            out = argv[i + 1];
    if (rank == 0 && out) {
        FILE *f = fopen(out, "w");
        if (!f) {
            perror(out);
            MPI_Abort(MPI_COMM_WORLD, 74);
        }
        fprintf(f, "size=%d rank_sum=%d\n", size, sum);
        fclose(f);
    }
    MPI_Finalize();
    return 0;
}
