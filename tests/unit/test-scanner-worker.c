/* The worker's fail-closed paths (issue #12 item 6; KR-10): every way
 * scanner/worker.c turns an error, a limit or an entry it cannot read into
 * "not inspected" is driven here through the client API (what the kiosk
 * and the CLI use), and each test asserts the report's result, reason and
 * detail, and that the target as a whole is not clean.
 *
 * Real inputs first, scanned by the production kikan-scand: a FIFO, a
 * symbolic link and a tree deeper than the walk goes on an ext4 image made
 * with mkfs.ext4 -d; the directory loop and the NTFS named stream of the
 * media fixture (tests/fixtures/make-images.sh); DMG, VHD, oversized and
 * nested FAT images inside a folder.
 *
 * What no input can reach runs against kikan-scand-fault
 * (tests/unit/worker.cmake): the same daemon with the engine and the
 * media layer failing on demand (KIKAN_FAULT, tests/tools/
 * scand-fault-wraps.c).  Each fault test first scans the same target with
 * the same daemon and no fault, and asserts it clean (or as the real
 * layers describe it), so what the fault changes is what is asserted.
 *
 * A missing tool or fixture image FAILS the test with its name.
 *
 * Usage: test-scanner-worker TEST_NAME (one test: the ctest name). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kikan/errors.h"
#include "kikan/report.h"
#include "kikan/scand.h"
#include "kikan/volume.h"
#include "scand-test-support.h"

#ifndef KIKAN_SCAND_PATH
#error "KIKAN_SCAND_PATH must name kikan-scand"
#endif
#ifndef KIKAN_SCAND_FAULT_PATH
#error "KIKAN_SCAND_FAULT_PATH must name kikan-scand-fault"
#endif
#ifndef KIKAN_TEST_MEDIA_IMAGES
#error "KIKAN_TEST_MEDIA_IMAGES must name the media fixture folder"
#endif

/* Directories below the root of the ext4 image: more than the walk's
 * KIKAN_WORKER_MAX_DEPTH (256). */
#define DEEP_LEVELS 260

typedef ScandTestDir Fixture;
typedef ScandTestReports Collected;

/* ---- helpers ---- */

/* Runs a shell command that makes a test input; its failure is the
 * test's, with the command named. */
static void
run (const char *fmt, ...)
{
    char cmd[2 * PATH_MAX + 512];
    va_list ap;
    int rc;

    va_start (ap, fmt);
    vsnprintf (cmd, sizeof cmd, fmt, ap);
    va_end (ap);
    rc = system (cmd);
    if (rc != 0)
        fail_msg ("making the test input failed (status %d): %s", rc, cmd);
}

static int
setup (void **state)
{
    *state = scand_test_dir_new ("worker");
    /* mkfs.ext4 and mkfs.vfat live in /usr/sbin, which a user's PATH may
     * lack. */
    setenv ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
    /* Only the fault tests set it, for one daemon at a time (spawn()). */
    unsetenv ("KIKAN_FAULT");
    return 0;
}

static int
teardown (void **state)
{
    scand_test_dir_free (*state);
    return 0;
}

static const KikanScandEvents events = { NULL, NULL, scand_test_on_file, scand_test_on_volume };

static void
dump_reports (const Collected *c)
{
    for (size_t i = 0; i < c->n_reports; i++) {
        const KikanFileReport *r = &c->reports[i];

        print_message ("  %s: %s %s (%s)\n", r->path ? r->path : "(null)",
                       kikan_result_to_string (r->result), kikan_reason_to_string (r->reason),
                       r->reason_detail ? r->reason_detail : "-");
    }
}

/* The report whose path ends in @suffix, in any case (FAT keeps short
 * names in upper case); the test fails if there is none or more than one. */
static const KikanFileReport *
get_report (const Collected *c, const char *suffix)
{
    const KikanFileReport *found = NULL;
    size_t ls = strlen (suffix), n = 0;

    for (size_t i = 0; i < c->n_reports; i++) {
        const char *p = c->reports[i].path;
        size_t lp = p ? strlen (p) : 0;

        if (lp >= ls && strcasecmp (p + lp - ls, suffix) == 0) {
            found = &c->reports[i];
            n++;
        }
    }
    if (n != 1) {
        dump_reports (c);
        fail_msg ("%zu reports end in \"%s\" among %zu (expected one)", n, suffix,
                  c->n_reports);
        abort ();
    }
    return found;
}

/* The first report with @reason whose detail holds @needle (NULL: any
 * detail); the test fails if there is none. */
static const KikanFileReport *
get_report_by_reason (const Collected *c, KikanReason reason, const char *needle)
{
    for (size_t i = 0; i < c->n_reports; i++) {
        const KikanFileReport *r = &c->reports[i];

        if (r->reason == reason
            && (needle == NULL || (r->reason_detail && strstr (r->reason_detail, needle))))
            return r;
    }
    dump_reports (c);
    fail_msg ("no report with reason %s and detail \"%s\" among %zu",
              kikan_reason_to_string (reason), needle ? needle : "(any)", c->n_reports);
    abort ();
}

/* What the kiosk makes of the target (kikan_scan_report_get_target_result
 * in kiosk/inspect/scan-report.c): the worst of its files and volumes, and
 * not inspected when the worker did not finish. */
static KikanResult
target_result (const Collected *c, const KikanTargetEnd *end)
{
    int infected = 0, not_clean = end->status != KIKAN_TARGET_COMPLETE;

    for (size_t i = 0; i < c->n_reports; i++) {
        infected |= c->reports[i].result == KIKAN_RESULT_INFECTED;
        not_clean |= c->reports[i].result != KIKAN_RESULT_CLEAN;
    }
    for (size_t i = 0; i < c->n_volumes; i++)
        not_clean |= c->volumes[i].result != KIKAN_RESULT_CLEAN;
    if (c->n_reports == 0 && c->n_volumes == 0)
        not_clean = 1;
    return infected ? KIKAN_RESULT_INFECTED
           : not_clean ? KIKAN_RESULT_NOT_INSPECTED
                       : KIKAN_RESULT_CLEAN;
}

static void
assert_report (const KikanFileReport *r, KikanResult result, KikanReason reason,
               const char *detail_has)
{
    if (r->result != result || r->reason != reason
        || (detail_has != NULL
            && (r->reason_detail == NULL || strstr (r->reason_detail, detail_has) == NULL)))
        fail_msg ("%s: %s / %s / \"%s\", expected %s / %s / \"%s\"", r->path,
                  kikan_result_to_string (r->result), kikan_reason_to_string (r->reason),
                  r->reason_detail ? r->reason_detail : "(no detail)",
                  kikan_result_to_string (result), kikan_reason_to_string (reason),
                  detail_has ? detail_has : "(any)");
}

/* Starts @scand with KIKAN_FAULT set to @fault (NULL: unset). */
static KikanScandClient *
spawn (const Fixture *f, const char *scand, const char *fault)
{
    const char *dbs[] = { f->ndb };
    KikanEngineOptions opts;
    KikanScandClient *c = NULL;
    KikanEngineInfo *info = NULL;
    char err[1024];
    int r;

    if (fault != NULL)
        setenv ("KIKAN_FAULT", fault, 1);
    else
        unsetenv ("KIKAN_FAULT");
    memset (&opts, 0, sizeof opts);
    opts.databases = dbs;
    opts.n_databases = 1;
    r = kikan_scand_client_spawn (scand, &opts, &c, &info, err, sizeof err);
    unsetenv ("KIKAN_FAULT");
    if (r != 0)
        fail_msg ("%s (KIKAN_FAULT=%s) did not start: %s (%s)", scand, fault ? fault : "",
                  err, kikan_strerror (r));
    kikan_engine_info_clear (info);
    free (info);
    return c;
}

/* Scans @path with one thread (a deterministic order) on a new daemon
 * @scand with @fault; the daemon must answer and the worker complete. */
static void
scan_with (const Fixture *f, const char *scand, const char *fault, const char *path,
           Collected *col, KikanTargetEnd *end)
{
    KikanScandClient *c = spawn (f, scand, fault);
    KikanScanParams p;
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    int r;

    assert_true (fd >= 0);
    memset (&p, 0, sizeof p);
    p.jobs = 1;
    p.timeout_s = 240;
    memset (col, 0, sizeof *col);
    r = kikan_scand_client_scan (c, fd, path, &p, &events, col, end);
    close (fd);
    kikan_scand_client_free (c);
    if (r != 0)
        fail_msg ("the daemon failed on %s: %s", path, kikan_strerror (r));
    if (end->status != KIKAN_TARGET_COMPLETE) {
        dump_reports (col);
        fail_msg ("%s (KIKAN_FAULT=%s) on %s: status %d (%s), expected complete: the fault "
                  "must end in file reports, not in a failed worker",
                  scand, fault ? fault : "", path, end->status, end->detail ? end->detail : "-");
    }
}

/* Every file of @col is clean and so is the target: the control run. */
static void
assert_all_clean (const Collected *col, const KikanTargetEnd *end, size_t min_reports)
{
    if (col->n_reports < min_reports)
        fail_msg ("control: %zu reports, expected at least %zu", col->n_reports, min_reports);
    for (size_t i = 0; i < col->n_reports; i++)
        assert_report (&col->reports[i], KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL);
    assert_int_equal (target_result (col, end), KIKAN_RESULT_CLEAN);
}

/* ---- inputs ---- */

/* A FAT image holding two clean files (mkfs.vfat -C, mcopy). */
static void
make_fat_medium (const Fixture *f, char *out)
{
    char a[PATH_MAX], b[PATH_MAX];

    path_join (out, f->root, "usb.img");
    path_join (a, f->root, "first.txt");
    path_join (b, f->root, "second.txt");
    write_text (a, "the first clean file of the medium\n");
    write_text (b, "the second clean file of the medium\n");
    run ("mkfs.vfat -C -n KIKANFLT '%s' 2048 >/dev/null", out);
    run ("MTOOLS_SKIP_CHECK=1 mcopy -i '%s' '%s' '%s' ::/", out, a, b);
}

/* An ext4 image (mkfs.ext4 -d, no mount) holding a clean file, a FIFO, a
 * symbolic link and DEEP_LEVELS nested directories with a file at the
 * bottom. */
static void
make_special_medium (const Fixture *f, char *out)
{
    char src[PATH_MAX], p[PATH_MAX];
    size_t len;

    path_join (src, f->root, "ext4-src");
    assert_int_equal (mkdir (src, 0755), 0);
    path_join (p, src, "clean.txt");
    write_text (p, "a clean file next to the special ones\n");
    path_join (p, src, "pipe");
    assert_int_equal (mkfifo (p, 0644), 0);
    path_join (p, src, "link");
    assert_int_equal (symlink ("clean.txt", p), 0);
    strcpy (p, src);
    for (int i = 0; i < DEEP_LEVELS; i++) {
        len = strlen (p);
        assert_true (len + 3 < sizeof p);
        strcpy (p + len, "/d");
        assert_int_equal (mkdir (p, 0755), 0);
    }
    len = strlen (p);
    assert_true (len + 16 < sizeof p);
    strcpy (p + len, "/bottom.txt");
    write_text (p, "past the walk's depth\n");
    path_join (out, f->root, "ext4.img");
    run ("mkfs.ext4 -q -F -N 1024 -d '%s' '%s' 8M", src, out);
}

/* An image of the media fixture; missing FAILS the test. */
static void
fixture_image (const char *name, char *out)
{
    struct stat st;

    path_join (out, KIKAN_TEST_MEDIA_IMAGES, name);
    if (stat (out, &st) != 0)
        fail_msg ("%s is missing: the media-images fixture (tests/fixtures/make-images.sh) did "
                  "not make it",
                  out);
}

/* ---- real inputs, production daemon ---- */

/* A FIFO on a medium is an OTHER entry: never opened, not inspected as
 * unsupported; a tree deeper than the walk goes is a LIMIT entry: limit
 * exceeded; a symbolic link is reported, never followed. */
static void
test_special_entries_on_medium (void **state)
{
    Fixture *f = *state;
    char img[PATH_MAX];
    Collected col;
    KikanTargetEnd end;
    const KikanFileReport *r;

    make_special_medium (f, img);
    scan_with (f, KIKAN_SCAND_PATH, NULL, img, &col, &end);
    assert_report (get_report (&col, ":/pipe"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_UNSUPPORTED, "not a regular file: never opened");
    r = get_report_by_reason (&col, KIKAN_REASON_LIMIT_EXCEEDED, "deeper than 256");
    assert_int_equal (r->result, KIKAN_RESULT_NOT_INSPECTED);
    r = get_report (&col, ":/link");
    assert_true (r->flags & KIKAN_FILE_FLAG_SYMLINK);
    assert_string_equal (r->link_target, "clean.txt");
    assert_report (get_report (&col, ":/clean.txt"), KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE,
                   NULL);
    /* Nothing past the limit was read or called clean. */
    for (size_t i = 0; i < col.n_reports; i++)
        assert_null (strstr (col.reports[i].path, "bottom.txt"));
    assert_int_equal (target_result (&col, &end), KIKAN_RESULT_NOT_INSPECTED);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

/* A directory that contains itself (ext4) is an ERROR entry: read error,
 * with the media layer's explanation. */
static void
test_directory_loop_on_medium (void **state)
{
    Fixture *f = *state;
    char img[PATH_MAX];
    Collected col;
    KikanTargetEnd end;
    const KikanFileReport *r;

    fixture_image ("ext4-dirloop.img", img);
    scan_with (f, KIKAN_SCAND_PATH, NULL, img, &col, &end);
    r = get_report_by_reason (&col, KIKAN_REASON_READ_ERROR, NULL);
    assert_int_equal (r->result, KIKAN_RESULT_NOT_INSPECTED);
    assert_non_null (r->reason_detail);
    /* The media layer's words, not the worker's fallback. */
    assert_string_not_equal (r->reason_detail, "could not be read");
    assert_int_equal (target_result (&col, &end), KIKAN_RESULT_NOT_INSPECTED);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

/* An NTFS named stream is a file of its own, scanned: its path ends in
 * ":name", so it is never taken for a registry hive or package database. */
static void
test_named_stream_on_medium (void **state)
{
    Fixture *f = *state;
    char img[PATH_MAX];
    Collected col;
    KikanTargetEnd end;
    const KikanFileReport *r;

    fixture_image ("ntfs.img", img);
    scan_with (f, KIKAN_SCAND_PATH, NULL, img, &col, &end);
    r = get_report (&col, ":/KIKAN-MARKER.TXT:kikan-ads");
    assert_report (r, KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL);
    assert_int_equal (r->size, strlen ("alternate data stream\n"));
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

/* Disk images inside a folder (issue #8 item 7): a DMG and a VHD are not
 * opened here and say so (unsupported); a file too large for the engine
 * stays limit_exceeded and is not mistaken for an image; a VHD header
 * under 512 bytes holds no file system and is an ordinary clean file; a
 * FAT image is opened and its files scanned, the FAT image inside it too,
 * and the image inside that one is one level too deep (limit exceeded). */
static void
test_disk_images_in_folder (void **state)
{
    Fixture *f = *state;
    char dir[PATH_MAX], p[PATH_MAX], inner[PATH_MAX], mid[PATH_MAX], outer[PATH_MAX];
    char txt[PATH_MAX];
    unsigned char buf[4096];
    Collected col;
    KikanTargetEnd end;
    const KikanFileReport *r;
    int fd;

    path_join (dir, f->root, "folder");
    assert_int_equal (mkdir (dir, 0755), 0);
    /* DMG: the "koly" trailer in the last 512 bytes, header size 512. */
    memset (buf, 'A', sizeof buf);
    memcpy (buf + sizeof buf - 512, "koly\0\0\0\4\0\0\2\0", 12);
    path_join (p, dir, "apple.dmg");
    write_file (p, buf, sizeof buf);
    /* VHD: "conectix" at the start. */
    memset (buf, 'B', sizeof buf);
    memcpy (buf, "conectix", 8);
    path_join (p, dir, "disk.vhd");
    write_file (p, buf, sizeof buf);
    path_join (p, dir, "tiny.vhd");
    write_file (p, buf, 200);
    /* Past the engine's max_filesize (100 MiB by default), sparse. */
    path_join (p, dir, "big.bin");
    fd = open (p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true (fd >= 0);
    assert_int_equal (ftruncate (fd, (off_t) 101 << 20), 0);
    assert_int_equal (close (fd), 0);
    /* outer.img holds readme.txt and mid.img, which holds inner.img. */
    path_join (txt, f->root, "readme.txt");
    write_text (txt, "a clean file inside the first disk image\n");
    path_join (inner, f->root, "inner.img");
    path_join (mid, f->root, "mid.img");
    path_join (outer, dir, "outer.img");
    run ("mkfs.vfat -C '%s' 256 >/dev/null", inner);
    run ("MTOOLS_SKIP_CHECK=1 mcopy -i '%s' '%s' ::/", inner, txt);
    run ("mkfs.vfat -C '%s' 1024 >/dev/null", mid);
    run ("MTOOLS_SKIP_CHECK=1 mcopy -i '%s' '%s' ::/", mid, inner);
    run ("mkfs.vfat -C '%s' 4096 >/dev/null", outer);
    run ("MTOOLS_SKIP_CHECK=1 mcopy -i '%s' '%s' '%s' ::/", outer, mid, txt);

    scan_with (f, KIKAN_SCAND_PATH, NULL, dir, &col, &end);
    assert_report (get_report (&col, "apple.dmg"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_UNSUPPORTED, "an Apple disk image (DMG)");
    assert_report (get_report (&col, "disk.vhd"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_UNSUPPORTED, "a disk image in a format Kikan does not open");
    assert_report (get_report (&col, "tiny.vhd"), KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL);
    assert_report (get_report (&col, "big.bin"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_LIMIT_EXCEEDED, "max_filesize");
    /* Opened: the file one image down is scanned and clean... */
    r = get_report (&col, "outer.img!p1:/README.TXT");
    assert_report (r, KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL);
    /* ...the image inside it is opened too, and the third image is not. */
    assert_report (get_report (&col, "outer.img!p1:/MID.IMG"), KIKAN_RESULT_CLEAN,
                   KIKAN_REASON_NONE, NULL);
    assert_report (get_report (&col, "outer.img!p1:/MID.IMG!p1:/INNER.IMG"),
                   KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_LIMIT_EXCEEDED,
                   "inside 2 disk images");
    for (size_t i = 0; i < col.n_reports; i++)
        assert_null (strstr (col.reports[i].path, "INNER.IMG!"));
    assert_int_equal (target_result (&col, &end), KIKAN_RESULT_NOT_INSPECTED);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

/* ---- faults no input can reach: kikan-scand-fault ---- */

/* Scans @target unfaulted (every file clean, at least @min files), then
 * with @fault; leaves the faulted run in @col and @end. */
static void
control_then_fault (const Fixture *f, const char *fault, const char *target, size_t min,
                    Collected *col, KikanTargetEnd *end)
{
    scan_with (f, KIKAN_SCAND_FAULT_PATH, NULL, target, col, end);
    assert_all_clean (col, end, min);
    kikan_target_end_clear (end);
    scand_test_reports_clear (col);
    scan_with (f, KIKAN_SCAND_FAULT_PATH, fault, target, col, end);
}

/* Every file report of @col (at least @min) is @result for @reason with
 * a detail holding @detail_has (NULL: any), and so is the target. */
static void
assert_all_files (const Collected *col, const KikanTargetEnd *end, size_t min,
                  KikanResult result, KikanReason reason, const char *detail_has)
{
    if (col->n_reports < min)
        fail_msg ("%zu reports, expected at least %zu", col->n_reports, min);
    for (size_t i = 0; i < col->n_reports; i++)
        assert_report (&col->reports[i], result, reason, detail_has);
    assert_int_equal (target_result (col, end), result);
}

/* A fault under the FAT medium of two clean files (make_fat_medium) and
 * what it must make of every file, and so of the target.  The test of
 * each row is test_fault_<fault>, with a ctest of the same name. */
typedef struct {
    const char *fault;       /* KIKAN_FAULT */
    KikanResult result;
    KikanReason reason;
    const char *detail;      /* then the text of KIKAN_EIO; NULL: any detail */
} FatFault;

static const FatFault fat_faults[] = {
    /* A scanning thread cannot open its own reader of a volume the walk
     * read: each of its files is a read error, never skipped and never
     * clean. */
    { "reader_new", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_READ_ERROR,
      "its volume could not be opened for reading: " },
    /* A file the walk listed cannot be opened afterwards: read error. */
    { "open_stream", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_READ_ERROR,
      "could not be opened: " },
    /* The media layer says "opened" but gives no source: a read error all
     * the same, with an error that is not "success". */
    { "open_stream_null", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_READ_ERROR,
      "could not be opened: " },
    /* The engine cannot even start a report (out of memory): engine error;
     * test_fault_scan_no_report asserts the path and size besides. */
    { "scan_no_report", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENGINE_ERROR, NULL },
};

/* Scans a new FAT medium unfaulted (both files clean), then with @fault,
 * and asserts its row of fat_faults; leaves the faulted run in @col and
 * @end. */
static void
scan_fat_fault (const Fixture *f, const char *fault, Collected *col, KikanTargetEnd *end)
{
    const FatFault *ff = NULL;
    char img[PATH_MAX], want[256];

    for (size_t i = 0; i < sizeof fat_faults / sizeof fat_faults[0]; i++)
        if (strcmp (fat_faults[i].fault, fault) == 0)
            ff = &fat_faults[i];
    if (ff == NULL) {
        fail_msg ("KIKAN_FAULT=%s has no row in fat_faults", fault);
        abort ();
    }
    make_fat_medium (f, img);
    control_then_fault (f, ff->fault, img, 2, col, end);
    if (ff->detail != NULL)
        snprintf (want, sizeof want, "%s%s", ff->detail, kikan_strerror (KIKAN_EIO));
    assert_all_files (col, end, 2, ff->result, ff->reason, ff->detail ? want : NULL);
}

/* For a fault whose row in fat_faults is all there is to assert. */
static void
check_fat_fault (const Fixture *f, const char *fault)
{
    Collected col;
    KikanTargetEnd end;

    scan_fat_fault (f, fault, &col, &end);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

static void
test_fault_reader_new (void **state)
{
    Collected col;
    KikanTargetEnd end;

    scan_fat_fault (*state, "reader_new", &col, &end);
    get_report (&col, "/FIRST.TXT");
    get_report (&col, "/SECOND.TXT");
    /* The volume itself was read (walked): the files decide. */
    assert_int_equal (col.n_volumes, 1);
    assert_int_equal (col.volumes[0].result, KIKAN_RESULT_CLEAN);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

static void
test_fault_open_stream (void **state)
{
    check_fat_fault (*state, "open_stream");
}

static void
test_fault_open_stream_null (void **state)
{
    check_fat_fault (*state, "open_stream_null");
}

/* The engine cannot even start a report (out of memory), for a file of a
 * folder (scanned by descriptor) and one of a medium (by source): engine
 * error, with the file's own path and size. */
static void
test_fault_scan_no_report (void **state)
{
    Fixture *f = *state;
    char dir[PATH_MAX], p[PATH_MAX];
    static const char text[] = "a clean file the engine never reports on\n";
    Collected col;
    KikanTargetEnd end;
    const KikanFileReport *r;

    path_join (dir, f->root, "folder");
    assert_int_equal (mkdir (dir, 0755), 0);
    path_join (p, dir, "clean.txt");
    write_text (p, text);
    control_then_fault (f, "scan_no_report", dir, 1, &col, &end);
    assert_all_files (&col, &end, 1, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENGINE_ERROR,
                      NULL);
    r = get_report (&col, "clean.txt");
    assert_int_equal (r->size, sizeof text - 1);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);

    scan_fat_fault (f, "scan_no_report", &col, &end);
    r = get_report (&col, "/FIRST.TXT");
    assert_int_equal (r->size, strlen ("the first clean file of the medium\n"));
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

/* The engine returns an error with a report that says clean: the file is
 * not inspected (engine error); one it found infected stays infected. */
static void
test_fault_scan_error (void **state)
{
    Fixture *f = *state;
    char dir[PATH_MAX], p[PATH_MAX], want[256];
    Collected col;
    KikanTargetEnd end;

    path_join (dir, f->root, "folder");
    assert_int_equal (mkdir (dir, 0755), 0);
    path_join (p, dir, "clean.txt");
    write_text (p, "nothing to see here\n");
    path_join (p, dir, "infected.txt");
    write_text (p, "before " MARKER " after\n");

    scan_with (f, KIKAN_SCAND_FAULT_PATH, NULL, dir, &col, &end);
    assert_report (get_report (&col, "clean.txt"), KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL);
    assert_int_equal (get_report (&col, "infected.txt")->result, KIKAN_RESULT_INFECTED);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);

    scan_with (f, KIKAN_SCAND_FAULT_PATH, "scan_error", dir, &col, &end);
    snprintf (want, sizeof want, "%s", kikan_strerror (KIKAN_EIO));
    assert_report (get_report (&col, "clean.txt"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_ENGINE_ERROR, want);
    assert_int_equal (get_report (&col, "infected.txt")->result, KIKAN_RESULT_INFECTED);
    assert_int_equal (target_result (&col, &end), KIKAN_RESULT_INFECTED);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

/* An entry of a kind this worker does not know (here every FIFO) is not
 * read: a read error, with the worker's own words since the media layer
 * gave none. */
static void
test_fault_walk_unknown_kind (void **state)
{
    Fixture *f = *state;
    char img[PATH_MAX];
    Collected col;
    KikanTargetEnd end;

    make_special_medium (f, img);
    scan_with (f, KIKAN_SCAND_FAULT_PATH, NULL, img, &col, &end);
    assert_report (get_report (&col, ":/pipe"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_UNSUPPORTED, NULL);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);

    scan_with (f, KIKAN_SCAND_FAULT_PATH, "walk_unknown_kind", img, &col, &end);
    assert_report (get_report (&col, ":/pipe"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_READ_ERROR, NULL);
    assert_string_equal (get_report (&col, ":/pipe")->reason_detail, "could not be read");
    assert_report (get_report (&col, ":/clean.txt"), KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE,
                   NULL);
    assert_int_equal (target_result (&col, &end), KIKAN_RESULT_NOT_INSPECTED);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

/* The media layer's detail is used when it gives one (a special file) and
 * the worker's when it does not (a walk limit): the reasons stay. */
static void
test_fault_walk_swap_detail (void **state)
{
    Fixture *f = *state;
    char img[PATH_MAX];
    Collected col;
    KikanTargetEnd end;

    make_special_medium (f, img);
    scan_with (f, KIKAN_SCAND_FAULT_PATH, NULL, img, &col, &end);
    assert_report (get_report (&col, ":/pipe"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_UNSUPPORTED, "not a regular file: never opened");
    get_report_by_reason (&col, KIKAN_REASON_LIMIT_EXCEEDED, "deeper than 256");
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);

    scan_with (f, KIKAN_SCAND_FAULT_PATH, "walk_swap_detail", img, &col, &end);
    assert_report (get_report (&col, ":/pipe"), KIKAN_RESULT_NOT_INSPECTED,
                   KIKAN_REASON_UNSUPPORTED, "kikan-scand-fault: a detail on a special file");
    assert_int_equal (
        get_report_by_reason (&col, KIKAN_REASON_LIMIT_EXCEEDED,
                              "the walk was cut here: too deep or too many entries")
            ->result,
        KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (target_result (&col, &end), KIKAN_RESULT_NOT_INSPECTED);
    kikan_target_end_clear (&end);
    scand_test_reports_clear (&col);
}

int
main (int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_special_entries_on_medium, setup, teardown),
        cmocka_unit_test_setup_teardown (test_directory_loop_on_medium, setup, teardown),
        cmocka_unit_test_setup_teardown (test_named_stream_on_medium, setup, teardown),
        cmocka_unit_test_setup_teardown (test_disk_images_in_folder, setup, teardown),
        cmocka_unit_test_setup_teardown (test_fault_reader_new, setup, teardown),
        cmocka_unit_test_setup_teardown (test_fault_open_stream, setup, teardown),
        cmocka_unit_test_setup_teardown (test_fault_open_stream_null, setup, teardown),
        cmocka_unit_test_setup_teardown (test_fault_scan_no_report, setup, teardown),
        cmocka_unit_test_setup_teardown (test_fault_scan_error, setup, teardown),
        cmocka_unit_test_setup_teardown (test_fault_walk_unknown_kind, setup, teardown),
        cmocka_unit_test_setup_teardown (test_fault_walk_swap_detail, setup, teardown),
    };
    int r = scand_test_select (argc, argv, tests, sizeof tests / sizeof tests[0]);

    if (r != 0)
        return r;
    return cmocka_run_group_tests_name ("scanner-worker", tests, NULL, NULL);
}
