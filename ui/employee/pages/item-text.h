/* Kikan kiosk UI: how a row of what the employee holds is said on screen
 * (present, inspect and result pages).  Everything from the ledger or a
 * medium is escaped (kikan_escape_for_display) before it is shown. */
#pragma once

#include "kiosk-driver.h"

/* "USB-0007 (USB memory)", or "A medium not in the ledger"; escaped. */
char *kikan_ui_item_title (const KikanDriverItem *it);
/* The row's state in plain words. */
char *kikan_ui_item_state (const KikanDriverItem *it);
/* The §4 label of a ledger type ("usb" → "USB memory"), translated. */
const char *kikan_ui_type_label (const char *type);
/* The declared-missing kinds of Q1's follow-up and their labels. */
extern const char *const kikan_ui_missing_kinds[];
const char *kikan_ui_missing_label (const char *kind);
