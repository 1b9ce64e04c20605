/* Buffered writer. Plain output goes through a 1 MiB buffer; compressed output goes
 * through ZSTD_compressStream2 into the same buffer. Every byte that reaches write(2)
 * also goes through the hash, so the manifest describes exactly what is on disk. */
#define _GNU_SOURCE /* sync_file_range */
#include "sink.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "sha256.h"

#define SINK_BUF (1u << 20)

/* Plain files are handed to the disk every this many bytes while later rows are still
 * being formatted, so the fsync at close has little left to wait for. */
#define SINK_WRITEBACK (8u << 20)

struct fmt_sink {
    const char *path;
    int fd;
    ZSTD_CCtx *zc;
    unsigned char *buf;
    size_t len;
    uint64_t bytes;
    uint64_t writeback_from; /* bytes before this offset were handed to the disk */
    fmt_sha256 *sha;
    char hex[65];
    int closed;
};

static eng_rc io_fail(fmt_sink *s, eng_err *err, const char *what)
{
    int e = errno;
    if (err) {
        err->path = s->path;
        err->line = 0;
        err->field = NULL;
        err->sys_errno = e;
    }
    return ENG_FAIL(err, ENG_IO, "cannot %s output: %s", what, strerror(e));
}

eng_rc fmt_sink_open(const char *path, int compress, fmt_sink **out, eng_err *err)
{
    return fmt_sink_openat(AT_FDCWD, path, path, 0644, compress, out, err);
}

void fmt_sink_set_level(fmt_sink *s, int level)
{
    assert(s->bytes == 0 && s->len == 0);
    if (s->zc)
        (void)ZSTD_CCtx_setParameter(s->zc, ZSTD_c_compressionLevel, level);
}

eng_rc fmt_sink_openat(int dir_fd, const char *name, const char *path, unsigned mode, int compress,
                       fmt_sink **out, eng_err *err)
{
    fmt_sink *s = calloc(1, sizeof *s);
    if (!s)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory opening %s", path);
    s->path = path;
    s->fd = -1;
    s->buf = malloc(SINK_BUF);
    s->sha = fmt_sha256_new();
    if (!s->buf || !s->sha) {
        fmt_sink_free(s);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory opening %s", path);
    }
    if (compress) {
        s->zc = ZSTD_createCCtx();
        if (!s->zc) {
            fmt_sink_free(s);
            return ENG_FAIL(err, ENG_NOMEM, "out of memory opening %s", path);
        }
        /* Level 3 (zstd's default): fast enough to keep up with formatting. The
         * checksum lets `zstd -t` and our own reader detect a damaged file. */
        (void)ZSTD_CCtx_setParameter(s->zc, ZSTD_c_compressionLevel, 3);
        (void)ZSTD_CCtx_setParameter(s->zc, ZSTD_c_checksumFlag, 1);
    }
    /* O_EXCL already refuses a link in name's place; O_NOFOLLOW says so. */
    s->fd =
        openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
    if (s->fd < 0) {
        eng_rc rc = io_fail(s, err, "create");
        fmt_sink_free(s);
        return rc;
    }
    *out = s;
    return ENG_OK;
}

/* Start writing the file's newest bytes to the disk without waiting for them. Advice
 * only: a failure is not reported here (fsync at close reports any that matter), and a
 * file system without the call just leaves all the work to fsync. */
static void start_writeback(fmt_sink *s)
{
#ifdef SYNC_FILE_RANGE_WRITE
    if (s->bytes - s->writeback_from < SINK_WRITEBACK)
        return;
    (void)sync_file_range(s->fd, (off_t)s->writeback_from, (off_t)(s->bytes - s->writeback_from),
                          SYNC_FILE_RANGE_WRITE);
    s->writeback_from = s->bytes;
#else
    (void)s;
#endif
}

static eng_rc write_all(fmt_sink *s, const unsigned char *p, size_t len, eng_err *err)
{
    fmt_sha256_update(s->sha, p, len);
    s->bytes += len;
    while (len) {
        ssize_t w = write(s->fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return io_fail(s, err, "write");
        }
        p += w;
        len -= (size_t)w;
    }
    start_writeback(s);
    return ENG_OK;
}

static eng_rc flush_buf(fmt_sink *s, eng_err *err)
{
    eng_rc rc = write_all(s, s->buf, s->len, err);
    s->len = 0;
    return rc;
}

/* Push src through the compressor; end_frame finishes the frame. */
static eng_rc compress_into(fmt_sink *s, const void *src, size_t len, int end_frame, eng_err *err)
{
    ZSTD_inBuffer in = {src, len, 0};
    ZSTD_EndDirective mode = end_frame ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
        ZSTD_outBuffer out = {s->buf, SINK_BUF, s->len};
        size_t left = ZSTD_compressStream2(s->zc, &out, &in, mode);
        if (ZSTD_isError(left))
            return ENG_FAIL(err, ENG_INTERNAL, "zstd compression failed for %s: %s", s->path,
                            ZSTD_getErrorName(left));
        s->len = out.pos;
        if (end_frame ? left == 0 : in.pos == in.size)
            return ENG_OK;
        /* Input is left over (or the frame is not flushed): the buffer is full. */
        ENG_TRY(flush_buf(s, err));
    }
}

eng_rc fmt_sink_write(fmt_sink *s, const void *src, size_t len, eng_err *err)
{
    if (s->zc)
        return compress_into(s, src, len, 0, err);
    if (len >= SINK_BUF) {
        ENG_TRY(flush_buf(s, err));
        return write_all(s, src, len, err);
    }
    if (SINK_BUF - s->len < len)
        ENG_TRY(flush_buf(s, err));
    memcpy(s->buf + s->len, src, len);
    s->len += len;
    return ENG_OK;
}

eng_rc fmt_sink_close(fmt_sink *s, eng_err *err)
{
    if (s->zc)
        ENG_TRY(compress_into(s, NULL, 0, 1, err));
    ENG_TRY(flush_buf(s, err));
    if (fsync(s->fd) != 0)
        return io_fail(s, err, "fsync");
    int fd = s->fd;
    s->fd = -1;
    if (close(fd) != 0)
        return io_fail(s, err, "close");
    fmt_sha256_final_hex(s->sha, s->hex);
    s->closed = 1;
    return ENG_OK;
}

uint64_t fmt_sink_bytes(const fmt_sink *s)
{
    return s->bytes;
}

const char *fmt_sink_sha256(const fmt_sink *s)
{
    return s->hex;
}

void fmt_sink_free(fmt_sink *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        (void)close(s->fd); /* the run is failing already; the temp dir is removed */
    ZSTD_freeCCtx(s->zc);
    fmt_sha256_free(s->sha);
    free(s->buf);
    free(s);
}
