/* Kikan kiosk: the lending ledger and the media register in the store
 * (KR-01, KR-06; docs/ledger.md). */
#include "ledger-private.h"

#include "audit-private.h"

#include <string.h>

#include "error-private.h"
#include "escape-private.h"

void
kikan_employee_free (KikanEmployee *e)
{
    if (e == NULL)
        return;
    g_free (e->id);
    g_free (e->name);
    g_free (e->department);
    g_free (e->email);
    g_free (e);
}

void
kikan_asset_free (KikanAsset *a)
{
    if (a == NULL)
        return;
    g_free (a->id);
    g_free (a->type);
    g_free (a->serial);
    g_free (a->model);
    g_free (a->ownership);
    g_free (a->classification);
    g_free (a->status);
    g_free (a);
}

void
kikan_loan_free (KikanLoan *l)
{
    if (l == NULL)
        return;
    g_free (l->asset_id);
    g_free (l->asset_type);
    g_free (l->serial);
    g_free (l->classification);
    g_free (l->ownership);
    g_free (l->employee_id);
    g_free (l->employee_name);
    g_free (l->lent_on);
    g_free (l->due_on);
    g_free (l->telework_method);
    g_free (l->returned_on);
    g_free (l);
}

void
kikan_medium_free (KikanMedium *m)
{
    if (m == NULL)
        return;
    g_free (m->asset_id);
    g_free (m->usb_serial);
    g_free (m->manufacturer);
    g_free (m->product);
    g_free (m->fingerprint);
    g_free (m->registered_at);
    g_free (m->registered_by);
    g_free (m);
}

gboolean
kikan_ledger_date_is_valid (const char *s)
{
    guint y, m, d;

    if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
        return FALSE;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
            return FALSE;
    y = (guint)g_ascii_strtoull (s, NULL, 10);
    m = (guint)g_ascii_strtoull (s + 5, NULL, 10);
    d = (guint)g_ascii_strtoull (s + 8, NULL, 10);
    return y >= 1970 && g_date_valid_dmy ((GDateDay)d, (GDateMonth)m, (GDateYear)y);
}

/* ------------------------------------------------------------ statements */

static void
not_found (GError **error, const char *fmt, const char *value)
{
    g_autofree char *shown = kikan_escape_for_display (value, -1);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND, fmt, shown);
#pragma GCC diagnostic pop
}

/* ------------------------------------------------------------ employees */

KikanEmployee *
kikan_ledger_find_employee (KikanStore *store, const char *id, GError **error)
{
    sqlite3_stmt *st;
    KikanEmployee *e = NULL;
    int rc;

    g_return_val_if_fail (store != NULL && id != NULL, NULL);
    if ((st = kikan_store_prepare (store,
                                   "SELECT id, name, department, email, active FROM employees "
                                   "WHERE id = ?",
                                   error))
        == NULL)
        return NULL;
    kikan_store_bind_text (st, 1, id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        e = g_new0 (KikanEmployee, 1);
        e->id = kikan_store_column_dup (st, 0);
        e->name = kikan_store_column_dup (st, 1);
        e->department = kikan_store_column_dup (st, 2);
        e->email = kikan_store_column_dup (st, 3);
        e->active = sqlite3_column_int (st, 4) != 0;
    } else if (rc == SQLITE_DONE) {
        not_found (error,
                   "No employee %s in the ledger. Check the ID on the badge; IT imports "
                   "the ledger with “kikan ledger import”.",
                   id);
    } else {
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The ledger could not be read");
    }
    sqlite3_finalize (st);
    return e;
}

/* ------------------------------------------------------------ loans */

#define LOAN_COLUMNS                                                                              \
    "l.id, l.asset_id, a.type, a.serial, a.encryption_required, a.classification_max, "           \
    "a.ownership, l.employee_id, e.name, l.lent_on, l.due_on, l.telework_method, l.returned_on "  \
    "FROM loans l JOIN assets a ON a.id = l.asset_id JOIN employees e ON e.id = l.employee_id "

static KikanLoan *
loan_from_row (sqlite3_stmt *st)
{
    KikanLoan *l = g_new0 (KikanLoan, 1);

    l->id = sqlite3_column_int64 (st, 0);
    l->asset_id = kikan_store_column_dup (st, 1);
    l->asset_type = kikan_store_column_dup (st, 2);
    l->serial = kikan_store_column_dup (st, 3);
    l->encryption_required = sqlite3_column_int (st, 4) != 0;
    l->classification = kikan_store_column_dup (st, 5);
    l->ownership = kikan_store_column_dup (st, 6);
    l->employee_id = kikan_store_column_dup (st, 7);
    l->employee_name = kikan_store_column_dup (st, 8);
    l->lent_on = kikan_store_column_dup (st, 9);
    l->due_on = kikan_store_column_dup (st, 10);
    l->telework_method = kikan_store_column_dup (st, 11);
    l->returned_on = kikan_store_column_dup (st, 12);
    return l;
}

GPtrArray *
kikan_ledger_list_open_loans (KikanStore *store, const char *employee_id, GError **error)
{
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_loan_free);
    sqlite3_stmt *st;
    int rc;

    g_return_val_if_fail (store != NULL, NULL);
    /* Two statements, not "(?1 IS NULL OR l.employee_id = ?1)": that form
     * keeps SQLite from using loans_employee, and an employee's check-in
     * then scanned every loan ever made (bench/checkin.sh, 10,000
     * sessions: 20 ms a call, twice a check-in). */
    st = kikan_store_prepare (
        store,
        employee_id != NULL
            ? "SELECT " LOAN_COLUMNS "WHERE l.employee_id = ?1 AND l.returned_on IS NULL "
              "ORDER BY l.asset_id"
            : "SELECT " LOAN_COLUMNS "WHERE l.returned_on IS NULL "
              "ORDER BY l.employee_id, l.asset_id",
        error);
    if (st == NULL)
        return NULL;
    kikan_store_bind_text (st, 1, employee_id);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        g_ptr_array_add (out, loan_from_row (st));
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The ledger could not be read");
        return NULL;
    }
    return g_steal_pointer (&out);
}

KikanLoan *
kikan_ledger_find_open_loan (KikanStore *store, const char *asset_id, GError **error)
{
    sqlite3_stmt *st;
    KikanLoan *l = NULL;
    int rc;

    g_return_val_if_fail (store != NULL && asset_id != NULL, NULL);
    st = kikan_store_prepare (
        store, "SELECT " LOAN_COLUMNS "WHERE l.returned_on IS NULL AND l.asset_id = ?", error);
    if (st == NULL)
        return NULL;
    kikan_store_bind_text (st, 1, asset_id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        l = loan_from_row (st);
    else if (rc == SQLITE_DONE)
        not_found (error, "Asset %s is not lent to anyone in the ledger.", asset_id);
    else
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The ledger could not be read");
    sqlite3_finalize (st);
    return l;
}

gboolean
kikan_ledger_close_loan (KikanStore *store, gint64 loan_id, const char *returned_on,
                         gint64 return_session, const char *note, GError **error)
{
    sqlite3_stmt *st;
    g_autofree char *lent_on = NULL;
    int rc;

    g_return_val_if_fail (store != NULL && returned_on != NULL, FALSE);
    if (!kikan_ledger_date_is_valid (returned_on)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "A loan cannot be closed on “%s”: not a date YYYY-MM-DD.", returned_on);
        return FALSE;
    }
    if ((st = kikan_store_prepare (
             store, "SELECT lent_on FROM loans WHERE id = ? AND returned_on IS NULL", error))
        == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, loan_id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        lent_on = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_set_error (error, kikan_store_get_db (store), rc,
                                      "The ledger could not be read");
    if (lent_on == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                     "Loan %" G_GINT64_FORMAT " is not open: it was returned already or does "
                     "not exist.",
                     loan_id);
        return FALSE;
    }
    /* Dates compare as text in this format (docs/store.md invariants). */
    if (strcmp (returned_on, lent_on) < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                     "Loan %" G_GINT64_FORMAT " cannot be returned on %s: it was lent on %s. "
                     "Check the kiosk's clock.",
                     loan_id, returned_on, lent_on);
        return FALSE;
    }
    if ((st = kikan_store_prepare (store,
                                   "UPDATE loans SET returned_on = ?, return_session = ?, "
                                   "note = coalesce(?, note) WHERE id = ? AND returned_on IS NULL",
                                   error))
        == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, returned_on);
    if (return_session > 0)
        sqlite3_bind_int64 (st, 2, return_session);
    else
        sqlite3_bind_null (st, 2);
    kikan_store_bind_text (st, 3, note);
    sqlite3_bind_int64 (st, 4, loan_id);
    return kikan_store_step_done (store, st, "The loan could not be closed", error);
}

gboolean
kikan_ledger_log_change (KikanStore *store, const char *source, const char *summary,
                         GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    sqlite3_stmt *st;

    if ((st = kikan_store_prepare (
             store, "INSERT INTO ledger_changes (at, source, summary) VALUES (?, ?, ?)", error))
        == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, now);
    kikan_store_bind_text (st, 2, source);
    kikan_store_bind_text (st, 3, summary);
    if (!kikan_store_step_done (store, st, "The ledger change could not be recorded", error))
        return FALSE;
    {
        /* The same change in the audit chain, in the same transaction. */
        g_autoptr (JsonNode) p = kikan_audit_payload ("source", source, "summary", summary, NULL);

        return kikan_audit_append (store, "ledger_change", 0, p, error);
    }
}

static char *
summary_json (const char *action, const char *asset_id, const char *employee_id, gint64 loan_id)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "action");
    json_builder_add_string_value (b, action);
    kikan_json_add_hostile_string (b, "asset_id", asset_id);
    kikan_json_add_hostile_string (b, "employee_id", employee_id);
    json_builder_set_member_name (b, "loan_id");
    json_builder_add_int_value (b, loan_id);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    return json_generator_to_data (gen, NULL);
}

gint64
kikan_ledger_lend (KikanStore *store, const char *asset_id, const char *employee_id,
                   const char *lent_on, const char *due_on, const char *telework_method,
                   GError **error)
{
    g_autoptr (KikanAsset) asset = NULL;
    g_autoptr (KikanEmployee) emp = NULL;
    g_autoptr (KikanLoan) open = NULL;
    g_autoptr (GError) local = NULL;
    g_autofree char *today = kikan_store_today ();
    g_autofree char *summary = NULL;
    sqlite3_stmt *st;
    gint64 id;

    g_return_val_if_fail (store != NULL && asset_id != NULL && employee_id != NULL, 0);
    if (lent_on == NULL)
        lent_on = today;
    if (!kikan_ledger_date_is_valid (lent_on)
        || (due_on != NULL && !kikan_ledger_date_is_valid (due_on))) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Dates are written YYYY-MM-DD and must be real days (got “%s”).",
                     due_on != NULL && !kikan_ledger_date_is_valid (due_on) ? due_on : lent_on);
        return 0;
    }
    if (due_on != NULL && strcmp (due_on, lent_on) < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "The due date %s is before the loan starts (%s).", due_on, lent_on);
        return 0;
    }
    if (!kikan_store_begin (store, error))
        return 0;
    if ((asset = kikan_ledger_find_asset (store, asset_id, error)) == NULL
        || (emp = kikan_ledger_find_employee (store, employee_id, error)) == NULL)
        goto fail;
    {
        g_autofree char *held = NULL;

        if (!kikan_ledger_asset_held (store, asset_id, &held, error))
            goto fail;
        if (held != NULL) {
            g_autofree char *a = kikan_escape_for_display (asset_id, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                         "Asset %s cannot be lent: %s. IT settles it first (“kikan it resolve” "
                         "or “kikan it override”); nothing was changed.",
                         a, held);
            goto fail;
        }
    }
    open = kikan_ledger_find_open_loan (store, asset_id, &local);
    if (open != NULL) {
        g_autofree char *a = kikan_escape_for_display (asset_id, -1);
        g_autofree char *h = kikan_escape_for_display (open->employee_id, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                     "Asset %s is already lent to %s since %s. Return it first with “kikan "
                     "ledger return %s”.",
                     a, h, open->lent_on, a);
        goto fail;
    }
    if (!g_error_matches (local, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
        g_propagate_error (error, g_steal_pointer (&local));
        goto fail;
    }
    if ((st = kikan_store_prepare (store,
                                   "INSERT INTO loans (asset_id, employee_id, lent_on, due_on, "
                                   "telework_method) VALUES (?, ?, ?, ?, ?)",
                                   error))
        == NULL)
        goto fail;
    kikan_store_bind_text (st, 1, asset_id);
    kikan_store_bind_text (st, 2, employee_id);
    kikan_store_bind_text (st, 3, lent_on);
    kikan_store_bind_text (st, 4, due_on);
    kikan_store_bind_text (st, 5, telework_method);
    if (!kikan_store_step_done (store, st, "The loan could not be recorded", error))
        goto fail;
    id = sqlite3_last_insert_rowid (kikan_store_get_db (store));
    summary = summary_json ("lend", asset_id, employee_id, id);
    if (!kikan_ledger_log_change (store, "lend", summary, error)
        || !kikan_store_commit (store, error))
        goto fail;
    return id;
fail:
    kikan_store_rollback (store);
    return 0;
}

gboolean
kikan_ledger_return (KikanStore *store, const char *asset_id, const char *note, GError **error)
{
    g_autoptr (KikanLoan) loan = NULL;
    g_autofree char *today = kikan_store_today ();
    g_autofree char *summary = NULL;

    g_return_val_if_fail (store != NULL && asset_id != NULL, FALSE);
    if (!kikan_store_begin (store, error))
        return FALSE;
    if ((loan = kikan_ledger_find_open_loan (store, asset_id, error)) == NULL)
        goto fail;
    if (!kikan_ledger_close_loan (store, loan->id, today, 0, note, error))
        goto fail;
    summary = summary_json ("return", asset_id, loan->employee_id, loan->id);
    if (!kikan_ledger_log_change (store, "return", summary, error)
        || !kikan_store_commit (store, error))
        goto fail;
    return TRUE;
fail:
    kikan_store_rollback (store);
    return FALSE;
}

/* ------------------------------------------------------------ assets */

#define ASSET_COLUMNS                                                                             \
    "id, type, serial, model, ownership, encryption_required, classification_max, status "        \
    "FROM assets "

static KikanAsset *
asset_from_row (sqlite3_stmt *st)
{
    KikanAsset *a = g_new0 (KikanAsset, 1);

    a->id = kikan_store_column_dup (st, 0);
    a->type = kikan_store_column_dup (st, 1);
    a->serial = kikan_store_column_dup (st, 2);
    a->model = kikan_store_column_dup (st, 3);
    a->ownership = kikan_store_column_dup (st, 4);
    a->encryption_required = sqlite3_column_int (st, 5) != 0;
    a->classification = kikan_store_column_dup (st, 6);
    a->status = kikan_store_column_dup (st, 7);
    return a;
}

KikanAsset *
kikan_ledger_find_asset (KikanStore *store, const char *id, GError **error)
{
    sqlite3_stmt *st;
    KikanAsset *a = NULL;
    int rc;

    g_return_val_if_fail (store != NULL && id != NULL, NULL);
    if ((st = kikan_store_prepare (store, "SELECT " ASSET_COLUMNS "WHERE id = ?", error)) == NULL)
        return NULL;
    kikan_store_bind_text (st, 1, id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        a = asset_from_row (st);
    else if (rc == SQLITE_DONE)
        not_found (error,
                   "No asset %s in the ledger. Check the asset tag; IT imports the "
                   "ledger with “kikan ledger import”.",
                   id);
    else
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The ledger could not be read");
    sqlite3_finalize (st);
    return a;
}

KikanAsset *
kikan_ledger_find_asset_by_serial (KikanStore *store, const char *serial, GError **error)
{
    sqlite3_stmt *st;
    KikanAsset *a = NULL;
    int rc, n = 0;

    g_return_val_if_fail (store != NULL && serial != NULL, NULL);
    if ((st = kikan_store_prepare (
             store, "SELECT " ASSET_COLUMNS "WHERE serial = ? ORDER BY id LIMIT 2", error))
        == NULL)
        return NULL;
    kikan_store_bind_text (st, 1, serial);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        if (n++ == 0)
            a = asset_from_row (st);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        kikan_asset_free (a);
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The ledger could not be read");
        return NULL;
    }
    if (n == 0) {
        not_found (error,
                   "No asset with serial number %s in the ledger. Check the number, or "
                   "type the asset tag instead.",
                   serial);
        return NULL;
    }
    if (n > 1) {
        g_autofree char *shown = kikan_escape_for_display (serial, -1);

        kikan_asset_free (a);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                     "Several assets have the serial number %s: type the asset tag instead.",
                     shown);
        return NULL;
    }
    return a;
}

GPtrArray *
kikan_ledger_list_assets (KikanStore *store, GError **error)
{
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_asset_free);
    sqlite3_stmt *st;
    int rc;

    g_return_val_if_fail (store != NULL, NULL);
    if ((st = kikan_store_prepare (store, "SELECT " ASSET_COLUMNS "ORDER BY id", error)) == NULL)
        return NULL;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        g_ptr_array_add (out, asset_from_row (st));
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The ledger could not be read");
        return NULL;
    }
    return g_steal_pointer (&out);
}

KikanAsset *
kikan_ledger_find_asset_by_tag_or_serial (KikanStore *store, const char *text, GError **error)
{
    g_autoptr (GError) local = NULL;
    KikanAsset *a = kikan_ledger_find_asset (store, text, &local);

    if (a != NULL || !g_error_matches (local, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
        if (a == NULL)
            g_propagate_error (error, g_steal_pointer (&local));
        return a;
    }
    g_clear_error (&local);
    a = kikan_ledger_find_asset_by_serial (store, text, &local);
    if (a == NULL && g_error_matches (local, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
        not_found (error,
                   "No asset with the tag or serial number %s in the ledger. Check the "
                   "label on the item.",
                   text);
        return NULL;
    }
    if (a == NULL)
        g_propagate_error (error, g_steal_pointer (&local));
    return a;
}

/* ------------------------------------------------------------ media */

#define MEDIUM_COLUMNS                                                                            \
    "asset_id, vid, pid, usb_serial, manufacturer, product, fingerprint, hardware_encrypted, "    \
    "registered_at, registered_by FROM media "

static KikanMedium *
medium_from_row (sqlite3_stmt *st)
{
    KikanMedium *m = g_new0 (KikanMedium, 1);

    m->asset_id = kikan_store_column_dup (st, 0);
    m->vid = (guint16)sqlite3_column_int (st, 1);
    m->pid = (guint16)sqlite3_column_int (st, 2);
    m->usb_serial = kikan_store_column_dup (st, 3);
    m->manufacturer = kikan_store_column_dup (st, 4);
    m->product = kikan_store_column_dup (st, 5);
    m->fingerprint = kikan_store_column_dup (st, 6);
    m->hardware_encrypted = sqlite3_column_int (st, 7) != 0;
    m->registered_at = kikan_store_column_dup (st, 8);
    m->registered_by = kikan_store_column_dup (st, 9);
    return m;
}

KikanMedium *
kikan_ledger_find_medium (KikanStore *store, guint16 vid, guint16 pid, const char *usb_serial,
                          GError **error)
{
    sqlite3_stmt *st;
    KikanMedium *m = NULL;
    int rc, n = 0;

    g_return_val_if_fail (store != NULL, NULL);
    if ((st = kikan_store_prepare (store,
                                   "SELECT " MEDIUM_COLUMNS "WHERE vid = ? AND pid = ? "
                                   "AND usb_serial IS ? ORDER BY asset_id LIMIT 2",
                                   error))
        == NULL)
        return NULL;
    sqlite3_bind_int (st, 1, vid);
    sqlite3_bind_int (st, 2, pid);
    kikan_store_bind_text (st, 3, usb_serial);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        if (n++ == 0)
            m = medium_from_row (st);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        kikan_medium_free (m);
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The media register could not be read");
        return NULL;
    }
    if (n == 1)
        return m;
    kikan_medium_free (m);
    if (n == 0) {
        g_autofree char *s
            = kikan_escape_for_display (usb_serial != NULL ? usb_serial : "(none)", -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                     "The medium %04x:%04x with serial %s is not in the media register (INV-06). "
                     "IT registers media with “kikan ledger media add”.",
                     vid, pid, s);
    } else {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                     "Several registered media are %04x:%04x without a serial number: this "
                     "medium cannot be told apart. IT must identify it by its asset tag.",
                     vid, pid);
    }
    return NULL;
}

KikanMedium *
kikan_ledger_find_medium_by_asset (KikanStore *store, const char *asset_id, GError **error)
{
    sqlite3_stmt *st;
    KikanMedium *m = NULL;
    int rc;

    g_return_val_if_fail (store != NULL && asset_id != NULL, NULL);
    if ((st = kikan_store_prepare (store, "SELECT " MEDIUM_COLUMNS "WHERE asset_id = ?", error))
        == NULL)
        return NULL;
    kikan_store_bind_text (st, 1, asset_id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        m = medium_from_row (st);
    else if (rc == SQLITE_DONE)
        not_found (error,
                   "Asset %s is not in the media register. IT registers media with "
                   "“kikan ledger media add”.",
                   asset_id);
    else
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The media register could not be read");
    sqlite3_finalize (st);
    return m;
}

GPtrArray *
kikan_ledger_list_media (KikanStore *store, GError **error)
{
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_medium_free);
    sqlite3_stmt *st;
    int rc;

    g_return_val_if_fail (store != NULL, NULL);
    if ((st = kikan_store_prepare (store, "SELECT " MEDIUM_COLUMNS "ORDER BY asset_id", error))
        == NULL)
        return NULL;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        g_ptr_array_add (out, medium_from_row (st));
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        kikan_store_set_error (error, kikan_store_get_db (store), rc,
                               "The media register could not be read");
        return NULL;
    }
    return g_steal_pointer (&out);
}

gboolean
kikan_ledger_register_medium (KikanStore *store, const char *asset_id, guint16 vid, guint16 pid,
                              const char *usb_serial, gboolean hardware_encrypted, const char *by,
                              gboolean replace, GError **error)
{
    g_autoptr (KikanAsset) asset = NULL;
    g_autoptr (KikanMedium) old = NULL;
    g_autoptr (GError) local = NULL;
    g_autofree char *now = kikan_store_now_iso ();
    g_autofree char *summary = NULL;
    sqlite3_stmt *st;

    g_return_val_if_fail (store != NULL && asset_id != NULL && by != NULL, FALSE);
    if (!kikan_store_begin (store, error))
        return FALSE;
    if ((asset = kikan_ledger_find_asset (store, asset_id, error)) == NULL)
        goto fail;
    old = kikan_ledger_find_medium_by_asset (store, asset_id, &local);
    if (old == NULL && !g_error_matches (local, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
        g_propagate_error (error, g_steal_pointer (&local));
        goto fail;
    }
    if (old != NULL && !replace) {
        g_autofree char *a = kikan_escape_for_display (asset_id, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                     "Asset %s is already registered as %04x:%04x. Add --replace to register "
                     "it again with the new identity.",
                     a, old->vid, old->pid);
        goto fail;
    }
    /* A new identity drops the descriptor fingerprint recorded for the old. */
    if ((st = kikan_store_prepare (
             store,
             "INSERT INTO media (asset_id, vid, pid, usb_serial, hardware_encrypted, "
             "registered_at, registered_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (asset_id) DO UPDATE SET vid = excluded.vid, "
             "pid = excluded.pid, usb_serial = excluded.usb_serial, "
             "hardware_encrypted = excluded.hardware_encrypted, "
             "manufacturer = NULL, product = NULL, fingerprint = NULL, "
             "registered_at = excluded.registered_at, "
             "registered_by = excluded.registered_by",
             error))
        == NULL)
        goto fail;
    kikan_store_bind_text (st, 1, asset_id);
    sqlite3_bind_int (st, 2, vid);
    sqlite3_bind_int (st, 3, pid);
    kikan_store_bind_text (st, 4, usb_serial);
    sqlite3_bind_int (st, 5, hardware_encrypted ? 1 : 0);
    kikan_store_bind_text (st, 6, now);
    kikan_store_bind_text (st, 7, by);
    if (!kikan_store_step_done (store, st, "The medium could not be registered", error))
        goto fail;
    summary = summary_json (old != NULL ? "media replace" : "media add", asset_id, NULL, 0);
    if (!kikan_ledger_log_change (store, "media", summary, error)
        || !kikan_store_commit (store, error))
        goto fail;
    return TRUE;
fail:
    kikan_store_rollback (store);
    return FALSE;
}

gboolean
kikan_ledger_asset_held (KikanStore *store, const char *asset_id, char **why, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT i.session_id, coalesce((SELECT v.verdict FROM verdicts v WHERE v.item_id = i.id "
        "ORDER BY v.id DESC LIMIT 1), 'undecided') FROM items i WHERE i.asset_id = ? AND "
        "i.presence = 'present' ORDER BY i.id DESC LIMIT 1",
        error);
    int rc;

    *why = NULL;
    if (st == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, asset_id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text (st, 1);

        if (g_strcmp0 (v, "hold") == 0 || g_strcmp0 (v, "quarantine") == 0
            || g_strcmp0 (v, "undecided") == 0)
            *why = g_strdup_printf ("it is held by IT after check-in session %lld (%s)",
                                    (long long)sqlite3_column_int64 (st, 0), v);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_set_error (error, kikan_store_get_db (store), rc,
                                      "The ledger could not be read");
    return TRUE;
}
