/* Kikan kiosk UI: the start-up self-test (startup-view.h; KR-36). */
#include "startup-view.h"

#include "error-private.h"
#include "escape-private.h"
#include "kiosk-i18n.h"
#include "kiosk-window.h"

/* The station is shared by every view the window builds (a language
 * switch rebuilds them): this mark on it says a self-test is under way,
 * so that a rebuilt view waits for that one instead of starting another. */
#define RUNNING_KEY "kikan-startup-running"

struct _KikanStartupView {
    AdwBin parent_instance;

    KikanKioskWindow *window; /* borrowed: the window owns this view */
    const char *phase;
    GPtrArray *rows;          /* the check rows in @checks */
    GSimpleActionGroup *actions;
    guint pulse_timer;
    gboolean disposed;        /* its widgets are gone: the run ends without them */
    guint wait_timer;

    AdwStatusPage *status;
    GtkProgressBar *progress;
    AdwPreferencesGroup *checks;
    GtkWidget *buttons;
    GtkWidget *retry;
    GtkWidget *it_staff;
};

G_DEFINE_FINAL_TYPE (KikanStartupView, kikan_startup_view, ADW_TYPE_BIN)

static const char *
check_title (const char *id)
{
    static const struct {
        const char *id;
        const char *title;
    } titles[] = {
        { "engine", N_("Virus detection works") },
        { "signatures", N_("Virus definitions are recent") },
        { "policy", N_("Software policy is recent") },
        { "store", N_("Record store is intact") },
        { "audit", N_("Audit trail is intact") },
        { "printer", N_("Slip printer") },
        { "clock", N_("Clock") },
        { "network", N_("No network connection") },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (titles); i++)
        if (g_strcmp0 (id, titles[i].id) == 0)
            return _(titles[i].title);
    return id;
}

GtkWidget *
kikan_startup_check_row_new (const KikanStationCheck *check)
{
    GtkWidget *row = adw_action_row_new ();
    GtkWidget *icon;
    g_autofree char *id = kikan_escape_for_display (check->id, -1);
    g_autofree char *title = g_markup_escape_text (check_title (id), -1);
    g_autoptr (GString) sub = g_string_new (NULL);
    const char *icon_name, *css, *label;

    switch (check->status) {
    case KIKAN_CHECK_PASS:
        icon_name = "emblem-ok-symbolic";
        css = "success";
        label = _("Passed");
        break;
    case KIKAN_CHECK_WARN:
        icon_name = "dialog-warning-symbolic";
        css = "warning";
        label = _("Warning");
        break;
    case KIKAN_CHECK_FAIL:
    default:
        icon_name = "dialog-error-symbolic";
        css = "error";
        label = _("Failed");
        break;
    }
    /* The library escapes detail and remedy for display; they are still
     * text, not markup. */
    if (check->detail != NULL) {
        g_autofree char *d = g_markup_escape_text (check->detail, -1);

        g_string_append (sub, d);
    }
    if (check->status != KIKAN_CHECK_PASS && check->remedy != NULL) {
        g_autofree char *r = g_markup_escape_text (check->remedy, -1);
        g_autofree char *line = g_strdup_printf (_("What IT must do: %s"), r);

        if (sub->len > 0)
            g_string_append_c (sub, '\n');
        g_string_append (sub, line);
    }
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub->str);
    icon = gtk_image_new_from_icon_name (icon_name);
    gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
    gtk_widget_add_css_class (icon, css);
    gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                    -1);
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    return row;
}

static void
clear_rows (KikanStartupView *self)
{
    for (guint i = 0; i < self->rows->len; i++)
        adw_preferences_group_remove (self->checks, g_ptr_array_index (self->rows, i));
    g_ptr_array_set_size (self->rows, 0);
}

static gboolean
pulse (gpointer data)
{
    gtk_progress_bar_pulse (data);
    return G_SOURCE_CONTINUE;
}

static void
set_running_ui (KikanStartupView *self, gboolean running)
{
    GAction *retry = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "retry");

    g_simple_action_set_enabled (G_SIMPLE_ACTION (retry), !running);
    gtk_widget_set_visible (GTK_WIDGET (self->progress), running);
    if (running && self->pulse_timer == 0)
        self->pulse_timer = g_timeout_add (150, pulse, self->progress);
    else if (!running)
        g_clear_handle_id (&self->pulse_timer, g_source_remove);
}

static void
show_report (KikanStartupView *self, const KikanStationReport *report)
{
    KikanStation *station = kikan_kiosk_window_get_station (self->window);
    const char *what;

    set_running_ui (self, FALSE);
    clear_rows (self);
    for (guint i = 0; i < report->checks->len; i++) {
        GtkWidget *row = kikan_startup_check_row_new (g_ptr_array_index (report->checks, i));

        adw_preferences_group_add (self->checks, row);
        g_ptr_array_add (self->rows, row);
    }
    gtk_widget_set_visible (GTK_WIDGET (self->checks), TRUE);
    if (report->passed && kikan_station_may_check_in (station)) {
        self->phase = "passed";
        adw_status_page_set_icon_name (self->status, "emblem-ok-symbolic");
        adw_status_page_set_title (self->status, _("The kiosk is ready"));
        adw_status_page_set_description (self->status, _("Every start-up check passed."));
        gtk_widget_set_visible (self->buttons, FALSE);
        /* KR-36: check-in opens only now, and by itself.  A view rebuilt
         * while IT is at work does not take the screen from IT. */
        if (g_strcmp0 (kikan_kiosk_window_get_mode (self->window), "startup") == 0)
            kikan_kiosk_window_set_mode (self->window, "employee");
        return;
    }
    self->phase = "failed";
    adw_status_page_set_icon_name (self->status, "dialog-error-symbolic");
    adw_status_page_set_title (self->status, _("This kiosk cannot check in devices yet"));
    what = _("A start-up check failed. Please ask IT staff: they will find what to do under "
             "each failed check below, then press Retry.");
    adw_status_page_set_description (self->status, what);
    gtk_widget_set_visible (self->buttons, TRUE);
    gtk_widget_set_visible (self->retry, TRUE);
    gtk_widget_set_visible (self->it_staff, TRUE);
}

static void
show_running (KikanStartupView *self, const char *title)
{
    self->phase = "running";
    adw_status_page_set_icon_name (self->status, "emblem-synchronizing-symbolic");
    adw_status_page_set_title (self->status, title);
    adw_status_page_set_description (self->status, _("This takes a moment. Please wait."));
    gtk_widget_set_visible (self->buttons, FALSE);
    set_running_ui (self, TRUE);
}

/* The run belongs to the station (see RUNNING_KEY), the view only shows
 * it: the callbacks hold a reference to the view so that a rebuilt one
 * can go away meanwhile. */
static void
on_selftest_done (GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr (KikanStartupView) self = data;
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStationReport) report
        = kikan_station_selftest_finish (KIKAN_STATION (source), result, &error);

    g_object_set_data (source, RUNNING_KEY, NULL);
    if (self->disposed)
        return;
    if (report == NULL) {
        g_autofree char *shown = kikan_escape_for_display (error->message, -1);
        g_autofree char *text = g_strdup_printf (
            _("The start-up check could not run: %s. IT: fix the cause, then press Retry."),
            shown);

        set_running_ui (self, FALSE);
        self->phase = "failed";
        adw_status_page_set_icon_name (self->status, "dialog-error-symbolic");
        adw_status_page_set_title (self->status, _("This kiosk cannot check in devices yet"));
        adw_status_page_set_description (self->status, text);
        gtk_widget_set_visible (self->buttons, TRUE);
        return;
    }
    show_report (self, report);
}

static void
on_warm_done (GObject *source, GAsyncResult *result, gpointer data)
{
    KikanStartupView *self = data;
    g_autoptr (GError) error = NULL;

    /* A failed warm-up is not the end: the self-test's engine check
     * reports it with what IT must do. */
    if (!kikan_station_warm_finish (KIKAN_STATION (source), result, &error))
        g_message ("The engine did not load: %s", error->message);
    /* The run goes on for the station even when this view is gone. */
    if (self->disposed) {
        kikan_station_selftest_async (KIKAN_STATION (source), NULL, on_selftest_done, self);
        return;
    }
    gtk_progress_bar_set_text (self->progress, _("Running the start-up checks…"));
    show_running (self, _("Checking the kiosk"));
    kikan_station_selftest_async (KIKAN_STATION (source), NULL, on_selftest_done, self);
}

static void
run (KikanStartupView *self)
{
    KikanStation *station = kikan_kiosk_window_get_station (self->window);

    if (station == NULL || g_object_get_data (G_OBJECT (station), RUNNING_KEY) != NULL)
        return;
    g_object_set_data (G_OBJECT (station), RUNNING_KEY, GINT_TO_POINTER (1));
    clear_rows (self);
    gtk_widget_set_visible (GTK_WIDGET (self->checks), FALSE);
    gtk_progress_bar_set_text (self->progress, _("Loading the virus definitions…"));
    show_running (self, _("Starting the kiosk"));
    kikan_station_warm_async (station, NULL, on_warm_done, g_object_ref (self));
}

/* A view built while another view's run is under way shows its outcome. */
static gboolean
wait_for_run (gpointer data)
{
    KikanStartupView *self = data;
    KikanStation *station = kikan_kiosk_window_get_station (self->window);
    const KikanStationReport *report;

    if (g_object_get_data (G_OBJECT (station), RUNNING_KEY) != NULL)
        return G_SOURCE_CONTINUE;
    self->wait_timer = 0;
    report = kikan_station_get_last_report (station);
    if (report != NULL)
        show_report (self, report);
    else
        run (self);
    return G_SOURCE_REMOVE;
}

/* Shown again (IT left IT mode after running the self-test there): the
 * screen says what the station's last report says, not what it said when
 * it was built. */
static void
on_map (GtkWidget *widget, gpointer data)
{
    KikanStartupView *self = KIKAN_STARTUP_VIEW (widget);
    KikanStation *station = kikan_kiosk_window_get_station (self->window);

    if (station == NULL || g_object_get_data (G_OBJECT (station), RUNNING_KEY) != NULL
        || kikan_station_get_last_report (station) == NULL)
        return;
    show_report (self, kikan_station_get_last_report (station));
}

static void
action_retry (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    run (data);
}

static void
show_unavailable (KikanStartupView *self)
{
    KikanKioskApplication *app
        = KIKAN_KIOSK_APPLICATION (gtk_window_get_application (GTK_WINDOW (self->window)));
    const GError *error = kikan_kiosk_application_get_station_error (app);
    g_autofree char *shown
        = kikan_escape_for_display (error != NULL ? error->message : _("unknown cause"), -1);
    g_autofree char *text = NULL;
    const char *what;

    if (error != NULL && g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_BUSY))
        what = _("Another kiosk program, or a “kikan checkin” command, is using this kiosk's "
                 "records. IT: end that program (or restart this computer so that only one "
                 "kiosk runs), then start the kiosk again.");
    else if (error != NULL && error->domain == KIKAN_ERROR
             && (error->code == KIKAN_ERROR_STORE_CORRUPT
                 || error->code == KIKAN_ERROR_STORE_NOT_DATABASE
                 || error->code == KIKAN_ERROR_STORE_NOT_KIKAN
                 || error->code == KIKAN_ERROR_STORE_FOREIGN_KEYS
                 || error->code == KIKAN_ERROR_STORE_TOO_NEW))
        what = _("The kiosk's record store cannot be used. IT: do not delete, repair or "
                 "overwrite it — it is evidence. Copy the whole kiosk folder to a medium for "
                 "the investigation, follow docs/deploy.md to set up a new store, then start "
                 "the kiosk again.");
    else
        what = _("IT: fix the cause named above (the kiosk's folder, kikan.conf or the "
                 "policy file), without deleting any records, then start the kiosk again.");
    text = g_strdup_printf ("%s\n\n%s", shown, what);
    self->phase = "unavailable";
    adw_status_page_set_icon_name (self->status, "dialog-error-symbolic");
    adw_status_page_set_title (self->status, _("The kiosk could not start"));
    adw_status_page_set_description (self->status, text);
    set_running_ui (self, FALSE);
    gtk_widget_set_visible (self->buttons, FALSE);
}

static void
kikan_startup_view_dispose (GObject *object)
{
    KikanStartupView *self = KIKAN_STARTUP_VIEW (object);

    self->disposed = TRUE;
    g_clear_handle_id (&self->pulse_timer, g_source_remove);
    g_clear_handle_id (&self->wait_timer, g_source_remove);
    if (self->window != NULL
        && g_object_get_data (G_OBJECT (self->window), "kikan-startup-view") == self)
        g_object_set_data (G_OBJECT (self->window), "kikan-startup-view", NULL);
    /* The bin's child is the bound template child "status" (see it-view.c). */
    adw_bin_set_child (ADW_BIN (self), NULL);
    gtk_widget_dispose_template (GTK_WIDGET (self), KIKAN_TYPE_STARTUP_VIEW);
    G_OBJECT_CLASS (kikan_startup_view_parent_class)->dispose (object);
}

static void
kikan_startup_view_finalize (GObject *object)
{
    KikanStartupView *self = KIKAN_STARTUP_VIEW (object);

    g_ptr_array_unref (self->rows);
    g_clear_object (&self->actions);
    G_OBJECT_CLASS (kikan_startup_view_parent_class)->finalize (object);
}

static void
kikan_startup_view_class_init (KikanStartupViewClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    G_OBJECT_CLASS (klass)->dispose = kikan_startup_view_dispose;
    G_OBJECT_CLASS (klass)->finalize = kikan_startup_view_finalize;
    gtk_widget_class_set_template_from_resource (widget_class,
                                                 "/jp/kikan/Kiosk/startup/startup-view.ui");
    gtk_widget_class_bind_template_child (widget_class, KikanStartupView, status);
    gtk_widget_class_bind_template_child (widget_class, KikanStartupView, progress);
    gtk_widget_class_bind_template_child (widget_class, KikanStartupView, checks);
    gtk_widget_class_bind_template_child (widget_class, KikanStartupView, buttons);
    gtk_widget_class_bind_template_child (widget_class, KikanStartupView, retry);
    gtk_widget_class_bind_template_child (widget_class, KikanStartupView, it_staff);
}

static void
kikan_startup_view_init (KikanStartupView *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->rows = g_ptr_array_new ();
    self->phase = "running";
}

GtkWidget *
kikan_startup_view_new (KikanKioskWindow *window)
{
    KikanStartupView *self = g_object_new (KIKAN_TYPE_STARTUP_VIEW, NULL);
    KikanStation *station = kikan_kiosk_window_get_station (window);
    const GActionEntry entries[] = {
        { .name = "retry", .activate = action_retry },
    };

    self->window = window;
    self->actions = g_simple_action_group_new ();
    g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries,
                                     G_N_ELEMENTS (entries), self);
    /* On the window, so that the window (and a test) reaches them. */
    gtk_widget_insert_action_group (GTK_WIDGET (window), "startup",
                                    G_ACTION_GROUP (self->actions));
    g_object_set_data (G_OBJECT (window), "kikan-startup-view", self);
    g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
    if (station == NULL)
        show_unavailable (self);
    else if (g_object_get_data (G_OBJECT (station), RUNNING_KEY) != NULL) {
        show_running (self, _("Checking the kiosk"));
        self->wait_timer = g_timeout_add (200, wait_for_run, self);
    } else if (kikan_station_get_last_report (station) != NULL)
        show_report (self, kikan_station_get_last_report (station));
    else
        run (self);
    return GTK_WIDGET (self);
}

KikanStartupView *
kikan_startup_view_find (KikanKioskWindow *window)
{
    return g_object_get_data (G_OBJECT (window), "kikan-startup-view");
}

GActionGroup *
kikan_startup_view_get_actions (KikanStartupView *self)
{
    return G_ACTION_GROUP (self->actions);
}

const char *
kikan_startup_view_get_phase (KikanStartupView *self)
{
    return self->phase;
}

char *
kikan_startup_view_dup_text (KikanStartupView *self)
{
    GString *s = g_string_new (NULL);

    g_string_append_printf (s, "%s\n%s\n", adw_status_page_get_title (self->status),
                            adw_status_page_get_description (self->status) != NULL
                                ? adw_status_page_get_description (self->status)
                                : "");
    for (guint i = 0; i < self->rows->len; i++) {
        AdwActionRow *row = g_ptr_array_index (self->rows, i);

        g_string_append_printf (s, "%s: %s\n",
                                adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                adw_action_row_get_subtitle (row));
    }
    return g_string_free (s, FALSE);
}
