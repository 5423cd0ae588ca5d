/* Kikan kiosk: the identity of one USB device (libusb + GUdev). */
#include "usb-device-private.h"

#include <string.h>

#include <gio/gio.h>
#include <gudev/gudev.h>
#include <libusb.h>

#include "error-private.h"
#include "escape-private.h"

/* The kernel's `descriptors` attribute of a real device is a few hundred
 * bytes; a device cannot make it bigger than its descriptors, which are at
 * most 64 KiB per configuration.  Past the cap the fingerprint is unknown
 * rather than computed over part of it. */
#define DESCRIPTORS_MAX (256 * 1024)
/* A string descriptor is at most 255 bytes: 126 UTF-16 units, so at most
 * 378 bytes of UTF-8.  A sysfs string attribute is capped alike. */
#define SYSFS_STRING_MAX 4096
/* Each string read waits at most this long on a device that does not answer. */
#define STRING_TIMEOUT_MS 500

void
kikan_usb_device_free (KikanUsbDevice *dev)
{
    if (dev == NULL)
        return;
    g_free (dev->syspath);
    g_free (dev->manufacturer);
    g_free (dev->product);
    g_free (dev->serial);
    g_clear_pointer (&dev->interfaces, g_array_unref);
    g_clear_pointer (&dev->block_nodes, g_ptr_array_unref);
    g_free (dev->fingerprint);
    g_free (dev);
}

static KikanUsbDevice *
device_new (const char *syspath)
{
    KikanUsbDevice *dev = g_new0 (KikanUsbDevice, 1);

    dev->syspath = g_strdup (syspath);
    dev->interfaces = g_array_new (FALSE, TRUE, sizeof (KikanUsbInterface));
    dev->block_nodes = g_ptr_array_new_with_free_func (g_free);
    return dev;
}

KikanUsbDevice *
kikan_usb_device_copy (const KikanUsbDevice *dev)
{
    KikanUsbDevice *c;

    g_return_val_if_fail (dev != NULL, NULL);
    c = device_new (dev->syspath);
    c->busnum = dev->busnum;
    c->devnum = dev->devnum;
    c->vid = dev->vid;
    c->pid = dev->pid;
    c->bcd_device = dev->bcd_device;
    c->device_class = dev->device_class;
    c->manufacturer = g_strdup (dev->manufacturer);
    c->product = g_strdup (dev->product);
    c->serial = g_strdup (dev->serial);
    c->strings_source = dev->strings_source;
    g_array_append_vals (c->interfaces, dev->interfaces->data, dev->interfaces->len);
    c->interfaces_known = dev->interfaces_known;
    for (guint i = 0; i < dev->block_nodes->len; i++)
        g_ptr_array_add (c->block_nodes, g_strdup (g_ptr_array_index (dev->block_nodes, i)));
    c->fingerprint = g_strdup (dev->fingerprint);
    return c;
}

/* ------------------------------------------------------------ raw bytes */

char *
kikan_usb_fingerprint (const guint8 *raw, gsize len)
{
    return g_compute_checksum_for_data (G_CHECKSUM_SHA256, raw, len);
}

/* Appends @c as UTF-8, U+FFFD for a NUL (a C string must not be cut short
 * by the device) or anything that is not a character. */
static void
append_unichar (GString *s, gunichar c)
{
    if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        c = 0xfffd;
    g_string_append_unichar (s, c);
}

char *
kikan_usb_decode_string_descriptor (const guint8 *buf, gsize len)
{
    GString *s;
    gsize n;

    /* bLength counts the 2-byte header; an odd length leaves half a code
     * unit, which is dropped.  The device says bLength, the transfer says
     * @len: the smaller is what there really is. */
    if (buf == NULL || len < 2 || buf[1] != 0x03 || buf[0] < 2)
        return NULL;
    n = MIN ((gsize) buf[0], len);
    s = g_string_sized_new (n * 3 / 2 + 1);
    for (gsize i = 2; i + 1 < n; i += 2) {
        gunichar u = (gunichar) buf[i] | ((gunichar) buf[i + 1] << 8);

        if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
            gunichar lo = (gunichar) buf[i + 2] | ((gunichar) buf[i + 3] << 8);

            if (lo >= 0xdc00 && lo <= 0xdfff) {
                append_unichar (s, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
                i += 2;
                continue;
            }
        }
        append_unichar (s, u);
    }
    return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------ sysfs */

/* The bytes of attribute @name of @syspath, at most @max; NULL when it
 * cannot be read or is larger.  Read directly rather than through GUdev,
 * which would cut binary data at a NUL and strip whitespace. */
static GBytes *
read_attr_bytes (const char *syspath, const char *name, gsize max)
{
    g_autofree char *path = g_build_filename (syspath, name, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents (path, &data, &len, NULL) || len > max)
        return NULL;
    return g_bytes_new_take (g_steal_pointer (&data), len);
}

/* A string attribute verbatim: the one newline the kernel appends is
 * dropped and NUL bytes become U+FFFD (see append_unichar); nothing else
 * is touched, so control characters and invalid UTF-8 stay for the
 * escaping to show. */
static char *
read_attr_string (const char *syspath, const char *name)
{
    g_autoptr (GBytes) b = read_attr_bytes (syspath, name, SYSFS_STRING_MAX);
    const char *p;
    gsize len;
    GString *s;

    if (b == NULL)
        return NULL;
    p = g_bytes_get_data (b, &len);
    if (len > 0 && p[len - 1] == '\n')
        len--;
    s = g_string_sized_new (len + 1);
    for (gsize i = 0; i < len; i++) {
        if (p[i] == '\0')
            g_string_append (s, "\xEF\xBF\xBD");
        else
            g_string_append_c (s, p[i]);
    }
    return g_string_free (s, FALSE);
}

/* A number attribute of @u in @base ("0781", "2"), within @max. */
static gboolean
parse_attr_number (GUdevDevice *u, const char *name, guint base, guint64 max, guint64 *out)
{
    g_autofree char *v = g_strdup (g_udev_device_get_sysfs_attr (u, name));

    return v != NULL && g_ascii_string_to_unsigned (g_strstrip (v), base, 0, max, out, NULL);
}

static void
add_interface (KikanUsbDevice *dev, const KikanUsbInterface *in)
{
    for (guint i = 0; i < dev->interfaces->len; i++) {
        const KikanUsbInterface *h = &g_array_index (dev->interfaces, KikanUsbInterface, i);

        if (h->number == in->number && h->alt == in->alt && h->klass == in->klass
            && h->subclass == in->subclass && h->protocol == in->protocol
            && (h->config == in->config || h->config == 0 || in->config == 0))
            return;
    }
    g_array_append_val (dev->interfaces, *in);
}

/* g_ptr_array_sort() passes pointers to the elements. */
static int
compare_node_items (gconstpointer a, gconstpointer b)
{
    return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The sysfs children of @usb: interfaces (usb_interface) give their class
 * triple; block devices beneath give their nodes.  @all_usb and @all_block
 * are the client's lists, so that one listing is walked once. */
static void
add_sysfs_children (KikanUsbDevice *dev, GUdevDevice *usb, GList *all_usb, GList *all_block)
{
    guint64 config = 0;

    parse_attr_number (usb, "bConfigurationValue", 10, 255, &config);
    for (GList *l = all_usb; l != NULL; l = l->next) {
        GUdevDevice *u = l->data;
        g_autoptr (GUdevDevice) parent = NULL;
        KikanUsbInterface in = { 0 };
        guint64 v;

        if (g_strcmp0 (g_udev_device_get_devtype (u), "usb_interface") != 0)
            continue;
        parent = g_udev_device_get_parent (u);
        if (parent == NULL || g_strcmp0 (g_udev_device_get_sysfs_path (parent), dev->syspath) != 0)
            continue;
        in.config = (guint8) config;
        if (parse_attr_number (u, "bInterfaceNumber", 16, 255, &v))
            in.number = (guint8) v;
        if (parse_attr_number (u, "bAlternateSetting", 10, 255, &v))
            in.alt = (guint8) v;
        /* An interface whose class cannot be read is counted as vendor
         * specific: it exists, and nothing good is known about it. */
        in.klass = parse_attr_number (u, "bInterfaceClass", 16, 255, &v) ? (guint8) v : 0xff;
        if (parse_attr_number (u, "bInterfaceSubClass", 16, 255, &v))
            in.subclass = (guint8) v;
        if (parse_attr_number (u, "bInterfaceProtocol", 16, 255, &v))
            in.protocol = (guint8) v;
        add_interface (dev, &in);
    }
    for (GList *l = all_block; l != NULL; l = l->next) {
        GUdevDevice *b = l->data;
        g_autoptr (GUdevDevice) owner = g_udev_device_get_parent_with_subsystem (b, "usb",
                                                                                "usb_device");
        const char *node;

        if (owner == NULL || g_strcmp0 (g_udev_device_get_sysfs_path (owner), dev->syspath) != 0)
            continue;
        node = g_udev_device_get_device_file (b);
        g_ptr_array_add (dev->block_nodes,
                         node != NULL ? g_strdup (node)
                                      : g_strconcat ("/dev/", g_udev_device_get_name (b), NULL));
    }
    g_ptr_array_sort (dev->block_nodes, compare_node_items);
}

/* ------------------------------------------------------------ libusb */

/* The three strings through libusb, all or nothing: a device that answers
 * one request and not the next is read from sysfs instead, so that the
 * three always come from one source. */
static gboolean
read_strings_libusb (libusb_device *ld, const struct libusb_device_descriptor *d,
                     KikanUsbDevice *dev)
{
    libusb_device_handle *h = NULL;
    unsigned char buf[256];
    const guint8 index[3] = { d->iManufacturer, d->iProduct, d->iSerialNumber };
    char *out[3] = { NULL, NULL, NULL };
    guint16 langid;
    gboolean ok = FALSE;
    int r;

    if (libusb_open (ld, &h) != 0)
        return FALSE;
    if (index[0] == 0 && index[1] == 0 && index[2] == 0) {
        ok = TRUE;
        goto out;
    }
    /* String 0 lists the languages; the first is the one the kernel uses too. */
    r = libusb_control_transfer (h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
                                 LIBUSB_DT_STRING << 8, 0, buf, 255, STRING_TIMEOUT_MS);
    if (r < 4 || buf[1] != LIBUSB_DT_STRING || buf[0] < 4)
        goto out;
    langid = (guint16) (buf[2] | (buf[3] << 8));
    for (guint i = 0; i < 3; i++) {
        if (index[i] == 0)
            continue;
        r = libusb_control_transfer (h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
                                     (guint16) ((LIBUSB_DT_STRING << 8) | index[i]), langid, buf,
                                     255, STRING_TIMEOUT_MS);
        if (r < 2 || (out[i] = kikan_usb_decode_string_descriptor (buf, (gsize) r)) == NULL)
            goto out;
    }
    ok = TRUE;
out:
    libusb_close (h);
    if (ok) {
        dev->manufacturer = out[0];
        dev->product = out[1];
        dev->serial = out[2];
    } else {
        for (guint i = 0; i < 3; i++)
            g_free (out[i]);
    }
    return ok;
}

/* Every interface of every configuration and alternate setting: a device
 * may offer its keyboard only in a second configuration. */
static gboolean
read_interfaces_libusb (libusb_device *ld, const struct libusb_device_descriptor *d,
                        KikanUsbDevice *dev)
{
    if (d->bNumConfigurations == 0)
        return FALSE;
    for (guint c = 0; c < d->bNumConfigurations; c++) {
        struct libusb_config_descriptor *cfg = NULL;

        if (libusb_get_config_descriptor (ld, (guint8) c, &cfg) != 0 || cfg == NULL)
            return FALSE;
        for (guint i = 0; i < cfg->bNumInterfaces; i++) {
            const struct libusb_interface *itf = &cfg->interface[i];

            for (int a = 0; a < itf->num_altsetting; a++) {
                const struct libusb_interface_descriptor *alt = &itf->altsetting[a];
                KikanUsbInterface in = {
                    .config = cfg->bConfigurationValue,
                    .number = alt->bInterfaceNumber,
                    .alt = alt->bAlternateSetting,
                    .klass = alt->bInterfaceClass,
                    .subclass = alt->bInterfaceSubClass,
                    .protocol = alt->bInterfaceProtocol,
                };

                add_interface (dev, &in);
            }
        }
        libusb_free_config_descriptor (cfg);
    }
    return TRUE;
}

static libusb_device *
find_libusb_device (libusb_device **list, gssize n, guint8 busnum, guint8 devnum)
{
    for (gssize i = 0; i < n; i++) {
        if (libusb_get_bus_number (list[i]) == busnum
            && libusb_get_device_address (list[i]) == devnum)
            return list[i];
    }
    return NULL;
}

/* ------------------------------------------------------------ reading */

typedef struct {
    GUdevClient *client;
    GList *usb, *block;
    libusb_context *ctx;
    libusb_device **list;
    gssize n;
} Reader;

static void
reader_init (Reader *r)
{
    int e;

    memset (r, 0, sizeof *r);
    r->client = g_udev_client_new (NULL);
    r->usb = g_udev_client_query_by_subsystem (r->client, "usb");
    r->block = g_udev_client_query_by_subsystem (r->client, "block");
    /* Without libusb (no usbfs, no permission) the kernel's copies in
     * sysfs still give the identity; the interfaces are then only those of
     * the active configuration, which the assessment treats as unknown. */
    if ((e = libusb_init (&r->ctx)) != 0) {
        g_debug ("libusb_init: %s; reading USB identity from sysfs only", libusb_strerror (e));
        r->ctx = NULL;
        return;
    }
    if ((r->n = libusb_get_device_list (r->ctx, &r->list)) < 0) {
        g_debug ("libusb_get_device_list: %s", libusb_strerror ((int) r->n));
        r->list = NULL;
        r->n = 0;
    }
}

static void
reader_clear (Reader *r)
{
    if (r->list != NULL)
        libusb_free_device_list (r->list, TRUE);
    if (r->ctx != NULL)
        libusb_exit (r->ctx);
    g_list_free_full (r->usb, g_object_unref);
    g_list_free_full (r->block, g_object_unref);
    g_clear_object (&r->client);
    memset (r, 0, sizeof *r);
}

static KikanUsbDevice *
reader_read (Reader *r, GUdevDevice *u)
{
    const char *syspath = g_udev_device_get_sysfs_path (u);
    KikanUsbDevice *dev = device_new (syspath);
    g_autoptr (GBytes) raw = NULL;
    struct libusb_device_descriptor d;
    libusb_device *ld = NULL;
    guint64 v;

    if (parse_attr_number (u, "busnum", 10, 255, &v))
        dev->busnum = (guint8) v;
    if (parse_attr_number (u, "devnum", 10, 255, &v))
        dev->devnum = (guint8) v;
    if (dev->busnum != 0 && dev->devnum != 0)
        ld = find_libusb_device (r->list, r->n, dev->busnum, dev->devnum);
    if (ld != NULL && libusb_get_device_descriptor (ld, &d) == 0) {
        dev->vid = d.idVendor;
        dev->pid = d.idProduct;
        dev->bcd_device = d.bcdDevice;
        dev->device_class = d.bDeviceClass;
        dev->interfaces_known = read_interfaces_libusb (ld, &d, dev);
        if (read_strings_libusb (ld, &d, dev))
            dev->strings_source = KIKAN_USB_STRINGS_LIBUSB;
    } else {
        ld = NULL;
        if (parse_attr_number (u, "idVendor", 16, 0xffff, &v))
            dev->vid = (guint16) v;
        if (parse_attr_number (u, "idProduct", 16, 0xffff, &v))
            dev->pid = (guint16) v;
        if (parse_attr_number (u, "bcdDevice", 16, 0xffff, &v))
            dev->bcd_device = (guint16) v;
        if (parse_attr_number (u, "bDeviceClass", 16, 0xff, &v))
            dev->device_class = (guint8) v;
    }
    if (dev->strings_source == KIKAN_USB_STRINGS_NONE) {
        dev->manufacturer = read_attr_string (syspath, "manufacturer");
        dev->product = read_attr_string (syspath, "product");
        dev->serial = read_attr_string (syspath, "serial");
        if (dev->manufacturer != NULL || dev->product != NULL || dev->serial != NULL)
            dev->strings_source = KIKAN_USB_STRINGS_SYSFS;
    }
    if ((raw = read_attr_bytes (syspath, "descriptors", DESCRIPTORS_MAX)) != NULL
        && g_bytes_get_size (raw) >= 18)
        dev->fingerprint = kikan_usb_fingerprint (g_bytes_get_data (raw, NULL),
                                                  g_bytes_get_size (raw));
    add_sysfs_children (dev, u, r->usb, r->block);
    return dev;
}

static gboolean
is_root_hub (GUdevDevice *u)
{
    return g_str_has_prefix (g_udev_device_get_name (u), "usb");
}

static int
compare_devices (gconstpointer a, gconstpointer b)
{
    const KikanUsbDevice *x = *(KikanUsbDevice *const *) a;
    const KikanUsbDevice *y = *(KikanUsbDevice *const *) b;

    if (x->busnum != y->busnum)
        return x->busnum < y->busnum ? -1 : 1;
    if (x->devnum != y->devnum)
        return x->devnum < y->devnum ? -1 : 1;
    return g_strcmp0 (x->syspath, y->syspath);
}

GPtrArray *
kikan_usb_list (GError **error)
{
    GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) kikan_usb_device_free);
    Reader r;

    (void) error; /* udev enumeration itself cannot fail; an empty list is an answer */
    reader_init (&r);
    for (GList *l = r.usb; l != NULL; l = l->next) {
        GUdevDevice *u = l->data;

        if (g_strcmp0 (g_udev_device_get_devtype (u), "usb_device") != 0 || is_root_hub (u))
            continue;
        g_ptr_array_add (out, reader_read (&r, u));
    }
    reader_clear (&r);
    g_ptr_array_sort (out, compare_devices);
    return out;
}

KikanUsbDevice *
kikan_usb_device_read (const char *syspath, GError **error)
{
    g_autoptr (GUdevDevice) u = NULL;
    KikanUsbDevice *dev;
    Reader r;

    g_return_val_if_fail (syspath != NULL, NULL);
    reader_init (&r);
    u = g_udev_client_query_by_sysfs_path (r.client, syspath);
    if (u == NULL || g_strcmp0 (g_udev_device_get_devtype (u), "usb_device") != 0) {
        g_autofree char *shown = kikan_escape_for_display (syspath, -1);

        reader_clear (&r);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "The USB device %s is not (or no longer) present. Plug the medium in "
                     "again and present it once more.",
                     shown);
        return NULL;
    }
    dev = reader_read (&r, u);
    reader_clear (&r);
    return dev;
}

/* The block device named by @arg, as udev knows it. */
static GUdevDevice *
lookup_block (GUdevClient *client, const char *arg)
{
    GUdevDevice *b = NULL;
    g_autofree char *base = NULL;

    if (g_str_has_prefix (arg, "/sys/"))
        return g_udev_client_query_by_sysfs_path (client, arg);
    if (arg[0] == '/') {
        g_autolist (GUdevDevice) all = NULL;

        /* By device number first, as udev does; then by the name udev gave
         * the node (a node that is not a device file, as in tests, has no
         * number). */
        if ((b = g_udev_client_query_by_device_file (client, arg)) != NULL)
            return b;
        all = g_udev_client_query_by_subsystem (client, "block");
        for (GList *l = all; l != NULL; l = l->next) {
            if (g_strcmp0 (g_udev_device_get_device_file (l->data), arg) == 0)
                return g_object_ref (l->data);
        }
        if (!g_str_has_prefix (arg, "/dev/"))
            return NULL;
    }
    base = g_path_get_basename (arg);
    return g_udev_client_query_by_subsystem_and_name (client, "block", base);
}

KikanUsbDevice *
kikan_usb_find_for_block (const char *devnode_or_name, GError **error)
{
    g_autoptr (GUdevClient) client = NULL;
    g_autoptr (GUdevDevice) b = NULL;
    g_autoptr (GUdevDevice) usb = NULL;

    g_return_val_if_fail (devnode_or_name != NULL, NULL);
    /* A disk image or a folder presented as a medium is not on USB. */
    if (devnode_or_name[0] == '/' && !g_str_has_prefix (devnode_or_name, "/dev/")
        && !g_str_has_prefix (devnode_or_name, "/sys/")
        && g_file_test (devnode_or_name, G_FILE_TEST_IS_REGULAR | G_FILE_TEST_IS_DIR))
        return NULL;
    client = g_udev_client_new (NULL);
    if (devnode_or_name[0] == '\0' || (b = lookup_block (client, devnode_or_name)) == NULL
        || g_strcmp0 (g_udev_device_get_subsystem (b), "block") != 0) {
        g_autofree char *shown = kikan_escape_for_display (devnode_or_name, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "No block device “%s” is known to the system. Check the name (for example "
                     "/dev/sdb), and that the medium is still plugged in.",
                     shown);
        return NULL;
    }
    usb = g_udev_device_get_parent_with_subsystem (b, "usb", "usb_device");
    if (usb == NULL)
        return NULL;
    return kikan_usb_device_read (g_udev_device_get_sysfs_path (usb), error);
}

static void
find_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    GError *error = NULL;
    KikanUsbDevice *dev = kikan_usb_find_for_block (task_data, &error);

    (void) source;
    (void) cancellable;
    if (error != NULL)
        g_task_return_error (task, error);
    else
        g_task_return_pointer (task, dev, (GDestroyNotify) kikan_usb_device_free);
}

void
kikan_usb_find_for_block_async (const char *devnode_or_name, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

    g_return_if_fail (devnode_or_name != NULL);
    g_task_set_source_tag (task, kikan_usb_find_for_block_async);
    g_task_set_task_data (task, g_strdup (devnode_or_name), g_free);
    g_task_run_in_thread (task, find_thread);
}

KikanUsbDevice *
kikan_usb_find_for_block_finish (GAsyncResult *result, GError **error)
{
    g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
    return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------ helpers */

char *
kikan_usb_device_dup_interfaces_string (const KikanUsbDevice *dev)
{
    GString *s = g_string_new (NULL);
    g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);

    g_return_val_if_fail (dev != NULL, NULL);
    for (guint i = 0; i < dev->interfaces->len; i++) {
        const KikanUsbInterface *in = &g_array_index (dev->interfaces, KikanUsbInterface, i);
        guint key = 0x1000000u | ((guint) in->klass << 16) | ((guint) in->subclass << 8)
                    | in->protocol;

        if (!g_hash_table_add (seen, GUINT_TO_POINTER (key)))
            continue;
        g_string_append_printf (s, "%s%02x/%02x/%02x", s->len > 0 ? "," : "", in->klass,
                                in->subclass, in->protocol);
    }
    return g_string_free (s, FALSE);
}

gboolean
kikan_usb_device_has_class (const KikanUsbDevice *dev, guint8 klass)
{
    for (guint i = 0; i < dev->interfaces->len; i++) {
        if (g_array_index (dev->interfaces, KikanUsbInterface, i).klass == klass)
            return TRUE;
    }
    return FALSE;
}

const char *
kikan_usb_class_name (guint8 klass)
{
    switch (klass) {
    case 0x00: return "Per interface";
    case 0x01: return "Audio";
    case 0x02: return "Communications (CDC)";
    case 0x03: return "HID";
    case 0x05: return "Physical";
    case 0x06: return "Image";
    case 0x07: return "Printer";
    case 0x08: return "Mass Storage";
    case 0x09: return "Hub";
    case 0x0a: return "CDC Data";
    case 0x0b: return "Smart Card";
    case 0x0d: return "Content Security";
    case 0x0e: return "Video";
    case 0x0f: return "Personal Healthcare";
    case 0x10: return "Audio/Video";
    case 0x11: return "Billboard";
    case 0x12: return "USB Type-C Bridge";
    case 0xdc: return "Diagnostic";
    case 0xe0: return "Wireless Controller";
    case 0xef: return "Miscellaneous";
    case 0xfe: return "Application Specific";
    case 0xff: return "Vendor Specific";
    default: return "Unknown";
    }
}
