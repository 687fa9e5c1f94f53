/* cmd_summary.c - `agtrade summary OUT.h5`: the headline results as a readable table, or
 * every statistic as a tidy CSV / JSON table (one row per cell) for Excel, Stata, R. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attrib.h"
#include "cli.h"
#include "report.h"
#include "sweep.h"

static const char summary_usage[] =
    "usage: agtrade summary OUT.h5 [--exporter X] [--importer Y] [--all] [--format F]\n"
    "                              [--period P] [--year Y]\n"
    "\n"
    "Prints the results of an agtrade output file, per sweep point and per regime.\n"
    "  -e, --exporter X   routes and regions of exporter X (default: the first one)\n"
    "  -i, --importer Y   routes and regions of importer Y (default: the first one)\n"
    "  -a, --all          every exporter and importer\n"
    "  -f, --format F     text (default): median, 5-95 % interval and mean with its Monte\n"
    "                     Carlo standard error of the headline quantities; every welfare\n"
    "                     term of every region is listed (terms zero in every draw left\n"
    "                     out), so the means of the welfare rows add up to the world total;\n"
    "                     csv or json: every statistic of every quantity, one row per point\n"
    "                     x regime x quantity x form x exporter x importer x period x year\n"
    "                     x statistic, with the sweep coordinates and units as columns\n"
    "                     (every region unless --exporter / --importer narrow it; the\n"
    "                     period and year columns are empty where a quantity has no such\n"
    "                     axis)\n"
    "      --period P     a calendar file's period P (a name of its period coordinate):\n"
    "                     text shows the headline rows at P; csv / json keep the rows of\n"
    "                     quantities at P (plus draw counts and thresholds)\n"
    "      --year Y       the same for marketing year Y (its year coordinate); with both,\n"
    "                     csv / json keep the rows at P and those at Y\n";

/* Which regions the output covers: sel_exp[e] / sel_imp[i] non-zero. */
typedef struct {
    const char *sel_exp, *sel_imp;
    int period, year;            /* --period / --year: an index, or -1 */
} selection_t;

static double stat_at(const point_summary_t *ps, const double *arr, int group, long v)
{
    return arr[(size_t)group * ps->n_vars + (size_t)v];
}

/* ---- text ------------------------------------------------------------------------- */

typedef struct {
    const results_t *res;
    const point_summary_t *ps;
    int group;                   /* 0 = all draws, 1 + r = regime r */
    report_table_t *table;
} text_t;

static void text_row_at(const text_t *t, const char *label, const char *name,
                        quantity_form_t form, int exporter, int importer, int period, int year)
{
    long v = quantity_index_at(&t->res->layout, name, form, exporter, importer, period, year);
    if (v < 0)
        return;
    size_t at = (size_t)t->group * t->ps->n_vars + (size_t)v;
    const double *q = &t->ps->quantile[at * SUMMARY_N_QUANTILES];
    const char *units = "";
    for (int d = 0; d < t->res->layout.n_defs; d++)
        if (!strcmp(t->res->layout.defs[d].name, name))
            units = t->res->layout.defs[d].units;
    /* quantile order: 0.01 0.05 0.10 0.25 0.50 0.75 0.90 0.95 0.99 */
    report_cell_text(t->table, label);
    report_cell_number(t->table, q[4]);
    report_cell_number(t->table, q[1]);
    report_cell_number(t->table, q[7]);
    report_cell_number(t->table, t->ps->mean[at]);
    report_cell_number(t->table, t->ps->mcse[at]);
    report_cell_text(t->table, units);
}

static void text_row(const text_t *t, const char *label, const char *name,
                     quantity_form_t form, int exporter, int importer)
{
    text_row_at(t, label, name, form, exporter, importer, -1, -1);
}

/* A calendar: the first two exporters' shipments to the first importer by period and
 * the first route by year, with the change vs reference, and the first exporter's stock
 * by period. */
static void text_calendar(const text_t *t)
{
    const results_t *res = t->res;
    char label[320];
    for (int e = 0; e < res->n_exporters && e < 2; e++)
        for (int p = 0; p < res->n_periods; p++) {
            snprintf(label, sizeof label, "%s -> %s, %s", res->exporter_name[e],
                     res->importer_name[0], res->period_name[p]);
            text_row_at(t, label, "flow", FORM_LEVEL, e, 0, p, -1);
            text_row_at(t, "  change vs reference", "flow", FORM_CHANGE, e, 0, p, -1);
        }
    for (int y = 0; y < res->n_years; y++) {
        snprintf(label, sizeof label, "%s -> %s, year %s", res->exporter_name[0],
                 res->importer_name[0], res->year_name[y]);
        text_row_at(t, label, "flow_year", FORM_LEVEL, 0, 0, -1, y);
        text_row_at(t, "  change vs reference", "flow_year", FORM_CHANGE, 0, 0, -1, y);
    }
    for (int p = 0; p < res->n_periods; p++) {
        snprintf(label, sizeof label, "stock %s, end of %s", res->exporter_name[0],
                 res->period_name[p]);
        text_row_at(t, label, "stock", FORM_LEVEL, 0, -1, p, -1);
    }
}

/* --period P: the selected routes' flows, the exporters' FOB prices and stocks and the
 * importers' stocks at P. */
static void text_at_period(const text_t *t, const selection_t *sel)
{
    const results_t *res = t->res;
    const char *pn = res->period_name[sel->period];
    char label[400];
    for (int e = 0; e < res->n_exporters; e++)
        for (int i = 0; i < res->n_importers; i++)
            if (sel->sel_exp[e] && sel->sel_imp[i]) {
                snprintf(label, sizeof label, "%s -> %s, %s", res->exporter_name[e],
                         res->importer_name[i], pn);
                text_row_at(t, label, "flow", FORM_LEVEL, e, i, sel->period, -1);
                text_row_at(t, "  change vs reference", "flow", FORM_CHANGE, e, i, sel->period, -1);
            }
    for (int e = 0; e < res->n_exporters; e++) {
        snprintf(label, sizeof label, "FOB price %s, %s", res->exporter_name[e], pn);
        text_row_at(t, label, "fob_price", FORM_LEVEL, e, -1, sel->period, -1);
    }
    for (int e = 0; e < res->n_exporters; e++)
        if (sel->sel_exp[e]) {
            snprintf(label, sizeof label, "stock %s, end of %s", res->exporter_name[e], pn);
            text_row_at(t, label, "stock", FORM_LEVEL, e, -1, sel->period, -1);
        }
    for (int i = 0; i < res->n_importers; i++)
        if (sel->sel_imp[i]) {
            snprintf(label, sizeof label, "stock %s, end of %s", res->importer_name[i], pn);
            text_row_at(t, label, "importer_stock", FORM_LEVEL, -1, i, sel->period, -1);
        }
}

/* --year Y: the selected routes' flows and shares, the exporters' farm revenue and the
 * world welfare of marketing year Y. */
static void text_at_year(const text_t *t, const selection_t *sel)
{
    const results_t *res = t->res;
    const char *yn = res->year_name[sel->year];
    char label[400];
    for (int e = 0; e < res->n_exporters; e++)
        for (int i = 0; i < res->n_importers; i++)
            if (sel->sel_exp[e] && sel->sel_imp[i]) {
                snprintf(label, sizeof label, "%s -> %s, year %s", res->exporter_name[e],
                         res->importer_name[i], yn);
                text_row_at(t, label, "flow_year", FORM_LEVEL, e, i, -1, sel->year);
                text_row_at(t, "  change vs reference", "flow_year", FORM_CHANGE, e, i, -1, sel->year);
                snprintf(label, sizeof label, "share of %s's imports from %s, year %s",
                         res->importer_name[i], res->exporter_name[e], yn);
                text_row_at(t, label, "share_year", FORM_LEVEL, e, i, -1, sel->year);
            }
    for (int e = 0; e < res->n_exporters; e++)
        if (sel->sel_exp[e]) {
            snprintf(label, sizeof label, "farm revenue %s, year %s", res->exporter_name[e], yn);
            text_row_at(t, label, "farm_revenue_year", FORM_LEVEL, e, -1, -1, sel->year);
            text_row_at(t, "  change vs reference", "farm_revenue_year", FORM_CHANGE, e, -1, -1,
                        sel->year);
        }
    snprintf(label, sizeof label, "welfare: world total, year %s", yn);
    text_row_at(t, label, "welfare_total_year", FORM_WELFARE, -1, -1, -1, sel->year);
}

static void text_quantity(const text_t *t, const char *name, const char *what, int exporter,
                          int importer, int with_change)
{
    char label[400];
    report_region_label(t->res, what, exporter, importer, label, sizeof label);
    text_row(t, label, name, FORM_LEVEL, exporter, importer);
    if (with_change)
        text_row(t, "  change vs reference", name, FORM_CHANGE, exporter, importer);
}

/* A welfare term that is exactly 0 in every draw (no export tax, no floor) adds nothing
 * to the total: listing it would only hide the terms that matter. */
static int welfare_is_zero(const text_t *t, const char *name, int exporter, int importer)
{
    long v = quantity_index(&t->res->layout, name, FORM_WELFARE, exporter, importer);
    return v < 0 || (stat_at(t->ps, t->ps->min, 0, v) == 0 && stat_at(t->ps, t->ps->max, 0, v) == 0);
}

static void text_welfare(const text_t *t)
{
    const results_t *res = t->res;
    static const struct { const char *name, *what; int of_exporter; } terms[] = {
        {"welfare_importer_cs", "welfare: consumer surplus", 0},
        {"welfare_tariff_revenue", "welfare: tariff revenue", 0},
        {"welfare_transfer", "welfare: managed-trade transfer", 0},
        {"welfare_producer_surplus", "welfare: producer surplus", 1},
        {"welfare_domestic_cs", "welfare: domestic consumer surplus", 1},
        {"welfare_export_tax", "welfare: export tax revenue", 1}};
    for (size_t k = 0; k < sizeof terms / sizeof terms[0]; k++) {
        int n = terms[k].of_exporter ? res->n_exporters : res->n_importers;
        for (int r = 0; r < n; r++) {
            int e = terms[k].of_exporter ? r : -1, i = terms[k].of_exporter ? -1 : r;
            if (!welfare_is_zero(t, terms[k].name, e, i))
                text_quantity(t, terms[k].name, terms[k].what, e, i, 0);
        }
    }
    text_quantity(t, "welfare_total", "welfare: world total", -1, -1, 0);
}

static int text_table(const text_t *t0, const selection_t *sel)
{
    static const char *const cols[] = {"quantity", "median", "5%", "95%", "mean", "mcse", "units"};
    text_t t = *t0;
    const results_t *res = t.res;
    if (!(t.table = report_table_new(7, cols)))
        return -1;
    if (sel->period >= 0 || sel->year >= 0) {   /* a named period or year: its rows only */
        if (sel->period >= 0)
            text_at_period(&t, sel);
        if (sel->year >= 0)
            text_at_year(&t, sel);
        goto print;
    }
    if (res->n_periods)
        text_calendar(&t);
    for (int e = 0; e < res->n_exporters; e++)
        for (int i = 0; i < res->n_importers; i++)
            if (sel->sel_exp[e] && sel->sel_imp[i])
                text_quantity(&t, "flow", "exports", e, i, 1);
    for (int i = 0; i < res->n_importers; i++) {
        if (!sel->sel_imp[i])
            continue;
        char what[200];
        for (int e = 0; e < res->n_exporters; e++) {
            snprintf(what, sizeof what, "share of %s's imports from %s", res->importer_name[i],
                     res->exporter_name[e]);
            text_row(&t, what, "share", FORM_LEVEL, e, i);
            if (sel->sel_exp[e])
                text_row(&t, "  change vs reference", "share", FORM_CHANGE, e, i);
        }
    }
    for (int e = 0; e < res->n_exporters; e++)
        text_quantity(&t, "fob_price", "FOB price", e, -1, 0);
    for (int e = 1; e < res->n_exporters; e++) {
        char what[200];
        snprintf(what, sizeof what, "FOB spread %s minus", res->exporter_name[0]);
        text_quantity(&t, "fob_spread", what, e, -1, 1);
    }
    for (int e = 0; e < res->n_exporters; e++)
        if (sel->sel_exp[e])
            text_quantity(&t, "farm_revenue", "farm revenue", e, -1, 1);
    text_welfare(&t);
print:;
    int rc = report_table_print(t.table, REPORT_TEXT, 2, stdout);
    report_table_free(t.table);
    if (rc)
        return -1;
    for (int k = 0; k < res->n_thresholds; k++) {
        size_t at = (size_t)t.group * (size_t)res->n_thresholds + (size_t)k;
        printf("  P(%s) = %.4f +/- %.4f\n", res->threshold_name[k], t.ps->threshold_prob[at],
               t.ps->threshold_mcse[at]);
    }
    return 0;
}

/* ---- what drives the spread (attrib.h) ------------------------------------------- */

/* Law of total variance of one value: how much of its variance over all draws is policy
 * (which regime happens) and how much market (the sampled inputs within a regime). */
static void print_variance_split(const results_t *res, const point_summary_t *ps,
                                 const char *label, const char *name, quantity_form_t form,
                                 int exporter, int importer)
{
    long v = quantity_index(&res->layout, name, form, exporter, importer);
    if (v < 0)
        return;
    double within, between;
    attrib_variance_split(ps, (size_t)v, &within, &between);
    double total = within + between;
    if (!(total > 0))
        return;
    /* single spaces: the table parsers (tests/test_results.py) read only the table rows */
    printf("  %s: %.1f %% policy (between regimes), %.1f %% market (within regimes)\n", label,
           100.0 * between / total, 100.0 * within / total);
}

/* Where value v (a draw-vector index) sits among the attributed values, or -1. */
static long attrib_position(const results_t *res, long v)
{
    size_t at = 0;
    for (int t = 0; t < res->n_targets; t++) {
        size_t base = quantity_base(&res->layout, res->targets[t].def, res->targets[t].form);
        size_t n = quantity_size(&res->layout, res->targets[t].def);
        if ((size_t)v >= base && (size_t)v < base + n)
            return (long)(at + (size_t)v - base);
        at += n;
    }
    return -1;
}

#define TOP_DRIVERS 3

/* The (up to) TOP_DRIVERS inputs i with the largest |key[i * stride]| (NaN keys left
 * out), largest first; returns how many. */
static int rank_top(const double *key, size_t stride, int n, int *top)
{
    int n_top = 0;
    for (int i = 0; i < n; i++) {
        double k = fabs(key[(size_t)i * stride]);
        if (isnan(k))
            continue;
        int at = n_top < TOP_DRIVERS ? n_top++ : TOP_DRIVERS;
        for (; at > 0 && fabs(key[(size_t)top[at - 1] * stride]) < k; at--)
            if (at < TOP_DRIVERS)
                top[at] = top[at - 1];
        if (at < TOP_DRIVERS)
            top[at] = i;
    }
    return n_top;
}

/* One value's top drivers: by |standardized regression coefficient| (sobol 0) or by
 * total Sobol index (sobol 1). Single spaces: the table parsers (tests/test_results.py)
 * read only the table rows. */
static void print_top_drivers(const results_t *res, const point_summary_t *ps, int sobol,
                              const char *label, const char *name, quantity_form_t form,
                              int exporter, int importer)
{
    long v = quantity_index(&res->layout, name, form, exporter, importer);
    long a = v < 0 ? -1 : attrib_position(res, v);
    if (a < 0 || !(sobol ? ps->sobol_st != NULL : ps->corr_input != NULL))
        return;
    size_t A = ps->n_attrib;
    int top[TOP_DRIVERS];
    int n_top = sobol ? rank_top(ps->sobol_st + a, A, ps->sobol_k, top)
                      : rank_top(ps->src_input + a, A, ps->n_inputs, top);
    if (n_top == 0)
        return;
    if (sobol)
        printf("  %s:", label);
    else
        printf("  %s: R^2 %.2f;", label, ps->r2[a]);
    for (int k = 0; k < n_top; k++) {
        size_t at = (size_t)top[k] * A + (size_t)a;
        if (sobol)
            printf("%s %s S1 %.2f +- %.2f ST %.2f +- %.2f", k ? "," : "",
                   res->sobol_name[top[k]], ps->sobol_s1[at], ps->sobol_s1_conf[at],
                   ps->sobol_st[at], ps->sobol_st_conf[at]);
        else
            printf("%s %s corr %+.2f src %+.2f", k ? "," : "", res->input_name[top[k]],
                   ps->corr_input[at], ps->src_input[at]);
    }
    printf("\n");
}

/* The headline values whose drivers are printed. */
static void print_drivers_of(const results_t *res, const point_summary_t *ps, int sobol)
{
    char label[256];
    snprintf(label, sizeof label, "exports %s -> %s", res->exporter_name[0],
             res->importer_name[0]);
    print_top_drivers(res, ps, sobol, label, "flow", FORM_LEVEL, 0, 0);
    snprintf(label, sizeof label, "change of exports %s -> %s vs reference",
             res->exporter_name[0], res->importer_name[0]);
    print_top_drivers(res, ps, sobol, label, "flow", FORM_CHANGE, 0, 0);
    if (res->n_exporters > 1) {
        snprintf(label, sizeof label, "share of %s's imports from %s", res->importer_name[0],
                 res->exporter_name[1]);
        print_top_drivers(res, ps, sobol, label, "share", FORM_LEVEL, 1, 0);
        snprintf(label, sizeof label, "FOB spread %s minus %s", res->exporter_name[0],
                 res->exporter_name[1]);
        print_top_drivers(res, ps, sobol, label, "fob_spread", FORM_LEVEL, 1, -1);
    }
    snprintf(label, sizeof label, "FOB price %s", res->exporter_name[0]);
    print_top_drivers(res, ps, sobol, label, "fob_price", FORM_LEVEL, 0, -1);
    snprintf(label, sizeof label, "farm revenue %s", res->exporter_name[0]);
    print_top_drivers(res, ps, sobol, label, "farm_revenue", FORM_LEVEL, 0, -1);
    print_top_drivers(res, ps, sobol, "world welfare change", "welfare_total", FORM_WELFARE,
                      -1, -1);
}

static void print_drivers(const results_t *res, const point_summary_t *ps)
{
    char label[256];
    if (res->n_inputs) {
        printf("\n  top drivers (inputs by |standardized regression coefficient| on their normal "
               "scores; R^2 of that linear model):\n");
        print_drivers_of(res, ps, 0);
    }
    if (res->sobol_k) {
        printf("\n  top drivers by total Sobol index (S1 first order, ST total, +- the 95 %% "
               "interval's half width):\n");
        print_drivers_of(res, ps, 1);
    }
    if (!res->n_regimes)
        return;
    printf("\n  variance split, policy vs market uncertainty (law of total variance):\n");
    snprintf(label, sizeof label, "exports %s -> %s", res->exporter_name[0],
             res->importer_name[0]);
    print_variance_split(res, ps, label, "flow", FORM_LEVEL, 0, 0);
    snprintf(label, sizeof label, "change of exports %s -> %s vs reference",
             res->exporter_name[0], res->importer_name[0]);
    print_variance_split(res, ps, label, "flow", FORM_CHANGE, 0, 0);
    snprintf(label, sizeof label, "FOB price %s", res->exporter_name[0]);
    print_variance_split(res, ps, label, "fob_price", FORM_LEVEL, 0, -1);
    snprintf(label, sizeof label, "farm revenue %s", res->exporter_name[0]);
    print_variance_split(res, ps, label, "farm_revenue", FORM_LEVEL, 0, -1);
    print_variance_split(res, ps, "world welfare change", "welfare_total", FORM_WELFARE, -1, -1);
}

static int text_point(const results_t *res, const selection_t *sel, size_t p)
{
    const point_summary_t *ps = res->points[p];
    printf("\npoint %zu", p);
    for (int s = 0; s < res->n_sweeps; s++)
        printf("%s %s = %.10g", s ? "," : ":", res->sweep_key[s],
               res->point_values[p * (size_t)res->n_sweeps + (size_t)s]);
    printf("\n  draws: %llu converged, %llu failed (left out of every statistic)\n",
           (unsigned long long)ps->draws_ok[0], (unsigned long long)ps->draws_failed[0]);
    text_t t = {res, ps, 0, NULL};
    if (text_table(&t, sel))
        return -1;
    print_drivers(res, ps);
    for (int r = 0; r < res->n_regimes; r++) {
        printf("\n  regime '%s': %llu draws (%.1f %%), %llu failed\n", res->regime_name[r],
               (unsigned long long)ps->draws_ok[1 + r],
               100.0 * (double)(ps->draws_ok[1 + r] + ps->draws_failed[1 + r]) /
                   (double)(ps->draws_ok[0] + ps->draws_failed[0]),
               (unsigned long long)ps->draws_failed[1 + r]);
        text_t tr = {res, ps, 1 + r, NULL};
        if (text_table(&tr, sel))
            return -1;
    }
    return 0;
}

/* ---- tidy (csv, json) -------------------------------------------------------------- */

typedef struct {
    const results_t *res;
    const selection_t *sel;
    report_table_t *table;
    size_t point;
} tidy_t;

/* The leading cells of a row: point, sweep coordinates, regime. */
static void tidy_lead(const tidy_t *t, int group)
{
    const results_t *res = t->res;
    report_cell_number(t->table, (double)t->point);
    for (int s = 0; s < res->n_sweeps; s++)
        report_cell_number(t->table, res->point_values[t->point * (size_t)res->n_sweeps + (size_t)s]);
    report_cell_text(t->table, group ? res->regime_name[group - 1] : "all");
}

/* Where a cell sits: exporter, importer, period, year (-1: the quantity has no such axis). */
typedef struct {
    int exporter, importer, period, year;
} cell_at_t;

static const cell_at_t no_axes = {-1, -1, -1, -1};

static void tidy_row(const tidy_t *t, int group, const char *quantity, const char *form,
                     cell_at_t at, const char *threshold, const char *stat, double value,
                     const char *units)
{
    const results_t *res = t->res;
    tidy_lead(t, group);
    report_cell_text(t->table, quantity);
    report_cell_text(t->table, form);
    report_cell_text(t->table, at.exporter >= 0 ? res->exporter_name[at.exporter] : "");
    report_cell_text(t->table, at.importer >= 0 ? res->importer_name[at.importer] : "");
    report_cell_text(t->table, at.period >= 0 ? res->period_name[at.period] : "");
    report_cell_text(t->table, at.year >= 0 ? res->year_name[at.year] : "");
    report_cell_text(t->table, threshold);
    report_cell_text(t->table, stat);
    report_cell_number(t->table, value);
    report_cell_text(t->table, units);
}

static const char *const form_label[] = {"level", "reference", "change", "change"};

static void tidy_value(const tidy_t *t, int d, quantity_form_t form, cell_at_t c, long v)
{
    const point_summary_t *ps = t->res->points[t->point];
    const quantity_def_t *def = &t->res->layout.defs[d];
    static const char *const qname[SUMMARY_N_QUANTILES] = {
        "q01", "q05", "q10", "q25", "q50", "q75", "q90", "q95", "q99"};
    for (int g = 0; g < ps->n_groups; g++) {
        size_t at = (size_t)g * ps->n_vars + (size_t)v;
        struct { const char *name; double x; } st[] = {
            {"mean", ps->mean[at]}, {"sd", ps->sd[at]}, {"mcse", ps->mcse[at]},
            {"min", ps->min[at]}, {"max", ps->max[at]}};
        /* min and max are kept for all draws only */
        for (int k = 0; k < (g ? 3 : 5); k++)
            tidy_row(t, g, def->name, form_label[form], c, "", st[k].name, st[k].x, def->units);
        for (int k = 0; k < SUMMARY_N_QUANTILES; k++)
            tidy_row(t, g, def->name, form_label[form], c, "", qname[k],
                     ps->quantile[at * SUMMARY_N_QUANTILES + (size_t)k], def->units);
        if (!g)
            tidy_row(t, g, def->name, form_label[form], c, "", "q_error_bound",
                     ps->quantile_error[v], def->units);
    }
}

/* Every cell of quantity d (layout.defs[d]) the selection keeps, in storage order. */
static void tidy_quantity(const tidy_t *t, int d)
{
    const results_t *res = t->res;
    const selection_t *sel = t->sel;
    const quantity_def_t *def = &res->layout.defs[d];
    int has_e = (def->axes & AXES_EXPORTER) != 0, has_i = (def->axes & AXES_IMPORTER) != 0;
    int has_p = (def->axes & AXES_PERIOD) != 0, has_y = (def->axes & AXES_YEAR) != 0;
    int narrowed = sel->period >= 0 || sel->year >= 0;
    int f0 = def->is_welfare ? FORM_WELFARE : FORM_LEVEL;
    int f1 = def->is_welfare ? FORM_WELFARE : FORM_CHANGE;
    for (int f = f0; f <= f1; f++)
        for (int e = 0; e < (has_e ? res->n_exporters : 1); e++)
            for (int i = 0; i < (has_i ? res->n_importers : 1); i++)
                for (int p = 0; p < (has_p ? res->n_periods : 1); p++)
                    for (int y = 0; y < (has_y ? res->n_years : 1); y++) {
                        cell_at_t c = {has_e ? e : -1, has_i ? i : -1, has_p ? p : -1,
                                       has_y ? y : -1};
                        if ((has_e && !sel->sel_exp[e]) || (has_i && !sel->sel_imp[i]))
                            continue;
                        if (narrowed && !(has_p && sel->period == p) &&
                            !(has_y && sel->year == y))
                            continue;
                        long v = quantity_index_at(&res->layout, def->name, (quantity_form_t)f,
                                                   c.exporter, c.importer, c.period, c.year);
                        if (v >= 0)
                            tidy_value(t, d, (quantity_form_t)f, c, v);
                    }
}

static void tidy_point(const tidy_t *t)
{
    const results_t *res = t->res;
    const point_summary_t *ps = res->points[t->point];
    /* the file's own table (annual or calendar), so every /summary cell has a row */
    for (int d = 0; d < res->layout.n_defs; d++)
        tidy_quantity(t, d);
    for (int g = 0; g < ps->n_groups; g++) {
        tidy_row(t, g, "draws_ok", "level", no_axes, "", "count", (double)ps->draws_ok[g], "1");
        tidy_row(t, g, "draws_failed", "level", no_axes, "", "count",
                 (double)ps->draws_failed[g], "1");
        for (int k = 0; k < res->n_thresholds; k++) {
            size_t at = (size_t)g * (size_t)res->n_thresholds + (size_t)k;
            tidy_row(t, g, "threshold", "level", no_axes, res->threshold_name[k], "probability",
                     ps->threshold_prob[at], "1");
            tidy_row(t, g, "threshold", "level", no_axes, res->threshold_name[k], "mcse",
                     ps->threshold_mcse[at], "1");
        }
    }
}

static int tidy_print(const results_t *res, const selection_t *sel, report_format_t format)
{
    const char *cols[SWEEP_MAX_KEYS + 14];
    char sweep_var[SWEEP_MAX_KEYS][300];
    int n = 0;
    cols[n++] = "point";
    for (int s = 0; s < res->n_sweeps && s < SWEEP_MAX_KEYS; s++) {
        results_sweep_var(res->sweep_key[s], sweep_var[s], sizeof sweep_var[s]);
        cols[n++] = sweep_var[s];
    }
    static const char *const rest[] = {"regime", "quantity", "form", "exporter", "importer",
                                       "period", "year", "threshold", "statistic", "value", "units"};
    for (size_t k = 0; k < sizeof rest / sizeof rest[0]; k++)
        cols[n++] = rest[k];
    tidy_t t = {res, sel, report_table_new(n, cols), 0};
    if (!t.table)
        return -1;
    for (size_t p = 0; p < res->n_points; p++)
        if (res->points[p]) {
            t.point = p;
            tidy_point(&t);
        }
    int rc = report_table_print(t.table, format, 0, stdout);
    report_table_free(t.table);
    return rc;
}

/* ---- command ------------------------------------------------------------------------ */

int cmd_summary(int argc, char **argv)
{
    report_options_t opt;
    int rc = report_parse_options(argc, argv, summary_usage, &opt);
    if (rc >= 0)
        return rc;
    if (argc - optind != 1) {
        fprintf(stderr, "agtrade: summary needs exactly one OUT.h5 (to set scenarios side by "
                        "side: agtrade compare A.h5 B.h5; try 'agtrade summary --help')\n");
        return EXIT_USAGE;
    }
    const char *path = argv[optind];
    char err[1200];
    report_file_t rf;
    if ((rc = report_file_open(path, &rf, err, sizeof err))) {
        fprintf(stderr, "agtrade: %s\n", err);
        return rc;
    }
    const results_t *res = rf.res;
    report_format_t format = opt.format;
    char sel_exp[MARKET_MAX_REGIONS + 1] = {0}, sel_imp[MARKET_MAX_REGIONS + 1] = {0};
    /* text shows the headline regions by default, a table every region */
    if (report_select(res, &opt, format != REPORT_TEXT, sel_exp, sel_imp, err, sizeof err)) {
        fprintf(stderr, "agtrade summary: %s: %s\n", path, err);
        report_file_close(&rf);
        return EXIT_USAGE;
    }
    selection_t sel = {sel_exp, sel_imp, -1, -1};
    if (report_select_time(res, &opt, &sel.period, &sel.year, err, sizeof err)) {
        fprintf(stderr, "agtrade summary: %s: %s\n", path, err);
        report_file_close(&rf);
        return EXIT_USAGE;
    }
    if (format == REPORT_TEXT) {
        printf("%s: scenario '%s', agtrade %s, seed %llu, %llu draws per point, %zu point(s), "
               "%llu draws failed\n", path, rf.scenario, rf.version, (unsigned long long)rf.seed,
               (unsigned long long)rf.draws, results_count_present(res),
               (unsigned long long)rf.failed);
        printf("(median and 5-95 %% interval over draws; mean with its Monte Carlo standard "
               "error;\n the means of the welfare rows add up to the world total, their "
               "medians need not)\n");
        for (size_t p = 0; p < res->n_points && !rc; p++)
            if (res->points[p] && text_point(res, &sel, p))
                rc = EXIT_IOERR;
    } else if (tidy_print(res, &sel, format)) {
        rc = EXIT_IOERR;
    }
    if (fflush(stdout) || ferror(stdout))
        rc = EXIT_IOERR;
    if (rc)
        fprintf(stderr, "agtrade summary: cannot write the table (out of memory or a write error)\n");
    report_file_close(&rf);
    return rc;
}
