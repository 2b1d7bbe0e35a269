/*
 * One host's whole benchmark: identity, the host lock, then the CPU,
 * memory and disk parts the request asks for, as one result.
 */
#include "perf_compat.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_bench.h"
#include "kernel_cpu.h"
#include "kernel_mem.h"
#include "lock.h"
#include "platform.h"

/*
 * Give what the run freed back to the system, so that a host's idle RSS
 * after runs is its RSS before them (issue 15: within 4 MiB, also after 10
 * runs). The large blocks never enter malloc: the memory buffers and the
 * SHA-256 block are mmap'd and unmapped (an 8 MiB scan buffer freed to an
 * arena left a host 25-35 MiB larger after 10 runs, and every worker's
 * 68 KiB block stayed in its thread's arena). What remains is glibc's
 * bookkeeping of small allocations in the arenas the run's threads used
 * (one per thread, at most 8 per core, reused by later threads):
 * malloc_trim releases the free pages inside them, a few ms once per run
 * (10 runs of 16 workers on 2 cores: +0.9 MiB of anonymous memory with it,
 * +1.1 MiB without). Capping the arenas (M_ARENA_MAX) would bound the rest
 * too, but for the whole host, making its HTTP threads share a few
 * arenas on every request to save memory only a benchmark run touches.
 */
static void return_memory(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/*
 * Run the parts; the caller holds the host lock. 0, -ECANCELED when
 * opts->stop ended the run, or -ENOMEM.
 */
static int run_parts(const struct paglets_perf_request *request,
                     const struct paglets__perf_host_options *opts,
                     struct paglets_perf_host_result *r)
{
    int rc = 0;
    if (request->include_cpu) {
        r->cpu = calloc(1, sizeof(*r->cpu));
        rc = r->cpu ? paglets__perf_cpu_run(request, opts->stop, r->cpu)
                    : -ENOMEM;
    }
    if (rc == 0 && request->include_memory) {
        r->memory = calloc(1, sizeof(*r->memory));
        rc = r->memory ? paglets__perf_memory_run(request, opts->dram_bytes,
                                                  opts->stop, r->memory)
                       : -ENOMEM;
    }
    if (rc == 0 && request->include_disk) {
        r->disk = calloc(1, sizeof(*r->disk));
        rc = r->disk
                 ? paglets__perf_disk_run(request, opts->disk_env,
                                          opts->disk_ops, opts->stop, r->disk)
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
    rc = paglets__perf_lock_acquire_or_stop(
        &lock, dir, request->lock_timeout_seconds, opts->stop,
        &r->lock_wait_seconds, &err);
    if (rc == 0)
        rc = run_parts(request, opts, r);
    else if (rc != -ECANCELED)
        return paglets__perf_strv_add(&r->errors, "%s", err.message);
    paglets__perf_lock_release(&lock);
    return_memory();
    if (rc == -ECANCELED)
        rc = paglets__perf_strv_add(&r->errors, PAGLETS__PERF_STOPPED);
    return rc;
}

json_t *paglets__perf_run_host(const struct paglets_perf_request *request,
                               const char *host_name, const char *host_url,
                               const struct paglets__perf_stop *stop)
{
    const struct paglets__perf_host_options opts = {.stop = stop};
    struct paglets_perf_host_result r = {0};
    json_t *json = NULL;
    if (paglets__perf_run_host_into(request, host_name, host_url, &opts, &r) ==
        0)
        json = paglets_perf_host_result_to_json(&r);
    paglets_perf_host_result_release(&r);
    return json;
}
