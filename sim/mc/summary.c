/* summary.c - see summary.h. */
#include "summary.h"
#include <math.h>
#include <stdlib.h>

const double summary_quantile_probs[SUMMARY_N_QUANTILES] = {
    0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};

void point_summary_free(point_summary_t *ps)
{
    if (!ps)
        return;
    free(ps->draws_ok);
    free(ps->draws_failed);
    free(ps->mean);
    free(ps->sd);
    free(ps->mcse);
    free(ps->min);
    free(ps->max);
    free(ps->quantile);
    free(ps->quantile_error);
    free(ps->hist);
    free(ps->hist_edges);
    free(ps->hist_under);
    free(ps->hist_over);
    free(ps->threshold_prob);
    free(ps->threshold_mcse);
    free(ps);
}

point_summary_t *point_summary_alloc(size_t n_vars, int n_groups, int n_thresholds)
{
    point_summary_t *ps = calloc(1, sizeof *ps);
    if (!ps)
        return NULL;
    size_t G = (size_t)n_groups, T = (size_t)n_thresholds + 1, V = n_vars;
    ps->n_vars = n_vars;
    ps->n_groups = n_groups;
    ps->n_thresholds = n_thresholds;
    ps->draws_ok = calloc(G, sizeof(uint64_t));
    ps->draws_failed = calloc(G, sizeof(uint64_t));
    ps->mean = calloc(G * V, sizeof(double));
    ps->sd = calloc(G * V, sizeof(double));
    ps->mcse = calloc(G * V, sizeof(double));
    ps->min = calloc(G * V, sizeof(double));
    ps->max = calloc(G * V, sizeof(double));
    ps->quantile = calloc(G * V * SUMMARY_N_QUANTILES, sizeof(double));
    ps->quantile_error = calloc(V, sizeof(double));
    ps->hist = calloc(V * SUMMARY_HIST_BINS, sizeof(int64_t));
    ps->hist_edges = calloc(V * (SUMMARY_HIST_BINS + 1), sizeof(double));
    ps->hist_under = calloc(V, sizeof(int64_t));
    ps->hist_over = calloc(V, sizeof(int64_t));
    ps->threshold_prob = calloc(G * T, sizeof(double));
    ps->threshold_mcse = calloc(G * T, sizeof(double));
    if (!ps->draws_ok || !ps->draws_failed || !ps->mean || !ps->sd || !ps->mcse || !ps->min ||
        !ps->max || !ps->quantile || !ps->quantile_error || !ps->hist || !ps->hist_edges ||
        !ps->hist_under || !ps->hist_over || !ps->threshold_prob || !ps->threshold_mcse) {
        point_summary_free(ps);
        return NULL;
    }
    return ps;
}

double summary_proportion_mcse(double p, uint64_t n)
{
    return n ? sqrt(p * (1 - p) / (double)n) : NAN;
}
