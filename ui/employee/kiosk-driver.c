/* Kikan kiosk UI: the driver of the employee flow (kiosk-driver.h).
 *
 * The driver is the check-in session's state on screen: every change
 * goes through the library (kiosk/checkin/, begun and ended through the
 * station), and the pages only draw what the getters say. */
/* memfd_create, F_ADD_SEALS */
#define _GNU_SOURCE
#include "kiosk-driver.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "declaration-page.h"
#include "error-private.h"
#include "escape-private.h"
#include "identify-page.h"
#include "inspect-page.h"
#include "kiosk-i18n.h"
#include "kiosk-window.h"
#include "ledger-private.h"
#include "present-page.h"
#include "result-page.h"
#include "usb-watch-private.h"
#include "welcome-page.h"

/* Progress redraws at most this often per medium: 20,000 small files
 * must not become 20,000 relayouts (the frame-gap test, item 1). */
#define PROGRESS_INTERVAL_US (100 * 1000)

struct _KikanDriver {
    GObject parent_instance;

    KikanKioskWindow *window; /* borrowed: the window owns the driver */
    KikanCheckin *checkin;
    GSimpleActionGroup *actions;
    GPtrArray *flow;          /* char*: page ids, NULL-terminated */
    guint page;               /* index into flow */
    char *problem;

    GPtrArray *items;         /* KikanDriverItem* */
    char *employee_name;
    KikanHoldings holdings;
    char *answers[KIKAN_N_QUESTIONS + 1];
    JsonNode *result;
    KikanStationSlip *slip;
    gboolean finished;
    /* Check-ins whose visit is over but whose inspections still run:
     * their results are attached while the object lives (checkin.h). */
    GPtrArray *finishing;

    KikanUsbWatch *usb;
    GHashTable *usb_waiting;  /* syspath → KikanUsbDevice* without a block node yet */

    guint idle_seconds;
    guint idle_timer;
    guint countdown_timer;
    guint countdown_left;
    AdwMessageDialog *warning;
    AdwMessageDialog *confirm;
};

G_DEFINE_FINAL_TYPE (KikanDriver, kikan_driver, G_TYPE_OBJECT)

enum { PROP_0, PROP_FLOW, PROP_PAGE_ID, PROP_PROBLEM, PROP_RUNNING, N_PROPS };
static GParamSpec *props[N_PROPS];

enum { SIGNAL_ITEMS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef GType (*PageTypeFunc) (void);

/* Which page type draws which page id; "Q1" … "Q19" are declaration
 * pages (kikan_driver_create_page). */
static const struct {
    const char *id;
    PageTypeFunc type;
} page_types[] = {
    { "welcome", kikan_welcome_page_get_type },
    { "identify", kikan_identify_page_get_type },
    { "present", kikan_present_page_get_type },
    { "inspect", kikan_inspect_page_get_type },
    { "result", kikan_result_page_get_type },
};

/* One inspection on its way: the check-in it belongs to may outlive the
 * visit (finishing), and the memfd holding a typed passphrase is closed
 * when the inspection has read it. */
typedef struct {
    KikanDriver *driver; /* a reference */
    KikanCheckin *checkin;
    gint64 item_id;
    int passphrase_fd;
    gint64 last_progress_us;
} Inspection;

static void reset (KikanDriver *self);
static void restart_idle_timer (KikanDriver *self);

static void
item_free (gpointer p)
{
    KikanDriverItem *it = p;

    g_free (it->asset);
    g_free (it->type);
    g_free (it->medium);
    g_free (it->usb_syspath);
    g_free (it->declared);
    g_free (it->failure);
    g_free (it);
}

static void
items_changed (KikanDriver *self)
{
    g_signal_emit (self, signals[SIGNAL_ITEMS_CHANGED], 0);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RUNNING]);
}

static void
set_problem (KikanDriver *self, const char *problem)
{
    if (g_strcmp0 (self->problem, problem) == 0)
        return;
    g_free (self->problem);
    self->problem = g_strdup (problem);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PROBLEM]);
}

/* @what (plain words) and the library's own message, escaped: it may
 * quote a tag or a path the person typed or a medium named. */
static void
set_problem_error (KikanDriver *self, const char *what, const GError *error)
{
    g_autofree char *shown = kikan_escape_for_display (error->message, -1);
    g_autofree char *text = g_strdup_printf ("%s (%s)", what, shown);

    set_problem (self, text);
}

static void
set_flow (KikanDriver *self, GPtrArray *ids, guint page)
{
    g_ptr_array_set_size (self->flow, 0);
    for (guint i = 0; i < ids->len; i++)
        g_ptr_array_add (self->flow, g_strdup (ids->pdata[i]));
    g_ptr_array_add (self->flow, NULL);
    self->page = page;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FLOW]);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PAGE_ID]);
}

static void
go_to (KikanDriver *self, guint page)
{
    if (page + 1 >= self->flow->len || page == self->page)
        return;
    self->page = page;
    set_problem (self, NULL);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PAGE_ID]);
}

static gint
flow_index (KikanDriver *self, const char *id)
{
    for (guint i = 0; i + 1 < self->flow->len; i++)
        if (g_strcmp0 (self->flow->pdata[i], id) == 0)
            return (gint)i;
    return -1;
}

/* 5.1 "Personalisation": the questions that apply to what this employee
 * holds, in order.  Pages already passed stay as they were; a question
 * that starts to apply later (Q8 once Q9 says media were used) comes
 * right after the current page, so it is never skipped. */
static void
build_flow (KikanDriver *self, gboolean keep_position)
{
    g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
    guint page = keep_position ? self->page : 0;
    guint start = 0;

    if (keep_position)
        for (; start <= self->page && start + 1 < self->flow->len; start++)
            g_ptr_array_add (ids, g_strdup (self->flow->pdata[start]));
    else {
        g_ptr_array_add (ids, g_strdup ("welcome"));
        g_ptr_array_add (ids, g_strdup ("identify"));
    }
    if (self->checkin != NULL)
        kikan_checkin_get_holdings (self->checkin, &self->holdings);
    for (guint q = 1; q <= KIKAN_N_QUESTIONS && self->checkin != NULL; q++) {
        g_autofree char *id = g_strdup_printf ("Q%u", q);
        gboolean passed = FALSE;

        for (guint i = 0; i < ids->len; i++)
            passed |= g_str_equal (ids->pdata[i], id);
        if (!passed && kikan_declaration_applicable (q, &self->holdings))
            g_ptr_array_add (ids, g_steal_pointer (&id));
    }
    if (self->checkin != NULL) {
        g_ptr_array_add (ids, g_strdup ("present"));
        g_ptr_array_add (ids, g_strdup ("inspect"));
        g_ptr_array_add (ids, g_strdup ("result"));
    }
    set_flow (self, ids, page);
}

static KikanDriverItem *
find_item_by_id (KikanDriver *self, gint64 item_id)
{
    for (guint i = 0; i < self->items->len; i++) {
        KikanDriverItem *it = self->items->pdata[i];

        if (it->item_id == item_id)
            return it;
    }
    return NULL;
}

static KikanDriverItem *
find_lent (KikanDriver *self, const char *asset)
{
    for (guint i = 0; asset != NULL && i < self->items->len; i++) {
        KikanDriverItem *it = self->items->pdata[i];

        if (it->asset != NULL && g_ascii_strcasecmp (it->asset, asset) == 0)
            return it;
    }
    return NULL;
}

/* A string member, NULL when absent, null or not a string. */
static const char *
str_member (JsonObject *o, const char *m)
{
    return o != NULL ? json_object_get_string_member_with_default (o, m, NULL) : NULL;
}

/* The rows follow what the library recorded (the session's JSON): which
 * asset a typed serial or a plugged-in stick turned out to be, and how
 * each inspection ended. */
static void
sync_items (KikanDriver *self)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) root = NULL;
    JsonArray *items;

    if (self->checkin == NULL || (root = kikan_checkin_to_json (self->checkin, &error)) == NULL)
        return;
    items = json_object_get_array_member (json_node_get_object (root), "items");
    for (guint i = 0; items != NULL && i < json_array_get_length (items); i++) {
        JsonObject *o = json_array_get_object_element (items, i);
        gint64 id = json_object_get_int_member_with_default (o, "item", 0);
        const char *asset = str_member (o, "asset");
        const char *state = str_member (o, "state");
        const char *presence = str_member (o, "presence");
        KikanDriverItem *it = find_item_by_id (self, id);
        KikanDriverItem *lent = find_lent (self, asset);

        /* A stick plugged in or a serial typed turned out to be a lent
         * asset: its row in the list is the one that lights up. */
        if (it != NULL && it->asset == NULL && lent != NULL && lent != it
            && lent->item_id == 0) {
            lent->item_id = id;
            g_free (lent->medium);
            lent->medium = g_strdup (it->medium);
            g_free (lent->usb_syspath);
            lent->usb_syspath = g_strdup (it->usb_syspath);
            g_ptr_array_remove (self->items, it);
            it = lent;
        }
        if (it == NULL && lent != NULL && lent->item_id == 0)
            it = lent;
        if (it == NULL) {
            it = g_new0 (KikanDriverItem, 1);
            it->asset = g_strdup (asset);
            it->type = g_strdup (str_member (o, "type"));
            g_ptr_array_add (self->items, it);
        }
        it->item_id = id;
        if (presence != NULL && !g_str_equal (presence, "present")) {
            it->state = KIKAN_DRIVER_ITEM_MISSING;
            g_free (it->declared);
            it->declared = g_strdup (presence);
        } else if (g_strcmp0 (state, "inspected") == 0) {
            it->state = KIKAN_DRIVER_ITEM_INSPECTED;
        } else if (g_strcmp0 (state, "inspecting") == 0 || g_strcmp0 (state, "pending") == 0) {
            it->state = KIKAN_DRIVER_ITEM_INSPECTING;
        } else if (g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "removed") == 0
                   || g_strcmp0 (state, "not_inspected") == 0) {
            it->state = KIKAN_DRIVER_ITEM_NOT_INSPECTED;
        } else if (it->medium != NULL) {
            it->state = KIKAN_DRIVER_ITEM_WAITING;
        } else {
            it->state = KIKAN_DRIVER_ITEM_PRESENTED;
        }
    }
    items_changed (self);
}

static void
load_loans (KikanDriver *self)
{
    GPtrArray *loans = kikan_checkin_get_loans (self->checkin);

    g_ptr_array_set_size (self->items, 0);
    for (guint i = 0; loans != NULL && i < loans->len; i++) {
        KikanLoan *l = loans->pdata[i];
        KikanDriverItem *it = g_new0 (KikanDriverItem, 1);

        it->asset = g_strdup (l->asset_id);
        it->type = g_strdup (l->asset_type);
        it->state = KIKAN_DRIVER_ITEM_LENT;
        g_ptr_array_add (self->items, it);
    }
    items_changed (self);
}

/* ---- inactivity (item 1: a timeout with a warning) ----------------- */

static gboolean
on_countdown (gpointer data)
{
    KikanDriver *self = data;
    g_autofree char *body = NULL;

    if (self->countdown_left == 0) {
        self->countdown_timer = 0;
        if (self->warning != NULL)
            gtk_window_destroy (GTK_WINDOW (self->warning));
        /* Nobody answered: the visit ends, nothing of it stays on screen.
         * An unfinished check-in is recorded incomplete (KR-45). */
        reset (self);
        return G_SOURCE_REMOVE;
    }
    body = g_strdup_printf (ngettext ("The check-in will end in %u second.",
                                      "The check-in will end in %u seconds.",
                                      self->countdown_left),
                            self->countdown_left);
    if (self->warning != NULL)
        adw_message_dialog_set_body (self->warning, body);
    self->countdown_left--;
    return G_SOURCE_CONTINUE;
}

static void
on_warning_response (AdwMessageDialog *dialog, const char *response, gpointer data)
{
    KikanDriver *self = data;

    g_clear_handle_id (&self->countdown_timer, g_source_remove);
    self->warning = NULL;
    restart_idle_timer (self);
}

static gboolean
on_idle (gpointer data)
{
    KikanDriver *self = data;

    self->idle_timer = 0;
    if (self->warning != NULL)
        return G_SOURCE_REMOVE;
    /* Someone watching a long medium being read is not gone: the warning
     * waits until nothing is being read. */
    if (self->checkin != NULL && !self->finished
        && kikan_checkin_get_n_running (self->checkin) > 0) {
        restart_idle_timer (self);
        return G_SOURCE_REMOVE;
    }
    /* Enough time to notice and touch the screen; a short timeout (tests,
     * a busy entrance) warns for half of it. */
    self->countdown_left = CLAMP (self->idle_seconds / 2, 2, 30);
    self->warning = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
        GTK_WINDOW (self->window), _("Are you still there?"), NULL));
    adw_message_dialog_add_response (self->warning, "here", _("_I am still here"));
    adw_message_dialog_set_default_response (self->warning, "here");
    adw_message_dialog_set_response_appearance (self->warning, "here",
                                                ADW_RESPONSE_SUGGESTED);
    g_signal_connect (self->warning, "response", G_CALLBACK (on_warning_response), self);
    on_countdown (self);
    self->countdown_timer = g_timeout_add_seconds (1, on_countdown, self);
    gtk_window_present (GTK_WINDOW (self->warning));
    return G_SOURCE_REMOVE;
}

static void
restart_idle_timer (KikanDriver *self)
{
    g_clear_handle_id (&self->idle_timer, g_source_remove);
    /* The idle screen waits for the next person forever. */
    if (self->page == 0 && self->checkin == NULL)
        return;
    self->idle_timer = g_timeout_add_seconds (self->idle_seconds, on_idle, self);
}

/* ---- back to the idle screen ---------------------------------------- */

static GHashTable *passphrase_fds (KikanDriver *self);

/* A check-in is ended through the station, never freed behind its back:
 * the station counts the check-ins begun on each engine and frees an
 * engine that an import swapped out (its kikan-scand and every signature
 * it loaded) only once none of them remains (docs/station.md).  Freed
 * alone, each check-in stayed counted for the rest of the day, and the
 * first import kept the old engine alive until the kiosk stopped. */
static void
end_checkin (KikanDriver *self, KikanCheckin *checkin)
{
    KikanStation *station = kikan_driver_get_station (self);

    if (station != NULL)
        kikan_station_end_checkin (station, checkin);
    else
        kikan_checkin_free (checkin);   /* no station: none was begun through one */
}

static void
drop_checkin (KikanDriver *self)
{
    g_autoptr (GError) error = NULL;

    if (self->checkin == NULL)
        return;
    if (!self->finished) {
        /* Walked away, cancelled or timed out: recorded incomplete, what
         * it started is cancelled (checkin.h). */
        if (!kikan_checkin_abandon (self->checkin, &error))
            g_warning ("the unfinished check-in could not be closed: %s", error->message);
        end_checkin (self, g_steal_pointer (&self->checkin));
    } else if (kikan_checkin_get_n_running (self->checkin) > 0) {
        /* Ended with media still being read (MAL-04 pending): kept until
         * their results are attached for IT. */
        g_ptr_array_add (self->finishing, g_steal_pointer (&self->checkin));
    } else {
        end_checkin (self, g_steal_pointer (&self->checkin));
    }
}

/* Back to the idle screen: nothing personal stays in memory or on screen
 * (KR-45): the session, the rows, the answers, the result are freed and
 * the assistant drops the pages (it rebuilds them on the next "flow"). */
static void
reset (KikanDriver *self)
{
    drop_checkin (self);
    g_clear_object (&self->usb);
    g_hash_table_remove_all (self->usb_waiting);
    /* Passphrases typed for media never inspected (the person walked away
     * or finished first): their memfds are closed here, or each would stay
     * open, holding its passphrase, for the rest of the day (KR-45). */
    g_hash_table_remove_all (passphrase_fds (self));
    g_ptr_array_set_size (self->items, 0);
    g_clear_pointer (&self->employee_name, g_free);
    for (guint q = 0; q <= KIKAN_N_QUESTIONS; q++)
        g_clear_pointer (&self->answers[q], g_free);
    g_clear_pointer (&self->result, json_node_unref);
    g_clear_pointer (&self->slip, kikan_station_slip_free);
    self->finished = FALSE;
    memset (&self->holdings, 0, sizeof self->holdings);
    g_clear_handle_id (&self->countdown_timer, g_source_remove);
    if (self->warning != NULL)
        gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->warning)));
    if (self->confirm != NULL)
        gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->confirm)));
    set_problem (self, NULL);
    build_flow (self, FALSE);
    items_changed (self);
    restart_idle_timer (self);
}

/* ---- USB: what plugging a stick in does ---------------------------- */

static void
present_usb (KikanDriver *self, const KikanUsbDevice *dev, const char *node)
{
    g_autoptr (GError) error = NULL;
    KikanScriptPresent p = { 0 };
    char *no_files[] = { NULL };
    KikanDriverItem *it;
    gint64 id;

    p.medium = (char *)node;
    p.passphrase_files = no_files;
    /* The identity was read off the main loop by the watcher: presenting
     * never waits on the device (checkin.h). */
    id = kikan_checkin_present_device (self->checkin, &p, dev, &error);
    if (id == 0) {
        set_problem_error (self, _("This stick could not be taken in. Take it out, wait a "
                                   "moment and plug it in again; if it happens again, ask IT."),
                           error);
        return;
    }
    it = g_new0 (KikanDriverItem, 1);
    it->item_id = id;
    it->medium = g_strdup (node);
    it->usb_syspath = g_strdup (dev->syspath);
    it->state = KIKAN_DRIVER_ITEM_WAITING;
    g_ptr_array_add (self->items, it);
    sync_items (self);
}

static void
on_usb_added (KikanUsbWatch *watch, const KikanUsbDevice *dev, gpointer data)
{
    KikanDriver *self = data;

    if (self->checkin == NULL || self->finished)
        return;
    kikan_driver_note_activity (self);
    if (dev->block_nodes != NULL && dev->block_nodes->len > 0)
        present_usb (self, dev, dev->block_nodes->pdata[0]);
    else
        g_hash_table_replace (self->usb_waiting, g_strdup (dev->syspath),
                              kikan_usb_device_copy (dev));
}

static void
on_block_added (KikanUsbWatch *watch, const char *syspath, const char *node, gpointer data)
{
    KikanDriver *self = data;
    KikanUsbDevice *dev = g_hash_table_lookup (self->usb_waiting, syspath);

    if (dev == NULL || self->checkin == NULL)
        return;
    present_usb (self, dev, node);
    g_hash_table_remove (self->usb_waiting, syspath);
}

static void
medium_gone (KikanDriver *self, const char *what)
{
    if (self->checkin != NULL && kikan_checkin_medium_removed (self->checkin, what) > 0) {
        set_problem (self, _("A stick was taken out while it was being checked. It cannot be "
                             "cleared today: hand it to IT, or plug it in again and start a new "
                             "check-in later."));
        sync_items (self);
    }
}

static void
on_block_removed (KikanUsbWatch *watch, const char *syspath, const char *node, gpointer data)
{
    medium_gone (data, node);
    medium_gone (data, syspath);
}

static void
on_usb_removed (KikanUsbWatch *watch, const char *syspath, const char *const *nodes,
                gpointer data)
{
    KikanDriver *self = data;

    g_hash_table_remove (self->usb_waiting, syspath);
    medium_gone (self, syspath);
    for (gsize i = 0; nodes != NULL && nodes[i] != NULL; i++)
        medium_gone (self, nodes[i]);
}

static void
watch_usb (KikanDriver *self)
{
    self->usb = kikan_usb_watch_new (FALSE);
    g_signal_connect (self->usb, "device-added", G_CALLBACK (on_usb_added), self);
    g_signal_connect (self->usb, "block-added", G_CALLBACK (on_block_added), self);
    g_signal_connect (self->usb, "block-removed", G_CALLBACK (on_block_removed), self);
    g_signal_connect (self->usb, "block-changed", G_CALLBACK (on_block_removed), self);
    g_signal_connect (self->usb, "device-removed", G_CALLBACK (on_usb_removed), self);
}

/* ---- the actions ------------------------------------------------------ */

static void
action_start (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    go_to (self, 1);
    restart_idle_timer (self);
}

static void
action_identify (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;
    KikanStation *station = kikan_driver_get_station (self);
    g_autofree char *id = g_strstrip (g_strdup (g_variant_get_string (parameter, NULL)));
    g_autoptr (GError) error = NULL;

    kikan_driver_note_activity (self);
    if (self->checkin != NULL)
        return;
    if (id[0] == '\0') {
        set_problem (self, _("Type your employee ID or scan your badge, then press Enter."));
        return;
    }
    if (station == NULL || !kikan_station_may_check_in (station)) {
        set_problem (self, _("This kiosk is not ready to check devices in yet. Please call IT "
                             "(the number is on the poster next to the kiosk)."));
        return;
    }
    self->checkin = kikan_station_begin_checkin (station, id, &error);
    if (self->checkin == NULL) {
        if (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_BUSY))
            set_problem (self, _("This kiosk is not ready to check devices in yet. Please call "
                                 "IT (the number is on the poster next to the kiosk)."));
        else
            /* Unknown or no longer active: said the same way, without
             * telling a stranger which IDs exist. */
            set_problem (self, _("We could not find this ID. Check the number on your badge and "
                                 "try again. If it still does not work, please ask IT: your "
                                 "record may need updating."));
        g_debug ("identify: %s", error->message);
        return;
    }
    self->employee_name = g_strdup (kikan_checkin_get_employee_name (self->checkin));
    load_loans (self);
    watch_usb (self);
    build_flow (self, TRUE);
    go_to (self, self->page + 1);
}

static void
answer (KikanDriver *self, const char *question, const char *value, const char *followup)
{
    g_autoptr (GError) error = NULL;
    guint q = kikan_question_from_string (question);
    gint at;

    kikan_driver_note_activity (self);
    if (self->checkin == NULL || q == 0 || self->finished)
        return;
    if (self->answers[q] != NULL) {
        /* The declaration is evidence, stored as first given (UNIQUE per
         * question): going back shows it, it does not rewrite it. */
        at = flow_index (self, question);
        if (at >= 0 && (guint)at == self->page)
            go_to (self, self->page + 1);
        return;
    }
    if (!kikan_checkin_answer (self->checkin, question, value, followup, &error)) {
        set_problem_error (self, _("This answer could not be recorded. Please try again."),
                           error);
        return;
    }
    self->answers[q] = g_strdup (value);
    build_flow (self, TRUE);
    at = flow_index (self, question);
    if (at >= 0 && (guint)at == self->page)
        go_to (self, self->page + 1);
}

static void
action_answer (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    const char *q, *a;

    g_variant_get (parameter, "(&s&s)", &q, &a);
    answer (data, q, a, NULL);
}

static void
action_answer_with (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    const char *q, *a, *f;

    g_variant_get (parameter, "(&s&s&s)", &q, &a, &f);
    answer (data, q, a, f[0] != '\0' ? f : NULL);
}

static void
present (KikanDriver *self, const char *tag, const char *medium)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *text = g_strstrip (g_strdup (tag != NULL ? tag : ""));
    KikanScriptPresent p = { 0 };
    char *no_files[] = { NULL };
    KikanDriverItem *lent;
    gint64 id;

    kikan_driver_note_activity (self);
    if (self->checkin == NULL || self->finished)
        return;
    if (text[0] == '\0' && medium == NULL) {
        set_problem (self, _("Type or scan the asset tag on the device (for example "
                             "USB-0007)."));
        return;
    }
    /* A tag of the ledger, else what was typed is a serial number. */
    lent = find_lent (self, text);
    if (lent != NULL)
        p.asset = lent->asset;
    else if (text[0] != '\0')
        p.serial = text;
    p.medium = (char *)medium;
    p.passphrase_files = no_files;
    id = kikan_checkin_present (self->checkin, &p, &error);
    if (id == 0) {
        set_problem_error (self, _("This item could not be matched. Check the tag or serial "
                                   "number and try again, or ask IT."),
                           error);
        return;
    }
    if (lent == NULL) {
        /* A serial or an unregistered medium: sync_items() moves it to
         * the lent row it turns out to be. */
        lent = g_new0 (KikanDriverItem, 1);
        g_ptr_array_add (self->items, lent);
    }
    lent->item_id = id;
    lent->medium = g_strdup (medium);
    set_problem (self, NULL);
    sync_items (self);
}

static void
action_present_asset (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    present (data, g_variant_get_string (parameter, NULL), NULL);
}

static void
action_present_medium (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    const char *tag, *medium;

    g_variant_get (parameter, "(&s&s)", &tag, &medium);
    present (data, tag, medium[0] != '\0' ? medium : NULL);
}

static void
declare_missing (KikanDriver *self, const char *tag, const char *declared, JsonObject *f)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autoptr (GDateTime) week = g_date_time_add_days (now, 7);
    g_autofree char *default_return = g_date_time_format (week, "%F");
    g_auto (GStrv) parts = g_strsplit (declared, ":", 2);
    KikanScriptMissing m = { 0 };
    KikanDriverItem *lent;

    kikan_driver_note_activity (self);
    if (self->checkin == NULL || self->finished || (lent = find_lent (self, tag)) == NULL)
        return;
    m.asset = lent->asset;
    m.declared = parts[0];
    /* Q1's follow-up (§5.2), what the library records (KR-03, KR-04):
     * at home with the date it comes back (a week from today unless the
     * person chose one: "at_home:YYYY-MM-DD" or "return_by"), to whom it
     * was handed, what data a lost or stolen one held. */
    m.return_by = (char *)str_member (f, "return_by");
    if (m.return_by == NULL)
        m.return_by = parts[1];
    if (m.return_by == NULL && g_str_equal (parts[0], "at_home"))
        m.return_by = default_return;
    m.to = (char *)str_member (f, "to");
    m.data_held = (char *)str_member (f, "data_held");
    m.classification = (char *)str_member (f, "classification");
    m.personal_data = (char *)str_member (f, "personal_data");
    m.description = (char *)str_member (f, "description");
    if (kikan_checkin_declare_missing (self->checkin, &m, &error) == 0) {
        set_problem_error (self, _("This could not be recorded. Please try again, or ask IT."),
                           error);
        return;
    }
    set_problem (self, NULL);
    sync_items (self);
}

static void
action_declare_missing (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    const char *tag, *declared;

    g_variant_get (parameter, "(&s&s)", &tag, &declared);
    declare_missing (data, tag, declared, NULL);
}

static void
action_declare_missing_with (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    g_autoptr (JsonParser) parser = json_parser_new ();
    const char *tag, *declared, *followup;
    JsonObject *f = NULL;

    g_variant_get (parameter, "(&s&s&s)", &tag, &declared, &followup);
    if (json_parser_load_from_data (parser, followup, -1, NULL)
        && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        f = json_node_get_object (json_parser_get_root (parser));
    declare_missing (data, tag, declared, f);
}

/* The typed passphrase goes to the inspector as a file (its interface,
 * shared with `kikan scan --passphrase-file`), but never onto a disk: a
 * memfd (RAM only, no name in any folder, closed on exec, sealed so that
 * nothing changes it after it is written), passed as /proc/self/fd/N,
 * which the secrets reader takes from this process's own descriptor
 * table.  It is closed when that medium's inspection ended (the inspector
 * holds its own copy in locked memory until then), and our copy of the
 * text is wiped at once.  The GVariant that carried it cannot be wiped:
 * it is freed with the action's activation. */
static int
passphrase_memfd (const char *text, GError **error)
{
    gsize len = strlen (text);
    int fd = memfd_create ("kikan-passphrase", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0 || write (fd, text, len) != (gssize)len || write (fd, "\n", 1) != 1
        || fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)
               != 0) {
        int e = errno;

        if (fd >= 0)
            close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "memfd: %s", g_strerror (e));
        return -1;
    }
    return fd;
}

static GHashTable *
passphrase_fds (KikanDriver *self)
{
    return g_object_get_data (G_OBJECT (self), "passphrase-fds");
}

static void
action_passphrase (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;
    g_autoptr (GError) error = NULL;
    g_autofree char *path = NULL;
    char *text = NULL;
    gint64 item_id;
    KikanDriverItem *it;
    int fd;

    g_variant_get (parameter, "(xs)", &item_id, &text);
    kikan_driver_note_activity (self);
    it = find_item_by_id (self, item_id);
    if (self->checkin == NULL || it == NULL || it->state != KIKAN_DRIVER_ITEM_WAITING
        || text[0] == '\0') {
        explicit_bzero (text, strlen (text));
        g_free (text);
        return;
    }
    fd = passphrase_memfd (text, &error);
    explicit_bzero (text, strlen (text));
    g_free (text);
    if (fd < 0) {
        set_problem_error (self, _("The passphrase could not be handed to the checker. Please "
                                   "ask IT."),
                           error);
        return;
    }
    path = g_strdup_printf ("/proc/self/fd/%d", fd);
    if (!kikan_checkin_set_passphrase_files (self->checkin, item_id,
                                             (const char *const[]){ path, NULL }, &error)) {
        close (fd);
        set_problem_error (self, _("The passphrase could not be used for this stick."), error);
        return;
    }
    {
        gpointer old = NULL;

        if (g_hash_table_steal_extended (passphrase_fds (self), &item_id, NULL, &old))
            close (GPOINTER_TO_INT (old));
        g_hash_table_insert (passphrase_fds (self), g_memdup2 (&item_id, sizeof item_id),
                             GINT_TO_POINTER (fd));
    }
    it->has_passphrase = TRUE;
    items_changed (self);
}

static void
on_progress (gint64 item_id, const KikanProgress *p, gpointer data)
{
    Inspection *ins = data;
    KikanDriver *self = ins->driver;
    KikanDriverItem *it;
    gint64 now = g_get_monotonic_time ();

    if (ins->checkin != self->checkin || (it = find_item_by_id (self, item_id)) == NULL)
        return;
    it->files_done = p->files_done;
    it->bytes_done = p->bytes_done;
    it->files_total = p->files_total;
    it->bytes_total = p->bytes_total;
    if (now - ins->last_progress_us < PROGRESS_INTERVAL_US)
        return;
    ins->last_progress_us = now;
    g_signal_emit (self, signals[SIGNAL_ITEMS_CHANGED], 0);
}

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer data)
{
    Inspection *ins = data;
    KikanDriver *self = ins->driver;
    g_autoptr (GError) error = NULL;

    if (!kikan_checkin_inspect_finish (ins->checkin, result, &error))
        g_message ("inspection of item %" G_GINT64_FORMAT ": %s", ins->item_id, error->message);
    if (ins->passphrase_fd >= 0)
        close (ins->passphrase_fd);
    if (ins->checkin == self->checkin) {
        KikanDriverItem *it = find_item_by_id (self, ins->item_id);

        if (it != NULL && error != NULL) {
            g_free (it->failure);
            it->failure = g_strdup (error->message);
        }
        sync_items (self);
    } else if (kikan_checkin_get_n_running (ins->checkin) == 0
               && g_ptr_array_remove (self->finishing, ins->checkin)) {
        end_checkin (self, ins->checkin);
    }
    g_object_unref (self);
    g_free (ins);
}

static void
action_inspect (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    if (self->checkin == NULL || self->finished)
        return;
    for (guint i = 0; i < self->items->len; i++) {
        KikanDriverItem *it = self->items->pdata[i];
        Inspection *ins;
        gpointer fd = NULL;

        if (it->state != KIKAN_DRIVER_ITEM_WAITING || it->medium == NULL)
            continue;
        ins = g_new0 (Inspection, 1);
        ins->driver = g_object_ref (self);
        ins->checkin = self->checkin;
        ins->item_id = it->item_id;
        ins->passphrase_fd = -1;
        if (g_hash_table_steal_extended (passphrase_fds (self), &it->item_id, NULL, &fd))
            ins->passphrase_fd = GPOINTER_TO_INT (fd);
        it->state = KIKAN_DRIVER_ITEM_INSPECTING;
        it->started_us = g_get_monotonic_time ();
        /* Every medium is queued at once; the one warm engine reads them
         * one after the other, off the main loop (the UI stays drawn). */
        kikan_checkin_inspect_async (self->checkin, it->item_id, on_progress, ins, on_inspected,
                                     ins);
    }
    items_changed (self);
}

static void
action_cancel_inspection (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    kikan_driver_note_activity (self);
    if (self->checkin != NULL
        && kikan_checkin_cancel_inspection (self->checkin, g_variant_get_int64 (parameter)))
        sync_items (self);
}

static void
action_medium_removed (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    medium_gone (data, g_variant_get_string (parameter, NULL));
}

static void
action_next (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    kikan_driver_note_activity (self);
    go_to (self, self->page + 1);
}

static void
action_back (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    kikan_driver_note_activity (self);
    /* Not back to before the identification: that would be a new visit. */
    if (self->page > 2 || (self->page > 0 && self->checkin == NULL))
        go_to (self, self->page - 1);
}

static void
action_finish (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;
    g_autoptr (GError) error = NULL;
    gint at;

    kikan_driver_note_activity (self);
    if (self->checkin == NULL || self->finished)
        return;
    if (!kikan_checkin_end_visit (self->checkin, &error)) {
        set_problem_error (self, _("The check-in could not be completed. Please ask IT; "
                                   "nothing you handed over is lost."),
                           error);
        return;
    }
    self->finished = TRUE;
    if ((self->result = kikan_checkin_to_json (self->checkin, &error)) == NULL)
        g_warning ("the recorded session cannot be read back: %s", error->message);
    /* The slip never fails the check-in: what went wrong is in it. */
    self->slip = kikan_station_issue_slip (kikan_driver_get_station (self),
                                           kikan_checkin_get_session_id (self->checkin),
                                           self->result);
    sync_items (self);
    at = flow_index (self, "result");
    if (at >= 0)
        go_to (self, (guint)at);
}

static void
action_done (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    reset (data);
}

static void
action_cancel_confirmed (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    reset (data);
}

static void
on_confirm_response (AdwMessageDialog *dialog, const char *response, gpointer data)
{
    KikanDriver *self = data;

    self->confirm = NULL;
    if (g_strcmp0 (response, "end") == 0)
        reset (self);
    else
        kikan_driver_note_activity (self);
}

static void
action_cancel (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    if (self->checkin == NULL || self->finished) {
        reset (self);
        return;
    }
    if (self->confirm != NULL)
        return;
    self->confirm = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
        GTK_WINDOW (self->window), _("End this check-in?"),
        _("What you answered so far is kept as an unfinished check-in. Nothing is cleared: "
          "you can start again at any time.")));
    adw_message_dialog_add_responses (self->confirm, "continue", _("_Continue the check-in"),
                                      "end", _("_End the check-in"), NULL);
    adw_message_dialog_set_response_appearance (self->confirm, "end",
                                                ADW_RESPONSE_DESTRUCTIVE);
    adw_message_dialog_set_default_response (self->confirm, "continue");
    adw_message_dialog_set_close_response (self->confirm, "continue");
    g_signal_connect (self->confirm, "response", G_CALLBACK (on_confirm_response), self);
    gtk_window_present (GTK_WINDOW (self->confirm));
}

static void
action_still_here (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    if (self->warning != NULL)
        adw_message_dialog_response (self->warning, "here");
    kikan_driver_note_activity (self);
}

/* Any key or touch in the window restarts the inactivity timer. */
static gboolean
on_key (GtkEventControllerKey *c, guint keyval, guint keycode, GdkModifierType state,
        gpointer data)
{
    kikan_driver_note_activity (data);
    return FALSE;
}

static void
on_touch (GtkGestureClick *g, int n, double x, double y, gpointer data)
{
    kikan_driver_note_activity (data);
}

static void
kikan_driver_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    KikanDriver *self = KIKAN_DRIVER (object);

    switch (id) {
    case PROP_FLOW:
        g_value_set_boxed (value, kikan_driver_get_flow (self));
        break;
    case PROP_PAGE_ID:
        g_value_set_string (value, kikan_driver_get_page_id (self));
        break;
    case PROP_PROBLEM:
        g_value_set_string (value, self->problem);
        break;
    case PROP_RUNNING:
        g_value_set_uint (value,
                          self->checkin != NULL ? kikan_checkin_get_n_running (self->checkin) : 0);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
close_fd (gpointer fd)
{
    close (GPOINTER_TO_INT (fd));
}

static void
kikan_driver_dispose (GObject *object)
{
    KikanDriver *self = KIKAN_DRIVER (object);

    g_clear_handle_id (&self->idle_timer, g_source_remove);
    g_clear_handle_id (&self->countdown_timer, g_source_remove);
    g_clear_object (&self->usb);
    if (self->checkin != NULL && !self->finished)
        (void)kikan_checkin_abandon (self->checkin, NULL);
    if (self->checkin != NULL)
        end_checkin (self, g_steal_pointer (&self->checkin));
    G_OBJECT_CLASS (kikan_driver_parent_class)->dispose (object);
}

static void
kikan_driver_finalize (GObject *object)
{
    KikanDriver *self = KIKAN_DRIVER (object);

    g_ptr_array_unref (self->flow);
    g_ptr_array_unref (self->items);
    g_ptr_array_unref (self->finishing);
    g_hash_table_unref (self->usb_waiting);
    g_clear_object (&self->actions);
    g_free (self->problem);
    g_free (self->employee_name);
    for (guint q = 0; q <= KIKAN_N_QUESTIONS; q++)
        g_free (self->answers[q]);
    g_clear_pointer (&self->result, json_node_unref);
    kikan_station_slip_free (self->slip);
    G_OBJECT_CLASS (kikan_driver_parent_class)->finalize (object);
}

static void
kikan_driver_class_init (KikanDriverClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->get_property = kikan_driver_get_property;
    object_class->dispose = kikan_driver_dispose;
    object_class->finalize = kikan_driver_finalize;
    props[PROP_FLOW] = g_param_spec_boxed ("flow", NULL, NULL, G_TYPE_STRV,
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_PAGE_ID] = g_param_spec_string ("page-id", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_RUNNING] = g_param_spec_uint ("running", NULL, NULL, 0, G_MAXUINT, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
    signals[SIGNAL_ITEMS_CHANGED] = g_signal_new ("items-changed", G_TYPE_FROM_CLASS (klass),
                                                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                  G_TYPE_NONE, 0);
}

static void
kikan_driver_init (KikanDriver *self)
{
    self->flow = g_ptr_array_new_with_free_func (g_free);
    self->items = g_ptr_array_new_with_free_func (item_free);
    self->finishing = g_ptr_array_new ();
    self->usb_waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)kikan_usb_device_free);
    g_object_set_data_full (G_OBJECT (self), "passphrase-fds",
                            g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                   close_fd),
                            (GDestroyNotify)g_hash_table_unref);
    self->idle_seconds = KIKAN_CONFIG_DEFAULT_IDLE_SECONDS;
}

KikanDriver *
kikan_driver_new (KikanKioskWindow *window)
{
    KikanDriver *self = g_object_new (KIKAN_TYPE_DRIVER, NULL);
    GSimpleActionGroup *group = g_simple_action_group_new ();
    KikanStation *station;
    GtkEventController *keys = gtk_event_controller_key_new ();
    GtkGesture *touch = gtk_gesture_click_new ();
    const GActionEntry actions[] = {
        { .name = "start", .activate = action_start },
        { .name = "identify", .activate = action_identify, .parameter_type = "s" },
        { .name = "answer", .activate = action_answer, .parameter_type = "(ss)" },
        { .name = "answer-with", .activate = action_answer_with, .parameter_type = "(sss)" },
        { .name = "present-asset", .activate = action_present_asset, .parameter_type = "s" },
        { .name = "present-medium", .activate = action_present_medium,
          .parameter_type = "(ss)" },
        { .name = "declare-missing", .activate = action_declare_missing,
          .parameter_type = "(ss)" },
        { .name = "declare-missing-with", .activate = action_declare_missing_with,
          .parameter_type = "(sss)" },
        { .name = "passphrase", .activate = action_passphrase, .parameter_type = "(xs)" },
        { .name = "inspect", .activate = action_inspect },
        { .name = "cancel-inspection", .activate = action_cancel_inspection,
          .parameter_type = "x" },
        { .name = "medium-removed", .activate = action_medium_removed, .parameter_type = "s" },
        { .name = "next", .activate = action_next },
        { .name = "back", .activate = action_back },
        { .name = "finish", .activate = action_finish },
        { .name = "done", .activate = action_done },
        { .name = "cancel", .activate = action_cancel },
        { .name = "cancel-confirmed", .activate = action_cancel_confirmed },
        { .name = "still-here", .activate = action_still_here },
    };

    self->window = window;
    self->actions = group;
    station = kikan_driver_get_station (self);
    if (station != NULL && kikan_station_get_config (station) != NULL)
        self->idle_seconds = kikan_station_get_config (station)->idle_seconds;
    g_action_map_add_action_entries (G_ACTION_MAP (group), actions, G_N_ELEMENTS (actions), self);
    gtk_widget_insert_action_group (GTK_WIDGET (window), "checkin", G_ACTION_GROUP (group));
    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key), self);
    gtk_widget_add_controller (GTK_WIDGET (window), keys);
    gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (touch), GTK_PHASE_CAPTURE);
    g_signal_connect (touch, "pressed", G_CALLBACK (on_touch), self);
    gtk_widget_add_controller (GTK_WIDGET (window), GTK_EVENT_CONTROLLER (touch));
    reset (self);
    return self;
}

KikanKioskWindow *
kikan_driver_get_window (KikanDriver *self)
{
    return self->window;
}

KikanStation *
kikan_driver_get_station (KikanDriver *self)
{
    return kikan_kiosk_window_get_station (self->window);
}

KikanCheckin *
kikan_driver_get_checkin (KikanDriver *self)
{
    return self->checkin;
}

const char *const *
kikan_driver_get_flow (KikanDriver *self)
{
    return (const char *const *)self->flow->pdata;
}

const char *
kikan_driver_get_page_id (KikanDriver *self)
{
    return self->page + 1 < self->flow->len ? self->flow->pdata[self->page] : NULL;
}

KikanPage *
kikan_driver_create_page (KikanDriver *self, const char *page_id)
{
    if (kikan_question_from_string (page_id) != 0 && page_id[0] == 'Q')
        return g_object_new (KIKAN_TYPE_DECLARATION_PAGE, "driver", self, "question",
                             kikan_question_from_string (page_id), NULL);
    for (gsize i = 0; i < G_N_ELEMENTS (page_types); i++)
        if (g_strcmp0 (page_types[i].id, page_id) == 0)
            return g_object_new (page_types[i].type (), "driver", self, NULL);
    return NULL;
}

const char *
kikan_driver_get_problem (KikanDriver *self)
{
    return self->problem;
}

GActionGroup *
kikan_driver_get_actions (KikanDriver *self)
{
    return G_ACTION_GROUP (self->actions);
}

void
kikan_driver_note_activity (KikanDriver *self)
{
    if (self->warning == NULL)
        restart_idle_timer (self);
}

GPtrArray *
kikan_driver_get_items (KikanDriver *self)
{
    return self->items;
}

const char *
kikan_driver_get_employee_name (KikanDriver *self)
{
    return self->employee_name;
}

gboolean
kikan_driver_question_applies (KikanDriver *self, guint q)
{
    return kikan_declaration_applicable (q, &self->holdings);
}

const char *
kikan_driver_get_answer (KikanDriver *self, guint q)
{
    return q <= KIKAN_N_QUESTIONS ? self->answers[q] : NULL;
}

JsonNode *
kikan_driver_get_result (KikanDriver *self)
{
    return self->result;
}

const KikanStationSlip *
kikan_driver_get_slip (KikanDriver *self)
{
    return self->slip;
}

guint
kikan_driver_get_idle_seconds (KikanDriver *self)
{
    return self->idle_seconds;
}

KikanUsbWatch *
kikan_driver_get_usb_watch (KikanDriver *self)
{
    return self->usb;
}
