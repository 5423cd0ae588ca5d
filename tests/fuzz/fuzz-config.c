/* Fuzz harness: kikan.conf, the kiosk's settings (kiosk/common/config.c on
 * GKeyFile; issue #12 item 1).
 *
 * IT writes kikan.conf by hand and a hand-edited file can hold anything:
 * pasted control characters, bytes that are not UTF-8, a line cut short.
 * Each input is written to a file and loaded as the kiosk does.
 *
 * Invariants beyond "no crash, no sanitizer report":
 *   - a refusal carries a KIKAN_ERROR_CONFIG message that is safe to show
 *     (STYLE rule 14: whatever the file held, no control character, no
 *     bidirectional override, no invalid UTF-8 reaches the start-up
 *     screen or a log line through the message);
 *   - an accepted file gives values inside each key's documented range
 *     (config-private.h) and database folders that are absolute paths. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-private.h"
#include "error-private.h"
#include "escape-private.h"

static char *path;

static void
remove_file (void)
{
    if (path != NULL)
        (void) unlink (path);
}

static void
write_input (const uint8_t *data, size_t size)
{
    FILE *f;

    if (path == NULL) {
        const char *dir = g_get_tmp_dir ();
        int fd;

        path = g_build_filename (dir, "kikan-fuzz-config-XXXXXX", NULL);
        if ((fd = g_mkstemp (path)) < 0)
            abort ();
        close (fd);
        atexit (remove_file);
    }
    if ((f = fopen (path, "wb")) == NULL)
        abort ();
    if (size > 0 && fwrite (data, 1, size, f) != size)
        abort ();
    if (fclose (f) != 0)
        abort ();
}

static void
check_range (guint64 v, guint64 min, guint64 max)
{
    /* 0 is "the default" for the limits, which the engine fills in. */
    if (v != 0 && (v < min || v > max))
        abort ();
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    GError *error = NULL;
    KikanConfig *c;

    write_input (data, size);
    c = kikan_config_load (path, &error);
    if (c == NULL) {
        if (error == NULL || !g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG))
            abort ();
        if (!kikan_escape_is_clean (error->message, -1))
            abort ();
        g_error_free (error);
        return 0;
    }
    if (error != NULL)
        abort ();
    check_range (c->limits.max_filesize, 1, G_MAXUINT32);
    check_range (c->limits.max_scansize, 1, G_MAXUINT32);
    check_range (c->limits.max_recursion, 1, 255);
    check_range (c->limits.max_files, 1, 10000000);
    check_range (c->limits.max_scantime_ms, 1, 86400000);
    if (c->jobs > 256 || c->timeout_s > 7 * 86400)
        abort ();
    if (c->max_age_days < 1 || c->max_age_days > 3650)
        abort ();
    if (c->idle_seconds < 3 || c->idle_seconds > 3600)
        abort ();
    if (c->database_dirs == NULL)
        abort ();
    for (char **d = c->database_dirs; *d != NULL; d++)
        if (!g_path_is_absolute (*d))
            abort ();
    kikan_config_free (c);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 0;
#endif
