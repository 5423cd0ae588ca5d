/* Kikan kiosk: `kikan slip …`, the signed clearance slip (issue #10 item 4;
 * KR-12, KR-27, KR-28, JNSA-2.6; docs/slip.md).
 *
 *   kikan slip issue SESSION [--layout receipt|a4] [--lang ja|en] [--json]
 *   kikan slip reprint NUMBER [--json]             (marked COPY, copy_of set)
 *   kikan slip show NUMBER [--json]
 *   kikan slip verify FILE|PAYLOAD [--public-key HEX | --public-key-file F]
 *                     [--at TIME] [--json]
 *   kikan slip print …                             (cmd-slip-print.c)
 *
 * verify is for the network team: exit 0 a genuine slip within its window
 * whose verdict lets the device reconnect (CLEARED, CONDITIONAL), 3 a
 * genuine one whose verdict does not, 1 invalid, forged or expired, 2 it
 * could not be checked. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "it-actions-private.h"
#include "seal-private.h"
#include "slip-private.h"
#include "store-private.h"

static int
usage (void)
{
    fprintf (stderr,
             "Usage: kikan slip issue SESSION [--layout receipt|a4] [--lang ja|en] [--json]\n"
             "       kikan slip reprint NUMBER [--json]\n"
             "       kikan slip show NUMBER [--json]\n"
             "       kikan slip verify FILE|PAYLOAD [--public-key HEX | --public-key-file FILE] "
             "[--at TIME] [--json]\n"
             "       kikan slip print NUMBER [--queue Q] [--server S] [--json]\n");
    return KIKAN_EXIT_ERROR;
}

static void
print_issued (const KikanSlipIssued *s, gboolean json, gboolean copy)
{
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-slip-issued");
        json_builder_set_member_name (b, "number");
        json_builder_add_string_value (b, s->number);
        kikan_json_add_hostile_string (b, "pdf", s->pdf_path);
        json_builder_set_member_name (b, "pdf_sha256");
        json_builder_add_string_value (b, s->pdf_sha256);
        json_builder_set_member_name (b, "payload");
        json_builder_add_string_value (b, s->payload);
        json_builder_set_member_name (b, "chain_seq");
        json_builder_add_int_value (b, s->chain_seq);
        json_builder_set_member_name (b, "copy");
        json_builder_add_boolean_value (b, copy);
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
        return;
    }
    {
        g_autofree char *pdf = kikan_escape_for_display (s->pdf_path, -1);

        printf ("Slip %s%s issued: %s\nPDF: %s\nCode: %s\n", s->number, copy ? " (COPY)" : "",
                s->verdict ? s->verdict : "undecided", pdf, s->payload);
    }
}

static KikanStore *
open_store (KikanHome *home, GError **error)
{
    return kikan_store_open (home, error);
}

static int
cmd_issue (int argc, char **argv, gboolean reprint)
{
    g_autofree char *layout_s = NULL, *lang_s = NULL;
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "layout", 0, 0, G_OPTION_ARG_STRING, &layout_s,
          "receipt (80 mm, the default) or a4", "LAYOUT" },
        { "lang", 0, 0, G_OPTION_ARG_STRING, &lang_s, "ja (the default) or en", "LANG" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    const GOptionEntry reprint_entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new (
        reprint ? "NUMBER — reprint a slip, marked COPY" : "SESSION — issue a session's slip");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanSlipIssued) s = NULL;
    g_autoptr (KikanSlipConfig) config = NULL;
    g_autofree char *config_path = kikan_home_dup_config_path (home);
    KikanSlipLayout layout;
    KikanSlipLanguage lang;
    gint64 session_id = 0, copy_of = 0;

    g_option_context_add_main_entries (context, reprint ? reprint_entries : entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2)
        return usage ();
    if ((config = kikan_slip_config_load (config_path, &error)) == NULL)
        goto fail;
    layout = config->layout;
    lang = config->language;
    if (layout_s != NULL && !kikan_slip_layout_from_string (layout_s, &layout)) {
        fprintf (stderr, "kikan: --layout is receipt or a4.\n");
        return KIKAN_EXIT_ERROR;
    }
    if (lang_s != NULL && !kikan_slip_language_from_string (lang_s, &lang)) {
        fprintf (stderr, "kikan: --lang is ja or en.\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = open_store (home, &error)) == NULL)
        goto fail;
    if (reprint) {
        g_autoptr (JsonNode) shown = NULL;
        JsonObject *o;

        /* A reprint looks like the slip it copies. */
        if (!kikan_slip_lookup (store, argv[1], &copy_of, &session_id, &error)
            || (shown = kikan_slip_show_json (store, argv[1], &error)) == NULL)
            goto fail;
        o = json_node_get_object (shown);
        (void)kikan_slip_layout_from_string (json_object_get_string_member (o, "layout"), &layout);
        (void)kikan_slip_language_from_string (json_object_get_string_member (o, "language"),
                                               &lang);
    } else if ((session_id = kikan_it_find_session (store, argv[1], &error)) == 0)
        goto fail;
    if ((s = kikan_slip_issue (store, home, session_id, layout, lang, copy_of, &error)) == NULL)
        goto fail;
    print_issued (s, json, reprint);
    return KIKAN_EXIT_OK;
fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}

static int
cmd_show (int argc, char **argv)
{
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("NUMBER — show an issued slip");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (JsonNode) root = NULL;
    JsonObject *o;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2)
        return usage ();
    if ((store = kikan_store_open_readonly (home, &error)) == NULL
        || (root = kikan_slip_show_json (store, argv[1], &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (json) {
        kikan_cli_print_json (root);
        return KIKAN_EXIT_OK;
    }
    o = json_node_get_object (root);
    {
        static const char *const keys[] = { "number", "session", "copy_of", "verdict",
                                            "issued_at", "valid_until", "layout", "language",
                                            "pdf", "pdf_sha256", "payload" };

        for (gsize i = 0; i < G_N_ELEMENTS (keys); i++) {
            const char *v = json_object_get_string_member_with_default (o, keys[i], NULL);
            g_autofree char *shown = kikan_escape_for_display (v ? v : "-", -1);

            printf ("%-12s %s\n", keys[i], shown);
        }
    }
    return KIKAN_EXIT_OK;
}

/* ---- verify ---- */

/* A key file: the hex alone, or the "public_key=HEX" line that `kikan
 * audit init --key-file` writes. */
static gboolean
read_key_file (const char *path, guint8 out[KIKAN_SLIP_PUBLIC_KEY_LEN], GError **error)
{
    g_autofree char *data = NULL;
    g_auto (GStrv) lines = NULL;

    if (!g_file_get_contents (path, &data, NULL, error))
        return FALSE;
    lines = g_strsplit (data, "\n", -1);
    for (gsize i = 0; lines[i] != NULL; i++) {
        const char *l = g_str_has_prefix (lines[i], "public_key=") ? lines[i] + 11 : lines[i];

        if (kikan_audit_parse_public_key (l, out))
            return TRUE;
    }
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                 "%s holds no Ed25519 public key (64 hex digits, alone or as public_key=…).",
                 path);
    return FALSE;
}

static gboolean
parse_time (const char *s, gint64 *out)
{
    g_autoptr (GDateTime) dt = NULL;
    guint64 u;
    g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

    if (g_ascii_string_to_unsigned (s, 10, 0, G_MAXINT64, &u, NULL)) {
        *out = (gint64)u;
        return TRUE;
    }
    if ((dt = g_date_time_new_from_iso8601 (s, utc)) == NULL)
        return FALSE;
    *out = g_date_time_to_unix (dt);
    return TRUE;
}

static char *
utc (gint64 t)
{
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

    return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S UTC") : g_strdup ("?");
}

static int
cmd_verify (int argc, char **argv)
{
    g_autofree char *key_hex = NULL, *key_file = NULL, *at_s = NULL;
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "public-key", 0, 0, G_OPTION_ARG_STRING, &key_hex,
          "The issuing kiosk's Ed25519 public key (hex, from `kikan audit init`)", "HEX" },
        { "public-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
          "A file holding that key", "FILE" },
        { "at", 0, 0, G_OPTION_ARG_STRING, &at_s,
          "Judge the validity window at this time (Unix seconds or ISO 8601; default now)",
          "TIME" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("FILE|PAYLOAD — check a slip's code (network team)");
    g_autoptr (GError) error = NULL;
    g_autofree char *text = NULL, *key_source = NULL, *why = NULL;
    g_autoptr (KikanSlipPayload) p = NULL;
    g_autoptr (GBytes) prot = NULL;
    guint8 pk[KIKAN_SLIP_PUBLIC_KEY_LEN], sig[KIKAN_SLIP_SIGNATURE_LEN];
    gint64 now;
    gboolean sig_ok = FALSE, in_window = FALSE, reconnect = FALSE;

    g_option_context_add_main_entries (context, entries, NULL);
    g_option_context_set_description (context, "Exit status: 0 a genuine slip within its "
                                               "validity window that lets the device reconnect, "
                                               "3 genuine but not cleared (HOLD, QUARANTINE, NOT "
                                               "RETURNED), 1 forged, damaged or expired, 2 it "
                                               "could not be checked.");
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2 || (key_hex != NULL && key_file != NULL))
        return usage ();
    now = kikan_store_now_unix ();
    if (at_s != NULL && !parse_time (at_s, &now)) {
        fprintf (stderr, "kikan: --at takes Unix seconds or an ISO 8601 time "
                         "(2026-12-03T09:00:00Z).\n");
        return KIKAN_EXIT_ERROR;
    }
    if (g_str_has_prefix (argv[1], KIKAN_SLIP_PREFIX))
        text = g_strdup (argv[1]);
    else {
        /* What a barcode scanner wrote into a file. */
        if ((text = kikan_slip_read_code_file (argv[1], &error)) == NULL)
            goto fail;
    }
    if (key_hex != NULL) {
        if (!kikan_audit_parse_public_key (key_hex, pk)) {
            fprintf (stderr, "kikan: --public-key takes 64 hex digits.\n");
            return KIKAN_EXIT_ERROR;
        }
        key_source = g_strdup ("the public key you gave");
    } else if (key_file != NULL) {
        g_autofree char *shown = kikan_escape_for_display (key_file, -1);

        if (!read_key_file (key_file, pk, &error))
            goto fail;
        key_source = g_strdup_printf ("the public key in %s", shown);
    } else {
        g_autoptr (KikanHome) home = kikan_home_new ();
        g_autoptr (KikanStore) store = kikan_store_open_readonly (home, &error);
        g_autofree char *kiosk = NULL;

        if (store == NULL)
            goto fail;
        if (!kikan_audit_identity (store, &kiosk, pk, &error)) {
            if (error == NULL)
                g_set_error (&error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                             "No key to check the slip with: give --public-key HEX (the issuing "
                             "kiosk's, from `kikan audit init`); this machine's store has no "
                             "identity.");
            goto fail;
        }
        {
            g_autofree char *k = kikan_escape_for_display (kiosk, -1);

            key_source = g_strdup_printf ("this machine's own kiosk key (kiosk %s, from the store "
                                          "in %s; give --public-key to check against the key you "
                                          "hold)",
                                          k, kikan_home_get_path (home));
        }
    }

    p = kikan_slip_payload_decode (text, strlen (text), &prot, sig, &error);
    if (p == NULL) {
        why = g_strdup (error->message);
        g_clear_error (&error);
    } else if (!(sig_ok = kikan_slip_signature_ok (prot, sig, pk)))
        why = g_strdup_printf ("FORGED OR CHANGED: the signature does not match %s. Do not "
                               "reconnect the device; call the security desk.",
                               key_source);
    else if (now < p->issued_at - 300)
        why = g_strdup ("NOT YET VALID: the slip was issued after the time it is checked at "
                        "(check this machine's clock, or --at).");
    else if (now > p->valid_until) {
        g_autofree char *until = utc (p->valid_until);

        why = g_strdup_printf ("EXPIRED: the slip was valid until %s. The employee must check in "
                               "at the kiosk again.",
                               until);
    } else
        in_window = TRUE;
    /* At the LAN port "exit 0" must mean "may reconnect": a genuine slip
     * whose verdict is HOLD, QUARANTINE or NOT RETURNED is exit 3, so that
     * a script `kikan slip verify "$code" && reconnect` fails closed. */
    reconnect = in_window
                && (p->verdict == KIKAN_SLIP_CLEARED || p->verdict == KIKAN_SLIP_CONDITIONAL);

    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-slip-verify");
        json_builder_set_member_name (b, "valid");
        json_builder_add_boolean_value (b, in_window);
        json_builder_set_member_name (b, "signature_valid");
        json_builder_add_boolean_value (b, sig_ok);
        json_builder_set_member_name (b, "reconnect_allowed");
        json_builder_add_boolean_value (b, reconnect);
        kikan_json_add_hostile_string (b, "why", why);
        kikan_json_add_hostile_string (b, "key", key_source);
        if (p != NULL) {
            g_autofree char *uuid = kikan_slip_uuid_format (p->session);
            g_autofree char *head = g_malloc (2 * KIKAN_SLIP_HEAD_LEN + 1);

            sodium_bin2hex (head, 2 * KIKAN_SLIP_HEAD_LEN + 1, p->chain_head,
                            KIKAN_SLIP_HEAD_LEN);
            kikan_json_add_hostile_string (b, "number", p->number);
            kikan_json_add_hostile_string (b, "kiosk", p->kiosk_id);
            kikan_json_add_hostile_string (b, "session", uuid);
            kikan_json_add_hostile_string (b, "employee", p->employee_id);
            json_builder_set_member_name (b, "issued_at");
            json_builder_add_int_value (b, p->issued_at);
            json_builder_set_member_name (b, "valid_until");
            json_builder_add_int_value (b, p->valid_until);
            json_builder_set_member_name (b, "clock_verified");
            json_builder_add_boolean_value (b, p->clock_verified);
            json_builder_set_member_name (b, "verdict");
            json_builder_add_string_value (b, kikan_slip_verdict_to_string (p->verdict));
            json_builder_set_member_name (b, "copy");
            json_builder_add_boolean_value (b, p->copy);
            json_builder_set_member_name (b, "chain_seq");
            json_builder_add_int_value (b, p->chain_seq);
            json_builder_set_member_name (b, "chain_head");
            json_builder_add_string_value (b, head);
            if (p->monitor_until > 0) {
                json_builder_set_member_name (b, "monitor_until");
                json_builder_add_int_value (b, p->monitor_until);
            }
            json_builder_set_member_name (b, "items");
            json_builder_begin_array (b);
            for (guint i = 0; i < p->items->len; i++) {
                KikanSlipPayloadItem *it = p->items->pdata[i];

                json_builder_begin_object (b);
                kikan_json_add_hostile_string (b, "asset", it->asset);
                json_builder_set_member_name (b, "verdict");
                json_builder_add_string_value (b, kikan_slip_verdict_to_string (it->verdict));
                json_builder_set_member_name (b, "reasons");
                json_builder_begin_array (b);
                for (guint k = 0; k < it->codes->len; k++)
                    json_builder_add_string_value (b, it->codes->pdata[k]);
                json_builder_end_array (b);
                json_builder_end_object (b);
            }
            json_builder_end_array (b);
        }
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
    } else {
        if (p != NULL && sig_ok) {
            g_autofree char *num = kikan_escape_for_display (p->number, -1);
            g_autofree char *kiosk = kikan_escape_for_display (p->kiosk_id, -1);
            g_autofree char *emp = kikan_escape_for_display (p->employee_id, -1);
            g_autofree char *issued = utc (p->issued_at), *until = utc (p->valid_until);
            g_autofree char *uuid = kikan_slip_uuid_format (p->session);
            g_autofree char *overall = g_ascii_strup (kikan_slip_verdict_to_string (p->verdict), -1);

            printf ("Slip %s of kiosk %s%s\n", num, kiosk, p->copy ? " (a COPY: reprint)" : "");
            printf ("Signature: valid, checked with %s.\n", key_source);
            printf ("Issued %s%s; valid for reconnection until %s.\n", issued,
                    p->clock_verified ? "" : " (kiosk clock, not confirmed by IT)", until);
            printf ("Employee %s, session %s\n", emp, uuid);
            printf ("Overall: %s\n", overall);
            for (guint i = 0; i < p->items->len; i++) {
                KikanSlipPayloadItem *it = p->items->pdata[i];
                g_autofree char *asset = kikan_escape_for_display (it->asset, -1);
                g_autofree char *v = g_ascii_strup (kikan_slip_verdict_to_string (it->verdict), -1);
                g_autofree char *codes = NULL;

                g_ptr_array_add (it->codes, NULL);
                codes = g_strjoinv (" ", (char **)it->codes->pdata);
                g_ptr_array_remove_index (it->codes, it->codes->len - 1);
                printf ("  %-14s %-13s %s\n", asset, v, codes);
            }
            if (p->monitor_until > 0) {
                g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (p->monitor_until);
                g_autofree char *ds = g_date_time_format (d, "%Y-%m-%d");

                printf ("Enhanced network monitoring until %s (PROC-03, JNSA-2.6).\n", ds);
            }
        }
        if (why != NULL)
            printf ("INVALID: %s\n", why);
        else if (!reconnect)
            printf ("GENUINE, but NOT CLEARED: the verdict does not allow reconnection. Send the "
                    "employee to IT.\n");
        else
            printf ("VALID: genuine, within its validity window, and the device may reconnect"
                    "%s.\n",
                    p->verdict == KIKAN_SLIP_CONDITIONAL ? " under the conditions above" : "");
    }
    if (!in_window)
        return KIKAN_EXIT_INFECTED; /* 1: forged, damaged or expired */
    if (!reconnect)
        return KIKAN_EXIT_STALE; /* 3: genuine, not cleared for reconnection */
    return KIKAN_EXIT_OK;
fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}

int
kikan_cmd_slip (int argc, char **argv)
{
    if (argc < 2)
        return usage ();
    if (strcmp (argv[1], "issue") == 0)
        return cmd_issue (argc - 1, argv + 1, FALSE);
    if (strcmp (argv[1], "reprint") == 0)
        return cmd_issue (argc - 1, argv + 1, TRUE);
    if (strcmp (argv[1], "show") == 0)
        return cmd_show (argc - 1, argv + 1);
    if (strcmp (argv[1], "verify") == 0)
        return cmd_verify (argc - 1, argv + 1);
    if (strcmp (argv[1], "print") == 0)
        return kikan_cmd_slip_print (argc - 1, argv + 1); /* cmd-slip-print.c */
    return usage ();
}
