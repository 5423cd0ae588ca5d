/* Kikan kiosk: `kikan selftest [--json] [--database PATH]…` (KR-36). */
#include <stdio.h>

#include "audit-events-private.h"
#include "audit-private.h"
#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "paths-private.h"
#include "scan-report-private.h"
#include "scan-session-private.h"
#include "scan-target-private.h"
#include "selftest-private.h"

static const char *
expected_name (KikanResult r)
{
    return kikan_result_to_string (r);
}

static void
print_human (KikanSelftest *st, const char *dir, gboolean null_requested)
{
    g_autofree char *shown_dir = kikan_escape_for_display (dir, -1);
    GPtrArray *uncovered = kikan_selftest_get_uncovered (st);
    GPtrArray *problems = kikan_selftest_get_problems (st);
    const char *sandbox = kikan_selftest_get_sandbox (st);

    printf ("Self-test on %s (sandbox: %s)\n", shown_dir, sandbox != NULL ? sandbox : "none");
    for (guint i = 0; i < kikan_selftest_get_n_checks (st); i++) {
        const KikanSelftestCheck *c = kikan_selftest_get_check (st, i);
        g_autofree char *path = kikan_escape_for_display (c->path, -1);
        g_autofree char *want = kikan_escape_for_display (c->expected_text, -1);

        printf ("%s  %s  expected %s%s%s%s — ", c->pass ? "PASS" : "FAIL", path,
                expected_name (c->expected), want[0] ? " (" : "", want, want[0] ? ")" : "");
        if (!c->found)
            printf ("not found by the scan\n");
        else
            printf ("got %s%s%s%s\n", expected_name (c->actual),
                    c->actual_text[0] ? " (" : "", c->actual_text, c->actual_text[0] ? ")" : "");
    }
    for (guint i = 0; i < uncovered->len; i++) {
        g_autofree char *path = kikan_escape_for_display (g_ptr_array_index (uncovered, i), -1);

        printf ("FAIL  %s  has no line in " KIKAN_SELFTEST_EXPECTATIONS "\n", path);
    }
    for (guint i = 0; i < problems->len; i++)
        printf ("FAIL  %s\n", (const char *) g_ptr_array_index (problems, i));
    if (null_requested && g_strcmp0 (sandbox, "null") == 0)
        printf ("\n"
                "**************************************************************************\n"
                "WARNING: the self-test ran WITHOUT A SANDBOX because KIKAN_SANDBOX=null is\n"
                "set. A kiosk in this mode must NOT be used for clearances.\n"
                "**************************************************************************\n");
    if (kikan_selftest_passed (st) && g_strcmp0 (sandbox, "null") == 0)
        printf ("\nSELF-TEST PASSED IN TEST MODE ONLY (no sandbox, KIKAN_SANDBOX=null)\n");
    else if (kikan_selftest_passed (st))
        printf ("\nSELF-TEST PASSED\n");
    else
        printf ("\nSELF-TEST FAILED — this kiosk must not issue clearances until it passes. "
                "Call IT.\n");
}

static JsonNode *
to_json (KikanSelftest *st, KikanScanReport *report, const char *dir, gboolean null_requested)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    GPtrArray *uncovered = kikan_selftest_get_uncovered (st);
    GPtrArray *problems = kikan_selftest_get_problems (st);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-selftest");
    json_builder_set_member_name (b, "format_version");
    json_builder_add_int_value (b, 1);
    json_builder_set_member_name (b, "result");
    json_builder_add_string_value (b, kikan_selftest_passed (st) ? "pass" : "fail");
    kikan_json_add_hostile_string (b, "dir", dir);
    kikan_json_add_hostile_string (b, "sandbox", kikan_selftest_get_sandbox (st));
    json_builder_set_member_name (b, "null_sandbox_requested");
    json_builder_add_boolean_value (b, null_requested);
    json_builder_set_member_name (b, "checks");
    json_builder_begin_array (b);
    for (guint i = 0; i < kikan_selftest_get_n_checks (st); i++) {
        const KikanSelftestCheck *c = kikan_selftest_get_check (st, i);

        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "path", c->path);
        json_builder_set_member_name (b, "expected");
        json_builder_add_string_value (b, expected_name (c->expected));
        kikan_json_add_hostile_string (b, "expected_text", c->expected_text);
        json_builder_set_member_name (b, "actual");
        if (c->found)
            json_builder_add_string_value (b, expected_name (c->actual));
        else
            json_builder_add_null_value (b);
        kikan_json_add_hostile_string (b, "actual_text", c->actual_text);
        json_builder_set_member_name (b, "pass");
        json_builder_add_boolean_value (b, c->pass);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "uncovered");
    json_builder_begin_array (b);
    for (guint i = 0; i < uncovered->len; i++) {
        g_autofree char *valid = kikan_escape_for_json (g_ptr_array_index (uncovered, i), -1);

        json_builder_add_string_value (b, valid);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "problems");
    json_builder_begin_array (b);
    for (guint i = 0; i < problems->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (problems, i));
    json_builder_end_array (b);
    json_builder_set_member_name (b, "engine");
    json_builder_add_value (b, kikan_scan_report_engine_to_json (report, g_get_real_time () /
                                                                             G_USEC_PER_SEC));
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

int
kikan_cmd_selftest (int argc, char **argv)
{
    g_auto (GStrv) databases = NULL;
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
          "Load this database file or folder instead of the defaults (repeatable)", "PATH" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-selftest JSON document",
          NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— scan the built-in fixtures "
                                                               "and check every result");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanConfig) config = NULL;
    g_autoptr (KikanDbSources) sources = NULL;
    g_autoptr (KikanSelftest) st = NULL;
    g_autoptr (KikanScanTarget) target = NULL;
    g_autoptr (KikanScanSession) session = NULL;
    g_autoptr (KikanScanReport) report = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *scand = NULL;
    KikanEngineOptions eopts = { 0 };
    KikanScanParams params = { 0 };
    gboolean null_sandbox = FALSE;

    g_option_context_add_main_entries (context, entries, NULL);
    g_option_context_set_description (context,
                                      "Exit status: 0 passed, 1 failed (an expectation, the "
                                      "sandbox, or signatures that are stale or not official: "
                                      "MAL-05), 2 the self-test could not run.");
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc > 1) {
        fprintf (stderr, "kikan: unexpected argument “%s”.\n", argv[1]);
        return KIKAN_EXIT_ERROR;
    }
    if (!kikan_setup_null_sandbox_requested (&null_sandbox, &error))
        goto fail;
    dir = kikan_paths_dup_selftest_dir ();
    if ((st = kikan_selftest_new_for_dir (dir, &error)) == NULL ||
        (target = kikan_scan_target_open (dir, &error)) == NULL ||
        (config = kikan_setup_load_config (home, &error)) == NULL ||
        (sources = kikan_setup_resolve_databases (home, config, databases, &error)) == NULL)
        goto fail;
    kikan_setup_use_home_tmpdir (home);
    scand = kikan_paths_dup_scand ();
    eopts.databases = kikan_db_sources_get_paths (sources);
    eopts.n_databases = kikan_db_sources_get_n (sources);
    eopts.limits = config->limits;
    if ((session = kikan_scan_session_new (scand, &eopts, &error)) == NULL)
        goto fail;

    report = kikan_scan_report_new (TRUE);
    kikan_scan_report_set_max_age_days (report, config->max_age_days);
    kikan_scan_report_take_engine_info (report, kikan_scan_session_steal_engine_info (session));
    params.jobs = config->jobs;
    params.timeout_s = config->timeout_s;
    params.null_sandbox = null_sandbox;
    /* A daemon that stops fails the target, which the evaluation reports. */
    if (!kikan_scan_session_scan (session, target, &params, report, NULL, NULL, &error)) {
        kikan_cli_print_error (error);
        g_clear_error (&error);
    }
    {
        g_autofree char *problem = kikan_selftest_evaluate_all (
            st, report, 0, null_sandbox, g_get_real_time () / G_USEC_PER_SEC);

        if (problem != NULL)
            fprintf (stderr, "kikan: the self-test fails because %s.\n", problem);
    }
    if (json) {
        g_autoptr (JsonNode) root = to_json (st, report, dir, null_sandbox);

        kikan_cli_print_json (root);
    } else {
        print_human (st, dir, null_sandbox);
    }
    /* The self-test's outcome is evidence that the kiosk could detect
     * what it must (KR-36): it goes into the audit trail. */
    {
        g_autoptr (GError) audit_error = NULL;
        g_autoptr (JsonNode) payload = kikan_audit_payload (
            "outcome", kikan_selftest_passed (st) ? "passed" : "failed", NULL);

        if (!kikan_audit_record_event (home, "selftest", payload, &audit_error)) {
            fprintf (stderr, "kikan: the self-test could not be recorded in the audit trail: %s\n",
                     audit_error->message);
            return KIKAN_EXIT_ERROR;
        }
    }
    return kikan_selftest_passed (st) ? KIKAN_EXIT_OK : KIKAN_EXIT_INFECTED;

fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
