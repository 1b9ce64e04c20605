/* The memory a run may take, from a fake /proc and /sys tree: MemAvailable, a cgroup v2
 * limit on the job's own group or on a parent slice (page cache nobody uses counted as
 * free), a cgroup v1 limit, a container whose cgroup path is not mounted, and no limit. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/base/memory.h"

static char root[64];

static void put(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", root, rel);
    /* make every parent folder */
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static void setup_root(void)
{
    snprintf(root, sizeof root, "/tmp/slipway-memory-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    put("/proc/meminfo", "MemTotal:       16000000 kB\nMemAvailable:    8000000 kB\n");
}

static void teardown_root(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(memory, .init = setup_root, .fini = teardown_root);

Test(memory, mem_available_without_a_cgroup_limit)
{
    put("/proc/self/cgroup", "0::/job\n");
    put("/sys/fs/cgroup/job/memory.max", "max\n");
    cr_assert_eq(eng_memory_available_in(root).bytes, UINT64_C(8000000) * 1024);
    cr_assert_str_eq(eng_memory_available_in(root).from, "MemAvailable in /proc/meminfo");
}

Test(memory, cgroup_v2_limit_less_its_use_and_inactive_cache_counted_free)
{
    put("/proc/self/cgroup", "0::/job\n");
    put("/sys/fs/cgroup/job/memory.max", "1073741824\n");    /* 1 GiB */
    put("/sys/fs/cgroup/job/memory.current", "524288000\n"); /* 500 MiB, of which */
    put("/sys/fs/cgroup/job/memory.stat", "anon 1\ninactive_file 209715200\nactive_file 3\n");
    /* 1024 MiB - (500 - 200) MiB */
    cr_assert_eq(eng_memory_available_in(root).bytes, UINT64_C(724) << 20);
    cr_assert_str_eq(eng_memory_available_in(root).from,
                     "the room left under the cgroup's memory limit");
}

Test(memory, cgroup_v2_limit_on_a_parent_slice)
{
    put("/proc/self/cgroup", "0::/batch.slice/job-42.scope\n");
    put("/sys/fs/cgroup/batch.slice/job-42.scope/memory.max", "max\n");
    put("/sys/fs/cgroup/batch.slice/job-42.scope/memory.current", "100\n");
    put("/sys/fs/cgroup/batch.slice/memory.max", "2147483648\n");
    put("/sys/fs/cgroup/batch.slice/memory.current", "1073741824\n");
    cr_assert_eq(eng_memory_available_in(root).bytes, UINT64_C(1) << 30);
}

Test(memory, cgroup_v1_limit_and_v1_none)
{
    put("/proc/self/cgroup", "4:memory:/job\n1:name=systemd:/job\n");
    put("/sys/fs/cgroup/memory/job/memory.limit_in_bytes", "3221225472\n");
    put("/sys/fs/cgroup/memory/job/memory.usage_in_bytes", "1073741824\n");
    put("/sys/fs/cgroup/memory/job/memory.stat", "cache 5\ntotal_inactive_file 0\n");
    cr_assert_eq(eng_memory_available_in(root).bytes, UINT64_C(2) << 30);
    put("/sys/fs/cgroup/memory/job/memory.limit_in_bytes", "9223372036854771712\n");
    cr_assert_eq(eng_memory_available_in(root).bytes, UINT64_C(8000000) * 1024);
}

Test(memory, container_path_not_mounted_reads_the_mount_root)
{
    put("/proc/self/cgroup", "0::/host/kubepods/pod7/c1\n");
    put("/sys/fs/cgroup/memory.max", "536870912\n");
    put("/sys/fs/cgroup/memory.current", "0\n");
    cr_assert_eq(eng_memory_available_in(root).bytes, UINT64_C(512) << 20);
}

Test(memory, nothing_readable_is_no_limit)
{
    char empty[600];
    snprintf(empty, sizeof empty, "%s/nowhere", root);
    cr_assert_eq(eng_memory_available_in(empty).bytes, 0);
}

Test(memory, a_named_hierarchy_is_not_the_memory_controller)
{
    put("/proc/self/cgroup", "1:name=memoryless:/n\n");
    put("/sys/fs/cgroup/memory/n/memory.limit_in_bytes", "1048576\n");
    put("/sys/fs/cgroup/memory/n/memory.usage_in_bytes", "0\n");
    cr_assert_eq(eng_memory_available_in(root).bytes, UINT64_C(8000000) * 1024);
}

Test(memory, a_path_climbing_out_of_cgroupfs_is_not_read)
{
    put("/proc/self/cgroup", "0::/../../outside\n");
    put("/sys/fs/cgroup/cgroup.controllers", "memory\n"); /* the mount exists */
    put("/sys/outside/memory.max", "1048576\n");
    put("/sys/outside/memory.current", "0\n");
    cr_assert_eq(eng_memory_available_in(root).bytes, UINT64_C(8000000) * 1024);
    cr_assert_str_eq(eng_memory_available_in(root).from, "MemAvailable in /proc/meminfo");
}
