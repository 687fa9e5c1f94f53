/*
 * test_solve_batch.c - the batched solve (models/solve_batch.h) against the scalar one:
 * 10^5 random draws (wide elasticities, yields, demand, exchange rates, freight, random
 * tariffs and export taxes, boycotted routes) give solve_equilibrium's solutions bit for
 * bit, Newton steps included (both use SLEEF's deterministic exp and log: the kernel
 * its vector functions, the scalar solve the C library's names, models/fixedmath.c, and
 * the kernel repeats the scalar solve's operations in order); lanes it must not take
 * (bounds, the Cobb-Douglas band, bad inputs) are left for the scalar solve untouched;
 * every kernel variant this CPU runs gives the portable variant's bits; a draw's result
 * does not depend on its lane or its neighbours. Equilibria are also judged by the
 * independent check of model_fixture.h.
 */
#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_fixture.h"
#include "solve_batch.h"

static double between(fixture_rng_t *g, double lo, double hi)
{
    return lo + (hi - lo) * fixture_uniform(g);
}

typedef struct {
    market_t *m;
    policy_t *ref[SOLVE_LANES], *scen[SOLVE_LANES];
    shocks_t *sh[SOLVE_LANES];
    solution_t *bref[SOLVE_LANES], *bscen[SOLVE_LANES];   /* batch */
    solution_t *sref, *sscen;                           /* scalar */
    solve_workspace_t *ws;
} bfix_t;

static bfix_t *bfix_alloc(void)
{
    bfix_t *f = calloc(1, sizeof *f);
    market_spec_t *spec = fixture_default_spec();
    char err[256];
    f->m = market_calibrate(spec, err, sizeof err);
    market_spec_free(spec);
    assert_non_null(f->m);
    for (int l = 0; l < SOLVE_LANES; l++) {
        f->ref[l] = policy_alloc_baseline(f->m);
        f->scen[l] = policy_alloc_baseline(f->m);
        f->sh[l] = shocks_alloc_baseline(f->m);
        f->bref[l] = solution_alloc(f->m);
        f->bscen[l] = solution_alloc(f->m);
    }
    f->sref = solution_alloc(f->m);
    f->sscen = solution_alloc(f->m);
    f->ws = solve_workspace_alloc(f->m);
    return f;
}

static void bfix_free(bfix_t *f)
{
    for (int l = 0; l < SOLVE_LANES; l++) {
        policy_free(f->ref[l]);
        policy_free(f->scen[l]);
        shocks_free(f->sh[l]);
        solution_free(f->bref[l]);
        solution_free(f->bscen[l]);
    }
    solution_free(f->sref);
    solution_free(f->sscen);
    solve_workspace_free(f->ws);
    market_free(f->m);
    free(f);
}

/* A random draw into lane l: shocks, and a scenario of random tariffs, export taxes and
 * now and then a boycotted route (cap 0). Sigma stays out of the Cobb-Douglas band. */
static void random_draw(bfix_t *f, int l, fixture_rng_t *g)
{
    const market_t *m = f->m;
    int E = m->n_exporters, I = m->n_importers;
    shocks_t *sh = f->sh[l];
    policy_t *sc = f->scen[l];
    shocks_reset_baseline(sh, m);
    policy_copy_into(sc, f->ref[l]);
    for (int i = 0; i < E; i++) {
        sh->yield[i] = between(g, 0.5, 1.4);
        sh->eps[i] = fixture_uniform(g) < 0.1 ? 0 : between(g, -2.0, -0.05);
        sh->kappa[i] = fixture_uniform(g) < 0.5 ? 0 : between(g, 0, 0.6);
        sh->domestic_shock[i] = between(g, 0.85, 1.15);
        sh->exchange_rate[i] = fixture_uniform(g) < 0.5 ? 1 : between(g, 0.7, 1.4);
        if (fixture_uniform(g) < 0.2)
            sc->export_tax[i] = between(g, 0, 0.4);
    }
    for (int j = 0; j < I; j++) {
        double s = fixture_uniform(g) < 0.5 ? between(g, 0.2, 0.99) : between(g, 1.01, 25);
        sh->sigma[j] = s;
        sh->eta[j] = between(g, -1.5, -0.1);
        sh->demand_shock[j] = between(g, 0.8, 1.2);
    }
    for (int r = 0; r < E * I; r++) {
        sh->freight[r] = m->freight[r] * between(g, 0.7, 1.4);
        if (fixture_uniform(g) < 0.4)
            sc->tariff[r] = between(g, 0, 1.5);
        if (fixture_uniform(g) < 0.03 && m->flow[r] > 0)
            sc->cap[r] = 0;   /* a boycott: the route leaves the CES sum */
    }
}

static int rel_ok(double a, double b, double tol)
{
    if (a == b)
        return 1;
    double d = fabs(a - b), s = fmax(fabs(a), fabs(b));
    return d <= tol * s;
}

/* the worst relative difference in prices and flows of two solutions */
static double worst_rel(const solution_t *a, const solution_t *b)
{
    double worst = 0;
    for (int i = 0; i < a->n_exporters; i++) {
        double d = fabs(a->fob_price[i] - b->fob_price[i]) / fabs(b->fob_price[i]);
        worst = fmax(worst, d);
    }
    for (int r = 0; r < a->n_exporters * a->n_importers; r++)
        if (!rel_ok(a->flow[r], b->flow[r], 0)) {
            double d = fabs(a->flow[r] - b->flow[r]) / fmax(fabs(a->flow[r]), fabs(b->flow[r]));
            worst = fmax(worst, d);
        }
    for (int j = 0; j < a->n_importers; j++)
        worst = fmax(worst, fabs(a->price_index[j] - b->price_index[j]) / b->price_index[j]);
    return worst;
}

static int same_solution(const solution_t *a, const solution_t *b)
{
    int E = a->n_exporters, I = a->n_importers, R = E * I;
    const double *pa[] = { a->fob_price, a->production, a->domestic_use, a->exports,
                           a->price_index, a->imports, a->composite_imports, a->flow,
                           a->share, a->landed_price, a->tariff_revenue };
    const double *pb[] = { b->fob_price, b->production, b->domestic_use, b->exports,
                           b->price_index, b->imports, b->composite_imports, b->flow,
                           b->share, b->landed_price, b->tariff_revenue };
    const int len[] = { E, E, E, E, I, I, I, R, R, R, R };
    for (size_t k = 0; k < sizeof len / sizeof len[0]; k++)
        if (memcmp(pa[k], pb[k], (size_t)len[k] * sizeof(double)) != 0)
            return 0;
    return a->iterations == b->iterations && a->status == b->status;
}

static void test_batch_matches_scalar(void **state)
{
    (void)state;
    bfix_t *f = bfix_alloc();
    solve_batch_t *b = solve_batch_alloc(f->m, SOLVE_KERNEL_AUTO);
    assert_non_null(b);
    fixture_rng_t g = { 20261201 };
    const long draws = under_valgrind() ? 4000 : 100000;   /* valgrind: a minute otherwise */
    long batched = 0, scalar_ok = 0, both = 0, checked = 0;
    for (long d0 = 0; d0 < draws; d0 += SOLVE_LANES) {
        for (int l = 0; l < SOLVE_LANES; l++)
            random_draw(f, l, &g);
        unsigned rmask = solve_batch(f->m, (const policy_t *const *)f->ref,
                                     (const shocks_t *const *)f->sh, NULL, SOLVE_LANES, b,
                                     f->bref);
        unsigned smask = solve_batch(f->m, (const policy_t *const *)f->scen,
                                     (const shocks_t *const *)f->sh,
                                     (const solution_t *const *)f->bref, SOLVE_LANES, b,
                                     f->bscen);
        for (int l = 0; l < SOLVE_LANES; l++) {
            int in_batch = (rmask >> l & 1u) && (smask >> l & 1u);
            batched += in_batch;
            int rc = solve_equilibrium(f->m, f->ref[l], f->sh[l], NULL, f->ws, f->sref);
            if (rc == 0)
                rc = solve_equilibrium(f->m, f->scen[l], f->sh[l], f->sref, f->ws, f->sscen);
            scalar_ok += rc == 0;
            if (rmask >> l & 1u) {
                /* whatever the batch takes, the scalar solve converges too */
                assert_int_equal(f->sref->status, SOLVE_OK);
                assert_int_equal(f->bref[l]->status, SOLVE_OK);
            }
            if (!in_batch)
                continue;
            assert_int_equal(rc, 0);
            both++;
            if (!same_solution(f->bref[l], f->sref) || !same_solution(f->bscen[l], f->sscen))
                fail_msg("draw %ld: the batch's solution is not the scalar solve's, bit for "
                         "bit (worst relative difference %.3g)", d0 + l,
                         fmax(worst_rel(f->bref[l], f->sref), worst_rel(f->bscen[l], f->sscen)));
            if (d0 % 97 == 0) {   /* the independent check, on a sample */
                double excess, gap;
                fixture_check_equilibrium(f->m, f->scen[l], f->sh[l], f->bscen[l], &excess,
                                          &gap);
                assert_true(excess <= 2e-9);
                assert_true(gap <= 1e-8);
                checked++;
            }
        }
    }
    printf("  %ld draws: %ld in the batch, %ld converged by the scalar solve, all bit for "
           "bit (%s kernel), %ld checked independently\n",
           draws, batched, scalar_ok, solve_batch_kernel_name(solve_batch_kernel(b)), checked);
    /* the batch must take the ordinary draws, or this test would prove nothing */
    assert_true(batched >= draws * 9 / 10);
    assert_true(checked >= draws / 2000);
    solve_batch_free(b);
    bfix_free(f);
}

/* Lanes the batch must leave to solve_equilibrium, their solutions untouched. */
static void test_batch_leaves_hard_lanes(void **state)
{
    (void)state;
    bfix_t *f = bfix_alloc();
    solve_batch_t *b = solve_batch_alloc(f->m, SOLVE_KERNEL_PORTABLE);
    assert_non_null(b);
    f->scen[0]->floor[0] = 30;           /* a floor on US -> China */
    f->scen[1]->cap[3] = 10;             /* a finite cap on a trading route */
    f->sh[2]->sigma[1] = 1.0004;         /* the Cobb-Douglas band */
    f->sh[3]->sigma[0] = -1;             /* bad input */
    f->sh[4]->compliance = 1.5;          /* bad input */
    f->scen[5]->tariff[2] = NAN;         /* bad input */
    f->scen[6]->cap[0] = 0;              /* a boycott is fine */
    f->scen[6]->floor[1] = 5;            /* ... but with compliance 0 a floor is none */
    f->sh[6]->compliance = 0;
    for (int l = 0; l < SOLVE_LANES; l++)
        f->bscen[l]->iterations = -7;    /* a mark that must survive where not taken */
    unsigned mask = solve_batch(f->m, (const policy_t *const *)f->scen,
                                (const shocks_t *const *)f->sh, NULL, SOLVE_LANES, b,
                                f->bscen);
    unsigned want = 0;
    for (int l = 6; l < SOLVE_LANES; l++)
        want |= 1u << l;
    assert_int_equal(mask, want);
    for (int l = 0; l < 6; l++)
        assert_int_equal(f->bscen[l]->iterations, -7);
    /* the scalar solve takes the bounds (and the batch's boycott lane agrees with it) */
    assert_int_equal(solve_equilibrium(f->m, f->scen[0], f->sh[0], NULL, f->ws, f->sscen), 0);
    assert_true(f->sscen->wedge[0] < 0);
    assert_int_equal(solve_equilibrium(f->m, f->scen[6], f->sh[6], NULL, f->ws, f->sscen), 0);
    assert_true(same_solution(f->bscen[6], f->sscen));
    assert_true(f->bscen[6]->flow[0] == 0);
    /* fewer lanes than SOLVE_LANES, and nothing to take */
    assert_int_equal(solve_batch(f->m, (const policy_t *const *)f->scen,
                                 (const shocks_t *const *)f->sh, NULL, 3, b, f->bscen), 0);
    assert_int_equal(solve_batch(f->m, (const policy_t *const *)f->scen + 6,
                                 (const shocks_t *const *)f->sh + 6, NULL, 1, b, f->bscen + 6),
                     1u);
    assert_int_equal(solve_batch(NULL, NULL, NULL, NULL, 1, b, f->bscen), 0);
    assert_int_equal(solve_batch(f->m, (const policy_t *const *)f->scen,
                                 (const shocks_t *const *)f->sh, NULL, SOLVE_LANES + 1, b,
                                 f->bscen), 0);
    solve_batch_free(b);
    bfix_free(f);
}

/* Every kernel variant this CPU runs gives the portable variant's bits, and a draw's
 * result does not depend on its lane or on the other draws of its batch. */
static void test_batch_bits_fixed(void **state)
{
    (void)state;
    bfix_t *f = bfix_alloc();
    solve_batch_t *portable = solve_batch_alloc(f->m, SOLVE_KERNEL_PORTABLE);
    assert_non_null(portable);
    solution_t *keep[SOLVE_LANES];
    for (int l = 0; l < SOLVE_LANES; l++)
        keep[l] = solution_alloc(f->m);
    int compared = 0;
    const solve_kernel_t kernels[] = { SOLVE_KERNEL_AVX, SOLVE_KERNEL_AVX512 };
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        if (!solve_batch_kernel_available(kernels[k])) {
            printf("  kernel %s: not on this CPU or in this build, not compared\n",
                   solve_batch_kernel_name(kernels[k]));
            continue;
        }
        solve_batch_t *other = solve_batch_alloc(f->m, kernels[k]);
        assert_non_null(other);
        fixture_rng_t g = { 77 };
        long taken = 0;
        for (int d = 0; d < 4000; d += SOLVE_LANES) {
            for (int l = 0; l < SOLVE_LANES; l++)
                random_draw(f, l, &g);
            unsigned m1 = solve_batch(f->m, (const policy_t *const *)f->scen,
                                      (const shocks_t *const *)f->sh, NULL, SOLVE_LANES,
                                      portable, f->bscen);
            for (int l = 0; l < SOLVE_LANES; l++)
                solution_copy_into(keep[l], f->bscen[l]);
            unsigned m2 = solve_batch(f->m, (const policy_t *const *)f->scen,
                                      (const shocks_t *const *)f->sh, NULL, SOLVE_LANES,
                                      other, f->bscen);
            assert_int_equal(m1, m2);
            for (int l = 0; l < SOLVE_LANES; l++)
                if (m1 >> l & 1u) {
                    assert_true(same_solution(keep[l], f->bscen[l]));
                    taken++;
                }
        }
        assert_true(taken > 3000);
        printf("  kernel %s: %ld solves bit for bit the portable kernel's\n",
               solve_batch_kernel_name(kernels[k]), taken);
        compared++;
        solve_batch_free(other);
    }
    if (!compared)
        printf("  only the portable kernel runs here: no variant to compare\n");

    /* lane independence: draw 0 alone in lane 0, then in the last lane among others */
    fixture_rng_t g = { 5 };
    for (int l = 0; l < SOLVE_LANES; l++)
        random_draw(f, l, &g);
    assert_int_equal(solve_batch(f->m, (const policy_t *const *)f->scen,
                                 (const shocks_t *const *)f->sh, NULL, 1, portable, f->bscen),
                     1u);
    solution_copy_into(keep[0], f->bscen[0]);
    policy_t *p0 = f->scen[0];
    shocks_t *s0 = f->sh[0];
    f->scen[0] = f->scen[SOLVE_LANES - 1];
    f->sh[0] = f->sh[SOLVE_LANES - 1];
    f->scen[SOLVE_LANES - 1] = p0;
    f->sh[SOLVE_LANES - 1] = s0;
    unsigned m = solve_batch(f->m, (const policy_t *const *)f->scen,
                             (const shocks_t *const *)f->sh, NULL, SOLVE_LANES, portable,
                             f->bscen);
    assert_true(m >> (SOLVE_LANES - 1) & 1u);
    assert_true(same_solution(keep[0], f->bscen[SOLVE_LANES - 1]));
    for (int l = 0; l < SOLVE_LANES; l++)
        solution_free(keep[l]);
    solve_batch_free(portable);
    bfix_free(f);
}

/* A warm start from the lane's own last solve may alias the output. */
static void test_batch_warm_alias(void **state)
{
    (void)state;
    bfix_t *f = bfix_alloc();
    solve_batch_t *b = solve_batch_alloc(f->m, SOLVE_KERNEL_AUTO);
    fixture_rng_t g = { 9 };
    for (int l = 0; l < SOLVE_LANES; l++)
        random_draw(f, l, &g);
    unsigned m1 = solve_batch(f->m, (const policy_t *const *)f->scen,
                              (const shocks_t *const *)f->sh, NULL, SOLVE_LANES, b, f->bscen);
    assert_int_not_equal(m1, 0);
    unsigned m2 = solve_batch(f->m, (const policy_t *const *)f->scen,
                              (const shocks_t *const *)f->sh,
                              (const solution_t *const *)f->bscen, SOLVE_LANES, b, f->bscen);
    assert_int_equal(m1 & m2, m1);
    for (int l = 0; l < SOLVE_LANES; l++)
        if (m1 >> l & 1u)
            assert_int_equal(f->bscen[l]->iterations, 0);   /* already converged */
    assert_null(solve_batch_alloc(NULL, SOLVE_KERNEL_AUTO));
    solve_batch_free(NULL);
    solve_batch_free(b);
    bfix_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_matches_scalar),
        cmocka_unit_test(test_batch_leaves_hard_lanes),
        cmocka_unit_test(test_batch_bits_fixed),
        cmocka_unit_test(test_batch_warm_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
