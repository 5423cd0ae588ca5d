/* Kikan kiosk: `kikan slip print NUMBER [--queue Q] [--server S] [--json]`
 * (issue #10 item 6; KR-27; docs/printing.md).
 *
 * Prints an issued slip's archived PDF (after checking its SHA-256) and
 * records the attempt (slip_prints + a "slip_print" audit record).  Exit
 * status: 0 printed; 2 not printed (no printer, a failing printer, a PDF
 * that changed since issue, no such slip), with a message saying what to
 * do.  The archived slip is never changed by this command. */
#include <stdio.h>

#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "slip-print-private.h"
#include "store-private.h"

static void
print_json (const KikanSlipPrintOutcome *o)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-slip-print");
    json_builder_set_member_name (b, "format_version");
    json_builder_add_int_value (b, 1);
    kikan_json_add_hostile_string (b, "slip", o->slip_number);
    json_builder_set_member_name (b, "outcome");
    json_builder_add_string_value (b, kikan_slip_print_outcome_name (o->kind));
    kikan_json_add_hostile_string (b, "queue", o->queue);
    json_builder_set_member_name (b, "job_id");
    if (o->job_id > 0)
        json_builder_add_int_value (b, o->job_id);
    else
        json_builder_add_null_value (b);
    json_builder_set_member_name (b, "print_id");
    json_builder_add_int_value (b, o->print_id);
    json_builder_set_member_name (b, "pdf_changed");
    json_builder_add_boolean_value (b, o->pdf_changed);
    kikan_json_add_hostile_string (b, "pdf", o->pdf_path);
    kikan_json_add_hostile_string (b, "message", o->message);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    kikan_cli_print_json (root);
}

int
kikan_cmd_slip_print (int argc, char **argv)
{
    g_autofree char *queue = NULL;
    g_autofree char *server = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "queue", 0, 0, G_OPTION_ARG_STRING, &queue, "CUPS queue (default: [print] queue)",
          "Q" },
        { "server", 0, 0, G_OPTION_ARG_STRING, &server,
          "CUPS server: socket path or host:port (default: [print] server)", "S" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print the outcome as JSON", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("NUMBER — print an issued slip and record the attempt");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanPrintSettings) settings = NULL;
    g_autoptr (KikanSlipPrintOutcome) outcome = NULL;
    g_autofree char *conf = NULL;
    gboolean recorded;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2) {
        fprintf (stderr, "Usage: kikan slip print NUMBER [--queue Q] [--server S] [--json]\n");
        return KIKAN_EXIT_ERROR;
    }
    conf = kikan_home_dup_config_path (home);
    if ((settings = kikan_print_settings_load (conf, &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (queue != NULL) {
        if (!kikan_print_queue_name_valid (queue)) {
            g_autofree char *shown = kikan_escape_for_display (queue, -1);

            fprintf (stderr, "kikan: --queue %s is not a CUPS queue name (1-127 printable "
                             "characters, no spaces, '/', '\\', '#' or quotes).\n", shown);
            return KIKAN_EXIT_ERROR;
        }
        g_free (settings->queue);
        settings->queue = g_steal_pointer (&queue);
    }
    if (server != NULL) {
        if (!kikan_print_server_valid (server)) {
            g_autofree char *shown = kikan_escape_for_display (server, -1);

            fprintf (stderr, "kikan: --server %s must be the path of the CUPS socket or "
                             "host:port.\n", shown);
            return KIKAN_EXIT_ERROR;
        }
        g_free (settings->server);
        settings->server = g_steal_pointer (&server);
    }
    if ((store = kikan_store_open (home, &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    recorded = kikan_slip_print_recorded (store, home, argv[1], settings, &outcome, &error);
    if (!recorded) {
        kikan_cli_print_error (error);
        /* A job that came out is still a printed slip, recorded or not. */
        return outcome != NULL && outcome->kind == KIKAN_SLIP_PRINT_PRINTED ? KIKAN_EXIT_OK
                                                                           : KIKAN_EXIT_ERROR;
    }
    if (json)
        print_json (outcome);
    else if (outcome->kind == KIKAN_SLIP_PRINT_PRINTED)
        printf ("%s\n", outcome->message);
    if (outcome->kind != KIKAN_SLIP_PRINT_PRINTED) {
        fprintf (stderr, "kikan: %s\n", outcome->message);
        return KIKAN_EXIT_ERROR;
    }
    return KIKAN_EXIT_OK;
}
