/* Kikan kiosk: inspections of media for a main loop (issue #9 items 4, 7).
 *
 * The check-in (and the GTK kiosk after it) must never block its thread on
 * a scan: a laptop disk can take an hour.  A KikanInspector keeps one warm
 * kikan-scand (the engine is loaded once, on the first inspection, in the
 * background) and runs each inspection on a thread of its own, one at a
 * time, reporting progress back to the caller's main context.
 *
 * Cancelling (the medium was pulled out, the person gave up) stops the scan
 * at once: the result is then G_IO_ERROR_CANCELLED and nothing of the
 * partial scan is returned, so nothing of it can be called clean.  The
 * daemon is restarted for the next inspection.
 */
#pragma once

#include <gio/gio.h>

#include "kikan/engine.h"
#include "kikan/scand.h"

#include "policy-private.h"
#include "scan-report-private.h"
#include "selftest-private.h"

typedef struct KikanInspector KikanInspector;

typedef struct {
    char *scand_path;        /* kikan-scand to run */
    char **databases;        /* what it loads (NULL-terminated) */
    KikanLimits limits;
    guint jobs;              /* 0 = one thread per CPU */
    guint timeout_s;         /* per medium, 0 = the daemon's default */
    gboolean null_sandbox;   /* tests only */
    guint max_age_days;      /* signatures older than this are stale (MAL-05) */
} KikanInspectorConfig;

/* Copies @config; @policy is borrowed and must outlive the inspector. */
KikanInspector *kikan_inspector_new (const KikanInspectorConfig *config,
                                     const KikanPolicy *policy);
/* Waits for a running inspection to end (cancel it first to be quick),
 * then stops the daemon.  Accepts NULL. */
void kikan_inspector_free (KikanInspector *self);

/* Called on the main context of kikan_inspector_inspect_async()'s caller. */
typedef void (*KikanInspectorProgress) (const KikanProgress *p, gpointer user_data);

/* Inspects the medium at @path (a block device, a disk image or a folder,
 * opened read-only here), trying the passphrase in each of
 * @passphrase_files (NULL-terminated; read into locked memory on the
 * inspection's thread and wiped after use) on encrypted volumes.  Queued
 * behind an inspection already running.  @progress may be NULL. */
void kikan_inspector_inspect_async (KikanInspector *self, const char *path,
                                    const char *const *passphrase_files,
                                    GCancellable *cancellable,
                                    KikanInspectorProgress progress, gpointer progress_data,
                                    GAsyncReadyCallback callback, gpointer user_data);
/* The report of the one target (software evaluated, engine info set), or
 * NULL with @error: G_IO_ERROR_CANCELLED when cancelled, KIKAN_ERROR_* when
 * the medium could not be opened or the daemon could not start.  A scan
 * that ran but did not finish is a report whose target is not inspected,
 * not an error. */
KikanScanReport *kikan_inspector_inspect_finish (KikanInspector *self, GAsyncResult *result,
                                                 GError **error);

/* Starts the daemon and loads the engine now, on a thread, under the
 * inspector's lock, so that an inspection queued meanwhile waits behind
 * it and then starts at once (the kiosk warms its engine at start-up, not
 * on the first employee's stick).  TRUE when the engine is loaded; FALSE
 * with @error (what failed, what IT should do) otherwise.  Warming a warm
 * inspector only checks that its daemon is still there. */
void kikan_inspector_warm_async (KikanInspector *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean kikan_inspector_warm_finish (KikanInspector *self, GAsyncResult *result,
                                      GError **error);

/* The detection self-test (KR-36) through this inspector's warm engine,
 * as `kikan selftest` judges it (kikan_selftest_evaluate_all(): every
 * expectation of @dir/expectations.tsv, the sandbox, the signatures'
 * age).  @null_sandbox_allowed: KIKAN_SANDBOX=null was asked for.  The
 * evaluated self-test (see kikan_selftest_passed()), or NULL with @error
 * when it could not run (no fixtures, the engine would not load). */
void kikan_inspector_selftest_async (KikanInspector *self, const char *dir,
                                     gboolean null_sandbox_allowed, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
KikanSelftest *kikan_inspector_selftest_finish (KikanInspector *self, GAsyncResult *result,
                                                GError **error);

/* The loaded engine in one line for IT, "ClamAV 1.4.6, daily 27123
 * (2026-11-30), 8,700,000 signatures", or NULL before it is warm.  Free
 * it.  Thread-safe. */
char *kikan_inspector_dup_engine_summary (KikanInspector *self);

/* The databases it loads (borrowed, NULL-terminated). */
const char *const *kikan_inspector_get_databases (KikanInspector *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanInspector, kikan_inspector_free)
