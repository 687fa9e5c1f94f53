/*
 * testutil.h - helpers shared by the cmocka suites.
 * cmocka 1.1.5 (Debian 12) has no floating-point assert: assert_close() checks
 * |a - b| <= abs_tol + rel_tol * |b| and prints both values when it fails.
 */
#ifndef AGTRADE_TESTUTIL_H
#define AGTRADE_TESTUTIL_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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

#endif
