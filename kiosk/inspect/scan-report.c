/* Kikan kiosk: what one `kikan scan` found, and how it is told. */
#include "scan-report-private.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db-sources-private.h"
#include "escape-private.h"
#include "format-private.h"
#include "software-facts-private.h"
#include "test-seams-private.h"

#define MAX_MEMBER_LINES 20
#define MAX_LINK_LINES 20

typedef struct {
    KikanVolumeReport report;
    KikanResult worst_file;   /* of the files "p<index>:/…" */
} Volume;

typedef struct {
    char *name;
    gboolean is_dir;
    gboolean ended;
    KikanTargetStatus status;
    char *detail;
    char *sandbox;
    double seconds;
    KikanResult worst_file;
    guint64 files, bytes, clean, infected, not_inspected;
    guint64 links;            /* symbolic links: clean, never followed (of "clean") */
    guint64 links_shown;      /* link lines shown as they came */
    KikanTargetKind kind;
    guint64 size;
    gboolean secrets_given;
    gboolean wrong_secret;
    GArray *volumes;          /* Volume */
    KikanSoftwareFacts *sw;   /* programs, installed software, OS facts (issue #4) */
    gboolean interrupted;     /* cut short or never started by SIGINT/SIGTERM */
} Target;

typedef struct {
    guint target;
    KikanFileReport report;
} File;

struct KikanScanReport {
    gboolean keep_clean_files;
    GArray *targets;   /* Target */
    GArray *files;     /* File */
    KikanEngineInfo *engine;
    guint max_age_days;
    double seconds;
    gboolean software_evaluated;
    gboolean interrupted;
};

static void
volume_clear (gpointer p)
{
    kikan_volume_report_clear (&((Volume *) p)->report);
}

static void
target_clear (gpointer p)
{
    Target *t = p;

    g_free (t->name);
    g_free (t->detail);
    g_free (t->sandbox);
    g_clear_pointer (&t->volumes, g_array_unref);
    g_clear_pointer (&t->sw, kikan_software_facts_free);
}

static void
file_clear (gpointer p)
{
    kikan_file_report_clear (&((File *) p)->report);
}

KikanScanReport *
kikan_scan_report_new (gboolean keep_clean_files)
{
    KikanScanReport *self = g_new0 (KikanScanReport, 1);

    self->keep_clean_files = keep_clean_files;
    self->targets = g_array_new (FALSE, TRUE, sizeof (Target));
    g_array_set_clear_func (self->targets, target_clear);
    self->files = g_array_new (FALSE, TRUE, sizeof (File));
    g_array_set_clear_func (self->files, file_clear);
    self->max_age_days = 7;
    return self;
}

void
kikan_scan_report_free (KikanScanReport *self)
{
    if (self == NULL)
        return;
    g_array_unref (self->targets);
    g_array_unref (self->files);
    if (self->engine != NULL) {
        kikan_engine_info_clear (self->engine);
        free (self->engine);
    }
    g_free (self);
}

static Target *
get_target (KikanScanReport *self, guint i)
{
    g_assert (i < self->targets->len);
    return &g_array_index (self->targets, Target, i);
}

guint
kikan_scan_report_add_target (KikanScanReport *self, const char *name, gboolean is_dir)
{
    Target t = { 0 };

    g_return_val_if_fail (self != NULL && name != NULL, 0);
    t.name = g_strdup (name);
    t.is_dir = is_dir;
    t.kind = is_dir ? KIKAN_TARGET_KIND_DIRECTORY : KIKAN_TARGET_KIND_FILE;
    t.worst_file = KIKAN_RESULT_CLEAN;
    t.status = KIKAN_TARGET_ERROR;
    t.volumes = g_array_new (FALSE, TRUE, sizeof (Volume));
    g_array_set_clear_func (t.volumes, volume_clear);
    t.sw = kikan_software_facts_new ();
    g_array_append_val (self->targets, t);
    return self->targets->len - 1;
}

void
kikan_scan_report_set_target_kind (KikanScanReport *self, guint target, KikanTargetKind kind,
                                   guint64 size, gboolean secrets_given)
{
    Target *t;

    g_return_if_fail (self != NULL);
    t = get_target (self, target);
    t->kind = kind;
    t->is_dir = kind == KIKAN_TARGET_KIND_DIRECTORY;
    t->size = size;
    t->secrets_given = secrets_given;
}

/* The volume a medium's file belongs to: its path starts "p<index>:". */
static Volume *
volume_of_path (Target *t, const char *path)
{
    guint64 idx;
    char *end = NULL;

    if (t->volumes->len == 0 || path == NULL || path[0] != 'p' || !g_ascii_isdigit (path[1]))
        return NULL;
    idx = g_ascii_strtoull (path + 1, &end, 10);
    if (end == NULL || *end != ':')
        return NULL;
    for (guint i = 0; i < t->volumes->len; i++) {
        Volume *v = &g_array_index (t->volumes, Volume, i);

        if (v->report.volume.index == idx)
            return v;
    }
    return NULL;
}

void
kikan_scan_report_add_volume (KikanScanReport *self, guint target, const KikanVolumeReport *v)
{
    Target *t;
    Volume vol = { 0 };

    g_return_if_fail (self != NULL && v != NULL);
    t = get_target (self, target);
    if (kikan_volume_copy (&vol.report.volume, &v->volume) != 0)
        g_error ("out of memory copying a volume report");
    vol.report.result = v->result;
    vol.report.reason = v->reason;
    vol.worst_file = KIKAN_RESULT_CLEAN;
    g_array_append_val (t->volumes, vol);
}

void
kikan_scan_report_reset_target (KikanScanReport *self, guint target)
{
    Target *t;

    g_return_if_fail (self != NULL);
    t = get_target (self, target);
    for (guint i = self->files->len; i > 0; i--)
        if (g_array_index (self->files, File, i - 1).target == target)
            g_array_remove_index (self->files, i - 1);
    g_array_set_size (t->volumes, 0);
    kikan_software_facts_free (t->sw);
    t->sw = kikan_software_facts_new ();
    g_clear_pointer (&t->detail, g_free);
    g_clear_pointer (&t->sandbox, g_free);
    t->ended = FALSE;
    t->interrupted = FALSE;
    t->status = KIKAN_TARGET_ERROR;
    t->wrong_secret = FALSE;
    t->seconds = 0;
    t->worst_file = KIKAN_RESULT_CLEAN;
    t->files = t->bytes = t->clean = t->infected = t->not_inspected = 0;
    t->links = t->links_shown = 0;
}

KikanResult
kikan_result_worst (KikanResult a, KikanResult b)
{
    if (a == KIKAN_RESULT_INFECTED || b == KIKAN_RESULT_INFECTED)
        return KIKAN_RESULT_INFECTED;
    if (a == KIKAN_RESULT_CLEAN && b == KIKAN_RESULT_CLEAN)
        return KIKAN_RESULT_CLEAN;
    /* Anything else, including a value we do not know, was not inspected. */
    return KIKAN_RESULT_NOT_INSPECTED;
}

int
kikan_result_to_exit_status (KikanResult r)
{
    switch (r) {
    case KIKAN_RESULT_CLEAN:
        return 0;
    case KIKAN_RESULT_INFECTED:
        return 1;
    case KIKAN_RESULT_NOT_INSPECTED:
    default:
        return 2;
    }
}

void
kikan_scan_report_add_file (KikanScanReport *self, guint target, const KikanFileReport *r)
{
    Target *t;
    KikanResult res;

    g_return_if_fail (self != NULL && r != NULL);
    t = get_target (self, target);
    res = kikan_result_worst (r->result, KIKAN_RESULT_CLEAN);
    t->worst_file = kikan_result_worst (t->worst_file, res);
    {
        Volume *v = volume_of_path (t, r->path);

        if (v != NULL)
            v->worst_file = kikan_result_worst (v->worst_file, res);
    }
    kikan_software_facts_add_file (t->sw, r);
    t->files++;
    t->bytes += r->size;
    /* A link holds no content of its own and is never followed: it does
     * not hold the medium (issue #8), and is counted as clean, apart. */
    if (res == KIKAN_RESULT_CLEAN && (r->flags & KIKAN_FILE_FLAG_SYMLINK) != 0)
        t->links++;
    if (res == KIKAN_RESULT_CLEAN)
        t->clean++;
    else if (res == KIKAN_RESULT_INFECTED)
        t->infected++;
    else
        t->not_inspected++;
    if (res != KIKAN_RESULT_CLEAN || self->keep_clean_files) {
        File f = { .target = target };

        if (kikan_file_report_copy (&f.report, r) != 0)
            g_error ("out of memory copying a file report");
        g_array_append_val (self->files, f);
    }
}

void
kikan_scan_report_add_inventory (KikanScanReport *self, guint target, const KikanInventory *inv)
{
    g_return_if_fail (self != NULL && inv != NULL);
    kikan_software_facts_add_inventory (get_target (self, target)->sw, inv);
}

static const char *status_to_string (KikanTargetStatus s);

char *
kikan_scan_report_dup_signatures_invalid (KikanScanReport *self, gint64 now)
{
    double age = 0;
    KikanDbAge state;
    g_autofree char *ago = NULL;

    g_return_val_if_fail (self != NULL, NULL);
    /* No engine info is no signature anyone can vouch for: fail closed. */
    state = kikan_db_age_assess (self->engine != NULL ? self->engine->newest_signed_build_time
                                                      : 0,
                                 self->max_age_days, now, &age);
    switch (state) {
    case KIKAN_DB_AGE_FRESH:
        return NULL;
    case KIKAN_DB_AGE_STALE:
        if (age < 0)
            return g_strdup ("were built in the future (check the kiosk clock), so their age "
                             "cannot be known");
        ago = kikan_format_age_days (age);
        return g_strdup_printf ("are %s old, more than the %u days allowed", ago,
                                self->max_age_days);
    case KIKAN_DB_AGE_NONE:
    default:
        return g_strdup ("include no official (signed .cvd/.cld) ClamAV database, so their "
                         "age cannot be known");
    }
}

void
kikan_scan_report_evaluate_software (KikanScanReport *self, const KikanPolicy *policy,
                                     gint64 now)
{
    g_autofree char *sig_invalid = NULL;

    g_return_if_fail (self != NULL);
    sig_invalid = kikan_scan_report_dup_signatures_invalid (self, now);
    for (guint i = 0; i < self->targets->len; i++) {
        Target *t = get_target (self, i);

        /* MAL-05 holds every target: each was scanned with the same set. */
        if (sig_invalid != NULL)
            kikan_software_facts_set_signatures_invalid (t->sw, sig_invalid);
        if (t->sandbox != NULL && g_str_equal (t->sandbox, "null"))
            kikan_software_facts_set_unconfined (t->sw);

        if (!t->ended || t->status != KIKAN_TARGET_COMPLETE)
            kikan_software_facts_set_incomplete (
                t->sw, t->ended && t->detail != NULL ? t->detail
                                                     : status_to_string (t->ended ? t->status
                                                                                  : KIKAN_TARGET_ERROR));
        else if (kikan_scan_report_get_target_result (self, i) == KIKAN_RESULT_NOT_INSPECTED) {
            guint nv = 0;
            g_autofree char *what = NULL;

            for (guint v = 0; v < t->volumes->len; v++)
                if (kikan_scan_report_get_volume_result (self, i, v)
                    == KIKAN_RESULT_NOT_INSPECTED)
                    nv++;
            what = g_strdup_printf ("Part of this item (%" G_GUINT64_FORMAT " file%s, %u "
                                    "volume%s)",
                                    t->not_inspected, t->not_inspected == 1 ? "" : "s", nv,
                                    nv == 1 ? "" : "s");
            kikan_software_facts_set_not_inspected (t->sw, what);
        }
        kikan_software_facts_evaluate (t->sw, policy, now);
    }
    self->software_evaluated = TRUE;
}

KikanSoftwareFacts *
kikan_scan_report_get_software (KikanScanReport *self, guint target)
{
    g_return_val_if_fail (self != NULL, NULL);
    return get_target (self, target)->sw;
}

KikanLevel
kikan_scan_report_get_software_worst (KikanScanReport *self)
{
    KikanLevel worst = KIKAN_LEVEL_INFO;

    g_return_val_if_fail (self != NULL, KIKAN_LEVEL_HOLD);
    for (guint i = 0; i < self->targets->len; i++) {
        KikanLevel l = kikan_software_facts_get_worst (get_target (self, i)->sw);
        if (l > worst)
            worst = l;
    }
    return worst;
}

/* A slip level (REQUIREMENTS 5.3): malware makes it QUARANTINE, anything
 * not inspected HOLD, then the software findings. */
static KikanLevel
level_of (KikanResult r, KikanLevel sw)
{
    if (r == KIKAN_RESULT_INFECTED)
        return KIKAN_LEVEL_QUARANTINE;
    if (r != KIKAN_RESULT_CLEAN)
        return sw > KIKAN_LEVEL_HOLD ? sw : KIKAN_LEVEL_HOLD;
    return sw;
}

KikanLevel
kikan_scan_report_get_target_level (KikanScanReport *self, guint target)
{
    g_return_val_if_fail (self != NULL, KIKAN_LEVEL_HOLD);
    return level_of (kikan_scan_report_get_target_result (self, target),
                     kikan_software_facts_get_worst (get_target (self, target)->sw));
}

KikanLevel
kikan_scan_report_get_level (KikanScanReport *self)
{
    g_return_val_if_fail (self != NULL, KIKAN_LEVEL_HOLD);
    return level_of (kikan_scan_report_get_result (self),
                     kikan_scan_report_get_software_worst (self));
}

gboolean
kikan_scan_report_sandbox_accepted (const char *name, gboolean test_seams)
{
    if (name == NULL)
        return FALSE;
    if (g_str_equal (name, KIKAN_SANDBOX_NAME_SECCOMP_LANDLOCK)
        || g_str_equal (name, KIKAN_SANDBOX_NAME_SECCOMP)
        || g_str_equal (name, KIKAN_SANDBOX_NAME_NULL))
        return TRUE;
    return test_seams && g_str_equal (name, KIKAN_SANDBOX_NAME_PROOF_OFF);
}

void
kikan_scan_report_end_target (KikanScanReport *self, guint target, const KikanTargetEnd *end)
{
    Target *t;

    g_return_if_fail (self != NULL && end != NULL);
    t = get_target (self, target);
    t->ended = TRUE;
    t->status = end->status;
    g_free (t->detail);
    t->detail = g_strdup (end->detail);
    /* Fail closed on a confinement this kiosk does not know: a test-only
     * daemon, or a program that is not Kikan's daemon at all, may call
     * every file clean; none of it counts (item HOLD, MAL-04). */
    if (t->status == KIKAN_TARGET_COMPLETE
        && !kikan_scan_report_sandbox_accepted (end->sandbox, kikan_test_seams_enabled ())) {
        g_autofree char *shown
            = end->sandbox != NULL ? kikan_escape_for_display (end->sandbox, -1) : NULL;

        t->status = KIKAN_TARGET_WORKER_FAILED;
        g_free (t->detail);
        if (shown != NULL)
            t->detail = g_strdup_printf ("the scan daemon reported the sandbox “%s”, which this "
                                         "kiosk does not accept: nothing it reported counts",
                                         shown);
        else
            t->detail = g_strdup ("the scan daemon reported no sandbox for a finished scan: "
                                  "nothing it reported counts");
    }
    g_free (t->sandbox);
    t->sandbox = g_strdup (end->sandbox);
    t->seconds = end->seconds;
    t->wrong_secret = end->wrong_secret != 0;
}

void
kikan_scan_report_fail_target (KikanScanReport *self, guint target, const char *detail)
{
    Target *t;

    g_return_if_fail (self != NULL);
    t = get_target (self, target);
    t->ended = TRUE;
    t->status = KIKAN_TARGET_ERROR;
    g_free (t->detail);
    t->detail = g_strdup (detail);
}

void
kikan_scan_report_set_interrupted (KikanScanReport *self)
{
    g_return_if_fail (self != NULL);
    self->interrupted = TRUE;
    for (guint i = 0; i < self->targets->len; i++) {
        Target *t = get_target (self, i);

        if (t->ended && t->status == KIKAN_TARGET_COMPLETE)
            continue;
        /* Never a clean target: what the scan did not reach stays not
         * inspected (the result follows from the status). */
        t->interrupted = TRUE;
        t->ended = TRUE;
        t->status = KIKAN_TARGET_ERROR;
        g_free (t->detail);
        t->detail = g_strdup ("interrupted: the scan was stopped before it finished");
    }
}

void
kikan_scan_report_take_engine_info (KikanScanReport *self, KikanEngineInfo *info)
{
    g_return_if_fail (self != NULL);
    if (self->engine != NULL) {
        kikan_engine_info_clear (self->engine);
        free (self->engine);
    }
    self->engine = info;
}

void
kikan_scan_report_set_max_age_days (KikanScanReport *self, guint days)
{
    self->max_age_days = days;
}

void
kikan_scan_report_set_seconds (KikanScanReport *self, double seconds)
{
    self->seconds = seconds;
}

KikanResult
kikan_scan_report_get_target_result (KikanScanReport *self, guint target)
{
    Target *t = get_target (self, target);
    KikanResult r = t->worst_file;

    /* A volume that was not read makes its medium not inspected. */
    for (guint i = 0; i < t->volumes->len; i++)
        r = kikan_result_worst (r, g_array_index (t->volumes, Volume, i).report.result);
    /* A disk with no volume at all is a disk nothing was read of (the
     * scanner always lists one, if only the whole disk): never clean. */
    if (t->kind == KIKAN_TARGET_KIND_BLOCK_DEVICE && t->volumes->len == 0)
        r = kikan_result_worst (r, KIKAN_RESULT_NOT_INSPECTED);
    /* Files the worker never reached are not listed and were not inspected. */
    if (!t->ended || t->status != KIKAN_TARGET_COMPLETE)
        return kikan_result_worst (r, KIKAN_RESULT_NOT_INSPECTED);
    return r;
}

KikanResult
kikan_scan_report_get_volume_result (KikanScanReport *self, guint target, guint i)
{
    Target *t = get_target (self, target);
    Volume *v;

    g_return_val_if_fail (i < t->volumes->len, KIKAN_RESULT_NOT_INSPECTED);
    v = &g_array_index (t->volumes, Volume, i);
    /* Infected as soon as one of its files is; not inspected when it was
     * not read, or not to the end (the scan did not finish).  A file of it
     * that was not inspected is reported on its own and makes the target,
     * not the volume, not inspected. */
    if (v->worst_file == KIKAN_RESULT_INFECTED)
        return KIKAN_RESULT_INFECTED;
    if (v->report.result != KIKAN_RESULT_CLEAN)
        return KIKAN_RESULT_NOT_INSPECTED;
    if (!t->ended || t->status != KIKAN_TARGET_COMPLETE)
        return KIKAN_RESULT_NOT_INSPECTED;
    return KIKAN_RESULT_CLEAN;
}

KikanResult
kikan_scan_report_get_result (KikanScanReport *self)
{
    KikanResult r = KIKAN_RESULT_CLEAN;

    /* No target at all is nothing inspected, never clean. */
    if (self->targets->len == 0)
        return KIKAN_RESULT_NOT_INSPECTED;
    for (guint i = 0; i < self->targets->len; i++)
        r = kikan_result_worst (r, kikan_scan_report_get_target_result (self, i));
    return r;
}

int
kikan_scan_report_get_exit_status (KikanScanReport *self)
{
    int st = kikan_result_to_exit_status (kikan_scan_report_get_result (self));

    /* Software and update findings that keep the item off the LAN
     * (conditional, hold, quarantine) come after malware and
     * not-inspected (docs/cli.md "Exit status"). */
    if (st == 0 && self->software_evaluated
        && kikan_scan_report_get_software_worst (self) > KIKAN_LEVEL_INFO)
        return 3;
    return st;
}

guint
kikan_scan_report_get_n_targets (KikanScanReport *self)
{
    return self->targets->len;
}

const char *
kikan_scan_report_get_target_name (KikanScanReport *self, guint target)
{
    g_return_val_if_fail (self != NULL, NULL);
    return get_target (self, target)->name;
}

const char *
kikan_scan_report_get_target_sandbox (KikanScanReport *self, guint target)
{
    return get_target (self, target)->sandbox;
}

KikanTargetStatus
kikan_scan_report_get_target_status (KikanScanReport *self, guint target)
{
    Target *t = get_target (self, target);

    return t->ended ? t->status : KIKAN_TARGET_ERROR;
}

gboolean
kikan_scan_report_get_target_wrong_secret (KikanScanReport *self, guint target)
{
    return get_target (self, target)->wrong_secret;
}

static const char *
target_kind_name (const Target *t)
{
    /* A file is a disk image when the worker read volumes from it. */
    if (t->kind == KIKAN_TARGET_KIND_FILE && t->volumes->len > 0)
        return "image";
    return kikan_target_kind_to_string (t->kind);
}

const char *
kikan_scan_report_get_target_kind (KikanScanReport *self, guint target)
{
    return target_kind_name (get_target (self, target));
}

guint
kikan_scan_report_get_n_volumes (KikanScanReport *self, guint target)
{
    return get_target (self, target)->volumes->len;
}

const KikanVolumeReport *
kikan_scan_report_get_volume (KikanScanReport *self, guint target, guint i)
{
    Target *t = get_target (self, target);

    g_return_val_if_fail (i < t->volumes->len, NULL);
    return &g_array_index (t->volumes, Volume, i).report;
}

guint
kikan_scan_report_get_n_files (KikanScanReport *self)
{
    return self->files->len;
}

const KikanFileReport *
kikan_scan_report_get_file (KikanScanReport *self, guint i, guint *target)
{
    File *f;

    g_return_val_if_fail (i < self->files->len, NULL);
    f = &g_array_index (self->files, File, i);
    if (target != NULL)
        *target = f->target;
    return &f->report;
}

/* ---- JSON ---- */

static const char *
status_to_string (KikanTargetStatus s)
{
    switch (s) {
    case KIKAN_TARGET_COMPLETE:
        return "complete";
    case KIKAN_TARGET_WORKER_FAILED:
        return "worker_failed";
    case KIKAN_TARGET_TIMEOUT:
        return "timeout";
    case KIKAN_TARGET_ERROR:
    default:
        return "error";
    }
}

static const char *
result_name (KikanResult r)
{
    return kikan_result_to_string (kikan_result_worst (r, KIKAN_RESULT_CLEAN));
}

/* @member plus "@member_hex" when the raw bytes are not clean printable UTF-8. */
static void
add_hostile_with_hex (JsonBuilder *b, const char *member, const char *raw)
{
    kikan_json_add_hostile_string (b, member, raw);
    if (raw != NULL && !kikan_escape_is_clean (raw, -1)) {
        g_autofree char *hex = kikan_escape_to_hex (raw, -1);
        g_autofree char *key = g_strconcat (member, "_hex", NULL);

        json_builder_set_member_name (b, key);
        json_builder_add_string_value (b, hex);
    }
}

static void
add_signatures (JsonBuilder *b, char *const *sigs, size_t n)
{
    json_builder_set_member_name (b, "signatures");
    json_builder_begin_array (b);
    for (size_t i = 0; i < n; i++) {
        g_autofree char *valid = kikan_escape_for_json (sigs[i], -1);

        json_builder_add_string_value (b, valid);
    }
    json_builder_end_array (b);
}

static void
add_reason (JsonBuilder *b, KikanResult result, KikanReason reason, const char *detail)
{
    const char *name = kikan_reason_to_string (reason);

    json_builder_set_member_name (b, "reason");
    if (result == KIKAN_RESULT_NOT_INSPECTED && name == NULL)
        /* Not inspected without a reason given is still not inspected. */
        json_builder_add_string_value (b, "engine_error");
    else if (result == KIKAN_RESULT_NOT_INSPECTED)
        json_builder_add_string_value (b, name);
    else
        json_builder_add_null_value (b);
    kikan_json_add_hostile_string (b, "reason_detail", detail);
}

static void
add_time (JsonBuilder *b, const char *member, gint64 t)
{
    g_autofree char *iso = kikan_format_time_iso (t);

    json_builder_set_member_name (b, member);
    if (iso != NULL)
        json_builder_add_string_value (b, iso);
    else
        json_builder_add_null_value (b);
}

static void
add_file (JsonBuilder *b, const Target *t, const KikanFileReport *r)
{
    KikanResult res = kikan_result_worst (r->result, KIKAN_RESULT_CLEAN);

    json_builder_begin_object (b);
    kikan_json_add_hostile_string (b, "target", t->name);
    add_hostile_with_hex (b, "path", r->path != NULL ? r->path : "");
    json_builder_set_member_name (b, "size");
    json_builder_add_int_value (b, (gint64) r->size);
    json_builder_set_member_name (b, "sha256");
    json_builder_add_string_value (b, r->sha256);
    json_builder_set_member_name (b, "result");
    json_builder_add_string_value (b, kikan_result_to_string (res));
    add_signatures (b, r->signatures, r->n_signatures);
    add_reason (b, res, r->reason, r->reason_detail);
    json_builder_set_member_name (b, "engine_skipped");
    json_builder_add_boolean_value (b, (r->flags & KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE) != 0);
    /* Where a symbolic link points (never followed), else null. */
    add_hostile_with_hex (b, "link_target",
                          (r->flags & KIKAN_FILE_FLAG_SYMLINK) != 0
                              ? (r->link_target != NULL ? r->link_target : "")
                              : NULL);
    json_builder_set_member_name (b, "members");
    json_builder_begin_array (b);
    for (size_t i = 0; i < r->n_members; i++) {
        const KikanMember *m = &r->members[i];
        KikanResult mres = kikan_result_worst (m->result, KIKAN_RESULT_CLEAN);

        json_builder_begin_object (b);
        add_hostile_with_hex (b, "name", m->name != NULL ? m->name : "");
        json_builder_set_member_name (b, "depth");
        json_builder_add_int_value (b, m->depth);
        json_builder_set_member_name (b, "size");
        json_builder_add_int_value (b, (gint64) m->size);
        kikan_json_add_hostile_string (b, "extractor", m->extractor);
        json_builder_set_member_name (b, "result");
        json_builder_add_string_value (b, kikan_result_to_string (mres));
        add_signatures (b, m->signatures, m->n_signatures);
        add_reason (b, mres, m->reason, m->reason_detail);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
}

/* "encrypted:luks2", "unsupported_filesystem", ... for a volume whose
 * result is not_inspected, else NULL. */
static char *
volume_reason_string (const KikanVolumeReport *v, KikanResult result)
{
    const char *name = kikan_volume_reason_to_string (v->reason);

    if (result != KIKAN_RESULT_NOT_INSPECTED)
        return NULL;
    if (v->result != KIKAN_RESULT_NOT_INSPECTED || name == NULL)
        /* Read, but not to the end (the scan stopped), or not read for a
         * reason the worker did not name. */
        return g_strdup ("read_error");
    if (v->reason == KIKAN_VOLUME_REASON_ENCRYPTED)
        return g_strconcat (name, ":", kikan_encryption_to_string (v->volume.encryption), NULL);
    return g_strdup (name);
}

static void
add_uint (JsonBuilder *b, const char *member, guint64 v)
{
    json_builder_set_member_name (b, member);
    json_builder_add_int_value (b, v > (guint64) G_MAXINT64 ? G_MAXINT64 : (gint64) v);
}

/* One volume of docs/json.md "Media targets"; @with_result FALSE for a
 * probe (which has no verdict: only the reason a volume cannot be read). */
static void
add_volume (JsonBuilder *b, const KikanVolumeReport *vr, gboolean with_result,
            KikanResult result)
{
    const KikanVolume *v = &vr->volume;
    g_autofree char *reason =
        volume_reason_string (vr, with_result ? result : vr->result);

    json_builder_begin_object (b);
    add_uint (b, "index", v->index);
    add_uint (b, "offset", v->offset);
    add_uint (b, "size", v->size);
    kikan_json_add_hostile_string (b, "scheme", v->scheme);
    kikan_json_add_hostile_string (b, "part_type", v->part_type);
    add_hostile_with_hex (b, "part_name", v->part_name);
    kikan_json_add_hostile_string (b, "filesystem", v->filesystem);
    kikan_json_add_hostile_string (b, "fs_version", v->fs_version);
    add_hostile_with_hex (b, "label", v->label);
    kikan_json_add_hostile_string (b, "uuid", v->uuid);
    json_builder_set_member_name (b, "encryption");
    json_builder_add_string_value (b, kikan_encryption_to_string (v->encryption));
    kikan_json_add_hostile_string (b, "encryption_detail", v->encryption_detail);
    json_builder_set_member_name (b, "entropy");
    if (v->entropy >= 0 && isfinite (v->entropy))
        json_builder_add_double_value (b, floor (v->entropy * 1000.0 + 0.5) / 1000.0);
    else
        json_builder_add_null_value (b);  /* not measured */
    json_builder_set_member_name (b, "unlocked");
    json_builder_add_boolean_value (b, v->unlocked != 0);
    json_builder_set_member_name (b, "readable");
    json_builder_add_boolean_value (b, v->readable != 0);
    kikan_json_add_hostile_string (b, "os", v->os);
    add_hostile_with_hex (b, "os_evidence", v->os_evidence);
    /* Never null for a volume that was not read: it says why. */
    if (vr->result == KIKAN_RESULT_NOT_INSPECTED && (v->problem == NULL || v->problem[0] == '\0'))
        kikan_json_add_hostile_string (b, "problem", "could not be read");
    else if (with_result && result == KIKAN_RESULT_NOT_INSPECTED && v->problem == NULL)
        kikan_json_add_hostile_string (b, "problem", "the scan of this medium did not finish");
    else
        kikan_json_add_hostile_string (b, "problem", v->problem);
    if (with_result) {
        json_builder_set_member_name (b, "result");
        json_builder_add_string_value (b, result_name (result));
    }
    json_builder_set_member_name (b, "reason");
    if (reason != NULL)
        json_builder_add_string_value (b, reason);
    else
        json_builder_add_null_value (b);
    json_builder_end_object (b);
}

static void
add_volumes (JsonBuilder *b, KikanScanReport *self, guint target, gboolean with_result)
{
    Target *t = get_target (self, target);

    json_builder_set_member_name (b, "volumes");
    json_builder_begin_array (b);
    for (guint i = 0; i < t->volumes->len; i++)
        add_volume (b, &g_array_index (t->volumes, Volume, i).report, with_result,
                    with_result ? kikan_scan_report_get_volume_result (self, target, i)
                                : KIKAN_RESULT_NOT_INSPECTED);
    json_builder_end_array (b);
}

JsonNode *
kikan_scan_report_engine_to_json (KikanScanReport *self, gint64 now)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    const KikanEngineInfo *e = self->engine;
    double age = 0;
    KikanDbAge state;

    if (e == NULL)
        return json_node_new (JSON_NODE_NULL);
    state = kikan_db_age_assess (e->newest_signed_build_time, self->max_age_days, now, &age);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "version");
    json_builder_add_string_value (b, e->engine_version != NULL ? e->engine_version : "");
    json_builder_set_member_name (b, "signatures");
    json_builder_add_int_value (b, e->signatures);
    json_builder_set_member_name (b, "load_seconds");
    json_builder_add_double_value (b, e->load_seconds);
    add_time (b, "newest_signed_build_time", e->newest_signed_build_time);
    json_builder_set_member_name (b, "age_days");
    if (state == KIKAN_DB_AGE_NONE)
        json_builder_add_null_value (b);
    else
        json_builder_add_double_value (b, floor (age * 10.0 + 0.5) / 10.0);
    json_builder_set_member_name (b, "max_age_days");
    json_builder_add_int_value (b, self->max_age_days);
    json_builder_set_member_name (b, "age_state");
    json_builder_add_string_value (b, kikan_db_age_to_string (state));
    json_builder_set_member_name (b, "limits");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "max_filesize");
    json_builder_add_int_value (b, (gint64) e->limits.max_filesize);
    json_builder_set_member_name (b, "max_scansize");
    json_builder_add_int_value (b, (gint64) e->limits.max_scansize);
    json_builder_set_member_name (b, "max_recursion");
    json_builder_add_int_value (b, e->limits.max_recursion);
    json_builder_set_member_name (b, "max_files");
    json_builder_add_int_value (b, e->limits.max_files);
    json_builder_set_member_name (b, "max_scantime_ms");
    json_builder_add_int_value (b, e->limits.max_scantime_ms);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "databases");
    json_builder_begin_array (b);
    for (size_t i = 0; i < e->n_dbs; i++) {
        const KikanDbInfo *d = &e->dbs[i];

        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "name", d->name);
        kikan_json_add_hostile_string (b, "path", d->path);
        json_builder_set_member_name (b, "signed");
        json_builder_add_boolean_value (b, d->is_signed != 0);
        json_builder_set_member_name (b, "version");
        if (d->is_signed)
            json_builder_add_int_value (b, d->version);
        else
            json_builder_add_null_value (b);
        add_time (b, "build_time", d->build_time);
        json_builder_set_member_name (b, "signatures");
        json_builder_add_int_value (b, d->signatures);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

JsonNode *
kikan_scan_report_to_json (KikanScanReport *self, gint64 now)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    guint64 files = 0, bytes = 0, clean = 0, infected = 0, not_inspected = 0;

    g_return_val_if_fail (self != NULL, NULL);
    g_return_val_if_fail (self->keep_clean_files, NULL);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-scan");
    json_builder_set_member_name (b, "format_version");
    json_builder_add_int_value (b, 1);
    json_builder_set_member_name (b, "result");
    json_builder_add_string_value (b, result_name (kikan_scan_report_get_result (self)));
    json_builder_set_member_name (b, "interrupted");
    json_builder_add_boolean_value (b, self->interrupted);
    if (self->software_evaluated) {
        json_builder_set_member_name (b, "verdict");
        json_builder_add_string_value (b, kikan_level_to_verdict (kikan_scan_report_get_level (self)));
    }

    json_builder_set_member_name (b, "targets");
    json_builder_begin_array (b);
    for (guint i = 0; i < self->targets->len; i++) {
        Target *t = get_target (self, i);

        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "target", t->name);
        json_builder_set_member_name (b, "kind");
        json_builder_add_string_value (b, target_kind_name (t));
        json_builder_set_member_name (b, "result");
        json_builder_add_string_value (
            b, result_name (kikan_scan_report_get_target_result (self, i)));
        /* Several targets share one top-level verdict: each says its own. */
        if (self->software_evaluated) {
            json_builder_set_member_name (b, "verdict");
            json_builder_add_string_value (
                b, kikan_level_to_verdict (kikan_scan_report_get_target_level (self, i)));
        }
        json_builder_set_member_name (b, "status");
        json_builder_add_string_value (
            b, t->interrupted ? "interrupted"
               : t->ended     ? status_to_string (t->status)
                              : status_to_string (KIKAN_TARGET_ERROR));
        kikan_json_add_hostile_string (b, "detail",
                                       t->ended ? t->detail : "the scan of this target did not "
                                                              "finish");
        kikan_json_add_hostile_string (b, "sandbox", t->sandbox);
        json_builder_set_member_name (b, "files");
        json_builder_add_int_value (b, (gint64) t->files);
        json_builder_set_member_name (b, "seconds");
        json_builder_add_double_value (b, t->seconds);
        add_volumes (b, self, i, TRUE);
        if (self->software_evaluated) {
            json_builder_set_member_name (b, "software");
            json_builder_begin_object (b);
            kikan_software_facts_add_json_members (t->sw, b);
            json_builder_end_object (b);
        }
        json_builder_end_object (b);
        files += t->files;
        bytes += t->bytes;
        clean += t->clean;
        infected += t->infected;
        not_inspected += t->not_inspected;
    }
    json_builder_end_array (b);

    json_builder_set_member_name (b, "files");
    json_builder_begin_array (b);
    for (guint i = 0; i < self->files->len; i++) {
        File *f = &g_array_index (self->files, File, i);

        add_file (b, get_target (self, f->target), &f->report);
    }
    json_builder_end_array (b);

    json_builder_set_member_name (b, "summary");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "files");
    json_builder_add_int_value (b, (gint64) files);
    json_builder_set_member_name (b, "bytes");
    json_builder_add_int_value (b, (gint64) bytes);
    json_builder_set_member_name (b, "clean");
    json_builder_add_int_value (b, (gint64) clean);
    json_builder_set_member_name (b, "infected");
    json_builder_add_int_value (b, (gint64) infected);
    json_builder_set_member_name (b, "not_inspected");
    json_builder_add_int_value (b, (gint64) not_inspected);
    json_builder_set_member_name (b, "seconds");
    json_builder_add_double_value (b, self->seconds);
    json_builder_end_object (b);

    json_builder_set_member_name (b, "engine");
    json_builder_add_value (b, kikan_scan_report_engine_to_json (self, now));
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

JsonNode *
kikan_scan_report_probe_to_json (KikanScanReport *self)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    g_return_val_if_fail (self != NULL, NULL);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-probe");
    json_builder_set_member_name (b, "format_version");
    json_builder_add_int_value (b, 1);
    json_builder_set_member_name (b, "targets");
    json_builder_begin_array (b);
    for (guint i = 0; i < self->targets->len; i++) {
        Target *t = get_target (self, i);

        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "target", t->name);
        json_builder_set_member_name (b, "kind");
        json_builder_add_string_value (b, target_kind_name (t));
        json_builder_set_member_name (b, "size");
        if (t->kind == KIKAN_TARGET_KIND_DIRECTORY)
            json_builder_add_null_value (b);  /* a folder has no size of its own */
        else
            json_builder_add_int_value (b, (gint64) t->size);
        json_builder_set_member_name (b, "status");
        json_builder_add_string_value (
            b, t->ended ? status_to_string (t->status) : status_to_string (KIKAN_TARGET_ERROR));
        kikan_json_add_hostile_string (b, "detail",
                                       t->ended ? t->detail : "the probe of this target did not "
                                                              "finish");
        kikan_json_add_hostile_string (b, "sandbox", t->sandbox);
        add_volumes (b, self, i, FALSE);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

/* ---- Human output ---- */

static gboolean
is_medium (const Target *t)
{
    return t->volumes->len > 0 || t->kind == KIKAN_TARGET_KIND_BLOCK_DEVICE;
}

static char *
display_path (const Target *t, const char *path)
{
    g_autofree char *base = g_path_get_basename (t->name);
    g_autofree char *joined = NULL;

    /* A file of a medium: "/dev/sdb:p1:/docs/a.zip". */
    if (is_medium (t) && path != NULL && path[0] != '\0') {
        joined = g_strconcat (t->name, ":", path, NULL);
        return kikan_escape_for_display (joined, -1);
    }
    if (path == NULL || path[0] == '\0' || (!t->is_dir && g_str_equal (path, base)))
        return kikan_escape_for_display (t->name, -1);
    if (g_str_has_suffix (t->name, "/"))
        joined = g_strconcat (t->name, path, NULL);
    else
        joined = g_strconcat (t->name, "/", path, NULL);
    return kikan_escape_for_display (joined, -1);
}

static void
append_signatures (GString *s, char *const *sigs, size_t n)
{
    g_string_append (s, "[");
    for (size_t i = 0; i < n; i++) {
        g_autofree char *shown = kikan_escape_for_display (sigs[i], -1);

        g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", shown);
    }
    g_string_append (s, "]");
}

/* Plain words for the reasons whose name alone does not tell a person
 * what happened and what to do (issue #8); NULL for the others. */
static const char *
reason_words (KikanReason reason)
{
    switch (reason) {
    case KIKAN_REASON_CHANGED:
        return "it changed while it was being read, so what was scanned is not what is on "
               "the medium: scan it again once nothing writes to it";
    case KIKAN_REASON_INCONSISTENT:
        return "the archive readers disagree about this archive or warned about its "
               "structure, so it may hide content: IT must review it";
    default:
        return NULL;
    }
}

static void
append_reason (GString *s, KikanReason reason, const char *detail)
{
    const char *name = kikan_reason_to_string (reason);
    const char *words = reason_words (reason);

    g_string_append_printf (s, "(%s", name != NULL ? name : "engine_error");
    if (words != NULL)
        g_string_append_printf (s, " — %s", words);
    if (detail != NULL && detail[0] != '\0') {
        g_autofree char *shown = kikan_escape_for_display (detail, -1);

        g_string_append_printf (s, ": %s", shown);
    }
    g_string_append (s, ")");
}

char *
kikan_scan_report_format_finding (KikanScanReport *self, guint target, const KikanFileReport *r)
{
    KikanResult res = kikan_result_worst (r->result, KIKAN_RESULT_CLEAN);
    g_autofree char *shown = NULL;
    GString *s;
    guint members_shown = 0, members_hidden = 0;

    if (res == KIKAN_RESULT_CLEAN && (r->flags & KIKAN_FILE_FLAG_SYMLINK) != 0) {
        Target *t = get_target (self, target);
        g_autofree char *to = NULL;

        /* A few are shown so that a person sees what a link is; a system
         * disk has thousands (the summary counts them, --json lists them). */
        if (t->links_shown >= MAX_LINK_LINES)
            return NULL;
        t->links_shown++;
        shown = display_path (t, r->path);
        to = kikan_escape_for_display (r->link_target != NULL ? r->link_target : "", -1);
        return g_strdup_printf ("LINK  %s  link → %s (not followed; a link holds no content)",
                                shown, to);
    }
    if (res == KIKAN_RESULT_CLEAN)
        return NULL;
    shown = display_path (get_target (self, target), r->path);
    s = g_string_new (NULL);
    if (res == KIKAN_RESULT_INFECTED) {
        g_string_append_printf (s, "INFECTED  %s  ", shown);
        append_signatures (s, r->signatures, r->n_signatures);
    } else {
        g_string_append_printf (s, "NOT INSPECTED  %s  ", shown);
        append_reason (s, r->reason, r->reason_detail);
    }
    for (size_t i = 0; i < r->n_members; i++) {
        const KikanMember *m = &r->members[i];
        KikanResult mres = kikan_result_worst (m->result, KIKAN_RESULT_CLEAN);
        g_autofree char *name = NULL;

        if (mres == KIKAN_RESULT_CLEAN)
            continue;
        if (members_shown == MAX_MEMBER_LINES) {
            members_hidden++;
            continue;
        }
        members_shown++;
        name = kikan_escape_for_display (m->name != NULL ? m->name : "", -1);
        g_string_append_printf (s, "\n    %*sinside: %s  ", (int) MIN (m->depth, 8u) * 2, "",
                                name);
        if (mres == KIKAN_RESULT_INFECTED)
            append_signatures (s, m->signatures, m->n_signatures);
        else
            append_reason (s, m->reason, m->reason_detail);
    }
    if (members_hidden > 0)
        g_string_append_printf (s, "\n    … and %u more members (see --json)", members_hidden);
    return g_string_free (s, FALSE);
}

/* "1.0 GB", with a plain space (g_format_size puts a no-break space
 * between number and unit). */
static char *
format_size (guint64 bytes)
{
    g_autofree char *raw = g_format_size (bytes);
    g_auto (GStrv) parts = g_strsplit (raw, "\u00a0", -1);

    return g_strjoinv (" ", parts);
}

/* "LUKS2", "BitLocker", … for people. */
static const char *
encryption_display (KikanEncryption e)
{
    switch (e) {
    case KIKAN_ENC_NONE:
        return "none";
    case KIKAN_ENC_BITLOCKER:
        return "BitLocker";
    case KIKAN_ENC_LUKS1:
        return "LUKS1";
    case KIKAN_ENC_LUKS2:
        return "LUKS2";
    case KIKAN_ENC_FILEVAULT2:
        return "FileVault 2";
    case KIKAN_ENC_APFS:
        return "APFS (encrypted)";
    case KIKAN_ENC_UNKNOWN:
    case KIKAN_ENC__COUNT:
        break;
    }
    return "unknown encryption";
}

/* '"LABEL"' escaped, or "" when there is none. */
static char *
quoted_label (const char *label)
{
    g_autofree char *shown = NULL;

    if (label == NULL || label[0] == '\0')
        return g_strdup ("");
    shown = kikan_escape_for_display (label, -1);
    return g_strdup_printf ("  \"%s\"", shown);
}

char *
kikan_scan_report_format_volume (KikanScanReport *self, guint target, guint i)
{
    Target *t = get_target (self, target);
    const KikanVolumeReport *vr;
    const KikanVolume *v;
    g_autofree char *fs = NULL;
    g_autofree char *label = NULL;
    g_autofree char *size = NULL;
    g_autofree char *problem = NULL;
    GString *s;

    g_return_val_if_fail (i < t->volumes->len, NULL);
    vr = &g_array_index (t->volumes, Volume, i).report;
    v = &vr->volume;
    s = g_string_new (NULL);
    g_string_append_printf (s, "p%" PRIu32 "  ", v->index);
    size = format_size (v->size);
    label = quoted_label (v->label);
    problem = kikan_escape_for_display (v->problem != NULL ? v->problem : "", -1);
    /* "FAT32" says more than "vfat"; "1.0" says less than "ext4". */
    if (v->filesystem != NULL && (v->fs_version == NULL || !g_str_equal (v->filesystem, "vfat")))
        fs = kikan_escape_for_display (v->filesystem, -1);
    else if (v->fs_version != NULL || v->filesystem != NULL)
        fs = kikan_escape_for_display (v->fs_version != NULL ? v->fs_version : v->filesystem, -1);

    if (vr->result != KIKAN_RESULT_NOT_INSPECTED) {
        g_autofree char *os = v->os != NULL ? kikan_escape_for_display (v->os, -1) : NULL;

        g_string_append_printf (s, "%s%s  %s  encryption: %s%s", fs != NULL ? fs : "?", label,
                                size, v->encryption == KIKAN_ENC_NONE ? "none"
                                                                      : encryption_display (
                                                                            v->encryption),
                                v->unlocked ? ", unlocked" : "");
        if (os != NULL)
            g_string_append_printf (s, "  OS: %s", os);
        return g_string_free (s, FALSE);
    }
    switch (vr->reason) {
    case KIKAN_VOLUME_REASON_ENCRYPTED:
        if (v->encryption == KIKAN_ENC_UNKNOWN)
            g_string_append_printf (s, "%s  %s  NOT INSPECTED: possibly encrypted (nothing "
                                       "recognised, random-looking content): %s",
                                    encryption_display (v->encryption), size, problem);
        else if (t->secrets_given)
            g_string_append_printf (s, "%s  NOT INSPECTED: encrypted, not unlocked: %s",
                                    encryption_display (v->encryption), problem);
        else
            g_string_append_printf (s, "%s  NOT INSPECTED: encrypted, no passphrase given — run "
                                       "again with --ask-passphrase",
                                    encryption_display (v->encryption));
        break;
    case KIKAN_VOLUME_REASON_UNSUPPORTED_FILESYSTEM:
        g_string_append_printf (s, "%s%s  %s  NOT INSPECTED: unsupported file system (%s)",
                                fs != NULL ? fs : "?", label, size, problem);
        break;
    case KIKAN_VOLUME_REASON_NO_FILESYSTEM:
        g_string_append_printf (s, "%s  NOT INSPECTED: no file system (%s)", size, problem);
        break;
    case KIKAN_VOLUME_REASON_READ_ERROR:
    default:
        g_string_append_printf (s, "%s%s  %s  NOT INSPECTED: read error (%s)",
                                fs != NULL ? fs : "?", label, size, problem);
        break;
    }
    return g_string_free (s, FALSE);
}

char *
kikan_scan_report_format_medium (KikanScanReport *self, guint target)
{
    Target *t = get_target (self, target);
    g_autofree char *name = kikan_escape_for_display (t->name, -1);
    g_autofree char *size = format_size (t->size);
    const char *kind = target_kind_name (t);

    return g_strdup_printf ("%s  (%s, %s, %u volume%s)", name,
                            g_str_equal (kind, "block_device") ? "block device" : kind, size,
                            t->volumes->len, t->volumes->len == 1 ? "" : "s");
}

/* Shown for a probe: every field, one per line, escaped. */
static void
append_probe_volume (GString *s, const KikanVolume *v)
{
    g_autofree char *size = format_size (v->size);
    g_autofree char *offset = format_size (v->offset);
    g_autofree char *scheme = kikan_escape_for_display (v->scheme ? v->scheme : "?", -1);
    g_autofree char *fs = NULL;

    g_string_append_printf (s, "  p%" PRIu32 "  offset %" PRIu64 " (%s), size %" PRIu64
                               " (%s)\n",
                            v->index, v->offset, offset, v->size, size);
    g_string_append_printf (s, "      partition:  %s", scheme);
    if (v->part_type != NULL) {
        g_autofree char *type = kikan_escape_for_display (v->part_type, -1);

        g_string_append_printf (s, ", type %s", type);
    }
    if (v->part_name != NULL) {
        g_autofree char *name = kikan_escape_for_display (v->part_name, -1);

        g_string_append_printf (s, ", name \"%s\"", name);
    }
    g_string_append_c (s, '\n');
    if (v->filesystem != NULL) {
        g_autofree char *name = kikan_escape_for_display (v->filesystem, -1);
        g_autofree char *ver = v->fs_version ? kikan_escape_for_display (v->fs_version, -1)
                                             : NULL;

        fs = g_strdup_printf ("%s%s%s", name, ver ? " " : "", ver ? ver : "");
    }
    g_string_append_printf (s, "      filesystem: %s", fs != NULL ? fs : "none recognised");
    if (v->label != NULL) {
        g_autofree char *label = kikan_escape_for_display (v->label, -1);

        g_string_append_printf (s, ", label \"%s\"", label);
    }
    if (v->uuid != NULL) {
        g_autofree char *uuid = kikan_escape_for_display (v->uuid, -1);

        g_string_append_printf (s, ", UUID %s", uuid);
    }
    g_string_append_c (s, '\n');
    g_string_append_printf (s, "      encryption: %s%s", encryption_display (v->encryption),
                            v->unlocked ? " (unlocked)" : "");
    /* The detail, unless it only repeats the kind ("LUKS2 — LUKS2"). */
    if (v->encryption_detail != NULL
        && g_ascii_strcasecmp (v->encryption_detail, encryption_display (v->encryption)) != 0) {
        g_autofree char *d = kikan_escape_for_display (v->encryption_detail, -1);

        g_string_append_printf (s, " — %s", d);
    }
    if (v->entropy >= 0)
        g_string_append_printf (s, ", entropy %.3f bits/byte", v->entropy);
    g_string_append_c (s, '\n');
    if (v->os != NULL) {
        g_autofree char *os = kikan_escape_for_display (v->os, -1);
        g_autofree char *ev = v->os_evidence ? kikan_escape_for_display (v->os_evidence, -1)
                                             : NULL;

        g_string_append_printf (s, "      OS:         %s%s%s%s\n", os, ev ? " (" : "",
                                ev ? ev : "", ev ? ")" : "");
    }
    if (v->problem != NULL) {
        g_autofree char *p = kikan_escape_for_display (v->problem, -1);

        g_string_append_printf (s, "      problem:    %s\n", p);
    }
}

char *
kikan_scan_report_format_probe (KikanScanReport *self)
{
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < self->targets->len; i++) {
        Target *t = get_target (self, i);
        g_autofree char *name = kikan_escape_for_display (t->name, -1);
        g_autofree char *size = format_size (t->size);
        const char *kind = target_kind_name (t);

        if (i > 0)
            g_string_append_c (s, '\n');
        if (t->kind == KIKAN_TARGET_KIND_DIRECTORY)
            g_string_append_printf (s, "%s  (folder)\n", name);
        else
            g_string_append_printf (s, "%s  (%s, %s)\n", name,
                                    g_str_equal (kind, "block_device") ? "block device" : kind,
                                    size);
        if (!t->ended || t->status != KIKAN_TARGET_COMPLETE) {
            g_autofree char *detail = kikan_escape_for_display (
                t->ended && t->detail != NULL ? t->detail : "the probe did not finish", -1);

            g_string_append_printf (s, "  NOT PROBED (%s: %s)\n",
                                    status_to_string (t->ended ? t->status : KIKAN_TARGET_ERROR),
                                    detail);
        }
        if (t->volumes->len == 0 && t->ended && t->status == KIKAN_TARGET_COMPLETE)
            g_string_append (s, t->kind == KIKAN_TARGET_KIND_FILE
                                    ? "  no partition table, file system or encryption header: "
                                      "scanned as one file\n"
                                    : "  no volumes\n");
        for (guint k = 0; k < t->volumes->len; k++)
            append_probe_volume (s, &g_array_index (t->volumes, Volume, k).report.volume);
    }
    return g_string_free (s, FALSE);
}

static void
append_engine_lines (KikanScanReport *self, GString *s, gint64 now)
{
    const KikanEngineInfo *e = self->engine;
    double age = 0;
    KikanDbAge state;

    if (e == NULL)
        return;
    state = kikan_db_age_assess (e->newest_signed_build_time, self->max_age_days, now, &age);
    g_string_append_printf (s, "Engine:         ClamAV %s, %u signatures\n", e->engine_version,
                            e->signatures);
    if (state == KIKAN_DB_AGE_NONE) {
        g_string_append (s, "Signatures:     no signed (.cvd/.cld) database, age unknown\n");
    } else {
        g_autofree char *when = kikan_format_time_human (e->newest_signed_build_time);
        g_autofree char *ago = kikan_format_age_days (age);

        g_string_append_printf (s, "Signatures:     newest signed database built %s (%s ago)%s\n",
                                when, ago, state == KIKAN_DB_AGE_STALE ? " — STALE" : "");
    }
    if (state != KIKAN_DB_AGE_FRESH)
        g_string_append_printf (s,
                                "WARNING: the signatures are older than %u days or of unknown "
                                "age: this scan is not valid for clearance (MAL-05).\n"
                                "         Import a current update with “kikan signatures import "
                                "DIR”.\n",
                                self->max_age_days);
}

char *
kikan_scan_report_format_summary (KikanScanReport *self, gint64 now)
{
    GString *s = g_string_new ("\n");
    g_autoptr (GString) sandboxes = g_string_new (NULL);
    guint64 files = 0, bytes = 0, clean = 0, infected = 0, not_inspected = 0;
    guint64 volumes = 0, volumes_unread = 0, links = 0;
    g_autofree char *size = NULL;
    gboolean null_sandbox = FALSE;
    g_autofree char *sig_invalid = kikan_scan_report_dup_signatures_invalid (self, now);

    for (guint i = 0; i < self->targets->len; i++) {
        Target *t = get_target (self, i);
        g_autofree char *name = NULL;
        g_autofree char *detail = NULL;

        for (guint k = 0; k < t->volumes->len; k++) {
            volumes++;
            if (g_array_index (t->volumes, Volume, k).report.result != KIKAN_RESULT_CLEAN)
                volumes_unread++;
        }

        files += t->files;
        bytes += t->bytes;
        clean += t->clean;
        infected += t->infected;
        not_inspected += t->not_inspected;
        links += t->links;
        if (t->sandbox != NULL) {
            null_sandbox |= g_str_equal (t->sandbox, "null");
            if (strstr (sandboxes->str, t->sandbox) == NULL)
                g_string_append_printf (sandboxes, "%s%s", sandboxes->len ? ", " : "",
                                        t->sandbox);
        }
        if (t->ended && t->status == KIKAN_TARGET_COMPLETE)
            continue;
        name = kikan_escape_for_display (t->name, -1);
        detail = kikan_escape_for_display (t->ended && t->detail != NULL ? t->detail
                                                                        : "the scan did not "
                                                                          "finish",
                                           -1);
        g_string_append_printf (s,
                                "NOT INSPECTED  %s  (%s: %s): files the scan did not reach "
                                "were not inspected\n",
                                name,
                                t->interrupted ? "interrupted"
                                               : status_to_string (t->ended ? t->status
                                                                            : KIKAN_TARGET_ERROR),
                                detail);
    }
    size = g_format_size (bytes);
    g_string_append_printf (s, "Files:          %" G_GUINT64_FORMAT " (%s)\n", files, size);
    if (links > 0)
        g_string_append_printf (s, "Clean:          %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
                                   " of them symbolic links: not followed, a link holds no "
                                   "content)\n",
                                clean, links);
    else
        g_string_append_printf (s, "Clean:          %" G_GUINT64_FORMAT "\n", clean);
    g_string_append_printf (s, "Infected:       %" G_GUINT64_FORMAT "\n", infected);
    g_string_append_printf (s, "Not inspected:  %" G_GUINT64_FORMAT "\n", not_inspected);
    if (volumes > 0)
        g_string_append_printf (s, "Volumes:        %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
                                   " not inspected)\n",
                                volumes, volumes_unread);
    /* Several targets: one line each, by the name given, so that a person
     * knows which one the verdict below is about. */
    if (self->targets->len > 1) {
        g_string_append (s, "Targets:\n");
        for (guint i = 0; i < self->targets->len; i++) {
            Target *t = get_target (self, i);
            g_autofree char *name = kikan_escape_for_display (t->name, -1);
            g_autofree char *res = g_ascii_strup (
                result_name (kikan_scan_report_get_target_result (self, i)), -1);

            g_string_append_printf (s, "  %s  %s, %" G_GUINT64_FORMAT " file%s", name, res,
                                    t->files, t->files == 1 ? "" : "s");
            if (self->software_evaluated) {
                g_autofree char *v = g_ascii_strup (
                    kikan_level_to_verdict (kikan_scan_report_get_target_level (self, i)), -1);

                g_string_append_printf (s, ", verdict %s", v);
            }
            g_string_append_c (s, '\n');
        }
    }
    g_string_append_printf (s, "Time:           %.1f s\n", self->seconds);
    append_engine_lines (self, s, now);
    g_string_append_printf (s, "Sandbox:        %s%s\n",
                            sandboxes->len ? sandboxes->str : "none (no worker ran)",
                            null_sandbox ? " — THE WORKER WAS NOT CONFINED (KIKAN_SANDBOX=null "
                                           "is for tests; never use it in service)"
                                         : "");
    if (self->interrupted)
        g_string_append (s, "INTERRUPTED — the scan was stopped before it finished; what it "
                            "did not reach was not inspected. Scan the medium again.\n");
    switch (kikan_scan_report_get_result (self)) {
    case KIKAN_RESULT_CLEAN:
        g_string_append (s, "RESULT: CLEAN — every file was inspected and no malware was "
                            "found.\n");
        /* True of the files, but not a clearance (MAL-05): said at once,
         * next to the word CLEAN. */
        if (sig_invalid != NULL)
            g_string_append (s, "        The signatures are stale or unofficial, so this is "
                                "NOT valid for clearance (MAL-05): see Overall below.\n");
        break;
    case KIKAN_RESULT_INFECTED:
        g_string_append (s, "RESULT: INFECTED — malware was found. Do not connect this medium; "
                            "hand it to IT.\n");
        break;
    case KIKAN_RESULT_NOT_INSPECTED:
    default:
        g_string_append (s, "RESULT: NOT FULLY INSPECTED — some content could not be "
                            "inspected, so this is not a clean result. IT must review the "
                            "medium.\n");
        break;
    }
    return g_string_free (s, FALSE);
}

void
kikan_scan_report_get_target_counts (KikanScanReport *self, guint target, guint64 *files,
                                     guint64 *bytes, guint64 *infected, guint64 *not_inspected)
{
    const Target *t;

    g_return_if_fail (self != NULL && target < self->targets->len);
    t = &g_array_index (self->targets, Target, target);
    if (files != NULL)
        *files = t->files;
    if (bytes != NULL)
        *bytes = t->bytes;
    if (infected != NULL)
        *infected = t->infected;
    if (not_inspected != NULL)
        *not_inspected = t->not_inspected;
}

const KikanEngineInfo *
kikan_scan_report_get_engine_info (KikanScanReport *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->engine;
}

const char *
kikan_scan_report_get_target_detail (KikanScanReport *self, guint target)
{
    g_return_val_if_fail (self != NULL && target < self->targets->len, NULL);
    return g_array_index (self->targets, Target, target).detail;
}
