/* kikan-kiosk: the GTK4 kiosk at the office entrance (issue #11). */
#include "kiosk-application.h"

int
main (int argc, char **argv)
{
    g_autoptr (KikanKioskApplication) app = kikan_kiosk_application_new ();

    return g_application_run (G_APPLICATION (app), argc, argv);
}
