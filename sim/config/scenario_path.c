/* scenario_path.c - see scenario_path.h. */
#include "scenario_path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* folder/name into out when that is a file. */
static int try_in(const char *folder, size_t folder_len, const char *name, char *out,
                  size_t outlen)
{
    if (folder_len == 0)
        return 0;
    int n = snprintf(out, outlen, "%.*s/%s", (int)folder_len, folder, name);
    return n > 0 && (size_t)n < outlen && is_file(out);
}

/* <dir of the running binary>/../share/agtrade/configs */
static int installed_folder(char *out, size_t outlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    int k = snprintf(out, outlen, "%s/../share/agtrade/configs", exe);
    return k > 0 && (size_t)k < outlen;
}

const char *scenario_path_find(const char *given, const char *name, char *out, size_t outlen)
{
    if (is_file(given) || strchr(name, '/') || !name[0])
        return given;
    const char *env = getenv("AGTRADE_CONFIG_PATH");
    for (const char *p = env; p && *p;) {
        size_t len = strcspn(p, ":");
        if (try_in(p, len, name, out, outlen))
            return out;
        p += len + (p[len] == ':');
    }
    char folder[PATH_MAX];
    if (installed_folder(folder, sizeof folder) && try_in(folder, strlen(folder), name, out, outlen))
        return out;
    return given;
}

int scenario_output_folder(const char *output, char *err, size_t errlen)
{
    const char *slash = strrchr(output, '/');
    if (!slash || slash == output)
        return 0;
    char folder[PATH_MAX];
    snprintf(folder, sizeof folder, "%.*s", (int)(slash - output), output);
    struct stat st;
    if (stat(folder, &st) == 0)
        return 0;   /* there (or not a folder: creating the file then says so) */
    if (mkdir(folder, 0777) == 0 || errno == EEXIST)
        return 0;
    if (errno == ENOENT)
        return 0;   /* its parent is missing too: not ours to invent; the create reports it */
    snprintf(err, errlen, "%s: cannot create folder %s: %s", output, folder, strerror(errno));
    return -1;
}
