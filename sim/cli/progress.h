/*
 * progress.h - progress report on stderr: a bar with draws/s and time left on a
 * terminal, a plain line every few seconds otherwise, nothing when quiet.
 * Called only from the thread that runs the engine.
 */
#ifndef AGTRADE_PROGRESS_H
#define AGTRADE_PROGRESS_H

#include <stdint.h>

typedef enum { PROGRESS_QUIET, PROGRESS_BAR, PROGRESS_LINES } progress_mode_t;

typedef struct {
    progress_mode_t mode;
    double start, last_print;
    double interval;      /* seconds between plain lines */
    int printed;
} progress_t;

void progress_init(progress_t *p, int quiet);
/* engine_progress_fn-compatible: ctx is a progress_t. */
void progress_update(void *ctx, uint64_t done, uint64_t total);
/* Ends the bar's line (if any). */
void progress_finish(progress_t *p);

#endif
