/* Authenticode verification tests (scanner/authenticode.c; issue #4 item 1,
 * "by executable signer where available"; Admin B-3).
 *
 * The signed files are made at test time by tests/fixtures/make-signed-pe.sh:
 * a throw-away CA, RSA and EC code-signing certificates (openssl), the
 * PE32 and PE32+ Dialer.dll of the nsis package signed by osslsigncode.
 * Every tampered variant is made here from those bytes.  A missing tool
 * fails the test.
 *
 * What `osslsigncode verify -CAfile ca.crt` (2.9) says of the same cases,
 * run by hand while writing this test:
 *   signed (sha1/256/512, EC sha384, PE32+, chain, -ph, -nest): "Succeeded"
 *   unsigned:                "No signature found", "Failed"
 *   byte flipped in .text:   "Calculated message digest ... MISMATCH!!!", "Failed"
 *   CheckSum changed:        "Warning: invalid PE checksum", "Signature verification: ok"
 *   signature byte flipped:  RSA padding check failed, "Signature verification: failed"
 *   dwLength > table:        "Corrupted attribute certificate table", "Failed"
 *   appended / truncated / table past the end: "Ignoring PE signature not at
 *                            the end of the file", "No signature found" (we say
 *                            INVALID: a signature is claimed and not honoured)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kikan/authenticode.h"
#include "sandbox-private.h"
#include "worker-private.h"

static char workdir[1024];

static const char SIGNER_SUBJECT[] = "CN=Kikan Test Signer, O=Kikan Test, C=JP";

/* ---- helpers ---- */

static unsigned char *
load (const char *name, size_t *len)
{
    char path[1200];
    unsigned char *b;
    FILE *f;
    long n;

    snprintf (path, sizeof path, "%s/%s", workdir, name);
    f = fopen (path, "rb");
    if (f == NULL)
        fail_msg ("fixture %s missing", path);
    fseek (f, 0, SEEK_END);
    n = ftell (f);
    fseek (f, 0, SEEK_SET);
    /* Room for the tests that append bytes. */
    b = calloc (1, (size_t) n + 4096);
    assert_non_null (b);
    assert_int_equal (fread (b, 1, (size_t) n, f), (size_t) n);
    fclose (f);
    *len = (size_t) n;
    return b;
}

static void
load_sha (const char *name, char *hex)
{
    size_t n;
    unsigned char *b = load (name, &n);

    assert_true (n >= 64);
    memcpy (hex, b, 64);
    hex[64] = '\0';
    free (b);
}

static uint32_t
rd32 (const unsigned char *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
           | ((uint32_t) p[3] << 24);
}

static void
wr32 (unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char) v;
    p[1] = (unsigned char) (v >> 8);
    p[2] = (unsigned char) (v >> 16);
    p[3] = (unsigned char) (v >> 24);
}

/* The test's own reading of the headers of a well-formed file. */
typedef struct {
    size_t checksum;     /* CheckSum field */
    size_t secdir;       /* data directory 4 */
    size_t nrva;         /* NumberOfRvaAndSizes */
    size_t magic;
    size_t text_ptr;     /* PointerToRawData of the first section */
    size_t cert_off, cert_size;
    size_t der_len;      /* the PKCS#7 DER (30 82 xx xx) */
} Layout;

static void
layout (const unsigned char *b, size_t n, Layout *l)
{
    size_t lfanew = rd32 (b + 0x3c), opt = lfanew + 24, dd;
    unsigned sopt = b[lfanew + 20] | (b[lfanew + 21] << 8);

    assert_memory_equal (b + lfanew, "PE\0\0", 4);
    l->magic = opt;
    dd = opt + ((b[opt] | (b[opt + 1] << 8)) == 0x20b ? 112 : 96);
    l->checksum = opt + 64;
    l->nrva = dd - 4;
    l->secdir = dd + 32;
    l->text_ptr = rd32 (b + opt + sopt + 20);
    l->cert_off = rd32 (b + l->secdir);
    l->cert_size = rd32 (b + l->secdir + 4);
    l->der_len = 0;
    if (l->cert_size >= 12 && l->cert_off + 12 <= n && b[l->cert_off + 8] == 0x30
        && b[l->cert_off + 9] == 0x82)
        l->der_len = 4 + (size_t) ((b[l->cert_off + 10] << 8) | b[l->cert_off + 11]);
}

static int
valid_utf8 (const char *s)
{
    const unsigned char *u = (const unsigned char *) s;

    while (*u) {
        int n = *u < 0x80 ? 0 : (*u & 0xe0) == 0xc0 ? 1 : (*u & 0xf0) == 0xe0 ? 2
              : (*u & 0xf8) == 0xf0 ? 3 : -1;
        if (n < 0 || (n == 1 && *u < 0xc2))
            return 0;
        u++;
        for (int i = 0; i < n; i++, u++)
            if ((*u & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

/* Runs the verifier and checks what holds for every outcome. */
static KikanAuthenticodeStatus
check (const unsigned char *b, size_t n, KikanAuthenticode *a)
{
    KikanAuthenticodeStatus s;

    memset (a, 0x5a, sizeof *a);
    s = kikan_authenticode_verify (b, n, a);
    assert_int_equal (s, a->status);
    assert_true (strnlen (a->cert_sha256, sizeof a->cert_sha256) < sizeof a->cert_sha256);
    assert_true (strnlen (a->subject, sizeof a->subject) < sizeof a->subject);
    assert_true (strnlen (a->detail, sizeof a->detail) < sizeof a->detail);
    switch (s) {
    case KIKAN_AUTHENTICODE_VALID:
        assert_int_equal (strlen (a->cert_sha256), 64);
        assert_int_equal (strspn (a->cert_sha256, "0123456789abcdef"), 64);
        assert_string_equal (a->detail, "");
        break;
    case KIKAN_AUTHENTICODE_INVALID:
        assert_true (a->detail[0] != '\0');
        assert_string_equal (a->cert_sha256, "");
        assert_string_equal (a->subject, "");
        break;
    case KIKAN_AUTHENTICODE_NONE:
        assert_string_equal (a->detail, "");
        assert_string_equal (a->cert_sha256, "");
        assert_string_equal (a->subject, "");
        break;
    default:
        fail_msg ("status %d out of range", (int) s);
    }
    return s;
}

static void
expect_invalid (const unsigned char *b, size_t n, const char *detail)
{
    KikanAuthenticode a;

    assert_int_equal (check (b, n, &a), KIKAN_AUTHENTICODE_INVALID);
    assert_string_equal (a.detail, detail);
}

static void
expect_none (const unsigned char *b, size_t n)
{
    KikanAuthenticode a;

    assert_int_equal (check (b, n, &a), KIKAN_AUTHENTICODE_NONE);
}

static void
expect_valid (const char *file, const char *sha_file, const char *subject)
{
    KikanAuthenticode a;
    char want[65];
    size_t n;
    unsigned char *b = load (file, &n);

    load_sha (sha_file, want);
    if (check (b, n, &a) != KIKAN_AUTHENTICODE_VALID)
        fail_msg ("%s: %s (%s)", file, kikan_authenticode_status_to_string (a.status), a.detail);
    assert_string_equal (a.cert_sha256, want);
    if (subject != NULL)
        assert_string_equal (a.subject, subject);
    free (b);
}

/* The image hash as the test understands it for a file whose sections
 * follow each other without gaps: everything before the certificate table
 * but the CheckSum and the security directory entry. */
static void
contiguous_sha256 (const unsigned char *b, const Layout *l, unsigned char *dig)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new ();
    unsigned int n;

    assert_non_null (c);
    assert_int_equal (EVP_DigestInit_ex (c, EVP_sha256 (), NULL), 1);
    EVP_DigestUpdate (c, b, l->checksum);
    EVP_DigestUpdate (c, b + l->checksum + 4, l->secdir - l->checksum - 4);
    EVP_DigestUpdate (c, b + l->secdir + 8, l->cert_off - l->secdir - 8);
    assert_int_equal (EVP_DigestFinal_ex (c, dig, &n), 1);
    assert_int_equal (n, 32);
    EVP_MD_CTX_free (c);
}

static unsigned char *
find_last (unsigned char *hay, size_t n, const void *needle, size_t k)
{
    unsigned char *hit = NULL, *p = hay;

    while ((p = memmem (p, n - (size_t) (p - hay), needle, k)) != NULL)
        hit = p++;
    return hit;
}

/* ---- fixtures ---- */

static int
group_setup (void **state)
{
    char cmd[2400];

    (void) state;
    snprintf (workdir, sizeof workdir, "%s/kikan-authenticode-XXXXXX",
              getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp");
    if (mkdtemp (workdir) == NULL)
        return -1;
    snprintf (cmd, sizeof cmd, "bash '%s' '%s' >/dev/null", KIKAN_TEST_MAKE_SIGNED_PE,
              workdir);
    if (system (cmd) != 0) {
        fprintf (stderr, "make-signed-pe.sh failed\n");
        return -1;
    }
    return 0;
}

static int
group_teardown (void **state)
{
    char cmd[1200];

    (void) state;
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", workdir);
    return system (cmd) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void
test_status_strings (void **state)
{
    (void) state;
    assert_string_equal (kikan_authenticode_status_to_string (KIKAN_AUTHENTICODE_NONE), "none");
    assert_string_equal (kikan_authenticode_status_to_string (KIKAN_AUTHENTICODE_VALID),
                         "valid");
    assert_string_equal (kikan_authenticode_status_to_string (KIKAN_AUTHENTICODE_INVALID),
                         "invalid");
    assert_string_equal (kikan_authenticode_status_to_string ((KikanAuthenticodeStatus) 99),
                         "invalid");
}

static void
test_unsigned (void **state)
{
    const char *files[] = { "unsigned32.dll", "unsigned64.dll", "overlay32.dll" };

    (void) state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        unsigned char *b = load (files[i], &n);
        expect_none (b, n);
        free (b);
    }
}

static void
test_valid (void **state)
{
    const char *files[] = {
        "signed32-sha256.dll", "signed32-sha1.dll", "signed32-sha512.dll",
        "signed64-sha256.dll",  /* PE32+ */
        "signed64-chain.dll",   /* the CA certificate too: the signer is looked up */
        "signed32-overlay.dll", /* data after the last section */
        "signed32-pagehash.dll",
        "signed32-nested.dll",  /* a nested EC signature: ignored */
    };

    (void) state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        expect_valid (files[i], "signer.sha256", SIGNER_SUBJECT);
    expect_valid ("signed32-ec.dll", "ecsigner.sha256", "CN=Kikan EC Signer");
}

static void
test_md5_refused (void **state)
{
    size_t n;
    unsigned char *b = load ("signed32-md5.dll", &n);

    (void) state;
    expect_invalid (b, n, "unsupported image digest algorithm");
    free (b);
}

/* Independent check of the hash definition: for these gap-free files the
 * digest osslsigncode put in SpcIndirectDataContent is the test's
 * contiguous hash.  The CheckSum is outside it. */
static void
test_image_hash_definition (void **state)
{
    const char *files[] = { "signed32-sha256.dll", "signed64-sha256.dll",
                            "signed32-overlay.dll" };

    (void) state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        KikanAuthenticode a;
        unsigned char dig[32];
        Layout l;
        size_t n;
        unsigned char *b = load (files[i], &n);

        layout (b, n, &l);
        contiguous_sha256 (b, &l, dig);
        assert_non_null (memmem (b + l.cert_off, l.cert_size, dig, sizeof dig));
        b[l.checksum] ^= 0x5a;
        b[l.checksum + 3] ^= 0x01;
        assert_int_equal (check (b, n, &a), KIKAN_AUTHENTICODE_VALID);
        free (b);
    }
}

static void
test_tampered_image (void **state)
{
    const char *files[] = { "signed32-sha256.dll", "signed64-sha256.dll", "signed32-sha1.dll",
                            "signed32-ec.dll" };

    (void) state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        Layout l;
        size_t n;
        unsigned char *b = load (files[i], &n);

        layout (b, n, &l);
        b[l.text_ptr + 100] ^= 0x01;           /* code */
        expect_invalid (b, n, "image hash does not match");
        b[l.text_ptr + 100] ^= 0x01;
        b[0x3c + 4 + 8] ^= 0x80;               /* DOS stub */
        expect_invalid (b, n, "image hash does not match");
        b[0x3c + 4 + 8] ^= 0x80;
        b[l.magic - 24 + 8] ^= 0x01;           /* TimeDateStamp */
        expect_invalid (b, n, "image hash does not match");
        b[l.magic - 24 + 8] ^= 0x01;
        b[l.cert_off - 1] ^= 0x01;             /* last byte of the last section */
        expect_invalid (b, n, "image hash does not match");
        b[l.cert_off - 1] ^= 0x01;
        expect_valid (files[i], i == 3 ? "ecsigner.sha256" : "signer.sha256", NULL);
        free (b);
    }
    {
        Layout l;
        size_t n;
        unsigned char *b = load ("signed32-overlay.dll", &n);

        layout (b, n, &l);
        b[l.cert_off - 20] ^= 0x20;            /* the overlay ("extra data") */
        expect_invalid (b, n, "image hash does not match");
        free (b);
    }
}

/* The image digest rewritten to match a modified image: the signer's
 * messageDigest then no longer matches SpcIndirectDataContent. */
static void
test_tampered_content (void **state)
{
    unsigned char old[32], now[32];
    unsigned char *hit;
    Layout l;
    size_t n;
    unsigned char *b = load ("signed32-sha256.dll", &n);

    (void) state;
    layout (b, n, &l);
    contiguous_sha256 (b, &l, old);
    b[l.text_ptr + 7] ^= 0xff;
    contiguous_sha256 (b, &l, now);
    hit = memmem (b + l.cert_off, l.cert_size, old, sizeof old);
    assert_non_null (hit);
    memcpy (hit, now, sizeof now);
    expect_invalid (b, n, "messageDigest does not match the signed content");
    free (b);
}

static void
test_tampered_signature (void **state)
{
    /* SpcStatementType's value, individual code signing (…311.2.1.21):
     * an authenticated attribute, so covered by the signature only. */
    static const unsigned char stmt[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01,
                                          0x82, 0x37, 0x02, 0x01, 0x15 };
    const char *files[] = { "signed32-sha256.dll", "signed32-ec.dll", "signed64-sha256.dll" };

    (void) state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        unsigned char *hit;
        Layout l;
        size_t n;
        unsigned char *b = load (files[i], &n);

        layout (b, n, &l);
        assert_true (l.der_len > 0);
        /* No timestamp: the signature value is the last thing in the DER. */
        b[l.cert_off + 8 + l.der_len - 1] ^= 0x01;
        expect_invalid (b, n, "signature does not verify");
        b[l.cert_off + 8 + l.der_len - 1] ^= 0x01;
        hit = memmem (b + l.cert_off, l.cert_size, stmt, sizeof stmt);
        assert_non_null (hit);
        hit[sizeof stmt - 1] = 0x16;
        expect_invalid (b, n, "signature does not verify");
        free (b);
    }
}

/* The issuer-and-serial of the signer info names no embedded certificate. */
static void
test_signer_missing (void **state)
{
    char path[1200];
    const ASN1_INTEGER *serial;
    unsigned char *hit;
    X509 *x;
    FILE *f;
    Layout l;
    size_t n;
    unsigned char *b = load ("signed32-sha256.dll", &n);

    (void) state;
    snprintf (path, sizeof path, "%s/signer.crt", workdir);
    assert_non_null (f = fopen (path, "r"));
    assert_non_null (x = PEM_read_X509 (f, NULL, NULL, NULL));
    fclose (f);
    serial = X509_get0_serialNumber (x);
    layout (b, n, &l);
    /* The last copy is the signer info's (after the certificates). */
    hit = find_last (b + l.cert_off, l.cert_size, ASN1_STRING_get0_data (serial),
                     (size_t) ASN1_STRING_length (serial));
    assert_non_null (hit);
    hit[ASN1_STRING_length (serial) - 1] ^= 0x01;
    expect_invalid (b, n, "signer certificate missing");
    X509_free (x);
    free (b);
}

static void
test_win_certificate (void **state)
{
    Layout l;
    size_t n;
    unsigned char *b = load ("signed32-sha256.dll", &n);
    unsigned char *w;
    uint32_t dw;

    (void) state;
    layout (b, n, &l);
    w = b + l.cert_off;
    dw = rd32 (w);
    assert_int_equal (dw, l.cert_size);
    wr32 (w, dw + 8);
    expect_invalid (b, n, "WIN_CERTIFICATE length does not fit the table");
    wr32 (w, 7);
    expect_invalid (b, n, "WIN_CERTIFICATE length does not fit the table");
    wr32 (w, 0xffffffffu);
    expect_invalid (b, n, "WIN_CERTIFICATE length does not fit the table");
    wr32 (w, 8);
    expect_invalid (b, n, "PKCS#7 does not parse");
    wr32 (w, 8 + (uint32_t) l.der_len - 1);
    expect_invalid (b, n, "PKCS#7 does not parse");
    wr32 (w, dw);
    w[5] = 0x01;                                  /* revision 0x0100 */
    expect_invalid (b, n, "unsupported WIN_CERTIFICATE revision");
    w[5] = 0x02;
    w[6] = 0x01;                                  /* WIN_CERT_TYPE_X509 */
    expect_invalid (b, n, "WIN_CERTIFICATE is not PKCS#7 signed data");
    w[6] = 0x02;
    w[8] = 0x31;                                  /* SET, not SEQUENCE */
    expect_invalid (b, n, "PKCS#7 does not parse");
    w[8] = 0x30;

    /* Eight bytes of alignment padding inside WIN_CERTIFICATE: zeros are
     * fine, anything else is data nobody signed. */
    memset (b + n, 0, 8);
    wr32 (w, dw + 8);
    wr32 (b + l.secdir + 4, (uint32_t) l.cert_size + 8);
    {
        KikanAuthenticode a;
        assert_int_equal (check (b, n + 8, &a), KIKAN_AUTHENTICODE_VALID);
    }
    b[n + 3] = 'X';
    expect_invalid (b, n + 8, "data after the PKCS#7 signature");
    free (b);
}

static void
test_table_position (void **state)
{
    Layout l;
    size_t n;
    unsigned char *b = load ("signed32-sha256.dll", &n);

    (void) state;
    layout (b, n, &l);
    wr32 (b + l.secdir, (uint32_t) n);
    expect_invalid (b, n, "certificate table past the end of the file");
    wr32 (b + l.secdir, (uint32_t) l.cert_off + 8);
    expect_invalid (b, n, "certificate table past the end of the file");
    wr32 (b + l.secdir, 0xfffffff8u);
    expect_invalid (b, n, "certificate table past the end of the file");
    wr32 (b + l.secdir, 0);
    expect_invalid (b, n, "certificate table past the end of the file");
    wr32 (b + l.secdir, (uint32_t) l.cert_off);
    wr32 (b + l.secdir + 4, 0xffffffffu);
    expect_invalid (b, n, "certificate table past the end of the file");
    /* A table that stops short: the bytes after it are not signed. */
    wr32 (b + l.secdir + 4, (uint32_t) l.cert_size - 8);
    expect_invalid (b, n, "data after the certificate table");
    wr32 (b + l.secdir + 4, (uint32_t) l.cert_size);
    memcpy (b + n, "appended", 8);
    expect_invalid (b, n + 8, "data after the certificate table");
    /* A table claimed over the headers or the sections. */
    wr32 (b + l.secdir, 0x100);
    wr32 (b + l.secdir + 4, (uint32_t) (n - 0x100));
    expect_invalid (b, n, "certificate table overlaps the headers");
    wr32 (b + l.secdir, (uint32_t) l.text_ptr + 512);
    wr32 (b + l.secdir + 4, (uint32_t) (n - l.text_ptr - 512));
    expect_invalid (b, n, "section data overlaps the certificate table");
    wr32 (b + l.secdir, 7);
    wr32 (b + l.secdir + 4, (uint32_t) n - 7);
    expect_invalid (b, n, "certificate table overlaps the headers");
    wr32 (b + l.secdir, (uint32_t) n - 4);
    wr32 (b + l.secdir + 4, 4);
    expect_invalid (b, n, "certificate table too short");
    /* An empty security directory means unsigned (trailing bytes and all);
     * so do too few data directories. */
    wr32 (b + l.secdir, (uint32_t) l.cert_off);
    wr32 (b + l.secdir + 4, 0);
    expect_none (b, n);
    wr32 (b + l.secdir + 4, (uint32_t) l.cert_size);
    wr32 (b + l.nrva, 4);
    expect_none (b, n);
    free (b);
}

/* Every prefix: the commonest damage to a file copied off a medium. */
static void
test_truncated (void **state)
{
    const char *files[] = { "signed32-sha256.dll", "signed64-sha256.dll" };

    (void) state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        Layout l;
        size_t n;
        unsigned char *b = load (files[i], &n);

        layout (b, n, &l);
        for (size_t k = 0; k < n; k++) {
            KikanAuthenticode a;
            /* A private copy of exactly k bytes, so ASan sees any overread. */
            unsigned char *c = malloc (k ? k : 1);

            assert_non_null (c);
            memcpy (c, b, k);
            check (c, k, &a);
            if (k < 0x40)
                assert_int_equal (a.status, KIKAN_AUTHENTICODE_NONE);
            else if (k >= l.secdir + 8)
                assert_int_equal (a.status, KIKAN_AUTHENTICODE_INVALID);
            else
                assert_int_not_equal (a.status, KIKAN_AUTHENTICODE_VALID);
            free (c);
        }
        free (b);
    }
}

static void
test_not_pe (void **state)
{
    unsigned char junk[4096];
    Layout l;
    size_t n;
    unsigned char *b;
    KikanAuthenticode a;

    (void) state;
    assert_int_equal (kikan_authenticode_verify (NULL, 0, &a), KIKAN_AUTHENTICODE_NONE);
    assert_int_equal (kikan_authenticode_verify (NULL, 100, &a), KIKAN_AUTHENTICODE_NONE);
    expect_none ((const unsigned char *) "", 0);
    expect_none ((const unsigned char *) "MZ", 2);
    memset (junk, 0, sizeof junk);
    expect_none (junk, sizeof junk);
    memcpy (junk, "\x7f" "ELF\x02\x01\x01", 7);
    expect_none (junk, sizeof junk);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char) (i * 2654435761u >> 13);
    expect_none (junk, sizeof junk);
    /* MZ with e_lfanew pointing anywhere but at a PE header. */
    memset (junk, 0, sizeof junk);
    memcpy (junk, "MZ", 2);
    wr32 (junk + 0x3c, 0xffffffffu);
    expect_none (junk, sizeof junk);
    wr32 (junk + 0x3c, sizeof junk - 10);
    memcpy (junk + sizeof junk - 10, "PE\0\0", 4);
    expect_none (junk, sizeof junk);
    wr32 (junk + 0x3c, sizeof junk - 4);
    memcpy (junk + sizeof junk - 4, "PE\0\0", 4);
    expect_none (junk, sizeof junk);

    b = load ("signed32-sha256.dll", &n);
    layout (b, n, &l);
    b[l.magic] = 0x07;                                   /* ROM image magic */
    expect_none (b, n);
    b[l.magic] = 0x0b;
    b[l.magic - 24 + 20] = 0x40;                         /* SizeOfOptionalHeader */
    b[l.magic - 24 + 21] = 0;
    expect_none (b, n);
    free (b);
}

/* A hostile subject: the certificate's bytes are not covered by the
 * signature (only its hash is pinned), so the name can hold anything that
 * still parses: control characters, escape sequences, a right-to-left
 * override, and as a T61String, bytes that are not UTF-8.  (Invalid UTF-8
 * in a UTF8String or a lone surrogate in a BMPString is refused by
 * OpenSSL's DER decoder: "PKCS#7 does not parse".) */
static void
test_hostile_subject (void **state)
{
    static const struct {
        unsigned char tag;
        const char *cn;              /* 17 bytes, as "Kikan Test Signer" */
        const char *want;            /* in the subject */
        KikanAuthenticodeStatus status;
    } cases[] = {
        { 0x0c, "\x01\x1b[2J\xe2\x80\xae" "ABCgnp.ex",
          "CN=\\01\\1B[2J\xe2\x80\xae" "ABCgnp.ex, O=", KIKAN_AUTHENTICODE_VALID },
        { 0x14, "\x01\x1b[2J\xe2\x80\xae\xff\xc0\x80gnp.ex",
          "CN=\\01\\1B[2J\xc3\xa2\xc2\x80\xc2\xae\xc3\xbf\xc3\x80\xc2\x80gnp.ex, O=",
          KIKAN_AUTHENTICODE_VALID },
        { 0x0c, "\x01\x1b[2J\xe2\x80\xae\xff\xc0\x80gnp.ex", NULL, KIKAN_AUTHENTICODE_INVALID },
    };
    char want[65];

    (void) state;
    load_sha ("signer.sha256", want);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        KikanAuthenticode a;
        unsigned char *hit;
        size_t n;
        unsigned char *b = load ("signed32-sha256.dll", &n);

        assert_int_equal (strlen (cases[i].cn), 17);
        hit = memmem (b, n, "Kikan Test Signer", 17);
        assert_non_null (hit);
        assert_int_equal (hit[-2], 0x0c);
        hit[-2] = cases[i].tag;
        memcpy (hit, cases[i].cn, 17);
        assert_int_equal (check (b, n, &a), cases[i].status);
        if (cases[i].status == KIKAN_AUTHENTICODE_INVALID) {
            assert_string_equal (a.detail, "PKCS#7 does not parse");
            free (b);
            continue;
        }
        assert_string_not_equal (a.cert_sha256, want);
        assert_true (valid_utf8 (a.subject));
        for (const char *s = a.subject; *s; s++)
            assert_true ((unsigned char) *s >= 0x20 && *s != 0x7f);
        assert_true (strncmp (a.subject, cases[i].want, strlen (cases[i].want)) == 0);
        free (b);
    }
}

static void
test_long_subject (void **state)
{
    KikanAuthenticode a;
    char want[65];
    size_t n;
    unsigned char *b = load ("signed32-long.dll", &n);

    (void) state;
    load_sha ("longsigner.sha256", want);
    assert_int_equal (check (b, n, &a), KIKAN_AUTHENTICODE_VALID);
    assert_string_equal (a.cert_sha256, want);
    assert_true (valid_utf8 (a.subject));
    assert_true (strlen (a.subject) > 240 && strlen (a.subject) <= 255);
    assert_true (strncmp (a.subject, "CN=日本語の署名者, OU=UnitUnit", 35) == 0);
    assert_null (strstr (a.subject, "株式会社"));           /* cut before O= */
    free (b);
}

/* The verifier inside the worker's real sandbox (seccomp allow-list and
 * Landlock), after kikan_worker_prime() as the daemon runs it: no file
 * access is needed (OpenSSL's configuration was read while priming). */
static void
test_in_sandbox (void **state)
{
    size_t n;
    unsigned char *b = load ("signed64-sha256.dll", &n);
    char want[65];
    pid_t pid;
    int st;

    (void) state;
    load_sha ("signer.sha256", want);
    pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        KikanSandboxPaths paths = { -1, 0, -1 };
        const char *applied = NULL;
        KikanAuthenticode a;
        char err[256];

        kikan_worker_prime (NULL);
        paths.target_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
        paths.tmpdir_fd = open (workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (kikan_sandbox_seccomp.apply (&paths, &applied, err, sizeof err) != 0) {
            fprintf (stderr, "sandbox: %s\n", err);
            _exit (2);
        }
        if (kikan_authenticode_verify (b, n, &a) != KIKAN_AUTHENTICODE_VALID
            || strcmp (a.cert_sha256, want) != 0) {
            fprintf (stderr, "sandboxed: %s %s\n", a.detail, a.cert_sha256);
            _exit (3);
        }
        b[1000] ^= 1;
        if (kikan_authenticode_verify (b, n, &a) != KIKAN_AUTHENTICODE_INVALID)
            _exit (4);
        _exit (0);
    }
    assert_int_equal (waitpid (pid, &st, 0), pid);
    assert_true (WIFEXITED (st));
    assert_int_equal (WEXITSTATUS (st), 0);
    free (b);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_status_strings),
        cmocka_unit_test (test_unsigned),
        cmocka_unit_test (test_valid),
        cmocka_unit_test (test_md5_refused),
        cmocka_unit_test (test_image_hash_definition),
        cmocka_unit_test (test_tampered_image),
        cmocka_unit_test (test_tampered_content),
        cmocka_unit_test (test_tampered_signature),
        cmocka_unit_test (test_signer_missing),
        cmocka_unit_test (test_win_certificate),
        cmocka_unit_test (test_table_position),
        cmocka_unit_test (test_truncated),
        cmocka_unit_test (test_not_pe),
        cmocka_unit_test (test_hostile_subject),
        cmocka_unit_test (test_long_subject),
        cmocka_unit_test (test_in_sandbox),
    };

    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
