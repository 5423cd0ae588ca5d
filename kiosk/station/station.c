/* Kikan kiosk: the kiosk station, the long-lived state of one kiosk
 * (station-private.h; docs/station.md).  This file: opening, the engine
 * and its warm-up, check-ins, the slip and the clock.  The self-test is in
 * station-selftest.c, the signature import and swap in
 * station-signatures.c. */
#include "station-impl-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <sqlite3.h>

#include "audit-capacity-private.h"
#include "audit-events-private.h"
#include "audit-private.h"
#include "db-file-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "paths-private.h"
#include "seal-private.h"
#include "slip-print-private.h"
#include "slip-private.h"
#include "station-setup-private.h"

/* Where the USB models are looked for when none is named (docs/usb.md). */
#define KIKAN_DEFAULT_USB_MODELS "/etc/kikan/usb.conf"

enum {
    PROP_0,
    PROP_ENGINE_STATE,
    PROP_ENGINE_GENERATION,
    N_PROPS,
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (KikanStation, kikan_station, G_TYPE_OBJECT)

static void
kikan_station_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    KikanStation *self = KIKAN_STATION (object);

    switch (id) {
    case PROP_ENGINE_STATE:
        g_value_set_int (value, self->engine_state);
        break;
    case PROP_ENGINE_GENERATION:
        g_value_set_uint (value, self->generation);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
kikan_station_finalize (GObject *object)
{
    KikanStation *self = KIKAN_STATION (object);

    /* A check-in still alive borrows an inspector freed below. */
    g_warn_if_fail (g_hash_table_size (self->checkins) == 0);
    g_hash_table_unref (self->checkins);
    g_clear_pointer (&self->inspector, kikan_inspector_free);
    g_ptr_array_unref (self->retired);
    g_ptr_array_unref (self->warm_waiters);
    g_clear_pointer (&self->sources, kikan_db_sources_free);
    g_clear_pointer (&self->policy, kikan_policy_free);
    g_clear_pointer (&self->config, kikan_config_free);
    g_clear_pointer (&self->store, kikan_store_free);
    g_clear_pointer (&self->last_report, kikan_station_report_free);
    g_strfreev (self->explicit_databases);
    g_free (self->policy_path);
    g_free (self->why_no_policy);
    g_free (self->kiosk_id);
    g_free (self->usb_models);
    g_free (self->scand);
    g_free (self->engine_problem);
    g_free (self->engine_summary);
    g_free (self->sig_invalid);
    g_free (self->sig_version);
    g_free (self->sig_date);
    g_free (self->disk_warning);
    if (self->lock_fd >= 0)
        close (self->lock_fd);
    G_OBJECT_CLASS (kikan_station_parent_class)->finalize (object);
}

static void
kikan_station_class_init (KikanStationClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->get_property = kikan_station_get_property;
    object_class->finalize = kikan_station_finalize;
    /* An int rather than a registered enum: the UI compares it with
     * KikanEngineState, and no GType is needed for that. */
    props[PROP_ENGINE_STATE]
        = g_param_spec_int ("engine-state", NULL, NULL, KIKAN_ENGINE_STOPPED, KIKAN_ENGINE_FAILED,
                            KIKAN_ENGINE_STOPPED,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
    props[PROP_ENGINE_GENERATION]
        = g_param_spec_uint ("engine-generation", NULL, NULL, 0, G_MAXUINT, 0,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
kikan_station_init (KikanStation *self)
{
    self->lock_fd = -1;
    self->retired = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_inspector_free);
    self->checkins = g_hash_table_new (NULL, NULL);
    self->warm_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/* One check-in at a time per home: the lock is held for the life of the
 * station, so that whatever a session left open was left by a process
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
void
kikan_station_measure_signatures (KikanDbSources *sources, guint max_age_days, char **invalid,
                                  char **version, char **date)
{
    gint64 newest = 0;
    guint newest_version = 0;
    double age = 0;
    KikanDbAge state;

    *invalid = *version = *date = NULL;
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

void
kikan_station_remeasure_signatures (KikanStation *self)
{
    g_clear_pointer (&self->sig_invalid, g_free);
    g_clear_pointer (&self->sig_version, g_free);
    g_clear_pointer (&self->sig_date, g_free);
    kikan_station_measure_signatures (self->sources, self->config->max_age_days,
                                      &self->sig_invalid, &self->sig_version, &self->sig_date);
}

KikanInspector *
kikan_station_new_inspector (KikanStation *self, KikanDbSources *sources)
{
    KikanInspectorConfig icfg = { 0 };

    icfg.scand_path = self->scand;
    icfg.databases = (char **)kikan_db_sources_get_paths (sources);
    icfg.limits = self->config->limits;
    icfg.jobs = self->config->jobs;
    icfg.timeout_s = self->config->timeout_s;
    icfg.null_sandbox = self->null_sandbox;
    icfg.max_age_days = self->config->max_age_days;
    return kikan_inspector_new (&icfg, self->policy);
}

/* A check-in appends to the audit chain and its slip carries the chain's
 * head: on a chain that no longer verifies, both would vouch for records
 * that were changed, and recovery would write over the scene.  The kiosk's
 * station opens anyway (its self-test fails "audit" and refuses check-ins,
 * KR-36, while the auditor's view shows what was changed); `kikan checkin`
 * runs no self-test, so its station checks the chain here, before anything
 * is written, and refuses service.  Without the auditor's key: as the
 * self-test and `kikan db check` do. */
static gboolean
refuse_broken_chain (KikanStore *store, GError **error)
{
    KikanAuditVerdict v = { 0 };
    g_autofree char *why = NULL;

    if (!kikan_audit_verify_store (store, NULL, NULL, NULL, &v, error))
        return FALSE;
    if (v.first_bad == 0) {
        kikan_audit_verdict_clear (&v);
        return TRUE;
    }
    why = kikan_escape_for_display (v.why, -1);
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_AUDIT_BROKEN,
                 "The audit trail of this kiosk is broken at record %" G_GINT64_FORMAT
                 " of %" G_GINT64_FORMAT ": %s. No check-in can be done and nothing was written, "
                 "so that the evidence stays as it is. Keep the store as evidence (copy it, do "
                 "not repair it), run “kikan audit verify” for details and tell the auditor.",
                 v.first_bad, v.n_records, why);
    kikan_audit_verdict_clear (&v);
    return FALSE;
}

KikanStation *
kikan_station_open (KikanHome *home, const KikanStationOptions *options, GError **error)
{
    static const KikanStationOptions defaults = { 0 };
    g_autoptr (KikanStation) self = NULL;

    g_return_val_if_fail (home != NULL, NULL);
    if (options == NULL)
        options = &defaults;
    self = g_object_new (KIKAN_TYPE_STATION, NULL);
    self->home = home;
    self->null_sandbox = options->null_sandbox;
    self->skip_selftest_gate = options->skip_selftest_gate;
    self->explicit_databases = g_strdupv ((char **)options->databases);
    self->kiosk_id = g_strdup (options->kiosk_id != NULL ? options->kiosk_id
                                                         : g_get_host_name ());
    if (options->usb_models != NULL)
        self->usb_models = g_strdup (options->usb_models);
    else if (g_file_test (KIKAN_DEFAULT_USB_MODELS, G_FILE_TEST_EXISTS))
        self->usb_models = g_strdup (KIKAN_DEFAULT_USB_MODELS);

    if ((self->config = kikan_setup_load_config (home, error)) == NULL
        || (self->lock_fd = take_lock (home, error)) < 0
        || (self->store = kikan_store_open (home, error)) == NULL
        || (self->skip_selftest_gate && !refuse_broken_chain (self->store, error))
        || !kikan_checkin_recover (self->store, &self->n_recovered, error))
        return NULL;
    if (options->recover_only)
        return g_steal_pointer (&self);
    if (!kikan_setup_load_policy (options->policy_file, &self->policy, &self->policy_path,
                                  &self->why_no_policy, error)
        || (self->sources = kikan_setup_resolve_databases (home, self->config,
                                                           self->explicit_databases, error))
               == NULL)
        return NULL;
    /* `kikan checkin` measures per script (kikan_station_begin_script):
     * a script that reads a medium takes MAL-05 from the engine, and
     * verifying every database here too would read them twice. */
    if (!self->skip_selftest_gate)
        kikan_station_remeasure_signatures (self);
    kikan_setup_use_home_tmpdir (home);
    self->scand = kikan_paths_dup_scand ();
    self->inspector = kikan_station_new_inspector (self, self->sources);
    return g_steal_pointer (&self);
}

KikanHome *
kikan_station_get_home (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return self->home;
}

KikanStore *
kikan_station_get_store (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return self->store;
}

const KikanConfig *
kikan_station_get_config (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return self->config;
}

const char *
kikan_station_get_kiosk_id (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return self->kiosk_id;
}

guint
kikan_station_get_n_recovered (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), 0);
    return self->n_recovered;
}

const char *
kikan_station_get_disk_warning (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return self->disk_warning;
}

/* ---- The engine ---------------------------------------------------- */

KikanEngineState
kikan_station_get_engine_state (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), KIKAN_ENGINE_FAILED);
    return self->engine_state;
}

const char *
kikan_station_get_engine_problem (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return self->engine_state == KIKAN_ENGINE_FAILED ? self->engine_problem : NULL;
}

const char *
kikan_station_get_engine_summary (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    return self->engine_summary;
}

guint
kikan_station_get_engine_generation (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), 0);
    return self->generation;
}

void
kikan_station_set_engine_state (KikanStation *self, KikanEngineState state, const char *problem)
{
    g_free (self->engine_problem);
    self->engine_problem = g_strdup (problem);
    if (state == KIKAN_ENGINE_READY && self->inspector != NULL) {
        g_free (self->engine_summary);
        self->engine_summary = kikan_inspector_dup_engine_summary (self->inspector);
    }
    if (self->engine_state == state)
        return;
    self->engine_state = state;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ENGINE_STATE]);
}

static void
on_warmed (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (KikanStation) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) waiters = NULL;

    if (!kikan_inspector_warm_finish (self->inspector, result, &error)) {
        g_autofree char *shown = kikan_escape_for_display (error->message, -1);

        kikan_station_set_engine_state (self, KIKAN_ENGINE_FAILED, shown);
    } else {
        kikan_station_set_engine_state (self, KIKAN_ENGINE_READY, NULL);
    }
    /* Swapped out first, so that a waiter's callback may warm again. */
    waiters = g_steal_pointer (&self->warm_waiters);
    self->warm_waiters = g_ptr_array_new_with_free_func (g_object_unref);
    for (guint i = 0; i < waiters->len; i++) {
        GTask *task = waiters->pdata[i];

        if (self->engine_state == KIKAN_ENGINE_READY)
            g_task_return_boolean (task, TRUE);
        else
            g_task_return_new_error (task, KIKAN_ERROR, KIKAN_ERROR_NO_SIGNATURES,
                                     "The scanning engine could not be loaded: %s",
                                     self->engine_problem);
    }
}

void
kikan_station_warm_async (KikanStation *self, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr (GTask) task = NULL;

    g_return_if_fail (KIKAN_IS_STATION (self));
    task = g_task_new (self, cancellable, callback, user_data);
    g_task_set_source_tag (task, kikan_station_warm_async);
    if (self->inspector == NULL) {
        g_task_return_new_error (task, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                                 "This station was opened only to recover sessions; it has no "
                                 "engine. Open it again without recover_only.");
        return;
    }
    if (self->engine_state == KIKAN_ENGINE_READY) {
        g_task_return_boolean (task, TRUE);
        return;
    }
    g_ptr_array_add (self->warm_waiters, g_steal_pointer (&task));
    if (self->engine_state == KIKAN_ENGINE_LOADING)
        return; /* joins the warm-up in progress */
    kikan_station_set_engine_state (self, KIKAN_ENGINE_LOADING, NULL);
    kikan_inspector_warm_async (self->inspector, NULL, on_warmed, g_object_ref (self));
}

gboolean
kikan_station_warm_finish (KikanStation *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
    return g_task_propagate_boolean (G_TASK (result), error);
}

/* The latest time of the audit records since IT last confirmed the clock
 * (all of them when never), unix; 0 when there is none.  The latest, not
 * the last: records written after the clock was set back are earlier than
 * the ones before, and must not hide them.  Since the last confirmation:
 * once IT has set the clock right and confirmed it, what it read before
 * no longer counts.  ISO 8601 UTC times of one format sort as text. */
gint64
kikan_station_newest_record_time (KikanStation *self)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GDateTime) dt = NULL;
    g_autofree char *at = NULL;
    sqlite3_stmt *st = kikan_store_prepare (
        self->store,
        "SELECT max(at) FROM audit_records WHERE seq >= coalesce((SELECT max(seq) FROM "
        "audit_records WHERE kind = 'clock_confirmed'), 0)",
        &error);

    if (st == NULL)
        return 0;
    if (sqlite3_step (st) == SQLITE_ROW)
        at = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    if (at == NULL || (dt = g_date_time_new_from_iso8601 (at, NULL)) == NULL)
        return 0;
    return g_date_time_to_unix (dt);
}

/* ---- A check-in ---------------------------------------------------- */

/* KR-37: every record was written by this kiosk's clock, so one later than
 * the clock reads now means it was set back since: every time this
 * check-in would record (the session, its verdicts, the slip's validity)
 * would be false, and sessions would sort before earlier ones.  The
 * start-up self-test finds it at start; this finds it between check-ins,
 * for the kiosk that runs all day and for `kikan checkin`, which runs no
 * self-test.  The refusal is itself recorded (the clock's reading and the
 * newest record); every check-in is refused until the clock is set right
 * or IT confirms it as it reads (`clock_confirmed`). */
static gboolean
refuse_clock_set_back (KikanStation *self, GError **error)
{
    g_autoptr (GError) record_error = NULL;
    g_autoptr (JsonNode) payload = NULL;
    g_autoptr (GDateTime) now_dt = NULL;
    g_autoptr (GDateTime) newest_dt = NULL;
    g_autofree char *now_text = NULL;
    g_autofree char *newest_text = NULL;
    gint64 now = kikan_store_now_unix ();
    gint64 newest = kikan_station_newest_record_time (self);

    if (newest <= now)
        return TRUE;
    now_dt = g_date_time_new_from_unix_utc (now);
    newest_dt = g_date_time_new_from_unix_utc (newest);
    now_text = g_date_time_format (now_dt, "%Y-%m-%dT%H:%M:%SZ");
    newest_text = g_date_time_format (newest_dt, "%Y-%m-%dT%H:%M:%SZ");
    payload = kikan_audit_payload ("kiosk_time", now_text, "newest_record", newest_text,
                                   "kiosk_id", self->kiosk_id, NULL);
    if (!kikan_audit_record_event_in (self->store, "clock_set_back", payload, &record_error))
        g_warning ("The clock set back could not be recorded: %s", record_error->message);
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_BUSY,
                 "No check-in can begin: the clock reads %s, earlier than the newest audit "
                 "record (%s): it was set back (KR-37). Nothing of this check-in was recorded. "
                 "IT must set the clock right from a trusted time source, confirm it in IT mode, "
                 "and tell the auditor that it had been set back.",
                 now_text, newest_text);
    return FALSE;
}

gboolean
kikan_station_may_check_in (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), FALSE);
    return self->last_report != NULL && self->last_report->passed
           && self->engine_state == KIKAN_ENGINE_READY;
}

static gboolean
note_kiosk_state (KikanStation *self, GError **error)
{
    g_clear_pointer (&self->disk_warning, g_free);
    return kikan_audit_note_kiosk_state (self->home, self->store, self->policy_path,
                                         &self->disk_warning, error);
}

static KikanCheckin *
begin (KikanStation *self, const char *employee_id, const char *sig_invalid,
       const char *sig_version, const char *sig_date, GError **error)
{
    KikanCheckinOptions options = { 0 };
    KikanCheckin *checkin;

    options.kiosk_id = self->kiosk_id;
    options.policy_version = self->policy != NULL ? kikan_policy_get_version (self->policy)
                                                  : NULL;
    options.usb_models_path = self->usb_models;
    options.signatures_invalid = sig_invalid;
    options.signatures_version = sig_version;
    options.signatures_date = sig_date;
    options.max_age_days = self->config->max_age_days;
    checkin = kikan_checkin_begin (self->store, self->inspector, &options, employee_id, error);
    if (checkin != NULL)
        g_hash_table_insert (self->checkins, checkin, self->inspector);
    return checkin;
}

KikanCheckin *
kikan_station_begin_checkin (KikanStation *self, const char *employee_id, GError **error)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    g_return_val_if_fail (employee_id != NULL, NULL);
    if (self->inspector == NULL || !kikan_station_may_check_in (self)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_BUSY,
                     "No check-in can begin: %s (KR-36). IT must run the self-test from the "
                     "IT screen and fix what it reports.",
                     self->last_report == NULL ? "the start-up self-test has not run yet"
                     : !self->last_report->passed
                         ? "the last self-test failed"
                         : "the scanning engine is not ready");
        return NULL;
    }
    if (!refuse_clock_set_back (self, error) || !note_kiosk_state (self, error))
        return NULL;
    return begin (self, employee_id, self->sig_invalid, self->sig_version, self->sig_date,
                  error);
}

KikanCheckin *
kikan_station_begin_script (KikanStation *self, const KikanScript *script, GError **error)
{
    g_autofree char *sig_invalid = NULL, *sig_version = NULL, *sig_date = NULL;
    gboolean any_medium = FALSE;

    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    g_return_val_if_fail (script != NULL, NULL);
    g_return_val_if_fail (self->skip_selftest_gate && self->inspector != NULL, NULL);
    if (!refuse_clock_set_back (self, error) || !note_kiosk_state (self, error))
        return NULL;
    /* When a medium is read, the session's MAL-05 comes from the engine
     * that read it (the daemon verifies every signed database as it
     * loads); verifying them here too would read them twice.  Should no
     * inspection end, the session is held rather than assumed fresh. */
    for (guint i = 0; i < script->present->len; i++)
        any_medium |= ((KikanScriptPresent *)script->present->pdata[i])->medium != NULL;
    if (any_medium)
        sig_invalid = g_strdup ("were not measured: no medium was read to the end");
    else
        kikan_station_measure_signatures (self->sources, self->config->max_age_days,
                                          &sig_invalid, &sig_version, &sig_date);
    /* Everything a script can get wrong is said before anything is
     * recorded. */
    if (!kikan_checkin_check_script (self->store, script, error))
        return NULL;
    return begin (self, script->employee, sig_invalid, sig_version, sig_date, error);
}

void
kikan_station_release_retired (KikanStation *self)
{
    for (guint i = self->retired->len; i > 0; i--) {
        KikanInspector *old = self->retired->pdata[i - 1];
        GHashTableIter iter;
        gpointer value;
        gboolean held = FALSE;

        g_hash_table_iter_init (&iter, self->checkins);
        while (!held && g_hash_table_iter_next (&iter, NULL, &value))
            held = value == old;
        if (!held)
            g_ptr_array_remove_index (self->retired, i - 1);
    }
}

void
kikan_station_end_checkin (KikanStation *self, KikanCheckin *checkin)
{
    g_return_if_fail (KIKAN_IS_STATION (self));
    if (checkin == NULL)
        return;
    g_warn_if_fail (g_hash_table_remove (self->checkins, checkin));
    /* Freed first: it waits for its inspections, which use the inspector. */
    kikan_checkin_free (checkin);
    kikan_station_release_retired (self);
}

guint
kikan_station_get_n_checkins (KikanStation *self)
{
    g_return_val_if_fail (KIKAN_IS_STATION (self), 0);
    return g_hash_table_size (self->checkins);
}

/* ---- The slip ------------------------------------------------------ */

void
kikan_station_slip_free (KikanStationSlip *slip)
{
    if (slip == NULL)
        return;
    g_free (slip->number);
    g_free (slip->pdf_path);
    g_free (slip->payload);
    g_free (slip->not_issued);
    g_free (slip->print_outcome);
    g_free (slip->print_queue);
    g_free (slip->print_message);
    g_free (slip->print_error);
    g_free (slip);
}

/* Issue #10 item 4 (KR-27): the slip of the session that just ended, when
 * the kiosk can sign one.  The check-in is recorded whatever happens here:
 * a slip that cannot be issued is said plainly, with what to do, and
 * "slip" is null in the JSON ("slip_not_issued" says why). */
KikanStationSlip *
kikan_station_issue_slip (KikanStation *self, gint64 session_id, JsonNode *root)
{
    JsonObject *o = root != NULL ? json_node_get_object (root) : NULL;
    KikanStationSlip *out = g_new0 (KikanStationSlip, 1);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanSlipConfig) config = NULL;
    g_autoptr (KikanSlipIssued) slip = NULL;
    g_autofree char *config_path = NULL;
    gboolean initialised;

    g_return_val_if_fail (KIKAN_IS_STATION (self), out);
    config_path = kikan_home_dup_config_path (self->home);
    initialised = kikan_audit_identity (self->store, NULL, NULL, &error);
    if (initialised && (config = kikan_slip_config_load (config_path, &error)) != NULL)
        slip = kikan_slip_issue (self->store, self->home, session_id, config->layout,
                                 config->language, 0, &error);
    if (slip == NULL) {
        if (!initialised && error == NULL)
            out->not_issued = g_strdup ("This kiosk has no signing key yet: IT must run "
                                        "`kikan audit init` once.");
        else
            out->not_issued = g_strdup_printf ("%s IT can issue it later with `kikan slip "
                                               "issue %" G_GINT64_FORMAT "`.",
                                               error->message, session_id);
        if (o != NULL) {
            json_object_set_null_member (o, "slip");
            json_object_set_string_member (o, "slip_not_issued", out->not_issued);
        }
        return out;
    }
    out->number = g_strdup (slip->number);
    out->pdf_path = g_strdup (slip->pdf_path);
    out->payload = g_strdup (slip->payload);
    /* Issue #10 item 6: printed without a dialog to the [print] queue;
     * with none, or a printer that fails, the person is told, the PDF
     * stays archived and the attempt is recorded (slip_prints and a
     * "slip_print" record). */
    {
        g_autoptr (GError) print_error = NULL;
        g_autoptr (KikanSlipPrintOutcome) outcome = NULL;

        out->print_recorded = kikan_slip_print_recorded (self->store, self->home, slip->number,
                                                         NULL, &outcome, &print_error);
        out->print_outcome = g_strdup (
            outcome != NULL ? kikan_slip_print_outcome_name (outcome->kind) : "failed");
        if (outcome != NULL && outcome->queue != NULL)
            out->print_queue = g_strdup (outcome->queue);
        if (outcome != NULL && outcome->message != NULL)
            out->print_message = g_strdup (outcome->message);
        else if (print_error != NULL)
            out->print_message = g_strdup (print_error->message);
        if (print_error != NULL)
            out->print_error = g_strdup (print_error->message);
    }
    if (o != NULL) {
        JsonObject *s = json_object_new ();
        JsonObject *p = json_object_new ();

        json_object_set_string_member (s, "number", out->number);
        json_object_set_string_member (s, "pdf", out->pdf_path);
        json_object_set_string_member (s, "payload", out->payload);
        json_object_set_object_member (o, "slip", s);
        json_object_set_string_member (p, "outcome", out->print_outcome);
        if (out->print_queue != NULL)
            json_object_set_string_member (p, "queue", out->print_queue);
        else
            json_object_set_null_member (p, "queue");
        json_object_set_boolean_member (p, "recorded", out->print_recorded);
        if (out->print_message != NULL)
            json_object_set_string_member (p, "message", out->print_message);
        json_object_set_object_member (s, "print", p);
    }
    return out;
}

/* ---- The clock (KR-37) --------------------------------------------- */

gboolean
kikan_station_confirm_clock (KikanStation *self, const char *by, GError **error)
{
    g_autofree char *now = NULL;
    g_autoptr (JsonNode) payload = NULL;

    g_return_val_if_fail (KIKAN_IS_STATION (self), FALSE);
    g_return_val_if_fail (by != NULL && by[0] != '\0', FALSE);
    /* The kiosk's own reading, as IT saw it next to a trusted clock: the
     * record's time says the same, and a later record earlier than it
     * shows that the clock was set back. */
    now = kikan_store_now_iso ();
    payload = kikan_audit_payload ("by", by, "kiosk_time", now, NULL);
    return kikan_audit_record_event_in (self->store, "clock_confirmed", payload, error);
}

char *
kikan_station_dup_last_clock_confirmation (KikanStation *self)
{
    g_autoptr (GError) error = NULL;
    sqlite3_stmt *st;
    char *at = NULL;

    g_return_val_if_fail (KIKAN_IS_STATION (self), NULL);
    st = kikan_store_prepare (self->store,
                              "SELECT json_extract(payload, '$.kiosk_time') FROM audit_records "
                              "WHERE kind = 'clock_confirmed' ORDER BY seq DESC LIMIT 1",
                              &error);
    if (st == NULL) {
        g_warning ("%s", error->message);
        return NULL;
    }
    if (sqlite3_step (st) == SQLITE_ROW)
        at = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    return at;
}
