/*
 * `paglets examples`: the group of example agent programs.
 */
#include <stddef.h>

#include "commands.h"

static const struct cli_command *const examples_subcommands[] = {
    &cli_perf_command,
    NULL,
};

const struct cli_command cli_examples_command = {
    .name = "examples",
    .summary = "Example programs built on mobile agents.",
    .subcommands = examples_subcommands,
};
