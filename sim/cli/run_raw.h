/*
 * run_raw.h - the raw-draw sink of `agtrade run --raw-draws` (run.c's, internal to the
 * command line): every draw's values, regime, status, iterations and inputs, and a Sobol
 * design's outputs, streamed into /draws of the output file chunk by chunk (the
 * engine's raw and raw_inputs callbacks, engine.h).
 */
#ifndef AGTRADE_RUN_RAW_H
#define AGTRADE_RUN_RAW_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "h5out.h"
#include "quantities.h"
#include "results.h"

/* Where a value stream's numbers are in a draw row (engine.h: n_vars per draw). */
typedef struct {
    size_t base, size;               /* first column, columns */
    int def;                         /* the quantity (layout->defs) */
} raw_column_t;

typedef struct {
    const quantity_layout_t *layout;
    const config_t *cfg;             /* the inputs' names */
    const results_t *res;            /* the attributed targets (the Sobol design's outputs) */
    double *design;                  /* a point's design outputs (sobol_run_point) */
    int inputs_at, design_at;        /* the first input and design stream */
    h5out_stream_t **streams;        /* [def][form level/ref], then regime, status,
                                        iterations, then [input][value, z], compliance */
    int n_streams;
    size_t file_point;               /* index of the point along the file's point axis */
    int threads;                     /* threads that gather and compress a chunk (>= 1) */
    raw_column_t *columns;           /* per value stream */
    int n_values;                    /* value streams (the first ones) */
    double *buffer;                  /* per thread: some draws of one quantity (run_raw.c) */
    size_t buffer_per_thread;        /* doubles */
    char err[512];
} raw_sink_t;

/* Define the /draws variables of the file h for sink->layout, ->cfg, ->res and ->threads
 * (set by the caller; the rest of *sink zeroed) and open their streams. 0, or -1 with err set;
 * either way run_raw_close frees what was opened. */
int run_raw_open(h5out_t *h, raw_sink_t *sink, char *err, size_t errlen);
/* Close the streams and free the buffers; *sink is zeroed. 0, or -1 with err set. */
int run_raw_close(raw_sink_t *sink, char *err, size_t errlen);
/* engine_spec_t.raw (ctx: the sink): a chunk's values, regimes, statuses, iterations
 * into the point sink->file_point. The streams are filled and their finished chunks
 * compressed on sink->threads OpenMP threads (the engine's are idle while it runs; the
 * bytes do not depend on which thread compresses what), then written by the calling
 * thread. 0, or -1 with sink->err set. */
int run_raw_write_chunk(void *ctx, uint64_t first, uint64_t n, const double *values,
                        const int32_t *regime, const int32_t *status, const int32_t *iterations);
/* engine_spec_t.raw_inputs (ctx: the sink): a chunk's input rows. 0, or -1. */
int run_raw_write_inputs(void *ctx, uint64_t first, uint64_t n, const double *inputs);
/* A point's Sobol design outputs (sink->design, filled by sobol_run_point). 0, or -1
 * with sink->err set. */
int run_raw_write_design(raw_sink_t *sink);

#endif
