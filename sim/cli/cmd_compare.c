/* cmd_compare.c - `agtrade compare A.h5 B.h5 [...]`: scenarios side by side, with the
 * difference of each mean from the first file's and its standard error.
 *
 * Why two standard errors: two runs with the same seed and draw count see the same
 * random inputs in draw d (common random numbers, sim/sample.h), so the per-draw
 * difference b_d - a_d carries only the policy's effect and its standard error
 * sd(b - a) / sqrt(n) is exact and usually far smaller than that of independent runs.
 * That needs the raw draws of both files (`agtrade run --raw-draws`); without them the
 * runs are treated as independent, sqrt(mcse_a^2 + mcse_b^2), which overstates the
 * error when the seeds agree (the runs are positively correlated). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "report.h"
#include "sweep.h"

static const char compare_usage[] =
    "usage: agtrade compare A.h5 B.h5 [C.h5 ...] [--exporter X] [--importer Y] [--all]\n"
    "                       [--format text|csv|json] [--period P] [--year Y]\n"
    "\n"
    "Sets the headline results of several output files of the same market side by side:\n"
    "the mean of each file, and the difference of each file's mean from the first file's\n"
    "with its standard error. The standard error is paired per draw when both files hold\n"
    "raw draws (agtrade run --raw-draws) of the same seed and draw count (common random\n"
    "numbers make the pairing exact), otherwise the runs are taken as independent.\n"
    "Files must model the same exporters and importers, hold the same sweep points and\n"
    "have the same calendar (none, or the same periods and marketing years); with a\n"
    "calendar the routes' flows are compared by period and by year.\n"
    "  -e, --exporter X   routes and regions of exporter X (default: the first one)\n"
    "  -i, --importer Y   routes and regions of importer Y (default: the first one)\n"
    "  -a, --all          every exporter and importer\n"
    "  -f, --format F     text (default), csv or json (one row per point x quantity x\n"
    "                     form x region x period or year x file)\n"
    "      --period P     calendar files: the rows of period P only\n"
    "      --year Y       calendar files: the rows of marketing year Y only (with both:\n"
    "                     the rows of P and of Y)\n";

/* One compared value: a quantity in one form at one exporter / importer / period / year
 * (-1: none). */
typedef struct {
    const char *name;
    quantity_form_t form;
    int exporter, importer, period, year;
} item_t;

#define MAX_ITEMS 4096

typedef struct {
    item_t item[MAX_ITEMS];
    int n;
} items_t;

static void add_at(items_t *it, const char *name, quantity_form_t form, int e, int i, int p,
                   int y)
{
    if (it->n < MAX_ITEMS)
        it->item[it->n++] = (item_t){name, form, e, i, p, y};
}

static void add(items_t *it, const char *name, quantity_form_t form, int e, int i)
{
    add_at(it, name, form, e, i, -1, -1);
}

/* A calendar's headline: the selected routes' flows by period and by marketing year
 * (level and change), their yearly shares, and the world welfare (total and by year);
 * --period / --year (period, year >= 0) keep that period's or year's rows. */
static void headline_calendar(const results_t *res, const char *sel_exp, const char *sel_imp,
                              int period, int year, items_t *it)
{
    int narrowed = period >= 0 || year >= 0;
    for (int e = 0; e < res->n_exporters; e++)
        for (int i = 0; i < res->n_importers; i++) {
            if (!sel_exp[e] || !sel_imp[i])
                continue;
            for (int p = 0; p < res->n_periods; p++)
                if (!narrowed || p == period) {
                    add_at(it, "flow", FORM_LEVEL, e, i, p, -1);
                    add_at(it, "flow", FORM_CHANGE, e, i, p, -1);
                }
            for (int y = 0; y < res->n_years; y++)
                if (!narrowed || y == year) {
                    add_at(it, "flow_year", FORM_LEVEL, e, i, -1, y);
                    add_at(it, "flow_year", FORM_CHANGE, e, i, -1, y);
                    add_at(it, "share_year", FORM_LEVEL, e, i, -1, y);
                }
        }
    for (int y = 0; y < res->n_years; y++)
        if (!narrowed || y == year)
            add_at(it, "welfare_total_year", FORM_WELFARE, -1, -1, -1, y);
    if (!narrowed)
        add(it, "welfare_total", FORM_WELFARE, -1, -1);
}

/* The headline quantities (the same list as summary's text table, welfare as the total
 * and each region's main term). */
static void headline(const results_t *res, const char *sel_exp, const char *sel_imp, items_t *it)
{
    for (int e = 0; e < res->n_exporters; e++)
        for (int i = 0; i < res->n_importers; i++)
            if (sel_exp[e] && sel_imp[i]) {
                add(it, "flow", FORM_LEVEL, e, i);
                add(it, "flow", FORM_CHANGE, e, i);
                add(it, "share", FORM_LEVEL, e, i);
            }
    for (int e = 0; e < res->n_exporters; e++)
        add(it, "fob_price", FORM_LEVEL, e, -1);
    for (int e = 0; e < res->n_exporters; e++)
        if (sel_exp[e]) {
            add(it, "farm_revenue", FORM_CHANGE, e, -1);
            add(it, "welfare_producer_surplus", FORM_WELFARE, e, -1);
        }
    for (int i = 0; i < res->n_importers; i++)
        if (sel_imp[i])
            add(it, "welfare_importer_cs", FORM_WELFARE, -1, i);
    add(it, "welfare_total", FORM_WELFARE, -1, -1);
}

/* ---- the files ---------------------------------------------------------------------- */

/* Non-zero when the first n names of a and b agree. */
static int same_names(const char (*a)[RESULTS_LABEL_MAX], const char (*b)[RESULTS_LABEL_MAX],
                      int n)
{
    for (int k = 0; k < n; k++)
        if (strcmp(a[k], b[k]))
            return 0;
    return 1;
}

/* 0 when a and b have the same calendar: none, or the same period and year names in the
 * same order; otherwise -1 with the reason. */
static int same_calendar(const report_file_t *a, const report_file_t *b, char *err,
                         size_t errlen)
{
    const results_t *ra = a->res, *rb = b->res;
    if (!ra->n_periods != !rb->n_periods) {
        const report_file_t *cal = ra->n_periods ? a : b, *ann = ra->n_periods ? b : a;
        snprintf(err, errlen, "%s has a calendar (%d periods) and %s is annual: their "
                 "quantities differ; compare files of the same calendar", cal->path,
                 cal->res->n_periods, ann->path);
        return -1;
    }
    if (ra->n_periods != rb->n_periods || ra->n_years != rb->n_years ||
        !same_names(ra->period_name, rb->period_name, ra->n_periods) ||
        !same_names(ra->year_name, rb->year_name, ra->n_years)) {
        snprintf(err, errlen, "%s and %s have different calendars (%d periods '%s' ... in %d "
                 "year(s) vs %d periods '%s' ... in %d): compare files of the same calendar",
                 a->path, b->path, ra->n_periods, ra->period_name[0], ra->n_years,
                 rb->n_periods, rb->period_name[0], rb->n_years);
        return -1;
    }
    return 0;
}

/* 0 when b models the market of a (same region names in the same order), with the same
 * calendar, and holds the same sweep points; otherwise -1 with the reason. */
static int same_market(const report_file_t *a, const report_file_t *b, char *err, size_t errlen)
{
    const results_t *ra = a->res, *rb = b->res;
    int same = ra->n_exporters == rb->n_exporters && ra->n_importers == rb->n_importers &&
               same_names(ra->exporter_name, rb->exporter_name, ra->n_exporters) &&
               same_names(ra->importer_name, rb->importer_name, ra->n_importers);
    if (!same) {
        snprintf(err, errlen, "%s and %s model different markets (%d exporters x %d importers "
                 "'%s' ... '%s' vs %d x %d '%s' ... '%s'): compare scenarios of one market",
                 a->path, b->path, ra->n_exporters, ra->n_importers, ra->exporter_name[0],
                 ra->importer_name[ra->n_importers - 1], rb->n_exporters, rb->n_importers,
                 rb->exporter_name[0], rb->importer_name[rb->n_importers - 1]);
        return -1;
    }
    if (same_calendar(a, b, err, errlen))
        return -1;
    same = ra->n_points == rb->n_points;
    for (size_t p = 0; same && p < ra->n_points; p++)
        same = !ra->points[p] == !rb->points[p];
    if (!same) {
        snprintf(err, errlen, "%s holds %zu of %zu sweep points, %s %zu of %zu: compare files "
                 "of the same points", a->path, results_count_present(ra), ra->n_points,
                 b->path, results_count_present(rb), rb->n_points);
        return -1;
    }
    return 0;
}

/* Paired when both files carry raw draws of the same seed and draw count. */
static int can_pair(const report_file_t *a, const report_file_t *b)
{
    return a->seed == b->seed && a->draws == b->draws && a->draws > 0 &&
           h5in_exists(a->in, "draws/status") && h5in_exists(b->in, "draws/status");
}

/* The position of global point p in a file's point axis. */
static size_t file_point(const results_t *res, size_t p)
{
    size_t k = 0;
    for (size_t q = 0; q < p; q++)
        k += res->points[q] != NULL;
    return k;
}

/* The raw draws of one item at point p into x[draws] (change = level - reference) and
 * the solver status into status[draws]. */
static int read_draws(const report_file_t *f, const item_t *it, size_t p, double *x,
                      double *tmp, double *status, char *err, size_t errlen)
{
    uint64_t n = f->draws;
    size_t fp = file_point(f->res, p);
    size_t start[5] = {fp, 0, 0, 0, 0}, count[5] = {1, (size_t)n, 1, 1, 1};
    if (h5in_read_double_slab(f->in, "draws/status", start, count, status, err, errlen))
        return -1;
    int nd = 2;
    if (it->exporter >= 0)
        start[nd++] = (size_t)it->exporter;
    if (it->importer >= 0)
        start[nd++] = (size_t)it->importer;
    if (it->period >= 0 || it->year >= 0)   /* a calendar axis is last */
        start[nd++] = (size_t)(it->period >= 0 ? it->period : it->year);
    char path[160];
    snprintf(path, sizeof path, "draws/%s", it->name);
    if (h5in_read_double_slab(f->in, path, start, count, x, err, errlen))
        return -1;
    if (it->form == FORM_CHANGE) {
        snprintf(path, sizeof path, "draws/%s_ref", it->name);
        if (h5in_read_double_slab(f->in, path, start, count, tmp, err, errlen))
            return -1;
        for (uint64_t d = 0; d < n; d++)
            x[d] -= tmp[d];
    }
    return 0;
}

typedef struct {
    double diff, se;
    const char *method;   /* "paired" or "independent" */
} delta_t;

typedef struct {
    double *a, *b, *tmp, *sa, *sb;   /* [draws] scratch for pairing */
} scratch_t;

static int difference(const report_file_t *fa, const report_file_t *fb, const item_t *it,
                      size_t p, long v, scratch_t *s, delta_t *out, char *err, size_t errlen)
{
    const point_summary_t *pa = fa->res->points[p], *pb = fb->res->points[p];
    if (!can_pair(fa, fb)) {
        out->diff = pb->mean[v] - pa->mean[v];
        out->se = sqrt(pa->mcse[v] * pa->mcse[v] + pb->mcse[v] * pb->mcse[v]);
        out->method = "independent";
        return 0;
    }
    if (read_draws(fa, it, p, s->a, s->tmp, s->sa, err, errlen) ||
        read_draws(fb, it, p, s->b, s->tmp, s->sb, err, errlen))
        return -1;
    /* Welford's update over the draws that converged in both runs */
    double mean = 0, m2 = 0;
    uint64_t n = 0;
    for (uint64_t d = 0; d < fa->draws; d++) {
        if (s->sa[d] != 0 || s->sb[d] != 0)
            continue;
        double x = s->b[d] - s->a[d], delta = x - mean;
        n++;
        mean += delta / (double)n;
        m2 += delta * (x - mean);
    }
    out->diff = n ? mean : NAN;
    out->se = n > 1 ? sqrt(m2 / (double)(n - 1) / (double)n) : NAN;
    out->method = "paired";
    return 0;
}

/* ---- output --------------------------------------------------------------------------- */

static const char *const form_label[] = {"level", "reference", "change", "change"};

static int compare_point(report_file_t *files, int n_files, const items_t *items, size_t p,
                         report_format_t format, report_table_t *tidy, scratch_t *s,
                         char *err, size_t errlen)
{
    const results_t *res = files[0].res;
    report_table_t *wide = NULL;
    if (format == REPORT_TEXT) {
        const char *cols[3 + 3 * 64];
        char names[3 * 64][200];
        int nc = 0;
        cols[nc++] = "quantity";
        for (int k = 0; k < n_files; k++) {
            snprintf(names[nc], sizeof names[nc], "[%d] mean", k + 1);
            cols[nc] = names[nc];
            nc++;
        }
        for (int k = 1; k < n_files; k++) {
            snprintf(names[nc], sizeof names[nc], "[%d]-[1]", k + 1);
            cols[nc] = names[nc];
            nc++;
            snprintf(names[nc], sizeof names[nc], "se");
            cols[nc] = names[nc];
            nc++;
        }
        cols[nc++] = "units";
        if (!(wide = report_table_new(nc, cols)))
            return -1;
        printf("\npoint %zu", p);
        for (int k = 0; k < res->n_sweeps; k++)
            printf("%s %s = %.10g", k ? "," : ":", res->sweep_key[k],
                   res->point_values[p * (size_t)res->n_sweeps + (size_t)k]);
        printf("\n");
    }
    int rc = 0;
    for (int j = 0; j < items->n && !rc; j++) {
        const item_t *it = &items->item[j];
        long v = quantity_index_at(&res->layout, it->name, it->form, it->exporter,
                                   it->importer, it->period, it->year);
        if (v < 0)
            continue;
        char label[400], what[100], region[300];
        snprintf(what, sizeof what, "%s%s", it->name, it->form == FORM_CHANGE ? "_change" : "");
        report_region_label(res, what, it->exporter, it->importer, region, sizeof region);
        const char *when = it->period >= 0 ? res->period_name[it->period]
                           : it->year >= 0 ? res->year_name[it->year] : NULL;
        snprintf(label, sizeof label, "%s%s%s", region, when ? ", " : "", when ? when : "");
        if (wide)
            report_cell_text(wide, label);
        delta_t delta[64];
        for (int k = 1; k < n_files && !rc; k++)
            rc = difference(&files[0], &files[k], it, p, v, s, &delta[k], err, errlen);
        for (int k = 0; k < n_files && !rc; k++) {
            const point_summary_t *ps = files[k].res->points[p];
            if (wide) {
                report_cell_number(wide, ps->mean[v]);
                continue;
            }
            report_cell_number(tidy, (double)p);
            for (int q = 0; q < res->n_sweeps; q++)
                report_cell_number(tidy, res->point_values[p * (size_t)res->n_sweeps + (size_t)q]);
            quantity_form_t f = it->form;
            report_cell_text(tidy, it->name);
            report_cell_text(tidy, form_label[f]);
            report_cell_text(tidy, it->exporter >= 0 ? res->exporter_name[it->exporter] : "");
            report_cell_text(tidy, it->importer >= 0 ? res->importer_name[it->importer] : "");
            report_cell_text(tidy, it->period >= 0 ? res->period_name[it->period] : "");
            report_cell_text(tidy, it->year >= 0 ? res->year_name[it->year] : "");
            report_cell_number(tidy, k + 1);
            report_cell_text(tidy, files[k].path);
            report_cell_text(tidy, files[k].scenario);
            report_cell_number(tidy, ps->mean[v]);
            report_cell_number(tidy, ps->mcse[v]);
            report_cell_number(tidy, k ? delta[k].diff : NAN);
            report_cell_number(tidy, k ? delta[k].se : NAN);
            report_cell_text(tidy, k ? delta[k].method : "");
            report_cell_text(tidy, report_units(res, it->name));
        }
        if (wide && !rc) {
            for (int k = 1; k < n_files; k++) {
                report_cell_number(wide, delta[k].diff);
                report_cell_number(wide, delta[k].se);
            }
            report_cell_text(wide, report_units(res, it->name));
        }
    }
    if (wide && !rc && report_table_print(wide, REPORT_TEXT, 2, stdout)) {
        snprintf(err, errlen, "cannot write the table");
        rc = -1;
    }
    report_table_free(wide);
    return rc;
}

static int run_compare(report_file_t *files, int n_files, const char *sel_exp,
                       const char *sel_imp, int period, int year, report_format_t format,
                       char *err, size_t errlen)
{
    const results_t *res = files[0].res;
    items_t *items = calloc(1, sizeof *items);
    if (!items) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (res->n_periods)
        headline_calendar(res, sel_exp, sel_imp, period, year, items);
    else
        headline(res, sel_exp, sel_imp, items);
    uint64_t nd = files[0].draws + 1;
    scratch_t s = {malloc(nd * sizeof(double)), malloc(nd * sizeof(double)),
                   malloc(nd * sizeof(double)), malloc(nd * sizeof(double)),
                   malloc(nd * sizeof(double))};
    report_table_t *tidy = NULL;
    int rc = (!s.a || !s.b || !s.tmp || !s.sa || !s.sb) ? -1 : 0;
    if (rc)
        snprintf(err, errlen, "out of memory");
    if (!rc && format == REPORT_TEXT) {
        for (int k = 0; k < n_files; k++)
            printf("[%d] %s: scenario '%s', seed %llu, %llu draws per point%s\n", k + 1,
                   files[k].path, files[k].scenario, (unsigned long long)files[k].seed,
                   (unsigned long long)files[k].draws,
                   h5in_exists(files[k].in, "draws/status") ? ", raw draws" : "");
        for (int k = 1; k < n_files; k++)
            printf("[%d]-[1]: %s\n", k + 1, can_pair(&files[0], &files[k])
                   ? "paired per draw (same seed and draws, raw draws in both: common random "
                     "numbers)"
                   : "independent runs (no raw draws of the same seed and draw count in both)");
        printf("(means over converged draws; se: standard error of the difference)\n");
    } else if (!rc) {
        const char *cols[SWEEP_MAX_KEYS + 18];
        char sweep_var[SWEEP_MAX_KEYS][300];
        int n = 0;
        cols[n++] = "point";
        for (int q = 0; q < res->n_sweeps && q < SWEEP_MAX_KEYS; q++) {
            results_sweep_var(res->sweep_key[q], sweep_var[q], sizeof sweep_var[q]);
            cols[n++] = sweep_var[q];
        }
        static const char *const rest[] = {"quantity", "form", "exporter", "importer", "period",
                                           "year", "file",
                                           "path", "scenario", "mean", "mcse", "diff",
                                           "diff_se", "method", "units"};
        for (size_t k = 0; k < sizeof rest / sizeof rest[0]; k++)
            cols[n++] = rest[k];
        if (!(tidy = report_table_new(n, cols))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    }
    for (size_t p = 0; p < res->n_points && !rc; p++)
        if (res->points[p])
            rc = compare_point(files, n_files, items, p, format, tidy, &s, err, errlen);
    if (!rc && tidy && report_table_print(tidy, format, 0, stdout)) {
        snprintf(err, errlen, "cannot write the table");
        rc = -1;
    }
    report_table_free(tidy);
    free(s.a);
    free(s.b);
    free(s.tmp);
    free(s.sa);
    free(s.sb);
    free(items);
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    report_options_t opt;
    int rc = report_parse_options(argc, argv, compare_usage, &opt);
    if (rc >= 0)
        return rc;
    int n_files = argc - optind;
    if (n_files < 2 || n_files > 64) {
        fprintf(stderr, "agtrade: compare needs 2 to 64 output files (try 'agtrade compare "
                        "--help')\n");
        return EXIT_USAGE;
    }
    report_file_t *files = calloc((size_t)n_files, sizeof *files);
    if (!files) {
        fprintf(stderr, "agtrade compare: out of memory\n");
        return EXIT_SOFTWARE;
    }
    char err[1400];
    rc = EXIT_OK;
    for (int k = 0; k < n_files && rc == EXIT_OK; k++) {
        rc = report_file_open(argv[optind + k], &files[k], err, sizeof err);
        if (rc == EXIT_OK && k > 0 && same_market(&files[0], &files[k], err, sizeof err))
            rc = EXIT_DATAERR;
    }
    char sel_exp[MARKET_MAX_REGIONS + 1] = {0}, sel_imp[MARKET_MAX_REGIONS + 1] = {0};
    int period = -1, year = -1;
    if (rc == EXIT_OK &&
        (report_select(files[0].res, &opt, 0, sel_exp, sel_imp, err, sizeof err) ||
         report_select_time(files[0].res, &opt, &period, &year, err, sizeof err)))
        rc = EXIT_USAGE;
    if (rc == EXIT_OK && run_compare(files, n_files, sel_exp, sel_imp, period, year, opt.format,
                                     err, sizeof err))
        rc = EXIT_IOERR;
    if (rc == EXIT_OK && (fflush(stdout) || ferror(stdout))) {
        snprintf(err, sizeof err, "cannot write the table");
        rc = EXIT_IOERR;
    }
    if (rc)
        fprintf(stderr, "agtrade compare: %s\n", err);
    for (int k = 0; k < n_files; k++)
        report_file_close(&files[k]);
    free(files);
    return rc;
}
