/* Kikan kiosk: `kikan audit init --kiosk-id ID [--key-file FILE]` (issue
 * #10 item 2; KR-32, Admin J-5, J-6; docs/audit.md "Seals").
 *
 * Run once, at kiosk setup, with the auditor present.  It makes the
 * initial sealing key and the kiosk's Ed25519 key, seals the chain, and
 * shows the verification key as text and as a QR code: the auditor keeps
 * it away from the kiosk.  The kiosk keeps no copy, so nobody who later
 * takes the kiosk can re-seal what was sealed before. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <qrencode.h>
#include <sodium.h>

#include "audit-private.h"
#include "cli-private.h"
#include "error-private.h"
#include "store-private.h"

/* The QR in the terminal, two modules a character, dark modules as ink
 * (for a light terminal; `qrencode -t UTF8` does the same), with the
 * four-module quiet zone a reader needs. */
static void
print_qr (const char *text)
{
    QRcode *qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    static const char *const glyph[4] = { " ", "\u2580", "\u2584", "\u2588" };
    const int quiet = 4;

    if (qr == NULL) {
        printf ("(the QR code could not be made: copy the key by hand)\n");
        return;
    }
    for (int y = -quiet; y < qr->width + quiet; y += 2) {
        printf ("  ");
        for (int x = -quiet; x < qr->width + quiet; x++) {
            int top = 0, bottom = 0;

            if (x >= 0 && x < qr->width && y >= 0 && y < qr->width)
                top = qr->data[y * qr->width + x] & 1;
            if (x >= 0 && x < qr->width && y + 1 >= 0 && y + 1 < qr->width)
                bottom = qr->data[(y + 1) * qr->width + x] & 1;
            fputs (glyph[top | bottom << 1], stdout);
        }
        putchar ('\n');
    }
    QRcode_free (qr);
}

/* --key-file: for the auditor's medium.  Never overwrites: a second copy
 * of a verification key is the auditor's decision, not the kiosk's. */
static gboolean
write_key_file (const char *path, const KikanAuditInit *init, GError **error)
{
    g_autofree char *text = g_strdup_printf ("kiosk_id=%s\nverification_key=%s\npublic_key=%s\n",
                                             init->kiosk_id, init->verification_key,
                                             init->public_key_hex);
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    gsize len = strlen (text);
    gboolean ok;

    if (fd < 0) {
        int err = errno;

        sodium_memzero (text, len);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "The key file %s could not be created: %s. The kiosk is initialised: copy "
                     "the verification key shown above by hand.",
                     path, g_strerror (err));
        return FALSE;
    }
    ok = write (fd, text, len) == (ssize_t)len && fsync (fd) == 0;
    close (fd);
    sodium_memzero (text, len);
    if (!ok)
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "The key file %s could not be written. The kiosk is initialised: copy the "
                     "verification key shown above by hand.",
                     path);
    return ok;
}

int
kikan_cmd_audit_init (int argc, char **argv)
{
    g_autofree char *kiosk_id = NULL;
    g_autofree char *key_file = NULL;
    gboolean no_qr = FALSE;
    const GOptionEntry entries[] = {
        { "kiosk-id", 0, 0, G_OPTION_ARG_STRING, &kiosk_id,
          "This kiosk's ID, printed on every slip", "ID" },
        { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
          "Also write the verification key to FILE (the auditor's medium; never overwritten)",
          "FILE" },
        { "no-qr", 0, 0, G_OPTION_ARG_NONE, &no_qr, "Do not draw the QR code", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("— seal this kiosk's audit trail (once, at setup)");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanAuditInit) init = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 1 || kiosk_id == NULL) {
        fprintf (stderr, "Usage: kikan audit init --kiosk-id ID [--key-file FILE] [--no-qr]\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open (home, &error)) == NULL
        || (init = kikan_audit_init (store, kiosk_id, &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    printf ("Kiosk %s: the audit trail is sealed from now on.\n\n", init->kiosk_id);
    printf ("VERIFICATION KEY (the auditor keeps it; it is shown only this once and this kiosk "
            "keeps no copy):\n\n  %s\n\n",
            init->verification_key);
    if (!no_qr)
        print_qr (init->verification_key);
    printf ("\nKiosk public key (for slips and checkpoints; give it to the network team):\n\n"
            "  %s\n\n",
            init->public_key_hex);
    printf ("Check the trail at any time with:\n  kikan audit verify --key <verification key> "
            "--public-key <public key>\n");
    fflush (stdout);
    if (key_file != NULL && !write_key_file (key_file, init, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    return KIKAN_EXIT_OK;
}
