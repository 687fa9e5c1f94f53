/*
 * testutil.h - helpers shared by the cmocka suites.
 * cmocka 1.1.5 (Debian 12) has no floating-point assert: assert_close() checks
 * |a - b| <= abs_tol + rel_tol * |b| and prints both values when it fails.
 * skip_unless_heap_measurable() guards tests that count heap bytes with mallinfo2().
 * test_dir_make() / test_dir_remove(): a suite's scratch folder.
 */
#ifndef AGTRADE_TESTUTIL_H
#define AGTRADE_TESTUTIL_H

#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* A suite's scratch folder: a new STEM.XXXXXX under $TMPDIR (else /tmp) into dir (group
 * set-up), removed with everything in it (group tear-down). 0, or -1. */
static inline int test_dir_make(char *dir, size_t len, const char *stem)
{
    snprintf(dir, len, "%s/%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", stem);
    return mkdtemp(dir) ? 0 : -1;
}

static inline int test_dir_remove(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#define assert_close(a, b, rel_tol, abs_tol) \
    assert_close_impl((a), (b), (rel_tol), (abs_tol), #a, __FILE__, __LINE__)

static inline void assert_close_impl(double a, double b, double rel_tol, double abs_tol,
                                     const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= abs_tol + rel_tol * fabs(b))) {
        print_error("%s = %.17g, expected %.17g (rel %.3g, abs %.3g)\n",
                    what, a, b, rel_tol, abs_tol);
        _fail(file, line);
    }
}

/* Whether glibc's mallinfo2() sees this process's allocations. Under AddressSanitizer or
 * valgrind another allocator serves malloc and mallinfo2() reads the same whatever is
 * allocated, so a test comparing heap counts would assert nothing: it skips instead. */
static inline int heap_is_measurable(void)
{
    struct mallinfo2 before = mallinfo2();
    volatile char *p = malloc(4096);
    if (!p)
        return 0;
    p[0] = 1;   /* used, so the allocation cannot be optimised away */
    struct mallinfo2 during = mallinfo2();
    free((void *)p);
    return during.uordblks >= before.uordblks + 4096;
}

/* Whether valgrind runs this process (it preloads its vgpreload_*.so): the few suites
 * whose size makes valgrind take minutes run a smaller sample there, and say so. */
static inline int under_valgrind(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre && strstr(pre, "vgpreload") != NULL;
}

#define skip_unless_heap_measurable()                                                    \
    do {                                                                                 \
        if (!heap_is_measurable()) {                                                     \
            print_message("skipped: mallinfo2() does not see this allocator (sanitizer " \
                          "or valgrind)\n");                                             \
            skip();                                                                      \
        }                                                                                \
    } while (0)

#endif
