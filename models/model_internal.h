/*
 * model_internal.h - what models/solve.c and welfare.c (one period) share with
 * models/periods_solve.c and periods.c (a calendar), so that both solvers stop, damp and
 * give up by the same rules and both welfare accounts integrate curves the same way.
 * Internal to models/: nothing outside it includes this.
 */
#ifndef AGTRADE_MODEL_INTERNAL_H
#define AGTRADE_MODEL_INTERNAL_H

#define SOLVE_MAX_NEWTON 200      /* Newton steps over all active sets (per year) */
#define SOLVE_MAX_HALVINGS 60     /* line-search halvings before giving up */
#define SOLVE_STEP_MAX 1.0        /* largest change of a log unknown in one step */
#define SOLVE_ARMIJO 1e-4
#define SOLVE_WEAK_STEP 1e-3      /* a line-search step this short signals trouble */
#define SOLVE_CD_BAND 1e-3        /* |1 - sigma| below this: Cobb-Douglas-safe branch */
#define SOLVE_EARLY_SLACK 1e-3    /* a bound violated by this much is activated at once */

/* int_{p0}^{p1} q0 (p/p0)^e dp = q0 p0 ((p1/p0)^(e+1) - 1)/(e+1) (q0 p0 ln(p1/p0) at
 * e = -1), with expm1 so that it stays accurate as e -> -1 and p1 -> p0; 0 when a price
 * is not positive or q0 = 0. Defined in welfare.c. */
double welfare_area(double q0, double p0, double p1, double elasticity);

#endif
