/*
 * error.h - the one way agtrade's library code reports a failure: a return code plus a
 * one-line message written into a caller-supplied buffer (which may be NULL or empty).
 */
#ifndef AGTRADE_ERROR_H
#define AGTRADE_ERROR_H

#include <stddef.h>

/* printf-style into err[errlen], always NUL-terminated; nothing when err is NULL. */
void error_format(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
