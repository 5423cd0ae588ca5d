/* Fuzz harness: arbitrary bytes as a PE file for Authenticode verification
 * (scanner/authenticode.c; issue #4, Admin B-3).
 *
 * Invariants beyond "no crash, no sanitizer report, no leak, no hang": the
 * status is one of the three; every string is NUL-terminated inside its
 * array; VALID has a 64-digit lower-case hex hash and no detail; INVALID
 * has a detail and neither hash nor subject; NONE has no strings at all;
 * the same bytes give the same answer twice. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kikan/authenticode.h"

static void
check (const KikanAuthenticode *a, KikanAuthenticodeStatus s)
{
    if (s != a->status || s > KIKAN_AUTHENTICODE_INVALID)
        abort ();
    if (memchr (a->cert_sha256, 0, sizeof a->cert_sha256) == NULL
        || memchr (a->subject, 0, sizeof a->subject) == NULL
        || memchr (a->detail, 0, sizeof a->detail) == NULL)
        abort ();
    switch (s) {
    case KIKAN_AUTHENTICODE_VALID:
        if (strlen (a->cert_sha256) != 64 || strspn (a->cert_sha256, "0123456789abcdef") != 64
            || a->detail[0] != '\0')
            abort ();
        for (const char *p = a->subject; *p; p++)
            if ((unsigned char) *p < 0x20 || *p == 0x7f)
                abort ();
        break;
    case KIKAN_AUTHENTICODE_INVALID:
        if (a->detail[0] == '\0' || a->cert_sha256[0] != '\0' || a->subject[0] != '\0')
            abort ();
        break;
    case KIKAN_AUTHENTICODE_NONE:
        if (a->detail[0] != '\0' || a->cert_sha256[0] != '\0' || a->subject[0] != '\0')
            abort ();
        break;
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    KikanAuthenticode a, b;
    KikanAuthenticodeStatus s;

    memset (&a, 0x5a, sizeof a);
    s = kikan_authenticode_verify (data, size, &a);
    check (&a, s);
    memset (&b, 0xa5, sizeof b);
    if (kikan_authenticode_verify (data, size, &b) != s || memcmp (&a, &b, sizeof a) != 0)
        abort ();
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds; cut each at every eighth, as a
 * truncated copy is the commonest damage. */
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 0;
#endif
