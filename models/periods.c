/*
 * periods.c - calendars (MODEL.md Part 2): the spec and its calibration, dated
 * policies, per-year shocks and solutions. The solve itself is in periods_solve.c,
 * welfare with time in periods_welfare.c. See models/README.md ("Part 2").
 */
#include "periods.h"
#include "error.h"
#include "model_internal.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Harvest shares of a year must sum to 1 within this. */
#define PERIODS_SHARE_TOL 1e-6
/* A derived baseline stock within this fraction of the year's production is rounding. */
#define PERIODS_STOCK_ROUNDING 1e-9

double *periods_vec(size_t n)
{
    return calloc(n ? n : 1, sizeof(double));
}

/* ---------- spec ---------- */

periods_spec_t *periods_spec_alloc(int n_exporters, int n_importers, int n_periods,
                                   int n_years)
{
    if (n_periods < 1 || n_periods > PERIODS_MAX || n_years < 1 || n_years > n_periods)
        return NULL;
    periods_spec_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t E = (size_t)n_exporters, I = (size_t)n_importers, T = (size_t)n_periods;
    s->n_exporters = n_exporters;
    s->n_importers = n_importers;
    s->n_periods = n_periods;
    s->n_years = n_years;
    s->regions = market_spec_alloc(n_exporters, n_importers);
    s->period_name = calloc(T, sizeof *s->period_name);
    s->months = periods_vec(T);
    s->year = calloc(T, sizeof(int));
    s->production = periods_vec((size_t)n_years * E);
    s->harvest_share = periods_vec(T * E);
    s->domestic_use = periods_vec(T * E);
    s->fob_price = periods_vec(T * E);
    s->flow = periods_vec(T * E * I);
    s->consumption = periods_vec(T * I);
    s->opening_stock = periods_vec(E);
    s->importer_opening_stock = periods_vec(I);
    s->psi = periods_vec(E);
    s->psi_closing = periods_vec(E);
    s->psi_importer = periods_vec(I);
    s->psi_importer_closing = periods_vec(I);
    s->area_response = periods_vec(E);
    s->interest_rate = 0.004;
    if (!s->regions || !s->period_name || !s->months || !s->year || !s->production ||
        !s->harvest_share || !s->domestic_use || !s->fob_price || !s->flow ||
        !s->consumption || !s->opening_stock || !s->importer_opening_stock || !s->psi ||
        !s->psi_closing || !s->psi_importer || !s->psi_importer_closing ||
        !s->area_response) {
        periods_spec_free(s);
        return NULL;
    }
    for (size_t t = 0; t < T; t++)
        s->months[t] = 1;
    return s;
}

void periods_spec_free(periods_spec_t *s)
{
    if (!s)
        return;
    market_spec_free(s->regions);
    free(s->period_name); free(s->months); free(s->year); free(s->production);
    free(s->harvest_share); free(s->domestic_use); free(s->fob_price); free(s->flow);
    free(s->consumption); free(s->opening_stock); free(s->importer_opening_stock);
    free(s->psi); free(s->psi_closing); free(s->psi_importer);
    free(s->psi_importer_closing); free(s->area_response);
    free(s);
}

static periods_spec_t *periods_spec_copy(const periods_spec_t *s)
{
    periods_spec_t *c = periods_spec_alloc(s->n_exporters, s->n_importers, s->n_periods,
                                           s->n_years);
    if (!c)
        return NULL;
    market_spec_t *regions = market_spec_copy(s->regions);
    if (!regions) {
        periods_spec_free(c);
        return NULL;
    }
    market_spec_free(c->regions);
    c->regions = regions;
    size_t E = (size_t)s->n_exporters, I = (size_t)s->n_importers, T = (size_t)s->n_periods;
    size_t d = sizeof(double);
    memcpy(c->period_name, s->period_name, T * sizeof *s->period_name);
    memcpy(c->months, s->months, T * d);
    memcpy(c->year, s->year, T * sizeof(int));
    memcpy(c->production, s->production, (size_t)s->n_years * E * d);
    memcpy(c->harvest_share, s->harvest_share, T * E * d);
    memcpy(c->domestic_use, s->domestic_use, T * E * d);
    memcpy(c->fob_price, s->fob_price, T * E * d);
    memcpy(c->flow, s->flow, T * E * I * d);
    memcpy(c->consumption, s->consumption, T * I * d);
    memcpy(c->opening_stock, s->opening_stock, E * d);
    memcpy(c->importer_opening_stock, s->importer_opening_stock, I * d);
    memcpy(c->psi, s->psi, E * d);
    memcpy(c->psi_closing, s->psi_closing, E * d);
    memcpy(c->psi_importer, s->psi_importer, I * d);
    memcpy(c->psi_importer_closing, s->psi_importer_closing, I * d);
    memcpy(c->area_response, s->area_response, E * d);
    c->interest_rate = s->interest_rate;
    return c;
}

/* ---------- calibration ---------- */

void periods_market_free(periods_market_t *pm)
{
    if (!pm)
        return;
    if (pm->period_market)
        for (int t = 0; t < pm->n_periods; t++)
            market_free(pm->period_market[t]);
    free(pm->period_market);
    periods_spec_free(pm->spec);
    free(pm->year_first); free(pm->harvest); free(pm->stock); free(pm->importer_stock);
    free(pm->year_price); free(pm->imports_scale); free(pm->discount);
    free(pm);
}

static int periods_bad_nonneg(double v)
{
    return !(v >= 0) || !isfinite(v);
}

/* Everything that needs no derived quantity. 0 or -1 with the message. */
static int periods_validate(const periods_spec_t *s, char *err, size_t errlen)
{
    int E = s->n_exporters, I = s->n_importers, T = s->n_periods, Y = s->n_years;
    const market_spec_t *g = s->regions;
    if (!g || g->n_exporters != E || g->n_importers != I) {
        error_format(err, errlen, "calendar: region data do not match %d exporters, %d importers", E, I);
        return -1;
    }
    for (int t = 0; t < T; t++) {
        const char *pn = s->period_name[t];
        if (!pn[0]) {
            error_format(err, errlen, "calendar: period %d has no name", t + 1);
            return -1;
        }
        for (int q = 0; q < t; q++)
            if (strcmp(pn, s->period_name[q]) == 0) {
                error_format(err, errlen, "calendar: period '%s' named twice", pn);
                return -1;
            }
        if (!(s->months[t] > 0) || !isfinite(s->months[t])) {
            error_format(err, errlen, "period '%s': length %g months must be > 0", pn, s->months[t]);
            return -1;
        }
        int y = s->year[t], prev = t ? s->year[t - 1] : 0;
        if (y < 0 || y >= Y || y < prev || y > prev + 1 || (t == 0 && y != 0)) {
            error_format(err, errlen, "period '%s': marketing year %d out of order (years run "
                         "0..%d, each over consecutive periods)", pn, y, Y - 1);
            return -1;
        }
    }
    if (s->year[T - 1] != Y - 1) {
        error_format(err, errlen, "calendar: %d marketing years declared but the periods use %d",
                     Y, s->year[T - 1] + 1);
        return -1;
    }
    if (periods_bad_nonneg(s->interest_rate)) {
        error_format(err, errlen, "calendar: interest rate %g per month must be >= 0", s->interest_rate);
        return -1;
    }
    for (int i = 0; i < E; i++) {
        const char *en = g->exporter_name[i];
        if (periods_bad_nonneg(s->opening_stock[i]) || periods_bad_nonneg(s->psi[i]) ||
            periods_bad_nonneg(s->psi_closing[i]) || periods_bad_nonneg(s->area_response[i])) {
            error_format(err, errlen, "exporter '%s': opening stock, psi, psiT and area "
                         "response must be finite and >= 0", en);
            return -1;
        }
        for (int y = 0; y < Y; y++)
            if (!(s->production[y * E + i] > 0) || !isfinite(s->production[y * E + i])) {
                error_format(err, errlen, "exporter '%s', year %d: production %g Mt must be > 0",
                             en, y + 1, s->production[y * E + i]);
                return -1;
            }
        double sum = 0;
        for (int t = 0; t < T; t++) {
            double h = s->harvest_share[t * E + i];
            if (periods_bad_nonneg(h) || periods_bad_nonneg(s->domestic_use[t * E + i]) ||
                !(s->fob_price[t * E + i] > 0) || !isfinite(s->fob_price[t * E + i])) {
                error_format(err, errlen, "exporter '%s', period '%s': harvest share and "
                             "domestic use must be >= 0 and the FOB price > 0", en, s->period_name[t]);
                return -1;
            }
            sum += h;
            if (t == T - 1 || s->year[t + 1] != s->year[t]) {
                if (fabs(sum - 1) > PERIODS_SHARE_TOL) {
                    error_format(err, errlen, "exporter '%s', year %d: harvest shares sum to "
                                 "%.9g, not 1", en, s->year[t] + 1, sum);
                    return -1;
                }
                sum = 0;
            }
        }
    }
    for (int j = 0; j < I; j++) {
        const char *jn = g->importer_name[j];
        if (periods_bad_nonneg(s->importer_opening_stock[j]) ||
            periods_bad_nonneg(s->psi_importer[j]) || periods_bad_nonneg(s->psi_importer_closing[j])) {
            error_format(err, errlen, "importer '%s': opening stock, psiM and psiTM must be "
                         "finite and >= 0", jn);
            return -1;
        }
        for (int t = 0; t < T; t++)
            if (!(s->consumption[t * I + j] > 0) || !isfinite(s->consumption[t * I + j])) {
                error_format(err, errlen, "importer '%s', period '%s': consumption %g Mt must be > 0",
                             jn, s->period_name[t], s->consumption[t * I + j]);
                return -1;
            }
    }
    for (int t = 0; t < T * E * I; t++)
        if (periods_bad_nonneg(s->flow[t])) {
            int tt = t / (E * I), i = (t / I) % E, j = t % I;
            error_format(err, errlen, "route '%s' -> '%s', period '%s': flow %g Mt must be >= 0",
                         g->exporter_name[i], g->importer_name[j], s->period_name[tt], s->flow[t]);
            return -1;
        }
    return 0;
}

/* Derives stocks from the balances (exporters, then importers). 0 or -1. */
static int periods_derive_stocks(periods_market_t *pm, char *err, size_t errlen)
{
    const periods_spec_t *s = pm->spec;
    int E = s->n_exporters, I = s->n_importers, T = s->n_periods;
    for (int i = 0; i < E; i++) {
        double S = s->opening_stock[i];
        for (int t = 0; t < T; t++) {
            double ex = 0, Q = s->production[s->year[t] * E + i];
            for (int j = 0; j < I; j++)
                ex += s->flow[(t * E + i) * I + j];
            pm->harvest[t * E + i] = Q * s->harvest_share[t * E + i];
            S = S + pm->harvest[t * E + i] - s->domestic_use[t * E + i] - ex;
            if (fabs(S) <= PERIODS_STOCK_ROUNDING * Q)
                S = 0;
            if (S < 0) {
                error_format(err, errlen, "exporter '%s', period '%s': baseline stock %.6g Mt "
                             "< 0 (opening stock + harvest - domestic use - exports)",
                             s->regions->exporter_name[i], s->period_name[t], S);
                return -1;
            }
            pm->stock[t * E + i] = S;
        }
    }
    for (int j = 0; j < I; j++) {
        double Z = s->importer_opening_stock[j];
        for (int t = 0; t < T; t++) {
            double im = 0;
            for (int i = 0; i < E; i++)
                im += s->flow[(t * E + i) * I + j];
            if (!(im > 0)) {
                error_format(err, errlen, "importer '%s', period '%s': no baseline imports (every "
                             "importer must import something in every period)",
                             s->regions->importer_name[j], s->period_name[t]);
                return -1;
            }
            double C = s->consumption[t * I + j];
            Z = Z + im - C;
            if (fabs(Z) <= PERIODS_STOCK_ROUNDING * (im + C))
                Z = 0;
            if (Z < 0) {
                error_format(err, errlen, "importer '%s', period '%s': baseline stock %.6g Mt "
                             "< 0 (opening stock + imports - consumption)",
                             s->regions->importer_name[j], s->period_name[t], Z);
                return -1;
            }
            pm->importer_stock[t * I + j] = Z;
        }
    }
    return 0;
}

periods_market_t *periods_calibrate(const periods_spec_t *spec, char *err, size_t errlen)
{
    if (!spec) {
        error_format(err, errlen, "periods_calibrate: no spec");
        return NULL;
    }
    if (periods_validate(spec, err, errlen) != 0)
        return NULL;
    int E = spec->n_exporters, I = spec->n_importers, T = spec->n_periods, Y = spec->n_years;
    size_t nE = (size_t)E, nI = (size_t)I, nT = (size_t)T;
    periods_market_t *pm = calloc(1, sizeof *pm);
    market_spec_t *ps = NULL;
    if (!pm)
        goto oom;
    pm->n_exporters = E;
    pm->n_importers = I;
    pm->n_periods = T;
    pm->n_years = Y;
    pm->spec = periods_spec_copy(spec);
    pm->period_market = calloc(nT, sizeof *pm->period_market);
    pm->year_first = calloc((size_t)Y + 1, sizeof(int));
    pm->harvest = periods_vec(nT * nE);
    pm->stock = periods_vec(nT * nE);
    pm->importer_stock = periods_vec(nT * nI);
    pm->year_price = periods_vec((size_t)Y * nE);
    pm->imports_scale = periods_vec((size_t)Y * nI);
    pm->discount = periods_vec(nT);
    ps = market_spec_copy(spec->regions);
    if (!pm->spec || !pm->period_market || !pm->year_first || !pm->harvest || !pm->stock ||
        !pm->importer_stock || !pm->year_price || !pm->imports_scale || !pm->discount || !ps)
        goto oom;
    if (periods_derive_stocks(pm, err, errlen) != 0)
        goto fail;
    const periods_spec_t *s = pm->spec;
    double delta = 1;
    for (int t = 0; t < T; t++) {
        pm->discount[t] = delta;
        delta /= 1 + s->interest_rate * s->months[t];
        if (t == 0 || s->year[t] != s->year[t - 1])
            pm->year_first[s->year[t]] = t;
        /* Period t as a Part 1 market: its net supply is harvest plus the stock drawn. */
        for (int i = 0; i < E; i++) {
            double open = t ? pm->stock[(t - 1) * E + i] : s->opening_stock[i];
            ps->production[i] = pm->harvest[t * E + i] + open - pm->stock[t * E + i];
            ps->domestic_use[i] = s->domestic_use[t * E + i];
            ps->fob_price[i] = s->fob_price[t * E + i];
            for (int j = 0; j < I; j++)
                ps->flow[i * I + j] = s->flow[(t * E + i) * I + j];
            if (!(ps->production[i] > 0)) {
                error_format(err, errlen, "exporter '%s', period '%s': no domestic use and no "
                             "exports at baseline (the period's price would be undetermined)",
                             s->regions->exporter_name[i], s->period_name[t]);
                goto fail;
            }
        }
        char sub[200];
        pm->period_market[t] = market_calibrate(ps, sub, sizeof sub);
        if (!pm->period_market[t]) {
            error_format(err, errlen, "period '%s': %s", s->period_name[t], sub);
            goto fail;
        }
    }
    pm->year_first[Y] = T;
    for (int y = 0; y < Y; y++) {
        int t0 = pm->year_first[y], t1 = pm->year_first[y + 1];
        for (int i = 0; i < E; i++) {
            double num = 0, den = 0;
            for (int t = t0; t < t1; t++) {
                const market_t *m = pm->period_market[t];
                double q = m->production[i];   /* = D + exports at baseline */
                num += m->producer_price[i] * q;
                den += q;
            }
            pm->year_price[y * E + i] = num / den;
        }
        for (int j = 0; j < I; j++) {
            double sum = 0;
            for (int t = t0; t < t1; t++)
                sum += pm->period_market[t]->composite_imports[j];
            pm->imports_scale[y * I + j] = sum / (t1 - t0);
        }
    }
    market_spec_free(ps);
    if (err && errlen)
        err[0] = '\0';
    return pm;
oom:
    error_format(err, errlen, "periods_calibrate: out of memory");
fail:
    market_spec_free(ps);
    periods_market_free(pm);
    return NULL;
}

int periods_index(const periods_market_t *pm, const char *name)
{
    for (int t = 0; t < pm->n_periods; t++)
        if (strcmp(pm->spec->period_name[t], name) == 0)
            return t;
    return -1;
}

/* ---------- policy ---------- */

void periods_policy_free(periods_policy_t *p)
{
    if (!p)
        return;
    free(p->tariff); free(p->export_tax); free(p->floor); free(p->cap); free(p->window);
    free(p);
}

/* The regions' tariffs and export taxes in every period, no bounds, no windows. */
static void periods_policy_reset(const periods_market_t *pm, periods_policy_t *p)
{
    int E = pm->n_exporters, I = pm->n_importers, R = E * I;
    const market_spec_t *g = pm->spec->regions;
    for (int t = 0; t < pm->n_periods; t++) {
        for (int r = 0; r < R; r++) {
            p->tariff[t * R + r] = g->tariff[r];
            p->floor[t * R + r] = 0;
            p->cap[t * R + r] = INFINITY;
        }
        for (int i = 0; i < E; i++)
            p->export_tax[t * E + i] = g->export_tax[i];
    }
    p->n_windows = 0;
}

periods_policy_t *periods_policy_alloc(const periods_market_t *pm, int max_windows)
{
    if (!pm || max_windows < 0)
        return NULL;
    periods_policy_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    size_t T = (size_t)pm->n_periods, R = (size_t)pm->n_exporters * (size_t)pm->n_importers;
    p->n_exporters = pm->n_exporters;
    p->n_importers = pm->n_importers;
    p->n_periods = pm->n_periods;
    p->max_windows = max_windows;
    p->tariff = periods_vec(T * R);
    p->export_tax = periods_vec(T * (size_t)pm->n_exporters);
    p->floor = periods_vec(T * R);
    p->cap = periods_vec(T * R);
    p->window = calloc(max_windows ? (size_t)max_windows : 1, sizeof *p->window);
    if (!p->tariff || !p->export_tax || !p->floor || !p->cap || !p->window) {
        periods_policy_free(p);
        return NULL;
    }
    periods_policy_reset(pm, p);
    return p;
}

void periods_policy_copy_into(periods_policy_t *dst, const periods_policy_t *src)
{
    assert(dst->n_periods == src->n_periods && dst->n_exporters == src->n_exporters &&
           dst->n_importers == src->n_importers);
    size_t T = (size_t)src->n_periods, E = (size_t)src->n_exporters;
    size_t R = E * (size_t)src->n_importers, d = sizeof(double);
    memcpy(dst->tariff, src->tariff, T * R * d);
    memcpy(dst->export_tax, src->export_tax, T * E * d);
    memcpy(dst->floor, src->floor, T * R * d);
    memcpy(dst->cap, src->cap, T * R * d);
    int n = src->n_windows < dst->max_windows ? src->n_windows : dst->max_windows;
    memcpy(dst->window, src->window, (size_t)n * sizeof *src->window);
    dst->n_windows = n;
}

int periods_policy_add_window(periods_policy_t *pol, const periods_window_t *w,
                              char *err, size_t errlen)
{
    if (w->first < 0 || w->last >= pol->n_periods || w->first > w->last) {
        error_format(err, errlen, "window: periods %d..%d outside the calendar (1..%d) or "
                     "reversed", w->first + 1, w->last + 1, pol->n_periods);
        return -1;
    }
    if (w->exporter < 0 || w->exporter >= pol->n_exporters || w->importer < 0 ||
        w->importer >= pol->n_importers || (w->kind != PERIODS_FLOOR && w->kind != PERIODS_CAP)) {
        error_format(err, errlen, "window: unknown route or kind");
        return -1;
    }
    if (periods_bad_nonneg(w->amount)) {
        error_format(err, errlen, "window: amount %g Mt must be finite and >= 0", w->amount);
        return -1;
    }
    if (pol->n_windows >= pol->max_windows) {
        error_format(err, errlen, "window: more than %d windows", pol->max_windows);
        return -1;
    }
    pol->window[pol->n_windows++] = *w;
    return 0;
}

static int periods_same_item(const periods_change_t *a, const periods_change_t *b)
{
    return a->what == b->what && a->exporter == b->exporter &&
           (a->what == PERIODS_SET_EXPORT_TAX || a->importer == b->importer);
}

int periods_policy_resolve(const periods_market_t *pm, const policy_t *base,
                           const periods_change_t *changes, int n_changes,
                           periods_policy_t *out, char *err, size_t errlen)
{
    int E = pm->n_exporters, I = pm->n_importers, R = E * I, T = pm->n_periods;
    if (base->n_exporters != E || base->n_importers != I || out->n_periods != T ||
        out->n_exporters != E || out->n_importers != I) {
        error_format(err, errlen, "schedule: policy dimensions do not match the calendar");
        return -1;
    }
    periods_policy_reset(pm, out);
    for (int t = 0; t < T; t++) {
        memcpy(out->tariff + (size_t)t * R, base->tariff, (size_t)R * sizeof(double));
        memcpy(out->export_tax + (size_t)t * E, base->export_tax, (size_t)E * sizeof(double));
        for (int r = 0; r < R; r++)
            if (base->cap[r] == 0)
                out->cap[t * R + r] = 0;
    }
    /* Part 1 floors and caps are annual quantities: one window per marketing year. */
    for (int r = 0; r < R; r++) {
        for (int kind = PERIODS_FLOOR; kind <= PERIODS_CAP; kind++) {
            double v = kind == PERIODS_FLOOR ? base->floor[r] : base->cap[r];
            if (kind == PERIODS_FLOOR ? !(v > 0) : !(v > 0 && isfinite(v)))
                continue;
            for (int y = 0; y < pm->n_years; y++) {
                periods_window_t w = { r / I, r % I, pm->year_first[y],
                                       pm->year_first[y + 1] - 1, kind, v };
                if (periods_policy_add_window(out, &w, err, errlen) != 0)
                    return -1;
            }
        }
    }
    for (int k = 0; k < n_changes; k++) {
        const periods_change_t *c = changes + k;
        int tax = c->what == PERIODS_SET_EXPORT_TAX;
        if (c->period < 0 || c->period >= T) {
            error_format(err, errlen, "schedule change %d: period %d outside the calendar", k + 1,
                         c->period + 1);
            return -1;
        }
        if (c->exporter < 0 || c->exporter >= E || (!tax && (c->importer < 0 || c->importer >= I)) ||
            c->what < PERIODS_SET_TARIFF || c->what > PERIODS_SET_CAP) {
            error_format(err, errlen, "schedule change %d: unknown region or item", k + 1);
            return -1;
        }
        if (!(c->value >= 0) || (c->what != PERIODS_SET_CAP && !isfinite(c->value)) ||
            (tax && c->value >= 1)) {
            error_format(err, errlen, "schedule change %d (period '%s'): value %g out of range",
                         k + 1, pm->spec->period_name[c->period], c->value);
            return -1;
        }
        /* holds until the next change of the same item */
        int end = T;
        for (int q = 0; q < n_changes; q++) {
            const periods_change_t *o = changes + q;
            if (q != k && periods_same_item(c, o) &&
                (o->period > c->period || (o->period == c->period && q > k)) && o->period < end)
                end = o->period;
        }
        for (int t = c->period; t < end; t++) {
            int r = t * R + c->exporter * I + c->importer;
            switch (c->what) {
            case PERIODS_SET_TARIFF: out->tariff[r] = c->value; break;
            case PERIODS_SET_EXPORT_TAX: out->export_tax[t * E + c->exporter] = c->value; break;
            case PERIODS_SET_FLOOR: out->floor[r] = c->value; break;
            default: out->cap[r] = c->value; break;
            }
        }
    }
    return 0;
}

/* ---------- shocks ---------- */

void periods_shocks_free(periods_shocks_t *sh)
{
    if (!sh)
        return;
    if (sh->year)
        for (int y = 0; y < sh->n_years; y++)
            shocks_free(sh->year[y]);
    free(sh->year);
    free(sh);
}

periods_shocks_t *periods_shocks_alloc_baseline(const periods_market_t *pm)
{
    if (!pm)
        return NULL;
    periods_shocks_t *sh = calloc(1, sizeof *sh);
    if (!sh)
        return NULL;
    sh->n_years = pm->n_years;
    sh->year = calloc((size_t)pm->n_years, sizeof *sh->year);
    if (!sh->year) {
        periods_shocks_free(sh);
        return NULL;
    }
    for (int y = 0; y < pm->n_years; y++)
        if (!(sh->year[y] = shocks_alloc_baseline(pm->period_market[0]))) {
            periods_shocks_free(sh);
            return NULL;
        }
    return sh;
}

void periods_shocks_reset_baseline(periods_shocks_t *sh, const periods_market_t *pm)
{
    for (int y = 0; y < sh->n_years; y++)
        shocks_reset_baseline(sh->year[y], pm->period_market[0]);
}

/* ---------- solution ---------- */

periods_solution_t *periods_solution_alloc(const periods_market_t *pm, int max_windows)
{
    if (!pm || max_windows < 0)
        return NULL;
    periods_solution_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t E = (size_t)pm->n_exporters, I = (size_t)pm->n_importers, T = (size_t)pm->n_periods;
    size_t TE = T * E, TI = T * I, TR = T * E * I, YE = (size_t)pm->n_years * E;
    s->n_exporters = pm->n_exporters;
    s->n_importers = pm->n_importers;
    s->n_periods = pm->n_periods;
    s->n_years = pm->n_years;
    s->max_windows = max_windows;
    s->fob_price = periods_vec(TE);
    s->producer_price = periods_vec(TE);
    s->harvest = periods_vec(TE);
    s->domestic_use = periods_vec(TE);
    s->exports = periods_vec(TE);
    s->stock = periods_vec(TE);
    s->export_tax_revenue = periods_vec(TE);
    s->price_index = periods_vec(TI);
    s->consumption = periods_vec(TI);
    s->importer_stock = periods_vec(TI);
    s->composite_imports = periods_vec(TI);
    s->imports = periods_vec(TI);
    s->import_bound = calloc(TI, 1);
    s->flow = periods_vec(TR);
    s->landed_price = periods_vec(TR);
    s->tariff_revenue = periods_vec(TR);
    s->wedge = periods_vec(TR);
    s->transfer = periods_vec(TR);
    s->production = periods_vec(YE);
    s->expected_price = periods_vec(YE);
    s->window_wedge = periods_vec((size_t)max_windows);
    s->window_flow = periods_vec((size_t)max_windows);
    if (!s->fob_price || !s->producer_price || !s->harvest || !s->domestic_use ||
        !s->exports || !s->stock || !s->export_tax_revenue || !s->price_index ||
        !s->consumption || !s->importer_stock || !s->composite_imports || !s->imports ||
        !s->import_bound || !s->flow || !s->landed_price || !s->tariff_revenue ||
        !s->wedge || !s->transfer || !s->production || !s->expected_price ||
        !s->window_wedge || !s->window_flow) {
        periods_solution_free(s);
        return NULL;
    }
    s->status = SOLVE_MAX_ITER;   /* nothing solved yet */
    s->failed_year = 0;
    return s;
}

void periods_solution_free(periods_solution_t *s)
{
    if (!s)
        return;
    free(s->fob_price); free(s->producer_price); free(s->harvest); free(s->domestic_use);
    free(s->exports); free(s->stock); free(s->export_tax_revenue); free(s->price_index);
    free(s->consumption); free(s->importer_stock); free(s->composite_imports);
    free(s->imports); free(s->import_bound); free(s->flow); free(s->landed_price);
    free(s->tariff_revenue); free(s->wedge); free(s->transfer); free(s->production);
    free(s->expected_price); free(s->window_wedge); free(s->window_flow);
    free(s);
}

void periods_solution_copy_into(periods_solution_t *dst, const periods_solution_t *src)
{
    if (dst == src)
        return;
    size_t E = (size_t)src->n_exporters, I = (size_t)src->n_importers, T = (size_t)src->n_periods;
    size_t de = T * E * sizeof(double), di = T * I * sizeof(double);
    size_t dr = T * E * I * sizeof(double), dy = (size_t)src->n_years * E * sizeof(double);
    memcpy(dst->fob_price, src->fob_price, de);
    memcpy(dst->producer_price, src->producer_price, de);
    memcpy(dst->harvest, src->harvest, de);
    memcpy(dst->domestic_use, src->domestic_use, de);
    memcpy(dst->exports, src->exports, de);
    memcpy(dst->stock, src->stock, de);
    memcpy(dst->export_tax_revenue, src->export_tax_revenue, de);
    memcpy(dst->price_index, src->price_index, di);
    memcpy(dst->consumption, src->consumption, di);
    memcpy(dst->importer_stock, src->importer_stock, di);
    memcpy(dst->composite_imports, src->composite_imports, di);
    memcpy(dst->imports, src->imports, di);
    memcpy(dst->import_bound, src->import_bound, T * I);
    memcpy(dst->flow, src->flow, dr);
    memcpy(dst->landed_price, src->landed_price, dr);
    memcpy(dst->tariff_revenue, src->tariff_revenue, dr);
    memcpy(dst->wedge, src->wedge, dr);
    memcpy(dst->transfer, src->transfer, dr);
    memcpy(dst->production, src->production, dy);
    memcpy(dst->expected_price, src->expected_price, dy);
    int nw = src->max_windows < dst->max_windows ? src->max_windows : dst->max_windows;
    memcpy(dst->window_wedge, src->window_wedge, (size_t)nw * sizeof(double));
    memcpy(dst->window_flow, src->window_flow, (size_t)nw * sizeof(double));
    dst->iterations = src->iterations;
    dst->failed_year = src->failed_year;
    dst->status = src->status;
}
