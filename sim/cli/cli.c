/* cli.c - see cli.h: option parsing and the version line shared by the subcommands. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include "version.h"

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    char opts[128];
    /* leading ':' tells a missing value (':') from an unknown option ('?') */
    snprintf(opts, sizeof opts, ":%s", shortopts);
    opterr = 0;   /* getopt would print "run: unrecognized option", without "agtrade " */
    int c = getopt_long(argc, argv, opts, longopts, NULL);
    if (c != '?' && c != ':')
        return c;
    const char *cmd = argv[0];
    const char *typed = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    if (c == ':')
        fprintf(stderr, "agtrade %s: option '%s' needs a value (try 'agtrade %s --help')\n", cmd,
                typed, cmd);
    else if (optopt && typed[0] == '-' && typed[1] != '-')
        fprintf(stderr, "agtrade %s: unrecognized option '-%c' (try 'agtrade %s --help')\n", cmd,
                optopt, cmd);
    else
        fprintf(stderr, "agtrade %s: unrecognized option '%s' (try 'agtrade %s --help')\n", cmd,
                typed, cmd);
    return '?';
}

void cli_option_as_typed(char **argv, char *out, size_t outlen)
{
    /* "-n 12": the value is its own argument, right after the option */
    if (optind >= 2 && optarg == argv[optind - 1])
        snprintf(out, outlen, "%.200s %.200s", argv[optind - 2], optarg);
    else
        snprintf(out, outlen, "%.400s", argv[optind - 1]);
}

int cli_simple_options(int argc, char **argv, const char *usage)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    while ((c = cli_getopt(argc, argv, "hV", longopts)) != -1) {
        if (c == 'h')
            fputs(usage, stdout);
        else if (c == 'V')
            cli_print_version();
        else
            return EXIT_USAGE;
        return EXIT_OK;
    }
    return -1;
}

void cli_print_version(void)
{
    printf("agtrade %s (git %s)\n", AGTRADE_VERSION, AGTRADE_GIT_COMMIT);
}
