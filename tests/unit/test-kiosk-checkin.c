/* kiosk/checkin/checkin.c as the GTK kiosk will drive it (issue #9 item 4):
 * a stick presented with the identity the USB watcher already read, so
 * that presenting never waits on the device; and an inspection the person
 * cancels, which ends at once, counts for nothing and holds the item.
 * Real store, real kikan-scand with the project's signatures, the demo
 * medium made at build time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "checkin-private.h"
#include "test-kiosk-home.h"

static KikanStore *
store_with_ledger (void)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (GError) error = NULL;
    KikanStore *store = kikan_store_open (home, &error);

    g_assert_no_error (error);
    assert_non_null (store);
    assert_true (kikan_store_exec (
        store,
        "INSERT INTO employees (id, name, updated_at) VALUES ('E1', 'Aoki', 'x');"
        "INSERT INTO assets (id, type, serial, encryption_required, updated_at) VALUES "
        "('USB-7', 'usb', 'S7', 0, 'x'), ('USB-8', 'usb', 'S8', 0, 'x');"
        "INSERT INTO loans (asset_id, employee_id, lent_on) VALUES "
        "('USB-7', 'E1', '2026-10-01'), ('USB-8', 'E1', '2026-10-01');"
        "INSERT INTO media (asset_id, vid, pid, usb_serial, registered_at, registered_by) "
        "VALUES ('USB-7', 1921, 21863, 'S7', 'x', 'it01');",
        &error));
    g_assert_no_error (error);
    return store;
}

static KikanInspector *
inspector_new (void)
{
    char *dbs[] = { (char *)KIKAN_TEST_SIGNATURES, NULL };
    KikanInspectorConfig c = { 0 };

    c.scand_path = (char *)KIKAN_TEST_SCAND;
    c.databases = dbs;
    c.max_age_days = 7;
    return kikan_inspector_new (&c, NULL);
}

/* The item of @asset in the session's JSON (borrowed). */
static JsonObject *
item_of (JsonNode *root, const char *asset)
{
    JsonArray *items = json_object_get_array_member (json_node_get_object (root), "items");

    for (guint i = 0; i < json_array_get_length (items); i++) {
        JsonObject *it = json_array_get_object_element (items, i);

        if (g_strcmp0 (json_object_get_string_member_with_default (it, "asset", ""), asset) == 0)
            return it;
    }
    fail_msg ("no item %s", asset);
    return NULL;
}

static gboolean
has_reason (JsonObject *it, const char *code, const char *text_part)
{
    JsonArray *r = json_object_get_array_member (it, "reasons");

    for (guint i = 0; i < json_array_get_length (r); i++) {
        JsonObject *x = json_array_get_object_element (r, i);

        if (strcmp (json_object_get_string_member (x, "code"), code) == 0
            && (text_part == NULL
                || strstr (json_object_get_string_member (x, "text"), text_part) != NULL))
            return TRUE;
    }
    return FALSE;
}

static void
test_present_with_watched_identity (void **state)
{
    g_autoptr (KikanStore) store = store_with_ledger ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanCheckin) c = kikan_checkin_begin (store, NULL, NULL, "E1", &error);
    g_autoptr (KikanUsbDevice) dev = g_new0 (KikanUsbDevice, 1);
    g_autoptr (JsonNode) root = NULL;
    KikanUsbInterface storage = { 1, 0, 0, 0x08, 0x06, 0x50 };
    KikanScriptMissing home = { 0 };
    KikanScriptPresent p = { 0 };
    JsonObject *it;

    g_assert_no_error (error);
    /* What the watcher's "device-added" hands over: read off the main
     * loop; nothing below may touch a device. */
    dev->syspath = g_strdup ("/sys/devices/pci0000:00/usb1/1-1");
    dev->vid = 0x0781;
    dev->pid = 0x5567;
    dev->serial = g_strdup ("S7");
    dev->interfaces = g_array_new (FALSE, TRUE, sizeof (KikanUsbInterface));
    g_array_append_val (dev->interfaces, storage);
    dev->interfaces_known = TRUE;
    dev->block_nodes = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_add (dev->block_nodes, g_strdup ("/dev/sdz"));
    p.passphrase_files = (char *[]){ NULL };
    /* No tag typed: the register says which asset it is. */
    assert_true (kikan_checkin_present_device (c, &p, dev, &error) > 0);
    g_assert_no_error (error);
    home.asset = (char *)"USB-8";
    home.declared = (char *)"at_home";
    home.return_by = (char *)"2026-12-24";
    assert_true (kikan_checkin_declare_missing (c, &home, &error) > 0);
    assert_true (kikan_checkin_end_visit (c, &error));
    g_assert_no_error (error);
    root = kikan_checkin_to_json (c, &error);
    g_assert_no_error (error);
    it = item_of (root, "USB-7");
    assert_string_equal (
        json_object_get_string_member (json_object_get_object_member (it, "usb"), "id"),
        "0781:5567");
    assert_true (has_reason (it, "INV-01", NULL));
    assert_false (has_reason (it, "INV-06", NULL));
    /* Identified, but nothing was read: never cleared. */
    assert_true (has_reason (it, "MAL-04", "no medium was read"));
    assert_string_equal (json_object_get_string_member (it, "verdict"), "hold");
}

typedef struct {
    GMainLoop *loop;
    gboolean ok;
    GError *error;
    KikanCheckin *checkin;
} Wait;

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer data)
{
    Wait *w = data;

    w->ok = kikan_checkin_inspect_finish (w->checkin, result, &w->error);
    g_main_loop_quit (w->loop);
}

static void
test_cancelled_inspection_holds (void **state)
{
    g_autoptr (KikanStore) store = store_with_ledger ();
    g_autoptr (KikanInspector) inspector = inspector_new ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanCheckin) c = kikan_checkin_begin (store, inspector, NULL, "E1", &error);
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *demo = g_build_filename (KIKAN_TEST_FIXTURES, "demo", NULL);
    KikanScriptPresent p = { 0 };
    Wait w = { loop, FALSE, NULL, c };
    JsonObject *it, *inspection;
    gint64 id;

    g_assert_no_error (error);
    p.asset = (char *)"USB-8";
    p.medium = demo;
    p.passphrase_files = (char *[]){ NULL };
    id = kikan_checkin_present (c, &p, &error);
    g_assert_no_error (error);
    assert_false (kikan_checkin_cancel_inspection (c, id)); /* not started yet */
    kikan_checkin_inspect_async (c, id, NULL, NULL, on_inspected, &w);
    assert_int_equal (kikan_checkin_get_n_running (c), 1);
    /* The person gives up at once: the demo medium's EICAR zip is never
     * reported, and nothing of it may count as clean. */
    assert_true (kikan_checkin_cancel_inspection (c, id));
    g_main_loop_run (loop);
    g_assert_no_error (w.error);
    assert_true (w.ok);
    assert_int_equal (kikan_checkin_get_n_running (c), 0);
    assert_true (kikan_checkin_end_visit (c, &error));
    g_assert_no_error (error);
    root = kikan_checkin_to_json (c, &error);
    it = item_of (root, "USB-8");
    assert_string_equal (json_object_get_string_member (it, "state"), "failed");
    assert_string_equal (json_object_get_string_member (it, "verdict"), "hold");
    assert_true (has_reason (it, "MAL-04", "cancelled at the kiosk"));
    assert_false (has_reason (it, "MAL-01", NULL));
    inspection = json_object_get_object_member (it, "inspection");
    assert_string_equal (json_object_get_string_member (inspection, "result"), "not_inspected");
    assert_int_equal (json_object_get_int_member (inspection, "files"), 0);
}

/* What the kiosk asks of the session to personalise the declaration
 * (5.1): the loans, the name, the holdings; Q9 Yes or an unregistered
 * medium counts as media declared (Q8 then applies). */
static void
test_holdings_for_the_declaration (void **state)
{
    g_autoptr (KikanStore) store = store_with_ledger ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanCheckin) c = kikan_checkin_begin (store, NULL, NULL, "E1", &error);
    KikanHoldings h;

    g_assert_no_error (error);
    assert_string_equal (kikan_checkin_get_employee_name (c), "Aoki");
    assert_int_equal (kikan_checkin_get_loans (c)->len, 2);
    kikan_checkin_get_holdings (c, &h);
    assert_true (h.usb);
    assert_false (h.laptop || h.phone || h.token || h.other || h.media_declared);
    assert_true (kikan_declaration_applicable (8, &h));
    assert_false (kikan_declaration_applicable (3, &h));
    assert_true (kikan_checkin_answer (c, "Q9", "not_sure", NULL, &error));
    g_assert_no_error (error);
    kikan_checkin_get_holdings (c, &h);
    assert_true (h.media_declared);
    assert_true (kikan_checkin_abandon (c, &error));
}

typedef struct {
    guint progress;
    guint progress_after_result;
    gboolean done;
    KikanInspector *inspector;
    KikanScanReport *report;
} ProgressCount;

static void
count_progress (const KikanProgress *p, gpointer data)
{
    ProgressCount *c = data;

    c->progress++;
    if (c->done)
        c->progress_after_result++;
}

static void
on_inspector_done (GObject *source, GAsyncResult *result, gpointer data)
{
    ProgressCount *c = data;

    c->report = kikan_inspector_inspect_finish (c->inspector, result, NULL);
    c->done = TRUE;
}

/* The daemon reports after every file; the caller's main loop gets the
 * latest counts, at most one delivery pending at a time and below the
 * priority of a redraw, and never after the result (issue #11: 20,000
 * files must not freeze the kiosk's screen).  Here the main loop is kept
 * busy (not iterated) while 400 files are read: a relay that queued one
 * delivery per report would then deliver hundreds. */
static void
test_progress_coalesced (void **state)
{
    g_autoptr (KikanInspector) inspector = inspector_new ();
    g_autofree char *dir = g_build_filename (*state, "many", NULL);
    ProgressCount c = { 0 };
    gint64 end;

    c.inspector = inspector;
    assert_int_equal (g_mkdir_with_parents (dir, 0700), 0);
    for (guint i = 0; i < 400; i++) {
        g_autofree char *f = g_strdup_printf ("%s/f%03u.txt", dir, i);

        assert_true (g_file_set_contents (f, "x\n", -1, NULL));
    }
    kikan_inspector_inspect_async (inspector, dir, NULL, NULL, count_progress, &c,
                                   on_inspector_done, &c);
    g_usleep (8 * G_USEC_PER_SEC);
    end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
    while (!c.done && g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, TRUE);
    assert_true (c.done);
    assert_non_null (c.report);
    /* At most the one delivery pending when the loop came back, none
     * after the result. */
    assert_true (c.progress <= 1);
    assert_int_equal (c.progress_after_result, 0);
    kikan_scan_report_free (c.report);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_present_with_watched_identity, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_holdings_for_the_declaration, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_progress_coalesced, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_cancelled_inspection_holds, test_home_setup,
                                         test_home_teardown),
    };

    return cmocka_run_group_tests (tests, test_home_group_setup, test_home_group_teardown);
}
