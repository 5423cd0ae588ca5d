/* Kikan kiosk: `kikan db check`: SQLite's own checks and the project's
 * invariants (docs/store.md "What kikan db check looks at").
 *
 * Everything read back from the store may hold what a CSV, a person or a
 * medium put there: each value in a problem line is escaped. */
#include "store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "error-private.h"
#include "escape-private.h"

#define VERDICTS "('cleared','conditional','hold','quarantine','not_returned')"

/* Column @i of @st, escaped for display ("NULL" for NULL). */
static char *
col (sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text (st, i);

    if (t == NULL)
        return g_strdup ("NULL");
    return kikan_escape_for_display ((const char *)t, sqlite3_column_bytes (st, i));
}

/* One invariant: @sql returns the rows that break it; @fmt prints one row
 * with "%s" for each of its columns (escaped), as many as @sql selects. */
typedef struct {
    const char *sql;
    const char *fmt;
} Invariant;

static const Invariant invariants[] = {
    { "SELECT asset_id, count(*) FROM loans WHERE returned_on IS NULL "
      "GROUP BY asset_id HAVING count(*) > 1 ORDER BY asset_id",
      "asset %s has %s open loans; at most one is allowed" },
    { "SELECT id, asset_id, lent_on FROM loans WHERE lent_on IS NULL OR date(lent_on) IS NOT "
      "lent_on "
      "ORDER BY id",
      "loan %s (asset %s): lent_on %s is not a date YYYY-MM-DD" },
    { "SELECT id, asset_id, returned_on FROM loans WHERE returned_on IS NOT NULL "
      "AND date(returned_on) IS NOT returned_on ORDER BY id",
      "loan %s (asset %s): returned_on %s is not a date YYYY-MM-DD" },
    { "SELECT id, asset_id, returned_on, lent_on FROM loans WHERE returned_on IS NOT NULL "
      "AND returned_on < lent_on ORDER BY id",
      "loan %s (asset %s) was returned on %s, before it was lent on %s" },
    { "SELECT s.id FROM sessions s WHERE s.state = 'ended' AND NOT EXISTS "
      "(SELECT 1 FROM verdicts v WHERE v.session_id = s.id AND v.item_id IS NULL) ORDER BY s.id",
      "session %s has ended but has no overall verdict" },
    { "SELECT i.session_id, i.id, i.asset_id FROM items i JOIN sessions s ON s.id = i.session_id "
      "WHERE s.state = 'ended' AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = i.id) "
      "ORDER BY i.id",
      "session %s has ended but its item %s (asset %s) has no verdict" },
    { "SELECT v.id, v.item_id, v.session_id, i.session_id FROM verdicts v "
      "JOIN items i ON i.id = v.item_id WHERE i.session_id <> v.session_id ORDER BY v.id",
      "verdict %s is for item %s of session %s, but that item belongs to session %s" },
    { "SELECT id, verdict FROM verdicts WHERE verdict IS NULL OR verdict NOT IN " VERDICTS
      " ORDER BY id",
      "verdict %s has the value %s, which is not a verdict" },
    { "SELECT id, from_verdict, to_verdict FROM it_actions WHERE from_verdict IS NULL "
      "OR to_verdict IS NULL OR from_verdict NOT IN " VERDICTS " OR to_verdict NOT IN " VERDICTS
      " ORDER BY id",
      "IT action %s changes %s to %s: not verdicts" },
    { "SELECT id, kind FROM it_actions WHERE kind IS NULL OR kind NOT IN ('resolve','override') "
      "ORDER BY id",
      "IT action %s has the kind %s (resolve or override expected)" },
    { "SELECT id FROM it_actions WHERE reason IS NULL OR length(trim(reason)) = 0 "
      "ORDER BY id",
      "IT action %s has no written reason (PROC-02, KR-30)" },
    { "SELECT id FROM it_actions WHERE by_user IS NULL OR length(trim(by_user)) = 0 "
      "ORDER BY id",
      "IT action %s does not say which IT user took it (KR-30)" },
    { "SELECT i.id, i.session_id, l.id, l.employee_id, s.employee_id FROM items i "
      "JOIN sessions s ON s.id = i.session_id JOIN loans l ON l.id = i.loan_id "
      "WHERE l.employee_id IS NOT s.employee_id ORDER BY i.id",
      "item %s of session %s is loan %s of employee %s, but the session is employee %s's" },
    { "SELECT i.id, i.asset_id, l.id, l.asset_id FROM items i JOIN loans l ON l.id = i.loan_id "
      "WHERE i.asset_id IS NOT l.asset_id ORDER BY i.id",
      "item %s is asset %s, but its loan %s is for asset %s" },
    /* Verdicts (KR-30).  An item's row says its verdict twice: the column
     * and the reasons it was decided with; they must agree. */
    { "SELECT id, item_id, verdict, json_extract(reasons, '$.verdict') FROM verdicts "
      "WHERE item_id IS NOT NULL AND (json_valid(reasons) = 0 OR "
      "verdict IS NOT json_extract(reasons, '$.verdict')) ORDER BY id",
      "verdict %s of item %s says %s, but the reasons it was decided with say %s" },
    /* Only the kiosk decides without an IT action; every other row names
     * the action (who, why) that made it, for the same item. */
    { "SELECT id, decided_by FROM verdicts WHERE decided_by <> 'kiosk' AND (it_action_id IS NULL "
      "OR NOT EXISTS (SELECT 1 FROM it_actions a WHERE a.id = it_action_id AND "
      "a.session_id = verdicts.session_id AND a.by_user = verdicts.decided_by AND "
      "(verdicts.item_id IS NULL OR (a.item_id IS verdicts.item_id AND "
      "a.to_verdict = verdicts.verdict)))) ORDER BY id",
      "verdict %s was decided by %s, but no IT action of that user, item and verdict explains it" },
    { "SELECT id FROM verdicts WHERE decided_by = 'kiosk' AND it_action_id IS NOT NULL ORDER BY id",
      "verdict %s is the kiosk's but names an IT action" },
    /* The overall in force is the worst of the verdicts in force. */
    { "WITH rank(v, r) AS (VALUES ('cleared', 0), ('conditional', 1), ('hold', 2), "
      "('not_returned', 3), ('quarantine', 4)), "
      "latest AS (SELECT v.* FROM verdicts v WHERE v.id = (SELECT max(w.id) FROM verdicts w "
      "WHERE w.session_id = v.session_id AND w.item_id IS v.item_id)), "
      "parts AS (SELECT session_id, (SELECT r FROM rank WHERE v = verdict) AS r FROM latest "
      "WHERE item_id IS NOT NULL UNION ALL SELECT session_id, (SELECT r FROM rank WHERE v = "
      "json_extract(reasons, '$.verdict')) FROM latest WHERE item_id IS NULL), "
      "worst AS (SELECT session_id, max(r) AS r FROM parts GROUP BY session_id) "
      "SELECT l.session_id, l.verdict, (SELECT v FROM rank WHERE r = w.r) FROM latest l "
      "JOIN worst w ON w.session_id = l.session_id WHERE l.item_id IS NULL AND "
      "(SELECT r FROM rank WHERE v = l.verdict) IS NOT w.r ORDER BY l.session_id",
      "session %s has the overall verdict %s, but the verdicts in force make it %s" },
};

static void
add_problem (GPtrArray *problems, sqlite3_stmt *st, const char *fmt)
{
    /* The format has exactly as many %s as the query has columns (at
     * most 5); filling unused slots with "" keeps the call simple. */
    char *v[5] = { 0 };
    int n = sqlite3_column_count (st);

    g_assert (n <= 5);
    for (int i = 0; i < 5; i++)
        v[i] = i < n ? col (st, i) : g_strdup ("");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    g_ptr_array_add (problems, g_strdup_printf (fmt, v[0], v[1], v[2], v[3], v[4]));
#pragma GCC diagnostic pop
    for (int i = 0; i < 5; i++)
        g_free (v[i]);
}

/* Runs @sql and adds a problem per row; FALSE with @rc when the query
 * failed. */
static gboolean
run_rows (sqlite3 *db, const char *sql, const char *fmt, GPtrArray *problems, int *rc)
{
    sqlite3_stmt *st = NULL;

    *rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);
    if (*rc != SQLITE_OK)
        return FALSE;
    while ((*rc = sqlite3_step (st)) == SQLITE_ROW)
        add_problem (problems, st, fmt);
    sqlite3_finalize (st);
    if (*rc != SQLITE_DONE)
        return FALSE;
    *rc = SQLITE_OK;
    return TRUE;
}

static gboolean
is_damage (int rc)
{
    return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* The checks on an open connection.  A query that fails because the file
 * is damaged is a problem found; any other failure is an error. */
static gboolean check_db_snapshot (sqlite3 *db, GPtrArray *problems, int *version_out,
                                   GError **error);

/* The checks see one snapshot of the store (one read transaction), so
 * that a program writing meanwhile cannot make them see half a change. */
static gboolean
check_db (sqlite3 *db, GPtrArray *problems, int *version_out, GError **error)
{
    gboolean began
        = sqlite3_get_autocommit (db) && sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    gboolean ok = check_db_snapshot (db, problems, version_out, error);

    if (began)
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
    return ok;
}

static gboolean
check_db_snapshot (sqlite3 *db, GPtrArray *problems, int *version_out, GError **error)
{
    sqlite3_stmt *st = NULL;
    gint64 version = -1;
    gboolean have_version = FALSE;
    int rc;

    *version_out = -1;
    rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW) {
        version = sqlite3_column_int64 (st, 0);
        have_version = TRUE;
    }
    sqlite3_finalize (st);
    if (have_version && version < 0) {
        /* The open refuses it (KIKAN_ERROR_STORE_NOT_KIKAN); the check says
         * why, rather than failing with "not an error". */
        g_ptr_array_add (problems, g_strdup_printf ("schema version %" G_GINT64_FORMAT
                                                    " is negative: the file is not a Kikan store",
                                                    version));
        return TRUE;
    }
    if (!have_version) {
        if ((rc & 0xff) == SQLITE_NOTADB) {
            g_ptr_array_add (problems, g_strdup ("the file is not a SQLite database"));
            return TRUE;
        }
        if (is_damage (rc)) {
            g_ptr_array_add (problems,
                             g_strdup_printf ("the file is damaged: %s", sqlite3_errstr (rc)));
            return TRUE;
        }
        return kikan_store_set_error (error, db, rc, "The store could not be read");
    }
    *version_out = (int)version;

    /* SQLite's own checks, row by row (integrity_check lists up to 100). */
    rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text (st, 0);

            if (t != NULL && strcmp (t, "ok") == 0)
                continue;
            g_autofree char *msg = col (st, 0);

            g_ptr_array_add (problems, g_strdup_printf ("integrity_check: %s", msg));
        }
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        if (!is_damage (rc))
            return kikan_store_set_error (error, db, rc, "The store could not be checked");
        g_ptr_array_add (problems,
                         g_strdup_printf ("the file is damaged: %s", sqlite3_errmsg (db)));
        return TRUE;
    }
    if (!run_rows (db,
                   "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check "
                   "ORDER BY 1, 2",
                   "foreign_key_check: %s row %s refers to a %s row that does not exist", problems,
                   &rc)) {
        if (!is_damage (rc))
            return kikan_store_set_error (error, db, rc, "The store could not be checked");
        g_ptr_array_add (problems,
                         g_strdup_printf ("the file is damaged: %s", sqlite3_errmsg (db)));
        return TRUE;
    }

    if (version > KIKAN_STORE_SCHEMA_VERSION) {
        g_ptr_array_add (
            problems,
            g_strdup_printf (
                "schema version %" G_GINT64_FORMAT
                " is newer than this program knows (%d): it was "
                "written by a newer Kikan; use that version, or restore a backup made by this one",
                version, KIKAN_STORE_SCHEMA_VERSION));
        return TRUE;
    }
    if (version == 0) {
        gint64 tables = 0;

        rc = sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
        if (rc == SQLITE_OK && sqlite3_step (st) == SQLITE_ROW)
            tables = sqlite3_column_int64 (st, 0);
        sqlite3_finalize (st);
        if (tables > 0)
            g_ptr_array_add (
                problems,
                g_strdup ("the file is a SQLite database of another program (tables, but no Kikan "
                          "schema version)"));
        /* An empty store: nothing else to look at. */
        return TRUE;
    }
    for (gsize i = 0; i < G_N_ELEMENTS (invariants); i++) {
        if (!run_rows (db, invariants[i].sql, invariants[i].fmt, problems, &rc)) {
            if (!is_damage (rc))
                return kikan_store_set_error (error, db, rc, "The store could not be checked");
            g_ptr_array_add (problems,
                             g_strdup_printf ("the file is damaged: %s", sqlite3_errmsg (db)));
            return TRUE;
        }
    }
    return TRUE;
}

gboolean
kikan_store_check (KikanStore *self, GPtrArray **problems, GError **error)
{
    g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
    int version;

    g_return_val_if_fail (self != NULL && problems != NULL, FALSE);
    if (!check_db (kikan_store_get_db (self), found, &version, error))
        return FALSE;
    *problems = g_steal_pointer (&found);
    return TRUE;
}

gboolean
kikan_store_check_file (const char *path, GPtrArray **problems, int *version, GError **error)
{
    static const char magic[16] = "SQLite format 3";
    g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *shown = NULL;
    KikanStoreReader reader = { 0 };
    GStatBuf st;
    char head[100];
    ssize_t n;
    int fd, rc, v = -1;
    gboolean ok;

    g_return_val_if_fail (path != NULL && problems != NULL, FALSE);
    shown = kikan_escape_for_display (path, -1);
    if (version != NULL)
        *version = -1;
    if (g_lstat (path, &st) != 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, e == ENOENT ? KIKAN_ERROR_NOT_FOUND : KIKAN_ERROR_STORE,
                     e == ENOENT ? "There is no store at %s: nothing to check (%s). The kiosk "
                                   "creates it on first use; check KIKAN_HOME."
                                 : "The store %s cannot be checked: %s. Run kikan as the kiosk "
                                   "user, who owns the state directory.",
                     shown, g_strerror (e));
        return FALSE;
    }
    if (!S_ISREG (st.st_mode)) {
        g_ptr_array_add (found, g_strdup ("the store is not a regular file (a link, folder or "
                                          "device)"));
        *problems = g_steal_pointer (&found);
        return TRUE;
    }
    if ((fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0)) < 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                     "The store %s cannot be read: %s. Run kikan as the kiosk user, who owns "
                     "the state directory.",
                     shown, g_strerror (e));
        return FALSE;
    }
    n = read (fd, head, sizeof head);
    close (fd);
    if (n == 0) {
        /* An empty file is an empty database: the next open migrates it. */
        if (version != NULL)
            *version = 0;
        *problems = g_steal_pointer (&found);
        return TRUE;
    }
    if (n < (ssize_t)sizeof head || memcmp (head, magic, sizeof magic) != 0) {
        g_ptr_array_add (found, g_strdup ("the file is not a SQLite database (its first bytes "
                                          "are not \"SQLite format 3\")"));
        *problems = g_steal_pointer (&found);
        return TRUE;
    }

    /* Read-only: checking never changes the file, not even a checkpoint. */
    rc = kikan_store_reader_open (&reader, path);
    if (rc != SQLITE_OK) {
        kikan_store_set_error (error, reader.db, rc, "The store could not be opened for checking");
        kikan_store_reader_close (&reader);
        return FALSE;
    }
    ok = check_db (reader.db, found, &v, error);
    kikan_store_reader_close (&reader);
    if (!ok)
        return FALSE;
    if (version != NULL)
        *version = v;
    *problems = g_steal_pointer (&found);
    return TRUE;
}
