/*
 * sample.c - marginals, the Gaussian copula, regimes, and applying inputs to shocks
 * (see sample.h).
 */
#include "sample.h"
#include "../models/error.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "rng.h"

/* A truncated normal whose range holds less probability than this is rejected: its
 * quantile function would be all rounding error. */
#define TRUNC_MIN_MASS 1e-300
#define CORRELATION_TOL 1e-12
#define REGIME_SUM_TOL 1e-6

static const char *dist_name(dist_kind_t kind)
{
    switch (kind) {
    case DIST_FIXED: return "fixed";
    case DIST_NORMAL: return "normal";
    case DIST_LOGNORMAL: return "lognormal";
    case DIST_TRUNCNORMAL: return "truncnormal";
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

typedef struct {
    double alpha, beta;   /* standardised bounds */
    int upper;            /* 1: range lies above the mean, use Q = 1 - Phi */
    double fa, fb;        /* Phi (or Q) at alpha and beta */
    double mass;          /* probability of the range */
} trunc_t;

static trunc_t trunc_setup(const dist_t *d)
{
    trunc_t t;
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

static double trunc_quantile(const dist_t *d, double u)
{
    if (u <= 0.0)
        return d->p[2];
    if (u >= 1.0)
        return d->p[3];
    trunc_t t = trunc_setup(d);
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
    trunc_t t = trunc_setup(d);
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
    trunc_t t = trunc_setup(d);
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
static void beta_params(const dist_t *d, double *a, double *b, double *lo, double *hi)
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
                    dist_name(d->kind), k + 1, d->p[k]);
            return -1;
        }
    }
    return 0;
}

static int check_positive(const dist_t *d, int k, const char *what, char *err,
                          size_t errlen)
{
    if (!(d->p[k] > 0.0)) {
        error_format(err, errlen, "%s: %s must be > 0 (got %g)", dist_name(d->kind), what,
                d->p[k]);
        return -1;
    }
    return 0;
}

static int check_range(const dist_t *d, double lo, double hi, char *err, size_t errlen)
{
    if (!(lo < hi)) {
        error_format(err, errlen, "%s: lower must be < upper (got lower %g, upper %g)",
                dist_name(d->kind), lo, hi);
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
                "lower %g, upper %g)", dist_name(d->kind), d->p[1], d->p[0], d->p[2]);
        return -1;
    }
    return 0;
}

static int validate_truncnormal(const dist_t *d, char *err, size_t errlen)
{
    if (check_finite(d, 2, err, errlen) || check_positive(d, 1, "sd", err, errlen))
        return -1;
    if (isnan(d->p[2]) || isnan(d->p[3])) {
        error_format(err, errlen, "truncnormal: lower and upper must be numbers");
        return -1;
    }
    if (check_range(d, d->p[2], d->p[3], err, errlen))
        return -1;
    if (!(trunc_setup(d).mass > TRUNC_MIN_MASS)) {
        error_format(err, errlen, "truncnormal: the range [%g, %g] has no probability under "
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
        beta_params(d, &a, &b, &lo, &hi);
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
        beta_params(d, &a, &b, &lo, &hi);
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
        beta_params(d, &a, &b, &lo, &hi);
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

/* ---- the sampler -------------------------------------------------------------------- */

struct sampler {
    int n_inputs;
    dist_t *dists;          /* deep copies, empirical values sorted */
    double *shape_a, *shape_b;  /* beta shapes of beta / PERT inputs */
    int n_corr;             /* inputs that go through the copula */
    int *corr_index;        /* their input indices, ascending */
    double *chol;           /* n_corr x n_corr lower Cholesky factor, row-major */
    int n_regimes;
    double *regime_cum;     /* cumulative probabilities, the last exactly 1 */
};

struct sample_workspace {
    gsl_rng *rng;
    double *z;              /* n_corr independent standard normals */
};

static int copy_dists(sampler_t *s, const input_spec_t *inputs, char *err, size_t errlen)
{
    for (int i = 0; i < s->n_inputs; i++) {
        char msg[256];
        if (dist_validate(&inputs[i].dist, msg, sizeof msg)) {
            error_format(err, errlen, "input '%s': %s", inputs[i].name, msg);
            return -1;
        }
        if (dist_copy(&s->dists[i], &inputs[i].dist)) {
            error_format(err, errlen, "out of memory copying input '%s'", inputs[i].name);
            return -1;
        }
        dist_sort_values(&s->dists[i]);
        double lo, hi;
        if (s->dists[i].kind == DIST_BETA || s->dists[i].kind == DIST_PERT)
            beta_params(&s->dists[i], &s->shape_a[i], &s->shape_b[i], &lo, &hi);
    }
    return 0;
}

static int check_correlation(const input_spec_t *inputs, int n, const double *c,
                             char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        if (!(fabs(c[i * n + i] - 1.0) <= CORRELATION_TOL)) {
            error_format(err, errlen, "correlation of input '%s' with itself must be 1 (got %g)",
                    inputs[i].name, c[i * n + i]);
            return -1;
        }
        for (int j = 0; j < i; j++) {
            double r = c[i * n + j], rt = c[j * n + i];
            if (!(fabs(r) <= 1.0) || !(fabs(r - rt) <= CORRELATION_TOL)) {
                error_format(err, errlen, "correlation of inputs '%s' and '%s' must be "
                        "symmetric and within [-1, 1] (got %g and %g)",
                        inputs[i].name, inputs[j].name, r, rt);
                return -1;
            }
        }
    }
    return 0;
}

/* Cholesky factor of the k x k leading block of the correlated inputs' matrix into
 * m (resized view); GSL_EDOM when that block is not positive definite. */
static int cholesky_leading(const sampler_t *s, int n, const double *c, int k,
                            gsl_matrix *m)
{
    gsl_matrix_view block = gsl_matrix_submatrix(m, 0, 0, (size_t)k, (size_t)k);
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++)
            gsl_matrix_set(&block.matrix, (size_t)a, (size_t)b,
                           c[s->corr_index[a] * n + s->corr_index[b]]);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_linalg_cholesky_decomp1(&block.matrix);
    gsl_set_error_handler(old);
    return status;
}

static int setup_copula(sampler_t *s, const input_spec_t *inputs, const double *c,
                        char *err, size_t errlen)
{
    int n = s->n_inputs;
    if (check_correlation(inputs, n, c, err, errlen))
        return -1;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (j != i && c[i * n + j] != 0.0) {
                s->corr_index[s->n_corr++] = i;
                break;
            }
        }
    }
    if (s->n_corr == 0)
        return 0;
    int k = s->n_corr;
    gsl_matrix *m = gsl_matrix_alloc((size_t)k, (size_t)k);
    s->chol = calloc((size_t)k * (size_t)k, sizeof *s->chol);
    if (!m || !s->chol) {
        gsl_matrix_free(m);
        error_format(err, errlen, "out of memory for the correlation matrix");
        return -1;
    }
    int status = cholesky_leading(s, n, c, k, m);
    if (status) {
        /* Name the first input whose row makes a leading block non-positive-definite:
         * that is where the matrix stops being a correlation matrix. */
        int bad = k;
        for (int kk = 2; kk < k; kk++) {
            if (cholesky_leading(s, n, c, kk, m)) {
                bad = kk;
                break;
            }
        }
        error_format(err, errlen, "correlation matrix is not positive definite: input '%s' "
                "is inconsistent with the correlations of the inputs listed before it "
                "(a correlation of +-1 is not allowed either)",
                inputs[s->corr_index[bad - 1]].name);
        gsl_matrix_free(m);
        return -1;
    }
    for (int a = 0; a < k; a++)
        for (int b = 0; b <= a; b++)
            s->chol[a * k + b] = gsl_matrix_get(m, (size_t)a, (size_t)b);
    gsl_matrix_free(m);
    return 0;
}

static int setup_regimes(sampler_t *s, const double *prob, int n, char *err,
                         size_t errlen)
{
    if (n == 0)
        return 0;
    if (!prob) {
        error_format(err, errlen, "%d regimes but no probabilities", n);
        return -1;
    }
    double sum = 0.0;
    for (int r = 0; r < n; r++) {
        if (!(prob[r] >= 0.0) || !isfinite(prob[r])) {
            error_format(err, errlen, "regime %d: probability must be >= 0 (got %g)", r + 1,
                    prob[r]);
            return -1;
        }
        sum += prob[r];
    }
    if (!(fabs(sum - 1.0) <= REGIME_SUM_TOL)) {
        error_format(err, errlen, "regime probabilities must sum to 1 (got %.9g)", sum);
        return -1;
    }
    s->regime_cum = malloc((size_t)n * sizeof *s->regime_cum);
    if (!s->regime_cum) {
        error_format(err, errlen, "out of memory for regimes");
        return -1;
    }
    double cum = 0.0;
    int last_positive = 0;
    for (int r = 0; r < n; r++) {
        cum += prob[r];
        s->regime_cum[r] = cum / sum;
        if (prob[r] > 0.0)
            last_positive = r;
    }
    /* u < 1 always: the last regime with positive probability takes whatever rounding
     * left above its cumulative sum, and zero-probability regimes after it are never
     * reached. */
    for (int r = last_positive; r < n; r++)
        s->regime_cum[r] = 1.0;
    s->n_regimes = n;
    return 0;
}

sampler_t *sampler_alloc(const input_spec_t *inputs, int n_inputs,
                         const double *correlation, const double *regime_prob,
                         int n_regimes, char *err, size_t errlen)
{
    if (n_inputs < 0 || n_regimes < 0 || (n_inputs > 0 && !inputs)) {
        error_format(err, errlen, "bad sampler arguments (%d inputs, %d regimes)", n_inputs,
                n_regimes);
        return NULL;
    }
    sampler_t *s = calloc(1, sizeof *s);
    if (!s) {
        error_format(err, errlen, "out of memory for the sampler");
        return NULL;
    }
    size_t n = n_inputs > 0 ? (size_t)n_inputs : 1;
    s->n_inputs = n_inputs;
    s->dists = calloc(n, sizeof *s->dists);
    s->shape_a = calloc(n, sizeof *s->shape_a);
    s->shape_b = calloc(n, sizeof *s->shape_b);
    s->corr_index = calloc(n, sizeof *s->corr_index);
    if (!s->dists || !s->shape_a || !s->shape_b || !s->corr_index) {
        error_format(err, errlen, "out of memory for the sampler");
        sampler_free(s);
        return NULL;
    }
    if (copy_dists(s, inputs, err, errlen)
        || (correlation && setup_copula(s, inputs, correlation, err, errlen))
        || setup_regimes(s, regime_prob, n_regimes, err, errlen)) {
        sampler_free(s);
        return NULL;
    }
    return s;
}

void sampler_free(sampler_t *s)
{
    if (!s)
        return;
    if (s->dists)
        for (int i = 0; i < s->n_inputs; i++)
            dist_free_values(&s->dists[i]);
    free(s->dists);
    free(s->shape_a);
    free(s->shape_b);
    free(s->corr_index);
    free(s->chol);
    free(s->regime_cum);
    free(s);
}

int sampler_n_inputs(const sampler_t *s)
{
    return s->n_inputs;
}

sample_workspace_t *sample_workspace_alloc(const sampler_t *s)
{
    sample_workspace_t *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->rng = rng_alloc();
    ws->z = calloc(s->n_corr > 0 ? (size_t)s->n_corr : 1, sizeof *ws->z);
    if (!ws->rng || !ws->z) {
        sample_workspace_free(ws);
        return NULL;
    }
    return ws;
}

void sample_workspace_free(sample_workspace_t *ws)
{
    if (!ws)
        return;
    if (ws->rng)
        gsl_rng_free(ws->rng);
    free(ws->z);
    free(ws);
}

/* An independent draw from input i's marginal, by the fastest exact method. */
static double draw_direct(const sampler_t *s, int i, gsl_rng *r)
{
    const dist_t *d = &s->dists[i];
    switch (d->kind) {
    case DIST_FIXED:
        return d->p[0];
    case DIST_NORMAL:
        return d->p[0] + gsl_ran_gaussian_ziggurat(r, d->p[1]);
    case DIST_LOGNORMAL:
        return exp(d->p[0] + gsl_ran_gaussian_ziggurat(r, d->p[1]));
    case DIST_UNIFORM:
        return d->p[0] + gsl_rng_uniform(r) * (d->p[1] - d->p[0]);
    case DIST_BETA:
        return d->p[2] + (d->p[3] - d->p[2]) * gsl_ran_beta(r, s->shape_a[i], s->shape_b[i]);
    case DIST_PERT:
        return d->p[0] + (d->p[2] - d->p[0]) * gsl_ran_beta(r, s->shape_a[i], s->shape_b[i]);
    case DIST_EMPIRICAL:
        return d->values[gsl_rng_uniform_int(r, d->n_values)];
    case DIST_TRUNCNORMAL:
    case DIST_TRIANGULAR:
        break;
    }
    return dist_quantile(d, gsl_rng_uniform(r));
}

/* Input i's value for the correlated standard normal zc. */
static double from_normal_score(const dist_t *d, double zc)
{
    switch (d->kind) {
    case DIST_NORMAL:
        return d->p[0] + d->p[1] * zc;
    case DIST_LOGNORMAL:
        return exp(d->p[0] + d->p[1] * zc);
    default:
        return dist_quantile(d, gsl_cdf_ugaussian_P(zc));
    }
}

int sampler_draw(const sampler_t *s, sample_workspace_t *ws, uint64_t seed,
                 uint64_t draw, double *values, int *regime)
{
    gsl_rng *r = ws->rng;
    int next_corr = 0;
    for (int i = 0; i < s->n_inputs; i++) {
        rng_set_stream(r, seed, draw, (uint32_t)i);
        if (next_corr < s->n_corr && s->corr_index[next_corr] == i)
            ws->z[next_corr++] = gsl_ran_gaussian_ziggurat(r, 1.0);
        else
            values[i] = draw_direct(s, i, r);
    }
    int k = s->n_corr;
    for (int a = 0; a < k; a++) {
        double zc = 0.0;
        for (int b = 0; b <= a; b++)
            zc += s->chol[a * k + b] * ws->z[b];
        int i = s->corr_index[a];
        values[i] = from_normal_score(&s->dists[i], zc);
    }
    if (regime) {
        *regime = -1;
        if (s->n_regimes > 0) {
            rng_set_stream(r, seed, draw, SAMPLE_REGIME_STREAM);
            double u = gsl_rng_uniform(r);
            int g = 0;
            while (g < s->n_regimes - 1 && !(u < s->regime_cum[g]))
                g++;
            *regime = g;
        }
    }
    return 0;
}

/* ---- applying inputs to shocks ------------------------------------------------------ */

static void apply_one(double *param, input_apply_t how, double value)
{
    *param = how == APPLY_OVERRIDE ? value : *param * value;
}

void sample_apply(const input_spec_t *inputs, int n_inputs, const double *values,
                  const market_t *market, shocks_t *shocks)
{
    shocks_reset_baseline(shocks, market);
    int ne = shocks->n_exporters, ni = shocks->n_importers;
    for (int k = 0; k < n_inputs; k++) {
        const input_spec_t *in = &inputs[k];
        int e = in->exporter, m = in->importer;
        int has_e = e >= 0 && e < ne, has_m = m >= 0 && m < ni;
        double x = values[k];
        switch (in->target) {
        case TARGET_YIELD:
            if (has_e) apply_one(&shocks->yield[e], in->apply, x);
            break;
        case TARGET_DOMESTIC_DEMAND:
            if (has_e) apply_one(&shocks->domestic_shock[e], in->apply, x);
            break;
        case TARGET_EXCHANGE_RATE:
            if (has_e) apply_one(&shocks->exchange_rate[e], in->apply, x);
            break;
        case TARGET_EPS:
            if (has_e) apply_one(&shocks->eps[e], in->apply, x);
            break;
        case TARGET_DEMAND:
            if (has_m) apply_one(&shocks->demand_shock[m], in->apply, x);
            break;
        case TARGET_SIGMA:
            if (has_m) apply_one(&shocks->sigma[m], in->apply, x);
            break;
        case TARGET_ETA:
            if (has_m) apply_one(&shocks->eta[m], in->apply, x);
            break;
        case TARGET_FREIGHT_INDEX:
            for (int r = 0; r < ne * ni; r++)
                apply_one(&shocks->freight[r], in->apply, x);
            break;
        case TARGET_FREIGHT_ROUTE:
            if (has_e && has_m) apply_one(&shocks->freight[e * ni + m], in->apply, x);
            break;
        case TARGET_COMPLIANCE:
            apply_one(&shocks->compliance, in->apply, x);
            shocks->compliance = shocks->compliance < 0.0 ? 0.0
                                 : shocks->compliance > 1.0 ? 1.0 : shocks->compliance;
            break;
        case TARGET_NTB:   /* a policy, not a shock: sample_apply_barriers */
            break;
        }
    }
}

int sample_apply_barriers(const input_spec_t *inputs, int n_inputs, const double *values,
                          const policy_t *policy, policy_t *out)
{
    int ne = policy->n_exporters, ni = policy->n_importers, any = 0;
    for (int k = 0; k < n_inputs; k++) {
        const input_spec_t *in = &inputs[k];
        if (in->target != TARGET_NTB || in->exporter < 0 || in->exporter >= ne ||
            in->importer < 0 || in->importer >= ni)
            continue;
        if (!any)
            policy_copy_into(out, policy);
        any = 1;
        out->tariff[in->exporter * ni + in->importer] += values[k];
    }
    return any;
}
