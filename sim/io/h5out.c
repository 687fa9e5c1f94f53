/*
 * h5out.c - netCDF-4 compatible HDF5 writer (contract in h5out.h; the reader is
 * h5in.c, what both use h5common.c): dimensions, variables, streams, attributes. The
 * output file on disk (its temporary, commit, abort, stale temporaries) is h5out_file.c.
 */
#include "h5out.h"
#include "h5common.h"
#include "h5chunk.h"
#include "error.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

/* netCDF-4's marker for a dimension that has no coordinate variable (libsrc4). */
#define NC_DIM_WITHOUT_VARIABLE "This is a netCDF dimension but not a netCDF variable."
#define NC_FILL_INT32 (-2147483647)

enum {
    CHUNK_BYTES = 1 << 20,          /* target chunk size of streamed datasets */
    DEFLATE_LEVEL = 2,
    INDEX_BLOCK = 65536,            /* elements per write of a large index coordinate */
};

/* For datasets just written: HDF5 may report a failed write (a full disk) only when the
 * dataset is closed, so that close must count. */
static int close_written(hid_t id)
{
    return id < 0 || H5Idec_ref(id) >= 0;
}

/* The type of a string attribute: fixed-length UTF-8 text of the value's own length
 * (netCDF's NC_CHAR). Why not variable-length like string data: Octave's netcdf package
 * and MATLAB stop at an NC_STRING attribute ("unknown type 12"), while every reader
 * takes NC_CHAR. HDF5 has no zero-length string type, so "" is one NUL byte (read back
 * as "" by HDF5, h5py, netCDF and xarray alike). */
static hid_t attr_string_type(const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    size_t len = strlen(value);
    if (t < 0)
        return -1;
    if (H5Tset_size(t, len ? len : 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* ---------------------------------------------------------------- writer helpers */

static hid_t group_create_plist(void)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    if (p < 0)
        return -1;
    unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    if (H5Pset_link_creation_order(p, order) < 0 || H5Pset_attr_creation_order(p, order) < 0) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

static hid_t dataset_create_plist(void)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0)
        return -1;
    if (H5Pset_attr_creation_order(p, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        H5Pset_obj_track_times(p, 0) < 0) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

/* Creates the groups above the last component of path (on demand). */
static int ensure_parents(h5out_t *h, const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *slash = strchr(buf, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (buf[0] != '\0') {
            htri_t exists = H5Lexists(h->file, buf, H5P_DEFAULT);
            if (exists < 0)
                return -1;
            if (!exists) {
                hid_t gcpl = group_create_plist();
                hid_t g = gcpl < 0 ? -1 : H5Gcreate2(h->file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
                close_id(gcpl);
                if (g < 0)
                    return -1;
                H5Gclose(g);
            }
        }
        *slash = '/';
    }
    return 0;
}

static const dim_t *dim_find(const h5out_t *h, const char *name)
{
    for (size_t i = 0; i < h->ndims; i++)
        if (strcmp(h->dims[i].name, name) == 0)
            return &h->dims[i];
    return NULL;
}

static int dim_register(h5out_t *h, const char *name, size_t len, char *err, size_t errlen)
{
    if (name == NULL || name[0] == '\0' || strlen(name) >= H5OUT_NAME_MAX ||
        strchr(name, '/')) {
        error_format(err, errlen, "%s: invalid dimension name '%s'", h->final_path,
                name ? name : "(null)");
        return -1;
    }
    if (len == 0) {
        error_format(err, errlen, "%s: dimension '%s' has length 0", h->final_path, name);
        return -1;
    }
    if (dim_find(h, name)) {
        error_format(err, errlen, "%s: dimension '%s' defined twice", h->final_path, name);
        return -1;
    }
    if (h->ndims == h->dims_cap) {
        size_t cap = h->dims_cap ? 2 * h->dims_cap : 16;
        dim_t *d = realloc(h->dims, cap * sizeof *d);
        if (!d) {
            error_format(err, errlen, "%s: out of memory", h->final_path);
            return -1;
        }
        h->dims = d;
        h->dims_cap = cap;
    }
    snprintf(h->dims[h->ndims].name, H5OUT_NAME_MAX, "%s", name);
    h->dims[h->ndims].len = len;
    h->dims[h->ndims].coordinates[0] = '\0';
    h->dims[h->ndims].strlen_dim[0] = '\0';
    h->dims[h->ndims].have_ref = 0;
    h->dims[h->ndims].attached = NULL;
    h->dims[h->ndims].n_attached = h->dims[h->ndims].cap_attached = 0;
    h->ndims++;
    return 0;
}

/* Shape of a variable from its dimension names. */
static int shape_of(const h5out_t *h, const char *path, int ndims, const char *const *dims,
                    hsize_t *shape, char *err, size_t errlen)
{
    if (ndims < 0 || ndims > H5OUT_MAX_DIMS) {
        error_format(err, errlen, "%s: variable '%s' has %d axes (0..%d allowed)", h->final_path,
                path, ndims, H5OUT_MAX_DIMS);
        return -1;
    }
    for (int i = 0; i < ndims; i++) {
        const dim_t *d = dims && dims[i] ? dim_find(h, dims[i]) : NULL;
        if (!d) {
            error_format(err, errlen, "%s: variable '%s': dimension '%s' is not defined",
                    h->final_path, path, dims && dims[i] ? dims[i] : "(null)");
            return -1;
        }
        shape[i] = d->len;
    }
    return 0;
}

/* An attribute of n values, or a scalar one (n = 0). */
static int write_attr_array(hid_t obj, const char *name, hid_t type, hsize_t n,
                            const void *values)
{
    htri_t exists = H5Aexists(obj, name);
    if (exists < 0 || (exists > 0 && H5Adelete(obj, name) < 0))
        return -1;
    hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = space < 0 ? -1 : H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (a >= 0 && H5Awrite(a, type, values) >= 0) ? 0 : -1;
    close_id(a);
    close_id(space);
    return rc;
}

static int write_attr(hid_t obj, const char *name, hid_t type, const void *value)
{
    return write_attr_array(obj, name, type, 0, value);
}

/* value is written from its own buffer (a fixed-length type reads len bytes; for ""
 * the one byte is its terminating NUL). */
static int write_attr_string(hid_t obj, const char *name, const char *value)
{
    hid_t t = attr_string_type(value);
    if (t < 0)
        return -1;
    int rc = write_attr(obj, name, t, value);
    H5Tclose(t);
    return rc;
}

static int describe(hid_t dset, const char *units, const char *long_name)
{
    if (units && write_attr_string(dset, "units", units) < 0)
        return -1;
    if (long_name && write_attr_string(dset, "long_name", long_name) < 0)
        return -1;
    return 0;
}

/* Attaches axis i of dset to the root dimension scale dims[i], as H5DSattach_scale does:
 * the dataset's DIMENSION_LIST attribute (per axis a variable-length list of references
 * to its scales, here one) and, on each scale, a REFERENCE_LIST entry {dataset, axis}.
 * Why not H5DSattach_scale: it reads, deletes and rewrites the scale's whole
 * REFERENCE_LIST at every attachment, so a file of 700 variables on a few shared
 * dimensions spent 45 ms there, 40 % of a short run (perf). Here the DIMENSION_LIST is
 * written at once and every scale's entries are collected and written once, when the
 * file closes (h5out_write_scale_refs): the same attributes, types and order, so HDF5's
 * H5DS functions, netCDF-C, h5py and h5netcdf read them as their own (test_h5out checks
 * H5DSis_attached on every axis). */
static int attach_scales(h5out_t *h, hid_t dset, int ndims, const char *const *dims)
{
    hobj_ref_t self, scales[H5OUT_MAX_DIMS];
    hvl_t lists[H5OUT_MAX_DIMS];
    if (ndims < 1 || H5Rcreate(&self, dset, ".", H5R_OBJECT, -1) < 0)
        return ndims < 1 ? 0 : -1;
    for (int i = 0; i < ndims; i++) {
        dim_t *d = (dim_t *)dim_find(h, dims[i]);
        char scale_path[H5OUT_NAME_MAX + 1];
        snprintf(scale_path, sizeof scale_path, "/%s", dims[i]);
        if (!d || (!d->have_ref && H5Rcreate(&d->ref, h->file, scale_path, H5R_OBJECT, -1) < 0))
            return -1;
        d->have_ref = 1;
        if (d->n_attached == d->cap_attached) {
            size_t cap = d->cap_attached ? 2 * d->cap_attached : 64;
            scale_ref_t *a = realloc(d->attached, cap * sizeof *a);
            if (!a)
                return -1;
            d->attached = a;
            d->cap_attached = cap;
        }
        d->attached[d->n_attached++] = (scale_ref_t){ .dataset = self, .dimension = i };
        scales[i] = d->ref;
        lists[i].len = 1;
        lists[i].p = &scales[i];
    }
    hid_t type = H5Tvlen_create(H5T_STD_REF_OBJ);
    int rc = type < 0 ? -1 : write_attr_array(dset, "DIMENSION_LIST", type, (hsize_t)ndims, lists);
    close_id(type);
    return rc;
}

int h5out_write_scale_refs(h5out_t *h)
{
    hid_t type = H5Tcreate(H5T_COMPOUND, sizeof(scale_ref_t));
    int rc = type >= 0 &&
                     H5Tinsert(type, "dataset", HOFFSET(scale_ref_t, dataset), H5T_STD_REF_OBJ) >= 0 &&
                     H5Tinsert(type, "dimension", HOFFSET(scale_ref_t, dimension),
                               H5T_NATIVE_INT) >= 0
                 ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < h->ndims; k++) {
        dim_t *d = &h->dims[k];
        if (!d->n_attached)
            continue;
        char scale_path[H5OUT_NAME_MAX + 1];
        snprintf(scale_path, sizeof scale_path, "/%s", d->name);
        hid_t scale = H5Dopen2(h->file, scale_path, H5P_DEFAULT);
        rc = scale < 0 ? -1
                       : write_attr_array(scale, "REFERENCE_LIST", type, (hsize_t)d->n_attached,
                                          d->attached);
        close_id(scale);
        d->n_attached = 0;   /* written: a second close writes nothing again */
    }
    close_id(type);
    return rc;
}

/* CF auxiliary coordinates: a variable with an axis along a dimension given
 * h5out_dim_coordinates gets its "coordinates" attribute (the first such axis counts). */
static int link_coordinates(h5out_t *h, hid_t dset, int ndims, const char *const *dims)
{
    for (int i = 0; i < ndims; i++) {
        const dim_t *d = dim_find(h, dims[i]);
        if (d && d->coordinates[0])
            return write_attr_string(dset, "coordinates", d->coordinates);
    }
    return 0;
}

static void chunk_shape(int ndims, const hsize_t *shape, size_t elem, hsize_t *chunk);

/* Creates (not writes) a dataset; chunk NULL means one whole, uncompressed chunk. */
static hid_t create_dataset(h5out_t *h, const char *path, hid_t ftype, int ndims,
                            const hsize_t *shape, const hsize_t *chunk, const void *fill)
{
    if (ensure_parents(h, path) < 0)
        return -1;
    hid_t space = ndims == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(ndims, shape, NULL);
    hid_t dcpl = dataset_create_plist();
    hid_t dset = -1;
    if (space >= 0 && dcpl >= 0) {
        int ok = 1;
        /* Every dataset with an axis carries HDF5's Fletcher-32 checksum, so a flipped
         * byte fails the read instead of passing as data. The filter needs chunks: a
         * dataset that would be contiguous is one chunk of about CHUNK_BYTES along its
         * trailing axes (no compression: only the streams are compressed); text too,
         * being character arrays. HDF5 chunks no scalar: those stay contiguous, without
         * a checksum. */
        int checksum = ndims > 0;
        hsize_t whole[H5OUT_MAX_DIMS];
        if (!chunk && checksum) {
            chunk_shape(ndims, shape, H5Tget_size(ftype), whole);
            ok = H5Pset_chunk(dcpl, ndims, whole) >= 0;
        } else if (chunk) {
            ok = H5Pset_chunk(dcpl, ndims, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
                 H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0;
        }
        if (ok && checksum)
            ok = H5Pset_fletcher32(dcpl) >= 0;
        if (ok && fill)
            ok = H5Pset_fill_value(dcpl, ftype, fill) >= 0;
        if (ok)
            dset = H5Dcreate2(h->file, path, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    }
    close_id(dcpl);
    close_id(space);
    return dset;
}

static int write_variable(h5out_t *h, const char *path, int ndims, const char *const *dims,
                          hid_t type, const void *data, const char *units,
                          const char *long_name, char *err, size_t errlen)
{
    hsize_t shape[H5OUT_MAX_DIMS];
    if (!h || !path || !path[0]) {
        error_format(err, errlen, "%s: variable without a name", h ? h->final_path : "(null)");
        return -1;
    }
    if (shape_of(h, path, ndims, dims, shape, err, errlen) < 0)
        return -1;
    hid_t dset = create_dataset(h, path, type, ndims, shape, NULL, NULL);
    int ok = dset >= 0 && H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0 &&
             attach_scales(h, dset, ndims, dims) >= 0 && describe(dset, units, long_name) >= 0 &&
             link_coordinates(h, dset, ndims, dims) >= 0;
    ok = close_written(dset) && ok;
    return ok ? 0 : hdf5_fail(err, errlen, h->final_path, "write variable", path);
}

/* ---------------------------------------------------------------- writer */

/* Which netCDF dimension a scale is: its index in registration order, written as the
 * hidden attribute _Netcdf4Dimid on every scale. netCDF-C and h5netcdf would otherwise
 * number the dimensions in the order they find them; explicit numbers are what a text
 * coordinate's _Netcdf4Coordinates (def_dim_strings) can name without guessing. */
static int mark_dimid(h5out_t *h, hid_t dset, const char *name)
{
    const dim_t *d = dim_find(h, name);
    int32_t id = d ? (int32_t)(d - h->dims) : -1;
    return d ? write_attr(dset, "_Netcdf4Dimid", H5T_NATIVE_INT32, &id) : -1;
}

/* A root dataset that is the dimension scale of name; values may be NULL. */
static int def_scale(h5out_t *h, const char *name, hsize_t len, hid_t type,
                     const void *values, const char *scale_name, const char *units,
                     const char *long_name, char *err, size_t errlen)
{
    char path[H5OUT_NAME_MAX + 1];
    snprintf(path, sizeof path, "/%s", name);
    hid_t dset = create_dataset(h, path, type, 1, &len, NULL, NULL);
    int ok = dset >= 0 &&
             (!values || H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0) &&
             H5DSset_scale(dset, scale_name) >= 0 && mark_dimid(h, dset, name) >= 0 &&
             describe(dset, units, long_name) >= 0;
    ok = close_written(dset) && ok;
    return ok ? 0 : hdf5_fail(err, errlen, h->final_path, "define dimension", name);
}

int h5out_def_dim_doubles(h5out_t *h, const char *name, size_t len, const double *values,
                          const char *units, const char *long_name, char *err, size_t errlen)
{
    if (dim_register(h, name, len, err, errlen) < 0)
        return -1;
    return def_scale(h, name, len, H5T_NATIVE_DOUBLE, values, name, units ? units : "1",
                     long_name, err, errlen);
}

/* netCDF-4's own layout of a dimension without coordinate variable: a never-written
 * float dataset (no storage is allocated) whose scale NAME marks it as "not a
 * variable"; netCDF-C and h5netcdf hide it. The dimension is registered already. */
static int length_only_scale(h5out_t *h, const char *name, size_t len, char *err, size_t errlen)
{
    char scale_name[128];
    snprintf(scale_name, sizeof scale_name, "%s%10d", NC_DIM_WITHOUT_VARIABLE, (int)len);
    return def_scale(h, name, len, H5T_IEEE_F32LE, NULL, scale_name, NULL, NULL, err, errlen);
}

/* The characters' dimension of text variable owner: "<owner>_strlen" ('/' written '_':
 * dimensions live at the root), length-only, width long; its name into name. */
static int def_strlen_dim(h5out_t *h, const char *owner, size_t width, char *name,
                          char *err, size_t errlen)
{
    snprintf(name, H5OUT_NAME_MAX, "%.*s_strlen", H5OUT_NAME_MAX - 8, owner);
    for (char *c = name; *c; c++)   /* a variable in a group: the dimension is at the root */
        if (*c == '/')
            *c = '_';
    if (dim_register(h, name, width, err, errlen) < 0)
        return -1;
    return length_only_scale(h, name, width, err, errlen);
}

static int write_encoding(hid_t dset)
{
    return write_attr_string(dset, "_Encoding", "utf-8");
}

/* len texts, each padded with NULs to width bytes, in one malloc'ed block. */
static char *pad_texts(const char *const *values, size_t len, size_t width)
{
    char *buf = calloc(len * width + 1, 1);
    for (size_t i = 0; buf && i < len; i++)
        memcpy(buf + i * width, values[i], strlen(values[i]));
    return buf;
}

/* Text is netCDF's character array (NC_CHAR), as netCDF-C writes it for xarray's char
 * encoding: 1-byte characters along a last axis "<name>_strlen" as long as the longest
 * text (at least 1), NUL-padded, with _Encoding = "utf-8". Why not variable-length
 * strings (NC_STRING): Octave's netcdf package stops at them ("unknown type 12", and
 * its ncinfo of the whole file fails), while every reader takes NC_CHAR: xarray (both
 * engines) and netCDF4-python decode it to str, R's ncdf4 to a character vector, Octave
 * and MATLAB to a char matrix. Unlike variable-length strings it is chunked and carries
 * the Fletcher-32 checksum. */
int h5out_def_dim_strings(h5out_t *h, const char *name, size_t len,
                          const char *const *values, const char *long_name,
                          char *err, size_t errlen)
{
    hsize_t shape[2] = { len, 1 };
    for (size_t i = 0; i < len; i++)
        if (strlen(values[i]) > shape[1])
            shape[1] = strlen(values[i]);
    char chars[H5OUT_NAME_MAX];
    if (dim_register(h, name, len, err, errlen) < 0)
        return -1;
    /* name is numbered before its character dimension: ncdump lists exporter, then
     * exporter_strlen */
    char path[H5OUT_NAME_MAX + 1];
    snprintf(path, sizeof path, "/%s", name);
    char *buf = pad_texts(values, len, (size_t)shape[1]);
    hid_t t = char_type();
    hid_t dset = buf && t >= 0 ? create_dataset(h, path, t, 2, shape, NULL, NULL) : -1;
    int ok = dset >= 0 && H5Dwrite(dset, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0 &&
             H5DSset_scale(dset, name) >= 0 && mark_dimid(h, dset, name) >= 0 &&
             describe(dset, "1", long_name) >= 0 && write_encoding(dset) >= 0;
    free(buf);
    close_id(t);
    if (!ok) {
        close_written(dset);
        return hdf5_fail(err, errlen, h->final_path, "define dimension", name);
    }
    if (def_strlen_dim(h, name, (size_t)shape[1], chars, err, errlen) < 0) {
        close_written(dset);
        return -1;
    }
    /* A dimension scale cannot have a scale attached, so netCDF names the axes of a
     * two-dimensional coordinate variable by dimension number. */
    dim_t *d = (dim_t *)dim_find(h, name);
    int32_t axes[2] = { (int32_t)(d - h->dims), (int32_t)(dim_find(h, chars) - h->dims) };
    snprintf(d->strlen_dim, sizeof d->strlen_dim, "%s", chars);
    ok = write_attr_array(dset, "_Netcdf4Coordinates", H5T_NATIVE_INT32, 2, axes) >= 0;
    ok = close_written(dset) && ok;
    return ok ? 0 : hdf5_fail(err, errlen, h->final_path, "define dimension", name);
}

int h5out_def_dim_length_only(h5out_t *h, const char *name, size_t len,
                              char *err, size_t errlen)
{
    if (dim_register(h, name, len, err, errlen) < 0)
        return -1;
    return length_only_scale(h, name, len, err, errlen);
}

int h5out_def_dim_int64(h5out_t *h, const char *name, size_t len, const int64_t *values,
                        const char *long_name, char *err, size_t errlen)
{
    if (dim_register(h, name, len, err, errlen) < 0)
        return -1;
    return def_scale(h, name, len, H5T_NATIVE_INT64, values, name, "1", long_name, err, errlen);
}

int h5out_def_dim_index(h5out_t *h, const char *name, size_t len, const char *long_name,
                        char *err, size_t errlen)
{
    if (dim_register(h, name, len, err, errlen) < 0)
        return -1;
    if (len <= INDEX_BLOCK) {
        int64_t *v = malloc(len * sizeof *v);
        if (!v) {
            error_format(err, errlen, "%s: out of memory", h->final_path);
            return -1;
        }
        for (size_t i = 0; i < len; i++)
            v[i] = (int64_t)i;
        int rc = def_scale(h, name, len, H5T_NATIVE_INT64, v, name, "1", long_name, err, errlen);
        free(v);
        return rc;
    }
    /* A long index (the draw axis): chunked, compressed, written block by block. */
    char path[H5OUT_NAME_MAX + 1];
    snprintf(path, sizeof path, "/%s", name);
    hsize_t shape = len, chunk = CHUNK_BYTES / sizeof(int64_t);
    if (chunk > shape)
        chunk = shape;
    int64_t *block = malloc(INDEX_BLOCK * sizeof *block);
    hid_t dset = block ? create_dataset(h, path, H5T_NATIVE_INT64, 1, &shape, &chunk, NULL) : -1;
    hid_t fspace = dset >= 0 ? H5Dget_space(dset) : -1;
    int ok = fspace >= 0;
    for (hsize_t start = 0; ok && start < len; start += INDEX_BLOCK) {
        hsize_t count = len - start < INDEX_BLOCK ? len - start : INDEX_BLOCK;
        for (hsize_t i = 0; i < count; i++)
            block[i] = (int64_t)(start + i);
        hid_t mspace = H5Screate_simple(1, &count, NULL);
        ok = mspace >= 0 &&
             H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
             H5Dwrite(dset, H5T_NATIVE_INT64, mspace, fspace, H5P_DEFAULT, block) >= 0;
        close_id(mspace);
    }
    ok = ok && H5DSset_scale(dset, name) >= 0 && mark_dimid(h, dset, name) >= 0 &&
         describe(dset, "1", long_name) >= 0;
    close_id(fspace);
    ok = close_written(dset) && ok;
    free(block);
    if (!block) {
        error_format(err, errlen, "%s: out of memory", h->final_path);
        return -1;
    }
    return ok ? 0 : hdf5_fail(err, errlen, h->final_path, "define dimension", name);
}

int h5out_write_double(h5out_t *h, const char *path, int ndims, const char *const *dims,
                       const double *data, const char *units, const char *long_name,
                       char *err, size_t errlen)
{
    return write_variable(h, path, ndims, dims, H5T_NATIVE_DOUBLE, data, units, long_name,
                          err, errlen);
}

int h5out_write_int64(h5out_t *h, const char *path, int ndims, const char *const *dims,
                      const int64_t *data, const char *units, const char *long_name,
                      char *err, size_t errlen)
{
    return write_variable(h, path, ndims, dims, H5T_NATIVE_INT64, data, units, long_name,
                          err, errlen);
}

int h5out_write_int32(h5out_t *h, const char *path, int ndims, const char *const *dims,
                      const int32_t *data, const char *units, const char *long_name,
                      char *err, size_t errlen)
{
    return write_variable(h, path, ndims, dims, H5T_NATIVE_INT32, data, units, long_name,
                          err, errlen);
}

int h5out_write_double_along(h5out_t *h, const char *path, const char *dim,
                             const double *data, const char *units, const char *long_name,
                             const char *attr_name, const char *attr_value,
                             char *err, size_t errlen)
{
    const char *dims[1] = { dim };
    if (h5out_write_double(h, path, 1, dims, data, units, long_name, err, errlen) < 0)
        return -1;
    if (attr_name && attr_value)
        return h5out_attr_string(h, path, attr_name, attr_value, err, errlen);
    return 0;
}

int h5out_write_string_scalar(h5out_t *h, const char *path, const char *text,
                              const char *long_name, char *err, size_t errlen)
{
    /* One text: a character array along its own "<path>_strlen" (see def_strlen_dim);
     * "" is one NUL byte (HDF5 has no empty dimension), read back as "". */
    const char *value = text ? text : "";
    char chars[H5OUT_NAME_MAX];
    size_t width = strlen(value);
    if (def_strlen_dim(h, path, width ? width : 1, chars, err, errlen) < 0)
        return -1;
    hid_t t = char_type();
    if (t < 0)
        return hdf5_fail(err, errlen, h->final_path, "write variable", path);
    const char *dims[1] = { chars };
    int rc = write_variable(h, path, 1, dims, t, value, "1", long_name, err, errlen);
    H5Tclose(t);
    return rc ? rc : h5out_attr_string(h, path, "_Encoding", "utf-8", err, errlen);
}

static int copy_string_attr(hid_t from, hid_t to, const char *name)
{
    if (H5Aexists(from, name) <= 0)
        return 0;
    hid_t a = H5Aopen(from, name, H5P_DEFAULT);
    char *value = a >= 0 ? read_one_string(a, 1) : NULL;
    close_id(a);
    int rc = value ? write_attr_string(to, name, value) : -1;
    free(value);
    return rc;
}

int h5out_copy_coords(h5out_t *h, const char *group, int n, const char *const *names,
                      char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        char from[H5OUT_NAME_MAX + 1], to[PATH_MAX];
        snprintf(from, sizeof from, "/%s", names[i]);
        int len = snprintf(to, sizeof to, "%s/%s", group, names[i]);
        if (!dim_find(h, names[i]) || len < 0 || (size_t)len >= sizeof to) {
            error_format(err, errlen, "%s: cannot copy coordinate '%s' into '%s': no such "
                    "dimension", h->final_path, names[i], group);
            return -1;
        }
        /* Without attributes: the scale's own (CLASS, NAME, REFERENCE_LIST) would make
         * the copy a second, unattached dimension. */
        hid_t ocpl = H5Pcreate(H5P_OBJECT_COPY);
        int ok = ocpl >= 0 && H5Pset_copy_object(ocpl, H5O_COPY_WITHOUT_ATTR_FLAG) >= 0 &&
                 ensure_parents(h, to) >= 0 &&
                 H5Ocopy(h->file, from, h->file, to, ocpl, H5P_DEFAULT) >= 0;
        close_id(ocpl);
        hid_t src = ok ? H5Dopen2(h->file, from, H5P_DEFAULT) : -1;
        hid_t dst = ok ? H5Dopen2(h->file, to, H5P_DEFAULT) : -1;
        const dim_t *d = dim_find(h, names[i]);
        const char *dims[2] = { names[i], d->strlen_dim };   /* text: its character axis */
        ok = ok && src >= 0 && dst >= 0 &&
             attach_scales(h, dst, d->strlen_dim[0] ? 2 : 1, dims) >= 0 &&
             copy_string_attr(src, dst, "units") >= 0 &&
             copy_string_attr(src, dst, "long_name") >= 0 &&
             copy_string_attr(src, dst, "_Encoding") >= 0;
        close_id(src);
        close_id(dst);
        if (!ok)
            return hdf5_fail(err, errlen, h->final_path, "copy coordinate into", to);
    }
    return 0;
}

/* ---------------------------------------------------------------- streams */

/* C-order chunk of about CHUNK_BYTES: trailing axes whole while they fit, then as much
 * of the next axis as fits, 1 along the leading ones. */
static void chunk_shape(int ndims, const hsize_t *shape, size_t elem, hsize_t *chunk)
{
    hsize_t budget = CHUNK_BYTES / elem;    /* elements per chunk */
    hsize_t inner = 1;
    int i = ndims - 1;
    for (; i >= 0 && inner * shape[i] <= budget; i--) {
        chunk[i] = shape[i];
        inner *= shape[i];
    }
    if (i >= 0) {
        hsize_t part = budget / inner;
        chunk[i] = part < 1 ? 1 : part;
        for (i--; i >= 0; i--)
            chunk[i] = 1;
    }
}

static void stream_free(h5out_stream_t *s)
{
    free(s->image);
    free(s->encoded);
    free(s->pending);
    free(s);
}

h5out_stream_t *h5out_stream_open(h5out_t *h, const char *path, int ndims,
                                  const char *const *dims, h5out_type_t type,
                                  const char *units, const char *long_name,
                                  char *err, size_t errlen)
{
    if (type != H5OUT_DOUBLE && type != H5OUT_INT32) {
        error_format(err, errlen, "%s: stream '%s': only double and int32 streams", h->final_path,
                path);
        return NULL;
    }
    if (ndims < 1) {
        error_format(err, errlen, "%s: stream '%s' needs at least one axis", h->final_path, path);
        return NULL;
    }
    h5out_stream_t *s = calloc(1, sizeof *s);
    if (!s) {
        error_format(err, errlen, "%s: out of memory", h->final_path);
        return NULL;
    }
    s->h = h;
    s->ndims = ndims;
    s->dset = -1;
    snprintf(s->path, sizeof s->path, "%s", path);
    if (shape_of(h, path, ndims, dims, s->shape, err, errlen) < 0) {
        free(s);
        return NULL;
    }
    s->memtype = type == H5OUT_DOUBLE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT32;
    s->elem = type == H5OUT_DOUBLE ? sizeof(double) : sizeof(int32_t);
    const double fill_d = NAN;
    const int32_t fill_i = NC_FILL_INT32;
    memcpy(s->fill, type == H5OUT_DOUBLE ? (const void *)&fill_d : (const void *)&fill_i, s->elem);
    chunk_shape(ndims, s->shape, s->elem, s->chunk);
    s->chunk_elems = 1;
    for (int i = 0; i < ndims; i++)
        s->chunk_elems *= (size_t)s->chunk[i];
    /* No chunk cache needed: every chunk goes to the file once, whole, by
     * H5Dwrite_chunk (h5out_stream_flush). */
    s->dset = create_dataset(h, path, s->memtype, ndims, s->shape, s->chunk, s->fill);
    int ok = s->dset >= 0 && attach_scales(h, s->dset, ndims, dims) >= 0 &&
             describe(s->dset, units, long_name) >= 0 &&
             link_coordinates(h, s->dset, ndims, dims) >= 0;
    if (!ok) {
        hdf5_fail(err, errlen, h->final_path, "create variable", path);
        close_id(s->dset);
        free(s);
        return NULL;
    }
    s->next = h->streams;
    h->streams = s;
    return s;
}

/* The open chunk deflated (h5chunk_encode) onto the stream's list of encoded chunks. */
static int finish_chunk(h5out_stream_t *s, char *err, size_t errlen)
{
    size_t nbytes = s->chunk_elems * s->elem, bound = h5chunk_bound(nbytes);
    if (s->encoded_cap - s->encoded_len < bound) {
        size_t cap = s->encoded_len + bound;
        unsigned char *p = realloc(s->encoded, cap);
        if (!p)
            goto nomem;
        s->encoded = p;
        s->encoded_cap = cap;
    }
    if (s->n_pending == s->pending_cap) {
        size_t cap = s->pending_cap ? 2 * s->pending_cap : 4;
        h5out_encoded_t *p = realloc(s->pending, cap * sizeof *p);
        if (!p)
            goto nomem;
        s->pending = p;
        s->pending_cap = cap;
    }
    size_t len = h5chunk_encode(s->image, nbytes, DEFLATE_LEVEL, s->encoded + s->encoded_len,
                                s->encoded_cap - s->encoded_len);
    if (!len)
        goto nomem;
    h5out_encoded_t *e = &s->pending[s->n_pending++];
    memcpy(e->at, s->open_at, sizeof e->at);
    e->offset = s->encoded_len;
    e->len = len;
    s->encoded_len += len;
    s->open = 0;
    s->next_index = s->open_index + 1;
    return 0;
nomem:
    error_format(err, errlen, "%s: out of memory compressing variable '%s'", s->h->final_path,
                 s->path);
    return -1;
}

/* Make chunk number index (at: its offset) the open one: the one before is finished
 * (what it lacks keeps the fill value, as HDF5 would store it); chunks are filled in
 * C order, so one that was finished is never reopened. */
static int open_chunk(h5out_stream_t *s, unsigned long long index, const hsize_t *at,
                      char *err, size_t errlen)
{
    if (s->open && index == s->open_index)
        return 0;
    if (s->open && index > s->open_index && finish_chunk(s, err, errlen) < 0)
        return -1;
    if (index < s->next_index || (s->open && index < s->open_index)) {
        error_format(err, errlen, "%s: variable '%s': written out of order (a chunk already "
                     "written again)", s->h->final_path, s->path);
        return -1;
    }
    if (!s->image && !(s->image = malloc(s->chunk_elems * s->elem))) {
        error_format(err, errlen, "%s: out of memory", s->h->final_path);
        return -1;
    }
    h5chunk_fill(s->image, s->chunk_elems, s->elem, s->fill);
    s->open = 1;
    s->open_index = index;
    s->open_filled = 0;
    s->open_valid = 1;
    for (int i = 0; i < s->ndims; i++) {
        s->open_at[i] = at[i];
        hsize_t inside = s->shape[i] - at[i];
        s->open_valid *= (size_t)(inside < s->chunk[i] ? inside : s->chunk[i]);
    }
    return 0;
}

/* The part of the block start/count (data in C order) inside the open chunk into its
 * image, in runs as long as both layouts keep contiguous. */
static void copy_into_chunk(h5out_stream_t *s, const hsize_t *start, const hsize_t *count,
                            const unsigned char *data)
{
    int nd = s->ndims;
    hsize_t lo[H5OUT_MAX_DIMS] = {0}, box[H5OUT_MAX_DIMS] = {0}, idx[H5OUT_MAX_DIMS] = {0};
    size_t total = 1;
    for (int i = 0; i < nd; i++) {
        hsize_t a = s->open_at[i] > start[i] ? s->open_at[i] : start[i];
        hsize_t b = s->open_at[i] + s->chunk[i] < start[i] + count[i]
                        ? s->open_at[i] + s->chunk[i] : start[i] + count[i];
        lo[i] = a;
        box[i] = b - a;
        total *= (size_t)box[i];
    }
    /* trailing axes where the box spans both the chunk and the block join one run */
    int inner = nd - 1;
    size_t run = (size_t)box[inner];
    while (inner > 0 && box[inner] == s->chunk[inner] && box[inner] == count[inner]) {
        inner--;
        run *= (size_t)box[inner];
    }
    for (size_t done = 0; done < total; done += run) {
        size_t src = 0, dst = 0;
        for (int i = 0; i < nd; i++) {
            hsize_t at = i < inner ? idx[i] : 0;
            src = src * (size_t)count[i] + (size_t)(lo[i] - start[i] + at);
            dst = dst * (size_t)s->chunk[i] + (size_t)(lo[i] - s->open_at[i] + at);
        }
        h5chunk_shuffle_into(s->image, s->chunk_elems, s->elem, dst, data + src * s->elem, run);
        for (int i = inner - 1; i >= 0; i--) {   /* next run: odometer over the outer axes */
            if (++idx[i] < box[i])
                break;
            idx[i] = 0;
        }
    }
    s->open_filled += total;
}

int h5out_stream_put(h5out_stream_t *s, const size_t *start, const size_t *count,
                     const void *data, char *err, size_t errlen)
{
    int nd = s->ndims;
    hsize_t st[H5OUT_MAX_DIMS], ct[H5OUT_MAX_DIMS], first[H5OUT_MAX_DIMS], last[H5OUT_MAX_DIMS],
        c[H5OUT_MAX_DIMS], grid[H5OUT_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        st[i] = start[i];
        ct[i] = count[i];
        if (ct[i] == 0)
            return 0;
        if (st[i] + ct[i] > s->shape[i]) {
            error_format(err, errlen, "%s: variable '%s': block %zu..%zu outside axis %d of "
                    "length %llu", s->h->final_path, s->path, start[i], start[i] + count[i],
                    i, (unsigned long long)s->shape[i]);
            return -1;
        }
        first[i] = c[i] = st[i] / s->chunk[i];
        last[i] = (st[i] + ct[i] - 1) / s->chunk[i];
        grid[i] = (s->shape[i] + s->chunk[i] - 1) / s->chunk[i];
    }
    for (;;) {   /* every chunk the block touches, in C order */
        unsigned long long index = 0;
        hsize_t at[H5OUT_MAX_DIMS];
        for (int i = 0; i < nd; i++) {
            index = index * grid[i] + c[i];
            at[i] = c[i] * s->chunk[i];
        }
        if (open_chunk(s, index, at, err, errlen) < 0)
            return -1;
        copy_into_chunk(s, st, ct, data);
        if (s->open_filled == s->open_valid && finish_chunk(s, err, errlen) < 0)
            return -1;
        int i = nd - 1;
        for (; i >= 0; i--) {
            if (++c[i] <= last[i])
                break;
            c[i] = first[i];
        }
        if (i < 0)
            return 0;
    }
}

int h5out_stream_flush(h5out_stream_t *s, char *err, size_t errlen)
{
    int ok = 1;
    for (size_t k = 0; ok && k < s->n_pending; k++) {
        const h5out_encoded_t *e = &s->pending[k];
        ok = H5Dwrite_chunk(s->dset, H5P_DEFAULT, 0, e->at, e->len, s->encoded + e->offset) >= 0;
    }
    s->n_pending = 0;
    s->encoded_len = 0;
    return ok ? 0 : hdf5_fail(err, errlen, s->h->final_path, "write variable", s->path);
}

int h5out_stream_write(h5out_stream_t *s, const size_t *start, const size_t *count,
                       const void *data, char *err, size_t errlen)
{
    if (h5out_stream_put(s, start, count, data, err, errlen) < 0)
        return -1;
    return h5out_stream_flush(s, err, errlen);
}

int h5out_stream_close(h5out_stream_t *s, char *err, size_t errlen)
{
    if (!s)
        return 0;
    h5out_stream_t **p = &s->h->streams;
    while (*p && *p != s)
        p = &(*p)->next;
    if (*p)
        *p = s->next;
    /* a chunk left part-filled (an interrupted run) goes out as HDF5 would store it */
    int rc = s->open ? finish_chunk(s, err, errlen) : 0;
    if (rc == 0)
        rc = h5out_stream_flush(s, err, errlen);
    if (H5Dclose(s->dset) < 0 && rc == 0)
        rc = hdf5_fail(err, errlen, s->h->final_path, "write variable", s->path);
    stream_free(s);
    return rc;
}

/* ---------------------------------------------------------------- attributes */

static int attr_put(h5out_t *h, const char *obj, const char *name, hid_t type,
                    const void *value, char *err, size_t errlen)
{
    const char *where = obj_or_root(obj);
    hid_t o = H5Oopen(h->file, where, H5P_DEFAULT);
    int ok = o >= 0 && write_attr(o, name, type, value) >= 0;
    close_id(o);
    if (ok)
        return 0;
    char what[H5OUT_NAME_MAX + 32];
    snprintf(what, sizeof what, "write attribute %s of", name);
    return hdf5_fail(err, errlen, h->final_path, what, where);
}

int h5out_attr_string(h5out_t *h, const char *obj, const char *name, const char *value,
                      char *err, size_t errlen)
{
    const char *v = value ? value : "";
    hid_t t = attr_string_type(v);
    int rc = attr_put(h, obj, name, t, v, err, errlen);
    close_id(t);
    return rc;
}

/* Integers that fit go out as int32: R's ncdf4 warns on 8-byte integer attributes and
 * netCDF-3 era tools lack them; h5in converts any integer type back. */
int h5out_attr_int64(h5out_t *h, const char *obj, const char *name, int64_t value,
                     char *err, size_t errlen)
{
    if (value >= INT32_MIN && value <= INT32_MAX) {
        int32_t v32 = (int32_t)value;
        return attr_put(h, obj, name, H5T_NATIVE_INT32, &v32, err, errlen);
    }
    return attr_put(h, obj, name, H5T_NATIVE_INT64, &value, err, errlen);
}

int h5out_attr_uint64(h5out_t *h, const char *obj, const char *name, uint64_t value,
                      char *err, size_t errlen)
{
    if (value <= INT32_MAX)
        return h5out_attr_int64(h, obj, name, (int64_t)value, err, errlen);
    return attr_put(h, obj, name, H5T_NATIVE_UINT64, &value, err, errlen);
}

int h5out_dim_coordinates(h5out_t *h, const char *dim, const char *coordinates,
                          char *err, size_t errlen)
{
    dim_t *d = (dim_t *)dim_find(h, dim);
    if (!d) {
        error_format(err, errlen, "%s: coordinates for dimension '%s', which is not defined",
                h->final_path, dim);
        return -1;
    }
    if (strlen(coordinates) >= sizeof d->coordinates) {
        error_format(err, errlen, "%s: coordinates of dimension '%s' longer than %d bytes",
                h->final_path, dim, (int)sizeof d->coordinates - 1);
        return -1;
    }
    snprintf(d->coordinates, sizeof d->coordinates, "%s", coordinates);
    return 0;
}

int h5out_attr_double(h5out_t *h, const char *obj, const char *name, double value,
                      char *err, size_t errlen)
{
    return attr_put(h, obj, name, H5T_NATIVE_DOUBLE, &value, err, errlen);
}
