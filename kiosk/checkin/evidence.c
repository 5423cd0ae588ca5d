/* Kikan kiosk: an inspection's report distilled into evidence
 * (evidence-private.h). */
#include "evidence-private.h"

#include <string.h>

#include "posture-private.h"
#include "software-facts-private.h"

/* Files not inspected kept by name per medium; the count is always exact. */
#define MAX_SKIPPED 1000

static void
detection_free (gpointer p)
{
    KikanDetectionRecord *d = p;

    g_free (d->signature);
    g_free (d->path);
    g_free (d->sha256);
    g_free (d);
}

static void
skipped_free (gpointer p)
{
    KikanSkipped *s = p;

    g_free (s->path);
    g_free (s->reason);
    g_free (s->detail);
    g_free (s);
}

void
kikan_inspection_summary_free (KikanInspectionSummary *s)
{
    if (s == NULL)
        return;
    g_free (s->result);
    g_free (s->status_detail);
    g_clear_pointer (&s->detections, g_ptr_array_unref);
    g_clear_pointer (&s->skipped, g_ptr_array_unref);
    g_free (s->encryption_kinds);
    g_clear_pointer (&s->software, g_ptr_array_unref);
    g_free (s->signatures_invalid);
    g_free (s->engine_version);
    g_free (s->db_version);
    g_free (s->db_time);
    g_free (s->sandbox);
    g_free (s);
}

static gboolean
is_heuristic (const char *name)
{
    /* Limit alerts say "not fully inspected" (MAL-04), not "suspicious". */
    return g_str_has_prefix (name, "Heuristics.")
           && !g_str_has_prefix (name, "Heuristics.Limits.Exceeded");
}

static void
add_detections (KikanInspectionSummary *s, const KikanFileReport *r)
{
    for (gsize i = 0; i < r->n_signatures; i++) {
        KikanDetectionRecord *d;

        if (is_heuristic (r->signatures[i]))
            s->n_heuristic++;
        if (g_str_has_prefix (r->signatures[i], "Heuristics.Limits.Exceeded"))
            continue;
        d = g_new0 (KikanDetectionRecord, 1);
        d->signature = g_strdup (r->signatures[i]);
        d->path = g_strdup (r->path);
        d->sha256 = g_strdup (r->sha256);
        g_ptr_array_add (s->detections, d);
    }
}

static void
add_kind (GString *kinds, const char *kind)
{
    g_auto (GStrv) have = g_strsplit (kinds->str, ",", -1);

    if (kinds->len > 0 && g_strv_contains ((const char *const *)have, kind))
        return;
    g_string_append_printf (kinds, "%s%s", kinds->len ? "," : "", kind);
}

/* What the volumes say about encryption (KR-13).  A volume with no file
 * system and no encryption header adds nothing known: unknown. */
static void
summarise_volumes (KikanInspectionSummary *s, KikanScanReport *report, guint target)
{
    guint n = kikan_scan_report_get_n_volumes (report, target);
    gboolean plain = FALSE, encrypted = FALSE, unknown = FALSE;
    g_autoptr (GString) kinds = g_string_new (NULL);

    for (guint i = 0; i < n; i++) {
        const KikanVolumeReport *v = kikan_scan_report_get_volume (report, target, i);

        switch (v->volume.encryption) {
        case KIKAN_ENC_NONE:
            if (v->volume.filesystem != NULL)
                plain = TRUE;
            else if (v->reason != KIKAN_VOLUME_REASON_NONE)
                unknown = TRUE;
            break;
        case KIKAN_ENC_UNKNOWN:
            unknown = TRUE;
            break;
        default:
            encrypted = TRUE;
            add_kind (kinds, kikan_encryption_to_string (v->volume.encryption));
            if (v->volume.unlocked)
                s->unlocked = TRUE;
            else
                s->locked = TRUE;
            break;
        }
    }
    /* A folder or a single file has no volumes: nothing says how it is
     * stored, so its encryption is not known (ENC-03), never "plain". */
    if (unknown || (!plain && !encrypted))
        s->encryption = KIKAN_MEDIUM_ENC_UNKNOWN;
    else if (plain && encrypted)
        s->encryption = KIKAN_MEDIUM_ENC_MIXED;
    else if (encrypted)
        s->encryption = KIKAN_MEDIUM_ENC_ENCRYPTED;
    else
        s->encryption = KIKAN_MEDIUM_ENC_NONE;
    s->encryption_kinds = kinds->len ? g_strdup (kinds->str) : NULL;
}

static void
summarise_engine (KikanInspectionSummary *s, KikanScanReport *report)
{
    const KikanEngineInfo *e = kikan_scan_report_get_engine_info (report);
    g_autoptr (GString) dbs = g_string_new (NULL);

    if (e == NULL)
        return;
    s->engine_version = g_strdup (e->engine_version);
    for (gsize i = 0; i < e->n_dbs; i++)
        if (e->dbs[i].is_signed)
            g_string_append_printf (dbs, "%s%s %u", dbs->len ? ", " : "", e->dbs[i].name,
                                    e->dbs[i].version);
    s->db_version = dbs->len ? g_strdup (dbs->str) : NULL;
    if (e->newest_signed_build_time > 0) {
        g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (e->newest_signed_build_time);

        s->db_time = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
    }
}

KikanInspectionSummary *
kikan_inspection_summary_new_from_report (KikanScanReport *report, guint target, gint64 now)
{
    KikanInspectionSummary *s = g_new0 (KikanInspectionSummary, 1);
    KikanSoftwareFacts *sw;
    const char *sandbox;
    const char *detail;

    s->detections = g_ptr_array_new_with_free_func (detection_free);
    s->skipped = g_ptr_array_new_with_free_func (skipped_free);
    s->software = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_finding_free);
    s->result
        = g_strdup (kikan_result_to_string (kikan_scan_report_get_target_result (report, target)));
    s->complete = kikan_scan_report_get_target_status (report, target) == KIKAN_TARGET_COMPLETE;
    detail = kikan_scan_report_get_target_detail (report, target);
    s->status_detail = detail != NULL && detail[0] != '\0' ? g_strdup (detail) : NULL;
    kikan_scan_report_get_target_counts (report, target, &s->files, &s->bytes, NULL,
                                         &s->n_not_inspected);
    for (guint i = 0; i < kikan_scan_report_get_n_files (report); i++) {
        guint t = 0;
        const KikanFileReport *r = kikan_scan_report_get_file (report, i, &t);

        if (t != target)
            continue;
        add_detections (s, r);
        if (r->result == KIKAN_RESULT_NOT_INSPECTED && s->skipped->len < MAX_SKIPPED) {
            KikanSkipped *k = g_new0 (KikanSkipped, 1);

            k->path = g_strdup (r->path);
            k->reason = g_strdup (kikan_reason_to_string (r->reason));
            k->detail = g_strdup (r->reason_detail);
            g_ptr_array_add (s->skipped, k);
        }
    }
    summarise_volumes (s, report, target);
    summarise_engine (s, report);
    sw = kikan_scan_report_get_software (report, target);
    if (sw != NULL) {
        GPtrArray *findings = kikan_software_facts_get_findings (sw);

        s->n_systems = kikan_software_facts_get_n_systems (sw);

        for (guint i = 0; findings != NULL && i < findings->len; i++) {
            const KikanFinding *f = findings->pdata[i];

            g_ptr_array_add (s->software, kikan_finding_new (f->code, f->level, f->subject,
                                                             f->source, g_strdup (f->detail)));
        }
    }
    s->signatures_invalid = kikan_scan_report_dup_signatures_invalid (report, now);
    sandbox = kikan_scan_report_get_target_sandbox (report, target);
    s->sandbox = g_strdup (sandbox);
    return s;
}
