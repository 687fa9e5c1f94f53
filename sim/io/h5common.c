/*
 * h5common.c - what the HDF5 writer (h5out.c) and reader (h5in.c) share: HDF5's error
 * capture (process-wide: see sim/README.md), id release, the string types.
 */
#include "h5common.h"
#include "error.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- errors */

typedef struct {
    char detail[256];
    int found_errno;
} walk_t;

/* The detail of the latest HDF5 failure, captured when it happens: the clean-up calls
 * that follow a failure (closing ids) clear HDF5's error stack before we report. */
static walk_t g_last;

static herr_t error_walk(unsigned n, const H5E_error2_t *e, void *arg)
{
    walk_t *w = arg;
    const char *desc = e->desc ? e->desc : "";
    const char *m = strstr(desc, "error message = '");
    if (m && !w->found_errno) {
        m += strlen("error message = '");
        size_t k = strcspn(m, "'");
        if (k >= sizeof w->detail)
            k = sizeof w->detail - 1;
        memcpy(w->detail, m, k);
        w->detail[k] = '\0';
        w->found_errno = 1;
    } else if (n == 0 && !w->found_errno) {
        snprintf(w->detail, sizeof w->detail, "%s", desc);
    }
    return 0;
}

/* HDF5's automatic error handler, replaced: records the most telling line of the
 * failing call's stack (an operating-system message such as "No space left on device"
 * when there is one, else the innermost description) and prints nothing. An OS
 * message is not overwritten by a later, vaguer failure before it is reported. */
static herr_t error_capture(hid_t stack, void *unused)
{
    (void)unused;
    walk_t w = { .detail = "", .found_errno = 0 };
    H5Ewalk2(stack, H5E_WALK_UPWARD, error_walk, &w);
    if (w.detail[0] && (w.found_errno || !g_last.found_errno))
        g_last = w;
    return 0;
}

void errors_quiet(void)
{
    /* The process-wide settings: HDF5 failures are captured for err, never printed;
     * and no HDF5 atexit clean-up, which would crash on a file whose close failed
     * (disk full). H5dont_atexit only works before the library initialises. */
    static int done;
    if (!done) {
        H5dont_atexit();
        done = 1;
    }
    H5Eset_auto2(H5E_DEFAULT, error_capture, NULL);
}

/* Takes (and forgets) the captured detail of the latest failure. A failed Fletcher-32
 * checksum (see h5out.c's create_dataset) is said in words: the file changed after it
 * was written. */
void error_detail(char *buf, size_t len)
{
    if (strstr(g_last.detail, "Fletcher32") || strstr(g_last.detail, "checksum"))
        snprintf(buf, len, "checksum error: the file is corrupt (%.160s)", g_last.detail);
    else
        snprintf(buf, len, "%s", g_last.detail[0] ? g_last.detail : "HDF5 error");
    g_last.detail[0] = '\0';
    g_last.found_errno = 0;
    H5Eclear2(H5E_DEFAULT);
}

/* After an expected failure (probing for an attribute): nothing to report. */
void error_forget(void)
{
    g_last.detail[0] = '\0';
    g_last.found_errno = 0;
    H5Eclear2(H5E_DEFAULT);
}

/* "<file>: cannot <what> '<obj>': <HDF5 detail>" */
int hdf5_fail(char *err, size_t errlen, const char *file, const char *what,
              const char *obj)
{
    char detail[256];
    error_detail(detail, sizeof detail);
    error_format(err, errlen, "%s: cannot %s '%s': %s", file, what, obj, detail);
    return -1;
}

const char *obj_or_root(const char *obj)
{
    return (obj == NULL || obj[0] == '\0') ? "/" : obj;
}

void close_id(hid_t id)
{
    if (id >= 0)
        H5Idec_ref(id);
}

/* ---------------------------------------------------------------- types */

hid_t char_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return -1;
    if (H5Tset_size(t, 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(t, H5T_CSET_ASCII) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

int is_char_type(hid_t ftype)
{
    return H5Tget_class(ftype) == H5T_STRING && H5Tis_variable_str(ftype) == 0 &&
           H5Tget_size(ftype) == 1;
}
