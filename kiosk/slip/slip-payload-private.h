/* Kikan kiosk: the signed payload of a clearance slip, as its QR code and
 * `kikan slip verify` carry it (issue #10 item 4; KR-27, JNSA-2.6;
 * docs/slip.md "The payload").
 *
 * Packed the way the EU Digital COVID Certificate packs paper, so that a
 * typical slip stays a version-12 QR code at error correction M:
 *
 *   "KS1:" + base45 (RFC 9285) of zlib of
 *       CBOR [ protected: bstr, signature: bstr(64) ]          (COSE_Sign1-like)
 *   protected = CBOR map with small integer keys (KIKAN_SLIP_KEY_*)
 *   signature = Ed25519 over "kikan-slip-v1\0" || protected
 *
 * The context string keeps a slip's signature from being taken for a
 * seal's or an export manifest's, which the same kiosk key signs.
 *
 * Decoding is a parser of untrusted input (whatever a barcode scanner or a
 * person typed): every length is capped, every type checked, every key
 * known, nothing may follow the data, integers and lengths must be in
 * their shortest form, and the decompressed size is capped before it is
 * reached (tests/fuzz/fuzz-slip-payload.c).
 */
#pragma once

#include <glib.h>

#define KIKAN_SLIP_PREFIX "KS1:"
#define KIKAN_SLIP_FORMAT_VERSION 1
#define KIKAN_SLIP_SIGNATURE_LEN 64
#define KIKAN_SLIP_PUBLIC_KEY_LEN 32
#define KIKAN_SLIP_HEAD_LEN 16       /* the first 16 bytes of the chain head's hash */

/* Limits of the decoder (and of what the encoder agrees to write). */
#define KIKAN_SLIP_MAX_TEXT 8192     /* characters of "KS1:…", whitespace around excluded */
#define KIKAN_SLIP_MAX_INFLATED 4096 /* bytes of the decompressed CBOR */
#define KIKAN_SLIP_MAX_ITEMS 64
#define KIKAN_SLIP_MAX_REASONS 32    /* per item */
#define KIKAN_SLIP_MAX_STRING 128    /* bytes of any text field */

/* The integer keys of the protected map.  Never renumber: slips already
 * printed carry them. */
enum {
    KIKAN_SLIP_KEY_VERSION = 1,        /* uint, KIKAN_SLIP_FORMAT_VERSION */
    KIKAN_SLIP_KEY_NUMBER = 2,         /* tstr, "000042-23" */
    KIKAN_SLIP_KEY_KIOSK = 3,          /* tstr */
    KIKAN_SLIP_KEY_SESSION = 4,        /* bstr(16), the session's UUID */
    KIKAN_SLIP_KEY_ISSUED = 5,         /* uint, Unix time */
    KIKAN_SLIP_KEY_VALID_UNTIL = 6,    /* uint, Unix time */
    KIKAN_SLIP_KEY_CLOCK_VERIFIED = 7, /* bool */
    KIKAN_SLIP_KEY_EMPLOYEE = 8,       /* tstr */
    KIKAN_SLIP_KEY_VERDICT = 9,        /* uint, KikanSlipVerdict */
    KIKAN_SLIP_KEY_ITEMS = 10,         /* array of [tstr asset, uint verdict, [tstr code…]] */
    KIKAN_SLIP_KEY_CHAIN_SEQ = 11,     /* uint */
    KIKAN_SLIP_KEY_CHAIN_HEAD = 12,    /* bstr(16) */
    KIKAN_SLIP_KEY_COPY = 13,          /* bool: a reprint */
    KIKAN_SLIP_KEY_MONITOR_UNTIL = 14, /* uint, Unix time, optional: PROC-03 (JNSA-2.6) */
};

/* The verdict levels as the payload numbers them (the order of
 * REQUIREMENTS 5.3 severity, as KikanVerdict; fixed here because printed
 * slips carry the numbers). */
typedef enum {
    KIKAN_SLIP_CLEARED = 0,
    KIKAN_SLIP_CONDITIONAL = 1,
    KIKAN_SLIP_HOLD = 2,
    KIKAN_SLIP_NOT_RETURNED = 3,
    KIKAN_SLIP_QUARANTINE = 4,
} KikanSlipVerdict;
#define KIKAN_SLIP_N_VERDICTS 5

/* "cleared" … "quarantine" (the store's words); NULL when out of range. */
const char *kikan_slip_verdict_to_string (guint v);
/* The inverse; FALSE for anything else. */
gboolean kikan_slip_verdict_from_string (const char *s, guint *out);

typedef struct {
    char *asset;       /* asset ID, or what an unregistered medium was presented as */
    guint verdict;     /* KikanSlipVerdict */
    GPtrArray *codes;  /* char *, "MAL-02" */
} KikanSlipPayloadItem;

typedef struct {
    guint version;
    char *number;
    char *kiosk_id;
    guint8 session[16];
    gint64 issued_at, valid_until;  /* Unix time */
    gboolean clock_verified;
    char *employee_id;
    guint verdict;
    GPtrArray *items;               /* KikanSlipPayloadItem * */
    gint64 chain_seq;
    guint8 chain_head[KIKAN_SLIP_HEAD_LEN];
    gboolean copy;
    gint64 monitor_until;           /* 0: none */
} KikanSlipPayload;

KikanSlipPayload *kikan_slip_payload_new (void);
void kikan_slip_payload_free (KikanSlipPayload *self); /* accepts NULL */
/* Adds an item (strings copied); returns it to add codes to. */
KikanSlipPayloadItem *kikan_slip_payload_add_item (KikanSlipPayload *self, const char *asset,
                                                   guint verdict);
void kikan_slip_payload_item_add_code (KikanSlipPayloadItem *item, const char *code);

/* The protected CBOR bytes, or NULL with @error when a field is over a
 * limit (the decoder would refuse it). */
GBytes *kikan_slip_payload_encode (const KikanSlipPayload *self, GError **error);
/* The message the signature covers: the context string and @protected. */
GBytes *kikan_slip_signed_message (GBytes *protected);
/* "KS1:…" from @protected and its @signature.  Free it. */
char *kikan_slip_payload_wrap (GBytes *protected, const guint8 signature[KIKAN_SLIP_SIGNATURE_LEN]);

/* Decodes @text (whitespace around it is ignored: a scanner's newline).
 * NULL with @error (KIKAN_ERROR_VERIFY, a message that says which layer is
 * wrong) for anything that is not a well-formed slip payload.  The
 * signature is NOT checked here: *protected and @signature (both
 * optional) receive what to check. */
KikanSlipPayload *kikan_slip_payload_decode (const char *text, gsize len, GBytes **protected,
                                             guint8 signature[KIKAN_SLIP_SIGNATURE_LEN],
                                             GError **error);
/* TRUE when @signature is @public_key's Ed25519 signature of @protected
 * under the slip context. */
gboolean kikan_slip_signature_ok (GBytes *protected,
                                  const guint8 signature[KIKAN_SLIP_SIGNATURE_LEN],
                                  const guint8 public_key[KIKAN_SLIP_PUBLIC_KEY_LEN]);

/* RFC 9285.  Encode never fails (free it); decode returns NULL for a
 * character outside the alphabet, a dangling single character, or a
 * triple or pair over its range. */
char *kikan_base45_encode (const guint8 *data, gsize len);
guint8 *kikan_base45_decode (const char *text, gsize len, gsize *out_len);

/* Slip numbers: "NNNNNN-CC", a kiosk-wide sequence and its ISO 7064
 * MOD 97-10 check digits (docs/slip.md "Slip numbers": why not a keyed
 * hash).  Free it. */
char *kikan_slip_number_format (gint64 seq);
/* TRUE when @number is one (the check digits hold); *seq gets the
 * sequence number. */
gboolean kikan_slip_number_parse (const char *number, gint64 *seq);

/* The session UUID text ("8-4-4-4-12" hex) as 16 bytes, and back. */
gboolean kikan_slip_uuid_parse (const char *text, guint8 out[16]);
char *kikan_slip_uuid_format (const guint8 uuid[16]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSlipPayload, kikan_slip_payload_free)
