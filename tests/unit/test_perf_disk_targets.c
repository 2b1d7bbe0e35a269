/*
 * Disk target discovery against a fake mount table over real scratch
 * directories: every skip reason, the fallbacks and explicit paths.
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "perf/disk_targets.h"
#include "perf_fixture.h"

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Root may write anywhere, so "not writable" needs a fake access(). */
static int fake_access(const char *path, int mode)
{
    if (ends_with(path, "/nw")) {
        errno = EACCES;
        return -1;
    }
    return access(path, mode);
}

static int fake_statvfs(const char *path, struct statvfs *st)
{
    if (ends_with(path, "/broken")) {
        errno = EIO;
        return -1;
    }
    int rc = statvfs(path, st);
    if (rc == 0 && ends_with(path, "/low"))
        st->f_bavail = 1;
    return rc;
}

struct scratch {
    char *root;
    struct paglets__perf_mounts mounts;
    struct paglets__perf_disk_targets targets;
    struct paglets_perf_disk_skips skipped;
};

static void scratch_mounts(struct scratch *s, const char *const *lines,
                           size_t n)
{
    /* Each line names its mount point as ROOT/...; ROOT is the scratch. */
    char text[8192];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *root = strstr(lines[i], "ROOT");
        assert_non_null(root);
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%.*s%s%s\n",
                                (int)(root - lines[i]), lines[i], s->root,
                                root + 4);
        assert_true(len < sizeof(text));
    }
    assert_int_equal(paglets__perf_mounts_parse(text, &s->mounts), 0);
}

static int setup(void **state)
{
    static struct scratch s;
    memset(&s, 0, sizeof(s));
    s.root = fixture_mkdtemp();
    if (s.root == NULL)
        return -1;
    static const char *const dirs[] = {"a",  "b",   "spec",   "ro",
                                       "nw", "low", "broken", "nw/fb"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", s.root, dirs[i]);
        if (mkdir(path, 0700) != 0)
            return -1;
    }
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    struct scratch *s = *state;
    paglets__perf_mounts_release(&s->mounts);
    paglets__perf_disk_targets_release(&s->targets);
    struct paglets_perf_disk_result skips = {.skipped = s->skipped};
    paglets__perf_disk_result_release(&skips);
    fixture_rmtree(s->root);
    free(s->root);
    return 0;
}

static const struct paglets_perf_disk_skip *find_skip(const struct scratch *s,
                                                      const char *tail)
{
    const struct paglets_perf_disk_skip *k = s->skipped.items;
    for (size_t i = 0; i < s->skipped.n; i++)
        if (ends_with(k[i].path, tail))
            return &k[i];
    fail_msg("no skip for %s", tail);
    return NULL;
}

static void discover(struct scratch *s, const char *const *fallbacks,
                     size_t n_fallbacks, char *const *paths, size_t n_paths)
{
    struct paglets__perf_disk_env env = {&s->mounts, fallbacks, n_fallbacks,
                                         fake_access, fake_statvfs};
    assert_int_equal(paglets__perf_disk_discover(&env, paths, n_paths, 1u << 20,
                                                 &s->targets, &s->skipped),
                     0);
}

static void test_discovery_gives_every_skip_reason(void **state)
{
    struct scratch *s = *state;
    static const char *const lines[] = {
        "21 1 8:1 / ROOT/a rw,relatime shared:1 - ext4 /dev/fake1 rw",
        "22 1 8:1 / ROOT/b rw,relatime - ext4 /dev/fake2 rw",
        "23 1 0:5 / ROOT/spec rw - tmpfs tmpfs rw",
        "24 1 8:2 / ROOT/ro ro,relatime - ext4 /dev/fake3 rw",
        "25 1 8:3 / ROOT/nw rw - xfs /dev/fake4 rw",
        "26 1 8:4 / ROOT/missing rw - ext4 /dev/fake5 rw",
    };
    scratch_mounts(s, lines, 6);
    discover(s, NULL, 0, NULL, 0);
    assert_int_equal(s->targets.n, 1);
    const struct paglets__perf_disk_target *t = s->targets.items;
    assert_true(ends_with(t->path, "/a"));
    assert_string_equal(t->device, "/dev/fake1");
    assert_string_equal(t->filesystem, "ext4");
    assert_true(t->free_bytes > 0 && t->total_bytes >= t->free_bytes);
    assert_string_equal(find_skip(s, "/b")->reason, "duplicate volume");
    assert_string_equal(find_skip(s, "/spec")->reason, "special filesystem");
    assert_string_equal(find_skip(s, "/spec")->filesystem, "tmpfs");
    assert_string_equal(find_skip(s, "/ro")->reason, "read-only volume");
    assert_string_equal(find_skip(s, "/nw")->reason, "not writable");
    assert_string_equal(find_skip(s, "/nw")->device, "/dev/fake4");
    assert_string_equal(find_skip(s, "/missing")->reason,
                        "path is not an existing directory");
    /* Discovery's own finds: not what a request asked for. */
    assert_false(find_skip(s, "/missing")->requested);
}

/* These two share the scratch device, so each must not claim it. */
static void
test_discovery_skips_low_free_space_and_unreadable_usage(void **state)
{
    struct scratch *s = *state;
    static const char *const lines[] = {
        "27 1 8:5 / ROOT/broken rw - ext4 /dev/fake6 rw",
        "21 1 8:1 / ROOT/low rw - ext4 /dev/fake1 rw",
    };
    scratch_mounts(s, lines, 2);
    discover(s, NULL, 0, NULL, 0);
    assert_int_equal(s->targets.n, 0);
    assert_string_equal(find_skip(s, "/broken")->reason,
                        "cannot read disk usage: Input/output error");
    assert_string_equal(find_skip(s, "/low")->reason,
                        "free space below required 2097152 bytes");
}

static void test_unwritable_mount_point_falls_back_on_same_volume(void **state)
{
    struct scratch *s = *state;
    static const char *const lines[] = {
        "25 1 8:3 / ROOT/nw rw - xfs /dev/fake4 rw",
    };
    scratch_mounts(s, lines, 1);
    char fb1[512], fb2[512];
    snprintf(fb1, sizeof(fb1), "%s/nw/fb", s->root);
    snprintf(fb2, sizeof(fb2), "%s/nw", s->root);
    const char *const fallbacks[] = {fb1, fb2};
    discover(s, fallbacks, 2, NULL, 0);
    assert_int_equal(s->targets.n, 1);
    const struct paglets__perf_disk_target *t = s->targets.items;
    assert_string_equal(t->path, fb1);
    assert_string_equal(t->device, "/dev/fake4");
    assert_string_equal(t->filesystem, "xfs");
    assert_string_equal(find_skip(s, "/nw")->reason, "not writable");
}

static void test_writable_mount_point_makes_fallback_duplicate(void **state)
{
    struct scratch *s = *state;
    static const char *const lines[] = {
        "21 1 8:1 / ROOT/a rw - ext4 /dev/fake1 rw",
    };
    scratch_mounts(s, lines, 1);
    char fb[512];
    snprintf(fb, sizeof(fb), "%s/b", s->root);
    const char *const fallbacks[] = {fb};
    discover(s, fallbacks, 1, NULL, 0);
    assert_int_equal(s->targets.n, 1);
    assert_true(ends_with(
        ((struct paglets__perf_disk_target *)s->targets.items)->path, "/a"));
    assert_string_equal(find_skip(s, "/b")->reason, "duplicate volume");
}

static void
test_explicit_paths_match_longest_mount_and_skip_no_special(void **state)
{
    struct scratch *s = *state;
    static const char *const lines[] = {
        "20 1 0:9 / ROOT rw - tmpfs scratchfs rw",
        "25 1 8:3 / ROOT/nw rw - xfs /dev/fake4 rw",
    };
    scratch_mounts(s, lines, 2);
    char p1[512], p2[512];
    snprintf(p1, sizeof(p1), "%s/nw/fb", s->root);
    snprintf(p2, sizeof(p2), "%s/spec", s->root);
    char *const paths[] = {p2, p1};
    discover(s, NULL, 0, paths, 2);
    /* spec is on a "tmpfs" mount, yet explicit paths are never special. */
    assert_int_equal(s->targets.n, 1);
    const struct paglets__perf_disk_target *t = s->targets.items;
    assert_string_equal(t->path, p2);
    assert_string_equal(t->filesystem, "tmpfs");
    assert_string_equal(find_skip(s, "/nw/fb")->reason, "duplicate volume");
    assert_string_equal(find_skip(s, "/nw/fb")->device, "/dev/fake4");
    /* The request named it: its skip is an error of the run. */
    assert_true(find_skip(s, "/nw/fb")->requested);
}

static void test_mountinfo_parse_decodes_escapes_and_options(void **state)
{
    (void)state;
    struct paglets__perf_mounts m = {0};
    const char *text =
        "36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 shared:2 - "
        "ext3 /dev/root rw,errors=continue\n"
        "37 35 98:1 / /srv rw - xfs /dev/sdb1 ro,attr2\n"
        "garbage line\n"
        "38 35 98:2 / /data ro - btrfs /dev/sdc rw";
    assert_int_equal(paglets__perf_mounts_parse(text, &m), 0);
    assert_int_equal(m.n, 3);
    assert_string_equal(m.items[0].mount_point, "/mnt/my disk");
    assert_string_equal(m.items[0].fstype, "ext3");
    assert_string_equal(m.items[0].device, "/dev/root");
    assert_false(m.items[0].read_only);
    assert_true(m.items[1].read_only); /* superblock "ro" */
    assert_true(m.items[2].read_only); /* mount "ro" */
    assert_string_equal(m.items[2].mount_point, "/data");
    paglets__perf_mounts_release(&m);
    assert_true(paglets__perf_fstype_is_special("overlay"));
    assert_true(paglets__perf_fstype_is_special(""));
    assert_false(paglets__perf_fstype_is_special("ext4"));
}

static void test_real_mount_table_reads(void **state)
{
    (void)state;
    struct paglets__perf_mounts m = {0};
    assert_int_equal(paglets__perf_mounts_read("/proc/self/mountinfo", &m), 0);
    assert_true(m.n > 0);
    paglets__perf_mounts_release(&m);
    assert_int_equal(paglets__perf_mounts_read("/nonexistent/mountinfo", &m),
                     -ENOENT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_discovery_gives_every_skip_reason),
        T(test_discovery_skips_low_free_space_and_unreadable_usage),
        T(test_unwritable_mount_point_falls_back_on_same_volume),
        T(test_writable_mount_point_makes_fallback_duplicate),
        T(test_explicit_paths_match_longest_mount_and_skip_no_special),
        cmocka_unit_test(test_mountinfo_parse_decodes_escapes_and_options),
        cmocka_unit_test(test_real_mount_table_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
