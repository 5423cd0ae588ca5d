/* Kikan kiosk UI: IT mode behind a password (KR-30, KR-35); a mode of the window (issue #11). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _KikanKioskWindow KikanKioskWindow;

/* The widget of this mode, for the window's stack. */
GtkWidget *kikan_it_view_new (KikanKioskWindow *window);

G_END_DECLS
