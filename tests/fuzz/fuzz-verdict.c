/* Fuzz harness: arbitrary bytes as a stored verdict (kiosk/checkin/verdict.c
 * kikan_verdict_result_from_json), as an answer to the declaration
 * (declaration.c) and as a reason template (reasons.c).
 *
 * The store keeps each verdict as JSON and `kikan it` reads it back to act
 * on it (KR-30): a damaged or forged row must be refused, never half
 * believed, and never crash the kiosk.
 *
 * Invariants beyond "no crash, no sanitizer report, no leak": a refusal
 * always says why; an accepted verdict has a known level, every reason a
 * code of the table, a provenance mark M/R/D/V and a text; IT actions are
 * present exactly when an original verdict is, each with who, why and
 * when; writing it out and reading it back gives the same document; an
 * override on it keeps the original verdict.  An answer is either refused
 * with the question named or recorded as one of the four answers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict-private.h"

static char *
to_text (JsonNode *node)
{
    g_autoptr (JsonGenerator) g = json_generator_new ();

    json_generator_set_root (g, node);
    return json_generator_to_data (g, NULL);
}

static void
check_result (KikanVerdictResult *r)
{
    g_autoptr (JsonNode) n1 = NULL;
    g_autoptr (JsonParser) p = json_parser_new ();
    g_autoptr (KikanVerdictResult) back = NULL;
    g_autoptr (JsonNode) n2 = NULL;
    g_autofree char *t1 = NULL, *t2 = NULL;
    KikanVerdict before;

    if ((guint)r->verdict >= KIKAN_VERDICT_N_LEVELS)
        abort ();
    for (guint i = 0; i < r->reasons->len; i++) {
        const KikanVerdictReason *x = g_ptr_array_index (r->reasons, i);

        if (kikan_reason_def_lookup (x->code) == NULL || !kikan_provenance_is_valid (x->provenance)
            || x->text == NULL || (guint)x->level >= KIKAN_VERDICT_N_LEVELS)
            abort ();
    }
    if (r->it_acted != (r->it_actions->len > 0))
        abort ();
    n1 = kikan_verdict_result_to_json (r);
    t1 = to_text (n1);
    if (!json_parser_load_from_data (p, t1, -1, NULL))
        abort ();
    back = kikan_verdict_result_from_json (json_parser_get_root (p), NULL);
    if (back == NULL)
        abort ();
    n2 = kikan_verdict_result_to_json (back);
    t2 = to_text (n2);
    if (strcmp (t1, t2) != 0)
        abort ();
    before = r->it_acted ? r->original_verdict : r->verdict;
    if (!kikan_verdict_apply_it_action (r, KIKAN_IT_OVERRIDE, KIKAN_VERDICT_HOLD, "IT-1", "fuzz",
                                        "2026-12-03T00:00:00Z", NULL))
        abort ();
    if (!r->it_acted || !r->overridden || r->original_verdict != before
        || r->verdict != KIKAN_VERDICT_HOLD)
        abort ();
}

static void
check_answer (const char *q, const char *value)
{
    g_autoptr (KikanDeclaration) d = kikan_declaration_new ();
    g_autoptr (GError) error = NULL;
    guint n = kikan_question_from_string (q);

    if (!kikan_declaration_set_answer (d, q, value, &error)) {
        if (error == NULL || error->message[0] == '\0')
            abort ();
        return;
    }
    if (n == 0 || d->answer[n] > KIKAN_ANSWER_NOT_SURE)
        abort ();
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    g_autoptr (JsonParser) p = json_parser_new ();
    g_autofree char *text = g_strndup ((const char *)data, size);

    if (size > 65536)
        return 0;
    if (json_parser_load_from_data (p, (const char *)data, (gssize)size, NULL)) {
        g_autoptr (GError) error = NULL;
        g_autoptr (KikanVerdictResult) r
            = kikan_verdict_result_from_json (json_parser_get_root (p), &error);

        if (r == NULL) {
            if (error == NULL || error->message[0] == '\0')
                abort ();
        } else {
            check_result (r);
        }
    }
    check_answer ("Q3", text);
    check_answer ("Q17", text);
    check_answer (text, "yes");
    {
        const char *k[] = { "signature", "file" }, *v[] = { text, NULL };
        g_autofree char *filled = kikan_reason_fill (text, k, v, 2);

        if (filled == NULL)
            abort ();
    }
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each eighth. */
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 0;
#endif
