/* Kikan kiosk: `kikan usb list` output, text and JSON (docs/usb.md). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "usb-assess-private.h"
#include "usb-device-private.h"

/* The kikan-usb-list document (docs/usb.md "JSON"): @devices is an array
 * of KikanUsbDevice*; @models may be NULL.  Hostile strings are made valid
 * UTF-8 here and escaped by the CLI's final pass (kikan_cli_print_json);
 * a string that is not clean also comes as "<name>_hex", its exact bytes. */
JsonNode *kikan_usb_devices_to_json (const GPtrArray *devices, const KikanUsbModels *models);

/* One object of that document's "devices". */
JsonNode *kikan_usb_device_to_json (const KikanUsbDevice *dev, const KikanUsbModels *models);

/* Findings as a JSON array of {kind, code, level, detail, asset}. */
JsonNode *kikan_usb_findings_to_json (const GPtrArray *findings);

/* The human form: one block per device, every device string escaped.
 * Free with g_free(). */
char *kikan_usb_devices_format (const GPtrArray *devices, const KikanUsbModels *models);
