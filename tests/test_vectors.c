/*
 * test_vectors.c - the solver against tests/data/model-vectors.json: deterministic solves
 * of MODEL.md on the default 2024/25 market computed by an independent implementation.
 * The market is built from the JSON itself (its baseline domestic_use is Q - exports).
 */
#include "testutil.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"
#include "policy.h"
#include "solve.h"

#define VECTORS_PATH "tests/data/model-vectors.json"

typedef struct {
    json_object *root;
    market_t *market;
    policy_t *baseline_policy;
    shocks_t *baseline_shocks;
} vectors_t;

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v)) {
        print_error("missing key '%s' in %s\n", key, VECTORS_PATH);
        fail();
    }
    return v;
}

static double num(json_object *a, size_t k)
{
    return json_object_get_double(json_object_array_get_idx(a, k));
}

static double num2(json_object *a, size_t i, size_t j)
{
    return num(json_object_array_get_idx(a, i), j);
}

static int vectors_setup(void **state)
{
    vectors_t *v = calloc(1, sizeof *v);
    v->root = json_object_from_file(VECTORS_PATH);
    assert_non_null(v->root);
    json_object *ex = get(v->root, "exporters"), *im = get(v->root, "importers");
    json_object *base = get(v->root, "baseline"), *el = get(v->root, "elasticities");
    int E = (int)json_object_array_length(ex), I = (int)json_object_array_length(im);
    market_spec_t *s = market_spec_alloc(E, I);
    for (int i = 0; i < E; i++) {
        snprintf(s->exporter_name[i], MARKET_NAME_MAX, "%s",
                 json_object_get_string(json_object_array_get_idx(ex, (size_t)i)));
        s->production[i] = num(get(base, "production"), (size_t)i);
        s->domestic_use[i] = num(get(base, "domestic_use"), (size_t)i);
        s->fob_price[i] = num(get(base, "fob_price"), (size_t)i);
        s->export_tax[i] = num(get(base, "export_tax"), (size_t)i);
        s->eps[i] = num(get(el, "eps"), (size_t)i);
        s->kappa[i] = num(get(el, "kappa"), (size_t)i);
        for (int j = 0; j < I; j++) {
            s->flow[i * I + j] = num2(get(base, "flow"), (size_t)i, (size_t)j);
            s->freight[i * I + j] = num2(get(base, "freight"), (size_t)i, (size_t)j);
            s->tariff[i * I + j] = num2(get(base, "tariff"), (size_t)i, (size_t)j);
        }
    }
    for (int j = 0; j < I; j++) {
        snprintf(s->importer_name[j], MARKET_NAME_MAX, "%s",
                 json_object_get_string(json_object_array_get_idx(im, (size_t)j)));
        s->sigma[j] = num(get(el, "sigma"), (size_t)j);
        s->eta[j] = num(get(el, "eta"), (size_t)j);
    }
    char err[256];
    v->market = market_calibrate(s, err, sizeof err);
    market_spec_free(s);
    if (!v->market)
        print_error("calibration failed: %s\n", err);
    assert_non_null(v->market);
    v->baseline_policy = policy_alloc_baseline(v->market);
    v->baseline_shocks = shocks_alloc_baseline(v->market);
    *state = v;
    return 0;
}

static int vectors_teardown(void **state)
{
    vectors_t *v = *state;
    policy_free(v->baseline_policy);
    shocks_free(v->baseline_shocks);
    market_free(v->market);
    json_object_put(v->root);
    free(v);
    return 0;
}

/* Applies one case's tariffs, floor, cap, yields and demand shocks. */
static void vectors_apply_case(const vectors_t *v, json_object *c, policy_t *pol,
                               shocks_t *sh)
{
    const market_t *m = v->market;
    int E = m->n_exporters, I = m->n_importers;
    for (int i = 0; i < E; i++) {
        sh->yield[i] = num(get(c, "yield"), (size_t)i);
        for (int j = 0; j < I; j++)
            pol->tariff[i * I + j] = num2(get(c, "tariff"), (size_t)i, (size_t)j);
    }
    for (int j = 0; j < I; j++)
        sh->demand_shock[j] = num(get(c, "demand_shock"), (size_t)j);
    json_object *b;
    if (json_object_object_get_ex(c, "floor", &b) || json_object_object_get_ex(c, "cap", &b)) {
        int i = market_exporter_index(m, json_object_get_string(get(b, "from")));
        int j = market_importer_index(m, json_object_get_string(get(b, "to")));
        assert_true(i >= 0 && j >= 0);
        double mt = json_object_get_double(get(b, "Mt"));
        if (json_object_object_get_ex(c, "floor", NULL))
            pol->floor[i * I + j] = mt;
        else
            pol->cap[i * I + j] = mt;
    }
}

static void vectors_match_solution(const market_t *m, json_object *exp_,
                                   const solution_t *sol, int bounded_route)
{
    int E = m->n_exporters, I = m->n_importers;
    json_object *o;
    for (int i = 0; i < E; i++) {
        assert_close(sol->fob_price[i], num(get(exp_, "fob_price"), (size_t)i), 1e-6, 0);
        for (int j = 0; j < I; j++)
            assert_close(sol->flow[i * I + j], num2(get(exp_, "flow"), (size_t)i, (size_t)j),
                         1e-6, 1e-12);
    }
    if (json_object_object_get_ex(exp_, "price_index", &o))
        for (int j = 0; j < I; j++)
            assert_close(sol->price_index[j], num(o, (size_t)j), 1e-6, 0);
    if (json_object_object_get_ex(exp_, "composite_imports", &o))
        for (int j = 0; j < I; j++)
            assert_close(sol->composite_imports[j], num(o, (size_t)j), 1e-6, 0);
    if (json_object_object_get_ex(exp_, "wedge", &o)) {
        assert_true(bounded_route >= 0);
        assert_close(sol->wedge[bounded_route], json_object_get_double(o), 1e-6, 0);
    }
}

static void vectors_match_welfare(const market_t *m, json_object *wexp, const welfare_t *w)
{
    int E = m->n_exporters, I = m->n_importers;
    for (int j = 0; j < I; j++) {
        assert_close(w->importer_consumer_surplus[j],
                     num(get(wexp, "importer_consumer_surplus"), (size_t)j), 0, 1e-6);
        assert_close(w->tariff_revenue[j], num(get(wexp, "tariff_revenue"), (size_t)j), 0,
                     1e-6);
    }
    for (int i = 0; i < E; i++) {
        assert_close(w->producer_surplus[i], num(get(wexp, "producer_surplus"), (size_t)i), 0,
                     1e-6);
        assert_close(w->domestic_consumer_surplus[i],
                     num(get(wexp, "domestic_consumer_surplus"), (size_t)i), 0, 1e-6);
        assert_close(w->export_tax_revenue[i],
                     num(get(wexp, "export_tax_revenue"), (size_t)i), 0, 1e-6);
    }
    assert_close(w->world_total, json_object_get_double(get(wexp, "world_total")), 0, 1e-6);
}

/* Every case, cold and warm-started from the baseline solve, against the vectors. */
static void test_every_vector_case_matches_prices_flows_wedges_and_welfare(void **state)
{
    vectors_t *v = *state;
    const market_t *m = v->market;
    json_object *cases = get(v->root, "cases");
    size_t n = json_object_array_length(cases);
    assert_true(n >= 5);
    solve_workspace_t *ws = solve_workspace_alloc(m);
    solution_t *base = solution_alloc(m), *cold = solution_alloc(m), *warm = solution_alloc(m);
    welfare_t *w = welfare_alloc(m);
    assert_int_equal(solve_equilibrium(m, v->baseline_policy, v->baseline_shocks, NULL, ws,
                                       base), 0);
    int welfare_cases = 0;
    for (size_t k = 0; k < n; k++) {
        json_object *c = json_object_array_get_idx(cases, k);
        policy_t *pol = policy_copy(v->baseline_policy);
        shocks_t *sh = shocks_alloc_baseline(m);
        vectors_apply_case(v, c, pol, sh);
        int bounded = -1;
        for (int r = 0; r < m->n_exporters * m->n_importers; r++)
            if (pol->floor[r] > 0 || isfinite(pol->cap[r]))
                bounded = r;
        int rc = solve_equilibrium(m, pol, sh, NULL, ws, cold);
        if (rc != 0)
            print_error("case '%s': %s\n", json_object_get_string(get(c, "name")),
                        solve_status_string(cold->status));
        assert_int_equal(rc, 0);
        vectors_match_solution(m, get(c, "expected"), cold, bounded);
        assert_int_equal(solve_equilibrium(m, pol, sh, base, ws, warm), 0);
        vectors_match_solution(m, get(c, "expected"), warm, bounded);

        json_object *wexp;
        if (json_object_object_get_ex(get(c, "expected"), "welfare_vs_baseline", &wexp)) {
            /* "vs baseline": the same draw (this case's shocks) under the baseline policy. */
            solution_t *ref = solution_alloc(m);
            assert_int_equal(solve_equilibrium(m, v->baseline_policy, sh, NULL, ws, ref), 0);
            welfare_compute(m, sh, ref, cold, w);
            vectors_match_welfare(m, wexp, w);
            solution_free(ref);
            welfare_cases++;
        }
        policy_free(pol);
        shocks_free(sh);
    }
    assert_true(welfare_cases >= 1);
    welfare_free(w);
    solution_free(base);
    solution_free(cold);
    solution_free(warm);
    solve_workspace_free(ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_vector_case_matches_prices_flows_wedges_and_welfare),
    };
    return cmocka_run_group_tests(tests, vectors_setup, vectors_teardown);
}
