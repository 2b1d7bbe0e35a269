/*
 * perf_kernels: run the one-host benchmark kernels without any mesh and
 * print their figures as "key value" lines (or the full result as JSON),
 * for bench/kernels.sh to compare against fio, openssl and memcpy.
 */
#include "compat.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <paglets/perf.h>

#include "perf/host_bench.h"
#include "perf/kernel_cpu.h"
#include "perf/kernel_mem.h"
#include "perf/platform.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: perf_kernels [--duration S] [--disk-size SIZE] "
               "[--path DIR]... [--workers N]\n"
               "                    [--dram-size SIZE] [--no-cpu] "
               "[--no-memory] [--no-disk] [--json]\n"
               "                    [--stop-after S]\n"
               "       perf_kernels --kernel integer|float|sha256 "
               "[--duration S] [--workers N]\n");
}

/* "PREFIX NAME OPS/S BYTES/S SETUP_SECONDS" per metric. */
static void print_metrics(const char *prefix,
                          const struct paglets_perf_metrics *v)
{
    const struct paglets_perf_metric *m = v->items;
    for (size_t i = 0; i < v->n; i++)
        printf("%s%s %.6g %.6g %.6g\n", prefix, m[i].name,
               m[i].operations_per_second, m[i].bytes_per_second,
               m[i].setup_seconds);
}

static void print_text(const struct paglets_perf_host_result *r,
                       uint64_t dram_bytes)
{
    if (r->cpu != NULL) {
        printf("workers %" PRId64 "\nlogical_cpus %" PRId64
               "\nphysical_cpus %" PRId64 "\n",
               r->cpu->workers, r->cpu->logical_cpus, r->cpu->physical_cpus);
        print_metrics("cpu ", &r->cpu->single_core);
        print_metrics("cpu ", &r->cpu->multi_core);
    }
    if (r->memory != NULL) {
        printf("dram_buffer_bytes %" PRIu64 "\n", dram_bytes);
        print_metrics("mem ", &r->memory->metrics);
    }
    const struct paglets_perf_disk_volume *v =
        r->disk != NULL ? r->disk->volumes.items : NULL;
    for (size_t i = 0; v != NULL && i < r->disk->volumes.n; i++)
        printf("disk %s %.6g %.6g %.6g %s\n", v[i].path,
               v[i].write_bytes_per_second, v[i].read_bytes_per_second,
               v[i].metadata_files_per_second,
               v[i].read_cache_bypassed ? "bypassed" : "cached");
    json_t *errors = paglets_perf_host_result_to_json(r);
    char *text = errors ? json_dumps(errors, JSON_COMPACT) : NULL;
    if (text != NULL && strstr(text, "\"errors\": [\"") != NULL)
        fprintf(stderr, "perf_kernels: the run reported errors: %s\n", text);
    free(text);
    json_decref(errors);
}

static double process_cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * One CPU kernel alone, single-core then in all workers, back to back: the
 * bench script pairs it with its reference tool run right after it, so a
 * noisy neighbour shifts both figures of a pair alike.
 */
static int run_one_kernel(const char *name,
                          const struct paglets_perf_request *req)
{
    const struct paglets__perf_cpu_kernel *k = NULL;
    for (int i = 0; i < PAGLETS_PERF_CPU_KERNELS; i++)
        if (strcmp(paglets__perf_cpu_kernels[i].name, name) == 0)
            k = &paglets__perf_cpu_kernels[i];
    if (k == NULL) {
        fprintf(stderr, "perf_kernels: unknown kernel '%s'\n", name);
        return 2;
    }
    unsigned workers = paglets__perf_workers(req);
    struct paglets__perf_job job = paglets__perf_job_single(
        paglets__perf_kernel_seconds(req->duration_seconds), NULL, NULL);
    struct paglets__perf_sample one = {0}, all = {0};
    struct paglets_err err = {0};
    double cpu_start = process_cpu_seconds();
    int rc = k->run(&job, &one);
    double cpu_before = process_cpu_seconds();
    double cpu_one = cpu_before - cpu_start;
    if (rc == 0)
        rc = paglets__perf_run_parallel(k->run, &job, workers, &all, &err);
    double cpu_used = process_cpu_seconds() - cpu_before;
    if (rc != 0) {
        fprintf(stderr, "perf_kernels: %s: %s\n", name,
                err.message[0] ? err.message : paglets_strerror(rc));
        return 1;
    }
    printf("workers %u\nphysical_cpus %" PRId64 "\n", workers,
           paglets__perf_physical_cpus(PAGLETS__PERF_SYSFS_CPU));
    printf("cpu %s %.6g %.6g\n", k->name, one.operations / one.elapsed,
           one.bytes / one.elapsed);
    printf("cpu %s %.6g %.6g\n", k->multi_name, all.operations / all.elapsed,
           all.bytes / all.elapsed);
    /*
     * The single-core rate per CPU-second (what openssl speed reports
     * without -elapsed): code efficiency, whatever else the machine runs.
     */
    if (cpu_one > 0)
        printf("cpu_time %s %.6g %.6g\n", k->name, one.operations / cpu_one,
               one.bytes / cpu_one);
    /* Below 1: the machine did not give each worker a whole CPU. */
    printf("multi_cpu_share %.3f\n", cpu_used / (all.elapsed * workers));
    return 0;
}

/* What the command line asks besides the request. */
struct args {
    uint64_t dram_bytes; /* 0: the machine's plan */
    int json;
    const char *kernel;
    double stop_after; /* < 0: never */
};

static int parse_args(int argc, char **argv, struct paglets_perf_request *req,
                      struct args *a)
{
    static const struct option opts[] = {
        {"duration", required_argument, NULL, 'd'},
        {"disk-size", required_argument, NULL, 's'},
        {"dram-size", required_argument, NULL, 'D'},
        {"json", no_argument, NULL, 'j'},
        {"kernel", required_argument, NULL, 'k'},
        {"no-cpu", no_argument, NULL, 'C'},
        {"no-disk", no_argument, NULL, 'K'},
        {"no-memory", no_argument, NULL, 'M'},
        {"path", required_argument, NULL, 'p'},
        {"stop-after", required_argument, NULL, 'S'},
        {"workers", required_argument, NULL, 'w'},
        {NULL, 0, NULL, 0},
    };
    struct paglets_err err = {0};
    int c, rc = 0;
    uint64_t n;
    while (rc == 0 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            rc = paglets_parse_seconds(optarg, &req->duration_seconds, &err);
        else if (c == 's')
            rc = paglets_parse_size(optarg, &req->disk_size_bytes, &err);
        else if (c == 'D')
            rc = paglets_parse_size(optarg, &a->dram_bytes, &err);
        else if (c == 'j')
            a->json = 1;
        else if (c == 'k')
            a->kernel = optarg;
        else if (c == 'C' || c == 'K' || c == 'M')
            *(c == 'C'   ? &req->include_cpu
              : c == 'K' ? &req->include_disk
                         : &req->include_memory) = false;
        else if (c == 'p')
            rc = paglets_perf_request_add_path(req, optarg);
        else if (c == 'S')
            rc = paglets_parse_seconds(optarg, &a->stop_after, &err);
        else if (c == 'w' && paglets_parse_size(optarg, &n, &err) == 0)
            req->workers = (unsigned)n;
        else
            rc = paglets_err_set(&err, -22, "invalid option or value");
    }
    if (rc != 0 || optind != argc) {
        fprintf(stderr, "perf_kernels: %s\n",
                err.message[0] ? err.message : "unexpected argument");
        usage(stderr);
        return -1;
    }
    return 0;
}

/*
 * --stop-after S: a stop request that turns true S seconds after the run
 * began, as a disposal would; main prints how long the run took to end
 * after that (kernels, buffers unmapped, disk directory removed, lock
 * released): the figure behind "stopping means stopped".
 */
struct stop_clock {
    double at; /* monotonic seconds */
};

static bool stop_due(void *arg)
{
    const struct stop_clock *c = arg;
    return paglets_monotonic_seconds() >= c->at;
}

/* The DRAM buffer size this run uses, or 0 with the reason on stderr. */
static uint64_t dram_size(uint64_t asked)
{
    struct paglets_err err = {0};
    uint64_t bytes = asked;
    if (bytes == 0 &&
        paglets__perf_dram_plan(
            paglets__perf_llc_bytes(PAGLETS__PERF_SYSFS_CPU),
            paglets__perf_memory_available_bytes(), &bytes, &err) != 0)
        fprintf(stderr, "perf_kernels: memory-copy-dram: %s\n", err.message);
    return bytes;
}

int main(int argc, char **argv)
{
    struct paglets_perf_request req;
    paglets_perf_request_init(&req);
    struct args a = {.stop_after = -1};
    if (parse_args(argc, argv, &req, &a) != 0) {
        paglets_perf_request_release(&req);
        return 2;
    }
    if (a.kernel != NULL) {
        int krc = run_one_kernel(a.kernel, &req);
        paglets_perf_request_release(&req);
        return krc;
    }
    uint64_t dram_bytes = dram_size(a.dram_bytes);
    struct stop_clock clock = {paglets_monotonic_seconds() + a.stop_after};
    const struct paglets__perf_stop stop = {stop_due, &clock};
    struct paglets__perf_host_options opts = {
        .dram_bytes = dram_bytes, .stop = a.stop_after >= 0 ? &stop : NULL};
    struct paglets_perf_host_result r = {0};
    int rc = paglets__perf_run_host_into(&req, "local", "", &opts, &r);
    double ended = paglets_monotonic_seconds();
    if (a.stop_after >= 0 && ended < clock.at)
        printf("stop_latency_seconds - (the run ended before the stop)\n");
    else if (a.stop_after >= 0)
        printf("stop_latency_seconds %.6f\n", ended - clock.at);
    else if (rc == 0 && a.json) {
        json_t *j = paglets_perf_host_result_to_json(&r);
        rc = j ? json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) : -1;
        putchar('\n');
        json_decref(j);
    } else if (rc == 0) {
        print_text(&r, dram_bytes);
    }
    paglets_perf_host_result_release(&r);
    paglets_perf_request_release(&req);
    return rc == 0 ? 0 : 1;
}
