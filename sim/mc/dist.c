/*
 * dist.c - the marginal distributions of random inputs (see dist.h): validation,
 * quantile, CDF and moments.
 */
#include "dist.h"
#include "error.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

/* A truncated normal whose range holds less probability than this is rejected: its
 * quantile function would be all rounding error. */
#define TRUNC_MIN_MASS 1e-300

const char *dist_kind_name(dist_kind_t kind)
{
    switch (kind) {
    case DIST_FIXED: return "fixed";
    case DIST_NORMAL: return "normal";
    case DIST_LOGNORMAL: return "lognormal";
    case DIST_TRUNCNORMAL: return "truncated_normal";
    case DIST_UNIFORM: return "uniform";
    case DIST_TRIANGULAR: return "triangular";
    case DIST_BETA: return "beta";
    case DIST_PERT: return "pert";
    case DIST_EMPIRICAL: return "empirical";
    }
    return "unknown";
}

/* ---- truncated normal: everything in standard units, worked in whichever tail keeps
 * the range's probability accurate. ---------------------------------------------- */

static dist_trunc_t trunc_compute(const dist_t *d)
{
    dist_trunc_t t;
    t.ready = 0;
    t.alpha = (d->p[2] - d->p[0]) / d->p[1];
    t.beta = (d->p[3] - d->p[0]) / d->p[1];
    t.upper = t.alpha >= 0.0;
    if (t.upper) {
        t.fa = gsl_cdf_ugaussian_Q(t.alpha);
        t.fb = gsl_cdf_ugaussian_Q(t.beta);
        t.mass = t.fa - t.fb;
    } else {
        t.fa = gsl_cdf_ugaussian_P(t.alpha);
        t.fb = gsl_cdf_ugaussian_P(t.beta);
        t.mass = t.fb - t.fa;
    }
    return t;
}

/* dist_prepare's cache, else the same numbers computed now */
static dist_trunc_t trunc_setup(const dist_t *d)
{
    return d->trunc.ready ? d->trunc : trunc_compute(d);
}

void dist_prepare(dist_t *d)
{
    assert(d);
    if (d->kind == DIST_TRUNCNORMAL) {
        d->trunc = trunc_compute(d);
        d->trunc.ready = 1;
    }
}

static double trunc_quantile(const dist_t *d, double u)
{
    if (u <= 0.0)
        return d->p[2];
    if (u >= 1.0)
        return d->p[3];
    dist_trunc_t t = trunc_setup(d);
    double z = t.upper ? gsl_cdf_ugaussian_Qinv(t.fa - u * t.mass)
                       : gsl_cdf_ugaussian_Pinv(t.fa + u * t.mass);
    double x = d->p[0] + d->p[1] * z;
    return x < d->p[2] ? d->p[2] : (x > d->p[3] ? d->p[3] : x);
}

static double trunc_cdf(const dist_t *d, double x)
{
    if (x <= d->p[2])
        return 0.0;
    if (x >= d->p[3])
        return 1.0;
    dist_trunc_t t = trunc_setup(d);
    double z = (x - d->p[0]) / d->p[1];
    double f = t.upper ? (t.fa - gsl_cdf_ugaussian_Q(z)) / t.mass
                       : (gsl_cdf_ugaussian_P(z) - t.fa) / t.mass;
    return f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
}

/* z * phi(z), 0 at infinite z. */
static double z_phi(double z)
{
    return isinf(z) ? 0.0 : z * gsl_ran_ugaussian_pdf(z);
}

static void trunc_moments(const dist_t *d, double *mean, double *var)
{
    dist_trunc_t t = trunc_setup(d);
    double pa = gsl_ran_ugaussian_pdf(t.alpha), pb = gsl_ran_ugaussian_pdf(t.beta);
    double r = (pa - pb) / t.mass;
    *mean = d->p[0] + d->p[1] * r;
    *var = d->p[1] * d->p[1] * (1.0 + (z_phi(t.alpha) - z_phi(t.beta)) / t.mass - r * r);
}

/* ---- PERT as a scaled beta ----------------------------------------------------------- */

static void pert_shape(const dist_t *d, double *a, double *b)
{
    double range = d->p[2] - d->p[0];
    *a = 1.0 + d->p[3] * (d->p[1] - d->p[0]) / range;
    *b = 1.0 + d->p[3] * (d->p[2] - d->p[1]) / range;
}

/* Beta shape and support [lo, hi] of a beta or PERT dist. */
void dist_beta_shape(const dist_t *d, double *a, double *b, double *lo, double *hi)
{
    if (d->kind == DIST_PERT) {
        pert_shape(d, a, b);
        *lo = d->p[0];
        *hi = d->p[2];
    } else {
        *a = d->p[0];
        *b = d->p[1];
        *lo = d->p[2];
        *hi = d->p[3];
    }
}

/* ---- the beta quantile ----------------------------------------------------------------
 * gsl_cdf_beta_Pinv costs ~2.5 us, as much as an equilibrium solve, and the copula needs
 * one per correlated beta / PERT input per draw. Halley's method on I_x(a, b) - u from
 * a good start (Abramowitz & Stegun 26.5.22 when a, b >= 1, the tails of the density
 * otherwise) converges in 2-4 CDF evaluations; every iterate is kept inside a bracket of
 * the root (bisecting when a step leaves it), and GSL's routine remains the fallback. */

#define BETA_MAX_ITER 60
#define BETA_REL_TOL 1e-14

static double beta_start(double u, double a, double b)
{
    if (a >= 1.0 && b >= 1.0) {
        double y = gsl_cdf_ugaussian_Qinv(u);
        double lam = (y * y - 3.0) / 6.0;
        double h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        double w = y * sqrt(h + lam) / h
                   - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0))
                     * (lam + 5.0 / 6.0 - 2.0 / (3.0 * h));
        return a / (a + b * exp(2.0 * w));
    }
    double t = exp(a * log(a / (a + b))) / a, v = exp(b * log(b / (a + b))) / b;
    double w = t + v;
    return u < t / w ? pow(a * w * u, 1.0 / a) : 1.0 - pow(b * w * (1.0 - u), 1.0 / b);
}

/* x in [0, 1] with I_x(a, b) = u, for u <= 0.5; -1 when not converged. */
static double beta_halley(double u, double a, double b)
{
    double lbeta = gsl_sf_lnbeta(a, b);
    double lo = 0.0, hi = 1.0, x = beta_start(u, a, b);
    for (int it = 0; it < BETA_MAX_ITER; it++) {
        if (!(x > lo && x < hi))
            x = 0.5 * (lo + hi);
        double f = gsl_cdf_beta_P(x, a, b) - u;
        if (f == 0.0)
            return x;
        if (f < 0.0)
            lo = x;
        else
            hi = x;
        double pdf = exp((a - 1.0) * log(x) + (b - 1.0) * log1p(-x) - lbeta);
        double step = f / pdf;
        double curvature = (a - 1.0) / x - (b - 1.0) / (1.0 - x);
        step /= 1.0 - 0.5 * fmin(1.0, step * curvature);
        double next = x - step;
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        if (fabs(next - x) <= BETA_REL_TOL * x || hi - lo <= BETA_REL_TOL * lo)
            return next;
        x = next;
    }
    return -1.0;
}

static double beta_quantile(double u, double a, double b)
{
    if (u <= 0.0)
        return 0.0;
    if (u >= 1.0)
        return 1.0;
    /* Solve in the lower half: I_x(a, b) = u  <=>  I_{1-x}(b, a) = 1 - u (exact). */
    int mirror = u > 0.5;
    double x = mirror ? beta_halley(1.0 - u, b, a) : beta_halley(u, a, b);
    if (x < 0.0)
        return gsl_cdf_beta_Pinv(u, a, b);
    return mirror ? 1.0 - x : x;
}

/* ---- validation ---------------------------------------------------------------------- */

static int check_finite(const dist_t *d, int np, char *err, size_t errlen)
{
    for (int k = 0; k < np; k++) {
        if (!isfinite(d->p[k])) {
            error_format(err, errlen, "%s: parameter %d must be finite (got %g)",
                    dist_kind_name(d->kind), k + 1, d->p[k]);
            return -1;
        }
    }
    return 0;
}

static int check_positive(const dist_t *d, int k, const char *what, char *err,
                          size_t errlen)
{
    if (!(d->p[k] > 0.0)) {
        error_format(err, errlen, "%s: %s must be > 0 (got %g)", dist_kind_name(d->kind), what,
                d->p[k]);
        return -1;
    }
    return 0;
}

static int check_range(const dist_t *d, double lo, double hi, char *err, size_t errlen)
{
    if (!(lo < hi)) {
        error_format(err, errlen, "%s: lower must be < upper (got lower %g, upper %g)",
                dist_kind_name(d->kind), lo, hi);
        return -1;
    }
    return 0;
}

static int check_mode(const dist_t *d, char *err, size_t errlen)
{
    if (check_range(d, d->p[0], d->p[2], err, errlen))
        return -1;
    if (d->p[1] < d->p[0] || d->p[1] > d->p[2]) {
        error_format(err, errlen, "%s: mode must be within [lower, upper] (got mode %g, "
                "lower %g, upper %g)", dist_kind_name(d->kind), d->p[1], d->p[0], d->p[2]);
        return -1;
    }
    return 0;
}

static int validate_truncnormal(const dist_t *d, char *err, size_t errlen)
{
    if (check_finite(d, 2, err, errlen) || check_positive(d, 1, "sd", err, errlen))
        return -1;
    if (isnan(d->p[2]) || isnan(d->p[3])) {
        error_format(err, errlen, "truncated_normal: lower and upper must be numbers");
        return -1;
    }
    if (check_range(d, d->p[2], d->p[3], err, errlen))
        return -1;
    if (!(trunc_compute(d).mass > TRUNC_MIN_MASS)) {
        error_format(err, errlen, "truncated_normal: the range [%g, %g] has no probability under "
                "normal(%g, %g)", d->p[2], d->p[3], d->p[0], d->p[1]);
        return -1;
    }
    return 0;
}

static int validate_empirical(const dist_t *d, char *err, size_t errlen)
{
    if (d->n_values < 1 || !d->values) {
        error_format(err, errlen, "empirical: needs at least one value");
        return -1;
    }
    for (size_t k = 0; k < d->n_values; k++) {
        if (!isfinite(d->values[k])) {
            error_format(err, errlen, "empirical: value %zu must be finite (got %g)", k + 1,
                    d->values[k]);
            return -1;
        }
    }
    return 0;
}

int dist_validate(const dist_t *d, char *err, size_t errlen)
{
    switch (d->kind) {
    case DIST_FIXED:
        return check_finite(d, 1, err, errlen);
    case DIST_NORMAL:
        return check_finite(d, 2, err, errlen) || check_positive(d, 1, "sd", err, errlen)
               ? -1 : 0;
    case DIST_LOGNORMAL:
        return check_finite(d, 2, err, errlen)
               || check_positive(d, 1, "sdlog", err, errlen) ? -1 : 0;
    case DIST_TRUNCNORMAL:
        return validate_truncnormal(d, err, errlen);
    case DIST_UNIFORM:
        return check_finite(d, 2, err, errlen)
               || check_range(d, d->p[0], d->p[1], err, errlen) ? -1 : 0;
    case DIST_TRIANGULAR:
        return check_finite(d, 3, err, errlen) || check_mode(d, err, errlen) ? -1 : 0;
    case DIST_BETA:
        return check_finite(d, 4, err, errlen)
               || check_positive(d, 0, "alpha", err, errlen)
               || check_positive(d, 1, "beta", err, errlen)
               || check_range(d, d->p[2], d->p[3], err, errlen) ? -1 : 0;
    case DIST_PERT:
        return check_finite(d, 4, err, errlen) || check_mode(d, err, errlen)
               || check_positive(d, 3, "lambda", err, errlen) ? -1 : 0;
    case DIST_EMPIRICAL:
        return validate_empirical(d, err, errlen);
    }
    error_format(err, errlen, "unknown distribution kind %d", (int)d->kind);
    return -1;
}

/* ---- quantile, CDF, moments ------------------------------------------------------- */

static double triangular_quantile(const dist_t *d, double u)
{
    double a = d->p[0], c = d->p[1], b = d->p[2];
    double fc = (c - a) / (b - a);
    if (u < fc)
        return a + sqrt(u * (b - a) * (c - a));
    return b - sqrt((1.0 - u) * (b - a) * (b - c));
}

static double triangular_cdf(const dist_t *d, double x)
{
    double a = d->p[0], c = d->p[1], b = d->p[2];
    if (x <= a)
        return 0.0;
    if (x >= b)
        return 1.0;
    if (x <= c)
        return (x - a) * (x - a) / ((b - a) * (c - a));
    return 1.0 - (b - x) * (b - x) / ((b - a) * (b - c));
}

static double empirical_quantile(const dist_t *d, double u)
{
    double k = ceil(u * (double)d->n_values) - 1.0;
    if (k < 0.0)
        k = 0.0;
    if (k > (double)(d->n_values - 1))
        k = (double)(d->n_values - 1);
    return d->values[(size_t)k];
}

/* Number of sorted values <= x. */
static size_t empirical_rank(const dist_t *d, double x)
{
    size_t lo = 0, hi = d->n_values;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->values[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double dist_quantile(const dist_t *d, double u)
{
    if (!(u > 0.0))
        u = 0.0;        /* NaN too: a defined value rather than a NaN downstream */
    if (u > 1.0)
        u = 1.0;
    double a, b, lo, hi;
    switch (d->kind) {
    case DIST_FIXED:
        return d->p[0];
    case DIST_NORMAL:
        return d->p[0] + d->p[1] * gsl_cdf_ugaussian_Pinv(u);
    case DIST_LOGNORMAL:
        return exp(d->p[0] + d->p[1] * gsl_cdf_ugaussian_Pinv(u));
    case DIST_TRUNCNORMAL:
        return trunc_quantile(d, u);
    case DIST_UNIFORM:
        return d->p[0] + u * (d->p[1] - d->p[0]);
    case DIST_TRIANGULAR:
        return triangular_quantile(d, u);
    case DIST_BETA:
    case DIST_PERT:
        dist_beta_shape(d, &a, &b, &lo, &hi);
        return lo + (hi - lo) * beta_quantile(u, a, b);
    case DIST_EMPIRICAL:
        return empirical_quantile(d, u);
    }
    return NAN;
}

double dist_cdf(const dist_t *d, double x)
{
    double a, b, lo, hi;
    switch (d->kind) {
    case DIST_FIXED:
        return x >= d->p[0] ? 1.0 : 0.0;
    case DIST_NORMAL:
        return gsl_cdf_gaussian_P(x - d->p[0], d->p[1]);
    case DIST_LOGNORMAL:
        return x <= 0.0 ? 0.0 : gsl_cdf_lognormal_P(x, d->p[0], d->p[1]);
    case DIST_TRUNCNORMAL:
        return trunc_cdf(d, x);
    case DIST_UNIFORM:
        return x <= d->p[0] ? 0.0 : x >= d->p[1] ? 1.0
               : (x - d->p[0]) / (d->p[1] - d->p[0]);
    case DIST_TRIANGULAR:
        return triangular_cdf(d, x);
    case DIST_BETA:
    case DIST_PERT:
        dist_beta_shape(d, &a, &b, &lo, &hi);
        if (x <= lo)
            return 0.0;
        if (x >= hi)
            return 1.0;
        return gsl_cdf_beta_P((x - lo) / (hi - lo), a, b);
    case DIST_EMPIRICAL:
        return (double)empirical_rank(d, x) / (double)d->n_values;
    }
    return NAN;
}

static void empirical_moments(const dist_t *d, double *mean, double *var)
{
    double m = 0.0, m2 = 0.0;
    for (size_t k = 0; k < d->n_values; k++) {
        double delta = d->values[k] - m;
        m += delta / (double)(k + 1);
        m2 += delta * (d->values[k] - m);
    }
    *mean = m;
    *var = m2 / (double)d->n_values;
}

static void dist_moments(const dist_t *d, double *mean, double *var)
{
    double a, b, lo, hi, s2;
    switch (d->kind) {
    case DIST_FIXED:
        *mean = d->p[0];
        *var = 0.0;
        return;
    case DIST_NORMAL:
        *mean = d->p[0];
        *var = d->p[1] * d->p[1];
        return;
    case DIST_LOGNORMAL:
        s2 = d->p[1] * d->p[1];
        *mean = exp(d->p[0] + 0.5 * s2);
        *var = expm1(s2) * exp(2.0 * d->p[0] + s2);
        return;
    case DIST_TRUNCNORMAL:
        trunc_moments(d, mean, var);
        return;
    case DIST_UNIFORM:
        *mean = 0.5 * (d->p[0] + d->p[1]);
        *var = (d->p[1] - d->p[0]) * (d->p[1] - d->p[0]) / 12.0;
        return;
    case DIST_TRIANGULAR:
        a = d->p[0];
        b = d->p[2];
        lo = d->p[1];    /* the mode */
        *mean = (a + lo + b) / 3.0;
        *var = (a * a + b * b + lo * lo - a * b - a * lo - b * lo) / 18.0;
        return;
    case DIST_BETA:
    case DIST_PERT:
        dist_beta_shape(d, &a, &b, &lo, &hi);
        *mean = lo + (hi - lo) * a / (a + b);
        *var = (hi - lo) * (hi - lo) * a * b / ((a + b) * (a + b) * (a + b + 1.0));
        return;
    case DIST_EMPIRICAL:
        empirical_moments(d, mean, var);
        return;
    }
    *mean = *var = NAN;
}

double dist_mean(const dist_t *d)
{
    double mean, var;
    dist_moments(d, &mean, &var);
    return mean;
}

double dist_variance(const dist_t *d)
{
    double mean, var;
    dist_moments(d, &mean, &var);
    return var;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void dist_sort_values(dist_t *d)
{
    if (d->kind == DIST_EMPIRICAL && d->values && d->n_values > 1)
        qsort(d->values, d->n_values, sizeof *d->values, compare_double);
}

int dist_copy(dist_t *dst, const dist_t *src)
{
    *dst = *src;
    dst->values = NULL;
    dst->n_values = 0;
    if (src->values && src->n_values > 0) {
        dst->values = malloc(src->n_values * sizeof *dst->values);
        if (!dst->values)
            return -1;
        memcpy(dst->values, src->values, src->n_values * sizeof *dst->values);
        dst->n_values = src->n_values;
    }
    return 0;
}

void dist_free_values(dist_t *d)
{
    free(d->values);
    d->values = NULL;
    d->n_values = 0;
}
