/* Kikan kiosk: `kikan audit verify` (issue #10 item 3; KR-32, Admin J-5,
 * J-6; docs/audit.md).
 *
 * verify walks the whole chain and names the first record that was
 * changed, removed, reordered or inserted: exit 0 intact, 1 tampered,
 * 2 could not check. */
#include <stdio.h>
#include <string.h>

#include "audit-private.h"
#include "cli-private.h"
#include "cmd-audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

int
kikan_cmd_audit_verify (int argc, char **argv)
{
    g_autoptr (GOptionContext) context = g_option_context_new ("— check the audit chain");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autofree char *why = NULL;
    gint64 bad = 0, n = 0;

    /* A bundle needs no store (cmd-audit-bundle.c). */
    for (int i = 1; i < argc; i++)
        if (strcmp (argv[i], "--bundle") == 0 || g_str_has_prefix (argv[i], "--bundle="))
            return kikan_cmd_audit_verify_bundle (argc, argv);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 1) {
        fprintf (stderr, "Usage: kikan audit verify\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open_readonly (home, &error)) == NULL
        || !kikan_audit_verify (store, &bad, &why, &n, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (bad == 0) {
        printf ("The audit chain is intact: %" G_GINT64_FORMAT " records.\n", n);
        return KIKAN_EXIT_OK;
    }
    printf ("The audit chain is BROKEN at record %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
            ": %s. Keep this store as evidence (copy it, do not repair it) and tell the "
            "auditor.\n",
            bad, n, why);
    return KIKAN_EXIT_INFECTED; /* 1: tampered */
}
