/*
 * test_config.c - scenario files: every error class with its message and line, the
 * shipped configs, the print-config round trip, --set, sweeps, base chains and the
 * fuzzer's regression inputs.
 */
#include <dirent.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include "testutil.h"
#include "config.h"
#include "market.h"

/* A small market; its line numbers are used by the error tests below. */
static const char *MINI =
    "exporters:\n"                                          /* 1 */
    "  North:\n"                                            /* 2 */
    "    production: 48.375\n"                              /* 3 */
    "    exports: 20.5\n"                                   /* 4 */
    "    fob_price: 402.5\n"                                /* 5 */
    "    eps: -0.85\n"                                      /* 6 */
    "  South:\n"                                            /* 7 */
    "    production: 73.125\n"                              /* 8 */
    "    fob_price: 391.25\n"                               /* 9 */
    "    export_tax: 0.12\n"                                /* 10 */
    "    eps: -0.65\n"                                      /* 11 */
    "importers:\n"                                          /* 12 */
    "  East:\n"                                             /* 13 */
    "    sigma: 7.25\n"                                     /* 14 */
    "    eta: -0.45\n"                                      /* 15 */
    "  West:\n"                                             /* 16 */
    "    sigma: 4.5\n"                                      /* 17 */
    "    eta: -0.6\n"                                       /* 18 */
    "routes:\n"                                             /* 19 */
    "  North:\n"                                            /* 20 */
    "    East: {flow: 12.25, freight: 41.5, tariff: 0.03}\n" /* 21 */
    "    West: {flow: 8.25, freight: 27.5}\n"               /* 22 */
    "  South:\n"                                            /* 23 */
    "    East: {flow: 30.5, freight: 36.75, tariff: 0.03}\n" /* 24 */
    "    West: {flow: 9.75, freight: 31.25}\n";             /* 25 */

static char tmpdir[256];

static int setup_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/agtrade-test-config-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char p[600];
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(tmpdir);
    return 0;
}

/* MINI with one substring replaced (it must occur), plus `extra` appended. */
static char *variant(const char *from, const char *to, const char *extra)
{
    size_t n = strlen(MINI) + (to ? strlen(to) : 0) + strlen(extra) + 1;
    char *s = malloc(n);
    assert_non_null(s);
    if (from) {
        const char *at = strstr(MINI, from);
        assert_non_null(at);
        snprintf(s, n, "%.*s%s%s%s", (int)(at - MINI), MINI, to, at + strlen(from), extra);
    } else {
        snprintf(s, n, "%s%s", MINI, extra);
    }
    return s;
}

static char *write_file(const char *name, const char *text)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Load text as file `name` in the temp folder and expect an error on `line` whose
 * message contains `what`. */
static void expect_error_named(const char *name, const char *text, int line, const char *what)
{
    config_t *cfg = NULL;
    config_error_t err;
    const char *path = write_file(name, text);
    int rc = config_load(path, &cfg, &err);
    if (rc == 0 || !strstr(err.message, what) || err.line != line) {
        print_error("rc %d, line %d (want %d), message: %s\nwanted: %s\n", rc, err.line, line,
                    rc ? err.message : "(none)", what);
        config_free(cfg);
        fail();
    }
    assert_null(cfg);
    /* git style: file:line:col: message */
    char prefix[700];
    snprintf(prefix, sizeof prefix, "%s:%d:%d: ", path, line, err.column);
    assert_true(err.column > 0);
    assert_memory_equal(err.message, prefix, strlen(prefix));
    assert_string_equal(err.file, path);
    assert_null(strchr(err.message, '\n'));
}

static void expect_error(const char *text, int line, const char *what)
{
    expect_error_named("case.yaml", text, line, what);
}

static config_t *load_ok(const char *text)
{
    config_t *cfg = NULL;
    config_error_t err;
    const char *path = write_file("ok.yaml", text);
    int rc = config_load(path, &cfg, &err);
    if (rc)
        print_error("%s\n", err.message);
    assert_int_equal(rc, 0);
    return cfg;
}

/* ---- error classes ---- */

static void syntax_error_names_line_and_column(void **state)
{
    (void)state;
    char *s = variant("    West: {flow: 9.75, freight: 31.25}\n",
                      "    West: {flow: 9.75, freight: 31.25\n", "run:\n  draws: 5\n");
    expect_error(s, 26, "YAML syntax error");
    free(s);
    s = variant("    eps: -0.85\n", "    eps: -0.85\n   bad indent: 1\n", "");
    expect_error(s, 7, "YAML syntax error");
    free(s);
}

static void unknown_key_is_named_with_its_position(void **state)
{
    (void)state;
    char *s = variant("    eta: -0.45\n", "    etta: -0.45\n", "");
    expect_error(s, 15, "unknown key 'etta' in importers.East (expected: sigma, eta");
    free(s);
    s = variant(NULL, NULL, "runn:\n  draws: 5\n");
    expect_error(s, 26, "unknown key 'runn' in the top level");
    free(s);
}

static void wrong_type_is_rejected(void **state)
{
    (void)state;
    char *s = variant("sigma: 7.25", "sigma: [7.25]", "");
    expect_error(s, 14, "importers.East.sigma must be a number (got a list)");
    free(s);
    s = variant("sigma: 7.25", "sigma: \"7.25\"", "");
    expect_error(s, 14, "must be a number (got the quoted string '7.25')");
    free(s);
    s = variant(NULL, NULL, "run:\n  draws: 2.5e3\n");
    expect_error(s, 27, "run.draws must be a whole number");
    free(s);
}

static void number_with_trailing_junk_is_rejected(void **state)
{
    (void)state;
    char *s = variant("sigma: 7.25", "sigma: 7.25abc", "");
    expect_error(s, 14, "importers.East.sigma: number '7.25abc' has trailing junk 'abc'");
    free(s);
    s = variant("freight: 27.5}", "freight: 0x1B}", "");
    expect_error(s, 22, "has trailing junk 'x1B'");
    free(s);
    s = variant(NULL, NULL, "run:\n  draws: 1000x\n");
    expect_error(s, 27, "run.draws: number '1000x' has trailing junk 'x'");
    free(s);
}

static void missing_key_is_named(void **state)
{
    (void)state;
    char *s = variant("    fob_price: 402.5\n", "", "");
    expect_error(s, 3, "missing key 'fob_price' in exporters.North");
    free(s);
    s = variant(NULL, NULL, "inputs:\n  y:\n    target: yield\n    dist: normal\n    mean: 1\n");
    expect_error(s, 28, "missing key 'exporter' in inputs.y");
    free(s);
}

static void out_of_range_values_are_rejected(void **state)
{
    (void)state;
    char *s = variant("production: 48.375", "production: -48.375", "");
    expect_error(s, 3, "exporters.North.production must be > 0 (Mt) (got -48.375)");
    free(s);
    s = variant("sigma: 7.25", "sigma: -2", "");
    expect_error(s, 14, "importers.East.sigma must be > 0 (got -2)");
    free(s);
    s = variant("eta: -0.45", "eta: 0.45", "");
    expect_error(s, 15, "importers.East.eta must be < 0 (got 0.45)");
    free(s);
    s = variant("tariff: 0.03}\n    West: {flow: 8.25", "tariff: -0.03}\n    West: {flow: 8.25", "");
    expect_error(s, 21, "routes.North.East.tariff must be >= 0 (got -0.03)");
    free(s);
    s = variant(NULL, NULL, "scenario:\n  tariffs:\n    North: {East: -0.25}\n");
    expect_error(s, 28, "scenario.tariffs.North.East must be >= 0 (got -0.25)");
    free(s);
    s = variant(NULL, NULL, "inputs:\n  s:\n    target: sigma\n    importer: East\n"
                "    dist: normal\n    mean: 7\n    sd: -1.5\n");
    expect_error(s, 32, "inputs.s.sd must be > 0 (got -1.5)");
    free(s);
    s = variant(NULL, NULL, "inputs:\n  e:\n    target: eta\n    importer: East\n"
                "    dist: uniform\n    min: -0.2\n    max: -0.5\n");
    expect_error(s, 31, "inputs.e: min > max (min -0.2, max -0.5)");
    free(s);
    s = variant(NULL, NULL, "inputs:\n  f:\n    target: demand\n    importer: East\n"
                "    dist: lognormal\n    meanlog: -.inf\n    sdlog: 0.25\n");
    expect_error(s, 31, "inputs.f.meanlog must be finite (got -.inf)");
    free(s);
    s = variant(NULL, NULL, "inputs:\n  e:\n    target: eta\n    importer: East\n"
                "    dist: uniform\n    min: -0.5\n    max: 0.25\n");
    expect_error(s, 28, "inputs.e: eta must be < 0, but uniform can give values in [-0.5, 0.25]");
    free(s);
}

static void probabilities_are_checked(void **state)
{
    (void)state;
    char *s = variant(NULL, NULL, "regimes:\n  calm:\n    probability: 1.25\n");
    expect_error(s, 28, "regimes.calm.probability must be in [0, 1] (got 1.25)");
    free(s);
    s = variant(NULL, NULL, "regimes:\n  calm:\n    probability: 0.55\n"
                "  storm:\n    probability: 0.35\n    tariffs: {North: {East: 1.38}}\n");
    expect_error(s, 27, "regime probabilities sum to 0.9");
    free(s);
    s = variant(NULL, NULL, "inputs:\n  c:\n    target: compliance\n    dist: beta\n"
                "    mean: 0.58\n    sd: 0.6\n");
    expect_error(s, 31, "inputs.c: sd must be > 0 and below");
    free(s);
}

static void inconsistent_balance_is_rejected(void **state)
{
    (void)state;
    char *s = variant("exports: 20.5", "exports: 25.5", "");
    expect_error(s, 4, "exporters.North.exports (25.5 Mt) differ from the sum of its route "
                       "flows (20.5 Mt) by more than 0.5 %");
    free(s);
    s = variant("    export_tax: 0.12\n", "    export_tax: 0.12\n    domestic_use: 50\n", "");
    expect_error(s, 11, "exporters.South: production - domestic_use (23.125 Mt) differs");
    free(s);
}

static void importer_without_imports_is_rejected(void **state)
{
    (void)state;
    char *s = variant("West: {flow: 8.25,", "West: {flow: 0,", "");
    char *t = malloc(strlen(s) + 8);
    const char *at = strstr(s, "West: {flow: 9.75,");
    assert_non_null(at);
    sprintf(t, "%.*sWest: {flow: 0,%s", (int)(at - s), s, at + strlen("West: {flow: 9.75,"));
    /* keep the balances right: the exports moved away, so drop the North exports line */
    char *u = malloc(strlen(t) + 8);
    at = strstr(t, "    exports: 20.5\n");
    sprintf(u, "%.*s    exports: 12.25\n%s", (int)(at - t), t, at + strlen("    exports: 20.5\n"));
    expect_error(u, 16, "importers.West: has no imports (every route flow to it is 0)");
    free(s);
    free(t);
    free(u);
}

static const char *CORR_INPUTS =
    "inputs:\n"                                                        /* 26 */
    "  yn: {target: yield, exporter: North, dist: normal, mean: 1, sd: 0.06}\n"
    "  ys: {target: yield, exporter: South, dist: normal, mean: 1, sd: 0.14}\n"
    "  fi: {target: freight_index, dist: lognormal, median: 1, sdlog: 0.15}\n"
    "correlation:\n"                                                   /* 30 */
    "  inputs: [yn, ys, fi]\n"
    "  matrix:\n";

static void correlation_must_be_symmetric_and_positive_definite(void **state)
{
    (void)state;
    char extra[1024];
    snprintf(extra, sizeof extra, "%s    - [1, 0.45, 0.1]\n    - [0.35, 1, 0.2]\n"
             "    - [0.1, 0.2, 1]\n", CORR_INPUTS);
    char *s = variant(NULL, NULL, extra);
    expect_error(s, 34, "correlation.matrix[1][0]: correlation of inputs 'ys' and 'yn' must be "
                        "symmetric and within [-1, 1] (got 0.35 and 0.45)");
    free(s);
    snprintf(extra, sizeof extra, "%s    - [1, 0.95, -0.9]\n    - [0.95, 1, 0.1]\n"
             "    - [-0.9, 0.1, 1]\n", CORR_INPUTS);
    s = variant(NULL, NULL, extra);
    expect_error(s, 35, "correlation.matrix[2]: correlation matrix is not positive definite: "
                        "input 'fi' is inconsistent");
    free(s);
    snprintf(extra, sizeof extra, "%s    - [1, 1.25, 0]\n    - [1.25, 1, 0]\n"
             "    - [0, 0, 1]\n", CORR_INPUTS);
    s = variant(NULL, NULL, extra);
    expect_error(s, 34, "correlation.matrix[1][0]: correlation of inputs 'ys' and 'yn' must be "
                        "symmetric and within [-1, 1] (got 1.25 and 1.25)");
    free(s);
    snprintf(extra, sizeof extra, "%s    - [1, 0.45, 0.1]\n    - [0.45, 0.98, 0.2]\n"
             "    - [0.1, 0.2, 1]\n", CORR_INPUTS);
    s = variant(NULL, NULL, extra);
    expect_error(s, 34, "correlation.matrix[1][1]: correlation of input 'ys' with itself must "
                        "be 1 (got 0.98)");
    free(s);
}

static void correlation_lands_on_the_named_inputs(void **state)
{
    (void)state;
    char extra[1024];
    /* the sub-matrix names inputs out of file order: it must be permuted into place */
    snprintf(extra, sizeof extra, "%s", CORR_INPUTS);
    char *e = extra + strlen(extra);
    char *list = strstr(extra, "[yn, ys, fi]");
    memcpy(list, "[fi, yn, ys]", 12);
    snprintf(e, sizeof extra - (size_t)(e - extra),
             "    - [1, 0, 0.125]\n    - [0, 1, 0.375]\n    - [0.125, 0.375, 1]\n");
    char *s = variant(NULL, NULL, extra);
    config_t *cfg = load_ok(s);
    free(s);
    assert_int_equal(cfg->n_inputs, 3);
    const double want[9] = {1, 0.375, 0, 0.375, 1, 0.125, 0, 0.125, 1};
    for (int k = 0; k < 9; k++)
        assert_true(cfg->correlation[k] == want[k]);
    config_free(cfg);
}

static void unknown_region_is_rejected(void **state)
{
    (void)state;
    char *s = variant("  North:\n    East: {flow", "  Nort:\n    East: {flow", "");
    expect_error(s, 20, "routes.Nort: unknown exporter 'Nort' (exporters: North, South)");
    free(s);
    s = variant(NULL, NULL, "inputs:\n  d:\n    target: demand\n    importer: Eest\n"
                "    dist: fixed\n    value: 1.5\n");
    expect_error(s, 29, "inputs.d.importer: unknown importer 'Eest' (importers: East, West)");
    free(s);
    s = variant(NULL, NULL, "thresholds:\n  low:\n    variable: flow\n    exporter: North\n"
                "    importer: Weest\n    below: 5\n");
    expect_error(s, 30, "unknown importer 'Weest'");
    free(s);
}

static void base_chain_errors_are_reported(void **state)
{
    (void)state;
    expect_error_named("child.yaml", "base: nowhere.yaml\nrun: {draws: 5}\n", 1,
                       "base file 'nowhere.yaml' not found");
    expect_error_named("self.yaml", "# me\nbase: self.yaml\n", 2,
                       "base file 'self.yaml' is this file itself");
    /* a cycle is reported where it closes: cyc-b.yaml names cyc-c.yaml again */
    write_file("cyc-a.yaml", "base: cyc-b.yaml\n");
    write_file("cyc-b.yaml", "run: {draws: 5}\nbase: cyc-c.yaml\n");
    char c_path[600], want[2048];
    snprintf(c_path, sizeof c_path, "%s", write_file("cyc-c.yaml", "base: cyc-a.yaml\n"));
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load(c_path, &cfg, &err), CONFIG_EINVALID);
    snprintf(want, sizeof want, "%s/cyc-b.yaml:2:7: base chain includes itself: %s -> "
             "%s/cyc-a.yaml -> %s/cyc-b.yaml -> %s/cyc-c.yaml", tmpdir, c_path, tmpdir, tmpdir,
             tmpdir);
    assert_string_equal(err.message, want);
    assert_int_equal(err.line, 2);
}

/* ---- hostile files: limits applied while parsing, tags, pipes, what an override did ---- */

static void nesting_is_limited_while_parsing(void **state)
{
    (void)state;
    enum { DEEP = 200000 };
    char *text = malloc(2 * DEEP + 32);
    assert_non_null(text);
    int n = sprintf(text, "description: ");
    memset(text + n, '[', DEEP);
    memset(text + n + DEEP, ']', DEEP);
    strcpy(text + n + 2 * DEEP, "\n");
    /* level 65 is the 65th '[' (column 13 + 65): the parser stops there */
    expect_error(text, 1, "nesting deeper than 64 levels");
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load(write_file("deep.yaml", text), &cfg, &err), CONFIG_EINVALID);
    assert_int_equal(err.column, 13 + 65);
    free(text);
    /* an alias cannot smuggle the depth past the limit */
    char alias[4096];
    n = sprintf(alias, "description: &a ");
    for (int k = 0; k < 40; k++)
        alias[n++] = '[';
    for (int k = 0; k < 40; k++)
        alias[n++] = ']';
    n += sprintf(alias + n, "\nother: ");
    for (int k = 0; k < 30; k++)
        alias[n++] = '[';
    n += sprintf(alias + n, "*a");
    for (int k = 0; k < 30; k++)
        alias[n++] = ']';
    strcpy(alias + n, "\n");
    expect_error(alias, 2, "nesting deeper than 64 levels (through alias *a)");
}

static void tags_are_honoured_or_refused(void **state)
{
    (void)state;
    char *s = variant(NULL, NULL, "run:\n  draws: !!str 5\n");
    expect_error(s, 27, "run.draws must be a whole number (got a quoted string)");
    free(s);
    s = variant(NULL, NULL, "run:\n  draws: !!int 5\n");
    expect_error(s, 27, "YAML tag '!!int' is not supported");
    free(s);
    s = variant(NULL, NULL, "run: !custom {draws: 5}\n");
    expect_error(s, 26, "YAML tag '!custom' is not supported");
    free(s);
    s = variant(NULL, NULL, "run: !!map {draws: 5}\n");
    config_free(load_ok(s));
    free(s);
}

static void control_characters_are_located_by_line_and_column(void **state)
{
    (void)state;
    char *s = variant(NULL, NULL, "description: \"caf\xc3\xa9 \x01\"\n");
    expect_error(s, 26, "control characters are not allowed");
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load(write_file("ctl.yaml", s), &cfg, &err), CONFIG_EINVALID);
    assert_int_equal(err.column, 20);   /* characters, not bytes: é is one */
    free(s);
}

static void an_over_long_key_gets_the_name_rule(void **state)
{
    (void)state;
    char key[3000];
    memset(key, 'X', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    char *s = variant("  West:\n    sigma", "", "");
    size_t n = strlen(s) + sizeof key + 64;
    char *text = malloc(n);
    snprintf(text, n, "%s  %s:\n    sigma: 4.5\n", MINI, key);
    expect_error(text, 26, "a key of 2999 characters: names have 1 to 63 characters");
    free(text);
    free(s);
}

static void exporter_and_importer_names_differ(void **state)
{
    (void)state;
    char *s = variant("  West:\n", "  South:\n", "");
    expect_error(s, 16, "importers: 'South' is also an exporter");
    free(s);
}

static void a_named_pipe_is_refused_not_waited_on(void **state)
{
    (void)state;
    char fifo[700];
    snprintf(fifo, sizeof fifo, "%s/pipe.yaml", tmpdir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load(fifo, &cfg, &err), CONFIG_ENOENT);
    assert_non_null(strstr(err.message, "pipe.yaml: is a named pipe, not a regular file"));
    expect_error_named("viapipe.yaml", "base: pipe.yaml\n", 1, "is a named pipe");
    unlink(fifo);
}

static void an_error_caused_by_an_override_names_it(void **state)
{
    (void)state;
    char extra[1024];
    snprintf(extra, sizeof extra, "%s    - [1, 0.4, 0.1]\n    - [0.4, 1, 0.2]\n"
             "    - [0.1, 0.2, 1]\n", CORR_INPUTS);
    char *base = variant(NULL, NULL, extra);
    write_file("corr-base.yaml", base);
    free(base);
    config_t *cfg;
    config_error_t err;
    const char *path = write_file("corr-child.yaml", "base: corr-base.yaml\n# drop them\ninputs:\n");
    assert_int_equal(config_load(path, &cfg, &err), CONFIG_EINVALID);
    assert_non_null(strstr(err.message, "corr-base.yaml:"));
    assert_non_null(strstr(err.message, "unknown input"));
    assert_non_null(strstr(err.message, "(after "));
    assert_non_null(strstr(err.message, "corr-child.yaml:3:1 removes 'inputs')"));
}

static void missing_top_level_file_is_enoent(void **state)
{
    (void)state;
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load("/nonexistent/agtrade.yaml", &cfg, &err), CONFIG_ENOENT);
    assert_null(cfg);
    assert_non_null(strstr(err.message, "/nonexistent/agtrade.yaml: cannot open"));
}

/* ---- what a valid file gives ---- */

static void base_file_is_merged_and_overridden(void **state)
{
    (void)state;
    write_file("market.yaml", MINI);
    config_t *cfg = load_ok("base: market.yaml\n"
                            "exporters:\n  South: {fob_price: 388.75}\n"
                            "scenario:\n  tariffs: {North: {East: 0.28}}\n"
                            "  floors: {North: {West: 6.5}}\n");
    const market_spec_t *m = cfg->market;
    assert_int_equal(m->n_exporters, 2);
    assert_int_equal(m->n_importers, 2);
    assert_true(m->fob_price[1] == 388.75);
    assert_true(m->production[1] == 73.125);     /* inherited */
    assert_true(m->export_tax[1] == 0.12);
    assert_true(m->domestic_use[0] == 48.375 - 20.5);
    assert_true(m->domestic_use[1] == 73.125 - (30.5 + 9.75));
    assert_true(cfg->reference.tariff[0] == 0.03);
    assert_true(cfg->scenario.tariff[0] == 0.28);
    assert_true(cfg->scenario.tariff[2] == 0.03);
    assert_true(cfg->scenario.floor[1] == 6.5);
    assert_true(isinf(cfg->scenario.cap[1]));
    assert_true(cfg->scenario.export_tax[1] == 0.12);
    config_free(cfg);
}

static void distributions_are_converted_to_canonical_parameters(void **state)
{
    (void)state;
    char *s = variant(NULL, NULL,
                      "inputs:\n"
                      "  s: {target: sigma, importer: East, dist: lognormal, median: 12, p05: 5, p95: 25}\n"
                      "  c: {target: compliance, dist: beta, mean: 0.58, sd: 0.15}\n"
                      "  p: {target: yield, exporter: South, dist: pert, min: 0.6, mode: 1.02, max: 1.15}\n"
                      "  e: {target: demand, importer: West, dist: empirical, values: [0.97, 1.03, 1.015]}\n");
    config_t *cfg = load_ok(s);
    free(s);
    assert_int_equal(cfg->n_inputs, 4);
    const input_spec_t *in = cfg->inputs;
    assert_int_equal(in[0].dist.kind, DIST_LOGNORMAL);
    assert_int_equal(in[0].apply, APPLY_OVERRIDE);
    assert_int_equal(in[0].importer, 0);
    assert_close(in[0].dist.p[0], log(12.0), 1e-15, 0);
    assert_close(in[0].dist.p[1], log(25.0 / 5.0) / (2 * 1.6448536269514722), 1e-15, 0);
    double a = in[1].dist.p[0], b = in[1].dist.p[1];
    assert_int_equal(in[1].target, TARGET_COMPLIANCE);
    assert_close(a / (a + b), 0.58, 1e-12, 0);
    assert_close(sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))), 0.15, 1e-12, 0);
    assert_true(in[1].dist.p[2] == 0 && in[1].dist.p[3] == 1);
    assert_int_equal(in[2].dist.kind, DIST_PERT);
    assert_int_equal(in[2].apply, APPLY_MULTIPLY);
    assert_true(in[2].dist.p[1] == 1.02 && in[2].dist.p[3] == 4);
    assert_int_equal(in[3].dist.n_values, 3);
    assert_true(in[3].dist.values[2] == 1.015);
    config_free(cfg);
}

static void thresholds_resolve_regions(void **state)
{
    (void)state;
    char *s = variant(NULL, NULL, "thresholds:\n  North -> West below 5 Mt:\n"
                      "    variable: flow\n    exporter: North\n    importer: West\n    below: 5.25\n"
                      "  index up:\n    variable: price_index\n    importer: East\n"
                      "    above: 12.5\n    of_change: true\n");
    config_t *cfg = load_ok(s);
    free(s);
    assert_int_equal(cfg->n_thresholds, 2);
    assert_string_equal(cfg->thresholds[0].name, "North -> West below 5 Mt");
    assert_int_equal(cfg->thresholds[0].exporter, 0);
    assert_int_equal(cfg->thresholds[0].importer, 1);
    assert_int_equal(cfg->thresholds[0].op, THRESHOLD_BELOW);
    assert_true(cfg->thresholds[0].value == 5.25);
    assert_int_equal(cfg->thresholds[1].exporter, -1);
    assert_int_equal(cfg->thresholds[1].op, THRESHOLD_ABOVE);
    assert_int_equal(cfg->thresholds[1].of_change, 1);
    config_free(cfg);
}

/* ---- shipped configs ---- */

static json_object *vectors_baseline(json_object **root)
{
    *root = json_object_from_file("tests/data/model-vectors.json");
    if (!*root)
        return NULL;
    json_object *b;
    return json_object_object_get_ex(*root, "baseline", &b) ? b : NULL;
}

static double jnum(json_object *o, const char *key, int i, int j)
{
    json_object *a;
    assert_true(json_object_object_get_ex(o, key, &a));
    json_object *e = json_object_array_get_idx(a, (size_t)i);
    if (j >= 0)
        e = json_object_array_get_idx(e, (size_t)j);
    return json_object_get_double(e);
}

static void default_calibration_matches_model_vectors_exactly(void **state)
{
    (void)state;
    config_t *cfg;
    config_error_t err;
    int rc = config_load("configs/soybeans-2024-25.yaml", &cfg, &err);
    if (rc)
        print_error("%s\n", err.message);
    assert_int_equal(rc, 0);
    json_object *root, *b = vectors_baseline(&root), *el;
    if (!b)
        print_error("tests/data/model-vectors.json missing or without \"baseline\"\n");
    assert_non_null(b);
    assert_true(json_object_object_get_ex(root, "elasticities", &el));
    const market_spec_t *m = cfg->market;
    assert_int_equal(m->n_exporters, 5);
    assert_int_equal(m->n_importers, 3);
    assert_string_equal(m->exporter_name[4], "Other exporters");
    assert_string_equal(m->importer_name[2], "Other importers");
    for (int i = 0; i < 5; i++) {
        assert_true(m->production[i] == jnum(b, "production", i, -1));
        assert_true(m->domestic_use[i] == jnum(b, "domestic_use", i, -1));
        assert_true(m->fob_price[i] == jnum(b, "fob_price", i, -1));
        assert_true(m->export_tax[i] == jnum(b, "export_tax", i, -1));
        assert_true(m->eps[i] == jnum(el, "eps", i, -1));
        assert_true(m->kappa[i] == jnum(el, "kappa", i, -1));
        for (int j = 0; j < 3; j++) {
            assert_true(m->flow[i * 3 + j] == jnum(b, "flow", i, j));
            assert_true(m->freight[i * 3 + j] == jnum(b, "freight", i, j));
            assert_true(m->tariff[i * 3 + j] == jnum(b, "tariff", i, j));
        }
    }
    for (int j = 0; j < 3; j++) {
        assert_true(m->sigma[j] == jnum(el, "sigma", j, -1));
        assert_true(m->eta[j] == jnum(el, "eta", j, -1));
    }
    json_object_put(root);
    config_free(cfg);
}

static void every_shipped_config_loads_and_calibrates(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("configs/*.yaml", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 11);
    for (size_t k = 0; k < g.gl_pathc; k++) {
        config_t *cfg;
        config_error_t err;
        int rc = config_load(g.gl_pathv[k], &cfg, &err);
        if (rc)
            print_error("%s\n", err.message);
        assert_int_equal(rc, 0);
        char msg[512] = "";
        market_t *mk = market_calibrate(cfg->market, msg, sizeof msg);
        if (!mk)
            print_error("%s: %s\n", g.gl_pathv[k], msg);
        assert_non_null(mk);
        market_free(mk);
        config_free(cfg);
    }
    globfree(&g);
}

static void shipped_scenarios_set_their_policies(void **state)
{
    (void)state;
    static const struct { const char *file; double tariff; double floor; double cap; } want[] = {
        {"configs/baseline.yaml", 0.03, 0, INFINITY},
        {"configs/trade-war-2018.yaml", 0.28, 0, INFINITY},
        {"configs/escalation-apr-2025.yaml", 1.38, 0, INFINITY},
        {"configs/geneva-truce-2025.yaml", 0.23, 0, INFINITY},
        {"configs/threat-100.yaml", 1.23, 0, INFINITY},
        {"configs/busan-deal-2025.yaml", 0.13, 25, INFINITY},
        {"configs/boycott-sep-2025.yaml", 0.23, 0, 0},
        {"configs/default.yaml", 0.28, 0, INFINITY},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        config_t *cfg;
        config_error_t err;
        assert_int_equal(config_load(want[k].file, &cfg, &err), 0);
        assert_true(cfg->reference.tariff[0] == 0.03);       /* US -> China, baseline */
        assert_true(cfg->scenario.tariff[0] == want[k].tariff);
        assert_true(cfg->scenario.tariff[3] == 0.03);        /* Brazil -> China untouched */
        assert_true(cfg->scenario.floor[0] == want[k].floor);
        assert_true(cfg->scenario.cap[0] == want[k].cap);
        config_free(cfg);
    }
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load("configs/argentina-tax-holiday.yaml", &cfg, &err), 0);
    assert_true(cfg->reference.export_tax[2] == 0.26 && cfg->scenario.export_tax[2] == 0);
    config_free(cfg);
    assert_int_equal(config_load("configs/busan-deal-2025.yaml", &cfg, &err), 0);
    const input_spec_t *c = &cfg->inputs[cfg->n_inputs - 1];
    assert_int_equal(c->target, TARGET_COMPLIANCE);
    assert_close(c->dist.p[0] / (c->dist.p[0] + c->dist.p[1]), 0.75, 1e-12, 0);
    config_free(cfg);
    assert_int_equal(config_load("configs/truce-uncertainty.yaml", &cfg, &err), 0);
    assert_int_equal(cfg->n_regimes, 3);
    assert_true(cfg->regimes[1].tariff[0] == 1.38 && cfg->regimes[1].floor[0] == 0);
    assert_true(cfg->regimes[2].cap[0] == 0);
    assert_true(cfg->regimes[0].floor[0] == 25);
    assert_close(cfg->regimes[0].probability + cfg->regimes[1].probability +
                 cfg->regimes[2].probability, 1, 0, 1e-12);
    config_free(cfg);
    assert_int_equal(config_load("configs/default.yaml", &cfg, &err), 0);
    assert_true(cfg->draws == 100000);
    assert_string_equal(cfg->output, "outputs/default.h5");
    assert_string_equal(cfg->thresholds[0].name, "US -> China below 5 Mt");
    config_free(cfg);
}

/* ---- round trip ---- */

static void assert_same_bits(const void *a, const void *b, size_t n)
{
    assert_memory_equal(a, b, n);
}

static void assert_policy_equal(const config_policy_t *a, const config_policy_t *b, int E, int I)
{
    size_t r = (size_t)E * (size_t)I * sizeof(double);
    assert_string_equal(a->name, b->name);
    assert_same_bits(&a->probability, &b->probability, sizeof(double));
    assert_same_bits(a->tariff, b->tariff, r);
    assert_same_bits(a->export_tax, b->export_tax, (size_t)E * sizeof(double));
    assert_same_bits(a->floor, b->floor, r);
    assert_same_bits(a->cap, b->cap, r);
}

static void assert_config_equal(const config_t *a, const config_t *b)
{
    const market_spec_t *p = a->market, *q = b->market;
    int E = p->n_exporters, I = p->n_importers;
    size_t e = (size_t)E * sizeof(double), i = (size_t)I * sizeof(double), r = e * (size_t)I;
    assert_int_equal(E, q->n_exporters);
    assert_int_equal(I, q->n_importers);
    assert_same_bits(p->exporter_name, q->exporter_name, (size_t)E * MARKET_NAME_MAX);
    assert_same_bits(p->importer_name, q->importer_name, (size_t)I * MARKET_NAME_MAX);
    const double *pa[] = {p->production, p->domestic_use, p->fob_price, p->export_tax, p->eps,
                          p->kappa, p->exchange_rate};
    const double *qa[] = {q->production, q->domestic_use, q->fob_price, q->export_tax, q->eps,
                          q->kappa, q->exchange_rate};
    for (int k = 0; k < 7; k++)
        assert_same_bits(pa[k], qa[k], e);
    assert_same_bits(p->flow, q->flow, r);
    assert_same_bits(p->freight, q->freight, r);
    assert_same_bits(p->tariff, q->tariff, r);
    assert_same_bits(p->sigma, q->sigma, i);
    assert_same_bits(p->eta, q->eta, i);
    assert_int_equal(a->n_inputs, b->n_inputs);
    for (int k = 0; k < a->n_inputs; k++) {
        const input_spec_t *x = &a->inputs[k], *y = &b->inputs[k];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->target, y->target);
        assert_int_equal(x->exporter, y->exporter);
        assert_int_equal(x->importer, y->importer);
        assert_int_equal(x->apply, y->apply);
        assert_int_equal(x->dist.kind, y->dist.kind);
        assert_same_bits(x->dist.p, y->dist.p, sizeof x->dist.p);
        assert_int_equal(x->dist.n_values, y->dist.n_values);
        if (x->dist.n_values)
            assert_same_bits(x->dist.values, y->dist.values, x->dist.n_values * sizeof(double));
    }
    size_t m = (size_t)a->n_inputs;
    if (m)
        assert_same_bits(a->correlation, b->correlation, m * m * sizeof(double));
    assert_policy_equal(&a->reference, &b->reference, E, I);
    assert_policy_equal(&a->scenario, &b->scenario, E, I);
    assert_int_equal(a->n_regimes, b->n_regimes);
    for (int k = 0; k < a->n_regimes; k++)
        assert_policy_equal(&a->regimes[k], &b->regimes[k], E, I);
    assert_int_equal(a->n_thresholds, b->n_thresholds);
    for (int k = 0; k < a->n_thresholds; k++)
        assert_same_bits(&a->thresholds[k], &b->thresholds[k], sizeof a->thresholds[k]);
    assert_int_equal(a->n_sweeps, b->n_sweeps);
    for (int k = 0; k < a->n_sweeps; k++) {
        assert_string_equal(a->sweeps[k].key, b->sweeps[k].key);
        assert_int_equal(a->sweeps[k].n_values, b->sweeps[k].n_values);
        assert_same_bits(a->sweeps[k].values, b->sweeps[k].values,
                         (size_t)a->sweeps[k].n_values * sizeof(double));
    }
    assert_true(a->draws == b->draws);
    assert_true(a->seed == b->seed);
    assert_string_equal(a->output, b->output);
}

static void round_trip(config_t *cfg)
{
    char *yaml = config_to_yaml(cfg);
    assert_non_null(yaml);
    config_t *back;
    config_error_t err;
    int rc = config_load_string(yaml, strlen(yaml), "printed.yaml", &back, &err);
    if (rc)
        print_error("%s\n---\n%s\n", err.message, yaml);
    assert_int_equal(rc, 0);
    assert_config_equal(cfg, back);
    /* and printing again gives the same text */
    char *again = config_to_yaml(back);
    const char *body1 = strchr(yaml, '\n'), *body2 = strchr(again, '\n');
    assert_string_equal(body1, body2);
    free(again);
    free(yaml);
    config_free(back);
}

static void printed_config_loads_back_identical(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("configs/*.yaml", 0, NULL, &g), 0);
    for (size_t k = 0; k < g.gl_pathc; k++) {
        config_t *cfg;
        config_error_t err;
        assert_int_equal(config_load(g.gl_pathv[k], &cfg, &err), 0);
        round_trip(cfg);
        config_free(cfg);
    }
    globfree(&g);
    /* every distribution form, infinite bounds, awkward names and a sweep */
    char *s = variant(NULL, NULL,
                      "inputs:\n"
                      "  a: {target: eps, exporter: North, apply: override, dist: truncated_normal, mean: -1, sd: 0.1, max: -0.2}\n"
                      "  a2: {target: yield, exporter: South, dist: truncated_normal, mean: 1, sd: 0.1, min: 0.5}\n"
                      "  b: {target: eps, exporter: South, dist: triangular, min: -0.9, mode: -0.61, max: -0.3}\n"
                      "  \"c \\\"quoted\\\"\": {target: freight_route, exporter: South, importer: West, dist: uniform, min: 0.8, max: 1.3}\n"
                      "  d: {target: exchange_rate, exporter: North, dist: fixed, value: 1.0625}\n"
                      "  e: {target: eta, importer: West, dist: beta, alpha: 2.5, beta: 3.75, min: -0.9, max: -0.1}\n"
                      "  f: {target: domestic_demand, exporter: North, dist: normal, mean: 1, sd: 0.035}\n"
                      "  g: {target: demand, importer: East, dist: empirical, values: [0.1, 0.30000000000000004, 1e-300]}\n"
                      "correlation: {inputs: [a, f], matrix: [[1, -0.3], [-0.3, 1]]}\n"
                      "reference:\n  tariffs: {South: {West: 0.05}}\n  caps: {North: {East: 14.5}}\n"
                      "regimes:\n  x.y: {probability: 0.3333333333333333, export_taxes: {South: 0.2}}\n"
                      "  z: {probability: 0.6666666666666667, floors: {North: {West: 2.25}}}\n"
                      "sweep:\n  - {key: scenario.tariffs.North.East, start: 0.05, stop: 0.95, step: 0.1}\n"
                      "  - {key: importers.East.sigma, values: [3.5, 9.25]}\n"
                      "run: {draws: 1000000000000, seed: 18446744073709551615, output: \"out dir/x: y.h5\"}\n");
    config_t *cfg = load_ok(s);
    free(s);
    assert_int_equal(cfg->sweeps[0].n_values, 10);
    assert_close(cfg->sweeps[0].values[9], 0.95, 1e-12, 0);
    assert_true(isinf(cfg->inputs[0].dist.p[2]) && cfg->inputs[0].dist.p[2] < 0);
    round_trip(cfg);
    config_free(cfg);
}

/* ---- --set and sweeps ---- */

static void set_changes_a_key_and_keeps_inheritance(void **state)
{
    (void)state;
    config_t *cfg = load_ok(MINI);
    config_error_t err;
    assert_int_equal(config_set(cfg, "run.draws=1000", &err), 0);
    assert_true(cfg->draws == 1000);
    /* production moves, exports stay: domestic use is the residual */
    assert_int_equal(config_set(cfg, "exporters.North.production=50.625", &err), 0);
    assert_true(cfg->market->production[0] == 50.625);
    assert_true(cfg->market->domestic_use[0] == 50.625 - 20.5);
    /* a baseline tariff carries into the reference and scenario */
    assert_int_equal(config_set(cfg, "routes.North.East.tariff=0.28", &err), 0);
    assert_true(cfg->market->tariff[0] == 0.28);
    assert_true(cfg->reference.tariff[0] == 0.28 && cfg->scenario.tariff[0] == 0.28);
    /* a key that is not in the file yet */
    assert_int_equal(config_set(cfg, "scenario.tariffs.South.West=0.5", &err), 0);
    assert_true(cfg->scenario.tariff[3] == 0.5 && cfg->reference.tariff[3] == 0);
    /* KEY=~ deletes: the scenario falls back to the reference */
    assert_int_equal(config_set(cfg, "scenario.tariffs.South.West=~", &err), 0);
    assert_true(cfg->scenario.tariff[3] == 0);
    /* ... a whole mapping too (as `--set inputs.sigma_China=~` in the docs) */
    assert_int_equal(config_set(cfg, "scenario.tariffs.South.West=0.5", &err), 0);
    assert_int_equal(config_set(cfg, "scenario.tariffs=~", &err), 0);
    assert_true(cfg->scenario.tariff[3] == 0 && cfg->scenario.tariff[0] == 0.28);
    assert_int_equal(config_set_number(cfg, "importers.West.sigma", 9.125, &err), 0);
    assert_true(cfg->market->sigma[1] == 9.125);
    config_free(cfg);
}

static void set_rejects_junk_unknown_keys_and_bad_values(void **state)
{
    (void)state;
    config_t *cfg = load_ok(MINI);
    config_error_t err;
    assert_int_not_equal(config_set(cfg, "run.draws=1000x", &err), 0);
    assert_string_equal(err.message,
                        "--set run.draws=1000x: run.draws: number '1000x' has trailing junk 'x'");
    assert_int_not_equal(config_set(cfg, "importers.East.sigma=1.5abc", &err), 0);
    assert_non_null(strstr(err.message, "trailing junk 'abc'"));
    assert_int_not_equal(config_set(cfg, "importers.East.sigmaa=2", &err), 0);
    assert_non_null(strstr(err.message, "--set importers.East.sigmaa=2: unknown key 'sigmaa' "
                                        "in importers.East"));
    assert_int_not_equal(config_set(cfg, "scenario.tariffs.Nowhere.East=0.5", &err), 0);
    assert_non_null(strstr(err.message, "unknown exporter 'Nowhere'"));
    assert_int_not_equal(config_set(cfg, "importers.East.sigma=-3", &err), 0);
    assert_non_null(strstr(err.message, "importers.East.sigma must be > 0 (got -3)"));
    assert_int_not_equal(config_set(cfg, "importers.East=3", &err), 0);
    assert_non_null(strstr(err.message, "importers.East is a mapping, not a single value"));
    assert_int_not_equal(config_set(cfg, "no equals sign", &err), 0);
    assert_non_null(strstr(err.message, "expected KEY=VALUE"));
    /* nothing changed */
    assert_true(cfg->market->sigma[0] == 7.25);
    assert_true(cfg->draws == 10000);
    config_free(cfg);
}

static void sweep_keys_are_checked_when_loading(void **state)
{
    (void)state;
    char *s = variant(NULL, NULL, "sweep:\n  - key: importers.East.sigmaa\n    values: [3]\n");
    expect_error(s, 27, "sweep[0].key: cannot sweep 'importers.East.sigmaa'");
    free(s);
    s = variant(NULL, NULL, "sweep:\n  - key: importers.East.sigma\n    values: [-3]\n");
    expect_error(s, 27, "must be > 0 (got -3)");
    free(s);
    s = variant(NULL, NULL, "sweep:\n  - key: importers.East.sigma\n    start: 3\n"
                "    stop: 1\n    step: 0.5\n");
    expect_error(s, 30, "give no values");
    free(s);
}

static void copy_is_deep_and_equal(void **state)
{
    (void)state;
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load("configs/truce-uncertainty.yaml", &cfg, &err), 0);
    config_t *c = config_copy(cfg);
    assert_non_null(c);
    assert_config_equal(cfg, c);
    assert_ptr_not_equal(c->market->flow, cfg->market->flow);
    assert_int_equal(config_set(c, "run.seed=77", &err), 0);
    assert_true(cfg->seed != 77 && c->seed == 77);
    /* a --set on the copy leaves the original alone, and inheritance stays live */
    assert_int_equal(config_set(c, "regimes.escalation.tariffs.US.China=1.13", &err), 0);
    assert_true(c->regimes[1].tariff[0] == 1.13 && c->regimes[2].tariff[0] == 0.23);
    assert_true(cfg->regimes[1].tariff[0] != 1.13);
    config_free(cfg);
    config_free(c);
}

static void policy_apply_copies_every_array(void **state)
{
    (void)state;
    config_t *cfg;
    config_error_t err;
    assert_int_equal(config_load("configs/busan-deal-2025.yaml", &cfg, &err), 0);
    double t[15], e[5], f[15], c[15];
    policy_t p = {5, 3, t, e, f, c};
    config_policy_apply(&cfg->scenario, &p);
    assert_true(t[0] == 0.13 && f[0] == 25 && isinf(c[0]) && e[2] == 0.26 && t[3] == 0.03);
    config_free(cfg);
}

/* ---- fuzzer regressions ---- */

static void fuzz_regressions_fail_cleanly(void **state)
{
    (void)state;
    glob_t g;
    /* the folder holds regressions: finding none would pass without checking anything */
    int rc = glob("tests/data/fuzz-regressions/*.yaml", 0, NULL, &g);
    assert_int_equal(rc, 0);
    assert_true(g.gl_pathc >= 2);
    for (size_t k = 0; k < g.gl_pathc; k++) {
        config_t *cfg = NULL;
        config_error_t err;
        /* loaded as the fuzzer does: named as if in configs/, so base: entries resolve */
        FILE *f = fopen(g.gl_pathv[k], "rb");
        assert_non_null(f);
        static char text[1 << 16];
        size_t len = fread(text, 1, sizeof text, f);
        fclose(f);
        if (config_load_string(text, len, "configs/fuzz-input.yaml", &cfg, &err) == 0) {
            char *y = config_to_yaml(cfg);
            assert_non_null(y);
            free(y);
            config_free(cfg);
        } else {
            assert_true(strlen(err.message) > 0);
            assert_null(strchr(err.message, '\n'));
        }
    }
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syntax_error_names_line_and_column),
        cmocka_unit_test(unknown_key_is_named_with_its_position),
        cmocka_unit_test(wrong_type_is_rejected),
        cmocka_unit_test(number_with_trailing_junk_is_rejected),
        cmocka_unit_test(missing_key_is_named),
        cmocka_unit_test(out_of_range_values_are_rejected),
        cmocka_unit_test(probabilities_are_checked),
        cmocka_unit_test(inconsistent_balance_is_rejected),
        cmocka_unit_test(importer_without_imports_is_rejected),
        cmocka_unit_test(correlation_must_be_symmetric_and_positive_definite),
        cmocka_unit_test(correlation_lands_on_the_named_inputs),
        cmocka_unit_test(unknown_region_is_rejected),
        cmocka_unit_test(base_chain_errors_are_reported),
        cmocka_unit_test(missing_top_level_file_is_enoent),
        cmocka_unit_test(nesting_is_limited_while_parsing),
        cmocka_unit_test(tags_are_honoured_or_refused),
        cmocka_unit_test(control_characters_are_located_by_line_and_column),
        cmocka_unit_test(an_over_long_key_gets_the_name_rule),
        cmocka_unit_test(exporter_and_importer_names_differ),
        cmocka_unit_test(a_named_pipe_is_refused_not_waited_on),
        cmocka_unit_test(an_error_caused_by_an_override_names_it),
        cmocka_unit_test(base_file_is_merged_and_overridden),
        cmocka_unit_test(distributions_are_converted_to_canonical_parameters),
        cmocka_unit_test(thresholds_resolve_regions),
        cmocka_unit_test(default_calibration_matches_model_vectors_exactly),
        cmocka_unit_test(every_shipped_config_loads_and_calibrates),
        cmocka_unit_test(shipped_scenarios_set_their_policies),
        cmocka_unit_test(printed_config_loads_back_identical),
        cmocka_unit_test(set_changes_a_key_and_keeps_inheritance),
        cmocka_unit_test(set_rejects_junk_unknown_keys_and_bad_values),
        cmocka_unit_test(sweep_keys_are_checked_when_loading),
        cmocka_unit_test(copy_is_deep_and_equal),
        cmocka_unit_test(policy_apply_copies_every_array),
        cmocka_unit_test(fuzz_regressions_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
