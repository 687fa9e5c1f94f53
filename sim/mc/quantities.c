/* quantities.c - see quantities.h. */
#include "quantities.h"
#include <assert.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#define SOL(f) offsetof(solution_t, f)
#define WEL(f) offsetof(welfare_t, f)
#define DERIVED ((size_t)-1)

const quantity_def_t quantity_defs[] = {
    {"fob_price", "USD/t", "FOB export price", AXES_EXPORTER, 0, SOL(fob_price)},
    {"producer_price", "USD/t", "producer price (FOB net of export tax)", AXES_EXPORTER, 0, SOL(producer_price)},
    {"fob_spread", "USD/t", "first exporter's FOB price minus this exporter's", AXES_EXPORTER, 0, DERIVED},
    {"production", "Mt", "production", AXES_EXPORTER, 0, SOL(production)},
    {"domestic_use", "Mt", "domestic use (crush, feed, food, stock change)", AXES_EXPORTER, 0, SOL(domestic_use)},
    {"exports", "Mt", "total exports", AXES_EXPORTER, 0, SOL(exports)},
    {"farm_revenue", "billion USD", "farm revenue (producer price x production)", AXES_EXPORTER, 0, SOL(farm_revenue)},
    {"export_tax_revenue", "billion USD", "export tax revenue", AXES_EXPORTER, 0, SOL(export_tax_revenue)},
    {"price_index", "USD/t", "importer CES import price index", AXES_IMPORTER, 0, SOL(price_index)},
    {"imports", "Mt", "physical imports", AXES_IMPORTER, 0, SOL(imports)},
    {"composite_imports", "Mt", "CES composite import quantity", AXES_IMPORTER, 0, SOL(composite_imports)},
    {"landed_price", "USD/t", "landed price incl. freight, tariff and wedge", AXES_ROUTE, 0, SOL(landed_price)},
    {"flow", "Mt", "trade flow from exporter to importer", AXES_ROUTE, 0, SOL(flow)},
    {"share", "1", "exporter's share of the importer's physical imports", AXES_ROUTE, 0, SOL(share)},
    {"tariff_revenue", "billion USD", "tariff revenue", AXES_ROUTE, 0, SOL(tariff_revenue)},
    {"wedge", "1", "managed-trade price wedge (<0 binding floor, >0 binding cap)", AXES_ROUTE, 0, SOL(wedge)},
    {"transfer", "billion USD", "managed-trade transfer (floor cost < 0, quota rent > 0)", AXES_ROUTE, 0, SOL(transfer)},
    {"welfare_importer_cs", "billion USD", "importer consumer surplus change", AXES_IMPORTER, 1, WEL(importer_consumer_surplus)},
    {"welfare_tariff_revenue", "billion USD", "importer tariff revenue change", AXES_IMPORTER, 1, WEL(tariff_revenue)},
    {"welfare_transfer", "billion USD", "importer managed-trade transfer change", AXES_IMPORTER, 1, WEL(transfer)},
    {"welfare_producer_surplus", "billion USD", "exporter producer surplus change", AXES_EXPORTER, 1, WEL(producer_surplus)},
    {"welfare_domestic_cs", "billion USD", "exporter domestic consumer surplus change", AXES_EXPORTER, 1, WEL(domestic_consumer_surplus)},
    {"welfare_export_tax", "billion USD", "exporter export tax revenue change", AXES_EXPORTER, 1, WEL(export_tax_revenue)},
    {"welfare_total", "billion USD", "world welfare change (sum of all terms)", AXES_NONE, 1, WEL(world_total)},
};
const int quantity_def_count = (int)(sizeof quantity_defs / sizeof quantity_defs[0]);

/* The calendar table. Per period: the periods_solution_t arrays; per year: the
 * solution's (y, i) arrays and sums over the year's periods (derived, below). */
#define PSOL(f) offsetof(periods_solution_t, f)
#define PWEL(f) offsetof(periods_welfare_t, f)
enum { D_IMPORT_BOUND = 1, D_FARM_REVENUE, D_EXPORTS_YEAR, D_DOMESTIC_USE_YEAR,
       D_FARM_REVENUE_YEAR, D_IMPORTS_YEAR, D_FLOW_YEAR, D_SHARE_YEAR, D_VALUE_YEAR,
       D_WELFARE_YEAR };
#define DER(k) ((size_t)-1 - (size_t)(k))
#define EP (AXES_EXPORTER | AXES_PERIOD)
#define IP (AXES_IMPORTER | AXES_PERIOD)
#define RP (AXES_ROUTE | AXES_PERIOD)
#define EY (AXES_EXPORTER | AXES_YEAR)
#define IY (AXES_IMPORTER | AXES_YEAR)
#define RY (AXES_ROUTE | AXES_YEAR)

const quantity_def_t quantity_period_defs[] = {
    {"fob_price", "USD/t", "FOB export price", EP, 0, PSOL(fob_price)},
    {"producer_price", "USD/t", "producer price (FOB net of export tax)", EP, 0, PSOL(producer_price)},
    {"harvest", "Mt", "harvest in the period", EP, 0, PSOL(harvest)},
    {"domestic_use", "Mt", "domestic use in the period", EP, 0, PSOL(domestic_use)},
    {"exports", "Mt", "exports in the period", EP, 0, PSOL(exports)},
    {"stock", "Mt", "exporter stock at the end of the period", EP, 0, PSOL(stock)},
    {"export_tax_revenue", "billion USD", "export tax revenue", EP, 0, PSOL(export_tax_revenue)},
    {"farm_revenue", "billion USD", "farm revenue: producer price x (domestic use + exports)", EP, 0, DER(D_FARM_REVENUE)},
    {"price_index", "USD/t", "importer CES import price index", IP, 0, PSOL(price_index)},
    {"consumption", "Mt", "importer consumption (crush), composite units", IP, 0, PSOL(consumption)},
    {"importer_stock", "Mt", "importer stock at the end of the period, composite units", IP, 0, PSOL(importer_stock)},
    {"composite_imports", "Mt", "CES composite import quantity", IP, 0, PSOL(composite_imports)},
    {"imports", "Mt", "physical imports", IP, 0, PSOL(imports)},
    {"import_bound", "1", "1 where the importer bound M >= 0 binds", IP, 0, DER(D_IMPORT_BOUND)},
    {"landed_price", "USD/t", "landed price incl. freight, tariff and wedge", RP, 0, PSOL(landed_price)},
    {"flow", "Mt", "trade flow from exporter to importer in the period", RP, 0, PSOL(flow)},
    {"tariff_revenue", "billion USD", "tariff revenue", RP, 0, PSOL(tariff_revenue)},
    {"wedge", "1", "managed-trade price wedge (<0 binding floor, >0 binding cap)", RP, 0, PSOL(wedge)},
    {"transfer", "billion USD", "managed-trade transfer (floor cost < 0, quota rent > 0)", RP, 0, PSOL(transfer)},
    {"production", "Mt", "production (harvest) of the marketing year", EY, 0, PSOL(production)},
    {"expected_price", "USD/t", "expected producer price of the year (last year's mean)", EY, 0, PSOL(expected_price)},
    {"exports_year", "Mt", "exports in the marketing year", EY, 0, DER(D_EXPORTS_YEAR)},
    {"domestic_use_year", "Mt", "domestic use in the marketing year", EY, 0, DER(D_DOMESTIC_USE_YEAR)},
    {"farm_revenue_year", "billion USD", "farm revenue: producer price x (domestic use + exports), summed over the year", EY, 0, DER(D_FARM_REVENUE_YEAR)},
    {"imports_year", "Mt", "physical imports in the marketing year", IY, 0, DER(D_IMPORTS_YEAR)},
    {"flow_year", "Mt", "trade flow in the marketing year", RY, 0, DER(D_FLOW_YEAR)},
    {"share_year", "1", "exporter's share of the importer's physical imports in the year", RY, 0, DER(D_SHARE_YEAR)},
    {"trade_value_year", "billion USD", "FOB value of the route's flows in the marketing year", RY, 0, DER(D_VALUE_YEAR)},
    {"welfare_importer_cs", "billion USD", "importer consumer surplus change (present value)", IP, 1, PWEL(importer_consumer_surplus)},
    {"welfare_tariff_revenue", "billion USD", "importer tariff revenue change (present value)", IP, 1, PWEL(tariff_revenue)},
    {"welfare_transfer", "billion USD", "importer managed-trade transfer change (present value)", IP, 1, PWEL(transfer)},
    {"welfare_importer_storage", "billion USD", "importer stockholders' change (present value)", IP, 1, PWEL(importer_storage)},
    {"welfare_producer_surplus", "billion USD", "exporter producer surplus change (present value)", EP, 1, PWEL(producer_surplus)},
    {"welfare_domestic_cs", "billion USD", "exporter domestic consumer surplus change (present value)", EP, 1, PWEL(domestic_consumer_surplus)},
    {"welfare_export_tax", "billion USD", "exporter export tax revenue change (present value)", EP, 1, PWEL(export_tax_revenue)},
    {"welfare_storage", "billion USD", "exporter stockholders' change (present value)", EP, 1, PWEL(storage)},
    {"welfare_total", "billion USD", "world welfare change (sum of all terms, present value)", AXES_NONE, 1, PWEL(world_total)},
    {"welfare_total_year", "billion USD", "world welfare change of the marketing year's periods (present value)", AXES_YEAR, 1, DER(D_WELFARE_YEAR)},
};
const int quantity_period_def_count =
    (int)(sizeof quantity_period_defs / sizeof quantity_period_defs[0]);

static size_t axes_size(const quantity_layout_t *lay, unsigned axes)
{
    size_t n = 1;
    if (axes & AXES_EXPORTER) n *= (size_t)lay->n_exporters;
    if (axes & AXES_IMPORTER) n *= (size_t)lay->n_importers;
    if (axes & AXES_PERIOD) n *= (size_t)lay->n_periods;
    if (axes & AXES_YEAR) n *= (size_t)lay->n_years;
    return n;
}

size_t quantity_size(const quantity_layout_t *layout, int def)
{
    assert(def >= 0 && def < layout->n_defs);
    return axes_size(layout, (unsigned)layout->defs[def].axes);
}

static void layout_fill(quantity_layout_t *layout)
{
    /* offset[] has a slot per definition */
    assert(layout->n_defs <= QUANTITY_MAX_DEFS);
    for (int d = 0; d < layout->n_defs; d++) {
        size_t *block_len = layout->defs[d].is_welfare ? &layout->n_welfare : &layout->n_level;
        layout->offset[d] = *block_len;
        *block_len += quantity_size(layout, d);
    }
    layout->n_vars = 3 * layout->n_level + layout->n_welfare;
}

void quantity_layout_init(quantity_layout_t *layout, int n_exporters, int n_importers)
{
    memset(layout, 0, sizeof *layout);
    layout->n_exporters = n_exporters;
    layout->n_importers = n_importers;
    layout->defs = quantity_defs;
    layout->n_defs = quantity_def_count;
    layout_fill(layout);
}

void quantity_layout_init_periods(quantity_layout_t *layout, int n_exporters, int n_importers,
                                  int n_periods, int n_years)
{
    assert(n_periods >= 1 && n_years >= 1);
    memset(layout, 0, sizeof *layout);
    layout->n_exporters = n_exporters;
    layout->n_importers = n_importers;
    layout->n_periods = n_periods;
    layout->n_years = n_years;
    layout->defs = quantity_period_defs;
    layout->n_defs = quantity_period_def_count;
    layout_fill(layout);
}

size_t quantity_base(const quantity_layout_t *layout, int def, quantity_form_t form)
{
    assert(def >= 0 && def < layout->n_defs);
    size_t block = layout->defs[def].is_welfare ? 3 * layout->n_level
                                                : (size_t)form * layout->n_level;
    return block + layout->offset[def];
}

const quantity_def_t *quantity_table(int calendar, int *count)
{
    *count = calendar ? quantity_period_def_count : quantity_def_count;
    return calendar ? quantity_period_defs : quantity_defs;
}

int quantity_find_in(int calendar, const char *name)
{
    int n;
    const quantity_def_t *defs = quantity_table(calendar, &n);
    for (int d = 0; d < n; d++)
        if (!strcmp(defs[d].name, name))
            return d;
    return -1;
}

int quantity_find(const char *name) { return quantity_find_in(0, name); }

/* One axis: -1 (absent) must go with an axis the quantity lacks, an index in range with
 * one it has. Returns 0 when it fits, adding the axis to the running index. */
static int axis_fits(unsigned axes, unsigned axis, int idx, int len, size_t *within)
{
    if (!(axes & axis))
        return (axis & (AXES_PERIOD | AXES_YEAR)) && idx >= 0 ? -1 : 0;
    if (idx < 0 || idx >= len)
        return -1;
    *within = *within * (size_t)len + (size_t)idx;
    return 0;
}

long quantity_index_at(const quantity_layout_t *layout, const char *name,
                       quantity_form_t form, int exporter, int importer, int period, int year)
{
    for (int d = 0; d < layout->n_defs; d++) {
        const quantity_def_t *def = &layout->defs[d];
        if (strcmp(def->name, name) != 0)
            continue;
        if (def->is_welfare && form != FORM_LEVEL && form != FORM_WELFARE)
            return -1;
        if (!def->is_welfare && form == FORM_WELFARE)
            return -1;
        unsigned axes = (unsigned)def->axes;
        size_t within = 0;
        if (axis_fits(axes, AXES_EXPORTER, exporter, layout->n_exporters, &within) ||
            axis_fits(axes, AXES_IMPORTER, importer, layout->n_importers, &within) ||
            axis_fits(axes, AXES_PERIOD, period, layout->n_periods, &within) ||
            axis_fits(axes, AXES_YEAR, year, layout->n_years, &within))
            return -1;
        return (long)(quantity_base(layout, d, form) + within);
    }
    return -1;
}

long quantity_index(const quantity_layout_t *layout, const char *name, quantity_form_t form,
                    int exporter, int importer)
{
    return quantity_index_at(layout, name, form, exporter, importer, -1, -1);
}

/* The array a solution or welfare struct keeps for quantity `def`. */
static const double *field_array(const void *src, size_t field)
{
    return *(const double *const *)((const char *)src + field);
}

void quantities_from_solution(const quantity_layout_t *layout, const solution_t *sol,
                              double *level)
{
    for (int d = 0; d < layout->n_defs; d++) {
        const quantity_def_t *def = &layout->defs[d];
        if (def->is_welfare)
            continue;
        double *v = level + layout->offset[d];
        size_t n = quantity_size(layout, d);
        if (def->field == DERIVED) {   /* fob_spread: first exporter's premium */
            for (size_t i = 0; i < n; i++)
                v[i] = sol->fob_price[0] - sol->fob_price[i];
        } else {
            memcpy(v, field_array(sol, def->field), n * sizeof *v);
        }
    }
}

void quantities_from_welfare(const quantity_layout_t *layout, const welfare_t *w, double *out)
{
    for (int d = 0; d < layout->n_defs; d++) {
        const quantity_def_t *def = &layout->defs[d];
        if (!def->is_welfare)
            continue;
        double *v = out + layout->offset[d];
        if (def->axes == AXES_NONE)   /* the world total is a scalar member */
            *v = *(const double *)((const char *)w + def->field);
        else
            memcpy(v, field_array(w, def->field), quantity_size(layout, d) * sizeof *v);
    }
}

/* ---- the calendar ---- */

/* Where value (exporter e, importer j, period or year k) of a quantity with these axes
 * sits in the model's arrays, which are period- (or year-) major: (k, i), (k, j) or
 * (k, i, j). */
static size_t model_index(unsigned axes, int E, int I, int e, int j, int k)
{
    size_t region = 0, stride = 1;
    if ((axes & AXES_ROUTE) == AXES_ROUTE) {
        region = (size_t)e * (size_t)I + (size_t)j;
        stride = (size_t)E * (size_t)I;
    } else if (axes & AXES_EXPORTER) {
        region = (size_t)e;
        stride = (size_t)E;
    } else if (axes & AXES_IMPORTER) {
        region = (size_t)j;
        stride = (size_t)I;
    }
    return (size_t)k * stride + region;
}

/* A year's sum of a period-major array (element (t, region) at t * stride + region). */
static double year_sum(const periods_market_t *pm, const double *a, int y, size_t stride,
                       size_t region)
{
    double s = 0;
    for (int t = pm->year_first[y]; t < pm->year_first[y + 1]; t++)
        s += a[(size_t)t * stride + region];
    return s;
}

/* Every welfare term of the periods of year y (the order of periods_welfare_compute's
 * total within a period: importers, then exporters). */
static double welfare_year(const periods_market_t *pm, const periods_welfare_t *w, int y)
{
    size_t E = (size_t)pm->n_exporters, I = (size_t)pm->n_importers;
    double s = 0;
    for (int t = pm->year_first[y]; t < pm->year_first[y + 1]; t++) {
        for (size_t j = 0; j < I; j++) {
            size_t a = (size_t)t * I + j;
            s += w->importer_consumer_surplus[a] + w->importer_storage[a] + w->tariff_revenue[a] +
                 w->transfer[a];
        }
        for (size_t i = 0; i < E; i++) {
            size_t a = (size_t)t * E + i;
            s += w->producer_surplus[a] + w->domestic_consumer_surplus[a] + w->storage[a] +
                 w->export_tax_revenue[a];
        }
    }
    return s;
}

/* src: the solution, or the welfare for welfare quantities. */
static double derived_value(int kind, const periods_market_t *pm, const void *src, int e, int j,
                            int k)
{
    size_t E = (size_t)pm->n_exporters, I = (size_t)pm->n_importers;
    const periods_solution_t *sol = src;
    switch (kind) {
    case D_IMPORT_BOUND:
        return sol->import_bound[(size_t)k * I + (size_t)j];
    case D_FARM_REVENUE: {
        size_t at = (size_t)k * E + (size_t)e;
        return sol->producer_price[at] * (sol->domestic_use[at] + sol->exports[at]) / 1000;
    }
    case D_VALUE_YEAR: {
        double v = 0;
        for (int t = pm->year_first[k]; t < pm->year_first[k + 1]; t++)
            v += sol->fob_price[(size_t)t * E + (size_t)e] *
                 sol->flow[((size_t)t * E + (size_t)e) * I + (size_t)j] / 1000;
        return v;
    }
    case D_WELFARE_YEAR:
        return welfare_year(pm, src, k);
    case D_EXPORTS_YEAR:
        return year_sum(pm, sol->exports, k, E, (size_t)e);
    case D_DOMESTIC_USE_YEAR:
        return year_sum(pm, sol->domestic_use, k, E, (size_t)e);
    case D_FARM_REVENUE_YEAR: {
        double v = 0;
        for (int t = pm->year_first[k]; t < pm->year_first[k + 1]; t++)
            v += derived_value(D_FARM_REVENUE, pm, src, e, j, t);
        return v;
    }
    case D_IMPORTS_YEAR:
        return year_sum(pm, sol->imports, k, I, (size_t)j);
    case D_FLOW_YEAR:
        return year_sum(pm, sol->flow, k, E * I, (size_t)e * I + (size_t)j);
    case D_SHARE_YEAR: {
        double total = year_sum(pm, sol->imports, k, I, (size_t)j);
        return total > 0 ? year_sum(pm, sol->flow, k, E * I, (size_t)e * I + (size_t)j) / total
                         : 0.0;
    }
    }
    assert(0 && "unknown derived calendar quantity");
    return 0;
}

/* Fill one quantity's values (exporter, importer, period/year order) from a struct of
 * period-major arrays, or through derived_value(). */
static void fill_calendar(const quantity_layout_t *lay, const quantity_def_t *def,
                          const void *src, const periods_market_t *pm, double *v)
{
    unsigned axes = (unsigned)def->axes;
    int E = lay->n_exporters, I = lay->n_importers;
    int ne = axes & AXES_EXPORTER ? E : 1, ni = axes & AXES_IMPORTER ? I : 1;
    int nk = axes & AXES_PERIOD ? lay->n_periods : axes & AXES_YEAR ? lay->n_years : 1;
    if (axes == AXES_NONE) {   /* the world total is a scalar member */
        *v = *(const double *)((const char *)src + def->field);
        return;
    }
    int kind = def->field > DER(64) ? (int)((size_t)-1 - def->field) : 0;
    const double *a = kind ? NULL : field_array(src, def->field);
    size_t n = 0;
    for (int e = 0; e < ne; e++)
        for (int j = 0; j < ni; j++)
            for (int k = 0; k < nk; k++)
                v[n++] = kind ? derived_value(kind, pm, src, e, j, k)
                              : a[model_index(axes, E, I, e, j, k)];
}

void quantities_from_periods_solution(const quantity_layout_t *layout,
                                      const periods_market_t *pm,
                                      const periods_solution_t *sol, double *level)
{
    for (int d = 0; d < layout->n_defs; d++)
        if (!layout->defs[d].is_welfare)
            fill_calendar(layout, &layout->defs[d], sol, pm, level + layout->offset[d]);
}

void quantities_from_periods_welfare(const quantity_layout_t *layout,
                                     const periods_market_t *pm, const periods_welfare_t *w,
                                     double *out)
{
    for (int d = 0; d < layout->n_defs; d++)
        if (layout->defs[d].is_welfare)
            fill_calendar(layout, &layout->defs[d], w, pm, out + layout->offset[d]);
}

void quantity_form_name(const quantity_def_t *def, quantity_form_t form, char *buf, size_t len)
{
    static const char *const suffix[] = {"", "_ref", "_change", ""};
    snprintf(buf, len, "%s%s", def->name, def->is_welfare ? "" : suffix[form]);
}
