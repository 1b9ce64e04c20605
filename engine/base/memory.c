#include "memory.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* The number after key and sep on a line of a "key: 123 kB" (/proc/meminfo, sep ':') or
 * "key 123" (cgroup memory.stat, sep ' ') file, in bytes. */
static int keyed_number(const char *path, const char *key, char sep, uint64_t *out)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char line[256];
    size_t k = strlen(key);
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long long v;
        if (strncmp(line, key, k) == 0 && line[k] == sep && sscanf(line + k + 1, "%llu", &v) == 1) {
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

/* Memory a cgroup uses that it could not give back at once: its usage less the page
 * cache nobody is using (inactive_file), which the kernel reclaims before it kills. */
static uint64_t cgroup_used(const char *dir, const char *usage_file, const char *inactive_key)
{
    char path[4400];
    uint64_t used = 0, inactive = 0;
    snprintf(path, sizeof path, "%s/%s", dir, usage_file);
    if (!file_number(path, &used))
        return 0;
    snprintf(path, sizeof path, "%s/memory.stat", dir);
    if (!keyed_number(path, inactive_key, ' ', &inactive))
        inactive = 0;
    return used > inactive ? used - inactive : 0;
}

/* The least room under the memory limits of the cgroup at mount/rel and each of its
 * ancestors (a limit is often set on a parent slice, not on the job's own group). */
static int cgroup_room_from(const char *mount, const char *rel, const char *limit_file,
                            const char *usage_file, const char *inactive_key, uint64_t *out)
{
    char dir[4200], rel_copy[4096];
    snprintf(rel_copy, sizeof rel_copy, "%s", rel);
    int found = 0;
    for (;;) {
        snprintf(dir, sizeof dir, "%s%s", mount, strcmp(rel_copy, "/") ? rel_copy : "");
        char path[4400];
        uint64_t max;
        snprintf(path, sizeof path, "%s/%s", dir, limit_file);
        /* "max" (v2) reads as no number; v1 says "none" with a number near 2^63. */
        if (file_number(path, &max) && max < (UINT64_C(1) << 60)) {
            uint64_t used = cgroup_used(dir, usage_file, inactive_key);
            uint64_t room = max > used ? max - used : 0;
            if (!found || room < *out)
                *out = room;
            found = 1;
        }
        char *slash = strrchr(rel_copy, '/');
        if (!slash || slash == rel_copy) {
            if (strcmp(rel_copy, "/") == 0 || !rel_copy[0])
                break;
            strcpy(rel_copy, "/");
        } else {
            *slash = '\0';
        }
    }
    return found;
}

/* 1 when the comma-separated list names controller ("cpu,memory" has "memory";
 * "name=memoryless" does not). */
static int has_controller(const char *list, const char *controller)
{
    size_t n = strlen(controller);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, controller, n) == 0)
            return 1;
        p += k + (p[k] == ',');
    }
    return 0;
}

/* Room under the cgroup this process is in, v2 ("0::/path") or v1 ("N:...memory...:/path").
 * In a container without its own cgroup namespace the path names the host's hierarchy,
 * which is not mounted there: the mount's root is then the container's group. */
static int cgroup_room(const char *root, uint64_t *out)
{
    char path[4200], v1_mount[4200], v2_mount[4200];
    snprintf(path, sizeof path, "%s/proc/self/cgroup", root);
    snprintf(v1_mount, sizeof v1_mount, "%s/sys/fs/cgroup/memory", root);
    snprintf(v2_mount, sizeof v2_mount, "%s/sys/fs/cgroup", root);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char line[4096], v2[4096] = "", v1[4096] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *ctrl = strchr(line, ':'), *rel = ctrl ? strchr(ctrl + 1, ':') : NULL;
        if (!rel)
            continue;
        *rel++ = '\0';
        *ctrl++ = '\0';
        if (strstr(rel, "/..")) /* never a real group; never read outside cgroupfs */
            continue;
        if (strcmp(line, "0") == 0 && !*ctrl)
            snprintf(v2, sizeof v2, "%s", rel);
        else if (has_controller(ctrl, "memory"))
            snprintf(v1, sizeof v1, "%s", rel);
    }
    fclose(f);
    int found = 0;
    uint64_t room;
    /* The walk up from the group ends at the mount's root, which is the container's own
     * group when the host's path is not mounted here. */
    if (v1[0] && cgroup_room_from(v1_mount, v1, "memory.limit_in_bytes", "memory.usage_in_bytes",
                                  "total_inactive_file", &room)) {
        *out = room;
        found = 1;
    }
    if (v2[0] &&
        cgroup_room_from(v2_mount, v2, "memory.max", "memory.current", "inactive_file", &room)) {
        if (!found || room < *out)
            *out = room;
        found = 1;
    }
    return found;
}

static void consider(uint64_t v, const char *name, int counts_mapped, eng_memory_room *r)
{
    if (v < r->bytes) {
        r->bytes = v;
        r->from = name;
        r->counts_mapped = counts_mapped;
    }
}

eng_memory_room eng_memory_available(void)
{
    return eng_memory_available_in("");
}

eng_memory_room eng_memory_available_in(const char *root)
{
    eng_memory_room r = {UINT64_MAX, "", 0};
    uint64_t v;
    char path[4200];
    snprintf(path, sizeof path, "%s/proc/meminfo", root);
    if (keyed_number(path, "MemAvailable", ':', &v))
        consider(v, "MemAvailable in /proc/meminfo", 0, &r);
    if (cgroup_room(root, &v))
        consider(v, "the room left under the cgroup's memory limit", 0, &r);
    uint64_t mapped = 0;
    (void)keyed_number("/proc/self/status", "VmSize", ':', &mapped);
    static const struct {
        int resource;
        const char *name;
    } limits[] = {{RLIMIT_AS, "RLIMIT_AS (ulimit -v)"}, {RLIMIT_DATA, "RLIMIT_DATA (ulimit -d)"}};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        struct rlimit rl;
        if (getrlimit(limits[i].resource, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
            consider((uint64_t)rl.rlim_cur > mapped ? (uint64_t)rl.rlim_cur - mapped : 0,
                     limits[i].name, 1, &r);
    }
    if (r.bytes == UINT64_MAX)
        r.bytes = 0;
    else if (r.bytes == 0)
        r.bytes = 1; /* none left is still a limit */
    return r;
}
