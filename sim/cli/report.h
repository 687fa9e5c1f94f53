/*
 * report.h - what `agtrade summary` and `agtrade compare` share: opening a finished
 * output file with its run identity, and printing a table as aligned text, CSV or JSON.
 *
 * Tables: a fixed list of column names, then rows of cells, each a text or a number.
 * Formats:
 *   text  columns padded to their widest cell (numbers right-aligned, %.4g);
 *   csv   RFC 4180 (a header line, fields with a comma, quote or newline quoted, quotes
 *         doubled), numbers in the shortest form that reads back exactly, an empty field
 *         for NaN, "inf"/"-inf" for infinities: what pandas.read_csv and Stata's
 *         `import delimited` read as is;
 *   json  an array of objects, one per row, keyed by column name; NaN and infinities
 *         are null.
 * Ownership: a table owns copies of its texts; report_table_free(NULL) does nothing.
 * Allocation failure is sticky: report_table_print() then returns -1. Not thread-safe.
 */
#ifndef AGTRADE_REPORT_H
#define AGTRADE_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include "h5out.h"
#include "results.h"

typedef enum { REPORT_TEXT, REPORT_CSV, REPORT_JSON } report_format_t;

/* "text", "csv" or "json" into *out; -1 for anything else. */
int report_format_parse(const char *name, report_format_t *out);

/* A finished output file, read whole (summaries of every point present). */
typedef struct {
    const char *path;
    uint64_t seed, draws, failed;
    char *version;                /* agtrade_version attribute */
    char scenario[128];           /* scenario.name of the resolved config, or "" */
    results_t *res;
    h5in_t *in;                   /* kept open for raw draws */
} report_file_t;

/* Opens path and reads its identity and summaries. On failure returns the exit code
 * (EXIT_NOINPUT: cannot open, EXIT_DATAERR: not a complete agtrade file) with a message
 * "path: ..." in err; rf is then empty (report_file_close is still safe). */
int report_file_open(const char *path, report_file_t *rf, char *err, size_t errlen);
void report_file_close(report_file_t *rf);

/* The options summary and compare share. */
typedef struct {
    const char *exporter, *importer;   /* --exporter / --importer, NULL when not given */
    int all;                           /* --all */
    report_format_t format;            /* --format, default text */
    const char *period, *year;         /* --period / --year, NULL when not given */
} report_options_t;

/* Parses -e/--exporter X, -i/--importer Y, -a/--all, -f/--format F, --period P, --year Y,
 * -h/--help (prints
 * usage) and -V/--version of subcommand argv[0] with cli_getopt: -1 to go on with the
 * operands argv[optind..argc), otherwise the exit code (EXIT_OK after --help or
 * --version; EXIT_USAGE after a bad option or --all with a region, said on stderr). */
int report_parse_options(int argc, char **argv, const char *usage, report_options_t *opt);

/* The regions an output covers, sel_exp[e] / sel_imp[i] non-zero (arrays of
 * res->n_exporters / n_importers): the named one, every one with --all, else the first
 * one (every one when every_by_default). 0, or -1 with "no exporter 'X' (it has: 'US',
 * ...)" in err. */
int report_select(const results_t *res, const report_options_t *opt, int every_by_default,
                  char *sel_exp, char *sel_imp, char *err, size_t errlen);

/* The period and year an output is narrowed to (--period / --year): their indices into
 * res->period_name / year_name, -1 where not given. 0, or -1 with "no period 'X' (it has:
 * 'Sep-Nov 2024', ...)" or "--period needs a file with a calendar ..." in err. */
int report_select_time(const results_t *res, const report_options_t *opt, int *period,
                       int *year, char *err, size_t errlen);

/* The units of quantity `name` in the file's own layout (annual or calendar table), ""
 * when there is none. */
const char *report_units(const results_t *res, const char *name);

/* "what US -> China" (exporter and importer), "what US" / "what China" (one of them) or
 * "what" (neither: -1, -1), for row labels. */
void report_region_label(const results_t *res, const char *what, int exporter, int importer,
                         char *out, size_t len);

typedef struct report_table report_table_t;

report_table_t *report_table_new(int n_cols, const char *const *col_names);
void report_table_free(report_table_t *t);
/* Cells fill the current row left to right; a row is complete after n_cols cells. */
void report_cell_text(report_table_t *t, const char *text);
void report_cell_number(report_table_t *t, double x);
size_t report_table_rows(const report_table_t *t);
/* text: indent spaces before every line. 0, or -1 on an allocation failure or a write
 * error. */
int report_table_print(const report_table_t *t, report_format_t format, int indent, FILE *out);

#endif
