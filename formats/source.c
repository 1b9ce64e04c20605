/* Plain and zstd input behind one read call. The zstd path keeps one input buffer of
 * ZSTD_DStreamInSize() bytes and decompresses straight into the caller's buffer. */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <iconv.h>
#include <zstd.h>

#include "sha256.h"

struct fmt_source {
    const char *path;
    int fd;
    int is_zstd;
    int eof_raw;     /* no more raw bytes */
    int bom_checked; /* the first decompressed bytes were examined for a BOM */
    size_t last_ret; /* last ZSTD_decompressStream hint: 0 when a frame just ended */
    uint64_t raw_bytes;
    /* A regular file's size and modification time at open: a file that differs at the end
     * of reading was still being written (a transfer in progress) and is refused. Pipes
     * and other special files have no such size and are not checked. */
    int regular;
    off_t open_size;
    struct timespec open_mtime;
    fmt_sha256 *sha;
    ZSTD_DStream *zs;
    ZSTD_inBuffer in;
    unsigned char *in_buf;
    size_t in_cap;
    unsigned char head[4]; /* bytes read to sniff the format, replayed first */
    size_t head_len;
    size_t head_pos;
    /* Plain bytes read ahead by fmt_source_peek, handed out first by fmt_source_read. */
    char *peek;
    size_t peek_len;
    size_t peek_pos;
    int peek_eof;
    /* Conversion to UTF-8 (fmt_source_set_encoding). */
    iconv_t cd;
    char carry[8]; /* an incomplete multi-byte sequence waiting for its next bytes */
    size_t carry_len;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* At the end of the raw bytes: refuse a regular file that is not as it was at open. The
 * bytes read are compared too, which catches a file cut and rewritten to its old size
 * within one tick of the modification-time clock. */
static eng_rc check_unchanged(fmt_source *s, eng_err *err)
{
    if (!s->regular)
        return ENG_OK;
    struct stat st;
    if (fstat(s->fd, &st) != 0) {
        if (err) {
            err->path = s->path;
            err->sys_errno = errno;
        }
        return ENG_FAIL(err, ENG_REFUSED, "cannot check the file after reading it: %s",
                        strerror(errno));
    }
    if (st.st_size == s->open_size && (uint64_t)st.st_size == s->raw_bytes &&
        st.st_mtim.tv_sec == s->open_mtime.tv_sec && st.st_mtim.tv_nsec == s->open_mtime.tv_nsec)
        return ENG_OK;
    if (err) {
        err->path = s->path;
        err->line = 0;
        err->field = NULL;
    }
    return ENG_FAIL(err, ENG_REFUSED,
                    "changed while it was read (a transfer still in progress?); wait until it "
                    "is complete and run again (%lld bytes at open, %lld at the end, %llu read)",
                    (long long)s->open_size, (long long)st.st_size,
                    (unsigned long long)s->raw_bytes);
}

/* Raw read that first replays the sniffed head bytes. */
static eng_rc raw_read(fmt_source *s, void *dst, size_t cap, size_t *n, eng_err *err)
{
    if (s->head_pos < s->head_len) {
        size_t k = s->head_len - s->head_pos;
        if (k > cap)
            k = cap;
        memcpy(dst, s->head + s->head_pos, k);
        s->head_pos += k;
        *n = k;
        return ENG_OK;
    }
    for (;;) {
        ssize_t r = read(s->fd, dst, cap);
        if (r >= 0) {
            *n = (size_t)r;
            if (r > 0) {
                s->raw_bytes += (uint64_t)r;
                fmt_sha256_update(s->sha, dst, (size_t)r);
                return ENG_OK;
            }
            if (s->eof_raw)
                return ENG_OK;
            s->eof_raw = 1;
            return check_unchanged(s, err);
        }
        if (errno != EINTR)
            break;
    }
    if (err) {
        err->path = s->path;
        err->sys_errno = errno;
    }
    return ENG_FAIL(err, ENG_REFUSED, "cannot read: %s", strerror(errno));
}

/* "/proc/self/fd/N" of the unlinked copy of standard input, "" before fmt_stdin_spool. */
static char stdin_copy[40];

const char *fmt_input_path(const char *path)
{
    return stdin_copy[0] && strcmp(path, "-") == 0 ? stdin_copy : path;
}

eng_rc fmt_stdin_spool(eng_err *err)
{
    if (err) {
        err->path = "-";
        err->line = 0;
        err->field = NULL;
    }
    if (isatty(STDIN_FILENO))
        return ENG_FAIL(err, ENG_REFUSED,
                        "standard input is a terminal; pipe or redirect the file into slipway "
                        "(slipway run ... --orders - < orders.csv)");
    const char *dir = getenv("TMPDIR");
    char tmpl[4096];
    if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/slipway-stdin-XXXXXX",
                         dir && *dir ? dir : "/tmp") >= sizeof tmpl)
        return ENG_FAIL(err, ENG_REFUSED, "TMPDIR is too long a path");
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return ENG_FAIL(err, ENG_REFUSED, "cannot make a temporary copy of standard input in %s: %s",
                        dir && *dir ? dir : "/tmp", strerror(errno));
    unlink(tmpl); /* nothing to clean up after a crash: the file dies with the process */
    enum { CHUNK = 1 << 16 };
    char *buf = malloc(CHUNK);
    if (!buf) {
        close(fd);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading standard input");
    }
    const char *why = NULL;
    int e = 0;
    for (;;) {
        ssize_t got = read(STDIN_FILENO, buf, CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            why = "cannot read standard input";
            e = errno;
            break;
        }
        if (got == 0)
            break;
        for (ssize_t put = 0; put < got;) {
            ssize_t w = write(fd, buf + put, (size_t)(got - put));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                why = "cannot copy standard input to a temporary file (is TMPDIR full?)";
                e = errno;
                break;
            }
            put += w;
        }
        if (why)
            break;
    }
    free(buf);
    if (why) {
        close(fd);
        if (err)
            err->sys_errno = e;
        return ENG_FAIL(err, ENG_REFUSED, "%s: %s", why, strerror(e));
    }
    snprintf(stdin_copy, sizeof stdin_copy, "/proc/self/fd/%d", fd);
    return ENG_OK;
}

static eng_rc source_open(int dirfd, const char *path, fmt_source **out, eng_err *err);

eng_rc fmt_source_open(const char *path, fmt_source **out, eng_err *err)
{
    return source_open(-1, path, out, err);
}

eng_rc fmt_source_open_at(int dirfd, const char *name, fmt_source **out, eng_err *err)
{
    return source_open(dirfd, name, out, err);
}

/* dirfd < 0: path as given ("-" is standard input); else name in that folder, never
 * through a link. */
static eng_rc source_open(int dirfd, const char *path, fmt_source **out, eng_err *err)
{
    if (err) {
        err->path = path;
        err->line = 0;
        err->field = NULL;
    }
    fmt_source *s = calloc(1, sizeof *s);
    if (!s)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory opening the file");
    s->path = path;
    s->fd = dirfd < 0 ? open(fmt_input_path(path), O_RDONLY | O_CLOEXEC)
                      : openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (s->fd < 0) {
        int e = errno;
        free(s);
        if (err)
            err->sys_errno = e;
        return ENG_FAIL(err, ENG_REFUSED, "cannot open: %s; check the path and permissions",
                        strerror(e));
    }
    struct stat st;
    int stated = fstat(s->fd, &st) == 0;
    if (stated && S_ISDIR(st.st_mode)) {
        fmt_source_close(s);
        return ENG_FAIL(err, ENG_REFUSED, "is a directory, not a file; name the file itself");
    }
    if (stated && S_ISREG(st.st_mode)) {
        s->regular = 1;
        s->open_size = st.st_size;
        s->open_mtime = st.st_mtim;
    }
    s->sha = fmt_sha256_new();
    if (!s->sha) {
        fmt_source_close(s);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory opening the file");
    }
    /* Sniff the first four bytes (short reads are possible on pipes). */
    size_t got = 0;
    while (got < sizeof s->head) {
        size_t n = 0;
        eng_rc rc = raw_read(s, s->head + got, sizeof s->head - got, &n, err);
        if (rc != ENG_OK) {
            fmt_source_close(s);
            return rc;
        }
        if (n == 0)
            break;
        got += n;
    }
    s->head_len = got;
    static const unsigned char magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
    s->is_zstd = got == 4 && memcmp(s->head, magic, 4) == 0;
    if (!s->is_zstd && ends_with(path, ".zst")) {
        fmt_source_close(s);
        /* An empty .zst is a failed download or compression, not a misnamed file. */
        if (got == 0)
            return ENG_FAIL(err, ENG_REFUSED,
                            "is empty (0 bytes), so not zstd-compressed data; fetch or compress "
                            "it again");
        return ENG_FAIL(err, ENG_REFUSED,
                        "named .zst but is not zstd-compressed; rename it or recompress it");
    }
    if (s->is_zstd) {
        s->zs = ZSTD_createDStream();
        s->in_cap = ZSTD_DStreamInSize();
        s->in_buf = malloc(s->in_cap);
        if (!s->zs || !s->in_buf) {
            fmt_source_close(s);
            return ENG_FAIL(err, ENG_NOMEM, "out of memory opening the file");
        }
        (void)ZSTD_initDStream(s->zs); /* only fails for a NULL stream */
        s->in.src = s->in_buf;
        s->in.size = s->in.pos = 0;
    }
    *out = s;
    return ENG_OK;
}

void fmt_source_close(fmt_source *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        (void)close(s->fd); /* read-only descriptor: nothing to lose on close */
    ZSTD_freeDStream(s->zs);
    free(s->in_buf);
    free(s->peek);
    if (s->cd != (iconv_t)0 && s->cd != (iconv_t)-1)
        (void)iconv_close(s->cd); /* nothing to flush for a decoder into UTF-8 */
    fmt_sha256_free(s->sha);
    free(s);
}

static eng_rc zstd_read(fmt_source *s, void *dst, size_t cap, size_t *n, eng_err *err)
{
    ZSTD_outBuffer out = {dst, cap, 0};
    for (;;) {
        /* Call even with no new input: a full output buffer last time may have left
         * decompressed bytes inside the stream. */
        size_t in_before = s->in.pos, out_before = out.pos;
        size_t ret = ZSTD_decompressStream(s->zs, &out, &s->in);
        if (ZSTD_isError(ret))
            return ENG_FAIL(err, ENG_REFUSED, "corrupt zstd data (%s)", ZSTD_getErrorName(ret));
        /* A call that moved nothing only hints at a next frame; keep the last real hint,
         * which is 0 exactly when the data so far ends on a frame boundary. */
        if (s->in.pos != in_before || out.pos != out_before)
            s->last_ret = ret;
        if (out.pos > 0)
            break;
        if (s->in.pos < s->in.size)
            continue;
        if (s->eof_raw) {
            if (s->last_ret != 0)
                return ENG_FAIL(err, ENG_REFUSED,
                                "zstd data ends in the middle of a frame: the file is "
                                "truncated; fetch or compress it again");
            break;
        }
        size_t got = 0;
        ENG_TRY(raw_read(s, s->in_buf, s->in_cap, &got, err));
        s->in.size = got;
        s->in.pos = 0;
    }
    *n = out.pos;
    return ENG_OK;
}

/* Plain bytes: decompressed, byte order mark dropped, not yet converted. */
static eng_rc plain_read(fmt_source *s, void *dst, size_t cap, size_t *n, eng_err *err)
{
    *n = 0;
    size_t got = 0;
    int at_eof = 0;
    /* Until the BOM question is settled, gather at least three bytes (or end of file);
     * never report 0 bytes before the end of file. */
    while (!at_eof && (got == 0 || (!s->bom_checked && got < 3 && got < cap))) {
        size_t k = 0;
        eng_rc rc = s->is_zstd ? zstd_read(s, (char *)dst + got, cap - got, &k, err)
                               : raw_read(s, (char *)dst + got, cap - got, &k, err);
        if (rc != ENG_OK)
            return rc;
        at_eof = k == 0;
        got += k;
        if (!s->bom_checked && (got >= 3 || at_eof)) {
            s->bom_checked = 1;
            if (got >= 3 && memcmp(dst, "\xEF\xBB\xBF", 3) == 0) {
                memmove(dst, (char *)dst + 3, got - 3);
                got -= 3;
            }
        }
    }
    *n = got;
    return ENG_OK;
}

/* Plain bytes, the peeked ones first. */
static eng_rc unpeeked_read(fmt_source *s, void *dst, size_t cap, size_t *n, eng_err *err)
{
    if (s->peek_pos < s->peek_len) {
        size_t k = s->peek_len - s->peek_pos < cap ? s->peek_len - s->peek_pos : cap;
        memcpy(dst, s->peek + s->peek_pos, k);
        s->peek_pos += k;
        *n = k;
        return ENG_OK;
    }
    if (s->peek_eof) {
        *n = 0;
        return ENG_OK;
    }
    return plain_read(s, dst, cap, n, err);
}

eng_rc fmt_source_peek(fmt_source *s, size_t want, const char **p, size_t *n, eng_err *err)
{
    if (!s->peek) {
        s->peek = malloc(want ? want : 1);
        if (!s->peek)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", s->path);
        while (s->peek_len < want && !s->peek_eof) {
            size_t k = 0;
            ENG_TRY(plain_read(s, s->peek + s->peek_len, want - s->peek_len, &k, err));
            s->peek_eof = k == 0;
            s->peek_len += k;
        }
    }
    *p = s->peek;
    *n = s->peek_len;
    return ENG_OK;
}

int fmt_utf16_bom(const char *p, size_t n)
{
    return n >= 2 && (((unsigned char)p[0] == 0xFF && (unsigned char)p[1] == 0xFE) ||
                      ((unsigned char)p[0] == 0xFE && (unsigned char)p[1] == 0xFF));
}

int fmt_source_is_utf16(const fmt_source *s)
{
    return !s->is_zstd && fmt_utf16_bom((const char *)s->head, s->head_len);
}

eng_rc fmt_source_set_encoding(fmt_source *s, const char *encoding, eng_err *err)
{
    s->cd = iconv_open("UTF-8", encoding);
    if (s->cd == (iconv_t)-1)
        return ENG_FAIL(err, ENG_USAGE, "the encoding %s is not known to this system's iconv",
                        encoding);
    return ENG_OK;
}

/* Convert plain bytes to UTF-8 into dst. A byte the source encoding does not define is
 * passed through unchanged, so it reaches the checks as invalid UTF-8 (BAD_ENCODING)
 * instead of vanishing. */
static eng_rc converted_read(fmt_source *s, char *dst, size_t cap, size_t *n, eng_err *err)
{
    char in[16384];
    size_t out_left = cap;
    char *out = dst;
    *n = 0;
    /* An input byte can become up to 4 output bytes: read no more than fits. */
    while (out == dst) {
        size_t room = (out_left / 4 < sizeof in ? out_left / 4 : sizeof in);
        if (room <= s->carry_len)
            return ENG_FAIL(err, ENG_INTERNAL, "read buffer too small to convert");
        memcpy(in, s->carry, s->carry_len);
        size_t k = 0;
        ENG_TRY(unpeeked_read(s, in + s->carry_len, room - s->carry_len, &k, err));
        size_t in_len = s->carry_len + k;
        s->carry_len = 0;
        if (in_len == 0)
            break; /* end of file */
        char *ip = in;
        size_t in_left = in_len;
        while (in_left) {
            size_t r = iconv(s->cd, &ip, &in_left, &out, &out_left);
            if (r != (size_t)-1)
                continue;
            if (errno == EINVAL && k > 0) { /* incomplete at the end: wait for more */
                memcpy(s->carry, ip, in_left < sizeof s->carry ? in_left : sizeof s->carry);
                s->carry_len = in_left < sizeof s->carry ? in_left : sizeof s->carry;
                break;
            }
            if (errno == E2BIG)
                return ENG_FAIL(err, ENG_INTERNAL, "conversion overflowed its buffer");
            /* EILSEQ, or an incomplete sequence at end of file: keep the raw byte. */
            *out++ = *ip++;
            out_left--;
            in_left--;
        }
    }
    *n = (size_t)(out - dst);
    return ENG_OK;
}

eng_rc fmt_source_read(fmt_source *s, void *dst, size_t cap, size_t *n, eng_err *err)
{
    if (err) {
        err->path = s->path;
        err->line = 0;
        err->field = NULL;
    }
    if (s->cd != (iconv_t)0 && s->cd != (iconv_t)-1)
        return converted_read(s, dst, cap, n, err);
    return unpeeked_read(s, dst, cap, n, err);
}

const char *fmt_source_path(const fmt_source *s)
{
    return s->path;
}

int fmt_source_is_zstd(const fmt_source *s)
{
    return s->is_zstd;
}

int fmt_source_opened_as(const fmt_source *s, uint64_t *size, struct timespec *mtime)
{
    *size = s->regular ? (uint64_t)s->open_size : 0;
    *mtime = s->regular ? s->open_mtime : (struct timespec){0, 0};
    return s->regular;
}

uint64_t fmt_source_text_size_estimate(const fmt_source *s, uint64_t text_read)
{
    if (!s->regular)
        return 0;
    uint64_t size = (uint64_t)s->open_size;
    if (!s->is_zstd)
        return size;
    /* The compressed size scaled by the ratio of what was decompressed to the compressed
     * bytes it took (those read minus those still waiting in the buffer). */
    uint64_t used = s->raw_bytes - (uint64_t)(s->in.size - s->in.pos);
    if (used == 0 || s->peek_eof)
        return text_read;
    double scaled = (double)size * ((double)text_read / (double)used);
    uint64_t by_ratio = scaled < 1.8e19 ? (uint64_t)scaled : UINT64_MAX;
    /* The first frame's header may state its size exactly; a file of several frames
     * (concatenated, pzstd) has more than that, and a header stating far more than the
     * ratio allows is damaged (reading it will say so): the larger of the two, unless the
     * header is out of all proportion. */
    unsigned char frame[18]; /* ZSTD_FRAMEHEADERSIZE_MAX, static-linking only in zstd.h */
    ssize_t got = pread(s->fd, frame, sizeof frame, 0);
    unsigned long long stated = got > 0 ? ZSTD_getFrameContentSize(frame, (size_t)got) : 0;
    if (stated != ZSTD_CONTENTSIZE_UNKNOWN && stated != ZSTD_CONTENTSIZE_ERROR &&
        stated > by_ratio && stated / 16 <= by_ratio)
        return stated;
    return by_ratio;
}

uint64_t fmt_source_raw_bytes(const fmt_source *s)
{
    return s->raw_bytes;
}

void fmt_source_sha256(fmt_source *s, char hex[65])
{
    fmt_sha256_final_hex(s->sha, hex);
}

uint64_t fmt_text_unended_line(const char *text, size_t len)
{
    if (len == 0 || text[len - 1] == '\n' || text[len - 1] == '\r')
        return 0;
    uint64_t line = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')))
            line++;
    return line;
}

eng_rc fmt_source_slurp(const char *path, size_t max, const char *what, fmt_buf *text,
                        fmt_input_info *info, eng_err *err)
{
    fmt_source *src = NULL;
    ENG_TRY(fmt_source_open(path, &src, err));
    size_t start = text->len;
    eng_rc rc = ENG_OK;
    for (;;) {
        if (fmt_buf_reserve(text, 65536) != 0) {
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading the %s", what);
            break;
        }
        size_t n = 0;
        rc = fmt_source_read(src, text->p + text->len, text->cap - text->len, &n, err);
        if (rc != ENG_OK || n == 0)
            break;
        text->len += n;
        if (text->len - start > max) {
            rc = ENG_FAIL(err, ENG_REFUSED, "%s file is over %zu MiB: is it the right file?", what,
                          max >> 20);
            break;
        }
    }
    if (rc == ENG_OK && info) {
        info->bytes = fmt_source_raw_bytes(src);
        fmt_source_sha256(src, info->sha256);
        info->unended_line = fmt_text_unended_line(text->p + start, text->len - start);
    }
    fmt_source_close(src);
    return rc;
}
