/* Kikan kiosk: `kikan audit verify --bundle FILE [--key kikan-vk1:…]
 * [--public-key HEX]` (issue #10 item 3; KR-31, KR-32, Admin J-5, J-6;
 * docs/audit.md "Bundles").  Needs no store: an auditor runs it on their
 * own machine with an empty home.  Exit 0 intact, 1 tampered (the first
 * bad record or member named), 2 could not check. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "bundle-private.h"
#include "cli-private.h"
#include "cmd-audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "seal-private.h"

int
kikan_cmd_audit_verify_bundle (int argc, char **argv)
{
    g_autofree char *bundle = NULL;
    g_autofree char *key_text = NULL;
    g_autofree char *pk_hex = NULL;
    const GOptionEntry entries[] = {
        { "bundle", 0, 0, G_OPTION_ARG_FILENAME, &bundle, "The bundle to check", "FILE" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key_text,
          "The verification key kikan audit init showed (checks every MAC)", "kikan-vk1:…" },
        { "public-key", 0, 0, G_OPTION_ARG_STRING, &pk_hex,
          "The kiosk's Ed25519 public key, hex, from a trusted source", "HEX" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— check an audit bundle");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanAuditBundle) b = NULL;
    g_autofree char *shown = NULL;
    guint8 key[KIKAN_AUDIT_KEY_LEN], pk[KIKAN_AUDIT_PUBLIC_KEY_LEN];
    KikanAuditBundleReport r;
    int rc;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 1 || bundle == NULL) {
        fprintf (stderr, "Usage: kikan audit verify --bundle FILE [--key kikan-vk1:…] "
                         "[--public-key HEX]\n");
        return KIKAN_EXIT_ERROR;
    }
    if (key_text != NULL && !kikan_audit_parse_verification_key (key_text, key)) {
        fprintf (stderr, "kikan: --key is not a verification key (kikan-vk1: and 64 hex "
                         "digits, as `kikan audit init` showed it).\n");
        return KIKAN_EXIT_ERROR;
    }
    if (pk_hex != NULL && !kikan_audit_parse_public_key (pk_hex, pk)) {
        fprintf (stderr, "kikan: --public-key must be the kiosk's Ed25519 public key, 64 hex "
                         "digits.\n");
        return KIKAN_EXIT_ERROR;
    }
    shown = kikan_escape_for_display (bundle, -1);
    if ((b = kikan_audit_bundle_read_file (bundle, &error)) == NULL) {
        if (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY)) {
            printf ("The bundle %s is TAMPERED: %s. Keep it as evidence and tell the auditor.\n",
                    shown, error->message);
            return KIKAN_EXIT_INFECTED; /* 1: tampered */
        }
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    kikan_audit_bundle_check (b, pk_hex != NULL ? pk : NULL, key_text != NULL ? key : NULL, &r);
    sodium_memzero (key, sizeof key);
    if (!r.intact) {
        if (r.first_bad > 0)
            printf ("The bundle %s is TAMPERED at record %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                    ": %s. Keep it as evidence and tell the auditor.\n",
                    shown, r.first_bad, r.records, r.problem);
        else
            printf ("The bundle %s is TAMPERED: %s. Keep it as evidence and tell the auditor.\n",
                    shown, r.problem);
        rc = KIKAN_EXIT_INFECTED;
    } else {
        printf ("The bundle %s holds %" G_GINT64_FORMAT " records, %" G_GINT64_FORMAT
                " seals and %" G_GINT64_FORMAT " slips; every member matches its manifest.\n",
                shown, r.records, r.seals, r.slips);
        rc = KIKAN_EXIT_OK;
    }
    /* What was and was not checked, always: never claim more. */
    if (r.manifest_signed && r.key_from_command_line)
        printf ("Signature: the manifest is signed by the public key given on the command line "
                "(trusted).\n");
    else if (r.manifest_signed)
        printf ("Signature: the manifest is signed by the public key inside the bundle: that "
                "shows only that the bundle is consistent, not who made it. Give "
                "--public-key from a trusted source to check that.\n");
    else
        printf ("Signature: none (the kiosk had no audit identity when it exported): nothing "
                "shows who made this bundle.\n");
    if (r.chain_checked)
        printf ("Chain: every record's hash and link checked; sealed up to record %" G_GINT64_FORMAT
                ".\n",
                r.last_sealed_seq);
    else
        printf ("Chain: NOT checked by this build (the records' hashes and seals were not "
                "recomputed).\n");
    if (r.macs_checked)
        printf ("MACs: every forward-secure MAC checked with the verification key.\n");
    else
        printf ("MACs: NOT checked (no --key): a careful rewrite by whoever held the kiosk's "
                "current key would not show.\n");
    printf ("Slips: %" G_GINT64_FORMAT " PDFs match slips.jsonl", r.pdfs_checked);
    if (r.pdfs_missing > 0)
        printf ("; %" G_GINT64_FORMAT " PDFs were missing on the kiosk at export",
                r.pdfs_missing);
    printf (".\n");
    if (rc == KIKAN_EXIT_OK && !r.chain_checked)
        rc = KIKAN_EXIT_ERROR; /* could not check everything: not "intact" */
    kikan_audit_bundle_report_clear (&r);
    return rc;
}
