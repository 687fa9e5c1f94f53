/*
 * h5common.h - shared by the writer (h5out.c, h5out_file.c) and the reader (h5in.c) only:
 * HDF5's error capture (process-wide, see sim/README.md), small HDF5 helpers
 * (h5common.c), and the writer's handles.
 */
#ifndef AGTRADE_H5COMMON_H
#define AGTRADE_H5COMMON_H

#include <limits.h>
#include <stddef.h>
#include <hdf5.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Capture HDF5 failures for messages instead of printing them; no HDF5 atexit clean-up.
 * Called by every entry point that opens a file. */
void errors_quiet(void);
/* Takes (and forgets) the captured detail of the latest failure. */
void error_detail(char *buf, size_t len);
/* After an expected failure (probing for an attribute): nothing to report. */
void error_forget(void);
/* "<file>: cannot <what> '<obj>': <HDF5 detail>"; returns -1. */
int hdf5_fail(char *err, size_t errlen, const char *file, const char *what,
              const char *obj);
/* "/" for NULL or "" */
const char *obj_or_root(const char *obj);
/* Release an HDF5 id (none when < 0). */
void close_id(hid_t id);
/* One character of a netCDF character array (NC_CHAR): a 1-byte, NUL-terminated ASCII
 * string type, as netCDF-C writes it; -1 on failure. */
hid_t char_type(void);
/* 1 if ftype is that: a fixed-length string type of size 1 (any padding or set). */
int is_char_type(hid_t ftype);
/* The one string of a scalar attribute (is_attr) or dataset, malloc'd; NULL on failure. */
char *read_one_string(hid_t obj, int is_attr);

/* ---- the writer's handles, shared by h5out.c (contents) and h5out_file.c (the file on
 * disk); the reader does not use them ---- */

#include "h5out.h"

/* One entry of a dimension scale's REFERENCE_LIST attribute, laid out as HDF5's H5DS
 * writes it (H5DS.c's ds_list_t: the compound {"dataset": object reference, "dimension":
 * native int}). */
typedef struct {
    hobj_ref_t dataset;
    int dimension;
} scale_ref_t;

typedef struct {
    char name[H5OUT_NAME_MAX];
    hsize_t len;
    char coordinates[H5OUT_COORDS_MAX];  /* "" or h5out_dim_coordinates' value */
    char strlen_dim[H5OUT_NAME_MAX];      /* a text coordinate's character axis, else "" */
    /* the scale dataset's reference, and the axes attached to it so far: its
     * REFERENCE_LIST, written once when the file closes (h5out.c, attach_scales) */
    hobj_ref_t ref;
    int have_ref;
    scale_ref_t *attached;
    size_t n_attached, cap_attached;
} dim_t;

struct h5out {
    hid_t file;
    char final_path[PATH_MAX];
    char temp_path[PATH_MAX];
    dim_t *dims;
    size_t ndims, dims_cap;
    h5out_stream_t *streams;        /* open streams, closed by abort */
};

/* A stream (h5out.c): its chunks are assembled in memory, shuffled as they arrive, and
 * written whole with H5Dwrite_chunk once deflated (h5chunk.h). */
typedef struct {
    hsize_t at[H5OUT_MAX_DIMS];     /* offset of the chunk, elements per axis */
    size_t offset, len;             /* its bytes in the stream's encoded buffer */
} h5out_encoded_t;

struct h5out_stream {
    h5out_t *h;
    hid_t dset, memtype;
    int ndims;
    hsize_t shape[H5OUT_MAX_DIMS];
    hsize_t chunk[H5OUT_MAX_DIMS];  /* chunk shape */
    size_t elem, chunk_elems;       /* bytes per element, elements per chunk */
    unsigned char fill[8];          /* the fill value's bytes */
    /* the one chunk being assembled (open), as an h5chunk image */
    unsigned char *image;
    int open;
    unsigned long long open_index, next_index;  /* C-order chunk numbers */
    hsize_t open_at[H5OUT_MAX_DIMS];
    size_t open_filled, open_valid; /* elements written into it, and inside the dataset */
    /* finished chunks encoded, waiting for h5out_stream_flush */
    unsigned char *encoded;
    size_t encoded_len, encoded_cap;
    h5out_encoded_t *pending;
    size_t n_pending, pending_cap;
    char path[PATH_MAX];
    h5out_stream_t *next;
};

/* Writes every dimension scale's REFERENCE_LIST collected by the attachments so far
 * (h5out.c); close_file calls it before the file is closed. 0 or -1. */
int h5out_write_scale_refs(h5out_t *h);

#endif
