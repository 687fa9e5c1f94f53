/*
 * results_internal.h - what results.c (the table of summary variables, the writer) and
 * results_read.c (the reader) share: one summary variable and the walk over all of
 * them, so that writing and reading go through the same table (results.h). Not part of
 * the results interface: nothing outside sim/io/results*.c includes it.
 */
#ifndef AGTRADE_RESULTS_INTERNAL_H
#define AGTRADE_RESULTS_INTERNAL_H

#include <stddef.h>
#include "results.h"

/* Which array of point_summary_t a summary variable lives in. */
typedef enum {
    F_MEAN, F_SD, F_MCSE, F_MIN, F_MAX, F_Q, F_QERR, F_HIST, F_EDGES, F_UNDER, F_OVER,
    F_DRAWS_OK, F_DRAWS_FAILED, F_THR_P, F_THR_MCSE, F_CORR_INPUT, F_SRC_INPUT, F_R2,
    F_S1, F_ST, F_S1_CONF, F_ST_CONF
} field_t;

/* One summary variable: per point, n_seg segments of `count` consecutive elements of a
 * point_summary_t array, the first at `offset`, each `seg_stride` after the previous. */
typedef struct {
    char name[128];
    char long_name[256];
    const char *units;
    int ndims;
    const char *dims[H5OUT_MAX_DIMS];
    field_t field;
    size_t offset, count, n_seg, seg_stride;
    int optional;   /* may be absent from files of older versions (see read_var) */
} svar_t;

typedef int (*svar_fn)(const svar_t *var, void *arg);

typedef struct {
    const results_t *res;
    h5out_t *out;
    h5in_t *in;
    size_t *present;      /* global indices of the points in the file, in file order */
    size_t n_present;
    void *buffer;
    char *err;
    size_t errlen;
} svar_io_t;

static inline size_t svar_len(const svar_t *v) { return v->n_seg * v->count; }

/* Whether field f holds int64/uint64 counts (else doubles). */
int results_field_is_int(field_t f);
/* The array of ps that field f names: 8-byte elements either way. */
void *results_field_base(point_summary_t *ps, field_t f);
/* Call fn on every summary variable of res, in the file's order; stops at the first
 * non-zero return and returns it. */
int results_each_var(const results_t *res, svar_fn fn, void *arg);
/* The global indices of the points present in res, ascending, count in *n; malloc'd
 * (the caller frees), NULL on allocation failure. */
size_t *results_present_points(const results_t *res, size_t *n);

#endif
