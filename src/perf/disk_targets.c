/*
 * Disk target discovery. Mount points are visited before the fallbacks,
 * so a writable mount point claims its device and the fallback on it
 * becomes a duplicate, while an unwritable one leaves the device to a
 * fallback directory (reference notes §2).
 */
#include "perf_compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk_targets.h"

bool paglets__perf_fstype_is_special(const char *fstype)
{
    static const char *const special[] = {
        "",           "autofs",     "binfmt_misc", "bpf",       "cgroup",
        "cgroup2",    "configfs",   "debugfs",     "devfs",     "devpts",
        "devtmpfs",   "fdesc",      "fusectl",     "hugetlbfs", "mqueue",
        "nsfs",       "overlay",    "proc",        "pstore",    "ramfs",
        "rpc_pipefs", "securityfs", "squashfs",    "sysfs",     "tmpfs",
        "tracefs",
    };
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (strcmp(fstype, special[i]) == 0)
            return true;
    return false;
}

/* Decode mountinfo's octal escapes (\040 space, \011 tab, \134 '\'). */
static char *unescape(const char *s, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 3 < len + 1 && s[i + 1] >= '0' &&
            s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
            s[i + 3] >= '0' && s[i + 3] <= '7') {
            *o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
                          (s[i + 3] - '0'));
            i += 3;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static bool has_option(const char *opts, size_t len, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && opts[end] != ',')
            end++;
        if (end - i == n && memcmp(opts + i, name, n) == 0)
            return true;
        i = end + 1;
    }
    return false;
}

/* Split one line into at most max space-separated words. */
static size_t split(const char *line, size_t len, const char **w, size_t *wl,
                    size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < max;) {
        while (i < len && line[i] == ' ')
            i++;
        size_t start = i;
        while (i < len && line[i] != ' ')
            i++;
        if (i > start) {
            w[n] = line + start;
            wl[n++] = i - start;
        }
    }
    return n;
}

/*
 * "36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw,errors=x":
 * mount point is word 5, options word 6, then optional fields up to "-",
 * then type, source and superblock options.
 */
static int parse_line(const char *line, size_t len,
                      struct paglets__perf_mounts *out)
{
    const char *w[32];
    size_t wl[32];
    size_t n = split(line, len, w, wl, 32), dash = 6;
    while (dash < n && !(wl[dash] == 1 && w[dash][0] == '-'))
        dash++;
    if (n < 6 || dash + 3 > n)
        return 0;
    struct paglets__perf_mount m = {
        .mount_point = unescape(w[4], wl[4]),
        .fstype = unescape(w[dash + 1], wl[dash + 1]),
        .device = unescape(w[dash + 2], wl[dash + 2]),
        .read_only =
            has_option(w[5], wl[5], "ro") ||
            (dash + 3 < n && has_option(w[dash + 3], wl[dash + 3], "ro")),
    };
    struct paglets__perf_mount *items =
        m.mount_point && m.fstype && m.device
            ? realloc(out->items, (out->n + 1) * sizeof(*items))
            : NULL;
    if (items == NULL) {
        free(m.mount_point);
        free(m.fstype);
        free(m.device);
        return -ENOMEM;
    }
    items[out->n++] = m;
    out->items = items;
    return 0;
}

int paglets__perf_mounts_parse(const char *text,
                               struct paglets__perf_mounts *out)
{
    int rc = 0;
    while (rc == 0 && *text != '\0') {
        size_t len = strcspn(text, "\n");
        rc = parse_line(text, len, out);
        text += len + (text[len] == '\n');
    }
    return rc;
}

int paglets__perf_mounts_read(const char *path,
                              struct paglets__perf_mounts *out)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -errno;
    char *text = NULL;
    size_t cap = 0;
    ssize_t got = getdelim(&text, &cap, '\0', f);
    int rc = got < 0 ? (ferror(f) ? -EIO : 0) : 0;
    fclose(f);
    if (rc == 0 && got > 0)
        rc = paglets__perf_mounts_parse(text, out);
    free(text);
    return rc;
}

void paglets__perf_mounts_release(struct paglets__perf_mounts *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].mount_point);
        free(m->items[i].device);
        free(m->items[i].fstype);
    }
    free(m->items);
    m->items = NULL;
    m->n = 0;
}

/* The mount with the longest mount point containing path, or NULL. */
static const struct paglets__perf_mount *
match_mount(const struct paglets__perf_mounts *mounts, const char *path)
{
    const struct paglets__perf_mount *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < mounts->n; i++) {
        const char *mp = mounts->items[i].mount_point;
        size_t len = strlen(mp);
        while (len > 1 && mp[len - 1] == '/')
            len--;
        bool inside = strncmp(path, mp, len) == 0 &&
                      (path[len] == '\0' || path[len] == '/' ||
                       (len == 1 && mp[0] == '/'));
        /* Later lines overmount earlier ones at the same point. */
        if (inside && (best == NULL || len >= best_len)) {
            best = &mounts->items[i];
            best_len = len;
        }
    }
    return best;
}

struct discovery {
    const struct paglets__perf_disk_env *env;
    uint64_t size;
    struct paglets__perf_disk_targets *targets;
    struct paglets_perf_disk_skips *skipped;
    dev_t *devs; /* devices already taken */
    size_t n_devs;
    bool requested; /* the paths considered are the request's own */
};

static int add_skip(struct discovery *d, const char *path,
                    const struct paglets__perf_mount *m, const char *reason)
{
    struct paglets_perf_disk_skip *s = PAGLETS__PERF_PUSH(d->skipped);
    if (s == NULL)
        return -ENOMEM;
    s->path = strdup(path);
    s->reason = strdup(reason);
    s->device = strdup(m != NULL ? m->device : "");
    s->filesystem = strdup(m != NULL ? m->fstype : "");
    s->requested = d->requested;
    return s->path && s->reason && s->device && s->filesystem ? 0 : -ENOMEM;
}

static int take(struct discovery *d, const char *path,
                const struct paglets__perf_mount *m, dev_t dev,
                const struct statvfs *vfs)
{
    dev_t *devs = realloc(d->devs, (d->n_devs + 1) * sizeof(*devs));
    if (devs == NULL)
        return -ENOMEM;
    d->devs = devs;
    d->devs[d->n_devs++] = dev;
    struct paglets__perf_disk_target *t = PAGLETS__PERF_PUSH(d->targets);
    if (t == NULL)
        return -ENOMEM;
    t->path = strdup(path);
    t->device = strdup(m != NULL ? m->device : "");
    t->filesystem = strdup(m != NULL ? m->fstype : "");
    t->total_bytes = (uint64_t)vfs->f_blocks * vfs->f_frsize;
    t->free_bytes = (uint64_t)vfs->f_bavail * vfs->f_frsize;
    return t->path && t->device && t->filesystem ? 0 : -ENOMEM;
}

static bool taken(const struct discovery *d, dev_t dev)
{
    for (size_t i = 0; i < d->n_devs; i++)
        if (d->devs[i] == dev)
            return true;
    return false;
}

/*
 * The reason to skip an existing directory `real`, or NULL to take it
 * (then st and vfs describe it). The order is the reference's.
 */
static const char *why_skip(struct discovery *d, const char *real,
                            const struct paglets__perf_mount *m,
                            struct stat *st, struct statvfs *vfs, char *buf,
                            size_t len)
{
    if (real == NULL || stat(real, st) != 0 || !S_ISDIR(st->st_mode))
        return "path is not an existing directory";
    if (m != NULL && m->read_only)
        return "read-only volume";
    if (d->env->access(real, W_OK | X_OK) != 0)
        return "not writable";
    if (taken(d, st->st_dev))
        return "duplicate volume";
    if (d->env->statvfs(real, vfs) != 0) {
        snprintf(buf, len, "cannot read disk usage: %s",
                 paglets_strerror(errno));
        return buf;
    }
    if ((uint64_t)vfs->f_bavail * vfs->f_frsize < 2 * d->size) {
        snprintf(buf, len, "free space below required %llu bytes",
                 (unsigned long long)(2 * d->size));
        return buf;
    }
    return NULL;
}

/*
 * Check one candidate. `own` is the mount a discovered mount point comes
 * from (NULL for explicit paths and fallbacks, which are matched to the
 * longest containing mount and never skipped as special). Special types
 * are skipped before any stat: stat on an autofs point would mount it.
 */
static int consider(struct discovery *d, const char *path,
                    const struct paglets__perf_mount *own)
{
    if (own != NULL && paglets__perf_fstype_is_special(own->fstype))
        return add_skip(d, path, own, "special filesystem");
    char *real = realpath(path, NULL);
    const struct paglets__perf_mount *m =
        own != NULL ? own
                    : match_mount(d->env->mounts, real != NULL ? real : path);
    struct stat st;
    struct statvfs vfs;
    char buf[128];
    const char *reason = why_skip(d, real, m, &st, &vfs, buf, sizeof(buf));
    int rc = reason != NULL ? add_skip(d, path, m, reason)
                            : take(d, path, m, st.st_dev, &vfs);
    free(real);
    return rc;
}

int paglets__perf_disk_discover(const struct paglets__perf_disk_env *env,
                                char *const *paths, size_t n_paths,
                                uint64_t size_bytes,
                                struct paglets__perf_disk_targets *targets,
                                struct paglets_perf_disk_skips *skipped)
{
    struct discovery d = {env,  size_bytes, targets,    skipped,
                          NULL, 0,          n_paths > 0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_paths; i++)
        rc = consider(&d, paths[i], NULL);
    for (size_t i = 0; rc == 0 && n_paths == 0 && i < env->mounts->n; i++)
        rc = consider(&d, env->mounts->items[i].mount_point,
                      &env->mounts->items[i]);
    for (size_t i = 0; rc == 0 && n_paths == 0 && i < env->n_fallbacks; i++)
        rc = consider(&d, env->fallbacks[i], NULL);
    free(d.devs);
    return rc;
}

void paglets__perf_disk_targets_release(
    struct paglets__perf_disk_targets *targets)
{
    struct paglets__perf_disk_target *t = targets->items;
    for (size_t i = 0; i < targets->n; i++) {
        free(t[i].path);
        free(t[i].device);
        free(t[i].filesystem);
    }
    free(targets->items);
    targets->items = NULL;
    targets->n = 0;
}
