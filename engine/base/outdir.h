/* The output folder, made atomically: files are written into `.DIR.tmp-PID-XXXXXXXX`
 * beside DIR (XXXXXXXX random), fsynced, and the folder is renamed to DIR only when every
 * file is complete, then the parent is fsynced. A run that fails, is killed or is
 * interrupted by SIGINT, SIGTERM or SIGHUP leaves no DIR.
 *
 * The temporary folder holds a marker, `.slipway-run` ("host=NAME" and "pid=PID" lines),
 * locked with flock(2) while the run lives. The next run for the same DIR removes a
 * temporary folder only when it is a real folder (not a link) owned by the same user
 * whose marker is a regular file naming this host and whose lock is free; anything else
 * is left alone, with a warning when it is not a slipway folder at all. */
#ifndef ENG_OUTDIR_H
#define ENG_OUTDIR_H

#include "../../formats/sink.h"
#include "../core/err.h"

typedef struct eng_outdir eng_outdir;

/* Longest file name eng_outdir_create accepts, and how many files a run may create. */
#define ENG_OUTDIR_MAX_NAME  39
#define ENG_OUTDIR_MAX_FILES 32

/* Permission bits of output files unless --mode says otherwise: the outputs hold
 * customer names and addresses. The folder gets x wherever the files have r. */
#define ENG_OUTDIR_MODE 0640

/* The checks eng_outdir_begin starts with, for a caller that must refuse a night before
 * doing work for it (a sharded night, before its map tasks): dir is a name, does not
 * exist, and its parent folder does. ENG_USAGE naming which; ENG_NOMEM. */
eng_rc eng_outdir_check(const char *dir, eng_err *err);

/* Check that dir does not exist (ENG_USAGE otherwise) and its parent does, remove stale
 * temporary folders for it, and create this run's with file_mode's folder bits (less the
 * umask). ENG_IO when the parent cannot be written. dir is borrowed for the object's life.
 *
 * From here until eng_outdir_free, SIGINT, SIGTERM and SIGHUP (unless ignored when the
 * run started, as under nohup) are taken by a watcher thread: before the commit it
 * removes the temporary folder, after it DIR stays; either way it prints one line and
 * ends the process with 128 + the signal's number. Call it before any other thread
 * exists, so that every thread inherits the blocked signals. Not reentrant: one object
 * at a time per process. */
eng_rc eng_outdir_begin(const char *dir, unsigned file_mode, eng_outdir **out, eng_err *err);

/* Create the file name (at most ENG_OUTDIR_MAX_NAME bytes; it must not exist) in the
 * temporary folder, through the folder's descriptor so that no link is ever followed,
 * with the run's file mode; see fmt_sink_openat. The sink's path in messages is the
 * temporary folder's path and name, valid until eng_outdir_free. Thread-safe. */
eng_rc eng_outdir_create(eng_outdir *od, const char *name, int compress, fmt_sink **out,
                         eng_err *err);

/* fsync the temporary folder, remove its marker, rename it to dir (never replacing
 * anything), fsync it and the parent (a failure there is only a warning: dir is
 * complete). ENG_IO; ENG_USAGE if dir appeared meanwhile. */
eng_rc eng_outdir_commit(eng_outdir *od, eng_err *err);

/* A whole file from memory: name in the temporary folder, never compressed; its size
 * and SHA-256 (65 bytes with the NUL) into *bytes and sha256 when not NULL. ENG_IO,
 * ENG_NOMEM. */
eng_rc eng_outdir_write_file(eng_outdir *od, const char *name, const void *data, size_t len,
                             uint64_t *bytes, char *sha256, eng_err *err);

/* The temporary folder's descriptor, to read back a file written there
 * (fmt_table_open_at): never through its name, which someone may swap for a link. */
int eng_outdir_fd(const eng_outdir *od);

/* A path to file `name` in the temporary folder for a library that takes only a file
 * name (libxlsxwriter): through the folder's descriptor (/proc/self/fd/N/name), never
 * through its name, which someone may have swapped for a link. dst holds cap bytes; -1
 * when name does not fit. */
int eng_outdir_read_path(const eng_outdir *od, const char *name, char *dst, size_t cap);

/* Stop the signal watcher (waiting for it if it is handling a signal, which ends the
 * process): from here on a signal waits until eng_outdir_free. Call it before printing
 * a failure, so that an interruption's one line never comes with the run's own message
 * (a worker can fail because the watcher removed the folder under it). Accepts NULL;
 * eng_outdir_free calls it too. */
void eng_outdir_settle(eng_outdir *od);

/* Stop the signal watcher, remove the temporary folder unless committed, give the
 * signals back their old mask (a signal held back meanwhile is delivered then, with its
 * default effect), and free. Accepts NULL. */
void eng_outdir_free(eng_outdir *od);

#endif
