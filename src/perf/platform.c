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

/* "32768K" or "8M" as written by sysfs cache/indexN/size; 0 if not. */
static uint64_t parse_cache_size(const char *text)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text)
        return 0;
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    return v <= (UINT64_MAX >> shift) ? (uint64_t)v << shift : 0;
}

/* The first line of a small sysfs file without its newline (heap), or NULL. */
static char *read_line(const char *path)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    if (f == NULL)
        return NULL;
    if (getline(&line, &cap, f) < 0) {
        free(line);
        line = NULL;
    }
    fclose(f);
    if (line != NULL)
        line[strcspn(line, "\n")] = '\0';
    return line;
}

/*
 * The distinct cache instances of the highest level seen so far: one per
 * shared_cpu_list, since every CPU that shares a cache lists the same one.
 */
struct llc_scan {
    long level;
    char **shared; /* owned */
    uint64_t *size;
    size_t n, cap;
};

static void llc_add(struct llc_scan *scan, long level, char *shared,
                    uint64_t size)
{
    if (level < scan->level)
        goto drop;
    if (level > scan->level) {
        for (size_t i = 0; i < scan->n; i++)
            free(scan->shared[i]);
        scan->n = 0;
        scan->level = level;
    }
    for (size_t i = 0; i < scan->n; i++)
        if (strcmp(scan->shared[i], shared) == 0)
            goto drop;
    if (scan->n == scan->cap) {
        size_t cap = scan->cap ? 2 * scan->cap : 16;
        char **s = realloc(scan->shared, cap * sizeof(*s));
        if (s != NULL)
            scan->shared = s;
        uint64_t *z = s ? realloc(scan->size, cap * sizeof(*z)) : NULL;
        if (z == NULL)
            goto drop;
        scan->size = z;
        scan->cap = cap;
    }
    scan->shared[scan->n] = shared;
    scan->size[scan->n++] = size;
    return;
drop:
    free(shared);
}

/* Every data or unified cache of one CPU directory (cpuN). */
static void llc_scan_cpu(struct llc_scan *scan, const char *root,
                         const char *cpu)
{
    for (int i = 0; i < 16; i++) {
        char path[512], *text;
        long level;
        snprintf(path, sizeof(path), "%s/%s/cache/index%d/level", root, cpu, i);
        if (read_long(path, &level) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s/cache/index%d/type", root, cpu, i);
        text = read_line(path);
        bool instruction = text != NULL && strcmp(text, "Instruction") == 0;
        free(text);
        snprintf(path, sizeof(path), "%s/%s/cache/index%d/size", root, cpu, i);
        text = read_line(path);
        uint64_t size = text != NULL ? parse_cache_size(text) : 0;
        free(text);
        if (instruction || size == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s/cache/index%d/shared_cpu_list",
                 root, cpu, i);
        char *shared = read_line(path);
        /* Without the list, count the cache as this CPU's own. */
        if (shared == NULL && asprintf(&shared, "own:%s", cpu) < 0)
            shared = NULL;
        if (shared != NULL)
            llc_add(scan, level, shared, size);
    }
}

uint64_t paglets__perf_llc_bytes(const char *sysfs_root)
{
    DIR *dir = opendir(sysfs_root);
    struct llc_scan scan = {0};
    struct dirent *e;
    while (dir != NULL && (e = readdir(dir)) != NULL) {
        unsigned cpu;
        char tail;
        if (sscanf(e->d_name, "cpu%u%c", &cpu, &tail) == 1)
            llc_scan_cpu(&scan, sysfs_root, e->d_name);
    }
    if (dir != NULL)
        closedir(dir);
    uint64_t total = 0;
    for (size_t i = 0; i < scan.n; i++) {
        total += scan.size[i];
        free(scan.shared[i]);
    }
    free(scan.shared);
    free(scan.size);
    return total;
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
