/* slipway's entry point: everything else is in cli.c and run.c. */
#include "cli.h"
#include "base/heap.h"

int main(int argc, char **argv)
{
    eng_heap_plan_reading();
    return eng_cli_main(argc, argv);
}
