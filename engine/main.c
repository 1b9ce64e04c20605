/* slipway's entry point: everything else is in cli.c and run.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/heap.h"
#include "cli.h"

/* Started with stdin, stdout or stderr closed (a careless cron line, `>&-`), the first
 * files the run opens would take those numbers, and a warning or the summary would be
 * written into an output or the run's marker. Each closed one is opened on /dev/null
 * first, as OpenSSH's sanitise_stdfd does. */
static void open_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* The lowest free number: fd itself, those below it being open by now. Without
         * /dev/null (a bare chroot) the danger stays: refuse to run, as sshd does. */
        if (open("/dev/null", O_RDWR) != fd) {
            fprintf(stderr,
                    "slipway: cannot open /dev/null for a closed standard descriptor: "
                    "%s; start slipway with stdin, stdout and stderr open\n",
                    strerror(errno));
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    open_standard_fds();
    eng_heap_plan_reading();
    return eng_cli_main(argc, argv);
}
