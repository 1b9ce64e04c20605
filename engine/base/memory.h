/* How much memory this process may still take, from what the system says. */
#ifndef ENG_MEMORY_H
#define ENG_MEMORY_H

#include <stdint.h>

/* The least of: the kernel's MemAvailable (/proc/meminfo), the room left under this
 * process's cgroup and its ancestors (v1 or v2: the limit minus the usage, page cache
 * nobody uses counted free) and the address-space and data limits (RLIMIT_AS,
 * RLIMIT_DATA) minus what is already mapped. */
typedef struct eng_memory_room {
    uint64_t bytes;    /* 0 when none can be read: nothing then limits the run */
    const char *from;  /* the one that set it: "MemAvailable in /proc/meminfo", ... */
    int counts_mapped; /* an address-space or data limit: memory mapped and not yet
                          touched counts against it, not only what is resident */
} eng_memory_room;

eng_memory_room eng_memory_available(void);

/* The same with /proc and /sys read under root ("" for the real ones; tests build a fake
 * tree). The process limits (RLIMIT_*) are always the process's own. */
eng_memory_room eng_memory_available_in(const char *root);

#endif
