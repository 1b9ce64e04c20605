/* Helpers shared by the libFuzzer harnesses: one scratch directory per fuzzing process,
 * whole-file writes into it, and removal of a tree inside it.
 *
 * The directory is made once (mkdtemp under $TMPDIR, else /tmp) and reused for every
 * input; each harness removes what one input wrote before returning, so nothing grows
 * with the number of executions and nothing is written outside the directory. It is
 * removed at exit. Everything is static inline so that each harness compiles alone and
 * unused helpers cost no warning. */
#ifndef TESTS_FUZZ_UTIL_H
#define TESTS_FUZZ_UTIL_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../rmtree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fz_dir[512];

static inline void fz_dir_remove(void)
{
    if (fz_dir[0])
        tu_rm_tree(fz_dir);
    fz_dir[0] = '\0';
}

/* The process's scratch directory, made on first use. Aborts when it cannot be made: a
 * harness without it would test nothing. */
static inline const char *fz_dir_get(void)
{
    if (fz_dir[0])
        return fz_dir;
    const char *tmp = getenv("TMPDIR");
    snprintf(fz_dir, sizeof fz_dir, "%s/slipway-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fz_dir)) {
        perror("slipway fuzz: mkdtemp");
        abort();
    }
    atexit(fz_dir_remove);
    return fz_dir;
}

/* dst = scratch directory + "/" + name. */
static inline const char *fz_path(char *dst, size_t cap, const char *name)
{
    snprintf(dst, cap, "%s/%s", fz_dir_get(), name);
    return dst;
}

static inline void fz_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror("slipway fuzz: write");
        abort();
    }
}

#endif
