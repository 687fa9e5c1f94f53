/*
 * policy.h - a trade policy (tariffs, export taxes, purchase floors, quantity caps)
 * and the per-draw random inputs ("shocks") that a solve takes.
 *
 * Contract: both are plain arrays sized for one market, allocated once and reused for
 * every draw. Route arrays are row-major E x I.
 */
#ifndef AGTRADE_POLICY_H
#define AGTRADE_POLICY_H

#include "market.h"

typedef struct {
    int n_exporters, n_importers;
    double *tariff;       /* t_ij, ad valorem on CIF, >= 0 */
    double *export_tax;   /* e_i in [0, 1) */
    double *floor;        /* purchase floor K_ij in Mt; 0 = none */
    double *cap;          /* quantity cap C_ij in Mt; INFINITY = none; 0 removes the route */
} policy_t;

/* The policy in force at calibration: baseline tariffs and export taxes, no bounds.
 * NULL when market is NULL or on allocation failure. */
policy_t *policy_alloc_baseline(const market_t *market);
/* Deep copy; NULL when policy is NULL or on allocation failure. */
policy_t *policy_copy(const policy_t *policy);
/* Copy every array of src into dst, which must have the same dimensions (asserted):
 * the one place policy arrays are copied. */
void policy_copy_into(policy_t *dst, const policy_t *src);
void policy_free(policy_t *policy);   /* NULL: nothing */

/* One draw's random inputs, each a level (not a multiplier) ready for the solver. */
typedef struct {
    int n_exporters, n_importers;
    double *yield;            /* y_i, 1 = trend */
    double *domestic_shock;   /* v_i, 1 = none */
    double *exchange_rate;    /* x_i / xb_i, 1 = baseline */
    double *eps;              /* this draw's domestic demand elasticity */
    double *kappa;            /* this draw's supply elasticity */
    double *demand_shock;     /* u_j, 1 = none */
    double *sigma;            /* this draw's Armington elasticity */
    double *eta;              /* this draw's import demand elasticity */
    double *freight;          /* this draw's freight f_ij, USD/t */
    double compliance;        /* c in [0, 1]: floors are K_ij * c */
} shocks_t;

/* Shocks that reproduce the calibration: unit multipliers, the market's elasticities
 * and freight. */
shocks_t *shocks_alloc_baseline(const market_t *market);   /* NULL on allocation failure */
void shocks_reset_baseline(shocks_t *shocks, const market_t *market);
void shocks_free(shocks_t *shocks);

#endif
