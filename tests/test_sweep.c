/*
 * test_sweep.c - sweep points and shards (sim/sweep.c) and the one number grammar
 * (sim/number.c) that --sweep, --set, --shard and the scenario files share.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "config.h"
#include "number.h"
#include "sweep.h"

/* Every text that is not a number of the grammar is refused, whoever reads it. */
static const char *const not_numbers[] = {"0x1p-2", "0x10", "nan", "inf", "infinity", " 1",
                                          "1 ", "1e", "1.5.2", "+", ".", "e3"};

static void number_grammar_is_strict(void **state)
{
    (void)state;
    double x;
    const char *rest = NULL;
    for (size_t k = 0; k < sizeof not_numbers / sizeof *not_numbers; k++)
        assert_int_not_equal(number_parse_double(not_numbers[k], &x, NULL), NUMBER_OK);
    assert_int_equal(number_parse_double("", &x, NULL), NUMBER_NOT_A_NUMBER);
    assert_int_equal(number_parse_double("1,5", &x, NULL), NUMBER_TRAILING_JUNK);
    assert_int_equal(number_parse_double("0x1p-2", &x, &rest), NUMBER_TRAILING_JUNK);
    assert_string_equal(rest, "x1p-2");
    assert_int_equal(number_parse_double("1e999", &x, NULL), NUMBER_OUT_OF_RANGE);
    assert_int_equal(number_parse_double("-.inf", &x, NULL), NUMBER_OK);
    assert_true(isinf(x) && x < 0);
    assert_int_equal(number_parse_double("+2.5e-1", &x, NULL), NUMBER_OK);
    assert_true(x == 0.25);
    assert_int_equal(number_parse_double("1e-400", &x, NULL), NUMBER_OK);   /* underflow */
    uint64_t u;
    assert_int_equal(number_parse_u64("18446744073709551615", &u, NULL), NUMBER_OK);
    assert_true(u == UINT64_MAX);
    assert_int_equal(number_parse_u64("18446744073709551616", &u, NULL), NUMBER_OUT_OF_RANGE);
    assert_int_equal(number_parse_u64("-3", &u, NULL), NUMBER_NOT_WHOLE);
    assert_int_equal(number_parse_u64("1e3", &u, NULL), NUMBER_NOT_WHOLE);
    assert_int_equal(number_parse_u64("12x", &u, &rest), NUMBER_TRAILING_JUNK);
    assert_string_equal(rest, "x");
    assert_int_equal(number_parse_u64("0x10", &u, NULL), NUMBER_TRAILING_JUNK);
}

static void shortest_format_reads_back(void **state)
{
    (void)state;
    const double xs[] = {0.1, 1.0 / 3.0, 1e-300, 5e-324, -2.5, 1e22, 0.28, INFINITY, -INFINITY};
    for (size_t k = 0; k < sizeof xs / sizeof *xs; k++) {
        char text[40];
        double back;
        number_format_double(text, sizeof text, xs[k]);
        assert_int_equal(number_parse_double(text, &back, NULL), NUMBER_OK);
        assert_memory_equal(&back, &xs[k], sizeof back);
    }
    char text[40];
    assert_string_equal(number_format_double(text, sizeof text, 0.28), "0.28");
}

/* --sweep and --set agree on what a number is (they used to differ on 0x1p-2). */
static void sweep_and_set_share_the_grammar(void **state)
{
    (void)state;
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load("configs/default.yaml", &cfg, &err), 0);
    for (size_t k = 0; k < sizeof not_numbers / sizeof *not_numbers; k++) {
        char arg[128], msg[512];
        config_sweep_t sw;
        snprintf(arg, sizeof arg, "scenario.tariffs.US.China=%s", not_numbers[k]);
        assert_int_not_equal(sweep_parse(arg, &sw, msg, sizeof msg), 0);
        assert_int_not_equal(config_set(cfg, arg, &err), 0);
        snprintf(arg, sizeof arg, "scenario.tariffs.US.China=0:%s:0.1", not_numbers[k]);
        assert_int_not_equal(sweep_parse(arg, &sw, msg, sizeof msg), 0);
    }
    config_free(cfg);
}

static void range_includes_stop_on_the_grid(void **state)
{
    (void)state;
    config_sweep_t sw;
    char err[256];
    assert_int_equal(sweep_parse("k=0:1.5:0.1", &sw, err, sizeof err), 0);
    assert_string_equal(sw.key, "k");
    assert_int_equal(sw.n_values, 16);   /* 15 * 0.1 rounds just below 1.5: still taken */
    assert_true(sw.values[0] == 0);
    assert_close(sw.values[15], 1.5, 1e-12, 0);
    free(sw.values);
    assert_int_equal(sweep_parse("k=0:1:0.3", &sw, err, sizeof err), 0);
    assert_int_equal(sw.n_values, 4);    /* 0, 0.3, 0.6, 0.9: stop off the grid */
    assert_close(sw.values[3], 0.9, 1e-12, 0);
    free(sw.values);
    assert_int_equal(sweep_parse("k=2:2:1", &sw, err, sizeof err), 0);
    assert_int_equal(sw.n_values, 1);
    free(sw.values);
    assert_int_equal(sweep_parse("k=3:-1:-2", &sw, err, sizeof err), 0);   /* downwards */
    assert_int_equal(sw.n_values, 3);
    assert_true(sw.values[2] == -1);
    free(sw.values);
    assert_int_equal(sweep_parse("k=0.25,-1,4", &sw, err, sizeof err), 0);
    assert_int_equal(sw.n_values, 3);
    assert_true(sw.values[0] == 0.25 && sw.values[1] == -1 && sw.values[2] == 4);
    free(sw.values);
}

static void bad_ranges_are_refused(void **state)
{
    (void)state;
    config_sweep_t sw;
    char err[256];
    const char *bad[] = {"k=1:0:0.5", "k=0:1:0", "k=0:1", "k=0:1:2:3", "=1,2", "k=",
                         "k", "k=0:1e9:1", "k=1,,2", "k=.inf,1"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        err[0] = '\0';
        assert_int_not_equal(sweep_parse(bad[k], &sw, err, sizeof err), 0);
        assert_true(err[0] != '\0');
    }
    double *v;
    int n;
    assert_int_not_equal(sweep_range(0, NAN, 1, &v, &n, err, sizeof err), 0);
    assert_int_not_equal(sweep_range(0, 1, NAN, &v, &n, err, sizeof err), 0);
}

/* Points in C order: the first key varies slowest. */
static void points_are_in_cartesian_c_order(void **state)
{
    (void)state;
    double a[] = {1, 2}, b[] = {10, 20, 30};
    config_sweep_t sw[2] = {{.key = "a", .values = a, .n_values = 2},
                            {.key = "b", .values = b, .n_values = 3}};
    assert_int_equal(sweep_n_points(sw, 2), 6);
    assert_int_equal(sweep_n_points(sw, 0), 1);
    const double want[6][2] = {{1, 10}, {1, 20}, {1, 30}, {2, 10}, {2, 20}, {2, 30}};
    for (size_t p = 0; p < 6; p++) {
        double v[2];
        sweep_point_values(sw, 2, p, v);
        assert_true(v[0] == want[p][0] && v[1] == want[p][1]);
    }
}

static void shards_parse_strictly(void **state)
{
    (void)state;
    int k, n;
    char err[256];
    assert_int_equal(shard_parse("2/5", &k, &n, err, sizeof err), 0);
    assert_int_equal(k, 2);
    assert_int_equal(n, 5);
    assert_int_equal(shard_parse("0/1", &k, &n, err, sizeof err), 0);
    const char *bad[] = {"5/5", "-1/3", "1/0", "1", "/3", "1/", " 1/3", "1/3 ", "0x1/3",
                         "1/3/4", "1.0/3", "0/1000001"};
    for (size_t q = 0; q < sizeof bad / sizeof *bad; q++)
        assert_int_not_equal(shard_parse(bad[q], &k, &n, err, sizeof err), 0);
}

/* Slurm's array variables map to K/N; p % N == K picks the shard's points. */
static void slurm_array_maps_to_a_shard(void **state)
{
    (void)state;
    int k = -1, n = -1;
    char err[256];
    unsetenv("SLURM_ARRAY_TASK_ID");
    assert_int_equal(shard_from_slurm(&k, &n, err, sizeof err), 0);
    setenv("SLURM_ARRAY_TASK_ID", "14", 1);
    setenv("SLURM_ARRAY_TASK_MIN", "10", 1);
    setenv("SLURM_ARRAY_TASK_COUNT", "3", 1);
    setenv("SLURM_ARRAY_TASK_STEP", "2", 1);   /* --array=10-14:2 */
    assert_int_equal(shard_from_slurm(&k, &n, err, sizeof err), 1);
    assert_int_equal(k, 2);
    assert_int_equal(n, 3);
    setenv("SLURM_ARRAY_TASK_ID", "13", 1);    /* not on the array's grid */
    assert_int_equal(shard_from_slurm(&k, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "--shard K/N"));
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_MIN");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    unsetenv("SLURM_ARRAY_TASK_STEP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number_grammar_is_strict),
        cmocka_unit_test(shortest_format_reads_back),
        cmocka_unit_test(sweep_and_set_share_the_grammar),
        cmocka_unit_test(range_includes_stop_on_the_grid),
        cmocka_unit_test(bad_ranges_are_refused),
        cmocka_unit_test(points_are_in_cartesian_c_order),
        cmocka_unit_test(shards_parse_strictly),
        cmocka_unit_test(slurm_array_maps_to_a_shard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
