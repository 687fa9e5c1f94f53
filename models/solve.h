/*
 * solve.h - the per-draw equilibrium solve and everything reported from it.
 *
 * Contract:
 *  - solve_equilibrium() allocates nothing, does no I/O and touches no global state: it
 *    writes only into the caller-owned workspace and solution, so many threads may
 *    solve at once, each with its own workspace and solution.
 *  - Unknowns are log FOB prices plus one wedge per active floor or cap; Newton with the
 *    analytic Jacobian from the start point, a globally convergent fallback when Newton
 *    stalls. Converged means |Q_i - D_i - sum_j X_ij| <= SOLVE_TOL * Qb_i for every i
 *    and every active bound holding to the same relative tolerance.
 *  - On failure the return value is non-zero, sol->status says why, and the contents
 *    of the solution must not be used as an equilibrium.
 */
#ifndef AGTRADE_SOLVE_H
#define AGTRADE_SOLVE_H

#include "market.h"
#include "policy.h"

#define SOLVE_TOL 1e-9

typedef enum {
    SOLVE_OK = 0,
    SOLVE_MAX_ITER,      /* no convergence within the iteration budget */
    SOLVE_NOT_FINITE,    /* a price or flow became NaN or infinite */
    SOLVE_BAD_INPUT,     /* an input outside the model's domain (e.g. sigma <= 0, a floor
                            on a route that cannot trade, a floor above its cap) */
    SOLVE_SINGULAR       /* the Jacobian is singular: some price is not determined (e.g.
                            an exporter with no exports and fixed production and use) */
} solve_status_t;

/* Every per-draw quantity of MODEL.md. Arrays are sized for one market. */
typedef struct {
    int n_exporters, n_importers;
    /* per exporter */
    double *fob_price;          /* P_i, USD/t */
    double *producer_price;     /* Pd_i = P_i (1 - e_i) */
    double *production;         /* Q_i, Mt */
    double *domestic_use;       /* D_i, Mt */
    double *exports;            /* sum_j X_ij, Mt */
    double *farm_revenue;       /* Pd_i Q_i, billion USD */
    double *export_tax_revenue; /* e_i P_i exports_i, billion USD */
    /* per importer */
    double *price_index;        /* PM_j, USD/t */
    double *imports;            /* physical imports sum_i X_ij, Mt */
    double *composite_imports;  /* M_j (CES composite), Mt */
    /* per route */
    double *landed_price;       /* p_ij incl. tariff and wedge, USD/t */
    double *flow;               /* X_ij, Mt */
    double *share;              /* X_ij / imports_j */
    double *tariff_revenue;     /* t_ij (P_i + f_ij) X_ij, billion USD */
    double *wedge;              /* w_ij: < 0 binding floor, > 0 binding cap, 0 otherwise */
    double *transfer;           /* w_ij (P_i + f_ij)(1 + t_ij) X_ij, billion USD */
    /* solver report */
    int iterations;
    solve_status_t status;
} solution_t;

typedef struct solve_workspace solve_workspace_t;   /* opaque, sized for one market */

solution_t *solution_alloc(const market_t *market);
void solution_free(solution_t *sol);
void solution_copy_into(solution_t *dst, const solution_t *src);

solve_workspace_t *solve_workspace_alloc(const market_t *market);
void solve_workspace_free(solve_workspace_t *ws);

/* Solve for the equilibrium under `policy` and `shocks`. `start` (may be NULL: start at
 * baseline prices) warm-starts from another solution of the same market, e.g. the
 * draw's reference solve. `start` may alias `sol`. Returns 0 on convergence. */
int solve_equilibrium(const market_t *market, const policy_t *policy,
                      const shocks_t *shocks, const solution_t *start,
                      solve_workspace_t *ws, solution_t *sol);

const char *solve_status_string(solve_status_t status);

/* Welfare changes from solution `before` to `after` of the same draw (same shocks),
 * billion USD, closed forms of MODEL.md. */
typedef struct {
    int n_exporters, n_importers;
    double *importer_consumer_surplus;  /* per importer */
    double *tariff_revenue;             /* per importer: change in sum_i tariff revenue */
    double *transfer;                   /* per importer: change in managed-trade transfers */
    double *producer_surplus;           /* per exporter */
    double *domestic_consumer_surplus;  /* per exporter */
    double *export_tax_revenue;         /* per exporter */
    double world_total;                 /* sum of every term above */
    double *scratch;                    /* welfare_compute's working arrays */
} welfare_t;

welfare_t *welfare_alloc(const market_t *market);
void welfare_free(welfare_t *w);
void welfare_compute(const market_t *market, const shocks_t *shocks,
                     const solution_t *before, const solution_t *after, welfare_t *w);

#endif
