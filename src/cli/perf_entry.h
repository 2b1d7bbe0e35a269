/*
 * Where `paglets examples perf` starts: an entry host chosen as the
 * reference does (notes §6), or an embedded host in this process when no
 * --entry was given and no host answers.
 */
#ifndef PAGLETS_CLI_PERF_ENTRY_H
#define PAGLETS_CLI_PERF_ENTRY_H

#include <paglets/agent.h>
#include <paglets/host.h>

struct perf_entry {
    char url[PAGLETS_URL_MAX];
    struct paglets_host *embedded; /* owned; NULL when a host answered */
};

/*
 * Choose the entry host for `entry` (a URL, a host name, or NULL) and fill
 * e, asking through proxy (NULL: none), every request by deadline
 * (paglets_monotonic_seconds() clock). Returns 0, or prints one line on
 * stderr and returns exit status 2.
 */
int perf_entry_open(struct perf_entry *e, const char *entry,
                    const char *api_key, const char *proxy, double deadline,
                    const char *path);

/* Stop and free an embedded host. Safe on a zeroed or failed entry. */
void perf_entry_close(struct perf_entry *e);

#endif
