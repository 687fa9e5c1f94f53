/*
 * model_fixture.h - markets shared by the model suites, and an independent check of an
 * equilibrium written straight from MODEL.md (a_ij calibration, pow(), no shortcuts),
 * so that the solver's own arithmetic is never used to judge itself.
 */
#ifndef AGTRADE_MODEL_FIXTURE_H
#define AGTRADE_MODEL_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "market.h"
#include "policy.h"
#include "solve.h"
#include "periods.h"

/* A small deterministic generator for the model suites and the benchmark: splitmix64,
 * uniform on (0, 1). */
typedef struct {
    uint64_t s;
} fixture_rng_t;

static inline double fixture_uniform(fixture_rng_t *g)
{
    uint64_t z = (g->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1.0p-53;
}

/* The default 2024/25 soybean market (the one of tests/data/model-vectors.json). */
static inline market_spec_t *fixture_default_spec(void)
{
    static const char *ex[5] = { "US", "Brazil", "Argentina", "Paraguay", "Other exporters" };
    static const char *im[3] = { "China", "EU", "Other importers" };
    static const double Q[5] = { 119.05, 171.5, 51.11, 10.2, 30.0 };
    static const double P[5] = { 410.0, 400.0, 385.0, 375.0, 405.0 };
    static const double e[5] = { 0, 0, 0.26, 0, 0 };
    static const double eps[5] = { -1.0, -0.6, -0.6, -0.5, -0.5 };
    static const double X[15] = { 22.8, 5.1, 23.13, 76.8, 6.6, 19.74, 4.2, 0.1, 3.57,
                                  0.0, 0.8, 6.0, 4.2, 2.0, 9.98 };
    static const double f[15] = { 40, 25, 35, 38, 28, 35, 43, 30, 35, 45, 35, 30, 45, 20, 35 };
    static const double sigma[3] = { 12, 6, 6 }, eta[3] = { -0.35, -0.5, -0.7 };
    market_spec_t *s = market_spec_alloc(5, 3);
    for (int i = 0; i < 5; i++) {
        snprintf(s->exporter_name[i], MARKET_NAME_MAX, "%s", ex[i]);
        s->production[i] = Q[i];
        s->fob_price[i] = P[i];
        s->export_tax[i] = e[i];
        s->eps[i] = eps[i];
        double exports = 0;
        for (int j = 0; j < 3; j++) {
            exports += X[i * 3 + j];
            s->flow[i * 3 + j] = X[i * 3 + j];
            s->freight[i * 3 + j] = f[i * 3 + j];
            s->tariff[i * 3 + j] = j == 0 ? 0.03 : 0.0;
        }
        s->domestic_use[i] = Q[i] - exports;
    }
    for (int j = 0; j < 3; j++) {
        snprintf(s->importer_name[j], MARKET_NAME_MAX, "%s", im[j]);
        s->sigma[j] = sigma[j];
        s->eta[j] = eta[j];
    }
    return s;
}

/* An E x I market with uneven, deterministic data; every route trades. */
static inline market_spec_t *fixture_grid_spec(int E, int I)
{
    market_spec_t *s = market_spec_alloc(E, I);
    for (int i = 0; i < E; i++) {
        snprintf(s->exporter_name[i], MARKET_NAME_MAX, "exporter %d", i);
        double exports = 0;
        for (int j = 0; j < I; j++) {
            int r = i * I + j;
            s->flow[r] = 0.7 + 3.1 * fmod(0.6180339887 * (r + 1) + 0.113 * i, 1.0);
            s->freight[r] = 18 + 37 * fmod(0.4142135623 * (r + 3), 1.0);
            s->tariff[r] = 0.05 * fmod(0.7320508 * (r + 2), 1.0);
            exports += s->flow[r];
        }
        s->production[i] = exports * (1.6 + 0.3 * sin(i + 0.5));
        s->domestic_use[i] = s->production[i] - exports;
        s->fob_price[i] = 380 + 11.3 * ((i * 7) % 5);
        s->export_tax[i] = (i % 4 == 2) ? 0.12 : 0.0;
        s->eps[i] = -0.35 - 0.05 * (i % 5);
        s->kappa[i] = (i % 3 == 1) ? 0.21 : 0.0;
    }
    for (int j = 0; j < I; j++) {
        snprintf(s->importer_name[j], MARKET_NAME_MAX, "importer %d", j);
        s->sigma[j] = 3.5 + 0.9 * (j % 4);
        s->eta[j] = -0.4 - 0.07 * (j % 3);
    }
    return s;
}

/* The landed price at the reported FOB price and wedge. When a floor needs a subsidy
 * of nearly 100 %, 1 + w is below double resolution around -1 and the reported landed
 * price (which carries it exactly) is used instead, after checking it agrees with
 * (P + f)(1 + t)(1 + w) to the resolution w has. */
static inline double fixture_landed(const policy_t *pol, const shocks_t *sh,
                                    const solution_t *sol, int i, int r)
{
    double base = (sol->fob_price[i] + sh->freight[r]) * (1 + pol->tariff[r]);
    double p = base * (1 + sol->wedge[r]);
    if (!(fabs(sol->landed_price[r] - p) <= 1e-12 * base))
        return NAN;   /* inconsistent report: fails every check */
    return 1 + sol->wedge[r] < 1e-6 ? sol->landed_price[r] : p;
}

/* Largest scaled excess supply |Q - D - sum_j X| / Qb and largest relative gap between
 * a reported flow and MODEL.md's flow at the reported prices, recomputed from scratch
 * with a_ij = s_ij (pb_ij / PMb_j)^sigma (baseline sigma of the market: pass shocks
 * with the market's sigma). Zero-baseline and capped-at-0 routes must carry 0 flow. */
static inline void fixture_check_equilibrium(const market_t *m, const policy_t *pol,
                                             const shocks_t *sh, const solution_t *sol,
                                             double *max_excess, double *max_flow_gap)
{
    int E = m->n_exporters, I = m->n_importers;
    double ex[MARKET_MAX_REGIONS] = { 0 };
    *max_flow_gap = 0;
    for (int j = 0; j < I; j++) {
        double sg = sh->sigma[j], Mb = 0, Vb = 0;
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            double pb = (m->fob_price[i] + m->freight[r]) * (1 + m->tariff[r]);
            Mb += m->flow[r];
            Vb += m->flow[r] * pb;
        }
        double PMb = Vb / Mb, sum = 0;
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            if (m->flow[r] == 0 || pol->cap[r] == 0)
                continue;
            double pb = (m->fob_price[i] + m->freight[r]) * (1 + m->tariff[r]);
            double a = m->flow[r] / Mb * pow(pb / PMb, sg);
            double p = fixture_landed(pol, sh, sol, i, r);
            sum += a * pow(p, 1 - sg);
        }
        double PM = pow(sum, 1 / (1 - sg));
        if (fabs(1 - sg) < 1e-9) {   /* Cobb-Douglas: PM = PMb prod_i (p_i / pb_i)^v_i */
            double lnpm = log(PMb);
            for (int i = 0; i < E; i++) {
                int r = i * I + j;
                if (m->flow[r] == 0 || pol->cap[r] == 0)
                    continue;
                double pb = (m->fob_price[i] + m->freight[r]) * (1 + m->tariff[r]);
                lnpm += m->flow[r] * pb / Vb * log(fixture_landed(pol, sh, sol, i, r) / pb);
            }
            PM = exp(lnpm);
        }
        double M = Mb * pow(PM / PMb, sh->eta[j]) * sh->demand_shock[j];
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            double X = 0;
            if (m->flow[r] > 0 && pol->cap[r] != 0) {
                double pb = (m->fob_price[i] + m->freight[r]) * (1 + m->tariff[r]);
                double a = m->flow[r] / Mb * pow(pb / PMb, sg);
                double p = fixture_landed(pol, sh, sol, i, r);
                X = a * pow(p / PM, -sg) * M;
            }
            /* relative, except for flows below 1e-12 of the importer's baseline
             * (subnormal flows after a price explosion carry no relative precision) */
            double gap = fabs(sol->flow[r] - X) / (fabs(X) + 1e-12 * Mb);
            *max_flow_gap = isnan(gap) ? NAN : fmax(*max_flow_gap, gap);
            ex[i] += X;
        }
    }
    *max_excess = 0;
    for (int i = 0; i < E; i++) {
        double Pd = sol->fob_price[i] * (1 - pol->export_tax[i]);
        double Pdb = m->fob_price[i] * (1 - m->export_tax[i]);
        double Q = m->production[i] * sh->yield[i] * pow(Pd / Pdb, sh->kappa[i]);
        double D = m->domestic_use[i] * pow(Pd * sh->exchange_rate[i] / Pdb, sh->eps[i]) *
                   sh->domestic_shock[i];
        double e = fabs(Q - D - ex[i]) / m->production[i];
        *max_excess = isnan(e) || isnan(*max_excess) ? NAN : fmax(*max_excess, e);
    }
}


/* ---- calendars (MODEL.md Part 2) built from the default market ---- */

/* Monthly profiles, September first: harvest shares and shares of each exporter's
 * annual exports by month (illustrative crop calendars, not a calibration). */
static const double fixture_month_harvest[5][12] = {
    { 0.30, 0.45, 0.25, 0, 0, 0, 0, 0, 0, 0, 0, 0 },                 /* US: Sep-Nov */
    { 0, 0, 0, 0, 0.15, 0.35, 0.35, 0.15, 0, 0, 0, 0 },              /* Brazil: Jan-Apr */
    { 0, 0, 0, 0, 0, 0, 0, 0.30, 0.45, 0.25, 0, 0 },                 /* Argentina: Apr-Jun */
    { 0, 0, 0, 0, 0.30, 0.40, 0.30, 0, 0, 0, 0, 0 },                 /* Paraguay: Jan-Mar */
    { 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12.,
      1 / 12., 1 / 12., 1 / 12. },                                   /* Other: all year */
};
static const double fixture_month_exports[5][12] = {
    { 0.08, 0.18, 0.20, 0.18, 0.12, 0.06, 0.04, 0.03, 0.03, 0.03, 0.02, 0.03 },
    { 0.04, 0.03, 0.02, 0.02, 0.03, 0.08, 0.14, 0.15, 0.14, 0.12, 0.12, 0.11 },
    { 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12.,
      1 / 12., 1 / 12., 1 / 12. },
    { 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12.,
      1 / 12., 1 / 12., 1 / 12. },
    { 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12., 1 / 12.,
      1 / 12., 1 / 12., 1 / 12. },
};

/* The default market over `years` marketing years of `per_year` periods each (a divisor
 * of 12). Domestic use evenly spread; exporters' opening stocks the least that keeps
 * every baseline stock >= 0 plus `margin` x annual production; importers consume their
 * imports of each period (static_importers: baseline importer stocks stay at their
 * opening level of 5 % of annual imports) or evenly (opening stock the least that keeps
 * them >= 0 plus the same 5 %). psi etc. are 0: set them before calibrating. */
static inline periods_spec_t *fixture_periods_spec(int per_year, int years, double margin,
                                                   int static_importers)
{
    market_spec_t *d = fixture_default_spec();
    int E = 5, I = 3, T = per_year * years, mpp = 12 / per_year;
    periods_spec_t *s = periods_spec_alloc(E, I, T, years);
    market_spec_free(s->regions);
    s->regions = d;
    for (int t = 0; t < T; t++) {
        int y = t / per_year, p = t % per_year;
        snprintf(s->period_name[t], MARKET_NAME_MAX, "y%d-p%02d", y + 1, p + 1);
        s->months[t] = mpp;
        s->year[t] = y;
        for (int i = 0; i < E; i++) {
            double h = 0, x = 0;
            for (int m = p * mpp; m < (p + 1) * mpp; m++) {
                h += fixture_month_harvest[i][m];
                x += fixture_month_exports[i][m];
            }
            s->harvest_share[t * E + i] = per_year == 1 ? 1 : h;
            s->domestic_use[t * E + i] = d->domestic_use[i] / per_year;
            s->fob_price[t * E + i] = d->fob_price[i];
            for (int j = 0; j < I; j++)
                s->flow[(t * E + i) * I + j] = per_year == 1 ? d->flow[i * I + j]
                                                             : d->flow[i * I + j] * x;
        }
    }
    for (int y = 0; y < years; y++)
        for (int i = 0; i < E; i++)
            s->production[y * E + i] = d->production[i];
    for (int i = 0; i < E; i++) {
        double S = 0, low = 0;
        for (int t = 0; t < per_year; t++) {
            S += s->production[i] * s->harvest_share[t * E + i] - s->domestic_use[t * E + i];
            for (int j = 0; j < I; j++)
                S -= s->flow[(t * E + i) * I + j];
            low = S < low ? S : low;
        }
        s->opening_stock[i] = per_year == 1 ? 0 : -low + margin * d->production[i];
    }
    for (int j = 0; j < I; j++) {
        double Mb = 0;
        for (int i = 0; i < E; i++)
            Mb += d->flow[i * I + j];
        double Z = 0, low = 0;
        for (int t = 0; t < T; t++) {
            double im = 0;
            for (int i = 0; i < E; i++)
                im += s->flow[(t * E + i) * I + j];
            s->consumption[t * I + j] = static_importers ? im : Mb / per_year;
            Z += im - s->consumption[t * I + j];
            low = Z < low ? Z : low;
        }
        s->importer_opening_stock[j] = per_year == 1 ? 0 : -low + 0.05 * Mb;
    }
    return s;
}

#endif
