/* Progress on stderr for a person watching a long run: the stage, lines read, MB read of
 * the total, MB/s and the time left, redrawn in place about five times a second by a
 * thread of its own, and cleared when the work ends. Off unless asked for (stderr a
 * terminal and no --quiet, or --progress): it writes nothing else and changes no output.
 *
 * The counters are atomics the stages add to; a NULL progress is accepted everywhere and
 * does nothing, so stages call it unconditionally. */
#ifndef ENG_PROGRESS_H
#define ENG_PROGRESS_H

#include <stdint.h>

typedef struct eng_progress eng_progress;

/* A display for command ("run"); NULL when off or when its thread cannot start (no
 * progress is never a failure). */
eng_progress *eng_progress_start(const char *command);

/* 1 when progress is wanted: forced (--progress), or stderr is a terminal and not quiet. */
int eng_progress_wanted(int forced, int quiet);

/* The stage now running ("reading orders"; a string that outlives the display), and what
 * it will read: total bytes (0 unknown) or total files (0: not counted in files). */
void eng_progress_stage(eng_progress *p, const char *stage, uint64_t total_bytes,
                        uint64_t total_files);

/* Done so far in this stage, added to (any thread). */
void eng_progress_add(eng_progress *p, uint64_t bytes, uint64_t lines);
void eng_progress_file_done(eng_progress *p);
/* bytes done set outright (a reader that knows its position) */
void eng_progress_bytes_at(eng_progress *p, uint64_t bytes);

/* Stop the thread and clear the line. Accepts NULL. */
void eng_progress_stop(eng_progress *p);

#endif
