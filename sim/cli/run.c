/* run.c - see run.h. The raw-draw sink of --raw-draws is run_raw.c (run_raw.h). */
#include "run.h"
#include "run_raw.h"
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "cluster.h"
#include "engine.h"
#include "h5out.h"
#include "prepare.h"
#include "progress.h"
#include "results.h"
#include "scenario_path.h"
#include "sobol.h"

static void run_partial_path(const char *output, char *buf, size_t len)
{
    size_t n = strlen(output);
    if (n > 3 && !strcmp(output + n - 3, ".h5"))
        snprintf(buf, len, "%.*s.partial.h5", (int)(n - 3), output);
    else
        snprintf(buf, len, "%s.partial.h5", output);
}

/* ---- the output must not be one of the inputs ---------------------------------------- */

int run_output_is_input(const char *output, const char *const *inputs, int n)
{
    struct stat out, in;
    if (stat(output, &out) != 0)
        return 0;                    /* nothing there yet: it cannot be an input */
    for (int k = 0; k < n; k++)
        if (stat(inputs[k], &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
            fprintf(stderr, "agtrade: %s: the output is the same file as the input %s; "
                    "refusing to overwrite it\n", output, inputs[k]);
            return 1;
        }
    return 0;
}

/* The scenario file and every base it names. */
static int output_is_config(const run_options_t *opt, const config_t *cfg)
{
    char **files;
    int n;
    config_error_t err;
    if (config_files(opt->config_path, &files, &n, &err))
        return 0;                    /* load_config read them a moment ago */
    int clash = run_output_is_input(cfg->output, (const char *const *)files, n);
    config_files_free(files, n);
    return clash;
}

static void say_removed(const char *path, void *arg)
{
    (void)arg;
    fprintf(stderr, "agtrade: removed %s, the temporary file of a run that was killed\n", path);
}

/* ---- configuration ---------------------------------------------------------------- */

static int load_config(const run_options_t *opt, config_t **out)
{
    config_error_t err;
    struct stat st;
    errno = 0;
    if (stat(opt->config_path, &st) != 0 || !S_ISREG(st.st_mode) ||
        access(opt->config_path, R_OK) != 0) {
        fprintf(stderr, "agtrade: %s: cannot read scenario file (%s)\n", opt->config_path,
                errno ? strerror(errno) : "not a regular file");
        return EXIT_NOINPUT;
    }
    for (int k = 0; k < opt->n_sets; k++) {
        const char *eq = strchr(opt->sets[k], '=');
        if (!eq || eq == opt->sets[k]) {   /* the command line, not the scenario, is wrong */
            fprintf(stderr, "agtrade: --set '%s': expected KEY=VALUE\n", opt->sets[k]);
            return EXIT_USAGE;
        }
    }
    config_t *cfg = NULL;
    if (config_load_with_sets(opt->config_path, opt->sets, opt->n_sets, &cfg, &err)) {
        fprintf(stderr, "agtrade: %s\n", err.message);   /* names the file or the --set */
        return EXIT_DATAERR;
    }
    /* -n, -s and -o are --set run.draws / run.seed / run.output in disguise, so the
     * resolved config (and the file's config_yaml) records them */
    char assignment[CONFIG_PATH_MAX + 32];
    const char *what[3] = {NULL, NULL, NULL};
    char draws[32], seed[32];
    if (opt->has_draws) {
        snprintf(draws, sizeof draws, "run.draws=%llu", (unsigned long long)opt->draws);
        what[0] = draws;
    }
    if (opt->has_seed) {
        snprintf(seed, sizeof seed, "run.seed=%llu", (unsigned long long)opt->seed);
        what[1] = seed;
    }
    if (opt->output) {
        snprintf(assignment, sizeof assignment, "run.output=%s", opt->output);
        what[2] = assignment;
    }
    for (int k = 0; k < 3; k++)
        if (what[k] && config_set_as(cfg, what[k], opt->typed[k], &err)) {
            fprintf(stderr, "agtrade: %s\n", err.message);
            config_free(cfg);
            return EXIT_USAGE;
        }
    for (int k = 0; k < opt->n_sweeps; k++)
        if (config_add_sweep(cfg, &opt->sweeps[k], &err)) {
            fprintf(stderr, "agtrade: --sweep %s: %s\n", opt->sweeps[k].key, err.message);
            config_free(cfg);
            return EXIT_USAGE;   /* the file loaded: the command line asked too much */
        }
    if (cfg->n_sweeps > SWEEP_MAX_KEYS) {
        fprintf(stderr, "agtrade: %s: at most %d swept keys\n", cfg->path, SWEEP_MAX_KEYS);
        config_free(cfg);
        return EXIT_DATAERR;
    }
    *out = cfg;
    return EXIT_OK;
}

/* ---- the results skeleton ---------------------------------------------------------- */

/* Attribution (attrib.h) of the headline quantities on the scenario's inputs, when it
 * has any. */
static int attribution_for(const config_t *cfg, results_t *res)
{
    /* the targets are annual quantities: a calendar scenario has none of them (yet) */
    if (cfg->n_inputs == 0 || cfg->time)
        return 0;
    attrib_target_t targets[ATTRIB_MAX_TARGETS];
    char err[256];
    const char *extra[ATTRIB_MAX_TARGETS];
    for (int k = 0; k < cfg->n_attribution; k++)
        extra[k] = cfg->attribution[k];
    int n = attrib_targets(extra, cfg->n_attribution, targets, err, sizeof err);
    int k = cfg->n_inputs < ATTRIB_MAX_INPUTS ? cfg->n_inputs : ATTRIB_MAX_INPUTS;
    if (n < 0 || results_set_attribution(res, k, targets, n))
        return -1;
    for (int i = 0; i < k; i++)
        snprintf(res->input_name[i], RESULTS_LABEL_MAX, "%s", cfg->inputs[i].name);
    if (!cfg->sobol)
        return 0;
    /* the Sobol design's inputs: every input, then the regime as one more */
    if (results_set_sobol(res, cfg->n_inputs + (cfg->n_regimes > 0)))
        return -1;
    for (int i = 0; i < cfg->n_inputs; i++)
        snprintf(res->sobol_name[i], RESULTS_LABEL_MAX, "%s", cfg->inputs[i].name);
    if (cfg->n_regimes)
        snprintf(res->sobol_name[cfg->n_inputs], RESULTS_LABEL_MAX, "regime");
    return 0;
}

static results_t *results_for(const config_t *cfg, int shard_k, int shard_n)
{
    size_t n_points = sweep_n_points(cfg->sweeps, cfg->n_sweeps);
    results_t *res = results_alloc(cfg->market->n_exporters, cfg->market->n_importers,
                                   cfg->n_regimes, cfg->n_thresholds, cfg->n_sweeps, n_points);
    if (!res)
        return NULL;
    for (int i = 0; i < res->n_exporters; i++)
        snprintf(res->exporter_name[i], RESULTS_LABEL_MAX, "%s", cfg->market->exporter_name[i]);
    for (int j = 0; j < res->n_importers; j++)
        snprintf(res->importer_name[j], RESULTS_LABEL_MAX, "%s", cfg->market->importer_name[j]);
    for (int r = 0; r < cfg->n_regimes; r++)
        snprintf(res->regime_name[r], RESULTS_LABEL_MAX, "%s", cfg->regimes[r].name);
    for (int t = 0; t < cfg->n_thresholds; t++)
        snprintf(res->threshold_name[t], RESULTS_LABEL_MAX, "%s", cfg->thresholds[t].name);
    for (int s = 0; s < cfg->n_sweeps; s++)
        snprintf(res->sweep_key[s], sizeof res->sweep_key[s], "%s", cfg->sweeps[s].key);
    const config_time_t *tm = cfg->time;
    if (tm && results_set_calendar(res, tm->spec->n_periods, tm->spec->n_years)) {
        results_free(res);
        return NULL;
    }
    for (int t = 0; tm && t < tm->spec->n_periods; t++)
        snprintf(res->period_name[t], RESULTS_LABEL_MAX, "%s", tm->spec->period_name[t]);
    for (int y = 0; tm && y < tm->spec->n_years; y++)
        snprintf(res->year_name[y], RESULTS_LABEL_MAX, "%s", tm->year_name[y]);
    if (attribution_for(cfg, res)) {
        results_free(res);
        return NULL;
    }
    for (size_t p = 0; p < n_points; p++) {
        sweep_point_values(cfg->sweeps, cfg->n_sweeps, p,
                           &res->point_values[p * (size_t)cfg->n_sweeps]);
        if ((int)(p % (size_t)shard_n) != shard_k)
            continue;
        res->points[p] = point_summary_alloc(res->layout.n_vars, 1 + cfg->n_regimes,
                                             cfg->n_thresholds);
        if (!res->points[p] ||
            (res->n_inputs && point_summary_alloc_attrib(res->points[p], res->n_inputs,
                                                         results_attrib_values(res))) ||
            (res->sobol_k && point_summary_alloc_sobol(res->points[p], res->sobol_k,
                                                       results_attrib_values(res)))) {
            results_free(res);
            return NULL;
        }
    }
    return res;
}

/* Every owned point must resolve and calibrate before any draw is spent. */
static int check_points(const config_t *cfg, const results_t *res)
{
    char err[CONFIG_MSG_MAX + 256];
    for (size_t p = 0; p < res->n_points; p++) {
        if (!res->points[p])
            continue;
        prepared_t prep;
        config_t *pc = prepare_sweep_point(cfg, p, &prep, err, sizeof err);
        if (!pc) {
            fprintf(stderr, "agtrade: %s\n", err);
            return EXIT_DATAERR;
        }
        prepared_free(&prep);
        config_free(pc);
    }
    return EXIT_OK;
}

/* ---- metadata -------------------------------------------------------------------- */

static int write_metadata(h5out_t *h, const run_options_t *opt, const config_t *cfg,
                          const results_t *res, int threads, int shard_k, int shard_n,
                          char *err, size_t errlen)
{
    char cmdline[8192], shard[64];
    results_command_line(opt->command_argc, opt->command_line, cmdline, sizeof cmdline);
    snprintf(shard, sizeof shard, "%d/%d", shard_k, shard_n);
    char *yaml = config_to_yaml(cfg);
    if (!yaml) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    results_meta_t meta = {.config_yaml = yaml, .seed = cfg->seed, .draws = cfg->draws,
                           .threads = threads, .command_line = cmdline, .shard = shard,
                           .title = cfg->scenario.name, .institution = cfg->institution,
                           .references = cfg->references};
    int rc = results_write_metadata(h, res, &meta, err, errlen);
    free(yaml);
    return rc;
}

/* ---- resume and partial files ------------------------------------------------------- */

/* --resume without OUT.partial.h5 (a run killed by SIGKILL, or one that finished): 1 when
 * OUT is a complete, readable output of this very configuration, seed, draws and shard
 * (nothing to do), else 0 (start from the first point). */
static int resume_finished(const config_t *cfg, int shard_k, int shard_n)
{
    char err[1024], shard[64], *saved_yaml = NULL, *saved_shard = NULL;
    int64_t complete = 0;
    snprintf(shard, sizeof shard, "%d/%d", shard_k, shard_n);
    h5in_t *in = access(cfg->output, F_OK) == 0 ? h5in_open(cfg->output, err, sizeof err) : NULL;
    char *yaml = in ? config_to_yaml(cfg) : NULL;
    int done = yaml && !h5in_attr_int64(in, "/", "complete", &complete, err, sizeof err) &&
               complete == 1 &&
               !h5in_attr_string(in, "/", "shard", &saved_shard, err, sizeof err) &&
               !strcmp(saved_shard, shard) &&
               !h5in_read_string_scalar(in, "config_yaml", &saved_yaml, err, sizeof err) &&
               !strcmp(saved_yaml, yaml);
    results_t *saved = done ? results_read(in, err, sizeof err) : NULL;
    if (done && !saved) {   /* ours, but corrupt: it is made again */
        fprintf(stderr, "agtrade: --resume: %s; running it again\n", err);
        done = 0;
    }
    results_free(saved);
    free(yaml);
    free(saved_yaml);
    free(saved_shard);
    h5in_close(in);
    return done;
}

/* Take the finished points of OUT.partial.h5 when it comes from the same config. */
static int resume_points(const char *partial, const config_t *cfg, results_t *res,
                         unsigned char *done)
{
    char err[1024];
    h5in_t *in = h5in_open(partial, err, sizeof err);
    if (!in) {
        fprintf(stderr, "agtrade: --resume: %s\n", err);
        return EXIT_NOINPUT;
    }
    char *saved_yaml = NULL, *yaml = config_to_yaml(cfg);
    int rc = EXIT_OK;
    if (!yaml || h5in_read_string_scalar(in, "config_yaml", &saved_yaml, err, sizeof err)) {
        fprintf(stderr, "agtrade: --resume: %s: %s\n", partial, yaml ? err : "out of memory");
        rc = EXIT_DATAERR;
    } else if (strcmp(saved_yaml, yaml) != 0) {
        fprintf(stderr, "agtrade: --resume: %s was made from a different configuration, seed or "
                "draw count; remove it or run without --resume\n", partial);
        rc = EXIT_DATAERR;
    }
    int any_done = h5in_exists(in, "point");   /* stopped before a point finished: none */
    results_t *saved = (rc || !any_done) ? NULL : results_read(in, err, sizeof err);
    if (!rc && any_done && !saved) {
        fprintf(stderr, "agtrade: --resume: %s\n", err);   /* names the file */
        rc = EXIT_DATAERR;
    }
    for (size_t p = 0; saved && p < res->n_points && p < saved->n_points; p++) {
        if (!saved->points[p] || !res->points[p])
            continue;
        point_summary_free(res->points[p]);
        res->points[p] = saved->points[p];
        saved->points[p] = NULL;
        done[p] = 1;
    }
    results_free(saved);
    free(saved_yaml);
    free(yaml);
    h5in_close(in);
    return rc;
}

static int write_partial(const run_options_t *opt, const config_t *cfg, results_t *res,
                         const unsigned char *done, int threads, int shard_k, int shard_n)
{
    char partial[CONFIG_PATH_MAX + 16], err[1024];
    run_partial_path(cfg->output, partial, sizeof partial);
    point_summary_t **all = res->points;
    point_summary_t **finished = calloc(res->n_points, sizeof *finished);
    if (!finished)
        return -1;
    size_t n_done = 0;
    for (size_t p = 0; p < res->n_points; p++)
        if (done[p]) {
            finished[p] = all[p];
            n_done++;
        }
    res->points = finished;
    int rc = -1;
    h5out_t *h = h5out_create(partial, err, sizeof err);
    if (h) {
        rc = n_done ? results_define(h, res, 0, err, sizeof err) : 0;
        if (!rc && n_done)
            rc = results_write_summary(h, res, err, sizeof err);
        if (!rc)
            rc = write_metadata(h, opt, cfg, res, threads, shard_k, shard_n, err, sizeof err);
        if (h5out_abort(h, rc ? NULL : partial, err, sizeof err))
            rc = -1;
    }
    res->points = all;
    free(finished);
    if (rc)
        fprintf(stderr, "agtrade: could not save finished points: %s\n", err);
    else
        fprintf(stderr, "agtrade: interrupted; %zu finished point(s) saved to %s "
                "(continue with --resume)\n", n_done, partial);
    return rc;
}

/* Raw draws cannot be resumed (the streamed draws went with the temporary file), so an
 * interrupted raw run leaves nothing behind that would invite --resume. */
static void report_raw_interrupt(void)
{
    fprintf(stderr, "agtrade: interrupted; runs with --raw-draws cannot be resumed: run again\n");
}

/* ---- the point loop ----------------------------------------------------------------- */

typedef struct {
    const run_options_t *opt;
    const config_t *cfg;
    results_t *res;
    unsigned char *done;
    int threads;
    int rank, ranks;                 /* MPI: only rank 0 writes files and prints */
    h5out_t *out;
    raw_sink_t raw;
    progress_t progress;
    size_t *attrib_index, n_attrib;  /* the attributed values (attrib.h) */
    engine_scratch_t *scratch;       /* the engine's buffers, kept from point to point */
} run_state_t;

static int run_one_point(run_state_t *st, size_t p, uint64_t progress_offset,
                         uint64_t progress_total)
{
    char err[CONFIG_MSG_MAX + 256];
    prepared_t prep;
    config_t *pc = prepare_sweep_point(st->cfg, p, &prep, err, sizeof err);
    if (!pc) {
        fprintf(stderr, "agtrade: %s\n", err);
        return EXIT_DATAERR;
    }
    engine_spec_t spec;
    prepare_engine_spec(pc, &prep, &spec);
    spec.threads = st->threads;
    spec.solve_kernel = st->opt->solve_kernel;
    spec.stop = st->opt->stop;
    spec.mpi_rank = st->rank;
    spec.mpi_size = st->ranks;
    spec.progress = st->rank == 0 ? progress_update : NULL;
    spec.progress_ctx = &st->progress;
    spec.progress_offset = progress_offset;
    spec.progress_total = progress_total;
    spec.attrib_index = st->attrib_index;
    spec.n_attrib = st->n_attrib;
    spec.scratch = st->scratch;
    if (st->opt->raw) {
        spec.raw = run_raw_write_chunk;
        spec.raw_inputs = run_raw_write_inputs;
        spec.raw_ctx = &st->raw;
    }
    int rc = engine_run_point(&spec, st->res->points[p], err, sizeof err);
    if (rc == ENGINE_OK && st->cfg->sobol && st->rank == 0) {   /* one rank runs the design */
        rc = sobol_run_point(&spec, st->cfg->sobol, st->res->points[p], st->raw.design, err,
                             sizeof err);
        if (rc == ENGINE_OK && st->raw.design && run_raw_write_design(&st->raw))
            rc = ENGINE_SINK_FAILED;
    }
    prepared_free(&prep);
    config_free(pc);
    if (rc == ENGINE_OK) {
        st->done[p] = 1;
        return EXIT_OK;
    }
    if (rc == ENGINE_INTERRUPTED)
        return EXIT_INTERRUPTED;
    fprintf(stderr, "agtrade: %s%s%s\n", err, rc == ENGINE_SINK_FAILED ? ": " : "",
            rc == ENGINE_SINK_FAILED ? st->raw.err : "");
    return rc == ENGINE_SINK_FAILED ? EXIT_IOERR : EXIT_SOFTWARE;
}

static int run_points(run_state_t *st)
{
    const results_t *res = st->res;
    size_t owned = results_count_present(res), k = 0;
    uint64_t total = (uint64_t)owned * st->cfg->draws;
    int rc = EXIT_OK;
    progress_init(&st->progress, st->opt->quiet || st->rank != 0);
    for (size_t p = 0; p < res->n_points && rc == EXIT_OK; p++) {
        if (!res->points[p])
            continue;
        if (!st->done[p]) {
            st->raw.file_point = k;
            rc = run_one_point(st, p, (uint64_t)k * st->cfg->draws, total);
            if (rc == EXIT_OK && st->progress.mode == PROGRESS_LINES && owned > 1)
                fprintf(stderr, "agtrade: point %zu of %zu done\n", k + 1, owned);
            /* stop between points; under MPI every rank must take the same decision */
            int stop = *st->opt->stop != 0;
            if (st->ranks > 1)
                stop = cluster_max(stop);
            if (rc == EXIT_OK && stop && k + 1 < owned)
                rc = EXIT_INTERRUPTED;
        }
        k++;
    }
    progress_finish(&st->progress);
    return rc;
}

static int open_output(run_state_t *st)
{
    char err[1024];
    st->out = h5out_create(st->cfg->output, err, sizeof err);
    if (!st->out) {
        fprintf(stderr, "agtrade: %s\n", err);
        return EXIT_IOERR;
    }
    if (st->opt->raw && st->cfg->sobol)   /* the design's outputs go into /draws too */
        st->res->sobol_evals = st->cfg->sobol * (uint64_t)(st->res->sobol_k + 2);
    int rc = results_define(st->out, st->res, st->opt->raw ? st->cfg->draws : 0, err, sizeof err);
    if (!rc && st->opt->raw) {
        st->raw.layout = &st->res->layout;
        st->raw.cfg = st->cfg;
        st->raw.res = st->res;
        st->raw.threads = st->threads;
        rc = run_raw_open(st->out, &st->raw, err, sizeof err);
    }
    if (rc) {
        fprintf(stderr, "agtrade: %s\n", err);
        return EXIT_IOERR;
    }
    return EXIT_OK;
}

static int finish_output(run_state_t *st, int shard_k, int shard_n)
{
    char err[1024];
    int rc = st->opt->raw ? run_raw_close(&st->raw, err, sizeof err) : 0;
    if (!rc && st->opt->raw)
        rc = results_copy_coords(st->out, st->res, "draws", 1, err, sizeof err);
    if (!rc)
        rc = results_write_summary(st->out, st->res, err, sizeof err);
    if (!rc)
        rc = write_metadata(st->out, st->opt, st->cfg, st->res, st->threads, shard_k, shard_n,
                            err, sizeof err);
    if (rc) {
        char ignored[256];
        h5out_abort(st->out, NULL, ignored, sizeof ignored);
    } else {
        rc = h5out_commit(st->out, err, sizeof err);
    }
    st->out = NULL;
    if (rc) {
        fprintf(stderr, "agtrade: %s\n", err);
        return EXIT_IOERR;
    }
    return EXIT_OK;
}

static int choose_shard(const run_options_t *opt, int *k, int *n)
{
    char err[512];
    *k = 0;
    *n = 1;
    if (opt->has_shard) {
        *k = opt->shard_k;
        *n = opt->shard_n;
        return EXIT_OK;
    }
    if (shard_from_slurm(k, n, err, sizeof err) < 0) {
        fprintf(stderr, "agtrade: %s\n", err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int run_config(const run_options_t *opt, const config_t *cfg)
{
    int shard_k, shard_n, rc = choose_shard(opt, &shard_k, &shard_n);
    if (rc)
        return rc;
    run_state_t st;
    memset(&st, 0, sizeof st);
    st.opt = opt;
    st.cfg = cfg;
    st.threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    if (cfg->sobol && cfg->n_inputs == 0) {
        fprintf(stderr, "agtrade: %s: --sobol (run.sobol) needs random inputs; the scenario "
                "has none\n", cfg->path);
        return EXIT_DATAERR;
    }
    st.res = results_for(cfg, shard_k, shard_n);
    if (!st.res) {
        fprintf(stderr, "agtrade: out of memory\n");
        return EXIT_SOFTWARE;
    }
    if (results_count_present(st.res) == 0) {
        fprintf(stderr, "agtrade: shard %d/%d has no points (the sweep has %zu)\n", shard_k,
                shard_n, st.res->n_points);
        results_free(st.res);
        return EXIT_USAGE;
    }
    st.rank = cluster_rank();
    st.ranks = cluster_size();
    st.done = calloc(st.res->n_points, 1);
    st.attrib_index = malloc(st.res->layout.n_vars * sizeof *st.attrib_index);
    st.scratch = engine_scratch_alloc();
    if (st.attrib_index && st.res->n_inputs)
        st.n_attrib = attrib_target_indices(&st.res->layout, st.res->targets, st.res->n_targets,
                                            st.attrib_index);
    rc = st.done && st.attrib_index && st.scratch ? check_points(cfg, st.res) : EXIT_SOFTWARE;
    if (rc == EXIT_OK && output_is_config(opt, cfg))
        rc = EXIT_IOERR;
    if (rc == EXIT_OK && opt->resume) {
        char partial[CONFIG_PATH_MAX + 16];
        run_partial_path(cfg->output, partial, sizeof partial);
        if (access(partial, F_OK) == 0) {
            rc = resume_points(partial, cfg, st.res, st.done);
        } else if (resume_finished(cfg, shard_k, shard_n)) {
            if (st.rank == 0)
                fprintf(stderr, "agtrade: --resume: %s is already complete for this "
                        "configuration and seed; nothing to do\n", cfg->output);
            free(st.done);
            free(st.attrib_index);
            engine_scratch_free(st.scratch);
            results_free(st.res);
            return EXIT_OK;
        } else if (st.rank == 0) {
            fprintf(stderr, "agtrade: --resume: no %s to resume from; starting from the first "
                    "point\n", partial);
        }
    }
    if (rc == EXIT_OK && st.rank == 0) {
        h5out_remove_stale(cfg->output, say_removed, NULL);   /* -1: h5out_create says why */
        rc = open_output(&st);
    }
    if (st.ranks > 1)
        rc = cluster_max(rc);   /* every rank learns that rank 0 could not open its file */
    if (rc == EXIT_OK)
        rc = run_points(&st);
    engine_scratch_free(st.scratch);   /* before the file is written: the writer's memory */
    st.scratch = NULL;                 /* then takes its place instead of adding to it */
    if (rc == EXIT_OK && st.rank == 0) {
        rc = finish_output(&st, shard_k, shard_n);
        if (rc == EXIT_OK && opt->resume) {
            char partial[CONFIG_PATH_MAX + 16];
            run_partial_path(cfg->output, partial, sizeof partial);
            unlink(partial);
        }
    } else if (st.out) {
        char ignored[256];
        if (st.opt->raw)
            run_raw_close(&st.raw, ignored, sizeof ignored);
        h5out_abort(st.out, NULL, ignored, sizeof ignored);
        if (rc == EXIT_INTERRUPTED && st.rank == 0 && opt->raw)
            report_raw_interrupt();
        else if (rc == EXIT_INTERRUPTED && st.rank == 0 &&
            write_partial(opt, cfg, st.res, st.done, st.threads, shard_k, shard_n))
            rc = EXIT_IOERR;
    }
    if (rc == EXIT_OK && !opt->quiet && st.rank == 0)
        fprintf(stderr, "agtrade: wrote %s\n", cfg->output);
    free(st.done);
    free(st.attrib_index);
    engine_scratch_free(st.scratch);
    results_free(st.res);
    return rc;
}

int run_execute(const run_options_t *opt)
{
    config_t *cfg = NULL;
    int rc = load_config(opt, &cfg);
    if (rc)
        return rc;
    if (opt->print_config) {
        char *yaml = config_to_yaml(cfg);
        if (yaml)
            fputs(yaml, stdout);
        rc = yaml ? EXIT_OK : EXIT_SOFTWARE;
        free(yaml);
    } else if (opt->resume && opt->raw) {
        fprintf(stderr, "agtrade: --resume cannot be combined with --raw-draws\n");
        rc = EXIT_USAGE;
    } else {
        char err[600];   /* a relative output goes under the working directory's outputs/ */
        rc = scenario_output_folder(cfg->output, err, sizeof err) ? EXIT_IOERR : 0;
        if (rc)
            fprintf(stderr, "agtrade: %s\n", err);
        else
            rc = run_config(opt, cfg);
    }
    config_free(cfg);
    return rc;
}
