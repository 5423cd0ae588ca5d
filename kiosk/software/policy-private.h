/* Kikan kiosk: the software policy (issue #4 item 1).
 *
 * Approved and forbidden software, exceptions with approver, ticket and
 * expiry, and posture thresholds, from an INI file (default
 * /etc/kikan/policy.conf; the commented example is data/policy.conf.example,
 * the format is documented in docs/policy.md).  Traceability: JNSA-2.2,
 * JNSA-2.4, JNSA-3.4, Admin B-3, Admin C-1, Admin C-3, KR-16, KR-17, KR-20.
 *
 * Parsed with inih (Debian libinih) through a line-counting reader so that
 * every error names its line.  A policy is loaded whole or not at all: any
 * malformed line, unknown key, bad date, bad hash or bad pattern refuses
 * the file with "policy.conf:LINE: what is wrong", and the caller keeps
 * whatever policy it had.
 *
 * Matching (docs/policy.md "How a rule decides"):
 *   - a rule's criteria are ANDed; a key given twice (e.g. two sha256
 *     lines) is an OR within that key;
 *   - program criteria (name, publisher, version) apply to installed
 *     programs; file criteria (sha256, signer, file) to executables found
 *     on a medium; pua to ClamAV PUA detections.  A rule only ever matches
 *     the kind of item its criteria speak about;
 *   - patterns are shell globs (* and ?), case-insensitive, on the whole
 *     string;
 *   - precedence: a valid exception > forbid > approve > an expired
 *     exception > unknown.  An exception is valid through the end of its
 *     expiry day (kiosk local time).
 */
#pragma once

#include <glib.h>

#include "kikan/filetype.h"
#include "kikan/inventory.h"

typedef struct KikanPolicy KikanPolicy;

typedef enum {
    KIKAN_RULE_APPROVE = 0,
    KIKAN_RULE_FORBID,
    KIKAN_RULE_EXCEPTION,
    KIKAN_RULE_END_OF_SUPPORT,   /* [end-of-support "…"]: OS or program past support (UPD-02) */
} KikanRuleKind;

/* A rule, borrowed from its policy: valid while the policy lives. */
typedef struct {
    KikanRuleKind kind;
    const char *id;        /* the quoted name in the section header, e.g. "TeamViewer" */
    guint line;            /* line of its section header */
    const char *category;  /* forbid: "class" value, e.g. "remote-access"; may be NULL */
    const char *approver;  /* exception only */
    const char *ticket;    /* exception only */
    const char *expires;   /* exception: "YYYY-MM-DD" */
    const char *reason;    /* free text shown to IT; may be NULL */
} KikanRule;

typedef enum {
    KIKAN_POLICY_UNKNOWN = 0,        /* no rule matched */
    KIKAN_POLICY_APPROVED,
    KIKAN_POLICY_FORBIDDEN,
    KIKAN_POLICY_EXCEPTION,          /* allowed by a valid exception (SW-05) */
    KIKAN_POLICY_EXCEPTION_EXPIRED,  /* only an expired exception allowed it (KR-20) */
} KikanPolicyStatus;

/* "unknown", "approved", "forbidden", "exception", "exception_expired". */
const char *kikan_policy_status_to_string (KikanPolicyStatus s);

/* Loads @path.  On any error returns NULL and sets @error (KIKAN_ERROR,
 * message "PATH:LINE: …" for content errors, or the I/O error). */
KikanPolicy *kikan_policy_load (const char *path, GError **error);
/* Same, from memory; @name is used in messages in place of a path. */
KikanPolicy *kikan_policy_load_data (const char *data, gsize len, const char *name,
                                     GError **error);
void kikan_policy_free (KikanPolicy *self);  /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanPolicy, kikan_policy_free)

/* The [policy] section. */
const char *kikan_policy_get_version (const KikanPolicy *self);   /* "version", may be NULL */
const char *kikan_policy_get_path (const KikanPolicy *self);
const char *kikan_policy_get_sha256 (const KikanPolicy *self);    /* of the file's bytes */
/* Days; 0 = the check is off.  Defaults: 45 and 7. */
guint kikan_policy_get_max_os_patch_age_days (const KikanPolicy *self);
guint kikan_policy_get_max_av_age_days (const KikanPolicy *self);
/* require_antivirus (default TRUE): a Windows system with no antivirus
 * evidence is UPD-UNKNOWN. */
gboolean kikan_policy_get_require_antivirus (const KikanPolicy *self);
/* unknown_executable: what an executable on a medium that no rule
 * matches gives: "hold" (default, SW-UNAPPROVED as HOLD) or "info". */
gboolean kikan_policy_get_unknown_executable_holds (const KikanPolicy *self);

/* Looks up an installed program / an executable / a PUA detection name at
 * time @now (Unix seconds).  *@rule (optional) receives the deciding rule
 * or NULL.  For an expired exception the rule is that exception. */
KikanPolicyStatus kikan_policy_check_program (const KikanPolicy *self, const KikanProgram *p,
                                              gint64 now, const KikanRule **rule);
/* @sha256: lowercase hex or NULL; @file_name: last path component (hostile);
 * @signer_cert_sha256: SHA-256 (lowercase hex) of the certificate that
 * signed the file, only when the worker verified the Authenticode
 * signature intact (image hash and PKCS#7 signature), else NULL.  Rules
 * pin signers by certificate fingerprint (key "signer"), never by subject
 * name: offline there is no trust store to make a name mean anything. */
KikanPolicyStatus kikan_policy_check_file (const KikanPolicy *self, const char *sha256,
                                           const char *file_name, const char *signer_cert_sha256,
                                           gint64 now, const KikanRule **rule);
KikanPolicyStatus kikan_policy_check_pua (const KikanPolicy *self, const char *signature,
                                          gint64 now, const KikanRule **rule);
/* The first [end-of-support] rule matching @product (and its optional
 * version pattern), or NULL.  For systems: product = KikanSystem.product,
 * version = KikanSystem.version; for programs: name and version. */
const KikanRule *kikan_policy_find_end_of_support (const KikanPolicy *self, const char *product,
                                                   const char *version);
