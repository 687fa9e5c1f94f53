/* run_raw.c - see run_raw.h: the /draws variables of `agtrade run --raw-draws`, their
 * streams, and the writes of each chunk. */
#include "run_raw.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "engine.h"

/* Draws gathered at a time per stream and thread: the buffers stay small (a monthly
 * calendar's largest quantity has 360 values a draw) and in cache. */
#define RAW_GATHER_DRAWS 1024

static int raw_dims(quantity_axes_t axes, const char **dims, const quantity_layout_t *lay,
                    size_t *sizes)
{
    int nd = 0;
    dims[nd] = "point"; sizes[nd++] = 1;
    dims[nd] = "draw"; sizes[nd++] = 0;
    if (axes & AXES_EXPORTER) {
        dims[nd] = "exporter"; sizes[nd++] = (size_t)lay->n_exporters;
    }
    if (axes & AXES_IMPORTER) {
        dims[nd] = "importer"; sizes[nd++] = (size_t)lay->n_importers;
    }
    if (axes & AXES_PERIOD) {
        dims[nd] = "period"; sizes[nd++] = (size_t)lay->n_periods;
    }
    if (axes & AXES_YEAR) {
        dims[nd] = "year"; sizes[nd++] = (size_t)lay->n_years;
    }
    return nd;
}

/* Overrides of freight are in USD/t; every other sampled value is a factor or an
 * index (sample.h, models/policy.h). */
static const char *input_units(const input_spec_t *in)
{
    int freight = in->target == TARGET_FREIGHT_INDEX || in->target == TARGET_FREIGHT_ROUTE;
    return freight && in->apply == APPLY_OVERRIDE ? "USD/t" : "1";
}

/* With --sobol: sobol_<F>(point, sobol_eval, region axes), each design evaluation's
 * value of each attributed target, in design order (sobol.h), so that the indices can be
 * recomputed from the file (tests/test_attrib.py does, with OpenTURNS). */
static int raw_open_design(h5out_t *h, raw_sink_t *sink, char *err, size_t errlen)
{
    const results_t *res = sink->res;
    sink->design_at = sink->n_streams;
    if (!res->sobol_evals)
        return 0;
    sink->design = malloc((res->sobol_evals * results_attrib_values(res) + 1) * sizeof(double));
    if (!sink->design) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int t = 0; t < res->n_targets; t++) {
        const quantity_def_t *def = &quantity_defs[res->targets[t].def];
        const char *dims[4];
        size_t sizes[4];
        char path[160], stem[96], ln[300];
        int nd = raw_dims(def->axes, dims, &res->layout, sizes);
        dims[1] = "sobol_eval";
        quantity_form_name(def, res->targets[t].form, stem, sizeof stem);
        snprintf(path, sizeof path, "draws/sobol_%s", stem);
        snprintf(ln, sizeof ln, "%s (%s), per evaluation of the Sobol design", def->long_name,
                 res->targets[t].form == FORM_CHANGE ? "change" : "scenario");
        if (!(sink->streams[sink->n_streams++] = h5out_stream_open(
                  h, path, nd, dims, H5OUT_DOUBLE, def->units, ln, err, errlen)))
            return -1;
    }
    return 0;
}

/* The point's design outputs into the sobol_<F> streams. */
int run_raw_write_design(raw_sink_t *sink)
{
    const results_t *res = sink->res;
    size_t A = results_attrib_values(res), E = res->sobol_evals, at = 0;
    int s = sink->design_at;
    for (int t = 0; t < res->n_targets; t++) {
        size_t n = quantity_size(&res->layout, res->targets[t].def);
        double *buf = malloc((E * n + 1) * sizeof *buf);
        if (!buf) {
            snprintf(sink->err, sizeof sink->err, "out of memory");
            return -1;
        }
        for (size_t e = 0; e < E; e++)
            memcpy(buf + e * n, sink->design + e * A + at, n * sizeof *buf);
        const char *dims[4];
        size_t sizes[4], start[4] = {sink->file_point, 0, 0, 0}, count[4] = {1, E, 0, 0};
        int nd = raw_dims(quantity_defs[res->targets[t].def].axes, dims, &res->layout, sizes);
        for (int a = 2; a < nd; a++)
            count[a] = sizes[a];
        int rc = h5out_stream_write(sink->streams[s + t], start, count, buf, sink->err,
                                    sizeof sink->err);
        free(buf);
        if (rc)
            return -1;
        at += n;
    }
    return 0;
}

/* input_<name> (the value sampled, in the input's own units) and input_<name>_z (its
 * standard normal score) per input, then the compliance factor applied. Names are
 * sanitized like the sweep variables; the attribute input_name keeps the original. */
static int raw_open_inputs(h5out_t *h, raw_sink_t *sink, char *err, size_t errlen)
{
    const config_t *cfg = sink->cfg;
    const char *dims[2] = {"point", "draw"};
    sink->inputs_at = sink->n_streams;
    for (int i = 0; i < cfg->n_inputs; i++)
        for (int z = 0; z < 2; z++) {
            char path[200], clean[SAMPLE_NAME_MAX], ln[300];
            results_sanitize_name(cfg->inputs[i].name, clean, sizeof clean);
            snprintf(path, sizeof path, "draws/input_%s%s", clean, z ? "_z" : "");
            snprintf(ln, sizeof ln, z ? "standard normal score of input %s in the copula, per draw"
                                      : "sampled value of input %s (%s), per draw",
                     cfg->inputs[i].name, input_target_name(cfg->inputs[i].target));
            h5out_stream_t *st = h5out_stream_open(h, path, 2, dims, H5OUT_DOUBLE,
                                                   z ? "1" : input_units(&cfg->inputs[i]), ln,
                                                   err, errlen);
            sink->streams[sink->n_streams++] = st;
            if (!st || h5out_attr_string(h, path, "input_name", cfg->inputs[i].name, err, errlen))
                return -1;
        }
    sink->streams[sink->n_streams] = h5out_stream_open(
        h, "draws/compliance", 2, dims, H5OUT_DOUBLE, "1",
        "compliance factor of purchase floors applied (1: none sampled), per draw", err, errlen);
    return sink->streams[sink->n_streams++] ? raw_open_design(h, sink, err, errlen) : -1;
}

int run_raw_open(h5out_t *h, raw_sink_t *sink, char *err, size_t errlen)
{
    const quantity_layout_t *lay = sink->layout;
    int max_streams = 2 * lay->n_defs + 3 + 2 * sink->cfg->n_inputs + 1 + sink->res->n_targets;
    sink->streams = calloc((size_t)max_streams, sizeof *sink->streams);
    sink->columns = calloc((size_t)max_streams, sizeof *sink->columns);
    size_t largest = 1;
    for (int d = 0; d < lay->n_defs; d++)
        largest = quantity_size(lay, d) > largest ? quantity_size(lay, d) : largest;
    if (sink->threads < 1)
        sink->threads = 1;
    sink->buffer_per_thread = RAW_GATHER_DRAWS * largest;
    sink->buffer = malloc((size_t)sink->threads * sink->buffer_per_thread * sizeof(double));
    if (!sink->streams || !sink->columns || !sink->buffer) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int d = 0; d < lay->n_defs; d++) {
        const quantity_def_t *def = &lay->defs[d];
        for (int f = FORM_LEVEL; f <= (def->is_welfare ? FORM_LEVEL : FORM_REF); f++) {
            const char *dims[5];
            size_t sizes[5];
            char path[160], name[96], ln[256];
            int nd = raw_dims(def->axes, dims, lay, sizes);
            quantity_form_name(def, (quantity_form_t)f, name, sizeof name);
            snprintf(path, sizeof path, "draws/%s", name);
            snprintf(ln, sizeof ln, "%s (%s), per draw", def->long_name,
                     f == FORM_REF ? "reference" : def->is_welfare ? "change" : "scenario");
            sink->columns[sink->n_streams] = (raw_column_t){
                quantity_base(lay, d, (quantity_form_t)f), quantity_size(lay, d), d};
            sink->streams[sink->n_streams] = h5out_stream_open(h, path, nd, dims, H5OUT_DOUBLE,
                                                               def->units, ln, err, errlen);
            if (!sink->streams[sink->n_streams++])
                return -1;
        }
    }
    sink->n_values = sink->n_streams;
    static const char *const int_vars[3][2] = {
        {"draws/regime", "policy regime of the draw (-1: no regimes)"},
        {"draws/status", "solver status (0 converged; 1-15 reference failed; 16+ scenario failed)"},
        {"draws/iterations", "solver iterations, reference plus scenario"}};
    for (int k = 0; k < 3; k++) {
        const char *dims[2] = {"point", "draw"};
        sink->streams[sink->n_streams] = h5out_stream_open(h, int_vars[k][0], 2, dims,
                                                           H5OUT_INT32, "1", int_vars[k][1],
                                                           err, errlen);
        if (!sink->streams[sink->n_streams++])
            return -1;
    }
    return raw_open_inputs(h, sink, err, errlen);
}

int run_raw_close(raw_sink_t *sink, char *err, size_t errlen)
{
    int rc = 0;
    for (int s = 0; s < sink->n_streams; s++)
        if (sink->streams[s] && h5out_stream_close(sink->streams[s], err, errlen))
            rc = -1;
    free(sink->streams);
    free(sink->design);
    free(sink->columns);
    free(sink->buffer);
    memset(sink, 0, sizeof *sink);
    return rc;
}

typedef struct {
    uint64_t first, n;
    const double *values;
    const int32_t *ints[3];   /* regime, status, iterations */
    const double *inputs;
} raw_chunk_t;

/* The data of stream s for the chunk's draws k .. k + n - 1 (in buffer, the thread's
 * RAW_GATHER_DRAWS draws of the largest quantity, or the chunk's own array); sets the
 * region axes of count. */
typedef const void *(*raw_fill_fn)(const raw_sink_t *sink, int s, const raw_chunk_t *c,
                                   uint64_t k, uint64_t n, double *buffer, size_t *count);

/* Streams first .. first + n - 1 filled by fill in runs of RAW_GATHER_DRAWS draws and
 * their finished chunks compressed, over the sink's threads (h5out_stream_put); then
 * written, in stream order, by this thread. */
static int put_streams(raw_sink_t *sink, int first, int n, raw_fill_fn fill,
                       const raw_chunk_t *c)
{
    int failed = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(sink->threads)
    for (int s = first; s < first + n; s++) {
        double *buffer = sink->buffer + (size_t)omp_get_thread_num() * sink->buffer_per_thread;
        char err[sizeof sink->err];
        for (uint64_t k = 0; k < c->n; k += RAW_GATHER_DRAWS) {
            int stop;
#pragma omp atomic read
            stop = failed;
            if (stop)
                break;
            uint64_t m = c->n - k < RAW_GATHER_DRAWS ? c->n - k : RAW_GATHER_DRAWS;
            size_t start[H5OUT_MAX_DIMS] = {sink->file_point, c->first + k};
            size_t count[H5OUT_MAX_DIMS] = {1, m};
            const void *data = fill(sink, s, c, k, m, buffer, count);
            if (h5out_stream_put(sink->streams[s], start, count, data, err, sizeof err)) {
#pragma omp critical(run_raw_error)
                if (!failed) {
                    memcpy(sink->err, err, sizeof err);
#pragma omp atomic write
                    failed = 1;
                }
            }
        }
    }
    for (int s = first; !failed && s < first + n; s++)
        failed = h5out_stream_flush(sink->streams[s], sink->err, sizeof sink->err) != 0;
    return failed ? -1 : 0;
}

/* Value stream s: its columns of every draw row (then the region axes whole); the three
 * integer streams after them: the engine's arrays as they are. */
static const void *fill_values(const raw_sink_t *sink, int s, const raw_chunk_t *c,
                               uint64_t k, uint64_t n, double *buffer, size_t *count)
{
    if (s >= sink->n_values)
        return c->ints[s - sink->n_values] + k;
    const quantity_layout_t *lay = sink->layout;
    const raw_column_t *col = &sink->columns[s];
    for (uint64_t d = 0; d < n; d++)
        memcpy(buffer + d * col->size, c->values + (k + d) * lay->n_vars + col->base,
               col->size * sizeof(double));
    const char *dims[5];
    size_t sizes[5];
    int nd = raw_dims(lay->defs[col->def].axes, dims, lay, sizes);
    for (int a = 2; a < nd; a++)
        count[a] = sizes[a];
    return buffer;
}

int run_raw_write_chunk(void *ctx, uint64_t first, uint64_t n, const double *values,
                        const int32_t *regime, const int32_t *status, const int32_t *iterations)
{
    raw_sink_t *sink = ctx;
    raw_chunk_t c = {first, n, values, {regime, status, iterations}, NULL};
    return put_streams(sink, 0, sink->n_values + 3, fill_values, &c);
}

/* Input stream s (the chunk's input rows, engine.h, ENGINE_INPUT_ROW): one column; the
 * streams are [input][value, z], the row is [values | scores | compliance]. */
static const void *fill_inputs(const raw_sink_t *sink, int s, const raw_chunk_t *c,
                               uint64_t k, uint64_t n, double *buffer, size_t *count)
{
    (void)count;   /* no region axes */
    int K = sink->cfg->n_inputs, i = s - sink->inputs_at;
    size_t row = ENGINE_INPUT_ROW(K);
    size_t col = i == 2 * K ? (size_t)i : (size_t)(i % 2 ? K + i / 2 : i / 2);
    for (uint64_t d = 0; d < n; d++)
        buffer[d] = c->inputs[(k + d) * row + col];
    return buffer;
}

int run_raw_write_inputs(void *ctx, uint64_t first, uint64_t n, const double *inputs)
{
    raw_sink_t *sink = ctx;
    raw_chunk_t c = {first, n, NULL, {NULL, NULL, NULL}, inputs};
    return put_streams(sink, sink->inputs_at, 2 * sink->cfg->n_inputs + 1, fill_inputs, &c);
}
