/*
 * The report written atomically (report.h): a temporary file beside the
 * target, flushed to disk, renamed over it; removed again on any error.
 */
/* mkstemp, fchmod, fsync: POSIX.1-2008. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

/* "DIR/.NAME.XXXXXX" for path "DIR/NAME" (caller frees); NULL: no memory. */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    int dir = slash ? (int)(slash - path + 1) : 0;
    size_t size = strlen(path) + sizeof(".") + sizeof(".XXXXXX");
    char *tmp = malloc(size);
    if (tmp != NULL)
        snprintf(tmp, size, "%.*s.%s.XXXXXX", dir, path, path + dir);
    return tmp;
}

/* Write the report into fd (taken: closed here), flushed to disk. */
static int write_fd(const struct paglets_report_run *run, int fd)
{
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    int rc = paglets_report_html_write(run, f);
    if (rc == 0 && fsync(fileno(f)) != 0)
        rc = -errno;
    if (fclose(f) != 0 && rc == 0)
        rc = -EIO;
    return rc;
}

int paglets_report_html_save(const struct paglets_report_run *run,
                             const char *path, struct paglets_err *err)
{
    if (strcmp(path, "-") == 0) {
        int rc = paglets_report_html_write(run, stdout);
        return rc ? paglets_err_set(err, rc,
                                    "cannot write the report to "
                                    "stdout: %s",
                                    paglets_strerror(rc))
                  : 0;
    }
    const char *slash = strrchr(path, '/');
    if (path[0] == '\0' || (slash != NULL && slash[1] == '\0'))
        return paglets_err_set(err, -EISDIR, "'%s' names no file", path);
    char *tmp = temp_name(path);
    if (tmp == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    int rc = 0;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rc =
            paglets_err_set(err, -errno, "cannot create a file beside '%s': %s",
                            path, strerror(errno));
        goto out;
    }
    /* mkstemp makes it 0600; a report is for reading. */
    if (fchmod(fd, 0644) != 0) {
        rc = -errno;
        close(fd);
    } else {
        rc = write_fd(run, fd);
    }
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc != 0) {
        unlink(tmp);
        paglets_err_set(err, rc, "cannot write '%s': %s", path,
                        paglets_strerror(rc));
    }
out:
    free(tmp);
    return rc;
}
