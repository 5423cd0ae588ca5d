/* Unlocking tests (scanner/unlock.c): real libcryptsetup, real libbde, real
 * volumes.
 *
 * LUKS: volumes made here by cryptsetup (tests/fixtures/make-luks.sh) with
 * a known passphrase and a known volume key; the test fills their payload
 * with known plaintext encrypted by OpenSSL the way dm-crypt does, so every
 * plaintext byte read back is checked against what was written.
 * BitLocker and FileVault 2: real volumes made by Windows and macOS
 * (../shared/testdata/encrypted), checked against the SHA-256 of the whole
 * decrypted volume published with them.  Missing test data FAILS. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "kikan/errors.h"
#include "sandbox-private.h"
#include "unlock-private.h"

/* Neither holds an English word, so "no part of the secret in the message"
 * can be checked by substrings. */
static const char PASS[] = "zq7-Xv2!kLm09#Rt";
static const char WRONG[] = "uY4$wQ8-pZ3&nB6";

static char workdir[1024];   /* fixtures */
static char tmpdir[1100];    /* the "worker's private temp dir" */

/* ---- helpers ---- */

static void
run (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static void
run (const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    int rc;

    va_start (ap, fmt);
    vsnprintf (cmd, sizeof cmd, fmt, ap);
    va_end (ap);
    rc = system (cmd);
    if (rc != 0)
        fail_msg ("command failed (%d): %s", rc, cmd);
}

static double
now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The temp dir holds nothing once kikan_unlock() has returned: the header
 * copy is gone whatever the outcome. */
static void
assert_tmpdir_empty (void)
{
    DIR *d = opendir (tmpdir);
    struct dirent *de;

    assert_non_null (d);
    while ((de = readdir (d)) != NULL)
        if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
            fail_msg ("left behind in the temp dir: %s", de->d_name);
    closedir (d);
}

/* No 3-character piece of either secret appears in @msg. */
static void
assert_no_secret (const char *msg)
{
    const char *secrets[] = { PASS, WRONG };

    assert_true (msg[0] != '\0');
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i + 3 <= strlen (secrets[s]); i++) {
            char piece[4];
            memcpy (piece, secrets[s] + i, 3);
            piece[3] = '\0';
            if (strstr (msg, piece) != NULL)
                fail_msg ("the message quotes the secret (\"%s\"): %s", piece, msg);
        }
}

typedef struct {
    int fd;
    KikanSource src;
} Vol;

static void
vol_open (Vol *v, const char *path)
{
    struct stat st;

    v->fd = open (path, O_RDONLY | O_CLOEXEC);
    if (v->fd < 0)
        fail_msg ("cannot open %s: %s", path, strerror (errno));
    assert_int_equal (fstat (v->fd, &st), 0);
    kikan_source_init_fd (&v->src, &v->fd, (uint64_t) st.st_size);
}

static void
vol_close (Vol *v)
{
    close (v->fd);
}

/* A source that can be told to fail: a medium pulled out mid-read. */
typedef struct {
    const KikanSource *inner;
    int fail_errno;   /* 0: pass through */
} Failing;

static ssize_t
failing_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    Failing *f = handle;

    if (f->fail_errno != 0) {
        errno = f->fail_errno;
        return -1;
    }
    return f->inner->pread (f->inner->handle, buf, n, off);
}

static void
failing_init (KikanSource *src, Failing *f, const KikanSource *inner)
{
    f->inner = inner;
    f->fail_errno = 0;
    src->handle = f;
    src->pread = failing_pread;
    src->size = inner->size;
}

static void
sha256_source (const KikanSource *s, char hex[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new ();
    unsigned char *buf = malloc (1 << 20), d[32];
    unsigned int dl;
    uint64_t off = 0;

    assert_non_null (md);
    assert_non_null (buf);
    assert_int_equal (EVP_DigestInit_ex (md, EVP_sha256 (), NULL), 1);
    while (off < s->size) {
        ssize_t r = s->pread (s->handle, buf, 1 << 20, off);
        if (r <= 0)
            fail_msg ("plaintext read at %llu returned %zd", (unsigned long long) off, r);
        EVP_DigestUpdate (md, buf, (size_t) r);
        off += (uint64_t) r;
    }
    EVP_DigestFinal_ex (md, d, &dl);
    for (int i = 0; i < 32; i++)
        snprintf (hex + 2 * i, 3, "%02x", d[i]);
    EVP_MD_CTX_free (md);
    free (buf);
}

static void
require_shared (void)
{
    struct stat st;

    if (stat (KIKAN_TEST_SHARED "/encrypted", &st) != 0)
        fail_msg ("test data missing: %s/encrypted (see ../shared/testdata/SOURCES.md)",
                  KIKAN_TEST_SHARED);
}

static void
extract (const char *tarname, const char *sub)
{
    char dir[4200], marker[4300];
    struct stat st;

    require_shared ();
    snprintf (dir, sizeof dir, "%s/%s", workdir, sub);
    snprintf (marker, sizeof marker, "%s/.done", dir);
    if (stat (marker, &st) == 0)
        return;
    run ("mkdir -p '%s' && tar -xJf '%s/encrypted/%s' -C '%s' && touch '%s'", dir,
         KIKAN_TEST_SHARED, tarname, dir, marker);
}

/* ---- LUKS fixtures ---- */

/* The known plaintext: each 16-byte block carries its own offset. */
static void
expected (unsigned char *p, uint64_t off, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t x = off + i, b = x / 16;
        uint64_t v = (x % 16) < 8 ? b : b * 0x9E3779B97F4A7C15ull;
        p[i] = (unsigned char) (v >> (8 * (x % 8)));
    }
}

typedef struct {
    char name[64];
    char keyfile[64];
    uint64_t data_offset;
    uint32_t sector;
    char cipher[64];
    KikanEncryption kind;
} LuksFixture;

static LuksFixture fixtures[16];
static int n_fixtures;

static void
le64 (unsigned char *p, uint64_t v)
{
    memset (p, 0, 16);
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

/* Encrypts the known plaintext into the payload of @f, as dm-crypt would:
 * the IV is the 512-byte sector number counted from the data offset, for
 * 4096-byte sectors too (LUKS2 never uses iv_large_sectors). */
static void
fill_payload (const LuksFixture *f)
{
    char path[4200];
    unsigned char key[64], salt[32], iv[16], buf[4096], ct[4096];
    int fd, kfd, n, xts, essiv;
    ssize_t klen;
    struct stat st;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
    const EVP_CIPHER *c;

    snprintf (path, sizeof path, "%s/%s", workdir, f->keyfile);
    assert_true ((kfd = open (path, O_RDONLY)) >= 0);
    klen = read (kfd, key, sizeof key);
    close (kfd);
    xts = strncmp (f->cipher, "aes-xts", 7) == 0;
    essiv = strstr (f->cipher, "essiv") != NULL;
    if (xts)
        c = klen == 64 ? EVP_aes_256_xts () : EVP_aes_128_xts ();
    else
        c = klen == 32 ? EVP_aes_256_cbc () : EVP_aes_128_cbc ();
    if (essiv) {
        unsigned int dl;
        EVP_Digest (key, (size_t) klen, salt, &dl, EVP_sha256 (), NULL);
    }
    snprintf (path, sizeof path, "%s/%s", workdir, f->name);
    assert_true ((fd = open (path, O_RDWR)) >= 0);
    assert_int_equal (fstat (fd, &st), 0);
    for (uint64_t off = 0; f->data_offset + off + f->sector <= (uint64_t) st.st_size;
         off += f->sector) {
        le64 (iv, off / 512);
        if (essiv) {
            EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new ();
            unsigned char t[16];
            EVP_EncryptInit_ex (e, EVP_aes_256_ecb (), NULL, salt, NULL);
            EVP_CIPHER_CTX_set_padding (e, 0);
            EVP_EncryptUpdate (e, t, &n, iv, 16);
            memcpy (iv, t, 16);
            EVP_CIPHER_CTX_free (e);
        }
        expected (buf, off, f->sector);
        assert_int_equal (EVP_EncryptInit_ex (ctx, c, NULL, key, iv), 1);
        EVP_CIPHER_CTX_set_padding (ctx, 0);
        assert_int_equal (EVP_EncryptUpdate (ctx, ct, &n, buf, (int) f->sector), 1);
        assert_int_equal (n, (int) f->sector);
        assert_int_equal (pwrite (fd, ct, f->sector, (off_t) (f->data_offset + off)),
                          (ssize_t) f->sector);
    }
    close (fd);
    EVP_CIPHER_CTX_free (ctx);
}

static int
group_setup (void **state)
{
    char path[4200], cmd[8192], line[512];
    FILE *fp;
    int fd;

    (void) state;
    snprintf (workdir, sizeof workdir, "%s/kikan-unlock-XXXXXX",
              getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp");
    if (mkdtemp (workdir) == NULL)
        return -1;
    snprintf (tmpdir, sizeof tmpdir, "%s/worker-tmp", workdir);
    if (mkdir (tmpdir, 0700) != 0)
        return -1;
    snprintf (path, sizeof path, "%s/pass", workdir);
    if ((fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0
        || write (fd, PASS, strlen (PASS)) != (ssize_t) strlen (PASS))
        return -1;
    close (fd);
    snprintf (cmd, sizeof cmd, "sh '%s' '%s' '%s/pass' >'%s/make-luks.log' 2>&1",
              KIKAN_TEST_MAKE_LUKS, workdir, workdir, workdir);
    if (system (cmd) != 0) {
        fprintf (stderr, "make-luks.sh failed, see %s/make-luks.log\n", workdir);
        return -1;
    }
    snprintf (path, sizeof path, "%s/luks.conf", workdir);
    if ((fp = fopen (path, "r")) == NULL)
        return -1;
    while (fgets (line, sizeof line, fp) != NULL && n_fixtures < 16) {
        LuksFixture *f = &fixtures[n_fixtures];
        unsigned long long off;
        if (sscanf (line, "%63s %63s %llu %u %63s", f->name, f->keyfile, &off, &f->sector,
                    f->cipher)
            != 5)
            continue;
        f->data_offset = off;
        f->kind = strncmp (f->name, "luks1", 5) == 0 ? KIKAN_ENC_LUKS1 : KIKAN_ENC_LUKS2;
        n_fixtures++;
    }
    fclose (fp);
    for (int i = 0; i < n_fixtures; i++)
        fill_payload (&fixtures[i]);
    return n_fixtures >= 7 ? 0 : -1;
}

static int
group_teardown (void **state)
{
    char cmd[4200];

    (void) state;
    if (workdir[0] != '\0' && getenv ("KIKAN_TEST_KEEP") == NULL) {
        snprintf (cmd, sizeof cmd, "rm -rf '%s'", workdir);
        if (system (cmd) != 0)
            fprintf (stderr, "could not remove %s\n", workdir);
    }
    return 0;
}

static void
fixture_path (char *p, size_t n, const char *name)
{
    snprintf (p, n, "%.1023s/%.200s", workdir, name);
}

/* ---- LUKS ---- */

static void
check_read (const KikanSource *s, uint64_t off, size_t n)
{
    unsigned char *got = malloc (n + 1), *want = malloc (n + 1);
    ssize_t r;
    size_t expect_n = off >= s->size ? 0 : (s->size - off < n ? (size_t) (s->size - off) : n);

    assert_non_null (got);
    assert_non_null (want);
    r = s->pread (s->handle, got, n, off);
    if (r != (ssize_t) expect_n)
        fail_msg ("read of %zu at %llu returned %zd, expected %zu", n, (unsigned long long) off,
                  r, expect_n);
    expected (want, off, expect_n);
    if (memcmp (got, want, expect_n) != 0)
        fail_msg ("plaintext differs in the %zu bytes at %llu", expect_n,
                  (unsigned long long) off);
    free (got);
    free (want);
}

static void
test_luks_unlock_and_read (void **state)
{
    (void) state;
    for (int i = 0; i < n_fixtures; i++) {
        const LuksFixture *f = &fixtures[i];
        char path[4200], err[256];
        KikanUnlocked *u = NULL;
        const KikanSource *p;
        Vol v;
        uint64_t last;
        double t0;
        int r;

        fixture_path (path, sizeof path, f->name);
        vol_open (&v, path);
        t0 = now ();
        r = kikan_unlock (&v.src, f->kind, PASS, strlen (PASS), tmpdir, &u, err, sizeof err);
        if (r != 0)
            fail_msg ("%s: kikan_unlock returned %d: %s", f->name, r, err);
        print_message ("%-24s unlocked in %.3f s: %s\n", f->name, now () - t0,
                       kikan_unlocked_describe (u));
        assert_tmpdir_empty ();
        p = kikan_unlocked_get_source (u);
        assert_non_null (p);
        assert_int_equal (p->size, (v.src.size - f->data_offset) / f->sector * f->sector);
        assert_non_null (strstr (kikan_unlocked_describe (u), f->cipher + 4));

        /* Every byte, in 1 MiB reads. */
        for (uint64_t off = 0; off < p->size; off += 1 << 20)
            check_read (p, off, 1 << 20);
        /* Single sectors: first, second, middle, last. */
        last = p->size - f->sector;
        check_read (p, 0, f->sector);
        check_read (p, f->sector, f->sector);
        check_read (p, p->size / 2 / f->sector * f->sector, f->sector);
        check_read (p, last, f->sector);
        /* Unaligned, across sector boundaries, and at the very end. */
        check_read (p, 100, 1000);
        check_read (p, f->sector - 7, 3 * f->sector + 11);
        check_read (p, last + 13, 5);
        check_read (p, p->size - 1, 10);     /* one byte, then the end */
        check_read (p, p->size - 5000, 9000);
        check_read (p, p->size, 10);         /* at the end: 0 */
        check_read (p, p->size + 4096, 10);  /* past it: 0 */
        kikan_unlocked_free (u);
        vol_close (&v);
    }
}

static void
test_luks_wrong_secret (void **state)
{
    (void) state;
    for (int i = 0; i < n_fixtures; i++) {
        char path[4200], err[256];
        KikanUnlocked *u = (KikanUnlocked *) 1;
        Vol v;
        int r;

        fixture_path (path, sizeof path, fixtures[i].name);
        vol_open (&v, path);
        r = kikan_unlock (&v.src, fixtures[i].kind, WRONG, strlen (WRONG), tmpdir, &u, err,
                          sizeof err);
        assert_int_equal (r, KIKAN_UNLOCK_WRONG_SECRET);
        assert_null (u);
        assert_no_secret (err);
        assert_tmpdir_empty ();
        /* The right passphrase with a byte more or less is wrong too. */
        r = kikan_unlock (&v.src, fixtures[i].kind, PASS, strlen (PASS) - 1, tmpdir, &u, err,
                          sizeof err);
        assert_int_equal (r, KIKAN_UNLOCK_WRONG_SECRET);
        assert_no_secret (err);
        vol_close (&v);
    }
}

/* Cut-off and damaged headers end in a clean error, never a crash, never
 * "wrong passphrase". */
static void
test_luks_truncated (void **state)
{
    static const uint64_t cuts1[] = { 0, 100, 600, 1023, 1024, 4096, 65536, 1 << 20,
                                      (2 << 20) - 512, 2 << 20 };
    static const uint64_t cuts2[] = { 0, 4096, 8192, 16384, 32768, 65536, 1 << 20,
                                      (16 << 20) - 4096, 16 << 20 };
    struct {
        const char *name;
        KikanEncryption kind;
        const uint64_t *cuts;
        size_t n;
    } cases[] = {
        { "luks1-xts.img", KIKAN_ENC_LUKS1, cuts1, sizeof cuts1 / sizeof cuts1[0] },
        { "luks2-xts.img", KIKAN_ENC_LUKS2, cuts2, sizeof cuts2 / sizeof cuts2[0] },
    };

    (void) state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char path[4200];
        Vol v;

        fixture_path (path, sizeof path, cases[c].name);
        vol_open (&v, path);
        for (size_t k = 0; k < cases[c].n; k++) {
            KikanSource cut;
            KikanSourceWindow w;
            KikanUnlocked *u = NULL;
            char err[256] = "";
            int r;

            kikan_source_init_window (&cut, &w, &v.src, 0, cases[c].cuts[k]);
            r = kikan_unlock (&cut, cases[c].kind, PASS, strlen (PASS), tmpdir, &u, err,
                              sizeof err);
            if (r >= 0)
                fail_msg ("%s cut at %llu: returned %d (%s)", cases[c].name,
                          (unsigned long long) cases[c].cuts[k], r, err);
            assert_null (u);
            assert_true (err[0] != '\0');
            assert_tmpdir_empty ();
        }
        vol_close (&v);
    }
}

/* Damaged bytes in the header: a clean refusal as well. */
static void
test_luks_damaged (void **state)
{
    char path[4200], copy[4200], err[256];
    KikanUnlocked *u = NULL;
    unsigned char junk[4096];
    Vol v;
    int fd, r;

    (void) state;
    fixture_path (path, sizeof path, "luks2-xts.img");
    fixture_path (copy, sizeof copy, "damaged.img");
    run ("cp --sparse=always '%s' '%s'", path, copy);
    /* Both JSON areas overwritten: no valid metadata left. */
    memset (junk, '{', sizeof junk);
    assert_true ((fd = open (copy, O_WRONLY)) >= 0);
    assert_int_equal (pwrite (fd, junk, sizeof junk, 4096), (ssize_t) sizeof junk);
    assert_int_equal (pwrite (fd, junk, sizeof junk, 16384 + 4096), (ssize_t) sizeof junk);
    close (fd);
    vol_open (&v, copy);
    r = kikan_unlock (&v.src, KIKAN_ENC_LUKS2, PASS, strlen (PASS), tmpdir, &u, err,
                      sizeof err);
    assert_int_equal (r, KIKAN_EINVAL);
    assert_null (u);
    assert_no_secret (err);
    assert_tmpdir_empty ();
    /* Not LUKS at all: the ciphertext after the header. */
    {
        KikanSource data;
        KikanSourceWindow w;

        kikan_source_init_window (&data, &w, &v.src, 16 << 20, v.src.size - (16 << 20));
        r = kikan_unlock (&data, KIKAN_ENC_LUKS1, PASS, strlen (PASS), tmpdir, &u, err,
                          sizeof err);
        assert_int_equal (r, KIKAN_EINVAL);
        assert_no_secret (err);
    }
    vol_close (&v);
    unlink (copy);
}

static void
test_luks_read_errors (void **state)
{
    char path[4200], err[256];
    KikanUnlocked *u = NULL;
    const KikanSource *p;
    KikanSource fs;
    Failing f;
    unsigned char buf[8192];
    Vol v;
    int r;

    (void) state;
    fixture_path (path, sizeof path, "luks2-xts-4k.img");
    vol_open (&v, path);
    failing_init (&fs, &f, &v.src);

    /* While unlocking: an error, not a crash, and the copy is gone. */
    f.fail_errno = EIO;
    r = kikan_unlock (&fs, KIKAN_ENC_LUKS2, PASS, strlen (PASS), tmpdir, &u, err, sizeof err);
    assert_int_equal (r, KIKAN_EIO);
    assert_null (u);
    assert_tmpdir_empty ();

    /* After unlocking: the reader's errno comes through, for whole and
     * partial sectors alike. */
    f.fail_errno = 0;
    r = kikan_unlock (&fs, KIKAN_ENC_LUKS2, PASS, strlen (PASS), tmpdir, &u, err, sizeof err);
    assert_int_equal (r, 0);
    p = kikan_unlocked_get_source (u);
    check_read (p, 0, 8192);
    f.fail_errno = ENXIO;
    errno = 0;
    assert_int_equal (p->pread (p->handle, buf, 8192, 0), -1);
    assert_int_equal (errno, ENXIO);
    errno = 0;
    assert_int_equal (p->pread (p->handle, buf, 100, 5), -1);
    assert_int_equal (errno, ENXIO);
    /* Past the end nothing is read, so nothing fails. */
    assert_int_equal (p->pread (p->handle, buf, 100, p->size), 0);
    kikan_unlocked_free (u);
    vol_close (&v);
}

typedef struct {
    const KikanSource *p;
    unsigned seed;
    int bad;
} ThreadArg;

static void *
reader_thread (void *arg)
{
    ThreadArg *a = arg;
    unsigned char *got = malloc (70000), *want = malloc (70000);

    for (int i = 0; i < 300 && got && want; i++) {
        uint64_t off = (uint64_t) rand_r (&a->seed) % a->p->size;
        size_t n = (size_t) rand_r (&a->seed) % 70000;
        ssize_t r = a->p->pread (a->p->handle, got, n, off);
        size_t en = a->p->size - off < n ? (size_t) (a->p->size - off) : n;
        expected (want, off, en);
        if (r != (ssize_t) en || memcmp (got, want, en) != 0)
            a->bad++;
    }
    free (got);
    free (want);
    return NULL;
}

/* The plaintext source is read by the scanning pool: many threads at once. */
static void
test_luks_threads (void **state)
{
    char path[4200], err[256];
    KikanUnlocked *u = NULL;
    pthread_t t[12];
    ThreadArg a[12];
    Vol v;

    (void) state;
    fixture_path (path, sizeof path, "luks1-essiv.img");
    vol_open (&v, path);
    assert_int_equal (kikan_unlock (&v.src, KIKAN_ENC_LUKS1, PASS, strlen (PASS), tmpdir, &u,
                                    err, sizeof err),
                      0);
    for (int i = 0; i < 12; i++) {
        a[i].p = kikan_unlocked_get_source (u);
        a[i].seed = (unsigned) i * 7919u + 1;
        a[i].bad = 0;
        assert_int_equal (pthread_create (&t[i], NULL, reader_thread, &a[i]), 0);
    }
    for (int i = 0; i < 12; i++) {
        pthread_join (t[i], NULL);
        assert_int_equal (a[i].bad, 0);
    }
    kikan_unlocked_free (u);
    vol_close (&v);
}

static void
test_kinds_not_supported (void **state)
{
    char path[4200], err[256];
    KikanUnlocked *u = NULL;
    Vol v;

    (void) state;
    fixture_path (path, sizeof path, "luks1-xts.img");
    vol_open (&v, path);
    assert_int_equal (kikan_unlock (&v.src, KIKAN_ENC_APFS, PASS, strlen (PASS), tmpdir, &u,
                                    err, sizeof err),
                      KIKAN_ENOTSUP);
    assert_no_secret (err);
    assert_int_equal (kikan_unlock (&v.src, KIKAN_ENC_UNKNOWN, PASS, strlen (PASS), tmpdir, &u,
                                    err, sizeof err),
                      KIKAN_ENOTSUP);
    assert_non_null (strstr (err, "VeraCrypt"));
    assert_int_equal (kikan_unlock (&v.src, KIKAN_ENC_NONE, PASS, strlen (PASS), tmpdir, &u,
                                    err, sizeof err),
                      KIKAN_EINVAL);
    /* A LUKS volume is no FileVault 2 or BitLocker volume. */
    assert_int_equal (kikan_unlock (&v.src, KIKAN_ENC_FILEVAULT2, PASS, strlen (PASS), tmpdir,
                                    &u, err, sizeof err),
                      KIKAN_EINVAL);
    assert_no_secret (err);
    assert_true (kikan_unlock (&v.src, KIKAN_ENC_BITLOCKER, PASS, strlen (PASS), tmpdir, &u,
                               err, sizeof err)
                 < 0);
    assert_no_secret (err);
    assert_null (u);
    assert_tmpdir_empty ();
    kikan_unlocked_free (NULL);
    assert_null (kikan_unlocked_get_source (NULL));
    vol_close (&v);
}

/* The LUKS1 volumes of ../shared/testdata (key slots wiped by their
 * makers, so nothing opens them): other ciphers and modes are refused as
 * not supported before any key derivation -- libcryptsetup would need the
 * kernel crypto API for them, whose sockets the sandbox kills -- and the
 * AES ones, whatever their hash, answer "wrong passphrase". */
static void
test_luks_shared_images (void **state)
{
    static const struct {
        const char *name;
        int expect;
    } imgs[] = {
        { "aes-cbc-essiv-sha256-sha1", KIKAN_UNLOCK_WRONG_SECRET },
        { "aes-lrw-plain64-sha1", KIKAN_ENOTSUP },
        { "aes-xts-essiv-wp256-whirlpool", KIKAN_ENOTSUP },
        { "aes-xts-plain64-sha1", KIKAN_UNLOCK_WRONG_SECRET },
        { "aes-xts-plain64-sha256", KIKAN_UNLOCK_WRONG_SECRET },
        { "aes-xts-plain64-whirlpool", KIKAN_UNLOCK_WRONG_SECRET },
        { "serpent-xts-plain64-sha1", KIKAN_ENOTSUP },
        { "serpent-xts-plain64-sha256", KIKAN_ENOTSUP },
        { "serpent-xts-plain64-whirlpool", KIKAN_ENOTSUP },
        { "twofish-xts-plain64-sha1", KIKAN_ENOTSUP },
        { "twofish-xts-plain64-sha256", KIKAN_ENOTSUP },
        { "twofish-xts-plain64-whirlpool", KIKAN_ENOTSUP },
    };

    (void) state;
    extract ("luks1-images.tar.xz", "luks1");
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
        char path[4200], err[256];
        KikanUnlocked *u = NULL;
        Vol v;
        int r;

        snprintf (path, sizeof path, "%s/luks1/luks1-images/luks1_%s.img", workdir,
                  imgs[i].name);
        vol_open (&v, path);
        r = kikan_unlock (&v.src, KIKAN_ENC_LUKS1, PASS, strlen (PASS), tmpdir, &u, err,
                          sizeof err);
        if (r != imgs[i].expect)
            fail_msg ("%s: returned %d (%s), expected %d", imgs[i].name, r, err,
                      imgs[i].expect);
        assert_null (u);
        assert_no_secret (err);
        if (r == KIKAN_ENOTSUP)
            assert_non_null (strstr (err, "not supported"));
        assert_tmpdir_empty ();
        vol_close (&v);
    }
}

/* ---- BitLocker ---- */

typedef struct {
    char name[96];
    char pw[64], rp[64], rp2[64], sha[65];
} BdeImage;

static int
parse_images_conf (BdeImage *img, int max)
{
    char path[4200], line[512];
    FILE *fp;
    int n = -1;

    snprintf (path, sizeof path, "%s/bitlk/bitlk-images/images.conf", workdir);
    fp = fopen (path, "r");
    if (fp == NULL)
        fail_msg ("cannot read %s", path);
    while (fgets (line, sizeof line, fp) != NULL) {
        char *v;
        line[strcspn (line, "\r\n")] = '\0';
        if (line[0] == '[') {
            if (n + 1 >= max)
                break;
            n++;
            memset (&img[n], 0, sizeof img[n]);
            snprintf (img[n].name, sizeof img[n].name, "%.*s", (int) strcspn (line + 1, "]"),
                      line + 1);
            continue;
        }
        if (n < 0 || (v = strchr (line, '=')) == NULL)
            continue;
        *v++ = '\0';
        if (strcmp (line, "PW") == 0)
            snprintf (img[n].pw, sizeof img[n].pw, "%s", v);
        else if (strcmp (line, "RP") == 0)
            snprintf (img[n].rp, sizeof img[n].rp, "%s", v);
        else if (strcmp (line, "RP2") == 0)
            snprintf (img[n].rp2, sizeof img[n].rp2, "%s", v);
        else if (strcmp (line, "SHA256SUM") == 0)
            snprintf (img[n].sha, sizeof img[n].sha, "%s", v);
    }
    fclose (fp);
    return n + 1;
}

/* The same plaintext through two unlocks, compared at a few places. */
static void
assert_same_plaintext (const KikanSource *a, const KikanSource *b)
{
    static unsigned char x[1 << 20], y[1 << 20];
    const uint64_t at[] = { 0, a->size / 2, a->size - sizeof x };

    assert_int_equal (a->size, b->size);
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        assert_int_equal (a->pread (a->handle, x, sizeof x, at[i]), (ssize_t) sizeof x);
        assert_int_equal (b->pread (b->handle, y, sizeof y, at[i]), (ssize_t) sizeof y);
        assert_memory_equal (x, y, sizeof x);
    }
}

/* Every image with a password or recovery password and a published hash
 * unlocks with each of them; the whole plaintext hashes right with the
 * first, and the others give the same plaintext. */
static void
test_bitlocker_images (void **state)
{
    BdeImage img[40];
    int n, unlocked = 0, hashed = 0;

    (void) state;
    extract ("bitlk-images.tar.xz", "bitlk");
    n = parse_images_conf (img, 40);
    assert_true (n >= 20);
    for (int i = 0; i < n; i++) {
        const char *secrets[] = { img[i].pw, img[i].rp, img[i].rp2 };
        KikanUnlocked *first = NULL;
        char path[4200];
        Vol v;

        if (img[i].sha[0] == '\0' || (img[i].pw[0] == '\0' && img[i].rp[0] == '\0'))
            continue;
        snprintf (path, sizeof path, "%s/bitlk/bitlk-images/%s.img", workdir, img[i].name);
        vol_open (&v, path);
        for (int s = 0; s < 3; s++) {
            KikanUnlocked *u = NULL;
            char err[256], hex[65];
            double t0, t1;
            int r;

            if (secrets[s][0] == '\0')
                continue;
            t0 = now ();
            r = kikan_unlock (&v.src, KIKAN_ENC_BITLOCKER, secrets[s], strlen (secrets[s]),
                              tmpdir, &u, err, sizeof err);
            if (r != 0)
                fail_msg ("%s with %s: kikan_unlock returned %d: %s", img[i].name,
                          s == 0 ? "its password" : "its recovery password", r, err);
            t1 = now ();
            unlocked++;
            assert_tmpdir_empty ();
            if (first == NULL) {
                sha256_source (kikan_unlocked_get_source (u), hex);
                if (strcmp (hex, img[i].sha) != 0)
                    fail_msg ("%s: decrypted SHA-256 %s, expected %s", img[i].name, hex,
                              img[i].sha);
                hashed++;
                print_message ("%-36s %-8s unlocked in %.2f s, %3llu MiB hashed in %.2f s: %s\n",
                               img[i].name, s == 0 ? "password" : "recovery", t1 - t0,
                               (unsigned long long) (kikan_unlocked_get_source (u)->size >> 20),
                               now () - t1, kikan_unlocked_describe (u));
                first = u;
            } else {
                assert_same_plaintext (kikan_unlocked_get_source (first),
                                       kikan_unlocked_get_source (u));
                print_message ("%-36s %-8s unlocked in %.2f s: %s\n", img[i].name, "recovery",
                               t1 - t0, kikan_unlocked_describe (u));
                kikan_unlocked_free (u);
            }
        }
        kikan_unlocked_free (first);
        vol_close (&v);
    }
    /* 18 images in the set qualify: 15 with a password and a recovery
     * password (one of them with a second recovery password), 3 with a
     * recovery password only. */
    assert_int_equal (hashed, 18);
    assert_int_equal (unlocked, 34);
}

static void
test_bitlocker_refused (void **state)
{
    /* A well-formed recovery password (every group divisible by 11) that
     * belongs to no volume; and the same with spaces for dashes. */
    static const char wrong_rp[] = "111111-222222-333333-444444-555555-666666-777777-888888";
    /* One through libcryptsetup (XTS), one through libbde (CBC, To Go). */
    static const char *imgs[] = { "bitlk-aes-xts-128", "bitlk-togo-aes-cbc-128" };
    BdeImage conf[40];
    int n;

    (void) state;
    extract ("bitlk-images.tar.xz", "bitlk");
    n = parse_images_conf (conf, 40);
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
        char path[4200], err[256], spaced[64];
        KikanUnlocked *u = NULL;
        Vol v;
        int r;

        snprintf (path, sizeof path, "%s/bitlk/bitlk-images/%s.img", workdir, imgs[i]);
        vol_open (&v, path);
        r = kikan_unlock (&v.src, KIKAN_ENC_BITLOCKER, WRONG, strlen (WRONG), tmpdir, &u, err,
                          sizeof err);
        assert_int_equal (r, KIKAN_UNLOCK_WRONG_SECRET);
        assert_null (u);
        assert_no_secret (err);
        r = kikan_unlock (&v.src, KIKAN_ENC_BITLOCKER, wrong_rp, strlen (wrong_rp), tmpdir, &u,
                          err, sizeof err);
        assert_int_equal (r, KIKAN_UNLOCK_WRONG_SECRET);
        assert_null (strstr (err, "111111"));
        /* The right recovery password typed with spaces opens it. */
        for (int k = 0; k < n; k++)
            if (strcmp (conf[k].name, imgs[i]) == 0) {
                snprintf (spaced, sizeof spaced, "%s", conf[k].rp);
                for (char *c = spaced; *c; c++)
                    if (*c == '-')
                        *c = ' ';
                r = kikan_unlock (&v.src, KIKAN_ENC_BITLOCKER, spaced, strlen (spaced), tmpdir,
                                  &u, err, sizeof err);
                assert_int_equal (r, 0);
                kikan_unlocked_free (u);
                u = NULL;
            }
        vol_close (&v);
    }
    assert_tmpdir_empty ();
}

/* Volumes neither libcryptsetup nor libbde 20190102 can read (still being
 * encrypted, encrypt-on-write, protection suspended with a clear key):
 * refused as not supported, not as a wrong password, not as plain. */
static void
test_bitlocker_unsupported_states (void **state)
{
    static const char *imgs[] = { "bitlk-partially-encrypted-aes-cbc-128",
                                  "bitlk-aes-xts-128-eow", "bitlk-aes-xts-128-clearkey-only" };

    (void) state;
    extract ("bitlk-images.tar.xz", "bitlk");
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
        char path[4200], err[256];
        KikanUnlocked *u = NULL;
        Vol v;
        int r;

        snprintf (path, sizeof path, "%s/bitlk/bitlk-images/%s.img", workdir, imgs[i]);
        vol_open (&v, path);
        r = kikan_unlock (&v.src, KIKAN_ENC_BITLOCKER, "anaconda", 8, tmpdir, &u, err,
                          sizeof err);
        if (r != KIKAN_ENOTSUP)
            fail_msg ("%s: returned %d (%s)", imgs[i], r, err);
        assert_null (u);
        assert_non_null (strstr (err, "cannot be read here"));
        assert_tmpdir_empty ();
        vol_close (&v);
    }
}

/* Read errors of the medium, while unlocking and after, through both
 * BitLocker paths: the reader's errno comes through. */
static void
bitlocker_read_errors (const char *name)
{
    char path[4200], err[256];
    KikanUnlocked *u = NULL;
    const KikanSource *p;
    KikanSource fs, cut;
    KikanSourceWindow w;
    Failing f;
    unsigned char buf[4096];
    Vol v;
    int r;

    snprintf (path, sizeof path, "%s/bitlk/bitlk-images/%s.img", workdir, name);
    vol_open (&v, path);
    failing_init (&fs, &f, &v.src);
    f.fail_errno = EIO;
    r = kikan_unlock (&fs, KIKAN_ENC_BITLOCKER, "anaconda", 8, tmpdir, &u, err, sizeof err);
    assert_true (r < 0 && r != KIKAN_UNLOCK_WRONG_SECRET);
    assert_null (u);
    assert_tmpdir_empty ();
    f.fail_errno = 0;
    r = kikan_unlock (&fs, KIKAN_ENC_BITLOCKER, "anaconda", 8, tmpdir, &u, err, sizeof err);
    assert_int_equal (r, 0);
    p = kikan_unlocked_get_source (u);
    assert_true (p->pread (p->handle, buf, sizeof buf, 1 << 20) == (ssize_t) sizeof buf);
    f.fail_errno = ENXIO;
    errno = 0;
    /* Far from anything libbde may have cached. */
    assert_int_equal (p->pread (p->handle, buf, sizeof buf, p->size - 3 * 4096), -1);
    assert_int_equal (errno, ENXIO);
    assert_int_equal (p->pread (p->handle, buf, sizeof buf, p->size), 0);
    assert_int_equal (p->pread (p->handle, buf, sizeof buf, p->size + 1), 0);
    f.fail_errno = 0;
    assert_int_equal (p->pread (p->handle, buf, sizeof buf, p->size - 10), 10);
    kikan_unlocked_free (u);

    /* Truncated volumes: refused cleanly, or -- once everything needed is
     * inside the cut -- unlocked with reads that stop at the cut. */
    for (uint64_t cut_at = 0; cut_at < (64u << 20); cut_at = cut_at * 4 + 512) {
        u = NULL;
        kikan_source_init_window (&cut, &w, &v.src, 0, cut_at);
        r = kikan_unlock (&cut, KIKAN_ENC_BITLOCKER, "anaconda", 8, tmpdir, &u, err,
                          sizeof err);
        assert_tmpdir_empty ();
        if (r == 0) {
            p = kikan_unlocked_get_source (u);
            assert_true (p->size <= cut_at);
            assert_int_equal (p->pread (p->handle, buf, sizeof buf, p->size), 0);
            kikan_unlocked_free (u);
            continue;
        }
        assert_true (r < 0 || r == KIKAN_UNLOCK_WRONG_SECRET);
        assert_null (u);
        assert_true (err[0] != '\0');
    }
    vol_close (&v);
}

static void
test_bitlocker_read_errors (void **state)
{
    (void) state;
    extract ("bitlk-images.tar.xz", "bitlk");
    bitlocker_read_errors ("bitlk-aes-xts-128");        /* libcryptsetup + OpenSSL */
    bitlocker_read_errors ("bitlk-togo-aes-cbc-128");   /* libbde */
}

/* ---- FileVault 2 ---- */

static void
test_fvault2 (void **state)
{
    static const char sha[] = "2c662e36c0f7e2f5583e6a939bbcbdc660805692d0fccaa45ad4052beb3b8e18";
    char path[4200], err[256], hex[65];
    KikanUnlocked *u = NULL;
    const KikanSource *p;
    KikanSource fs;
    Failing f;
    unsigned char buf[512];
    Vol v;
    double t0, t1;
    int r;

    (void) state;
    extract ("fvault2-images.tar.xz", "fvault2");
    snprintf (path, sizeof path, "%s/fvault2/fvault2-images/small", workdir);
    vol_open (&v, path);
    t0 = now ();
    r = kikan_unlock (&v.src, KIKAN_ENC_FILEVAULT2, "heslo123", 8, tmpdir, &u, err, sizeof err);
    if (r != 0)
        fail_msg ("kikan_unlock returned %d: %s", r, err);
    t1 = now ();
    assert_tmpdir_empty ();
    p = kikan_unlocked_get_source (u);
    assert_int_equal (p->size, 167772160);
    sha256_source (p, hex);
    assert_string_equal (hex, sha);
    print_message ("FileVault 2 'small' unlocked in %.2f s, %llu MiB hashed in %.2f s: %s\n",
                   t1 - t0, (unsigned long long) (p->size >> 20), now () - t1,
                   kikan_unlocked_describe (u));
    assert_int_equal (p->pread (p->handle, buf, sizeof buf, p->size), 0);
    kikan_unlocked_free (u);

    r = kikan_unlock (&v.src, KIKAN_ENC_FILEVAULT2, WRONG, strlen (WRONG), tmpdir, &u, err,
                      sizeof err);
    assert_int_equal (r, KIKAN_UNLOCK_WRONG_SECRET);
    assert_null (u);
    assert_no_secret (err);
    assert_tmpdir_empty ();

    failing_init (&fs, &f, &v.src);
    f.fail_errno = EIO;
    r = kikan_unlock (&fs, KIKAN_ENC_FILEVAULT2, "heslo123", 8, tmpdir, &u, err, sizeof err);
    assert_int_equal (r, KIKAN_EIO);
    assert_null (u);
    assert_tmpdir_empty ();
    f.fail_errno = 0;
    r = kikan_unlock (&fs, KIKAN_ENC_FILEVAULT2, "heslo123", 8, tmpdir, &u, err, sizeof err);
    assert_int_equal (r, 0);
    p = kikan_unlocked_get_source (u);
    f.fail_errno = EIO;
    assert_int_equal (p->pread (p->handle, buf, sizeof buf, 0), -1);
    assert_int_equal (errno, EIO);
    kikan_unlocked_free (u);
    /* Cut before the encrypted metadata (8 MiB in) and before the data. */
    for (uint64_t cut_at = 0; cut_at <= (64u << 20); cut_at = cut_at * 8 + 4096) {
        KikanSource cut;
        KikanSourceWindow w;
        kikan_source_init_window (&cut, &w, &v.src, 0, cut_at);
        u = NULL;
        r = kikan_unlock (&cut, KIKAN_ENC_FILEVAULT2, "heslo123", 8, tmpdir, &u, err,
                          sizeof err);
        assert_true (r < 0);
        assert_null (u);
        assert_tmpdir_empty ();
    }
    vol_close (&v);
}

/* ---- inside the worker's sandbox ---- */

/* What the worker does, in a forked child: the libraries primed before the
 * fork (kikan_unlock_prime, as the daemon does), every descriptor closed
 * but the volumes and the temp dir, the real seccomp + Landlock backend
 * applied, and only then each kind unlocked and read.  A system call the
 * allow-list lacks shows up here as a failed unlock (EPERM) or a killed
 * child.  KIKAN_TEST_SANDBOX=null runs the same without confinement (to
 * measure with strace which calls are made). */
typedef struct {
    const char *path;
    KikanEncryption kind;
    const char *secret;
    const char *sha;     /* of the whole plaintext; NULL: the LUKS pattern */
    int expect;          /* what kikan_unlock returns; only 0 is read further */
} SandboxCase;

static int
sandbox_child (const SandboxCase *cases, int n)
{
    const KikanSandboxBackend *b = &kikan_sandbox_seccomp;
    const char *mode = getenv ("KIKAN_TEST_SANDBOX"), *applied = NULL;
    KikanSandboxPaths paths;
    int fds[8], keep[10], nk = 0, tmpfd, next = 3;

    if (n > 8)
        return 9;
    char err[256];

    if (mode != NULL && strcmp (mode, "null") == 0)
        b = &kikan_sandbox_null;
    for (int i = 0; i < n; i++)
        if ((fds[i] = open (cases[i].path, O_RDONLY | O_CLOEXEC)) < 0)
            return 10;
    if ((tmpfd = open (tmpdir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return 11;
    /* The worker keeps only what it was given: close everything else (the
     * libraries' descriptors opened while priming included). */
    for (int i = 0; i < n; i++)
        keep[nk++] = fds[i];
    keep[nk++] = tmpfd;
    for (int i = 0; i < nk; i++)
        for (int j = i + 1; j < nk; j++)
            if (keep[j] < keep[i]) {
                int t = keep[i];
                keep[i] = keep[j];
                keep[j] = t;
            }
    for (int i = 0; i < nk; i++) {
        if (keep[i] > next)
            close_range ((unsigned) next, (unsigned) keep[i] - 1, 0);
        next = keep[i] + 1;
    }
    close_range ((unsigned) next, ~0u, 0);
    memset (&paths, 0, sizeof paths);
    paths.target_fd = fds[0];
    paths.target_is_dir = 0;
    paths.tmpdir_fd = tmpfd;
    if (b->apply (&paths, &applied, err, sizeof err) != 0) {
        fprintf (stderr, "sandbox: %s\n", err);
        return 12;
    }
    fprintf (stderr, "sandbox %s applied\n", applied);
    for (int i = 0; i < n; i++) {
        KikanUnlocked *u = NULL;
        KikanSource src;
        struct stat st;
        char hex[65];
        int r;

        if (fstat (fds[i], &st) != 0)
            return 13;
        kikan_source_init_fd (&src, &fds[i], (uint64_t) st.st_size);
        r = kikan_unlock (&src, cases[i].kind, cases[i].secret, strlen (cases[i].secret),
                          tmpdir, &u, err, sizeof err);
        if (r != cases[i].expect) {
            fprintf (stderr, "sandboxed unlock of %s: %d: %s\n", cases[i].path, r, err);
            return 20 + i;
        }
        if (r != 0) {
            fprintf (stderr, "sandboxed %s: %s\n", strrchr (cases[i].path, '/') + 1, err);
            continue;
        }
        if (cases[i].sha != NULL) {
            sha256_source (kikan_unlocked_get_source (u), hex);
            if (strcmp (hex, cases[i].sha) != 0) {
                fprintf (stderr, "sandboxed read of %s: SHA-256 %s\n", cases[i].path, hex);
                return 30 + i;
            }
        } else {
            const KikanSource *p = kikan_unlocked_get_source (u);
            unsigned char got[8192], want[8192];
            if (p->pread (p->handle, got, sizeof got, p->size - sizeof got) != sizeof got)
                return 40 + i;
            expected (want, p->size - sizeof got, sizeof got);
            if (memcmp (got, want, sizeof got) != 0)
                return 40 + i;
        }
        fprintf (stderr, "sandboxed %s: %s\n", strrchr (cases[i].path, '/') + 1,
                 kikan_unlocked_describe (u));
        kikan_unlocked_free (u);
        /* A wrong secret is refused cleanly in the sandbox too. */
        r = kikan_unlock (&src, cases[i].kind, WRONG, strlen (WRONG), tmpdir, &u, err,
                          sizeof err);
        if (r != KIKAN_UNLOCK_WRONG_SECRET) {
            fprintf (stderr, "sandboxed wrong secret on %s: %d: %s\n", cases[i].path, r, err);
            return 50 + i;
        }
    }
    return 0;
}

static void
test_unlock_in_worker_sandbox (void **state)
{
    char luks[4200], fv[4200], xts[4200], eleph[4200], lrw[4200], wp[4200];
    SandboxCase cases[6];
    int n = 6;
    pid_t pid;
    int status;

    (void) state;
    extract ("bitlk-images.tar.xz", "bitlk");
    extract ("fvault2-images.tar.xz", "fvault2");
    extract ("luks1-images.tar.xz", "luks1");
    fixture_path (luks, sizeof luks, "luks2-argon2id.img");
    snprintf (lrw, sizeof lrw, "%s/luks1/luks1-images/luks1_aes-lrw-plain64-sha1.img", workdir);
    snprintf (wp, sizeof wp, "%s/luks1/luks1-images/luks1_aes-xts-plain64-whirlpool.img",
              workdir);
    snprintf (fv, sizeof fv, "%s/fvault2/fvault2-images/small", workdir);
    snprintf (xts, sizeof xts, "%s/bitlk/bitlk-images/bitlk-aes-xts-256.img", workdir);
    snprintf (eleph, sizeof eleph, "%s/bitlk/bitlk-images/bitlk-aes-cbc-elephant-128.img",
              workdir);
    cases[0] = (SandboxCase) { luks, KIKAN_ENC_LUKS2, PASS, NULL, 0 };
    cases[1] = (SandboxCase) {
        fv, KIKAN_ENC_FILEVAULT2, "heslo123",
        "2c662e36c0f7e2f5583e6a939bbcbdc660805692d0fccaa45ad4052beb3b8e18", 0
    };
    cases[2] = (SandboxCase) {
        xts, KIKAN_ENC_BITLOCKER, "anaconda",
        "5bb6ff5acbded10be990c6fa208ab479934a08bc2e88740a1aa2642af2f42025", 0
    };
    cases[3] = (SandboxCase) {
        eleph, KIKAN_ENC_BITLOCKER, "anaconda",
        "b18e4f956295bc0f327e551322261fb9c74ac0d3ce58bf3b806e98474e1619ea", 0
    };
    /* A mode libcryptsetup would ask the kernel for (AF_ALG: killed here)
     * is refused first; a Whirlpool hash needs OpenSSL's legacy provider,
     * loaded by kikan_unlock_prime. */
    cases[4] = (SandboxCase) { lrw, KIKAN_ENC_LUKS1, PASS, NULL, KIKAN_ENOTSUP };
    cases[5] = (SandboxCase) { wp, KIKAN_ENC_LUKS1, PASS, NULL, KIKAN_UNLOCK_WRONG_SECRET };
    /* As the daemon does before it forks any worker. */
    kikan_unlock_prime ();
    fflush (NULL);
    pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0)
        _exit (sandbox_child (cases, n));
    assert_int_equal (waitpid (pid, &status, 0), pid);
    if (WIFSIGNALED (status))
        fail_msg ("the sandboxed worker was killed by signal %d (a killed system call?)",
                  WTERMSIG (status));
    if (WEXITSTATUS (status) != 0)
        fail_msg ("the sandboxed worker failed at step %d (see above)", WEXITSTATUS (status));
    assert_tmpdir_empty ();
}

int
main (int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_luks_unlock_and_read),
        cmocka_unit_test (test_luks_wrong_secret),
        cmocka_unit_test (test_luks_truncated),
        cmocka_unit_test (test_luks_damaged),
        cmocka_unit_test (test_luks_read_errors),
        cmocka_unit_test (test_luks_threads),
        cmocka_unit_test (test_luks_shared_images),
        cmocka_unit_test (test_kinds_not_supported),
        cmocka_unit_test (test_bitlocker_images),
        cmocka_unit_test (test_bitlocker_refused),
        cmocka_unit_test (test_bitlocker_unsupported_states),
        cmocka_unit_test (test_bitlocker_read_errors),
        cmocka_unit_test (test_fvault2),
    };
    const struct CMUnitTest sandbox_tests[] = {
        cmocka_unit_test (test_unlock_in_worker_sandbox),
    };

    /* "sandbox": only the run inside the worker's real sandbox, registered
     * as its own ctest so that the allow-list it needs is visible. */
    if (argc > 1 && strcmp (argv[1], "sandbox") == 0)
        return cmocka_run_group_tests (sandbox_tests, group_setup, group_teardown);
    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
