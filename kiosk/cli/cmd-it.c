/* Kikan kiosk: `kikan it list|show|resolve|override` (issue #9 item 6;
 * KR-30, PROC-01, PROC-02; docs/checkin.md "IT actions").
 *
 *   kikan it list [--json]
 *   kikan it show SESSION [--json]
 *   kikan it resolve SESSION ITEM --reason TEXT --by ID [--verdict cleared|conditional]
 *   kikan it override SESSION ITEM --reason TEXT --by ID --verdict VERDICT
 *
 * SESSION is a session's number or UUID; ITEM an item's number, its asset
 * ID, or "session" for the session's own reasons (declaration).  The
 * original verdict is kept; the override shows wherever the verdict does.
 */
#include <stdio.h>
#include <string.h>

#include "checkin-private.h"
#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "it-actions-private.h"
#include "store-private.h"

static int
usage (void)
{
    fprintf (stderr, "Usage: kikan it list [--json]\n"
                     "       kikan it show SESSION [--json]\n"
                     "       kikan it resolve SESSION ITEM --reason TEXT --by ID "
                     "[--verdict cleared|conditional]\n"
                     "       kikan it override SESSION ITEM --reason TEXT --by ID --verdict "
                     "VERDICT\n"
                     "       kikan it account add|login|passwd ID [--role it|auditor] "
                     "[--password-file FILE]\n");
    return KIKAN_EXIT_ERROR;
}

static void
print_queue (JsonNode *root)
{
    JsonObject *o = json_node_get_object (root);
    JsonArray *items = json_object_get_array_member (o, "items");
    JsonArray *incomplete = json_object_get_array_member (o, "incomplete_sessions");
    JsonArray *held = json_object_get_array_member (o, "held_sessions");
    JsonArray *incidents = json_object_get_array_member (o, "incidents");

    if (json_array_get_length (items) == 0 && json_array_get_length (incomplete) == 0
        && json_array_get_length (held) == 0 && json_array_get_length (incidents) == 0) {
        printf ("Nothing is waiting for IT.\n");
        return;
    }
    for (guint i = 0; i < json_array_get_length (items); i++) {
        JsonObject *it = json_array_get_object_element (items, i);
        const char *asset = json_object_get_string_member_with_default (it, "asset", NULL);
        const char *as = json_object_get_string_member_with_default (it, "presented_as", NULL);
        g_autofree char *shown = kikan_escape_for_display (asset ? asset : as ? as : "-", -1);
        g_autofree char *emp = kikan_escape_for_display (
            json_object_get_string_member_with_default (it, "employee", ""), -1);
        const char *verdict = json_object_get_string_member_with_default (it, "verdict", NULL);

        printf ("session %" G_GINT64_FORMAT "  item %" G_GINT64_FORMAT "  %-12s %-10s %-12s "
                "%s\n",
                json_object_get_int_member (it, "session_id"),
                json_object_get_int_member (it, "item"), shown, emp,
                verdict ? verdict : "undecided",
                json_object_get_string_member_with_default (it, "state", ""));
    }
    for (guint i = 0; i < json_array_get_length (held); i++) {
        JsonObject *h = json_array_get_object_element (held, i);
        g_autofree char *emp = kikan_escape_for_display (
            json_object_get_string_member_with_default (h, "employee", ""), -1);

        printf ("session %" G_GINT64_FORMAT "  item session  %-10s %-12s its own reasons "
                "(declaration)\n",
                json_object_get_int_member (h, "session_id"), emp,
                json_object_get_string_member_with_default (h, "verdict", ""));
    }
    for (guint i = 0; i < json_array_get_length (incidents); i++) {
        JsonObject *n = json_array_get_object_element (incidents, i);
        g_autofree char *emp = kikan_escape_for_display (
            json_object_get_string_member_with_default (n, "employee", ""), -1);

        printf ("session %" G_GINT64_FORMAT "  incident %s  %-10s %s, opened %s\n",
                json_object_get_int_member (n, "session_id"),
                json_object_get_string_member_with_default (n, "number", ""), emp,
                json_object_get_string_member_with_default (n, "kind", ""),
                json_object_get_string_member_with_default (n, "opened_at", ""));
    }
    for (guint i = 0; i < json_array_get_length (incomplete); i++) {
        JsonObject *s = json_array_get_object_element (incomplete, i);
        g_autofree char *emp = kikan_escape_for_display (
            json_object_get_string_member_with_default (s, "employee", ""), -1);

        printf ("session %" G_GINT64_FORMAT "  INCOMPLETE (interrupted)  %s  started %s\n",
                json_object_get_int_member (s, "session_id"), emp,
                json_object_get_string_member_with_default (s, "started_at", ""));
    }
}

int
kikan_cmd_it (int argc, char **argv)
{
    g_autofree char *reason = NULL;
    g_autofree char *by = NULL;
    g_autofree char *verdict = NULL;
    gboolean json = FALSE;
    g_auto (GStrv) rest = NULL;
    const GOptionEntry entries[] = {
        { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why (mandatory for resolve and override)",
          "TEXT" },
        { "by", 0, 0, G_OPTION_ARG_STRING, &by, "The IT staff member's ID (mandatory)", "ID" },
        { "verdict", 0, 0, G_OPTION_ARG_STRING, &verdict,
          "The verdict to set: cleared, conditional, hold, quarantine, not_returned", "VERDICT" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("list|show|resolve|override … — IT staff's queue and actions");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (JsonNode) root = NULL;
    const char *sub;
    guint n;

    /* IT staff accounts have their own options (cmd-it-account.c). */
    if (argc >= 2 && strcmp (argv[1], "account") == 0)
        return kikan_cmd_it_account (argc - 1, argv + 1);
    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    n = rest != NULL ? g_strv_length (rest) : 0;
    if (n == 0)
        return usage ();
    sub = rest[0];
    if ((store = kikan_store_open (home, &error)) == NULL)
        goto fail;

    if (strcmp (sub, "list") == 0 && n == 1) {
        if ((root = kikan_it_queue_to_json (store, &error)) == NULL)
            goto fail;
        if (json)
            kikan_cli_print_json (root);
        else
            print_queue (root);
        return KIKAN_EXIT_OK;
    }
    if (strcmp (sub, "show") == 0 && n == 2) {
        gint64 sid = kikan_it_find_session (store, rest[1], &error);

        if (sid == 0 || (root = kikan_checkin_session_to_json (store, sid, &error)) == NULL)
            goto fail;
        kikan_cli_print_json (root);
        return KIKAN_EXIT_OK;
    }
    if ((strcmp (sub, "resolve") == 0 || strcmp (sub, "override") == 0) && n == 3) {
        gboolean override = strcmp (sub, "override") == 0;
        g_autofree char *overall = NULL;
        gint64 sid, item;

        /* PROC-01/PROC-02: who and why, always (KR-30). */
        if (by == NULL || g_strstrip (by)[0] == '\0' || reason == NULL
            || g_strstrip (reason)[0] == '\0') {
            fprintf (stderr, "kikan: an IT action needs --by ID and a written --reason TEXT; "
                             "nothing was changed.\n");
            return KIKAN_EXIT_ERROR;
        }
        /* "kiosk" is how the store marks the kiosk's own decisions. */
        if (g_ascii_strcasecmp (by, "kiosk") == 0) {
            fprintf (stderr, "kikan: “kiosk” is not an IT user: give your own ID with --by; "
                             "nothing was changed.\n");
            return KIKAN_EXIT_ERROR;
        }
        if (override && verdict == NULL) {

            fprintf (stderr, "kikan: an override needs --verdict VERDICT; nothing was "
                             "changed.\n");
            return KIKAN_EXIT_ERROR;
        }
        if ((sid = kikan_it_find_session (store, rest[1], &error)) == 0)
            goto fail;
        if ((item = kikan_it_find_item (store, sid, rest[2], &error)) < 0)
            goto fail;
        overall = kikan_it_act (store, sid, item, override, verdict ? verdict : "cleared", by,
                                reason, &error);
        if (overall == NULL)
            goto fail;
        printf ("%s recorded; the session's overall verdict is now %s.\n",
                override ? "Override" : "Resolution", overall);
        return KIKAN_EXIT_OK;
    }
    return usage ();

fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
