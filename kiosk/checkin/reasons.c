/* Kikan kiosk: verdict levels and the reason table (REQUIREMENTS.md 5.3,
 * 5.4).  docs/verdicts.md holds the same table; test-kiosk-verdict.c
 * compares the two. */
#include <string.h>

#include "reasons-private.h"

static const char *const verdict_names[KIKAN_VERDICT_N_LEVELS] = {
    "cleared", "conditional", "hold", "not_returned", "quarantine",
};

static const char *const verdict_headings[KIKAN_VERDICT_N_LEVELS] = {
    "CLEARED – may reconnect",      "CLEARED WITH CONDITIONS",
    "ON HOLD – IT review required", "NOT RETURNED",
    "QUARANTINED – do not connect",
};

const char *
kikan_verdict_to_string (KikanVerdict v)
{
    g_return_val_if_fail ((guint)v < KIKAN_VERDICT_N_LEVELS, "hold");
    return verdict_names[v];
}

gboolean
kikan_verdict_from_string (const char *s, KikanVerdict *out)
{
    if (s == NULL)
        return FALSE;
    for (guint i = 0; i < KIKAN_VERDICT_N_LEVELS; i++) {
        if (strcmp (s, verdict_names[i]) == 0) {
            *out = (KikanVerdict)i;
            return TRUE;
        }
    }
    return FALSE;
}

const char *
kikan_verdict_heading (KikanVerdict v)
{
    g_return_val_if_fail ((guint)v < KIKAN_VERDICT_N_LEVELS, verdict_headings[KIKAN_VERDICT_HOLD]);
    return verdict_headings[v];
}

KikanVerdict
kikan_verdict_worst (KikanVerdict a, KikanVerdict b)
{
    return a > b ? a : b;
}

gboolean
kikan_provenance_is_valid (int c)
{
    return c == 'M' || c == 'R' || c == 'D' || c == 'V';
}

#define M KIKAN_PROVENANCE_MEASURED
#define R KIKAN_PROVENANCE_REPORTED
#define D KIKAN_PROVENANCE_DECLARED
#define V KIKAN_PROVENANCE_VERIFIED
#define CL KIKAN_VERDICT_CLEARED
#define CO KIKAN_VERDICT_CONDITIONAL
#define HO KIKAN_VERDICT_HOLD
#define NR KIKAN_VERDICT_NOT_RETURNED
#define QU KIKAN_VERDICT_QUARANTINE

/* Who produces the codes this engine does not (docs/verdicts.md "Codes
 * that come later"). */
#define LATER_POSTURE "device posture reports (KR-15): a later issue"
#define LATER_SLIPS "slips and audit sampling (issue #10)"
#define LATER_PERSONNEL "personnel file import (KR-48): a later issue"

/* 5.4 in its order, then the project's extensions.  Texts follow 5.4's
 * suggestions; where the slip needs the specifics (which signature, which
 * reason) a placeholder holds them, and the engine may append " – detail". */
static const KikanReasonDef reason_defs[] = {
    /* code, level, info, as_set, provenance, text, produced_by */
    { "INV-01", CL, FALSE, FALSE, M, "{what} returned and matched to the ledger", NULL },
    { "INV-02", NR, FALSE, FALSE, D, "Item not presented – declared at home; return by {date}",
      NULL },
    { "INV-03", NR, FALSE, FALSE, D,
      "Item reported {how} – incident {incident} opened; remote wipe/locate requested", NULL },
    { "INV-04", HO, FALSE, FALSE, D, "Item damaged – handed to IT for repair or certified erasure",
      NULL },
    { "INV-05", HO, FALSE, FALSE, M, "Serial or asset tag does not match the ledger record",
      NULL },
    { "INV-06", HO, FALSE, FALSE, M,
      "Medium or device not registered – not accepted for LAN use until approved", NULL },
    { "INV-07", HO, FALSE, FALSE, D, "Item was held by someone other than the registered borrower",
      NULL },
    { "INV-08", NR, FALSE, FALSE, M, "Authentication token or IC card not returned", NULL },
    { "MAL-01", CL, FALSE, FALSE, M, "No malware found (definitions v{version}, {date})", NULL },
    { "MAL-02", QU, FALSE, FALSE, M, "Malware detected: {signature} on {file}", NULL },
    { "MAL-03", HO, FALSE, FALSE, M,
      "Suspicious content (e.g. macros or phishing heuristics) – IT review", NULL },
    { "MAL-04", HO, FALSE, FALSE, M, "Some content could not be inspected: {why}", NULL },
    { "MAL-05", HO, FALSE, FALSE, M,
      "Kiosk virus definitions older than {days} days – scan not valid for clearance", NULL },
    { "MAL-06", CO, FALSE, FALSE, M, "Device antivirus missing, disabled or out of date", NULL },
    { "MAL-07", HO, FALSE, FALSE, R, "EDR agent missing, or alerts raised during telework",
      LATER_POSTURE },
    { "ENC-01", CL, FALSE, FALSE, M, "Medium is encrypted ({type})", NULL },
    { "ENC-02", HO, FALSE, FALSE, M,
      "Unencrypted medium or disk holds work data – encryption required", NULL },
    { "ENC-03", HO, FALSE, FALSE, M, "Encryption state could not be determined", NULL },
    { "ENC-04", HO, FALSE, FALSE, R, "Disk encryption turned off or suspended on device",
      LATER_POSTURE },
    { "ENC-05", CL, TRUE, FALSE, R, "Encryption not centrally enforced (user could disable it)",
      LATER_POSTURE },
    { "ENC-06", CL, TRUE, FALSE, M, "Declared encryption state differs from what was detected",
      NULL },
    { "UPD-01", CO, FALSE, FALSE, M,
      "OS or software updates older than baseline – update on the remediation segment, then "
      "re-check",
      NULL },
    { "UPD-02", QU, FALSE, FALSE, M, "End-of-support OS or software present: {name}", NULL },
    { "UPD-03", CO, FALSE, FALSE, R, "Automatic updates disabled", LATER_POSTURE },
    { "UPD-04", HO, FALSE, FALSE, M, "No valid posture report – IT inspection required", NULL },
    { "SW-01", HO, FALSE, FALSE, M, "Unapproved software {how}: {list}", NULL },
    { "SW-02", HO, FALSE, FALSE, D, "Software installed from an unapproved source", NULL },
    { "SW-03", QU, FALSE, FALSE, M, "Prohibited software class found: {list}", NULL },
    { "SW-04", CL, TRUE, FALSE, M, "Declared and detected software differ", NULL },
    { "SW-05", CL, TRUE, FALSE, M, "Software allowed under exception {ticket} valid until {date}",
      NULL },
    { "CFG-01", CO, FALSE, FALSE, R, "Device firewall disabled", LATER_POSTURE },
    { "CFG-02", HO, FALSE, FALSE, R, "User has local administrator rights", LATER_POSTURE },
    { "CFG-03", CO, FALSE, FALSE, R, "Automatic screen lock not configured", LATER_POSTURE },
    { "CFG-04", CO, FALSE, FALSE, R, "Unneeded wireless function enabled (e.g. Bluetooth)",
      LATER_POSTURE },
    { "CFG-05", QU, FALSE, FALSE, R, "Jailbroken or rooted device", LATER_POSTURE },
    { "CFG-06", HO, FALSE, FALSE, R, "Not enrolled in MDM – remote wipe unavailable",
      LATER_POSTURE },
    { "CFG-07", HO, FALSE, FALSE, D, "Connection or security settings changed from the standard",
      NULL },
    { "DEC-01", HO, FALSE, FALSE, D,
      "Unusual device behaviour reported – IT review (incident {incident})", NULL },
    { "DEC-02", CO, FALSE, FALSE, D,
      "Personal device used for work – BYOD follow-up {ref}; confirm deletion of work data",
      NULL },
    { "DEC-03", HO, FALSE, FALSE, D,
      "Data moved between personal and company devices – related media {state}", NULL },
    { "DEC-04", HO, FALSE, FALSE, D,
      "Suspicious mail or link opened, or unusual payment request – reported as incident "
      "{incident}",
      NULL },
    { "DEC-05", CO, FALSE, FALSE, D,
      "Possible credential exposure – reset password or reissue token before reconnecting", NULL },
    { "DEC-06", HO, FALSE, FALSE, D, "Unapproved cloud service used: {name}", NULL },
    { "DEC-07", CL, TRUE, FALSE, D, "Public Wi-Fi used without VPN", NULL },
    { "DEC-08", HO, FALSE, FALSE, D,
      "Confidential paper documents not all returned or disposed of", NULL },
    { "DEC-09", CL, TRUE, FALSE, D, "Rule feedback recorded – thank you", NULL },
    { "DEC-10", HO, FALSE, FALSE, D,
      "Item was temporarily lost and later found – data exposure assessed by IT (incident "
      "{incident})",
      NULL },
    { "DEC-11", HO, FALSE, FALSE, D, "Declaration incomplete or not confirmed", NULL },
    { "PROC-01", HO, FALSE, TRUE, V, "Verified by IT staff {id} at {time}", NULL },
    { "PROC-02", HO, FALSE, TRUE, V, "Override applied by {id}: {reason}", NULL },
    { "PROC-03", CO, FALSE, FALSE, M, "Enhanced network monitoring until {date}", NULL },
    { "PROC-04", CO, FALSE, FALSE, M, "Re-check at the kiosk required after remediation", NULL },
    { "PROC-05", CL, TRUE, FALSE, M, "Selected for log review sample (audit ref {no})",
      LATER_SLIPS },
    { "PROC-06", CL, TRUE, FALSE, M,
      "Borrower's role or status changed – account review requested", LATER_PERSONNEL },
    { "PROC-07", CL, TRUE, FALSE, D, "Item held personal data – loss would require notification",
      NULL },
    /* Project extensions (docs/verdicts.md "Project codes"): 5.4 has no
     * code for a USB device that is more than a medium.  The codes are
     * those kiosk/usb/ gives its findings. */
    { "USB-01", QU, FALSE, FALSE, M,
      "Device offers storage together with a keyboard, mouse or network interface – kept by IT",
      NULL },
    { "USB-02", HO, FALSE, FALSE, M,
      "The device's USB interfaces could not be read – IT checks it before use", NULL },
    /* Project extension: a CLEARED slip must not be had by checking in
     * again while IT still holds what an earlier check-in handed over. */
    { "PROC-08", HO, FALSE, FALSE, M,
      "An earlier check-in ({session}) is still under IT review – it must be settled first",
      NULL },
};

const KikanReasonDef *
kikan_reason_defs (gsize *n)
{
    *n = G_N_ELEMENTS (reason_defs);
    return reason_defs;
}

const KikanReasonDef *
kikan_reason_def_lookup (const char *code)
{
    if (code == NULL)
        return NULL;
    for (gsize i = 0; i < G_N_ELEMENTS (reason_defs); i++) {
        if (strcmp (reason_defs[i].code, code) == 0)
            return &reason_defs[i];
    }
    return NULL;
}

const char *
kikan_reason_def_level_string (const KikanReasonDef *def)
{
    if (def->as_set)
        return "as_set";
    if (def->info)
        return "info";
    return kikan_verdict_to_string (def->level);
}

char *
kikan_reason_fill (const char *tmpl, const char *const *keys, const char *const *values, gsize n)
{
    GString *out = g_string_new (NULL);
    const char *p = tmpl;

    while (*p != '\0') {
        const char *open = strchr (p, '{');
        const char *close = open ? strchr (open, '}') : NULL;
        const char *value = "unknown";

        if (open == NULL || close == NULL) {
            g_string_append (out, p);
            break;
        }
        g_string_append_len (out, p, open - p);
        for (gsize i = 0; i < n; i++) {
            if (strlen (keys[i]) == (gsize)(close - open - 1)
                && strncmp (keys[i], open + 1, close - open - 1) == 0) {
                if (values[i] != NULL && values[i][0] != '\0')
                    value = values[i];
                break;
            }
        }
        g_string_append (out, value);
        p = close + 1;
    }
    return g_string_free (out, FALSE);
}
