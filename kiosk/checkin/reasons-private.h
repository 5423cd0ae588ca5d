/* Kikan kiosk: verdict levels, provenance marks and the table of reason
 * codes (REQUIREMENTS.md 5.3, 5.4; issue #9 item 5; docs/verdicts.md).
 *
 * The table is the single source of every code's level, default
 * provenance and English slip text: the verdict engine builds its reasons
 * from it, and a unit test compares it with the table in docs/verdicts.md
 * so that the two never drift.  It also says which codes this engine
 * produces today and which later issue produces the others, so that a
 * code cannot be added without a test row (test-kiosk-verdict.c).
 */
#pragma once

#include <glib.h>

/* The five levels of 5.3 in severity order: the worst wins.  QUARANTINE
 * is the worst because malware must never reach the LAN; NOT RETURNED
 * beats HOLD because an item that is not here cannot be released by IT
 * at the kiosk (docs/verdicts.md "Levels"). */
typedef enum {
    KIKAN_VERDICT_CLEARED = 0,
    KIKAN_VERDICT_CONDITIONAL,
    KIKAN_VERDICT_HOLD,
    KIKAN_VERDICT_NOT_RETURNED,
    KIKAN_VERDICT_QUARANTINE,
} KikanVerdict;

#define KIKAN_VERDICT_N_LEVELS 5

/* "cleared", "conditional", "hold", "not_returned", "quarantine". */
const char *kikan_verdict_to_string (KikanVerdict v);
/* The inverse; FALSE (and *out untouched) for anything else, NULL included. */
gboolean kikan_verdict_from_string (const char *s, KikanVerdict *out);
/* The slip heading of 5.3, e.g. "ON HOLD – IT review required". */
const char *kikan_verdict_heading (KikanVerdict v);
/* The worse of @a and @b. */
KikanVerdict kikan_verdict_worst (KikanVerdict a, KikanVerdict b);

/* Where a reason's evidence comes from (5.3, 5.4): measured by the kiosk,
 * from a device report, declared by the employee, verified by IT. */
typedef enum {
    KIKAN_PROVENANCE_MEASURED = 'M',
    KIKAN_PROVENANCE_REPORTED = 'R',
    KIKAN_PROVENANCE_DECLARED = 'D',
    KIKAN_PROVENANCE_VERIFIED = 'V',
} KikanProvenance;

/* TRUE for 'M', 'R', 'D', 'V'. */
gboolean kikan_provenance_is_valid (int c);

/* One row of the reason table. */
typedef struct {
    const char *code;           /* "MAL-02" */
    KikanVerdict level;         /* the verdict it imposes (ignored when @info) */
    gboolean info;              /* printed, never changes a verdict */
    gboolean as_set;            /* PROC-01, PROC-02: the level IT chose */
    KikanProvenance provenance; /* the usual one; some triggers use another */
    const char *text;           /* English slip text, "{name}" placeholders */
    const char *produced_by;    /* NULL: this engine produces it today; else who
                                 * will: "issue #10 (slips)", "posture reports" */
} KikanReasonDef;

/* The row of @code ("MAL-02"), or NULL for an unknown code. */
const KikanReasonDef *kikan_reason_def_lookup (const char *code);
/* The whole table in 5.4 order (plus project extensions); @n receives its
 * length. */
const KikanReasonDef *kikan_reason_defs (gsize *n);
/* "info", or the level's kikan_verdict_to_string(); "as set" rows say
 * "as_set". */
const char *kikan_reason_def_level_string (const KikanReasonDef *def);

/* Fills the "{name}" placeholders of @tmpl from @keys/@values (@n pairs).
 * A value is inserted verbatim (hostile text stays hostile: escaping is
 * the printer's job); a NULL value or a name not given becomes "unknown",
 * so that a slip never shows a raw placeholder.  Free it. */
char *kikan_reason_fill (const char *tmpl, const char *const *keys, const char *const *values,
                         gsize n);
