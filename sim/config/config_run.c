/*
 * config_run.c - what a run reports and how it runs: thresholds, run settings (draws,
 * seed, output) and sweeps.
 */
#include "config_internal.h"
#include "attrib.h"
#include "quantities.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DRAWS 10000
#define DEFAULT_SEED 20250512u

/* ---- thresholds ---- */

static const char *const threshold_keys[] = {"variable", "exporter", "importer", "period",
                                             "year", "below", "above", "of_change",
                                             "description", NULL};

/* With a calendar: the period or the marketing year a calendar quantity is taken at. */
static int threshold_time(build_t *b, const cnode_t *m, const char *path, quantity_axes_t axes,
                          config_threshold_t *t)
{
    const config_time_t *tm = b->cfg->time;
    const char *key[2] = {"period", "year"};
    int need[2] = {(axes & AXES_PERIOD) != 0, (axes & AXES_YEAR) != 0};
    int *idx[2] = {&t->period, &t->year};
    t->period = t->year = -1;
    for (int k = 0; k < 2; k++) {
        char sub[256];
        cfg_join(sub, sizeof sub, path, key[k]);
        const cnode_t *n = cnode_get(m, key[k]);
        if (need[k] && !n)
            return cfg_fail(b->err, m, sub, "missing key '%s' in %s (%s has a %s axis)", key[k],
                            path, t->variable, key[k]);
        if (!need[k] && n)
            return cfg_fail(b->err, n, sub, "%s: %s has no %s axis%s", sub, t->variable, key[k],
                            tm ? "" : " (the scenario has no calendar)");
        if (!n)
            continue;
        char name[MARKET_NAME_MAX];
        if (cfg_parse_string(b, n, sub, name, sizeof name))
            return CONFIG_EINVALID;
        if (k == 0)
            *idx[k] = cfg_time_period(tm, name);
        else
            for (int y = 0; y < tm->spec->n_years; y++)
                if (!strcmp(tm->year_name[y], name))
                    *idx[k] = y;
        if (*idx[k] < 0)
            return cfg_fail(b->err, n, sub, "%s: unknown %s '%s' in the calendar", sub, key[k],
                            name);
    }
    return 0;
}

static int build_threshold(build_t *b, const cnode_t *m, const char *path,
                           config_threshold_t *t)
{
    const cnode_t *n, *at;
    char sub[256];
    if (cfg_need_kind(b, m, CNODE_MAP, path) || cfg_check_keys(b, m, path, threshold_keys))
        return CONFIG_EINVALID;
    cfg_join(sub, sizeof sub, path, "variable");
    if (!(n = cnode_get(m, "variable")))
        return cfg_fail(b->err, m, sub, "missing key 'variable' in %s", path);
    if (cfg_parse_string(b, n, sub, t->variable, sizeof t->variable))
        return CONFIG_EINVALID;
    int n_defs, calendar = b->cfg->time != NULL;
    const quantity_def_t *defs = quantity_table(calendar, &n_defs);
    int q = quantity_find_in(calendar, t->variable);
    if (q < 0)
        return cfg_fail(b->err, n, sub, "%s: unknown per-draw quantity '%s'%s (see the table in "
                        "sim/README.md)", sub, t->variable,
                        calendar ? " of a calendar scenario" : "");
    const char *region_key[2] = {"exporter", "importer"};
    quantity_axes_t axes = defs[q].axes;
    if (threshold_time(b, m, path, axes, t))
        return CONFIG_EINVALID;
    int needs[2] = {(axes & AXES_EXPORTER) != 0, (axes & AXES_IMPORTER) != 0};
    int *idx[2] = {&t->exporter, &t->importer};
    t->exporter = t->importer = -1;
    for (int r = 0; r < 2; r++) {
        cfg_join(sub, sizeof sub, path, region_key[r]);
        n = cnode_get(m, region_key[r]);
        if (needs[r] && !n)
            return cfg_fail(b->err, m, sub, "missing key '%s' in %s (%s has an %s axis)",
                            region_key[r], path, t->variable, region_key[r]);
        if (!needs[r] && n)
            return cfg_fail(b->err, n, sub, "%s: %s has no %s axis", sub, t->variable,
                            region_key[r]);
        if (n && cfg_resolve_region(b, n, sub, r == 0, idx[r]))
            return CONFIG_EINVALID;
    }
    const cnode_t *below = cnode_get(m, "below"), *above = cnode_get(m, "above");
    if (!below == !above)
        return cfg_fail(b->err, m, path, "%s: give exactly one of below or above", path);
    t->op = below ? THRESHOLD_BELOW : THRESHOLD_ABOVE;
    if (cfg_get_number(b, m, path, below ? "below" : "above", 1, 0, &t->value, &at))
        return CONFIG_EINVALID;
    t->of_change = 0;
    if ((n = cnode_get(m, "of_change"))) {
        cfg_join(sub, sizeof sub, path, "of_change");
        if (cfg_parse_bool(b, n, sub, &t->of_change))
            return CONFIG_EINVALID;
    }
    return 0;
}

int cfg_build_thresholds(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    const cnode_t *n = cnode_get(root, "thresholds");
    if (!n)
        return 0;
    if (cfg_need_kind(b, n, CNODE_MAP, "thresholds"))
        return CONFIG_EINVALID;
    if (n->n > 0 && !(cfg->thresholds = calloc((size_t)n->n, sizeof *cfg->thresholds)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    for (int k = 0; k < n->n; k++) {
        char path[256];
        cfg_join(path, sizeof path, "thresholds", n->keys[k]->text);
        cfg->n_thresholds = k + 1;
        if (cfg_parse_string(b, n->keys[k], path, cfg->thresholds[k].name,
                         sizeof cfg->thresholds[k].name) ||
            build_threshold(b, n->items[k], path, &cfg->thresholds[k]))
            return CONFIG_EINVALID;
    }
    return 0;
}

/* ---- attribution: the quantities attributed beyond the headline ones ---- */

int cfg_build_attribution(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    const cnode_t *n = cnode_get(root, "attribution");
    if (!n)
        return 0;
    if (cfg_need_kind(b, n, CNODE_SEQ, "attribution"))
        return CONFIG_EINVALID;
    if (n->n > 0 && cfg->time)   /* the attributed targets are annual quantities (attrib.h) */
        return cfg_fail(b->err, n, "attribution", "attribution: not available for a calendar "
                        "scenario (time:) yet; remove the list or the calendar");
    if (n->n > ATTRIB_MAX_TARGETS)
        return cfg_fail(b->err, n, "attribution", "attribution: at most %d quantities",
                        ATTRIB_MAX_TARGETS);
    if (n->n > 0 && !(cfg->attribution = calloc((size_t)n->n, sizeof *cfg->attribution)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    for (int k = 0; k < n->n; k++) {
        char path[64];
        attrib_target_t t;
        snprintf(path, sizeof path, "attribution[%d]", k);
        if (cfg_parse_string(b, n->items[k], path, cfg->attribution[k],
                             sizeof cfg->attribution[k]))
            return CONFIG_EINVALID;
        if (attrib_target_parse(cfg->attribution[k], &t))
            return cfg_fail(b->err, n->items[k], path, "%s: unknown quantity '%s' (a per-draw "
                            "quantity of sim/README.md, optionally with _ref or _change)",
                            path, cfg->attribution[k]);
        cfg->n_attribution = k + 1;
    }
    return 0;
}

/* ---- run settings and sweeps ---- */

int cfg_build_run(build_t *b, const cnode_t *root, const char *file)
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
    static const char *const keys[] = {"draws", "seed", "output", "institution", "references",
                                       "sobol", NULL};
    if (cfg_need_kind(b, r, CNODE_MAP, "run") || cfg_check_keys(b, r, "run", keys))
        return CONFIG_EINVALID;
    if ((n = cnode_get(r, "draws"))) {
        if (cfg_parse_u64(b, n, "run.draws", &cfg->draws))
            return CONFIG_EINVALID;
        if (cfg->draws < 1)
            return cfg_fail(b->err, n, "run.draws", "run.draws must be >= 1 (got 0)");
        if (cfg->draws > CONFIG_MAX_DRAWS)
            return cfg_fail(b->err, n, "run.draws", "run.draws must be <= %llu (got %llu)",
                            (unsigned long long)CONFIG_MAX_DRAWS,
                            (unsigned long long)cfg->draws);
    }
    if ((n = cnode_get(r, "seed")) && cfg_parse_u64(b, n, "run.seed", &cfg->seed))
        return CONFIG_EINVALID;
    if ((n = cnode_get(r, "sobol"))) {   /* --sobol N */
        if (cfg_parse_u64(b, n, "run.sobol", &cfg->sobol))
            return CONFIG_EINVALID;
        if (cfg->sobol < 2 || cfg->sobol > CONFIG_MAX_DRAWS)
            return cfg_fail(b->err, n, "run.sobol", "run.sobol must be in 2..%llu (got %llu)",
                            (unsigned long long)CONFIG_MAX_DRAWS,
                            (unsigned long long)cfg->sobol);
        if (cfg->time)   /* the design's targets are annual quantities (sobol.h) */
            return cfg_fail(b->err, n, "run.sobol", "run.sobol (--sobol): Sobol indices are "
                            "not available for a calendar scenario (time:) yet");
    }
    if ((n = cnode_get(r, "output")) &&
        cfg_parse_string(b, n, "run.output", cfg->output, sizeof cfg->output))
        return CONFIG_EINVALID;
    if ((n = cnode_get(r, "institution")) &&   /* written as CF global attributes */
        cfg_parse_string(b, n, "run.institution", cfg->institution, sizeof cfg->institution))
        return CONFIG_EINVALID;
    if ((n = cnode_get(r, "references")) &&
        cfg_parse_string(b, n, "run.references", cfg->references, sizeof cfg->references))
        return CONFIG_EINVALID;
    return 0;
}

int cfg_build_sweeps(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    const cnode_t *s = cnode_get(root, "sweep");
    if (!s)
        return 0;
    if (cfg_need_kind(b, s, CNODE_SEQ, "sweep"))
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
        if (cfg_need_kind(b, m, CNODE_MAP, path) || cfg_check_keys(b, m, path, keys))
            return CONFIG_EINVALID;
        snprintf(sub, sizeof sub, "%s.key", path);
        if (!(n = cnode_get(m, "key")))
            return cfg_fail(b->err, m, sub, "missing key 'key' in %s", path);
        if (cfg_parse_string(b, n, sub, w->key, sizeof w->key))
            return CONFIG_EINVALID;
        for (int q = 0; q < k; q++)
            if (!strcmp(cfg->sweeps[q].key, w->key))
                return cfg_fail(b->err, n, sub, "%s: key '%s' is swept twice", sub, w->key);
        const input_spec_t *replacing = cfg_input_replacing(cfg, w->key);
        if (replacing)
            return cfg_replaced_fail(b->err, n, w->key, replacing);
        const cnode_t *v = cnode_get(m, "values");
        int range = cnode_find(m, "start") >= 0 || cnode_find(m, "stop") >= 0 ||
                    cnode_find(m, "step") >= 0;
        if (!v == !range)
            return cfg_fail(b->err, m, path, "%s: give either values or start, stop and step",
                            path);
        if (v) {
            snprintf(sub, sizeof sub, "%s.values", path);
            if (cfg_need_kind(b, v, CNODE_SEQ, sub))
                return CONFIG_EINVALID;
            if (v->n < 1)
                return cfg_fail(b->err, v, sub, "%s must list at least one value", sub);
            if (!(w->values = calloc((size_t)v->n, sizeof(double))))
                return cfg_fail(b->err, NULL, NULL, "out of memory");
            w->n_values = v->n;
            for (int q = 0; q < v->n; q++) {
                char ipath[128];
                snprintf(ipath, sizeof ipath, "%s[%d]", sub, q);
                if (cfg_parse_number(b, v->items[q], ipath, &w->values[q]))
                    return CONFIG_EINVALID;
            }
        } else {
            double start, stop, step;
            if (cfg_get_number(b, m, path, "start", 1, 0, &start, &at) ||
                cfg_get_number(b, m, path, "stop", 1, 0, &stop, &at) ||
                cfg_get_number(b, m, path, "step", 1, 0, &step, &at))
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
    return 0;
}
