/*
 * Machine facts from uname, sysconf, /proc and sysfs. Every reader
 * degrades to "unknown" instead of failing: a benchmark on a locked-down
 * container still runs.
 */
#include "perf_compat.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "platform.h"

int paglets__perf_logical_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)n : 1;
}

static int read_long(const char *path, long *value)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -errno;
    int rc = fscanf(f, "%ld", value) == 1 ? 0 : -EINVAL;
    fclose(f);
    return rc;
}

int64_t paglets__perf_physical_cpus(const char *sysfs_root)
{
    /* Pairs of (package, core); a machine has far fewer than 4096 cores. */
    enum { MAX_CORES = 4096 };
    long(*seen)[2] = calloc(MAX_CORES, sizeof(*seen));
    DIR *dir = seen != NULL ? opendir(sysfs_root) : NULL;
    if (dir == NULL) {
        free(seen);
        return -1;
    }
    int64_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        unsigned cpu;
        char tail;
        if (sscanf(e->d_name, "cpu%u%c", &cpu, &tail) != 1)
            continue;
        char path[512];
        long pkg, core;
        snprintf(path, sizeof(path), "%s/%s/topology/physical_package_id",
                 sysfs_root, e->d_name);
        if (read_long(path, &pkg) != 0)
            continue; /* offline CPUs have no topology directory */
        snprintf(path, sizeof(path), "%s/%s/topology/core_id", sysfs_root,
                 e->d_name);
        if (read_long(path, &core) != 0)
            continue;
        int64_t i = 0;
        while (i < n && (seen[i][0] != pkg || seen[i][1] != core))
            i++;
        if (i == n && n < MAX_CORES) {
            seen[n][0] = pkg;
            seen[n][1] = core;
            n++;
        }
    }
    closedir(dir);
    free(seen);
    return n > 0 ? n : -1;
}

/* "32768K" or "8M" as written by sysfs cache/indexN/size. */
static uint64_t parse_cache_size(const char *text)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end == 'K')
        v <<= 10;
    else if (*end == 'M')
        v <<= 20;
    return v;
}

uint64_t paglets__perf_llc_bytes(void)
{
    uint64_t best = 0;
    long best_level = 0;
    for (int i = 0; i < 16; i++) {
        char path[128];
        long level;
        snprintf(path, sizeof(path),
                 "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (read_long(path, &level) != 0)
            continue;
        snprintf(path, sizeof(path),
                 "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        FILE *f = fopen(path, "re");
        char text[32] = "";
        if (f == NULL)
            continue;
        if (fgets(text, sizeof(text), f) == NULL)
            text[0] = '\0';
        fclose(f);
        uint64_t size = parse_cache_size(text);
        if (size > 0 && level >= best_level) {
            best_level = level;
            best = size;
        }
    }
    return best;
}

uint64_t paglets__perf_memory_total_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
}

uint64_t paglets__perf_memory_available_bytes(void)
{
    FILE *f = fopen("/proc/meminfo", "re");
    if (f == NULL)
        return 0;
    char line[256];
    uint64_t kib = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kib) == 1)
            break;
    }
    fclose(f);
    return kib << 10;
}

const char *paglets__perf_tmpdir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir != NULL && dir[0] == '/' ? dir : "/tmp";
}

/* The "model name" (x86) or "Model"/"cpu model" (arm, mips) line. */
static char *cpu_model(void)
{
    static const char *const keys[] = {"model name", "Model", "cpu model",
                                       "Processor"};
    FILE *f = fopen("/proc/cpuinfo", "re");
    char line[512];
    char *model = NULL;
    for (size_t k = 0; f != NULL && model == NULL && k < 4; k++) {
        rewind(f);
        size_t klen = strlen(keys[k]);
        while (model == NULL && fgets(line, sizeof(line), f) != NULL) {
            char *colon = strchr(line, ':');
            if (strncmp(line, keys[k], klen) != 0 || colon == NULL ||
                strspn(line + klen, " \t") != (size_t)(colon - line) - klen)
                continue;
            char *v = colon + 1 + strspn(colon + 1, " \t");
            v[strcspn(v, "\n")] = '\0';
            model = strdup(v);
        }
    }
    if (f != NULL)
        fclose(f);
    return model != NULL ? model : strdup("unknown");
}

int paglets__perf_platform_fill(struct paglets_perf_host_result *r)
{
    struct utsname u;
    if (uname(&u) != 0) {
        snprintf(u.sysname, sizeof(u.sysname), "unknown");
        snprintf(u.release, sizeof(u.release), "unknown");
        snprintf(u.machine, sizeof(u.machine), "unknown");
    }
    struct paglets_perf_platform *p = &r->platform_details;
    p->os = strdup(u.sysname);
    p->kernel_release = strdup(u.release);
    p->architecture = strdup(u.machine);
    p->cpu_model = cpu_model();
    /* Python's platform.platform() on Linux: Linux-6.1.0-x86_64-with-glibc2.36
     */
    if (asprintf(&r->platform, "%s-%s-%s-with-glibc%s", u.sysname, u.release,
                 u.machine, gnu_get_libc_version()) < 0)
        r->platform = NULL;
    /* The build identifier, "c-0.1.0+<git sha>", as docs/user-guide.md says. */
    r->runtime_version = strdup(paglets_build_id());
    if (!p->os || !p->kernel_release || !p->architecture || !p->cpu_model ||
        !r->platform || !r->runtime_version)
        return -ENOMEM;
    return 0;
}
