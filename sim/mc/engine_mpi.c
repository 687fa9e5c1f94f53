/* engine_mpi.c - the engine's MPI exchange: chunks computed on other ranks travel to
 * rank 0, and the integer counts are reduced there (engine_internal.h, cluster.h). */
#include "engine_internal.h"
#include "cluster.h"
#include <string.h>

/* ---- MPI: chunks computed on other ranks travel to rank 0 ------------------------- */

/* Per group: count, nonfinite, mean, m2, min, max (nvars each), then ok and failed;
 * then the chunk's attribution co-moments. */
size_t engine_chunk_message_size(const run_t *run)
{
    return (size_t)run->n_groups * (6 * run->n_vars + 2) * 8 + engine_attrib_message_size(run);
}

static void pack_chunk(const run_t *run, char *buf)
{
    size_t V = run->n_vars * 8;
    for (int g = 0; g < run->n_groups; g++) {
        const stats_moments_t *m = run->chunk_moments[g];
        const void *parts[6] = {m->count, m->nonfinite, m->mean, m->m2, m->min, m->max};
        for (int k = 0; k < 6; k++, buf += V)
            memcpy(buf, parts[k], V);
        memcpy(buf, &run->block_ok[g], 8);
        memcpy(buf + 8, &run->block_failed[g], 8);
        buf += 16;
    }
    if (run->attrib_k)
        memcpy(buf, run->chunk_attrib->data, engine_attrib_message_size(run));
}

static void unpack_chunk(run_t *run, const char *buf)
{
    size_t V = run->n_vars * 8;
    for (int g = 0; g < run->n_groups; g++) {
        stats_moments_t *m = run->chunk_moments[g];
        void *parts[6] = {m->count, m->nonfinite, m->mean, m->m2, m->min, m->max};
        for (int k = 0; k < 6; k++, buf += V)
            memcpy(parts[k], buf, V);
        memcpy(&run->block_ok[g], buf, 8);
        memcpy(&run->block_failed[g], buf + 8, 8);
        buf += 16;
    }
    if (run->attrib_k)
        memcpy(run->chunk_attrib->data, buf, engine_attrib_message_size(run));
}

/* The chunk's per-draw arrays (regimes, statuses, iterations, rows) when raw draws are kept. */
static int exchange_chunk_draws(run_t *run, int from, int tag, uint64_t n, int sending)
{
    void *parts[5] = {run->regime, run->status, run->iterations, run->chunk_values,
                      run->chunk_inputs};
    size_t sizes[5] = {n * 4, n * 4, n * 4, n * run->n_vars * 8,
                       n * ENGINE_INPUT_ROW(run->spec->n_inputs) * 8};
    /* only raw draws need them on rank 0 (the inputs when they are written too) */
    int n_parts = run->chunk_values ? (run->spec->raw_inputs ? 5 : 4) : 0;
    for (int k = 0; k < n_parts; k++) {
        int rc = sending ? cluster_send(0, tag, parts[k], sizes[k])
                         : cluster_recv(from, tag, parts[k], sizes[k]);
        if (rc)
            return -1;
    }
    return 0;
}

/* On rank != 0 after computing chunk c: send it. On rank 0 for a chunk of another rank:
 * receive it. */
int engine_exchange_chunk(run_t *run, uint64_t c, int owner, uint64_t n_draws, char *msg)
{
    /* messages between two ranks arrive in the order they were sent: one tag will do
     * (MPI only promises tags up to 32767) */
    int rank = run->spec->mpi_rank, tag = 1;
    (void)c;
    if (rank == owner && rank != 0) {
        pack_chunk(run, msg);
        if (cluster_send(0, tag, msg, engine_chunk_message_size(run)))
            return -1;
        return exchange_chunk_draws(run, 0, tag, n_draws, 1);
    }
    if (rank == 0 && owner != 0) {
        if (cluster_recv(owner, tag, msg, engine_chunk_message_size(run)))
            return -1;
        unpack_chunk(run, msg);
        return exchange_chunk_draws(run, owner, tag, n_draws, 0);
    }
    return 0;
}

/* Histograms and threshold counts are integer sums: reduce them onto rank 0. */
int engine_reduce_counts(run_t *run)
{
    worker_t *total = &run->workers[0];
    for (int g = 0; g < run->n_groups; g++) {
        stats_hist_t *h = run->hist[g];
        if (cluster_sum_to_root(h->bins, h->nvars * STATS_FINE_BINS) ||
            cluster_sum_to_root(h->under, h->nvars) || cluster_sum_to_root(h->over, h->nvars) ||
            cluster_sum_to_root(h->nonfinite, h->nvars))
            return -1;
    }
    return cluster_sum_to_root(total->threshold_hits,
                               (size_t)run->n_groups * (size_t)run->spec->n_thresholds);
}
