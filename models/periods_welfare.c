/*
 * periods_welfare.c - welfare with time (MODEL.md Part 2): periods_welfare_alloc/free and
 * periods_welfare_compute, each period's Part 1 terms plus the stockholders', in present
 * values. See models/README.md ("Welfare with time").
 */
#include "periods.h"
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>

/* ---------- welfare ---------- */

periods_welfare_t *periods_welfare_alloc(const periods_market_t *pm)
{
    if (!pm)
        return NULL;
    periods_welfare_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t TE = (size_t)pm->n_periods * (size_t)pm->n_exporters;
    size_t TI = (size_t)pm->n_periods * (size_t)pm->n_importers;
    w->n_exporters = pm->n_exporters;
    w->n_importers = pm->n_importers;
    w->n_periods = pm->n_periods;
    w->importer_consumer_surplus = periods_vec(TI);
    w->tariff_revenue = periods_vec(TI);
    w->transfer = periods_vec(TI);
    w->importer_storage = periods_vec(TI);
    w->producer_surplus = periods_vec(TE);
    w->domestic_consumer_surplus = periods_vec(TE);
    w->export_tax_revenue = periods_vec(TE);
    w->storage = periods_vec(TE);
    if (!w->importer_consumer_surplus || !w->tariff_revenue || !w->transfer ||
        !w->importer_storage || !w->producer_surplus || !w->domestic_consumer_surplus ||
        !w->export_tax_revenue || !w->storage) {
        periods_welfare_free(w);
        return NULL;
    }
    return w;
}

void periods_welfare_free(periods_welfare_t *w)
{
    if (!w)
        return;
    free(w->importer_consumer_surplus); free(w->tariff_revenue); free(w->transfer);
    free(w->importer_storage); free(w->producer_surplus);
    free(w->domestic_consumer_surplus); free(w->export_tax_revenue); free(w->storage);
    free(w);
}

/* Stockholders' surplus change for the stock held at the end of period t (price p, the
 * next period's price pn discounted by 1/(1 + r m_t)); see models/README.md:
 *  - opening stock of the calendar (fixed): + S_open (p1 - p0) in the first period;
 *  - a stock carried to a next period: the carrying margin pn/(1 + r m) - p moves, the
 *    surplus change is the trapezoid 0.5 (S0 + S1)(margin1 - margin0) (exact when the
 *    stock is fixed, second order otherwise);
 *  - the calendar's closing stock (no next price): bought at the last price along its
 *    rule S = S0 (p/p0)^(-psiT): - int S dp, like Part 1's domestic use absorbs it. */
static double periods_stock_term(int t, int T, double open, const double *S0,
                                 const double *S1, const double *p0, const double *p1,
                                 int stride, double k, double psi_last)
{
    double v = t == 0 ? open * (p1[0] - p0[0]) : 0;
    size_t a = (size_t)t * (size_t)stride, b = a + (size_t)stride;
    if (t < T - 1) {
        double m0 = p0[b] * k - p0[a], m1 = p1[b] * k - p1[a];
        v += 0.5 * (S0[a] + S1[a]) * (m1 - m0);
    } else {
        v -= welfare_area(S0[a], p0[a], p1[a], -psi_last);
    }
    return v;
}

void periods_welfare_compute(const periods_market_t *pm, const periods_shocks_t *shocks,
                             const periods_solution_t *before,
                             const periods_solution_t *after, periods_welfare_t *w)
{
    const periods_spec_t *s = pm->spec;
    int E = pm->n_exporters, I = pm->n_importers, T = pm->n_periods;
    double total = 0;
    for (int t = 0; t < T; t++) {
        const shocks_t *sh = shocks->year[s->year[t]];
        double dl = pm->discount[t] / 1000, k = 1 / (1 + s->interest_rate * s->months[t]);
        for (int j = 0; j < I; j++) {
            int a = t * I + j;
            double cs = -welfare_area(before->consumption[a], before->price_index[a],
                                      after->price_index[a], sh->eta[j]);
            double tr = 0, tf = 0;
            for (int i = 0; i < E; i++) {
                int r = (t * E + i) * I + j;
                tr += after->tariff_revenue[r] - before->tariff_revenue[r];
                tf += after->transfer[r] - before->transfer[r];
            }
            double st = periods_stock_term(t, T, s->importer_opening_stock[j],
                                           before->importer_stock + j, after->importer_stock + j,
                                           before->price_index + j, after->price_index + j, I, k,
                                           s->psi_importer_closing[j]);
            w->importer_consumer_surplus[a] = dl * cs;
            w->importer_storage[a] = dl * st;
            /* revenues are already in billion USD */
            w->tariff_revenue[a] = pm->discount[t] * tr;
            w->transfer[a] = pm->discount[t] * tf;
            total += w->importer_consumer_surplus[a] + w->importer_storage[a] +
                     w->tariff_revenue[a] + w->transfer[a];
        }
        for (int i = 0; i < E; i++) {
            int a = t * E + i;
            double ps, dcs;
            welfare_area_pair(before->producer_price[a], after->producer_price[a],
                              before->harvest[a], sh->kappa[i], before->domestic_use[a],
                              sh->eps[i], &ps, &dcs);
            dcs = -dcs;
            double st = periods_stock_term(t, T, s->opening_stock[i], before->stock + i,
                                           after->stock + i, before->producer_price + i,
                                           after->producer_price + i, E, k, s->psi_closing[i]);
            w->producer_surplus[a] = dl * ps;
            w->domestic_consumer_surplus[a] = dl * dcs;
            w->storage[a] = dl * st;
            w->export_tax_revenue[a] =
                pm->discount[t] * (after->export_tax_revenue[a] - before->export_tax_revenue[a]);
            total += w->producer_surplus[a] + w->domestic_consumer_surplus[a] + w->storage[a] +
                     w->export_tax_revenue[a];
        }
    }
    w->world_total = total;
}
