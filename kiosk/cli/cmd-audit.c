/* Kikan kiosk: `kikan audit verify` and `kikan audit list [--json]
 * [--session N]` (issue #10 item 3, the part that exists: docs/audit.md).
 *
 * verify walks the whole chain and names the first record that was
 * changed, removed, reordered or inserted: exit 0 intact, 1 tampered,
 * 2 could not check. */
#include <stdio.h>
#include <string.h>

#include "audit-private.h"
#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

static int
usage (void)
{
    fprintf (stderr, "Usage: kikan audit verify\n"
                     "       kikan audit list [--json] [--session N]\n");
    return KIKAN_EXIT_ERROR;
}

static void
print_list (JsonNode *root)
{
    JsonArray *records = json_object_get_array_member (json_node_get_object (root), "records");

    for (guint i = 0; i < json_array_get_length (records); i++) {
        JsonObject *r = json_array_get_object_element (records, i);
        g_autofree char *payload = json_to_string (json_object_get_member (r, "payload"), FALSE);
        g_autofree char *shown = kikan_escape_for_display (payload, -1);
        JsonNode *sid = json_object_get_member (r, "session_id");
        g_autofree char *session = JSON_NODE_HOLDS_NULL (sid)
                                       ? g_strdup ("-")
                                       : g_strdup_printf ("%" G_GINT64_FORMAT,
                                                          json_node_get_int (sid));

        /* Every field comes from the store, which whoever holds the file
         * can write: all of them are escaped. */
        g_autofree char *at
            = kikan_escape_for_display (json_object_get_string_member (r, "at"), -1);
        g_autofree char *kind
            = kikan_escape_for_display (json_object_get_string_member (r, "kind"), -1);

        printf ("%6" G_GINT64_FORMAT "  %s  %-18s session %-6s %s\n",
                json_object_get_int_member (r, "seq"), at, kind, session, shown);
    }
}

int
kikan_cmd_audit (int argc, char **argv)
{
    gboolean json = FALSE;
    gint64 session = 0;
    g_auto (GStrv) rest = NULL;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { "session", 0, 0, G_OPTION_ARG_INT64, &session, "Only the records of session N", "N" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("verify|list — the tamper-evident audit trail");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (rest == NULL || g_strv_length (rest) != 1)
        return usage ();
    if ((store = kikan_store_open_readonly (home, &error)) == NULL)
        goto fail;
    if (strcmp (rest[0], "verify") == 0) {
        g_autofree char *why = NULL;
        gint64 bad = 0, n = 0;

        if (!kikan_audit_verify (store, &bad, &why, &n, &error))
            goto fail;
        if (bad == 0) {
            printf ("The audit chain is intact: %" G_GINT64_FORMAT " records.\n", n);
            return KIKAN_EXIT_OK;
        }
        printf ("The audit chain is BROKEN at record %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                ": %s. Keep this store as evidence (copy it, do not repair it) and tell the "
                "auditor.\n",
                bad, n, why);
        return KIKAN_EXIT_INFECTED;  /* 1: tampered */
    }
    if (strcmp (rest[0], "list") == 0) {
        g_autoptr (JsonNode) root = kikan_audit_list_to_json (store, session, &error);

        if (root == NULL)
            goto fail;
        if (json)
            kikan_cli_print_json (root);
        else
            print_list (root);
        return KIKAN_EXIT_OK;
    }
    return usage ();

fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
