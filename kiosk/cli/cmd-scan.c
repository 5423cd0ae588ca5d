/* Kikan kiosk: `kikan scan [--database DIR]… [--jobs N] [--json] [--timeout S]
 *              [--passphrase-file F]… [--ask-passphrase] [--as-file] [--policy F] TARGET…`
 * and `kikan software [same options] TARGET…` (issue #4 item 4): one pass
 * over a target gives both the malware and the software picture; the two
 * commands differ only in what they show. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "progress-bar-private.h"
#include "scan-report-private.h"
#include "scan-session-private.h"
#include "scan-target-private.h"
#include "secrets-private.h"
#include "signal-guard-private.h"
#include "paths-private.h"
#include "policy-private.h"
#include "software-facts-private.h"

/* Wrong passphrases typed before a medium is left to IT. */
#define MAX_ATTEMPTS 3

typedef struct {
    gboolean json;
    KikanProgressBar *bar;   /* NULL unless stderr is a terminal */
    gboolean volumes_shown;  /* the current target's volume lines are out */
} ScanOutput;

static void
on_progress (const KikanProgress *p, gpointer user_data)
{
    ScanOutput *out = user_data;

    if (out->bar != NULL)
        kikan_progress_bar_update (out->bar, p);
}

/* The volume lines of a medium, once per target, before its first file
 * line: only the attempt that counts shows them (not one refused for a
 * wrong passphrase). */
static void
show_volumes (ScanOutput *out, KikanScanReport *report, guint target)
{
    guint n = kikan_scan_report_get_n_volumes (report, target);

    if (out->json || out->volumes_shown || n == 0)
        return;
    out->volumes_shown = TRUE;
    kikan_progress_bar_clear (out->bar);
    {
        g_autofree char *header = kikan_scan_report_format_medium (report, target);

        printf ("%s\n", header);
    }
    for (guint i = 0; i < n; i++) {
        g_autofree char *line = kikan_scan_report_format_volume (report, target, i);

        printf ("%s\n", line);
    }
    fflush (stdout);
}

static void
on_file (KikanScanReport *report, guint target, const KikanFileReport *r, gpointer user_data)
{
    ScanOutput *out = user_data;
    g_autofree char *line = NULL;

    if (out->json)
        return;
    show_volumes (out, report, target);
    /* Findings are shown as they come, so that an operator watching a
     * long scan knows at once. */
    line = kikan_scan_report_format_finding (report, target, r);
    if (line == NULL)
        return;
    kikan_progress_bar_clear (out->bar);
    printf ("%s\n", line);
    fflush (stdout);
}

/* Removes the private temp dirs a stopped or killed daemon left, so that
 * an interrupted scan leaves no unpacked content behind (docs/cli.md
 * "State").  A dir's lock is free once its daemon and worker are gone; the
 * worker dies with its daemon (PR_SET_PDEATHSIG), a moment later, hence
 * the second pass.  Dirs of daemons still running are never touched. */
static void
sweep_daemon_tmp (void)
{
    (void) kikan_scand_sweep_tmp (NULL, NULL);
    g_usleep (300 * 1000);
    (void) kikan_scand_sweep_tmp (NULL, NULL);
}

static const KikanScanSessionEvents scan_events = { .progress = on_progress, .file = on_file };

/* "p1 LUKS2, p3 BitLocker": the locked volumes a probe found, or NULL when
 * none could take a passphrase. */
static char *
locked_volumes (KikanScanReport *probe, guint target)
{
    GString *s = NULL;

    for (guint i = 0; i < kikan_scan_report_get_n_volumes (probe, target); i++) {
        const KikanVolumeReport *v = kikan_scan_report_get_volume (probe, target, i);

        if (v->reason != KIKAN_VOLUME_REASON_ENCRYPTED || v->volume.unlocked
            || v->volume.encryption == KIKAN_ENC_UNKNOWN)
            continue;
        if (s == NULL)
            s = g_string_new (NULL);
        g_string_append_printf (s, "%sp%u %s", s->len ? ", " : "", (unsigned) v->volume.index,
                                kikan_encryption_to_string (v->volume.encryption));
    }
    return s != NULL ? g_string_free (s, FALSE) : NULL;
}

/* --ask-passphrase on one target: probe it (with the --passphrase-file
 * ones); if a volume is still locked, ask on the terminal, up to
 * MAX_ATTEMPTS times, and scan with what was typed.  Returns FALSE only
 * when the daemon is gone. */
static gboolean
scan_asking (KikanScanSession *session, KikanScanTarget *t, const KikanScanParams *params,
             KikanSecrets *secrets, KikanScanReport *report, guint index, ScanOutput *out,
             GError **error)
{
    g_autoptr (KikanScanReport) probe = kikan_scan_report_new (TRUE);
    g_autofree char *locked = NULL;
    g_autofree char *shown = kikan_escape_for_display (t->path, -1);
    KikanScanParams p = *params;
    guint pi;
    int wrong = 0;

    p.probe_only = 1;
    pi = kikan_scan_report_add_target (probe, t->path, t->is_dir);
    if (!kikan_scan_session_scan_into (session, t, &p, probe, pi, NULL, NULL, error))
        return FALSE;
    p.probe_only = 0;
    if (kikan_scan_report_get_target_status (probe, pi) != KIKAN_TARGET_COMPLETE
        || (locked = locked_volumes (probe, pi)) == NULL)
        /* Nothing to ask for (or the probe failed, which the scan will say
         * again, with its reasons). */
        return kikan_scan_session_scan_into (session, t, params, report, index, &scan_events,
                                             out, error);

    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        g_autoptr (GError) ask_error = NULL;
        g_autofree char *prompt = g_strdup_printf (
            "Passphrase for %s (%s), attempt %d of %d: ", shown, locked, attempt, MAX_ATTEMPTS);
        gboolean ok;

        kikan_progress_bar_clear (out->bar);
        if (!kikan_secrets_add_from_tty (secrets, prompt, &ask_error)) {
            if (ask_error == NULL)
                break;  /* declined (end of input): scanned without it */
            if (g_error_matches (ask_error, KIKAN_ERROR, KIKAN_ERROR_USAGE)) {
                g_autofree char *msg = g_strdup_printf ("%s\n", ask_error->message);

                kikan_secrets_tell_tty (msg);
                continue;  /* an empty line counts as an attempt */
            }
            kikan_scan_report_fail_target (report, index, ask_error->message);
            return TRUE;
        }
        p.secrets = kikan_secrets_get (secrets, &p.n_secrets);
        kikan_scan_report_reset_target (report, index);
        kikan_scan_report_set_target_kind (report, index, t->kind, t->size, TRUE);
        out->volumes_shown = FALSE;
        ok = kikan_scan_session_scan_into (session, t, &p, report, index, &scan_events, out,
                                           error);
        /* Typed once, used once: wiped now, whatever the answer. */
        kikan_secrets_remove_last (secrets);
        if (!ok)
            return FALSE;
        if (!kikan_scan_report_get_target_wrong_secret (report, index))
            return TRUE;
        wrong++;
        if (attempt < MAX_ATTEMPTS)
            kikan_secrets_tell_tty ("That passphrase does not unlock the medium. Try again.\n");
    }
    if (wrong == MAX_ATTEMPTS) {
        /* Not a fourth guess at the kiosk: IT looks at the medium. */
        kikan_scan_report_fail_target (report, index, "three wrong passphrases: HOLD for IT");
        return TRUE;
    }
    /* Declined, or only unusable lines typed: scanned without a typed
     * passphrase, so its encrypted volumes stay not inspected. */
    kikan_scan_report_reset_target (report, index);
    kikan_scan_report_set_target_kind (report, index, t->kind, t->size, params->n_secrets > 0);
    out->volumes_shown = FALSE;
    return kikan_scan_session_scan_into (session, t, params, report, index, &scan_events, out,
                                         error);
}

/* The human software part, after the malware summary. */
static void
print_software (KikanScanReport *report, gboolean all_programs, const KikanPolicy *policy,
                const char *why_none, gint64 now)
{
    g_autofree char *sig_invalid = kikan_scan_report_dup_signatures_invalid (report, now);
    guint n = kikan_scan_report_get_n_targets (report);
    KikanLevel level = kikan_scan_report_get_software_worst (report);
    g_autofree char *up = NULL;
    g_autofree char *overall = NULL;

    printf ("\nSoftware and updates (policy: %s)\n",
            policy ? (kikan_policy_get_version (policy) ? kikan_policy_get_version (policy)
                                                        : kikan_policy_get_path (policy))
                   : why_none);
    for (guint i = 0; i < n; i++) {
        KikanSoftwareFacts *sw = kikan_scan_report_get_software (report, i);
        g_autofree char *text = kikan_software_facts_format (sw, all_programs);

        /* Several targets share one verdict: each block says whose it is,
         * by the name given (escaped: it may come from a medium). */
        if (n > 1) {
            g_autofree char *name =
                kikan_escape_for_display (kikan_scan_report_get_target_name (report, i), -1);
            g_autofree char *verdict =
                g_ascii_strup (kikan_level_to_verdict (kikan_software_facts_get_worst (sw)), -1);

            printf (" %s  (%s, software %s)\n", name,
                    kikan_result_to_string (kikan_scan_report_get_target_result (report, i)),
                    verdict);
        }
        fputs (text, stdout);
    }
    up = g_ascii_strup (kikan_level_to_verdict (level), -1);
    printf ("Software verdict: %s\n", up);
    overall = g_ascii_strup (kikan_level_to_verdict (kikan_scan_report_get_level (report)), -1);
    if (sig_invalid != NULL)
        printf ("Overall: %s — MAL-05: the kiosk's virus signatures %s; this scan is not valid "
                "for clearance. Import a current update with “kikan signatures import DIR” "
                "and scan again.\n",
                overall, sig_invalid);
    else
        printf ("Overall: %s\n", overall);
    fflush (stdout);
}

/* The "kikan-software" document of docs/json.md. */
static JsonNode *
software_to_json (KikanScanReport *report, const KikanPolicy *policy, const char *policy_path,
                  const char *why_none, gint64 now)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-software");
    json_builder_set_member_name (b, "format_version");
    json_builder_add_int_value (b, 1);
    json_builder_set_member_name (b, "verdict");
    json_builder_add_string_value (b, kikan_level_to_verdict (kikan_scan_report_get_level (report)));
    json_builder_set_member_name (b, "policy");
    kikan_policy_add_json (b, policy, policy_path, why_none);
    json_builder_set_member_name (b, "targets");
    json_builder_begin_array (b);
    for (guint i = 0; i < kikan_scan_report_get_n_targets (report); i++) {
        KikanTargetStatus st = kikan_scan_report_get_target_status (report, i);

        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "target", kikan_scan_report_get_target_name (report, i));
        json_builder_set_member_name (b, "kind");
        json_builder_add_string_value (b, kikan_scan_report_get_target_kind (report, i));
        json_builder_set_member_name (b, "complete");
        json_builder_add_boolean_value (b, st == KIKAN_TARGET_COMPLETE);
        json_builder_set_member_name (b, "result");
        json_builder_add_string_value (
            b, kikan_result_to_string (kikan_scan_report_get_target_result (report, i)));
        kikan_software_facts_add_json_members (kikan_scan_report_get_software (report, i), b);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "scanned_at");
    {
        g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (now);
        g_autofree char *iso = g_date_time_format_iso8601 (dt);

        json_builder_add_string_value (b, iso);
    }
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

static int
run_scan (int argc, char **argv, gboolean software_mode)
{
    g_auto (GStrv) databases = NULL;
    g_auto (GStrv) target_names = NULL;
    g_auto (GStrv) passphrase_files = NULL;
    g_autofree char *policy_file = NULL;
    g_autofree char *policy_path = NULL;
    g_autofree char *why_no_policy = NULL;
    g_autoptr (KikanPolicy) policy = NULL;
    gboolean json = FALSE, ask_passphrase = FALSE, as_file = FALSE, all = FALSE;
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
        { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &passphrase_files,
          "Try the passphrase in this file on encrypted volumes (repeatable)", "FILE" },
        { "ask-passphrase", 0, 0, G_OPTION_ARG_NONE, &ask_passphrase,
          "Ask on the terminal for the passphrase of an encrypted volume (3 attempts)", NULL },
        { "as-file", 0, 0, G_OPTION_ARG_NONE, &as_file,
          "Scan a disk image as one file instead of reading its volumes", NULL },
        { "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_file,
          "Judge software with this policy file (default /etc/kikan/policy.conf)", "FILE" },
        { "all", 0, 0, G_OPTION_ARG_NONE, &all,
          "List every installed program and program file found, not only findings", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &target_names, NULL,
          NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new (
        software_mode ? "TARGET… — installed software, OS and antivirus freshness, and programs "
                        "on folders, files, disk images, disks or registry hives"
                      : "TARGET… — scan folders, files, disk images or disks");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = NULL;
    g_autoptr (KikanConfig) config = NULL;
    g_autoptr (KikanDbSources) sources = NULL;
    g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func (
        (GDestroyNotify) kikan_scan_target_free);
    g_autoptr (KikanScanSession) session = NULL;
    g_autoptr (KikanScanReport) report = NULL;
    g_autoptr (KikanSecrets) secrets = kikan_secrets_new ();
    g_autofree char *scand = NULL;
    KikanEngineOptions eopts = { 0 };
    KikanScanParams params = { 0 };
    ScanOutput out = { 0 };
    gboolean null_sandbox = FALSE;
    gboolean daemon_gone = FALSE;
    int caught = 0;
    gint64 started;
    int status;

    g_option_context_add_main_entries (context, entries, NULL);
    g_option_context_set_description (context,
                                      "A TARGET is a folder, a file, a disk image (.img/.dd), a "
                                      "block device (/dev/sdX) or a registry hive.\n"
                                      "Exit status: 0 cleared, 1 infected, 2 not everything was "
                                      "inspected or an error occurred, 3 software or update "
                                      "findings keep it off the LAN (stale or unofficial "
                                      "signatures included: MAL-05), 128+N interrupted by "
                                      "signal N. See docs/cli.md.");
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (target_names == NULL || target_names[0] == NULL) {
        fprintf (stderr, "kikan: name at least one folder, file or disk to scan.\n"
                         "Try “%s --help”.\n",
                 g_get_prgname ());
        return KIKAN_EXIT_ERROR;
    }
    if (jobs < -1 || jobs > 256 || timeout == 0 || timeout < -1 || timeout > 7 * 86400) {
        fprintf (stderr, "kikan: --jobs must be between 0 and 256 and --timeout between 1 and "
                         "604800 seconds.\n");
        return KIKAN_EXIT_ERROR;
    }
    if (!kikan_setup_null_sandbox_requested (&null_sandbox, &error))
        goto fail;
    if (!kikan_setup_load_policy (policy_file, &policy, &policy_path, &why_no_policy, &error))
        goto fail;
    /* Read before anything else happens: a missing file fails at once,
     * and the files can be removed as soon as the scan has started. */
    for (gsize i = 0; passphrase_files != NULL && passphrase_files[i] != NULL; i++)
        if (!kikan_secrets_add_file (secrets, passphrase_files[i], &error))
            goto fail;

    home = kikan_home_new ();
    if ((config = kikan_setup_load_config (home, &error)) == NULL)
        goto fail;
    /* Every target is opened before the engine is loaded (which may take
     * many seconds): a typo fails at once. */
    for (gsize i = 0; target_names[i] != NULL; i++) {
        KikanScanTarget *t = kikan_scan_target_open (target_names[i], &error);

        if (t == NULL)
            goto fail;
        g_ptr_array_add (targets, t);
    }
    if ((sources = kikan_setup_resolve_databases (home, config, databases, &error)) == NULL)
        goto fail;
    kikan_setup_use_home_tmpdir (home);
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
    /* From here a Ctrl-C (or SIGTERM) stops the scan in order: the daemon
     * removes its temp dir, and the report says what was not inspected. */
    kikan_signal_guard_defer ();
    session = kikan_scan_session_new (scand, &eopts, &error);
    if (out.bar != NULL)
        fputs ("\r\033[K", stderr);
    if (session == NULL && kikan_signal_guard_get_caught () == 0)
        goto fail;
    g_clear_error (&error);

    out.json = json;
    report = kikan_scan_report_new (json);
    kikan_scan_report_set_max_age_days (report, config->max_age_days);
    if (session != NULL)
        kikan_scan_report_take_engine_info (report,
                                            kikan_scan_session_steal_engine_info (session));
    params.jobs = jobs >= 0 ? (unsigned) jobs : config->jobs;
    params.timeout_s = timeout > 0 ? (unsigned) timeout : config->timeout_s;
    params.null_sandbox = null_sandbox;
    params.as_file = as_file;
    params.secrets = kikan_secrets_get (secrets, &params.n_secrets);

    started = g_get_monotonic_time ();
    for (guint i = 0; i < targets->len; i++) {
        KikanScanTarget *t = g_ptr_array_index (targets, i);
        g_autoptr (GError) scan_error = NULL;
        guint index = kikan_scan_report_add_target (report, t->path, t->is_dir);
        gboolean ok;

        kikan_scan_report_set_target_kind (report, index, t->kind, t->size,
                                           params.n_secrets > 0);
        /* Interrupted: the targets not reached are listed, not scanned. */
        if (kikan_signal_guard_get_caught () != 0)
            continue;
        out.volumes_shown = FALSE;
        if (out.bar != NULL)
            kikan_progress_bar_start (out.bar, t->path);
        /* Only a medium can hold an encrypted volume to ask about. */
        if (ask_passphrase && !daemon_gone && t->kind != KIKAN_TARGET_KIND_DIRECTORY
            && !(as_file && t->kind == KIKAN_TARGET_KIND_FILE))
            ok = scan_asking (session, t, &params, secrets, report, index, &out, &scan_error);
        else
            ok = kikan_scan_session_scan_into (session, t, &params, report, index, &scan_events,
                                               &out, &scan_error);
        show_volumes (&out, report, index);
        /* A stopped daemon fails this target and every one after it: each
         * is then reported not inspected, never skipped silently. */
        if (!ok && !daemon_gone) {
            daemon_gone = TRUE;
            kikan_progress_bar_clear (out.bar);
            if (kikan_signal_guard_get_caught () == 0)
                kikan_cli_print_error (scan_error);
        }
    }
    caught = kikan_signal_guard_get_caught ();
    if (caught != 0)
        kikan_scan_report_set_interrupted (report);
    /* The daemon is stopped now, not at the end: after an interruption or
     * a daemon that had to be killed, what it left in its temp dir is
     * swept before `kikan` says anything (docs/cli.md "State"). */
    g_clear_pointer (&session, kikan_scan_session_free);
    if (caught != 0 || daemon_gone)
        sweep_daemon_tmp ();
    /* The passphrases are wiped before the report is written. */
    g_clear_pointer (&secrets, kikan_secrets_free);
    kikan_scan_report_set_seconds (report,
                                   (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
    g_clear_pointer (&out.bar, kikan_progress_bar_free);
    kikan_scan_report_evaluate_software (report, policy, g_get_real_time () / G_USEC_PER_SEC);

    if (json && software_mode) {
        g_autoptr (JsonNode) root = software_to_json (report, policy, policy_path, why_no_policy,
                                                      g_get_real_time () / G_USEC_PER_SEC);

        kikan_cli_print_json (root);
    } else if (json) {
        g_autoptr (JsonNode) root = kikan_scan_report_to_json (report, g_get_real_time () /
                                                                           G_USEC_PER_SEC);
        JsonObject *o = json_node_get_object (root);
        g_autoptr (JsonBuilder) pb = json_builder_new ();

        kikan_policy_add_json (pb, policy, policy_path, why_no_policy);
        json_object_set_member (o, "policy", json_builder_get_root (pb));
        kikan_cli_print_json (root);
    } else {
        g_autofree char *summary =
            kikan_scan_report_format_summary (report, g_get_real_time () / G_USEC_PER_SEC);

        fputs (summary, stdout);
        print_software (report, all || software_mode, policy, why_no_policy,
                        g_get_real_time () / G_USEC_PER_SEC);
    }
    status = kikan_scan_report_get_exit_status (report);
    if (caught != 0) {
        fprintf (stderr,
                 "kikan: the scan was interrupted (%s) before it finished: what it did not "
                 "reach was not inspected, and nothing is cleared. Scan the medium again.\n",
                 caught == SIGINT ? "Ctrl-C" : caught == SIGTERM ? "SIGTERM" : "SIGHUP");
        /* 128 + the signal, as a shell reports a command a signal ended. */
        return 128 + caught;
    }
    return status;

fail:
    g_clear_pointer (&out.bar, kikan_progress_bar_free);
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}

int
kikan_cmd_scan (int argc, char **argv)
{
    return run_scan (argc, argv, FALSE);
}

int
kikan_cmd_software (int argc, char **argv)
{
    return run_scan (argc, argv, TRUE);
}
