/*
 * sweep.h - sweep points (the cartesian product of swept keys) and shards.
 *
 * Points are numbered in C order over the keys: the first key varies slowest, so the
 * output's `point` axis unstacks into a grid in the order the keys were given.
 * A shard K/N owns the points p with p % N == K.
 */
#ifndef AGTRADE_SWEEP_H
#define AGTRADE_SWEEP_H

#include <stddef.h>

#define SWEEP_MAX_KEYS 16
#define SWEEP_MAX_VALUES 100000

/* One swept key (a dotted config key) and the values it takes; values is malloc'd. */
typedef struct {
    char key[256];
    double *values;
    int n_values;
} config_sweep_t;

/* Parse "KEY=START:STOP:STEP" (STOP included when it lies on the grid) or
 * "KEY=v1,v2,...". Numbers are converted strictly. Fills a config_sweep_t whose values
 * the caller frees. 0 on success. */
int sweep_parse(const char *arg, config_sweep_t *out, char *err, size_t errlen);

/* The values of a START:STOP:STEP range; 0 on success. */
int sweep_range(double start, double stop, double step, double **values, int *n_values,
                char *err, size_t errlen);

/* Number of points of a sweep (1 when there is no swept key). */
size_t sweep_n_points(const config_sweep_t *sweeps, int n_sweeps);

/* The value of every key at point p (values has n_sweeps entries). */
void sweep_point_values(const config_sweep_t *sweeps, int n_sweeps, size_t point,
                        double *values);

/* Parse "K/N" (0 <= K < N). 0 on success. */
int shard_parse(const char *arg, int *k, int *n, char *err, size_t errlen);

/* The shard implied by Slurm's job-array variables (SLURM_ARRAY_TASK_ID, _MIN, _COUNT,
 * _STEP) of a range array (--array=A-B or A-B:S; a list like 1,3,7 cannot be mapped):
 * 1 and fills k, n when they are set and consistent, 0 when not in a job array,
 * -1 with a message when they are malformed. */
int shard_from_slurm(int *k, int *n, char *err, size_t errlen);

#endif
