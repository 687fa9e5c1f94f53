/*
 * run.h - what `agtrade run` does once its options are parsed: load and resolve the
 * config, choose the shard's points, run each point through the engine, and write the
 * output file (temporary file + rename; a partial file on interruption). Part of the
 * command-line layer: it prints diagnostics on stderr and returns a process exit code.
 */
#ifndef AGTRADE_RUN_H
#define AGTRADE_RUN_H

#include <signal.h>
#include <stdint.h>
#include "sweep.h"

typedef struct {
    const char *config_path;
    uint64_t draws, seed;
    int has_draws, has_seed;
    const char *output;
    char typed[3][420];                /* -n, -s, -o as the user typed them, for messages */
    int threads;                       /* 0: OpenMP default */
    const char **sets;                 /* --set KEY=VALUE, in order */
    int n_sets;
    config_sweep_t sweeps[SWEEP_MAX_KEYS];
    int n_sweeps;
    int shard_k, shard_n, has_shard;
    int resume, raw, quiet, print_config;
    int solve_kernel;                  /* engine_spec_t's, from AGTRADE_SOLVE */
    char **command_line;
    int command_argc;
    volatile sig_atomic_t *stop;       /* set by SIGINT/SIGTERM/SIGUSR1 */
} run_options_t;

int run_execute(const run_options_t *opt);

/* 1 (after printing why) when output exists and is the same file (device and inode) as
 * one of inputs[0..n-1]; 0 otherwise. Also used by `agtrade merge` for its shards. */
int run_output_is_input(const char *output, const char *const *inputs, int n);

#endif
