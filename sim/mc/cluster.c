/* cluster.c - see cluster.h. The one file that knows whether MPI is there. */
#include "cluster.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef AGTRADE_MPI
#include <mpi.h>

static int initialised;   /* whether this process called MPI_Init_thread */

int cluster_init(int *argc, char ***argv, char *err, size_t errlen)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(err, errlen, "MPI_Init_thread failed");
        return -1;
    }
    initialised = 1;
    if (provided < MPI_THREAD_FUNNELED) {
        snprintf(err, errlen, "the MPI library does not support MPI_THREAD_FUNNELED");
        return -1;
    }
    return 0;
}

void cluster_finalize(void)
{
    if (initialised)
        MPI_Finalize();
    initialised = 0;
}

int cluster_rank(void)
{
    int rank = 0;
    if (initialised)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

int cluster_size(void)
{
    int size = 1;
    if (initialised)
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

int cluster_max(int value)
{
    int result = value;
    if (initialised)
        MPI_Allreduce(&value, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return result;
}

int cluster_send(int to, int tag, const void *buf, size_t bytes)
{
    const char *p = buf;
    for (size_t sent = 0; sent < bytes;) {   /* MPI counts are ints */
        int n = bytes - sent > INT_MAX ? INT_MAX : (int)(bytes - sent);
        if (MPI_Send(p + sent, n, MPI_BYTE, to, tag, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
        sent += (size_t)n;
    }
    return 0;
}

int cluster_recv(int from, int tag, void *buf, size_t bytes)
{
    char *p = buf;
    for (size_t got = 0; got < bytes;) {
        int n = bytes - got > INT_MAX ? INT_MAX : (int)(bytes - got);
        if (MPI_Recv(p + got, n, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
            MPI_SUCCESS)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

int cluster_sum_to_root(uint64_t *values, size_t n)
{
    if (!initialised)
        return 0;
    int rank = cluster_rank();
    for (size_t done = 0; done < n;) {
        int k = n - done > INT_MAX / 8 ? INT_MAX / 8 : (int)(n - done);
        void *send = rank == 0 ? MPI_IN_PLACE : values + done;
        if (MPI_Reduce(send, values + done, k, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD) !=
            MPI_SUCCESS)
            return -1;
        done += (size_t)k;
    }
    return 0;
}

#else   /* one process */

int cluster_init(int *argc, char ***argv, char *err, size_t errlen)
{
    (void)argc;
    (void)argv;
    (void)err;
    (void)errlen;
    return 0;
}
void cluster_finalize(void) {}
int cluster_rank(void) { return 0; }
int cluster_size(void) { return 1; }
int cluster_max(int value) { return value; }
int cluster_send(int to, int tag, const void *buf, size_t bytes)
{
    (void)to; (void)tag; (void)buf; (void)bytes;
    return -1;   /* there is no other rank to talk to */
}
int cluster_recv(int from, int tag, void *buf, size_t bytes)
{
    (void)from; (void)tag; (void)buf; (void)bytes;
    return -1;
}
int cluster_sum_to_root(uint64_t *values, size_t n)
{
    (void)values;
    (void)n;
    return 0;
}

#endif
