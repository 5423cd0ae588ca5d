/* kiosk/store/: the PRAGMAs take effect, a store that must not be used is
 * refused and left byte for byte as it was, migrations run from an empty
 * file (and a failed one changes nothing), `kikan db check` finds each
 * broken invariant, and each SQLite failure class and commit hook behaves
 * as store-private.h says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error-private.h"
#include "home-private.h"
#include "schema-private.h"
#include "store-private.h"

#include "test-kiosk-home.h"

static char *
store_path (void)
{
    g_autoptr (KikanHome) home = kikan_home_new ();

    return kikan_store_dup_path_for_home (home);
}

static KikanStore *
open_store (GError **error)
{
    g_autoptr (KikanHome) home = kikan_home_new ();

    return kikan_store_open (home, error);
}

static char *
file_sha256 (const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    assert_true (g_file_get_contents (path, &data, &len, NULL));
    return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)data, len);
}

static gint64
query_int (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    gint64 v;

    assert_int_equal (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal (sqlite3_step (st), SQLITE_ROW);
    v = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    return v;
}

static char *
query_text (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *v;

    assert_int_equal (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal (sqlite3_step (st), SQLITE_ROW);
    v = g_strdup ((const char *)sqlite3_column_text (st, 0));
    sqlite3_finalize (st);
    return v;
}

/* Raw SQL on the file, outside the store's API: how a test breaks it. */
static void
raw_sql (const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;

    assert_int_equal (sqlite3_open (path, &db), SQLITE_OK);
    if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg ("raw SQL failed: %s\n%s", msg, sql);
    sqlite3_close (db);
}

/* A store with some rows, closed (so the file holds everything). */
static char *
make_store_with_rows (int employees)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = open_store (&error);
    sqlite3_stmt *st = NULL;

    assert_non_null (store);
    assert_true (kikan_store_begin (store, &error));
    assert_int_equal (sqlite3_prepare_v2 (kikan_store_get_db (store),
                                          "INSERT INTO employees (id, name, updated_at) "
                                          "VALUES (?, ?, '2026-12-01T00:00:00Z')",
                                          -1, &st, NULL),
                      SQLITE_OK);
    for (int i = 0; i < employees; i++) {
        g_autofree char *id = g_strdup_printf ("E%05d", i);
        g_autofree char *name
            = g_strdup_printf ("社員 %d with a name long enough to fill pages", i);

        sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (st, 2, name, -1, SQLITE_TRANSIENT);
        assert_int_equal (sqlite3_step (st), SQLITE_DONE);
        sqlite3_reset (st);
    }
    sqlite3_finalize (st);
    assert_true (kikan_store_commit (store, &error));
    return g_strdup (kikan_store_get_path (store));
}

/* Nothing but the store file holds data: a -wal beside it, if a look at
 * the store left one, is empty. */
static void
assert_wal_empty (const char *path)
{
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    GStatBuf st;

    if (g_stat (wal, &st) == 0)
        assert_int_equal (st.st_size, 0);
}

/* Opening @path must fail with @code, say what to do, and change no byte
 * of the file. */
static void
assert_refused (const char *path, KikanErrorCode code, const char *must_mention)
{
    g_autofree char *before = file_sha256 (path);
    g_autofree char *after = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;

    for (int attempt = 0; attempt < 2; attempt++) {
        store = open_store (&error);
        assert_null (store);
        assert_non_null (error);
        if (!g_error_matches (error, KIKAN_ERROR, code))
            fail_msg ("expected code %d, got %d: %s", code, error->code, error->message);
        if (strstr (error->message, must_mention) == NULL)
            fail_msg ("“%s” does not mention “%s”", error->message, must_mention);
        assert_non_null (strstr (error->message, "kikan db check"));
        assert_non_null (strstr (error->message, "the file was not changed"));
        assert_non_null (strstr (error->message, "backup"));
        g_clear_error (&error);
    }
    after = file_sha256 (path);
    assert_string_equal (before, after);
    assert_wal_empty (path);
}

static void
test_pragmas_in_effect (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = open_store (&error);
    g_autofree char *mode = NULL;
    sqlite3 *db;
    GStatBuf st;

    assert_non_null (store);
    assert_null (error);
    db = kikan_store_get_db (store);
    mode = query_text (db, "PRAGMA journal_mode");
    assert_string_equal (mode, "wal");
    assert_int_equal (query_int (db, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal (query_int (db, "PRAGMA foreign_keys"), 1);
    assert_int_equal (query_int (db, "PRAGMA busy_timeout"), KIKAN_STORE_BUSY_TIMEOUT_MS);
    assert_int_equal (query_int (db, "PRAGMA user_version"), KIKAN_STORE_SCHEMA_VERSION);
    /* Foreign keys really bite: a loan of an unknown asset is refused. */
    assert_int_not_equal (sqlite3_exec (db,
                                        "INSERT INTO loans (asset_id, employee_id, lent_on) "
                                        "VALUES ('nope', 'nobody', '2026-01-01')",
                                        NULL, NULL, NULL),
                          SQLITE_OK);
    /* The store holds personal data: only the kiosk user reads it. */
    assert_int_equal (g_stat (kikan_store_get_path (store), &st), 0);
    assert_int_equal (st.st_mode & 0777, 0600);
    assert_true (g_str_has_suffix (kikan_store_get_path (store), "/kikan.db"));
}

static void
test_reopen_keeps_data (void **state)
{
    g_autofree char *path = make_store_with_rows (3);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = open_store (&error);

    assert_non_null (store);
    assert_string_equal (kikan_store_get_path (store), path);
    assert_int_equal (query_int (kikan_store_get_db (store), "SELECT count(*) FROM employees"), 3);
}

static void
test_migration_from_empty_file (void **state)
{
    g_autofree char *path = store_path ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    sqlite3 *db;

    assert_true (g_file_set_contents (path, "", 0, NULL));
    store = open_store (&error);
    assert_non_null (store);
    db = kikan_store_get_db (store);
    assert_int_equal (query_int (db, "PRAGMA user_version"), KIKAN_STORE_SCHEMA_VERSION);
    /* Every table of schema v1 is there. */
    assert_int_equal (query_int (db,
                                 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                 "AND name IN ('employees','assets','loans','media','sessions',"
                                 "'declarations','items','inspections','findings','incidents',"
                                 "'verdicts','it_actions','ledger_changes')"),
                      13);
}

/* A store made by the first release (schema v1, with data) is migrated
 * forward on open, its data kept: step 1 → 2 adds the audit chain. */
static void
test_migration_from_v1_keeps_data (void **state)
{
    g_autofree char *path = store_path ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    sqlite3 *raw = NULL;
    sqlite3 *db;

    assert_int_equal (sqlite3_open (path, &raw), SQLITE_OK);
    assert_int_equal (sqlite3_exec (raw, kikan_store_schema_v1, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal (sqlite3_exec (raw,
                                    "INSERT INTO employees (id, name, updated_at) VALUES "
                                    "('E1', 'Aoki', 'x'); PRAGMA user_version = 1;",
                                    NULL, NULL, NULL),
                      SQLITE_OK);
    sqlite3_close (raw);
    store = open_store (&error);
    g_assert_no_error (error);
    db = kikan_store_get_db (store);
    assert_int_equal (query_int (db, "PRAGMA user_version"), 5);
    /* Accounts made before step 5 are IT accounts. */
    assert_int_equal (query_int (db, "SELECT count(*) FROM pragma_table_info('it_accounts') "
                                     "WHERE name = 'role'"),
                      1);
    assert_int_equal (query_int (db, "SELECT count(*) FROM employees WHERE id = 'E1'"), 1);
    assert_int_equal (query_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                     "'audit_records'"),
                      1);
}

/* The kiosk and an IT command may both open a store that does not exist
 * yet: both must get it, migrated once. */
static void
test_concurrent_first_open (void **state)
{
    g_autofree char *path = store_path ();

    /* The race is a matter of timing: a few rounds, each on a new file. */
    for (int round = 0; round < 3; round++) {
        g_autoptr (GError) error = NULL;
        g_autoptr (KikanStore) store = NULL;
        pid_t pids[6];

        for (gsize i = 0; i < G_N_ELEMENTS (pids); i++) {
            pids[i] = fork ();
            assert_true (pids[i] >= 0);
            if (pids[i] == 0) {
                GError *e = NULL;
                KikanStore *s = open_store (&e);

                if (s == NULL)
                    fprintf (stderr, "child: %s\n", e->message);
                _exit (s != NULL ? 0 : 1);
            }
        }
        for (gsize i = 0; i < G_N_ELEMENTS (pids); i++) {
            int status = 0;

            assert_int_equal (waitpid (pids[i], &status, 0), pids[i]);
            assert_true (WIFEXITED (status));
            assert_int_equal (WEXITSTATUS (status), 0);
        }
        store = open_store (&error);
        assert_non_null (store);
        assert_int_equal (query_int (kikan_store_get_db (store), "PRAGMA user_version"),
                          KIKAN_STORE_SCHEMA_VERSION);
        g_clear_pointer (&store, kikan_store_free);
        for (const char *const *sfx = (const char *const[]){ "", "-wal", "-shm", NULL }; *sfx;
             sfx++) {
            g_autofree char *p = g_strconcat (path, *sfx, NULL);

            g_unlink (p);
        }
    }
}

static void
test_newer_version_refused (void **state)
{
    g_autofree char *path = make_store_with_rows (5);
    g_autoptr (GPtrArray) problems = NULL;
    g_autoptr (GError) error = NULL;
    int version = 0;

    raw_sql (path, "PRAGMA user_version = 7");
    assert_refused (path, KIKAN_ERROR_STORE_TOO_NEW, "schema version 7");
    /* db check explains it, read-only. */
    assert_true (kikan_store_check_file (path, &problems, &version, &error));
    assert_int_equal (version, 7);
    assert_int_equal (problems->len, 1);
    assert_non_null (strstr (g_ptr_array_index (problems, 0), "newer than this program"));
}

static void
test_corrupt_page_refused (void **state)
{
    g_autofree char *path = make_store_with_rows (400);
    g_autoptr (GPtrArray) problems = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    gint64 page;
    sqlite3 *db = NULL;

    /* The page size and the employees table's root page, read raw. */
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    page = query_int (db, "PRAGMA page_size");
    {
        gint64 root
            = query_int (db, "SELECT rootpage FROM sqlite_schema WHERE name = 'employees'");
        gint64 pages = query_int (db, "PRAGMA page_count");

        sqlite3_close (db);
        assert_true (pages > root + 2);
        /* Overwrite the middle of a page of the employees b-tree (its
         * root, an interior page with 400 rows), as a failing disk would. */
        assert_true (g_file_get_contents (path, &data, &len, NULL));
        assert_true ((gsize)(root * page) <= len);
        memset (data + (root - 1) * page + 16, 0xa5, (gsize)page / 2);
    }
    assert_true (g_file_set_contents (path, data, (gssize)len, NULL));
    assert_refused (path, KIKAN_ERROR_STORE_CORRUPT, "damaged");
    assert_true (kikan_store_check_file (path, &problems, NULL, &error));
    assert_true (problems->len >= 1);
}

static void
test_not_a_database_refused (void **state)
{
    g_autofree char *path = store_path ();
    g_autoptr (GPtrArray) problems = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (GString) text = g_string_new (NULL);

    for (int i = 0; i < 100; i++)
        g_string_append (text, "employee_id,employee_name\r\nE1001,山田\r\n");
    assert_true (g_file_set_contents (path, text->str, (gssize)text->len, NULL));
    assert_refused (path, KIKAN_ERROR_STORE_NOT_DATABASE, "not a SQLite database");
    assert_true (kikan_store_check_file (path, &problems, NULL, &error));
    assert_int_equal (problems->len, 1);
    assert_non_null (strstr (g_ptr_array_index (problems, 0), "not a SQLite database"));

    /* A short file too (fewer bytes than a SQLite header). */
    assert_true (g_file_set_contents (path, "SQLite", -1, NULL));
    assert_refused (path, KIKAN_ERROR_STORE_NOT_DATABASE, "not a SQLite database");
}

/* A link in place of the store is refused (O_NOFOLLOW): the kiosk never
 * writes through it to a file somewhere else. */
static void
test_symlink_refused (void **state)
{
    g_autofree char *path = store_path ();
    g_autofree char *real = g_strconcat (path, ".real", NULL);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;

    raw_sql (real, "CREATE TABLE t (x); PRAGMA user_version = 1");
    before = file_sha256 (real);
    assert_int_equal (symlink (real, path), 0);
    store = open_store (&error);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE_NOT_DATABASE));
    assert_non_null (strstr (error->message, "not a regular file"));
    after = file_sha256 (real);
    assert_string_equal (before, after);
}

static void
test_other_programs_database_refused (void **state)
{
    g_autofree char *path = store_path ();

    raw_sql (path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); "
                   "INSERT INTO photos (name) VALUES ('cat.jpg')");
    assert_refused (path, KIKAN_ERROR_STORE_NOT_KIKAN, "another program");
}

static void
test_foreign_key_rows_refused (void **state)
{
    g_autofree char *path = make_store_with_rows (1);
    g_autoptr (GPtrArray) problems = NULL;
    g_autoptr (GError) error = NULL;

    raw_sql (path, "PRAGMA foreign_keys = OFF; INSERT INTO loans (asset_id, employee_id, lent_on) "
                   "VALUES ('GHOST-1', 'E00000', '2026-01-01')");
    assert_refused (path, KIKAN_ERROR_STORE_FOREIGN_KEYS, "foreign_key_check");
    assert_true (kikan_store_check_file (path, &problems, NULL, &error));
    assert_int_equal (problems->len, 1);
    assert_non_null (strstr (g_ptr_array_index (problems, 0), "loans row"));
    assert_non_null (strstr (g_ptr_array_index (problems, 0), "assets"));
}

static void
test_check_file_missing (void **state)
{
    g_autofree char *path = store_path ();
    g_autoptr (GPtrArray) problems = NULL;
    g_autoptr (GError) error = NULL;

    assert_false (kikan_store_check_file (path, &problems, NULL, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND));
    /* Checking created nothing. */
    assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_readonly_open_changes_nothing (void **state)
{
    g_autofree char *path = make_store_with_rows (3);
    g_autofree char *before = file_sha256 (path);
    g_autofree char *after = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = kikan_store_open_readonly (home, &error);

    assert_non_null (store);
    assert_int_equal (kikan_store_get_version (store), KIKAN_STORE_SCHEMA_VERSION);
    assert_int_equal (query_int (kikan_store_get_db (store), "SELECT count(*) FROM employees"), 3);
    /* It cannot write. */
    assert_false (kikan_store_exec (store, "DELETE FROM employees", &error));
    g_clear_error (&error);
    g_clear_pointer (&store, kikan_store_free);
    after = file_sha256 (path);
    assert_string_equal (before, after);
    assert_wal_empty (path);

    /* No store: not found, and none is made. */
    for (const char *const *sfx = (const char *const[]){ "", "-wal", "-shm", NULL }; *sfx; sfx++) {
        g_autofree char *p = g_strconcat (path, *sfx, NULL);

        g_unlink (p);
    }
    store = kikan_store_open_readonly (home, &error);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND));
    assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    g_clear_error (&error);

    /* The same refusals as a writing open. */
    raw_sql (path, "PRAGMA user_version = 6");
    store = kikan_store_open_readonly (home, &error);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE_TOO_NEW));
}

static void
test_transactions (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = open_store (&error);
    sqlite3 *db;

    assert_non_null (store);
    db = kikan_store_get_db (store);
    assert_true (kikan_store_begin (store, &error));
    assert_true (kikan_store_exec (store,
                                   "INSERT INTO employees (id, name, updated_at) VALUES "
                                   "('E1', 'a', 'x')",
                                   &error));
    kikan_store_rollback (store);
    assert_int_equal (query_int (db, "SELECT count(*) FROM employees"), 0);
    /* Rollback with no transaction open is harmless. */
    kikan_store_rollback (store);
    assert_true (kikan_store_begin (store, &error));
    assert_true (kikan_store_exec (store,
                                   "INSERT INTO employees (id, name, updated_at) VALUES "
                                   "('E1', 'a', 'x')",
                                   &error));
    assert_true (kikan_store_commit (store, &error));
    assert_int_equal (query_int (db, "SELECT count(*) FROM employees"), 1);
    /* A failing statement gives a KIKAN_ERROR_STORE with SQLite's words. */
    assert_false (kikan_store_exec (store,
                                    "INSERT INTO employees (id, name, updated_at) VALUES "
                                    "('E1', 'b', 'x')",
                                    &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE));
    assert_non_null (strstr (error->message, "UNIQUE"));
}

static void
test_now_iso_fake_clock (void **state)
{
    g_autofree char *now = NULL;
    g_autofree char *today = NULL;
    g_autofree char *real = NULL;

    g_setenv ("KIKAN_FAKE_NOW", "1796299200", TRUE); /* 2026-12-03T12:00:00Z */
    now = kikan_store_now_iso ();
    today = kikan_store_today ();
    assert_string_equal (now, "2026-12-03T12:00:00Z");
    assert_string_equal (today, "2026-12-03");
    /* A value that is not a number is ignored: the real clock is used. */
    g_setenv ("KIKAN_FAKE_NOW", "yesterday", TRUE);
    real = kikan_store_now_iso ();
    assert_int_equal (strlen (real), 20);
    assert_true (g_str_has_suffix (real, "Z"));
    assert_string_not_equal (real, "2026-12-03T12:00:00Z");
    g_unsetenv ("KIKAN_FAKE_NOW");
}

/* ------------------------------------------------------------ invariants */

static const char *const base_rows
    = "INSERT INTO employees (id, name, updated_at) VALUES ('E1', 'A', 't'), ('E2', 'B', 't');"
      "INSERT INTO assets (id, type, updated_at) VALUES ('LT-1', 'laptop', 't'), "
      "('USB-1', 'usb', 't');"
      "INSERT INTO loans (id, asset_id, employee_id, lent_on) VALUES "
      "(1, 'LT-1', 'E1', '2026-10-01'), (2, 'USB-1', 'E2', '2026-10-01');"
      "INSERT INTO sessions (id, uuid, employee_id, kiosk_id, started_at, state, program_version) "
      "VALUES (1, 'u1', 'E1', 'k', '2026-12-01T10:00:00Z', 'ended', '0'),"
      "(2, 'u2', 'E1', 'k', '2026-12-01T11:00:00Z', 'open', '0');"
      "INSERT INTO items (id, session_id, asset_id, loan_id, presence, presented_at) VALUES "
      "(1, 1, 'LT-1', 1, 'present', 't');"
      "INSERT INTO verdicts (session_id, item_id, verdict, reasons, decided_at, decided_by) "
      "VALUES "
      "(1, 1, 'cleared', '{\"verdict\":\"cleared\",\"reasons\":[]}', 't', 'kiosk'), "
      "(1, NULL, 'cleared', '{\"verdict\":\"cleared\",\"reasons\":[]}', 't', 'kiosk');";

static GPtrArray *
check_after (const char *breakage)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = open_store (&error);
    GPtrArray *problems = NULL;

    assert_non_null (store);
    assert_true (kikan_store_exec (store, base_rows, &error));
    if (breakage != NULL) {
        char *msg = NULL;

        if (sqlite3_exec (kikan_store_get_db (store), breakage, NULL, NULL, &msg) != SQLITE_OK)
            fail_msg ("breaking SQL failed: %s", msg);
    }
    assert_true (kikan_store_check (store, &problems, &error));
    return problems;
}

static void
assert_one_problem (const char *breakage, const char *must_mention)
{
    g_autoptr (GPtrArray) problems = check_after (breakage);

    if (problems->len != 1)
        fail_msg ("expected exactly one problem mentioning “%s”, got %u (first: %s)", must_mention,
                  problems->len,
                  problems->len > 0 ? (char *)g_ptr_array_index (problems, 0) : "none");
    if (strstr (g_ptr_array_index (problems, 0), must_mention) == NULL)
        fail_msg ("“%s” does not mention “%s”", (char *)g_ptr_array_index (problems, 0),
                  must_mention);
}

static void
test_check_intact (void **state)
{
    g_autoptr (GPtrArray) problems = check_after (NULL);

    assert_int_equal (problems->len, 0);
}

static void
test_check_two_open_loans (void **state)
{
    assert_one_problem ("DROP INDEX loans_open_asset;"
                        "INSERT INTO loans (asset_id, employee_id, lent_on) VALUES "
                        "('LT-1', 'E2', '2026-11-01')",
                        "asset LT-1 has 2 open loans");
}

static void
test_check_ended_session_without_verdict (void **state)
{
    assert_one_problem ("DELETE FROM verdicts WHERE item_id IS NULL",
                        "session 1 has ended but has no overall verdict");
}

static void
test_check_item_without_verdict (void **state)
{
    assert_one_problem ("INSERT INTO items (id, session_id, asset_id, presence, presented_at) "
                        "VALUES (2, 1, 'USB-1', 'undeclared', 't')",
                        "item 2 (asset USB-1) has no verdict");
}

static void
test_check_bad_verdict_value (void **state)
{
    assert_one_problem ("PRAGMA ignore_check_constraints = ON;"
                        "UPDATE verdicts SET verdict = 'fine', reasons = "
                        "json_object('verdict', 'fine') WHERE item_id = 1",
                        "has the value fine, which is not a verdict");
}

/* The overall in force must be the worst of the verdicts in force. */
static void
test_check_overall_not_the_worst (void **state)
{
    assert_one_problem ("UPDATE verdicts SET verdict = 'hold' WHERE item_id IS NULL",
                        "session 1 has the overall verdict hold, but the verdicts in force make "
                        "it cleared");
}

/* A row that is not the kiosk's names the IT action behind it. */
static void
test_check_row_without_it_action (void **state)
{
    assert_one_problem ("UPDATE verdicts SET decided_by = 'it01' WHERE item_id = 1",
                        "no IT action of that user, item and verdict explains it");
}

static void
test_check_it_action_without_reason (void **state)
{
    assert_one_problem ("PRAGMA ignore_check_constraints = ON;"
                        "INSERT INTO it_actions (session_id, item_id, kind, by_user, reason, "
                        "from_verdict, to_verdict, at) VALUES (1, 1, 'override', 'it01', '   ', "
                        "'hold', 'cleared', 't')",
                        "no written reason");
}

static void
test_check_it_action_without_user (void **state)
{
    assert_one_problem ("PRAGMA ignore_check_constraints = ON;"
                        "INSERT INTO it_actions (session_id, item_id, kind, by_user, reason, "
                        "from_verdict, to_verdict, at) VALUES (1, 1, 'resolve', '', 'checked', "
                        "'hold', 'cleared', 't')",
                        "which IT user");
}

static void
test_check_it_action_bad_verdicts (void **state)
{
    assert_one_problem ("PRAGMA ignore_check_constraints = ON;"
                        "INSERT INTO it_actions (session_id, item_id, kind, by_user, reason, "
                        "from_verdict, to_verdict, at) VALUES (1, 1, 'resolve', 'it01', 'ok', "
                        "'hold', 'green', 't')",
                        "changes hold to green");
}

static void
test_check_returned_before_lent (void **state)
{
    assert_one_problem ("UPDATE loans SET returned_on = '2026-09-30' WHERE id = 2",
                        "loan 2 (asset USB-1) was returned on 2026-09-30, before it was lent on "
                        "2026-10-01");
}

static void
test_check_loan_of_another_employee (void **state)
{
    assert_one_problem ("UPDATE items SET loan_id = 2, asset_id = 'USB-1' WHERE id = 1",
                        "is loan 2 of employee E2, but the session is employee E1's");
}

static void
test_check_hostile_values_escaped (void **state)
{
    g_autoptr (GPtrArray) problems
        = check_after ("PRAGMA ignore_check_constraints = ON;"
                       "UPDATE verdicts SET verdict = 'x' || char(27) || '[2J', reasons = "
                       "json_object('verdict', 'x' || char(27) || '[2J') WHERE item_id = 1");

    assert_int_equal (problems->len, 1);
    assert_null (strchr (g_ptr_array_index (problems, 0), 27));
    assert_non_null (strstr (g_ptr_array_index (problems, 0), "\\x1B"));
}

/* ------------------------------------------- errors, hooks and helpers */

/* Each SQLite failure class gets its code and the next step for IT; a
 * full disk or a lock never tells IT to restore a backup over good
 * evidence. */
static void
test_error_classes (void **state)
{
    static const struct {
        int rc;
        KikanErrorCode code;
        const char *hint;
    } cases[] = {
        { SQLITE_CORRUPT, KIKAN_ERROR_STORE_CORRUPT, "The store is damaged" },
        { SQLITE_CORRUPT_INDEX, KIKAN_ERROR_STORE_CORRUPT, "restore it from the last backup" },
        { SQLITE_NOTADB, KIKAN_ERROR_STORE_NOT_DATABASE,
          "restore the store from the last backup" },
        { SQLITE_BUSY, KIKAN_ERROR_STORE, "Another Kikan program holds the store" },
        { SQLITE_LOCKED, KIKAN_ERROR_STORE, "Another Kikan program holds the store" },
        { SQLITE_FULL, KIKAN_ERROR_STORE, "The disk is full" },
        { SQLITE_READONLY, KIKAN_ERROR_STORE, "Run kikan as the kiosk user" },
        { SQLITE_PERM, KIKAN_ERROR_STORE, "Run kikan as the kiosk user" },
        { SQLITE_CANTOPEN, KIKAN_ERROR_STORE, "Run kikan as the kiosk user" },
        { SQLITE_IOERR, KIKAN_ERROR_STORE, "if it reports problems, restore" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        g_autoptr (GError) error = NULL;

        assert_false (kikan_store_set_error (&error, NULL, cases[i].rc, "Doing it"));
        if (!g_error_matches (error, KIKAN_ERROR, cases[i].code))
            fail_msg ("rc %d: code %d, expected %d", cases[i].rc, error->code, cases[i].code);
        assert_true (g_str_has_prefix (error->message, "Doing it: "));
        assert_non_null (strstr (error->message, sqlite3_errstr (cases[i].rc)));
        if (strstr (error->message, cases[i].hint) == NULL)
            fail_msg ("rc %d: “%s” does not say “%s”", cases[i].rc, error->message, cases[i].hint);
        if (cases[i].rc == SQLITE_FULL || cases[i].rc == SQLITE_BUSY
            || cases[i].rc == SQLITE_LOCKED)
            assert_null (strstr (error->message, "backup"));
    }
}

typedef struct {
    guint before_runs, after_runs;
    gboolean before_ok;
} Hooks;

static gboolean
hook_before (KikanStore *store, gpointer data, GError **error)
{
    Hooks *h = data;

    h->before_runs++;
    if (!h->before_ok) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "the seal does not add up");
        return FALSE;
    }
    /* Inside the transaction: what it writes is committed with the rest. */
    return kikan_store_exec (store,
                             "INSERT INTO employees (id, name, updated_at) VALUES "
                             "('SEAL', 's', 'x')",
                             error);
}

static void
hook_after (KikanStore *store, gpointer data)
{
    ((Hooks *)data)->after_runs++;
}

static const char *const insert_e1
    = "INSERT INTO employees (id, name, updated_at) VALUES ('E1', 'a', 'x')";

/* Before-commit hooks run once inside the transaction and can refuse it
 * (nothing is kept, after-commit hooks do not run); after-commit hooks
 * run once after a commit that succeeded and are dropped on rollback. */
static void
test_commit_hooks (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = open_store (&error);
    Hooks h = { 0, 0, FALSE };
    sqlite3 *db;

    assert_non_null (store);
    db = kikan_store_get_db (store);

    /* A refusing before-hook: the commit fails and nothing is kept. */
    assert_true (kikan_store_begin (store, &error));
    assert_true (kikan_store_exec (store, insert_e1, &error));
    kikan_store_before_commit (store, hook_before, &h);
    kikan_store_before_commit (store, hook_before, &h); /* the same twice: once */
    kikan_store_after_commit (store, hook_after, &h);
    kikan_store_after_commit (store, hook_after, &h);
    assert_false (kikan_store_commit (store, &error));
    assert_non_null (strstr (error->message, "the seal does not add up"));
    g_clear_error (&error);
    assert_int_equal (h.before_runs, 1);
    assert_int_equal (h.after_runs, 0);
    assert_true (sqlite3_get_autocommit (db));
    assert_int_equal (query_int (db, "SELECT count(*) FROM employees"), 0);

    /* Rolled back: the hooks registered meanwhile are dropped. */
    assert_true (kikan_store_begin (store, &error));
    kikan_store_before_commit (store, hook_before, &h);
    kikan_store_after_commit (store, hook_after, &h);
    kikan_store_rollback (store);
    assert_true (kikan_store_begin (store, &error));
    assert_true (kikan_store_exec (store, insert_e1, &error));
    assert_true (kikan_store_commit (store, &error));
    assert_int_equal (h.before_runs, 1);
    assert_int_equal (h.after_runs, 0);

    /* Accepting hooks: the before-hook's row is committed too, each runs
     * once, and a second hook with other data runs as well. */
    h.before_ok = TRUE;
    {
        Hooks other = { 0, 0, TRUE };

        assert_true (kikan_store_begin (store, &error));
        kikan_store_before_commit (store, hook_before, &h);
        kikan_store_after_commit (store, hook_after, &h);
        kikan_store_after_commit (store, hook_after, &other);
        assert_true (kikan_store_commit (store, &error));
        assert_int_equal (h.before_runs, 2);
        assert_int_equal (h.after_runs, 1);
        assert_int_equal (other.after_runs, 1);
    }
    assert_int_equal (query_int (db, "SELECT count(*) FROM employees WHERE id = 'SEAL'"), 1);
    /* The next commit does not run them again. */
    assert_true (kikan_store_begin (store, &error));
    assert_true (kikan_store_commit (store, &error));
    assert_int_equal (h.before_runs, 2);
    assert_int_equal (h.after_runs, 1);

    /* A store freed with hooks still registered frees them, runs none. */
    assert_true (kikan_store_begin (store, &error));
    kikan_store_before_commit (store, hook_before, &h);
    kikan_store_after_commit (store, hook_after, &h);
    g_clear_pointer (&store, kikan_store_free);
    assert_int_equal (h.before_runs, 2);
    assert_int_equal (h.after_runs, 1);
    kikan_store_free (NULL);
}

/* A transaction inside a transaction, or a commit without one, is an
 * error with SQLite's words, never silently accepted. */
static void
test_transaction_misuse (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = open_store (&error);

    assert_non_null (store);
    assert_false (kikan_store_commit (store, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE));
    assert_non_null (strstr (error->message, "The change could not be saved in the store"));
    assert_non_null (strstr (error->message, "no transaction is active"));
    g_clear_error (&error);
    assert_true (kikan_store_begin (store, &error));
    assert_false (kikan_store_begin (store, &error));
    assert_non_null (strstr (error->message, "A store transaction could not start"));
    assert_non_null (strstr (error->message, "within a transaction"));
    /* The first transaction is still usable. */
    g_clear_error (&error);
    assert_true (kikan_store_exec (store, insert_e1, &error));
    assert_true (kikan_store_commit (store, &error));
    assert_int_equal (query_int (kikan_store_get_db (store), "SELECT count(*) FROM employees"), 1);
}

/* The statement helpers: a bad statement and a failed step are errors;
 * NULL text binds and reads back as NULL. */
static void
test_statement_helpers (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = open_store (&error);
    sqlite3_stmt *st;
    g_autofree char *name = NULL;

    assert_non_null (store);
    assert_null (kikan_store_prepare (store, "SELEKT 1", &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE));
    assert_non_null (strstr (error->message, "Could not prepare a statement of the store"));
    assert_non_null (strstr (error->message, "syntax error"));
    g_clear_error (&error);

    st = kikan_store_prepare (
        store, "INSERT INTO employees (id, name, updated_at) VALUES (?, ?, 'x')", &error);
    assert_non_null (st);
    kikan_store_bind_text (st, 1, "E1");
    kikan_store_bind_text (st, 2, "Aoki");
    assert_true (kikan_store_step_done (store, st, "Could not add the employee", &error));
    st = kikan_store_prepare (
        store, "INSERT INTO employees (id, name, updated_at) VALUES (?, ?, 'x')", &error);
    kikan_store_bind_text (st, 1, "E1");
    kikan_store_bind_text (st, 2, "again");
    assert_false (kikan_store_step_done (store, st, "Could not add the employee", &error));
    assert_true (g_str_has_prefix (error->message, "Could not add the employee: "));
    assert_non_null (strstr (error->message, "UNIQUE"));
    g_clear_error (&error);
    /* The connection's last error, through kikan_store_fail. */
    assert_false (kikan_store_fail (store, "Could not look", &error));
    assert_true (g_str_has_prefix (error->message, "Could not look: "));
    assert_non_null (strstr (error->message, "UNIQUE"));
    g_clear_error (&error);

    st = kikan_store_prepare (store, "SELECT ?, name FROM employees WHERE id = 'E1'", &error);
    kikan_store_bind_text (st, 1, NULL);
    assert_int_equal (sqlite3_step (st), SQLITE_ROW);
    assert_int_equal (sqlite3_column_type (st, 0), SQLITE_NULL);
    assert_null (kikan_store_column_dup (st, 0));
    name = kikan_store_column_dup (st, 1);
    assert_string_equal (name, "Aoki");
    sqlite3_finalize (st);
}

/* A negative schema version is not a Kikan store: refused, unchanged. */
static void
test_negative_version_refused (void **state)
{
    g_autofree char *path = make_store_with_rows (2);
    g_autoptr (GPtrArray) problems = NULL;
    g_autoptr (GError) error = NULL;
    int version = 0;

    raw_sql (path, "PRAGMA user_version = -1");
    assert_refused (path, KIKAN_ERROR_STORE_NOT_KIKAN, "negative schema version");
    /* db check reports it as a problem found, not as a failure to check. */
    if (!kikan_store_check_file (path, &problems, &version, &error))
        fail_msg ("db check failed: %s", error->message);
    assert_int_equal (problems->len, 1);
    assert_non_null (strstr (g_ptr_array_index (problems, 0), "negative"));
}

/* A file with a SQLite header and garbage behind it: SQLite itself says
 * it is not a database; refused as such, unchanged, and db check says so. */
static void
test_header_only_refused (void **state)
{
    g_autofree char *path = store_path ();
    g_autoptr (GPtrArray) problems = NULL;
    g_autoptr (GError) error = NULL;
    char data[4096];

    memset (data, 0x5a, sizeof data);
    memcpy (data, "SQLite format 3", 16);
    assert_true (g_file_set_contents (path, data, sizeof data, NULL));
    assert_refused (path, KIKAN_ERROR_STORE_NOT_DATABASE, "not a SQLite database");
    assert_true (kikan_store_check_file (path, &problems, NULL, &error));
    assert_int_equal (problems->len, 1);
    assert_non_null (strstr (g_ptr_array_index (problems, 0), "not a SQLite database"));
}

/* A migration step that fails leaves the store at the version it had,
 * with its data, and says which step failed. */
static void
test_migration_failure_rolls_back (void **state)
{
    g_autofree char *path = store_path ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    sqlite3 *raw = NULL;

    assert_int_equal (sqlite3_open (path, &raw), SQLITE_OK);
    assert_int_equal (sqlite3_exec (raw, kikan_store_schema_v1, NULL, NULL, NULL), SQLITE_OK);
    /* A table in the way of step 2 (someone's hand-made audit table). */
    assert_int_equal (sqlite3_exec (raw,
                                    "INSERT INTO employees (id, name, updated_at) VALUES "
                                    "('E1', 'Aoki', 'x'); CREATE TABLE audit_records (x);"
                                    "PRAGMA user_version = 1;",
                                    NULL, NULL, NULL),
                      SQLITE_OK);
    sqlite3_close (raw);
    store = open_store (&error);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE));
    assert_non_null (strstr (error->message, "could not be upgraded from schema version 1"));
    assert_non_null (strstr (error->message, "already exists"));
    assert_int_equal (sqlite3_open_v2 (path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal (query_int (raw, "PRAGMA user_version"), 1);
    assert_int_equal (query_int (raw, "SELECT count(*) FROM employees"), 1);
    assert_int_equal (query_int (raw, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                      "'audit_baseline'"),
                      0);
    sqlite3_close (raw);
}

/* Paths that cannot hold a store: a parent that is a file, a folder that
 * does not exist; nothing is created. */
static void
test_unusable_paths (void **state)
{
    g_autofree char *path = store_path ();
    g_autofree char *under_file = g_build_filename (path, "kikan.db", NULL);
    g_autofree char *dir = g_path_get_dirname (path);
    g_autofree char *missing = g_build_filename (dir, "no-such-dir", "kikan.db", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;

    assert_true (g_file_set_contents (path, "", 0, NULL));
    store = kikan_store_open_path (under_file, &error);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE));
    assert_non_null (strstr (error->message, "cannot be used"));
    assert_non_null (strstr (error->message, g_strerror (ENOTDIR)));
    g_clear_error (&error);

    store = kikan_store_open_path (missing, &error);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE));
    assert_non_null (strstr (error->message, "cannot be created"));
    assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

/* The read-only open refuses a link in place of the store too. */
static void
test_readonly_symlink_refused (void **state)
{
    g_autofree char *path = store_path ();
    g_autofree char *real = g_strconcat (path, ".real", NULL);
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (GPtrArray) problems = NULL;

    raw_sql (real, "CREATE TABLE t (x); PRAGMA user_version = 1");
    assert_int_equal (symlink (real, path), 0);
    store = kikan_store_open_readonly (home, &error);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE_NOT_DATABASE));
    assert_non_null (strstr (error->message, "not a regular file"));
    g_clear_error (&error);
    /* db check reports it, and does not follow it. */
    assert_true (kikan_store_check_file (path, &problems, NULL, &error));
    assert_int_equal (problems->len, 1);
    assert_non_null (strstr (g_ptr_array_index (problems, 0), "not a regular file"));
}

/* db check on stores with nothing in them yet: an empty file and an empty
 * SQLite database are version 0 with no problem; tables without a version
 * are another program's. */
static void
test_check_file_empty_stores (void **state)
{
    g_autofree char *path = store_path ();
    g_autoptr (GError) error = NULL;
    int version = -1;

    assert_true (g_file_set_contents (path, "", 0, NULL));
    {
        g_autoptr (GPtrArray) problems = NULL;

        assert_true (kikan_store_check_file (path, &problems, &version, &error));
        assert_int_equal (version, 0);
        assert_int_equal (problems->len, 0);
    }
    g_unlink (path);
    raw_sql (path, "CREATE TABLE t (x); DROP TABLE t");
    {
        g_autoptr (GPtrArray) problems = NULL;

        version = -1;
        assert_true (kikan_store_check_file (path, &problems, &version, &error));
        assert_int_equal (version, 0);
        assert_int_equal (problems->len, 0);
    }
    raw_sql (path, "CREATE TABLE photos (id INTEGER PRIMARY KEY)");
    {
        g_autoptr (GPtrArray) problems = NULL;

        assert_true (kikan_store_check_file (path, &problems, &version, &error));
        assert_int_equal (version, 0);
        assert_int_equal (problems->len, 1);
        assert_non_null (strstr (g_ptr_array_index (problems, 0), "another program"));
    }
}

/* A NULL in a problem row is printed as "NULL", never dropped. */
static void
test_check_null_shown (void **state)
{
    assert_one_problem ("INSERT INTO items (id, session_id, asset_id, presence, presented_at) "
                        "VALUES (2, 1, NULL, 'present', 't')",
                        "session 1 has ended but its item 2 (asset NULL) has no verdict");
}

/* A state home that is a file: no store, and the error says why. */
static void
test_open_home_not_a_directory (void **state)
{
    g_autofree char *path = store_path ();
    g_autofree char *old = g_strdup (g_getenv ("KIKAN_HOME"));
    g_autofree char *home = g_build_filename (path, "home", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;

    assert_true (g_file_set_contents (path, "not a folder", -1, NULL));
    g_setenv ("KIKAN_HOME", home, TRUE);
    store = open_store (&error);
    g_setenv ("KIKAN_HOME", old, TRUE);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_HOME));
    assert_non_null (strstr (error->message, "state directory"));
}

/* Another program setting the store up (it holds the folder's lock) for
 * longer than the busy timeout: a clear error, and no store is made. */
static void
test_setup_lock_held (void **state)
{
    g_autofree char *path = store_path ();
    g_autofree char *dir = g_path_get_dirname (path);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    gint64 t0;
    int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    assert_true (fd >= 0);
    assert_int_equal (flock (fd, LOCK_EX | LOCK_NB), 0);
    t0 = g_get_monotonic_time ();
    store = kikan_store_open_path (path, &error);
    close (fd);
    assert_null (store);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_STORE));
    assert_non_null (
        strstr (error->message, "Another Kikan program has been setting up the store"));
    assert_true (g_get_monotonic_time () - t0 >= (KIKAN_STORE_BUSY_TIMEOUT_MS - 100) * 1000);
    /* The empty file it made before waiting is still an empty store. */
    {
        GStatBuf st;

        assert_int_equal (g_stat (path, &st), 0);
        assert_int_equal (st.st_size, 0);
    }
    g_clear_error (&error);
    store = kikan_store_open_path (path, &error);
    assert_non_null (store);
    assert_int_equal (kikan_store_get_version (store), KIKAN_STORE_SCHEMA_VERSION);
}

/* A damaged loans table: db check lists what integrity_check says, and
 * when the foreign-key check then stops on the damage, says the file is
 * damaged (a problem found, not a failure to check); the kiosk refuses
 * the file, unchanged. */
static void
test_check_damaged_loans (void **state)
{
    g_autofree char *path = make_store_with_rows (400);
    g_autoptr (GPtrArray) problems = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *data = NULL;
    gboolean integrity = FALSE, damaged = FALSE;
    gsize len = 0;
    gint64 page, root;
    sqlite3 *db = NULL;

    raw_sql (path, "PRAGMA journal_mode = DELETE;"
                   "INSERT INTO assets (id, type, updated_at) VALUES ('USB-1', 'usb', 't');"
                   "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49) "
                   "INSERT INTO loans (asset_id, employee_id, lent_on, returned_on) "
                   "SELECT 'USB-1', printf('E%05d', i * 7), '2026-01-01', '2026-01-02' FROM n");
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    page = query_int (db, "PRAGMA page_size");
    root = query_int (db, "SELECT rootpage FROM sqlite_schema WHERE name = 'loans'");
    sqlite3_close (db);
    assert_true (g_file_get_contents (path, &data, &len, NULL));
    assert_true ((gsize)(root * page) <= len);
    memset (data + (root - 1) * page + 16, 0xa5, (gsize)page / 2);
    assert_true (g_file_set_contents (path, data, (gssize)len, NULL));

    assert_refused (path, KIKAN_ERROR_STORE_CORRUPT, "damaged");
    if (!kikan_store_check_file (path, &problems, NULL, &error))
        fail_msg ("db check failed: %s", error->message);
    for (guint i = 0; i < problems->len; i++) {
        const char *p = g_ptr_array_index (problems, i);

        integrity |= g_str_has_prefix (p, "integrity_check: ");
        damaged |= g_str_has_prefix (p, "the file is damaged: ");
    }
    assert_true (integrity);
    assert_true (damaged);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_pragmas_in_effect, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_reopen_keeps_data, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_migration_from_empty_file, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_migration_from_v1_keeps_data, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_concurrent_first_open, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_newer_version_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_corrupt_page_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_not_a_database_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_symlink_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_other_programs_database_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_foreign_key_rows_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_file_missing, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_readonly_open_changes_nothing, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_transactions, test_home_setup, test_home_teardown),
        cmocka_unit_test_setup_teardown (test_now_iso_fake_clock, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_intact, test_home_setup, test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_two_open_loans, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_ended_session_without_verdict, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_item_without_verdict, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_bad_verdict_value, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_it_action_without_reason, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_overall_not_the_worst, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_row_without_it_action, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_it_action_without_user, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_it_action_bad_verdicts, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_returned_before_lent, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_loan_of_another_employee, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_hostile_values_escaped, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_error_classes, test_home_setup, test_home_teardown),
        cmocka_unit_test_setup_teardown (test_commit_hooks, test_home_setup, test_home_teardown),
        cmocka_unit_test_setup_teardown (test_transaction_misuse, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_statement_helpers, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_negative_version_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_header_only_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_migration_failure_rolls_back, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_unusable_paths, test_home_setup, test_home_teardown),
        cmocka_unit_test_setup_teardown (test_readonly_symlink_refused, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_file_empty_stores, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_null_shown, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_open_home_not_a_directory, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_setup_lock_held, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_check_damaged_loans, test_home_setup,
                                         test_home_teardown),
    };

    return cmocka_run_group_tests (tests, test_home_group_setup, test_home_group_teardown);
}
