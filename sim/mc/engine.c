/* engine.c - see engine.h for the reproducibility contract: the draws, set-up, the chunk
 * loop and single evaluations of a design; attribution is engine_attrib.c, the MPI
 * exchange engine_mpi.c, their shared state engine_internal.h. */
#include "engine.h"
#include "engine_internal.h"
#include "attrib.h"
#include "solve.h"
#include "solve_batch.h"
#include "cluster.h"
#include "stats.h"
#include <assert.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_groups_of(const engine_spec_t *spec) { return 1 + spec->n_regimes; }

/* ---- one draw of a calendar (Part 2) ---------------------------------------------- */

/* Year y's non-tariff barriers (TARGET_NTB) added to the route's tariff in each of year
 * y's periods of w->periods_barrier: the calendar form of sample_apply_barriers, which
 * edits an annual policy_t. The reference policy never gets them. */
static void barriers_of_year(const engine_spec_t *spec, worker_t *w, int y, const double *values)
{
    const periods_market_t *pm = spec->pmarket;
    periods_policy_t *pol = w->periods_barrier;
    int ne = pol->n_exporters, ni = pol->n_importers;
    for (int k = 0; k < spec->n_inputs; k++) {
        const input_spec_t *in = &spec->inputs[k];
        if (in->target != TARGET_NTB || in->exporter < 0 || in->exporter >= ne ||
            in->importer < 0 || in->importer >= ni)
            continue;
        for (int t = pm->year_first[y]; t < pm->year_first[y + 1]; t++)
            pol->tariff[((size_t)t * (size_t)ne + (size_t)in->exporter) * (size_t)ni +
                        (size_t)in->importer] += values[k];
    }
}

/* The draw's inputs in every marketing year: year 0's values are the draw's; a yearly
 * input of year y > 0 comes from the draw under the key seed ^ (y * ENGINE_YEAR_KEY).
 * With non-tariff barriers, w->periods_barrier (a copy of the draw's policy) gets each
 * year's. */
static void sample_years(const engine_spec_t *spec, worker_t *w, uint64_t draw,
                         const double *inputs)
{
    const periods_market_t *pm = spec->pmarket;
    int any_yearly = 0, ignored;
    for (int k = 0; spec->input_yearly && k < spec->n_inputs; k++)
        any_yearly |= spec->input_yearly[k];
    for (int y = 0; y < pm->n_years; y++) {
        const double *values = inputs;
        if (y > 0 && any_yearly) {
            sampler_draw(spec->sampler, w->sample_ws, spec->seed ^ ((uint64_t)y * ENGINE_YEAR_KEY),
                         draw, w->year_values, &ignored);
            for (int k = 0; k < spec->n_inputs; k++)
                if (!spec->input_yearly[k])
                    w->year_values[k] = inputs[k];
            values = w->year_values;
        }
        sample_apply(spec->inputs, spec->n_inputs, values, pm->period_market[0],
                     w->periods_shocks->year[y]);
        if (w->periods_barrier)
            barriers_of_year(spec, w, y, values);
    }
}

/* The reference from baseline prices, then the scenario (or the draw's regime)
 * warm-started from it, as the annual draw does. */
static int draw_periods(const engine_spec_t *spec, worker_t *w, uint64_t draw,
                        double *inputs, int regime, double *row, int32_t *iterations_out)
{
    const quantity_layout_t *lay = spec->layout;
    const periods_market_t *pm = spec->pmarket;
    const periods_policy_t *policy = spec->n_regimes > 0 ? spec->p_regimes[regime]
                                                         : spec->p_scenario;
    if (w->periods_barrier) {   /* sample_years adds the draw's barriers to a copy */
        periods_policy_copy_into(w->periods_barrier, policy);
        policy = w->periods_barrier;
    }
    sample_years(spec, w, draw, inputs);
    inputs[2 * spec->n_inputs] = w->periods_shocks->year[0]->compliance;
    int status = 0;
    if (periods_solve(pm, spec->p_reference, w->periods_shocks, NULL, w->periods_ws,
                      w->periods_ref))
        status = (int)w->periods_ref->status;
    else if (periods_solve(pm, policy, w->periods_shocks, w->periods_ref, w->periods_ws,
                           w->periods_scen))
        status = ENGINE_SCENARIO_FAILED + (int)w->periods_scen->status;
    *iterations_out = w->periods_ref->iterations + (status ? 0 : w->periods_scen->iterations);
    if (status)
        return status;
    double *level = row, *ref = row + lay->n_level, *change = row + 2 * lay->n_level;
    quantities_from_periods_solution(lay, pm, w->periods_scen, level);
    quantities_from_periods_solution(lay, pm, w->periods_ref, ref);
    for (size_t v = 0; v < lay->n_level; v++)
        change[v] = level[v] - ref[v];
    periods_welfare_compute(pm, w->periods_shocks, w->periods_ref, w->periods_scen,
                            w->periods_welfare);
    quantities_from_periods_welfare(lay, pm, w->periods_welfare, row + 3 * lay->n_level);
    return 0;
}

/* ---- one draw ------------------------------------------------------------------ */

/* Draw `draw` (with one stream from draw `alt`: sampler_draw_design; swap -1 for none);
 * inputs receives its input row (ENGINE_INPUT_ROW: values, normal scores, compliance). */
static void draw_one(const engine_spec_t *spec, worker_t *w, uint64_t draw, uint64_t alt,
                     int swap, double *row, double *inputs, int32_t *regime_out,
                     int32_t *status_out, int32_t *iterations_out)
{
    const quantity_layout_t *lay = spec->layout;
    if (spec->pmarket) {   /* a calendar: its own solves and quantities */
        int regime = -1;
        sampler_draw_design(spec->sampler, w->sample_ws, spec->seed, draw, alt, swap, inputs,
                            inputs + spec->n_inputs, &regime);
        if (spec->n_regimes == 0)
            regime = -1;   /* the sampler may know regimes this run does not use */
        int status = draw_periods(spec, w, draw, inputs, regime, row, iterations_out);
        *regime_out = regime;
        *status_out = status;
        for (size_t v = 0; status && v < lay->n_vars; v++)
            row[v] = NAN;
        return;
    }
    const policy_t *policy = engine_annual_sample(spec, w, draw, alt, swap, inputs, w->shocks,
                                                  w->barrier_policy, regime_out);
    int status = engine_annual_solve(spec, w, policy, w->shocks, w->ref, w->scen,
                                     iterations_out);
    *status_out = status;
    engine_annual_row(spec, w, w->shocks, w->ref, w->scen, status, row);
}

static uint64_t block_len(const engine_spec_t *spec, uint64_t block)
{
    uint64_t first = block * ENGINE_BLOCK_DRAWS;
    return spec->draws - first < ENGINE_BLOCK_DRAWS ? spec->draws - first : ENGINE_BLOCK_DRAWS;
}

static void draw_block(const run_t *run, worker_t *w, uint64_t block, double *rows,
                       double *inputs, int32_t *regime, int32_t *status, int32_t *iterations)
{
    const engine_spec_t *spec = run->spec;
    uint64_t first = block * ENGINE_BLOCK_DRAWS, n = block_len(spec, block);
    size_t in_row = ENGINE_INPUT_ROW(spec->n_inputs);
    if (w->batch) {   /* annual markets: SOLVE_LANES draws at a time (engine_draw.c) */
        engine_annual_block(spec, w, first, n, rows, run->n_vars, inputs, regime, status,
                            iterations);
        return;
    }
    for (uint64_t k = 0; k < n; k++)
        draw_one(spec, w, first + k, first + k, -1, rows + k * run->n_vars, inputs + k * in_row,
                 &regime[k], &status[k], &iterations[k]);
}

/* Fold one block's rows into its block moments (in draw order) and the thread's
 * threshold counters. The histograms are filled per chunk (histogram_chunk). Runs of
 * consecutive converged draws of a group go to the moments together (the same bits as
 * one by one, faster). */
static void accumulate_block(const run_t *run, worker_t *w, int k, uint64_t n,
                             const double *rows, const int32_t *regime, const int32_t *status)
{
    const engine_spec_t *spec = run->spec;
    stats_moments_t **moments = &run->block_moments[(size_t)k * (size_t)run->n_groups];
    uint64_t *ok = &run->block_ok[(size_t)k * (size_t)run->n_groups];
    uint64_t *failed = &run->block_failed[(size_t)k * (size_t)run->n_groups];
    for (int g = 0; g < run->n_groups; g++) {
        stats_moments_reset(moments[g]);
        ok[g] = failed[g] = 0;
        uint64_t *hits = &w->threshold_hits[(size_t)g * (size_t)spec->n_thresholds];
        for (uint64_t d = 0, end; d < n; d = end) {
            end = d + 1;
            if (g > 0 && regime[d] != g - 1)
                continue;
            if (status[d]) {
                failed[g]++;
                continue;
            }
            while (end < n && (g == 0 || regime[end] == g - 1) && !status[end])
                end++;
            stats_moments_add_rows(moments[g], rows + d * run->n_vars, end - d);
            ok[g] += end - d;
            for (uint64_t e = d; e < end; e++) {
                const double *row = rows + e * run->n_vars;
                for (int t = 0; t < spec->n_thresholds; t++) {
                    const engine_threshold_t *th = &spec->thresholds[t];
                    double x = row[th->index];
                    hits[t] += th->above ? (x > th->value) : (x < th->value);
                }
            }
        }
    }
}

/* A block's values binned into the chunk's slots, while they are in this core's cache
 * (every group's histograms have the pilot's ranges: group 0's bins serve them all). */
static void block_to_slots(const run_t *run, size_t at, uint64_t n, const double *rows)
{
    size_t V = run->n_vars, chunk = (size_t)ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS;
    for (size_t v = 0; v < V; v++)
        stats_hist_slots(run->hist[0], v, rows + v, V, n, run->chunk_slots + v * chunk + at);
}

/* The chunk's converged rows into the point's histograms. Threads split the variables,
 * not the draws: the counts are the same whatever the split, one set of histograms
 * serves any number of threads, and each variable's bins stay in one core's cache while
 * a whole chunk of its values goes in. */
static void histogram_chunk(run_t *run, uint64_t n)
{
    size_t G = (size_t)run->n_groups, chunk = (size_t)ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS;
    for (size_t g = 0; g < G; g++)
        run->n_members[g] = 0;
    for (uint64_t d = 0; d < n; d++) {
        if (run->status[d])
            continue;
        run->members[run->n_members[0]++] = (size_t)d;
        if (run->regime[d] >= 0) {
            size_t g = 1 + (size_t)run->regime[d];
            run->members[g * chunk + run->n_members[g]++] = (size_t)d;
        }
    }
    int all_ok = run->n_members[0] == n;   /* then group 0 needs no index */
#pragma omp parallel for schedule(dynamic, 8) num_threads(run->n_workers)
    for (size_t v = 0; v < run->n_vars; v++)
        for (size_t g = 0; g < G; g++)
            stats_hist_add_slots(run->hist[g], v, run->chunk_slots + v * chunk,
                                 g == 0 && all_ok ? NULL : run->members + g * chunk,
                                 run->n_members[g]);
}

/* ---- set-up and tear-down ------------------------------------------------------- */

static void worker_free(worker_t *w)
{
    sample_workspace_free(w->sample_ws);
    solve_workspace_free(w->solve_ws);
    shocks_free(w->shocks);
    solution_free(w->ref);
    solution_free(w->scen);
    welfare_free(w->welfare);
    free(w->block_rows);
    free(w->threshold_hits);
    policy_free(w->barrier_policy);
    periods_workspace_free(w->periods_ws);
    periods_shocks_free(w->periods_shocks);
    periods_solution_free(w->periods_ref);
    periods_solution_free(w->periods_scen);
    periods_welfare_free(w->periods_welfare);
    free(w->year_values);
    free(w->design_inputs);
    periods_policy_free(w->periods_barrier);
    engine_lanes_free(w);
}

static int worker_init(worker_t *w, const run_t *run)
{
    const engine_spec_t *spec = run->spec;
    memset(w, 0, sizeof *w);
    w->sample_ws = sample_workspace_alloc(spec->sampler);
    w->solve_ws = solve_workspace_alloc(spec->market);
    w->shocks = shocks_alloc_baseline(spec->market);
    w->ref = solution_alloc(spec->market);
    w->scen = solution_alloc(spec->market);
    w->welfare = welfare_alloc(spec->market);
    w->threshold_hits = calloc((size_t)run->n_groups * (size_t)spec->n_thresholds + 1,
                               sizeof(uint64_t));
    w->block_rows = malloc((size_t)ENGINE_BLOCK_DRAWS * run->n_vars * sizeof(double));
    if (!w->sample_ws || !w->solve_ws || !w->shocks || !w->ref || !w->scen || !w->welfare ||
        !w->threshold_hits || !w->block_rows)
        return -1;
    for (int k = 0; k < spec->n_inputs; k++)   /* only runs with barriers copy policies */
        if (spec->inputs[k].target == TARGET_NTB && !w->barrier_policy &&
            !(w->barrier_policy = policy_copy(spec->scenario)))
            return -1;
    const periods_market_t *pm = spec->pmarket;
    if (!pm)
        return engine_lanes_init(w, spec);
    w->periods_ws = periods_workspace_alloc(pm, spec->max_windows);
    w->periods_shocks = periods_shocks_alloc_baseline(pm);
    w->periods_ref = periods_solution_alloc(pm, spec->max_windows);
    w->periods_scen = periods_solution_alloc(pm, spec->max_windows);
    w->periods_welfare = periods_welfare_alloc(pm);
    w->year_values = calloc((size_t)spec->n_inputs + 1, sizeof(double));
    if (w->barrier_policy && !(w->periods_barrier = periods_policy_alloc(pm, spec->max_windows)))
        return -1;
    return w->periods_ws && w->periods_shocks && w->periods_ref && w->periods_scen &&
                   w->periods_welfare && w->year_values
               ? 0 : -1;
}

static stats_moments_t **moments_array_alloc(size_t count, size_t n_vars)
{
    stats_moments_t **a = calloc(count, sizeof *a);
    if (!a)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!(a[i] = stats_moments_alloc(n_vars))) {
            for (size_t j = 0; j < i; j++)
                stats_moments_free(a[j]);
            free(a);
            return NULL;
        }
    return a;
}

static void moments_array_free(stats_moments_t **a, size_t count)
{
    if (!a)
        return;
    for (size_t i = 0; i < count; i++)
        stats_moments_free(a[i]);
    free(a);
}

/* The workers: made for each point (their workspaces and shocks come from its market
 * and policies), cheap next to the run's buffers. */
static void run_stop(run_t *run)
{
    if (run->workers)
        for (int t = 0; t < run->n_workers; t++)
            worker_free(&run->workers[t]);
    free(run->workers);
    run->workers = NULL;
}

static void run_free(run_t *run)
{
    size_t G = (size_t)run->n_groups;
    run_stop(run);
    if (run->hist)
        for (int g = 0; g < run->n_groups; g++)
            stats_hist_free(run->hist[g]);
    free(run->hist);
    free(run->members);
    free(run->n_members);
    moments_array_free(run->block_moments, ENGINE_CHUNK_BLOCKS * G);
    moments_array_free(run->chunk_moments, G);
    moments_array_free(run->point_moments, G);
    free(run->ok);
    free(run->failed);
    free(run->block_ok);
    free(run->block_failed);
    free(run->chunk_values);
    free(run->chunk_slots);
    free(run->regime);
    free(run->status);
    free(run->iterations);
    free(run->pilot);
    free(run->pilot_ok);
    free(run->lo);
    free(run->hi);
    free(run->chunk_inputs);
    engine_attrib_free_run(run);
    memset(run, 0, sizeof *run);
}

/* The first ENGINE_PILOT_BLOCKS blocks are drawn first, alone: their rows fix the
 * histogram ranges of the point, then they are accumulated like any other block. Their
 * draws depend only on (seed, draw), so every rank and every shard derives the same
 * ranges. */
static void run_pilot(run_t *run)
{
    const engine_spec_t *spec = run->spec;
    size_t V = run->n_vars, pilot_draws = (size_t)ENGINE_PILOT_BLOCKS * ENGINE_BLOCK_DRAWS;
    uint64_t n = spec->draws < pilot_draws ? spec->draws : pilot_draws;
    int n_blocks = (int)((n + ENGINE_BLOCK_DRAWS - 1) / ENGINE_BLOCK_DRAWS);
    /* on the threads: a draw depends only on (seed, draw), not on who computes it; in a
     * sweep of short points a serial pilot would leave the other cores idle */
#pragma omp parallel for schedule(dynamic, 1) num_threads(run->n_workers)
    for (int b = 0; b < n_blocks; b++) {
        size_t at = (size_t)b * ENGINE_BLOCK_DRAWS;
        draw_block(run, &run->workers[omp_get_thread_num()], (uint64_t)b, run->pilot + at * V,
                   run->chunk_inputs + at * ENGINE_INPUT_ROW(spec->n_inputs), run->regime + at,
                   run->status + at, run->iterations + at);
    }
    size_t n_ok = 0;
    for (uint64_t d = 0; d < n; d++)
        if (!run->status[d])
            memcpy(run->pilot_ok + n_ok++ * V, run->pilot + d * V, V * sizeof(double));
    stats_range_from_pilot(run->pilot_ok, n_ok, V, run->lo, run->hi);
}

static int workers_of(const engine_spec_t *spec)
{
    return spec->threads > 0 ? spec->threads : omp_get_max_threads();
}

/* Everything whose size depends only on the shape of the spec (variables, groups,
 * threads, inputs, attribution, raw draws): what a scratch keeps between points. The
 * histograms are made by the first run_start, once the pilot gives their ranges. */
static int run_alloc(run_t *run, const engine_spec_t *spec)
{
    memset(run, 0, sizeof *run);
    run->spec = spec;
    run->n_vars = spec->layout->n_vars;
    run->n_groups = n_groups_of(spec);
    run->n_workers = workers_of(spec);
    size_t G = (size_t)run->n_groups, V = run->n_vars;
    size_t chunk_draws = (size_t)ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS;
    size_t pilot_draws = (size_t)ENGINE_PILOT_BLOCKS * ENGINE_BLOCK_DRAWS;
    run->regime = malloc(chunk_draws * sizeof(int32_t));
    run->status = malloc(chunk_draws * sizeof(int32_t));
    run->iterations = malloc(chunk_draws * sizeof(int32_t));
    run->chunk_inputs = malloc(chunk_draws * ENGINE_INPUT_ROW(spec->n_inputs) * sizeof(double));
    run->ok = calloc(G, sizeof(uint64_t));
    run->failed = calloc(G, sizeof(uint64_t));
    run->block_ok = calloc(ENGINE_CHUNK_BLOCKS * G, sizeof(uint64_t));
    run->block_failed = calloc(ENGINE_CHUNK_BLOCKS * G, sizeof(uint64_t));
    run->block_moments = moments_array_alloc(ENGINE_CHUNK_BLOCKS * G, V);
    run->chunk_moments = moments_array_alloc(G, V);
    run->point_moments = moments_array_alloc(G, V);
    run->lo = malloc(V * sizeof(double));
    run->hi = malloc(V * sizeof(double));
    run->pilot = malloc(pilot_draws * V * sizeof(double));
    run->pilot_ok = malloc(pilot_draws * V * sizeof(double));
    if (!run->regime || !run->status || !run->iterations || !run->ok || !run->failed ||
        !run->block_ok || !run->block_failed || !run->block_moments || !run->chunk_moments ||
        !run->point_moments || !run->chunk_inputs || !run->lo || !run->hi || !run->pilot ||
        !run->pilot_ok || engine_attrib_init_run(run))
        return -1;
    if (spec->raw && !(run->chunk_values = malloc(chunk_draws * V * sizeof(double))))
        return -1;
    run->chunk_slots = malloc(chunk_draws * V * sizeof(stats_slot_t));
    run->members = malloc(G * chunk_draws * sizeof(size_t));
    run->n_members = calloc(G, sizeof(size_t));
    run->hist = calloc(G, sizeof *run->hist);
    return run->chunk_slots && run->members && run->n_members && run->hist ? 0 : -1;
}

/* The per-point start of a run whose buffers are allocated (fresh or kept by a scratch):
 * counts and point accumulators emptied, workers made, the pilot drawn, the histograms
 * given its ranges. The block and chunk accumulators are reset where they are filled. */
static int run_start(run_t *run, const engine_spec_t *spec)
{
    size_t G = (size_t)run->n_groups;
    run->spec = spec;
    memset(run->ok, 0, G * sizeof *run->ok);
    memset(run->failed, 0, G * sizeof *run->failed);
    for (size_t g = 0; g < G; g++)
        stats_moments_reset(run->point_moments[g]);
    if (run->point_attrib)
        attrib_moments_reset(run->point_attrib);
    run->workers = calloc((size_t)run->n_workers, sizeof(worker_t));
    if (!run->workers)
        return -1;
    for (int t = 0; t < run->n_workers; t++)
        if (worker_init(&run->workers[t], run))
            return -1;
    run_pilot(run);
    int bad = 0;
    if (run->hist[0]) {   /* kept from an earlier point: emptied on the threads */
#pragma omp parallel for schedule(static) num_threads(run->n_workers) reduction(| : bad)
        for (size_t v = 0; v < run->n_vars; v++)
            for (size_t g = 0; g < G; g++)
                bad |= stats_hist_reset_var(run->hist[g], v, run->lo[v], run->hi[v]) != 0;
        return bad ? -1 : 0;
    }
    for (size_t g = 0; g < G; g++)
        if (!(run->hist[g] = stats_hist_alloc(run->n_vars, run->lo, run->hi)))
            return -1;
    return 0;
}

/* ---- buffers kept between points (engine.h) ----------------------------------------- */

struct engine_scratch {
    run_t run;
    int ready;                  /* run's buffers are allocated, for the shape below */
    int n_inputs, raw;
    size_t n_attrib;
};

engine_scratch_t *engine_scratch_alloc(void)
{
    return calloc(1, sizeof(engine_scratch_t));
}

void engine_scratch_free(engine_scratch_t *s)
{
    if (!s)
        return;
    if (s->ready)
        run_free(&s->run);
    free(s);
}

/* The run of a spec: the scratch's when there is one (allocated again when the shape
 * changed), else `own`, allocated here. NULL on failure, with nothing left allocated. */
static run_t *run_begin(const engine_spec_t *spec, run_t *own)
{
    engine_scratch_t *s = spec->scratch;
    run_t *run = s ? &s->run : own;
    if (s && s->ready &&
        (run->n_vars != spec->layout->n_vars || run->n_groups != n_groups_of(spec) ||
         run->n_workers != workers_of(spec) || s->n_inputs != spec->n_inputs ||
         s->n_attrib != spec->n_attrib || s->raw != (spec->raw != NULL))) {
        run_free(run);
        s->ready = 0;
    }
    if (!s || !s->ready) {
        if (run_alloc(run, spec)) {
            run_free(run);
            return NULL;
        }
        if (s) {
            s->ready = 1;
            s->n_inputs = spec->n_inputs;
            s->n_attrib = spec->n_attrib;
            s->raw = spec->raw != NULL;
        }
    }
    if (run_start(run, spec)) {
        run_free(run);
        if (s)
            s->ready = 0;
        return NULL;
    }
    return run;
}

/* The end of a point: a scratch keeps the buffers. */
static void run_end(run_t *run, const engine_spec_t *spec)
{
    if (spec->scratch)
        run_stop(run);
    else
        run_free(run);
}

/* ---- the chunk loop --------------------------------------------------------------- */

/* Blocks in order into the chunk accumulators (moments, then the draw counts kept in
 * block slot 0 of block_ok / block_failed). */
static void chunk_from_blocks(run_t *run, int n_blocks)
{
    size_t G = (size_t)run->n_groups;
    for (size_t g = 0; g < G; g++)
        stats_moments_reset(run->chunk_moments[g]);
    for (int k = 0; k < n_blocks; k++)
        for (size_t g = 0; g < G; g++) {
            stats_moments_merge(run->chunk_moments[g], run->block_moments[(size_t)k * G + g]);
            if (k > 0) {
                run->block_ok[g] += run->block_ok[(size_t)k * G + g];
                run->block_failed[g] += run->block_failed[(size_t)k * G + g];
            }
        }
}

static void chunk_into_point(run_t *run)
{
    for (size_t g = 0; g < (size_t)run->n_groups; g++) {
        stats_moments_merge(run->point_moments[g], run->chunk_moments[g]);
        run->ok[g] += run->block_ok[g];
        run->failed[g] += run->block_failed[g];
    }
}

static void process_chunk(run_t *run, uint64_t chunk, int n_blocks)
{
    const engine_spec_t *spec = run->spec;
    uint64_t first_block = chunk * ENGINE_CHUNK_BLOCKS;
#pragma omp parallel for schedule(dynamic, 1) num_threads(run->n_workers)
    for (int k = 0; k < n_blocks; k++) {
        worker_t *w = &run->workers[omp_get_thread_num()];
        uint64_t block = first_block + (uint64_t)k;
        uint64_t n = block_len(spec, block);
        size_t at = (size_t)k * ENGINE_BLOCK_DRAWS;
        double *rows = run->chunk_values ? run->chunk_values + at * run->n_vars : w->block_rows;
        double *inputs = run->chunk_inputs + at * ENGINE_INPUT_ROW(spec->n_inputs);
        if (block < ENGINE_PILOT_BLOCKS)   /* drawn already; its inputs, regime and status too */
            memcpy(rows, run->pilot + at * run->n_vars, n * run->n_vars * sizeof(double));
        else
            draw_block(run, w, block, rows, inputs, run->regime + at, run->status + at,
                       run->iterations + at);
        accumulate_block(run, w, k, n, rows, run->regime + at, run->status + at);
        engine_attrib_block(run, k, n, rows, inputs, run->status + at);
        block_to_slots(run, at, n, rows);
    }
}

/* Threshold counts are integers: summed over the threads in any order. */
static void merge_workers(run_t *run)
{
    const engine_spec_t *spec = run->spec;
    worker_t *total = &run->workers[0];
    size_t n = (size_t)run->n_groups * (size_t)spec->n_thresholds;
    for (int t = 1; t < run->n_workers; t++)
        for (size_t i = 0; i < n; i++)
            total->threshold_hits[i] += run->workers[t].threshold_hits[i];
}

/* One variable's statistics in every group (independent of the other variables). */
static void summarize_variable(const run_t *run, size_t v, point_summary_t *out)
{
    size_t V = run->n_vars;
    for (int g = 0; g < run->n_groups; g++) {
        const stats_moments_t *m = run->point_moments[g];
        size_t at = (size_t)g * V + v;
        out->mean[at] = stats_mean(m, v);
        out->sd[at] = stats_sd(m, v);
        out->mcse[at] = stats_mcse(m, v);
        out->min[at] = stats_min(m, v);
        out->max[at] = stats_max(m, v);
        double *quantile = &out->quantile[at * SUMMARY_N_QUANTILES];
        if (run->ok[g])
            stats_hist_quantiles(run->hist[g], v, summary_quantile_probs, SUMMARY_N_QUANTILES,
                                 out->min[at], out->max[at], quantile);
        else
            for (int q = 0; q < SUMMARY_N_QUANTILES; q++)
                quantile[q] = NAN;
    }
    out->quantile_error[v] = stats_hist_quantiles_error_bound(
        run->hist[0], v, summary_quantile_probs[0], summary_quantile_probs[SUMMARY_N_QUANTILES - 1],
        out->min[v], out->max[v]);
    stats_hist_coarse(run->hist[0], v, SUMMARY_HIST_BINS, &out->hist[v * SUMMARY_HIST_BINS],
                      &out->hist_edges[v * (SUMMARY_HIST_BINS + 1)], &out->hist_under[v],
                      &out->hist_over[v]);
}

static void summarize(const run_t *run, point_summary_t *out)
{
    const engine_spec_t *spec = run->spec;
    /* the histogram scans are the point's largest serial cost: spread them */
#pragma omp parallel for schedule(static) num_threads(run->n_workers)
    for (size_t v = 0; v < run->n_vars; v++)
        summarize_variable(run, v, out);
    for (int g = 0; g < run->n_groups; g++) {
        uint64_t ok = run->ok[g];
        out->draws_ok[g] = ok;
        out->draws_failed[g] = run->failed[g];
        for (int i = 0; i < spec->n_thresholds; i++) {
            size_t at = (size_t)g * (size_t)spec->n_thresholds + (size_t)i;
            double p = ok ? (double)run->workers[0].threshold_hits[at] / (double)ok : NAN;
            out->threshold_prob[at] = p;
            out->threshold_mcse[at] = summary_proportion_mcse(p, ok);
        }
    }
}

/* Rank 0, after a chunk is in: merge it into the point, hand its draws to the raw sink,
 * report progress. */
static int chunk_on_root(run_t *run, uint64_t first, uint64_t done, char *err, size_t errlen)
{
    const engine_spec_t *spec = run->spec;
    chunk_into_point(run);
    engine_attrib_chunk_into_point(run);
    if ((spec->raw && spec->raw(spec->raw_ctx, first, done - first, run->chunk_values,
                                run->regime, run->status, run->iterations)) ||
        (spec->raw_inputs &&
         spec->raw_inputs(spec->raw_ctx, first, done - first, run->chunk_inputs))) {
        snprintf(err, errlen, "could not write raw draws");
        return ENGINE_SINK_FAILED;
    }
    if (spec->progress)
        spec->progress(spec->progress_ctx, spec->progress_offset + done,
                       spec->progress_total ? spec->progress_total : spec->draws);
    return ENGINE_OK;
}

/* Whether to leave the chunk loop, decided alike on every rank: a failure anywhere
 * (verdict 2) fails them all, a stop signal anywhere (verdict 1) interrupts them all
 * unless the point is finished anyway. */
static int agree_to_stop(const run_t *run, int *rc, int last_chunk, uint64_t done, char *err,
                         size_t errlen)
{
    const engine_spec_t *spec = run->spec;
    int verdict = *rc != ENGINE_OK ? 2 : (spec->stop && *spec->stop) ? 1 : 0;
    if (spec->mpi_size > 1)
        verdict = cluster_max(verdict);
    if (verdict == 2 && *rc == ENGINE_OK) {
        snprintf(err, errlen, "another MPI rank failed");
        *rc = ENGINE_SINK_FAILED;
    } else if (verdict == 1 && !last_chunk) {
        snprintf(err, errlen, "interrupted after %llu of %llu draws",
                 (unsigned long long)done, (unsigned long long)spec->draws);
        *rc = ENGINE_INTERRUPTED;
    }
    return verdict != 0;
}

int engine_run_point(const engine_spec_t *spec, point_summary_t *out, char *err, size_t errlen)
{
    if (spec->draws == 0) {
        snprintf(err, errlen, "no draws to run (draws = 0)");
        return ENGINE_NO_DRAWS;
    }
    if (!spec->pmarket && spec->solve_kernel != ENGINE_SOLVE_SCALAR &&
        !solve_batch_kernel_available((solve_kernel_t)spec->solve_kernel)) {
        snprintf(err, errlen, "solve kernel %d does not run on this CPU or in this build",
                 spec->solve_kernel);
        return ENGINE_BAD_SPEC;
    }
    run_t own, *run = run_begin(spec, &own);
    if (!run) {
        snprintf(err, errlen, "out of memory setting up %d threads", workers_of(spec));
        return ENGINE_NOMEM;
    }
    uint64_t n_blocks = (spec->draws + ENGINE_BLOCK_DRAWS - 1) / ENGINE_BLOCK_DRAWS;
    uint64_t n_chunks = (n_blocks + ENGINE_CHUNK_BLOCKS - 1) / ENGINE_CHUNK_BLOCKS;
    int ranks = spec->mpi_size > 1 ? spec->mpi_size : 1, rank = ranks > 1 ? spec->mpi_rank : 0;
    char *msg = ranks > 1 ? malloc(engine_chunk_message_size(run)) : NULL;
    int rc = (ranks > 1 && !msg) ? ENGINE_NOMEM : ENGINE_OK;
    for (uint64_t c = 0; c < n_chunks; c++) {
        int owner = (int)(c % (uint64_t)ranks);
        int blocks = (int)(n_blocks - c * ENGINE_CHUNK_BLOCKS < ENGINE_CHUNK_BLOCKS
                               ? n_blocks - c * ENGINE_CHUNK_BLOCKS : ENGINE_CHUNK_BLOCKS);
        uint64_t first = c * ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS;
        uint64_t done = first + (uint64_t)blocks * ENGINE_BLOCK_DRAWS;
        if (done > spec->draws)
            done = spec->draws;
        if (owner == rank && rc == ENGINE_OK) {
            process_chunk(run, c, blocks);
            histogram_chunk(run, done - first);
            /* the two merges of the chunk's blocks are independent: side by side */
#pragma omp parallel sections num_threads(run->n_workers > 1 ? 2 : 1)
            {
#pragma omp section
                chunk_from_blocks(run, blocks);
#pragma omp section
                engine_attrib_chunk_from_blocks(run, blocks);
            }
        }
        /* the exchange happens even after a local failure, so no rank waits forever */
        if (ranks > 1 && engine_exchange_chunk(run, c, owner, done - first, msg) &&
            rc == ENGINE_OK) {
            snprintf(err, errlen, "MPI transfer of chunk %llu failed", (unsigned long long)c);
            rc = ENGINE_SINK_FAILED;
        }
        if (rank == 0 && rc == ENGINE_OK)
            rc = chunk_on_root(run, first, done, err, errlen);
        /* every rank stops at the same chunk: they agree once per round of chunks */
        if ((c + 1) % (uint64_t)ranks != 0 && c + 1 != n_chunks)
            continue;
        if (agree_to_stop(run, &rc, c + 1 == n_chunks, done, err, errlen))
            break;
    }
    free(msg);
    if (rc == ENGINE_OK) {
        merge_workers(run);
        if (ranks > 1 && engine_reduce_counts(run)) {
            snprintf(err, errlen, "MPI reduction of histograms failed");
            rc = ENGINE_SINK_FAILED;
        }
    }
    if (rc == ENGINE_OK) {
        summarize(run, out);
        engine_attrib_summarize(run, out);
    }
    run_end(run, spec);
    return rc;
}

/* ---- single evaluations of a design (sobol.h) ------------------------------------- */

engine_worker_t *engine_worker_alloc(const engine_spec_t *spec)
{
    run_t run;
    memset(&run, 0, sizeof run);
    run.spec = spec;
    run.n_vars = spec->layout->n_vars;   /* worker_init sizes its block buffer by it */
    run.n_groups = n_groups_of(spec);
    worker_t *w = malloc(sizeof *w);
    if (!w)
        return NULL;
    if (worker_init(w, &run) ||
        !(w->design_inputs =
              malloc(SOLVE_LANES * ENGINE_INPUT_ROW(spec->n_inputs) * sizeof(double)))) {
        worker_free(w);
        free(w);
        return NULL;
    }
    return w;
}

void engine_worker_free(engine_worker_t *w)
{
    if (!w)
        return;
    worker_free(w);
    free(w);
}

void engine_eval_designs(const engine_spec_t *spec, engine_worker_t *w, int n,
                         const uint64_t *draw, const uint64_t *alt, const int *swap,
                         double *rows, int32_t *status)
{
    assert(n >= 1 && n <= SOLVE_LANES);
    size_t V = spec->layout->n_vars, in_row = ENGINE_INPUT_ROW(spec->n_inputs);
    int32_t regime[SOLVE_LANES], iterations[SOLVE_LANES];
    if (w->batch) {   /* an annual market, batched (engine_draw.c) */
        engine_annual_lanes(spec, w, n, draw, alt, swap, rows, V, w->design_inputs, regime,
                            status, iterations);
        return;
    }
    for (int l = 0; l < n; l++)
        draw_one(spec, w, draw[l], alt[l], swap[l], rows + (size_t)l * V,
                 w->design_inputs + (size_t)l * in_row, &regime[l], &status[l],
                 &iterations[l]);
}
