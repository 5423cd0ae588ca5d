/* Kikan kiosk: `kikan checkin --script FILE [--json] …` and `kikan checkin
 * --recover` (issue #9 item 4; docs/checkin.md).
 *
 * Plays a whole check-in from a script through the check-in library, the
 * way the GTK kiosk drives it: on a main loop, inspections in the
 * background, USB removals followed.  Exit status: 0 only for an overall
 * CLEARED; 1 QUARANTINE; 3 any other verdict (CONDITIONAL, HOLD, NOT
 * RETURNED); 2 when the check-in could not be done (nothing decided). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include <sqlite3.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "checkin-private.h"
#include "db-file-private.h"
#include "audit-capacity-private.h"
#include "audit-events-private.h"
#include "cli-private.h"
#include "slip-print-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "format-private.h"
#include "paths-private.h"
#include "policy-private.h"
#include "seal-private.h"
#include "slip-private.h"
#include "store-private.h"
#include "usb-private.h"

typedef struct {
    GMainLoop *loop;
    KikanCheckin *checkin;
    gboolean visit_over;
    GError *error; /* the first inspection the store could not record */
} Run;

/* One check-in at a time per home: the lock is held for the life of the
 * command, so that whatever a session left open was left by a process
 * that is gone (kikan_checkin_recover). */
static int
take_lock (KikanHome *home, GError **error)
{
    g_autofree char *dir = kikan_home_ensure_dir (home, NULL, error);
    g_autofree char *path = NULL;
    int fd;

    if (dir == NULL)
        return -1;
    path = g_build_filename (dir, "checkin.lock", NULL);
    fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) != 0) {
        int saved = errno;

        if (fd >= 0)
            close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_BUSY,
                     saved == EWOULDBLOCK
                         ? "Another check-in is running on this kiosk. Wait for it to end."
                         : "The check-in lock %s cannot be taken: %s. Run kikan as the kiosk "
                           "user, who owns the state directory.",
                     path, g_strerror (saved));
        return -1;
    }
    return fd;
}

/* MAL-05 for a session in which no medium is read: the newest verified
 * signed database, as `kikan signatures status` judges it. */
static void
measure_signatures (KikanDbSources *sources, guint max_age_days, char **invalid, char **version,
                    char **date)
{
    gint64 newest = 0;
    guint newest_version = 0;
    double age = 0;
    KikanDbAge state;

    for (guint i = 0; i < kikan_db_sources_get_n (sources); i++) {
        g_autoptr (GPtrArray) files = kikan_db_sources_list_files (sources, i);

        for (guint k = 0; files != NULL && k < files->len; k++) {
            const KikanDbFile *f = files->pdata[k];

            if (f->verified && f->build_time > newest) {
                newest = f->build_time;
                newest_version = f->version;
            }
        }
    }
    state = kikan_db_age_assess (newest, max_age_days, g_get_real_time () / G_USEC_PER_SEC, &age);
    if (newest > 0) {
        g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (newest);

        *date = g_date_time_format (dt, "%Y-%m-%d");
        *version = g_strdup_printf ("%u", newest_version);
    }
    if (state == KIKAN_DB_AGE_NONE)
        *invalid = g_strdup ("include no official (signed) database");
    else if (state != KIKAN_DB_AGE_FRESH)
        *invalid
            = g_strdup_printf ("are %.1f days old, more than the %u allowed", age, max_age_days);
}

static void
on_progress (gint64 item_id, const KikanProgress *p, gpointer data)
{
    /* Progress is for a screen; the script's output stays quiet. */
}

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Run *run = user_data;
    g_autoptr (GError) error = NULL;

    if (!kikan_checkin_inspect_finish (run->checkin, result, &error)) {
        if (run->error == NULL && !g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_USAGE))
            run->error = g_steal_pointer (&error);
        else if (error != NULL)
            g_warning ("%s", error->message);
    }
    if (kikan_checkin_get_n_running (run->checkin) == 0)
        g_main_loop_quit (run->loop);
}

static void
on_block_removed (KikanUsbWatch *watch, const char *syspath, const char *node, gpointer data)
{
    Run *run = data;

    if (kikan_checkin_medium_removed (run->checkin, node) > 0
        || kikan_checkin_medium_removed (run->checkin, syspath) > 0) {
        g_autofree char *shown = kikan_escape_for_display (node, -1);

        fprintf (stderr, "kikan: %s was removed during the inspection: it is held for IT.\n",
                 shown);
    }
}

static void
on_device_removed (KikanUsbWatch *watch, const char *syspath, const char *const *nodes,
                   gpointer data)
{
    Run *run = data;

    (void)kikan_checkin_medium_removed (run->checkin, syspath);
    for (gsize i = 0; nodes != NULL && nodes[i] != NULL; i++)
        (void)kikan_checkin_medium_removed (run->checkin, nodes[i]);
}

static gboolean
on_visit_over (gpointer data)
{
    Run *run = data;

    run->visit_over = TRUE;
    g_main_loop_quit (run->loop);
    return G_SOURCE_REMOVE;
}

/* Plays @script; FALSE with @error when the check-in could not be done. */
static gboolean
play (Run *run, KikanScript *script, GError **error)
{
    g_autoptr (KikanUsbWatch) watch = NULL;
    g_autoptr (GArray) ids = g_array_new (FALSE, TRUE, sizeof (gint64));
    gboolean any_medium = FALSE;
    guint visit = 0;

    for (guint i = 0; i < script->answers->len; i++) {
        KikanScriptAnswer *a = script->answers->pdata[i];

        if (!kikan_checkin_answer (run->checkin, a->question, a->answer, a->followup_json, error))
            return FALSE;
    }
    for (guint i = 0; i < script->missing->len; i++)
        if (kikan_checkin_declare_missing (run->checkin, script->missing->pdata[i], error) == 0)
            return FALSE;
    for (guint i = 0; i < script->present->len; i++) {
        KikanScriptPresent *p = script->present->pdata[i];

        if (p->usb_device != NULL && watch == NULL) {
            /* Followed from before the medium is identified, so that a
             * removal at any moment of its inspection is seen. */
            watch = kikan_usb_watch_new (FALSE);
            g_signal_connect (watch, "block-removed", G_CALLBACK (on_block_removed), run);
            g_signal_connect (watch, "device-removed", G_CALLBACK (on_device_removed), run);
        }
        gint64 id = kikan_checkin_present (run->checkin, p, error);

        if (id == 0)
            return FALSE;
        g_array_append_val (ids, id);
    }
    /* Every medium is queued at once; the inspector reads them one after
     * the other with one warm engine. */
    for (guint i = 0; i < script->present->len; i++) {
        KikanScriptPresent *p = script->present->pdata[i];
        gint64 id = g_array_index (ids, gint64, i);

        if (p->medium == NULL)
            continue;
        {
            g_autofree char *shown = kikan_escape_for_display (p->medium, -1);

            fprintf (stderr, "kikan: inspecting item %" G_GINT64_FORMAT " (%s)…\n", id, shown);
        }
        kikan_checkin_inspect_async (run->checkin, id, on_progress, run, on_inspected, run);
        any_medium = TRUE;
    }
    fflush (stderr);
    /* visit_seconds 0: the employee leaves at once; every result (they
     * come through this loop) arrives after the decision. */
    if (any_medium && script->visit_seconds != 0) {
        if (script->visit_seconds > 0)
            visit = g_timeout_add_seconds ((guint)script->visit_seconds, on_visit_over, run);
        g_main_loop_run (run->loop);
        if (visit != 0 && !run->visit_over)
            g_source_remove (visit);
    }
    if (run->error != NULL) {
        g_propagate_error (error, g_steal_pointer (&run->error));
        return FALSE;
    }
    return kikan_checkin_end_visit (run->checkin, error);
}

static const char *
str_member (JsonObject *o, const char *m)
{
    return json_object_has_member (o, m) && JSON_NODE_HOLDS_VALUE (json_object_get_member (o, m))
               ? json_object_get_string_member (o, m)
               : NULL;
}

static void
print_reasons (JsonObject *o, const char *indent)
{
    JsonArray *reasons = json_object_has_member (o, "reasons")
                             ? json_object_get_array_member (o, "reasons")
                             : NULL;

    for (guint i = 0; reasons != NULL && i < json_array_get_length (reasons); i++) {
        JsonObject *r = json_array_get_object_element (reasons, i);
        g_autofree char *text = kikan_escape_for_display (str_member (r, "text"), -1);

        printf ("%s%s (%s) %s\n", indent, str_member (r, "code"), str_member (r, "provenance"),
                text);
        /* KR-28: what a CONDITIONAL clearance asks, and until when. */
        if (json_object_has_member (r, "condition")
            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (r, "condition"))) {
            JsonObject *c = json_object_get_object_member (r, "condition");
            g_autofree char *what = kikan_escape_for_display (str_member (c, "text"), -1);
            const char *until = str_member (c, "until");

            printf ("%*s  condition: %s%s%s\n", (int)strlen (indent), "", what,
                    until ? " — until " : "", until ? until : "");
        }
    }
}

/* "NOT RETURNED" for "not_returned": the headings of REQUIREMENTS 5.3. */
static char *
verdict_shown (const char *v)
{
    char *up = g_ascii_strup (v != NULL ? v : "undecided", -1);

    g_strdelimit (up, "_", ' ');
    return up;
}

/* The human summary, from what was recorded. */
static void
print_session (JsonNode *root)
{
    JsonObject *o = json_node_get_object (root);
    JsonObject *emp = json_object_get_object_member (o, "employee");
    JsonArray *items = json_object_get_array_member (o, "items");
    JsonArray *incidents = json_object_get_array_member (o, "incidents");
    g_autofree char *name = kikan_escape_for_display (str_member (emp, "name"), -1);
    g_autofree char *id = kikan_escape_for_display (str_member (emp, "id"), -1);
    g_autofree char *overall = verdict_shown (str_member (o, "verdict"));

    printf ("Check-in %s for %s (%s)\n", str_member (o, "session"), id, name);
    for (guint i = 0; i < json_array_get_length (items); i++) {
        JsonObject *it = json_array_get_object_element (items, i);
        g_autofree char *asset = kikan_escape_for_display (
            str_member (it, "asset")          ? str_member (it, "asset")
            : str_member (it, "presented_as") ? str_member (it, "presented_as")
                                              : "(unregistered medium)",
            -1);
        g_autofree char *verdict = verdict_shown (str_member (it, "verdict"));

        printf ("  %-12s %-8s %-10s %s\n", asset,
                str_member (it, "type") ? str_member (it, "type") : "-",
                str_member (it, "presence"), verdict);
        print_reasons (it, "      ");
    }
    print_reasons (o, "  session: ");
    for (guint i = 0; i < json_array_get_length (incidents); i++) {
        JsonObject *n = json_array_get_object_element (incidents, i);
        g_autofree char *asset = kikan_escape_for_display (str_member (n, "asset"), -1);

        printf ("Incident %s opened (%s%s%s)\n", str_member (n, "number"), str_member (n, "kind"),
                str_member (n, "asset") ? ", " : "", str_member (n, "asset") ? asset : "");
    }
    printf ("Overall: %s\n", overall);
    if (json_object_has_member (o, "slip")
        && JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "slip"))) {
        JsonObject *slip = json_object_get_object_member (o, "slip");
        g_autofree char *pdf = kikan_escape_for_display (str_member (slip, "pdf"), -1);

        printf ("Slip %s: %s\n", str_member (slip, "number"), pdf);
    }
}

static int
exit_for_verdict (const char *v)
{
    if (g_strcmp0 (v, "cleared") == 0)
        return KIKAN_EXIT_OK;
    if (g_strcmp0 (v, "quarantine") == 0)
        return KIKAN_EXIT_INFECTED;
    if (v == NULL)
        return KIKAN_EXIT_ERROR;
    return KIKAN_EXIT_STALE; /* 3: not cleared (conditional, hold, not returned) */
}

/* At each start (issue #10; KR-32, Admin J-5, J-6, J-8): a kikan.conf or
 * policy file that changed since the last check-in is recorded in the
 * audit trail (IT edits them by hand, so nothing else can), and a disk
 * that will not hold another year of records is said, and recorded once a
 * day. */
static gboolean
note_kiosk_state (KikanHome *home, KikanStore *store, const char *policy_path, GError **error)
{
    g_autofree char *conf = kikan_home_dup_config_path (home);
    const char *files[] = { "kikan.conf", conf, "policy", policy_path, NULL };
    KikanAuditCapacity cap = { 0 };
    guint64 min_free_mb = KIKAN_AUDIT_MIN_FREE_MB_DEFAULT;
    g_autofree char *today = kikan_store_today ();
    gboolean ok = TRUE;

    if (!g_file_test (conf, G_FILE_TEST_EXISTS))
        files[1] = NULL;
    if (!kikan_audit_note_files (store, files, NULL, error)
        || !kikan_audit_capacity_load_min_free_mb (conf, &min_free_mb, error)
        || !kikan_audit_capacity (store, min_free_mb, &cap, error))
        return FALSE;
    if (cap.warning) {
        sqlite3_stmt *st;
        gboolean noted_today = FALSE;

        fprintf (stderr, "kikan: WARNING: %s\n", cap.warning_text);
        st = kikan_store_prepare (store,
                                  "SELECT 1 FROM audit_records WHERE kind = 'capacity_warning' "
                                  "AND substr(at, 1, 10) = ? LIMIT 1",
                                  error);
        if (st == NULL) {
            kikan_audit_capacity_clear (&cap);
            return FALSE;
        }
        kikan_store_bind_text (st, 1, today);
        noted_today = sqlite3_step (st) == SQLITE_ROW;
        sqlite3_finalize (st);
        if (!noted_today) {
            ok = kikan_store_begin (store, error)
                 && kikan_audit_capacity_record_warning (store, &cap, error)
                 && kikan_store_commit (store, error);
            if (!ok)
                kikan_store_rollback (store);
        }
    }
    kikan_audit_capacity_clear (&cap);
    return ok;
}

/* Issue #10 item 4 (KR-27): the slip of the session that just ended, when
 * the kiosk can sign one.  The check-in is recorded whatever happens here:
 * a slip that cannot be issued is said plainly, with what to do, and
 * "slip" is null in the JSON ("slip_not_issued" says why). */
static void
issue_slip (KikanStore *store, KikanHome *home, gint64 session_id, JsonNode *root)
{
    JsonObject *o = json_node_get_object (root);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanSlipConfig) config = NULL;
    g_autoptr (KikanSlipIssued) slip = NULL;
    g_autofree char *config_path = kikan_home_dup_config_path (home);
    gboolean initialised = kikan_audit_identity (store, NULL, NULL, &error);

    if (initialised && (config = kikan_slip_config_load (config_path, &error)) != NULL)
        slip = kikan_slip_issue (store, home, session_id, config->layout, config->language, 0,
                                 &error);
    if (slip == NULL) {
        g_autofree char *why = NULL;

        if (!initialised && error == NULL)
            why = g_strdup ("This kiosk has no signing key yet: IT must run `kikan audit init` "
                            "once.");
        else
            why = g_strdup_printf ("%s IT can issue it later with `kikan slip issue %"
                                   G_GINT64_FORMAT "`.",
                                   error->message, session_id);
        fprintf (stderr, "kikan: NO SLIP was issued for this check-in (it is recorded): %s\n",
                 why);
        json_object_set_null_member (o, "slip");
        json_object_set_string_member (o, "slip_not_issued", why);
        return;
    }
    {
        JsonObject *s = json_object_new ();

        json_object_set_string_member (s, "number", slip->number);
        json_object_set_string_member (s, "pdf", slip->pdf_path);
        json_object_set_string_member (s, "payload", slip->payload);
        json_object_set_object_member (o, "slip", s);
    }
    /* Issue #10 item 6: printed without a dialog to the [print] queue;
     * with none, or a printer that fails, the person is told, the PDF
     * stays archived and the attempt is recorded (slip_prints and a
     * "slip_print" record). */
    {
        g_autoptr (GError) print_error = NULL;
        g_autoptr (KikanSlipPrintOutcome) outcome = NULL;
        JsonObject *p = json_object_new ();
        gboolean recorded = kikan_slip_print_recorded (store, home, slip->number, NULL, &outcome,
                                                       &print_error);

        json_object_set_string_member (
            p, "outcome", outcome != NULL ? kikan_slip_print_outcome_name (outcome->kind)
                                          : "failed");
        if (outcome != NULL && outcome->queue != NULL)
            json_object_set_string_member (p, "queue", outcome->queue);
        else
            json_object_set_null_member (p, "queue");
        json_object_set_boolean_member (p, "recorded", recorded);
        if (outcome != NULL && outcome->message != NULL)
            json_object_set_string_member (p, "message", outcome->message);
        else if (print_error != NULL)
            json_object_set_string_member (p, "message", print_error->message);
        json_object_set_object_member (json_object_get_object_member (o, "slip"), "print", p);
        if (!recorded)
            fprintf (stderr, "kikan: the slip %s could not be printed or recorded: %s It is "
                             "archived at %s; IT can print it with `kikan slip print %s`.\n",
                     slip->number, print_error->message, slip->pdf_path, slip->number);
        else if (outcome->kind != KIKAN_SLIP_PRINT_PRINTED)
            fprintf (stderr, "kikan: the slip %s was NOT printed: %s\n", slip->number,
                     outcome->message);
    }
}

int
kikan_cmd_checkin (int argc, char **argv)
{
    g_autofree char *script_path = NULL;
    g_autofree char *kiosk_id = NULL;
    g_autofree char *policy_file = NULL;
    g_autofree char *usb_models = NULL;
    g_auto (GStrv) databases = NULL;
    gboolean json = FALSE, recover_only = FALSE;
    const GOptionEntry entries[] = {
        { "script", 's', 0, G_OPTION_ARG_FILENAME, &script_path,
          "Play the check-in described by this JSON file (docs/checkin.md)", "FILE" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-checkin JSON document", NULL },
        { "recover", 0, 0, G_OPTION_ARG_NONE, &recover_only,
          "Only close the sessions a crash left open, then exit", NULL },
        { "kiosk-id", 0, 0, G_OPTION_ARG_STRING, &kiosk_id,
          "This kiosk's name on the record (default: the host name)", "ID" },
        { "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_file,
          "Judge software with this policy file (default /etc/kikan/policy.conf)", "FILE" },
        { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
          "Load this database file or folder instead of the defaults (repeatable)", "PATH" },
        { "usb-models", 0, 0, G_OPTION_ARG_FILENAME, &usb_models,
          "Hardware-encrypted USB models (default /etc/kikan/usb.conf when present)", "FILE" },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("— a returning employee's check-in, played from a script");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanConfig) config = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanScript) script = NULL;
    g_autoptr (KikanPolicy) policy = NULL;
    g_autoptr (KikanDbSources) sources = NULL;
    g_autoptr (KikanInspector) inspector = NULL;
    g_autoptr (KikanCheckin) checkin = NULL;
    g_autoptr (JsonNode) root = NULL;
    g_autoptr (GMainLoop) loop = NULL;
    g_autofree char *policy_path = NULL;
    g_autofree char *why_no_policy = NULL;
    g_autofree char *scand = NULL;
    g_autofree char *sig_invalid = NULL, *sig_version = NULL, *sig_date = NULL;
    g_autofree char *verdict = NULL;
    KikanInspectorConfig icfg = { 0 };
    KikanCheckinOptions options = { 0 };
    gboolean null_sandbox = FALSE;
    Run run = { 0 };
    guint recovered = 0;
    int lock = -1;
    int status;

    g_option_context_add_main_entries (context, entries, NULL);
    g_option_context_set_description (
        context, "Exit status: 0 CLEARED, 1 QUARANTINE, 3 any other verdict "
                 "(CONDITIONAL, HOLD, NOT RETURNED), 2 the check-in could not "
                 "be done. See docs/checkin.md.");
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (script_path == NULL && !recover_only) {
        fprintf (stderr, "kikan: give --script FILE (or --recover).\n");
        return KIKAN_EXIT_ERROR;
    }
    /* The whole script is checked before anything is recorded. */
    if (script_path != NULL && (script = kikan_script_load (script_path, &error)) == NULL)
        goto fail;
    /* A medium that is not there is a typo or a stick already pulled:
     * said before anything is recorded. */
    for (guint i = 0; script != NULL && i < script->present->len; i++) {
        const KikanScriptPresent *p = script->present->pdata[i];

        if (p->medium != NULL && !g_file_test (p->medium, G_FILE_TEST_EXISTS)) {
            g_autofree char *shown = kikan_escape_for_display (p->medium, -1);

            g_set_error (&error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "present[%u]: the medium %s does not exist. Plug it in again, or "
                         "correct the script; nothing was recorded.",
                         i, shown);
            goto fail;
        }
    }
    if (!kikan_cli_null_sandbox_requested (&null_sandbox, &error))
        goto fail;
    if ((config = kikan_cli_load_config (home, &error)) == NULL)
        goto fail;
    if ((lock = take_lock (home, &error)) < 0)
        goto fail;
    if ((store = kikan_store_open (home, &error)) == NULL)
        goto fail;
    if (!kikan_checkin_recover (store, &recovered, &error))
        goto fail;
    if (recovered > 0)
        fprintf (stderr,
                 "kikan: %u check-in session(s) left open by a crash or power loss were "
                 "closed as incomplete; IT sees them with “kikan it list”.\n",
                 recovered);
    if (recover_only) {
        close (lock);
        return KIKAN_EXIT_OK;
    }
    if (!kikan_cli_load_policy (policy_file, &policy, &policy_path, &why_no_policy, &error))
        goto fail;
    if (!note_kiosk_state (home, store, policy_path, &error))
        goto fail;
    if ((sources = kikan_cli_resolve_databases (home, config, databases, &error)) == NULL)
        goto fail;
    /* When a medium is read, the session's MAL-05 comes from the engine
     * that read it (the daemon verifies every signed database as it
     * loads); verifying them here too would read them twice.  Should no
     * inspection end, the session is held rather than assumed fresh. */
    {
        gboolean any_medium = FALSE;

        for (guint i = 0; i < script->present->len; i++)
            any_medium |= ((KikanScriptPresent *)script->present->pdata[i])->medium != NULL;
        if (any_medium)
            sig_invalid = g_strdup ("were not measured: no medium was read to the end");
        else
            measure_signatures (sources, config->max_age_days, &sig_invalid, &sig_version,
                                &sig_date);
    }
    kikan_cli_use_home_tmpdir (home);
    scand = kikan_paths_dup_scand ();
    icfg.scand_path = scand;
    icfg.databases = (char **)kikan_db_sources_get_paths (sources);
    icfg.limits = config->limits;
    icfg.jobs = config->jobs;
    icfg.timeout_s = config->timeout_s;
    icfg.null_sandbox = null_sandbox;
    icfg.max_age_days = config->max_age_days;
    inspector = kikan_inspector_new (&icfg, policy);

    if (kiosk_id == NULL)
        kiosk_id = g_strdup (g_get_host_name ());
    options.kiosk_id = kiosk_id;
    options.policy_version = policy != NULL ? kikan_policy_get_version (policy) : NULL;
    if (usb_models == NULL && g_file_test ("/etc/kikan/usb.conf", G_FILE_TEST_EXISTS))
        usb_models = g_strdup ("/etc/kikan/usb.conf");
    options.usb_models_path = usb_models;
    options.signatures_invalid = sig_invalid;
    options.signatures_version = sig_version;
    options.signatures_date = sig_date;
    options.max_age_days = config->max_age_days;
    /* Everything a script can get wrong is said before anything is
     * recorded. */
    if (!kikan_checkin_check_script (store, script, &error))
        goto fail;
    if ((checkin = kikan_checkin_begin (store, inspector, &options, script->employee, &error))
        == NULL)
        goto fail;
    loop = g_main_loop_new (NULL, FALSE);
    run.loop = loop;
    run.checkin = checkin;
    if (!play (&run, script, &error)) {
        g_autoptr (GError) abandon_error = NULL;

        /* Whatever went wrong after the session began, it is closed as
         * incomplete now, not left open for the next start. */
        if (!kikan_checkin_abandon (checkin, &abandon_error))
            g_warning ("%s", abandon_error->message);
        goto fail;
    }
    /* The visit is over; inspections still running are attached to the
     * session when they end (item 7): the decision as the employee leaves
     * is printed now, the final one is in the store. */
    if ((root = kikan_checkin_to_json (checkin, &error)) == NULL)
        goto fail;
    issue_slip (store, home, kikan_checkin_get_session_id (checkin), root);
    if (json)
        kikan_cli_print_json (root);
    else
        print_session (root);
    fflush (stdout);
    verdict = kikan_checkin_dup_verdict (store, kikan_checkin_get_session_id (checkin));
    status = exit_for_verdict (verdict);
    if (kikan_checkin_get_n_running (checkin) > 0) {
        g_autofree char *final = NULL;

        fprintf (stderr,
                 "kikan: %u inspection(s) go on after the visit; their results will "
                 "be attached to session %s for IT.\n",
                 kikan_checkin_get_n_running (checkin), kikan_checkin_get_uuid (checkin));
        g_main_loop_run (loop);
        /* The exit status is the verdict in force when kikan exits, so that
         * a headless caller learns of malware found after the visit. */
        final = kikan_checkin_dup_verdict (store, kikan_checkin_get_session_id (checkin));
        if (g_strcmp0 (final, verdict) != 0) {
            g_autofree char *shown = verdict_shown (final);

            fprintf (stderr,
                     "kikan: after the visit, the inspections changed the verdict of session "
                     "%s to %s: “kikan it show %" G_GINT64_FORMAT "” shows why.\n",
                     kikan_checkin_get_uuid (checkin), shown,
                     kikan_checkin_get_session_id (checkin));
            status = exit_for_verdict (final);
        }
    }
    g_clear_pointer (&checkin, kikan_checkin_free);
    close (lock);
    return status;

fail:
    kikan_cli_print_error (error);
    if (lock >= 0)
        close (lock);
    return KIKAN_EXIT_ERROR;
}
