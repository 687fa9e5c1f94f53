/* results.c - see results.h: the table of summary variables, allocation, the writer and
 * the metadata; reading a file back is results_read.c. */
#include "results.h"
#include "results_internal.h"
#include "attrib.h"
#include "version.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RNG_DESCRIPTION \
    "Philox4x32-10 (Random123); key = seed, counter = (draw, input stream, position); " \
    "regime from stream 0xFFFFFFFF"

int results_field_is_int(field_t f)
{
    return f == F_HIST || f == F_UNDER || f == F_OVER || f == F_DRAWS_OK || f == F_DRAWS_FAILED;
}

/* 8-byte elements either way: doubles, or int64/uint64 counts stored as int64. */
void *results_field_base(point_summary_t *ps, field_t f)
{
    switch (f) {
    case F_MEAN: return ps->mean;
    case F_SD: return ps->sd;
    case F_MCSE: return ps->mcse;
    case F_MIN: return ps->min;
    case F_MAX: return ps->max;
    case F_Q: return ps->quantile;
    case F_QERR: return ps->quantile_error;
    case F_HIST: return ps->hist;
    case F_EDGES: return ps->hist_edges;
    case F_UNDER: return ps->hist_under;
    case F_OVER: return ps->hist_over;
    case F_DRAWS_OK: return ps->draws_ok;
    case F_DRAWS_FAILED: return ps->draws_failed;
    case F_THR_P: return ps->threshold_prob;
    case F_THR_MCSE: return ps->threshold_mcse;
    case F_CORR_INPUT: return ps->corr_input;
    case F_SRC_INPUT: return ps->src_input;
    case F_R2: return ps->r2;
    case F_S1: return ps->sobol_s1;
    case F_ST: return ps->sobol_st;
    case F_S1_CONF: return ps->sobol_s1_conf;
    case F_ST_CONF: return ps->sobol_st_conf;
    }
    return NULL;
}

static void axes_dims(quantity_axes_t axes, svar_t *v)
{
    if (axes & AXES_EXPORTER)
        v->dims[v->ndims++] = "exporter";
    if (axes & AXES_IMPORTER)
        v->dims[v->ndims++] = "importer";
    if (axes & AXES_PERIOD)
        v->dims[v->ndims++] = "period";
    if (axes & AXES_YEAR)
        v->dims[v->ndims++] = "year";
}

static int emit_var(svar_fn fn, void *arg, const char *name, const char *long_name,
                    const char *units, quantity_axes_t axes, int by_regime, const char *last_dim,
                    field_t field, size_t offset, size_t count, size_t n_seg, size_t seg_stride,
                    int optional)
{
    svar_t v;
    memset(&v, 0, sizeof v);
    snprintf(v.name, sizeof v.name, "%s", name);
    snprintf(v.long_name, sizeof v.long_name, "%s", long_name);
    v.units = units;
    v.dims[v.ndims++] = "point";
    if (by_regime)
        v.dims[v.ndims++] = "regime";
    axes_dims(axes, &v);
    if (last_dim)
        v.dims[v.ndims++] = last_dim;
    v.field = field;
    v.offset = offset;
    v.count = count;
    v.n_seg = n_seg;
    v.seg_stride = seg_stride;
    v.optional = optional;
    return fn(&v, arg);
}

static int emit(svar_fn fn, void *arg, const char *name, const char *long_name,
                const char *units, quantity_axes_t axes, int by_regime, const char *last_dim,
                field_t field, size_t offset, size_t count, size_t n_seg, size_t seg_stride)
{
    return emit_var(fn, arg, name, long_name, units, axes, by_regime, last_dim, field, offset,
                    count, n_seg, seg_stride, 0);
}

static const char *const form_words[] = {"scenario", "reference", "change", "change"};

/* Every statistic of one quantity in one form. */
static int each_stat(const results_t *res, int d, quantity_form_t form, svar_fn fn, void *arg)
{
    const quantity_layout_t *lay = &res->layout;
    const quantity_def_t *def = &lay->defs[d];
    size_t V = lay->n_vars, R = (size_t)res->n_regimes, NQ = SUMMARY_N_QUANTILES;
    size_t NB = SUMMARY_HIST_BINS, base = quantity_base(lay, d, form), n = quantity_size(lay, d);
    char stem[96], name[128], ln[256];
    quantity_form_name(def, form, stem, sizeof stem);
    static const struct { const char *suffix, *what; field_t field; } moments[] = {
        {"mean", "mean", F_MEAN}, {"sd", "standard deviation", F_SD},
        {"mcse", "Monte Carlo standard error of the mean", F_MCSE},
        {"min", "minimum", F_MIN}, {"max", "maximum", F_MAX}};
    int rc = 0;
    for (size_t m = 0; m < 5 && !rc; m++) {
        snprintf(name, sizeof name, "summary/%s_%s", stem, moments[m].suffix);
        snprintf(ln, sizeof ln, "%s (%s), %s over draws", def->long_name, form_words[form],
                 moments[m].what);
        rc = emit(fn, arg, name, ln, def->units, def->axes, 0, NULL, moments[m].field, base, n, 1, 0);
        if (!rc && R && m < 3) {
            snprintf(name, sizeof name, "summary/%s_%s_by_regime", stem, moments[m].suffix);
            rc = emit(fn, arg, name, ln, def->units, def->axes, 1, NULL, moments[m].field,
                      V + base, n, R, V);
        }
    }
#define EMIT(suffix, what, units, by_regime, last, field, off, cnt, nseg, stride)            \
    do {                                                                                   \
        if (rc) break;                                                                     \
        snprintf(name, sizeof name, "summary/%s_%s", stem, suffix);                         \
        snprintf(ln, sizeof ln, "%s (%s), %s", def->long_name, form_words[form], what);     \
        rc = emit(fn, arg, name, ln, units, def->axes, by_regime, last, field, off, cnt,    \
                  nseg, stride);                                                           \
    } while (0)
    EMIT("q", "quantiles over draws", def->units, 0, "quantile", F_Q, base * NQ, n * NQ, 1, 0);
    if (R)
        EMIT("q_by_regime", "quantiles over draws", def->units, 1, "quantile", F_Q,
             (V + base) * NQ, n * NQ, R, V * NQ);
    EMIT("q_error_bound", "bound on the quantile estimation error", def->units, 0, NULL,
         F_QERR, base, n, 1, 0);
    EMIT("hist", "histogram counts", "1", 0, "hist_bin", F_HIST, base * NB, n * NB, 1, 0);
    EMIT("hist_edges", "histogram bin edges", def->units, 0, "hist_edge", F_EDGES,
         base * (NB + 1), n * (NB + 1), 1, 0);
    EMIT("hist_underflow", "draws below the first histogram edge", "1", 0, NULL, F_UNDER,
         base, n, 1, 0);
    EMIT("hist_overflow", "draws above the last histogram edge", "1", 0, NULL, F_OVER,
         base, n, 1, 0);
#undef EMIT
    return rc;
}

static int each_count(const results_t *res, svar_fn fn, void *arg)
{
    size_t R = (size_t)res->n_regimes, T = (size_t)res->n_thresholds;
    int rc = emit(fn, arg, "summary/draws_ok", "draws that converged", "1", AXES_NONE, 0, NULL,
                  F_DRAWS_OK, 0, 1, 1, 0);
    if (!rc)
        rc = emit(fn, arg, "summary/draws_failed", "draws that failed to converge (excluded)",
                  "1", AXES_NONE, 0, NULL, F_DRAWS_FAILED, 0, 1, 1, 0);
    if (!rc && R)
        rc = emit(fn, arg, "summary/regime_draws", "converged draws per regime", "1", AXES_NONE,
                  1, NULL, F_DRAWS_OK, 1, R, 1, 0);
    if (!rc && R)
        rc = emit(fn, arg, "summary/regime_draws_failed", "failed draws per regime", "1",
                  AXES_NONE, 1, NULL, F_DRAWS_FAILED, 1, R, 1, 0);
    if (!rc && T)
        rc = emit(fn, arg, "summary/threshold_probability", "probability of the threshold event",
                  "1", AXES_NONE, 0, "threshold", F_THR_P, 0, T, 1, 0);
    if (!rc && T)
        rc = emit(fn, arg, "summary/threshold_mcse",
                  "Monte Carlo standard error of the threshold probability", "1", AXES_NONE, 0,
                  "threshold", F_THR_MCSE, 0, T, 1, 0);
    if (!rc && T && R)
        rc = emit(fn, arg, "summary/threshold_probability_by_regime",
                  "probability of the threshold event within each regime", "1", AXES_NONE, 1,
                  "threshold", F_THR_P, T, T * R, 1, 0);
    /* added after the first release: files without it are still read (read_var) */
    if (!rc && T && R)
        rc = emit_var(fn, arg, "summary/threshold_mcse_by_regime",
                      "Monte Carlo standard error of the threshold probability within each "
                      "regime", "1", AXES_NONE, 1, "threshold", F_THR_MCSE, T, T * R, 1, 0, 1);
    return rc;
}

/* One statistic of every attributed target (attrib.h, sobol.h) in `group`, along
 * `input_dim` (NULL: none) before the region axes. In a point summary a target's values
 * start at value offset `at`; the [input][value] arrays hold n_rows rows of them. */
typedef struct {
    const char *suffix, *what;
    field_t field;
    const char *input_dim;
} target_stat_t;

static int each_target_stat(const results_t *res, const char *group,
                            const target_stat_t *parts, int n_parts, size_t n_rows, svar_fn fn,
                            void *arg)
{
    size_t A = results_attrib_values(res), at = 0;
    int rc = 0;
    for (int t = 0; t < res->n_targets && !rc; t++) {
        const quantity_def_t *def = &quantity_defs[res->targets[t].def];
        size_t n = quantity_size(&res->layout, res->targets[t].def);
        char stem[96];
        quantity_form_name(def, res->targets[t].form, stem, sizeof stem);
        for (int k = 0; k < n_parts && !rc; k++) {
            svar_t v;
            memset(&v, 0, sizeof v);
            snprintf(v.name, sizeof v.name, "%s/%s_%s", group, stem, parts[k].suffix);
            snprintf(v.long_name, sizeof v.long_name, "%s (%s), %s", def->long_name,
                     form_words[res->targets[t].form], parts[k].what);
            v.units = "1";
            v.dims[v.ndims++] = "point";
            if (parts[k].input_dim)
                v.dims[v.ndims++] = parts[k].input_dim;
            axes_dims(def->axes, &v);
            v.field = parts[k].field;
            v.offset = at;
            v.count = n;
            v.n_seg = parts[k].input_dim ? n_rows : 1;
            v.seg_stride = A;
            rc = fn(&v, arg);
        }
        at += n;
    }
    return rc;
}

/* F_corr_input and F_src_input (point, input, region axes), F_r2 (point, region axes). */
static int each_attrib(const results_t *res, svar_fn fn, void *arg)
{
    static const target_stat_t parts[] = {
        {"corr_input", "correlation with each input's standard normal score", F_CORR_INPUT,
         "input"},
        {"src_input", "standardized regression coefficient on each input's normal score "
         "(all inputs jointly)", F_SRC_INPUT, "input"},
        {"r2", "share of variance explained linearly by the inputs' normal scores", F_R2,
         NULL}};
    return each_target_stat(res, "summary", parts, 3, (size_t)res->n_inputs, fn, arg);
}

/* /sensitivity/F_S1, F_ST, F_S1_conf, F_ST_conf (point, sobol_input, region axes). */
static int each_sobol(const results_t *res, svar_fn fn, void *arg)
{
    static const target_stat_t parts[] = {
        {"S1", "first-order Sobol index (Saltelli 2010)", F_S1, "sobol_input"},
        {"ST", "total Sobol index (Jansen)", F_ST, "sobol_input"},
        {"S1_conf", "half width of the 95 % bootstrap interval of S1", F_S1_CONF, "sobol_input"},
        {"ST_conf", "half width of the 95 % bootstrap interval of ST", F_ST_CONF, "sobol_input"}};
    return each_target_stat(res, "sensitivity", parts, 4, (size_t)res->sobol_k, fn, arg);
}

int results_each_var(const results_t *res, svar_fn fn, void *arg)
{
    int rc = 0;
    for (int d = 0; d < res->layout.n_defs && !rc; d++) {
        if (res->layout.defs[d].is_welfare) {
            rc = each_stat(res, d, FORM_WELFARE, fn, arg);
            continue;
        }
        for (int f = FORM_LEVEL; f <= FORM_CHANGE && !rc; f++)
            rc = each_stat(res, d, (quantity_form_t)f, fn, arg);
    }
    if (!rc)
        rc = each_count(res, fn, arg);
    if (!rc && res->n_inputs)
        rc = each_attrib(res, fn, arg);
    return rc || !res->sobol_k ? rc : each_sobol(res, fn, arg);
}

/* ---- allocation ------------------------------------------------------------------ */

results_t *results_alloc(int n_exporters, int n_importers, int n_regimes, int n_thresholds,
                         int n_sweeps, size_t n_points)
{
    results_t *res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    res->n_exporters = n_exporters;
    res->n_importers = n_importers;
    res->n_regimes = n_regimes;
    res->n_thresholds = n_thresholds;
    res->n_sweeps = n_sweeps;
    res->n_points = n_points;
    res->exporter_name = calloc((size_t)n_exporters, sizeof *res->exporter_name);
    res->importer_name = calloc((size_t)n_importers, sizeof *res->importer_name);
    res->regime_name = calloc((size_t)n_regimes + 1, sizeof *res->regime_name);
    res->threshold_name = calloc((size_t)n_thresholds + 1, sizeof *res->threshold_name);
    res->sweep_key = calloc((size_t)n_sweeps + 1, sizeof *res->sweep_key);
    res->point_values = calloc(n_points * (size_t)n_sweeps + 1, sizeof(double));
    res->points = calloc(n_points, sizeof *res->points);
    quantity_layout_init(&res->layout, n_exporters, n_importers);
    if (!res->exporter_name || !res->importer_name || !res->regime_name ||
        !res->threshold_name || !res->sweep_key || !res->point_values || !res->points) {
        results_free(res);
        return NULL;
    }
    return res;
}

int results_set_calendar(results_t *res, int n_periods, int n_years)
{
    res->period_name = calloc((size_t)n_periods, sizeof *res->period_name);
    res->year_name = calloc((size_t)n_years, sizeof *res->year_name);
    if (!res->period_name || !res->year_name)
        return -1;
    res->n_periods = n_periods;
    res->n_years = n_years;
    quantity_layout_init_periods(&res->layout, res->n_exporters, res->n_importers, n_periods,
                                 n_years);
    return 0;
}

size_t results_attrib_values(const results_t *res)
{
    size_t n = 0;
    for (int t = 0; t < res->n_targets; t++)
        n += quantity_size(&res->layout, res->targets[t].def);
    return n;
}

int results_set_attribution(results_t *res, int n_inputs, const attrib_target_t *targets,
                            int n_targets)
{
    assert(n_inputs > 0 && n_targets >= 0 && n_targets <= ATTRIB_MAX_TARGETS);
    free(res->input_name);
    res->input_name = calloc((size_t)n_inputs, sizeof *res->input_name);
    if (!res->input_name)
        return -1;
    res->n_inputs = n_inputs;
    res->n_targets = n_targets;
    memcpy(res->targets, targets, (size_t)n_targets * sizeof *targets);
    for (size_t p = 0; p < res->n_points; p++)
        if (res->points[p] &&
            point_summary_alloc_attrib(res->points[p], n_inputs, results_attrib_values(res)))
            return -1;
    return 0;
}

int results_set_sobol(results_t *res, int k)
{
    assert(k > 0);
    free(res->sobol_name);
    res->sobol_name = calloc((size_t)k, sizeof *res->sobol_name);
    if (!res->sobol_name)
        return -1;
    res->sobol_k = k;
    for (size_t p = 0; p < res->n_points; p++)
        if (res->points[p] &&
            point_summary_alloc_sobol(res->points[p], k, results_attrib_values(res)))
            return -1;
    return 0;
}

void results_free(results_t *res)
{
    if (!res)
        return;
    free(res->period_name);
    free(res->year_name);
    free(res->input_name);
    free(res->sobol_name);
    if (res->points)
        for (size_t p = 0; p < res->n_points; p++)
            point_summary_free(res->points[p]);
    free(res->points);
    free(res->exporter_name);
    free(res->importer_name);
    free(res->regime_name);
    free(res->threshold_name);
    free(res->sweep_key);
    free(res->point_values);
    free(res);
}

size_t results_count_present(const results_t *res)
{
    size_t n = 0;
    for (size_t p = 0; p < res->n_points; p++)
        n += res->points[p] != NULL;
    return n;
}

/* ---- writing --------------------------------------------------------------------- */

static int define_string_dim(h5out_t *h, const char *name, int n, const char (*labels)[RESULTS_LABEL_MAX],
                             const char *long_name, char *err, size_t errlen)
{
    const char **ptrs = malloc(((size_t)n + 1) * sizeof *ptrs);
    if (!ptrs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++)
        ptrs[i] = labels[i];
    int rc = h5out_def_dim_strings(h, name, (size_t)n, ptrs, long_name, err, errlen);
    free(ptrs);
    return rc;
}

static void sanitize(const char *key, char *out, size_t len)
{
    size_t i = 0;
    for (; key[i] && i + 1 < len; i++) {
        char c = key[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        out[i] = ok ? c : '_';
    }
    out[i] = '\0';
}

void results_sweep_var(const char *key, char *out, size_t len)
{
    char clean[256];
    sanitize(key, clean, sizeof clean);
    snprintf(out, len, "sweep_%s", clean);
}

void results_sanitize_name(const char *key, char *out, size_t len)
{
    sanitize(key, out, len);
}

static int define_points(h5out_t *h, const results_t *res, char *err, size_t errlen)
{
    size_t P = results_count_present(res), k = 0;
    int64_t *index = malloc((P + 1) * sizeof *index);
    double *values = malloc((P + 1) * sizeof *values);
    int rc = (!index || !values) ? -1 : 0;
    if (rc)
        snprintf(err, errlen, "out of memory");
    for (size_t p = 0; p < res->n_points && !rc; p++)
        if (res->points[p])
            index[k++] = (int64_t)p;
    if (!rc)   /* a shard holds some points: the coordinate is their global number */
        rc = h5out_def_dim_int64(h, "point", P, index, "sweep point", err, errlen);
    for (int s = 0; s < res->n_sweeps && !rc; s++) {
        char var[300], ln[400];
        for (size_t i = 0; i < P; i++)
            values[i] = res->point_values[(size_t)index[i] * (size_t)res->n_sweeps + (size_t)s];
        results_sweep_var(res->sweep_key[s], var, sizeof var);
        snprintf(ln, sizeof ln, "swept value of %s", res->sweep_key[s]);
        rc = h5out_write_double_along(h, var, "point", values, "1", ln, "sweep_key",
                                      res->sweep_key[s], err, errlen);
        /* a copy in /summary, so that xarray's set_index(point=[...]).unstack("point")
         * works on the group alone */
        char in_summary[310];
        snprintf(in_summary, sizeof in_summary, "summary/%s", var);
        if (!rc)
            rc = h5out_write_double_along(h, in_summary, "point", values, "1", ln, "sweep_key",
                                          res->sweep_key[s], err, errlen);
    }
    free(index);
    free(values);
    return rc;
}

/* Every variable along `point` written from here on names the swept values as its CF
 * auxiliary coordinates (R, Octave and Panoply then show them, not 0..N-1). */
static int link_sweep_coordinates(h5out_t *h, const results_t *res, char *err, size_t errlen)
{
    char coords[H5OUT_COORDS_MAX] = "", clean[256];
    for (int s = 0; s < res->n_sweeps; s++) {
        size_t used = strlen(coords);
        sanitize(res->sweep_key[s], clean, sizeof clean);
        int n = snprintf(coords + used, sizeof coords - used, "%ssweep_%s", s ? " " : "", clean);
        if (n < 0 || (size_t)n >= sizeof coords - used) {
            snprintf(err, errlen, "the names of the %d swept keys exceed %d bytes", res->n_sweeps,
                     H5OUT_COORDS_MAX - 1);
            return -1;
        }
    }
    return res->n_sweeps ? h5out_dim_coordinates(h, "point", coords, err, errlen) : 0;
}

int results_define(h5out_t *h, const results_t *res, uint64_t n_draws, char *err, size_t errlen)
{
    int rc = h5out_attr_int64(h, "/", "points_total", (int64_t)res->n_points, err, errlen);
    if (!rc)
        rc = define_points(h, res, err, errlen);
    if (!rc)
        rc = link_sweep_coordinates(h, res, err, errlen);
    if (!rc && n_draws)
        rc = h5out_def_dim_index(h, "draw", n_draws, "Monte Carlo draw", err, errlen);
    if (!rc)
        rc = define_string_dim(h, "exporter", res->n_exporters, res->exporter_name,
                               "exporting region", err, errlen);
    if (!rc)
        rc = define_string_dim(h, "importer", res->n_importers, res->importer_name,
                               "importing region", err, errlen);
    if (!rc && res->n_periods)
        rc = define_string_dim(h, "period", res->n_periods, res->period_name,
                               "period of the calendar", err, errlen);
    if (!rc && res->n_periods)
        rc = define_string_dim(h, "year", res->n_years, res->year_name, "marketing year",
                               err, errlen);
    if (!rc)
        rc = h5out_def_dim_doubles(h, "quantile", SUMMARY_N_QUANTILES, summary_quantile_probs,
                                   "1", "quantile probability", err, errlen);
    if (!rc && res->n_regimes)
        rc = define_string_dim(h, "regime", res->n_regimes, res->regime_name, "policy regime",
                               err, errlen);
    if (!rc && res->n_thresholds)
        rc = define_string_dim(h, "threshold", res->n_thresholds, res->threshold_name,
                               "threshold event", err, errlen);
    if (!rc && res->n_inputs)
        rc = define_string_dim(h, "input", res->n_inputs, res->input_name,
                               "random input of the scenario (attribution)", err, errlen);
    if (!rc && res->sobol_evals)
        rc = h5out_def_dim_index(h, "sobol_eval", res->sobol_evals,
                                 "evaluation of the Sobol design (A, B, A_B^(1), ...)", err,
                                 errlen);
    if (!rc && res->sobol_k)
        rc = define_string_dim(h, "sobol_input", res->sobol_k, res->sobol_name,
                               "input of the Sobol design (the inputs, then the regime)", err,
                               errlen);
    if (!rc)
        rc = h5out_def_dim_index(h, "hist_bin", SUMMARY_HIST_BINS, "histogram bin", err, errlen);
    if (!rc)
        rc = h5out_def_dim_index(h, "hist_edge", SUMMARY_HIST_BINS + 1, "histogram bin edge",
                                 err, errlen);
    return rc;
}

static int write_var(const svar_t *v, void *arg)
{
    svar_io_t *io = arg;
    size_t len = svar_len(v);
    char *buf = malloc(io->n_present * len * 8 + 8);
    if (!buf) {
        snprintf(io->err, io->errlen, "out of memory writing %s", v->name);
        return -1;
    }
    for (size_t i = 0; i < io->n_present; i++) {
        char *base = results_field_base(io->res->points[io->present[i]], v->field);
        for (size_t s = 0; s < v->n_seg; s++)
            memcpy(buf + (i * len + s * v->count) * 8, base + (v->offset + s * v->seg_stride) * 8,
                   v->count * 8);
    }
    int rc = results_field_is_int(v->field)
        ? h5out_write_int64(io->out, v->name, v->ndims, v->dims, (const int64_t *)(void *)buf,
                            v->units, v->long_name, io->err, io->errlen)
        : h5out_write_double(io->out, v->name, v->ndims, v->dims, (const double *)(void *)buf,
                             v->units, v->long_name, io->err, io->errlen);
    free(buf);
    return rc;
}

size_t *results_present_points(const results_t *res, size_t *n)
{
    size_t *present = malloc((res->n_points + 1) * sizeof *present);
    *n = 0;
    if (present)
        for (size_t p = 0; p < res->n_points; p++)
            if (res->points[p])
                present[(*n)++] = p;
    return present;
}

int results_copy_coords(h5out_t *h, const results_t *res, const char *group, int with_draw,
                        char *err, size_t errlen)
{
    const char *names[16];
    int n = 0;
    names[n++] = "point";
    if (with_draw)
        names[n++] = "draw";
    if (with_draw && res->sobol_evals)
        names[n++] = "sobol_eval";
    names[n++] = "exporter";
    names[n++] = "importer";
    if (res->n_periods) {
        names[n++] = "period";
        names[n++] = "year";
    }
    if (!with_draw) {
        names[n++] = "quantile";
        names[n++] = "hist_bin";
        names[n++] = "hist_edge";
        if (res->n_regimes)
            names[n++] = "regime";
        if (res->n_thresholds)
            names[n++] = "threshold";
        if (res->n_inputs)
            names[n++] = "input";
        if (res->sobol_k)
            names[n++] = "sobol_input";
    }
    return h5out_copy_coords(h, group, n, names, err, errlen);
}

/* ---- derived statistics: written, never read back ----------------------------------
 * What follows is computed from the summaries at write time, so a file read back and
 * written again (merge, --resume) gives the same bits, and files written before these
 * variables existed still read. */

/* The variance units of a quantity: "1" stays "1", else "(units)^2" (UDUNITS-2). */
static void squared_units(const char *units, char *buf, size_t len)
{
    if (!strcmp(units, "1"))
        snprintf(buf, len, "1");
    else
        snprintf(buf, len, "(%s)^2", units);
}

/* Law of total variance (attrib.h) of one quantity in one form, for every point. */
static int write_variance_split(h5out_t *h, const results_t *res, const size_t *present,
                                size_t n_present, int d, quantity_form_t form, double *buf,
                                char *err, size_t errlen)
{
    const quantity_def_t *def = &res->layout.defs[d];   /* annual or calendar table */
    size_t n = quantity_size(&res->layout, d), base = quantity_base(&res->layout, d, form);
    char stem[96], units[96];
    quantity_form_name(def, form, stem, sizeof stem);
    squared_units(def->units, units, sizeof units);
    static const char *const part[2][2] = {
        {"var_within_regimes", "variance within regimes (market uncertainty)"},
        {"var_between_regimes", "variance between regime means (policy uncertainty)"}};
    int rc = 0;
    for (int k = 0; k < 2 && !rc; k++) {
        for (size_t i = 0; i < n_present; i++)
            for (size_t e = 0; e < n; e++) {
                double split[2];
                attrib_variance_split(res->points[present[i]], base + e, &split[0], &split[1]);
                buf[i * n + e] = split[k];
            }
        svar_t v;
        char name[160], ln[400];
        memset(&v, 0, sizeof v);
        v.dims[v.ndims++] = "point";
        axes_dims(def->axes, &v);
        snprintf(name, sizeof name, "summary/%s_%s", stem, part[k][0]);
        snprintf(ln, sizeof ln, "%s (%s), %s", def->long_name, form_words[form], part[k][1]);
        rc = h5out_write_double(h, name, v.ndims, v.dims, buf, units, ln, err, errlen);
    }
    return rc;
}

static int write_variance_splits(h5out_t *h, const results_t *res, const size_t *present,
                                 size_t n_present, char *err, size_t errlen)
{
    size_t most = 1;   /* the largest quantity (a calendar's carry a period axis) */
    for (int d = 0; d < res->layout.n_defs; d++)
        if (quantity_size(&res->layout, d) > most)
            most = quantity_size(&res->layout, d);
    double *buf = malloc((n_present * most + 1) * sizeof *buf);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int d = 0; d < res->layout.n_defs && !rc; d++) {
        int first = res->layout.defs[d].is_welfare ? FORM_WELFARE : FORM_LEVEL;
        int last = res->layout.defs[d].is_welfare ? FORM_WELFARE : FORM_CHANGE;
        for (int f = first; f <= last && !rc; f++)
            rc = write_variance_split(h, res, present, n_present, d, (quantity_form_t)f, buf,
                                      err, errlen);
    }
    free(buf);
    return rc;
}

int results_write_summary(h5out_t *h, const results_t *res, char *err, size_t errlen)
{
    svar_io_t io = {.res = res, .out = h, .err = err, .errlen = errlen};
    io.present = results_present_points(res, &io.n_present);
    if (!io.present) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = results_each_var(res, write_var, &io);
    if (!rc && res->n_regimes)
        rc = write_variance_splits(h, res, io.present, io.n_present, err, errlen);
    free(io.present);
    if (!rc)
        rc = results_copy_coords(h, res, "summary", 0, err, errlen);
    if (!rc && res->sobol_k)
        rc = results_copy_coords(h, res, "sensitivity", 0, err, errlen);
    return rc;
}

/* ---- metadata -------------------------------------------------------------------- */

void results_command_line(int argc, char *const *argv, char *buf, size_t len)
{
    snprintf(buf, len, "agtrade");
    for (int k = 0; k < argc; k++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, " %s", argv[k]);
    }
}

int results_write_metadata(h5out_t *h, const results_t *res, const results_meta_t *meta,
                           char *err, size_t errlen)
{
    uint64_t failed = 0;
    for (size_t p = 0; p < res->n_points; p++)
        if (res->points[p])
            failed += res->points[p]->draws_failed[0];
    char when[64], host[256] = "unknown";
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    gethostname(host, sizeof host - 1);
    int rc = h5out_attr_string(h, "/", "agtrade_version", AGTRADE_VERSION, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "git_commit", AGTRADE_GIT_COMMIT, err, errlen);
    if (!rc) rc = h5out_attr_uint64(h, "/", "seed", meta->seed, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "rng", RNG_DESCRIPTION, err, errlen);
    if (!rc) rc = h5out_attr_uint64(h, "/", "draws", meta->draws, err, errlen);
    if (!rc) rc = h5out_attr_uint64(h, "/", "draws_failed", failed, err, errlen);
    if (!rc) rc = h5out_attr_int64(h, "/", "threads", meta->threads, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "command_line", meta->command_line, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "created_utc", when, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "hostname", host, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "shard", meta->shard, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "Conventions", "CF-1.8", err, errlen);
    /* CF global attributes (what ncdump -h, Panoply and R show first) */
    char source[128], history[8300];
    snprintf(source, sizeof source, "agtrade %s (git %s)", AGTRADE_VERSION, AGTRADE_GIT_COMMIT);
    snprintf(history, sizeof history, "%s: %s", when, meta->command_line);
    if (!rc) rc = h5out_attr_string(h, "/", "title", meta->title, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "institution", meta->institution, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "source", source, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "history", history, err, errlen);
    if (!rc) rc = h5out_attr_string(h, "/", "references", meta->references, err, errlen);
    if (!rc)
        rc = h5out_write_string_scalar(h, "config_yaml", meta->config_yaml,
                                       "resolved scenario configuration (YAML)", err, errlen);
    return rc;
}
