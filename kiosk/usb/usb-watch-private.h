/* Kikan kiosk: following USB hot-plug on the kiosk's main loop.
 *
 * A GUdevClient on the subsystems "usb" and "block".  Signals are emitted
 * on the thread-default main context of the thread that called
 * kikan_usb_watch_new().  The slow part of reading an identity (libusb
 * string descriptors, up to a few seconds for a device that does not
 * answer) runs in a worker thread; the caller's thread only reads a few
 * sysfs attributes.
 *
 * Signals:
 *   "device-added"   (KikanUsbWatch*, const KikanUsbDevice *dev)
 *       A USB device (not a root hub) arrived and its identity was read.
 *       dev->block_nodes holds the block devices already known; later
 *       ones come as "block-added".  @dev is borrowed for the emission
 *       (copy it with kikan_usb_device_copy()).
 *   "block-added"    (KikanUsbWatch*, const char *syspath, const char *devnode)
 *       A block device (disk or partition) appeared beneath the USB device
 *       @syspath after its "device-added".
 *   "block-changed"  (KikanUsbWatch*, const char *syspath, const char *devnode)
 *       The medium behind a block device changed: a card pulled out of (or
 *       swapped in) a USB card reader, which itself stays.  For an
 *       inspection of @devnode this is a removal.
 *   "block-removed"  (KikanUsbWatch*, const char *syspath, const char *devnode)
 *       A block device beneath @syspath went away (the kernel removes the
 *       children first, so this comes before "device-removed").
 *   "device-removed" (KikanUsbWatch*, const char *syspath, const char *const *block_nodes)
 *       The USB device @syspath went away; @block_nodes (NULL-terminated,
 *       possibly empty) are the block devices it had, including any whose
 *       "block-removed" was already sent.
 *
 * A device that leaves before its identity is read gives "device-removed"
 * and never "device-added".
 */
#pragma once

#include <glib-object.h>

#include "usb-device-private.h"

#define KIKAN_TYPE_USB_WATCH (kikan_usb_watch_get_type ())
G_DECLARE_FINAL_TYPE (KikanUsbWatch, kikan_usb_watch, KIKAN, USB_WATCH, GObject)

/* Starts following hot-plug.  With @report_present, the devices already
 * plugged in are reported as "device-added" too (from the main loop, never
 * from inside this call). */
KikanUsbWatch *kikan_usb_watch_new (gboolean report_present);

/* TRUE while the USB device @syspath is known to the watcher and has not
 * been removed. */
gboolean kikan_usb_watch_is_present (KikanUsbWatch *self, const char *syspath);

/* TRUE when a removal of @removed_syspath with @removed_nodes (either may
 * be NULL) takes away what an inspection reads: the USB device
 * @inspected_syspath, or the block node @inspected_node or the disk it is
 * a partition of ("/dev/sdb1" is gone with "/dev/sdb").  Either inspected
 * value may be NULL. */
gboolean kikan_usb_removal_concerns (const char *removed_syspath,
                                     const char *const *removed_nodes,
                                     const char *inspected_syspath,
                                     const char *inspected_node);
