/* Kikan kiosk: inspections of media for a main loop (inspector-private.h). */
#include "inspector-private.h"

#include <stdlib.h>
#include <string.h>

#include "error-private.h"
#include "scan-session-private.h"
#include "scan-target-private.h"
#include "secrets-private.h"

struct KikanInspector {
    KikanInspectorConfig config;
    const KikanPolicy *policy;
    GMutex lock;               /* one inspection at a time; guards session */
    KikanScanSession *session; /* the warm daemon, NULL until first used or after a cancel */
    char *summary;             /* of the engine last loaded; guarded by summary_lock */
    GMutex summary_lock;       /* not self->lock: asked while an inspection runs */
};

typedef struct {
    char *path;
    char **passphrase_files;
    KikanInspectorProgress progress;
    gpointer progress_data;
    GMainContext *context; /* the caller's, for progress */
} Job;

typedef struct {
    KikanProgress p;
    KikanInspectorProgress progress;
    gpointer progress_data;
} ProgressCall;

static void
job_free (Job *job)
{
    g_free (job->path);
    g_strfreev (job->passphrase_files);
    g_main_context_unref (job->context);
    g_free (job);
}

KikanInspector *
kikan_inspector_new (const KikanInspectorConfig *config, const KikanPolicy *policy)
{
    KikanInspector *self = g_new0 (KikanInspector, 1);

    g_return_val_if_fail (config != NULL && config->scand_path != NULL, NULL);
    self->config = *config;
    self->config.scand_path = g_strdup (config->scand_path);
    self->config.databases = g_strdupv (config->databases);
    self->policy = policy;
    g_mutex_init (&self->lock);
    g_mutex_init (&self->summary_lock);
    return self;
}

void
kikan_inspector_free (KikanInspector *self)
{
    if (self == NULL)
        return;
    /* A thread still inspecting holds the lock until it is done. */
    g_mutex_lock (&self->lock);
    g_clear_pointer (&self->session, kikan_scan_session_free);
    g_mutex_unlock (&self->lock);
    g_mutex_clear (&self->lock);
    g_mutex_clear (&self->summary_lock);
    g_free (self->summary);
    g_free (self->config.scand_path);
    g_strfreev (self->config.databases);
    g_free (self);
}

static gboolean
deliver_progress (gpointer data)
{
    ProgressCall *call = data;

    call->progress (&call->p, call->progress_data);
    return G_SOURCE_REMOVE;
}

/* On the inspection's thread: hands a copy to the caller's main context. */
static void
relay_progress (const KikanProgress *p, gpointer user_data)
{
    Job *job = user_data;
    ProgressCall *call;

    if (job->progress == NULL)
        return;
    call = g_new (ProgressCall, 1);
    call->p = *p;
    call->progress = job->progress;
    call->progress_data = job->progress_data;
    g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, deliver_progress, call, g_free);
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
    kikan_scan_session_cancel (user_data);
}

/* "ClamAV 1.4.6, daily 27123 (2026-11-30), 8700000 signatures": the
 * newest signed database names the set; a set of plain files only says
 * so. */
static char *
summarize_engine (const KikanEngineInfo *info)
{
    const KikanDbInfo *newest = NULL;
    GString *s = g_string_new (NULL);

    for (size_t i = 0; i < info->n_dbs; i++)
        if (info->dbs[i].is_signed
            && (newest == NULL || info->dbs[i].build_time > newest->build_time))
            newest = &info->dbs[i];
    g_string_append_printf (s, "ClamAV %s, ",
                            info->engine_version != NULL ? info->engine_version : "?");
    if (newest != NULL) {
        g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (newest->build_time);
        g_autofree char *day = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("?");
        g_autofree char *base = g_strdup (newest->name != NULL ? newest->name : "?");
        char *dot = strrchr (base, '.');

        if (dot != NULL)
            *dot = '\0';
        g_string_append_printf (s, "%s %u (%s), ", base, newest->version, day);
    } else {
        g_string_append (s, "no signed database, ");
    }
    g_string_append_printf (s, "%u signatures", info->signatures);
    return g_string_free (s, FALSE);
}

/* Runs with self->lock held: a live daemon with the engine loaded. */
static gboolean
ensure_session_locked (KikanInspector *self, GError **error)
{
    KikanEngineOptions eopts = { 0 };
    char *summary;

    if (self->session != NULL && kikan_scan_session_is_broken (self->session))
        g_clear_pointer (&self->session, kikan_scan_session_free);
    if (self->session != NULL)
        return TRUE;
    eopts.databases = (const char *const *)self->config.databases;
    eopts.n_databases = g_strv_length (self->config.databases);
    eopts.limits = self->config.limits;
    self->session = kikan_scan_session_new (self->config.scand_path, &eopts, error);
    if (self->session == NULL)
        return FALSE;
    summary = summarize_engine (kikan_scan_session_get_engine_info (self->session));
    g_mutex_lock (&self->summary_lock);
    g_free (self->summary);
    self->summary = summary;
    g_mutex_unlock (&self->summary_lock);
    return TRUE;
}

/* Runs with self->lock held: a report carrying a copy of the warm
 * engine's info (the session keeps its own for the next medium). */
static KikanScanReport *
new_report_locked (KikanInspector *self, gboolean keep_clean_files, GError **error)
{
    g_autoptr (KikanScanReport) report = kikan_scan_report_new (keep_clean_files);
    KikanEngineInfo *info = calloc (1, sizeof *info);

    kikan_scan_report_set_max_age_days (report, self->config.max_age_days);
    if (info == NULL
        || kikan_engine_info_copy (info, kikan_scan_session_get_engine_info (self->session))
               != 0) {
        if (info != NULL)
            kikan_engine_info_clear (info);
        free (info);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "Out of memory.");
        return NULL;
    }
    kikan_scan_report_take_engine_info (report, info);
    return g_steal_pointer (&report);
}

/* Runs with self->lock held. */
static KikanScanReport *
inspect_locked (KikanInspector *self, Job *job, GCancellable *cancellable, GError **error)
{
    static const KikanScanSessionEvents events = { .progress = relay_progress };
    g_autoptr (KikanScanTarget) target = NULL;
    g_autoptr (KikanSecrets) secrets = kikan_secrets_new ();
    g_autoptr (KikanScanReport) report = NULL;
    g_autoptr (GError) scan_error = NULL;
    KikanScanParams params = { 0 };
    gulong handler;
    guint index;
    gboolean ok;

    for (gsize i = 0; job->passphrase_files != NULL && job->passphrase_files[i] != NULL; i++)
        if (!kikan_secrets_add_file (secrets, job->passphrase_files[i], error))
            return NULL;
    if ((target = kikan_scan_target_open (job->path, error)) == NULL)
        return NULL;
    if (!ensure_session_locked (self, error))
        return NULL;
    if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

    if ((report = new_report_locked (self, FALSE, error)) == NULL)
        return NULL;
    params.jobs = self->config.jobs;
    params.timeout_s = self->config.timeout_s;
    params.null_sandbox = self->config.null_sandbox;
    params.secrets = kikan_secrets_get (secrets, &params.n_secrets);
    index = kikan_scan_report_add_target (report, target->path, target->is_dir);
    kikan_scan_report_set_target_kind (report, index, target->kind, target->size,
                                       params.n_secrets > 0);

    handler = cancellable != NULL ? g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                           self->session, NULL)
                                  : 0;
    ok = kikan_scan_session_scan_into (self->session, target, &params, report, index, &events, job,
                                       &scan_error);
    /* Waits for a cancel handler running on another thread to return, so
     * the session is not freed under it. */
    if (cancellable != NULL)
        g_cancellable_disconnect (cancellable, handler);
    if (g_cancellable_is_cancelled (cancellable)) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                     "The inspection of %s was cancelled before it finished; nothing of it "
                     "counts.",
                     job->path);
        return NULL;
    }
    /* A daemon that stopped (killed, timed out) has already ended the
     * target not inspected with the reason: the report says so; a new
     * daemon serves the next medium. */
    if (!ok)
        g_debug ("inspection of %s: %s", job->path, scan_error ? scan_error->message : "?");
    kikan_scan_report_evaluate_software (report, self->policy,
                                         g_get_real_time () / G_USEC_PER_SEC);
    return g_steal_pointer (&report);
}

static void
inspect_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    KikanInspector *self = g_object_get_data (G_OBJECT (task), "kikan-inspector");
    KikanScanReport *report;
    GError *error = NULL;

    g_mutex_lock (&self->lock);
    report = inspect_locked (self, task_data, cancellable, &error);
    g_mutex_unlock (&self->lock);
    if (report == NULL)
        g_task_return_error (task, error);
    else
        g_task_return_pointer (task, report, (GDestroyNotify)kikan_scan_report_free);
}

void
kikan_inspector_inspect_async (KikanInspector *self, const char *path,
                               const char *const *passphrase_files, GCancellable *cancellable,
                               KikanInspectorProgress progress, gpointer progress_data,
                               GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr (GTask) task = NULL;
    Job *job;

    g_return_if_fail (self != NULL && path != NULL);
    /* GTask's source must be a GObject or NULL; the inspector is plain,
     * so it rides in the task's data and is found again in the thread. */
    task = g_task_new (NULL, cancellable, callback, user_data);
    g_task_set_source_tag (task, kikan_inspector_inspect_async);
    /* The daemon exits on cancel; the task must still end, with CANCELLED. */
    g_task_set_return_on_cancel (task, FALSE);
    job = g_new0 (Job, 1);
    job->path = g_strdup (path);
    job->passphrase_files = g_strdupv ((char **)passphrase_files);
    job->progress = progress;
    job->progress_data = progress_data;
    job->context = g_main_context_ref_thread_default ();
    g_task_set_task_data (task, job, (GDestroyNotify)job_free);
    g_object_set_data (G_OBJECT (task), "kikan-inspector", self);
    g_task_run_in_thread (task, inspect_thread);
}

KikanScanReport *
kikan_inspector_inspect_finish (KikanInspector *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
    return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Warm-up and the self-test through the warm engine ------------- */

static void
warm_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    KikanInspector *self = task_data;
    GError *error = NULL;
    gboolean ok;

    g_mutex_lock (&self->lock);
    ok = ensure_session_locked (self, &error);
    g_mutex_unlock (&self->lock);
    if (ok)
        g_task_return_boolean (task, TRUE);
    else
        g_task_return_error (task, error);
}

void
kikan_inspector_warm_async (KikanInspector *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr (GTask) task = NULL;

    g_return_if_fail (self != NULL);
    task = g_task_new (NULL, cancellable, callback, user_data);
    g_task_set_source_tag (task, kikan_inspector_warm_async);
    g_task_set_task_data (task, self, NULL);
    g_task_run_in_thread (task, warm_thread);
}

gboolean
kikan_inspector_warm_finish (KikanInspector *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
    return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
    KikanInspector *self;
    char *dir;
    gboolean null_sandbox_allowed;
} SelftestJob;

static void
selftest_job_free (SelftestJob *job)
{
    g_free (job->dir);
    g_free (job);
}

/* Runs with self->lock held. */
static KikanSelftest *
selftest_locked (KikanInspector *self, SelftestJob *job, GError **error)
{
    g_autoptr (KikanSelftest) st = NULL;
    g_autoptr (KikanScanTarget) target = NULL;
    g_autoptr (KikanScanReport) report = NULL;
    g_autoptr (GError) scan_error = NULL;
    KikanScanParams params = { 0 };

    if ((st = kikan_selftest_new_for_dir (job->dir, error)) == NULL
        || (target = kikan_scan_target_open (job->dir, error)) == NULL
        || !ensure_session_locked (self, error)
        || (report = new_report_locked (self, TRUE, error)) == NULL)
        return NULL;
    params.jobs = self->config.jobs;
    params.timeout_s = self->config.timeout_s;
    params.null_sandbox = self->config.null_sandbox;
    /* A daemon that stops fails the target, which the evaluation reports;
     * a new daemon serves the next medium. */
    if (!kikan_scan_session_scan (self->session, target, &params, report, NULL, NULL,
                                  &scan_error))
        g_debug ("self-test scan of %s: %s", job->dir, scan_error->message);
    /* The signatures' problem, if any, is among the self-test's own. */
    g_free (kikan_selftest_evaluate_all (st, report, 0, job->null_sandbox_allowed,
                                         g_get_real_time () / G_USEC_PER_SEC));
    return g_steal_pointer (&st);
}

static void
selftest_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    SelftestJob *job = task_data;
    KikanSelftest *st;
    GError *error = NULL;

    g_mutex_lock (&job->self->lock);
    st = selftest_locked (job->self, job, &error);
    g_mutex_unlock (&job->self->lock);
    if (st == NULL)
        g_task_return_error (task, error);
    else
        g_task_return_pointer (task, st, (GDestroyNotify)kikan_selftest_free);
}

void
kikan_inspector_selftest_async (KikanInspector *self, const char *dir,
                                gboolean null_sandbox_allowed, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr (GTask) task = NULL;
    SelftestJob *job;

    g_return_if_fail (self != NULL && dir != NULL);
    task = g_task_new (NULL, cancellable, callback, user_data);
    g_task_set_source_tag (task, kikan_inspector_selftest_async);
    job = g_new0 (SelftestJob, 1);
    job->self = self;
    job->dir = g_strdup (dir);
    job->null_sandbox_allowed = null_sandbox_allowed;
    g_task_set_task_data (task, job, (GDestroyNotify)selftest_job_free);
    g_task_run_in_thread (task, selftest_thread);
}

KikanSelftest *
kikan_inspector_selftest_finish (KikanInspector *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
    return g_task_propagate_pointer (G_TASK (result), error);
}

char *
kikan_inspector_dup_engine_summary (KikanInspector *self)
{
    char *s;

    g_return_val_if_fail (self != NULL, NULL);
    g_mutex_lock (&self->summary_lock);
    s = g_strdup (self->summary);
    g_mutex_unlock (&self->summary_lock);
    return s;
}

const char *const *
kikan_inspector_get_databases (KikanInspector *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return (const char *const *)self->config.databases;
}
