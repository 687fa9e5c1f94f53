/*
 * bench_solve.c - equilibrium solves per second on the default 5 x 3 market, one core.
 * Not a test. Cold: the scenario (China 28 % on US beans) from baseline prices. Warm:
 * the same scenario started from the draw's reference solve (baseline tariffs), as the
 * engine does for every draw. Near: started from the scenario solve of a neighbouring
 * draw (yields and Chinese demand 1-2 % off), e.g. the previous draw of a block.
 * Mix: what the engine does per draw, over `draws` random draws shaped like
 * configs/soybeans-2024-25.yaml (yields N(1, 0.06..0.2), sigma lognormal (median 12 / 6),
 * eta and eps uniform, one freight factor U(0.83, 1.21), demand and Brazil's exchange
 * rate): the cold reference solve, then the scenario warm-started from it. The draws
 * are generated before the clock starts. Chain: the same, but each reference solve
 * starts from the previous draw's reference solution (an engine option, see README).
 * Batch: the mix's draws through solve_batch (models/solve_batch.h), once per kernel
 * variant this CPU runs, with the ratio to the scalar mix of the same run (target
 * issue 13: >= 3).
 * Periods (MODEL.md Part 2): the same market in 12 months and in 4 quarters
 * (tests/model_fixture.h's calendar, psi = psiM = 3, psiT = psiTM = 1), the scenario
 * tariff in every period; cold, warm (from the reference) and mix (the engine's pair per
 * draw), each next to the annual solve of this run: ratio = us per solve / (T x annual
 * us per solve of the same start). Target (issue 11): monthly <= 2 x 12 x annual.
 * Usage: build/tests/bench_solve [solves] [draws]
 */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <stdint.h>
#include <time.h>

#include "model_fixture.h"
#include "solve_batch.h"

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double bench_last_us;   /* us per solve of the last bench_run / bench_mix */

static int bench_run(const char *label, const market_t *m, const policy_t *pol,
                     const shocks_t *sh, const solution_t *start, solve_workspace_t *ws,
                     solution_t *sol, long n)
{
    double t0 = bench_now(), checksum = 0;
    int iterations = 0;
    for (long k = 0; k < n; k++) {
        if (solve_equilibrium(m, pol, sh, start, ws, sol) != 0) {
            fprintf(stderr, "bench_solve: %s solve failed: %s\n", label,
                    solve_status_string(sol->status));
            return -1;
        }
        checksum += sol->fob_price[0];
        iterations = sol->iterations;
    }
    double dt = bench_now() - t0;
    bench_last_us = 1e6 * dt / (double)n;
    printf("%-5s %9.0f solves/s  %7.3f us/solve  (%d Newton steps, US FOB %.4f)\n", label,
           (double)n / dt, 1e6 * dt / (double)n, iterations, checksum / (double)n);
    return 0;
}

/* ---- the realistic mix ---- */

static double bench_normal(fixture_rng_t *g)
{
    double u = fixture_uniform(g), v = fixture_uniform(g);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static double bench_truncnormal(fixture_rng_t *g, double sd, double lo, double hi)
{
    for (;;) {
        double x = 1 + sd * bench_normal(g);
        if (x >= lo && x <= hi)
            return x;
    }
}

enum { MIX_E = 5, MIX_I = 3, MIX_PARAMS = 3 * MIX_E + 3 * MIX_I + 2 };

/* One draw's inputs: yield[5], eps[5], sigma[3], eta[3], demand[3], fx Brazil,
 * freight factor, (kappa stays at the market's). */
static void bench_mix_draw(fixture_rng_t *g, const market_t *m, double *p)
{
    static const double ysd[MIX_E] = { 0.06, 0.065, 0.14, 0.2, 0.05 };
    static const double ylo[MIX_E] = { 0.7, 0.65, 0.5, 0.4, 0.75 };
    static const double yhi[MIX_E] = { 1.15, 1.15, 1.25, 1.35, 1.15 };
    static const double elo[MIX_E] = { -1.5, -0.8, -0.8, -0.8, -0.8 };
    static const double ehi[MIX_E] = { -0.8, -0.5, -0.5, -0.5, -0.5 };
    static const double smed[MIX_I] = { 12, 6, 6 }, ssd[MIX_I] = { 0.4468, 0.4214, 0.4214 };
    static const double alo[MIX_I] = { -0.5, -0.7, -1.0 }, ahi[MIX_I] = { -0.2, -0.3, -0.4 };
    static const double dsd[MIX_I] = { 0.03, 0.03, 0.04 };
    (void)m;
    for (int i = 0; i < MIX_E; i++) {
        p[i] = bench_truncnormal(g, ysd[i], ylo[i], yhi[i]);
        p[MIX_E + i] = elo[i] + (ehi[i] - elo[i]) * fixture_uniform(g);
    }
    for (int j = 0; j < MIX_I; j++) {
        p[2 * MIX_E + j] = smed[j] * exp(ssd[j] * bench_normal(g));
        p[2 * MIX_E + MIX_I + j] = alo[j] + (ahi[j] - alo[j]) * fixture_uniform(g);
        p[2 * MIX_E + 2 * MIX_I + j] = bench_truncnormal(g, dsd[j], 0.8, 1.2);
    }
    p[2 * MIX_E + 3 * MIX_I] = exp(0.08 * bench_normal(g));
    p[2 * MIX_E + 3 * MIX_I + 1] = 0.83 + (1.21 - 0.83) * fixture_uniform(g);
}

static void bench_mix_apply(const market_t *m, const double *p, shocks_t *sh)
{
    for (int i = 0; i < MIX_E; i++) {
        sh->yield[i] = p[i];
        sh->eps[i] = p[MIX_E + i];
    }
    for (int j = 0; j < MIX_I; j++) {
        sh->sigma[j] = p[2 * MIX_E + j];
        sh->eta[j] = p[2 * MIX_E + MIX_I + j];
        sh->demand_shock[j] = p[2 * MIX_E + 2 * MIX_I + j];
    }
    sh->exchange_rate[1] = p[2 * MIX_E + 3 * MIX_I];
    for (int r = 0; r < MIX_E * MIX_I; r++)
        sh->freight[r] = m->freight[r] * p[2 * MIX_E + 3 * MIX_I + 1];
}

static int bench_mix(const char *label, const market_t *m, const policy_t *ref,
                     const policy_t *scen, solve_workspace_t *ws, long draws, int chain)
{
    if (m->n_exporters != MIX_E || m->n_importers != MIX_I)
        return 0;
    double *params = malloc((size_t)draws * MIX_PARAMS * sizeof(double));
    shocks_t *sh = shocks_alloc_baseline(m);
    solution_t *rs = solution_alloc(m), *ss = solution_alloc(m);
    if (!params || !sh || !rs || !ss)
        return -1;
    fixture_rng_t g = { 20250512u };
    for (long d = 0; d < draws; d++)
        bench_mix_draw(&g, m, params + d * MIX_PARAMS);
    long steps_ref = 0, steps_scen = 0, failed = 0;
    double checksum = 0, t0 = bench_now();
    for (long d = 0; d < draws; d++) {
        bench_mix_apply(m, params + d * MIX_PARAMS, sh);
        /* chain: the reference from the previous draw's reference (what the engine
         * could do within a block) instead of baseline prices */
        const solution_t *rstart = chain && d > 0 && rs->status == SOLVE_OK ? rs : NULL;
        if (solve_equilibrium(m, ref, sh, rstart, ws, rs) != 0 ||
            solve_equilibrium(m, scen, sh, rs, ws, ss) != 0) {
            failed++;
            continue;
        }
        steps_ref += rs->iterations;
        steps_scen += ss->iterations;
        checksum += ss->fob_price[0] - rs->fob_price[0];
    }
    double dt = bench_now() - t0, ok = (double)(draws - failed);
    bench_last_us = 1e6 * dt / (2.0 * (double)draws);
    printf("%-5s %9.0f draws/s   %7.3f us/solve  (%ld draws, %ld failed; Newton steps "
           "%.2f ref + %.2f scen; mean US FOB change %.6f)\n",
           label, (double)draws / dt, 1e6 * dt / (2.0 * (double)draws), draws, failed,
           (double)steps_ref / ok, (double)steps_scen / ok, checksum / ok);
    free(params);
    shocks_free(sh);
    solution_free(rs);
    solution_free(ss);
    return failed ? -1 : 0;
}

/* The same draws as bench_mix, SOLVE_LANES at a time through solve_batch (the
 * reference cold, the scenario warm from it, as the engine does), lanes the batch does
 * not take by solve_equilibrium; ratio = scalar mix us / batched us of this run. */
static int bench_batch(solve_kernel_t kernel, const market_t *m, const policy_t *ref,
                       const policy_t *scen, solve_workspace_t *ws, long draws,
                       double scalar_us)
{
    if (m->n_exporters != MIX_E || m->n_importers != MIX_I)
        return 0;
    solve_batch_t *b = solve_batch_alloc(m, kernel);
    if (!b)
        return 0;   /* not on this CPU */
    double *params = malloc((size_t)draws * MIX_PARAMS * sizeof(double));
    shocks_t *sh[SOLVE_LANES];
    solution_t *rs[SOLVE_LANES], *ss[SOLVE_LANES];
    const policy_t *rp[SOLVE_LANES], *sp[SOLVE_LANES];
    for (int l = 0; l < SOLVE_LANES; l++) {
        sh[l] = shocks_alloc_baseline(m);
        rs[l] = solution_alloc(m);
        ss[l] = solution_alloc(m);
        rp[l] = ref;
        sp[l] = scen;
    }
    fixture_rng_t g = { 20250512u };
    for (long d = 0; d < draws; d++)
        bench_mix_draw(&g, m, params + d * MIX_PARAMS);
    long fallback = 0, failed = 0;
    double checksum = 0, t0 = bench_now();
    for (long d0 = 0; d0 < draws; d0 += SOLVE_LANES) {
        int n = draws - d0 < SOLVE_LANES ? (int)(draws - d0) : SOLVE_LANES;
        for (int l = 0; l < n; l++)
            bench_mix_apply(m, params + (d0 + l) * MIX_PARAMS, sh[l]);
        unsigned ok = solve_batch(m, rp, (const shocks_t *const *)sh, NULL, n, b, rs);
        ok &= solve_batch(m, sp, (const shocks_t *const *)sh, (const solution_t *const *)rs,
                          n, b, ss);
        for (int l = 0; l < n; l++) {
            if (!(ok >> l & 1u)) {
                fallback++;
                if (solve_equilibrium(m, ref, sh[l], NULL, ws, rs[l]) != 0 ||
                    solve_equilibrium(m, scen, sh[l], rs[l], ws, ss[l]) != 0) {
                    failed++;
                    continue;
                }
            }
            checksum += ss[l]->fob_price[0] - rs[l]->fob_price[0];
        }
    }
    double dt = bench_now() - t0, us = 1e6 * dt / (2.0 * (double)draws);
    char label[32];
    snprintf(label, sizeof label, "batch %s", solve_batch_kernel_name(kernel));
    printf("%-14s %9.0f draws/s   %7.3f us/solve  ratio scalar/batched %.2f  (%d lanes; "
           "%ld draws, %ld by the scalar solve, %ld failed; mean US FOB change %.6f)\n",
           label, (double)draws / dt, us, scalar_us / us, SOLVE_LANES, draws, fallback,
           failed, checksum / (double)(draws - failed));
    for (int l = 0; l < SOLVE_LANES; l++) {
        shocks_free(sh[l]);
        solution_free(rs[l]);
        solution_free(ss[l]);
    }
    free(params);
    solve_batch_free(b);
    return failed ? -1 : 0;
}

/* ---- periods ---- */

static int bench_periods_run(const char *label, const periods_market_t *pm,
                             const periods_policy_t *pol, const periods_shocks_t *sh,
                             const periods_solution_t *start, periods_workspace_t *ws,
                             periods_solution_t *sol, long n, double annual_us)
{
    double t0 = bench_now(), checksum = 0;
    for (long k = 0; k < n; k++) {
        if (periods_solve(pm, pol, sh, start, ws, sol) != 0) {
            fprintf(stderr, "bench_solve: %s solve failed: %s\n", label,
                    solve_status_string(sol->status));
            return -1;
        }
        checksum += sol->fob_price[0];
    }
    double us = 1e6 * (bench_now() - t0) / (double)n, T = pm->n_periods;
    printf("%-10s %8.0f solves/s  %8.3f us/solve  %6.3f us/period  ratio %.2f  (%d Newton "
           "steps, US FOB p1 %.4f)\n", label, 1e6 / us, us, us / T, us / (T * annual_us),
           sol->iterations, checksum / (double)n);
    return 0;
}

static int bench_periods_mix(const char *label, const periods_market_t *pm,
                             const periods_policy_t *ref, const periods_policy_t *scen,
                             periods_workspace_t *ws, long draws, double annual_us)
{
    const market_t *m = pm->period_market[0];
    double *params = malloc((size_t)draws * MIX_PARAMS * sizeof(double));
    periods_shocks_t *sh = periods_shocks_alloc_baseline(pm);
    periods_solution_t *rs = periods_solution_alloc(pm, 0), *ss = periods_solution_alloc(pm, 0);
    if (!params || !sh || !rs || !ss)
        return -1;
    fixture_rng_t g = { 20250512u };
    for (long d = 0; d < draws; d++)
        bench_mix_draw(&g, m, params + d * MIX_PARAMS);
    long steps = 0, failed = 0;
    double checksum = 0, t0 = bench_now();
    for (long d = 0; d < draws; d++) {
        bench_mix_apply(m, params + d * MIX_PARAMS, sh->year[0]);
        if (periods_solve(pm, ref, sh, NULL, ws, rs) != 0 ||
            periods_solve(pm, scen, sh, rs, ws, ss) != 0) {
            failed++;
            continue;
        }
        steps += rs->iterations + ss->iterations;
        checksum += ss->fob_price[0] - rs->fob_price[0];
    }
    double dt = bench_now() - t0, ok = (double)(draws - failed), T = pm->n_periods;
    double us = 1e6 * dt / (2.0 * (double)draws);
    printf("%-10s %8.0f draws/s   %8.3f us/solve  %6.3f us/period  ratio %.2f  (%ld draws, "
           "%ld failed; %.2f Newton steps per solve)\n", label, (double)draws / dt, us, us / T,
           us / (T * annual_us), draws, failed, (double)steps / (2 * ok));
    free(params);
    periods_shocks_free(sh);
    periods_solution_free(rs);
    periods_solution_free(ss);
    return failed ? -1 : 0;
}

static int bench_periods(int per_year, long n, long draws, const double annual_us[3])
{
    periods_spec_t *s = fixture_periods_spec(per_year, 1, 0.05, 0);
    for (int i = 0; i < 5; i++) {
        s->psi[i] = 3;
        s->psi_closing[i] = 1;
    }
    for (int j = 0; j < 3; j++) {
        s->psi_importer[j] = 3;
        s->psi_importer_closing[j] = 1;
    }
    char err[256], lc[16], lw[16], lm[16];
    periods_market_t *pm = periods_calibrate(s, err, sizeof err);
    periods_spec_free(s);
    if (!pm) {
        fprintf(stderr, "bench_solve: %s\n", err);
        return -1;
    }
    periods_policy_t *ref = periods_policy_alloc(pm, 0), *scen = periods_policy_alloc(pm, 0);
    periods_shocks_t *sh = periods_shocks_alloc_baseline(pm);
    periods_workspace_t *ws = periods_workspace_alloc(pm, 0);
    periods_solution_t *base = periods_solution_alloc(pm, 0), *sol = periods_solution_alloc(pm, 0);
    for (int t = 0; t < pm->n_periods; t++)
        scen->tariff[t * 15] = 0.28;
    snprintf(lc, sizeof lc, "T=%d cold", per_year);
    snprintf(lw, sizeof lw, "T=%d warm", per_year);
    snprintf(lm, sizeof lm, "T=%d mix", per_year);
    int rc = periods_solve(pm, ref, sh, NULL, ws, base) != 0;
    rc = rc || bench_periods_run(lc, pm, scen, sh, NULL, ws, sol, n, annual_us[0]) != 0;
    rc = rc || bench_periods_run(lw, pm, scen, sh, base, ws, sol, n, annual_us[1]) != 0;
    rc = rc || bench_periods_mix(lm, pm, ref, scen, ws, draws, annual_us[2]) != 0;
    periods_solution_free(base);
    periods_solution_free(sol);
    periods_workspace_free(ws);
    periods_shocks_free(sh);
    periods_policy_free(ref);
    periods_policy_free(scen);
    periods_market_free(pm);
    return rc;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    long draws = argc > 2 ? atol(argv[2]) : 100000;
    char err[256];
    market_spec_t *spec = fixture_default_spec();
    market_t *m = market_calibrate(spec, err, sizeof err);
    if (!m) {
        fprintf(stderr, "bench_solve: %s\n", err);
        return 1;
    }
    policy_t *ref = policy_alloc_baseline(m), *scen = policy_alloc_baseline(m);
    shocks_t *sh = shocks_alloc_baseline(m);
    scen->tariff[0] = 0.28;
    solve_workspace_t *ws = solve_workspace_alloc(m);
    solution_t *base = solution_alloc(m), *sol = solution_alloc(m);
    int rc = solve_equilibrium(m, ref, sh, NULL, ws, base) != 0;
    printf("default market %d x %d, scenario: US -> China tariff 3 %% -> 28 %%\n",
           m->n_exporters, m->n_importers);
    double annual_us[3];   /* cold, warm, mix */
    rc = rc || bench_run("cold", m, scen, sh, NULL, ws, sol, n) != 0;
    annual_us[0] = bench_last_us;
    rc = rc || bench_run("warm", m, scen, sh, base, ws, sol, n) != 0;
    annual_us[1] = bench_last_us;
    solution_t *near = solution_alloc(m);
    shocks_t *other = shocks_alloc_baseline(m);
    other->yield[0] = 0.985;
    other->yield[1] = 1.02;
    other->demand_shock[0] = 1.012;
    rc = rc || solve_equilibrium(m, scen, other, NULL, ws, near) != 0;
    rc = rc || bench_run("near", m, scen, sh, near, ws, sol, n) != 0;
    rc = rc || bench_mix("mix", m, ref, scen, ws, draws, 0) != 0;
    annual_us[2] = bench_last_us;
    rc = rc || bench_mix("chain", m, ref, scen, ws, draws, 1) != 0;
    /* the scalar mix again right before each kernel: the ratio of two runs next to each
     * other (this machine is shared; bench.sh runs the whole bench once) */
    const solve_kernel_t kernels[] = { SOLVE_KERNEL_PORTABLE, SOLVE_KERNEL_AVX,
                                       SOLVE_KERNEL_AVX512 };
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0] && !rc; k++) {
        if (!solve_batch_kernel_available(kernels[k]))
            continue;
        rc = bench_mix("mix", m, ref, scen, ws, draws, 0) != 0;
        rc = rc || bench_batch(kernels[k], m, ref, scen, ws, draws, bench_last_us) != 0;
    }
    if (!rc) {
        printf("periods: the same market and scenario by month and by quarter "
               "(ratio = us / (T x annual us, same start))\n");
        long np = n / 24 > 100 ? n / 24 : 100, dp = draws / 24 > 100 ? draws / 24 : 100;
        rc = bench_periods(12, np, dp, annual_us) != 0;
        rc = rc || bench_periods(4, 3 * np, 3 * dp, annual_us) != 0;
    }
    solution_free(near);
    shocks_free(other);
    solution_free(base);
    solution_free(sol);
    solve_workspace_free(ws);
    shocks_free(sh);
    policy_free(ref);
    policy_free(scen);
    market_free(m);
    market_spec_free(spec);
    return rc;
}
