/*
 * market.h - the calibrated multi-region spatial trade market (see models/README.md).
 *
 * Contract:
 *  - A market_spec_t is plain input data (what a scenario file says about the baseline).
 *  - market_calibrate() turns it into a read-only market_t once; after that the market
 *    is never modified and may be shared by any number of threads.
 *  - Route arrays are row-major E x I: element (i, j) is at [i * n_importers + j].
 *  - Units: quantities Mt, prices USD/t, values billion USD, rates as fractions.
 *  - Nothing here knows about files, threads, HDF5 or YAML; errors come back as a
 *    non-zero return code plus a message in a caller-supplied buffer.
 */
#ifndef AGTRADE_MARKET_H
#define AGTRADE_MARKET_H

#include <stddef.h>

#define MARKET_NAME_MAX 64  /* region names, including the terminating NUL */
#define MARKET_MAX_REGIONS 64

/* Baseline data, as read from a scenario file. All arrays are owned by the spec. */
typedef struct {
    int n_exporters;                 /* E >= 2 */
    int n_importers;                 /* I >= 1 */
    char (*exporter_name)[MARKET_NAME_MAX];
    char (*importer_name)[MARKET_NAME_MAX];

    /* per exporter i, length E */
    double *production;              /* Qb_i, Mt */
    double *domestic_use;            /* Db_i, Mt (absorbs imports and stock change) */
    double *fob_price;               /* Pb_i, USD/t */
    double *export_tax;              /* e_i at baseline, fraction */
    double *eps;                     /* domestic demand elasticity, < 0 (0 allowed: fixed use) */
    double *kappa;                   /* within-year supply elasticity, >= 0 */
    double *exchange_rate;           /* baseline exchange-rate index xb_i (> 0, default 1) */

    /* per route (i, j), length E * I */
    double *flow;                    /* Xb_ij >= 0, Mt */
    double *freight;                 /* f_ij >= 0, USD/t */
    double *tariff;                  /* t_ij >= 0 at baseline, ad valorem on CIF */

    /* per importer j, length I */
    double *sigma;                   /* Armington elasticity of substitution, > 0 */
    double *eta;                     /* import demand elasticity, < 0 */
} market_spec_t;

/* A calibrated market: the spec's data plus the derived calibration constants. */
typedef struct {
    int n_exporters, n_importers;
    char (*exporter_name)[MARKET_NAME_MAX];
    char (*importer_name)[MARKET_NAME_MAX];
    double *production, *domestic_use, *fob_price, *export_tax, *eps, *kappa, *exchange_rate;
    double *flow, *freight, *tariff;
    double *sigma, *eta;

    /* derived */
    double *producer_price;          /* Pdb_i = Pb_i (1 - e_i) */
    double *landed_price;            /* pb_ij = (Pb_i + f_ij)(1 + t_ij) */
    double *base_share;              /* s_ij = Xb_ij / Mb_j (quantity share at baseline) */
    double *composite_imports;       /* Mb_j = sum_i Xb_ij */
    double *price_index;             /* PMb_j = sum_i Xb_ij pb_ij / Mb_j */
    double *base_value_share;        /* v_ij = s_ij pb_ij / PMb_j (expenditure share at
                                        baseline; sums to 1 over i): the weight of
                                        origin i in the normalized CES price index */
} market_t;

/* Allocate an empty spec for E exporters and I importers (names empty, arrays zeroed,
 * exchange_rate set to 1). Returns NULL on allocation failure. */
market_spec_t *market_spec_alloc(int n_exporters, int n_importers);
void market_spec_free(market_spec_t *spec);
/* Deep copy; NULL on allocation failure. */
market_spec_t *market_spec_copy(const market_spec_t *spec);

/* Relative tolerance of the baseline balance Qb - Db = sum_j Xb_ij (MODEL.md: 0.5 %). */
#define MARKET_BALANCE_TOL 0.005

/* Where market_spec_check() found a spec at fault: the value `field` (named as in a
 * scenario file: "production", "sigma", "flow", ...) of exporter / importer / route
 * (indices, -1 where the value has no such axis); field is NULL for a rule relating a
 * region's values (the balance of exporter i; importer j having imports) or the sizes. */
typedef struct {
    const char *field;
    int exporter, importer;
} market_fault_t;

/* The rules a spec must satisfy, stated once: market_calibrate() applies them, and a
 * scenario-file loader calls this to put the file position on the message. Every value
 * finite; production, fob_price, exchange_rate, sigma > 0; domestic_use, kappa, flow,
 * freight, tariff >= 0; eps <= 0; eta < 0; export_tax in [0, 1); production -
 * domestic_use = the exporter's route flows within MARKET_BALANCE_TOL; every importer
 * with a flow > 0. Returns 0, or -1 with *fault (when not NULL) and a one-line message
 * without the region: "sigma must be > 0 (got -2)" (a value: it begins with the field),
 * "has no imports (...)" (a region rule). No allocation; thread-safe. */
int market_spec_check(const market_spec_t *spec, market_fault_t *fault, char *err,
                      size_t errlen);

/* Validate and calibrate. Returns NULL and writes a one-line message naming the region
 * to err (size errlen) when the data are inconsistent (e.g. Qb - Db != sum_j Xb_ij
 * beyond 0.5 %, an importer with no imports, sigma <= 0, eta >= 0, negative flows). */
market_t *market_calibrate(const market_spec_t *spec, char *err, size_t errlen);
void market_free(market_t *market);

/* Index helpers: -1 when the name is unknown. */
int market_exporter_index(const market_t *market, const char *name);
int market_importer_index(const market_t *market, const char *name);

#endif
