/* What the kikan-scand unit tests share (scand-test-support.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kikan/volume.h"
#include "scand-test-support.h"

/* ---- the temp dir of one test ---- */

void
path_join (char *out, const char *a, const char *b)
{
    int n = snprintf (out, PATH_MAX, "%s/%s", a, b);

    assert_true (n > 0 && n < PATH_MAX);
}

void
write_file (const char *path, const void *data, size_t len)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    assert_true (fd >= 0);
    assert_int_equal (write (fd, data, len), (ssize_t) len);
    assert_int_equal (close (fd), 0);
}

void
write_text (const char *path, const char *text)
{
    write_file (path, text, strlen (text));
}

ScandTestDir *
scand_test_dir_new (const char *name)
{
    ScandTestDir *d = calloc (1, sizeof *d);
    char hex[2 * sizeof MARKER], line[256];
    int n;

    assert_non_null (d);
    n = snprintf (d->root, sizeof d->root, "/tmp/kikan-test-%s-XXXXXX", name);
    assert_true (n > 0 && (size_t) n < sizeof d->root);
    assert_non_null (mkdtemp (d->root));
    path_join (d->tmpdir, d->root, "tmp");
    assert_int_equal (mkdir (d->tmpdir, 0700), 0);
    /* The daemon inherits the environment at spawn time. */
    setenv ("TMPDIR", d->tmpdir, 1);
    for (size_t i = 0; i < strlen (MARKER); i++)
        snprintf (hex + 2 * i, 3, "%02x", (unsigned char) MARKER[i]);
    snprintf (line, sizeof line, "%s:0:*:%s\n", MARKER_SIG, hex);
    path_join (d->ndb, d->root, "marker.ndb");
    write_text (d->ndb, line);
    return d;
}

static int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

void
scand_test_dir_free (ScandTestDir *d)
{
    if (d == NULL)
        return;
    nftw (d->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free (d);
}

/* ---- the reports of one scan ---- */

/* @v, an array of @n elements of @size bytes, with one more, zeroed. */
static void *
grow_by_one (void *v, size_t n, size_t size)
{
    char *nv = reallocarray (v, n + 1, size);

    assert_non_null (nv);
    memset (nv + n * size, 0, size);
    return nv;
}

void
scand_test_on_file (const KikanFileReport *r, void *user_data)
{
    ScandTestReports *c = user_data;

    c->reports = grow_by_one (c->reports, c->n_reports, sizeof *c->reports);
    assert_int_equal (kikan_file_report_copy (&c->reports[c->n_reports], r), 0);
    c->n_reports++;
}

void
scand_test_on_volume (const KikanVolumeReport *v, void *user_data)
{
    ScandTestReports *c = user_data;
    KikanVolumeReport *nv;

    c->volumes = grow_by_one (c->volumes, c->n_volumes, sizeof *c->volumes);
    nv = &c->volumes[c->n_volumes];
    assert_int_equal (kikan_volume_copy (&nv->volume, &v->volume), 0);
    nv->result = v->result;
    nv->reason = v->reason;
    c->n_volumes++;
    c->reports_before_last_volume = c->n_reports;
}

void
scand_test_reports_clear (ScandTestReports *c)
{
    for (size_t i = 0; i < c->n_reports; i++)
        kikan_file_report_clear (&c->reports[i]);
    free (c->reports);
    for (size_t i = 0; i < c->n_volumes; i++)
        kikan_volume_report_clear (&c->volumes[i]);
    free (c->volumes);
    memset (c, 0, sizeof *c);
}

/* ---- one test from the command line ---- */

int
scand_test_select (int argc, char **argv, const struct CMUnitTest *tests, size_t n_tests)
{
    /* Static: cmocka keeps this pointer, not a copy, until the group ran. */
    static char filter[128];
    int known = 0;

    if (argc > 2) {
        fprintf (stderr, "usage: %s [TEST_NAME]\n", argv[0]);
        return 2;
    }
    if (argc == 2) {
        snprintf (filter, sizeof filter, "test_%s", argv[1]);
        for (size_t i = 0; i < n_tests; i++)
            known |= strcmp (tests[i].name, filter) == 0;
        if (!known) {
            fprintf (stderr, "%s: no test named %s\n", argv[0], argv[1]);
            return 2;
        }
        cmocka_set_test_filter (filter);
    }
    return 0;
}
