/* engine_draw.c - one draw of an annual market (sample, the two solves, its row), and a
 * block of draws with the solves batched SOLVE_LANES at a time (models/solve_batch.h).
 * A draw the batch does not take (a bound, the Cobb-Douglas band, a failed solve) is
 * solved again one at a time, from scratch, by the scalar path, which gives the batch's
 * bits; so a draw's result depends only on the draw, never on the lane, block, thread,
 * rank, CPU or solve path (solve_batch.h). */
#include "engine.h"
#include "engine_internal.h"
#include "solve.h"
#include <assert.h>
#include <math.h>
#include <stdlib.h>

const policy_t *engine_annual_sample(const engine_spec_t *spec, worker_t *w, uint64_t draw,
                                     uint64_t alt, int swap, double *inputs, shocks_t *shocks,
                                     policy_t *barrier, int32_t *regime_out)
{
    int regime = -1;
    sampler_draw_design(spec->sampler, w->sample_ws, spec->seed, draw, alt, swap, inputs,
                        inputs + spec->n_inputs, &regime);
    if (spec->n_regimes == 0)
        regime = -1;   /* the sampler may know regimes this run does not use */
    *regime_out = regime;
    sample_apply(spec->inputs, spec->n_inputs, inputs, spec->market, shocks);
    inputs[2 * spec->n_inputs] = shocks->compliance;
    const policy_t *policy = spec->n_regimes > 0 ? spec->regimes[regime] : spec->scenario;
    if (barrier && sample_apply_barriers(spec->inputs, spec->n_inputs, inputs, policy, barrier))
        policy = barrier;   /* non-tariff barriers of this draw added */
    return policy;
}

int engine_annual_solve(const engine_spec_t *spec, worker_t *w, const policy_t *policy,
                        const shocks_t *shocks, solution_t *ref, solution_t *scen,
                        int32_t *iterations_out)
{
    int status = 0;
    if (solve_equilibrium(spec->market, spec->reference, shocks, NULL, w->solve_ws, ref))
        status = (int)ref->status;
    else if (solve_equilibrium(spec->market, policy, shocks, ref, w->solve_ws, scen))
        status = ENGINE_SCENARIO_FAILED + (int)scen->status;
    *iterations_out = ref->iterations + (status ? 0 : scen->iterations);
    return status;
}

void engine_annual_row(const engine_spec_t *spec, worker_t *w, const shocks_t *shocks,
                       const solution_t *ref, const solution_t *scen, int status, double *row)
{
    const quantity_layout_t *lay = spec->layout;
    if (status) {
        for (size_t v = 0; v < lay->n_vars; v++)
            row[v] = NAN;
        return;
    }
    double *level = row, *base = row + lay->n_level, *change = row + 2 * lay->n_level;
    quantities_from_solution(lay, scen, level);
    quantities_from_solution(lay, ref, base);
    for (size_t v = 0; v < lay->n_level; v++)
        change[v] = level[v] - base[v];
    welfare_compute(spec->market, shocks, ref, scen, w->welfare);
    quantities_from_welfare(lay, w->welfare, row + 3 * lay->n_level);
}

void engine_annual_lanes(const engine_spec_t *spec, worker_t *w, int n, const uint64_t *draw,
                         const uint64_t *alt, const int *swap, double *rows, size_t n_vars,
                         double *inputs, int32_t *regime, int32_t *status, int32_t *iterations)
{
    assert(n >= 1 && n <= SOLVE_LANES && w->batch);
    size_t in_row = ENGINE_INPUT_ROW(spec->n_inputs);
    const policy_t *refs[SOLVE_LANES], *pols[SOLVE_LANES], *draw_pol[SOLVE_LANES];
    for (int l = 0; l < n; l++) {
        pols[l] = draw_pol[l] =
            engine_annual_sample(spec, w, draw[l], alt ? alt[l] : draw[l], swap ? swap[l] : -1,
                                 inputs + (size_t)l * in_row, w->lane_shocks[l],
                                 w->lane_barrier[l], &regime[l]);
        refs[l] = spec->reference;
    }
    unsigned ok = solve_batch(spec->market, refs, (const shocks_t *const *)w->lane_shocks, NULL,
                              n, w->batch, w->lane_ref);
    for (int l = 0; l < n; l++)
        if (!(ok >> l & 1u))
            pols[l] = NULL;   /* its reference failed: the whole draw goes scalar */
    ok &= solve_batch(spec->market, pols, (const shocks_t *const *)w->lane_shocks,
                      (const solution_t *const *)w->lane_ref, n, w->batch, w->lane_scen);
    for (int l = 0; l < n; l++) {
        if (ok >> l & 1u) {
            status[l] = 0;
            iterations[l] = w->lane_ref[l]->iterations + w->lane_scen[l]->iterations;
        } else {   /* the scalar path, from scratch */
            status[l] = engine_annual_solve(spec, w, draw_pol[l], w->lane_shocks[l],
                                            w->lane_ref[l], w->lane_scen[l], &iterations[l]);
        }
        engine_annual_row(spec, w, w->lane_shocks[l], w->lane_ref[l], w->lane_scen[l], status[l],
                          rows + (size_t)l * n_vars);
    }
}

void engine_annual_block(const engine_spec_t *spec, worker_t *w, uint64_t first, uint64_t n,
                         double *rows, size_t n_vars, double *inputs, int32_t *regime,
                         int32_t *status, int32_t *iterations)
{
    size_t in_row = ENGINE_INPUT_ROW(spec->n_inputs);
    for (uint64_t k0 = 0; k0 < n; k0 += SOLVE_LANES) {
        int nl = n - k0 < SOLVE_LANES ? (int)(n - k0) : SOLVE_LANES;
        uint64_t draw[SOLVE_LANES];
        for (int l = 0; l < nl; l++)
            draw[l] = first + k0 + (uint64_t)l;
        engine_annual_lanes(spec, w, nl, draw, NULL, NULL, rows + k0 * n_vars, n_vars,
                            inputs + k0 * in_row, regime + k0, status + k0, iterations + k0);
    }
}

int engine_lanes_init(worker_t *w, const engine_spec_t *spec)
{
    if (spec->pmarket || spec->solve_kernel == ENGINE_SOLVE_SCALAR)
        return 0;
    if (!(w->batch = solve_batch_alloc(spec->market, (solve_kernel_t)spec->solve_kernel)))
        return -1;
    for (int l = 0; l < SOLVE_LANES; l++) {
        if (!(w->lane_shocks[l] = shocks_alloc_baseline(spec->market)) ||
            !(w->lane_ref[l] = solution_alloc(spec->market)) ||
            !(w->lane_scen[l] = solution_alloc(spec->market)))
            return -1;
        if (w->barrier_policy && !(w->lane_barrier[l] = policy_copy(spec->scenario)))
            return -1;
    }
    return 0;
}

void engine_lanes_free(worker_t *w)
{
    solve_batch_free(w->batch);
    for (int l = 0; l < SOLVE_LANES; l++) {
        shocks_free(w->lane_shocks[l]);
        solution_free(w->lane_ref[l]);
        solution_free(w->lane_scen[l]);
        policy_free(w->lane_barrier[l]);
    }
}
