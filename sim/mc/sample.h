/*
 * sample.h - random inputs of a draw: the Gaussian copula over the marginal
 * distributions (dist.h), policy regimes, and how a sampled value lands on the model's
 * shocks.
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
#include "dist.h"
#include "market.h"
#include "policy.h"

#define SAMPLE_NAME_MAX 64

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
    TARGET_COMPLIANCE,       /* compliance factor c of purchase floors */
    TARGET_NTB               /* non-tariff barrier on route (exporter, importer): a tariff
                                equivalent added to the scenario's (or regime's) tariff */
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

/* The name scenario files use ("freight_route"; "unknown" outside the enum). */
const char *input_target_name(input_target_t target);

/* ---- the sampler ----------------------------------------------------------------- */

/* Read-only after sampler_alloc: share one between all threads. */
typedef struct sampler sampler_t;
/* Per-thread scratch (a gsl_rng and vectors): one per thread, reused for every draw. */
typedef struct sample_workspace sample_workspace_t;

/* Build a sampler for n_inputs >= 0 inputs (their dists are validated and deep-copied;
 * the caller keeps ownership of `inputs`). correlation: n_inputs x n_inputs row-major
 * or NULL (= identity); it must be symmetric with unit diagonal, entries in [-1, 1], and
 * positive definite (Cholesky via gsl_linalg), otherwise NULL and a message such as
 * "correlation matrix is not positive definite (inputs: a, b, c)". An input whose row
 * has a non-zero off-diagonal entry is "correlated" and goes through the copula.
 * regime_prob: n_regimes >= 0 probabilities, each >= 0, summing to 1 within 1e-6 (they
 * are renormalised). Returns NULL with a message on any error (also allocation).
 * Call it before starting threads: it switches GSL's error handler off around the
 * Cholesky (and restores it). The program should run with gsl_set_error_handler_off()
 * anyway, so that a GSL routine that fails (e.g. gsl_cdf_beta_Pinv not converging in
 * an extreme tail) returns a value instead of aborting. */
sampler_t *sampler_alloc(const input_spec_t *inputs, int n_inputs,
                         const double *correlation,
                         const double *regime_prob, int n_regimes,
                         char *err, size_t errlen);
void sampler_free(sampler_t *sampler);

/* The rules sampler_alloc() applies to a correlation matrix (symmetric, unit diagonal,
 * entries in [-1, 1], positive definite), stated once: 0, or -1 with its message and the
 * entry at fault, *at_i >= *at_j (input indices; *at_j = -1 when the matrix is not
 * positive definite: *at_i is then the input inconsistent with those before it). So that
 * a scenario file is refused with the sampler's own rule at load time, at its position. */
int sample_check_correlation(const input_spec_t *inputs, int n_inputs,
                             const double *correlation, int *at_i, int *at_j, char *err,
                             size_t errlen);
int sampler_n_inputs(const sampler_t *sampler);

/* NULL on allocation failure. */
sample_workspace_t *sample_workspace_alloc(const sampler_t *sampler);
void sample_workspace_free(sample_workspace_t *ws);

/* The inputs' values (values[n_inputs]) and the regime (0..n_regimes-1, or -1 when
 * there are no regimes) of draw `draw`. Input i uses stream (seed, draw, i) only;
 * uncorrelated inputs use an exact direct method for their marginal (normal:
 * ziggurat, beta/PERT: gsl_ran_beta, uniform/triangular/empirical/truncated normal:
 * one uniform), correlated ones z_i = gsl_ran_gaussian_ziggurat(stream i),
 * zc = L z, value = dist_quantile(Phi(zc_i)) (normal / lognormal: mean + sd * zc_i
 * directly). The regime is the first r with u < cumulative probability r, u from
 * stream (seed, draw, SAMPLE_REGIME_STREAM). Allocates nothing. Returns 0. */
int sampler_draw(const sampler_t *sampler, sample_workspace_t *ws, uint64_t seed,
                 uint64_t draw, double *values, int *regime);

/* sampler_draw, plus each input's standard normal score z[n_inputs] (z NULL: none):
 * for a correlated input the copula's zc_i itself; for an independent one the standard
 * normal its value was made from (normal, lognormal: value = mean + sd z, exp(meanlog +
 * sdlog z)), Phi^-1(u) of the uniform u an inverse-CDF value was made from (uniform,
 * triangular, truncated normal: value = F^-1(u)), 0 for a fixed value, and
 * Phi^-1(F(value)) for the others (beta, PERT; the middle of the value's step for an
 * empirical one): the same score as Phi^-1(F(value)) up to rounding, without evaluating
 * F back; u and F kept inside [1e-300, 1 - 1e-16]. The values are bit for bit those of
 * sampler_draw. Allocates nothing. Returns 0. */
int sampler_draw_scores(const sampler_t *sampler, sample_workspace_t *ws, uint64_t seed,
                        uint64_t draw, double *values, double *z, int *regime);

/* sampler_draw_scores of draw `draw`, except that one stream comes from draw `alt`:
 * input `swap`'s (0 <= swap < n_inputs), or the regime's (swap = n_inputs); swap = -1
 * takes none. This is the Sobol design's A_B^(i) row (sobol.h): draw's inputs with
 * input i from alt. A correlated input's stream is its independent normal before the
 * Cholesky factor, so swapping it moves the correlated inputs with it: its Sobol
 * indices are those of that independent factor. Allocates nothing. Returns 0. */
int sampler_draw_design(const sampler_t *sampler, sample_workspace_t *ws, uint64_t seed,
                        uint64_t draw, uint64_t alt, int swap, double *values, double *z,
                        int *regime);

/* Reset shocks to the market's baseline (shocks_reset_baseline) and apply each input:
 * APPLY_MULTIPLY scales the baseline level, APPLY_OVERRIDE replaces it.
 * TARGET_FREIGHT_INDEX acts on every route's freight; TARGET_FREIGHT_ROUTE on route
 * (exporter, importer); TARGET_COMPLIANCE on shocks->compliance (baseline 1; the
 * result is clamped into [0, 1]). Inputs are applied in index order, so two inputs on
 * the same parameter compose (e.g. a freight index times a route shock). Exporter /
 * importer indices must be valid for the target (config validation ensures it); an
 * input with an out-of-range index is ignored. */
void sample_apply(const input_spec_t *inputs, int n_inputs, const double *values,
                  const market_t *market, shocks_t *shocks);

/* The draw's non-tariff barriers (TARGET_NTB inputs; they act on a policy, not on the
 * shocks): 0 when there is none (out untouched: solve with `policy` itself); otherwise
 * out = policy with each barrier's value added to its route's tariff, and 1. The
 * reference policy gets no barrier (it is the world without the scenario's politics).
 * out has the dimensions of policy. Allocates nothing. */
int sample_apply_barriers(const input_spec_t *inputs, int n_inputs, const double *values,
                          const policy_t *policy, policy_t *out);

#endif
