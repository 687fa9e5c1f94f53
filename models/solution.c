/*
 * solution.c - the solution_t record of one equilibrium solve (solve.h): its allocation,
 * release and copy, and the words for each solve_status_t. The solve that fills it is
 * solve.c.
 */
#include "solve.h"
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

solution_t *solution_alloc(const market_t *market)
{
    if (!market)
        return NULL;
    solution_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t E = (size_t)market->n_exporters, I = (size_t)market->n_importers, R = E * I;
    s->n_exporters = market->n_exporters;
    s->n_importers = market->n_importers;
    s->fob_price = solve_calloc(E, sizeof(double));
    s->producer_price = solve_calloc(E, sizeof(double));
    s->production = solve_calloc(E, sizeof(double));
    s->domestic_use = solve_calloc(E, sizeof(double));
    s->exports = solve_calloc(E, sizeof(double));
    s->farm_revenue = solve_calloc(E, sizeof(double));
    s->export_tax_revenue = solve_calloc(E, sizeof(double));
    s->price_index = solve_calloc(I, sizeof(double));
    s->imports = solve_calloc(I, sizeof(double));
    s->composite_imports = solve_calloc(I, sizeof(double));
    s->landed_price = solve_calloc(R, sizeof(double));
    s->flow = solve_calloc(R, sizeof(double));
    s->share = solve_calloc(R, sizeof(double));
    s->tariff_revenue = solve_calloc(R, sizeof(double));
    s->wedge = solve_calloc(R, sizeof(double));
    s->transfer = solve_calloc(R, sizeof(double));
    if (!s->fob_price || !s->producer_price || !s->production || !s->domestic_use ||
        !s->exports || !s->farm_revenue || !s->export_tax_revenue || !s->price_index ||
        !s->imports || !s->composite_imports || !s->landed_price || !s->flow || !s->share ||
        !s->tariff_revenue || !s->wedge || !s->transfer) {
        solution_free(s);
        return NULL;
    }
    s->status = SOLVE_MAX_ITER;   /* nothing solved yet */
    return s;
}

void solution_free(solution_t *s)
{
    if (!s)
        return;
    free(s->fob_price); free(s->producer_price); free(s->production);
    free(s->domestic_use); free(s->exports); free(s->farm_revenue);
    free(s->export_tax_revenue); free(s->price_index); free(s->imports);
    free(s->composite_imports); free(s->landed_price); free(s->flow); free(s->share);
    free(s->tariff_revenue); free(s->wedge); free(s->transfer);
    free(s);
}

void solution_copy_into(solution_t *dst, const solution_t *src)
{
    if (dst == src)
        return;
    size_t E = (size_t)src->n_exporters, I = (size_t)src->n_importers, R = E * I;
    size_t de = E * sizeof(double), di = I * sizeof(double), dr = R * sizeof(double);
    memcpy(dst->fob_price, src->fob_price, de);
    memcpy(dst->producer_price, src->producer_price, de);
    memcpy(dst->production, src->production, de);
    memcpy(dst->domestic_use, src->domestic_use, de);
    memcpy(dst->exports, src->exports, de);
    memcpy(dst->farm_revenue, src->farm_revenue, de);
    memcpy(dst->export_tax_revenue, src->export_tax_revenue, de);
    memcpy(dst->price_index, src->price_index, di);
    memcpy(dst->imports, src->imports, di);
    memcpy(dst->composite_imports, src->composite_imports, di);
    memcpy(dst->landed_price, src->landed_price, dr);
    memcpy(dst->flow, src->flow, dr);
    memcpy(dst->share, src->share, dr);
    memcpy(dst->tariff_revenue, src->tariff_revenue, dr);
    memcpy(dst->wedge, src->wedge, dr);
    memcpy(dst->transfer, src->transfer, dr);
    dst->iterations = src->iterations;
    dst->status = src->status;
}

const char *solve_status_string(solve_status_t status)
{
    switch (status) {
    case SOLVE_OK: return "converged";
    case SOLVE_MAX_ITER: return "no convergence within the iteration budget";
    case SOLVE_NOT_FINITE: return "a price or flow became NaN or infinite";
    case SOLVE_BAD_INPUT: return "an input outside the model's domain";
    case SOLVE_SINGULAR: return "singular Jacobian (a price is not determined)";
    }
    return "unknown solve status";
}
