/*
 * quantities.h - the per-draw quantities the engine reports (the table in sim/README.md),
 * flattened into one vector of doubles per draw so that the statistics and the writer
 * can treat them generically.
 *
 * Layout of one draw's vector (n_vars doubles):
 *   [ scenario levels (n_level) | reference levels (n_level) | changes (n_level) | welfare (n_welfare) ]
 * Within each level block the quantities follow quantity_defs[] order, each flattened
 * over its axes (exporter-major for routes).
 */
#ifndef AGTRADE_QUANTITIES_H
#define AGTRADE_QUANTITIES_H

#include <stddef.h>
#include "solve.h"

typedef enum { AXES_NONE, AXES_EXPORTER, AXES_IMPORTER, AXES_ROUTE } quantity_axes_t;
typedef enum { FORM_LEVEL, FORM_REF, FORM_CHANGE, FORM_WELFARE } quantity_form_t;

typedef struct {
    const char *name;          /* e.g. "flow" */
    const char *units;         /* CF units string */
    const char *long_name;
    quantity_axes_t axes;
    int is_welfare;            /* 1: a change by construction, no _ref/_change forms */
    size_t field;              /* offsetof the array in solution_t / welfare_t */
} quantity_def_t;

extern const quantity_def_t quantity_defs[];
extern const int quantity_def_count;

typedef struct {
    int n_exporters, n_importers;
    size_t n_level;            /* values per level block */
    size_t n_welfare;
    size_t n_vars;             /* 3 * n_level + n_welfare */
    size_t offset[32];         /* offset of each def inside its block */
} quantity_layout_t;

void quantity_layout_init(quantity_layout_t *layout, int n_exporters, int n_importers);

/* The index into quantity_defs[] of the quantity called name, or -1. */
int quantity_find(const char *name);

/* Number of values of one quantity (1, E, I or E*I); def must index quantity_defs[]. */
size_t quantity_size(const quantity_layout_t *layout, int def);

/* Index of a value in the draw vector, or -1 when the name, form or indices do not fit.
 * exporter/importer are ignored (pass -1) for axes the quantity does not have. */
long quantity_index(const quantity_layout_t *layout, const char *name, quantity_form_t form,
                    int exporter, int importer);

/* Index of the first value of quantity `def` in form `form` (the block start + offset). */
size_t quantity_base(const quantity_layout_t *layout, int def, quantity_form_t form);

/* Fill one level block (n_level values) from a solution. */
void quantities_from_solution(const quantity_layout_t *layout, const solution_t *sol,
                              double *level);

/* Fill the welfare block (n_welfare values). */
void quantities_from_welfare(const quantity_layout_t *layout, const welfare_t *welfare,
                             double *out);

/* The variable name of a quantity in a form: "flow", "flow_ref", "flow_change". */
void quantity_form_name(const quantity_def_t *def, quantity_form_t form, char *buf, size_t len);

#endif
