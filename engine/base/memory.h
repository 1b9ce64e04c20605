/* How much memory this process may still take, from what the system says. */
#ifndef ENG_MEMORY_H
#define ENG_MEMORY_H

#include <stdint.h>

/* The least of: the kernel's MemAvailable (/proc/meminfo), the room left under this
 * process's cgroup (v2 memory.max minus memory.current) and the address-space and data
 * limits (RLIMIT_AS, RLIMIT_DATA) minus what is already mapped. *from names the one
 * that set it ("MemAvailable", "the cgroup's memory.max", "RLIMIT_AS"...). 0 when none
 * can be read: nothing then limits the run. */
uint64_t eng_memory_available(const char **from);

/* The same with /proc and /sys read under root ("" for the real ones; tests build a fake
 * tree). The process limits (RLIMIT_*) are always the process's own. */
uint64_t eng_memory_available_in(const char *root, const char **from);

#endif
