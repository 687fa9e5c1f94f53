/*
 * test_solve.c - the equilibrium solve: the checks at the end of MODEL.md, managed
 * trade, warm starts, hard inputs, failures that must be reported, large markets.
 * Equilibria are judged by fixture_check_equilibrium(), an independent a_ij / pow()
 * implementation of MODEL.md, never by the solver's own residual.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "solve_fixture.h"

static void solve_ok(fix_t *f, const solution_t *start, solution_t *out)
{
    int rc = solve_equilibrium(f->m, f->pol, f->sh, start, f->ws, out);
    if (rc != 0)
        print_error("solve failed: %s\n", solve_status_string(out->status));
    assert_int_equal(rc, 0);
    assert_int_equal(out->status, SOLVE_OK);
}

/* Independent residual and flow check of a converged solve. */
static void assert_equilibrium(const fix_t *f, const solution_t *sol, double flow_tol)
{
    double excess, gap;
    fixture_check_equilibrium(f->m, f->pol, f->sh, sol, &excess, &gap);
    if (!(excess <= 2e-9 && gap <= flow_tol))
        print_error("excess %.3g, flow gap %.3g\n", excess, gap);
    assert_true(excess <= 2e-9);
    assert_true(gap <= flow_tol);
}

static void assert_baseline_reproduced(const fix_t *f)
{
    const market_t *m = f->m;
    int E = m->n_exporters, I = m->n_importers;
    for (int i = 0; i < E; i++) {
        assert_close(f->sol->fob_price[i], m->fob_price[i], 1e-9, 0);
        assert_close(f->sol->production[i], m->production[i], 1e-9, 0);
        assert_close(f->sol->domestic_use[i], m->domestic_use[i], 1e-9, 1e-12);
    }
    for (int r = 0; r < E * I; r++) {
        assert_close(f->sol->flow[r], m->flow[r], 1e-9, 0);
        assert_close(f->sol->landed_price[r], m->landed_price[r], 1e-9, 0);
        assert_true(f->sol->wedge[r] == 0);
    }
    for (int j = 0; j < I; j++) {
        assert_close(f->sol->price_index[j], m->price_index[j], 1e-9, 0);
        assert_close(f->sol->composite_imports[j], m->composite_imports[j], 1e-9, 0);
    }
}

static void test_baseline_reproduces_calibration(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    solve_ok(&f, NULL, f.sol);
    assert_baseline_reproduced(&f);
    assert_true(f.sol->iterations <= 1);
    fix_free(&f);
}

/* Every reported field is consistent with the flows and prices it derives from. */
static void test_solution_fields_are_consistent(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    f.pol->tariff[0] = 0.28;
    f.sh->yield[2] = 0.83;
    solve_ok(&f, NULL, f.sol);
    const solution_t *s = f.sol;
    for (int i = 0; i < 5; i++) {
        double ex = 0;
        for (int j = 0; j < 3; j++)
            ex += s->flow[i * 3 + j];
        assert_close(s->exports[i], ex, 1e-14, 0);
        assert_close(s->producer_price[i], s->fob_price[i] * (1 - f.pol->export_tax[i]), 1e-15, 0);
        assert_close(s->farm_revenue[i], s->producer_price[i] * s->production[i] / 1000, 1e-14, 0);
        assert_close(s->export_tax_revenue[i],
                     f.pol->export_tax[i] * s->fob_price[i] * s->exports[i] / 1000, 1e-14, 0);
        assert_close(s->production[i] - s->domestic_use[i], s->exports[i], 0,
                     1e-9 * f.m->production[i]);
    }
    assert_true(s->export_tax_revenue[2] > 0 && s->export_tax_revenue[0] == 0);
    for (int j = 0; j < 3; j++) {
        double imp = 0, sh = 0;
        for (int i = 0; i < 5; i++) {
            int r = i * 3 + j;
            imp += s->flow[r];
            sh += s->share[r];
            double cif = s->fob_price[i] + f.sh->freight[r];
            assert_close(s->landed_price[r], cif * (1 + f.pol->tariff[r]), 1e-15, 0);
            assert_close(s->tariff_revenue[r], f.pol->tariff[r] * cif * s->flow[r] / 1000, 1e-14, 0);
            assert_true(s->transfer[r] == 0);
        }
        assert_close(s->imports[j], imp, 1e-14, 0);
        assert_close(sh, 1.0, 1e-14, 0);
    }
    assert_true(s->flow[9] == 0 && s->share[9] == 0);   /* Paraguay -> China stays zero */
    assert_equilibrium(&f, s, 1e-12);
    fix_free(&f);
}

/* Prices and freights times k: every price times k, every quantity unchanged. */
static void test_homogeneity_in_prices_and_freights(void **state)
{
    (void)state;
    const double k = 1.7345;
    fix_t a, b;
    fix_init(&a, fixture_default_spec());
    market_spec_t *s = fixture_default_spec();
    for (int i = 0; i < 5; i++) {
        s->fob_price[i] *= k;
        for (int j = 0; j < 3; j++)
            s->freight[i * 3 + j] *= k;
    }
    fix_init(&b, s);
    fix_t *both[2] = { &a, &b };
    for (int n = 0; n < 2; n++) {
        both[n]->pol->tariff[0] = 0.28;
        both[n]->pol->tariff[7] = 0.115;
        both[n]->sh->yield[1] = 0.91;
        both[n]->sh->demand_shock[0] = 1.04;
        both[n]->pol->floor[4] = 7.25;   /* Brazil -> EU, binds */
        solve_ok(both[n], NULL, both[n]->sol);
    }
    assert_true(a.sol->wedge[4] < 0);
    for (int i = 0; i < 5; i++) {
        assert_close(b.sol->fob_price[i], k * a.sol->fob_price[i], 1e-10, 0);
        assert_close(b.sol->production[i], a.sol->production[i], 1e-10, 0);
        assert_close(b.sol->domestic_use[i], a.sol->domestic_use[i], 1e-10, 0);
    }
    for (int r = 0; r < 15; r++) {
        assert_close(b.sol->flow[r], a.sol->flow[r], 1e-10, 1e-14);
        assert_close(b.sol->landed_price[r], k * a.sol->landed_price[r], 1e-10, 0);
        assert_close(b.sol->wedge[r], a.sol->wedge[r], 1e-9, 1e-14);
    }
    for (int j = 0; j < 3; j++)
        assert_close(b.sol->price_index[j], k * a.sol->price_index[j], 1e-10, 0);
    fix_free(&a);
    fix_free(&b);
}

/* Raising t_ij lowers X_ij, lowers P_i relative to every other exporter, and (sigma_j >
 * -eta_j) raises every other exporter's sales to j. */
static void test_raising_a_tariff_diverts_trade(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    solution_t *lo = solution_alloc(f.m);
    const int route = 1 * 3 + 0;   /* Brazil -> China */
    f.pol->tariff[route] = 0.0725;
    solve_ok(&f, NULL, lo);
    f.pol->tariff[route] = 0.1475;
    solve_ok(&f, lo, f.sol);
    assert_true(f.sh->sigma[0] > -f.sh->eta[0]);
    assert_true(f.sol->flow[route] < lo->flow[route]);
    for (int i = 0; i < 5; i++) {
        if (i == 1)
            continue;
        assert_true(f.sol->fob_price[1] / f.sol->fob_price[i] < lo->fob_price[1] / lo->fob_price[i]);
        if (f.m->flow[i * 3] > 0)
            assert_true(f.sol->flow[i * 3] > lo->flow[i * 3]);
    }
    solution_free(lo);
    fix_free(&f);
}

/* One importer, two exporters, kappa = 0 and eps = 0: exports X_i = Qb_i y_i - Db_i are
 * fixed, so only prices adjust. From X_i = Mb s_i r_i^-sigma Pi^(sigma+eta) u:
 *   r_i = (X_i / (Mb s_i u))^(-1/sigma) Pi^((sigma+eta)/sigma),
 * and the price index Pi^(1-sigma) = sum_i v_i r_i^(1-sigma) then gives
 *   Pi^(-(1-sigma) eta / sigma) = K := sum_i v_i (X_i / (Mb s_i u))^((sigma-1)/sigma),
 *   Pi = K^(sigma / ((sigma-1) eta)),
 * and P_i = r_i pb_i / (1 + t_i) - f_i, with pb_i the baseline landed price. */
static void test_one_importer_two_exporters_closed_form(void **state)
{
    (void)state;
    market_spec_t *s = market_spec_alloc(2, 1);
    const double Xb[2] = { 31.7, 12.45 }, Pb[2] = { 402.5, 391.0 }, fr[2] = { 41.5, 36.25 };
    const double tb[2] = { 0.03, 0.0 }, sg = 4.35, eta = -0.62;
    for (int i = 0; i < 2; i++) {
        s->production[i] = Xb[i] + 20.5 + 7 * i;
        s->domestic_use[i] = 20.5 + 7 * i;
        s->fob_price[i] = Pb[i];
        s->flow[i] = Xb[i];
        s->freight[i] = fr[i];
        s->tariff[i] = tb[i];
        s->eps[i] = 0;
    }
    s->sigma[0] = sg;
    s->eta[0] = eta;
    fix_t f;
    fix_init(&f, s);
    const double y[2] = { 0.935, 1.085 }, t[2] = { 0.2173, 0.0 }, u = 1.045;
    for (int i = 0; i < 2; i++) {
        f.sh->yield[i] = y[i];
        f.pol->tariff[i] = t[i];
    }
    f.sh->demand_shock[0] = u;
    solve_ok(&f, NULL, f.sol);

    double Mb = Xb[0] + Xb[1], pb[2], X[2], K = 0;
    for (int i = 0; i < 2; i++)
        pb[i] = (Pb[i] + fr[i]) * (1 + tb[i]);
    double PMb = (Xb[0] * pb[0] + Xb[1] * pb[1]) / Mb;
    for (int i = 0; i < 2; i++) {
        X[i] = s->production[i] * y[i] - s->domestic_use[i];
        double si = Xb[i] / Mb, vi = si * pb[i] / PMb;
        K += vi * pow(X[i] / (Mb * si * u), (sg - 1) / sg);
    }
    double Pi = pow(K, sg / ((sg - 1) * eta));
    for (int i = 0; i < 2; i++) {
        double ri = pow(X[i] / (Mb * Xb[i] / Mb * u), -1 / sg) * pow(Pi, (sg + eta) / sg);
        double P = ri * pb[i] / (1 + t[i]) - fr[i];
        /* the solve stops at |excess| <= 1e-9 Qb; with eps = 0 only import demand
         * (elasticity ~ sigma) absorbs it, so prices are exact to a few 1e-9 */
        assert_close(f.sol->fob_price[i], P, 1e-8, 0);
        assert_close(f.sol->flow[i], X[i], 2e-9, 0);
    }
    assert_close(f.sol->price_index[0], Pi * PMb, 1e-8, 0);
    assert_close(f.sol->composite_imports[0], Mb * pow(Pi, eta) * u, 1e-8, 0);
    fix_free(&f);
}

/* As sigma grows the tariffed origin's share tends to 0; as sigma -> 0 shares stay at
 * their baseline values whatever the tariff. */
static void test_sigma_limits_switching_and_fixed_shares(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    f.pol->tariff[0] = 0.45;   /* US -> China */
    const double sigmas[4] = { 3.0, 9.5, 24.0, 50.0 };
    double prev = 1;
    for (int k = 0; k < 4; k++) {
        for (int j = 0; j < 3; j++)
            f.sh->sigma[j] = sigmas[k];
        solve_ok(&f, NULL, f.sol);
        assert_equilibrium(&f, f.sol, 1e-9);
        assert_true(f.sol->share[0] < prev);
        prev = f.sol->share[0];
    }
    assert_true(prev < 1e-3);

    f.sh->sigma[0] = 1e-7;
    f.pol->tariff[0] = 0.9;
    f.pol->tariff[3] = 0.35;
    solve_ok(&f, NULL, f.sol);
    for (int i = 0; i < 5; i++)
        assert_close(f.sol->share[i * 3], f.m->base_share[i * 3], 2e-6, 1e-15);
    fix_free(&f);
}

/* sigma = 1 is the Cobb-Douglas limit: continuous with sigma = 1 -/+ 1e-6, and the
 * solves on either side of the switch to the cancellation-free branch agree with the
 * independent pow() implementation. */
static void test_sigma_one_is_the_continuous_cobb_douglas_limit(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    f.pol->tariff[0] = 0.28;
    f.sh->yield[1] = 0.94;
    solution_t *at[3];
    const double sg[3] = { 1 - 1e-6, 1.0, 1 + 1e-6 };
    for (int k = 0; k < 3; k++) {
        at[k] = solution_alloc(f.m);
        f.sh->sigma[0] = sg[k];
        solve_ok(&f, NULL, at[k]);
    }
    for (int i = 0; i < 5; i++) {
        assert_close(at[0]->fob_price[i], at[1]->fob_price[i], 1e-6, 0);
        assert_close(at[2]->fob_price[i], at[1]->fob_price[i], 1e-6, 0);
        assert_true(at[0]->fob_price[i] != at[2]->fob_price[i]);
    }
    for (int r = 0; r < 15; r++)
        assert_close(at[0]->flow[r], at[1]->flow[r], 1e-5, 1e-12);
    /* Cobb-Douglas: PM/PMb = exp(sum_i v_i ln r_i) exactly */
    double lnpi = 0;
    for (int i = 0; i < 5; i++)
        lnpi += f.m->base_value_share[i * 3] *
                log(at[1]->landed_price[i * 3] / f.m->landed_price[i * 3] + (f.m->flow[i * 3] == 0));
    assert_close(at[1]->price_index[0], f.m->price_index[0] * exp(lnpi), 1e-12, 0);
    const double band[2] = { 1 + 4e-4, 1 + 3e-3 };
    for (int k = 0; k < 2; k++) {
        f.sh->sigma[0] = band[k];
        solve_ok(&f, NULL, f.sol);
        assert_equilibrium(&f, f.sol, 1e-8);
    }
    for (int k = 0; k < 3; k++)
        solution_free(at[k]);
    fix_free(&f);
}

static void test_binding_floor_holds_with_equality_and_a_negative_wedge(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    f.pol->tariff[0] = 0.13;
    f.pol->floor[0] = 25.0;
    f.sh->compliance = 0.92;   /* floor 23 Mt; the unbounded flow is below it */
    solve_ok(&f, NULL, f.sol);
    assert_close(f.sol->flow[0], 23.0, 1e-9, 0);
    assert_true(f.sol->wedge[0] < 0);
    double cif = f.sol->fob_price[0] + f.sh->freight[0];
    assert_close(f.sol->landed_price[0], cif * 1.13 * (1 + f.sol->wedge[0]), 1e-15, 0);
    assert_close(f.sol->transfer[0], f.sol->wedge[0] * cif * 1.13 * 23.0 / 1000, 1e-9, 0);
    assert_true(f.sol->transfer[0] < 0);
    for (int r = 1; r < 15; r++)
        assert_true(f.sol->wedge[r] == 0 && f.sol->transfer[r] == 0);
    assert_equilibrium(&f, f.sol, 1e-9);
    fix_free(&f);
}

static void test_slack_floor_leaves_the_unbounded_solve_unchanged(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    solution_t *free_sol = solution_alloc(f.m);
    f.pol->tariff[0] = 0.13;
    solve_ok(&f, NULL, free_sol);
    f.pol->floor[0] = 12.5;    /* below the unbounded flow */
    f.pol->floor[4] = 3.25;    /* Brazil -> EU, also slack */
    /* Cold, the floor is violated at baseline prices and activated on the way, then
     * dropped when its wedge turns positive: the same equilibrium to solver tolerance. */
    solve_ok(&f, NULL, f.sol);
    for (int i = 0; i < 5; i++)
        assert_close(f.sol->fob_price[i], free_sol->fob_price[i], 1e-9, 0);
    for (int r = 0; r < 15; r++) {
        assert_close(f.sol->flow[r], free_sol->flow[r], 1e-9, 1e-15);
        assert_true(f.sol->wedge[r] == 0 && f.sol->transfer[r] == 0);
    }
    /* From the unbounded answer nothing moves: bit for bit the same solution. */
    solve_ok(&f, free_sol, f.sol);
    assert_int_equal(f.sol->iterations, 0);
    for (int i = 0; i < 5; i++)
        assert_true(f.sol->fob_price[i] == free_sol->fob_price[i]);
    for (int r = 0; r < 15; r++)
        assert_true(f.sol->flow[r] == free_sol->flow[r] && f.sol->wedge[r] == 0);
    solution_free(free_sol);
    fix_free(&f);
}

/* A cap of 0 zeroes the flow and prices as if the route were not in the CES sum; a tiny
 * positive cap (a binding quota with a huge wedge) converges to the same prices. */
static void test_cap_of_zero_removes_the_route(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    solution_t *tiny = solution_alloc(f.m);
    f.pol->tariff[0] = 0.13;
    f.pol->cap[0] = 0;
    solve_ok(&f, NULL, f.sol);
    assert_true(f.sol->flow[0] == 0 && f.sol->wedge[0] == 0 && f.sol->transfer[0] == 0);
    assert_equilibrium(&f, f.sol, 1e-9);
    f.pol->cap[0] = 1e-7;
    solve_ok(&f, NULL, tiny);
    assert_close(tiny->flow[0], 1e-7, 1e-9, 0);
    assert_true(tiny->wedge[0] > 1);
    for (int i = 0; i < 5; i++)
        assert_close(tiny->fob_price[i], f.sol->fob_price[i], 1e-6, 0);
    solution_free(tiny);
    fix_free(&f);
}

static void test_binding_cap_holds_with_equality_and_a_positive_wedge(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    f.pol->cap[3] = 61.5;      /* Brazil -> China quota, 76.8 Mt unbounded */
    f.pol->floor[3] = 20.0;    /* and a slack floor on the same route */
    solve_ok(&f, NULL, f.sol);
    assert_close(f.sol->flow[3], 61.5, 1e-9, 0);
    assert_true(f.sol->wedge[3] > 0);
    assert_true(f.sol->transfer[3] > 0);
    assert_equilibrium(&f, f.sol, 1e-9);
    /* a cap above the flow does nothing */
    solution_t *c = solution_alloc(f.m);
    f.pol->cap[3] = 90.0;
    solve_ok(&f, NULL, c);
    assert_close(c->flow[3], 76.8, 1e-9, 0);
    assert_true(c->wedge[3] == 0);
    solution_free(c);
    fix_free(&f);
}

static void test_warm_start_gives_the_cold_answer(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    solution_t *ref = solution_alloc(f.m), *cold = solution_alloc(f.m);
    f.sh->yield[0] = 0.87;
    f.sh->demand_shock[0] = 1.06;
    f.pol->floor[0] = 30.0;    /* binds in the reference too */
    solve_ok(&f, NULL, ref);
    assert_true(ref->wedge[0] < 0);
    f.pol->tariff[0] = 0.28;
    f.pol->cap[7] = 0;
    solve_ok(&f, NULL, cold);
    solve_ok(&f, ref, f.sol);
    for (int i = 0; i < 5; i++)
        assert_close(f.sol->fob_price[i], cold->fob_price[i], 1e-9, 0);
    for (int r = 0; r < 15; r++) {
        assert_close(f.sol->flow[r], cold->flow[r], 1e-9, 1e-12);
        assert_close(f.sol->wedge[r], cold->wedge[r], 1e-8, 1e-12);
    }
    /* start may alias the output */
    solution_copy_into(f.sol, ref);
    solve_ok(&f, f.sol, f.sol);
    for (int i = 0; i < 5; i++)
        assert_close(f.sol->fob_price[i], cold->fob_price[i], 1e-9, 0);
    /* an equilibrium is a fixed point: restarting from it takes no Newton step */
    solve_ok(&f, cold, f.sol);
    assert_int_equal(f.sol->iterations, 0);
    for (int r = 0; r < 15; r++)
        assert_true(f.sol->flow[r] == cold->flow[r] && f.sol->wedge[r] == cold->wedge[r]);
    solution_free(ref);
    solution_free(cold);
    fix_free(&f);
}

/* Hard inputs converge to a verified equilibrium or report failure; never a silent wrong
 * answer. */
static void check_hard(fix_t *f)
{
    int rc = solve_equilibrium(f->m, f->pol, f->sh, NULL, f->ws, f->sol);
    if (rc == 0) {
        assert_int_equal(f->sol->status, SOLVE_OK);
        assert_equilibrium(f, f->sol, 1e-8);
    } else {
        assert_int_equal(rc, (int)f->sol->status);
        assert_true(f->sol->status != SOLVE_OK);
    }
}

static void test_hard_inputs_converge_or_fail_loudly(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    int converged = 0;
    for (int k = 0; k < 6; k++) {
        shocks_reset_baseline(f.sh, f.m);
        policy_t *b = policy_alloc_baseline(f.m);
        policy_copy_into(f.pol, b);
        policy_free(b);
        switch (k) {
        case 0:
            for (int j = 0; j < 3; j++)
                f.sh->sigma[j] = 50;
            f.pol->tariff[0] = 0.25;
            break;
        case 1: f.pol->tariff[0] = 5.0; f.pol->tariff[3] = 5.0; break;
        case 2: for (int i = 0; i < 5; i++) f.sh->yield[i] = 0.3; break;
        case 3: for (int i = 0; i < 5; i++) f.sh->yield[i] = 1.7; break;
        case 4: f.sh->yield[0] = 0.3; f.sh->yield[1] = 1.7; f.pol->tariff[0] = 5.0; break;
        default:
            for (int j = 0; j < 3; j++)
                f.sh->sigma[j] = 50;
            for (int i = 0; i < 5; i++)
                f.sh->yield[i] = i % 2 ? 0.3 : 1.7;
            break;
        }
        check_hard(&f);
        converged += f.sol->status == SOLVE_OK;
    }
    assert_int_equal(converged, 6);
    fix_free(&f);
}

static void test_exporter_with_near_zero_exports(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    /* Paraguay exports 2e-7 Mt in all */
    s->flow[10] = 1e-7;
    s->flow[11] = 1e-7;
    s->domestic_use[3] = s->production[3] - 2e-7;
    fix_t f;
    fix_init(&f, s);
    solve_ok(&f, NULL, f.sol);
    assert_baseline_reproduced(&f);
    f.pol->tariff[0] = 0.28;
    f.sh->yield[3] = 0.95;
    check_hard(&f);
    f.sh->eps[3] = 0;   /* Paraguay's exports must absorb a 5 % crop loss: impossible */
    int rc = solve_equilibrium(f.m, f.pol, f.sh, NULL, f.ws, f.sol);
    assert_true(rc != 0);
    assert_true(f.sol->status != SOLVE_OK);
    fix_free(&f);
}

static void test_bad_inputs_are_reported(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    const int n_cases = 10;
    for (int k = 0; k < n_cases; k++) {
        shocks_reset_baseline(f.sh, f.m);
        policy_t *b = policy_alloc_baseline(f.m);
        policy_copy_into(f.pol, b);
        policy_free(b);
        switch (k) {
        case 0: f.sh->sigma[1] = 0; break;
        case 1: f.sh->sigma[2] = -3.5; break;
        case 2: f.sh->eta[0] = 0.2; break;
        case 3: f.sh->yield[2] = NAN; break;
        case 4: f.pol->floor[9] = 2.5; break;                       /* zero-baseline route */
        case 5: f.pol->floor[0] = 12.5; f.pol->cap[0] = 10.0; break; /* floor above cap */
        case 6: f.pol->tariff[4] = -0.2; break;
        case 7: f.sh->compliance = 1.25; break;
        case 8: f.sh->sigma[0] = 1.0; f.pol->cap[3] = 0; break;      /* CD loses an origin */
        default: f.sh->sigma[0] = 1 - 2e-4; f.pol->cap[3] = 0; break; /* nearly CD */
        }
        f.sol->status = SOLVE_OK;
        int rc = solve_equilibrium(f.m, f.pol, f.sh, NULL, f.ws, f.sol);
        assert_int_equal(rc, SOLVE_BAD_INPUT);
        assert_int_equal(f.sol->status, SOLVE_BAD_INPUT);
    }
    assert_non_null(strstr(solve_status_string(SOLVE_BAD_INPUT), "domain"));
    fix_free(&f);
}

/* An exporter that can sell nowhere with fixed production and use: its price is not
 * determined and its market cannot clear. */
static void test_undetermined_price_is_reported(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    f.pol->cap[10] = 0;   /* Paraguay -> EU */
    f.pol->cap[11] = 0;   /* Paraguay -> Other importers */
    f.sh->eps[3] = 0;
    int rc = solve_equilibrium(f.m, f.pol, f.sh, NULL, f.ws, f.sol);
    assert_true(rc != 0);
    assert_int_equal(rc, (int)f.sol->status);
    assert_int_equal(f.sol->status, SOLVE_SINGULAR);
    fix_free(&f);
}

static void test_sixteen_by_sixteen_market(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_grid_spec(16, 16));
    solve_ok(&f, NULL, f.sol);
    assert_baseline_reproduced(&f);
    solution_t *ref = solution_alloc(f.m);
    solution_copy_into(ref, f.sol);
    for (int j = 0; j < 16; j++)
        f.pol->tariff[3 * 16 + j] += 0.31;
    f.pol->floor[5 * 16 + 2] = 6.5;
    f.pol->cap[7 * 16 + 9] = 0.45;
    f.pol->cap[11 * 16 + 4] = 0;
    f.sh->yield[0] = 0.77;
    f.sh->demand_shock[15] = 1.12;
    f.sh->sigma[3] = 1.0;
    solve_ok(&f, ref, f.sol);
    assert_equilibrium(&f, f.sol, 1e-9);
    assert_close(f.sol->flow[5 * 16 + 2], 6.5, 1e-9, 0);
    assert_close(f.sol->flow[7 * 16 + 9], 0.45, 1e-9, 0);
    assert_true(f.sol->flow[11 * 16 + 4] == 0);
    solution_free(ref);
    fix_free(&f);

    fix_init(&f, fixture_grid_spec(MARKET_MAX_REGIONS, 24));
    for (int i = 0; i < MARKET_MAX_REGIONS; i++)
        f.pol->tariff[i * 24] = 0.2 + 0.01 * i;
    solve_ok(&f, NULL, f.sol);
    assert_equilibrium(&f, f.sol, 1e-9);
    fix_free(&f);
}

/* Each thread solves with its own workspace and gets the serial answer. */
static void test_threads_with_own_workspaces_agree_with_serial(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    enum { N = 64 };
    double serial[N], parallel[N];
    for (int k = 0; k < N; k++) {
        f.pol->tariff[0] = 0.01 * k;
        solve_ok(&f, NULL, f.sol);
        serial[k] = f.sol->fob_price[0];
    }
    int failures = 0;
#pragma omp parallel num_threads(2) reduction(+ : failures)
    {
        policy_t *p = policy_alloc_baseline(f.m);
        solve_workspace_t *ws = solve_workspace_alloc(f.m);
        solution_t *s = solution_alloc(f.m);
#pragma omp for
        for (int k = 0; k < N; k++) {
            p->tariff[0] = 0.01 * k;
            failures += solve_equilibrium(f.m, p, f.sh, NULL, ws, s) != 0;
            parallel[k] = s->fob_price[0];
        }
        solution_free(s);
        solve_workspace_free(ws);
        policy_free(p);
    }
    assert_int_equal(failures, 0);
    for (int k = 0; k < N; k++)
        assert_true(parallel[k] == serial[k]);
    fix_free(&f);
}

static double lcg_uniform(unsigned *state)
{
    *state = *state * 1664525u + 1013904223u;
    return (double)(*state >> 8) / 16777216.0;
}

/* Random hard draws (sigma 0.3..30, eta, eps, kappa, yields 0.3..1.7, tariffs up to
 * 300 %, freight, floors, quotas, boycotts): every converged solve is an equilibrium by
 * the independent check, every other one says so; and at least 99 % converge. */
/* A workspace keeps logs from its last solve (keyed by their arguments) and the
 * engine's scenario solve starts from the prices it has just evaluated: reusing one
 * workspace across export taxes, exchange rates and start points must give what a
 * fresh workspace gives (bit for bit from a cold start). */
static void test_reused_workspace_matches_a_fresh_one(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    solve_workspace_t *fresh = solve_workspace_alloc(f.m);
    solution_t *ref = solution_alloc(f.m), *a = solution_alloc(f.m), *b = solution_alloc(f.m);
    assert_true(fresh && ref && a && b);
    static const double tax[3] = { 0.26, 0.185, 0.3125 };
    static const double fx[3] = { 1.0, 1.0735, 0.9182 };
    for (int k = 0; k < 3; k++) {
        f.pol->export_tax[2] = tax[k];
        f.pol->tariff[0] = 0.03;
        f.sh->exchange_rate[1] = fx[k];
        f.sh->yield[0] = 0.9475 + 0.0385 * k;
        f.sh->sigma[0] = 12.35 - 2.7 * k;
        /* reference cold, then the scenario from it, in the reused workspace */
        solve_ok(&f, NULL, ref);
        f.pol->tariff[0] = 0.2845;
        solve_ok(&f, ref, a);
        assert_equilibrium(&f, a, 1e-8);
        /* the same scenario in a fresh workspace, from a copy of the reference */
        solve_workspace_free(fresh);
        fresh = solve_workspace_alloc(f.m);
        assert_int_equal(solve_equilibrium(f.m, f.pol, f.sh, ref, fresh, b), 0);
        /* the reused workspace starts from the reference's own log prices, the fresh
         * one from their logs: the same point to an ulp */
        assert_int_equal(a->iterations, b->iterations);
        for (int i = 0; i < 5; i++) {
            assert_close(a->fob_price[i], b->fob_price[i], 1e-13, 0);
            assert_close(a->domestic_use[i], b->domestic_use[i], 1e-12, 0);
        }
        for (int r = 0; r < 15; r++)
            assert_close(a->flow[r], b->flow[r], 1e-12, 1e-14);
        /* cold from baseline prices after all that: bit for bit */
        assert_int_equal(solve_equilibrium(f.m, f.pol, f.sh, NULL, f.ws, a), 0);
        solve_workspace_free(fresh);
        fresh = solve_workspace_alloc(f.m);
        assert_int_equal(solve_equilibrium(f.m, f.pol, f.sh, NULL, fresh, b), 0);
        for (int i = 0; i < 5; i++)
            assert_true(a->fob_price[i] == b->fob_price[i]);
        for (int r = 0; r < 15; r++)
            assert_true(a->flow[r] == b->flow[r]);
    }
    solution_free(ref);
    solution_free(a);
    solution_free(b);
    solve_workspace_free(fresh);
    fix_free(&f);
}

static void test_random_hard_draws_are_verified_or_reported(void **state)
{
    (void)state;
    fix_t f;
    fix_init(&f, fixture_default_spec());
    policy_t *base = policy_alloc_baseline(f.m);
    unsigned seed = 2385;
    const int draws = 2000;
    int converged = 0;
    for (int n = 0; n < draws; n++) {
        shocks_reset_baseline(f.sh, f.m);
        policy_copy_into(f.pol, base);
        for (int j = 0; j < 3; j++) {
            f.sh->sigma[j] = 0.3 + 30 * lcg_uniform(&seed) * lcg_uniform(&seed);
            f.sh->eta[j] = -0.1 - 1.9 * lcg_uniform(&seed);
            f.sh->demand_shock[j] = 0.7 + 0.6 * lcg_uniform(&seed);
        }
        for (int i = 0; i < 5; i++) {
            f.sh->eps[i] = -2 * lcg_uniform(&seed);
            f.sh->kappa[i] = lcg_uniform(&seed) < 0.5 ? 0 : 1.2 * lcg_uniform(&seed);
            f.sh->yield[i] = 0.3 + 1.4 * lcg_uniform(&seed);
        }
        for (int r = 0; r < 15; r++) {
            if (lcg_uniform(&seed) < 0.3)
                f.pol->tariff[r] = 3 * lcg_uniform(&seed) * lcg_uniform(&seed);
            f.sh->freight[r] *= 0.5 + lcg_uniform(&seed);
            double q = lcg_uniform(&seed);
            if (q < 0.04)
                f.pol->cap[r] = 0;
            else if (q < 0.1)
                f.pol->cap[r] = f.m->flow[r] * 1.5 * lcg_uniform(&seed);
            else if (q < 0.16 && f.m->flow[r] > 0)
                f.pol->floor[r] = f.m->flow[r] * 1.5 * lcg_uniform(&seed);
        }
        f.sh->compliance = lcg_uniform(&seed);
        int rc = solve_equilibrium(f.m, f.pol, f.sh, NULL, f.ws, f.sol);
        assert_int_equal(rc, (int)f.sol->status);
        if (rc == 0) {
            assert_equilibrium(&f, f.sol, 1e-7);
            converged++;
        }
    }
    if (converged < draws)
        print_message("%d of %d draws converged, the rest reported failure\n", converged, draws);
    assert_true(converged >= draws * 99 / 100);
    policy_free(base);
    fix_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_reproduces_calibration),
        cmocka_unit_test(test_solution_fields_are_consistent),
        cmocka_unit_test(test_homogeneity_in_prices_and_freights),
        cmocka_unit_test(test_raising_a_tariff_diverts_trade),
        cmocka_unit_test(test_one_importer_two_exporters_closed_form),
        cmocka_unit_test(test_sigma_limits_switching_and_fixed_shares),
        cmocka_unit_test(test_sigma_one_is_the_continuous_cobb_douglas_limit),
        cmocka_unit_test(test_binding_floor_holds_with_equality_and_a_negative_wedge),
        cmocka_unit_test(test_slack_floor_leaves_the_unbounded_solve_unchanged),
        cmocka_unit_test(test_cap_of_zero_removes_the_route),
        cmocka_unit_test(test_binding_cap_holds_with_equality_and_a_positive_wedge),
        cmocka_unit_test(test_warm_start_gives_the_cold_answer),
        cmocka_unit_test(test_reused_workspace_matches_a_fresh_one),
        cmocka_unit_test(test_hard_inputs_converge_or_fail_loudly),
        cmocka_unit_test(test_random_hard_draws_are_verified_or_reported),
        cmocka_unit_test(test_exporter_with_near_zero_exports),
        cmocka_unit_test(test_bad_inputs_are_reported),
        cmocka_unit_test(test_undetermined_price_is_reported),
        cmocka_unit_test(test_sixteen_by_sixteen_market),
        cmocka_unit_test(test_threads_with_own_workspaces_agree_with_serial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
