/* slipway's entry point: everything else is in cli.c and run.c. */
#include "cli.h"

#include <stdlib.h> /* defines __GLIBC__ on glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* Blocks of 256 KiB and more (a batch's rows, a partition's rows, arena blocks) are
     * mapped on their own, so that freeing one gives its pages back at once: the orders
     * stage frees the night's rows while it builds its lines, and only then does the
     * peak stay near the larger of the two. By default glibc raises this threshold to
     * the largest block freed so far (4 MiB after the first chunk of input), keeps such
     * blocks in its heap, and the freed rows stayed resident. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    return eng_cli_main(argc, argv);
}
