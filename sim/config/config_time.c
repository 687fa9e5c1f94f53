/*
 * config_time.c - the `time:` section of a scenario (configs/README.md, "Time"): a
 * calendar of named periods in marketing years, seasonal profiles of the annual
 * baseline, storage and area response, dated schedules and window bounds per policy,
 * and which random inputs are drawn once per marketing year.
 *
 * Why profiles are written against the annual data: the annual keys (production,
 * exports, route flows) stay the one statement of the year's totals, so a calendar
 * scenario and its annual base file describe the same year, and a sweep or --set of an
 * annual key moves every period with it. A profile is either Mt per period (which must
 * add up to the year's total) or shares (which must add up to 1); without one, the
 * year's total is spread by period length.
 *
 * The calendar's baseline is calibrated here once (periods_calibrate) only to refuse
 * inconsistent data at load time, with the file, line and key of the region at fault;
 * the caller calibrates its own copy.
 */
#include "config_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUM_TOL 1e-6   /* relative: a profile's year adds up to its total */

static const char *const time_keys[] = {"calendar", "interest_rate", "exporters", "importers",
    "routes", "schedule", "windows", "yearly_inputs", NULL};
static const char *const period_keys[] = {"name", "months", "year", NULL};
static const char *const exporter_keys[] = {"harvest", "harvest_shares", "domestic_use",
    "domestic_use_shares", "fob_price", "production", "opening_stock", "psi", "psi_closing",
    "area_response", NULL};
static const char *const importer_keys[] = {"consumption", "consumption_shares",
    "opening_stock", "psi", "psi_closing", NULL};
static const char *const route_keys[] = {"flow", "shares", NULL};
static const char *const change_keys[] = {"from", "exporter", "importer", "tariff",
    "export_tax", "floor", "cap", NULL};
static const char *const window_keys[] = {"from", "to", "exporter", "importer", "floor", "cap",
    NULL};

static void schedule_release(config_schedule_t *s)
{
    free(s->changes);
    free(s->windows);
    memset(s, 0, sizeof *s);
}

void cfg_time_free(config_time_t *t, int n_regimes)
{
    if (!t)
        return;
    periods_spec_free(t->spec);
    free(t->year_name);
    schedule_release(&t->reference);
    schedule_release(&t->scenario);
    if (t->regimes)
        for (int r = 0; r < n_regimes; r++)
            schedule_release(&t->regimes[r]);
    free(t->regimes);
    free(t->input_yearly);
    free(t);
}

int cfg_time_period(const config_time_t *t, const char *name)
{
    for (int p = 0; p < t->spec->n_periods; p++)
        if (!strcmp(t->spec->period_name[p], name))
            return p;
    return -1;
}

/* The calendar's periods for messages: "a, b, c", or "'a' .. 'z' (48 periods)" when long. */
static void period_list(const periods_spec_t *s, char *out, size_t len)
{
    if (s->n_periods > 12) {
        snprintf(out, len, "'%s' .. '%s' (%d periods)", s->period_name[0],
                 s->period_name[s->n_periods - 1], s->n_periods);
        return;
    }
    size_t used = 0;
    out[0] = 0;
    for (int p = 0; p < s->n_periods && used + 1 < len; p++) {
        int w = snprintf(out + used, len - used, "%s%s", p ? ", " : "", s->period_name[p]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* A period named in node n (path labels the message). */
static int resolve_period(build_t *b, const config_time_t *t, const cnode_t *n,
                          const char *path, int *p)
{
    if (n->kind != CNODE_SCALAR)
        return cfg_fail(b->err, n, path, "%s must be a period name (got %s)", path,
                        cfg_kind_name(n));
    if ((*p = cfg_time_period(t, n->text)) >= 0)
        return 0;
    char list[768];
    period_list(t->spec, list, sizeof list);
    return cfg_fail(b->err, n, path, "%s: unknown period '%s' (the calendar has: %s)", path,
                    n->text, list);
}

/* ---- the calendar ---- */

static int build_calendar(build_t *b, const cnode_t *time, config_time_t *t)
{
    const cnode_t *cal = cnode_get(time, "calendar");
    if (!cal)
        return cfg_fail(b->err, time, "time.calendar", "missing key 'calendar' in time");
    if (cfg_need_kind(b, cal, CNODE_SEQ, "time.calendar"))
        return CONFIG_EINVALID;
    int T = cal->n;
    if (T < 1 || T > PERIODS_MAX)
        return cfg_fail(b->err, cal, "time.calendar", "time.calendar must list 1 to %d periods "
                        "(got %d)", PERIODS_MAX, T);
    char (*years)[MARKET_NAME_MAX] = calloc((size_t)T, sizeof *years);
    int *year = calloc((size_t)T, sizeof *year), Y = 0, rc = 0;
    double *months = calloc((size_t)T, sizeof *months);
    char (*names)[MARKET_NAME_MAX] = calloc((size_t)T, sizeof *names);
    if (!years || !year || !months || !names)
        rc = cfg_fail(b->err, NULL, NULL, "out of memory");
    for (int p = 0; p < T && !rc; p++) {
        char path[64], sub[96], yname[MARKET_NAME_MAX];
        snprintf(path, sizeof path, "time.calendar[%d]", p);
        const cnode_t *m = cal->items[p], *n;
        if (cfg_need_kind(b, m, CNODE_MAP, path) || cfg_check_keys(b, m, path, period_keys)) {
            rc = CONFIG_EINVALID;
            break;
        }
        cfg_join(sub, sizeof sub, path, "name");
        if (!(n = cnode_get(m, "name"))) {
            rc = cfg_fail(b->err, m, sub, "missing key 'name' in %s", path);
            break;
        }
        if ((rc = cfg_parse_string(b, n, sub, names[p], MARKET_NAME_MAX)))
            break;
        for (int q = 0; q < p && !rc; q++)
            if (!strcmp(names[q], names[p]))
                rc = cfg_fail(b->err, n, sub, "%s: period '%s' is named twice in the calendar",
                              sub, names[p]);
        const cnode_t *at;
        if (rc || (rc = cfg_get_number(b, m, path, "months", 0, 1, &months[p], &at)))
            break;
        if (!(months[p] > 0) || !isfinite(months[p])) {
            rc = cfg_range_fail(b, at, m, path, "months", "> 0", months[p]);
            break;
        }
        cfg_join(sub, sizeof sub, path, "year");
        if (!(n = cnode_get(m, "year"))) {
            rc = cfg_fail(b->err, m, sub, "missing key 'year' in %s (the marketing year)", path);
            break;
        }
        if ((rc = cfg_parse_string(b, n, sub, yname, sizeof yname)))
            break;
        if (Y == 0 || strcmp(years[Y - 1], yname)) {
            for (int y = 0; y < Y && !rc; y++)
                if (!strcmp(years[y], yname))
                    rc = cfg_fail(b->err, n, sub, "%s: the periods of year '%s' must be "
                                  "consecutive", sub, yname);
            if (!rc)
                snprintf(years[Y++], MARKET_NAME_MAX, "%s", yname);
        }
        year[p] = Y - 1;
    }
    if (!rc && !(t->spec = periods_spec_alloc(b->E, b->I, T, Y)))
        rc = cfg_fail(b->err, NULL, NULL, "out of memory");
    if (!rc) {
        market_spec_free(t->spec->regions);
        if (!(t->spec->regions = market_spec_copy(b->spec)))
            rc = cfg_fail(b->err, NULL, NULL, "out of memory");
    }
    if (!rc) {
        memcpy(t->spec->period_name, names, (size_t)T * sizeof *names);
        memcpy(t->spec->months, months, (size_t)T * sizeof *months);
        memcpy(t->spec->year, year, (size_t)T * sizeof *year);
        t->year_name = years;
        years = NULL;
    }
    free(years);
    free(year);
    free(months);
    free(names);
    return rc;
}

/* ---- profiles ---- */

/* The number of periods of year y. */
static int year_span(const periods_spec_t *s, int y)
{
    int n = 0;
    for (int p = 0; p < s->n_periods; p++)
        n += s->year[p] == y;
    return n;
}

/* A list of per-period numbers: T of them, or one year's worth repeated in every year
 * (every year then has that many periods). */
static int read_series(build_t *b, const config_time_t *t, const cnode_t *n, const char *path,
                       double *out)
{
    const periods_spec_t *s = t->spec;
    if (cfg_need_kind(b, n, CNODE_SEQ, path))
        return CONFIG_EINVALID;
    int n0 = year_span(s, 0), per_year = n->n == n0 && n0 != s->n_periods;
    for (int y = 1; y < s->n_years && per_year; y++)
        per_year = year_span(s, y) == n0;
    if (n->n != s->n_periods && !per_year)
        return cfg_fail(b->err, n, path, "%s must list %d values, one per period%s (got %d)",
                        path, s->n_periods, s->n_years > 1 ? " (or one year's, when every "
                        "year has as many periods)" : "", n->n);
    int within = 0;
    for (int p = 0; p < s->n_periods; p++) {
        within = p > 0 && s->year[p] == s->year[p - 1] ? within + 1 : 0;
        int k = per_year ? within : p;
        char sub[128];
        snprintf(sub, sizeof sub, "%s[%d]", path, k);
        if (cfg_parse_number(b, n->items[k], sub, &out[p]))
            return CONFIG_EINVALID;
        if (!(out[p] >= 0) || !isfinite(out[p]))
            return cfg_fail(b->err, n->items[k], sub, "%s must be >= 0 (got %s)", sub,
                            NUM(out[p]));
    }
    return 0;
}

/* One seasonal profile of an annual total, written out[p * stride]: Mt per period under
 * key_mt, shares under key_share (at most one of them), else the total spread by period
 * length. total[y]: the year's total. Each year must add up within SUM_TOL. */
static int read_profile(build_t *b, const config_time_t *t, const cnode_t *map,
                        const char *path, const char *key_mt, const char *key_share,
                        const double *total, double *out, size_t stride)
{
    const periods_spec_t *s = t->spec;
    const cnode_t *mt = map ? cnode_get(map, key_mt) : NULL;
    const cnode_t *sh = map && key_share ? cnode_get(map, key_share) : NULL;
    char sub[192];
    if (mt && sh) {
        cfg_join(sub, sizeof sub, path, key_share);
        return cfg_fail(b->err, sh, sub, "%s: give %s (Mt) or %s (fractions), not both", path,
                        key_mt, key_share);
    }
    double v[PERIODS_MAX];
    const cnode_t *n = mt ? mt : sh;
    cfg_join(sub, sizeof sub, path, n && n == sh ? key_share : key_mt);
    if (n && read_series(b, t, n, sub, v))
        return CONFIG_EINVALID;
    for (int y = 0; y < s->n_years; y++) {
        double sum = 0, months = 0;
        for (int p = 0; p < s->n_periods; p++)
            if (s->year[p] == y) {
                sum += n ? v[p] : 0;
                months += s->months[p];
            }
        double want = mt ? total[y] : 1;
        if (n && fabs(sum - want) > SUM_TOL * (want > 1 ? want : 1))
            return cfg_fail(b->err, n, sub, "%s: the periods of year '%s' add up to %s, not "
                            "%s%s", sub, t->year_name[y], NUM(sum), NUM(want),
                            mt ? " Mt (the year's total)" : " (shares)");
        for (int p = 0; p < s->n_periods; p++)
            if (s->year[p] == y)
                out[(size_t)p * stride] = !n ? total[y] * s->months[p] / months
                                          : mt ? v[p] : total[y] * v[p];
    }
    return 0;
}

/* A storage or response parameter (>= 0, default 0). */
static int get_nonneg(build_t *b, const cnode_t *map, const char *path, const char *key,
                      double *x)
{
    const cnode_t *at;
    if (cfg_get_number(b, map, path, key, 0, 0, x, &at))
        return CONFIG_EINVALID;
    if (!(*x >= 0) || !isfinite(*x))
        return cfg_range_fail(b, at, map, path, key, ">= 0", *x);
    return 0;
}

/* time.exporters / time.importers / time.routes: a map of region names. */
static int region_section(build_t *b, const cnode_t *time, const char *key, int exporter,
                          const cnode_t **sec)
{
    char path[64];
    snprintf(path, sizeof path, "time.%s", key);
    *sec = cnode_get(time, key);
    if (!*sec)
        return 0;
    if (cfg_need_kind(b, *sec, CNODE_MAP, path))
        return CONFIG_EINVALID;
    for (int k = 0; k < (*sec)->n; k++) {
        char sub[256];
        int idx;
        cfg_join(sub, sizeof sub, path, (*sec)->keys[k]->text);
        if (cfg_resolve_region(b, (*sec)->keys[k], sub, exporter, &idx) ||
            cfg_need_kind(b, (*sec)->items[k], CNODE_MAP, sub))
            return CONFIG_EINVALID;
    }
    return 0;
}

/* The entry of one region in a section (NULL when the section does not name it), with
 * its dotted path and its keys checked. */
static int region_entry(build_t *b, const cnode_t *sec, const char *section, const char *name,
                        const char *const *keys, char *path, size_t len, const cnode_t **x)
{
    *x = sec ? cnode_get(sec, name) : NULL;
    cfg_join(path, len, section, name);
    return *x && cfg_check_keys(b, *x, path, keys) ? CONFIG_EINVALID : 0;
}

static int build_exporters(build_t *b, const cnode_t *time, config_time_t *t)
{
    periods_spec_t *s = t->spec;
    const market_spec_t *m = b->spec;
    const cnode_t *sec;
    if (region_section(b, time, "exporters", 1, &sec))
        return CONFIG_EINVALID;
    size_t E = (size_t)b->E;
    for (int i = 0; i < b->E; i++) {
        const cnode_t *x, *n;
        char path[256], sub[300];
        if (region_entry(b, sec, "time.exporters", m->exporter_name[i], exporter_keys, path,
                         sizeof path, &x))
            return CONFIG_EINVALID;
        double prod[PERIODS_MAX], use[PERIODS_MAX];
        for (int y = 0; y < s->n_years; y++) {
            prod[y] = m->production[i];
            use[y] = m->domestic_use[i];
        }
        if (x && (n = cnode_get(x, "production"))) {
            cfg_join(sub, sizeof sub, path, "production");
            if (cfg_need_kind(b, n, CNODE_SEQ, sub))
                return CONFIG_EINVALID;
            if (n->n != s->n_years)
                return cfg_fail(b->err, n, sub, "%s must list %d values, one per marketing "
                                "year (got %d)", sub, s->n_years, n->n);
            for (int y = 0; y < s->n_years; y++) {
                char item[320];
                snprintf(item, sizeof item, "%s[%d]", sub, y);
                if (cfg_parse_number(b, n->items[y], item, &prod[y]))
                    return CONFIG_EINVALID;
                if (!(prod[y] > 0) || !isfinite(prod[y]))
                    return cfg_fail(b->err, n->items[y], item, "%s must be > 0 (got %s)", item,
                                    NUM(prod[y]));
            }
        }
        for (int y = 0; y < s->n_years; y++)
            s->production[(size_t)y * E + (size_t)i] = prod[y];
        /* harvest in Mt, then the model's shares h_it of the year's production */
        if (read_profile(b, t, x, path, "harvest", "harvest_shares", prod, &s->harvest_share[i],
                         E))
            return CONFIG_EINVALID;
        for (int p = 0; p < s->n_periods; p++)
            s->harvest_share[(size_t)p * E + (size_t)i] /= prod[s->year[p]];
        if (read_profile(b, t, x, path, "domestic_use", "domestic_use_shares", use,
                         &s->domestic_use[i], E))
            return CONFIG_EINVALID;
        for (int p = 0; p < s->n_periods; p++)
            s->fob_price[(size_t)p * E + (size_t)i] = m->fob_price[i];
        if (x && (n = cnode_get(x, "fob_price"))) {
            double v[PERIODS_MAX];
            cfg_join(sub, sizeof sub, path, "fob_price");
            if (read_series(b, t, n, sub, v))
                return CONFIG_EINVALID;
            for (int p = 0; p < s->n_periods; p++) {
                if (!(v[p] > 0))
                    return cfg_fail(b->err, n, sub, "%s: period '%s' must be > 0 (got %s)",
                                    sub, s->period_name[p], NUM(v[p]));
                s->fob_price[(size_t)p * E + (size_t)i] = v[p];
            }
        }
        if (x && (get_nonneg(b, x, path, "opening_stock", &s->opening_stock[i]) ||
                  get_nonneg(b, x, path, "psi", &s->psi[i]) ||
                  get_nonneg(b, x, path, "psi_closing", &s->psi_closing[i]) ||
                  get_nonneg(b, x, path, "area_response", &s->area_response[i])))
            return CONFIG_EINVALID;
    }
    return 0;
}

static int build_importers(build_t *b, const cnode_t *time, config_time_t *t)
{
    periods_spec_t *s = t->spec;
    const market_spec_t *m = b->spec;
    const cnode_t *sec;
    if (region_section(b, time, "importers", 0, &sec))
        return CONFIG_EINVALID;
    size_t I = (size_t)b->I;
    for (int j = 0; j < b->I; j++) {
        const cnode_t *x;
        char path[256];
        if (region_entry(b, sec, "time.importers", m->importer_name[j], importer_keys, path,
                         sizeof path, &x))
            return CONFIG_EINVALID;
        /* the year's consumption is its imports: the importer's stock ends the year where
         * it began, as in the annual model */
        double imports = 0, total[PERIODS_MAX];
        for (int i = 0; i < b->E; i++)
            imports += m->flow[(size_t)i * I + (size_t)j];
        for (int y = 0; y < s->n_years; y++)
            total[y] = imports;
        if (read_profile(b, t, x, path, "consumption", "consumption_shares", total,
                         &s->consumption[j], I))
            return CONFIG_EINVALID;
        if (x && (get_nonneg(b, x, path, "opening_stock", &s->importer_opening_stock[j]) ||
                  get_nonneg(b, x, path, "psi", &s->psi_importer[j]) ||
                  get_nonneg(b, x, path, "psi_closing", &s->psi_importer_closing[j])))
            return CONFIG_EINVALID;
    }
    return 0;
}

static int build_routes(build_t *b, const cnode_t *time, config_time_t *t)
{
    periods_spec_t *s = t->spec;
    const market_spec_t *m = b->spec;
    const cnode_t *sec;
    if (region_section(b, time, "routes", 1, &sec))
        return CONFIG_EINVALID;
    size_t E = (size_t)b->E, I = (size_t)b->I;
    for (int i = 0; i < b->E; i++) {
        const cnode_t *x = sec ? cnode_get(sec, m->exporter_name[i]) : NULL;
        char epath[256];
        cfg_join(epath, sizeof epath, "time.routes", m->exporter_name[i]);
        for (int k = 0; x && k < x->n; k++) {
            char sub[300];
            int idx;
            cfg_join(sub, sizeof sub, epath, x->keys[k]->text);
            if (cfg_resolve_region(b, x->keys[k], sub, 0, &idx) ||
                cfg_need_kind(b, x->items[k], CNODE_MAP, sub) ||
                cfg_check_keys(b, x->items[k], sub, route_keys))
                return CONFIG_EINVALID;
        }
        for (int j = 0; j < b->I; j++) {
            const cnode_t *r = x ? cnode_get(x, m->importer_name[j]) : NULL;
            char path[300];
            cfg_join(path, sizeof path, epath, m->importer_name[j]);
            double total[PERIODS_MAX];
            for (int y = 0; y < s->n_years; y++)
                total[y] = m->flow[(size_t)i * I + (size_t)j];
            if (read_profile(b, t, r, path, "flow", "shares", total,
                             &s->flow[(size_t)i * I + (size_t)j], E * I))
                return CONFIG_EINVALID;
        }
    }
    return 0;
}

/* ---- schedules and windows ---- */

static int route_of(build_t *b, const cnode_t *m, const char *path, int need_importer,
                    int *exporter, int *importer)
{
    char sub[300];
    const cnode_t *n;
    cfg_join(sub, sizeof sub, path, "exporter");
    if (!(n = cnode_get(m, "exporter")))
        return cfg_fail(b->err, m, sub, "missing key 'exporter' in %s", path);
    if (cfg_resolve_region(b, n, sub, 1, exporter))
        return CONFIG_EINVALID;
    *importer = 0;
    cfg_join(sub, sizeof sub, path, "importer");
    n = cnode_get(m, "importer");
    if (need_importer && !n)
        return cfg_fail(b->err, m, sub, "missing key 'importer' in %s", path);
    if (!need_importer && n)
        return cfg_fail(b->err, n, sub, "%s: an export tax has no importer", sub);
    return n ? cfg_resolve_region(b, n, sub, 0, importer) : 0;
}

/* Exactly one of `keys` in map m: its index, or -1 with the message filled. */
static int one_of(build_t *b, const cnode_t *m, const char *path, const char *const *keys,
                  int n_keys)
{
    int found = -1;
    for (int k = 0; k < n_keys; k++)
        if (cnode_get(m, keys[k])) {
            if (found >= 0) {
                cfg_fail(b->err, m, path, "%s: give one of %s, %s%s%s%s%s per entry, not "
                         "both %s and %s", path, keys[0], keys[1], n_keys > 2 ? ", " : "",
                         n_keys > 2 ? keys[2] : "", n_keys > 3 ? ", " : "",
                         n_keys > 3 ? keys[3] : "", keys[found], keys[k]);
                return -1;
            }
            found = k;
        }
    if (found < 0)
        cfg_fail(b->err, m, path, "%s: give one of %s, %s%s%s%s%s", path, keys[0], keys[1],
                 n_keys > 2 ? ", " : "", n_keys > 2 ? keys[2] : "", n_keys > 3 ? ", " : "",
                 n_keys > 3 ? keys[3] : "");
    return found;
}

static int build_changes(build_t *b, const config_time_t *t, const cnode_t *seq,
                         const char *path, config_schedule_t *out)
{
    static const char *const what_keys[] = {"tariff", "export_tax", "floor", "cap"};
    static const int what[] = {PERIODS_SET_TARIFF, PERIODS_SET_EXPORT_TAX, PERIODS_SET_FLOOR,
                               PERIODS_SET_CAP};
    if (cfg_need_kind(b, seq, CNODE_SEQ, path))
        return CONFIG_EINVALID;
    if (!(out->changes = calloc((size_t)seq->n + 1, sizeof *out->changes)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    for (int k = 0; k < seq->n; k++) {
        char sub[300];
        snprintf(sub, sizeof sub, "%s[%d]", path, k);
        const cnode_t *m = seq->items[k], *n, *at;
        periods_change_t *c = &out->changes[k];
        if (cfg_need_kind(b, m, CNODE_MAP, sub) || cfg_check_keys(b, m, sub, change_keys))
            return CONFIG_EINVALID;
        char from[320];
        cfg_join(from, sizeof from, sub, "from");
        if (!(n = cnode_get(m, "from")))
            return cfg_fail(b->err, m, from, "missing key 'from' in %s (the first period of "
                            "the change)", sub);
        if (resolve_period(b, t, n, from, &c->period))
            return CONFIG_EINVALID;
        int w = one_of(b, m, sub, what_keys, 4);
        if (w < 0)
            return CONFIG_EINVALID;
        c->what = what[w];
        if (route_of(b, m, sub, c->what != PERIODS_SET_EXPORT_TAX, &c->exporter, &c->importer) ||
            cfg_get_number(b, m, sub, what_keys[w], 1, 0, &c->value, &at))
            return CONFIG_EINVALID;
        int ok = c->what == PERIODS_SET_CAP ? c->value >= 0
               : c->what == PERIODS_SET_EXPORT_TAX ? c->value >= 0 && c->value < 1
               : c->value >= 0 && isfinite(c->value);
        if (!ok)
            return cfg_range_fail(b, at, m, sub, what_keys[w],
                                  c->what == PERIODS_SET_EXPORT_TAX ? "in [0, 1)" : ">= 0",
                                  c->value);
        out->n_changes = k + 1;
    }
    return 0;
}

static int build_windows(build_t *b, const config_time_t *t, const cnode_t *seq,
                         const char *path, config_schedule_t *out)
{
    static const char *const kind_keys[] = {"floor", "cap"};
    if (cfg_need_kind(b, seq, CNODE_SEQ, path))
        return CONFIG_EINVALID;
    if (!(out->windows = calloc((size_t)seq->n + 1, sizeof *out->windows)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    for (int k = 0; k < seq->n; k++) {
        char sub[300], key[320];
        snprintf(sub, sizeof sub, "%s[%d]", path, k);
        const cnode_t *m = seq->items[k], *n, *at;
        periods_window_t *w = &out->windows[k];
        if (cfg_need_kind(b, m, CNODE_MAP, sub) || cfg_check_keys(b, m, sub, window_keys))
            return CONFIG_EINVALID;
        const char *ends[2] = {"from", "to"};
        int *idx[2] = {&w->first, &w->last};
        for (int e = 0; e < 2; e++) {
            cfg_join(key, sizeof key, sub, ends[e]);
            if (!(n = cnode_get(m, ends[e])))
                return cfg_fail(b->err, m, key, "missing key '%s' in %s (a period of the "
                                "calendar)", ends[e], sub);
            if (resolve_period(b, t, n, key, idx[e]))
                return CONFIG_EINVALID;
        }
        if (w->last < w->first)
            return cfg_fail(b->err, n, key, "%s: the window ends ('%s') before it starts "
                            "('%s')", sub, t->spec->period_name[w->last],
                            t->spec->period_name[w->first]);
        int kind = one_of(b, m, sub, kind_keys, 2);
        if (kind < 0)
            return CONFIG_EINVALID;
        w->kind = kind ? PERIODS_CAP : PERIODS_FLOOR;
        if (route_of(b, m, sub, 1, &w->exporter, &w->importer) ||
            cfg_get_number(b, m, sub, kind_keys[kind], 1, 0, &w->amount, &at))
            return CONFIG_EINVALID;
        if (!(w->amount >= 0) || !isfinite(w->amount))
            return cfg_range_fail(b, at, m, sub, kind_keys[kind], ">= 0 (Mt)", w->amount);
        out->n_windows = k + 1;
    }
    return 0;
}

/* time.schedule / time.windows: {reference: [...], scenario: [...], regimes: {name: [...]}}.
 * A regime without its own list takes the scenario's. */
static int build_policy_lists(build_t *b, const cnode_t *time, config_time_t *t,
                              const char *key, int windows)
{
    const cnode_t *sec = cnode_get(time, key);
    char path[64];
    snprintf(path, sizeof path, "time.%s", key);
    static const char *const keys[] = {"reference", "scenario", "regimes", NULL};
    if (!sec)
        return 0;
    if (cfg_need_kind(b, sec, CNODE_MAP, path) || cfg_check_keys(b, sec, path, keys))
        return CONFIG_EINVALID;
    int (*build)(build_t *, const config_time_t *, const cnode_t *, const char *,
                 config_schedule_t *) = windows ? build_windows : build_changes;
    const char *pol[2] = {"reference", "scenario"};
    config_schedule_t *dst[2] = {&t->reference, &t->scenario};
    for (int k = 0; k < 2; k++) {
        const cnode_t *n = cnode_get(sec, pol[k]);
        char sub[96];
        cfg_join(sub, sizeof sub, path, pol[k]);
        if (n && build(b, t, n, sub, dst[k]))
            return CONFIG_EINVALID;
    }
    const cnode_t *reg = cnode_get(sec, "regimes");
    if (!reg)
        return 0;
    char rpath[96];
    cfg_join(rpath, sizeof rpath, path, "regimes");
    if (cfg_need_kind(b, reg, CNODE_MAP, rpath))
        return CONFIG_EINVALID;
    for (int k = 0; k < reg->n; k++) {
        char sub[256];
        cfg_join(sub, sizeof sub, rpath, reg->keys[k]->text);
        int r = -1;
        for (int q = 0; q < b->cfg->n_regimes; q++)
            if (!strcmp(b->cfg->regimes[q].name, reg->keys[k]->text))
                r = q;
        if (r < 0)
            return cfg_fail(b->err, reg->keys[k], sub, "%s: no regime '%s' in regimes",
                            sub, reg->keys[k]->text);
        if (build(b, t, reg->items[k], sub, &t->regimes[r]))
            return CONFIG_EINVALID;
    }
    return 0;
}

/* A regime without a list of its own takes the scenario's (copied, so that each
 * schedule owns its arrays). */
static int inherit_scenario(config_time_t *t, int n_regimes)
{
    for (int r = 0; r < n_regimes; r++) {
        config_schedule_t *g = &t->regimes[r];
        if (!g->changes && t->scenario.n_changes) {
            if (!(g->changes = malloc((size_t)t->scenario.n_changes * sizeof *g->changes)))
                return -1;
            memcpy(g->changes, t->scenario.changes,
                   (size_t)t->scenario.n_changes * sizeof *g->changes);
            g->n_changes = t->scenario.n_changes;
        }
        if (!g->windows && t->scenario.n_windows) {
            if (!(g->windows = malloc((size_t)t->scenario.n_windows * sizeof *g->windows)))
                return -1;
            memcpy(g->windows, t->scenario.windows,
                   (size_t)t->scenario.n_windows * sizeof *g->windows);
            g->n_windows = t->scenario.n_windows;
        }
    }
    return 0;
}

static int build_yearly_inputs(build_t *b, const cnode_t *time, config_time_t *t)
{
    const config_t *cfg = b->cfg;
    if (!(t->input_yearly = calloc((size_t)cfg->n_inputs + 1, 1)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    const cnode_t *n = cnode_get(time, "yearly_inputs");
    if (!n)
        return 0;
    if (cfg_need_kind(b, n, CNODE_SEQ, "time.yearly_inputs"))
        return CONFIG_EINVALID;
    for (int k = 0; k < n->n; k++) {
        char sub[64];
        snprintf(sub, sizeof sub, "time.yearly_inputs[%d]", k);
        char name[SAMPLE_NAME_MAX];
        if (cfg_parse_string(b, n->items[k], sub, name, sizeof name))
            return CONFIG_EINVALID;
        int found = -1;
        for (int q = 0; q < cfg->n_inputs; q++)
            if (!strcmp(cfg->inputs[q].name, name))
                found = q;
        if (found < 0)
            return cfg_fail(b->err, n->items[k], sub, "%s: no input '%s' in inputs", sub, name);
        t->input_yearly[found] = 1;
    }
    return 0;
}

/* Calibrate once to refuse inconsistent data here, at the region's position: the
 * model's message names the region and the period ("exporter 'US', period 'Mar-May':
 * baseline stock -3.1 Mt < 0 ..."). */
static int check_calibration(build_t *b, const cnode_t *time, const config_time_t *t)
{
    char why[512] = "";
    periods_market_t *pm = periods_calibrate(t->spec, why, sizeof why);
    if (pm) {
        periods_market_free(pm);
        return 0;
    }
    const cnode_t *at = time, *sec;
    char key[256] = "time";
    const char *kinds[2] = {"exporter", "importer"};
    const char *secs[2] = {"exporters", "importers"};
    for (int k = 0; k < 2; k++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s '", kinds[k]);
        if (strncmp(why, prefix, strlen(prefix)))
            continue;
        const char *name = why + strlen(prefix), *end = strchr(name, '\'');
        char region[MARKET_NAME_MAX];
        snprintf(region, sizeof region, "%.*s", end ? (int)(end - name) : 0, name);
        snprintf(key, sizeof key, "time.%s.%s", secs[k], region);
        if ((sec = cnode_get(time, secs[k])) && cnode_get(sec, region))
            at = cnode_get(sec, region);
    }
    return cfg_fail(b->err, at, key, "%s: %s", key, why);
}

int cfg_build_time(build_t *b, const cnode_t *root)
{
    const cnode_t *time = cnode_get(root, "time");
    if (!time)
        return 0;
    if (cfg_need_kind(b, time, CNODE_MAP, "time") || cfg_check_keys(b, time, "time", time_keys))
        return CONFIG_EINVALID;
    config_time_t *t = calloc(1, sizeof *t);
    if (!t)
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    b->cfg->time = t;
    if (b->cfg->n_regimes &&
        !(t->regimes = calloc((size_t)b->cfg->n_regimes, sizeof *t->regimes)))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    if (build_calendar(b, time, t))
        return CONFIG_EINVALID;
    const cnode_t *at;
    if (cfg_get_number(b, time, "time", "interest_rate", 0, 0.004, &t->spec->interest_rate, &at))
        return CONFIG_EINVALID;
    if (!(t->spec->interest_rate >= 0) || !isfinite(t->spec->interest_rate))
        return cfg_range_fail(b, at, time, "time", "interest_rate", ">= 0 (per month)",
                              t->spec->interest_rate);
    if (build_exporters(b, time, t) || build_importers(b, time, t) || build_routes(b, time, t) ||
        build_policy_lists(b, time, t, "schedule", 0) ||
        build_policy_lists(b, time, t, "windows", 1) || build_yearly_inputs(b, time, t))
        return CONFIG_EINVALID;
    if (inherit_scenario(t, b->cfg->n_regimes))
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    return check_calibration(b, time, t);
}
