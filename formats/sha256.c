/* SHA-256 through libcrypto's EVP interface (the low-level SHA256_* calls are deprecated
 * in OpenSSL 3). */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

/* fmt_sha256 is never defined: a fmt_sha256 pointer is an EVP_MD_CTX pointer, so the
 * header needs no OpenSSL type. */

fmt_sha256 *fmt_sha256_new(void)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return NULL;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return (fmt_sha256 *)ctx;
}

void fmt_sha256_free(fmt_sha256 *h)
{
    EVP_MD_CTX_free((EVP_MD_CTX *)h);
}

void fmt_sha256_update(fmt_sha256 *h, const void *src, size_t len)
{
    /* Cannot fail for an initialised SHA-256 context in a process with memory. */
    (void)EVP_DigestUpdate((EVP_MD_CTX *)h, src, len);
}

void fmt_sha256_digest(fmt_sha256 *h, const void *src, size_t len, unsigned char out[32])
{
    EVP_MD_CTX *ctx = (EVP_MD_CTX *)h;
    unsigned int n = 0;
    /* A NULL type keeps the context's digest: no provider lookup (and its lock) per call. */
    (void)EVP_DigestInit_ex(ctx, NULL, NULL);
    (void)EVP_DigestUpdate(ctx, src, len);
    (void)EVP_DigestFinal_ex(ctx, out, &n);
}

void fmt_sha256_final_hex(fmt_sha256 *h, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    (void)EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &n);
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

static eng_rc cannot_read(eng_err *err, const char *path, int e)
{
    if (err) {
        err->path = path;
        err->line = 0;
        err->field = NULL;
        err->sys_errno = e;
    }
    return ENG_FAIL(err, ENG_REFUSED, "cannot read the file: %s", strerror(e));
}

/* Hash what f holds to its end; f is closed. path names it in messages. */
static eng_rc hash_stream(FILE *f, const char *path, char hex[65], uint64_t *bytes, eng_err *err)
{
    enum { CHUNK = 1 << 16 };
    fmt_sha256 *h = fmt_sha256_new();
    char *buf = malloc(CHUNK);
    if (!h || !buf) {
        fmt_sha256_free(h);
        free(buf);
        (void)fclose(f); /* read-only: nothing to flush */
        return ENG_FAIL(err, ENG_NOMEM, "out of memory hashing %s", path);
    }
    uint64_t total = 0;
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0) {
        fmt_sha256_update(h, buf, n);
        total += n;
    }
    int failed = ferror(f), e = errno;
    (void)fclose(f);
    free(buf);
    fmt_sha256_final_hex(h, hex);
    fmt_sha256_free(h);
    if (failed)
        return cannot_read(err, path, e);
    *bytes = total;
    return ENG_OK;
}

eng_rc fmt_sha256_file(const char *path, char hex[65], uint64_t *bytes, eng_err *err)
{
    FILE *f = fopen(fmt_input_path(path), "rb");
    if (!f)
        return cannot_read(err, path, errno);
    return hash_stream(f, path, hex, bytes, err);
}

eng_rc fmt_sha256_file_at(int dirfd, const char *name, char hex[65], uint64_t *bytes, eng_err *err)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return cannot_read(err, name, e);
    }
    return hash_stream(f, name, hex, bytes, err);
}
