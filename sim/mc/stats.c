/*
 * stats.c - streaming moments and fine histograms (see stats.h).
 */
#include "stats.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- moments --------------------------------------------------------------------- */

stats_moments_t *stats_moments_alloc(size_t nvars)
{
    if (nvars == 0)
        return NULL;
    stats_moments_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->nvars = nvars;
    m->count = calloc(nvars, sizeof *m->count);
    m->nonfinite = calloc(nvars, sizeof *m->nonfinite);
    m->mean = calloc(nvars, sizeof *m->mean);
    m->m2 = calloc(nvars, sizeof *m->m2);
    m->min = calloc(nvars, sizeof *m->min);
    m->max = calloc(nvars, sizeof *m->max);
    if (!m->count || !m->nonfinite || !m->mean || !m->m2 || !m->min || !m->max) {
        stats_moments_free(m);
        return NULL;
    }
    stats_moments_reset(m);
    return m;
}

void stats_moments_free(stats_moments_t *m)
{
    if (!m)
        return;
    free(m->count);
    free(m->nonfinite);
    free(m->mean);
    free(m->m2);
    free(m->min);
    free(m->max);
    free(m);
}

void stats_moments_reset(stats_moments_t *m)
{
    for (size_t v = 0; v < m->nvars; v++) {
        m->count[v] = 0;
        m->nonfinite[v] = 0;
        m->mean[v] = 0.0;
        m->m2[v] = 0.0;
        m->min[v] = INFINITY;
        m->max[v] = -INFINITY;
    }
}

void stats_moments_add(stats_moments_t *m, const double *x)
{
    for (size_t v = 0; v < m->nvars; v++) {
        double xv = x[v];
        if (!isfinite(xv)) {
            m->nonfinite[v]++;
            continue;
        }
        uint64_t n = ++m->count[v];
        double delta = xv - m->mean[v];
        m->mean[v] += delta / (double)n;
        m->m2[v] += delta * (xv - m->mean[v]);
        if (xv < m->min[v])
            m->min[v] = xv;
        if (xv > m->max[v])
            m->max[v] = xv;
    }
}

/* Whether every variable has the same count (then one count serves a whole row). */
static int counts_uniform(const stats_moments_t *m)
{
    uint64_t c0 = m->count[0], diff = 0;
#pragma omp simd reduction(| : diff)
    for (size_t v = 0; v < m->nvars; v++)
        diff |= m->count[v] ^ c0;
    return diff == 0;
}

static int row_finite(const double *x, size_t nvars)
{
    /* x * 0 is (+-)0 for a finite x and NaN for NaN and +-Inf: the sum is NaN exactly
     * when some value is not finite, in any order of addition (so it vectorises) */
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (size_t v = 0; v < nvars; v++)
        acc += x[v] * 0.0;
    return !isnan(acc);
}

/* stats_moments_add for a row of finite values when every count is n - 1: the same
 * operations in the same order per variable (so the same bits), without branches, so
 * that the loop over the variables vectorises. target_clones compiles it for AVX-512,
 * AVX2 and the SSE2 baseline (the division dominates: 8 lanes a divide instead of 2);
 * IEEE division, multiplication and addition round the same in every variant, and
 * -ffp-contract=off keeps them unfused, so every CPU gets the same bits
 * (test_moments_add_rows_equals_row_adds compares with the unvectorised add). */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void moments_add_finite(size_t nvars, uint64_t n, const double *restrict x,
                               uint64_t *restrict count, double *restrict mean,
                               double *restrict m2, double *restrict mn, double *restrict mx)
{
    double dn = (double)n;
#pragma omp simd
    for (size_t v = 0; v < nvars; v++) {
        double xv = x[v];
        double delta = xv - mean[v];
        double mu = mean[v] + delta / dn;
        mean[v] = mu;
        m2[v] = m2[v] + delta * (xv - mu);
        mn[v] = xv < mn[v] ? xv : mn[v];
        mx[v] = xv > mx[v] ? xv : mx[v];
        count[v] = n;
    }
}

void stats_moments_add_rows(stats_moments_t *m, const double *rows, size_t n)
{
    size_t V = m->nvars;
    int uniform = counts_uniform(m);
    for (size_t k = 0; k < n; k++) {
        const double *x = rows + k * V;
        if (uniform && row_finite(x, V)) {
            moments_add_finite(V, m->count[0] + 1, x, m->count, m->mean, m->m2, m->min,
                               m->max);
        } else {
            stats_moments_add(m, x);
            uniform = counts_uniform(m);
        }
    }
}

void stats_moments_merge(stats_moments_t *into, const stats_moments_t *from)
{
    for (size_t v = 0; v < into->nvars && v < from->nvars; v++) {
        into->nonfinite[v] += from->nonfinite[v];
        uint64_t nb = from->count[v];
        if (nb == 0)
            continue;
        uint64_t na = into->count[v];
        if (na == 0) {
            into->count[v] = nb;
            into->mean[v] = from->mean[v];
            into->m2[v] = from->m2[v];
            into->min[v] = from->min[v];
            into->max[v] = from->max[v];
            continue;
        }
        /* Chan, Golub & LeVeque (1979): exact for the pooled sample, stable when the
         * two parts have similar sizes. Evaluation order (part of the bitwise contract):
         * mean_a + d (n_b / n); (M2_a + M2_b) + d^2 (n_a n_b / n). */
        double n = (double)(na + nb);
        double delta = from->mean[v] - into->mean[v];
        into->mean[v] += delta * ((double)nb / n);
        into->m2[v] = into->m2[v] + from->m2[v]
                      + delta * delta * ((double)na * (double)nb / n);
        into->count[v] = na + nb;
        if (from->min[v] < into->min[v])
            into->min[v] = from->min[v];
        if (from->max[v] > into->max[v])
            into->max[v] = from->max[v];
    }
}

uint64_t stats_count(const stats_moments_t *m, size_t v)
{
    return m->count[v];
}

uint64_t stats_nonfinite_count(const stats_moments_t *m, size_t v)
{
    return m->nonfinite[v];
}

double stats_mean(const stats_moments_t *m, size_t v)
{
    return m->count[v] ? m->mean[v] : NAN;
}

double stats_sd(const stats_moments_t *m, size_t v)
{
    if (m->count[v] < 2)
        return NAN;
    return sqrt(m->m2[v] / (double)(m->count[v] - 1));
}

double stats_mcse(const stats_moments_t *m, size_t v)
{
    return stats_sd(m, v) / sqrt((double)m->count[v]);
}

double stats_min(const stats_moments_t *m, size_t v)
{
    return m->count[v] ? m->min[v] : NAN;
}

double stats_max(const stats_moments_t *m, size_t v)
{
    return m->count[v] ? m->max[v] : NAN;
}

/* ---- fine histograms ------------------------------------------------------------- */

/* a range a histogram can bin: finite, lo < hi, a representable bin width */
static int hist_range_ok(double lo, double hi)
{
    return isfinite(lo) && isfinite(hi) && lo < hi && isfinite(STATS_FINE_BINS / (hi - lo));
}

stats_hist_t *stats_hist_alloc(size_t nvars, const double *lo, const double *hi)
{
    if (nvars == 0)
        return NULL;
    for (size_t v = 0; v < nvars; v++)
        if (!hist_range_ok(lo[v], hi[v]))
            return NULL;
    stats_hist_t *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->nvars = nvars;
    h->lo = malloc(nvars * sizeof *h->lo);
    h->hi = malloc(nvars * sizeof *h->hi);
    h->scale = malloc(nvars * sizeof *h->scale);
    h->bins = calloc(nvars * STATS_FINE_BINS, sizeof *h->bins);
    h->under = calloc(nvars, sizeof *h->under);
    h->over = calloc(nvars, sizeof *h->over);
    h->nonfinite = calloc(nvars, sizeof *h->nonfinite);
    if (!h->lo || !h->hi || !h->scale || !h->bins || !h->under || !h->over
        || !h->nonfinite) {
        stats_hist_free(h);
        return NULL;
    }
    for (size_t v = 0; v < nvars; v++) {
        h->lo[v] = lo[v];
        h->hi[v] = hi[v];
        h->scale[v] = STATS_FINE_BINS / (hi[v] - lo[v]);
    }
    return h;
}

int stats_hist_reset_var(stats_hist_t *h, size_t v, double lo, double hi)
{
    assert(v < h->nvars);
    if (!hist_range_ok(lo, hi))
        return -1;
    memset(h->bins + v * STATS_FINE_BINS, 0, STATS_FINE_BINS * sizeof *h->bins);
    h->under[v] = h->over[v] = h->nonfinite[v] = 0;
    h->lo[v] = lo;
    h->hi[v] = hi;
    h->scale[v] = STATS_FINE_BINS / (hi - lo);
    return 0;
}

void stats_hist_free(stats_hist_t *h)
{
    if (!h)
        return;
    free(h->lo);
    free(h->hi);
    free(h->scale);
    free(h->bins);
    free(h->under);
    free(h->over);
    free(h->nonfinite);
    free(h);
}

_Static_assert(STATS_SLOT_NONFINITE <= UINT16_MAX, "a slot must fit a stats_slot_t");

/* Where x goes in variable v's histogram: a fine bin or one of the STATS_SLOT_ codes. */
static stats_slot_t hist_slot(double x, double lo, double hi, double scale)
{
    if (!isfinite(x))
        return STATS_SLOT_NONFINITE;
    if (x < lo)
        return STATS_SLOT_UNDER;
    if (x > hi)
        return STATS_SLOT_OVER;
    size_t b = (size_t)((x - lo) * scale);
    return (stats_slot_t)(b < STATS_FINE_BINS ? b : STATS_FINE_BINS - 1);
}

/* Count one value of variable v in slot s. */
static void hist_count(stats_hist_t *h, size_t v, stats_slot_t s)
{
    if (s < STATS_FINE_BINS)
        h->bins[v * STATS_FINE_BINS + s]++;
    else if (s == STATS_SLOT_UNDER)
        h->under[v]++;
    else if (s == STATS_SLOT_OVER)
        h->over[v]++;
    else
        h->nonfinite[v]++;
}

void stats_hist_add(stats_hist_t *h, const double *x)
{
    for (size_t v = 0; v < h->nvars; v++)
        hist_count(h, v, hist_slot(x[v], h->lo[v], h->hi[v], h->scale[v]));
}

/* hist_slot without branches (the same slot for every x), so that the loop over a
 * block's values vectorises: the bin is clamped to [0, STATS_FINE_BINS - 1] before the
 * conversion, which truncates like hist_slot's. Compiled for AVX-512, AVX2 and the
 * baseline (target_clones: gathers for the strided values; 1.00 -> 0.84 us per draw of
 * 442 variables in bench_stats), each the same subtraction, multiplication, comparisons
 * and truncation, so the same slots on every CPU (the slot tests compare with
 * hist_slot). */
__attribute__((target_clones("avx512f", "avx2", "default")))
void stats_hist_slots(const stats_hist_t *h, size_t v, const double *x, size_t stride,
                      size_t n, stats_slot_t *out)
{
    double lo = h->lo[v], hi = h->hi[v], scale = h->scale[v];
#pragma omp simd
    for (size_t k = 0; k < n; k++) {
        double xk = x[k * stride], t = (xk - lo) * scale;
        t = t > 0.0 ? t : 0.0;
        t = t < STATS_FINE_BINS - 1 ? t : STATS_FINE_BINS - 1;
        int b = (int)t;
        b = xk > hi ? STATS_SLOT_OVER : b;
        b = xk < lo ? STATS_SLOT_UNDER : b;
        b = xk * 0.0 != 0.0 ? STATS_SLOT_NONFINITE : b;   /* NaN, +-Inf */
        out[k] = (stats_slot_t)b;
    }
}

/* The slots are counted into two local 2-byte histograms (2 x 8 KB, in the core's
 * first-level cache: one add per slot, no branch, the out-of-range codes counted
 * alongside), which are then added to v's bins in one sequential pass: the bins of 442
 * variables do not stay in cache between chunks, and adding slot by slot to them would
 * miss the cache on every other slot. Two histograms, even and odd slots, because a
 * variable whose values share a bin (a constant, a change that is 0 in every draw)
 * otherwise makes each add wait for the previous one to the same counter: 0.40 ->
 * 0.16 us per draw of 442 variables (bench_stats). A round counts at most 65535 slots,
 * so no 2-byte counter overflows. Fewer slots than a pass over the bins would cost go
 * straight to the bins. */
enum { LOCAL_SLOTS = STATS_SLOT_NONFINITE + 1, ROUND_MAX = UINT16_MAX };

static void count_direct(stats_hist_t *h, size_t v, const stats_slot_t *slots,
                         const size_t *index, size_t n)
{
    for (size_t k = 0; k < n; k++)
        hist_count(h, v, slots[index ? index[k] : k]);
}

void stats_hist_add_slots(stats_hist_t *h, size_t v, const stats_slot_t *slots,
                          const size_t *index, size_t n)
{
    if (n < STATS_FINE_BINS / 8) {
        count_direct(h, v, slots, index, n);
        return;
    }
    uint16_t local[2][LOCAL_SLOTS];
    uint64_t *bins = h->bins + v * STATS_FINE_BINS;
    for (size_t done = 0; done < n;) {
        size_t m = n - done < ROUND_MAX ? n - done : ROUND_MAX, k = done, end = done + m;
        memset(local, 0, sizeof local);
        if (index) {
            for (; k + 1 < end; k += 2) {
                local[0][slots[index[k]]]++;
                local[1][slots[index[k + 1]]]++;
            }
            if (k < end)
                local[0][slots[index[k]]]++;
        } else {
            for (; k + 1 < end; k += 2) {
                local[0][slots[k]]++;
                local[1][slots[k + 1]]++;
            }
            if (k < end)
                local[0][slots[k]]++;
        }
        /* only the span the slots reached (found in the local counts, in cache): the
         * bins outside it are not written, so a narrow variable's pages of bins stay
         * untouched (4.5 MB of the default run's resident memory otherwise) */
        size_t first = 0, last = STATS_FINE_BINS;
        while (first < last && (local[0][first] | local[1][first]) == 0)
            first++;
        while (last > first && (local[0][last - 1] | local[1][last - 1]) == 0)
            last--;
        for (size_t b = first; b < last; b++)
            bins[b] += (uint64_t)local[0][b] + local[1][b];
        h->under[v] += (uint64_t)local[0][STATS_SLOT_UNDER] + local[1][STATS_SLOT_UNDER];
        h->over[v] += (uint64_t)local[0][STATS_SLOT_OVER] + local[1][STATS_SLOT_OVER];
        h->nonfinite[v] +=
            (uint64_t)local[0][STATS_SLOT_NONFINITE] + local[1][STATS_SLOT_NONFINITE];
        done += m;
    }
}

int stats_hist_merge(stats_hist_t *into, const stats_hist_t *from)
{
    if (into->nvars != from->nvars)
        return -1;
    for (size_t v = 0; v < into->nvars; v++)
        if (into->lo[v] != from->lo[v] || into->hi[v] != from->hi[v])
            return -1;
    size_t nb = into->nvars * STATS_FINE_BINS;
    for (size_t i = 0; i < nb; i++)
        into->bins[i] += from->bins[i];
    for (size_t v = 0; v < into->nvars; v++) {
        into->under[v] += from->under[v];
        into->over[v] += from->over[v];
        into->nonfinite[v] += from->nonfinite[v];
    }
    return 0;
}

uint64_t stats_hist_count(const stats_hist_t *h, size_t v)
{
    const uint64_t *bins = h->bins + v * STATS_FINE_BINS;
    uint64_t n = h->under[v] + h->over[v];
    /* integer sums: any order gives the same count, so let the compiler vectorise (the
     * summary of a point scans every variable's bins this way) */
#pragma omp simd reduction(+ : n)
    for (size_t b = 0; b < STATS_FINE_BINS; b++)
        n += bins[b];
    return n;
}

/* Edge b of variable v's fine bins; edge STATS_FINE_BINS is hi exactly. */
static double hist_edge(const stats_hist_t *h, size_t v, size_t b)
{
    if (b >= STATS_FINE_BINS)
        return h->hi[v];
    return h->lo[v] + (h->hi[v] - h->lo[v]) * ((double)b / STATS_FINE_BINS);
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

/* The value at fraction `frac` of [left, right], with [left, right] narrowed to the
 * known sample range. */
static double interpolate(double left, double right, double frac, double vmin,
                          double vmax)
{
    if (left < vmin)
        left = vmin;
    if (right > vmax)
        right = vmax;
    if (right < left)
        right = left;
    return clamp(left + frac * (right - left), vmin, vmax);
}

double stats_hist_quantile(const stats_hist_t *h, size_t v, double p, double vmin,
                           double vmax)
{
    double q;
    stats_hist_quantiles(h, v, &p, 1, vmin, vmax, &q);
    return q;
}

/* One walk over the bins for all the probabilities: a bin that the walk for p passed
 * (target(p) > cumulative count through it) is passed for every larger p too, with the
 * same running sum, so resuming where the last one stopped gives the same bits as a
 * fresh walk per p. */
void stats_hist_quantiles(const stats_hist_t *h, size_t v, const double *p, size_t np,
                          double vmin, double vmax, double *out)
{
    uint64_t n = stats_hist_count(h, v), cum = h->under[v];
    const uint64_t *bins = h->bins + v * STATS_FINE_BINS;
    double under = (double)h->under[v];
    size_t b = 0;
    for (size_t k = 0; k < np; k++) {
        assert(k == 0 || !(p[k] < p[k - 1]));
        if (n == 0 || isnan(p[k])) {
            out[k] = NAN;
            continue;
        }
        if (p[k] <= 0.0 || p[k] >= 1.0) {
            out[k] = p[k] <= 0.0 ? vmin : vmax;
            continue;
        }
        double target = p[k] * (double)n;
        if (h->under[v] > 0 && target <= under) {
            out[k] = interpolate(vmin, h->lo[v], target / under, vmin, vmax);
            continue;
        }
        /* The running count is an integer below 2^53, exact as a double: target <= cum
         * + c (in doubles) is cum + c >= ceil(target) (in integers), and the walk needs
         * no conversion per bin. */
        uint64_t need = (uint64_t)ceil(target);
        /* whole groups of bins that stay below need first (a sum the compiler
         * vectorises), then bin by bin */
        enum { GROUP = 16 };
        while (b + GROUP <= STATS_FINE_BINS) {
            uint64_t sum = 0;
#pragma omp simd reduction(+ : sum)
            for (size_t g = 0; g < GROUP; g++)
                sum += bins[b + g];
            if (cum + sum >= need)
                break;
            cum += sum;
            b += GROUP;
        }
        for (; b < STATS_FINE_BINS; b++) {
            if (bins[b] != 0 && cum + bins[b] >= need)
                break;
            cum += bins[b];
        }
        if (b < STATS_FINE_BINS)
            out[k] = interpolate(hist_edge(h, v, b), hist_edge(h, v, b + 1),
                                 (target - (double)cum) / (double)bins[b], vmin, vmax);
        else if (h->over[v] == 0)
            out[k] = vmax;
        else
            out[k] = interpolate(h->hi[v], vmax, (target - (double)cum) / (double)h->over[v],
                                 vmin, vmax);
    }
}

double stats_hist_quantile_error_bound(const stats_hist_t *h, size_t v)
{
    return (h->hi[v] - h->lo[v]) / STATS_FINE_BINS;
}

double stats_hist_quantiles_error_bound(const stats_hist_t *h, size_t v, double p_min,
                                        double p_max, double vmin, double vmax)
{
    double bound = stats_hist_quantile_error_bound(h, v);
    if (h->under[v] == 0 && h->over[v] == 0)
        return bound;   /* the usual case: no need to count the bins */
    double n = (double)stats_hist_count(h, v);
    /* a quantile in the underflow (overflow) mass is only known to lie between the
     * exact minimum and lo (hi and the exact maximum) */
    if (h->under[v] > 0 && p_min * n <= (double)h->under[v] && h->lo[v] - vmin > bound)
        bound = h->lo[v] - vmin;
    if (h->over[v] > 0 && p_max * n >= n - (double)h->over[v] && vmax - h->hi[v] > bound)
        bound = vmax - h->hi[v];
    return bound;
}

int stats_hist_coarse(const stats_hist_t *h, size_t v, int nbins, int64_t *counts,
                      double *edges, int64_t *under, int64_t *over)
{
    if (nbins < 1 || nbins > STATS_FINE_BINS)
        return -1;
    const uint64_t *bins = h->bins + v * STATS_FINE_BINS;
    size_t first = 0, last = STATS_FINE_BINS - 1;
    while (first < STATS_FINE_BINS && bins[first] == 0)
        first++;
    while (last > first && bins[last] == 0)
        last--;
    if (first == STATS_FINE_BINS) {    /* nothing in range: span the whole range */
        first = 0;
        last = STATS_FINE_BINS - 1;
    }
    size_t nb = (size_t)nbins;
    size_t occupied = last - first + 1;
    size_t group = (occupied + nb - 1) / nb;
    size_t start, width;
    int equal = nb * group <= STATS_FINE_BINS;
    if (equal) {
        /* Equal groups, the occupied bins centred in the window, kept inside [lo, hi]. */
        width = nb * group;
        size_t slack = (width - (occupied < width ? occupied : width)) / 2;
        start = first > slack ? first - slack : 0;
        if (start + width > STATS_FINE_BINS)
            start = STATS_FINE_BINS - width;
    } else {
        /* Equal groups would not fit: split exactly the occupied bins into groups of
         * floor or ceil(occupied / nbins) fine bins (here occupied > nbins). */
        start = first;
        width = occupied;
    }

    uint64_t below = h->under[v], above = h->over[v];
#pragma omp simd reduction(+ : below)
    for (size_t b = 0; b < start; b++)
        below += bins[b];
#pragma omp simd reduction(+ : above)
    for (size_t b = start + width; b < STATS_FINE_BINS; b++)
        above += bins[b];
    for (size_t i = 0; i < nb; i++) {
        size_t from = start + (equal ? i * group : i * width / nb);
        size_t to = start + (equal ? (i + 1) * group : (i + 1) * width / nb);
        uint64_t c = 0;
#pragma omp simd reduction(+ : c)
        for (size_t b = from; b < to; b++)
            c += bins[b];
        counts[i] = (int64_t)c;
        edges[i] = hist_edge(h, v, from);
    }
    edges[nb] = hist_edge(h, v, start + width);
    *under = (int64_t)below;
    *over = (int64_t)above;
    return 0;
}

void stats_range_from_pilot(const double *pilot, size_t npilot, size_t nvars,
                            double *lo, double *hi)
{
    for (size_t v = 0; v < nvars; v++) {
        double mn = INFINITY, mx = -INFINITY;
        for (size_t k = 0; k < npilot; k++) {
            double x = pilot[k * nvars + v];
            if (!isfinite(x))
                continue;
            if (x < mn)
                mn = x;
            if (x > mx)
                mx = x;
        }
        if (mn > mx) {
            lo[v] = -1.0;
            hi[v] = 1.0;
            continue;
        }
        double pad = 0.25 * (mx - mn);
        /* A constant pilot (or one whose spread is lost in rounding) still needs a
         * range with lo < hi and a representable bin width. */
        double tiny = 1e-6 * fmax(fabs(mn), fmax(fabs(mx), 1.0));
        if (pad < tiny)
            pad = tiny;
        lo[v] = mn - pad;
        hi[v] = mx + pad;
    }
}
