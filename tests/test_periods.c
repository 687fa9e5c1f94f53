/*
 * test_periods.c - time (MODEL.md Part 2) at the model level: the checks listed at the end
 * of Part 2, the hard inputs of issue 11, dated policy and the calibration errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "model_fixture.h"

#define NW 8   /* room for windows in the policies and solutions below */

typedef struct {
    periods_market_t *pm;
    periods_policy_t *ref, *scen;
    periods_shocks_t *sh;
    periods_workspace_t *ws;
    periods_solution_t *a, *b;
} pfix_t;

/* Takes ownership of spec. */
static void pfix_init(pfix_t *f, periods_spec_t *spec)
{
    char err[256];
    f->pm = periods_calibrate(spec, err, sizeof err);
    if (!f->pm)
        print_error("calibration: %s\n", err);
    assert_non_null(f->pm);
    periods_spec_free(spec);
    f->ref = periods_policy_alloc(f->pm, NW);
    f->scen = periods_policy_alloc(f->pm, NW);
    f->sh = periods_shocks_alloc_baseline(f->pm);
    f->ws = periods_workspace_alloc(f->pm, NW);
    f->a = periods_solution_alloc(f->pm, NW);
    f->b = periods_solution_alloc(f->pm, NW);
    assert_true(f->ref && f->scen && f->sh && f->ws && f->a && f->b);
}

static void pfix_free(pfix_t *f)
{
    periods_solution_free(f->a);
    periods_solution_free(f->b);
    periods_workspace_free(f->ws);
    periods_shocks_free(f->sh);
    periods_policy_free(f->ref);
    periods_policy_free(f->scen);
    periods_market_free(f->pm);
}

static int pfix_solve(pfix_t *f, const periods_policy_t *pol, const periods_solution_t *start,
                      periods_solution_t *sol)
{
    int rc = periods_solve(f->pm, pol, f->sh, start, f->ws, sol);
    if (rc != 0)
        print_error("periods_solve: %s in year %d\n", solve_status_string(sol->status),
                    sol->failed_year + 1);
    return rc;
}

/* Sets tariff `value` on route (i, j) from period `from` on. */
static void set_tariff_from(pfix_t *f, periods_policy_t *pol, int i, int j, int from, double value)
{
    int R = 15;
    for (int t = from; t < f->pm->n_periods; t++)
        pol->tariff[t * R + i * 3 + j] = value;
}

/* A draw's shocks that are not the baseline (same in every year unless changed). */
static void perturb_shocks(pfix_t *f)
{
    for (int y = 0; y < f->sh->n_years; y++) {
        shocks_t *s = f->sh->year[y];
        s->yield[0] = 0.93;
        s->yield[1] = 1.06;
        s->demand_shock[0] = 1.03;
        s->domestic_shock[2] = 0.97;
        s->eps[1] = -0.45;
        s->sigma[0] = 9;
        s->freight[3] *= 1.1;
        s->exchange_rate[1] = 1.04;
    }
}

/* ---- T = 1 and independent periods ---- */

static void test_one_period_calendar_is_part1_bit_for_bit(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, fixture_periods_spec(1, 1, 0, 1));
    market_spec_t *ds = fixture_default_spec();
    char err[256];
    market_t *m = market_calibrate(ds, err, sizeof err);
    policy_t *pol = policy_alloc_baseline(m);
    shocks_t *sh = shocks_alloc_baseline(m);
    solve_workspace_t *ws = solve_workspace_alloc(m);
    solution_t *s0 = solution_alloc(m), *s1 = solution_alloc(m);
    perturb_shocks(&f);
    shocks_t *ps = f.sh->year[0];
    memcpy(sh->yield, ps->yield, 5 * sizeof(double));
    memcpy(sh->demand_shock, ps->demand_shock, 3 * sizeof(double));
    memcpy(sh->domestic_shock, ps->domestic_shock, 5 * sizeof(double));
    memcpy(sh->eps, ps->eps, 5 * sizeof(double));
    memcpy(sh->sigma, ps->sigma, 3 * sizeof(double));
    memcpy(sh->freight, ps->freight, 15 * sizeof(double));
    memcpy(sh->exchange_rate, ps->exchange_rate, 5 * sizeof(double));
    /* reference, then China 28 % on US warm-started from it, as the engine does */
    assert_int_equal(solve_equilibrium(m, pol, sh, NULL, ws, s0), 0);
    pol->tariff[0] = 0.28;
    f.scen->tariff[0] = 0.28;
    assert_int_equal(solve_equilibrium(m, pol, sh, s0, ws, s1), 0);
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    const periods_solution_t *pr[2] = { f.a, f.b };
    const solution_t *an[2] = { s0, s1 };
    for (int k = 0; k < 2; k++) {
        assert_memory_equal(pr[k]->fob_price, an[k]->fob_price, 5 * sizeof(double));
        assert_memory_equal(pr[k]->flow, an[k]->flow, 15 * sizeof(double));
        assert_memory_equal(pr[k]->price_index, an[k]->price_index, 3 * sizeof(double));
        assert_memory_equal(pr[k]->domestic_use, an[k]->domestic_use, 5 * sizeof(double));
        assert_memory_equal(pr[k]->harvest, an[k]->production, 5 * sizeof(double));
        assert_memory_equal(pr[k]->landed_price, an[k]->landed_price, 15 * sizeof(double));
        assert_int_equal(pr[k]->iterations, an[k]->iterations);
    }
    solution_free(s0); solution_free(s1); solve_workspace_free(ws); shocks_free(sh);
    policy_free(pol); market_free(m); market_spec_free(ds);
    pfix_free(&f);
}

/* psi = 0 everywhere and importer stocks that do not change at baseline: each period is
 * the Part 1 market of its net supply (harvest + stock drawn), solved on its own. */
static void test_independent_periods_are_separate_part1_solves(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, fixture_periods_spec(4, 1, 0.02, 1));
    perturb_shocks(&f);
    for (int i = 0; i < 5; i++)
        f.sh->year[0]->yield[i] = 1;   /* Part 1 would scale the stock drawn by the yield */
    set_tariff_from(&f, f.scen, 0, 0, 2, 0.5);
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.b), 0);
    for (int t = 0; t < 4; t++) {
        const market_t *m = f.pm->period_market[t];
        policy_t *pol = policy_alloc_baseline(m);
        solve_workspace_t *ws = solve_workspace_alloc(m);
        solution_t *s = solution_alloc(m);
        memcpy(pol->tariff, f.scen->tariff + t * 15, 15 * sizeof(double));
        assert_int_equal(solve_equilibrium(m, pol, f.sh->year[0], NULL, ws, s), 0);
        for (int i = 0; i < 5; i++)
            assert_close(f.b->fob_price[t * 5 + i], s->fob_price[i], 1e-8, 0);
        for (int r = 0; r < 15; r++)
            assert_close(f.b->flow[t * 15 + r], s->flow[r], 1e-7, 1e-9);
        solution_free(s); solve_workspace_free(ws); policy_free(pol);
    }
    pfix_free(&f);
}

/* ---- baseline, conservation ---- */

static periods_spec_t *storage_spec(int per_year, int years, double psi, double psiM)
{
    periods_spec_t *s = fixture_periods_spec(per_year, years, 0.05, 0);
    for (int i = 0; i < 5; i++) {
        s->psi[i] = psi;
        s->psi_closing[i] = 1;
        s->area_response[i] = 0.3;
    }
    for (int j = 0; j < 3; j++) {
        s->psi_importer[j] = psiM;
        s->psi_importer_closing[j] = 1;
    }
    return s;
}

static void test_baseline_reproduces_every_period(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, storage_spec(12, 2, 3, 3));
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    const periods_spec_t *s = f.pm->spec;
    for (int t = 0; t < 24; t++) {
        for (int i = 0; i < 5; i++) {
            assert_close(f.a->fob_price[t * 5 + i], s->fob_price[t * 5 + i], 1e-9, 0);
            assert_close(f.a->stock[t * 5 + i], f.pm->stock[t * 5 + i], 1e-9, 1e-9);
            assert_close(f.a->harvest[t * 5 + i], f.pm->harvest[t * 5 + i], 1e-9, 1e-12);
        }
        for (int r = 0; r < 15; r++)
            assert_close(f.a->flow[t * 15 + r], s->flow[t * 15 + r], 1e-9, 1e-12);
        for (int j = 0; j < 3; j++) {
            assert_close(f.a->importer_stock[t * 3 + j], f.pm->importer_stock[t * 3 + j], 1e-9, 1e-9);
            assert_close(f.a->consumption[t * 3 + j], s->consumption[t * 3 + j], 1e-9, 0);
            assert_int_equal(f.a->import_bound[t * 3 + j], 0);
        }
    }
    for (int i = 0; i < 5; i++)
        assert_close(f.a->production[5 + i], s->production[5 + i], 1e-9, 0);
    pfix_free(&f);
}

/* opening stock + harvest = domestic use + exports + closing stock, per exporter and
 * year; importers likewise in composite units. */
static void check_conservation(const pfix_t *f, const periods_solution_t *sol)
{
    const periods_market_t *pm = f->pm;
    for (int y = 0; y < pm->n_years; y++) {
        int a = pm->year_first[y], b = pm->year_first[y + 1];
        for (int i = 0; i < 5; i++) {
            double open = a ? sol->stock[(a - 1) * 5 + i] : pm->spec->opening_stock[i];
            double in = open, out = sol->stock[(b - 1) * 5 + i];
            for (int t = a; t < b; t++) {
                in += sol->harvest[t * 5 + i];
                out += sol->domestic_use[t * 5 + i] + sol->exports[t * 5 + i];
                double ex = 0;
                for (int j = 0; j < 3; j++)
                    ex += sol->flow[t * 15 + i * 3 + j];
                assert_close(sol->exports[t * 5 + i], ex, 1e-13, 1e-13);
            }
            assert_close(in, out, 1e-9, 0);
            assert_close(in, out, 0, 1e-9 * pm->spec->production[y * 5 + i]);
        }
        for (int j = 0; j < 3; j++) {
            double open = a ? sol->importer_stock[(a - 1) * 3 + j]
                            : pm->spec->importer_opening_stock[j];
            double in = open, out = sol->importer_stock[(b - 1) * 3 + j];
            for (int t = a; t < b; t++) {
                in += sol->composite_imports[t * 3 + j];
                out += sol->consumption[t * 3 + j];
                assert_true(sol->composite_imports[t * 3 + j] >= 0);
            }
            assert_close(in, out, 1e-12, 0);
        }
    }
}

static void test_conservation_per_draw(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, storage_spec(12, 2, 3, 3));
    perturb_shocks(&f);
    f.sh->year[1]->yield[1] = 0.9;
    set_tariff_from(&f, f.scen, 0, 0, 6, 0.34);
    f.scen->export_tax[10 * 5 + 2] = 0.3;
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    check_conservation(&f, f.a);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    check_conservation(&f, f.b);
    /* the warm start finds the cold start's equilibrium */
    periods_solution_t *c = periods_solution_alloc(f.pm, NW);
    assert_int_equal(pfix_solve(&f, f.scen, NULL, c), 0);
    for (int k = 0; k < 24 * 5; k++)
        assert_close(c->fob_price[k], f.b->fob_price[k], 1e-9, 0);
    for (int k = 0; k < 24 * 15; k++)
        assert_close(c->flow[k], f.b->flow[k], 1e-8, 1e-10);
    periods_solution_free(c);
    pfix_free(&f);
}

/* A boycott by date (a cap of 0 in some periods) and a floor in one period. */
static void test_dated_boycott_and_period_floor(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, storage_spec(12, 1, 3, 3));
    for (int t = 0; t < 4; t++)
        f.scen->cap[t * 15 + 0] = 0;   /* no US -> China September-December */
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    for (int t = 0; t < 12; t++) {
        if (t < 4)
            assert_true(f.b->flow[t * 15] == 0 && f.b->wedge[t * 15] == 0);
        else
            assert_true(f.b->flow[t * 15] > f.a->flow[t * 15]);   /* bought later instead */
    }
    check_conservation(&f, f.b);
    /* a floor of 3 Mt in February, more than flows anyway, holds with equality */
    assert_true(f.b->flow[5 * 15] < 3);
    f.scen->floor[5 * 15] = 3;
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    assert_close(f.b->flow[5 * 15], 3, 1e-9, 0);
    assert_true(f.b->wedge[5 * 15] < 0 && f.b->wedge[6 * 15] == 0);
    check_conservation(&f, f.b);
    pfix_free(&f);
}

/* ---- front-loading ---- */

/* US -> China in the month before a 138 % tariff from month 7 (March), scenario minus
 * reference. */
static double front_loading(double psi, double psiM, double *earlier_gap)
{
    pfix_t f;
    pfix_init(&f, storage_spec(12, 1, psi, psiM));
    set_tariff_from(&f, f.scen, 0, 0, 6, 1.38);
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    *earlier_gap = 0;
    for (int t = 0; t < 6; t++)
        for (int k = 0; k < 5; k++) {
            double d = fabs(f.b->fob_price[t * 5 + k] / f.a->fob_price[t * 5 + k] - 1);
            *earlier_gap = d > *earlier_gap ? d : *earlier_gap;
        }
    double d = f.b->flow[5 * 15 + 0] - f.a->flow[5 * 15 + 0];
    pfix_free(&f);
    return d;
}

static void test_front_loading(void **state)
{
    (void)state;
    double gap, d0, d3, d10, dn;
    dn = front_loading(0, 0, &gap);
    assert_true(gap < 1e-9);               /* no storage: earlier months unchanged */
    assert_true(fabs(dn) < 1e-9);
    d0 = front_loading(3, 0, &gap);
    assert_true(gap > 1e-4);
    d3 = front_loading(3, 3, &gap);
    d10 = front_loading(3, 10, &gap);
    print_message("US -> China in the month before a 138 %% tariff, change vs reference "
                  "(psi = 3): %+.3f %+.3f %+.3f Mt at psiM = 0, 3, 10\n", d0, d3, d10);
    assert_true(d0 > 0);
    assert_true(d3 > d0);
    assert_true(d10 > d3);
}

/* ---- the importer bound ---- */

/* With this fixture's seasons the bound binds when the tariff starts in the US
 * shipping season (here from December); from March on it does not (China's stocks
 * built ahead are small next to its monthly crush). */
static void test_importer_bound_binds(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, storage_spec(12, 1, 3, 50));
    set_tariff_from(&f, f.scen, 0, 0, 3, 1.38);
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    int binds = 0;
    for (int t = 0; t < 12; t++)
        for (int j = 0; j < 3; j++) {
            int q = t * 3 + j;
            assert_true(f.b->composite_imports[q] >= 0);
            if (!f.b->import_bound[q])
                continue;
            binds++;
            double prev = t ? f.b->importer_stock[q - 3] : f.pm->spec->importer_opening_stock[j];
            assert_true(f.b->composite_imports[q] == 0);
            assert_true(f.b->imports[q] == 0);
            assert_close(f.b->importer_stock[q], prev - f.b->consumption[q], 1e-12, 1e-12);
        }
    print_message("M >= 0 binds in %d importer-months (psiM = 50, 138 %% from December), "
                  "%d Newton steps\n", binds, f.b->iterations);
    assert_true(binds > 0);
    check_conservation(&f, f.b);
    /* a warm start from the bound solution finds it again at once */
    assert_int_equal(pfix_solve(&f, f.scen, f.b, f.a), 0);
    assert_true(f.a->iterations <= 2);
    assert_memory_equal(f.a->import_bound, f.b->import_bound, 36);
    pfix_free(&f);
}

/* ---- window bounds ---- */

static void test_window_floor_binds_and_not(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, storage_spec(12, 1, 3, 3));
    set_tariff_from(&f, f.scen, 0, 0, 0, 0.34);
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.a), 0);
    double base = 0;
    for (int t = 2; t <= 5; t++)
        base += f.a->flow[t * 15 + 0];
    char err[128];
    /* not binding: half of what flows anyway changes nothing (bit for bit from a warm
     * start, where the bound is never violated on the way) */
    periods_window_t w = { 0, 0, 2, 5, PERIODS_FLOOR, 0.5 * base };
    assert_int_equal(periods_policy_add_window(f.scen, &w, err, sizeof err), 0);
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.b), 0);
    for (int k = 0; k < 60; k++)
        assert_close(f.b->fob_price[k], f.a->fob_price[k], 1e-10, 0);
    for (int k = 0; k < 180; k++)
        assert_close(f.b->flow[k], f.a->flow[k], 1e-9, 1e-12);
    assert_true(f.b->window_wedge[0] == 0);
    periods_policy_t *nowin = periods_policy_alloc(f.pm, NW);
    periods_policy_copy_into(nowin, f.scen);
    nowin->n_windows = 0;
    periods_solution_t *c = periods_solution_alloc(f.pm, NW);
    assert_int_equal(pfix_solve(&f, nowin, f.a, c), 0);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    assert_memory_equal(c->fob_price, f.b->fob_price, 60 * sizeof(double));
    assert_memory_equal(c->flow, f.b->flow, 180 * sizeof(double));
    periods_solution_free(c);
    periods_policy_free(nowin);
    /* binding: 12 Mt (more than the 34 % tariff leaves) holds with equality */
    f.scen->window[0].amount = 12;
    assert_true(12 > base);
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.b), 0);
    assert_close(f.b->window_flow[0], 12, 1e-9, 0);
    assert_true(f.b->window_wedge[0] < 0);
    for (int t = 0; t < 12; t++)
        assert_close(f.b->wedge[t * 15], t >= 2 && t <= 5 ? f.b->window_wedge[0] : 0, 1e-12, 0);
    check_conservation(&f, f.b);
    /* compliance scales the floor */
    f.sh->year[0]->compliance = 0.9;
    assert_int_equal(pfix_solve(&f, f.scen, f.b, f.b), 0);
    assert_close(f.b->window_flow[0], 10.8, 1e-9, 0);
    /* a cap binds the other way */
    f.sh->year[0]->compliance = 1;
    f.scen->window[0].kind = PERIODS_CAP;
    f.scen->window[0].amount = 0.5 * base;
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.b), 0);
    assert_close(f.b->window_flow[0], 0.5 * base, 1e-9, 0);
    assert_true(f.b->window_wedge[0] > 0);
    pfix_free(&f);
}

/* A floor over the turn of two marketing years holds over the whole window. */
static void test_window_across_years(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, storage_spec(4, 2, 3, 3));
    set_tariff_from(&f, f.scen, 0, 0, 0, 0.34);
    char err[128];
    periods_window_t w = { 0, 0, 2, 5, PERIODS_FLOOR, 16 };
    assert_int_equal(periods_policy_add_window(f.scen, &w, err, sizeof err), 0);
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.b), 0);
    assert_close(f.b->window_flow[0], 16, 1e-9, 0);
    check_conservation(&f, f.b);
    pfix_free(&f);
}

/* ---- two periods: closed form ---- */

/* One traded exporter (the second trades nothing, so its market is separate), one
 * importer, fixed harvest, fixed domestic use, fixed closing stocks (psiT = psiTM = 0),
 * fixed importer stocks (psiM = 0), no freight, storage psi at the exporter, and the
 * tariff raised from 1 + t0 to k (1 + t0) in period 2. With p_t = P_t / Pb_t (Pb equal in
 * both periods so that Rb = 1) and rho = p2 / p1 the system is
 *   A1 = C1 p1^eta + Sb1 rho^psi        (period 1: Pi_1 = p1)
 *   A2 = C2 (k p2)^eta - Sb1 rho^psi    (period 2: Pi_2 = k p2)
 * with A1 = S0 + H1 - D1 - dZ1, A2 = H2 - D2 - Sb2 - dZ2 (baseline: A1 = C1 + Sb1,
 * A2 = C2 - Sb1). The first gives p1(rho) = ((A1 - Sb1 rho^psi) / C1)^(1/eta), and
 * g(rho) = C2 (k rho p1(rho))^eta - Sb1 rho^psi - A2 is strictly decreasing in rho (p1
 * rises with rho), so its one root is found by bisection. */
static void test_two_period_closed_form(void **state)
{
    (void)state;
    const double H1 = 60, H2 = 10, D1 = 5, D2 = 5, S0 = 2, C1 = 30, eta = -0.6;
    const double psi = 2, tar = 0.1, k = 1.5;
    periods_spec_t *s = periods_spec_alloc(2, 1, 2, 1);
    market_spec_t *g = s->regions;
    snprintf(g->exporter_name[0], MARKET_NAME_MAX, "A");
    snprintf(g->exporter_name[1], MARKET_NAME_MAX, "B");
    snprintf(g->importer_name[0], MARKET_NAME_MAX, "M");
    g->sigma[0] = 4;
    g->eta[0] = eta;
    g->eps[1] = -0.5;
    g->tariff[0] = tar;
    snprintf(s->period_name[0], MARKET_NAME_MAX, "h1");
    snprintf(s->period_name[1], MARKET_NAME_MAX, "h2");
    s->production[0] = H1 + H2;
    s->production[1] = 8;
    s->harvest_share[0] = H1 / (H1 + H2);
    s->harvest_share[2] = H2 / (H1 + H2);
    s->harvest_share[1] = s->harvest_share[3] = 0.5;
    s->domestic_use[0] = D1;
    s->domestic_use[2] = D2;
    s->domestic_use[1] = s->domestic_use[3] = 4;
    for (int a = 0; a < 4; a++)
        s->fob_price[a] = 400;
    s->opening_stock[0] = S0;
    s->flow[0] = C1;                    /* Sb1 = S0 + H1 - D1 - C1 = 27 */
    s->flow[2] = S0 + H1 - D1 - C1 + H2 - D2;   /* so that Sb2 = 0: X2 = 32 = C2 */
    s->consumption[0] = C1;
    s->consumption[1] = s->flow[2];
    s->psi[0] = psi;
    pfix_t f;
    pfix_init(&f, s);
    double Sb1 = f.pm->stock[0], Cc2 = f.pm->spec->consumption[1];
    assert_close(Sb1, 27, 1e-12, 0);
    assert_close(f.pm->stock[2], 0, 0, 1e-12);
    f.scen->tariff[1 * 2 + 0] = (1 + tar) * k - 1;   /* period 2, route (A, M) */
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.b), 0);
    double A1 = C1 + Sb1, A2 = Cc2 - Sb1, lo = 0.2, hi = 5;
    for (int it = 0; it < 200; it++) {
        double rho = 0.5 * (lo + hi), base = (A1 - Sb1 * pow(rho, psi)) / C1;
        double gr = -1;   /* rho too large when period 1 cannot absorb its stock */
        if (base > 0) {
            double p1 = pow(base, 1 / eta);
            gr = Cc2 * pow(k * rho * p1, eta) - Sb1 * pow(rho, psi) - A2;
        }
        if (gr > 0)
            lo = rho;
        else
            hi = rho;
    }
    double rho = 0.5 * (lo + hi), p1 = pow((A1 - Sb1 * pow(rho, psi)) / C1, 1 / eta);
    assert_close(f.b->fob_price[0], 400 * p1, 1e-8, 0);
    assert_close(f.b->fob_price[2], 400 * p1 * rho, 1e-8, 0);
    assert_close(f.b->stock[0], Sb1 * pow(rho, psi), 1e-8, 0);
    assert_close(f.b->flow[0], C1 * pow(p1, eta), 1e-8, 0);
    assert_close(f.b->fob_price[1], 400, 1e-9, 0);   /* B trades nothing */
    print_message("two periods: p1 = %.6f, p2 / p1 = %.6f\n", p1, rho);
    assert_true(fabs(rho - 1) > 1e-2 && fabs(p1 - 1) > 1e-3);   /* not a trivial case */
    pfix_free(&f);
}

/* ---- years ---- */

static void test_area_response_in_year_two(void **state)
{
    (void)state;
    pfix_t f;
    periods_spec_t *s = storage_spec(4, 2, 3, 3);
    for (int i = 0; i < 5; i++)
        s->area_response[i] = 0;
    pfix_init(&f, s);
    f.sh->year[1]->yield[0] = 0.9;
    set_tariff_from(&f, f.scen, 0, 0, 0, 0.5);
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.b), 0);
    for (int y = 0; y < 2; y++)
        for (int i = 0; i < 5; i++)
            assert_close(f.b->production[y * 5 + i],
                         f.pm->spec->production[y * 5 + i] * f.sh->year[y]->yield[i], 1e-12, 0);
    pfix_free(&f);

    pfix_init(&f, storage_spec(4, 2, 3, 3));   /* kappaA = 0.3 */
    set_tariff_from(&f, f.scen, 0, 0, 0, 0.5);
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    assert_close(f.a->production[5], f.pm->spec->production[5], 1e-9, 0);
    assert_true(f.b->expected_price[5] < f.a->expected_price[5]);   /* US price fell */
    assert_true(f.b->production[5] < f.a->production[5] * (1 - 1e-3));
    assert_close(f.b->production[0], f.a->production[0], 1e-12, 0);   /* year 1 planted */
    double ratio = f.b->expected_price[5] / f.pm->year_price[0];
    assert_close(f.b->production[5], f.pm->spec->production[5] * pow(ratio, 0.3), 1e-12, 0);
    check_conservation(&f, f.b);
    pfix_free(&f);
}

/* Annual periods over three years without stocks: each year is Part 1's solve with the
 * yield scaled by the area response to last year's price. */
static void test_annual_years_are_part1_with_area_response(void **state)
{
    (void)state;
    periods_spec_t *s = fixture_periods_spec(1, 3, 0, 1);
    for (int i = 0; i < 5; i++)
        s->area_response[i] = 0.3;
    pfix_t f;
    pfix_init(&f, s);
    set_tariff_from(&f, f.scen, 0, 0, 0, 0.5);
    assert_int_equal(pfix_solve(&f, f.scen, NULL, f.b), 0);
    const market_t *m = f.pm->period_market[0];
    policy_t *pol = policy_alloc_baseline(m);
    shocks_t *sh = shocks_alloc_baseline(m);
    solve_workspace_t *ws = solve_workspace_alloc(m);
    solution_t *o = solution_alloc(m);
    pol->tariff[0] = 0.5;
    for (int y = 0; y < 3; y++) {
        for (int i = 0; i < 5; i++) {
            if (y == 0)
                continue;
            /* Pe: last year's producer price (one period: the weighted mean is itself) */
            double pe = f.b->expected_price[y * 5 + i];
            assert_close(pe, f.b->producer_price[(y - 1) * 5 + i], 1e-15, 0);
            assert_close(f.pm->year_price[(y - 1) * 5 + i], m->producer_price[i], 1e-15, 0);
            sh->yield[i] = exp(0.3 * log(pe / f.pm->year_price[(y - 1) * 5 + i]));
        }
        assert_int_equal(solve_equilibrium(f.pm->period_market[y], pol, sh, NULL, ws, o), 0);
        assert_memory_equal(o->fob_price, f.b->fob_price + y * 5, 5 * sizeof(double));
        assert_memory_equal(o->flow, f.b->flow + y * 15, 15 * sizeof(double));
    }
    assert_true(f.b->production[5] < f.pm->spec->production[5]);   /* US plants less */
    solution_free(o); solve_workspace_free(ws); shocks_free(sh); policy_free(pol);
    pfix_free(&f);
}

/* ---- welfare ---- */

static void test_welfare_psi0_is_sum_of_period_welfare(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, fixture_periods_spec(4, 1, 0.02, 1));
    perturb_shocks(&f);
    for (int i = 0; i < 5; i++)
        f.sh->year[0]->yield[i] = 1;
    set_tariff_from(&f, f.scen, 0, 0, 1, 0.6);
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    periods_welfare_t *w = periods_welfare_alloc(f.pm);
    periods_welfare_compute(f.pm, f.sh, f.a, f.b, w);
    double sum = 0, scale = 0;
    for (int t = 0; t < 4; t++) {
        const market_t *m = f.pm->period_market[t];
        policy_t *pol = policy_alloc_baseline(m);
        solve_workspace_t *ws = solve_workspace_alloc(m);
        solution_t *s0 = solution_alloc(m), *s1 = solution_alloc(m);
        welfare_t *w1 = welfare_alloc(m);
        memcpy(pol->tariff, f.ref->tariff + t * 15, 15 * sizeof(double));
        assert_int_equal(solve_equilibrium(m, pol, f.sh->year[0], NULL, ws, s0), 0);
        memcpy(pol->tariff, f.scen->tariff + t * 15, 15 * sizeof(double));
        assert_int_equal(solve_equilibrium(m, pol, f.sh->year[0], s0, ws, s1), 0);
        welfare_compute(m, f.sh->year[0], s0, s1, w1);
        sum += f.pm->discount[t] * w1->world_total;
        for (int j = 0; j < 3; j++)
            scale += fabs(w1->importer_consumer_surplus[j]);
        welfare_free(w1); solution_free(s0); solution_free(s1); solve_workspace_free(ws);
        policy_free(pol);
    }
    print_message("welfare, 60 %% on US -> China from quarter 2: %.9f (periods) vs %.9f "
                  "(sum of Part 1 per quarter), billion USD\n", w->world_total, sum);
    assert_true(f.pm->discount[3] < 1);
    assert_close(w->world_total, sum, 0, 1e-7 * scale);
    periods_welfare_free(w);
    pfix_free(&f);
}

/* From an undistorted market (no tariffs, no export tax) a small tariff dated from
 * March moves every term, the stockholders' included, by O(dt) and the world total by
 * O(dt^2): the storage terms are consistent with the rest when stocks respond. */
static void test_welfare_with_storage_is_second_order(void **state)
{
    (void)state;
    periods_spec_t *s = storage_spec(12, 1, 3, 3);
    for (int r = 0; r < 15; r++)
        s->regions->tariff[r] = 0;
    s->regions->export_tax[2] = 0;
    pfix_t f;
    pfix_init(&f, s);
    periods_welfare_t *w = periods_welfare_alloc(f.pm);
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    double world[2], stor[2];
    const double dt[2] = { 2.5e-4, 5e-4 };
    for (int k = 0; k < 2; k++) {
        set_tariff_from(&f, f.scen, 0, 0, 6, dt[k]);
        assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
        periods_welfare_compute(f.pm, f.sh, f.a, f.b, w);
        world[k] = w->world_total;
        stor[k] = 0;
        for (int t = 0; t < 12; t++)
            stor[k] += fabs(w->storage[t * 5]) + fabs(w->importer_storage[t * 3]);
    }
    print_message("welfare with storage, tariff %.2g and %.2g from March: world %.3g, %.3g; "
                  "storage terms %.3g, %.3g billion USD\n", dt[0], dt[1], world[0], world[1],
                  stor[0], stor[1]);
    assert_close(stor[1] / stor[0], 2.0, 0.02, 0);       /* first order terms */
    assert_true(world[0] < 0 && world[1] < 0);            /* a deadweight loss */
    assert_close(world[1] / world[0], 4.0, 0.05, 0);      /* second order total */
    assert_true(fabs(world[1]) < 1e-2 * stor[1]);
    periods_welfare_free(w);
    pfix_free(&f);
}

/* ---- determinism ---- */

/* What a workspace solved before never shows in the bits of the next solve (threads
 * and shards hand draws to workspaces in any order). */
static void test_same_inputs_same_bits_whatever_came_before(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, storage_spec(12, 2, 3, 50));
    set_tariff_from(&f, f.scen, 0, 0, 3, 1.38);
    char err[128];
    periods_window_t w = { 0, 0, 8, 15, PERIODS_FLOOR, 9 };
    assert_int_equal(periods_policy_add_window(f.scen, &w, err, sizeof err), 0);
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, f.b), 0);
    periods_solution_t *c = periods_solution_alloc(f.pm, NW);
    periods_workspace_t *fresh = periods_workspace_alloc(f.pm, NW);
    perturb_shocks(&f);   /* another draw in the same workspace */
    assert_int_equal(pfix_solve(&f, f.scen, NULL, c), 0);
    periods_shocks_reset_baseline(f.sh, f.pm);
    assert_int_equal(pfix_solve(&f, f.scen, f.a, c), 0);
    assert_memory_equal(c->fob_price, f.b->fob_price, 120 * sizeof(double));
    assert_memory_equal(c->flow, f.b->flow, 360 * sizeof(double));
    assert_memory_equal(c->importer_stock, f.b->importer_stock, 72 * sizeof(double));
    assert_int_equal(periods_solve(f.pm, f.scen, f.sh, f.a, fresh, c), 0);
    assert_memory_equal(c->fob_price, f.b->fob_price, 120 * sizeof(double));
    assert_memory_equal(c->stock, f.b->stock, 120 * sizeof(double));
    periods_workspace_free(fresh);
    periods_solution_free(c);
    pfix_free(&f);
}

/* ---- hard inputs (issue 11): converge, or fail with a status ---- */

static void expect_clean(pfix_t *f, int rc, const char *what)
{
    print_message("%s: %s after %d Newton steps\n", what, solve_status_string(f->b->status),
                  f->b->iterations);
    if (rc == 0) {
        check_conservation(f, f->b);
    } else {
        assert_int_equal(rc, (int)f->b->status);
        assert_true(f->b->failed_year >= 0);
    }
}

static void test_hard_inputs(void **state)
{
    (void)state;
    pfix_t f;
    /* psi of 50 with a 138 % tariff from month 7 */
    pfix_init(&f, storage_spec(12, 1, 50, 3));
    set_tariff_from(&f, f.scen, 0, 0, 6, 1.38);
    int rc = pfix_solve(&f, f.scen, NULL, f.b);
    expect_clean(&f, rc, "psi = 50");
    assert_int_equal(rc, 0);
    pfix_free(&f);
    /* 500 % announced for the last month */
    pfix_init(&f, storage_spec(12, 1, 3, 10));
    set_tariff_from(&f, f.scen, 0, 0, 11, 5);
    rc = pfix_solve(&f, f.scen, NULL, f.b);
    expect_clean(&f, rc, "500 % in the last month");
    assert_int_equal(rc, 0);
    pfix_free(&f);
    /* every harvest in one month */
    periods_spec_t *s = storage_spec(12, 1, 3, 3);
    for (int t = 0; t < 12; t++)
        for (int i = 0; i < 5; i++)
            s->harvest_share[t * 5 + i] = t == 1;
    double need[5] = { 0 };
    for (int i = 0; i < 5; i++) {
        double S = 0, low = 0;
        for (int t = 0; t < 12; t++) {
            S += s->production[i] * s->harvest_share[t * 5 + i] - s->domestic_use[t * 5 + i];
            for (int j = 0; j < 3; j++)
                S -= s->flow[(t * 5 + i) * 3 + j];
            low = S < low ? S : low;
        }
        need[i] = -low + 0.01 * s->production[i];
        s->opening_stock[i] = need[i];
    }
    pfix_init(&f, s);
    set_tariff_from(&f, f.scen, 0, 0, 4, 1.38);
    perturb_shocks(&f);
    rc = pfix_solve(&f, f.scen, NULL, f.b);
    expect_clean(&f, rc, "harvest in one month");
    assert_int_equal(rc, 0);
    pfix_free(&f);
}

/* The failure contract: a status, the year, the years before it solved. */
static void test_failure_names_status_and_year(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, storage_spec(4, 2, 3, 3));
    assert_int_equal(pfix_solve(&f, f.ref, NULL, f.a), 0);
    f.sh->year[1]->sigma[0] = -1;   /* outside the domain in year 2 only */
    assert_int_equal(periods_solve(f.pm, f.ref, f.sh, NULL, f.ws, f.b), SOLVE_BAD_INPUT);
    assert_int_equal(f.b->status, SOLVE_BAD_INPUT);
    assert_int_equal(f.b->failed_year, 1);
    assert_memory_equal(f.b->fob_price, f.a->fob_price, 20 * sizeof(double));
    f.sh->year[1]->sigma[0] = f.sh->year[0]->sigma[0];
    /* a floor on a route with no baseline flow in its window cannot be met */
    char err[128];
    periods_window_t w = { 3, 0, 0, 3, PERIODS_FLOOR, 1 };   /* Paraguay -> China */
    assert_int_equal(periods_policy_add_window(f.scen, &w, err, sizeof err), 0);
    assert_int_equal(periods_solve(f.pm, f.scen, f.sh, NULL, f.ws, f.b), SOLVE_BAD_INPUT);
    assert_int_equal(f.b->failed_year, 0);
    /* mismatched dimensions */
    periods_spec_t *os = fixture_periods_spec(12, 1, 0.05, 0);
    periods_market_t *other = periods_calibrate(os, err, sizeof err);
    periods_spec_free(os);
    assert_non_null(other);
    assert_int_equal(periods_solve(other, f.ref, f.sh, NULL, f.ws, f.b), SOLVE_BAD_INPUT);
    periods_market_free(other);
    pfix_free(&f);
}

/* ---- any E, I, T ---- */

/* fixture_grid_spec's E x I market over `years` years of `per_year` periods, with
 * seasons that differ by exporter and route. */
static periods_spec_t *grid_calendar(int E, int I, int per_year, int years)
{
    market_spec_t *d = fixture_grid_spec(E, I);
    int T = per_year * years;
    periods_spec_t *s = periods_spec_alloc(E, I, T, years);
    market_spec_free(s->regions);
    s->regions = d;
    for (int t = 0; t < T; t++) {
        int y = t / per_year, p = t % per_year;
        snprintf(s->period_name[t], MARKET_NAME_MAX, "%d-%d", y + 1, p + 1);
        s->months[t] = 12.0 / per_year;
        s->year[t] = y;
    }
    for (int i = 0; i < E; i++) {
        double hs = 0, ws[64] = { 0 }, wsum = 0;
        for (int p = 0; p < per_year; p++) {
            double ph = 6.283185307179586 * ((double)p / per_year + (double)i / E);
            ws[p] = 1 + 0.9 * sin(ph);
            hs += ws[p];
            wsum += 1 + 0.5 * cos(ph);
        }
        for (int t = 0; t < T; t++) {
            int p = t % per_year;
            double ph = 6.283185307179586 * ((double)p / per_year + (double)i / E);
            s->harvest_share[t * E + i] = ws[p] / hs;
            s->domestic_use[t * E + i] = d->domestic_use[i] / per_year;
            s->fob_price[t * E + i] = d->fob_price[i] * (1 + 0.02 * cos(ph));
            for (int j = 0; j < I; j++)
                s->flow[(t * E + i) * I + j] = d->flow[i * I + j] * (1 + 0.5 * cos(ph)) / wsum;
        }
        for (int y = 0; y < years; y++)
            s->production[y * E + i] = d->production[i];
        double S = 0, low = 0;
        for (int t = 0; t < per_year; t++) {
            S += d->production[i] * s->harvest_share[t * E + i] - s->domestic_use[t * E + i];
            for (int j = 0; j < I; j++)
                S -= s->flow[(t * E + i) * I + j];
            low = S < low ? S : low;
        }
        s->opening_stock[i] = -low + 0.03 * d->production[i];
        s->psi[i] = 2;
        s->psi_closing[i] = 0.5;
        s->area_response[i] = 0.4;
    }
    for (int j = 0; j < I; j++) {
        double Mb = 0, Z = 0, low = 0;
        for (int t = 0; t < per_year; t++)
            for (int i = 0; i < E; i++)
                Mb += s->flow[(t * E + i) * I + j];
        for (int t = 0; t < T; t++) {
            double im = 0;
            for (int i = 0; i < E; i++)
                im += s->flow[(t * E + i) * I + j];
            s->consumption[t * I + j] = Mb / per_year;
            Z += im - s->consumption[t * I + j];
            low = Z < low ? Z : low;
        }
        s->importer_opening_stock[j] = -low + 0.05 * Mb;
        s->psi_importer[j] = 4;
        s->psi_importer_closing[j] = 0.5;
    }
    return s;
}

static void test_any_dimensions(void **state)
{
    (void)state;
    const int dims[3][4] = { { 7, 4, 6, 2 }, { 16, 9, 12, 1 }, { 2, 1, 3, 3 } };
    for (int k = 0; k < 3; k++) {
        int E = dims[k][0], I = dims[k][1], T = dims[k][2] * dims[k][3], R = E * I;
        periods_spec_t *s = grid_calendar(E, I, dims[k][2], dims[k][3]);
        char err[256];
        periods_market_t *pm = periods_calibrate(s, err, sizeof err);
        if (!pm)
            print_error("%s\n", err);
        assert_non_null(pm);
        periods_spec_free(s);
        periods_policy_t *pol = periods_policy_alloc(pm, 1);
        periods_shocks_t *sh = periods_shocks_alloc_baseline(pm);
        periods_workspace_t *ws = periods_workspace_alloc(pm, 1);
        periods_solution_t *a = periods_solution_alloc(pm, 1), *b = periods_solution_alloc(pm, 1);
        assert_int_equal(periods_solve(pm, pol, sh, NULL, ws, a), 0);
        for (int x = 0; x < T * R; x++)
            assert_close(a->flow[x], pm->spec->flow[x], 1e-9, 1e-12);
        for (int x = 0; x < T * E; x++)
            assert_close(a->fob_price[x], pm->spec->fob_price[x], 1e-9, 0);
        /* exporter 0 taxed out of importer 0 from the middle of the calendar, a floor on
         * exporter 1 -> importer 0 over the first half */
        for (int t = T / 2; t < T; t++)
            pol->tariff[t * R] = 0.8;
        double half = 0;
        for (int t = 0; t < T / 2 + 1; t++)
            half += pm->spec->flow[t * R + I];
        periods_window_t w = { 1, 0, 0, T / 2, PERIODS_FLOOR, 1.5 * half };
        assert_int_equal(periods_policy_add_window(pol, &w, err, sizeof err), 0);
        for (int y = 0; y < pm->n_years; y++)
            sh->year[y]->yield[0] = 1 - 0.05 * y;
        int rc = periods_solve(pm, pol, sh, a, ws, b);
        print_message("E %d, I %d, T %d: %s, %d Newton steps, window %.4f of %.4f Mt, "
                      "wedge %.4f\n", E, I, T, solve_status_string(b->status), b->iterations,
                      b->window_flow[0], 1.5 * half, b->window_wedge[0]);
        assert_int_equal(rc, 0);
        /* the floor (across a year boundary where there are several years) holds, with
         * equality where its last part binds */
        assert_true(b->window_flow[0] >= 1.5 * half * (1 - 1e-9));
        if (b->window_wedge[0] < 0)
            assert_close(b->window_flow[0], 1.5 * half, 1e-9, 0);
        for (int y = 0; y < pm->n_years; y++) {
            int t0 = pm->year_first[y], t1 = pm->year_first[y + 1];
            for (int i = 0; i < E; i++) {
                double in = t0 ? b->stock[(t0 - 1) * E + i] : pm->spec->opening_stock[i];
                double out = b->stock[(t1 - 1) * E + i];
                for (int t = t0; t < t1; t++) {
                    in += b->harvest[t * E + i];
                    out += b->domestic_use[t * E + i] + b->exports[t * E + i];
                }
                assert_close(in, out, 0, 1e-9 * pm->spec->production[y * E + i]);
            }
        }
        periods_solution_free(a); periods_solution_free(b); periods_workspace_free(ws);
        periods_shocks_free(sh); periods_policy_free(pol); periods_market_free(pm);
    }
}

/* ---- dated policy and bad inputs ---- */

static void test_schedule_resolves_by_date(void **state)
{
    (void)state;
    pfix_t f;
    pfix_init(&f, fixture_periods_spec(12, 2, 0.05, 0));
    const market_t *m0 = f.pm->period_market[0];
    policy_t *base = policy_alloc_baseline(m0);
    base->tariff[0] = 0.13;
    base->floor[0] = 25;   /* an annual floor: a window per marketing year */
    base->cap[4] = 0;      /* a boycott in every period */
    periods_change_t ch[3] = {
        { 14, PERIODS_SET_TARIFF, 0, 0, 0.34 },   /* from y2-p03 */
        { 6, PERIODS_SET_TARIFF, 0, 0, 1.38 },    /* from y1-p07 until the later change */
        { 3, PERIODS_SET_EXPORT_TAX, 2, -1, 0.33 },
    };
    char err[200];
    assert_int_equal(periods_policy_resolve(f.pm, base, ch, 3, f.scen, err, sizeof err), 0);
    for (int t = 0; t < 24; t++) {
        double want = t < 6 ? 0.13 : t < 14 ? 1.38 : 0.34;
        assert_true(f.scen->tariff[t * 15] == want);
        assert_true(f.scen->export_tax[t * 5 + 2] == (t < 3 ? 0.26 : 0.33));
        assert_true(f.scen->cap[t * 15 + 4] == 0);
    }
    assert_int_equal(f.scen->n_windows, 2);
    assert_int_equal(f.scen->window[1].first, 12);
    assert_int_equal(f.scen->window[1].last, 23);
    periods_change_t bad = { 24, PERIODS_SET_TARIFF, 0, 0, 0.1 };
    assert_int_not_equal(periods_policy_resolve(f.pm, base, &bad, 1, f.scen, err, sizeof err), 0);
    assert_non_null(strstr(err, "outside the calendar"));
    periods_window_t w = { 0, 0, 20, 24, PERIODS_FLOOR, 12 };
    assert_int_not_equal(periods_policy_add_window(f.scen, &w, err, sizeof err), 0);
    assert_non_null(strstr(err, "outside the calendar"));
    assert_int_equal(periods_index(f.pm, "y2-p03"), 14);
    assert_int_equal(periods_index(f.pm, "2026-13"), -1);
    policy_free(base);
    pfix_free(&f);
}

static void test_calibration_errors_name_region_and_period(void **state)
{
    (void)state;
    char err[300];
    periods_spec_t *s = fixture_periods_spec(12, 1, 0.05, 0);
    s->opening_stock[1] = 0;   /* Brazil runs out before its harvest (January) */
    assert_null(periods_calibrate(s, err, sizeof err));
    assert_non_null(strstr(err, "exporter 'Brazil', period 'y1-p01'"));
    assert_non_null(strstr(err, "< 0"));
    periods_spec_free(s);

    s = fixture_periods_spec(12, 1, 0.05, 0);
    s->harvest_share[3 * 5 + 1] += 0.1;
    assert_null(periods_calibrate(s, err, sizeof err));
    assert_non_null(strstr(err, "exporter 'Brazil', year 1: harvest shares sum to"));
    periods_spec_free(s);

    s = fixture_periods_spec(12, 1, 0.05, 0);
    s->importer_opening_stock[1] = 0;
    s->consumption[1] *= 3;
    assert_null(periods_calibrate(s, err, sizeof err));
    assert_non_null(strstr(err, "importer 'EU', period 'y1-p01'"));
    periods_spec_free(s);

    s = fixture_periods_spec(12, 1, 0.05, 0);
    s->year[5] = 1;
    assert_null(periods_calibrate(s, err, sizeof err));
    assert_non_null(strstr(err, "marketing year"));
    periods_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_period_calendar_is_part1_bit_for_bit),
        cmocka_unit_test(test_independent_periods_are_separate_part1_solves),
        cmocka_unit_test(test_baseline_reproduces_every_period),
        cmocka_unit_test(test_conservation_per_draw),
        cmocka_unit_test(test_dated_boycott_and_period_floor),
        cmocka_unit_test(test_front_loading),
        cmocka_unit_test(test_importer_bound_binds),
        cmocka_unit_test(test_window_floor_binds_and_not),
        cmocka_unit_test(test_window_across_years),
        cmocka_unit_test(test_two_period_closed_form),
        cmocka_unit_test(test_area_response_in_year_two),
        cmocka_unit_test(test_annual_years_are_part1_with_area_response),
        cmocka_unit_test(test_welfare_psi0_is_sum_of_period_welfare),
        cmocka_unit_test(test_welfare_with_storage_is_second_order),
        cmocka_unit_test(test_same_inputs_same_bits_whatever_came_before),
        cmocka_unit_test(test_hard_inputs),
        cmocka_unit_test(test_any_dimensions),
        cmocka_unit_test(test_failure_names_status_and_year),
        cmocka_unit_test(test_schedule_resolves_by_date),
        cmocka_unit_test(test_calibration_errors_name_region_and_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
