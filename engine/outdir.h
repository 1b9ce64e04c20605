/* The output folder, made atomically: files are written into `.DIR.tmp-PID` beside DIR,
 * fsynced, and the folder is renamed to DIR only when every file is complete, then the
 * parent is fsynced. A run that fails or is killed leaves no DIR; the next run removes
 * temporary folders of processes that no longer exist. */
#ifndef ENG_OUTDIR_H
#define ENG_OUTDIR_H

#include "err.h"

typedef struct eng_outdir eng_outdir;

/* Longest file name eng_outdir_path accepts. */
#define ENG_OUTDIR_MAX_NAME 39

/* Check that dir does not exist (ENG_USAGE otherwise) and its parent does, remove stale
 * temporary folders for it, and create this run's. ENG_IO when the parent cannot be
 * written. dir is borrowed for the object's life. */
eng_rc eng_outdir_begin(const char *dir, eng_outdir **out, eng_err *err);

/* Path of a file (name at most ENG_OUTDIR_MAX_NAME bytes) inside the temporary folder.
 * Borrowed until the next call. */
const char *eng_outdir_path(eng_outdir *od, const char *name);

/* fsync the temporary folder, rename it to dir (never replacing anything), fsync the
 * parent (a failure there is only a warning: dir is complete). ENG_IO; ENG_USAGE if dir
 * appeared meanwhile. */
eng_rc eng_outdir_commit(eng_outdir *od, eng_err *err);

/* Remove the temporary folder unless committed, and free. Accepts NULL. */
void eng_outdir_free(eng_outdir *od);

#endif
