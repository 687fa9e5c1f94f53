/*
 * h5in.c - the reader of the files h5out.c writes (contract in h5out.h).
 */
#include "h5out.h"
#include "h5common.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

struct h5in {
    hid_t file;
    char path[PATH_MAX];
};

h5in_t *h5in_open(const char *path, char *err, size_t errlen)
{
    errors_quiet();
    if (!path || strlen(path) >= PATH_MAX) {
        error_format(err, errlen, "input file name is empty or too long");
        return NULL;
    }
    struct stat st;
    if (access(path, R_OK) < 0 || stat(path, &st) < 0) {
        error_format(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {   /* HDF5 would wait for ever on a named pipe */
        error_format(err, errlen, "%s: cannot open: not a regular file", path);
        return NULL;
    }
    h5in_t *h = calloc(1, sizeof *h);
    if (!h) {
        error_format(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    snprintf(h->path, sizeof h->path, "%s", path);
    h->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0) {
        char detail[256];
        error_detail(detail, sizeof detail);
        error_format(err, errlen, "%s: not an HDF5 file or unreadable (%s)", path, detail);
        free(h);
        return NULL;
    }
    return h;
}

void h5in_close(h5in_t *h)
{
    if (!h)
        return;
    if (h->file >= 0)
        H5Fclose(h->file);
    free(h);
}

const char *h5in_path(const h5in_t *h)
{
    return h ? h->path : NULL;
}

int h5in_exists(h5in_t *h, const char *path)
{
    const char *p = obj_or_root(path);
    if (strcmp(p, "/") == 0)
        return 1;
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", p);
    /* H5Lexists needs every ancestor to exist. */
    for (char *slash = strchr(buf + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = '\0';
        htri_t e = H5Lexists(h->file, buf, H5P_DEFAULT);
        if (e <= 0) {
            error_forget();
            return 0;
        }
        if (!slash)
            return 1;
        *slash = '/';
    }
}

static hid_t open_attr(h5in_t *h, const char *obj, const char *name, char *err, size_t errlen)
{
    const char *where = obj_or_root(obj);
    hid_t a = -1;
    htri_t exists = 0;
    if (h5in_exists(h, where)) {
        hid_t o = H5Oopen(h->file, where, H5P_DEFAULT);
        exists = o >= 0 ? H5Aexists(o, name) : -1;
        if (exists > 0)
            a = H5Aopen(o, name, H5P_DEFAULT);
        close_id(o);
    }
    if (a < 0 && exists != 0) {   /* there, but unreadable: a damaged object header */
        char what[H5OUT_NAME_MAX + 32];
        snprintf(what, sizeof what, "read attribute %s of", name);
        hdf5_fail(err, errlen, h->path, what, where);
    } else if (a < 0) {
        error_forget();
        error_format(err, errlen, "%s: no attribute '%s' on '%s'", h->path, name, where);
    }
    return a;
}

int h5in_attr_exists(h5in_t *h, const char *obj, const char *name, char *err, size_t errlen)
{
    const char *where = obj_or_root(obj);
    if (!h5in_exists(h, where)) {
        error_format(err, errlen, "%s: no object '%s'", h->path, where);
        return -1;
    }
    hid_t o = H5Oopen(h->file, where, H5P_DEFAULT);
    htri_t e = o >= 0 ? H5Aexists(o, name) : -1;
    close_id(o);
    if (e < 0)
        return hdf5_fail(err, errlen, h->path, "read attributes of", where);
    return e > 0;
}

static int attr_get_number(h5in_t *h, const char *obj, const char *name, hid_t memtype,
                           void *out, char *err, size_t errlen)
{
    hid_t a = open_attr(h, obj, name, err, errlen);
    if (a < 0)
        return -1;
    hid_t space = H5Aget_space(a);
    hid_t ftype = H5Aget_type(a);
    H5T_class_t cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
    int ok = space >= 0 && H5Sget_simple_extent_npoints(space) == 1 &&
             (cls == H5T_INTEGER || cls == H5T_FLOAT) && H5Aread(a, memtype, out) >= 0;
    close_id(ftype);
    close_id(space);
    close_id(a);
    if (ok)
        return 0;
    error_forget();
    error_format(err, errlen, "%s: attribute '%s' of '%s' is not a single number", h->path, name,
            obj_or_root(obj));
    return -1;
}

int h5in_attr_int64(h5in_t *h, const char *obj, const char *name, int64_t *out,
                    char *err, size_t errlen)
{
    return attr_get_number(h, obj, name, H5T_NATIVE_INT64, out, err, errlen);
}

int h5in_attr_uint64(h5in_t *h, const char *obj, const char *name, uint64_t *out,
                     char *err, size_t errlen)
{
    return attr_get_number(h, obj, name, H5T_NATIVE_UINT64, out, err, errlen);
}

int h5in_attr_double(h5in_t *h, const char *obj, const char *name, double *out,
                     char *err, size_t errlen)
{
    return attr_get_number(h, obj, name, H5T_NATIVE_DOUBLE, out, err, errlen);
}

/* The memory type of variable-length UTF-8 strings (older files' text variables, and
 * attributes written elsewhere); -1 on failure. */
static hid_t string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return -1;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Reads one string (variable or fixed length) from an attribute or dataset. */
char *read_one_string(hid_t obj, int is_attr)
{
    hid_t ftype = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t space = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    char *result = NULL;
    if (ftype >= 0 && space >= 0 && H5Tget_class(ftype) == H5T_STRING &&
        H5Sget_simple_extent_npoints(space) == 1) {
        if (H5Tis_variable_str(ftype) > 0) {
            hid_t mt = string_type();
            char *v = NULL;
            herr_t rc = is_attr ? H5Aread(obj, mt, &v) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v);
            if (rc >= 0) {
                result = strdup(v ? v : "");
                H5Dvlen_reclaim(mt, space, H5P_DEFAULT, &v);
            }
            close_id(mt);
        } else {
            size_t n = H5Tget_size(ftype);
            hid_t mt = H5Tcopy(ftype);
            char *buf = calloc(1, n + 1);
            if (buf && mt >= 0 &&
                (is_attr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) >= 0)
                result = buf;
            else
                free(buf);
            close_id(mt);
        }
    }
    close_id(space);
    close_id(ftype);
    return result;
}

int h5in_attr_string(h5in_t *h, const char *obj, const char *name, char **out,
                     char *err, size_t errlen)
{
    hid_t a = open_attr(h, obj, name, err, errlen);
    if (a < 0)
        return -1;
    *out = read_one_string(a, 1);
    close_id(a);
    if (*out)
        return 0;
    error_forget();
    error_format(err, errlen, "%s: attribute '%s' of '%s' is not a string", h->path, name,
            obj_or_root(obj));
    return -1;
}

static hid_t open_var(h5in_t *h, const char *path, char *err, size_t errlen)
{
    hid_t d = h5in_exists(h, path) ? H5Dopen2(h->file, path, H5P_DEFAULT) : -1;
    if (d < 0) {
        error_forget();
        error_format(err, errlen, "%s: no variable '%s'", h->path, path);
    }
    return d;
}

static herr_t scale_name_cb(hid_t did, unsigned dim, hid_t dsid, void *arg)
{
    (void)did;
    (void)dim;
    char full[PATH_MAX];
    ssize_t n = H5Iget_name(dsid, full, sizeof full);
    if (n <= 0)
        return -1;
    const char *base = strrchr(full, '/');
    const char *name = base ? base + 1 : full;
    size_t k = strnlen(name, H5OUT_NAME_MAX - 1);
    memcpy(arg, name, k);
    ((char *)arg)[k] = '\0';
    return 1;   /* the first attached scale names the dimension */
}

static h5out_type_t type_of(hid_t ftype)
{
    switch (H5Tget_class(ftype)) {
    case H5T_FLOAT:
        return H5Tget_size(ftype) == 8 ? H5OUT_DOUBLE : H5OUT_OTHER;
    case H5T_INTEGER:
        if (H5Tget_size(ftype) == 4 && H5Tget_sign(ftype) == H5T_SGN_2)
            return H5OUT_INT32;
        if (H5Tget_size(ftype) == 8)
            return H5Tget_sign(ftype) == H5T_SGN_2 ? H5OUT_INT64 : H5OUT_UINT64;
        return H5OUT_OTHER;
    case H5T_STRING:
        return H5OUT_STRING;
    default:
        return H5OUT_OTHER;
    }
}

int h5in_var_info(h5in_t *h, const char *path, int *ndims, size_t *shape,
                  char (*dimnames)[H5OUT_NAME_MAX], h5out_type_t *type,
                  char *err, size_t errlen)
{
    hid_t d = open_var(h, path, err, errlen);
    if (d < 0)
        return -1;
    hid_t space = H5Dget_space(d), ftype = H5Dget_type(d);
    int n = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t dims[H5OUT_MAX_DIMS];
    int ok = n >= 0 && n <= H5OUT_MAX_DIMS && ftype >= 0 &&
             H5Sget_simple_extent_dims(space, dims, NULL) >= 0;
    /* A character array is text: its last axis (the characters) is not one of its axes,
     * as in netCDF-4's readers. */
    if (ok && n > 0 && is_char_type(ftype))
        n--;
    for (int i = 0; ok && i < n; i++) {
        if (shape)
            shape[i] = (size_t)dims[i];
        if (dimnames) {
            dimnames[i][0] = '\0';
            if (H5DSget_num_scales(d, (unsigned)i) > 0)
                H5DSiterate_scales(d, (unsigned)i, NULL, scale_name_cb, dimnames[i]);
            else if (H5DSis_scale(d) > 0 && i == 0)
                scale_name_cb(d, 0, d, dimnames[i]);   /* a coordinate variable */
        }
    }
    if (ok && ndims)
        *ndims = n;
    if (ok && type)
        *type = type_of(ftype);
    close_id(ftype);
    close_id(space);
    close_id(d);
    error_forget();
    if (!ok) {
        error_format(err, errlen, "%s: variable '%s' has more than %d axes or is unreadable",
                h->path, path, H5OUT_MAX_DIMS);
        return -1;
    }
    return 0;
}

/* Fletcher-32 guards the chunks, not the chunk index (a version-1 B-tree without a
 * checksum): a flipped bit in a key moves a chunk outside the dataset or out of reach
 * of the lookup, and HDF5 then reads the fill value without an error. Every dataset we
 * read was written whole, so each of its chunks must be there, once, at its own place,
 * and found there. */
static int chunks_intact(hid_t d)
{
    hid_t dcpl = H5Dget_create_plist(d), space = H5Dget_space(d);
    int ok = dcpl >= 0 && space >= 0;
    if (ok && H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t shape[H5OUT_MAX_DIMS], chunk[H5OUT_MAX_DIMS], expected = 1, n = 0;
        int nd = H5Sget_simple_extent_dims(space, shape, NULL);
        ok = nd >= 0 && nd <= H5OUT_MAX_DIMS && H5Pget_chunk(dcpl, nd, chunk) == nd &&
             H5Dget_num_chunks(d, space, &n) >= 0;
        for (int i = 0; ok && i < nd; i++)
            expected *= chunk[i] ? (shape[i] + chunk[i] - 1) / chunk[i] : 0;
        ok = ok && n == expected;
        for (hsize_t c = 0; ok && c < n; c++) {
            hsize_t offset[H5OUT_MAX_DIMS];
            unsigned mask;
            haddr_t addr;
            hsize_t size;
            hsize_t found;
            ok = H5Dget_chunk_info(d, space, c, offset, &mask, &addr, &size) >= 0;
            for (int i = 0; ok && i < nd; i++)
                ok = offset[i] < shape[i] && offset[i] % chunk[i] == 0;
            /* the lookup a read makes (a damaged key can hide a chunk from it though a
             * walk of the index still lists it) */
            ok = ok && H5Dget_chunk_storage_size(d, offset, &found) >= 0 && found == size;
        }
    }
    close_id(space);
    close_id(dcpl);
    return ok;
}

static int corrupt_index(h5in_t *h, const char *path, char *err, size_t errlen)
{
    error_forget();
    error_format(err, errlen, "%s: cannot read variable '%s': checksum error: the file is "
                 "corrupt (its chunk index is damaged)", h->path, path);
    return -1;
}

/* open_var, then the chunk-index check every numeric read needs; -1 with err set. */
static hid_t open_checked_var(h5in_t *h, const char *path, char *err, size_t errlen)
{
    hid_t d = open_var(h, path, err, errlen);
    if (d >= 0 && !chunks_intact(d)) {
        close_id(d);
        corrupt_index(h, path, err, errlen);
        return -1;
    }
    return d;
}

static int read_numbers(h5in_t *h, const char *path, hid_t memtype, void *out,
                        char *err, size_t errlen)
{
    hid_t d = open_checked_var(h, path, err, errlen);
    if (d < 0)
        return -1;
    hid_t ftype = H5Dget_type(d);
    H5T_class_t cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
    close_id(ftype);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
        close_id(d);
        error_format(err, errlen, "%s: variable '%s' is not numeric", h->path, path);
        return -1;
    }
    herr_t rc = H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
    close_id(d);
    return rc >= 0 ? 0 : hdf5_fail(err, errlen, h->path, "read variable", path);
}

int h5in_read_double(h5in_t *h, const char *path, double *out, char *err, size_t errlen)
{
    return read_numbers(h, path, H5T_NATIVE_DOUBLE, out, err, errlen);
}

int h5in_read_int64(h5in_t *h, const char *path, int64_t *out, char *err, size_t errlen)
{
    return read_numbers(h, path, H5T_NATIVE_INT64, out, err, errlen);
}

int h5in_read_int32(h5in_t *h, const char *path, int32_t *out, char *err, size_t errlen)
{
    return read_numbers(h, path, H5T_NATIVE_INT32, out, err, errlen);
}

int h5in_read_double_slab(h5in_t *h, const char *path, const size_t *start,
                          const size_t *count, double *out, char *err, size_t errlen)
{
    hid_t d = open_checked_var(h, path, err, errlen);
    if (d < 0)
        return -1;
    hid_t fspace = H5Dget_space(d);
    int n = fspace >= 0 ? H5Sget_simple_extent_ndims(fspace) : -1;
    hsize_t st[H5OUT_MAX_DIMS], ct[H5OUT_MAX_DIMS], dims[H5OUT_MAX_DIMS];
    int ok = n >= 1 && n <= H5OUT_MAX_DIMS && H5Sget_simple_extent_dims(fspace, dims, NULL) >= 0;
    for (int i = 0; ok && i < n; i++) {
        st[i] = start[i];
        ct[i] = count[i];
        ok = st[i] + ct[i] <= dims[i];
    }
    if (!ok) {
        close_id(fspace);
        close_id(d);
        error_format(err, errlen, "%s: variable '%s': block outside its shape", h->path, path);
        return -1;
    }
    hid_t mspace = H5Screate_simple(n, ct, NULL);
    ok = mspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, st, NULL, ct, NULL) >= 0 &&
         H5Dread(d, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, out) >= 0;
    close_id(mspace);
    close_id(fspace);
    close_id(d);
    return ok ? 0 : hdf5_fail(err, errlen, h->path, "read variable", path);
}

void h5in_free_strings(char **strings, size_t n)
{
    if (!strings)
        return;
    for (size_t i = 0; i < n; i++)
        free(strings[i]);
    free(strings);
}

/* The texts of a character array (h5out.c's def_dim_strings): rows of width bytes, each
 * ending at its first NUL (want_rank 1), or one text (want_rank 0). The chunk index is
 * checked and the checksum verified as for numbers. *out holds *n malloc'ed strings;
 * -1 with err set when d is not such an array, is corrupt or memory runs out. */
static int read_char_rows(h5in_t *h, const char *path, hid_t d, int want_rank, char ***out,
                          size_t *n, char *err, size_t errlen)
{
    hid_t space = H5Dget_space(d), mt = char_type();
    hsize_t dims[2] = { 1, 1 };
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    int shaped = rank == want_rank + 1 && mt >= 0 &&
                 H5Sget_simple_extent_dims(space, dims, NULL) >= 0;
    size_t rows = want_rank ? (size_t)dims[0] : 1, width = (size_t)dims[want_rank];
    char *buf = shaped ? malloc(rows * width + 1) : NULL;
    char **texts = shaped ? calloc(rows + 1, sizeof *texts) : NULL;
    int intact = shaped && chunks_intact(d);
    int rc = -1;
    if (!shaped)
        error_format(err, errlen, "%s: variable '%s' is not %s", h->path, path,
                     want_rank ? "a 1-D text variable" : "a single text");
    else if (!buf || !texts)
        error_format(err, errlen, "%s: out of memory reading '%s'", h->path, path);
    else if (!intact)
        corrupt_index(h, path, err, errlen);
    else if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        hdf5_fail(err, errlen, h->path, "read variable", path);
    else
        rc = 0;
    for (size_t i = 0; rc == 0 && i < rows; i++)
        if ((texts[i] = strndup(buf + i * width, width)) == NULL) {
            error_format(err, errlen, "%s: out of memory reading '%s'", h->path, path);
            rc = -1;
        }
    free(buf);
    close_id(mt);
    close_id(space);
    error_forget();
    if (rc) {
        h5in_free_strings(texts, rows);
        return -1;
    }
    *out = texts;
    *n = rows;
    return 0;
}

/* A 1-D variable-length string array (files written before the character arrays). */
static int read_vlen_strings(hid_t d, char ***out, size_t *n)
{
    hid_t ftype = H5Dget_type(d), space = H5Dget_space(d), mt = string_type();
    hssize_t count = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    int ok = ftype >= 0 && H5Tget_class(ftype) == H5T_STRING && H5Tis_variable_str(ftype) > 0 &&
             H5Sget_simple_extent_ndims(space) == 1 && count >= 0 && mt >= 0;
    char **raw = ok ? calloc((size_t)count + 1, sizeof *raw) : NULL;
    char **copy = ok ? calloc((size_t)count + 1, sizeof *copy) : NULL;
    ok = ok && raw && copy && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0;
    if (ok) {
        for (hssize_t i = 0; ok && i < count; i++)
            ok = (copy[i] = strdup(raw[i] ? raw[i] : "")) != NULL;
        H5Dvlen_reclaim(mt, space, H5P_DEFAULT, raw);
    }
    free(raw);
    close_id(mt);
    close_id(space);
    close_id(ftype);
    if (!ok) {
        h5in_free_strings(copy, count > 0 ? (size_t)count : 0);
        return -1;
    }
    *out = copy;
    *n = (size_t)count;
    return 0;
}

/* 1 when the variable d is a character array (a text of this version's layout). */
static int is_char_var(hid_t d)
{
    hid_t ftype = H5Dget_type(d);
    int chars = ftype >= 0 && is_char_type(ftype);
    close_id(ftype);
    return chars;
}

int h5in_read_strings(h5in_t *h, const char *path, char ***out, size_t *n,
                      char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    hid_t d = open_var(h, path, err, errlen);
    if (d < 0)
        return -1;
    int chars = is_char_var(d);
    int rc = chars ? read_char_rows(h, path, d, 1, out, n, err, errlen)
                   : read_vlen_strings(d, out, n);
    if (rc && !chars)
        error_format(err, errlen, "%s: variable '%s' is not a 1-D text variable (a character "
                     "array or variable-length strings)", h->path, path);
    close_id(d);
    error_forget();
    return rc;
}

int h5in_read_string_scalar(h5in_t *h, const char *path, char **out, char *err, size_t errlen)
{
    hid_t d = open_var(h, path, err, errlen);
    if (d < 0)
        return -1;
    char **texts = NULL;
    size_t n = 0;
    int rc = 0;
    *out = NULL;
    if (is_char_var(d)) {
        rc = read_char_rows(h, path, d, 0, &texts, &n, err, errlen);
        if (rc == 0)
            *out = texts[0];
        free(texts);
    } else if ((*out = read_one_string(d, 0)) == NULL) {   /* files before the character arrays */
        error_format(err, errlen, "%s: variable '%s' is not a single string", h->path, path);
        rc = -1;
    }
    close_id(d);
    error_forget();
    return rc;
}

typedef struct {
    void (*cb)(const char *name, void *arg);
    void *arg;
} list_t;

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info, void *arg)
{
    (void)g;
    (void)info;
    list_t *l = arg;
    l->cb(name, l->arg);
    return 0;
}

int h5in_list(h5in_t *h, const char *group, void (*cb)(const char *name, void *arg),
              void *arg, char *err, size_t errlen)
{
    const char *where = obj_or_root(group);
    hid_t g = h5in_exists(h, where) ? H5Gopen2(h->file, where, H5P_DEFAULT) : -1;
    if (g < 0) {
        error_forget();
        error_format(err, errlen, "%s: no group '%s'", h->path, where);
        return -1;
    }
    list_t l = { cb, arg };
    hid_t gcpl = H5Gget_create_plist(g);
    unsigned order = 0;
    if (gcpl >= 0)
        H5Pget_link_creation_order(gcpl, &order);
    close_id(gcpl);
    /* Files written elsewhere may lack the creation-order index: then by name. With the
     * index, "native" order walks its B-tree, which is sorted by creation order, so it
     * is increasing creation order; H5_ITER_INC would give the same order but first
     * builds a table of the group's links, and HDF5 1.10 frees that table's unfilled
     * entries when a damaged block stops the build (a crash on a corrupt file, found by
     * tests/mutate.py under ASan; the native walk just fails with the checksum error). */
    int indexed = (order & H5P_CRT_ORDER_INDEXED) != 0;
    herr_t rc = H5Literate(g, indexed ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME,
                           indexed ? H5_ITER_NATIVE : H5_ITER_INC, NULL, list_cb, &l);
    close_id(g);
    return rc >= 0 ? 0 : hdf5_fail(err, errlen, h->path, "list group", where);
}
