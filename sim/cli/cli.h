/*
 * cli.h - the subcommands of bin/agtrade. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit code below; sim/main.c only
 * dispatches. Subcommands print diagnostics on stderr as "agtrade: <message>".
 */
#ifndef AGTRADE_CLI_H
#define AGTRADE_CLI_H

#include <getopt.h>
#include <stddef.h>

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

/* getopt_long() for subcommand argv[0] ("run", "check", ...), so that every subcommand
 * parses options the same way: -h/--help and -V/--version are the caller's to handle
 * ('h', 'V'), and a bad option prints "agtrade CMD: unrecognized option '--x' (try
 * 'agtrade CMD --help')" (or "... option '-n' needs a value") itself and returns '?'.
 * Resets getopt's state on the first call for a new argv (optind = 0 first). */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* The text of the last option cli_getopt() returned as the user typed it, with its value
 * ("-n 12", "--draws=12", "-n12"), for messages. */
void cli_option_as_typed(char **argv, char *out, size_t outlen);

/* The options of a subcommand that has no others than -h/--help (prints usage on stdout)
 * and -V/--version: EXIT_OK after those, EXIT_USAGE after a bad option (said why), -1
 * to go on with the operands argv[optind..argc). */
int cli_simple_options(int argc, char **argv, const char *usage);

/* "agtrade 0.1.0 (git <commit>)" on stdout: the one version line of every subcommand. */
void cli_print_version(void);

int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif
