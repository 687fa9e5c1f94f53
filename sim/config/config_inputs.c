/*
 * config_inputs.c - the random inputs of a scenario file (targets, distributions in any
 * of their documented forms, converted to canonical parameters) and their correlation.
 */
#include "config_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Z95 1.6448536269514722  /* standard normal 95 % quantile */

/* ---- stochastic inputs ---- */

/* What each target needs and how it applies by default (names: input_target_name). */
static const struct {
    input_target_t target;
    int exporter, importer;    /* 1: the target needs that region */
    input_apply_t apply;       /* default */
} targets[] = {
    {TARGET_YIELD, 1, 0, APPLY_MULTIPLY},
    {TARGET_DOMESTIC_DEMAND, 1, 0, APPLY_MULTIPLY},
    {TARGET_EXCHANGE_RATE, 1, 0, APPLY_MULTIPLY},
    {TARGET_EPS, 1, 0, APPLY_OVERRIDE},
    {TARGET_DEMAND, 0, 1, APPLY_MULTIPLY},
    {TARGET_SIGMA, 0, 1, APPLY_OVERRIDE},
    {TARGET_ETA, 0, 1, APPLY_OVERRIDE},
    {TARGET_FREIGHT_INDEX, 0, 0, APPLY_MULTIPLY},
    {TARGET_FREIGHT_ROUTE, 1, 1, APPLY_MULTIPLY},
    {TARGET_COMPLIANCE, 0, 0, APPLY_OVERRIDE},
    {TARGET_NTB, 1, 1, APPLY_OVERRIDE},   /* the value is added to the route's tariff */
};
#define N_TARGETS (sizeof targets / sizeof targets[0])

/* The parameter keys each distribution accepts (names: dist_kind_name). */
static const struct {
    dist_kind_t kind;
    const char *keys[8];
} dists[] = {
    {DIST_FIXED, {"value"}},
    {DIST_NORMAL, {"mean", "sd"}},
    {DIST_LOGNORMAL, {"meanlog", "sdlog", "median", "p05", "p95"}},
    {DIST_TRUNCNORMAL, {"mean", "sd", "min", "max"}},
    {DIST_UNIFORM, {"min", "max"}},
    {DIST_TRIANGULAR, {"min", "mode", "max"}},
    {DIST_BETA, {"alpha", "beta", "mean", "sd", "min", "max"}},
    {DIST_PERT, {"min", "mode", "max", "lambda"}},
    {DIST_EMPIRICAL, {"values"}},
};
#define N_DISTS (sizeof dists / sizeof dists[0])

/* Optional number: *has says whether it was given. */
static int opt_number(build_t *b, const cnode_t *m, const char *path, const char *key,
                      double *x, int *has, const cnode_t **at)
{
    if (cfg_get_number(b, m, path, key, 0, NAN, x, at))
        return CONFIG_EINVALID;
    *has = *at != NULL;
    return 0;
}

static int need_param(build_t *b, const cnode_t *m, const char *path, const char *key,
                      double *x, const cnode_t **at)
{
    return cfg_get_number(b, m, path, key, 1, 0, x, at);
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
            return cfg_range_fail(b, at, m, path, "value", "finite", p[0]);
        return 0;
    case DIST_NORMAL:
        if (need_param(b, m, path, "mean", &p[0], &at) || need_param(b, m, path, "sd", &p[1], &at))
            return CONFIG_EINVALID;
        if (!(p[1] > 0) || isinf(p[0]) || isinf(p[1]))
            return cfg_range_fail(b, at, m, path, "sd", "> 0", p[1]);
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
            return cfg_range_fail(b, aml, m, path, "meanlog", "finite", p[0]);
        if (h2) {
            if (!(x1 > 0) || isinf(x1))
                return cfg_range_fail(b, at2, m, path, "median", "> 0", x1);
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
                    return cfg_range_fail(b, a5, m, path, "p05", "> 0", x2);
                if (!(x2 < x3) || isinf(x3))
                    return cfg_fail(b->err, a5, path, "%s: min > max: p05 (%s) must be "
                                    "below p95 (%s)", path, NUM(x2), NUM(x3));
                if (h2 && !(x2 < x1 && x1 < x3))
                    return cfg_fail(b->err, at2, path, "%s: median (%s) must lie between "
                                    "p05 and p95", path, NUM(x1));
                p[1] = (log(x3) - log(x2)) / (2 * Z95);
                return 0;
            }
        }
        if (!(p[1] > 0) || isinf(p[1]))
            return cfg_range_fail(b, at, m, path, "sdlog", "> 0", p[1]);
        return 0;
    }
    case DIST_TRUNCNORMAL:
        if (need_param(b, m, path, "mean", &p[0], &at) || need_param(b, m, path, "sd", &p[1], &at))
            return CONFIG_EINVALID;
        if (!(p[1] > 0) || isinf(p[0]) || isinf(p[1]))
            return cfg_range_fail(b, at, m, path, "sd", "> 0", p[1]);
        if (cfg_get_number(b, m, path, "min", 0, -INFINITY, &p[2], &at) ||
            cfg_get_number(b, m, path, "max", 0, INFINITY, &p[3], &at2))
            return CONFIG_EINVALID;
        if (!(p[2] < p[3]))
            return cfg_fail(b->err, at ? at : m, path, "%s: min > max (min %s, max %s)",
                            path, NUM(p[2]), NUM(p[3]));
        return 0;
    case DIST_UNIFORM:
    case DIST_TRIANGULAR:
    case DIST_PERT: {
        int lo = 0, hi = d->kind == DIST_UNIFORM ? 1 : 2;
        if (need_param(b, m, path, "min", &p[lo], &at) ||
            need_param(b, m, path, "max", &p[hi], &at2))
            return CONFIG_EINVALID;
        if (isinf(p[lo]) || isinf(p[hi]) || !(p[lo] < p[hi]))
            return cfg_fail(b->err, at, path, "%s: min > max (min %s, max %s)%s", path,
                            NUM(p[lo]), NUM(p[hi]), p[lo] == p[hi] ? ": use dist: fixed" : "");
        if (d->kind == DIST_UNIFORM)
            return 0;
        if (need_param(b, m, path, "mode", &p[1], &at))
            return CONFIG_EINVALID;
        if (!(p[0] <= p[1] && p[1] <= p[2]))
            return cfg_fail(b->err, at, path, "%s: mode (%s) must lie in [min, max] = "
                            "[%s, %s]", path, NUM(p[1]), NUM(p[0]), NUM(p[2]));
        if (d->kind == DIST_PERT) {
            if (cfg_get_number(b, m, path, "lambda", 0, 4, &p[3], &at))
                return CONFIG_EINVALID;
            if (!(p[3] > 0) || isinf(p[3]))
                return cfg_range_fail(b, at, m, path, "lambda", "> 0", p[3]);
        }
        return 0;
    }
    case DIST_BETA: {
        const cnode_t *amin, *amax;
        if (cfg_get_number(b, m, path, "min", 0, 0, &p[2], &amin) ||
            cfg_get_number(b, m, path, "max", 0, 1, &p[3], &amax))
            return CONFIG_EINVALID;
        if (isinf(p[2]) || isinf(p[3]) || !(p[2] < p[3]))
            return cfg_fail(b->err, amin ? amin : m, path, "%s: min > max (min %s, max %s)",
                            path, NUM(p[2]), NUM(p[3]));
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
                return cfg_fail(b->err, am, path, "%s: mean (%s) must lie strictly inside "
                                "(min, max) = (%s, %s)", path, NUM(x1), NUM(p[2]), NUM(p[3]));
            if (!(s > 0 && s * s < mu * (1 - mu)))
                return cfg_fail(b->err, as, path, "%s: sd must be > 0 and below sqrt(m (1 - m)) "
                                "= %s for this mean (got %s)", path,
                                NUM(w * sqrt(mu * (1 - mu))), NUM(x2));
            double k = mu * (1 - mu) / (s * s) - 1;
            p[0] = mu * k;
            p[1] = (1 - mu) * k;
            return 0;
        }
        if (!(p[0] > 0) || isinf(p[0]))
            return cfg_range_fail(b, aa, m, path, "alpha", "> 0", p[0]);
        if (!(p[1] > 0) || isinf(p[1]))
            return cfg_range_fail(b, ab, m, path, "beta", "> 0", p[1]);
        return 0;
    }
    case DIST_EMPIRICAL: {
        char vpath[256];
        cfg_join(vpath, sizeof vpath, path, "values");
        const cnode_t *v = cnode_get(m, "values");
        if (!v)
            return cfg_fail(b->err, m, vpath, "missing key 'values' in %s", path);
        if (cfg_need_kind(b, v, CNODE_SEQ, vpath))
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
            if (cfg_parse_number(b, v->items[k], ipath, &d->values[k]))
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
    if (in->dist.kind == DIST_NORMAL && in->target != TARGET_NTB)
        rule = NULL;
    /* a barrier is a tariff equivalent: the same bound as a tariff (limits.max_tariff) */
    if (!rule && in->target == TARGET_NTB && !(hi <= b->cfg->max_tariff))
        return cfg_fail(b->err, m, path, "%s: a non-tariff barrier is a tariff equivalent "
                        "(a fraction, 0.5 for 50 %%), but %s can give values up to %s, above "
                        "limits.max_tariff = %s", path, dist_kind_name(in->dist.kind),
                        NUM(hi), NUM(b->cfg->max_tariff));
    if (rule)
        return cfg_fail(b->err, m, path, "%s: %s, but %s can give values in [%s, %s]", path,
                        rule, dist_kind_name(in->dist.kind), NUM(lo), NUM(hi));
    return 0;
}

/* A value set by --set or a sweep on a parameter that an override input replaces in every
 * draw would change nothing but the calibration's reference point. */
const input_spec_t *cfg_input_replacing(const config_t *cfg, const char *key)
{
    for (int k = 0; k < cfg->n_inputs; k++) {
        const input_spec_t *in = &cfg->inputs[k];
        char replaced[256];
        if (in->apply != APPLY_OVERRIDE)
            continue;
        if ((in->target == TARGET_SIGMA || in->target == TARGET_ETA) && in->importer >= 0)
            snprintf(replaced, sizeof replaced, "importers.%s.%s",
                     cfg->market->importer_name[in->importer], input_target_name(in->target));
        else if (in->target == TARGET_EPS && in->exporter >= 0)
            snprintf(replaced, sizeof replaced, "exporters.%s.eps",
                     cfg->market->exporter_name[in->exporter]);
        else
            continue;
        if (!strcmp(replaced, key))
            return in;
    }
    return NULL;
}

int cfg_replaced_fail(config_error_t *err, const cnode_t *at, const char *key,
                      const input_spec_t *in)
{
    return cfg_fail(err, at, key, "%s is replaced in every draw by input '%s' (dist %s): "
                    "change that input instead (its parameters, e.g. inputs.%s.%s)", key,
                    in->name, dist_kind_name(in->dist.kind), in->name,
                    in->dist.kind == DIST_LOGNORMAL ? "median"
                    : in->dist.kind == DIST_FIXED ? "value" : "min");
}

static int build_input(build_t *b, const cnode_t *m, const char *path, input_spec_t *in)
{
    const cnode_t *n;
    char sub[256];
    if (cfg_need_kind(b, m, CNODE_MAP, path))
        return CONFIG_EINVALID;
    cfg_join(sub, sizeof sub, path, "target");
    if (!(n = cnode_get(m, "target")))
        return cfg_fail(b->err, m, sub, "missing key 'target' in %s", path);
    size_t t;
    char expected[256] = "";
    for (t = 0; t < N_TARGETS; t++) {
        const char *name = input_target_name(targets[t].target);
        if (n->kind == CNODE_SCALAR && !strcmp(n->text, name))
            break;
        snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s",
                 t ? ", " : "", name);
    }
    if (t == N_TARGETS)
        return cfg_fail(b->err, n, sub, "%s: unknown target %s%s%s (expected: %s)", sub,
                        n->kind == CNODE_SCALAR ? "'" : "",
                        n->kind == CNODE_SCALAR ? n->text : cfg_kind_name(n),
                        n->kind == CNODE_SCALAR ? "'" : "", expected);
    in->target = targets[t].target;
    in->apply = targets[t].apply;
    in->exporter = in->importer = -1;
    const char *region_key[2] = {"exporter", "importer"};
    int needs[2] = {targets[t].exporter, targets[t].importer};
    int *idx[2] = {&in->exporter, &in->importer};
    for (int r = 0; r < 2; r++) {
        cfg_join(sub, sizeof sub, path, region_key[r]);
        n = cnode_get(m, region_key[r]);
        if (needs[r] && !n)
            return cfg_fail(b->err, m, sub, "missing key '%s' in %s (target %s needs it)",
                            region_key[r], path, input_target_name(targets[t].target));
        if (!needs[r] && n)
            return cfg_fail(b->err, n, sub, "%s: target %s has no %s", sub, input_target_name(targets[t].target),
                            region_key[r]);
        if (n && cfg_resolve_region(b, n, sub, r == 0, idx[r]))
            return CONFIG_EINVALID;
    }
    if ((n = cnode_get(m, "apply"))) {
        cfg_join(sub, sizeof sub, path, "apply");
        if (n->kind == CNODE_SCALAR && !strcmp(n->text, "multiply"))
            in->apply = APPLY_MULTIPLY;
        else if (n->kind == CNODE_SCALAR && !strcmp(n->text, "override"))
            in->apply = APPLY_OVERRIDE;
        else
            return cfg_fail(b->err, n, sub, "%s must be multiply or override", sub);
        if (in->target == TARGET_NTB && in->apply != APPLY_OVERRIDE)
            return cfg_fail(b->err, n, sub, "%s: target ntb adds its value to the route's "
                            "tariff; apply must be override (the default)", sub);
    }
    cfg_join(sub, sizeof sub, path, "dist");
    if (!(n = cnode_get(m, "dist")))
        return cfg_fail(b->err, m, sub, "missing key 'dist' in %s", path);
    size_t d;
    expected[0] = '\0';
    for (d = 0; d < N_DISTS; d++) {
        const char *name = dist_kind_name(dists[d].kind);
        if (n->kind == CNODE_SCALAR && !strcmp(n->text, name))
            break;
        snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s",
                 d ? ", " : "", name);
    }
    if (d == N_DISTS)
        return cfg_fail(b->err, n, sub, "%s: unknown distribution %s%s%s (expected: %s)", sub,
                        n->kind == CNODE_SCALAR ? "'" : "",
                        n->kind == CNODE_SCALAR ? n->text : cfg_kind_name(n),
                        n->kind == CNODE_SCALAR ? "'" : "", expected);
    const char *allowed[16] = {"target", "exporter", "importer", "apply", "dist",
                               "description"};
    int na = 6;
    for (int k = 0; k < 8 && dists[d].keys[k]; k++)
        allowed[na++] = dists[d].keys[k];
    allowed[na] = NULL;
    if (cfg_check_keys(b, m, path, allowed))
        return CONFIG_EINVALID;
    in->dist.kind = dists[d].kind;
    if (build_dist(b, m, path, &in->dist))
        return CONFIG_EINVALID;
    return check_support(b, m, path, in);
}

int cfg_build_inputs(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    const cnode_t *n = cnode_get(root, "inputs");
    if (n) {
        if (cfg_need_kind(b, n, CNODE_MAP, "inputs"))
            return CONFIG_EINVALID;
        if (n->n > 0 && !(cfg->inputs = calloc((size_t)n->n, sizeof *cfg->inputs)))
            return cfg_fail(b->err, NULL, NULL, "out of memory");
        for (int k = 0; k < n->n; k++) {
            char path[256];
            cfg_join(path, sizeof path, "inputs", n->keys[k]->text);
            cfg->n_inputs = k + 1;
            if (cfg_parse_string(b, n->keys[k], path, cfg->inputs[k].name,
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

int cfg_build_correlation(build_t *b, const cnode_t *root)
{
    config_t *cfg = b->cfg;
    const cnode_t *c = cnode_get(root, "correlation"), *names, *rows;
    if (!c)
        return 0;
    static const char *const keys[] = {"inputs", "matrix", NULL};
    if (cfg_need_kind(b, c, CNODE_MAP, "correlation") || cfg_check_keys(b, c, "correlation", keys))
        return CONFIG_EINVALID;
    if (!(names = cnode_get(c, "inputs")))
        return cfg_fail(b->err, c, "correlation.inputs", "missing key 'inputs' in correlation");
    if (!(rows = cnode_get(c, "matrix")))
        return cfg_fail(b->err, c, "correlation.matrix", "missing key 'matrix' in correlation");
    if (cfg_need_kind(b, names, CNODE_SEQ, "correlation.inputs") ||
        cfg_need_kind(b, rows, CNODE_SEQ, "correlation.matrix"))
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
            cfg_fail(b->err, it, path, "%s must be an input name (got %s)", path, cfg_kind_name(it));
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
        if (cfg_need_kind(b, row, CNODE_SEQ, path))
            goto done;
        if (row->n != n) {
            cfg_fail(b->err, row, path, "%s has %d entries, expected %d", path, row->n, n);
            goto done;
        }
        for (int j = 0; j < n; j++) {
            char epath[80];
            double r;
            snprintf(epath, sizeof epath, "%s[%d]", path, j);
            if (cfg_parse_number(b, row->items[j], epath, &r))
                goto done;
            sub[i * n + j] = r;
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            cfg->correlation[idx[i] * m + idx[j]] = sub[i * n + j];
    /* the sampler's rules, at the position of the entry (or row) they name */
    char why[CONFIG_MSG_MAX], epath[80];
    int fi, fj;
    if (sample_check_correlation(cfg->inputs, m, cfg->correlation, &fi, &fj, why, sizeof why)) {
        int a = -1, c2 = -1;   /* fi, fj as rows / columns of the file's sub-matrix */
        for (int k = 0; k < n; k++) {
            a = idx[k] == fi ? k : a;
            c2 = idx[k] == fj ? k : c2;
        }
        const cnode_t *at = rows;
        snprintf(epath, sizeof epath, "correlation.matrix");
        if (a >= 0 && c2 >= 0) {
            at = rows->items[a]->items[c2];
            snprintf(epath, sizeof epath, "correlation.matrix[%d][%d]", a, c2);
        } else if (a >= 0) {
            at = rows->items[a];
            snprintf(epath, sizeof epath, "correlation.matrix[%d]", a);
        }
        cfg_fail(b->err, at, epath, "%s: %s", epath, why);
        goto done;
    }
    rc = 0;
done:
    free(idx);
    free(sub);
    return rc;
}
