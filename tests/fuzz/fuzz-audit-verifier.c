/* Fuzz harness: arbitrary records and seals fed to the chain verifier
 * (kiosk/audit/verifier.c), with and without the auditor's key.
 *
 * Whatever a store or a bundle holds reaches the verifier field by field:
 * any text (or none) in any field, any numbers, in any order (KR-32).
 * The input is lines; a line "R\tseq\tat\tkind\tsession\tpayload\tprev\t
 * hash\tmac" is a record, "S\tepoch\tseq\thead\tat\twhy\tprev_mac\tmac\t
 * sig" a seal (a missing field is NULL); the first byte picks whether an
 * identity, a public key and a verification key are given.
 *
 * Invariants beyond "no crash, no sanitizer report, no leak": a verdict
 * names a record (first_bad > 0) exactly when it says why, the why is
 * valid UTF-8; and what it claims to have checked is only what it was
 * given (no MAC check without a key, no signature without a public key). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verifier-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *
field (char **f, guint n, guint i)
{
    return i < n ? f[i] : NULL;
}

static gint64
number (char **f, guint n, guint i)
{
    const char *s = field (f, n, i);

    return s != NULL ? g_ascii_strtoll (s, NULL, 10) : 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static const guint8 pk[32] = { 1, 2, 3 };
    static const guint8 k0[32] = { 4, 5, 6 };
    g_autofree char *text = NULL;
    g_auto (GStrv) lines = NULL;
    KikanAuditVerifier *v;
    KikanAuditVerdict out;
    guint8 mode;

    if (size < 1 || size > 1 << 16)
        return 0;
    mode = data[0];
    text = g_strndup ((const char *)data + 1, size - 1);
    v = kikan_audit_verifier_new ((mode & 1) ? "kiosk" : NULL, (mode & 2) ? pk : NULL,
                                  (mode & 4) ? k0 : NULL);
    lines = g_strsplit (text, "\n", 4096);
    for (char **l = lines; *l != NULL; l++) {
        g_auto (GStrv) f = g_strsplit (*l, "\t", 10);
        guint n = g_strv_length (f);

        if (n == 0)
            continue;
        if (strcmp (f[0], "R") == 0) {
            KikanAuditRecordView r = {
                .seq = number (f, n, 1), .at = field (f, n, 2), .kind = field (f, n, 3),
                .session_id = number (f, n, 4), .payload = field (f, n, 5),
                .prev_hash = field (f, n, 6), .hash = field (f, n, 7), .mac = field (f, n, 8),
                .typed_as_written = (mode & 8) == 0,
            };

            kikan_audit_verifier_add_record (v, &r);
        } else if (strcmp (f[0], "S") == 0) {
            KikanAuditSealView s = {
                .epoch = number (f, n, 1), .seq = number (f, n, 2), .head_hash = field (f, n, 3),
                .at = field (f, n, 4), .why = field (f, n, 5), .prev_mac = field (f, n, 6),
                .mac = field (f, n, 7), .signature = field (f, n, 8),
                .typed_as_written = (mode & 16) == 0,
            };

            kikan_audit_verifier_add_seal (v, &s);
        }
    }
    kikan_audit_verifier_finish (v, &out);
    if ((out.first_bad > 0) != (out.why != NULL) || out.first_bad < 0)
        abort ();
    if (out.why != NULL && !g_utf8_validate (out.why, -1, NULL))
        abort ();
    if ((out.seals_keyed && !(mode & 4)) || (out.seals_signed && !(mode & 2)))
        abort ();
    if (out.head_hash == NULL)
        abort ();
    kikan_audit_verdict_clear (&out);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole, cut at each eighth, and in each
 * of the 32 combinations of keys and type flags that byte 0 selects. */
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 32;
#endif
