/*
 * test_rng.c - the Philox4x32-10 gsl_rng adapter and its stream keying.
 */
#include "testutil.h"

#include <Random123/philox.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define SEED 0x0123456789ABCDEFull
#define DRAW 0xFEDCBA9876543210ull

static int setup(void **state)
{
    gsl_rng *r = rng_alloc();
    if (!r)
        return -1;
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    gsl_rng_free(*state);
    return 0;
}

/* Random123's published known-answer vectors (kat_vectors, philox4x32 10 rounds), so
 * a change in the library itself is caught too. */
static void test_philox_matches_published_known_answers(void **state)
{
    (void)state;
    philox4x32_ctr_t c = {{0, 0, 0, 0}};
    philox4x32_key_t k = {{0, 0}};
    philox4x32_ctr_t out = philox4x32(c, k);
    assert_int_equal(out.v[0], 0x6627e8d5u);
    assert_int_equal(out.v[1], 0xe169c58du);
    assert_int_equal(out.v[2], 0xbc57ac4cu);
    assert_int_equal(out.v[3], 0x9b00dbd8u);

    philox4x32_ctr_t c2 = {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}};
    philox4x32_key_t k2 = {{0xa4093822u, 0x299f31d0u}};
    out = philox4x32(c2, k2);
    assert_int_equal(out.v[0], 0xd16cfe09u);
    assert_int_equal(out.v[1], 0x94fdccebu);
    assert_int_equal(out.v[2], 0x5001e420u);
    assert_int_equal(out.v[3], 0x24126ea1u);
}

/* The stream (seed, draw, stream) is philox4x32 with key = seed and counter =
 * (draw lo, draw hi, stream, block), words handed out in order. */
static void test_stream_words_are_philox_blocks_in_counter_order(void **state)
{
    gsl_rng *r = *state;
    rng_set_stream(r, SEED, DRAW, 7u);
    philox4x32_key_t k = {{(uint32_t)SEED, (uint32_t)(SEED >> 32)}};
    for (uint32_t block = 0; block < 5; block++) {
        philox4x32_ctr_t c = {{(uint32_t)DRAW, (uint32_t)(DRAW >> 32), 7u, block}};
        philox4x32_ctr_t want = philox4x32(c, k);
        for (int w = 0; w < 4; w++)
            assert_int_equal(gsl_rng_get(r), want.v[w]);
    }
}

static void test_type_reports_32_bit_range_and_name(void **state)
{
    gsl_rng *r = *state;
    assert_int_equal(gsl_rng_max(r), 0xFFFFFFFFul);
    assert_int_equal(gsl_rng_min(r), 0);
    assert_string_equal(gsl_rng_name(r), RNG_NAME);
}

/* get_double combines the next two words: 27 + 26 bits. */
static void test_uniform_is_53_bits_from_two_words(void **state)
{
    gsl_rng *r = *state;
    rng_set_stream(r, SEED, 42, 3);
    uint32_t a = (uint32_t)gsl_rng_get(r), b = (uint32_t)gsl_rng_get(r);
    double want = ((double)(a >> 5) * 67108864.0 + (double)(b >> 6)) / 9007199254740992.0;
    rng_set_stream(r, SEED, 42, 3);
    assert_true(gsl_rng_uniform(r) == want);

    /* Values use bits below 2^-32: not all are multiples of 2^-32. */
    int finer = 0;
    for (int n = 0; n < 1000; n++) {
        double u = gsl_rng_uniform(r);
        assert_true(u >= 0.0 && u < 1.0);
        double scaled = ldexp(u, 32);
        if (scaled != floor(scaled))
            finer++;
    }
    assert_true(finer > 990);
}

static void test_same_key_reproduces_stream_after_other_use(void **state)
{
    gsl_rng *r = *state;
    double first[64];
    rng_set_stream(r, 2385, 918273, 4);
    for (int n = 0; n < 64; n++)
        first[n] = gsl_ran_gaussian(r, 1.7);
    rng_set_stream(r, 99, 1, 1);
    (void)gsl_rng_uniform(r);
    gsl_rng *other = rng_alloc();
    rng_set_stream(other, 2385, 918273, 4);
    rng_set_stream(r, 2385, 918273, 4);
    for (int n = 0; n < 64; n++) {
        assert_true(gsl_ran_gaussian(r, 1.7) == first[n]);
        assert_true(gsl_ran_gaussian(other, 1.7) == first[n]);
    }
    gsl_rng_free(other);
}

/* Changing any one of seed (either half), draw (either half) or stream changes the
 * output. */
static void test_streams_differ_in_every_key_component(void **state)
{
    gsl_rng *r = *state;
    const uint64_t seeds[] = {SEED, SEED ^ 1u, SEED ^ (1ull << 40), SEED, SEED, SEED, SEED};
    const uint64_t draws[] = {DRAW, DRAW, DRAW, DRAW ^ 1u, DRAW ^ (1ull << 33), DRAW, DRAW};
    const uint32_t streams[] = {5, 5, 5, 5, 5, 6, 0xFFFFFFFFu};
    unsigned long words[7][4];
    for (int s = 0; s < 7; s++) {
        rng_set_stream(r, seeds[s], draws[s], streams[s]);
        for (int w = 0; w < 4; w++)
            words[s][w] = gsl_rng_get(r);
    }
    for (int s = 0; s < 7; s++)
        for (int t = s + 1; t < 7; t++)
            assert_memory_not_equal(words[s], words[t], sizeof words[s]);
}

/* Mean 1/2 and variance 1/12 within 5 standard errors, and a chi-square test of 100
 * equal cells, on 10^6 uniforms spread over many draws' streams. */
static void test_uniforms_have_uniform_moments_and_chi_square(void **state)
{
    gsl_rng *r = *state;
    enum { N = 1000000, CELLS = 100 };
    long cells[CELLS] = {0};
    double sum = 0.0, sum2 = 0.0;
    for (int n = 0; n < N; n++) {
        if (n % 50 == 0)
            rng_set_stream(r, 31337, (uint64_t)n / 50, 2);
        double u = gsl_rng_uniform(r);
        sum += u;
        sum2 += (u - 0.5) * (u - 0.5);
        cells[(int)(u * CELLS)]++;
    }
    double mean = sum / N, var = sum2 / N;
    assert_close(mean, 0.5, 0.0, 5.0 * sqrt(1.0 / 12.0 / N));
    /* sd of the sample variance of U(0,1): sqrt((1/80 - 1/144) / N) */
    assert_close(var, 1.0 / 12.0, 0.0, 5.0 * sqrt((1.0 / 80.0 - 1.0 / 144.0) / N));
    double chi2 = 0.0, expect = (double)N / CELLS;
    for (int c = 0; c < CELLS; c++)
        chi2 += (cells[c] - expect) * (cells[c] - expect) / expect;
    assert_true(gsl_cdf_chisq_Q(chi2, CELLS - 1) > 1e-4);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov statistic of sorted x against cdf. */
static double ks_statistic(const double *x, int n, double (*cdf)(double))
{
    double d = 0.0;
    for (int k = 0; k < n; k++) {
        double f = cdf(x[k]);
        double lo = f - (double)k / n, hi = (double)(k + 1) / n - f;
        if (lo > d) d = lo;
        if (hi > d) d = hi;
    }
    return d;
}

static double uniform_cdf(double x) { return x; }
static double std_normal_cdf(double x) { return gsl_cdf_ugaussian_P(x); }

/* First value of 20000 consecutive draws' streams: the across-draw keying the engine
 * uses, tested with KS (critical value 1.63 / sqrt(n) at the 1 % level). */
static void test_first_values_across_draws_pass_ks(void **state)
{
    gsl_rng *r = *state;
    enum { N = 20000 };
    double *u = malloc(N * sizeof *u), *z = malloc(N * sizeof *z);
    for (int n = 0; n < N; n++) {
        rng_set_stream(r, 20251130, (uint64_t)n, 0);
        u[n] = gsl_rng_uniform(r);
        rng_set_stream(r, 20251130, (uint64_t)n, 1);
        z[n] = gsl_ran_gaussian_ziggurat(r, 1.0);
    }
    qsort(u, N, sizeof *u, compare_double);
    qsort(z, N, sizeof *z, compare_double);
    assert_true(ks_statistic(u, N, uniform_cdf) < 1.63 / sqrt(N));
    assert_true(ks_statistic(z, N, std_normal_cdf) < 1.63 / sqrt(N));
    free(u);
    free(z);
}

/* GSL distributions work through the adapter: gaussian, gamma, beta, poisson moments. */
static void test_gsl_distributions_have_right_moments(void **state)
{
    gsl_rng *r = *state;
    enum { N = 200000 };
    rng_set_stream(r, 777, 3, 9);
    double sg = 0, sg2 = 0, sgam = 0, sb = 0, sp = 0;
    for (int n = 0; n < N; n++) {
        double g = gsl_ran_gaussian(r, 2.385);
        sg += g;
        sg2 += g * g;
        sgam += gsl_ran_gamma(r, 3.7, 1.25);
        sb += gsl_ran_beta(r, 2.5, 4.5);
        sp += gsl_ran_poisson(r, 6.3);
    }
    assert_close(sg / N, 0.0, 0.0, 5.0 * 2.385 / sqrt(N));
    assert_close(sg2 / N, 2.385 * 2.385, 0.0, 5.0 * 2.385 * 2.385 * sqrt(2.0 / N));
    assert_close(sgam / N, 3.7 * 1.25, 0.0, 5.0 * sqrt(3.7) * 1.25 / sqrt(N));
    double bv = 2.5 * 4.5 / (49.0 * 8.0);
    assert_close(sb / N, 2.5 / 7.0, 0.0, 5.0 * sqrt(bv / N));
    assert_close(sp / N, 6.3, 0.0, 5.0 * sqrt(6.3 / N));
}

/* Uniform integers use the 32-bit words: every residue of a small range appears. */
static void test_uniform_int_covers_range(void **state)
{
    gsl_rng *r = *state;
    int seen[13] = {0};
    rng_set_stream(r, 5, 6, 7);
    for (int n = 0; n < 1300; n++)
        seen[gsl_rng_uniform_int(r, 13)]++;
    for (int k = 0; k < 13; k++)
        assert_in_range(seen[k], 50, 150);
}

/* gsl_rng_set(r, s) is the stream (s, 0, 0). */
static void test_gsl_rng_set_selects_seed_stream(void **state)
{
    gsl_rng *r = *state;
    gsl_rng_set(r, 8675309ul);
    unsigned long a = gsl_rng_get(r), b = gsl_rng_get(r);
    rng_set_stream(r, 8675309ull, 0, 0);
    assert_int_equal(gsl_rng_get(r), a);
    assert_int_equal(gsl_rng_get(r), b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_matches_published_known_answers),
        cmocka_unit_test_setup_teardown(test_stream_words_are_philox_blocks_in_counter_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_reports_32_bit_range_and_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uniform_is_53_bits_from_two_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_key_reproduces_stream_after_other_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streams_differ_in_every_key_component, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uniforms_have_uniform_moments_and_chi_square, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_values_across_draws_pass_ks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gsl_distributions_have_right_moments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uniform_int_covers_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gsl_rng_set_selects_seed_stream, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
