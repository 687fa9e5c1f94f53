/*
 * test_attrib.c - attribution statistics (sim/mc/attrib.h): streamed co-moments against
 * a two-pass computation, merges in any split against one accumulator, standardized
 * regression coefficients of a linear model with known answers, inputs without
 * variance, the target list, and the variance split without regimes.
 */
#include "testutil.h"

#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "attrib.h"

#define K 4
#define H 3
#define N 20000

/* x0 = 2 z0 - z1 + 0.5 e (z2 unused); x1 = z3^2 (no linear part); x2 = z0 z1 + z2. */
static void make_draw(gsl_rng *r, double *z, double *x)
{
    for (int i = 0; i < K; i++)
        z[i] = gsl_ran_gaussian(r, 1.0);
    x[0] = 2 * z[0] - z[1] + 0.5 * gsl_ran_gaussian(r, 1.0) + 10.0;
    x[1] = z[3] * z[3];
    x[2] = z[0] * z[1] + z[2];
}

static void test_merged_blocks_equal_one_stream_and_the_two_pass_values(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    static double z[N][K], x[N][H];
    for (int d = 0; d < N; d++)
        make_draw(r, z[d], x[d]);
    attrib_moments_t *one = attrib_moments_alloc(K, H), *all = attrib_moments_alloc(K, H);
    attrib_moments_t *block = attrib_moments_alloc(K, H);
    for (int d = 0; d < N; d++)
        attrib_moments_add(one, z[d], x[d]);
    for (int d = 0; d < N; d += 64) {   /* blocks of 64, the last partial */
        attrib_moments_reset(block);
        for (int e = d; e < N && e < d + 64; e++)
            attrib_moments_add(block, z[e], x[e]);
        attrib_moments_merge(all, block);
    }
    assert_true(attrib_moments_count(all) == N);
    double c1[K * H], s1[K * H], r1[H], c2[K * H], s2[K * H], r2[H];
    attrib_finish(one, c1, s1, r1);
    attrib_finish(all, c2, s2, r2);
    for (int t = 0; t < K * H; t++) {
        assert_close(c2[t], c1[t], 1e-12, 1e-13);
        assert_close(s2[t], s1[t], 1e-12, 1e-13);
    }
    /* two-pass correlations */
    for (int t = 0; t < H; t++)
        for (int i = 0; i < K; i++) {
            long double mz = 0, mx = 0, szz = 0, sxx = 0, szx = 0;
            for (int d = 0; d < N; d++) {
                mz += z[d][i];
                mx += x[d][t];
            }
            mz /= N;
            mx /= N;
            for (int d = 0; d < N; d++) {
                szz += (z[d][i] - mz) * (z[d][i] - mz);
                sxx += (x[d][t] - mx) * (x[d][t] - mx);
                szx += (z[d][i] - mz) * (x[d][t] - mx);
            }
            assert_close(c2[i * H + t], (double)(szx / sqrtl(szz * sxx)), 1e-12, 1e-13);
        }
    /* the linear model: SRC_i = b_i sd(z_i) / sd(x), sd(x) = sqrt(4 + 1 + 0.25) */
    double sdx = sqrt(5.25);
    assert_close(s2[0 * H + 0], 2 / sdx, 0.02, 0.01);
    assert_close(s2[1 * H + 0], -1 / sdx, 0.02, 0.01);
    assert_close(s2[2 * H + 0], 0.0, 0, 0.02);
    assert_close(s2[3 * H + 0], 0.0, 0, 0.02);
    assert_close(r2[0], 5.0 / 5.25, 0.01, 0);
    /* no linear part: R^2 near 0; x2: only z2 enters linearly, R^2 = 1/2 */
    assert_close(r2[1], 0.0, 0, 0.01);
    assert_close(r2[2], 0.5, 0.05, 0);
    attrib_moments_free(one);
    attrib_moments_free(all);
    attrib_moments_free(block);
    gsl_rng_free(r);
}

static void test_an_input_without_variance_is_left_out(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    attrib_moments_t *m = attrib_moments_alloc(K, H);
    double z[K], x[H];
    for (int d = 0; d < 5000; d++) {
        make_draw(r, z, x);
        z[2] = 0.0;   /* a fixed input's score */
        attrib_moments_add(m, z, x);
    }
    double nan_z[K] = {NAN, 0, 0, 0};
    attrib_moments_add(m, nan_z, x);   /* skipped */
    assert_true(attrib_moments_count(m) == 5000);
    double c[K * H], s[K * H], r2[H];
    attrib_finish(m, c, s, r2);
    for (int t = 0; t < H; t++) {
        assert_true(isnan(c[2 * H + t]) && isnan(s[2 * H + t]));
        assert_true(isfinite(s[0 * H + t]) && isfinite(r2[t]));
    }
    attrib_moments_free(m);
    gsl_rng_free(r);
}

static void test_too_few_draws_give_nan(void **state)
{
    (void)state;
    attrib_moments_t *m = attrib_moments_alloc(K, H);
    double z[K] = {1, 2, 3, 4}, x[H] = {1, 2, 3}, c[K * H], s[K * H], r2[H];
    attrib_moments_add(m, z, x);
    attrib_finish(m, c, s, r2);
    assert_true(isnan(c[0]) && isnan(s[0]) && isnan(r2[0]));
    attrib_moments_free(m);
}

static void test_targets_are_the_headline_ones_then_the_named_ones(void **state)
{
    (void)state;
    attrib_target_t t[ATTRIB_MAX_TARGETS];
    char err[256];
    int n_head = attrib_targets(NULL, 0, t, err, sizeof err);
    assert_true(n_head > 5);
    assert_int_equal(t[0].def, quantity_find("flow"));
    assert_int_equal(t[0].form, FORM_LEVEL);
    const char *extra[3] = {"imports", "production_change", "flow"};
    assert_int_equal(attrib_targets(extra, 3, t, err, sizeof err), n_head + 2);
    assert_int_equal(t[n_head + 1].def, quantity_find("production"));
    assert_int_equal(t[n_head + 1].form, FORM_CHANGE);
    const char *bad[1] = {"flow_typo"};
    assert_int_equal(attrib_targets(bad, 1, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "flow_typo"));
}

static void test_variance_split_needs_regimes(void **state)
{
    (void)state;
    point_summary_t *ps = point_summary_alloc(2, 1, 0);
    ps->draws_ok[0] = 100;
    ps->sd[0] = 2.0;
    double w, b;
    attrib_variance_split(ps, 0, &w, &b);
    assert_true(isnan(w) && isnan(b));
    point_summary_free(ps);
    /* two regimes by hand: within = (9 * 1 + 19 * 4) / 29, between = ... */
    ps = point_summary_alloc(1, 3, 0);
    ps->draws_ok[1] = 10;
    ps->draws_ok[2] = 20;
    ps->mean[1] = 1.0;
    ps->mean[2] = 4.0;
    ps->sd[1] = 1.0;
    ps->sd[2] = 2.0;
    attrib_variance_split(ps, 0, &w, &b);
    double m = (10 * 1.0 + 20 * 4.0) / 30;
    assert_close(w, (9 * 1.0 + 19 * 4.0) / 29, 1e-15, 0);
    assert_close(b, (10 * (1 - m) * (1 - m) + 20 * (4 - m) * (4 - m)) / 29, 1e-15, 0);
    point_summary_free(ps);
}

/* attrib_moments_add's data, bit for bit, against Welford's update written out here in
 * the same order of operations, with as many targets as the default scenario attributes
 * (97, so that the vectorised product loop of whichever instruction set this CPU picks
 * runs whole and with a tail): every compiled variant rounds as plain C does. */
static void test_comoments_are_the_plain_welford_bits(void **state)
{
    (void)state;
    enum { KB = 21, HB = 97, NB = 500 };
    attrib_moments_t *m = attrib_moments_alloc(KB, HB);
    size_t len = attrib_moments_len(KB, HB);
    double *ref = calloc(len, sizeof *ref), z[KB], x[HB], dz[KB], ex[HB];
    assert_non_null(m);
    assert_non_null(ref);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *mz = ref + 1, *mx = mz + KB, *czz = mx + HB, *czx = czz + KB * KB, *cxx = czx + KB * HB;
    for (int d = 0; d < NB; d++) {
        for (int i = 0; i < KB; i++)
            z[i] = gsl_ran_gaussian(r, 1.0);
        for (int t = 0; t < HB; t++)
            x[t] = 100.0 * t + gsl_ran_gaussian(r, 1.0 + t) + z[t % KB] * t;
        attrib_moments_add(m, z, x);
        double n = ref[0] + 1.0;
        ref[0] = n;
        for (int i = 0; i < KB; i++) {
            dz[i] = z[i] - mz[i];
            mz[i] += dz[i] / n;
        }
        for (int i = 0; i < KB; i++)
            for (int j = i; j < KB; j++)
                czz[i * KB + j] += dz[i] * (z[j] - mz[j]);
        for (int t = 0; t < HB; t++) {
            double dx = x[t] - mx[t];
            mx[t] += dx / n;
            ex[t] = x[t] - mx[t];
            cxx[t] += dx * ex[t];
        }
        for (int i = 0; i < KB; i++)
            for (int t = 0; t < HB; t++) {
                volatile double p = dz[i] * ex[t];   /* one rounding for the product */
                czx[i * HB + t] += p;
            }
    }
    assert_memory_equal(m->data, ref, len * sizeof *ref);
    gsl_rng_free(r);
    free(ref);
    attrib_moments_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merged_blocks_equal_one_stream_and_the_two_pass_values),
        cmocka_unit_test(test_an_input_without_variance_is_left_out),
        cmocka_unit_test(test_too_few_draws_give_nan),
        cmocka_unit_test(test_targets_are_the_headline_ones_then_the_named_ones),
        cmocka_unit_test(test_variance_split_needs_regimes),
        cmocka_unit_test(test_comoments_are_the_plain_welford_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
