/*
 * test_welfare.c - the closed-form welfare terms against numerical integrals of the
 * demand and supply curves (gsl_integration_qags), the Harberger property of a small
 * tariff, transfers, and the log cases eta = -1 and eps = -1.
 */
#include "testutil.h"

#include <gsl/gsl_integration.h>
#include <stdlib.h>

#include "solve_fixture.h"

/* The solve fixture (its solution is the "before" state) plus an "after" state and
 * the welfare terms between them. */
typedef struct {
    fix_t base;
    solution_t *after;
    welfare_t *w;
} wfix_t;

static void wfix_init(wfix_t *f, market_spec_t *spec)
{
    fix_init(&f->base, spec);
    f->after = solution_alloc(f->base.m);
    f->w = welfare_alloc(f->base.m);
    assert_true(f->after && f->w);
}

static void wfix_free(wfix_t *f)
{
    welfare_free(f->w);
    solution_free(f->after);
    fix_free(&f->base);
}

static void wsolve(wfix_t *f, solution_t *out)
{
    int rc = solve_equilibrium(f->base.m, f->base.pol, f->base.sh, NULL, f->base.ws, out);
    assert_int_equal(rc, 0);
}

/* q(p) = scale * p^elasticity, the model's curves written from MODEL.md. */
typedef struct {
    double scale, elasticity;
} curve_t;

static double curve_eval(double p, void *params)
{
    const curve_t *c = params;
    return c->scale * pow(p, c->elasticity);
}

static double integral(double scale, double elasticity, double p0, double p1)
{
    gsl_integration_workspace *iw = gsl_integration_workspace_alloc(200);
    curve_t c = { scale, elasticity };
    gsl_function fn = { curve_eval, &c };
    double result, abserr;
    int rc = gsl_integration_qags(&fn, p0, p1, 0, 1e-12, 200, iw, &result, &abserr);
    gsl_integration_workspace_free(iw);
    assert_int_equal(rc, 0);
    return result;
}

/* Compares every surplus term with the integral of its curve, curves built from the
 * market's baseline data and the draw's shocks (not from the solver's outputs). */
static void check_terms_against_integrals(const wfix_t *f)
{
    const market_t *m = f->base.m;
    const shocks_t *sh = f->base.sh;
    const solution_t *b = f->base.sol, *a = f->after;
    for (int j = 0; j < m->n_importers; j++) {
        /* M = A PM^eta with A = Mb u / PMb^eta */
        double eta = sh->eta[j];
        double A = m->composite_imports[j] * sh->demand_shock[j] / pow(m->price_index[j], eta);
        double cs = -integral(A, eta, b->price_index[j], a->price_index[j]) / 1000;
        assert_true(fabs(cs) > 1e-4);
        assert_close(f->w->importer_consumer_surplus[j], cs, 1e-8, 1e-12);
    }
    for (int i = 0; i < m->n_exporters; i++) {
        double Pdb = m->producer_price[i];
        /* Q = Qb y (Pd / Pdb)^kappa */
        double qs = m->production[i] * sh->yield[i] / pow(Pdb, sh->kappa[i]);
        double ps = integral(qs, sh->kappa[i], b->producer_price[i], a->producer_price[i]) / 1000;
        assert_close(f->w->producer_surplus[i], ps, 1e-8, 1e-12);
        /* D = Db v (Pd x / Pdb)^eps */
        double ds = m->domestic_use[i] * sh->domestic_shock[i] *
                    pow(sh->exchange_rate[i] / Pdb, sh->eps[i]);
        double dcs = -integral(ds, sh->eps[i], b->producer_price[i], a->producer_price[i]) / 1000;
        assert_close(f->w->domestic_consumer_surplus[i], dcs, 1e-8, 1e-12);
        assert_true(fabs(ps) > 1e-4);
    }
}

static double sum_of_terms(const welfare_t *w)
{
    double s = 0;
    for (int j = 0; j < w->n_importers; j++)
        s += w->importer_consumer_surplus[j] + w->tariff_revenue[j] + w->transfer[j];
    for (int i = 0; i < w->n_exporters; i++)
        s += w->producer_surplus[i] + w->domestic_consumer_surplus[i] + w->export_tax_revenue[i];
    return s;
}

static void test_terms_match_integrals_of_the_curves(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    for (int i = 0; i < 5; i++)
        s->kappa[i] = 0.085 + 0.05 * i;
    wfix_t f;
    wfix_init(&f, s);
    f.base.sh->yield[1] = 0.93;
    f.base.sh->demand_shock[0] = 1.037;
    f.base.sh->domestic_shock[2] = 1.021;
    f.base.sh->exchange_rate[1] = 1.13;
    f.base.sh->eta[2] = -0.815;
    wsolve(&f, f.base.sol);
    f.base.pol->tariff[0] = 0.28;
    f.base.pol->tariff[5] = 0.065;
    wsolve(&f, f.after);
    welfare_compute(f.base.m, f.base.sh, f.base.sol, f.after, f.w);
    check_terms_against_integrals(&f);
    assert_close(f.w->world_total, sum_of_terms(f.w), 1e-12, 1e-15);
    /* revenue terms are the changes of the solutions' own revenues */
    double tr = 0;
    for (int i = 0; i < 5; i++)
        tr += f.after->tariff_revenue[i * 3] - f.base.sol->tariff_revenue[i * 3];
    assert_close(f.w->tariff_revenue[0], tr, 1e-12, 0);
    assert_close(f.w->export_tax_revenue[2],
                 f.after->export_tax_revenue[2] - f.base.sol->export_tax_revenue[2], 1e-12, 0);
    wfix_free(&f);
}

/* The log cases eta = -1 and eps = -1 against the integrals, and continuous with
 * elasticities 1e-7 away. */
static void test_unit_elasticity_log_cases(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    s->kappa[1] = 0.35;
    wfix_t f;
    wfix_init(&f, s);
    for (int j = 0; j < 3; j++)
        f.base.sh->eta[j] = -1.0;
    for (int i = 0; i < 5; i++)
        f.base.sh->eps[i] = -1.0;
    wsolve(&f, f.base.sol);
    f.base.pol->tariff[0] = 0.33;
    wsolve(&f, f.after);
    welfare_compute(f.base.m, f.base.sh, f.base.sol, f.after, f.w);
    check_terms_against_integrals(&f);
    double cs0 = f.w->importer_consumer_surplus[0], dcs1 = f.w->domestic_consumer_surplus[1];
    f.base.sh->eta[0] = -1.0 + 1e-7;
    f.base.sh->eps[1] = -1.0 - 1e-7;
    f.base.pol->tariff[0] = 0.03;
    wsolve(&f, f.base.sol);
    f.base.pol->tariff[0] = 0.33;
    wsolve(&f, f.after);
    welfare_compute(f.base.m, f.base.sh, f.base.sol, f.after, f.w);
    assert_close(f.w->importer_consumer_surplus[0], cs0, 1e-6, 0);
    assert_close(f.w->domestic_consumer_surplus[1], dcs1, 1e-6, 0);
    assert_true(f.w->importer_consumer_surplus[0] != cs0);
    wfix_free(&f);
}

/* From an undistorted market (no tariffs, no export tax) a small tariff dt moves each
 * term by O(dt) but the world total only by O(dt^2): doubling dt quadruples it. */
static void test_small_tariff_world_total_is_second_order(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    for (int r = 0; r < 15; r++)
        s->tariff[r] = 0;
    s->export_tax[2] = 0;
    s->kappa[0] = 0.2;
    wfix_t f;
    wfix_init(&f, s);
    wsolve(&f, f.base.sol);
    double world[2], biggest[2];
    const double dt[2] = { 2.5e-4, 5e-4 };
    for (int k = 0; k < 2; k++) {
        f.base.pol->tariff[0] = dt[k];
        wsolve(&f, f.after);
        welfare_compute(f.base.m, f.base.sh, f.base.sol, f.after, f.w);
        world[k] = f.w->world_total;
        biggest[k] = fmax(fabs(f.w->importer_consumer_surplus[0]), fabs(f.w->producer_surplus[0]));
    }
    assert_close(biggest[1] / biggest[0], 2.0, 0.02, 0);   /* first order terms */
    assert_true(world[0] < 0 && world[1] < 0);              /* a deadweight loss */
    assert_close(world[1] / world[0], 4.0, 0.02, 0);        /* second order total */
    assert_true(fabs(world[1]) < 1e-3 * biggest[1]);
    wfix_free(&f);
}

/* Managed trade: the transfer term is the change in w (P + f)(1 + t) X, and identical
 * solutions give exactly zero everywhere. */
static void test_transfers_and_zero_change(void **state)
{
    (void)state;
    wfix_t f;
    wfix_init(&f, fixture_default_spec());
    f.base.pol->tariff[0] = 0.13;
    wsolve(&f, f.base.sol);
    welfare_compute(f.base.m, f.base.sh, f.base.sol, f.base.sol, f.w);
    assert_true(f.w->world_total == 0);
    for (int j = 0; j < 3; j++)
        assert_true(f.w->importer_consumer_surplus[j] == 0 && f.w->transfer[j] == 0);
    for (int i = 0; i < 5; i++)
        assert_true(f.w->producer_surplus[i] == 0 && f.w->domestic_consumer_surplus[i] == 0);
    f.base.pol->floor[0] = 25.0;
    f.base.pol->cap[4] = 5.5;   /* Brazil -> EU quota */
    wsolve(&f, f.after);
    welfare_compute(f.base.m, f.base.sh, f.base.sol, f.after, f.w);
    assert_true(f.after->wedge[0] < 0 && f.after->wedge[4] > 0);
    assert_close(f.w->transfer[0], f.after->transfer[0], 1e-12, 0);
    assert_true(f.w->transfer[0] < 0);
    assert_close(f.w->transfer[1], f.after->transfer[4], 1e-12, 0);
    assert_true(f.w->transfer[1] > 0);
    assert_close(f.w->world_total, sum_of_terms(f.w), 1e-12, 1e-15);
    wfix_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terms_match_integrals_of_the_curves),
        cmocka_unit_test(test_unit_elasticity_log_cases),
        cmocka_unit_test(test_small_tariff_world_total_is_second_order),
        cmocka_unit_test(test_transfers_and_zero_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
