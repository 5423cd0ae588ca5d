/* Authenticode signature of a PE file (issue #4 item 1, "by executable
 * signer where available"; Admin B-3).  The contract and its limits are in
 * include/kikan/authenticode.h.
 *
 * The steps follow Microsoft's "Windows Authenticode Portable Executable
 * Signature Format": the security data directory gives the file offset of
 * the certificate table; its first WIN_CERTIFICATE holds a PKCS#7
 * SignedData whose content is SpcIndirectDataContent, which carries the
 * digest of the image; the signer signs the DER of its authenticated
 * attributes, one of which (messageDigest) is the digest of that content.
 *
 * Decisions beyond the specification, all fail closed:
 *   - the certificate table must be the last thing in the file: bytes after
 *     it are covered by no hash (the MS13-098 padding check);
 *   - bytes between the headers and the sections, or between sections, are
 *     covered by no hash either: they must be zero;
 *   - trailing bytes after the PKCS#7 inside WIN_CERTIFICATE (alignment
 *     padding) must be zero;
 *   - exactly one signer; nested signatures (unauthenticated attribute
 *     1.3.6.1.4.1.311.2.4.1) and timestamps are ignored.
 *
 * OpenSSL: only parsing, digests and public-key verification from the
 * built-in default provider; no engine, no provider module, no network.
 * Nothing here asks for a configuration file, but OpenSSL 3.0's lazy
 * initialisation of the default library context reads openssl.cnf once
 * per process, at the first digest or decode (strace: the only file it
 * opens).  The worker initialises libcrypto before its sandbox
 * (kikan_worker_prime -> kikan_unlock_prime fetches ciphers), so in the
 * worker nothing is opened; tests/unit/test-scanner-authenticode.c checks
 * this under the real seccomp+Landlock sandbox.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "kikan/authenticode.h"

/* The header promises bounded work: a SignedData with more certificates
 * than this is refused. */
#define KIKAN_AC_MAX_CERTS 64

#define WIN_CERT_REVISION_2_0 0x0200
#define WIN_CERT_TYPE_PKCS_SIGNED_DATA 0x0002

/* DER contents of the object identifiers we compare (no tag, no length). */
static const unsigned char oid_spc_indirect_data[] = {   /* 1.3.6.1.4.1.311.2.1.4 */
    0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04
};
static const unsigned char oid_spc_pe_image_data[] = {   /* 1.3.6.1.4.1.311.2.1.15 */
    0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x0f
};

typedef struct {
    size_t checksum_off;      /* optional header CheckSum field (4 bytes) */
    size_t secdir_entry_off;  /* data directory 4 (8 bytes) */
    size_t size_of_headers;
    size_t sections_off;      /* first IMAGE_SECTION_HEADER */
    unsigned n_sections;
    size_t cert_off;          /* certificate table: a file offset, not an RVA */
    size_t cert_size;
} PeLayout;

typedef struct {
    uint32_t ptr;
    uint32_t size;
} RawRange;

const char *
kikan_authenticode_status_to_string (KikanAuthenticodeStatus s)
{
    switch (s) {
    case KIKAN_AUTHENTICODE_NONE:
        return "none";
    case KIKAN_AUTHENTICODE_VALID:
        return "valid";
    case KIKAN_AUTHENTICODE_INVALID:
        return "invalid";
    }
    return "invalid";
}

static uint16_t
rd16 (const uint8_t *p)
{
    return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t
rd32 (const uint8_t *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
           | ((uint32_t) p[3] << 24);
}

static KikanAuthenticodeStatus
set_invalid (KikanAuthenticode *out, const char *detail)
{
    out->status = KIKAN_AUTHENTICODE_INVALID;
    out->cert_sha256[0] = '\0';
    out->subject[0] = '\0';
    strncpy (out->detail, detail, sizeof out->detail - 1);
    out->detail[sizeof out->detail - 1] = '\0';
    return out->status;
}

/* ---- the PE headers ---- */

/* Returns 1 when @b is a PE with a certificate table (@pe filled), 0 when
 * it is no PE or has no table, -1 when the table is there but the headers
 * around it cannot be trusted (@out says why). */
static int
parse_pe (const uint8_t *b, size_t len, PeLayout *pe, KikanAuthenticode *out)
{
    size_t lfanew, opt, ddir, entry, sopt, sect_end;
    uint32_t n_rva;
    uint16_t magic;

    if (len < 0x40 || b[0] != 'M' || b[1] != 'Z')
        return 0;
    lfanew = rd32 (b + 0x3c);
    /* Signature (4) and COFF file header (20), then at least the magic. */
    if (lfanew > len || len - lfanew < 24 + 2)
        return 0;
    if (memcmp (b + lfanew, "PE\0\0", 4) != 0)
        return 0;
    pe->n_sections = rd16 (b + lfanew + 6);
    sopt = rd16 (b + lfanew + 20);
    opt = lfanew + 24;
    magic = rd16 (b + opt);
    if (magic == 0x10b)
        ddir = 96;             /* PE32 */
    else if (magic == 0x20b)
        ddir = 112;            /* PE32+: 64-bit ImageBase and stack/heap sizes */
    else
        return 0;
    /* No room for data directory 4: the image cannot name a certificate
     * table, so it is unsigned. */
    if (sopt < ddir + 5 * 8 || len - opt < ddir + 5 * 8)
        return 0;
    n_rva = rd32 (b + opt + ddir - 4);
    if (n_rva < 5)
        return 0;
    entry = opt + ddir + 4 * 8;
    pe->checksum_off = opt + 64;
    pe->secdir_entry_off = entry;
    pe->size_of_headers = rd32 (b + opt + 60);
    pe->sections_off = opt + sopt;
    pe->cert_off = rd32 (b + entry);
    pe->cert_size = rd32 (b + entry + 4);
    if (pe->cert_size == 0)
        return 0;

    /* From here on a signature is claimed: anything odd is INVALID. */
    if (pe->cert_off == 0 || pe->cert_off >= len || pe->cert_size > len - pe->cert_off) {
        set_invalid (out, "certificate table past the end of the file");
        return -1;
    }
    if (pe->cert_off + pe->cert_size != len) {
        set_invalid (out, "data after the certificate table");
        return -1;
    }
    if (pe->cert_size < 8) {
        set_invalid (out, "certificate table too short");
        return -1;
    }
    sect_end = pe->sections_off + (size_t) pe->n_sections * 40;
    if (pe->size_of_headers < entry + 8 || pe->size_of_headers < sect_end) {
        set_invalid (out, "section table outside SizeOfHeaders");
        return -1;
    }
    if (pe->size_of_headers > pe->cert_off) {
        set_invalid (out, "certificate table overlaps the headers");
        return -1;
    }
    return 1;
}

/* ---- the image hash ---- */

static int
cmp_range (const void *a, const void *b)
{
    const RawRange *x = a, *y = b;

    if (x->ptr != y->ptr)
        return x->ptr < y->ptr ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return 0;
}

static int
all_zero (const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* The sections' raw data in file order (empty ones dropped), each inside
 * the file before the certificate table.  Returns NULL on success, else
 * why not; *@out is the caller's to free either way. */
static const char *
collect_sections (const uint8_t *b, const PeLayout *pe, RawRange **out, size_t *n_out)
{
    RawRange *r = NULL;
    size_t n = 0;

    *out = NULL;
    *n_out = 0;
    if (pe->n_sections == 0)
        return NULL;
    if ((r = calloc (pe->n_sections, sizeof *r)) == NULL)
        return "out of memory";
    *out = r;
    for (unsigned i = 0; i < pe->n_sections; i++) {
        const uint8_t *sh = b + pe->sections_off + (size_t) i * 40;
        RawRange s = { rd32 (sh + 20), rd32 (sh + 16) };

        if (s.size == 0)
            continue;
        if (s.ptr > pe->cert_off || s.size > pe->cert_off - s.ptr)
            return "section data overlaps the certificate table";
        r[n++] = s;
    }
    if (n > 1)
        qsort (r, n, sizeof *r, cmp_range);
    *n_out = n;
    return NULL;
}

/* Hashes the image as the specification says: the headers without the
 * CheckSum field and the security directory entry, the sections' raw data
 * in file order, then whatever lies between the last section and the
 * certificate table.  Returns NULL on success, else why not. */
static const char *
image_hash (const uint8_t *b, const PeLayout *pe, const RawRange *r, size_t n,
            const EVP_MD *md, unsigned char *dig, unsigned int *dig_len)
{
    EVP_MD_CTX *ctx = NULL;
    size_t pos;
    const char *why = "cannot compute the image hash";

    if ((ctx = EVP_MD_CTX_new ()) == NULL)
        goto out;
    if (EVP_DigestInit_ex (ctx, md, NULL) != 1
        || EVP_DigestUpdate (ctx, b, pe->checksum_off) != 1
        || EVP_DigestUpdate (ctx, b + pe->checksum_off + 4,
                             pe->secdir_entry_off - (pe->checksum_off + 4)) != 1
        || EVP_DigestUpdate (ctx, b + pe->secdir_entry_off + 8,
                             pe->size_of_headers - (pe->secdir_entry_off + 8)) != 1)
        goto out;
    pos = pe->size_of_headers;
    for (size_t i = 0; i < n; i++) {
        /* Nobody signed a gap: it may only hold alignment zeros.  Overlaps
         * are hashed twice, as the specification's algorithm does. */
        if (r[i].ptr > pos && !all_zero (b + pos, r[i].ptr - pos)) {
            why = "unsigned data between sections";
            goto out;
        }
        if (EVP_DigestUpdate (ctx, b + r[i].ptr, r[i].size) != 1)
            goto out;
        if ((size_t) r[i].ptr + r[i].size > pos)
            pos = (size_t) r[i].ptr + r[i].size;
    }
    /* The spec's "extra data": after the last section, before the table. */
    if (pos < pe->cert_off && EVP_DigestUpdate (ctx, b + pos, pe->cert_off - pos) != 1)
        goto out;
    if (EVP_DigestFinal_ex (ctx, dig, dig_len) != 1)
        goto out;
    why = NULL;
out:
    EVP_MD_CTX_free (ctx);
    return why;
}

/* ---- PKCS#7 and SpcIndirectDataContent ---- */

static const EVP_MD *
md_from_nid (int nid)
{
    switch (nid) {
    case NID_sha1:
        return EVP_sha1 ();
    case NID_sha256:
        return EVP_sha256 ();
    case NID_sha384:
        return EVP_sha384 ();
    case NID_sha512:
        return EVP_sha512 ();
    default:
        return NULL;   /* MD5 and anything else: not accepted */
    }
}

static int
oid_is (const ASN1_OBJECT *o, const unsigned char *der, size_t n)
{
    return o != NULL && (size_t) OBJ_length (o) == n && memcmp (OBJ_get0_data (o), der, n) == 0;
}

/* Reads one definite-length DER header at *@p (within @end) with the
 * given universal tag; leaves *@p at the contents and sets @clen. */
static int
der_header (const unsigned char **p, const unsigned char *end, int want_tag, long *clen)
{
    const unsigned char *q = *p;
    int tag, cls, ret;

    if (q >= end)
        return -1;
    ret = ASN1_get_object (&q, clen, &tag, &cls, end - q);
    /* 0x80: error or contents past @end; 0x21: indefinite length (BER). */
    if ((ret & 0x80) || ret == 0x21 || cls != V_ASN1_UNIVERSAL || tag != want_tag)
        return -1;
    *p = q;
    return 0;
}

typedef struct {
    const unsigned char *content;  /* SpcIndirectDataContent without tag/length */
    long content_len;
    const EVP_MD *md;              /* image digest algorithm */
    unsigned char digest[EVP_MAX_MD_SIZE];
    int digest_len;
} SpcInfo;

/* SpcIndirectDataContent ::= SEQUENCE {
 *     data           SEQUENCE { type OBJECT IDENTIFIER, value ANY OPTIONAL },
 *     messageDigest  DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING } }
 * Walked by hand: a few bounded header reads, no templates. */
static const char *
parse_spc (const ASN1_STRING *seq, SpcInfo *spc)
{
    const unsigned char *p = ASN1_STRING_get0_data (seq);
    const unsigned char *end = p + ASN1_STRING_length (seq);
    const unsigned char *q, *inner_end, *di_end;
    X509_ALGOR *alg = NULL;
    ASN1_OCTET_STRING *os = NULL;
    const char *why = "SpcIndirectDataContent malformed";
    long len;

    if (der_header (&p, end, V_ASN1_SEQUENCE, &len) != 0 || len != end - p)
        goto out;
    spc->content = p;
    spc->content_len = len;
    /* data: must describe a PE image (SPC_PE_IMAGE_DATAOBJ). */
    if (der_header (&p, end, V_ASN1_SEQUENCE, &len) != 0)
        goto out;
    inner_end = p + len;
    q = p;
    if (der_header (&q, inner_end, V_ASN1_OBJECT, &len) != 0)
        goto out;
    if ((size_t) len != sizeof oid_spc_pe_image_data
        || memcmp (q, oid_spc_pe_image_data, sizeof oid_spc_pe_image_data) != 0) {
        why = "signature is not for a PE image";
        goto out;
    }
    p = inner_end;
    /* messageDigest: the image digest, and nothing after it. */
    if (der_header (&p, end, V_ASN1_SEQUENCE, &len) != 0 || len != end - p)
        goto out;
    di_end = p + len;
    if ((alg = d2i_X509_ALGOR (NULL, &p, di_end - p)) == NULL)
        goto out;
    if ((os = d2i_ASN1_OCTET_STRING (NULL, &p, di_end - p)) == NULL || p != di_end)
        goto out;
    if ((spc->md = md_from_nid (OBJ_obj2nid (alg->algorithm))) == NULL) {
        why = "unsupported image digest algorithm";
        goto out;
    }
    if (ASN1_STRING_length (os) != EVP_MD_get_size (spc->md)) {
        why = "image digest has the wrong length";
        goto out;
    }
    spc->digest_len = ASN1_STRING_length (os);
    memcpy (spc->digest, ASN1_STRING_get0_data (os), (size_t) spc->digest_len);
    why = NULL;
out:
    X509_ALGOR_free (alg);
    ASN1_OCTET_STRING_free (os);
    return why;
}

/* The signer: messageDigest over the SpcIndirectDataContent contents (the
 * PKCS#7 v1.5 rule, RFC 2315 9.3: without the outer tag and length), and
 * the signature over the DER of the authenticated attributes. */
static const char *
verify_signer (PKCS7 *p7, const SpcInfo *spc, X509 **signer)
{
    STACK_OF (PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info (p7);
    PKCS7_SIGNER_INFO *si;
    const EVP_MD *md;
    ASN1_TYPE *ct;
    ASN1_OCTET_STRING *md_attr;
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned int dig_len = 0;
    unsigned char *abuf = NULL;
    int alen;
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY *pkey;
    X509 *cert;
    const char *why = "signature does not verify";

    *signer = NULL;
    if (sis == NULL || sk_PKCS7_SIGNER_INFO_num (sis) != 1)
        return "not exactly one signer";
    si = sk_PKCS7_SIGNER_INFO_value (sis, 0);
    if (p7->d.sign->cert != NULL && sk_X509_num (p7->d.sign->cert) > KIKAN_AC_MAX_CERTS)
        return "too many certificates";
    if (si->issuer_and_serial == NULL
        || (cert = PKCS7_cert_from_signer_info (p7, si)) == NULL)
        return "signer certificate missing";
    if ((md = md_from_nid (OBJ_obj2nid (si->digest_alg->algorithm))) == NULL)
        return "unsupported signer digest algorithm";
    if (si->auth_attr == NULL || sk_X509_ATTRIBUTE_num (si->auth_attr) == 0)
        return "no authenticated attributes";
    ct = PKCS7_get_signed_attribute (si, NID_pkcs9_contentType);
    if (ct == NULL || ct->type != V_ASN1_OBJECT
        || !oid_is (ct->value.object, oid_spc_indirect_data, sizeof oid_spc_indirect_data))
        return "contentType attribute is not SpcIndirectDataContent";
    md_attr = PKCS7_digest_from_attributes (si->auth_attr);
    if (md_attr == NULL)
        return "no messageDigest attribute";
    if (EVP_Digest (spc->content, (size_t) spc->content_len, dig, &dig_len, md, NULL) != 1)
        return "cannot compute the content digest";
    if ((unsigned int) ASN1_STRING_length (md_attr) != dig_len
        || memcmp (ASN1_STRING_get0_data (md_attr), dig, dig_len) != 0)
        return "messageDigest does not match the signed content";

    /* The signature covers the attributes re-encoded as a DER SET OF. */
    alen = ASN1_item_i2d ((const ASN1_VALUE *) si->auth_attr, &abuf,
                          ASN1_ITEM_rptr (PKCS7_ATTR_VERIFY));
    if (alen <= 0 || si->enc_digest == NULL)
        goto out;
    if ((pkey = X509_get0_pubkey (cert)) == NULL) {
        why = "signer public key unusable";
        goto out;
    }
    if ((ctx = EVP_MD_CTX_new ()) == NULL
        || EVP_DigestVerifyInit (ctx, NULL, md, NULL, pkey) != 1
        || EVP_DigestVerify (ctx, ASN1_STRING_get0_data (si->enc_digest),
                             (size_t) ASN1_STRING_length (si->enc_digest), abuf,
                             (size_t) alen) != 1)
        goto out;
    *signer = cert;
    why = NULL;
out:
    EVP_MD_CTX_free (ctx);
    OPENSSL_free (abuf);
    return why;
}

/* ---- the result ---- */

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if none:
 * no overlongs, no surrogates, nothing above U+10FFFF. */
static size_t
utf8_len (const unsigned char *s, size_t n)
{
    size_t need;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
        cp = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3;
        cp = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
        || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return need;
}

/* The subject on one line, most specific first ("CN=x, O=y"): OpenSSL
 * escapes control characters and RFC 2253 specials, converts every string
 * type to UTF-8; what is still not valid UTF-8 becomes '?'.  Cut at a
 * character boundary.  The caller escapes it again for display. */
static void
print_subject (X509 *cert, char *dst, size_t cap)
{
    const unsigned long flags =
        ((XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC) & ~ASN1_STRFLGS_ESC_MSB;
    BIO *bio = BIO_new (BIO_s_mem ());
    char *s = NULL;
    long n = 0;
    size_t o = 0;

    dst[0] = '\0';
    if (bio == NULL)
        return;
    if (X509_NAME_print_ex (bio, X509_get_subject_name (cert), 0, flags) >= 0)
        n = BIO_get_mem_data (bio, &s);
    for (long i = 0; s != NULL && i < n;) {
        const unsigned char *u = (const unsigned char *) s + i;
        size_t k = u[0] == 0 ? 0 : utf8_len (u, (size_t) (n - i));

        if (k == 0) {
            if (o + 1 >= cap)
                break;
            dst[o++] = '?';
            i++;
            continue;
        }
        if (o + k >= cap)
            break;
        memcpy (dst + o, u, k);
        o += k;
        i += (long) k;
    }
    dst[o] = '\0';
    BIO_free (bio);
}

static void
hex (const unsigned char *b, size_t n, char *dst)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = digits[b[i] >> 4];
        dst[2 * i + 1] = digits[b[i] & 15];
    }
    dst[2 * n] = '\0';
}

KikanAuthenticodeStatus
kikan_authenticode_verify (const void *data, size_t len, KikanAuthenticode *out)
{
    const uint8_t *b = data;
    PeLayout pe;
    SpcInfo spc;
    PKCS7 *p7 = NULL;
    PKCS7 *content;
    X509 *signer = NULL;
    RawRange *sections = NULL;
    size_t n_sections = 0;
    const unsigned char *p, *der_end;
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned int dig_len = 0;
    uint32_t dw_length;
    const char *why = NULL;
    int r;

    memset (out, 0, sizeof *out);
    out->status = KIKAN_AUTHENTICODE_NONE;
    if (b == NULL)
        return out->status;
    if ((r = parse_pe (b, len, &pe, out)) <= 0)
        return out->status;

    if ((why = collect_sections (b, &pe, &sections, &n_sections)) != NULL)
        goto out;

    /* WIN_CERTIFICATE: dwLength, wRevision, wCertificateType, bCertificate.
     * Only the first entry counts. */
    dw_length = rd32 (b + pe.cert_off);
    if (dw_length < 8 || dw_length > pe.cert_size) {
        why = "WIN_CERTIFICATE length does not fit the table";
        goto out;
    }
    if (rd16 (b + pe.cert_off + 4) != WIN_CERT_REVISION_2_0) {
        why = "unsupported WIN_CERTIFICATE revision";
        goto out;
    }
    if (rd16 (b + pe.cert_off + 6) != WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
        why = "WIN_CERTIFICATE is not PKCS#7 signed data";
        goto out;
    }

    p = b + pe.cert_off + 8;
    der_end = b + pe.cert_off + dw_length;
    if ((p7 = d2i_PKCS7 (NULL, &p, der_end - p)) == NULL) {
        why = "PKCS#7 does not parse";
        goto out;
    }
    if (!all_zero (p, (size_t) (der_end - p))) {
        why = "data after the PKCS#7 signature";
        goto out;
    }
    if (!PKCS7_type_is_signed (p7) || p7->d.sign == NULL) {
        why = "PKCS#7 is not signed data";
        goto out;
    }
    content = p7->d.sign->contents;
    if (content == NULL
        || !oid_is (content->type, oid_spc_indirect_data, sizeof oid_spc_indirect_data)) {
        why = "content is not SpcIndirectDataContent";
        goto out;
    }
    /* An unknown content type stays as an ASN1_TYPE holding the DER. */
    if (content->d.other == NULL || content->d.other->type != V_ASN1_SEQUENCE) {
        why = "SpcIndirectDataContent malformed";
        goto out;
    }
    memset (&spc, 0, sizeof spc);
    if ((why = parse_spc (content->d.other->value.sequence, &spc)) != NULL)
        goto out;
    if ((why = image_hash (b, &pe, sections, n_sections, spc.md, dig, &dig_len)) != NULL)
        goto out;
    if (dig_len != (unsigned int) spc.digest_len || memcmp (dig, spc.digest, dig_len) != 0) {
        why = "image hash does not match";
        goto out;
    }
    if ((why = verify_signer (p7, &spc, &signer)) != NULL)
        goto out;
    if (X509_digest (signer, EVP_sha256 (), dig, &dig_len) != 1 || dig_len != 32) {
        why = "cannot hash the signer certificate";
        goto out;
    }
    out->status = KIKAN_AUTHENTICODE_VALID;
    hex (dig, 32, out->cert_sha256);
    print_subject (signer, out->subject, sizeof out->subject);
out:
    if (why != NULL)
        set_invalid (out, why);
    PKCS7_free (p7);
    free (sections);
    /* Hostile input leaves errors on this thread's queue: drop them. */
    ERR_clear_error ();
    return out->status;
}
