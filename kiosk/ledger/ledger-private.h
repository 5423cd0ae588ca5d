/* Kikan kiosk: the lending ledger and the media register (issue #9 item 2;
 * KR-01, KR-05, KR-06, Admin B-1, B-2, E-4; docs/ledger.md).
 *
 * Employees, assets, loans (who holds what since when) and the register
 * of removable media, in the store (kiosk/store/).  The check-in asks
 * here whom it is talking to and what they hold; the CSV of the
 * asset-management tool (ledger-csv-private.h) keeps it current.
 *
 * Every string in these structs is verbatim from the store, that is from
 * a CSV or a person: escape it before showing it (escape-private.h).
 * Lookups that find nothing fail with KIKAN_ERROR_NOT_FOUND and a message
 * that can be shown as is; other failures are KIKAN_ERROR_STORE*.
 */
#pragma once

#include <glib.h>

#include "store-private.h"

typedef struct {
    char *id;         /* "E1001" */
    char *name;       /* verbatim, Japanese welcome */
    char *department; /* NULL when unknown */
    char *email;      /* NULL when unknown */
    gboolean active;
} KikanEmployee;

typedef struct {
    char *id;        /* asset tag, "USB-0007" */
    char *type;      /* laptop | usb | phone | token | other */
    char *serial;    /* NULL when unknown */
    char *model;     /* NULL when unknown */
    char *ownership; /* company | leased | personal */
    gboolean encryption_required;
    char *classification; /* most secret data allowed: public | internal | confidential */
    char *status;         /* in_service | retired | lost | stolen | repair */
} KikanAsset;

/* A loan joined with its asset (and its holder's name). */
typedef struct {
    gint64 id; /* loans.id */
    char *asset_id;
    char *asset_type;
    char *serial; /* NULL when unknown */
    gboolean encryption_required;
    char *classification;
    char *ownership;
    char *employee_id;
    char *employee_name;
    char *lent_on;         /* YYYY-MM-DD */
    char *due_on;          /* NULL when none */
    char *telework_method; /* NULL when none */
    char *returned_on;     /* NULL while open */
} KikanLoan;

/* A registered removable medium (KR-06, Admin E-4). */
typedef struct {
    char *asset_id;
    guint16 vid;
    guint16 pid;
    char *usb_serial;   /* iSerialNumber, NULL when the device has none */
    char *manufacturer; /* NULL when not recorded */
    char *product;      /* NULL when not recorded */
    char *fingerprint;  /* SHA-256 hex of the descriptors, NULL until recorded */
    gboolean hardware_encrypted;
    char *registered_at;
    char *registered_by;
} KikanMedium;

void kikan_employee_free (KikanEmployee *e); /* each accepts NULL */
void kikan_asset_free (KikanAsset *a);
void kikan_loan_free (KikanLoan *l);
void kikan_medium_free (KikanMedium *m);
/* Whether IT still holds @asset_id after a check-in: the newest item that
 * handed it over has a verdict in force of HOLD or QUARANTINE (or none
 * yet).  *why (free it) then says which session and verdict; NULL when the
 * asset may be lent.  Such an asset is not lent again until IT settles it
 * (`kikan it resolve|override`). */
gboolean kikan_ledger_asset_held (KikanStore *store, const char *asset_id, char **why,
                                  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanEmployee, kikan_employee_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanAsset, kikan_asset_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanLoan, kikan_loan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanMedium, kikan_medium_free)

/* The employee with ID @id (exact). */
KikanEmployee *kikan_ledger_find_employee (KikanStore *store, const char *id, GError **error);

/* The open loans (returned_on NULL) of @employee_id, or of everyone when
 * it is NULL, ordered by employee then asset ID.  A GPtrArray of
 * KikanLoan (it frees them); empty when there are none. */
GPtrArray *kikan_ledger_list_open_loans (KikanStore *store, const char *employee_id,
                                         GError **error);

/* The open loan of asset @asset_id. */
KikanLoan *kikan_ledger_find_open_loan (KikanStore *store, const char *asset_id, GError **error);

/* The asset whose tag is @id. */
KikanAsset *kikan_ledger_find_asset (KikanStore *store, const char *id, GError **error);
/* The asset whose serial is @serial (exact; as typed or scanned at the
 * kiosk).  Two assets with that serial: KIKAN_ERROR_CONFLICT. */
KikanAsset *kikan_ledger_find_asset_by_serial (KikanStore *store, const char *serial,
                                               GError **error);
/* By tag first, then by serial: what the kiosk does with a typed or
 * scanned text. */
KikanAsset *kikan_ledger_find_asset_by_tag_or_serial (KikanStore *store, const char *text,
                                                      GError **error);

/* Every asset, on loan or not, by ID: a GPtrArray of KikanAsset.  The
 * import compares each row with these (KR-02). */
GPtrArray *kikan_ledger_list_assets (KikanStore *store, GError **error);

/* The registered medium with this USB identity.  @usb_serial NULL matches
 * only a medium registered without a serial.  Several registered media
 * with one identity (no serial): KIKAN_ERROR_CONFLICT. */
KikanMedium *kikan_ledger_find_medium (KikanStore *store, guint16 vid, guint16 pid,
                                       const char *usb_serial, GError **error);
/* The register entry of asset @asset_id. */
KikanMedium *kikan_ledger_find_medium_by_asset (KikanStore *store, const char *asset_id,
                                                GError **error);
/* The whole register, by asset ID: a GPtrArray of KikanMedium. */
GPtrArray *kikan_ledger_list_media (KikanStore *store, GError **error);

/* Closes open loan @loan_id: returned_on = @returned_on (YYYY-MM-DD),
 * return_session = @return_session (0: none), note = @note (may be
 * NULL).  Runs inside the CALLER's transaction (kikan_store_begin): it
 * neither begins nor commits.  Fails (KIKAN_ERROR_NOT_FOUND) when there
 * is no such open loan, and (KIKAN_ERROR_CONFLICT) when @returned_on is
 * before the loan's lent_on. */
gboolean kikan_ledger_close_loan (KikanStore *store, gint64 loan_id, const char *returned_on,
                                  gint64 return_session, const char *note, GError **error);

/* `kikan ledger lend`: a new loan of @asset_id to @employee_id from
 * @lent_on (NULL: today), in its own transaction, with a ledger_changes
 * row.  The asset and the employee must exist; an asset already lent is
 * KIKAN_ERROR_CONFLICT.  Returns the loan ID, or 0 on failure. */
gint64 kikan_ledger_lend (KikanStore *store, const char *asset_id, const char *employee_id,
                          const char *lent_on, const char *due_on, const char *telework_method,
                          GError **error);
/* `kikan ledger return`: closes the open loan of @asset_id today, in its
 * own transaction, with a ledger_changes row. */
gboolean kikan_ledger_return (KikanStore *store, const char *asset_id, const char *note,
                              GError **error);

/* `kikan ledger media add`: registers asset @asset_id's USB identity
 * (the asset must exist; an asset already registered is
 * KIKAN_ERROR_CONFLICT unless @replace).  @by names who registered it. */
gboolean kikan_ledger_register_medium (KikanStore *store, const char *asset_id, guint16 vid,
                                       guint16 pid, const char *usb_serial,
                                       gboolean hardware_encrypted, const char *by,
                                       gboolean replace, GError **error);

/* Adds a ledger_changes row (Admin B-2) inside the caller's transaction;
 * @summary is a JSON object text. */
gboolean kikan_ledger_log_change (KikanStore *store, const char *source, const char *summary,
                                  GError **error);

/* TRUE for "YYYY-MM-DD" naming a real calendar day. */
gboolean kikan_ledger_date_is_valid (const char *s);
