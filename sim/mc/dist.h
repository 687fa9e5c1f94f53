/*
 * dist.h - the marginal distributions of random inputs: parameters, validation,
 * quantile function, CDF and moments. Pure functions of their arguments: no I/O, no
 * global state, thread-safe; only dist_copy allocates (empirical values).
 */
#ifndef AGTRADE_DIST_H
#define AGTRADE_DIST_H

#include <stddef.h>

typedef enum {
    DIST_FIXED,        /* p[0] = value */
    DIST_NORMAL,       /* p[0] = mean, p[1] = sd > 0 */
    DIST_LOGNORMAL,    /* p[0] = meanlog, p[1] = sdlog > 0 (median = exp(meanlog)) */
    DIST_TRUNCNORMAL,  /* p[0] = mean, p[1] = sd > 0, p[2] = lower, p[3] = upper */
    DIST_UNIFORM,      /* p[0] = lower, p[1] = upper */
    DIST_TRIANGULAR,   /* p[0] = lower, p[1] = mode, p[2] = upper */
    DIST_BETA,         /* p[0] = alpha > 0, p[1] = beta > 0, p[2] = lower, p[3] = upper */
    DIST_PERT,         /* p[0] = lower, p[1] = mode, p[2] = upper, p[3] = lambda (4) */
    DIST_EMPIRICAL     /* values[0..n_values-1], each equally likely */
} dist_kind_t;

/* A truncated normal in standard units: its bounds, which tail it is worked in (for
 * accuracy), Phi (or Q = 1 - Phi when upper) at the bounds and the range's probability. */
typedef struct {
    double alpha, beta;
    int upper;
    double fa, fb, mass;
    int ready;          /* 1: filled by dist_prepare; 0: computed on every call */
} dist_trunc_t;

typedef struct {
    dist_kind_t kind;
    double p[4];
    double *values;     /* DIST_EMPIRICAL only; owned by the dist */
    size_t n_values;
    dist_trunc_t trunc; /* DIST_TRUNCNORMAL: a cache of p's standardised range (dist_prepare);
                         * zero-initialise a dist_t, so that ready is 0 */
} dist_t;

/* The name scenario files use ("truncated_normal"; "unknown" outside the enum), in
 * messages too. */
const char *dist_kind_name(dist_kind_t kind);

/* ---- marginal distributions ------------------------------------------------------ */

/* 0 when the parameters are usable; otherwise -1 and a one-line message naming the
 * distribution and the offending parameter (e.g. "normal: sd must be > 0 (got -2)").
 * Rules: finite parameters; sd, sdlog, alpha, beta > 0; lower < upper (a truncated
 * normal's range must keep probability > 1e-300); lower <= mode <= upper; PERT
 * lambda > 0; empirical: n_values >= 1, finite values. */
int dist_validate(const dist_t *dist, char *err, size_t errlen);

/* Inverse CDF at u in [0, 1] (u is clamped into [0, 1]; u = 0 / 1 give the support's
 * ends, +-INFINITY for unbounded ones). Normal, lognormal via gsl_cdf_ugaussian_Pinv;
 * beta and PERT by Halley's method on gsl_cdf_beta_P (agrees with gsl_cdf_beta_Pinv to
 * ~1e-11 relative, at half its cost; gsl_cdf_beta_Pinv is the fallback);
 * truncated normal through Phi / Phi^-1 of its range (worked in the upper tail for
 * ranges above the mean, for accuracy); triangular in closed form; PERT = lower +
 * (upper - lower) * Beta(1 + lambda (mode - lower) / (upper - lower),
 * 1 + lambda (upper - mode) / (upper - lower)); empirical: the step inverse of the
 * empirical CDF, values[ceil(u n) - 1] of the values SORTED ASCENDING (see
 * dist_sort_values; sampler_alloc sorts its own copy). The dist must be valid. */
double dist_quantile(const dist_t *dist, double u);

/* CDF at x (the inverse of dist_quantile; empirical: fraction of values <= x, values
 * sorted). */
double dist_cdf(const dist_t *dist, double x);

/* Theoretical mean and variance (empirical: of the listed values, variance with
 * divisor n). */
double dist_mean(const dist_t *dist);
double dist_variance(const dist_t *dist);

/* Compute once what dist_quantile and dist_cdf would otherwise work out from p on every
 * call (a truncated normal's dist_trunc_t: four normal CDFs a call); the results are the
 * same bits either way. Call when p is final: changing p afterwards needs another call.
 * The dist must be valid. */
void dist_prepare(dist_t *dist);
/* Sort an empirical distribution's values ascending (no-op for other kinds). */
void dist_sort_values(dist_t *dist);

/* Deep copy (values included); 0, or -1 on allocation failure (dst left empty). */
int dist_copy(dist_t *dst, const dist_t *src);

/* Free an empirical distribution's values and set values = NULL, n_values = 0. */
void dist_free_values(dist_t *dist);

/* Beta and PERT: the beta shape (a, b) and the support [lo, hi] the draw is scaled to. */
void dist_beta_shape(const dist_t *dist, double *a, double *b, double *lo, double *hi);

#endif
