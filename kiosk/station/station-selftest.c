/* Kikan kiosk: the station's start-up self-test (KR-36, KR-37, KR-38;
 * station-private.h, docs/station.md).
 *
 * The engine check scans the self-test fixtures through the warm engine
 * on the inspector's thread; every other check is quick and runs on the
 * station's main context when the scan is done.  Each check says what was
 * found in one sentence, and what IT must do when it is not a PASS. */
#include "station-impl-private.h"

#include <errno.h>

#include <sqlite3.h>

#include "audit-events-private.h"
#include "auth-private.h"
#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "network-private.h"
#include "paths-private.h"
#include "print-private.h"
#include "seal-private.h"

void
kikan_station_report_free (KikanStationReport *report)
{
    if (report == NULL)
        return;
    g_ptr_array_unref (report->checks);
    g_free (report->at);
    g_free (report);
}

static void
check_free (gpointer data)
{
    KikanStationCheck *c = data;

    g_free (c->id);
    g_free (c->detail);
    g_free (c->remedy);
    g_free (c);
}

static KikanStationReport *
report_new (void)
{
    KikanStationReport *r = g_new0 (KikanStationReport, 1);

    r->checks = g_ptr_array_new_with_free_func (check_free);
    r->at = kikan_store_now_iso ();
    return r;
}

static KikanStationReport *
report_copy (const KikanStationReport *src)
{
    KikanStationReport *r = g_new0 (KikanStationReport, 1);

    r->checks = g_ptr_array_new_with_free_func (check_free);
    for (guint i = 0; i < src->checks->len; i++) {
        const KikanStationCheck *c = src->checks->pdata[i];
        KikanStationCheck *d = g_new0 (KikanStationCheck, 1);

        d->id = g_strdup (c->id);
        d->status = c->status;
        d->detail = g_strdup (c->detail);
        d->remedy = g_strdup (c->remedy);
        g_ptr_array_add (r->checks, d);
    }
    r->passed = src->passed;
    r->at = g_strdup (src->at);
    return r;
}

/* Takes @detail and @remedy. */
static void
add_check (KikanStationReport *r, const char *id, KikanCheckStatus status, char *detail,
           char *remedy)
{
    KikanStationCheck *c = g_new0 (KikanStationCheck, 1);

    c->id = g_strdup (id);
    c->status = status;
    c->detail = detail;
    c->remedy = status == KIKAN_CHECK_PASS ? (g_free (remedy), NULL) : remedy;
    g_ptr_array_add (r->checks, c);
}

/* ---- engine -------------------------------------------------------- */

static void
check_engine (KikanStation *self, KikanStationReport *r, KikanSelftest *st,
              const GError *error)
{
    GString *why;
    GPtrArray *uncovered, *problems;
    guint n_problems;

    if (st == NULL) {
        g_autofree char *msg = kikan_escape_for_display (error->message, -1);

        add_check (r, "engine", KIKAN_CHECK_FAIL,
                   g_strdup_printf ("The scanning engine could not run the self-test: %s", msg),
                   g_strdup ("Import the signatures again from an IT update medium; if it "
                             "still fails, run “kikan selftest” and call the Kikan "
                             "maintainers with its output."));
        return;
    }
    if (kikan_selftest_detection_passed (st)) {
        add_check (r, "engine", KIKAN_CHECK_PASS,
                   g_strdup_printf ("The engine (%s) found what it must in the %u self-test "
                                    "samples.",
                                    self->engine_summary != NULL ? self->engine_summary : "?",
                                    kikan_selftest_get_n_checks (st)),
                   NULL);
        return;
    }
    /* The first few things that went wrong, in the words of `kikan
     * selftest`, which IT runs for the whole list. */
    why = g_string_new ("The engine did not find what it must in the self-test samples: ");
    n_problems = 0;
    for (guint i = 0; i < kikan_selftest_get_n_checks (st) && n_problems < 3; i++) {
        const KikanSelftestCheck *c = kikan_selftest_get_check (st, i);
        g_autofree char *path = NULL;

        if (c->pass)
            continue;
        path = kikan_escape_for_display (c->path, -1);
        g_string_append_printf (why, "%s%s expected %s, got %s", n_problems > 0 ? "; " : "",
                                path, kikan_result_to_string (c->expected),
                                c->found ? kikan_result_to_string (c->actual) : "nothing");
        n_problems++;
    }
    uncovered = kikan_selftest_get_uncovered (st);
    for (guint i = 0; i < uncovered->len && n_problems < 3; i++, n_problems++) {
        g_autofree char *path = kikan_escape_for_display (uncovered->pdata[i], -1);

        g_string_append_printf (why, "%s%s has no expectation", n_problems > 0 ? "; " : "",
                                path);
    }
    problems = kikan_selftest_get_problems (st);
    for (guint i = 0; i < problems->len && n_problems < 3; i++) {
        /* The signatures' age is the "signatures" check's. */
        if (g_str_has_prefix (problems->pdata[i], "the virus signatures "))
            continue;
        g_string_append_printf (why, "%s%s", n_problems > 0 ? "; " : "",
                                (const char *)problems->pdata[i]);
        n_problems++;
    }
    g_string_append (why, ".");
    add_check (r, "engine", KIKAN_CHECK_FAIL, g_string_free (why, FALSE),
               g_strdup ("No clearance can be given. Run “kikan selftest” for the full list, "
                         "import the signatures again from an IT update medium, and call the "
                         "Kikan maintainers if it still fails."));
}

/* ---- signatures (MAL-05) ------------------------------------------- */

static void
check_signatures (KikanStation *self, KikanStationReport *r)
{
    kikan_station_remeasure_signatures (self);
    if (self->sig_invalid == NULL)
        add_check (r, "signatures", KIKAN_CHECK_PASS,
                   g_strdup_printf ("The newest official signature database (version %s) was "
                                    "built on %s, within the %u days allowed (MAL-05).",
                                    self->sig_version, self->sig_date,
                                    self->config->max_age_days),
                   NULL);
    else
        add_check (r, "signatures", KIKAN_CHECK_FAIL,
                   g_strdup_printf ("The virus signatures %s, so scans are not valid for "
                                    "clearance (MAL-05).",
                                    self->sig_invalid),
                   g_strdup ("Import current official ClamAV databases from an IT update "
                             "medium (IT mode, or “kikan signatures import DIR”)."));
}

/* ---- policy -------------------------------------------------------- */

static void
check_policy (KikanStation *self, KikanStationReport *r)
{
    g_autofree char *path = kikan_escape_for_display (self->policy_path, -1);
    const char *version;

    if (self->policy == NULL) {
        g_autofree char *why = kikan_escape_for_display (self->why_no_policy, -1);

        add_check (r, "policy", KIKAN_CHECK_WARN,
                   g_strdup_printf ("No software policy is loaded (%s): every program counts "
                                    "as unknown (SW-NO-POLICY).",
                                    why),
                   g_strdup ("Install IT's software policy as /etc/kikan/policy.conf "
                             "(docs/policy.md), then run the self-test again."));
        return;
    }
    version = kikan_policy_get_version (self->policy);
    /* A policy file carries a version but no date of its own
     * (policy-private.h), so its age cannot be judged here. */
    if (version == NULL) {
        add_check (r, "policy", KIKAN_CHECK_WARN,
                   g_strdup_printf ("The software policy %s has no version, so the sessions "
                                    "cannot say which policy judged them.",
                                    path),
                   g_strdup ("Give the policy a version in its [policy] section "
                             "(docs/policy.md)."));
        return;
    }
    {
        g_autofree char *v = kikan_escape_for_display (version, -1);

        add_check (r, "policy", KIKAN_CHECK_PASS,
                   g_strdup_printf ("The software policy %s, version %s, is loaded.", path, v),
                   NULL);
    }
}

/* ---- store --------------------------------------------------------- */

static void
check_store (KikanStation *self, KikanStationReport *r)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) problems = NULL;
    int version = -1;

    if (!kikan_audit_db_check (self->home, &problems, &version, &error)) {
        g_autofree char *msg = kikan_escape_for_display (error->message, -1);

        add_check (r, "store", KIKAN_CHECK_FAIL,
                   g_strdup_printf ("The store could not be checked: %s", msg),
                   g_strdup ("Run “kikan db check” and restore the store from the last "
                             "backup if it reports problems."));
    } else if (problems->len > 0) {
        /* Each line was escaped where it was made. */
        add_check (r, "store", KIKAN_CHECK_FAIL,
                   g_strdup_printf ("The store has %u problem%s, the first: %s.", problems->len,
                                    problems->len == 1 ? "" : "s",
                                    (const char *)problems->pdata[0]),
                   g_strdup ("Restore the store from the last backup and keep this copy for "
                             "IT to examine; “kikan db check” lists every problem."));
    } else {
        add_check (r, "store", KIKAN_CHECK_PASS,
                   g_strdup_printf ("The store is intact (schema version %d).", version), NULL);
    }
}

/* ---- audit --------------------------------------------------------- */

static void
check_audit (KikanStation *self, KikanStationReport *r)
{
    g_autoptr (GError) error = NULL;
    KikanAuditVerdict v = { 0 };
    gboolean initialised = kikan_audit_identity (self->store, NULL, NULL, &error);

    if (error == NULL)
        (void)kikan_audit_verify_store (self->store, NULL, NULL, NULL, &v, &error);
    if (error != NULL) {
        g_autofree char *msg = kikan_escape_for_display (error->message, -1);

        add_check (r, "audit", KIKAN_CHECK_FAIL,
                   g_strdup_printf ("The audit trail could not be read: %s", msg),
                   g_strdup ("Run “kikan audit verify” and tell the auditor what it says."));
    } else if (v.first_bad != 0) {
        g_autofree char *why = kikan_escape_for_display (v.why, -1);

        add_check (r, "audit", KIKAN_CHECK_FAIL,
                   g_strdup_printf ("The audit chain is broken at record %" G_GINT64_FORMAT
                                    " of %" G_GINT64_FORMAT ": %s.",
                                    v.first_bad, v.n_records, why),
                   g_strdup ("Keep this store as evidence (copy it, do not repair it) and "
                             "tell the auditor; no clearance can be given meanwhile."));
    } else if (!initialised) {
        add_check (r, "audit", KIKAN_CHECK_WARN,
                   g_strdup_printf ("The audit chain holds (%" G_GINT64_FORMAT " records) but "
                                    "is not sealed: this kiosk has no signing key, so it can "
                                    "issue no slip.",
                                    v.n_records),
                   g_strdup ("IT must run “kikan audit init” once and give the auditor what "
                             "it prints."));
    } else {
        add_check (r, "audit", KIKAN_CHECK_PASS,
                   g_strdup_printf ("The audit chain holds (%" G_GINT64_FORMAT " records, "
                                    "sealed up to record %" G_GINT64_FORMAT ").",
                                    v.n_records, v.last_sealed_seq),
                   NULL);
    }
    kikan_audit_verdict_clear (&v);
}

/* ---- printer ------------------------------------------------------- */

static void
check_printer (KikanStation *self, KikanStationReport *r)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanPrintSettings) settings = NULL;
    g_autofree char *conf = kikan_home_dup_config_path (self->home);

    /* No printer is a WARN, never a FAIL: the slip's PDF is archived and
     * IT can print it later (docs/printing.md). */
    if ((settings = kikan_print_settings_load (conf, &error)) == NULL) {
        g_autofree char *msg = kikan_escape_for_display (error->message, -1);

        add_check (r, "printer", KIKAN_CHECK_WARN,
                   g_strdup_printf ("The [print] settings cannot be read: %s", msg),
                   g_strdup ("Correct [print] in kikan.conf (docs/printing.md)."));
    } else if (settings->queue == NULL) {
        add_check (r, "printer", KIKAN_CHECK_WARN,
                   g_strdup ("No printer is set up: slips are archived as PDF but not "
                             "printed."),
                   g_strdup ("Set [print] queue in kikan.conf to the slip printer's CUPS "
                             "queue (docs/printing.md)."));
    } else if (!kikan_print_check_queue (settings->server, settings->queue, &error)) {
        add_check (r, "printer", KIKAN_CHECK_WARN, g_strdup (error->message),
                   g_strdup ("Until it is fixed, slips are archived as PDF and IT prints them "
                             "with “kikan slip print NUMBER”."));
    } else {
        g_autofree char *queue = kikan_escape_for_display (settings->queue, -1);

        add_check (r, "printer", KIKAN_CHECK_PASS,
                   g_strdup_printf ("The printer '%s' accepts jobs.", queue), NULL);
    }
}

/* ---- clock (KR-37) ------------------------------------------------- */

static void
check_clock (KikanStation *self, KikanStationReport *r)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *conf = kikan_home_dup_config_path (self->home);
    KikanAuthPolicy it = { 0 };
    gint64 now = kikan_store_now_unix ();
    gint64 newest = kikan_station_newest_record_time (self);
    g_autofree char *confirmed = kikan_station_dup_last_clock_confirmation (self);
    g_autoptr (GDateTime) when = confirmed != NULL ? g_date_time_new_from_iso8601 (confirmed, NULL)
                                                   : NULL;
    g_autoptr (GDateTime) now_dt = g_date_time_new_from_unix_utc (now);
    g_autofree char *now_text = g_date_time_format (now_dt, "%Y-%m-%d %H:%M UTC");

    /* Every record was written by this kiosk's clock: one later than now
     * means the clock was set back, and every time recorded from now on
     * (session, verdict, slip validity) would be false. */
    if (newest > now) {
        g_autoptr (GDateTime) n = g_date_time_new_from_unix_utc (newest);
        g_autofree char *newest_text = g_date_time_format (n, "%Y-%m-%d %H:%M:%S UTC");

        add_check (r, "clock", KIKAN_CHECK_FAIL,
                   g_strdup_printf ("The clock reads %s, earlier than the newest audit record "
                                    "(%s): it was set back.",
                                    now_text, newest_text),
                   g_strdup ("Set the clock right from a trusted time source, confirm it in IT "
                             "mode, and tell the auditor that it had been set back."));
        return;
    }
    /* How long IT's confirmation holds: [it] clock_confirm_days. */
    if (!kikan_auth_policy_load (conf, &it, &error)) {
        g_autofree char *msg = kikan_escape_for_display (error->message, -1);

        add_check (r, "clock", KIKAN_CHECK_WARN,
                   g_strdup_printf ("The clock reads %s; how long IT's confirmation holds "
                                    "cannot be read: %s",
                                    now_text, msg),
                   g_strdup ("Correct [it] in kikan.conf (docs/it-accounts.md)."));
    } else if (when == NULL) {
        add_check (r, "clock", KIKAN_CHECK_WARN,
                   g_strdup_printf ("The clock reads %s; IT has never confirmed that it is "
                                    "right.",
                                    now_text),
                   g_strdup ("Compare the clock with a trusted one and confirm it in IT mode "
                             "(KR-37)."));
    } else if (now - g_date_time_to_unix (when) > (gint64)it.clock_confirm_days * 24 * 3600) {
        g_autofree char *shown = kikan_escape_for_display (confirmed, -1);

        add_check (r, "clock", KIKAN_CHECK_WARN,
                   g_strdup_printf ("The clock reads %s; IT last confirmed it on %s, more than "
                                    "%u days ago ([it] clock_confirm_days).",
                                    now_text, shown, it.clock_confirm_days),
                   g_strdup ("Compare the clock with a trusted one and confirm it in IT mode "
                             "(KR-37)."));
    } else {
        g_autofree char *shown = kikan_escape_for_display (confirmed, -1);

        add_check (r, "clock", KIKAN_CHECK_PASS,
                   g_strdup_printf ("The clock reads %s; IT confirmed it on %s.", now_text,
                                    shown),
                   NULL);
    }
}

/* ---- network (KR-38) ----------------------------------------------- */

char **
kikan_station_dup_network_interfaces_up (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return kikan_network_dup_interfaces_up ();
}

static void
check_network (KikanStation *self, KikanStationReport *r)
{
    g_auto (GStrv) up = kikan_network_dup_interfaces_up ();

    if (up == NULL) {
        add_check (r, "network", KIKAN_CHECK_WARN,
                   g_strdup_printf ("The network interfaces could not be listed: %s.",
                                    g_strerror (errno)),
                   g_strdup ("Check by hand (ip link) that no interface but loopback is up "
                             "(KR-38)."));
    } else if (up[0] != NULL) {
        g_autofree char *names = g_strjoinv (", ", up);
        g_autofree char *shown = kikan_escape_for_display (names, -1);

        add_check (r, "network", KIKAN_CHECK_WARN,
                   g_strdup_printf ("This kiosk must be offline, but these network interfaces "
                                    "are up: %s.",
                                    shown),
                   g_strdup ("Unplug the network cable and disable the interfaces for good "
                             "(docs/station.md, KR-38)."));
    } else {
        add_check (r, "network", KIKAN_CHECK_PASS,
                   g_strdup ("No network interface but loopback is up."), NULL);
    }
}

/* ---- the run ------------------------------------------------------- */

typedef struct {
    KikanStationReport *report;
    KikanInspector *inspector; /* the one the engine check ran on */
} Run;

static void
run_free (Run *run)
{
    kikan_station_report_free (run->report);
    g_free (run);
}

/* Every check but the engine's, then the record, then the result. */
static void
finish_run (GTask *task)
{
    KikanStation *self = g_task_get_source_object (task);
    Run *run = g_task_get_task_data (task);
    KikanStationReport *r = run->report;
    g_autoptr (GError) error = NULL;
    g_autoptr (GString) failed = g_string_new (NULL);
    g_autoptr (JsonNode) payload = NULL;

    check_signatures (self, r);
    check_policy (self, r);
    check_store (self, r);
    check_audit (self, r);
    check_printer (self, r);
    check_clock (self, r);
    check_network (self, r);
    r->passed = TRUE;
    for (guint i = 0; i < r->checks->len; i++) {
        const KikanStationCheck *c = r->checks->pdata[i];

        if (c->status != KIKAN_CHECK_FAIL)
            continue;
        r->passed = FALSE;
        g_string_append_printf (failed, "%s%s", failed->len > 0 ? "," : "", c->id);
    }
    /* The outcome is evidence that the kiosk could detect what it must
     * when it served (KR-36): it goes into the audit trail, and a
     * self-test that cannot be recorded does not count. */
    payload = kikan_audit_payload ("outcome", r->passed ? "passed" : "failed", "failed",
                                   failed->len > 0 ? failed->str : NULL, "kiosk_id",
                                   self->kiosk_id, NULL);
    if (!kikan_audit_record_event_in (self->store, "selftest", payload, &error)) {
        g_task_return_new_error (task, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                                 "The self-test could not be recorded in the audit trail, so "
                                 "it does not count: %s Run it again; if it still fails, "
                                 "check the store with “kikan db check”.",
                                 error->message);
        g_object_unref (task);
        return;
    }
    g_clear_pointer (&self->last_report, kikan_station_report_free);
    self->last_report = report_copy (r);
    g_task_return_pointer (task, g_steal_pointer (&run->report),
                           (GDestroyNotify)kikan_station_report_free);
    g_object_unref (task);
}

static void
on_scanned (GObject *source, GAsyncResult *result, gpointer user_data)
{
    GTask *task = user_data; /* finish_run() drops it */
    KikanStation *self = g_task_get_source_object (task);
    Run *run = g_task_get_task_data (task);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanSelftest) st = kikan_inspector_selftest_finish (run->inspector, result,
                                                                    &error);

    /* The engine may have been restarted meanwhile (a cancelled
     * inspection): the summary is read again. */
    if (st != NULL && run->inspector == self->inspector)
        kikan_station_set_engine_state (self, KIKAN_ENGINE_READY, NULL);
    check_engine (self, run->report, st, error);
    finish_run (task);
}

static void
on_warmed_for_selftest (GObject *source, GAsyncResult *result, gpointer user_data)
{
    GTask *task = user_data; /* finish_run() drops it */
    KikanStation *self = KIKAN_STATION (source);
    Run *run = g_task_get_task_data (task);
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = NULL;

    if (!kikan_station_warm_finish (self, result, &error)) {
        check_engine (self, run->report, NULL, error);
        finish_run (task);
        return;
    }
    dir = kikan_paths_dup_selftest_dir ();
    run->inspector = self->inspector;
    kikan_inspector_selftest_async (run->inspector, dir, self->null_sandbox,
                                    g_task_get_cancellable (task), on_scanned, task);
}

void
kikan_station_selftest_async (KikanStation *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
    GTask *task;
    Run *run;

    g_return_if_fail (KIKAN_IS_STATION (self));
    g_return_if_fail (self->inspector != NULL); /* not a recover_only station */
    task = g_task_new (self, cancellable, callback, user_data);
    g_task_set_source_tag (task, kikan_station_selftest_async);
    run = g_new0 (Run, 1);
    run->report = report_new ();
    g_task_set_task_data (task, run, (GDestroyNotify)run_free);
    kikan_station_warm_async (self, cancellable, on_warmed_for_selftest, task);
}

KikanStationReport *
kikan_station_selftest_finish (KikanStation *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail (g_task_is_valid (result, self), NULL);
    return g_task_propagate_pointer (G_TASK (result), error);
}

const KikanStationReport *
kikan_station_get_last_report (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return self->last_report;
}
