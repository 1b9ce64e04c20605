/* Exchange files: a sink into a temporary name, then a rename (see exchange.h). */
#include "exchange.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sink.h"
#include "source.h"

#define MAGIC "slipway-exchange 1 "

/* The temporary name of name for this process: a task run twice at once (a pre-empted
 * task's ghost beside its rerun) never writes into the other's file. */
static void temp_name(char *dst, size_t cap, const char *name)
{
    snprintf(dst, cap, ".%s.%ld.tmp", name, (long)getpid());
}

static eng_rc publish(int dir_fd, const char *dir_path, const char *tmp, const char *name,
                      eng_err *err)
{
    if (renameat(dir_fd, tmp, dir_fd, name) != 0) {
        int e = errno;
        (void)unlinkat(dir_fd, tmp, 0);
        err->sys_errno = e;
        return ENG_FAIL(err, ENG_IO, "cannot rename into %s/%s: %s", dir_path, name, strerror(e));
    }
    /* the rename itself must survive a crash of the node before the next task reads it */
    if (fsync(dir_fd) != 0 && errno != EINVAL) {
        err->sys_errno = errno;
        return ENG_FAIL(err, ENG_IO, "cannot sync the folder %s: %s", dir_path, strerror(errno));
    }
    return ENG_OK;
}

struct fmt_exchange_out {
    int dir_fd;
    const char *dir_path;
    char name[FMT_EXCHANGE_NAME_MAX];
    char tmp[FMT_EXCHANGE_NAME_MAX + 32];
    fmt_sink *sink;
    uint64_t payload;
};

eng_rc fmt_exchange_create(int dir_fd, const char *dir_path, const char *name, const char *kind,
                           fmt_exchange_out **out, eng_err *err)
{
    fmt_exchange_out *x = calloc(1, sizeof *x);
    if (!x)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing %s/%s", dir_path, name);
    x->dir_fd = dir_fd;
    x->dir_path = dir_path;
    snprintf(x->name, sizeof x->name, "%s", name);
    temp_name(x->tmp, sizeof x->tmp, name);
    (void)unlinkat(dir_fd, x->tmp, 0);
    eng_rc rc = fmt_sink_openat(dir_fd, x->tmp, x->name, 0600, 1, &x->sink, err);
    if (rc != ENG_OK) {
        free(x);
        return rc;
    }
    /* written once, read once, soon: zstd's fastest level keeps up with the encoding */
    fmt_sink_set_level(x->sink, 1);
    char head[96];
    int head_len = snprintf(head, sizeof head, MAGIC "%s\n", kind);
    rc = fmt_sink_write(x->sink, head, (size_t)head_len, err);
    if (rc != ENG_OK) {
        fmt_exchange_abandon(x);
        return rc;
    }
    *out = x;
    return ENG_OK;
}

eng_rc fmt_exchange_append(fmt_exchange_out *x, fmt_buf *b, eng_err *err)
{
    if (b->failed)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory preparing %s/%s", x->dir_path, x->name);
    eng_rc rc = fmt_sink_write(x->sink, b->p, b->len, err);
    x->payload += b->len;
    b->len = 0;
    return rc;
}

void fmt_exchange_abandon(fmt_exchange_out *x)
{
    if (!x)
        return;
    fmt_sink_free(x->sink);
    (void)unlinkat(x->dir_fd, x->tmp, 0);
    free(x);
}

eng_rc fmt_exchange_finish(fmt_exchange_out *x, fmt_exchange_file *out, eng_err *err)
{
    eng_rc rc = fmt_sink_close(x->sink, err);
    if (rc == ENG_OK && out) {
        snprintf(out->name, sizeof out->name, "%s", x->name);
        out->bytes = fmt_sink_bytes(x->sink);
        out->payload = x->payload;
        memcpy(out->sha256, fmt_sink_sha256(x->sink), sizeof out->sha256);
    }
    if (rc != ENG_OK) {
        fmt_exchange_abandon(x);
        return rc;
    }
    fmt_sink_free(x->sink);
    rc = publish(x->dir_fd, x->dir_path, x->tmp, x->name, err);
    free(x);
    return rc;
}

eng_rc fmt_exchange_write(int dir_fd, const char *dir_path, const char *name, const char *kind,
                          const fmt_buf *payload, fmt_exchange_file *out, eng_err *err)
{
    if (payload->failed)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory preparing %s/%s", dir_path, name);
    fmt_exchange_out *x = NULL;
    ENG_TRY(fmt_exchange_create(dir_fd, dir_path, name, kind, &x, err));
    fmt_buf view = *payload; /* appended whole; the caller keeps its buffer */
    eng_rc rc = fmt_exchange_append(x, &view, err);
    if (rc != ENG_OK) {
        fmt_exchange_abandon(x);
        return rc;
    }
    return fmt_exchange_finish(x, out, err);
}

struct fmt_exchange_in {
    fmt_source *src;
    const char *dir_path;
    char name[FMT_EXCHANGE_NAME_MAX];
    char sha256[65]; /* "" when not checked */
    unsigned char *buf;
    size_t start, len, cap; /* unconsumed bytes buf[start .. start + len) */
    int at_end;
};

static eng_rc damaged_read(fmt_exchange_in *x, eng_err *err)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return ENG_FAIL(err, ENG_REFUSED, "%s/%s is damaged (%s): run the task that wrote it again",
                    x->dir_path, x->name, why);
}

eng_rc fmt_exchange_peek(fmt_exchange_in *x, size_t want, const unsigned char **p, size_t *n,
                         eng_err *err)
{
    while (x->len < want && !x->at_end) {
        /* room for four windows, so that the bytes left over are moved to the front once
         * per three windows read, never per item */
        size_t cap = x->cap ? x->cap : 1u << 18;
        while (cap < 4 * want)
            cap *= 2;
        if (x->cap - x->start - x->len < want || cap > x->cap) {
            if (x->len)
                memmove(x->buf, x->buf + x->start, x->len);
            x->start = 0;
        }
        if (cap > x->cap) {
            unsigned char *grown = realloc(x->buf, cap);
            if (!grown)
                return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s/%s", x->dir_path,
                                x->name);
            x->buf = grown;
            x->cap = cap;
        }
        size_t got = 0, room = x->cap - x->start - x->len;
        eng_rc read = fmt_source_read(x->src, x->buf + x->start + x->len, room, &got, err);
        /* the source names the file by the caller's name, which may not outlive its frame;
         * this reader's messages name it themselves */
        err->path = NULL;
        if (read != ENG_OK)
            return damaged_read(x, err);
        x->len += got;
        x->at_end = got == 0;
    }
    *p = x->buf + x->start;
    *n = x->len;
    return ENG_OK;
}

void fmt_exchange_consume(fmt_exchange_in *x, size_t n)
{
    assert(n <= x->len);
    x->start += n;
    x->len -= n;
}

int fmt_exchange_at_end(const fmt_exchange_in *x)
{
    return x->at_end && x->len == 0;
}

void fmt_exchange_close_in(fmt_exchange_in *x)
{
    if (!x)
        return;
    fmt_source_close(x->src);
    free(x->buf);
    free(x);
}

eng_rc fmt_exchange_open(int dir_fd, const char *dir_path, const char *name, const char *kind,
                         const char *sha256, fmt_exchange_in **out, eng_err *err)
{
    fmt_exchange_in *x = calloc(1, sizeof *x);
    if (!x)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s/%s", dir_path, name);
    x->dir_path = dir_path;
    snprintf(x->name, sizeof x->name, "%s", name);
    if (sha256)
        snprintf(x->sha256, sizeof x->sha256, "%s", sha256);
    eng_rc opened = fmt_source_open_at(dir_fd, name, &x->src, err);
    /* the message names the file; name itself may not outlive the caller's frame */
    err->path = NULL;
    if (opened != ENG_OK) {
        int e = err->sys_errno;
        free(x);
        return ENG_FAIL(err, ENG_REFUSED, "cannot read %s/%s: %s", dir_path, name,
                        e ? strerror(e) : "not readable");
    }
    char head[96];
    size_t head_len = (size_t)snprintf(head, sizeof head, MAGIC "%s\n", kind);
    const unsigned char *p;
    size_t n;
    eng_rc rc = fmt_exchange_peek(x, head_len, &p, &n, err);
    if (rc == ENG_OK && (n < head_len || memcmp(p, head, head_len) != 0))
        rc = ENG_FAIL(err, ENG_REFUSED, "%s/%s does not hold a slipway %s", dir_path, name, kind);
    if (rc != ENG_OK) {
        fmt_exchange_close_in(x);
        return rc;
    }
    fmt_exchange_consume(x, head_len);
    *out = x;
    return ENG_OK;
}

eng_rc fmt_exchange_finish_in(fmt_exchange_in *x, eng_err *err)
{
    const unsigned char *p;
    size_t n;
    eng_rc rc = fmt_exchange_peek(x, 1, &p, &n, err);
    if (rc == ENG_OK && n)
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "%s/%s holds more than its reader took: run the task that wrote it again",
                      x->dir_path, x->name);
    char got[65];
    if (rc == ENG_OK && x->sha256[0]) {
        fmt_source_sha256(x->src, got);
        if (strcmp(got, x->sha256) != 0)
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "%s/%s is not the file its task wrote (its SHA-256 differs): run the "
                          "task that wrote it again",
                          x->dir_path, x->name);
    }
    fmt_exchange_close_in(x);
    return rc;
}

eng_rc fmt_exchange_read(int dir_fd, const char *dir_path, const char *name, const char *kind,
                         const char *sha256, uint64_t size_hint, fmt_buf *payload, eng_err *err)
{
    fmt_exchange_in *x = NULL;
    ENG_TRY(fmt_exchange_open(dir_fd, dir_path, name, kind, sha256, &x, err));
    payload->len = 0;
    /* one read past the end, to see it; a recorded size is trusted only so far */
    size_t want = size_hint && size_hint < (64u << 20) ? (size_t)size_hint + 1 : 1u << 20;
    eng_rc rc = ENG_OK;
    while (rc == ENG_OK && !fmt_exchange_at_end(x)) {
        const unsigned char *p;
        size_t n;
        rc = fmt_exchange_peek(x, want, &p, &n, err);
        if (rc == ENG_OK) {
            fmt_buf_put(payload, p, n);
            fmt_exchange_consume(x, n);
            if (payload->failed)
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s/%s", dir_path, name);
            else if (size_hint && payload->len > size_hint)
                rc = ENG_FAIL(err, ENG_REFUSED,
                              "%s/%s holds more than its task recorded: run the task that "
                              "wrote it again",
                              dir_path, name);
        }
        want = 1u << 20;
    }
    if (rc != ENG_OK) {
        fmt_exchange_close_in(x);
        return rc;
    }
    return fmt_exchange_finish_in(x, err);
}

eng_rc fmt_exchange_write_text(int dir_fd, const char *dir_path, const char *name, const char *text,
                               size_t len, eng_err *err)
{
    char tmp[FMT_EXCHANGE_NAME_MAX + 32];
    temp_name(tmp, sizeof tmp, name);
    (void)unlinkat(dir_fd, tmp, 0);
    fmt_sink *s = NULL;
    ENG_TRY(fmt_sink_openat(dir_fd, tmp, name, 0600, 0, &s, err));
    eng_rc rc = fmt_sink_write(s, text, len, err);
    if (rc == ENG_OK)
        rc = fmt_sink_close(s, err);
    fmt_sink_free(s);
    if (rc != ENG_OK) {
        (void)unlinkat(dir_fd, tmp, 0);
        return rc;
    }
    return publish(dir_fd, dir_path, tmp, name, err);
}
