/* Kikan kiosk: what one signature database file is. */
#include "db-file-private.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kikan/engine.h"

void
kikan_db_file_free (KikanDbFile *self)
{
    if (self == NULL)
        return;
    g_free (self->name);
    g_free (self->path);
    g_free (self->identity);
    g_free (self->origin);
    g_free (self->error);
    g_free (self);
}

char *
kikan_db_file_identity (const char *name, gboolean is_signed, guint version)
{
    const char *dot = strrchr (name, '.');
    g_autofree char *stem = dot != NULL && dot != name ? g_strndup (name, (gsize) (dot - name))
                                                       : g_strdup (name);
    g_autofree char *suffix = NULL;
    const char *dash;

    if (!is_signed)
        return g_strdup (name);
    dash = strrchr (stem, '-');
    suffix = g_strdup_printf ("-%u", version);
    if (dash != NULL && dash != stem && g_str_equal (dash, suffix))
        return g_strndup (stem, (gsize) (dash - stem));
    return g_steal_pointer (&stem);
}

static gboolean
is_yara_name (const char *name)
{
    return g_str_has_suffix (name, ".yara") || g_str_has_suffix (name, ".yar");
}

guint
kikan_db_file_count_lines (const char *name, const char *contents, gsize len)
{
    gboolean yara = is_yara_name (name);
    const char *p = contents, *end = contents + len;
    guint count = 0;

    while (p < end) {
        const char *nl = memchr (p, '\n', (gsize) (end - p));
        const char *eol = nl != NULL ? nl : end;
        const char *s = p;

        while (s < eol && g_ascii_isspace (*s))
            s++;
        if (yara) {
            /* "rule x", "private rule x", "global private rule x" */
            for (;;) {
                if ((gsize) (eol - s) > 8 && strncmp (s, "private ", 8) == 0)
                    s += 8;
                else if ((gsize) (eol - s) > 7 && strncmp (s, "global ", 7) == 0)
                    s += 7;
                else
                    break;
                while (s < eol && g_ascii_isspace (*s))
                    s++;
            }
            if ((gsize) (eol - s) > 5 && strncmp (s, "rule", 4) == 0 && g_ascii_isspace (s[4]))
                count++;
        } else if (s < eol && *s != '#') {
            count++;
        }
        p = eol + 1;
    }
    return count;
}

KikanDbFile *
kikan_db_file_describe (const char *path, const char *origin)
{
    g_autoptr (KikanDbFile) self = g_new0 (KikanDbFile, 1);

    self->path = g_strdup (path);
    self->name = g_path_get_basename (path);
    self->origin = g_strdup (origin);
    self->is_signed = kikan_db_is_signed_name (self->name) != 0;
    if (self->is_signed) {
        char err[512] = "";
        unsigned version = 0, sigs = 0;
        int64_t build = 0;

        if (kikan_db_verify (path, &version, &build, &sigs, err, sizeof err) == 0) {
            self->verified = TRUE;
            self->version = version;
            self->build_time = build;
            self->signatures = sigs;
        } else if (g_str_has_prefix (err, path)) {
            /* The message names the full path; people know the file by its name. */
            self->error = g_strconcat (self->name, err + strlen (path), NULL);
        } else {
            self->error = g_strdup_printf ("%s failed verification: %s", self->name,
                                           err[0] != '\0' ? err : "unknown error");
        }
    } else {
        g_autofree char *contents = NULL;
        g_autoptr (GError) error = NULL;
        gsize len = 0;
        GStatBuf st;

        if (g_stat (path, &st) == 0)
            self->build_time = (gint64) st.st_mtime;
        if (g_file_get_contents (path, &contents, &len, &error))
            self->signatures = kikan_db_file_count_lines (self->name, contents, len);
        else
            self->error = g_strdup (error->message);
    }
    self->identity = kikan_db_file_identity (self->name, self->is_signed, self->version);
    return g_steal_pointer (&self);
}
