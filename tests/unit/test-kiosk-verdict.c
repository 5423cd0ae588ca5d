/* kiosk/checkin/verdict.c and reasons.c: the verdict engine (issue #9
 * item 5; docs/verdicts.md).
 *
 * Table-driven: each row starts from one lent, LUKS-encrypted USB stick,
 * present, matched and inspected clean with fresh signatures, and an
 * honest declaration (CLEARED: INV-01, MAL-01, ENC-01), changes one thing,
 * and asserts the EXACT reasons (code and provenance mark) of the item
 * and of the session, the item's verdict and the overall verdict.  Every
 * code the reason table says this engine produces must appear in some
 * row's expectations, and the rows must match what the engine does, so a
 * new code cannot be added without a test.  Then the invariants of KR-03,
 * MAL-05 and MAL-04 over a grid of evidence combinations, IT actions
 * (KR-30), JSON both ways, and the table against docs/verdicts.md.  Last,
 * one test per group of branches the table does not reach (issue #12
 * item 6): merging of same-code lines, unknown levels, partial scans,
 * strict reading back; each asserts the verdict or the refusal. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "error-private.h"
#include "verdict-private.h"

#define MAX_ITEMS 3
#define MAX_DET 4

typedef struct {
    KikanDeclaration *decl;
    KikanItemEvidence items[MAX_ITEMS];
    gsize n_items;
    KikanVerdictDetection det[MAX_DET];
    GPtrArray *findings;
    KikanSessionEvidence ev;
} Fixture;

static const KikanSignatureEvidence fresh_sigs = { TRUE, "27120", "2026-12-01", NULL, 7 };
static const KikanSignatureEvidence stale_sigs
    = { FALSE, "26000", "2026-10-01", "are 63.0 days old, more than the 7 allowed", 7 };

static void
fixture_init (Fixture *f)
{
    KikanItemEvidence *it = &f->items[0];

    memset (f, 0, sizeof *f);
    f->decl = kikan_declaration_new ();
    for (guint q = 1; q <= 17; q++)
        f->decl->answer[q] = KIKAN_ANSWER_NO;
    f->decl->answer[19] = KIKAN_ANSWER_YES;
    f->findings = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_finding_free);

    it->asset_id = "USB-0007";
    it->type = KIKAN_ITEM_TYPE_USB;
    it->lent = TRUE;
    it->encryption_required = TRUE;
    it->classification_max = KIKAN_CLASSIFICATION_INTERNAL;
    it->presence = KIKAN_PRESENCE_PRESENT;
    it->usb_state = KIKAN_USB_MATCHED;
    it->inspection.state = KIKAN_INSPECTION_DONE;
    it->inspection.result = KIKAN_SCAN_CLEAN;
    it->inspection.encryption = KIKAN_ENCRYPTION_ENCRYPTED;
    it->inspection.encryption_kind = "luks2";
    it->inspection.unlocked = TRUE;
    it->inspection.signatures = fresh_sigs;
    it->inspection.findings = f->findings;
    f->n_items = 1;

    f->ev.signatures = fresh_sigs;
    f->ev.today = "2026-12-03";
}

static void
fixture_clear (Fixture *f)
{
    kikan_declaration_free (f->decl);
    g_ptr_array_unref (f->findings);
}

static KikanSessionVerdict *
fixture_run (Fixture *f)
{
    g_autoptr (GError) error = NULL;
    KikanSessionVerdict *sv;

    f->ev.declaration = f->decl;
    f->ev.items = f->items;
    f->ev.n_items = f->n_items;
    sv = kikan_verdict_evaluate_session (&f->ev, &error);
    if (sv == NULL)
        fail_msg ("evaluate_session: %s", error->message);
    return sv;
}

static void
add_finding (Fixture *f, const char *code, KikanLevel level, const char *subject)
{
    g_ptr_array_add (f->findings, kikan_finding_new (code, level, subject, "test",
                                                     g_strdup_printf ("detail of %s", subject)));
}

static void
add_detection (Fixture *f, const char *sig, const char *path)
{
    KikanInspectionEvidence *in = &f->items[0].inspection;

    g_assert (in->n_detections < MAX_DET);
    f->det[in->n_detections].signature = sig;
    f->det[in->n_detections].path = path;
    f->det[in->n_detections].sha256
        = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
    in->n_detections++;
    in->detections = f->det;
}

/* A finding from a newer software part, with a slip code this engine
 * does not know. */
static void
add_unknown_finding (Fixture *f)
{
    KikanFinding *x = g_new0 (KikanFinding, 1);

    x->code = g_strdup ("SW-FUTURE");
    x->slip_code = g_strdup ("SW-99");
    x->level = KIKAN_LEVEL_INFO;
    x->subject = g_strdup ("something new");
    g_ptr_array_add (f->findings, x);
}

/* ---- the rows' builders: one change each from the baseline ---- */

#define IT (&f->items[0])
#define IN (&f->items[0].inspection)
#define B(name, body)                                                                             \
    static void name (Fixture *f)                                                                 \
    {                                                                                             \
        body;                                                                                     \
    }

B (b_baseline, (void)f)
B (b_at_home, IT->presence = KIKAN_PRESENCE_AT_HOME; IT->return_by = "2026-12-10")
B (b_lost, IT->presence = KIKAN_PRESENCE_LOST; IT->incident = "INC-2026-000123")
B (b_stolen, IT->presence = KIKAN_PRESENCE_STOLEN; IT->incident = "INC-2026-000124")
B (b_damaged, IT->presence = KIKAN_PRESENCE_DAMAGED)
B (b_transferred, IT->presence = KIKAN_PRESENCE_TRANSFERRED; IT->transferred_to = "Sato")
B (b_undeclared, IT->presence = KIKAN_PRESENCE_UNDECLARED)
B (b_token_missing, IT->type = KIKAN_ITEM_TYPE_TOKEN; IT->asset_id = "TOK-1";
   IT->presence = KIKAN_PRESENCE_AT_HOME; IT->return_by = "2026-12-10")
B (b_token_lost, IT->type = KIKAN_ITEM_TYPE_TOKEN; IT->asset_id = "TOK-1";
   IT->presence = KIKAN_PRESENCE_LOST; IT->incident = "INC-9")
B (b_token_present, IT->type = KIKAN_ITEM_TYPE_TOKEN; IT->asset_id = "TOK-1";
   IT->usb_state = KIKAN_USB_NONE; IN->state = KIKAN_INSPECTION_NONE)
B (b_token_storage_unread, IT->type = KIKAN_ITEM_TYPE_TOKEN; IT->asset_id = "TOK-1";
   IT->offers_storage = TRUE; IN->state = KIKAN_INSPECTION_NONE)
B (b_other_present, IT->type = KIKAN_ITEM_TYPE_OTHER; IT->asset_id = "ACC-1";
   IT->usb_state = KIKAN_USB_NONE; IN->state = KIKAN_INSPECTION_NONE)
B (b_serial_mismatch, IT->serial_mismatch = TRUE; IT->serial_detail = "typed SN-2, ledger SN-1")
B (b_usb_mismatch, IT->usb_state = KIKAN_USB_MISMATCH; IT->usb_detail = "VID/PID differ")
B (b_usb_unregistered, IT->usb_state = KIKAN_USB_UNREGISTERED)
B (b_no_asset, IT->asset_id = NULL; IT->type = KIKAN_ITEM_TYPE_NONE; IT->lent = FALSE;
   IT->usb_state = KIKAN_USB_UNREGISTERED)
B (b_no_asset_plain, IT->asset_id = NULL; IT->type = KIKAN_ITEM_TYPE_NONE; IT->lent = FALSE;
   IT->encryption_required = FALSE; IN->encryption = KIKAN_ENCRYPTION_PLAIN)
B (b_badusb, IT->badusb = TRUE; IT->badusb_detail = "mass storage + HID keyboard")
B (b_usb_ifaces_unknown, IT->usb_interfaces_unknown = TRUE)
B (b_not_lent, IT->lent = FALSE)
B (b_eicar, IN->result = KIKAN_SCAN_INFECTED;
   add_detection (f, "Eicar-Test-Signature", "eicar.com"))
B (b_two_malware, IN->result = KIKAN_SCAN_INFECTED; add_detection (f, "Eicar-Test-Signature", "a");
   add_detection (f, "Win.Trojan.Agent-1", "b.exe"))
B (b_heuristic, IN->result = KIKAN_SCAN_INFECTED;
   add_detection (f, "Heuristics.Phishing.Email.SpoofedDomain", "mail.eml"))
B (b_heuristic_counted, IN->result = KIKAN_SCAN_INFECTED; IN->n_heuristic = 2)
B (b_pua, IN->result = KIKAN_SCAN_INFECTED; add_detection (f, "PUA.Win.Tool.Mimikatz", "m.exe"))
B (b_encrypted_zip, IN->result = KIKAN_SCAN_NOT_INSPECTED;
   add_detection (f, "Heuristics.Encrypted.Zip", "secret.zip"))
B (b_not_inspected, IN->result = KIKAN_SCAN_NOT_INSPECTED; IN->n_not_inspected = 2;
   IN->not_inspected_path = "big.iso"; IN->not_inspected_reason = "limit_exceeded")
B (b_result_not_inspected, IN->result = KIKAN_SCAN_NOT_INSPECTED; IN->detail = "worker killed")
B (b_result_unset, IN->result = KIKAN_SCAN_UNSET)
B (b_clean_but_skipped, IN->n_not_inspected = 1; IN->not_inspected_path = "x.7z";
   IN->not_inspected_reason = "encrypted")
B (b_locked, IN->unlocked = FALSE)
B (b_removed, IN->state = KIKAN_INSPECTION_REMOVED)
B (b_removed_infected, IN->state = KIKAN_INSPECTION_REMOVED; IN->result = KIKAN_SCAN_INFECTED;
   add_detection (f, "Eicar-Test-Signature", "eicar.com"))
B (b_failed, IN->state = KIKAN_INSPECTION_FAILED; IN->detail = "the scan daemon stopped")
B (b_pending, IN->state = KIKAN_INSPECTION_PENDING)
B (b_nothing_read, IN->state = KIKAN_INSPECTION_NONE)
B (b_item_sigs_stale, IN->signatures = stale_sigs)
B (b_session_sigs_stale, f->ev.signatures = stale_sigs)
B (b_all_sigs_stale, f->ev.signatures = stale_sigs; IN->signatures = stale_sigs)
B (b_laptop_uninspected, IT->type = KIKAN_ITEM_TYPE_LAPTOP; IT->asset_id = "LT-0003";
   IT->usb_state = KIKAN_USB_NONE; IN->state = KIKAN_INSPECTION_NONE)
B (b_phone_uninspected, IT->type = KIKAN_ITEM_TYPE_PHONE; IT->asset_id = "PH-1";
   IT->usb_state = KIKAN_USB_NONE; IN->state = KIKAN_INSPECTION_NONE)
B (b_laptop_plain, IT->type = KIKAN_ITEM_TYPE_LAPTOP; IT->asset_id = "LT-0003";
   IT->usb_state = KIKAN_USB_NONE; IN->encryption = KIKAN_ENCRYPTION_PLAIN; IN->n_systems = 1)
B (b_laptop_bitlocker, IT->type = KIKAN_ITEM_TYPE_LAPTOP; IT->asset_id = "LT-0003";
   IT->usb_state = KIKAN_USB_NONE; IN->encryption_kind = "bitlocker"; IN->n_systems = 1)
B (b_laptop_no_os, IT->type = KIKAN_ITEM_TYPE_LAPTOP; IT->asset_id = "LT-0003";
   IT->usb_state = KIKAN_USB_NONE; IN->encryption_kind = "bitlocker")
B (b_laptop_pending, IT->type = KIKAN_ITEM_TYPE_LAPTOP; IT->asset_id = "LT-0003";
   IT->usb_state = KIKAN_USB_NONE; IN->state = KIKAN_INSPECTION_PENDING)
B (b_plain_required, IN->encryption = KIKAN_ENCRYPTION_PLAIN)
B (b_hw_encrypted, IN->encryption = KIKAN_ENCRYPTION_PLAIN; IT->hw_encrypted = TRUE;
   IT->hw_model = "Apricorn Aegis")
B (b_plain_not_required, IN->encryption = KIKAN_ENCRYPTION_PLAIN; IT->encryption_required = FALSE)
B (b_plain_q10_internal, IN->encryption = KIKAN_ENCRYPTION_PLAIN; IT->encryption_required = FALSE;
   f->decl->answer[10] = KIKAN_ANSWER_YES;
   f->decl->q10_classification = KIKAN_CLASSIFICATION_INTERNAL)
B (b_plain_q10_not_sure, IN->encryption = KIKAN_ENCRYPTION_PLAIN; IT->encryption_required = FALSE;
   f->decl->answer[10] = KIKAN_ANSWER_NOT_SURE)
B (b_plain_q10_public, IN->encryption = KIKAN_ENCRYPTION_PLAIN; IT->encryption_required = FALSE;
   f->decl->answer[10] = KIKAN_ANSWER_YES;
   f->decl->q10_classification = KIKAN_CLASSIFICATION_PUBLIC)
B (b_mixed, IN->encryption = KIKAN_ENCRYPTION_MIXED)
B (b_enc_unknown, IN->encryption = KIKAN_ENCRYPTION_UNKNOWN)
B (b_enc_unset, IN->encryption = KIKAN_ENCRYPTION_UNSET; IN->encryption_kind = NULL)
B (b_enc06_yes_plain, IN->encryption = KIKAN_ENCRYPTION_PLAIN;
   IT->declared_encrypted = KIKAN_ANSWER_YES)
B (b_enc06_no_encrypted, IT->declared_encrypted = KIKAN_ANSWER_NO)
B (b_enc06_not_sure, IN->encryption = KIKAN_ENCRYPTION_PLAIN;
   IT->declared_encrypted = KIKAN_ANSWER_NOT_SURE)
B (b_sw_forbidden, add_finding (f, "SW-FORBIDDEN", KIKAN_LEVEL_QUARANTINE, "TeamViewer"))
B (b_sw_unapproved, add_finding (f, "SW-UNAPPROVED", KIKAN_LEVEL_HOLD, "tool.exe");
   add_finding (f, "SW-UNAPPROVED", KIKAN_LEVEL_HOLD, "other.exe"))
B (b_sw_unapproved_q3_yes, add_finding (f, "SW-UNAPPROVED", KIKAN_LEVEL_HOLD, "tool.exe");
   f->decl->answer[3] = KIKAN_ANSWER_YES; kikan_declaration_set_text (f->decl, 3, "tool"))
B (b_sw_exception, add_finding (f, "SW-EXCEPTION", KIKAN_LEVEL_INFO, "Zoom"))
B (b_sw_autorun, add_finding (f, "SW-AUTORUN", KIKAN_LEVEL_HOLD, "autorun.inf"))
B (b_upd_os_stale, add_finding (f, "UPD-OS-STALE", KIKAN_LEVEL_CONDITIONAL, "Windows 11"))
B (b_upd_av_stale, add_finding (f, "UPD-AV-STALE", KIKAN_LEVEL_CONDITIONAL, "Defender"))
B (b_upd_eos, add_finding (f, "UPD-END-OF-SUPPORT", KIKAN_LEVEL_QUARANTINE, "Windows 7"))
B (b_upd_unknown, add_finding (f, "UPD-UNKNOWN", KIKAN_LEVEL_HOLD, "Windows"))
B (b_sw_not_inspected, add_finding (f, "SW-NOT-INSPECTED", KIKAN_LEVEL_HOLD, "content"))
B (b_sig_stale_finding, add_finding (f, "SIG-STALE", KIKAN_LEVEL_HOLD, "kiosk signatures"))
B (b_unconfined, add_finding (f, "SCAN-UNCONFINED", KIKAN_LEVEL_HOLD, "worker"))
B (b_q2, f->decl->answer[2] = KIKAN_ANSWER_YES;
   kikan_declaration_set_incident (f->decl, 2, "INC-7"))
B (b_q2_not_sure, f->decl->answer[2] = KIKAN_ANSWER_NOT_SURE)
B (b_q3, f->decl->answer[3] = KIKAN_ANSWER_YES; kikan_declaration_set_text (f->decl, 3, "Slack"))
B (b_q4, f->decl->answer[4] = KIKAN_ANSWER_YES)
B (b_q5, f->decl->answer[5] = KIKAN_ANSWER_YES;
   kikan_declaration_set_incident (f->decl, 5, "INC-5"))
B (b_q6, f->decl->answer[6] = KIKAN_ANSWER_YES;
   kikan_declaration_set_incident (f->decl, 6, "INC-6"))
B (b_q7_deleted, f->decl->answer[7] = KIKAN_ANSWER_YES;
   f->decl->byod_data_deleted = KIKAN_ANSWER_YES)
B (b_q7_not_deleted, f->decl->answer[7] = KIKAN_ANSWER_YES;
   f->decl->byod_data_deleted = KIKAN_ANSWER_NOT_SURE)
B (b_q8_not_scanned, f->decl->answer[8] = KIKAN_ANSWER_YES)
B (b_q8_scanned, f->decl->answer[8] = KIKAN_ANSWER_YES; f->decl->q8_media_inspected = TRUE)
B (b_q9, f->decl->answer[9] = KIKAN_ANSWER_YES)
B (b_q10_personal_plain, f->decl->answer[10] = KIKAN_ANSWER_YES;
   f->decl->q10_classification = KIKAN_CLASSIFICATION_PUBLIC;
   f->decl->q10_personal_data = KIKAN_ANSWER_YES; IT->encryption_required = FALSE;
   IN->encryption = KIKAN_ENCRYPTION_PLAIN)
B (b_q10_personal, f->decl->answer[10] = KIKAN_ANSWER_YES;
   f->decl->q10_personal_data = KIKAN_ANSWER_NOT_SURE)
B (b_q11, f->decl->answer[11] = KIKAN_ANSWER_YES)
B (b_q12, f->decl->answer[12] = KIKAN_ANSWER_YES)
B (b_q13, f->decl->answer[13] = KIKAN_ANSWER_YES)
B (b_q14, f->decl->answer[14] = KIKAN_ANSWER_YES)
B (b_q14_30_days, f->decl->answer[14] = KIKAN_ANSWER_YES; f->ev.monitoring_days = 30)
B (b_q15_not_returned, f->decl->answer[15] = KIKAN_ANSWER_YES)
B (b_q15_returned, f->decl->answer[15] = KIKAN_ANSWER_YES; f->decl->q15_all_returned = TRUE)
B (b_q16, f->decl->answer[16] = KIKAN_ANSWER_YES;
   kikan_declaration_set_text (f->decl, 16, "Dropbox"))
B (b_q17, f->decl->answer[17] = KIKAN_ANSWER_YES)
B (b_q18, kikan_declaration_set_text (f->decl, 18, "printing");
   f->decl->answer[18] = KIKAN_ANSWER_YES)
B (b_q19_no, f->decl->answer[19] = KIKAN_ANSWER_NO)
B (b_q19_not_sure, f->decl->answer[19] = KIKAN_ANSWER_NOT_SURE)
B (b_q6_unset, f->decl->answer[6] = KIKAN_ANSWER_UNSET)
B (b_earlier_held, f->ev.earlier_held = "session 12")
B (b_q3_unset_no_laptop, f->decl->answer[3] = KIKAN_ANSWER_UNSET)
B (b_q3_unset_laptop, f->decl->answer[3] = KIKAN_ANSWER_UNSET; IT->type = KIKAN_ITEM_TYPE_LAPTOP;
   IT->asset_id = "LT-1"; IT->usb_state = KIKAN_USB_NONE; IN->n_systems = 1)
B (b_second_item_missing, f->items[1] = f->items[0]; f->items[1].asset_id = "USB-0008";
   f->items[1].presence = KIKAN_PRESENCE_UNDECLARED; f->n_items = 2)

B (b_unknown_finding, add_unknown_finding (f))
B (b_mixed_locked, IN->encryption = KIKAN_ENCRYPTION_MIXED; IN->unlocked = FALSE)

typedef enum { ACT_NONE, ACT_RESOLVE, ACT_OVERRIDE } Act;

typedef struct {
    const char *name;
    void (*build) (Fixture *f);
    const char *item; /* item 0's reasons "CODE:P …", exactly (order free) */
    KikanVerdict item_verdict;
    const char *session; /* the session's reasons, exactly */
    KikanVerdict overall;
    const char *text; /* "CODE=substring" that some reason's text holds, or NULL */
    Act act;          /* IT action on item 0 after the verdict */
    KikanVerdict act_to;
} Row;

#define CL KIKAN_VERDICT_CLEARED
#define CO KIKAN_VERDICT_CONDITIONAL
#define HO KIKAN_VERDICT_HOLD
#define NR KIKAN_VERDICT_NOT_RETURNED
#define QU KIKAN_VERDICT_QUARANTINE
#define OK_ITEM "INV-01:M MAL-01:M ENC-01:M"

static const Row rows[] = {
    { "baseline: present, matched, clean, encrypted", b_baseline, OK_ITEM, CL, "INV-01:M", CL,
      "MAL-01=definitions v27120, 2026-12-01" },
    /* INV: presence */
    { "at home", b_at_home, "INV-02:D", NR, "", NR, "INV-02=return by 2026-12-10" },
    { "lost", b_lost, "INV-03:D", NR, "", NR, "INV-03=lost – incident INC-2026-000123" },
    { "stolen", b_stolen, "INV-03:D", NR, "", NR, "INV-03=stolen" },
    { "damaged", b_damaged, "INV-04:D", HO, "", HO },
    { "transferred", b_transferred, "INV-07:D", HO, "", HO, "INV-07=handed to Sato" },
    { "undeclared missing item (KR-03)", b_undeclared, "DEC-11:D", NR, "", NR,
      "DEC-11=not presented and not declared" },
    { "token at home", b_token_missing, "INV-02:D INV-08:M", NR, "", NR },
    { "token lost", b_token_lost, "INV-03:D INV-08:M", NR, "", NR },
    { "token present: only INV-01", b_token_present, "INV-01:M", CL, "INV-01:M", CL },
    { "token that is a USB storage device, not read", b_token_storage_unread,
      "INV-01:M MAL-04:M", HO, "INV-01:M", HO },
    { "accessory present: only INV-01", b_other_present, "INV-01:M", CL, "INV-01:M", CL },
    /* INV: identity */
    { "serial mismatch", b_serial_mismatch, "INV-05:M MAL-01:M ENC-01:M", HO, "", HO,
      "INV-05=typed SN-2" },
    { "USB descriptors mismatch", b_usb_mismatch, "INV-05:M MAL-01:M ENC-01:M", HO, "", HO },
    { "USB not in the register", b_usb_unregistered, "INV-06:M MAL-01:M ENC-01:M", HO, "", HO },
    { "unregistered medium, no asset", b_no_asset, "INV-06:M MAL-01:M ENC-01:M", HO, "INV-01:M",
      HO },
    { "unregistered plain medium needs encryption", b_no_asset_plain, "INV-06:M MAL-01:M ENC-02:M",
      HO, "INV-01:M", HO },
    { "BadUSB composite", b_badusb, "INV-01:M USB-01:M MAL-01:M ENC-01:M", QU, "INV-01:M", QU },
    { "USB interfaces unreadable", b_usb_ifaces_unknown, "INV-01:M USB-02:M MAL-01:M ENC-01:M", HO,
      "INV-01:M", HO },
    { "someone else's asset", b_not_lent, "INV-07:M MAL-01:M ENC-01:M", HO, "INV-01:M", HO },
    /* MAL */
    { "EICAR", b_eicar, "INV-01:M MAL-02:M ENC-01:M", QU, "INV-01:M", QU,
      "MAL-02=Eicar-Test-Signature on eicar.com" },
    { "two detections, two lines", b_two_malware, "INV-01:M MAL-02:M MAL-02:M ENC-01:M", QU,
      "INV-01:M", QU, "MAL-02=Win.Trojan.Agent-1 on b.exe" },
    { "phishing heuristic is MAL-03", b_heuristic, "INV-01:M MAL-03:M ENC-01:M", HO, "INV-01:M",
      HO, "MAL-03=Heuristics.Phishing.Email.SpoofedDomain on mail.eml" },
    { "heuristics counted only", b_heuristic_counted, "INV-01:M MAL-03:M ENC-01:M", HO, "INV-01:M",
      HO },
    { "PUA is a detection", b_pua, "INV-01:M MAL-02:M ENC-01:M", QU, "INV-01:M", QU },
    { "encrypted zip is MAL-04", b_encrypted_zip, "INV-01:M MAL-04:M ENC-01:M", HO, "INV-01:M", HO,
      "MAL-04=secret.zip (Heuristics.Encrypted.Zip)" },
    { "files not inspected", b_not_inspected, "INV-01:M MAL-04:M ENC-01:M", HO, "INV-01:M", HO,
      "MAL-04=2 items not inspected, first big.iso (limit_exceeded)" },
    { "scan did not finish", b_result_not_inspected, "INV-01:M MAL-04:M ENC-01:M", HO, "INV-01:M",
      HO, "MAL-04=worker killed" },
    { "no scan result", b_result_unset, "INV-01:M MAL-04:M ENC-01:M", HO, "INV-01:M", HO },
    { "clean result but a file skipped", b_clean_but_skipped, "INV-01:M MAL-04:M ENC-01:M", HO,
      "INV-01:M", HO },
    { "encrypted volume not unlocked", b_locked, "INV-01:M MAL-04:M ENC-01:M", HO, "INV-01:M", HO,
      "MAL-04=encrypted volume not unlocked" },
    { "removed mid-inspection", b_removed, "INV-01:M MAL-04:M", HO, "INV-01:M", HO,
      "MAL-04=removed during inspection" },
    { "removed, but malware already found", b_removed_infected, "INV-01:M MAL-04:M MAL-02:M", QU,
      "INV-01:M", QU },
    { "inspection failed", b_failed, "INV-01:M MAL-04:M", HO, "INV-01:M", HO,
      "MAL-04=inspection failed: the scan daemon stopped" },
    { "inspection pending", b_pending, "INV-01:M MAL-04:M", HO, "INV-01:M", HO,
      "MAL-04=inspection pending, kept by IT" },
    { "medium present, nothing read", b_nothing_read, "INV-01:M MAL-04:M", HO, "INV-01:M", HO,
      "MAL-04=no medium was read" },
    { "scan ran with stale signatures", b_item_sigs_stale, "INV-01:M MAL-05:M ENC-01:M", HO,
      "INV-01:M", HO, "MAL-05=older than 7 days" },
    { "kiosk signatures stale now", b_session_sigs_stale, OK_ITEM, CL, "INV-01:M MAL-05:M", HO,
      "MAL-05=63.0 days old" },
    { "stale everywhere", b_all_sigs_stale, "INV-01:M MAL-05:M ENC-01:M", HO, "INV-01:M MAL-05:M",
      HO },
    /* devices */
    { "laptop with no disk inspected", b_laptop_uninspected, "INV-01:M UPD-04:M", HO, "INV-01:M",
      HO },
    { "phone with no report", b_phone_uninspected, "INV-01:M UPD-04:M", HO, "INV-01:M", HO },
    { "laptop disk plain", b_laptop_plain, "INV-01:M MAL-01:M ENC-02:M", HO, "INV-01:M", HO },
    { "laptop disk with no operating system", b_laptop_no_os, OK_ITEM " UPD-04:M", HO,
      "INV-01:M", HO, "UPD-04=no operating system was found" },
    { "laptop disk BitLocker", b_laptop_bitlocker, OK_ITEM, CL, "INV-01:M", CL,
      "ENC-01=bitlocker, unlocked" },
    { "laptop inspection outlives the visit", b_laptop_pending, "INV-01:M MAL-04:M", HO,
      "INV-01:M", HO },
    /* ENC */
    { "plain stick, encryption required", b_plain_required, "INV-01:M MAL-01:M ENC-02:M", HO,
      "INV-01:M", HO, "ENC-02=the ledger requires encryption" },
    { "hardware-encrypted model", b_hw_encrypted, OK_ITEM, CL, "INV-01:M", CL,
      "ENC-01=Apricorn Aegis" },
    { "plain stick, not required, no work data", b_plain_not_required, "INV-01:M MAL-01:M", CL,
      "INV-01:M", CL },
    { "plain stick, Q10 internal work data (KR-14)", b_plain_q10_internal,
      "INV-01:M MAL-01:M ENC-02:M", HO, "INV-01:M", HO, "ENC-02=work data declared" },
    { "plain stick, Q10 not sure", b_plain_q10_not_sure, "INV-01:M MAL-01:M ENC-02:M", HO,
      "INV-01:M", HO },
    { "plain stick, Q10 public only", b_plain_q10_public, "INV-01:M MAL-01:M", CL, "INV-01:M",
      CL },
    { "mixed volumes", b_mixed, "INV-01:M MAL-01:M ENC-02:M", HO, "INV-01:M", HO,
      "ENC-02=some volumes are not encrypted" },
    { "encryption unknown", b_enc_unknown, "INV-01:M MAL-01:M ENC-03:M", HO, "INV-01:M", HO },
    { "encryption not reported", b_enc_unset, "INV-01:M MAL-01:M ENC-03:M", HO, "INV-01:M", HO },
    { "declared encrypted, found plain", b_enc06_yes_plain, "INV-01:M MAL-01:M ENC-02:M ENC-06:M",
      HO, "INV-01:M", HO },
    { "declared plain, found encrypted (info)", b_enc06_no_encrypted, OK_ITEM " ENC-06:M", CL,
      "INV-01:M", CL },
    { "declared not sure never mismatches", b_enc06_not_sure, "INV-01:M MAL-01:M ENC-02:M", HO,
      "INV-01:M", HO },
    /* software findings */
    { "forbidden software", b_sw_forbidden, OK_ITEM " SW-03:M", QU, "INV-01:M SW-04:M", QU,
      "SW-03=TeamViewer" },
    { "unapproved software, one line", b_sw_unapproved, OK_ITEM " SW-01:M", HO, "INV-01:M SW-04:M",
      HO, "SW-01=found: tool.exe; other.exe" },
    { "unapproved and declared: no SW-04", b_sw_unapproved_q3_yes, OK_ITEM " SW-01:M", HO,
      "INV-01:M SW-01:D", HO, "SW-01=declared: tool" },
    { "exception is info", b_sw_exception, OK_ITEM " SW-05:M", CL, "INV-01:M", CL },
    { "autorun is MAL-03", b_sw_autorun, OK_ITEM " MAL-03:M", HO, "INV-01:M", HO },
    { "OS updates stale", b_upd_os_stale, OK_ITEM " UPD-01:M PROC-04:M", CO, "INV-01:M PROC-03:M",
      CO, "PROC-03=until 2026-12-17" },
    { "antivirus stale", b_upd_av_stale, OK_ITEM " MAL-06:M PROC-04:M", CO, "INV-01:M PROC-03:M",
      CO },
    { "end of support", b_upd_eos, OK_ITEM " UPD-02:M", QU, "INV-01:M", QU, "UPD-02=Windows 7" },
    { "posture not measurable", b_upd_unknown, OK_ITEM " UPD-04:M", HO, "INV-01:M", HO },
    { "software facts: not inspected", b_sw_not_inspected, "INV-01:M ENC-01:M MAL-04:M", HO,
      "INV-01:M", HO },
    { "software facts: signatures stale", b_sig_stale_finding, "INV-01:M ENC-01:M MAL-05:M", HO,
      "INV-01:M", HO },
    { "worker ran unconfined", b_unconfined, "INV-01:M ENC-01:M MAL-04:M", HO, "INV-01:M", HO },
    { "finding with an unknown slip code", b_unknown_finding, OK_ITEM " UPD-04:M", HO, "INV-01:M",
      HO, "UPD-04=unknown finding SW-FUTURE: something new" },
    { "mixed volumes, one locked", b_mixed_locked, "INV-01:M ENC-02:M MAL-04:M", HO, "INV-01:M",
      HO },
    /* the declaration */
    { "Q2 temporarily lost", b_q2, OK_ITEM, CL, "INV-01:M DEC-10:D", HO, "DEC-10=INC-7" },
    { "an earlier check-in still held by IT", b_earlier_held, OK_ITEM, CL, "INV-01:M PROC-08:M",
      HO, "PROC-08=session 12" },
    { "Q2 not sure is yes", b_q2_not_sure, OK_ITEM, CL, "INV-01:M DEC-10:D", HO },
    { "Q3 software declared", b_q3, OK_ITEM, CL, "INV-01:M SW-01:D", HO, "SW-01=declared: Slack" },
    { "Q4 download source", b_q4, OK_ITEM, CL, "INV-01:M SW-02:D", HO },
    { "Q5 odd behaviour", b_q5, OK_ITEM, CL, "INV-01:M DEC-01:D", HO, "DEC-01=INC-5" },
    { "Q6 suspicious mail", b_q6, OK_ITEM, CL, "INV-01:M DEC-04:D", HO, "DEC-04=INC-6" },
    { "Q7 BYOD, deletion confirmed", b_q7_deleted, OK_ITEM, CL, "INV-01:M DEC-02:D PROC-03:M",
      CO },
    { "Q7 BYOD, deletion not confirmed", b_q7_not_deleted, OK_ITEM, CL, "INV-01:M DEC-02:D", HO,
      "DEC-02=NOT confirmed" },
    { "Q8 media not scanned", b_q8_not_scanned, OK_ITEM, CL, "INV-01:M DEC-03:D", HO },
    { "Q8 media scanned here", b_q8_scanned, OK_ITEM, CL, "INV-01:M DEC-03:D", CL,
      "DEC-03=scanned at this kiosk" },
    { "Q9 unregistered media", b_q9, OK_ITEM, CL, "INV-01:M INV-06:D", HO },
    { "Q10 personal data", b_q10_personal, OK_ITEM, CL, "INV-01:M PROC-07:D", CL },
    { "Q10 public but personal data, plain stick", b_q10_personal_plain,
      "INV-01:M MAL-01:M ENC-02:M", HO, "INV-01:M PROC-07:D", HO },
    { "Q11 updates postponed", b_q11, OK_ITEM, CL, "INV-01:M UPD-01:D PROC-04:D PROC-03:M", CO },
    { "Q12 settings changed", b_q12, OK_ITEM, CL, "INV-01:M CFG-07:D", HO },
    { "Q13 public Wi-Fi (info)", b_q13, OK_ITEM, CL, "INV-01:M DEC-07:D", CL },
    { "Q14 credentials", b_q14, OK_ITEM, CL, "INV-01:M DEC-05:D PROC-03:M", CO,
      "PROC-03=2026-12-17" },
    { "Q14, 30 monitoring days", b_q14_30_days, OK_ITEM, CL, "INV-01:M DEC-05:D PROC-03:M", CO,
      "PROC-03=2027-01-02" },
    { "Q15 papers not returned", b_q15_not_returned, OK_ITEM, CL, "INV-01:M DEC-08:D", HO },
    { "Q15 papers all returned", b_q15_returned, OK_ITEM, CL, "INV-01:M", CL },
    { "Q16 cloud service", b_q16, OK_ITEM, CL, "INV-01:M DEC-06:D", HO, "DEC-06=Dropbox" },
    { "Q17 feedback (info)", b_q17, OK_ITEM, CL, "INV-01:M DEC-09:D", CL },
    { "Q18 never changes anything", b_q18, OK_ITEM, CL, "INV-01:M", CL },
    { "Q19 refused", b_q19_no, OK_ITEM, CL, "INV-01:M DEC-11:D", HO,
      "DEC-11=not confirmed (Q19)" },
    { "Q19 not sure is no confirmation", b_q19_not_sure, OK_ITEM, CL, "INV-01:M DEC-11:D", HO },
    { "Q6 unanswered", b_q6_unset, OK_ITEM, CL, "INV-01:M DEC-11:D", HO,
      "DEC-11=not answered: Q6" },
    { "Q3 unanswered, not asked without a laptop", b_q3_unset_no_laptop, OK_ITEM, CL, "INV-01:M",
      CL },
    { "Q3 unanswered with a laptop", b_q3_unset_laptop, OK_ITEM, CL, "INV-01:M DEC-11:D", HO,
      "DEC-11=Q3" },
    { "one of two sticks missing: no session INV-01", b_second_item_missing, OK_ITEM, CL, "", NR },
    /* IT actions (KR-30) */
    { "IT resolves a HOLD", b_plain_required, "INV-01:M MAL-01:M ENC-02:M PROC-01:V", CL,
      "INV-01:M", CL, "PROC-01=Verified by IT staff IT-7 at 2026-12-03T14:00:00Z", ACT_RESOLVE,
      CL },
    { "IT overrides a QUARANTINE", b_eicar, "INV-01:M MAL-02:M ENC-01:M PROC-02:V", HO, "INV-01:M",
      HO, "PROC-02=Override applied by IT-7: test file", ACT_OVERRIDE, HO },
};

static int
cmp_str (gconstpointer a, gconstpointer b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

static char *
sorted_words (const char *spec)
{
    g_auto (GStrv) w = g_strsplit_set (spec, " ", -1);
    g_autoptr (GPtrArray) a = g_ptr_array_new ();

    for (guint i = 0; w[i] != NULL; i++)
        if (w[i][0] != '\0')
            g_ptr_array_add (a, w[i]);
    g_ptr_array_sort (a, cmp_str);
    g_ptr_array_add (a, NULL);
    return g_strjoinv (" ", (char **)a->pdata);
}

static char *
actual_words (const KikanVerdictResult *r)
{
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < r->reasons->len; i++) {
        const KikanVerdictReason *x = g_ptr_array_index (r->reasons, i);

        g_string_append_printf (s, "%s%s:%c", i ? " " : "", x->code, (char)x->provenance);
    }
    {
        char *sorted = sorted_words (s->str);

        g_string_free (s, TRUE);
        return sorted;
    }
}

static gboolean
text_found (const KikanVerdictResult *r, const char *code, const char *sub)
{
    for (guint i = 0; i < r->reasons->len; i++) {
        const KikanVerdictReason *x = g_ptr_array_index (r->reasons, i);

        if (strcmp (x->code, code) == 0 && strstr (x->text, sub) != NULL)
            return TRUE;
        if (strcmp (x->code, code) == 0 && x->until != NULL && strstr (sub, "until ") == sub
            && strcmp (x->until, sub + 6) == 0)
            return TRUE;
    }
    return FALSE;
}

/* KR-28: a CONDITIONAL reason always says what the condition is. */
static void
assert_conditions (const KikanVerdictResult *r, const char *row)
{
    for (guint i = 0; i < r->reasons->len; i++) {
        const KikanVerdictReason *x = g_ptr_array_index (r->reasons, i);

        if (!x->info && x->level == KIKAN_VERDICT_CONDITIONAL
            && (x->condition == NULL || x->condition[0] == '\0'))
            fail_msg ("%s: %s is conditional without a condition", row, x->code);
        if (x->text == NULL || x->text[0] == '\0' || strchr (x->text, '{') != NULL)
            fail_msg ("%s: %s has a bad text \"%s\"", row, x->code, x->text);
    }
}

static void
run_row (const Row *row)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;
    KikanVerdictResult *item;
    g_autofree char *want_item = sorted_words (row->item);
    g_autofree char *want_session = sorted_words (row->session);
    g_autofree char *got_item = NULL, *got_session = NULL;

    fixture_init (&f);
    row->build (&f);
    sv = fixture_run (&f);
    item = g_ptr_array_index (sv->items, 0);
    if (row->act != ACT_NONE) {
        g_autoptr (GError) error = NULL;

        if (!kikan_verdict_apply_it_action (
                item, row->act == ACT_RESOLVE ? KIKAN_IT_RESOLVE : KIKAN_IT_OVERRIDE, row->act_to,
                "IT-7", "test file", "2026-12-03T14:00:00Z", &error))
            fail_msg ("%s: IT action refused: %s", row->name, error->message);
        kikan_session_verdict_update_overall (sv);
    }
    got_item = actual_words (item);
    got_session = actual_words (sv->session);
    if (strcmp (got_item, want_item) != 0)
        fail_msg ("%s: item reasons \"%s\", expected \"%s\"", row->name, got_item, want_item);
    if (strcmp (got_session, want_session) != 0)
        fail_msg ("%s: session reasons \"%s\", expected \"%s\"", row->name, got_session,
                  want_session);
    if (item->verdict != row->item_verdict)
        fail_msg ("%s: item verdict %s, expected %s", row->name,
                  kikan_verdict_to_string (item->verdict),
                  kikan_verdict_to_string (row->item_verdict));
    if (sv->overall != row->overall)
        fail_msg ("%s: overall %s, expected %s", row->name, kikan_verdict_to_string (sv->overall),
                  kikan_verdict_to_string (row->overall));
    if (row->text != NULL) {
        g_auto (GStrv) kv = g_strsplit (row->text, "=", 2);

        if (!text_found (item, kv[0], kv[1]) && !text_found (sv->session, kv[0], kv[1]))
            fail_msg ("%s: no %s reason says \"%s\"", row->name, kv[0], kv[1]);
    }
    assert_conditions (item, row->name);
    assert_conditions (sv->session, row->name);
    fixture_clear (&f);
}

static void
test_rows (void **state)
{
    for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
        run_row (&rows[i]);
}

/* Every code the table says this engine produces is in some row. */
static void
test_rows_cover_table (void **state)
{
    gsize n;
    const KikanReasonDef *defs = kikan_reason_defs (&n);

    for (gsize i = 0; i < n; i++) {
        gboolean seen = FALSE;

        if (defs[i].produced_by != NULL)
            continue;
        for (gsize r = 0; r < G_N_ELEMENTS (rows) && !seen; r++) {
            g_autofree char *pat = g_strconcat (defs[i].code, ":", NULL);

            seen = strstr (rows[r].item, pat) != NULL || strstr (rows[r].session, pat) != NULL;
        }
        if (!seen)
            fail_msg ("%s is produced by the engine but no table row expects it", defs[i].code);
    }
}

static void
test_table_sane (void **state)
{
    gsize n;
    const KikanReasonDef *defs = kikan_reason_defs (&n);
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    assert_true (n >= 57);
    for (gsize i = 0; i < n; i++) {
        assert_true (g_hash_table_add (seen, (gpointer)defs[i].code));
        assert_ptr_equal (kikan_reason_def_lookup (defs[i].code), &defs[i]);
        assert_true (kikan_provenance_is_valid (defs[i].provenance));
        assert_non_null (defs[i].text);
    }
    assert_null (kikan_reason_def_lookup ("MAL-99"));
    assert_null (kikan_reason_def_lookup (NULL));
    /* 5.4's levels that matter most. */
    assert_int_equal (kikan_reason_def_lookup ("MAL-02")->level, KIKAN_VERDICT_QUARANTINE);
    assert_int_equal (kikan_reason_def_lookup ("INV-03")->level, KIKAN_VERDICT_NOT_RETURNED);
    assert_true (kikan_reason_def_lookup ("ENC-06")->info);
    assert_true (kikan_reason_def_lookup ("PROC-02")->as_set);
    assert_non_null (kikan_reason_def_lookup ("MAL-07")->produced_by);
    /* Severity order (docs/verdicts.md "Levels"). */
    assert_int_equal (kikan_verdict_worst (KIKAN_VERDICT_HOLD, KIKAN_VERDICT_NOT_RETURNED),
                      KIKAN_VERDICT_NOT_RETURNED);
    assert_int_equal (kikan_verdict_worst (KIKAN_VERDICT_QUARANTINE, KIKAN_VERDICT_NOT_RETURNED),
                      KIKAN_VERDICT_QUARANTINE);
    for (int v = 0; v < KIKAN_VERDICT_N_LEVELS; v++) {
        KikanVerdict back;

        assert_true (kikan_verdict_from_string (kikan_verdict_to_string (v), &back));
        assert_int_equal (back, v);
    }
    {
        KikanVerdict back = KIKAN_VERDICT_HOLD;

        assert_false (kikan_verdict_from_string ("CLEARED", &back));
        assert_false (kikan_verdict_from_string ("", &back));
        assert_false (kikan_verdict_from_string (NULL, &back));
        assert_int_equal (back, KIKAN_VERDICT_HOLD);
    }
    {
        const char *k[] = { "a", "b" }, *v[] = { "1", NULL };
        g_autofree char *t = kikan_reason_fill ("x{a}y{b}z{c}{", k, v, 2);

        assert_string_equal (t, "x1yunknownzunknown{");
    }
}

/* ---- invariants over a grid ---- */

static void
test_invariants_grid (void **state)
{
    static const KikanPresence presences[] = {
        KIKAN_PRESENCE_UNDECLARED,  KIKAN_PRESENCE_PRESENT, KIKAN_PRESENCE_AT_HOME,
        KIKAN_PRESENCE_LOST,        KIKAN_PRESENCE_STOLEN,  KIKAN_PRESENCE_DAMAGED,
        KIKAN_PRESENCE_TRANSFERRED,
    };
    static const KikanItemType types[]
        = { KIKAN_ITEM_TYPE_NONE,  KIKAN_ITEM_TYPE_LAPTOP, KIKAN_ITEM_TYPE_USB,
            KIKAN_ITEM_TYPE_PHONE, KIKAN_ITEM_TYPE_TOKEN,  KIKAN_ITEM_TYPE_OTHER };
    guint64 n = 0, cleared = 0;

    for (gsize p = 0; p < G_N_ELEMENTS (presences); p++)
        for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
            for (int state_ = 0; state_ <= KIKAN_INSPECTION_DONE; state_++)
                for (int res = 0; res <= KIKAN_SCAN_NOT_INSPECTED; res++)
                    for (int enc = 0; enc <= KIKAN_ENCRYPTION_MIXED; enc++)
                        for (int bits = 0; bits < 32; bits++) {
                            Fixture f;
                            g_autoptr (KikanSessionVerdict) sv = NULL;
                            KikanItemEvidence *it = &f.items[0];
                            const KikanVerdictResult *r;
                            gboolean item_stale, session_stale, skipped, lent, unlocked;

                            fixture_init (&f);
                            it->presence = presences[p];
                            it->type = types[t];
                            if (types[t] == KIKAN_ITEM_TYPE_NONE)
                                it->asset_id = NULL;
                            it->inspection.state = (KikanInspectionState)state_;
                            it->inspection.result = (KikanScanResult)res;
                            it->inspection.encryption = (KikanEncryptionState)enc;
                            item_stale = bits & 1;
                            session_stale = (bits >> 1) & 1;
                            skipped = (bits >> 2) & 1;
                            lent = !((bits >> 3) & 1);
                            unlocked = !((bits >> 4) & 1);
                            if (item_stale)
                                it->inspection.signatures = stale_sigs;
                            if (session_stale)
                                f.ev.signatures = stale_sigs;
                            if (skipped) {
                                it->inspection.n_not_inspected = 1;
                                it->inspection.not_inspected_path = "x";
                            }
                            it->lent = lent;
                            it->inspection.unlocked = unlocked;
                            sv = fixture_run (&f);
                            r = g_ptr_array_index (sv->items, 0);
                            n++;

                            assert_true (r->reasons->len > 0);
                            assert_conditions (r, "grid");
                            if (sv->overall == KIKAN_VERDICT_CLEARED)
                                cleared++;
                            /* KR-03 */
                            if (lent && presences[p] != KIKAN_PRESENCE_PRESENT)
                                assert_int_not_equal (sv->overall, KIKAN_VERDICT_CLEARED);
                            /* MAL-05, KR-12 */
                            if (session_stale)
                                assert_int_not_equal (sv->overall, KIKAN_VERDICT_CLEARED);
                            if (presences[p] == KIKAN_PRESENCE_PRESENT
                                && state_ == KIKAN_INSPECTION_DONE && item_stale) {
                                assert_int_not_equal (r->verdict, KIKAN_VERDICT_CLEARED);
                                assert_null (kikan_verdict_result_find (r, "MAL-01"));
                            }
                            /* MAL-04, KR-10: a medium not fully inspected never clears, and
                             * never says "no malware found". */
                            if (presences[p] == KIKAN_PRESENCE_PRESENT
                                && state_ != KIKAN_INSPECTION_NONE
                                && (state_ != KIKAN_INSPECTION_DONE || res != KIKAN_SCAN_CLEAN
                                    || skipped
                                    || ((enc == KIKAN_ENCRYPTION_ENCRYPTED
                                         || enc == KIKAN_ENCRYPTION_MIXED)
                                        && !unlocked))) {
                                assert_int_not_equal (r->verdict, KIKAN_VERDICT_CLEARED);
                                assert_null (kikan_verdict_result_find (r, "MAL-01"));
                            }
                            if (kikan_verdict_result_find (r, "MAL-04") != NULL)
                                assert_int_not_equal (sv->overall, KIKAN_VERDICT_CLEARED);
                            if (presences[p] == KIKAN_PRESENCE_PRESENT
                                && state_ == KIKAN_INSPECTION_NONE
                                && (types[t] == KIKAN_ITEM_TYPE_NONE
                                    || types[t] == KIKAN_ITEM_TYPE_USB
                                    || types[t] == KIKAN_ITEM_TYPE_LAPTOP
                                    || types[t] == KIKAN_ITEM_TYPE_PHONE))
                                assert_int_not_equal (r->verdict, KIKAN_VERDICT_CLEARED);
                            /* An unregistered medium is never released automatically (KR-06). */
                            if (types[t] == KIKAN_ITEM_TYPE_NONE
                                && presences[p] == KIKAN_PRESENCE_PRESENT)
                                assert_non_null (kikan_verdict_result_find (r, "INV-06"));
                            if (!lent && types[t] != KIKAN_ITEM_TYPE_NONE
                                && presences[p] == KIKAN_PRESENCE_PRESENT)
                                assert_int_not_equal (r->verdict, KIKAN_VERDICT_CLEARED);
                            fixture_clear (&f);
                        }
    /* The grid reaches CLEARED too, or it would prove nothing. */
    assert_true (cleared > 0);
    assert_true (n > 10000);
    printf ("grid: %" G_GUINT64_FORMAT " combinations, %" G_GUINT64_FORMAT " cleared\n", n,
            cleared);
}

static void
test_bad_evidence (void **state)
{
    Fixture f;
    g_autoptr (GError) error = NULL;
    const char *bad[] = { NULL,          "",         "2026-13-01", "2026-02-30",    "2026-1-01",
                          "2026-12-03x", "26-12-03", "2026/12/03", "２０２６-12-03" };

    fixture_init (&f);
    f.ev.items = f.items;
    f.ev.n_items = 1;
    assert_null (kikan_verdict_evaluate_session (&f.ev, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_FAILED));
    assert_non_null (strstr (error->message, "declaration"));
    f.ev.declaration = f.decl;
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
        g_clear_error (&error);
        f.ev.today = bad[i];
        assert_null (kikan_verdict_evaluate_session (&f.ev, &error));
        assert_non_null (strstr (error->message, "YYYY-MM-DD"));
    }
    /* Leap day is a date. */
    g_clear_error (&error);
    f.ev.today = "2028-02-29";
    f.decl->answer[14] = KIKAN_ANSWER_YES;
    {
        g_autoptr (KikanSessionVerdict) sv = kikan_verdict_evaluate_session (&f.ev, &error);
        const KikanVerdictReason *p3;

        assert_non_null (sv);
        p3 = kikan_verdict_result_find (sv->session, "PROC-03");
        assert_non_null (p3);
        assert_string_equal (p3->until, "2028-03-14");
    }
    fixture_clear (&f);
}

/* A session with nothing at all presented, with zeroed evidence: never CLEARED. */
static void
test_zeroed_item (void **state)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;
    KikanVerdictResult *r;

    fixture_init (&f);
    memset (&f.items[0], 0, sizeof f.items[0]);
    sv = fixture_run (&f);
    r = g_ptr_array_index (sv->items, 0);
    assert_int_equal (r->verdict, KIKAN_VERDICT_NOT_RETURNED);
    assert_non_null (kikan_verdict_result_find (r, "DEC-11"));
    assert_int_not_equal (sv->overall, KIKAN_VERDICT_CLEARED);
    fixture_clear (&f);
}

/* ---- IT actions ---- */

static KikanVerdictResult *
result_of (void (*build) (Fixture *))
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;
    KikanVerdictResult *r;

    fixture_init (&f);
    build (&f);
    sv = fixture_run (&f);
    r = g_ptr_array_steal_index (sv->items, 0);
    fixture_clear (&f);
    return r;
}

static void
test_it_actions (void **state)
{
    g_autoptr (KikanVerdictResult) hold = result_of (b_plain_required);
    g_autoptr (KikanVerdictResult) quar = result_of (b_eicar);
    g_autoptr (GError) error = NULL;
    const char *blanks[] = { NULL, "", "   ", "\t\n" };
    guint n_reasons = hold->reasons->len;

    /* Refusals change nothing. */
    for (gsize i = 0; i < G_N_ELEMENTS (blanks); i++) {
        g_clear_error (&error);
        assert_false (kikan_verdict_apply_it_action (hold, KIKAN_IT_RESOLVE, KIKAN_VERDICT_CLEARED,
                                                     "IT-7", blanks[i], "2026-12-03T14:00:00Z",
                                                     &error));
        assert_non_null (strstr (error->message, "reason"));
        g_clear_error (&error);
        assert_false (kikan_verdict_apply_it_action (hold, KIKAN_IT_OVERRIDE,
                                                     KIKAN_VERDICT_CLEARED, blanks[i], "checked",
                                                     "2026-12-03T14:00:00Z", &error));
        assert_non_null (strstr (error->message, "identity"));
        g_clear_error (&error);
        assert_false (kikan_verdict_apply_it_action (
            hold, KIKAN_IT_OVERRIDE, KIKAN_VERDICT_CLEARED, "IT-7", "checked", blanks[i], &error));
    }
    g_clear_error (&error);
    assert_false (kikan_verdict_apply_it_action (quar, KIKAN_IT_RESOLVE, KIKAN_VERDICT_CLEARED,
                                                 "IT-7", "looked at it", "2026-12-03T14:00:00Z",
                                                 &error));
    assert_non_null (strstr (error->message, "override"));
    assert_int_equal (hold->reasons->len, n_reasons);
    assert_false (hold->it_acted);
    assert_int_equal (hold->verdict, KIKAN_VERDICT_HOLD);
    assert_int_equal (quar->verdict, KIKAN_VERDICT_QUARANTINE);

    /* Resolve, then override: the engine's verdict stays the original. */
    assert_true (kikan_verdict_apply_it_action (hold, KIKAN_IT_RESOLVE, KIKAN_VERDICT_CONDITIONAL,
                                                "IT-7", "stick re-encrypted at the desk",
                                                "2026-12-03T14:00:00Z", NULL));
    assert_int_equal (hold->verdict, KIKAN_VERDICT_CONDITIONAL);
    assert_true (hold->it_acted);
    assert_false (hold->overridden);
    assert_int_equal (hold->original_verdict, KIKAN_VERDICT_HOLD);
    {
        const KikanVerdictReason *p1 = kikan_verdict_result_find (hold, "PROC-01");

        assert_non_null (p1);
        assert_int_equal (p1->provenance, KIKAN_PROVENANCE_VERIFIED);
        assert_int_equal (p1->level, KIKAN_VERDICT_CONDITIONAL);
        assert_non_null (p1->condition);
        assert_non_null (strstr (p1->condition, "stick re-encrypted"));
        /* The engine's reasons are all still there. */
        assert_non_null (kikan_verdict_result_find (hold, "ENC-02"));
    }
    assert_true (kikan_verdict_apply_it_action (hold, KIKAN_IT_OVERRIDE, KIKAN_VERDICT_CLEARED,
                                                "IT-9", "policy exception EX-4",
                                                "2026-12-03T14:10:00Z", NULL));
    assert_int_equal (hold->verdict, KIKAN_VERDICT_CLEARED);
    assert_int_equal (hold->original_verdict, KIKAN_VERDICT_HOLD);
    assert_true (hold->overridden);
    assert_int_equal (hold->it_actions->len, 2);
    {
        const KikanItAction *a = g_ptr_array_index (hold->it_actions, 1);

        assert_int_equal (a->from, KIKAN_VERDICT_CONDITIONAL);
        assert_int_equal (a->to, KIKAN_VERDICT_CLEARED);
        assert_string_equal (a->by, "IT-9");
    }

    /* An override may release a QUARANTINE: flagged everywhere. */
    assert_true (kikan_verdict_apply_it_action (quar, KIKAN_IT_OVERRIDE, KIKAN_VERDICT_CLEARED,
                                                "IT-7", "EICAR test file from the drill",
                                                "2026-12-03T14:00:00Z", NULL));
    {
        g_autoptr (JsonNode) node = kikan_verdict_result_to_json (quar);
        JsonObject *o = json_node_get_object (node);
        JsonObject *ov;

        assert_string_equal (json_object_get_string_member (o, "verdict"), "cleared");
        assert_string_equal (json_object_get_string_member (o, "original_verdict"), "quarantine");
        ov = json_object_get_object_member (o, "override");
        assert_non_null (ov);
        assert_string_equal (json_object_get_string_member (ov, "by"), "IT-7");
        assert_string_equal (json_object_get_string_member (ov, "from"), "quarantine");
    }
}

static void
test_session_it_action (void **state)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;

    fixture_init (&f);
    f.decl->answer[12] = KIKAN_ANSWER_YES;
    sv = fixture_run (&f);
    assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
    assert_true (kikan_verdict_apply_it_action (
        sv->session, KIKAN_IT_RESOLVE, KIKAN_VERDICT_CLEARED, "IT-7", "VPN setting restored",
        "2026-12-03T14:00:00Z", NULL));
    kikan_session_verdict_update_overall (sv);
    assert_int_equal (sv->overall, KIKAN_VERDICT_CLEARED);
    fixture_clear (&f);
}

/* ---- JSON ---- */

static char *
to_text (JsonNode *node)
{
    g_autoptr (JsonGenerator) g = json_generator_new ();

    json_generator_set_root (g, node);
    return json_generator_to_data (g, NULL);
}

static void
test_json_round_trip (void **state)
{
    void (*builds[]) (Fixture *)
        = { b_baseline, b_eicar, b_q14, b_upd_os_stale, b_enc06_no_encrypted, b_removed_infected };

    for (gsize i = 0; i < G_N_ELEMENTS (builds); i++) {
        g_autoptr (KikanVerdictResult) r = result_of (builds[i]);
        g_autoptr (KikanVerdictResult) back = NULL;
        g_autoptr (JsonNode) n1 = NULL, n2 = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char *t1 = NULL, *t2 = NULL;

        if (i % 2 == 1)
            assert_true (kikan_verdict_apply_it_action (r, KIKAN_IT_OVERRIDE, KIKAN_VERDICT_HOLD,
                                                        "IT-1", "kept", "2026-12-03T15:00:00Z",
                                                        NULL));
        n1 = kikan_verdict_result_to_json (r);
        back = kikan_verdict_result_from_json (n1, &error);
        if (back == NULL)
            fail_msg ("round trip %zu: %s", i, error->message);
        n2 = kikan_verdict_result_to_json (back);
        t1 = to_text (n1);
        t2 = to_text (n2);
        assert_string_equal (t1, t2);
        assert_int_equal (back->verdict, r->verdict);
        assert_int_equal (back->overridden, r->overridden);
    }
    /* The shape of one reason. */
    {
        g_autoptr (KikanVerdictResult) r = result_of (b_q14);
        g_autoptr (KikanVerdictResult) item = result_of (b_eicar);
        g_autoptr (JsonNode) node = kikan_verdict_result_to_json (item);
        g_autofree char *t = to_text (node);

        assert_non_null (strstr (t, "\"verdict\":\"quarantine\""));
        assert_non_null (strstr (t, "{\"code\":\"MAL-02\",\"provenance\":\"M\",\"level\":"
                                    "\"quarantine\",\"text\":\"Malware detected: "
                                    "Eicar-Test-Signature on eicar.com\"}"));
        assert_null (strstr (t, "original_verdict"));
    }
}

static void
assert_from_json_refuses (const char *text, const char *mention)
{
    g_autoptr (JsonParser) p = json_parser_new ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanVerdictResult) r = NULL;

    assert_true (json_parser_load_from_data (p, text, -1, NULL));
    r = kikan_verdict_result_from_json (json_parser_get_root (p), &error);
    if (r != NULL)
        fail_msg ("accepted: %s", text);
    if (strstr (error->message, mention) == NULL)
        fail_msg ("\"%s\" does not mention \"%s\"", error->message, mention);
}

static void
test_json_refused (void **state)
{
#define R1 "{\"code\":\"MAL-02\",\"provenance\":\"M\",\"level\":\"quarantine\",\"text\":\"t\"}"
#define ACT                                                                                       \
    "{\"kind\":\"override\",\"from\":\"hold\",\"to\":\"cleared\",\"by\":\"IT\",\"reason\":\"r\"," \
    "\"at\":\"x\"}"
    assert_from_json_refuses ("[]", "not an object");
    assert_from_json_refuses ("{}", "verdict");
    assert_from_json_refuses ("{\"verdict\":\"ok\",\"reasons\":[]}", "verdict level");
    assert_from_json_refuses ("{\"verdict\":\"hold\"}", "reasons");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":{}}", "reasons");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[1]}", "not an object");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[{\"code\":\"MAL-99\","
                              "\"provenance\":\"M\",\"level\":\"hold\",\"text\":\"t\"}]}",
                              "unknown reason code");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[{\"code\":\"MAL-02\","
                              "\"provenance\":\"MX\",\"level\":\"hold\",\"text\":\"t\"}]}",
                              "provenance");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[{\"code\":\"MAL-02\","
                              "\"provenance\":\"X\",\"level\":\"hold\",\"text\":\"t\"}]}",
                              "provenance");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[{\"code\":\"MAL-02\","
                              "\"provenance\":\"M\",\"level\":\"bad\",\"text\":\"t\"}]}",
                              "level");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[{\"code\":\"MAL-02\","
                              "\"provenance\":\"M\",\"level\":\"hold\",\"text\":5}]}",
                              "text");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[{\"code\":\"MAL-02\","
                              "\"provenance\":\"M\",\"level\":\"hold\",\"text\":\"t\","
                              "\"condition\":{\"until\":null}}]}",
                              "text");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[" R1 "],"
                              "\"original_verdict\":\"hold\",\"it_actions\":[]}",
                              "without any IT action");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[" R1 "],\"it_actions\":[" ACT
                              "]}",
                              "without the original");
    assert_from_json_refuses (
        "{\"verdict\":\"hold\",\"reasons\":[" R1 "],"
        "\"original_verdict\":\"hold\",\"it_actions\":[{\"kind\":\"override\","
        "\"from\":\"hold\",\"to\":\"cleared\",\"by\":\" \",\"reason\":\"r\","
        "\"at\":\"x\"}]}",
        "KR-30");
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[" R1 "],"
                              "\"original_verdict\":\"hold\",\"it_actions\":[{\"kind\":\"erase\","
                              "\"from\":\"hold\",\"to\":\"cleared\",\"by\":\"a\",\"reason\":\"r\","
                              "\"at\":\"x\"}]}",
                              "kind");
}

/* ---- branches the rule table does not reach (issue #12 item 6) ---- */

/* A finding under slip code @slip at @level, whatever its software code. */
static void
add_slip_finding (Fixture *f, const char *slip, KikanLevel level, const char *subject)
{
    KikanFinding *x = g_new0 (KikanFinding, 1);

    x->code = g_strdup ("SW-TEST");
    x->slip_code = g_strdup (slip);
    x->level = level;
    x->subject = g_strdup (subject);
    g_ptr_array_add (f->findings, x);
}

static KikanVerdictResult *
item_of (Fixture *f)
{
    return kikan_verdict_evaluate_item (&f->items[0], f->decl);
}

/* Two findings under one slip line, the first CONDITIONAL (with the
 * condition that would clear it), the second HOLD: the merged line holds,
 * and carries no condition, so no slip says "cleared once you install the
 * updates" beside HOLD (REQUIREMENTS §5.5). */
static void
test_merge_raised_to_hold_drops_condition (void **state)
{
    Fixture f;

    fixture_init (&f);
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_CONDITIONAL, "kernel");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *u = kikan_verdict_result_find (r, "UPD-01");

        assert_non_null (u);
        assert_int_equal (u->level, KIKAN_VERDICT_CONDITIONAL);
        assert_non_null (u->condition);
    }
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_HOLD, "browser");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *u = kikan_verdict_result_find (r, "UPD-01");

        assert_non_null (u);
        assert_int_equal (u->level, KIKAN_VERDICT_HOLD);
        assert_null (u->condition);
        assert_non_null (strstr (u->text, "browser"));
        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);
    /* Raised from information to CONDITIONAL, it gains its condition. */
    fixture_init (&f);
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_INFO, "kernel");
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_CONDITIONAL, "browser");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *u = kikan_verdict_result_find (r, "UPD-01");

        assert_non_null (u);
        assert_int_equal (u->level, KIKAN_VERDICT_CONDITIONAL);
        assert_false (u->info);
        assert_non_null (u->condition);
    }
    fixture_clear (&f);
}

/* The names read back strictly: NULL and unknown words are refused. */
static void
test_names_strict (void **state)
{
    KikanItemType t = KIKAN_ITEM_TYPE_OTHER;
    KikanPresence p = KIKAN_PRESENCE_LOST;

    assert_false (kikan_item_type_from_string (NULL, &t));
    assert_false (kikan_item_type_from_string ("laptop ", &t));
    /* "none" is what an unset type prints; it is not a type one may store. */
    assert_false (kikan_item_type_from_string ("none", &t));
    assert_int_equal (t, KIKAN_ITEM_TYPE_OTHER);
    assert_true (kikan_item_type_from_string ("phone", &t));
    assert_int_equal (t, KIKAN_ITEM_TYPE_PHONE);
    assert_false (kikan_presence_from_string (NULL, &p));
    assert_false (kikan_presence_from_string ("Present", &p));
    assert_int_equal (p, KIKAN_PRESENCE_LOST);
    assert_true (kikan_presence_from_string ("transferred", &p));
    assert_int_equal (p, KIKAN_PRESENCE_TRANSFERRED);
    /* Every free function accepts NULL (STYLE.md rule 4). */
    kikan_verdict_reason_free (NULL);
    kikan_verdict_result_free (NULL);
    kikan_session_verdict_free (NULL);
}

/* Heuristics: Heuristics.Encrypted* is "not inspected"; a count of
 * heuristic hits with none named still holds (and is never MAL-01). */
static void
test_heuristics_edges (void **state)
{
    Fixture f;

    fixture_init (&f);
    add_detection (&f, "Heuristics.Encrypted.Zip", "secret.zip");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *m4 = kikan_verdict_result_find (r, "MAL-04");

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (m4);
        assert_non_null (strstr (m4->text, "secret.zip (Heuristics.Encrypted.Zip)"));
        assert_null (kikan_verdict_result_find (r, "MAL-03"));
        assert_null (kikan_verdict_result_find (r, "MAL-01"));
    }
    fixture_clear (&f);

    /* Two heuristic hits: one MAL-03 line naming the first. */
    fixture_init (&f);
    add_detection (&f, "Heuristics.Phishing.Email", "a.eml");
    add_detection (&f, "Heuristics.OLE2.ContainsMacros", "b.doc");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *m3 = kikan_verdict_result_find (r, "MAL-03");

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (m3);
        assert_non_null (strstr (m3->text, "2 heuristic detections, first "
                                           "Heuristics.Phishing.Email on a.eml"));
        assert_null (kikan_verdict_result_find (r, "MAL-01"));
    }
    fixture_clear (&f);

    /* Heuristic hits only counted (none listed), the result still "clean". */
    fixture_init (&f);
    f.items[0].inspection.n_heuristic = 1;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *m3 = kikan_verdict_result_find (r, "MAL-03");

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (m3);
        assert_non_null (strstr (m3->text, "1 heuristic detection"));
        assert_null (strstr (m3->text, "first"));
        assert_null (kikan_verdict_result_find (r, "MAL-01"));
    }
    f.items[0].inspection.n_heuristic = 3;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_non_null (
            strstr (kikan_verdict_result_find (r, "MAL-03")->text, "3 heuristic detections"));
    }
    fixture_clear (&f);
}

/* One line per code: a later finding of the same code raises the level
 * (an info line becomes a HOLD), a repeated subject is not repeated, and a
 * CONDITIONAL reached by merging carries its condition (KR-28). */
static void
test_findings_merge (void **state)
{
    Fixture f;

    fixture_init (&f);
    add_slip_finding (&f, "SW-01", KIKAN_LEVEL_INFO, "toolA");
    add_slip_finding (&f, "SW-01", KIKAN_LEVEL_HOLD, "toolB");
    add_slip_finding (&f, "SW-01", KIKAN_LEVEL_CONDITIONAL, "toolB");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *sw = kikan_verdict_result_find (r, "SW-01");

        assert_non_null (sw);
        assert_false (sw->info);
        assert_int_equal (sw->level, KIKAN_VERDICT_HOLD);
        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (strstr (sw->text, "toolA; toolB"));
        assert_null (strstr (strstr (sw->text, "toolB") + 1, "toolB"));
    }
    fixture_clear (&f);

    fixture_init (&f);
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_INFO, "kernel");
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_CONDITIONAL, "browser");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *u = kikan_verdict_result_find (r, "UPD-01");

        assert_non_null (u);
        assert_false (u->info);
        assert_int_equal (u->level, KIKAN_VERDICT_CONDITIONAL);
        assert_non_null (u->condition);
        assert_int_equal (r->verdict, KIKAN_VERDICT_CONDITIONAL);
        assert_non_null (kikan_verdict_result_find (r, "PROC-04"));
    }
    fixture_clear (&f);

    /* An info finding never lowers what is already there. */
    fixture_init (&f);
    add_slip_finding (&f, "SW-03", KIKAN_LEVEL_QUARANTINE, "miner");
    add_slip_finding (&f, "SW-03", KIKAN_LEVEL_INFO, "other");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *s3 = kikan_verdict_result_find (r, "SW-03");

        assert_false (s3->info);
        assert_int_equal (s3->level, KIKAN_VERDICT_QUARANTINE);
        assert_int_equal (r->verdict, KIKAN_VERDICT_QUARANTINE);
    }
    fixture_clear (&f);
}

/* A partial scan: what holds or quarantines counts, a CONDITIONAL or info
 * finding is dropped (it would need the whole disk to be true). */
static void
test_partial_findings (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.items[0].inspection.state = KIKAN_INSPECTION_FAILED;
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_CONDITIONAL, "kernel");
    add_slip_finding (&f, "SW-05", KIKAN_LEVEL_INFO, "tool");
    add_slip_finding (&f, "SW-03", KIKAN_LEVEL_QUARANTINE, "miner");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *m4 = kikan_verdict_result_find (r, "MAL-04");

        assert_int_equal (r->verdict, KIKAN_VERDICT_QUARANTINE);
        assert_non_null (kikan_verdict_result_find (r, "SW-03"));
        assert_null (kikan_verdict_result_find (r, "UPD-01"));
        assert_null (kikan_verdict_result_find (r, "SW-05"));
        assert_null (kikan_verdict_result_find (r, "PROC-04"));
        assert_null (kikan_verdict_result_find (r, "MAL-01"));
        /* No detail: the cause alone, no dangling colon. */
        assert_non_null (m4);
        assert_non_null (strstr (m4->text, "inspection failed"));
        assert_null (strstr (m4->text, "inspection failed:"));
    }
    fixture_clear (&f);
}

/* A token that is also a mass-storage device is a medium: presented
 * unread, it is not inspected (MAL-04), never INV-01 alone. */
static void
test_medium_by_interface (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.items[0].type = KIKAN_ITEM_TYPE_TOKEN;
    f.items[0].hw_encrypted = TRUE;
    f.items[0].inspection.state = KIKAN_INSPECTION_NONE;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_int_equal (r->verdict, KIKAN_VERDICT_CLEARED);
        assert_null (kikan_verdict_result_find (r, "MAL-04"));
    }
    f.items[0].offers_storage = TRUE;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *m4 = kikan_verdict_result_find (r, "MAL-04");

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (m4);
        assert_non_null (strstr (m4->text, "no medium was read"));
    }
    /* A medium whose ledger type was never set is a medium too. */
    f.items[0].offers_storage = FALSE;
    f.items[0].type = KIKAN_ITEM_TYPE_NONE;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (kikan_verdict_result_find (r, "MAL-04"));
    }
    fixture_clear (&f);
}

/* KR-47: personal data declared (Q10) makes a plain medium ENC-02 even
 * when the work data typed is "public"; public work data alone does not. */
static void
test_personal_data_needs_encryption (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.items[0].encryption_required = FALSE;
    f.items[0].inspection.encryption = KIKAN_ENCRYPTION_PLAIN;
    f.decl->answer[10] = KIKAN_ANSWER_YES;
    f.decl->q10_classification = KIKAN_CLASSIFICATION_PUBLIC;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_int_equal (r->verdict, KIKAN_VERDICT_CLEARED);
        assert_null (kikan_verdict_result_find (r, "ENC-02"));
    }
    f.decl->q10_personal_data = KIKAN_ANSWER_NOT_SURE;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *e2 = kikan_verdict_result_find (r, "ENC-02");

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (e2);
        assert_non_null (strstr (e2->text, "work data declared on it (Q10)"));
        assert_null (strstr (e2->text, "ledger"));
    }
    /* Declared "no" (unencrypted) and found plain: no mismatch. */
    f.items[0].declared_encrypted = KIKAN_ANSWER_NO;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_null (kikan_verdict_result_find (r, "ENC-06"));
    }
    /* Declared "yes" and found encrypted: no mismatch either. */
    f.items[0].declared_encrypted = KIKAN_ANSWER_YES;
    f.items[0].inspection.encryption = KIKAN_ENCRYPTION_ENCRYPTED;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_null (kikan_verdict_result_find (r, "ENC-06"));
        assert_int_equal (r->verdict, KIKAN_VERDICT_CLEARED);
    }
    fixture_clear (&f);
}

/* A laptop or phone whose disk was read with no operating system found:
 * UPD-04 once, even when a finding already gave UPD-04. */
static void
test_no_system_found (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.items[0].type = KIKAN_ITEM_TYPE_PHONE;
    f.items[0].inspection.n_systems = 0;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *u = kikan_verdict_result_find (r, "UPD-04");

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (u);
        assert_non_null (strstr (u->text, "no operating system"));
    }
    add_slip_finding (&f, "UPD-04", KIKAN_LEVEL_HOLD, "no posture");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        guint n = 0;

        for (guint i = 0; i < r->reasons->len; i++)
            n += strcmp (((KikanVerdictReason *)g_ptr_array_index (r->reasons, i))->code, "UPD-04")
                 == 0;
        assert_int_equal (n, 1);
        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    }
    /* One system measured: no UPD-04 from the engine. */
    g_ptr_array_set_size (f.findings, 0);
    f.items[0].inspection.n_systems = 1;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_null (kikan_verdict_result_find (r, "UPD-04"));
    }
    fixture_clear (&f);
}

/* Stale signatures with no maximum age known: MAL-05 still holds, both on
 * the item and on the session, and says "the allowed number of" days. */
static void
test_stale_without_age (void **state)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;
    KikanVerdictResult *r;
    const KikanVerdictReason *m5;

    fixture_init (&f);
    f.items[0].inspection.signatures = stale_sigs;
    f.items[0].inspection.signatures.max_age_days = 0;
    f.items[0].inspection.signatures.detail = NULL;
    f.ev.signatures = f.items[0].inspection.signatures;
    sv = fixture_run (&f);
    r = g_ptr_array_index (sv->items, 0);
    m5 = kikan_verdict_result_find (r, "MAL-05");
    assert_non_null (m5);
    assert_non_null (strstr (m5->text, "the allowed number of days"));
    assert_non_null (strstr (m5->text, "signatures not known to be fresh"));
    assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    assert_null (kikan_verdict_result_find (r, "MAL-01"));
    m5 = kikan_verdict_result_find (sv->session, "MAL-05");
    assert_non_null (m5);
    assert_non_null (strstr (m5->text, "the allowed number of days"));
    assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
    fixture_clear (&f);
}

/* Holdings without a declaration: media are declared only by items. */
static void
test_holdings_without_declaration (void **state)
{
    Fixture f;
    KikanHoldings h;

    fixture_init (&f);
    f.ev.items = f.items;
    f.ev.n_items = 1;
    f.ev.declaration = NULL;
    kikan_session_evidence_holdings (&f.ev, &h);
    assert_true (h.usb);
    assert_false (h.media_declared);
    f.ev.declaration = f.decl;
    f.decl->answer[9] = KIKAN_ANSWER_NOT_SURE;
    kikan_session_evidence_holdings (&f.ev, &h);
    assert_true (h.media_declared);
    fixture_clear (&f);
}

/* Today's date: exactly YYYY-MM-DD, nothing after the day. */
static void
test_today_strict (void **state)
{
    Fixture f;
    /* sscanf's %u would read the last four as dates: a space or a sign
     * where a digit belongs. */
    const char *bad[] = { "2026-12-3x", "2026x12-03", "2026-12x03", "abcd-ef-gh",
                          "2026- 1-03", "2026-+1-03", "2026-12- 3", " 026-12-03" };

    fixture_init (&f);
    f.ev.items = f.items;
    f.ev.n_items = 1;
    f.ev.declaration = f.decl;
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
        g_autoptr (GError) error = NULL;

        f.ev.today = bad[i];
        assert_null (kikan_verdict_evaluate_session (&f.ev, &error));
        assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_FAILED));
        assert_non_null (strstr (error->message, "YYYY-MM-DD"));
    }
    fixture_clear (&f);
}

/* An IT action to a level that does not exist, or by someone whose name
 * is not valid UTF-8, is refused and changes nothing. */
static void
test_it_action_refusals (void **state)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;
    g_autoptr (GError) error = NULL;
    KikanVerdictResult *r;

    fixture_init (&f);
    f.items[0].inspection.encryption = KIKAN_ENCRYPTION_PLAIN;
    sv = fixture_run (&f);
    r = g_ptr_array_index (sv->items, 0);
    assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    assert_false (kikan_verdict_apply_it_action (r, KIKAN_IT_OVERRIDE,
                                                 (KikanVerdict)KIKAN_VERDICT_N_LEVELS, "IT-7",
                                                 "why", "2026-12-03T14:00:00Z", &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_USAGE));
    assert_non_null (strstr (error->message, "Unknown verdict"));
    g_clear_error (&error);
    assert_false (kikan_verdict_apply_it_action (r, KIKAN_IT_RESOLVE, KIKAN_VERDICT_CLEARED,
                                                 "IT-\xff", "why", "2026-12-03T14:00:00Z",
                                                 &error));
    assert_non_null (strstr (error->message, "identity"));
    assert_false (r->it_acted);
    assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    assert_int_equal (r->it_actions->len, 0);
    fixture_clear (&f);
}

/* Reading back: every member of a reason and of an IT action is required
 * and checked, and a resolve is read back as a resolve. */
static void
test_json_refused_members (void **state)
{
#define RS "{\"verdict\":\"hold\",\"reasons\":["
#define OV "],\"original_verdict\":\"hold\",\"it_actions\":["
    assert_from_json_refuses (RS "{\"provenance\":\"M\",\"level\":\"hold\",\"text\":\"t\"}]}",
                              "\"code\"");
    assert_from_json_refuses (RS "{\"code\":\"MAL-02\",\"level\":\"hold\",\"text\":\"t\"}]}",
                              "\"provenance\"");
    assert_from_json_refuses (RS "{\"code\":\"MAL-02\",\"provenance\":\"M\",\"text\":\"t\"}]}",
                              "\"level\"");
    assert_from_json_refuses (RS "{\"code\":\"MAL-02\",\"provenance\":\"M\",\"level\":\"hold\"}]}",
                              "\"text\"");
    assert_from_json_refuses (RS "{\"code\":\"MAL-02\",\"provenance\":\"M\",\"level\":\"hold\","
                                 "\"text\":\"t\",\"condition\":\"do it\"}]}",
                              "condition");
    assert_from_json_refuses (RS "{\"code\":\"MAL-02\",\"provenance\":\"M\",\"level\":\"hold\","
                                 "\"text\":\"t\",\"condition\":{\"text\":\"x\",\"until\":3}}]}",
                              "until");
    assert_from_json_refuses (RS R1 "],\"original_verdict\":\"gone\",\"it_actions\":[" ACT "]}",
                              "verdict level");
    assert_from_json_refuses (RS R1 "],\"original_verdict\":\"hold\"}", "it_actions");
    assert_from_json_refuses (RS R1 OV "\"x\"]}", "IT action 0 is not an object");
    assert_from_json_refuses (RS R1 OV "{\"kind\":\"resolve\",\"to\":\"cleared\",\"by\":\"a\","
                                       "\"reason\":\"r\",\"at\":\"x\"}]}",
                              "\"from\"");
    assert_from_json_refuses (RS R1 OV "{\"kind\":\"resolve\",\"from\":\"hold\",\"by\":\"a\","
                                       "\"reason\":\"r\",\"at\":\"x\"}]}",
                              "\"to\"");
    assert_from_json_refuses (RS R1 OV "{\"kind\":\"resolve\",\"from\":\"hold\",\"to\":\"hold\","
                                       "\"reason\":\"r\",\"at\":\"x\"}]}",
                              "\"by\"");
    assert_from_json_refuses (RS R1 OV "{\"kind\":\"resolve\",\"from\":\"hold\",\"to\":\"hold\","
                                       "\"by\":\"a\",\"at\":\"x\"}]}",
                              "\"reason\"");
    assert_from_json_refuses (RS R1 OV "{\"kind\":\"resolve\",\"from\":\"hold\",\"to\":\"hold\","
                                       "\"by\":\"a\",\"reason\":\"r\"}]}",
                              "\"at\"");
    assert_from_json_refuses (RS R1 OV "{\"kind\":\"resolve\",\"from\":\"hold\",\"to\":\"hold\","
                                       "\"by\":\"a\",\"reason\":\"\\u200b\",\"at\":\"x\"}]}",
                              "KR-30");
    assert_from_json_refuses (RS R1 OV "{\"kind\":\"resolve\",\"from\":\"hold\",\"to\":\"hold\","
                                       "\"by\":\"a\",\"reason\":\"r\",\"at\":\"\"}]}",
                              "KR-30");
    assert_from_json_refuses (RS R1 "],\"override\":" ACT "}", "without the original");
    {
        g_autoptr (KikanVerdictResult) r = NULL;
        g_autoptr (GError) error = NULL;
        g_autoptr (JsonParser) p = json_parser_new ();

        r = kikan_verdict_result_from_json (NULL, &error);
        assert_null (r);
        assert_non_null (strstr (error->message, "not an object"));
        g_clear_error (&error);
        assert_true (json_parser_load_from_data (
            p,
            RS "{\"code\":\"UPD-01\",\"provenance\":\"M\",\"level\":\"conditional\","
               "\"text\":\"t\",\"condition\":null}" OV
               "{\"kind\":\"resolve\",\"from\":\"hold\",\"to\":\"cleared\",\"by\":\"a\","
               "\"reason\":\"r\",\"at\":\"x\"}]}",
            -1, NULL));
        r = kikan_verdict_result_from_json (json_parser_get_root (p), &error);
        assert_non_null (r);
        assert_true (r->it_acted);
        assert_false (r->overridden);
        assert_int_equal (((KikanItAction *)g_ptr_array_index (r->it_actions, 0))->kind,
                          KIKAN_IT_RESOLVE);
        assert_null (((KikanVerdictReason *)g_ptr_array_index (r->reasons, 0))->condition);
    }
#undef RS
#undef OV
}

/* More merging: a second CONDITIONAL line of a code keeps its one
 * condition, a HOLD after a CONDITIONAL raises it, and a repeated MAL-05
 * (a software-side SIG-STALE with stale kiosk signatures) is one line. */
static void
test_findings_merge_levels (void **state)
{
    Fixture f;

    fixture_init (&f);
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_CONDITIONAL, "kernel");
    add_slip_finding (&f, "UPD-01", KIKAN_LEVEL_CONDITIONAL, "browser");
    add_slip_finding (&f, "SW-01", KIKAN_LEVEL_CONDITIONAL, "toolA");
    add_slip_finding (&f, "SW-01", KIKAN_LEVEL_HOLD, "toolB");
    f.items[0].inspection.signatures = stale_sigs;
    add_slip_finding (&f, "MAL-05", KIKAN_LEVEL_HOLD, "software signatures");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *u = kikan_verdict_result_find (r, "UPD-01");
        const KikanVerdictReason *sw = kikan_verdict_result_find (r, "SW-01");
        guint n_mal05 = 0;

        assert_int_equal (u->level, KIKAN_VERDICT_CONDITIONAL);
        assert_non_null (strstr (u->text, "kernel; browser"));
        assert_string_equal (u->condition, "Install the updates on the remediation segment, "
                                           "then re-check at the kiosk");
        assert_int_equal (sw->level, KIKAN_VERDICT_HOLD);
        for (guint i = 0; i < r->reasons->len; i++)
            n_mal05 += strcmp (((KikanVerdictReason *)g_ptr_array_index (r->reasons, i))->code,
                               "MAL-05")
                       == 0;
        assert_int_equal (n_mal05, 1);
        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);
}

/* A finding of a level this engine does not know holds (fail closed). */
static void
test_finding_unknown_level (void **state)
{
    Fixture f;

    fixture_init (&f);
    add_slip_finding (&f, "SW-05", (KikanLevel)42, "tool");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *x = kikan_verdict_result_find (r, "SW-05");

        assert_non_null (x);
        assert_false (x->info);
        assert_int_equal (x->level, KIKAN_VERDICT_HOLD);
        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);
}

/* An item evaluated without a declaration: the ledger and the register
 * still decide encryption (an unregistered plain medium is ENC-02). */
static void
test_item_without_declaration (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.items[0].asset_id = NULL;
    f.items[0].inspection.encryption = KIKAN_ENCRYPTION_PLAIN;
    {
        g_autoptr (KikanVerdictResult) r = kikan_verdict_evaluate_item (&f.items[0], NULL);
        const KikanVerdictReason *e2 = kikan_verdict_result_find (r, "ENC-02");

        assert_non_null (e2);
        assert_non_null (strstr (e2->text, "an unregistered medium must be encrypted"));
        assert_null (strstr (e2->text, "Q10"));
        assert_non_null (kikan_verdict_result_find (r, "INV-06"));
        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);
}

/* Q7 (KR-22): only a confirmed deletion makes DEC-02 a condition; a blank
 * Q4 text adds no empty detail. */
static void
test_byod_and_blank_detail (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.decl->answer[7] = KIKAN_ANSWER_YES;
    f.decl->byod_data_deleted = KIKAN_ANSWER_YES;
    {
        g_autoptr (KikanSessionVerdict) sv = fixture_run (&f);
        const KikanVerdictReason *d2 = kikan_verdict_result_find (sv->session, "DEC-02");

        assert_int_equal (d2->level, KIKAN_VERDICT_CONDITIONAL);
        assert_non_null (strstr (d2->text, "device not named; deletion of work data confirmed"));
        assert_non_null (d2->condition);
        assert_int_equal (sv->overall, KIKAN_VERDICT_CONDITIONAL);
    }
    f.decl->byod_device = g_strdup ("home PC");
    f.decl->byod_data_deleted = KIKAN_ANSWER_NOT_SURE;
    {
        g_autoptr (KikanSessionVerdict) sv = fixture_run (&f);
        const KikanVerdictReason *d2 = kikan_verdict_result_find (sv->session, "DEC-02");

        assert_int_equal (d2->level, KIKAN_VERDICT_HOLD);
        assert_non_null (strstr (d2->text, "home PC; deletion of work data NOT confirmed"));
        assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);

    fixture_init (&f);
    f.decl->answer[4] = KIKAN_ANSWER_YES;
    f.decl->text[4] = g_strdup ("");
    {
        g_autoptr (KikanSessionVerdict) sv = fixture_run (&f);
        const KikanVerdictReason *s2 = kikan_verdict_result_find (sv->session, "SW-02");

        assert_non_null (s2);
        assert_null (strstr (s2->text, " – "));
        assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);
}

/* DEC-11: one line naming every unanswered question, then Q19; Q19 left
 * unanswered is said once, as "not confirmed". */
static void
test_dec11_lists (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.decl->answer[16] = KIKAN_ANSWER_UNSET;
    f.decl->answer[17] = KIKAN_ANSWER_UNSET;
    f.decl->answer[19] = KIKAN_ANSWER_NO;
    {
        g_autoptr (KikanSessionVerdict) sv = fixture_run (&f);
        const KikanVerdictReason *d = kikan_verdict_result_find (sv->session, "DEC-11");

        assert_non_null (d);
        assert_non_null (strstr (d->text, "not answered: Q16, Q17; answers not confirmed (Q19)"));
        assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);

    fixture_init (&f);
    f.decl->answer[19] = KIKAN_ANSWER_UNSET;
    {
        g_autoptr (KikanSessionVerdict) sv = fixture_run (&f);
        const KikanVerdictReason *d = kikan_verdict_result_find (sv->session, "DEC-11");

        assert_non_null (d);
        assert_null (strstr (d->text, "not answered"));
        assert_non_null (strstr (d->text, "answers not confirmed (Q19)"));
        assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);
}

/* A resolve is shown as a resolve: no "override" member, kind "resolve";
 * and a stored member that is an object, not a string, is refused. */
static void
test_json_resolve_only (void **state)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;
    KikanVerdictResult *r;

    fixture_init (&f);
    f.items[0].inspection.encryption = KIKAN_ENCRYPTION_PLAIN;
    sv = fixture_run (&f);
    r = g_ptr_array_index (sv->items, 0);
    assert_true (kikan_verdict_apply_it_action (r, KIKAN_IT_RESOLVE, KIKAN_VERDICT_CLEARED, "IT-7",
                                                "re-encrypted", "2026-12-03T14:00:00Z", NULL));
    {
        g_autoptr (JsonNode) node = kikan_verdict_result_to_json (r);
        JsonObject *o = json_node_get_object (node);
        JsonObject *a0
            = json_array_get_object_element (json_object_get_array_member (o, "it_actions"), 0);

        assert_false (json_object_has_member (o, "override"));
        assert_string_equal (json_object_get_string_member (a0, "kind"), "resolve");
        assert_string_equal (json_object_get_string_member (o, "original_verdict"), "hold");
    }
    fixture_clear (&f);
    assert_from_json_refuses ("{\"verdict\":\"hold\",\"reasons\":[{\"code\":{},"
                              "\"provenance\":\"M\",\"level\":\"hold\",\"text\":\"t\"}]}",
                              "\"code\" is missing or not a string");
}

/* KR-09: a file over the scan limits was not inspected: MAL-04, never
 * "suspicious" and never clean. */
static void
test_limits_exceeded (void **state)
{
    Fixture f;

    fixture_init (&f);
    add_detection (&f, "Heuristics.Limits.Exceeded.MaxFileSize", "big.iso");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *m4 = kikan_verdict_result_find (r, "MAL-04");

        assert_non_null (m4);
        assert_non_null (strstr (m4->text, "big.iso (Heuristics.Limits.Exceeded.MaxFileSize)"));
        assert_null (kikan_verdict_result_find (r, "MAL-03"));
        assert_null (kikan_verdict_result_find (r, "MAL-02"));
        assert_null (kikan_verdict_result_find (r, "MAL-01"));
        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);
}

/* A medium with no software side (no findings at all) is judged on its
 * scan alone; a session's JSON carries the overall verdict. */
static void
test_no_findings_and_session_json (void **state)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;

    fixture_init (&f);
    f.items[0].inspection.findings = NULL;
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_int_equal (r->verdict, KIKAN_VERDICT_CLEARED);
        assert_non_null (kikan_verdict_result_find (r, "MAL-01"));
    }
    f.items[0].inspection.state = KIKAN_INSPECTION_REMOVED;
    f.items[0].inspection.detail = "pulled out at 40 %";
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);
        const KikanVerdictReason *m4 = kikan_verdict_result_find (r, "MAL-04");

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_non_null (strstr (m4->text, "removed during inspection: pulled out at 40 %"));
        assert_null (kikan_verdict_result_find (r, "MAL-01"));
    }
    sv = fixture_run (&f);
    {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) node = NULL;
        JsonObject *o;

        json_builder_begin_object (b);
        kikan_session_verdict_add_json_members (sv, b);
        json_builder_end_object (b);
        node = json_builder_get_root (b);
        o = json_node_get_object (node);
        /* The overall verdict, not the session's own reasons' (CLEARED). */
        assert_int_equal (sv->session->verdict, KIKAN_VERDICT_CLEARED);
        assert_string_equal (json_object_get_string_member (o, "verdict"), "hold");
        assert_true (json_object_has_member (o, "reasons"));
        assert_false (json_object_has_member (o, "original_verdict"));
    }
    fixture_clear (&f);
}
/* Hostile text reaches JSON as valid UTF-8, verbatim otherwise. */
static void
test_hostile_text (void **state)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;
    g_autoptr (JsonNode) node = NULL;
    g_autofree char *t = NULL;
    g_autoptr (JsonParser) p = json_parser_new ();

    fixture_init (&f);
    f.items[0].inspection.result = KIKAN_SCAN_INFECTED;
    add_detection (&f, "Win.Test\x1b[2J",
                   "\xff\xfe\xe2\x80\xae"
                   "exe.txt");
    sv = fixture_run (&f);
    node = kikan_verdict_result_to_json (g_ptr_array_index (sv->items, 0));
    t = to_text (node);
    assert_true (g_utf8_validate (t, -1, NULL));
    assert_null (strchr (t, '\x1b'));
    assert_true (json_parser_load_from_data (p, t, -1, NULL));
    fixture_clear (&f);
}

/* ---- docs/verdicts.md holds the same table ---- */

static void
test_doc_matches_table (void **state)
{
    g_autofree char *path = g_build_filename (KIKAN_TEST_SOURCE_DIR, "docs", "verdicts.md", NULL);
    g_autofree char *text = NULL;
    g_auto (GStrv) lines = NULL;
    gsize n;
    gsize found = 0;

    (void)kikan_reason_defs (&n);

    if (!g_file_get_contents (path, &text, NULL, NULL))
        fail_msg ("cannot read %s", path);
    lines = g_strsplit (text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        g_auto (GStrv) cells = NULL;
        const KikanReasonDef *def;
        g_autofree char *code = NULL, *level = NULL, *prov = NULL, *by = NULL, *tmpl = NULL;

        if (!g_str_has_prefix (lines[i], "| `"))
            continue;
        cells = g_strsplit (lines[i], "|", -1);
        if (g_strv_length (cells) != 7)
            fail_msg ("docs/verdicts.md line %u: expected 5 cells", i + 1);
        code = g_strstrip (g_strdup (cells[1]));
        level = g_strstrip (g_strdup (cells[2]));
        prov = g_strstrip (g_strdup (cells[3]));
        tmpl = g_strstrip (g_strdup (cells[4]));
        by = g_strstrip (g_strdup (cells[5]));
        if (strlen (code) < 3)
            fail_msg ("docs/verdicts.md line %u: bad code cell", i + 1);
        code[strlen (code) - 1] = '\0';
        def = kikan_reason_def_lookup (code + 1);
        if (def == NULL)
            fail_msg ("docs/verdicts.md line %u: %s is not in reasons.c", i + 1, code + 1);
        if (strcmp (level, kikan_reason_def_level_string (def)) != 0)
            fail_msg ("%s: doc level %s, table %s", def->code, level,
                      kikan_reason_def_level_string (def));
        if (strlen (prov) != 1 || prov[0] != (char)def->provenance)
            fail_msg ("%s: doc provenance %s, table %c", def->code, prov, (char)def->provenance);
        if (strcmp (tmpl, def->text) != 0)
            fail_msg ("%s: doc text \"%s\", table \"%s\"", def->code, tmpl, def->text);
        if (strcmp (by, def->produced_by ? def->produced_by : "this engine") != 0)
            fail_msg ("%s: doc says produced by \"%s\", table \"%s\"", def->code, by,
                      def->produced_by ? def->produced_by : "this engine");
        found++;
    }
    assert_int_equal (found, n);
}

/* ---- misuse, odd evidence and the engine's self-checks (issue #12 item 6) ---- */

/* The library logs under its own domain (kiosk/CMakeLists.txt), not this
 * test's: a guard or self-check that fires says so there. */
#define ENGINE_DOMAIN "kikan"

/* Expects exactly one g_critical() from the engine matching @pattern
 * while @stmt runs; main() makes any other critical fatal, so a check
 * that fires when it should not fails the test too. */
#define EXPECT_CRITICAL(pattern, stmt)                                                            \
    do {                                                                                          \
        g_test_expect_message (ENGINE_DOMAIN, G_LOG_LEVEL_CRITICAL, pattern);                     \
        stmt;                                                                                     \
        g_test_assert_expected_messages ();                                                       \
    } while (0)

/* Out-of-range enums are a caller's bug: loud (a g_return_val_if_fail
 * critical), and then the unset name, never an index past the table. */
static void
test_names_out_of_range (void **state)
{
    const char *s = NULL;

    assert_string_equal (kikan_item_type_to_string (KIKAN_ITEM_TYPE_LAPTOP), "laptop");
    assert_string_equal (kikan_item_type_to_string (KIKAN_ITEM_TYPE_OTHER), "other");
    EXPECT_CRITICAL ("*assertion*", s = kikan_item_type_to_string ((KikanItemType)6));
    assert_string_equal (s, "none");
    EXPECT_CRITICAL ("*assertion*", s = kikan_item_type_to_string ((KikanItemType)-1));
    assert_string_equal (s, "none");
    assert_string_equal (kikan_presence_to_string (KIKAN_PRESENCE_TRANSFERRED), "transferred");
    EXPECT_CRITICAL ("*assertion*", s = kikan_presence_to_string ((KikanPresence)7));
    assert_string_equal (s, "undeclared");
}

/* The guards at the engine's entry points: a critical, then a value that
 * never clears anything. */
static void
test_entry_guards (void **state)
{
    Fixture f;
    KikanVerdictResult *r = NULL;
    KikanSessionVerdict *sv = (KikanSessionVerdict *)&f; /* must become NULL */
    gboolean ok = TRUE;
    g_autoptr (GError) error = NULL;

    /* No item: a result all the same ("never NULL"), and HOLD, not the
     * CLEARED of a zeroed result. */
    EXPECT_CRITICAL ("*assertion*", r = kikan_verdict_evaluate_item (NULL, NULL));
    assert_non_null (r);
    assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    assert_int_equal (r->reasons->len, 0);
    kikan_verdict_result_free (r);

    EXPECT_CRITICAL ("*assertion*", sv = kikan_verdict_evaluate_session (NULL, &error));
    assert_null (sv);

    /* Items counted but not given: refused rather than read from NULL. */
    fixture_init (&f);
    f.ev.declaration = f.decl;
    f.ev.items = NULL;
    f.ev.n_items = 1;
    sv = (KikanSessionVerdict *)&f;
    EXPECT_CRITICAL ("*assertion*", sv = kikan_verdict_evaluate_session (&f.ev, &error));
    assert_null (sv);
    /* No items at all is a session, not a misuse. */
    f.ev.n_items = 0;
    sv = kikan_verdict_evaluate_session (&f.ev, &error);
    assert_non_null (sv);
    kikan_session_verdict_free (sv);
    fixture_clear (&f);

    EXPECT_CRITICAL ("*assertion*", ok = kikan_verdict_apply_it_action (
                                        NULL, KIKAN_IT_RESOLVE, KIKAN_VERDICT_CLEARED, "it-01",
                                        "checked", "2026-12-03T10:00:00Z", &error));
    assert_false (ok);
    assert_null (error);
}

/* An inspection state outside the enum (a damaged store row, a newer
 * caller) fails closed: not inspected (MAL-04, KR-10), HOLD, nothing
 * credited from it (no MAL-01, no ENC-01); what it did find still counts,
 * as for a failed scan. */
static void
test_unknown_inspection_state (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.items[0].inspection.state = (KikanInspectionState)42;
    f.items[0].inspection.detail = "state from the future";
    {
        g_autoptr (KikanSessionVerdict) sv = fixture_run (&f);
        const KikanVerdictResult *r = g_ptr_array_index (sv->items, 0);
        const KikanVerdictReason *m4 = kikan_verdict_result_find (r, "MAL-04");

        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
        assert_non_null (m4);
        assert_non_null (strstr (m4->text, "inspection state unknown: state from the future"));
        assert_null (kikan_verdict_result_find (r, "MAL-01"));
        assert_null (kikan_verdict_result_find (r, "ENC-01"));
        assert_non_null (kikan_verdict_result_find (r, "INV-01"));
    }
    add_detection (&f, "Win.Test.EICAR_HDB-1", "/eicar.com");
    {
        g_autoptr (KikanVerdictResult) r = item_of (&f);

        assert_int_equal (r->verdict, KIKAN_VERDICT_QUARANTINE);
        assert_non_null (kikan_verdict_result_find (r, "MAL-02"));
        assert_non_null (kikan_verdict_result_find (r, "MAL-04"));
    }
    fixture_clear (&f);
}

#ifdef KIKAN_COVERAGE_DIR
/* The gcov runtime's, as in scanner/coverage-private.h (not on this
 * test's include path). */
void __gcov_dump (void);
#endif

/* Stops the child with SIGABRT after writing its gcov counters, which
 * abort() would lose: a coverage build then sees the branch it took. */
static void
flush_and_abort (int sig)
{
#ifdef KIKAN_COVERAGE_DIR
    __gcov_dump ();
#endif
    signal (sig, SIG_DFL);
    raise (sig);
}

/* A reason code not in the table is a bug in this file: the engine
 * stops (g_assert) rather than print a slip line with no text or level. */
static void
test_unknown_code_aborts (void **state)
{
    int status = 0;
    pid_t pid = fork ();

    assert_true (pid >= 0);
    if (pid == 0) {
        g_autoptr (KikanVerdictResult) r = kikan_verdict_result_new ();
        struct rlimit none = { 0, 0 };
        int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);

        /* The expected assertion message and core would only be noise, and
         * GLib writes "Bail out!" to stdout, which a TAP reader obeys. */
        setrlimit (RLIMIT_CORE, &none);
        if (null >= 0) {
            dup2 (null, STDOUT_FILENO);
            dup2 (null, STDERR_FILENO);
        }
        signal (SIGABRT, flush_and_abort);
        /* A known code passes ... */
        if (kikan_verdict_result_add_reason (r, "INV-01", KIKAN_PROVENANCE_MEASURED, NULL) == NULL)
            _exit (3);
        /* ... an unknown one must not return. */
        kikan_verdict_result_add_reason (r, "XYZ-99", KIKAN_PROVENANCE_MEASURED, NULL);
        _exit (4);
    }
    assert_int_equal (waitpid (pid, &status, 0), pid);
    if (!WIFSIGNALED (status) || WTERMSIG (status) != SIGABRT)
        fail_msg ("unknown reason code: wait status 0x%x, expected SIGABRT", status);
}

/* The self-check of one item: a result with no reason at all cannot be
 * explained on the slip, so it is held whatever it claimed. */
static void
test_self_check_item_without_reason (void **state)
{
    g_autoptr (KikanVerdictResult) r = kikan_verdict_result_new ();

    r->verdict = KIKAN_VERDICT_CLEARED;
    EXPECT_CRITICAL ("*item with no reason*", kikan_verdict_result_finish (r));
    assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
    /* With a reason, finishing is the worst of the reasons, and quiet. */
    kikan_verdict_result_add_reason (r, "INV-01", KIKAN_PROVENANCE_MEASURED, NULL);
    kikan_verdict_result_finish (r);
    assert_int_equal (r->verdict, KIKAN_VERDICT_CLEARED);
    kikan_verdict_result_add_reason (r, "ENC-03", KIKAN_PROVENANCE_MEASURED, NULL);
    kikan_verdict_result_finish (r);
    assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
}

/* The session's self-check (KR-03, KR-10, KR-12).  Each case starts from
 * a real CLEARED session of the fixture, then breaks the evidence (or the
 * item's reasons) behind the verdict's back, so that the verdict claims
 * CLEARED while the evidence forbids it: the check must hold it and say
 * why.  A self-check that is removed or weakened fails here. */
typedef enum {
    BREAK_NOTHING,
    BREAK_NOT_LENT_ABSENT,    /* not a break: KR-03 is about lent items */
    BREAK_SESSION_SIGNATURES, /* KR-12, MAL-05 */
    BREAK_LENT_ITEM_MISSING,  /* KR-03 */
    BREAK_ITEM_MAL04,         /* KR-10, MAL-04 */
    BREAK_ITEM_MAL05,         /* KR-12, MAL-05 */
    BREAK_INSPECTION_STALE,   /* KR-12: scanned with stale signatures */
    BREAK_ITEM_NO_MAL01,      /* KR-10: inspected, and nothing vouches for it */
} Break;

/* One case, with the session claiming @claim (CLEARED or CONDITIONAL:
 * both let the item go); @critical names CLEARED, and is matched with
 * @claim's name in its place. */
static void
check_invariants_claim (Break what, const char *critical, KikanVerdict claim)
{
    Fixture f;
    g_autoptr (KikanSessionVerdict) sv = NULL;
    g_autofree char *pattern = NULL;
    KikanVerdictResult *item;

    fixture_init (&f);
    sv = fixture_run (&f);
    assert_int_equal (sv->overall, KIKAN_VERDICT_CLEARED);
    item = g_ptr_array_index (sv->items, 0);
    assert_non_null (kikan_verdict_result_find (item, "MAL-01"));
    switch (what) {
    case BREAK_NOTHING:
        break;
    case BREAK_NOT_LENT_ABSENT:
        f.items[0].lent = FALSE;
        f.items[0].presence = KIKAN_PRESENCE_AT_HOME;
        f.items[0].inspection.state = KIKAN_INSPECTION_NONE;
        break;
    case BREAK_SESSION_SIGNATURES:
        f.ev.signatures = stale_sigs;
        break;
    case BREAK_LENT_ITEM_MISSING:
        f.items[0].presence = KIKAN_PRESENCE_LOST;
        break;
    case BREAK_ITEM_MAL04:
        kikan_verdict_result_add_reason (item, "MAL-04", KIKAN_PROVENANCE_MEASURED, NULL);
        break;
    case BREAK_ITEM_MAL05:
        kikan_verdict_result_add_reason (item, "MAL-05", KIKAN_PROVENANCE_MEASURED, NULL);
        break;
    case BREAK_INSPECTION_STALE:
        f.items[0].inspection.signatures = stale_sigs;
        break;
    case BREAK_ITEM_NO_MAL01:
        /* The same item's result without its MAL-01, still CLEARED. */
        item = kikan_verdict_result_new ();
        kikan_verdict_result_add_reason (item, "INV-01", KIKAN_PROVENANCE_MEASURED, NULL);
        kikan_verdict_result_finish (item);
        g_ptr_array_remove_index (sv->items, 0);
        g_ptr_array_insert (sv->items, 0, item);
        break;
    }
    /* The item and the session still claim to let it go. */
    assert_int_equal (item->verdict, KIKAN_VERDICT_CLEARED);
    sv->overall = claim;
    if (critical == NULL) {
        kikan_session_verdict_check_invariants (sv, &f.ev);
        assert_int_equal (sv->overall, claim);
    } else {
        g_auto (GStrv) parts = g_strsplit (critical, "CLEARED", 2);

        pattern = g_strjoinv (claim == KIKAN_VERDICT_CLEARED ? "CLEARED" : "CONDITIONAL", parts);
        EXPECT_CRITICAL (pattern, kikan_session_verdict_check_invariants (sv, &f.ev));
        assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
    }
    /* A verdict at HOLD or above is never touched (nor lowered). */
    sv->overall = KIKAN_VERDICT_QUARANTINE;
    kikan_session_verdict_check_invariants (sv, &f.ev);
    assert_int_equal (sv->overall, KIKAN_VERDICT_QUARANTINE);
    fixture_clear (&f);
}

static void
check_invariants_case (Break what, const char *critical)
{
    check_invariants_claim (what, critical, KIKAN_VERDICT_CLEARED);
    check_invariants_claim (what, critical, KIKAN_VERDICT_CONDITIONAL);
}

static void
test_self_check_consistent_kept (void **state)
{
    check_invariants_case (BREAK_NOTHING, NULL);
    check_invariants_case (BREAK_NOT_LENT_ABSENT, NULL);
}

static void
test_self_check_kr12_session_signatures (void **state)
{
    check_invariants_case (BREAK_SESSION_SIGNATURES,
                           "*overall CLEARED although signatures stale*");
}

static void
test_self_check_kr03_lent_item_missing (void **state)
{
    check_invariants_case (BREAK_LENT_ITEM_MISSING, "*overall CLEARED although*KR-03*");
}

static void
test_self_check_kr10_mal04 (void **state)
{
    check_invariants_case (BREAK_ITEM_MAL04, "*overall CLEARED although content not inspected*");
}

static void
test_self_check_kr12_mal05 (void **state)
{
    check_invariants_case (BREAK_ITEM_MAL05, "*overall CLEARED although*MAL-04, MAL-05*");
}

static void
test_self_check_kr12_inspection_stale (void **state)
{
    check_invariants_case (BREAK_INSPECTION_STALE,
                           "*overall CLEARED although an inspection ran with stale*");
}

static void
test_self_check_kr10_no_mal01 (void **state)
{
    check_invariants_case (BREAK_ITEM_NO_MAL01, "*overall CLEARED although*MAL-01, KR-10*");
}

/* A scan result outside the enum (a damaged row, a newer caller) is no
 * result, as an unknown inspection state is: HOLD with MAL-04, never a
 * CLEARED item without "no malware found" (found by a hostile review). */
static void
test_unknown_scan_result_not_inspected (void **state)
{
    Fixture f;

    fixture_init (&f);
    f.items[0].inspection.result = (KikanScanResult)42;
    {
        g_autoptr (KikanSessionVerdict) sv = fixture_run (&f);
        const KikanVerdictResult *r = g_ptr_array_index (sv->items, 0);
        const KikanVerdictReason *mal04 = kikan_verdict_result_find (r, "MAL-04");

        assert_null (kikan_verdict_result_find (r, "MAL-01"));
        assert_non_null (mal04);
        assert_non_null (strstr (mal04->text, "scan result unknown"));
        assert_int_equal (r->verdict, KIKAN_VERDICT_HOLD);
        assert_int_equal (sv->overall, KIKAN_VERDICT_HOLD);
    }
    fixture_clear (&f);
}

int
main (int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_table_sane),
        cmocka_unit_test (test_rows),
        cmocka_unit_test (test_rows_cover_table),
        cmocka_unit_test (test_invariants_grid),
        cmocka_unit_test (test_bad_evidence),
        cmocka_unit_test (test_zeroed_item),
        cmocka_unit_test (test_it_actions),
        cmocka_unit_test (test_session_it_action),
        cmocka_unit_test (test_json_round_trip),
        cmocka_unit_test (test_json_refused),
        cmocka_unit_test (test_hostile_text),
        cmocka_unit_test (test_doc_matches_table),
        cmocka_unit_test (test_names_strict),
        cmocka_unit_test (test_heuristics_edges),
        cmocka_unit_test (test_findings_merge),
        cmocka_unit_test (test_partial_findings),
        cmocka_unit_test (test_merge_raised_to_hold_drops_condition),
        cmocka_unit_test (test_medium_by_interface),
        cmocka_unit_test (test_personal_data_needs_encryption),
        cmocka_unit_test (test_no_system_found),
        cmocka_unit_test (test_stale_without_age),
        cmocka_unit_test (test_holdings_without_declaration),
        cmocka_unit_test (test_today_strict),
        cmocka_unit_test (test_it_action_refusals),
        cmocka_unit_test (test_json_refused_members),
        cmocka_unit_test (test_findings_merge_levels),
        cmocka_unit_test (test_finding_unknown_level),
        cmocka_unit_test (test_item_without_declaration),
        cmocka_unit_test (test_byod_and_blank_detail),
        cmocka_unit_test (test_dec11_lists),
        cmocka_unit_test (test_json_resolve_only),
        cmocka_unit_test (test_limits_exceeded),
        cmocka_unit_test (test_no_findings_and_session_json),
        cmocka_unit_test (test_names_out_of_range),
        cmocka_unit_test (test_entry_guards),
        cmocka_unit_test (test_unknown_inspection_state),
        cmocka_unit_test (test_unknown_code_aborts),
        cmocka_unit_test (test_self_check_item_without_reason),
        cmocka_unit_test (test_self_check_consistent_kept),
        cmocka_unit_test (test_self_check_kr12_session_signatures),
        cmocka_unit_test (test_self_check_kr03_lent_item_missing),
        cmocka_unit_test (test_self_check_kr10_mal04),
        cmocka_unit_test (test_self_check_kr12_mal05),
        cmocka_unit_test (test_self_check_kr12_inspection_stale),
        cmocka_unit_test (test_self_check_kr10_no_mal01),
        cmocka_unit_test (test_unknown_scan_result_not_inspected),
    };

    if (argc > 1 && strcmp (argv[1], "--print-doc-table") == 0) {
        gsize n;
        const KikanReasonDef *defs = kikan_reason_defs (&n);

        for (gsize i = 0; i < n; i++)
            printf ("| `%s` | %s | %c | %s | %s |\n", defs[i].code,
                    kikan_reason_def_level_string (&defs[i]), (char)defs[i].provenance,
                    defs[i].text, defs[i].produced_by ? defs[i].produced_by : "this engine");
        return 0;
    }
    /* The engine's own invariant checks log criticals: they must never fire. */
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests (tests, NULL, NULL);
}
