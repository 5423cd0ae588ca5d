/* Kikan kiosk: `kikan audit list [--json] [--session N]` (issue #10
 * item 3; KR-31): the records, every field escaped. */
#include <stdio.h>
#include <string.h>

#include "audit-private.h"
#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

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
kikan_cmd_audit_list (int argc, char **argv)
{
    gboolean json = FALSE;
    gint64 session = 0;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { "session", 0, 0, G_OPTION_ARG_INT64, &session, "Only the records of session N", "N" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— the audit records");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (JsonNode) root = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 1) {
        fprintf (stderr, "Usage: kikan audit list [--json] [--session N]\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open_readonly (home, &error)) == NULL
        || (root = kikan_audit_list_to_json (store, session, &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (json)
        kikan_cli_print_json (root);
    else
        print_list (root);
    return KIKAN_EXIT_OK;
}
