/*
 * attrib.h - which uncertainty drives an outcome: statistics that attribute the spread
 * of each reported quantity to its causes, from what the engine reduces.
 *
 * Law of total variance (scenarios with policy regimes): the variance over all draws
 * splits exactly into the variance within regimes (market uncertainty: the sampled
 * inputs, regime held fixed) and the variance between the regimes' means (policy
 * uncertainty: which regime happens). Both come from the per-regime counts, means and
 * standard deviations of a point_summary_t, so they need no pass over the draws and are
 * as reproducible as those (the same bits for any thread, rank or shard count).
 *
 * Streamed attribution (any scenario): the co-moments of the k inputs' standard normal
 * scores z (sample.h) and h target values x of every converged draw, accumulated draw by
 * draw and merged like stats_moments_t (Welford within a block, Chan et al. between
 * blocks, in the engine's fixed block and chunk order), so they are bitwise reproducible
 * for any thread, rank or shard count and take memory independent of the draw count.
 * From them: the correlation of each target with each score, the standardized
 * regression coefficients (SRC) of each target on all scores jointly, and the R^2 of
 * that linear model.
 *
 * No I/O; attrib_moments_alloc is the only function that allocates; an accumulator is
 * used by one thread at a time.
 */
#ifndef AGTRADE_ATTRIB_H
#define AGTRADE_ATTRIB_H

#include <stddef.h>
#include <stdint.h>
#include "quantities.h"
#include "summary.h"

/* Variable v of ps (groups: 0 = all draws, 1 + r = regime r): with n_r the converged
 * draws of regime r, m_r and s_r its mean and standard deviation, N = sum n_r and
 * m = sum n_r m_r / N,
 *     within  = sum_r (n_r - 1) s_r^2 / (N - 1)
 *     between = sum_r n_r (m_r - m)^2 / (N - 1)
 * so that within + between is the sample variance (divisor N - 1) of all draws, the
 * square of the group-0 sd, up to rounding. Regimes without draws are left out; one
 * with a single draw adds nothing within. Both are NAN when ps has no regimes (one
 * group) or N < 2, or when a regime's statistic is not finite. */
void attrib_variance_split(const point_summary_t *ps, size_t v, double *within,
                           double *between);

/* ---- the targets --------------------------------------------------------------------- */

typedef struct {
    int def;                 /* index into quantity_defs[] */
    quantity_form_t form;    /* FORM_LEVEL, FORM_CHANGE (FORM_WELFARE for welfare defs) */
} attrib_target_t;

#define ATTRIB_MAX_TARGETS 64

/* "flow_change" -> (flow, FORM_CHANGE), "welfare_total" -> (welfare_total,
 * FORM_WELFARE): a /summary variable stem. 0, or -1 when no quantity has that name. */
int attrib_target_parse(const char *name, attrib_target_t *t);

/* The headline quantities (those `agtrade summary` prints: flows, shares, FOB prices
 * and spreads, farm revenue, each with its change where it has one, and the welfare
 * terms), then those of `extra` (variable names as in /summary: "imports",
 * "production_change"; a name already listed is not repeated). Returns the count
 * (<= ATTRIB_MAX_TARGETS), or -1 with a message naming the first unknown name. */
int attrib_targets(const char *const *extra, int n_extra, attrib_target_t *out, char *err,
                   size_t errlen);

/* The draw-vector indices of the targets' values, flattened in target order (each over
 * its region axes); `index` has room for every value (at most layout->n_vars). Returns
 * the number of values. */
size_t attrib_target_indices(const quantity_layout_t *layout, const attrib_target_t *targets,
                             int n_targets, size_t *index);

/* ---- streamed co-moments ------------------------------------------------------------ */

#define ATTRIB_MAX_INPUTS 256    /* inputs attributed (more are left unattributed) */

/* Transparent so that the engine can send one over MPI: `data` is attrib_moments_len
 * doubles, [count | mean of z (k) | mean of x (h) | C_zz (k x k, upper triangle valid) |
 * C_zx (k x h) | C_xx (h)], C the sums of cross deviations from the means. */
typedef struct {
    int k;
    size_t h;
    double *data;
    double *scratch;   /* h doubles: attrib_moments_add's working row */
} attrib_moments_t;

size_t attrib_moments_len(int k, size_t h);
/* NULL on allocation failure. */
attrib_moments_t *attrib_moments_alloc(int k, size_t h);
void attrib_moments_free(attrib_moments_t *m);
void attrib_moments_reset(attrib_moments_t *m);
/* One draw: z[k] scores, x[h] values. A draw with a non-finite z or x is skipped. */
void attrib_moments_add(attrib_moments_t *m, const double *z, const double *x);
/* into <- into followed by from (same k, h): deterministic for a fixed call order. */
void attrib_moments_merge(attrib_moments_t *into, const attrib_moments_t *from);
double attrib_moments_count(const attrib_moments_t *m);

/* corr[k][h] (input-major, as the file stores them): Pearson correlation of score i
 * with target t (NAN where either has no variance); src[k][h]: standardized regression coefficients of target t on all scores
 * jointly (the least-squares slopes of (x_t - mean) / sd on (z_i - mean) / sd, via the
 * Cholesky factor of the scores' correlation matrix, gsl_linalg; scores without variance
 * are left out and get NAN); r2[h]: the share of target t's variance that model
 * explains. All NAN with fewer than k + 2 draws, a target without variance, or scores
 * whose correlation matrix is singular. */
void attrib_finish(const attrib_moments_t *m, double *corr, double *src, double *r2);

#endif
