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
    free(ps->corr_input);
    free(ps->src_input);
    free(ps->r2);
    free(ps->sobol_s1);
    free(ps->sobol_st);
    free(ps->sobol_s1_conf);
    free(ps->sobol_st_conf);
    free(ps);
}

int point_summary_alloc_sobol(point_summary_t *ps, int k, size_t n_attrib)
{
    size_t n = (size_t)k * n_attrib + 1;
    double *a[4];
    int ok = 1;
    for (int q = 0; q < 4; q++)
        ok &= (a[q] = malloc(n * sizeof(double))) != NULL;
    if (!ok || (ps->n_attrib && ps->n_attrib != n_attrib)) {
        for (int q = 0; q < 4; q++)
            free(a[q]);
        return -1;
    }
    for (int q = 0; q < 4; q++)
        for (size_t i = 0; i < n; i++)
            a[q][i] = NAN;
    free(ps->sobol_s1);
    free(ps->sobol_st);
    free(ps->sobol_s1_conf);
    free(ps->sobol_st_conf);
    ps->sobol_k = k;
    ps->n_attrib = n_attrib;
    ps->sobol_s1 = a[0];
    ps->sobol_st = a[1];
    ps->sobol_s1_conf = a[2];
    ps->sobol_st_conf = a[3];
    return 0;
}

int point_summary_alloc_attrib(point_summary_t *ps, int n_inputs, size_t n_attrib)
{
    size_t n = (size_t)n_inputs * n_attrib + 1;
    double *corr = calloc(n, sizeof(double)), *src = calloc(n, sizeof(double));
    double *r2 = calloc(n_attrib + 1, sizeof(double));
    if (!corr || !src || !r2) {
        free(corr);
        free(src);
        free(r2);
        return -1;
    }
    free(ps->corr_input);
    free(ps->src_input);
    free(ps->r2);
    ps->n_inputs = n_inputs;
    ps->n_attrib = n_attrib;
    ps->corr_input = corr;
    ps->src_input = src;
    ps->r2 = r2;
    return 0;
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
