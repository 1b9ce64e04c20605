/* Atomic output folder. renameat2(RENAME_NOREPLACE) makes "DIR appeared meanwhile" an
 * error instead of a silent replace (plain rename(2) would replace an empty DIR); where
 * the filesystem lacks it, a check right before rename narrows the window. */
#define _GNU_SOURCE
#include "outdir.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct eng_outdir {
    const char *dir;
    char *parent; /* "." when dir has no slash */
    char *base;   /* last component of dir */
    char *tmp;    /* parent/.base.tmp-PID */
    char path[4096];
    int created; /* tmp exists and is ours to remove */
    int committed;
};

static eng_rc io_fail(eng_err *err, const char *path, const char *what)
{
    int e = errno;
    if (err) {
        err->path = NULL;
        err->line = 0;
        err->field = NULL;
        err->sys_errno = e;
    }
    return ENG_FAIL(err, ENG_IO, "cannot %s %s: %s", what, path, strerror(e));
}

/* Remove a flat folder of files. */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        int fd = dirfd(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            (void)unlinkat(fd, e->d_name, 0); /* best effort: rmdir below reports leftovers */
        }
        closedir(d);
    }
    (void)rmdir(path); /* best effort on a failure path */
}

static int process_alive(long pid)
{
    if (pid <= 0)
        return 0;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Temporary folders of this DIR left by runs that died. */
static void clean_stale(eng_outdir *od)
{
    DIR *d = opendir(od->parent);
    if (!d)
        return;
    size_t prefix_len = strlen(od->base) + 6; /* "." base ".tmp-" */
    char *prefix = malloc(prefix_len + 1);
    if (!prefix) {
        closedir(d);
        return;
    }
    snprintf(prefix, prefix_len + 1, ".%s.tmp-", od->base);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, prefix_len) != 0)
            continue;
        const char *digits = e->d_name + prefix_len;
        char *end;
        long pid = strtol(digits, &end, 10);
        /* Our own PID is stale too: this run has not made its folder yet, so one with
         * its name was left by a dead process whose PID we now reuse (containers start
         * each run with the same small PIDs). Kept, it made mkdir below fail with
         * EEXIST on every retry (found by tests/faults.sh). */
        if (*digits == '\0' || *end != '\0' || (pid != (long)getpid() && process_alive(pid)))
            continue;
        size_t n = strlen(od->parent) + strlen(e->d_name) + 2;
        char *stale = malloc(n);
        if (stale) {
            snprintf(stale, n, "%s/%s", od->parent, e->d_name);
            remove_tree(stale);
            free(stale);
        }
    }
    free(prefix);
    closedir(d);
}

eng_rc eng_outdir_begin(const char *dir, eng_outdir **out, eng_err *err)
{
    struct stat st;
    if (dir[0] == '\0')
        return ENG_FAIL(err, ENG_USAGE, "--out needs a folder name");
    if (lstat(dir, &st) == 0)
        return ENG_FAIL(err, ENG_USAGE,
                        "output folder %s already exists; choose a new one or remove it", dir);
    eng_outdir *od = calloc(1, sizeof *od);
    if (!od)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    od->dir = dir;
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *slash = NULL;
    for (size_t i = 0; i < len; i++)
        if (dir[i] == '/')
            slash = dir + i;
    if (slash) {
        size_t plen = (size_t)(slash - dir);
        od->parent = strndup(dir, plen ? plen : 1);
        od->base = strndup(slash + 1, len - plen - 1);
    } else {
        od->parent = strdup(".");
        od->base = strndup(dir, len);
    }
    size_t tlen = strlen(od->parent ? od->parent : "") + strlen(od->base ? od->base : "") + 40;
    od->tmp = malloc(tlen);
    if (!od->parent || !od->base || !od->tmp) {
        eng_outdir_free(od);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    }
    if (stat(od->parent, &st) != 0 || !S_ISDIR(st.st_mode)) {
        eng_rc rc = ENG_FAIL(err, ENG_USAGE, "the folder that should hold %s does not exist: %s",
                             dir, od->parent);
        eng_outdir_free(od);
        return rc;
    }
    snprintf(od->tmp, tlen, "%s/.%s.tmp-%ld", od->parent, od->base, (long)getpid());
    /* Every file path inside must fit eng_outdir_path's buffer (and PATH_MAX): refuse a
     * name that would be cut rather than write truncated file names. */
    if (strlen(od->tmp) + 1 + ENG_OUTDIR_MAX_NAME >= sizeof od->path) {
        eng_outdir_free(od);
        return ENG_FAIL(err, ENG_USAGE, "the output folder path is too long (%zu bytes)", len);
    }
    clean_stale(od);
    if (mkdir(od->tmp, 0755) != 0) {
        eng_rc rc = io_fail(err, od->tmp, "create the temporary output folder");
        eng_outdir_free(od);
        return rc;
    }
    od->created = 1;
    *out = od;
    return ENG_OK;
}

const char *eng_outdir_path(eng_outdir *od, const char *name)
{
    assert(strlen(name) <= ENG_OUTDIR_MAX_NAME);
    snprintf(od->path, sizeof od->path, "%s/%s", od->tmp, name);
    return od->path;
}

static eng_rc fsync_dir(const char *path, eng_err *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return io_fail(err, path, "open folder");
    int rc = fsync(fd);
    int e = errno;
    (void)close(fd); /* read-only descriptor */
    if (rc != 0) {
        errno = e;
        return io_fail(err, path, "fsync folder");
    }
    return ENG_OK;
}

eng_rc eng_outdir_commit(eng_outdir *od, eng_err *err)
{
    ENG_TRY(fsync_dir(od->tmp, err));
    int rc = renameat2(AT_FDCWD, od->tmp, AT_FDCWD, od->dir, RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
        struct stat st;
        if (lstat(od->dir, &st) == 0) {
            errno = EEXIST;
        } else {
            rc = rename(od->tmp, od->dir);
        }
    }
    if (rc != 0) {
        if (errno == EEXIST || errno == ENOTEMPTY)
            return ENG_FAIL(err, ENG_USAGE,
                            "output folder %s appeared during the run; "
                            "nothing was replaced",
                            od->dir);
        return io_fail(err, od->dir, "rename the finished output folder to");
    }
    od->committed = 1;
    /* DIR is complete and in place: a failed fsync of its parent only means the rename
     * may not survive a power cut. Say so, but the run has committed. */
    eng_err warn;
    memset(&warn, 0, sizeof warn);
    if (fsync_dir(od->parent, &warn) != ENG_OK)
        fprintf(stderr, "slipway: warning: %s (the output folder is complete)\n", warn.msg);
    return ENG_OK;
}

void eng_outdir_free(eng_outdir *od)
{
    if (!od)
        return;
    if (od->created && !od->committed)
        remove_tree(od->tmp);
    free(od->parent);
    free(od->base);
    free(od->tmp);
    free(od);
}
