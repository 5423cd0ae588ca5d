/* Kikan kiosk UI: auditor mode, read-only (KR-31); a mode of the window (issue #11). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _KikanKioskWindow KikanKioskWindow;

/* The widget of this mode, for the window's stack. */
GtkWidget *kikan_auditor_view_new (KikanKioskWindow *window);

G_END_DECLS
