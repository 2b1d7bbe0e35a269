/*
 * The commands of the `paglets` executable; each lives in its own
 * src/cli/cmd_<name>.c and is listed in main.c's table.
 */
#ifndef PAGLETS_CLI_COMMANDS_H
#define PAGLETS_CLI_COMMANDS_H

#include "opt.h"

extern const struct cli_command cli_examples_command;
extern const struct cli_command cli_perf_command;
extern const struct cli_command cli_host_command;
extern const struct cli_command cli_hosts_command;

#endif
