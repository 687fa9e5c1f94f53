/*
 * h5out.h - a generic netCDF-4 compatible HDF5 writer (h5out_*) and reader (h5in_*).
 *
 * It knows nothing of the model: callers give names, axes, units and values. The files
 * it writes open with h5py, with xarray (engines "h5netcdf" and "netcdf4", root group and
 * subgroups, no phony dimensions) and with ncdump. What makes that work:
 *   - dimensions live at the root; each is a dataset that is an HDF5 dimension scale
 *     (H5DSset_scale) named like the dimension: a netCDF coordinate variable;
 *   - every axis of every variable, also in groups ("summary/flow_mean"), is attached
 *     to the root scale of that dimension name (the DIMENSION_LIST and REFERENCE_LIST
 *     attributes H5DSattach_scale writes, written by h5out.c itself, once per scale:
 *     attach_scales says why); netCDF-4 and h5netcdf resolve dimensions in parent groups;
 *   - creation order is tracked and indexed on the file, groups and attributes;
 *   - library version bounds are pinned to the 1.8 format (H5F_LIBVER_V18), which
 *     netCDF-C >= 4.4 reads; no _NCProperties attribute is written (none is needed);
 *   - numbers are native float64 / int32 / int64 / uint64; text is netCDF's NC_CHAR,
 *     which Octave and MATLAB read (they stop at NC_STRING): string attributes are
 *     fixed-length UTF-8 text, text variables character arrays (def_dim_strings);
 *     integer attributes are int32 when the value fits (R's ncdf4 warns on 8-byte
 *     ones), else int64/uint64; every variable has "units" and "long_name".
 *
 * Process-wide setting: the first h5out_create()/h5in_open() turns HDF5's automatic
 * error printing off (H5Eset_auto(H5E_DEFAULT, NULL, NULL)) for the whole process; every
 * HDF5 failure is reported instead as one line in err, naming the file and the object,
 * e.g. "out.h5: cannot write variable 'summary/flow_mean': No space left on device".
 *
 * Atomicity: the writer works on "<final>.tmp.<pid>" in the same folder; h5out_commit()
 * writes the root attribute complete=1 last, closes, fsyncs, renames onto the final path
 * (and fsyncs the folder). Until then nothing exists at the final path. On any failure
 * in commit, or on h5out_abort(), the temporary file is removed (or kept under another
 * name with complete=0, for "<out>.partial.h5"). A handle is not thread-safe; HDF5
 * serial is not either, so call from one thread at a time.
 *
 * Paths of variables and attribute owners are relative to the root: "point",
 * "summary/flow_mean", "draws/status"; "" or "/" is the root group. Intermediate groups
 * are created on demand (with creation order tracked and indexed).
 *
 * Return convention: int functions return 0 on success, -1 on failure with a one-line
 * message in err (errlen bytes, always NUL-terminated; err may be NULL).
 */
#ifndef AGTRADE_H5OUT_H
#define AGTRADE_H5OUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct h5out h5out_t;
typedef struct h5out_stream h5out_stream_t;
typedef struct h5in h5in_t;

/* Element types of variables (writer streams and reader h5in_var_info). */
typedef enum {
    H5OUT_DOUBLE = 1,   /* float64 */
    H5OUT_INT32 = 2,
    H5OUT_INT64 = 3,
    H5OUT_UINT64 = 4,
    H5OUT_STRING = 5,   /* text: a character array (reader: also variable-length UTF-8) */
    H5OUT_OTHER = 9     /* reader only: anything else */
} h5out_type_t;

enum { H5OUT_MAX_DIMS = 8, H5OUT_NAME_MAX = 64, H5OUT_COORDS_MAX = 2048 };

/* ---------------------------------------------------------------- writer */

/* Creates "<final_path>.tmp.<pid>" (truncating a stale one). NULL on failure with e.g.
 * "results/x.h5: cannot create file results/x.h5.tmp.123: No such file or directory". */
h5out_t *h5out_create(const char *final_path, char *err, size_t errlen);

/* Dimensions (at the root). Names are unique, at most H5OUT_NAME_MAX-1 bytes, len >= 1.
 * def_dim_index: coordinate variable int64 0..len-1 (written in 64 Ki blocks and
 *   chunked+compressed when large, so a 10^7 "draw" costs neither memory nor disk);
 * def_dim_doubles: float64 coordinate with units;
 * def_dim_strings: UTF-8 text coordinate (e.g. exporter names), a netCDF character
 *   array name(name, name_strlen) that is its own dimension scale, NUL-padded to the
 *   longest text; defines the length-only dimension "<name>_strlen" too, whose name
 *   must then fit (and be free);
 * def_dim_length_only: a netCDF dimension without coordinate variable (xarray then shows
 *   the dimension with no coordinate values);
 * def_dim_int64: int64 coordinate with given values (e.g. the global point numbers of a
 *   shard). */
int h5out_def_dim_int64(h5out_t *h, const char *name, size_t len, const int64_t *values,
                        const char *long_name, char *err, size_t errlen);
int h5out_def_dim_index(h5out_t *h, const char *name, size_t len, const char *long_name,
                        char *err, size_t errlen);
int h5out_def_dim_doubles(h5out_t *h, const char *name, size_t len, const double *values,
                          const char *units, const char *long_name, char *err, size_t errlen);
int h5out_def_dim_strings(h5out_t *h, const char *name, size_t len,
                          const char *const *values, const char *long_name,
                          char *err, size_t errlen);
int h5out_def_dim_length_only(h5out_t *h, const char *name, size_t len,
                              char *err, size_t errlen);

/* CF auxiliary coordinates: every variable written after this call (whole or streamed)
 * with an axis along dim gets the attribute coordinates = coordinates (space-separated
 * variable names, shorter than H5OUT_COORDS_MAX), e.g. "sweep_tariff_x" for "point", so
 * that R, Octave and Panoply see the swept values, not 0..N. Coordinate variables and
 * h5out_copy_coords' copies do not get it. */
int h5out_dim_coordinates(h5out_t *h, const char *dim, const char *coordinates,
                          char *err, size_t errlen);

/* Whole variables, C order, shape given by the lengths of the named dimensions (which
 * must have been defined). ndims = 0 writes a scalar. units "1" for dimensionless. */
int h5out_write_double(h5out_t *h, const char *path, int ndims, const char *const *dims,
                       const double *data, const char *units, const char *long_name,
                       char *err, size_t errlen);
int h5out_write_int64(h5out_t *h, const char *path, int ndims, const char *const *dims,
                      const int64_t *data, const char *units, const char *long_name,
                      char *err, size_t errlen);
int h5out_write_int32(h5out_t *h, const char *path, int ndims, const char *const *dims,
                      const int32_t *data, const char *units, const char *long_name,
                      char *err, size_t errlen);
/* A float64 variable along one dimension (an auxiliary coordinate such as sweep_<key>)
 * with one extra string attribute attr_name = attr_value (e.g. sweep_key = "tariff.x"). */
int h5out_write_double_along(h5out_t *h, const char *path, const char *dim,
                             const double *data, const char *units, const char *long_name,
                             const char *attr_name, const char *attr_value,
                             char *err, size_t errlen);
/* One UTF-8 text (e.g. config_yaml; NULL is ""): a character array along a length-only
 * dimension "<path>_strlen" ('/' written '_') defined here; units is "1". */
int h5out_write_string_scalar(h5out_t *h, const char *path, const char *text,
                              const char *long_name, char *err, size_t errlen);

/* Copies the root coordinate variables names[0..n-1] (values, units, long_name) into
 * group as plain variables along the root dimension of the same name. Why: xarray
 * opens a group (group="summary") without the parent's coordinate variables, so
 * without copies ds.sel(exporter="Brasil") fails there; netCDF-C and h5netcdf see the
 * copy as an ordinary variable named like the inherited dimension, and xarray makes it
 * that dimension's index. Cheap for long ones too (HDF5 copies chunk by chunk). */
int h5out_copy_coords(h5out_t *h, const char *group, int n, const char *const *names,
                      char *err, size_t errlen);

/* Streaming (raw draws): a chunked (about 1 MiB per chunk, C-order: the last axes whole,
 * then as much of the next axis as fits, 1 along earlier ones), shuffled, deflated
 * (level 2) dataset written one hyperslab at a time; memory does not grow with its
 * size. type is H5OUT_DOUBLE or H5OUT_INT32. Unwritten elements read as the fill value
 * (NaN for double, -2147483647 = netCDF's default int fill for int32; no _FillValue
 * attribute is written, so xarray keeps int32 as int32).
 *
 * A stream assembles each chunk in memory (one chunk at a time, about 1 MiB), deflates
 * it when its last element arrives and hands HDF5 the finished bytes (H5Dwrite_chunk):
 * the dataset's own filters (shuffle, deflate, Fletcher-32) read them (h5chunk.h), so
 * readers see no difference. Hence the order rule: blocks must fill the chunks in C order of the chunk
 * grid (a block may touch the open chunk and any later ones; a chunk is final once a
 * block touches a later one, its missing elements keep the fill value), and every
 * element is written at most once. Writing a dataset's hyperslabs in C order (for raw
 * draws: point by point, draws in order) always satisfies it; a block that returns to
 * a finished chunk fails with "written out of order".
 *
 * Threads: h5out_stream_put makes no HDF5 call and touches only its stream, so
 * different streams may be put to from different threads at once (the compression
 * then runs on those threads); h5out_stream_flush, _write, _open and _close call HDF5:
 * one thread at a time, like the rest of h5out. Close every stream before
 * h5out_commit(); closing writes a part-filled chunk (an interrupted run). */
h5out_stream_t *h5out_stream_open(h5out_t *h, const char *path, int ndims,
                                  const char *const *dims, h5out_type_t type,
                                  const char *units, const char *long_name,
                                  char *err, size_t errlen);
/* start/count per axis (ndims each); data holds prod(count) elements in C order. Copies
 * them into the stream's chunks and deflates every chunk they complete; the finished
 * chunks wait in the stream's memory for h5out_stream_flush. */
int h5out_stream_put(h5out_stream_t *s, const size_t *start, const size_t *count,
                     const void *data, char *err, size_t errlen);
/* Writes the chunks put has finished into the file. */
int h5out_stream_flush(h5out_stream_t *s, char *err, size_t errlen);
/* put, then flush. */
int h5out_stream_write(h5out_stream_t *s, const size_t *start, const size_t *count,
                       const void *data, char *err, size_t errlen);
int h5out_stream_close(h5out_stream_t *s, char *err, size_t errlen);

/* Attributes on the root ("" or "/"), a group or a variable (which must exist).
 * Rewriting an attribute replaces it. Strings are stored as fixed-length text; integers
 * as int32 when the value fits, else int64 (uint64 for h5out_attr_uint64). */
int h5out_attr_string(h5out_t *h, const char *obj, const char *name, const char *value,
                      char *err, size_t errlen);
int h5out_attr_int64(h5out_t *h, const char *obj, const char *name, int64_t value,
                     char *err, size_t errlen);
int h5out_attr_uint64(h5out_t *h, const char *obj, const char *name, uint64_t value,
                      char *err, size_t errlen);
int h5out_attr_double(h5out_t *h, const char *obj, const char *name, double value,
                      char *err, size_t errlen);

/* Writes root attribute complete=1 (an integer) last, flushes, closes, fsyncs, renames the
 * temporary file onto final_path. Frees h in every case; on failure the temporary file
 * is removed and nothing is at final_path that was not there before. */
int h5out_commit(h5out_t *h, char *err, size_t errlen);
/* Closes (writing complete=0), then deletes the temporary file (keep_as NULL) or renames
 * it to keep_as. Frees h in every case. Open streams are closed first. */
int h5out_abort(h5out_t *h, const char *keep_as, char *err, size_t errlen);
/* The temporary path being written (for messages and tests). */
const char *h5out_temp_path(const h5out_t *h);

/* Removes the temporaries OUT.tmp.PID that h5out_create left for final_path in processes
 * that died without clean-up (SIGKILL): only when no process PID exists on this host and
 * the file is not locked by an HDF5 writer. Calls removed(path, arg) for each. Returns
 * how many were removed, -1 when the folder cannot be read. */
int h5out_remove_stale(const char *final_path, void (*removed)(const char *path, void *arg),
                       void *arg);

/* ---------------------------------------------------------------- reader */

h5in_t *h5in_open(const char *path, char *err, size_t errlen);
void h5in_close(h5in_t *h);
const char *h5in_path(const h5in_t *h);      /* the name it was opened with */

/* Scalar attributes of obj ("" or "/" = root). Numeric readers convert from any integer
 * or float attribute type HDF5 can convert. *out of h5in_attr_string is malloc'ed. */
int h5in_attr_string(h5in_t *h, const char *obj, const char *name, char **out,
                     char *err, size_t errlen);
int h5in_attr_int64(h5in_t *h, const char *obj, const char *name, int64_t *out,
                    char *err, size_t errlen);
int h5in_attr_uint64(h5in_t *h, const char *obj, const char *name, uint64_t *out,
                     char *err, size_t errlen);
int h5in_attr_double(h5in_t *h, const char *obj, const char *name, double *out,
                     char *err, size_t errlen);
/* 1 if the attribute exists, 0 if not, -1 on error. */
int h5in_attr_exists(h5in_t *h, const char *obj, const char *name, char *err, size_t errlen);

/* Shape (up to H5OUT_MAX_DIMS axes), dimension names from the attached scales ("" for
 * an axis without one) and element type. Any output pointer may be NULL. A text
 * variable (character array) has one axis fewer than its HDF5 dataset: its last axis
 * holds the characters. */
int h5in_var_info(h5in_t *h, const char *path, int *ndims, size_t *shape,
                  char (*dimnames)[H5OUT_NAME_MAX], h5out_type_t *type,
                  char *err, size_t errlen);
/* 1 if a variable (dataset) or group exists at path, 0 if not. */
int h5in_exists(h5in_t *h, const char *path);

/* Whole variables into caller memory sized from h5in_var_info (converted by HDF5). */
int h5in_read_double(h5in_t *h, const char *path, double *out, char *err, size_t errlen);
int h5in_read_int64(h5in_t *h, const char *path, int64_t *out, char *err, size_t errlen);
int h5in_read_int32(h5in_t *h, const char *path, int32_t *out, char *err, size_t errlen);
/* A hyperslab (start/count per axis) of a float64-convertible variable. */
int h5in_read_double_slab(h5in_t *h, const char *path, const size_t *start,
                          const size_t *count, double *out, char *err, size_t errlen);
/* A 1-D text variable (a 2-D character array, or in older files 1-D variable-length
 * strings): *out is a malloc'ed array of *n malloc'ed strings. h5in_var_info reports
 * such a variable with one axis and type H5OUT_STRING (the characters' axis is not
 * counted), a single text (config_yaml) with none. */
int h5in_read_strings(h5in_t *h, const char *path, char ***out, size_t *n,
                      char *err, size_t errlen);
void h5in_free_strings(char **strings, size_t n);
/* A single text (a 1-D character array, or a scalar string in older files); *out is
 * malloc'ed. */
int h5in_read_string_scalar(h5in_t *h, const char *path, char **out,
                            char *err, size_t errlen);
/* Calls cb for each member (variable or subgroup) of group ("" = root) in creation
 * order. */
int h5in_list(h5in_t *h, const char *group, void (*cb)(const char *name, void *arg),
              void *arg, char *err, size_t errlen);

#endif
