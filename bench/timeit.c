/* Runs a command and records what a benchmark needs of it: wall time and the peak
 * resident memory of the command's own process tree, as the kernel counted them
 * (wait4's rusage), so no package beyond libc is needed to measure.
 *
 *   timeit -o RESULT -- COMMAND [ARG...]
 *
 * Appends one line "wall_s rss_kib status" to RESULT; exits with the command's status.
 * Status is the exit code, or 128 + the signal that killed it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[1], "-o") != 0 || strcmp(argv[3], "--") != 0) {
        fputs("usage: timeit -o RESULT -- COMMAND [ARG...]\n", stderr);
        return 2;
    }
    FILE *res = fopen(argv[2], "a");
    if (!res) {
        perror(argv[2]);
        return 2;
    }
    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[4], argv + 4);
        perror(argv[4]);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0) {
        perror("wait4");
        return 2;
    }
    double wall = now() - start;
    /* The child's own peak; a shell's children (cp | sync) are in RUSAGE_CHILDREN. */
    struct rusage all;
    getrusage(RUSAGE_CHILDREN, &all);
    long rss = all.ru_maxrss > ru.ru_maxrss ? all.ru_maxrss : ru.ru_maxrss;
    int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    fprintf(res, "%.6f %ld %d\n", wall, rss, status);
    return fclose(res) == 0 ? status : 2;
}
