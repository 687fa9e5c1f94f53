/*
 * test_stats.c - streaming moments, block merging, fine histograms, quantiles, coarse
 * rebinning and pilot ranges.
 */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "stats.h"

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's default ("linear", Hyndman-Fan type 7) quantile of sorted x. */
static double sorted_quantile(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t k = (size_t)floor(h);
    if (k + 1 >= n)
        return x[n - 1];
    return x[k] + (h - (double)k) * (x[k + 1] - x[k]);
}

typedef enum { DATA_NORMAL, DATA_LOGNORMAL, DATA_BIMODAL } data_kind_t;

static double *make_data(data_kind_t kind, size_t n, uint64_t seed)
{
    double *x = malloc(n * sizeof *x);
    gsl_rng *r = rng_alloc();
    rng_set_stream(r, seed, 0, 0);
    for (size_t k = 0; k < n; k++) {
        switch (kind) {
        case DATA_NORMAL:
            x[k] = 412.5 + gsl_ran_gaussian(r, 37.9);
            break;
        case DATA_LOGNORMAL:
            x[k] = gsl_ran_lognormal(r, 1.2, 0.8);
            break;
        case DATA_BIMODAL:
            x[k] = gsl_rng_uniform(r) < 0.35 ? gsl_ran_gaussian(r, 0.6) - 4.1
                                             : gsl_ran_gaussian(r, 1.3) + 7.3;
            break;
        }
    }
    gsl_rng_free(r);
    return x;
}

/* ---- moments --------------------------------------------------------------------- */

/* Welford matches an accurate two-pass computation on 10^5 lognormal values, and on a
 * variable with a large offset (the case a naive sum of squares gets wrong). */
static void test_moments_match_two_pass_on_lognormal(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *x = make_data(DATA_LOGNORMAL, N, 2385);
    stats_moments_t *m = stats_moments_alloc(2);
    double mn = INFINITY, mx = -INFINITY, sum = 0.0, sum_off = 0.0;
    for (size_t k = 0; k < N; k++) {
        double row[2] = {x[k], 1.0e9 + x[k]};
        stats_moments_add(m, row);
        sum += x[k];
        sum_off += row[1];
        mn = fmin(mn, x[k]);
        mx = fmax(mx, x[k]);
    }
    double mean = sum / N, mean_off = sum_off / N, ss = 0.0;
    for (size_t k = 0; k < N; k++)
        ss += (x[k] - mean) * (x[k] - mean);
    double sd = sqrt(ss / (N - 1));
    assert_int_equal(stats_count(m, 0), N);
    assert_close(stats_mean(m, 0), mean, 1e-13, 0.0);
    assert_close(stats_sd(m, 0), sd, 1e-12, 0.0);
    assert_close(stats_mcse(m, 0), sd / sqrt(N), 1e-12, 0.0);
    assert_true(stats_min(m, 0) == mn);
    assert_true(stats_max(m, 0) == mx);
    assert_close(stats_mean(m, 1), 1.0e9 + mean, 0.0, 1e-5);
    assert_close(mean_off, 1.0e9 + mean, 0.0, 1e-5);
    assert_close(stats_sd(m, 1), sd, 1e-6, 0.0);
    /* and the lognormal's theory, as a sanity check of the data */
    assert_close(mean, exp(1.2 + 0.32), 0.0, 5.0 * sd / sqrt(N));
    stats_moments_free(m);
    free(x);
}

/* What stats_moments_merge is specified to compute (Chan et al.), written out
 * independently for one variable. */
typedef struct { uint64_t n; double mean, m2, min, max; } ref_moments_t;

static ref_moments_t ref_block(const double *x, size_t n)
{
    ref_moments_t r = {0, 0.0, 0.0, INFINITY, -INFINITY};
    for (size_t k = 0; k < n; k++) {
        r.n++;
        double d = x[k] - r.mean;
        r.mean += d / (double)r.n;
        r.m2 += d * (x[k] - r.mean);
        r.min = fmin(r.min, x[k]);
        r.max = fmax(r.max, x[k]);
    }
    return r;
}

static ref_moments_t ref_merge(ref_moments_t a, ref_moments_t b)
{
    if (b.n == 0)
        return a;
    if (a.n == 0)
        return b;
    double n = (double)(a.n + b.n), d = b.mean - a.mean;
    ref_moments_t r;
    r.n = a.n + b.n;
    r.mean = a.mean + d * ((double)b.n / n);
    r.m2 = a.m2 + b.m2 + d * d * ((double)a.n * (double)b.n / n);
    r.min = fmin(a.min, b.min);
    r.max = fmax(a.max, b.max);
    return r;
}

/* Blocks accumulated by OpenMP threads in any order, then merged in block order, equal
 * the reference bitwise; and they agree with one pass to rounding. */
static void test_block_merge_in_order_is_bitwise_reproducible(void **state)
{
    (void)state;
    enum { N = 100003, BLOCK = 997, NBLOCKS = (N + BLOCK - 1) / BLOCK };
    double *x = make_data(DATA_BIMODAL, N, 4242);
    ref_moments_t ref = {0, 0.0, 0.0, INFINITY, -INFINITY};
    for (size_t b = 0; b < NBLOCKS; b++) {
        size_t len = b + 1 < NBLOCKS ? BLOCK : N - b * BLOCK;
        ref = ref_merge(ref, ref_block(x + b * BLOCK, len));
    }
    stats_moments_t *blocks[NBLOCKS];
    for (int run = 0; run < 2; run++) {
        for (size_t b = 0; b < NBLOCKS; b++)
            blocks[b] = stats_moments_alloc(1);
        /* run 0: blocks in reverse order on the threads; run 1: dynamic schedule */
        #pragma omp parallel for schedule(dynamic, 3)
        for (long bb = 0; bb < NBLOCKS; bb++) {
            size_t b = run == 0 ? (size_t)(NBLOCKS - 1 - bb) : (size_t)bb;
            size_t len = b + 1 < NBLOCKS ? BLOCK : N - b * BLOCK;
            for (size_t k = 0; k < len; k++)
                stats_moments_add(blocks[b], &x[b * BLOCK + k]);
        }
        stats_moments_t *total = stats_moments_alloc(1);
        for (size_t b = 0; b < NBLOCKS; b++)
            stats_moments_merge(total, blocks[b]);
        assert_int_equal(total->count[0], ref.n);
        assert_memory_equal(&total->mean[0], &ref.mean, sizeof(double));
        assert_memory_equal(&total->m2[0], &ref.m2, sizeof(double));
        assert_true(total->min[0] == ref.min && total->max[0] == ref.max);

        stats_moments_t *one = stats_moments_alloc(1);
        for (size_t k = 0; k < N; k++)
            stats_moments_add(one, &x[k]);
        assert_close(stats_mean(total, 0), stats_mean(one, 0), 1e-13, 1e-13);
        assert_close(stats_sd(total, 0), stats_sd(one, 0), 1e-12, 0.0);
        stats_moments_free(one);
        stats_moments_free(total);
        for (size_t b = 0; b < NBLOCKS; b++)
            stats_moments_free(blocks[b]);
    }
    free(x);
}

static void test_merge_with_empty_is_identity(void **state)
{
    (void)state;
    stats_moments_t *a = stats_moments_alloc(3), *e = stats_moments_alloc(3),
                    *c = stats_moments_alloc(3);
    const double rows[3][3] = {{2.385, -7.25, 1e-3}, {9.1, 4.4, 2e-3}, {-0.5, 3.3, 7e-3}};
    for (int k = 0; k < 3; k++)
        stats_moments_add(a, rows[k]);
    stats_moments_merge(c, a);        /* into empty: copies */
    stats_moments_merge(a, e);        /* from empty: no change */
    for (size_t v = 0; v < 3; v++) {
        assert_true(stats_mean(c, v) == stats_mean(a, v));
        assert_true(stats_sd(c, v) == stats_sd(a, v));
        assert_int_equal(stats_count(a, v), 3);
    }
    assert_close(stats_mean(a, 0), (2.385 + 9.1 - 0.5) / 3.0, 1e-15, 0.0);
    stats_moments_reset(a);
    assert_int_equal(stats_count(a, 1), 0);
    assert_true(isnan(stats_mean(a, 1)) && isnan(stats_min(a, 1)));
    assert_true(isnan(stats_sd(c, 0) * 0.0) == 0 && isnan(stats_sd(e, 0)));
    stats_moments_free(a);
    stats_moments_free(e);
    stats_moments_free(c);
}

/* A NaN or infinite component is skipped for its variable only and counted. */
static void test_nonfinite_values_are_skipped_and_counted(void **state)
{
    (void)state;
    stats_moments_t *m = stats_moments_alloc(2);
    const double lo[2] = {0.0, 0.0}, hi[2] = {10.0, 10.0};
    stats_hist_t *h = stats_hist_alloc(2, lo, hi);
    const double rows[4][2] = {{1.5, NAN}, {2.5, 3.75}, {4.5, INFINITY}, {6.5, 5.25}};
    for (int k = 0; k < 4; k++) {
        stats_moments_add(m, rows[k]);
        stats_hist_add(h, rows[k]);
    }
    assert_int_equal(stats_count(m, 0), 4);
    assert_int_equal(stats_count(m, 1), 2);
    assert_int_equal(stats_nonfinite_count(m, 1), 2);
    assert_close(stats_mean(m, 1), 4.5, 1e-15, 0.0);
    assert_true(stats_max(m, 1) == 5.25);
    assert_int_equal(stats_hist_count(h, 1), 2);
    assert_int_equal(h->nonfinite[1], 2);
    assert_int_equal(stats_hist_count(h, 0), 4);
    stats_moments_free(m);
    stats_hist_free(h);
}

/* ---- histograms ------------------------------------------------------------------ */

static const double quantile_levels[] = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
#define N_LEVELS (sizeof quantile_levels / sizeof quantile_levels[0])

/* Histogram quantiles (range from a 1000-draw pilot) are within the documented bound
 * of the exact sorted-sample quantiles, and on average far below it. */
static void check_hist_quantiles(data_kind_t kind, uint64_t seed)
{
    enum { N = 100000, PILOT = 1000 };
    double *x = make_data(kind, N, seed);
    double lo, hi;
    stats_range_from_pilot(x, PILOT, 1, &lo, &hi);
    stats_hist_t *h = stats_hist_alloc(1, &lo, &hi);
    stats_moments_t *m = stats_moments_alloc(1);
    for (size_t k = 0; k < N; k++) {
        stats_hist_add(h, &x[k]);
        stats_moments_add(m, &x[k]);
    }
    qsort(x, N, sizeof *x, compare_double);
    double bound = stats_hist_quantile_error_bound(h, 0);
    assert_close(bound, (hi - lo) / STATS_FINE_BINS, 1e-15, 0.0);
    double total_err = 0.0;
    for (size_t q = 0; q < N_LEVELS; q++) {
        double p = quantile_levels[q];
        double exact = sorted_quantile(x, N, p);
        double est = stats_hist_quantile(h, 0, p, stats_min(m, 0), stats_max(m, 0));
        assert_close(est, exact, 0.0, bound);
        total_err += fabs(est - exact);
    }
    assert_true(total_err / N_LEVELS < 0.25 * bound);
    assert_true(stats_hist_quantile(h, 0, 0.0, stats_min(m, 0), stats_max(m, 0)) == x[0]);
    assert_true(stats_hist_quantile(h, 0, 1.0, stats_min(m, 0), stats_max(m, 0)) == x[N - 1]);
    stats_hist_free(h);
    stats_moments_free(m);
    free(x);
}

static void test_hist_quantiles_within_bound_normal(void **state)
{
    (void)state;
    check_hist_quantiles(DATA_NORMAL, 11);
}

static void test_hist_quantiles_within_bound_lognormal(void **state)
{
    (void)state;
    check_hist_quantiles(DATA_LOGNORMAL, 12);
}

static void test_hist_quantiles_within_bound_bimodal(void **state)
{
    (void)state;
    check_hist_quantiles(DATA_BIMODAL, 13);
}

/* Mass outside [lo, hi] is spread over [vmin, lo] and [hi, vmax]: quantiles stay in
 * the right tail region and within [vmin, vmax]. */
static void test_hist_quantile_uses_exact_extremes_for_outside_mass(void **state)
{
    (void)state;
    const double lo = 10.0, hi = 20.0;
    stats_hist_t *h = stats_hist_alloc(1, &lo, &hi);
    /* 20 values below (2..5.8), 60 inside (10.1..), 20 above (25..44) */
    for (int k = 0; k < 20; k++) {
        double a = 2.0 + 0.2 * k, b = 15.0 + 0.05 * k, c = 15.5 + 0.05 * k,
               d = 16.0 + 0.05 * k, e = 25.0 + 1.0 * k;
        stats_hist_add(h, &a);
        stats_hist_add(h, &b);
        stats_hist_add(h, &c);
        stats_hist_add(h, &d);
        stats_hist_add(h, &e);
    }
    assert_int_equal(h->under[0], 20);
    assert_int_equal(h->over[0], 20);
    double q05 = stats_hist_quantile(h, 0, 0.05, 2.0, 44.0);
    double q95 = stats_hist_quantile(h, 0, 0.95, 2.0, 44.0);
    assert_close(q05, 2.0 + 0.25 * (10.0 - 2.0), 1e-14, 0.0);
    assert_close(q95, 20.0 + 0.75 * (44.0 - 20.0), 1e-14, 0.0);
    assert_true(stats_hist_quantile(h, 0, 0.5, 2.0, 44.0) >= 15.0);
    assert_true(stats_hist_quantile(h, 0, 0.5, 2.0, 44.0) <= 16.95);
    stats_hist_free(h);

    stats_hist_t *empty = stats_hist_alloc(1, &lo, &hi);
    assert_true(isnan(stats_hist_quantile(empty, 0, 0.5, 0.0, 1.0)));
    stats_hist_free(empty);
}

/* Direct count of x in coarse bin i: [edges[i], edges[i+1]), the last closed at hi. */
static void direct_coarse_count(const double *x, size_t n, const double *edges,
                                int nbins, double hi, int64_t *counts, int64_t *under,
                                int64_t *over)
{
    memset(counts, 0, (size_t)nbins * sizeof *counts);
    *under = *over = 0;
    for (size_t k = 0; k < n; k++) {
        if (x[k] < edges[0]) {
            (*under)++;
        } else if (x[k] > edges[nbins] || (x[k] == edges[nbins] && edges[nbins] < hi)) {
            (*over)++;
        } else {
            int i = 0;
            while (i < nbins - 1 && x[k] >= edges[i + 1])
                i++;
            counts[i]++;
        }
    }
}

/* Coarse bins are exact unions of fine bins: their counts equal a direct count of the
 * data between their edges and, with under / overflow, sum to n. Tested with a range
 * that leaves both tails outside (modes at -4.1 and 7.3; groups of unequal width) and
 * a wide range the data occupy a fifth of (equal widths). */
static void check_coarse(const double *x, size_t n, double lo, double hi)
{
    stats_hist_t *h = stats_hist_alloc(1, &lo, &hi);
    for (size_t k = 0; k < n; k++)
        stats_hist_add(h, &x[k]);
    const int nbins_list[] = {1, 7, 50, 333, 2500, STATS_FINE_BINS};
    for (size_t t = 0; t < sizeof nbins_list / sizeof nbins_list[0]; t++) {
        int nb = nbins_list[t];
        int64_t *counts = calloc((size_t)nb, sizeof *counts);
        int64_t *direct = calloc((size_t)nb, sizeof *direct);
        double *edges = calloc((size_t)nb + 1, sizeof *edges);
        int64_t under, over, dunder, dover;
        assert_int_equal(stats_hist_coarse(h, 0, nb, counts, edges, &under, &over), 0);
        int64_t sum = under + over;
        double w0 = edges[1] - edges[0], fine = stats_hist_quantile_error_bound(h, 0);
        for (int i = 0; i < nb; i++) {
            sum += counts[i];
            assert_true(edges[i + 1] > edges[i]);
            assert_close(edges[i + 1] - edges[i], w0, 0.0, 1.0001 * fine);
        }
        assert_int_equal(sum, (int64_t)n);
        assert_true(edges[0] >= lo && edges[nb] <= hi);
        direct_coarse_count(x, n, edges, nb, hi, direct, &dunder, &dover);
        assert_memory_equal(counts, direct, (size_t)nb * sizeof *counts);
        assert_int_equal(under, dunder);
        assert_int_equal(over, dover);
        /* the coarse window covers every occupied fine bin */
        assert_int_equal(under, (int64_t)h->under[0]);
        assert_int_equal(over, (int64_t)h->over[0]);
        free(counts);
        free(direct);
        free(edges);
    }
    int64_t c, u, o;
    double e[2];
    assert_int_equal(stats_hist_coarse(h, 0, 0, &c, e, &u, &o), -1);
    assert_int_equal(stats_hist_coarse(h, 0, STATS_FINE_BINS + 1, &c, e, &u, &o), -1);
    stats_hist_free(h);
}

static void test_coarse_bins_are_exact_unions_of_fine_bins(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *x = make_data(DATA_BIMODAL, N, 77);
    check_coarse(x, N, -5.3, 9.1);
    check_coarse(x, N, -51.0, 49.0);
    /* equal widths in the wide range: 50 coarse bins of one width exactly */
    const double lo = -51.0, hi = 49.0;
    stats_hist_t *h = stats_hist_alloc(1, &lo, &hi);
    for (size_t k = 0; k < N; k++)
        stats_hist_add(h, &x[k]);
    int64_t counts[50], under, over;
    double edges[51];
    stats_hist_coarse(h, 0, 50, counts, edges, &under, &over);
    for (int i = 0; i < 50; i++)
        assert_close(edges[i + 1] - edges[i], edges[1] - edges[0], 1e-9, 0.0);
    assert_true(h->under[0] == 0 && h->over[0] == 0 && under == 0 && over == 0);
    stats_hist_free(h);
    free(x);
}

/* Summing histograms is exact: any merge order gives the same bytes, equal to one
 * histogram over all the data. */
/* Filling a histogram column by column from a subset of rows (what the engine's threads
 * do, each with its own variables) counts exactly what row-by-row adds of those rows do,
 * non-finite values included. */
static void test_hist_columns_count_what_rows_count(void **state)
{
    (void)state;
    enum { NV = 3, NR = 1000 };
    double lo[NV] = {-1.5, 0.0, 10.0}, hi[NV] = {1.5, 2.385, 10.5};
    double rows[NR * NV];
    size_t members[NR], n = 0;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2385);
    for (size_t d = 0; d < NR; d++) {
        rows[d * NV + 0] = gsl_ran_gaussian(r, 0.7);                 /* some out of range */
        rows[d * NV + 1] = d % 97 == 0 ? NAN : gsl_rng_uniform(r) * 2.385;
        rows[d * NV + 2] = d % 211 == 0 ? INFINITY : 10.0 + gsl_rng_uniform(r) * 0.5;
        if (d % 3 != 1)
            members[n++] = d;
    }
    stats_hist_t *by_row = stats_hist_alloc(NV, lo, hi), *by_col = stats_hist_alloc(NV, lo, hi);
    for (size_t k = 0; k < n; k++)
        stats_hist_add(by_row, rows + members[k] * NV);
    stats_slot_t slots[NR];
    for (size_t v = NV; v-- > 0;) {
        stats_hist_slots(by_col, v, rows + v, NV, NR, slots);
        stats_hist_add_slots(by_col, v, slots, members, n);
    }
    assert_memory_equal(by_row->bins, by_col->bins, NV * STATS_FINE_BINS * sizeof(uint64_t));
    assert_memory_equal(by_row->under, by_col->under, NV * sizeof(uint64_t));
    assert_memory_equal(by_row->over, by_col->over, NV * sizeof(uint64_t));
    assert_memory_equal(by_row->nonfinite, by_col->nonfinite, NV * sizeof(uint64_t));
    assert_true(by_col->under[0] > 0 && by_col->nonfinite[1] > 0 && by_col->nonfinite[2] > 0);
    assert_int_equal(stats_hist_count(by_col, 1) + by_col->nonfinite[1], n);
    stats_hist_free(by_row);
    stats_hist_free(by_col);
    gsl_rng_free(r);
}

/* The slot path without an index (a whole column) counts what row adds count, for
 * values on the bin edges, at lo and hi, just outside, +-Inf and NaN. */
static void test_hist_slots_count_what_adds_count_at_the_edges(void **state)
{
    (void)state;
    enum { N = 4096 + 12 };
    const double lo = -2.0, hi = 3.0;
    double x[N];
    size_t n = 0;
    for (int b = 0; b <= STATS_FINE_BINS; b++)          /* every bin edge, hi included */
        x[n++] = lo + (hi - lo) * ((double)b / STATS_FINE_BINS);
    const double odd[] = {nextafter(lo, -INFINITY), nextafter(hi, INFINITY), -0.0, 0.0,
                          -1e300, 1e300, INFINITY, -INFINITY, NAN, nextafter(hi, 0.0),
                          nextafter(lo, 0.0)};
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++)
        x[n++] = odd[k];
    assert_int_equal(n, N);
    stats_hist_t *by_add = stats_hist_alloc(1, &lo, &hi), *by_slot = stats_hist_alloc(1, &lo, &hi);
    stats_slot_t slots[N];
    for (size_t k = 0; k < N; k++)
        stats_hist_add(by_add, &x[k]);
    stats_hist_slots(by_slot, 0, x, 1, N, slots);
    stats_hist_add_slots(by_slot, 0, slots, NULL, N);
    assert_memory_equal(by_add->bins, by_slot->bins, STATS_FINE_BINS * sizeof(uint64_t));
    assert_int_equal(by_add->under[0], 2);
    assert_int_equal(by_slot->under[0], 2);
    assert_int_equal(by_slot->over[0], 2);
    assert_int_equal(by_slot->nonfinite[0], 3);
    assert_int_equal(by_slot->bins[STATS_FINE_BINS - 1], 3);  /* the last edge, hi, and below */
    stats_hist_free(by_add);
    stats_hist_free(by_slot);
}

/* The slot counts of stats_hist_add_slots in all its ways: a few slots (counted
 * straight into the bins), more than one round of its 2-byte local counters (65535
 * slots), every slot in one bin (a constant variable), every value below the range (no
 * bin reached), odd counts, with and without an index: always what stats_hist_add
 * counts. */
static void test_hist_slot_rounds_count_what_adds_count(void **state)
{
    (void)state;
    enum { N = 2 * 65535 + 7 };
    const double lo = 0.0, hi = 1.0;
    double *x = malloc(N * sizeof *x);
    stats_slot_t *slots = malloc(N * sizeof *slots);
    size_t *index = malloc(N * sizeof *index);
    assert_non_null(x);
    assert_non_null(slots);
    assert_non_null(index);
    const size_t sizes[] = {1, 99, 511, 512, 4097, 65535, 65536, N};
    for (int constant = 0; constant <= 2; constant++)
        for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
            size_t n = sizes[z], ni = 0;
            for (size_t k = 0; k < n; k++) {
                x[k] = constant == 2 ? -1.0
                       : constant ? 0.25 : k % 1001 == 0 ? NAN : (double)(k % 4099) / 4000.0;
                if (k % 5 != 2)
                    index[ni++] = k;
            }
            stats_hist_t *by_add = stats_hist_alloc(1, &lo, &hi);
            stats_hist_t *by_slot = stats_hist_alloc(1, &lo, &hi);
            stats_hist_t *by_index = stats_hist_alloc(1, &lo, &hi);
            stats_hist_t *by_add_index = stats_hist_alloc(1, &lo, &hi);
            for (size_t k = 0; k < n; k++)
                stats_hist_add(by_add, &x[k]);
            for (size_t k = 0; k < ni; k++)
                stats_hist_add(by_add_index, &x[index[k]]);
            stats_hist_slots(by_slot, 0, x, 1, n, slots);
            stats_hist_add_slots(by_slot, 0, slots, NULL, n);
            stats_hist_add_slots(by_index, 0, slots, index, ni);
            const stats_hist_t *want[2] = {by_add, by_add_index}, *got[2] = {by_slot, by_index};
            for (int w = 0; w < 2; w++) {
                assert_memory_equal(want[w]->bins, got[w]->bins, STATS_FINE_BINS * sizeof(uint64_t));
                assert_int_equal(want[w]->under[0], got[w]->under[0]);
                assert_int_equal(want[w]->over[0], got[w]->over[0]);
                assert_int_equal(want[w]->nonfinite[0], got[w]->nonfinite[0]);
            }
            assert_int_equal(stats_hist_count(by_slot, 0) + by_slot->nonfinite[0], n);
            stats_hist_free(by_add);
            stats_hist_free(by_slot);
            stats_hist_free(by_index);
            stats_hist_free(by_add_index);
        }
    free(x);
    free(slots);
    free(index);
}

/* stats_hist_quantiles (one scan) gives bitwise what one stats_hist_quantile per p does,
 * with mass under and over the range and probabilities 0 and 1. */
static void test_quantiles_in_one_scan_equal_one_by_one(void **state)
{
    (void)state;
    enum { N = 20000 };
    double *x = make_data(DATA_BIMODAL, N, 77);
    const double lo = -3.0, hi = 9.0;
    stats_hist_t *h = stats_hist_alloc(1, &lo, &hi);
    stats_moments_t *m = stats_moments_alloc(1);
    for (size_t k = 0; k < N; k++) {
        stats_hist_add(h, &x[k]);
        stats_moments_add(m, &x[k]);
    }
    assert_true(h->under[0] > 0 && h->over[0] > 0);
    const double p[] = {0.0, 0.001, 0.01, 0.05, 0.05, 0.25, 0.3, 0.5, 0.75, 0.95, 0.99, 0.999, 1.0};
    enum { NP = sizeof p / sizeof p[0] };
    double all[NP];
    stats_hist_quantiles(h, 0, p, NP, stats_min(m, 0), stats_max(m, 0), all);
    for (size_t k = 0; k < NP; k++) {
        double one = stats_hist_quantile(h, 0, p[k], stats_min(m, 0), stats_max(m, 0));
        assert_memory_equal(&one, &all[k], sizeof one);
    }
    stats_hist_free(h);
    stats_moments_free(m);
    free(x);
}

/* stats_moments_add_rows gives bitwise what row-by-row adds give: for finite rows (the
 * vectorised path), across a row with NaN and Inf (counts then differ between
 * variables) and after a merge. */
static void test_moments_add_rows_equals_row_adds(void **state)
{
    (void)state;
    enum { NV = 7, NR = 300 };
    double *x = make_data(DATA_LOGNORMAL, NV * NR, 4242);
    x[41 * NV + 2] = NAN;
    x[97 * NV + 5] = -INFINITY;
    x[98 * NV + 0] = INFINITY;
    stats_moments_t *rows = stats_moments_alloc(NV), *one = stats_moments_alloc(NV);
    for (int pass = 0; pass < 2; pass++) {
        stats_moments_add_rows(rows, x, 40);
        stats_moments_add_rows(rows, x + 40 * NV, NR - 40);
        for (size_t k = 0; k < NR; k++)
            stats_moments_add(one, x + k * NV);
        assert_memory_equal(rows->count, one->count, NV * sizeof(uint64_t));
        assert_memory_equal(rows->nonfinite, one->nonfinite, NV * sizeof(uint64_t));
        assert_memory_equal(rows->mean, one->mean, NV * sizeof(double));
        assert_memory_equal(rows->m2, one->m2, NV * sizeof(double));
        assert_memory_equal(rows->min, one->min, NV * sizeof(double));
        assert_memory_equal(rows->max, one->max, NV * sizeof(double));
        assert_int_equal(stats_count(rows, 2), (uint64_t)(pass + 1) * NR - 1);
        for (size_t k = 0; k < NV * NR; k++)   /* the second pass: all finite, ragged counts */
            if (!isfinite(x[k]))
                x[k] = 1.5;
    }
    stats_moments_free(rows);
    stats_moments_free(one);
    free(x);
}

/* The stated error bound widens to the underflow / overflow interval when a reported
 * quantile falls in that mass (a variable constant in the pilot that moves later). */
static void test_quantile_bound_covers_quantiles_outside_the_range(void **state)
{
    (void)state;
    double lo = -0.5e-6, hi = 0.5e-6;   /* what a pilot of zeros gives */
    stats_hist_t *h = stats_hist_alloc(1, &lo, &hi);
    double x, vmax = 0;
    for (int k = 0; k < 1000; k++) {
        x = k < 950 ? 0.0 : 0.0237 * (k - 949);   /* 5 % of the mass far above hi */
        stats_hist_add(h, &x);
        vmax = x > vmax ? x : vmax;
    }
    double width = stats_hist_quantile_error_bound(h, 0);
    assert_close(stats_hist_quantiles_error_bound(h, 0, 0.01, 0.9, 0.0, vmax), width, 1e-12, 0);
    double wide = stats_hist_quantiles_error_bound(h, 0, 0.01, 0.99, 0.0, vmax);
    assert_close(wide, vmax - hi, 1e-12, 0);
    /* and the 99 % quantile really is within that bound of the exact one (0.0237 * 40) */
    assert_true(fabs(stats_hist_quantile(h, 0, 0.99, 0.0, vmax) - 0.0237 * 40) <= wide);
    stats_hist_free(h);
}

static void test_hist_merge_is_order_free(void **state)
{
    (void)state;
    enum { N = 30000 };
    double *x = make_data(DATA_LOGNORMAL, N, 99);
    double *rows = malloc(2 * N * sizeof *rows);
    for (size_t k = 0; k < N; k++) {
        rows[2 * k] = x[k];
        rows[2 * k + 1] = -3.0 * x[k] + 1.0;
    }
    double lo[2], hi[2];
    stats_range_from_pilot(rows, 500, 2, lo, hi);
    stats_hist_t *part[3], *all = stats_hist_alloc(2, lo, hi);
    const size_t cut[4] = {0, 7001, 19999, N};
    for (int p = 0; p < 3; p++) {
        part[p] = stats_hist_alloc(2, lo, hi);
        for (size_t k = cut[p]; k < cut[p + 1]; k++)
            stats_hist_add(part[p], &rows[2 * k]);
    }
    for (size_t k = 0; k < N; k++)
        stats_hist_add(all, &rows[2 * k]);
    stats_hist_t *abc = stats_hist_alloc(2, lo, hi), *cab = stats_hist_alloc(2, lo, hi);
    assert_int_equal(stats_hist_merge(abc, part[0]), 0);
    assert_int_equal(stats_hist_merge(abc, part[1]), 0);
    assert_int_equal(stats_hist_merge(abc, part[2]), 0);
    assert_int_equal(stats_hist_merge(cab, part[2]), 0);
    assert_int_equal(stats_hist_merge(cab, part[0]), 0);
    assert_int_equal(stats_hist_merge(cab, part[1]), 0);
    size_t nb = 2 * STATS_FINE_BINS * sizeof(uint64_t);
    assert_memory_equal(abc->bins, cab->bins, nb);
    assert_memory_equal(abc->bins, all->bins, nb);
    assert_memory_equal(abc->under, all->under, 2 * sizeof(uint64_t));
    assert_memory_equal(abc->over, all->over, 2 * sizeof(uint64_t));
    assert_int_equal(stats_hist_count(abc, 1), N);

    double other_hi[2] = {hi[0], hi[1] * 2.0 + 1.0};
    stats_hist_t *other = stats_hist_alloc(2, lo, other_hi);
    assert_int_equal(stats_hist_merge(abc, other), -1);
    assert_int_equal(stats_hist_count(abc, 1), N);
    stats_hist_free(other);
    for (int p = 0; p < 3; p++)
        stats_hist_free(part[p]);
    stats_hist_free(all);
    stats_hist_free(abc);
    stats_hist_free(cab);
    free(rows);
    free(x);
}

/* Adding values never allocates: the structures' memory does not grow with the count.
 * (mallinfo2 sees glibc's heap; skipped under a sanitizer's or valgrind's allocator.) */
static void test_memory_is_independent_of_count(void **state)
{
    (void)state;
    skip_unless_heap_measurable();   /* before anything is allocated */
    const double lo[3] = {-5.0, 0.0, 100.0}, hi[3] = {5.0, 1.0, 200.0};
    stats_moments_t *m = stats_moments_alloc(3);
    stats_hist_t *h = stats_hist_alloc(3, lo, hi);
    gsl_rng *r = rng_alloc();
    rng_set_stream(r, 1, 2, 3);
    struct mallinfo2 before = mallinfo2();
    for (int k = 0; k < 200000; k++) {
        double row[3] = {gsl_ran_gaussian(r, 2.0), gsl_rng_uniform(r),
                         150.0 + gsl_ran_gaussian(r, 30.0)};
        stats_moments_add(m, row);
        stats_hist_add(h, row);
    }
    struct mallinfo2 after = mallinfo2();
    assert_int_equal(after.uordblks, before.uordblks);
    assert_int_equal(after.hblkhd, before.hblkhd);
    assert_int_equal(stats_count(m, 2), 200000);
    assert_int_equal(stats_hist_count(h, 2), 200000);
    gsl_rng_free(r);
    stats_moments_free(m);
    stats_hist_free(h);
}

static void test_hist_alloc_rejects_bad_ranges(void **state)
{
    (void)state;
    const double lo[2] = {0.0, 3.0}, hi_equal[2] = {1.0, 3.0}, hi_nan[2] = {1.0, NAN};
    const double hi_ok[2] = {1.0, 3.5};
    assert_null(stats_hist_alloc(2, lo, hi_equal));
    assert_null(stats_hist_alloc(2, lo, hi_nan));
    assert_null(stats_hist_alloc(0, lo, hi_ok));
    stats_hist_t *h = stats_hist_alloc(2, lo, hi_ok);
    assert_non_null(h);
    stats_hist_free(h);
}

/* Pilot ranges of 500 draws contain the true 1 % and 99 % quantiles in every one of
 * 200 repetitions; constant and all-NaN pilots get usable ranges. */
static void test_pilot_range_contains_central_quantiles(void **state)
{
    (void)state;
    enum { PILOT = 500, REPS = 200 };
    double pilot[PILOT * 2];
    gsl_rng *r = rng_alloc();
    const double q01_ln = exp(1.2 + 0.8 * -2.3263478740408408);
    const double q99_ln = exp(1.2 + 0.8 * 2.3263478740408408);
    for (int rep = 0; rep < REPS; rep++) {
        rng_set_stream(r, 5150, (uint64_t)rep, 0);
        for (int k = 0; k < PILOT; k++) {
            pilot[2 * k] = gsl_ran_lognormal(r, 1.2, 0.8);
            pilot[2 * k + 1] = gsl_ran_gaussian(r, 1.0);
        }
        double lo[2], hi[2];
        stats_range_from_pilot(pilot, PILOT, 2, lo, hi);
        assert_true(lo[0] < q01_ln && hi[0] > q99_ln);
        assert_true(lo[1] < -2.3263478740408408 && hi[1] > 2.3263478740408408);
    }
    gsl_rng_free(r);

    const double constant[3 * 2] = {-7.125, NAN, -7.125, NAN, -7.125, NAN};
    double lo[2], hi[2];
    stats_range_from_pilot(constant, 3, 2, lo, hi);
    assert_true(lo[0] < -7.125 && hi[0] > -7.125);
    assert_close(hi[0] + 7.125, -7.125 - lo[0], 1e-9, 0.0);
    assert_true(hi[0] - lo[0] < 1e-4);
    assert_true(lo[1] == -1.0 && hi[1] == 1.0);
    stats_hist_t *h = stats_hist_alloc(2, lo, hi);
    assert_non_null(h);
    stats_hist_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_match_two_pass_on_lognormal),
        cmocka_unit_test(test_block_merge_in_order_is_bitwise_reproducible),
        cmocka_unit_test(test_merge_with_empty_is_identity),
        cmocka_unit_test(test_nonfinite_values_are_skipped_and_counted),
        cmocka_unit_test(test_hist_quantiles_within_bound_normal),
        cmocka_unit_test(test_hist_quantiles_within_bound_lognormal),
        cmocka_unit_test(test_hist_quantiles_within_bound_bimodal),
        cmocka_unit_test(test_hist_quantile_uses_exact_extremes_for_outside_mass),
        cmocka_unit_test(test_coarse_bins_are_exact_unions_of_fine_bins),
        cmocka_unit_test(test_hist_columns_count_what_rows_count),
        cmocka_unit_test(test_hist_slots_count_what_adds_count_at_the_edges),
        cmocka_unit_test(test_hist_slot_rounds_count_what_adds_count),
        cmocka_unit_test(test_quantiles_in_one_scan_equal_one_by_one),
        cmocka_unit_test(test_moments_add_rows_equals_row_adds),
        cmocka_unit_test(test_quantile_bound_covers_quantiles_outside_the_range),
        cmocka_unit_test(test_hist_merge_is_order_free),
        cmocka_unit_test(test_memory_is_independent_of_count),
        cmocka_unit_test(test_hist_alloc_rejects_bad_ranges),
        cmocka_unit_test(test_pilot_range_contains_central_quantiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
