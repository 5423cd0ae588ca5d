/* Kikan kiosk: one returning employee's check-in (checkin-private.h). */
#include "checkin-private.h"
#include "kill-point-private.h"

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error-private.h"
#include "escape-private.h"
#include "declaration-private.h"
#include "audit-private.h"
#include "seal-private.h"
#include "evidence-private.h"
#include "ledger-private.h"
#include "it-actions-private.h"
#include "usb-private.h"
#include "verdict-private.h"

#define KIKAN_PROGRAM_VERSION "kikan " KIKAN_VERSION

struct KikanCheckin {
    KikanStore *store;           /* borrowed */
    KikanInspector *inspector;   /* borrowed, may be NULL */
    KikanCheckinOptions options; /* strings owned */
    gint64 session_id;
    char *uuid;
    char *employee_id;
    char *employee_name;
    GPtrArray *items; /* KikanCheckinItem*, in the order recorded */
    GPtrArray *loans; /* KikanLoan* (ledger): the employee's open loans */
    KikanUsbModels *models;
    KikanDeclaration *declaration;
    char **q8_media; /* the media Q8's follow-up names (asset tags), or NULL */
    guint running;
    gboolean ended; /* end_visit done */
};

/* ---- the store, in small steps ---- */

/* KIKAN_TEST_KILL_AT=N (tests/integration/test_checkin.py): SIGKILL at the
 * N-th commit point: odd N just before the N/2-th COMMIT, even N just
 * after (common/kill-point-private.h). */
static void
kill_point (void)
{
    static KikanKillPoint kp = KIKAN_KILL_POINT_INIT ("KIKAN_TEST_KILL_AT");

    kikan_kill_point (&kp);
}

static gboolean
begin (KikanCheckin *self, GError **error)
{
    return kikan_store_begin (self->store, error);
}

static gboolean
commit (KikanCheckin *self, GError **error)
{
    gboolean ok;

    kill_point ();
    ok = kikan_store_commit (self->store, error);
    kill_point ();
    return ok;
}

static gboolean
rollback (KikanCheckin *self)
{
    kikan_store_rollback (self->store);
    return FALSE;
}

/* Inside the step's transaction: its record in the audit chain (issue #10
 * item 1), which commits, or rolls back, with it.  Takes @payload. */
static gboolean
audit (KikanCheckin *self, const char *kind, JsonNode *payload, GError **error)
{
    g_autoptr (JsonNode) p = payload;

    return kikan_audit_append (self->store, kind, self->session_id, p, error);
}

static char *
id_text (gint64 id)
{
    return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static void
item_free (gpointer p)
{
    KikanCheckinItem *it = p;

    g_free (it->presented_as);
    g_free (it->asset_id);
    g_free (it->type);
    g_free (it->ledger_serial);
    g_free (it->classification);
    g_free (it->presence);
    g_free (it->return_by);
    g_free (it->transferred_to);
    g_free (it->incident_number);
    g_free (it->typed_serial);
    g_free (it->medium);
    g_free (it->medium_key);
    g_strfreev (it->passphrase_files);
    g_free (it->declared_encrypted);
    g_clear_pointer (&it->usb, kikan_usb_device_free);
    g_free (it->usb_node);
    g_clear_pointer (&it->usb_findings, g_ptr_array_unref);
    g_free (it->state);
    g_free (it->failure);
    g_clear_object (&it->cancellable);
    g_clear_pointer (&it->summary, kikan_inspection_summary_free);
    g_free (it);
}

static void
checkin_clear (gpointer p)
{
    KikanCheckin *self = p;
    g_free ((char *)self->options.kiosk_id);
    g_free ((char *)self->options.policy_version);
    g_free ((char *)self->options.usb_models_path);
    g_free ((char *)self->options.signatures_invalid);
    g_free ((char *)self->options.signatures_version);
    g_free ((char *)self->options.signatures_date);
    g_free (self->uuid);
    g_free (self->employee_id);
    g_free (self->employee_name);
    g_ptr_array_unref (self->items);
    g_clear_pointer (&self->loans, g_ptr_array_unref);
    g_clear_pointer (&self->models, kikan_usb_models_free);
    g_clear_pointer (&self->declaration, kikan_declaration_free);
    g_strfreev (self->q8_media);
}

void
kikan_checkin_free (KikanCheckin *self)
{
    if (self == NULL)
        return;
    /* Inspections still running hold a reference until their result is
     * in: cancel them, so that they end at once; what they leave in the
     * store (an inspection never ended) kikan_checkin_recover() settles at
     * the next start. */
    for (guint i = 0; i < self->items->len; i++) {
        KikanCheckinItem *it = self->items->pdata[i];

        if (it->cancellable != NULL)
            g_cancellable_cancel (it->cancellable);
    }
    g_rc_box_release_full (self, checkin_clear);
}

const char *
kikan_checkin_get_uuid (KikanCheckin *self)
{
    return self->uuid;
}

gint64
kikan_checkin_get_session_id (KikanCheckin *self)
{
    return self->session_id;
}

const char *
kikan_checkin_get_employee_name (KikanCheckin *self)
{
    return self->employee_name;
}

GPtrArray *
kikan_checkin_get_loans (KikanCheckin *self)
{
    return self->loans;
}

void
kikan_checkin_get_holdings (KikanCheckin *self, KikanHoldings *out)
{
    memset (out, 0, sizeof *out);
    for (guint i = 0; i < self->loans->len; i++) {
        const char *type = ((KikanLoan *)self->loans->pdata[i])->asset_type;

        if (g_strcmp0 (type, "laptop") == 0)
            out->laptop = TRUE;
        else if (g_strcmp0 (type, "phone") == 0)
            out->phone = TRUE;
        else if (g_strcmp0 (type, "usb") == 0)
            out->usb = TRUE;
        else if (g_strcmp0 (type, "token") == 0)
            out->token = TRUE;
        else
            out->other = TRUE;
    }
    /* As kikan_session_evidence_holdings() decides at the verdict: an
     * unregistered medium presented, or media declared in Q9. */
    for (guint i = 0; i < self->items->len; i++)
        if (((KikanCheckinItem *)self->items->pdata[i])->asset_id == NULL)
            out->media_declared = TRUE;
    if (self->declaration != NULL && kikan_answer_is_yes (self->declaration->answer[9]))
        out->media_declared = TRUE;
}

guint
kikan_checkin_get_n_running (KikanCheckin *self)
{
    return self->running;
}

/* The employee's open loans, as the ledger lists them (KikanLoan*). */
static GPtrArray *
load_loans (KikanCheckin *self, GError **error)
{
    return kikan_ledger_list_open_loans (self->store, self->employee_id, error);
}

KikanCheckin *
kikan_checkin_begin (KikanStore *store, KikanInspector *inspector,
                     const KikanCheckinOptions *options, const char *employee_id, GError **error)
{
    g_autoptr (KikanCheckin) self = g_rc_box_new0 (KikanCheckin);
    g_autofree char *now = kikan_store_now_iso ();
    sqlite3 *db = kikan_store_get_db (store);
    sqlite3_stmt *st;
    int rc;

    g_return_val_if_fail (store != NULL && employee_id != NULL, NULL);
    self->store = store;
    self->inspector = inspector;
    self->items = g_ptr_array_new_with_free_func (item_free);
    self->employee_id = g_strdup (employee_id);
    self->declaration = kikan_declaration_new ();
    if (options != NULL)
        self->options = *options;
    self->options.kiosk_id = g_strdup (self->options.kiosk_id ? self->options.kiosk_id : "kiosk");
    self->options.policy_version = g_strdup (self->options.policy_version);
    self->options.usb_models_path = g_strdup (self->options.usb_models_path);
    self->options.signatures_invalid = g_strdup (self->options.signatures_invalid);
    self->options.signatures_version = g_strdup (self->options.signatures_version);
    self->options.signatures_date = g_strdup (self->options.signatures_date);
    if (self->options.usb_models_path != NULL) {
        if ((self->models = kikan_usb_models_load (self->options.usb_models_path, error)) == NULL)
            return NULL;
    } else
        self->models = kikan_usb_models_new_empty ();

    if ((st
         = kikan_store_prepare (store, "SELECT name, active FROM employees WHERE id = ?", error))
        == NULL)
        return NULL;
    kikan_store_bind_text (st, 1, employee_id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW && sqlite3_column_int (st, 1) == 1)
        self->employee_name = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not look up the employee", error), NULL;
    if (self->employee_name == NULL) {
        g_autofree char *shown = kikan_escape_for_display (employee_id, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Employee ID %s is not in the lending ledger (or no longer active). Check "
                     "the ID on your badge; if it is right, ask IT to add you to the ledger. "
                     "Nothing was recorded.",
                     shown);
        return NULL;
    }
    if ((self->loans = load_loans (self, error)) == NULL)
        return NULL;

    self->uuid = g_uuid_string_random ();
    if (!begin (self, error))
        return NULL;
    st = kikan_store_prepare (
        store,
        "INSERT INTO sessions (uuid, employee_id, kiosk_id, started_at, state, "
        "policy_version, program_version) VALUES (?, ?, ?, ?, 'open', ?, ?)",
        error);
    if (st == NULL)
        return rollback (self), NULL;
    kikan_store_bind_text (st, 1, self->uuid);
    kikan_store_bind_text (st, 2, employee_id);
    kikan_store_bind_text (st, 3, self->options.kiosk_id);
    kikan_store_bind_text (st, 4, now);
    kikan_store_bind_text (st, 5, self->options.policy_version);
    kikan_store_bind_text (st, 6, KIKAN_PROGRAM_VERSION);
    if (!kikan_store_step_done (store, st, "Could not start the session", error))
        return rollback (self), NULL;
    self->session_id = sqlite3_last_insert_rowid (db);
    if (!audit (self, "session_start",
                kikan_audit_payload ("session", self->uuid, "employee", employee_id, "kiosk",
                                     self->options.kiosk_id, NULL),
                error))
        return rollback (self), NULL;
    if (!commit (self, error))
        return NULL;
    return g_steal_pointer (&self);
}

/* A string member of a follow-up object, or NULL. */
static const char *
followup_string (JsonObject *o, const char *member)
{
    JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

    if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string (n);
}

/* The follow-up of 5.2 that the verdict reads (KR-22, the Q8, Q10 and Q15
 * cross-checks); the rest stays verbatim in the store only. */
static void
read_followup (KikanDeclaration *d, guint q, JsonObject *o)
{
    const char *v;
    KikanAnswer a;

    if ((v = followup_string (o, "text")) != NULL || (v = followup_string (o, "names")) != NULL
        || (v = followup_string (o, "what")) != NULL || (v = followup_string (o, "which")) != NULL
        || (v = followup_string (o, "services")) != NULL)
        kikan_declaration_set_text (d, q, v);
    switch (q) {
    case 7:
        g_free (d->byod_device);
        d->byod_device = g_strdup (followup_string (o, "device"));
        g_free (d->byod_work);
        d->byod_work = g_strdup (followup_string (o, "work"));
        if ((v = followup_string (o, "data_deleted")) != NULL && kikan_answer_from_string (v, &a))
            d->byod_data_deleted = a;
        break;
    case 10:
        if ((v = followup_string (o, "classification")) != NULL)
            (void)kikan_classification_from_string (v, &d->q10_classification);
        if ((v = followup_string (o, "personal_data")) != NULL && kikan_answer_from_string (v, &a))
            d->q10_personal_data = a;
        break;
    case 15:
        d->q15_all_returned = (v = followup_string (o, "all_returned")) != NULL
                              && kikan_answer_from_string (v, &a) && a == KIKAN_ANSWER_YES;
        break;
    default:
        break;
    }
}

/* Q2, Q5 and Q6 answered Yes or Not sure open an incident (KR-23); Q7
 * (a personal device used for work) opens IT's BYOD follow-up (KR-22). */
static const char *
incident_kind_for (guint q)
{
    return q == 2   ? "temporarily_lost"
           : q == 5 ? "unusual_behaviour"
           : q == 6 ? "suspicious_mail"
           : q == 7 ? "byod_followup"
                    : NULL;
}

static char *
insert_incident (KikanCheckin *self, gint64 item_id, const char *kind, const char *data_held,
                 const char *classification, const char *personal_data, const char *wipe,
                 const char *locate, const char *description, GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    sqlite3 *db = kikan_store_get_db (self->store);
    sqlite3_stmt *st = kikan_store_prepare (
        self->store,
        "INSERT INTO incidents (number, session_id, item_id, kind, data_held, classification, "
        "personal_data, remote_wipe, locate, description, opened_at) VALUES "
        "('pending-' || hex(randomblob(8)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        error);
    g_autofree char *number = NULL;
    gint64 id;

    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, self->session_id);
    if (item_id > 0)
        sqlite3_bind_int64 (st, 2, item_id);
    else
        sqlite3_bind_null (st, 2);
    kikan_store_bind_text (st, 3, kind);
    kikan_store_bind_text (st, 4, data_held);
    kikan_store_bind_text (st, 5, classification);
    kikan_store_bind_text (st, 6, personal_data);
    kikan_store_bind_text (st, 7, wipe);
    kikan_store_bind_text (st, 8, locate);
    kikan_store_bind_text (st, 9, description);
    kikan_store_bind_text (st, 10, now);
    if (!kikan_store_step_done (self->store, st, "Could not open the incident", error))
        return NULL;
    id = sqlite3_last_insert_rowid (db);
    /* "INC-2026-000042": the year and the row's id, unique by construction. */
    number = g_strdup_printf ("INC-%.4s-%06" G_GINT64_FORMAT, now, id);
    if ((st = kikan_store_prepare (self->store, "UPDATE incidents SET number = ? WHERE id = ?",
                                   error))
        == NULL)
        return NULL;
    kikan_store_bind_text (st, 1, number);
    sqlite3_bind_int64 (st, 2, id);
    if (!kikan_store_step_done (self->store, st, "Could not number the incident", error))
        return NULL;
    return g_steal_pointer (&number);
}

gboolean
kikan_checkin_answer (KikanCheckin *self, const char *question, const char *answer,
                      const char *followup_json, GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autofree char *incident = NULL;
    JsonObject *followup = NULL;
    guint q = kikan_question_from_string (question);
    sqlite3_stmt *st;

    g_return_val_if_fail (!self->ended, FALSE);
    /* Checked before anything is written: a bad answer records nothing. */
    if (!kikan_declaration_set_answer (self->declaration, question, answer, error))
        return FALSE;
    if (followup_json != NULL) {
        if (!json_parser_load_from_data (parser, followup_json, -1, NULL)
            || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "The follow-up of %s is not a JSON object.", question);
            return FALSE;
        }
        followup = json_node_get_object (json_parser_get_root (parser));
    }
    read_followup (self->declaration, q, followup);
    /* Q8: the media data moved through, to be scanned here (DEC-03). */
    if (q == 8) {
        JsonNode *m = followup != NULL ? json_object_get_member (followup, "media") : NULL;
        g_autoptr (GPtrArray) named = g_ptr_array_new_with_free_func (g_free);

        for (guint i = 0; m != NULL && JSON_NODE_HOLDS_ARRAY (m)
                          && i < json_array_get_length (json_node_get_array (m));
             i++) {
            JsonNode *e = json_array_get_element (json_node_get_array (m), i);

            if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
                g_ptr_array_add (named, g_strdup (json_node_get_string (e)));
        }
        g_ptr_array_add (named, NULL);
        g_strfreev (self->q8_media);
        self->q8_media = (char **)g_ptr_array_free (g_steal_pointer (&named), FALSE);
    }
    if (!begin (self, error))
        return FALSE;
    st = kikan_store_prepare (self->store,
                              "INSERT INTO declarations (session_id, question, answer, followup, "
                              "answered_at) VALUES (?, ?, ?, ?, ?)",
                              error);
    if (st == NULL)
        return rollback (self);
    sqlite3_bind_int64 (st, 1, self->session_id);
    kikan_store_bind_text (st, 2, question);
    kikan_store_bind_text (st, 3, answer);
    kikan_store_bind_text (st, 4, followup_json);
    kikan_store_bind_text (st, 5, now);
    if (!kikan_store_step_done (self->store, st, "Could not record the answer", error))
        return rollback (self);
    if (!audit (self, "declaration",
                kikan_audit_payload ("question", question, "answer", answer, "followup",
                                     followup_json, NULL),
                error))
        return rollback (self);
    if (incident_kind_for (q) != NULL && kikan_answer_is_yes (self->declaration->answer[q])) {
        incident = insert_incident (self, 0, incident_kind_for (q),
                                    followup_string (followup, q == 7 ? "work" : "data_held"),
                                    "unknown", "not_sure", "not_applicable", "not_applicable",
                                    followup_string (followup, q == 7 ? "device" : "text"), error);
        if (incident == NULL)
            return rollback (self);
    }
    if (!commit (self, error))
        return FALSE;
    if (incident != NULL && q == 7) {
        g_free (self->declaration->byod_ref);
        self->declaration->byod_ref = g_strdup (incident);
    } else if (incident != NULL)
        kikan_declaration_set_incident (self->declaration, q, incident);
    return TRUE;
}

static KikanCheckinItem *
find_item_for_asset (KikanCheckin *self, const char *asset_id)
{
    for (guint i = 0; asset_id != NULL && i < self->items->len; i++) {
        KikanCheckinItem *it = self->items->pdata[i];

        if (g_strcmp0 (it->asset_id, asset_id) == 0)
            return it;
    }
    return NULL;
}

/* The asset fields of an item that is one of the employee's loans. */
static void
item_from_loan (KikanCheckinItem *it, const KikanLoan *l)
{
    it->asset_id = g_strdup (l->asset_id);
    it->type = g_strdup (l->asset_type);
    it->ledger_serial = g_strdup (l->serial);
    it->encryption_required = l->encryption_required;
    it->classification = g_strdup (l->classification);
    it->loan_id = l->id;
}

static KikanLoan *
find_loan (KikanCheckin *self, const char *asset_id)
{
    for (guint i = 0; asset_id != NULL && i < self->loans->len; i++) {
        KikanLoan *l = self->loans->pdata[i];

        if (strcmp (l->asset_id, asset_id) == 0)
            return l;
    }
    return NULL;
}

/* Fills the asset fields of @it from the ledger: by tag, else by serial
 * (kikan_ledger_find_asset_by_tag_or_serial).  Not in the ledger leaves
 * them empty (an unregistered item, INV-06); a serial two assets share is
 * an error: the person types the tag instead. */
static gboolean
resolve_asset (KikanCheckin *self, KikanCheckinItem *it, const char *tag_or_serial, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (KikanAsset) a
        = kikan_ledger_find_asset_by_tag_or_serial (self->store, tag_or_serial, &local);

    if (a == NULL) {
        if (g_error_matches (local, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND))
            return TRUE;
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    it->asset_id = g_strdup (a->id);
    it->type = g_strdup (a->type);
    it->ledger_serial = g_strdup (a->serial);
    it->encryption_required = a->encryption_required;
    it->classification = g_strdup (a->classification);
    return TRUE;
}

static gboolean
lent_to_someone_else (KikanCheckin *self, const char *asset_id, gboolean *other, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (KikanLoan) l = kikan_ledger_find_open_loan (self->store, asset_id, &local);

    if (l == NULL && !g_error_matches (local, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    *other = l != NULL && strcmp (l->employee_id, self->employee_id) != 0;
    return TRUE;
}

/* The media register (KR-06) as the USB matcher reads it; @media keeps
 * the ledger's rows the registrations borrow from. */
static GArray *
load_register (KikanCheckin *self, GPtrArray **media, GError **error)
{
    g_autoptr (GArray) regs = g_array_new (FALSE, TRUE, sizeof (KikanUsbRegistration));

    if ((*media = kikan_ledger_list_media (self->store, error)) == NULL)
        return NULL;
    for (guint i = 0; i < (*media)->len; i++) {
        const KikanMedium *m = (*media)->pdata[i];
        KikanUsbRegistration r = { m->asset_id, m->vid, m->pid, m->usb_serial, m->fingerprint,
                                   m->hardware_encrypted };

        g_array_append_val (regs, r);
    }
    return g_steal_pointer (&regs);
}

/* The USB identity of @it's block device, matched and judged (KR-06,
 * INV-05, INV-06, BadUSB, ENC-01).  A medium that is not on USB (a disk
 * image, a dock) has no USB findings; one whose USB identity cannot be
 * read fails closed through the findings of the assessment. */
/* Matches @it->usb (already read) against the register and judges it. */
static gboolean
assess_usb (KikanCheckin *self, KikanCheckinItem *it, GError **error)
{
    g_autoptr (GPtrArray) media = NULL;
    g_autoptr (GArray) regs = NULL;
    KikanUsbMatch m;

    if ((regs = load_register (self, &media, error)) == NULL)
        return FALSE;
    m = kikan_usb_match (it->usb, (const KikanUsbRegistration *)regs->data, regs->len);
    it->usb_findings = kikan_usb_assess (it->usb, m.reg, self->models);
    /* The register names the asset the device is, when the person did not. */
    if (it->asset_id == NULL && m.kind == KIKAN_USB_MATCH_EXACT)
        return resolve_asset (self, it, m.reg->asset_id, error);
    /* A device registered as another asset than the one claimed is a
     * mismatch (INV-05), whatever its own findings say. */
    if (it->asset_id != NULL && m.kind == KIKAN_USB_MATCH_EXACT
        && strcmp (m.reg->asset_id, it->asset_id) != 0)
        it->serial_mismatch = TRUE;
    return TRUE;
}

/* Reads the USB identity of block device @node (may wait on the device:
 * the kiosk passes the watcher's identity instead, see
 * kikan_checkin_present_device). */
static gboolean
identify_usb (KikanCheckin *self, KikanCheckinItem *it, const char *node, GError **error)
{
    g_autoptr (GError) usb_error = NULL;

    it->usb = kikan_usb_find_for_block (node, &usb_error);
    if (it->usb != NULL || usb_error != NULL)
        it->usb_node = g_strdup (node);
    if (it->usb == NULL) {
        if (usb_error != NULL) {
            g_autofree char *shown = kikan_escape_for_display (node, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "The USB device %s cannot be read: %s. Plug the medium in again, "
                         "or hand it to IT.",
                         shown, usb_error->message);
            return FALSE;
        }
        return TRUE;
    }
    return assess_usb (self, it, error);
}

static gboolean
insert_item (KikanCheckin *self, KikanCheckinItem *it, GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    g_autofree char *interfaces
        = it->usb ? kikan_usb_device_dup_interfaces_string (it->usb) : NULL;
    sqlite3 *db = kikan_store_get_db (self->store);
    sqlite3_stmt *st = kikan_store_prepare (
        self->store,
        "INSERT INTO items (session_id, asset_id, loan_id, presented_as, typed_serial, "
        "presence, return_by, transferred_to, medium, usb_vid, usb_pid, usb_serial, "
        "usb_fingerprint, usb_interfaces, declared_encrypted, state, presented_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'recorded', ?)",
        error);

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, self->session_id);
    kikan_store_bind_text (st, 2, it->asset_id);
    if (it->loan_id > 0)
        sqlite3_bind_int64 (st, 3, it->loan_id);
    else
        sqlite3_bind_null (st, 3);
    kikan_store_bind_text (st, 4, it->presented_as);
    kikan_store_bind_text (st, 5, it->typed_serial);
    kikan_store_bind_text (st, 6, it->presence);
    kikan_store_bind_text (st, 7, it->return_by);
    kikan_store_bind_text (st, 8, it->transferred_to);
    kikan_store_bind_text (st, 9, it->medium);
    if (it->usb != NULL) {
        sqlite3_bind_int (st, 10, it->usb->vid);
        sqlite3_bind_int (st, 11, it->usb->pid);
        kikan_store_bind_text (st, 12, it->usb->serial);
        kikan_store_bind_text (st, 13, it->usb->fingerprint);
        kikan_store_bind_text (st, 14, interfaces);
    }
    kikan_store_bind_text (st, 15, it->declared_encrypted);
    kikan_store_bind_text (st, 16, now);
    if (!kikan_store_step_done (self->store, st, "Could not record the item", error))
        return FALSE;
    it->id = sqlite3_last_insert_rowid (db);
    it->state = g_strdup ("recorded");
    {
        g_autofree char *item = id_text (it->id);

        return audit (self, "item",
                      kikan_audit_payload ("item", item, "asset", it->asset_id, "presented_as",
                                           it->presented_as, "presence", it->presence, "medium",
                                           it->medium, "usb_serial",
                                           it->usb != NULL ? it->usb->serial : NULL, NULL),
                      error);
    }
}

static gboolean
is_block_device (const char *path)
{
    struct stat st;

    return path != NULL && stat (path, &st) == 0 && S_ISBLK (st.st_mode);
}

/* What makes two names one medium: the device number of a block or
 * character device, else the file's device and inode (a symbolic link, a
 * "./" or a hard link is the same medium).  NULL when it cannot be
 * examined (the inspection will say why). */
static char *
medium_key (const char *path)
{
    struct stat st;

    if (path == NULL || stat (path, &st) != 0)
        return NULL;
    if (S_ISBLK (st.st_mode) || S_ISCHR (st.st_mode))
        return g_strdup_printf ("rdev:%ju", (uintmax_t)st.st_rdev);
    return g_strdup_printf ("ino:%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
}

gint64
kikan_checkin_present (KikanCheckin *self, const KikanScriptPresent *p, GError **error)
{
    return kikan_checkin_present_device (self, p, NULL, error);
}

gint64
kikan_checkin_present_device (KikanCheckin *self, const KikanScriptPresent *p,
                              const KikanUsbDevice *device, GError **error)
{
    g_autoptr (GPtrArray) hold = g_ptr_array_new_with_free_func (item_free);
    KikanCheckinItem *it = g_new0 (KikanCheckinItem, 1);
    KikanLoan *loan;

    g_ptr_array_add (hold, it);
    g_return_val_if_fail (!self->ended, 0);
    it->presence = g_strdup ("present");
    it->presented_as = g_strdup (p->asset != NULL ? p->asset : p->serial);
    it->typed_serial = g_strdup (p->serial);
    it->medium = g_strdup (p->medium);
    it->medium_key = medium_key (p->medium);
    /* One medium can prove the return of one item only (KR-03). */
    for (guint i = 0; it->medium_key != NULL && i < self->items->len; i++) {
        KikanCheckinItem *other = self->items->pdata[i];

        if (g_strcmp0 (other->medium_key, it->medium_key) == 0) {
            g_autofree char *shown = kikan_escape_for_display (p->medium, -1);
            g_autofree char *as = kikan_escape_for_display (
                other->asset_id ? other->asset_id : other->presented_as, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "The medium %s was already presented in this check-in (as %s). Each "
                         "item is a medium of its own; hand the other one over.",
                         shown, as ? as : "an unregistered medium");
            return 0;
        }
    }
    it->passphrase_files = g_strdupv (p->passphrase_files);
    it->declared_encrypted = g_strdup (p->declared_encrypted);
    if (p->asset != NULL && !resolve_asset (self, it, p->asset, error))
        return 0;
    if (p->asset == NULL && p->serial != NULL && !resolve_asset (self, it, p->serial, error))
        return 0;
    /* The identity is read from the device named, else from the medium
     * itself: a stick read as /dev/sdX is matched against the register
     * whether or not the person said it was USB (an image or a folder is
     * not on USB and has no USB identity). */
    if (device != NULL) {
        /* Read off the main loop by the watcher: nothing here waits on the
         * device. */
        it->usb = kikan_usb_device_copy (device);
        it->usb_node = g_strdup (p->usb_device != NULL          ? p->usb_device
                                 : device->block_nodes->len > 0 ? device->block_nodes->pdata[0]
                                                                : NULL);
        if (!assess_usb (self, it, error))
            return 0;
    } else if (p->usb_device != NULL && !identify_usb (self, it, p->usb_device, error))
        return 0;
    else if (p->usb_device == NULL && is_block_device (p->medium)
             && !identify_usb (self, it, p->medium, error))
        return 0;
    if (it->asset_id != NULL && find_item_for_asset (self, it->asset_id) != NULL) {
        g_autofree char *shown = kikan_escape_for_display (it->asset_id, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "%s is already part of this check-in. Each item is presented once.", shown);
        return 0;
    }
    /* The serial read off the item must be the ledger's (INV-05). */
    if (it->asset_id != NULL && p->serial != NULL && it->ledger_serial != NULL
        && it->ledger_serial[0] != '\0' && strcmp (p->serial, it->ledger_serial) != 0)
        it->serial_mismatch = TRUE;
    if ((loan = find_loan (self, it->asset_id)) != NULL)
        it->loan_id = loan->id;
    else if (it->asset_id != NULL
             && !lent_to_someone_else (self, it->asset_id, &it->lent_to_other, error))
        return 0;
    if (!begin (self, error))
        return 0;
    if (!insert_item (self, it, error))
        return rollback (self), 0;
    if (!commit (self, error))
        return 0;
    g_ptr_array_add (self->items, g_ptr_array_steal_index (hold, 0));
    return it->id;
}

static gboolean
open_incident (KikanCheckin *self, KikanCheckinItem *it, const KikanScriptMissing *m,
               GError **error)
{
    /* Remote wipe and locate are requested unless IT says otherwise (KR-04). */
    it->incident_number = insert_incident (
        self, it->id, m->declared, m->data_held, m->classification ? m->classification : "unknown",
        m->personal_data ? m->personal_data : "not_sure",
        m->remote_wipe ? m->remote_wipe : "requested", m->locate ? m->locate : "requested",
        m->description, error);
    return it->incident_number != NULL;
}

gint64
kikan_checkin_declare_missing (KikanCheckin *self, const KikanScriptMissing *m, GError **error)
{
    g_autoptr (GPtrArray) hold = g_ptr_array_new_with_free_func (item_free);
    KikanCheckinItem *it = g_new0 (KikanCheckinItem, 1);
    KikanLoan *loan = find_loan (self, m->asset);

    g_ptr_array_add (hold, it);
    g_return_val_if_fail (!self->ended, 0);
    if (loan == NULL) {
        g_autofree char *shown = kikan_escape_for_display (m->asset, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "%s is not lent to you, so it cannot be declared missing here. If you "
                     "hold it, present it; otherwise tell IT.",
                     shown);
        return 0;
    }
    if (find_item_for_asset (self, m->asset) != NULL) {
        g_autofree char *shown = kikan_escape_for_display (m->asset, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE, "%s is already part of this check-in.",
                     shown);
        return 0;
    }
    item_from_loan (it, loan);
    it->presented_as = g_strdup (m->asset);
    it->presence = g_strdup (m->declared);
    it->return_by = g_strdup (m->return_by);
    it->transferred_to = g_strdup (m->to);
    if (!begin (self, error))
        return 0;
    if (!insert_item (self, it, error))
        return rollback (self), 0;
    if ((strcmp (m->declared, "lost") == 0 || strcmp (m->declared, "stolen") == 0)
        && !open_incident (self, it, m, error))
        return rollback (self), 0;
    if (!commit (self, error))
        return 0;
    g_ptr_array_add (self->items, g_ptr_array_steal_index (hold, 0));
    return it->id;
}

/* ---- inspection ---- */

static KikanCheckinItem *
find_item (KikanCheckin *self, gint64 item_id)
{
    for (guint i = 0; i < self->items->len; i++) {
        KikanCheckinItem *it = self->items->pdata[i];

        if (it->id == item_id)
            return it;
    }
    return NULL;
}

static void
set_state (KikanCheckinItem *it, const char *state)
{
    g_free (it->state);
    it->state = g_strdup (state);
}

static gboolean
update_item_state (KikanCheckin *self, KikanCheckinItem *it, GError **error)
{
    sqlite3_stmt *st
        = kikan_store_prepare (self->store, "UPDATE items SET state = ? WHERE id = ?", error);

    if (st == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, it->state);
    sqlite3_bind_int64 (st, 2, it->id);
    return kikan_store_step_done (self->store, st, "Could not record the item's state", error);
}

typedef struct {
    KikanCheckin *self;     /* a reference */
    KikanCheckinItem *item; /* lives as long as self */
    KikanCheckinProgress progress;
    gpointer progress_data;
} InspectJob;

static void
inspect_job_free (gpointer p)
{
    InspectJob *job = p;

    /* Only the reference: kikan_checkin_free() is the owner's, and would
     * cancel the other items' inspections. */
    g_rc_box_release_full (job->self, checkin_clear);
    g_free (job);
}

static void
relay_progress_thunk (const KikanProgress *p, gpointer user_data)
{
    InspectJob *job = user_data;

    if (job->progress != NULL)
        job->progress (job->item->id, p, job->progress_data);
}

/* KR-08's "medium ID": the USB identity when there is one, else what was
 * read. */
static char *
medium_id (KikanCheckinItem *it)
{
    if (it->usb != NULL)
        return g_strdup_printf ("usb:%04x:%04x:%s", it->usb->vid, it->usb->pid,
                                it->usb->serial ? it->usb->serial : "");
    return g_strdup_printf ("path:%s", it->medium);
}

static gboolean
insert_finding (KikanStore *store, gint64 inspection_id, const char *kind, const char *path,
                const char *sha256, const char *signature, const char *reason, const char *detail,
                GError **error)
{
    sqlite3_stmt *st
        = kikan_store_prepare (store,
                               "INSERT INTO findings (inspection_id, kind, path, sha256, "
                               "signature, reason, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               error);

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, inspection_id);
    kikan_store_bind_text (st, 2, kind);
    kikan_store_bind_text (st, 3, path);
    kikan_store_bind_text (st, 4, sha256 != NULL && sha256[0] != '\0' ? sha256 : NULL);
    kikan_store_bind_text (st, 5, signature);
    kikan_store_bind_text (st, 6, reason);
    kikan_store_bind_text (st, 7, detail);
    return kikan_store_step_done (store, st, "Could not record a finding", error);
}

static const char *
medium_encryption_to_string (KikanInspectionSummary *s)
{
    switch (s->encryption) {
    case KIKAN_MEDIUM_ENC_NONE:
        return "none";
    case KIKAN_MEDIUM_ENC_ENCRYPTED:
        return s->encryption_kinds ? s->encryption_kinds : "encrypted";
    case KIKAN_MEDIUM_ENC_MIXED:
        return "mixed";
    default:
        return "unknown";
    }
}

/* The end of an inspection, inside the caller's transaction (KR-08). */
static gboolean
record_inspection_end (KikanCheckin *self, KikanCheckinItem *it, GError **error)
{
    KikanInspectionSummary *s = it->summary;
    g_autofree char *now = kikan_store_now_iso ();
    g_autofree char *mid = medium_id (it);
    double seconds = (double)(g_get_monotonic_time () - it->started_us) / G_USEC_PER_SEC;
    sqlite3_stmt *st = kikan_store_prepare (
        self->store,
        "UPDATE inspections SET ended_at = ?, result = ?, medium_id = ?, files = ?, bytes = ?, "
        "not_inspected = ?, encryption = ?, unlocked = ?, engine_version = ?, db_version = ?, "
        "db_time = ?, duration_s = ?, status_detail = ? WHERE id = ?",
        error);

    if (st == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, now);
    kikan_store_bind_text (st, 2, s != NULL ? s->result : "not_inspected");
    kikan_store_bind_text (st, 3, mid);
    sqlite3_bind_int64 (st, 4, s != NULL ? (sqlite3_int64)s->files : 0);
    sqlite3_bind_int64 (st, 5, s != NULL ? (sqlite3_int64)s->bytes : 0);
    sqlite3_bind_int64 (st, 6, s != NULL ? (sqlite3_int64)s->n_not_inspected : 0);
    kikan_store_bind_text (st, 7, s != NULL ? medium_encryption_to_string (s) : NULL);
    sqlite3_bind_int (st, 8, s != NULL && s->unlocked);
    kikan_store_bind_text (st, 9, s != NULL ? s->engine_version : NULL);
    kikan_store_bind_text (st, 10, s != NULL ? s->db_version : NULL);
    kikan_store_bind_text (st, 11, s != NULL ? s->db_time : NULL);
    sqlite3_bind_double (st, 12, seconds);
    kikan_store_bind_text (st, 13, s != NULL ? s->status_detail : it->failure);
    sqlite3_bind_int64 (st, 14, it->inspection_id);
    if (!kikan_store_step_done (self->store, st, "Could not record the inspection", error))
        return FALSE;
    for (guint i = 0; s != NULL && i < s->detections->len; i++) {
        KikanDetectionRecord *d = s->detections->pdata[i];

        if (!insert_finding (self->store, it->inspection_id, "detection", d->path, d->sha256,
                             d->signature, NULL, NULL, error))
            return FALSE;
    }
    for (guint i = 0; s != NULL && i < s->skipped->len; i++) {
        KikanSkipped *k = s->skipped->pdata[i];

        if (!insert_finding (self->store, it->inspection_id, "not_inspected", k->path, NULL, NULL,
                             k->reason, k->detail, error))
            return FALSE;
    }
    for (guint i = 0; s != NULL && i < s->software->len; i++) {
        KikanFinding *f = s->software->pdata[i];

        if (!insert_finding (self->store, it->inspection_id, "software", f->source, NULL, f->code,
                             f->slip_code, f->detail, error))
            return FALSE;
    }
    if (!update_item_state (self, it, error))
        return FALSE;
    {
        g_autofree char *item = id_text (it->id);
        g_autofree char *files = g_strdup_printf ("%" G_GUINT64_FORMAT, s ? s->files : 0);
        g_autofree char *bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, s ? s->bytes : 0);

        return audit (self, "inspection",
                      kikan_audit_payload ("item", item, "state", it->state, "result",
                                           s ? s->result : "not_inspected", "files", files,
                                           "bytes", bytes, "engine_version",
                                           s ? s->engine_version : NULL, "db_version",
                                           s ? s->db_version : NULL, "db_time",
                                           s ? s->db_time : NULL, "detail",
                                           s ? s->status_detail : it->failure, NULL),
                      error);
    }
}

static gboolean decide (KikanCheckin *self, KikanCheckinItem *late, GError **error);

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (GTask) task = user_data;
    InspectJob *job = g_task_get_task_data (task);
    KikanCheckin *self = job->self;
    KikanCheckinItem *it = job->item;
    g_autoptr (KikanScanReport) report = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (GError) store_error = NULL;

    report = kikan_inspector_inspect_finish (self->inspector, result, &error);
    self->running--;
    g_clear_object (&it->cancellable);
    if (report != NULL) {
        it->summary
            = kikan_inspection_summary_new_from_report (report, 0, kikan_store_now_unix ());
        set_state (it, "inspected");
    } else if (it->removed) {
        it->failure = g_strdup ("removed during inspection");
        set_state (it, "removed");
    } else if (it->cancelled) {
        it->failure = g_strdup ("cancelled at the kiosk before the inspection finished");
        set_state (it, "failed");
    } else {
        it->failure = g_strdup (error->message);
        set_state (it, "failed");
    }
    /* The result counts only once it is in the store; a session already
     * decided (the visit ended) gets the item's new verdict now (item 7). */
    if (!begin (self, &store_error) || !record_inspection_end (self, it, &store_error)
        || (self->ended && !decide (self, it, &store_error))) {
        rollback (self);
        g_task_return_error (task, g_steal_pointer (&store_error));
        return;
    }
    if (!commit (self, &store_error)) {
        g_task_return_error (task, g_steal_pointer (&store_error));
        return;
    }
    g_task_return_boolean (task, TRUE);
}

gboolean
kikan_checkin_set_passphrase_files (KikanCheckin *self, gint64 item_id,
                                    const char *const *files, GError **error)
{
    KikanCheckinItem *it = find_item (self, item_id);

    if (it == NULL || it->medium == NULL || g_strcmp0 (it->state, "recorded") != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Item %" G_GINT64_FORMAT " has no medium waiting to be read.", item_id);
        return FALSE;
    }
    g_strfreev (it->passphrase_files);
    it->passphrase_files = g_strdupv ((char **)files);
    return TRUE;
}

void
kikan_checkin_inspect_async (KikanCheckin *self, gint64 item_id, KikanCheckinProgress progress,
                             gpointer progress_data, GAsyncReadyCallback callback,
                             gpointer user_data)
{
    g_autoptr (GTask) task = g_task_new (NULL, NULL, callback, user_data);
    g_autofree char *now = kikan_store_now_iso ();
    KikanCheckinItem *it = find_item (self, item_id);
    GError *error = NULL;
    InspectJob *job;
    sqlite3 *db = kikan_store_get_db (self->store);
    sqlite3_stmt *st;

    g_task_set_source_tag (task, kikan_checkin_inspect_async);
    if (it == NULL || it->medium == NULL || self->inspector == NULL
        || g_strcmp0 (it->state, "recorded") != 0) {
        g_task_return_new_error (task, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                                 "Item %" G_GINT64_FORMAT " has no medium waiting to be read.",
                                 item_id);
        return;
    }
    /* Recorded as running before the first byte is read: a crash from
     * here on leaves an inspection that kikan_checkin_recover() ends as
     * not inspected, never one that looks finished. */
    if (!begin (self, &error)) {
        g_task_return_error (task, error);
        return;
    }
    set_state (it, "inspecting");
    st = kikan_store_prepare (
        self->store, "INSERT INTO inspections (item_id, started_at) VALUES (?, ?)", &error);
    if (st != NULL) {
        sqlite3_bind_int64 (st, 1, it->id);
        kikan_store_bind_text (st, 2, now);
    }
    if (st == NULL
        || !kikan_store_step_done (self->store, st, "Could not start the inspection", &error)
        || !update_item_state (self, it, &error)) {
        rollback (self);
        set_state (it, "recorded");
        g_task_return_error (task, error);
        return;
    }
    it->inspection_id = sqlite3_last_insert_rowid (db);
    {
        g_autofree char *item = id_text (it->id);

        if (!audit (self, "inspection_start",
                    kikan_audit_payload ("item", item, "medium", it->medium, NULL), &error)) {
            rollback (self);
            set_state (it, "recorded");
            g_task_return_error (task, error);
            return;
        }
    }
    if (!commit (self, &error)) {
        set_state (it, "recorded");
        g_task_return_error (task, error);
        return;
    }
    job = g_new0 (InspectJob, 1);
    job->self = g_rc_box_acquire (self);
    job->item = it;
    job->progress = progress;
    job->progress_data = progress_data;
    g_task_set_task_data (task, job, inspect_job_free);
    it->cancellable = g_cancellable_new ();
    it->started_us = g_get_monotonic_time ();
    self->running++;
    kikan_inspector_inspect_async (
        self->inspector, it->medium, (const char *const *)it->passphrase_files, it->cancellable,
        relay_progress_thunk, job, on_inspected, g_steal_pointer (&task));
}

gboolean
kikan_checkin_inspect_finish (KikanCheckin *self, GAsyncResult *result, GError **error)
{
    return g_task_propagate_boolean (G_TASK (result), error);
}

guint
kikan_checkin_medium_removed (KikanCheckin *self, const char *devnode_or_syspath)
{
    guint n = 0;

    for (guint i = 0; i < self->items->len; i++) {
        KikanCheckinItem *it = self->items->pdata[i];
        const char *nodes[] = { devnode_or_syspath, NULL };
        gboolean concerns;

        if (it->usb_node == NULL && it->usb == NULL)
            continue;
        concerns = kikan_usb_removal_concerns (devnode_or_syspath, nodes,
                                               it->usb ? it->usb->syspath : NULL, it->usb_node);
        if (!concerns)
            continue;
        n++;
        if (it->cancellable != NULL) {
            it->removed = TRUE;
            g_cancellable_cancel (it->cancellable);
        }
    }
    return n;
}

/* ---- verdict ---- */

/* Keeps what the evidence borrows alive until the verdict is recorded. */
typedef struct {
    GArray *items;         /* KikanItemEvidence */
    GPtrArray *detections; /* KikanVerdictDetection arrays, one per item (or NULL) */
    GPtrArray *strings;
} Evidence;

static void
evidence_clear (Evidence *e)
{
    g_clear_pointer (&e->items, g_array_unref);
    g_clear_pointer (&e->detections, g_ptr_array_unref);
    g_clear_pointer (&e->strings, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Evidence, evidence_clear)

static const char *
keep (Evidence *e, char *s)
{
    g_ptr_array_add (e->strings, s);
    return s;
}

static void
signatures_from_summary (Evidence *e, KikanSignatureEvidence *sig, KikanInspectionSummary *s,
                         guint max_age_days)
{
    sig->fresh = s->signatures_invalid == NULL;
    sig->version = s->db_version;
    sig->date = s->db_time != NULL ? keep (e, g_strndup (s->db_time, 10)) : NULL;
    sig->detail = s->signatures_invalid;
    sig->max_age_days = max_age_days;
}

static KikanEncryptionState
encryption_evidence (KikanMediumEncryption enc)
{
    switch (enc) {
    case KIKAN_MEDIUM_ENC_NONE:
        return KIKAN_ENCRYPTION_PLAIN;
    case KIKAN_MEDIUM_ENC_ENCRYPTED:
        return KIKAN_ENCRYPTION_ENCRYPTED;
    case KIKAN_MEDIUM_ENC_MIXED:
        return KIKAN_ENCRYPTION_MIXED;
    default:
        return KIKAN_ENCRYPTION_UNKNOWN;
    }
}

static void
usb_evidence (KikanCheckinItem *it, const KikanUsbModels *models, Evidence *e,
              KikanItemEvidence *ev)
{
    const KikanUsbDevice *d = it->usb;
    g_autofree char *interfaces = NULL;

    if (d == NULL)
        return;
    ev->usb_state = KIKAN_USB_MATCHED;
    ev->offers_storage = kikan_usb_device_has_class (d, 0x08);
    interfaces = kikan_usb_device_dup_interfaces_string (d);
    /* Reason texts keep what the device said verbatim, like every other
     * piece of evidence: they are escaped once, where they are shown (the
     * findings' own details are already escaped for display). */
    for (guint i = 0; it->usb_findings != NULL && i < it->usb_findings->len; i++) {
        KikanUsbFinding *f = it->usb_findings->pdata[i];

        switch (f->kind) {
        case KIKAN_USB_FINDING_UNREGISTERED:
            ev->usb_state = KIKAN_USB_UNREGISTERED;
            ev->usb_detail = keep (e, g_strdup_printf ("USB device %04x:%04x, serial %s", d->vid,
                                                       d->pid, d->serial ? d->serial : "(none)"));
            break;
        case KIKAN_USB_FINDING_MISMATCH:
            if (ev->usb_state != KIKAN_USB_UNREGISTERED)
                ev->usb_state = KIKAN_USB_MISMATCH;
            ev->usb_detail = keep (
                e, g_strdup_printf ("USB device %04x:%04x, serial %s, differs from the media "
                                    "register's record of that serial",
                                    d->vid, d->pid, d->serial ? d->serial : "(none)"));
            break;
        case KIKAN_USB_FINDING_INTERFACES_UNKNOWN:
            /* BadUSB cannot be ruled out: USB-02, held. */
            ev->usb_interfaces_unknown = TRUE;
            ev->usb_interfaces_detail = "its configuration descriptors could not be read";
            break;
        case KIKAN_USB_FINDING_BADUSB:
            ev->badusb = TRUE;
            ev->badusb_detail = keep (e, g_strdup_printf ("interfaces %s", interfaces));
            break;
        case KIKAN_USB_FINDING_HW_ENCRYPTED:
            ev->hw_encrypted = TRUE;
            ev->hw_model = kikan_usb_models_lookup (models, d->vid, d->pid);
            if (ev->hw_model == NULL)
                ev->hw_model = "hardware-encrypted model";
            break;
        }
    }
}

static void
inspection_evidence (KikanCheckin *self, Evidence *e, KikanCheckinItem *it,
                     KikanInspectionEvidence *in)
{
    KikanInspectionSummary *s = it->summary;

    if (g_strcmp0 (it->state, "inspecting") == 0 || g_strcmp0 (it->state, "pending") == 0) {
        in->state = KIKAN_INSPECTION_PENDING;
        in->detail = "inspection pending, kept by IT";
        return;
    }
    if (it->removed || g_strcmp0 (it->state, "removed") == 0) {
        in->state = KIKAN_INSPECTION_REMOVED;
        in->detail = "removed during inspection";
        return;
    }
    if (g_strcmp0 (it->state, "failed") == 0) {
        in->state = KIKAN_INSPECTION_FAILED;
        in->detail = it->failure;
        return;
    }
    if (s == NULL) {
        in->state = KIKAN_INSPECTION_NONE;
        return;
    }
    in->state = KIKAN_INSPECTION_DONE;
    in->result = g_strcmp0 (s->result, "clean") == 0      ? KIKAN_SCAN_CLEAN
                 : g_strcmp0 (s->result, "infected") == 0 ? KIKAN_SCAN_INFECTED
                                                          : KIKAN_SCAN_NOT_INSPECTED;
    /* The report's result already makes a medium whose worker did not
     * finish not inspected (scan-report.c, KR-10); say why. */
    if (!s->complete)
        in->detail = s->status_detail;
    if (s->detections->len > 0) {
        GArray *d
            = g_array_sized_new (FALSE, TRUE, sizeof (KikanVerdictDetection), s->detections->len);

        for (guint i = 0; i < s->detections->len; i++) {
            KikanDetectionRecord *r = s->detections->pdata[i];
            KikanVerdictDetection v = { r->signature, r->path, r->sha256 };

            g_array_append_val (d, v);
        }
        g_ptr_array_add (e->detections, d);
        in->detections = (const KikanVerdictDetection *)d->data;
        in->n_detections = d->len;
    }
    in->n_not_inspected = (guint)MIN (s->n_not_inspected, G_MAXUINT);
    if (s->skipped->len > 0) {
        KikanSkipped *k = s->skipped->pdata[0];

        in->not_inspected_path = k->path;
        in->not_inspected_reason = k->reason;
    }
    in->encryption = encryption_evidence (s->encryption);
    in->encryption_kind = s->encryption_kinds;
    in->unlocked = s->unlocked && !s->locked;
    in->findings = s->software;
    in->n_systems = s->n_systems;
    signatures_from_summary (e, &in->signatures, s, self->options.max_age_days);
}

static void
build_evidence (KikanCheckin *self, Evidence *e)
{
    e->items = g_array_sized_new (FALSE, TRUE, sizeof (KikanItemEvidence), self->items->len);
    e->detections = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
    e->strings = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 0; i < self->items->len; i++) {
        KikanCheckinItem *it = self->items->pdata[i];
        KikanItemEvidence ev = { 0 };
        KikanAnswer declared;

        ev.asset_id = it->asset_id;
        if (it->type == NULL || !kikan_item_type_from_string (it->type, &ev.type))
            ev.type = KIKAN_ITEM_TYPE_NONE;
        ev.lent = it->loan_id > 0;
        ev.encryption_required = it->encryption_required;
        if (it->classification == NULL
            || !kikan_classification_from_string (it->classification, &ev.classification_max))
            ev.classification_max = KIKAN_CLASSIFICATION_UNKNOWN;
        if (!kikan_presence_from_string (it->presence, &ev.presence))
            ev.presence = KIKAN_PRESENCE_UNDECLARED;
        ev.return_by = it->return_by;
        ev.incident = it->incident_number;
        ev.transferred_to = it->transferred_to;
        ev.serial_mismatch = it->serial_mismatch;
        if (it->serial_mismatch)
            ev.serial_detail = keep (
                e, g_strdup_printf ("the serial given (%s) is not the ledger's (%s)",
                                    it->typed_serial ? it->typed_serial : "from the USB register",
                                    it->ledger_serial ? it->ledger_serial : "none"));
        usb_evidence (it, self->models, e, &ev);
        if (it->medium != NULL || it->usb != NULL)
            inspection_evidence (self, e, it, &ev.inspection);
        if (it->declared_encrypted != NULL
            && kikan_answer_from_string (it->declared_encrypted, &declared))
            ev.declared_encrypted = declared;
        g_array_append_val (e->items, ev);
    }
}

/* The session's own view of the signatures: the newest inspection's, else
 * what the caller measured at the start. */
static void
session_signatures (KikanCheckin *self, Evidence *e, KikanSignatureEvidence *sig)
{
    for (guint i = self->items->len; i > 0; i--) {
        KikanCheckinItem *it = self->items->pdata[i - 1];

        if (it->summary != NULL) {
            signatures_from_summary (e, sig, it->summary, self->options.max_age_days);
            return;
        }
    }
    sig->fresh = self->options.signatures_invalid == NULL;
    sig->version = self->options.signatures_version;
    sig->date = self->options.signatures_date;
    sig->detail = self->options.signatures_invalid;
    sig->max_age_days = self->options.max_age_days;
}

static gboolean
insert_verdict (KikanCheckin *self, gint64 item_id, KikanVerdict verdict,
                const KikanVerdictResult *r, const char *now, GError **error)
{
    g_autoptr (JsonNode) node = kikan_verdict_result_to_json (r);
    g_autofree char *reasons = json_to_string (node, FALSE);
    sqlite3_stmt *st
        = kikan_store_prepare (self->store,
                               "INSERT INTO verdicts (session_id, item_id, verdict, reasons, "
                               "decided_at, decided_by) VALUES (?, ?, ?, ?, ?, 'kiosk')",
                               error);

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, self->session_id);
    if (item_id > 0)
        sqlite3_bind_int64 (st, 2, item_id);
    else
        sqlite3_bind_null (st, 2);
    kikan_store_bind_text (st, 3, kikan_verdict_to_string (verdict));
    kikan_store_bind_text (st, 4, reasons);
    kikan_store_bind_text (st, 5, now);
    if (!kikan_store_step_done (self->store, st, "Could not record the verdict", error))
        return FALSE;
    {
        g_autofree char *item = item_id > 0 ? id_text (item_id) : NULL;

        return audit (self, "verdict",
                      kikan_audit_payload ("item", item, "verdict",
                                           kikan_verdict_to_string (verdict), "reasons", reasons,
                                           "by", "kiosk", NULL),
                      error);
    }
}

/* Q8's follow-up named the media data moved through: DEC-03 is settled
 * only when every one of them was handed over and read to the end here. */
static gboolean
q8_media_inspected (KikanCheckin *self)
{
    if (self->q8_media == NULL || self->q8_media[0] == NULL)
        return FALSE;
    for (gsize m = 0; self->q8_media[m] != NULL; m++) {
        gboolean read = FALSE;

        for (guint i = 0; i < self->items->len && !read; i++) {
            KikanCheckinItem *it = self->items->pdata[i];

            read = it->summary != NULL && it->summary->complete
                   && g_strcmp0 (it->state, "inspected") == 0
                   && (g_strcmp0 (it->asset_id, self->q8_media[m]) == 0
                       || g_strcmp0 (it->presented_as, self->q8_media[m]) == 0);
        }
        if (!read)
            return FALSE;
    }
    return TRUE;
}

/* PROC-08: earlier check-ins of this employee that IT has not settled: an
 * item handed over whose verdict in force is not CLEARED (or CONDITIONAL),
 * or the session's own reasons holding.  "session 3, 5", or NULL. */
static gboolean
earlier_held (KikanCheckin *self, char **out, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (
        self->store,
        "SELECT group_concat(s.id, ', ') FROM sessions s WHERE s.employee_id = ?1 AND "
        "s.id < ?2 AND s.state = 'ended' AND (EXISTS (SELECT 1 FROM items i WHERE "
        "i.session_id = s.id AND i.presence = 'present' AND coalesce((SELECT v.verdict FROM "
        "verdicts v WHERE v.item_id = i.id ORDER BY v.id DESC LIMIT 1), 'hold') NOT IN "
        "('cleared', 'conditional')) OR coalesce((SELECT json_extract(v.reasons, '$.verdict') "
        "FROM verdicts v WHERE v.session_id = s.id AND v.item_id IS NULL ORDER BY v.id DESC "
        "LIMIT 1), 'hold') IN ('hold', 'quarantine'))",
        error);
    int rc;

    *out = NULL;
    if (st == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, self->employee_id);
    sqlite3_bind_int64 (st, 2, self->session_id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW && sqlite3_column_type (st, 0) != SQLITE_NULL)
        *out = g_strdup_printf ("session %s", (const char *)sqlite3_column_text (st, 0));
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW)
        return kikan_store_fail (self->store, "Could not read the employee's earlier check-ins",
                                 error);
    return TRUE;
}

/* Inside the caller's transaction: decides every item and the session and
 * records the verdicts (a new row each time: older ones stay). */
static gboolean decide_late (KikanCheckin *self, KikanCheckinItem *late, KikanSessionVerdict *sv,
                             const char *now, GError **error);

/* @late NULL: the decision at the end of the visit, a row for every item
 * and the session.  Else the result of @late arrived after the visit. */
static gboolean
decide (KikanCheckin *self, KikanCheckinItem *late, GError **error)
{
    g_auto (Evidence) e = { 0 };
    g_autofree char *today = kikan_store_today ();
    g_autofree char *now = kikan_store_now_iso ();
    g_autoptr (KikanSessionVerdict) sv = NULL;
    g_autofree char *earlier = NULL;
    KikanSessionEvidence sev = { 0 };

    if (!earlier_held (self, &earlier, error))
        return FALSE;
    self->declaration->q8_media_inspected = q8_media_inspected (self);
    build_evidence (self, &e);
    sev.earlier_held = earlier;
    sev.declaration = self->declaration;
    sev.items = (const KikanItemEvidence *)e.items->data;
    sev.n_items = e.items->len;
    session_signatures (self, &e, &sev.signatures);
    sev.monitoring_days = self->options.monitoring_days;
    sev.today = today;
    if ((sv = kikan_verdict_evaluate_session (&sev, error)) == NULL)
        return FALSE;
    if (late == NULL) {
        for (guint i = 0; i < self->items->len; i++) {
            KikanCheckinItem *it = self->items->pdata[i];
            KikanVerdictResult *r = sv->items->pdata[i];

            if (!insert_verdict (self, it->id, r->verdict, r, now, error))
                return FALSE;
        }
        return insert_verdict (self, 0, sv->overall, sv->session, now, error);
    }
    return decide_late (self, late, sv, now, error);
}

/* After the visit (item 7): the result of @late arrived.  Only its row is
 * new, and only when it says more than an IT decision already in force
 * for it: malware found after IT cleared a pending item wins, but a
 * clean result does not undo IT's stricter call.  Every other item keeps
 * its row in force, IT's included (KR-30), and so does a session part IT
 * acted on; the overall is restated from what is in force. */
static gboolean
decide_late (KikanCheckin *self, KikanCheckinItem *late, KikanSessionVerdict *sv, const char *now,
             GError **error)
{
    KikanVerdictResult *r = NULL;
    g_autoptr (JsonNode) part = NULL;
    g_autofree char *part_json = NULL;
    g_autofree char *it_verdict = NULL;
    g_autofree char *session_part = NULL;
    KikanVerdict in_force, overall;
    sqlite3_stmt *st;

    for (guint i = 0; i < self->items->len; i++)
        if (self->items->pdata[i] == late)
            r = sv->items->pdata[i];
    g_assert (r != NULL);
    st = kikan_store_prepare (self->store,
                              "SELECT verdict, decided_by FROM verdicts WHERE item_id = ? "
                              "ORDER BY id DESC LIMIT 1",
                              error);
    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, late->id);
    if (sqlite3_step (st) == SQLITE_ROW
        && g_strcmp0 ((const char *)sqlite3_column_text (st, 1), "kiosk") != 0)
        it_verdict = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    if (it_verdict == NULL || !kikan_verdict_from_string (it_verdict, &in_force)
        || kikan_verdict_worst (in_force, r->verdict) != in_force) {
        if (!insert_verdict (self, late->id, r->verdict, r, now, error))
            return FALSE;
    }
    /* Once IT acted on the session's own reasons (it_actions with no
     * item), every session row after it carries IT's part forward, the
     * kiosk's restatements included: so does this one (KR-30). */
    st = kikan_store_prepare (
        self->store,
        "SELECT (SELECT reasons FROM verdicts WHERE session_id = ?1 AND item_id IS NULL ORDER BY "
        "id DESC LIMIT 1) WHERE EXISTS (SELECT 1 FROM it_actions WHERE session_id = ?1 AND "
        "item_id IS NULL)",
        error);
    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, self->session_id);
    if (sqlite3_step (st) == SQLITE_ROW)
        session_part = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    if (session_part != NULL)
        part_json = g_steal_pointer (&session_part);
    else {
        part = kikan_verdict_result_to_json (sv->session);
        part_json = json_to_string (part, FALSE);
    }
    return kikan_it_restate_session (self->store, self->session_id, part_json, now, "kiosk", 0,
                                     &overall, error);
}

/* Inside the end of the visit's transaction: the ledger as it is now, not
 * as it was when each item was presented.  An import or a lend during the
 * visit may have moved a loan to someone else (INV-07), closed it, or
 * changed what the asset requires (ENC-02): the verdict is decided against
 * the ledger in force when it is written. */
static gboolean
refresh_items (KikanCheckin *self, GError **error)
{
    for (guint i = 0; i < self->items->len; i++) {
        KikanCheckinItem *it = self->items->pdata[i];
        g_autoptr (GError) local = NULL;
        g_autoptr (KikanAsset) a = NULL;
        g_autoptr (KikanLoan) l = NULL;

        if (it->asset_id == NULL)
            continue;
        if ((a = kikan_ledger_find_asset (self->store, it->asset_id, error)) == NULL)
            return FALSE;
        l = kikan_ledger_find_open_loan (self->store, it->asset_id, &local);
        if (l == NULL && !g_error_matches (local, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
            g_propagate_error (error, g_steal_pointer (&local));
            return FALSE;
        }
        g_free (it->type);
        it->type = g_strdup (a->type);
        it->encryption_required = a->encryption_required;
        g_free (it->classification);
        it->classification = g_strdup (a->classification);
        it->loan_id = l != NULL && strcmp (l->employee_id, self->employee_id) == 0 ? l->id : 0;
        it->lent_to_other = l != NULL && strcmp (l->employee_id, self->employee_id) != 0;
    }
    return TRUE;
}

gboolean
kikan_checkin_end_visit (KikanCheckin *self, GError **error)
{
    g_autofree char *today = kikan_store_today ();
    g_autofree char *now = kikan_store_now_iso ();
    g_autoptr (GPtrArray) added = g_ptr_array_new ();
    sqlite3_stmt *st;

    g_return_val_if_fail (!self->ended, FALSE);
    if (!begin (self, error))
        return FALSE;
    /* The loans are read again inside this transaction: one lent while the
     * employee stood at the kiosk is theirs to account for too, and one
     * moved to someone else or closed meanwhile is no longer (KR-03). */
    {
        GPtrArray *now_lent = load_loans (self, error);

        if (now_lent == NULL)
            goto fail;
        g_ptr_array_unref (self->loans);
        self->loans = now_lent;
    }
    if (!refresh_items (self, error))
        goto fail;
    /* A lent item neither presented nor declared is recorded as such: it
     * is never silently fine (KR-03). */
    for (guint i = 0; i < self->loans->len; i++) {
        KikanLoan *l = self->loans->pdata[i];
        KikanCheckinItem *it;

        if (find_item_for_asset (self, l->asset_id) != NULL)
            continue;
        it = g_new0 (KikanCheckinItem, 1);
        item_from_loan (it, l);
        it->presence = g_strdup ("undeclared");
        g_ptr_array_add (self->items, it);
        g_ptr_array_add (added, it);
        if (!insert_item (self, it, error))
            goto fail;
    }
    for (guint i = 0; i < self->items->len; i++) {
        KikanCheckinItem *it = self->items->pdata[i];

        if (g_strcmp0 (it->state, "inspecting") == 0)
            set_state (it, "pending");
        else if (it->removed && g_strcmp0 (it->state, "recorded") == 0)
            set_state (it, "removed");
        else
            continue;
        if (!update_item_state (self, it, error))
            goto fail;
    }
    if (!decide (self, NULL, error))
        goto fail;
    /* What was handed back is back, whatever its verdict: a held item is
     * with IT, not with the employee (Admin B-1). */
    st = kikan_store_prepare (
        self->store,
        "UPDATE loans SET returned_on = ?, return_session = ? WHERE id IN "
        "(SELECT loan_id FROM items WHERE session_id = ? AND presence = 'present' "
        "AND loan_id IS NOT NULL) AND returned_on IS NULL",
        error);
    if (st == NULL)
        goto fail;
    kikan_store_bind_text (st, 1, today);
    sqlite3_bind_int64 (st, 2, self->session_id);
    sqlite3_bind_int64 (st, 3, self->session_id);
    if (!kikan_store_step_done (self->store, st, "Could not record the returns", error))
        goto fail;
    if ((st = kikan_store_prepare (
             self->store, "UPDATE sessions SET state = 'ended', ended_at = ? WHERE id = ?", error))
        == NULL)
        goto fail;
    kikan_store_bind_text (st, 1, now);
    sqlite3_bind_int64 (st, 2, self->session_id);
    if (!kikan_store_step_done (self->store, st, "Could not end the session", error))
        goto fail;
    if (!audit (self, "session_end", kikan_audit_payload ("session", self->uuid, NULL), error))
        goto fail;
    if (!commit (self, error))
        goto undo;
    self->ended = TRUE;
    return TRUE;

fail:
    rollback (self);
undo:
    for (guint i = 0; i < added->len; i++)
        g_ptr_array_remove (self->items, added->pdata[i]);
    return FALSE;
}

/* ---- what was recorded, as JSON (docs/checkin.md) ---- */

static void
add_column_string (JsonBuilder *b, const char *member, sqlite3_stmt *st, int col)
{
    const char *v = (const char *)sqlite3_column_text (st, col);

    if (v == NULL)
        return;
    kikan_json_add_hostile_string (b, member, v);
}

static void
add_column_int (JsonBuilder *b, const char *member, sqlite3_stmt *st, int col)
{
    json_builder_set_member_name (b, member);
    json_builder_add_int_value (b, sqlite3_column_int64 (st, col));
}

/* Copies the members of the verdict JSON @text (the verdicts.reasons
 * column) into the object being built. */
static gboolean
add_verdict_members (JsonBuilder *b, const char *text, GError **error)
{
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonObject *o;
    g_autoptr (GList) members = NULL;

    if (!json_parser_load_from_data (p, text, -1, error)
        || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p))) {
        g_clear_error (error);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "A verdict in the store cannot be read: run `kikan db check`.");
        return FALSE;
    }
    o = json_node_get_object (json_parser_get_root (p));
    members = json_object_get_members (o);
    for (GList *l = members; l != NULL; l = l->next) {
        json_builder_set_member_name (b, l->data);
        json_builder_add_value (b, json_node_copy (json_object_get_member (o, l->data)));
    }
    return TRUE;
}

static gboolean
add_inspection (JsonBuilder *b, KikanStore *store, gint64 item_id, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT id, started_at, ended_at, result, medium_id, files, bytes, not_inspected, "
        "encryption, unlocked, engine_version, db_version, db_time, duration_s, status_detail "
        "FROM inspections WHERE item_id = ? ORDER BY id DESC LIMIT 1",
        error);
    gint64 inspection_id;
    int rc;

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, item_id);
    if ((rc = sqlite3_step (st)) != SQLITE_ROW) {
        sqlite3_finalize (st);
        return rc == SQLITE_DONE ? TRUE
                                 : kikan_store_fail (store, "Could not read an inspection", error);
    }
    inspection_id = sqlite3_column_int64 (st, 0);
    json_builder_set_member_name (b, "inspection");
    json_builder_begin_object (b);
    add_column_string (b, "started_at", st, 1);
    add_column_string (b, "ended_at", st, 2);
    /* An inspection that never ended is not inspected, in every output. */
    json_builder_set_member_name (b, "result");
    json_builder_add_string_value (b, sqlite3_column_text (st, 3) != NULL
                                          ? (const char *)sqlite3_column_text (st, 3)
                                          : "not_inspected");
    add_column_string (b, "medium_id", st, 4);
    add_column_int (b, "files", st, 5);
    add_column_int (b, "bytes", st, 6);
    add_column_int (b, "not_inspected", st, 7);
    add_column_string (b, "encryption", st, 8);
    json_builder_set_member_name (b, "unlocked");
    json_builder_add_boolean_value (b, sqlite3_column_int (st, 9) != 0);
    add_column_string (b, "engine_version", st, 10);
    add_column_string (b, "db_version", st, 11);
    add_column_string (b, "db_time", st, 12);
    if (sqlite3_column_type (st, 13) != SQLITE_NULL) {
        json_builder_set_member_name (b, "duration_s");
        json_builder_add_double_value (b, sqlite3_column_double (st, 13));
    }
    add_column_string (b, "detail", st, 14);
    sqlite3_finalize (st);

    st = kikan_store_prepare (store,
                              "SELECT kind, path, sha256, signature, reason, detail FROM findings "
                              "WHERE inspection_id = ? ORDER BY id",
                              error);
    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, inspection_id);
    json_builder_set_member_name (b, "findings");
    json_builder_begin_array (b);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        json_builder_begin_object (b);
        add_column_string (b, "kind", st, 0);
        add_column_string (b, "path", st, 1);
        add_column_string (b, "sha256", st, 2);
        add_column_string (b, "signature", st, 3);
        add_column_string (b, "reason", st, 4);
        add_column_string (b, "detail", st, 5);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    sqlite3_finalize (st);
    json_builder_end_object (b);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the findings", error);
    return TRUE;
}

/* The newest verdict row of @item_id (0: the session's). */
static gboolean
add_latest_verdict (JsonBuilder *b, KikanStore *store, gint64 session_id, gint64 item_id,
                    GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        item_id > 0
            ? "SELECT verdict, reasons, decided_at, decided_by FROM verdicts WHERE session_id = ? "
              "AND item_id = ? ORDER BY id DESC LIMIT 1"
            : "SELECT verdict, reasons, decided_at, decided_by FROM verdicts WHERE session_id = ? "
              "AND item_id IS NULL AND ? = 0 ORDER BY id DESC LIMIT 1",
        error);
    gboolean ok = TRUE;
    int rc;

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, session_id);
    sqlite3_bind_int64 (st, 2, item_id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        ok = add_verdict_members (b, (const char *)sqlite3_column_text (st, 1), error);
        /* The column is the verdict in force (for the session: overall). */
        json_builder_set_member_name (b, "verdict");
        json_builder_add_string_value (b, (const char *)sqlite3_column_text (st, 0));
        add_column_string (b, "decided_at", st, 2);
        add_column_string (b, "decided_by", st, 3);
    } else if (rc == SQLITE_DONE) {
        /* Not decided (yet): never shown as cleared. */
        json_builder_set_member_name (b, "verdict");
        json_builder_add_null_value (b);
    } else
        ok = kikan_store_fail (store, "Could not read a verdict", error);
    sqlite3_finalize (st);
    return ok;
}

JsonNode *
kikan_checkin_session_to_json (KikanStore *store, gint64 session_id, GError **error)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    sqlite3_stmt *st;
    int rc;

    st = kikan_store_prepare (store,
                              "SELECT s.uuid, s.kiosk_id, s.started_at, s.ended_at, s.state, "
                              "s.employee_id, e.name, s.program_version FROM sessions s "
                              "JOIN employees e ON e.id = s.employee_id WHERE s.id = ?",
                              error);
    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, session_id);
    if ((rc = sqlite3_step (st)) != SQLITE_ROW) {
        sqlite3_finalize (st);
        if (rc == SQLITE_DONE)
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "There is no session %" G_GINT64_FORMAT " in the store.", session_id);
        else
            kikan_store_fail (store, "Could not read the session", error);
        return NULL;
    }
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-checkin");
    json_builder_set_member_name (b, "format_version");
    json_builder_add_int_value (b, 1);
    add_column_string (b, "session", st, 0);
    json_builder_set_member_name (b, "session_id");
    json_builder_add_int_value (b, session_id);
    add_column_string (b, "kiosk", st, 1);
    add_column_string (b, "started_at", st, 2);
    add_column_string (b, "ended_at", st, 3);
    add_column_string (b, "state", st, 4);
    json_builder_set_member_name (b, "employee");
    json_builder_begin_object (b);
    add_column_string (b, "id", st, 5);
    add_column_string (b, "name", st, 6);
    json_builder_end_object (b);
    add_column_string (b, "program", st, 7);
    sqlite3_finalize (st);
    if (!add_latest_verdict (b, store, session_id, 0, error))
        return NULL;

    st = kikan_store_prepare (
        store,
        "SELECT i.id, i.asset_id, a.type, i.presence, i.presented_as, i.medium, "
        "i.state, i.return_by, i.transferred_to, i.usb_vid, i.usb_pid, "
        "i.usb_serial, i.usb_interfaces, a.serial FROM items i "
        "LEFT JOIN assets a ON a.id = i.asset_id WHERE i.session_id = ? "
        "ORDER BY i.id",
        error);
    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, session_id);
    json_builder_set_member_name (b, "items");
    json_builder_begin_array (b);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        gint64 item_id = sqlite3_column_int64 (st, 0);

        json_builder_begin_object (b);
        add_column_int (b, "item", st, 0);
        if (sqlite3_column_type (st, 1) == SQLITE_NULL) {
            json_builder_set_member_name (b, "asset");
            json_builder_add_null_value (b);
        } else
            add_column_string (b, "asset", st, 1);
        add_column_string (b, "type", st, 2);
        add_column_string (b, "serial", st, 13);
        add_column_string (b, "presence", st, 3);
        add_column_string (b, "presented_as", st, 4);
        add_column_string (b, "medium", st, 5);
        add_column_string (b, "state", st, 6);
        add_column_string (b, "return_by", st, 7);
        add_column_string (b, "transferred_to", st, 8);
        if (sqlite3_column_type (st, 9) != SQLITE_NULL) {
            g_autofree char *id = g_strdup_printf ("%04x:%04x", sqlite3_column_int (st, 9),
                                                   sqlite3_column_int (st, 10));

            json_builder_set_member_name (b, "usb");
            json_builder_begin_object (b);
            json_builder_set_member_name (b, "id");
            json_builder_add_string_value (b, id);
            add_column_string (b, "serial", st, 11);
            add_column_string (b, "interfaces", st, 12);
            json_builder_end_object (b);
        }
        if (!add_latest_verdict (b, store, session_id, item_id, error)
            || !add_inspection (b, store, item_id, error)) {
            sqlite3_finalize (st);
            return NULL;
        }
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the items", error), NULL;

    st = kikan_store_prepare (
        store,
        "SELECT n.number, n.kind, i.asset_id, n.item_id, n.classification, "
        "n.personal_data, n.remote_wipe, n.locate, n.opened_at FROM incidents n "
        "LEFT JOIN items i ON i.id = n.item_id WHERE n.session_id = ? "
        "ORDER BY n.id",
        error);
    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, session_id);
    json_builder_set_member_name (b, "incidents");
    json_builder_begin_array (b);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        json_builder_begin_object (b);
        add_column_string (b, "number", st, 0);
        add_column_string (b, "kind", st, 1);
        add_column_string (b, "asset", st, 2);
        if (sqlite3_column_type (st, 3) != SQLITE_NULL)
            add_column_int (b, "item", st, 3);
        add_column_string (b, "classification", st, 4);
        add_column_string (b, "personal_data", st, 5);
        add_column_string (b, "remote_wipe", st, 6);
        add_column_string (b, "locate", st, 7);
        add_column_string (b, "opened_at", st, 8);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the incidents", error), NULL;
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

JsonNode *
kikan_checkin_to_json (KikanCheckin *self, GError **error)
{
    return kikan_checkin_session_to_json (self->store, self->session_id, error);
}

char *
kikan_checkin_dup_verdict (KikanStore *store, gint64 session_id)
{
    sqlite3 *db = kikan_store_get_db (store);
    sqlite3_stmt *st = NULL;
    char *v = NULL;

    if (sqlite3_prepare_v2 (db,
                            "SELECT verdict FROM verdicts WHERE session_id = ? AND "
                            "item_id IS NULL ORDER BY id DESC LIMIT 1",
                            -1, &st, NULL)
        == SQLITE_OK) {
        sqlite3_bind_int64 (st, 1, session_id);
        if (sqlite3_step (st) == SQLITE_ROW)
            v = kikan_store_column_dup (st, 0);
    }
    sqlite3_finalize (st);
    return v;
}

/* ---- after a crash ---- */

gboolean
kikan_checkin_recover (KikanStore *store, guint *n_sessions, GError **error)
{
    static const char *const steps[] = {
        /* Inspections that never ended were cut short: not inspected. */
        "UPDATE inspections SET ended_at = :now, result = 'not_inspected', "
        "status_detail = 'the kiosk stopped during the inspection (crash or power loss); "
        "the medium was not inspected' WHERE ended_at IS NULL",
        "UPDATE items SET state = 'failed' WHERE state IN ('inspecting', 'pending')",
        "UPDATE sessions SET state = 'incomplete', ended_at = :now WHERE state = 'open'",
    };
    sqlite3 *db = kikan_store_get_db (store);
    g_autofree char *now = kikan_store_now_iso ();
    guint n = 0;

    /* A crash between a seal's commit and the sealing key's rewrite left
     * a used key on the disk: wipe it before anything else (docs/audit.md
     * "Keys"). */
    if (!kikan_audit_wipe_used_keys (store, error))
        return FALSE;

    if (!kikan_store_begin (store, error))
        return FALSE;
    /* Each session closed here gets its record in the audit chain. */
    {
        sqlite3_stmt *st = kikan_store_prepare (
            store, "SELECT id, uuid FROM sessions WHERE state = 'open' ORDER BY id", error);
        int rc;

        if (st == NULL) {
            kikan_store_rollback (store);
            return FALSE;
        }
        while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
            g_autoptr (JsonNode) p = kikan_audit_payload (
                "session", (const char *)sqlite3_column_text (st, 1), "why",
                "left open by a crash or power loss", NULL);

            if (!kikan_audit_append (store, "session_incomplete", sqlite3_column_int64 (st, 0),
                                     p, error)) {
                sqlite3_finalize (st);
                kikan_store_rollback (store);
                return FALSE;
            }
        }
        sqlite3_finalize (st);
        if (rc != SQLITE_DONE) {
            kikan_store_rollback (store);
            return kikan_store_fail (store, "Could not read the open sessions", error);
        }
    }
    for (gsize i = 0; i < G_N_ELEMENTS (steps); i++) {
        sqlite3_stmt *st = kikan_store_prepare (store, steps[i], error);
        int idx;

        if (st == NULL) {
            kikan_store_rollback (store);
            return FALSE;
        }
        if ((idx = sqlite3_bind_parameter_index (st, ":now")) > 0)
            kikan_store_bind_text (st, idx, now);
        if (sqlite3_step (st) != SQLITE_DONE) {
            sqlite3_finalize (st);
            kikan_store_rollback (store);
            return kikan_store_fail (store, "Could not close the sessions a crash left open",
                                     error);
        }
        if (i == G_N_ELEMENTS (steps) - 1)
            n = (guint)sqlite3_changes (db);
        sqlite3_finalize (st);
    }
    if (!kikan_store_commit (store, error))
        return FALSE;
    if (n_sessions != NULL)
        *n_sessions = n;
    return TRUE;
}

/* The asset @text names, by tag then by serial, as resolve_asset(); NULL
 * in *out when none. */
static gboolean
resolve_tag_or_serial (KikanStore *store, const char *text, char **out, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (KikanAsset) a = kikan_ledger_find_asset_by_tag_or_serial (store, text, &local);

    *out = a != NULL ? g_strdup (a->id) : NULL;
    if (a == NULL && !g_error_matches (local, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    return TRUE;
}

gboolean
kikan_checkin_check_script (KikanStore *store, const KikanScript *script, GError **error)
{
    g_autoptr (GHashTable) assets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr (GHashTable) media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    sqlite3_stmt *st;
    int rc;

    st = kikan_store_prepare (store, "SELECT 1 FROM employees WHERE id = ? AND active = 1", error);
    if (st == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, script->employee);
    rc = sqlite3_step (st);
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW) {
        g_autofree char *shown = kikan_escape_for_display (script->employee, -1);

        if (rc != SQLITE_DONE)
            return kikan_store_fail (store, "Could not look up the employee", error);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Employee ID %s is not in the lending ledger (or no longer active). Check "
                     "the ID on your badge; if it is right, ask IT to add you to the ledger. "
                     "Nothing was recorded.",
                     shown);
        return FALSE;
    }
    for (guint i = 0; i < script->present->len + script->missing->len; i++) {
        gboolean present = i < script->present->len;
        const KikanScriptPresent *p = present ? script->present->pdata[i] : NULL;
        const char *named
            = present ? (p->asset != NULL ? p->asset : p->serial)
                      : ((KikanScriptMissing *)script->missing->pdata[i - script->present->len])
                            ->asset;
        g_autofree char *resolved = NULL;
        const char *asset;

        /* Compared by the asset each name resolves to, as present() will:
         * a tag, or a serial. */
        if (named != NULL && !resolve_tag_or_serial (store, named, &resolved, error))
            return FALSE;
        asset = resolved != NULL ? resolved : named;
        const char *medium
            = present ? ((KikanScriptPresent *)script->present->pdata[i])->medium : NULL;
        g_autofree char *key = medium_key (medium);

        if (asset != NULL && !g_hash_table_add (assets, g_strdup (asset))) {
            g_autofree char *shown = kikan_escape_for_display (asset, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "%s is named twice in the script (presented or declared missing: "
                         "one or the other, once). Nothing was recorded.",
                         shown);
            return FALSE;
        }
        if (key != NULL && !g_hash_table_add (media, g_steal_pointer (&key))) {
            g_autofree char *shown = kikan_escape_for_display (medium, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "present[%u]: the medium %s is one already presented (the same file "
                         "or device). Nothing was recorded.",
                         i, shown);
            return FALSE;
        }
        if (present)
            continue;
        st = kikan_store_prepare (store,
                                  "SELECT 1 FROM loans WHERE asset_id = ? AND employee_id = ? "
                                  "AND returned_on IS NULL",
                                  error);
        if (st == NULL)
            return FALSE;
        kikan_store_bind_text (st, 1, asset);
        kikan_store_bind_text (st, 2, script->employee);
        rc = sqlite3_step (st);
        sqlite3_finalize (st);
        if (rc == SQLITE_DONE) {
            g_autofree char *shown = kikan_escape_for_display (asset, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "%s is not lent to you, so it cannot be declared missing here. If you "
                         "hold it, present it; otherwise tell IT. Nothing was recorded.",
                         shown);
            return FALSE;
        }
        if (rc != SQLITE_ROW)
            return kikan_store_fail (store, "Could not read the loans", error);
    }
    return TRUE;
}

gboolean
kikan_checkin_abandon (KikanCheckin *self, GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    sqlite3_stmt *st;

    for (guint i = 0; i < self->items->len; i++) {
        KikanCheckinItem *it = self->items->pdata[i];

        if (it->cancellable != NULL)
            g_cancellable_cancel (it->cancellable);
    }
    if (self->ended)
        return TRUE;
    if (!begin (self, error))
        return FALSE;
    st = kikan_store_prepare (self->store,
                              "UPDATE inspections SET ended_at = ?1, result = 'not_inspected', "
                              "status_detail = 'the check-in was abandoned' WHERE ended_at IS "
                              "NULL AND item_id IN (SELECT id FROM items WHERE session_id = ?2)",
                              error);
    if (st == NULL)
        return rollback (self);
    kikan_store_bind_text (st, 1, now);
    sqlite3_bind_int64 (st, 2, self->session_id);
    if (!kikan_store_step_done (self->store, st, "Could not close the inspections", error))
        return rollback (self);
    st = kikan_store_prepare (self->store,
                              "UPDATE items SET state = 'failed' WHERE session_id = ? AND state "
                              "IN ('inspecting', 'pending')",
                              error);
    if (st == NULL)
        return rollback (self);
    sqlite3_bind_int64 (st, 1, self->session_id);
    if (!kikan_store_step_done (self->store, st, "Could not close the items", error))
        return rollback (self);
    st = kikan_store_prepare (
        self->store,
        "UPDATE sessions SET state = 'incomplete', ended_at = ? WHERE id = ? "
        "AND state = 'open'",
        error);
    if (st == NULL)
        return rollback (self);
    kikan_store_bind_text (st, 1, now);
    sqlite3_bind_int64 (st, 2, self->session_id);
    if (!kikan_store_step_done (self->store, st, "Could not close the session", error))
        return rollback (self);
    if (!audit (self, "session_incomplete",
                kikan_audit_payload ("session", self->uuid, "why", "abandoned", NULL), error))
        return rollback (self);
    if (!commit (self, error))
        return FALSE;
    self->ended = TRUE;
    return TRUE;
}

gboolean
kikan_checkin_cancel_inspection (KikanCheckin *self, gint64 item_id)
{
    KikanCheckinItem *it = find_item (self, item_id);

    if (it == NULL || it->cancellable == NULL)
        return FALSE;
    it->cancelled = TRUE;
    g_cancellable_cancel (it->cancellable);
    return TRUE;
}
