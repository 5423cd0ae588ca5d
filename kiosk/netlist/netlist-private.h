/* Kikan kiosk: the network team's lists (issue #10 item 7; KR-29,
 * JNSA-2.6, Admin I-4, I-6; docs/netlist.md).
 *
 * For every asset checked in at this kiosk, its latest check-in that
 * ended decides which list it is on:
 *
 *   cleared   the item's verdict in force and its session's overall
 *             verdict in force are both CLEARED or CONDITIONAL (§5.3: the
 *             slip then says the person may reconnect, as printed), and
 *             the clearance is still valid: --valid-hours after the
 *             verdict (default 24, §5.5 "valid for reconnection within 24
 *             hours"), and never past the slip's own valid_until.
 *             Network access control (Admin I-4) admits these; the verdict
 *             column tells a CONDITIONAL device (remediation segment,
 *             password reset first: UPD-01, DEC-05) from a CLEARED one.
 *   watch     everything else the kiosk has seen: HOLD, QUARANTINE and NOT
 *             RETURNED (a lost or stolen device appearing on the network
 *             is exactly what to look for), a clearance that expired, and
 *             a CONDITIONAL device under enhanced monitoring (PROC-03,
 *             JNSA-2.6, Admin I-6) until its end date, which is then on
 *             both lists: admitted, and watched more closely.
 *
 * MAC addresses and host names: the ledger has no such columns yet
 * (kiosk/store/schema-v1.sql assets), so those cells are empty.
 */
#pragma once

#include <glib.h>

#include "store-private.h"

#define KIKAN_NETLIST_DEFAULT_VALID_HOURS 24u
#define KIKAN_NETLIST_MAX_VALID_HOURS (24u * 366u)

/* The files an export writes, in SHA256SUMS order. */
#define KIKAN_NETLIST_CLEARED_CSV "cleared.csv"
#define KIKAN_NETLIST_WATCH_CSV "watch.csv"
#define KIKAN_NETLIST_JSON "netlist.json"
#define KIKAN_NETLIST_SUMS "SHA256SUMS"
#define KIKAN_NETLIST_SIG "SHA256SUMS.sig"
#define KIKAN_NETLIST_PUBKEY "kiosk-public-key.txt"
/* A SHA256SUMS bigger than this is not one of ours. */
#define KIKAN_NETLIST_MAX_SUMS_BYTES 4096

typedef struct {
    char *asset_id, *asset_type;
    char *mac, *hostname;             /* NULL: the ledger does not know them */
    char *employee_id, *employee_name;
    char *verdict;                    /* the item's verdict in force */
    char *session_verdict;            /* its session's overall verdict in force */
    char *reason_codes;               /* "INV-01 MAL-01 PROC-03", item's then session's */
    char *watch_reason;               /* watch: hold, quarantine, not_returned, monitoring,
                                       * expired, no_verdict; NULL on the cleared list */
    char *valid_until;                /* cleared: end of validity (ISO); monitoring: end date */
    char *checked_at;                 /* when the verdict in force was decided */
    char *kiosk_id, *session;         /* the session's kiosk and UUID */
    char *slip_number;                /* NULL: no slip issued */
} KikanNetlistEntry;

typedef struct {
    char *generated_at;
    guint valid_hours;
    GPtrArray *cleared; /* KikanNetlistEntry, by asset ID */
    GPtrArray *watch;   /* KikanNetlistEntry, by asset ID */
} KikanNetlist;

void kikan_netlist_free (KikanNetlist *self); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanNetlist, kikan_netlist_free)

/* Reads the lists from @store as of now (KIKAN_FAKE_NOW in tests).  A
 * verdict row that cannot be read back is an error (run kikan db check),
 * never a guess. */
KikanNetlist *kikan_netlist_build (KikanStore *store, guint valid_hours, GError **error);

/* The two CSV files (header first, CRLF, RFC 4180, formula guard) and the
 * JSON document ({"format": "kikan-netlist", …, "cleared": […], "watch":
 * […]}), as bytes. */
GBytes *kikan_netlist_to_csv (const GPtrArray *entries);
GBytes *kikan_netlist_to_json (const KikanNetlist *list, const char *kiosk_id);

typedef struct {
    guint n_cleared, n_watch;
    char *sums_sha256;
    char *public_key_hex;
} KikanNetlistExport;

void kikan_netlist_export_free (KikanNetlistExport *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanNetlistExport, kikan_netlist_export_free)

/* `kikan netlist export`: builds the lists, writes them into @dir (made
 * when missing; refused when it already holds any of the files), with
 * SHA256SUMS, its Ed25519 signature by the kiosk's key (kikan_audit_sign)
 * and the public key, then appends one "netlist_export" audit record
 * (counts and file hashes).  The kiosk must be initialised (kikan audit
 * init). */
KikanNetlistExport *kikan_netlist_export (KikanStore *store, const char *dir, guint valid_hours,
                                          GError **error);

/* ------------------------------------------------------------ verify */

typedef struct {
    char *name;
    char sha256[65];
} KikanNetlistSum;

/* Parses a SHA256SUMS (untrusted: it comes back from a medium): exactly
 * one line "<64 lowercase hex>  <name>\n" for each of cleared.csv,
 * watch.csv and netlist.json, in any order, nothing else.  NULL with
 * KIKAN_ERROR_VERIFY saying which line is wrong.  Array of
 * KikanNetlistSum. */
GPtrArray *kikan_netlist_parse_sums (const char *data, gsize len, GError **error);

typedef enum {
    KIKAN_NETLIST_INTACT,      /* sums and signature hold */
    KIKAN_NETLIST_TAMPERED,    /* a file, a sum or the signature does not hold */
} KikanNetlistVerdict;

/* `kikan netlist verify`: checks every file of @dir against SHA256SUMS
 * and SHA256SUMS.sig against @public_key (32 bytes; NULL: the key in the
 * folder, which proves only that the files agree with each other, and
 * *key_from_folder says so).  TRUE with *verdict and *why (free it) when
 * the check could be made; FALSE with @error when it could not (no such
 * folder, a file unreadable). */
gboolean kikan_netlist_verify (const char *dir, const guint8 *public_key,
                               KikanNetlistVerdict *verdict, char **why,
                               gboolean *key_from_folder, GError **error);
