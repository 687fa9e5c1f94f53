/*
 * model_internal.h - what models/solve.c and welfare.c (one period) share with
 * models/periods_*.c (a calendar), so that both solvers stop, damp and
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

#include "solve.h"

/* A system for newton_run: unknowns x[0..*n) (log prices first, then log(1 + w) of the
 * active bounds), its merit (half the squared scaled residual) and largest scaled
 * residual after each evaluation, and its callbacks, each taking `cx`:
 *  - start: lay out the unknowns and evaluate at x; 0 or a solve_status_t;
 *  - eval: every quantity and residual at x; 0, or -1 when something is not finite;
 *  - direction: Jacobian and the limited Newton step into dx; -1 when singular;
 *  - update_active(slack, final): add violated bounds (beyond slack), and when final
 *    drop those with a wedge of the wrong sign; returns the number of changes;
 *  - drop_unconfirmed(all): drop bounds added on the way that do not hold up (all of
 *    them when `all`); returns how many;
 *  - relayout: new unknowns after a change of the active set, then evaluate; 0 or a
 *    solve_status_t. */
typedef struct {
    void *cx;
    double *x, *x0, *dx;
    const int *n;
    int n_prices;
    const double *merit, *maxres;
    int changes_budget;      /* active-set changes before SOLVE_MAX_ITER */
    int has_bounds;          /* 0: update_active is never called */
    int (*start)(void *cx);
    int (*eval)(void *cx);
    int (*direction)(void *cx);
    int (*update_active)(void *cx, double slack, int final);
    int (*drop_unconfirmed)(void *cx, int all);
    int (*relayout)(void *cx);
} newton_problem_t;

/* Newton with Armijo backtracking on the current active set, then active-set updates
 * until no bound changes; at most SOLVE_MAX_NEWTON steps (counted into *iterations). */
solve_status_t newton_run(const newton_problem_t *problem, int *iterations);

/* 0 when solve_equilibrium accepts the draw's inputs (market, policy and shocks of
 * matching sizes), else SOLVE_BAD_INPUT: the domain rules of solve.h's status word,
 * stated once for the scalar and the batched solve. Defined in solve.c. */
int solve_inputs_check(const market_t *mk, const policy_t *pol, const shocks_t *sh);

/* calloc of at least one element (so that a zero-sized array is not NULL); NULL when out
 * of memory. Defined in solve.c. */
void *solve_calloc(size_t n, size_t size);

/* int_{p0}^{p1} q0 (p/p0)^e dp = q0 p0 ((p1/p0)^(e+1) - 1)/(e+1) (q0 p0 ln(p1/p0) at
 * e = -1), with expm1 so that it stays accurate as e -> -1 and p1 -> p0; 0 when a price
 * is not positive or q0 = 0. Defined in welfare.c. */
double welfare_area(double q0, double p0, double p1, double elasticity);
/* welfare_area of two curves between the same two prices (an exporter's supply and its
 * domestic use, both of the producer price): the same two numbers, with one log. */
void welfare_area_pair(double p0, double p1, double q0a, double ea, double q0b, double eb,
                       double *area_a, double *area_b);

/* ---- the calendar solver: what periods_solve.c (workspace, year recursion),
 * periods_system.c (the system of one year) and periods_jacobian.c (its Newton direction)
 * share. pw_ is their prefix. ---- */

#include "periods.h"


#define PERIODS_MAX_ACTIVE 256    /* active bounds per year (workspace size) */

enum { PB_FLOOR = PERIODS_FLOOR, PB_CAP = PERIODS_CAP };

struct periods_workspace {
    int E, I, R, nmax, maxb, maxact, maxaux, max_windows;
    /* the Part 1 path */
    policy_t *pol1;
    shocks_t *sh1;
    solution_t *sol1;
    solve_workspace_t *ws1;
    /* per-year constants; (t, i), (t, j), (t, r) with t local to the year */
    double *hbase, *hc, *dbase, *dc, *sb, *sq, *scale, *omx;   /* omx: 1 - e */
    double *cbase, *zb;
    double *kroute, *onepw, *removed;
    unsigned char *on;
    double *sopen, *zopen, *afac;  /* opening stocks, area factor of the year */
    /* state */
    double *P, *H, *D, *S, *ex;
    double *lnpi, *C, *Zr, *Z, *Mr, *M, *mc, *zd;      /* mc, zd: 3 per (t, j) */
    unsigned char *mact;      /* (t, j): the import bound binds at the current point */
    double *rsig, *vs, *phi, *X, *theta, *cj;
    /* bounds of the year */
    int nb, nact;
    int *b_route, *b_first, *b_last, *b_kind, *b_win, *act;
    double *b_target, *b_logtarget, *b_omega, *b_xsum;
    unsigned char *b_active, *b_dropped, *b_early;
    /* rank-one terms of the importer bound: importer, period after the run, run start
     * s (-1: the run starts the year), and dM_jt / d ln Pi_jq for q = 0..t-2 */
    int naux;
    int *aux_j, *aux_t;
    double *aux_far;
    /* Newton and linear algebra */
    double *x, *x0, *dx, *F;
    double *Lb, *Db, *Ub, *Y, *Cm, *Dm;
    int *piv, *spiv;
};

typedef struct {
    const periods_market_t *pm;
    const periods_policy_t *pol;
    const shocks_t *sh;
    periods_workspace_t *ws;
    int y, t0, n, N;          /* year, its first period, its periods, price unknowns */
    int nx;                   /* all unknowns: N + active bounds */
    double merit, maxres;
} pctx_t;

/* periods.c: a zeroed array of n doubles (room for one when n = 0); NULL when out of
 * memory. */
double *periods_vec(size_t n);

/* periods_system.c: checks the year's inputs and fills its constants (0 or
 * SOLVE_BAD_INPUT); newton_run on the year's system. */
int pw_setup(pctx_t *cx, const periods_solution_t *sol);
solve_status_t pw_newton(pctx_t *cx, int *iterations);

/* periods_jacobian.c, called in this order at the current point: the importer
 * derivatives (and rank-one terms), the Jacobian's blocks, its border, then the limited
 * Newton step into ws->dx (-1 when singular or not finite). */
void pw_importer_derivatives(pctx_t *cx);
void pw_blocks(pctx_t *cx);
void pw_border(pctx_t *cx);
int pw_direction(pctx_t *cx);

#endif
