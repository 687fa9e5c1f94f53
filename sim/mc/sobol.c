/* sobol.c - see sobol.h. */
#include "sobol.h"
#include "rng.h"

#include <assert.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Z95 1.959963984540054   /* Phi^-1(0.975) */

/* One input's estimates for target t over the rows idx[0..n-1] (the identity when idx is
 * NULL). */
static void estimate_one(size_t n, size_t h, const double *fa, const double *fb,
                         const double *fabi, size_t t, const size_t *idx, double *s1,
                         double *st)
{
    double sum = 0, sum2 = 0, num1 = 0, num2 = 0;
    size_t m = 0, mi = 0;
    /* pooled mean and variance of f_A and f_B: two passes for accuracy */
    for (size_t r = 0; r < n; r++) {
        size_t j = idx ? idx[r] : r;
        double a = fa[j * h + t], b = fb[j * h + t];
        if (isnan(a) || isnan(b))
            continue;
        sum += a + b;
        m += 2;
    }
    if (m < 4) {
        *s1 = *st = NAN;
        return;
    }
    double mean = sum / (double)m;
    for (size_t r = 0; r < n; r++) {
        size_t j = idx ? idx[r] : r;
        double a = fa[j * h + t], b = fb[j * h + t], ab = fabi[j * h + t];
        if (isnan(a) || isnan(b))
            continue;
        sum2 += (a - mean) * (a - mean) + (b - mean) * (b - mean);
        if (isnan(ab))
            continue;
        num1 += (b - mean) * (ab - a);
        num2 += (a - ab) * (a - ab);
        mi++;
    }
    double v = sum2 / (double)m;
    if (!(v > 0) || mi == 0) {
        *s1 = *st = NAN;
        return;
    }
    *s1 = num1 / (double)mi / v;
    *st = num2 / (double)mi / (2 * v);
}

int sobol_estimate(size_t n, int k, size_t h, const double *fa, const double *fb,
                   const double *fab, uint64_t seed, int n_boot, double *s1, double *st,
                   double *s1_conf, double *st_conf)
{
    size_t K = (size_t)k, B = n_boot > 1 ? (size_t)n_boot : 0;
    size_t *idx = malloc((n + 1) * sizeof *idx);
    double *boot = malloc((2 * B * K * h + 1) * sizeof *boot);
    gsl_rng *r = rng_alloc();
    if (!idx || !boot || !r) {
        free(idx);
        free(boot);
        if (r)
            gsl_rng_free(r);
        return -1;
    }
    for (size_t i = 0; i < K; i++)
        for (size_t t = 0; t < h; t++)
            estimate_one(n, h, fa, fb, fab + i * n * h, t, NULL, &s1[i * h + t], &st[i * h + t]);
    for (size_t b = 0; b < B; b++) {
        rng_set_stream(r, seed, b, SOBOL_BOOTSTRAP_STREAM);
        for (size_t j = 0; j < n; j++)
            idx[j] = (size_t)gsl_rng_uniform_int(r, n);
        for (size_t i = 0; i < K; i++)
            for (size_t t = 0; t < h; t++) {
                double *at = &boot[2 * ((b * K + i) * h + t)];
                estimate_one(n, h, fa, fb, fab + i * n * h, t, idx, &at[0], &at[1]);
            }
    }
    for (size_t i = 0; i < K; i++)
        for (size_t t = 0; t < h; t++)
            for (int q = 0; q < 2; q++) {
                double sum = 0, ss = 0;
                size_t m = 0;
                for (size_t b = 0; b < B; b++) {
                    double x = boot[2 * ((b * K + i) * h + t) + (size_t)q];
                    if (!isnan(x)) {
                        sum += x;
                        m++;
                    }
                }
                double mean = m ? sum / (double)m : NAN;
                for (size_t b = 0; b < B; b++) {
                    double x = boot[2 * ((b * K + i) * h + t) + (size_t)q];
                    if (!isnan(x))
                        ss += (x - mean) * (x - mean);
                }
                double conf = m > 1 ? Z95 * sqrt(ss / (double)(m - 1)) : NAN;
                (q ? st_conf : s1_conf)[i * h + t] = conf;
            }
    gsl_rng_free(r);
    free(idx);
    free(boot);
    return 0;
}

int sobol_n_inputs(const engine_spec_t *spec)
{
    return spec->n_inputs + (spec->n_regimes > 0 ? 1 : 0);
}

int sobol_run_point(const engine_spec_t *spec, uint64_t n, point_summary_t *out, char *err,
                    size_t errlen)
{
    int k = sobol_n_inputs(spec), n_workers = spec->threads > 0 ? spec->threads
                                                                : omp_get_max_threads();
    size_t H = spec->n_attrib, V = spec->layout->n_vars, N = (size_t)n, K = (size_t)k;
    assert(out->sobol_k == k && out->n_attrib == H);
    /* evaluations e = m * N + j: matrix m = 0 A, 1 B, 2 + i A_B^(i); f holds their
     * outputs in that order, so fa, fb and fab are consecutive slices */
    size_t n_eval = (K + 2) * N;
    double *f = malloc((n_eval * H + 1) * sizeof *f);
    double *rows = malloc((size_t)n_workers * V * sizeof *rows);
    engine_worker_t **workers = calloc((size_t)n_workers, sizeof *workers);
    int rc = (!f || !rows || !workers) ? ENGINE_NOMEM : ENGINE_OK;
    for (int w = 0; w < n_workers && rc == ENGINE_OK; w++)
        if (!(workers[w] = engine_worker_alloc(spec)))
            rc = ENGINE_NOMEM;
    if (rc == ENGINE_OK) {
        int stopped = 0;
#pragma omp parallel for schedule(dynamic, 16) num_threads(n_workers)
        for (size_t e = 0; e < n_eval; e++) {
            int stop_now;
#pragma omp atomic read
            stop_now = stopped;
            if (stop_now || (spec->stop && *spec->stop)) {
#pragma omp atomic write
                stopped = 1;
                continue;
            }
            int t = omp_get_thread_num();
            size_t m = e / N, j = e % N;
            double *row = rows + (size_t)t * V;
            uint64_t draw = m == 1 ? N + j : j;
            engine_eval_design(spec, workers[t], draw, N + j, m >= 2 ? (int)(m - 2) : -1, row);
            for (size_t a = 0; a < H; a++)
                f[e * H + a] = row[spec->attrib_index[a]];
        }
        if (stopped) {
            snprintf(err, errlen, "interrupted during the Sobol design");
            rc = ENGINE_INTERRUPTED;
        }
    }
    if (rc == ENGINE_OK &&
        sobol_estimate(N, k, H, f, f + N * H, f + 2 * N * H, spec->seed, SOBOL_BOOTSTRAP,
                       out->sobol_s1, out->sobol_st, out->sobol_s1_conf, out->sobol_st_conf))
        rc = ENGINE_NOMEM;
    if (rc == ENGINE_NOMEM)
        snprintf(err, errlen, "out of memory for the Sobol design (%llu rows, %d inputs)",
                 (unsigned long long)n, k);
    if (workers)
        for (int w = 0; w < n_workers; w++)
            engine_worker_free(workers[w]);
    free(workers);
    free(rows);
    free(f);
    return rc;
}
