/* Kikan kiosk: `kikan audit list [filters] [--json]` and `kikan audit show
 * SEQ [--json]` (issue #10 item 3; KR-31, Admin J-8): the records, every
 * field escaped.  The filters are kiosk/audit/audit-query.c's, shared with
 * export, sample and the auditor view. */
#include <stdio.h>
#include <string.h>

#include "audit-private.h"
#include "cli-private.h"
#include "cmd-audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

void
kikan_cli_audit_filter_add_entries (GOptionContext *context, KikanCliAuditFilterArgs *a)
{
    const GOptionEntry entries[] = {
        { "since", 0, 0, G_OPTION_ARG_STRING, &a->since,
          "Records from this date or ISO time on (UTC)", "WHEN" },
        { "until", 0, 0, G_OPTION_ARG_STRING, &a->until,
          "Records up to this date (its whole day) or ISO time (UTC)", "WHEN" },
        { "employee", 0, 0, G_OPTION_ARG_STRING, &a->employee,
          "Records of this employee's check-ins, or naming the employee", "ID" },
        { "asset", 0, 0, G_OPTION_ARG_STRING, &a->asset,
          "Records of check-ins holding this asset, or naming it", "ID" },
        { "verdict", 0, 0, G_OPTION_ARG_STRING, &a->verdict,
          "Records of check-ins whose verdict in force is LEVEL", "LEVEL" },
        { "kind", 0, 0, G_OPTION_ARG_STRING, &a->kind, "Records of this kind", "KIND" },
        { "session", 0, 0, G_OPTION_ARG_INT64, &a->session, "Records of check-in N", "N" },
        { NULL },
    };

    g_option_context_add_main_entries (context, entries, NULL);
}

KikanAuditFilter *
kikan_cli_audit_filter_build (KikanCliAuditFilterArgs *a)
{
    g_autoptr (KikanAuditFilter) f = kikan_audit_filter_new ();
    g_autoptr (GError) error = NULL;

    if ((a->since != NULL && !kikan_audit_filter_set_since (f, a->since, &error))
        || (a->until != NULL && !kikan_audit_filter_set_until (f, a->until, &error))
        || (a->verdict != NULL && !kikan_audit_filter_set_verdict (f, a->verdict, &error))
        || !kikan_audit_filter_set_text (f, "employee", a->employee, &error)
        || !kikan_audit_filter_set_text (f, "asset", a->asset, &error)
        || !kikan_audit_filter_set_text (f, "kind", a->kind, &error)) {
        kikan_cli_print_error (error);
        return NULL;
    }
    if (a->session < 0) {
        fprintf (stderr, "kikan: --session must be a check-in number (1, 2, …).\n");
        return NULL;
    }
    f->session_id = a->session;
    if (f->since != NULL && f->until != NULL && strcmp (f->since, f->until) >= 0) {
        fprintf (stderr, "kikan: --since is not before --until: nothing could match.\n");
        return NULL;
    }
    return g_steal_pointer (&f);
}

void
kikan_cli_audit_filter_args_clear (KikanCliAuditFilterArgs *a)
{
    g_clear_pointer (&a->since, g_free);
    g_clear_pointer (&a->until, g_free);
    g_clear_pointer (&a->employee, g_free);
    g_clear_pointer (&a->asset, g_free);
    g_clear_pointer (&a->verdict, g_free);
    g_clear_pointer (&a->kind, g_free);
}

static void
print_row_line (const KikanAuditRow *r)
{
    /* Every field comes from the store, which whoever holds the file can
     * write: all of them are escaped. */
    g_autofree char *payload = kikan_escape_for_display (r->payload, -1);
    g_autofree char *at = kikan_escape_for_display (r->at, -1);
    g_autofree char *kind = kikan_escape_for_display (r->kind, -1);
    g_autofree char *session = r->session_id > 0
                                   ? g_strdup_printf ("%" G_GINT64_FORMAT, r->session_id)
                                   : g_strdup ("-");

    printf ("%6" G_GINT64_FORMAT "  %s  %-18s session %-6s %s\n", r->seq, at, kind, session,
            payload);
}

typedef struct {
    gboolean json;
    JsonArray *records;
} ListState;

static gboolean
list_one (const KikanAuditRow *row, gpointer user_data, GError **error)
{
    ListState *s = user_data;

    (void)error;
    if (s->json) {
        JsonNode *n = kikan_audit_row_to_json (row);
        JsonObject *o = json_node_get_object (n);
        g_autoptr (JsonParser) p = json_parser_new ();

        /* The listing shows the payload as JSON (the export keeps the
         * hashed text). */
        if (row->payload != NULL && json_parser_load_from_data (p, row->payload, -1, NULL)
            && json_parser_get_root (p) != NULL)
            json_object_set_member (o, "payload", json_node_copy (json_parser_get_root (p)));
        json_array_add_element (s->records, n);
    } else {
        print_row_line (row);
    }
    return TRUE;
}

int
kikan_cmd_audit_list (int argc, char **argv)
{
    KikanCliAuditFilterArgs args = { 0 };
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— the audit records");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanAuditFilter) f = NULL;
    g_autoptr (JsonArray) records = json_array_new ();
    ListState s = { FALSE, records };
    int rc = KIKAN_EXIT_ERROR;

    g_option_context_add_main_entries (context, entries, NULL);
    kikan_cli_audit_filter_add_entries (context, &args);
    if (!kikan_cli_parse (context, &argc, &argv))
        goto out;
    if (argc != 1) {
        fprintf (stderr, "Usage: kikan audit list [--json] [--since WHEN] [--until WHEN] "
                         "[--employee ID] [--asset ID] [--verdict LEVEL] [--kind KIND] "
                         "[--session N]\n");
        goto out;
    }
    if ((f = kikan_cli_audit_filter_build (&args)) == NULL)
        goto out;
    s.json = json;
    if ((store = kikan_store_open_readonly (home, &error)) == NULL
        || !kikan_audit_query_foreach (store, f, list_one, &s, NULL, &error)) {
        kikan_cli_print_error (error);
        goto out;
    }
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-audit");
        json_builder_set_member_name (b, "filters");
        json_builder_add_value (b, kikan_audit_filter_to_json (f));
        json_builder_set_member_name (b, "records");
        json_builder_add_value (b, json_node_init_array (json_node_alloc (), records));
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
    }
    rc = KIKAN_EXIT_OK;
out:
    kikan_cli_audit_filter_args_clear (&args);
    return rc;
}

int
kikan_cmd_audit_show (int argc, char **argv)
{
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("SEQ — one audit record, whole");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    KikanAuditRow r = { 0 };
    char *end = NULL;
    gint64 seq;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2 || !g_ascii_isdigit (argv[1][0])
        || (seq = g_ascii_strtoll (argv[1], &end, 10)) <= 0 || *end != '\0') {
        fprintf (stderr, "Usage: kikan audit show SEQ [--json]   (SEQ: a record number, 1, 2, …)\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open_readonly (home, &error)) == NULL
        || !kikan_audit_query_get (store, seq, &r, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (json) {
        g_autoptr (JsonNode) n = kikan_audit_row_to_json (&r);

        kikan_cli_print_json (n);
    } else {
        const struct {
            const char *name, *value;
        } f[] = {
            { "at", r.at },          { "kind", r.kind },   { "payload", r.payload },
            { "prev_hash", r.prev_hash }, { "hash", r.hash }, { "mac", r.mac },
        };

        printf ("record     %" G_GINT64_FORMAT "\n", r.seq);
        if (r.session_id > 0)
            printf ("session    %" G_GINT64_FORMAT "\n", r.session_id);
        else
            printf ("session    -\n");
        for (gsize i = 0; i < G_N_ELEMENTS (f); i++) {
            g_autofree char *v = f[i].value != NULL ? kikan_escape_for_display (f[i].value, -1)
                                                    : g_strdup ("- (written before `kikan audit init`)");

            printf ("%-10s %s\n", f[i].name, v);
        }
    }
    kikan_audit_row_clear (&r);
    return KIKAN_EXIT_OK;
}
