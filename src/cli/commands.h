/*
 * The commands of the `paglets` executable; each lives in its own
 * src/cli/cmd_<name>.c and is listed in main.c's table.
 */
#ifndef PAGLETS_CLI_COMMANDS_H
#define PAGLETS_CLI_COMMANDS_H

#include "opt.h"

/* What every command that talks to hosts reads the API key from. */
#define CLI_API_KEY_ENV "PAGLETS_API_KEY"

/* The log level of commands that log (`paglets host`). */
#define CLI_LOG_LEVEL "info"

/* A numeric macro as a string literal: CLI_STR(PAGLETS_DEFAULT_PORT). */
#define CLI_STR(x) CLI_STR_(x)
#define CLI_STR_(x) #x

extern const struct cli_command cli_examples_command;
extern const struct cli_command cli_perf_command;
extern const struct cli_command cli_host_command;
extern const struct cli_command cli_hosts_command;
extern const struct cli_command cli_results_command;

#endif
