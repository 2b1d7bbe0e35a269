/*
 * Settings files for commands with a file option (`paglets host --config
 * FILE`): `key = value` lines naming long options, applied beneath the
 * command line.
 */
/* getline and ssize_t are POSIX, not C17. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <paglets/common.h>

#include "opt.h"

/* Longer lines are an error rather than a setting read in pieces. */
#define MAX_LINE 4095

/* Every value string read from the file; the config borrows them. */
struct cli_file_storage {
    char **values;
    size_t n;
};

void cli_file_storage_free(struct cli_file_storage *storage)
{
    if (storage == NULL)
        return;
    for (size_t i = 0; i < storage->n; i++)
        free(storage->values[i]);
    free(storage->values);
    free(storage);
}

static char *keep_value(struct cli_file_storage *storage, const char *value)
{
    char **grown =
        realloc(storage->values, (storage->n + 1) * sizeof(*storage->values));
    if (grown == NULL)
        return NULL;
    storage->values = grown;
    size_t len = strlen(value) + 1;
    char *copy = malloc(len);
    if (copy != NULL)
        memcpy(copy, value, len);
    if (copy != NULL)
        storage->values[storage->n++] = copy;
    return copy;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    return s;
}

static int parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

static const struct cli_opt *find_long(const struct cli_command *cmd,
                                       const char *name)
{
    for (size_t i = 0; i < cmd->n_opts; i++)
        if (strcmp(cmd->opts[i].name, name) == 0)
            return &cmd->opts[i];
    return NULL;
}

/* One `key = value` line. Returns 0, or -1 after printing the error. */
static int apply_line(const struct cli_command *cmd, const char *where,
                      char *line, const bool *seen, void *config,
                      struct cli_file_storage *storage)
{
    char *eq = strchr(line, '=');
    if (eq == NULL) {
        fprintf(stderr, "%s: expected 'key = value'\n", where);
        return -1;
    }
    *eq = '\0';
    char *key = trim(line), *value = trim(eq + 1);
    const struct cli_opt *opt = find_long(cmd, key);
    if (opt == NULL || strcmp(key, cmd->file_option) == 0) {
        fprintf(stderr, "%s: unknown setting '%s'\n", where, key);
        return -1;
    }
    if (seen[opt - cmd->opts])
        return 0; /* the command line wins */
    if (opt->kind == CLI_OPT_FLAG || opt->kind == CLI_OPT_NEGATABLE) {
        bool b;
        if (parse_bool(value, &b) != 0) {
            fprintf(stderr, "%s: '%s' needs true or false, not '%s'\n", where,
                    key, value);
            return -1;
        }
        *(bool *)((char *)config + opt->offset) = b;
        return 0;
    }
    const char *kept = keep_value(storage, value);
    if (kept == NULL) {
        fprintf(stderr, "%s: out of memory\n", where);
        return -1;
    }
    struct paglets_err err = {0};
    if (cli_parse_value(opt, kept, config, &err) != 0) {
        fprintf(stderr, "%s: %s\n", where, err.message);
        return -1;
    }
    return 0;
}

int cli_apply_file(const struct cli_command *cmd, const char *path,
                   const char *file, const bool *seen, void *config,
                   struct cli_file_storage **storage)
{
    FILE *f = fopen(file, "re");
    if (f == NULL)
        return cli_usage_error(path, "cannot read '%s': %s", file,
                               paglets_strerror(-errno));
    *storage = calloc(1, sizeof(**storage));
    int status = *storage ? 0 : cli_usage_error(path, "out of memory");
    char *line = NULL, where[512];
    size_t cap = 0;
    ssize_t len;
    /*
     * getline, not fgets: it tells how many bytes it read, so a NUL inside
     * a line is seen instead of silently cutting the line short there.
     */
    for (unsigned lineno = 1;
         status == 0 && (len = getline(&line, &cap, f)) >= 0; lineno++) {
        snprintf(where, sizeof(where), "%s:%u", file, lineno);
        if (memchr(line, '\0', (size_t)len) != NULL) {
            fprintf(stderr, "%s: NUL byte in line\n", where);
            status = CLI_EXIT_USAGE;
            break;
        }
        if (len > MAX_LINE) {
            fprintf(stderr, "%s: line too long\n", where);
            status = CLI_EXIT_USAGE;
            break;
        }
        char *text = trim(line);
        if (*text == '\0' || *text == '#')
            continue;
        if (apply_line(cmd, where, text, seen, config, *storage) != 0)
            status = CLI_EXIT_USAGE;
    }
    free(line);
    fclose(f);
    return status;
}
