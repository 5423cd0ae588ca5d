/* Kikan kiosk UI: gettext and the language switch (kiosk-i18n.h). */
#include "kiosk-i18n.h"

#include <libintl.h>
#include <locale.h>

/* glibc caches translations per language; bumping this counter is the
 * documented way (gettext manual, "Being a gettext grok") to make it read
 * LANGUAGE again after a change at run time. */
extern int _nl_msg_cat_cntr;

static char language[8] = "ja";

void
kikan_ui_i18n_init (void)
{
    g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
    const char *dir = KIKAN_LOCALE_INSTALL_DIR;

    /* A C or POSIX locale makes gettext ignore LANGUAGE; the kiosk's
     * service runs under C.UTF-8, which keeps UTF-8 and lets LANGUAGE
     * choose the catalog. */
    if (setlocale (LC_ALL, "") == NULL || g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0)
        setlocale (LC_ALL, "C.UTF-8");
    /* Run from the build tree (the tests, the demo): its own catalogs. */
    if (self != NULL && g_file_test (KIKAN_LOCALE_BUILD_DIR, G_FILE_TEST_IS_DIR)
        && g_str_has_prefix (self, KIKAN_BUILD_ROOT))
        dir = KIKAN_LOCALE_BUILD_DIR;
    bindtextdomain (GETTEXT_PACKAGE, dir);
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
    textdomain (GETTEXT_PACKAGE);
}

void
kikan_ui_set_language (const char *lang)
{
    g_return_if_fail (g_strcmp0 (lang, "ja") == 0 || g_strcmp0 (lang, "en") == 0);
    g_strlcpy (language, lang, sizeof language);
    g_setenv ("LANGUAGE", lang, TRUE);
    ++_nl_msg_cat_cntr;
}

const char *
kikan_ui_get_language (void)
{
    return language;
}
