/* Kikan kiosk: matching a USB device to the media register and judging it.
 *
 * Pure functions: no I/O but kikan_usb_models_load().  The lead's
 * check-in turns rows of the store's `media` table into
 * KikanUsbRegistration and the verdict engine turns each finding's
 * level and code into an item verdict (REQUIREMENTS §5.4).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "usb-device-private.h"

/* One row of the media register (KR-06, Admin E-4), borrowed strings. */
typedef struct {
    const char *asset_id;
    guint16 vid, pid;
    const char *usb_serial;  /* iSerialNumber string, verbatim; NULL never matches */
    const char *fingerprint; /* SHA-256 hex of the descriptors; NULL or "": not compared */
    gboolean hardware_encrypted;
} KikanUsbRegistration;

typedef enum {
    KIKAN_USB_MATCH_NONE,         /* no record has this serial */
    KIKAN_USB_MATCH_EXACT,        /* serial and VID/PID agree */
    KIKAN_USB_MATCH_SERIAL_ONLY,  /* a record has this serial, with another VID/PID (INV-05) */
} KikanUsbMatchKind;

typedef struct {
    KikanUsbMatchKind kind;
    const KikanUsbRegistration *reg; /* points into the caller's array; NULL for NONE */
} KikanUsbMatch;

/* The record of @regs (@n of them) for @dev: the first with the same serial
 * (byte for byte) and VID/PID; else the first with the same serial only
 * (kind SERIAL_ONLY).  A device without a serial matches nothing. */
KikanUsbMatch kikan_usb_match (const KikanUsbDevice *dev, const KikanUsbRegistration *regs,
                               guint n);

/* The hardware-encrypted models (ENC-01): VID:PID → model name. */
typedef struct _KikanUsbModels KikanUsbModels;

/* Loads @path: a GKeyFile whose [hardware-encrypted] group holds lines
 * `VVVV:PPPP = model name` (hex).  An error names the file and the line. */
KikanUsbModels *kikan_usb_models_load (const char *path, GError **error);
/* The same from text (@len bytes or -1); @name is used in messages. */
KikanUsbModels *kikan_usb_models_load_from_data (const char *data, gssize len, const char *name,
                                                 GError **error);
KikanUsbModels *kikan_usb_models_new_empty (void);
void kikan_usb_models_free (KikanUsbModels *models);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanUsbModels, kikan_usb_models_free)
/* The model name, or NULL when @vid:@pid is not listed. */
const char *kikan_usb_models_lookup (const KikanUsbModels *models, guint16 vid, guint16 pid);
guint kikan_usb_models_get_n (const KikanUsbModels *models);

typedef enum {
    KIKAN_USB_FINDING_UNREGISTERED,        /* INV-06, HOLD (KR-06) */
    KIKAN_USB_FINDING_MISMATCH,            /* INV-05, HOLD */
    KIKAN_USB_FINDING_BADUSB,              /* USB-01, QUARANTINE */
    KIKAN_USB_FINDING_INTERFACES_UNKNOWN,  /* USB-02, HOLD: fail closed */
    KIKAN_USB_FINDING_HW_ENCRYPTED,        /* ENC-01, counts as encrypted */
} KikanUsbFindingKind;

/* What a finding asks of the verdict, worst last. */
typedef enum {
    KIKAN_USB_LEVEL_INFO,       /* evidence for the verdict engine (ENC-01) */
    KIKAN_USB_LEVEL_HOLD,
    KIKAN_USB_LEVEL_QUARANTINE,
} KikanUsbLevel;

typedef struct {
    KikanUsbFindingKind kind;
    KikanUsbLevel level;
    const char *code;  /* "INV-06", "INV-05", "USB-01", "USB-02", "ENC-01"; static */
    char *detail;      /* English, already escaped: safe for a terminal, log or JSON */
    char *asset_id;    /* the matched record's, or NULL */
} KikanUsbFinding;

void kikan_usb_finding_free (KikanUsbFinding *f);

/* The findings for @dev against @reg (the record kikan_usb_match() found,
 * exact or serial-only, or NULL) and @models (NULL: none listed).
 * Returns an array of KikanUsbFinding*, in the order of the enum above,
 * possibly empty (a registered, plain stick); free with g_ptr_array_unref. */
GPtrArray *kikan_usb_assess (const KikanUsbDevice *dev, const KikanUsbRegistration *reg,
                             const KikanUsbModels *models);

/* TRUE when the device offers mass storage together with a HID keyboard
 * or mouse (or any HID boot interface) or a network interface. */
gboolean kikan_usb_is_badusb (const KikanUsbDevice *dev);

/* The worst level among @findings (INFO when empty). */
KikanUsbLevel kikan_usb_findings_worst (const GPtrArray *findings);
/* TRUE when a finding says the medium is hardware-encrypted (ENC-01). */
gboolean kikan_usb_findings_encrypted (const GPtrArray *findings);
const char *kikan_usb_level_to_string (KikanUsbLevel level); /* "info", "hold", "quarantine" */
const char *kikan_usb_finding_kind_to_string (KikanUsbFindingKind kind); /* "unregistered"… */
