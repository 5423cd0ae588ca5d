/* Kikan kiosk: `kikan netlist …`, the network team's lists (issue #10
 * item 7; KR-29, JNSA-2.6, Admin I-4, I-6; docs/netlist.md).
 *
 *   kikan netlist export --out DIR [--valid-hours N] [--json]
 *   kikan netlist verify DIR [--public-key HEX]
 *
 * export: 0 written and recorded, 2 nothing exported.  verify: 0 intact,
 * 1 changed (a file, the sums or the signature), 2 could not check. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "netlist-private.h"
#include "seal-private.h"
#include "store-private.h"

static int
cmd_export (int argc, char **argv)
{
    g_autofree char *out = NULL;
    int valid_hours = KIKAN_NETLIST_DEFAULT_VALID_HOURS;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "folder to write the lists into (empty)",
          "DIR" },
        { "valid-hours", 0, 0, G_OPTION_ARG_INT, &valid_hours,
          "hours a clearance stays valid for reconnection (default 24)", "N" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print a summary as JSON", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("— write the signed cleared and watch lists for the network team");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanNetlistExport) ex = NULL;
    g_autofree char *shown = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 1 || out == NULL || out[0] == '\0') {
        fprintf (stderr, "Usage: kikan netlist export --out DIR [--valid-hours N] [--json]\n");
        return KIKAN_EXIT_ERROR;
    }
    if (valid_hours < 1 || (guint)valid_hours > KIKAN_NETLIST_MAX_VALID_HOURS) {
        fprintf (stderr, "kikan: --valid-hours must be from 1 to %u.\n",
                 KIKAN_NETLIST_MAX_VALID_HOURS);
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open (home, &error)) == NULL
        || (ex = kikan_netlist_export (store, out, (guint)valid_hours, &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    shown = kikan_escape_for_display (out, -1);
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-netlist-export");
        json_builder_set_member_name (b, "format_version");
        json_builder_add_int_value (b, 1);
        kikan_json_add_hostile_string (b, "dir", out);
        json_builder_set_member_name (b, "cleared");
        json_builder_add_int_value (b, ex->n_cleared);
        json_builder_set_member_name (b, "watch");
        json_builder_add_int_value (b, ex->n_watch);
        json_builder_set_member_name (b, "sums_sha256");
        json_builder_add_string_value (b, ex->sums_sha256);
        json_builder_set_member_name (b, "public_key");
        json_builder_add_string_value (b, ex->public_key_hex);
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
    } else {
        printf ("Wrote %u cleared and %u watched device(s) to %s, signed by this kiosk "
                "(public key %s).\nThe network team checks them with “kikan netlist verify "
                "DIR --public-key %s”.\n",
                ex->n_cleared, ex->n_watch, shown, ex->public_key_hex, ex->public_key_hex);
    }
    return KIKAN_EXIT_OK;
}

static int
cmd_verify (int argc, char **argv)
{
    g_autofree char *key_hex = NULL;
    GOptionEntry entries[] = {
        { "public-key", 0, 0, G_OPTION_ARG_STRING, &key_hex,
          "the kiosk's Ed25519 public key (64 hex digits, from kikan audit init)", "HEX" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("DIR — check an exported set of lists");
    g_autoptr (GError) error = NULL;
    g_autofree char *why = NULL;
    g_autofree char *shown = NULL;
    guint8 pk[crypto_sign_PUBLICKEYBYTES];
    KikanNetlistVerdict verdict = KIKAN_NETLIST_TAMPERED;
    gboolean from_folder = FALSE;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2) {
        fprintf (stderr, "Usage: kikan netlist verify DIR [--public-key HEX]\n");
        return KIKAN_EXIT_ERROR;
    }
    if (key_hex != NULL && !kikan_audit_parse_public_key (key_hex, pk)) {
        fprintf (stderr, "kikan: --public-key must be 64 hex digits (the kiosk's public "
                         "key, shown by kikan audit init).\n");
        return KIKAN_EXIT_ERROR;
    }
    if (!kikan_netlist_verify (argv[1], key_hex != NULL ? pk : NULL, &verdict, &why,
                               &from_folder, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    shown = kikan_escape_for_display (argv[1], -1);
    if (verdict != KIKAN_NETLIST_INTACT) {
        g_autofree char *w = kikan_escape_for_display (why, -1);

        printf ("The lists in %s do NOT verify: %s. Do not use them; ask for a new export "
                "from the kiosk.\n",
                shown, w);
        return KIKAN_EXIT_INFECTED; /* 1: changed */
    }
    printf ("The lists in %s are intact and signed by %s.\n", shown,
            from_folder ? "the key in the folder (give --public-key with the kiosk's key to "
                          "know that it was this kiosk)"
                        : "the kiosk's key");
    return KIKAN_EXIT_OK;
}

int
kikan_cmd_netlist (int argc, char **argv)
{
    if (argc >= 2 && strcmp (argv[1], "export") == 0)
        return cmd_export (argc - 1, argv + 1);
    if (argc >= 2 && strcmp (argv[1], "verify") == 0)
        return cmd_verify (argc - 1, argv + 1);
    fprintf (stderr, "Usage:\n  kikan netlist export --out DIR [--valid-hours N] [--json]\n"
                     "  kikan netlist verify DIR [--public-key HEX]\n");
    return KIKAN_EXIT_ERROR;
}
