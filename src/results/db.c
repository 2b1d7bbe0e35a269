/*
 * Opening the run database: where it lives, the file and directories
 * created private, the SQLite connection (busy timeout, WAL with its
 * fallback), and SQLite's result codes turned into one errno and one line.
 */
#include "results_compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "results_int.h"

/* What a failure of each SQLite primary result code means for the file. */
static const struct {
    int sqlite;
    int code;
    const char *says;
} failures[] = {
    {SQLITE_BUSY, -EBUSY, "is locked by another process"},
    {SQLITE_LOCKED, -EBUSY, "is locked by another connection"},
    {SQLITE_PROTOCOL, -EBUSY, "is locked by another process"},
    {SQLITE_READONLY, -EROFS, "is read-only"},
    {SQLITE_CORRUPT, -EUCLEAN, "is corrupt"},
    {SQLITE_NOTADB, -EUCLEAN, "is not an SQLite database"},
    {SQLITE_PERM, -EACCES, "cannot be accessed"},
    {SQLITE_AUTH, -EACCES, "cannot be accessed"},
    {SQLITE_CANTOPEN, -EACCES, "cannot be opened"},
    {SQLITE_FULL, -ENOSPC, "has no room left"},
    {SQLITE_IOERR, -EIO, "had an I/O error"},
    {SQLITE_NOMEM, -ENOMEM, "ran out of memory"},
    {SQLITE_TOOBIG, -ENOMEM, "got a value too big to store"},
};

int paglets__results_fail(struct paglets_results *db, int rc, const char *what,
                          struct paglets_err *err)
{
    int code = -EIO;
    const char *says = "failed";
    for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
        if (failures[i].sqlite == (rc & 0xff)) {
            code = failures[i].code;
            says = failures[i].says;
        }
    }
    /* The system's own errno says more than "cannot open" or "I/O error". */
    int sys = db->db ? sqlite3_system_errno(db->db) : 0;
    if (((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR) &&
        sys > 0)
        code = -sys;
    const char *text = db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc);
    if (code == -EBUSY)
        return paglets_err_set(
            err, code, "results database '%s' %s (waited %g s; %s: %s)",
            db->path, says, db->busy_timeout_seconds, what, text);
    return paglets_err_set(err, code, "results database '%s' %s (%s: %s)",
                           db->path, says, what, text);
}

int paglets__results_exec(struct paglets_results *db, const char *sql,
                          const char *what, struct paglets_err *err)
{
    int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : paglets__results_fail(db, rc, what, err);
}

int paglets__results_prepare(struct paglets_results *db, const char *sql,
                             sqlite3_stmt **stmt, const char *what,
                             struct paglets_err *err)
{
    int rc = sqlite3_prepare_v2(db->db, sql, -1, stmt, NULL);
    return rc == SQLITE_OK ? 0 : paglets__results_fail(db, rc, what, err);
}

int paglets__results_begin(struct paglets_results *db, const char *what,
                           struct paglets_err *err)
{
    return paglets__results_exec(db, "BEGIN IMMEDIATE", what, err);
}

int paglets__results_end(struct paglets_results *db, int rc, const char *what,
                         struct paglets_err *err)
{
    if (rc == 0)
        return paglets__results_exec(db, "COMMIT", what, err);
    /* Nothing to add to the first error; the transaction may be gone. */
    sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* $NAME when set and not empty, else NULL. */
static const char *env(const char *name)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

static const char *home_dir(char *buf, size_t size)
{
    const char *home = env("HOME");
    if (home != NULL)
        return home;
    struct passwd pw, *found = NULL;
    if (getpwuid_r(getuid(), &pw, buf, size, &found) != 0 || found == NULL ||
        found->pw_dir == NULL || found->pw_dir[0] == '\0')
        return NULL;
    return found->pw_dir;
}

char *paglets_results_path(const char *db_option, struct paglets_err *err)
{
    char *path = NULL;
    int n = 0;
    if (db_option != NULL && db_option[0] == '\0') {
        paglets_err_set(err, -EINVAL, "--db: the path is empty");
        return NULL;
    }
    const char *xdg = env("XDG_DATA_HOME");
    char buf[4096];
    const char *home;
    if (db_option != NULL || env(PAGLETS_RESULTS_ENV) != NULL) {
        n = asprintf(&path, "%s",
                     db_option ? db_option : env(PAGLETS_RESULTS_ENV));
    } else if (xdg != NULL && xdg[0] == '/') {
        /* The XDG spec: a relative path in these variables is invalid. */
        n = asprintf(&path, "%s/paglets/results.db", xdg);
    } else if ((home = home_dir(buf, sizeof(buf))) != NULL) {
        n = asprintf(&path, "%s/.local/share/paglets/results.db", home);
    } else {
        paglets_err_set(err, -ENOENT,
                        "no home directory for the results database: set "
                        "%s or --db",
                        PAGLETS_RESULTS_ENV);
        return NULL;
    }
    if (n < 0) {
        paglets_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    return path;
}

/*
 * mkdir -p of the directories above path, each one this creates 0700
 * (chmod after mkdir: a umask could take more away, never add).
 */
static int make_parents(const char *path, struct paglets_err *err)
{
    char *dir = strdup(path);
    if (dir == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    int rc = 0;
    for (char *slash = strchr(dir + 1, '/'); rc == 0 && slash != NULL;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(dir, 0700) == 0) {
            if (chmod(dir, 0700) != 0)
                rc = -errno;
        } else if (errno != EEXIST) {
            rc = -errno;
        }
        if (rc != 0)
            paglets_err_set(err, rc,
                            "cannot create directory '%s' for the results "
                            "database: %s",
                            dir, paglets_strerror(rc));
        *slash = '/';
    }
    free(dir);
    return rc;
}

/*
 * Create the file 0600 unless it exists, so SQLite (which would make it
 * 0644 less the umask) opens ours: its journal and WAL files copy the
 * database file's mode.
 */
static int create_file(const char *path, struct paglets_err *err)
{
    int rc = make_parents(path, err);
    if (rc != 0)
        return rc;
    int fd =
        open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST)
        return 0;
    if (fd < 0 || fchmod(fd, 0600) != 0)
        rc = -errno;
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        return paglets_err_set(err, rc,
                               "cannot create results database '%s': %s", path,
                               paglets_strerror(rc));
    return 0;
}

static int check_exists(const char *path, struct paglets_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return 0;
    int rc = -errno;
    if (rc == -ENOENT)
        return paglets_err_set(err, rc,
                               "no results database at '%s' (no run saved "
                               "there yet)",
                               path);
    return paglets_err_set(err, rc, "cannot open results database '%s': %s",
                           path, paglets_strerror(rc));
}

/*
 * Filesystems where WAL's shared memory (an mmap'ed -shm file and POSIX
 * locks on it) is not coherent between machines: SQLite says WAL "does
 * not work over a network filesystem", and cannot detect one itself.
 */
static bool network_fs(const char *path)
{
    static const unsigned long magics[] = {
        0x6969,     /* NFS */
        0x517b,     /* SMB */
        0xff534d42, /* CIFS */
        0xfe534d42, /* SMB2 */
        0x01021997, /* 9P */
        0x00c36400, /* Ceph */
        0x65735546, /* FUSE (sshfs and friends) */
        0x0bd00bd0, /* Lustre */
        0x47504653, /* GPFS */
    };
    struct statfs fs;
    if (statfs(path, &fs) != 0)
        return false;
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
        if ((unsigned long)fs.f_type == magics[i])
            return true;
    return false;
}

/* Run a pragma that answers with one text row; copy it (lower case). */
static int pragma_text(struct paglets_results *db, const char *sql, char *out,
                       size_t size, struct paglets_err *err)
{
    sqlite3_stmt *stmt;
    int rc = paglets__results_prepare(db, sql, &stmt, "opening it", err);
    if (rc != 0)
        return rc;
    int step = sqlite3_step(stmt);
    const unsigned char *text =
        step == SQLITE_ROW ? sqlite3_column_text(stmt, 0) : NULL;
    snprintf(out, size, "%s", text ? (const char *)text : "");
    for (char *c = out; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    sqlite3_finalize(stmt);
    if (step == SQLITE_ROW || step == SQLITE_DONE)
        return 0;
    return paglets__results_fail(db, step, "opening it", err);
}

/*
 * Switching a file to WAL upgrades a shared lock to an exclusive one, and
 * SQLite answers BUSY at once rather than call the busy handler where two
 * connections could wait for each other (two runs opening a new file
 * together). Retry until the busy timeout, as the handler would.
 */
static int switch_journal(struct paglets_results *db, const char *sql,
                          char *mode, size_t size, struct paglets_err *err)
{
    double deadline = paglets_monotonic_seconds() + db->busy_timeout_seconds;
    for (;;) {
        struct paglets_err busy = {0};
        int rc = pragma_text(db, sql, mode, size, &busy);
        if (rc != -EBUSY || paglets_monotonic_seconds() >= deadline) {
            if (rc != 0)
                paglets_err_set(err, rc, "%s", busy.message);
            return rc;
        }
        sqlite3_sleep(5);
    }
}

/*
 * WAL lets a run store while another reads or stores, where the file
 * allows: not on a network filesystem, not where the VFS has no shared
 * memory (SQLite then answers the pragma with the old mode), not where
 * the -shm file cannot be made. There the rollback journal and the busy
 * timeout still keep concurrent runs apart, only less concurrently.
 */
static int set_journal(struct paglets_results *db, bool no_wal,
                       struct paglets_err *err)
{
    char mode[16];
    bool writable = sqlite3_db_readonly(db->db, "main") == 0;
    bool want_wal = writable && !no_wal && !network_fs(db->path);
    int rc = pragma_text(db, "PRAGMA journal_mode", mode, sizeof(mode), err);
    if (rc == 0 && want_wal && strcmp(mode, "wal") != 0) {
        rc = switch_journal(db, "PRAGMA journal_mode=WAL", mode, sizeof(mode),
                            err);
        if (rc == -EIO || rc == -EACCES) {
            /* The -shm file could not be made or mapped: not WAL here. */
            paglets_err_clear(err);
            rc = switch_journal(db, "PRAGMA journal_mode=DELETE", mode,
                                sizeof(mode), err);
        }
    }
    if (rc != 0)
        return rc;
    db->journal = strcmp(mode, "wal") == 0 ? "wal" : "delete";
    if (strcmp(db->journal, "wal") == 0 && writable)
        /* In WAL mode NORMAL cannot corrupt; a power cut can only lose the
         * last run stored. */
        rc = paglets__results_exec(db, "PRAGMA synchronous=NORMAL",
                                   "opening it", err);
    return rc;
}

void paglets_results_options_init(struct paglets_results_options *options)
{
    memset(options, 0, sizeof(*options));
    options->busy_timeout_seconds =
        PAGLETS_RESULTS_DEFAULT_BUSY_TIMEOUT_SECONDS;
}

static int open_connection(struct paglets_results *db,
                           const struct paglets_results_options *options,
                           struct paglets_err *err)
{
    int flags =
        options->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    int rc = sqlite3_open_v2(db->path, &db->db, flags | SQLITE_OPEN_NOMUTEX,
                             options->vfs);
    if (db->db == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    if (rc != SQLITE_OK)
        return paglets__results_fail(db, rc, "opening it", err);
    sqlite3_extended_result_codes(db->db, 1);
    double ms = db->busy_timeout_seconds * 1000;
    sqlite3_busy_timeout(db->db,
                         ms > 0 ? (ms < 1e9 ? (int)ms : 1000000000) : 0);
    rc = paglets__results_exec(db, "PRAGMA foreign_keys=ON", "opening it", err);
    if (rc == 0)
        rc = set_journal(db, options->no_wal, err);
    if (rc != 0)
        return rc;
    if (sqlite3_db_readonly(db->db, "main") != 0)
        return paglets__results_check_schema(db, err);
    return paglets__results_migrate(db, paglets__results_steps,
                                    paglets__results_n_steps, err);
}

struct paglets_results *
paglets_results_new(const char *path,
                    const struct paglets_results_options *options,
                    struct paglets_err *err)
{
    struct paglets_results_options defaults;
    paglets_results_options_init(&defaults);
    if (options == NULL)
        options = &defaults;
    if (path == NULL || path[0] == '\0') {
        paglets_err_set(err, -EINVAL, "results database: no path");
        return NULL;
    }
    int rc = options->read_only || options->no_create ? check_exists(path, err)
                                                      : create_file(path, err);
    if (rc != 0)
        return NULL;
    struct paglets_results *db = calloc(1, sizeof(*db));
    if (db == NULL || (db->path = strdup(path)) == NULL) {
        free(db);
        paglets_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    db->busy_timeout_seconds = options->busy_timeout_seconds;
    db->journal = "delete";
    if (open_connection(db, options, err) != 0) {
        paglets_results_free(db);
        return NULL;
    }
    return db;
}

void paglets_results_free(struct paglets_results *db)
{
    if (db == NULL)
        return;
    /* _v2: closes even with statements a failed call left behind. */
    sqlite3_close_v2(db->db);
    free(db->path);
    free(db);
}

const char *paglets_results_file(const struct paglets_results *db)
{
    return db->path;
}

const char *paglets_results_journal(const struct paglets_results *db)
{
    return db->journal;
}
