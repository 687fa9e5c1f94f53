/*
 * test_prepare.c - prepare.c: from a validated config (or a sweep point of it) to what
 * the engine runs: calibrated market, sampler, policies, threshold indices.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "config.h"
#include "prepare.h"
#include "attrib.h"
#include "summary.h"

static config_t *load(const char *path)
{
    config_t *cfg;
    config_error_t err;
    if (config_load(path, &cfg, &err))
        print_error("%s\n", err.message);
    assert_non_null(cfg);
    return cfg;
}

static void policies_match(const config_policy_t *c, const policy_t *p)
{
    size_t E = (size_t)p->n_exporters, R = E * (size_t)p->n_importers;
    assert_memory_equal(c->tariff, p->tariff, R * sizeof(double));
    assert_memory_equal(c->export_tax, p->export_tax, E * sizeof(double));
    assert_memory_equal(c->floor, p->floor, R * sizeof(double));
    assert_memory_equal(c->cap, p->cap, R * sizeof(double));
}

/* Policies, regimes and thresholds land where the engine looks for them. */
static void point_holds_policies_and_threshold_indices(void **state)
{
    (void)state;
    config_t *cfg = load("configs/truce-uncertainty.yaml");
    prepared_t prep;
    char err[512];
    assert_int_equal(prepare_point(cfg, &prep, err, sizeof err), 0);
    assert_int_equal(prep.market->n_exporters, cfg->market->n_exporters);
    assert_int_equal(sampler_n_inputs(prep.sampler), cfg->n_inputs);
    policies_match(&cfg->reference, prep.reference);
    policies_match(&cfg->scenario, prep.scenario);
    assert_int_equal(prep.n_regimes, cfg->n_regimes);
    assert_true(cfg->n_regimes > 0);
    for (int r = 0; r < cfg->n_regimes; r++)
        policies_match(&cfg->regimes[r], prep.regimes[r]);
    assert_int_equal(prep.n_thresholds, cfg->n_thresholds);
    for (int t = 0; t < cfg->n_thresholds; t++) {
        const config_threshold_t *th = &cfg->thresholds[t];
        long want = quantity_index(&prep.layout, th->variable,
                                   th->of_change ? FORM_CHANGE : FORM_LEVEL, th->exporter,
                                   th->importer);
        assert_true(want >= 0);
        assert_int_equal(prep.thresholds[t].index, want);
        assert_int_equal(prep.thresholds[t].above, th->op == THRESHOLD_ABOVE);
        assert_true(prep.thresholds[t].value == th->value);
    }
    engine_spec_t spec;
    prepare_engine_spec(cfg, &prep, &spec);
    assert_ptr_equal(spec.market, prep.market);
    assert_ptr_equal(spec.scenario, prep.scenario);
    assert_int_equal(spec.n_regimes, cfg->n_regimes);
    assert_true(spec.seed == cfg->seed && spec.draws == cfg->draws);
    assert_int_equal(spec.mpi_size, 1);
    assert_null(spec.raw);
    prepared_free(&prep);
    config_free(cfg);
}

/* Sweep point p sets every swept key to its value, in C order, on a copy. */
static void sweep_point_sets_the_swept_keys(void **state)
{
    (void)state;
    config_t *cfg = load("configs/tariff-sweep.yaml");
    config_error_t cerr;
    /* (not importers.China.sigma: the sigma_China input replaces it in every draw, and a
     * sweep of it is refused) */
    config_sweep_t extra = {.key = "exporters.US.fob_price", .n_values = 2};
    double prices[2] = {395, 420};
    extra.values = prices;
    assert_int_equal(config_add_sweep(cfg, &extra, &cerr), 0);
    assert_int_equal(cfg->n_sweeps, 2);
    int us = 0, china = 0;   /* the first exporter and importer of default.yaml */
    assert_string_equal(cfg->market->exporter_name[us], "US");
    assert_string_equal(cfg->market->importer_name[china], "China");
    size_t I = (size_t)cfg->market->n_importers;
    char err[512];
    size_t p = 2 * 3 + 1;   /* tariff value 3 (0.3), price value 1 (420) */
    prepared_t prep;
    config_t *pc = prepare_sweep_point(cfg, p, &prep, err, sizeof err);
    assert_non_null(pc);
    assert_close(pc->scenario.tariff[(size_t)us * I + (size_t)china], 0.3, 1e-12, 0);
    assert_true(pc->market->fob_price[us] == 420);
    assert_true(prep.market->fob_price[us] == 420);
    assert_close(prep.scenario->tariff[(size_t)us * I + (size_t)china], 0.3, 1e-12, 0);
    assert_true(cfg->market->fob_price[us] != 420);   /* the base config is untouched */
    prepared_free(&prep);
    config_free(pc);
    config_free(cfg);
}

/* A point whose value breaks a rule fails with a message naming the point; nothing is
 * left to free. */
static void bad_sweep_point_is_reported(void **state)
{
    (void)state;
    config_t *cfg = load("configs/default.yaml");
    config_error_t cerr;
    double v[2] = {400, -1};
    config_sweep_t sw = {.key = "exporters.US.fob_price", .values = v, .n_values = 2};
    assert_int_equal(config_add_sweep(cfg, &sw, &cerr), 0);   /* the first value is fine */
    prepared_t prep;
    char err[512];
    assert_null(prepare_sweep_point(cfg, 1, &prep, err, sizeof err));
    assert_non_null(strstr(err, "sweep point 1"));
    assert_non_null(strstr(err, "exporters.US.fob_price must be > 0 (USD/t) (got -1)"));
    config_free(cfg);   /* prep needs no freeing after a failure */
}

/* Point p of cfg run by the engine (threads, attribution of the first n_attrib values,
 * with or without a scratch kept between calls). */
static point_summary_t *run_point(const config_t *cfg, size_t p, int threads, size_t n_attrib,
                                  const size_t *attrib_index, engine_scratch_t *scratch)
{
    prepared_t prep;
    char err[512];
    config_t *pc = prepare_sweep_point(cfg, p, &prep, err, sizeof err);
    assert_non_null(pc);
    engine_spec_t spec;
    prepare_engine_spec(pc, &prep, &spec);
    spec.threads = threads;
    spec.attrib_index = attrib_index;
    spec.n_attrib = n_attrib;
    spec.scratch = scratch;
    point_summary_t *ps = point_summary_alloc(prep.layout.n_vars, 1 + prep.n_regimes,
                                              prep.n_thresholds);
    assert_non_null(ps);
    if (n_attrib)
        assert_int_equal(point_summary_alloc_attrib(ps, cfg->n_inputs, n_attrib), 0);
    int rc = engine_run_point(&spec, ps, err, sizeof err);
    if (rc != ENGINE_OK)
        print_error("engine: %s\n", err);
    assert_int_equal(rc, ENGINE_OK);
    prepared_free(&prep);
    config_free(pc);
    return ps;
}

/* Every statistic of a point summary, bit for bit. */
static void assert_same_summary(const point_summary_t *a, const point_summary_t *b)
{
    size_t V = a->n_vars, GV = (size_t)a->n_groups * V;
    size_t GT = (size_t)a->n_groups * (size_t)a->n_thresholds;
    assert_memory_equal(a->draws_ok, b->draws_ok, (size_t)a->n_groups * sizeof(uint64_t));
    assert_memory_equal(a->draws_failed, b->draws_failed, (size_t)a->n_groups * sizeof(uint64_t));
    assert_memory_equal(a->mean, b->mean, GV * sizeof(double));
    assert_memory_equal(a->sd, b->sd, GV * sizeof(double));
    assert_memory_equal(a->mcse, b->mcse, GV * sizeof(double));
    assert_memory_equal(a->min, b->min, GV * sizeof(double));
    assert_memory_equal(a->max, b->max, GV * sizeof(double));
    assert_memory_equal(a->quantile, b->quantile, GV * SUMMARY_N_QUANTILES * sizeof(double));
    assert_memory_equal(a->quantile_error, b->quantile_error, V * sizeof(double));
    assert_memory_equal(a->hist, b->hist, V * SUMMARY_HIST_BINS * sizeof(int64_t));
    assert_memory_equal(a->hist_edges, b->hist_edges, V * (SUMMARY_HIST_BINS + 1) * sizeof(double));
    assert_memory_equal(a->hist_under, b->hist_under, V * sizeof(int64_t));
    assert_memory_equal(a->hist_over, b->hist_over, V * sizeof(int64_t));
    assert_memory_equal(a->threshold_prob, b->threshold_prob, GT * sizeof(double));
    assert_int_equal(a->n_attrib, b->n_attrib);
    size_t KA = (size_t)a->n_inputs * a->n_attrib;
    if (KA) {
        assert_memory_equal(a->corr_input, b->corr_input, KA * sizeof(double));
        assert_memory_equal(a->src_input, b->src_input, KA * sizeof(double));
        assert_memory_equal(a->r2, b->r2, a->n_attrib * sizeof(double));
    }
}

/* The engine's buffers kept from point to point of a sweep (engine_scratch_t) give every
 * point bitwise the summary of a run of its own: counts, moments, histograms, threshold
 * hits and attribution start empty at each point, the histograms take each point's
 * pilot ranges, and a change of shape (threads, attribution) allocates again. Regimes
 * and thresholds (truce-uncertainty.yaml), more draws than one chunk. */
static void scratch_between_points_changes_no_bit(void **state)
{
    (void)state;
    config_t *cfg = load("configs/truce-uncertainty.yaml");
    config_error_t cerr;
    double v[3] = {0.0, 0.6, 1.2};   /* far apart: each point has its own ranges */
    config_sweep_t sw = {.key = "scenario.tariffs.US.China", .values = v, .n_values = 3};
    assert_int_equal(config_add_sweep(cfg, &sw, &cerr), 0);
    assert_int_equal(config_set_number(cfg, "run.draws", 9000, &cerr), 0);
    assert_true(cfg->n_regimes > 0 && cfg->n_thresholds > 0 && cfg->n_inputs > 0);
    size_t index[3] = {0, 5, 11};
    engine_scratch_t *scratch = engine_scratch_alloc();
    assert_non_null(scratch);
    struct { size_t point; int threads; size_t n_attrib; } order[] = {
        {0, 2, 3}, {1, 2, 3}, {2, 2, 3}, {0, 2, 3},   /* the same shape, point after point */
        {1, 3, 3}, {2, 3, 0}, {1, 2, 3},              /* each a new shape */
    };
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        point_summary_t *fresh = run_point(cfg, order[k].point, order[k].threads,
                                           order[k].n_attrib, index, NULL);
        point_summary_t *kept = run_point(cfg, order[k].point, order[k].threads,
                                          order[k].n_attrib, index, scratch);
        assert_same_summary(fresh, kept);
        point_summary_free(fresh);
        point_summary_free(kept);
    }
    engine_scratch_free(scratch);
    engine_scratch_free(NULL);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(point_holds_policies_and_threshold_indices),
        cmocka_unit_test(sweep_point_sets_the_swept_keys),
        cmocka_unit_test(bad_sweep_point_is_reported),
        cmocka_unit_test(scratch_between_points_changes_no_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
