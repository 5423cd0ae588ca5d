/* Kikan kiosk: the slip's words, Japanese and English (issue #10 item 4,
 * issue #11 item 1; KR-25, KR-45).
 *
 * One set of plain-language words for the verdicts, what to do next, the
 * reason codes of REQUIREMENTS 5.4 and the store's terms, shared by the
 * printed slip and the kiosk's result screen so that the two never say
 * different things. */
#pragma once

#include <glib.h>

#include "slip-private.h"

typedef struct {
    const char *title, *copy_banner, *number, *kiosk, *issued, *clock_ok, *clock_unverified,
        *employee, *telework, *telework_unknown, *policy, *policy_unknown, *signatures,
        *signatures_unknown, *overall, *items, *serial, *checked, *not_inspected_medium,
        *files_bytes, *encryption, *result_clean, *result_infected, *result_partial,
        *software_findings, *no_medium, *conditions, *no_conditions, *until, *overrides,
        *override_mark, *it_verifier, *valid_until, *not_valid, *next_heading, *contacts,
        *phone, *mail, *reminder, *logged, *qr_caption, *provenance_legend, *incident,
        *undecided, *presence_missing;
    const char *heading[KIKAN_SLIP_N_VERDICTS];
    const char *word[KIKAN_SLIP_N_VERDICTS];
    const char *next[KIKAN_SLIP_N_VERDICTS];
} KikanSlipWords;

/* The words of @language (static). */
const KikanSlipWords *kikan_slip_words (KikanSlipLanguage language);
/* Japanese for reason @code ("MAL-02"), or NULL (the store's English
 * text is then what is said). */
const char *kikan_slip_words_reason_ja (const char *code);
/* Japanese for the default condition of reason @code (KR-28), or NULL. */
const char *kikan_slip_words_condition_ja (const char *code);
/* The store's @word ("at_home", "usb", "none"…) said plainly, or NULL
 * when it is not one of them (show it escaped as stored). */
const char *kikan_slip_words_say (const char *word, KikanSlipLanguage language);
