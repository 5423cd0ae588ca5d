/* Kikan kiosk: what the `kikan` subcommands share. */
#include "cli-private.h"

#include <stdio.h>

#include "escape-private.h"

void
kikan_cli_print_error (const GError *error)
{
    fprintf (stderr, "kikan: %s\n", error->message);
}

void
kikan_cli_print_json (JsonNode *root)
{
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autofree char *text = NULL;
    g_autofree char *safe = NULL;

    json_generator_set_pretty (gen, TRUE);
    json_generator_set_indent (gen, 2);
    json_generator_set_root (gen, root);
    text = json_generator_to_data (gen, NULL);
    /* Hostile strings reach stdout only as escapes (STYLE rule 14). */
    safe = kikan_escape_json_text (text, -1);
    fputs (safe, stdout);
    fputc ('\n', stdout);
    fflush (stdout);
}

gboolean
kikan_cli_parse (GOptionContext *context, int *argc, char ***argv)
{
    g_autoptr (GError) error = NULL;

    if (g_option_context_parse (context, argc, argv, &error))
        return TRUE;
    fprintf (stderr, "kikan: %s\nTry “%s --help”.\n", error->message, g_get_prgname ());
    return FALSE;
}
