/* Kikan kiosk: how times and ages are written for people and for JSON. */
#pragma once

#include <glib.h>

/* "2021-06-23T01:31:42Z"; free it.  NULL for @t <= 0. */
char *kikan_format_time_iso (gint64 t);
/* "2021-06-23 01:31 UTC"; free it.  "unknown" for @t <= 0. */
char *kikan_format_time_human (gint64 t);
/* "3 hours", "2.5 days", "1612 days"; free it. */
char *kikan_format_age_days (double days);
