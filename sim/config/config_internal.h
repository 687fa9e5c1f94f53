/*
 * config_internal.h - shared by sim/config*.c only: the position-aware YAML tree and the
 * build of a config_t from it, part by part.
 */
#ifndef AGTRADE_CONFIG_INTERNAL_H
#define AGTRADE_CONFIG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "number.h"

typedef enum { CNODE_SCALAR, CNODE_MAP, CNODE_SEQ } cnode_kind_t;

/* One YAML node. file == NULL marks a value that came from --set / a sweep. */
typedef struct config_node {
    cnode_kind_t kind;
    char *file;
    int line, column;          /* 1-based */
    char *text;                /* scalars */
    int quoted;                /* scalar written quoted (so a string, never a number) */
    int n, cap;
    struct config_node **keys; /* maps: key scalars (positions for "unknown key") */
    struct config_node **items;
} cnode_t;

/* NULL on allocation failure (cnode_new, cnode_copy); cnode_get: NULL when map has no
 * such key (cnode_find: -1). cnode_free(NULL) does nothing. */
cnode_t *cnode_new(cnode_kind_t kind, const char *file, int line, int column);
void cnode_free(cnode_t *n);
cnode_t *cnode_copy(const cnode_t *n);
int cnode_append(cnode_t *parent, cnode_t *key, cnode_t *value);
int cnode_find(const cnode_t *map, const char *key);
cnode_t *cnode_get(const cnode_t *map, const char *key);

void tree_strip_nulls(cnode_t *n);
int tree_load_string(const char *text, size_t len, const char *file, cnode_t **out,
                     config_error_t *err);
/* notes (may be NULL): "FILE:LINE:COL removes 'KEY'" (or replaces) for each mapping or
 * list of a base that an override removed or replaced, "; "-separated. */
int tree_load_file(const char *path, cnode_t **out, char *notes, size_t notes_cap,
                   config_error_t *err);
int tree_set(cnode_t *root, const char *key, const char *value, config_error_t *err);

/* Fill err with "file:line:col: message" at node `at` (no position when at is NULL or
 * came from --set). Returns CONFIG_EINVALID. */
int cfg_fail(config_error_t *err, const cnode_t *at, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* As cfg_fail, at a position given by file, line and column (line 0: the file as a
 * whole). Returns CONFIG_EINVALID. */
int cfg_fail_file(config_error_t *err, const char *file, int line, int column,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Parse `len` bytes of YAML text from `file` (the name for messages) into *out, a tree
 * whose top level is a mapping (config_yaml.c). 0, or CONFIG_EINVALID with err filled
 * and *out NULL. */
int tree_parse(const char *text, size_t len, const char *file, cnode_t **out,
               config_error_t *err);

/* Escape control characters in msg so that it stays one line. */
void cfg_one_line(char *msg, size_t cap);

/* ---- building a config_t from a tree (config.c drives, one file per part) ---- */

/* The state of one build: the config being filled, where its regions are in the tree
 * (for positions in messages) and where the first error goes. */
typedef struct {
    config_t *cfg;
    market_spec_t *spec;
    config_error_t *err;
    int E, I;
    const cnode_t *exp_node[MARKET_MAX_REGIONS];  /* exporters.X, for positions */
    const cnode_t *imp_node[MARKET_MAX_REGIONS];
    const cnode_t *imp_key[MARKET_MAX_REGIONS];   /* the name itself */
} build_t;

/* x in the shortest form that reads back exactly, for messages */
#define NUM(x) number_format_double((char[40]){0}, 40, (x))

/* Typed values (config_parse.c). Each returns 0, or CONFIG_EINVALID with b->err filled,
 * naming `path` (the dotted key) at node n's position. */
const char *cfg_kind_name(const cnode_t *n);   /* "a mapping", "a list", "a value" */
int cfg_parse_number(build_t *b, const cnode_t *n, const char *path, double *x);
int cfg_parse_u64(build_t *b, const cnode_t *n, const char *path, uint64_t *x);
int cfg_parse_string(build_t *b, const cnode_t *n, const char *path, char *out,
                     size_t outlen);
int cfg_parse_bool(build_t *b, const cnode_t *n, const char *path, int *x);
int cfg_need_kind(build_t *b, const cnode_t *n, cnode_kind_t kind, const char *path);
/* Every key of map must be in allowed (NULL-terminated). */
int cfg_check_keys(build_t *b, const cnode_t *map, const char *path,
                   const char *const *allowed);
/* "path.key", truncated to fit (paths only label messages) */
void cfg_join(char *out, size_t outlen, const char *path, const char *key);
/* map[key] as a number; `at` (may be NULL) receives the node (NULL when absent and not
 * required: then *x = dflt). */
int cfg_get_number(build_t *b, const cnode_t *map, const char *path, const char *key,
                   int required, double dflt, double *x, const cnode_t **at);
/* "path.key must be <rule> (got <got>)" at `at`, or at `parent` when the key is absent. */
int cfg_range_fail(build_t *b, const cnode_t *at, const cnode_t *parent, const char *path,
                   const char *key, const char *rule, double got);
/* The index of the region named in node n (exporter: 1 for an exporter, 0 an importer). */
int cfg_resolve_region(build_t *b, const cnode_t *n, const char *path, int exporter,
                       int *idx);

/* A tariff (or tariff equivalent) above limits.max_tariff: "path = v is a tariff of
 * 100 v %: tariffs are fractions ..." at `at` (config_parse.c). */
int cfg_tariff_limit_fail(build_t *b, const cnode_t *at, const char *path, double v);
/* The input that replaces the value of config key `key` in every draw (an override input
 * on sigma, eta or eps of that region), or NULL (config_inputs.c); and the message that
 * says so, naming the input to change instead. */
const input_spec_t *cfg_input_replacing(const config_t *cfg, const char *key);
int cfg_replaced_fail(config_error_t *err, const cnode_t *at, const char *key,
                      const input_spec_t *in);

/* The parts of a scenario, in the order config.c builds them; each 0 or CONFIG_EINVALID. */
int cfg_build_market(build_t *b, const cnode_t *root);        /* config_market.c */
int cfg_build_policies(build_t *b, const cnode_t *root);      /* config_policy.c */
int cfg_build_inputs(build_t *b, const cnode_t *root);        /* config_inputs.c */
int cfg_build_correlation(build_t *b, const cnode_t *root);
int cfg_build_time(build_t *b, const cnode_t *root);          /* config_time.c */
int cfg_build_thresholds(build_t *b, const cnode_t *root);    /* config_run.c */
int cfg_build_attribution(build_t *b, const cnode_t *root);
int cfg_build_run(build_t *b, const cnode_t *root, const char *file);
int cfg_build_sweeps(build_t *b, const cnode_t *root);
/* Free a config policy's arrays (config_free). */
void cfg_policy_release(config_policy_t *p);
/* Free a config's calendar (config_free; NULL does nothing). */
void cfg_time_free(config_time_t *t, int n_regimes);
/* The index of the calendar period called name, or -1. */
int cfg_time_period(const config_time_t *t, const char *name);


#endif
