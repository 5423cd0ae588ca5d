/* Kikan kiosk: `kikan usb list [--json] [--models FILE]` and
 * `kikan usb identify [--json] [--models FILE] BLOCKDEV`.
 *
 * What USB devices are attached and what they say they are: VID:PID, the
 * strings (escaped: they are the device's), every interface with its
 * class, the block devices beneath, the descriptor fingerprint the media
 * register keeps (KR-06), and the BadUSB and hardware-encrypted flags
 * (docs/usb.md). */
#include <stdio.h>

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

int
kikan_cmd_usb (int argc, char **argv)
{
    const char *usage = "Usage: kikan usb list [--json] [--models FILE]\n"
                        "       kikan usb identify [--json] [--models FILE] BLOCKDEV\n";

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
