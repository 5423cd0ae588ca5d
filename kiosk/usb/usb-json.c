/* Kikan kiosk: `kikan usb list` output, text and JSON. */
#include "usb-json-private.h"

#include "escape-private.h"

/* Bumped when a member changes meaning or goes away (docs/usb.md). */
#define USB_LIST_VERSION 1

static const char *
strings_source_name (KikanUsbStringSource s)
{
    switch (s) {
    case KIKAN_USB_STRINGS_LIBUSB: return "libusb";
    case KIKAN_USB_STRINGS_SYSFS: return "sysfs";
    case KIKAN_USB_STRINGS_NONE:
    default: return "none";
    }
}

static void
add_hex16 (JsonBuilder *b, const char *member, guint v, guint digits)
{
    g_autofree char *s = g_strdup_printf ("%0*x", (int) digits, v);

    json_builder_set_member_name (b, member);
    json_builder_add_string_value (b, s);
}

/* @raw as a (valid UTF-8) string, plus "<member>_hex" with its exact bytes
 * when it holds anything that is escaped when shown. */
static void
add_device_string (JsonBuilder *b, const char *member, const char *raw)
{
    kikan_json_add_hostile_string (b, member, raw);
    if (raw != NULL && !kikan_escape_is_clean (raw, -1)) {
        g_autofree char *name = g_strconcat (member, "_hex", NULL);
        g_autofree char *hex = kikan_escape_to_hex (raw, -1);

        json_builder_set_member_name (b, name);
        json_builder_add_string_value (b, hex);
    }
}

JsonNode *
kikan_usb_device_to_json (const KikanUsbDevice *dev, const KikanUsbModels *models)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    const char *model = kikan_usb_models_lookup (models, dev->vid, dev->pid);

    json_builder_begin_object (b);
    kikan_json_add_hostile_string (b, "syspath", dev->syspath);
    json_builder_set_member_name (b, "busnum");
    json_builder_add_int_value (b, dev->busnum);
    json_builder_set_member_name (b, "devnum");
    json_builder_add_int_value (b, dev->devnum);
    add_hex16 (b, "vid", dev->vid, 4);
    add_hex16 (b, "pid", dev->pid, 4);
    add_hex16 (b, "bcd_device", dev->bcd_device, 4);
    add_hex16 (b, "device_class", dev->device_class, 2);
    add_device_string (b, "manufacturer", dev->manufacturer);
    add_device_string (b, "product", dev->product);
    add_device_string (b, "serial", dev->serial);
    json_builder_set_member_name (b, "strings_source");
    json_builder_add_string_value (b, strings_source_name (dev->strings_source));
    json_builder_set_member_name (b, "interfaces_known");
    json_builder_add_boolean_value (b, dev->interfaces_known);
    json_builder_set_member_name (b, "interfaces");
    json_builder_begin_array (b);
    for (guint i = 0; i < dev->interfaces->len; i++) {
        const KikanUsbInterface *in = &g_array_index (dev->interfaces, KikanUsbInterface, i);

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "config");
        json_builder_add_int_value (b, in->config);
        json_builder_set_member_name (b, "number");
        json_builder_add_int_value (b, in->number);
        json_builder_set_member_name (b, "alt");
        json_builder_add_int_value (b, in->alt);
        add_hex16 (b, "class", in->klass, 2);
        add_hex16 (b, "subclass", in->subclass, 2);
        add_hex16 (b, "protocol", in->protocol, 2);
        json_builder_set_member_name (b, "class_name");
        json_builder_add_string_value (b, kikan_usb_class_name (in->klass));
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "block_devices");
    json_builder_begin_array (b);
    for (guint i = 0; i < dev->block_nodes->len; i++) {
        g_autofree char *safe = kikan_escape_for_json (g_ptr_array_index (dev->block_nodes, i), -1);

        json_builder_add_string_value (b, safe);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "fingerprint");
    if (dev->fingerprint != NULL)
        json_builder_add_string_value (b, dev->fingerprint);
    else
        json_builder_add_null_value (b);
    json_builder_set_member_name (b, "badusb");
    json_builder_add_boolean_value (b, kikan_usb_is_badusb (dev));
    /* IT wrote the model names; still not trusted to be printable. */
    kikan_json_add_hostile_string (b, "hardware_encrypted", model);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

JsonNode *
kikan_usb_devices_to_json (const GPtrArray *devices, const KikanUsbModels *models)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "version");
    json_builder_add_int_value (b, USB_LIST_VERSION);
    json_builder_set_member_name (b, "devices");
    json_builder_begin_array (b);
    for (guint i = 0; i < devices->len; i++)
        json_builder_add_value (b, kikan_usb_device_to_json (g_ptr_array_index ((GPtrArray *) devices, i),
                                                             models));
    json_builder_end_array (b);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

JsonNode *
kikan_usb_findings_to_json (const GPtrArray *findings)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_array (b);
    for (guint i = 0; findings != NULL && i < findings->len; i++) {
        const KikanUsbFinding *f = g_ptr_array_index ((GPtrArray *) findings, i);

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "kind");
        json_builder_add_string_value (b, kikan_usb_finding_kind_to_string (f->kind));
        json_builder_set_member_name (b, "code");
        json_builder_add_string_value (b, f->code);
        json_builder_set_member_name (b, "level");
        json_builder_add_string_value (b, kikan_usb_level_to_string (f->level));
        kikan_json_add_hostile_string (b, "detail", f->detail);
        kikan_json_add_hostile_string (b, "asset", f->asset_id);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    return json_builder_get_root (b);
}

static const char *
interface_role (const KikanUsbInterface *in)
{
    if (in->klass == 0x03 && in->protocol == 0x01)
        return " (keyboard)";
    if (in->klass == 0x03 && in->protocol == 0x02)
        return " (mouse)";
    if (in->klass == 0xef && in->subclass == 0x04 && in->protocol == 0x01)
        return " (RNDIS)";
    return "";
}

static void
format_string (GString *s, const char *label, const char *raw)
{
    g_autofree char *shown = raw != NULL ? kikan_escape_for_display (raw, -1) : NULL;

    g_string_append_printf (s, "  %-13s %s\n", label, shown != NULL ? shown : "(none)");
}

char *
kikan_usb_devices_format (const GPtrArray *devices, const KikanUsbModels *models)
{
    GString *s = g_string_new (NULL);

    if (devices->len == 0)
        g_string_append (s, "No USB devices.\n");
    for (guint i = 0; i < devices->len; i++) {
        const KikanUsbDevice *dev = g_ptr_array_index ((GPtrArray *) devices, i);
        const char *model = kikan_usb_models_lookup (models, dev->vid, dev->pid);
        g_autofree char *syspath = kikan_escape_for_display (dev->syspath, -1);

        if (i > 0)
            g_string_append_c (s, '\n');
        g_string_append_printf (s, "Bus %03u Device %03u: ID %04x:%04x\n", dev->busnum,
                                dev->devnum, dev->vid, dev->pid);
        g_string_append_printf (s, "  %-13s %s\n", "syspath:", syspath);
        format_string (s, "manufacturer:", dev->manufacturer);
        format_string (s, "product:", dev->product);
        format_string (s, "serial:", dev->serial);
        g_string_append_printf (s, "  %-13s %s\n", "strings from:",
                                strings_source_name (dev->strings_source));
        g_string_append_printf (s, "  %-13s %x.%02x\n", "bcdDevice:", dev->bcd_device >> 8,
                                dev->bcd_device & 0xff);
        if (!dev->interfaces_known)
            g_string_append_printf (s, "  %-13s %s\n", "interfaces:",
                                    "configuration descriptors unreadable: functions unknown");
        for (guint k = 0; k < dev->interfaces->len; k++) {
            const KikanUsbInterface *in = &g_array_index (dev->interfaces, KikanUsbInterface, k);

            g_string_append_printf (s, "  %-13s %u.%u.%u %02x/%02x/%02x %s%s\n",
                                    k == 0 && dev->interfaces_known ? "interfaces:" : "",
                                    in->config, in->number, in->alt, in->klass, in->subclass,
                                    in->protocol, kikan_usb_class_name (in->klass),
                                    interface_role (in));
        }
        for (guint k = 0; k < dev->block_nodes->len; k++) {
            g_autofree char *node = kikan_escape_for_display (g_ptr_array_index (dev->block_nodes,
                                                                                 k),
                                                              -1);

            g_string_append_printf (s, "  %-13s %s\n", k == 0 ? "block:" : "", node);
        }
        if (dev->block_nodes->len == 0)
            g_string_append_printf (s, "  %-13s %s\n", "block:", "(none)");
        g_string_append_printf (s, "  %-13s %s\n", "fingerprint:",
                                dev->fingerprint != NULL ? dev->fingerprint : "(unreadable)");
        if (kikan_usb_is_badusb (dev))
            g_string_append_printf (s, "  %-13s %s\n", "WARNING:",
                                    "BadUSB: mass storage together with a keyboard, mouse or "
                                    "network interface (QUARANTINE)");
        if (model != NULL) {
            g_autofree char *shown = kikan_escape_for_display (model, -1);

            g_string_append_printf (s, "  %-13s %s\n", "encrypted:", shown);
        }
    }
    return g_string_free (s, FALSE);
}
