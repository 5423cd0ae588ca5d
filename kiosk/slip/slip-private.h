/* Kikan kiosk: the clearance slip (issue #10 items 4 and 5; KR-12, KR-27,
 * KR-28, JNSA-2.6; REQUIREMENTS.md 5.5; docs/slip.md).
 *
 *   kikan_slip_issue()    an ended session → signed payload + PDF under
 *                         $KIKAN_HOME/slips/<YYYY>/<number>.pdf + a `slips`
 *                         row and a "slip_issued" audit record, one
 *                         transaction (the PDF is on disk before it commits)
 *   kikan_slip_render()   the PDF of a KikanSlipDoc (receipt or A4, ja/en)
 *   kikan_slip_witness()  a payload checked against this kiosk's audit chain
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "home-private.h"
#include "slip-payload-private.h"
#include "store-private.h"

typedef enum { KIKAN_SLIP_RECEIPT, KIKAN_SLIP_A4 } KikanSlipLayout;
typedef enum { KIKAN_SLIP_JA, KIKAN_SLIP_EN } KikanSlipLanguage;

#define KIKAN_SLIP_DEFAULT_VALID_HOURS 24

/* "receipt"/"a4", "ja"/"en"; FALSE for anything else. */
gboolean kikan_slip_layout_from_string (const char *s, KikanSlipLayout *out);
gboolean kikan_slip_language_from_string (const char *s, KikanSlipLanguage *out);
const char *kikan_slip_layout_to_string (KikanSlipLayout l);
const char *kikan_slip_language_to_string (KikanSlipLanguage l);

/* [slip] of kikan.conf (GKeyFile): valid_hours, contact_name,
 * contact_phone, contact_mail, layout, language.  A missing file or group
 * gives the defaults; a bad value or an unknown key is an error that
 * names the key. */
typedef struct {
    guint valid_hours;
    char *contact_name, *contact_phone, *contact_mail;
    KikanSlipLayout layout;
    KikanSlipLanguage language;
} KikanSlipConfig;

KikanSlipConfig *kikan_slip_config_load (const char *path, GError **error);
void kikan_slip_config_free (KikanSlipConfig *self);

/* One reason as the store recorded it (verdicts.reasons). */
typedef struct {
    char *code, *provenance, *level, *text;
    char *condition, *until; /* KR-28; NULL when none */
} KikanSlipReason;

typedef struct {
    char *asset, *type, *serial, *presence, *verdict; /* verdict NULL: not decided */
    GPtrArray *reasons;                               /* KikanSlipReason * */
    gboolean inspected;                               /* an inspection row exists */
    char *result;                                     /* clean | infected | not_inspected */
    gint64 files, bytes, not_inspected, software_findings;
    char *encryption;
} KikanSlipItem;

/* Everything a slip prints (REQUIREMENTS 5.5), gathered from the store.
 * Strings are as stored (hostile): the renderer escapes them. */
typedef struct {
    char *number;
    gboolean copy;
    char *copy_of_number;
    char *kiosk_id;
    char *session_uuid;
    gint64 issued_at, valid_until;
    gboolean clock_verified;
    char *employee_id, *employee_name;
    char *telework_from, *telework_to, *telework_method; /* NULL when unknown */
    char *policy_version;
    char *sig_version, *sig_date;                         /* KR-12 */
    char *verdict;                                        /* overall */
    GPtrArray *reasons;                                   /* the session's */
    GPtrArray *items;                                     /* KikanSlipItem * */
    GPtrArray *incidents;                                 /* char *, "INC-2026-000123" */
    GPtrArray *it_staff;                                  /* char *, distinct, in order */
    char *contact_name, *contact_phone, *contact_mail;
    char *payload;                                        /* "KS1:…" */
    gint64 chain_seq;
} KikanSlipDoc;

KikanSlipDoc *kikan_slip_doc_new (void);
void kikan_slip_doc_free (KikanSlipDoc *self);

/* Writes the PDF to @path (created or truncated; the caller makes it
 * durable).  FALSE with @error when cairo or the QR encoder fails. */
gboolean kikan_slip_render (const KikanSlipDoc *doc, KikanSlipLayout layout,
                            KikanSlipLanguage language, const char *path, GError **error);

/* What kikan_slip_issue() made. */
typedef struct {
    gint64 id;
    char *number;
    char *pdf_path;      /* absolute */
    char *pdf_sha256;
    char *payload;
    gint64 chain_seq;
    char *chain_head;    /* hex, the whole head hash */
    gint64 issued_at, valid_until;
    char *verdict;
} KikanSlipIssued;

void kikan_slip_issued_free (KikanSlipIssued *self);

/* Issues the slip of ended session @session_id (@copy_of: 0, or the id of
 * the slip this reprints).  @config NULL: read [slip] of @home's
 * kikan.conf.  KIKAN_ERROR_NOT_FOUND when the kiosk has no signing key,
 * KIKAN_ERROR_USAGE when the session does not exist or has not ended. */
KikanSlipIssued *kikan_slip_issue (KikanStore *store, KikanHome *home, gint64 session_id,
                                   KikanSlipLayout layout, KikanSlipLanguage language,
                                   gint64 copy_of, GError **error);

/* The slips row @number (with its check digits), as JSON: number, id,
 * session, session_id, copy_of (number or null), issued_at, valid_until,
 * chain_seq, chain_head, payload, layout, language, pdf, pdf_sha256.
 * NULL with KIKAN_ERROR_NOT_FOUND / _USAGE (a mistyped number). */
JsonNode *kikan_slip_show_json (KikanStore *store, const char *number, GError **error);
/* The id and session of slip @number. */
gboolean kikan_slip_lookup (KikanStore *store, const char *number, gint64 *id,
                            gint64 *session_id, GError **error);

/* Item 5: @payload checked against this kiosk: decoded, signed by the
 * store's identity, audit record chain_seq exists and its hash starts
 * with the payload's head bytes, a "slip_issued" record names this
 * number, and its session is the payload's.  TRUE when the check could
 * be made; then *failed is NULL when every step held, else which one did
 * not (free it).  *steps (optional) gets one line per step done.
 * *superseded (optional) says, when the session's decision changed after
 * the slip (a later verdict, inspection, IT action or slip), which slip is
 * in force; NULL when this slip still shows the decision in force. */
gboolean kikan_slip_witness (KikanStore *store, const char *payload, char **failed,
                             GPtrArray **steps, char **superseded, GError **error);

/* The text of @path, a file a barcode scanner wrote a slip code into: only
 * a regular file of at most a few codes' length is read (never /dev/zero,
 * a FIFO or a huge file); errors name the path escaped.  Free with g_free. */
char *kikan_slip_read_code_file (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSlipDoc, kikan_slip_doc_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSlipIssued, kikan_slip_issued_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSlipConfig, kikan_slip_config_free)
