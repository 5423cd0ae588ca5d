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

#include "posture-private.h"
#include "scan-target-private.h"

typedef struct KikanSoftwareFacts KikanSoftwareFacts;

typedef struct KikanScanReport KikanScanReport;

/* @keep_clean_files: keep every file (for JSON and the self-test); when
 * FALSE only infected and not-inspected files are kept, and clean ones
 * are only counted. */
KikanScanReport *kikan_scan_report_new (gboolean keep_clean_files);
void kikan_scan_report_free (KikanScanReport *self);  /* accepts NULL */

/* Starts a target and returns its index.  Until it is ended it counts as
 * not finished (not_inspected). */
guint kikan_scan_report_add_target (KikanScanReport *self, const char *name, gboolean is_dir);
/* What kind of target @target is (as opened) and its size in bytes (0 for
 * a folder); @secrets_given: passphrases were given for it, which changes
 * how a locked volume is explained.  A FILE with volumes is an "image". */
void kikan_scan_report_set_target_kind (KikanScanReport *self, guint target,
                                        KikanTargetKind kind, guint64 size,
                                        gboolean secrets_given);
/* Copies @r into target @target.  On a medium, a path "p<index>:/…" also
 * counts for that volume. */
void kikan_scan_report_add_file (KikanScanReport *self, guint target, const KikanFileReport *r);
/* Copies @v (one volume of a medium) into target @target. */
void kikan_scan_report_add_volume (KikanScanReport *self, guint target,
                                   const KikanVolumeReport *v);
/* Copies status, detail, sandbox, seconds and wrong_secret from @end.  A
 * target that ended complete under a sandbox name this kiosk does not
 * accept (kikan_scan_report_sandbox_accepted(), with the test seams of
 * this process) is recorded as worker_failed instead, saying so: nothing
 * its daemon reported about it is evidence. */
void kikan_scan_report_end_target (KikanScanReport *self, guint target,
                                   const KikanTargetEnd *end);
/* Whether a worker that reports the sandbox @name (NULL: none reported)
 * may have inspected anything: "seccomp+landlock" and "seccomp"; "null",
 * which then holds the item (SCAN-UNCONFINED); and the test-only
 * "proof-off" (kikan/scand.h) only when @test_seams, i.e. in a program run
 * from the build tree (kikan/test-seam.h), so that the sandbox proof runs
 * through the kiosk's own path there and nowhere else. */
gboolean kikan_scan_report_sandbox_accepted (const char *name, gboolean test_seams);
/* Ends @target with status "error" and @detail (copied). */
void kikan_scan_report_fail_target (KikanScanReport *self, guint target, const char *detail);
/* Forgets everything recorded for @target (files, volumes, end) so that it
 * can be scanned again: a retry with another passphrase. */
void kikan_scan_report_reset_target (KikanScanReport *self, guint target);

/* Appends a chunk of the worker's inventory to target @target (copied). */
void kikan_scan_report_add_inventory (KikanScanReport *self, guint target,
                                      const KikanInventory *inv);
/* Evaluates every target's software against @policy (NULL: none loaded)
 * at @now.  From then on the JSON has "verdict" and per-target
 * "software", and the exit status counts software findings (3). */
void kikan_scan_report_evaluate_software (KikanScanReport *self, const KikanPolicy *policy,
                                          gint64 now);
/* Why the loaded signatures make the scan not valid for clearance at
 * @now (MAL-05, KR-12): the newest signed database is older than
 * max_age_days, or none is loaded (or no engine info at all); NULL when
 * they are fresh.  Worded to follow "The kiosk's virus signatures ".  The
 * evaluation then holds every target with SIG-STALE.  Free it. */
char *kikan_scan_report_dup_signatures_invalid (KikanScanReport *self, gint64 now);
/* Borrowed. */
KikanSoftwareFacts *kikan_scan_report_get_software (KikanScanReport *self, guint target);
KikanLevel kikan_scan_report_get_software_worst (KikanScanReport *self);
/* Target @target's own slip level: its malware result and its software
 * and update findings (MAL-05 included) together. */
KikanLevel kikan_scan_report_get_target_level (KikanScanReport *self, guint target);
/* Malware, not-inspected and software together, as a slip level. */
KikanLevel kikan_scan_report_get_level (KikanScanReport *self);

/* The scan was interrupted (SIGINT/SIGTERM): every target that did not
 * complete ends not inspected with status "interrupted" in JSON, and the
 * document says "interrupted": true. */
void kikan_scan_report_set_interrupted (KikanScanReport *self);

/* Takes ownership of @info (heap, as kikan_scand_client_spawn gives it). */
void kikan_scan_report_take_engine_info (KikanScanReport *self, KikanEngineInfo *info);
void kikan_scan_report_set_max_age_days (KikanScanReport *self, guint days);
void kikan_scan_report_set_seconds (KikanScanReport *self, double seconds);

/* Severity order: INFECTED beats NOT_INSPECTED beats CLEAN. */
KikanResult kikan_result_worst (KikanResult a, KikanResult b);
/* 1 infected, 2 not_inspected (or any error), 0 clean.  (The report's
 * exit status adds 3: software findings, see get_exit_status.) */
int kikan_result_to_exit_status (KikanResult r);

KikanResult kikan_scan_report_get_target_result (KikanScanReport *self, guint target);
/* What target @target's files came to (KR-08): files reported, their
 * bytes, and how many were infected or not inspected.  Any may be NULL. */
void kikan_scan_report_get_target_counts (KikanScanReport *self, guint target, guint64 *files,
                                          guint64 *bytes, guint64 *infected,
                                          guint64 *not_inspected);
/* Borrowed: the engine info given with take_engine_info, or NULL. */
const KikanEngineInfo *kikan_scan_report_get_engine_info (KikanScanReport *self);
/* Borrowed: the detail the target ended with (why it did not finish), or NULL. */
const char *kikan_scan_report_get_target_detail (KikanScanReport *self, guint target);
KikanResult kikan_scan_report_get_result (KikanScanReport *self);
int kikan_scan_report_get_exit_status (KikanScanReport *self);

guint kikan_scan_report_get_n_targets (KikanScanReport *self);
/* Borrowed: the target's name as given. */
const char *kikan_scan_report_get_target_name (KikanScanReport *self, guint target);
/* Borrowed. The sandbox that confined @target's worker, NULL if none ran. */
const char *kikan_scan_report_get_target_sandbox (KikanScanReport *self, guint target);
KikanTargetStatus kikan_scan_report_get_target_status (KikanScanReport *self, guint target);
/* TRUE when @target ended because a passphrase given unlocks nothing. */
gboolean kikan_scan_report_get_target_wrong_secret (KikanScanReport *self, guint target);
/* "directory", "file", "image" (a file read as a medium) or "block_device". */
const char *kikan_scan_report_get_target_kind (KikanScanReport *self, guint target);
/* The volumes of a medium, in the order reported (borrowed). */
guint kikan_scan_report_get_n_volumes (KikanScanReport *self, guint target);
const KikanVolumeReport *kikan_scan_report_get_volume (KikanScanReport *self, guint target,
                                                       guint i);
/* A volume's result: infected when a file on it is; not_inspected when it
 * was not read, or not to the end (its own verdict, or the scan did not
 * finish); else clean.  A file on it that was not inspected makes the
 * target, not the volume, not_inspected (docs/json.md). */
KikanResult kikan_scan_report_get_volume_result (KikanScanReport *self, guint target, guint i);
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

/* The "kikan-probe" document of docs/json.md: targets and their volumes,
 * no files, no verdict. */
JsonNode *kikan_scan_report_probe_to_json (KikanScanReport *self);

/* The human probe report: one block per target, one per volume (index,
 * offset and size, scheme and type, file system, label, encryption, OS,
 * problem), hostile strings escaped. */
char *kikan_scan_report_format_probe (KikanScanReport *self);

/* The line that introduces the volumes of medium @target:
 * "/dev/sdb  (block device, 16.0 GB, 2 volumes)", escaped.  Free it. */
char *kikan_scan_report_format_medium (KikanScanReport *self, guint target);

/* The summary line of volume @i of @target, shown before its files:
 * "p1  FAT32 \"STICK\"  1.0 GB  encryption: none", or "p2  LUKS2  NOT
 * INSPECTED: encrypted, no passphrase given — run again with
 * --ask-passphrase".  Hostile strings escaped.  Free it. */
char *kikan_scan_report_format_volume (KikanScanReport *self, guint target, guint i);

/* The line shown for a file that is not clean, with hostile names escaped:
 * "INFECTED  path  [sig, …]" or "NOT INSPECTED  path  (reason: detail)",
 * followed by one indented line per member that is not clean.  For the
 * first 20 symbolic links of a target (clean, KIKAN_FILE_FLAG_SYMLINK):
 * "LINK  path  link → target (not followed; a link holds no content)"; it
 * counts them, so call it once per file.  NULL for any other clean file.
 * Free it. */
char *kikan_scan_report_format_finding (KikanScanReport *self, guint target,
                                        const KikanFileReport *r);

/* The summary block and the final verdict line. */
char *kikan_scan_report_format_summary (KikanScanReport *self, gint64 now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanScanReport, kikan_scan_report_free)
