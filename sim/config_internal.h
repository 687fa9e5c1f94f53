/*
 * config_internal.h - shared by sim/config*.c only: the position-aware YAML tree.
 */
#ifndef AGTRADE_CONFIG_INTERNAL_H
#define AGTRADE_CONFIG_INTERNAL_H

#include <stddef.h>
#include "config.h"

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

/* Escape control characters in msg so that it stays one line. */
void cfg_one_line(char *msg, size_t cap);


/* Names used in files (and by config_to_yaml) for targets and distributions. */
const char *config_target_name(input_target_t t);
const char *config_dist_name(dist_kind_t k);
/* The shortest decimal text that reads back to exactly x (".inf" for infinity). */
const char *config_format_double(char *out, size_t outlen, double x);

#endif
