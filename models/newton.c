/*
 * newton.c - the Newton iteration with an active set of bounds that both solvers run
 * (models/solve.c for one period, models/periods_solve.c for a year of periods): one
 * place for when a step is accepted, when bounds enter and leave, and when to give up.
 * The problems differ only in their callbacks (see model_internal.h).
 */
#include "model_internal.h"

#include <math.h>
#include <string.h>

solve_status_t newton_run(const newton_problem_t *p, int *iterations)
{
    void *cx = p->cx;
    int changes_left = p->changes_budget, steps = 0;
    int rc = p->start(cx);
    if (rc != 0)
        return (solve_status_t)rc;
    for (;;) {
        int converged = *p->maxres <= SOLVE_TOL, changes = 0;
        /* Bounds clearly violated at any iterate are activated at once (a full solve
         * per active-set change otherwise); wedges of the wrong sign are only dropped
         * once the current set has converged. */
        if (p->has_bounds)
            changes = p->update_active(cx, converged ? SOLVE_TOL : SOLVE_EARLY_SLACK, converged);
        if (converged && changes == 0)
            return SOLVE_OK;
        if (changes) {
            if (--changes_left < 0)
                return SOLVE_MAX_ITER;
            rc = p->relayout(cx);
            if (rc != 0)
                return (solve_status_t)rc;
            continue;
        }
        if (steps >= SOLVE_MAX_NEWTON)
            return SOLVE_MAX_ITER;
        if (p->direction(cx) != 0) {
            if (p->drop_unconfirmed(cx, 1) == 0)
                return SOLVE_SINGULAR;
            rc = p->relayout(cx);
            if (rc != 0)
                return (solve_status_t)rc;
            continue;
        }
        ++steps;
        ++*iterations;
        int n = *p->n;
        double merit0 = *p->merit, lambda = 1;
        memcpy(p->x0, p->x, (size_t)n * sizeof(double));
        int accepted = 0;
        for (int h = 0; h <= SOLVE_MAX_HALVINGS; h++) {
            for (int k = 0; k < n; k++)
                p->x[k] = p->x0[k] + lambda * p->dx[k];
            if (p->eval(cx) == 0 && *p->merit <= (1 - 2 * SOLVE_ARMIJO * lambda) * merit0) {
                accepted = 1;
                break;
            }
            lambda *= 0.5;
        }
        if (!accepted)
            memcpy(p->x, p->x0, (size_t)n * sizeof(double));
        if (n > p->n_prices &&
            p->drop_unconfirmed(cx, !accepted || lambda < SOLVE_WEAK_STEP) > 0) {
            rc = p->relayout(cx);
            if (rc != 0)
                return (solve_status_t)rc;
            continue;
        }
        if (!accepted) {
            /* Stalled: at rounding level the merit cannot decrease any more. */
            if (p->eval(cx) == 0 && *p->maxres <= SOLVE_TOL)
                continue;
            return isfinite(*p->merit) ? SOLVE_MAX_ITER : SOLVE_NOT_FINITE;
        }
    }
}
