/*
 * periods.h - time (MODEL.md Part 2): a calendar of periods within marketing years,
 * storage at exporters and importers that links the periods of a year, several years
 * linked by closing stocks and area response, dated policy and window bounds.
 * See models/README.md ("Part 2") for the equations as implemented.
 *
 * Contract:
 *  - A periods_spec_t is plain input data (what a scenario file says about a calendar);
 *    periods_calibrate() turns it into a read-only periods_market_t once, which any
 *    number of threads may share. Errors: NULL plus a one-line message naming the
 *    region and the period (never printed here).
 *  - Period arrays are period-major: exporter quantity (t, i) at [t * E + i], importer
 *    (t, j) at [t * I + j], route (t, i, j) at [(t * E + i) * I + j] (each period is a
 *    Part 1 route array). Year arrays: (y, i) at [y * E + i].
 *  - periods_solve() allocates nothing, does no I/O and touches no global state: each
 *    thread owns its workspace and solutions. Marketing years are solved in order; the
 *    periods of one year jointly (Newton on ln P_it, block-tridiagonal Jacobian).
 *    Converged means, for every exporter i and period t of year y,
 *    |S_i,t-1 + H_it - D_it - sum_j X_ijt - S_it| <= SOLVE_TOL * Qb_iy / n_y (n_y: periods
 *    in year y, so that a year's balance holds to SOLVE_TOL * Qb_iy) and every active window
 *    bound holding to SOLVE_TOL in logs; M_jt >= 0 holds exactly (M = max(0, rule)).
 *  - On failure the return value is a non-zero solve_status_t, sol->status says why,
 *    sol->failed_year which year, and the solution must not be used as an equilibrium.
 *  - Units: Mt, USD/t, billion USD, fractions; months for period lengths; the interest
 *    rate is per month.
 */
#ifndef AGTRADE_PERIODS_H
#define AGTRADE_PERIODS_H

#include <stddef.h>

#include "market.h"
#include "policy.h"
#include "solve.h"

#define PERIODS_MAX 480          /* periods in a calendar (40 years of months) */

/* Baseline data of a calendar. All arrays are owned by the spec. */
typedef struct {
    int n_exporters, n_importers, n_periods, n_years;
    /* Region data: names, export_tax, eps, kappa, exchange_rate, freight, tariff, sigma,
     * eta (as in Part 1; kappa is the within-period harvest response, 0 by default).
     * Its production, domestic_use, flow and fob_price are NOT read: the per-period
     * columns below replace them. Owned by the spec. */
    market_spec_t *regions;

    /* calendar, length T */
    char (*period_name)[MARKET_NAME_MAX];
    double *months;              /* m_t > 0 */
    int *year;                   /* y(t) in 0..n_years-1, nondecreasing, every year used */

    double *production;          /* Qb_iy, (y, i), Mt per marketing year, > 0 */
    double *harvest_share;       /* h_it, (t, i), >= 0, sums to 1 over each year's periods */
    double *domestic_use;        /* Db_it, (t, i), >= 0 */
    double *fob_price;           /* Pb_it, (t, i), > 0 */
    double *flow;                /* Xb_ijt, (t, i, j), >= 0 */
    double *consumption;         /* Cb_jt, (t, j), > 0 (importer crush), composite units */
    double *opening_stock;       /* Sb_i0, per exporter, >= 0 */
    double *importer_opening_stock;  /* Zb_j0, per importer, >= 0 */

    /* storage and area response */
    double *psi;                 /* exporter storage elasticity, >= 0 */
    double *psi_closing;         /* psiT_i: closing stock of a year on its own price, >= 0 */
    double *psi_importer;        /* psiM_j, >= 0 */
    double *psi_importer_closing;/* psiTM_j, >= 0 */
    double *area_response;       /* kappaA_i, >= 0 */
    double interest_rate;        /* r per month (welfare discounting), >= 0; default 0.004 */
} periods_spec_t;

/* Allocate an empty spec (arrays zeroed, names empty, months 1, year 0, interest 0.004,
 * regions from market_spec_alloc). NULL on allocation failure or bad dimensions. */
periods_spec_t *periods_spec_alloc(int n_exporters, int n_importers, int n_periods,
                                   int n_years);
void periods_spec_free(periods_spec_t *spec);

/* A calibrated calendar. Read-only after periods_calibrate. */
typedef struct {
    int n_exporters, n_importers, n_periods, n_years;
    periods_spec_t *spec;        /* a private copy of the spec */
    /* one Part 1 market per period, calibrated on that period's baseline (its
     * `production` is the period's net supply Hb_it + Sb_i,t-1 - Sb_it) */
    market_t **period_market;
    int *year_first;             /* periods of year y: year_first[y] .. year_first[y+1]-1 */
    double *harvest;             /* Hb_it = Qb_iy h_it, (t, i) */
    double *stock;               /* Sb_it, end of period, (t, i), >= 0 */
    double *importer_stock;      /* Zb_jt, end of period, (t, j), >= 0 */
    double *year_price;          /* baseline producer price of year y, (y, i): mean of
                                    Pdb_it weighted by Db_it + sum_j Xb_ijt */
    double *imports_scale;       /* per (y, j): mean baseline imports per period */
    double *discount;            /* delta_t = prod_{q<t} 1/(1 + r m_q), length T */
} periods_market_t;

/* Validate, derive stocks, calibrate every period. NULL and a one-line message (e.g.
 * "exporter 'US', period '2025-03': baseline stock -1.2 Mt < 0 (opening + harvest -
 * domestic use - exports)") on inconsistent data. Baseline stocks within 1e-9 Qb_iy of 0
 * are taken as 0 (rounding of the inputs). */
periods_market_t *periods_calibrate(const periods_spec_t *spec, char *err, size_t errlen);
void periods_market_free(periods_market_t *pm);
/* -1 when the name is unknown. */
int periods_index(const periods_market_t *pm, const char *period_name);

/* ---------- dated policy ---------- */

enum { PERIODS_FLOOR = 0, PERIODS_CAP = 1 };

/* A bound on the sum of route (exporter, importer)'s flows over periods first..last:
 * a floor (>= amount * compliance) or a cap (<= amount). One wedge for the window. A
 * window spanning marketing years is split: each earlier year's part gets the amount
 * pro rata to its baseline flows, the last year's part what remains after the flows
 * realised in the earlier parts (see models/README.md). */
typedef struct {
    int exporter, importer, first, last, kind;
    double amount;               /* Mt */
} periods_window_t;

typedef struct {
    int n_exporters, n_importers, n_periods;
    double *tariff;              /* (t, i, j) */
    double *export_tax;          /* (t, i) */
    double *floor;               /* (t, i, j), Mt in that period, 0 = none */
    double *cap;                 /* (t, i, j), Mt in that period, INFINITY = none, 0 removes
                                    the route in that period (boycott) */
    int n_windows, max_windows;
    periods_window_t *window;
} periods_policy_t;

/* One dated change: from period `period` on, the item takes `value`. */
enum { PERIODS_SET_TARIFF, PERIODS_SET_EXPORT_TAX, PERIODS_SET_FLOOR, PERIODS_SET_CAP };
typedef struct {
    int period, what, exporter, importer;   /* importer ignored for an export tax */
    double value;
} periods_change_t;

/* A policy of n_periods with room for max_windows windows: baseline tariffs and export
 * taxes of the regions in every period, no bounds. NULL on allocation failure. */
periods_policy_t *periods_policy_alloc(const periods_market_t *pm, int max_windows);
void periods_policy_free(periods_policy_t *pol);
/* Same calendar and regions (asserted); windows beyond dst->max_windows are left out. */
void periods_policy_copy_into(periods_policy_t *dst, const periods_policy_t *src);

/* Resolves a schedule into per-period arrays: `base` (a Part 1 policy) applies from the
 * first period (its floors and finite positive caps become windows over each marketing
 * year, a cap of 0 a boycott in every period), then each change from its period on, the
 * later-dated change of an item winning (equal dates: the later in the list). Replaces
 * everything in `out`. Non-zero and a message naming the change on bad input (unknown
 * period, region out of range, negative value, export tax >= 1, too many windows). */
int periods_policy_resolve(const periods_market_t *pm, const policy_t *base,
                           const periods_change_t *changes, int n_changes,
                           periods_policy_t *out, char *err, size_t errlen);
/* Appends a window; non-zero and a message when it is outside the calendar, on an
 * unknown region, negative, or there is no room. */
int periods_policy_add_window(periods_policy_t *pol, const periods_window_t *w,
                              char *err, size_t errlen);

/* ---------- per-draw random inputs ---------- */

/* One shocks_t per marketing year (yields, demand shocks, ... may differ by year;
 * inputs drawn once per draw are the same in every year). Year y's compliance scales
 * the floors (per-period floors and window parts) of year y. */
typedef struct {
    int n_years;
    shocks_t **year;
} periods_shocks_t;

periods_shocks_t *periods_shocks_alloc_baseline(const periods_market_t *pm);
void periods_shocks_reset_baseline(periods_shocks_t *sh, const periods_market_t *pm);
void periods_shocks_free(periods_shocks_t *sh);

/* ---------- solution ---------- */

typedef struct {
    int n_exporters, n_importers, n_periods, n_years, max_windows;
    /* (t, i) */
    double *fob_price, *producer_price;
    double *harvest;             /* H_it, Mt */
    double *domestic_use, *exports;
    double *stock;               /* S_it, end of period */
    double *export_tax_revenue;  /* e P exports / 1000 */
    /* (t, j) */
    double *price_index;         /* PM_jt */
    double *consumption;         /* C_jt (composite units) */
    double *importer_stock;      /* Z_jt, end of period (composite units) */
    double *composite_imports;   /* M_jt = C_jt + Z_jt - Z_j,t-1 >= 0 */
    double *imports;             /* physical sum_i X_ijt */
    unsigned char *import_bound; /* 1 where M_jt >= 0 binds (M_jt = 0) */
    /* (t, i, j) */
    double *flow, *landed_price, *tariff_revenue;
    double *wedge;               /* product over the bounds covering the route-period of
                                    (1 + w), minus 1 */
    double *transfer;            /* wedge (P + f)(1 + t) X / 1000 */
    /* (y, i) */
    double *production;          /* Q_iy (harvest of the year), Mt */
    double *expected_price;      /* Pe_iy (naive: last year's mean producer price) */
    /* per window (the wedge of its part in the last year it touches) */
    double *window_wedge, *window_flow;
    int iterations;              /* Newton steps, all years */
    int failed_year;             /* -1 when converged */
    solve_status_t status;
} periods_solution_t;

periods_solution_t *periods_solution_alloc(const periods_market_t *pm, int max_windows);
void periods_solution_free(periods_solution_t *sol);
void periods_solution_copy_into(periods_solution_t *dst, const periods_solution_t *src);

typedef struct periods_workspace periods_workspace_t;   /* opaque, sized for one market */

/* Sized for pm and policies of at most max_windows windows. NULL on allocation failure. */
periods_workspace_t *periods_workspace_alloc(const periods_market_t *pm, int max_windows);
void periods_workspace_free(periods_workspace_t *ws);

/* Solves every marketing year in order. `start` (may be NULL: baseline prices) is a
 * solution of the same market to warm-start from (its prices and binding wedges); it
 * may alias `sol`. Returns 0 on convergence. */
int periods_solve(const periods_market_t *pm, const periods_policy_t *policy,
                  const periods_shocks_t *shocks, const periods_solution_t *start,
                  periods_workspace_t *ws, periods_solution_t *sol);

/* ---------- welfare ---------- */

/* Changes from `before` to `after` (same draw and shocks), billion USD, each period's
 * terms discounted to the start of the calendar by delta_t. */
typedef struct {
    int n_exporters, n_importers, n_periods;
    double *importer_consumer_surplus;   /* (t, j): -int C dPM */
    double *tariff_revenue, *transfer;   /* (t, j) */
    double *importer_storage;            /* (t, j): stockholders of importer j */
    double *producer_surplus;            /* (t, i): +int H dPd */
    double *domestic_consumer_surplus;   /* (t, i): -int D dPd */
    double *export_tax_revenue;          /* (t, i) */
    double *storage;                     /* (t, i): stockholders of exporter i */
    double world_total;
} periods_welfare_t;

periods_welfare_t *periods_welfare_alloc(const periods_market_t *pm);
void periods_welfare_free(periods_welfare_t *w);
void periods_welfare_compute(const periods_market_t *pm, const periods_shocks_t *shocks,
                             const periods_solution_t *before,
                             const periods_solution_t *after, periods_welfare_t *w);

#endif
