/* slipway's entry point: everything else is in cli.c and run.c. */
#include "cli.h"

int main(int argc, char **argv)
{
    return eng_cli_main(argc, argv);
}
