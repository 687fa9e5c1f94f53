/*
 * config.c - the scenario-file schema's driver and public API: turn a merged YAML tree
 * into a validated config_t (each part of a scenario in its own file: config_market.c,
 * config_policy.c, config_inputs.c, config_run.c; typed values in config_parse.c), and
 * --set / sweep edits (which edit the tree and rebuild, so inheritance stays live).
 * Every key is documented in configs/README.md.
 */
#include "config_internal.h"
#include "number.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the whole file ---- */

/* Build a validated config from a merged tree (takes ownership of tree); sweep checks
 * build trial configs, hence the forward declaration. */
static int config_build(cnode_t *tree, const char *path, int check_sweeps, config_t **out,
                        config_error_t *err);

static const char *const top_keys[] = {"description", "exporters", "importers", "routes",
    "inputs", "correlation", "reference", "scenario", "regimes", "thresholds", "sweep", "run",
    "limits", "time", "attribution", NULL};

/* limits: the plausibility bounds a user may raise on purpose. Why: a tariff written as a
 * percentage (25 for 25 %) is a valid number, and runs as 2500 % without a word. */
static int build_limits(build_t *b, const cnode_t *root)
{
    static const char *const keys[] = {"max_tariff", NULL};
    const cnode_t *l = cnode_get(root, "limits"), *at;
    b->cfg->max_tariff = CONFIG_DEFAULT_MAX_TARIFF;
    if (!l)
        return 0;
    if (cfg_need_kind(b, l, CNODE_MAP, "limits") || cfg_check_keys(b, l, "limits", keys) ||
        cfg_get_number(b, l, "limits", "max_tariff", 0, CONFIG_DEFAULT_MAX_TARIFF,
                       &b->cfg->max_tariff, &at))
        return CONFIG_EINVALID;
    if (!(b->cfg->max_tariff > 0) || isinf(b->cfg->max_tariff))
        return cfg_range_fail(b, at, l, "limits", "max_tariff", "> 0 and finite",
                              b->cfg->max_tariff);
    return 0;
}

static int sweep_key_ok(build_t *b, const cnode_t *root_tree, const cnode_t *at,
                        const char *path, const char *key, double value)
{
    if (!strncmp(key, "sweep", 5) || !strncmp(key, "base", 4))
        return cfg_fail(b->err, at, path, "%s: cannot sweep '%s'", path, key);
    cnode_t *copy = cnode_copy(root_tree);
    if (!copy)
        return cfg_fail(b->err, NULL, NULL, "out of memory");
    char text[64];
    number_format_double(text, sizeof text, value);
    config_error_t inner;
    config_t *trial = NULL;
    int rc = tree_set(copy, key, text, &inner);
    if (rc)
        cnode_free(copy);
    else
        rc = config_build(copy, b->cfg->path, 0, &trial, &inner);
    config_free(trial);
    if (rc)
        return cfg_fail(b->err, at, path, "%s: cannot sweep '%s': %s", path, key,
                        inner.message);
    return 0;
}

/* Each swept key must take a number: build a trial config with its first value. */
static int check_sweep_keys(build_t *b, const cnode_t *root)
{
    const cnode_t *s = cnode_get(root, "sweep");
    for (int k = 0; k < b->cfg->n_sweeps; k++) {
        char sub[96];
        snprintf(sub, sizeof sub, "sweep[%d].key", k);
        const config_sweep_t *w = &b->cfg->sweeps[k];
        if (sweep_key_ok(b, root, cnode_get(s->items[k], "key"), sub, w->key, w->values[0]))
            return CONFIG_EINVALID;
    }
    return 0;
}

static int build_all(build_t *b, const cnode_t *root, int check_sweeps)
{
    if (cfg_check_keys(b, root, "", top_keys) || build_limits(b, root) ||
        cfg_build_market(b, root))
        return CONFIG_EINVALID;
    const cnode_t *d;
    if ((d = cnode_get(root, "description")) && cfg_need_kind(b, d, CNODE_SCALAR, "description"))
        return CONFIG_EINVALID;
    return cfg_build_policies(b, root) || cfg_build_inputs(b, root) ||
                   cfg_build_correlation(b, root) || cfg_build_time(b, root) ||
                   cfg_build_thresholds(b, root) ||
                   cfg_build_attribution(b, root) ||
                   cfg_build_run(b, root, b->cfg->path) || cfg_build_sweeps(b, root) ||
                   (check_sweeps && check_sweep_keys(b, root))
               ? CONFIG_EINVALID
               : 0;
}

static int config_build(cnode_t *tree, const char *path, int check_sweeps, config_t **out,
                 config_error_t *err)
{
    config_error_t scratch;
    if (!err)
        err = &scratch;
    *out = NULL;
    config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        cnode_free(tree);
        return cfg_fail(err, NULL, NULL, "out of memory");
    }
    cfg->tree = tree;
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    build_t b = {.cfg = cfg, .err = err};
    int rc = build_all(&b, tree, check_sweeps);
    if (rc) {
        config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

int config_load_string(const char *text, size_t len, const char *name, config_t **out,
                       config_error_t *err)
{
    cnode_t *tree;
    *out = NULL;
    int rc = tree_load_string(text, len, name, &tree, err);
    return rc ? rc : config_build(tree, name, 1, out, err);
}

int config_load(const char *path, config_t **out, config_error_t *err)
{
    cnode_t *tree;
    char notes[CONFIG_MSG_MAX / 2];
    *out = NULL;
    int rc = tree_load_file(path, &tree, notes, sizeof notes, err);
    rc = rc ? rc : config_build(tree, path, 1, out, err);
    /* an error in a base file may be caused by what the scenario removed: name both */
    if (rc == CONFIG_EINVALID && err && notes[0] && err->file[0] && strcmp(err->file, path)) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used, " (after %s)", notes);
    }
    return rc;
}

void config_free(config_t *cfg)
{
    if (!cfg)
        return;
    if (cfg->market)
        market_spec_free(cfg->market);
    for (int k = 0; k < cfg->n_inputs; k++)
        free(cfg->inputs[k].dist.values);
    free(cfg->inputs);
    free(cfg->correlation);
    cfg_time_free(cfg->time, cfg->n_regimes);
    cfg_policy_release(&cfg->reference);
    cfg_policy_release(&cfg->scenario);
    for (int k = 0; k < cfg->n_regimes; k++)
        cfg_policy_release(&cfg->regimes[k]);
    free(cfg->regimes);
    free(cfg->thresholds);
    free(cfg->attribution);
    for (int k = 0; k < cfg->n_sweeps; k++)
        free(cfg->sweeps[k].values);
    free(cfg->sweeps);
    cnode_free(cfg->tree);
    free(cfg);
}

/* A copy of the merged tree cfg was built from (every config_t comes from one). */
static cnode_t *tree_of(const config_t *cfg)
{
    assert(cfg->tree);
    return cnode_copy(cfg->tree);
}

config_t *config_copy(const config_t *cfg)
{
    cnode_t *tree = tree_of(cfg);
    config_t *out;
    if (!tree)
        return NULL;
    /* the same tree builds the same config, bit for bit */
    if (config_build(tree, cfg->path, 0, &out, NULL))
        return NULL;
    return out;
}

static int set_text(config_t *cfg, const char *key, const char *value, const char *shown,
                    config_error_t *err)
{
    config_error_t scratch;
    if (!err)
        err = &scratch;
    cnode_t *tree = tree_of(cfg);
    if (!tree)
        return cfg_fail(err, NULL, key, "out of memory");
    config_t *fresh;
    int rc = tree_set(tree, key, value, err);
    if (rc) {
        cnode_free(tree);
    } else {
        tree_strip_nulls(tree);   /* KEY=~ deletes the key, as in a file */
        rc = config_build(tree, cfg->path, 1, &fresh, err);
        const input_spec_t *replacing = rc ? NULL : cfg_input_replacing(fresh, key);
        if (replacing) {
            rc = cfg_replaced_fail(err, NULL, key, replacing);
            config_free(fresh);
        }
    }
    if (rc) {
        char msg[CONFIG_MSG_MAX];
        if (snprintf(msg, sizeof msg, "%.220s: %s", shown, err->message) >= (int)sizeof msg)
            msg[sizeof msg - 1] = '\0';
        memcpy(err->message, msg, sizeof msg);
        cfg_one_line(err->message, sizeof err->message);
        if (!err->key[0])
            snprintf(err->key, sizeof err->key, "%s", key);
        return rc;
    }
    /* swap contents so that the caller's pointer stays valid */
    config_t old = *cfg;
    *cfg = *fresh;
    *fresh = old;
    config_free(fresh);
    return 0;
}

int config_set_as(config_t *cfg, const char *assignment, const char *shown,
                  config_error_t *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return cfg_fail(err, NULL, NULL, "%.200s: expected KEY=VALUE", shown);
    char key[256];
    size_t kl = (size_t)(eq - assignment);
    if (kl >= sizeof key)
        return cfg_fail(err, NULL, NULL, "--set: key longer than %zu characters",
                        sizeof key - 1);
    memcpy(key, assignment, kl);
    key[kl] = '\0';
    return set_text(cfg, key, eq + 1, shown, err);
}

int config_set(config_t *cfg, const char *assignment, config_error_t *err)
{
    char shown[220];
    snprintf(shown, sizeof shown, "--set %.200s", assignment);
    return config_set_as(cfg, assignment, shown, err);
}

int config_load_with_sets(const char *path, const char *const *sets, int n_sets,
                          config_t **out, config_error_t *err)
{
    int rc = config_load(path, out, err);
    for (int k = 0; !rc && k < n_sets; k++)
        rc = config_set(*out, sets[k], err);
    if (rc && *out) {
        config_free(*out);
        *out = NULL;
    }
    return rc;
}

/* A scalar node for text made here (no file position: it came from the command line). */
static cnode_t *made_scalar(const char *text, int quoted)
{
    cnode_t *n = cnode_new(CNODE_SCALAR, NULL, 0, 0);
    if (n && !(n->text = strdup(text))) {
        cnode_free(n);
        return NULL;
    }
    if (n)
        n->quoted = quoted;
    return n;
}

/* {key: KEY, values: [v...]} */
static cnode_t *made_sweep_entry(const config_sweep_t *sw)
{
    cnode_t *entry = cnode_new(CNODE_MAP, NULL, 0, 0), *values = cnode_new(CNODE_SEQ, NULL, 0, 0);
    int ok = entry && values && !cnode_append(entry, made_scalar("key", 0), made_scalar(sw->key, 1));
    for (int k = 0; ok && k < sw->n_values; k++) {
        char text[64];
        number_format_double(text, sizeof text, sw->values[k]);
        cnode_t *v = made_scalar(text, 0);
        ok = v && !cnode_append(values, NULL, v);
    }
    ok = ok && !cnode_append(entry, made_scalar("values", 0), values);
    if (!ok) {
        cnode_free(entry);
        if (!entry || entry->n < 2)
            cnode_free(values);
        return NULL;
    }
    return entry;
}

int config_add_sweep(config_t *cfg, const config_sweep_t *sw, config_error_t *err)
{
    config_error_t scratch;
    if (!err)
        err = &scratch;
    cnode_t *tree = tree_of(cfg), *entry = made_sweep_entry(sw);
    if (!tree || !entry) {
        cnode_free(tree);
        cnode_free(entry);
        return cfg_fail(err, NULL, sw->key, "out of memory");
    }
    cnode_t *seq = cnode_get(tree, "sweep");
    if (!seq && (!(seq = cnode_new(CNODE_SEQ, NULL, 0, 0)) ||
                 cnode_append(tree, made_scalar("sweep", 0), seq))) {
        cnode_free(tree);
        cnode_free(entry);
        return cfg_fail(err, NULL, sw->key, "out of memory");
    }
    for (int i = 0; i < seq->n; i++) {   /* the command line replaces the file's sweep */
        const cnode_t *key = cnode_get(seq->items[i], "key");
        if (key && key->text && !strcmp(key->text, sw->key)) {
            cnode_free(seq->items[i]);
            memmove(seq->items + i, seq->items + i + 1, (size_t)(seq->n - i - 1) * sizeof *seq->items);
            seq->n--;
            break;
        }
    }
    if (cnode_append(seq, NULL, entry)) {
        cnode_free(tree);
        cnode_free(entry);
        return cfg_fail(err, NULL, sw->key, "out of memory");
    }
    config_t *fresh;
    int rc = config_build(tree, cfg->path, 1, &fresh, err);
    if (rc)
        return rc;
    config_t old = *cfg;   /* swap contents so that the caller's pointer stays valid */
    *cfg = *fresh;
    *fresh = old;
    config_free(fresh);
    return 0;
}

int config_set_number(config_t *cfg, const char *key, double value, config_error_t *err)
{
    char text[64], shown[400];
    number_format_double(text, sizeof text, value);
    snprintf(shown, sizeof shown, "--set %.255s=%s", key, text);
    return set_text(cfg, key, text, shown, err);
}
