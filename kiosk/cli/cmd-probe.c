/* Kikan kiosk: `kikan probe [--json] TARGET…`
 *
 * What is on a medium, without reading a single file: its partitions, file
 * systems, labels, encryption and operating system, as the sandboxed worker
 * sees them.  The daemon started for this loads no signatures. */
#include <stdio.h>

#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "scan-report-private.h"
#include "scan-session-private.h"
#include "scan-target-private.h"
#include "paths-private.h"

int
kikan_cmd_probe (int argc, char **argv)
{
    g_auto (GStrv) target_names = NULL;
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-probe JSON document", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &target_names, NULL, NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("TARGET… — show the volumes of disks and disk images");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = NULL;
    g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func (
        (GDestroyNotify) kikan_scan_target_free);
    g_autoptr (KikanScanSession) session = NULL;
    g_autoptr (KikanScanReport) report = NULL;
    g_autofree char *scand = NULL;
    KikanScanParams params = { 0 };
    gboolean null_sandbox = FALSE, daemon_gone = FALSE;
    int status = KIKAN_EXIT_OK;

    g_option_context_add_main_entries (context, entries, NULL);
    g_option_context_set_description (context,
                                      "Reads partition tables, file-system headers and "
                                      "encryption headers, never file contents.\n"
                                      "Exit status: 0 every target probed, 2 otherwise. See "
                                      "docs/cli.md.");
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (target_names == NULL || target_names[0] == NULL) {
        fprintf (stderr, "kikan: name at least one disk, disk image or file to probe.\n"
                         "Try “%s --help”.\n",
                 g_get_prgname ());
        return KIKAN_EXIT_ERROR;
    }
    if (!kikan_setup_null_sandbox_requested (&null_sandbox, &error))
        goto fail;
    for (gsize i = 0; target_names[i] != NULL; i++) {
        KikanScanTarget *t = kikan_scan_target_open (target_names[i], &error);

        if (t == NULL)
            goto fail;
        g_ptr_array_add (targets, t);
    }
    home = kikan_home_new ();
    kikan_setup_use_home_tmpdir (home);
    if (null_sandbox)
        fprintf (stderr, "kikan: WARNING: KIKAN_SANDBOX=null: the worker will read the targets "
                         "WITHOUT a sandbox. Use this only in tests.\n");
    scand = kikan_paths_dup_scand ();
    if ((session = kikan_scan_session_new_for_probe (scand, &error)) == NULL)
        goto fail;
    report = kikan_scan_report_new (TRUE);
    params.probe_only = 1;
    params.null_sandbox = null_sandbox;
    for (guint i = 0; i < targets->len; i++) {
        KikanScanTarget *t = g_ptr_array_index (targets, i);
        g_autoptr (GError) scan_error = NULL;

        /* A stopped daemon fails this target and every later one; said once. */
        if (!kikan_scan_session_scan (session, t, &params, report, NULL, NULL, &scan_error)
            && !daemon_gone) {
            daemon_gone = TRUE;
            kikan_cli_print_error (scan_error);
        }
        if (kikan_scan_report_get_target_status (report, i) != KIKAN_TARGET_COMPLETE)
            status = KIKAN_EXIT_ERROR;
    }
    if (json) {
        g_autoptr (JsonNode) root = kikan_scan_report_probe_to_json (report);

        kikan_cli_print_json (root);
    } else {
        g_autofree char *text = kikan_scan_report_format_probe (report);

        fputs (text, stdout);
        fflush (stdout);
    }
    return status;

fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
