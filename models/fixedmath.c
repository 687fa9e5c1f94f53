/*
 * fixedmath.c - one fixed code path for the C library's transcendental functions, so
 * that a draw gives the same bits on every CPU.
 *
 * Why: glibc's libm picks an implementation of exp, log, pow, sin, atan, ... per CPU
 * when the program loads (an "ifunc": on x86-64 a variant compiled for FMA/AVX2 where
 * the CPU has them, the SSE2 baseline elsewhere). Both are accurate to about half an
 * ulp but round differently now and then, so one seed gave different last bits on an
 * FMA node and on one without: a default run with glibc's FMA variants masked
 * (GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F) moved summary datasets;
 * tests/e2e_cpu.sh compares the two bit for bit. GSL's distributions call the same
 * functions (gsl_cdf_ugaussian_Pinv calls log, the ziggurat's tail exp and log, the
 * beta and gamma samplers log and pow), so changing only our own calls would not do.
 *
 * What: this file DEFINES the functions below under their C-library names, each a call
 * of SLEEF's deterministic non-FMA scalar function (Sleef_cinz_*d1_u10purec; hypot
 * _u05): plain C without FMA, the same bits on every architecture, and the family the
 * batched solve's vector exp/log belong to (solve_batch_kernel.c). A program linking
 * this object uses them for its own calls, and the dynamic linker binds the shared
 * libraries' calls (libgsl's) to them as well, since it searches the executable first
 * (the way a malloc replacement works). The set is every transcendental function this
 * project's code or libgsl imports (`nm -D --undefined-only`); the exact ones (sqrt,
 * fabs, floor, fmod, frexp, ldexp, modf) stay glibc's, as does whatever HDF5 calls
 * beyond pow (log10, round: metadata, not results).
 *
 * Linking: this object is a member of libagtrade.a; a program that links any of the
 * model's or the sampler's objects (they call exp and log) pulls it in, before -lm is
 * searched. tests/test_fixedmath.c checks, in a program linked like every other, that
 * these functions and GSL's own calls of them return SLEEF's bits.
 *
 * Accuracy: at most 1 ulp (hypot 0.5001) where glibc's are about 0.5; errno is not set
 * (nothing here reads it). Cost: 3 to 7 times glibc's per call (models/README.md).
 * Pure functions: thread safe.
 */
#define _GNU_SOURCE /* sincos's prototype */
#include <math.h>
#include <sleef.h>

double exp(double x) { return Sleef_cinz_expd1_u10purec(x); }
double expm1(double x) { return Sleef_cinz_expm1d1_u10purec(x); }
double log(double x) { return Sleef_cinz_logd1_u10purec(x); }
double log1p(double x) { return Sleef_cinz_log1pd1_u10purec(x); }
double pow(double x, double y) { return Sleef_cinz_powd1_u10purec(x, y); }
double hypot(double x, double y) { return Sleef_cinz_hypotd1_u05purec(x, y); }
double sin(double x) { return Sleef_cinz_sind1_u10purec(x); }
double cos(double x) { return Sleef_cinz_cosd1_u10purec(x); }
double tan(double x) { return Sleef_cinz_tand1_u10purec(x); }
double asin(double x) { return Sleef_cinz_asind1_u10purec(x); }
double acos(double x) { return Sleef_cinz_acosd1_u10purec(x); }
double atan(double x) { return Sleef_cinz_atand1_u10purec(x); }
double atan2(double y, double x) { return Sleef_cinz_atan2d1_u10purec(y, x); }
double sinh(double x) { return Sleef_cinz_sinhd1_u10purec(x); }
double cosh(double x) { return Sleef_cinz_coshd1_u10purec(x); }
double tanh(double x) { return Sleef_cinz_tanhd1_u10purec(x); }
double asinh(double x) { return Sleef_cinz_asinhd1_u10purec(x); }
double acosh(double x) { return Sleef_cinz_acoshd1_u10purec(x); }
double atanh(double x) { return Sleef_cinz_atanhd1_u10purec(x); }

void sincos(double x, double *s, double *c)
{
    Sleef_double_2 r = Sleef_cinz_sincosd1_u10purec(x);
    *s = r.x;
    *c = r.y;
}
