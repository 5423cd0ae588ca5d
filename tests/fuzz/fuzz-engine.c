/* Fuzz harness: arbitrary bytes as a file on a returned medium.
 *
 * Invariants checked on every input, beyond "no crash, no sanitizer
 * report": the report is internally consistent (a clean file carries no
 * signature and no reason; a not-inspected one carries a reason; an
 * infected one at least one signature) and its SHA-256 is present. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kikan/engine.h"

static KikanEngine *engine;

static void
init_engine (void)
{
    const char *dbs[] = { KIKAN_FUZZ_SIGNATURES };
    /* Small limits keep each input cheap and exercise the limit paths. */
    KikanEngineOptions o = { dbs, 1, { 8u << 20, 32u << 20, 8, 200, 5000 } };
    char err[512];

    if (kikan_engine_new (&o, &engine, err, sizeof err) != 0) {
        fprintf (stderr, "fuzz-engine: %s\n", err);
        abort ();
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    KikanFileReport r = { 0 };

    if (engine == NULL)
        init_engine ();
    if (kikan_engine_scan_buffer (engine, data, size, "fuzz", &r) != 0)
        abort ();
    if (strlen (r.sha256) != 64)
        abort ();
    switch (r.result) {
    case KIKAN_RESULT_CLEAN:
        if (r.n_signatures != 0 || r.reason != KIKAN_REASON_NONE)
            abort ();
        break;
    case KIKAN_RESULT_NOT_INSPECTED:
        if (r.reason == KIKAN_REASON_NONE)
            abort ();
        break;
    case KIKAN_RESULT_INFECTED:
        if (r.n_signatures == 0)
            abort ();
        break;
    default:
        abort ();
    }
    kikan_file_report_clear (&r);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each quarter
 * (truncated input is the commonest hostile case), then frees the engine
 * so that LeakSanitizer sees a clean exit. */
const unsigned kikan_fuzz_prefix_parts = 4;
const unsigned kikan_fuzz_selectors = 0;

void kikan_fuzz_done (void);

void
kikan_fuzz_done (void)
{
    kikan_engine_free (engine);
    engine = NULL;
}
#endif
