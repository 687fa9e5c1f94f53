/*
 * welfare.c - welfare changes between two solves of one draw (same shocks), in billion
 * USD, from the closed forms of MODEL.md.
 *
 * Every surplus term integrates a constant-elasticity curve q(p) = q0 (p/p0)^e between
 * two prices of the same curve:
 *     int_{p0}^{p1} q dp = q0 p0 ((p1/p0)^(e+1) - 1) / (e + 1)     (q0 p0 ln(p1/p0) at e = -1)
 * written with expm1 so that it stays accurate as e -> -1 and as p1 -> p0.
 *  - importer j: composite demand M_j = A_j PM_j^eta_j, consumer surplus change
 *    -int M dPM (A_j = Mb_j u_j / PMb_j^eta_j is implied by the before solve).
 *  - exporter i: supply Q_i of the producer price Pd_i (elasticity kappa_i): producer
 *    surplus change +int Q dPd; domestic use D_i of Pd_i (elasticity eps_i): domestic
 *    consumer surplus change -int D dPd.
 */
#include "solve.h"
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>

/* The area for lr = log(p1 / p0) of positive prices. */
static double area_of_log(double q0, double p0, double lr, double elasticity)
{
    if (q0 == 0)
        return 0;
    double e1 = elasticity + 1;
    if (e1 == 0)
        return q0 * p0 * lr;
    return q0 * p0 * expm1(e1 * lr) / e1;
}

double welfare_area(double q0, double p0, double p1, double elasticity)
{
    if (!(p0 > 0) || !(p1 > 0) || q0 == 0)
        return 0;
    return area_of_log(q0, p0, log(p1 / p0), elasticity);
}

void welfare_area_pair(double p0, double p1, double q0a, double ea, double q0b, double eb,
                       double *area_a, double *area_b)
{
    *area_a = *area_b = 0;
    if (!(p0 > 0) || !(p1 > 0) || (q0a == 0 && q0b == 0))
        return;
    double lr = log(p1 / p0);
    *area_a = area_of_log(q0a, p0, lr, ea);
    *area_b = area_of_log(q0b, p0, lr, eb);
}

welfare_t *welfare_alloc(const market_t *market)
{
    if (!market)
        return NULL;
    welfare_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t E = (size_t)market->n_exporters, I = (size_t)market->n_importers;
    w->n_exporters = market->n_exporters;
    w->n_importers = market->n_importers;
    w->importer_consumer_surplus = calloc(I, sizeof(double));
    w->tariff_revenue = calloc(I, sizeof(double));
    w->transfer = calloc(I, sizeof(double));
    w->producer_surplus = calloc(E, sizeof(double));
    w->domestic_consumer_surplus = calloc(E, sizeof(double));
    w->export_tax_revenue = calloc(E, sizeof(double));
    if (!w->importer_consumer_surplus || !w->tariff_revenue || !w->transfer ||
        !w->producer_surplus || !w->domestic_consumer_surplus || !w->export_tax_revenue) {
        welfare_free(w);
        return NULL;
    }
    return w;
}

void welfare_free(welfare_t *w)
{
    if (!w)
        return;
    free(w->importer_consumer_surplus);
    free(w->tariff_revenue);
    free(w->transfer);
    free(w->producer_surplus);
    free(w->domestic_consumer_surplus);
    free(w->export_tax_revenue);
    free(w);
}

void welfare_compute(const market_t *market, const shocks_t *shocks,
                     const solution_t *before, const solution_t *after, welfare_t *w)
{
    int E = market->n_exporters, I = market->n_importers;
    double total = 0;
    for (int j = 0; j < I; j++) {
        double cs = -welfare_area(before->composite_imports[j], before->price_index[j],
                                  after->price_index[j], shocks->eta[j]) / 1000;
        double tr = 0, tf = 0;
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            tr += after->tariff_revenue[r] - before->tariff_revenue[r];
            tf += after->transfer[r] - before->transfer[r];
        }
        w->importer_consumer_surplus[j] = cs;
        w->tariff_revenue[j] = tr;
        w->transfer[j] = tf;
        total += cs + tr + tf;
    }
    for (int i = 0; i < E; i++) {
        double ps, dcs;
        welfare_area_pair(before->producer_price[i], after->producer_price[i],
                          before->production[i], shocks->kappa[i], before->domestic_use[i],
                          shocks->eps[i], &ps, &dcs);
        ps /= 1000;
        dcs = -dcs / 1000;
        double et = after->export_tax_revenue[i] - before->export_tax_revenue[i];
        w->producer_surplus[i] = ps;
        w->domestic_consumer_surplus[i] = dcs;
        w->export_tax_revenue[i] = et;
        total += ps + dcs + et;
    }
    w->world_total = total;
}
