/*
 * cluster.h - the few MPI operations agtrade needs, behind functions that are trivial
 * (one rank) in the non-MPI build, so that no other file needs #ifdef AGTRADE_MPI.
 *
 * Threading: MPI is initialised with MPI_THREAD_FUNNELED; every function here must be
 * called from the thread that called cluster_init (the engine calls them between its
 * OpenMP parallel regions).
 */
#ifndef AGTRADE_CLUSTER_H
#define AGTRADE_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

/* 0 on success; a message otherwise (e.g. MPI could not provide FUNNELED). */
int cluster_init(int *argc, char ***argv, char *err, size_t errlen);
void cluster_finalize(void);
int cluster_rank(void);
int cluster_size(void);

/* The maximum of `value` over all ranks (every rank gets it). */
int cluster_max(int value);
/* Point-to-point byte messages (tag: a chunk number). 0 on success. */
int cluster_send(int to, int tag, const void *buf, size_t bytes);
int cluster_recv(int from, int tag, void *buf, size_t bytes);
/* Sum uint64 arrays element-wise onto rank 0 (in place there). 0 on success. */
int cluster_sum_to_root(uint64_t *values, size_t n);

#endif
