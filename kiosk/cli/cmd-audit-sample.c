/* Kikan kiosk: `kikan audit sample`, `attest` and `samples`: reproducible
 * samples of check-ins for log review and the reviewers' attestations
 * (issue #10 item 3; KR-33, JNSA-2.5, Admin J-9; docs/audit.md
 * "Sampling for review (KR-33)"). */
#include <stdio.h>
#include <string.h>

#include "audit-sample-private.h"
#include "cli-private.h"
#include "cmd-audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

int
kikan_cmd_audit_sample (int argc, char **argv)
{
    KikanCliAuditFilterArgs args = { 0 };
    gint64 size = 0;
    g_autofree char *seed_hex = NULL;
    g_autofree char *by = NULL;
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "size", 0, 0, G_OPTION_ARG_INT64, &size, "How many check-ins to draw", "N" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_hex,
          "The seed, hex (default: a random 128-bit seed, printed)", "HEX" },
        { "by", 0, 0, G_OPTION_ARG_STRING, &by, "Who draws the sample (mandatory)", "REVIEWER" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— draw check-ins for review");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanAuditFilter) f = NULL;
    g_autoptr (KikanAuditSample) s = NULL;
    guint8 seed[KIKAN_AUDIT_SEED_MAX];
    gsize seed_len = 0;
    int rc = KIKAN_EXIT_ERROR;

    g_option_context_add_main_entries (context, entries, NULL);
    kikan_cli_audit_filter_add_entries (context, &args);
    if (!kikan_cli_parse (context, &argc, &argv))
        goto out;
    if (argc != 1 || size <= 0 || by == NULL) {
        fprintf (stderr, "Usage: kikan audit sample --size N --by REVIEWER [--seed HEX] "
                         "[filters] [--json]   (N: 1 or more)\n");
        goto out;
    }
    if (seed_hex != NULL && !kikan_audit_seed_parse (seed_hex, seed, &seed_len)) {
        fprintf (stderr, "kikan: --seed must be 2 to %d hex digits, an even number of them.\n",
                 2 * KIKAN_AUDIT_SEED_MAX);
        goto out;
    }
    if ((f = kikan_cli_audit_filter_build (&args)) == NULL)
        goto out;
    if ((store = kikan_store_open (home, &error)) == NULL
        || (s = kikan_audit_sample (store, f, (gsize)size, seed_hex != NULL ? seed : NULL,
                                    seed_len, by, &error))
               == NULL) {
        kikan_cli_print_error (error);
        goto out;
    }
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-audit-sample");
        json_builder_set_member_name (b, "id");
        json_builder_add_int_value (b, s->id);
        json_builder_set_member_name (b, "seed");
        json_builder_add_string_value (b, s->seed_hex);
        json_builder_set_member_name (b, "population");
        json_builder_add_int_value (b, s->population_size);
        json_builder_set_member_name (b, "selection");
        json_builder_begin_array (b);
        for (guint i = 0; i < s->selection->len; i++)
            json_builder_add_int_value (b, g_array_index (s->selection, gint64, i));
        json_builder_end_array (b);
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
    } else {
        printf ("Sample %" G_GINT64_FORMAT ": %u of %" G_GINT64_FORMAT " check-ins, seed %s\n",
                s->id, s->selection->len, s->population_size, s->seed_hex);
        printf ("Check-ins to review, in draw order:");
        for (guint i = 0; i < s->selection->len; i++)
            printf (" %" G_GINT64_FORMAT, g_array_index (s->selection, gint64, i));
        printf ("\nAnyone can draw it again with --seed %s and the same filters. When reviewed: "
                "kikan audit attest %" G_GINT64_FORMAT " --by REVIEWER --statement TEXT\n",
                s->seed_hex, s->id);
    }
    rc = KIKAN_EXIT_OK;
out:
    kikan_cli_audit_filter_args_clear (&args);
    return rc;
}

int
kikan_cmd_audit_attest (int argc, char **argv)
{
    g_autofree char *by = NULL;
    g_autofree char *statement = NULL;
    const GOptionEntry entries[] = {
        { "by", 0, 0, G_OPTION_ARG_STRING, &by, "The reviewer (mandatory)", "REVIEWER" },
        { "statement", 0, 0, G_OPTION_ARG_STRING, &statement,
          "What the review found (mandatory)", "TEXT" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("SAMPLE_ID — attest a review");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    char *end = NULL;
    gint64 sample, id = 0;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2 || by == NULL || statement == NULL || !g_ascii_isdigit (argv[1][0])
        || (sample = g_ascii_strtoll (argv[1], &end, 10)) <= 0 || *end != '\0') {
        fprintf (stderr, "Usage: kikan audit attest SAMPLE_ID --by REVIEWER --statement TEXT\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open (home, &error)) == NULL
        || !kikan_audit_attest (store, sample, by, statement, &id, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    printf ("Attestation %" G_GINT64_FORMAT " of sample %" G_GINT64_FORMAT
            " recorded in the audit trail.\n",
            id, sample);
    return KIKAN_EXIT_OK;
}

int
kikan_cmd_audit_samples (int argc, char **argv)
{
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— review samples");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (JsonNode) root = NULL;
    JsonArray *samples;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 1) {
        fprintf (stderr, "Usage: kikan audit samples [--json]\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open_readonly (home, &error)) == NULL
        || (root = kikan_audit_samples_to_json (store, &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (json) {
        kikan_cli_print_json (root);
        return KIKAN_EXIT_OK;
    }
    samples = json_object_get_array_member (json_node_get_object (root), "samples");
    if (json_array_get_length (samples) == 0)
        printf ("No sample was drawn yet (kikan audit sample --size N --by REVIEWER).\n");
    for (guint i = 0; i < json_array_get_length (samples); i++) {
        JsonObject *s = json_array_get_object_element (samples, i);
        JsonArray *att = json_object_get_array_member (s, "attestations");
        g_autofree char *by
            = kikan_escape_for_display (json_object_get_string_member (s, "drawn_by"), -1);
        g_autofree char *at
            = kikan_escape_for_display (json_object_get_string_member (s, "drawn_at"), -1);
        g_autofree char *seed
            = kikan_escape_for_display (json_object_get_string_member (s, "seed"), -1);
        g_autofree char *sel_text
            = json_to_string (json_object_get_member (s, "selection"), FALSE);
        g_autofree char *sel = kikan_escape_for_display (sel_text, -1);

        printf ("Sample %" G_GINT64_FORMAT "  drawn %s by %s  seed %s  check-ins %s\n",
                json_object_get_int_member (s, "id"), at, by, seed, sel);
        if (json_array_get_length (att) == 0)
            printf ("    not attested yet\n");
        for (guint j = 0; j < json_array_get_length (att); j++) {
            JsonObject *a = json_array_get_object_element (att, j);
            g_autofree char *who
                = kikan_escape_for_display (json_object_get_string_member (a, "reviewer"), -1);
            g_autofree char *when
                = kikan_escape_for_display (json_object_get_string_member (a, "at"), -1);
            g_autofree char *what
                = kikan_escape_for_display (json_object_get_string_member (a, "statement"), -1);

            printf ("    attested %s by %s: %s\n", when, who, what);
        }
    }
    return KIKAN_EXIT_OK;
}
