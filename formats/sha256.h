/* SHA-256 of a byte stream, for manifest.json. A thin wrapper so that only this module
 * knows the hash comes from OpenSSL's libcrypto (which uses the CPU's SHA instructions,
 * several times faster than portable code on the large outputs of a night). */
#ifndef FMT_SHA256_H
#define FMT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/err.h"

typedef struct fmt_sha256 fmt_sha256;

/* New running hash. NULL when out of memory. */
fmt_sha256 *fmt_sha256_new(void);
void fmt_sha256_free(fmt_sha256 *h);
void fmt_sha256_update(fmt_sha256 *h, const void *src, size_t len);
/* SHA-256 of one buffer into out, reusing h (restarted; earlier updates are lost). For
 * many small inputs on one thread: no allocation per call. */
void fmt_sha256_digest(fmt_sha256 *h, const void *src, size_t len, unsigned char out[32]);

/* Finish: write 64 lowercase hex digits and a NUL to hex. Call once. */
void fmt_sha256_final_hex(fmt_sha256 *h, char hex[65]);

/* SHA-256 in hex and size of a file's bytes as stored (a .zst file's compressed bytes,
 * as manifest.json records inputs). ENG_REFUSED naming the file when it cannot be read,
 * ENG_NOMEM. */
eng_rc fmt_sha256_file(const char *path, char hex[65], uint64_t *bytes, eng_err *err);

/* The same for file name in the folder open as dirfd, never through a link (err->path
 * is name: borrowed). */
eng_rc fmt_sha256_file_at(int dirfd, const char *name, char hex[65], uint64_t *bytes, eng_err *err);

#endif
