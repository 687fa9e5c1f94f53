/*
 * test_sample.c - marginal distributions, the sampler (streams, copula, regimes) and
 * applying inputs to shocks.
 */
#include "testutil.h"

#include <gsl/gsl_cdf.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "model_fixture.h"

static const double empirical_values[] = {0.91, 1.07, 0.84, 1.12, 0.98, 1.03, 0.77, 1.21,
                                          0.95, 1.07};
#define N_EMPIRICAL (sizeof empirical_values / sizeof empirical_values[0])

static dist_t make_dist(dist_kind_t kind, double p0, double p1, double p2, double p3)
{
    dist_t d;
    memset(&d, 0, sizeof d);
    d.kind = kind;
    d.p[0] = p0;
    d.p[1] = p1;
    d.p[2] = p2;
    d.p[3] = p3;
    return d;
}

static dist_t make_empirical(void)
{
    dist_t d = make_dist(DIST_EMPIRICAL, 0, 0, 0, 0);
    d.values = malloc(sizeof empirical_values);
    memcpy(d.values, empirical_values, sizeof empirical_values);
    d.n_values = N_EMPIRICAL;
    return d;
}

static input_spec_t make_input(const char *name, dist_t dist)
{
    input_spec_t in;
    memset(&in, 0, sizeof in);
    snprintf(in.name, sizeof in.name, "%s", name);
    in.target = TARGET_YIELD;
    in.exporter = 0;
    in.importer = -1;
    in.apply = APPLY_MULTIPLY;
    in.dist = dist;
    return in;
}

/* One input of every kind, parameters of the kind a scenario would use. */
#define N_KINDS 9
static void all_kinds(input_spec_t *in)
{
    in[0] = make_input("fixed", make_dist(DIST_FIXED, 2.385, 0, 0, 0));
    in[1] = make_input("normal", make_dist(DIST_NORMAL, 1.02, 0.085, 0, 0));
    in[2] = make_input("lognormal", make_dist(DIST_LOGNORMAL, -0.03, 0.21, 0, 0));
    in[3] = make_input("truncnormal", make_dist(DIST_TRUNCNORMAL, 0.58, 0.25, 0.2, 1.0));
    in[4] = make_input("uniform", make_dist(DIST_UNIFORM, 0.85, 1.35, 0, 0));
    in[5] = make_input("triangular", make_dist(DIST_TRIANGULAR, 0.7, 0.95, 1.6, 0));
    in[6] = make_input("beta", make_dist(DIST_BETA, 2.5, 4.2, 0.4, 1.1));
    in[7] = make_input("pert", make_dist(DIST_PERT, 2.0, 3.5, 8.0, 4.0));
    in[8] = make_input("empirical", make_empirical());
}

static void free_inputs(input_spec_t *in, int n)
{
    for (int i = 0; i < n; i++)
        dist_free_values(&in[i].dist);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- distributions ---------------------------------------------------------------- */

static void expect_invalid(dist_t d, const char *fragment)
{
    char err[256] = "";
    assert_int_equal(dist_validate(&d, err, sizeof err), -1);
    if (!strstr(err, fragment)) {
        print_error("message '%s' lacks '%s'\n", err, fragment);
        fail();
    }
}

static void test_validate_rejects_bad_parameters_with_message(void **state)
{
    (void)state;
    expect_invalid(make_dist(DIST_NORMAL, 1.0, -2.0, 0, 0), "normal: sd must be > 0 (got -2)");
    expect_invalid(make_dist(DIST_LOGNORMAL, 0.1, 0.0, 0, 0), "sdlog must be > 0");
    expect_invalid(make_dist(DIST_FIXED, NAN, 0, 0, 0), "must be finite");
    expect_invalid(make_dist(DIST_UNIFORM, 1.5, 1.5, 0, 0), "lower must be < upper");
    expect_invalid(make_dist(DIST_TRIANGULAR, 0.7, 1.9, 1.6, 0), "mode must be within");
    expect_invalid(make_dist(DIST_BETA, 2.0, -1.0, 0.0, 1.0), "beta: beta must be > 0");
    expect_invalid(make_dist(DIST_BETA, 2.0, 1.0, 3.0, 1.0), "lower must be < upper");
    expect_invalid(make_dist(DIST_PERT, 2.0, 3.0, 8.0, 0.0), "lambda must be > 0");
    expect_invalid(make_dist(DIST_TRUNCNORMAL, 0.0, 1.0, 60.0, 70.0), "no probability");
    expect_invalid(make_dist(DIST_TRUNCNORMAL, 0.0, 1.0, 2.0, 1.0), "lower must be < upper");
    expect_invalid(make_dist(DIST_EMPIRICAL, 0, 0, 0, 0), "at least one value");
    expect_invalid(make_dist((dist_kind_t)42, 0, 0, 0, 0), "unknown distribution");

    input_spec_t in[N_KINDS];
    all_kinds(in);
    char err[256];
    for (int i = 0; i < N_KINDS; i++)
        assert_int_equal(dist_validate(&in[i].dist, err, sizeof err), 0);
    dist_t half = make_dist(DIST_TRUNCNORMAL, 0.0, 1.3, 0.0, INFINITY);
    assert_int_equal(dist_validate(&half, err, sizeof err), 0);
    free_inputs(in, N_KINDS);
}

/* Closed forms worked by hand. */
static void test_mean_and_variance_match_closed_forms(void **state)
{
    (void)state;
    input_spec_t in[N_KINDS];
    all_kinds(in);
    assert_close(dist_mean(&in[0].dist), 2.385, 1e-15, 0);
    assert_close(dist_variance(&in[0].dist), 0.0, 0, 0);
    assert_close(dist_mean(&in[2].dist), exp(-0.03 + 0.5 * 0.21 * 0.21), 1e-15, 0);
    assert_close(dist_mean(&in[5].dist), (0.7 + 0.95 + 1.6) / 3.0, 1e-15, 0);
    /* PERT mean (a + lambda m + b) / (lambda + 2) = (2 + 14 + 8) / 6 */
    assert_close(dist_mean(&in[7].dist), 4.0, 1e-14, 0);
    /* PERT shapes 1 + 4 * 1.5 / 6 = 2 and 1 + 4 * 4.5 / 6 = 4: var = 36 * 8 / (36 * 7) */
    assert_close(dist_variance(&in[7].dist), 8.0 / 7.0, 1e-14, 0);
    assert_close(dist_mean(&in[6].dist), 0.4 + 0.7 * 2.5 / 6.7, 1e-15, 0);
    double emean = 0.0;
    for (size_t k = 0; k < N_EMPIRICAL; k++)
        emean += empirical_values[k] / N_EMPIRICAL;
    assert_close(dist_mean(&in[8].dist), emean, 1e-14, 0);
    /* half-normal: mean sd sqrt(2 / pi), variance sd^2 (1 - 2 / pi) */
    dist_t half = make_dist(DIST_TRUNCNORMAL, 0.0, 1.3, 0.0, INFINITY);
    assert_close(dist_mean(&half), 1.3 * sqrt(2.0 / M_PI), 1e-14, 0);
    assert_close(dist_variance(&half), 1.69 * (1.0 - 2.0 / M_PI), 1e-13, 0);
    free_inputs(in, N_KINDS);
}

/* dist_prepare is a cache: every kind gives the same bits prepared or not, in both tails
 * of a truncated normal; a prepared copy follows its source; validation ignores it. */
static void test_prepared_dists_give_the_same_bits(void **state)
{
    (void)state;
    input_spec_t in[N_KINDS];
    all_kinds(in);
    dist_t extra[] = { make_dist(DIST_TRUNCNORMAL, 0.0, 1.0, 6.0, 7.0),      /* upper tail */
                       make_dist(DIST_TRUNCNORMAL, 1.0, 0.2, -INFINITY, 0.4), /* lower */
                       make_dist(DIST_TRUNCNORMAL, 1.0, 0.06, 0.7, 1.15) };
    const int n_extra = (int)(sizeof extra / sizeof extra[0]);
    for (int i = 0; i < N_KINDS + n_extra; i++) {
        const dist_t *d = i < N_KINDS ? &in[i].dist : &extra[i - N_KINDS];
        dist_t p;
        assert_int_equal(dist_copy(&p, d), 0);
        dist_prepare(&p);
        assert_int_equal(p.trunc.ready, d->kind == DIST_TRUNCNORMAL);
        for (int k = 0; k <= 1000; k++) {
            double u = k / 1000.0, a = dist_quantile(d, u), b = dist_quantile(&p, u);
            assert_memory_equal(&a, &b, sizeof a);
            double ca = dist_cdf(d, a), cb = dist_cdf(&p, a);
            assert_memory_equal(&ca, &cb, sizeof ca);
        }
        dist_free_values(&p);
    }
    /* a range with no probability is refused even when a stale cache says otherwise */
    dist_t bad = extra[0];
    dist_prepare(&bad);
    bad.p[2] = 60.0;
    bad.p[3] = 61.0;
    char err[256];
    assert_int_equal(dist_validate(&bad, err, sizeof err), -1);
    free_inputs(in, N_KINDS);
}

/* quantile(cdf) round trip for every continuous kind, at u from 1e-6 to 1 - 1e-6. */
static void test_quantile_inverts_cdf(void **state)
{
    (void)state;
    input_spec_t in[N_KINDS];
    all_kinds(in);
    dist_t tail = make_dist(DIST_TRUNCNORMAL, 0.0, 1.0, 6.0, 7.0);
    const double us[] = {1e-6, 0.001, 0.025, 0.1, 0.333, 0.5, 0.75, 0.9, 0.99, 1 - 1e-6};
    for (int i = 1; i <= N_KINDS; i++) {
        const dist_t *d = i < 8 ? &in[i].dist : &tail;
        for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
            double x = dist_quantile(d, us[k]);
            assert_close(dist_cdf(d, x), us[k], 1e-8, 1e-12);
        }
        /* monotone */
        assert_true(dist_quantile(d, 0.2) < dist_quantile(d, 0.21));
    }
    /* support ends */
    assert_true(dist_quantile(&in[4].dist, 0.0) == 0.85);
    assert_true(dist_quantile(&in[4].dist, 1.0) == 1.35);
    assert_true(dist_quantile(&in[3].dist, 0.0) == 0.2);
    assert_close(dist_quantile(&in[6].dist, 1.0), 1.1, 1e-14, 0);
    assert_true(isinf(dist_quantile(&in[1].dist, 1.0)));
    assert_true(dist_quantile(&tail, 0.5) > 6.0 && dist_quantile(&tail, 0.5) < 6.2);
    free_inputs(in, N_KINDS);
}

/* The beta / PERT quantile (Halley's method) agrees with gsl_cdf_beta_Pinv over
 * shapes from 0.3 to 200 and u from 1e-12 to 1 - 1e-10 (relative to the distance from
 * the nearer end of the support, where the precision is). */
static void test_beta_quantile_matches_gsl(void **state)
{
    (void)state;
    const double shapes[] = {0.3, 0.5, 0.9, 1.0, 1.7, 2.5, 4.2, 30.0, 200.0};
    const double us[] = {1e-12, 1e-8, 1e-5, 0.001, 0.02, 0.1, 0.3, 0.5, 0.5000001, 0.7,
                         0.9, 0.99, 0.999, 1 - 1e-6, 1 - 1e-10};
    dist_t d = make_dist(DIST_BETA, 0, 0, 0.0, 1.0);
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        for (size_t j = 0; j < sizeof shapes / sizeof shapes[0]; j++) {
            d.p[0] = shapes[i];
            d.p[1] = shapes[j];
            for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
                double x = dist_quantile(&d, us[k]);
                double g = gsl_cdf_beta_Pinv(us[k], shapes[i], shapes[j]);
                assert_true(x >= 0.0 && x <= 1.0);
                assert_close(x, g, 0.0, 1e-9 * fmin(g, 1.0 - g) + 1e-300);
            }
        }
    }
    /* PERT goes through the same path: its median against GSL on the scaled beta */
    dist_t pert = make_dist(DIST_PERT, 2.0, 3.5, 8.0, 4.0);
    assert_close(dist_quantile(&pert, 0.5), 2.0 + 6.0 * gsl_cdf_beta_Pinv(0.5, 2.0, 4.0),
                 1e-12, 0);
}

/* Empirical: the step inverse of the empirical CDF over the sorted values. */
static void test_empirical_quantile_is_step_inverse(void **state)
{
    (void)state;
    dist_t d = make_empirical();
    dist_sort_values(&d);
    for (size_t k = 1; k < N_EMPIRICAL; k++)
        assert_true(d.values[k - 1] <= d.values[k]);
    const double n = (double)N_EMPIRICAL;
    for (size_t k = 0; k < N_EMPIRICAL; k++) {
        /* u in ((k)/n, (k+1)/n] -> the (k+1)-th smallest */
        assert_true(dist_quantile(&d, (k + 0.5) / n) == d.values[k]);
        assert_true(dist_quantile(&d, (k + 1.0) / n) == d.values[k]);
    }
    assert_true(dist_quantile(&d, 0.0) == d.values[0]);
    /* two values of 1.07: cdf counts both */
    assert_close(dist_cdf(&d, 1.07), 8.0 / n, 1e-15, 0);
    assert_close(dist_cdf(&d, 0.5), 0.0, 0, 0);
    dist_t copy;
    assert_int_equal(dist_copy(&copy, &d), 0);
    assert_true(copy.values != d.values);
    assert_memory_equal(copy.values, d.values, sizeof empirical_values);
    dist_free_values(&copy);
    dist_free_values(&d);
    assert_null(d.values);
    assert_int_equal(d.n_values, 0);
}

/* ---- the sampler ------------------------------------------------------------------ */

enum { N_DRAWS = 100000 };

/* values[draw * n + i] for draws 0..ndraws-1. */
static double *draw_many(const sampler_t *s, int n, uint64_t seed, int ndraws, int *regimes)
{
    double *v = malloc((size_t)ndraws * (size_t)n * sizeof *v);
    sample_workspace_t *ws = sample_workspace_alloc(s);
    for (int k = 0; k < ndraws; k++) {
        int g;
        assert_int_equal(sampler_draw(s, ws, seed, (uint64_t)k, v + (size_t)k * n, &g), 0);
        if (regimes)
            regimes[k] = g;
    }
    sample_workspace_free(ws);
    return v;
}

static double column_ks(const double *v, int n, int col, int ndraws, const dist_t *d)
{
    double *x = malloc((size_t)ndraws * sizeof *x);
    for (int k = 0; k < ndraws; k++)
        x[k] = v[(size_t)k * n + col];
    qsort(x, (size_t)ndraws, sizeof *x, compare_double);
    double dmax = 0.0;
    for (int k = 0; k < ndraws; k++) {
        double f = dist_cdf(d, x[k]);
        dmax = fmax(dmax, fmax(f - (double)k / ndraws, (double)(k + 1) / ndraws - f));
    }
    free(x);
    return dmax;
}

/* Sample mean and variance of every marginal within 5 standard errors of theory (the
 * variance's standard error from the sample fourth moment). */
static void check_moments(const double *v, int n, const input_spec_t *in, int ndraws)
{
    for (int i = 0; i < n; i++) {
        double mean = 0.0;
        for (int k = 0; k < ndraws; k++)
            mean += v[(size_t)k * n + i];
        mean /= ndraws;
        double m2 = 0.0, m4 = 0.0;
        for (int k = 0; k < ndraws; k++) {
            double d = v[(size_t)k * n + i] - mean;
            m2 += d * d;
            m4 += d * d * d * d;
        }
        m2 /= ndraws;
        m4 /= ndraws;
        double tmean = dist_mean(&in[i].dist), tvar = dist_variance(&in[i].dist);
        assert_close(mean, tmean, 1e-10, 5.0 * sqrt(tvar / ndraws));
        assert_close(m2, tvar, 0.0, 5.0 * sqrt(fmax(m4 - m2 * m2, 0.0) / ndraws) + 1e-20);
    }
}

static void test_every_marginal_has_theoretical_moments(void **state)
{
    (void)state;
    input_spec_t in[N_KINDS];
    all_kinds(in);
    char err[256];
    sampler_t *s = sampler_alloc(in, N_KINDS, NULL, NULL, 0, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(sampler_n_inputs(s), N_KINDS);
    double *v = draw_many(s, N_KINDS, 2385, N_DRAWS, NULL);
    check_moments(v, N_KINDS, in, N_DRAWS);
    for (int k = 0; k < N_DRAWS; k++)
        assert_true(v[(size_t)k * N_KINDS] == 2.385);
    /* KS at the 1 % level (1.63 / sqrt(n)) for the shaped continuous marginals */
    const int ks_cols[] = {2, 3, 5, 6, 7};
    for (size_t c = 0; c < sizeof ks_cols / sizeof ks_cols[0]; c++)
        assert_true(column_ks(v, N_KINDS, ks_cols[c], N_DRAWS, &in[ks_cols[c]].dist)
                    < 1.63 / sqrt(N_DRAWS));
    free(v);
    sampler_free(s);
    free_inputs(in, N_KINDS);
}

/* Correlation over every kind: the copula path gives the same marginals. */
static void test_marginals_unchanged_by_correlation(void **state)
{
    (void)state;
    input_spec_t in[N_KINDS];
    all_kinds(in);
    double corr[N_KINDS * N_KINDS];
    for (int a = 0; a < N_KINDS; a++)
        for (int b = 0; b < N_KINDS; b++)
            corr[a * N_KINDS + b] = a == b ? 1.0 : 0.35;
    char err[256];
    sampler_t *s = sampler_alloc(in, N_KINDS, corr, NULL, 0, err, sizeof err);
    assert_non_null(s);
    double *v = draw_many(s, N_KINDS, 909, N_DRAWS, NULL);
    check_moments(v, N_KINDS, in, N_DRAWS);
    const int ks_cols[] = {1, 2, 3, 4, 5, 6, 7};
    for (size_t c = 0; c < sizeof ks_cols / sizeof ks_cols[0]; c++)
        assert_true(column_ks(v, N_KINDS, ks_cols[c], N_DRAWS, &in[ks_cols[c]].dist)
                    < 1.63 / sqrt(N_DRAWS));
    free(v);
    sampler_free(s);
    free_inputs(in, N_KINDS);
}

/* The normal scores Phi^-1(F_i(x_i)) have the target correlation within 3 standard
 * errors ((1 - r^2) / sqrt(n)); an uncorrelated fourth input stays uncorrelated. */
static void test_copula_normal_scores_have_target_correlation(void **state)
{
    (void)state;
    enum { N = 40000, K = 4 };
    input_spec_t in[K];
    in[0] = make_input("us_yield", make_dist(DIST_LOGNORMAL, 0.0, 0.12, 0, 0));
    in[1] = make_input("brazil_yield", make_dist(DIST_BETA, 3.0, 2.0, 0.6, 1.2));
    in[2] = make_input("freight", make_dist(DIST_TRIANGULAR, 0.8, 1.0, 1.5, 0));
    in[3] = make_input("compliance", make_dist(DIST_PERT, 0.3, 0.58, 0.9, 4.0));
    const double corr[K * K] = {1.0, 0.6, -0.3, 0.0,
                                0.6, 1.0, 0.2, 0.0,
                                -0.3, 0.2, 1.0, 0.0,
                                0.0, 0.0, 0.0, 1.0};
    char err[256];
    sampler_t *s = sampler_alloc(in, K, corr, NULL, 0, err, sizeof err);
    assert_non_null(s);
    double *v = draw_many(s, K, 31, N, NULL);
    double *z = malloc((size_t)N * K * sizeof *z);
    for (size_t k = 0; k < (size_t)N * K; k++)
        z[k] = gsl_cdf_ugaussian_Pinv(dist_cdf(&in[k % K].dist, v[k]));
    for (int a = 0; a < K; a++) {
        for (int b = a + 1; b < K; b++) {
            double sab = 0, saa = 0, sbb = 0, ma = 0, mb = 0;
            for (int k = 0; k < N; k++) {
                ma += z[k * K + a] / N;
                mb += z[k * K + b] / N;
            }
            for (int k = 0; k < N; k++) {
                double da = z[k * K + a] - ma, db = z[k * K + b] - mb;
                sab += da * db;
                saa += da * da;
                sbb += db * db;
            }
            double r = sab / sqrt(saa * sbb), target = corr[a * K + b];
            assert_close(r, target, 0.0, 3.0 * (1.0 - target * target) / sqrt(N));
        }
    }
    free(z);
    free(v);
    sampler_free(s);
}

/* Same (seed, draw): bitwise the same values whatever the workspace or draw order;
 * another draw or seed: different values. */
static void test_same_seed_and_draw_reproduce_bitwise(void **state)
{
    (void)state;
    input_spec_t in[N_KINDS];
    all_kinds(in);
    double corr[N_KINDS * N_KINDS] = {0};
    for (int a = 0; a < N_KINDS; a++)
        corr[a * N_KINDS + a] = 1.0;
    corr[1 * N_KINDS + 3] = corr[3 * N_KINDS + 1] = 0.45;
    const double prob[3] = {0.6, 0.3, 0.1};
    char err[256];
    sampler_t *s = sampler_alloc(in, N_KINDS, corr, prob, 3, err, sizeof err);
    assert_non_null(s);
    sample_workspace_t *w1 = sample_workspace_alloc(s), *w2 = sample_workspace_alloc(s);
    double a[N_KINDS], b[N_KINDS], c[N_KINDS], junk[N_KINDS];
    int ga, gb, gc;
    sampler_draw(s, w1, 77, 123456789, a, &ga);
    sampler_draw(s, w2, 77, 5, junk, &gc);
    sampler_draw(s, w2, 77, 123456789, b, &gb);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(ga, gb);
    sampler_draw(s, w1, 77, 123456790, c, &gc);
    assert_memory_not_equal(a + 1, c + 1, sizeof a - sizeof a[0]);
    sampler_draw(s, w1, 78, 123456789, c, &gc);
    assert_memory_not_equal(a + 1, c + 1, sizeof a - sizeof a[0]);
    sample_workspace_free(w1);
    sample_workspace_free(w2);
    sampler_free(s);
    free_inputs(in, N_KINDS);
}

/* Adding inputs (an uncorrelated one, a correlated pair, regimes) leaves the values of
 * the existing uncorrelated inputs bitwise unchanged. */
static void test_adding_inputs_keeps_existing_values(void **state)
{
    (void)state;
    input_spec_t in[N_KINDS + 3];
    all_kinds(in);
    in[N_KINDS] = make_input("extra", make_dist(DIST_NORMAL, 5.0, 1.5, 0, 0));
    in[N_KINDS + 1] = make_input("pair_a", make_dist(DIST_UNIFORM, 0.0, 1.0, 0, 0));
    in[N_KINDS + 2] = make_input("pair_b", make_dist(DIST_LOGNORMAL, 0.0, 0.3, 0, 0));
    enum { BIG = N_KINDS + 3 };
    double corr[BIG * BIG] = {0};
    for (int a = 0; a < BIG; a++)
        corr[a * BIG + a] = 1.0;
    corr[(BIG - 2) * BIG + BIG - 1] = corr[(BIG - 1) * BIG + BIG - 2] = -0.55;
    const double prob[2] = {0.25, 0.75};
    char err[256];
    sampler_t *small = sampler_alloc(in, N_KINDS, NULL, NULL, 0, err, sizeof err);
    sampler_t *big = sampler_alloc(in, BIG, corr, prob, 2, err, sizeof err);
    assert_non_null(small);
    assert_non_null(big);
    double *vs = draw_many(small, N_KINDS, 4711, 500, NULL);
    double *vb = draw_many(big, BIG, 4711, 500, NULL);
    for (int k = 0; k < 500; k++)
        assert_memory_equal(vs + (size_t)k * N_KINDS, vb + (size_t)k * BIG,
                            N_KINDS * sizeof(double));
    free(vs);
    free(vb);
    sampler_free(small);
    sampler_free(big);
    free_inputs(in, N_KINDS);
}

static void test_regime_frequencies_match_probabilities(void **state)
{
    (void)state;
    input_spec_t in[1] = {make_input("normal", make_dist(DIST_NORMAL, 1.0, 0.1, 0, 0))};
    const double prob[4] = {0.55, 0.0, 0.3, 0.15};
    char err[256];
    sampler_t *s = sampler_alloc(in, 1, NULL, prob, 4, err, sizeof err);
    assert_non_null(s);
    int *g = malloc(N_DRAWS * sizeof *g);
    double *v = draw_many(s, 1, 8080, N_DRAWS, g);
    long count[4] = {0};
    for (int k = 0; k < N_DRAWS; k++) {
        assert_in_range(g[k], 0, 3);
        count[g[k]]++;
    }
    assert_int_equal(count[1], 0);
    double chi2 = 0.0;
    for (int r = 0; r < 4; r++) {
        if (prob[r] == 0.0)
            continue;
        double e = prob[r] * N_DRAWS;
        chi2 += (count[r] - e) * (count[r] - e) / e;
    }
    assert_true(gsl_cdf_chisq_Q(chi2, 2) > 1e-3);
    free(v);
    sampler_free(s);

    /* no regimes: -1 */
    s = sampler_alloc(in, 1, NULL, NULL, 0, err, sizeof err);
    sample_workspace_t *ws = sample_workspace_alloc(s);
    double x;
    int regime = 7;
    sampler_draw(s, ws, 1, 2, &x, &regime);
    assert_int_equal(regime, -1);
    sample_workspace_free(ws);
    sampler_free(s);
    free(g);
}

static void expect_sampler_error(const input_spec_t *in, int n, const double *corr,
                                 const double *prob, int nreg, const char *fragment)
{
    char err[512] = "";
    sampler_t *s = sampler_alloc(in, n, corr, prob, nreg, err, sizeof err);
    assert_null(s);
    if (!strstr(err, fragment)) {
        print_error("message '%s' lacks '%s'\n", err, fragment);
        fail();
    }
}

static void test_bad_correlation_and_regimes_are_rejected(void **state)
{
    (void)state;
    input_spec_t in[3];
    in[0] = make_input("us_yield", make_dist(DIST_NORMAL, 1.0, 0.1, 0, 0));
    in[1] = make_input("brazil_yield", make_dist(DIST_NORMAL, 1.0, 0.1, 0, 0));
    in[2] = make_input("argentina_yield", make_dist(DIST_NORMAL, 1.0, 0.1, 0, 0));
    /* each pair plausible, together impossible */
    const double not_pd[9] = {1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0};
    expect_sampler_error(in, 3, not_pd, NULL, 0, "not positive definite");
    expect_sampler_error(in, 3, not_pd, NULL, 0, "'argentina_yield'");
    const double perfect[9] = {1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0};
    expect_sampler_error(in, 3, perfect, NULL, 0, "not positive definite");
    const double asym[9] = {1.0, 0.3, 0.0, 0.2, 1.0, 0.0, 0.0, 0.0, 1.0};
    expect_sampler_error(in, 3, asym, NULL, 0, "symmetric");
    const double diag[9] = {1.0, 0.3, 0.0, 0.3, 0.9, 0.0, 0.0, 0.0, 1.0};
    expect_sampler_error(in, 3, diag, NULL, 0, "'brazil_yield' with itself must be 1");
    const double big[9] = {1.0, 1.2, 0.0, 1.2, 1.0, 0.0, 0.0, 0.0, 1.0};
    expect_sampler_error(in, 3, big, NULL, 0, "within [-1, 1]");
    const double prob_bad[2] = {0.6, 0.3};
    expect_sampler_error(in, 3, NULL, prob_bad, 2, "sum to 1");
    const double prob_neg[2] = {1.2, -0.2};
    expect_sampler_error(in, 3, NULL, prob_neg, 2, "regime 2: probability must be >= 0");
    in[1].dist.p[1] = -0.1;
    expect_sampler_error(in, 3, NULL, NULL, 0, "input 'brazil_yield': normal: sd must be > 0");
}

/* sampler_draw allocates nothing (mallinfo2 sees glibc's heap; skipped where it cannot). */
static void test_draw_allocates_nothing(void **state)
{
    (void)state;
    skip_unless_heap_measurable();   /* before anything is allocated */
    input_spec_t in[N_KINDS];
    all_kinds(in);
    double corr[N_KINDS * N_KINDS] = {0};
    for (int a = 0; a < N_KINDS; a++)
        corr[a * N_KINDS + a] = 1.0;
    corr[2 * N_KINDS + 6] = corr[6 * N_KINDS + 2] = 0.5;
    const double prob[2] = {0.5, 0.5};
    char err[256];
    sampler_t *s = sampler_alloc(in, N_KINDS, corr, prob, 2, err, sizeof err);
    sample_workspace_t *ws = sample_workspace_alloc(s);
    double v[N_KINDS];
    int g;
    sampler_draw(s, ws, 1, 0, v, &g);
    struct mallinfo2 before = mallinfo2();
    for (int k = 1; k < 2000; k++)
        sampler_draw(s, ws, 1, (uint64_t)k, v, &g);
    struct mallinfo2 after = mallinfo2();
    assert_int_equal(after.uordblks, before.uordblks);
    assert_int_equal(after.hblkhd, before.hblkhd);
    sample_workspace_free(ws);
    sampler_free(s);
    free_inputs(in, N_KINDS);
}

/* The sampler owns a sorted copy: the caller's empirical values are untouched. */
static void test_sampler_copies_inputs(void **state)
{
    (void)state;
    input_spec_t in[1] = {make_input("empirical", make_empirical())};
    char err[256];
    sampler_t *s = sampler_alloc(in, 1, NULL, NULL, 0, err, sizeof err);
    assert_memory_equal(in[0].dist.values, empirical_values, sizeof empirical_values);
    dist_free_values(&in[0].dist);          /* the sampler must not depend on it */
    double *v = draw_many(s, 1, 3, 5000, NULL);
    int seen_min = 0, seen_max = 0;
    for (int k = 0; k < 5000; k++) {
        int found = 0;
        for (size_t j = 0; j < N_EMPIRICAL; j++)
            found |= v[k] == empirical_values[j];
        assert_true(found);
        seen_min |= v[k] == 0.77;
        seen_max |= v[k] == 1.21;
    }
    assert_true(seen_min && seen_max);
    free(v);
    sampler_free(s);
}


/* ---- applying inputs to shocks ---------------------------------------------------- */

static input_spec_t target_input(const char *name, input_target_t target, int exporter,
                                 int importer, input_apply_t apply)
{
    input_spec_t in = make_input(name, make_dist(DIST_FIXED, 1.0, 0, 0, 0));
    in.target = target;
    in.exporter = exporter;
    in.importer = importer;
    in.apply = apply;
    return in;
}

typedef struct {
    market_t *market;
    shocks_t *shocks;
} apply_fixture_t;

static int apply_setup(void **state)
{
    apply_fixture_t *f = calloc(1, sizeof *f);
    market_spec_t *spec = fixture_default_spec();
    char err[256];
    f->market = market_calibrate(spec, err, sizeof err);
    market_spec_free(spec);
    if (!f->market)
        return -1;
    f->shocks = shocks_alloc_baseline(f->market);
    *state = f;
    return f->shocks ? 0 : -1;
}

static int apply_teardown(void **state)
{
    apply_fixture_t *f = *state;
    shocks_free(f->shocks);
    market_free(f->market);
    free(f);
    return 0;
}

/* Markets of the default fixture: exporters US, Brazil, Argentina, Paraguay, Other;
 * importers China, EU, Other. */
enum { US, BRAZIL, ARGENTINA, PARAGUAY, OTHER_EX };
enum { CHINA, EU, OTHER_IM };
#define N_APPLY 10

static void apply_inputs(input_spec_t *in, double *v)
{
    in[0] = target_input("brazil_yield", TARGET_YIELD, BRAZIL, -1, APPLY_MULTIPLY);
    v[0] = 0.93;
    in[1] = target_input("us_domestic", TARGET_DOMESTIC_DEMAND, US, -1, APPLY_MULTIPLY);
    v[1] = 1.04;
    in[2] = target_input("ars_rate", TARGET_EXCHANGE_RATE, ARGENTINA, -1, APPLY_OVERRIDE);
    v[2] = 1.18;
    in[3] = target_input("paraguay_eps", TARGET_EPS, PARAGUAY, -1, APPLY_MULTIPLY);
    v[3] = 1.3;
    in[4] = target_input("china_demand", TARGET_DEMAND, -1, CHINA, APPLY_MULTIPLY);
    v[4] = 0.97;
    in[5] = target_input("eu_sigma", TARGET_SIGMA, -1, EU, APPLY_OVERRIDE);
    v[5] = 7.5;
    in[6] = target_input("other_eta", TARGET_ETA, -1, OTHER_IM, APPLY_MULTIPLY);
    v[6] = 0.8;
    in[7] = target_input("freight_index", TARGET_FREIGHT_INDEX, -1, -1, APPLY_MULTIPLY);
    v[7] = 1.25;
    in[8] = target_input("us_china_freight", TARGET_FREIGHT_ROUTE, US, CHINA, APPLY_MULTIPLY);
    v[8] = 1.1;
    in[9] = target_input("compliance", TARGET_COMPLIANCE, -1, -1, APPLY_OVERRIDE);
    v[9] = 0.58;
}

/* Each input lands on its own parameter and nothing else moves from the baseline. */
static void test_apply_puts_each_input_on_its_target(void **state)
{
    apply_fixture_t *f = *state;
    const market_t *m = f->market;
    shocks_t *sh = f->shocks;
    input_spec_t in[N_APPLY];
    double v[N_APPLY];
    apply_inputs(in, v);
    sample_apply(in, N_APPLY, v, m, sh);
    int E = m->n_exporters, I = m->n_importers;
    for (int i = 0; i < E; i++) {
        assert_close(sh->yield[i], i == BRAZIL ? 0.93 : 1.0, 1e-15, 0);
        assert_close(sh->domestic_shock[i], i == US ? 1.04 : 1.0, 1e-15, 0);
        assert_close(sh->exchange_rate[i], i == ARGENTINA ? 1.18 : 1.0, 1e-15, 0);
        assert_close(sh->eps[i], m->eps[i] * (i == PARAGUAY ? 1.3 : 1.0), 1e-15, 0);
        assert_true(sh->kappa[i] == m->kappa[i]);
    }
    assert_close(sh->eps[PARAGUAY], -0.65, 1e-15, 0);
    for (int j = 0; j < I; j++) {
        assert_close(sh->demand_shock[j], j == CHINA ? 0.97 : 1.0, 1e-15, 0);
        assert_close(sh->sigma[j], j == EU ? 7.5 : m->sigma[j], 1e-15, 0);
        assert_close(sh->eta[j], m->eta[j] * (j == OTHER_IM ? 0.8 : 1.0), 1e-15, 0);
    }
    /* the index scales every route; the route shock composes with it */
    for (int r = 0; r < E * I; r++) {
        double want = m->freight[r] * 1.25 * (r == US * I + CHINA ? 1.1 : 1.0);
        assert_close(sh->freight[r], want, 1e-15, 0);
    }
    assert_close(sh->freight[US * I + CHINA], 40.0 * 1.25 * 1.1, 1e-14, 0);
    assert_close(sh->compliance, 0.58, 1e-15, 0);
}

/* Whatever the previous draw left in the shocks, the result is the same as from a
 * fresh baseline (multipliers never compound across draws). */
static void test_apply_starts_from_baseline_every_draw(void **state)
{
    apply_fixture_t *f = *state;
    input_spec_t in[N_APPLY];
    double v[N_APPLY];
    apply_inputs(in, v);
    sample_apply(in, N_APPLY, v, f->market, f->shocks);
    double other[N_APPLY];
    for (int k = 0; k < N_APPLY; k++)
        other[k] = v[k] * 1.7;
    sample_apply(in, N_APPLY, other, f->market, f->shocks);
    f->shocks->yield[OTHER_EX] = 123.0;
    f->shocks->freight[7] = -5.0;
    sample_apply(in, N_APPLY, v, f->market, f->shocks);
    shocks_t *fresh = shocks_alloc_baseline(f->market);
    sample_apply(in, N_APPLY, v, f->market, fresh);
    int E = f->market->n_exporters, I = f->market->n_importers;
    assert_memory_equal(f->shocks->yield, fresh->yield, (size_t)E * sizeof(double));
    assert_memory_equal(f->shocks->eps, fresh->eps, (size_t)E * sizeof(double));
    assert_memory_equal(f->shocks->freight, fresh->freight, (size_t)(E * I) * sizeof(double));
    assert_memory_equal(f->shocks->sigma, fresh->sigma, (size_t)I * sizeof(double));
    assert_true(f->shocks->compliance == fresh->compliance);
    shocks_free(fresh);
}

static void test_apply_clamps_compliance_and_ignores_bad_indices(void **state)
{
    apply_fixture_t *f = *state;
    input_spec_t in[3];
    in[0] = target_input("compliance", TARGET_COMPLIANCE, -1, -1, APPLY_MULTIPLY);
    in[1] = target_input("ghost_yield", TARGET_YIELD, 17, -1, APPLY_OVERRIDE);
    in[2] = target_input("ghost_route", TARGET_FREIGHT_ROUTE, US, -1, APPLY_OVERRIDE);
    double v[3] = {1.35, 0.5, 99.0};
    sample_apply(in, 3, v, f->market, f->shocks);
    assert_true(f->shocks->compliance == 1.0);
    for (int r = 0; r < 15; r++)
        assert_true(f->shocks->freight[r] == f->market->freight[r]);
    for (int i = 0; i < 5; i++)
        assert_true(f->shocks->yield[i] == 1.0);
    in[0].apply = APPLY_OVERRIDE;
    v[0] = -0.2;
    sample_apply(in, 1, v, f->market, f->shocks);
    assert_true(f->shocks->compliance == 0.0);
}

/* Sampled values flow through to the shocks: a lognormal yield shock on Brazil and a
 * PERT compliance, draw by draw. */
static void test_sampled_draws_apply_to_shocks(void **state)
{
    apply_fixture_t *f = *state;
    input_spec_t in[2];
    in[0] = target_input("brazil_yield", TARGET_YIELD, BRAZIL, -1, APPLY_MULTIPLY);
    in[0].dist = make_dist(DIST_LOGNORMAL, 0.0, 0.08, 0, 0);
    in[1] = target_input("compliance", TARGET_COMPLIANCE, -1, -1, APPLY_OVERRIDE);
    in[1].dist = make_dist(DIST_PERT, 0.3, 0.58, 0.9, 4.0);
    char err[256];
    sampler_t *s = sampler_alloc(in, 2, NULL, NULL, 0, err, sizeof err);
    sample_workspace_t *ws = sample_workspace_alloc(s);
    for (uint64_t d = 0; d < 50; d++) {
        double v[2];
        int g;
        sampler_draw(s, ws, 2024, d, v, &g);
        sample_apply(in, 2, v, f->market, f->shocks);
        assert_true(f->shocks->yield[BRAZIL] == v[0]);
        assert_true(f->shocks->compliance == v[1]);
        assert_true(v[1] >= 0.3 && v[1] <= 0.9);
        assert_true(f->shocks->yield[US] == 1.0);
    }
    sample_workspace_free(ws);
    sampler_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_rejects_bad_parameters_with_message),
        cmocka_unit_test(test_mean_and_variance_match_closed_forms),
        cmocka_unit_test(test_prepared_dists_give_the_same_bits),
        cmocka_unit_test(test_quantile_inverts_cdf),
        cmocka_unit_test(test_beta_quantile_matches_gsl),
        cmocka_unit_test(test_empirical_quantile_is_step_inverse),
        cmocka_unit_test(test_every_marginal_has_theoretical_moments),
        cmocka_unit_test(test_marginals_unchanged_by_correlation),
        cmocka_unit_test(test_copula_normal_scores_have_target_correlation),
        cmocka_unit_test(test_same_seed_and_draw_reproduce_bitwise),
        cmocka_unit_test(test_adding_inputs_keeps_existing_values),
        cmocka_unit_test(test_regime_frequencies_match_probabilities),
        cmocka_unit_test(test_bad_correlation_and_regimes_are_rejected),
        cmocka_unit_test(test_draw_allocates_nothing),
        cmocka_unit_test(test_sampler_copies_inputs),
        cmocka_unit_test_setup_teardown(test_apply_puts_each_input_on_its_target, apply_setup, apply_teardown),
        cmocka_unit_test_setup_teardown(test_apply_starts_from_baseline_every_draw, apply_setup, apply_teardown),
        cmocka_unit_test_setup_teardown(test_apply_clamps_compliance_and_ignores_bad_indices, apply_setup, apply_teardown),
        cmocka_unit_test_setup_teardown(test_sampled_draws_apply_to_shocks, apply_setup, apply_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
