/*
 * config_parse.c - reading the nodes of a scenario file's tree as typed values (numbers
 * in the one grammar of number.h, whole numbers, text, booleans, region names, mappings
 * with known keys), each failure a positioned one-line message (config_internal.h).
 */
#include "config_internal.h"
#include "number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- scalars ---- */

const char *cfg_kind_name(const cnode_t *n)
{
    return n->kind == CNODE_MAP ? "a mapping" : n->kind == CNODE_SEQ ? "a list" : "a value";
}

/* A number followed by junk (junk != NULL), or out of range: the messages both number
 * parsers give. */
static int number_fail(build_t *b, const cnode_t *n, const char *path, const char *junk)
{
    if (junk)
        return cfg_fail(b->err, n, path, "%s: number '%s' has trailing junk '%s'", path,
                        n->text, junk);
    return cfg_fail(b->err, n, path, "%s: number '%s' is out of range", path, n->text);
}

int cfg_parse_number(build_t *b, const cnode_t *n, const char *path, double *x)
{
    if (n->kind != CNODE_SCALAR)
        return cfg_fail(b->err, n, path, "%s must be a number (got %s)", path, cfg_kind_name(n));
    if (n->quoted)
        return cfg_fail(b->err, n, path, "%s must be a number (got the quoted string '%s')",
                        path, n->text);
    const char *junk = NULL;
    switch (number_parse_double(n->text, x, &junk)) {
    case NUMBER_OK:
        if (isnan(*x))
            break;
        return 0;
    case NUMBER_TRAILING_JUNK:
    case NUMBER_OUT_OF_RANGE:
        return number_fail(b, n, path, junk);
    default:
        break;
    }
    return cfg_fail(b->err, n, path, "%s must be a number (got '%s')", path, n->text);
}

int cfg_parse_u64(build_t *b, const cnode_t *n, const char *path, uint64_t *x)
{
    if (n->kind != CNODE_SCALAR || n->quoted)
        return cfg_fail(b->err, n, path, "%s must be a whole number (got %s)", path,
                        n->kind == CNODE_SCALAR ? "a quoted string" : cfg_kind_name(n));
    const char *junk = NULL;
    switch (number_parse_u64(n->text, x, &junk)) {
    case NUMBER_OK:
        return 0;
    case NUMBER_NOT_WHOLE:
        return cfg_fail(b->err, n, path, "%s must be a whole number >= 0 (got %s)", path,
                        n->text);
    case NUMBER_TRAILING_JUNK:
    case NUMBER_OUT_OF_RANGE:
        return number_fail(b, n, path, junk);
    default:
        return cfg_fail(b->err, n, path, "%s must be a whole number (got '%s')", path,
                        n->text);
    }
}

int cfg_parse_string(build_t *b, const cnode_t *n, const char *path, char *out,
                        size_t outlen)
{
    if (n->kind != CNODE_SCALAR)
        return cfg_fail(b->err, n, path, "%s must be a text value (got %s)", path,
                        cfg_kind_name(n));
    if (!n->text[0])
        return cfg_fail(b->err, n, path, "%s must not be empty", path);
    if (strlen(n->text) >= outlen)
        return cfg_fail(b->err, n, path, "%s is longer than %zu characters", path, outlen - 1);
    for (const char *p = n->text; *p; p++)
        if ((unsigned char)*p < 0x20)
            return cfg_fail(b->err, n, path, "%s contains a control character", path);
    memcpy(out, n->text, strlen(n->text) + 1);
    return 0;
}

int cfg_parse_bool(build_t *b, const cnode_t *n, const char *path, int *x)
{
    if (n->kind == CNODE_SCALAR && !n->quoted) {
        if (!strcmp(n->text, "true")) {
            *x = 1;
            return 0;
        }
        if (!strcmp(n->text, "false")) {
            *x = 0;
            return 0;
        }
    }
    return cfg_fail(b->err, n, path, "%s must be true or false (got %s%s%s)", path,
                    n->kind == CNODE_SCALAR ? "'" : "",
                    n->kind == CNODE_SCALAR ? n->text : cfg_kind_name(n),
                    n->kind == CNODE_SCALAR ? "'" : "");
}

/* ---- structure ---- */

int cfg_need_kind(build_t *b, const cnode_t *n, cnode_kind_t kind, const char *path)
{
    if (n->kind == kind)
        return 0;
    return cfg_fail(b->err, n, path, "%s must be %s (got %s)", path,
                    kind == CNODE_MAP ? "a mapping" : kind == CNODE_SEQ ? "a list" : "a value",
                    cfg_kind_name(n));
}

/* Every key of map must be in allowed (NULL-terminated). */
int cfg_check_keys(build_t *b, const cnode_t *map, const char *path,
                      const char *const *allowed)
{
    for (int i = 0; i < map->n; i++) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, map->keys[i]->text);
        if (ok)
            continue;
        char list[512] = "";
        size_t used = 0;
        for (const char *const *a = allowed; *a && used < sizeof list; a++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                     a == allowed ? "" : ", ", *a);
        char key[256];
        snprintf(key, sizeof key, "%s%s%s", path, path[0] ? "." : "", map->keys[i]->text);
        return cfg_fail(b->err, map->keys[i], key, "unknown key '%s' in %s (expected: %s)",
                        map->keys[i]->text, path[0] ? path : "the top level", list);
    }
    return 0;
}

/* "path.key", truncated to fit (paths only label messages) */
void cfg_join(char *out, size_t outlen, const char *path, const char *key)
{
    size_t used = 0;
    for (const char *parts[3] = {path, path[0] ? "." : "", key}, **p = parts; p < parts + 3;
         p++)
        for (const char *c = *p; *c && used + 1 < outlen; c++)
            out[used++] = *c;
    out[used] = '\0';
}

/* map[key] as a number; `at` receives the node (NULL when absent and not required). */
int cfg_get_number(build_t *b, const cnode_t *map, const char *path, const char *key,
                      int required, double dflt, double *x, const cnode_t **at)
{
    char full[256];
    cfg_join(full, sizeof full, path, key);
    const cnode_t *n = cnode_get(map, key);
    if (at)
        *at = n;
    if (!n) {
        if (required)
            return cfg_fail(b->err, map, full, "missing key '%s' in %s", key,
                            path[0] ? path : "the top level");
        *x = dflt;
        return 0;
    }
    return cfg_parse_number(b, n, full, x);
}

int cfg_range_fail(build_t *b, const cnode_t *at, const cnode_t *parent, const char *path,
                      const char *key, const char *rule, double got)
{
    char full[256];
    cfg_join(full, sizeof full, path, key);
    return cfg_fail(b->err, at ? at : parent, full, "%s must be %s (got %s)", full, rule,
                    NUM(got));
}

/* Why: a tariff written as a percentage (25 for 25 %) is a valid number, and would run
 * as 2500 % without a word. */
int cfg_tariff_limit_fail(build_t *b, const cnode_t *at, const char *path, double v)
{
    return cfg_fail(b->err, at, path, "%s = %s is a tariff of %s %%: tariffs are fractions "
                    "(%s for %s %%); to allow tariffs above %s, raise limits.max_tariff (in "
                    "the file, or --set limits.max_tariff=X before this value)", path, NUM(v),
                    NUM(100 * v), NUM(v / 100), NUM(v), NUM(b->cfg->max_tariff));
}

static int region_index(char (*names)[MARKET_NAME_MAX], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

static void region_list(char (*names)[MARKET_NAME_MAX], int n, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used < outlen; i++)
        used += (size_t)snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", names[i]);
}

/* Resolve a region name held in node n; role is "exporter" or "importer". */
int cfg_resolve_region(build_t *b, const cnode_t *n, const char *path, int exporter,
                          int *idx)
{
    char (*names)[MARKET_NAME_MAX] = exporter ? b->spec->exporter_name : b->spec->importer_name;
    int count = exporter ? b->E : b->I;
    if (n->kind != CNODE_SCALAR)
        return cfg_fail(b->err, n, path, "%s must be an %s name (got %s)", path,
                        exporter ? "exporter" : "importer", cfg_kind_name(n));
    *idx = region_index(names, count, n->text);
    if (*idx >= 0)
        return 0;
    char list[512];
    region_list(names, count, list, sizeof list);
    return cfg_fail(b->err, n, path, "%s: unknown %s '%s' (%ss: %s)", path,
                    exporter ? "exporter" : "importer", n->text,
                    exporter ? "exporter" : "importer", list);
}
