/*
 * summary.h - the reduced statistics of one sweep point (point_summary_t): what the
 * engine fills and the results module writes and reads back. Its own module so that the
 * writer does not depend on the engine, nor the engine on the writer.
 *
 * Ownership: point_summary_alloc() returns zeroed arrays sized for n_vars variables,
 * n_groups groups and n_thresholds thresholds, or NULL on allocation failure;
 * point_summary_free(NULL) does nothing. No I/O; not shared between threads.
 */
#ifndef AGTRADE_SUMMARY_H
#define AGTRADE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#define SUMMARY_N_QUANTILES 9     /* the reported quantiles, summary_quantile_probs */
#define SUMMARY_HIST_BINS 50      /* the stored (coarse) histogram of each variable */

extern const double summary_quantile_probs[SUMMARY_N_QUANTILES];

/* The reduced statistics of one point. Groups: 0 = all draws, 1 + r = regime r. */
typedef struct {
    size_t n_vars;
    int n_groups;
    int n_thresholds;
    uint64_t *draws_ok;          /* [group] */
    uint64_t *draws_failed;      /* [group] */
    double *mean, *sd, *mcse, *min, *max;   /* [group][var] */
    double *quantile;            /* [group][var][SUMMARY_N_QUANTILES] */
    double *quantile_error;      /* [var]: bound on |quantile error| (fine-bin width) */
    int64_t *hist;               /* [var][SUMMARY_HIST_BINS], all draws */
    double *hist_edges;          /* [var][SUMMARY_HIST_BINS + 1] */
    int64_t *hist_under, *hist_over;  /* [var] */
    double *threshold_prob;      /* [group][threshold] */
    double *threshold_mcse;      /* [group][threshold] */
    /* attribution (attrib.h), all draws: n_attrib target values x n_inputs scores;
     * 0 / NULL until point_summary_alloc_attrib */
    int n_inputs;
    size_t n_attrib;
    double *corr_input, *src_input;   /* [input][target value] */
    double *r2;                       /* [target value] */
    /* Sobol indices (sobol.h) of the same target values: sobol_k design inputs (the
     * inputs, then the regime); 0 / NULL until point_summary_alloc_sobol */
    int sobol_k;
    double *sobol_s1, *sobol_st, *sobol_s1_conf, *sobol_st_conf;   /* [input][value] */
} point_summary_t;

point_summary_t *point_summary_alloc(size_t n_vars, int n_groups, int n_thresholds);
/* Room for the attribution of n_attrib target values on n_inputs inputs (zeroed).
 * 0, or -1 on allocation failure (ps keeps no attribution). */
int point_summary_alloc_attrib(point_summary_t *ps, int n_inputs, size_t n_attrib);
/* Room for Sobol indices of n_attrib values on k design inputs (NAN-filled); sets
 * n_attrib when no attribution set it (they must agree). 0, or -1 on allocation
 * failure (ps keeps no indices). */
int point_summary_alloc_sobol(point_summary_t *ps, int k, size_t n_attrib);
void point_summary_free(point_summary_t *ps);

/* Monte Carlo standard error of a proportion p estimated from n draws,
 * sqrt(p (1 - p) / n); NAN when n = 0. */
double summary_proportion_mcse(double p, uint64_t n);

#endif
