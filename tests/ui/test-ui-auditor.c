/* UI tests of auditor mode (issue #11 item 4; KR-31, KR-32, KR-33): the
 * real kikan-kiosk in-process under Xvfb (ui-harness.h), a store holding
 * check-ins made by `kikan checkin --script` before the kiosk starts,
 * driven through the "auditor" actions; what is asserted is the store
 * (SQL), the CLI's own verdict on what was exported, and what the view
 * says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "auditor-view.h"
#include "auth-private.h"
#include "ui-harness.h"

#define AUDITOR_PASSWORD "an auditor reads every line"
#define IT_PASSWORD "IT staff fix what breaks"
#define INITIAL "initial password 2026"
#define WAIT_MS 60000

typedef struct {
    gboolean sessions;       /* three check-ins */
    gboolean change_initial; /* the auditor's initial password changed by the CLI */
    gboolean hostile;        /* one check-in whose free text is hostile */
    const char *conf;        /* appended to kikan.conf, or NULL */
} Prepare;

static void
write_file (const char *path, const char *text)
{
    assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
add_account (UiHarness *h, const char *id, const char *role, const char *final)
{
    g_autofree char *pw = g_build_filename (h->tmp, "pw-add", NULL);
    g_autofree char *pw2 = g_build_filename (h->tmp, "pw-change", NULL);
    g_autofree char *both = g_strdup_printf ("%s\n%s\n", INITIAL, final);

    write_file (pw, INITIAL "\n");
    ui_harness_kikan (h, "it", "account", "add", id, "--role", role, "--password-file", pw, NULL);
    if (final != NULL) {
        write_file (pw2, both);
        ui_harness_kikan (h, "it", "account", "passwd", id, "--password-file", pw2, NULL);
    }
}

/* `kikan checkin --script`: exit 0 for a CLEARED check-in, 1 or 3 for
 * one that is not (the slip says why); 2 is a failure. */
static void
checkin (UiHarness *h, const char *json)
{
    g_autofree char *path = g_build_filename (h->tmp, "checkin.json", NULL);
    g_autofree char *out = NULL, *err = NULL;
    g_auto (GStrv) env = g_get_environ ();
    const char *argv[] = { KIKAN_UI_TEST_KIKAN, "checkin",       "--script",   path,
                           "--policy",          h->policy,       "--database", h->signatures,
                           "--kiosk-id",        "kiosk-ui-test", NULL };
    int status = 0;

    write_file (path, json);
    env = g_environ_setenv (env, "KIKAN_HOME", h->home, TRUE);
    env = g_environ_setenv (env, "KIKAN_SCAND", KIKAN_UI_TEST_SCAND, TRUE);
    assert_true (g_spawn_sync (NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, NULL));
    if (!WIFEXITED (status) || WEXITSTATUS (status) == 2 || WEXITSTATUS (status) > 3)
        fail_msg ("kikan checkin failed (%d):\n%s\n%s", status, out, err);
}

#define CLEAN_ANSWERS                                                                             \
    "\"answers\": {\"Q1\": \"no\", \"Q2\": \"no\", \"Q3\": \"no\", \"Q4\": \"no\", \"Q5\": "      \
    "\"no\", \"Q6\": \"no\", \"Q7\": \"no\", \"Q8\": \"no\", \"Q9\": \"no\", \"Q10\": \"no\", "   \
    "\"Q11\": \"no\", \"Q12\": \"no\", \"Q13\": \"no\", \"Q14\": \"no\", \"Q15\": \"no\", "       \
    "\"Q16\": \"no\", \"Q17\": \"no\", \"Q19\": \"yes\"}"

/* Before the kiosk takes the check-in lock. */
static void
prepare (gpointer harness, gpointer data)
{
    UiHarness *h = harness;
    const Prepare *p = data;

    add_account (h, "it01", "it", IT_PASSWORD);
    add_account (h, "aud01", "auditor", p->change_initial ? AUDITOR_PASSWORD : NULL);
    if (p->hostile)
        checkin (h, "{\"employee\": \"E2002\", \"answers\": {\"Q17\": \"<b>bold</b> "
                    "\\u202eevil\\u0007 <span foreground='red'>x</span>\"}, "
                    "\"visit_seconds\": 0}");
    if (!p->sessions)
        return;
    /* 1: E2002, nothing lent, a clean declaration; 2: E1001, both sticks
     * not brought (one lost: not CLEARED); 3: E2002 again. */
    checkin (h, "{\"employee\": \"E2002\", " CLEAN_ANSWERS ", \"visit_seconds\": 0}");
    checkin (h, "{\"employee\": \"E1001\", " CLEAN_ANSWERS ", \"missing\": ["
                "{\"asset\": \"USB-0007\", \"declared\": \"lost\", \"data_held\": \"none\", "
                "\"classification\": \"public\", \"personal_data\": \"no\"}, "
                "{\"asset\": \"USB-0008\", \"declared\": \"at_home\", \"return_by\": "
                "\"2026-12-24\"}], \"visit_seconds\": 0}");
    checkin (h, "{\"employee\": \"E2002\", " CLEAN_ANSWERS ", \"visit_seconds\": 0}");
}

static UiHarness *
start (Prepare *p)
{
    /* Auditor mode needs no engine: the start-up self-test is not run. */
    UiHarnessOptions o = { .default_ledger = TRUE,
                           .language = "en",
                           .stay_in_startup = TRUE,
                           .before_start = prepare,
                           .before_start_data = p,
                           .conf_extra = p->conf };

    return ui_harness_new (&o);
}

static KikanAuditorView *
find_view (GtkWidget *root)
{
    if (KIKAN_IS_AUDITOR_VIEW (root))
        return KIKAN_AUDITOR_VIEW (root);
    for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
         c = gtk_widget_get_next_sibling (c)) {
        KikanAuditorView *v = find_view (c);

        if (v != NULL)
            return v;
    }
    return NULL;
}

static KikanAuditorView *
auditor_mode (UiHarness *h)
{
    KikanAuditorView *view;

    ui_harness_activate (h->window, "win.mode", g_variant_new_string ("auditor"));
    view = find_view (GTK_WIDGET (h->window));
    assert_non_null (view);
    return view;
}

/* The auditor's actions are on the window (auditor-view.h). */
static void
act (UiHarness *h, const char *name, GVariant *parameter)
{
    g_autoptr (GVariant) p = parameter != NULL ? g_variant_ref_sink (parameter) : NULL;

    if (!gtk_widget_activate_action_variant (GTK_WIDGET (h->window), name, p))
        fail_msg ("no action %s", name);
}

static gboolean
not_busy (gpointer view)
{
    gboolean busy = TRUE;

    g_object_get (view, "busy", &busy, NULL);
    return !busy;
}

static void
settle (KikanAuditorView *view, const char *what)
{
    ui_harness_spin (50);
    ui_harness_wait_for (not_busy, view, WAIT_MS, what);
}

static gboolean
prop_bool (gpointer object, const char *name)
{
    gboolean v = FALSE;

    g_object_get (object, name, &v, NULL);
    return v;
}

static char *
prop_string (gpointer object, const char *name)
{
    char *v = NULL;

    g_object_get (object, name, &v, NULL);
    return v;
}

static gint64
prop_int64 (gpointer object, const char *name)
{
    gint64 v = 0;

    g_object_get (object, name, &v, NULL);
    return v;
}

static gboolean
signed_out (gpointer view)
{
    return !prop_bool (view, "signed-in");
}

static void
login (UiHarness *h, KikanAuditorView *view, const char *id, const char *password)
{
    act (h, "auditor.login", g_variant_new ("(ss)", id, password));
    settle (view, "the sign-in");
}

static KikanAuditorView *
signed_in (UiHarness *h)
{
    KikanAuditorView *view = auditor_mode (h);

    login (h, view, "aud01", AUDITOR_PASSWORD);
    assert_true (prop_bool (view, "signed-in"));
    return view;
}

/* The first column of every row of @sql, as numbers joined by spaces. */
static char *
sql_column (UiHarness *h, const char *sql)
{
    g_autoptr (GString) out = g_string_new (NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    assert_int_equal (sqlite3_open_v2 (h->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg ("%s: %s", sql, sqlite3_errmsg (db));
    while (sqlite3_step (st) == SQLITE_ROW)
        g_string_append_printf (out, "%s%lld", out->len > 0 ? " " : "",
                                (long long)sqlite3_column_int64 (st, 0));
    sqlite3_finalize (st);
    sqlite3_close (db);
    return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
join (GArray *a)
{
    g_autoptr (GString) out = g_string_new (NULL);

    for (guint i = 0; i < a->len; i++)
        g_string_append_printf (out, "%s%lld", i > 0 ? " " : "",
                                (long long)g_array_index (a, gint64, i));
    return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_shown (UiHarness *h, KikanAuditorView *view, const char *sql)
{
    g_autofree char *want = sql_column (h, sql);
    g_autofree char *got = join (kikan_auditor_view_get_shown_seqs (view));

    if (strcmp (want, got) != 0)
        fail_msg ("the list shows [%s], the store says [%s] (%s)", got, want, sql);
    assert_int_equal (prop_int64 (view, "n-matched"),
                      kikan_auditor_view_get_shown_seqs (view)->len);
}

static GVariant *
filter (const char *key, GVariant *value)
{
    GVariantBuilder b;

    g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
    if (key != NULL)
        g_variant_builder_add (&b, "{sv}", key, value);
    return g_variant_builder_end (&b);
}

/* Every row of every table but the four the library writes for the
 * auditor (and SQLite's own counters of their ids), as text. */
static char *
dump_store (UiHarness *h)
{
    g_autoptr (GString) out = g_string_new (NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *tables = NULL;

    assert_int_equal (sqlite3_open_v2 (h->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal (sqlite3_prepare_v2 (db,
                                          "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite_%' AND name NOT IN "
                                          "('audit_records', 'audit_seals', 'audit_samples', "
                                          "'audit_attestations') ORDER BY name",
                                          -1, &tables, NULL),
                      SQLITE_OK);
    while (sqlite3_step (tables) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text (tables, 0);
        g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY rowid", name);
        sqlite3_stmt *st = NULL;
        gint64 rows = 0;

        if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK) {
            /* WITHOUT ROWID tables: their primary key orders them. */
            g_free (sql);
            sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1", name);
            assert_int_equal (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), SQLITE_OK);
        }
        g_string_append_printf (out, "== %s\n", name);
        while (sqlite3_step (st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count (st); c++) {
                const unsigned char *v = sqlite3_column_text (st, c);

                g_string_append_printf (out, "%s|", v != NULL ? (const char *)v : "NULL");
            }
            g_string_append_c (out, '\n');
            rows++;
        }
        g_string_append_printf (out, "(%lld rows)\n", (long long)rows);
        sqlite3_finalize (st);
    }
    sqlite3_finalize (tables);
    sqlite3_close (db);
    return g_string_free (g_steal_pointer (&out), FALSE);
}

/* An IT account does not open auditor mode, nor an auditor account IT
 * mode (the library's check, shared with `kikan it account login`); the
 * initial password must be changed first; every attempt is recorded. */
static void
test_signin (void **state)
{
    Prepare p = { .sessions = FALSE, .change_initial = FALSE };
    UiHarness *h = start (&p);
    KikanAuditorView *view = auditor_mode (h);
    g_autofree char *page = NULL, *message = NULL, *last = NULL;

    page = prop_string (view, "page");
    assert_string_equal (page, "signin");
    /* Nothing opens without signing in. */
    act (h, "auditor.view", g_variant_new_string ("records"));
    assert_false (prop_bool (view, "signed-in"));

    login (h, view, "it01", IT_PASSWORD);
    assert_false (prop_bool (view, "signed-in"));
    message = prop_string (view, "message");
    assert_non_null (strstr (message, "Not signed in"));
    last = ui_harness_sql_text (h, "SELECT payload FROM audit_records WHERE kind = 'it_login' "
                                   "ORDER BY seq DESC LIMIT 1");
    assert_non_null (strstr (last, "\"outcome\":\"wrong_mode\""));
    assert_non_null (strstr (last, "\"mode\":\"auditor\""));

    /* The initial password opens only the change. */
    login (h, view, "aud01", INITIAL);
    g_free (page);
    page = prop_string (view, "page");
    assert_string_equal (page, "change");
    assert_false (prop_bool (view, "signed-in"));
    act (h, "auditor.change-password",
         g_variant_new ("(sss)", "aud01", INITIAL, AUDITOR_PASSWORD));
    settle (view, "the password change");
    g_free (page);
    page = prop_string (view, "page");
    assert_string_equal (page, "signin");
    assert_int_equal (ui_harness_sql_int (h, "SELECT must_change FROM it_accounts WHERE id = "
                                             "'aud01'"),
                      0);
    login (h, view, "aud01", AUDITOR_PASSWORD);
    assert_true (prop_bool (view, "signed-in"));
    g_free (page);
    page = prop_string (view, "page");
    assert_string_equal (page, "main");

    /* And the other way: IT mode's sign-in (what the IT view and `kikan it
     * account login` call) refuses the auditor's account. */
    {
        KikanStation *station = kikan_kiosk_window_get_station (h->window);
        g_autofree char *conf = g_build_filename (h->home, "kikan.conf", NULL);
        g_autoptr (GError) error = NULL;
        KikanAuthPolicy policy;
        KikanAuthResult result;

        assert_true (kikan_auth_policy_load (conf, &policy, &error));
        assert_true (kikan_auth_login (kikan_station_get_store (station), &policy, "aud01",
                                       AUDITOR_PASSWORD, &result, &error));
        assert_int_equal (result.outcome, KIKAN_AUTH_REFUSED);
        assert_true (kikan_auth_login (kikan_station_get_store (station), &policy, "it01",
                                       IT_PASSWORD, &result, &error));
        assert_int_equal (result.outcome, KIKAN_AUTH_OK);
    }

    /* Leaving the mode signs out. */
    ui_harness_activate (h->window, "win.mode", g_variant_new_string ("employee"));
    ui_harness_wait_for (signed_out, view, 5000, "the sign-out on leaving the mode");
    assert_int_equal (ui_harness_sql_int (h, "SELECT count(*) FROM audit_records WHERE kind = "
                                             "'it_login' AND json_extract(payload, '$.mode') = "
                                             "'auditor'"),
                      3);
    ui_harness_free (h);
}

/* The lists choose exactly the records the store holds for each filter. */
static void
test_filters (void **state)
{
    Prepare p = { .sessions = TRUE, .change_initial = TRUE };
    UiHarness *h = start (&p);
    KikanAuditorView *view = signed_in (h);
    GVariantBuilder b;

    assert_int_equal (ui_harness_sql_int (h, "SELECT count(*) FROM sessions"), 3);
    /* Sessions, no filter: every session_start. */
    assert_shown (h, view,
                  "SELECT seq FROM audit_records WHERE kind = 'session_start' ORDER BY "
                  "seq");
    assert_int_equal (kikan_auditor_view_get_shown_seqs (view)->len, 3);

    act (h, "auditor.filter", filter ("employee", g_variant_new_string ("E2002")));
    assert_shown (h, view,
                  "SELECT seq FROM audit_records WHERE kind = 'session_start' AND "
                  "session_id IN (SELECT id FROM sessions WHERE employee_id = 'E2002') "
                  "ORDER BY seq");
    assert_int_equal (kikan_auditor_view_get_shown_seqs (view)->len, 2);

    /* Findings of the sessions holding USB-0007. */
    act (h, "auditor.view", g_variant_new_string ("findings"));
    act (h, "auditor.filter", filter ("asset", g_variant_new_string ("USB-0007")));
    assert_shown (h, view,
                  "SELECT seq FROM audit_records WHERE kind = 'verdict' AND "
                  "(session_id IN (SELECT session_id FROM items WHERE asset_id = "
                  "'USB-0007') OR json_extract(payload, '$.asset') = 'USB-0007') "
                  "ORDER BY seq");
    assert_true (kikan_auditor_view_get_shown_seqs (view)->len > 0);

    /* Every record of session 2 whose verdict in force is not cleared. */
    act (h, "auditor.view", g_variant_new_string ("records"));
    g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add (&b, "{sv}", "session", g_variant_new_int64 (2));
    act (h, "auditor.filter", g_variant_builder_end (&b));
    assert_shown (h, view, "SELECT seq FROM audit_records WHERE session_id = 2 ORDER BY seq");
    act (h, "auditor.filter", filter ("verdict", g_variant_new_string ("cleared")));
    assert_shown (h, view,
                  "SELECT seq FROM audit_records WHERE session_id IN (SELECT v.session_id FROM "
                  "verdicts v WHERE v.item_id IS NULL AND v.verdict = 'cleared' AND v.id = "
                  "(SELECT max(w.id) FROM verdicts w WHERE w.session_id = v.session_id AND "
                  "w.item_id IS NULL)) ORDER BY seq");
    assert_int_equal (ui_harness_sql_int (h, "SELECT count(DISTINCT session_id) FROM verdicts "
                                             "WHERE item_id IS NULL AND verdict = 'cleared'"),
                      2);
    /* A date range that holds nothing, then a kind. */
    act (h, "auditor.filter", filter ("until", g_variant_new_string ("2001-01-01")));
    assert_int_equal (kikan_auditor_view_get_shown_seqs (view)->len, 0);
    act (h, "auditor.filter", filter ("kind", g_variant_new_string ("session_end")));
    assert_shown (h, view,
                  "SELECT seq FROM audit_records WHERE kind = 'session_end' ORDER BY "
                  "seq");
    /* A bad filter is refused whole and the list stays. */
    act (h, "auditor.filter", filter ("since", g_variant_new_string ("yesterday-ish")));
    assert_shown (h, view,
                  "SELECT seq FROM audit_records WHERE kind = 'session_end' ORDER BY "
                  "seq");
    /* Sign-ins: the auditor's own is there. */
    act (h, "auditor.filter", filter (NULL, NULL));
    act (h, "auditor.view", g_variant_new_string ("logins"));
    assert_shown (h, view, "SELECT seq FROM audit_records WHERE kind = 'it_login' ORDER BY seq");
    /* A row opens the record whole. */
    act (h, "auditor.show", g_variant_new_int64 (1));
    {
        g_autofree char *page = prop_string (view, "page");
        g_autofree char *hash = ui_harness_sql_text (h, "SELECT hash FROM audit_records WHERE "
                                                        "seq = 1");

        assert_string_equal (page, "detail");
        assert_true (ui_harness_tree_has_text (GTK_WIDGET (view), hash));
    }
    act (h, "auditor.back", NULL);
    ui_harness_free (h);
}

/* Intact, then a record edited behind the kiosk's back is named. */
static void
test_verify (void **state)
{
    Prepare p = { .sessions = TRUE, .change_initial = TRUE };
    UiHarness *h = start (&p);
    KikanAuditorView *view = signed_in (h);
    g_autofree char *verdict = NULL;

    act (h, "auditor.view", g_variant_new_string ("verify"));
    act (h, "auditor.verify", g_variant_new_string (""));
    settle (view, "the verification");
    verdict = prop_string (view, "verify-state");
    assert_string_equal (verdict, "intact");
    assert_int_equal (prop_int64 (view, "verify-first-bad"), 0);
    /* A well-formed key that is not this kiosk's: the seals do not hold. */
    act (h, "auditor.verify",
         g_variant_new_string ("kikan-vk1:0000000000000000000000000000000000000000000000000000"
                               "000000000000"));
    settle (view, "the verification with a wrong key");
    g_free (verdict);
    verdict = prop_string (view, "verify-state");
    assert_string_equal (verdict, "tampered");
    /* A key that is not one is refused before anything runs. */
    act (h, "auditor.verify", g_variant_new_string ("kikan-vk1:nothex"));
    g_free (verdict);
    verdict = prop_string (view, "verify-state");
    assert_string_equal (verdict, "tampered");

    act (h, "auditor.verify", g_variant_new_string (""));
    settle (view, "the verification again");
    g_free (verdict);
    verdict = prop_string (view, "verify-state");
    assert_string_equal (verdict, "intact");
    ui_harness_sql_exec (h, "DROP TRIGGER audit_records_no_update; "
                            "UPDATE audit_records SET payload = replace(payload, 'E1001', "
                            "'E9999') WHERE seq = (SELECT min(seq) FROM audit_records WHERE "
                            "kind = 'session_start' AND payload LIKE '%E1001%')");
    act (h, "auditor.verify", g_variant_new_string (""));
    settle (view, "the second verification");
    g_free (verdict);
    verdict = prop_string (view, "verify-state");
    assert_string_equal (verdict, "tampered");
    assert_int_equal (prop_int64 (view, "verify-first-bad"),
                      ui_harness_sql_int (h, "SELECT min(seq) FROM audit_records WHERE kind = "
                                             "'session_start' AND payload LIKE '%E9999%'"));
    assert_true (ui_harness_tree_has_text (GTK_WIDGET (view), "TAMPERED"));
    ui_harness_free (h);
}

/* What a person typed is shown as text: no markup, no bidirectional
 * override, no control character reaches the screen. */
static void
test_hostile (void **state)
{
    Prepare p = { .change_initial = TRUE, .hostile = TRUE };
    UiHarness *h = start (&p);
    KikanAuditorView *view = signed_in (h);
    g_autofree char *text = NULL;

    act (h, "auditor.view", g_variant_new_string ("records"));
    act (h, "auditor.filter", filter ("kind", g_variant_new_string ("declaration")));
    assert_int_equal (kikan_auditor_view_get_shown_seqs (view)->len, 1);
    text = ui_harness_tree_text (GTK_WIDGET (view));
    assert_non_null (strstr (text, "<b>bold</b>"));
    assert_non_null (strstr (text, "<span foreground='red'>x</span>"));
    assert_null (strstr (text, "\xe2\x80\xae"));
    assert_null (strstr (text, "\a"));
    act (h, "auditor.show",
         g_variant_new_int64 (kikan_auditor_view_get_shown_seqs (view)->len > 0 ? g_array_index (
                                  kikan_auditor_view_get_shown_seqs (view), gint64, 0)
                                                                                : 0));
    g_free (text);
    text = ui_harness_tree_text (GTK_WIDGET (view));
    assert_non_null (strstr (text, "<b>bold</b>"));
    assert_null (strstr (text, "\xe2\x80\xae"));
    ui_harness_free (h);
}

static void
shoot (UiHarness *h, const char *dir, const char *name)
{
    g_autofree char *file = g_strdup_printf ("auditor-%s.png", name);
    g_autofree char *png = g_build_filename (dir, file, NULL);
    g_autoptr (GError) error = NULL;
    GStatBuf st;

    /* The paintable holds nothing until the window was drawn again; the
     * stack's crossfade takes 200 ms. */
    ui_harness_spin (300);
    for (int i = 0;; i++) {
        ui_harness_spin (200);
        if (ui_harness_snapshot (GTK_WIDGET (h->window), png, &error))
            break;
        if (i == 20)
            fail_msg ("%s: %s", png, error->message);
        g_clear_error (&error);
    }
    assert_int_equal (g_stat (png, &st), 0);
    assert_true (st.st_size > 1000);
}

/* Every page of the mode drawn by the app's own renderer, into
 * $KIKAN_UI_SHOTS (the screenshot script) or the harness's folder. */
static void
test_screens (void **state)
{
    Prepare p = { .sessions = TRUE, .change_initial = TRUE };
    UiHarness *h = start (&p);
    const char *env = g_getenv ("KIKAN_UI_SHOTS");
    g_autofree char *dir
        = env != NULL && env[0] != '\0' ? g_strdup (env) : ui_harness_mkdir (h, "shots");
    g_autofree char *medium = ui_harness_mkdir (h, "medium");
    KikanAuditorView *view = auditor_mode (h);
    const char *lists[] = { "sessions", "findings", "overrides", "logins", "records" };
    int width = 0;

    g_mkdir_with_parents (dir, 0700);
    shoot (h, dir, "signin");
    login (h, view, "aud01", AUDITOR_PASSWORD);
    assert_true (prop_bool (view, "signed-in"));
    /* The mode fits the kiosk's 1280-pixel screen, even with the most
     * filter fields (All records). */
    act (h, "auditor.view", g_variant_new_string ("records"));
    gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_HORIZONTAL, -1, &width, NULL, NULL,
                        NULL);
    if (width > 1280)
        fail_msg ("auditor mode needs %d pixels across", width);
    for (gsize i = 0; i < G_N_ELEMENTS (lists); i++) {
        act (h, "auditor.view", g_variant_new_string (lists[i]));
        shoot (h, dir, lists[i]);
    }
    act (h, "auditor.show", g_variant_new_int64 (3));
    shoot (h, dir, "record");
    act (h, "auditor.back", NULL);
    act (h, "auditor.view", g_variant_new_string ("verify"));
    act (h, "auditor.verify", g_variant_new_string (""));
    settle (view, "the verification");
    shoot (h, dir, "verify");
    act (h, "auditor.view", g_variant_new_string ("sample"));
    act (h, "auditor.sample", g_variant_new ("(sxs)", "00c0ffee", (gint64)2, ""));
    settle (view, "the draw");
    shoot (h, dir, "sample");
    act (h, "auditor.view", g_variant_new_string ("export"));
    act (h, "auditor.export", g_variant_new ("(ss)", "bundle", medium));
    settle (view, "the bundle");
    shoot (h, dir, "export");
    ui_harness_free (h);
}

/* The same seed draws the same sessions; each draw and the attestation
 * are recorded. */
static void
test_sample (void **state)
{
    Prepare p = { .sessions = TRUE, .change_initial = TRUE };
    UiHarness *h = start (&p);
    KikanAuditorView *view = signed_in (h);
    g_autofree char *first = NULL, *second = NULL, *stored = NULL;
    gint64 id;

    act (h, "auditor.sample", g_variant_new ("(sxs)", "00c0ffee", (gint64)2, ""));
    settle (view, "the first draw");
    first = join (kikan_auditor_view_get_sample_selection (view));
    id = prop_int64 (view, "sample-id");
    assert_true (id > 0);
    act (h, "auditor.sample", g_variant_new ("(sxs)", "00c0ffee", (gint64)2, "2001-01-01.."));
    settle (view, "the second draw");
    second = join (kikan_auditor_view_get_sample_selection (view));
    assert_string_equal (first, second);
    assert_int_equal (kikan_auditor_view_get_sample_selection (view)->len, 2);
    assert_int_equal (prop_int64 (view, "sample-id"), id + 1);
    stored = ui_harness_sql_text (h, "SELECT group_concat(seed, ',') FROM audit_samples");
    assert_string_equal (stored, "00c0ffee,00c0ffee");
    /* More than the population: refused, nothing recorded. */
    act (h, "auditor.sample", g_variant_new ("(sxs)", "", (gint64)4, ""));
    settle (view, "the refused draw");
    assert_int_equal (ui_harness_sql_int (h, "SELECT count(*) FROM audit_samples"), 2);
    /* A drawn session opens its records, and the fields say so. */
    act (h, "auditor.show-session",
         g_variant_new_int64 (
             g_array_index (kikan_auditor_view_get_sample_selection (view), gint64, 0)));
    {
        g_autofree char *sql = g_strdup_printf (
            "SELECT seq FROM audit_records WHERE session_id = %lld ORDER BY seq",
            (long long)g_array_index (kikan_auditor_view_get_sample_selection (view), gint64, 0));

        assert_shown (h, view, sql);
        assert_true (kikan_auditor_view_get_shown_seqs (view)->len > 0);
    }
    act (h, "auditor.attest", g_variant_new ("(xss)", id, "Aoki (audit)", "Reviewed, fine."));
    settle (view, "the attestation");
    assert_int_equal (ui_harness_sql_int (h, "SELECT count(*) FROM audit_attestations"), 1);
    ui_harness_free (h);
}

static char *
sha256_of (const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    assert_true (g_file_get_contents (path, &data, &len, NULL));
    return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)data, len);
}

/* The bundle written to a folder is one `kikan audit verify --bundle`
 * accepts; JSONL likewise lands there; a missing folder is refused. */
static void
test_export (void **state)
{
    Prepare p = { .sessions = TRUE, .change_initial = TRUE };
    UiHarness *h = start (&p);
    KikanAuditorView *view = signed_in (h);
    g_autofree char *medium = ui_harness_mkdir (h, "medium");
    g_autofree char *path = NULL, *sha = NULL, *actual = NULL, *jsonl = NULL;
    g_autofree char *message = NULL, *lines = NULL;

    act (h, "auditor.export", g_variant_new ("(ss)", "bundle", medium));
    settle (view, "the bundle");
    path = prop_string (view, "export-path");
    sha = prop_string (view, "export-sha256");
    assert_non_null (path);
    assert_true (g_str_has_prefix (path, medium));
    actual = sha256_of (path);
    assert_string_equal (sha, actual);
    ui_harness_kikan (h, "audit", "verify", "--bundle", path, NULL);
    assert_int_equal (ui_harness_sql_int (h, "SELECT count(*) FROM audit_records WHERE kind = "
                                             "'audit_export'"),
                      1);

    act (h, "auditor.filter", filter ("employee", g_variant_new_string ("E2002")));
    act (h, "auditor.export", g_variant_new ("(ss)", "jsonl", medium));
    settle (view, "the JSONL");
    jsonl = prop_string (view, "export-path");
    assert_true (g_str_has_suffix (jsonl, ".jsonl"));
    assert_true (g_file_get_contents (jsonl, &lines, NULL, NULL));
    assert_non_null (strstr (lines, "E2002"));
    /* Inside the payload text the quotes are escaped: look for the ID alone. */
    assert_null (strstr (lines, "E1001"));

    act (h, "auditor.export", g_variant_new ("(ss)", "csv", "/nonexistent/medium"));
    settle (view, "the refused export");
    message = prop_string (view, "message");
    assert_non_null (strstr (message, "Ask IT to mount"));
    assert_int_equal (ui_harness_sql_int (h, "SELECT count(*) FROM audit_records WHERE kind = "
                                             "'audit_export'"),
                      2);
    ui_harness_free (h);
}

/* Everything an auditor can do leaves every table but the audit log's
 * own as it was (KR-31). */
static void
test_read_only (void **state)
{
    Prepare p = { .sessions = TRUE, .change_initial = TRUE };
    UiHarness *h = start (&p);
    g_autofree char *medium = ui_harness_mkdir (h, "medium");
    g_autofree char *before = NULL, *after = NULL;
    gint64 last_before = ui_harness_sql_int (h, "SELECT max(seq) FROM audit_records");
    KikanAuditorView *view;
    const char *views[] = { "sessions", "findings", "overrides", "logins", "records" };

    before = dump_store (h);
    view = signed_in (h);
    for (gsize i = 0; i < G_N_ELEMENTS (views); i++) {
        act (h, "auditor.view", g_variant_new_string (views[i]));
        act (h, "auditor.filter", filter ("employee", g_variant_new_string ("E1001")));
    }
    act (h, "auditor.show", g_variant_new_int64 (2));
    act (h, "auditor.back", NULL);
    act (h, "auditor.verify", g_variant_new_string (""));
    settle (view, "the verification");
    act (h, "auditor.sample", g_variant_new ("(sxs)", "", (gint64)1, ""));
    settle (view, "the draw");
    act (h, "auditor.attest",
         g_variant_new ("(xss)", prop_int64 (view, "sample-id"), "Aoki", "Looked at it."));
    settle (view, "the attestation");
    act (h, "auditor.export", g_variant_new ("(ss)", "bundle", medium));
    settle (view, "the bundle");
    act (h, "auditor.export", g_variant_new ("(ss)", "csv", medium));
    settle (view, "the CSV");
    act (h, "auditor.logout", NULL);
    ui_harness_spin (100);
    after = dump_store (h);
    assert_string_equal (before, after);
    /* What was written is the library's own records of it. */
    {
        g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_records WHERE seq > "
                                                "%lld AND kind NOT IN ('it_login', "
                                                "'audit_sample', 'audit_attestation', "
                                                "'audit_export')",
                                                (long long)last_before);

        assert_true (ui_harness_sql_int (h, "SELECT max(seq) FROM audit_records") > last_before);
        assert_int_equal (ui_harness_sql_int (h, sql), 0);
    }
    ui_harness_free (h);
}

/* ---- No secret left behind ------------------------------------------------ */

/* The secret fields of the view (the template's ids): the two passwords of
 * the sign-in and the change, and the verification key, which checks and
 * so could forge the log's seals. */
static const char *const secret_fields[]
    = { "signin_password", "change_new", "change_again", "verify_key" };

static GtkWidget *
view_child (KikanAuditorView *view, const char *id)
{
    GObject *child
        = gtk_widget_get_template_child (GTK_WIDGET (view), KIKAN_TYPE_AUDITOR_VIEW, id);

    if (child == NULL)
        fail_msg ("the auditor view has no %s", id);
    return GTK_WIDGET (child);
}

static const char *
field_text (KikanAuditorView *view, const char *id)
{
    return gtk_editable_get_text (GTK_EDITABLE (view_child (view, id)));
}

static void
type (KikanAuditorView *view, const char *id, const char *text)
{
    gtk_editable_set_text (GTK_EDITABLE (view_child (view, id)), text);
}

/* Enter in a field, as the person presses it (the sign-in and the change). */
static void
press_enter (KikanAuditorView *view, const char *id)
{
    g_signal_emit_by_name (view_child (view, id), "entry-activated");
}

static void
assert_no_secret_left (KikanAuditorView *view, const char *when)
{
    for (gsize i = 0; i < G_N_ELEMENTS (secret_fields); i++)
        if (field_text (view, secret_fields[i])[0] != '\0')
            fail_msg ("%s: %s still holds “%s”", when, secret_fields[i],
                      field_text (view, secret_fields[i]));
}

static gboolean
no_secret_left (gpointer view)
{
    for (gsize i = 0; i < G_N_ELEMENTS (secret_fields); i++)
        if (field_text (view, secret_fields[i])[0] != '\0')
            return FALSE;
    return TRUE;
}

static void
assert_page (KikanAuditorView *view, const char *want)
{
    g_autofree char *page = prop_string (view, "page");

    assert_string_equal (page, want);
}

static void
assert_said (KikanAuditorView *view, const char *part)
{
    g_autofree char *message = prop_string (view, "message");

    if (message == NULL || strstr (message, part) == NULL)
        fail_msg ("the view said “%s”, not “%s”", message != NULL ? message : "", part);
}

/* A failed sign-in leaves no password behind, not even one typed while it
 * was checked; nor does a verification key, whether it was taken or not,
 * nor a password typed on a sign-in page the window then leaves.  A
 * sign-in answered after the mode was left opens nothing. */
static void
test_signin_clears (void **state)
{
    Prepare p = { .sessions = FALSE, .change_initial = FALSE };
    UiHarness *h = start (&p);
    KikanAuditorView *view = auditor_mode (h);

    type (view, "signin_account", "aud01");
    type (view, "signin_password", "not the password at all");
    press_enter (view, "signin_password");
    assert_true (prop_bool (view, "busy"));
    type (view, "signin_password", INITIAL);
    settle (view, "the sign-in");
    assert_false (prop_bool (view, "signed-in"));
    assert_said (view, "Not signed in");
    assert_page (view, "signin");
    assert_no_secret_left (view, "after a failed sign-in");

    /* Typed, then the mode leaves the screen. */
    type (view, "signin_password", INITIAL);
    ui_harness_activate (h->window, "win.mode", g_variant_new_string ("employee"));
    ui_harness_wait_for (no_secret_left, view, 5000, "the password emptied on leaving");

    /* The right initial password, and the mode left while it is checked:
     * its answer opens no change page for the next person to choose the
     * account's password on. */
    view = auditor_mode (h);
    type (view, "signin_account", "aud01");
    type (view, "signin_password", INITIAL);
    press_enter (view, "signin_password");
    assert_true (prop_bool (view, "busy"));
    ui_harness_activate (h->window, "win.mode", g_variant_new_string ("employee"));
    settle (view, "the sign-in");
    assert_page (view, "signin");
    assert_false (prop_bool (view, "signed-in"));
    view = auditor_mode (h);
    assert_page (view, "signin");
    type (view, "change_new", AUDITOR_PASSWORD);
    type (view, "change_again", AUDITOR_PASSWORD);
    press_enter (view, "change_again");
    settle (view, "a change nobody may make");
    assert_int_equal (ui_harness_sql_int (h, "SELECT must_change FROM it_accounts WHERE id = "
                                             "'aud01'"),
                      1);
    assert_no_secret_left (view, "after a sign-in answered once the mode was left");

    /* The verification key: emptied after a check, and after one refused. */
    act (h, "auditor.change-password",
         g_variant_new ("(sss)", "aud01", INITIAL, AUDITOR_PASSWORD));
    settle (view, "the password change");
    login (h, view, "aud01", AUDITOR_PASSWORD);
    assert_true (prop_bool (view, "signed-in"));
    act (h, "auditor.view", g_variant_new_string ("verify"));
    type (view, "verify_key", "kikan-vk1:not-a-key");
    g_signal_emit_by_name (view_child (view, "verify_button"), "clicked");
    assert_said (view, "not a verification key");
    assert_no_secret_left (view, "after a key that was refused");
    type (view, "verify_key", "");
    g_signal_emit_by_name (view_child (view, "verify_button"), "clicked");
    type (view, "verify_key", "kikan-vk1:typed while it was checked");
    settle (view, "the verification");
    assert_no_secret_left (view, "after a verification");
    ui_harness_free (h);
}

/* The hostile review's case in this mode: a change of the initial
 * password that fails, whichever way, keeps neither the fields nor the
 * initial password the sign-in gave it; the change page is left, and
 * nobody can set the account's password from it afterwards.  Signing in
 * again with the initial password still changes it. */
static void
test_change_clears (void **state)
{
    Prepare p = { .sessions = FALSE, .change_initial = FALSE };
    UiHarness *h = start (&p);
    KikanAuditorView *view = auditor_mode (h);

    /* A new password the policy turns down. */
    login (h, view, "aud01", INITIAL);
    assert_page (view, "change");
    assert_no_secret_left (view, "on the change page");
    type (view, "change_new", "short");
    type (view, "change_again", "short");
    press_enter (view, "change_again");
    settle (view, "the change of password");
    assert_no_secret_left (view, "after a rejected new password");
    /* Whoever comes next cannot choose the password from here. */
    type (view, "change_new", AUDITOR_PASSWORD);
    type (view, "change_again", AUDITOR_PASSWORD);
    press_enter (view, "change_again");
    settle (view, "a change nobody may make");
    assert_no_secret_left (view, "after a change with no sign-in");
    assert_int_equal (ui_harness_sql_int (h, "SELECT must_change FROM it_accounts WHERE id = "
                                             "'aud01'"),
                      1);
    assert_page (view, "signin");
    assert_said (view, "Sign in again with your initial password");

    /* Two different new passwords: turned down before any check. */
    login (h, view, "aud01", INITIAL);
    assert_page (view, "change");
    type (view, "change_new", AUDITOR_PASSWORD);
    type (view, "change_again", AUDITOR_PASSWORD "x");
    press_enter (view, "change_again");
    assert_false (prop_bool (view, "busy"));
    assert_no_secret_left (view, "after two different new passwords");
    assert_said (view, "The two new passwords differ");
    assert_page (view, "signin");

    /* The initial password again: the change goes through. */
    login (h, view, "aud01", INITIAL);
    type (view, "change_new", AUDITOR_PASSWORD);
    type (view, "change_again", AUDITOR_PASSWORD);
    press_enter (view, "change_again");
    settle (view, "the change of password");
    assert_no_secret_left (view, "after the change");
    assert_said (view, "Your password was changed");
    assert_int_equal (ui_harness_sql_int (h, "SELECT must_change FROM it_accounts WHERE id = "
                                             "'aud01'"),
                      0);
    ui_harness_free (h);
}

static gboolean
not_in_auditor_mode (gpointer data)
{
    return g_strcmp0 (kikan_kiosk_window_get_mode (((UiHarness *)data)->window), "auditor") != 0;
}

/* Waits for auditor mode to leave the screen by itself, and fails when it
 * does before the 10 s configured. */
static void
wait_for_timeout (UiHarness *h, gint64 start, const char *what)
{
    double waited;

    ui_harness_wait_for (not_in_auditor_mode, h, 60000, what);
    waited = (g_get_monotonic_time () - start) / 1e6;
    if (waited < 9.0)
        fail_msg ("%s after %.1f s, before the 10 s configured", what, waited);
}

/* Auditor mode on screen goes back after [it] idle_seconds without a key
 * or a touch, as IT mode does: the change page (holding the initial
 * password the sign-in gave it), the sign-in page with a password half
 * typed, and a signed-in auditor's log.  Nothing typed stays. */
static void
test_idle (void **state)
{
    Prepare p
        = { .sessions = FALSE, .change_initial = FALSE, .conf = "[it]\nidle_seconds = 10\n" };
    UiHarness *h = start (&p);
    KikanAuditorView *view = auditor_mode (h);
    gint64 start_time;

    login (h, view, "aud01", INITIAL);
    assert_page (view, "change");
    start_time = g_get_monotonic_time ();
    type (view, "change_new", AUDITOR_PASSWORD);
    wait_for_timeout (h, start_time, "the change page closed");
    ui_harness_wait_for (no_secret_left, view, 5000, "the fields emptied");
    assert_page (view, "signin");
    /* The initial password it held is gone: the change page does nothing. */
    view = auditor_mode (h);
    type (view, "change_new", AUDITOR_PASSWORD);
    type (view, "change_again", AUDITOR_PASSWORD);
    press_enter (view, "change_again");
    settle (view, "a change nobody may make");
    assert_int_equal (ui_harness_sql_int (h, "SELECT must_change FROM it_accounts WHERE id = "
                                             "'aud01'"),
                      1);

    /* The sign-in page alone. */
    ui_harness_activate (h->window, "win.mode", g_variant_new_string ("employee"));
    view = auditor_mode (h);
    start_time = g_get_monotonic_time ();
    type (view, "signin_password", INITIAL);
    wait_for_timeout (h, start_time, "the sign-in page closed");
    ui_harness_wait_for (no_secret_left, view, 5000, "the password emptied");

    /* A signed-in auditor. */
    view = auditor_mode (h);
    act (h, "auditor.login", g_variant_new ("(ss)", "aud01", INITIAL));
    settle (view, "the sign-in");
    act (h, "auditor.change-password",
         g_variant_new ("(sss)", "aud01", INITIAL, AUDITOR_PASSWORD));
    settle (view, "the password change");
    login (h, view, "aud01", AUDITOR_PASSWORD);
    assert_true (prop_bool (view, "signed-in"));
    start_time = g_get_monotonic_time ();
    wait_for_timeout (h, start_time, "the auditor's session closed");
    ui_harness_wait_for (signed_out, view, 5000, "the sign-out");
    ui_harness_free (h);
}

int
main (int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_signin),        cmocka_unit_test (test_filters),
        cmocka_unit_test (test_verify),        cmocka_unit_test (test_sample),
        cmocka_unit_test (test_export),        cmocka_unit_test (test_read_only),
        cmocka_unit_test (test_hostile),       cmocka_unit_test (test_screens),
        cmocka_unit_test (test_signin_clears), cmocka_unit_test (test_change_clears),
        cmocka_unit_test (test_idle),
    };

    return ui_harness_main (tests, G_N_ELEMENTS (tests), argc, argv);
}
