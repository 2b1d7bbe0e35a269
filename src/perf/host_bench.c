/*
 * One host's whole benchmark: identity, the host lock, then the CPU,
 * memory and disk parts the request asks for, as one result.
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_bench.h"
#include "kernel_cpu.h"
#include "kernel_mem.h"
#include "lock.h"
#include "platform.h"

/* Run the parts; the caller holds the host lock. 0 or -ENOMEM. */
static int run_parts(const struct paglets_perf_request *request,
                     const struct paglets__perf_host_options *opts,
                     struct paglets_perf_host_result *r)
{
    int rc = 0;
    if (request->include_cpu) {
        r->cpu = calloc(1, sizeof(*r->cpu));
        rc = r->cpu ? paglets__perf_cpu_run(request, r->cpu) : -ENOMEM;
    }
    if (rc == 0 && request->include_memory) {
        r->memory = calloc(1, sizeof(*r->memory));
        rc = r->memory ? paglets__perf_memory_run(request->duration_seconds,
                                                  opts->dram_bytes, r->memory)
                       : -ENOMEM;
    }
    if (rc == 0 && request->include_disk) {
        r->disk = calloc(1, sizeof(*r->disk));
        rc = r->disk ? paglets__perf_disk_run(request, opts->disk_env,
                                              opts->disk_ops, r->disk)
                     : -ENOMEM;
    }
    return rc;
}

int paglets__perf_run_host_into(const struct paglets_perf_request *request,
                                const char *host_name, const char *host_url,
                                const struct paglets__perf_host_options *opts,
                                struct paglets_perf_host_result *r)
{
    static const struct paglets__perf_host_options defaults = {0};
    struct paglets_perf_request fallback;
    paglets_perf_request_init(&fallback);
    opts = opts != NULL ? opts : &defaults;
    request = request != NULL ? request : &fallback;
    r->host_name = strdup(host_name != NULL ? host_name : "");
    r->host_url = strdup(host_url != NULL ? host_url : "");
    r->memory_total_bytes = paglets__perf_memory_total_bytes();
    int rc =
        r->host_name && r->host_url ? paglets__perf_platform_fill(r) : -ENOMEM;
    if (rc != 0)
        return rc;
    struct paglets__perf_lock lock;
    struct paglets_err err = {0};
    char dir[4096];
    if (opts->lock_dir != NULL)
        snprintf(dir, sizeof(dir), "%s", opts->lock_dir);
    else if (paglets__perf_lock_dir(dir, sizeof(dir), &err) != 0)
        return paglets__perf_strv_add(&r->errors, "%s", err.message);
    if (paglets__perf_lock_acquire(&lock, dir, request->lock_timeout_seconds,
                                   &r->lock_wait_seconds, &err) != 0)
        return paglets__perf_strv_add(&r->errors, "%s", err.message);
    rc = run_parts(request, opts, r);
    paglets__perf_lock_release(&lock);
    return rc;
}

json_t *paglets__perf_run_host(const struct paglets_perf_request *request,
                               const char *host_name, const char *host_url)
{
    struct paglets_perf_host_result r = {0};
    json_t *json = NULL;
    if (paglets__perf_run_host_into(request, host_name, host_url, NULL, &r) ==
        0)
        json = paglets_perf_host_result_to_json(&r);
    paglets_perf_host_result_release(&r);
    return json;
}
