/* Atomic output folder, and what may and may not be removed beside it.
 *
 * Everything happens relative to descriptors: the parent is opened once, the temporary
 * folder is made and opened in it, and every file is created inside through the folder's
 * descriptor. So a name beside DIR that someone swaps for a symbolic link is never
 * followed: not by the cleanup (which only opens with O_NOFOLLOW and unlinks entries
 * relative to the folder it opened, never descending), nor by the writers; and the
 * commit checks that the name still holds the folder it made before renaming it.
 *
 * Staleness is decided by a lock, not by PID liveness: two containers both run slipway
 * as PID 1, and a PID seen from another PID namespace or host says nothing. The live run
 * holds flock(LOCK_EX) on its marker for its whole life (the kernel drops the lock when
 * the process dies, however it dies); the cleanup removes a folder only when its marker
 * names this host (flock between hosts on a shared file system cannot be trusted) and
 * the lock can be taken. The live run writes the marker's text only after taking its
 * lock, and the cleanup reads the text only after taking the lock: so a marker that is
 * still being made reads empty (left alone), never as stale. A run killed between
 * mkdir and writing its marker, or between removing the marker and the rename (a few
 * system calls each), leaves a folder nobody can tell for slipway's: it is left alone,
 * with a warning, as the price of never removing what might not be ours.
 *
 * renameat2(RENAME_NOREPLACE) makes "DIR appeared meanwhile" an error instead of a
 * silent replace (plain rename(2) would replace an empty DIR); where the file system
 * lacks it, a check right before rename narrows the window.
 *
 * Signals: eng_outdir_begin blocks SIGINT, SIGTERM and SIGHUP in the calling thread, so
 * every thread made later inherits the mask and the signals wait for the watcher thread,
 * which reads them from a signalfd. (A thread, not a handler: removing a folder needs
 * readdir and a lock shared with the commit, neither async-signal-safe. signalfd rather
 * than sigwait: the watcher also polls a pipe, so eng_outdir_settle can stop it without
 * sending the process a signal of its own.) The watcher and eng_outdir_commit take od->mu,
 * so a signal either lands before the rename (the folder is removed) or after it (DIR
 * stays), never during. */
#define _GNU_SOURCE
#include "outdir.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MARKER     ".slipway-run"
#define HOST_MAX   256 /* POSIX HOST_NAME_MAX is 255 on Linux */
#define MARKER_MAX (HOST_MAX + 64)

struct eng_outdir {
    const char *dir;
    char *parent;   /* "." when dir has no slash */
    char *base;     /* last component of dir */
    char *tmp_name; /* .base.tmp-PID-XXXXXXXX, inside parent */
    char *tmp;      /* parent/tmp_name, for messages */
    unsigned file_mode, dir_mode;
    int parent_fd; /* the parent, open while the object lives */
    int tmp_fd;    /* the temporary folder; -1 until made */
    int marker_fd; /* MARKER inside it, holding flock(LOCK_EX) until closed */
    /* Orders the watcher against eng_outdir_commit and guards the paths table. */
    pthread_mutex_t mu;
    int committed;                     /* protected by mu */
    char *paths[ENG_OUTDIR_MAX_FILES]; /* protected by mu: names for messages */
    size_t n_paths;                    /* protected by mu */
    /* The signal watcher. */
    int masked;        /* the signals are blocked; old_mask is the mask before */
    sigset_t old_mask; /* the calling thread's, given back by eng_outdir_free */
    int sig_fd;        /* signalfd of the blocked signals, -1 when none */
    int stop_fd[2];    /* closing stop_fd[1] stops the watcher */
    int watching;      /* watcher runs and must be joined */
    pthread_t watcher;
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

/* Only for folders, pipes and the marker: none holds data a failed close could lose. */
static void close_fd(int *fd)
{
    if (*fd >= 0)
        (void)close(*fd);
    *fd = -1;
}

/* ---- removing a flat folder through its descriptor -------------------------------- */

/* Unlink every entry of the folder open as dir_fd, relative to it: a link is removed,
 * never followed, and a sub-folder is not descended into (unlinkat fails on it). */
static void unlink_entries(int dir_fd)
{
    int fd = dup(dir_fd); /* closedir closes its own descriptor */
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            (void)close(fd);
        return; /* the rmdir that follows reports what is left */
    }
    rewinddir(d); /* the shared offset may be at the end from an earlier pass */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        (void)unlinkat(dir_fd, e->d_name, 0); /* leftovers make the rmdir fail */
    }
    closedir(d);
}

/* Empty the folder open as dir_fd and remove its name from parent_fd. Passes repeat
 * while the folder is not empty: a worker may create a file between a pass and the
 * rmdir when the watcher removes a live run's folder (a run creates a dozen files, so
 * a few passes do). 0, or -1 with errno. */
static int remove_folder(int parent_fd, const char *name, int dir_fd)
{
    for (int pass = 0; pass < 64; pass++) {
        unlink_entries(dir_fd);
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0)
            return 0;
        if (errno != ENOTEMPTY && errno != EEXIST)
            return -1;
    }
    return -1;
}

/* ---- stale folders of earlier runs ------------------------------------------------ */

static void warn_left(const eng_outdir *od, const char *name, const char *why)
{
    fprintf(stderr, "slipway: warning: %s/%s: %s; left alone\n", od->parent, name, why);
}

/* The host named by the marker open as fd, into host (HOST_MAX bytes). 0, or -1 when
 * the text is not "host=NAME\n" followed by anything (an empty marker included). */
static int marker_host(int fd, char *host)
{
    char text[MARKER_MAX + 1];
    ssize_t n = pread(fd, text, MARKER_MAX, 0);
    if (n <= 5)
        return -1;
    text[n] = '\0';
    char *nl = strchr(text, '\n');
    if (strncmp(text, "host=", 5) != 0 || !nl || nl - (text + 5) >= HOST_MAX)
        return -1;
    memcpy(host, text + 5, (size_t)(nl - (text + 5)));
    host[nl - (text + 5)] = '\0';
    return 0;
}

/* One entry named like a temporary folder of DIR: removed when it is a stale folder of a
 * run on this host (see the top of the file), else left alone. */
static void clean_one(eng_outdir *od, const char *name, const char *host)
{
    int dir_fd = openat(od->parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int marker_fd = -1;
    struct stat st;
    char why[160];
    char marked[HOST_MAX];
    if (dir_fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
            warn_left(od, name, "a symbolic link or a file, not a folder slipway made");
        else if (errno != ENOENT) /* ENOENT: its run removed it meanwhile */
            warn_left(od, name, strerror(errno));
        goto done;
    }
    if (fstat(dir_fd, &st) != 0) {
        warn_left(od, name, strerror(errno));
        goto done;
    }
    if (st.st_uid != geteuid()) {
        snprintf(why, sizeof why, "owned by user %ld, not by this run's user", (long)st.st_uid);
        warn_left(od, name, why);
        goto done;
    }
    /* O_NONBLOCK: a FIFO in the marker's place must not stall the run. */
    marker_fd = openat(dir_fd, MARKER, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (marker_fd < 0) {
        if (errno == ENOENT)
            warn_left(od, name,
                      "no " MARKER " marker: not a folder slipway made, or one from an "
                      "older slipway or a run killed while making it (remove it by hand)");
        else
            warn_left(od, name, errno == ELOOP ? MARKER " is a symbolic link" : strerror(errno));
        goto done;
    }
    if (fstat(marker_fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        warn_left(od, name, MARKER " is not a regular file of this run's user");
        goto done;
    }
    /* A held lock is a live run, here or in another PID namespace on this machine. */
    if (flock(marker_fd, LOCK_EX | LOCK_NB) != 0)
        goto done;
    if (marker_host(marker_fd, marked) != 0) {
        warn_left(od, name,
                  MARKER " names no host yet (a run starting this instant, or one "
                         "killed while starting)");
        goto done;
    }
    /* Another host's run, dead or alive: its lock cannot be seen from here. */
    if (strcmp(marked, host) != 0)
        goto done;
    if (remove_folder(od->parent_fd, name, dir_fd) != 0)
        fprintf(stderr,
                "slipway: warning: %s/%s: a stale temporary folder; its files were removed "
                "but not the folder: %s\n",
                od->parent, name, strerror(errno));
done:
    close_fd(&marker_fd); /* and with it the lock */
    close_fd(&dir_fd);
}

/* The part of a name after ".DIR.tmp-" is "PID-XXXXXXXX" (or "PID", from a slipway
 * before the markers): so that ".a.tmp-" never takes the folders of a DIR "a.tmp-1". */
static int tmp_suffix_ok(const char *s)
{
    size_t digits = strspn(s, "0123456789");
    if (digits == 0)
        return 0;
    if (s[digits] == '\0')
        return 1;
    return s[digits] == '-' && strspn(s + digits + 1, "0123456789abcdef") == 8 &&
           s[digits + 9] == '\0';
}

/* Temporary folders of this DIR left by runs that died. Best effort: a parent that
 * cannot be listed is simply not cleaned. */
static void clean_stale(eng_outdir *od, const char *host)
{
    int fd = dup(od->parent_fd); /* closedir closes its own; fails on an O_PATH parent */
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            (void)close(fd);
        return;
    }
    size_t prefix_len = strlen(od->base) + 6; /* "." base ".tmp-" */
    char *prefix = malloc(prefix_len + 1);
    if (prefix) {
        snprintf(prefix, prefix_len + 1, ".%s.tmp-", od->base);
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strncmp(e->d_name, prefix, prefix_len) == 0 &&
                tmp_suffix_ok(e->d_name + prefix_len))
                clean_one(od, e->d_name, host);
    }
    free(prefix);
    closedir(d);
}

/* ---- this run's folder and marker ------------------------------------------------- */

/* Random bits for the folder's name: the PID alone is the same in two containers. */
static uint32_t random_u32(void)
{
    uint32_t r;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
        return r;
    /* No entropy yet (early boot) or no getrandom: the clock still differs between
     * runs, and EEXIST makes the caller try again anyway. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)ts.tv_nsec ^ ((uint32_t)ts.tv_sec << 20) ^ ((uint32_t)getpid() << 8);
}

static eng_rc make_folder(eng_outdir *od, size_t name_cap, size_t tmp_cap, eng_err *err)
{
    for (int attempt = 0;; attempt++) {
        snprintf(od->tmp_name, name_cap, ".%s.tmp-%ld-%08x", od->base, (long)getpid(),
                 (unsigned)random_u32());
        snprintf(od->tmp, tmp_cap, "%s/%s", od->parent, od->tmp_name);
        if (mkdirat(od->parent_fd, od->tmp_name, (mode_t)od->dir_mode) == 0)
            break;
        if (errno != EEXIST || attempt == 100)
            return io_fail(err, od->tmp, "create the temporary output folder");
    }
    od->tmp_fd =
        openat(od->parent_fd, od->tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (od->tmp_fd < 0) {
        eng_rc rc = io_fail(err, od->tmp, "open the temporary output folder");
        (void)unlinkat(od->parent_fd, od->tmp_name, AT_REMOVEDIR); /* still empty */
        return rc;
    }
    return ENG_OK;
}

/* The marker: created, then locked, then written, then fsynced with its folder, so that
 * after a power cut too the next run knows the folder for a stale one of this host. */
static eng_rc make_marker(eng_outdir *od, const char *host, eng_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" MARKER, od->tmp);
    od->marker_fd =
        openat(od->tmp_fd, MARKER, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (od->marker_fd < 0)
        return io_fail(err, path, "create");
    if (flock(od->marker_fd, LOCK_EX) != 0) /* waits only for a cleanup looking at it */
        return io_fail(err, path, "lock");
    char text[MARKER_MAX];
    int len = snprintf(text, sizeof text, "host=%s\npid=%ld\n", host, (long)getpid());
    assert(len > 0 && (size_t)len < sizeof text);
    for (const char *p = text; len > 0;) {
        ssize_t w = write(od->marker_fd, p, (size_t)len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return io_fail(err, path, "write");
        p += w;
        len -= (int)w;
    }
    if (fsync(od->marker_fd) != 0)
        return io_fail(err, path, "fsync");
    if (fsync(od->tmp_fd) != 0)
        return io_fail(err, od->tmp, "fsync folder");
    return ENG_OK;
}

/* ---- the signal watcher ------------------------------------------------------------ */

static const char *signal_name(int signo)
{
    switch (signo) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    default:
        return "SIGHUP";
    }
}

/* A signal came: remove the temporary folder unless committed, say so in one line, end
 * the process. Holds mu to the end, so no commit starts meanwhile. */
static void interrupted(eng_outdir *od, int signo)
{
    pthread_mutex_lock(&od->mu);
    char line[4096 + 256];
    int len;
    if (od->committed)
        len = snprintf(line, sizeof line,
                       "slipway: interrupted by %s after %s was complete; it stays\n",
                       signal_name(signo), od->dir);
    else if (remove_folder(od->parent_fd, od->tmp_name, od->tmp_fd) == 0)
        len = snprintf(line, sizeof line,
                       "slipway: interrupted by %s; removed the unfinished output folder, "
                       "nothing written to %s\n",
                       signal_name(signo), od->dir);
    else
        len = snprintf(line, sizeof line,
                       "slipway: interrupted by %s; could not remove the unfinished output "
                       "folder %s: %s\n",
                       signal_name(signo), od->tmp, strerror(errno));
    if (len > 0)
        (void)!write(STDERR_FILENO, line,
                     (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    /* Workers may be mid-write and the main thread may hold stdout's lock, blocked on a
     * full pipe: end the process without exit handlers or flushing. Not _exit(): under
     * ThreadSanitizer it flushes stdio first, and waited for that lock forever. */
    syscall(SYS_exit_group, 128 + signo);
    abort(); /* not reached */
}

static void *watch(void *arg)
{
    eng_outdir *od = arg;
    struct pollfd p[2] = {{od->sig_fd, POLLIN, 0}, {od->stop_fd[0], POLLIN, 0}};
    for (;;) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return NULL; /* cannot happen with two valid descriptors */
        }
        /* The signal first: one that came with the stop is still handled. */
        struct signalfd_siginfo si;
        if ((p[0].revents & POLLIN) && read(od->sig_fd, &si, sizeof si) == (ssize_t)sizeof si)
            interrupted(od, (int)si.ssi_signo);
        if (p[1].revents) /* eng_outdir_settle closed the write end */
            return NULL;
    }
}

static eng_rc start_watcher(eng_outdir *od, const sigset_t *set, eng_err *err)
{
    od->sig_fd = signalfd(-1, set, SFD_CLOEXEC);
    if (od->sig_fd < 0)
        return io_fail(err, "signals", "watch");
    if (pipe2(od->stop_fd, O_CLOEXEC) != 0)
        return io_fail(err, "signals", "watch");
    if (pthread_create(&od->watcher, NULL, watch, od) != 0)
        return ENG_FAIL(err, ENG_NOMEM, "cannot start the thread that watches for signals");
    od->watching = 1;
    return ENG_OK;
}

void eng_outdir_settle(eng_outdir *od)
{
    if (!od)
        return;
    if (od->watching) {
        close_fd(&od->stop_fd[1]);
        pthread_join(od->watcher, NULL);
        od->watching = 0;
    }
    close_fd(&od->stop_fd[0]);
    close_fd(&od->stop_fd[1]);
    close_fd(&od->sig_fd);
}

/* ---- the life cycle ----------------------------------------------------------------- */

static eng_rc open_parent(eng_outdir *od, eng_err *err)
{
    struct stat st;
    od->parent_fd = open(od->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (od->parent_fd < 0 && errno == EACCES) /* writable but not listable: no cleanup */
        od->parent_fd = open(od->parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (od->parent_fd < 0 && (errno == ENOENT || errno == ENOTDIR))
        return ENG_FAIL(err, ENG_USAGE, "the folder that should hold %s does not exist: %s",
                        od->dir, od->parent);
    if (od->parent_fd < 0) {
        char what[4096 + 64];
        snprintf(what, sizeof what, "open the folder that should hold %s:", od->dir);
        return io_fail(err, od->parent, what);
    }
    if (fstat(od->parent_fd, &st) != 0 || !S_ISDIR(st.st_mode))
        return ENG_FAIL(err, ENG_USAGE, "the folder that should hold %s does not exist: %s",
                        od->dir, od->parent);
    return ENG_OK;
}

eng_rc eng_outdir_check(const char *dir, eng_err *err)
{
    struct stat st;
    if (dir[0] == '\0')
        return ENG_FAIL(err, ENG_USAGE, "--out needs a folder name");
    if (lstat(dir, &st) == 0)
        return ENG_FAIL(err, ENG_USAGE,
                        "output folder %s already exists; choose a new one or remove it", dir);
    /* the parent as eng_outdir_begin finds it: trailing slashes aside, up to the last */
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t plen = len;
    while (plen > 0 && dir[plen - 1] != '/')
        plen--;
    if (plen == 0)
        return ENG_OK; /* in the working folder */
    char *parent = strndup(dir, plen > 1 ? plen - 1 : 1);
    if (!parent)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    eng_rc rc = ENG_OK;
    if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = ENG_FAIL(err, ENG_USAGE, "the folder that should hold %s does not exist: %s", dir,
                      parent);
    free(parent);
    return rc;
}

eng_rc eng_outdir_begin(const char *dir, unsigned file_mode, eng_outdir **out, eng_err *err)
{
    ENG_TRY(eng_outdir_check(dir, err));
    assert(file_mode <= 0777 && (file_mode & 0600) == 0600);
    eng_outdir *od = calloc(1, sizeof *od);
    if (!od)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    od->dir = dir;
    od->file_mode = file_mode;
    od->dir_mode = file_mode | ((file_mode & 0444) >> 2); /* x wherever r */
    od->parent_fd = od->tmp_fd = od->marker_fd = od->sig_fd = -1;
    od->stop_fd[0] = od->stop_fd[1] = -1;
    pthread_mutex_init(&od->mu, NULL);
    eng_rc rc = ENG_OK;
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
    size_t name_cap = (od->base ? strlen(od->base) : 0) + 40;
    size_t tmp_cap = (od->parent ? strlen(od->parent) : 0) + name_cap + 1;
    od->tmp_name = malloc(name_cap);
    od->tmp = malloc(tmp_cap);
    if (!od->parent || !od->base || !od->tmp_name || !od->tmp) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory");
        goto done;
    }
    /* Every file path inside must fit a message's path (and PATH_MAX): refuse a name
     * that would be cut rather than print truncated file names. */
    if (tmp_cap + 1 + ENG_OUTDIR_MAX_NAME >= 4096) {
        rc = ENG_FAIL(err, ENG_USAGE, "the output folder path is too long (%zu bytes)", len);
        goto done;
    }
    rc = open_parent(od, err);
    if (rc != ENG_OK)
        goto done;

    /* Before the folder exists, so that a signal from here on waits for the watcher. A
     * signal ignored now (nohup) stays ignored: left out of the set, as Linux queues
     * even an ignored signal while it is blocked. */
    sigset_t set;
    sigemptyset(&set);
    const int watched[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof watched / sizeof *watched; i++) {
        struct sigaction now;
        if (sigaction(watched[i], NULL, &now) != 0 || now.sa_handler != SIG_IGN)
            sigaddset(&set, watched[i]);
    }
    if (pthread_sigmask(SIG_BLOCK, &set, &od->old_mask) != 0) {
        rc = ENG_FAIL(err, ENG_INTERNAL, "cannot block signals");
        goto done;
    }
    od->masked = 1;

    char host[HOST_MAX + 1];
    int have_host = gethostname(host, sizeof host) == 0 && host[0] != '\0' &&
                    memchr(host, '\0', sizeof host) != NULL && strchr(host, '\n') == NULL;
    /* Without this host's name no folder can be told for one of this host's. */
    if (have_host)
        clean_stale(od, host);
    else
        snprintf(host, sizeof host, "unknown");
    rc = make_folder(od, name_cap, tmp_cap, err);
    if (rc == ENG_OK)
        rc = make_marker(od, host, err);
    if (rc == ENG_OK)
        rc = start_watcher(od, &set, err);
done:
    if (rc != ENG_OK) {
        eng_outdir_free(od);
        return rc;
    }
    *out = od;
    return ENG_OK;
}

eng_rc eng_outdir_create(eng_outdir *od, const char *name, int compress, fmt_sink **out,
                         eng_err *err)
{
    assert(strlen(name) <= ENG_OUTDIR_MAX_NAME && !strchr(name, '/'));
    size_t n = strlen(od->tmp) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory opening %s", name);
    snprintf(path, n, "%s/%s", od->tmp, name);
    pthread_mutex_lock(&od->mu);
    int full = od->n_paths == ENG_OUTDIR_MAX_FILES;
    if (!full)
        od->paths[od->n_paths++] = path;
    pthread_mutex_unlock(&od->mu);
    if (full) {
        free(path);
        return ENG_FAIL(err, ENG_INTERNAL, "internal error: more than %d output files",
                        ENG_OUTDIR_MAX_FILES);
    }
    return fmt_sink_openat(od->tmp_fd, name, path, od->file_mode, compress, out, err);
}

/* name (in the parent) is the folder this run made and holds open: nobody swapped it
 * for a link or another folder, which the rename would move to DIR. */
static int still_ours(const eng_outdir *od, const char *name)
{
    struct stat named, held;
    return fstatat(od->parent_fd, name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
           fstat(od->tmp_fd, &held) == 0 && S_ISDIR(named.st_mode) && named.st_dev == held.st_dev &&
           named.st_ino == held.st_ino;
}

static eng_rc rename_locked(eng_outdir *od, eng_err *err)
{
    assert(!od->committed && od->tmp_fd >= 0 && od->marker_fd >= 0);
    char marker[4096];
    snprintf(marker, sizeof marker, "%s/" MARKER, od->tmp);
    if (fsync(od->tmp_fd) != 0)
        return io_fail(err, od->tmp, "fsync folder");
    /* DIR holds only outputs. The lock stays on the open descriptor until free. */
    if (unlinkat(od->tmp_fd, MARKER, 0) != 0)
        return io_fail(err, marker, "remove");
    if (!still_ours(od, od->tmp_name))
        return ENG_FAIL(err, ENG_IO,
                        "the temporary output folder %s was moved or replaced during the run; "
                        "nothing was committed",
                        od->tmp);
    int rc = renameat2(od->parent_fd, od->tmp_name, od->parent_fd, od->base, RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
        struct stat st;
        if (fstatat(od->parent_fd, od->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            errno = EEXIST;
        } else {
            rc = renameat(od->parent_fd, od->tmp_name, od->parent_fd, od->base);
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
    /* The check and the rename are two calls: in a parent writable by others without the
     * sticky bit, the name can be swapped between them. Then DIR is not this run's
     * folder: take out a link or file the rename put there (unlinking never follows a
     * link), leave anything else alone, and fail rather than report a night done. */
    if (!still_ours(od, od->base)) {
        struct stat st;
        if (fstatat(od->parent_fd, od->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
            (void)unlinkat(od->parent_fd, od->base, 0);
        return ENG_FAIL(err, ENG_IO,
                        "the temporary output folder %s was replaced at the moment of the "
                        "commit, so %s is not this run's; nothing was committed (can others "
                        "write to %s? give it the sticky bit or use a private folder)",
                        od->tmp, od->dir, od->parent);
    }
    od->committed = 1;
    return ENG_OK;
}

eng_rc eng_outdir_commit(eng_outdir *od, eng_err *err)
{
    pthread_mutex_lock(&od->mu);
    eng_rc rc = rename_locked(od, err);
    pthread_mutex_unlock(&od->mu);
    ENG_TRY(rc);
    /* DIR is complete and in place: a failed fsync now only means the marker's removal
     * or the rename may not survive a power cut. Say so, but the run has committed. */
    if (fsync(od->tmp_fd) != 0)
        fprintf(stderr,
                "slipway: warning: cannot fsync folder %s: %s (the output folder is complete)\n",
                od->dir, strerror(errno));
    if (fsync(od->parent_fd) != 0)
        fprintf(stderr,
                "slipway: warning: cannot fsync folder %s: %s (the output folder is complete)\n",
                od->parent, strerror(errno));
    return ENG_OK;
}

void eng_outdir_free(eng_outdir *od)
{
    if (!od)
        return;
    eng_outdir_settle(od);
    /* committed is read without mu: the watcher is gone, this is the only thread. */
    if (od->tmp_fd >= 0 && !od->committed)
        (void)remove_folder(od->parent_fd, od->tmp_name, od->tmp_fd); /* failing already */
    close_fd(&od->marker_fd);
    close_fd(&od->tmp_fd);
    close_fd(&od->parent_fd);
    /* Last: a signal that came after the watcher stopped is delivered now, with the
     * folder already gone or committed. */
    if (od->masked)
        pthread_sigmask(SIG_SETMASK, &od->old_mask, NULL);
    for (size_t i = 0; i < od->n_paths; i++)
        free(od->paths[i]);
    pthread_mutex_destroy(&od->mu);
    free(od->parent);
    free(od->base);
    free(od->tmp_name);
    free(od->tmp);
    free(od);
}

int eng_outdir_read_path(const eng_outdir *od, const char *name, char *dst, size_t cap)
{
    assert(od->tmp_fd >= 0 && !strchr(name, '/'));
    int n = snprintf(dst, cap, "/proc/self/fd/%d/%s", od->tmp_fd, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

eng_rc eng_outdir_write_file(eng_outdir *od, const char *name, const void *data, size_t len,
                             uint64_t *bytes, char *sha256, eng_err *err)
{
    fmt_sink *s = NULL;
    eng_rc rc = eng_outdir_create(od, name, 0, &s, err);
    if (rc == ENG_OK)
        rc = fmt_sink_write(s, data, len, err);
    if (rc == ENG_OK)
        rc = fmt_sink_close(s, err);
    if (rc == ENG_OK && bytes)
        *bytes = fmt_sink_bytes(s);
    if (rc == ENG_OK && sha256)
        memcpy(sha256, fmt_sink_sha256(s), 65);
    fmt_sink_free(s);
    return rc;
}

int eng_outdir_fd(const eng_outdir *od)
{
    assert(od->tmp_fd >= 0);
    return od->tmp_fd;
}
