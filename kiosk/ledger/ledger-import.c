/* Kikan kiosk: comparing a ledger CSV with the store, and importing it
 * (Admin B-2, KR-02; docs/ledger.md "What an import changes").
 *
 * The file is the asset-management tool's full list of current loans: a
 * loan in the file and not in the store is added, one in both that
 * differs is changed, and an open loan of the store that the file no
 * longer lists is closed ("removed by import").  The diff is computed
 * inside the import's transaction, so what is reported is what was done,
 * and it lists every write: each row is compared field by field with the
 * store's asset, medium and employee whether or not the asset is on loan,
 * and the import writes from the diff, nothing the diff does not list
 * (KR-02; "What was previewed is what is imported"). */
#include "ledger-csv-private.h"

#include <string.h>

#include "error-private.h"
#include "escape-private.h"
#include "ledger-private.h"

static void
field_change_free (KikanLedgerFieldChange *c)
{
    if (c == NULL)
        return;
    g_free (c->field);
    g_free (c->old_value);
    g_free (c->new_value);
    g_free (c);
}

static void
change_free (KikanLedgerChange *c)
{
    if (c == NULL)
        return;
    g_free (c->asset_id);
    g_free (c->employee_id);
    g_free (c->lent_on);
    if (c->fields != NULL)
        g_ptr_array_unref (c->fields);
    g_free (c);
}

void
kikan_ledger_diff_free (KikanLedgerDiff *d)
{
    if (d == NULL)
        return;
    if (d->changes != NULL)
        g_ptr_array_unref (d->changes);
    if (d->renamed != NULL)
        g_ptr_array_unref (d->renamed);
    if (d->new_employees != NULL)
        g_ptr_array_unref (d->new_employees);
    g_free (d->refusal);
    g_free (d->fingerprint);
    g_free (d);
}

static void
add_field (GPtrArray *fields, const char *field, const char *old_value, const char *new_value)
{
    KikanLedgerFieldChange *c;

    if (g_strcmp0 (old_value, new_value) == 0)
        return;
    c = g_new0 (KikanLedgerFieldChange, 1);
    c->field = g_strdup (field);
    c->old_value = g_strdup (old_value);
    c->new_value = g_strdup (new_value);
    g_ptr_array_add (fields, c);
}

static const char *
yes_no (gboolean b)
{
    return b ? "yes" : "no";
}

static char *
hex16 (guint16 v)
{
    return g_strdup_printf ("%04x", v);
}

/* What the store holds, read once. */
typedef struct {
    GPtrArray *loans;      /* KikanLoan, owned */
    GHashTable *loan_of;   /* asset_id → KikanLoan */
    GPtrArray *assets;     /* KikanAsset, owned: every asset, on loan or not */
    GHashTable *asset_of;  /* asset_id → KikanAsset */
    GHashTable *name_of;   /* employee id → name (owned strings) */
    GPtrArray *media;      /* KikanMedium, owned */
    GHashTable *medium_of; /* asset_id → KikanMedium */
    GHashTable *kiosk_return_of; /* asset_id → "employee\nreturned_on" of its newest loan,
                                  * when that was handed back at the kiosk */
    KikanStore *store;     /* borrowed, NULL for an empty ledger */
} Snapshot;

static void
snapshot_clear (Snapshot *s)
{
    g_clear_pointer (&s->loan_of, g_hash_table_unref);
    g_clear_pointer (&s->loans, g_ptr_array_unref);
    g_clear_pointer (&s->asset_of, g_hash_table_unref);
    g_clear_pointer (&s->assets, g_ptr_array_unref);
    g_clear_pointer (&s->name_of, g_hash_table_unref);
    g_clear_pointer (&s->medium_of, g_hash_table_unref);
    g_clear_pointer (&s->media, g_ptr_array_unref);
    g_clear_pointer (&s->kiosk_return_of, g_hash_table_unref);
}

static gboolean
snapshot_load (KikanStore *store, Snapshot *s, GError **error)
{
    sqlite3_stmt *st = NULL;
    int rc;

    s->loan_of = g_hash_table_new (g_str_hash, g_str_equal);
    s->asset_of = g_hash_table_new (g_str_hash, g_str_equal);
    s->name_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    s->medium_of = g_hash_table_new (g_str_hash, g_str_equal);
    s->kiosk_return_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    s->store = store;
    if (store == NULL) {
        s->loans = g_ptr_array_new ();
        s->assets = g_ptr_array_new ();
        s->media = g_ptr_array_new ();
        return TRUE;
    }
    if ((s->loans = kikan_ledger_list_open_loans (store, NULL, error)) == NULL
        || (s->assets = kikan_ledger_list_assets (store, error)) == NULL
        || (s->media = kikan_ledger_list_media (store, error)) == NULL)
        return FALSE;
    for (guint i = 0; i < s->loans->len; i++) {
        KikanLoan *l = g_ptr_array_index (s->loans, i);

        g_hash_table_insert (s->loan_of, l->asset_id, l);
    }
    for (guint i = 0; i < s->assets->len; i++) {
        KikanAsset *a = g_ptr_array_index (s->assets, i);

        g_hash_table_insert (s->asset_of, a->id, a);
    }
    for (guint i = 0; i < s->media->len; i++) {
        KikanMedium *m = g_ptr_array_index (s->media, i);

        g_hash_table_insert (s->medium_of, m->asset_id, m);
    }
    rc = sqlite3_prepare_v2 (kikan_store_get_db (store),
                             "SELECT l.asset_id, l.employee_id, l.returned_on FROM loans l "
                             "WHERE l.return_session IS NOT NULL AND l.id = (SELECT max(m.id) "
                             "FROM loans m WHERE m.asset_id = l.asset_id)",
                             -1, &st, NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step (st)) == SQLITE_ROW)
            g_hash_table_insert (s->kiosk_return_of,
                                 g_strdup ((const char *)sqlite3_column_text (st, 0)),
                                 g_strdup_printf ("%s\n%s",
                                                  (const char *)sqlite3_column_text (st, 1),
                                                  (const char *)sqlite3_column_text (st, 2)));
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize (st);
    st = NULL;
    if (rc != SQLITE_OK)
        return kikan_store_set_error (error, kikan_store_get_db (store), rc,
                                      "The ledger could not be read");
    rc = sqlite3_prepare_v2 (kikan_store_get_db (store), "SELECT id, name FROM employees", -1, &st,
                             NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step (st)) == SQLITE_ROW)
            g_hash_table_insert (s->name_of, g_strdup ((const char *)sqlite3_column_text (st, 0)),
                                 g_strdup ((const char *)sqlite3_column_text (st, 1)));
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_OK)
        return kikan_store_set_error (error, kikan_store_get_db (store), rc,
                                      "The ledger could not be read");
    return TRUE;
}

static int
by_asset (gconstpointer a, gconstpointer b)
{
    const KikanLedgerChange *x = *(KikanLedgerChange *const *)a;
    const KikanLedgerChange *y = *(KikanLedgerChange *const *)b;

    return strcmp (x->asset_id, y->asset_id);
}

/* Adds @text to @sum so that no two sequences of texts (NULL among them)
 * sum alike: each is preceded by its length, NULL by a mark of its own. */
static void
sum_text (GChecksum *sum, const char *text)
{
    char head[32];

    if (text == NULL) {
        g_checksum_update (sum, (const guchar *)"-;", 2);
        return;
    }
    g_snprintf (head, sizeof head, "%zu:", strlen (text));
    g_checksum_update (sum, (const guchar *)head, -1);
    g_checksum_update (sum, (const guchar *)text, -1);
}

static void
sum_number (GChecksum *sum, gint64 n)
{
    char text[32];

    g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, n);
    sum_text (sum, text);
}

static void
sum_fields (GChecksum *sum, const GPtrArray *fields)
{
    sum_number (sum, fields->len);
    for (guint i = 0; i < fields->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (fields, i);

        sum_text (sum, f->field);
        sum_text (sum, f->old_value);
        sum_text (sum, f->new_value);
    }
}

/* Everything the diff says it would do, with the file it came from. */
static char *
fingerprint (const KikanLedgerFile *file, const KikanLedgerDiff *d)
{
    g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

    sum_text (sum, "kikan-ledger-diff 2");
    sum_text (sum, file->sha256);
    sum_number (sum, d->changes->len);
    for (guint i = 0; i < d->changes->len; i++) {
        const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);

        sum_number (sum, c->kind);
        sum_text (sum, c->asset_id);
        sum_text (sum, c->employee_id);
        sum_text (sum, c->lent_on);
        sum_number (sum, c->line);
        sum_number (sum, c->loan_id);
        sum_number (sum, c->new_holder);
        sum_number (sum, c->new_asset);
        sum_fields (sum, c->fields);
    }
    sum_fields (sum, d->renamed);
    sum_fields (sum, d->new_employees);
    sum_number (sum, d->unchanged);
    sum_number (sum, d->employees_added);
    sum_number (sum, d->returned_at_kiosk);
    sum_text (sum, d->refusal);
    return g_strdup (g_checksum_get_string (sum));
}

/* The fields of a change that name a column of the asset, of the media
 * register, and of a medium's USB identity: the import writes an asset
 * or a medium only when its change lists one of them. */
static const char *const asset_fields[]
    = { "asset_type", "serial", "encryption_required", "classification", "ownership", NULL };
static const char *const medium_fields[]
    = { "usb_vid", "usb_pid", "usb_serial", "hardware_encrypted", NULL };
static const char *const identity_fields[] = { "usb_vid", "usb_pid", "usb_serial", NULL };

static gboolean
lists_any (const KikanLedgerChange *c, const char *const *names)
{
    for (guint i = 0; i < c->fields->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (c->fields, i);

        if (g_strv_contains (names, f->field))
            return TRUE;
    }
    return FALSE;
}

/* Compares @r with @a, the store's asset (NULL: not in the store), as
 * upsert_rows writes it: an optional column absent from the file keeps
 * the stored value, or gives a new asset the default. */
static void
compare_asset (GPtrArray *fields, const KikanAsset *a, const KikanLedgerRow *r)
{
    const char *classification = r->classification != NULL ? r->classification
                                 : a != NULL               ? a->classification
                                                           : "internal";
    const char *ownership = r->ownership != NULL ? r->ownership
                            : a != NULL          ? a->ownership
                                                 : "company";

    add_field (fields, "asset_type", a != NULL ? a->type : NULL, r->asset_type);
    add_field (fields, "serial", a != NULL ? a->serial : NULL, r->serial);
    add_field (fields, "encryption_required", a != NULL ? yes_no (a->encryption_required) : NULL,
               yes_no (r->encryption_required));
    add_field (fields, "classification", a != NULL ? a->classification : NULL, classification);
    add_field (fields, "ownership", a != NULL ? a->ownership : NULL, ownership);
}

/* The USB serial and hardware encryption a row with a medium registers
 * over @m (NULL: not registered yet): an absent column keeps what is
 * registered. */
static void
medium_wanted (const KikanLedgerRow *r, guint cols, const KikanMedium *m, const char **serial,
               gboolean *hw)
{
    *serial = (cols & KIKAN_LEDGER_COL_USB_SERIAL) || m == NULL ? r->usb_serial : m->usb_serial;
    *hw = (cols & KIKAN_LEDGER_COL_HARDWARE_ENCRYPTED) || m == NULL ? r->hardware_encrypted
                                                                    : m->hardware_encrypted;
}

/* Compares @r's USB identity with @m, the asset's register entry (NULL:
 * none).  A row without one leaves the register alone. */
static void
compare_medium (GPtrArray *fields, const KikanMedium *m, const KikanLedgerRow *r, guint cols)
{
    g_autofree char *ov = NULL, *op = NULL, *nv = NULL, *np = NULL;
    const char *serial;
    gboolean hw;

    if (!r->has_medium)
        return;
    medium_wanted (r, cols, m, &serial, &hw);
    ov = m != NULL ? hex16 (m->vid) : NULL;
    op = m != NULL ? hex16 (m->pid) : NULL;
    nv = hex16 (r->usb_vid);
    np = hex16 (r->usb_pid);
    add_field (fields, "usb_vid", ov, nv);
    add_field (fields, "usb_pid", op, np);
    add_field (fields, "usb_serial", m != NULL ? m->usb_serial : NULL, serial);
    add_field (fields, "hardware_encrypted", m != NULL ? yes_no (m->hardware_encrypted) : NULL,
               yes_no (hw));
    /* A new identity is a new registration: what was recorded about the
     * old device no longer applies (upsert_rows clears it). */
    if (m != NULL
        && (m->vid != r->usb_vid || m->pid != r->usb_pid
            || g_strcmp0 (m->usb_serial, serial) != 0)) {
        add_field (fields, "usb_manufacturer", m->manufacturer, NULL);
        add_field (fields, "usb_product", m->product, NULL);
        add_field (fields, "usb_descriptor_fingerprint", m->fingerprint, NULL);
    }
}

/* Whether @r describes the loan of its asset that was handed back at the
 * kiosk: the same holder, lent on or before that return.  The asset tool
 * lags behind the kiosk. */
static gboolean
returned_at_kiosk (const Snapshot *s, const KikanLedgerRow *r)
{
    const char *back = g_hash_table_lookup (s->kiosk_return_of, r->asset_id);
    g_auto (GStrv) who_when = back != NULL ? g_strsplit (back, "\n", 2) : NULL;

    return who_when != NULL && who_when[1] != NULL && strcmp (who_when[0], r->employee_id) == 0
           && strcmp (r->lent_on, who_when[1]) <= 0;
}

static KikanLedgerDiff *
diff_with (const Snapshot *s, const KikanLedgerFile *file)
{
    KikanLedgerDiff *d = g_new0 (KikanLedgerDiff, 1);
    g_autoptr (GHashTable) in_file = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr (GHashTable) employees_seen = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr (GPtrArray) removed = g_ptr_array_new ();
    guint cols = file->columns;

    d->changes = g_ptr_array_new_with_free_func ((GDestroyNotify)change_free);
    d->renamed = g_ptr_array_new_with_free_func ((GDestroyNotify)field_change_free);
    d->new_employees = g_ptr_array_new_with_free_func ((GDestroyNotify)field_change_free);
    for (guint i = 0; i < file->rows->len; i++) {
        const KikanLedgerRow *r = g_ptr_array_index (file->rows, i);
        const KikanLoan *l = g_hash_table_lookup (s->loan_of, r->asset_id);
        const KikanAsset *a = g_hash_table_lookup (s->asset_of, r->asset_id);
        const KikanMedium *m = g_hash_table_lookup (s->medium_of, r->asset_id);
        KikanLedgerChange *c;

        g_hash_table_add (in_file, r->asset_id);
        /* Nothing of such a row is written, so nothing of it is listed. */
        if (l == NULL && returned_at_kiosk (s, r)) {
            d->returned_at_kiosk++;
            continue;
        }
        if (!g_hash_table_contains (employees_seen, r->employee_id)) {
            const char *name = g_hash_table_lookup (s->name_of, r->employee_id);

            g_hash_table_add (employees_seen, r->employee_id);
            if (!g_hash_table_contains (s->name_of, r->employee_id)) {
                d->employees_added++;
                add_field (d->new_employees, r->employee_id, NULL, r->employee_name);
            } else if (g_strcmp0 (name, r->employee_name) != 0) {
                d->employees_renamed++;
                add_field (d->renamed, r->employee_id, name, r->employee_name);
            }
        }

        c = g_new0 (KikanLedgerChange, 1);
        c->asset_id = g_strdup (r->asset_id);
        c->employee_id = g_strdup (r->employee_id);
        c->lent_on = g_strdup (r->lent_on);
        c->line = r->line;
        c->fields = g_ptr_array_new_with_free_func ((GDestroyNotify)field_change_free);
        if (l == NULL) {
            if (s->store != NULL && d->refusal == NULL) {
                g_autofree char *held = NULL;
                g_autoptr (GError) held_error = NULL;

                if (!kikan_ledger_asset_held (s->store, r->asset_id, &held, &held_error))
                    held = g_strdup (held_error->message);
                if (held != NULL) {
                    g_autofree char *aid = kikan_escape_for_display (r->asset_id, -1);

                    d->refusal = g_strdup_printf ("line %u: asset %s cannot be lent: %s", r->line,
                                                  aid, held);
                }
            }
            c->kind = KIKAN_LEDGER_ADDED;
            c->new_asset = a == NULL;
            add_field (c->fields, "due_on", NULL, r->due_on);
            add_field (c->fields, "telework_method", NULL, r->telework_method);
            /* An asset back from an earlier loan is rewritten like one on
             * loan: what changes in it is shown. */
            compare_asset (c->fields, a, r);
            compare_medium (c->fields, m, r, cols);
            g_ptr_array_add (d->changes, c);
            d->added++;
            continue;
        }
        c->kind = KIKAN_LEDGER_CHANGED;
        c->loan_id = l->id;
        c->new_holder = strcmp (l->employee_id, r->employee_id) != 0;
        add_field (c->fields, "employee_id", l->employee_id, r->employee_id);
        add_field (c->fields, "lent_on", l->lent_on, r->lent_on);
        /* A new holder's loan is a new row with the file's due date and
         * method, whether the file has those columns or not. */
        if (c->new_holder || (cols & KIKAN_LEDGER_COL_DUE_ON))
            add_field (c->fields, "due_on", l->due_on, r->due_on);
        if (c->new_holder || (cols & KIKAN_LEDGER_COL_TELEWORK_METHOD))
            add_field (c->fields, "telework_method", l->telework_method, r->telework_method);
        compare_asset (c->fields, a, r);
        compare_medium (c->fields, m, r, cols);
        if (c->fields->len == 0) {
            change_free (c);
            d->unchanged++;
            continue;
        }
        g_ptr_array_add (d->changes, c);
        d->changed++;
    }
    for (guint i = 0; i < s->loans->len; i++) {
        const KikanLoan *l = g_ptr_array_index (s->loans, i);
        KikanLedgerChange *c;

        if (g_hash_table_contains (in_file, l->asset_id))
            continue;
        c = g_new0 (KikanLedgerChange, 1);
        c->kind = KIKAN_LEDGER_REMOVED;
        c->asset_id = g_strdup (l->asset_id);
        c->employee_id = g_strdup (l->employee_id);
        c->lent_on = g_strdup (l->lent_on);
        c->loan_id = l->id;
        c->fields = g_ptr_array_new_with_free_func ((GDestroyNotify)field_change_free);
        g_ptr_array_add (removed, c);
        d->removed++;
    }
    g_ptr_array_sort (removed, by_asset);
    for (guint i = 0; i < removed->len; i++)
        g_ptr_array_add (d->changes, g_ptr_array_index (removed, i));
    d->fingerprint = fingerprint (file, d);
    return d;
}

KikanLedgerDiff *
kikan_ledger_diff (KikanStore *store, const KikanLedgerFile *file, GError **error)
{
    Snapshot s = { 0 };
    KikanLedgerDiff *d = NULL;

    g_return_val_if_fail (file != NULL, NULL);
    if (snapshot_load (store, &s, error))
        d = diff_with (&s, file);
    snapshot_clear (&s);
    return d;
}

/* ------------------------------------------------------------ apply */

/* Steps @st once and resets it for the next row. */
static gboolean
run (KikanStore *store, sqlite3_stmt *st, GError **error)
{
    int rc = sqlite3_step (st);

    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    if (rc != SQLITE_DONE)
        return kikan_store_set_error (error, kikan_store_get_db (store), rc,
                                      "The ledger could not be updated");
    return TRUE;
}

/* The later of @a and @b (dates compare as text). */
static const char *
later (const char *a, const char *b)
{
    return strcmp (a, b) >= 0 ? a : b;
}

/* The file's rows by asset ID (borrowed). */
static GHashTable *
rows_by_asset (const KikanLedgerFile *file)
{
    GHashTable *row_of = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < file->rows->len; i++) {
        const KikanLedgerRow *r = g_ptr_array_index (file->rows, i);

        g_hash_table_insert (row_of, r->asset_id, (gpointer)r);
    }
    return row_of;
}

/* Writes the employees, assets and media register entries of @d, and
 * nothing else: an employee it adds or renames, an asset whose change
 * lists an asset field, a medium whose change lists a medium field.  The
 * values come from the rows @d was computed from. */
static gboolean
upsert_rows (KikanStore *store, const KikanLedgerFile *file, const KikanLedgerDiff *d,
             const Snapshot *s, GHashTable *row_of, const char *now, GError **error)
{
    GPtrArray *employees[] = { d->new_employees, d->renamed };
    sqlite3_stmt *emp = NULL, *asset = NULL, *med_ins = NULL, *med_upd = NULL;
    gboolean ok = FALSE;

    emp = kikan_store_prepare (
        store,
        "INSERT INTO employees (id, name, updated_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
        "updated_at = excluded.updated_at WHERE employees.name IS NOT excluded.name",
        error);
    /* Optional columns absent from the file (?5, ?6 NULL) keep the
     * stored value. */
    asset
        = emp == NULL
              ? NULL
              : kikan_store_prepare (
                  store,
                  "INSERT INTO assets (id, type, serial, encryption_required, "
                  "classification_max, ownership, updated_at) VALUES (?1, ?2, ?3, ?4, "
                  "coalesce(?5, 'internal'), coalesce(?6, 'company'), ?7) "
                  "ON CONFLICT (id) DO UPDATE SET type = excluded.type, serial = excluded.serial, "
                  "encryption_required = excluded.encryption_required, "
                  "classification_max = coalesce(?5, assets.classification_max), "
                  "ownership = coalesce(?6, assets.ownership), updated_at = excluded.updated_at "
                  "WHERE assets.type IS NOT excluded.type OR assets.serial IS NOT excluded.serial "
                  "OR assets.encryption_required IS NOT excluded.encryption_required "
                  "OR (?5 IS NOT NULL AND assets.classification_max IS NOT ?5) "
                  "OR (?6 IS NOT NULL AND assets.ownership IS NOT ?6)",
                  error);
    med_ins = asset == NULL
                  ? NULL
                  : kikan_store_prepare (
                      store,
                      "INSERT INTO media (asset_id, vid, pid, usb_serial, hardware_encrypted, "
                      "registered_at, registered_by) VALUES (?, ?, ?, ?, ?, ?, 'ledger import')",
                      error);
    /* A new USB identity is a new registration: what was recorded about
     * the old device (descriptors, fingerprint) no longer applies. */
    med_upd
        = med_ins == NULL
              ? NULL
              : kikan_store_prepare (
                  store,
                  "UPDATE media SET vid = ?2, pid = ?3, usb_serial = ?4, hardware_encrypted = ?5, "
                  "manufacturer = CASE WHEN ?6 THEN NULL ELSE manufacturer END, "
                  "product = CASE WHEN ?6 THEN NULL ELSE product END, "
                  "fingerprint = CASE WHEN ?6 THEN NULL ELSE fingerprint END, "
                  "registered_at = CASE WHEN ?6 THEN ?7 ELSE registered_at END, "
                  "registered_by = CASE WHEN ?6 THEN 'ledger import' ELSE registered_by END "
                  "WHERE asset_id = ?1",
                  error);
    if (med_upd == NULL)
        goto out;

    for (gsize k = 0; k < G_N_ELEMENTS (employees); k++) {
        for (guint i = 0; i < employees[k]->len; i++) {
            const KikanLedgerFieldChange *e = g_ptr_array_index (employees[k], i);

            kikan_store_bind_text (emp, 1, e->field);
            kikan_store_bind_text (emp, 2, e->new_value);
            kikan_store_bind_text (emp, 3, now);
            if (!run (store, emp, error))
                goto out;
        }
    }
    for (guint i = 0; i < d->changes->len; i++) {
        const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);
        const KikanLedgerRow *r = g_hash_table_lookup (row_of, c->asset_id);
        const KikanMedium *m = g_hash_table_lookup (s->medium_of, c->asset_id);
        const char *serial;
        gboolean hw;

        if (c->kind == KIKAN_LEDGER_REMOVED)
            continue;
        if (lists_any (c, asset_fields)) {
            kikan_store_bind_text (asset, 1, r->asset_id);
            kikan_store_bind_text (asset, 2, r->asset_type);
            kikan_store_bind_text (asset, 3, r->serial);
            sqlite3_bind_int (asset, 4, r->encryption_required ? 1 : 0);
            kikan_store_bind_text (asset, 5, r->classification);
            kikan_store_bind_text (asset, 6, r->ownership);
            kikan_store_bind_text (asset, 7, now);
            if (!run (store, asset, error))
                goto out;
        }
        if (!lists_any (c, medium_fields))
            continue;
        medium_wanted (r, file->columns, m, &serial, &hw);
        if (m == NULL) {
            kikan_store_bind_text (med_ins, 1, r->asset_id);
            sqlite3_bind_int (med_ins, 2, r->usb_vid);
            sqlite3_bind_int (med_ins, 3, r->usb_pid);
            kikan_store_bind_text (med_ins, 4, serial);
            sqlite3_bind_int (med_ins, 5, hw ? 1 : 0);
            kikan_store_bind_text (med_ins, 6, now);
            if (!run (store, med_ins, error))
                goto out;
        } else {
            kikan_store_bind_text (med_upd, 1, r->asset_id);
            sqlite3_bind_int (med_upd, 2, r->usb_vid);
            sqlite3_bind_int (med_upd, 3, r->usb_pid);
            kikan_store_bind_text (med_upd, 4, serial);
            sqlite3_bind_int (med_upd, 5, hw ? 1 : 0);
            sqlite3_bind_int (med_upd, 6, lists_any (c, identity_fields) ? 1 : 0);
            kikan_store_bind_text (med_upd, 7, now);
            if (!run (store, med_upd, error))
                goto out;
        }
    }
    ok = TRUE;
out:
    sqlite3_finalize (emp);
    sqlite3_finalize (asset);
    sqlite3_finalize (med_ins);
    sqlite3_finalize (med_upd);
    return ok;
}

static gboolean
apply_loans (KikanStore *store, const KikanLedgerFile *file, const KikanLedgerDiff *d,
             const Snapshot *s, GHashTable *row_of, const char *today, GError **error)
{
    sqlite3_stmt *ins = NULL, *upd = NULL;
    gboolean ok = FALSE;

    ins = kikan_store_prepare (store,
                               "INSERT INTO loans (asset_id, employee_id, lent_on, due_on, "
                               "telework_method) VALUES (?, ?, ?, ?, ?)",
                               error);
    upd = ins == NULL ? NULL
                      : kikan_store_prepare (
                          store,
                          "UPDATE loans SET lent_on = ?2, "
                          "due_on = CASE WHEN ?3 THEN ?4 ELSE due_on END, "
                          "telework_method = CASE WHEN ?5 THEN ?6 ELSE telework_method END "
                          "WHERE id = ?1 AND returned_on IS NULL",
                          error);
    if (upd == NULL)
        goto out;
    for (guint i = 0; i < d->changes->len; i++) {
        const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);
        const KikanLedgerRow *r = g_hash_table_lookup (row_of, c->asset_id);
        const KikanLoan *l = g_hash_table_lookup (s->loan_of, c->asset_id);

        if (c->kind == KIKAN_LEDGER_REMOVED) {
            /* Never returned before it was lent (docs/store.md). */
            if (!kikan_ledger_close_loan (store, c->loan_id, later (today, l->lent_on), 0,
                                          "removed by import", error))
                goto out;
            continue;
        }
        if (c->kind == KIKAN_LEDGER_CHANGED && !c->new_holder) {
            sqlite3_bind_int64 (upd, 1, c->loan_id);
            kikan_store_bind_text (upd, 2, r->lent_on);
            sqlite3_bind_int (upd, 3, (file->columns & KIKAN_LEDGER_COL_DUE_ON) != 0);
            kikan_store_bind_text (upd, 4, r->due_on);
            sqlite3_bind_int (upd, 5, (file->columns & KIKAN_LEDGER_COL_TELEWORK_METHOD) != 0);
            kikan_store_bind_text (upd, 6, r->telework_method);
            if (!run (store, upd, error))
                goto out;
            continue;
        }
        if (c->kind == KIKAN_LEDGER_CHANGED) {
            /* Another holder: the old loan ends, a new one begins, so the
             * history says who held the asset when. */
            g_autofree char *note
                = g_strdup_printf ("transferred to %s by import", r->employee_id);

            if (!kikan_ledger_close_loan (store, c->loan_id, later (today, l->lent_on), 0, note,
                                          error))
                goto out;
        }
        kikan_store_bind_text (ins, 1, r->asset_id);
        kikan_store_bind_text (ins, 2, r->employee_id);
        kikan_store_bind_text (ins, 3, r->lent_on);
        kikan_store_bind_text (ins, 4, r->due_on);
        kikan_store_bind_text (ins, 5, r->telework_method);
        if (!run (store, ins, error))
            goto out;
    }
    ok = TRUE;
out:
    sqlite3_finalize (ins);
    sqlite3_finalize (upd);
    return ok;
}

static char *
summary_json (const KikanLedgerFile *file, const KikanLedgerDiff *d)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "action");
    json_builder_add_string_value (b, "import");
    kikan_json_add_hostile_string (b, "file", file->name);
    json_builder_set_member_name (b, "sha256");
    json_builder_add_string_value (b, file->sha256);
    json_builder_set_member_name (b, "rows");
    json_builder_add_int_value (b, file->rows->len);
    /* Names exactly the writes below: the preview that showed them has
     * the same fingerprint (KR-02). */
    json_builder_set_member_name (b, "fingerprint");
    json_builder_add_string_value (b, d->fingerprint);
#define COUNT(name)                                                                               \
    json_builder_set_member_name (b, #name);                                                      \
    json_builder_add_int_value (b, d->name)
    COUNT (added);
    COUNT (changed);
    COUNT (removed);
    COUNT (unchanged);
    COUNT (returned_at_kiosk);
    COUNT (employees_added);
    COUNT (employees_renamed);
#undef COUNT
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    return json_generator_to_data (gen, NULL);
}

gboolean
kikan_ledger_import (KikanStore *store, const KikanLedgerFile *file, KikanLedgerImportFlags flags,
                     const char *previewed, KikanLedgerDiff **diff_out, GError **error)
{
    g_autoptr (KikanLedgerDiff) d = NULL;
    g_autofree char *now = kikan_store_now_iso ();
    g_autofree char *today = kikan_store_today ();
    g_autofree char *summary = NULL;
    g_autofree char *source = NULL;
    g_autoptr (GHashTable) row_of = NULL;
    Snapshot s = { 0 };

    g_return_val_if_fail (store != NULL && file != NULL, FALSE);
    if (!kikan_store_begin (store, error))
        return FALSE;
    if (!snapshot_load (store, &s, error))
        goto fail;
    d = diff_with (&s, file);
    if (d->refusal != NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                     "The file cannot be imported: %s. IT settles it first (“kikan it resolve” "
                     "or “kikan it override”), or the asset tool drops that loan; nothing was "
                     "imported.",
                     d->refusal);
        goto fail;
    }
    /* Checked here, in the transaction, against the store as it is now:
     * not by the caller against the store as it was at the preview. */
    if (previewed != NULL && strcmp (previewed, d->fingerprint) != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_CHANGED,
                     "The file or the ledger has changed since the preview, so the import would "
                     "no longer make the changes that were shown; nothing was imported. Preview "
                     "the file again.");
        goto fail;
    }
    if (file->rows->len == 0 && d->removed > 0 && !(flags & KIKAN_LEDGER_IMPORT_ALLOW_EMPTY)) {
        g_autofree char *name = kikan_escape_for_display (file->name, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_EMPTY,
                     "%s lists no loans at all; importing it would close every open loan (%u of "
                     "them). Nothing was imported.",
                     name, d->removed);
        goto fail;
    }
    /* Employees and assets first (every loan refers to them); then the
     * loans, where a new holder's loan is opened only after the old one
     * is closed (one open loan per asset). */
    row_of = rows_by_asset (file);
    if (!upsert_rows (store, file, d, &s, row_of, now, error)
        || !apply_loans (store, file, d, &s, row_of, today, error))
        goto fail;
    summary = summary_json (file, d);
    source = g_strdup_printf ("import %s (sha256 %s)", file->name, file->sha256);
    if (!kikan_ledger_log_change (store, source, summary, error)
        || !kikan_store_commit (store, error))
        goto fail;
    snapshot_clear (&s);
    if (diff_out != NULL)
        *diff_out = g_steal_pointer (&d);
    return TRUE;
fail:
    kikan_store_rollback (store);
    snapshot_clear (&s);
    return FALSE;
}
