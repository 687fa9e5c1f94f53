/* attrib.c - see attrib.h. */
#include "attrib.h"
#include <assert.h>
#include <math.h>

void attrib_variance_split(const point_summary_t *ps, size_t v, double *within,
                           double *between)
{
    assert(ps && v < ps->n_vars && within && between);
    size_t V = ps->n_vars;
    double n_all = 0.0, sum = 0.0;
    for (int g = 1; g < ps->n_groups; g++)
        if (ps->draws_ok[g] > 0) {
            n_all += (double)ps->draws_ok[g];
            sum += (double)ps->draws_ok[g] * ps->mean[(size_t)g * V + v];
        }
    *within = *between = NAN;
    if (ps->n_groups < 2 || n_all < 2.0)
        return;
    double mean = sum / n_all, w = 0.0, b = 0.0;
    for (int g = 1; g < ps->n_groups; g++) {
        double n = (double)ps->draws_ok[g];
        if (n == 0.0)
            continue;
        size_t at = (size_t)g * V + v;
        double d = ps->mean[at] - mean;
        b += n * d * d;
        if (n > 1.0)
            w += (n - 1.0) * ps->sd[at] * ps->sd[at];
    }
    *within = w / (n_all - 1.0);
    *between = b / (n_all - 1.0);
}
