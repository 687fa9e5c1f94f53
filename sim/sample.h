/*
 * sample.h - random inputs of a draw: marginal distributions, the Gaussian copula,
 * policy regimes, and how a sampled value lands on the model's shocks.
 *
 * Contract:
 *  - Every value is a pure function of (seed, draw index, input index): each input has
 *    its own Philox stream keyed by (seed, draw, input), so a draw sees the same value
 *    in its reference and scenario solves, at every sweep point, on every thread and
 *    rank, and a rejection sampler in one input cannot shift another.
 *  - Correlated inputs go through a Gaussian copula: correlated standard normals from the
 *    Cholesky factor, then each marginal's inverse CDF.
 *  - One more stream per draw (index SAMPLE_REGIME_STREAM) gives the uniform that picks
 *    the policy regime.
 */
#ifndef AGTRADE_SAMPLE_H
#define AGTRADE_SAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include "../models/market.h"
#include "../models/policy.h"

#define SAMPLE_NAME_MAX 64

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

typedef struct {
    dist_kind_t kind;
    double p[4];
    double *values;     /* DIST_EMPIRICAL only; owned by the dist */
    size_t n_values;
} dist_t;

/* What a sampled value does to the model. */
typedef enum {
    TARGET_YIELD,            /* y_i of exporter */
    TARGET_DOMESTIC_DEMAND,  /* v_i of exporter */
    TARGET_EXCHANGE_RATE,    /* x_i / xb_i of exporter */
    TARGET_EPS,              /* eps_i of exporter */
    TARGET_DEMAND,           /* u_j of importer */
    TARGET_SIGMA,            /* sigma_j of importer */
    TARGET_ETA,              /* eta_j of importer */
    TARGET_FREIGHT_INDEX,    /* every route's freight */
    TARGET_FREIGHT_ROUTE,    /* freight of route (exporter, importer) */
    TARGET_COMPLIANCE        /* compliance factor c of purchase floors */
} input_target_t;

typedef enum {
    APPLY_MULTIPLY,          /* parameter = calibrated value * sample */
    APPLY_OVERRIDE           /* parameter = sample */
} input_apply_t;

typedef struct {
    char name[SAMPLE_NAME_MAX];
    input_target_t target;
    int exporter;            /* index, or -1 when the target has none */
    int importer;            /* index, or -1 when the target has none */
    input_apply_t apply;
    dist_t dist;
} input_spec_t;

#define SAMPLE_REGIME_STREAM 0xFFFFFFFFu

#endif
