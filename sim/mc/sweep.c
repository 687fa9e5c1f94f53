/* sweep.c - see sweep.h. */
#include "sweep.h"
#include "number.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* text[0..len) as a finite number of the one grammar (number.h) */
static int parse_number(const char *text, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    double v;
    if (number_parse_double(buf, &v, NULL) != NUMBER_OK || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int sweep_range(double start, double stop, double step, double **values, int *n_values,
                char *err, size_t errlen)
{
    /* the tolerance admits STOP when rounding leaves (stop - start) / step just below
     * an integer, e.g. 0:1.5:0.1 */
    double span = (stop - start) / step;
    if (!(step != 0) || !(span >= 0) || !isfinite(start) || !isfinite(stop) ||
        span + 1 > SWEEP_MAX_VALUES) {
        snprintf(err, errlen, "start %.6g, stop %.6g, step %.6g give no values (or more than %d)",
                 start, stop, step, SWEEP_MAX_VALUES);
        return -1;
    }
    int n = (int)floor(span + 1e-9) + 1;
    double *v = malloc((size_t)n * sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int k = 0; k < n; k++)
        v[k] = start + k * step;
    *values = v;
    *n_values = n;
    return 0;
}

static int parse_list(const char *list, double **values, int *n_values, char *err,
                      size_t errlen)
{
    int n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    double *v = malloc((size_t)n * sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const char *p = list;
    for (int k = 0; k < n; k++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (parse_number(p, len, &v[k])) {
            snprintf(err, errlen, "sweep value '%.*s' is not a number", (int)len, p);
            free(v);
            return -1;
        }
        p += len + 1;
    }
    *values = v;
    *n_values = n;
    return 0;
}

int sweep_parse(const char *arg, config_sweep_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof out->key || !eq[1]) {
        snprintf(err, errlen, "--sweep '%s': expected KEY=START:STOP:STEP or KEY=v1,v2,...",
                 arg);
        return -1;
    }
    memcpy(out->key, arg, (size_t)(eq - arg));
    out->key[eq - arg] = '\0';
    const char *spec = eq + 1;
    const char *c1 = strchr(spec, ':');
    if (!c1)
        return parse_list(spec, &out->values, &out->n_values, err, errlen);
    const char *c2 = strchr(c1 + 1, ':');
    double start, stop, step;
    if (!c2 || strchr(c2 + 1, ':') || parse_number(spec, (size_t)(c1 - spec), &start) ||
        parse_number(c1 + 1, (size_t)(c2 - c1 - 1), &stop) ||
        parse_number(c2 + 1, strlen(c2 + 1), &step)) {
        snprintf(err, errlen, "--sweep '%s': range must be START:STOP:STEP with numbers", arg);
        return -1;
    }
    char why[256];
    if (sweep_range(start, stop, step, &out->values, &out->n_values, why, sizeof why)) {
        snprintf(err, errlen, "--sweep '%s': %s", arg, why);
        return -1;
    }
    return 0;
}

size_t sweep_n_points(const config_sweep_t *sweeps, int n_sweeps)
{
    size_t n = 1;
    for (int k = 0; k < n_sweeps; k++)
        n *= (size_t)sweeps[k].n_values;
    return n;
}

void sweep_point_values(const config_sweep_t *sweeps, int n_sweeps, size_t point,
                        double *values)
{
    for (int k = n_sweeps - 1; k >= 0; k--) {
        size_t n = (size_t)sweeps[k].n_values;
        values[k] = sweeps[k].values[point % n];
        point /= n;
    }
}

int shard_parse(const char *arg, int *k, int *n, char *err, size_t errlen)
{
    char kk_text[32];
    const char *slash = strchr(arg, '/');
    uint64_t kk, nn;
    if (!slash || (size_t)(slash - arg) >= sizeof kk_text) {
        snprintf(err, errlen, "--shard '%s': expected K/N", arg);
        return -1;
    }
    memcpy(kk_text, arg, (size_t)(slash - arg));
    kk_text[slash - arg] = '\0';
    if (number_parse_u64(kk_text, &kk, NULL) || number_parse_u64(slash + 1, &nn, NULL)) {
        snprintf(err, errlen, "--shard '%s': expected K/N", arg);
        return -1;
    }
    if (nn < 1 || kk >= nn || nn > 1000000) {
        snprintf(err, errlen, "--shard '%s': expected K/N with 0 <= K < N", arg);
        return -1;
    }
    *k = (int)kk;
    *n = (int)nn;
    return 0;
}

static int env_long(const char *name, long *out)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    *out = strtol(s, &end, 10);
    return (errno || *end) ? -1 : 1;
}

int shard_from_slurm(int *k, int *n, char *err, size_t errlen)
{
    long id, min = 0, count, step = 1;
    int has_id = env_long("SLURM_ARRAY_TASK_ID", &id);
    if (has_id == 0)
        return 0;
    int has_count = env_long("SLURM_ARRAY_TASK_COUNT", &count);
    int has_min = env_long("SLURM_ARRAY_TASK_MIN", &min);
    int has_step = env_long("SLURM_ARRAY_TASK_STEP", &step);   /* --array=0-20:2 */
    if (has_id < 0 || has_count <= 0 || has_min < 0 || has_step < 0 || count < 1 || step < 1 ||
        id < min || (id - min) % step != 0 || (id - min) / step >= count) {
        snprintf(err, errlen,
                 "SLURM_ARRAY_TASK_ID/_MIN/_COUNT/_STEP (%s/%s/%s/%s) do not describe a range "
                 "array (--array=A-B[:S]); use --shard K/N",
                 getenv("SLURM_ARRAY_TASK_ID"),
                 getenv("SLURM_ARRAY_TASK_MIN") ? getenv("SLURM_ARRAY_TASK_MIN") : "unset",
                 getenv("SLURM_ARRAY_TASK_COUNT") ? getenv("SLURM_ARRAY_TASK_COUNT") : "unset",
                 getenv("SLURM_ARRAY_TASK_STEP") ? getenv("SLURM_ARRAY_TASK_STEP") : "unset");
        return -1;
    }
    *k = (int)((id - min) / step);
    *n = (int)count;
    return 1;
}
