/*
 * cli.h - the subcommands of bin/agtrade. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit code below; sim/main.c only
 * dispatches. Subcommands print diagnostics on stderr as "agtrade: <message>".
 */
#ifndef AGTRADE_CLI_H
#define AGTRADE_CLI_H

/* Exit codes (sysexits.h values, documented in README.md). */
enum {
    EXIT_OK = 0,
    EXIT_FAILURE_GENERIC = 1,   /* e.g. draws that failed to converge beyond the limit */
    EXIT_USAGE = 64,            /* bad command line */
    EXIT_DATAERR = 65,          /* bad scenario file or inconsistent data */
    EXIT_NOINPUT = 66,          /* input file missing or unreadable */
    EXIT_SOFTWARE = 70,         /* internal error */
    EXIT_IOERR = 74,            /* cannot write output (e.g. disk full) */
    EXIT_INTERRUPTED = 75       /* stopped by a signal; partial results saved */
};

int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
