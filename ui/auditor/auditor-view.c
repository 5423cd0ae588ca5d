/* Kikan kiosk UI: auditor mode, read-only (auditor-view.h; KR-31, KR-32,
 * KR-33).  What the auditor sees comes from kiosk/audit/ and kiosk/auth/,
 * exactly as the `kikan audit …` commands use them; this file only lays
 * it out.  Sign-in, verification, sampling and export run on a worker
 * thread with their own connection to the store, so the main loop keeps
 * drawing (STYLE rule 10). */
#include "auditor-view.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "audit-export-private.h"
#include "audit-private.h"
#include "audit-query-private.h"
#include "audit-sample-private.h"
#include "auth-private.h"
#include "bundle-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "home-private.h"
#include "kiosk-i18n.h"
#include "kiosk-window.h"
#include "seal-private.h"

/* A list longer than this is cut, and says so: narrow the filters. */
#define MAX_SHOWN 500

struct _KikanAuditorView {
    AdwBin parent_instance;

    KikanKioskWindow *window; /* borrowed: the window outlives its modes */
    GSimpleActionGroup *actions;

    GtkStack *pages;
    AdwEntryRow *signin_account;
    AdwPasswordEntryRow *signin_password;
    AdwPasswordEntryRow *change_new, *change_again;
    GtkLabel *account_label, *count_label;
    GtkWidget *filter_bar;
    GtkEntry *filter_since, *filter_until, *filter_employee, *filter_asset, *filter_kind,
        *filter_session;
    GtkDropDown *filter_verdict;
    AdwViewStack *views;
    GtkListBox *list_sessions, *list_findings, *list_overrides, *list_logins, *list_records;
    AdwPasswordEntryRow *verify_key;
    GtkWidget *verify_button;
    GtkSpinner *verify_spinner, *export_spinner;
    GtkLabel *verify_status, *verify_detail;
    AdwEntryRow *sample_seed, *sample_since, *sample_until;
    GtkSpinButton *sample_count;
    GtkLabel *sample_result;
    GtkListBox *sample_list;
    GtkWidget *attest_group;
    AdwEntryRow *attest_reviewer, *attest_statement;
    AdwEntryRow *export_folder;
    AdwComboRow *export_format;
    GtkLabel *export_result;
    GtkLabel *detail_title;
    GtkGrid *detail_grid;

    /* State. */
    gboolean signed_in, busy;
    gboolean shown;     /* mapped: auditor mode is on screen, signed in or not */
    gboolean disposed;  /* its widgets are gone: a job that ends later stays quiet */
    guint idle_seconds; /* [it] idle_seconds of kikan.conf, read when the mode is shown */
    guint idle_timer;
    char *account;
    char *pending_account, *pending_password; /* while the initial one is changed */
    GVariant *filter;                         /* a{sv}, as applied */
    GArray *shown_seqs;                       /* gint64 */
    gint64 n_matched;
    char *verify_state; /* "", running, intact, tampered, error */
    gint64 verify_first_bad;
    gint64 sample_id;
    GArray *sample_selection; /* gint64 */
    char *export_path, *export_sha256;
    char *message; /* the last thing told to the auditor */
};

G_DEFINE_FINAL_TYPE (KikanAuditorView, kikan_auditor_view, ADW_TYPE_BIN)

enum {
    PROP_0,
    PROP_SIGNED_IN,
    PROP_PAGE,
    PROP_BUSY,
    PROP_N_MATCHED,
    PROP_VERIFY_STATE,
    PROP_VERIFY_FIRST_BAD,
    PROP_SAMPLE_ID,
    PROP_EXPORT_PATH,
    PROP_EXPORT_SHA256,
    PROP_MESSAGE,
    N_PROPS
};
static GParamSpec *props[N_PROPS];

#define ACTIONS_KEY "kikan-auditor-actions"

/* The list pages and the kind of record each shows (NULL: the filter's). */
static const struct {
    const char *name, *kind;
} list_pages[] = {
    { "sessions", "session_start" }, { "findings", "verdict" }, { "overrides", "it_action" },
    { "logins", "it_login" },        { "records", NULL },
};

static const char *const verdict_levels[] = {
    NULL, "cleared", "conditional", "hold", "quarantine", "not_returned",
};

static void
wipe (char **text)
{
    if (*text != NULL)
        sodium_memzero (*text, strlen (*text));
    g_clear_pointer (text, g_free);
}

/* Empties every secret field of the view: the sign-in password, the two
 * new passwords and the verification key (which checks the log's seals,
 * and so could forge them).  Called after each attempt whatever its
 * outcome, on each change of page and whenever the mode leaves the
 * screen: a secret left in a field waits there for the next person, who
 * can reveal it with the row's own button. */
static void
clear_secrets (KikanAuditorView *self)
{
    AdwPasswordEntryRow *const rows[]
        = { self->signin_password, self->change_new, self->change_again, self->verify_key };

    for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
        gtk_editable_set_text (GTK_EDITABLE (rows[i]), "");
}

/* The change of an initial password is given up: the initial password the
 * sign-in handed to the change page goes, and with it the page, so that
 * nobody else can choose this account's password from it. */
static void
abandon_change (KikanAuditorView *self)
{
    wipe (&self->pending_password);
    g_clear_pointer (&self->pending_account, g_free);
    clear_secrets (self);
}

/* @raw escaped for the screen (kiosk/common/escape-private.h), cut to
 * @max characters with an ellipsis: a hostile store cannot flood it. */
static char *
shown_text (const char *raw, glong max)
{
    g_autofree char *text = kikan_escape_for_display (raw, -1);
    GString *cut;

    if (g_utf8_strlen (text, -1) <= max)
        return g_steal_pointer (&text);
    cut = g_string_new_len (text, g_utf8_offset_to_pointer (text, max) - text);
    g_string_append (cut, "…");
    return g_string_free (cut, FALSE);
}

static void
tell (KikanAuditorView *self, const char *text)
{
    g_free (self->message);
    self->message = g_strdup (text);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MESSAGE]);
    kikan_kiosk_window_toast (self->window, text);
}

static void
tell_error (KikanAuditorView *self, const GError *error)
{
    tell (self, error->message);
}

static void
set_busy (KikanAuditorView *self, gboolean busy)
{
    self->busy = busy;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BUSY]);
}

static void
show_page (KikanAuditorView *self, const char *name)
{
    clear_secrets (self);
    gtk_stack_set_visible_child_name (self->pages, name);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PAGE]);
}

static gboolean
on_idle_timeout (gpointer data)
{
    KikanAuditorView *self = data;

    self->idle_timer = 0;
    /* Someone waits for a sign-in, a verification or an export: its end
     * counts as use (job_done). */
    if (self->busy)
        return G_SOURCE_REMOVE;
    /* Leaving the mode signs out and empties every field (on_unmap); the
     * window sends the employee screen to start-up when check-in is not
     * allowed. */
    kikan_kiosk_window_set_mode (self->window, "employee");
    return G_SOURCE_REMOVE;
}

/* Any key or touch restarts the inactivity timer, as in IT mode and with
 * its setting: the sign-in and change pages must not wait for the next
 * person, nor an auditor's open log. */
static void
touch (KikanAuditorView *self)
{
    g_clear_handle_id (&self->idle_timer, g_source_remove);
    if (self->shown && !self->disposed)
        self->idle_timer = g_timeout_add_seconds (self->idle_seconds, on_idle_timeout, self);
}

static gboolean
on_any_event (GtkEventControllerLegacy *controller, GdkEvent *event, gpointer data)
{
    switch (gdk_event_get_event_type (event)) {
    case GDK_KEY_PRESS:
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
    case GDK_SCROLL:
        touch (data);
        break;
    default:
        break;
    }
    return FALSE; /* only watching */
}

/* This view is the window's auditor mode and the window shows it. */
static gboolean
on_screen (KikanAuditorView *self)
{
    return !self->disposed
           && g_object_get_data (G_OBJECT (self->window), ACTIONS_KEY) == self->actions
           && g_strcmp0 (kikan_kiosk_window_get_mode (self->window), "auditor") == 0;
}

static KikanStore *
station_store (KikanAuditorView *self)
{
    KikanStation *station = kikan_kiosk_window_get_station (self->window);

    return station != NULL ? kikan_station_get_store (station) : NULL;
}

/* ---- Filters (kiosk/audit/audit-query-private.h) ---------------------- */

static const char *
dict_string (GVariant *dict, const char *key)
{
    const char *v = NULL;

    if (dict == NULL || !g_variant_lookup (dict, key, "&s", &v) || v[0] == '\0')
        return NULL;
    return v;
}

/* The filter of @dict (as auditor.filter takes it); @kind, when not NULL,
 * replaces the kind (the list pages that show one kind of record). */
static KikanAuditFilter *
filter_from_dict (GVariant *dict, const char *kind, GError **error)
{
    g_autoptr (KikanAuditFilter) f = kikan_audit_filter_new ();
    const char *since = dict_string (dict, "since"), *until = dict_string (dict, "until");
    const char *verdict = dict_string (dict, "verdict");
    gint64 session = 0;

    if ((since != NULL && !kikan_audit_filter_set_since (f, since, error))
        || (until != NULL && !kikan_audit_filter_set_until (f, until, error))
        || (verdict != NULL && !kikan_audit_filter_set_verdict (f, verdict, error))
        || !kikan_audit_filter_set_text (f, "employee", dict_string (dict, "employee"), error)
        || !kikan_audit_filter_set_text (f, "asset", dict_string (dict, "asset"), error)
        || !kikan_audit_filter_set_text (f, "kind",
                                         kind != NULL ? kind : dict_string (dict, "kind"), error))
        return NULL;
    if (dict != NULL && g_variant_lookup (dict, "session", "x", &session) && session < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     _("A session is a check-in number (1, 2, …)."));
        return NULL;
    }
    f->session_id = session;
    if (f->since != NULL && f->until != NULL && strcmp (f->since, f->until) >= 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     _("The start date is not before the end date: nothing could match."));
        return NULL;
    }
    return g_steal_pointer (&f);
}

/* ---- Lists --------------------------------------------------------------- */

static GtkListBox *
list_of (KikanAuditorView *self, const char *page, const char **kind)
{
    GtkListBox *boxes[] = { self->list_sessions, self->list_findings, self->list_overrides,
                            self->list_logins, self->list_records };

    for (gsize i = 0; i < G_N_ELEMENTS (list_pages); i++)
        if (g_strcmp0 (page, list_pages[i].name) == 0) {
            *kind = list_pages[i].kind;
            return boxes[i];
        }
    return NULL;
}

static void
clear_box (GtkListBox *box)
{
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
        gtk_list_box_remove (box, child);
}

typedef struct {
    KikanAuditorView *self;
    GtkListBox *box;
} FillState;

static gboolean
add_row (const KikanAuditRow *row, gpointer user_data, GError **error)
{
    FillState *s = user_data;
    /* Every field comes from the store, which whoever holds the file can
     * write: all are escaped, and the rows take no markup. */
    g_autofree char *at = shown_text (row->at, 64);
    g_autofree char *kind = shown_text (row->kind, 64);
    g_autofree char *payload = shown_text (row->payload, 240);
    g_autofree char *title = NULL;
    GtkWidget *r;

    if (s->self->shown_seqs->len >= MAX_SHOWN)
        return TRUE;
    g_array_append_val (s->self->shown_seqs, row->seq);
    if (row->session_id > 0)
        title = g_strdup_printf (_("No. %lld · %s · %s · session %lld"), (long long)row->seq, at,
                                 kind, (long long)row->session_id);
    else
        title = g_strdup_printf (_("No. %lld · %s · %s"), (long long)row->seq, at, kind);
    r = adw_action_row_new ();
    adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (r), FALSE);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r), title);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (r), payload);
    adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (r), 2);
    adw_action_row_add_suffix (ADW_ACTION_ROW (r),
                               gtk_image_new_from_icon_name ("go-next-symbolic"));
    gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (r), TRUE);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (r), "auditor.show");
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (r), g_variant_new_int64 (row->seq));
    gtk_list_box_append (s->box, r);
    return TRUE;
}

static void
refresh_list (KikanAuditorView *self)
{
    const char *page
        = self->views != NULL ? adw_view_stack_get_visible_child_name (self->views) : NULL;
    const char *kind = NULL;
    GtkListBox *box = list_of (self, page, &kind);
    g_autoptr (KikanAuditFilter) f = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *count = NULL;
    FillState s = { self, box };
    KikanStore *store = station_store (self);

    if (self->views == NULL)
        return; /* still being built */
    gtk_widget_set_visible (self->filter_bar, box != NULL);
    /* Only "All records" chooses its kind; the other lists show one. */
    gtk_widget_set_visible (GTK_WIDGET (self->filter_kind), box != NULL && kind == NULL);
    if (box == NULL || !self->signed_in || store == NULL)
        return;
    clear_box (box);
    g_array_set_size (self->shown_seqs, 0);
    self->n_matched = 0;
    f = filter_from_dict (self->filter, kind, &error);
    if (f == NULL
        || !kikan_audit_query_foreach (store, f, add_row, &s, &self->n_matched, &error)) {
        tell_error (self, error);
        gtk_label_set_text (self->count_label, "");
    } else if (self->n_matched > MAX_SHOWN) {
        count = g_strdup_printf (_("The first %d of %lld records: narrow the filters to see "
                                    "the rest"),
                                 MAX_SHOWN, (long long)self->n_matched);
        gtk_label_set_text (self->count_label, count);
    } else {
        count = g_strdup_printf (ngettext ("%lld record", "%lld records", (gulong)self->n_matched),
                                 (long long)self->n_matched);
        gtk_label_set_text (self->count_label, count);
    }
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_MATCHED]);
}

static void
on_view_changed (KikanAuditorView *self)
{
    refresh_list (self);
}

/* ---- The worker thread --------------------------------------------------- */

typedef enum { JOB_LOGIN, JOB_CHANGE, JOB_VERIFY, JOB_SAMPLE, JOB_ATTEST, JOB_EXPORT } JobKind;

typedef struct {
    JobKind kind;
    char *home;
    char *account, *password, *new_password;
    guint8 key[KIKAN_AUDIT_KEY_LEN];
    gboolean has_key;
    KikanAuditFilter *filter;
    guint8 seed[KIKAN_AUDIT_SEED_MAX];
    gsize seed_len;
    gint64 count, sample_id;
    char *reviewer, *statement, *format, *folder;
    /* Results. */
    KikanAuthPolicy policy;
    KikanAuthResult auth;
    gboolean changed;
    KikanAuditVerdict verdict;
    gboolean initialised;
    KikanAuditSample *sample;
    gint64 attestation_id;
    char *out_path;
    char sha256[65];
} Job;

static void
job_free (Job *j)
{
    wipe (&j->password);
    wipe (&j->new_password);
    sodium_memzero (j->key, sizeof j->key);
    g_free (j->home);
    g_free (j->account);
    kikan_audit_filter_free (j->filter);
    g_free (j->reviewer);
    g_free (j->statement);
    g_free (j->format);
    g_free (j->folder);
    kikan_audit_verdict_clear (&j->verdict);
    kikan_audit_sample_free (j->sample);
    g_free (j->out_path);
    g_free (j);
}

/* A name for an export file that is not there yet: the kiosk ID (made a
 * plain file name) and the time, so that exports never overwrite. */
static char *
export_file_name (KikanStore *store, const char *folder, const char *ext)
{
    g_autofree char *kiosk = kikan_audit_export_kiosk_id (store);
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *when = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

    g_strcanon (kiosk, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", '_');
    for (guint i = 1; i < 1000; i++) {
        g_autofree char *base
            = i == 1 ? g_strdup_printf ("kikan-audit-%s-%s.%s", kiosk, when, ext)
                     : g_strdup_printf ("kikan-audit-%s-%s-%u.%s", kiosk, when, i, ext);
        char *path = g_build_filename (folder, base, NULL);

        if (!g_file_test (path, G_FILE_TEST_EXISTS))
            return path;
        g_free (path);
    }
    return NULL;
}

static gboolean
run_export (Job *j, KikanHome *home, KikanStore *store, GError **error)
{
    KikanAuditExportFormat format = KIKAN_AUDIT_EXPORT_JSONL;
    gboolean bundle = g_strcmp0 (j->format, "bundle") == 0;
    g_autofree char *base = NULL;
    gint64 count = 0;
    FILE *fp;
    int fd;

    if (!bundle && !kikan_audit_export_format_parse (j->format, &format)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     _("Choose the signed bundle, JSONL or CSV."));
        return FALSE;
    }
    if (!g_file_test (j->folder, G_FILE_TEST_IS_DIR)) {
        g_autofree char *shown = shown_text (j->folder, 200);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                     _("There is no folder %s. Ask IT to mount your medium, then give its "
                        "folder."),
                     shown);
        return FALSE;
    }
    j->out_path = export_file_name (store, j->folder,
                                    bundle ? "tar.gz" : kikan_audit_export_format_name (format));
    if (j->out_path == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     _("The folder already holds too many exports of this second."));
        return FALSE;
    }
    if (bundle) {
        KikanAuditBundleSummary summary;

        if (!kikan_audit_bundle_write (store, kikan_home_get_path (home), j->out_path, "gzip",
                                       &summary, error))
            return FALSE;
        memcpy (j->sha256, summary.sha256, sizeof j->sha256);
        return TRUE;
    }
    /* Created here, never over a file: the medium is not ours to overwrite. */
    fd = g_open (j->out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || (fp = fdopen (fd, "w")) == NULL) {
        g_autofree char *shown = shown_text (j->out_path, 200);
        int saved = errno;

        if (fd >= 0)
            close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     _("%s could not be written (%s). Is the medium full or read-only?"), shown,
                     g_strerror (saved));
        return FALSE;
    }
    base = g_path_get_basename (j->out_path);
    if (!kikan_audit_export (store, j->filter, format, fp, base, &count, j->sha256, error)) {
        fclose (fp);
        g_unlink (j->out_path);
        return FALSE;
    }
    if (fclose (fp) != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     _("The export could not be finished on the medium (%s)."),
                     g_strerror (errno));
        return FALSE;
    }
    return TRUE;
}

static void
run_job (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    Job *j = data;
    g_autoptr (KikanHome) home = kikan_home_new_for_path (j->home);
    g_autoptr (KikanStore) store = NULL;
    g_autofree char *conf = kikan_home_dup_config_path (home);
    GError *error = NULL;
    gboolean ok = FALSE;

    switch (j->kind) {
    case JOB_LOGIN:
    case JOB_CHANGE:
        if (!kikan_auth_policy_load (conf, &j->policy, &error)
            || (store = kikan_store_open (home, &error)) == NULL)
            break;
        if (j->kind == JOB_LOGIN)
            ok = kikan_auth_login_as (store, &j->policy, KIKAN_AUTH_ROLE_AUDITOR, j->account,
                                      j->password, &j->auth, &error);
        else {
            j->changed = kikan_auth_change_password (store, &j->policy, j->account, j->password,
                                                     j->new_password, &j->auth, &error);
            ok = error == NULL;
        }
        break;
    case JOB_VERIFY:
        /* Read-only: verifying writes nothing (KR-31). */
        if ((store = kikan_store_open_readonly (home, &error)) == NULL)
            break;
        j->initialised = kikan_audit_identity (store, NULL, NULL, &error);
        if (error == NULL)
            ok = kikan_audit_verify_store (store, j->has_key ? j->key : NULL, NULL, NULL,
                                           &j->verdict, &error);
        break;
    case JOB_SAMPLE:
        if ((store = kikan_store_open (home, &error)) != NULL)
            j->sample = kikan_audit_sample (store, j->filter, (gsize)j->count,
                                            j->seed_len > 0 ? j->seed : NULL, j->seed_len,
                                            j->account, &error);
        ok = j->sample != NULL;
        break;
    case JOB_ATTEST:
        ok = (store = kikan_store_open (home, &error)) != NULL
             && kikan_audit_attest (store, j->sample_id, j->reviewer, j->statement,
                                    &j->attestation_id, &error);
        break;
    case JOB_EXPORT:
        ok = (store = kikan_store_open (home, &error)) != NULL
             && run_export (j, home, store, &error);
        break;
    }
    if (ok)
        g_task_return_boolean (task, TRUE);
    else
        g_task_return_error (task, error != NULL ? error
                                                 : g_error_new (KIKAN_ERROR, KIKAN_ERROR_FAILED,
                                                                _("That did not work.")));
}

static void job_done (GObject *source, GAsyncResult *result, gpointer data);

/* Starts @j (taken) unless another job runs. */
static void
start_job (KikanAuditorView *self, Job *j)
{
    KikanStation *station = kikan_kiosk_window_get_station (self->window);
    g_autoptr (GTask) task = NULL;

    if (station == NULL) {
        job_free (j);
        tell (self, _("The kiosk's store could not be opened: ask IT to check the kiosk."));
        return;
    }
    if (self->busy) {
        job_free (j);
        tell (self, _("Please wait until the current task is finished."));
        return;
    }
    j->home = g_strdup (kikan_home_get_path (kikan_station_get_home (station)));
    touch (self);
    set_busy (self, TRUE);
    task = g_task_new (self, NULL, job_done, NULL);
    g_task_set_task_data (task, j, (GDestroyNotify)job_free);
    g_task_run_in_thread (task, run_job);
}

/* ---- Results ------------------------------------------------------------- */

static void
refusal (KikanAuditorView *self, const KikanAuthPolicy *policy)
{
    g_autofree char *text = g_strdup_printf (
        _("Not signed in: wrong account or password, or the account is locked after %u wrong "
           "passwords in a row (for %u minutes). Every attempt is in the security log."),
        policy->max_failures, policy->lockout_minutes);

    tell (self, text);
}

static void
sign_in_done (KikanAuditorView *self, Job *j)
{
    switch (j->auth.outcome) {
    case KIKAN_AUTH_OK:
        abandon_change (self);
        self->signed_in = TRUE;
        g_free (self->account);
        self->account = g_strdup (j->account);
        {
            g_autofree char *shown = shown_text (j->account, 64);
            g_autofree char *text = g_strdup_printf (_("Auditor: %s (read-only)"), shown);

            gtk_label_set_text (self->account_label, text);
        }
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SIGNED_IN]);
        show_page (self, "main");
        adw_view_stack_set_visible_child_name (self->views, "sessions");
        refresh_list (self);
        break;
    case KIKAN_AUTH_MUST_CHANGE:
        wipe (&self->pending_password);
        g_free (self->pending_account);
        self->pending_account = g_strdup (j->account);
        self->pending_password = g_strdup (j->password);
        show_page (self, "change");
        break;
    case KIKAN_AUTH_REFUSED:
    case KIKAN_AUTH_LOCKED:
    default:
        refusal (self, &j->policy);
        break;
    }
}

static void
verify_done (KikanAuditorView *self, Job *j)
{
    const KikanAuditVerdict *v = &j->verdict;
    g_autoptr (GString) detail = g_string_new (NULL);
    g_autofree char *status = NULL;

    g_free (self->verify_state);
    self->verify_first_bad = v->first_bad;
    if (v->first_bad != 0) {
        g_autofree char *why = shown_text (v->why, 400);

        self->verify_state = g_strdup ("tampered");
        status = g_strdup_printf (_("TAMPERED at record %lld"), (long long)v->first_bad);
        g_string_append_printf (detail,
                                _("Record %lld of %lld does not hold: %s. Keep this kiosk's "
                                   "store as evidence (copy it, do not repair it)."),
                                (long long)v->first_bad, (long long)v->n_records, why);
    } else {
        self->verify_state = g_strdup ("intact");
        status = g_strdup (_("Intact"));
        g_string_append_printf (detail, _("%lld records, %lld seals: every record holds."),
                                (long long)v->n_records, (long long)v->n_seals);
        g_string_append_c (detail, '\n');
        if (!j->initialised)
            g_string_append (detail, _("WARNING: this kiosk's log is NOT SEALED (kikan audit "
                                        "init was never run): whoever holds the store file could "
                                        "have rewritten it."));
        else if (v->seals_keyed)
            g_string_append (detail, _("Seals and record MACs were checked with your "
                                        "verification key: nothing sealed was rewritten."));
        else
            g_string_append (detail, _("NOT CHECKED: the forward-secure seals. Give your "
                                        "verification key to check them; without it, someone "
                                        "holding this kiosk's disk could have rewritten the log "
                                        "and signed it again."));
        if (v->last_sealed_seq < v->n_records) {
            g_string_append_c (detail, '\n');
            g_string_append_printf (detail, _("Records %lld to %lld are not sealed yet."),
                                    (long long)v->last_sealed_seq + 1, (long long)v->n_records);
        }
    }
    gtk_label_set_text (self->verify_status, status);
    gtk_label_set_text (self->verify_detail, detail->str);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VERIFY_FIRST_BAD]);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VERIFY_STATE]);
}

static void
sample_done (KikanAuditorView *self, Job *j)
{
    g_autofree char *text = NULL;

    clear_box (self->sample_list);
    g_array_set_size (self->sample_selection, 0);
    for (guint i = 0; i < j->sample->selection->len; i++) {
        gint64 id = g_array_index (j->sample->selection, gint64, i);
        g_autofree char *title = g_strdup_printf (_("%u. Session %lld"), i + 1, (long long)id);
        GtkWidget *r = adw_action_row_new ();

        g_array_append_val (self->sample_selection, id);
        adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (r), FALSE);
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r), title);
        adw_action_row_add_suffix (ADW_ACTION_ROW (r),
                                   gtk_image_new_from_icon_name ("go-next-symbolic"));
        gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (r), TRUE);
        gtk_actionable_set_action_name (GTK_ACTIONABLE (r), "auditor.show-session");
        gtk_actionable_set_action_target_value (GTK_ACTIONABLE (r), g_variant_new_int64 (id));
        gtk_list_box_append (self->sample_list, r);
    }
    text = g_strdup_printf (_("Sample %lld: %u of %lld sessions, seed %s. Keep the seed: it "
                               "repeats this draw."),
                            (long long)j->sample->id, j->sample->selection->len,
                            (long long)j->sample->population_size, j->sample->seed_hex);
    gtk_label_set_text (self->sample_result, text);
    self->sample_id = j->sample->id;
    gtk_widget_set_visible (self->attest_group, TRUE);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SAMPLE_ID]);
}

static void
export_done (KikanAuditorView *self, Job *j)
{
    g_autofree char *shown = shown_text (j->out_path, 400);
    g_autofree char *text = g_strdup_printf (_("Written to %s\nSHA-256 %s"), shown, j->sha256);

    gtk_label_set_text (self->export_result, text);
    g_free (self->export_path);
    self->export_path = g_strdup (j->out_path);
    g_free (self->export_sha256);
    self->export_sha256 = g_strdup (j->sha256);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EXPORT_SHA256]);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EXPORT_PATH]);
    tell (self, _("The export is written. Ask IT to unmount the medium before you take it."));
}

static void
job_done (GObject *source, GAsyncResult *result, gpointer data)
{
    KikanAuditorView *self = KIKAN_AUDITOR_VIEW (source);
    Job *j = g_task_get_task_data (G_TASK (result));
    g_autoptr (GError) error = NULL;
    gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

    set_busy (self, FALSE);
    if (self->disposed)
        return;
    gtk_spinner_stop (self->verify_spinner);
    gtk_spinner_stop (self->export_spinner);
    /* Whatever the answer, no secret typed while it was checked stays. */
    clear_secrets (self);
    /* The mode was left while the job ran (which signed out), or the view
     * was rebuilt: the answer opens no session and no change page on a
     * screen that person has left, and shows nothing to the next one.
     * What the job did is in the audit log all the same. */
    if (!on_screen (self)) {
        abandon_change (self);
        if (!self->signed_in)
            show_page (self, "signin");
        return;
    }
    touch (self);
    if (!ok) {
        if (j->kind == JOB_CHANGE) {
            g_autofree char *text = g_strdup_printf (
                "%s %s", error->message,
                _("Sign in again with your initial password, then choose a new one."));

            abandon_change (self);
            show_page (self, "signin");
            tell (self, text);
            return;
        }
        if (j->kind == JOB_VERIFY) {
            g_free (self->verify_state);
            self->verify_state = g_strdup ("error");
            gtk_label_set_text (self->verify_status, _("Could not check"));
            g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VERIFY_STATE]);
        }
        tell_error (self, error);
        return;
    }
    switch (j->kind) {
    case JOB_LOGIN:
        sign_in_done (self, j);
        break;
    case JOB_CHANGE:
        abandon_change (self);
        if (j->changed)
            tell (self, _("Your password was changed. Sign in with the new one."));
        else
            refusal (self, &j->policy);
        show_page (self, "signin");
        break;
    case JOB_VERIFY:
        verify_done (self, j);
        break;
    case JOB_SAMPLE:
        sample_done (self, j);
        break;
    case JOB_ATTEST:
        tell (self, _("Your attestation is recorded in the log."));
        break;
    case JOB_EXPORT:
        export_done (self, j);
        break;
    }
}

/* ---- Actions ------------------------------------------------------------- */

static gboolean
need_signed_in (KikanAuditorView *self)
{
    if (!self->signed_in)
        tell (self, _("Sign in as an auditor first."));
    return self->signed_in;
}

static void
action_login (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    Job *j = g_new0 (Job, 1);

    j->kind = JOB_LOGIN;
    g_variant_get (parameter, "(ss)", &j->account, &j->password);
    /* Every attempt empties the fields, one that stops in start_job too:
     * the parameter holds its own copy. */
    clear_secrets (self);
    start_job (self, j);
}

static void
action_change_password (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    Job *j = g_new0 (Job, 1);

    j->kind = JOB_CHANGE;
    g_variant_get (parameter, "(sss)", &j->account, &j->password, &j->new_password);
    clear_secrets (data);
    start_job (data, j);
}

static void
action_logout (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;

    abandon_change (self);
    gtk_editable_set_text (GTK_EDITABLE (self->attest_reviewer), "");
    gtk_editable_set_text (GTK_EDITABLE (self->attest_statement), "");
    g_clear_pointer (&self->account, g_free);
    g_clear_pointer (&self->filter, g_variant_unref);
    for (gsize i = 0; i < G_N_ELEMENTS (list_pages); i++) {
        const char *kind;

        clear_box (list_of (self, list_pages[i].name, &kind));
    }
    clear_box (self->sample_list);
    gtk_label_set_text (self->verify_status, "");
    gtk_label_set_text (self->verify_detail, "");
    gtk_label_set_text (self->sample_result, "");
    gtk_label_set_text (self->export_result, "");
    gtk_widget_set_visible (self->attest_group, FALSE);
    g_array_set_size (self->shown_seqs, 0);
    if (self->signed_in) {
        self->signed_in = FALSE;
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SIGNED_IN]);
    }
    show_page (self, "signin");
}

static void
action_view (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    const char *name = g_variant_get_string (parameter, NULL);

    if (!need_signed_in (self))
        return;
    if (adw_view_stack_get_child_by_name (self->views, name) == NULL)
        return;
    show_page (self, "main");
    adw_view_stack_set_visible_child_name (self->views, name);
}

/* The fields say what the filter in force is, however it was set. */
static void
show_filter (KikanAuditorView *self)
{
    const struct {
        const char *key;
        GtkEntry *entry;
    } fields[] = {
        { "since", self->filter_since },       { "until", self->filter_until },
        { "employee", self->filter_employee }, { "asset", self->filter_asset },
        { "kind", self->filter_kind },
    };
    const char *verdict = dict_string (self->filter, "verdict");
    gint64 session = 0;
    g_autofree char *n = NULL;

    for (gsize i = 0; i < G_N_ELEMENTS (fields); i++) {
        const char *v = dict_string (self->filter, fields[i].key);

        gtk_editable_set_text (GTK_EDITABLE (fields[i].entry), v != NULL ? v : "");
    }
    if (self->filter != NULL)
        g_variant_lookup (self->filter, "session", "x", &session);
    n = session > 0 ? g_strdup_printf ("%lld", (long long)session) : g_strdup ("");
    gtk_editable_set_text (GTK_EDITABLE (self->filter_session), n);
    gtk_drop_down_set_selected (self->filter_verdict, 0);
    for (guint i = 1; verdict != NULL && i < G_N_ELEMENTS (verdict_levels); i++)
        if (strcmp (verdict, verdict_levels[i]) == 0)
            gtk_drop_down_set_selected (self->filter_verdict, i);
}

static void
action_filter (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    g_autoptr (KikanAuditFilter) f = NULL;
    g_autoptr (GError) error = NULL;

    if (!need_signed_in (self))
        return;
    /* Checked whole before it replaces the filters in force. */
    if ((f = filter_from_dict (parameter, NULL, &error)) == NULL) {
        tell_error (self, error);
        return;
    }
    g_clear_pointer (&self->filter, g_variant_unref);
    self->filter = g_variant_ref (parameter);
    show_filter (self);
    refresh_list (self);
}

static void
detail_row (KikanAuditorView *self, int row, const char *name, const char *value)
{
    GtkWidget *k = gtk_label_new (name);
    g_autofree char *shown = value != NULL
                                 ? kikan_escape_for_display (value, -1)
                                 : g_strdup (_("— (written before the log was sealed)"));
    GtkWidget *v = gtk_label_new (shown);

    gtk_label_set_xalign (GTK_LABEL (k), 0);
    gtk_widget_set_valign (k, GTK_ALIGN_START);
    gtk_widget_add_css_class (k, "dim-label");
    gtk_label_set_xalign (GTK_LABEL (v), 0);
    gtk_label_set_wrap (GTK_LABEL (v), TRUE);
    gtk_label_set_wrap_mode (GTK_LABEL (v), PANGO_WRAP_WORD_CHAR);
    gtk_label_set_selectable (GTK_LABEL (v), TRUE);
    gtk_widget_set_hexpand (v, TRUE);
    gtk_grid_attach (self->detail_grid, k, 0, row, 1, 1);
    gtk_grid_attach (self->detail_grid, v, 1, row, 1, 1);
}

static void
action_show (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    KikanStore *store = station_store (self);
    g_autoptr (GError) error = NULL;
    g_autofree char *title = NULL, *session = NULL;
    KikanAuditRow r = { 0 };
    GtkWidget *child;

    if (!need_signed_in (self) || store == NULL)
        return;
    if (!kikan_audit_query_get (store, g_variant_get_int64 (parameter), &r, &error)) {
        tell_error (self, error);
        return;
    }
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->detail_grid))) != NULL)
        gtk_grid_remove (self->detail_grid, child);
    title = g_strdup_printf (_("Record %lld"), (long long)r.seq);
    session
        = r.session_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, r.session_id) : g_strdup ("—");
    gtk_label_set_text (self->detail_title, title);
    detail_row (self, 0, _("Session"), session);
    detail_row (self, 1, _("Time (UTC)"), r.at);
    detail_row (self, 2, _("Kind"), r.kind);
    detail_row (self, 3, _("Content"), r.payload);
    detail_row (self, 4, _("Previous hash"), r.prev_hash);
    detail_row (self, 5, _("Hash"), r.hash);
    detail_row (self, 6, _("MAC"), r.mac);
    kikan_audit_row_clear (&r);
    show_page (self, "detail");
}

/* A session of a sample: all its records. */
static void
action_show_session (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    GVariantBuilder b;

    if (!need_signed_in (self))
        return;
    g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add (&b, "{sv}", "session", parameter);
    adw_view_stack_set_visible_child_name (self->views, "records");
    g_action_group_activate_action (G_ACTION_GROUP (self->actions), "filter",
                                    g_variant_builder_end (&b));
}

static void
action_back (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;

    if (self->signed_in)
        show_page (self, "main");
}

static void
action_verify (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    const char *key = g_variant_get_string (parameter, NULL);
    Job *j;

    /* The key is a secret: emptied on every attempt, taken or not (the
     * parameter holds its own copy). */
    clear_secrets (self);
    if (!need_signed_in (self))
        return;
    j = g_new0 (Job, 1);
    j->kind = JOB_VERIFY;
    if (key[0] != '\0') {
        if (!kikan_audit_parse_verification_key (key, j->key)) {
            job_free (j);
            tell (self, _("That is not a verification key: it starts with kikan-vk1: and has "
                           "64 hex digits (dashes do not matter)."));
            return;
        }
        j->has_key = TRUE;
    }
    g_free (self->verify_state);
    self->verify_state = g_strdup ("running");
    gtk_label_set_text (self->verify_status, _("Checking…"));
    gtk_label_set_text (self->verify_detail, "");
    gtk_spinner_start (self->verify_spinner);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VERIFY_STATE]);
    start_job (self, j);
}

static void
action_sample (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    const char *seed, *period;
    g_auto (GStrv) ends = NULL;
    g_autoptr (GError) error = NULL;
    Job *j;

    if (!need_signed_in (self))
        return;
    j = g_new0 (Job, 1);
    j->kind = JOB_SAMPLE;
    g_variant_get (parameter, "(&sx&s)", &seed, &j->count, &period);
    j->filter = kikan_audit_filter_new ();
    ends = g_strsplit (period, "..", 2);
    if (seed[0] != '\0' && !kikan_audit_seed_parse (seed, j->seed, &j->seed_len)) {
        job_free (j);
        tell (self, _("A seed is 2 to 128 hex digits (an even number), or empty for a random "
                       "one."));
        return;
    }
    if (j->count <= 0) {
        job_free (j);
        tell (self, _("Draw at least one session."));
        return;
    }
    if ((period[0] != '\0' && g_strv_length (ends) != 2)
        || (ends[0] != NULL && ends[0][0] != '\0'
            && !kikan_audit_filter_set_since (j->filter, ends[0], &error))
        || (ends[0] != NULL && ends[1] != NULL && ends[1][0] != '\0'
            && !kikan_audit_filter_set_until (j->filter, ends[1], &error))) {
        job_free (j);
        if (error != NULL)
            tell_error (self, error);
        else
            tell (self, _("A period is FROM..TO, each a date (2026-11-02) or left empty."));
        return;
    }
    j->account = g_strdup (self->account);
    start_job (self, j);
}

static void
action_attest (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    g_autoptr (GError) error = NULL;
    Job *j;

    if (!need_signed_in (self))
        return;
    j = g_new0 (Job, 1);
    j->kind = JOB_ATTEST;
    g_variant_get (parameter, "(xss)", &j->sample_id, &j->reviewer, &j->statement);
    if (!kikan_audit_check_person_text (j->reviewer, KIKAN_AUDIT_REVIEWER_MAX, FALSE,
                                        _("Reviewer"), &error)
        || !kikan_audit_check_person_text (j->statement, KIKAN_AUDIT_STATEMENT_MAX, TRUE,
                                           _("Statement"), &error)) {
        job_free (j);
        tell_error (self, error);
        return;
    }
    start_job (self, j);
}

static void
action_export (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanAuditorView *self = data;
    g_autoptr (GError) error = NULL;
    Job *j;

    if (!need_signed_in (self))
        return;
    j = g_new0 (Job, 1);
    j->kind = JOB_EXPORT;
    g_variant_get (parameter, "(ss)", &j->format, &j->folder);
    /* JSONL and CSV hold what the filters in force choose. */
    if ((j->filter = filter_from_dict (self->filter, NULL, &error)) == NULL) {
        job_free (j);
        tell_error (self, error);
        return;
    }
    if (j->folder[0] == '\0') {
        job_free (j);
        tell (self, _("Give the folder of your medium (IT mounts it for you)."));
        return;
    }
    gtk_spinner_start (self->export_spinner);
    start_job (self, j);
}

/* ---- Buttons: they read the fields and ask for the action ------------- */

static void
activate (KikanAuditorView *self, const char *name, GVariant *parameter)
{
    g_action_group_activate_action (G_ACTION_GROUP (self->actions), name, parameter);
}

static void
on_signin_clicked (KikanAuditorView *self)
{
    const char *account = gtk_editable_get_text (GTK_EDITABLE (self->signin_account));
    const char *password = gtk_editable_get_text (GTK_EDITABLE (self->signin_password));

    /* The variant copies the password before the action empties the field. */
    activate (self, "login", g_variant_new ("(ss)", account, password));
}

static void
on_change_clicked (KikanAuditorView *self)
{
    /* Copies: the fields are emptied before the answer, whatever it is. */
    char *new_password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->change_new)));
    char *again = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->change_again)));

    clear_secrets (self);
    if (self->pending_account == NULL) {
        /* Nobody signed in with an initial password (the page was left). */
    } else if (strcmp (new_password, again) != 0) {
        /* As any failed change: the initial password goes with the page. */
        g_autofree char *text = g_strdup_printf (
            "%s %s", _("The two new passwords differ. Type the same one twice."),
            _("Sign in again with your initial password, then choose a new "
               "one."));

        abandon_change (self);
        show_page (self, "signin");
        tell (self, text);
    } else
        activate (
            self, "change-password",
            g_variant_new ("(sss)", self->pending_account, self->pending_password, new_password));
    wipe (&new_password);
    wipe (&again);
}

static void
put_text (GVariantBuilder *b, const char *key, GtkEntry *entry)
{
    const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

    if (text[0] != '\0')
        g_variant_builder_add (b, "{sv}", key, g_variant_new_string (text));
}

static void
on_apply_filters (KikanAuditorView *self)
{
    GVariantBuilder b;
    const char *session = gtk_editable_get_text (GTK_EDITABLE (self->filter_session));
    guint verdict = gtk_drop_down_get_selected (self->filter_verdict);
    guint64 n = 0;

    g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
    put_text (&b, "since", self->filter_since);
    put_text (&b, "until", self->filter_until);
    put_text (&b, "employee", self->filter_employee);
    put_text (&b, "asset", self->filter_asset);
    put_text (&b, "kind", self->filter_kind);
    if (verdict > 0 && verdict < G_N_ELEMENTS (verdict_levels))
        g_variant_builder_add (&b, "{sv}", "verdict",
                               g_variant_new_string (verdict_levels[verdict]));
    if (session[0] != '\0') {
        if (!g_ascii_string_to_unsigned (session, 10, 1, G_MAXINT64, &n, NULL)) {
            g_variant_builder_clear (&b);
            tell (self, _("A session is a check-in number (1, 2, …)."));
            return;
        }
        g_variant_builder_add (&b, "{sv}", "session", g_variant_new_int64 ((gint64)n));
    }
    activate (self, "filter", g_variant_builder_end (&b));
}

static void
on_clear_filters (KikanAuditorView *self)
{
    GtkEntry *entries[] = { self->filter_since, self->filter_until, self->filter_employee,
                            self->filter_asset, self->filter_kind,  self->filter_session };

    for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
        gtk_editable_set_text (GTK_EDITABLE (entries[i]), "");
    gtk_drop_down_set_selected (self->filter_verdict, 0);
    activate (self, "filter", g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
}

static void
on_verify_clicked (KikanAuditorView *self)
{
    /* The variant copies the key before the action empties the field. */
    activate (self, "verify",
              g_variant_new_string (gtk_editable_get_text (GTK_EDITABLE (self->verify_key))));
}

static void
on_draw_clicked (KikanAuditorView *self)
{
    g_autofree char *period
        = g_strdup_printf ("%s..%s", gtk_editable_get_text (GTK_EDITABLE (self->sample_since)),
                           gtk_editable_get_text (GTK_EDITABLE (self->sample_until)));

    activate (self, "sample",
              g_variant_new ("(sxs)", gtk_editable_get_text (GTK_EDITABLE (self->sample_seed)),
                             (gint64)gtk_spin_button_get_value_as_int (self->sample_count),
                             strcmp (period, "..") == 0 ? "" : period));
}

static void
on_attest_clicked (KikanAuditorView *self)
{
    activate (self, "attest",
              g_variant_new ("(xss)", self->sample_id,
                             gtk_editable_get_text (GTK_EDITABLE (self->attest_reviewer)),
                             gtk_editable_get_text (GTK_EDITABLE (self->attest_statement))));
}

static void
on_export_clicked (KikanAuditorView *self)
{
    static const char *const formats[] = { "bundle", "jsonl", "csv" };
    guint i = adw_combo_row_get_selected (self->export_format);

    activate (self, "export",
              g_variant_new ("(ss)", formats[i < G_N_ELEMENTS (formats) ? i : 0],
                             gtk_editable_get_text (GTK_EDITABLE (self->export_folder))));
}

/* The mode came on screen: its pages time out like IT mode's, signed in
 * or not, after [it] idle_seconds (the auditor's sign-in already follows
 * [it]'s lock-out), so that nothing half done waits for the next person. */
static void
on_map (KikanAuditorView *self)
{
    self->shown = TRUE;
    self->idle_seconds = kikan_kiosk_window_get_sign_in_idle_seconds (self->window);
    touch (self);
}

/* Leaving the mode, whichever way, signs the auditor out and gives up a
 * change of password: the next person at the kiosk must find neither the
 * log open nor a secret in a field. */
static void
on_unmap (KikanAuditorView *self)
{
    self->shown = FALSE;
    g_clear_handle_id (&self->idle_timer, g_source_remove);
    if (self->disposed)
        return;
    if (self->signed_in || self->pending_account != NULL)
        g_action_group_activate_action (G_ACTION_GROUP (self->actions), "logout", NULL);
    clear_secrets (self);
}

/* ---- GObject ------------------------------------------------------------- */

static const GActionEntry action_entries[] = {
    { "login", action_login, "(ss)" },
    { "change-password", action_change_password, "(sss)" },
    { "logout", action_logout },
    { "view", action_view, "s" },
    { "filter", action_filter, "a{sv}" },
    { "show", action_show, "x" },
    { "show-session", action_show_session, "x" },
    { "back", action_back },
    { "verify", action_verify, "s" },
    { "sample", action_sample, "(sxs)" },
    { "attest", action_attest, "(xss)" },
    { "export", action_export, "(ss)" },
};

GArray *
kikan_auditor_view_get_shown_seqs (KikanAuditorView *self)
{
    return self->shown_seqs;
}

GArray *
kikan_auditor_view_get_sample_selection (KikanAuditorView *self)
{
    return self->sample_selection;
}

static void
kikan_auditor_view_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    KikanAuditorView *self = KIKAN_AUDITOR_VIEW (object);

    switch (id) {
    case PROP_SIGNED_IN:
        g_value_set_boolean (value, self->signed_in);
        break;
    case PROP_PAGE:
        g_value_set_string (value, gtk_stack_get_visible_child_name (self->pages));
        break;
    case PROP_BUSY:
        g_value_set_boolean (value, self->busy);
        break;
    case PROP_N_MATCHED:
        g_value_set_int64 (value, self->n_matched);
        break;
    case PROP_VERIFY_STATE:
        g_value_set_string (value, self->verify_state);
        break;
    case PROP_VERIFY_FIRST_BAD:
        g_value_set_int64 (value, self->verify_first_bad);
        break;
    case PROP_SAMPLE_ID:
        g_value_set_int64 (value, self->sample_id);
        break;
    case PROP_EXPORT_PATH:
        g_value_set_string (value, self->export_path);
        break;
    case PROP_EXPORT_SHA256:
        g_value_set_string (value, self->export_sha256);
        break;
    case PROP_MESSAGE:
        g_value_set_string (value, self->message);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
kikan_auditor_view_dispose (GObject *object)
{
    KikanAuditorView *self = KIKAN_AUDITOR_VIEW (object);

    self->disposed = TRUE;
    g_clear_handle_id (&self->idle_timer, g_source_remove);
    /* Only this view's group: a rebuilt view (a language switch) may have
     * put its own on the window already. */
    if (self->window != NULL
        && g_object_get_data (G_OBJECT (self->window), ACTIONS_KEY) == self->actions) {
        gtk_widget_insert_action_group (GTK_WIDGET (self->window), "auditor", NULL);
        g_object_set_data (G_OBJECT (self->window), ACTIONS_KEY, NULL);
    }
    g_clear_object (&self->actions);
    /* As in the IT view: the bin's child may be a bound template child,
     * which AdwBin's dispose would unparent after the template's dispose
     * dropped it (a critical at every window close). */
    adw_bin_set_child (ADW_BIN (self), NULL);
    gtk_widget_dispose_template (GTK_WIDGET (self), KIKAN_TYPE_AUDITOR_VIEW);
    G_OBJECT_CLASS (kikan_auditor_view_parent_class)->dispose (object);
}

static void
kikan_auditor_view_finalize (GObject *object)
{
    KikanAuditorView *self = KIKAN_AUDITOR_VIEW (object);

    wipe (&self->pending_password);
    g_free (self->pending_account);
    g_free (self->account);
    g_clear_pointer (&self->filter, g_variant_unref);
    g_array_unref (self->shown_seqs);
    g_array_unref (self->sample_selection);
    g_free (self->verify_state);
    g_free (self->export_path);
    g_free (self->export_sha256);
    g_free (self->message);
    G_OBJECT_CLASS (kikan_auditor_view_parent_class)->finalize (object);
}

static void
kikan_auditor_view_class_init (KikanAuditorViewClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    object_class->get_property = kikan_auditor_view_get_property;
    object_class->dispose = kikan_auditor_view_dispose;
    object_class->finalize = kikan_auditor_view_finalize;

    props[PROP_SIGNED_IN] = g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    /* signin | change | main | detail */
    props[PROP_PAGE] = g_param_spec_string ("page", NULL, NULL, NULL,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    /* A sign-in, verification, draw or export runs. */
    props[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    /* How many records the filters of the current list choose. */
    props[PROP_N_MATCHED] = g_param_spec_int64 ("n-matched", NULL, NULL, 0, G_MAXINT64, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    /* "", running, intact, tampered, error */
    props[PROP_VERIFY_STATE] = g_param_spec_string ("verify-state", NULL, NULL, NULL,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_VERIFY_FIRST_BAD]
        = g_param_spec_int64 ("verify-first-bad", NULL, NULL, 0, G_MAXINT64, 0,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_SAMPLE_ID] = g_param_spec_int64 ("sample-id", NULL, NULL, 0, G_MAXINT64, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_EXPORT_PATH] = g_param_spec_string ("export-path", NULL, NULL, NULL,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_EXPORT_SHA256] = g_param_spec_string ("export-sha256", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    /* The last message shown to the auditor. */
    props[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);

    gtk_widget_class_set_template_from_resource (widget_class,
                                                 "/jp/kikan/Kiosk/auditor/auditor-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, KikanAuditorView, name)
    BIND (pages);
    BIND (signin_account);
    BIND (signin_password);
    BIND (change_new);
    BIND (change_again);
    BIND (account_label);
    BIND (count_label);
    BIND (filter_bar);
    BIND (filter_since);
    BIND (filter_until);
    BIND (filter_employee);
    BIND (filter_asset);
    BIND (filter_kind);
    BIND (filter_session);
    BIND (filter_verdict);
    BIND (views);
    BIND (list_sessions);
    BIND (list_findings);
    BIND (list_overrides);
    BIND (list_logins);
    BIND (list_records);
    BIND (verify_key);
    BIND (verify_button);
    BIND (verify_spinner);
    BIND (export_spinner);
    BIND (verify_status);
    BIND (verify_detail);
    BIND (sample_seed);
    BIND (sample_since);
    BIND (sample_until);
    BIND (sample_count);
    BIND (sample_result);
    BIND (sample_list);
    BIND (attest_group);
    BIND (attest_reviewer);
    BIND (attest_statement);
    BIND (export_folder);
    BIND (export_format);
    BIND (export_result);
    BIND (detail_title);
    BIND (detail_grid);
#undef BIND
    gtk_widget_class_bind_template_callback (widget_class, on_signin_clicked);
    gtk_widget_class_bind_template_callback (widget_class, on_change_clicked);
    gtk_widget_class_bind_template_callback (widget_class, on_apply_filters);
    gtk_widget_class_bind_template_callback (widget_class, on_clear_filters);
    gtk_widget_class_bind_template_callback (widget_class, on_view_changed);
    gtk_widget_class_bind_template_callback (widget_class, on_verify_clicked);
    gtk_widget_class_bind_template_callback (widget_class, on_draw_clicked);
    gtk_widget_class_bind_template_callback (widget_class, on_attest_clicked);
    gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
}

static void
kikan_auditor_view_init (KikanAuditorView *self)
{
    self->shown_seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
    self->sample_selection = g_array_new (FALSE, FALSE, sizeof (gint64));
    GtkEventController *watch = gtk_event_controller_legacy_new ();

    self->verify_state = g_strdup ("");
    self->idle_seconds = KIKAN_AUTH_DEFAULT_IDLE_SECONDS;
    gtk_widget_init_template (GTK_WIDGET (self));
    g_signal_connect_swapped (self, "map", G_CALLBACK (on_map), self);
    g_signal_connect_swapped (self, "unmap", G_CALLBACK (on_unmap), self);
    /* Keys and touches anywhere in the mode, before any widget takes them. */
    gtk_event_controller_set_propagation_phase (watch, GTK_PHASE_CAPTURE);
    g_signal_connect (watch, "event", G_CALLBACK (on_any_event), self);
    gtk_widget_add_controller (GTK_WIDGET (self), watch);
}

GtkWidget *
kikan_auditor_view_new (KikanKioskWindow *window)
{
    KikanAuditorView *self = g_object_new (KIKAN_TYPE_AUDITOR_VIEW, NULL);

    self->window = window;
    self->actions = g_simple_action_group_new ();
    g_action_map_add_action_entries (G_ACTION_MAP (self->actions), action_entries,
                                     G_N_ELEMENTS (action_entries), self);
    /* On the window, so that the buttons here and the tests reach the
     * same actions. */
    gtk_widget_insert_action_group (GTK_WIDGET (window), "auditor",
                                    G_ACTION_GROUP (self->actions));
    g_object_set_data (G_OBJECT (window), ACTIONS_KEY, self->actions);
    show_page (self, "signin");
    return GTK_WIDGET (self);
}
