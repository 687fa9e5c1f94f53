/*
 * bench_attrib.c - what attribution costs (not a test): the engine on configs/default.yaml
 * (run from the repository root), one thread, with and without the streamed attribution
 * of the headline quantities; the normal scores the attribution needs
 * (sampler_draw_scores against sampler_draw); and one evaluation of the Sobol design
 * against one ordinary draw. Usage: build/tests/bench_attrib [draws]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "attrib.h"
#include "config.h"
#include "prepare.h"
#include "sobol.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds of the fastest of three runs of the point. */
static double time_point(const engine_spec_t *spec, point_summary_t *ps)
{
    double best = 1e300;
    char err[256];
    for (int r = 0; r < 3; r++) {
        double t = now();
        if (engine_run_point(spec, ps, err, sizeof err) != ENGINE_OK) {
            fprintf(stderr, "bench_attrib: %s\n", err);
            exit(1);
        }
        t = now() - t;
        best = t < best ? t : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    uint64_t draws = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000;
    config_t *cfg = NULL;
    config_error_t cerr;
    char err[512];
    prepared_t prep;
    if (config_load("configs/default.yaml", &cfg, &cerr) ||
        prepare_point(cfg, &prep, err, sizeof err)) {
        fprintf(stderr, "bench_attrib: configs/default.yaml: %s\n", cfg ? err : cerr.message);
        return 1;
    }
    engine_spec_t spec;
    prepare_engine_spec(cfg, &prep, &spec);
    spec.threads = 1;
    spec.mpi_size = 1;
    spec.draws = draws;
    attrib_target_t targets[ATTRIB_MAX_TARGETS];
    int n_targets = attrib_targets(NULL, 0, targets, err, sizeof err);
    size_t *index = malloc(prep.layout.n_vars * sizeof *index);
    size_t n_attrib = attrib_target_indices(&prep.layout, targets, n_targets, index);
    point_summary_t *ps = point_summary_alloc(prep.layout.n_vars, 1 + spec.n_regimes,
                                              spec.n_thresholds);
    point_summary_alloc_attrib(ps, spec.n_inputs, n_attrib);

    /* alternated, the fastest of each kept: the machine is shared */
    double t_plain = 1e300, t_attrib = 1e300;
    for (int r = 0; r < 3; r++) {
        spec.n_attrib = 0;
        double t = time_point(&spec, ps);
        t_plain = t < t_plain ? t : t_plain;
        spec.attrib_index = index;
        spec.n_attrib = n_attrib;
        t = time_point(&spec, ps);
        t_attrib = t < t_attrib ? t : t_attrib;
    }

    /* the normal scores: sampler_draw_scores against sampler_draw */
    sample_workspace_t *ws = sample_workspace_alloc(prep.sampler);
    double values[ATTRIB_MAX_INPUTS], z[ATTRIB_MAX_INPUTS], best[2] = {1e300, 1e300};
    int g;
    for (int r = 0; r < 3; r++)
        for (int with_z = 0; with_z < 2; with_z++) {
            double t = now();
            for (uint64_t d = 0; d < draws; d++)
                sampler_draw_scores(prep.sampler, ws, spec.seed, d, values, with_z ? z : NULL, &g);
            t = now() - t;
            best[with_z] = t < best[with_z] ? t : best[with_z];
        }
    sample_workspace_free(ws);
    double t_scores = best[1] - best[0];

    /* the Sobol design: n rows, n (k + 2) evaluations */
    uint64_t rows = draws / (uint64_t)(sobol_n_inputs(&spec) + 2);
    point_summary_alloc_sobol(ps, sobol_n_inputs(&spec), n_attrib);
    double t_sobol = now();
    if (sobol_run_point(&spec, rows, ps, NULL, err, sizeof err) != ENGINE_OK) {
        fprintf(stderr, "bench_attrib: %s\n", err);
        return 1;
    }
    t_sobol = now() - t_sobol;
    double evals = (double)rows * (sobol_n_inputs(&spec) + 2);
    /* the evaluations alone, as the design makes them (row j of A_B^(i)) */
    engine_worker_t *w = engine_worker_alloc(&spec);
    double *row = malloc(SOLVE_LANES * prep.layout.n_vars * sizeof *row), t_eval = now();
    for (uint64_t j = 0; j < rows; j++)
        for (int i = -1; i <= sobol_n_inputs(&spec); i += SOLVE_LANES) {
            uint64_t draw[SOLVE_LANES], alt[SOLVE_LANES];
            int swap[SOLVE_LANES], nl = 0;
            int32_t status[SOLVE_LANES];
            for (; nl < SOLVE_LANES && i + nl <= sobol_n_inputs(&spec); nl++) {
                draw[nl] = j;
                alt[nl] = rows + j;
                swap[nl] = i + nl;
            }
            engine_eval_designs(&spec, w, nl, draw, alt, swap, row, status);
        }
    t_eval = now() - t_eval;
    free(row);
    engine_worker_free(w);

    double per_draw = 1e6 * t_plain / (double)draws;
    printf("  attribution of %d quantities (%zu values) on %d inputs, %llu draws, 1 thread:\n",
           n_targets, n_attrib, spec.n_inputs, (unsigned long long)draws);
    printf("    draw without attribution %.2f us; co-moments +%.2f us; normal scores +%.2f us\n",
           per_draw, 1e6 * (t_attrib - t_plain) / (double)draws, 1e6 * t_scores / (double)draws);
    printf("    extra time of the streamed attribution: %.1f %% (target < 15 %%)\n",
           100 * (t_attrib - t_plain + t_scores) / t_plain);
    printf("  Sobol design (%llu rows, %.0f evaluations, 1 thread): %.2f us per evaluation, "
           "%.2f x an ordinary draw (target 1); with the %d-resample bootstrap and the "
           "reduction %.2f us per evaluation\n",
           (unsigned long long)rows, evals, 1e6 * t_eval / evals,
           1e6 * t_eval / evals / per_draw, SOBOL_BOOTSTRAP, 1e6 * t_sobol / evals);
    point_summary_free(ps);
    free(index);
    prepared_free(&prep);
    config_free(cfg);
    return 0;
}
