/* Kikan kiosk: `kikan audit status [--json]`: will the store's disk hold
 * the trail for another year? (issue #10 item 3; KR-32, Admin J-6;
 * docs/audit.md "Retention (KR-32)").  Exit 0, or 3 with a WARNING line
 * when free space is under [audit] min_free_mb or the projection is under
 * 365 days. */
#include <stdio.h>

#include "audit-capacity-private.h"
#include "cli-private.h"
#include "cmd-audit-private.h"
#include "escape-private.h"
#include "format-private.h"
#include "store-private.h"

static char *
mb (guint64 bytes)
{
    return g_strdup_printf ("%.1f MB", (double)bytes / (1024.0 * 1024.0));
}

int
kikan_cmd_audit_status (int argc, char **argv)
{
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— the trail's size and room");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autofree char *conf = kikan_home_dup_config_path (home);
    guint64 min_free_mb;
    KikanAuditCapacity c;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 1) {
        fprintf (stderr, "Usage: kikan audit status [--json]\n");
        return KIKAN_EXIT_ERROR;
    }
    if (!kikan_audit_capacity_load_min_free_mb (conf, &min_free_mb, &error)
        || (store = kikan_store_open_readonly (home, &error)) == NULL
        || !kikan_audit_capacity (store, min_free_mb, &c, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-audit-status");
        json_builder_set_member_name (b, "records");
        json_builder_add_int_value (b, c.records);
        kikan_json_add_hostile_string (b, "oldest", c.oldest);
        kikan_json_add_hostile_string (b, "newest", c.newest);
        json_builder_set_member_name (b, "span_days");
        json_builder_add_double_value (b, c.span_days);
        json_builder_set_member_name (b, "store_bytes");
        json_builder_add_int_value (b, (gint64)c.store_bytes);
        json_builder_set_member_name (b, "archive_bytes");
        json_builder_add_int_value (b, (gint64)c.archive_bytes);
        json_builder_set_member_name (b, "free_bytes");
        json_builder_add_int_value (b, (gint64)c.free_bytes);
        json_builder_set_member_name (b, "min_free_bytes");
        json_builder_add_int_value (b, (gint64)c.min_free_bytes);
        json_builder_set_member_name (b, "bytes_per_day");
        json_builder_add_double_value (b, c.bytes_per_day);
        json_builder_set_member_name (b, "days_until_full");
        if (c.days_until_full >= 0)
            json_builder_add_double_value (b, c.days_until_full);
        else
            json_builder_add_null_value (b);
        json_builder_set_member_name (b, "warning");
        if (c.warning)
            json_builder_add_string_value (b, c.warning_text);
        else
            json_builder_add_null_value (b);
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
    } else {
        g_autofree char *oldest = kikan_escape_for_display (c.oldest != NULL ? c.oldest : "-", -1);
        g_autofree char *newest = kikan_escape_for_display (c.newest != NULL ? c.newest : "-", -1);
        g_autofree char *span = kikan_format_age_days (c.span_days);
        g_autofree char *size = mb (c.store_bytes);
        g_autofree char *archive = mb (c.archive_bytes);
        g_autofree char *free_ = mb (c.free_bytes);
        g_autofree char *per_day = mb ((guint64)c.bytes_per_day);

        printf ("records          %" G_GINT64_FORMAT "\n", c.records);
        printf ("oldest record    %s\n", oldest);
        printf ("newest record    %s\n", newest);
        printf ("span             %s\n", span);
        printf ("store size       %s\n", size);
        printf ("slip archive     %s\n", archive);
        printf ("free space       %s (warning under %" G_GUINT64_FORMAT " MB, [audit] "
                "min_free_mb)\n",
                free_, min_free_mb);
        printf ("growth           %s a day\n", per_day);
        if (c.days_until_full >= 0)
            printf ("full in          %.0f days at that growth\n", c.days_until_full);
        else
            printf ("full in          unknown (no records yet)\n");
        printf ("Nothing in Kikan deletes audit records: they are kept as long as the disk "
                "holds them.\n");
        if (c.warning)
            printf ("WARNING: %s.\n", c.warning_text);
    }
    {
        gboolean warn = c.warning;

        kikan_audit_capacity_clear (&c);
        return warn ? KIKAN_EXIT_STALE : KIKAN_EXIT_OK;
    }
}
