/*
 * test_h5chunk.c - the chunks streams write themselves (sim/io/h5chunk.h, the streams
 * of sim/io/h5out.h) read as what HDF5's own filter pipeline (shuffle, deflate level 2,
 * Fletcher-32) stores: against the same data written through H5Dwrite into a dataset
 * with the same creation properties, every chunk (H5Dread_chunk) inflates to the same
 * shuffled image, carries the filter mask 0 and a checksum HDF5 accepts, and the values
 * read are the same. (The run-length deflate stores more than compress2 on these
 * synthetic patterns, which repeat at long distances; on real draws 1.4 % more,
 * sim/io/h5chunk.c.)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <zlib.h>

#include "testutil.h"
#include "h5chunk.h"
#include "h5out.h"

static char g_dir[256];
static char g_err[512];
#define OK(call) do { g_err[0] = '\0'; if ((call) != 0) fail_msg("%s: %s", #call, g_err); } while (0)
#define ERRBUF g_err, sizeof g_err

static int setup_dir(void **state)
{
    (void)state;
    return test_dir_make(g_dir, sizeof g_dir, "h5chunk_test");
}

static int teardown_dir(void **state)
{
    (void)state;
    return test_dir_remove(g_dir);
}

/* Deterministic values of every kind a chunk may hold: noisy, smooth, repeated. */
static double value_at(size_t i, int kind)
{
    switch (kind) {
    case 0: return sin((double)i * 1.7320508) * 123.456789 + (double)i * 0.0012345;
    case 1: return (double)(i % 7919) * 0.3183;
    default: return 2.5;
    }
}

static hid_t create_plain_file(const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    return f;
}

/* The shuffled image inside a stored chunk (its zlib stream, the checksum left off). */
static void inflate_chunk(const unsigned char *stored, size_t len, unsigned char *image,
                          size_t image_bytes)
{
    uLongf got = (uLongf)image_bytes;
    assert_true(len > 4);
    assert_int_equal(uncompress(image, &got, stored, (uLong)(len - 4)), Z_OK);
    assert_int_equal(got, image_bytes);
}

/* Every chunk of a and b: the same image inside, the same filter mask (0: all filters
 * applied); and the same values (HDF5 checks a's checksums as it reads). Returns the
 * number of chunks; counts a's chunks of odd and of even stored length, and adds up the
 * stored bytes of both. */
static size_t assert_same_chunks(hid_t a, hid_t b, hid_t memtype, size_t *odd, size_t *even,
                                 size_t *bytes_a, size_t *bytes_b)
{
    hid_t dcpl = H5Dget_create_plist(a);
    hsize_t cdims[H5OUT_MAX_DIMS];
    int nd = H5Pget_chunk(dcpl, H5OUT_MAX_DIMS, cdims);
    H5Pclose(dcpl);
    assert_true(nd > 0);
    size_t image_bytes = H5Tget_size(memtype);
    for (int d = 0; d < nd; d++)
        image_bytes *= (size_t)cdims[d];
    unsigned char *ia = malloc(image_bytes), *ib = malloc(image_bytes);
    hsize_t na = 0, nb = 0;
    hid_t sa_space = H5Dget_space(a), sb_space = H5Dget_space(b);
    assert_true(H5Dget_num_chunks(a, sa_space, &na) >= 0);
    assert_true(H5Dget_num_chunks(b, sb_space, &nb) >= 0);
    assert_int_equal(na, nb);
    for (hsize_t k = 0; k < na; k++) {
        hsize_t off[H5OUT_MAX_DIMS], sa, sb;
        unsigned mask_a;
        haddr_t addr;
        assert_true(H5Dget_chunk_info(a, sa_space, k, off, &mask_a, &addr, &sa) >= 0);
        assert_int_equal(mask_a, 0);
        assert_true(H5Dget_chunk_storage_size(b, off, &sb) >= 0);
        unsigned char *ba = malloc(sa), *bb = malloc(sb);
        uint32_t fa, fb;
        assert_true(H5Dread_chunk(a, H5P_DEFAULT, off, &fa, ba) >= 0);
        assert_true(H5Dread_chunk(b, H5P_DEFAULT, off, &fb, bb) >= 0);
        assert_int_equal(fa, 0);
        assert_int_equal(fb, 0);
        inflate_chunk(ba, sa, ia, image_bytes);
        inflate_chunk(bb, sb, ib, image_bytes);
        assert_memory_equal(ia, ib, image_bytes);
        free(ba);
        free(bb);
        ++*(sa % 2 ? odd : even);
        *bytes_a += sa;
        *bytes_b += sb;
    }
    free(ia);
    free(ib);
    H5Sclose(sa_space);
    H5Sclose(sb_space);
    hid_t space = H5Dget_space(a);
    size_t n = (size_t)H5Sget_simple_extent_npoints(space), elem = H5Tget_size(memtype);
    H5Sclose(space);
    unsigned char *va = malloc(n * elem), *vb = malloc(n * elem);
    assert_true(H5Dread(a, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, va) >= 0);
    assert_true(H5Dread(b, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, vb) >= 0);
    assert_memory_equal(va, vb, n * elem);
    free(va);
    free(vb);
    return (size_t)na;
}

/* h5chunk_encode of each chunk (its image made with h5chunk_fill and
 * h5chunk_shuffle_into), written with H5Dwrite_chunk, against the same data through
 * H5Dwrite: 1-D datasets of doubles and int32, whole and edge chunks, a one-element
 * chunk (shuffle does nothing), noisy and constant data. */
static void test_encode_is_what_hdf5_stores(void **state)
{
    (void)state;
    static const struct { hid_t type; size_t len, chunk; int kind; } cases[] = {
        {0, 300001, 131072, 0}, {0, 70000, 65536, 1}, {0, 5000, 4096, 2}, {0, 3, 1, 0},
        {1, 300001, 262144, 0}, {1, 12345, 10000, 1}, {1, 7, 7, 2},
    };
    hid_t f = create_plain_file("encode.h5");
    size_t odd = 0, even = 0, chunks = 0, ours = 0, hdf5s = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        hid_t type = cases[c].type ? H5T_NATIVE_INT32 : H5T_NATIVE_DOUBLE;
        size_t elem = H5Tget_size(type), len = cases[c].len, chunk = cases[c].chunk;
        const double fill_d = NAN;
        const int32_t fill_i = -2147483647;
        const void *fill = cases[c].type ? (const void *)&fill_i : (const void *)&fill_d;
        unsigned char *data = malloc(len * elem);
        for (size_t i = 0; i < len; i++) {
            double v = value_at(i, cases[c].kind);
            int32_t iv = (int32_t)(v * 1000.0);
            memcpy(data + i * elem, cases[c].type ? (const void *)&iv : (const void *)&v, elem);
        }
        hsize_t shape = len, cdim = chunk;
        hid_t space = H5Screate_simple(1, &shape, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
        assert_true(H5Pset_chunk(dcpl, 1, &cdim) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
                    H5Pset_deflate(dcpl, 2) >= 0 && H5Pset_fletcher32(dcpl) >= 0 &&
                    H5Pset_fill_value(dcpl, type, fill) >= 0);
        char name[32];
        snprintf(name, sizeof name, "lib%zu", c);
        hid_t lib = H5Dcreate2(f, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        assert_true(lib >= 0 && H5Dwrite(lib, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
        snprintf(name, sizeof name, "direct%zu", c);
        hid_t direct = H5Dcreate2(f, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        assert_true(direct >= 0);
        unsigned char *image = malloc(chunk * elem), *out = malloc(h5chunk_bound(chunk * elem));
        for (size_t at = 0; at < len; at += chunk) {
            size_t n = len - at < chunk ? len - at : chunk;
            h5chunk_fill(image, chunk, elem, fill);
            h5chunk_shuffle_into(image, chunk, elem, 0, data + at * elem, n);
            size_t bytes = h5chunk_encode(image, chunk * elem, 2, out, h5chunk_bound(chunk * elem));
            assert_true(bytes > 4);
            hsize_t off = at;
            assert_true(H5Dwrite_chunk(direct, H5P_DEFAULT, 0, &off, bytes, out) >= 0);
        }
        chunks += assert_same_chunks(direct, lib, type, &odd, &even, &ours, &hdf5s);
        free(image);
        free(out);
        free(data);
        H5Dclose(lib);
        H5Dclose(direct);
        H5Pclose(dcpl);
        H5Sclose(space);
    }
    H5Fclose(f);
    print_message("%zu chunks: %zu of odd, %zu of even stored length; %zu bytes stored, "
                  "HDF5's pipeline %zu\n", chunks, odd, even, ours, hdf5s);
    /* Fletcher-32 treats an odd last byte apart: both kinds must have been checked */
    assert_true(odd > 0 && even > 0);
}

/* A shuffled image assembled from pieces equals one shuffled at once. */
static void test_shuffle_into_pieces(void **state)
{
    (void)state;
    enum { N = 1001 };
    double v[N];
    for (size_t i = 0; i < N; i++)
        v[i] = value_at(i, 0);
    unsigned char whole[N * 8], pieces[N * 8];
    h5chunk_shuffle_into(whole, N, 8, 0, v, N);
    for (size_t at = 0; at < N; at += 97)
        h5chunk_shuffle_into(pieces, N, 8, at, v + at, N - at < 97 ? N - at : 97);
    assert_memory_equal(whole, pieces, sizeof whole);
    const unsigned char *bytes = (const unsigned char *)v;
    for (size_t b = 0; b < 8; b++)   /* byte b of element i at b * N + i */
        assert_int_equal(whole[b * N + 500], bytes[500 * 8 + b]);
}

/* ---- streams ---------------------------------------------------------------------- */

/* The shapes a stream's chunk can take (h5out.c's chunk_shape), each with edge chunks:
 *  flow: (point, draw, exporter): chunk (1, 43690, 3), partial along draw;
 *  tall: (point, draw2, small): chunk (2, 20000, 3), partial along point (5 points);
 *  wide: (point, few, big): chunk (1, 1, 131072), partial along the trailing axis;
 *  status: int32 (point, draw): chunk (1, 262144);
 *  cut: (point, draw) doubles, written for the first 150000 draws of point 0 only and
 *       closed (an interrupted run: a part-filled chunk, the others never written). */
enum { P = 2, D = 300001, E = 3, P5 = 5, D2 = 20000, S = 3, F = 3, BIG = 140000, STEP = 7777 };

typedef struct {
    const char *path;
    int ndims;
    const char *dims[3];
    h5out_type_t type;
    size_t shape[3];
    size_t points_written, draws_written;   /* of the first two axes */
} stream_case_t;

static const stream_case_t stream_cases[] = {
    {"draws/flow", 3, {"point", "draw", "exporter"}, H5OUT_DOUBLE, {P, D, E}, P, D},
    {"draws/tall", 3, {"point5", "draw2", "small"}, H5OUT_DOUBLE, {P5, D2, S}, P5, D2},
    {"draws/wide", 3, {"point", "few", "big"}, H5OUT_DOUBLE, {P, F, BIG}, P, F},
    {"draws/status", 2, {"point", "draw"}, H5OUT_INT32, {P, D}, P, D},
    {"draws/cut", 2, {"point", "draw"}, H5OUT_DOUBLE, {P, D}, 1, 150000},
};
enum { N_CASES = sizeof stream_cases / sizeof stream_cases[0] };

static size_t inner_of(const stream_case_t *c)
{
    return c->ndims == 3 ? c->shape[2] : 1;
}

/* Element i of case c's whole array (C order), as its type. */
static void element(const stream_case_t *c, size_t i, unsigned char *out)
{
    double v = value_at(i, (int)(i / 50000) % 2);
    int32_t iv = (int32_t)(i % 5) - 1;
    if (c->type == H5OUT_DOUBLE)
        memcpy(out, &v, 8);
    else
        memcpy(out, &iv, 4);
}

/* Case c's blocks: point by point, the second axis in blocks of STEP that align with
 * nothing; put (flush = 0: no HDF5 call, finished chunks kept) or written. 0, or -1
 * with err set (no cmocka failure here: it may run on an OpenMP thread). */
static int put_case(h5out_stream_t *s, const stream_case_t *c, int flush, char *err,
                    size_t errlen)
{
    size_t inner = inner_of(c), elem = c->type == H5OUT_DOUBLE ? 8 : 4;
    unsigned char *block = malloc(STEP * inner * elem);
    int rc = block ? 0 : -1;
    for (size_t p = 0; p < c->points_written && !rc; p++)
        for (size_t d0 = 0; d0 < c->draws_written && !rc; d0 += STEP) {
            size_t n = c->draws_written - d0 < STEP ? c->draws_written - d0 : STEP;
            for (size_t i = 0; i < n * inner; i++)
                element(c, (p * c->shape[1] + d0) * inner + i, block + i * elem);
            size_t start[3] = {p, d0, 0}, count[3] = {1, n, inner};
            rc = flush ? h5out_stream_write(s, start, count, block, err, errlen)
                       : h5out_stream_put(s, start, count, block, err, errlen);
        }
    free(block);
    return rc;
}

/* Every case into path. parallel: all streams open, each put to by its own OpenMP
 * thread at the same time, then flushed and closed by this one (as run_raw.c does). */
static void write_streams(const char *path, int parallel)
{
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    OK(h5out_def_dim_index(h, "point", P, "point", ERRBUF));
    OK(h5out_def_dim_index(h, "draw", D, "draw", ERRBUF));
    OK(h5out_def_dim_index(h, "exporter", E, "exporter", ERRBUF));
    OK(h5out_def_dim_index(h, "point5", P5, "point", ERRBUF));
    OK(h5out_def_dim_index(h, "draw2", D2, "draw", ERRBUF));
    OK(h5out_def_dim_index(h, "small", S, "small", ERRBUF));
    OK(h5out_def_dim_index(h, "few", F, "few", ERRBUF));
    OK(h5out_def_dim_index(h, "big", BIG, "big", ERRBUF));
    h5out_stream_t *s[N_CASES];
    for (int k = 0; k < N_CASES; k++) {
        const stream_case_t *c = &stream_cases[k];
        s[k] = h5out_stream_open(h, c->path, c->ndims, c->dims, c->type, "1", c->path, ERRBUF);
        assert_non_null(s[k]);
        if (!parallel) {
            OK(put_case(s[k], c, 1, ERRBUF));
            OK(h5out_stream_close(s[k], ERRBUF));
        }
    }
    if (parallel) {
        static char errs[N_CASES][512];
        int rcs[N_CASES];
#pragma omp parallel for schedule(dynamic, 1) num_threads(N_CASES)
        for (int k = 0; k < N_CASES; k++)
            rcs[k] = put_case(s[k], &stream_cases[k], 0, errs[k], sizeof errs[k]);
        for (int k = 0; k < N_CASES; k++) {
            if (rcs[k])
                fail_msg("%s: %s", stream_cases[k].path, errs[k]);
            OK(h5out_stream_flush(s[k], ERRBUF));
            OK(h5out_stream_close(s[k], ERRBUF));
        }
    }
    OK(h5out_commit(h, ERRBUF));
}

/* The library's own H5Dwrite of the same hyperslabs into a dataset created with the
 * stream's creation properties. */
static hid_t write_through_library(hid_t f, hid_t stream, const stream_case_t *c)
{
    hid_t dcpl = H5Dget_create_plist(stream), type = H5Dget_type(stream);
    hid_t space = H5Dget_space(stream);
    hid_t lib = H5Dcreate2(f, c->path + strlen("draws/"), type, space, H5P_DEFAULT, dcpl,
                           H5P_DEFAULT);
    assert_true(lib >= 0);
    hid_t mem = c->type == H5OUT_DOUBLE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT32;
    size_t inner = inner_of(c), elem = H5Tget_size(mem), row = c->draws_written * inner;
    unsigned char *data = malloc(row * elem);
    for (size_t p = 0; p < c->points_written; p++) {
        for (size_t i = 0; i < row; i++)
            element(c, p * c->shape[1] * inner + i, data + i * elem);
        hsize_t start[3] = {p, 0, 0}, count[3] = {1, c->draws_written, inner};
        hid_t fspace = H5Dget_space(lib), mspace = H5Screate_simple(c->ndims, count, NULL);
        assert_true(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0);
        assert_true(H5Dwrite(lib, mem, mspace, fspace, H5P_DEFAULT, data) >= 0);
        H5Sclose(mspace);
        H5Sclose(fspace);
    }
    free(data);
    H5Pclose(dcpl);
    H5Tclose(type);
    H5Sclose(space);
    return lib;
}

static void check_streams(int parallel)
{
    char path[400], lib[64];
    snprintf(path, sizeof path, "%s/streams%d.h5", g_dir, parallel);
    snprintf(lib, sizeof lib, "lib%d.h5", parallel);
    write_streams(path, parallel);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), ref = create_plain_file(lib);
    assert_true(f >= 0);
    size_t odd = 0, even = 0, ours = 0, hdf5s = 0;
    for (int k = 0; k < N_CASES; k++) {
        const stream_case_t *c = &stream_cases[k];
        hid_t s = H5Dopen2(f, c->path, H5P_DEFAULT);
        assert_true(s >= 0);
        hid_t lib_dset = write_through_library(ref, s, c);
        size_t n = assert_same_chunks(s, lib_dset, c->type == H5OUT_DOUBLE ? H5T_NATIVE_DOUBLE
                                                                          : H5T_NATIVE_INT32,
                                      &odd, &even, &ours, &hdf5s);
        print_message("%s: %zu chunks the same\n", c->path, n);
        assert_true(n >= 2);   /* an edge chunk at least */
        H5Dclose(lib_dset);
        H5Dclose(s);
    }
    H5Fclose(ref);
    H5Fclose(f);
}

static void test_streams_store_what_hdf5_would(void **state)
{
    (void)state;
    check_streams(0);
}

/* h5out_stream_put on different streams from different threads at once (no HDF5 call,
 * each stream's own buffers), then flushed by one: the same chunks. */
static void test_streams_put_from_threads_store_the_same(void **state)
{
    (void)state;
    check_streams(1);
}

/* A block that returns to a chunk already written fails and names the variable. */
static void test_stream_written_out_of_order_fails(void **state)
{
    (void)state;
    char path[400];
    snprintf(path, sizeof path, "%s/order.h5", g_dir);
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    OK(h5out_def_dim_index(h, "draw", D, "draw", ERRBUF));
    const char *dims[1] = {"draw"};
    h5out_stream_t *s = h5out_stream_open(h, "draws/x", 1, dims, H5OUT_DOUBLE, "1", "x", ERRBUF);
    assert_non_null(s);
    static double block[1000];
    size_t start = 140000, count = 1000;
    OK(h5out_stream_write(s, &start, &count, block, ERRBUF));
    start = 0;
    assert_int_equal(h5out_stream_write(s, &start, &count, block, ERRBUF), -1);
    assert_non_null(strstr(g_err, "draws/x"));
    assert_non_null(strstr(g_err, "out of order"));
    assert_int_equal(h5out_abort(h, NULL, ERRBUF), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_is_what_hdf5_stores),
        cmocka_unit_test(test_shuffle_into_pieces),
        cmocka_unit_test(test_streams_store_what_hdf5_would),
        cmocka_unit_test(test_streams_put_from_threads_store_the_same),
        cmocka_unit_test(test_stream_written_out_of_order_fails),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
