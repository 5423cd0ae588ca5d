/* Fuzz harness: what kiosk/usb/ reads from a USB device or IT's models file.
 *
 * Byte 0 (mod 3) picks the target, the rest is the input:
 *   0  a raw USB string descriptor, as a device answers GET_DESCRIPTOR
 *      (kikan_usb_decode_string_descriptor: bLength, type, UTF-16LE);
 *   1  the hardware-encrypted models file (kikan_usb_models_load_from_data);
 *   2  a device whose strings and interface triples are the input, matched
 *      against a register and assessed (kikan_usb_match, kikan_usb_assess),
 *      then turned into JSON and text (usb-json.c).
 *
 * The descriptors themselves are parsed by libusb; what Kikan decodes
 * itself is the string descriptor, the models file, and what it makes of
 * the strings and interfaces.  Invariants beyond "no crash, no sanitizer
 * report, no leak": a decoded string is valid UTF-8 with no NUL; a models
 * refusal names the file and a line ("fuzz.conf:N: ") or the size cap; a
 * loaded list answers lookups; findings come out in kind order, each with
 * a known code and level and a detail that needs no escaping; BadUSB is
 * reported exactly when kikan_usb_is_badusb() says so. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape-private.h"
#include "usb-private.h"

static void
fuzz_string_descriptor (const guint8 *data, gsize size)
{
    g_autofree char *s = kikan_usb_decode_string_descriptor (data, size);

    if (s == NULL)
        return;
    if (!g_utf8_validate (s, -1, NULL))
        abort ();
    /* At most one character per UTF-16 unit, each at most 4 bytes. */
    if (strlen (s) > 2 * size + 1)
        abort ();
}

static void
fuzz_models (const guint8 *data, gsize size)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanUsbModels) m =
        kikan_usb_models_load_from_data ((const char *) data, (gssize) size, "fuzz.conf", &error);

    if (m == NULL) {
        if (error == NULL || (strstr (error->message, "fuzz.conf:") == NULL
                              && strstr (error->message, "larger than") == NULL))
            abort ();
        return;
    }
    if (error != NULL)
        abort ();
    for (guint i = 0; i + 4 <= size; i += 4) {
        const char *name = kikan_usb_models_lookup (m, (guint16) (data[i] << 8 | data[i + 1]),
                                                    (guint16) (data[i + 2] << 8 | data[i + 3]));

        if (name != NULL && !g_utf8_validate (name, -1, NULL))
            abort ();
    }
}

/* The input as: serial, NUL, product, NUL, then interface triples. */
static void
fuzz_assess (const guint8 *data, gsize size)
{
    g_autoptr (KikanUsbDevice) dev = g_new0 (KikanUsbDevice, 1);
    g_autoptr (GPtrArray) findings = NULL;
    g_autoptr (KikanUsbModels) models =
        kikan_usb_models_load_from_data ("[hardware-encrypted]\n0781:5567 = Listed\n", -1, "m",
                                         NULL);
    g_autoptr (JsonNode) json = NULL;
    g_autoptr (GPtrArray) list = NULL;
    g_autofree char *text = NULL;
    g_autofree char *ifs = NULL;
    const guint8 *p = data, *end = data + size, *nul;
    KikanUsbRegistration regs[3] = {
        { "USB-0001", 0x0781, 0x5567, NULL, NULL, FALSE },
        { "USB-0002", 0x0951, 0x1539, NULL, "00", TRUE },
        { "USB-0003", 0x0781, 0x5567, "SER", NULL, FALSE },
    };
    KikanUsbMatch m;
    int last_kind = -1;

    dev->syspath = g_strdup ("/sys/devices/usb1/1-1");
    dev->interfaces = g_array_new (FALSE, TRUE, sizeof (KikanUsbInterface));
    dev->block_nodes = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_add (dev->block_nodes, g_strdup ("/dev/sdb"));
    dev->vid = 0x0781;
    dev->pid = size % 2 == 0 ? 0x5567 : 0x1539;
    dev->interfaces_known = size % 3 != 0;
    dev->strings_source = KIKAN_USB_STRINGS_SYSFS;
    if ((nul = memchr (p, 0, (gsize) (end - p))) != NULL) {
        dev->serial = g_strndup ((const char *) p, (gsize) (nul - p));
        p = nul + 1;
        if ((nul = memchr (p, 0, (gsize) (end - p))) != NULL) {
            dev->product = g_strndup ((const char *) p, (gsize) (nul - p));
            p = nul + 1;
        }
    }
    for (; p + 3 <= end; p += 3) {
        KikanUsbInterface in = { 1, (guint8) dev->interfaces->len, 0, p[0], p[1], p[2] };

        g_array_append_val (dev->interfaces, in);
    }
    /* The device's serial is registered twice: once with its own IDs. */
    regs[0].usb_serial = dev->serial;
    regs[1].usb_serial = dev->serial;
    m = kikan_usb_match (dev, regs, 3);
    if ((m.kind == KIKAN_USB_MATCH_NONE) != (m.reg == NULL))
        abort ();
    if (dev->serial != NULL && dev->serial[0] != '\0' && m.kind != KIKAN_USB_MATCH_EXACT
        && dev->pid == 0x5567)
        abort ();
    findings = kikan_usb_assess (dev, m.reg, models);
    for (guint i = 0; i < findings->len; i++) {
        const KikanUsbFinding *f = g_ptr_array_index (findings, i);

        if ((int) f->kind <= last_kind || f->code == NULL || f->detail == NULL
            || !kikan_escape_is_clean (f->detail, -1))
            abort ();
        last_kind = (int) f->kind;
        if ((f->kind == KIKAN_USB_FINDING_BADUSB) != (f->level == KIKAN_USB_LEVEL_QUARANTINE))
            abort ();
    }
    if ((kikan_usb_findings_worst (findings) == KIKAN_USB_LEVEL_QUARANTINE)
        != kikan_usb_is_badusb (dev))
        abort ();
    if (!dev->interfaces_known && kikan_usb_findings_worst (findings) < KIKAN_USB_LEVEL_HOLD)
        abort ();
    ifs = kikan_usb_device_dup_interfaces_string (dev);
    list = g_ptr_array_new ();
    g_ptr_array_add (list, dev);
    json = kikan_usb_devices_to_json (list, models);
    text = kikan_usb_devices_format (list, models);
    if (!g_utf8_validate (text, -1, NULL))
        abort ();
    for (const char *c = text; *c != '\0'; c++) {
        if ((guchar) *c < 0x20 && *c != '\n')
            abort ();
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0: fuzz_string_descriptor (data + 1, size - 1); break;
    case 1: fuzz_models (data + 1, size - 1); break;
    default: fuzz_assess (data + 1, size - 1); break;
    }
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs each seed whole, cut at each quarter, and in the
 * other two targets. */
const unsigned kikan_fuzz_prefix_parts = 4;
const unsigned kikan_fuzz_selectors = 3;
#endif
