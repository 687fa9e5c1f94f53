/*
 * solve_fixture.h - a calibrated market with a policy, shocks, a workspace and a
 * solution, for the cmocka suites of the model (test_solve.c, test_welfare.c).
 */
#ifndef AGTRADE_SOLVE_FIXTURE_H
#define AGTRADE_SOLVE_FIXTURE_H

#include "testutil.h"
#include "model_fixture.h"

typedef struct {
    market_spec_t *spec;
    market_t *m;
    policy_t *pol;
    shocks_t *sh;
    solve_workspace_t *ws;
    solution_t *sol;
} fix_t;

/* Takes ownership of spec. */
static inline void fix_init(fix_t *f, market_spec_t *spec)
{
    char err[256];
    f->spec = spec;
    f->m = market_calibrate(spec, err, sizeof err);
    if (!f->m)
        print_error("calibration: %s\n", err);
    assert_non_null(f->m);
    f->pol = policy_alloc_baseline(f->m);
    f->sh = shocks_alloc_baseline(f->m);
    f->ws = solve_workspace_alloc(f->m);
    f->sol = solution_alloc(f->m);
    assert_true(f->pol && f->sh && f->ws && f->sol);
}

static inline void fix_free(fix_t *f)
{
    solution_free(f->sol);
    solve_workspace_free(f->ws);
    shocks_free(f->sh);
    policy_free(f->pol);
    market_free(f->m);
    market_spec_free(f->spec);
}

#endif
