/* Kikan kiosk: `kikan audit verify` (issue #10 item 3; KR-32, Admin J-5,
 * J-6; docs/audit.md).
 *
 * verify walks the whole chain and its seals and names the first record
 * that was changed, removed, reordered, inserted or (with the verification
 * key) rewritten and re-sealed: exit 0 intact, 1 tampered, 2 could not
 * check.  It says what it could not prove. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit-private.h"
#include "cli-private.h"
#include "cmd-audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

/* What was and was not proven, in words an auditor can act on: a chain
 * checked without the verification key is not called sealed. */
static void
print_intact (const KikanAuditVerdict *v, gboolean initialised, gboolean key_trusted)
{
    printf ("The audit chain is intact: %" G_GINT64_FORMAT " records, %" G_GINT64_FORMAT
            " seals.\n",
            v->n_records, v->n_seals);
    if (!initialised) {
        printf ("WARNING: this kiosk's audit trail is NOT SEALED (`kikan audit init` was never "
                "run): whoever holds the store file could have rewritten it.\n");
        return;
    }
    if (v->seals_keyed && v->tail_checked)
        printf ("Seals and record MACs checked with the verification key: nothing sealed was "
                "rewritten, even by someone holding this kiosk's disk, and no seal was cut from "
                "the end (%s).\n",
                v->tail_how);
    else if (v->seals_keyed)
        printf ("Seals and record MACs checked with the verification key: no sealed record was "
                "changed, removed, reordered or inserted. NOT CHECKED: whether records were cut "
                "from the END together with their seals (this copy has no sealing key beside "
                "it): give --head SEQ:HASH from a later slip, bundle or export, or run `kikan "
                "audit verify --slip` with a slip issued later.\n");
    else
        printf ("NOT CHECKED: the forward-secure seals (give --key kikan-vk1:… from `kikan audit "
                "init`). Without it, a thief holding this kiosk's disk could have rewritten the "
                "chain and re-signed it.\n");
    printf ("Checkpoint signatures: %s.\n",
            v->seals_signed ? (key_trusted ? "valid, by the public key you gave"
                                           : "valid, by the key this store names (give "
                                             "--public-key to check it is the kiosk's)")
                            : "none");
    if (v->last_sealed_seq < v->n_records)
        printf ("Records %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " are not sealed yet: they "
                "are as safe as the plain chain until the next seal.\n",
                v->last_sealed_seq + 1, v->n_records);
}

int
kikan_cmd_audit_verify (int argc, char **argv)
{
    g_autofree char *key_text = NULL;
    g_autofree char *public_key = NULL;
    g_autofree char *head = NULL;
    const GOptionEntry entries[] = {
        { "key", 0, 0, G_OPTION_ARG_STRING, &key_text,
          "The verification key from `kikan audit init` (checks the forward-secure seals)",
          "kikan-vk1:…" },
        { "public-key", 0, 0, G_OPTION_ARG_STRING, &public_key,
          "The kiosk's Ed25519 public key, as the auditor keeps it (hex)", "HEX" },
        { "head", 0, 0, G_OPTION_ARG_STRING, &head,
          "A record the chain must still hold, from a later slip, bundle or export", "SEQ:HASH" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— check the audit chain");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    guint8 k0[KIKAN_AUDIT_KEY_LEN], pk[KIKAN_AUDIT_PUBLIC_KEY_LEN];
    KikanAuditVerdict v;
    gboolean initialised, ok;
    int rc;

    /* Issue #10 item 5: a slip checked against the chain (cmd-audit-slip.c). */
    if (argc == 3 && strcmp (argv[1], "--slip") == 0)
        return kikan_cmd_audit_verify_slip (argv[2]);
    if (argc == 2 && g_str_has_prefix (argv[1], "--slip="))
        return kikan_cmd_audit_verify_slip (argv[1] + strlen ("--slip="));
    /* A bundle needs no store (cmd-audit-bundle.c). */
    for (int i = 1; i < argc; i++)
        if (strcmp (argv[i], "--bundle") == 0 || g_str_has_prefix (argv[i], "--bundle="))
            return kikan_cmd_audit_verify_bundle (argc, argv);
    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 1) {
        fprintf (stderr, "Usage: kikan audit verify [--key kikan-vk1:…] [--public-key HEX] "
                         "[--head SEQ:HASH]\n");
        return KIKAN_EXIT_ERROR;
    }
    if (key_text != NULL && !kikan_audit_parse_verification_key (key_text, k0)) {
        fprintf (stderr, "kikan: that is not a verification key: it starts with kikan-vk1: and "
                         "has 64 hex digits (dashes are ignored).\n");
        return KIKAN_EXIT_ERROR;
    }
    if (public_key != NULL && !kikan_audit_parse_public_key (public_key, pk)) {
        fprintf (stderr, "kikan: --public-key takes the kiosk's Ed25519 public key as 64 hex "
                         "digits, as `kikan audit init` printed it.\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open_readonly (home, &error)) == NULL)
        goto fail;
    initialised = kikan_audit_identity (store, NULL, NULL, &error);
    if (error != NULL)
        goto fail;
    ok = kikan_audit_verify_store (store, key_text != NULL ? k0 : NULL,
                                   public_key != NULL ? pk : NULL, head, &v, &error);
    sodium_memzero (k0, sizeof k0);
    if (!ok)
        goto fail;
    if (v.first_bad == 0) {
        print_intact (&v, initialised, public_key != NULL);
        rc = KIKAN_EXIT_OK;
    } else {
        printf ("The audit chain is BROKEN at record %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                ": %s. Keep this store as evidence (copy it, do not repair it) and tell the "
                "auditor.\n",
                v.first_bad, v.n_records, v.why);
        rc = KIKAN_EXIT_INFECTED; /* 1: tampered */
    }
    kikan_audit_verdict_clear (&v);
    return rc;

fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
