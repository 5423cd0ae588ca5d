/* Kikan kiosk: the slip's signed payload, its CBOR, zlib and base45 layers
 * (issue #10 item 4; KR-27, JNSA-2.6; docs/slip.md "The payload").
 *
 * The encoder writes with libcbor's low-level encoders, which pick the
 * shortest form of every integer and length.  The decoder drives
 * libcbor's streaming decoder (cbor_stream_decode) one header at a time
 * against a fixed schema instead of building a tree with cbor_load: a
 * hostile count ("an array of 2^60 items") then costs nothing, because
 * nothing is allocated from a count it has not checked. */
#include <string.h>

#include <cbor.h>
#include <sodium.h>
#include <zlib.h>

#include "error-private.h"
#include "slip-payload-private.h"

static const char signing_context[] = "kikan-slip-v1"; /* with its NUL */

static const char *const verdict_names[KIKAN_SLIP_N_VERDICTS] = {
    "cleared", "conditional", "hold", "not_returned", "quarantine",
};

const char *
kikan_slip_verdict_to_string (guint v)
{
    return v < KIKAN_SLIP_N_VERDICTS ? verdict_names[v] : NULL;
}

gboolean
kikan_slip_verdict_from_string (const char *s, guint *out)
{
    for (guint i = 0; s != NULL && i < KIKAN_SLIP_N_VERDICTS; i++) {
        if (strcmp (s, verdict_names[i]) == 0) {
            *out = i;
            return TRUE;
        }
    }
    return FALSE;
}

/* ---- the payload object ---- */

static void
item_free (gpointer p)
{
    KikanSlipPayloadItem *item = p;

    g_free (item->asset);
    g_ptr_array_unref (item->codes);
    g_free (item);
}

KikanSlipPayload *
kikan_slip_payload_new (void)
{
    KikanSlipPayload *self = g_new0 (KikanSlipPayload, 1);

    self->version = KIKAN_SLIP_FORMAT_VERSION;
    self->items = g_ptr_array_new_with_free_func (item_free);
    return self;
}

void
kikan_slip_payload_free (KikanSlipPayload *self)
{
    if (self == NULL)
        return;
    g_free (self->number);
    g_free (self->kiosk_id);
    g_free (self->employee_id);
    g_ptr_array_unref (self->items);
    g_free (self);
}

KikanSlipPayloadItem *
kikan_slip_payload_add_item (KikanSlipPayload *self, const char *asset, guint verdict)
{
    KikanSlipPayloadItem *item = g_new0 (KikanSlipPayloadItem, 1);

    item->asset = g_strdup (asset);
    item->verdict = verdict;
    item->codes = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_add (self->items, item);
    return item;
}

void
kikan_slip_payload_item_add_code (KikanSlipPayloadItem *item, const char *code)
{
    g_ptr_array_add (item->codes, g_strdup (code));
}

/* ---- base45 (RFC 9285) ---- */

static const char b45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

char *
kikan_base45_encode (const guint8 *data, gsize len)
{
    GString *out = g_string_sized_new (len / 2 * 3 + 3);

    for (gsize i = 0; i + 1 < len; i += 2) {
        guint n = data[i] * 256u + data[i + 1];

        g_string_append_c (out, b45[n % 45]);
        g_string_append_c (out, b45[(n / 45) % 45]);
        g_string_append_c (out, b45[n / 2025]);
    }
    if (len % 2 == 1) {
        g_string_append_c (out, b45[data[len - 1] % 45]);
        g_string_append_c (out, b45[data[len - 1] / 45]);
    }
    return g_string_free (out, FALSE);
}

static int
b45_value (char c)
{
    const char *p = c != '\0' ? strchr (b45, c) : NULL;

    return p != NULL ? (int)(p - b45) : -1;
}

guint8 *
kikan_base45_decode (const char *text, gsize len, gsize *out_len)
{
    g_autofree guint8 *out = NULL;
    gsize n = 0;

    if (len % 3 == 1)
        return NULL; /* a dangling character encodes nothing */
    out = g_malloc (len / 3 * 2 + 2);
    for (gsize i = 0; i < len; i += 3) {
        gsize group = MIN ((gsize)3, len - i);
        guint v = 0, scale = 1;

        for (gsize k = 0; k < group; k++) {
            int d = b45_value (text[i + k]);

            if (d < 0)
                return NULL;
            v += (guint)d * scale;
            scale *= 45;
        }
        if (group == 3) {
            if (v > 0xffff)
                return NULL;
            out[n++] = (guint8)(v >> 8);
            out[n++] = (guint8)(v & 0xff);
        } else {
            if (v > 0xff)
                return NULL;
            out[n++] = (guint8)v;
        }
    }
    *out_len = n;
    return g_steal_pointer (&out);
}

/* ---- slip numbers and UUIDs ---- */

/* @digits mod 97, for ISO 7064 MOD 97-10. */
static guint
mod97 (const char *digits)
{
    guint r = 0;

    for (const char *c = digits; *c != '\0'; c++)
        r = (r * 10 + (guint)(*c - '0')) % 97;
    return r;
}

char *
kikan_slip_number_format (gint64 seq)
{
    g_autofree char *digits = NULL;
    g_autofree char *shifted = NULL;

    g_return_val_if_fail (seq > 0, NULL);
    digits = g_strdup_printf ("%06" G_GINT64_FORMAT, seq);
    shifted = g_strconcat (digits, "00", NULL);
    return g_strdup_printf ("%s-%02u", digits, 98 - mod97 (shifted));
}

gboolean
kikan_slip_number_parse (const char *number, gint64 *seq)
{
    const char *dash;
    gsize n;
    g_autofree char *all = NULL;

    if (number == NULL || (dash = strchr (number, '-')) == NULL)
        return FALSE;
    n = (gsize)(dash - number);
    if (n < 6 || n > 15 || strlen (dash + 1) != 2)
        return FALSE;
    for (const char *c = number; *c != '\0'; c++)
        if (c != dash && !g_ascii_isdigit (*c))
            return FALSE;
    all = g_strdup_printf ("%.*s%s", (int)n, number, dash + 1);
    if (mod97 (all) != 1)
        return FALSE;
    all[n] = '\0';
    if (g_ascii_strtoll (all, NULL, 10) <= 0)
        return FALSE;
    if (seq != NULL)
        *seq = g_ascii_strtoll (all, NULL, 10);
    return TRUE;
}

gboolean
kikan_slip_uuid_parse (const char *text, guint8 out[16])
{
    gsize k = 0;

    if (text == NULL || strlen (text) != 36)
        return FALSE;
    for (gsize i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return FALSE;
            continue;
        }
        if (!g_ascii_isxdigit (text[i]) || !g_ascii_isxdigit (text[i + 1]))
            return FALSE;
        out[k++] = (guint8)(g_ascii_xdigit_value (text[i]) * 16
                            + g_ascii_xdigit_value (text[i + 1]));
        i++;
    }
    return k == 16;
}

char *
kikan_slip_uuid_format (const guint8 u[16])
{
    return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                            "%02x%02x%02x%02x%02x%02x",
                            u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
                            u[11], u[12], u[13], u[14], u[15]);
}

/* ---- encoding ---- */

static void
put_head (GByteArray *out, size_t (*enc) (size_t, unsigned char *, size_t), size_t v)
{
    unsigned char buf[9];
    size_t n = enc (v, buf, sizeof buf);

    g_assert (n > 0);
    g_byte_array_append (out, buf, (guint)n);
}

static void
put_uint (GByteArray *out, guint64 v)
{
    unsigned char buf[9];
    size_t n = cbor_encode_uint (v, buf, sizeof buf);

    g_assert (n > 0);
    g_byte_array_append (out, buf, (guint)n);
}

static void
put_bool (GByteArray *out, gboolean v)
{
    unsigned char buf[1];

    g_assert (cbor_encode_bool (v, buf, sizeof buf) == 1);
    g_byte_array_append (out, buf, 1);
}

static void
put_text (GByteArray *out, const char *s)
{
    put_head (out, cbor_encode_string_start, strlen (s));
    g_byte_array_append (out, (const guint8 *)s, (guint)strlen (s));
}

static void
put_bytes (GByteArray *out, const guint8 *b, gsize len)
{
    put_head (out, cbor_encode_bytestring_start, len);
    g_byte_array_append (out, b, (guint)len);
}

static gboolean check_text (const char *s, gsize len, gboolean code, const char *what,
                            GError **error);

GBytes *
kikan_slip_payload_encode (const KikanSlipPayload *self, GError **error)
{
    g_autoptr (GByteArray) out = g_byte_array_new ();

    /* What the decoder would refuse is refused here, so that the kiosk
     * never prints a slip its own verifier rejects. */
    if (!check_text (self->number, self->number ? strlen (self->number) : 0, FALSE, "number",
                     error)
        || !check_text (self->kiosk_id, self->kiosk_id ? strlen (self->kiosk_id) : 0, FALSE,
                        "kiosk ID", error)
        || !check_text (self->employee_id, self->employee_id ? strlen (self->employee_id) : 0,
                        FALSE, "employee ID", error))
        return NULL;
    if (self->items->len > KIKAN_SLIP_MAX_ITEMS || self->verdict >= KIKAN_SLIP_N_VERDICTS
        || self->issued_at < 0 || self->valid_until < self->issued_at || self->chain_seq < 0
        || self->monitor_until < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The slip cannot be encoded: more than %d items, or a verdict, time or "
                     "chain position out of range.",
                     KIKAN_SLIP_MAX_ITEMS);
        return NULL;
    }
    put_head (out, cbor_encode_map_start, self->monitor_until > 0 ? 14 : 13);
    put_uint (out, KIKAN_SLIP_KEY_VERSION);
    put_uint (out, self->version);
    put_uint (out, KIKAN_SLIP_KEY_NUMBER);
    put_text (out, self->number);
    put_uint (out, KIKAN_SLIP_KEY_KIOSK);
    put_text (out, self->kiosk_id);
    put_uint (out, KIKAN_SLIP_KEY_SESSION);
    put_bytes (out, self->session, 16);
    put_uint (out, KIKAN_SLIP_KEY_ISSUED);
    put_uint (out, (guint64)self->issued_at);
    put_uint (out, KIKAN_SLIP_KEY_VALID_UNTIL);
    put_uint (out, (guint64)self->valid_until);
    put_uint (out, KIKAN_SLIP_KEY_CLOCK_VERIFIED);
    put_bool (out, self->clock_verified);
    put_uint (out, KIKAN_SLIP_KEY_EMPLOYEE);
    put_text (out, self->employee_id);
    put_uint (out, KIKAN_SLIP_KEY_VERDICT);
    put_uint (out, self->verdict);
    put_uint (out, KIKAN_SLIP_KEY_ITEMS);
    put_head (out, cbor_encode_array_start, self->items->len);
    for (guint i = 0; i < self->items->len; i++) {
        const KikanSlipPayloadItem *it = self->items->pdata[i];

        if (!check_text (it->asset, it->asset ? strlen (it->asset) : 0, FALSE, "asset ID", error))
            return NULL;
        if (it->verdict >= KIKAN_SLIP_N_VERDICTS || it->codes->len > KIKAN_SLIP_MAX_REASONS) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                         "The slip cannot be encoded: item %u has a bad verdict or more than "
                         "%d reasons.",
                         i + 1, KIKAN_SLIP_MAX_REASONS);
            return NULL;
        }
        put_head (out, cbor_encode_array_start, 3);
        put_text (out, it->asset);
        put_uint (out, it->verdict);
        put_head (out, cbor_encode_array_start, it->codes->len);
        for (guint k = 0; k < it->codes->len; k++) {
            const char *c = it->codes->pdata[k];

            if (!check_text (c, strlen (c), TRUE, "reason code", error))
                return NULL;
            put_text (out, c);
        }
    }
    put_uint (out, KIKAN_SLIP_KEY_CHAIN_SEQ);
    put_uint (out, (guint64)self->chain_seq);
    put_uint (out, KIKAN_SLIP_KEY_CHAIN_HEAD);
    put_bytes (out, self->chain_head, KIKAN_SLIP_HEAD_LEN);
    put_uint (out, KIKAN_SLIP_KEY_COPY);
    put_bool (out, self->copy);
    if (self->monitor_until > 0) {
        put_uint (out, KIKAN_SLIP_KEY_MONITOR_UNTIL);
        put_uint (out, (guint64)self->monitor_until);
    }
    if (out->len > KIKAN_SLIP_MAX_INFLATED - 128) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The slip's payload would be %u bytes, more than a slip carries.", out->len);
        return NULL;
    }
    return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
kikan_slip_signed_message (GBytes *protected)
{
    gsize n;
    const guint8 *p = g_bytes_get_data (protected, &n);
    GByteArray *m = g_byte_array_sized_new ((guint)(sizeof signing_context + n));

    g_byte_array_append (m, (const guint8 *)signing_context, sizeof signing_context);
    g_byte_array_append (m, p, (guint)n);
    return g_byte_array_free_to_bytes (m);
}

char *
kikan_slip_payload_wrap (GBytes *protected, const guint8 signature[KIKAN_SLIP_SIGNATURE_LEN])
{
    g_autoptr (GByteArray) outer = g_byte_array_new ();
    gsize n;
    const guint8 *p = g_bytes_get_data (protected, &n);
    uLongf zlen;
    g_autofree guint8 *z = NULL;
    g_autofree char *b = NULL;

    put_head (outer, cbor_encode_array_start, 2);
    put_bytes (outer, p, n);
    put_bytes (outer, signature, KIKAN_SLIP_SIGNATURE_LEN);
    zlen = compressBound (outer->len);
    z = g_malloc (zlen);
    g_assert (compress2 (z, &zlen, outer->data, outer->len, Z_BEST_COMPRESSION) == Z_OK);
    b = kikan_base45_encode (z, zlen);
    return g_strconcat (KIKAN_SLIP_PREFIX, b, NULL);
}

gboolean
kikan_slip_signature_ok (GBytes *protected, const guint8 signature[KIKAN_SLIP_SIGNATURE_LEN],
                         const guint8 public_key[KIKAN_SLIP_PUBLIC_KEY_LEN])
{
    g_autoptr (GBytes) msg = kikan_slip_signed_message (protected);
    gsize n;
    const guint8 *m = g_bytes_get_data (msg, &n);

    if (sodium_init () < 0)
        return FALSE;
    return crypto_sign_verify_detached (signature, m, n, public_key) == 0;
}

/* ---- decoding ---- */

typedef enum { TOK_OTHER, TOK_UINT, TOK_BYTES, TOK_TEXT, TOK_ARRAY, TOK_MAP, TOK_BOOL } TokType;

typedef struct {
    TokType type;
    guint64 u;            /* uint value, or array/map count */
    const guint8 *data;   /* bytes/text, into the buffer */
    gsize len;
    gboolean b;
} Tok;

typedef struct {
    const guint8 *buf;
    gsize len, pos;
} Reader;

static void on_u8 (void *c, uint8_t v) { ((Tok *)c)->type = TOK_UINT; ((Tok *)c)->u = v; }
static void on_u16 (void *c, uint16_t v) { ((Tok *)c)->type = TOK_UINT; ((Tok *)c)->u = v; }
static void on_u32 (void *c, uint32_t v) { ((Tok *)c)->type = TOK_UINT; ((Tok *)c)->u = v; }
static void on_u64 (void *c, uint64_t v) { ((Tok *)c)->type = TOK_UINT; ((Tok *)c)->u = v; }

static void
on_bytes (void *c, cbor_data d, size_t n)
{
    ((Tok *)c)->type = TOK_BYTES;
    ((Tok *)c)->data = d;
    ((Tok *)c)->len = n;
}

static void
on_text (void *c, cbor_data d, size_t n)
{
    ((Tok *)c)->type = TOK_TEXT;
    ((Tok *)c)->data = d;
    ((Tok *)c)->len = n;
}

static void on_array (void *c, size_t n) { ((Tok *)c)->type = TOK_ARRAY; ((Tok *)c)->u = n; }
static void on_map (void *c, size_t n) { ((Tok *)c)->type = TOK_MAP; ((Tok *)c)->u = n; }
static void on_bool (void *c, bool b) { ((Tok *)c)->type = TOK_BOOL; ((Tok *)c)->b = b; }

/* The size of the shortest head for @v. */
static gsize
head_size (guint64 v)
{
    return v < 24 ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffffu ? 5 : 9;
}

/* The next item's head (and a string's bytes) as @want; FALSE for
 * anything else, a non-shortest form included. */
static gboolean
next (Reader *r, TokType want, Tok *t)
{
    struct cbor_callbacks cb = cbor_empty_callbacks;
    struct cbor_decoder_result res;
    gsize expect;

    cb.uint8 = on_u8;
    cb.uint16 = on_u16;
    cb.uint32 = on_u32;
    cb.uint64 = on_u64;
    cb.byte_string = on_bytes;
    cb.string = on_text;
    cb.array_start = on_array;
    cb.map_start = on_map;
    cb.boolean = on_bool;
    memset (t, 0, sizeof *t);
    if (r->pos >= r->len)
        return FALSE;
    res = cbor_stream_decode (r->buf + r->pos, r->len - r->pos, &cb, t);
    if (res.status != CBOR_DECODER_FINISHED || res.read == 0 || res.read > r->len - r->pos
        || t->type != want)
        return FALSE;
    switch (t->type) {
    case TOK_UINT:
    case TOK_ARRAY:
    case TOK_MAP:
        expect = head_size (t->u);
        break;
    case TOK_BYTES:
    case TOK_TEXT:
        expect = head_size (t->len) + t->len;
        break;
    default:
        expect = 1;
        break;
    }
    if (res.read != expect)
        return FALSE;
    r->pos += res.read;
    return TRUE;
}

static gboolean
fail (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *m = NULL;

    va_start (ap, fmt);
    m = g_strdup_vprintf (fmt, ap);
    va_end (ap);
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY,
                 "This is not a valid Kikan slip code: %s. Scan the QR code again, or type the "
                 "code exactly as printed.",
                 m);
    return FALSE;
}

/* A text field: valid UTF-8, no NUL or other control character, within
 * the limit; a reason code is [A-Z0-9-] only. */
static gboolean
check_text (const char *s, gsize len, gboolean code, const char *what, GError **error)
{
    if (s == NULL || len == 0 || len > (code ? 16u : (gsize)KIKAN_SLIP_MAX_STRING)
        || !g_utf8_validate_len (s, len, NULL))
        return fail (error, "its %s is empty, too long or not UTF-8 text", what);
    for (gsize i = 0; i < len; i++) {
        guchar c = (guchar)s[i];

        if (c < 0x20 || c == 0x7f || (code && !g_ascii_isupper (c) && !g_ascii_isdigit (c)
                                      && c != '-'))
            return fail (error, "its %s holds a character it may not", what);
    }
    return TRUE;
}

static gboolean
read_text (Reader *r, gboolean code, const char *what, char **out, GError **error)
{
    Tok t;

    if (!next (r, TOK_TEXT, &t))
        return fail (error, "its %s is not text", what);
    if (!check_text ((const char *)t.data, t.len, code, what, error))
        return FALSE;
    *out = g_strndup ((const char *)t.data, t.len);
    return TRUE;
}

/* Times up to the year 36812: more is not a time a slip can mean. */
#define MAX_TIME ((guint64)1 << 40)

static gboolean
read_uint (Reader *r, guint64 max, const char *what, guint64 *out, GError **error)
{
    Tok t;

    if (!next (r, TOK_UINT, &t) || t.u > max)
        return fail (error, "its %s is not a number in range", what);
    *out = t.u;
    return TRUE;
}

static gboolean
read_fixed_bytes (Reader *r, guint8 *out, gsize len, const char *what, GError **error)
{
    Tok t;

    if (!next (r, TOK_BYTES, &t) || t.len != len)
        return fail (error, "its %s is not %" G_GSIZE_FORMAT " bytes", what, len);
    memcpy (out, t.data, len);
    return TRUE;
}

static gboolean
read_bool (Reader *r, const char *what, gboolean *out, GError **error)
{
    Tok t;

    if (!next (r, TOK_BOOL, &t))
        return fail (error, "its %s is not true or false", what);
    *out = t.b;
    return TRUE;
}

static gboolean
read_items (Reader *r, KikanSlipPayload *p, GError **error)
{
    Tok t;

    if (!next (r, TOK_ARRAY, &t) || t.u > KIKAN_SLIP_MAX_ITEMS)
        return fail (error, "its items are not a list of at most %d", KIKAN_SLIP_MAX_ITEMS);
    for (guint64 i = 0, n = t.u; i < n; i++) {
        g_autofree char *asset = NULL;
        guint64 verdict = 0, n_codes;
        KikanSlipPayloadItem *item;

        if (!next (r, TOK_ARRAY, &t) || t.u != 3)
            return fail (error, "item %" G_GUINT64_FORMAT " is not [asset, verdict, reasons]",
                         i + 1);
        if (!read_text (r, FALSE, "item's asset ID", &asset, error)
            || !read_uint (r, KIKAN_SLIP_N_VERDICTS - 1, "item's verdict", &verdict, error))
            return FALSE;
        if (!next (r, TOK_ARRAY, &t) || t.u > KIKAN_SLIP_MAX_REASONS)
            return fail (error, "an item's reasons are not a list of at most %d",
                         KIKAN_SLIP_MAX_REASONS);
        item = kikan_slip_payload_add_item (p, asset, (guint)verdict);
        n_codes = t.u;
        for (guint64 k = 0; k < n_codes; k++) {
            char *code = NULL;

            if (!read_text (r, TRUE, "reason code", &code, error))
                return FALSE;
            g_ptr_array_add (item->codes, code);
        }
    }
    return TRUE;
}

static gboolean
read_protected (const guint8 *buf, gsize len, KikanSlipPayload *p, GError **error)
{
    Reader r = { buf, len, 0 };
    Tok t;
    guint64 n, last_key = 0, v = 0;
    guint seen = 0;

    if (!next (&r, TOK_MAP, &t) || t.u < 13 || t.u > 14)
        return fail (error, "its signed part is not a map of 13 or 14 fields");
    n = t.u;
    for (guint64 i = 0; i < n; i++) {
        guint64 key;

        if (!next (&r, TOK_UINT, &t) || t.u <= last_key || t.u > KIKAN_SLIP_KEY_MONITOR_UNTIL)
            return fail (error, "its fields are unknown, repeated or out of order");
        key = last_key = t.u;
        seen |= 1u << key;
        switch (key) {
        case KIKAN_SLIP_KEY_VERSION:
            if (!next (&r, TOK_UINT, &t))
                return fail (error, "its format version is not a number");
            if (t.u != KIKAN_SLIP_FORMAT_VERSION)
                return fail (error, "its format version %" G_GUINT64_FORMAT
                                    " is not one this kikan reads (only %d)",
                             t.u, KIKAN_SLIP_FORMAT_VERSION);
            p->version = (guint)t.u;
            break;
        case KIKAN_SLIP_KEY_NUMBER:
            if (!read_text (&r, FALSE, "slip number", &p->number, error))
                return FALSE;
            if (!kikan_slip_number_parse (p->number, NULL))
                return fail (error, "its slip number's check digits do not hold");
            break;
        case KIKAN_SLIP_KEY_KIOSK:
            if (!read_text (&r, FALSE, "kiosk ID", &p->kiosk_id, error))
                return FALSE;
            break;
        case KIKAN_SLIP_KEY_SESSION:
            if (!read_fixed_bytes (&r, p->session, 16, "session", error))
                return FALSE;
            break;
        case KIKAN_SLIP_KEY_ISSUED:
            if (!read_uint (&r, MAX_TIME, "time of issue", &v, error))
                return FALSE;
            p->issued_at = (gint64)v;
            break;
        case KIKAN_SLIP_KEY_VALID_UNTIL:
            if (!read_uint (&r, MAX_TIME, "end of validity", &v, error))
                return FALSE;
            p->valid_until = (gint64)v;
            break;
        case KIKAN_SLIP_KEY_CLOCK_VERIFIED:
            if (!read_bool (&r, "clock flag", &p->clock_verified, error))
                return FALSE;
            break;
        case KIKAN_SLIP_KEY_EMPLOYEE:
            if (!read_text (&r, FALSE, "employee ID", &p->employee_id, error))
                return FALSE;
            break;
        case KIKAN_SLIP_KEY_VERDICT:
            if (!read_uint (&r, KIKAN_SLIP_N_VERDICTS - 1, "verdict", &v, error))
                return FALSE;
            p->verdict = (guint)v;
            break;
        case KIKAN_SLIP_KEY_ITEMS:
            if (!read_items (&r, p, error))
                return FALSE;
            break;
        case KIKAN_SLIP_KEY_CHAIN_SEQ:
            if (!read_uint (&r, G_MAXINT64, "audit chain position", &v, error))
                return FALSE;
            p->chain_seq = (gint64)v;
            break;
        case KIKAN_SLIP_KEY_CHAIN_HEAD:
            if (!read_fixed_bytes (&r, p->chain_head, KIKAN_SLIP_HEAD_LEN, "audit chain head",
                                   error))
                return FALSE;
            break;
        case KIKAN_SLIP_KEY_COPY:
            if (!read_bool (&r, "copy flag", &p->copy, error))
                return FALSE;
            break;
        case KIKAN_SLIP_KEY_MONITOR_UNTIL:
            if (!read_uint (&r, MAX_TIME, "monitoring date", &v, error))
                return FALSE;
            if (v == 0)
                return fail (error, "its monitoring date is zero");
            p->monitor_until = (gint64)v;
            break;
        default:
            return fail (error, "it has an unknown field %" G_GUINT64_FORMAT, key);
        }
    }
    /* Keys 1 … 13 are required; 14 is optional. */
    if ((seen & 0x3ffe) != 0x3ffe)
        return fail (error, "a required field is missing");
    if (r.pos != r.len)
        return fail (error, "bytes follow its signed part");
    if (p->valid_until < p->issued_at)
        return fail (error, "it ends before it was issued");
    return TRUE;
}

/* zlib-inflates @z into at most KIKAN_SLIP_MAX_INFLATED bytes; nothing may
 * follow the stream. */
static GBytes *
inflate_capped (const guint8 *z, gsize zlen, GError **error)
{
    z_stream s = { 0 };
    g_autofree guint8 *out = g_malloc (KIKAN_SLIP_MAX_INFLATED + 1);
    int rc;
    gsize produced;

    if (inflateInit (&s) != Z_OK)
        return fail (error, "it cannot be decompressed"), NULL;
    s.next_in = (Bytef *)z;
    s.avail_in = (uInt)zlen;
    s.next_out = out;
    s.avail_out = KIKAN_SLIP_MAX_INFLATED + 1;
    /* Block by block up to the end of the last one, whose unused high
     * bits must be zero: inflate ignores them, so without this check a
     * changed character could give another code for the same slip, and
     * a code must be exactly what the kiosk printed. */
    do
        rc = inflate (&s, Z_BLOCK);
    while (rc == Z_OK && s.avail_out > 0 && !((s.data_type & 64) && (s.data_type & 128)));
    if (rc == Z_OK && (s.data_type & 64) && (s.data_type & 128)) {
        int unused = s.data_type & 7;

        if (unused > 0 && (s.next_in[-1] >> (8 - unused)) != 0) {
            inflateEnd (&s);
            return fail (error, "its compressed data is damaged"), NULL;
        }
        rc = inflate (&s, Z_FINISH);
    }
    produced = KIKAN_SLIP_MAX_INFLATED + 1 - s.avail_out;
    inflateEnd (&s);
    if (produced > KIKAN_SLIP_MAX_INFLATED)
        return fail (error, "it decompresses to more than %d bytes", KIKAN_SLIP_MAX_INFLATED),
               NULL;
    if (rc != Z_STREAM_END)
        return fail (error, "its compressed data is damaged or cut short"), NULL;
    if (s.avail_in != 0)
        return fail (error, "bytes follow its compressed data"), NULL;
    return g_bytes_new (out, produced);
}

KikanSlipPayload *
kikan_slip_payload_decode (const char *text, gsize len, GBytes **protected,
                           guint8 signature[KIKAN_SLIP_SIGNATURE_LEN], GError **error)
{
    g_autoptr (KikanSlipPayload) p = NULL;
    g_autoptr (GBytes) inflated = NULL;
    g_autofree guint8 *z = NULL;
    const guint8 *outer;
    gsize zlen, olen;
    Reader r;
    Tok t, prot;

    g_return_val_if_fail (text != NULL || len == 0, NULL);
    while (len > 0 && g_ascii_isspace (text[0]))
        text++, len--;
    while (len > 0 && g_ascii_isspace (text[len - 1]))
        len--;
    if (len > KIKAN_SLIP_MAX_TEXT)
        return fail (error, "it is longer than %d characters", KIKAN_SLIP_MAX_TEXT), NULL;
    if (len < strlen (KIKAN_SLIP_PREFIX)
        || memcmp (text, KIKAN_SLIP_PREFIX, strlen (KIKAN_SLIP_PREFIX)) != 0)
        return fail (error, "it does not start with \"%s\"", KIKAN_SLIP_PREFIX), NULL;
    text += strlen (KIKAN_SLIP_PREFIX);
    len -= strlen (KIKAN_SLIP_PREFIX);
    if ((z = kikan_base45_decode (text, len, &zlen)) == NULL)
        return fail (error, "it holds a character or group that is not base45"), NULL;
    if ((inflated = inflate_capped (z, zlen, error)) == NULL)
        return NULL;
    outer = g_bytes_get_data (inflated, &olen);
    r = (Reader){ outer, olen, 0 };
    if (!next (&r, TOK_ARRAY, &t) || t.u != 2 || !next (&r, TOK_BYTES, &prot))
        return fail (error, "it is not [signed part, signature]"), NULL;
    if (!next (&r, TOK_BYTES, &t) || t.len != KIKAN_SLIP_SIGNATURE_LEN)
        return fail (error, "its signature is not %d bytes", KIKAN_SLIP_SIGNATURE_LEN), NULL;
    if (r.pos != r.len)
        return fail (error, "bytes follow its signature"), NULL;
    p = kikan_slip_payload_new ();
    p->version = 0;
    if (!read_protected (prot.data, prot.len, p, error))
        return NULL;
    if (signature != NULL)
        memcpy (signature, t.data, KIKAN_SLIP_SIGNATURE_LEN);
    if (protected != NULL)
        *protected = g_bytes_new (prot.data, prot.len);
    return g_steal_pointer (&p);
}
