/* Output files: bytes appended in order, optionally zstd-compressed on the way, counted
 * and hashed (SHA-256 of the bytes on disk, for manifest.json), and fsynced on close.
 *
 * A sink is written by one thread at a time. Writers format rows into a fmt_buf and
 * pass it whole, so the sink sees few large writes. */
#ifndef FMT_SINK_H
#define FMT_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/err.h"

typedef struct fmt_sink fmt_sink;

/* Create path (which must not exist) for writing, mode 0644 less the umask; compress
 * with zstd when compress is set. ENG_IO or ENG_NOMEM with the reason in err. path is
 * borrowed for the sink's life and for any err it fills. */
eng_rc fmt_sink_open(const char *path, int compress, fmt_sink **out, eng_err *err);

/* The same for name inside the folder open as dir_fd (AT_FDCWD: the working folder),
 * with permission bits mode less the umask. name must not exist and is never reached
 * through a symbolic link; path is what messages call the file (borrowed, as above). */
eng_rc fmt_sink_openat(int dir_fd, const char *name, const char *path, unsigned mode, int compress,
                       fmt_sink **out, eng_err *err);

/* The zstd level of a compressed sink (3 unless set), before its first write: the
 * files a sharded night's tasks hand each other are read once, so speed wins there. */
void fmt_sink_set_level(fmt_sink *s, int level);

/* Append len bytes. ENG_IO (disk full, write error) or ENG_NOMEM. */
eng_rc fmt_sink_write(fmt_sink *s, const void *src, size_t len, eng_err *err);

/* Finish the zstd frame, flush, fsync and close. After it, the bytes count and hash
 * describe the file on disk. ENG_IO on any failure. */
eng_rc fmt_sink_close(fmt_sink *s, eng_err *err);

/* Bytes on disk and their SHA-256 in hex; valid after a successful close. */
uint64_t fmt_sink_bytes(const fmt_sink *s);
const char *fmt_sink_sha256(const fmt_sink *s);

/* Free (closing without fsync if fmt_sink_close was not called). Accepts NULL. */
void fmt_sink_free(fmt_sink *s);

#endif
