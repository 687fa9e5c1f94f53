/* engine_attrib.c - the engine's attribution (attrib.h): the co-moments of input
 * scores and target values of a run, per block, chunk and point (engine_internal.h). */
#include "engine_internal.h"
#include <assert.h>
#include <stdlib.h>

/* ---- attribution (attrib.h): the co-moments of input scores and target values ------
 * Kept apart from the moments (engine.c): one call per block (engine_attrib_block), two
 * per chunk (blocks into the chunk where it is computed, the chunk into the point on
 * rank 0), the same fixed order as the moments, so the result does not depend on threads
 * or ranks. */

void engine_attrib_free_run(run_t *run)
{
    if (run->block_attrib)
        for (int k = 0; k < ENGINE_CHUNK_BLOCKS; k++)
            attrib_moments_free(run->block_attrib[k]);
    free(run->block_attrib);
    attrib_moments_free(run->chunk_attrib);
    attrib_moments_free(run->point_attrib);
    free(run->attrib_x);
}

int engine_attrib_init_run(run_t *run)
{
    const engine_spec_t *spec = run->spec;
    int k = spec->n_inputs < ATTRIB_MAX_INPUTS ? spec->n_inputs : ATTRIB_MAX_INPUTS;
    if (spec->n_attrib == 0 || k == 0)
        return 0;
    run->attrib_k = k;
    run->block_attrib = calloc(ENGINE_CHUNK_BLOCKS, sizeof *run->block_attrib);
    run->chunk_attrib = attrib_moments_alloc(k, spec->n_attrib);
    run->point_attrib = attrib_moments_alloc(k, spec->n_attrib);
    run->attrib_x = malloc(ENGINE_CHUNK_BLOCKS * spec->n_attrib * sizeof(double));
    if (!run->block_attrib || !run->chunk_attrib || !run->point_attrib || !run->attrib_x)
        return -1;
    for (int b = 0; b < ENGINE_CHUNK_BLOCKS; b++)
        if (!(run->block_attrib[b] = attrib_moments_alloc(k, spec->n_attrib)))
            return -1;
    return 0;
}

size_t engine_attrib_message_size(const run_t *run)
{
    return run->attrib_k ? attrib_moments_len(run->attrib_k, run->spec->n_attrib) * 8 : 0;
}

/* Block k of the chunk, its converged draws in draw order. */
void engine_attrib_block(const run_t *run, int k, uint64_t n, const double *rows,
                         const double *inputs, const int32_t *status)
{
    const engine_spec_t *spec = run->spec;
    if (!run->attrib_k)
        return;
    attrib_moments_t *m = run->block_attrib[k];
    double *x = run->attrib_x + (size_t)k * spec->n_attrib;   /* block k's own scratch */
    size_t in_row = ENGINE_INPUT_ROW(spec->n_inputs);
    attrib_moments_reset(m);
    for (uint64_t d = 0; d < n; d++) {
        if (status[d])
            continue;
        const double *row = rows + d * run->n_vars;
        for (size_t t = 0; t < spec->n_attrib; t++)
            x[t] = row[spec->attrib_index[t]];
        attrib_moments_add(m, inputs + d * in_row + spec->n_inputs, x);
    }
}

void engine_attrib_chunk_from_blocks(run_t *run, int n_blocks)
{
    if (!run->attrib_k)
        return;
    attrib_moments_reset(run->chunk_attrib);
    for (int k = 0; k < n_blocks; k++)
        attrib_moments_merge(run->chunk_attrib, run->block_attrib[k]);
}

void engine_attrib_chunk_into_point(run_t *run)
{
    if (run->attrib_k)
        attrib_moments_merge(run->point_attrib, run->chunk_attrib);
}

void engine_attrib_summarize(const run_t *run, point_summary_t *out)
{
    if (!run->attrib_k)
        return;
    assert(out->n_inputs == run->attrib_k && out->n_attrib == run->spec->n_attrib);
    attrib_finish(run->point_attrib, out->corr_input, out->src_input, out->r2);
}
