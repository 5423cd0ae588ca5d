/* Kikan kiosk: how times and ages are written for people and for JSON. */
#include "format-private.h"

static char *
format_utc (gint64 t, const char *fmt)
{
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

    return dt != NULL ? g_date_time_format (dt, fmt) : NULL;
}

char *
kikan_format_time_iso (gint64 t)
{
    return t > 0 ? format_utc (t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

char *
kikan_format_time_human (gint64 t)
{
    char *s = t > 0 ? format_utc (t, "%Y-%m-%d %H:%M UTC") : NULL;

    return s != NULL ? s : g_strdup ("unknown");
}

char *
kikan_format_age_days (double days)
{
    if (days < 0)
        return g_strdup ("in the future (check the kiosk clock)");
    if (days < 1.0)
        return g_strdup_printf ("%.0f hours", days * 24.0);
    if (days < 10.0)
        return g_strdup_printf ("%.1f days", days);
    return g_strdup_printf ("%.0f days", days);
}
