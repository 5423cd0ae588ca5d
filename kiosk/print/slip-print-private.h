/* Kikan kiosk: printing an issued clearance slip, and recording how it
 * went (issue #10 item 6; KR-27, REQUIREMENTS §5.5 "a duplicate copy is
 * retained electronically"; docs/printing.md).
 *
 * The slip's PDF was archived under $KIKAN_HOME when it was issued (the
 * `slips` row holds its path and SHA-256).  Printing never changes or
 * needs that archive: with no printer, or a printer that fails, the slip
 * stays archived and valid, the attempt is recorded, and the person is
 * told how to print it again.  A PDF whose SHA-256 no longer matches the
 * row is never printed: the refusal is recorded as a failed attempt.
 *
 * Every attempt is one `slip_prints` row and one "slip_print" audit
 * record, written in the same transaction.
 */
#pragma once

#include <glib.h>

#include "home-private.h"
#include "print-private.h"
#include "store-private.h"

typedef enum {
    KIKAN_SLIP_PRINT_PRINTED,    /* CUPS reported the job completed */
    KIKAN_SLIP_PRINT_FAILED,     /* refused, or the printer or the service failed */
    KIKAN_SLIP_PRINT_NO_PRINTER, /* no queue configured */
} KikanSlipPrintOutcomeKind;

typedef struct {
    KikanSlipPrintOutcomeKind kind;
    gint64 print_id;      /* the slip_prints row */
    gint64 slip_id;
    gint64 session_id;
    char *slip_number;
    char *queue;          /* NULL: no printer configured */
    gint64 job_id;        /* 0: no job was made */
    char *message;        /* what happened and what to do next, for people (escaped) */
    char *pdf_path;       /* the archived PDF, absolute */
    gboolean pdf_changed; /* refused: the PDF is missing or not what was issued */
} KikanSlipPrintOutcome;

void kikan_slip_print_outcome_free (KikanSlipPrintOutcome *self); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSlipPrintOutcome, kikan_slip_print_outcome_free)

/* "printed", "failed" or "no_printer", as in slip_prints.outcome. */
const char *kikan_slip_print_outcome_name (KikanSlipPrintOutcomeKind kind);

/* Prints slip @slip_number of @store (its PDF under @home) with @settings
 * (NULL: the [print] group of @home's kikan.conf) and records the attempt.
 * TRUE with *outcome when the attempt was recorded, whatever its outcome;
 * FALSE with @error when there is no such slip, the settings cannot be
 * read, or the attempt could not be recorded (then *outcome, if set,
 * still says whether a job was printed). */
gboolean kikan_slip_print_recorded (KikanStore *store, KikanHome *home, const char *slip_number,
                                    const KikanPrintSettings *settings,
                                    KikanSlipPrintOutcome **outcome, GError **error);
