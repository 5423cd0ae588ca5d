/* Kikan kiosk: the identity of one USB device, as the kiosk reads it.
 *
 * Everything in a KikanUsbDevice comes from the device itself (its
 * descriptors, through the kernel) and is hostile: the strings are kept
 * verbatim, byte for byte, and must go through kikan_escape_for_display()
 * or kikan_json_add_hostile_string() before they are shown anywhere.
 *
 * Descriptors and interfaces come from libusb (which parses the kernel's
 * copy of the raw descriptors in sysfs); the sysfs attributes, the block
 * devices beneath the device and hot-plug come from GUdev.  See
 * docs/usb.md.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* Where the manufacturer, product and serial strings came from. */
typedef enum {
    KIKAN_USB_STRINGS_NONE,   /* neither source could give them */
    KIKAN_USB_STRINGS_LIBUSB, /* string descriptors read from the device by libusb */
    KIKAN_USB_STRINGS_SYSFS,  /* the kernel's cached copies (sysfs attributes, GUdev) */
} KikanUsbStringSource;

/* One interface (of any configuration, any alternate setting). */
typedef struct {
    guint8 config;   /* bConfigurationValue of the configuration it belongs to; 0: unknown */
    guint8 number;   /* bInterfaceNumber */
    guint8 alt;      /* bAlternateSetting */
    guint8 klass;    /* bInterfaceClass */
    guint8 subclass; /* bInterfaceSubClass */
    guint8 protocol; /* bInterfaceProtocol */
} KikanUsbInterface;

typedef struct {
    char *syspath;       /* "/sys/devices/…/1-1": the key the watcher reports */
    guint8 busnum, devnum;
    guint16 vid, pid, bcd_device;
    guint8 device_class; /* bDeviceClass */
    /* Verbatim (hostile) strings, NUL-terminated; NULL when absent. */
    char *manufacturer, *product, *serial;
    KikanUsbStringSource strings_source;
    /* Every interface of every configuration and alternate setting that
     * libusb parsed, plus those sysfs shows (the union: a device cannot
     * hide an interface from one of the two).  KikanUsbInterface. */
    GArray *interfaces;
    /* FALSE when no configuration descriptor could be read: then nothing
     * is known about the interfaces, and the assessment fails closed. */
    gboolean interfaces_known;
    /* Block device nodes beneath the device ("/dev/sdb", "/dev/sdb1"),
     * sorted; never NULL. */
    GPtrArray *block_nodes;
    /* SHA-256 hex of the raw device + configuration descriptors (the
     * kernel's `descriptors` attribute), or NULL when unreadable. */
    char *fingerprint;
} KikanUsbDevice;

void kikan_usb_device_free (KikanUsbDevice *dev);
/* A deep copy; free with kikan_usb_device_free(). */
KikanUsbDevice *kikan_usb_device_copy (const KikanUsbDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanUsbDevice, kikan_usb_device_free)

/* Every USB device but the root hubs, ordered by bus and address: an
 * array of KikanUsbDevice* the caller frees (g_ptr_array_unref), empty
 * when nothing is attached.  Without libusb (no usbfs) the identities come
 * from sysfs alone, with interfaces_known FALSE; @error is not set today.
 * May block for a few seconds in the worst case (string reads time out
 * after 500 ms each). */
GPtrArray *kikan_usb_list (GError **error);

/* The USB device a block device belongs to: @devnode_or_name is "/dev/sdb",
 * "sdb", "/dev/sdb1" or a sysfs path.  NULL with no error when the block
 * device exists but is not on USB (a SATA disk, a loop device), or when
 * @devnode_or_name is an absolute path outside /dev and /sys to a regular
 * file or folder (a disk image, a folder presented as a medium); NULL with
 * an error when there is no such block device.  Free the result with
 * kikan_usb_device_free().  Blocks like kikan_usb_list(): from a main loop,
 * use the _async form. */
KikanUsbDevice *kikan_usb_find_for_block (const char *devnode_or_name, GError **error);
void kikan_usb_find_for_block_async (const char *devnode_or_name, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
/* Returns what kikan_usb_find_for_block() would: NULL and no error when the
 * block device is not on USB. */
KikanUsbDevice *kikan_usb_find_for_block_finish (GAsyncResult *result, GError **error);

/* The identity of the usb_device at @syspath (GUdev + libusb), or NULL with
 * an error when it is not (or no longer) there.  What the watcher calls in
 * its worker thread. */
KikanUsbDevice *kikan_usb_device_read (const char *syspath, GError **error);

/* "08/06/50,03/01/01": the interfaces as the store's items.usb_interfaces
 * keeps them (class/subclass/protocol, hex, in order, duplicates once).
 * Free with g_free(). */
char *kikan_usb_device_dup_interfaces_string (const KikanUsbDevice *dev);

/* TRUE when an interface of class @klass exists. */
gboolean kikan_usb_device_has_class (const KikanUsbDevice *dev, guint8 klass);

/* A short English name of a USB class code ("Mass Storage", "HID"…),
 * "Unknown" for others; static. */
const char *kikan_usb_class_name (guint8 klass);

/* Decodes a raw USB string descriptor (bLength, bDescriptorType = 3,
 * UTF-16LE) of @len bytes into a UTF-8 string.  Unpaired surrogates become
 * U+FFFD; a NUL code unit becomes U+FFFD (so that C strings are never cut
 * short by a device); control and bidirectional characters are kept (they
 * are escaped when shown).  NULL when the bytes are not a string
 * descriptor.  Free with g_free(). */
char *kikan_usb_decode_string_descriptor (const guint8 *buf, gsize len);

/* The SHA-256 hex of the first @len bytes of @raw (the descriptors). */
char *kikan_usb_fingerprint (const guint8 *raw, gsize len);
