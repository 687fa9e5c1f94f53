/*
 * config_yaml.c - libyaml events -> the position-aware tree of config_internal.h, with the
 * parse-time limits (nesting depth, node budget including what aliases copy). Base chains,
 * merging and dotted-key edits of the tree are config_tree.c.
 *
 * Why our own tree and not libcyaml's schema loader: see config_tree.c.
 */
#include "config_internal.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TREE_MAX_DEPTH 64
#define TREE_MAX_NODES 200000

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

int tree_parse(const char *text, size_t len, const char *file, cnode_t **out,
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
