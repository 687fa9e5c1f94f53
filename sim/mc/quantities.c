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

static size_t axes_size(quantity_axes_t axes, int n_exporters, int n_importers)
{
    switch (axes) {
    case AXES_EXPORTER: return (size_t)n_exporters;
    case AXES_IMPORTER: return (size_t)n_importers;
    case AXES_ROUTE:    return (size_t)n_exporters * (size_t)n_importers;
    default:            return 1;
    }
}

size_t quantity_size(const quantity_layout_t *layout, int def)
{
    assert(def >= 0 && def < quantity_def_count);
    return axes_size(quantity_defs[def].axes, layout->n_exporters, layout->n_importers);
}

void quantity_layout_init(quantity_layout_t *layout, int n_exporters, int n_importers)
{
    /* offset[] has a slot per definition */
    assert(quantity_def_count <= (int)(sizeof layout->offset / sizeof layout->offset[0]));
    memset(layout, 0, sizeof *layout);
    layout->n_exporters = n_exporters;
    layout->n_importers = n_importers;
    for (int d = 0; d < quantity_def_count; d++) {
        size_t *block_len = quantity_defs[d].is_welfare ? &layout->n_welfare : &layout->n_level;
        layout->offset[d] = *block_len;
        *block_len += quantity_size(layout, d);
    }
    layout->n_vars = 3 * layout->n_level + layout->n_welfare;
}

size_t quantity_base(const quantity_layout_t *layout, int def, quantity_form_t form)
{
    assert(def >= 0 && def < quantity_def_count);
    size_t block = quantity_defs[def].is_welfare ? 3 * layout->n_level
                                                 : (size_t)form * layout->n_level;
    return block + layout->offset[def];
}

int quantity_find(const char *name)
{
    for (int d = 0; d < quantity_def_count; d++)
        if (!strcmp(quantity_defs[d].name, name))
            return d;
    return -1;
}

long quantity_index(const quantity_layout_t *layout, const char *name, quantity_form_t form,
                    int exporter, int importer)
{
    for (int d = 0; d < quantity_def_count; d++) {
        const quantity_def_t *def = &quantity_defs[d];
        if (strcmp(def->name, name) != 0)
            continue;
        if (def->is_welfare && form != FORM_LEVEL && form != FORM_WELFARE)
            return -1;
        if (!def->is_welfare && form == FORM_WELFARE)
            return -1;
        size_t within = 0;
        int E = layout->n_exporters, I = layout->n_importers;
        switch (def->axes) {
        case AXES_EXPORTER:
            if (exporter < 0 || exporter >= E) return -1;
            within = (size_t)exporter;
            break;
        case AXES_IMPORTER:
            if (importer < 0 || importer >= I) return -1;
            within = (size_t)importer;
            break;
        case AXES_ROUTE:
            if (exporter < 0 || exporter >= E || importer < 0 || importer >= I) return -1;
            within = (size_t)exporter * (size_t)I + (size_t)importer;
            break;
        case AXES_NONE:
            break;
        }
        return (long)(quantity_base(layout, d, form) + within);
    }
    return -1;
}

/* The array a solution or welfare struct keeps for quantity `def`. */
static const double *field_array(const void *src, size_t field)
{
    return *(const double *const *)((const char *)src + field);
}

void quantities_from_solution(const quantity_layout_t *layout, const solution_t *sol,
                              double *level)
{
    for (int d = 0; d < quantity_def_count; d++) {
        const quantity_def_t *def = &quantity_defs[d];
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
    for (int d = 0; d < quantity_def_count; d++) {
        const quantity_def_t *def = &quantity_defs[d];
        if (!def->is_welfare)
            continue;
        double *v = out + layout->offset[d];
        if (def->axes == AXES_NONE)   /* the world total is a scalar member */
            *v = *(const double *)((const char *)w + def->field);
        else
            memcpy(v, field_array(w, def->field), quantity_size(layout, d) * sizeof *v);
    }
}

void quantity_form_name(const quantity_def_t *def, quantity_form_t form, char *buf, size_t len)
{
    static const char *const suffix[] = {"", "_ref", "_change", ""};
    snprintf(buf, len, "%s%s", def->name, def->is_welfare ? "" : suffix[form]);
}
