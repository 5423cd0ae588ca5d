/* Kikan kiosk: `kikan checkin --script FILE [--json] …` and `kikan checkin
 * --recover` (issue #9 item 4; docs/checkin.md).
 *
 * Plays a whole check-in from a script through the check-in library, the
 * way the GTK kiosk drives it: on a main loop, inspections in the
 * background, USB removals followed.  Exit status: 0 only for an overall
 * CLEARED; 1 QUARANTINE; 3 any other verdict (CONDITIONAL, HOLD, NOT
 * RETURNED); 2 when the check-in could not be done (nothing decided). */
#include <stdio.h>
#include <string.h>

#include "checkin-private.h"
#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "station-private.h"
#include "usb-private.h"

typedef struct {
    GMainLoop *loop;
    KikanCheckin *checkin;
    gboolean visit_over;
    GError *error; /* the first inspection the store could not record */
} Run;

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

/* What the person and IT are told about the slip on stderr (the JSON and
 * the summary carry the rest). */
static void
print_slip_problems (const KikanStationSlip *slip)
{
    if (slip->not_issued != NULL)
        fprintf (stderr, "kikan: NO SLIP was issued for this check-in (it is recorded): %s\n",
                 slip->not_issued);
    else if (!slip->print_recorded)
        fprintf (stderr, "kikan: the slip %s could not be printed or recorded: %s It is "
                         "archived at %s; IT can print it with `kikan slip print %s`.\n",
                 slip->number, slip->print_error, slip->pdf_path, slip->number);
    else if (g_strcmp0 (slip->print_outcome, "printed") != 0)
        fprintf (stderr, "kikan: the slip %s was NOT printed: %s\n", slip->number,
                 slip->print_message);
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
    g_autoptr (KikanStation) station = NULL;
    g_autoptr (KikanScript) script = NULL;
    g_autoptr (JsonNode) root = NULL;
    g_autoptr (GMainLoop) loop = NULL;
    g_autoptr (KikanStationSlip) slip = NULL;
    g_autofree char *verdict = NULL;
    KikanStationOptions options = { 0 };
    KikanCheckin *checkin = NULL;
    KikanStore *store;
    Run run = { 0 };
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
    if (!kikan_setup_null_sandbox_requested (&options.null_sandbox, &error))
        goto fail;
    options.kiosk_id = kiosk_id;
    options.policy_file = policy_file;
    options.databases = (const char *const *)databases;
    options.usb_models = usb_models;
    /* `kikan checkin` has never waited for a passed self-test; the kiosk
     * does (KR-36). */
    options.skip_selftest_gate = TRUE;
    options.recover_only = recover_only;
    if ((station = kikan_station_open (home, &options, &error)) == NULL)
        goto fail;
    store = kikan_station_get_store (station);
    if (kikan_station_get_n_recovered (station) > 0)
        fprintf (stderr,
                 "kikan: %u check-in session(s) left open by a crash or power loss were "
                 "closed as incomplete; IT sees them with “kikan it list”.\n",
                 kikan_station_get_n_recovered (station));
    if (recover_only)
        return KIKAN_EXIT_OK;
    checkin = kikan_station_begin_script (station, script, &error);
    if (kikan_station_get_disk_warning (station) != NULL)
        fprintf (stderr, "kikan: WARNING: %s\n", kikan_station_get_disk_warning (station));
    if (checkin == NULL)
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
        kikan_station_end_checkin (station, checkin);
        goto fail;
    }
    /* The visit is over; inspections still running are attached to the
     * session when they end (item 7): the decision as the employee leaves
     * is printed now, the final one is in the store. */
    if ((root = kikan_checkin_to_json (checkin, &error)) == NULL) {
        kikan_station_end_checkin (station, checkin);
        goto fail;
    }
    slip = kikan_station_issue_slip (station, kikan_checkin_get_session_id (checkin), root);
    print_slip_problems (slip);
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
    kikan_station_end_checkin (station, checkin);
    return status;

fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
