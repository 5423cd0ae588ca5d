/* Kikan kiosk: what one `kikan scan` found, and how it is told. */
#include "scan-report-private.h"

#include <math.h>
#include <string.h>

#include "db-sources-private.h"
#include "escape-private.h"
#include "format-private.h"

#define MAX_MEMBER_LINES 20

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
};

static void
target_clear (gpointer p)
{
    Target *t = p;

    g_free (t->name);
    g_free (t->detail);
    g_free (t->sandbox);
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
    t.worst_file = KIKAN_RESULT_CLEAN;
    t.status = KIKAN_TARGET_ERROR;
    g_array_append_val (self->targets, t);
    return self->targets->len - 1;
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
    t->files++;
    t->bytes += r->size;
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
kikan_scan_report_end_target (KikanScanReport *self, guint target, const KikanTargetEnd *end)
{
    Target *t;

    g_return_if_fail (self != NULL && end != NULL);
    t = get_target (self, target);
    t->ended = TRUE;
    t->status = end->status;
    g_free (t->detail);
    t->detail = g_strdup (end->detail);
    g_free (t->sandbox);
    t->sandbox = g_strdup (end->sandbox);
    t->seconds = end->seconds;
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

    /* Files the worker never reached are not listed and were not inspected. */
    if (!t->ended || t->status != KIKAN_TARGET_COMPLETE)
        return kikan_result_worst (t->worst_file, KIKAN_RESULT_NOT_INSPECTED);
    return t->worst_file;
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
    return kikan_result_to_exit_status (kikan_scan_report_get_result (self));
}

guint
kikan_scan_report_get_n_targets (KikanScanReport *self)
{
    return self->targets->len;
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

/* "name" plus "name_hex" when the raw bytes are not clean printable UTF-8. */
static void
add_name_with_hex (JsonBuilder *b, const char *member, const char *raw)
{
    kikan_json_add_hostile_string (b, member, raw != NULL ? raw : "");
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
    add_name_with_hex (b, "path", r->path);
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
    json_builder_set_member_name (b, "members");
    json_builder_begin_array (b);
    for (size_t i = 0; i < r->n_members; i++) {
        const KikanMember *m = &r->members[i];
        KikanResult mres = kikan_result_worst (m->result, KIKAN_RESULT_CLEAN);

        json_builder_begin_object (b);
        add_name_with_hex (b, "name", m->name);
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

    json_builder_set_member_name (b, "targets");
    json_builder_begin_array (b);
    for (guint i = 0; i < self->targets->len; i++) {
        Target *t = get_target (self, i);

        json_builder_begin_object (b);
        kikan_json_add_hostile_string (b, "target", t->name);
        json_builder_set_member_name (b, "result");
        json_builder_add_string_value (
            b, result_name (kikan_scan_report_get_target_result (self, i)));
        json_builder_set_member_name (b, "status");
        json_builder_add_string_value (
            b, t->ended ? status_to_string (t->status) : status_to_string (KIKAN_TARGET_ERROR));
        kikan_json_add_hostile_string (b, "detail",
                                       t->ended ? t->detail : "the scan of this target did not "
                                                              "finish");
        kikan_json_add_hostile_string (b, "sandbox", t->sandbox);
        json_builder_set_member_name (b, "files");
        json_builder_add_int_value (b, (gint64) t->files);
        json_builder_set_member_name (b, "seconds");
        json_builder_add_double_value (b, t->seconds);
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

/* ---- Human output ---- */

static char *
display_path (const Target *t, const char *path)
{
    g_autofree char *base = g_path_get_basename (t->name);
    g_autofree char *joined = NULL;

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

static void
append_reason (GString *s, KikanReason reason, const char *detail)
{
    const char *name = kikan_reason_to_string (reason);

    g_string_append_printf (s, "(%s", name != NULL ? name : "engine_error");
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
    g_autofree char *size = NULL;
    gboolean null_sandbox = FALSE;

    for (guint i = 0; i < self->targets->len; i++) {
        Target *t = get_target (self, i);
        g_autofree char *name = NULL;
        g_autofree char *detail = NULL;

        files += t->files;
        bytes += t->bytes;
        clean += t->clean;
        infected += t->infected;
        not_inspected += t->not_inspected;
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
                                name, status_to_string (t->ended ? t->status : KIKAN_TARGET_ERROR),
                                detail);
    }
    size = g_format_size (bytes);
    g_string_append_printf (s, "Files:          %" G_GUINT64_FORMAT " (%s)\n", files, size);
    g_string_append_printf (s, "Clean:          %" G_GUINT64_FORMAT "\n", clean);
    g_string_append_printf (s, "Infected:       %" G_GUINT64_FORMAT "\n", infected);
    g_string_append_printf (s, "Not inspected:  %" G_GUINT64_FORMAT "\n", not_inspected);
    g_string_append_printf (s, "Time:           %.1f s\n", self->seconds);
    append_engine_lines (self, s, now);
    g_string_append_printf (s, "Sandbox:        %s%s\n",
                            sandboxes->len ? sandboxes->str : "none (no worker ran)",
                            null_sandbox ? " — THE WORKER WAS NOT CONFINED (KIKAN_SANDBOX=null "
                                           "is for tests; never use it in service)"
                                         : "");
    switch (kikan_scan_report_get_result (self)) {
    case KIKAN_RESULT_CLEAN:
        g_string_append (s, "RESULT: CLEAN — every file was inspected and no malware was "
                            "found.\n");
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
