/*
 * engine.h - the Monte Carlo for one sweep point: blocks of draws over OpenMP threads
 * (and, in the MPI build, over ranks), reduced to a point_summary_t.
 *
 * Reproducibility contract: draws are cut into blocks of ENGINE_BLOCK_DRAWS and blocks
 * into chunks of ENGINE_CHUNK_BLOCKS, both fixed. Float statistics are accumulated
 * draw by draw within a block, blocks are merged in order into their chunk, chunks in
 * order into the point; integer counts (histograms, thresholds) are order-free sums.
 * So the same seed and inputs give bitwise-identical summaries for any thread count,
 * rank count or shard count. Every random input of draw d is keyed by (seed, d, input)
 * (sim/sample.h), never by the point: draws see the same shocks at every sweep point.
 *
 * Each draw: sample inputs and regime, solve the reference policy (from baseline
 * prices), then the scenario (or the draw's regime) warm-started from it. An annual
 * market's solves run SOLVE_LANES draws at a time (solve_kernel below): a fixed slice
 * of a block, and a draw's result does not depend on its lane, so the contract holds. A draw whose
 * solve fails is counted in draws_failed and left out of every statistic.
 *
 * The engine knows nothing of files: raw draws and progress go to callbacks, which it
 * calls only from the thread that called engine_run_point().
 */
#ifndef AGTRADE_ENGINE_H
#define AGTRADE_ENGINE_H

#include <signal.h>
#include <stdint.h>
#include "quantities.h"
#include "sample.h"
#include "summary.h"
#include "market.h"
#include "policy.h"
#include "periods.h"
#include "solve_batch.h"   /* SOLVE_LANES */

#define ENGINE_BLOCK_DRAWS 64     /* fixed: part of what makes results reproducible */
#define ENGINE_CHUNK_BLOCKS 128   /* fixed; also the most threads a chunk can keep busy */
#define ENGINE_PILOT_BLOCKS 4     /* the first 256 draws fix each point's histogram ranges */
typedef struct {
    long index;          /* into the draw vector (quantity_index) */
    int above;           /* 1: P(value > threshold), 0: P(value < threshold) */
    double value;
} engine_threshold_t;

/* Called with the values of a run of consecutive draws: values is n x layout->n_vars
 * (failed draws hold NaN), regime/status/iterations have n entries. Non-zero stops the
 * run with ENGINE_SINK_FAILED. */
typedef int (*engine_raw_fn)(void *ctx, uint64_t first_draw, uint64_t n, const double *values,
                             const int32_t *regime, const int32_t *status,
                             const int32_t *iterations);
/* Called right after engine_raw_fn, with the same ctx, for the same draws: inputs is
 * n x ENGINE_INPUT_ROW(n_inputs): each draw's input values (as sampled, before
 * sample_apply), their standard normal scores (sampler_draw_scores), then the
 * compliance factor the solves used (1 when no input sets it). Failed draws included.
 * Non-zero stops the run with ENGINE_SINK_FAILED. */
#define ENGINE_INPUT_ROW(n_inputs) (2 * (size_t)(n_inputs) + 1)
typedef int (*engine_inputs_fn)(void *ctx, uint64_t first_draw, uint64_t n,
                                const double *inputs);
typedef void (*engine_progress_fn)(void *ctx, uint64_t draws_done, uint64_t draws_total);

typedef struct {
    const market_t *market;
    const quantity_layout_t *layout;
    const sampler_t *sampler;
    const input_spec_t *inputs;
    int n_inputs;
    const policy_t *reference;
    const policy_t *scenario;          /* every draw's policy when n_regimes == 0 */
    const policy_t *const *regimes;    /* n_regimes policies; the sampler picks one */
    int n_regimes;
    const engine_threshold_t *thresholds;
    int n_thresholds;
    uint64_t seed;
    uint64_t draws;
    int threads;                       /* <= 0: OpenMP's default */
    engine_raw_fn raw;                 /* NULL: no raw draws */
    engine_inputs_fn raw_inputs;       /* NULL: no raw inputs (needs raw) */
    void *raw_ctx;
    /* Attribution (attrib.h) of the n_attrib draw-vector values attrib_index[] on the
     * first min(n_inputs, ATTRIB_MAX_INPUTS) inputs' scores, over all converged draws;
     * `out` then needs point_summary_alloc_attrib with those sizes. 0: none. */
    const size_t *attrib_index;
    size_t n_attrib;
    engine_progress_fn progress;       /* NULL: silent */
    void *progress_ctx;
    uint64_t progress_offset, progress_total;  /* for multi-point progress */
    volatile sig_atomic_t *stop;       /* set by a signal handler: stop at a chunk edge */
    int mpi_rank, mpi_size;            /* chunks c with c % size == rank are ours (1 rank: 0, 1) */
    /* A calendar (Part 2): when pmarket is non-NULL each draw solves the dated policies
     * below with periods_solve instead of the annual policies above, and the layout is
     * a calendar layout. Inputs with input_yearly[k] set are drawn once per marketing
     * year: year y > 0 draws them with the key seed ^ (y * ENGINE_YEAR_KEY), so they
     * stay a pure function of (seed, draw, input, year). */
    const periods_market_t *pmarket;
    const periods_policy_t *p_reference, *p_scenario;
    const periods_policy_t *const *p_regimes;   /* n_regimes */
    int max_windows;
    const unsigned char *input_yearly;          /* n_inputs flags, or NULL */
    /* How an annual market's draws are solved: ENGINE_SOLVE_BATCHED (0, the default:
     * SOLVE_LANES draws at a time, solve_batch.h, the kernel variant picked for this CPU;
     * the same bits on every CPU), a solve_kernel_t (that variant; engine_run_point fails
     * with ENGINE_BAD_SPEC where it cannot run), or ENGINE_SOLVE_SCALAR: one draw at a time
     * with solve_equilibrium (the same bits as the batched ones, only slower: a
     * diagnostic and the benchmark's baseline). Calendars are always solved one draw at
     * a time. */
    int solve_kernel;
    struct engine_scratch *scratch;    /* NULL: engine_run_point allocates its own buffers */
} engine_spec_t;

#define ENGINE_SOLVE_BATCHED 0
#define ENGINE_SOLVE_SCALAR (-1)

#define ENGINE_YEAR_KEY 0x9E3779B97F4A7C15ull

enum { ENGINE_OK = 0, ENGINE_INTERRUPTED = 1, ENGINE_SINK_FAILED = 2, ENGINE_NOMEM = 3,
       ENGINE_NO_DRAWS = 4, ENGINE_BAD_SPEC = 5 };

/* The buffers of engine_run_point (moments, histograms, the pilot's rows: ~20 MB for
 * the default scenario), kept from one call to the next through spec->scratch. The
 * points of a sweep then clear them instead of allocating them (calloc zeroing the bins,
 * the kernel faulting in fresh pages: 0.2-0.3 ms a point, and stalls of ~15 ms when the
 * heap grows). Results are bitwise those of a call without a scratch. A scratch serves one
 * engine_run_point at a time; it adapts to a spec of another shape (variables, groups,
 * threads, inputs, attribution, raw draws) by allocating again. */
typedef struct engine_scratch engine_scratch_t;
engine_scratch_t *engine_scratch_alloc(void);   /* NULL when out of memory */
void engine_scratch_free(engine_scratch_t *s);  /* NULL: nothing to do */

/* Run every draw of one point and fill `out` (allocated for layout->n_vars,
 * 1 + n_regimes groups, n_thresholds). Returns ENGINE_OK or a code above with a message
 * in err. On ENGINE_INTERRUPTED `out` is not filled. In the MPI build the summary is
 * complete on rank 0 only. */
int engine_run_point(const engine_spec_t *spec, point_summary_t *out, char *err, size_t errlen);

/* ---- single evaluations (the Sobol design, sobol.h) --------------------------------- */

/* Per-thread scratch for engine_eval_designs: NULL on allocation failure. */
typedef struct engine_worker engine_worker_t;
engine_worker_t *engine_worker_alloc(const engine_spec_t *spec);
void engine_worker_free(engine_worker_t *w);

/* n (1 .. SOLVE_LANES) model evaluations, each exactly as the draw loop makes one:
 * evaluation l takes draw draw[l]'s inputs and regime, except one stream taken from draw
 * alt[l] (sampler_draw_design: swap[l] = an input index, n_inputs for the regime, -1 for
 * none), solves the reference and the scenario, and writes the draw vector into
 * rows + l layout->n_vars (NaN when a solve failed) and its status into status[l] (0
 * converged). Annual markets solve the n together (the batched solve, the same bits).
 * A pure function of each (spec, draw, alt, swap): any thread, any order, any grouping. */
void engine_eval_designs(const engine_spec_t *spec, engine_worker_t *w, int n,
                         const uint64_t *draw, const uint64_t *alt, const int *swap,
                         double *rows, int32_t *status);

#endif
