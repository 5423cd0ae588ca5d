/* Engine tests: real libclamav, real signature files, real samples.
 * Every expectation here is one a broken engine would get wrong. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "kikan/engine.h"
#include "kikan/errors.h"

static KikanEngine *engine;

/* The EICAR test string, assembled at run time so that no file in the
 * repository carries it. */
static char eicar[69];

static void
make_eicar (void)
{
    snprintf (eicar, sizeof eicar, "%s%s%s", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$",
              "EICAR-STANDARD-ANTIVIRUS", "-TEST-FILE!$H+H*");
}

/* A stored (uncompressed) zip with one member, built by hand. */
typedef struct {
    unsigned char *p;
    size_t n;
} Buf;

static void
put (Buf *b, const void *d, size_t n)
{
    b->p = realloc (b->p, b->n + n);
    assert_non_null (b->p);
    memcpy (b->p + b->n, d, n);
    b->n += n;
}

static void
put16 (Buf *b, unsigned v)
{
    unsigned char x[2] = { v & 0xff, (v >> 8) & 0xff };
    put (b, x, 2);
}

static void
put32 (Buf *b, uint32_t v)
{
    unsigned char x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
    put (b, x, 4);
}

static Buf
make_zip (const char *name, const void *data, size_t len)
{
    Buf b = { 0 };
    uint32_t crc = (uint32_t) crc32 (0, data, (uInt) len);
    size_t nl = strlen (name), cd;

    put32 (&b, 0x04034b50); put16 (&b, 10); put16 (&b, 0); put16 (&b, 0);
    put16 (&b, 0); put16 (&b, 0); put32 (&b, crc); put32 (&b, (uint32_t) len);
    put32 (&b, (uint32_t) len); put16 (&b, (unsigned) nl); put16 (&b, 0);
    put (&b, name, nl);
    put (&b, data, len);
    cd = b.n;
    put32 (&b, 0x02014b50); put16 (&b, 20); put16 (&b, 10); put16 (&b, 0); put16 (&b, 0);
    put16 (&b, 0); put16 (&b, 0); put32 (&b, crc); put32 (&b, (uint32_t) len);
    put32 (&b, (uint32_t) len); put16 (&b, (unsigned) nl); put16 (&b, 0); put16 (&b, 0);
    put16 (&b, 0); put16 (&b, 0); put32 (&b, 0); put32 (&b, 0);
    put (&b, name, nl);
    put32 (&b, 0x06054b50); put16 (&b, 0); put16 (&b, 0); put16 (&b, 1); put16 (&b, 1);
    put32 (&b, (uint32_t) (b.n - cd - 0)); put32 (&b, (uint32_t) cd); put16 (&b, 0);
    /* Central directory size is everything after cd up to the end record. */
    {
        uint32_t cdsize = (uint32_t) (b.n - 22 - cd);
        memcpy (b.p + b.n - 10, &cdsize, 4);
    }
    return b;
}

static int
setup_engine (void **state)
{
    const char *dbs[] = { KIKAN_TEST_SIGNATURES };
    KikanEngineOptions o = { dbs, 1, { 0 } };
    char err[512];

    make_eicar ();
    if (kikan_engine_new (&o, &engine, err, sizeof err) != 0) {
        fprintf (stderr, "engine: %s\n", err);
        return -1;
    }
    return 0;
}

static int
teardown_engine (void **state)
{
    kikan_engine_free (engine);
    return 0;
}

static int
has_sig (const KikanFileReport *r, const char *needle)
{
    for (size_t i = 0; i < r->n_signatures; i++)
        if (strstr (r->signatures[i], needle))
            return 1;
    return 0;
}

static void
test_eicar_buffer (void **state)
{
    KikanFileReport r = { 0 };

    assert_int_equal (kikan_engine_scan_buffer (engine, eicar, 68, "eicar.com", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_INFECTED);
    assert_true (has_sig (&r, "Kikan.Test.Eicar"));
    assert_string_equal (r.path, "eicar.com");
    assert_int_equal (r.size, 68);
    kikan_file_report_clear (&r);
}

static void
test_clean_buffer_hash (void **state)
{
    KikanFileReport r = { 0 };
    const char *text = "a perfectly ordinary text file\n";

    assert_int_equal (kikan_engine_scan_buffer (engine, text, strlen (text), "t.txt", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_CLEAN);
    assert_int_equal (r.n_signatures, 0);
    assert_int_equal (r.reason, KIKAN_REASON_NONE);
    kikan_file_report_clear (&r);

    /* SHA-256("abcdef") is a published constant. */
    assert_int_equal (kikan_engine_scan_buffer (engine, "abcdef", 6, "abc", &r), 0);
    assert_string_equal (r.sha256,
                         "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721");
    assert_int_equal (r.flags & KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE, 0);
    kikan_file_report_clear (&r);
}

static void
test_tiny_file_flagged (void **state)
{
    KikanFileReport r = { 0 };

    assert_int_equal (kikan_engine_scan_buffer (engine, "MZ\x90", 3, "tiny", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_CLEAN);
    assert_true (r.flags & KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE);
    kikan_file_report_clear (&r);
}

static void
test_nested_zip (void **state)
{
    Buf inner = make_zip ("eicar.com", eicar, 68);
    Buf outer = make_zip ("inner.zip", inner.p, inner.n);
    KikanFileReport r = { 0 };
    int saw_depth2 = 0;

    assert_int_equal (kikan_engine_scan_buffer (engine, outer.p, outer.n, "d/outer.zip", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_INFECTED);
    assert_true (has_sig (&r, "Kikan.Test.Eicar"));
    for (size_t i = 0; i < r.n_members; i++)
        if (r.members[i].depth == 2 && strcmp (r.members[i].name, "eicar.com") == 0
            && r.members[i].result == KIKAN_RESULT_INFECTED)
            saw_depth2 = 1;
    assert_true (saw_depth2);
    kikan_file_report_clear (&r);
    free (inner.p);
    free (outer.p);
}

static void
test_zip_member_size_lie (void **state)
{
    /* A central directory that claims a smaller size than the data: the
     * fallback must not trust libclamav's view blindly; whatever happens,
     * EICAR inside must not come back clean. */
    Buf z = make_zip ("eicar.com", eicar, 68);
    KikanFileReport r = { 0 };

    /* Corrupt the compressed size in the local header only. */
    z.p[18] = 10;
    assert_int_equal (kikan_engine_scan_buffer (engine, z.p, z.n, "lie.zip", &r), 0);
    assert_int_not_equal (r.result, KIKAN_RESULT_CLEAN);
    kikan_file_report_clear (&r);
    free (z.p);
}

static unsigned char *
slurp (const char *path, size_t *n)
{
    FILE *f = fopen (path, "rb");
    unsigned char *p;
    long sz;

    if (f == NULL)
        fail_msg ("missing test input %s", path);
    fseek (f, 0, SEEK_END);
    sz = ftell (f);
    fseek (f, 0, SEEK_SET);
    p = malloc ((size_t) sz + 1);
    assert_non_null (p);
    assert_int_equal (fread (p, 1, (size_t) sz, f), (size_t) sz);
    fclose (f);
    *n = (size_t) sz;
    return p;
}

static void
scan_path_expect (const char *path, KikanResult want, const char *sig, const char *extractor)
{
    KikanFileReport r = { 0 };
    int fd = open (path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        fail_msg ("missing test input %s", path);
    assert_int_equal (kikan_engine_scan_fd (engine, fd, path, &r), 0);
    close (fd);
    if (r.result != want)
        fail_msg ("%s: got %s, want %s", path, kikan_result_to_string (r.result),
                  kikan_result_to_string (want));
    if (sig != NULL && !has_sig (&r, sig))
        fail_msg ("%s: signature %s missing", path, sig);
    if (extractor != NULL) {
        int found = 0;
        for (size_t i = 0; i < r.n_members; i++)
            if (strcmp (r.members[i].extractor, extractor) == 0)
                found = 1;
        if (!found)
            fail_msg ("%s: no member reached by %s", path, extractor);
    }
    kikan_file_report_clear (&r);
}

/* The member named @name (basename match), or fail. */
static const KikanMember *
member_named (const KikanFileReport *r, const char *name)
{
    for (size_t i = 0; i < r->n_members; i++) {
        const char *n = r->members[i].name ? r->members[i].name : "";
        const char *slash = strrchr (n, '/');

        if (strcmp (slash ? slash + 1 : n, name) == 0)
            return &r->members[i];
    }
    fail_msg ("no member %s", name);
    return NULL;
}

/* Issue #4 item 2: the file and every member are classified by content and
 * programs are hashed, whichever extractor reached them. */
static void
test_programs_classified (void **state)
{
    size_t n;
    unsigned char *dll = slurp ("/usr/share/nsis/Plugins/x86-unicode/Dialer.dll", &n);
    KikanFileReport r = { 0 }, z = { 0 }, t = { 0 }, a = { 0 };
    Buf zip, inner;
    const KikanMember *m;

    /* The file itself: a DLL, named like a picture. */
    assert_int_equal (kikan_engine_scan_buffer (engine, dll, n, "d/photo.jpg", &r), 0);
    assert_int_equal (r.exec.type, KIKAN_FILETYPE_PE_DLL);
    assert_int_equal (r.exec.name_flags, KIKAN_NAME_FLAG_EXT_MISMATCH);
    assert_int_equal (r.exec.signature, KIKAN_AUTHENTICODE_NONE);
    assert_string_equal (r.exec.sha256, r.sha256);
    assert_int_equal (strlen (r.sha256), 64);

    /* The same DLL inside a zip inside a zip, and an autorun.inf: members
     * carry their own type and hash (the DLL's hash is the file's above). */
    inner = make_zip ("bin/report.pdf.dll", dll, n);
    zip = make_zip ("inner.zip", inner.p, inner.n);
    assert_int_equal (kikan_engine_scan_buffer (engine, zip.p, zip.n, "tools.zip", &z), 0);
    assert_int_equal (z.exec.type, KIKAN_FILETYPE_OTHER);
    assert_string_equal (z.exec.sha256, "");
    m = member_named (&z, "report.pdf.dll");
    assert_int_equal (m->depth, 2);
    assert_int_equal (m->exec.type, KIKAN_FILETYPE_PE_DLL);
    assert_string_equal (m->exec.sha256, r.sha256);
    assert_true (m->exec.name_flags & KIKAN_NAME_FLAG_DOUBLE_EXT);
    m = member_named (&z, "inner.zip");
    assert_int_equal (m->exec.type, KIKAN_FILETYPE_OTHER);

    /* Too small for libclamav: still classified (by name: AutoRun). */
    assert_int_equal (kikan_engine_scan_buffer (engine, "[a]", 3, "x/AUTORUN.INF", &t), 0);
    assert_true (t.flags & KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE);
    assert_int_equal (t.exec.type, KIKAN_FILETYPE_AUTORUN);

    /* A RAR that only libunarr reads: clam.exe inside is a Windows program. */
    {
        int fd = open (KIKAN_TEST_SHARED "/clamav/clam-v3.rar", O_RDONLY | O_CLOEXEC);

        assert_true (fd >= 0);
        assert_int_equal (kikan_engine_scan_fd (engine, fd, "clam-v3.rar", &a), 0);
        close (fd);
        m = member_named (&a, "clam.exe");
        assert_string_equal (m->extractor, "libunarr");
        assert_int_equal (m->exec.type, KIKAN_FILETYPE_PE_EXE);
        assert_int_equal (strlen (m->exec.sha256), 64);
    }
    kikan_file_report_clear (&r);
    kikan_file_report_clear (&z);
    kikan_file_report_clear (&t);
    kikan_file_report_clear (&a);
    free (inner.p);
    free (zip.p);
    free (dll);
}

static void
test_rar_samples (void **state)
{
    /* clamscan misses both: libclamav here has no RAR unpacker. */
    scan_path_expect (KIKAN_TEST_SHARED "/clamav/clam-v2.rar", KIKAN_RESULT_INFECTED,
                      "Kikan.Test.ClamExe", "libunarr");
    scan_path_expect (KIKAN_TEST_SHARED "/clamav/clam-v3.rar", KIKAN_RESULT_INFECTED,
                      "Kikan.Test.ClamExe", "libunarr");
    scan_path_expect (KIKAN_TEST_SHARED "/clamav/clam.iso", KIKAN_RESULT_INFECTED,
                      "Kikan.Test.ClamExe", NULL);
    scan_path_expect (KIKAN_TEST_SHARED "/clamav/clamjol.iso", KIKAN_RESULT_INFECTED,
                      "Kikan.Test.ClamExe", NULL);
    scan_path_expect (KIKAN_TEST_SHARED "/clamav/clam.exe.webapp-export.one",
                      KIKAN_RESULT_INFECTED, "Kikan.Test.ClamExe", NULL);
}

static void
test_truncated_rar_not_clean (void **state)
{
    size_t n;
    unsigned char *p = slurp (KIKAN_TEST_SHARED "/clamav/clam-v3.rar", &n);
    KikanFileReport r = { 0 };

    for (size_t cut = 8; cut < n; cut += n / 7) {
        assert_int_equal (kikan_engine_scan_buffer (engine, p, cut, "cut.rar", &r), 0);
        if (r.result == KIKAN_RESULT_CLEAN)
            fail_msg ("RAR cut at %zu of %zu bytes came back clean", cut, n);
        kikan_file_report_clear (&r);
    }
    free (p);
}

static void
test_clamav_testfiles (void **state)
{
    struct dirent **names;
    int n = scandir (KIKAN_TEST_CLAMAV_TESTFILES, &names, NULL, alphasort);
    int checked = 0;

    if (n < 0)
        fail_msg ("%s missing: install clamav-testfiles", KIKAN_TEST_CLAMAV_TESTFILES);
    for (int i = 0; i < n; i++) {
        char path[512];

        if (names[i]->d_name[0] != '.') {
            snprintf (path, sizeof path, "%s/%s", KIKAN_TEST_CLAMAV_TESTFILES,
                      names[i]->d_name);
            scan_path_expect (path, KIKAN_RESULT_INFECTED, "Kikan.Test.ClamExe", NULL);
            checked++;
        }
        free (names[i]);
    }
    free (names);
    assert_true (checked >= 40);
}

static void
test_tampered_cvd_refused (void **state)
{
    char dir[] = "/tmp/kikan-test-XXXXXX";
    char path[512];
    size_t n;
    unsigned char *p;
    FILE *f;
    KikanEngine *e = NULL;
    char err[512] = "";
    const char *dbs[1];
    KikanEngineOptions o = { dbs, 1, { 0 } };

    assert_non_null (mkdtemp (dir));
    p = slurp (KIKAN_TEST_SHARED "/clamav/test-6.cvd", &n);
    snprintf (path, sizeof path, "%s/daily.cvd", dir);
    dbs[0] = path;

    /* The genuine file loads and says what it is. */
    f = fopen (path, "wb");
    fwrite (p, 1, n, f);
    fclose (f);
    assert_int_equal (kikan_engine_new (&o, &e, err, sizeof err), 0);
    assert_int_equal (kikan_engine_get_info (e)->n_dbs, 1);
    assert_true (kikan_engine_get_info (e)->dbs[0].is_signed);
    assert_int_equal (kikan_engine_get_info (e)->dbs[0].version, 6);
    assert_true (kikan_engine_get_info (e)->newest_signed_build_time > 1000000000);
    kikan_engine_free (e);
    e = NULL;

    /* One flipped byte in the body: refused, with the file named. */
    p[n - 10] ^= 0x01;
    f = fopen (path, "wb");
    fwrite (p, 1, n, f);
    fclose (f);
    assert_int_equal (kikan_engine_new (&o, &e, err, sizeof err), KIKAN_EDB);
    assert_null (e);
    assert_non_null (strstr (err, "daily.cvd"));
    p[n - 10] ^= 0x01;

    /* One changed character inside the header's digital signature (the
     * seventh colon-separated field; the header is padded with spaces). */
    {
        size_t colons = 0, at = 0;
        for (size_t i = 0; i < 512 && at == 0; i++)
            if (p[i] == ':' && ++colons == 6)
                at = i + 10;
        assert_true (at > 0);
        p[at] = p[at] == 'A' ? 'B' : 'A';
    }
    f = fopen (path, "wb");
    fwrite (p, 1, n, f);
    fclose (f);
    assert_int_equal (kikan_engine_new (&o, &e, err, sizeof err), KIKAN_EDB);

    unlink (path);
    rmdir (dir);
    free (p);
}

/* A medium pulled out mid-read: the source fails after some bytes. */
typedef struct {
    const unsigned char *data;
    size_t len;
    size_t fail_after;
} FlakySource;

static ssize_t
flaky_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    FlakySource *f = handle;

    if (off + n > f->fail_after) {
        errno = EIO;
        return -1;
    }
    if (off >= f->len)
        return 0;
    if (n > f->len - off)
        n = f->len - (size_t) off;
    memcpy (buf, f->data + off, n);
    return (ssize_t) n;
}

static void
test_source_read_error_not_clean (void **state)
{
    Buf inner = make_zip ("eicar.com", eicar, 68);
    Buf outer = make_zip ("inner.zip", inner.p, inner.n);
    unsigned char *big = calloc (1, 3 << 20);
    FlakySource fs;
    KikanSource src;
    KikanFileReport r = { 0 };

    /* A clean-looking file whose tail cannot be read. */
    assert_non_null (big);
    memset (big, 'a', 3 << 20);
    fs = (FlakySource){ big, 3 << 20, 1 << 20 };
    src = (KikanSource){ &fs, flaky_pread, 3 << 20 };
    assert_int_equal (kikan_engine_scan_source (engine, &src, "gone.txt", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (r.reason, KIKAN_REASON_READ_ERROR);
    kikan_file_report_clear (&r);

    /* The same source that reads fine is clean: the failure is what counts. */
    fs.fail_after = (size_t) -1;
    assert_int_equal (kikan_engine_scan_source (engine, &src, "fine.txt", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_CLEAN);
    assert_int_equal (r.size, 3 << 20);
    kikan_file_report_clear (&r);

    /* And an archive read through a source is cross-checked like a file. */
    fs = (FlakySource){ outer.p, outer.n, (size_t) -1 };
    src = (KikanSource){ &fs, flaky_pread, outer.n };
    assert_int_equal (kikan_engine_scan_source (engine, &src, "p1:/a/outer.zip", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_INFECTED);
    assert_string_equal (r.path, "p1:/a/outer.zip");
    kikan_file_report_clear (&r);
    free (big);
    free (inner.p);
    free (outer.p);
}

/* A hostile medium (issue #8 item 8): it answers with @first the first
 * time a byte is read and with @later every time after that, and may end
 * early (@stop_at) or hold more than it claims (@grows). */
typedef struct {
    const unsigned char *first, *later;
    size_t len;
    unsigned char *seen;     /* one flag per byte already read */
    size_t stop_at;          /* reads at or past this offset return 0 */
    int grows;               /* a read at offset len returns a byte */
    uint64_t bytes_read;
} TwoFacedSource;

static ssize_t
two_faced_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    TwoFacedSource *t = handle;
    unsigned char *out = buf;

    if (off >= t->len) {
        if (t->grows && n > 0) {
            out[0] = 'x';
            return 1;
        }
        return 0;
    }
    if (off >= t->stop_at)
        return 0;
    if (n > t->len - off)
        n = t->len - (size_t) off;
    if (n > t->stop_at - off)
        n = t->stop_at - (size_t) off;
    for (size_t i = 0; i < n; i++) {
        size_t at = (size_t) off + i;
        out[i] = t->seen[at] ? t->later[at] : t->first[at];
        t->seen[at] = 1;
    }
    t->bytes_read += n;
    return (ssize_t) n;
}

static void
test_second_read_never_trusted (void **state)
{
    unsigned char harmless[68], seen[68] = { 0 };
    TwoFacedSource t = { (const unsigned char *) eicar, harmless, 68, seen, (size_t) -1, 0, 0 };
    KikanSource src = { &t, two_faced_pread, 68 };
    KikanFileReport r = { 0 };

    /* The medium shows EICAR once, then harmless bytes.  Kikan reads once:
     * it finds EICAR, and its hash is the one of the bytes it scanned. */
    memset (harmless, 'a', sizeof harmless);
    assert_int_equal (kikan_engine_scan_source (engine, &src, "p1:/two-faced.com", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_INFECTED);
    assert_string_equal (r.sha256,
                         "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
    assert_true (t.bytes_read == 68);
    kikan_file_report_clear (&r);
}

static void
test_changed_during_read (void **state)
{
    size_t len = 3u << 20;
    unsigned char *data = malloc (len), *seen = calloc (1, len);
    TwoFacedSource t;
    KikanSource src;
    KikanFileReport r = { 0 };

    assert_non_null (data);
    assert_non_null (seen);
    memset (data, 'a', len);
    /* Truncated after the first MiB while it is read. */
    t = (TwoFacedSource){ data, data, len, seen, 1u << 20, 0, 0 };
    src = (KikanSource){ &t, two_faced_pread, len };
    assert_int_equal (kikan_engine_scan_source (engine, &src, "p1:/shrinks.txt", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (r.reason, KIKAN_REASON_CHANGED);
    assert_string_equal (r.sha256, "");
    assert_non_null (strstr (r.reason_detail, "1048576 of 3145728"));
    kikan_file_report_clear (&r);

    /* Grown while it is read: there is more than the size it had. */
    memset (seen, 0, len);
    t = (TwoFacedSource){ data, data, len, seen, (size_t) -1, 1, 0 };
    assert_int_equal (kikan_engine_scan_source (engine, &src, "p1:/grows.txt", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (r.reason, KIKAN_REASON_CHANGED);
    kikan_file_report_clear (&r);

    /* The same bytes that stay put are clean: the change is what counts. */
    memset (seen, 0, len);
    t = (TwoFacedSource){ data, data, len, seen, (size_t) -1, 0, 0 };
    assert_int_equal (kikan_engine_scan_source (engine, &src, "p1:/stays.txt", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_CLEAN);
    assert_int_equal (strlen (r.sha256), 64);
    kikan_file_report_clear (&r);
    free (data);
    free (seen);
}

/* Zeros of any size, counting what is read. */
static ssize_t
zeros_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    uint64_t *bytes_read = handle;

    (void) off;
    memset (buf, 0, n);
    *bytes_read += n;
    return (ssize_t) n;
}

static void
test_oversized_file_not_read (void **state)
{
    uint64_t bytes_read = 0;
    /* A 40 GB sparse file (issue #8 item 10): over max_filesize, so it is
     * not inspected before anything is hashed; only its head is looked at
     * to say what kind of file it is. */
    KikanSource src = { &bytes_read, zeros_pread, 40ull << 30 };
    KikanFileReport r = { 0 };

    assert_int_equal (kikan_engine_scan_source (engine, &src, "p1:/sparse.bin", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (r.reason, KIKAN_REASON_LIMIT_EXCEEDED);
    assert_string_equal (r.sha256, "");
    assert_true (bytes_read <= (1u << 20));
    kikan_file_report_clear (&r);
}

/* A program that merely contains RAR's magic bytes (an unarchiving library
 * does) is not a damaged archive: libarchive's self-extractor search must
 * not make it a parse error (issue #8, false holds). */
static void
test_program_with_rar_magic_is_not_an_archive (void **state)
{
    static const unsigned char rar[7] = { 'R', 'a', 'r', '!', 0x1a, 0x07, 0x00 };
    size_t len = 64 * 1024;
    unsigned char *elf = calloc (1, len);
    KikanFileReport r = { 0 };

    assert_non_null (elf);
    memcpy (elf, "\x7f" "ELF\x02\x01\x01", 7);
    memcpy (elf + 20000, rar, sizeof rar);
    memcpy (elf + 40000, "just strings", 12);
    assert_int_equal (kikan_engine_scan_buffer (engine, elf, len, "libunarr.so", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_CLEAN);
    assert_int_equal (r.reason, KIKAN_REASON_NONE);
    kikan_file_report_clear (&r);

    /* The same magic at the start of a file is a RAR, and a broken one. */
    memcpy (elf, rar, sizeof rar);
    assert_int_equal (kikan_engine_scan_buffer (engine, elf, len, "broken.rar", &r), 0);
    assert_int_equal (r.result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (r.reason, KIKAN_REASON_PARSE_ERROR);
    kikan_file_report_clear (&r);
    free (elf);
}

static void
test_empty_database_refused (void **state)
{
    char dir[] = "/tmp/kikan-test-XXXXXX";
    const char *dbs[] = { dir };
    KikanEngineOptions o = { dbs, 1, { 0 } };
    KikanEngine *e = NULL;
    char err[512];

    assert_non_null (mkdtemp (dir));
    assert_int_equal (kikan_engine_new (&o, &e, err, sizeof err), KIKAN_EDB);
    assert_null (e);
    rmdir (dir);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_eicar_buffer),
        cmocka_unit_test (test_clean_buffer_hash),
        cmocka_unit_test (test_tiny_file_flagged),
        cmocka_unit_test (test_nested_zip),
        cmocka_unit_test (test_zip_member_size_lie),
        cmocka_unit_test (test_rar_samples),
        cmocka_unit_test (test_programs_classified),
        cmocka_unit_test (test_truncated_rar_not_clean),
        cmocka_unit_test (test_clamav_testfiles),
        cmocka_unit_test (test_tampered_cvd_refused),
        cmocka_unit_test (test_empty_database_refused),
        cmocka_unit_test (test_source_read_error_not_clean),
        cmocka_unit_test (test_second_read_never_trusted),
        cmocka_unit_test (test_changed_during_read),
        cmocka_unit_test (test_oversized_file_not_read),
        cmocka_unit_test (test_program_with_rar_magic_is_not_an_archive),
    };
    return cmocka_run_group_tests (tests, setup_engine, teardown_engine);
}
