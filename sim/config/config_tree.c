/*
 * config_tree.c - the YAML side of scenario files: a small tree that remembers file, line
 * and column of every node, follow `base:` chains, merge overrides onto their base, and
 * edit the tree by dotted key (--set, sweeps). Parsing a text into such a tree with
 * libyaml is config_yaml.c.
 *
 * Why our own tree and not libcyaml's schema loader: a scenario file is a partial
 * override of its base, so required fields can only be checked after merging, which
 * libcyaml (it maps one document straight onto a struct) cannot do; see configs/README.md.
 */
#include "config_internal.h"
#include "scenario_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TREE_MAX_FILE_BYTES (4L << 20)
#define BASE_MAX_CHAIN 16

/* Messages are one line: a value quoted in one may hold newlines or other control
 * characters (found by the fuzzer), so write those as \n, \t or \xNN. */
void cfg_one_line(char *msg, size_t cap)
{
    char out[CONFIG_MSG_MAX];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < sizeof out; p++) {
        if (*p >= 0x20 && *p != 0x7f) {
            out[o++] = (char)*p;
        } else {
            int n = snprintf(out + o, sizeof out - o, *p == '\n' ? "\\n" : *p == '\t' ? "\\t"
                             : "\\x%02x", *p);
            o += (size_t)n;
        }
    }
    out[o] = '\0';
    snprintf(msg, cap, "%s", out);
}

int cfg_fail(config_error_t *err, const cnode_t *at, const char *key, const char *fmt, ...)
{
    char msg[CONFIG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!err)
        return CONFIG_EINVALID;
    memset(err, 0, sizeof *err);
    if (key)
        snprintf(err->key, sizeof err->key, "%s", key);
    if (at && at->file) {
        snprintf(err->file, sizeof err->file, "%s", at->file);
        err->line = at->line;
        err->column = at->column;
        if (snprintf(err->message, sizeof err->message, "%s:%d:%d: %s", at->file, at->line,
                     at->column, msg) >= (int)sizeof err->message)
            err->message[sizeof err->message - 1] = '\0';
    } else {
        snprintf(err->message, sizeof err->message, "%s", msg);
    }
    cfg_one_line(err->message, sizeof err->message);
    return CONFIG_EINVALID;
}

int cfg_fail_file(config_error_t *err, const char *file, int line, int column,
                  const char *fmt, ...)
{
    char msg[CONFIG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", file);
    err->line = line;
    err->column = column;
    int n = line > 0 ? snprintf(err->message, sizeof err->message, "%s:%d:%d: %s", file, line,
                                column, msg)
                     : snprintf(err->message, sizeof err->message, "%s: %s", file, msg);
    if (n >= (int)sizeof err->message)
        err->message[sizeof err->message - 1] = '\0';
    cfg_one_line(err->message, sizeof err->message);
    return CONFIG_EINVALID;
}

/* ---- nodes ---- */

cnode_t *cnode_new(cnode_kind_t kind, const char *file, int line, int column)
{
    cnode_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->line = line;
    n->column = column;
    if (file && !(n->file = strdup(file))) {
        free(n);
        return NULL;
    }
    return n;
}

void cnode_free(cnode_t *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n; i++) {
        if (n->keys)
            cnode_free(n->keys[i]);
        cnode_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->text);
    free(n->file);
    free(n);
}

cnode_t *cnode_copy(const cnode_t *n)
{
    if (!n)
        return NULL;
    cnode_t *c = cnode_new(n->kind, n->file, n->line, n->column);
    if (!c)
        return NULL;
    c->quoted = n->quoted;
    if (n->text && !(c->text = strdup(n->text)))
        goto fail;
    for (int i = 0; i < n->n; i++) {
        cnode_t *k = n->keys ? cnode_copy(n->keys[i]) : NULL;
        cnode_t *v = cnode_copy(n->items[i]);
        if ((n->keys && !k) || !v || cnode_append(c, k, v)) {
            cnode_free(k);
            cnode_free(v);
            goto fail;
        }
    }
    return c;
fail:
    cnode_free(c);
    return NULL;
}

int cnode_append(cnode_t *parent, cnode_t *key, cnode_t *value)
{
    if (parent->n == parent->cap) {
        int cap = parent->cap ? 2 * parent->cap : 8;
        cnode_t **items = realloc(parent->items, (size_t)cap * sizeof *items);
        if (!items)
            return -1;
        parent->items = items;
        if (parent->kind == CNODE_MAP) {
            cnode_t **keys = realloc(parent->keys, (size_t)cap * sizeof *keys);
            if (!keys)
                return -1;
            parent->keys = keys;
        }
        parent->cap = cap;
    }
    if (parent->kind == CNODE_MAP)
        parent->keys[parent->n] = key;
    parent->items[parent->n++] = value;
    return 0;
}

int cnode_find(const cnode_t *map, const char *key)
{
    if (!map || map->kind != CNODE_MAP)
        return -1;
    for (int i = 0; i < map->n; i++)
        if (!strcmp(map->keys[i]->text, key))
            return i;
    return -1;
}

cnode_t *cnode_get(const cnode_t *map, const char *key)
{
    int i = cnode_find(map, key);
    return i < 0 ? NULL : map->items[i];
}

static int text_is_null(const char *t)
{
    return !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL") ||
           !t[0];
}

static int cnode_is_null(const cnode_t *n)
{
    return n->kind == CNODE_SCALAR && !n->quoted && text_is_null(n->text);
}

/* ---- merge: override onto base ---- */

static void cnode_remove(cnode_t *map, int i)
{
    cnode_free(map->keys[i]);
    cnode_free(map->items[i]);
    memmove(map->keys + i, map->keys + i + 1, (size_t)(map->n - i - 1) * sizeof *map->keys);
    memmove(map->items + i, map->items + i + 1, (size_t)(map->n - i - 1) * sizeof *map->items);
    map->n--;
}


/* Where an override removed or replaced a whole mapping or list of its base: a reference
 * the base makes to what was there (correlation.inputs naming a removed input) fails in
 * the base's lines, and the message then names these too (see tree_load_file). */
static void note_override(char *notes, size_t cap, const cnode_t *key, const char *prefix,
                          const char *what)
{
    size_t used = strlen(notes);
    if (!key->file || used + 1 >= cap)
        return;
    snprintf(notes + used, cap - used, "%s%s:%d:%d %s '%s%s'", used ? "; " : "", key->file,
             key->line, key->column, what, prefix, key->text);
}

/* Maps merge key by key (a null value deletes the key), anything else replaces.
 * Consumes `over`. prefix: the dotted path of base ("" or "a.b."), for notes. */
static int tree_merge(cnode_t *base, cnode_t *over, const char *prefix, char *notes,
                      size_t cap)
{
    for (int i = 0; i < over->n; i++) {
        cnode_t *k = over->keys[i], *v = over->items[i];
        int j = cnode_find(base, k->text);
        if (cnode_is_null(v)) {
            if (j >= 0 && base->items[j]->kind != CNODE_SCALAR)
                note_override(notes, cap, k, prefix, "removes");
            if (j >= 0)
                cnode_remove(base, j);
            continue;
        }
        if (j >= 0 && base->items[j]->kind == CNODE_MAP && v->kind == CNODE_MAP) {
            char inner[CONFIG_MSG_MAX / 4];
            snprintf(inner, sizeof inner, "%s%s.", prefix, k->text);
            over->items[i] = NULL;   /* consumed by the recursive merge */
            if (tree_merge(base->items[j], v, inner, notes, cap))
                return -1;
            continue;
        }
        if (j >= 0 && base->items[j]->kind != CNODE_SCALAR)
            note_override(notes, cap, k, prefix, "replaces");
        over->keys[i] = over->items[i] = NULL;
        if (j >= 0) {
            cnode_free(base->items[j]);
            cnode_free(base->keys[j]);
            base->items[j] = v;
            base->keys[j] = k;
        } else if (cnode_append(base, k, v)) {
            cnode_free(k);
            cnode_free(v);
            return -1;
        }
    }
    cnode_free(over);
    return 0;
}

/* Null values left after merging mean "absent". */
void tree_strip_nulls(cnode_t *n)
{
    if (n->kind == CNODE_SCALAR)
        return;
    for (int i = 0; i < n->n;) {
        if (n->kind == CNODE_MAP && cnode_is_null(n->items[i])) {
            cnode_remove(n, i);
            continue;
        }
        tree_strip_nulls(n->items[i]);
        i++;
    }
}

/* ---- files and base chains ---- */

/* Opened with O_NONBLOCK and checked with fstat before any read: a named pipe (or a
 * device) given as a scenario or base file is refused instead of blocking for ever. */
static int read_file(const char *path, char **text, size_t *len, config_error_t *err,
                     const cnode_t *from)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        if (from)
            return cfg_fail(err, from, "base", "base file '%s' cannot be read: %s",
                            path, strerror(e));
        cfg_fail_file(err, path, 0, 0, "cannot open: %s", strerror(e));
        return CONFIG_ENOENT;
    }
    const char *why = NULL;
    char size[64];
    if (!S_ISREG(st.st_mode)) {
        why = S_ISDIR(st.st_mode) ? "is a directory, not a regular file"
              : S_ISFIFO(st.st_mode) ? "is a named pipe, not a regular file"
                                     : "is not a regular file";
    } else if (st.st_size > TREE_MAX_FILE_BYTES) {
        snprintf(size, sizeof size, "is %.1f MiB; scenario files are at most %ld MiB",
                 (double)st.st_size / (1 << 20), TREE_MAX_FILE_BYTES >> 20);
        why = size;
    }
    if (why) {
        close(fd);
        if (from)
            return cfg_fail(err, from, "base", "base file '%s' %s", path, why);
        cfg_fail_file(err, path, 0, 0, "%s", why);
        return CONFIG_ENOENT;
    }
    FILE *f = fdopen(fd, "rb");
    *len = (size_t)st.st_size;
    *text = f ? malloc(*len + 1) : NULL;
    if (!*text || fread(*text, 1, *len, f) != *len) {
        int e = errno;
        if (f)
            fclose(f);
        else
            close(fd);
        free(*text);
        *text = NULL;
        return cfg_fail_file(err, path, 0, 0, "cannot read: %s", strerror(e));
    }
    (*text)[*len] = '\0';
    fclose(f);
    return 0;
}

typedef struct {
    char *real[BASE_MAX_CHAIN + 1];
    char *shown[BASE_MAX_CHAIN + 1];
    int n;
    char **files;                      /* NULL, or every file read (config_files) */
    int n_files;
    char *notes;                       /* NULL, or the overrides' notes (tree_merge) */
    size_t notes_cap;
} chain_t;

static void chain_free(chain_t *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->real[i]);
        free(c->shown[i]);
    }
}

static int load_text(const char *text, size_t len, const char *file, chain_t *chain,
                     cnode_t **out, config_error_t *err);

/* The base path relative to the folder of `file`. */
static void base_path(const char *file, const char *base, char *out, size_t outlen)
{
    const char *slash = strrchr(file, '/');
    if (base[0] == '/' || !slash)
        snprintf(out, outlen, "%s", base);
    else
        snprintf(out, outlen, "%.*s/%s", (int)(slash - file), file, base);
}

static int load_base(cnode_t *root, const char *file, chain_t *chain, config_error_t *err)
{
    int i = cnode_find(root, "base");
    if (i < 0)
        return 0;
    cnode_t *b = root->items[i];
    if (b->kind != CNODE_SCALAR || !b->text[0])
        return cfg_fail(err, b, "base", "base must be a file name");
    char given[CONFIG_PATH_MAX], found[CONFIG_PATH_MAX];
    base_path(file, b->text, given, sizeof given);
    /* not beside the file: the scenario search path (scenario_path.h) */
    const char *path = scenario_path_find(given, b->text, found, sizeof found);
    char *real = realpath(path, NULL);
    if (!real)
        return cfg_fail(err, b, "base", "base file '%s' not found (%s)", b->text, path);
    for (int c = 0; c < chain->n; c++) {
        if (strcmp(chain->real[c], real))
            continue;
        char trail[CONFIG_MSG_MAX / 2] = "";
        size_t used = 0;
        for (int k = c; k < chain->n && used < sizeof trail; k++)
            used += (size_t)snprintf(trail + used, sizeof trail - used, "%s -> ",
                                     chain->shown[k]);
        free(real);
        if (c == chain->n - 1)
            return cfg_fail(err, b, "base", "base file '%s' is this file itself", b->text);
        return cfg_fail(err, b, "base", "base chain includes itself: %s%s", trail, path);
    }
    if (chain->n >= BASE_MAX_CHAIN) {
        free(real);
        return cfg_fail(err, b, "base", "base chain longer than %d files", BASE_MAX_CHAIN);
    }
    char *text;
    size_t len;
    int rc = read_file(real, &text, &len, err, b);
    free(real);
    if (rc)
        return CONFIG_EINVALID;
    cnode_t *base_root;
    rc = load_text(text, len, path, chain, &base_root, err);
    free(text);
    if (rc)
        return rc;
    root->items[i] = NULL;
    cnode_free(b);
    cnode_free(root->keys[i]);
    memmove(root->keys + i, root->keys + i + 1, (size_t)(root->n - i - 1) * sizeof(cnode_t *));
    memmove(root->items + i, root->items + i + 1,
            (size_t)(root->n - i - 1) * sizeof(cnode_t *));
    root->n--;
    /* merge this file over its base: the result replaces root's contents */
    cnode_t tmp = *root;
    *root = *base_root;
    *base_root = tmp;
    /* now root holds the base, base_root holds the override */
    char scratch[1] = "";
    if (tree_merge(root, base_root, "", chain->notes ? chain->notes : scratch,
                   chain->notes ? chain->notes_cap : sizeof scratch))
        return cfg_fail_file(err, file, 0, 0, "out of memory");
    return 0;
}

static int load_text(const char *text, size_t len, const char *file, chain_t *chain,
                     cnode_t **out, config_error_t *err)
{
    int rc = tree_parse(text, len, file, out, err);
    if (rc)
        return rc;
    char *real = realpath(file, NULL);
    chain->real[chain->n] = real ? real : strdup(file);
    chain->shown[chain->n] = strdup(file);
    chain->n++;
    if (!chain->real[chain->n - 1] || !chain->shown[chain->n - 1] ||
        (chain->files && !(chain->files[chain->n_files++] = strdup(chain->real[chain->n - 1]))))
        rc = cfg_fail_file(err, file, 0, 0, "out of memory");
    else
        rc = load_base(*out, file, chain, err);
    chain->n--;
    free(chain->real[chain->n]);
    free(chain->shown[chain->n]);
    if (rc) {
        cnode_free(*out);
        *out = NULL;
    }
    return rc;
}

static int load_string(const char *text, size_t len, const char *file, chain_t *chain,
                       cnode_t **out, config_error_t *err)
{
    int rc = load_text(text, len, file, chain, out, err);
    chain_free(chain);
    if (!rc)
        tree_strip_nulls(*out);
    return rc;
}

int tree_load_string(const char *text, size_t len, const char *file, cnode_t **out,
                     config_error_t *err)
{
    chain_t chain = {.n = 0};
    return load_string(text, len, file, &chain, out, err);
}

static int load_file(const char *path, chain_t *chain, cnode_t **out, config_error_t *err)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = read_file(path, &text, &len, err, NULL);
    if (rc)
        return rc;
    rc = load_string(text, len, path, chain, out, err);
    free(text);
    return rc;
}

int tree_load_file(const char *path, cnode_t **out, char *notes, size_t notes_cap,
                   config_error_t *err)
{
    chain_t chain = {.n = 0, .notes = notes, .notes_cap = notes_cap};
    if (notes && notes_cap)
        notes[0] = '\0';
    return load_file(path, &chain, out, err);
}

int config_files(const char *path, char ***files, int *n, config_error_t *err)
{
    chain_t chain = {.n = 0, .files = calloc(BASE_MAX_CHAIN + 1, sizeof(char *))};
    cnode_t *tree = NULL;
    *files = NULL;
    *n = 0;
    int rc = chain.files ? load_file(path, &chain, &tree, err)
                         : cfg_fail_file(err, path, 0, 0, "out of memory");
    cnode_free(tree);
    if (rc) {
        config_files_free(chain.files, chain.n_files);
        return rc;
    }
    *files = chain.files;
    *n = chain.n_files;
    return 0;
}

void config_files_free(char **files, int n)
{
    for (int i = 0; files && i < n; i++)
        free(files[i]);
    free(files);
}

/* ---- dotted keys ---- */

/* The child of map whose key is the longest prefix of `path` ending at '.' or the end
 * (so names that contain dots still work). Returns its index, *rest after the dot. */
static int match_key(const cnode_t *map, const char *path, const char **rest)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < map->n; i++) {
        size_t l = strlen(map->keys[i]->text);
        if (l > best_len && !strncmp(path, map->keys[i]->text, l) &&
            (path[l] == '.' || path[l] == '\0')) {
            best = i;
            best_len = l;
        }
    }
    if (best >= 0)
        *rest = path[best_len] ? path + best_len + 1 : path + best_len;
    return best;
}

int tree_set(cnode_t *root, const char *key, const char *value, config_error_t *err)
{
    cnode_t *map = root;
    const char *p = key;
    char seg[256];
    if (!key[0])
        return cfg_fail(err, NULL, key, "empty key");
    for (;;) {
        if (map->kind != CNODE_MAP)
            return cfg_fail(err, NULL, key, "%s: '%.*s' is not a mapping", key,
                            (int)(p - key > 0 ? p - key - 1 : 0), key);
        const char *rest;
        int i = match_key(map, p, &rest);
        if (i >= 0 && !*rest) {
            cnode_t *v = map->items[i];
            if (v->kind != CNODE_SCALAR) {
                if (!text_is_null(value))
                    return cfg_fail(err, NULL, key, "%s is a %s, not a single value", key,
                                    v->kind == CNODE_MAP ? "mapping" : "list");
                /* KEY=~ deletes a whole mapping or list too, as `key: ~` in a file
                 * does: a null scalar in its place, which tree_strip_nulls removes */
                cnode_t *nv = cnode_new(CNODE_SCALAR, NULL, 0, 0);
                if (!nv || !(nv->text = strdup(value))) {
                    cnode_free(nv);
                    return cfg_fail(err, NULL, key, "out of memory");
                }
                cnode_free(v);
                map->items[i] = nv;
                return 0;
            }
            char *t = strdup(value);
            if (!t)
                return cfg_fail(err, NULL, key, "out of memory");
            free(v->text);
            v->text = t;
            v->quoted = 0;
            free(v->file);
            v->file = NULL;
            v->line = v->column = 0;
            return 0;
        }
        if (i >= 0) {
            map = map->items[i];
            p = rest;
            continue;
        }
        /* a key not there yet: create it (and the maps above it) */
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        if (l == 0 || l >= sizeof seg)
            return cfg_fail(err, NULL, key, "%s: malformed key", key);
        memcpy(seg, p, l);
        seg[l] = '\0';
        cnode_t *k = cnode_new(CNODE_SCALAR, NULL, 0, 0);
        cnode_t *v = cnode_new(dot ? CNODE_MAP : CNODE_SCALAR, NULL, 0, 0);
        if (k)
            k->text = strdup(seg);
        if (v && !dot)
            v->text = strdup(value);
        if (!k || !v || !k->text || (!dot && !v->text) || cnode_append(map, k, v)) {
            cnode_free(k);
            cnode_free(v);
            return cfg_fail(err, NULL, key, "out of memory");
        }
        if (!dot)
            return 0;
        map = v;
        p = dot + 1;
    }
}
