/* Kikan kiosk UI: IT mode (it-view.h; KR-30, KR-35, KR-37). */
#include "it-view.h"

#include <string.h>

#include "audit-events-private.h"
#include "audit-private.h"
#include "auth-private.h"
#include "checkin-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "it-actions-private.h"
#include "kiosk-i18n.h"
#include "kiosk-window.h"
#include "ledger-csv-private.h"
#include "ledger-private.h"
#include "print-private.h"
#include "slip-print-private.h"
#include "test-page-private.h"
#include "startup-view.h"

#define VIEW_KEY "kikan-it-view"

/* The verdicts IT may set, in the order of the template's list. */
static const char *const targets[] = { "cleared", "conditional", "hold", "quarantine",
                                       "not_returned", NULL };

/* Actions that need a signed-in session. */
static const char *const session_actions[] = {
    "logout",        "open",          "resolve",        "override",
    "ledger-preview", "ledger-import", "media-add",     "media-add-entered",
    "import",        "import-entered", "selftest",      "print-slip",
    "confirm-clock", "exit",          "exit-confirmed", "ledger-import-previewed",
    "print-test-page",
    NULL,
};

struct _KikanItView {
    AdwBin parent_instance;

    KikanKioskWindow *window; /* borrowed: the window owns this view */
    GSimpleActionGroup *actions;
    char *account;            /* the signed-in IT account: `by` of every action */
    char *message;
    char *previewed;          /* the CSV file of the last dry run */
    char *previewed_diff;     /* the fingerprint of its changes: what IT saw is what is imported */
    gint64 open_session;
    gint64 open_item;         /* -1: none open; 0: the session's own part */
    gboolean busy;            /* a signature import runs */
    gboolean printing;        /* a print job runs */
    gboolean signing_in;      /* a sign-in or a change of password runs */
    gboolean disposed;        /* its widgets are gone: a job that ends later stays quiet */
    gboolean shown;           /* mapped: IT mode is on screen, signed in or not */
    guint idle_seconds;       /* [it] idle_seconds of kikan.conf, read on entry and at sign-in */
    guint idle_timer;
    guint clock_timer;
    GPtrArray *queue_rows;
    GPtrArray *ledger_rows;   /* loan and medium rows */
    GPtrArray *csv_rows;
    GPtrArray *selftest_rows;

    GtkStack *pages;
    AdwEntryRow *login_account;
    AdwPasswordEntryRow *login_password;
    GtkLabel *login_message;
    AdwPasswordEntryRow *change_old;
    AdwPasswordEntryRow *change_new;
    AdwPasswordEntryRow *change_repeat;
    GtkLabel *change_message;
    GtkLabel *signed_in;
    AdwViewStack *sections;
    AdwPreferencesGroup *queue_group;
    GtkWidget *evidence_box;
    GtkLabel *evidence_title;
    GtkLabel *evidence_text;
    AdwComboRow *act_target;
    AdwEntryRow *act_reason;
    GtkLabel *act_message;
    AdwPreferencesGroup *ledger_import_group;
    AdwEntryRow *ledger_folder;
    GtkLabel *ledger_message;
    GtkWidget *ledger_confirm;
    AdwEntryRow *media_asset;
    AdwEntryRow *media_vid;
    AdwEntryRow *media_pid;
    AdwEntryRow *media_serial;
    GtkSwitch *media_hw;
    AdwPreferencesGroup *loans_group;
    AdwPreferencesGroup *media_group;
    AdwActionRow *signatures_current;
    AdwEntryRow *signatures_folder;
    GtkProgressBar *signatures_progress;
    GtkLabel *signatures_message;
    AdwPreferencesGroup *selftest_group;
    AdwActionRow *printer_row;
    AdwEntryRow *reprint_number;
    AdwActionRow *clock_row;
    AdwActionRow *clock_confirmed_row;
    GtkLabel *kiosk_message;
};

G_DEFINE_FINAL_TYPE (KikanItView, kikan_it_view, ADW_TYPE_BIN)

static KikanStation *
station (KikanItView *self)
{
    return kikan_kiosk_window_get_station (self->window);
}

/* Shows @text in @label (and keeps it as the view's last message).  Text,
 * never markup. */
static void
say (KikanItView *self, GtkLabel *label, const char *text)
{
    g_free (self->message);
    self->message = g_strdup (text);
    if (label != NULL) {
        gtk_label_set_text (label, text);
        gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
    }
}

static void
say_error (KikanItView *self, GtkLabel *label, const char *what, const GError *error)
{
    g_autofree char *shown = kikan_escape_for_display (error->message, -1);
    g_autofree char *text = g_strdup_printf ("%s %s", what, shown);

    say (self, label, text);
}

static void
clear_group (AdwPreferencesGroup *group, GPtrArray *rows)
{
    for (guint i = 0; i < rows->len; i++)
        adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
    g_ptr_array_set_size (rows, 0);
}

/* Empties every password field of IT mode, on both pages.  Called after
 * each attempt (whatever its outcome, and when it stops early), on each
 * change of page and whenever IT mode is left: a password left in a field
 * waits there for the next person, who can reveal it with the row's own
 * button or, on the change page, use it to choose the account's password. */
static void
clear_passwords (KikanItView *self)
{
    AdwPasswordEntryRow *const rows[] = { self->login_password, self->change_old,
                                          self->change_new, self->change_repeat };

    for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
        gtk_editable_set_text (GTK_EDITABLE (rows[i]), "");
}

/* A row whose title and subtitle are plain text from anywhere. */
static GtkWidget *
text_row (const char *title, const char *subtitle)
{
    GtkWidget *row = adw_action_row_new ();
    g_autofree char *t = kikan_escape_for_display (title != NULL ? title : "", -1);
    g_autofree char *s = kikan_escape_for_display (subtitle != NULL ? subtitle : "", -1);
    g_autofree char *tm = g_markup_escape_text (t, -1);
    g_autofree char *sm = g_markup_escape_text (s, -1);

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tm);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sm);
    return row;
}

static void
set_session_actions_enabled (KikanItView *self, gboolean on)
{
    for (gsize i = 0; session_actions[i] != NULL; i++) {
        GAction *a = g_action_map_lookup_action (G_ACTION_MAP (self->actions), session_actions[i]);

        g_simple_action_set_enabled (G_SIMPLE_ACTION (a), on);
    }
}

static void update_act_buttons (KikanItView *self);

/* ------------------------------------------------------------ session */

static void end_session (KikanItView *self, const char *why);

static void touch (KikanItView *self);

static gboolean
on_idle_timeout (gpointer data)
{
    KikanItView *self = data;

    self->idle_timer = 0;
    /* Someone waits for the answer to a sign-in: its end counts as use. */
    if (self->signing_in) {
        touch (self);
        return G_SOURCE_REMOVE;
    }
    /* Nobody was signed in: nobody to tell, and the next person finds a
     * blank sign-in page. */
    end_session (self, self->account == NULL
                           ? ""
                           : _("IT mode closed after a period without use. Sign in again to go "
                               "on."));
    return G_SOURCE_REMOVE;
}

/* Any key or touch restarts the inactivity timer: while IT mode is on
 * screen, signed in or not (the sign-in and change pages must not stay
 * up for the next person), and during a session in any case. */
static void
touch (KikanItView *self)
{
    g_clear_handle_id (&self->idle_timer, g_source_remove);
    if (self->account != NULL || self->shown)
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

static void refresh_queue (KikanItView *self);
static void refresh_ledger (KikanItView *self);
static void refresh_kiosk (KikanItView *self);

static void
refresh_all (KikanItView *self)
{
    refresh_queue (self);
    refresh_ledger (self);
    refresh_kiosk (self);
}

/* A section is read again each time IT opens it: check-ins go on while IT
 * is signed in. */
static void
on_section_changed (KikanItView *self)
{
    const char *name = adw_view_stack_get_visible_child_name (self->sections);

    if (self->account == NULL)
        return;
    if (g_strcmp0 (name, "queue") == 0)
        refresh_queue (self);
    else if (g_strcmp0 (name, "ledger") == 0)
        refresh_ledger (self);
    else
        refresh_kiosk (self);
}

static void
start_session (KikanItView *self, const char *account, const KikanAuthPolicy *policy)
{
    g_autofree char *shown = kikan_escape_for_display (account, -1);
    g_autofree char *text = g_strdup_printf (_("IT mode — signed in as %s"), shown);

    g_free (self->account);
    self->account = g_strdup (account);
    self->idle_seconds = policy->idle_seconds;
    gtk_label_set_text (self->signed_in, text);
    set_session_actions_enabled (self, TRUE);
    update_act_buttons (self);
    clear_passwords (self);
    gtk_stack_set_visible_child_name (self->pages, "main");
    refresh_all (self);
    touch (self);
}

static void
leave_mode (KikanItView *self)
{
    KikanStation *st = station (self);

    /* Back to where a person belongs: check-in when it is allowed,
     * otherwise the start-up screen that says why not (KR-36). */
    if (st != NULL && kikan_station_may_check_in (st))
        kikan_kiosk_window_set_mode (self->window, "employee");
    else
        kikan_kiosk_window_set_mode (self->window, "startup");
}

static void
end_session (KikanItView *self, const char *why)
{
    g_clear_pointer (&self->account, g_free);
    g_clear_pointer (&self->previewed, g_free);
    g_clear_pointer (&self->previewed_diff, g_free);
    g_clear_handle_id (&self->idle_timer, g_source_remove);
    self->open_item = -1;
    set_session_actions_enabled (self, FALSE);
    update_act_buttons (self);
    gtk_widget_set_visible (self->evidence_box, FALSE);
    gtk_widget_set_visible (self->ledger_confirm, FALSE);
    clear_passwords (self);
    gtk_stack_set_visible_child_name (self->pages, "login");
    say (self, self->login_message, why);
    if (g_strcmp0 (kikan_kiosk_window_get_mode (self->window), "it") == 0)
        leave_mode (self);
}

/* ------------------------------------------------------------ sign-in */

static gboolean
load_policy (KikanItView *self, KikanAuthPolicy *policy, GtkLabel *label)
{
    g_autofree char *conf = kikan_home_dup_config_path (kikan_station_get_home (station (self)));
    g_autoptr (GError) error = NULL;

    if (!kikan_auth_policy_load (conf, policy, &error)) {
        say_error (self, label,
                   _("IT sign-in cannot start: kikan.conf's [it] settings are wrong."), error);
        return FALSE;
    }
    return TRUE;
}

static void
refused (KikanItView *self, GtkLabel *label, const KikanAuthPolicy *policy)
{
    /* KR-35: the same words for a wrong password, an unknown account and
     * a locked one, as `kikan it account login` says them: an answer only
     * real accounts get would tell who has one.  The audit record says
     * which it was.  "Until when" is said for every refusal alike: a lock
     * begins at a failed attempt, which is now or earlier, so it ends by
     * now + lockout_minutes at the latest, whoever asks. */
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autoptr (GDateTime) by = g_date_time_add_minutes (now, (gint)policy->lockout_minutes);
    g_autofree char *until = g_date_time_format (by, "%H:%M");
    g_autofree char *text = g_strdup_printf (
        _("Not signed in: the account or the password is wrong, or the account is locked "
          "after %u wrong passwords in a row. Every attempt is recorded. Another IT staff "
          "member can help meanwhile. A locked account opens again by %s at the latest."),
        policy->max_failures, until);

    say (self, label, text);
}

/* argon2id costs about a second by design (docs/it-accounts.md): a
 * sign-in runs on a thread with a store connection of its own, so that
 * the screen keeps drawing (STYLE rule 10).  The passwords are wiped when
 * the job ends. */
typedef struct {
    KikanHome *home;           /* borrowed: the station outlives the job */
    KikanAuthPolicy policy;
    char *account;
    char *password;
    char *new_password;        /* NULL: a sign-in; else a change of password */
    KikanAuthResult result;
    gboolean ok;
    GError *error;
} AuthJob;

static void
wipe_free (char *secret)
{
    if (secret != NULL)
        explicit_bzero (secret, strlen (secret));
    g_free (secret);
}

static void
auth_job_free (AuthJob *job)
{
    g_free (job->account);
    wipe_free (job->password);
    wipe_free (job->new_password);
    g_clear_error (&job->error);
    g_free (job);
}

static void
auth_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    AuthJob *job = data;
    g_autoptr (KikanStore) store = kikan_store_open (job->home, &job->error);

    if (store == NULL)
        job->ok = FALSE;
    else if (job->new_password == NULL)
        job->ok = kikan_auth_login (store, &job->policy, job->account, job->password,
                                    &job->result, &job->error);
    else
        job->ok = kikan_auth_change_password (store, &job->policy, job->account, job->password,
                                              job->new_password, &job->result, &job->error);
    g_task_return_boolean (task, TRUE);
}

static void
on_login_done (KikanItView *self, AuthJob *job)
{
    if (!job->ok) {
        say_error (self, self->login_message, _("The sign-in could not be recorded:"),
                   job->error);
        return;
    }
    switch (job->result.outcome) {
    case KIKAN_AUTH_OK:
        say (self, self->login_message, "");
        start_session (self, job->account, &job->policy);
        break;
    case KIKAN_AUTH_MUST_CHANGE:
        gtk_editable_set_text (GTK_EDITABLE (self->login_account), job->account);
        say (self, self->change_message, "");
        gtk_stack_set_visible_child_name (self->pages, "change");
        break;
    case KIKAN_AUTH_REFUSED:
    case KIKAN_AUTH_LOCKED:
    default:
        refused (self, self->login_message, &job->policy);
        break;
    }
}

/* A failed change leaves the three fields empty (clear_passwords), the
 * current password too: the message that says why ends by saying so. */
static void
ask_to_retype (KikanItView *self)
{
    g_autofree char *text
        = g_strdup_printf ("%s %s", self->message != NULL ? self->message : "",
                           _("Every field was emptied: start again with your current password."));

    say (self, self->change_message, text);
}

static void
on_change_done (KikanItView *self, AuthJob *job)
{
    if (!job->ok) {
        if (job->error != NULL && g_error_matches (job->error, KIKAN_ERROR, KIKAN_ERROR_USAGE))
            say_error (self, self->change_message, _("The new password was not accepted:"),
                       job->error);
        else if (job->error != NULL)
            say_error (self, self->change_message, _("The change could not be recorded:"),
                       job->error);
        else
            refused (self, self->change_message, &job->policy);
        ask_to_retype (self);
        return;
    }
    say (self, self->change_message, "");
    start_session (self, job->account, &job->policy);
}

/* This view is the window's IT mode and the window shows it. */
static gboolean
on_screen (KikanItView *self)
{
    return kikan_it_view_find (self->window) == self
           && g_strcmp0 (kikan_kiosk_window_get_mode (self->window), "it") == 0;
}

static void
on_auth_done (GObject *source, GAsyncResult *result, gpointer data)
{
    KikanItView *self = KIKAN_IT_VIEW (source);
    AuthJob *job = g_task_get_task_data (G_TASK (result));

    self->signing_in = FALSE;
    if (self->disposed)
        return;
    /* Whatever the answer, nothing typed while it was checked stays. */
    clear_passwords (self);
    /* IT mode was left while the job ran (Cancel, or a language switch
     * rebuilt the view): the answer opens no session and no page on a
     * screen that person has left.  The attempt is recorded all the same. */
    if (!on_screen (self)) {
        gtk_stack_set_visible_child_name (self->pages, "login");
        return;
    }
    touch (self);
    if (job->new_password == NULL)
        on_login_done (self, job);
    else
        on_change_done (self, job);
}

static void
run_auth (KikanItView *self, const KikanAuthPolicy *policy, const char *account,
          const char *password, const char *new_password)
{
    AuthJob *job = g_new0 (AuthJob, 1);
    g_autoptr (GTask) task = g_task_new (self, NULL, on_auth_done, NULL);

    job->home = kikan_station_get_home (station (self));
    job->policy = *policy;
    job->account = g_strdup (account);
    job->password = g_strdup (password);
    job->new_password = g_strdup (new_password);
    g_task_set_task_data (task, job, (GDestroyNotify)auth_job_free);
    self->signing_in = TRUE;
    g_task_run_in_thread (task, auth_thread);
}

static void
login (KikanItView *self, const char *account, const char *password)
{
    KikanAuthPolicy policy;

    /* Every attempt empties the fields, including one that stops here:
     * callers pass a copy of what they hold. */
    clear_passwords (self);
    touch (self);
    if (self->account != NULL || self->signing_in)
        return;
    if (station (self) == NULL) {
        say (self, self->login_message,
             _("IT mode needs the kiosk's records, which could not be opened: see the start-up "
               "screen."));
        return;
    }
    if (!load_policy (self, &policy, self->login_message))
        return;
    say (self, self->login_message, _("Checking…"));
    run_auth (self, &policy, account, password, NULL);
}

static void
action_login (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    const char *account, *password;

    g_variant_get (parameter, "(&s&s)", &account, &password);
    login (data, account, password);
}

static void
action_sign_in (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;
    g_autofree char *account
        = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->login_account))));
    /* A copy: login() empties the field before the job takes the
     * password, and the field's own text would be empty by then. */
    char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->login_password)));

    login (self, account, password);
    wipe_free (password);
}

static void
on_login_activated (KikanItView *self)
{
    action_sign_in (NULL, NULL, self);
}

static void
change_password (KikanItView *self, const char *old, const char *new_password,
                 const char *repeat)
{
    KikanAuthPolicy policy;
    g_autofree char *account
        = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->login_account))));

    /* As at sign-in: every attempt empties the fields, so the current
     * password is typed again after a failure; callers pass copies. */
    clear_passwords (self);
    touch (self);
    if (self->signing_in || station (self) == NULL
        || !load_policy (self, &policy, self->change_message))
        return;
    if (g_strcmp0 (new_password, repeat) != 0) {
        say (self, self->change_message,
             _("The two new passwords differ. Type the same new password twice."));
        ask_to_retype (self);
        return;
    }
    say (self, self->change_message, _("Checking…"));
    run_auth (self, &policy, account, old, new_password);
}

static void
action_change_password (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    const char *old, *new_password, *repeat;

    g_variant_get (parameter, "(&s&s&s)", &old, &new_password, &repeat);
    change_password (data, old, new_password, repeat);
}

static void
action_change_submit (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;
    /* Copies: change_password() empties the fields before it reads them. */
    char *old = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->change_old)));
    char *new_password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->change_new)));
    char *repeat = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->change_repeat)));

    change_password (self, old, new_password, repeat);
    wipe_free (old);
    wipe_free (new_password);
    wipe_free (repeat);
}

static void
action_cancel (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;

    clear_passwords (self);
    gtk_stack_set_visible_child_name (self->pages, "login");
    say (self, self->login_message, "");
    leave_mode (self);
}

static void
action_logout (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    end_session (data, "");
}

/* ------------------------------------------------------------ the queue */

/* The evidence as IT reads it: every member of the recorded session,
 * nested, each string escaped (paths, names and signatures come from
 * media and people).  Nothing is left out: hashes, signature names,
 * engine and database versions are all in the document. */
static void
render_node (GString *out, const char *name, JsonNode *node, guint depth)
{
    g_autofree char *key = kikan_escape_for_display (name != NULL ? name : "", -1);

    for (guint i = 0; i < depth; i++)
        g_string_append (out, "  ");
    switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT: {
        JsonObject *o = json_node_get_object (node);
        g_autoptr (GList) members = json_object_get_members (o);

        g_string_append_printf (out, "%s%s\n", key, name != NULL ? ":" : "");
        for (GList *l = members; l != NULL; l = l->next)
            render_node (out, l->data, json_object_get_member (o, l->data), depth + 1);
        break;
    }
    case JSON_NODE_ARRAY: {
        JsonArray *a = json_node_get_array (node);

        g_string_append_printf (out, "%s: [%u]\n", key, json_array_get_length (a));
        for (guint i = 0; i < json_array_get_length (a); i++) {
            g_autofree char *idx = g_strdup_printf ("%s[%u]", name != NULL ? name : "", i);

            render_node (out, idx, json_array_get_element (a, i), depth + 1);
        }
        break;
    }
    case JSON_NODE_NULL:
        g_string_append_printf (out, "%s: —\n", key);
        break;
    case JSON_NODE_VALUE:
    default: {
        g_autofree char *v = NULL;

        if (json_node_get_value_type (node) == G_TYPE_STRING)
            v = kikan_escape_for_display (json_node_get_string (node), -1);
        else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
            v = g_strdup (json_node_get_boolean (node) ? "yes" : "no");
        else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
            v = g_strdup_printf ("%g", json_node_get_double (node));
        else
            v = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
        g_string_append_printf (out, "%s: %s\n", key, v);
        break;
    }
    }
}

static void
open_evidence (KikanItView *self, gint64 session_id, gint64 item_id)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) doc = NULL;
    g_autoptr (GString) text = g_string_new (NULL);
    g_autofree char *title = NULL;

    doc = kikan_checkin_session_to_json (kikan_station_get_store (station (self)), session_id,
                                         &error);
    if (doc == NULL) {
        say_error (self, self->act_message, _("The session's evidence could not be read:"),
                   error);
        return;
    }
    render_node (text, NULL, doc, 0);
    self->open_session = session_id;
    self->open_item = item_id;
    title = item_id > 0
                ? g_strdup_printf (_("Session %" G_GINT64_FORMAT ", item %" G_GINT64_FORMAT),
                                   session_id, item_id)
                : g_strdup_printf (_("Session %" G_GINT64_FORMAT ", the session's own reasons"),
                                   session_id);
    gtk_label_set_text (self->evidence_title, title);
    gtk_label_set_text (self->evidence_text, text->str);
    gtk_editable_set_text (GTK_EDITABLE (self->act_reason), "");
    say (self, self->act_message, "");
    gtk_widget_set_visible (self->evidence_box, TRUE);
    update_act_buttons (self);
}

static void
action_open (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    gint64 session_id, item_id;

    g_variant_get (parameter, "(xx)", &session_id, &item_id);
    touch (data);
    open_evidence (data, session_id, item_id);
}

static GtkWidget *
queue_row (const char *title, const char *subtitle, gint64 session_id, gint64 item_id,
           gboolean by_it)
{
    GtkWidget *row = text_row (title, subtitle);
    GtkWidget *button = gtk_button_new_with_label (_("Evidence"));

    gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "it.open");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(xx)", session_id, item_id);
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
    /* An IT decision in force is highlighted wherever it shows (PROC-02). */
    if (by_it) {
        GtkWidget *mark = gtk_label_new (_("Changed by IT"));

        gtk_widget_add_css_class (mark, "warning");
        gtk_widget_add_css_class (mark, "heading");
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), mark);
    }
    return row;
}

static const char *
member (JsonObject *o, const char *name)
{
    return json_object_get_string_member_with_default (o, name, NULL);
}

static void
refresh_queue (KikanItView *self)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) root = NULL;
    JsonObject *o;
    JsonArray *items, *held, *incomplete;

    clear_group (self->queue_group, self->queue_rows);
    if (station (self) == NULL)
        return;
    root = kikan_it_queue_to_json (kikan_station_get_store (station (self)), &error);
    if (root == NULL) {
        GtkWidget *row = text_row (_("The queue could not be read"), error->message);

        adw_preferences_group_add (self->queue_group, row);
        g_ptr_array_add (self->queue_rows, row);
        return;
    }
    o = json_node_get_object (root);
    items = json_object_get_array_member (o, "items");
    held = json_object_get_array_member (o, "held_sessions");
    incomplete = json_object_get_array_member (o, "incomplete_sessions");
    for (guint i = 0; i < json_array_get_length (items); i++) {
        JsonObject *it = json_array_get_object_element (items, i);
        const char *asset
            = member (it, "asset") ? member (it, "asset") : member (it, "presented_as");
        const char *verdict = member (it, "verdict");
        const char *decided_by = member (it, "decided_by");
        g_autofree char *title = g_strdup_printf (
            "%s — %s", asset != NULL ? asset : "-", verdict != NULL ? verdict : _("undecided"));
        g_autofree char *sub = g_strdup_printf (
            _("Session %" G_GINT64_FORMAT ", employee %s, %s, item %s"),
            json_object_get_int_member (it, "session_id"),
            member (it, "employee") ? member (it, "employee") : "-",
            member (it, "started_at") ? member (it, "started_at") : "",
            member (it, "state") ? member (it, "state") : "");
        GtkWidget *row = queue_row (title, sub, json_object_get_int_member (it, "session_id"),
                                    json_object_get_int_member (it, "item"),
                                    decided_by != NULL && g_strcmp0 (decided_by, "kiosk") != 0);

        adw_preferences_group_add (self->queue_group, row);
        g_ptr_array_add (self->queue_rows, row);
    }
    for (guint i = 0; i < json_array_get_length (held); i++) {
        JsonObject *h = json_array_get_object_element (held, i);
        const char *verdict = member (h, "verdict");
        g_autofree char *title = g_strdup_printf (_("The session's own reasons — %s"),
                                                  verdict != NULL ? verdict : "");
        g_autofree char *sub = g_strdup_printf (
            _("Session %" G_GINT64_FORMAT ", employee %s, %s"),
            json_object_get_int_member (h, "session_id"),
            member (h, "employee") ? member (h, "employee") : "-",
            member (h, "started_at") ? member (h, "started_at") : "");
        GtkWidget *row = queue_row (title, sub, json_object_get_int_member (h, "session_id"), 0,
                                    FALSE);

        adw_preferences_group_add (self->queue_group, row);
        g_ptr_array_add (self->queue_rows, row);
    }
    for (guint i = 0; i < json_array_get_length (incomplete); i++) {
        JsonObject *s = json_array_get_object_element (incomplete, i);
        g_autofree char *sub = g_strdup_printf (
            _("Session %" G_GINT64_FORMAT ", employee %s, started %s"),
            json_object_get_int_member (s, "session_id"),
            member (s, "employee") ? member (s, "employee") : "-",
            member (s, "started_at") ? member (s, "started_at") : "");
        GtkWidget *row = queue_row (_("Interrupted session"), sub,
                                    json_object_get_int_member (s, "session_id"), 0, FALSE);

        adw_preferences_group_add (self->queue_group, row);
        g_ptr_array_add (self->queue_rows, row);
    }
    if (self->queue_rows->len == 0) {
        GtkWidget *row = text_row (_("Nothing is waiting for IT."), "");

        adw_preferences_group_add (self->queue_group, row);
        g_ptr_array_add (self->queue_rows, row);
    }
}

static gboolean
reason_ok (const char *reason)
{
    g_autofree char *r = g_strstrip (g_strdup (reason != NULL ? reason : ""));

    return g_utf8_validate (r, -1, NULL) && g_utf8_strlen (r, -1) >= KIKAN_IT_MIN_REASON_CHARS;
}

static void
update_act_buttons (KikanItView *self)
{
    gboolean ok = self->account != NULL && self->open_item >= 0
                  && reason_ok (gtk_editable_get_text (GTK_EDITABLE (self->act_reason)));

    g_simple_action_set_enabled (
        G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions),
                                                     "resolve-selected")),
        ok);
    g_simple_action_set_enabled (
        G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions),
                                                     "override-selected")),
        ok);
}

static void
on_reason_changed (KikanItView *self)
{
    update_act_buttons (self);
}

static void
act (KikanItView *self, gboolean override, gint64 session_id, gint64 item_id, const char *to,
     const char *reason)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *overall = NULL;
    g_autofree char *clean = g_strstrip (g_strdup (reason));
    g_autofree char *text = NULL;

    touch (self);
    /* PROC-01/PROC-02: who and why, always (KR-30); the account signed in
     * is who. */
    if (!reason_ok (clean)) {
        g_autofree char *t = g_strdup_printf (
            _("Nothing was changed: write why, in at least %d characters."),
            KIKAN_IT_MIN_REASON_CHARS);

        say (self, self->act_message, t);
        return;
    }
    if (!g_strv_contains (targets, to)) {
        say (self, self->act_message, _("Nothing was changed: choose the new verdict."));
        return;
    }
    overall = kikan_it_act (kikan_station_get_store (station (self)), session_id, item_id,
                            override, to, self->account, clean, &error);
    if (overall == NULL) {
        say_error (self, self->act_message, _("Nothing was changed:"), error);
        return;
    }
    text = g_strdup_printf (override ? _("Override recorded. The session's verdict is now %s.")
                                     : _("Resolution recorded. The session's verdict is now %s."),
                            overall);
    refresh_queue (self);
    if (self->open_session == session_id)
        open_evidence (self, session_id, item_id);
    say (self, self->act_message, text);
    kikan_kiosk_window_toast (self->window, text);
}

/* it.resolve and it.override: one handler, the action's name says which. */
static void
action_act (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    gint64 session_id, item_id;
    const char *to, *reason;

    g_variant_get (parameter, "(xx&s&s)", &session_id, &item_id, &to, &reason);
    act (data, g_str_equal (g_action_get_name (G_ACTION (action)), "override"), session_id,
         item_id, to, reason);
}

static void
act_selected (KikanItView *self, gboolean override)
{
    guint i = adw_combo_row_get_selected (self->act_target);

    if (self->open_item < 0 || i >= g_strv_length ((char **)targets))
        return;
    act (self, override, self->open_session, self->open_item, targets[i],
         gtk_editable_get_text (GTK_EDITABLE (self->act_reason)));
}

static void
action_act_selected (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    act_selected (data, g_str_equal (g_action_get_name (G_ACTION (action)),
                                     "override-selected"));
}

/* ------------------------------------------------------------ ledger and media */

static void
refresh_ledger (KikanItView *self)
{
    KikanStore *store = station (self) != NULL ? kikan_station_get_store (station (self)) : NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) loans = NULL;
    g_autoptr (GPtrArray) media = NULL;

    for (guint i = 0; i < self->ledger_rows->len; i++) {
        GtkWidget *row = g_ptr_array_index (self->ledger_rows, i);

        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (g_object_get_data (G_OBJECT (row),
                                                                                "group")),
                                      row);
    }
    g_ptr_array_set_size (self->ledger_rows, 0);
    if (store == NULL)
        return;
    loans = kikan_ledger_list_open_loans (store, NULL, &error);
    for (guint i = 0; loans != NULL && i < loans->len; i++) {
        KikanLoan *l = g_ptr_array_index (loans, i);
        g_autofree char *title = g_strdup_printf ("%s (%s)", l->asset_id, l->asset_type);
        g_autofree char *sub = g_strdup_printf (_("%s %s, since %s"), l->employee_id,
                                                l->employee_name != NULL ? l->employee_name : "",
                                                l->lent_on);
        GtkWidget *row = text_row (title, sub);

        g_object_set_data (G_OBJECT (row), "group", self->loans_group);
        adw_preferences_group_add (self->loans_group, row);
        g_ptr_array_add (self->ledger_rows, row);
    }
    media = kikan_ledger_list_media (store, &error);
    for (guint i = 0; media != NULL && i < media->len; i++) {
        KikanMedium *m = g_ptr_array_index (media, i);
        g_autofree char *sub = g_strdup_printf ("USB %04x:%04x %s%s", m->vid, m->pid,
                                                m->usb_serial != NULL ? m->usb_serial : "",
                                                m->hardware_encrypted
                                                    ? _(", hardware-encrypted")
                                                    : "");
        GtkWidget *row = text_row (m->asset_id, sub);

        g_object_set_data (G_OBJECT (row), "group", self->media_group);
        adw_preferences_group_add (self->media_group, row);
        g_ptr_array_add (self->ledger_rows, row);
    }
}

/* The CSV files in the folder IT typed: each a row with "Preview". */
static void
on_ledger_folder_apply (KikanItView *self)
{
    g_autofree char *folder
        = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ledger_folder))));
    g_autoptr (GError) error = NULL;
    g_autoptr (GDir) dir = NULL;
    g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    const char *name;

    touch (self);
    clear_group (self->ledger_import_group, self->csv_rows);
    if ((dir = g_dir_open (folder, 0, &error)) == NULL) {
        say_error (self, self->ledger_message, _("That folder cannot be read:"), error);
        return;
    }
    while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".csv") || g_str_has_suffix (name, ".CSV"))
            g_ptr_array_add (names, g_strdup (name));
    g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index (names, i);
        g_autofree char *path = g_build_filename (folder, n, NULL);
        GtkWidget *row = text_row (n, "");
        GtkWidget *button = gtk_button_new_with_label (_("Preview"));

        gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
        gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "it.ledger-preview");
        gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", path);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        adw_preferences_group_add (self->ledger_import_group, row);
        g_ptr_array_add (self->csv_rows, row);
    }
    say (self, self->ledger_message,
         names->len == 0 ? _("There is no .csv file in that folder.") : "");
}

/* At most this many rows' changes are listed on the page (the counts
 * cover all; `kikan ledger import --dry-run` lists every one). */
#define LEDGER_CHANGES_SHOWN 20

/* The changes @d makes to what the ledger already holds: each loan,
 * asset and media register entry it rewrites, field by field, also for an
 * asset back from an earlier loan (KR-02).  New assets and loans closed
 * are in the counts. */
static void
append_rewrites (GString *s, const KikanLedgerDiff *d, gboolean done)
{
    guint shown = 0, more = 0;

    for (guint i = 0; i < d->changes->len; i++) {
        const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);
        g_autofree char *asset = NULL;

        if (c->kind == KIKAN_LEDGER_REMOVED || c->new_asset || c->fields->len == 0)
            continue;
        if (shown == LEDGER_CHANGES_SHOWN) {
            more++;
            continue;
        }
        if (shown++ == 0)
            g_string_append (s, done ? _("\nChanged in what the ledger held (loans, assets, "
                                          "media register):")
                                     : _("\nWhat would change in what the ledger holds (loans, "
                                          "assets, media register):"));
        asset = kikan_escape_for_display (c->asset_id, -1);
        g_string_append_printf (s, _("\n%s (line %u):"), asset, c->line);
        for (guint j = 0; j < c->fields->len; j++) {
            const KikanLedgerFieldChange *f = g_ptr_array_index (c->fields, j);
            g_autofree char *o = kikan_escape_for_display (
                f->old_value != NULL ? f->old_value : _("(none)"), -1);
            g_autofree char *n = kikan_escape_for_display (
                f->new_value != NULL ? f->new_value : _("(none)"), -1);

            g_string_append_printf (s, "%s %s %s → %s", j > 0 ? ";" : "", f->field, o, n);
        }
    }
    if (more > 0)
        g_string_append_printf (s,
                                _("\n… and %u more rows; “kikan ledger import --dry-run "
                                   "FILE” lists them all."),
                                more);
}

static char *
diff_summary (const KikanLedgerFile *file, const KikanLedgerDiff *d, gboolean done)
{
    g_autofree char *name = kikan_escape_for_display (file->name, -1);
    GString *s = g_string_new (NULL);

    g_string_append_printf (s, done ? _("%s was imported (SHA-256 %s).") :
                                      _("%s (SHA-256 %s) would change the ledger so:"),
                            name, file->sha256);
    g_string_append_printf (s,
                            _("\nLoans added: %u, changed: %u, closed (absent from the file): "
                              "%u, unchanged: %u.\nEmployees added: %u, renamed: %u. Rows "
                              "already returned at the kiosk: %u."),
                            d->added, d->changed, d->removed, d->unchanged, d->employees_added,
                            d->employees_renamed, d->returned_at_kiosk);
    append_rewrites (s, d, done);
    if (d->refusal != NULL) {
        g_autofree char *r = kikan_escape_for_display (d->refusal, -1);

        g_string_append_printf (s, _("\nThe import would be refused: %s"), r);
    }
    return g_string_free (s, FALSE);
}

static void
action_ledger_preview (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;
    const char *path = g_variant_get_string (parameter, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) file = NULL;
    g_autoptr (KikanLedgerDiff) diff = NULL;
    g_autofree char *text = NULL;

    touch (self);
    g_clear_pointer (&self->previewed, g_free);
    g_clear_pointer (&self->previewed_diff, g_free);
    gtk_widget_set_visible (self->ledger_confirm, FALSE);
    if ((file = kikan_ledger_csv_load (path, &error)) == NULL
        || (diff = kikan_ledger_diff (kikan_station_get_store (station (self)), file, &error))
               == NULL) {
        say_error (self, self->ledger_message, _("This file cannot be imported:"), error);
        return;
    }
    text = diff_summary (file, diff, FALSE);
    say (self, self->ledger_message, text);
    if (diff->refusal == NULL) {
        self->previewed = g_strdup (path);
        self->previewed_diff = g_strdup (diff->fingerprint);
        gtk_widget_set_visible (self->ledger_confirm, TRUE);
    }
}

static void
ledger_import (KikanItView *self, const char *path)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) file = NULL;
    g_autoptr (KikanLedgerDiff) diff = NULL;
    g_autofree char *text = NULL;

    touch (self);
    /* What IT confirmed is what they saw: only the file previewed last. */
    if (self->previewed == NULL || g_strcmp0 (self->previewed, path) != 0) {
        say (self, self->ledger_message,
             _("Preview this file first: nothing is imported before you have seen what it "
               "changes."));
        return;
    }
    /* The library refuses the import when the file was rewritten or the
     * store changed after the dry run (the fingerprint of its changes),
     * and a file of no loans that would close every open one (KR-03). */
    if ((file = kikan_ledger_csv_load (path, &error)) == NULL
        || !kikan_ledger_import (kikan_station_get_store (station (self)), file,
                                 KIKAN_LEDGER_IMPORT_DEFAULT, self->previewed_diff, &diff,
                                 &error)) {
        if (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_CHANGED)) {
            g_clear_pointer (&self->previewed, g_free);
            g_clear_pointer (&self->previewed_diff, g_free);
            gtk_widget_set_visible (self->ledger_confirm, FALSE);
            say (self, self->ledger_message,
                 _("Nothing was imported: the file or the ledger changed after the preview. "
                   "Preview the file again to see what it would change now."));
        } else if (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_EMPTY)) {
            say (self, self->ledger_message,
                 _("Nothing was imported: the file lists no loans at all. Importing it would "
                   "close every open loan; if that is really meant, use “kikan ledger import "
                   "--allow-empty”."));
        } else {
            say_error (self, self->ledger_message, _("Nothing was imported:"), error);
        }
        return;
    }
    g_clear_pointer (&self->previewed, g_free);
    g_clear_pointer (&self->previewed_diff, g_free);
    gtk_widget_set_visible (self->ledger_confirm, FALSE);
    text = diff_summary (file, diff, TRUE);
    say (self, self->ledger_message, text);
    kikan_kiosk_window_toast (self->window, _("The ledger was imported."));
    refresh_ledger (self);
}

static void
action_ledger_import (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    ledger_import (data, g_variant_get_string (parameter, NULL));
}

static void
action_ledger_import_previewed (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;
    g_autofree char *path = g_strdup (self->previewed);

    ledger_import (self, path);
}

static void
media_add (KikanItView *self, const char *asset, guint16 vid, guint16 pid, const char *serial,
           gboolean hw)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *shown = kikan_escape_for_display (asset, -1);
    g_autofree char *text = NULL;

    touch (self);
    if (serial[0] != '\0' && !kikan_escape_is_clean (serial, -1)) {
        say (self, self->ledger_message,
             _("The serial number holds a control or invisible character: type it as “kikan usb "
               "list” shows it."));
        return;
    }
    if (!kikan_ledger_register_medium (kikan_station_get_store (station (self)), asset, vid, pid,
                                       serial[0] != '\0' ? serial : NULL, hw, self->account,
                                       FALSE, &error)) {
        say_error (self, self->ledger_message, _("The medium was not registered:"), error);
        return;
    }
    text = g_strdup_printf (_("Registered %s as USB %04x:%04x."), shown, vid, pid);
    say (self, self->ledger_message, text);
    kikan_kiosk_window_toast (self->window, text);
    refresh_ledger (self);
}

static void
action_media_add (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    const char *asset, *serial;
    guint16 vid, pid;
    gboolean hw;

    g_variant_get (parameter, "(&sqq&sb)", &asset, &vid, &pid, &serial, &hw);
    media_add (data, asset, vid, pid, serial, hw);
}

static gboolean
parse_hex16 (const char *text, guint16 *out)
{
    g_autofree char *t = g_strstrip (g_strdup (text));
    const char *d = t;

    if (g_ascii_strncasecmp (d, "0x", 2) == 0)
        d += 2;
    if (d[0] == '\0' || strlen (d) > 4 || strspn (d, "0123456789abcdefABCDEF") != strlen (d))
        return FALSE;
    *out = (guint16)g_ascii_strtoull (d, NULL, 16);
    return TRUE;
}

static void
action_media_add_entered (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;
    g_autofree char *asset
        = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->media_asset))));
    g_autofree char *serial
        = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->media_serial))));
    guint16 vid, pid;

    if (!parse_hex16 (gtk_editable_get_text (GTK_EDITABLE (self->media_vid)), &vid)
        || !parse_hex16 (gtk_editable_get_text (GTK_EDITABLE (self->media_pid)), &pid)) {
        say (self, self->ledger_message,
             _("Give the vendor and product IDs as 4 hexadecimal digits each, e.g. 0781 and "
               "5581, as “kikan usb list” shows them."));
        return;
    }
    media_add (self, asset, vid, pid, serial, gtk_switch_get_active (self->media_hw));
}

/* ------------------------------------------------------------ signatures */

static gboolean
pulse (gpointer data)
{
    KikanItView *self = data;

    if (!self->busy || self->disposed)
        return G_SOURCE_REMOVE;
    gtk_progress_bar_pulse (self->signatures_progress);
    return G_SOURCE_CONTINUE;
}

static void
update_signatures_current (KikanItView *self)
{
    const char *summary
        = station (self) != NULL ? kikan_station_get_engine_summary (station (self)) : NULL;
    g_autofree char *shown = kikan_escape_for_display (summary != NULL ? summary : "—", -1);
    g_autofree char *markup = g_markup_escape_text (shown, -1);

    adw_action_row_set_subtitle (self->signatures_current, markup);
}

static void
on_import_done (GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr (KikanItView) self = data;
    g_autoptr (GError) error = NULL;

    gboolean ok = kikan_station_import_signatures_finish (KIKAN_STATION (source), result, &error);

    self->busy = FALSE;
    if (self->disposed)
        return;
    gtk_widget_set_visible (GTK_WIDGET (self->signatures_progress), FALSE);
    if (!ok) {
        g_autofree char *shown = kikan_escape_for_display (error->message, -1);
        g_autofree char *text = g_strdup_printf (
            _("The new virus definitions were not taken into use: %s\nThe previous definitions "
              "stay in use; check-ins go on with them."),
            shown);

        say (self, self->signatures_message, text);
        return;
    }
    say (self, self->signatures_message, _("New definitions in use."));
    kikan_kiosk_window_toast (self->window, _("New definitions in use"));
    update_signatures_current (self);
}

static void
import_signatures (KikanItView *self, const char *folder)
{
    g_autofree char *f = g_strstrip (g_strdup (folder));

    touch (self);
    if (self->busy)
        return;
    if (f[0] == '\0' || !g_path_is_absolute (f)) {
        say (self, self->signatures_message,
             _("Type the full path of the folder on the import medium, starting with /."));
        return;
    }
    self->busy = TRUE;
    say (self, self->signatures_message, "");
    gtk_progress_bar_set_text (self->signatures_progress,
                               _("Verifying, loading and testing the new definitions…"));
    gtk_widget_set_visible (GTK_WIDGET (self->signatures_progress), TRUE);
    g_timeout_add (150, pulse, self);
    kikan_station_import_signatures_async (station (self), f, self->account, NULL, on_import_done,
                                           g_object_ref (self));
}

static void
action_import (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    import_signatures (data, g_variant_get_string (parameter, NULL));
}

static void
action_import_entered (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;

    import_signatures (self, gtk_editable_get_text (GTK_EDITABLE (self->signatures_folder)));
}

/* ------------------------------------------------------------ this kiosk */

static void
update_clock (KikanItView *self)
{
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *text = g_date_time_format (now, "%Y-%m-%d %H:%M:%S %Z");
    g_autofree char *last = station (self) != NULL
                                ? kikan_station_dup_last_clock_confirmation (station (self))
                                : NULL;
    g_autofree char *shown = kikan_escape_for_display (last != NULL ? last : _("never"), -1);
    g_autofree char *markup = g_markup_escape_text (shown, -1);

    adw_action_row_set_subtitle (self->clock_row, text);
    adw_action_row_set_subtitle (self->clock_confirmed_row, markup);
}

static gboolean
on_clock_tick (gpointer data)
{
    update_clock (data);
    return G_SOURCE_CONTINUE;
}

static void
refresh_kiosk (KikanItView *self)
{
    const KikanStationReport *report
        = station (self) != NULL ? kikan_station_get_last_report (station (self)) : NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanPrintSettings) print = NULL;
    g_autofree char *conf = NULL;

    clear_group (self->selftest_group, self->selftest_rows);
    for (guint i = 0; report != NULL && i < report->checks->len; i++) {
        GtkWidget *row = kikan_startup_check_row_new (g_ptr_array_index (report->checks, i));

        adw_preferences_group_add (self->selftest_group, row);
        g_ptr_array_add (self->selftest_rows, row);
    }
    if (report != NULL) {
        g_autofree char *d = g_strdup_printf (report->passed ? _("Passed, %s")
                                                             : _("Failed, %s"),
                                              report->at);

        adw_preferences_group_set_description (self->selftest_group, d);
    } else {
        adw_preferences_group_set_description (self->selftest_group,
                                               _("Not run yet since the kiosk started."));
    }
    /* The printer's state is the self-test's printer check (it asks CUPS
     * whether the queue accepts jobs); the queue's name is kikan.conf's. */
    if (station (self) != NULL) {
        conf = kikan_home_dup_config_path (kikan_station_get_home (station (self)));
        print = kikan_print_settings_load (conf, &error);
    }
    if (print == NULL) {
        g_autofree char *m = g_markup_escape_text (error != NULL ? error->message : "", -1);

        adw_action_row_set_subtitle (self->printer_row, m);
    } else {
        const char *state = _("not checked yet");
        g_autofree char *text = NULL;
        g_autofree char *markup = NULL;

        for (guint i = 0; report != NULL && i < report->checks->len; i++) {
            const KikanStationCheck *c = g_ptr_array_index (report->checks, i);

            if (g_strcmp0 (c->id, "printer") == 0 && c->detail != NULL)
                state = c->detail;
        }
        text = print->queue != NULL
                   ? g_strdup_printf (_("Queue %s: %s"), print->queue, state)
                   : g_strdup (_("No printer is set up ([print] queue in kikan.conf): slips "
                                 "are archived only."));
        markup = g_markup_escape_text (text, -1);
        adw_action_row_set_subtitle (self->printer_row, markup);
    }
    update_clock (self);
    update_signatures_current (self);
}

static void
on_selftest_done (GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr (KikanItView) self = data;
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStationReport) report
        = kikan_station_selftest_finish (KIKAN_STATION (source), result, &error);

    if (self->disposed)
        return;
    if (report == NULL)
        say_error (self, self->kiosk_message, _("The self-test could not run:"), error);
    else
        say (self, self->kiosk_message,
             report->passed ? _("The self-test passed: check-in is open.")
                            : _("The self-test failed: check-in stays closed. See each failed "
                                "check for what to do."));
    refresh_kiosk (self);
}

static void
action_selftest (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;

    touch (self);
    say (self, self->kiosk_message, _("Running the self-test…"));
    kikan_station_selftest_async (station (self), NULL, on_selftest_done, g_object_ref (self));
}

/* Printing waits for CUPS to finish the job (up to [print] timeout_s):
 * on a thread, with a store connection of its own, never on the main
 * loop (STYLE rule 10). */
typedef struct {
    KikanHome *home;  /* borrowed: the station outlives the job */
    char *kiosk_id;
    char *number;     /* NULL: a test page */
} PrintJob;

static void
print_job_free (PrintJob *job)
{
    g_free (job->kiosk_id);
    g_free (job->number);
    g_free (job);
}

static void
print_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    PrintJob *job = data;
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanSlipPrintOutcome) outcome = NULL;
    g_autoptr (KikanPrintSettings) settings = NULL;
    g_autofree char *conf = NULL;
    g_autofree char *shown = NULL;
    gint64 job_id = 0;

    if (job->number == NULL) {
        conf = kikan_home_dup_config_path (job->home);
        if ((settings = kikan_print_settings_load (conf, &error)) == NULL
            || !kikan_print_test_page (settings, job->kiosk_id, &job_id, &error)) {
            shown = kikan_escape_for_display (error->message, -1);
            g_task_return_pointer (task,
                                   g_strdup_printf (_("The test page was not printed: %s"), shown),
                                   g_free);
            return;
        }
        g_task_return_pointer (task, g_strdup (_("The test page was printed.")), g_free);
        return;
    }
    if ((store = kikan_store_open (job->home, &error)) == NULL
        || !kikan_slip_print_recorded (store, job->home, job->number, NULL, &outcome, &error)) {
        shown = kikan_escape_for_display (error->message, -1);
        g_task_return_pointer (task, g_strdup_printf (_("The slip was not printed: %s"), shown),
                               g_free);
        return;
    }
    /* The outcome's message is escaped for people by the library. */
    g_task_return_pointer (task,
                           outcome->kind == KIKAN_SLIP_PRINT_PRINTED
                               ? g_strdup (_("The slip was printed."))
                               : g_strdup (outcome->message),
                           g_free);
}

static void
on_print_done (GObject *source, GAsyncResult *result, gpointer data)
{
    KikanItView *self = KIKAN_IT_VIEW (source);
    g_autofree char *text = g_task_propagate_pointer (G_TASK (result), NULL);

    self->printing = FALSE;
    if (!self->disposed)
        say (self, self->kiosk_message, text);
}

static void
print (KikanItView *self, const char *number)
{
    PrintJob *job = g_new0 (PrintJob, 1);
    g_autoptr (GTask) task = g_task_new (self, NULL, on_print_done, NULL);

    touch (self);
    job->home = kikan_station_get_home (station (self));
    job->kiosk_id = g_strdup (kikan_station_get_kiosk_id (station (self)));
    job->number = number != NULL ? g_strstrip (g_strdup (number)) : NULL;
    g_task_set_task_data (task, job, (GDestroyNotify)print_job_free);
    self->printing = TRUE;
    say (self, self->kiosk_message, _("Printing…"));
    g_task_run_in_thread (task, print_thread);
}

static void
action_print_slip (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;

    if (!self->printing)
        print (self, g_variant_get_string (parameter, NULL));
}

static void
action_print_test_page (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;

    if (!self->printing)
        print (self, NULL);
}

static void
on_reprint_apply (KikanItView *self)
{
    g_action_group_activate_action (
        G_ACTION_GROUP (self->actions), "print-slip",
        g_variant_new_string (gtk_editable_get_text (GTK_EDITABLE (self->reprint_number))));
}

static void
action_confirm_clock (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;
    g_autoptr (GError) error = NULL;

    touch (self);
    /* KR-37: the confirmation names who looked at the clock. */
    if (!kikan_station_confirm_clock (station (self), self->account, &error)) {
        say_error (self, self->kiosk_message, _("The confirmation was not recorded:"), error);
        return;
    }
    say (self, self->kiosk_message, _("Recorded: you confirmed the kiosk's clock."));
    update_clock (self);
}

static void
exit_kiosk (KikanItView *self)
{
    KikanKioskApplication *app
        = KIKAN_KIOSK_APPLICATION (gtk_window_get_application (GTK_WINDOW (self->window)));
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) payload = kikan_audit_payload ("by", self->account, NULL);

    /* Item 2 "kiosk exit": a kiosk that stops is a fact for the auditor:
     * who ended it, in the audit trail, before it ends. */
    if (!kikan_audit_record_event (kikan_station_get_home (station (self)), "kiosk_exit",
                                   payload, &error)) {
        say_error (self, self->kiosk_message,
                   _("The kiosk keeps running: its exit could not be recorded:"), error);
        return;
    }
    kikan_kiosk_application_allow_quit (app);
    g_application_quit (G_APPLICATION (app));
}

static void
on_exit_response (AdwMessageDialog *dialog, const char *response, gpointer data)
{
    KikanItView *self = data;

    if (g_strcmp0 (response, "exit") == 0 && self->account != NULL)
        exit_kiosk (self);
}

static void
action_exit (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanItView *self = data;
    const char *body = _("Employees cannot check in devices until the kiosk is started again. "
                         "Your exit is recorded.");
    GtkWidget *dialog
        = adw_message_dialog_new (GTK_WINDOW (self->window), _("Exit the kiosk?"), body);

    touch (self);
    adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("Keep running"),
                                      "exit", _("Exit the kiosk"), NULL);
    adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "exit",
                                                ADW_RESPONSE_DESTRUCTIVE);
    adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
    adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
    g_signal_connect_object (dialog, "response", G_CALLBACK (on_exit_response), self, 0);
    gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_exit_confirmed (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    exit_kiosk (data);
}

/* IT mode came on screen: the sign-in page (or a session) times out like a
 * session does, so that nobody's half-done sign-in waits for the next
 * person at the kiosk. */
static void
on_map (KikanItView *self)
{
    self->shown = TRUE;
    /* Before anyone signs in, the same [it] idle_seconds as a session's,
     * read now (a session reads it at sign-in). */
    if (self->account == NULL)
        self->idle_seconds = kikan_kiosk_window_get_sign_in_idle_seconds (self->window);
    touch (self);
}

/* IT mode left the screen, whichever way: no password stays in a field,
 * and without a session the next visit starts at the sign-in page.  A
 * session keeps its own timer (Leave IT mode and the timeout end it). */
static void
on_unmap (KikanItView *self)
{
    self->shown = FALSE;
    if (self->disposed)
        return;
    clear_passwords (self);
    if (self->account == NULL) {
        g_clear_handle_id (&self->idle_timer, g_source_remove);
        gtk_stack_set_visible_child_name (self->pages, "login");
    }
}

/* Taken out of the window (a language switch rebuilds the views): the
 * session ends here without a word, and no timer of this view may move
 * the window later.  Jobs still running hold the view until they end. */
static void
on_parent_changed (GObject *object, GParamSpec *pspec, gpointer data)
{
    KikanItView *self = KIKAN_IT_VIEW (object);

    if (gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
        return;
    g_clear_pointer (&self->account, g_free);
    g_clear_handle_id (&self->idle_timer, g_source_remove);
    g_clear_handle_id (&self->clock_timer, g_source_remove);
    set_session_actions_enabled (self, FALSE);
}

/* ------------------------------------------------------------ the type */

static void
kikan_it_view_dispose (GObject *object)
{
    KikanItView *self = KIKAN_IT_VIEW (object);

    self->disposed = TRUE;
    g_clear_handle_id (&self->idle_timer, g_source_remove);
    g_clear_handle_id (&self->clock_timer, g_source_remove);
    if (self->window != NULL && g_object_get_data (G_OBJECT (self->window), VIEW_KEY) == self)
        g_object_set_data (G_OBJECT (self->window), VIEW_KEY, NULL);
    /* The bin's child is the bound template child "pages": unparent it
     * here, or AdwBin's dispose would unparent it after the template's
     * dispose has dropped it. */
    adw_bin_set_child (ADW_BIN (self), NULL);
    gtk_widget_dispose_template (GTK_WIDGET (self), KIKAN_TYPE_IT_VIEW);
    G_OBJECT_CLASS (kikan_it_view_parent_class)->dispose (object);
}

static void
kikan_it_view_finalize (GObject *object)
{
    KikanItView *self = KIKAN_IT_VIEW (object);

    g_free (self->account);
    g_free (self->message);
    g_free (self->previewed);
    g_free (self->previewed_diff);
    g_ptr_array_unref (self->queue_rows);
    g_ptr_array_unref (self->ledger_rows);
    g_ptr_array_unref (self->csv_rows);
    g_ptr_array_unref (self->selftest_rows);
    g_clear_object (&self->actions);
    G_OBJECT_CLASS (kikan_it_view_parent_class)->finalize (object);
}

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, KikanItView, name)

static void
kikan_it_view_class_init (KikanItViewClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    G_OBJECT_CLASS (klass)->dispose = kikan_it_view_dispose;
    G_OBJECT_CLASS (klass)->finalize = kikan_it_view_finalize;
    gtk_widget_class_set_template_from_resource (widget_class, "/jp/kikan/Kiosk/it/it-view.ui");
    BIND (pages);
    BIND (login_account);
    BIND (login_password);
    BIND (login_message);
    BIND (change_old);
    BIND (change_new);
    BIND (change_repeat);
    BIND (change_message);
    BIND (signed_in);
    BIND (sections);
    BIND (queue_group);
    BIND (evidence_box);
    BIND (evidence_title);
    BIND (evidence_text);
    BIND (act_target);
    BIND (act_reason);
    BIND (act_message);
    BIND (ledger_import_group);
    BIND (ledger_folder);
    BIND (ledger_message);
    BIND (ledger_confirm);
    BIND (media_asset);
    BIND (media_vid);
    BIND (media_pid);
    BIND (media_serial);
    BIND (media_hw);
    BIND (loans_group);
    BIND (media_group);
    BIND (signatures_current);
    BIND (signatures_folder);
    BIND (signatures_progress);
    BIND (signatures_message);
    BIND (selftest_group);
    BIND (printer_row);
    BIND (reprint_number);
    BIND (clock_row);
    BIND (clock_confirmed_row);
    BIND (kiosk_message);
    gtk_widget_class_bind_template_callback (widget_class, on_login_activated);
    gtk_widget_class_bind_template_callback (widget_class, on_ledger_folder_apply);
    gtk_widget_class_bind_template_callback (widget_class, on_reprint_apply);
}

#undef BIND

static void
kikan_it_view_init (KikanItView *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->queue_rows = g_ptr_array_new ();
    self->ledger_rows = g_ptr_array_new ();
    self->csv_rows = g_ptr_array_new ();
    self->selftest_rows = g_ptr_array_new ();
    self->open_item = -1;
    self->idle_seconds = KIKAN_AUTH_DEFAULT_IDLE_SECONDS;
}

GtkWidget *
kikan_it_view_new (KikanKioskWindow *window)
{
    KikanItView *self = g_object_new (KIKAN_TYPE_IT_VIEW, NULL);
    GtkEventController *watch = gtk_event_controller_legacy_new ();
    const GActionEntry entries[] = {
        { .name = "login", .activate = action_login, .parameter_type = "(ss)" },
        { .name = "sign-in", .activate = action_sign_in },
        { .name = "change-password", .activate = action_change_password,
          .parameter_type = "(sss)" },
        { .name = "change-submit", .activate = action_change_submit },
        { .name = "cancel", .activate = action_cancel },
        { .name = "logout", .activate = action_logout },
        { .name = "open", .activate = action_open, .parameter_type = "(xx)" },
        { .name = "resolve", .activate = action_act, .parameter_type = "(xxss)" },
        { .name = "override", .activate = action_act, .parameter_type = "(xxss)" },
        { .name = "resolve-selected", .activate = action_act_selected },
        { .name = "override-selected", .activate = action_act_selected },
        { .name = "ledger-preview", .activate = action_ledger_preview, .parameter_type = "s" },
        { .name = "ledger-import", .activate = action_ledger_import, .parameter_type = "s" },
        { .name = "ledger-import-previewed", .activate = action_ledger_import_previewed },
        { .name = "media-add", .activate = action_media_add, .parameter_type = "(sqqsb)" },
        { .name = "media-add-entered", .activate = action_media_add_entered },
        { .name = "import", .activate = action_import, .parameter_type = "s" },
        { .name = "import-entered", .activate = action_import_entered },
        { .name = "selftest", .activate = action_selftest },
        { .name = "print-slip", .activate = action_print_slip, .parameter_type = "s" },
        { .name = "print-test-page", .activate = action_print_test_page },
        { .name = "confirm-clock", .activate = action_confirm_clock },
        { .name = "exit", .activate = action_exit },
        { .name = "exit-confirmed", .activate = action_exit_confirmed },
    };

    self->window = window;
    self->actions = g_simple_action_group_new ();
    g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries,
                                     G_N_ELEMENTS (entries), self);
    set_session_actions_enabled (self, FALSE);
    update_act_buttons (self);
    /* On the window, so that the window (and a test) reaches them. */
    gtk_widget_insert_action_group (GTK_WIDGET (window), "it", G_ACTION_GROUP (self->actions));
    g_object_set_data (G_OBJECT (window), VIEW_KEY, self);
    g_signal_connect_swapped (self->act_reason, "changed", G_CALLBACK (on_reason_changed), self);
    g_signal_connect_swapped (self->sections, "notify::visible-child",
                              G_CALLBACK (on_section_changed), self);
    g_signal_connect (self, "notify::parent", G_CALLBACK (on_parent_changed), NULL);
    g_signal_connect_swapped (self, "map", G_CALLBACK (on_map), self);
    g_signal_connect_swapped (self, "unmap", G_CALLBACK (on_unmap), self);
    gtk_event_controller_set_propagation_phase (watch, GTK_PHASE_CAPTURE);
    g_signal_connect (watch, "event", G_CALLBACK (on_any_event), self);
    gtk_widget_add_controller (GTK_WIDGET (self), watch);
    self->clock_timer = g_timeout_add_seconds (1, on_clock_tick, self);
    gtk_stack_set_visible_child_name (self->pages, "login");
    return GTK_WIDGET (self);
}

KikanItView *
kikan_it_view_find (KikanKioskWindow *window)
{
    return g_object_get_data (G_OBJECT (window), VIEW_KEY);
}

GActionGroup *
kikan_it_view_get_actions (KikanItView *self)
{
    return G_ACTION_GROUP (self->actions);
}

const char *
kikan_it_view_get_account (KikanItView *self)
{
    return self->account;
}

const char *
kikan_it_view_get_page (KikanItView *self)
{
    return gtk_stack_get_visible_child_name (self->pages);
}

const char *
kikan_it_view_get_message (KikanItView *self)
{
    return self->message != NULL ? self->message : "";
}

gboolean
kikan_it_view_get_busy (KikanItView *self)
{
    return self->busy || self->printing || self->signing_in;
}
