/* Kikan kiosk: `kikan db check [--json]` (issue #9 item 1; docs/store.md).
 *
 * Exit status: 0 the store is intact, 1 problems were found (listed one
 * per line, escaped), 2 the store could not be checked.  The check opens
 * the file read-only, so that it also works on a store that the kiosk
 * refuses to use, and tells IT why. */
#include <stdio.h>
#include <string.h>

#include "audit-events-private.h"
#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

static int
cmd_check (int argc, char **argv)
{
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-db-check JSON document", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("— check the store's integrity and the project's invariants");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (GPtrArray) problems = NULL;
    g_autofree char *path = NULL;
    g_autofree char *shown = NULL;
    int version = -1;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc > 1) {
        fprintf (stderr, "kikan: “kikan db check” takes no argument; the store is "
                         "$KIKAN_HOME/kikan.db.\n");
        return KIKAN_EXIT_ERROR;
    }
    path = kikan_store_dup_path_for_home (home);
    shown = kikan_escape_for_display (path, -1);
    if (!kikan_audit_db_check (home, &problems, &version, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-db-check");
        json_builder_set_member_name (b, "format_version");
        json_builder_add_int_value (b, 1);
        kikan_json_add_hostile_string (b, "path", path);
        json_builder_set_member_name (b, "schema_version");
        if (version >= 0)
            json_builder_add_int_value (b, version);
        else
            json_builder_add_null_value (b);
        json_builder_set_member_name (b, "known_schema_version");
        json_builder_add_int_value (b, KIKAN_STORE_SCHEMA_VERSION);
        json_builder_set_member_name (b, "result");
        json_builder_add_string_value (b, problems->len == 0 ? "intact" : "problems");
        json_builder_set_member_name (b, "problems");
        json_builder_begin_array (b);
        for (guint i = 0; i < problems->len; i++)
            json_builder_add_string_value (b, g_ptr_array_index (problems, i));
        json_builder_end_array (b);
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
    } else if (problems->len == 0) {
        printf ("The store %s is intact (schema version %d).\n", shown, version);
    } else {
        printf ("The store %s has %u problem%s:\n", shown, problems->len,
                problems->len == 1 ? "" : "s");
        /* Each line was escaped where it was made (store-check.c). */
        for (guint i = 0; i < problems->len; i++)
            printf ("  %s\n", (const char *)g_ptr_array_index (problems, i));
        printf ("Restore the store from the last backup; keep this copy for IT to examine.\n");
    }
    return problems->len == 0 ? KIKAN_EXIT_OK : 1;
}

int
kikan_cmd_db (int argc, char **argv)
{
    const char *usage = "Usage: kikan db check [--json]\n";

    if (argc < 2) {
        fputs (usage, stderr);
        return KIKAN_EXIT_ERROR;
    }
    if (g_str_equal (argv[1], "check")) {
        g_set_prgname ("kikan db check");
        return cmd_check (argc - 1, argv + 1);
    }
    if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) {
        fputs (usage, stdout);
        return KIKAN_EXIT_OK;
    }
    {
        g_autofree char *shown = kikan_escape_for_display (argv[1], -1);

        fprintf (stderr, "kikan: unknown command “db %s”.\n%s", shown, usage);
    }
    return KIKAN_EXIT_ERROR;
}
