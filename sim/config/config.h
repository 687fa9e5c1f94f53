/*
 * config.h - scenario files: load (YAML, strict), validate, override (--set), and write
 * back the fully resolved configuration (see configs/README.md for every key).
 *
 * Contract:
 *  - config_load() reads a file (following `base:` chains), validates everything, and
 *    returns a config_t or fills a config_error_t naming the file, line, column and key.
 *  - A config_t owns all its memory; config_free() releases it.
 *  - Nothing here solves the model; market_calibrate() is run on config->market by the
 *    caller (calibration errors are still reported with the file name).
 */
#ifndef AGTRADE_CONFIG_H
#define AGTRADE_CONFIG_H

#include <stdint.h>
#include <stdio.h>
#include "sample.h"
#include "sweep.h"
#include "market.h"
#include "policy.h"
#include "periods.h"

#define CONFIG_PATH_MAX 4096
#define CONFIG_MSG_MAX 1024
#define CONFIG_MAX_DRAWS 1000000000000ull   /* per point: 10^12 */
#define CONFIG_MAX_POINTS 1000000           /* per sweep */
#define CONFIG_DEFAULT_MAX_TARIFF 5.0       /* 500 %: above it, a percentage typed as 25 */

typedef struct {
    char file[CONFIG_PATH_MAX];   /* file the problem is in ("" for --set / none) */
    int line, column;             /* 1-based, 0 when unknown */
    char key[256];                /* dotted key path, e.g. "importers.China.sigma" */
    char message[CONFIG_MSG_MAX]; /* full one-line message, git style:
                                     "configs/x.yaml:12:5: sigma must be > 0 (got -2)" */
} config_error_t;

/* A policy as written in a file: tariffs, export taxes, floors, caps. Arrays sized for
 * the market; they become a policy_t with config_policy(). */
typedef struct {
    char name[SAMPLE_NAME_MAX];
    double probability;       /* regimes only; 1 for plain policies */
    double *tariff;           /* E x I */
    double *export_tax;       /* E */
    double *floor;            /* E x I, Mt, 0 = none */
    double *cap;              /* E x I, Mt, INFINITY = none */
} config_policy_t;

typedef enum { THRESHOLD_BELOW, THRESHOLD_ABOVE } threshold_op_t;

/* "Probability that <variable>[exporter, importer] is below/above value". */
typedef struct {
    char name[128];           /* e.g. "US -> China below 5 Mt" */
    char variable[64];        /* a per-draw quantity name, e.g. "flow", "share" */
    int exporter, importer;   /* indices, -1 where the variable has no such axis */
    int period, year;         /* calendar indices, -1 where the variable has no such axis */
    int of_change;            /* 1: threshold on scenario-minus-reference change */
    threshold_op_t op;
    double value;
} config_threshold_t;

/* The dated part of one policy under a calendar (configs/README.md, "Time"): changes
 * from a named period on, and window bounds. */
typedef struct {
    int n_changes;
    periods_change_t *changes;    /* period indices into the calendar */
    int n_windows;
    periods_window_t *windows;
} config_schedule_t;

/* A scenario's calendar (the `time:` section, sim/config/config_time.c). */
typedef struct {
    periods_spec_t *spec;         /* baseline of the calendar; spec->regions a copy of
                                     config->market; calibrated by the caller */
    char (*year_name)[MARKET_NAME_MAX];   /* spec->n_years marketing-year names */
    config_schedule_t reference, scenario;
    config_schedule_t *regimes;   /* one per regime (the scenario's unless given) */
    unsigned char *input_yearly;  /* per input: 1 = drawn once per marketing year */
} config_time_t;

typedef struct {
    char path[CONFIG_PATH_MAX];   /* the file loaded */
    market_spec_t *market;        /* baseline data */

    int n_inputs;
    input_spec_t *inputs;
    double *correlation;          /* n_inputs x n_inputs, identity when not given */

    config_policy_t reference;    /* default: baseline tariffs and export taxes */
    config_policy_t scenario;
    int n_regimes;                /* 0 = no regimes: every draw uses `scenario` */
    config_policy_t *regimes;     /* each a full policy (scenario with overrides) */

    int n_thresholds;
    config_threshold_t *thresholds;

    int n_attribution;            /* quantities attributed beyond the headline ones */
    char (*attribution)[64];      /* /summary stems: "imports", "production_change" */

    int n_sweeps;
    config_sweep_t *sweeps;

    double max_tariff;            /* limits.max_tariff: tariffs above it are refused */
    config_time_t *time;          /* NULL: no calendar (one annual solve per draw) */

    /* run settings */
    uint64_t draws;
    uint64_t seed;
    uint64_t sobol;               /* rows of the Sobol design (sobol.h); 0 = none */
    char output[CONFIG_PATH_MAX];
    char institution[256], references[512];   /* CF global attributes; "" = not given */

    /* internal: the merged YAML tree the config was built from (--set and sweeps edit it
     * and rebuild, so that inheritance - reference <- baseline, scenario <- reference,
     * regime <- scenario, domestic use <- production - exports - stays live) */
    struct config_node *tree;
} config_t;

/* Return codes of config_load*() and config_set*(). */
enum {
    CONFIG_OK = 0,
    CONFIG_EINVALID = 1,   /* syntax, schema or validation error (exit 65) */
    CONFIG_ENOENT = 2      /* the top-level file is missing or unreadable (exit 66) */
};

int config_load(const char *path, config_t **out, config_error_t *err);

/* The files config_load(path) reads: the scenario file and its `base:` chain, as
 * real paths, scenario first (for an output that must not overwrite them). Free with
 * config_files_free(). Same return codes as config_load(). */
int config_files(const char *path, char ***files, int *n, config_error_t *err);
void config_files_free(char **files, int n);
void config_free(config_t *cfg);

/* Load from a buffer; `name` is the file name used in messages and the folder that a
 * `base:` entry is resolved against. Same contract as config_load(). */
int config_load_string(const char *text, size_t len, const char *name, config_t **out,
                       config_error_t *err);

/* Apply "KEY=VALUE" (the resolved-YAML dotted key path, e.g. "run.draws=1000" or
 * "scenario.tariffs.US.China=0.28"; see configs/README.md), then rebuild and re-validate
 * the whole configuration, so inheritance stays live. 0 on success; on error cfg is
 * unchanged and err->message reads "--set KEY=VALUE: <problem>". */
int config_set(config_t *cfg, const char *assignment, config_error_t *err);

/* config_set() for a command-line option that stands for a key (-n for run.draws): on
 * error err->message begins with `shown`, what the user typed ("-n 12"), instead of
 * "--set KEY=VALUE". */
int config_set_as(config_t *cfg, const char *assignment, const char *shown,
                  config_error_t *err);

/* config_load(), then config_set() of sets[0..n_sets) in order: what `agtrade check` and
 * `agtrade run` both do. Same return codes; on error *out is NULL and err->message names
 * the file (line, key) or the --set. */
int config_load_with_sets(const char *path, const char *const *sets, int n_sets,
                          config_t **out, config_error_t *err);

/* Set one numeric key (the same dotted paths as config_set) to value, then re-validate:
 * what a sweep point does. 0 on success; cfg is unchanged on error. */
int config_set_number(config_t *cfg, const char *key, double value, config_error_t *err);

/* Add a sweep over sw->key (replacing a sweep of the same key), as the file's `sweep:`
 * list would, then re-validate (the key must be a settable number). 0 on success; cfg is
 * unchanged on error. */
int config_add_sweep(config_t *cfg, const config_sweep_t *sw, config_error_t *err);

/* Deep copy (NULL on allocation failure). Like every function here that takes a
 * config_t, it needs one made by config_load*() (a config is rebuilt from its tree). */
config_t *config_copy(const config_t *cfg);

/* The resolved configuration as YAML that config_load() reads back to the same model,
 * bit for bit: base merged, defaults filled, distributions in canonical parameters,
 * numbers in the shortest form that reads back exactly, policies as differences
 * (reference vs baseline, scenario vs reference, regime vs scenario).
 * Returns a malloc'd NUL-terminated string, or NULL on allocation failure. */
char *config_to_yaml(const config_t *cfg);

/* Fill a policy_t (already sized for the calibrated market) from a config policy. */
void config_policy_apply(const config_policy_t *src, policy_t *dst);

#endif
