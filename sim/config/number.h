/*
 * number.h - the one grammar of the numbers a user types, wherever they type them
 * (scenario files, --set, --sweep, -n, -s, -j, --shard), and the shortest text that reads
 * back to exactly the same double.
 *
 * Grammar (YAML 1.2 core schema, decimal only): [+-] digits [. digits] [(e|E) [+-] digits]
 * with at least one digit before the exponent, or [+-].inf / .Inf / .INF. No hexadecimal,
 * no nan, no surrounding spaces: "0x1p-2" and "1 " are refused everywhere alike.
 * Whole numbers (counts, seeds) are digits with an optional '+'.
 *
 * Pure functions: no allocation, no I/O, thread-safe.
 */
#ifndef AGTRADE_NUMBER_H
#define AGTRADE_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* Return codes of the parsers. */
enum {
    NUMBER_OK = 0,
    NUMBER_NOT_A_NUMBER,   /* no number at the start of the text */
    NUMBER_TRAILING_JUNK,  /* a number followed by more text (*rest points at it) */
    NUMBER_OUT_OF_RANGE,   /* overflows a double / a uint64_t */
    NUMBER_NOT_WHOLE       /* number_parse_u64: a number, but not digits (-3, 1.5, 1e3) */
};

/* Length of the longest prefix of s that is a number of the grammar (0 when none). */
size_t number_prefix(const char *s);

/* The whole text s as a double (infinities allowed; underflow to 0 is not an error).
 * On NUMBER_TRAILING_JUNK, *rest (when rest is not NULL) points at the junk. */
int number_parse_double(const char *s, double *x, const char **rest);

/* The whole text s as a non-negative whole number. */
int number_parse_u64(const char *s, uint64_t *x, const char **rest);

/* The shortest "%.{15,16,17}g" text that strtod reads back to exactly x (".inf", "-.inf"
 * for infinities) into out; returns out. */
const char *number_format_double(char *out, size_t outlen, double x);

#endif
