/* Kikan kiosk: software and update findings (issue #4 items 2-5).
 *
 * Turns what the worker measured (installed programs and OS facts of a
 * system disk, executables found on a medium, PUA detections, inventory
 * problems) and the policy into findings with reason codes.  Fail closed
 * (KR-19): posture that cannot be measured is a HOLD finding, never a pass;
 * with no policy at all every program and executable is unknown.
 *
 * Codes (docs/json.md "Software findings"); the slip code is the
 * REQUIREMENTS 5.4 reason printed on the slip:
 *
 *   code                 slip    level        when
 *   SW-FORBIDDEN         SW-03   quarantine   a forbid rule matches (program, file, PUA)
 *   SW-UNAPPROVED        SW-01   hold         no rule matches (program; file unless policy says info)
 *   SW-EXCEPTION-EXPIRED SW-01   hold         only an expired exception allows it (KR-20)
 *   SW-EXCEPTION         SW-05   info         allowed by a valid exception: ticket, approver, expiry
 *   SW-NO-POLICY         SW-01   hold         software to judge but no policy loaded
 *   SW-AUTORUN           MAL-03  hold         an autorun.inf on a medium
 *   SW-DECEPTIVE-NAME    MAL-03  hold         right-to-left override / bidi control, double extension
 *   SW-TYPE-MISMATCH     MAL-03  hold         content contradicts the extension
 *   UPD-OS-STALE         UPD-01  conditional  newest OS update older than max_os_patch_age_days
 *   UPD-AV-STALE         MAL-06  conditional  AV definitions older than max_av_definition_age_days,
 *                                             or AV switched off by policy
 *   UPD-END-OF-SUPPORT   UPD-02  quarantine   an [end-of-support] rule matches the OS or a program
 *   UPD-UNKNOWN          UPD-04  hold         a system whose OS build, patch date or AV state
 *                                             could not be measured; an unreadable hive, status
 *                                             file or plist (the detail says which)
 *
 * Two more come from kiosk/software-facts.c, which knows how the scan of
 * the target ended: UPD-UNKNOWN (hold) when the worker did not finish, and
 * SW-NOT-INSPECTED (slip MAL-04, hold) when some content was not
 * inspected; and SW-UNAPPROVED for an archive whose member list lost
 * programs.  And SIG-STALE (slip MAL-05, hold) when the kiosk's own
 * signatures are older than max_age_days or no official (signed) database
 * was loaded: the scan is then not valid for clearance (KR-12).
 */
#pragma once

#include <glib.h>

#include "kikan/filetype.h"
#include "kikan/inventory.h"

#include "policy-private.h"

typedef enum {
    KIKAN_LEVEL_INFO = 0,     /* printed, does not block (CLEARED) */
    KIKAN_LEVEL_CONDITIONAL,
    KIKAN_LEVEL_HOLD,
    KIKAN_LEVEL_QUARANTINE,
} KikanLevel;

const char *kikan_level_to_string (KikanLevel l);  /* "info","conditional","hold","quarantine" */

/* An executable found on a medium, as the kiosk saw it in a file report.
 * All strings borrowed (hostile). */
typedef struct {
    const char *path;          /* target-relative file path */
    const char *member;        /* path inside the archive @path, or NULL for the file itself */
    KikanFileType type;
    guint32 name_flags;        /* KIKAN_NAME_FLAG_* */
    const char *sha256;        /* lowercase hex, NULL or "" when unknown */
    const char *signer_cert_sha256; /* fingerprint of the verified signing certificate, or NULL */
    const char *signer_subject;     /* its subject, for display only (hostile), or NULL */
} KikanExecutable;

/* One finding.  Every string is owned; subject and detail may hold
 * hostile text (escape before display). */
typedef struct {
    char *code;                /* "SW-FORBIDDEN" */
    char *slip_code;           /* "SW-03" */
    KikanLevel level;
    char *subject;             /* program name, or path (› member) of an executable */
    char *detail;              /* plain sentence: what was found and what to do */
    char *source;              /* where it was measured (hive path, file path) */
    char *rule;                /* id of the deciding policy rule, or NULL */
    guint rule_line;           /* its line in the policy, 0 if none */
    char *ticket;              /* exceptions: ticket, approver, expires; else NULL */
    char *approver;
    char *expires;
} KikanFinding;

/* A finding with the slip code of @code (one of the codes above; a code
 * not in the table is a programming error).  Takes @detail. */
KikanFinding *kikan_finding_new (const char *code, KikanLevel level, const char *subject,
                                 const char *source, char *detail);
void kikan_finding_free (KikanFinding *f);  /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanFinding, kikan_finding_free)

/* What kikan_posture_evaluate() decided per item, for the JSON lists
 * ("installed[].policy", "executables[].policy"). */
typedef struct {
    KikanPolicyStatus status;
    const KikanRule *rule;     /* borrowed from the policy, or NULL */
} KikanVerdictOf;

/* Evaluates everything at time @now (Unix seconds) against @policy (NULL:
 * no policy loaded).  Returns a new array of KikanFinding (free func set),
 * ordered worst level first, then by code and subject.  When non-NULL,
 * @program_status receives inv->n_programs entries and @exe_status
 * @n_exes entries (caller-allocated arrays).  @pua: PUA detection names
 * (borrowed), with @pua_paths the file each was found in. */
GPtrArray *kikan_posture_evaluate (const KikanPolicy *policy, const KikanInventory *inv,
                                   const KikanExecutable *exes, gsize n_exes,
                                   const char *const *pua, const char *const *pua_paths,
                                   gsize n_pua, gint64 now, KikanVerdictOf *program_status,
                                   KikanVerdictOf *exe_status);

/* Sorts @findings as kikan_posture_evaluate() returns them: worst level
 * first, then code, then subject. */
void kikan_findings_sort (GPtrArray *findings);

/* The worst level in @findings (KikanFinding*), INFO for none. */
KikanLevel kikan_findings_worst (GPtrArray *findings);
