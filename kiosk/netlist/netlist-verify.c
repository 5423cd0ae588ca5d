/* Kikan kiosk: `kikan netlist verify`, checking an exported set of lists
 * (issue #10 item 7; KR-29; docs/netlist.md).  Everything in the folder
 * is untrusted: it comes back from a medium. */
#include "netlist-private.h"

#include <string.h>

#include <sodium.h>

#include "error-private.h"
#include "escape-private.h"
#include "print-private.h"

static const char *const listed[] = { KIKAN_NETLIST_CLEARED_CSV, KIKAN_NETLIST_WATCH_CSV,
                                      KIKAN_NETLIST_JSON };
/* The lists are a few MiB at most; this bounds what verify reads. */
#define MAX_LIST_BYTES (256 * 1024 * 1024)

static void
sum_free (KikanNetlistSum *s)
{
    g_free (s->name);
    g_free (s);
}

static gboolean
lower_hex (const char *s, gsize n)
{
    for (gsize i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return FALSE;
    return TRUE;
}

static gboolean
sums_error (GError **error, guint line, const char *what)
{
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY, "SHA256SUMS line %u: %s", line, what);
    return FALSE;
}

GPtrArray *
kikan_netlist_parse_sums (const char *data, gsize len, GError **error)
{
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)sum_free);
    gsize off = 0;
    guint line = 0;

    if (len > KIKAN_NETLIST_MAX_SUMS_BYTES) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY,
                     "SHA256SUMS is %" G_GSIZE_FORMAT " bytes: too big to be a Kikan list's", len);
        return NULL;
    }
    while (off < len) {
        const char *l = data + off;
        const char *nl = memchr (l, '\n', len - off);
        gsize n;
        KikanNetlistSum *s;
        gboolean known = FALSE;

        line++;
        if (nl == NULL) {
            sums_error (error, line, "does not end with a line break (truncated?)");
            return NULL;
        }
        n = (gsize)(nl - l);
        off += n + 1;
        if (n < 67 || !lower_hex (l, 64) || l[64] != ' ' || l[65] != ' ') {
            sums_error (error, line, "is not “<64 lowercase hex digits>  <file name>”");
            return NULL;
        }
        for (gsize k = 0; k < G_N_ELEMENTS (listed); k++)
            if (n - 66 == strlen (listed[k]) && memcmp (l + 66, listed[k], n - 66) == 0)
                known = TRUE;
        if (!known) {
            sums_error (error, line, "names a file that is not one of the lists");
            return NULL;
        }
        for (guint i = 0; i < out->len; i++) {
            const KikanNetlistSum *o = g_ptr_array_index (out, i);

            if (strlen (o->name) == n - 66 && memcmp (o->name, l + 66, n - 66) == 0) {
                sums_error (error, line, "names a file a second time");
                return NULL;
            }
        }
        s = g_new0 (KikanNetlistSum, 1);
        s->name = g_strndup (l + 66, n - 66);
        memcpy (s->sha256, l, 64);
        s->sha256[64] = '\0';
        g_ptr_array_add (out, s);
    }
    if (out->len != G_N_ELEMENTS (listed)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY,
                     "SHA256SUMS lists %u of the %u files (cleared.csv, watch.csv, "
                     "netlist.json)",
                     out->len, (guint)G_N_ELEMENTS (listed));
        return NULL;
    }
    return g_steal_pointer (&out);
}

/* The first line of @bytes as @n bytes of hex; FALSE when it is not. */
static gboolean
read_hex_line (GBytes *bytes, guint8 *out, gsize n)
{
    gsize len = 0;
    const char *d = g_bytes_get_data (bytes, &len);

    if (d == NULL || (len != 2 * n && !(len == 2 * n + 1 && d[2 * n] == '\n'))
        || !lower_hex (d, 2 * n))
        return FALSE;
    return sodium_hex2bin (out, n, d, 2 * n, NULL, NULL, NULL) == 0;
}

static GBytes *
read_in (const char *dir, const char *name, gsize max, GError **error)
{
    g_autofree char *p = g_build_filename (dir, name, NULL);
    g_autoptr (GError) local = NULL;
    GBytes *b = kikan_print_read_file (p, max, &local);

    if (b == NULL)
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "%s", local->message);
    return b;
}

gboolean
kikan_netlist_verify (const char *dir, const guint8 *public_key, KikanNetlistVerdict *verdict,
                      char **why, gboolean *key_from_folder, GError **error)
{
    g_autoptr (GBytes) sums = NULL;
    g_autoptr (GBytes) sig = NULL;
    g_autoptr (GPtrArray) parsed = NULL;
    g_autoptr (GError) local = NULL;
    guint8 pk[crypto_sign_PUBLICKEYBYTES];
    guint8 s[crypto_sign_BYTES];
    gsize len = 0;
    const guint8 *data;

    g_return_val_if_fail (dir != NULL && verdict != NULL && why != NULL, FALSE);
    *why = NULL;
    *key_from_folder = public_key == NULL;
    if (sodium_init () < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "libsodium could not start");
        return FALSE;
    }
    if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
        g_autofree char *shown = kikan_escape_for_display (dir, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND, "%s is not a folder.", shown);
        return FALSE;
    }
    if ((sums = read_in (dir, KIKAN_NETLIST_SUMS, 1024 * 1024, error))
            == NULL
        || (sig = read_in (dir, KIKAN_NETLIST_SIG, 4096, error)) == NULL)
        return FALSE;
    if (public_key != NULL) {
        memcpy (pk, public_key, sizeof pk);
    } else {
        g_autoptr (GBytes) k = read_in (dir, KIKAN_NETLIST_PUBKEY, 4096, error);

        if (k == NULL)
            return FALSE;
        if (!read_hex_line (k, pk, sizeof pk)) {
            *verdict = KIKAN_NETLIST_TAMPERED;
            *why = g_strdup ("kiosk-public-key.txt does not hold a public key (64 hex digits)");
            return TRUE;
        }
    }
    *verdict = KIKAN_NETLIST_TAMPERED;
    if (!read_hex_line (sig, s, sizeof s)) {
        *why = g_strdup ("SHA256SUMS.sig does not hold a signature (128 hex digits)");
        return TRUE;
    }
    data = g_bytes_get_data (sums, &len);
    if (crypto_sign_verify_detached (s, data != NULL ? data : (const guint8 *)"", len, pk)
        != 0) {
        *why = g_strdup (public_key != NULL
                             ? "the signature over SHA256SUMS is not the kiosk's (the given "
                               "public key): SHA256SUMS was changed, or another key signed it"
                             : "the signature over SHA256SUMS does not match the public key in "
                               "the folder: SHA256SUMS or the signature was changed");
        return TRUE;
    }
    if ((parsed = kikan_netlist_parse_sums ((const char *)data, len, &local)) == NULL) {
        *why = g_strdup (local->message);
        return TRUE;
    }
    for (guint i = 0; i < parsed->len; i++) {
        const KikanNetlistSum *e = g_ptr_array_index (parsed, i);
        g_autoptr (GError) ferr = NULL;
        g_autoptr (GBytes) f = read_in (dir, e->name, MAX_LIST_BYTES, &ferr);
        g_autofree char *found = NULL;

        if (f == NULL) {
            /* A signed list that is missing or replaced by something else
             * (a link, a folder) is a changed export. */
            *why = g_strdup_printf ("%s, which SHA256SUMS lists: %s", e->name, ferr->message);
            return TRUE;
        }
        found = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, f);
        if (strcmp (found, e->sha256) != 0) {
            *why = g_strdup_printf ("%s was changed after export (SHA-256 %s, signed as %s)",
                                    e->name, found, e->sha256);
            return TRUE;
        }
    }
    *verdict = KIKAN_NETLIST_INTACT;
    return TRUE;
}
