/* Kikan kiosk: test seams on the GLib side (test-seams-private.h). */
#include "test-seams-private.h"

char **
kikan_test_seams_drop_from_environment (void)
{
    g_autoptr (GStrvBuilder) dropped = g_strv_builder_new ();

    for (gsize i = 0; kikan_test_seam_names[i] != NULL; i++) {
        if (g_getenv (kikan_test_seam_names[i]) == NULL)
            continue;
        g_strv_builder_add (dropped, kikan_test_seam_names[i]);
        g_unsetenv (kikan_test_seam_names[i]);
    }
    return g_strv_builder_end (dropped);
}
