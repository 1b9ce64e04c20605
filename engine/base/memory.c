#include "memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* The number after key in a "Key:   123 kB" file such as /proc/meminfo, in bytes. */
static int meminfo_bytes(const char *path, const char *key, uint64_t *out)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char line[256];
    size_t k = strlen(key);
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long long v;
        if (strncmp(line, key, k) == 0 && line[k] == ':' && sscanf(line + k + 1, "%llu", &v) == 1) {
            *out = (uint64_t)v * (strstr(line, "kB") ? 1024u : 1u);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

/* A file holding one number ("max" reads as no limit). */
static int file_number(const char *path, uint64_t *out)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    unsigned long long v;
    int ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    if (ok)
        *out = (uint64_t)v;
    return ok;
}

/* Room under the cgroup (v2) this process is in: /proc/self/cgroup's "0::/path". */
static int cgroup_room(uint64_t *out)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return 0;
    char line[4096], rel[4096] = "";
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "0::", 3) == 0) {
            snprintf(rel, sizeof rel, "%s", line + 3);
            rel[strcspn(rel, "\n")] = '\0';
        }
    fclose(f);
    if (!rel[0])
        return 0;
    char path[4200];
    uint64_t max, current;
    snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", strcmp(rel, "/") ? rel : "");
    if (!file_number(path, &max))
        return 0; /* "max", or no memory controller */
    snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.current", strcmp(rel, "/") ? rel : "");
    if (!file_number(path, &current))
        current = 0;
    *out = max > current ? max - current : 0;
    return 1;
}

static void consider(uint64_t v, const char *name, uint64_t *best, const char **from)
{
    if (v < *best) {
        *best = v;
        *from = name;
    }
}

uint64_t eng_memory_available(const char **from)
{
    uint64_t best = UINT64_MAX, v;
    *from = "";
    if (meminfo_bytes("/proc/meminfo", "MemAvailable", &v))
        consider(v, "MemAvailable in /proc/meminfo", &best, from);
    if (cgroup_room(&v))
        consider(v, "the room left under the cgroup's memory.max", &best, from);
    uint64_t mapped = 0;
    (void)meminfo_bytes("/proc/self/status", "VmSize", &mapped);
    static const struct {
        int resource;
        const char *name;
    } limits[] = {{RLIMIT_AS, "RLIMIT_AS (ulimit -v)"}, {RLIMIT_DATA, "RLIMIT_DATA (ulimit -d)"}};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        struct rlimit rl;
        if (getrlimit(limits[i].resource, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
            consider((uint64_t)rl.rlim_cur > mapped ? (uint64_t)rl.rlim_cur - mapped : 0,
                     limits[i].name, &best, from);
    }
    if (best == UINT64_MAX)
        return 0;
    return best ? best : 1; /* none left is still a limit */
}
