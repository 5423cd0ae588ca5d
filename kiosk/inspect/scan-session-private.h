/* Kikan kiosk: one running kikan-scand and the targets scanned through it.
 *
 * Shared by `kikan scan` and `kikan selftest`, so that the self-test
 * exercises exactly the path a real scan takes: the same daemon, the same
 * sandbox, the same reports.
 */
#pragma once

#include <glib.h>

#include "kikan/scand.h"

#include "scan-report-private.h"
#include "scan-target-private.h"

typedef struct KikanScanSession KikanScanSession;

typedef struct {
    /* Each may be NULL; called on the caller's thread during
     * kikan_scan_session_scan(). */
    void (*progress) (const KikanProgress *p, gpointer user_data);
    /* After the file was added to the report. */
    void (*file) (KikanScanReport *report, guint target, const KikanFileReport *r,
                  gpointer user_data);
    /* After volume @index (0-based, of @target) was added to the report. */
    void (*volume) (KikanScanReport *report, guint target, guint index, gpointer user_data);
} KikanScanSessionEvents;

/* Starts the daemon at @scand_path and waits until it has loaded the
 * engine.  Fails (KIKAN_ERROR_NO_SIGNATURES) when zero signatures loaded. */
KikanScanSession *kikan_scan_session_new (const char *scand_path, const KikanEngineOptions *opts,
                                          GError **error);
/* A daemon that loads no signatures and can only probe (`kikan probe`). */
KikanScanSession *kikan_scan_session_new_for_probe (const char *scand_path, GError **error);
void kikan_scan_session_free (KikanScanSession *self);  /* stops the daemon; accepts NULL */

/* Borrowed, valid until the session is freed. */
const KikanEngineInfo *kikan_scan_session_get_engine_info (KikanScanSession *self);
/* Hands the engine info to the caller (heap; see kikan_scan_report_take_engine_info). */
KikanEngineInfo *kikan_scan_session_steal_engine_info (KikanScanSession *self);

/* Scans @target into @report (a new target is added to it).  Returns FALSE
 * with @error set only when the daemon itself is gone; the target is then
 * recorded as failed and no further target can be scanned. */
gboolean kikan_scan_session_scan (KikanScanSession *self, KikanScanTarget *target,
                                  const KikanScanParams *params, KikanScanReport *report,
                                  const KikanScanSessionEvents *events, gpointer user_data,
                                  GError **error);

/* The same into target @index of @report, already added (and reset with
 * kikan_scan_report_reset_target() for a second attempt). */
gboolean kikan_scan_session_scan_into (KikanScanSession *self, KikanScanTarget *target,
                                       const KikanScanParams *params, KikanScanReport *report,
                                       guint index, const KikanScanSessionEvents *events,
                                       gpointer user_data, GError **error);

/* Thread-safe: stops the scan in progress on another thread (a medium was
 * removed).  That scan returns FALSE with G_IO_ERROR_CANCELLED and its
 * target not inspected; the session is broken from then on (make a new
 * one: the daemon is gone).  Call only while @self is alive. */
void kikan_scan_session_cancel (KikanScanSession *self);

/* TRUE once the daemon has stopped: every later scan fails at once. */
gboolean kikan_scan_session_is_broken (KikanScanSession *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanScanSession, kikan_scan_session_free)
