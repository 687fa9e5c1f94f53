/*
 * bench_stats.c - what the statistics of a draw cost, one core: the engine's per-draw
 * path of sim/stats.h over 442 variables (the default scenario's draw vector) laid out
 * as the engine lays them out: blocks of 64 rows into block moments
 * (stats_moments_add_rows) and into histogram slots (stats_hist_slots), then per chunk
 * of 8192 draws every variable's slots into its histogram (stats_hist_add_slots). The
 * values are generated before the clock starts: normal, lognormal, bimodal, uniform
 * and constant variables (a draw vector has all of them). Best of three runs, in CPU
 * time. Not a test.
 * Usage: build/tests/bench_stats [chunks]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "stats.h"

enum { NV = 442, BLOCK = 64, CHUNK = 8192, PILOT = 256 };

/* CPU time of this thread: on a shared machine, time spent waiting for a core does
 * not count */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double uniform(uint64_t *s)   /* (0, 1), splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1.0p-53;
}

static double value(uint64_t *s, int v)
{
    double n = sqrt(-2 * log(uniform(s))) * cos(6.283185307179586 * uniform(s));
    switch (v % 5) {
    case 0: return 100.0 + v + 5.0 * n;
    case 1: return exp(0.3 * n);
    case 2: return uniform(s) < 0.35 ? -4.0 + 0.6 * n : 7.0 + 1.3 * n;
    case 3: return v % 3 ? uniform(s) : 0.0;   /* some change variables are 0 in every draw */
    default: return 1e-3 * v * n;
    }
}

int main(int argc, char **argv)
{
    int chunks = argc > 1 ? atoi(argv[1]) : 20;
    double *rows = malloc((size_t)CHUNK * NV * sizeof(double));
    stats_slot_t *slots = malloc((size_t)CHUNK * NV * sizeof(stats_slot_t));
    stats_moments_t *m = stats_moments_alloc(NV);
    if (!rows || !slots || !m || chunks < 1)
        return 1;
    uint64_t s = 2385;
    for (size_t d = 0; d < CHUNK; d++)
        for (int v = 0; v < NV; v++)
            rows[d * NV + (size_t)v] = value(&s, v);
    double lo[NV], hi[NV];
    stats_range_from_pilot(rows, PILOT, NV, lo, hi);
    stats_hist_t *h = stats_hist_alloc(NV, lo, hi);
    if (!h)
        return 1;
    double dt = INFINITY, checksum = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        for (int c = 0; c < chunks; c++) {
            for (size_t at = 0; at < CHUNK; at += BLOCK) {
                stats_moments_reset(m);
                stats_moments_add_rows(m, rows + at * NV, BLOCK);
                for (size_t v = 0; v < NV; v++)
                    stats_hist_slots(h, v, rows + at * NV + v, NV, BLOCK,
                                     slots + v * CHUNK + at);
                checksum += m->mean[7];
            }
            for (size_t v = 0; v < NV; v++)
                stats_hist_add_slots(h, v, slots + v * CHUNK, NULL, CHUNK);
        }
        dt = fmin(dt, now() - t0);
    }
    double draws = (double)chunks * CHUNK;
    printf("stats %7.3f us/draw  (%d variables: block moments %d rows at a time, histogram "
           "slots, per-chunk fill; %.0f draws, check %.3f)\n",
           1e6 * dt / draws, NV, BLOCK, draws, checksum / (3 * draws / BLOCK));
    stats_hist_free(h);
    stats_moments_free(m);
    free(rows);
    free(slots);
    return 0;
}
