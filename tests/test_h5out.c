/*
 * test_h5out.c - the netCDF-4 compatible writer and reader (sim/h5out.h).
 *
 * With H5OUT_FIXTURE=<path> set, writes the full fixture file there instead of running
 * the suite (tests/e2e_h5out.sh then checks it with h5py, xarray and ncdump).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <hdf5.h>

#include "testutil.h"
#include "h5out.h"

#include <hdf5_hl.h>

enum { P = 3, D = 70001, E = 4, I = 2, Q = 9, R = 2, B = 5, L = 3, BLOCK = 9999 };

static const char *const exporters[E] = { "Estados Unidos", "Brasil", "Argentina", "São Paulo ☃" };
static const char *const importers[I] = { "China", "rest of world" };
static const char *const regimes[R] = { "calm", "trade war" };
static const double quantiles[Q] = { 0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99 };
static const char config_text[] = "seed: 20240611\ndraws: 70001\ntariff:\n  us: 0.285 # comment ü\n";

static char g_dir[256];

/* High-entropy deterministic values so that any misplaced element shows. */
static double value_at(size_t i, double salt)
{
    return sin((double)i * 1.7320508 + salt) * 123.456789 + (double)i * 0.0012345 + salt;
}

static int32_t status_at(size_t p, size_t d)
{
    return (int32_t)((p * 7919u + d * 104729u) % 5u) - 1;
}

static void path_in_dir(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", g_dir, name);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static char g_err[512];
#define OK(call) do { g_err[0] = '\0'; if ((call) != 0) fail_msg("%s: %s", #call, g_err); } while (0)
#define ERRBUF g_err, sizeof g_err

static void fill_summary(double *flow_mean, int64_t *hist, int64_t *draws_ok, int32_t *rdraws,
                         double *lagvar, double *sweep)
{
    for (size_t i = 0; i < P * E * I; i++)
        flow_mean[i] = value_at(i, 2.385);
    for (size_t i = 0; i < P * E * B; i++)
        hist[i] = (int64_t)(i * 982451653u) - 4000000000LL;
    for (size_t p = 0; p < P; p++)
        draws_ok[p] = 70001 - 17 * (int64_t)p;
    for (size_t i = 0; i < P * R; i++)
        rdraws[i] = (int32_t)(i * 31337u) - 50000;
    for (size_t i = 0; i < P * L; i++)
        lagvar[i] = value_at(i, -0.731);
    for (size_t p = 0; p < P; p++)
        sweep[p] = 0.0375 * (double)p + 0.1;
}

/* Streams draws/flow(point, draw, exporter) and draws/status(point, draw) in blocks. */
static void stream_draws(h5out_t *h)
{
    const char *fdims[3] = { "point", "draw", "exporter" };
    const char *sdims[2] = { "point", "draw" };
    h5out_stream_t *flow, *status, *regime;
    {
        flow = h5out_stream_open(h, "draws/flow", 3, fdims, H5OUT_DOUBLE, "Mt", "trade flow", ERRBUF);
        if (!flow) fail_msg("%s", g_err);
        status = h5out_stream_open(h, "draws/status", 2, sdims, H5OUT_INT32, "1", "solver status", ERRBUF);
        if (!status) fail_msg("%s", g_err);
        /* Named like the root dimension "regime", but a plain variable of this group. */
        regime = h5out_stream_open(h, "draws/regime", 2, sdims, H5OUT_INT32, "1", "regime index", ERRBUF);
        if (!regime) fail_msg("%s", g_err);
    }
    double *fbuf = malloc(BLOCK * E * sizeof *fbuf);
    int32_t *sbuf = malloc(BLOCK * sizeof *sbuf);
    assert_non_null(fbuf);
    assert_non_null(sbuf);
    for (size_t p = 0; p < P; p++) {
        for (size_t d0 = 0; d0 < D; d0 += BLOCK) {
            size_t n = D - d0 < BLOCK ? D - d0 : BLOCK;
            for (size_t k = 0; k < n; k++) {
                for (size_t e = 0; e < E; e++)
                    fbuf[k * E + e] = value_at(((p * D) + d0 + k) * E + e, 0.577);
                sbuf[k] = status_at(p, d0 + k);
            }
            size_t st3[3] = { p, d0, 0 }, ct3[3] = { 1, n, E };
            size_t st2[2] = { p, d0 }, ct2[2] = { 1, n };
            OK(h5out_stream_write(flow, st3, ct3, fbuf, ERRBUF));
            OK(h5out_stream_write(status, st2, ct2, sbuf, ERRBUF));
            OK(h5out_stream_write(regime, st2, ct2, sbuf, ERRBUF));
        }
    }
    free(fbuf);
    free(sbuf);
    OK(h5out_stream_close(flow, ERRBUF));
    OK(h5out_stream_close(status, ERRBUF));
    OK(h5out_stream_close(regime, ERRBUF));
}

/* Every kind of dimension, variable, stream and attribute; not yet committed. */
static h5out_t *write_fixture(const char *final_path)
{
    h5out_t *h = h5out_create(final_path, ERRBUF);
    if (!h) fail_msg("%s", g_err);
    OK(h5out_def_dim_index(h, "point", P, "sweep point", ERRBUF));
    OK(h5out_def_dim_index(h, "draw", D, "draw index", ERRBUF));
    OK(h5out_def_dim_strings(h, "exporter", E, exporters, "exporter", ERRBUF));
    OK(h5out_def_dim_strings(h, "importer", I, importers, "importer", ERRBUF));
    OK(h5out_def_dim_doubles(h, "quantile", Q, quantiles, "1", "probability level", ERRBUF));
    OK(h5out_def_dim_strings(h, "regime", R, regimes, "policy regime", ERRBUF));
    OK(h5out_def_dim_index(h, "hist_bin", B, "histogram bin", ERRBUF));
    OK(h5out_def_dim_length_only(h, "lag", L, ERRBUF));

    double flow_mean[P * E * I], lagvar[P * L], sweep[P], flow_q[P * E * Q];
    int64_t hist[P * E * B], draws_ok[P];
    int32_t rdraws[P * R];
    fill_summary(flow_mean, hist, draws_ok, rdraws, lagvar, sweep);
    for (size_t i = 0; i < P * E * Q; i++)
        flow_q[i] = value_at(i, 9.81);
    const char *d_pei[3] = { "point", "exporter", "importer" };
    const char *d_peq[3] = { "point", "exporter", "quantile" };
    const char *d_peb[3] = { "point", "exporter", "hist_bin" };
    const char *d_p[1] = { "point" };
    const char *d_pr[2] = { "point", "regime" };
    const char *d_pl[2] = { "point", "lag" };

    OK(h5out_write_double_along(h, "sweep_tariff_us", "point", sweep, "1", "swept: US tariff",
                                "sweep_key", "policy.tariff.us", ERRBUF));
    OK(h5out_write_string_scalar(h, "config_yaml", config_text, "resolved configuration", ERRBUF));
    double total = -2.718281828459045e-7;
    OK(h5out_write_double(h, "welfare_total", 0, NULL, &total, "billion USD", "a scalar", ERRBUF));
    OK(h5out_write_double(h, "summary/flow_mean", 3, d_pei, flow_mean, "Mt", "mean flow", ERRBUF));
    OK(h5out_write_double(h, "summary/flow_q", 3, d_peq, flow_q, "Mt", "flow quantiles", ERRBUF));
    OK(h5out_attr_double(h, "summary/flow_q", "quantile_error_bound", 0.0421875, ERRBUF));
    OK(h5out_write_int64(h, "summary/flow_hist", 3, d_peb, hist, "1", "flow histogram", ERRBUF));
    OK(h5out_write_int64(h, "summary/draws_ok", 1, d_p, draws_ok, "1", "converged draws", ERRBUF));
    OK(h5out_write_int32(h, "summary/regime_draws", 2, d_pr, rdraws, "1", "draws per regime", ERRBUF));
    OK(h5out_write_double(h, "summary/lagged", 2, d_pl, lagvar, "USD/t", "per lag", ERRBUF));
    stream_draws(h);
    const char *labels[3] = { "exporter", "importer", "quantile" };
    OK(h5out_copy_coords(h, "summary", 3, labels, ERRBUF));
    const char *draw_labels[2] = { "exporter", "draw" };
    OK(h5out_copy_coords(h, "draws", 2, draw_labels, ERRBUF));

    OK(h5out_attr_string(h, "", "agtrade_version", "0.1.0-ü", ERRBUF));
    OK(h5out_attr_uint64(h, "/", "seed", UINT64_C(18446744073709551557), ERRBUF));
    OK(h5out_attr_int64(h, "", "draws", -9007199254740993LL, ERRBUF));
    OK(h5out_attr_double(h, "", "tolerance", 1.0e-10 / 3.0, ERRBUF));
    OK(h5out_attr_string(h, "", "replaced", "first", ERRBUF));
    OK(h5out_attr_string(h, "", "replaced", "second value", ERRBUF));
    OK(h5out_attr_string(h, "summary", "description", "summary statistics", ERRBUF));
    return h;
}

static int setup_dir(void **state)
{
    (void)state;
    return test_dir_make(g_dir, sizeof g_dir, "h5out_test");
}

static int teardown_dir(void **state)
{
    (void)state;
    return test_dir_remove(g_dir);
}

static h5in_t *open_or_fail(const char *path)
{
    h5in_t *r = h5in_open(path, ERRBUF);
    if (!r) fail_msg("%s", g_err);
    return r;
}

static void check_dims(h5in_t *r, const char *path, int n, const char *const *names,
                       const size_t *shape, h5out_type_t type)
{
    int nd = -1;
    size_t sh[H5OUT_MAX_DIMS];
    char dn[H5OUT_MAX_DIMS][H5OUT_NAME_MAX];
    h5out_type_t t;
    OK(h5in_var_info(r, path, &nd, sh, dn, &t, ERRBUF));
    assert_int_equal(nd, n);
    assert_int_equal(t, type);
    for (int i = 0; i < n; i++) {
        assert_string_equal(dn[i], names[i]);
        assert_int_equal(sh[i], shape[i]);
    }
}

static void test_every_kind_reads_back_bitwise(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "all.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    h5in_t *r = open_or_fail(path);

    double flow_mean[P * E * I], lagvar[P * L], sweep[P], flow_q[P * E * Q];
    int64_t hist[P * E * B], draws_ok[P];
    int32_t rdraws[P * R];
    fill_summary(flow_mean, hist, draws_ok, rdraws, lagvar, sweep);
    for (size_t i = 0; i < P * E * Q; i++)
        flow_q[i] = value_at(i, 9.81);
    double d_got[P * E * Q];
    int64_t i64_got[P * E * B];
    int32_t i32_got[P * R];

    OK(h5in_read_double(r, "summary/flow_mean", d_got, ERRBUF));
    assert_memory_equal(d_got, flow_mean, sizeof flow_mean);
    OK(h5in_read_double(r, "summary/flow_q", d_got, ERRBUF));
    assert_memory_equal(d_got, flow_q, sizeof flow_q);
    OK(h5in_read_double(r, "summary/lagged", d_got, ERRBUF));
    assert_memory_equal(d_got, lagvar, sizeof lagvar);
    OK(h5in_read_double(r, "sweep_tariff_us", d_got, ERRBUF));
    assert_memory_equal(d_got, sweep, sizeof sweep);
    OK(h5in_read_double(r, "welfare_total", d_got, ERRBUF));
    assert_true(d_got[0] == -2.718281828459045e-7);
    OK(h5in_read_int64(r, "summary/flow_hist", i64_got, ERRBUF));
    assert_memory_equal(i64_got, hist, sizeof hist);
    OK(h5in_read_int64(r, "summary/draws_ok", i64_got, ERRBUF));
    assert_memory_equal(i64_got, draws_ok, sizeof draws_ok);
    OK(h5in_read_int32(r, "summary/regime_draws", i32_got, ERRBUF));
    assert_memory_equal(i32_got, rdraws, sizeof rdraws);
    OK(h5in_read_double(r, "quantile", d_got, ERRBUF));
    assert_memory_equal(d_got, quantiles, sizeof quantiles);

    int64_t *idx = malloc(D * sizeof *idx);
    OK(h5in_read_int64(r, "draw", idx, ERRBUF));
    for (size_t d = 0; d < D; d++)
        if (idx[d] != (int64_t)d) fail_msg("draw[%zu] = %lld", d, (long long)idx[d]);
    free(idx);

    char **names;
    size_t n;
    OK(h5in_read_strings(r, "exporter", &names, &n, ERRBUF));
    assert_int_equal(n, E);
    for (size_t e = 0; e < E; e++)
        assert_string_equal(names[e], exporters[e]);
    h5in_free_strings(names, n);
    OK(h5in_read_strings(r, "regime", &names, &n, ERRBUF));
    assert_int_equal(n, R);
    assert_string_equal(names[1], "trade war");
    h5in_free_strings(names, n);

    char *text;
    OK(h5in_read_string_scalar(r, "config_yaml", &text, ERRBUF));
    assert_string_equal(text, config_text);
    free(text);
    h5in_close(r);
}

static void test_streamed_blocks_read_back_bitwise(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "stream.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    h5in_t *r = open_or_fail(path);
    double *flow = malloc((size_t)P * D * E * sizeof *flow);
    int32_t *status = malloc((size_t)P * D * sizeof *status);
    OK(h5in_read_double(r, "draws/flow", flow, ERRBUF));
    OK(h5in_read_int32(r, "draws/status", status, ERRBUF));
    for (size_t i = 0; i < (size_t)P * D * E; i++) {
        double want = value_at(i, 0.577);
        if (memcmp(&flow[i], &want, sizeof want) != 0)
            fail_msg("flow[%zu] = %.17g, want %.17g", i, flow[i], want);
    }
    for (size_t p = 0; p < P; p++)
        for (size_t d = 0; d < D; d++)
            if (status[p * D + d] != status_at(p, d))
                fail_msg("status[%zu][%zu] = %d", p, d, status[p * D + d]);
    OK(h5in_read_int32(r, "draws/regime", status, ERRBUF));
    assert_int_equal(status[D + 12345], status_at(1, 12345));
    /* A slab across a block boundary. */
    size_t st[3] = { 2, BLOCK - 3, 1 }, ct[3] = { 1, 7, 2 };
    double slab[14];
    OK(h5in_read_double_slab(r, "draws/flow", st, ct, slab, ERRBUF));
    for (size_t k = 0; k < 7; k++)
        for (size_t e = 0; e < 2; e++)
            assert_true(slab[k * 2 + e] == flow[(2 * D + BLOCK - 3 + k) * E + 1 + e]);
    free(flow);
    free(status);
    h5in_close(r);
}

static void test_dimension_names_come_from_attached_scales(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "dims.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    h5in_t *r = open_or_fail(path);
    check_dims(r, "summary/flow_mean", 3, (const char *[]){ "point", "exporter", "importer" },
               (size_t[]){ P, E, I }, H5OUT_DOUBLE);
    check_dims(r, "summary/flow_hist", 3, (const char *[]){ "point", "exporter", "hist_bin" },
               (size_t[]){ P, E, B }, H5OUT_INT64);
    check_dims(r, "summary/regime_draws", 2, (const char *[]){ "point", "regime" },
               (size_t[]){ P, R }, H5OUT_INT32);
    check_dims(r, "summary/lagged", 2, (const char *[]){ "point", "lag" },
               (size_t[]){ P, L }, H5OUT_DOUBLE);
    check_dims(r, "draws/flow", 3, (const char *[]){ "point", "draw", "exporter" },
               (size_t[]){ P, D, E }, H5OUT_DOUBLE);
    check_dims(r, "draws/regime", 2, (const char *[]){ "point", "draw" },
               (size_t[]){ P, D }, H5OUT_INT32);
    check_dims(r, "exporter", 1, (const char *[]){ "exporter" }, (size_t[]){ E }, H5OUT_STRING);
    check_dims(r, "draw", 1, (const char *[]){ "draw" }, (size_t[]){ D }, H5OUT_INT64);
    check_dims(r, "sweep_tariff_us", 1, (const char *[]){ "point" }, (size_t[]){ P }, H5OUT_DOUBLE);
    int nd = -1;
    OK(h5in_var_info(r, "config_yaml", &nd, NULL, NULL, NULL, ERRBUF));
    assert_int_equal(nd, 0);
    h5in_close(r);
}

/* The attachments h5out writes itself (one REFERENCE_LIST per scale, at close) are what
 * HDF5's H5DS functions expect: every axis of every variable is attached (H5DSis_attached
 * reads both the variable's DIMENSION_LIST and the scale's REFERENCE_LIST) to exactly
 * one scale, of its dimension's name; in a committed file and in a partial one. */
typedef struct { int axes, attached; unsigned axis; hid_t dset; } ds_walk_t;

static herr_t scale_seen(hid_t did, unsigned dim, hid_t dsid, void *data)
{
    ds_walk_t *w = data;
    (void)did;
    (void)dim;
    w->attached += H5DSis_scale(dsid) > 0 && H5DSis_attached(w->dset, dsid, w->axis) > 0;
    return 0;
}

static herr_t check_attached(hid_t loc, const char *name, const H5O_info_t *info, void *data)
{
    ds_walk_t *w = data;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    assert_true(d >= 0);
    if (H5DSis_scale(d) <= 0 && H5Aexists(d, "DIMENSION_LIST") > 0) {
        hid_t space = H5Dget_space(d);
        int rank = H5Sget_simple_extent_ndims(space);
        H5Sclose(space);
        for (int i = 0; i < rank; i++) {
            assert_int_equal(H5DSget_num_scales(d, (unsigned)i), 1);
            w->dset = d;
            w->axis = (unsigned)i;
            w->attached = 0;
            assert_true(H5DSiterate_scales(d, (unsigned)i, NULL, scale_seen, w) >= 0);
            if (w->attached != 1)
                fail_msg("%s: axis %d is not attached both ways", name, i);
            w->axes++;
        }
    }
    H5Dclose(d);
    return 0;
}

static int count_attached_axes(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    ds_walk_t w = { 0, 0, 0, -1 };
    assert_true(H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, check_attached, &w, H5O_INFO_BASIC) >= 0);
    H5Fclose(f);
    return w.axes;
}

static void test_scales_are_attached_as_hdf5_attaches_them(void **state)
{
    (void)state;
    char path[300], partial[300];
    path_in_dir(path, sizeof path, "attached.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    int axes = count_attached_axes(path);
    print_message("  %d axes attached\n", axes);
    assert_true(axes >= 20);
    path_in_dir(path, sizeof path, "attached2.h5");
    path_in_dir(partial, sizeof partial, "attached2.partial.h5");
    OK(h5out_abort(write_fixture(path), partial, ERRBUF));
    assert_int_equal(count_attached_axes(partial), axes);
}

static void test_attributes_read_back_exactly(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "attrs.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    h5in_t *r = open_or_fail(path);
    char *s;
    OK(h5in_attr_string(r, "", "agtrade_version", &s, ERRBUF));
    assert_string_equal(s, "0.1.0-ü");
    free(s);
    OK(h5in_attr_string(r, "/", "replaced", &s, ERRBUF));
    assert_string_equal(s, "second value");
    free(s);
    OK(h5in_attr_string(r, "sweep_tariff_us", "sweep_key", &s, ERRBUF));
    assert_string_equal(s, "policy.tariff.us");
    free(s);
    OK(h5in_attr_string(r, "summary/flow_mean", "units", &s, ERRBUF));
    assert_string_equal(s, "Mt");
    free(s);
    OK(h5in_attr_string(r, "draws/flow", "long_name", &s, ERRBUF));
    assert_string_equal(s, "trade flow");
    free(s);
    OK(h5in_attr_string(r, "summary", "description", &s, ERRBUF));
    assert_string_equal(s, "summary statistics");
    free(s);
    uint64_t u;
    int64_t i;
    double d;
    OK(h5in_attr_uint64(r, "", "seed", &u, ERRBUF));
    assert_true(u == UINT64_C(18446744073709551557));
    OK(h5in_attr_int64(r, "", "draws", &i, ERRBUF));
    assert_true(i == -9007199254740993LL);
    OK(h5in_attr_double(r, "", "tolerance", &d, ERRBUF));
    assert_true(d == 1.0e-10 / 3.0);
    OK(h5in_attr_double(r, "summary/flow_q", "quantile_error_bound", &d, ERRBUF));
    assert_true(d == 0.0421875);
    OK(h5in_attr_int64(r, "", "complete", &i, ERRBUF));
    assert_int_equal(i, 1);

    assert_int_equal(h5in_attr_exists(r, "", "seed", ERRBUF), 1);
    assert_int_equal(h5in_attr_exists(r, "", "no_such", ERRBUF), 0);
    assert_int_equal(h5in_attr_int64(r, "", "no_such", &i, ERRBUF), -1);
    assert_non_null(strstr(g_err, "no attribute 'no_such'"));
    assert_non_null(strstr(g_err, "attrs.h5"));
    assert_int_equal(h5in_attr_int64(r, "", "agtrade_version", &i, ERRBUF), -1);
    assert_non_null(strstr(g_err, "not a single number"));
    h5in_close(r);
}

/* The stored types: what Octave, MATLAB and R need (sim/h5out.h). */
static hid_t attr_type(hid_t file, const char *obj, const char *name)
{
    hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    H5Aclose(a);
    return t;
}

static void test_attribute_types_and_coordinates(void **state)
{
    (void)state;
    char path[512];
    path_in_dir(path, sizeof path, "types.h5");
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    const int64_t pts[2] = {0, 1};
    const double sw[2] = {0.25, 0.5};
    const double v[2 * I] = {1, 2, 3, 4};
    const char *const d_p[1] = {"point"}, *const d_pi[2] = {"point", "importer"};
    OK(h5out_def_dim_int64(h, "point", 2, pts, "sweep point", ERRBUF));
    OK(h5out_def_dim_strings(h, "importer", I, importers, "importing region", ERRBUF));
    OK(h5out_write_double_along(h, "sweep_x", "point", sw, "1", "swept x", "sweep_key", "x", ERRBUF));
    OK(h5out_dim_coordinates(h, "point", "sweep_x", ERRBUF));
    OK(h5out_write_double(h, "summary/m", 2, d_pi, v, "Mt", "mean", ERRBUF));
    OK(h5out_write_double(h, "by_importer", 1, d_pi + 1, v, "Mt", "by importer", ERRBUF));
    h5out_stream_t *st = h5out_stream_open(h, "draws/s", 1, d_p, H5OUT_INT32, "1", "status", ERRBUF);
    assert_non_null(st);
    OK(h5out_stream_close(st, ERRBUF));
    assert_int_equal(h5out_dim_coordinates(h, "nope", "x", ERRBUF), -1);
    assert_non_null(strstr(g_err, "'nope'"));
    OK(h5out_attr_string(h, "", "empty", "", ERRBUF));
    OK(h5out_attr_int64(h, "", "small", -7, ERRBUF));
    OK(h5out_attr_int64(h, "", "big", INT64_C(1) << 40, ERRBUF));
    OK(h5out_attr_uint64(h, "", "usmall", 2147483647u, ERRBUF));
    OK(h5out_attr_uint64(h, "", "ubig", UINT64_C(2147483648), ERRBUF));
    OK(h5out_commit(h, ERRBUF));

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    /* strings: fixed-length (NC_CHAR), sized to the text; "" as one NUL byte */
    const char *const str_attrs[][2] = {{"summary/m", "units"}, {"summary/m", "long_name"},
                                       {"sweep_x", "sweep_key"}, {"/", "empty"}};
    for (size_t k = 0; k < sizeof str_attrs / sizeof *str_attrs; k++) {
        hid_t t = attr_type(f, str_attrs[k][0], str_attrs[k][1]);
        assert_int_equal(H5Tget_class(t), H5T_STRING);
        assert_int_equal(H5Tis_variable_str(t), 0);
        H5Tclose(t);
    }
    hid_t t = attr_type(f, "summary/m", "units");
    assert_int_equal(H5Tget_size(t), 2);
    H5Tclose(t);
    /* integers: int32 when the value fits */
    const struct { const char *name; size_t size; H5T_sign_t sign; } ints[] = {
        {"small", 4, H5T_SGN_2}, {"big", 8, H5T_SGN_2}, {"usmall", 4, H5T_SGN_2},
        {"ubig", 8, H5T_SGN_NONE}, {"complete", 4, H5T_SGN_2}};
    for (size_t k = 0; k < sizeof ints / sizeof *ints; k++) {
        t = attr_type(f, "/", ints[k].name);
        assert_int_equal(H5Tget_class(t), H5T_INTEGER);
        if (H5Tget_size(t) != ints[k].size || H5Tget_sign(t) != ints[k].sign)
            fail_msg("%s: %zu bytes", ints[k].name, H5Tget_size(t));
        H5Tclose(t);
    }
    H5Fclose(f);

    h5in_t *r = h5in_open(path, ERRBUF);
    assert_non_null(r);
    char *s = NULL;
    OK(h5in_attr_string(r, "summary/m", "coordinates", &s, ERRBUF));
    assert_string_equal(s, "sweep_x");
    free(s);
    OK(h5in_attr_string(r, "draws/s", "coordinates", &s, ERRBUF));
    assert_string_equal(s, "sweep_x");
    free(s);
    OK(h5in_attr_string(r, "", "empty", &s, ERRBUF));
    assert_string_equal(s, "");
    free(s);
    /* not on the coordinate variables themselves, nor on a variable without a point axis */
    assert_int_equal(h5in_attr_exists(r, "sweep_x", "coordinates", ERRBUF), 0);
    assert_int_equal(h5in_attr_exists(r, "point", "coordinates", ERRBUF), 0);
    assert_int_equal(h5in_attr_exists(r, "by_importer", "coordinates", ERRBUF), 0);
    int64_t i;
    uint64_t u;
    OK(h5in_attr_int64(r, "", "small", &i, ERRBUF));
    assert_true(i == -7);
    OK(h5in_attr_int64(r, "", "big", &i, ERRBUF));
    assert_true(i == INT64_C(1) << 40);
    OK(h5in_attr_uint64(r, "", "ubig", &u, ERRBUF));
    assert_true(u == UINT64_C(2147483648));
    h5in_close(r);
}

typedef struct {
    char names[32][H5OUT_NAME_MAX];
    int n;
} names_t;

static void collect(const char *name, void *arg)
{
    names_t *l = arg;
    if (l->n < 32)
        snprintf(l->names[l->n++], H5OUT_NAME_MAX, "%s", name);
}

static void test_members_are_listed_in_creation_order(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "list.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    h5in_t *r = open_or_fail(path);
    names_t root = { .n = 0 }, summary = { .n = 0 };
    OK(h5in_list(r, "", collect, &root, ERRBUF));
    OK(h5in_list(r, "summary", collect, &summary, ERRBUF));
    const char *want_root[] = { "point", "draw", "exporter", "exporter_strlen", "importer",
                                "importer_strlen", "quantile", "regime", "regime_strlen",
                                "hist_bin", "lag", "sweep_tariff_us", "config_yaml_strlen",
                                "config_yaml", "welfare_total", "summary", "draws" };
    const char *want_summary[] = { "flow_mean", "flow_q", "flow_hist", "draws_ok",
                                   "regime_draws", "lagged", "exporter", "importer",
                                   "quantile" };
    assert_int_equal(root.n, 17);
    for (int k = 0; k < root.n; k++)
        assert_string_equal(root.names[k], want_root[k]);
    assert_int_equal(summary.n, 9);
    for (int k = 0; k < summary.n; k++)
        assert_string_equal(summary.names[k], want_summary[k]);
    assert_int_equal(h5in_exists(r, "summary/flow_q"), 1);
    assert_int_equal(h5in_exists(r, "summary/nothing/deeper"), 0);
    h5in_close(r);
}

static void test_commit_renames_atomically(void **state)
{
    (void)state;
    char path[300], temp[400];
    path_in_dir(path, sizeof path, "atomic.h5");
    h5out_t *h = write_fixture(path);
    snprintf(temp, sizeof temp, "%s", h5out_temp_path(h));
    assert_non_null(strstr(temp, "atomic.h5.tmp."));
    assert_true(strncmp(temp, g_dir, strlen(g_dir)) == 0);   /* same folder */
    assert_true(file_exists(temp));
    assert_false(file_exists(path));
    OK(h5out_commit(h, ERRBUF));
    assert_true(file_exists(path));
    assert_false(file_exists(temp));
}

static void test_commit_replaces_an_older_file_only_at_the_end(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "rerun.h5");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("previous results\n", f);
    fclose(f);
    h5out_t *h = write_fixture(path);
    f = fopen(path, "r");   /* still the old file while the new one is written */
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "previous results\n");
    OK(h5out_commit(h, ERRBUF));
    h5in_t *r = open_or_fail(path);
    int64_t complete = 0;
    OK(h5in_attr_int64(r, "", "complete", &complete, ERRBUF));
    assert_int_equal(complete, 1);
    h5in_close(r);
}

static void test_abort_deletes_the_temporary_file(void **state)
{
    (void)state;
    char path[300], temp[400];
    path_in_dir(path, sizeof path, "aborted.h5");
    h5out_t *h = write_fixture(path);
    snprintf(temp, sizeof temp, "%s", h5out_temp_path(h));
    OK(h5out_abort(h, NULL, ERRBUF));
    assert_false(file_exists(temp));
    assert_false(file_exists(path));
}

static void test_abort_keeps_partial_file_marked_incomplete(void **state)
{
    (void)state;
    char path[300], partial[300], temp[400];
    path_in_dir(path, sizeof path, "run.h5");
    path_in_dir(partial, sizeof partial, "run.partial.h5");
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    snprintf(temp, sizeof temp, "%s", h5out_temp_path(h));
    OK(h5out_def_dim_index(h, "point", P, "sweep point", ERRBUF));
    OK(h5out_def_dim_index(h, "draw", D, "draw index", ERRBUF));
    const char *dims[2] = { "point", "draw" };
    h5out_stream_t *s = h5out_stream_open(h, "draws/status", 2, dims, H5OUT_INT32, "1",
                                          "status", ERRBUF);
    assert_non_null(s);
    int32_t block[3] = { 7, -8, 9 };
    size_t st[2] = { 1, 100 }, ct[2] = { 1, 3 };
    OK(h5out_stream_write(s, st, ct, block, ERRBUF));
    /* Interrupted with the stream still open: abort closes it. */
    OK(h5out_abort(h, partial, ERRBUF));
    assert_false(file_exists(temp));
    assert_false(file_exists(path));
    h5in_t *r = open_or_fail(partial);
    int64_t complete = -5;
    OK(h5in_attr_int64(r, "", "complete", &complete, ERRBUF));
    assert_int_equal(complete, 0);
    int32_t *all = malloc((size_t)P * D * sizeof *all);
    OK(h5in_read_int32(r, "draws/status", all, ERRBUF));
    assert_int_equal(all[D + 101], -8);
    assert_int_equal(all[D + 99], -2147483647);   /* never written: the fill value */
    free(all);
    h5in_close(r);
}

static void test_missing_folder_error_names_the_file(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "no/such/folder/out.h5");
    assert_null(h5out_create(path, ERRBUF));
    assert_non_null(strstr(g_err, path));
    assert_non_null(strstr(g_err, "No such file or directory"));
    assert_null(strchr(g_err, '\n'));
}

static void test_path_below_a_regular_file_is_refused(void **state)
{
    (void)state;
    char file[300], path[400];
    path_in_dir(file, sizeof file, "plain.txt");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/out.h5", file);
    assert_null(h5out_create(path, ERRBUF));
    assert_non_null(strstr(g_err, path));
    assert_non_null(strstr(g_err, "Not a directory"));
}

static void test_too_long_path_is_refused(void **state)
{
    (void)state;
    size_t len = 5000;
    char *path = malloc(len + 1);
    memset(path, 'x', len);
    memcpy(path, "/tmp/", 5);
    path[len] = '\0';
    assert_null(h5out_create(path, ERRBUF));
    assert_non_null(strstr(g_err, "too long"));
    free(path);
}

static void test_undefined_dimension_and_bad_blocks_are_reported(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "bad.h5");
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    OK(h5out_def_dim_index(h, "point", P, "sweep point", ERRBUF));
    assert_int_equal(h5out_def_dim_index(h, "point", 4, "again", ERRBUF), -1);
    assert_non_null(strstr(g_err, "'point' defined twice"));
    double v[P] = { 1.5, 2.5, 3.5 };
    const char *dims[2] = { "point", "exporter" };
    assert_int_equal(h5out_write_double(h, "summary/x", 2, dims, v, "1", "x", ERRBUF), -1);
    assert_non_null(strstr(g_err, "bad.h5"));
    assert_non_null(strstr(g_err, "summary/x"));
    assert_non_null(strstr(g_err, "'exporter' is not defined"));
    OK(h5out_write_double(h, "summary/y", 1, dims, v, "1", "y", ERRBUF));
    assert_int_equal(h5out_write_double(h, "summary/y", 1, dims, v, "1", "y", ERRBUF), -1);
    assert_non_null(strstr(g_err, "cannot write variable 'summary/y'"));
    print_message("duplicate: %s\n", g_err);
    assert_int_equal(h5out_attr_string(h, "summary/none", "units", "1", ERRBUF), -1);
    assert_non_null(strstr(g_err, "summary/none"));
    h5out_stream_t *s = h5out_stream_open(h, "draws/z", 1, dims, H5OUT_DOUBLE, "1", "z", ERRBUF);
    assert_non_null(s);
    size_t st = 2, ct = 2;
    assert_int_equal(h5out_stream_write(s, &st, &ct, v, ERRBUF), -1);
    assert_non_null(strstr(g_err, "outside axis 0"));
    char temp[400];
    snprintf(temp, sizeof temp, "%s", h5out_temp_path(h));
    assert_int_equal(h5out_commit(h, ERRBUF), -1);
    assert_non_null(strstr(g_err, "'draws/z' still open"));
    assert_false(file_exists(temp));
    assert_false(file_exists(path));
}

/* A file-size limit makes writes fail with EFBIG, as a full disk fails with ENOSPC. */
static void test_full_disk_fails_commit_and_removes_temporary(void **state)
{
    (void)state;
    char path[300], temp[400];
    path_in_dir(path, sizeof path, "full.h5");
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    snprintf(temp, sizeof temp, "%s", h5out_temp_path(h));
    enum { N = 1 << 19 };   /* 4 MiB of doubles */
    OK(h5out_def_dim_index(h, "draw", N, "draw index", ERRBUF));
    small = saved;
    small.rlim_cur = 1 << 20;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    double *v = malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++)
        v[i] = value_at(i, 1.414);
    const char *dims[1] = { "draw" };
    char werr[512] = "";
    int wrc = h5out_write_double(h, "big", 1, dims, v, "1", "big", werr, sizeof werr);
    int crc = h5out_commit(h, ERRBUF);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old);
    free(v);
    if (wrc != 0) {   /* the write itself may be the one that fails */
        assert_non_null(strstr(werr, "cannot write variable 'big'"));
        assert_non_null(strstr(werr, path));
        assert_non_null(strstr(werr, "File too large"));
    }
    assert_int_equal(crc, -1);
    print_message("write: %s\ncommit: %s\n", werr, g_err);
    assert_non_null(strstr(g_err, path));
    assert_non_null(strstr(g_err, "File too large"));
    assert_false(file_exists(temp));
    assert_false(file_exists(path));
}

/* Current (not peak) resident size: earlier tests' peaks must not hide growth. */
static long rss_kib(void)
{
    long pages = -1, resident = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = -1;
        fclose(f);
    }
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 48 MiB of draws streamed in small blocks; the process may grow by the chunk being
 * assembled and its compressed copy, never by the data. */
static void test_streaming_memory_does_not_grow_with_draws(void **state)
{
    (void)state;
    enum { MANY = 6000000, STEP = 4096 };
    char path[300];
    path_in_dir(path, sizeof path, "many.h5");
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    OK(h5out_def_dim_index(h, "draw", MANY, "draw index", ERRBUF));
    const char *dims[1] = { "draw" };
    h5out_stream_t *s = h5out_stream_open(h, "draws/x", 1, dims, H5OUT_DOUBLE, "1", "x", ERRBUF);
    assert_non_null(s);
    double block[STEP];
    long before = rss_kib();
    for (size_t d0 = 0; d0 < MANY; d0 += STEP) {
        size_t n = MANY - d0 < STEP ? MANY - d0 : STEP;
        for (size_t k = 0; k < n; k++)
            block[k] = (double)((d0 + k) % 7919) * 0.3183;   /* compressible, not constant */
        OK(h5out_stream_write(s, &d0, &n, block, ERRBUF));
    }
    long after = rss_kib();
    OK(h5out_stream_close(s, ERRBUF));
    OK(h5out_commit(h, ERRBUF));
    assert_true(before > 0 && after > 0);
    print_message("resident %ld KiB before, %ld KiB after streaming\n", before, after);
    if (after - before > 16 * 1024)
        fail_msg("RSS grew by %ld KiB while streaming %d doubles", after - before, MANY);
    h5in_t *r = open_or_fail(path);
    double tail[3];
    size_t st = MANY - 3, ct = 3;
    OK(h5in_read_double_slab(r, "draws/x", &st, &ct, tail, ERRBUF));
    for (size_t k = 0; k < 3; k++)
        assert_true(tail[k] == (double)((MANY - 3 + k) % 7919) * 0.3183);
    h5in_close(r);
}

static void test_reader_reports_missing_and_foreign_files(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "missing.h5");
    assert_null(h5in_open(path, ERRBUF));
    assert_non_null(strstr(g_err, path));
    assert_non_null(strstr(g_err, "No such file"));
    path_in_dir(path, sizeof path, "text.h5");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not hdf5 at all\n", f);
    fclose(f);
    assert_null(h5in_open(path, ERRBUF));
    assert_non_null(strstr(g_err, "not an HDF5 file"));

    path_in_dir(path, sizeof path, "small.h5");
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    OK(h5out_commit(h, ERRBUF));
    h5in_t *r = open_or_fail(path);
    double d;
    assert_int_equal(h5in_read_double(r, "summary/flow_mean", &d, ERRBUF), -1);
    assert_non_null(strstr(g_err, "no variable 'summary/flow_mean'"));
    assert_non_null(strstr(g_err, "small.h5"));
    h5in_close(r);
}

/* ---- text: netCDF character arrays; the variable-length strings of older files ---- */

static int32_t int_attr(hid_t f, const char *obj, const char *name, int k)
{
    int32_t v[2] = { -1, -1 };
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_INT32, v) >= 0);
    H5Aclose(a);
    return v[k];
}

static void test_text_is_a_netcdf_character_array(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "chars.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    /* the coordinate: [E][longest name in bytes] 1-byte characters, its own scale */
    hid_t d = H5Dopen2(f, "exporter", H5P_DEFAULT), t = H5Dget_type(d), sp = H5Dget_space(d);
    hsize_t dims[2] = { 0, 0 };
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_int_equal(H5Tis_variable_str(t), 0);
    assert_int_equal(H5Tget_size(t), 1);
    assert_int_equal(H5Sget_simple_extent_dims(sp, dims, NULL), 2);
    assert_int_equal(dims[0], E);
    assert_int_equal(dims[1], strlen("São Paulo ☃"));   /* 14 bytes, as "Estados Unidos" */
    assert_true(H5DSis_scale(d) > 0);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
    /* its axes by netCDF dimension number: the dimensions in the order defined */
    assert_int_equal(int_attr(f, "exporter", "_Netcdf4Dimid", 0), 2);
    assert_int_equal(int_attr(f, "exporter_strlen", "_Netcdf4Dimid", 0), 3);
    assert_int_equal(int_attr(f, "exporter", "_Netcdf4Coordinates", 0), 2);
    assert_int_equal(int_attr(f, "exporter", "_Netcdf4Coordinates", 1), 3);
    assert_int_equal(int_attr(f, "point", "_Netcdf4Dimid", 0), 0);
    assert_int_equal(int_attr(f, "lag", "_Netcdf4Dimid", 0), 10);
    /* one text: along its own length, attached to that dimension */
    d = H5Dopen2(f, "config_yaml", H5P_DEFAULT);
    sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_dims(sp, dims, NULL), 1);
    assert_int_equal(dims[0], strlen(config_text));
    assert_int_equal(H5DSget_num_scales(d, 0), 1);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);

    /* the reader: text variables of one axis fewer, the copies in the groups too */
    h5in_t *r = open_or_fail(path);
    check_dims(r, "summary/exporter", 1, (const char *[]){ "exporter" }, (size_t[]){ E },
               H5OUT_STRING);
    const char *const copies[] = { "summary/exporter", "draws/exporter" };
    for (int k = 0; k < 2; k++) {
        char **names;
        size_t n;
        OK(h5in_read_strings(r, copies[k], &names, &n, ERRBUF));
        assert_int_equal(n, E);
        for (size_t e = 0; e < E; e++)
            assert_string_equal(names[e], exporters[e]);
        h5in_free_strings(names, n);
    }
    char *text = NULL, **names = NULL;
    size_t n = 0;
    assert_int_equal(h5in_read_string_scalar(r, "exporter", &text, ERRBUF), -1);
    assert_non_null(strstr(g_err, "'exporter' is not a single text"));
    assert_int_equal(h5in_read_strings(r, "config_yaml", &names, &n, ERRBUF), -1);
    assert_non_null(strstr(g_err, "'config_yaml' is not a 1-D text variable"));
    h5in_close(r);
}

static void test_empty_texts_read_back_empty(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "empty.h5");
    h5out_t *h = h5out_create(path, ERRBUF);
    assert_non_null(h);
    const char *const labels[2] = { "", "x" };
    OK(h5out_def_dim_strings(h, "label", 2, labels, "labels", ERRBUF));
    OK(h5out_write_string_scalar(h, "note", "", "an empty text", ERRBUF));
    OK(h5out_write_string_scalar(h, "group/none", NULL, "no text", ERRBUF));
    OK(h5out_commit(h, ERRBUF));
    h5in_t *r = open_or_fail(path);
    char **names;
    size_t n;
    OK(h5in_read_strings(r, "label", &names, &n, ERRBUF));
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "");
    assert_string_equal(names[1], "x");
    h5in_free_strings(names, n);
    const char *const scalars[] = { "note", "group/none" };
    for (int k = 0; k < 2; k++) {
        char *text;
        OK(h5in_read_string_scalar(r, scalars[k], &text, ERRBUF));
        assert_string_equal(text, "");
        free(text);
    }
    assert_int_equal(h5in_exists(r, "group_none_strlen"), 1);   /* dimensions at the root */
    h5in_close(r);
}

/* Files written before the character arrays hold variable-length UTF-8 strings: a 1-D
 * coordinate that is its own scale and a scalar config_yaml. Written here with HDF5
 * itself, as that writer did. */
static void write_vlen_file(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t vt = H5Tcopy(H5T_C_S1);
    assert_true(f >= 0 && H5Tset_size(vt, H5T_VARIABLE) >= 0 &&
                H5Tset_cset(vt, H5T_CSET_UTF8) >= 0);
    hsize_t n = E;
    hid_t sp = H5Screate_simple(1, &n, NULL), scalar = H5Screate(H5S_SCALAR);
    hid_t ex = H5Dcreate2(f, "exporter", vt, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(ex, vt, H5S_ALL, H5S_ALL, H5P_DEFAULT, exporters) >= 0);
    assert_true(H5DSset_scale(ex, "exporter") >= 0);
    double v[E] = { 1, 2, 3, 4 };
    hid_t flow = H5Dcreate2(f, "flow", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT,
                            H5P_DEFAULT);
    assert_true(H5Dwrite(flow, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    assert_true(H5DSattach_scale(flow, ex, 0) >= 0);
    const char *text = config_text;
    hid_t cfg = H5Dcreate2(f, "config_yaml", vt, scalar, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(cfg, vt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0);
    H5Dclose(cfg);
    H5Dclose(flow);
    H5Dclose(ex);
    H5Sclose(scalar);
    H5Sclose(sp);
    H5Tclose(vt);
    H5Fclose(f);
}

static void test_older_variable_length_strings_still_read(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "vlen.h5");
    write_vlen_file(path);
    h5in_t *r = open_or_fail(path);
    check_dims(r, "exporter", 1, (const char *[]){ "exporter" }, (size_t[]){ E }, H5OUT_STRING);
    check_dims(r, "flow", 1, (const char *[]){ "exporter" }, (size_t[]){ E }, H5OUT_DOUBLE);
    char **names;
    size_t n;
    OK(h5in_read_strings(r, "exporter", &names, &n, ERRBUF));
    assert_int_equal(n, E);
    for (size_t e = 0; e < E; e++)
        assert_string_equal(names[e], exporters[e]);
    h5in_free_strings(names, n);
    int nd = -1;
    h5out_type_t type = H5OUT_OTHER;
    OK(h5in_var_info(r, "config_yaml", &nd, NULL, NULL, &type, ERRBUF));
    assert_int_equal(nd, 0);
    assert_int_equal(type, H5OUT_STRING);
    char *text;
    OK(h5in_read_string_scalar(r, "config_yaml", &text, ERRBUF));
    assert_string_equal(text, config_text);
    free(text);
    assert_int_equal(h5in_read_strings(r, "flow", &names, &n, ERRBUF), -1);
    assert_non_null(strstr(g_err, "'flow' is not a 1-D text variable"));
    h5in_close(r);
}

/* ---- safety: checksums, outputs that are not ours, stale temporaries ---- */

static herr_t check_filter(hid_t root, const char *name, const H5O_info_t *info, void *arg)
{
    int *unguarded = arg;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t d = H5Dopen2(root, name, H5P_DEFAULT);
    hid_t space = H5Dget_space(d), type = H5Dget_type(d), dcpl = H5Dget_create_plist(d);
    int rank = H5Sget_simple_extent_ndims(space);
    unsigned flags, config;
    size_t nelmts = 0;
    char fname[32];
    int numeric = H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT;
    int text = H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) == 0;
    if ((numeric || text) && rank > 0 &&
        H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, &flags, &nelmts, NULL, sizeof fname,
                             fname, &config) < 0) {
        fprintf(stderr, "no checksum: %s\n", name);
        ++*unguarded;
    }
    H5Pclose(dcpl);
    H5Tclose(type);
    H5Sclose(space);
    H5Dclose(d);
    return 0;
}

static void test_every_numeric_dataset_has_a_checksum(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "checksum.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    int unguarded = 0;
    assert_true(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, check_filter, &unguarded) >= 0);
    H5Fclose(f);
    assert_int_equal(unguarded, 0);
}

static void flip_byte(const char *path, long offset)
{
    int fd = open(path, O_RDWR);
    unsigned char b;
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &b, 1, offset), 1);
    b ^= 0x08;
    assert_int_equal(pwrite(fd, &b, 1, offset), 1);
    close(fd);
}

/* Flips a byte in the middle of the first chunk of dataset name. */
static void flip_chunk(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), space = H5Dget_space(d);
    hsize_t offset[H5OUT_MAX_DIMS], size;
    haddr_t addr;
    unsigned mask;
    assert_true(H5Dget_chunk_info(d, space, 0, offset, &mask, &addr, &size) >= 0);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
    flip_byte(path, (long)(addr + size / 2));
}

static void test_a_flipped_byte_is_a_checksum_error(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "flipped.h5");
    OK(h5out_commit(write_fixture(path), ERRBUF));
    flip_chunk(path, "summary/flow_mean");
    h5in_t *r = open_or_fail(path);
    double flow_mean[P * E * I];
    assert_int_equal(h5in_read_double(r, "summary/flow_mean", flow_mean, ERRBUF), -1);
    assert_non_null(strstr(g_err, "flipped.h5: cannot read variable 'summary/flow_mean': "
                              "checksum error: the file is corrupt"));
    h5in_close(r);
    /* text too: the labels and config_yaml are character arrays, checksummed */
    const char *const texts[] = { "summary/exporter", "config_yaml" };
    for (int k = 0; k < 2; k++) {
        path_in_dir(path, sizeof path, k ? "flipped-config.h5" : "flipped-labels.h5");
        OK(h5out_commit(write_fixture(path), ERRBUF));
        flip_chunk(path, texts[k]);
        r = open_or_fail(path);
        char **names = NULL, *text = NULL;
        size_t n = 0;
        int rc = k ? h5in_read_string_scalar(r, texts[k], &text, ERRBUF)
                   : h5in_read_strings(r, texts[k], &names, &n, ERRBUF);
        assert_int_equal(rc, -1);
        char want[200];
        snprintf(want, sizeof want, "cannot read variable '%s': checksum error", texts[k]);
        if (!strstr(g_err, want))
            fail_msg("%s", g_err);
        h5in_close(r);
    }
}

static void test_an_output_that_is_a_link_or_a_pipe_is_refused(void **state)
{
    (void)state;
    char target[300], link[300], fifo[300], buf[16] = "";
    path_in_dir(target, sizeof target, "precious.txt");
    path_in_dir(link, sizeof link, "link.h5");
    path_in_dir(fifo, sizeof fifo, "fifo.h5");
    FILE *t = fopen(target, "w");
    fputs("precious", t);
    fclose(t);
    assert_int_equal(symlink("precious.txt", link), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_null(h5out_create(link, ERRBUF));
    assert_non_null(strstr(g_err, "link.h5: exists and is a symbolic link, not a regular file"));
    assert_null(h5out_create(fifo, ERRBUF));
    assert_non_null(strstr(g_err, "is a named pipe"));
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    t = fopen(target, "r");
    assert_non_null(fgets(buf, sizeof buf, t));
    fclose(t);
    assert_string_equal(buf, "precious");
}

static void count_removed(const char *path, void *arg)
{
    (void)path;
    ++*(int *)arg;
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static void test_only_temporaries_of_dead_processes_are_removed(void **state)
{
    (void)state;
    pid_t dead = fork(), dead2 = dead ? fork() : 0;
    if (dead == 0 || dead2 == 0)
        _exit(0);
    assert_true(dead > 0 && dead2 > 0);
    waitpid(dead, NULL, 0);
    waitpid(dead2, NULL, 0);
    char out[300], stale[400], alive[400], locked[400], other[400], mine[400];
    path_in_dir(out, sizeof out, "stale.h5");
    snprintf(stale, sizeof stale, "%s.tmp.%ld", out, (long)dead);
    snprintf(alive, sizeof alive, "%s.tmp.%ld", out, (long)getppid());
    snprintf(mine, sizeof mine, "%s.tmp.%ld", out, (long)getpid());
    snprintf(locked, sizeof locked, "%s.tmp.%ld", out, (long)dead2);
    snprintf(other, sizeof other, "%s.tmp.x%ld", out, (long)dead);
    touch(stale);
    touch(alive);
    touch(mine);
    touch(locked);
    touch(other);
    int fd = open(locked, O_RDONLY);   /* as HDF5 holds a file it writes */
    assert_int_equal(flock(fd, LOCK_EX), 0);
    int removed = 0;
    assert_int_equal(h5out_remove_stale(out, count_removed, &removed), 1);
    assert_int_equal(removed, 1);
    assert_false(file_exists(stale));
    assert_true(file_exists(alive) && file_exists(mine) && file_exists(locked) &&
                file_exists(other));
    close(fd);
    assert_int_equal(h5out_remove_stale(out, NULL, NULL), 1);   /* unlocked now */
    assert_false(file_exists(locked));
}

int main(void)
{
    const char *fixture = getenv("H5OUT_FIXTURE");
    if (fixture && fixture[0]) {
        if (h5out_commit(write_fixture(fixture), ERRBUF) != 0) {
            fprintf(stderr, "test_h5out: %s\n", g_err);
            return 1;
        }
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_reads_back_bitwise),
        cmocka_unit_test(test_streamed_blocks_read_back_bitwise),
        cmocka_unit_test(test_dimension_names_come_from_attached_scales),
        cmocka_unit_test(test_scales_are_attached_as_hdf5_attaches_them),
        cmocka_unit_test(test_attributes_read_back_exactly),
        cmocka_unit_test(test_attribute_types_and_coordinates),
        cmocka_unit_test(test_members_are_listed_in_creation_order),
        cmocka_unit_test(test_text_is_a_netcdf_character_array),
        cmocka_unit_test(test_empty_texts_read_back_empty),
        cmocka_unit_test(test_older_variable_length_strings_still_read),
        cmocka_unit_test(test_commit_renames_atomically),
        cmocka_unit_test(test_commit_replaces_an_older_file_only_at_the_end),
        cmocka_unit_test(test_abort_deletes_the_temporary_file),
        cmocka_unit_test(test_abort_keeps_partial_file_marked_incomplete),
        cmocka_unit_test(test_missing_folder_error_names_the_file),
        cmocka_unit_test(test_path_below_a_regular_file_is_refused),
        cmocka_unit_test(test_too_long_path_is_refused),
        cmocka_unit_test(test_undefined_dimension_and_bad_blocks_are_reported),
        cmocka_unit_test(test_full_disk_fails_commit_and_removes_temporary),
        cmocka_unit_test(test_streaming_memory_does_not_grow_with_draws),
        cmocka_unit_test(test_reader_reports_missing_and_foreign_files),
        cmocka_unit_test(test_every_numeric_dataset_has_a_checksum),
        cmocka_unit_test(test_a_flipped_byte_is_a_checksum_error),
        cmocka_unit_test(test_an_output_that_is_a_link_or_a_pipe_is_refused),
        cmocka_unit_test(test_only_temporaries_of_dead_processes_are_removed),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
