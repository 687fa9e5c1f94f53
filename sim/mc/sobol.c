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

/* The pooled mean and variance (divisor 2m) of f_A and f_B over the rows idx[0..n-1]
 * (the identity when idx is NULL): two passes for accuracy. Rows with a failed A or B
 * evaluation are left out; *m counts the values used. */
static void pooled(size_t n, const double *fa, const double *fb, const size_t *idx,
                   double *mean, double *var, size_t *m)
{
    double sum = 0, ss = 0;
    *m = 0;
    for (size_t r = 0; r < n; r++) {
        size_t j = idx ? idx[r] : r;
        if (isnan(fa[j]) || isnan(fb[j]))
            continue;
        sum += fa[j] + fb[j];
        *m += 2;
    }
    *mean = *m ? sum / (double)*m : NAN;
    for (size_t r = 0; r < n; r++) {
        size_t j = idx ? idx[r] : r;
        if (!isnan(fa[j]) && !isnan(fb[j]))
            ss += (fa[j] - *mean) * (fa[j] - *mean) + (fb[j] - *mean) * (fb[j] - *mean);
    }
    *var = *m ? ss / (double)*m : NAN;
}

/* S1 and ST of every input for one target over the rows idx (NULL: all): blk holds the
 * target's (k + 2) n outputs, [A | B | A_B^(1) | ... | A_B^(k)], contiguous so that the
 * resampled rows stay in cache; results into s1[i * stride], st[i * stride]. */
static void estimate_target(size_t n, int k, const double *blk, const size_t *idx,
                            double *s1, double *st, size_t stride)
{
    const double *fa = blk, *fb = blk + n;
    double mean, v;
    size_t m;
    pooled(n, fa, fb, idx, &mean, &v, &m);
    for (size_t i = 0; i < (size_t)k; i++) {
        const double *fabi = blk + (2 + i) * n;
        double num1 = 0, num2 = 0;
        size_t mi = 0;
        for (size_t r = 0; r < n && m >= 4 && v > 0; r++) {
            size_t j = idx ? idx[r] : r;
            double a = fa[j], b = fb[j], ab = fabi[j];
            if (isnan(a) || isnan(b) || isnan(ab))
                continue;
            num1 += (b - mean) * (ab - a);
            num2 += (a - ab) * (a - ab);
            mi++;
        }
        s1[i * stride] = mi ? num1 / (double)mi / v : NAN;
        st[i * stride] = mi ? num2 / (double)mi / (2 * v) : NAN;
    }
}

int sobol_estimate(size_t n, int k, size_t h, const double *fa, const double *fb,
                   const double *fab, uint64_t seed, int n_boot, int threads, double *s1,
                   double *st, double *s1_conf, double *st_conf)
{
    size_t K = (size_t)k, B = n_boot > 1 ? (size_t)n_boot : 0, KH = K * h, M = (K + 2) * n;
    int n_threads = threads > 0 ? threads : omp_get_max_threads();
    /* per replicate: its row indices and its estimates [S1 | ST] (k x h each); the
     * outputs regrouped by target (estimate_target's blocks) */
    size_t *idx = malloc((B * n + 1) * sizeof *idx);
    double *boot = malloc((2 * B * KH + 1) * sizeof *boot);
    double *blk = malloc((M * h + 1) * sizeof *blk);
    gsl_rng **r = calloc((size_t)n_threads, sizeof *r);
    int ok = idx && boot && blk && r;
    for (int w = 0; ok && w < n_threads; w++)
        ok = (r[w] = rng_alloc()) != NULL;
    if (ok) {
        for (size_t t = 0; t < h; t++)
            for (size_t j = 0; j < n; j++) {
                blk[t * M + j] = fa[j * h + t];
                blk[t * M + n + j] = fb[j * h + t];
                for (size_t i = 0; i < K; i++)
                    blk[t * M + (2 + i) * n + j] = fab[(i * n + j) * h + t];
            }
        for (size_t t = 0; t < h; t++)
            estimate_target(n, k, blk + t * M, NULL, s1 + t, st + t, h);
        /* replicates are independent (each its own stream): any thread, the same bits */
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_threads)
        for (size_t b = 0; b < B; b++) {
            gsl_rng *g = r[omp_get_thread_num()];
            size_t *rows = idx + b * n;
            rng_set_stream(g, seed, b, SOBOL_BOOTSTRAP_STREAM);
            for (size_t j = 0; j < n; j++)
                rows[j] = (size_t)gsl_rng_uniform_int(g, n);
            for (size_t t = 0; t < h; t++)
                estimate_target(n, k, blk + t * M, rows, boot + 2 * b * KH + t,
                                boot + (2 * b + 1) * KH + t, h);
        }
        for (size_t q = 0; q < 2; q++)
            for (size_t e = 0; e < KH; e++) {
                double sum = 0, ss = 0;
                size_t m = 0;
                for (size_t b = 0; b < B; b++) {
                    double x = boot[(2 * b + q) * KH + e];
                    if (!isnan(x)) {
                        sum += x;
                        m++;
                    }
                }
                double mean = m ? sum / (double)m : NAN;
                for (size_t b = 0; b < B; b++) {
                    double x = boot[(2 * b + q) * KH + e];
                    if (!isnan(x))
                        ss += (x - mean) * (x - mean);
                }
                (q ? st_conf : s1_conf)[e] = m > 1 ? Z95 * sqrt(ss / (double)(m - 1)) : NAN;
            }
    }
    if (r)
        for (int w = 0; w < n_threads; w++)
            if (r[w])
                gsl_rng_free(r[w]);
    free(r);
    free(idx);
    free(boot);
    free(blk);
    return ok ? 0 : -1;
}

int sobol_n_inputs(const engine_spec_t *spec)
{
    return spec->n_inputs + (spec->n_regimes > 0 ? 1 : 0);
}

int sobol_run_point(const engine_spec_t *spec, uint64_t n, point_summary_t *out,
                    double *design, char *err, size_t errlen)
{
    int k = sobol_n_inputs(spec), n_workers = spec->threads > 0 ? spec->threads
                                                                : omp_get_max_threads();
    size_t H = spec->n_attrib, V = spec->layout->n_vars, N = (size_t)n, K = (size_t)k;
    assert(out->sobol_k == k && out->n_attrib == H);
    /* evaluations e = m * N + j: matrix m = 0 A, 1 B, 2 + i A_B^(i); f holds their
     * outputs in that order, so fa, fb and fab are consecutive slices */
    size_t n_eval = (K + 2) * N;
    double *f = malloc((n_eval * H + 1) * sizeof *f);
    double *rows = malloc((size_t)n_workers * SOLVE_LANES * V * sizeof *rows);
    engine_worker_t **workers = calloc((size_t)n_workers, sizeof *workers);
    int rc = (!f || !rows || !workers) ? ENGINE_NOMEM : ENGINE_OK;
    for (int w = 0; w < n_workers && rc == ENGINE_OK; w++)
        if (!(workers[w] = engine_worker_alloc(spec)))
            rc = ENGINE_NOMEM;
    if (rc == ENGINE_OK) {
        int stopped = 0;
        /* SOLVE_LANES evaluations at a time (one batched solve): e0 = their first */
#pragma omp parallel for schedule(dynamic, 2) num_threads(n_workers)
        for (size_t e0 = 0; e0 < n_eval; e0 += SOLVE_LANES) {
            int stop_now;
#pragma omp atomic read
            stop_now = stopped;
            if (stop_now || (spec->stop && *spec->stop)) {
#pragma omp atomic write
                stopped = 1;
                continue;
            }
            int t = omp_get_thread_num(), nl = 0, swap[SOLVE_LANES];
            uint64_t draw[SOLVE_LANES], alt[SOLVE_LANES];
            int32_t status[SOLVE_LANES];
            for (size_t e = e0; e < n_eval && nl < SOLVE_LANES; e++, nl++) {
                size_t m = e / N, j = e % N;
                draw[nl] = m == 1 ? N + j : j;
                alt[nl] = N + j;
                swap[nl] = m >= 2 ? (int)(m - 2) : -1;
            }
            double *lane_rows = rows + (size_t)t * SOLVE_LANES * V;
            engine_eval_designs(spec, workers[t], nl, draw, alt, swap, lane_rows, status);
            for (int l = 0; l < nl; l++)
                for (size_t a = 0; a < H; a++)
                    f[(e0 + (size_t)l) * H + a] = lane_rows[(size_t)l * V + spec->attrib_index[a]];
        }
        if (stopped) {
            snprintf(err, errlen, "interrupted during the Sobol design");
            rc = ENGINE_INTERRUPTED;
        }
    }
    if (rc == ENGINE_OK &&
        sobol_estimate(N, k, H, f, f + N * H, f + 2 * N * H, spec->seed, SOBOL_BOOTSTRAP,
                       n_workers, out->sobol_s1, out->sobol_st, out->sobol_s1_conf, out->sobol_st_conf))
        rc = ENGINE_NOMEM;
    if (rc == ENGINE_OK && design)
        memcpy(design, f, n_eval * H * sizeof *f);
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
