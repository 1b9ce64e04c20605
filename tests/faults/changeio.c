/* LD_PRELOAD shim for tests/faults.sh: one input changes while slipway reads it, the way
 * a file still arriving by transfer does, at a moment a test can name.
 *
 *   CHANGEIO_FILE=/abs/path   the input that changes (required; else a no-op)
 *   CHANGEIO_HOW=grow         append a line (default); shrink: cut it to half its size;
 *                             touch: same bytes, modification time one second later
 *
 * The file is changed once, right after the first read() that returns bytes from a
 * descriptor open on it (matched by its /proc/self/fd link: Linux only, as failio.c). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *target;
static const char *how = "grow";
static _Atomic int changed;

__attribute__((constructor)) static void changeio_init(void)
{
    const char *v = getenv("CHANGEIO_FILE");
    if (v && *v)
        target = v;
    v = getenv("CHANGEIO_HOW");
    if (v && *v)
        how = v;
}

static void change(void)
{
    struct stat st;
    if (stat(target, &st) != 0)
        return;
    if (strcmp(how, "shrink") == 0) {
        (void)truncate(target, st.st_size / 2);
    } else if (strcmp(how, "touch") == 0) {
        struct timespec t[2] = {st.st_atim, st.st_mtim};
        t[1].tv_sec += 1;
        (void)utimensat(AT_FDCWD, target, t, 0);
    } else {
        FILE *f = fopen(target, "a");
        if (f) {
            fputs("late,row,arriving\n", f);
            fclose(f);
        }
    }
}

ssize_t read(int fd, void *buf, size_t len)
{
    static ssize_t (*f)(int, void *, size_t);
    if (!f)
        f = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    ssize_t n = f(fd, buf, len);
    if (n > 0 && target && !atomic_load(&changed)) {
        char link[64], path[PATH_MAX];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, path, sizeof path - 1);
        if (k > 0) {
            path[k] = '\0';
            if (strcmp(path, target) == 0 && !atomic_exchange(&changed, 1))
                change();
        }
    }
    return n;
}
