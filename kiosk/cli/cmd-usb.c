/* Kikan kiosk: `kikan usb list [--json] [--models FILE]` and
 * `kikan usb identify [--json] [--models FILE] BLOCKDEV`.
 *
 * What USB devices are attached and what they say they are: VID:PID, the
 * strings (escaped: they are the device's), every interface with its
 * class, the block devices beneath, the descriptor fingerprint the media
 * register keeps (KR-06), and the BadUSB and hardware-encrypted flags
 * (docs/usb.md).  `kikan usb watch` prints hot-plug events as the kiosk's
 * watcher (usb-watch.c) sees them, to check a kiosk's USB set-up. */
#include <signal.h>
#include <stdio.h>

#include <glib-unix.h>

#include "cli-private.h"
#include "escape-private.h"
#include "usb-private.h"

/* IT's list of hardware-encrypted models (docs/usb.md). */
#define DEFAULT_MODELS_PATH "/etc/kikan/usb.conf"

/* @path from --models, which must load; else the default when it exists.
 * *@models stays NULL when there is no list at all. */
static gboolean
load_models (const char *path, KikanUsbModels **models, GError **error)
{
    *models = NULL;
    if (path == NULL) {
        if (!g_file_test (DEFAULT_MODELS_PATH, G_FILE_TEST_EXISTS))
            return TRUE;
        path = DEFAULT_MODELS_PATH;
    }
    *models = kikan_usb_models_load (path, error);
    return *models != NULL;
}

static int
cmd_list_or_identify (int argc, char **argv, gboolean identify)
{
    gboolean json = FALSE;
    g_autofree char *models_path = NULL;
    g_auto (GStrv) rest = NULL;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-usb-list JSON document", NULL },
        { "models", 0, 0, G_OPTION_ARG_FILENAME, &models_path,
          "The list of hardware-encrypted models (default " DEFAULT_MODELS_PATH
          " when it exists)", "FILE" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new (identify ? "BLOCKDEV — the USB device a block device belongs to"
                                       : "— the USB devices attached, with their identity");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanUsbModels) models = NULL;
    g_autoptr (GPtrArray) devices = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    g_option_context_set_description (context,
                                      identify ? "Exit status: 0 the block device is on USB, 1 it "
                                                 "is not, 2 an error occurred. See docs/usb.md."
                                               : "Exit status: 0 listed (even none), 2 an error "
                                                 "occurred. See docs/usb.md.");
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (identify ? (rest == NULL || rest[0] == NULL || rest[1] != NULL)
                 : (rest != NULL && rest[0] != NULL)) {
        g_autofree char *shown =
            rest != NULL && rest[0] != NULL ? kikan_escape_for_display (rest[0], -1) : NULL;

        if (identify)
            fprintf (stderr, "kikan: name exactly one block device, for example /dev/sdb.\n");
        else
            fprintf (stderr, "kikan: unexpected argument “%s”.\n", shown);
        fprintf (stderr, "Try “%s --help”.\n", g_get_prgname ());
        return KIKAN_EXIT_ERROR;
    }
    if (!load_models (models_path, &models, &error))
        goto fail;
    if (identify) {
        g_autoptr (KikanUsbDevice) dev = kikan_usb_find_for_block (rest[0], &error);

        if (dev == NULL && error != NULL)
            goto fail;
        if (dev == NULL) {
            g_autofree char *shown = kikan_escape_for_display (rest[0], -1);

            fprintf (stderr, "kikan: %s is not on a USB device.\n", shown);
            if (json) {
                g_autoptr (GPtrArray) none = g_ptr_array_new ();
                g_autoptr (JsonNode) root = kikan_usb_devices_to_json (none, models);

                kikan_cli_print_json (root);
            }
            return KIKAN_EXIT_INFECTED; /* 1: "not on USB" (docs/usb.md) */
        }
        devices = g_ptr_array_new_with_free_func ((GDestroyNotify) kikan_usb_device_free);
        g_ptr_array_add (devices, g_steal_pointer (&dev));
    } else if ((devices = kikan_usb_list (&error)) == NULL) {
        goto fail;
    }
    if (json) {
        g_autoptr (JsonNode) root = kikan_usb_devices_to_json (devices, models);

        kikan_cli_print_json (root);
    } else {
        g_autofree char *text = kikan_usb_devices_format (devices, models);

        fputs (text, stdout);
        fflush (stdout);
    }
    return KIKAN_EXIT_OK;

fail:
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}

/* ------------------------------------------------------------ watch */

typedef struct {
    GMainLoop *loop;
    gboolean json;
    int remaining; /* device events until exit; < 0: no limit */
} Watching;

static void
print_event (Watching *w, JsonBuilder *b, const char *text)
{
    if (w->json) {
        g_autoptr (JsonNode) root = json_builder_get_root (b);
        g_autoptr (JsonGenerator) gen = json_generator_new ();
        g_autofree char *raw = NULL;
        g_autofree char *safe = NULL;

        json_generator_set_root (gen, root);
        raw = json_generator_to_data (gen, NULL);
        safe = kikan_escape_json_text (raw, -1);
        fputs (safe, stdout);
        fputc ('\n', stdout);
    } else {
        fputs (text, stdout);
    }
    fflush (stdout);
}

static void
count_device_event (Watching *w)
{
    if (w->remaining > 0 && --w->remaining == 0)
        g_main_loop_quit (w->loop);
}

static JsonBuilder *
event_builder (const char *event, const char *syspath)
{
    JsonBuilder *b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "event");
    json_builder_add_string_value (b, event);
    kikan_json_add_hostile_string (b, "syspath", syspath);
    return b;
}

static void
on_device_added (KikanUsbWatch *watch, const KikanUsbDevice *dev, Watching *w)
{
    g_autoptr (JsonBuilder) b = event_builder ("device-added", dev->syspath);
    g_autoptr (GPtrArray) one = g_ptr_array_new ();
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;

    (void) watch;
    g_ptr_array_add (one, (gpointer) dev);
    json_builder_set_member_name (b, "device");
    json_builder_add_value (b, kikan_usb_device_to_json (dev, NULL));
    json_builder_end_object (b);
    text = kikan_usb_devices_format (one, NULL);
    line = g_strconcat ("device-added\n", text, NULL);
    print_event (w, b, line);
    count_device_event (w);
}

static void
on_block (Watching *w, const char *event, const char *syspath, const char *node)
{
    g_autoptr (JsonBuilder) b = event_builder (event, syspath);
    g_autofree char *s1 = kikan_escape_for_display (syspath, -1);
    g_autofree char *s2 = kikan_escape_for_display (node, -1);
    g_autofree char *line = g_strdup_printf ("%s %s %s\n", event, s1, s2);

    kikan_json_add_hostile_string (b, "node", node);
    json_builder_end_object (b);
    print_event (w, b, line);
}

static void
on_block_added (KikanUsbWatch *watch, const char *syspath, const char *node, Watching *w)
{
    (void) watch;
    on_block (w, "block-added", syspath, node);
}

static void
on_block_changed (KikanUsbWatch *watch, const char *syspath, const char *node, Watching *w)
{
    (void) watch;
    on_block (w, "block-changed", syspath, node);
}

static void
on_block_removed (KikanUsbWatch *watch, const char *syspath, const char *node, Watching *w)
{
    (void) watch;
    on_block (w, "block-removed", syspath, node);
}

static void
on_device_removed (KikanUsbWatch *watch, const char *syspath, const char *const *nodes,
                   Watching *w)
{
    g_autoptr (JsonBuilder) b = event_builder ("device-removed", syspath);
    g_autofree char *shown = kikan_escape_for_display (syspath, -1);
    GString *line = g_string_new ("device-removed ");

    (void) watch;
    g_string_append (line, shown);
    json_builder_set_member_name (b, "block_devices");
    json_builder_begin_array (b);
    for (guint i = 0; nodes[i] != NULL; i++) {
        g_autofree char *n = kikan_escape_for_display (nodes[i], -1);
        g_autofree char *j = kikan_escape_for_json (nodes[i], -1);

        g_string_append_printf (line, " %s", n);
        json_builder_add_string_value (b, j);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_string_append_c (line, '\n');
    print_event (w, b, line->str);
    g_string_free (line, TRUE);
    count_device_event (w);
}

static gboolean
quit_loop (gpointer data)
{
    g_main_loop_quit (data);
    return G_SOURCE_REMOVE;
}

static int
cmd_watch (int argc, char **argv)
{
    gboolean json = FALSE, present = FALSE;
    int exit_after = 0, timeout = 0;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per line and event", NULL },
        { "present", 0, 0, G_OPTION_ARG_NONE, &present,
          "Report the devices already plugged in as added", NULL },
        { "exit-after", 0, 0, G_OPTION_ARG_INT, &exit_after,
          "Stop after N device events (added or removed)", "N" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Stop after SECONDS", "SECONDS" },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("— print USB hot-plug events until interrupted");
    g_autoptr (KikanUsbWatch) watch = NULL;
    g_autoptr (GMainLoop) loop = NULL;
    Watching w = { 0 };

    g_option_context_add_main_entries (context, entries, NULL);
    g_option_context_set_description (context, "Exit status: 0, or 2 for a bad command line. "
                                               "See docs/usb.md.");
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc > 1 || exit_after < 0 || timeout < 0) {
        fprintf (stderr, "kikan: “kikan usb watch” takes no arguments, and no negative "
                         "numbers.\nTry “%s --help”.\n",
                 g_get_prgname ());
        return KIKAN_EXIT_ERROR;
    }
    loop = g_main_loop_new (NULL, FALSE);
    w.loop = loop;
    w.json = json;
    w.remaining = exit_after > 0 ? exit_after : -1;
    watch = kikan_usb_watch_new (present);
    g_signal_connect (watch, "device-added", G_CALLBACK (on_device_added), &w);
    g_signal_connect (watch, "block-added", G_CALLBACK (on_block_added), &w);
    g_signal_connect (watch, "block-changed", G_CALLBACK (on_block_changed), &w);
    g_signal_connect (watch, "block-removed", G_CALLBACK (on_block_removed), &w);
    g_signal_connect (watch, "device-removed", G_CALLBACK (on_device_removed), &w);
    g_unix_signal_add (SIGINT, quit_loop, loop);
    g_unix_signal_add (SIGTERM, quit_loop, loop);
    if (timeout > 0)
        g_timeout_add_seconds ((guint) timeout, quit_loop, loop);
    /* Tests wait for this line before they plug anything in. */
    fprintf (stderr, "kikan: watching USB devices (Ctrl-C to stop).\n");
    g_main_loop_run (loop);
    g_signal_handlers_disconnect_by_data (watch, &w);
    return KIKAN_EXIT_OK;
}

int
kikan_cmd_usb (int argc, char **argv)
{
    const char *usage = "Usage: kikan usb list [--json] [--models FILE]\n"
                        "       kikan usb identify [--json] [--models FILE] BLOCKDEV\n"
                        "       kikan usb watch [--json] [--present] [--exit-after N] "
                        "[--timeout SECONDS]\n";

    if (argc < 2) {
        fputs (usage, stderr);
        return KIKAN_EXIT_ERROR;
    }
    if (g_str_equal (argv[1], "list")) {
        g_set_prgname ("kikan usb list");
        return cmd_list_or_identify (argc - 1, argv + 1, FALSE);
    }
    if (g_str_equal (argv[1], "identify")) {
        g_set_prgname ("kikan usb identify");
        return cmd_list_or_identify (argc - 1, argv + 1, TRUE);
    }
    if (g_str_equal (argv[1], "watch")) {
        g_set_prgname ("kikan usb watch");
        return cmd_watch (argc - 1, argv + 1);
    }
    if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) {
        fputs (usage, stdout);
        return KIKAN_EXIT_OK;
    }
    {
        g_autofree char *shown = kikan_escape_for_display (argv[1], -1);

        fprintf (stderr, "kikan: unknown command “usb %s”.\n%s", shown, usage);
    }
    return KIKAN_EXIT_ERROR;
}
