/* Kikan kiosk UI: the one window (kiosk-window.h). */
#include "kiosk-window.h"

#include "auditor-view.h"
#include "auth-private.h"
#include "home-private.h"
#include "kiosk-assistant.h"
#include "kiosk-driver.h"
#include "kiosk-i18n.h"
#include "escape-private.h"
#include "it-view.h"
#include "startup-view.h"

/* How often the network interfaces are looked at (KR-38).  A cable
 * plugged in during the day shows within this time. */
#define NETWORK_CHECK_SECONDS 15

struct _KikanKioskWindow {
    AdwApplicationWindow parent_instance;

    KikanKioskApplication *app; /* borrowed: the application outlives its windows */
    KikanDriver *driver;
    gboolean close_allowed;
    guint clock_timer;
    guint network_timer;
    gulong engine_handler;
    gulong generation_handler; /* an IT import swapped the engine: new summary */

    AdwToastOverlay *toasts;
    GtkRevealer *network_warning;
    GtkLabel *network_label;
    GtkStack *modes;
    GtkLabel *kiosk_label;
    GtkLabel *signatures_label;
    GtkLabel *clock_label;
};

G_DEFINE_FINAL_TYPE (KikanKioskWindow, kikan_kiosk_window, ADW_TYPE_APPLICATION_WINDOW)

/* KR-38: the kiosk cannot be left by the person in front of it.  Keys a
 * desktop uses to close, quit or switch are swallowed before any widget
 * or shortcut sees them. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, gpointer data)
{
    GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();

    switch (keyval) {
    case GDK_KEY_Escape:
    case GDK_KEY_F10:
    case GDK_KEY_Super_L:
    case GDK_KEY_Super_R:
    case GDK_KEY_Menu:
        return TRUE;
    case GDK_KEY_F4:
        return (mods & GDK_ALT_MASK) != 0;
    case GDK_KEY_w:
    case GDK_KEY_W:
    case GDK_KEY_q:
    case GDK_KEY_Q:
    case GDK_KEY_d:
    case GDK_KEY_D:
    case GDK_KEY_i:
    case GDK_KEY_I:
        return (mods & GDK_CONTROL_MASK) != 0;
    case GDK_KEY_Tab:
        return (mods & GDK_ALT_MASK) != 0;
    default:
        return FALSE;
    }
}

static gboolean
on_close_request (GtkWindow *window, gpointer data)
{
    KikanKioskWindow *self = KIKAN_KIOSK_WINDOW (window);

    return !self->close_allowed; /* TRUE stops the close */
}

static gboolean
update_clock (gpointer data)
{
    KikanKioskWindow *self = data;
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *text = g_date_time_format (now, "%Y-%m-%d %H:%M");

    gtk_label_set_text (self->clock_label, text);
    return G_SOURCE_CONTINUE;
}

static gboolean
check_network (gpointer data)
{
    KikanKioskWindow *self = data;
    KikanStation *station = kikan_kiosk_window_get_station (self);
    g_auto (GStrv) up = station != NULL ? kikan_station_dup_network_interfaces_up (station) : NULL;

    if (up != NULL && up[0] != NULL) {
        g_autofree char *joined = g_strjoinv (", ", up);
        g_autofree char *shown = kikan_escape_for_display (joined, -1);
        g_autofree char *text = g_strdup_printf (
            _("A network connection is active (%s). This kiosk must stay offline: ask IT to "
              "unplug the cable or turn the interface off before devices are checked in."),
            shown);

        gtk_label_set_text (self->network_label, text);
        gtk_revealer_set_reveal_child (self->network_warning, TRUE);
    } else if (station != NULL && up == NULL) {
        /* The interfaces could not be listed: not knowing is not
         * "offline" (KR-38). */
        gtk_label_set_text (self->network_label,
                            _("This kiosk could not check that it is offline. Ask IT to make "
                              "sure no network cable or interface is connected."));
        gtk_revealer_set_reveal_child (self->network_warning, TRUE);
    } else {
        gtk_revealer_set_reveal_child (self->network_warning, FALSE);
    }
    return G_SOURCE_CONTINUE;
}

static void
update_status (KikanKioskWindow *self)
{
    KikanStation *station = kikan_kiosk_window_get_station (self);
    const char *summary = NULL;
    g_autofree char *kiosk = NULL;
    g_autofree char *sigs = NULL;

    if (station == NULL) {
        gtk_label_set_text (self->kiosk_label, "");
        gtk_label_set_text (self->signatures_label, "");
        return;
    }
    kiosk = g_strdup_printf (_("Kiosk %s"), kikan_station_get_kiosk_id (station));
    switch (kikan_station_get_engine_state (station)) {
    case KIKAN_ENGINE_READY:
        summary = kikan_station_get_engine_summary (station);
        sigs = g_strdup_printf (_("Virus definitions: %s"), summary != NULL ? summary : "");
        break;
    case KIKAN_ENGINE_LOADING:
        sigs = g_strdup (_("Virus definitions: loading…"));
        break;
    case KIKAN_ENGINE_FAILED:
        sigs = g_strdup (_("Virus definitions: not loaded — IT must check the kiosk"));
        break;
    case KIKAN_ENGINE_STOPPED:
    default:
        sigs = g_strdup (_("Virus definitions: not loaded yet"));
        break;
    }
    {
        g_autofree char *k = kikan_escape_for_display (kiosk, -1);
        g_autofree char *s = kikan_escape_for_display (sigs, -1);

        gtk_label_set_text (self->kiosk_label, k);
        gtk_label_set_text (self->signatures_label, s);
    }
}

static void
on_engine_state (GObject *station, GParamSpec *pspec, gpointer data)
{
    update_status (data);
}

static void
build_modes (KikanKioskWindow *self)
{
    gtk_stack_add_named (self->modes, kikan_startup_view_new (self), "startup");
    gtk_stack_add_named (self->modes, kikan_assistant_new (self->driver), "employee");
    gtk_stack_add_named (self->modes, kikan_it_view_new (self), "it");
    gtk_stack_add_named (self->modes, kikan_auditor_view_new (self), "auditor");
}

void
kikan_kiosk_window_retranslate (KikanKioskWindow *self)
{
    g_autofree char *mode = g_strdup (kikan_kiosk_window_get_mode (self));
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->modes))) != NULL)
        gtk_stack_remove (self->modes, child);
    build_modes (self);
    gtk_window_set_title (GTK_WINDOW (self), _("Device return check"));
    update_status (self);
    check_network (self);
    kikan_kiosk_window_set_mode (self, mode != NULL ? mode : "startup");
}

static void
action_mode (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    kikan_kiosk_window_set_mode (data, g_variant_get_string (parameter, NULL));
}

static void
action_language (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    const char *lang = g_variant_get_string (parameter, NULL);

    if (g_strcmp0 (lang, "ja") != 0 && g_strcmp0 (lang, "en") != 0)
        return;
    kikan_ui_set_language (lang);
    g_simple_action_set_state (action, parameter);
    kikan_kiosk_window_retranslate (data);
}

static void
kikan_kiosk_window_dispose (GObject *object)
{
    KikanKioskWindow *self = KIKAN_KIOSK_WINDOW (object);
    KikanStation *station = kikan_kiosk_window_get_station (self);

    g_clear_handle_id (&self->clock_timer, g_source_remove);
    g_clear_handle_id (&self->network_timer, g_source_remove);
    if (station != NULL && self->engine_handler != 0)
        g_clear_signal_handler (&self->engine_handler, station);
    if (station != NULL && self->generation_handler != 0)
        g_clear_signal_handler (&self->generation_handler, station);
    gtk_widget_dispose_template (GTK_WIDGET (self), KIKAN_TYPE_KIOSK_WINDOW);
    g_clear_object (&self->driver);
    G_OBJECT_CLASS (kikan_kiosk_window_parent_class)->dispose (object);
}

static void
kikan_kiosk_window_class_init (KikanKioskWindowClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    G_OBJECT_CLASS (klass)->dispose = kikan_kiosk_window_dispose;
    gtk_widget_class_set_template_from_resource (widget_class,
                                                 "/jp/kikan/Kiosk/app/kiosk-window.ui");
    gtk_widget_class_bind_template_child (widget_class, KikanKioskWindow, toasts);
    gtk_widget_class_bind_template_child (widget_class, KikanKioskWindow, network_warning);
    gtk_widget_class_bind_template_child (widget_class, KikanKioskWindow, network_label);
    gtk_widget_class_bind_template_child (widget_class, KikanKioskWindow, modes);
    gtk_widget_class_bind_template_child (widget_class, KikanKioskWindow, kiosk_label);
    gtk_widget_class_bind_template_child (widget_class, KikanKioskWindow, signatures_label);
    gtk_widget_class_bind_template_child (widget_class, KikanKioskWindow, clock_label);
}

static void
kikan_kiosk_window_init (KikanKioskWindow *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
}

KikanKioskWindow *
kikan_kiosk_window_new (KikanKioskApplication *app)
{
    KikanKioskWindow *self = g_object_new (KIKAN_TYPE_KIOSK_WINDOW, "application", app, NULL);
    GtkEventController *keys = gtk_event_controller_key_new ();
    const GActionEntry actions[] = {
        { .name = "mode", .activate = action_mode, .parameter_type = "s" },
        { .name = "language", .activate = action_language, .parameter_type = "s",
          .state = "'ja'" },
    };
    KikanStation *station;

    self->app = app;
    g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
    {
        GAction *lang = g_action_map_lookup_action (G_ACTION_MAP (self), "language");

        g_simple_action_set_state (G_SIMPLE_ACTION (lang),
                                   g_variant_new_string (kikan_ui_get_language ()));
    }
    gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
    g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);

    station = kikan_kiosk_window_get_station (self);
    self->driver = kikan_driver_new (self);
    if (station != NULL)
        self->engine_handler = g_signal_connect (station, "notify::engine-state",
                                                 G_CALLBACK (on_engine_state), self);
    if (station != NULL)
        self->generation_handler = g_signal_connect (station, "notify::engine-generation",
                                                     G_CALLBACK (on_engine_state), self);
    build_modes (self);
    update_status (self);
    update_clock (self);
    check_network (self);
    self->clock_timer = g_timeout_add_seconds (10, update_clock, self);
    self->network_timer = g_timeout_add_seconds (NETWORK_CHECK_SECONDS, check_network, self);
    kikan_kiosk_window_set_mode (self, "startup");
    if (!kikan_kiosk_application_get_windowed (app))
        gtk_window_fullscreen (GTK_WINDOW (self));
    return self;
}

KikanStation *
kikan_kiosk_window_get_station (KikanKioskWindow *self)
{
    return kikan_kiosk_application_get_station (self->app);
}

KikanDriver *
kikan_kiosk_window_get_driver (KikanKioskWindow *self)
{
    return self->driver;
}

void
kikan_kiosk_window_set_mode (KikanKioskWindow *self, const char *mode)
{
    KikanStation *station = kikan_kiosk_window_get_station (self);

    if (gtk_stack_get_child_by_name (self->modes, mode) == NULL)
        return;
    /* KR-36: no check-in until the start-up self-test passed; the
     * start-up screen is shown instead, with what IT must do.  (Leaving
     * IT or auditor mode still leaves it, which signs that person out.) */
    if (g_strcmp0 (mode, "employee") == 0
        && (station == NULL || !kikan_station_may_check_in (station)))
        mode = "startup";
    gtk_stack_set_visible_child_name (self->modes, mode);
}

const char *
kikan_kiosk_window_get_mode (KikanKioskWindow *self)
{
    return gtk_stack_get_visible_child_name (self->modes);
}

guint
kikan_kiosk_window_get_sign_in_idle_seconds (KikanKioskWindow *self)
{
    KikanStation *station = kikan_kiosk_window_get_station (self);
    g_autofree char *conf = NULL;
    KikanAuthPolicy policy;

    if (station == NULL)
        return KIKAN_AUTH_DEFAULT_IDLE_SECONDS;
    conf = kikan_home_dup_config_path (kikan_station_get_home (station));
    if (!kikan_auth_policy_load (conf, &policy, NULL))
        return KIKAN_AUTH_DEFAULT_IDLE_SECONDS;
    return policy.idle_seconds;
}

void
kikan_kiosk_window_toast (KikanKioskWindow *self, const char *text)
{
    /* An AdwToast's title is Pango markup. */
    g_autofree char *markup = g_markup_escape_text (text, -1);

    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (markup));
}

void
kikan_kiosk_window_allow_close (KikanKioskWindow *self)
{
    self->close_allowed = TRUE;
}
