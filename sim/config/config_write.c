/*
 * config_write.c - config_to_yaml(): the resolved configuration (base merged, defaults
 * filled, user-friendly distribution forms converted to canonical parameters) as YAML
 * that config_load() reads back to the same config_t, bit for bit. Numbers are written
 * in the shortest form that reads back exactly (never less precise than %.17g).
 * Policies are written as differences: reference vs the baseline data, scenario vs the
 * reference, each regime vs the scenario - exactly how the loader inherits them.
 */
#include "config_internal.h"
#include "number.h"
#include "version.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} buf_t;

__attribute__((format(printf, 2, 3)))
static void put(buf_t *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    if (!b->s) {   /* vsnprintf into (NULL + 0) would be undefined */
        if (!(b->s = malloc(4096))) {
            b->failed = 1;
            return;
        }
        b->cap = 4096;
        b->len = 0;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = 2 * b->cap + (size_t)n + 1;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void put_quoted(buf_t *b, const char *text)
{
    put(b, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            put(b, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            put(b, "\\x%02x", *p);
        else
            put(b, "%c", *p);
    }
    put(b, "\"");
}

static void put_num(buf_t *b, double x)
{
    char t[64];
    number_format_double(t, sizeof t, x);
    put(b, "%s", t);
}

static void put_kv(buf_t *b, int indent, const char *key, double x)
{
    put(b, "%*s%s: ", indent, "", key);
    put_num(b, x);
    put(b, "\n");
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void put_route_table(buf_t *b, const market_spec_t *m, const char *name,
                            const double *v, const double *base)
{
    int E = m->n_exporters, I = m->n_importers, header = 0;
    for (int i = 0; i < E; i++) {
        int row = 0;
        for (int j = 0; j < I; j++) {
            size_t ij = (size_t)i * (size_t)I + (size_t)j;
            if (same_bits(v[ij], base[ij]))
                continue;
            if (!header)
                put(b, "  %s:\n", name), header = 1;
            if (!row) {
                put(b, "    ");
                put_quoted(b, m->exporter_name[i]);
                put(b, ":\n");
                row = 1;
            }
            put(b, "      ");
            put_quoted(b, m->importer_name[j]);
            put(b, ": ");
            put_num(b, v[ij]);
            put(b, "\n");
        }
    }
}

/* Write `p` as overrides of `base` (tariffs, export taxes, floors, caps). */
static void put_policy(buf_t *b, const market_spec_t *m, const char *section,
                       const config_policy_t *p, const double *base_tariff,
                       const double *base_tax, const double *base_floor,
                       const double *base_cap, int regime)
{
    if (regime) {
        put(b, "  ");
        put_quoted(b, p->name);
        put(b, ":\n");
    } else {
        put(b, "%s:\n  name: ", section);
        put_quoted(b, p->name);
        put(b, "\n");
    }
    buf_t inner = {0};
    /* regimes nest one level deeper: write into a scratch buffer and indent */
    buf_t *w = regime ? &inner : b;
    if (regime)
        put(w, "  probability: "), put_num(w, p->probability), put(w, "\n");
    put_route_table(w, m, "tariffs", p->tariff, base_tariff);
    int header = 0;
    for (int i = 0; i < m->n_exporters; i++) {
        if (same_bits(p->export_tax[i], base_tax[i]))
            continue;
        if (!header)
            put(w, "  export_taxes:\n"), header = 1;
        put(w, "    ");
        put_quoted(w, m->exporter_name[i]);
        put(w, ": ");
        put_num(w, p->export_tax[i]);
        put(w, "\n");
    }
    put_route_table(w, m, "floors", p->floor, base_floor);
    put_route_table(w, m, "caps", p->cap, base_cap);
    if (regime) {
        if (inner.failed)
            b->failed = 1;
        for (char *line = inner.s; line && *line;) {
            char *nl = strchr(line, '\n');
            size_t l = nl ? (size_t)(nl - line) : strlen(line);
            put(b, "  %.*s\n", (int)l, line);
            line += l + (nl != NULL);
        }
        free(inner.s);
    }
}

static void put_dist(buf_t *b, const dist_t *d)
{
    const double *p = d->p;
    put(b, "    dist: %s\n", dist_kind_name(d->kind));
    switch (d->kind) {
    case DIST_FIXED: put_kv(b, 4, "value", p[0]); break;
    case DIST_NORMAL: put_kv(b, 4, "mean", p[0]); put_kv(b, 4, "sd", p[1]); break;
    case DIST_LOGNORMAL: put_kv(b, 4, "meanlog", p[0]); put_kv(b, 4, "sdlog", p[1]); break;
    case DIST_TRUNCNORMAL:
        put_kv(b, 4, "mean", p[0]); put_kv(b, 4, "sd", p[1]);
        put_kv(b, 4, "min", p[2]); put_kv(b, 4, "max", p[3]);
        break;
    case DIST_UNIFORM: put_kv(b, 4, "min", p[0]); put_kv(b, 4, "max", p[1]); break;
    case DIST_TRIANGULAR:
        put_kv(b, 4, "min", p[0]); put_kv(b, 4, "mode", p[1]); put_kv(b, 4, "max", p[2]);
        break;
    case DIST_BETA:
        put_kv(b, 4, "alpha", p[0]); put_kv(b, 4, "beta", p[1]);
        put_kv(b, 4, "min", p[2]); put_kv(b, 4, "max", p[3]);
        break;
    case DIST_PERT:
        put_kv(b, 4, "min", p[0]); put_kv(b, 4, "mode", p[1]); put_kv(b, 4, "max", p[2]);
        put_kv(b, 4, "lambda", p[3]);
        break;
    case DIST_EMPIRICAL:
        put(b, "    values: [");
        for (size_t k = 0; k < d->n_values; k++) {
            put(b, "%s", k ? ", " : "");
            put_num(b, d->values[k]);
        }
        put(b, "]\n");
        break;
    }
}

/* The distribution as the file wrote it (e.g. lognormal by median and p05/p95), so that
 * a sweep or --set of those keys still applies to the printed config; every form
 * converts to the same canonical parameters, so the round trip stays exact. */
static int put_dist_as_written(buf_t *b, const config_t *cfg, const char *input)
{
    const cnode_t *node = cnode_get(cnode_get(cfg->tree, "inputs"), input);
    if (!node || node->kind != CNODE_MAP)
        return 0;
    static const char *const placed[] = {"target", "exporter", "importer", "apply", NULL};
    for (int i = 0; i < node->n; i++) {
        const char *key = node->keys[i]->text;
        const cnode_t *v = node->items[i];
        int skip = 0;
        for (int k = 0; placed[k]; k++)
            skip |= !strcmp(key, placed[k]);
        if (skip)
            continue;
        put(b, "    %s: ", key);
        if (v->kind == CNODE_SCALAR) {
            if (v->quoted)
                put_quoted(b, v->text);
            else
                put(b, "%s", v->text);
        } else {   /* the empirical list */
            put(b, "[");
            for (int k = 0; k < v->n; k++)
                put(b, "%s%s", k ? ", " : "", v->items[k]->kind == CNODE_SCALAR ? v->items[k]->text : "");
        }
        put(b, "%s\n", v->kind == CNODE_SCALAR ? "" : "]");
    }
    return 1;
}

/* A subtree of the merged file in block style (the `time:` section): mappings as
 * key: value, sequences as dash items, numbers as written (the same text reads back to
 * the same bits), every other scalar quoted (a --set value has no quotes to keep). */
static void put_scalar_node(buf_t *b, const cnode_t *n)
{
    double x;
    if (!n->quoted && number_parse_double(n->text, &x, NULL) == NUMBER_OK)
        put(b, "%s", n->text);
    else
        put_quoted(b, n->text);
}

static void put_node(buf_t *b, const cnode_t *n, int indent)
{
    for (int k = 0; k < n->n; k++) {
        const cnode_t *v = n->items[k];
        put(b, "%*s", indent, "");
        if (n->kind == CNODE_MAP) {
            put_quoted(b, n->keys[k]->text);
            put(b, ":");
        } else {
            put(b, "-");
        }
        if (v->kind == CNODE_SCALAR) {
            put(b, " ");
            put_scalar_node(b, v);
            put(b, "\n");
        } else if (v->n == 0) {
            put(b, v->kind == CNODE_MAP ? " {}\n" : " []\n");
        } else {
            put(b, "\n");
            put_node(b, v, indent + 2);
        }
    }
}

static void put_market(buf_t *b, const market_spec_t *m)
{
    int E = m->n_exporters, I = m->n_importers;
    put(b, "exporters:\n");
    for (int i = 0; i < E; i++) {
        put(b, "  ");
        put_quoted(b, m->exporter_name[i]);
        put(b, ":\n");
        put_kv(b, 4, "production", m->production[i]);
        put_kv(b, 4, "domestic_use", m->domestic_use[i]);
        put_kv(b, 4, "fob_price", m->fob_price[i]);
        put_kv(b, 4, "export_tax", m->export_tax[i]);
        put_kv(b, 4, "eps", m->eps[i]);
        put_kv(b, 4, "kappa", m->kappa[i]);
        put_kv(b, 4, "exchange_rate", m->exchange_rate[i]);
    }
    put(b, "importers:\n");
    for (int j = 0; j < I; j++) {
        put(b, "  ");
        put_quoted(b, m->importer_name[j]);
        put(b, ":\n");
        put_kv(b, 4, "sigma", m->sigma[j]);
        put_kv(b, 4, "eta", m->eta[j]);
    }
    put(b, "routes:\n");
    for (int i = 0; i < E; i++) {
        put(b, "  ");
        put_quoted(b, m->exporter_name[i]);
        put(b, ":\n");
        for (int j = 0; j < I; j++) {
            size_t ij = (size_t)i * (size_t)I + (size_t)j;
            put(b, "    ");
            put_quoted(b, m->importer_name[j]);
            put(b, ": {flow: ");
            put_num(b, m->flow[ij]);
            put(b, ", freight: ");
            put_num(b, m->freight[ij]);
            put(b, ", tariff: ");
            put_num(b, m->tariff[ij]);
            put(b, "}\n");
        }
    }
}

static void put_inputs(buf_t *b, const config_t *cfg)
{
    const market_spec_t *m = cfg->market;
    if (!cfg->n_inputs)
        return;
    put(b, "inputs:\n");
    for (int k = 0; k < cfg->n_inputs; k++) {
        const input_spec_t *in = &cfg->inputs[k];
        put(b, "  ");
        put_quoted(b, in->name);
        put(b, ":\n    target: %s\n", input_target_name(in->target));
        if (in->exporter >= 0) {
            put(b, "    exporter: ");
            put_quoted(b, m->exporter_name[in->exporter]);
            put(b, "\n");
        }
        if (in->importer >= 0) {
            put(b, "    importer: ");
            put_quoted(b, m->importer_name[in->importer]);
            put(b, "\n");
        }
        put(b, "    apply: %s\n", in->apply == APPLY_MULTIPLY ? "multiply" : "override");
        if (!put_dist_as_written(b, cfg, in->name))
            put_dist(b, &in->dist);
    }
    int n = cfg->n_inputs, any = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (i != j && !same_bits(cfg->correlation[i * n + j], 0.0))
                any = 1;
    if (!any)
        return;
    put(b, "correlation:\n  inputs: [");
    for (int i = 0; i < n; i++) {
        put(b, "%s", i ? ", " : "");
        put_quoted(b, cfg->inputs[i].name);
    }
    put(b, "]\n  matrix:\n");
    for (int i = 0; i < n; i++) {
        put(b, "    - [");
        for (int j = 0; j < n; j++) {
            put(b, "%s", j ? ", " : "");
            put_num(b, cfg->correlation[i * n + j]);
        }
        put(b, "]\n");
    }
}

char *config_to_yaml(const config_t *cfg)
{
    const market_spec_t *m = cfg->market;
    size_t r = (size_t)m->n_exporters * (size_t)m->n_importers;
    buf_t b = {0};
    double *zero = calloc(r, sizeof(double)), *inf = malloc(r * sizeof(double));
    if (!zero || !inf) {
        free(zero);
        free(inf);
        return NULL;
    }
    for (size_t k = 0; k < r; k++)
        inf[k] = INFINITY;
    put(&b, "# agtrade %s: resolved configuration of ", AGTRADE_VERSION);
    put_quoted(&b, cfg->path);
    put(&b, "\n# (base files merged, defaults filled; loads back to the same model)\n");
    put_market(&b, m);
    put_policy(&b, m, "reference", &cfg->reference, m->tariff, m->export_tax, zero, inf, 0);
    const config_policy_t *ref = &cfg->reference, *sc = &cfg->scenario;
    put_policy(&b, m, "scenario", sc, ref->tariff, ref->export_tax, ref->floor, ref->cap, 0);
    if (cfg->n_regimes)
        put(&b, "regimes:\n");
    for (int k = 0; k < cfg->n_regimes; k++)
        put_policy(&b, m, "regimes", &cfg->regimes[k], sc->tariff, sc->export_tax, sc->floor,
                   sc->cap, 1);
    put_inputs(&b, cfg);
    if (cfg->n_thresholds)
        put(&b, "thresholds:\n");
    for (int k = 0; k < cfg->n_thresholds; k++) {
        const config_threshold_t *t = &cfg->thresholds[k];
        put(&b, "  ");
        put_quoted(&b, t->name);
        put(&b, ":\n    variable: %s\n", t->variable);
        if (t->exporter >= 0) {
            put(&b, "    exporter: ");
            put_quoted(&b, m->exporter_name[t->exporter]);
            put(&b, "\n");
        }
        if (t->importer >= 0) {
            put(&b, "    importer: ");
            put_quoted(&b, m->importer_name[t->importer]);
            put(&b, "\n");
        }
        if (t->period >= 0) {
            put(&b, "    period: ");
            put_quoted(&b, cfg->time->spec->period_name[t->period]);
            put(&b, "\n");
        }
        if (t->year >= 0) {
            put(&b, "    year: ");
            put_quoted(&b, cfg->time->year_name[t->year]);
            put(&b, "\n");
        }
        put_kv(&b, 4, t->op == THRESHOLD_BELOW ? "below" : "above", t->value);
        put(&b, "    of_change: %s\n", t->of_change ? "true" : "false");
    }
    if (cfg->n_attribution)   /* only when given: older files' config_yaml unchanged */
        put(&b, "attribution:\n");
    for (int k = 0; k < cfg->n_attribution; k++) {
        put(&b, "  - ");
        put_quoted(&b, cfg->attribution[k]);
        put(&b, "\n");
    }
    if (cfg->n_sweeps)
        put(&b, "sweep:\n");
    for (int k = 0; k < cfg->n_sweeps; k++) {
        put(&b, "  - key: ");
        put_quoted(&b, cfg->sweeps[k].key);
        put(&b, "\n    values: [");
        for (int q = 0; q < cfg->sweeps[k].n_values; q++) {
            put(&b, "%s", q ? ", " : "");
            put_num(&b, cfg->sweeps[k].values[q]);
        }
        put(&b, "]\n");
    }
    if (cfg->max_tariff > 0 && cfg->max_tariff != CONFIG_DEFAULT_MAX_TARIFF) {   /* 0: made by hand */
        put(&b, "limits:\n  max_tariff: ");
        put_num(&b, cfg->max_tariff);
        put(&b, "\n");
    }
    if (cfg->time) {   /* as merged: every number in it reads back to the same bits */
        put(&b, "time:\n");
        put_node(&b, cnode_get(cfg->tree, "time"), 2);
    }
    put(&b, "run:\n  draws: %llu\n  seed: %llu\n  output: ", (unsigned long long)cfg->draws,
        (unsigned long long)cfg->seed);
    put_quoted(&b, cfg->output);
    put(&b, "\n");
    if (cfg->sobol)   /* only when given: older files' config_yaml unchanged */
        put(&b, "  sobol: %llu\n", (unsigned long long)cfg->sobol);
    const char *const cf_keys[2][2] = {{"institution", cfg->institution},
                                       {"references", cfg->references}};
    for (int k = 0; k < 2; k++)   /* only when given: older files' config_yaml unchanged */
        if (cf_keys[k][1][0]) {
            put(&b, "  %s: ", cf_keys[k][0]);
            put_quoted(&b, cf_keys[k][1]);
            put(&b, "\n");
        }
    free(zero);
    free(inf);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
