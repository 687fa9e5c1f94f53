/*
 * market_fixture.h - the default 2024/25 soybean market (the baseline of
 * tests/data/model-vectors.json) built in code, for suites that need a realistic
 * market without going through the scenario-file loader.
 */
#ifndef AGTRADE_MARKET_FIXTURE_H
#define AGTRADE_MARKET_FIXTURE_H

#include <stdio.h>
#include "../models/market.h"

static inline market_t *fixture_default_market(void)
{
    static const char *const exporters[5] = {"US", "Brazil", "Argentina", "Paraguay", "Other exporters"};
    static const char *const importers[3] = {"China", "EU", "Other importers"};
    static const double production[5] = {119.05, 171.5, 51.11, 10.2, 30.0};
    static const double fob[5] = {410, 400, 385, 375, 405};
    static const double tax[5] = {0, 0, 0.26, 0, 0};
    static const double eps[5] = {-1.0, -0.6, -0.6, -0.5, -0.5};
    static const double flow[15] = {22.8, 5.1, 23.13, 76.8, 6.6, 19.74, 4.2, 0.1, 3.57,
                                    0.0, 0.8, 6.0, 4.2, 2.0, 9.98};
    static const double freight[15] = {40, 25, 35, 38, 28, 35, 43, 30, 35, 45, 35, 30, 45, 20, 35};
    static const double sigma[3] = {12, 6, 6}, eta[3] = {-0.35, -0.5, -0.7};
    market_spec_t *s = market_spec_alloc(5, 3);
    if (!s)
        return NULL;
    for (int i = 0; i < 5; i++) {
        snprintf(s->exporter_name[i], MARKET_NAME_MAX, "%s", exporters[i]);
        s->production[i] = production[i];
        s->fob_price[i] = fob[i];
        s->export_tax[i] = tax[i];
        s->eps[i] = eps[i];
        double exports = 0;
        for (int j = 0; j < 3; j++) {
            s->flow[i * 3 + j] = flow[i * 3 + j];
            s->freight[i * 3 + j] = freight[i * 3 + j];
            s->tariff[i * 3 + j] = j == 0 ? 0.03 : 0.0;
            exports += flow[i * 3 + j];
        }
        s->domestic_use[i] = production[i] - exports;
    }
    for (int j = 0; j < 3; j++) {
        snprintf(s->importer_name[j], MARKET_NAME_MAX, "%s", importers[j]);
        s->sigma[j] = sigma[j];
        s->eta[j] = eta[j];
    }
    char err[256];
    market_t *m = market_calibrate(s, err, sizeof err);
    market_spec_free(s);
    return m;
}

#endif
