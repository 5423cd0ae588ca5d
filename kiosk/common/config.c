/* Kikan kiosk: kikan.conf, the kiosk's settings. */
#include "config-private.h"

#include <string.h>

#include "error-private.h"
#include "escape-private.h"

typedef enum { KEY_SIZE, KEY_NUMBER, KEY_LIST } KeyKind;

typedef struct {
    const char *group;
    const char *key;
    KeyKind kind;
    guint64 min, max;
    const char *default_text;   /* shown in error messages */
} KeySpec;

static const KeySpec key_specs[] = {
    { "scan", "max_filesize", KEY_SIZE, 1, G_MAXUINT32, "100M" },
    { "scan", "max_scansize", KEY_SIZE, 1, G_MAXUINT32, "400M" },
    { "scan", "max_recursion", KEY_NUMBER, 1, 255, "16" },
    { "scan", "max_files", KEY_NUMBER, 1, 10000000, "10000" },
    { "scan", "max_scantime_ms", KEY_NUMBER, 1, 86400000, "120000" },
    { "scan", "jobs", KEY_NUMBER, 0, 256, "0, one per CPU" },
    { "scan", "timeout_s", KEY_NUMBER, 0, 7 * 86400, "0, the daemon's 3600" },
    { "signatures", "max_age_days", KEY_NUMBER, 1, 3650, "7" },
    { "signatures", "database_dirs", KEY_LIST, 0, 0, "none" },
    /* Long enough to read a question and find a stick in a bag; short
     * enough that a visit walked away from does not stay on screen. */
    { "kiosk", "idle_seconds", KEY_NUMBER, 3, 3600, "120" },
};

KikanConfig *
kikan_config_new (void)
{
    KikanConfig *self = g_new0 (KikanConfig, 1);

    self->max_age_days = KIKAN_CONFIG_DEFAULT_MAX_AGE_DAYS;
    self->idle_seconds = KIKAN_CONFIG_DEFAULT_IDLE_SECONDS;
    self->database_dirs = g_new0 (char *, 1);
    return self;
}

void
kikan_config_free (KikanConfig *self)
{
    if (self == NULL)
        return;
    g_strfreev (self->database_dirs);
    g_free (self);
}

/* A whole number, optionally followed by K, M or G (powers of 1024). */
static gboolean
parse_number (const char *text, gboolean allow_suffix, guint64 *out)
{
    g_autofree char *s = g_strstrip (g_strdup (text));
    guint64 v = 0, mult = 1;
    gsize n = strlen (s);

    if (n == 0)
        return FALSE;
    if (allow_suffix) {
        switch (g_ascii_toupper (s[n - 1])) {
        case 'K':
            mult = G_GUINT64_CONSTANT (1) << 10;
            break;
        case 'M':
            mult = G_GUINT64_CONSTANT (1) << 20;
            break;
        case 'G':
            mult = G_GUINT64_CONSTANT (1) << 30;
            break;
        default:
            break;
        }
        if (mult != 1)
            s[--n] = '\0';
    }
    if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, &v, NULL))
        return FALSE;
    if (v > G_MAXUINT64 / mult)
        return FALSE;
    *out = v * mult;
    return TRUE;
}

static const KeySpec *
find_spec (const char *group, const char *key)
{
    for (gsize i = 0; i < G_N_ELEMENTS (key_specs); i++)
        if (g_str_equal (key_specs[i].group, group) && g_str_equal (key_specs[i].key, key))
            return &key_specs[i];
    return NULL;
}

static void
store (KikanConfig *self, const KeySpec *spec, guint64 v)
{
    const char *k = spec->key;

    if (g_str_equal (k, "max_filesize"))
        self->limits.max_filesize = v;
    else if (g_str_equal (k, "max_scansize"))
        self->limits.max_scansize = v;
    else if (g_str_equal (k, "max_recursion"))
        self->limits.max_recursion = (uint32_t) v;
    else if (g_str_equal (k, "max_files"))
        self->limits.max_files = (uint32_t) v;
    else if (g_str_equal (k, "max_scantime_ms"))
        self->limits.max_scantime_ms = (uint32_t) v;
    else if (g_str_equal (k, "jobs"))
        self->jobs = (guint) v;
    else if (g_str_equal (k, "timeout_s"))
        self->timeout_s = (guint) v;
    else if (g_str_equal (k, "max_age_days"))
        self->max_age_days = (guint) v;
    else if (g_str_equal (k, "idle_seconds"))
        self->idle_seconds = (guint) v;
    else
        g_assert_not_reached ();
}

/* @strict: an unknown key is an error (a typo must not fall back to a
 * default); [kiosk] is shared with other parts of Kikan, which read their
 * own keys, so only the keys known here are checked there. */
static gboolean
load_group (KikanConfig *self, GKeyFile *kf, const char *path, const char *group,
            gboolean strict, GError **error)
{
    g_auto (GStrv) keys = NULL;

    if (!g_key_file_has_group (kf, group))
        return TRUE;
    keys = g_key_file_get_keys (kf, group, NULL, NULL);
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
        const KeySpec *spec = find_spec (group, keys[i]);
        g_autofree char *value = NULL;
        g_autofree char *shown = NULL;
        guint64 v = 0;

        if (spec == NULL && !strict)
            continue;
        if (spec == NULL) {
            g_autoptr (GString) known = g_string_new (NULL);
            g_autofree char *shown_key = kikan_escape_for_display (keys[i], -1);

            for (gsize j = 0; j < G_N_ELEMENTS (key_specs); j++)
                if (g_str_equal (key_specs[j].group, group))
                    g_string_append_printf (known, "%s%s", known->len ? ", " : "",
                                            key_specs[j].key);
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                         "%s: unknown key “%s” in [%s]. The keys of [%s] are: %s. Correct "
                         "the spelling or remove the line.",
                         path, shown_key, group, group, known->str);
            return FALSE;
        }
        if (spec->kind == KEY_LIST) {
            g_auto (GStrv) list = g_key_file_get_string_list (kf, group, keys[i], NULL, NULL);

            g_strfreev (self->database_dirs);
            self->database_dirs = g_new0 (char *, 1);
            for (gsize j = 0; list != NULL && list[j] != NULL; j++) {
                g_autofree char *dir = g_strstrip (g_strdup (list[j]));
                gsize n = g_strv_length (self->database_dirs);

                if (dir[0] == '\0')
                    continue;
                if (!g_path_is_absolute (dir)) {
                    g_autofree char *shown_dir = kikan_escape_for_display (dir, -1);

                    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                                 "%s: [%s] %s: “%s” is not an absolute path. Write each "
                                 "folder as a full path, separated by “;”.",
                                 path, group, keys[i], shown_dir);
                    return FALSE;
                }
                self->database_dirs = g_renew (char *, self->database_dirs, n + 2);
                self->database_dirs[n] = g_steal_pointer (&dir);
                self->database_dirs[n + 1] = NULL;
            }
            continue;
        }
        value = g_key_file_get_value (kf, group, keys[i], NULL);
        /* What IT typed is shown escaped (STYLE rule 14): a pasted control
         * character or override must not reach the start-up screen or a
         * log line raw (found by tests/fuzz/fuzz-config.c). */
        shown = kikan_escape_for_display (value != NULL ? value : "", -1);
        if (value == NULL || !parse_number (value, spec->kind == KEY_SIZE, &v)) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                         "%s: [%s] %s = “%s” is not %s. Fix the value or remove the line "
                         "to use the default (%s).",
                         path, group, keys[i], shown,
                         spec->kind == KEY_SIZE
                             ? "a size in bytes (a whole number, optionally followed by K, "
                               "M or G)"
                             : "a whole number",
                         spec->default_text);
            return FALSE;
        }
        if (v < spec->min || v > spec->max) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                         "%s: [%s] %s = %s is out of range: it must be between %" G_GUINT64_FORMAT
                         " and %" G_GUINT64_FORMAT ". Fix the value or remove the line to use "
                         "the default (%s).",
                         path, group, keys[i], shown, spec->min, spec->max, spec->default_text);
            return FALSE;
        }
        store (self, spec, v);
    }
    return TRUE;
}

KikanConfig *
kikan_config_load (const char *path, GError **error)
{
    g_autoptr (KikanConfig) self = kikan_config_new ();
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autoptr (GError) local = NULL;

    g_return_val_if_fail (path != NULL, NULL);
    if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local)) {
        if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer (&self);
        /* GLib quotes the offending line in its message. */
        g_autofree char *why = kikan_escape_for_display (local->message, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                     "Cannot read the settings file %s: %s. Fix it, or move it away to use "
                     "the defaults.",
                     path, why);
        return NULL;
    }
    if (!load_group (self, kf, path, "scan", TRUE, error) ||
        !load_group (self, kf, path, "signatures", TRUE, error) ||
        !load_group (self, kf, path, "kiosk", FALSE, error))
        return NULL;
    return g_steal_pointer (&self);
}
