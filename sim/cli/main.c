/* main.c - bin/agtrade: dispatches to one subcommand (sim/cmd_*.c). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "cli.h"
#include "cluster.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: agtrade <command> [options]\n"
        "\n"
        "commands:\n"
        "  check FILE            validate and calibrate a scenario file, print its baseline\n"
        "  run FILE [options]    run the Monte Carlo and write an HDF5 file (agtrade run --help)\n"
        "  summary OUT.h5        the results of an output file as a table (text, csv, json)\n"
        "  merge OUT.h5 SHARD... merge the shard files of a sweep into one file\n"
        "  compare A.h5 B.h5...  scenarios side by side: means, differences, standard errors\n"
        "\n"
        "  --help, --version\n"
        "\n"
        "Scenario files given by bare name are also looked up in AGTRADE_CONFIG_PATH and in\n"
        "the installed PREFIX/share/agtrade/configs (their keys: README.md there).\n"
        "More: man agtrade (installed) or man -l sim/doc/agtrade.1 (source tree).\n");
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        cli_print_version();
        return EXIT_OK;
    }
    if (!strcmp(cmd, "check"))   return cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))     return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "summary")) return cmd_summary(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge"))   return cmd_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return cmd_compare(argc - 1, argv + 1);
    fprintf(stderr, "agtrade: unknown command '%s' (try 'agtrade --help')\n", cmd);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    char err[256];
    /* GSL's default handler aborts the process; agtrade checks every return code */
    gsl_set_error_handler_off();
    /* a file-size limit (ulimit -f, quotas) must end as a write error, exit 74 and the
     * temporary file removed, not kill the process */
    signal(SIGXFSZ, SIG_IGN);
    if (cluster_init(&argc, &argv, err, sizeof err)) {
        fprintf(stderr, "agtrade: %s\n", err);
        cluster_finalize();
        return EXIT_SOFTWARE;
    }
    int rc = dispatch(argc, argv);
    cluster_finalize();
    return rc;
}
