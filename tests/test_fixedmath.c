/*
 * test_fixedmath.c - models/fixedmath.c: in a program linked like every other (against
 * libagtrade.a), the C library's transcendental functions return SLEEF's deterministic
 * bits, for this program's calls and for GSL's calls inside libgsl; and they are not
 * glibc's (found with dlsym(RTLD_NEXT)), so a program that bound glibc's instead would
 * fail here.
 */
#define _GNU_SOURCE /* RTLD_NEXT, sincos */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_sf_exp.h>
#include <gsl/gsl_sf_log.h>
#include <sleef.h>

#include "testutil.h"

enum { N = 100000 };

/* The i-th of N arguments spread over [lo, hi), by a fixed irrational stride. */
static double arg(int i, double lo, double hi)
{
    double u = fmod(0.5 + i * 0.6180339887498949, 1.0);
    return lo + (hi - lo) * u;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

typedef double (*fn1)(double);
typedef double (*fn2)(double, double);

/* Each function named as the program calls it, its SLEEF counterpart and a range. */
static const struct {
    const char *name;
    fn1 ours, sleef;
    double lo, hi;
} ONE[] = {
    {"exp", exp, Sleef_cinz_expd1_u10purec, -700, 700},
    {"expm1", expm1, Sleef_cinz_expm1d1_u10purec, -5, 5},
    {"log", log, Sleef_cinz_logd1_u10purec, 1e-300, 1e6},
    {"log1p", log1p, Sleef_cinz_log1pd1_u10purec, -0.999, 10},
    {"sin", sin, Sleef_cinz_sind1_u10purec, -100, 100},
    {"cos", cos, Sleef_cinz_cosd1_u10purec, -100, 100},
    {"tan", tan, Sleef_cinz_tand1_u10purec, -10, 10},
    {"asin", asin, Sleef_cinz_asind1_u10purec, -1, 1},
    {"acos", acos, Sleef_cinz_acosd1_u10purec, -1, 1},
    {"atan", atan, Sleef_cinz_atand1_u10purec, -50, 50},
    {"sinh", sinh, Sleef_cinz_sinhd1_u10purec, -20, 20},
    {"cosh", cosh, Sleef_cinz_coshd1_u10purec, -20, 20},
    {"tanh", tanh, Sleef_cinz_tanhd1_u10purec, -5, 5},
    {"asinh", asinh, Sleef_cinz_asinhd1_u10purec, -50, 50},
    {"acosh", acosh, Sleef_cinz_acoshd1_u10purec, 1, 50},
    {"atanh", atanh, Sleef_cinz_atanhd1_u10purec, -0.999, 0.999},
};

static const struct {
    const char *name;
    fn2 ours, sleef;
    double lo, hi, lo2, hi2;
} TWO[] = {
    {"pow", pow, Sleef_cinz_powd1_u10purec, 1e-3, 1e3, -3, 3},
    {"atan2", atan2, Sleef_cinz_atan2d1_u10purec, -5, 5, -5, 5},
    {"hypot", hypot, Sleef_cinz_hypotd1_u05purec, -1e3, 1e3, -1e3, 1e3},
};

/* The program's own calls give SLEEF's bits. */
static void test_program_calls_are_sleef(void **state)
{
    (void)state;
    for (size_t f = 0; f < sizeof ONE / sizeof ONE[0]; f++)
        for (int i = 0; i < N; i++) {
            double x = arg(i, ONE[f].lo, ONE[f].hi);
            if (!same_bits(ONE[f].ours(x), ONE[f].sleef(x)))
                fail_msg("%s(%.17g) = %.17g, SLEEF %.17g", ONE[f].name, x, ONE[f].ours(x),
                         ONE[f].sleef(x));
        }
    for (size_t f = 0; f < sizeof TWO / sizeof TWO[0]; f++)
        for (int i = 0; i < N; i++) {
            double x = arg(i, TWO[f].lo, TWO[f].hi), y = arg(i + 7 * N, TWO[f].lo2, TWO[f].hi2);
            if (!same_bits(TWO[f].ours(x, y), TWO[f].sleef(x, y)))
                fail_msg("%s(%.17g, %.17g) differs from SLEEF", TWO[f].name, x, y);
        }
    for (int i = 0; i < N; i++) {
        double x = arg(i, -100, 100), s, c;
        sincos(x, &s, &c);
        Sleef_double_2 r = Sleef_cinz_sincosd1_u10purec(x);
        assert_true(same_bits(s, r.x) && same_bits(c, r.y));
    }
}

/* glibc's exp, log and pow (the next definitions after the program's) differ from
 * SLEEF's on some of these arguments: a program that bound glibc's would fail above. */
static void test_glibc_differs(void **state)
{
    (void)state;
    const char *names[] = {"exp", "log", "pow"};
    for (int f = 0; f < 3; f++) {
        void *p = dlsym(RTLD_NEXT, names[f]);
        assert_non_null(p);
        int differ = 0;
        for (int i = 0; i < N; i++) {
            double x = arg(i, 0.01, 20);
            if (f == 2)
                differ += !same_bits(((fn2)(uintptr_t)p)(x, 0.37), Sleef_cinz_powd1_u10purec(x, 0.37));
            else if (f == 1)
                differ += !same_bits(((fn1)(uintptr_t)p)(x), Sleef_cinz_logd1_u10purec(x));
            else
                differ += !same_bits(((fn1)(uintptr_t)p)(x), Sleef_cinz_expd1_u10purec(x));
        }
        print_message("  glibc's %s and SLEEF's differ on %d of %d arguments\n", names[f], differ, N);
        assert_true(differ > 0);
    }
}

/* Inside libgsl: gsl_sf_exp and gsl_sf_log call exp and log through the dynamic linker,
 * as its distributions do (the binding is per symbol, for the whole library). */
static void test_gsl_calls_are_sleef(void **state)
{
    (void)state;
    for (int i = 0; i < N; i++) {
        double x = arg(i, -600, 600), y = arg(i, 1e-200, 1e5);
        assert_true(same_bits(gsl_sf_exp(x), Sleef_cinz_expd1_u10purec(x)));
        assert_true(same_bits(gsl_sf_log(y), Sleef_cinz_logd1_u10purec(y)));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_program_calls_are_sleef),
        cmocka_unit_test(test_glibc_differs),
        cmocka_unit_test(test_gsl_calls_are_sleef),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
