/* Kikan kiosk: USB identity (issue #9 item 3; KR-06, INV-05, INV-06, ENC-01).
 *
 * Include this one header.  The two uses the check-in makes of it:
 *
 * 1. A medium is presented as a block device: who is it, and is it allowed?
 *
 *        g_autoptr (KikanUsbDevice) dev = kikan_usb_find_for_block ("/dev/sdb", &error);
 *        // NULL, no error: not a USB device (a disk image): no USB findings.
 *        KikanUsbRegistration regs[] = { … one per row of the store's `media` … };
 *        KikanUsbMatch m = kikan_usb_match (dev, regs, n);
 *        g_autoptr (KikanUsbModels) models = kikan_usb_models_load ("/etc/kikan/usb.conf", &e);
 *        g_autoptr (GPtrArray) findings = kikan_usb_assess (dev, m.reg, models);
 *        // each KikanUsbFinding: code "INV-06" / "INV-05" / "USB-01" / "USB-02" /
 *        // "ENC-01", level INFO / HOLD / QUARANTINE, detail (escaped), asset_id.
 *        // m.reg->asset_id is the asset when m.kind == KIKAN_USB_MATCH_EXACT.
 *
 *    From the main loop use kikan_usb_find_for_block_async(): reading the
 *    strings through libusb may wait on the device.  Record dev->syspath
 *    and the block node for use 2, and dev->vid/pid/serial/fingerprint and
 *    kikan_usb_device_dup_interfaces_string() in the store's `items` row.
 *
 * 2. The medium is pulled out while it is inspected: cancel, HOLD "removed
 *    during inspection".
 *
 *        KikanUsbWatch *watch = kikan_usb_watch_new (FALSE);
 *        g_signal_connect (watch, "device-removed", G_CALLBACK (on_removed), item);
 *        g_signal_connect (watch, "block-removed", G_CALLBACK (on_block_removed), item);
        g_signal_connect (watch, "block-changed", G_CALLBACK (on_block_removed), item);
 *        static void on_removed (KikanUsbWatch *w, const char *syspath,
 *                                const char *const *nodes, Item *item) {
 *            if (kikan_usb_removal_concerns (syspath, nodes, item->syspath, item->node))
 *                g_cancellable_cancel (item->cancellable);
 *        }
 *        // "block-removed" and "block-changed" (a card pulled from a card reader) give
        // (syspath, node): pass (syspath, (const char *[]){ node, NULL }).
 *
 *    Check kikan_usb_watch_is_present (watch, item->syspath) right after
 *    connecting: a medium pulled before the watcher existed sends nothing.
 *
 * Strings in a KikanUsbDevice are the device's, verbatim and hostile:
 * escape them (kiosk/common/escape-private.h) before showing or logging.
 */
#pragma once

#include "usb-assess-private.h"
#include "usb-device-private.h"
#include "usb-json-private.h"
#include "usb-watch-private.h"
