/* Removing a scratch tree, shared by the Criterion tests (testutil.h) and the libFuzzer
 * harnesses (fuzz/fuzz_util.h), which cannot include Criterion. */
#ifndef TESTS_RMTREE_H
#define TESTS_RMTREE_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Remove path and, for a directory, everything below it. */
static inline void tu_rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char child[1024];
                int n = snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                if (n > 0 && (size_t)n < sizeof child)
                    tu_rm_tree(child);
            }
            closedir(d);
        }
        (void)rmdir(path); /* best effort: a scratch directory */
    } else {
        (void)unlink(path); /* best effort: a scratch file */
    }
}

#endif
