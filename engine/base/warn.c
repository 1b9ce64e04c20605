/* The warnings list: a sorted array under a mutex. A night has a handful of warnings at
 * most (one per input at worst), so each is inserted at its place by a linear move; the
 * list is always in its final order and reading it needs no sort. */
#include "warn.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct warning {
    size_t source;
    uint64_t line;
    char *text; /* owned */
} warning;

struct eng_warnings {
    pthread_mutex_t mu;
    warning *items; /* protected by mu; sorted by (source, line, text) */
    size_t n;
    size_t cap;
};

eng_warnings *eng_warnings_new(void)
{
    eng_warnings *w = calloc(1, sizeof *w);
    if (w && pthread_mutex_init(&w->mu, NULL) != 0) {
        free(w);
        w = NULL;
    }
    return w;
}

void eng_warnings_free(eng_warnings *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->items[i].text);
    free(w->items);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

static int before(const warning *a, const warning *b)
{
    if (a->source != b->source)
        return a->source < b->source;
    if (a->line != b->line)
        return a->line < b->line;
    return strcmp(a->text, b->text) < 0;
}

/* Insert at its place (after equal ones). ENG_NOMEM leaves the list as it was. */
static eng_rc insert(eng_warnings *w, warning add)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        warning *grown = realloc(w->items, cap * sizeof *grown);
        if (!grown)
            return ENG_NOMEM;
        w->items = grown;
        w->cap = cap;
    }
    size_t at = w->n;
    while (at > 0 && before(&add, &w->items[at - 1]))
        at--;
    memmove(w->items + at + 1, w->items + at, (w->n - at) * sizeof *w->items);
    w->items[at] = add;
    w->n++;
    return ENG_OK;
}

eng_rc eng_warn(eng_warnings *w, size_t source, uint64_t line, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(text, sizeof text, fmt, ap); /* a longer warning is cut: still readable */
    va_end(ap);
    /* One fprintf per line: stderr is unbuffered, and lines of two threads must not mix. */
    fprintf(stderr, "slipway: warning: %s\n", text);
    return eng_warn_keep(w, source, line, text);
}

eng_rc eng_warn_keep(eng_warnings *w, size_t source, uint64_t line, const char *text)
{
    if (!w)
        return ENG_OK;
    warning add = {source, line, strdup(text)};
    if (!add.text)
        return ENG_NOMEM;
    pthread_mutex_lock(&w->mu);
    eng_rc rc = insert(w, add);
    pthread_mutex_unlock(&w->mu);
    if (rc != ENG_OK)
        free(add.text);
    return rc;
}

eng_rc eng_warn_unended(eng_warnings *w, size_t source, const char *path, uint64_t line)
{
    if (line == 0)
        return ENG_OK;
    return eng_warn(w, source, line,
                    "%s: no line end after the last line %llu: was the file cut short?", path,
                    (unsigned long long)line);
}

size_t eng_warnings_count(const eng_warnings *w)
{
    return w ? w->n : 0;
}

const char *eng_warnings_text(const eng_warnings *w, size_t i)
{
    return w->items[i].text;
}

void eng_warnings_where(const eng_warnings *w, size_t i, size_t *source, uint64_t *line)
{
    *source = w->items[i].source;
    *line = w->items[i].line;
}
