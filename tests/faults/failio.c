/* LD_PRELOAD shim for tests/faults.sh: makes the file system under one folder fail on
 * demand, the way a full or broken disk does, without root or a real small disk.
 *
 * Only calls on paths under FAILIO_DIR count (stdout, stderr and the inputs never fail):
 * mkdir, mkdirat, open/openat/creat (with O_CREAT, or of a folder), write, writev,
 * pwrite, fsync, fdatasync, close, rename, renameat, renameat2. Descriptors, and paths
 * relative to a folder's descriptor (slipway's *at calls), are matched by their
 * /proc/self/fd link, so this is Linux-only, as slipway's renameat2 is.
 *
 *   FAILIO_DIR=/abs/folder  the folder whose contents fail (required; else a no-op)
 *   FAILIO_AT=K             the Kth counted call fails (1-based), and every later write
 *   FAILIO_BYTES=N          writes succeed for N bytes in all, then are short, then fail
 *   FAILIO_ERRNO=name       ENOSPC (default), EIO, EROFS, EDQUOT or EFBIG
 *   FAILIO_LOG=file         append "K op path" per counted call at exit ("K" = number)
 *
 * After the first failure every later write fails too, as on a disk that stays full;
 * fsync, rename and the rest fail only when they are the Kth call. Counters are atomic:
 * slipway writes its files from several threads. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *dir;
static size_t dir_len;
static long fail_at = -1;
static long long byte_budget = -1;
static int fail_errno = ENOSPC;
static FILE *log_file;

static _Atomic long calls;      /* counted calls so far */
static _Atomic long long bytes; /* bytes written under dir */
static _Atomic int disk_full;   /* a write failed: later writes fail too */

__attribute__((constructor)) static void failio_init(void)
{
    const char *d = getenv("FAILIO_DIR");
    if (!d || !*d)
        return;
    dir = d;
    dir_len = strlen(d);
    while (dir_len > 1 && dir[dir_len - 1] == '/')
        dir_len--;
    const char *v = getenv("FAILIO_AT");
    if (v && *v)
        fail_at = atol(v);
    v = getenv("FAILIO_BYTES");
    if (v && *v)
        byte_budget = atoll(v);
    v = getenv("FAILIO_ERRNO");
    if (v && strcmp(v, "EIO") == 0)
        fail_errno = EIO;
    else if (v && strcmp(v, "EROFS") == 0)
        fail_errno = EROFS;
    else if (v && strcmp(v, "EDQUOT") == 0)
        fail_errno = EDQUOT;
    else if (v && strcmp(v, "EFBIG") == 0)
        fail_errno = EFBIG;
    v = getenv("FAILIO_LOG");
    if (v && *v)
        log_file = fopen(v, "a");
}

static void *real(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "failio: no %s\n", name);
        abort();
    }
    return f;
}

static int under_dir(const char *path)
{
    if (!dir || !path)
        return 0;
    char abs[PATH_MAX];
    if (path[0] != '/') {
        if (!getcwd(abs, sizeof abs))
            return 0;
        size_t n = strlen(abs);
        snprintf(abs + n, sizeof abs - n, "/%s", path);
        path = abs;
    }
    return strncmp(path, dir, dir_len) == 0 && (path[dir_len] == '/' || path[dir_len] == '\0');
}

static int fd_path(int fd, char *buf, size_t cap)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, cap - 1);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

static int fd_under_dir(int fd, char *buf, size_t cap)
{
    if (!dir || fd_path(fd, buf, cap) != 0)
        return 0;
    return under_dir(buf);
}

/* The absolute path of path relative to the folder open as dirfd (or the working
 * folder), into buf; path itself when it is absolute or relative to the working folder
 * (under_dir resolves those). */
static const char *at_path(int dirfd, const char *path, char *buf, size_t cap)
{
    if (dirfd == AT_FDCWD || !path || path[0] == '/' || fd_path(dirfd, buf, cap) != 0)
        return path;
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "/%s", path);
    return buf;
}

/* Count one call; 1 when it is the one that must fail. */
static int count(const char *op, const char *path)
{
    long k = atomic_fetch_add(&calls, 1) + 1;
    if (log_file) {
        flockfile(log_file);
        fprintf(log_file, "%ld %s %s\n", k, op, path);
        fflush(log_file);
        funlockfile(log_file);
    }
    return k == fail_at;
}

int mkdir(const char *path, mode_t mode)
{
    static int (*f)(const char *, mode_t);
    if (!f)
        f = real("mkdir");
    if (under_dir(path) && count("mkdir", path)) {
        errno = fail_errno;
        return -1;
    }
    return f(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
    static int (*f)(int, const char *, mode_t);
    if (!f)
        f = real("mkdirat");
    char abs[PATH_MAX];
    const char *p = at_path(dirfd, path, abs, sizeof abs);
    if (under_dir(p) && count("mkdir", p)) {
        errno = fail_errno;
        return -1;
    }
    return f(dirfd, path, mode);
}

static int open_counts(const char *path, int flags)
{
    return under_dir(path) && (flags & (O_CREAT | O_DIRECTORY));
}

int open(const char *path, int flags, ...)
{
    static int (*f)(const char *, int, ...);
    if (!f)
        f = real("open");
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (open_counts(path, flags) && count("open", path)) {
        errno = fail_errno;
        return -1;
    }
    return f(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    static int (*f)(const char *, int, ...);
    if (!f)
        f = real("open64");
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (open_counts(path, flags) && count("open", path)) {
        errno = fail_errno;
        return -1;
    }
    return f(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    static int (*f)(int, const char *, int, ...);
    if (!f)
        f = real("openat");
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    char abs[PATH_MAX];
    const char *p = at_path(dirfd, path, abs, sizeof abs);
    if (open_counts(p, flags) && count("open", p)) {
        errno = fail_errno;
        return -1;
    }
    return f(dirfd, path, flags, mode);
}

/* How many of len bytes a write under dir may write: len, fewer (a short write), or -1
 * with errno set. */
static ssize_t write_allowance(int fd, size_t len)
{
    char p[PATH_MAX];
    if (!fd_under_dir(fd, p, sizeof p))
        return (ssize_t)len;
    int fail = count("write", p);
    if (atomic_load(&disk_full) || fail) {
        atomic_store(&disk_full, 1);
        errno = fail_errno;
        return -1;
    }
    if (byte_budget < 0)
        return (ssize_t)len;
    long long before = atomic_fetch_add(&bytes, (long long)len);
    if (before >= byte_budget) {
        atomic_store(&disk_full, 1);
        errno = fail_errno;
        return -1;
    }
    if (before + (long long)len > byte_budget)
        return (ssize_t)(byte_budget - before); /* short write; the next one fails */
    return (ssize_t)len;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    static ssize_t (*f)(int, const void *, size_t);
    if (!f)
        f = real("write");
    ssize_t n = write_allowance(fd, len);
    if (n < 0)
        return -1;
    return f(fd, buf, (size_t)n);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    static ssize_t (*f)(int, const void *, size_t, off_t);
    if (!f)
        f = real("pwrite");
    ssize_t n = write_allowance(fd, len);
    if (n < 0)
        return -1;
    return f(fd, buf, (size_t)n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n_iov)
{
    static ssize_t (*f)(int, const struct iovec *, int);
    if (!f)
        f = real("writev");
    size_t len = 0;
    for (int i = 0; i < n_iov; i++)
        len += iov[i].iov_len;
    ssize_t n = write_allowance(fd, len);
    if (n < 0)
        return -1;
    if ((size_t)n == len)
        return f(fd, iov, n_iov);
    /* Short: write only the first n bytes, iovec by iovec. */
    ssize_t done = 0;
    for (int i = 0; i < n_iov && done < n; i++) {
        size_t part = iov[i].iov_len;
        if ((size_t)(n - done) < part)
            part = (size_t)(n - done);
        ssize_t w = f(fd, &(struct iovec){iov[i].iov_base, part}, 1);
        if (w < 0)
            return done ? done : -1;
        done += w;
    }
    return done;
}

static int fail_fd_call(const char *op, int fd)
{
    char p[PATH_MAX];
    return fd_under_dir(fd, p, sizeof p) && count(op, p);
}

int fsync(int fd)
{
    static int (*f)(int);
    if (!f)
        f = real("fsync");
    if (fail_fd_call("fsync", fd)) {
        errno = fail_errno; /* ext4, XFS and NFS can report ENOSPC from fsync */
        return -1;
    }
    return f(fd);
}

int fdatasync(int fd)
{
    static int (*f)(int);
    if (!f)
        f = real("fdatasync");
    if (fail_fd_call("fdatasync", fd)) {
        errno = fail_errno;
        return -1;
    }
    return f(fd);
}

int close(int fd)
{
    static int (*f)(int);
    if (!f)
        f = real("close");
    char p[PATH_MAX];
    /* Only files written under dir count: closing a folder cannot report a lost write. */
    struct stat st;
    if (fd_under_dir(fd, p, sizeof p) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY && count("close", p)) {
        (void)f(fd); /* as the kernel does: the descriptor is gone even when close fails */
        errno = fail_errno;
        return -1;
    }
    return f(fd);
}

static int rename_counts(const char *from, const char *to)
{
    if (!under_dir(from) && !under_dir(to))
        return 0;
    return count("rename", to);
}

static int rename_at_counts(int fromfd, const char *from, int tofd, const char *to)
{
    char a[PATH_MAX], b[PATH_MAX];
    return rename_counts(at_path(fromfd, from, a, sizeof a), at_path(tofd, to, b, sizeof b));
}

int rename(const char *from, const char *to)
{
    static int (*f)(const char *, const char *);
    if (!f)
        f = real("rename");
    if (rename_counts(from, to)) {
        errno = fail_errno;
        return -1;
    }
    return f(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
    static int (*f)(int, const char *, int, const char *);
    if (!f)
        f = real("renameat");
    if (rename_at_counts(fromfd, from, tofd, to)) {
        errno = fail_errno;
        return -1;
    }
    return f(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned flags)
{
    static int (*f)(int, const char *, int, const char *, unsigned);
    if (!f)
        f = real("renameat2");
    if (rename_at_counts(fromfd, from, tofd, to)) {
        errno = fail_errno;
        return -1;
    }
    return f(fromfd, from, tofd, to, flags);
}
