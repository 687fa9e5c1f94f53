/*
 * solve_batch.h - the equilibrium of up to SOLVE_LANES draws of one market at once.
 *
 * The draws of a point share their market and (mostly) their policy, so their solves
 * are the same arithmetic on different numbers: solve_batch() runs them in lockstep, one
 * draw per SIMD lane (structure of arrays), with SLEEF's vector exp/log. It is the
 * scalar solve_equilibrium() (solve.h) restricted to the plain case, lane by lane:
 *  - the same equations, residuals, Jacobian, LU with partial pivoting, step limit,
 *    Armijo backtracking and convergence test (|Q_i - D_i - sum_j X_ij| <= SOLVE_TOL Qb_i), in the same order of
 *    operations, and the same exp and log (SLEEF's deterministic ones: here its vector
 *    functions, in solve.c the C library's names, which fixedmath.c makes SLEEF's
 *    scalar ones), so a lane gives solve_equilibrium's solution bit for bit (tested
 *    over 10^5 random draws in tests/test_solve_batch.c);
 *  - a lane it cannot finish by plain Newton is NOT solved: its bit in the returned
 *    mask is 0, its solution untouched, and the caller solves that draw with
 *    solve_equilibrium(). That is a lane whose policy has an active-set bound (a floor
 *    times compliance > 0, or a finite positive cap on a route that trades), an
 *    importer in the Cobb-Douglas band (|1 - sigma| < 1e-3), any input solve_equilibrium
 *    would reject (SOLVE_BAD_INPUT), a long line search (no step passes the
 *    Armijo test within 8 halvings, where the scalar solve allows SOLVE_MAX_HALVINGS), a singular Jacobian, something
 *    not finite at the start, or no convergence within SOLVE_MAX_NEWTON steps. Lanes
 *    that converge early are frozen while the others go on; a lane backtracks by
 *    halving its own step, as newton.c does, while the others keep their point.
 *
 * Reproducibility: every lane's arithmetic is independent of the other lanes and of the
 * lane it runs in; the vector exp/log are SLEEF's deterministic non-FMA functions
 * (Sleef_cinz_*: the same bits from its SSE2, AVX, AVX-512 and plain C variants, so on
 * every CPU), and the arithmetic between them is IEEE double without contraction
 * (-ffp-contract=off) in every compiled variant of the kernel (solve_kernel_t). So a
 * draw's result depends only on the draw, never on the batch, thread, CPU or kernel
 * variant (tested: every variant this CPU runs, bit for bit).
 *
 * Contract: no I/O, no globals; solve_batch() allocates nothing and writes only the
 * workspace and the solutions of the lanes it solved. One workspace per thread. A
 * warm start is solve_equilibrium's: baseline prices, or start[l] (its FOB prices; when
 * they are the prices this workspace's lane l just produced, its own log prices, as the
 * scalar workspace does). start[l] may alias sol[l].
 */
#ifndef AGTRADE_SOLVE_BATCH_H
#define AGTRADE_SOLVE_BATCH_H

#include "solve.h"

#define SOLVE_LANES 8

typedef enum {
    SOLVE_KERNEL_AUTO = 0,   /* the widest variant this CPU runs */
    SOLVE_KERNEL_PORTABLE,   /* SSE2 on x86-64 (every x86-64 CPU), plain C elsewhere */
    SOLVE_KERNEL_AVX,        /* x86-64 with AVX */
    SOLVE_KERNEL_AVX512      /* x86-64 with AVX-512F */
} solve_kernel_t;

typedef struct solve_batch solve_batch_t;   /* opaque, sized for one market */

/* NULL when out of memory, when `market` is NULL, or when `kernel` is not available on
 * this CPU or in this build (solve_batch_kernel_available). */
solve_batch_t *solve_batch_alloc(const market_t *market, solve_kernel_t kernel);
void solve_batch_free(solve_batch_t *b);
/* 1 when `kernel` can run here; SOLVE_KERNEL_AUTO always can. */
int solve_batch_kernel_available(solve_kernel_t kernel);
/* The variant a workspace runs (never SOLVE_KERNEL_AUTO), and its name. */
solve_kernel_t solve_batch_kernel(const solve_batch_t *b);
const char *solve_batch_kernel_name(solve_kernel_t kernel);

/* Solves lanes 0..n-1 (1 <= n <= SOLVE_LANES): policy[l], shocks[l], start[l] (start
 * itself or any start[l] may be NULL: baseline prices) into sol[l]. Returns the mask of
 * lanes solved (bit l: sol[l] holds a converged equilibrium with status SOLVE_OK and
 * its Newton steps); the others are untouched, for solve_equilibrium. */
unsigned solve_batch(const market_t *market, const policy_t *const *policy,
                     const shocks_t *const *shocks, const solution_t *const *start, int n,
                     solve_batch_t *b, solution_t *const *sol);

#endif
