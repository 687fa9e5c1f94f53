/*
 * stats.h - mergeable, deterministic streaming statistics over nvars variables, in
 * memory that does not grow with the number of draws.
 *
 * How the engine uses it: draws are processed in fixed-size blocks by OpenMP threads.
 *  - Moments (count, mean, M2, min, max per variable) are floating point: accumulate
 *    each block into its own stats_moments_t (Welford, stats_moments_add_rows), then
 *    merge the blocks IN BLOCK ORDER (stats_moments_merge, Chan et al.). For a fixed
 *    block split and call order the result is bitwise reproducible, whatever thread
 *    computed which block.
 *  - Histograms hold only integer counts, so the order of adds and merges does not
 *    matter: the engine keeps one stats_hist_t per point and, after each chunk, its
 *    threads fill it split by variable from a column-major copy of the chunk's bins
 *    (stats_hist_slots per block, stats_hist_add_slots per variable and chunk: one
 *    variable's slots are contiguous, so the fill streams through memory instead of
 *    missing the cache on every value); MPI ranks sum theirs.
 *
 * Non-finite values: a NaN or +-Inf component of x is skipped for that variable only
 * and counted in `nonfinite` (moments and histograms alike); every other statistic is
 * over the finite values. The engine excludes failed draws altogether (it does not add
 * them), so non-finite values should not occur; they are counted so they can be seen.
 *
 * The structs are transparent so that the engine can reduce them over MPI (sum the
 * integer arrays; send the moments and merge them in rank order). Treat the fields as
 * read-only otherwise.
 */
#ifndef AGTRADE_STATS_H
#define AGTRADE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* ---- moments --------------------------------------------------------------------- */

typedef struct {
    size_t nvars;
    uint64_t *count;      /* finite values added, per variable */
    uint64_t *nonfinite;  /* NaN / +-Inf values skipped, per variable */
    double *mean;         /* running mean (0 while count = 0) */
    double *m2;           /* sum of squared deviations from the mean */
    double *min, *max;    /* +INFINITY / -INFINITY while count = 0 */
} stats_moments_t;

/* NULL on allocation failure (or nvars = 0). Memory: 48 bytes per variable. */
stats_moments_t *stats_moments_alloc(size_t nvars);
void stats_moments_free(stats_moments_t *m);
void stats_moments_reset(stats_moments_t *m);
/* x[nvars]: one draw's values. */
void stats_moments_add(stats_moments_t *m, const double *x);
/* n draws, rows[n x nvars] row-major: bitwise what n calls of stats_moments_add do, in
 * row order, but rows whose values are all finite, added while every variable has the
 * same count (always, within an engine block), take a branch-free loop over the
 * variables that the compiler vectorises (IEEE +, -, *, / and comparisons only, so the
 * bits do not depend on the instruction set). */
void stats_moments_add_rows(stats_moments_t *m, const double *rows, size_t n);
/* into <- into followed by from (same nvars). Deterministic for a fixed call order;
 * merging an empty accumulator changes nothing, merging into an empty one copies. */
void stats_moments_merge(stats_moments_t *into, const stats_moments_t *from);

uint64_t stats_count(const stats_moments_t *m, size_t v);
uint64_t stats_nonfinite_count(const stats_moments_t *m, size_t v);
double stats_mean(const stats_moments_t *m, size_t v);   /* NAN when count = 0 */
double stats_sd(const stats_moments_t *m, size_t v);     /* n - 1 divisor; NAN when count < 2 */
double stats_mcse(const stats_moments_t *m, size_t v);   /* sd / sqrt(count) */
double stats_min(const stats_moments_t *m, size_t v);    /* NAN when count = 0 */
double stats_max(const stats_moments_t *m, size_t v);

/* ---- fine histograms ------------------------------------------------------------- */

#define STATS_FINE_BINS 4096

typedef struct {
    size_t nvars;
    double *lo, *hi;      /* per variable: bin b covers [lo + b w, lo + (b + 1) w),
                             w = (hi - lo) / STATS_FINE_BINS; x = hi is in the last bin */
    uint64_t *bins;       /* nvars x STATS_FINE_BINS, row-major */
    uint64_t *under;      /* x < lo */
    uint64_t *over;       /* x > hi */
    uint64_t *nonfinite;  /* NaN / +-Inf skipped */
    double *scale;        /* STATS_FINE_BINS / (hi - lo) */
} stats_hist_t;

/* lo[v] < hi[v], both finite (see stats_range_from_pilot). NULL on allocation failure
 * or a bad range. Memory: 8 * (STATS_FINE_BINS + 6) = 32,816 bytes per variable. */
stats_hist_t *stats_hist_alloc(size_t nvars, const double *lo, const double *hi);
void stats_hist_free(stats_hist_t *h);
/* Variable v emptied (every count 0) and given the range lo < hi (as stats_hist_alloc),
 * so that a histogram serves another run without being allocated again. -1 on a bad
 * range, h unchanged. Thread safe for distinct v. */
int stats_hist_reset_var(stats_hist_t *h, size_t v, double lo, double hi);
void stats_hist_add(stats_hist_t *h, const double *x);

/* stats_hist_add in two steps, so that the engine can bin a block's values while they
 * are in the computing core's cache and count them per variable later, by another
 * thread: a 2-byte slot per value travels through memory instead of an 8-byte double
 * (the fill used to be bound by memory traffic). A slot is a fine bin (0 ..
 * STATS_FINE_BINS - 1) or one of the codes below. */
typedef uint16_t stats_slot_t;
enum { STATS_SLOT_UNDER = STATS_FINE_BINS, STATS_SLOT_OVER, STATS_SLOT_NONFINITE };
/* out[k] = the slot of x[k * stride] in variable v's histogram, k < n. */
void stats_hist_slots(const stats_hist_t *h, size_t v, const double *x, size_t stride,
                      size_t n, stats_slot_t *out);
/* Count for variable v the n slots slots[k], or slots[index[k]] when index is not NULL:
 * what stats_hist_add counts for v of the same values. Only v's counters are written,
 * so threads may fill one histogram split by variable. */
void stats_hist_add_slots(stats_hist_t *h, size_t v, const stats_slot_t *slots,
                          const size_t *index, size_t n);
/* into += from. Returns 0, or -1 (into unchanged) when nvars or a range differ. */
int stats_hist_merge(stats_hist_t *into, const stats_hist_t *from);

/* Finite values counted for v (under + bins + over). */
uint64_t stats_hist_count(const stats_hist_t *h, size_t v);

/* The p-quantile (0 <= p <= 1) of variable v: the value at which the piecewise-linear
 * empirical CDF reaches p * n (n = stats_hist_count), values spread uniformly inside
 * their fine bin. vmin / vmax are the exact sample min and max (from the moments): they
 * bound the first and last occupied bins, and the underflow (overflow) mass is spread
 * over [vmin, lo] ([hi, vmax]). The result is clamped into [vmin, vmax]; p = 0 gives
 * vmin, p = 1 vmax; NAN when n = 0. */
double stats_hist_quantile(const stats_hist_t *h, size_t v, double p,
                           double vmin, double vmax);
/* out[k] = stats_hist_quantile(h, v, p[k], vmin, vmax) for k < np, bitwise, in one
 * scan of the bins: p must be ascending (a NaN among them gives NaN). */
void stats_hist_quantiles(const stats_hist_t *h, size_t v, const double *p, size_t np,
                          double vmin, double vmax, double *out);

/* The fine bin width (hi - lo) / STATS_FINE_BINS. Bound: when the quantile lies in
 * [lo, hi] and the sample is dense around it (neighbouring order statistics closer
 * than a bin width, true for large n away from the extreme tails), the estimate and
 * every usual sample-quantile definition (e.g. numpy's linear, type 7) lie in the same
 * or touching bins, within one bin width of each other. Quantiles in the under/overflow
 * mass have no such bound (the engine sizes ranges so the 1 %..99 % ones are inside). */
double stats_hist_quantile_error_bound(const stats_hist_t *h, size_t v);

/* The bound that holds for every quantile p in [p_min, p_max] of variable v: the bin
 * width, or, when one of them falls in the underflow (overflow) mass, the width of
 * [vmin, lo] ([hi, vmax]), which is all that is known there. */
double stats_hist_quantiles_error_bound(const stats_hist_t *h, size_t v, double p_min,
                                        double p_max, double vmin, double vmax);

/* Rebin variable v onto nbins (1 <= nbins <= STATS_FINE_BINS) coarse bins, exactly:
 * each coarse bin is a union of consecutive fine bins, and together they cover every
 * occupied fine bin (so *under / *over are the fine underflow / overflow counts, and
 * under + sum(counts) + over = stats_hist_count). With m occupied fine bins (first to
 * last non-empty) and g = ceil(m / nbins): when nbins * g <= STATS_FINE_BINS every
 * coarse bin is g fine bins wide (equal widths, the occupied span centred, kept inside
 * [lo, hi]); otherwise the m occupied bins are split into groups of floor or ceil of
 * m / nbins fine bins (widths differ by one fine bin at most). An empty range spans
 * [lo, hi]. edges[nbins + 1] are fine-bin edges, counts[nbins]. Returns 0, or -1 for a
 * bad nbins. */
int stats_hist_coarse(const stats_hist_t *h, size_t v, int nbins, int64_t *counts,
                      double *edges, int64_t *under, int64_t *over);

/* Histogram ranges from a pilot sample (npilot x nvars row-major, non-finite values
 * ignored): [min - pad, max + pad] with pad = 0.25 (max - min), so quantiles between
 * 1 % and 99 % almost always fall inside for npilot >= ~200. A constant variable gets
 * the tiny symmetric range value -+ 1e-6 max(|value|, 1); a variable with no finite
 * pilot value gets [-1, 1]. */
void stats_range_from_pilot(const double *pilot, size_t npilot, size_t nvars,
                            double *lo, double *hi);

#endif
