/* Kikan kiosk: a signature import at the station and the swap of its
 * engine (issue #11 item 5; station-private.h, docs/station.md).
 *
 *   import (thread) ──> new engine on the new set (thread) ──> self-test ──> swap
 *        │ refused              │ fails to load               │ fails
 *        └──────────────────────┴── "current" back to the previous set;
 *                                   the old engine keeps serving
 *
 * No check-in waits for any of it: the serving inspector is untouched
 * until the swap, which is one pointer on the main context, and a
 * check-in that began before keeps its inspector until it is ended. */
#include "station-impl-private.h"

#include "audit-events-private.h"
#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "paths-private.h"
#include "sig-store-private.h"
#include "station-setup-private.h"
#include "station-signatures-private.h"

JsonNode *
kikan_signatures_import_payload (const char *medium, const KikanImportResult *res,
                                 const char *refused, const char *by)
{
    g_autofree char *count = res != NULL ? g_strdup_printf ("%u", res->signatures) : NULL;
    g_autofree char *built = res != NULL && res->newest_signed_build_time > 0
                                 ? g_strdup_printf ("%" G_GINT64_FORMAT,
                                                    (gint64)res->newest_signed_build_time)
                                 : NULL;
    JsonNode *payload = kikan_audit_payload (
        "medium", medium, "outcome", refused != NULL ? "refused" : "imported", "why", refused,
        "set", res != NULL ? res->set_name : NULL, "previous_set",
        res != NULL ? res->previous_set_name : NULL, "signatures", count,
        "newest_signed_build_time", built, NULL);

    /* `kikan signatures import` records no "by": the operator is whoever
     * ran the command on the kiosk's console. */
    if (by != NULL)
        json_object_set_string_member (json_node_get_object (payload), "by", by);
    return payload;
}

typedef struct {
    char *source_dir;
    char *by;
    char *sigdir;
    KikanImportOptions opts;
    KikanImportResult *result;
    KikanDbSources *sources;     /* of the new set */
    KikanInspector *inspector;   /* the new engine, until swapped in */
} Import;

static void
import_free (Import *imp)
{
    g_free (imp->source_dir);
    g_free (imp->by);
    g_free (imp->sigdir);
    kikan_import_result_free (imp->result);
    kikan_db_sources_free (imp->sources);
    kikan_inspector_free (imp->inspector);
    g_free (imp);
}

static void
import_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    Import *imp = task_data;
    g_autoptr (KikanSigStore) store = kikan_sig_store_new (imp->sigdir);
    GError *error = NULL;

    if (kikan_sig_store_import (store, imp->source_dir, &imp->opts, &imp->result, &error))
        g_task_return_boolean (task, TRUE);
    else
        g_task_return_error (task, error);
}

/* Records the outcome on the station's store; a record that cannot be
 * written is said in @error (the import itself stands or not as it is). */
static gboolean
record (KikanStation *self, Import *imp, const char *refused, GError **error)
{
    g_autoptr (JsonNode) payload
        = kikan_signatures_import_payload (imp->source_dir, imp->result, refused, imp->by);

    return kikan_audit_record_event_in (self->store, "signature_import", payload, error);
}

/* The import failed at @stage (@why, escaped or ours): the set in use is
 * restored, the refusal recorded, and the task fails saying what to do. */
static void
refuse (GTask *task, const char *why, const char *remedy)
{
    KikanStation *self = g_task_get_source_object (task);
    Import *imp = g_task_get_task_data (task);
    g_autoptr (GError) rollback_error = NULL;
    g_autoptr (GError) record_error = NULL;
    g_autofree char *restored = NULL;

    self->importing = FALSE;
    if (imp->result != NULL && imp->result->changed) {
        g_autoptr (KikanSigStore) store = kikan_sig_store_new (imp->sigdir);

        if (!kikan_sig_store_rollback (store, imp->result->previous_set_name,
                                       imp->result->set_name, &rollback_error))
            restored = g_strdup_printf (" The previous set could NOT be restored: %s",
                                        rollback_error->message);
    }
    if (!record (self, imp, why, &record_error))
        g_warning ("The refused signature import could not be recorded in the audit trail: "
                   "%s",
                   record_error->message);
    g_task_return_new_error (task, KIKAN_ERROR, KIKAN_ERROR_REFUSED,
                             "The new signatures were not put in service: %s The kiosk goes on "
                             "with the signatures it had.%s%s%s",
                             why, restored != NULL ? restored : "", remedy[0] != '\0' ? " " : "",
                             remedy);
    g_object_unref (task);
}

static void
on_new_engine_tested (GObject *source, GAsyncResult *result, gpointer user_data)
{
    GTask *task = user_data;
    KikanStation *self = g_task_get_source_object (task);
    Import *imp = g_task_get_task_data (task);
    g_autoptr (GError) error = NULL;
    g_autoptr (GError) record_error = NULL;
    g_autoptr (KikanSelftest) st = kikan_inspector_selftest_finish (imp->inspector, result,
                                                                    &error);

    if (st == NULL) {
        g_autofree char *why = g_strdup_printf ("the new engine could not be loaded or tested "
                                                "(%s).",
                                                error->message);

        refuse (task, why,
                "Ask IT for a fresh update medium; the set on this one does not load.");
        return;
    }
    if (!kikan_selftest_passed (st)) {
        GPtrArray *problems = kikan_selftest_get_problems (st);
        g_autofree char *why = g_strdup_printf (
            "the new engine failed the detection self-test (KR-36)%s%s.",
            problems->len > 0 ? ": " : "",
            problems->len > 0 ? (const char *)problems->pdata[0] : "");

        refuse (task, why,
                "Ask IT for a complete, current update medium and import it again; run "
                "“kikan selftest” to see what the new set missed.");
        return;
    }
    /* The swap: from here on, new check-ins use the new engine; the old
     * one stays for the check-ins that began on it. */
    g_ptr_array_add (self->retired, self->inspector);
    self->inspector = g_steal_pointer (&imp->inspector);
    kikan_db_sources_free (self->sources);
    self->sources = g_steal_pointer (&imp->sources);
    self->generation++;
    self->importing = FALSE;
    kikan_station_release_retired (self);
    kikan_station_remeasure_signatures (self);
    kikan_station_set_engine_state (self, KIKAN_ENGINE_READY, NULL);
    g_object_notify (G_OBJECT (self), "engine-generation");
    if (!record (self, imp, NULL, &record_error)) {
        g_task_return_new_error (task, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                                 "The new signatures are in service, but the import could not "
                                 "be recorded in the audit trail: %s Tell IT before the next "
                                 "check-in.",
                                 record_error->message);
        g_object_unref (task);
        return;
    }
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
}

static void
on_imported (GObject *source, GAsyncResult *result, gpointer user_data)
{
    GTask *task = user_data;
    KikanStation *self = g_task_get_source_object (task);
    Import *imp = g_task_get_task_data (task);
    g_autoptr (GError) error = NULL;
    g_autoptr (GError) record_error = NULL;
    g_autofree char *dir = NULL;

    if (!g_task_propagate_boolean (G_TASK (result), &error)) {
        /* Refused before "current" moved: nothing to restore. */
        refuse (task, error->message, "");
        return;
    }
    if (!imp->result->changed) {
        /* The medium held nothing new: the engine in service is the one
         * for this set already. */
        self->importing = FALSE;
        if (!record (self, imp, NULL, &record_error))
            g_warning ("The signature import could not be recorded in the audit trail: %s",
                       record_error->message);
        g_task_return_boolean (task, TRUE);
        g_object_unref (task);
        return;
    }
    /* The new set's paths, as the station resolved the first ones. */
    if ((imp->sources = kikan_setup_resolve_databases (self->home, self->config,
                                                       self->explicit_databases, &error))
        == NULL) {
        g_autofree char *why = g_strdup_printf ("the new set cannot be found (%s).",
                                                error->message);

        refuse (task, why, "Ask IT for a fresh update medium.");
        return;
    }
    imp->inspector = kikan_station_new_inspector (self, imp->sources);
    dir = kikan_paths_dup_selftest_dir ();
    /* The self-test warms the new engine first: loading and testing it
     * runs on its own thread, beside the engine in service. */
    kikan_inspector_selftest_async (imp->inspector, dir, self->null_sandbox, NULL,
                                    on_new_engine_tested, task);
}

void
kikan_station_import_signatures_async (KikanStation *self, const char *source_dir,
                                       const char *by, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
    GTask *task;
    GTask *thread_task;
    Import *imp;
    GError *error = NULL;

    g_return_if_fail (KIKAN_IS_STATION (self));
    g_return_if_fail (source_dir != NULL && by != NULL);
    task = g_task_new (self, cancellable, callback, user_data);
    g_task_set_source_tag (task, kikan_station_import_signatures_async);
    if (self->inspector == NULL || self->importing) {
        g_task_return_new_error (task, KIKAN_ERROR, KIKAN_ERROR_BUSY,
                                 self->inspector == NULL
                                     ? "This station has no engine (opened to recover only)."
                                     : "An import is already running: wait for it to end.");
        g_object_unref (task);
        return;
    }
    imp = g_new0 (Import, 1);
    imp->source_dir = g_strdup (source_dir);
    imp->by = g_strdup (by);
    imp->opts.limits = self->config->limits;
    g_task_set_task_data (task, imp, (GDestroyNotify)import_free);
    if ((imp->sigdir = kikan_home_ensure_dir (self->home, "signatures", &error)) == NULL) {
        g_task_return_error (task, error);
        g_object_unref (task);
        return;
    }
    self->importing = TRUE;
    /* Verifying and test-loading the set take seconds: on a thread. */
    thread_task = g_task_new (self, cancellable, on_imported, task);
    g_task_set_task_data (thread_task, imp, NULL);
    g_task_run_in_thread (thread_task, import_thread);
    g_object_unref (thread_task);
}

gboolean
kikan_station_import_signatures_finish (KikanStation *self, GAsyncResult *result,
                                        GError **error)
{
    g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
    return g_task_propagate_boolean (G_TASK (result), error);
}
