/* Kikan kiosk: issuing a clearance slip from an ended session (issue #10
 * item 4; KR-12, KR-27, KR-28, JNSA-2.6; docs/slip.md).
 *
 * One transaction: the slip number is taken, the payload carries the
 * audit chain head as it stands before the slip's own record, the PDF is
 * written, fsync'd and renamed into $KIKAN_HOME/slips/<YYYY>/ while the
 * write lock is held, and only then are the `slips` row and its
 * "slip_issued" record committed.  A crash leaves either no row (and at
 * most an unreferenced PDF) or a row whose PDF is on disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "audit-private.h"
#include "checkin-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "format-private.h"
#include "seal-private.h"
#include "slip-private.h"

/* ---- small things ---- */

gboolean
kikan_slip_layout_from_string (const char *s, KikanSlipLayout *out)
{
    if (g_strcmp0 (s, "receipt") == 0)
        *out = KIKAN_SLIP_RECEIPT;
    else if (g_strcmp0 (s, "a4") == 0)
        *out = KIKAN_SLIP_A4;
    else
        return FALSE;
    return TRUE;
}

gboolean
kikan_slip_language_from_string (const char *s, KikanSlipLanguage *out)
{
    if (g_strcmp0 (s, "ja") == 0)
        *out = KIKAN_SLIP_JA;
    else if (g_strcmp0 (s, "en") == 0)
        *out = KIKAN_SLIP_EN;
    else
        return FALSE;
    return TRUE;
}

const char *
kikan_slip_layout_to_string (KikanSlipLayout l)
{
    return l == KIKAN_SLIP_A4 ? "a4" : "receipt";
}

const char *
kikan_slip_language_to_string (KikanSlipLanguage l)
{
    return l == KIKAN_SLIP_EN ? "en" : "ja";
}

/* ---- [slip] of kikan.conf ---- */

void
kikan_slip_config_free (KikanSlipConfig *self)
{
    if (self == NULL)
        return;
    g_free (self->contact_name);
    g_free (self->contact_phone);
    g_free (self->contact_mail);
    g_free (self);
}

static gboolean
config_error (GError **error, const char *path, const char *key, const char *why)
{
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                 "%s: [slip] %s %s. Correct it (docs/slip.md lists the keys).", path, key, why);
    return FALSE;
}

KikanSlipConfig *
kikan_slip_config_load (const char *path, GError **error)
{
    static const char *const known[] = { "valid_hours",   "contact_name", "contact_mail",
                                         "contact_phone", "layout",       "language" };
    g_autoptr (KikanSlipConfig) c = g_new0 (KikanSlipConfig, 1);
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    g_auto (GStrv) keys = NULL;

    c->valid_hours = KIKAN_SLIP_DEFAULT_VALID_HOURS;
    c->layout = KIKAN_SLIP_RECEIPT;
    c->language = KIKAN_SLIP_JA;
    if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&c);
    if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG, "%s cannot be read: %s.", path,
                     local->message);
        return NULL;
    }
    if (!g_key_file_has_group (kf, "slip"))
        return g_steal_pointer (&c);
    keys = g_key_file_get_keys (kf, "slip", NULL, NULL);
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
        g_autofree char *v = g_key_file_get_string (kf, "slip", keys[i], NULL);
        gboolean found = FALSE;

        for (gsize k = 0; k < G_N_ELEMENTS (known); k++)
            found |= strcmp (keys[i], known[k]) == 0;
        if (!found) {
            g_autofree char *shown = kikan_escape_for_display (keys[i], -1);

            config_error (error, path, shown, "is not a setting Kikan knows (a typo?)");
            return NULL;
        }
        if (v == NULL || !g_utf8_validate (v, -1, NULL) || strlen (v) > 200) {
            config_error (error, path, keys[i], "is not text of at most 200 characters");
            return NULL;
        }
        if (strcmp (keys[i], "valid_hours") == 0) {
            guint64 h = 0;

            if (!g_ascii_string_to_unsigned (v, 10, 1, 24 * 31, &h, NULL)) {
                config_error (error, path, keys[i], "must be a whole number of hours, 1 to 744");
                return NULL;
            }
            c->valid_hours = (guint)h;
        } else if (strcmp (keys[i], "layout") == 0) {
            if (!kikan_slip_layout_from_string (v, &c->layout)) {
                config_error (error, path, keys[i], "must be receipt or a4");
                return NULL;
            }
        } else if (strcmp (keys[i], "language") == 0) {
            if (!kikan_slip_language_from_string (v, &c->language)) {
                config_error (error, path, keys[i], "must be ja or en");
                return NULL;
            }
        } else {
            char **to = strcmp (keys[i], "contact_name") == 0    ? &c->contact_name
                        : strcmp (keys[i], "contact_phone") == 0 ? &c->contact_phone
                                                                 : &c->contact_mail;

            g_free (*to);
            *to = g_steal_pointer (&v);
        }
    }
    return g_steal_pointer (&c);
}

/* ---- the document ---- */

static void
reason_free (gpointer p)
{
    KikanSlipReason *r = p;

    g_free (r->code);
    g_free (r->provenance);
    g_free (r->level);
    g_free (r->text);
    g_free (r->condition);
    g_free (r->until);
    g_free (r);
}

static void
item_free (gpointer p)
{
    KikanSlipItem *it = p;

    g_free (it->asset);
    g_free (it->type);
    g_free (it->serial);
    g_free (it->presence);
    g_free (it->verdict);
    g_free (it->result);
    g_free (it->encryption);
    g_ptr_array_unref (it->reasons);
    g_free (it);
}

KikanSlipDoc *
kikan_slip_doc_new (void)
{
    KikanSlipDoc *d = g_new0 (KikanSlipDoc, 1);

    d->reasons = g_ptr_array_new_with_free_func (reason_free);
    d->items = g_ptr_array_new_with_free_func (item_free);
    d->incidents = g_ptr_array_new_with_free_func (g_free);
    d->it_staff = g_ptr_array_new_with_free_func (g_free);
    return d;
}

void
kikan_slip_doc_free (KikanSlipDoc *d)
{
    if (d == NULL)
        return;
    g_free (d->number);
    g_free (d->copy_of_number);
    g_free (d->kiosk_id);
    g_free (d->session_uuid);
    g_free (d->employee_id);
    g_free (d->employee_name);
    g_free (d->telework_from);
    g_free (d->telework_to);
    g_free (d->telework_method);
    g_free (d->policy_version);
    g_free (d->sig_version);
    g_free (d->sig_date);
    g_free (d->verdict);
    g_ptr_array_unref (d->reasons);
    g_ptr_array_unref (d->items);
    g_ptr_array_unref (d->incidents);
    g_ptr_array_unref (d->it_staff);
    g_free (d->contact_name);
    g_free (d->contact_phone);
    g_free (d->contact_mail);
    g_free (d->payload);
    g_free (d);
}

void
kikan_slip_issued_free (KikanSlipIssued *self)
{
    if (self == NULL)
        return;
    g_free (self->number);
    g_free (self->pdf_path);
    g_free (self->pdf_sha256);
    g_free (self->payload);
    g_free (self->chain_head);
    g_free (self->verdict);
    g_free (self);
}

static char *
dup_member (JsonObject *o, const char *m)
{
    JsonNode *n = o != NULL && json_object_has_member (o, m) ? json_object_get_member (o, m)
                                                             : NULL;

    return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
               ? g_strdup (json_node_get_string (n))
               : NULL;
}

static gint64
int_member (JsonObject *o, const char *m)
{
    JsonNode *n = o != NULL && json_object_has_member (o, m) ? json_object_get_member (o, m)
                                                             : NULL;

    return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64
               ? json_node_get_int (n)
               : 0;
}

static void
add_reasons (GPtrArray *out, JsonObject *o)
{
    JsonArray *a = o != NULL && json_object_has_member (o, "reasons")
                           && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "reasons"))
                       ? json_object_get_array_member (o, "reasons")
                       : NULL;

    for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
        JsonNode *n = json_array_get_element (a, i);
        JsonObject *r = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
        KikanSlipReason *x;

        if (r == NULL)
            continue;
        x = g_new0 (KikanSlipReason, 1);
        x->code = dup_member (r, "code");
        x->provenance = dup_member (r, "provenance");
        x->level = dup_member (r, "level");
        x->text = dup_member (r, "text");
        if (json_object_has_member (r, "condition")
            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (r, "condition"))) {
            JsonObject *c = json_object_get_object_member (r, "condition");

            x->condition = dup_member (c, "text");
            x->until = dup_member (c, "until");
        }
        g_ptr_array_add (out, x);
    }
}

static gboolean
query_row (KikanStore *store, const char *sql, gint64 id, sqlite3_stmt **out, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (store, sql, error);
    int rc;

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, id);
    rc = sqlite3_step (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_finalize (st);
        return kikan_store_fail (store, "Could not read the session for its slip", error);
    }
    if (rc == SQLITE_DONE) {
        sqlite3_finalize (st);
        st = NULL;
    }
    *out = st;
    return TRUE;
}

/* Everything the slip prints, from the store (REQUIREMENTS 5.5). */
static KikanSlipDoc *
gather (KikanStore *store, gint64 session_id, GError **error)
{
    g_autoptr (KikanSlipDoc) d = kikan_slip_doc_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *state = NULL;
    JsonObject *o;
    JsonArray *items, *incidents;
    sqlite3_stmt *st = NULL;
    int rc;

    if (!query_row (store,
                    "SELECT s.state, s.policy_version, s.sig_version, s.sig_time, s.ended_at "
                    "FROM sessions s WHERE s.id = ?",
                    session_id, &st, error))
        return NULL;
    if (st == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "There is no check-in session %" G_GINT64_FORMAT " on this kiosk.",
                     session_id);
        return NULL;
    }
    state = kikan_store_column_dup (st, 0);
    d->policy_version = kikan_store_column_dup (st, 1);
    d->sig_version = kikan_store_column_dup (st, 2);
    d->sig_date = kikan_store_column_dup (st, 3);
    d->telework_to = kikan_store_column_dup (st, 4);
    sqlite3_finalize (st);
    if (g_strcmp0 (state, "ended") != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Session %" G_GINT64_FORMAT " has not ended (it is %s): only a check-in "
                     "that ended with a decision gets a slip.",
                     session_id, state);
        return NULL;
    }
    if (d->telework_to != NULL && strlen (d->telework_to) > 10)
        d->telework_to[10] = '\0';

    if ((root = kikan_checkin_session_to_json (store, session_id, error)) == NULL)
        return NULL;
    o = json_node_get_object (root);
    d->session_uuid = dup_member (o, "session");
    d->verdict = dup_member (o, "verdict");
    {
        JsonObject *emp = json_object_get_object_member (o, "employee");

        d->employee_id = dup_member (emp, "id");
        d->employee_name = dup_member (emp, "name");
    }
    add_reasons (d->reasons, o);
    items = json_object_get_array_member (o, "items");
    for (guint i = 0; items != NULL && i < json_array_get_length (items); i++) {
        JsonObject *io = json_array_get_object_element (items, i);
        KikanSlipItem *it = g_new0 (KikanSlipItem, 1);

        it->reasons = g_ptr_array_new_with_free_func (reason_free);
        it->asset = dup_member (io, "asset");
        if (it->asset == NULL)
            it->asset = dup_member (io, "presented_as");
        if (it->asset == NULL)
            it->asset = g_strdup ("?");
        it->type = dup_member (io, "type");
        if (it->type == NULL)
            it->type = g_strdup ("medium");
        it->serial = dup_member (io, "serial");
        it->presence = dup_member (io, "presence");
        it->verdict = dup_member (io, "verdict");
        add_reasons (it->reasons, io);
        if (json_object_has_member (io, "inspection")
            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (io, "inspection"))) {
            JsonObject *n = json_object_get_object_member (io, "inspection");
            JsonArray *f = json_object_has_member (n, "findings")
                               ? json_object_get_array_member (n, "findings")
                               : NULL;

            it->inspected = TRUE;
            it->result = dup_member (n, "result");
            it->files = int_member (n, "files");
            it->bytes = int_member (n, "bytes");
            it->not_inspected = int_member (n, "not_inspected");
            it->encryption = dup_member (n, "encryption");
            for (guint k = 0; f != NULL && k < json_array_get_length (f); k++) {
                g_autofree char *kind
                    = dup_member (json_array_get_object_element (f, k), "kind");

                it->software_findings += g_strcmp0 (kind, "software") == 0;
            }
        }
        g_ptr_array_add (d->items, it);
    }
    incidents = json_object_get_array_member (o, "incidents");
    for (guint i = 0; incidents != NULL && i < json_array_get_length (incidents); i++) {
        char *n = dup_member (json_array_get_object_element (incidents, i), "number");

        if (n != NULL)
            g_ptr_array_add (d->incidents, n);
    }

    /* The telework period: from the earliest loan the items came back on. */
    if (!query_row (store,
                    "SELECT min(l.lent_on), max(l.telework_method) FROM items i JOIN loans l "
                    "ON l.id = i.loan_id WHERE i.session_id = ? HAVING count(*) > 0",
                    session_id, &st, error))
        return NULL;
    if (st != NULL) {
        d->telework_from = kikan_store_column_dup (st, 0);
        d->telework_method = kikan_store_column_dup (st, 1);
        sqlite3_finalize (st);
    }
    if (d->telework_from == NULL)
        g_clear_pointer (&d->telework_to, g_free);

    /* KR-12: the definitions the inspections used, else the kiosk's at
     * the start of the session. */
    if (!query_row (store,
                    "SELECT n.db_version, n.db_time FROM inspections n JOIN items i ON "
                    "i.id = n.item_id WHERE i.session_id = ? AND n.db_version IS NOT NULL "
                    "ORDER BY n.id DESC LIMIT 1",
                    session_id, &st, error))
        return NULL;
    if (st != NULL) {
        g_free (d->sig_version);
        g_free (d->sig_date);
        d->sig_version = kikan_store_column_dup (st, 0);
        d->sig_date = kikan_store_column_dup (st, 1);
        sqlite3_finalize (st);
    }

    st = kikan_store_prepare (store,
                              "SELECT by_user FROM it_actions WHERE session_id = ? GROUP BY by_user "
                              "ORDER BY min(id)",
                              error);
    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, session_id);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        g_ptr_array_add (d->it_staff, kikan_store_column_dup (st, 0));
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the IT actions", error), NULL;
    return g_steal_pointer (&d);
}

/* PROC-03's date (JNSA-2.6), for the network team: 0 when none. */
static gint64
monitor_until (const KikanSlipDoc *d)
{
    for (guint i = 0; i <= d->items->len; i++) {
        GPtrArray *reasons
            = i < d->items->len ? ((KikanSlipItem *)d->items->pdata[i])->reasons : d->reasons;

        for (guint k = 0; k < reasons->len; k++) {
            const KikanSlipReason *r = reasons->pdata[k];
            int y, m, day;

            if (g_strcmp0 (r->code, "PROC-03") == 0 && r->until != NULL
                && sscanf (r->until, "%4d-%2d-%2d", &y, &m, &day) == 3) {
                g_autoptr (GDateTime) dt = g_date_time_new_utc (y, m, day, 0, 0, 0);

                if (dt != NULL)
                    return g_date_time_to_unix (dt);
            }
        }
    }
    return 0;
}

/* ---- writing the PDF durably ---- */

static gboolean
fsync_path (const char *path, gboolean dir, GError **error)
{
    int fd = open (path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    int saved;

    if (fd >= 0 && fsync (fd) == 0) {
        close (fd);
        return TRUE;
    }
    saved = errno;
    if (fd >= 0)
        close (fd);
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                 "The slip %s could not be written to disk: %s. Check the kiosk's storage; no "
                 "slip was issued.",
                 path, g_strerror (saved));
    return FALSE;
}

static char *
sha256_file (const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len;

    if (!g_file_get_contents (path, &data, &len, error))
        return NULL;
    return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)data, len);
}

/* Renders @doc into slips/<YYYY>/<number>.pdf: temp file, fsync, rename,
 * fsync of the folder.  *relative gets the path under the home. */
static char *
write_pdf (KikanHome *home, const KikanSlipDoc *doc, KikanSlipLayout layout,
           KikanSlipLanguage language, char **relative, GError **error)
{
    g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (doc->issued_at);
    g_autofree char *year = g_date_time_format (t, "%Y");
    g_autofree char *sub = g_build_filename ("slips", year, NULL);
    g_autofree char *dir = NULL;
    g_autofree char *name = g_strconcat (doc->number, ".pdf", NULL);
    g_autofree char *path = NULL, *tmp = NULL;

    g_autofree char *top = kikan_home_ensure_dir (home, "slips", error);

    if (top == NULL)
        return NULL;
    if ((dir = kikan_home_ensure_dir (home, sub, error)) == NULL)
        return NULL;
    path = g_build_filename (dir, name, NULL);
    tmp = g_strconcat (path, ".tmp", NULL);
    if (g_file_test (path, G_FILE_TEST_EXISTS)) {
        /* The caller holds the store's write lock and the store has no slip
         * of this number: the file is what a crash between a PDF's rename
         * and its commit left (the number was never issued).  It is kept,
         * aside, for IT and the auditor, and never blocks the next slip. */
        g_autofree char *aside = g_strdup_printf ("%s.orphan-%" G_GINT64_FORMAT, path,
                                                  g_get_real_time () / G_USEC_PER_SEC);

        if (g_rename (path, aside) != 0) {
            int saved = errno;

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "%s was left by an earlier crash and cannot be moved aside (%s): no "
                         "slip was issued; tell IT.",
                         path, g_strerror (saved));
            return NULL;
        }
        g_printerr ("kikan: a slip PDF a crash left behind (never issued) was kept as %s.\n",
                    aside);
    }
    if (!kikan_slip_render (doc, layout, language, tmp, error)
        || !fsync_path (tmp, FALSE, error)) {
        g_unlink (tmp);
        return NULL;
    }
    if (g_rename (tmp, path) != 0) {
        int saved = errno;

        g_unlink (tmp);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "The slip %s could not be saved: %s.",
                     path, g_strerror (saved));
        return NULL;
    }
    if (!fsync_path (dir, TRUE, error)) {
        g_unlink (path);
        return NULL;
    }
    *relative = g_build_filename (sub, name, NULL);
    return g_steal_pointer (&path);
}

/* ---- issuing ---- */

static JsonNode *
issued_record (const KikanSlipIssued *s, const char *session_uuid, const char *copy_of)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "number");
    json_builder_add_string_value (b, s->number);
    kikan_json_add_hostile_string (b, "session", session_uuid);
    json_builder_set_member_name (b, "pdf_sha256");
    json_builder_add_string_value (b, s->pdf_sha256);
    json_builder_set_member_name (b, "payload");
    json_builder_add_string_value (b, s->payload);
    json_builder_set_member_name (b, "chain_seq");
    json_builder_add_int_value (b, s->chain_seq);
    json_builder_set_member_name (b, "chain_head");
    json_builder_add_string_value (b, s->chain_head);
    json_builder_set_member_name (b, "copy_of");
    if (copy_of != NULL)
        json_builder_add_string_value (b, copy_of);
    else
        json_builder_add_null_value (b);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

static gboolean
hex_prefix (const char *hex, guint8 out[KIKAN_SLIP_HEAD_LEN])
{
    gsize len = 0;

    return hex != NULL && strlen (hex) >= 2 * KIKAN_SLIP_HEAD_LEN
           && sodium_hex2bin (out, KIKAN_SLIP_HEAD_LEN, hex, 2 * KIKAN_SLIP_HEAD_LEN, NULL, &len,
                              NULL)
                  == 0
           && len == KIKAN_SLIP_HEAD_LEN;
}

/* The number of slip @id (and, for a reprint, the first slip's id). */
static gboolean
original_of (KikanStore *store, gint64 id, gint64 *first, char **number, gint64 *issued_at,
             gint64 *valid_until, GError **error)
{
    sqlite3_stmt *st = NULL;
    g_autoptr (GDateTime) issued = NULL, until = NULL;

    if (!query_row (store,
                    "SELECT coalesce(o.id, s.id), coalesce(o.number, s.number), "
                    "coalesce(o.issued_at, s.issued_at), coalesce(o.valid_until, s.valid_until) "
                    "FROM slips s LEFT JOIN slips o ON o.id = s.copy_of WHERE s.id = ?",
                    id, &st, error))
        return FALSE;
    if (st == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                     "There is no slip %" G_GINT64_FORMAT " to reprint.", id);
        return FALSE;
    }
    *first = sqlite3_column_int64 (st, 0);
    *number = kikan_store_column_dup (st, 1);
    issued = g_date_time_new_from_iso8601 ((const char *)sqlite3_column_text (st, 2), NULL);
    until = g_date_time_new_from_iso8601 ((const char *)sqlite3_column_text (st, 3), NULL);
    sqlite3_finalize (st);
    if (issued == NULL || until == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE_CORRUPT,
                     "The original of slip %" G_GINT64_FORMAT " has a damaged date: run `kikan "
                     "db check`.",
                     id);
        return FALSE;
    }
    *issued_at = g_date_time_to_unix (issued);
    *valid_until = g_date_time_to_unix (until);
    return TRUE;
}

KikanSlipIssued *
kikan_slip_issue (KikanStore *store, KikanHome *home, gint64 session_id, KikanSlipLayout layout,
                  KikanSlipLanguage language, gint64 copy_of, GError **error)
{
    g_autoptr (KikanSlipDoc) doc = NULL;
    g_autoptr (KikanSlipConfig) config = NULL;
    g_autoptr (KikanSlipPayload) p = kikan_slip_payload_new ();
    g_autoptr (KikanSlipIssued) out = g_new0 (KikanSlipIssued, 1);
    g_autoptr (GBytes) prot = NULL, msg = NULL;
    g_autoptr (JsonNode) record = NULL;
    g_autoptr (GError) local = NULL;
    g_autofree char *kiosk_id = NULL, *config_path = NULL, *relative = NULL;
    guint8 pk[KIKAN_AUDIT_PUBLIC_KEY_LEN], sig[KIKAN_AUDIT_SIGNATURE_LEN];
    char head[65];
    gint64 seq = 0, original_issued = 0, original_until = 0;
    sqlite3_stmt *st;
    gsize mlen;
    const guint8 *m;

    /* KR-27: a slip the network team cannot verify is not issued. */
    if (!kikan_audit_identity (store, &kiosk_id, pk, &local)) {
        if (local != NULL)
            g_propagate_error (error, g_steal_pointer (&local));
        else
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                         "This kiosk has no signing key yet: IT must run `kikan audit init` "
                         "once.");
        return NULL;
    }
    config_path = kikan_home_dup_config_path (home);
    if ((config = kikan_slip_config_load (config_path, error)) == NULL)
        return NULL;
    /* Everything the slip says is read inside the transaction that records
     * it: an IT decision committed in between cannot leave a slip showing
     * the decision before it with a chain head taken after it. */
    if (!kikan_store_begin (store, error))
        return NULL;
    if ((doc = gather (store, session_id, error)) == NULL)
        goto fail;
    doc->kiosk_id = g_strdup (kiosk_id);
    doc->contact_name = g_strdup (config->contact_name ? config->contact_name
                                                       : "IT security desk / 情報セキュリティ窓口");
    doc->contact_phone = g_strdup (config->contact_phone
                                       ? config->contact_phone
                                       : "(not set: [slip] contact_phone in kikan.conf)");
    doc->contact_mail = g_strdup (config->contact_mail);
    if (copy_of > 0) {
        gint64 first = 0;

        if (!original_of (store, copy_of, &first, &doc->copy_of_number, &original_issued,
                          &original_until, error))
            goto fail;
        copy_of = first;
        doc->copy = TRUE;
    }

    if ((st = kikan_store_prepare (store, "SELECT coalesce(max(id), 0) + 1 FROM slips", error))
        == NULL)
        goto fail;
    if (sqlite3_step (st) != SQLITE_ROW) {
        sqlite3_finalize (st);
        kikan_store_fail (store, "Could not number the slip", error);
        goto fail;
    }
    out->id = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    /* The head before this slip's own record: what the payload witnesses. */
    if (!kikan_audit_head (store, &seq, head, error))
        goto fail;
    out->number = kikan_slip_number_format (out->id);
    out->chain_seq = seq;
    out->chain_head = g_strdup (head);
    out->issued_at = kikan_store_now_unix ();
    out->valid_until = out->issued_at + (gint64)config->valid_hours * 3600;
    /* A copy allows nothing its original did not: same window (KR-27). */
    if (copy_of > 0) {
        out->issued_at = original_issued;
        out->valid_until = original_until;
    }
    out->verdict = g_strdup (doc->verdict);

    p->number = g_strdup (out->number);
    p->kiosk_id = g_strdup (kiosk_id);
    if (!kikan_slip_uuid_parse (doc->session_uuid, p->session)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE_CORRUPT,
                     "Session %" G_GINT64_FORMAT "'s UUID in the store is damaged: run `kikan db "
                     "check`.",
                     session_id);
        goto fail;
    }
    p->issued_at = out->issued_at;
    p->valid_until = out->valid_until;
    p->clock_verified = FALSE; /* KR-37 (IT's clock confirmation) is not built yet. */
    p->employee_id = g_strdup (doc->employee_id);
    /* Not decided is never carried as cleared (fail closed). */
    if (!kikan_slip_verdict_from_string (doc->verdict, &p->verdict))
        p->verdict = KIKAN_SLIP_HOLD;
    for (guint i = 0; i < doc->items->len; i++) {
        const KikanSlipItem *it = doc->items->pdata[i];
        guint v = KIKAN_SLIP_HOLD;
        KikanSlipPayloadItem *pi;

        if (!kikan_slip_verdict_from_string (it->verdict, &v))
            v = KIKAN_SLIP_HOLD;
        pi = kikan_slip_payload_add_item (p, it->asset, v);
        for (guint k = 0; k < it->reasons->len; k++)
            kikan_slip_payload_item_add_code (pi, ((KikanSlipReason *)it->reasons->pdata[k])->code);
    }
    p->chain_seq = seq;
    if (!hex_prefix (head, p->chain_head)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE_CORRUPT,
                     "The audit chain's last hash is damaged: run `kikan audit verify`.");
        goto fail;
    }
    p->copy = copy_of > 0;
    p->monitor_until = monitor_until (doc);
    if ((prot = kikan_slip_payload_encode (p, error)) == NULL)
        goto fail;
    msg = kikan_slip_signed_message (prot);
    m = g_bytes_get_data (msg, &mlen);
    if (!kikan_audit_sign (store, m, mlen, sig, error))
        goto fail;
    out->payload = kikan_slip_payload_wrap (prot, sig);

    doc->number = g_strdup (out->number);
    doc->issued_at = out->issued_at;
    doc->valid_until = out->valid_until;
    doc->payload = g_strdup (out->payload);
    doc->chain_seq = seq;
    if ((out->pdf_path = write_pdf (home, doc, layout, language, &relative, error)) == NULL)
        goto fail;
    if ((out->pdf_sha256 = sha256_file (out->pdf_path, error)) == NULL)
        goto fail_unlink;

    st = kikan_store_prepare (store,
                              "INSERT INTO slips (id, number, session_id, copy_of, issued_at, "
                              "valid_until, chain_seq, chain_head, payload, layout, language, "
                              "pdf_path, pdf_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              error);
    if (st == NULL)
        goto fail_unlink;
    {
        g_autofree char *issued = kikan_format_time_iso (out->issued_at);
        g_autofree char *valid = kikan_format_time_iso (out->valid_until);

        sqlite3_bind_int64 (st, 1, out->id);
        kikan_store_bind_text (st, 2, out->number);
        sqlite3_bind_int64 (st, 3, session_id);
        if (copy_of > 0)
            sqlite3_bind_int64 (st, 4, copy_of);
        else
            sqlite3_bind_null (st, 4);
        kikan_store_bind_text (st, 5, issued);
        kikan_store_bind_text (st, 6, valid);
        sqlite3_bind_int64 (st, 7, seq);
        kikan_store_bind_text (st, 8, head);
        kikan_store_bind_text (st, 9, out->payload);
        kikan_store_bind_text (st, 10, kikan_slip_layout_to_string (layout));
        kikan_store_bind_text (st, 11, kikan_slip_language_to_string (language));
        kikan_store_bind_text (st, 12, relative);
        kikan_store_bind_text (st, 13, out->pdf_sha256);
    }
    if (!kikan_store_step_done (store, st, "Could not record the slip", error))
        goto fail_unlink;
    record = issued_record (out, doc->session_uuid, doc->copy_of_number);
    if (!kikan_audit_append (store, "slip_issued", session_id, record, error)
        || !kikan_store_commit (store, error))
        goto fail_unlink;
    return g_steal_pointer (&out);

fail_unlink:
    /* Never recorded: the file must not pass for an issued slip. */
    g_unlink (out->pdf_path);
fail:
    kikan_store_rollback (store);
    return NULL;
}

/* ---- looking slips up ---- */

static gboolean
check_number (const char *number, GError **error)
{
    if (kikan_slip_number_parse (number, NULL))
        return TRUE;
    {
        g_autofree char *shown = kikan_escape_for_display (number, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "“%s” is not a slip number: a slip number is six or more digits, a dash "
                     "and two check digits (e.g. 000042-23), and the check digits must hold. "
                     "Copy it again from the slip.",
                     shown);
    }
    return FALSE;
}

gboolean
kikan_slip_lookup (KikanStore *store, const char *number, gint64 *id, gint64 *session_id,
                   GError **error)
{
    sqlite3_stmt *st;
    int rc;

    if (!check_number (number, error))
        return FALSE;
    if ((st = kikan_store_prepare (store, "SELECT id, session_id FROM slips WHERE number = ?",
                                   error))
        == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, number);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64 (st, 0);
        *session_id = sqlite3_column_int64 (st, 1);
    }
    sqlite3_finalize (st);
    if (rc == SQLITE_ROW)
        return TRUE;
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the slips", error);
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                 "This kiosk issued no slip %s. Check the number, and that this is the kiosk "
                 "named on the slip.",
                 number);
    return FALSE;
}

JsonNode *
kikan_slip_show_json (KikanStore *store, const char *number, GError **error)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    sqlite3_stmt *st;
    gint64 id = 0, session_id = 0;
    static const char *const cols[] = { "number",     "session",    "copy_of",
                                        "issued_at",  "valid_until", "chain_head",
                                        "payload",    "layout",     "language",
                                        "pdf",        "pdf_sha256", "verdict" };

    if (!kikan_slip_lookup (store, number, &id, &session_id, error))
        return NULL;
    st = kikan_store_prepare (
        store,
        "SELECT s.number, x.uuid, o.number, s.issued_at, s.valid_until, s.chain_head, s.payload, "
        "s.layout, s.language, s.pdf_path, s.pdf_sha256, (SELECT verdict FROM verdicts v WHERE "
        "v.session_id = s.session_id AND v.item_id IS NULL ORDER BY v.id DESC LIMIT 1), "
        "s.chain_seq FROM slips s JOIN sessions x ON x.id = s.session_id LEFT JOIN slips o ON "
        "o.id = s.copy_of WHERE s.id = ?",
        error);
    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, id);
    if (sqlite3_step (st) != SQLITE_ROW) {
        sqlite3_finalize (st);
        return kikan_store_fail (store, "Could not read the slip", error), NULL;
    }
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-slip");
    json_builder_set_member_name (b, "id");
    json_builder_add_int_value (b, id);
    json_builder_set_member_name (b, "session_id");
    json_builder_add_int_value (b, session_id);
    for (gsize i = 0; i < G_N_ELEMENTS (cols); i++) {
        g_autofree char *v = kikan_store_column_dup (st, (int)i);

        kikan_json_add_hostile_string (b, cols[i], v);
    }
    json_builder_set_member_name (b, "copy");
    json_builder_add_boolean_value (b, sqlite3_column_type (st, 2) != SQLITE_NULL);
    json_builder_set_member_name (b, "chain_seq");
    json_builder_add_int_value (b, sqlite3_column_int64 (st, 12));
    sqlite3_finalize (st);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}
