/*
 * config_policy.c - policies of a scenario file: reference, scenario and regimes, each
 * inheriting from the one before (reference <- baseline, scenario <- reference,
 * regime <- scenario); config_policy_apply().
 */
#include "config_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROB_SUM_TOL 1e-9

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

void cfg_policy_release(config_policy_t *p)
{
    free(p->tariff);
    free(p->export_tax);
    free(p->floor);
    free(p->cap);
    p->tariff = p->export_tax = p->floor = p->cap = NULL;
}

/* A config policy's arrays seen as a policy_t (no copy), so that policy_copy_into() is
 * the one place they are copied. */
static policy_t policy_view(const config_policy_t *p, int E, int I)
{
    return (policy_t){.n_exporters = E, .n_importers = I, .tariff = p->tariff,
                      .export_tax = p->export_tax, .floor = p->floor, .cap = p->cap};
}

static void policy_assign(config_policy_t *dst, const config_policy_t *src, int E, int I)
{
    policy_t d = policy_view(dst, E, I), s = policy_view(src, E, I);
    policy_copy_into(&d, &s);
}

/* A route table exporter -> importer -> number into arr (E x I). kind: 0 tariff,
 * 1 floor, 2 cap. */
static int build_route_table(build_t *b, const cnode_t *t, const char *path, double *arr,
                             int kind)
{
    if (cfg_need_kind(b, t, CNODE_MAP, path))
        return CONFIG_EINVALID;
    for (int a = 0; a < t->n; a++) {
        char p1[256];
        int i;
        cfg_join(p1, sizeof p1, path, t->keys[a]->text);
        if (cfg_resolve_region(b, t->keys[a], p1, 1, &i) || cfg_need_kind(b, t->items[a], CNODE_MAP, p1))
            return CONFIG_EINVALID;
        const cnode_t *row = t->items[a];
        for (int c = 0; c < row->n; c++) {
            char p2[256];
            int j;
            double v;
            cfg_join(p2, sizeof p2, p1, row->keys[c]->text);
            if (cfg_resolve_region(b, row->keys[c], p2, 0, &j) ||
                cfg_parse_number(b, row->items[c], p2, &v))
                return CONFIG_EINVALID;
            if (!(v >= 0) || (kind != 2 && isinf(v)))
                return cfg_fail(b->err, row->items[c], p2, "%s must be >= 0%s (got %s)", p2,
                                kind == 0 ? "" : " (Mt)", NUM(v));
            if (kind == 0 && v > b->cfg->max_tariff)
                return cfg_tariff_limit_fail(b, row->items[c], p2, v);
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
    if (cfg_need_kind(b, m, CNODE_MAP, path) ||
        cfg_check_keys(b, m, path, regime ? regime_keys : policy_keys))
        return CONFIG_EINVALID;
    const cnode_t *n;
    char sub[256];
    if ((n = cnode_get(m, "name"))) {
        cfg_join(sub, sizeof sub, path, "name");
        if (cfg_parse_string(b, n, sub, p->name, sizeof p->name))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "tariffs"))) {
        cfg_join(sub, sizeof sub, path, "tariffs");
        if (build_route_table(b, n, sub, p->tariff, 0))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "floors"))) {
        cfg_join(sub, sizeof sub, path, "floors");
        if (build_route_table(b, n, sub, p->floor, 1))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "caps"))) {
        cfg_join(sub, sizeof sub, path, "caps");
        if (build_route_table(b, n, sub, p->cap, 2))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "export_taxes"))) {
        cfg_join(sub, sizeof sub, path, "export_taxes");
        if (cfg_need_kind(b, n, CNODE_MAP, sub))
            return CONFIG_EINVALID;
        for (int a = 0; a < n->n; a++) {
            char p1[256];
            int i;
            double v;
            cfg_join(p1, sizeof p1, sub, n->keys[a]->text);
            if (cfg_resolve_region(b, n->keys[a], p1, 1, &i) || cfg_parse_number(b, n->items[a], p1, &v))
                return CONFIG_EINVALID;
            if (!(v >= 0 && v < 1)) {
                char hint[128] = "";   /* a percentage written as a number */
                if (v >= 1 && v < 100)
                    snprintf(hint, sizeof hint, "; rates are fractions: %s for %s %%",
                             NUM(v / 100), NUM(v));
                return cfg_fail(b->err, n->items[a], p1, "%s must be in [0, 1) (got %s%s)", p1,
                                NUM(v), hint);
            }
            p->export_tax[i] = v;
        }
    }
    if (regime) {
        const cnode_t *at;
        if (cfg_get_number(b, m, path, "probability", 1, 0, &p->probability, &at))
            return CONFIG_EINVALID;
        if (p->probability >= 2 && p->probability <= 100)   /* a percentage as a number */
            return cfg_fail(b->err, at, path, "%s.probability must be in [0, 1] (got %s; "
                            "probabilities are fractions: %s for %s %%)", path,
                            NUM(p->probability), NUM(p->probability / 100), NUM(p->probability));
        if (!(p->probability >= 0 && p->probability <= 1))
            return cfg_range_fail(b, at, m, path, "probability", "in [0, 1]", p->probability);
    }
    for (int i = 0; i < b->E; i++)
        for (int j = 0; j < b->I; j++) {
            size_t ij = (size_t)i * (size_t)b->I + (size_t)j;
            if (p->floor[ij] > p->cap[ij])
                return cfg_fail(b->err, m, path,
                                "%s: floor on %s -> %s (%s Mt) is above its cap (%s Mt)",
                                path, b->spec->exporter_name[i], b->spec->importer_name[j],
                                NUM(p->floor[ij]), NUM(p->cap[ij]));
        }
    return 0;
}

int cfg_build_policies(build_t *b, const cnode_t *root)
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
    if (cfg_need_kind(b, n, CNODE_MAP, "regimes"))
        return CONFIG_EINVALID;
    if (n->n == 0)
        return cfg_fail(b->err, n, "regimes", "regimes must list at least one regime");
    cfg->regimes = calloc((size_t)n->n, sizeof *cfg->regimes);
    if (!cfg->regimes)
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    /* Neumaier's compensated sum: the sum of the probabilities as written, rounded once
     * (0.6 + 0.3 + 0.15 is reported as 1.05, not as the 1.0499999999999998 that adding
     * in order gives) */
    double total = 0, lost = 0;
    char terms[CONFIG_MSG_MAX / 2] = "";
    for (int k = 0; k < n->n; k++) {
        config_policy_t *g = &cfg->regimes[k];
        cfg->n_regimes = k + 1;
        char path[256];
        cfg_join(path, sizeof path, "regimes", n->keys[k]->text);
        if (policy_alloc(g, E, I))
            return cfg_fail(b->err, NULL, NULL, "out of memory");
        policy_assign(g, &cfg->scenario, E, I);
        if (cfg_parse_string(b, n->keys[k], path, g->name, sizeof g->name) ||
            build_policy(b, n->items[k], path, g, 1))
            return CONFIG_EINVALID;
        double t = total + g->probability;
        lost += fabs(total) >= fabs(g->probability) ? (total - t) + g->probability
                                                    : (g->probability - t) + total;
        total = t;
        size_t used = strlen(terms);
        snprintf(terms + used, sizeof terms - used, "%s%s %s", k ? " + " : "", g->name,
                 NUM(g->probability));
    }
    total += lost;
    if (fabs(total - 1) > PROB_SUM_TOL)
        return cfg_fail(b->err, n, "regimes", "regime probabilities sum to %s, not 1 (%s)",
                        NUM(total), terms);
    return 0;
}


void config_policy_apply(const config_policy_t *src, policy_t *dst)
{
    policy_t s = policy_view(src, dst->n_exporters, dst->n_importers);
    policy_copy_into(dst, &s);
}
