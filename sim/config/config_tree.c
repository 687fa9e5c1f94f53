/*
 * config_tree.c - the YAML side of scenario files: parse with libyaml into a small tree
 * that remembers file, line and column of every node, follow `base:` chains, merge
 * overrides onto their base, and edit the tree by dotted key (--set, sweeps).
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
#include <yaml.h>

#define TREE_MAX_DEPTH 64
#define TREE_MAX_NODES 200000
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

static int cfg_fail_file(config_error_t *err, const char *file, int line, int column,
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

/* ---- libyaml events -> tree ---- */

/* Why events and not yaml_parser_load: the document loader builds the whole document
 * before we could look at its depth, and is quadratic in the nesting depth (100,000
 * nested '[' took minutes); built from events, the tree stops at level 65 at once. */

typedef struct {
    cnode_t *node;             /* the open mapping or sequence */
    cnode_t *key;              /* mappings: a key waiting for its value */
    char *anchor;
} frame_t;

typedef struct {
    char *name;
    const cnode_t *node;       /* inside the tree being built */
    long size;                 /* nodes, for the budget when an alias copies it */
    int height;                /* levels below it, for the depth limit */
} anchor_t;

typedef struct {
    const char *file, *text;
    size_t len;
    config_error_t *err;
    frame_t stack[TREE_MAX_DEPTH + 1];
    int depth;
    anchor_t *anchors;
    int n_anchors, cap_anchors;
    long budget;
    cnode_t *root;
} builder_t;

static long cnode_size(const cnode_t *n, int *height)
{
    long size = 1;
    int h = 0;
    for (int i = 0; i < n->n; i++) {
        int hk = 0, hv = 0;
        size += (n->keys ? cnode_size(n->keys[i], &hk) : 0) + cnode_size(n->items[i], &hv);
        h = hk > h ? hk : h;
        h = hv > h ? hv : h;
    }
    *height = n->n ? h + 1 : 0;
    return size;
}

static int mark_fail(builder_t *bd, yaml_mark_t m, const char *what, const char *detail)
{
    return cfg_fail_file(bd->err, bd->file, (int)m.line + 1, (int)m.column + 1, "%s%s", what,
                         detail);
}

/* YAML tags: !!str makes a scalar a string (as quotes do); !!map and !!seq say what the
 * node is anyway; any other tag would be silently ignored, so it is refused. */
static int check_tag(builder_t *bd, const yaml_event_t *ev, const unsigned char *tag,
                     const char *allowed, int *is_str)
{
    if (!tag)
        return 0;
    const char *t = (const char *)tag;
    if (is_str && !strcmp(t, YAML_STR_TAG)) {
        *is_str = 1;
        return 0;
    }
    if (allowed && !strcmp(t, allowed))
        return 0;
    const char *shown = !strncmp(t, "tag:yaml.org,2002:", 18) ? t + 18 : t;
    return cfg_fail_file(bd->err, bd->file, (int)ev->start_mark.line + 1,
                         (int)ev->start_mark.column + 1,
                         "YAML tag '%s%.60s' is not supported (only !!str, to make a value "
                         "a string)", shown == t ? "" : "!!", shown);
}

static int remember_anchor(builder_t *bd, char *name, const cnode_t *node)
{
    if (bd->n_anchors == bd->cap_anchors) {
        int cap = bd->cap_anchors ? 2 * bd->cap_anchors : 8;
        anchor_t *a = realloc(bd->anchors, (size_t)cap * sizeof *a);
        if (!a) {
            free(name);
            return -1;
        }
        bd->anchors = a;
        bd->cap_anchors = cap;
    }
    anchor_t *a = &bd->anchors[bd->n_anchors++];
    a->name = name;
    a->node = node;
    a->size = cnode_size(node, &a->height);
    return 0;
}

/* A finished node goes to the open collection above it (or becomes the root). */
static int attach(builder_t *bd, cnode_t *n)
{
    if (bd->depth == 0) {
        bd->root = n;
        return 0;
    }
    frame_t *f = &bd->stack[bd->depth - 1];
    if (f->node->kind == CNODE_SEQ) {
        if (cnode_append(f->node, NULL, n) == 0)
            return 0;
    } else if (!f->key) {
        if (n->kind != CNODE_SCALAR) {
            int rc = cfg_fail_file(bd->err, bd->file, n->line, n->column,
                                   "a mapping key must be a plain name, not a %s",
                                   n->kind == CNODE_MAP ? "mapping" : "list");
            cnode_free(n);
            return rc;
        }
        if (cnode_find(f->node, n->text) >= 0) {
            int rc = cfg_fail_file(bd->err, bd->file, n->line, n->column, "duplicate key '%s'",
                                   n->text);
            cnode_free(n);
            return rc;
        }
        f->key = n;
        return 0;
    } else if (cnode_append(f->node, f->key, n) == 0) {
        f->key = NULL;
        return 0;
    }
    cnode_free(n);
    return cfg_fail_file(bd->err, bd->file, 0, 0, "out of memory");
}

static int on_node(builder_t *bd, const yaml_event_t *ev, cnode_kind_t kind,
                   const unsigned char *anchor)
{
    int line = (int)ev->start_mark.line + 1, column = (int)ev->start_mark.column + 1;
    if (bd->depth > TREE_MAX_DEPTH)   /* the level of this node; the root is level 0 */
        return cfg_fail_file(bd->err, bd->file, line, column, "nesting deeper than %d levels",
                             TREE_MAX_DEPTH);
    if (--bd->budget < 0)
        return cfg_fail_file(bd->err, bd->file, line, column,
                             "document too large (more than %d nodes, aliases expanded)",
                             TREE_MAX_NODES);
    cnode_t *n = cnode_new(kind, bd->file, line, column);
    char *name = anchor ? strdup((const char *)anchor) : NULL;
    if (!n || (anchor && !name)) {
        cnode_free(n);
        free(name);
        return cfg_fail_file(bd->err, bd->file, line, column, "out of memory");
    }
    if (kind != CNODE_SCALAR) {
        bd->stack[bd->depth++] = (frame_t){n, NULL, name};
        return 0;
    }
    const yaml_char_t *value = ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    int is_str = 0, rc = check_tag(bd, ev, ev->data.scalar.tag, NULL, &is_str);
    n->quoted = is_str || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    if (!rc && !(n->text = malloc(len + 1)))
        rc = cfg_fail_file(bd->err, bd->file, line, column, "out of memory");
    if (!rc) {
        memcpy(n->text, value, len);
        n->text[len] = '\0';
        if (strlen(n->text) != len)
            rc = cfg_fail_file(bd->err, bd->file, line, column,
                               "a value contains a NUL character");
    }
    if (!rc && name && remember_anchor(bd, name, n))
        rc = cfg_fail_file(bd->err, bd->file, line, column, "out of memory");
    else if (rc)
        free(name);
    if (rc) {
        cnode_free(n);
        return rc;
    }
    return attach(bd, n);
}

static int on_end(builder_t *bd)
{
    frame_t f = bd->stack[--bd->depth];
    if (f.key) {   /* cannot happen: libyaml gives every key a value (maybe empty) */
        cnode_free(f.key);
        f.key = NULL;
    }
    if (f.anchor && remember_anchor(bd, f.anchor, f.node)) {
        cnode_free(f.node);
        return cfg_fail_file(bd->err, bd->file, 0, 0, "out of memory");
    }
    return attach(bd, f.node);
}

static int on_alias(builder_t *bd, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const anchor_t *a = NULL;
    for (int i = bd->n_anchors - 1; i >= 0 && !a; i--)   /* the latest definition wins */
        if (!strcmp(bd->anchors[i].name, name))
            a = &bd->anchors[i];
    if (!a)
        return mark_fail(bd, ev->start_mark, "alias to an unknown or unfinished anchor: *",
                         name);
    if (bd->depth + a->height > TREE_MAX_DEPTH)
        return cfg_fail_file(bd->err, bd->file, (int)ev->start_mark.line + 1,
                             (int)ev->start_mark.column + 1,
                             "nesting deeper than %d levels (through alias *%s)", TREE_MAX_DEPTH,
                             name);
    if ((bd->budget -= a->size) < 0)
        return cfg_fail_file(bd->err, bd->file, (int)ev->start_mark.line + 1,
                             (int)ev->start_mark.column + 1,
                             "document too large (more than %d nodes, aliases expanded)",
                             TREE_MAX_NODES);
    cnode_t *copy = cnode_copy(a->node);
    if (!copy)
        return mark_fail(bd, ev->start_mark, "out of memory", "");
    return attach(bd, copy);
}

/* line:col of a byte offset (libyaml gives only the offset for a reader error). */
static void offset_position(const char *text, size_t len, size_t offset, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {   /* characters, not bytes */
            ++*col;
        }
    }
}

static int syntax_error(const yaml_parser_t *p, const builder_t *bd)
{
    const yaml_mark_t *m = &p->problem_mark;
    const char *problem = p->problem ? p->problem : "malformed document";
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        offset_position(bd->text, bd->len, p->problem_offset, &line, &col);
        return cfg_fail_file(bd->err, bd->file, line, col, "YAML syntax error: %s", problem);
    }
    /* libyaml takes a key of more than 1024 characters for a value: say what it was */
    size_t at = m->index, start = at;
    while (start > 0 && bd->text[start - 1] != '\n' && bd->text[start - 1] != ' ')
        start--;
    if (at < bd->len && bd->text[at] == ':' && at - start > 1024)
        return cfg_fail_file(bd->err, bd->file, (int)m->line + 1, (int)(m->column + 1 -
                             (at - start)), "a key of %zu characters: names have 1 to %d "
                             "characters", at - start, MARKET_NAME_MAX - 1);
    if (p->context)
        return cfg_fail_file(bd->err, bd->file, (int)m->line + 1, (int)m->column + 1,
                             "YAML syntax error: %s (%s that starts on line %d)", problem,
                             p->context, (int)p->context_mark.line + 1);
    return cfg_fail_file(bd->err, bd->file, (int)m->line + 1, (int)m->column + 1,
                         "YAML syntax error: %s", problem);
}

static int on_event(builder_t *bd, const yaml_event_t *ev, int *documents)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*documents > 1)   /* a second document would silently be ignored */
            return mark_fail(bd, ev->start_mark,
                             "more than one YAML document (remove the second '---')", "");
        return 0;
    case YAML_SCALAR_EVENT:
        return on_node(bd, ev, CNODE_SCALAR, ev->data.scalar.anchor);
    case YAML_SEQUENCE_START_EVENT:
        return check_tag(bd, ev, ev->data.sequence_start.tag, YAML_SEQ_TAG, NULL) ||
               on_node(bd, ev, CNODE_SEQ, ev->data.sequence_start.anchor);
    case YAML_MAPPING_START_EVENT:
        return check_tag(bd, ev, ev->data.mapping_start.tag, YAML_MAP_TAG, NULL) ||
               on_node(bd, ev, CNODE_MAP, ev->data.mapping_start.anchor);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(bd);
    case YAML_ALIAS_EVENT:
        return on_alias(bd, ev);
    default:
        return 0;
    }
}

static int tree_parse(const char *text, size_t len, const char *file, cnode_t **out,
               config_error_t *err)
{
    *out = NULL;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return cfg_fail_file(err, file, 0, 0, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    builder_t bd = {.file = file, .text = text, .len = len, .err = err,
                    .budget = TREE_MAX_NODES};
    int rc = 0, documents = 0, done = 0;
    while (!rc && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = syntax_error(&parser, &bd);
            break;
        }
        rc = on_event(&bd, &ev, &documents);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    for (int i = 0; i < bd.n_anchors; i++)
        free(bd.anchors[i].name);
    free(bd.anchors);
    for (int i = 0; i < bd.depth; i++) {   /* a failure with collections still open */
        cnode_free(bd.stack[i].node);
        cnode_free(bd.stack[i].key);
        free(bd.stack[i].anchor);
    }
    if (!rc && !bd.root)
        rc = cfg_fail_file(err, file, 0, 0, "the file is empty");
    else if (!rc && bd.root->kind != CNODE_MAP)
        rc = cfg_fail_file(err, file, bd.root->line, bd.root->column,
                           "the top level must be a mapping of keys (exporters:, ...)");
    if (rc) {
        cnode_free(bd.root);
        return rc;
    }
    *out = bd.root;
    return 0;
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
