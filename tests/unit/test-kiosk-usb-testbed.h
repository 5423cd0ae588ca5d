/* Shared by the USB unit tests: umockdev testbeds built by hand.
 *
 * The machine has no USB bus.  A "device" here is what the kernel would
 * show in sysfs (attributes, the binary `descriptors` file libusb reads,
 * interface and block children) plus, when the test wants libusb to read
 * the string descriptors from the device, an ioctl handler that answers
 * usbfs control transfers in this process (USBDEVFS_SUBMITURB / REAPURB /
 * DISCARDURB, modelled on libusb's own tests/umockdev.c).  Tests run under
 * umockdev-wrapper (tests/unit/usb.cmake).
 */
#pragma once

#include <errno.h>
#include <string.h>

#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

/* An interface of a testbed device. */
typedef struct {
    guint8 config, klass, subclass, protocol, alt;
} TbInterface;

/* What a testbed device is. */
typedef struct {
    const char *name;         /* "1-1" */
    guint8 busnum, devnum;
    guint16 vid, pid, bcd;
    /* Strings the kernel shows in sysfs (NULL: attribute absent). */
    const char *manufacturer, *product, *serial;
    /* Raw UTF-16LE payloads the device answers string requests with
     * (NULL: same as the sysfs text, ASCII). */
    const guint8 *serial_utf16;
    gsize serial_utf16_len;
    const TbInterface *interfaces; /* ends with klass == 0 && config == 0 */
    const char *block;             /* "sdb": a disk beneath the first interface, or NULL */
    gboolean no_descriptors;       /* leave out the `descriptors` attribute */
    gboolean libusb_strings;       /* attach an ioctl handler that answers string requests */
} TbDevice;

typedef struct {
    UMockdevTestbed *tb;
    char *hub;                 /* the root hub usb1 */
    UMockdevIoctlBase *handler;
    GHashTable *strings;       /* index → GBytes (UTF-16LE payload) */
    GList *flying;             /* UMockdevIoctlData* of submitted URBs, reaped in order */
    gboolean hold;             /* string requests wait while TRUE (a slow device) */
    GCond cond;
    GMutex lock;
} Tb;

/* ------------------------------------------------------------ descriptors */

/* Device descriptor + one configuration descriptor per config value in
 * @d->interfaces (each interface with one bulk endpoint), as the kernel's
 * `descriptors` attribute holds them. */
G_GNUC_UNUSED static GByteArray *
tb_descriptors (const TbDevice *d)
{
    GByteArray *a = g_byte_array_new ();
    guint8 nconf = 0;
    const guint8 dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64,
                             d->vid & 0xff, d->vid >> 8, d->pid & 0xff, d->pid >> 8,
                             d->bcd & 0xff, d->bcd >> 8,
                             d->manufacturer != NULL ? 1 : 0, d->product != NULL ? 2 : 0,
                             d->serial != NULL ? 3 : 0, 0 };

    for (const TbInterface *in = d->interfaces; in->klass != 0 || in->config != 0; in++)
        nconf = MAX (nconf, in->config);
    g_byte_array_append (a, dev, sizeof dev);
    a->data[17] = nconf;
    for (guint8 c = 1; c <= nconf; c++) {
        guint start = a->len, nif = 0;
        guint8 cfg[9] = { 9, 2, 0, 0, 0, c, 0, 0x80, 50 };
        gint last = -1;

        g_byte_array_append (a, cfg, sizeof cfg);
        for (const TbInterface *in = d->interfaces; in->klass != 0 || in->config != 0; in++) {
            guint8 number;
            guint8 itf[9], ep[7] = { 7, 5, 0x81, 2, 0, 2, 0 };

            if (in->config != c)
                continue;
            /* An alternate setting repeats the previous interface number. */
            if (in->alt == 0)
                last++;
            number = (guint8) last;
            itf[0] = 9; itf[1] = 4; itf[2] = number; itf[3] = in->alt; itf[4] = 1;
            itf[5] = in->klass; itf[6] = in->subclass; itf[7] = in->protocol; itf[8] = 0;
            g_byte_array_append (a, itf, sizeof itf);
            ep[2] = (guint8) (0x81 + number);
            g_byte_array_append (a, ep, sizeof ep);
        }
        nif = (guint) (last + 1);
        a->data[start + 2] = (guint8) ((a->len - start) & 0xff);
        a->data[start + 3] = (guint8) ((a->len - start) >> 8);
        a->data[start + 4] = (guint8) nif;
    }
    return a;
}

/* ------------------------------------------------------------ ioctl handler */

G_GNUC_UNUSED static GBytes *
utf16_of_ascii (const char *s)
{
    GByteArray *a = g_byte_array_new ();

    for (const char *p = s; *p != '\0'; p++) {
        guint8 u[2] = { (guint8) *p, 0 };

        g_byte_array_append (a, u, 2);
    }
    return g_byte_array_free_to_bytes (a);
}

G_GNUC_UNUSED static gboolean
tb_handle_ioctl (UMockdevIoctlBase *handler, UMockdevIoctlClient *client, Tb *tb)
{
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
    gulong request = umockdev_ioctl_client_get_request (client);

    (void) handler;
    switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
        g_autoptr (UMockdevIoctlData) d = umockdev_ioctl_data_resolve (arg, 0, sizeof (guint32),
                                                                       NULL);

        *(guint32 *) d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM
                               | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        umockdev_ioctl_client_complete (client, 0, 0);
        return TRUE;
    }
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_RESET:
        umockdev_ioctl_client_complete (client, 0, 0);
        return TRUE;
    case USBDEVFS_SUBMITURB: {
        UMockdevIoctlData *urb_data = umockdev_ioctl_data_resolve (arg, 0,
                                                                   sizeof (struct usbdevfs_urb),
                                                                   NULL);
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *) urb_data->data;
        const guint8 *setup = urb->buffer; /* one address space: the client's buffer */
        guint8 *out = (guint8 *) urb->buffer + 8;
        gsize room = urb->buffer_length > 8 ? (gsize) urb->buffer_length - 8 : 0;
        GBytes *payload = NULL;

        urb->status = -EPIPE; /* a stall, unless the request is a string we know */
        urb->actual_length = 0;
        if (urb->type == USBDEVFS_URB_TYPE_CONTROL && urb->buffer_length >= 8
            && setup[0] == 0x80 && setup[1] == 0x06 && setup[3] == 0x03) {
            g_autoptr (GBytes) langs = NULL;

            if (setup[2] == 0) {
                const guint8 en_us[2] = { 0x09, 0x04 };

                payload = langs = g_bytes_new (en_us, 2);
                g_bytes_ref (langs);
            } else {
                g_mutex_lock (&tb->lock);
                while (tb->hold)
                    g_cond_wait (&tb->cond, &tb->lock);
                payload = g_hash_table_lookup (tb->strings, GUINT_TO_POINTER (setup[2]));
                if (payload != NULL)
                    g_bytes_ref (payload);
                g_mutex_unlock (&tb->lock);
            }
            if (payload != NULL) {
                gsize n;
                const guint8 *p = g_bytes_get_data (payload, &n);
                gsize total = MIN (n + 2, 255);

                if (room >= 2) {
                    out[0] = (guint8) total;
                    out[1] = 0x03;
                    memcpy (out + 2, p, MIN (total - 2, room - 2));
                    urb->actual_length = (int) MIN (total, room);
                    urb->status = 0;
                }
                g_bytes_unref (payload);
            }
        }
        g_mutex_lock (&tb->lock);
        tb->flying = g_list_append (tb->flying, urb_data);
        g_mutex_unlock (&tb->lock);
        umockdev_ioctl_client_complete (client, 0, 0);
        return TRUE;
    }
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY: {
        UMockdevIoctlData *urb_data = NULL;

        g_mutex_lock (&tb->lock);
        if (tb->flying != NULL) {
            urb_data = tb->flying->data;
            tb->flying = g_list_delete_link (tb->flying, tb->flying);
        }
        g_mutex_unlock (&tb->lock);
        if (urb_data == NULL) {
            umockdev_ioctl_client_complete (client, -1, EAGAIN);
        } else {
            g_autoptr (UMockdevIoctlData) ptr = umockdev_ioctl_data_resolve (arg, 0,
                                                                             sizeof (gpointer),
                                                                             NULL);

            umockdev_ioctl_data_set_ptr (ptr, 0, urb_data);
            umockdev_ioctl_data_unref (urb_data);
            umockdev_ioctl_client_complete (client, 0, 0);
        }
        return TRUE;
    }
    case USBDEVFS_DISCARDURB:
        umockdev_ioctl_client_complete (client, -1, EINVAL);
        return TRUE;
    default:
        return FALSE;
    }
}

/* ------------------------------------------------------------ testbed */

G_GNUC_UNUSED static Tb *
tb_new (void)
{
    Tb *tb = g_new0 (Tb, 1);
    TbDevice hub = { .name = "usb1", .busnum = 1, .devnum = 1, .vid = 0x1d6b, .pid = 0x0002,
                     .bcd = 0x0606,
                     .interfaces = (const TbInterface[]) { { 1, 0x09, 0, 0, 0 }, { 0 } } };
    g_autoptr (GByteArray) desc = tb_descriptors (&hub);

    g_mutex_init (&tb->lock);
    g_cond_init (&tb->cond);
    tb->tb = umockdev_testbed_new ();
    g_assert_true (umockdev_in_mock_environment ());
    tb->strings = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) g_bytes_unref);
    tb->handler = umockdev_ioctl_base_new ();
    g_signal_connect (tb->handler, "handle-ioctl", G_CALLBACK (tb_handle_ioctl), tb);
    /* The root hub: listed by libusb and GUdev, skipped by Kikan. */
    tb->hub = umockdev_testbed_add_device (tb->tb, "usb", "usb1", NULL, "busnum", "1", "devnum",
                                           "1", "idVendor", "1d6b", "idProduct", "0002", NULL,
                                           "DEVTYPE", "usb_device", NULL);
    umockdev_testbed_set_attribute_binary (tb->tb, tb->hub, "descriptors", desc->data, desc->len);
    return tb;
}

G_GNUC_UNUSED static void
tb_free (Tb *tb)
{
    g_list_free_full (tb->flying, (GDestroyNotify) umockdev_ioctl_data_unref);
    g_clear_object (&tb->handler);
    g_clear_object (&tb->tb);
    g_hash_table_unref (tb->strings);
    g_free (tb->hub);
    g_mutex_clear (&tb->lock);
    g_cond_clear (&tb->cond);
    g_free (tb);
}

/* Adds @d beneath the root hub; returns its syspath (free it).  Block
 * device "sdX" is a disk with a partition "sdX1". */
G_GNUC_UNUSED static char *
tb_add (Tb *tb, const TbDevice *d)
{
    g_autoptr (GByteArray) desc = tb_descriptors (d);
    g_autofree char *vid = g_strdup_printf ("%04x", d->vid);
    g_autofree char *pid = g_strdup_printf ("%04x", d->pid);
    g_autofree char *bcd = g_strdup_printf ("%04x", d->bcd);
    g_autofree char *bus = g_strdup_printf ("%u", d->busnum);
    g_autofree char *devn = g_strdup_printf ("%u", d->devnum);
    g_autofree char *busp = g_strdup_printf ("%03u", d->busnum);
    g_autofree char *devp = g_strdup_printf ("%03u", d->devnum);
    g_autofree char *node = g_strdup_printf ("/dev/bus/usb/%03u/%03u", d->busnum, d->devnum);
    g_autofree char *first_if = NULL;
    char *sys;
    guint k = 0;

    if (d->libusb_strings) {
        /* The handler answers on the usbfs node libusb opens. */
        g_assert_true (umockdev_testbed_attach_ioctl (tb->tb, node, tb->handler, NULL));
        g_mutex_lock (&tb->lock);
        if (d->manufacturer != NULL)
            g_hash_table_replace (tb->strings, GUINT_TO_POINTER (1),
                                  utf16_of_ascii (d->manufacturer));
        if (d->product != NULL)
            g_hash_table_replace (tb->strings, GUINT_TO_POINTER (2), utf16_of_ascii (d->product));
        if (d->serial != NULL)
            g_hash_table_replace (tb->strings, GUINT_TO_POINTER (3),
                                  d->serial_utf16 != NULL
                                      ? g_bytes_new (d->serial_utf16, d->serial_utf16_len)
                                      : utf16_of_ascii (d->serial));
        g_mutex_unlock (&tb->lock);
    }
    {
        /* add_from_string, because only a device with an "N:" line gets a
         * node that the ioctl handler answers on (add_device makes none). */
        g_autofree char *hex = g_malloc (desc->len * 2 + 1);
        g_autofree char *text = NULL;
        g_autoptr (GError) error = NULL;

        for (guint i = 0; i < desc->len; i++)
            g_snprintf (hex + 2 * i, 3, "%02x", desc->data[i]);
        text = g_strdup_printf ("P: /devices/usb1/%s\n"
                                "%s%s%s"
                                "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: BUSNUM=%s\n"
                                "E: DEVNUM=%s\nE: DEVNAME=%s\n"
                                "A: idVendor=%s\nA: idProduct=%s\nA: bcdDevice=%s\n"
                                "A: busnum=%s\nA: devnum=%s\nA: bConfigurationValue=1\n"
                                "A: speed=480\n"
                                "%s%s%s",
                                d->name, d->libusb_strings ? "N: " : "",
                                d->libusb_strings ? node + 5 : "", d->libusb_strings ? "\n" : "",
                                busp, devp, node, vid, pid, bcd, bus, devn,
                                d->no_descriptors ? "" : "H: descriptors=",
                                d->no_descriptors ? "" : hex, d->no_descriptors ? "" : "\n");
        g_assert_true (umockdev_testbed_add_from_string (tb->tb, text, &error));
        g_assert_no_error (error);
        sys = g_strdup_printf ("/sys/devices/usb1/%s", d->name);
    }
    g_assert_nonnull (sys);
    /* Strings as raw bytes: a hostile device's may not be UTF-8. */
    if (d->manufacturer != NULL)
        umockdev_testbed_set_attribute (tb->tb, sys, "manufacturer", d->manufacturer);
    if (d->product != NULL)
        umockdev_testbed_set_attribute (tb->tb, sys, "product", d->product);
    if (d->serial != NULL)
        umockdev_testbed_set_attribute (tb->tb, sys, "serial", d->serial);
    /* sysfs shows the interfaces of the active configuration (1), first
     * alternate setting. */
    for (const TbInterface *in = d->interfaces; in->klass != 0 || in->config != 0; in++) {
        g_autofree char *name = NULL;
        g_autofree char *cls = g_strdup_printf ("%02x", in->klass);
        g_autofree char *sub = g_strdup_printf ("%02x", in->subclass);
        g_autofree char *proto = g_strdup_printf ("%02x", in->protocol);
        g_autofree char *num = NULL;
        g_autofree char *ifpath = NULL;

        if (in->config != 1 || in->alt != 0)
            continue;
        name = g_strdup_printf ("%s:1.%u", d->name, k);
        num = g_strdup_printf ("%02x", k);
        ifpath = umockdev_testbed_add_device (tb->tb, "usb", name, sys, "bInterfaceClass", cls,
                                              "bInterfaceSubClass", sub, "bInterfaceProtocol",
                                              proto, "bInterfaceNumber", num,
                                              "bAlternateSetting", " 0", NULL, "DEVTYPE",
                                              "usb_interface", NULL);
        if (k == 0)
            first_if = g_steal_pointer (&ifpath);
        k++;
    }
    if (d->block != NULL) {
        g_autofree char *bname = g_strdup_printf ("host6/target6:0:0/6:0:0:0/block/%s", d->block);
        g_autofree char *bnode = g_strdup_printf ("/dev/%s", d->block);
        g_autofree char *pnode = g_strdup_printf ("/dev/%s1", d->block);
        g_autofree char *pname = g_strdup_printf ("%s1", d->block);
        g_autofree char *disk = NULL;
        g_autofree char *part = NULL;

        g_assert_nonnull (first_if);
        disk = umockdev_testbed_add_device (tb->tb, "block", bname, first_if, "size", "2048",
                                            NULL, "DEVTYPE", "disk", "DEVNAME", bnode, NULL);
        part = umockdev_testbed_add_device (tb->tb, "block", pname, disk, "size", "2000",
                                            "partition", "1", NULL, "DEVTYPE", "partition",
                                            "DEVNAME", pnode, NULL);
        g_assert_nonnull (part);
    }
    return sys;
}

/* Pulls the device out the way the kernel reports it: "remove" for the
 * partition, the disk, the interfaces, then the device (children first),
 * then the files go. */
G_GNUC_UNUSED static void
tb_unplug (Tb *tb, const char *sys, const char *block)
{
    g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *root = umockdev_testbed_get_root_dir (tb->tb);
    const char *name = strrchr (sys, '/') + 1;

    if (block != NULL) {
        g_autofree char *disk = g_strdup_printf ("%s/%s:1.0/host6/target6:0:0/6:0:0:0/block/%s",
                                                 sys, name, block);

        g_ptr_array_add (gone, g_strdup_printf ("%s/%s1", disk, block));
        g_ptr_array_add (gone, g_strdup (disk));
    }
    for (guint k = 0; k < 8; k++) {
        g_autofree char *itf = g_strdup_printf ("%s/%s:1.%u", sys, name, k);
        g_autofree char *real = g_build_filename (root, itf, NULL);

        if (g_file_test (real, G_FILE_TEST_IS_DIR))
            g_ptr_array_add (gone, g_steal_pointer (&itf));
    }
    g_ptr_array_add (gone, g_strdup (sys));
    for (guint i = 0; i < gone->len; i++)
        umockdev_testbed_uevent (tb->tb, g_ptr_array_index (gone, i), "remove");
}

/* A device that takes its time to answer string requests. */
G_GNUC_UNUSED static void
tb_hold (Tb *tb, gboolean hold)
{
    g_mutex_lock (&tb->lock);
    tb->hold = hold;
    g_cond_broadcast (&tb->cond);
    g_mutex_unlock (&tb->lock);
}

/* Removes the files of @sys after its "remove" uevents were delivered. */
G_GNUC_UNUSED static void
tb_remove_files (Tb *tb, const char *sys)
{
    umockdev_testbed_remove_device (tb->tb, sys);
}
