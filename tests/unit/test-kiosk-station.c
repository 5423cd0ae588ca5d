/* kiosk/station/ (issue #11 items 3, 5; KR-36, KR-37; docs/station.md):
 * one station per home; no check-in before a passed self-test; the
 * self-test's engine and clock checks; an import that swaps a new engine
 * in while a check-in begun before it finishes on the old one; and a
 * tampered or self-test-failing import that changes nothing but the audit
 * trail.  Real store, real kikan-scand, the signed upstream test-6.cvd,
 * the project's kikan-test.hdb and the self-test fixtures made at build
 * time (tests/unit/station.cmake sets where they are). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "checkin-private.h"
#include "error-private.h"
#include "sig-store-private.h"
#include "station-private.h"
#include "test-kiosk-home.h"

#define TEST_CVD6 KIKAN_TEST_SHARED "/clamav/test-6.cvd"
/* The CVD header, which a flipped byte must not hit (the body is signed). */
#define CVD_HEADER 512

/* ---- helpers ------------------------------------------------------- */

static void
write_file (const char *path, const char *text)
{
    g_autoptr (GError) error = NULL;

    assert_true (g_file_set_contents (path, text, -1, &error));
    g_assert_no_error (error);
}

static char *
make_dir (const char *name)
{
    g_autofree char *base = g_build_filename (g_getenv ("KIKAN_HOME"), "t", NULL);
    char *path = g_build_filename (base, name, NULL);

    assert_int_equal (g_mkdir_with_parents (path, 0700), 0);
    return path;
}

static void
copy_file (const char *from, const char *to_dir)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *data = NULL;
    g_autofree char *base = g_path_get_basename (from);
    g_autofree char *to = g_build_filename (to_dir, base, NULL);
    gsize len = 0;

    assert_true (g_file_get_contents (from, &data, &len, &error));
    assert_true (g_file_set_contents (to, data, (gssize)len, &error));
    g_assert_no_error (error);
}

/* "md5:size:name", a ClamAV hash signature (.hdb) or false-positive
 * exemption (.fp) for the file at @path. */
static char *
hash_line (const char *path, const char *name)
{
    g_autofree char *data = NULL;
    g_autofree char *md5 = NULL;
    gsize len = 0;

    assert_true (g_file_get_contents (path, &data, &len, NULL));
    md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, (const guchar *)data, len);
    return g_strdup_printf ("%s:%" G_GSIZE_FORMAT ":%s\n", md5, len, name);
}

/* The home of a kiosk in service: signatures accepted for ten years (the
 * test CVD was built in 2021), test-6.cvd imported as the current set;
 * the project's kikan-test.hdb comes with the defaults. */
static void
prepare_home (void)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanSigStore) sigs = NULL;
    g_autoptr (KikanImportResult) res = NULL;
    g_autofree char *conf = kikan_home_dup_config_path (home);
    g_autofree char *sigdir = kikan_home_ensure_dir (home, "signatures", &error);
    g_autofree char *medium = make_dir ("first-update");
    KikanImportOptions opts = { 0 };

    g_assert_no_error (error);
    write_file (conf, "[signatures]\nmax_age_days = 3650\n");
    copy_file (TEST_CVD6, medium);
    sigs = kikan_sig_store_new (sigdir);
    assert_true (kikan_sig_store_import (sigs, medium, &opts, &res, &error));
    g_assert_no_error (error);
}

static KikanStation *
open_station (KikanHome *home, const char *const *databases)
{
    g_autoptr (GError) error = NULL;
    KikanStationOptions o = { 0 };
    KikanStation *station;

    o.kiosk_id = "kiosk-t";
    o.databases = databases;
    station = kikan_station_open (home, &o, &error);
    g_assert_no_error (error);
    assert_non_null (station);
    return station;
}

typedef struct {
    GMainLoop *loop;
    GAsyncResult *result;
} Wait;

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
    Wait *w = data;

    w->result = g_object_ref (result);
    g_main_loop_quit (w->loop);
}

static GAsyncResult *
wait_result (Wait *w)
{
    g_main_loop_run (w->loop);
    return w->result;
}

static KikanStationReport *
run_selftest (KikanStation *station)
{
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_autoptr (GError) error = NULL;
    g_autoptr (GAsyncResult) result = NULL;
    Wait w = { loop, NULL };
    KikanStationReport *r;

    kikan_station_selftest_async (station, NULL, on_done, &w);
    result = wait_result (&w);
    r = kikan_station_selftest_finish (station, result, &error);
    g_assert_no_error (error);
    assert_non_null (r);
    return r;
}

static const KikanStationCheck *
check_of (const KikanStationReport *r, const char *id)
{
    for (guint i = 0; i < r->checks->len; i++) {
        const KikanStationCheck *c = r->checks->pdata[i];

        if (g_str_equal (c->id, id))
            return c;
    }
    fail_msg ("no check %s", id);
    return NULL;
}

static gboolean
import_signatures (KikanStation *station, const char *dir, GError **error)
{
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_autoptr (GAsyncResult) result = NULL;
    Wait w = { loop, NULL };

    kikan_station_import_signatures_async (station, dir, "it01", NULL, on_done, &w);
    result = wait_result (&w);
    return kikan_station_import_signatures_finish (station, result, error);
}

static gint64
count_records (KikanStore *store, const char *where)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_records WHERE %s", where);
    sqlite3_stmt *st = kikan_store_prepare (store, sql, &error);
    gint64 n;

    g_assert_no_error (error);
    assert_int_equal (sqlite3_step (st), SQLITE_ROW);
    n = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    return n;
}

static char *
current_set (void)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autofree char *sigdir = kikan_home_dup_signatures_dir (home);
    g_autoptr (KikanSigStore) sigs = kikan_sig_store_new (sigdir);
    g_autoptr (GError) error = NULL;
    char *cur = kikan_sig_store_dup_current_set (sigs, &error);

    g_assert_no_error (error);
    assert_non_null (cur);
    return cur;
}

/* ---- tests --------------------------------------------------------- */

static void
test_second_station_is_busy (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanHome) home2 = kikan_home_new ();
    g_autoptr (KikanStation) first = NULL;
    g_autoptr (KikanStation) second = NULL;
    g_autoptr (GError) error = NULL;

    prepare_home ();
    first = open_station (home, NULL);
    second = kikan_station_open (home2, NULL, &error);
    assert_null (second);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_BUSY));
    /* The lock goes with the station. */
    g_clear_object (&first);
    g_clear_error (&error);
    second = kikan_station_open (home2, NULL, &error);
    g_assert_no_error (error);
    assert_non_null (second);
}

static void
test_selftest_gates_checkin (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStation) station = NULL;
    g_autoptr (KikanStationReport) r = NULL;
    g_autoptr (GError) error = NULL;
    KikanCheckin *c;

    prepare_home ();
    station = open_station (home, NULL);
    assert_true (kikan_store_exec (kikan_station_get_store (station),
                                   "INSERT INTO employees (id, name, updated_at) VALUES "
                                   "('E1', 'Aoki', 'x');",
                                   &error));
    assert_false (kikan_station_may_check_in (station));
    c = kikan_station_begin_checkin (station, "E1", &error);
    assert_null (c);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_BUSY));
    g_clear_error (&error);

    r = run_selftest (station);
    for (guint i = 0; i < r->checks->len; i++) {
        const KikanStationCheck *k = r->checks->pdata[i];

        if (k->status == KIKAN_CHECK_FAIL)
            fail_msg ("%s: %s", k->id, k->detail);
    }
    assert_true (r->passed);
    assert_int_equal (r->checks->len, 8);
    assert_string_equal (((KikanStationCheck *)r->checks->pdata[0])->id, "engine");
    assert_string_equal (((KikanStationCheck *)r->checks->pdata[7])->id, "network");
    assert_int_equal (check_of (r, "engine")->status, KIKAN_CHECK_PASS);
    assert_int_equal (check_of (r, "signatures")->status, KIKAN_CHECK_PASS);
    /* No policy, no printer, audit never initialised: served, shown to IT. */
    assert_int_equal (check_of (r, "printer")->status, KIKAN_CHECK_WARN);
    assert_non_null (check_of (r, "printer")->remedy);
    assert_int_equal (check_of (r, "audit")->status, KIKAN_CHECK_WARN);
    assert_int_equal (kikan_station_get_engine_state (station), KIKAN_ENGINE_READY);
    assert_non_null (kikan_station_get_engine_summary (station));
    assert_non_null (strstr (kikan_station_get_engine_summary (station), "signatures"));
    assert_non_null (kikan_station_get_last_report (station));
    assert_true (kikan_station_may_check_in (station));
    assert_int_equal (count_records (kikan_station_get_store (station),
                                     "kind = 'selftest' AND "
                                     "json_extract(payload, '$.outcome') = 'passed'"),
                      1);

    c = kikan_station_begin_checkin (station, "E1", &error);
    g_assert_no_error (error);
    assert_non_null (c);
    kikan_station_end_checkin (station, c);
}

/* An engine that cannot load (no signatures at all) and one that loads
 * but misses the EICAR samples: the engine check FAILs either way. */
static void
test_selftest_fails_with_broken_set (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autofree char *empty = make_dir ("empty-set");
    g_autofree char *blind = make_dir ("blind-set");
    g_autofree char *hdb = g_build_filename (blind, "unrelated.hdb", NULL);
    const char *const none[] = { empty, NULL };
    const char *const unrelated[] = { blind, NULL };

    prepare_home ();
    {
        g_autoptr (KikanStation) station = open_station (home, none);
        g_autoptr (KikanStationReport) r = run_selftest (station);

        assert_false (r->passed);
        assert_int_equal (check_of (r, "engine")->status, KIKAN_CHECK_FAIL);
        assert_non_null (check_of (r, "engine")->remedy);
        assert_int_equal (kikan_station_get_engine_state (station), KIKAN_ENGINE_FAILED);
        assert_non_null (kikan_station_get_engine_problem (station));
        assert_false (kikan_station_may_check_in (station));
    }
    write_file (hdb, "0123456789abcdef0123456789abcdef:5:Kikan.Test.Unrelated\n");
    {
        g_autoptr (KikanStation) station = open_station (home, unrelated);
        g_autoptr (KikanStationReport) r = run_selftest (station);

        assert_false (r->passed);
        assert_int_equal (kikan_station_get_engine_state (station), KIKAN_ENGINE_READY);
        assert_int_equal (check_of (r, "engine")->status, KIKAN_CHECK_FAIL);
        assert_non_null (strstr (check_of (r, "engine")->detail, "eicar"));
        assert_false (kikan_station_may_check_in (station));
        assert_int_equal (count_records (kikan_station_get_store (station),
                                         "kind = 'selftest' AND "
                                         "json_extract(payload, '$.failed') LIKE '%engine%'"),
                          2);
    }
}

static void
test_clock_set_back_fails (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStation) station = NULL;
    g_autoptr (KikanStationReport) before = NULL;
    g_autoptr (KikanStationReport) confirmed_report = NULL;
    g_autoptr (KikanStationReport) after = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *confirmed = NULL;

    prepare_home ();
    station = open_station (home, NULL);
    assert_null (kikan_station_dup_last_clock_confirmation (station));
    before = run_selftest (station);
    assert_int_equal (check_of (before, "clock")->status, KIKAN_CHECK_WARN);
    assert_true (kikan_station_confirm_clock (station, "it01", &error));
    g_assert_no_error (error);
    confirmed = kikan_station_dup_last_clock_confirmation (station);
    assert_non_null (confirmed);
    confirmed_report = run_selftest (station);
    assert_int_equal (check_of (confirmed_report, "clock")->status, KIKAN_CHECK_PASS);
    assert_true (confirmed_report->passed);
    /* A record written while the clock read 2099: today is earlier than
     * it, so the clock was set back since. */
    g_setenv ("KIKAN_FAKE_NOW", "4102444800", TRUE);
    assert_true (kikan_station_confirm_clock (station, "it02", &error));
    g_unsetenv ("KIKAN_FAKE_NOW");
    g_assert_no_error (error);
    after = run_selftest (station);
    assert_int_equal (check_of (after, "clock")->status, KIKAN_CHECK_FAIL);
    assert_non_null (strstr (check_of (after, "clock")->detail, "set back"));
    assert_false (after->passed);
    assert_false (kikan_station_may_check_in (station));
    /* The self-test's own record, written at today's time, does not hide
     * it; IT's confirmation of the clock set right does. */
    g_clear_pointer (&after, kikan_station_report_free);
    after = run_selftest (station);
    assert_int_equal (check_of (after, "clock")->status, KIKAN_CHECK_FAIL);
    assert_true (kikan_station_confirm_clock (station, "it01", &error));
    g_assert_no_error (error);
    g_clear_pointer (&after, kikan_station_report_free);
    after = run_selftest (station);
    assert_int_equal (check_of (after, "clock")->status, KIKAN_CHECK_PASS);
    assert_true (kikan_station_may_check_in (station));
}

/* Issue #12 item 4 (KR-37): the kiosk passed its self-test at start and
 * serves all day; the clock is set back between two check-ins.  The next
 * check-in is refused and the refusal recorded; once the clock reads
 * right again, check-ins go on. */
static void
test_clock_set_back_between_checkins (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStation) station = NULL;
    g_autoptr (KikanStationReport) r = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *back = NULL;
    KikanCheckin *c;

    prepare_home ();
    station = open_station (home, NULL);
    assert_true (kikan_store_exec (kikan_station_get_store (station),
                                   "INSERT INTO employees (id, name, updated_at) VALUES "
                                   "('E1', 'Aoki', 'x');",
                                   &error));
    assert_true (kikan_station_confirm_clock (station, "it01", &error));
    g_assert_no_error (error);
    r = run_selftest (station);
    assert_true (r->passed);
    c = kikan_station_begin_checkin (station, "E1", &error);
    g_assert_no_error (error);
    kikan_station_end_checkin (station, c);

    back = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC - 3600);
    g_setenv ("KIKAN_FAKE_NOW", back, TRUE);
    c = kikan_station_begin_checkin (station, "E1", &error);
    g_unsetenv ("KIKAN_FAKE_NOW");
    assert_null (c);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_BUSY));
    assert_non_null (strstr (error->message, "set back"));
    assert_int_equal (count_records (kikan_station_get_store (station),
                                     "kind = 'clock_set_back'"),
                      1);
    /* Nothing of the refused check-in: one session, the first. */
    assert_int_equal (count_records (kikan_station_get_store (station),
                                     "kind = 'session_start'"),
                      1);
    g_clear_error (&error);

    c = kikan_station_begin_checkin (station, "E1", &error);
    g_assert_no_error (error);
    assert_non_null (c);
    kikan_station_end_checkin (station, c);
}

/* Every record as "seq at hash;" in order: what must never change. */
static char *
chain_text (KikanStore *store)
{
    g_autoptr (GError) error = NULL;
    sqlite3_stmt *st = kikan_store_prepare (
        store, "SELECT group_concat(seq || ' ' || at || ' ' || hash, ';') FROM "
               "(SELECT * FROM audit_records ORDER BY seq)",
        &error);
    char *text;

    g_assert_no_error (error);
    assert_int_equal (sqlite3_step (st), SQLITE_ROW);
    text = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    assert_non_null (text);
    return text;
}

/* Issue #12 item 4 (KR-36): the kiosk starts on a store whose audit chain
 * was changed.  The station opens (the auditor's view must be able to show
 * the change), the self-test fails "audit" and names the record, no
 * check-in begins, and the records that were there stay as they were:
 * neither repaired nor rewritten (the self-test's own record is appended
 * after them, as evidence that the kiosk saw it). */
static void
test_broken_chain_refuses_checkins (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStation) station = NULL;
    g_autoptr (KikanStationReport) r = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *path = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    sqlite3 *db = NULL;
    KikanCheckin *c;

    prepare_home ();
    station = open_station (home, NULL);
    assert_true (kikan_store_exec (kikan_station_get_store (station),
                                   "INSERT INTO employees (id, name, updated_at) VALUES "
                                   "('E1', 'Aoki', 'x');",
                                   &error));
    assert_true (kikan_station_confirm_clock (station, "it01", &error));
    g_assert_no_error (error);
    c = kikan_station_begin_checkin (station, "E1", &error);
    assert_null (c); /* no self-test yet */
    g_clear_error (&error);
    r = run_selftest (station);
    assert_true (r->passed);
    g_clear_pointer (&r, kikan_station_report_free);
    path = g_strdup (kikan_store_get_path (kikan_station_get_store (station)));
    g_clear_object (&station);

    /* Someone holding the file rewrites the time of record 2. */
    assert_int_equal (sqlite3_open (path, &db), SQLITE_OK);
    assert_int_equal (sqlite3_exec (db,
                                    "DROP TRIGGER audit_records_no_update;"
                                    "UPDATE audit_records SET at = '2026-01-01T00:00:00Z' "
                                    "WHERE seq = 2;",
                                    NULL, NULL, NULL),
                      SQLITE_OK);
    sqlite3_close (db);

    station = open_station (home, NULL);
    before = chain_text (kikan_station_get_store (station));
    r = run_selftest (station);
    assert_false (r->passed);
    assert_int_equal (check_of (r, "audit")->status, KIKAN_CHECK_FAIL);
    assert_non_null (strstr (check_of (r, "audit")->detail, "broken at record 2"));
    assert_non_null (strstr (check_of (r, "audit")->remedy, "do not repair it"));
    assert_false (kikan_station_may_check_in (station));
    c = kikan_station_begin_checkin (station, "E1", &error);
    assert_null (c);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_BUSY));
    assert_non_null (strstr (error->message, "self-test failed"));
    after = chain_text (kikan_station_get_store (station));
    assert_true (g_str_has_prefix (after, before));
    assert_int_equal (count_records (kikan_station_get_store (station),
                                     "kind = 'session_start'"),
                      0);
}

typedef struct {
    GMainLoop *loop;
    gboolean ok;
    GError *error;
    KikanCheckin *checkin;
} Inspect;

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer data)
{
    Inspect *w = data;

    w->ok = kikan_checkin_inspect_finish (w->checkin, result, &w->error);
    g_main_loop_quit (w->loop);
}

/* Inspects @asset's @medium in @c, ends the visit and returns the item's
 * inspection result ("clean", "infected"…). */
static char *
inspect_and_end (KikanCheckin *c, const char *asset, const char *medium)
{
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) root = NULL;
    KikanScriptPresent p = { 0 };
    Inspect w = { loop, FALSE, NULL, c };
    JsonArray *items;
    gint64 id;

    p.asset = (char *)asset;
    p.medium = (char *)medium;
    p.passphrase_files = (char *[]){ NULL };
    id = kikan_checkin_present (c, &p, &error);
    g_assert_no_error (error);
    kikan_checkin_inspect_async (c, id, NULL, NULL, on_inspected, &w);
    g_main_loop_run (loop);
    g_assert_no_error (w.error);
    assert_true (w.ok);
    assert_true (kikan_checkin_end_visit (c, &error));
    g_assert_no_error (error);
    root = kikan_checkin_to_json (c, &error);
    g_assert_no_error (error);
    items = json_object_get_array_member (json_node_get_object (root), "items");
    for (guint i = 0; i < json_array_get_length (items); i++) {
        JsonObject *it = json_array_get_object_element (items, i);

        if (g_strcmp0 (json_object_get_string_member_with_default (it, "asset", ""), asset) == 0)
            return g_strdup (json_object_get_string_member (
                json_object_get_object_member (it, "inspection"), "result"));
    }
    fail_msg ("no item %s", asset);
    return NULL;
}

static void
add_ledger (KikanStation *station)
{
    g_autoptr (GError) error = NULL;

    assert_true (kikan_store_exec (
        kikan_station_get_store (station),
        "INSERT INTO employees (id, name, updated_at) VALUES ('E1', 'Aoki', 'x');"
        "INSERT INTO assets (id, type, serial, encryption_required, updated_at) VALUES "
        "('USB-7', 'usb', 'S7', 0, 'x'), ('USB-8', 'usb', 'S8', 0, 'x');"
        "INSERT INTO loans (asset_id, employee_id, lent_on) VALUES "
        "('USB-7', 'E1', '2026-10-01'), ('USB-8', 'E1', '2026-10-01');",
        &error));
    g_assert_no_error (error);
}

static void
test_import_swaps_engine (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStation) station = NULL;
    g_autoptr (KikanStationReport) r = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *medium = make_dir ("stick");
    g_autofree char *secret = g_build_filename (medium, "report.bin", NULL);
    g_autofree char *update = make_dir ("update");
    g_autofree char *hdb = g_build_filename (update, "kikan-local.hdb", NULL);
    g_autofree char *line = NULL;
    g_autofree char *old_set = NULL;
    g_autofree char *new_set = NULL;
    g_autofree char *result = NULL;
    KikanCheckin *before, *after;

    prepare_home ();
    write_file (secret, "a document only the new signatures know, 7f3a9c\n");
    line = hash_line (secret, "Kikan.Test.OnlyInNewSet");
    write_file (hdb, line);
    station = open_station (home, NULL);
    add_ledger (station);
    r = run_selftest (station);
    assert_true (r->passed);
    old_set = current_set ();

    /* Begun on the old engine, inspected after the swap. */
    before = kikan_station_begin_checkin (station, "E1", &error);
    g_assert_no_error (error);
    assert_true (import_signatures (station, update, &error));
    g_assert_no_error (error);
    assert_int_equal (kikan_station_get_engine_generation (station), 1);
    new_set = current_set ();
    assert_string_not_equal (old_set, new_set);
    assert_int_equal (count_records (kikan_station_get_store (station),
                                     "kind = 'signature_import' AND "
                                     "json_extract(payload, '$.outcome') = 'imported' AND "
                                     "json_extract(payload, '$.by') = 'it01'"),
                      1);
    result = inspect_and_end (before, "USB-8", medium);
    assert_string_equal (result, "clean");
    kikan_station_end_checkin (station, before);
    g_clear_pointer (&result, g_free);

    /* Begun after the swap: the new set's signature finds the file. */
    assert_true (kikan_station_may_check_in (station));
    after = kikan_station_begin_checkin (station, "E1", &error);
    g_assert_no_error (error);
    result = inspect_and_end (after, "USB-7", medium);
    assert_string_equal (result, "infected");
    kikan_station_end_checkin (station, after);
}

/* Nothing of a refused import reaches service: same generation, same
 * current set, the old engine still passing, a record of the refusal. */
static void
assert_refused_import (KikanStation *station, const char *update, const char *old_set,
                       gint64 refusals_before)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStationReport) r = NULL;
    g_autofree char *now_set = NULL;

    assert_false (import_signatures (station, update, &error));
    assert_non_null (error);
    assert_non_null (strstr (error->message, "goes on with the signatures it had"));
    assert_int_equal (kikan_station_get_engine_generation (station), 0);
    now_set = current_set ();
    assert_string_equal (now_set, old_set);
    assert_int_equal (count_records (kikan_station_get_store (station),
                                     "kind = 'signature_import' AND "
                                     "json_extract(payload, '$.outcome') = 'refused' AND "
                                     "json_extract(payload, '$.by') = 'it01'"),
                      refusals_before + 1);
    r = run_selftest (station);
    assert_int_equal (check_of (r, "engine")->status, KIKAN_CHECK_PASS);
    assert_true (kikan_station_may_check_in (station));
}

static void
test_refused_imports_change_nothing (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStation) station = NULL;
    g_autoptr (KikanStationReport) r = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *tampered = make_dir ("tampered");
    g_autofree char *cvd = g_build_filename (tampered, "test-6.cvd", NULL);
    g_autofree char *blinding = make_dir ("blinding");
    g_autofree char *fp = g_build_filename (blinding, "kikan-local.fp", NULL);
    g_autofree char *eicar = g_build_filename (g_getenv ("KIKAN_SELFTEST_DIR"),
                                               "eicar-nested.zip", NULL);
    g_autofree char *line = NULL;
    g_autofree char *old_set = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;

    prepare_home ();
    station = open_station (home, NULL);
    r = run_selftest (station);
    assert_true (r->passed);
    old_set = current_set ();

    /* A signed database with one byte of its body flipped. */
    assert_true (g_file_get_contents (TEST_CVD6, &data, &len, NULL));
    assert_true (len > CVD_HEADER + 2);
    data[CVD_HEADER + (len - CVD_HEADER) / 2] ^= 0x01;
    assert_true (g_file_set_contents (cvd, data, (gssize)len, &error));
    assert_refused_import (station, tampered, old_set, 0);

    /* A set that loads but exempts the EICAR sample: its self-test fails,
     * and "current" goes back to the set before. */
    line = hash_line (eicar, "eicar-nested.zip");
    write_file (fp, line);
    assert_refused_import (station, blinding, old_set, 1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_second_station_is_busy, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_selftest_gates_checkin, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_selftest_fails_with_broken_set, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_clock_set_back_fails, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_clock_set_back_between_checkins, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_broken_chain_refuses_checkins, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_import_swaps_engine, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_refused_imports_change_nothing, test_home_setup,
                                         test_home_teardown),
    };

    return cmocka_run_group_tests (tests, test_home_group_setup, test_home_group_teardown);
}
