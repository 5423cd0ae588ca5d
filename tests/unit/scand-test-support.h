/* Shared by the unit tests that drive kikan-scand through the client API:
 * test-scanner-scand.c, test-scanner-worker.c and
 * test-scanner-sandbox-proof.c.  Each of them needs a temp dir per test
 * with the marker signature in it, the reports a scan sends back kept as
 * copies, and (for the two run one ctest per test) the choice of one test
 * from the command line.  Built once, by tests/unit/scand-test-support.cmake,
 * and linked into the three. */
#pragma once

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kikan/report.h"
#include "kikan/scand.h"

/* A detection without a byte of malware: the daemons load a signature
 * for this text (scand_test_dir_new()), and libclamav names what it finds
 * "MARKER_SIG.UNOFFICIAL" because the database is unsigned. */
#define MARKER "KIKAN-HARMLESS-TEST-MARKER"
#define MARKER_SIG "Kikan.Test.Marker"

/* ---- the temp dir of one test ---- */

typedef struct {
    char root[PATH_MAX];     /* everything of this test lives here */
    char tmpdir[PATH_MAX];   /* TMPDIR of the daemon */
    char ndb[PATH_MAX];      /* the marker signature */
} ScandTestDir;

/* Makes /tmp/kikan-test-@name-XXXXXX holding tmp/ and marker.ndb, and
 * points TMPDIR at tmp/ for the daemons spawned afterwards, so that a test
 * can see whether their private temp dirs were removed.  Any failure fails
 * the test.  Free with scand_test_dir_free(). */
ScandTestDir *scand_test_dir_new (const char *name);

/* Removes the whole tree of @d, then @d; accepts NULL. */
void scand_test_dir_free (ScandTestDir *d);

/* @out (PATH_MAX bytes) becomes "@a/@b"; a path that does not fit fails
 * the test rather than name another file. */
void path_join (char *out, const char *a, const char *b);

/* Creates or truncates @path with the bytes given; any failure fails the
 * test. */
void write_file (const char *path, const void *data, size_t len);
void write_text (const char *path, const char *text);

/* ---- the reports of one scan ---- */

/* Copies of every report a scan sent, in the order sent; the test owns
 * them until scand_test_reports_clear(). */
typedef struct {
    KikanFileReport *reports;
    size_t n_reports;
    KikanVolumeReport *volumes;
    size_t n_volumes;
    size_t reports_before_last_volume;  /* files seen when the last volume came */
} ScandTestReports;

/* KikanScandEvents callbacks.  @user_data is a ScandTestReports or a
 * struct whose FIRST member is one (C11 6.7.2.1: a pointer to a struct,
 * converted, points to its first member), so that a test can keep more of
 * what it saw next to the reports. */
void scand_test_on_file (const KikanFileReport *r, void *user_data);
void scand_test_on_volume (const KikanVolumeReport *v, void *user_data);

/* Frees every copy and zeroes @c, ready for the next scan. */
void scand_test_reports_clear (ScandTestReports *c);

/* ---- one test from the command line ---- */

/* With no argument every test of @tests runs; with one, only test_ARGV1,
 * so that each test is its own ctest (named ARGV1).  Returns 0 to go on to
 * cmocka_run_group_tests_name(), or the exit status: a name that matches
 * no test is refused, else a typo in a ctest registration would run zero
 * tests and pass. */
int scand_test_select (int argc, char **argv, const struct CMUnitTest *tests, size_t n_tests);
