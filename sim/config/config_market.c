/*
 * config_market.c - the calibration data of a scenario file: exporters, importers,
 * routes and the balance of each exporter. The values' rules are the model's own
 * (market_spec_check); this file adds the file position and key of the value at fault.
 */
#include "config_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- regions ---- */

static int build_names(build_t *b, const cnode_t *map, const char *path,
                       char (*names)[MARKET_NAME_MAX], const cnode_t **nodes,
                       const cnode_t **keys)
{
    for (int i = 0; i < map->n; i++) {
        const cnode_t *k = map->keys[i];
        char full[256];
        cfg_join(full, sizeof full, path, k->text);
        if (!k->text[0] || strlen(k->text) >= MARKET_NAME_MAX)
            return cfg_fail(b->err, k, full, "%s: a region name must have 1 to %d characters",
                            path, MARKET_NAME_MAX - 1);
        memcpy(names[i], k->text, strlen(k->text) + 1);
        if (cfg_need_kind(b, map->items[i], CNODE_MAP, full))
            return CONFIG_EINVALID;
        nodes[i] = map->items[i];
        if (keys)
            keys[i] = k;
    }
    return 0;
}

/* The numeric keys of an exporter, an importer and a route: where each goes in the spec,
 * whether a file must give it, and its default. What values are allowed is the model's
 * rule (market_spec_check, after the balances); "exports" and "domestic_use" are read
 * with the balances. */
typedef struct {
    const char *key;
    size_t offset;             /* of the array in market_spec_t */
    int required;
    double dflt;
} field_t;

#define SPEC(f) offsetof(market_spec_t, f)
static const field_t exporter_fields[] = {
    {"production", SPEC(production), 1, 0}, {"fob_price", SPEC(fob_price), 1, 0},
    {"export_tax", SPEC(export_tax), 0, 0}, {"eps", SPEC(eps), 1, 0},
    {"kappa", SPEC(kappa), 0, 0},           {"exchange_rate", SPEC(exchange_rate), 0, 1},
    {NULL, 0, 0, 0}};
static const field_t importer_fields[] = {
    {"sigma", SPEC(sigma), 1, 0}, {"eta", SPEC(eta), 1, 0}, {NULL, 0, 0, 0}};
static const field_t route_fields[] = {
    {"flow", SPEC(flow), 1, 0}, {"freight", SPEC(freight), 1, 0}, {"tariff", SPEC(tariff), 0, 0},
    {NULL, 0, 0, 0}};
#undef SPEC

/* Check map's keys (the fields plus `extra`), then read every field into element k of
 * its spec array. */
static int build_fields(build_t *b, const cnode_t *m, const char *path, const field_t *fields,
                        const char *const *extra, size_t k)
{
    const char *allowed[16];
    size_t n = 0;
    for (const field_t *f = fields; f->key; f++)
        allowed[n++] = f->key;
    for (const char *const *e = extra; *e; e++)
        allowed[n++] = *e;
    allowed[n] = NULL;
    if (cfg_check_keys(b, m, path, allowed))
        return CONFIG_EINVALID;
    for (const field_t *f = fields; f->key; f++) {
        double *array = *(double **)((char *)b->spec + f->offset);
        if (cfg_get_number(b, m, path, f->key, f->required, f->dflt, &array[k], NULL))
            return CONFIG_EINVALID;
    }
    return 0;
}

static int build_exporters(build_t *b)
{
    static const char *const extra[] = {"exports", "domestic_use", "description", NULL};
    for (int i = 0; i < b->E; i++) {
        char path[256];
        cfg_join(path, sizeof path, "exporters", b->spec->exporter_name[i]);
        if (build_fields(b, b->exp_node[i], path, exporter_fields, extra, (size_t)i))
            return CONFIG_EINVALID;
    }
    return 0;
}

static int build_importers(build_t *b)
{
    static const char *const extra[] = {"description", NULL};
    for (int j = 0; j < b->I; j++) {
        char path[256];
        cfg_join(path, sizeof path, "importers", b->spec->importer_name[j]);
        if (build_fields(b, b->imp_node[j], path, importer_fields, extra, (size_t)j))
            return CONFIG_EINVALID;
    }
    return 0;
}

static int build_routes(build_t *b, const cnode_t *routes)
{
    if (cfg_need_kind(b, routes, CNODE_MAP, "routes"))
        return CONFIG_EINVALID;
    for (int a = 0; a < routes->n; a++) {
        char path[256];
        int i;
        cfg_join(path, sizeof path, "routes", routes->keys[a]->text);
        if (cfg_resolve_region(b, routes->keys[a], path, 1, &i))
            return CONFIG_EINVALID;
        const cnode_t *row = routes->items[a];
        if (cfg_need_kind(b, row, CNODE_MAP, path))
            return CONFIG_EINVALID;
        for (int c = 0; c < row->n; c++) {
            char rpath[256];
            int j;
            cfg_join(rpath, sizeof rpath, path, row->keys[c]->text);
            if (cfg_resolve_region(b, row->keys[c], rpath, 0, &j))
                return CONFIG_EINVALID;
            static const char *const none[] = {NULL};
            const cnode_t *m = row->items[c];
            size_t ij = (size_t)i * (size_t)b->I + (size_t)j;
            if (cfg_need_kind(b, m, CNODE_MAP, rpath) ||
                build_fields(b, m, rpath, route_fields, none, ij))
                return CONFIG_EINVALID;
            if (b->spec->tariff[ij] > b->cfg->max_tariff) {
                char tpath[300];
                cfg_join(tpath, sizeof tpath, rpath, "tariff");
                return cfg_tariff_limit_fail(b, cnode_get(m, "tariff"), tpath,
                                             b->spec->tariff[ij]);
            }
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
        cfg_join(path, sizeof path, "exporters", s->exporter_name[i]);
        double routes = 0, exports, domestic;
        for (int j = 0; j < b->I; j++)
            routes += s->flow[(size_t)i * (size_t)b->I + (size_t)j];
        if (cfg_get_number(b, m, path, "exports", 0, NAN, &exports, &at_x) ||
            cfg_get_number(b, m, path, "domestic_use", 0, NAN, &domestic, &at_d))
            return CONFIG_EINVALID;
        if (at_x && fabs(exports - routes) > MARKET_BALANCE_TOL * fmax(fabs(exports), 1e-9))
            return cfg_fail(b->err, at_x, "exports",
                            "%s.exports (%s Mt) differ from the sum of its route flows "
                            "(%s Mt) by more than 0.5 %%", path, NUM(exports), NUM(routes));
        /* the residual when not given; exports are by definition the route flows */
        s->domestic_use[i] = at_d ? domestic : s->production[i] - routes;
    }
    return 0;
}

/* The model's own rules (market_spec_check), with the file position and key of the value
 * at fault: the config layer adds where, never repeats what. */
static int check_market(build_t *b, const cnode_t *routes)
{
    market_spec_t *s = b->spec;
    market_fault_t f;
    char why[CONFIG_MSG_MAX], key[256];
    if (market_spec_check(s, &f, why, sizeof why) == 0)
        return 0;
    const cnode_t *at = NULL;
    if (f.exporter >= 0 && f.importer >= 0) {
        const cnode_t *row = cnode_get(routes, s->exporter_name[f.exporter]);
        const cnode_t *route = row ? cnode_get(row, s->importer_name[f.importer]) : NULL;
        snprintf(key, sizeof key, "routes.%s.%s", s->exporter_name[f.exporter],
                 s->importer_name[f.importer]);
        at = route ? route : row ? row : routes;
        if (route && cnode_get(route, f.field))
            at = cnode_get(route, f.field);
    } else if (f.exporter >= 0) {
        cfg_join(key, sizeof key, "exporters", s->exporter_name[f.exporter]);
        at = b->exp_node[f.exporter];
        if (cnode_get(at, f.field ? f.field : "domestic_use"))
            at = cnode_get(at, f.field ? f.field : "domestic_use");
    } else if (f.importer >= 0) {
        cfg_join(key, sizeof key, "importers", s->importer_name[f.importer]);
        at = f.field ? b->imp_node[f.importer] : b->imp_key[f.importer];
        if (f.field && cnode_get(at, f.field))
            at = cnode_get(at, f.field);
    } else {
        return cfg_fail(b->err, NULL, NULL, "%s", why);
    }
    const char *note = f.field && !strcmp(f.field, "domestic_use") &&
                               !cnode_get(b->exp_node[f.exporter], "domestic_use")
                           ? " (not given: production - exports)"
                           : "";
    if (!f.field)
        return cfg_fail(b->err, at, key, "%s: %s", key, why);
    char full[300];
    snprintf(full, sizeof full, "%s.%s", key, f.field);
    return cfg_fail(b->err, at, full, "%s.%s%s", key, why, note);
}

/* exporters, importers and routes: the calibration data, checked by the model's rules */
int cfg_build_market(build_t *b, const cnode_t *root)
{
    const cnode_t *ex = cnode_get(root, "exporters"), *im = cnode_get(root, "importers"),
                  *ro = cnode_get(root, "routes");
    if (!ex)
        return cfg_fail(b->err, root, "exporters", "missing key 'exporters' at the top level");
    if (!im)
        return cfg_fail(b->err, root, "importers", "missing key 'importers' at the top level");
    if (!ro)
        return cfg_fail(b->err, root, "routes", "missing key 'routes' at the top level");
    if (cfg_need_kind(b, ex, CNODE_MAP, "exporters") || cfg_need_kind(b, im, CNODE_MAP, "importers"))
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
        for (int i = 0; i < b->E; i++)
            if (!strcmp(b->spec->exporter_name[i], b->spec->importer_name[j]))
                return cfg_fail(b->err, b->imp_key[j], "importers", "importers: '%s' is also "
                                "an exporter; give the importer another name",
                                b->spec->importer_name[j]);
    return build_exporters(b) || build_importers(b) || build_routes(b, ro) ||
                   build_balances(b) || check_market(b, ro)
               ? CONFIG_EINVALID
               : 0;
}
