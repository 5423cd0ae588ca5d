/* Kikan kiosk: printing an issued clearance slip and recording how it went
 * (issue #10 item 6; KR-27; docs/printing.md).  See slip-print-private.h. */
#include "slip-print-private.h"

#include <string.h>

#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"

void
kikan_slip_print_outcome_free (KikanSlipPrintOutcome *self)
{
    if (self == NULL)
        return;
    g_free (self->slip_number);
    g_free (self->queue);
    g_free (self->message);
    g_free (self->pdf_path);
    g_free (self);
}

const char *
kikan_slip_print_outcome_name (KikanSlipPrintOutcomeKind kind)
{
    switch (kind) {
    case KIKAN_SLIP_PRINT_PRINTED: return "printed";
    case KIKAN_SLIP_PRINT_NO_PRINTER: return "no_printer";
    case KIKAN_SLIP_PRINT_FAILED: break;
    }
    return "failed";
}

typedef struct {
    gint64 id;
    gint64 session_id;
    gboolean is_copy;
    char *pdf_path;
    char *pdf_sha256;
} SlipRow;

static void
slip_row_clear (SlipRow *r)
{
    g_free (r->pdf_path);
    g_free (r->pdf_sha256);
}

static gboolean
read_slip (KikanStore *store, const char *number, SlipRow *row, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT id, session_id, copy_of IS NOT NULL, pdf_path, pdf_sha256 FROM slips "
        "WHERE number = ?",
        error);
    int rc;

    if (st == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, number);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        row->id = sqlite3_column_int64 (st, 0);
        row->session_id = sqlite3_column_int64 (st, 1);
        row->is_copy = sqlite3_column_int (st, 2) != 0;
        row->pdf_path = kikan_store_column_dup (st, 3);
        row->pdf_sha256 = kikan_store_column_dup (st, 4);
    }
    sqlite3_finalize (st);
    if (rc == SQLITE_ROW)
        return TRUE;
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "The slip could not be read", error);
    {
        g_autofree char *shown = kikan_escape_for_display (number, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                     "There is no slip numbered %s on this kiosk. Check the number printed on "
                     "the slip (or shown at the end of the check-in).",
                     shown);
    }
    return FALSE;
}

/* A path the store gives for a file under the home: relative, without
 * "." or ".." components (the store may have been edited). */
static gboolean
pdf_path_acceptable (const char *p)
{
    g_auto (GStrv) parts = NULL;

    if (p == NULL || p[0] == '\0' || p[0] == '/' || strlen (p) > 4096)
        return FALSE;
    parts = g_strsplit (p, "/", -1);
    for (gsize i = 0; parts[i] != NULL; i++)
        if (parts[i][0] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
            return FALSE;
    return TRUE;
}

/* The archived PDF, when it is the one that was issued; else NULL and
 * *why says what is wrong with it (escaped). */
static GBytes *
verified_pdf (KikanHome *home, const SlipRow *row, char **abs_path, char **why)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (GBytes) pdf = NULL;
    g_autofree char *found = NULL;
    g_autofree char *shown = NULL;

    if (!pdf_path_acceptable (row->pdf_path)) {
        g_autofree char *p = kikan_escape_for_display (row->pdf_path != NULL ? row->pdf_path
                                                                             : "", -1);

        *abs_path = g_strdup ("");
        *why = g_strdup_printf ("its recorded PDF path “%s” does not name a file inside the "
                                "Kikan state directory", p);
        return NULL;
    }
    *abs_path = g_build_filename (kikan_home_get_path (home), row->pdf_path, NULL);
    shown = kikan_escape_for_display (*abs_path, -1);
    if ((pdf = kikan_print_read_file (*abs_path, KIKAN_PRINT_MAX_PDF_BYTES, &local)) == NULL) {
        *why = g_strdup_printf ("its archived PDF cannot be read (%s)", local->message);
        return NULL;
    }
    found = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, pdf);
    if (row->pdf_sha256 == NULL || g_ascii_strcasecmp (found, row->pdf_sha256) != 0) {
        g_autofree char *expected = kikan_escape_for_display (
            row->pdf_sha256 != NULL ? row->pdf_sha256 : "", -1);

        *why = g_strdup_printf ("its archived PDF %s changed after the slip was issued "
                                "(SHA-256 %s, issued as %s)",
                                shown, found, expected);
        return NULL;
    }
    return g_steal_pointer (&pdf);
}

static gboolean
record (KikanStore *store, const SlipRow *row, KikanSlipPrintOutcome *o, GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) payload = NULL;
    sqlite3_stmt *st;

    if (!kikan_store_begin (store, error))
        return FALSE;
    st = kikan_store_prepare (store,
                              "INSERT INTO slip_prints (slip_id, at, queue, job_id, outcome, "
                              "message) VALUES (?, ?, ?, ?, ?, ?)",
                              error);
    if (st == NULL)
        goto fail;
    sqlite3_bind_int64 (st, 1, row->id);
    kikan_store_bind_text (st, 2, now);
    kikan_store_bind_text (st, 3, o->queue);
    if (o->job_id > 0)
        sqlite3_bind_int64 (st, 4, o->job_id);
    else
        sqlite3_bind_null (st, 4);
    kikan_store_bind_text (st, 5, kikan_slip_print_outcome_name (o->kind));
    kikan_store_bind_text (st, 6, o->message);
    if (!kikan_store_step_done (store, st, "The print of the slip could not be recorded", error))
        goto fail;
    o->print_id = sqlite3_last_insert_rowid (kikan_store_get_db (store));

    json_builder_begin_object (b);
    kikan_json_add_hostile_string (b, "slip", o->slip_number);
    json_builder_set_member_name (b, "slip_id");
    json_builder_add_int_value (b, row->id);
    json_builder_set_member_name (b, "print_id");
    json_builder_add_int_value (b, o->print_id);
    json_builder_set_member_name (b, "outcome");
    json_builder_add_string_value (b, kikan_slip_print_outcome_name (o->kind));
    kikan_json_add_hostile_string (b, "queue", o->queue);
    json_builder_set_member_name (b, "job_id");
    if (o->job_id > 0)
        json_builder_add_int_value (b, o->job_id);
    else
        json_builder_add_null_value (b);
    kikan_json_add_hostile_string (b, "pdf_sha256", row->pdf_sha256);
    json_builder_set_member_name (b, "pdf_changed");
    json_builder_add_boolean_value (b, o->pdf_changed);
    kikan_json_add_hostile_string (b, "message", o->message);
    json_builder_end_object (b);
    payload = json_builder_get_root (b);
    if (!kikan_audit_append (store, "slip_print", row->session_id, payload, error))
        goto fail;
    if (!kikan_store_commit (store, error))
        goto fail;
    return TRUE;

fail:
    kikan_store_rollback (store);
    return FALSE;
}

gboolean
kikan_slip_print_recorded (KikanStore *store, KikanHome *home, const char *slip_number,
                           const KikanPrintSettings *settings, KikanSlipPrintOutcome **outcome,
                           GError **error)
{
    g_autoptr (KikanPrintSettings) loaded = NULL;
    g_autoptr (KikanSlipPrintOutcome) o = g_new0 (KikanSlipPrintOutcome, 1);
    g_autoptr (GBytes) pdf = NULL;
    g_autofree char *number = NULL;
    g_autofree char *why = NULL;
    g_autofree char *abs_path = NULL;
    g_autofree char *path_shown = NULL;
    g_autofree char *reprint = NULL;
    SlipRow row = { 0 };
    gboolean ok = FALSE;

    g_return_val_if_fail (store != NULL && home != NULL && slip_number != NULL, FALSE);
    g_return_val_if_fail (outcome != NULL && *outcome == NULL, FALSE);

    if (settings == NULL) {
        g_autofree char *conf = kikan_home_dup_config_path (home);

        if ((loaded = kikan_print_settings_load (conf, error)) == NULL)
            return FALSE;
        settings = loaded;
    }
    if (!read_slip (store, slip_number, &row, error))
        goto out;
    number = kikan_escape_for_display (slip_number, -1);
    o->slip_number = g_strdup (slip_number);
    o->slip_id = row.id;
    o->session_id = row.session_id;
    o->queue = g_strdup (settings->queue);
    reprint = g_strdup_printf ("print it again with “kikan slip print %s”", number);

    pdf = verified_pdf (home, &row, &abs_path, &why);
    o->pdf_path = g_strdup (abs_path);
    path_shown = kikan_escape_for_display (abs_path, -1);
    if (pdf == NULL) {
        /* Never print, nor offer to reprint, what is not the issued slip. */
        o->kind = KIKAN_SLIP_PRINT_FAILED;
        o->pdf_changed = TRUE;
        o->message = g_strdup_printf (
            "Slip %s was NOT printed: %s. Do not hand out any copy of this file. Tell IT: "
            "check the audit trail (kikan audit verify), then issue a new slip for the "
            "check-in.",
            number, why);
    } else if (settings->queue == NULL) {
        o->kind = KIKAN_SLIP_PRINT_NO_PRINTER;
        o->message = g_strdup_printf (
            "No printer is set up on this kiosk ([print] queue in kikan.conf), so slip %s was "
            "not printed. It is archived at %s and stays valid: once a printer is set up, %s.",
            number, path_shown, reprint);
    } else {
        g_autoptr (GError) perr = NULL;
        g_autofree char *title = g_strdup_printf ("Kikan slip %s%s", slip_number,
                                                  row.is_copy ? " (copy)" : "");
        gsize len = 0;
        const guint8 *data = g_bytes_get_data (pdf, &len);

        if (kikan_print_pdf_data (settings->server, settings->queue,
                                  data != NULL ? data : (const guint8 *)"", len, title, 1,
                                  settings->timeout_s, &o->job_id, &perr)) {
            o->kind = KIKAN_SLIP_PRINT_PRINTED;
            o->message = g_strdup_printf ("Slip %s was printed on the printer '%s' (job %"
                                          G_GINT64_FORMAT ").",
                                          number, settings->queue, o->job_id);
        } else {
            o->kind = KIKAN_SLIP_PRINT_FAILED;
            o->message = g_strdup_printf ("Slip %s was not printed. %s The slip is archived "
                                          "at %s and stays valid: once the printer works, %s.",
                                          number, perr->message, path_shown, reprint);
        }
    }
    if (!record (store, &row, o, error)) {
        g_prefix_error (error, "%s But this attempt could not be recorded: ", o->message);
        *outcome = g_steal_pointer (&o);
        goto out;
    }
    *outcome = g_steal_pointer (&o);
    ok = TRUE;

out:
    slip_row_clear (&row);
    return ok;
}
