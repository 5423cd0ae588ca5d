/* Kikan kiosk: what one `kikan scan` found, and how it is told.
 *
 * Collects the file reports and the end of every target as the daemon
 * relays them, then renders the JSON document of docs/json.md, the
 * human summary and the exit status.  Fail closed (KR-10): a target's
 * result is the worst of its files, and a target whose worker did not
 * finish is not_inspected even if every file seen so far was clean.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "kikan/engine.h"
#include "kikan/report.h"
#include "kikan/scand.h"

typedef struct KikanScanReport KikanScanReport;

/* @keep_clean_files: keep every file (for JSON and the self-test); when
 * FALSE only infected and not-inspected files are kept, and clean ones
 * are only counted. */
KikanScanReport *kikan_scan_report_new (gboolean keep_clean_files);
void kikan_scan_report_free (KikanScanReport *self);  /* accepts NULL */

/* Starts a target and returns its index.  Until it is ended it counts as
 * not finished (not_inspected). */
guint kikan_scan_report_add_target (KikanScanReport *self, const char *name, gboolean is_dir);
/* Copies @r into target @target. */
void kikan_scan_report_add_file (KikanScanReport *self, guint target, const KikanFileReport *r);
/* Copies status, detail, sandbox and seconds from @end. */
void kikan_scan_report_end_target (KikanScanReport *self, guint target,
                                   const KikanTargetEnd *end);
/* Ends @target with status "error" and @detail (copied). */
void kikan_scan_report_fail_target (KikanScanReport *self, guint target, const char *detail);

/* Takes ownership of @info (heap, as kikan_scand_client_spawn gives it). */
void kikan_scan_report_take_engine_info (KikanScanReport *self, KikanEngineInfo *info);
void kikan_scan_report_set_max_age_days (KikanScanReport *self, guint days);
void kikan_scan_report_set_seconds (KikanScanReport *self, double seconds);

/* Severity order: INFECTED beats NOT_INSPECTED beats CLEAN. */
KikanResult kikan_result_worst (KikanResult a, KikanResult b);
/* 1 infected, 2 not_inspected (or any error), 0 clean. */
int kikan_result_to_exit_status (KikanResult r);

KikanResult kikan_scan_report_get_target_result (KikanScanReport *self, guint target);
KikanResult kikan_scan_report_get_result (KikanScanReport *self);
int kikan_scan_report_get_exit_status (KikanScanReport *self);

guint kikan_scan_report_get_n_targets (KikanScanReport *self);
/* Borrowed. The sandbox that confined @target's worker, NULL if none ran. */
const char *kikan_scan_report_get_target_sandbox (KikanScanReport *self, guint target);
KikanTargetStatus kikan_scan_report_get_target_status (KikanScanReport *self, guint target);
/* The files kept (see kikan_scan_report_new), in arrival order. */
guint kikan_scan_report_get_n_files (KikanScanReport *self);
const KikanFileReport *kikan_scan_report_get_file (KikanScanReport *self, guint i,
                                                   guint *target);

/* The JSON document of docs/json.md; @now is the unix time used for
 * age_days.  Needs a report made with @keep_clean_files: files[] lists
 * every file. */
JsonNode *kikan_scan_report_to_json (KikanScanReport *self, gint64 now);

/* The engine part of the document, also used by `kikan selftest`. */
JsonNode *kikan_scan_report_engine_to_json (KikanScanReport *self, gint64 now);

/* The line shown for a file that is not clean, with hostile names escaped:
 * "INFECTED  path  [sig, …]" or "NOT INSPECTED  path  (reason: detail)",
 * followed by one indented line per member that is not clean.  NULL for a
 * clean file.  Free it. */
char *kikan_scan_report_format_finding (KikanScanReport *self, guint target,
                                        const KikanFileReport *r);

/* The summary block and the final verdict line. */
char *kikan_scan_report_format_summary (KikanScanReport *self, gint64 now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanScanReport, kikan_scan_report_free)
