/*
 * test_config_time.c - calendar scenarios (the `time:` section, sim/config/config_time.c)
 * from the file to the engine: profiles and defaults as the model reads them, every
 * bad-input class with its file:line:key message, the printed config's round trip, the
 * dated policies prepare builds, one-period calendars against the annual run, bits
 * independent of the thread count, and inputs drawn once per year.
 */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "config.h"
#include "prepare.h"
#include "engine.h"
#include "summary.h"

/* A small market (two exporters, two importers); line numbers matter below. */
static const char *MARKET =
    "exporters:\n"                                          /* 1 */
    "  North:\n"                                            /* 2 */
    "    production: 48\n"                                  /* 3 */
    "    exports: 20\n"                                     /* 4 */
    "    fob_price: 400\n"                                  /* 5 */
    "    eps: -0.8\n"                                       /* 6 */
    "  South:\n"                                            /* 7 */
    "    production: 72\n"                                  /* 8 */
    "    exports: 40\n"                                     /* 9 */
    "    fob_price: 390\n"                                  /* 10 */
    "    eps: -0.6\n"                                       /* 11 */
    "importers:\n"                                          /* 12 */
    "  East: {sigma: 8, eta: -0.4}\n"                       /* 13 */
    "  West: {sigma: 5, eta: -0.6}\n"                       /* 14 */
    "routes:\n"                                             /* 15 */
    "  North:\n"                                            /* 16 */
    "    East: {flow: 12, freight: 40, tariff: 0.03}\n"     /* 17 */
    "    West: {flow: 8, freight: 30}\n"                    /* 18 */
    "  South:\n"                                            /* 19 */
    "    East: {flow: 30, freight: 38, tariff: 0.03}\n"     /* 20 */
    "    West: {flow: 10, freight: 32}\n"                   /* 21 */
    "inputs:\n"                                             /* 22 */
    "  yield_N: {target: yield, exporter: North, dist: uniform, min: 0.9, max: 1.1}\n" /* 23 */
    "  sigma_E: {target: sigma, importer: East, dist: uniform, min: 6, max: 10}\n"     /* 24 */
    "regimes:\n"                                            /* 25 */
    "  calm: {probability: 0.5}\n"                          /* 26 */
    "  storm: {probability: 0.5, tariffs: {North: {East: 0.5}}}\n"; /* 27 */

/* Two half-years in one marketing year; North harvests in the first, South in the second. */
static const char *TIME =
    "time:\n"                                               /* 28 */
    "  calendar:\n"                                         /* 29 */
    "    - {name: H1, months: 6, year: Y1}\n"               /* 30 */
    "    - {name: H2, months: 6, year: Y1}\n"               /* 31 */
    "  exporters:\n"                                        /* 32 */
    "    North: {harvest: [48, 0], opening_stock: 10, psi: 2, psi_closing: 1}\n" /* 33 */
    "    South: {harvest_shares: [0.25, 0.75], opening_stock: 20, psi: 2}\n"     /* 34 */
    "  importers:\n"                                        /* 35 */
    "    East: {consumption_shares: [0.5, 0.5], opening_stock: 8, psi: 1}\n"     /* 36 */
    "    West: {opening_stock: 4}\n"                        /* 37 */
    "  routes:\n"                                           /* 38 */
    "    North: {East: {flow: [8, 4]}}\n"                   /* 39 */
    "    South: {East: {shares: [0.4, 0.6]}}\n"             /* 40 */
    "  schedule:\n"                                         /* 41 */
    "    scenario:\n"                                       /* 42 */
    "      - {from: H2, exporter: North, importer: East, tariff: 0.6}\n"         /* 43 */
    "  windows:\n"                                          /* 44 */
    "    regimes:\n"                                        /* 45 */
    "      calm:\n"                                         /* 46 */
    "        - {from: H1, to: H2, exporter: North, importer: East, floor: 11}\n"; /* 47 */

static char *text_of(const char *time, const char *extra)
{
    size_t n = strlen(MARKET) + strlen(time) + strlen(extra) + 1;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%s%s%s", MARKET, time, extra);
    return s;
}

static config_t *load_ok(const char *time, const char *extra)
{
    char *s = text_of(time, extra);
    config_t *cfg = NULL;
    config_error_t err;
    if (config_load_string(s, strlen(s), "t.yaml", &cfg, &err))
        print_error("%s\n", err.message);
    free(s);
    assert_non_null(cfg);
    return cfg;
}

/* TIME with line `line` (1-based in the whole file) replaced by `with`. */
static char *time_with(int line, const char *with)
{
    static char buf[8192];
    int first = 28;
    const char *p = TIME;
    size_t used = 0;
    for (int l = first; *p; l++) {
        const char *end = strchr(p, '\n');
        size_t len = (size_t)(end - p) + 1;
        const char *src = l == line ? with : p;
        size_t n = l == line ? strlen(with) : len;
        memcpy(buf + used, src, n);
        used += n;
        p += len;
    }
    buf[used] = 0;
    return buf;
}

static void load_fails(const char *time, const char *extra, const char *want_key,
                       int want_line, const char *want_text)
{
    char *s = text_of(time, extra);
    config_t *cfg = NULL;
    config_error_t err;
    int rc = config_load_string(s, strlen(s), "t.yaml", &cfg, &err);
    free(s);
    if (rc != CONFIG_EINVALID || !strstr(err.message, want_text) || strcmp(err.key, want_key) ||
        err.line != want_line)
        print_error("got rc %d, key '%s', line %d: %s\n(want key '%s', line %d, text '%s')\n",
                    rc, err.key, err.line, err.message, want_key, want_line, want_text);
    assert_int_equal(rc, CONFIG_EINVALID);
    assert_null(cfg);
    assert_string_equal(err.key, want_key);
    assert_int_equal(err.line, want_line);
    assert_non_null(strstr(err.message, want_text));
    assert_non_null(strstr(err.message, "t.yaml:"));
}

/* ---- the schema ---- */

static void profiles_and_defaults_reach_the_model(void **state)
{
    (void)state;
    config_t *cfg = load_ok(TIME, "");
    const config_time_t *t = cfg->time;
    assert_non_null(t);
    const periods_spec_t *s = t->spec;
    assert_int_equal(s->n_periods, 2);
    assert_int_equal(s->n_years, 1);
    assert_string_equal(s->period_name[1], "H2");
    assert_string_equal(t->year_name[0], "Y1");
    /* harvest in Mt and in shares both become shares */
    assert_close(s->harvest_share[0 * 2 + 0], 1.0, 0, 0);
    assert_close(s->harvest_share[1 * 2 + 1], 0.75, 0, 0);
    assert_close(s->production[1], 72, 0, 0);
    /* domestic use without a profile: the year's by period length */
    assert_close(s->domestic_use[0 * 2 + 0], 14, 1e-15, 0);
    /* routes (t, i, j): Mt, shares and the default */
    assert_close(s->flow[(0 * 2 + 0) * 2 + 0], 8, 0, 0);
    assert_close(s->flow[(1 * 2 + 1) * 2 + 0], 18, 1e-15, 0);
    assert_close(s->flow[(1 * 2 + 1) * 2 + 1], 5, 1e-15, 0);
    /* consumption: the year's imports (North 12 + South 30 into East) by shares */
    assert_close(s->consumption[0 * 2 + 0], 21, 1e-15, 0);
    assert_close(s->consumption[1 * 2 + 1], 9, 1e-15, 0);
    assert_close(s->opening_stock[1], 20, 0, 0);
    assert_close(s->importer_opening_stock[0], 8, 0, 0);
    assert_close(s->psi_closing[0], 1, 0, 0);
    assert_close(s->psi_importer[0], 1, 0, 0);
    assert_close(s->interest_rate, 0.004, 0, 0);
    /* the scenario's schedule; the storm regime takes it, calm has its own window */
    assert_int_equal(t->scenario.n_changes, 1);
    assert_int_equal(t->scenario.changes[0].period, 1);
    assert_int_equal(t->regimes[1].n_changes, 1);
    assert_int_equal(t->regimes[0].n_windows, 1);
    assert_int_equal(t->regimes[1].n_windows, 0);
    assert_int_equal(t->reference.n_changes, 0);
    config_free(cfg);
}

static void every_bad_input_names_file_line_and_key(void **state)
{
    (void)state;
    /* a negative derived stock names region and period */
    load_fails(time_with(33, "    North: {harvest: [0, 48], opening_stock: 1}\n"), "",
               "time.exporters.North", 33, "exporter 'North', period 'H1'");
    /* a schedule naming an unknown period */
    load_fails(time_with(43, "      - {from: H3, exporter: North, importer: East, tariff: 0.6}\n"),
               "", "time.schedule.scenario[0].from", 43, "unknown period 'H3'");
    /* a window outside the calendar, and one that ends before it starts */
    load_fails(time_with(47, "        - {from: H1, to: H9, exporter: North, importer: East, floor: 11}\n"),
               "", "time.windows.regimes.calm[0].to", 47, "unknown period 'H9'");
    load_fails(time_with(47, "        - {from: H2, to: H1, exporter: North, importer: East, floor: 11}\n"),
               "", "time.windows.regimes.calm[0].to", 47, "ends ('H1') before it starts");
    /* shares not summing to 1; Mt not summing to the year's total */
    load_fails(time_with(34, "    South: {harvest_shares: [0.25, 0.7]}\n"), "",
               "time.exporters.South.harvest_shares", 34, "add up to 0.95, not 1 (shares)");
    load_fails(time_with(39, "    North: {East: {flow: [8, 5]}}\n"), "",
               "time.routes.North.East.flow", 39, "add up to 13, not 12 Mt");
    /* both forms at once; a list of the wrong length; a negative value */
    load_fails(time_with(36, "    East: {consumption: [21, 21], consumption_shares: [0.5, 0.5]}\n"),
               "", "time.importers.East.consumption_shares", 36, "not both");
    load_fails(time_with(39, "    North: {East: {flow: [12]}}\n"), "",
               "time.routes.North.East.flow", 39, "must list 2 values");
    load_fails(time_with(39, "    North: {East: {flow: [13, -1]}}\n"), "",
               "time.routes.North.East.flow[1]", 39, "must be >= 0");
    /* storage parameters, months, names */
    load_fails(time_with(37, "    West: {psi: -1}\n"), "", "time.importers.West.psi", 37, ">= 0");
    load_fails(time_with(31, "    - {name: H1, months: 6, year: Y1}\n"), "",
               "time.calendar[1].name", 31, "named twice");
    load_fails(time_with(31, "    - {name: H2, months: 0, year: Y1}\n"), "",
               "time.calendar[1].months", 31, "> 0");
    load_fails(time_with(37, "    Middle: {opening_stock: 4}\n"), "", "time.importers.Middle",
               37, "unknown importer 'Middle'");
    /* a schedule entry with two items, or for an unknown regime */
    load_fails(time_with(43, "      - {from: H2, exporter: North, importer: East, tariff: 0.6, cap: 1}\n"),
               "", "time.schedule.scenario[0]", 43, "not both tariff and cap");
    load_fails(time_with(46, "      gale:\n"), "", "time.windows.regimes.gale", 46,
               "no regime 'gale'");
    /* thresholds: a period that is not in the calendar, a period on a yearly quantity */
    load_fails(TIME, "thresholds:\n  x: {variable: flow, exporter: North, importer: East, "
               "period: H7, below: 3}\n", "thresholds.x.period", 49, "unknown period 'H7'");
    load_fails(TIME, "thresholds:\n  x: {variable: flow_year, exporter: North, importer: East, "
               "period: H1, below: 3}\n", "thresholds.x.period", 49, "has no period axis");
    /* yearly inputs must be inputs */
    load_fails(time_with(29, "  yearly_inputs: [rain]\n  calendar:\n"), "",
               "time.yearly_inputs[0]", 29, "no input 'rain'");
}

static void printed_calendar_config_loads_back_identical(void **state)
{
    (void)state;
    config_t *cfg = load_ok(TIME, "thresholds:\n  x: {variable: flow, exporter: North, "
                                  "importer: East, period: H2, below: 3}\n");
    char *yaml = config_to_yaml(cfg);
    assert_non_null(yaml);
    config_t *back = NULL;
    config_error_t err;
    if (config_load_string(yaml, strlen(yaml), "t.yaml", &back, &err))
        print_error("%s\n%s\n", err.message, yaml);
    assert_non_null(back);
    const periods_spec_t *a = cfg->time->spec, *b = back->time->spec;
    size_t T = (size_t)a->n_periods, E = 2, I = 2;
    assert_memory_equal(a->flow, b->flow, T * E * I * sizeof(double));
    assert_memory_equal(a->harvest_share, b->harvest_share, T * E * sizeof(double));
    assert_memory_equal(a->consumption, b->consumption, T * I * sizeof(double));
    assert_int_equal(back->thresholds[0].period, 1);
    char *again = config_to_yaml(back);
    assert_string_equal(strchr(yaml, '\n'), strchr(again, '\n'));
    free(again);
    free(yaml);
    config_free(back);
    config_free(cfg);
}

/* A --set reaches the calendar: an annual total moves the periods given as shares, and
 * breaks those given in Mt (which must add up to it). */
static void set_moves_the_calendar(void **state)
{
    (void)state;
    config_t *cfg = load_ok(TIME, "");
    config_error_t err;
    assert_int_equal(config_set(cfg, "exporters.South.production=80", &err), 0);
    assert_close(cfg->time->spec->production[1], 80, 0, 0);
    assert_close(cfg->time->spec->harvest_share[1 * 2 + 1], 0.75, 1e-15, 0);
    assert_int_equal(config_set(cfg, "exporters.North.production=50", &err), CONFIG_EINVALID);
    assert_non_null(strstr(err.message, "time.exporters.North.harvest"));
    assert_int_equal(config_set(cfg, "time.exporters.North.psi=4", &err), 0);
    assert_close(cfg->time->spec->psi[0], 4, 0, 0);
    assert_int_equal(config_set(cfg, "time.exporters.North.psi=-4", &err), CONFIG_EINVALID);
    assert_non_null(strstr(err.message, "time.exporters.North.psi"));
    config_free(cfg);
}

/* ---- prepare and the engine ---- */

static point_summary_t *run_solved(const config_t *cfg, int threads, prepared_t *prep,
                                   int solve_kernel)
{
    char err[512];
    if (prepare_point(cfg, prep, err, sizeof err))
        print_error("%s\n", err);
    engine_spec_t spec;
    prepare_engine_spec(cfg, prep, &spec);
    spec.threads = threads;
    spec.solve_kernel = solve_kernel;
    point_summary_t *ps = point_summary_alloc(prep->layout.n_vars, 1 + prep->n_regimes,
                                              prep->n_thresholds);
    assert_non_null(ps);
    assert_int_equal(engine_run_point(&spec, ps, err, sizeof err), ENGINE_OK);
    return ps;
}

static point_summary_t *run(const config_t *cfg, int threads, prepared_t *prep)
{
    return run_solved(cfg, threads, prep, ENGINE_SOLVE_BATCHED);
}

/* n_vars variables in n_groups groups (histograms: all draws only) */
static void summaries_equal(const point_summary_t *a, const point_summary_t *b, size_t n_vars,
                            size_t n_groups)
{
    size_t n = n_vars * n_groups;
    assert_memory_equal(a->mean, b->mean, n * sizeof(double));
    assert_memory_equal(a->sd, b->sd, n * sizeof(double));
    assert_memory_equal(a->quantile, b->quantile, n * SUMMARY_N_QUANTILES * sizeof(double));
    assert_memory_equal(a->hist, b->hist, n_vars * SUMMARY_HIST_BINS * sizeof(int64_t));
}

static void calendar_run_is_bitwise_the_same_on_any_thread_count(void **state)
{
    (void)state;
    config_t *cfg = load_ok(TIME, "thresholds:\n  x: {variable: flow, exporter: North, "
                                  "importer: East, period: H2, below: 5}\n"
                                  "run: {draws: 700, seed: 11}\n");
    prepared_t p1, p3;
    point_summary_t *a = run(cfg, 1, &p1), *b = run(cfg, 3, &p3);
    assert_true(a->draws_ok[0] == 700);
    summaries_equal(a, b, p1.layout.n_vars, (size_t)(1 + p1.n_regimes));
    assert_memory_equal(a->threshold_prob, b->threshold_prob,
                        (size_t)(1 + p1.n_regimes) * sizeof(double));
    /* the dated tariff from H2 on moves North -> East out of H2 in the scenario, and a
     * threshold on one period reads that period's value */
    long h1 = quantity_index_at(&p1.layout, "flow", FORM_CHANGE, 0, 0, 0, -1);
    long h2 = quantity_index_at(&p1.layout, "flow", FORM_CHANGE, 0, 0, 1, -1);
    long yr = quantity_index_at(&p1.layout, "flow_year", FORM_CHANGE, 0, 0, -1, 0);
    assert_true(h1 >= 0 && h2 >= 0 && yr >= 0);
    assert_true(a->mean[h2] < 0);
    assert_close(a->mean[yr], a->mean[h1] + a->mean[h2], 1e-9, 1e-12);
    assert_int_equal(p1.thresholds[0].index,
                     quantity_index_at(&p1.layout, "flow", FORM_LEVEL, 0, 0, 1, -1));
    /* the calm regime's window floor of 11 Mt holds over the window */
    size_t V = p1.layout.n_vars;
    long y_level = quantity_index_at(&p1.layout, "flow_year", FORM_LEVEL, 0, 0, -1, 0);
    assert_true(a->min[V + (size_t)y_level] >= 11 - 1e-6);
    point_summary_free(a);
    point_summary_free(b);
    prepared_free(&p1);
    prepared_free(&p3);
    config_free(cfg);
}

/* A one-period calendar without stocks is the annual model: the same flows and prices,
 * bit for bit, draw for draw (the model hands it to the annual solve), when the annual
 * run solves one draw at a time as calendars do (batched, it agrees to about 1e-15). */
static void one_period_calendar_is_the_annual_run(void **state)
{
    (void)state;
    const char *one = "time:\n  calendar:\n    - {name: all, months: 12, year: Y1}\n";
    config_t *cal = load_ok(one, "run: {draws: 300, seed: 5}\n");
    char *s = text_of("", "run: {draws: 300, seed: 5}\n");
    config_t *ann = NULL;
    config_error_t err;
    assert_int_equal(config_load_string(s, strlen(s), "a.yaml", &ann, &err), 0);
    free(s);
    prepared_t pc, pa;
    point_summary_t *c = run(cal, 2, &pc), *a = run_solved(ann, 2, &pa, ENGINE_SOLVE_SCALAR);
    const char *names[] = {"flow", "fob_price", "landed_price", "price_index", "imports"};
    for (int k = 0; k < 5; k++)
        for (int form = FORM_LEVEL; form <= FORM_CHANGE; form++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) {
                    long vc = quantity_index_at(&pc.layout, names[k], (quantity_form_t)form, i,
                                                j, 0, -1);
                    long va = quantity_index(&pa.layout, names[k], (quantity_form_t)form, i, j);
                    assert_true(vc >= 0 && va >= 0);
                    assert_memory_equal(&c->mean[vc], &a->mean[va], sizeof(double));
                    assert_memory_equal(&c->quantile[vc * SUMMARY_N_QUANTILES],
                                        &a->quantile[va * SUMMARY_N_QUANTILES],
                                        SUMMARY_N_QUANTILES * sizeof(double));
                }
    point_summary_free(c);
    point_summary_free(a);
    prepared_free(&pc);
    prepared_free(&pa);
    config_free(cal);
    config_free(ann);
}

/* Two marketing years: an input drawn once per draw gives both years the same yield, one
 * drawn once per year different ones (production = baseline x yield, no area response). */
static void yearly_inputs_differ_by_year(void **state)
{
    (void)state;
    const char *two =
        "time:\n  calendar:\n    - {name: A1, months: 6, year: Y1}\n"
        "    - {name: A2, months: 6, year: Y1}\n    - {name: B1, months: 6, year: Y2}\n"
        "    - {name: B2, months: 6, year: Y2}\n";
    char t_draw[512], t_year[512];
    snprintf(t_draw, sizeof t_draw, "%s", two);
    snprintf(t_year, sizeof t_year, "%s  yearly_inputs: [yield_N]\n", two);
    for (int yearly = 0; yearly < 2; yearly++) {
        config_t *cfg = load_ok(yearly ? t_year : t_draw, "run: {draws: 200, seed: 9}\n");
        prepared_t p;
        point_summary_t *ps = run(cfg, 2, &p);
        long y1 = quantity_index_at(&p.layout, "production", FORM_LEVEL, 0, -1, -1, 0);
        long y2 = quantity_index_at(&p.layout, "production", FORM_LEVEL, 0, -1, -1, 1);
        assert_true(y1 >= 0 && y2 >= 0);
        if (yearly) {
            assert_true(ps->mean[y1] != ps->mean[y2]);
            assert_close(ps->mean[y2], 48, 0.02, 0);   /* a fresh uniform(0.9, 1.1) */
        } else {
            assert_memory_equal(&ps->mean[y1], &ps->mean[y2], sizeof(double));
            assert_memory_equal(&ps->sd[y1], &ps->sd[y2], sizeof(double));
        }
        /* the years' welfare adds up to the calendar's; a year's farm revenue to its
         * periods' */
        long w = quantity_index_at(&p.layout, "welfare_total", FORM_WELFARE, -1, -1, -1, -1);
        long w1 = quantity_index_at(&p.layout, "welfare_total_year", FORM_WELFARE, -1, -1, -1, 0);
        long w2 = quantity_index_at(&p.layout, "welfare_total_year", FORM_WELFARE, -1, -1, -1, 1);
        assert_true(w >= 0 && w1 >= 0 && w2 >= 0 && ps->mean[w] != 0);
        assert_close(ps->mean[w1] + ps->mean[w2], ps->mean[w], 1e-9, 1e-12);
        long f2 = quantity_index_at(&p.layout, "farm_revenue_year", FORM_CHANGE, 0, -1, -1, 1);
        long fb1 = quantity_index_at(&p.layout, "farm_revenue", FORM_CHANGE, 0, -1, 2, -1);
        long fb2 = quantity_index_at(&p.layout, "farm_revenue", FORM_CHANGE, 0, -1, 3, -1);
        assert_true(f2 >= 0 && fb1 >= 0 && fb2 >= 0);
        assert_close(ps->mean[f2], ps->mean[fb1] + ps->mean[fb2], 1e-9, 1e-12);
        point_summary_free(ps);
        prepared_free(&p);
        config_free(cfg);
    }
}

/* The shipped quarterly and monthly calibrations: a year's totals are the annual file's. */
static void shipped_calendar_keeps_the_annual_totals(const char *path)
{
    config_t *q = NULL, *a = NULL;
    config_error_t err;
    assert_int_equal(config_load(path, &q, &err), 0);
    assert_int_equal(config_load("configs/soybeans-2024-25.yaml", &a, &err), 0);
    const periods_spec_t *s = q->time->spec;
    int E = s->n_exporters, I = s->n_importers;
    for (int i = 0; i < E; i++) {
        double h = 0, d = 0;
        for (int t = 0; t < s->n_periods; t++) {
            h += s->harvest_share[t * E + i] * s->production[i];
            d += s->domestic_use[t * E + i];
        }
        assert_close(h, a->market->production[i], 1e-12, 0);
        assert_close(d, a->market->domestic_use[i], 1e-12, 1e-12);
        for (int j = 0; j < I; j++) {
            double x = 0;
            for (int t = 0; t < s->n_periods; t++)
                x += s->flow[(t * E + i) * I + j];
            assert_close(x, a->market->flow[i * I + j], 1e-12, 1e-12);
        }
    }
    config_free(q);
    config_free(a);
}

static void shipped_calendars_keep_the_annual_totals(void **state)
{
    (void)state;
    shipped_calendar_keeps_the_annual_totals("configs/seasons-quarterly.yaml");
    shipped_calendar_keeps_the_annual_totals("configs/soybeans-2024-25-monthly.yaml");
}

/* Memory flat in the draw count: after the first chunk of draws the heap does not grow
 * (mallinfo2 at each progress report; skipped under a sanitizer's or valgrind's heap). */
static size_t heap_at[16];
static int n_heap;

static void record_heap(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx; (void)done; (void)total;
    if (n_heap < 16)
        heap_at[n_heap++] = mallinfo2().uordblks;
}

static void calendar_memory_is_flat_in_the_draw_count(void **state)
{
    (void)state;
    skip_unless_heap_measurable();
    uint64_t chunk = (uint64_t)ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS;
    config_t *cfg = load_ok(TIME, "");
    char set[64], err[512];
    config_error_t cerr;
    snprintf(set, sizeof set, "run.draws=%llu", (unsigned long long)(4 * chunk));
    assert_int_equal(config_set(cfg, set, &cerr), 0);
    prepared_t prep;
    assert_int_equal(prepare_point(cfg, &prep, err, sizeof err), 0);
    engine_spec_t spec;
    prepare_engine_spec(cfg, &prep, &spec);
    spec.threads = 1;
    spec.progress = record_heap;
    point_summary_t *ps = point_summary_alloc(prep.layout.n_vars, 1 + prep.n_regimes,
                                              prep.n_thresholds);
    n_heap = 0;
    assert_int_equal(engine_run_point(&spec, ps, err, sizeof err), ENGINE_OK);
    assert_int_equal(n_heap, 4);
    for (int k = 1; k < n_heap; k++)
        assert_int_equal(heap_at[k], heap_at[0]);
    assert_true(ps->draws_ok[0] == 4 * chunk);
    point_summary_free(ps);
    prepared_free(&prep);
    config_free(cfg);
}

/* Every shipped calendar scenario runs: its draws converge (reference and scenario). */
static void every_shipped_calendar_runs(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("configs/*.yaml", 0, NULL, &g), 0);
    int calendars = 0;
    for (size_t k = 0; k < g.gl_pathc; k++) {
        config_t *cfg = NULL;
        config_error_t err;
        assert_int_equal(config_load(g.gl_pathv[k], &cfg, &err), 0);
        if (cfg->time) {
            assert_int_equal(config_set(cfg, "run.draws=128", &err), 0);
            prepared_t p;
            point_summary_t *ps = run(cfg, 2, &p);
            if (ps->draws_failed[0])
                print_error("%s: %llu draws failed\n", g.gl_pathv[k],
                            (unsigned long long)ps->draws_failed[0]);
            assert_true(ps->draws_ok[0] == 128);
            point_summary_free(ps);
            prepared_free(&p);
            calendars++;
        }
        config_free(cfg);
    }
    globfree(&g);
    assert_true(calendars >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(profiles_and_defaults_reach_the_model),
        cmocka_unit_test(every_bad_input_names_file_line_and_key),
        cmocka_unit_test(printed_calendar_config_loads_back_identical),
        cmocka_unit_test(set_moves_the_calendar),
        cmocka_unit_test(calendar_run_is_bitwise_the_same_on_any_thread_count),
        cmocka_unit_test(one_period_calendar_is_the_annual_run),
        cmocka_unit_test(yearly_inputs_differ_by_year),
        cmocka_unit_test(shipped_calendars_keep_the_annual_totals),
        cmocka_unit_test(every_shipped_calendar_runs),
        cmocka_unit_test(calendar_memory_is_flat_in_the_draw_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
