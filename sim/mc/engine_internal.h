/*
 * engine_internal.h - what the files of the engine share (engine.c: draws and the chunk
 * loop; engine_attrib.c: attribution co-moments; engine_mpi.c: chunks between MPI
 * ranks): the per-thread and per-run state. Not part of the engine's interface
 * (engine.h): nothing outside sim/mc/engine*.c includes it.
 */
#ifndef AGTRADE_ENGINE_INTERNAL_H
#define AGTRADE_ENGINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "engine.h"
#include "attrib.h"
#include "solve.h"
#include "solve_batch.h"
#include "stats.h"

/* Per-thread state: everything a draw touches, allocated once per run. */
typedef struct engine_worker {
    sample_workspace_t *sample_ws;
    solve_workspace_t *solve_ws;
    shocks_t *shocks;
    solution_t *ref, *scen;
    welfare_t *welfare;
    double *block_rows;           /* one block's rows (when raw draws do not keep them) */
    uint64_t *threshold_hits;     /* [group][threshold], summed over threads at the end */
    policy_t *barrier_policy;     /* the draw's policy with its non-tariff barriers, or NULL
                                     when the run has none */
    /* a calendar (spec->pmarket): its solves, and the inputs of one year */
    periods_workspace_t *periods_ws;
    periods_shocks_t *periods_shocks;
    periods_solution_t *periods_ref, *periods_scen;
    periods_welfare_t *periods_welfare;
    double *year_values;
    double *design_inputs;        /* engine_eval_designs' input rows (SOLVE_LANES) */
    periods_policy_t *periods_barrier;   /* the draw's calendar policy with its non-tariff
                                            barriers, or NULL when the run has none */
    /* the batched solve of an annual market (engine_draw.c), or batch NULL: one draw at
     * a time; per lane its shocks, solutions and (with barriers) policy */
    solve_batch_t *batch;
    shocks_t *lane_shocks[SOLVE_LANES];
    solution_t *lane_ref[SOLVE_LANES], *lane_scen[SOLVE_LANES];
    policy_t *lane_barrier[SOLVE_LANES];
} worker_t;

/* ---- engine_draw.c: a draw of an annual market, and a block of them batched ---- */
/* Samples draw `draw` (one stream from `alt`, swap -1 for none) into inputs (its
 * ENGINE_INPUT_ROW) and shocks; returns the draw's policy (the scenario, its regime's,
 * or `barrier` holding it with the draw's non-tariff barriers). */
const policy_t *engine_annual_sample(const engine_spec_t *spec, worker_t *w, uint64_t draw,
                                     uint64_t alt, int swap, double *inputs, shocks_t *shocks,
                                     policy_t *barrier, int32_t *regime_out);
/* The reference from baseline prices, then `policy` warm-started from it, one at a
 * time: 0, the reference's status, or ENGINE_SCENARIO_FAILED + the scenario's. */
int engine_annual_solve(const engine_spec_t *spec, worker_t *w, const policy_t *policy,
                        const shocks_t *shocks, solution_t *ref, solution_t *scen,
                        int32_t *iterations_out);
/* The draw's row from its solutions (NaN everywhere when status is not 0). */
void engine_annual_row(const engine_spec_t *spec, worker_t *w, const shocks_t *shocks,
                       const solution_t *ref, const solution_t *scen, int status, double *row);
/* n <= SOLVE_LANES evaluations at once, lane l: draw draw[l] with one stream from alt[l]
 * (engine_annual_sample's swap[l]; alt and swap NULL: none), into rows + l n_vars,
 * inputs + l ENGINE_INPUT_ROW, regime[l], status[l], iterations[l]: the same results as
 * engine_annual_sample/solve/row one by one, the solves batched. Needs w->batch. */
void engine_annual_lanes(const engine_spec_t *spec, worker_t *w, int n, const uint64_t *draw,
                         const uint64_t *alt, const int *swap, double *rows, size_t n_vars,
                         double *inputs, int32_t *regime, int32_t *status, int32_t *iterations);
/* Draws first..first+n-1 into rows (n_vars apart), inputs, regime, status, iterations:
 * engine_annual_lanes SOLVE_LANES draws at a time. */
void engine_annual_block(const engine_spec_t *spec, worker_t *w, uint64_t first, uint64_t n,
                         double *rows, size_t n_vars, double *inputs, int32_t *regime,
                         int32_t *status, int32_t *iterations);
/* The lanes of an annual market's worker (nothing for a calendar or a scalar run);
 * 0 or -1 when out of memory. Free is safe on a partly initialised worker. */
int engine_lanes_init(worker_t *w, const engine_spec_t *spec);
void engine_lanes_free(worker_t *w);

/* A draw whose reference solve failed reports that solve's status; one whose scenario
 * solve failed reports ENGINE_SCENARIO_FAILED + its status. */
#define ENGINE_SCENARIO_FAILED 16

typedef struct {
    const engine_spec_t *spec;
    size_t n_vars;
    int n_groups;
    int n_workers;
    worker_t *workers;
    stats_moments_t **block_moments;  /* [k][group], k < ENGINE_CHUNK_BLOCKS */
    stats_moments_t **chunk_moments;  /* [group] */
    stats_moments_t **point_moments;  /* [group] */
    uint64_t *ok, *failed;            /* [group], summed in order by the calling thread */
    uint64_t *block_ok, *block_failed;  /* [k][group] */
    double *chunk_values;             /* a whole chunk of rows: raw draws only, else NULL */
    stats_slot_t *chunk_slots;        /* [var][draw in chunk]: histogram bins of the values */
    stats_hist_t **hist;              /* [group]: one set per point, shared by the threads */
    size_t *members;                  /* [group][draw in chunk]: rows of each group */
    size_t *n_members;                /* [group] */
    int32_t *regime, *status, *iterations;   /* a whole chunk of draws */
    double *pilot;                    /* the pilot blocks' rows, reused in chunk 0 */
    double *pilot_ok;                 /* the converged ones among them */
    double *lo, *hi;                  /* histogram ranges from the pilot */
    double *chunk_inputs;             /* a whole chunk of input rows (ENGINE_INPUT_ROW) */
    /* attribution (attrib.h): like the moments, blocks -> chunk -> point, in order */
    int attrib_k;                     /* inputs attributed; 0 with no attribution */
    attrib_moments_t **block_attrib;  /* [k < ENGINE_CHUNK_BLOCKS] */
    attrib_moments_t *chunk_attrib, *point_attrib;
    double *attrib_x;                 /* [block k][n_attrib]: one draw's target values */
} run_t;

/* ---- engine_attrib.c: attribution, blocks -> chunk -> point (all no-ops when
 * run->attrib_k is 0, i.e. the run attributes nothing) ---- */
/* Free what engine_attrib_init_run allocated (safe on a partly initialised run). */
void engine_attrib_free_run(run_t *run);
/* Allocate the co-moments when the spec asks for attribution; 0, or -1 on allocation
 * failure (the caller frees with engine_attrib_free_run). */
int engine_attrib_init_run(run_t *run);
/* Bytes of a chunk's co-moments in an MPI message (0 without attribution). */
size_t engine_attrib_message_size(const run_t *run);
/* Block k of the chunk, n draws: its converged draws into block k's co-moments; thread
 * safe for distinct k. */
void engine_attrib_block(const run_t *run, int k, uint64_t n, const double *rows,
                         const double *inputs, const int32_t *status);
void engine_attrib_chunk_from_blocks(run_t *run, int n_blocks);
void engine_attrib_chunk_into_point(run_t *run);
/* The point's correlations, SRCs and R^2 into out. */
void engine_attrib_summarize(const run_t *run, point_summary_t *out);

/* ---- engine_mpi.c: chunks of other ranks to rank 0 (cluster.h) ---- */
/* Bytes of one chunk's message (moments, counts, co-moments). */
size_t engine_chunk_message_size(const run_t *run);
/* On rank != 0 after computing chunk c (owner = this rank): send it; on rank 0 for a
 * chunk of another rank: receive it into run; else nothing. msg: a buffer of
 * engine_chunk_message_size bytes. 0, or -1 when a message failed. */
int engine_exchange_chunk(run_t *run, uint64_t c, int owner, uint64_t n_draws, char *msg);
/* Histograms and threshold counts summed onto rank 0; 0, or -1 on failure. */
int engine_reduce_counts(run_t *run);

#endif
