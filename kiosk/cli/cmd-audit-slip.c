/* Kikan kiosk: `kikan audit verify --slip FILE|PAYLOAD` (issue #10 item 5;
 * KR-27, KR-32; docs/slip.md "A slip witnesses the chain").
 *
 * A slip carries the audit chain head as it stood when the slip was
 * issued.  This checks the slip against this kiosk's store and names the
 * check that fails: exit 0 every check held, 1 one did not, 2 the check
 * could not be made. */
#include <stdio.h>
#include <string.h>

#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "slip-private.h"
#include "store-private.h"

int
kikan_cmd_audit_verify_slip (const char *arg)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (GPtrArray) steps = NULL;
    g_autofree char *text = NULL, *failed = NULL, *superseded = NULL;

    if (g_str_has_prefix (arg, KIKAN_SLIP_PREFIX))
        text = g_strdup (arg);
    else {
        if ((text = kikan_slip_read_code_file (arg, &error)) == NULL)
            goto fail;
    }
    if ((store = kikan_store_open_readonly (home, &error)) == NULL
        || !kikan_slip_witness (store, text, &failed, &steps, &superseded, &error))
        goto fail;
    for (guint i = 0; i < steps->len; i++) {
        g_autofree char *shown = kikan_escape_for_display (steps->pdata[i], -1);

        printf ("ok: %s\n", shown);
    }
    if (failed != NULL) {
        g_autofree char *shown = kikan_escape_for_display (failed, -1);

        printf ("FAILED %s\nThe slip does not match this kiosk's audit trail. Keep the slip and "
                "the store as evidence and tell the auditor.\n",
                shown);
        return KIKAN_EXIT_INFECTED; /* 1 */
    }
    printf ("The slip matches this kiosk's audit trail.\n");
    if (superseded != NULL) {
        g_autofree char *shown = kikan_escape_for_display (superseded, -1);

        printf ("%s.\n", shown);
    }
    return KIKAN_EXIT_OK;
fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
