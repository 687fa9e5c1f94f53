/*
 * market.c - baseline specs and their calibration (see models/README.md).
 */
#include "market.h"
#include "error.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Relative tolerance of the baseline balance Qb - Db = sum_j Xb_ij. */
#define MARKET_BALANCE_TOL 0.005

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

static int market_validate(const market_spec_t *s, char *err, size_t errlen)
{
    int E = s->n_exporters, I = s->n_importers;
    char b1[24], b2[24];
    if (E < 2 || I < 1 || E > MARKET_MAX_REGIONS || I > MARKET_MAX_REGIONS) {
        error_format(err, errlen,
                     "market needs 2..%d exporters and 1..%d importers, got %d and %d",
                     MARKET_MAX_REGIONS, MARKET_MAX_REGIONS, E, I);
        return -1;
    }
    for (int i = 0; i < E; i++) {
        const char *n = market_label(s->exporter_name, i, b1, sizeof b1);
        if (!(s->production[i] > 0) || !isfinite(s->production[i])) {
            error_format(err, errlen, "exporter '%s': production must be > 0 Mt, got %g", n,
                         s->production[i]);
            return -1;
        }
        if (!(s->domestic_use[i] >= 0) || !isfinite(s->domestic_use[i])) {
            error_format(err, errlen, "exporter '%s': domestic use must be >= 0 Mt, got %g",
                         n, s->domestic_use[i]);
            return -1;
        }
        if (!(s->fob_price[i] > 0) || !isfinite(s->fob_price[i])) {
            error_format(err, errlen, "exporter '%s': FOB price must be > 0 USD/t, got %g",
                         n, s->fob_price[i]);
            return -1;
        }
        if (!(s->export_tax[i] >= 0 && s->export_tax[i] < 1)) {
            error_format(err, errlen, "exporter '%s': export tax must be in [0, 1), got %g",
                         n, s->export_tax[i]);
            return -1;
        }
        if (!(s->eps[i] <= 0) || !isfinite(s->eps[i])) {
            error_format(err, errlen,
                         "exporter '%s': domestic demand elasticity eps must be <= 0, got %g",
                         n, s->eps[i]);
            return -1;
        }
        if (!(s->kappa[i] >= 0) || !isfinite(s->kappa[i])) {
            error_format(err, errlen,
                         "exporter '%s': supply elasticity kappa must be >= 0, got %g", n,
                         s->kappa[i]);
            return -1;
        }
        if (!(s->exchange_rate[i] > 0) || !isfinite(s->exchange_rate[i])) {
            error_format(err, errlen, "exporter '%s': exchange rate must be > 0, got %g", n,
                         s->exchange_rate[i]);
            return -1;
        }
        for (int j = 0; j < I; j++) {
            size_t r = (size_t)i * (size_t)I + (size_t)j;
            const char *m = market_label(s->importer_name, j, b2, sizeof b2);
            if (!(s->flow[r] >= 0) || !isfinite(s->flow[r])) {
                error_format(err, errlen, "route '%s' -> '%s': flow must be >= 0 Mt, got %g",
                             n, m, s->flow[r]);
                return -1;
            }
            if (!(s->freight[r] >= 0) || !isfinite(s->freight[r])) {
                error_format(err, errlen,
                             "route '%s' -> '%s': freight must be >= 0 USD/t, got %g", n, m,
                             s->freight[r]);
                return -1;
            }
            if (!(s->tariff[r] >= 0) || !isfinite(s->tariff[r])) {
                error_format(err, errlen, "route '%s' -> '%s': tariff must be >= 0, got %g",
                             n, m, s->tariff[r]);
                return -1;
            }
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
                         "exporter '%s': production - domestic use = %g Mt but exports sum "
                         "to %g Mt (%.3g %% apart, limit 0.5 %%)",
                         market_label(s->exporter_name, i, b1, sizeof b1), surplus, exports,
                         100 * fabs(surplus - exports) / scale);
            return -1;
        }
    }
    for (int j = 0; j < I; j++) {
        const char *m = market_label(s->importer_name, j, b2, sizeof b2);
        double imports = 0;
        for (int i = 0; i < E; i++)
            imports += s->flow[(size_t)i * (size_t)I + (size_t)j];
        if (!(imports > 0)) {
            error_format(err, errlen, "importer '%s': baseline imports must be > 0 Mt, got %g",
                         m, imports);
            return -1;
        }
        if (!(s->sigma[j] > 0) || !isfinite(s->sigma[j])) {
            error_format(err, errlen,
                         "importer '%s': Armington elasticity sigma must be > 0, got %g", m,
                         s->sigma[j]);
            return -1;
        }
        if (!(s->eta[j] < 0) || !isfinite(s->eta[j])) {
            error_format(err, errlen,
                         "importer '%s': import demand elasticity eta must be < 0, got %g", m,
                         s->eta[j]);
            return -1;
        }
    }
    return 0;
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
