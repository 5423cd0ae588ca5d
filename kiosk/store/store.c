/* Kikan kiosk: the store, one SQLite file under the state home
 * (issue #9 item 1; docs/store.md). */
#include "store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "error-private.h"
#include "escape-private.h"
#include "test-seams-private.h"
#include "schema-private.h"

#define STORE_FILE_NAME "kikan.db"

/* What every refusal tells IT to do next (docs/store.md "When the store
 * refuses service"). */
#define REFUSAL_HINT                                                                              \
    "Restore the store from the last backup, or run “kikan db check” for details; the file "  \
    "was not changed."

struct KikanStore {
    char *path;
    sqlite3 *db;
    int version;
    /* A read-only store's connection, removed as it came. */
    gboolean readonly;
    KikanStoreReader reader;
    /* Run once after the next COMMIT that succeeds, dropped on ROLLBACK
     * (kikan_store_after_commit); run just before it, inside the
     * transaction (kikan_store_before_commit). */
    GArray *after_commit;
    GArray *before_commit;
};

typedef struct {
    KikanStoreAfterCommit fn;
    gpointer data;
} AfterCommit;

typedef struct {
    KikanStoreBeforeCommit fn;
    gpointer data;
} BeforeCommit;

/* Forward migrations: step i takes user_version i to i + 1, in one
 * transaction (docs/store.md "Schema versions").  A new version appends
 * a step here and a schema-vN.sql to store.cmake; it never edits an old
 * step, since stores in the field were made by it. */
static const char *const *const migrations[] = {
    &kikan_store_schema_v1, /* 0 → 1: the first schema */
    &kikan_store_schema_v2, /* 1 → 2: the audit chain (issue #10) */
    &kikan_store_schema_v3, /* 2 → 3: seals, slips, prints, samples (issue #10) */
    &kikan_store_schema_v4, /* 3 → 4: IT staff accounts (issue #11, KR-35) */
    &kikan_store_schema_v5, /* 4 → 5: an account's role, IT or auditor (issue #11, KR-31) */
};
G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == KIKAN_STORE_SCHEMA_VERSION);

gboolean
kikan_store_set_error (GError **error, sqlite3 *db, int rc, const char *what)
{
    const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
    KikanErrorCode code;
    const char *hint;
    int primary = rc & 0xff;

    /* SQLite says SQLITE_FULL only for the database and journal files; a
     * full disk met while it grows the -shm index (or anywhere else) is an
     * "I/O error" whose cause is in errno.  Telling IT to restore the
     * store from a backup then would replace good evidence for want of
     * free space (issue #12 item 4, the disk-full fault test). */
    if (primary == SQLITE_IOERR && db != NULL
        && (sqlite3_system_errno (db) == ENOSPC || sqlite3_system_errno (db) == EDQUOT))
        primary = SQLITE_FULL;
    switch (primary) {
    case SQLITE_CORRUPT:
        code = KIKAN_ERROR_STORE_CORRUPT;
        hint = "The store is damaged: run “kikan db check”, then restore it from the last "
               "backup.";
        break;
    case SQLITE_NOTADB:
        code = KIKAN_ERROR_STORE_NOT_DATABASE;
        hint = "Run “kikan db check”, then restore the store from the last backup.";
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = KIKAN_ERROR_STORE;
        hint = "Another Kikan program holds the store: wait for it to finish, then try again.";
        break;
    case SQLITE_FULL:
        code = KIKAN_ERROR_STORE;
        hint = "The disk is full: free space in the state directory, then try again.";
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        code = KIKAN_ERROR_STORE;
        hint = "Run kikan as the kiosk user, who owns the state directory.";
        break;
    default:
        code = KIKAN_ERROR_STORE;
        hint = "Run “kikan db check”; if it reports problems, restore the store from the last "
               "backup.";
        break;
    }
    g_set_error (error, KIKAN_ERROR, code, "%s: %s. %s", what, msg, hint);
    return FALSE;
}

char *
kikan_store_dup_path_for_home (KikanHome *home)
{
    return g_build_filename (kikan_home_get_path (home), STORE_FILE_NAME, NULL);
}

const char *
kikan_store_get_path (KikanStore *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->path;
}

sqlite3 *
kikan_store_get_db (KikanStore *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->db;
}

void
kikan_store_free (KikanStore *self)
{
    if (self == NULL)
        return;
    if (self->readonly)
        kikan_store_reader_close (&self->reader);
    else if (self->db != NULL)
        sqlite3_close_v2 (self->db);
    if (self->after_commit != NULL)
        g_array_unref (self->after_commit);
    if (self->before_commit != NULL)
        g_array_unref (self->before_commit);
    g_free (self->path);
    g_free (self);
}

gboolean
kikan_store_exec (KikanStore *self, const char *sql, GError **error)
{
    int rc;

    g_return_val_if_fail (self != NULL && sql != NULL, FALSE);
    rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return kikan_store_set_error (error, self->db, rc, "The store could not be updated");
    return TRUE;
}

gboolean
kikan_store_begin (KikanStore *self, GError **error)
{
    int rc;

    g_return_val_if_fail (self != NULL, FALSE);
    rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return kikan_store_set_error (error, self->db, rc, "A store transaction could not start");
    return TRUE;
}

gboolean
kikan_store_commit (KikanStore *self, GError **error)
{
    int rc;

    g_return_val_if_fail (self != NULL, FALSE);
    if (self->before_commit != NULL) {
        g_autoptr (GArray) run = self->before_commit;

        self->before_commit = NULL;
        for (guint i = 0; i < run->len; i++) {
            BeforeCommit *b = &g_array_index (run, BeforeCommit, i);

            if (!b->fn (self, b->data, error)) {
                kikan_store_rollback (self);
                return FALSE;
            }
        }
    }
    rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        kikan_store_set_error (error, self->db, rc, "The change could not be saved in the store");
        kikan_store_rollback (self);
        return FALSE;
    }
    if (self->after_commit != NULL) {
        g_autoptr (GArray) run = self->after_commit;

        self->after_commit = NULL;
        for (guint i = 0; i < run->len; i++) {
            AfterCommit *a = &g_array_index (run, AfterCommit, i);

            a->fn (self, a->data);
        }
    }
    return TRUE;
}

void
kikan_store_before_commit (KikanStore *self, KikanStoreBeforeCommit fn, gpointer data)
{
    BeforeCommit b = { fn, data };

    g_return_if_fail (self != NULL && fn != NULL);
    for (guint i = 0; self->before_commit != NULL && i < self->before_commit->len; i++) {
        BeforeCommit *o = &g_array_index (self->before_commit, BeforeCommit, i);

        if (o->fn == fn && o->data == data)
            return;
    }
    if (self->before_commit == NULL)
        self->before_commit = g_array_new (FALSE, FALSE, sizeof (BeforeCommit));
    g_array_append_val (self->before_commit, b);
}

void
kikan_store_after_commit (KikanStore *self, KikanStoreAfterCommit fn, gpointer data)
{
    AfterCommit a = { fn, data };

    g_return_if_fail (self != NULL && fn != NULL);
    for (guint i = 0; self->after_commit != NULL && i < self->after_commit->len; i++) {
        AfterCommit *b = &g_array_index (self->after_commit, AfterCommit, i);

        if (b->fn == fn && b->data == data)
            return;
    }
    if (self->after_commit == NULL)
        self->after_commit = g_array_new (FALSE, FALSE, sizeof (AfterCommit));
    g_array_append_val (self->after_commit, a);
}

void
kikan_store_rollback (KikanStore *self)
{
    g_return_if_fail (self != NULL);
    g_clear_pointer (&self->after_commit, g_array_unref);
    g_clear_pointer (&self->before_commit, g_array_unref);
    if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gint64
kikan_store_now_unix (void)
{
    /* A test seam (kikan/test-seam.h): a fixed clock makes dates in the
     * tests' outputs reproducible.  Only the build tree honours it: the
     * age of the signatures is judged by this clock at check-in. */
    const char *fake = kikan_test_seam ("KIKAN_FAKE_NOW");
    gint64 t;

    if (fake != NULL && fake[0] != '\0'
        && g_ascii_string_to_signed (fake, 10, 0, G_GINT64_CONSTANT (253402300799), &t, NULL))
        return t;
    return g_get_real_time () / G_USEC_PER_SEC;
}

char *
kikan_store_now_iso (void)
{
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (kikan_store_now_unix ());

    return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

char *
kikan_store_today (void)
{
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (kikan_store_now_unix ());

    return g_date_time_format (dt, "%Y-%m-%d");
}

/* The first column of a one-row query as an integer. */
static gboolean
query_int (sqlite3 *db, const char *sql, gint64 *out, int *rc_out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step (st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64 (st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize (st);
    *rc_out = rc;
    return rc == SQLITE_OK;
}

/* The first column of a one-row query as text (free it). */
static char *
query_text (sqlite3 *db, const char *sql, int *rc_out)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step (st);
        if (rc == SQLITE_ROW) {
            out = g_strdup ((const char *)sqlite3_column_text (st, 0));
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize (st);
    *rc_out = rc;
    return out;
}

int
kikan_store_reader_open (KikanStoreReader *r, const char *path)
{
    int rc;

    r->path = g_strdup (path);
    rc = sqlite3_open_v2 (path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc == SQLITE_OK)
        sqlite3_busy_timeout (r->db, KIKAN_STORE_BUSY_TIMEOUT_MS);
    return rc;
}

void
kikan_store_reader_close (KikanStoreReader *r)
{
    if (r->path == NULL)
        return;
    /* A read-only connection cannot remove the -wal and -shm it may have
     * made (they hold nothing), and neither may this code: another
     * program may be about to write its first frame into that -wal. */
    sqlite3_close_v2 (r->db);
    r->db = NULL;
    g_clear_pointer (&r->path, g_free);
}

/* Refuses service: @code, the situation, and what IT does next. */
static void
refuse (GError **error, KikanErrorCode code, const char *path, const char *what)
{
    g_autofree char *shown = kikan_escape_for_display (path, -1);

    g_set_error (error, KIKAN_ERROR, code, "The store %s %s. " REFUSAL_HINT, shown, what);
}

/* The checks that decide whether the store may be used, run on a
 * read-only connection that is closed before anything is written: a
 * refused file is never modified, not even by a checkpoint on close. */
static gboolean
precheck (const char *path, gint64 *version_out, GError **error)
{
    KikanStoreReader reader = { 0 };
    sqlite3 *db = NULL;
    g_autofree char *first = NULL;
    gint64 version = 0, tables = 0, fk_rows = 0;
    gboolean ok = FALSE;
    int rc;

    rc = kikan_store_reader_open (&reader, path);
    db = reader.db;
    if (rc != SQLITE_OK) {
        kikan_store_set_error (error, db, rc, "The store could not be opened");
        goto out;
    }
    /* One snapshot for every question below: another program may set the
     * store up meanwhile, and a version read before its commit with
     * tables read after it would look like another program's database. */
    sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
    if (!query_int (db, "PRAGMA user_version", &version, &rc)) {
        if ((rc & 0xff) == SQLITE_NOTADB)
            refuse (error, KIKAN_ERROR_STORE_NOT_DATABASE, path, "is not a SQLite database");
        else if ((rc & 0xff) == SQLITE_CORRUPT)
            refuse (error, KIKAN_ERROR_STORE_CORRUPT, path, "is damaged");
        else
            kikan_store_set_error (error, db, rc, "The store could not be read");
        goto out;
    }
    if (version > KIKAN_STORE_SCHEMA_VERSION) {
        g_autofree char *what = g_strdup_printf (
            "has schema version %" G_GINT64_FORMAT ", newer than this program knows (%d): it "
            "was written by a newer Kikan. Install that version again",
            version, KIKAN_STORE_SCHEMA_VERSION);

        refuse (error, KIKAN_ERROR_STORE_TOO_NEW, path, what);
        goto out;
    }
    if (version < 0) {
        refuse (error, KIKAN_ERROR_STORE_NOT_KIKAN, path,
                "has a negative schema version: it is not a Kikan store");
        goto out;
    }
    /* A SQLite file with tables but no version is another program's
     * database: never add Kikan's tables to it. */
    if (!query_int (db, "SELECT count(*) FROM sqlite_schema", &tables, &rc)) {
        if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
            refuse (error, KIKAN_ERROR_STORE_CORRUPT, path,
                    "is damaged (its schema cannot be read)");
        else
            kikan_store_set_error (error, db, rc, "The store could not be read");
        goto out;
    }
    if (version == 0 && tables > 0) {
        refuse (error, KIKAN_ERROR_STORE_NOT_KIKAN, path,
                "is a SQLite database of another program (it has tables but no Kikan schema "
                "version)");
        goto out;
    }
    /* quick_check on every open: the pages, records and constraints, in
     * time linear in the file; the full integrity_check (index contents
     * too) is `kikan db check`'s, which IT runs at every kiosk start
     * (README "Deploying").  A year of check-ins made the full check take
     * seconds on every command (bench/checkin.sh). */
    first = query_text (db, "PRAGMA quick_check", &rc);
    if (rc != SQLITE_OK || first == NULL || strcmp (first, "ok") != 0) {
        g_autofree char *msg
            = kikan_escape_for_display (first != NULL ? first : sqlite3_errmsg (db), -1);
        g_autofree char *what = g_strdup_printf ("is damaged (PRAGMA quick_check: %s)", msg);

        if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_CORRUPT && (rc & 0xff) != SQLITE_NOTADB) {
            kikan_store_set_error (error, db, rc, "The store could not be checked");
            goto out;
        }
        refuse (error, KIKAN_ERROR_STORE_CORRUPT, path, what);
        goto out;
    }
    if (!query_int (db, "SELECT count(*) FROM pragma_foreign_key_check", &fk_rows, &rc)) {
        kikan_store_set_error (error, db, rc, "The store could not be checked");
        goto out;
    }
    if (fk_rows > 0) {
        g_autofree char *what = g_strdup_printf ("has %" G_GINT64_FORMAT
                                                 " row(s) that refer to rows which do not exist "
                                                 "(PRAGMA foreign_key_check)",
                                                 fk_rows);

        refuse (error, KIKAN_ERROR_STORE_FOREIGN_KEYS, path, what);
        goto out;
    }
    *version_out = version;
    ok = TRUE;
out:
    kikan_store_reader_close (&reader);
    return ok;
}

/* Holds the lock that lets one program at a time turn a new or old store
 * into a current one: switching a file to WAL mode and migrating it are
 * not safe against another connection doing the same at that moment
 * (SQLite then reports "database is locked" or even an I/O error).  An
 * flock() on the store's folder, never on the store file: SQLite's own
 * POSIX locks on the file would be dropped by any close() of another
 * descriptor of it.  -1 with @error set when it cannot be had in time. */
static int
lock_setup (const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname (path);
    gint64 deadline = g_get_monotonic_time () + KIKAN_STORE_BUSY_TIMEOUT_MS * (gint64)1000;
    int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

    if (fd < 0) {
        g_autofree char *shown = kikan_escape_for_display (dir, -1);
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                     "The state directory %s cannot be opened: %s. Run kikan as the kiosk "
                     "user, who owns it.",
                     shown, g_strerror (e));
        return -1;
    }
    while (flock (fd, LOCK_EX | LOCK_NB) != 0) {
        if ((errno != EWOULDBLOCK && errno != EINTR) || g_get_monotonic_time () > deadline) {
            close (fd);
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                         "Another Kikan program has been setting up the store for %d s. Wait "
                         "for it to finish, then try again.",
                         KIKAN_STORE_BUSY_TIMEOUT_MS / 1000);
            return -1;
        }
        g_usleep (20 * 1000);
    }
    return fd;
}

/* The file's first bytes say whether SQLite should be let near it at all
 * (a zero-length file is an empty database: it is migrated from v0). */
static gboolean
check_header (const char *path, gboolean *wal, GError **error)
{
    static const char magic[16] = "SQLite format 3";
    char head[100];
    ssize_t n;
    int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);

    if (fd < 0) {
        int e = errno;
        g_autofree char *shown = kikan_escape_for_display (path, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                     "The store %s cannot be read: %s. Run kikan as the kiosk user, who owns "
                     "the state directory.",
                     shown, g_strerror (e));
        return FALSE;
    }
    n = read (fd, head, sizeof head);
    close (fd);
    *wal = FALSE;
    if (n == 0)
        return TRUE;
    if (n < (ssize_t)sizeof head || memcmp (head, magic, sizeof magic) != 0) {
        refuse (error, KIKAN_ERROR_STORE_NOT_DATABASE, path, "is not a SQLite database");
        return FALSE;
    }
    /* File format read and write versions 2: the file is in WAL mode. */
    *wal = head[18] == 2 && head[19] == 2;
    return TRUE;
}

/* Sets a PRAGMA and reads it back: a PRAGMA that silently did not take
 * (a read-only file system refusing WAL, an old library) must not leave
 * evidence written with weaker guarantees than docs/store.md promises. */
static gboolean
set_pragmas (KikanStore *self, GError **error)
{
    g_autofree char *mode = NULL;
    gint64 v = -1;
    int rc;

    sqlite3_busy_timeout (self->db, KIKAN_STORE_BUSY_TIMEOUT_MS);
    /* Harden against a hostile schema (triggers or views calling
     * functions) and against writes to the schema table. */
    sqlite3_db_config (self->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config (self->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

    mode = query_text (self->db, "PRAGMA journal_mode=WAL", &rc);
    if (rc != SQLITE_OK)
        return kikan_store_set_error (error, self->db, rc, "The store could not use WAL mode");
    if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                     "The store could not use WAL mode (journal_mode is %s). Keep the state "
                     "directory on a local, writable file system.",
                     mode != NULL ? mode : "unknown");
        return FALSE;
    }
    if (sqlite3_exec (self->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", NULL, NULL,
                      NULL)
        != SQLITE_OK)
        return kikan_store_set_error (error, self->db, sqlite3_errcode (self->db),
                                      "The store's settings could not be applied");
    if (!query_int (self->db, "PRAGMA synchronous", &v, &rc) || v != 2) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                     "The store did not accept synchronous=FULL (it reports %" G_GINT64_FORMAT
                     "). Report this to the Kikan maintainers.",
                     v);
        return FALSE;
    }
    if (!query_int (self->db, "PRAGMA foreign_keys", &v, &rc) || v != 1) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                     "The store did not turn foreign keys on. This SQLite library was built "
                     "without them: install Debian's libsqlite3-0.");
        return FALSE;
    }
    if (!query_int (self->db, "PRAGMA busy_timeout", &v, &rc)
        || v != KIKAN_STORE_BUSY_TIMEOUT_MS) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                     "The store did not accept its busy timeout. Report this to the Kikan "
                     "maintainers.");
        return FALSE;
    }
    return TRUE;
}

static gboolean
migrate (KikanStore *self, GError **error)
{
    gint64 version = 0;
    int rc;

    if (!query_int (self->db, "PRAGMA user_version", &version, &rc))
        return kikan_store_set_error (error, self->db, rc, "The store could not be read");
    for (gint64 v = version; v < KIKAN_STORE_SCHEMA_VERSION; v++) {
        g_autofree char *set_version
            = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, v + 1);
        gint64 now = 0;

        if (!kikan_store_begin (self, error))
            return FALSE;
        /* Two programs may open a new store at once (the kiosk and an IT
         * command): under the write lock, the other may have done this
         * step already. */
        if (!query_int (self->db, "PRAGMA user_version", &now, &rc)) {
            kikan_store_set_error (error, self->db, rc, "The store could not be read");
            kikan_store_rollback (self);
            return FALSE;
        }
        if (now > KIKAN_STORE_SCHEMA_VERSION) {
            kikan_store_rollback (self);
            refuse (error, KIKAN_ERROR_STORE_TOO_NEW, self->path,
                    "was just upgraded by a newer Kikan, to a schema this program does not know");
            return FALSE;
        }
        if (now > v) {
            kikan_store_rollback (self);
            v = now - 1;
            continue;
        }
        rc = sqlite3_exec (self->db, *migrations[v], NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec (self->db, set_version, NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            g_autofree char *what = g_strdup_printf (
                "The store could not be upgraded from schema version %" G_GINT64_FORMAT, v);

            kikan_store_set_error (error, self->db, rc, what);
            kikan_store_rollback (self);
            return FALSE;
        }
        if (!kikan_store_commit (self, error))
            return FALSE;
    }
    return TRUE;
}

KikanStore *
kikan_store_open_path (const char *path, GError **error)
{
    g_autoptr (KikanStore) self = NULL;
    gboolean wal = FALSE;
    gint64 version = 0;
    int lock_fd = -1;
    GStatBuf st;
    int rc;

    g_return_val_if_fail (path != NULL, NULL);
    if (g_lstat (path, &st) != 0) {
        int e = errno;
        int fd;

        if (e != ENOENT) {
            g_autofree char *shown = kikan_escape_for_display (path, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                         "The store %s cannot be used: %s. Run kikan as the kiosk user, who "
                         "owns the state directory.",
                         shown, g_strerror (e));
            return NULL;
        }
        /* A new store: an empty file (an empty SQLite database), made here
         * so that it is 0600 from its first byte; SQLite gives the -wal
         * and -shm files the same mode. */
        fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) {
            g_autofree char *shown = kikan_escape_for_display (path, -1);
            e = errno;

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                         "The store %s cannot be created: %s. Check that the state directory "
                         "is writable by the kiosk user.",
                         shown, g_strerror (e));
            return NULL;
        }
        if (fd >= 0)
            close (fd);
    } else if (!S_ISREG (st.st_mode)) {
        refuse (error, KIKAN_ERROR_STORE_NOT_DATABASE, path,
                "is not a regular file (a link, folder or device)");
        return NULL;
    }
    if (!check_header (path, &wal, error) || !precheck (path, &version, error))
        return NULL;
    /* A store that is not yet in WAL mode or not yet current is set up
     * by one program at a time, which looks at it again once it holds
     * the lock: the other may have done it meanwhile. */
    if (!wal || version < KIKAN_STORE_SCHEMA_VERSION) {
        if ((lock_fd = lock_setup (path, error)) < 0)
            return NULL;
        if (!check_header (path, &wal, error) || !precheck (path, &version, error))
            goto out;
    }

    self = g_new0 (KikanStore, 1);
    self->path = g_strdup (path);
    rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        kikan_store_set_error (error, self->db, rc, "The store could not be opened for writing");
        g_clear_pointer (&self, kikan_store_free);
        goto out;
    }
    sqlite3_extended_result_codes (self->db, 1);
    if (!set_pragmas (self, error) || !migrate (self, error)) {
        g_clear_pointer (&self, kikan_store_free);
        goto out;
    }
    self->version = KIKAN_STORE_SCHEMA_VERSION;
out:
    if (lock_fd >= 0)
        close (lock_fd);
    return g_steal_pointer (&self);
}

KikanStore *
kikan_store_open_readonly (KikanHome *home, GError **error)
{
    g_autoptr (KikanStore) self = NULL;
    g_autofree char *path = NULL;
    gboolean wal = FALSE;
    gint64 version = 0;
    GStatBuf st;
    int rc;

    g_return_val_if_fail (home != NULL, NULL);
    path = kikan_store_dup_path_for_home (home);
    if (g_lstat (path, &st) != 0) {
        g_autofree char *shown = kikan_escape_for_display (path, -1);
        int e = errno;

        g_set_error (error, KIKAN_ERROR, e == ENOENT ? KIKAN_ERROR_NOT_FOUND : KIKAN_ERROR_STORE,
                     "The store %s cannot be read: %s.", shown, g_strerror (e));
        return NULL;
    }
    if (!S_ISREG (st.st_mode)) {
        refuse (error, KIKAN_ERROR_STORE_NOT_DATABASE, path,
                "is not a regular file (a link, folder or device)");
        return NULL;
    }
    if (!check_header (path, &wal, error) || !precheck (path, &version, error))
        return NULL;
    self = g_new0 (KikanStore, 1);
    self->path = g_strdup (path);
    self->readonly = TRUE;
    rc = kikan_store_reader_open (&self->reader, path);
    self->db = self->reader.db;
    if (rc != SQLITE_OK) {
        kikan_store_set_error (error, self->db, rc, "The store could not be opened for reading");
        return NULL;
    }
    sqlite3_extended_result_codes (self->db, 1);
    if (!query_int (self->db, "PRAGMA user_version", &version, &rc)) {
        kikan_store_set_error (error, self->db, rc, "The store could not be read");
        return NULL;
    }
    self->version = (int)version;
    return g_steal_pointer (&self);
}

int
kikan_store_get_version (KikanStore *self)
{
    g_return_val_if_fail (self != NULL, -1);
    return self->version;
}

KikanStore *
kikan_store_open (KikanHome *home, GError **error)
{
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;

    g_return_val_if_fail (home != NULL, NULL);
    if ((dir = kikan_home_ensure_dir (home, NULL, error)) == NULL)
        return NULL;
    path = kikan_store_dup_path_for_home (home);
    return kikan_store_open_path (path, error);
}

sqlite3_stmt *
kikan_store_prepare (KikanStore *self, const char *sql, GError **error)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (self->db, sql, -1, &st, NULL);

    if (rc != SQLITE_OK) {
        sqlite3_finalize (st);
        kikan_store_set_error (error, self->db, rc, "Could not prepare a statement of the store");
        return NULL;
    }
    return st;
}

gboolean
kikan_store_step_done (KikanStore *self, sqlite3_stmt *st, const char *what, GError **error)
{
    int rc = sqlite3_step (st);

    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_set_error (error, self->db, rc, what);
    return TRUE;
}

void
kikan_store_bind_text (sqlite3_stmt *st, int i, const char *v)
{
    if (v == NULL)
        sqlite3_bind_null (st, i);
    else
        sqlite3_bind_text (st, i, v, -1, SQLITE_TRANSIENT);
}

char *
kikan_store_column_dup (sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text (st, i);

    return t != NULL ? g_strndup ((const char *)t, (gsize)sqlite3_column_bytes (st, i)) : NULL;
}

gboolean
kikan_store_fail (KikanStore *self, const char *what, GError **error)
{
    return kikan_store_set_error (error, self->db, sqlite3_extended_errcode (self->db), what);
}
