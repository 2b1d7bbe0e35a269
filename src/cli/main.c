/*
 * `paglets`: the root command and its table of subcommands.
 */
#include <stdio.h>

#include <paglets/paglets.h>

#include "commands.h"

struct root_config {
    bool version;
};

static const struct cli_opt root_opts[] = {
    {"version", 'V', CLI_OPT_FLAG, NULL,
     "print version, compiler and default mesh version, then exit",
     offsetof(struct root_config, version), 0, 0},
};

static int root_run(void *config, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct root_config *root = config;
    if (!root->version)
        return CLI_CONTINUE;
    printf("paglets %s\n", paglets_version());
    printf("compiler: %s\n", paglets_compiler());
    printf("default mesh version: %s\n", paglets_build_id());
    printf("api version: %d\n", PAGLETS_API_VERSION);
    return CLI_EXIT_OK;
}

static const struct cli_command *const root_subcommands[] = {
    &cli_examples_command,
    &cli_host_command,
    &cli_hosts_command,
    &cli_results_command,
    NULL,
};

static const struct cli_command root_command = {
    .name = "paglets",
    .summary = "Mobile agents on a mesh of hosts, and a mesh-wide benchmark.",
    .description =
        "Exit status: 0 success; 1 the command ran but reported errors;\n"
        "2 usage error or the command could not run; 130 interrupted.",
    .opts = root_opts,
    .n_opts = sizeof(root_opts) / sizeof(root_opts[0]),
    .config_size = sizeof(struct root_config),
    .run = root_run,
    .subcommands = root_subcommands,
};

int main(int argc, char **argv)
{
    return cli_dispatch(&root_command, "paglets", argc, argv);
}
