/* number.c - see number.h. Written by hand: strtod alone accepts hexadecimal, nan,
 * leading spaces and "infinity", which a scenario file must not. */
#include "number.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t number_prefix(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!strncmp(p, ".inf", 4) || !strncmp(p, ".Inf", 4) || !strncmp(p, ".INF", 4))
        return (size_t)(p + 4 - s);
    size_t digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits++;
    }
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        const char *e = p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return (size_t)(e - s);
        while (isdigit((unsigned char)*p))
            p++;
    }
    return (size_t)(p - s);
}

int number_parse_double(const char *s, double *x, const char **rest)
{
    size_t n = number_prefix(s);
    if (!n)
        return NUMBER_NOT_A_NUMBER;
    if (s[n]) {
        if (rest)
            *rest = s + n;
        return NUMBER_TRAILING_JUNK;
    }
    const char *p = s + (*s == '+' || *s == '-');
    if (*p == '.' && (p[1] == 'i' || p[1] == 'I')) {
        *x = *s == '-' ? -INFINITY : INFINITY;
        return NUMBER_OK;
    }
    errno = 0;
    *x = strtod(s, NULL);
    if (errno == ERANGE && fabs(*x) > 1.0)
        return NUMBER_OUT_OF_RANGE;
    return NUMBER_OK;
}

int number_parse_u64(const char *s, uint64_t *x, const char **rest)
{
    size_t np = number_prefix(s);
    const char *d0 = s + (*s == '+');
    if (np && !s[np] && strspn(d0, "0123456789") != strlen(d0))
        return NUMBER_NOT_WHOLE;
    size_t d = 0;
    while (isdigit((unsigned char)d0[d]))
        d++;
    if (!d)
        return NUMBER_NOT_A_NUMBER;
    if (d0[d]) {
        if (rest)
            *rest = d0 + d;
        return NUMBER_TRAILING_JUNK;
    }
    errno = 0;
    unsigned long long v = strtoull(d0, NULL, 10);
    if (errno == ERANGE)
        return NUMBER_OUT_OF_RANGE;
    *x = (uint64_t)v;
    return NUMBER_OK;
}

const char *number_format_double(char *out, size_t outlen, double x)
{
    if (isinf(x)) {
        snprintf(out, outlen, "%s", x < 0 ? "-.inf" : ".inf");
        return out;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, outlen, "%.*g", prec, x);
        if (strtod(out, NULL) == x)
            break;
    }
    return out;
}
