/*
 * bench_solve.c - equilibrium solves per second on the default 5 x 3 market, one core.
 * Not a test. Cold: the scenario (China 28 % on US beans) from baseline prices. Warm:
 * the same scenario started from the draw's reference solve (baseline tariffs), as the
 * engine does for every draw. Near: started from the scenario solve of a neighbouring
 * draw (yields and Chinese demand 1-2 % off), e.g. the previous draw of a block.
 * Usage: build/tests/bench_solve [solves]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model_fixture.h"

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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
    printf("%-5s %9.0f solves/s  %7.3f us/solve  (%d Newton steps, US FOB %.4f)\n", label,
           (double)n / dt, 1e6 * dt / (double)n, iterations, checksum / (double)n);
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
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
    rc = rc || bench_run("cold", m, scen, sh, NULL, ws, sol, n) != 0;
    rc = rc || bench_run("warm", m, scen, sh, base, ws, sol, n) != 0;
    solution_t *near = solution_alloc(m);
    shocks_t *other = shocks_alloc_baseline(m);
    other->yield[0] = 0.985;
    other->yield[1] = 1.02;
    other->demand_shock[0] = 1.012;
    rc = rc || solve_equilibrium(m, scen, other, NULL, ws, near) != 0;
    rc = rc || bench_run("near", m, scen, sh, near, ws, sol, n) != 0;
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
