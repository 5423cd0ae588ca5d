/* kiosk/slip/slip-payload.c: the slip's signed payload (issue #10 item 4;
 * KR-27: "slip codes can be verified by the network team").  Keys come
 * from crypto_sign_keypair; nothing here needs a store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <sodium.h>
#include <zlib.h>

#include "error-private.h"
#include "slip-payload-private.h"

static guint8 pk[32], sk[64], other_pk[32], other_sk[64];

static int
setup (void **state)
{
    assert_true (sodium_init () >= 0);
    crypto_sign_keypair (pk, sk);
    crypto_sign_keypair (other_pk, other_sk);
    return 0;
}

/* A typical slip: three items, one of them CONDITIONAL with monitoring. */
static KikanSlipPayload *
typical (void)
{
    KikanSlipPayload *p = kikan_slip_payload_new ();
    KikanSlipPayloadItem *it;

    p->number = kikan_slip_number_format (42);
    p->kiosk_id = g_strdup ("kiosk-entrance-1");
    assert_true (kikan_slip_uuid_parse ("0f8fad5b-d9cb-469f-a165-70867728950e", p->session));
    p->issued_at = 1795000000;
    p->valid_until = p->issued_at + 24 * 3600;
    p->clock_verified = FALSE;
    p->employee_id = g_strdup ("E1001");
    p->verdict = KIKAN_SLIP_CONDITIONAL;
    it = kikan_slip_payload_add_item (p, "LT-0003", KIKAN_SLIP_CONDITIONAL);
    kikan_slip_payload_item_add_code (it, "MAL-01");
    kikan_slip_payload_item_add_code (it, "ENC-01");
    kikan_slip_payload_item_add_code (it, "UPD-01");
    kikan_slip_payload_item_add_code (it, "PROC-03");
    kikan_slip_payload_item_add_code (it, "PROC-04");
    it = kikan_slip_payload_add_item (p, "USB-0007", KIKAN_SLIP_CLEARED);
    kikan_slip_payload_item_add_code (it, "MAL-01");
    kikan_slip_payload_item_add_code (it, "ENC-01");
    it = kikan_slip_payload_add_item (p, "USB-0008", KIKAN_SLIP_CLEARED);
    kikan_slip_payload_item_add_code (it, "MAL-01");
    kikan_slip_payload_item_add_code (it, "ENC-01");
    p->chain_seq = 1234;
    for (int i = 0; i < KIKAN_SLIP_HEAD_LEN; i++)
        p->chain_head[i] = (guint8)(0xa0 + i);
    p->monitor_until = p->issued_at + 14 * 86400;
    return p;
}

static char *
sign_and_wrap (GBytes *protected, const guint8 *key)
{
    g_autoptr (GBytes) msg = kikan_slip_signed_message (protected);
    guint8 sig[64];
    gsize n;
    const guint8 *m = g_bytes_get_data (msg, &n);

    crypto_sign_detached (sig, NULL, m, n, key);
    return kikan_slip_payload_wrap (protected, sig);
}

static char *
typical_text (void)
{
    g_autoptr (KikanSlipPayload) p = typical ();
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) prot = kikan_slip_payload_encode (p, &error);

    assert_non_null (prot);
    return sign_and_wrap (prot, sk);
}

static void
test_base45_rfc9285 (void **state)
{
    static const struct {
        const char *raw, *b45;
    } v[] = { { "AB", "BB8" }, { "Hello!!", "%69 VD92EX0" }, { "base-45", "UJCLQE7W581" },
              { "ietf!", "QED8WEX0" }, { "", "" } };

    for (gsize i = 0; i < G_N_ELEMENTS (v); i++) {
        g_autofree char *e = kikan_base45_encode ((const guint8 *)v[i].raw, strlen (v[i].raw));
        gsize n = 99;
        g_autofree guint8 *d = kikan_base45_decode (v[i].b45, strlen (v[i].b45), &n);

        assert_string_equal (e, v[i].b45);
        assert_non_null (d);
        assert_int_equal (n, strlen (v[i].raw));
        assert_memory_equal (d, v[i].raw, n);
    }
    /* Refused: a triple over 65535, a pair over 255, a dangling
     * character, a character outside the alphabet (lower case, NUL). */
    gsize n;
    assert_null (kikan_base45_decode ("GGW", 3, &n));
    assert_null (kikan_base45_decode (":6", 2, &n));
    assert_null (kikan_base45_decode ("BB8A", 4, &n));
    assert_null (kikan_base45_decode ("bb8", 3, &n));
    assert_null (kikan_base45_decode ("B\0" "8", 3, &n));
}

static void
test_slip_numbers (void **state)
{
    gint64 seq = 0;
    g_autofree char *n42 = kikan_slip_number_format (42);
    g_autofree char *n1 = kikan_slip_number_format (1);
    g_autofree char *big = kikan_slip_number_format (1234567);

    assert_true (g_regex_match_simple ("^000042-[0-9]{2}$", n42, 0, 0));
    assert_true (kikan_slip_number_parse (n42, &seq));
    assert_int_equal (seq, 42);
    assert_true (kikan_slip_number_parse (n1, &seq));
    assert_int_equal (seq, 1);
    assert_true (kikan_slip_number_parse (big, &seq));
    assert_int_equal (seq, 1234567);
    /* MOD 97-10 catches every single-digit change and every swap of
     * neighbours (the mistakes of a number read out on the phone). */
    for (gsize i = 0; n42[i] != '\0'; i++) {
        if (n42[i] == '-')
            continue;
        for (char d = '0'; d <= '9'; d++) {
            g_autofree char *t = g_strdup (n42);

            if (d == t[i])
                continue;
            t[i] = d;
            assert_false (kikan_slip_number_parse (t, NULL));
        }
        if (n42[i + 1] != '\0' && n42[i + 1] != '-' && n42[i] != n42[i + 1]) {
            g_autofree char *t = g_strdup (n42);
            char c = t[i];

            t[i] = t[i + 1];
            t[i + 1] = c;
            assert_false (kikan_slip_number_parse (t, NULL));
        }
    }
    assert_false (kikan_slip_number_parse ("000000-98", NULL));
    assert_false (kikan_slip_number_parse ("42-00", NULL));
    assert_false (kikan_slip_number_parse ("000042", NULL));
    assert_false (kikan_slip_number_parse ("00004a-12", NULL));
    assert_false (kikan_slip_number_parse (NULL, NULL));
}

static void
test_round_trip_and_size (void **state)
{
    g_autoptr (KikanSlipPayload) want = typical ();
    g_autofree char *text = typical_text ();
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) prot = NULL;
    guint8 sig[64];
    g_autofree char *with_newline = g_strconcat ("  ", text, "\r\n", NULL);
    g_autoptr (KikanSlipPayload) got
        = kikan_slip_payload_decode (with_newline, strlen (with_newline), &prot, sig, &error);

    /* DESIGN.md: about 370 characters keep a version-12 QR at level M. */
    g_print ("typical 3-item slip payload: %zu characters\n", strlen (text));
    assert_true (strlen (text) <= 380);
    assert_true (g_str_has_prefix (text, "KS1:"));
    assert_null (error);
    assert_non_null (got);
    assert_true (kikan_slip_signature_ok (prot, sig, pk));
    assert_false (kikan_slip_signature_ok (prot, sig, other_pk));
    assert_int_equal (got->version, 1);
    assert_string_equal (got->number, want->number);
    assert_string_equal (got->kiosk_id, want->kiosk_id);
    assert_memory_equal (got->session, want->session, 16);
    assert_int_equal (got->issued_at, want->issued_at);
    assert_int_equal (got->valid_until, want->valid_until);
    assert_int_equal (got->clock_verified, FALSE);
    assert_string_equal (got->employee_id, "E1001");
    assert_int_equal (got->verdict, KIKAN_SLIP_CONDITIONAL);
    assert_int_equal (got->items->len, 3);
    for (guint i = 0; i < 3; i++) {
        KikanSlipPayloadItem *a = want->items->pdata[i], *b = got->items->pdata[i];

        assert_string_equal (a->asset, b->asset);
        assert_int_equal (a->verdict, b->verdict);
        assert_int_equal (a->codes->len, b->codes->len);
        for (guint k = 0; k < a->codes->len; k++)
            assert_string_equal (a->codes->pdata[k], b->codes->pdata[k]);
    }
    assert_int_equal (got->chain_seq, 1234);
    assert_memory_equal (got->chain_head, want->chain_head, KIKAN_SLIP_HEAD_LEN);
    assert_false (got->copy);
    assert_int_equal (got->monitor_until, want->monitor_until);
    {
        g_autofree char *u = kikan_slip_uuid_format (got->session);

        assert_string_equal (u, "0f8fad5b-d9cb-469f-a165-70867728950e");
    }
}

/* Every single character changed anywhere is caught: the decoder refuses
 * it, or the signature no longer holds, or (deflate can spell the same
 * bytes in more than one way: a match may point at either of two equal
 * runs) it decodes to exactly the same signed bytes and signature, i.e.
 * the same slip, which is no forgery.  The last must stay rare. */
static void
test_every_changed_character_caught (void **state)
{
    g_autofree char *text = typical_text ();
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    g_autoptr (GBytes) orig_prot = NULL;
    guint8 orig_sig[64];
    g_autoptr (KikanSlipPayload) orig
        = kikan_slip_payload_decode (text, strlen (text), &orig_prot, orig_sig, NULL);
    guint tried = 0, same = 0;

    assert_non_null (orig);
    for (gsize i = 0; text[i] != '\0'; i++) {
        for (gsize k = 0; k < 3; k++) {
            g_autofree char *t = g_strdup (text);
            g_autoptr (GBytes) prot = NULL;
            g_autoptr (GError) error = NULL;
            guint8 sig[64];
            const char *at = strchr (alphabet, text[i]);
            gsize idx = at != NULL ? (gsize)(at - alphabet) : 0;
            char c = alphabet[(idx + 1 + k * 7) % 45];
            g_autoptr (KikanSlipPayload) p = NULL;

            if (c == text[i])
                continue;
            t[i] = c;
            tried++;
            p = kikan_slip_payload_decode (t, strlen (t), &prot, sig, &error);
            if (p == NULL) {
                assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY));
                continue;
            }
            if (!kikan_slip_signature_ok (prot, sig, pk))
                continue;
            if (!g_bytes_equal (prot, orig_prot) || memcmp (sig, orig_sig, 64) != 0)
                fail_msg ("character %zu changed from %c to %c verifies with other content", i,
                          text[i], c);
            same++;
        }
    }
    assert_true (same * 50 < tried);
}

/* "KS1:" + base45 of zlib of @raw (an outer document written by hand). */
static char *
wrap_raw (const guint8 *raw, gsize len, const guint8 *extra, gsize extra_len)
{
    uLongf zlen = compressBound (len);
    g_autofree guint8 *z = g_malloc (zlen + extra_len);
    g_autofree char *b = NULL;

    assert_int_equal (compress2 (z, &zlen, raw, len, 9), Z_OK);
    if (extra_len > 0)
        memcpy (z + zlen, extra, extra_len);
    b = kikan_base45_encode (z, zlen + extra_len);
    return g_strconcat ("KS1:", b, NULL);
}

static void
assert_refused (const char *text, const char *why)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanSlipPayload) p = kikan_slip_payload_decode (text, strlen (text), NULL, NULL,
                                                                &error);

    assert_null (p);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY));
    if (strstr (error->message, why) == NULL)
        fail_msg ("expected “%s” in: %s", why, error->message);
}

/* The signed part of the typical slip with byte @at set to @v (or, with
 * @cut, cut short by @cut bytes), signed properly: the decoder must
 * refuse the structure itself, whoever signed it. */
static char *
patched (gssize at, guint8 v, gsize cut)
{
    g_autoptr (KikanSlipPayload) p = typical ();
    g_autoptr (GBytes) prot = kikan_slip_payload_encode (p, NULL);
    gsize n = 0;
    const guint8 *data = g_bytes_get_data (prot, &n);
    g_autofree guint8 *b = g_memdup2 (data, n);
    g_autoptr (GBytes) changed = NULL;

    if (at >= 0)
        b[at] = v;
    changed = g_bytes_new (b, n - cut);
    return sign_and_wrap (changed, sk);
}

static void
test_malformed_refused (void **state)
{
    g_autofree char *text = typical_text ();
    g_autofree char *lower = g_ascii_strdown (text, -1);
    g_autofree char *cut = g_strndup (text, strlen (text) - 3);
    g_autofree char *v2 = patched (2, 0x02, 0);  /* map, key 1, version 2 */
    g_autofree char *v_text = patched (2, 0x61, 0); /* version as a 1-byte text */
    g_autofree char *short_map = patched (-1, 0, 3);
    g_autofree char *map12 = patched (0, 0xac, 0);
    g_autofree char *huge = NULL;
    g_autofree char *trailing = NULL;
    g_autofree char *after_sig = NULL;
    g_autofree char *indef = NULL;
    g_autofree char *long_text = NULL;

    assert_refused ("", "does not start with");
    assert_refused ("KS2:BB8", "does not start with");
    assert_refused (lower, "does not start with");
    assert_refused ("KS1:bb8", "base45");
    assert_refused ("KS1:BB8A", "base45");
    assert_refused (cut, "");
    assert_refused (v2, "format version 2 is not one this kikan reads");
    assert_refused (v_text, "format version is not a number");
    assert_refused (short_map, "");
    assert_refused (map12, "");
    /* Decompression bombs stop at the cap. */
    {
        g_autofree guint8 *zeros = g_malloc0 (100000);

        huge = wrap_raw (zeros, 100000, NULL, 0);
        assert_refused (huge, "decompresses to more than 4096 bytes");
    }
    /* Bytes after the zlib stream. */
    {
        static const guint8 extra[] = { 0x00, 0x01 };
        static const guint8 arr[] = { 0x82, 0x41, 0x00, 0x41, 0x00 };

        trailing = wrap_raw (arr, sizeof arr, extra, sizeof extra);
        assert_refused (trailing, "bytes follow its compressed data");
    }
    /* A CBOR item after the signature; an indefinite-length array; a
     * signature of the wrong size; a claim of 2^32 items. */
    {
        g_autoptr (GByteArray) o = g_byte_array_new ();
        static const guint8 head[] = { 0x82, 0x41, 0xa0, 0x58, 0x40 };
        guint8 sig[64] = { 0 };
        static const guint8 extra[] = { 0x00 };
        static const guint8 ind[] = { 0x9f, 0x41, 0xa0, 0xff };
        static const guint8 sig63[] = { 0x82, 0x41, 0xa0, 0x58, 0x3f };
        static const guint8 many[] = { 0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 };
        g_autofree char *bad_sig = NULL;
        g_autofree char *many_items = NULL;

        g_byte_array_append (o, head, sizeof head);
        g_byte_array_append (o, sig, sizeof sig);
        g_byte_array_append (o, extra, sizeof extra);
        after_sig = wrap_raw (o->data, o->len, NULL, 0);
        assert_refused (after_sig, "bytes follow its signature");
        indef = wrap_raw (ind, sizeof ind, NULL, 0);
        assert_refused (indef, "is not [signed part, signature]");
        {
            g_autoptr (GByteArray) s = g_byte_array_new ();

            g_byte_array_append (s, sig63, sizeof sig63);
            g_byte_array_append (s, sig, 63);
            bad_sig = wrap_raw (s->data, s->len, NULL, 0);
            assert_refused (bad_sig, "its signature is not 64 bytes");
        }
        many_items = wrap_raw (many, sizeof many, NULL, 0);
        assert_refused (many_items, "is not [signed part, signature]");
    }
    /* Longer than any slip. */
    {
        GString *s = g_string_new ("KS1:");

        while (s->len < KIKAN_SLIP_MAX_TEXT + 10)
            g_string_append (s, "BB8");
        long_text = g_string_free (s, FALSE);
        assert_refused (long_text, "longer than");
    }
}

static void
test_encoder_refuses_what_decoder_would (void **state)
{
    g_autoptr (KikanSlipPayload) p = typical ();
    g_autoptr (GError) error = NULL;
    KikanSlipPayloadItem *it = p->items->pdata[0];

    kikan_slip_payload_item_add_code (it, "mal-02; rm");
    assert_null (kikan_slip_payload_encode (p, &error));
    assert_non_null (error);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_base45_rfc9285),
        cmocka_unit_test (test_slip_numbers),
        cmocka_unit_test (test_round_trip_and_size),
        cmocka_unit_test (test_every_changed_character_caught),
        cmocka_unit_test (test_malformed_refused),
        cmocka_unit_test (test_encoder_refuses_what_decoder_would),
    };

    return cmocka_run_group_tests (tests, setup, NULL);
}
