/*
 * test_results.c - results.c: a results_t written to HDF5 (results_define,
 * results_write_summary, results_write_metadata) reads back (results_read) to the same
 * summaries bit for bit, for the points present only; what merge and --resume rely on.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "h5out.h"
#include "results.h"

/* Distinct, exactly representable values everywhere (k-th value of array `salt`). */
static double value(int salt, size_t k)
{
    return salt * 1000.0 + (double)k * 0.25 - 7.5;
}

static void fill(point_summary_t *ps, int salt)
{
    size_t V = ps->n_vars, G = (size_t)ps->n_groups, T = (size_t)ps->n_thresholds;
    for (size_t g = 0; g < G; g++) {
        ps->draws_ok[g] = (uint64_t)(1000 * salt + (int)g);
        ps->draws_failed[g] = (uint64_t)(salt + (int)g);
    }
    double *arrays[] = {ps->mean, ps->sd, ps->mcse, ps->min, ps->max};
    for (size_t a = 0; a < 5; a++)
        for (size_t k = 0; k < G * V; k++)
            arrays[a][k] = value(salt + (int)a, k);
    for (size_t k = 0; k < G * V * SUMMARY_N_QUANTILES; k++)
        ps->quantile[k] = value(salt + 10, k);
    for (size_t k = 0; k < V; k++) {
        ps->quantile_error[k] = value(salt + 11, k);
        ps->hist_under[k] = (int64_t)k;
        ps->hist_over[k] = (int64_t)(2 * k + 1);
    }
    for (size_t k = 0; k < V * SUMMARY_HIST_BINS; k++)
        ps->hist[k] = (int64_t)(k % 97);
    for (size_t k = 0; k < V * (SUMMARY_HIST_BINS + 1); k++)
        ps->hist_edges[k] = value(salt + 12, k);
    for (size_t k = 0; k < G * T; k++) {
        ps->threshold_prob[k] = 1.0 / (double)(k + 2);
        ps->threshold_mcse[k] = 1.0 / (double)(k + 3);
    }
}

static void assert_same_summary(const point_summary_t *a, const point_summary_t *b)
{
    size_t V = a->n_vars, G = (size_t)a->n_groups, T = (size_t)a->n_thresholds;
    assert_int_equal(b->n_vars, V);
    assert_int_equal(b->n_groups, a->n_groups);
    assert_int_equal(b->n_thresholds, a->n_thresholds);
    assert_memory_equal(a->draws_ok, b->draws_ok, G * sizeof(uint64_t));
    assert_memory_equal(a->draws_failed, b->draws_failed, G * sizeof(uint64_t));
    assert_memory_equal(a->mean, b->mean, G * V * sizeof(double));
    assert_memory_equal(a->sd, b->sd, G * V * sizeof(double));
    assert_memory_equal(a->mcse, b->mcse, G * V * sizeof(double));
    /* the file keeps min, max and the threshold MCSE of all draws only (no _by_regime
     * forms in the contract of sim/README.md) */
    assert_memory_equal(a->min, b->min, V * sizeof(double));
    assert_memory_equal(a->max, b->max, V * sizeof(double));
    assert_memory_equal(a->quantile, b->quantile, G * V * SUMMARY_N_QUANTILES * sizeof(double));
    assert_memory_equal(a->quantile_error, b->quantile_error, V * sizeof(double));
    assert_memory_equal(a->hist, b->hist, V * SUMMARY_HIST_BINS * sizeof(int64_t));
    assert_memory_equal(a->hist_edges, b->hist_edges,
                        V * (SUMMARY_HIST_BINS + 1) * sizeof(double));
    assert_memory_equal(a->hist_under, b->hist_under, V * sizeof(int64_t));
    assert_memory_equal(a->hist_over, b->hist_over, V * sizeof(int64_t));
    assert_memory_equal(a->threshold_prob, b->threshold_prob, G * T * sizeof(double));
    assert_memory_equal(a->threshold_mcse, b->threshold_mcse, T * sizeof(double));   /* all draws */
}

/* 2 exporters, 1 importer, 2 regimes, 1 threshold, a sweep of 3 points of which this
 * "shard" holds points 0 and 2. */
static results_t *make_results(void)
{
    results_t *r = results_alloc(2, 1, 2, 1, 1, 3);
    assert_non_null(r);
    snprintf(r->exporter_name[0], RESULTS_LABEL_MAX, "US");
    snprintf(r->exporter_name[1], RESULTS_LABEL_MAX, "Brasil");
    snprintf(r->importer_name[0], RESULTS_LABEL_MAX, "China");
    snprintf(r->regime_name[0], RESULTS_LABEL_MAX, "calm");
    snprintf(r->regime_name[1], RESULTS_LABEL_MAX, "escalation");
    snprintf(r->threshold_name[0], RESULTS_LABEL_MAX, "US -> China below 5 Mt");
    snprintf(r->sweep_key[0], sizeof r->sweep_key[0], "scenario.tariffs.US.China");
    for (size_t p = 0; p < 3; p++)
        r->point_values[p] = 0.125 * (double)p;
    for (size_t p = 0; p < 3; p += 2) {
        r->points[p] = point_summary_alloc(r->layout.n_vars, 3, 1);
        assert_non_null(r->points[p]);
        fill(r->points[p], 1 + (int)p);
    }
    return r;
}

static void write_file(const char *path, const results_t *r)
{
    char err[512];
    h5out_t *h = h5out_create(path, err, sizeof err);
    assert_non_null(h);
    results_meta_t meta = {.config_yaml = "run:\n  draws: 5\n", .seed = 7, .draws = 5,
                           .threads = 2, .command_line = "agtrade test", .shard = "0/2"};
    assert_int_equal(results_define(h, r, 0, err, sizeof err), 0);
    assert_int_equal(results_write_summary(h, r, err, sizeof err), 0);
    assert_int_equal(results_write_metadata(h, r, &meta, err, sizeof err), 0);
    assert_int_equal(h5out_commit(h, err, sizeof err), 0);
}

static void written_results_read_back_bit_for_bit(void **state)
{
    (void)state;
    char dir[] = "/tmp/agtrade-test-results-XXXXXX", path[600], err[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.h5", dir);
    results_t *r = make_results();
    write_file(path, r);
    h5in_t *in = h5in_open(path, err, sizeof err);
    assert_non_null(in);
    results_t *back = results_read(in, err, sizeof err);
    if (!back)
        print_error("results_read: %s\n", err);
    assert_non_null(back);
    assert_int_equal(back->n_exporters, 2);
    assert_int_equal(back->n_importers, 1);
    assert_int_equal(back->n_regimes, 2);
    assert_int_equal(back->n_thresholds, 1);
    assert_int_equal(back->n_sweeps, 1);
    assert_int_equal(back->n_points, 3);
    assert_int_equal(results_count_present(back), 2);
    assert_string_equal(back->exporter_name[1], "Brasil");
    assert_string_equal(back->regime_name[1], "escalation");
    assert_string_equal(back->threshold_name[0], "US -> China below 5 Mt");
    assert_string_equal(back->sweep_key[0], "scenario.tariffs.US.China");
    assert_null(back->points[1]);   /* not in this file */
    for (size_t p = 0; p < 3; p += 2) {
        assert_non_null(back->points[p]);
        assert_true(back->point_values[p] == r->point_values[p]);
        assert_same_summary(r->points[p], back->points[p]);
    }
    uint64_t seed = 0;
    assert_int_equal(h5in_attr_uint64(in, "/", "seed", &seed, err, sizeof err), 0);
    assert_true(seed == 7);
    results_free(back);
    h5in_close(in);
    results_free(r);
    unlink(path);
    rmdir(dir);
}

static void command_line_is_quoted_and_truncated(void **state)
{
    (void)state;
    char a0[] = "run", a1[] = "configs/x.yaml", a2[] = "--set", a3[] = "a b=1";
    char *argv[] = {a0, a1, a2, a3, NULL};
    char buf[256];
    results_command_line(4, argv, buf, sizeof buf);
    assert_non_null(strstr(buf, "agtrade run configs/x.yaml --set"));
    assert_non_null(strstr(buf, "a b=1"));
    char tiny[12];
    results_command_line(4, argv, tiny, sizeof tiny);
    assert_true(strlen(tiny) < sizeof tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(written_results_read_back_bit_for_bit),
        cmocka_unit_test(command_line_is_quoted_and_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
