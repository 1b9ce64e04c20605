/* LD_PRELOAD shim for tests/outdir.sh: the temporary output folder is swapped for a link
 * in the instant between slipway's last check of it and the rename that commits it, as
 * a racer in a parent folder writable by others (without the sticky bit) can do.
 *
 *   SWAPIO=1    on the first rename of a name holding ".tmp-": move that folder aside to
 *               "swapped-away" and put a symbolic link to "victim" in its place, then do
 *               the rename asked for. Without SWAPIO the shim changes nothing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int swapped;

static void swap(int dirfd, const char *name)
{
    if (swapped || !getenv("SWAPIO") || !strstr(name, ".tmp-"))
        return;
    swapped = 1;
    if (renameat(dirfd, name, dirfd, "swapped-away") == 0)
        (void)symlinkat("victim", dirfd, name);
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
              unsigned int flags)
{
    static int (*real)(int, const char *, int, const char *, unsigned int);
    if (!real)
        real = (int (*)(int, const char *, int, const char *, unsigned int))dlsym(RTLD_NEXT,
                                                                                  "renameat2");
    swap(olddirfd, oldpath);
    return real(olddirfd, oldpath, newdirfd, newpath, flags);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
    static int (*real)(int, const char *, int, const char *);
    if (!real)
        real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
    swap(olddirfd, oldpath);
    return real(olddirfd, oldpath, newdirfd, newpath);
}
