/* Fuzz harness: arbitrary bytes as a check-in script (kiosk/checkin/
 * script.c, json-glib), the file `kikan checkin --script` plays.
 *
 * A script comes from whoever drives a headless kiosk or a test; what it
 * holds is stored verbatim as D-evidence.  Beyond "no crash, no sanitizer
 * report, no leak": a refusal always names a place and says nothing was
 * recorded; a script that loads names an employee, answers each question
 * at most once with a valid question number, every item presented names
 * an asset or a medium, every missing item names an asset and a known
 * disposition, and an item left at home has a return date. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error-private.h"
#include "script-private.h"

static gboolean
one_of (const char *v, const char *const *allowed)
{
    for (gsize i = 0; allowed[i] != NULL; i++)
        if (g_strcmp0 (v, allowed[i]) == 0)
            return TRUE;
    return FALSE;
}

static void
check (const KikanScript *s)
{
    static const char *const dispositions[] = { "at_home", "lost", "stolen", "damaged",
                                                "transferred", NULL };
    gboolean seen[20] = { FALSE };

    if (s->employee == NULL || s->employee[0] == '\0')
        abort ();
    for (guint i = 0; i < s->answers->len; i++) {
        const KikanScriptAnswer *a = s->answers->pdata[i];
        guint64 q = 0;

        if (a->question == NULL || a->question[0] != 'Q'
            || !g_ascii_string_to_unsigned (a->question + 1, 10, 1, 19, &q, NULL) || seen[q]
            || a->answer == NULL || a->answer[0] == '\0')
            abort ();
        seen[q] = TRUE;
    }
    for (guint i = 0; i < s->present->len; i++) {
        const KikanScriptPresent *p = s->present->pdata[i];

        if ((p->asset == NULL && p->medium == NULL) || p->passphrase_files == NULL)
            abort ();
    }
    for (guint i = 0; i < s->missing->len; i++) {
        const KikanScriptMissing *m = s->missing->pdata[i];

        if (m->asset == NULL || !one_of (m->declared, dispositions)
            || (g_strcmp0 (m->declared, "at_home") == 0 && m->return_by == NULL))
            abort ();
    }
    if (s->visit_seconds < -1 || s->visit_seconds > 86400)
        abort ();
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanScript) s = kikan_script_parse ((const char *) data, size, &error);

    if (s != NULL) {
        if (error != NULL)
            abort ();
        check (s);
    } else if (error == NULL || error->message == NULL
               || strstr (error->message, "nothing was recorded") == NULL)
        abort ();
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each quarter. */
const unsigned kikan_fuzz_prefix_parts = 4;
const unsigned kikan_fuzz_selectors = 0;
#endif
