/* Kikan kiosk: `kikan scan [--database DIR]… [--jobs N] [--json] [--timeout S] TARGET…` */
#include <stdio.h>
#include <unistd.h>

#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "progress-bar-private.h"
#include "scan-report-private.h"
#include "scan-session-private.h"
#include "scan-target-private.h"
#include "paths-private.h"

typedef struct {
    gboolean json;
    KikanProgressBar *bar;   /* NULL unless stderr is a terminal */
} ScanOutput;

static void
on_progress (const KikanProgress *p, gpointer user_data)
{
    ScanOutput *out = user_data;

    if (out->bar != NULL)
        kikan_progress_bar_update (out->bar, p);
}

static void
on_file (KikanScanReport *report, guint target, const KikanFileReport *r, gpointer user_data)
{
    ScanOutput *out = user_data;
    g_autofree char *line = NULL;

    if (out->json)
        return;
    /* Findings are shown as they come, so that an operator watching a
     * long scan knows at once. */
    line = kikan_scan_report_format_finding (report, target, r);
    if (line == NULL)
        return;
    kikan_progress_bar_clear (out->bar);
    printf ("%s\n", line);
    fflush (stdout);
}

int
kikan_cmd_scan (int argc, char **argv)
{
    g_auto (GStrv) databases = NULL;
    g_auto (GStrv) target_names = NULL;
    gboolean json = FALSE;
    int jobs = -1, timeout = -1;
    const GOptionEntry entries[] = {
        { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
          "Load this database file or folder instead of the defaults (repeatable)", "PATH" },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
          "Scanning threads per target (default from kikan.conf; 0 = one per CPU)", "N" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-scan JSON document",
          NULL },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
          "Give up on a target after S seconds (default from kikan.conf, else 3600)", "S" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &target_names, NULL,
          NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("TARGET… — scan folders or files");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = NULL;
    g_autoptr (KikanConfig) config = NULL;
    g_autoptr (KikanDbSources) sources = NULL;
    g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func (
        (GDestroyNotify) kikan_scan_target_free);
    g_autoptr (KikanScanSession) session = NULL;
    g_autoptr (KikanScanReport) report = NULL;
    g_autofree char *scand = NULL;
    KikanEngineOptions eopts = { 0 };
    KikanScanParams params = { 0 };
    ScanOutput out = { 0 };
    gboolean null_sandbox = FALSE;
    gboolean daemon_gone = FALSE;
    gint64 started;
    int status;

    g_option_context_add_main_entries (context, entries, NULL);
    g_option_context_set_description (context,
                                      "Exit status: 0 clean, 1 infected, 2 not everything was "
                                      "inspected or an error occurred. See docs/cli.md.");
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (target_names == NULL || target_names[0] == NULL) {
        fprintf (stderr, "kikan: name at least one folder or file to scan.\nTry “%s --help”.\n",
                 g_get_prgname ());
        return KIKAN_EXIT_ERROR;
    }
    if (jobs < -1 || jobs > 256 || timeout == 0 || timeout < -1 || timeout > 7 * 86400) {
        fprintf (stderr, "kikan: --jobs must be between 0 and 256 and --timeout between 1 and "
                         "604800 seconds.\n");
        return KIKAN_EXIT_ERROR;
    }
    if (!kikan_cli_null_sandbox_requested (&null_sandbox, &error))
        goto fail;

    home = kikan_home_new ();
    if ((config = kikan_cli_load_config (home, &error)) == NULL)
        goto fail;
    /* Every target is opened before the engine is loaded (which may take
     * many seconds): a typo fails at once. */
    for (gsize i = 0; target_names[i] != NULL; i++) {
        KikanScanTarget *t = kikan_scan_target_open (target_names[i], &error);

        if (t == NULL)
            goto fail;
        g_ptr_array_add (targets, t);
    }
    if ((sources = kikan_cli_resolve_databases (home, config, databases, &error)) == NULL)
        goto fail;
    kikan_cli_use_home_tmpdir (home);
    scand = kikan_paths_dup_scand ();
    eopts.databases = kikan_db_sources_get_paths (sources);
    eopts.n_databases = kikan_db_sources_get_n (sources);
    eopts.limits = config->limits;

    if (null_sandbox)
        fprintf (stderr, "kikan: WARNING: KIKAN_SANDBOX=null: the worker will read the targets "
                         "WITHOUT a sandbox. Use this only in tests.\n");
    if (!json && isatty (STDERR_FILENO)) {
        out.bar = kikan_progress_bar_new (stderr);
        fprintf (stderr, "Loading signatures…");
        fflush (stderr);
    }
    session = kikan_scan_session_new (scand, &eopts, &error);
    if (out.bar != NULL)
        fputs ("\r\033[K", stderr);
    if (session == NULL)
        goto fail;

    out.json = json;
    report = kikan_scan_report_new (json);
    kikan_scan_report_set_max_age_days (report, config->max_age_days);
    kikan_scan_report_take_engine_info (report, kikan_scan_session_steal_engine_info (session));
    params.jobs = jobs >= 0 ? (unsigned) jobs : config->jobs;
    params.timeout_s = timeout > 0 ? (unsigned) timeout : config->timeout_s;
    params.null_sandbox = null_sandbox;

    started = g_get_monotonic_time ();
    for (guint i = 0; i < targets->len; i++) {
        const KikanScanSessionEvents events = { .progress = on_progress, .file = on_file };
        KikanScanTarget *t = g_ptr_array_index (targets, i);
        g_autoptr (GError) scan_error = NULL;

        if (out.bar != NULL)
            kikan_progress_bar_start (out.bar, t->path);
        /* A stopped daemon fails this target and every one after it: each
         * is then reported not inspected, never skipped silently. */
        if (!kikan_scan_session_scan (session, t, &params, report, &events, &out, &scan_error) &&
            !daemon_gone) {
            daemon_gone = TRUE;
            kikan_progress_bar_clear (out.bar);
            kikan_cli_print_error (scan_error);
        }
    }
    kikan_scan_report_set_seconds (report,
                                   (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
    g_clear_pointer (&out.bar, kikan_progress_bar_free);

    if (json) {
        g_autoptr (JsonNode) root = kikan_scan_report_to_json (report, g_get_real_time () /
                                                                           G_USEC_PER_SEC);

        kikan_cli_print_json (root);
    } else {
        g_autofree char *summary =
            kikan_scan_report_format_summary (report, g_get_real_time () / G_USEC_PER_SEC);

        fputs (summary, stdout);
        fflush (stdout);
    }
    status = kikan_scan_report_get_exit_status (report);
    return status;

fail:
    g_clear_pointer (&out.bar, kikan_progress_bar_free);
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
