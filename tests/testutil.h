/* Helpers shared by the Criterion unit tests: a scratch directory per test, whole-file
 * reads and writes, an independent SHA-256 (OpenSSL's EVP, not formats/sha256) and the
 * seed of randomised tests.
 *
 * Everything is static inline so that each test file compiles alone and unused helpers
 * cost no warning. A test that needs files calls tu_dir_new() in its suite's .init and
 * tu_dir_remove() in .fini, which Criterion runs even after a failed assertion, so no
 * scratch files are left behind. */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rmtree.h"

/* The scratch directory of the running test ("" when none). Each test runs in its own
 * process, so one static per file is enough. */
static char tu_dir[256];

static inline void tu_dir_new(void)
{
    snprintf(tu_dir, sizeof tu_dir, "/tmp/slipway-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tu_dir), "mkdtemp failed");
}

static inline void tu_dir_remove(void)
{
    if (tu_dir[0])
        tu_rm_tree(tu_dir);
    tu_dir[0] = '\0';
}

/* dst = tu_dir + "/" + name. */
static inline const char *tu_path(char *dst, size_t cap, const char *name)
{
    snprintf(dst, cap, "%s/%s", tu_dir, name);
    return dst;
}

static inline void tu_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len, "short write to %s", path);
    cr_assert_eq(fclose(f), 0);
}

/* Whole file, malloc'd with one extra NUL byte; *len = its size. */
static inline char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    size_t cap = 4096, n = 0;
    char *p = malloc(cap + 1);
    cr_assert_not_null(p);
    for (;;) {
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (n < cap)
            break;
        cap *= 2;
        p = realloc(p, cap + 1);
        cr_assert_not_null(p);
    }
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

/* SHA-256 in lowercase hex, computed by OpenSSL directly. */
static inline void tu_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    cr_assert_eq(EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL), 1);
    cr_assert_eq(md_len, 32u);
    for (unsigned i = 0; i < md_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[64] = '\0';
}

/* Seed of a randomised test: ENG_SEED when set, else a fixed default. Logged so that a
 * failure can be replayed with ENG_SEED=<seed>. */
static inline uint64_t tu_seed(void)
{
    const char *s = getenv("ENG_SEED");
    uint64_t seed = s && *s ? strtoull(s, NULL, 10) : 20261127u;
    cr_log_info("ENG_SEED=%llu", (unsigned long long)seed);
    return seed;
}

/* xorshift64*: small, fast, and the same sequence everywhere. */
static inline uint64_t tu_rand(uint64_t *state)
{
    uint64_t x = *state ? *state : 0x9E3779B97F4A7C15u;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Du;
}

static inline size_t tu_below(uint64_t *state, size_t n)
{
    return (size_t)(tu_rand(state) % n);
}

#endif
