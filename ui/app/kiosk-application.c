/* Kikan kiosk UI: the application (kiosk-application.h). */
#include "kiosk-application.h"

#include "kiosk-i18n.h"
#include "kiosk-window.h"
#include "test-seams-private.h"

struct _KikanKioskApplication {
    AdwApplication parent_instance;

    KikanHome *home;
    KikanStation *station;
    GError *station_error;
    gboolean windowed;
    gboolean check_display;
    gboolean quit_allowed;
    char *language;
    char *kiosk_id;
    char *policy;
    char **databases;
    char *usb_models;
};

G_DEFINE_FINAL_TYPE (KikanKioskApplication, kikan_kiosk_application, ADW_TYPE_APPLICATION)

static void
kikan_kiosk_application_startup (GApplication *app)
{
    KikanKioskApplication *self = KIKAN_KIOSK_APPLICATION (app);
    g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
    KikanStationOptions options = { 0 };

    G_APPLICATION_CLASS (kikan_kiosk_application_parent_class)->startup (app);
    kikan_ui_set_language (self->language != NULL ? self->language : "ja");
    /* Text readable at arm's length (item 7): the kiosk's own style. */
    gtk_css_provider_load_from_resource (css, "/jp/kikan/Kiosk/app/kiosk.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    options.kiosk_id = self->kiosk_id;
    options.policy_file = self->policy;
    options.databases = (const char *const *)self->databases;
    options.usb_models = self->usb_models;
    /* The entrance kiosk always confines its scan workers (issue #12 item
     * 3).  KIKAN_SANDBOX=null would not clear anything (every item would be
     * HOLD, MAL-04) but would let a hostile medium's bytes be parsed
     * unconfined by the user that owns the store and the audit keys; an
     * /etc/environment or a unit drop-in could set it unseen.  So it is
     * dropped, never honoured, before the daemon inherits the environment;
     * only `kikan` accepts it, for tests on machines without seccomp. */
    if (g_getenv ("KIKAN_SANDBOX") != NULL) {
        g_warning ("KIKAN_SANDBOX is set in the kiosk's environment; ignored: the scan "
                   "workers are always confined in kikan-kiosk");
        g_unsetenv ("KIKAN_SANDBOX");
    }
    options.null_sandbox = FALSE;
    /* The other test seams (a daemon named in KIKAN_SCAND, a clock faked
     * with KIKAN_FAKE_NOW, …) are for the build tree's kiosk, which the UI
     * tests run.  An installed kiosk ignores them (kikan/test-seam.h) and
     * drops them too, so that neither its daemon nor any other program it
     * starts inherits one, and says so in the journal. */
    if (!kikan_test_seams_enabled ()) {
        g_auto (GStrv) dropped = kikan_test_seams_drop_from_environment ();

        for (gsize i = 0; dropped[i] != NULL; i++)
            g_warning ("%s is set in the kiosk's environment; ignored and removed: it is a "
                       "test seam, honoured only by a kikan-kiosk run from its build tree",
                       dropped[i]);
    }
    self->home = kikan_home_new ();
    self->station = kikan_station_open (self->home, &options, &self->station_error);
}

static void
on_window_mapped (GtkWidget *window, gpointer data)
{
    /* --check-display: the window reached the screen; that is the check. */
    g_print ("kikan-kiosk: the window is on the display.\n");
    kikan_kiosk_application_allow_quit (data);
    g_application_quit (G_APPLICATION (data));
}

static void
kikan_kiosk_application_activate (GApplication *app)
{
    KikanKioskApplication *self = KIKAN_KIOSK_APPLICATION (app);
    GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

    if (window == NULL) {
        window = GTK_WINDOW (kikan_kiosk_window_new (self));
        if (self->check_display)
            g_signal_connect_after (window, "map", G_CALLBACK (on_window_mapped), self);
    }
    gtk_window_present (window);
}

static gint
kikan_kiosk_application_handle_local_options (GApplication *app, GVariantDict *options)
{
    KikanKioskApplication *self = KIKAN_KIOSK_APPLICATION (app);
    const char *lang = NULL;

    if (g_variant_dict_lookup (options, "language", "&s", &lang)
        && g_strcmp0 (lang, "ja") != 0 && g_strcmp0 (lang, "en") != 0) {
        g_printerr ("kikan-kiosk: --language takes ja or en.\n");
        return 2;
    }
    if (lang != NULL)
        self->language = g_strdup (lang);
    self->windowed = g_variant_dict_contains (options, "windowed");
    self->check_display = g_variant_dict_contains (options, "check-display");
    g_variant_dict_lookup (options, "kiosk-id", "s", &self->kiosk_id);
    g_variant_dict_lookup (options, "policy", "^ay", &self->policy);
    g_variant_dict_lookup (options, "database", "^aay", &self->databases);
    g_variant_dict_lookup (options, "usb-models", "^ay", &self->usb_models);
    return -1;
}

static void
kikan_kiosk_application_shutdown (GApplication *app)
{
    KikanKioskApplication *self = KIKAN_KIOSK_APPLICATION (app);

    G_APPLICATION_CLASS (kikan_kiosk_application_parent_class)->shutdown (app);
    g_clear_object (&self->station);
}

static void
kikan_kiosk_application_finalize (GObject *object)
{
    KikanKioskApplication *self = KIKAN_KIOSK_APPLICATION (object);

    g_clear_object (&self->station);
    g_clear_pointer (&self->home, kikan_home_free);
    g_clear_error (&self->station_error);
    g_free (self->language);
    g_free (self->kiosk_id);
    g_free (self->policy);
    g_strfreev (self->databases);
    g_free (self->usb_models);
    G_OBJECT_CLASS (kikan_kiosk_application_parent_class)->finalize (object);
}

static void
kikan_kiosk_application_class_init (KikanKioskApplicationClass *klass)
{
    GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

    G_OBJECT_CLASS (klass)->finalize = kikan_kiosk_application_finalize;
    app_class->startup = kikan_kiosk_application_startup;
    app_class->activate = kikan_kiosk_application_activate;
    app_class->shutdown = kikan_kiosk_application_shutdown;
    app_class->handle_local_options = kikan_kiosk_application_handle_local_options;
}

static void
kikan_kiosk_application_init (KikanKioskApplication *self)
{
    const GOptionEntry entries[] = {
        { "kiosk-id", 0, 0, G_OPTION_ARG_STRING, NULL, "This kiosk's name on the record", "ID" },
        { "policy", 0, 0, G_OPTION_ARG_FILENAME, NULL, "IT's software policy file", "FILE" },
        { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, NULL,
          "Load this database file or folder instead of the defaults (repeatable)", "PATH" },
        { "usb-models", 0, 0, G_OPTION_ARG_FILENAME, NULL, "Hardware-encrypted USB models",
          "FILE" },
        { "language", 0, 0, G_OPTION_ARG_STRING, NULL, "Language of the idle screen: ja or en",
          "LANG" },
        { "windowed", 0, 0, G_OPTION_ARG_NONE, NULL, "Not fullscreen (development only)", NULL },
        { "check-display", 0, 0, G_OPTION_ARG_NONE, NULL,
          "Open the window, exit 0 once it is on the display (deployment check)", NULL },
        { NULL },
    };

    g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

KikanKioskApplication *
kikan_kiosk_application_new (void)
{
    kikan_ui_i18n_init ();
    /* NON_UNIQUE: one kiosk per station lock, which the station enforces
     * itself (KIKAN_ERROR_BUSY); no session bus is needed. */
    return g_object_new (KIKAN_TYPE_KIOSK_APPLICATION, "application-id", "jp.kikan.Kiosk",
                         "flags", G_APPLICATION_NON_UNIQUE, NULL);
}

KikanStation *
kikan_kiosk_application_get_station (KikanKioskApplication *self)
{
    return self->station;
}

const GError *
kikan_kiosk_application_get_station_error (KikanKioskApplication *self)
{
    return self->station_error;
}

gboolean
kikan_kiosk_application_get_windowed (KikanKioskApplication *self)
{
    return self->windowed;
}

void
kikan_kiosk_application_allow_quit (KikanKioskApplication *self)
{
    GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

    self->quit_allowed = TRUE;
    if (window != NULL)
        kikan_kiosk_window_allow_close (KIKAN_KIOSK_WINDOW (window));
}
