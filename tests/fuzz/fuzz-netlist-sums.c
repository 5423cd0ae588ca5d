/* Fuzz harness: arbitrary bytes as the SHA256SUMS of an exported set of
 * network lists (kiosk/netlist/netlist-verify.c; KR-29), which comes back
 * from a medium for `kikan netlist verify`.
 *
 * Invariants beyond "no crash, no sanitizer report, no leak":
 *   - a refusal is KIKAN_ERROR_VERIFY with a valid UTF-8 message free of
 *     control characters (it reaches a terminal);
 *   - an accepted file names exactly cleared.csv, watch.csv and
 *     netlist.json once each, with 64 lowercase hex digits, and writing
 *     those lines back in the same order gives the input byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error-private.h"
#include "netlist-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    GError *error = NULL;
    GPtrArray *sums = kikan_netlist_parse_sums ((const char *)data, size, &error);

    if (sums == NULL) {
        if (error == NULL || !g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY)
            || !g_utf8_validate (error->message, -1, NULL))
            abort ();
        for (const char *c = error->message; *c != '\0'; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                abort ();
        g_error_free (error);
        return 0;
    }
    {
        GString *back = g_string_new (NULL);
        guint seen = 0;

        if (error != NULL || sums->len != 3)
            abort ();
        for (guint i = 0; i < sums->len; i++) {
            const KikanNetlistSum *s = g_ptr_array_index (sums, i);

            if (strlen (s->sha256) != 64)
                abort ();
            for (int k = 0; k < 64; k++)
                if (!((s->sha256[k] >= '0' && s->sha256[k] <= '9')
                      || (s->sha256[k] >= 'a' && s->sha256[k] <= 'f')))
                    abort ();
            if (g_str_equal (s->name, KIKAN_NETLIST_CLEARED_CSV))
                seen |= 1;
            else if (g_str_equal (s->name, KIKAN_NETLIST_WATCH_CSV))
                seen |= 2;
            else if (g_str_equal (s->name, KIKAN_NETLIST_JSON))
                seen |= 4;
            else
                abort ();
            g_string_append_printf (back, "%s  %s\n", s->sha256, s->name);
        }
        if (seen != 7 || back->len != size || memcmp (back->str, data, size) != 0)
            abort ();
        g_string_free (back, TRUE);
    }
    g_ptr_array_unref (sums);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each eighth. */
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 0;
#endif
