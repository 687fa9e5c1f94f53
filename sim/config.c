/*
 * config.c - the scenario-file schema: turn a merged YAML tree into a validated config_t,
 * and --set / sweep edits (which edit the tree and rebuild, so inheritance stays live).
 * Every key is documented in configs/README.md.
 */
#include "config_internal.h"
#include "sweep.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#define DEFAULT_DRAWS 10000
#define DEFAULT_SEED 20250512u
#define BALANCE_TOL 0.005       /* MODEL.md: Qb - Db = sum_j Xb_ij within 0.5 % */
#define PROB_SUM_TOL 1e-9
#define SYMMETRY_TOL 1e-12
#define Z95 1.6448536269514722  /* standard normal 95 % quantile */

typedef struct {
    config_t *cfg;
    market_spec_t *spec;
    config_error_t *err;
    int E, I;
    const cnode_t *exp_node[MARKET_MAX_REGIONS];  /* exporters.X, for positions */
    const cnode_t *imp_node[MARKET_MAX_REGIONS];
    const cnode_t *imp_key[MARKET_MAX_REGIONS];   /* the name itself */
} build_t;

/* ---- scalars ---- */

/* x in the shortest form that reads back exactly, for messages */
#define NUM(x) config_format_double((char[40]){0}, 40, (x))


/* Build a validated config from a merged tree (takes ownership of tree); sweep checks
 * build trial configs, hence the forward declaration. */
static int config_build(cnode_t *tree, const char *path, int check_sweeps, config_t **out,
                        config_error_t *err);
static const char *kind_name(const cnode_t *n)
{
    return n->kind == CNODE_MAP ? "a mapping" : n->kind == CNODE_SEQ ? "a list" : "a value";
}

/* Length of the longest prefix of s that is a decimal number (YAML 1.2 core float). */
static size_t number_prefix(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!strncmp(p, ".inf", 4) || !strncmp(p, ".Inf", 4) || !strncmp(p, ".INF", 4))
        return (size_t)(p + 4 - s);
    size_t digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits++;
    }
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        const char *e = p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return (size_t)(e - s);
        while (isdigit((unsigned char)*p))
            p++;
    }
    return (size_t)(p - s);
}

/* Strict conversion: the whole text must be a number. 0 ok, 1 not a number at all,
 * 2 trailing junk, 3 out of range. */
static int strict_double(const char *s, double *x)
{
    size_t n = number_prefix(s);
    if (!n)
        return 1;
    if (s[n])
        return 2;
    const char *p = s + (*s == '+' || *s == '-');
    if (*p == '.' && (p[1] == 'i' || p[1] == 'I')) {
        *x = *s == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    errno = 0;
    *x = strtod(s, NULL);
    if (errno == ERANGE && fabs(*x) > 1.0)
        return 3;
    return 0;
}

static int parse_number(build_t *b, const cnode_t *n, const char *path, double *x)
{
    if (n->kind != CNODE_SCALAR)
        return cfg_fail(b->err, n, path, "%s must be a number (got %s)", path, kind_name(n));
    if (n->quoted)
        return cfg_fail(b->err, n, path, "%s must be a number (got the quoted string '%s')",
                        path, n->text);
    switch (strict_double(n->text, x)) {
    case 0:
        if (isnan(*x))
            break;
        return 0;
    case 2:
        return cfg_fail(b->err, n, path, "%s: number '%s' has trailing junk '%s'", path,
                        n->text, n->text + number_prefix(n->text));
    case 3:
        return cfg_fail(b->err, n, path, "%s: number '%s' is out of range", path, n->text);
    default:
        break;
    }
    return cfg_fail(b->err, n, path, "%s must be a number (got '%s')", path, n->text);
}

static int parse_u64(build_t *b, const cnode_t *n, const char *path, uint64_t *x)
{
    if (n->kind != CNODE_SCALAR || n->quoted)
        return cfg_fail(b->err, n, path, "%s must be a whole number (got %s)", path,
                        n->kind == CNODE_SCALAR ? "a quoted string" : kind_name(n));
    const char *s = n->text;
    size_t np = number_prefix(s);
    if (np && !s[np] && strspn(s + (*s == '+'), "0123456789") != strlen(s + (*s == '+')))
        return cfg_fail(b->err, n, path, "%s must be a whole number >= 0 (got %s)", path, s);
    if (*s == '+')
        s++;
    size_t d = 0;
    while (isdigit((unsigned char)s[d]))
        d++;
    if (!d) {
        return cfg_fail(b->err, n, path, "%s must be a whole number (got '%s')", path,
                        n->text);
    }
    if (s[d])
        return cfg_fail(b->err, n, path, "%s: number '%s' has trailing junk '%s'", path,
                        n->text, s + d);
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE)
        return cfg_fail(b->err, n, path, "%s: number '%s' is out of range", path, n->text);
    *x = (uint64_t)v;
    return 0;
}

static int parse_string(build_t *b, const cnode_t *n, const char *path, char *out,
                        size_t outlen)
{
    if (n->kind != CNODE_SCALAR)
        return cfg_fail(b->err, n, path, "%s must be a text value (got %s)", path,
                        kind_name(n));
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

static int parse_bool(build_t *b, const cnode_t *n, const char *path, int *x)
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
                    n->kind == CNODE_SCALAR ? n->text : kind_name(n),
                    n->kind == CNODE_SCALAR ? "'" : "");
}

/* ---- structure ---- */

static int need_kind(build_t *b, const cnode_t *n, cnode_kind_t kind, const char *path)
{
    if (n->kind == kind)
        return 0;
    return cfg_fail(b->err, n, path, "%s must be %s (got %s)", path,
                    kind == CNODE_MAP ? "a mapping" : kind == CNODE_SEQ ? "a list" : "a value",
                    kind_name(n));
}

/* Every key of map must be in allowed (NULL-terminated). */
static int check_keys(build_t *b, const cnode_t *map, const char *path,
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
static void join(char *out, size_t outlen, const char *path, const char *key)
{
    size_t used = 0;
    for (const char *parts[3] = {path, path[0] ? "." : "", key}, **p = parts; p < parts + 3;
         p++)
        for (const char *c = *p; *c && used + 1 < outlen; c++)
            out[used++] = *c;
    out[used] = '\0';
}

/* map[key] as a number; `at` receives the node (NULL when absent and not required). */
static int get_number(build_t *b, const cnode_t *map, const char *path, const char *key,
                      int required, double dflt, double *x, const cnode_t **at)
{
    char full[256];
    join(full, sizeof full, path, key);
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
    return parse_number(b, n, full, x);
}

static int range_fail(build_t *b, const cnode_t *at, const cnode_t *parent, const char *path,
                      const char *key, const char *rule, double got)
{
    char full[256];
    join(full, sizeof full, path, key);
    return cfg_fail(b->err, at ? at : parent, full, "%s must be %s (got %s)", full, rule,
                    NUM(got));
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
static int resolve_region(build_t *b, const cnode_t *n, const char *path, int exporter,
                          int *idx)
{
    char (*names)[MARKET_NAME_MAX] = exporter ? b->spec->exporter_name : b->spec->importer_name;
    int count = exporter ? b->E : b->I;
    if (n->kind != CNODE_SCALAR)
        return cfg_fail(b->err, n, path, "%s must be an %s name (got %s)", path,
                        exporter ? "exporter" : "importer", kind_name(n));
    *idx = region_index(names, count, n->text);
    if (*idx >= 0)
        return 0;
    char list[512];
    region_list(names, count, list, sizeof list);
    return cfg_fail(b->err, n, path, "%s: unknown %s '%s' (%ss: %s)", path,
                    exporter ? "exporter" : "importer", n->text,
                    exporter ? "exporter" : "importer", list);
}

/* ---- regions ---- */

static int build_names(build_t *b, const cnode_t *map, const char *path,
                       char (*names)[MARKET_NAME_MAX], const cnode_t **nodes,
                       const cnode_t **keys)
{
    for (int i = 0; i < map->n; i++) {
        const cnode_t *k = map->keys[i];
        char full[256];
        join(full, sizeof full, path, k->text);
        if (!k->text[0] || strlen(k->text) >= MARKET_NAME_MAX)
            return cfg_fail(b->err, k, full, "%s: a region name must have 1 to %d characters",
                            path, MARKET_NAME_MAX - 1);
        memcpy(names[i], k->text, strlen(k->text) + 1);
        if (need_kind(b, map->items[i], CNODE_MAP, full))
            return CONFIG_EINVALID;
        nodes[i] = map->items[i];
        if (keys)
            keys[i] = k;
    }
    return 0;
}

static const char *const exporter_keys[] = {"production", "exports", "domestic_use",
    "fob_price", "export_tax", "eps", "kappa", "exchange_rate", "description", NULL};
static const char *const importer_keys[] = {"sigma", "eta", "description", NULL};
static const char *const route_keys[] = {"flow", "freight", "tariff", NULL};

static int build_exporters(build_t *b)
{
    market_spec_t *s = b->spec;
    for (int i = 0; i < b->E; i++) {
        const cnode_t *m = b->exp_node[i], *at;
        char path[256];
        join(path, sizeof path, "exporters", s->exporter_name[i]);
        if (check_keys(b, m, path, exporter_keys))
            return CONFIG_EINVALID;
        if (get_number(b, m, path, "production", 1, 0, &s->production[i], &at))
            return CONFIG_EINVALID;
        if (!(s->production[i] > 0) || isinf(s->production[i]))
            return range_fail(b, at, m, path, "production", "> 0 (Mt)", s->production[i]);
        if (get_number(b, m, path, "fob_price", 1, 0, &s->fob_price[i], &at))
            return CONFIG_EINVALID;
        if (!(s->fob_price[i] > 0) || isinf(s->fob_price[i]))
            return range_fail(b, at, m, path, "fob_price", "> 0 (USD/t)", s->fob_price[i]);
        if (get_number(b, m, path, "export_tax", 0, 0, &s->export_tax[i], &at))
            return CONFIG_EINVALID;
        if (!(s->export_tax[i] >= 0 && s->export_tax[i] < 1))
            return range_fail(b, at, m, path, "export_tax", "in [0, 1)", s->export_tax[i]);
        if (get_number(b, m, path, "eps", 1, 0, &s->eps[i], &at))
            return CONFIG_EINVALID;
        if (!(s->eps[i] <= 0) || isinf(s->eps[i]))
            return range_fail(b, at, m, path, "eps", "<= 0", s->eps[i]);
        if (get_number(b, m, path, "kappa", 0, 0, &s->kappa[i], &at))
            return CONFIG_EINVALID;
        if (!(s->kappa[i] >= 0) || isinf(s->kappa[i]))
            return range_fail(b, at, m, path, "kappa", ">= 0", s->kappa[i]);
        if (get_number(b, m, path, "exchange_rate", 0, 1, &s->exchange_rate[i], &at))
            return CONFIG_EINVALID;
        if (!(s->exchange_rate[i] > 0) || isinf(s->exchange_rate[i]))
            return range_fail(b, at, m, path, "exchange_rate", "> 0", s->exchange_rate[i]);
    }
    return 0;
}

static int build_importers(build_t *b)
{
    market_spec_t *s = b->spec;
    for (int j = 0; j < b->I; j++) {
        const cnode_t *m = b->imp_node[j], *at;
        char path[256];
        join(path, sizeof path, "importers", s->importer_name[j]);
        if (check_keys(b, m, path, importer_keys))
            return CONFIG_EINVALID;
        if (get_number(b, m, path, "sigma", 1, 0, &s->sigma[j], &at))
            return CONFIG_EINVALID;
        if (!(s->sigma[j] > 0) || isinf(s->sigma[j]))
            return range_fail(b, at, m, path, "sigma", "> 0", s->sigma[j]);
        if (get_number(b, m, path, "eta", 1, 0, &s->eta[j], &at))
            return CONFIG_EINVALID;
        if (!(s->eta[j] < 0) || isinf(s->eta[j]))
            return range_fail(b, at, m, path, "eta", "< 0", s->eta[j]);
    }
    return 0;
}

static int build_routes(build_t *b, const cnode_t *routes)
{
    market_spec_t *s = b->spec;
    if (need_kind(b, routes, CNODE_MAP, "routes"))
        return CONFIG_EINVALID;
    for (int a = 0; a < routes->n; a++) {
        char path[256];
        int i;
        join(path, sizeof path, "routes", routes->keys[a]->text);
        if (resolve_region(b, routes->keys[a], path, 1, &i))
            return CONFIG_EINVALID;
        const cnode_t *row = routes->items[a];
        if (need_kind(b, row, CNODE_MAP, path))
            return CONFIG_EINVALID;
        for (int c = 0; c < row->n; c++) {
            char rpath[256];
            int j;
            join(rpath, sizeof rpath, path, row->keys[c]->text);
            if (resolve_region(b, row->keys[c], rpath, 0, &j))
                return CONFIG_EINVALID;
            const cnode_t *m = row->items[c], *at;
            if (need_kind(b, m, CNODE_MAP, rpath) || check_keys(b, m, rpath, route_keys))
                return CONFIG_EINVALID;
            size_t ij = (size_t)i * (size_t)b->I + (size_t)j;
            if (get_number(b, m, rpath, "flow", 1, 0, &s->flow[ij], &at))
                return CONFIG_EINVALID;
            if (!(s->flow[ij] >= 0) || isinf(s->flow[ij]))
                return range_fail(b, at, m, rpath, "flow", ">= 0 (Mt)", s->flow[ij]);
            if (get_number(b, m, rpath, "freight", 1, 0, &s->freight[ij], &at))
                return CONFIG_EINVALID;
            if (!(s->freight[ij] >= 0) || isinf(s->freight[ij]))
                return range_fail(b, at, m, rpath, "freight", ">= 0 (USD/t)", s->freight[ij]);
            if (get_number(b, m, rpath, "tariff", 0, 0, &s->tariff[ij], &at))
                return CONFIG_EINVALID;
            if (!(s->tariff[ij] >= 0) || isinf(s->tariff[ij]))
                return range_fail(b, at, m, rpath, "tariff", ">= 0", s->tariff[ij]);
        }
    }
    return 0;
}

/* Exports must equal the route flows; domestic use is derived when not given. */
static int build_balances(build_t *b)
{
    market_spec_t *s = b->spec;
    for (int i = 0; i < b->E; i++) {
        const cnode_t *m = b->exp_node[i], *at_x, *at_d;
        char path[256];
        join(path, sizeof path, "exporters", s->exporter_name[i]);
        double routes = 0, exports, domestic;
        for (int j = 0; j < b->I; j++)
            routes += s->flow[(size_t)i * (size_t)b->I + (size_t)j];
        if (get_number(b, m, path, "exports", 0, NAN, &exports, &at_x) ||
            get_number(b, m, path, "domestic_use", 0, NAN, &domestic, &at_d))
            return CONFIG_EINVALID;
        if (at_x && fabs(exports - routes) > BALANCE_TOL * fmax(fabs(exports), 1e-9))
            return cfg_fail(b->err, at_x, "exports",
                            "%s.exports (%.6g Mt) differ from the sum of its route flows "
                            "(%.6g Mt) by more than 0.5 %%", path, exports, routes);
        if (!at_d)   /* the residual; exports are by definition the route flows */
            domestic = s->production[i] - routes;
        if (!(domestic >= 0) || isinf(domestic))
            return cfg_fail(b->err, at_d ? at_d : m, "domestic_use",
                            "%s: domestic use must be >= 0 (got %.6g Mt: production %.6g - "
                            "exports %.6g)", path, domestic, s->production[i],
                            s->production[i] - domestic);
        double net = s->production[i] - domestic;
        if (fabs(net - routes) > BALANCE_TOL * fmax(fabs(net), 1e-9))
            return cfg_fail(b->err, at_d ? at_d : m, "domestic_use",
                            "%s: production - domestic_use (%.6g Mt) differs from the sum of "
                            "its route flows (%.6g Mt) by more than 0.5 %%", path, net, routes);
        s->domestic_use[i] = domestic;
    }
    for (int j = 0; j < b->I; j++) {
        double total = 0;
        for (int i = 0; i < b->E; i++)
            total += s->flow[(size_t)i * (size_t)b->I + (size_t)j];
        if (!(total > 0)) {
            char key[256];
            join(key, sizeof key, "importers", s->importer_name[j]);
            return cfg_fail(b->err, b->imp_key[j], key,
                            "importer '%s' has no imports (every route flow to it is 0)",
                            s->importer_name[j]);
        }
    }
    return 0;
}

/* ---- policies ---- */

static int policy_alloc(config_policy_t *p, int E, int I)
{
    size_t r = (size_t)E * (size_t)I;
    p->tariff = calloc(r, sizeof(double));
    p->export_tax = calloc((size_t)E, sizeof(double));
    p->floor = calloc(r, sizeof(double));
    p->cap = calloc(r, sizeof(double));
    return p->tariff && p->export_tax && p->floor && p->cap ? 0 : -1;
}

static void policy_release(config_policy_t *p)
{
    free(p->tariff);
    free(p->export_tax);
    free(p->floor);
    free(p->cap);
    p->tariff = p->export_tax = p->floor = p->cap = NULL;
}

static void policy_assign(config_policy_t *dst, const config_policy_t *src, int E, int I)
{
    size_t r = (size_t)E * (size_t)I;
    memcpy(dst->tariff, src->tariff, r * sizeof(double));
    memcpy(dst->export_tax, src->export_tax, (size_t)E * sizeof(double));
    memcpy(dst->floor, src->floor, r * sizeof(double));
    memcpy(dst->cap, src->cap, r * sizeof(double));
}

/* A route table exporter -> importer -> number into arr (E x I). kind: 0 tariff,
 * 1 floor, 2 cap. */
static int build_route_table(build_t *b, const cnode_t *t, const char *path, double *arr,
                             int kind)
{
    if (need_kind(b, t, CNODE_MAP, path))
        return CONFIG_EINVALID;
    for (int a = 0; a < t->n; a++) {
        char p1[256];
        int i;
        join(p1, sizeof p1, path, t->keys[a]->text);
        if (resolve_region(b, t->keys[a], p1, 1, &i) || need_kind(b, t->items[a], CNODE_MAP, p1))
            return CONFIG_EINVALID;
        const cnode_t *row = t->items[a];
        for (int c = 0; c < row->n; c++) {
            char p2[256];
            int j;
            double v;
            join(p2, sizeof p2, p1, row->keys[c]->text);
            if (resolve_region(b, row->keys[c], p2, 0, &j) ||
                parse_number(b, row->items[c], p2, &v))
                return CONFIG_EINVALID;
            if (!(v >= 0) || (kind != 2 && isinf(v)))
                return cfg_fail(b->err, row->items[c], p2, "%s must be >= 0%s (got %s)", p2,
                                kind == 0 ? "" : " (Mt)", NUM(v));
            arr[(size_t)i * (size_t)b->I + (size_t)j] = v;
        }
    }
    return 0;
}

static const char *const policy_keys[] = {"name", "description", "tariffs", "export_taxes",
                                          "floors", "caps", NULL};
static const char *const regime_keys[] = {"probability", "description", "tariffs",
                                          "export_taxes", "floors", "caps", NULL};

static int build_policy(build_t *b, const cnode_t *m, const char *path, config_policy_t *p,
                        int regime)
{
    if (need_kind(b, m, CNODE_MAP, path) ||
        check_keys(b, m, path, regime ? regime_keys : policy_keys))
        return CONFIG_EINVALID;
    const cnode_t *n;
    char sub[256];
    if ((n = cnode_get(m, "name"))) {
        join(sub, sizeof sub, path, "name");
        if (parse_string(b, n, sub, p->name, sizeof p->name))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "tariffs"))) {
        join(sub, sizeof sub, path, "tariffs");
        if (build_route_table(b, n, sub, p->tariff, 0))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "floors"))) {
        join(sub, sizeof sub, path, "floors");
        if (build_route_table(b, n, sub, p->floor, 1))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "caps"))) {
        join(sub, sizeof sub, path, "caps");
        if (build_route_table(b, n, sub, p->cap, 2))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "export_taxes"))) {
        join(sub, sizeof sub, path, "export_taxes");
        if (need_kind(b, n, CNODE_MAP, sub))
            return CONFIG_EINVALID;
        for (int a = 0; a < n->n; a++) {
            char p1[256];
            int i;
            double v;
            join(p1, sizeof p1, sub, n->keys[a]->text);
            if (resolve_region(b, n->keys[a], p1, 1, &i) || parse_number(b, n->items[a], p1, &v))
                return CONFIG_EINVALID;
            if (!(v >= 0 && v < 1))
                return cfg_fail(b->err, n->items[a], p1, "%s must be in [0, 1) (got %s)", p1,
                                NUM(v));
            p->export_tax[i] = v;
        }
    }
    if (regime) {
        const cnode_t *at;
        if (get_number(b, m, path, "probability", 1, 0, &p->probability, &at))
            return CONFIG_EINVALID;
        if (!(p->probability >= 0 && p->probability <= 1))
            return range_fail(b, at, m, path, "probability", "in [0, 1]", p->probability);
    }
    for (int i = 0; i < b->E; i++)
        for (int j = 0; j < b->I; j++) {
            size_t ij = (size_t)i * (size_t)b->I + (size_t)j;
            if (p->floor[ij] > p->cap[ij])
                return cfg_fail(b->err, m, path,
                                "%s: floor on %s -> %s (%.6g Mt) is above its cap (%.6g Mt)",
                                path, b->spec->exporter_name[i], b->spec->importer_name[j],
                                p->floor[ij], p->cap[ij]);
        }
    return 0;
}

static int build_policies(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    int E = b->E, I = b->I;
    if (policy_alloc(&cfg->reference, E, I) || policy_alloc(&cfg->scenario, E, I))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    config_policy_t *r = &cfg->reference;
    snprintf(r->name, sizeof r->name, "reference");
    r->probability = 1;
    memcpy(r->tariff, b->spec->tariff, (size_t)E * (size_t)I * sizeof(double));
    memcpy(r->export_tax, b->spec->export_tax, (size_t)E * sizeof(double));
    for (size_t k = 0; k < (size_t)E * (size_t)I; k++)
        r->cap[k] = INFINITY;
    const cnode_t *n;
    if ((n = cnode_get(root, "reference")) && build_policy(b, n, "reference", r, 0))
        return CONFIG_EINVALID;
    policy_assign(&cfg->scenario, r, E, I);
    snprintf(cfg->scenario.name, sizeof cfg->scenario.name, "scenario");
    cfg->scenario.probability = 1;
    if ((n = cnode_get(root, "scenario")) && build_policy(b, n, "scenario", &cfg->scenario, 0))
        return CONFIG_EINVALID;
    if (!(n = cnode_get(root, "regimes")))
        return 0;
    if (need_kind(b, n, CNODE_MAP, "regimes"))
        return CONFIG_EINVALID;
    if (n->n == 0)
        return cfg_fail(b->err, n, "regimes", "regimes must list at least one regime");
    cfg->regimes = calloc((size_t)n->n, sizeof *cfg->regimes);
    if (!cfg->regimes)
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    double total = 0;
    for (int k = 0; k < n->n; k++) {
        config_policy_t *g = &cfg->regimes[k];
        cfg->n_regimes = k + 1;
        char path[256];
        join(path, sizeof path, "regimes", n->keys[k]->text);
        if (policy_alloc(g, E, I))
            return cfg_fail(b->err, NULL, NULL, "out of memory");
        policy_assign(g, &cfg->scenario, E, I);
        if (parse_string(b, n->keys[k], path, g->name, sizeof g->name) ||
            build_policy(b, n->items[k], path, g, 1))
            return CONFIG_EINVALID;
        total += g->probability;
    }
    if (fabs(total - 1) > PROB_SUM_TOL)
        return cfg_fail(b->err, n, "regimes", "regime probabilities sum to %s, not 1", NUM(total));
    return 0;
}

/* ---- stochastic inputs ---- */

static const struct {
    const char *name;
    input_target_t target;
    int exporter, importer;    /* 1: the target needs that region */
    input_apply_t apply;       /* default */
} targets[] = {
    {"yield", TARGET_YIELD, 1, 0, APPLY_MULTIPLY},
    {"domestic_demand", TARGET_DOMESTIC_DEMAND, 1, 0, APPLY_MULTIPLY},
    {"exchange_rate", TARGET_EXCHANGE_RATE, 1, 0, APPLY_MULTIPLY},
    {"eps", TARGET_EPS, 1, 0, APPLY_OVERRIDE},
    {"demand", TARGET_DEMAND, 0, 1, APPLY_MULTIPLY},
    {"sigma", TARGET_SIGMA, 0, 1, APPLY_OVERRIDE},
    {"eta", TARGET_ETA, 0, 1, APPLY_OVERRIDE},
    {"freight_index", TARGET_FREIGHT_INDEX, 0, 0, APPLY_MULTIPLY},
    {"freight_route", TARGET_FREIGHT_ROUTE, 1, 1, APPLY_MULTIPLY},
    {"compliance", TARGET_COMPLIANCE, 0, 0, APPLY_OVERRIDE},
};
#define N_TARGETS (sizeof targets / sizeof targets[0])

static const struct {
    const char *name;
    dist_kind_t kind;
    const char *keys[8];       /* parameter keys this form accepts */
} dists[] = {
    {"fixed", DIST_FIXED, {"value"}},
    {"normal", DIST_NORMAL, {"mean", "sd"}},
    {"lognormal", DIST_LOGNORMAL, {"meanlog", "sdlog", "median", "p05", "p95"}},
    {"truncated_normal", DIST_TRUNCNORMAL, {"mean", "sd", "min", "max"}},
    {"uniform", DIST_UNIFORM, {"min", "max"}},
    {"triangular", DIST_TRIANGULAR, {"min", "mode", "max"}},
    {"beta", DIST_BETA, {"alpha", "beta", "mean", "sd", "min", "max"}},
    {"pert", DIST_PERT, {"min", "mode", "max", "lambda"}},
    {"empirical", DIST_EMPIRICAL, {"values"}},
};
#define N_DISTS (sizeof dists / sizeof dists[0])

const char *config_target_name(input_target_t t)
{
    for (size_t k = 0; k < N_TARGETS; k++)
        if (targets[k].target == t)
            return targets[k].name;
    return "?";
}

const char *config_dist_name(dist_kind_t k)
{
    for (size_t d = 0; d < N_DISTS; d++)
        if (dists[d].kind == k)
            return dists[d].name;
    return "?";
}

/* Optional number: *has says whether it was given. */
static int opt_number(build_t *b, const cnode_t *m, const char *path, const char *key,
                      double *x, int *has, const cnode_t **at)
{
    if (get_number(b, m, path, key, 0, NAN, x, at))
        return CONFIG_EINVALID;
    *has = *at != NULL;
    return 0;
}

static int need_param(build_t *b, const cnode_t *m, const char *path, const char *key,
                      double *x, const cnode_t **at)
{
    return get_number(b, m, path, key, 1, 0, x, at);
}

static int either_fail(build_t *b, const cnode_t *m, const char *path, const char *forms)
{
    return cfg_fail(b->err, m, path, "%s: give exactly one of %s", path, forms);
}

static int build_dist(build_t *b, const cnode_t *m, const char *path, dist_t *d)
{
    const cnode_t *at, *at2;
    double *p = d->p;
    int h1, h2, h3;
    double x1, x2, x3;
    switch (d->kind) {
    case DIST_FIXED:
        if (need_param(b, m, path, "value", &p[0], &at))
            return CONFIG_EINVALID;
        if (isinf(p[0]))
            return range_fail(b, at, m, path, "value", "finite", p[0]);
        return 0;
    case DIST_NORMAL:
        if (need_param(b, m, path, "mean", &p[0], &at) || need_param(b, m, path, "sd", &p[1], &at))
            return CONFIG_EINVALID;
        if (!(p[1] > 0) || isinf(p[0]) || isinf(p[1]))
            return range_fail(b, at, m, path, "sd", "> 0", p[1]);
        return 0;
    case DIST_LOGNORMAL: {
        const cnode_t *aml;
        if (opt_number(b, m, path, "meanlog", &p[0], &h1, &aml) ||
            opt_number(b, m, path, "median", &x1, &h2, &at2) ||
            opt_number(b, m, path, "sdlog", &p[1], &h3, &at))
            return CONFIG_EINVALID;
        if (h1 + h2 != 1)
            return either_fail(b, m, path, "meanlog or median");
        if (h1 && isinf(p[0]))
            return range_fail(b, aml, m, path, "meanlog", "finite", p[0]);
        if (h2) {
            if (!(x1 > 0) || isinf(x1))
                return range_fail(b, at2, m, path, "median", "> 0", x1);
            p[0] = log(x1);
        }
        {
            const cnode_t *a5, *a95;
            int h5, h95;
            if (opt_number(b, m, path, "p05", &x2, &h5, &a5) ||
                opt_number(b, m, path, "p95", &x3, &h95, &a95))
                return CONFIG_EINVALID;
            if (h5 != h95)
                return cfg_fail(b->err, m, path, "%s: give both p05 and p95", path);
            if (h3 + h5 != 1)
                return either_fail(b, m, path, "sdlog or p05 and p95");
            if (h5) {
                if (!(x2 > 0))
                    return range_fail(b, a5, m, path, "p05", "> 0", x2);
                if (!(x2 < x3) || isinf(x3))
                    return cfg_fail(b->err, a5, path, "%s: min > max: p05 (%.6g) must be "
                                    "below p95 (%.6g)", path, x2, x3);
                if (h2 && !(x2 < x1 && x1 < x3))
                    return cfg_fail(b->err, at2, path, "%s: median (%.6g) must lie between "
                                    "p05 and p95", path, x1);
                p[1] = (log(x3) - log(x2)) / (2 * Z95);
                return 0;
            }
        }
        if (!(p[1] > 0) || isinf(p[1]))
            return range_fail(b, at, m, path, "sdlog", "> 0", p[1]);
        return 0;
    }
    case DIST_TRUNCNORMAL:
        if (need_param(b, m, path, "mean", &p[0], &at) || need_param(b, m, path, "sd", &p[1], &at))
            return CONFIG_EINVALID;
        if (!(p[1] > 0) || isinf(p[0]) || isinf(p[1]))
            return range_fail(b, at, m, path, "sd", "> 0", p[1]);
        if (get_number(b, m, path, "min", 0, -INFINITY, &p[2], &at) ||
            get_number(b, m, path, "max", 0, INFINITY, &p[3], &at2))
            return CONFIG_EINVALID;
        if (!(p[2] < p[3]))
            return cfg_fail(b->err, at ? at : m, path, "%s: min > max (min %.6g, max %.6g)",
                            path, p[2], p[3]);
        return 0;
    case DIST_UNIFORM:
    case DIST_TRIANGULAR:
    case DIST_PERT: {
        int lo = 0, hi = d->kind == DIST_UNIFORM ? 1 : 2;
        if (need_param(b, m, path, "min", &p[lo], &at) ||
            need_param(b, m, path, "max", &p[hi], &at2))
            return CONFIG_EINVALID;
        if (isinf(p[lo]) || isinf(p[hi]) || !(p[lo] < p[hi]))
            return cfg_fail(b->err, at, path, "%s: min > max (min %.6g, max %.6g)%s", path,
                            p[lo], p[hi], p[lo] == p[hi] ? ": use dist: fixed" : "");
        if (d->kind == DIST_UNIFORM)
            return 0;
        if (need_param(b, m, path, "mode", &p[1], &at))
            return CONFIG_EINVALID;
        if (!(p[0] <= p[1] && p[1] <= p[2]))
            return cfg_fail(b->err, at, path, "%s: mode (%.6g) must lie in [min, max] = "
                            "[%.6g, %.6g]", path, p[1], p[0], p[2]);
        if (d->kind == DIST_PERT) {
            if (get_number(b, m, path, "lambda", 0, 4, &p[3], &at))
                return CONFIG_EINVALID;
            if (!(p[3] > 0) || isinf(p[3]))
                return range_fail(b, at, m, path, "lambda", "> 0", p[3]);
        }
        return 0;
    }
    case DIST_BETA: {
        const cnode_t *amin, *amax;
        if (get_number(b, m, path, "min", 0, 0, &p[2], &amin) ||
            get_number(b, m, path, "max", 0, 1, &p[3], &amax))
            return CONFIG_EINVALID;
        if (isinf(p[2]) || isinf(p[3]) || !(p[2] < p[3]))
            return cfg_fail(b->err, amin ? amin : m, path, "%s: min > max (min %.6g, max %.6g)",
                            path, p[2], p[3]);
        int ha, hb, hm, hs;
        const cnode_t *aa, *ab, *am, *as;
        if (opt_number(b, m, path, "alpha", &p[0], &ha, &aa) ||
            opt_number(b, m, path, "beta", &p[1], &hb, &ab) ||
            opt_number(b, m, path, "mean", &x1, &hm, &am) ||
            opt_number(b, m, path, "sd", &x2, &hs, &as))
            return CONFIG_EINVALID;
        if (!((ha && hb && !hm && !hs) || (!ha && !hb && hm && hs)))
            return either_fail(b, m, path, "alpha and beta, or mean and sd");
        if (hm) {
            double w = p[3] - p[2], mu = (x1 - p[2]) / w, s = x2 / w;
            if (!(mu > 0 && mu < 1))
                return cfg_fail(b->err, am, path, "%s: mean (%.6g) must lie strictly inside "
                                "(min, max) = (%.6g, %.6g)", path, x1, p[2], p[3]);
            if (!(s > 0 && s * s < mu * (1 - mu)))
                return cfg_fail(b->err, as, path, "%s: sd must be > 0 and below sqrt(m (1 - m)) "
                                "= %.6g for this mean (got %.6g)", path,
                                w * sqrt(mu * (1 - mu)), x2);
            double k = mu * (1 - mu) / (s * s) - 1;
            p[0] = mu * k;
            p[1] = (1 - mu) * k;
            return 0;
        }
        if (!(p[0] > 0) || isinf(p[0]))
            return range_fail(b, aa, m, path, "alpha", "> 0", p[0]);
        if (!(p[1] > 0) || isinf(p[1]))
            return range_fail(b, ab, m, path, "beta", "> 0", p[1]);
        return 0;
    }
    case DIST_EMPIRICAL: {
        char vpath[256];
        join(vpath, sizeof vpath, path, "values");
        const cnode_t *v = cnode_get(m, "values");
        if (!v)
            return cfg_fail(b->err, m, vpath, "missing key 'values' in %s", path);
        if (need_kind(b, v, CNODE_SEQ, vpath))
            return CONFIG_EINVALID;
        if (v->n < 1)
            return cfg_fail(b->err, v, vpath, "%s must list at least one value", vpath);
        d->values = calloc((size_t)v->n, sizeof(double));
        if (!d->values)
            return cfg_fail(b->err, NULL, NULL, "out of memory");
        d->n_values = (size_t)v->n;
        for (int k = 0; k < v->n; k++) {
            char ipath[300];
            snprintf(ipath, sizeof ipath, "%s[%d]", vpath, k);
            if (parse_number(b, v->items[k], ipath, &d->values[k]))
                return CONFIG_EINVALID;
            if (isinf(d->values[k]))
                return cfg_fail(b->err, v->items[k], ipath, "%s must be finite", ipath);
        }
        return 0;
    }
    }
    return 0;
}

/* Support [lo, hi] of a distribution (open at 0 for the lognormal). */
static void dist_support(const dist_t *d, double *lo, double *hi)
{
    const double *p = d->p;
    switch (d->kind) {
    case DIST_FIXED: *lo = *hi = p[0]; return;
    case DIST_NORMAL: *lo = -INFINITY; *hi = INFINITY; return;
    case DIST_LOGNORMAL: *lo = 0; *hi = INFINITY; return;
    case DIST_TRUNCNORMAL: *lo = p[2]; *hi = p[3]; return;
    case DIST_UNIFORM: *lo = p[0]; *hi = p[1]; return;
    case DIST_TRIANGULAR: case DIST_PERT: *lo = p[0]; *hi = p[2]; return;
    case DIST_BETA: *lo = p[2]; *hi = p[3]; return;
    case DIST_EMPIRICAL:
        *lo = INFINITY; *hi = -INFINITY;
        for (size_t k = 0; k < d->n_values; k++) {
            *lo = fmin(*lo, d->values[k]);
            *hi = fmax(*hi, d->values[k]);
        }
        return;
    }
}

/* The values a target can take must stay meaningful over the whole support (normal
 * distributions are unbounded: their tails are the user's responsibility). */
static int check_support(build_t *b, const cnode_t *m, const char *path, const input_spec_t *in)
{
    double lo = 0, hi = 0;
    dist_support(&in->dist, &lo, &hi);
    int open_zero = in->dist.kind == DIST_LOGNORMAL;
    const char *rule = NULL;
    if (in->apply == APPLY_MULTIPLY) {
        int positive = in->target == TARGET_SIGMA || in->target == TARGET_ETA ||
                       in->target == TARGET_EPS || in->target == TARGET_EXCHANGE_RATE;
        if (positive ? !(lo > 0 || open_zero) : !(lo >= 0))
            rule = positive ? "a multiplier must be > 0" : "a multiplier must be >= 0";
    } else {
        switch (in->target) {
        case TARGET_SIGMA:
        case TARGET_EXCHANGE_RATE:
            if (!(lo > 0 || open_zero)) rule = "the value must be > 0";
            break;
        case TARGET_ETA:
            if (!(hi < 0)) rule = "eta must be < 0";
            break;
        case TARGET_EPS:
            if (!(hi <= 0)) rule = "eps must be <= 0";
            break;
        case TARGET_COMPLIANCE:
            if (!(lo >= 0 && hi <= 1)) rule = "compliance must be in [0, 1]";
            break;
        default:
            if (!(lo >= 0)) rule = "the value must be >= 0";
            break;
        }
    }
    if (in->dist.kind == DIST_NORMAL)
        rule = NULL;
    if (rule)
        return cfg_fail(b->err, m, path, "%s: %s, but %s can give values in [%.6g, %.6g]", path,
                        rule, config_dist_name(in->dist.kind), lo, hi);
    return 0;
}

static int build_input(build_t *b, const cnode_t *m, const char *path, input_spec_t *in)
{
    const cnode_t *n;
    char sub[256];
    if (need_kind(b, m, CNODE_MAP, path))
        return CONFIG_EINVALID;
    join(sub, sizeof sub, path, "target");
    if (!(n = cnode_get(m, "target")))
        return cfg_fail(b->err, m, sub, "missing key 'target' in %s", path);
    size_t t;
    for (t = 0; t < N_TARGETS; t++)
        if (n->kind == CNODE_SCALAR && !strcmp(n->text, targets[t].name))
            break;
    if (t == N_TARGETS)
        return cfg_fail(b->err, n, sub, "%s: unknown target %s%s%s (expected: yield, "
                        "domestic_demand, exchange_rate, eps, demand, sigma, eta, "
                        "freight_index, freight_route, compliance)", sub,
                        n->kind == CNODE_SCALAR ? "'" : "",
                        n->kind == CNODE_SCALAR ? n->text : kind_name(n),
                        n->kind == CNODE_SCALAR ? "'" : "");
    in->target = targets[t].target;
    in->apply = targets[t].apply;
    in->exporter = in->importer = -1;
    const char *region_key[2] = {"exporter", "importer"};
    int needs[2] = {targets[t].exporter, targets[t].importer};
    int *idx[2] = {&in->exporter, &in->importer};
    for (int r = 0; r < 2; r++) {
        join(sub, sizeof sub, path, region_key[r]);
        n = cnode_get(m, region_key[r]);
        if (needs[r] && !n)
            return cfg_fail(b->err, m, sub, "missing key '%s' in %s (target %s needs it)",
                            region_key[r], path, targets[t].name);
        if (!needs[r] && n)
            return cfg_fail(b->err, n, sub, "%s: target %s has no %s", sub, targets[t].name,
                            region_key[r]);
        if (n && resolve_region(b, n, sub, r == 0, idx[r]))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "apply"))) {
        join(sub, sizeof sub, path, "apply");
        if (n->kind == CNODE_SCALAR && !strcmp(n->text, "multiply"))
            in->apply = APPLY_MULTIPLY;
        else if (n->kind == CNODE_SCALAR && !strcmp(n->text, "override"))
            in->apply = APPLY_OVERRIDE;
        else
            return cfg_fail(b->err, n, sub, "%s must be multiply or override", sub);
    }
    join(sub, sizeof sub, path, "dist");
    if (!(n = cnode_get(m, "dist")))
        return cfg_fail(b->err, m, sub, "missing key 'dist' in %s", path);
    size_t d;
    for (d = 0; d < N_DISTS; d++)
        if (n->kind == CNODE_SCALAR && !strcmp(n->text, dists[d].name))
            break;
    if (d == N_DISTS)
        return cfg_fail(b->err, n, sub, "%s: unknown distribution %s%s%s (expected: fixed, "
                        "normal, lognormal, truncated_normal, uniform, triangular, beta, pert, "
                        "empirical)", sub, n->kind == CNODE_SCALAR ? "'" : "",
                        n->kind == CNODE_SCALAR ? n->text : kind_name(n),
                        n->kind == CNODE_SCALAR ? "'" : "");
    const char *allowed[16] = {"target", "exporter", "importer", "apply", "dist",
                               "description"};
    int na = 6;
    for (int k = 0; k < 8 && dists[d].keys[k]; k++)
        allowed[na++] = dists[d].keys[k];
    allowed[na] = NULL;
    if (check_keys(b, m, path, allowed))
        return CONFIG_EINVALID;
    in->dist.kind = dists[d].kind;
    if (build_dist(b, m, path, &in->dist))
        return CONFIG_EINVALID;
    return check_support(b, m, path, in);
}

static int build_inputs(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    const cnode_t *n = cnode_get(root, "inputs");
    if (n) {
        if (need_kind(b, n, CNODE_MAP, "inputs"))
            return CONFIG_EINVALID;
        if (n->n > 0 && !(cfg->inputs = calloc((size_t)n->n, sizeof *cfg->inputs)))
            return cfg_fail(b->err, NULL, NULL, "out of memory");
        for (int k = 0; k < n->n; k++) {
            char path[256];
            join(path, sizeof path, "inputs", n->keys[k]->text);
            cfg->n_inputs = k + 1;
            if (parse_string(b, n->keys[k], path, cfg->inputs[k].name,
                             sizeof cfg->inputs[k].name) ||
                build_input(b, n->items[k], path, &cfg->inputs[k]))
                return CONFIG_EINVALID;
        }
    }
    size_t m = (size_t)cfg->n_inputs;
    cfg->correlation = calloc(m * m + 1, sizeof(double));
    if (!cfg->correlation)
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    for (size_t k = 0; k < m; k++)
        cfg->correlation[k * m + k] = 1;
    return 0;
}

static int positive_definite(const double *a, int n)
{
    gsl_matrix *c = gsl_matrix_alloc((size_t)n, (size_t)n);
    if (!c)
        return -1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            gsl_matrix_set(c, (size_t)i, (size_t)j, a[i * n + j]);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(c);
    gsl_set_error_handler(old);
    gsl_matrix_free(c);
    return rc == 0;
}

static int build_correlation(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    const cnode_t *c = cnode_get(root, "correlation"), *names, *rows;
    if (!c)
        return 0;
    static const char *const keys[] = {"inputs", "matrix", NULL};
    if (need_kind(b, c, CNODE_MAP, "correlation") || check_keys(b, c, "correlation", keys))
        return CONFIG_EINVALID;
    if (!(names = cnode_get(c, "inputs")))
        return cfg_fail(b->err, c, "correlation.inputs", "missing key 'inputs' in correlation");
    if (!(rows = cnode_get(c, "matrix")))
        return cfg_fail(b->err, c, "correlation.matrix", "missing key 'matrix' in correlation");
    if (need_kind(b, names, CNODE_SEQ, "correlation.inputs") ||
        need_kind(b, rows, CNODE_SEQ, "correlation.matrix"))
        return CONFIG_EINVALID;
    int n = names->n, m = cfg->n_inputs;
    int *idx = calloc((size_t)n + 1, sizeof(int));
    double *sub = calloc((size_t)n * (size_t)n + 1, sizeof(double));
    int rc = CONFIG_EINVALID;
    if (!idx || !sub) {
        rc = cfg_fail(b->err, NULL, NULL, "out of memory");
        goto done;
    }
    for (int k = 0; k < n; k++) {
        char path[64];
        snprintf(path, sizeof path, "correlation.inputs[%d]", k);
        const cnode_t *it = names->items[k];
        if (it->kind != CNODE_SCALAR) {
            cfg_fail(b->err, it, path, "%s must be an input name (got %s)", path, kind_name(it));
            goto done;
        }
        idx[k] = -1;
        for (int q = 0; q < m; q++)
            if (!strcmp(cfg->inputs[q].name, it->text))
                idx[k] = q;
        if (idx[k] < 0) {
            cfg_fail(b->err, it, path, "%s: unknown input '%s'", path, it->text);
            goto done;
        }
        for (int q = 0; q < k; q++)
            if (idx[q] == idx[k]) {
                cfg_fail(b->err, it, path, "%s: input '%s' is listed twice", path, it->text);
                goto done;
            }
    }
    if (rows->n != n) {
        cfg_fail(b->err, rows, "correlation.matrix", "correlation.matrix has %d rows but "
                 "correlation.inputs names %d inputs", rows->n, n);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "correlation.matrix[%d]", i);
        const cnode_t *row = rows->items[i];
        if (need_kind(b, row, CNODE_SEQ, path))
            goto done;
        if (row->n != n) {
            cfg_fail(b->err, row, path, "%s has %d entries, expected %d", path, row->n, n);
            goto done;
        }
        for (int j = 0; j < n; j++) {
            char epath[80];
            double r;
            snprintf(epath, sizeof epath, "%s[%d]", path, j);
            if (parse_number(b, row->items[j], epath, &r))
                goto done;
            if (i == j && r != 1) {
                cfg_fail(b->err, row->items[j], epath, "%s: the diagonal must be 1 (got %s)",
                         epath, NUM(r));
                goto done;
            }
            if (!(fabs(r) <= 1)) {
                cfg_fail(b->err, row->items[j], epath, "%s: a correlation must be in [-1, 1] "
                         "(got %s)", epath, NUM(r));
                goto done;
            }
            sub[i * n + j] = r;
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (fabs(sub[i * n + j] - sub[j * n + i]) > SYMMETRY_TOL) {
                char epath[80];
                snprintf(epath, sizeof epath, "correlation.matrix[%d][%d]", i, j);
                cfg_fail(b->err, rows->items[i]->items[j], epath, "correlation matrix is not "
                         "symmetric: [%d][%d] = %s but [%d][%d] = %s", i, j,
                         NUM(sub[i * n + j]), j, i, NUM(sub[j * n + i]));
                goto done;
            }
    int pd = positive_definite(sub, n);
    if (pd != 1) {
        if (pd < 0)
            cfg_fail(b->err, NULL, NULL, "out of memory");
        else
            cfg_fail(b->err, rows, "correlation.matrix", "correlation matrix is not positive "
                     "definite (Cholesky factorization failed)");
        goto done;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            cfg->correlation[idx[i] * m + idx[j]] = sub[i * n + j];
    rc = 0;
done:
    free(idx);
    free(sub);
    return rc;
}

/* ---- thresholds ---- */

static const struct {
    const char *name;
    int exporter, importer;
} quantities[] = {
    {"fob_price", 1, 0}, {"producer_price", 1, 0}, {"fob_spread", 1, 0},
    {"production", 1, 0}, {"domestic_use", 1, 0}, {"exports", 1, 0},
    {"farm_revenue", 1, 0}, {"export_tax_revenue", 1, 0},
    {"price_index", 0, 1}, {"imports", 0, 1}, {"composite_imports", 0, 1},
    {"landed_price", 1, 1}, {"flow", 1, 1}, {"share", 1, 1}, {"tariff_revenue", 1, 1},
    {"transfer", 1, 1}, {"wedge", 1, 1},
    {"welfare_importer_cs", 0, 1}, {"welfare_tariff_revenue", 0, 1},
    {"welfare_transfer", 0, 1}, {"welfare_producer_surplus", 1, 0},
    {"welfare_domestic_cs", 1, 0}, {"welfare_export_tax", 1, 0}, {"welfare_total", 0, 0},
};
#define N_QUANTITIES (sizeof quantities / sizeof quantities[0])

static const char *const threshold_keys[] = {"variable", "exporter", "importer", "below",
                                             "above", "of_change", "description", NULL};

static int build_threshold(build_t *b, const cnode_t *m, const char *path,
                           config_threshold_t *t)
{
    const cnode_t *n, *at;
    char sub[256];
    if (need_kind(b, m, CNODE_MAP, path) || check_keys(b, m, path, threshold_keys))
        return CONFIG_EINVALID;
    join(sub, sizeof sub, path, "variable");
    if (!(n = cnode_get(m, "variable")))
        return cfg_fail(b->err, m, sub, "missing key 'variable' in %s", path);
    if (parse_string(b, n, sub, t->variable, sizeof t->variable))
        return CONFIG_EINVALID;
    size_t q;
    for (q = 0; q < N_QUANTITIES; q++)
        if (!strcmp(quantities[q].name, t->variable))
            break;
    if (q == N_QUANTITIES)
        return cfg_fail(b->err, n, sub, "%s: unknown per-draw quantity '%s' (see the table in "
                        "sim/README.md)", sub, t->variable);
    const char *region_key[2] = {"exporter", "importer"};
    int needs[2] = {quantities[q].exporter, quantities[q].importer};
    int *idx[2] = {&t->exporter, &t->importer};
    t->exporter = t->importer = -1;
    for (int r = 0; r < 2; r++) {
        join(sub, sizeof sub, path, region_key[r]);
        n = cnode_get(m, region_key[r]);
        if (needs[r] && !n)
            return cfg_fail(b->err, m, sub, "missing key '%s' in %s (%s has an %s axis)",
                            region_key[r], path, t->variable, region_key[r]);
        if (!needs[r] && n)
            return cfg_fail(b->err, n, sub, "%s: %s has no %s axis", sub, t->variable,
                            region_key[r]);
        if (n && resolve_region(b, n, sub, r == 0, idx[r]))
            return CONFIG_EINVALID;
    }
    const cnode_t *below = cnode_get(m, "below"), *above = cnode_get(m, "above");
    if (!below == !above)
        return cfg_fail(b->err, m, path, "%s: give exactly one of below or above", path);
    t->op = below ? THRESHOLD_BELOW : THRESHOLD_ABOVE;
    if (get_number(b, m, path, below ? "below" : "above", 1, 0, &t->value, &at))
        return CONFIG_EINVALID;
    t->of_change = 0;
    if ((n = cnode_get(m, "of_change"))) {
        join(sub, sizeof sub, path, "of_change");
        if (parse_bool(b, n, sub, &t->of_change))
            return CONFIG_EINVALID;
    }
    return 0;
}

static int build_thresholds(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    const cnode_t *n = cnode_get(root, "thresholds");
    if (!n)
        return 0;
    if (need_kind(b, n, CNODE_MAP, "thresholds"))
        return CONFIG_EINVALID;
    if (n->n > 0 && !(cfg->thresholds = calloc((size_t)n->n, sizeof *cfg->thresholds)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    for (int k = 0; k < n->n; k++) {
        char path[256];
        join(path, sizeof path, "thresholds", n->keys[k]->text);
        cfg->n_thresholds = k + 1;
        if (parse_string(b, n->keys[k], path, cfg->thresholds[k].name,
                         sizeof cfg->thresholds[k].name) ||
            build_threshold(b, n->items[k], path, &cfg->thresholds[k]))
            return CONFIG_EINVALID;
    }
    return 0;
}

/* ---- run settings and sweeps ---- */

static int build_run(build_t *b, const cnode_t *root, const char *file)
{
    config_t *cfg = b->cfg;
    cfg->draws = DEFAULT_DRAWS;
    cfg->seed = DEFAULT_SEED;
    /* default output: outputs/<file stem>.h5 */
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t stem = strcspn(base, ".");
    snprintf(cfg->output, sizeof cfg->output, "outputs/%.*s.h5", (int)(stem ? stem : 7),
             stem ? base : "agtrade");
    const cnode_t *r = cnode_get(root, "run"), *n;
    if (!r)
        return 0;
    static const char *const keys[] = {"draws", "seed", "output", NULL};
    if (need_kind(b, r, CNODE_MAP, "run") || check_keys(b, r, "run", keys))
        return CONFIG_EINVALID;
    if ((n = cnode_get(r, "draws"))) {
        if (parse_u64(b, n, "run.draws", &cfg->draws))
            return CONFIG_EINVALID;
        if (cfg->draws < 1)
            return cfg_fail(b->err, n, "run.draws", "run.draws must be >= 1 (got 0)");
        if (cfg->draws > CONFIG_MAX_DRAWS)
            return cfg_fail(b->err, n, "run.draws", "run.draws must be <= %llu (got %llu)",
                            (unsigned long long)CONFIG_MAX_DRAWS,
                            (unsigned long long)cfg->draws);
    }
    if ((n = cnode_get(r, "seed")) && parse_u64(b, n, "run.seed", &cfg->seed))
        return CONFIG_EINVALID;
    if ((n = cnode_get(r, "output")) &&
        parse_string(b, n, "run.output", cfg->output, sizeof cfg->output))
        return CONFIG_EINVALID;
    return 0;
}

const char *config_format_double(char *out, size_t outlen, double x)
{
    if (isinf(x)) {
        snprintf(out, outlen, "%s", x < 0 ? "-.inf" : ".inf");
        return out;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, outlen, "%.*g", prec, x);
        if (strtod(out, NULL) == x)
            break;
    }
    return out;
}

static int sweep_key_ok(build_t *b, const cnode_t *root_tree, const cnode_t *at,
                        const char *path, const char *key, double value)
{
    if (!strncmp(key, "sweep", 5) || !strncmp(key, "base", 4))
        return cfg_fail(b->err, at, path, "%s: cannot sweep '%s'", path, key);
    cnode_t *copy = cnode_copy(root_tree);
    if (!copy)
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    char text[64];
    config_format_double(text, sizeof text, value);
    config_error_t inner;
    config_t *trial = NULL;
    int rc = tree_set(copy, key, text, &inner);
    if (rc)
        cnode_free(copy);
    else
        rc = config_build(copy, b->cfg->path, 0, &trial, &inner);
    config_free(trial);
    if (rc)
        return cfg_fail(b->err, at, path, "%s: cannot sweep '%s': %s", path, key,
                        inner.message);
    return 0;
}

static int build_sweeps(build_t *b, const cnode_t *root, int check)
{
    config_t *cfg = b->cfg;
    const cnode_t *s = cnode_get(root, "sweep");
    if (!s)
        return 0;
    if (need_kind(b, s, CNODE_SEQ, "sweep"))
        return CONFIG_EINVALID;
    if (s->n > 0 && !(cfg->sweeps = calloc((size_t)s->n, sizeof *cfg->sweeps)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    static const char *const keys[] = {"key", "values", "start", "stop", "step", NULL};
    for (int k = 0; k < s->n; k++) {
        config_sweep_t *w = &cfg->sweeps[k];
        const cnode_t *m = s->items[k], *n, *at;
        char path[64], sub[96];
        snprintf(path, sizeof path, "sweep[%d]", k);
        cfg->n_sweeps = k + 1;
        if (need_kind(b, m, CNODE_MAP, path) || check_keys(b, m, path, keys))
            return CONFIG_EINVALID;
        snprintf(sub, sizeof sub, "%s.key", path);
        if (!(n = cnode_get(m, "key")))
            return cfg_fail(b->err, m, sub, "missing key 'key' in %s", path);
        if (parse_string(b, n, sub, w->key, sizeof w->key))
            return CONFIG_EINVALID;
        for (int q = 0; q < k; q++)
            if (!strcmp(cfg->sweeps[q].key, w->key))
                return cfg_fail(b->err, n, sub, "%s: key '%s' is swept twice", sub, w->key);
        const cnode_t *v = cnode_get(m, "values");
        int range = cnode_find(m, "start") >= 0 || cnode_find(m, "stop") >= 0 ||
                    cnode_find(m, "step") >= 0;
        if (!v == !range)
            return cfg_fail(b->err, m, path, "%s: give either values or start, stop and step",
                            path);
        if (v) {
            snprintf(sub, sizeof sub, "%s.values", path);
            if (need_kind(b, v, CNODE_SEQ, sub))
                return CONFIG_EINVALID;
            if (v->n < 1)
                return cfg_fail(b->err, v, sub, "%s must list at least one value", sub);
            if (!(w->values = calloc((size_t)v->n, sizeof(double))))
                return cfg_fail(b->err, NULL, NULL, "out of memory");
            w->n_values = v->n;
            for (int q = 0; q < v->n; q++) {
                char ipath[128];
                snprintf(ipath, sizeof ipath, "%s[%d]", sub, q);
                if (parse_number(b, v->items[q], ipath, &w->values[q]))
                    return CONFIG_EINVALID;
            }
        } else {
            double start, stop, step;
            if (get_number(b, m, path, "start", 1, 0, &start, &at) ||
                get_number(b, m, path, "stop", 1, 0, &stop, &at) ||
                get_number(b, m, path, "step", 1, 0, &step, &at))
                return CONFIG_EINVALID;
            char why[256];
            if (sweep_range(start, stop, step, &w->values, &w->n_values, why, sizeof why))
                return cfg_fail(b->err, at, path, "%s: %s", path, why);
        }
    }
    double points = 1;   /* in floating point: the product of counts may overflow */
    for (int k = 0; k < cfg->n_sweeps; k++)
        points *= cfg->sweeps[k].n_values;
    if (points > CONFIG_MAX_POINTS)
        return cfg_fail(b->err, s, "sweep", "sweep: %.0f points (the product of the swept "
                        "keys' value counts); at most %d", points, CONFIG_MAX_POINTS);
    /* after the size check, which each key's trial build would repeat in its own words */
    for (int k = 0; check && k < cfg->n_sweeps; k++) {
        char sub[96];
        snprintf(sub, sizeof sub, "sweep[%d].key", k);
        if (sweep_key_ok(b, root, cnode_get(s->items[k], "key"), sub, cfg->sweeps[k].key,
                         cfg->sweeps[k].values[0]))
            return CONFIG_EINVALID;
    }
    return 0;
}

/* ---- the whole file ---- */

static const char *const top_keys[] = {"description", "exporters", "importers", "routes",
    "inputs", "correlation", "reference", "scenario", "regimes", "thresholds", "sweep", "run",
    NULL};

static int build_all(build_t *b, const cnode_t *root, int check_sweeps)
{
    const cnode_t *ex = cnode_get(root, "exporters"), *im = cnode_get(root, "importers"),
                  *ro = cnode_get(root, "routes");
    if (check_keys(b, root, "", top_keys))
        return CONFIG_EINVALID;
    if (!ex)
        return cfg_fail(b->err, root, "exporters", "missing key 'exporters' at the top level");
    if (!im)
        return cfg_fail(b->err, root, "importers", "missing key 'importers' at the top level");
    if (!ro)
        return cfg_fail(b->err, root, "routes", "missing key 'routes' at the top level");
    if (need_kind(b, ex, CNODE_MAP, "exporters") || need_kind(b, im, CNODE_MAP, "importers"))
        return CONFIG_EINVALID;
    if (ex->n < 2 || ex->n > MARKET_MAX_REGIONS)
        return cfg_fail(b->err, ex, "exporters", "exporters must list 2 to %d regions (got %d)",
                        MARKET_MAX_REGIONS, ex->n);
    if (im->n < 1 || im->n > MARKET_MAX_REGIONS)
        return cfg_fail(b->err, im, "importers", "importers must list 1 to %d regions (got %d)",
                        MARKET_MAX_REGIONS, im->n);
    b->E = ex->n;
    b->I = im->n;
    if (!(b->spec = b->cfg->market = market_spec_alloc(b->E, b->I)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    if (build_names(b, ex, "exporters", b->spec->exporter_name, b->exp_node, NULL) ||
        build_names(b, im, "importers", b->spec->importer_name, b->imp_node, b->imp_key))
        return CONFIG_EINVALID;
    for (int j = 0; j < b->I; j++)   /* a name labels both axes of routes and results */
        if (region_index(b->spec->exporter_name, b->E, b->spec->importer_name[j]) >= 0)
            return cfg_fail(b->err, b->imp_key[j], "importers", "importers: '%s' is also an "
                            "exporter; give the importer another name",
                            b->spec->importer_name[j]);
    const cnode_t *d;
    if ((d = cnode_get(root, "description")) && need_kind(b, d, CNODE_SCALAR, "description"))
        return CONFIG_EINVALID;
    return build_exporters(b) || build_importers(b) || build_routes(b, ro) ||
                   build_balances(b) || build_policies(b, root) || build_inputs(b, root) ||
                   build_correlation(b, root) || build_thresholds(b, root) ||
                   build_run(b, root, b->cfg->path) || build_sweeps(b, root, check_sweeps)
               ? CONFIG_EINVALID
               : 0;
}

static int config_build(cnode_t *tree, const char *path, int check_sweeps, config_t **out,
                 config_error_t *err)
{
    config_error_t scratch;
    if (!err)
        err = &scratch;
    *out = NULL;
    config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        cnode_free(tree);
        return cfg_fail(err, NULL, NULL, "out of memory");
    }
    cfg->tree = tree;
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    build_t b = {.cfg = cfg, .err = err};
    int rc = build_all(&b, tree, check_sweeps);
    if (rc) {
        config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

int config_load_string(const char *text, size_t len, const char *name, config_t **out,
                       config_error_t *err)
{
    cnode_t *tree;
    *out = NULL;
    int rc = tree_load_string(text, len, name, &tree, err);
    return rc ? rc : config_build(tree, name, 1, out, err);
}

int config_load(const char *path, config_t **out, config_error_t *err)
{
    cnode_t *tree;
    char notes[CONFIG_MSG_MAX / 2];
    *out = NULL;
    int rc = tree_load_file(path, &tree, notes, sizeof notes, err);
    rc = rc ? rc : config_build(tree, path, 1, out, err);
    /* an error in a base file may be caused by what the scenario removed: name both */
    if (rc == CONFIG_EINVALID && err && notes[0] && err->file[0] && strcmp(err->file, path)) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used, " (after %s)", notes);
    }
    return rc;
}

void config_free(config_t *cfg)
{
    if (!cfg)
        return;
    if (cfg->market)
        market_spec_free(cfg->market);
    for (int k = 0; k < cfg->n_inputs; k++)
        free(cfg->inputs[k].dist.values);
    free(cfg->inputs);
    free(cfg->correlation);
    policy_release(&cfg->reference);
    policy_release(&cfg->scenario);
    for (int k = 0; k < cfg->n_regimes; k++)
        policy_release(&cfg->regimes[k]);
    free(cfg->regimes);
    free(cfg->thresholds);
    for (int k = 0; k < cfg->n_sweeps; k++)
        free(cfg->sweeps[k].values);
    free(cfg->sweeps);
    cnode_free(cfg->tree);
    free(cfg);
}

/* A config_t assembled by hand (tests, tools) has no tree: derive one from its YAML,
 * which loads back to the same config (the round-trip property). */
static cnode_t *tree_of(const config_t *cfg)
{
    if (cfg->tree)
        return cnode_copy(cfg->tree);
    char *yaml = config_to_yaml(cfg);
    cnode_t *tree = NULL;
    config_error_t err;
    if (yaml && tree_load_string(yaml, strlen(yaml), cfg->path[0] ? cfg->path : "config",
                                 &tree, &err))
        tree = NULL;
    free(yaml);
    return tree;
}

config_t *config_copy(const config_t *cfg)
{
    cnode_t *tree = tree_of(cfg);
    config_t *out;
    if (!tree)
        return NULL;
    /* the same tree builds the same config, bit for bit */
    if (config_build(tree, cfg->path, 0, &out, NULL))
        return NULL;
    return out;
}

static int set_text(config_t *cfg, const char *key, const char *value, const char *shown,
                    config_error_t *err)
{
    config_error_t scratch;
    if (!err)
        err = &scratch;
    cnode_t *tree = tree_of(cfg);
    if (!tree)
        return cfg_fail(err, NULL, key, "out of memory");
    config_t *fresh;
    int rc = tree_set(tree, key, value, err);
    if (rc) {
        cnode_free(tree);
    } else {
        tree_strip_nulls(tree);   /* KEY=~ deletes the key, as in a file */
        rc = config_build(tree, cfg->path, 1, &fresh, err);
    }
    if (rc) {
        char msg[CONFIG_MSG_MAX];
        if (snprintf(msg, sizeof msg, "--set %.200s: %s", shown, err->message) >= (int)sizeof msg)
            msg[sizeof msg - 1] = '\0';
        memcpy(err->message, msg, sizeof msg);
        cfg_one_line(err->message, sizeof err->message);
        if (!err->key[0])
            snprintf(err->key, sizeof err->key, "%s", key);
        return rc;
    }
    /* swap contents so that the caller's pointer stays valid */
    config_t old = *cfg;
    *cfg = *fresh;
    *fresh = old;
    config_free(fresh);
    return 0;
}

int config_set(config_t *cfg, const char *assignment, config_error_t *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return cfg_fail(err, NULL, NULL, "--set %.200s: expected KEY=VALUE", assignment);
    char key[256];
    size_t kl = (size_t)(eq - assignment);
    if (kl >= sizeof key)
        return cfg_fail(err, NULL, NULL, "--set: key longer than %zu characters",
                        sizeof key - 1);
    memcpy(key, assignment, kl);
    key[kl] = '\0';
    return set_text(cfg, key, eq + 1, assignment, err);
}

/* A scalar node for text made here (no file position: it came from the command line). */
static cnode_t *made_scalar(const char *text, int quoted)
{
    cnode_t *n = cnode_new(CNODE_SCALAR, NULL, 0, 0);
    if (n && !(n->text = strdup(text))) {
        cnode_free(n);
        return NULL;
    }
    if (n)
        n->quoted = quoted;
    return n;
}

/* {key: KEY, values: [v...]} */
static cnode_t *made_sweep_entry(const config_sweep_t *sw)
{
    cnode_t *entry = cnode_new(CNODE_MAP, NULL, 0, 0), *values = cnode_new(CNODE_SEQ, NULL, 0, 0);
    int ok = entry && values && !cnode_append(entry, made_scalar("key", 0), made_scalar(sw->key, 1));
    for (int k = 0; ok && k < sw->n_values; k++) {
        char text[64];
        config_format_double(text, sizeof text, sw->values[k]);
        cnode_t *v = made_scalar(text, 0);
        ok = v && !cnode_append(values, NULL, v);
    }
    ok = ok && !cnode_append(entry, made_scalar("values", 0), values);
    if (!ok) {
        cnode_free(entry);
        if (!entry || entry->n < 2)
            cnode_free(values);
        return NULL;
    }
    return entry;
}

int config_add_sweep(config_t *cfg, const config_sweep_t *sw, config_error_t *err)
{
    config_error_t scratch;
    if (!err)
        err = &scratch;
    cnode_t *tree = tree_of(cfg), *entry = made_sweep_entry(sw);
    if (!tree || !entry) {
        cnode_free(tree);
        cnode_free(entry);
        return cfg_fail(err, NULL, sw->key, "out of memory");
    }
    cnode_t *seq = cnode_get(tree, "sweep");
    if (!seq && (!(seq = cnode_new(CNODE_SEQ, NULL, 0, 0)) ||
                 cnode_append(tree, made_scalar("sweep", 0), seq))) {
        cnode_free(tree);
        cnode_free(entry);
        return cfg_fail(err, NULL, sw->key, "out of memory");
    }
    for (int i = 0; i < seq->n; i++) {   /* the command line replaces the file's sweep */
        const cnode_t *key = cnode_get(seq->items[i], "key");
        if (key && key->text && !strcmp(key->text, sw->key)) {
            cnode_free(seq->items[i]);
            memmove(seq->items + i, seq->items + i + 1, (size_t)(seq->n - i - 1) * sizeof *seq->items);
            seq->n--;
            break;
        }
    }
    if (cnode_append(seq, NULL, entry)) {
        cnode_free(tree);
        cnode_free(entry);
        return cfg_fail(err, NULL, sw->key, "out of memory");
    }
    config_t *fresh;
    int rc = config_build(tree, cfg->path, 1, &fresh, err);
    if (rc)
        return rc;
    config_t old = *cfg;   /* swap contents so that the caller's pointer stays valid */
    *cfg = *fresh;
    *fresh = old;
    config_free(fresh);
    return 0;
}

int config_set_number(config_t *cfg, const char *key, double value, config_error_t *err)
{
    char text[64], shown[400];
    config_format_double(text, sizeof text, value);
    snprintf(shown, sizeof shown, "%.255s=%s", key, text);
    return set_text(cfg, key, text, shown, err);
}

void config_policy_apply(const config_policy_t *src, policy_t *dst)
{
    size_t E = (size_t)dst->n_exporters, r = E * (size_t)dst->n_importers;
    memcpy(dst->tariff, src->tariff, r * sizeof(double));
    memcpy(dst->export_tax, src->export_tax, E * sizeof(double));
    memcpy(dst->floor, src->floor, r * sizeof(double));
    memcpy(dst->cap, src->cap, r * sizeof(double));
}
