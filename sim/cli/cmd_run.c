/* cmd_run.c - `agtrade run`: a scenario (or a sweep of it) through the engine to HDF5. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "config.h"
#include "number.h"
#include "run.h"
#include "engine.h"
#include "scenario_path.h"
#include "solve_batch.h"
#include "sweep.h"

static const char run_usage[] =
    "usage: agtrade run FILE [options]\n"
    "\n"
    "Runs the Monte Carlo of a scenario file and writes an HDF5 file.\n"
    "\n"
    "  -n, --draws N          number of draws (default: run.draws of the file)\n"
    "  -s, --seed S           random seed (default: run.seed of the file)\n"
    "  -o, --output OUT.h5    output file (default: run.output of the file)\n"
    "  -j, --threads T        OpenMP threads (default: all cores, or OMP_NUM_THREADS)\n"
    "      --set KEY=VALUE    override any config key (repeatable; see configs/README.md)\n"
    "      --sweep KEY=START:STOP:STEP | KEY=v1,v2,...\n"
    "                         sweep a numeric key (repeatable: the cartesian product)\n"
    "      --shard K/N        run every N-th point starting at K (default: from Slurm's\n"
    "                         SLURM_ARRAY_TASK_ID/_MIN/_COUNT when set)\n"
    "      --resume           continue from OUT.partial.h5 left by an interrupted run\n"
    "      --raw-draws        also write every draw's values (group /draws)\n"
    "      --sobol N          also run the Saltelli design of N rows (N (k + 2) model runs\n"
    "                         for k inputs, the regime one of them) and write Sobol\n"
    "                         indices with intervals (group /sensitivity; = run.sobol)\n"
    "      --print-config     print the resolved configuration as YAML and exit\n"
    "  -q, --quiet            no progress on stderr\n"
    "  -h, --help, -V, --version\n"
    "\n"
    "exit codes: 0 ok, 64 usage, 65 bad config, 66 missing input, 70 internal error,\n"
    "            74 I/O error, 75 interrupted (finished points saved to OUT.partial.h5)\n";

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
}

static int parse_u64(const char *text, uint64_t *out)
{
    return number_parse_u64(text, out, NULL) == NUMBER_OK ? 0 : -1;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "agtrade: %s (try 'agtrade run --help')\n", msg);
    return EXIT_USAGE;
}

static int bad_value(const char *option, const char *arg, const char *what)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s '%s': %s", option, arg, what);
    return usage_error(msg);
}

enum { OPT_SET = 1000, OPT_SWEEP, OPT_SHARD, OPT_RESUME, OPT_RAW, OPT_PRINT, OPT_SOBOL };

static int solve_kernel_from_env(run_options_t *o);

static int parse_options(int argc, char **argv, run_options_t *o)
{
    static const struct option longopts[] = {
        {"draws", required_argument, NULL, 'n'},   {"seed", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},  {"threads", required_argument, NULL, 'j'},
        {"set", required_argument, NULL, OPT_SET}, {"sweep", required_argument, NULL, OPT_SWEEP},
        {"shard", required_argument, NULL, OPT_SHARD}, {"resume", no_argument, NULL, OPT_RESUME},
        {"raw-draws", no_argument, NULL, OPT_RAW}, {"print-config", no_argument, NULL, OPT_PRINT},
        {"sobol", required_argument, NULL, OPT_SOBOL},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0}};
    char err[512];
    optind = 0;   /* glibc: full re-initialisation, so cmd_run can be called again */
    int c;
    while ((c = cli_getopt(argc, argv, "n:s:o:j:qhV", longopts)) != -1) {
        switch (c) {
        case 'n':
            if (parse_u64(optarg, &o->draws) || o->draws == 0)
                return bad_value("--draws", optarg, "must be a positive integer");
            o->has_draws = 1;
            cli_option_as_typed(argv, o->typed[0], sizeof o->typed[0]);
            break;
        case 's':
            if (parse_u64(optarg, &o->seed))
                return bad_value("--seed", optarg, "must be a non-negative integer");
            o->has_seed = 1;
            cli_option_as_typed(argv, o->typed[1], sizeof o->typed[1]);
            break;
        case 'o':
            o->output = optarg;
            cli_option_as_typed(argv, o->typed[2], sizeof o->typed[2]);
            break;
        case 'j': {
            uint64_t t;
            if (parse_u64(optarg, &t) || t < 1 || t > 4096)
                return bad_value("--threads", optarg, "must be an integer in 1..4096");
            o->threads = (int)t;
            break;
        }
        case OPT_SET: o->sets[o->n_sets++] = optarg; break;
        case OPT_SOBOL: {   /* --set run.sobol=N in disguise, so config_yaml records it */
            static char set[64];
            uint64_t n;
            if (parse_u64(optarg, &n) || n < 2)
                return bad_value("--sobol", optarg, "must be an integer >= 2");
            snprintf(set, sizeof set, "run.sobol=%llu", (unsigned long long)n);
            o->sets[o->n_sets++] = set;
            break;
        }
        case OPT_SWEEP:
            if (o->n_sweeps >= SWEEP_MAX_KEYS)
                return bad_value("--sweep", optarg, "too many swept keys (at most 16)");
            if (sweep_parse(optarg, &o->sweeps[o->n_sweeps], err, sizeof err))
                return usage_error(err);
            o->n_sweeps++;
            break;
        case OPT_SHARD:
            if (shard_parse(optarg, &o->shard_k, &o->shard_n, err, sizeof err))
                return usage_error(err);
            o->has_shard = 1;
            break;
        case OPT_RESUME: o->resume = 1; break;
        case OPT_RAW: o->raw = 1; break;
        case OPT_PRINT: o->print_config = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': fputs(run_usage, stdout); return -1;
        case 'V': cli_print_version(); return -1;
        default: return EXIT_USAGE;   /* cli_getopt said why */
        }
    }
    if (optind != argc - 1)
        return usage_error(optind >= argc ? "run needs exactly one scenario FILE"
                                          : "run takes one FILE; extra arguments given");
    static char found[CONFIG_PATH_MAX];   /* a shipped scenario named bare (scenario_path.h) */
    o->config_path = scenario_path_find(argv[optind], argv[optind], found, sizeof found);
    return solve_kernel_from_env(o);
}

/* AGTRADE_SOLVE (a diagnostic, agtrade(1) ENVIRONMENT): how annual draws are solved,
 * engine.h's solve_kernel. Unset or "batched": the default. */
static int solve_kernel_from_env(run_options_t *o)
{
    static const struct { const char *name; int kernel; } modes[] = {
        { "batched", ENGINE_SOLVE_BATCHED }, { "scalar", ENGINE_SOLVE_SCALAR },
        { "portable", SOLVE_KERNEL_PORTABLE }, { "avx2", SOLVE_KERNEL_AVX },
        { "avx512", SOLVE_KERNEL_AVX512 },
    };
    const char *v = getenv("AGTRADE_SOLVE");
    if (!v || !*v)
        return 0;
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++)
        if (strcmp(v, modes[k].name) == 0) {
            o->solve_kernel = modes[k].kernel;
            if (modes[k].kernel > 0 && !solve_batch_kernel_available(modes[k].kernel)) {
                fprintf(stderr, "agtrade: AGTRADE_SOLVE=%s: this CPU cannot run that kernel\n", v);
                return EXIT_USAGE;
            }
            return 0;
        }
    fprintf(stderr, "agtrade: AGTRADE_SOLVE='%s': expected batched, scalar, portable, avx2 or "
            "avx512\n", v);
    return EXIT_USAGE;
}

int cmd_run(int argc, char **argv)
{
    run_options_t opt;
    memset(&opt, 0, sizeof opt);
    opt.sets = calloc((size_t)argc + 1, sizeof *opt.sets);
    if (!opt.sets) {
        fprintf(stderr, "agtrade: out of memory\n");
        return EXIT_SOFTWARE;
    }
    int rc = parse_options(argc, argv, &opt);
    if (rc == 0) {
        opt.command_line = argv;
        opt.command_argc = argc;
        stop_signal = 0;
        install_signal_handlers();
        opt.stop = &stop_signal;
        rc = run_execute(&opt);
    } else if (rc < 0) {
        rc = EXIT_OK;   /* --help / --version */
    }
    for (int k = 0; k < opt.n_sweeps; k++)
        free(opt.sweeps[k].values);
    free(opt.sets);
    return rc;
}
