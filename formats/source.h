/* Input files as a stream of bytes: plain, or zstd-compressed, decompressed on the fly.
 *
 * A file is read as zstd when its first bytes are the zstd frame magic, whatever its
 * name; a name ending in ".zst" whose bytes are not zstd is refused rather than read as
 * text. The raw bytes (compressed ones for .zst) are counted and hashed as they pass,
 * for manifest.json. A leading UTF-8 byte order mark is dropped. */
#ifndef FMT_SOURCE_H
#define FMT_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../engine/core/err.h"
#include "buf.h"

typedef struct fmt_source fmt_source;

/* Open path for reading. ENG_REFUSED (errno in err) when it cannot be opened, is a
 * directory, or says .zst without being zstd; ENG_NOMEM. path is borrowed and must
 * outlive the source. */
eng_rc fmt_source_open(const char *path, fmt_source **out, eng_err *err);

/* The same for file name in the folder open at dirfd (a link is refused): a run reads its
 * own outputs back through its output folder's descriptor, whatever its path now names. */
eng_rc fmt_source_open_at(int dirfd, const char *name, fmt_source **out, eng_err *err);

/* Close and free. Accepts NULL. */
void fmt_source_close(fmt_source *s);

/* Standard input as an input file, named "-". A night reads its files more than once
 * (the size survey, then the reading; a history file is hashed apart), which a pipe does
 * not allow, so the whole of standard input is first copied to a temporary file (in
 * $TMPDIR, else /tmp) that is unlinked at once and lives as long as the process. After
 * this, every open of "-" (fmt_source_open, fmt_sha256_file, fmt_input_path) reads that
 * copy; before it, "-" is an ordinary name. Call once, before any thread starts.
 * ENG_REFUSED when standard input is a terminal or cannot be read or copied (the reason
 * in err); ENG_NOMEM. */
eng_rc fmt_stdin_spool(eng_err *err);

/* The path to open for an input named path: the copy of standard input for "-" once
 * spooled, else path itself. */
const char *fmt_input_path(const char *path);

/* Read up to cap decompressed bytes into dst; *n = 0 means end of file. ENG_REFUSED for
 * a read error or corrupt or truncated zstd data, with the reason in err. */
eng_rc fmt_source_read(fmt_source *s, void *dst, size_t cap, size_t *n, eng_err *err);

/* The first bytes of the file (decompressed, BOM dropped, not converted), up to want,
 * without consuming them: the next reads return them again. Borrowed until close. Fewer
 * than want only at end of file. Call before any read. */
eng_rc fmt_source_peek(fmt_source *s, size_t want, const char **p, size_t *n, eng_err *err);

/* Convert every byte read from now on from encoding (an iconv name: "WINDOWS-1252",
 * "GB18030") to UTF-8. Call before the first read. ENG_USAGE when iconv lacks it. */
eng_rc fmt_source_set_encoding(fmt_source *s, const char *encoding, eng_err *err);

/* The path as given to fmt_source_open (borrowed). */
const char *fmt_source_path(const fmt_source *s);

/* 1 when the file's (decompressed) bytes start with a UTF-16 byte order mark (Excel's
 * "Unicode text"): read it through fmt_source_set_encoding(s, "UTF-16"), which takes the
 * mark for the byte order. Only a plain file is sniffed so (not zstd). */
int fmt_source_is_utf16(const fmt_source *s);

/* 1 when p starts with a UTF-16 byte order mark, either way round. */
int fmt_utf16_bom(const char *p, size_t n);

/* 1 when the file is zstd-compressed (known after open). */
int fmt_source_is_zstd(const fmt_source *s);

/* Raw bytes read so far and, after end of file, their SHA-256 in hex. */
uint64_t fmt_source_raw_bytes(const fmt_source *s);
void fmt_source_sha256(fmt_source *s, char hex[65]);

/* A regular file's size and modification time when it was opened: 1, or 0 for a pipe or
 * other special file (which has neither). */
int fmt_source_opened_as(const fmt_source *s, uint64_t *size, struct timespec *mtime);

/* How many bytes of text the whole file holds, estimated after text_read bytes of it
 * were read (or peeked): a plain file's size; for zstd, its compressed size times the
 * compression ratio seen so far, or the content size its first frame's header states when
 * that is larger (and not absurdly so). 0 for a pipe or other special file, whose size is
 * not known in advance. */
uint64_t fmt_source_text_size_estimate(const fmt_source *s, uint64_t text_read);

/* What reading a whole input found, for manifest.json and the run's warnings. */
typedef struct fmt_input_info {
    uint64_t bytes;        /* bytes read from the file (the compressed ones for .zst) */
    char sha256[65];       /* their SHA-256 in hex */
    uint64_t unended_line; /* the text's last line when it has no line end, else 0 */
} fmt_input_info;

/* Read the whole file at path, once: its text (decompressed, BOM dropped) is appended to
 * text (initialised by the caller, who releases it), and info (may be NULL) describes
 * exactly those bytes. A text over max bytes refuses the file ("the policy file is over
 * 1 MiB", `what` naming it). ENG_REFUSED as fmt_source_open and fmt_source_read,
 * ENG_NOMEM. For small inputs (policy, mapping): parse what this returns, so that what
 * is hashed is what is used. */
eng_rc fmt_source_slurp(const char *path, size_t max, const char *what, fmt_buf *text,
                        fmt_input_info *info, eng_err *err);

/* The number of the last line of text[0..len) when it does not end in a line end (LF or
 * CR), else 0 (also for no text). Lines end at LF, CRLF or a lone CR. */
uint64_t fmt_text_unended_line(const char *text, size_t len);

#endif
