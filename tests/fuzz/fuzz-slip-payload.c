/* Fuzz harness: arbitrary bytes as a clearance slip's code (the QR text a
 * barcode scanner types into `kikan slip verify`, or a person copies;
 * kiosk/slip/slip-payload.c; issue #10 item 4, KR-27).
 *
 * Byte 0 picks the layer the rest is fed to, so that libFuzzer reaches the
 * inner layers without having to find zlib checksums by chance:
 *   0  the text itself ("KS1:…")
 *   1  the outer CBOR [protected, signature], compressed and base45'd here
 *   2  the protected CBOR map, wrapped here with a zero signature
 *
 * Invariants beyond "no crash, no sanitizer report, no leak":
 *   - a refusal is KIKAN_ERROR_VERIFY, valid UTF-8 with no control
 *     character (it reaches a terminal);
 *   - an accepted payload is within every limit (items, reasons, string
 *     lengths, times in order), its number's check digits hold, and
 *     encoding it again gives exactly the protected bytes it came from:
 *     there is one encoding of each slip, so a signature covers one
 *     meaning. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "error-private.h"
#include "slip-payload-private.h"

static char *
wrap_outer (const guint8 *raw, gsize len)
{
    uLongf zlen = compressBound (len);
    g_autofree guint8 *z = g_malloc (zlen);
    g_autofree char *b = NULL;

    if (compress2 (z, &zlen, raw, len, 9) != Z_OK)
        abort ();
    b = kikan_base45_encode (z, zlen);
    return g_strconcat (KIKAN_SLIP_PREFIX, b, NULL);
}

static void
check_refusal (const GError *error)
{
    if (error == NULL || !g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY)
        || !g_utf8_validate (error->message, -1, NULL))
        abort ();
    for (const char *c = error->message; *c != '\0'; c++)
        if ((guchar)*c < 0x20 || *c == 0x7f)
            abort ();
}

static void
check_accepted (const KikanSlipPayload *p, GBytes *protected)
{
    g_autoptr (GBytes) again = NULL;

    if (p->version != KIKAN_SLIP_FORMAT_VERSION || p->items->len > KIKAN_SLIP_MAX_ITEMS
        || p->verdict >= KIKAN_SLIP_N_VERDICTS || p->valid_until < p->issued_at
        || !kikan_slip_number_parse (p->number, NULL) || strlen (p->kiosk_id) == 0
        || strlen (p->kiosk_id) > KIKAN_SLIP_MAX_STRING || strlen (p->employee_id) == 0)
        abort ();
    for (guint i = 0; i < p->items->len; i++) {
        const KikanSlipPayloadItem *it = p->items->pdata[i];

        if (it->verdict >= KIKAN_SLIP_N_VERDICTS || it->codes->len > KIKAN_SLIP_MAX_REASONS
            || strlen (it->asset) > KIKAN_SLIP_MAX_STRING)
            abort ();
    }
    again = kikan_slip_payload_encode (p, NULL);
    if (again == NULL || !g_bytes_equal (again, protected))
        abort ();
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    g_autofree char *text = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) protected = NULL;
    g_autoptr (KikanSlipPayload) p = NULL;
    guint8 sig[KIKAN_SLIP_SIGNATURE_LEN];

    if (size < 1 || size > 2 * KIKAN_SLIP_MAX_TEXT)
        return 0;
    switch (data[0] % 3) {
    case 0:
        text = g_strndup ((const char *)data + 1, size - 1);
        /* An embedded NUL ends the text, as it would for a C string. */
        break;
    case 1:
        text = wrap_outer (data + 1, size - 1);
        break;
    default: {
        g_autoptr (GBytes) prot = g_bytes_new (data + 1, size - 1);
        guint8 zero[KIKAN_SLIP_SIGNATURE_LEN] = { 0 };

        text = kikan_slip_payload_wrap (prot, zero);
        break;
    }
    }
    p = kikan_slip_payload_decode (text, strlen (text), &protected, sig, &error);
    if (p == NULL)
        check_refusal (error);
    else
        check_accepted (p, protected);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole, cut at each quarter, and in the
 * other two layers. */
const unsigned kikan_fuzz_prefix_parts = 4;
const unsigned kikan_fuzz_selectors = 3;
#endif
