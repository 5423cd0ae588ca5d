/* Kikan kiosk UI: the declaration's words on screen (REQUIREMENTS §5.2,
 * KR-24, KR-25): each question as the kiosk asks it, what it asks next on
 * Yes or Not sure, and the "How do I check this?" steps per system.
 * Non-punitive: the questions ask what happened, never who is to blame.
 * All strings are N_() here and translated where they are shown. */
#pragma once

#include <glib.h>

typedef enum {
    KIKAN_UI_HELP_WINDOWS,
    KIKAN_UI_HELP_MACOS,
    KIKAN_UI_HELP_LINUX,
    KIKAN_UI_HELP_PHONE,
    KIKAN_UI_N_HELP,
} KikanUiHelpSystem;

typedef struct {
    const char *text;          /* the question */
    const char *followup;      /* the follow-up's prompt on Yes / Not sure, or NULL */
    const char *help[KIKAN_UI_N_HELP];
} KikanUiQuestion;

/* @q 1…19; NULL otherwise.  Untranslated (N_): pass each string to _(). */
const KikanUiQuestion *kikan_ui_question (guint q);
/* "Windows", "macOS", "Linux", "Phone or tablet", translated. */
const char *kikan_ui_help_system_name (KikanUiHelpSystem s);
