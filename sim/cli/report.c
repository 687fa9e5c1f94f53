/* report.c - see report.h. */
#include "report.h"
#include "cli.h"
#include "config.h"
#include "number.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int report_format_parse(const char *name, report_format_t *out)
{
    static const char *const names[] = {"text", "csv", "json"};
    for (int k = 0; k < 3; k++)
        if (!strcmp(name, names[k])) {
            *out = (report_format_t)k;
            return 0;
        }
    return -1;
}

/* ---- files ------------------------------------------------------------------------ */

/* The scenario's name from the resolved configuration the file carries (the config
 * module is the one reader of that YAML); "" when it cannot be read. */
/* The scenario's name from the file's resolved configuration; -1 with the reader's
 * message in err when config_yaml cannot be read (every agtrade file has it: a failure is
 * a damaged file, e.g. a failed checksum of its object header, never an empty name). */
static int scenario_name(h5in_t *in, char *out, size_t len, char *err, size_t errlen)
{
    char *yaml = NULL;
    config_t *cfg = NULL;
    config_error_t cerr;
    out[0] = '\0';
    if (h5in_read_string_scalar(in, "config_yaml", &yaml, err, errlen))
        return -1;
    if (config_load_string(yaml, strlen(yaml), "config_yaml", &cfg, &cerr) == CONFIG_OK)
        snprintf(out, len, "%s", cfg->scenario.name);
    config_free(cfg);
    free(yaml);
    return 0;
}

int report_file_open(const char *path, report_file_t *rf, char *err, size_t errlen)
{
    memset(rf, 0, sizeof *rf);
    rf->path = path;
    char msg[1024];
    if (!(rf->in = h5in_open(path, msg, sizeof msg))) {
        snprintf(err, errlen, "%s", msg);
        return EXIT_NOINPUT;
    }
    int64_t complete = 0;
    if (h5in_attr_exists(rf->in, "/", "complete", msg, sizeof msg) < 0) {   /* damaged */
        snprintf(err, errlen, "%s", msg);
        report_file_close(rf);
        return EXIT_DATAERR;
    }
    if (h5in_attr_int64(rf->in, "/", "complete", &complete, msg, sizeof msg) || complete != 1) {
        snprintf(err, errlen, "%s: not a complete agtrade output file (attribute complete != 1)",
                 path);
        report_file_close(rf);
        return EXIT_DATAERR;
    }
    if (h5in_attr_uint64(rf->in, "/", "seed", &rf->seed, msg, sizeof msg) ||
        h5in_attr_uint64(rf->in, "/", "draws", &rf->draws, msg, sizeof msg) ||
        h5in_attr_uint64(rf->in, "/", "draws_failed", &rf->failed, msg, sizeof msg) ||
        h5in_attr_string(rf->in, "/", "agtrade_version", &rf->version, msg, sizeof msg) ||
        !(rf->res = results_read(rf->in, msg, sizeof msg))) {
        snprintf(err, errlen, "%s", msg);   /* the reader's messages name the file */
        report_file_close(rf);
        return EXIT_DATAERR;
    }
    if (scenario_name(rf->in, rf->scenario, sizeof rf->scenario, msg, sizeof msg)) {
        snprintf(err, errlen, "%s", msg);   /* the reader's messages name the file */
        report_file_close(rf);
        return EXIT_DATAERR;
    }
    return EXIT_OK;
}

void report_file_close(report_file_t *rf)
{
    free(rf->version);
    results_free(rf->res);
    if (rf->in)
        h5in_close(rf->in);
    rf->version = NULL;
    rf->res = NULL;
    rf->in = NULL;
}

int report_parse_options(int argc, char **argv, const char *usage, report_options_t *opt)
{
    static const struct option longopts[] = {
        {"exporter", required_argument, NULL, 'e'}, {"importer", required_argument, NULL, 'i'},
        {"all", no_argument, NULL, 'a'},           {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},          {"version", no_argument, NULL, 'V'},
        {"period", required_argument, NULL, 'P'},  {"year", required_argument, NULL, 'Y'},
        {NULL, 0, NULL, 0}};
    memset(opt, 0, sizeof *opt);
    opt->format = REPORT_TEXT;
    int c;
    optind = 0;   /* glibc: full re-initialisation, so options may follow the files too */
    while ((c = cli_getopt(argc, argv, "e:i:af:hV", longopts)) != -1) {
        switch (c) {
        case 'e': opt->exporter = optarg; break;
        case 'i': opt->importer = optarg; break;
        case 'a': opt->all = 1; break;
        case 'P': opt->period = optarg; break;
        case 'Y': opt->year = optarg; break;
        case 'f':
            if (report_format_parse(optarg, &opt->format)) {
                fprintf(stderr, "agtrade %s: --format must be text, csv or json (got '%s')\n",
                        argv[0], optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        case 'V': cli_print_version(); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (opt->all && (opt->exporter || opt->importer)) {
        fprintf(stderr, "agtrade %s: --all already covers every region; give it or "
                        "--exporter / --importer, not both\n", argv[0]);
        return EXIT_USAGE;
    }
    return -1;
}

/* "no exporter 'X' (it has: 'US', 'Brazil', ...)" into err. */
static void unknown_name(const char (*names)[RESULTS_LABEL_MAX], int n, const char *what,
                         const char *name, char *err, size_t errlen)
{
    int used = snprintf(err, errlen, "no %s '%s' (it has:", what, name);
    for (int k = 0; k < n && used >= 0 && (size_t)used < errlen; k++)
        used += snprintf(err + used, errlen - (size_t)used, "%s '%s'", k ? "," : "", names[k]);
    if (used >= 0 && (size_t)used < errlen)
        snprintf(err + used, errlen - (size_t)used, ")");
}

/* Marks the regions of one side; -1 when `name` is not among them. */
static int select_side(const char (*names)[RESULTS_LABEL_MAX], int n, const char *name,
                       int every, char *sel)
{
    int found = -1;
    for (int k = 0; k < n; k++) {
        sel[k] = name ? !strcmp(names[k], name) : every || k == 0;
        if (sel[k])
            found = k;
    }
    return found;
}

int report_select(const results_t *res, const report_options_t *opt, int every_by_default,
                  char *sel_exp, char *sel_imp, char *err, size_t errlen)
{
    int every = opt->all || every_by_default;
    const char (*names)[RESULTS_LABEL_MAX] = NULL;
    const char *what = NULL, *name = NULL;
    int n = 0;
    if (select_side(res->exporter_name, res->n_exporters, opt->exporter, every, sel_exp) < 0)
        names = res->exporter_name, n = res->n_exporters, what = "exporter", name = opt->exporter;
    else if (select_side(res->importer_name, res->n_importers, opt->importer, every, sel_imp) < 0)
        names = res->importer_name, n = res->n_importers, what = "importer", name = opt->importer;
    if (!names)
        return 0;
    unknown_name(names, n, what, name, err, errlen);
    return -1;
}

/* The index of `name` among names[0..n), or -1 with the list in err. */
static int select_name(const char (*names)[RESULTS_LABEL_MAX], int n, const char *what,
                       const char *name, char *err, size_t errlen)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(names[k], name))
            return k;
    unknown_name(names, n, what, name, err, errlen);
    return -1;
}

int report_select_time(const results_t *res, const report_options_t *opt, int *period,
                       int *year, char *err, size_t errlen)
{
    *period = *year = -1;
    if ((opt->period || opt->year) && !res->n_periods) {
        snprintf(err, errlen, "--%s needs a file with a calendar (a time: section); this one "
                 "is annual", opt->period ? "period" : "year");
        return -1;
    }
    if (opt->period &&
        (*period = select_name(res->period_name, res->n_periods, "period", opt->period, err,
                               errlen)) < 0)
        return -1;
    if (opt->year &&
        (*year = select_name(res->year_name, res->n_years, "year", opt->year, err, errlen)) < 0)
        return -1;
    return 0;
}

const char *report_units(const results_t *res, const char *name)
{
    for (int d = 0; d < res->layout.n_defs; d++)
        if (!strcmp(res->layout.defs[d].name, name))
            return res->layout.defs[d].units;
    return "";
}

void report_region_label(const results_t *res, const char *what, int exporter, int importer,
                         char *out, size_t len)
{
    if (exporter >= 0 && importer >= 0)
        snprintf(out, len, "%s %s -> %s", what, res->exporter_name[exporter],
                 res->importer_name[importer]);
    else if (exporter >= 0 || importer >= 0)
        snprintf(out, len, "%s %s", what,
                 exporter >= 0 ? res->exporter_name[exporter] : res->importer_name[importer]);
    else
        snprintf(out, len, "%s", what);
}

/* ---- tables ----------------------------------------------------------------------- */

typedef struct {
    char *text;     /* NULL for a number */
    double x;
} cell_t;

struct report_table {
    int n_cols;
    char **col_names;
    cell_t *cells;
    size_t n_cells, cap;
    int failed;     /* an allocation failed: the table is incomplete */
};

report_table_t *report_table_new(int n_cols, const char *const *col_names)
{
    report_table_t *t = calloc(1, sizeof *t);
    if (!t || !(t->col_names = calloc((size_t)n_cols, sizeof *t->col_names))) {
        free(t);
        return NULL;
    }
    t->n_cols = n_cols;
    for (int c = 0; c < n_cols; c++)
        if (!(t->col_names[c] = strdup(col_names[c])))
            t->failed = 1;
    return t;
}

void report_table_free(report_table_t *t)
{
    if (!t)
        return;
    for (int c = 0; c < t->n_cols; c++)
        free(t->col_names[c]);
    for (size_t k = 0; k < t->n_cells; k++)
        free(t->cells[k].text);
    free(t->col_names);
    free(t->cells);
    free(t);
}

static cell_t *new_cell(report_table_t *t)
{
    if (t->n_cells == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        cell_t *c = realloc(t->cells, cap * sizeof *c);
        if (!c) {
            t->failed = 1;
            return NULL;
        }
        t->cells = c;
        t->cap = cap;
    }
    cell_t *c = &t->cells[t->n_cells++];
    c->text = NULL;
    c->x = NAN;
    return c;
}

void report_cell_text(report_table_t *t, const char *text)
{
    cell_t *c = new_cell(t);
    if (c && !(c->text = strdup(text)))
        t->failed = 1;
}

void report_cell_number(report_table_t *t, double x)
{
    cell_t *c = new_cell(t);
    if (c)
        c->x = x;
}

size_t report_table_rows(const report_table_t *t)
{
    return t->n_cells / (size_t)t->n_cols;
}

/* A number as the format writes it; NULL for JSON's null. */
static const char *number_text(double x, report_format_t format, char *buf, size_t len)
{
    if (format == REPORT_TEXT) {
        snprintf(buf, len, "%.4g", x);
        return buf;
    }
    if (isnan(x) || (isinf(x) && format == REPORT_JSON))
        return format == REPORT_CSV ? "" : NULL;
    if (isinf(x))
        return x > 0 ? "inf" : "-inf";
    return number_format_double(buf, len, x);
}

static void put_csv_field(const char *s, FILE *out)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void put_json_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);   /* UTF-8 passes through */
    }
    fputc('"', out);
}

static void print_text(const report_table_t *t, int indent, FILE *out)
{
    size_t rows = report_table_rows(t), nc = (size_t)t->n_cols;
    size_t *width = calloc(nc, sizeof *width);
    if (!width)
        return;
    char buf[64];
    for (size_t c = 0; c < nc; c++)
        width[c] = strlen(t->col_names[c]);
    for (size_t k = 0; k < rows * nc; k++) {
        const cell_t *cell = &t->cells[k];
        size_t w = strlen(cell->text ? cell->text : number_text(cell->x, REPORT_TEXT, buf, sizeof buf));
        if (w > width[k % nc])
            width[k % nc] = w;
    }
    /* a column is numeric (right-aligned, header too) when its first row is a number */
    for (size_t r = 0; r <= rows; r++) {
        fprintf(out, "%*s", indent, "");
        for (size_t c = 0; c < nc; c++) {
            const cell_t *cell = r ? &t->cells[(r - 1) * nc + c] : NULL;
            int numeric = rows && !t->cells[c].text;
            const char *s = !cell ? t->col_names[c]
                          : cell->text ? cell->text : number_text(cell->x, REPORT_TEXT, buf, sizeof buf);
            int last = c + 1 == nc;
            if (numeric)
                fprintf(out, "%s%*s", c ? "  " : "", (int)width[c], s);
            else
                fprintf(out, "%s%-*s", c ? "  " : "", last ? 0 : (int)width[c], s);
        }
        fputc('\n', out);
    }
    free(width);
}

int report_table_print(const report_table_t *t, report_format_t format, int indent, FILE *out)
{
    if (t->failed)
        return -1;
    size_t rows = report_table_rows(t), nc = (size_t)t->n_cols;
    char buf[64];
    if (format == REPORT_TEXT) {
        print_text(t, indent, out);
    } else if (format == REPORT_CSV) {
        for (size_t c = 0; c < nc; c++) {
            if (c)
                fputc(',', out);
            put_csv_field(t->col_names[c], out);
        }
        fputc('\n', out);
        for (size_t k = 0; k < rows * nc; k++) {
            const cell_t *cell = &t->cells[k];
            if (k % nc)
                fputc(',', out);
            put_csv_field(cell->text ? cell->text : number_text(cell->x, format, buf, sizeof buf),
                          out);
            if (k % nc == nc - 1)
                fputc('\n', out);
        }
    } else {
        fputs("[", out);
        for (size_t r = 0; r < rows; r++) {
            fputs(r ? ",\n {" : "\n {", out);
            for (size_t c = 0; c < nc; c++) {
                const cell_t *cell = &t->cells[r * nc + c];
                if (c)
                    fputs(", ", out);
                put_json_string(t->col_names[c], out);
                fputs(": ", out);
                const char *s = cell->text ? NULL : number_text(cell->x, format, buf, sizeof buf);
                if (cell->text)
                    put_json_string(cell->text, out);
                else
                    fputs(s ? s : "null", out);
            }
            fputs("}", out);
        }
        fputs("\n]\n", out);
    }
    return ferror(out) ? -1 : 0;
}
