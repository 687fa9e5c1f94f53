/*
 * h5out_file.c - the output file of the writer (h5out.h) on disk: h5out_create refuses to
 * replace what is not a regular file and writes to OUT.tmp.PID; h5out_commit makes it
 * durable and renames it onto OUT, h5out_abort removes it (or keeps it under another
 * name), h5out_remove_stale clears the temporaries of writers that died. What goes into
 * the file is h5out.c.
 */
#include "h5out.h"
#include "h5common.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

enum {
    /* B-tree order of the chunk index: HDF5's default (32) gives each chunked dataset a
     * node of several kB, which for our ~650 small one-chunk datasets doubles the file */
    ISTORE_K = 4
};

/* ---------------------------------------------------------------- create */

h5out_t *h5out_create(const char *final_path, char *err, size_t errlen)
{
    errors_quiet();
    if (!final_path || !final_path[0]) {
        error_format(err, errlen, "output file name is empty");
        return NULL;
    }
    /* The rename at commit replaces whatever the name holds: a device (/dev/null), a
     * pipe or a symbolic link (the link, not its target) would be destroyed. Only a
     * regular file, or nothing, may be replaced; and the refusal comes now, not after
     * all the work. */
    struct stat st;
    if (lstat(final_path, &st) == 0 && !S_ISREG(st.st_mode)) {
        error_format(err, errlen, "%s: exists and is %s, not a regular file; refusing to "
                     "replace it (give a new file name)", final_path,
                     S_ISDIR(st.st_mode)   ? "a directory"
                     : S_ISLNK(st.st_mode) ? "a symbolic link"
                     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                     : S_ISFIFO(st.st_mode) ? "a named pipe"
                                            : "a special file");
        return NULL;
    }
    h5out_t *h = calloc(1, sizeof *h);
    if (!h) {
        error_format(err, errlen, "%s: out of memory", final_path);
        return NULL;
    }
    h->file = -1;
    int n1 = snprintf(h->final_path, sizeof h->final_path, "%s", final_path);
    int n2 = snprintf(h->temp_path, sizeof h->temp_path, "%s.tmp.%ld", final_path, (long)getpid());
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof h->temp_path) {
        error_format(err, errlen, "%.200s...: output path too long (%zu bytes, at most %d)",
                final_path, strlen(final_path), PATH_MAX - 24);
        free(h);
        return NULL;
    }
    /* Opening it ourselves first gives the operating system's reason on failure. */
    int fd = open(h->temp_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        error_format(err, errlen, "%s: cannot create file %s: %s", final_path, h->temp_path,
                strerror(errno));
        free(h);
        return NULL;
    }
    close(fd);

    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    if (fcpl >= 0 && fapl >= 0 && H5Pset_link_creation_order(fcpl, order) >= 0 &&
        H5Pset_attr_creation_order(fcpl, order) >= 0 && H5Pset_istore_k(fcpl, ISTORE_K) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) >= 0 &&
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0)
        h->file = H5Fcreate(h->temp_path, H5F_ACC_TRUNC, fcpl, fapl);
    close_id(fcpl);
    close_id(fapl);
    if (h->file < 0) {
        hdf5_fail(err, errlen, final_path, "create HDF5 file", h->temp_path);
        unlink(h->temp_path);
        free(h);
        return NULL;
    }
    return h;
}

const char *h5out_temp_path(const h5out_t *h)
{
    return h ? h->temp_path : NULL;
}

/* ---------------------------------------------------------------- finish */

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static void folder_of(const char *path, char *dir, size_t len)
{
    snprintf(dir, len, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

/* Closes streams and the file; writes complete last. Keeps h->temp_path on disk. */
static int close_file(h5out_t *h, int64_t complete, char *err, size_t errlen)
{
    int rc = 0;
    while (h->streams) {
        if (h5out_stream_close(h->streams, err, errlen) < 0)
            rc = -1;
    }
    if (h->file < 0)
        return -1;
    if (rc == 0 && h5out_write_scale_refs(h) < 0)
        rc = hdf5_fail(err, errlen, h->final_path, "attach dimension scales in", h->temp_path);
    if (rc == 0 && h5out_attr_int64(h, "/", "complete", complete, err, errlen) < 0)
        rc = -1;
    if (rc == 0 && H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0)
        rc = hdf5_fail(err, errlen, h->final_path, "write file", h->temp_path);
    herr_t crc = H5Fclose(h->file);
    /* HDF5 1.10 leaves a file whose close failed (disk full) half torn down: closing
     * it again, also in HDF5's atexit handler, crashes. It is abandoned (see
     * errors_quiet) and its temporary file unlinked by the caller. */
    if (crc < 0 && rc == 0)
        rc = hdf5_fail(err, errlen, h->final_path, "close file", h->temp_path);
    h->file = -1;
    return rc;
}

static void free_handle(h5out_t *h)
{
    for (size_t k = 0; k < h->ndims; k++)
        free(h->dims[k].attached);
    free(h->dims);
    free(h);
}

int h5out_commit(h5out_t *h, char *err, size_t errlen)
{
    if (!h) {
        error_format(err, errlen, "h5out_commit: no file");
        return -1;
    }
    if (h->streams) {
        error_format(err, errlen, "%s: variable '%s' still open at commit", h->final_path,
                h->streams->path);
        char ignored[8];
        close_file(h, 0, ignored, sizeof ignored);
        unlink(h->temp_path);
        free_handle(h);
        return -1;
    }
    int rc = close_file(h, 1, err, errlen);
    if (rc == 0 && fsync_path(h->temp_path, O_RDONLY) < 0) {
        error_format(err, errlen, "%s: cannot sync %s: %s", h->final_path, h->temp_path,
                strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(h->temp_path, h->final_path) < 0) {
        error_format(err, errlen, "%s: cannot rename %s onto it: %s", h->final_path, h->temp_path,
                strerror(errno));
        rc = -1;
    }
    if (rc == 0) {
        /* Makes the rename itself durable; failure here loses nothing already written. */
        char dir[PATH_MAX];
        folder_of(h->final_path, dir, sizeof dir);
        fsync_path(dir, O_RDONLY | O_DIRECTORY);
    } else {
        unlink(h->temp_path);
    }
    free_handle(h);
    return rc;
}

int h5out_abort(h5out_t *h, const char *keep_as, char *err, size_t errlen)
{
    if (!h)
        return 0;
    int rc = close_file(h, 0, err, errlen);
    if (keep_as && rc == 0) {
        if (rename(h->temp_path, keep_as) < 0) {
            error_format(err, errlen, "%s: cannot rename %s to %s: %s", h->final_path,
                    h->temp_path, keep_as, strerror(errno));
            rc = -1;
        }
    }
    if (!keep_as || rc != 0)
        unlink(h->temp_path);
    free_handle(h);
    return rc;
}

/* A temporary OUT.tmp.PID (see h5out_create) is stale when no process PID runs here
 * and nobody holds the lock HDF5 takes on a file it has open (which also covers a
 * writer on another node of a shared file system). */
int h5out_remove_stale(const char *final_path, void (*removed)(const char *path, void *arg),
                       void *arg)
{
    char dir[PATH_MAX], prefix[PATH_MAX], path[PATH_MAX];
    folder_of(final_path, dir, sizeof dir);
    const char *slash = strrchr(final_path, '/');
    snprintf(prefix, sizeof prefix, "%s.tmp.", slash ? slash + 1 : final_path);
    size_t plen = strlen(prefix);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        const char *digits = e->d_name + plen;
        if (strncmp(e->d_name, prefix, plen) || !*digits || strspn(digits, "0123456789") !=
            strlen(digits) || strlen(digits) > 9)
            continue;
        pid_t pid = (pid_t)atol(digits);
        if (pid <= 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        int len = snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - final_path + 1) : 0,
                           final_path, e->d_name);
        if (len < 0 || (size_t)len >= sizeof path)
            continue;
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        int stale = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                    flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (stale && unlink(path) == 0) {
            n++;
            if (removed)
                removed(path, arg);
        }
        if (fd >= 0)
            close(fd);
    }
    closedir(d);
    return n;
}
