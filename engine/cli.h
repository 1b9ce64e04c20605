/* The command line (SPEC "Command line"): subcommands, flags, help texts. */
#ifndef ENG_CLI_H
#define ENG_CLI_H

/* Parse argv and run the command. Returns the process exit code. */
int eng_cli_main(int argc, char **argv);

#endif
