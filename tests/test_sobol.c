/*
 * test_sobol.c - the Sobol estimators (sim/mc/sobol.h) on functions with known indices:
 * Ishigami, and a linear model with independent inputs (S1 = ST = the squared
 * standardized coefficient), with an input that does not enter the model (S1 = ST = 0);
 * each estimate within its bootstrap interval of the truth; the same bits again.
 */
#include "testutil.h"

#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sobol.h"

#define N 20000
#define BOOT 200

typedef double (*model_fn)(const double *x);

static double ishigami(const double *x)
{
    return sin(x[0]) + 7 * sin(x[1]) * sin(x[1]) + 0.1 * pow(x[2], 4) * sin(x[0]);
}

/* independent x_i ~ N(0, 1); x[3] does not enter */
static double linear(const double *x) { return 3 * x[0] - 2 * x[1] + 0.5 * x[2] + 4.0; }

/* A, B from r (uniform(-pi, pi) or standard normal); f of A, B and each A_B^(i). */
static void design(model_fn f, int k, int uniform, double *fa, double *fb, double *fab)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    double *a = malloc((size_t)N * (size_t)k * sizeof *a), *b = malloc((size_t)N * (size_t)k * sizeof *b);
    for (int j = 0; j < N * k; j++) {
        a[j] = uniform ? gsl_ran_flat(r, -M_PI, M_PI) : gsl_ran_gaussian(r, 1.0);
        b[j] = uniform ? gsl_ran_flat(r, -M_PI, M_PI) : gsl_ran_gaussian(r, 1.0);
    }
    for (int j = 0; j < N; j++) {
        fa[j] = f(a + j * k);
        fb[j] = f(b + j * k);
        for (int i = 0; i < k; i++) {
            double x[8];
            memcpy(x, a + j * k, (size_t)k * sizeof *x);
            x[i] = b[j * k + i];
            fab[(size_t)i * N + (size_t)j] = f(x);
        }
    }
    free(a);
    free(b);
    gsl_rng_free(r);
}

static void check(const char *what, int k, const double *s1, const double *st,
                  const double *s1c, const double *stc, const double *true_s1,
                  const double *true_st)
{
    for (int i = 0; i < k; i++) {
        print_message("%s x%d: S1 %.4f +- %.4f (true %.4f), ST %.4f +- %.4f (true %.4f)\n",
                      what, i + 1, s1[i], s1c[i], true_s1[i], st[i], stc[i], true_st[i]);
        assert_true(s1c[i] >= 0 && s1c[i] < 0.1 && stc[i] >= 0 && stc[i] < 0.1);
        assert_true(fabs(s1[i] - true_s1[i]) <= s1c[i]);
        assert_true(fabs(st[i] - true_st[i]) <= stc[i]);
    }
}

static void test_ishigami_indices_are_within_their_intervals(void **state)
{
    (void)state;
    enum { K = 3 };
    double *fa = malloc(N * sizeof *fa), *fb = malloc(N * sizeof *fb);
    double *fab = malloc(K * N * sizeof *fab);
    design(ishigami, K, 1, fa, fb, fab);
    double s1[K], st[K], s1c[K], stc[K];
    assert_int_equal(sobol_estimate(N, K, 1, fa, fb, fab, 7, BOOT, 1, s1, st, s1c, stc), 0);
    /* a = 7, b = 0.1: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 */
    double a = 7, b = 0.1, pi4 = pow(M_PI, 4), pi8 = pow(M_PI, 8);
    double V1 = 0.5 * pow(1 + b * pi4 / 5, 2), V2 = a * a / 8, V13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
    double V = V1 + V2 + V13;
    double true_s1[K] = {V1 / V, V2 / V, 0}, true_st[K] = {(V1 + V13) / V, V2 / V, V13 / V};
    check("Ishigami", K, s1, st, s1c, stc, true_s1, true_st);
    /* reproducible: the same bits from the same seed, on 3 threads as on 1 */
    double again[K], againt[K], c1[K], c2[K];
    sobol_estimate(N, K, 1, fa, fb, fab, 7, BOOT, 3, again, againt, c1, c2);
    assert_memory_equal(again, s1, sizeof s1);
    assert_memory_equal(c1, s1c, sizeof s1c);
    free(fa);
    free(fb);
    free(fab);
}

static void test_linear_model_gives_squared_standardized_coefficients(void **state)
{
    (void)state;
    enum { K = 4 };
    double *fa = malloc(N * sizeof *fa), *fb = malloc(N * sizeof *fb);
    double *fab = malloc(K * N * sizeof *fab);
    design(linear, K, 0, fa, fb, fab);
    double s1[K], st[K], s1c[K], stc[K];
    assert_int_equal(sobol_estimate(N, K, 1, fa, fb, fab, 11, BOOT, 2, s1, st, s1c, stc), 0);
    double V = 9 + 4 + 0.25;
    double truth[K] = {9 / V, 4 / V, 0.25 / V, 0};   /* x4 does not enter */
    check("linear", K, s1, st, s1c, stc, truth, truth);
    /* the input that does not enter: A_B^(4) = A, so exactly 0, a zero-width interval */
    assert_true(s1[3] == 0 && st[3] == 0 && s1c[3] == 0 && stc[3] == 0);
    free(fa);
    free(fb);
    free(fab);
}

static void test_failed_rows_are_left_out(void **state)
{
    (void)state;
    enum { K = 4 };
    double *fa = malloc(N * sizeof *fa), *fb = malloc(N * sizeof *fb);
    double *fab = malloc(K * N * sizeof *fab);
    design(linear, K, 0, fa, fb, fab);
    for (int j = 0; j < N; j += 50)
        fab[j] = NAN;   /* input 1's evaluation failed in 2 % of the rows */
    fa[3] = NAN;
    double s1[K], st[K], s1c[K], stc[K];
    sobol_estimate(N, K, 1, fa, fb, fab, 11, BOOT, 2, s1, st, s1c, stc);
    for (int i = 0; i < K; i++)
        assert_true(isfinite(s1[i]) && isfinite(st[i]) && isfinite(s1c[i]));
    assert_close(s1[0], 9 / 13.25, 0, 2 * s1c[0]);
    free(fa);
    free(fb);
    free(fab);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ishigami_indices_are_within_their_intervals),
        cmocka_unit_test(test_linear_model_gives_squared_standardized_coefficients),
        cmocka_unit_test(test_failed_rows_are_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
