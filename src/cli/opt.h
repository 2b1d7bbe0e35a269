/*
 * Table-driven command lines: each command is one static table of options
 * (sorted by long name); getopt_long's struct option[] and --help are
 * generated from it, and values are parsed and range-checked into the
 * command's own config struct through offsetof.
 */
#ifndef PAGLETS_CLI_OPT_H
#define PAGLETS_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <paglets/common.h>

enum cli_opt_kind {
    CLI_OPT_FLAG,      /* bool, set to true by --NAME */
    CLI_OPT_NEGATABLE, /* bool, --NAME sets, --no-NAME clears */
    CLI_OPT_STRING,    /* const char *, borrowed from argv */
    CLI_OPT_LIST,      /* struct cli_list, repeatable */
    CLI_OPT_INT,       /* long, checked against min..max */
    CLI_OPT_SIZE,      /* uint64_t bytes, "128M" */
    CLI_OPT_SECONDS,   /* double seconds, "1.5", "250ms" */
    CLI_OPT_NUMBER,    /* double without a unit, checked against min..max */
};

/*
 * In an option's help text, stands for its default: --help prints the
 * value the command's defaults() gives the field ("16M", "30", "on"), so a
 * default is written once, where the library or command sets it.
 */
#define CLI_OPT_DEFAULT "{default}"

struct cli_opt {
    const char *name;
    int short_name; /* 0 for none */
    enum cli_opt_kind kind;
    const char *value_name; /* shown in --help, NULL for flags */
    const char *help;       /* may contain CLI_OPT_DEFAULT once */
    size_t offset;          /* offsetof(config struct, field) */
    double min, max;        /* for CLI_OPT_INT, _SECONDS and _NUMBER */
};

/* Values of a repeatable option, in order; items borrow from argv. */
struct cli_list {
    const char **items;
    size_t n;
};

struct cli_command {
    const char *name;
    const char *summary;     /* one line, shown in the parent's --help */
    const char *args;        /* after [OPTIONS] in the usage line, or NULL */
    const char *description; /* paragraphs after the usage line, or NULL */
    const struct cli_opt *opts;
    size_t n_opts;
    size_t config_size;
    void (*defaults)(void *config);
    /*
     * Runs with the parsed config and the remaining operands; a command
     * with subcommands returns CLI_CONTINUE to dispatch to one of them.
     */
    int (*run)(void *config, int argc, char **argv);
    const struct cli_command *const *subcommands; /* NULL-terminated */
    /*
     * Long name of a CLI_OPT_STRING option naming a settings file, or NULL.
     * Its `key = value` lines set options by long name; options given on
     * the command line win over the file (see cli_apply_file).
     */
    const char *file_option;
};

/* Exit statuses shared by every command. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1, /* ran, but something failed (a host error, ...) */
    CLI_EXIT_USAGE = 2,   /* bad command line, or the run could not happen */
    CLI_EXIT_INTERRUPTED = 130,
    CLI_CONTINUE = -1,
};

/*
 * Parse argv for cmd (argv[0] is the command's own name) and run it, or
 * dispatch to a subcommand. `path` is the command path for messages
 * ("paglets examples"). Returns the exit status.
 */
int cli_dispatch(const struct cli_command *cmd, const char *path, int argc,
                 char **argv);

/* Print a one-line usage error for the command at `path`; returns 2. */
int cli_usage_error(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void cli_list_release(struct cli_list *list);

/*
 * A size as a CLI_OPT_SIZE option takes it: 16777216 -> "16M", with the
 * largest binary suffix that divides it exactly.
 */
void cli_format_size(char *out, size_t size, uint64_t bytes);

/*
 * Parse arg for opt into config (arg NULL for flags). Returns 0, or a
 * negative errno with "--NAME: problem" in err.
 */
int cli_parse_value(const struct cli_opt *opt, const char *arg, void *config,
                    struct paglets_err *err);

/* cli_parse_value, printing a usage error for `path`: 0 or exit status. */
int cli_store_value(const struct cli_opt *opt, const char *path,
                    const char *arg, void *config);

/*
 * Apply a settings file: `key = value` lines, '#' comments and blank lines
 * ignored, keys are long option names (repeatable ones may repeat), flags
 * take true/false. Options whose seen[i] is set are skipped. List values
 * are kept in *storage (caller frees with cli_file_storage_free) since the
 * config borrows them. Returns 0 or CLI_EXIT_USAGE after a one-line
 * "FILE:LINE: ..." error.
 */
struct cli_file_storage;
int cli_apply_file(const struct cli_command *cmd, const char *path,
                   const char *file, const bool *seen, void *config,
                   struct cli_file_storage **storage);
void cli_file_storage_free(struct cli_file_storage *storage);

#endif
