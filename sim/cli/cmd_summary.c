/* cmd_summary.c - `agtrade summary OUT.h5`: the headline results as a readable table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attrib.h"
#include "cli.h"
#include "h5out.h"
#include "results.h"

static const char summary_usage[] =
    "usage: agtrade summary OUT.h5\n"
    "\n"
    "Prints median, 5-95 %% interval and mean with its Monte Carlo standard error of the\n"
    "headline quantities of an agtrade output file, per sweep point and per regime.\n"
    "The first exporter and first importer of the scenario are the focus (US and China\n"
    "in the shipped soybean configs).\n";

typedef struct {
    const results_t *res;
    const point_summary_t *ps;
    int group;                   /* 0 = all draws, 1 + r = regime r */
} table_t;

static void print_row(const table_t *t, const char *label, const char *name,
                      quantity_form_t form, int exporter, int importer)
{
    long v = quantity_index(&t->res->layout, name, form, exporter, importer);
    if (v < 0)
        return;
    size_t V = t->ps->n_vars, at = (size_t)t->group * V + (size_t)v;
    const double *q = &t->ps->quantile[at * SUMMARY_N_QUANTILES];
    const char *units = "";
    for (int d = 0; d < quantity_def_count; d++)
        if (!strcmp(quantity_defs[d].name, name))
            units = quantity_defs[d].units;
    /* quantile order: 0.01 0.05 0.10 0.25 0.50 0.75 0.90 0.95 0.99 */
    printf("  %-44s %11.4g %11.4g %11.4g %11.4g %9.2g  %s\n", label, q[4], q[1], q[7],
           t->ps->mean[at], t->ps->mcse[at], units);
}

static void print_quantity(const table_t *t, const char *name, const char *what, int exporter,
                           int importer, int with_change)
{
    const results_t *res = t->res;
    char label[256], where[192] = "";
    if (exporter >= 0 && importer >= 0)
        snprintf(where, sizeof where, " %s -> %s", res->exporter_name[exporter],
                 res->importer_name[importer]);
    else if (exporter >= 0)
        snprintf(where, sizeof where, " %s", res->exporter_name[exporter]);
    else if (importer >= 0)
        snprintf(where, sizeof where, " %s", res->importer_name[importer]);
    snprintf(label, sizeof label, "%s%s", what, where);
    print_row(t, label, name, FORM_LEVEL, exporter, importer);
    if (with_change) {
        snprintf(label, sizeof label, "  change vs reference");
        print_row(t, label, name, FORM_CHANGE, exporter, importer);
    }
}

static void print_table(const table_t *t)
{
    const results_t *res = t->res;
    printf("  %-44s %11s %11s %11s %11s %9s  %s\n", "quantity", "median", "5%", "95%", "mean",
           "mcse", "units");
    print_quantity(t, "flow", "exports", 0, 0, 1);
    for (int i = 0; i < res->n_exporters; i++) {
        char what[200];
        snprintf(what, sizeof what, "share of %s's imports from", res->importer_name[0]);
        print_quantity(t, "share", what, i, 0, i == 1);
    }
    for (int i = 0; i < res->n_exporters; i++)
        print_quantity(t, "fob_price", "FOB price", i, -1, 0);
    for (int i = 1; i < res->n_exporters; i++) {
        char what[200];
        snprintf(what, sizeof what, "FOB spread %s minus", res->exporter_name[0]);
        print_quantity(t, "fob_spread", what, i, -1, i == 1);
    }
    print_quantity(t, "farm_revenue", "farm revenue", 0, -1, 1);
    print_quantity(t, "welfare_importer_cs", "welfare: consumer surplus", -1, 0, 0);
    print_quantity(t, "welfare_tariff_revenue", "welfare: tariff revenue", -1, 0, 0);
    print_quantity(t, "welfare_producer_surplus", "welfare: producer surplus", 0, -1, 0);
    print_quantity(t, "welfare_total", "welfare: world total", -1, -1, 0);
    for (int k = 0; k < res->n_thresholds; k++) {
        size_t at = (size_t)t->group * (size_t)res->n_thresholds + (size_t)k;
        printf("  P(%s) = %.4f +/- %.4f\n", res->threshold_name[k], t->ps->threshold_prob[at],
               t->ps->threshold_mcse[at]);
    }
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
    print_top_drivers(res, ps, sobol, "welfare: world total", "welfare_total", FORM_WELFARE,
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
    print_variance_split(res, ps, "welfare: world total", "welfare_total", FORM_WELFARE, -1, -1);
}

static void print_point(const results_t *res, size_t p)
{
    const point_summary_t *ps = res->points[p];
    printf("\npoint %zu", p);
    for (int s = 0; s < res->n_sweeps; s++)
        printf("%s %s = %.10g", s ? "," : ":", res->sweep_key[s],
               res->point_values[p * (size_t)res->n_sweeps + (size_t)s]);
    printf("\n  draws: %llu converged, %llu failed (left out of every statistic)\n",
           (unsigned long long)ps->draws_ok[0], (unsigned long long)ps->draws_failed[0]);
    table_t t = {res, ps, 0};
    print_table(&t);
    print_drivers(res, ps);
    for (int r = 0; r < res->n_regimes; r++) {
        printf("\n  regime '%s': %llu draws (%.1f %%), %llu failed\n", res->regime_name[r],
               (unsigned long long)ps->draws_ok[1 + r],
               100.0 * (double)(ps->draws_ok[1 + r] + ps->draws_failed[1 + r]) /
                   (double)(ps->draws_ok[0] + ps->draws_failed[0]),
               (unsigned long long)ps->draws_failed[1 + r]);
        table_t tr = {res, ps, 1 + r};
        print_table(&tr);
    }
}

int cmd_summary(int argc, char **argv)
{
    int done = cli_simple_options(argc, argv, summary_usage);
    if (done >= 0)
        return done;   /* --help, --version or a bad option */
    argc -= optind - 1;   /* the operands follow argv[0] (after a "--") */
    argv += optind - 1;
    if (argc != 2) {
        fprintf(stderr, "agtrade: summary needs exactly one OUT.h5 (try 'agtrade summary --help')\n");
        return EXIT_USAGE;
    }
    char err[1024];
    h5in_t *in = h5in_open(argv[1], err, sizeof err);
    if (!in) {
        fprintf(stderr, "agtrade: %s\n", err);
        return EXIT_NOINPUT;
    }
    int64_t complete = 0;
    uint64_t seed = 0, draws = 0, failed = 0;
    char *version = NULL;
    results_t *res = NULL;
    int rc = EXIT_OK;
    if (h5in_attr_int64(in, "/", "complete", &complete, err, sizeof err) || complete != 1) {
        fprintf(stderr, "agtrade: %s: not a complete agtrade output file (attribute complete != 1)\n",
                argv[1]);
        rc = EXIT_DATAERR;
    } else if (h5in_attr_uint64(in, "/", "seed", &seed, err, sizeof err) ||
               h5in_attr_uint64(in, "/", "draws", &draws, err, sizeof err) ||
               h5in_attr_uint64(in, "/", "draws_failed", &failed, err, sizeof err) ||
               h5in_attr_string(in, "/", "agtrade_version", &version, err, sizeof err) ||
               !(res = results_read(in, err, sizeof err))) {
        fprintf(stderr, "agtrade: %s: %s\n", argv[1], err);
        rc = EXIT_DATAERR;
    }
    if (rc == EXIT_OK) {
        printf("%s: agtrade %s, seed %llu, %llu draws per point, %zu point(s), %llu draws failed\n",
               argv[1], version, (unsigned long long)seed, (unsigned long long)draws,
               results_count_present(res), (unsigned long long)failed);
        printf("(median and 5-95 %% interval over draws; mean with its Monte Carlo standard error)\n");
        for (size_t p = 0; p < res->n_points; p++)
            if (res->points[p])
                print_point(res, p);
    }
    free(version);
    results_free(res);
    h5in_close(in);
    return rc;
}
