/* Kikan kiosk: how times and ages are written for people and for JSON. */
#include "format-private.h"

#include <string.h>

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

gboolean
kikan_csv_formula_guarded (const char *v)
{
    /* Spreadsheets also start a formula after leading apostrophes,
     * spaces, tabs, CR and LF (OWASP "CSV injection"). */
    while (*v == '\'' || *v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
        v++;
    return *v == '=' || *v == '+' || *v == '-' || *v == '@';
}

void
kikan_csv_append_field (GString *out, const char *v, gboolean first)
{
    g_autofree char *guarded = NULL;
    gsize n;

    if (!first)
        g_string_append_c (out, ',');
    if (v == NULL || v[0] == '\0')
        return;
    if (kikan_csv_formula_guarded (v))
        v = guarded = g_strconcat ("'", v, NULL);
    n = strlen (v);
    if (strpbrk (v, ",\"\r\n") == NULL && v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' '
        && v[n - 1] != '\t') {
        g_string_append (out, v);
        return;
    }
    g_string_append_c (out, '"');
    for (const char *c = v; *c != '\0'; c++) {
        if (*c == '"')
            g_string_append_c (out, '"');
        g_string_append_c (out, *c);
    }
    g_string_append_c (out, '"');
}

gboolean
kikan_id_is_plain (const char *id)
{
    gsize n = id != NULL ? strlen (id) : 0;

    if (n == 0 || n > 64)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum (id[i]) && id[i] != '.' && id[i] != '_' && id[i] != '-')
            return FALSE;
    return TRUE;
}
