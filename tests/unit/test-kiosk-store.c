/* kiosk/store/: the PRAGMAs take effect, a store that must not be used is
 * refused and left byte for byte as it was, migrations run from an empty
 * file, and `kikan db check` finds each broken invariant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

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
        cmocka_unit_test_setup_teardown (test_negative_version_refused, test_home_setup,
                                         test_home_teardown),
    };

    return cmocka_run_group_tests (tests, test_home_group_setup, test_home_group_teardown);
}
