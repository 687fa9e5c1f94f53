/*
 * results.h - the results of a run (one point_summary_t per sweep point) and their
 * HDF5 form: the file contract of sim/README.md. Writing and reading share one table of
 * summary variables, so a file read back gives the same summaries bit for bit (which is
 * what `agtrade merge` and `--resume` rely on).
 *
 * A file may hold a subset of the sweep's points (a shard, or a partial run); the
 * `point` coordinate holds their global indices, and the root attribute `points_total`
 * the size of the whole sweep.
 */
#ifndef AGTRADE_RESULTS_H
#define AGTRADE_RESULTS_H

#include <stdint.h>
#include "attrib.h"
#include "summary.h"
#include "h5out.h"
#include "quantities.h"

#define RESULTS_LABEL_MAX 128

typedef struct {
    int n_exporters, n_importers;
    char (*exporter_name)[RESULTS_LABEL_MAX];
    char (*importer_name)[RESULTS_LABEL_MAX];
    int n_regimes;
    char (*regime_name)[RESULTS_LABEL_MAX];
    int n_thresholds;
    char (*threshold_name)[RESULTS_LABEL_MAX];
    int n_sweeps;
    char (*sweep_key)[256];
    size_t n_points;                 /* points of the whole sweep */
    double *point_values;            /* [n_points][n_sweeps], valid where points[p] */
    point_summary_t **points;        /* [n_points]; NULL: not in this file */
    quantity_layout_t layout;
    /* a calendar (0, 0 and NULL without one): coordinates `period` and `year` */
    int n_periods, n_years;
    char (*period_name)[RESULTS_LABEL_MAX];
    char (*year_name)[RESULTS_LABEL_MAX];
    /* attribution (attrib.h): n_inputs = 0 when the file has none */
    int n_inputs;
    char (*input_name)[RESULTS_LABEL_MAX];
    int n_targets;
    attrib_target_t targets[ATTRIB_MAX_TARGETS];
    /* Sobol indices (sobol.h) of the same targets: sobol_k = 0 when the file has none */
    int sobol_k;
    char (*sobol_name)[RESULTS_LABEL_MAX];   /* the inputs, then "regime" */
    uint64_t sobol_evals;            /* > 0: the file has the design's raw outputs in
                                        /draws, along the axis sobol_eval of this size */
} results_t;

/* Names empty, no points present (points[p] NULL); NULL on allocation failure.
 * results_free(NULL) does nothing; it frees the points present. */
results_t *results_alloc(int n_exporters, int n_importers, int n_regimes, int n_thresholds,
                         int n_sweeps, size_t n_points);
void results_free(results_t *res);
/* Give res a calendar of n_periods periods in n_years years (names empty, to be filled)
 * and the calendar layout of quantities; call before any point is allocated. 0, or -1
 * on allocation failure. */
int results_set_calendar(results_t *res, int n_periods, int n_years);
size_t results_count_present(const results_t *res);

/* Attribution of the targets' values on n_inputs inputs (n_inputs > 0): allocates the
 * input names (empty; the caller fills them) and each present point's attribution
 * arrays (point_summary_alloc_attrib), in target order. 0, or -1 on allocation failure.
 * Points added later need point_summary_alloc_attrib(ps, n_inputs,
 * results_attrib_values(res)). */
int results_set_attribution(results_t *res, int n_inputs, const attrib_target_t *targets,
                            int n_targets);
size_t results_attrib_values(const results_t *res);

/* Sobol indices on k design inputs of the attributed targets (after
 * results_set_attribution): allocates the names (empty) and each present point's
 * arrays (point_summary_alloc_sobol). 0, or -1 on allocation failure. */
int results_set_sobol(results_t *res, int k);

/* Define the root dimensions and coordinates for the points present (and the `draw`
 * dimension when n_draws > 0, for raw draws). */
int results_define(h5out_t *h, const results_t *res, uint64_t n_draws, char *err,
                   size_t errlen);
/* Copy the root coordinates a group's variables use into it (xarray opens a group
 * without its parent's coordinates): /summary gets every axis, /draws (with_draw) the
 * point, draw and region axes. */
int results_copy_coords(h5out_t *h, const results_t *res, const char *group, int with_draw,
                        char *err, size_t errlen);
/* Write /summary for the points present, with its coordinate copies. */
int results_write_summary(h5out_t *h, const results_t *res, char *err, size_t errlen);
/* What identifies a run, written as root attributes (plus created_utc, hostname,
 * agtrade_version, git_commit, rng and draws_failed, which are derived, and the CF
 * global attributes title, institution, source, history, references). */
typedef struct {
    const char *config_yaml;     /* the resolved configuration */
    uint64_t seed, draws;
    int64_t threads;
    const char *command_line;
    const char *shard;           /* "K/N" */
    /* CF global attributes (NULL writes ""); source and history are derived */
    const char *title;           /* the scenario's name */
    const char *institution, *references;   /* run.institution, run.references */
} results_meta_t;


/* A name usable in a variable name (as the sweep_<key> variables): every character
 * other than a-z, A-Z, 0-9 becomes '_'. */
void results_sanitize_name(const char *key, char *out, size_t len);

/* "agtrade ARGV..." (truncated to len) for the command_line attribute. */
void results_command_line(int argc, char *const *argv, char *buf, size_t len);

int results_write_metadata(h5out_t *h, const results_t *res, const results_meta_t *meta,
                           char *err, size_t errlen);

/* The coordinate variable of swept key `key`: "sweep_" + the key with every character
 * other than [A-Za-z0-9] replaced by '_' ("sweep_scenario_tariffs_US_China"). */
void results_sweep_var(const char *key, char *out, size_t len);

/* Read a file written by results_define + results_write_summary: the points it holds
 * (others NULL); NULL on failure, with err starting "FILE: " (a failed checksum reads
 * "checksum error: the file is corrupt"). The file keeps min, max and threshold MCSE of
 * all draws only, so those of regime groups read as 0. */
results_t *results_read(h5in_t *in, char *err, size_t errlen);

#endif
