/* progress.c - see progress.h. */
#include "progress.h"
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_init(progress_t *p, int quiet)
{
    p->mode = quiet ? PROGRESS_QUIET : isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_LINES;
    p->start = p->last_print = progress_now();
    p->interval = p->mode == PROGRESS_BAR ? 0.2 : 5.0;
    p->printed = 0;
}

static void format_duration(double seconds, char *buf, size_t len)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else
        snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
}

void progress_update(void *ctx, uint64_t done, uint64_t total)
{
    progress_t *p = ctx;
    double now = progress_now();
    if (p->mode == PROGRESS_QUIET || (now - p->last_print < p->interval && done < total))
        return;
    p->last_print = now;
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double frac = total ? (double)done / (double)total : 1;
    char left[32];
    format_duration(rate > 0 ? (double)(total - done) / rate : 0, left, sizeof left);
    if (p->mode == PROGRESS_BAR) {
        char bar[31];
        int filled = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %5.1f%%  %llu/%llu draws  %.0f draws/s  %s left ", bar,
                100 * frac, (unsigned long long)done, (unsigned long long)total, rate, left);
    } else {
        fprintf(stderr, "agtrade: %llu/%llu draws (%.1f%%), %.0f draws/s, %s left\n",
                (unsigned long long)done, (unsigned long long)total, 100 * frac, rate, left);
    }
    fflush(stderr);
    p->printed = 1;
}

void progress_finish(progress_t *p)
{
    if (p->mode == PROGRESS_BAR && p->printed)
        fputc('\n', stderr);
}
