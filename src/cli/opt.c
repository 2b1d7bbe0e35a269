/*
 * The option-table engine behind every `paglets` command: builds the
 * getopt_long table, parses typed values, prints generated --help, and
 * names the closest option when one is mistyped.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paglets/common.h>

#include "opt.h"
#include "term.h"

/* getopt_long `val` for long-only options; --no-NAME uses NEG_BASE + i. */
#define LONG_BASE 1000
#define NEG_BASE 3000
#define HELP_VAL 'h'

int cli_usage_error(const char *path, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    cli_error("%s: %s (see '%s --help')\n", path, message, path);
    return CLI_EXIT_USAGE;
}

void cli_list_release(struct cli_list *list)
{
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

void cli_format_size(char *out, size_t size, uint64_t bytes)
{
    static const char suffixes[] = "KMGT";
    int k = -1;
    while (k < 3 && bytes >= (1024ull << (10 * (k + 1))) &&
           bytes % (1024ull << (10 * (k + 1))) == 0)
        k++;
    if (k < 0)
        snprintf(out, size, "%llu", (unsigned long long)bytes);
    else
        snprintf(out, size, "%llu%c",
                 (unsigned long long)(bytes >> (10 * (k + 1))), suffixes[k]);
}

/* The value a defaults-filled config holds for opt, as --help shows it. */
static void format_default(const struct cli_opt *opt, const void *config,
                           char *out, size_t size)
{
    const char *field = (const char *)config + opt->offset;
    switch (opt->kind) {
    case CLI_OPT_FLAG:
    case CLI_OPT_NEGATABLE:
        snprintf(out, size, "%s", *(const bool *)field ? "on" : "off");
        return;
    case CLI_OPT_STRING: {
        const char *text = *(const char *const *)field;
        snprintf(out, size, "%s", text ? text : "none");
        return;
    }
    case CLI_OPT_INT:
        snprintf(out, size, "%ld", *(const long *)field);
        return;
    case CLI_OPT_SIZE:
        cli_format_size(out, size, *(const uint64_t *)field);
        return;
    case CLI_OPT_SECONDS:
    case CLI_OPT_NUMBER:
        snprintf(out, size, "%g", *(const double *)field);
        return;
    case CLI_OPT_LIST:
        snprintf(out, size, "none");
        return;
    }
}

static void print_option_help(const struct cli_opt *opt, const void *defaults)
{
    char left[64];
    const char *value = opt->value_name ? opt->value_name : "";
    if (opt->kind == CLI_OPT_NEGATABLE)
        snprintf(left, sizeof(left), "--[no-]%s", opt->name);
    else if (opt->short_name)
        snprintf(left, sizeof(left), "-%c, --%s%s%s", opt->short_name,
                 opt->name, *value ? " " : "", value);
    else
        snprintf(left, sizeof(left), "    --%s%s%s", opt->name,
                 *value ? " " : "", value);
    const char *mark = strstr(opt->help, CLI_OPT_DEFAULT);
    if (mark == NULL || defaults == NULL) {
        printf("  %-30s %s\n", left, opt->help);
        return;
    }
    char shown[64];
    format_default(opt, defaults, shown, sizeof(shown));
    printf("  %-30s %.*s%s%s\n", left, (int)(mark - opt->help), opt->help,
           shown, mark + strlen(CLI_OPT_DEFAULT));
}

static void print_help(const struct cli_command *cmd, const char *path)
{
    printf("Usage: %s [OPTIONS]%s%s%s\n", path,
           cmd->subcommands ? " COMMAND" : "", cmd->args ? " " : "",
           cmd->args ? cmd->args : "");
    printf("\n%s\n", cmd->summary);
    if (cmd->description)
        printf("\n%s\n", cmd->description);
    if (cmd->subcommands) {
        printf("\nCommands:\n");
        for (const struct cli_command *const *sub = cmd->subcommands; *sub;
             sub++)
            printf("  %-30s %s\n", (*sub)->name, (*sub)->summary);
    }
    /* Defaults from a fresh config: options before --help do not count. */
    void *defaults = calloc(1, cmd->config_size ? cmd->config_size : 1);
    if (defaults != NULL && cmd->defaults != NULL)
        cmd->defaults(defaults);
    printf("\nOptions:\n");
    for (size_t i = 0; i < cmd->n_opts; i++)
        print_option_help(&cmd->opts[i], defaults);
    printf("  %-30s %s\n", "-h, --help", "show this help and exit");
    if (cmd->subcommands)
        printf("\nRun '%s COMMAND --help' for a command's options.\n", path);
    free(defaults);
}

/* Edit distance, for "did you mean" on a mistyped option or command. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t lb = strlen(b);
    size_t row[64];
    if (lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *closest_option(const struct cli_command *cmd,
                                  const char *given)
{
    while (*given == '-')
        given++;
    const char *best = NULL;
    size_t best_distance = 3;
    for (size_t i = 0; i < cmd->n_opts; i++) {
        size_t d = edit_distance(given, cmd->opts[i].name);
        if (d < best_distance) {
            best_distance = d;
            best = cmd->opts[i].name;
        }
    }
    return best;
}

int cli_parse_value(const struct cli_opt *opt, const char *arg, void *config,
                    struct paglets_err *err)
{
    char *field = (char *)config + opt->offset;
    struct paglets_err inner = {0};
    switch (opt->kind) {
    case CLI_OPT_FLAG:
    case CLI_OPT_NEGATABLE:
        *(bool *)field = true;
        return 0;
    case CLI_OPT_STRING:
        *(const char **)field = arg;
        return 0;
    case CLI_OPT_LIST: {
        struct cli_list *list = (struct cli_list *)field;
        const char **items =
            realloc(list->items, (list->n + 1) * sizeof(*items));
        if (items == NULL)
            return paglets_err_set(err, -ENOMEM, "out of memory");
        items[list->n++] = arg;
        list->items = items;
        return 0;
    }
    case CLI_OPT_INT: {
        char *end;
        errno = 0;
        long v = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || errno != 0)
            return paglets_err_set(err, -EINVAL,
                                   "--%s: '%s' is not a whole number",
                                   opt->name, arg);
        if ((double)v < opt->min || (double)v > opt->max)
            return paglets_err_set(err, -ERANGE,
                                   "--%s: %ld is out of range (%.0f..%.0f)",
                                   opt->name, v, opt->min, opt->max);
        *(long *)field = v;
        return 0;
    }
    case CLI_OPT_SIZE:
        if (paglets_parse_size(arg, (uint64_t *)field, &inner) != 0)
            return paglets_err_set(err, inner.code, "--%s: %s", opt->name,
                                   inner.message);
        return 0;
    case CLI_OPT_SECONDS: {
        double v;
        if (paglets_parse_seconds(arg, &v, &inner) != 0)
            return paglets_err_set(err, inner.code, "--%s: %s", opt->name,
                                   inner.message);
        if (v < opt->min || v > opt->max)
            return paglets_err_set(err, -ERANGE,
                                   "--%s: %s is out of range (%g..%g seconds)",
                                   opt->name, arg, opt->min, opt->max);
        *(double *)field = v;
        return 0;
    }
    case CLI_OPT_NUMBER: {
        char *end;
        errno = 0;
        double v = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
            return paglets_err_set(err, -EINVAL, "--%s: '%s' is not a number",
                                   opt->name, arg);
        if (v < opt->min || v > opt->max)
            return paglets_err_set(err, -ERANGE,
                                   "--%s: %s is out of range (%g..%g)",
                                   opt->name, arg, opt->min, opt->max);
        *(double *)field = v;
        return 0;
    }
    }
    return paglets_err_set(err, -EINVAL, "--%s: unsupported option kind",
                           opt->name);
}

int cli_store_value(const struct cli_opt *opt, const char *path,
                    const char *arg, void *config)
{
    struct paglets_err err = {0};
    if (cli_parse_value(opt, arg, config, &err) != 0)
        return cli_usage_error(path, "%s", err.message);
    return 0;
}

/* Room for every option, its --no- twin, --help and the terminator. */
static struct option *build_long_options(const struct cli_command *cmd)
{
    struct option *longopts = calloc(2 * cmd->n_opts + 2, sizeof(*longopts));
    if (longopts == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < cmd->n_opts; i++) {
        const struct cli_opt *opt = &cmd->opts[i];
        bool takes_value =
            opt->kind != CLI_OPT_FLAG && opt->kind != CLI_OPT_NEGATABLE;
        longopts[n++] = (struct option){
            opt->name, takes_value ? required_argument : no_argument, NULL,
            opt->short_name ? opt->short_name : LONG_BASE + (int)i};
        if (opt->kind == CLI_OPT_NEGATABLE) {
            /* The "no-" names live as long as the table: static storage. */
            static char names[64][48];
            static size_t used;
            char *name = names[used++ % 64];
            snprintf(name, 48, "no-%s", opt->name);
            longopts[n++] =
                (struct option){name, no_argument, NULL, NEG_BASE + (int)i};
        }
    }
    longopts[n++] = (struct option){"help", no_argument, NULL, HELP_VAL};
    return longopts;
}

static void build_short_options(const struct cli_command *cmd, char *out,
                                size_t size)
{
    size_t n = 0;
    /*
     * A command with subcommands stops at the first operand: it names the
     * subcommand, whose options follow. Other commands take options after
     * their operands too (`paglets results show 3 --json`).
     */
    if (cmd->subcommands != NULL)
        out[n++] = '+';
    out[n++] = ':'; /* report a missing value as ':' */
    out[n++] = 'h';
    for (size_t i = 0; i < cmd->n_opts && n + 3 < size; i++) {
        if (!cmd->opts[i].short_name)
            continue;
        out[n++] = (char)cmd->opts[i].short_name;
        if (cmd->opts[i].kind != CLI_OPT_FLAG &&
            cmd->opts[i].kind != CLI_OPT_NEGATABLE)
            out[n++] = ':';
    }
    out[n] = '\0';
}

static const struct cli_opt *find_short(const struct cli_command *cmd, int c)
{
    for (size_t i = 0; i < cmd->n_opts; i++)
        if (cmd->opts[i].short_name == c)
            return &cmd->opts[i];
    return NULL;
}

/*
 * Parse options into config. Returns CLI_CONTINUE to go on with operands at
 * *next, or an exit status (help printed, or a usage error).
 */
static int parse_options(const struct cli_command *cmd, const char *path,
                         int argc, char **argv, void *config, int *next,
                         bool *seen)
{
    struct option *longopts = build_long_options(cmd);
    if (longopts == NULL)
        return cli_usage_error(path, "out of memory");
    char shortopts[128];
    build_short_options(cmd, shortopts, sizeof(shortopts));

    int status = CLI_CONTINUE;
    optind = 0; /* GNU: full reinitialisation, each command parses afresh */
    opterr = 0;
    for (;;) {
        int index = -1;
        int c = getopt_long(argc, argv, shortopts, longopts, &index);
        if (c == -1)
            break;
        const char *given = argv[optind - 1];
        if (c == HELP_VAL) {
            print_help(cmd, path);
            status = CLI_EXIT_OK;
            break;
        }
        if (c == '?') {
            const char *hint = optopt ? NULL : closest_option(cmd, given);
            if (optopt)
                status = cli_usage_error(path, "unknown option '-%c'", optopt);
            else if (hint)
                status = cli_usage_error(path,
                                         "unknown option '%s'; did you mean "
                                         "'--%s'?",
                                         given, hint);
            else
                status = cli_usage_error(path, "unknown option '%s'", given);
            break;
        }
        if (c == ':') {
            status = cli_usage_error(path, "option '%s' needs a value", given);
            break;
        }
        const struct cli_opt *opt;
        if (c >= NEG_BASE) {
            seen[c - NEG_BASE] = true;
            opt = &cmd->opts[c - NEG_BASE];
            *(bool *)((char *)config + opt->offset) = false;
            continue;
        }
        opt = c >= LONG_BASE ? &cmd->opts[c - LONG_BASE] : find_short(cmd, c);
        if (opt != NULL)
            seen[opt - cmd->opts] = true;
        if (opt == NULL || cli_store_value(opt, path, optarg, config) != 0) {
            status = CLI_EXIT_USAGE;
            break;
        }
    }
    *next = optind;
    free(longopts);
    return status;
}

static const struct cli_command *find_subcommand(const struct cli_command *cmd,
                                                 const char *name)
{
    for (const struct cli_command *const *sub = cmd->subcommands; *sub; sub++)
        if (strcmp((*sub)->name, name) == 0)
            return *sub;
    return NULL;
}

static int dispatch_subcommand(const struct cli_command *cmd, const char *path,
                               int argc, char **argv)
{
    if (argc == 0)
        return cli_usage_error(path, "missing command");
    const struct cli_command *sub = find_subcommand(cmd, argv[0]);
    if (sub == NULL)
        return cli_usage_error(path, "unknown command '%s'", argv[0]);
    char subpath[256];
    snprintf(subpath, sizeof(subpath), "%s %s", path, sub->name);
    return cli_dispatch(sub, subpath, argc, argv);
}

/* Read the settings file named by cmd->file_option, if given. */
static int apply_file_option(const struct cli_command *cmd, const char *path,
                             const bool *seen, void *config,
                             struct cli_file_storage **storage)
{
    for (size_t i = 0; i < cmd->n_opts; i++) {
        if (strcmp(cmd->opts[i].name, cmd->file_option) != 0)
            continue;
        const char *file =
            *(const char **)((char *)config + cmd->opts[i].offset);
        if (file == NULL)
            return CLI_CONTINUE;
        int rc = cli_apply_file(cmd, path, file, seen, config, storage);
        return rc == 0 ? CLI_CONTINUE : rc;
    }
    return CLI_CONTINUE;
}

int cli_dispatch(const struct cli_command *cmd, const char *path, int argc,
                 char **argv)
{
    void *config = calloc(1, cmd->config_size ? cmd->config_size : 1);
    if (config == NULL)
        return cli_usage_error(path, "out of memory");
    if (cmd->defaults)
        cmd->defaults(config);

    int next = 1;
    struct cli_file_storage *storage = NULL;
    bool *seen = calloc(cmd->n_opts + 1, sizeof(*seen));
    int status = seen
                     ? parse_options(cmd, path, argc, argv, config, &next, seen)
                     : cli_usage_error(path, "out of memory");
    if (status == CLI_CONTINUE && cmd->file_option != NULL)
        status = apply_file_option(cmd, path, seen, config, &storage);
    if (status == CLI_CONTINUE && cmd->run)
        status = cmd->run(config, argc - next, argv + next);
    if (status == CLI_CONTINUE && cmd->subcommands)
        status = dispatch_subcommand(cmd, path, argc - next, argv + next);
    else if (status == CLI_CONTINUE)
        status = cli_usage_error(path, "nothing to run");
    for (size_t i = 0; i < cmd->n_opts; i++)
        if (cmd->opts[i].kind == CLI_OPT_LIST)
            cli_list_release(
                (struct cli_list *)((char *)config + cmd->opts[i].offset));
    cli_file_storage_free(storage);
    free(seen);
    free(config);
    return status;
}
