/* Kikan kiosk: the start-up self-test (KR-36).
 *
 * A fixtures directory holds known files and expectations.tsv, one line per
 * file: relative path, TAB, expected result (clean | infected |
 * not_inspected), TAB, a text that must appear (case-insensitively) in a
 * signature name for "infected", or in the reason or its detail for
 * "not_inspected"; empty or "-" for "clean".  Lines starting with "#" are
 * comments.  The directory is scanned through the same daemon as any
 * medium; the self-test passes only when every expectation holds, every
 * file is covered by one, the scan completed, and the worker was confined.
 */
#pragma once

#include <glib.h>

#include "kikan/report.h"

#include "scan-report-private.h"

#define KIKAN_SELFTEST_EXPECTATIONS "expectations.tsv"

typedef struct {
    char *path;              /* relative, as in the scan report */
    KikanResult expected;
    char *expected_text;     /* "" when nothing is required */
    guint line;
    /* Filled by kikan_selftest_evaluate(): */
    gboolean found;
    KikanResult actual;
    char *actual_text;       /* signatures, or reason: detail (escaped) */
    gboolean pass;
} KikanSelftestCheck;

typedef struct KikanSelftest KikanSelftest;

/* Parses @contents of expectations.tsv (named @name in messages). */
KikanSelftest *kikan_selftest_new_from_data (const char *contents, const char *name,
                                             GError **error);
/* Reads @dir/expectations.tsv. */
KikanSelftest *kikan_selftest_new_for_dir (const char *dir, GError **error);
void kikan_selftest_free (KikanSelftest *self);  /* accepts NULL */

/* Checks target @target of @report.  @null_sandbox_allowed: the operator
 * asked for KIKAN_SANDBOX=null explicitly. */
void kikan_selftest_evaluate (KikanSelftest *self, KikanScanReport *report, guint target,
                              gboolean null_sandbox_allowed);

/* The whole evaluation of a self-test scan, shared by `kikan selftest` and
 * the kiosk station: kikan_selftest_evaluate() on @target, then the
 * signatures' age at @now (MAL-05, KR-36): stale or unofficial signatures
 * fail the self-test too, with what IT must bring.  Returns that problem
 * (free it) or NULL when the signatures are fresh. */
char *kikan_selftest_evaluate_all (KikanSelftest *self, KikanScanReport *report, guint target,
                                   gboolean null_sandbox_allowed, gint64 now);

/* Adds a problem that is not about one file (copied): the self-test then
 * fails.  Used for the signatures' age (MAL-05, KR-36). */
void kikan_selftest_add_problem (KikanSelftest *self, const char *problem);

guint kikan_selftest_get_n_checks (KikanSelftest *self);
const KikanSelftestCheck *kikan_selftest_get_check (KikanSelftest *self, guint i);
/* Files the scan found that no expectation covers (raw paths; escape them). */
GPtrArray *kikan_selftest_get_uncovered (KikanSelftest *self);
/* Problems that are not about one file (scan incomplete, no sandbox…). */
GPtrArray *kikan_selftest_get_problems (KikanSelftest *self);
/* Borrowed; the sandbox that confined the worker, NULL if none ran. */
const char *kikan_selftest_get_sandbox (KikanSelftest *self);
gboolean kikan_selftest_passed (KikanSelftest *self);
/* The same without the signatures' age that kikan_selftest_evaluate_all()
 * adds: whether the engine detected what it must (the station reports the
 * age as a check of its own). */
gboolean kikan_selftest_detection_passed (KikanSelftest *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSelftest, kikan_selftest_free)
