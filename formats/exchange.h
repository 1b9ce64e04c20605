/* The files the tasks of a sharded night hand each other in its work folder (engine/shard):
 * zstd-compressed, each starting with a line naming what it holds ("slipway-exchange 1
 * map-bucket"), and checked on reading against the SHA-256 its writer recorded of the
 * bytes on disk, so a file cut short, damaged on a shared disk or left by another night is
 * refused by name instead of read.
 *
 * A file appears whole or not at all: it is written under a temporary name, fsynced,
 * renamed into place and the folder fsynced, so a task killed half-way leaves nothing a
 * reader could take for its result, and a task run again writes the same bytes over it.
 * They hold the night's customer data: owner-only (0600 less the umask). */
#ifndef FMT_EXCHANGE_H
#define FMT_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/err.h"
#include "buf.h"

#define FMT_EXCHANGE_NAME_MAX 64

typedef struct fmt_exchange_file {
    char name[FMT_EXCHANGE_NAME_MAX];
    uint64_t bytes;   /* on disk (compressed) */
    uint64_t payload; /* what it holds, decompressed (without its kind line) */
    char sha256[65];
} fmt_exchange_file;

/* An exchange file being written, a buffer at a time, so that a payload of hundreds of
 * MB is compressed as it is encoded instead of first held whole. */
typedef struct fmt_exchange_out fmt_exchange_out;

/* Start file `name` of the folder open at dir_fd (dir_path names it in messages), kind
 * on its first line. ENG_IO, ENG_NOMEM. */
eng_rc fmt_exchange_create(int dir_fd, const char *dir_path, const char *name, const char *kind,
                           fmt_exchange_out **out, eng_err *err);

/* Append b's bytes and empty b. ENG_IO, ENG_NOMEM (b failed). */
eng_rc fmt_exchange_append(fmt_exchange_out *x, fmt_buf *b, eng_err *err);

/* Finish, sync and rename the file into place; out (may be NULL) gets its size and
 * digest. x is freed, whatever the result (on failure nothing is left behind). */
eng_rc fmt_exchange_finish(fmt_exchange_out *x, fmt_exchange_file *out, eng_err *err);

/* Give up a file being written: nothing is left behind. Accepts NULL. */
void fmt_exchange_abandon(fmt_exchange_out *x);

/* Write payload as file `name` of the folder open at dir_fd (dir_path names it in
 * messages), kind on its first line; out (may be NULL) gets its size and digest.
 * ENG_IO, ENG_NOMEM. */
eng_rc fmt_exchange_write(int dir_fd, const char *dir_path, const char *name, const char *kind,
                          const fmt_buf *payload, fmt_exchange_file *out, eng_err *err);

/* Read file `name` back into payload (what was written, without the kind line): ENG_REFUSED
 * when it is missing, is not a `kind` exchange file, or (sha256 not NULL) its bytes on disk
 * are not those recorded. size_hint: the payload's size when known (room is made for it
 * at once), else 0. */
eng_rc fmt_exchange_read(int dir_fd, const char *dir_path, const char *name, const char *kind,
                         const char *sha256, uint64_t size_hint, fmt_buf *payload, eng_err *err);

/* An exchange file being read a window at a time (the finishing task decodes each map
 * task's rows as they arrive instead of holding a whole file first). */
typedef struct fmt_exchange_in fmt_exchange_in;

/* Open file `name` and check its kind line: ENG_REFUSED as fmt_exchange_read. sha256 (may
 * be NULL) is checked by fmt_exchange_finish_in. */
eng_rc fmt_exchange_open(int dir_fd, const char *dir_path, const char *name, const char *kind,
                         const char *sha256, fmt_exchange_in **out, eng_err *err);

/* At least want bytes of what follows, contiguous at *p (*n of them, fewer only at the end
 * of the file); they stay until consumed. ENG_REFUSED (damaged), ENG_NOMEM. */
eng_rc fmt_exchange_peek(fmt_exchange_in *x, size_t want, const unsigned char **p, size_t *n,
                         eng_err *err);
void fmt_exchange_consume(fmt_exchange_in *x, size_t n);

/* 1 when every byte of the file has been consumed. */
int fmt_exchange_at_end(const fmt_exchange_in *x);

/* After the last byte: ENG_REFUSED when bytes are left over or the file's SHA-256 is not
 * the one given to open. x is freed. */
eng_rc fmt_exchange_finish_in(fmt_exchange_in *x, eng_err *err);

/* Give up reading (x freed). Accepts NULL. */
void fmt_exchange_close_in(fmt_exchange_in *x);

/* Write a small text file (a task's record of its results, a plan) the same whole-or-nothing
 * way, uncompressed, so a person can read it. ENG_IO. */
eng_rc fmt_exchange_write_text(int dir_fd, const char *dir_path, const char *name, const char *text,
                               size_t len, eng_err *err);

#endif
