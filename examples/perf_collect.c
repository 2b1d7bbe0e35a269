/*
 * perf_collect: a program that embeds a mesh-wide benchmark collection,
 * the way `paglets examples perf` does it, through include/paglets/perf.h.
 * It links libpaglets_perf as well as libpaglets:
 * `pkg-config --cflags --libs paglets-perf`.
 *
 *   perf_collect                 start a host of its own (loopback, no
 *                                mesh) and benchmark this machine
 *   perf_collect URL             benchmark the mesh of the host at URL
 *
 * It runs the memory kernels only, briefly, prints the table and a line
 * with the counts, and exits 0 (clean), 1 (errors in the summary) or 2
 * (the run could not happen).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>

#include <paglets/paglets.h>
#include <paglets/perf.h>

/* A host that can run benchmark children: register the agent type. */
static struct paglets_host *start_host(struct paglets_err *err)
{
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = "perf-collect";
    config.port = 0;
    config.mesh = false;
    struct paglets_host *host = paglets_host_new(&config, err);
    if (host == NULL)
        return NULL;
    if (paglets_host_register_type(host, &paglets_perf_agent_type, err) != 0 ||
        paglets_host_start(host, err) != 0) {
        paglets_host_free(host);
        return NULL;
    }
    return host;
}

int main(int argc, char **argv)
{
    struct paglets_err err = {0};
    struct paglets_host *host = NULL;
    const char *url = argc > 1 ? argv[1] : NULL;
    if (url == NULL) {
        host = start_host(&err);
        if (host == NULL) {
            fprintf(stderr, "perf_collect: cannot start a host: %s\n",
                    err.message);
            return 2;
        }
        url = paglets_host_url(host);
    }

    struct paglets_perf_request request;
    paglets_perf_request_init(&request);
    request.include_cpu = false;
    request.include_disk = false;
    request.duration_seconds = 0.05;

    struct paglets_perf_summary *summary = NULL;
    int status = 2;
    if (paglets_perf_collect(url, &request, 60, &summary, &err) != 0) {
        fprintf(stderr, "perf_collect: %s\n", err.message);
    } else {
        paglets_perf_summary_write_text(summary, 0, stdout);
        size_t errors = paglets_perf_summary_error_count(summary);
        printf("hosts: %zu, errors: %zu\n",
               paglets_perf_summary_result_count(summary), errors);
        status = errors ? 1 : 0;
    }
    paglets_perf_summary_free(summary);
    paglets_perf_request_release(&request);
    paglets_host_free(host);
    return status;
}
