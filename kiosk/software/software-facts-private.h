/* Kikan kiosk: the software side of one scanned target (issue #4 items
 * 2-5, KR-16, KR-17, KR-19, KR-46).
 *
 * Collects, as the daemon relays them, the programs found among the
 * target's files and archive members (by content: see
 * include/kikan/filetype.h), the PUA detections, and the installed
 * software, OS facts and unreadable sources the worker read from a system
 * disk; then evaluates them against the policy (kiosk/posture.c) and
 * renders the "software" JSON object (docs/json.md "Software") and the
 * human summary.  Everything from the medium is hostile and is escaped on
 * the way out.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "kikan/inventory.h"
#include "kikan/report.h"

#include "policy-private.h"
#include "posture-private.h"

typedef struct KikanSoftwareFacts KikanSoftwareFacts;

KikanSoftwareFacts *kikan_software_facts_new (void);
void kikan_software_facts_free (KikanSoftwareFacts *self);  /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSoftwareFacts, kikan_software_facts_free)

/* Records the programs (file and members), deceptive names and PUA
 * detections of @r (copied). */
void kikan_software_facts_add_file (KikanSoftwareFacts *self, const KikanFileReport *r);
/* Appends a copy of a chunk of the worker's inventory. */
void kikan_software_facts_add_inventory (KikanSoftwareFacts *self, const KikanInventory *inv);

/* The worker did not finish (@why, copied: "worker killed by signal 9",
 * "timeout"…): evaluate then adds a HOLD finding, UPD-UNKNOWN, so that a
 * partial picture is never "cleared". */
void kikan_software_facts_set_incomplete (KikanSoftwareFacts *self, const char *why);

/* The scan finished but could not inspect some content (@what, copied,
 * e.g. "1 file and 1 volume"): evaluate then adds a HOLD finding,
 * SW-NOT-INSPECTED (slip MAL-04). */
void kikan_software_facts_set_not_inspected (KikanSoftwareFacts *self, const char *what);

/* The kiosk's own signatures do not make this scan valid for clearance
 * (@why, copied: "are 2001.3 days old, more than the 7 allowed", "hold
 * no official (signed) ClamAV database"): evaluate then adds a HOLD
 * finding, SIG-STALE (slip MAL-05, KR-12), whatever the files held. */
void kikan_software_facts_set_signatures_invalid (KikanSoftwareFacts *self, const char *why);
/* The worker that read the item ran without its sandbox: a HOLD
 * (SCAN-UNCONFINED), never a clearance. */
void kikan_software_facts_set_unconfined (KikanSoftwareFacts *self);

/* Evaluates everything against @policy (NULL: none loaded) at @now (Unix
 * seconds).  Call again after adding more; findings are replaced. */
void kikan_software_facts_evaluate (KikanSoftwareFacts *self, const KikanPolicy *policy,
                                    gint64 now);

/* Borrowed array of KikanFinding, worst first (empty before evaluate). */
GPtrArray *kikan_software_facts_get_findings (KikanSoftwareFacts *self);
/* The worst finding level; INFO when there is none. */
KikanLevel kikan_software_facts_get_worst (KikanSoftwareFacts *self);
guint kikan_software_facts_get_n_programs (KikanSoftwareFacts *self);
guint kikan_software_facts_get_n_executables (KikanSoftwareFacts *self);
guint kikan_software_facts_get_n_systems (KikanSoftwareFacts *self);

/* "cleared" (no finding above info), "conditional", "hold", "quarantine". */
const char *kikan_level_to_verdict (KikanLevel worst);

/* Adds the members of the "software" object (systems, installed,
 * executables, problems, findings, verdict) to the object being built. */
void kikan_software_facts_add_json_members (KikanSoftwareFacts *self, JsonBuilder *b);

/* Human lines: OS facts, counts, then one line per finding (escaped).
 * @all_programs: list every installed program and executable too. */
char *kikan_software_facts_format (KikanSoftwareFacts *self, gboolean all_programs);

/* The policy part of a JSON document: path, version, sha256 of the file,
 * loaded, error.  @policy NULL: @path and @error say why none is loaded. */
void kikan_policy_add_json (JsonBuilder *b, const KikanPolicy *policy, const char *path,
                            const char *error);
