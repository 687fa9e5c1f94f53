/* results_read.c - reading a results file back (results_read in results.h), through
 * the same table of summary variables as the writer (results_internal.h). */
#include "results.h"
#include "results_internal.h"
#include "attrib.h"
#include "sweep.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A threshold MCSE missing from an older file: the engine's formula from the
 * probabilities and draw counts read before it (each_count's order). */
static void fill_threshold_mcse(point_summary_t *ps)
{
    for (int g = 0; g < ps->n_groups; g++)
        for (int k = 0; k < ps->n_thresholds; k++) {
            size_t at = (size_t)g * (size_t)ps->n_thresholds + (size_t)k;
            ps->threshold_mcse[at] = summary_proportion_mcse(ps->threshold_prob[at],
                                                             ps->draws_ok[g]);
        }
}

static int read_var(const svar_t *v, void *arg)
{
    svar_io_t *io = arg;
    size_t len = svar_len(v);
    if (v->optional && !h5in_exists(io->in, v->name)) {
        assert(v->field == F_THR_MCSE);
        for (size_t i = 0; i < io->n_present; i++)
            fill_threshold_mcse(io->res->points[io->present[i]]);
        return 0;
    }
    char *buf = malloc(io->n_present * len * 8 + 8);
    if (!buf) {
        snprintf(io->err, io->errlen, "out of memory reading %s", v->name);
        return -1;
    }
    int rc = results_field_is_int(v->field)
        ? h5in_read_int64(io->in, v->name, (int64_t *)(void *)buf, io->err, io->errlen)
        : h5in_read_double(io->in, v->name, (double *)(void *)buf, io->err, io->errlen);
    for (size_t i = 0; i < io->n_present && !rc; i++) {
        char *base = results_field_base(io->res->points[io->present[i]], v->field);
        for (size_t s = 0; s < v->n_seg; s++)
            memcpy(base + (v->offset + s * v->seg_stride) * 8, buf + (i * len + s * v->count) * 8,
                   v->count * 8);
    }
    free(buf);
    return rc;
}

static int read_labels(h5in_t *in, const char *dim, int n, char (*labels)[RESULTS_LABEL_MAX],
                       char *err, size_t errlen)
{
    char **strings = NULL;
    size_t got = 0;
    if (h5in_read_strings(in, dim, &strings, &got, err, errlen))
        return -1;
    int rc = 0;
    if ((int)got != n) {
        snprintf(err, errlen, "coordinate '%s' has %zu entries, expected %d", dim, got, n);
        rc = -1;
    }
    for (size_t i = 0; i < got && !rc; i++)
        snprintf(labels[i], RESULTS_LABEL_MAX, "%s", strings[i]);
    h5in_free_strings(strings, got);
    return rc;
}

static int dim_len(h5in_t *in, const char *name, size_t *len)
{
    int ndims;
    size_t shape[H5OUT_MAX_DIMS];
    char dimnames[H5OUT_MAX_DIMS][H5OUT_NAME_MAX];
    h5out_type_t type;
    char err[256];
    *len = 0;
    if (!h5in_exists(in, name))
        return 0;
    if (h5in_var_info(in, name, &ndims, shape, dimnames, &type, err, sizeof err) || ndims != 1)
        return -1;
    *len = shape[0];
    return 0;
}

typedef struct {
    char (*keys)[256];
    char (*vars)[300];
    int n, max;
    h5in_t *in;
} sweep_scan_t;

static void scan_sweep(const char *name, void *arg)
{
    sweep_scan_t *scan = arg;
    if (strncmp(name, "sweep_", 6) != 0 || scan->n >= scan->max)
        return;
    char *key = NULL, err[256];
    if (h5in_attr_string(scan->in, name, "sweep_key", &key, err, sizeof err))
        return;
    snprintf(scan->keys[scan->n], 256, "%s", key);
    snprintf(scan->vars[scan->n], 300, "%s", name);
    scan->n++;
    free(key);
}

static int read_points(h5in_t *in, results_t *res, sweep_scan_t *scan, size_t P, char *err,
                       size_t errlen)
{
    int64_t *index = malloc((P + 1) * sizeof *index);
    double *values = malloc((P + 1) * sizeof *values);
    int rc = (!index || !values) ? -1 : h5in_read_int64(in, "point", index, err, errlen);
    for (size_t i = 0; i < P && !rc; i++)
        if (index[i] < 0 || (size_t)index[i] >= res->n_points) {
            snprintf(err, errlen, "point index %lld outside the sweep of %zu points",
                     (long long)index[i], res->n_points);
            rc = -1;
        }
    for (int s = 0; s < scan->n && !rc; s++) {
        snprintf(res->sweep_key[s], 256, "%s", scan->keys[s]);
        rc = h5in_read_double(in, scan->vars[s], values, err, errlen);
        for (size_t i = 0; i < P && !rc; i++)
            res->point_values[(size_t)index[i] * (size_t)scan->n + (size_t)s] = values[i];
    }
    for (size_t i = 0; i < P && !rc; i++) {
        if (res->points[index[i]]) {
            snprintf(err, errlen, "point %lld appears twice", (long long)index[i]);
            rc = -1;
        } else if (!(res->points[index[i]] = point_summary_alloc(
                         res->layout.n_vars, 1 + res->n_regimes, res->n_thresholds))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    }
    free(index);
    free(values);
    return rc;
}

/* Every message of results_read names the file once: the reader's own already do. */
static results_t *fail_in_file(h5in_t *in, char *err, size_t errlen)
{
    const char *path = h5in_path(in);
    size_t n = strlen(path);
    if (strncmp(err, path, n) != 0 || err[n] != ':') {
        char why[1024];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "%s: %s", path, why);
    }
    return NULL;
}

/* The attributed targets of a file: the /summary variables named <stem>_corr_input, in
 * the file's order (the values are read back in that order, so writing the results
 * again gives the same data). */
typedef struct {
    attrib_target_t *targets;
    int n;
    int unknown;
} attrib_scan_t;

static void scan_attrib(const char *name, void *arg)
{
    attrib_scan_t *scan = arg;
    static const char suffix[] = "_corr_input";
    size_t len = strlen(name), sl = sizeof suffix - 1;
    if (len <= sl || strcmp(name + len - sl, suffix) != 0)
        return;
    char stem[128];
    snprintf(stem, sizeof stem, "%.*s", (int)(len - sl), name);
    if (scan->n == ATTRIB_MAX_TARGETS || attrib_target_parse(stem, &scan->targets[scan->n]))
        scan->unknown = 1;
    else
        scan->n++;
}

static int read_attribution(h5in_t *in, results_t *res, size_t n_inputs, char *err,
                            size_t errlen)
{
    attrib_target_t targets[ATTRIB_MAX_TARGETS];
    attrib_scan_t scan = {targets, 0, 0};
    if (h5in_list(in, "summary", scan_attrib, &scan, err, errlen))
        return -1;
    if (scan.unknown) {
        snprintf(err, errlen, "/summary attributes an unknown quantity (a newer agtrade?)");
        return -1;
    }
    if (results_set_attribution(res, (int)n_inputs, targets, scan.n)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return read_labels(in, "input", (int)n_inputs, res->input_name, err, errlen);
}

results_t *results_read(h5in_t *in, char *err, size_t errlen)
{
    size_t P, E, I, R, T, NP, NY, K, S;
    int64_t total = 0;
    if (dim_len(in, "point", &P) || dim_len(in, "exporter", &E) || dim_len(in, "importer", &I) ||
        dim_len(in, "regime", &R) || dim_len(in, "threshold", &T) || dim_len(in, "period", &NP) ||
        dim_len(in, "year", &NY) || dim_len(in, "input", &K) || dim_len(in, "sobol_input", &S) ||
        !P || !E || !I || !NP != !NY) {
        snprintf(err, errlen, "not an agtrade results file (missing point/exporter/importer axes)");
        return fail_in_file(in, err, errlen);
    }
    if (h5in_attr_int64(in, "/", "points_total", &total, err, errlen))
        return fail_in_file(in, err, errlen);
    char keys[SWEEP_MAX_KEYS][256], vars[SWEEP_MAX_KEYS][300];
    sweep_scan_t scan = {keys, vars, 0, SWEEP_MAX_KEYS, in};
    if (h5in_list(in, "/", scan_sweep, &scan, err, errlen))
        return fail_in_file(in, err, errlen);
    results_t *res = results_alloc((int)E, (int)I, (int)R, (int)T, scan.n, (size_t)total);
    if (!res) {
        snprintf(err, errlen, "out of memory");
        return fail_in_file(in, err, errlen);
    }
    int rc = read_labels(in, "exporter", (int)E, res->exporter_name, err, errlen);
    if (!rc)
        rc = read_labels(in, "importer", (int)I, res->importer_name, err, errlen);
    if (!rc && NP && results_set_calendar(res, (int)NP, (int)NY)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (!rc && NP)
        rc = read_labels(in, "period", (int)NP, res->period_name, err, errlen);
    if (!rc && NP)
        rc = read_labels(in, "year", (int)NY, res->year_name, err, errlen);
    if (!rc && R)
        rc = read_labels(in, "regime", (int)R, res->regime_name, err, errlen);
    if (!rc && T)
        rc = read_labels(in, "threshold", (int)T, res->threshold_name, err, errlen);
    if (!rc)
        rc = read_points(in, res, &scan, P, err, errlen);
    if (!rc && K)   /* files from before attribution have no input axis */
        rc = read_attribution(in, res, K, err, errlen);
    if (!rc && S && results_set_sobol(res, (int)S)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (!rc && S)
        rc = read_labels(in, "sobol_input", (int)S, res->sobol_name, err, errlen);
    if (!rc) {
        svar_io_t io = {.res = res, .in = in, .err = err, .errlen = errlen};
        io.present = results_present_points(res, &io.n_present);
        rc = io.present ? results_each_var(res, read_var, &io) : -1;
        free(io.present);
    }
    if (rc) {
        results_free(res);
        return fail_in_file(in, err, errlen);
    }
    return res;
}

