/* Kikan kiosk: the start-up self-test (KR-36). */
#include "selftest-private.h"

#include <string.h>

#include "error-private.h"
#include "escape-private.h"
#include "test-seams-private.h"

struct KikanSelftest {
    GPtrArray *checks;     /* KikanSelftestCheck* */
    GPtrArray *uncovered;  /* char* */
    GPtrArray *problems;   /* char* */
    char *sandbox;
    gboolean evaluated;
    gboolean signatures_problem; /* the last of problems is the signatures' age */
};

static void
check_free (gpointer p)
{
    KikanSelftestCheck *c = p;

    g_free (c->path);
    g_free (c->expected_text);
    g_free (c->actual_text);
    g_free (c);
}

void
kikan_selftest_free (KikanSelftest *self)
{
    if (self == NULL)
        return;
    g_ptr_array_unref (self->checks);
    g_ptr_array_unref (self->uncovered);
    g_ptr_array_unref (self->problems);
    g_free (self->sandbox);
    g_free (self);
}

static gboolean
parse_result (const char *s, KikanResult *out)
{
    if (g_str_equal (s, "clean"))
        *out = KIKAN_RESULT_CLEAN;
    else if (g_str_equal (s, "infected"))
        *out = KIKAN_RESULT_INFECTED;
    else if (g_str_equal (s, "not_inspected"))
        *out = KIKAN_RESULT_NOT_INSPECTED;
    else
        return FALSE;
    return TRUE;
}

KikanSelftest *
kikan_selftest_new_from_data (const char *contents, const char *name, GError **error)
{
    g_autoptr (KikanSelftest) self = g_new0 (KikanSelftest, 1);
    g_auto (GStrv) lines = NULL;

    self->checks = g_ptr_array_new_with_free_func (check_free);
    self->uncovered = g_ptr_array_new_with_free_func (g_free);
    self->problems = g_ptr_array_new_with_free_func (g_free);
    lines = g_strsplit (contents, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        char *line = lines[i];
        gsize n = strlen (line);
        g_auto (GStrv) fields = NULL;
        KikanSelftestCheck *c;
        KikanResult expected;
        guint nf;

        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        fields = g_strsplit (line, "\t", 3);
        nf = g_strv_length (fields);
        if (nf < 2 || fields[0][0] == '\0' || !parse_result (fields[1], &expected)) {
            g_autofree char *shown = kikan_escape_for_display (line, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                         "%s line %u: “%s” is not “path<TAB>clean|infected|not_inspected"
                         "<TAB>text”. The self-test fixtures are damaged; rebuild or "
                         "reinstall Kikan.",
                         name, i + 1, shown);
            return NULL;
        }
        for (guint j = 0; j < self->checks->len; j++) {
            KikanSelftestCheck *other = g_ptr_array_index (self->checks, j);

            if (g_str_equal (other->path, fields[0])) {
                g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                             "%s line %u: %s already has an expectation on line %u. The "
                             "self-test fixtures are damaged; rebuild or reinstall Kikan.",
                             name, i + 1, fields[0], other->line);
                return NULL;
            }
        }
        c = g_new0 (KikanSelftestCheck, 1);
        c->path = g_strdup (fields[0]);
        c->expected = expected;
        c->expected_text = g_strdup (nf > 2 && !g_str_equal (fields[2], "-") ? fields[2] : "");
        c->line = i + 1;
        g_ptr_array_add (self->checks, c);
    }
    if (self->checks->len == 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                     "%s holds no expectation. The self-test fixtures are damaged; rebuild or "
                     "reinstall Kikan.",
                     name);
        return NULL;
    }
    return g_steal_pointer (&self);
}

KikanSelftest *
kikan_selftest_new_for_dir (const char *dir, GError **error)
{
    g_autofree char *path = g_build_filename (dir, KIKAN_SELFTEST_EXPECTATIONS, NULL);
    g_autofree char *contents = NULL;
    GError *local = NULL;

    if (!g_file_get_contents (path, &contents, NULL, &local)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                     "Cannot read the self-test expectations: %s. %s", local->message,
                     kikan_test_seams_enabled ()
                         ? "Build Kikan (the fixtures are made at build time), or set "
                           "KIKAN_SELFTEST_DIR."
                         : "Reinstall Kikan: the fixtures are installed with it.");
        g_error_free (local);
        return NULL;
    }
    return kikan_selftest_new_from_data (contents, path, error);
}

static gboolean
contains_casefold (const char *haystack, const char *needle)
{
    g_autofree char *h = NULL;
    g_autofree char *n = NULL;

    if (needle[0] == '\0')
        return TRUE;
    if (haystack == NULL)
        return FALSE;
    h = g_ascii_strdown (haystack, -1);
    n = g_ascii_strdown (needle, -1);
    return strstr (h, n) != NULL;
}

static char *
describe_actual (const KikanFileReport *r, KikanResult res)
{
    GString *s = g_string_new (NULL);

    if (res == KIKAN_RESULT_INFECTED) {
        for (size_t i = 0; i < r->n_signatures; i++) {
            g_autofree char *shown = kikan_escape_for_display (r->signatures[i], -1);

            g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", shown);
        }
    } else if (res == KIKAN_RESULT_NOT_INSPECTED) {
        const char *reason = kikan_reason_to_string (r->reason);

        g_string_append (s, reason != NULL ? reason : "engine_error");
        if (r->reason_detail != NULL) {
            g_autofree char *shown = kikan_escape_for_display (r->reason_detail, -1);

            g_string_append_printf (s, ": %s", shown);
        }
    }
    return g_string_free (s, FALSE);
}

static gboolean
check_holds (const KikanSelftestCheck *c, const KikanFileReport *r, KikanResult res)
{
    if (res != c->expected)
        return FALSE;
    if (res == KIKAN_RESULT_INFECTED) {
        for (size_t i = 0; i < r->n_signatures; i++)
            if (contains_casefold (r->signatures[i], c->expected_text))
                return TRUE;
        return c->expected_text[0] == '\0';
    }
    if (res == KIKAN_RESULT_NOT_INSPECTED)
        return contains_casefold (kikan_reason_to_string (r->reason), c->expected_text) ||
               contains_casefold (r->reason_detail, c->expected_text);
    return TRUE;
}

void
kikan_selftest_evaluate (KikanSelftest *self, KikanScanReport *report, guint target,
                         gboolean null_sandbox_allowed)
{
    g_autoptr (GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);
    KikanTargetStatus status = kikan_scan_report_get_target_status (report, target);

    g_return_if_fail (!self->evaluated);
    self->evaluated = TRUE;
    for (guint i = 0; i < self->checks->len; i++) {
        KikanSelftestCheck *c = g_ptr_array_index (self->checks, i);

        g_hash_table_insert (expected, c->path, c);
    }
    for (guint i = 0; i < kikan_scan_report_get_n_files (report); i++) {
        guint t = 0;
        const KikanFileReport *r = kikan_scan_report_get_file (report, i, &t);
        KikanSelftestCheck *c;
        KikanResult res;

        if (t != target)
            continue;
        c = r->path != NULL ? g_hash_table_lookup (expected, r->path) : NULL;
        if (c == NULL) {
            if (g_strcmp0 (r->path, KIKAN_SELFTEST_EXPECTATIONS) != 0)
                g_ptr_array_add (self->uncovered, g_strdup (r->path != NULL ? r->path : ""));
            continue;
        }
        res = kikan_result_worst (r->result, KIKAN_RESULT_CLEAN);
        c->found = TRUE;
        c->actual = res;
        c->actual_text = describe_actual (r, res);
        c->pass = check_holds (c, r, res);
    }
    g_free (self->sandbox);
    self->sandbox = g_strdup (kikan_scan_report_get_target_sandbox (report, target));
    if (status != KIKAN_TARGET_COMPLETE)
        g_ptr_array_add (self->problems,
                         g_strdup ("the scan of the fixtures did not complete, so files may "
                                   "have gone uninspected"));
    if (self->sandbox == NULL)
        g_ptr_array_add (self->problems, g_strdup ("no sandboxed worker ran"));
    else if (g_str_equal (self->sandbox, "null") && !null_sandbox_allowed)
        g_ptr_array_add (self->problems,
                         g_strdup ("the worker ran without a sandbox (backend “null”) although "
                                   "KIKAN_SANDBOX=null was not set: seccomp is unavailable "
                                   "here"));
}

void
kikan_selftest_add_problem (KikanSelftest *self, const char *problem)
{
    g_return_if_fail (self != NULL && problem != NULL);
    g_ptr_array_add (self->problems, g_strdup (problem));
}

guint
kikan_selftest_get_n_checks (KikanSelftest *self)
{
    return self->checks->len;
}

const KikanSelftestCheck *
kikan_selftest_get_check (KikanSelftest *self, guint i)
{
    return g_ptr_array_index (self->checks, i);
}

GPtrArray *
kikan_selftest_get_uncovered (KikanSelftest *self)
{
    return self->uncovered;
}

GPtrArray *
kikan_selftest_get_problems (KikanSelftest *self)
{
    return self->problems;
}

const char *
kikan_selftest_get_sandbox (KikanSelftest *self)
{
    return self->sandbox;
}

/* Passed, leaving out the signatures' age when @with_signatures is FALSE. */
static gboolean
passed (KikanSelftest *self, gboolean with_signatures)
{
    guint allowed = !with_signatures && self->signatures_problem ? 1 : 0;

    if (!self->evaluated || self->uncovered->len > 0 || self->problems->len > allowed)
        return FALSE;
    for (guint i = 0; i < self->checks->len; i++)
        if (!((KikanSelftestCheck *) g_ptr_array_index (self->checks, i))->pass)
            return FALSE;
    return TRUE;
}

gboolean
kikan_selftest_passed (KikanSelftest *self)
{
    return passed (self, TRUE);
}

gboolean
kikan_selftest_detection_passed (KikanSelftest *self)
{
    return passed (self, FALSE);
}

char *
kikan_selftest_evaluate_all (KikanSelftest *self, KikanScanReport *report, guint target,
                             gboolean null_sandbox_allowed, gint64 now)
{
    g_autofree char *why = NULL;
    char *problem;

    kikan_selftest_evaluate (self, report, target, null_sandbox_allowed);
    /* KR-36: no clearances until the self-test passes, and a kiosk whose
     * signatures are stale or unofficial cannot issue one (MAL-05): the
     * self-test says so, and what IT must bring. */
    if ((why = kikan_scan_report_dup_signatures_invalid (report, now)) == NULL)
        return NULL;
    problem = g_strdup_printf ("the virus signatures %s: scans are not valid for clearance "
                               "(MAL-05). IT must import current official ClamAV databases "
                               "from an IT update medium with “kikan signatures import DIR”",
                               why);
    kikan_selftest_add_problem (self, problem);
    self->signatures_problem = TRUE;
    return problem;
}
