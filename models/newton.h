/*
 * newton.h - the constants of the Newton iteration that models/solve.c (one period) and
 * models/periods_solve.c (a calendar) share, so that both solvers stop, damp and give up
 * by the same rules. Internal to models/.
 */
#ifndef AGTRADE_NEWTON_H
#define AGTRADE_NEWTON_H

#define SOLVE_MAX_NEWTON 200      /* Newton steps over all active sets (per year) */
#define SOLVE_MAX_HALVINGS 60     /* line-search halvings before giving up */
#define SOLVE_STEP_MAX 1.0        /* largest change of a log unknown in one step */
#define SOLVE_ARMIJO 1e-4
#define SOLVE_WEAK_STEP 1e-3      /* a line-search step this short signals trouble */
#define SOLVE_CD_BAND 1e-3        /* |1 - sigma| below this: Cobb-Douglas-safe branch */
#define SOLVE_EARLY_SLACK 1e-3    /* a bound violated by this much is activated at once */

#endif
