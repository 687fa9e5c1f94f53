/*
 * market.c - baseline specs and their calibration (see models/README.md).
 */
#include "market.h"
#include "error.h"

#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double *market_vec(size_t n)
{
    return calloc(n ? n : 1, sizeof(double));
}

static void market_spec_release(market_spec_t *s)
{
    free(s->exporter_name);
    free(s->importer_name);
    free(s->production);
    free(s->domestic_use);
    free(s->fob_price);
    free(s->export_tax);
    free(s->eps);
    free(s->kappa);
    free(s->exchange_rate);
    free(s->flow);
    free(s->freight);
    free(s->tariff);
    free(s->sigma);
    free(s->eta);
}

market_spec_t *market_spec_alloc(int n_exporters, int n_importers)
{
    if (n_exporters < 1 || n_importers < 1 || n_exporters > MARKET_MAX_REGIONS ||
        n_importers > MARKET_MAX_REGIONS)
        return NULL;
    market_spec_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t E = (size_t)n_exporters, I = (size_t)n_importers;
    s->n_exporters = n_exporters;
    s->n_importers = n_importers;
    s->exporter_name = calloc(E, sizeof *s->exporter_name);
    s->importer_name = calloc(I, sizeof *s->importer_name);
    s->production = market_vec(E);
    s->domestic_use = market_vec(E);
    s->fob_price = market_vec(E);
    s->export_tax = market_vec(E);
    s->eps = market_vec(E);
    s->kappa = market_vec(E);
    s->exchange_rate = market_vec(E);
    s->flow = market_vec(E * I);
    s->freight = market_vec(E * I);
    s->tariff = market_vec(E * I);
    s->sigma = market_vec(I);
    s->eta = market_vec(I);
    if (!s->exporter_name || !s->importer_name || !s->production || !s->domestic_use ||
        !s->fob_price || !s->export_tax || !s->eps || !s->kappa || !s->exchange_rate ||
        !s->flow || !s->freight || !s->tariff || !s->sigma || !s->eta) {
        market_spec_free(s);
        return NULL;
    }
    for (size_t i = 0; i < E; i++)
        s->exchange_rate[i] = 1.0;
    return s;
}

void market_spec_free(market_spec_t *spec)
{
    if (!spec)
        return;
    market_spec_release(spec);
    free(spec);
}

market_spec_t *market_spec_copy(const market_spec_t *spec)
{
    if (!spec)
        return NULL;
    market_spec_t *c = market_spec_alloc(spec->n_exporters, spec->n_importers);
    if (!c)
        return NULL;
    size_t E = (size_t)spec->n_exporters, I = (size_t)spec->n_importers;
    memcpy(c->exporter_name, spec->exporter_name, E * sizeof *c->exporter_name);
    memcpy(c->importer_name, spec->importer_name, I * sizeof *c->importer_name);
    memcpy(c->production, spec->production, E * sizeof(double));
    memcpy(c->domestic_use, spec->domestic_use, E * sizeof(double));
    memcpy(c->fob_price, spec->fob_price, E * sizeof(double));
    memcpy(c->export_tax, spec->export_tax, E * sizeof(double));
    memcpy(c->eps, spec->eps, E * sizeof(double));
    memcpy(c->kappa, spec->kappa, E * sizeof(double));
    memcpy(c->exchange_rate, spec->exchange_rate, E * sizeof(double));
    memcpy(c->flow, spec->flow, E * I * sizeof(double));
    memcpy(c->freight, spec->freight, E * I * sizeof(double));
    memcpy(c->tariff, spec->tariff, E * I * sizeof(double));
    memcpy(c->sigma, spec->sigma, I * sizeof(double));
    memcpy(c->eta, spec->eta, I * sizeof(double));
    return c;
}

/* A region's name for messages: its own, or its position when the spec left it empty. */
static const char *market_label(const char (*names)[MARKET_NAME_MAX], int k, char *buf,
                                size_t len)
{
    if (names && names[k][0])
        return names[k];
    snprintf(buf, len, "#%d", k + 1);
    return buf;
}

/* The rule every value of a spec must satisfy (all of them finite). */
typedef enum { RULE_POSITIVE, RULE_NONNEGATIVE, RULE_NEGATIVE, RULE_NONPOSITIVE, RULE_FRACTION }
    rule_t;

static const struct {
    const char *field;       /* as a scenario file names it */
    int axes;                /* 1 exporter, 2 importer, 3 route */
    size_t offset;           /* of the array in market_spec_t */
    rule_t rule;
    const char *unit;        /* shown with the rule, "" for none */
} spec_fields[] = {
    {"production", 1, offsetof(market_spec_t, production), RULE_POSITIVE, " (Mt)"},
    {"domestic_use", 1, offsetof(market_spec_t, domestic_use), RULE_NONNEGATIVE, " (Mt)"},
    {"fob_price", 1, offsetof(market_spec_t, fob_price), RULE_POSITIVE, " (USD/t)"},
    {"export_tax", 1, offsetof(market_spec_t, export_tax), RULE_FRACTION, ""},
    {"eps", 1, offsetof(market_spec_t, eps), RULE_NONPOSITIVE, ""},
    {"kappa", 1, offsetof(market_spec_t, kappa), RULE_NONNEGATIVE, ""},
    {"exchange_rate", 1, offsetof(market_spec_t, exchange_rate), RULE_POSITIVE, ""},
    {"flow", 3, offsetof(market_spec_t, flow), RULE_NONNEGATIVE, " (Mt)"},
    {"freight", 3, offsetof(market_spec_t, freight), RULE_NONNEGATIVE, " (USD/t)"},
    {"tariff", 3, offsetof(market_spec_t, tariff), RULE_NONNEGATIVE, ""},
    {"sigma", 2, offsetof(market_spec_t, sigma), RULE_POSITIVE, ""},
    {"eta", 2, offsetof(market_spec_t, eta), RULE_NEGATIVE, ""},
};

static int rule_holds(rule_t rule, double x)
{
    switch (rule) {
    case RULE_POSITIVE: return x > 0 && isfinite(x);
    case RULE_NONNEGATIVE: return x >= 0 && isfinite(x);
    case RULE_NEGATIVE: return x < 0 && isfinite(x);
    case RULE_NONPOSITIVE: return x <= 0 && isfinite(x);
    case RULE_FRACTION: return x >= 0 && x < 1;
    }
    return 0;
}

static const char *const rule_text[] = {"> 0", ">= 0", "< 0", "<= 0", "in [0, 1)"};

static int spec_fault(market_fault_t *fault, const char *field, int i, int j)
{
    if (fault) {
        fault->field = field;
        fault->exporter = i;
        fault->importer = j;
    }
    return -1;
}

int market_spec_check(const market_spec_t *s, market_fault_t *fault, char *err, size_t errlen)
{
    int E = s->n_exporters, I = s->n_importers;
    if (E < 2 || I < 1 || E > MARKET_MAX_REGIONS || I > MARKET_MAX_REGIONS) {
        error_format(err, errlen,
                     "market needs 2..%d exporters and 1..%d importers, got %d and %d",
                     MARKET_MAX_REGIONS, MARKET_MAX_REGIONS, E, I);
        return spec_fault(fault, NULL, -1, -1);
    }
    for (size_t f = 0; f < sizeof spec_fields / sizeof spec_fields[0]; f++) {
        const double *v = *(double *const *)((const char *)s + spec_fields[f].offset);
        int axes = spec_fields[f].axes;
        for (int i = 0; i < (axes & 1 ? E : 1); i++)
            for (int j = 0; j < (axes & 2 ? I : 1); j++) {
                size_t k = axes == 3 ? (size_t)i * (size_t)I + (size_t)j
                                     : (size_t)(axes == 2 ? j : i);
                if (rule_holds(spec_fields[f].rule, v[k]))
                    continue;
                error_format(err, errlen, "%s must be %s%s (got %.15g)", spec_fields[f].field,
                             rule_text[spec_fields[f].rule], spec_fields[f].unit, v[k]);
                return spec_fault(fault, spec_fields[f].field, axes & 1 ? i : -1,
                                  axes & 2 ? j : -1);
            }
    }
    for (int i = 0; i < E; i++) {
        double exports = 0;
        for (int j = 0; j < I; j++)
            exports += s->flow[(size_t)i * (size_t)I + (size_t)j];
        double surplus = s->production[i] - s->domestic_use[i];
        double scale = fmax(exports, fabs(surplus));
        if (fabs(surplus - exports) > MARKET_BALANCE_TOL * scale + 1e-12 * s->production[i]) {
            error_format(err, errlen,
                         "production - domestic_use (%.6g Mt) differs from the sum of its "
                         "route flows (%.6g Mt) by %.3g %% (limit 0.5 %%)", surplus, exports,
                         100 * fabs(surplus - exports) / scale);
            return spec_fault(fault, NULL, i, -1);
        }
    }
    for (int j = 0; j < I; j++) {
        double imports = 0;
        for (int i = 0; i < E; i++)
            imports += s->flow[(size_t)i * (size_t)I + (size_t)j];
        if (!(imports > 0)) {
            error_format(err, errlen, "has no imports (every route flow to it is 0)");
            return spec_fault(fault, NULL, -1, j);
        }
    }
    return 0;
}

/* market_spec_check()'s message, prefixed with the region it is about. */
static int market_validate(const market_spec_t *s, char *err, size_t errlen)
{
    market_fault_t fault;
    char msg[512], b1[24], b2[24];
    if (market_spec_check(s, &fault, msg, sizeof msg) == 0)
        return 0;
    if (fault.exporter >= 0 && fault.importer >= 0)
        error_format(err, errlen, "route '%s' -> '%s': %s",
                     market_label(s->exporter_name, fault.exporter, b1, sizeof b1),
                     market_label(s->importer_name, fault.importer, b2, sizeof b2), msg);
    else if (fault.exporter >= 0)
        error_format(err, errlen, "exporter '%s': %s",
                     market_label(s->exporter_name, fault.exporter, b1, sizeof b1), msg);
    else if (fault.importer >= 0)
        error_format(err, errlen, "importer '%s': %s",
                     market_label(s->importer_name, fault.importer, b2, sizeof b2), msg);
    else
        error_format(err, errlen, "%s", msg);
    return -1;
}

void market_free(market_t *m)
{
    if (!m)
        return;
    free(m->exporter_name);
    free(m->importer_name);
    free(m->production);
    free(m->domestic_use);
    free(m->fob_price);
    free(m->export_tax);
    free(m->eps);
    free(m->kappa);
    free(m->exchange_rate);
    free(m->flow);
    free(m->freight);
    free(m->tariff);
    free(m->sigma);
    free(m->eta);
    free(m->producer_price);
    free(m->landed_price);
    free(m->base_share);
    free(m->composite_imports);
    free(m->price_index);
    free(m->base_value_share);
    free(m);
}

market_t *market_calibrate(const market_spec_t *spec, char *err, size_t errlen)
{
    if (!spec) {
        error_format(err, errlen, "market_calibrate: no spec");
        return NULL;
    }
    if (market_validate(spec, err, errlen) != 0)
        return NULL;
    market_spec_t *copy = market_spec_copy(spec);
    market_t *m = calloc(1, sizeof *m);
    int E = spec->n_exporters, I = spec->n_importers;
    size_t nE = (size_t)E, nI = (size_t)I;
    if (!copy || !m) {
        market_spec_free(copy);
        free(m);
        error_format(err, errlen, "market_calibrate: out of memory");
        return NULL;
    }
    /* The market takes over the copy's arrays. */
    m->n_exporters = E;
    m->n_importers = I;
    m->exporter_name = copy->exporter_name;
    m->importer_name = copy->importer_name;
    m->production = copy->production;
    m->domestic_use = copy->domestic_use;
    m->fob_price = copy->fob_price;
    m->export_tax = copy->export_tax;
    m->eps = copy->eps;
    m->kappa = copy->kappa;
    m->exchange_rate = copy->exchange_rate;
    m->flow = copy->flow;
    m->freight = copy->freight;
    m->tariff = copy->tariff;
    m->sigma = copy->sigma;
    m->eta = copy->eta;
    free(copy);
    m->producer_price = market_vec(nE);
    m->landed_price = market_vec(nE * nI);
    m->base_share = market_vec(nE * nI);
    m->composite_imports = market_vec(nI);
    m->price_index = market_vec(nI);
    m->base_value_share = market_vec(nE * nI);
    if (!m->base_value_share || !m->producer_price || !m->landed_price || !m->base_share || !m->composite_imports ||
        !m->price_index) {
        market_free(m);
        error_format(err, errlen, "market_calibrate: out of memory");
        return NULL;
    }
    for (int i = 0; i < E; i++) {
        m->producer_price[i] = m->fob_price[i] * (1 - m->export_tax[i]);
        /* The baseline must clear exactly for the calibration to reproduce itself, so
         * domestic use absorbs the (at most 0.5 %) discrepancy. */
        double exports = 0;
        for (int j = 0; j < I; j++)
            exports += m->flow[(size_t)i * nI + (size_t)j];
        m->domestic_use[i] = fmax(0.0, m->production[i] - exports);
    }
    for (int j = 0; j < I; j++) {
        double M = 0, V = 0;
        for (int i = 0; i < E; i++) {
            size_t r = (size_t)i * nI + (size_t)j;
            m->landed_price[r] = (m->fob_price[i] + m->freight[r]) * (1 + m->tariff[r]);
            M += m->flow[r];
            V += m->flow[r] * m->landed_price[r];
        }
        m->composite_imports[j] = M;
        m->price_index[j] = V / M;
        for (int i = 0; i < E; i++) {
            size_t r = (size_t)i * nI + (size_t)j;
            m->base_share[r] = m->flow[r] / M;
            m->base_value_share[r] = m->flow[r] * m->landed_price[r] / V;
        }
    }
    if (err && errlen)
        err[0] = '\0';
    return m;
}

int market_exporter_index(const market_t *market, const char *name)
{
    if (!market || !name)
        return -1;
    for (int i = 0; i < market->n_exporters; i++)
        if (strcmp(market->exporter_name[i], name) == 0)
            return i;
    return -1;
}

int market_importer_index(const market_t *market, const char *name)
{
    if (!market || !name)
        return -1;
    for (int j = 0; j < market->n_importers; j++)
        if (strcmp(market->importer_name[j], name) == 0)
            return j;
    return -1;
}
