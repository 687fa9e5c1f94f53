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
 * Pure functions: no allocation, no I/O, thread-safe.
 */
#ifndef AGTRADE_ATTRIB_H
#define AGTRADE_ATTRIB_H

#include <stddef.h>
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

#endif
