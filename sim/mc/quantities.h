/*
 * quantities.h - the per-draw quantities the engine reports (the table in sim/README.md),
 * flattened into one vector of doubles per draw so that the statistics and the writer
 * can treat them generically.
 *
 * Layout of one draw's vector (n_vars doubles):
 *   [ scenario levels (n_level) | reference levels (n_level) | changes (n_level) | welfare (n_welfare) ]
 * Within each level block the quantities follow layout->defs order, each flattened
 * over its axes (exporter-major for routes, the period or year last).
 */
#ifndef AGTRADE_QUANTITIES_H
#define AGTRADE_QUANTITIES_H

#include <stddef.h>
#include "solve.h"
#include "periods.h"

/* Axes as flags: a route is exporter | importer; a calendar quantity adds the period or
 * the marketing year as its last axis. Values are stored in that order (exporter,
 * importer, period or year), the last axis fastest. */
typedef enum {
    AXES_NONE = 0, AXES_EXPORTER = 1, AXES_IMPORTER = 2, AXES_ROUTE = 3,
    AXES_PERIOD = 4, AXES_YEAR = 8
} quantity_axes_t;
typedef enum { FORM_LEVEL, FORM_REF, FORM_CHANGE, FORM_WELFARE } quantity_form_t;

typedef struct {
    const char *name;          /* e.g. "flow" */
    const char *units;         /* CF units string */
    const char *long_name;
    quantity_axes_t axes;
    int is_welfare;            /* 1: a change by construction, no _ref/_change forms */
    size_t field;              /* offsetof the array in solution_t / welfare_t (annual
                                  table) or periods_solution_t / periods_welfare_t
                                  (calendar table); (size_t)-1: derived */
} quantity_def_t;

/* The annual table (no calendar) and the calendar table (with one): a layout uses one. */
extern const quantity_def_t quantity_defs[];
extern const int quantity_def_count;
extern const quantity_def_t quantity_period_defs[];
extern const int quantity_period_def_count;

#define QUANTITY_MAX_DEFS 64

typedef struct {
    int n_exporters, n_importers;
    int n_periods, n_years;    /* 0, 0 without a calendar */
    const quantity_def_t *defs;   /* quantity_defs or quantity_period_defs */
    int n_defs;
    size_t n_level;            /* values per level block */
    size_t n_welfare;
    size_t n_vars;             /* 3 * n_level + n_welfare */
    size_t offset[QUANTITY_MAX_DEFS];  /* offset of each def inside its block */
} quantity_layout_t;

/* Annual layout (the table quantity_defs). */
void quantity_layout_init(quantity_layout_t *layout, int n_exporters, int n_importers);
/* Calendar layout (quantity_period_defs) for n_periods >= 1 periods in n_years >= 1 years. */
void quantity_layout_init_periods(quantity_layout_t *layout, int n_exporters, int n_importers,
                                  int n_periods, int n_years);

/* The index into quantity_defs[] (the annual table) of the quantity called name, or -1. */
int quantity_find(const char *name);
/* The same in a table: the calendar table when `calendar` is non-zero. */
int quantity_find_in(int calendar, const char *name);
const quantity_def_t *quantity_table(int calendar, int *count);

/* Number of values of one quantity (1, E, I or E*I, times T or Y with a calendar axis);
 * def must index layout->defs. */
size_t quantity_size(const quantity_layout_t *layout, int def);

/* Index of a value in the draw vector, or -1 when the name, form or indices do not fit.
 * exporter/importer are ignored (pass -1) for axes the quantity does not have. */
long quantity_index(const quantity_layout_t *layout, const char *name, quantity_form_t form,
                    int exporter, int importer);
/* The same with the calendar axes: period (0..T-1) or year (0..Y-1), -1 where the
 * quantity has no such axis. */
long quantity_index_at(const quantity_layout_t *layout, const char *name,
                       quantity_form_t form, int exporter, int importer, int period, int year);

/* Index of the first value of quantity `def` in form `form` (the block start + offset). */
size_t quantity_base(const quantity_layout_t *layout, int def, quantity_form_t form);

/* Fill one level block (n_level values) from a solution. */
void quantities_from_solution(const quantity_layout_t *layout, const solution_t *sol,
                              double *level);

/* Fill the welfare block (n_welfare values). */
void quantities_from_welfare(const quantity_layout_t *layout, const welfare_t *welfare,
                             double *out);

/* The calendar forms of the two above (layout from quantity_layout_init_periods): per
 * period the solution's arrays (re-ordered from period-major to exporter, importer,
 * period), per year the sums over the year's periods. */
void quantities_from_periods_solution(const quantity_layout_t *layout,
                                      const periods_market_t *pm,
                                      const periods_solution_t *sol, double *level);
void quantities_from_periods_welfare(const quantity_layout_t *layout,
                                     const periods_market_t *pm,
                                     const periods_welfare_t *welfare, double *out);

/* The variable name of a quantity in a form: "flow", "flow_ref", "flow_change". */
void quantity_form_name(const quantity_def_t *def, quantity_form_t form, char *buf, size_t len);

#endif
