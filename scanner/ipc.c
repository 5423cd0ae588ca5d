/* Kikan: IPC codec and framing (docs/ipc.md).
 *
 * Encoders write little-endian fixed-width integers and length-prefixed
 * strings in a fixed order per message type; decoders read them back with
 * a cursor that refuses to step past the end of the frame.  Everything a
 * decoder meets that it did not expect -- a short frame, trailing bytes, a
 * count larger than the bytes left could hold, an enum out of range, a NUL
 * inside a string -- is KIKAN_EPROTO.  The payload comes from a sandboxed
 * worker that may have been subverted, so no field is trusted.
 *
 * Passphrases (SCAN) never sit in ordinary heap memory here: a frame that
 * carries them is built and received in kikan_secret_alloc() blocks, the
 * decoded strings go to one such block, and every one is wiped when freed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kikan/errors.h"
#include "ipc-private.h"

/* A nullable string is sent with this length when it is NULL. */
#define KIKAN_IPC_NULL_STRING 0xffffffffu

/* Smallest encodings, used to refuse counts the remaining bytes cannot
 * possibly hold before anything is allocated for them. */
#define MIN_STRING_SIZE 4u
#define MIN_DB_SIZE     (4u + 4u + 1u + 4u + 8u + 4u)
#define MIN_EXEC_SIZE   (1u + 1u + 4u + 4u + 4u + 4u)
#define MIN_MEMBER_SIZE (4u + 4u + 8u + 4u + 1u + 1u + 4u + 4u + MIN_EXEC_SIZE)
#define MIN_SYSTEM_SIZE (1u + 4u * 10u + 8u * 4u + 1u)
#define MIN_PROGRAM_SIZE (4u * 7u + 4u)
#define MIN_PROBLEM_SIZE (4u + 4u)

/* ---- memory for secrets ---- */

/* Every block starts with this header; the caller's pointer follows it. */
#define SECRET_HEADER 16u

void *
kikan_secret_alloc (size_t n)
{
    size_t page = (size_t) sysconf (_SC_PAGESIZE), total;
    uint8_t *base;

    if (n > SIZE_MAX - SECRET_HEADER - page)
        return NULL;
    total = (n + SECRET_HEADER + page - 1) / page * page;
    base = mmap (NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    /* Best effort: a low RLIMIT_MEMLOCK must not stop a scan.  The pages
     * stay out of core dumps either way, and are wiped when freed. */
    (void) mlock (base, total);
    (void) madvise (base, total, MADV_DONTDUMP);
    memcpy (base, &total, sizeof total);
    return base + SECRET_HEADER;
}

void
kikan_secret_free (void *p)
{
    uint8_t *base;
    size_t total;

    if (p == NULL)
        return;
    base = (uint8_t *) p - SECRET_HEADER;
    memcpy (&total, base, sizeof total);
    explicit_bzero (base, total);
    /* munmap drops the lock with the mapping (munlock is not on the
     * worker's seccomp allow-list, munmap is). */
    munmap (base, total);
}

void
kikan_secret_relock (void *p)
{
    uint8_t *base;
    size_t total;

    if (p == NULL)
        return;
    base = (uint8_t *) p - SECRET_HEADER;
    memcpy (&total, base, sizeof total);
    (void) mlock (base, total);
}

/* ---- writer ---- */

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    int err;
    int secure;   /* buf is a kikan_secret_alloc block: grown by copy and wipe */
} Writer;

static void
w_bytes (Writer *w, const void *p, size_t n)
{
    if (w->err != 0)
        return;
    /* Stop growing as soon as the frame cannot be sent anyway: a hostile
     * report must not make the encoder allocate without bound. */
    if (n > KIKAN_IPC_HEADER_SIZE + KIKAN_IPC_MAX_PAYLOAD - w->len) {
        w->err = KIKAN_EPROTO;
        return;
    }
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        uint8_t *nb;

        while (cap < w->len + n)
            cap *= 2;
        if (w->secure) {
            /* realloc() would leave a copy of the secrets behind in freed
             * heap memory: copy into a new locked block, wipe the old. */
            if ((nb = kikan_secret_alloc (cap)) == NULL) {
                w->err = KIKAN_ENOMEM;
                return;
            }
            if (w->len > 0)
                memcpy (nb, w->buf, w->len);
            kikan_secret_free (w->buf);
        } else if ((nb = realloc (w->buf, cap)) == NULL) {
            w->err = KIKAN_ENOMEM;
            return;
        }
        w->buf = nb;
        w->cap = cap;
    }
    if (n > 0)
        memcpy (w->buf + w->len, p, n);
    w->len += n;
}

static void
w_u8 (Writer *w, uint8_t v)
{
    w_bytes (w, &v, 1);
}

static void
w_u16 (Writer *w, uint16_t v)
{
    uint8_t b[2] = { (uint8_t) v, (uint8_t) (v >> 8) };

    w_bytes (w, b, 2);
}

static void
w_u32 (Writer *w, uint32_t v)
{
    uint8_t b[4];

    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t) (v >> (8 * i));
    w_bytes (w, b, 4);
}

static void
w_u64 (Writer *w, uint64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t) (v >> (8 * i));
    w_bytes (w, b, 8);
}

static void
w_i32 (Writer *w, int32_t v)
{
    w_u32 (w, (uint32_t) v);
}

static void
w_i64 (Writer *w, int64_t v)
{
    w_u64 (w, (uint64_t) v);
}

static void
w_f64 (Writer *w, double v)
{
    uint64_t bits;

    if (!isfinite (v)) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    memcpy (&bits, &v, sizeof bits);
    w_u64 (w, bits);
}

/* A string that may be NULL. */
static void
w_nstr (Writer *w, const char *s)
{
    size_t n;

    if (s == NULL) {
        w_u32 (w, KIKAN_IPC_NULL_STRING);
        return;
    }
    n = strlen (s);
    if (n >= KIKAN_IPC_MAX_PAYLOAD) {
        w->err = w->err ? w->err : KIKAN_EPROTO;
        return;
    }
    w_u32 (w, (uint32_t) n);
    w_bytes (w, s, n);
}

/* A string the protocol requires. */
static void
w_str (Writer *w, const char *s)
{
    if (s == NULL) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_nstr (w, s);
}

static void
w_count (Writer *w, size_t n)
{
    if (n > UINT32_MAX) {
        w->err = w->err ? w->err : KIKAN_EPROTO;
        return;
    }
    w_u32 (w, (uint32_t) n);
}

static void
w_bool (Writer *w, int v)
{
    w_u8 (w, v ? 1 : 0);
}

/* ---- reader ---- */

typedef struct {
    const uint8_t *p;
    size_t left;
    int err;
} Cursor;

static const uint8_t *
r_take (Cursor *c, size_t n)
{
    const uint8_t *p;

    if (c->err != 0)
        return NULL;
    if (n > c->left) {
        c->err = KIKAN_EPROTO;
        return NULL;
    }
    p = c->p;
    c->p += n;
    c->left -= n;
    return p;
}

static uint64_t
r_uint (Cursor *c, size_t n)
{
    const uint8_t *p = r_take (c, n);
    uint64_t v = 0;

    if (p == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t) p[i] << (8 * i);
    return v;
}

static uint8_t
r_u8 (Cursor *c)
{
    return (uint8_t) r_uint (c, 1);
}

static uint16_t
r_u16 (Cursor *c)
{
    return (uint16_t) r_uint (c, 2);
}

static uint32_t
r_u32 (Cursor *c)
{
    return (uint32_t) r_uint (c, 4);
}

static uint64_t
r_u64 (Cursor *c)
{
    return r_uint (c, 8);
}

static int32_t
r_i32 (Cursor *c)
{
    uint32_t u = r_u32 (c);
    int32_t v;

    memcpy (&v, &u, sizeof v);
    return v;
}

static int64_t
r_i64 (Cursor *c)
{
    uint64_t u = r_u64 (c);
    int64_t v;

    memcpy (&v, &u, sizeof v);
    return v;
}

static double
r_f64 (Cursor *c)
{
    uint64_t bits = r_u64 (c);
    double v;

    memcpy (&v, &bits, sizeof v);
    if (c->err == 0 && !isfinite (v)) {
        c->err = KIKAN_EPROTO;
        return 0.0;
    }
    return c->err == 0 ? v : 0.0;
}

static int
r_bool (Cursor *c)
{
    uint8_t v = r_u8 (c);

    if (c->err == 0 && v > 1)
        c->err = KIKAN_EPROTO;
    return v == 1;
}

/* Reads a string into a new NUL-terminated copy.  A NUL inside is refused:
 * the C side could only keep the part before it, and "evil.exe\0.txt" must
 * not quietly become "evil.exe". */
static char *
r_string (Cursor *c, int nullable)
{
    uint32_t n = r_u32 (c);
    const uint8_t *p;
    char *s;

    if (c->err != 0)
        return NULL;
    if (n == KIKAN_IPC_NULL_STRING) {
        if (!nullable)
            c->err = KIKAN_EPROTO;
        return NULL;
    }
    if ((p = r_take (c, n)) == NULL)
        return NULL;
    if (memchr (p, '\0', n) != NULL) {
        c->err = KIKAN_EPROTO;
        return NULL;
    }
    if ((s = malloc ((size_t) n + 1)) == NULL) {
        c->err = KIKAN_ENOMEM;
        return NULL;
    }
    memcpy (s, p, n);
    s[n] = '\0';
    return s;
}

static char *
r_str (Cursor *c)
{
    return r_string (c, 0);
}

static char *
r_nstr (Cursor *c)
{
    return r_string (c, 1);
}

/* A count of elements each at least @min_size bytes long. */
static size_t
r_count (Cursor *c, size_t min_size)
{
    uint32_t n = r_u32 (c);

    if (c->err != 0)
        return 0;
    if (min_size > 0 && n > c->left / min_size) {
        c->err = KIKAN_EPROTO;
        return 0;
    }
    return n;
}

/* A count (each element at least @min_size bytes on the wire) and a zeroed
 * array of that many @elem_size elements; NULL with *n = 0 when the count
 * is 0 or reading failed (c->err says which). */
static void *
r_array (Cursor *c, size_t min_size, size_t elem_size, size_t *n)
{
    size_t k = r_count (c, min_size);
    void *v;

    *n = 0;
    if (c->err != 0 || k == 0)
        return NULL;
    if ((v = calloc (k, elem_size)) == NULL) {
        c->err = KIKAN_ENOMEM;
        return NULL;
    }
    *n = k;
    return v;
}

/* ---- string vectors (signature lists) ---- */

static void
w_strv (Writer *w, char *const *v, size_t n)
{
    if (n > 0 && v == NULL) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_count (w, n);
    for (size_t i = 0; i < n; i++)
        w_str (w, v[i]);
}

static char **
r_strv (Cursor *c, size_t *out_n)
{
    size_t n = r_count (c, MIN_STRING_SIZE);
    char **v;

    *out_n = 0;
    if (c->err != 0 || n == 0)
        return NULL;
    if ((v = calloc (n, sizeof *v)) == NULL) {
        c->err = KIKAN_ENOMEM;
        return NULL;
    }
    /* The vector is returned even when reading fails half-way so that the
     * caller's clear function frees what was read. */
    for (size_t i = 0; i < n && c->err == 0; i++) {
        v[i] = r_str (c);
        if (c->err == 0)
            *out_n = i + 1;
    }
    return v;
}

/* ---- engine info ---- */

void
kikan_ipc_engine_info_clear (KikanEngineInfo *info)
{
    if (info == NULL)
        return;
    free (info->engine_version);
    for (size_t i = 0; i < info->n_dbs && info->dbs != NULL; i++) {
        free (info->dbs[i].name);
        free (info->dbs[i].path);
    }
    free (info->dbs);
    memset (info, 0, sizeof *info);
}

static void
w_limits (Writer *w, const KikanLimits *l)
{
    w_u64 (w, l->max_filesize);
    w_u64 (w, l->max_scansize);
    w_u32 (w, l->max_recursion);
    w_u32 (w, l->max_files);
    w_u32 (w, l->max_scantime_ms);
}

static void
r_limits (Cursor *c, KikanLimits *l)
{
    l->max_filesize = r_u64 (c);
    l->max_scansize = r_u64 (c);
    l->max_recursion = r_u32 (c);
    l->max_files = r_u32 (c);
    l->max_scantime_ms = r_u32 (c);
}

static void
w_info (Writer *w, const KikanEngineInfo *info)
{
    w_nstr (w, info->engine_version);
    w_u32 (w, info->signatures);
    if (info->n_dbs > 0 && info->dbs == NULL) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_count (w, info->n_dbs);
    for (size_t i = 0; i < info->n_dbs; i++) {
        const KikanDbInfo *d = &info->dbs[i];

        w_nstr (w, d->name);
        w_nstr (w, d->path);
        w_bool (w, d->is_signed);
        w_u32 (w, d->version);
        w_i64 (w, d->build_time);
        w_u32 (w, d->signatures);
    }
    w_i64 (w, info->newest_signed_build_time);
    w_f64 (w, info->load_seconds);
    w_limits (w, &info->limits);
}

static void
r_info (Cursor *c, KikanEngineInfo *info)
{
    size_t n;

    info->engine_version = r_nstr (c);
    info->signatures = r_u32 (c);
    n = r_count (c, MIN_DB_SIZE);
    if (c->err != 0)
        return;
    if (n > 0) {
        if ((info->dbs = calloc (n, sizeof *info->dbs)) == NULL) {
            c->err = KIKAN_ENOMEM;
            return;
        }
        info->n_dbs = n;
    }
    for (size_t i = 0; i < n && c->err == 0; i++) {
        KikanDbInfo *d = &info->dbs[i];

        d->name = r_nstr (c);
        d->path = r_nstr (c);
        d->is_signed = r_bool (c);
        d->version = r_u32 (c);
        d->build_time = r_i64 (c);
        d->signatures = r_u32 (c);
    }
    info->newest_signed_build_time = r_i64 (c);
    info->load_seconds = r_f64 (c);
    r_limits (c, &info->limits);
}

/* ---- file reports ---- */

static int
is_sha256_hex (const char *s, size_t n)
{
    if (n == 0)
        return 1;
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static void
r_result (Cursor *c, KikanResult *res, KikanReason *reason)
{
    uint8_t a = r_u8 (c), b = r_u8 (c);

    if (c->err != 0)
        return;
    if (a > KIKAN_RESULT_NOT_INSPECTED || b >= KIKAN_REASON__COUNT) {
        c->err = KIKAN_EPROTO;
        return;
    }
    *res = (KikanResult) a;
    *reason = (KikanReason) b;
}

static void
w_result (Writer *w, KikanResult res, KikanReason reason)
{
    if ((unsigned) res > KIKAN_RESULT_NOT_INSPECTED || (unsigned) reason >= KIKAN_REASON__COUNT) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_u8 (w, (uint8_t) res);
    w_u8 (w, (uint8_t) reason);
}

static void
w_exec (Writer *w, const KikanExecInfo *x)
{
    size_t hl = strnlen (x->sha256, sizeof x->sha256);
    size_t sl = strnlen (x->signer_sha256, sizeof x->signer_sha256);

    if (x->type >= KIKAN_FILETYPE__COUNT || x->signature > KIKAN_AUTHENTICODE_INVALID
        || hl == sizeof x->sha256 || !is_sha256_hex (x->sha256, hl)
        || sl == sizeof x->signer_sha256 || !is_sha256_hex (x->signer_sha256, sl)) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_u8 (w, x->type);
    w_u8 (w, x->signature);
    w_u32 (w, x->name_flags);
    w_str (w, x->sha256);
    w_str (w, x->signer_sha256);
    w_nstr (w, x->signer_subject);
}

static void
r_hex64 (Cursor *c, char out[65])
{
    char *hex = r_str (c);
    size_t n;

    out[0] = '\0';
    if (hex == NULL)
        return;
    n = strlen (hex);
    if (is_sha256_hex (hex, n))
        memcpy (out, hex, n + 1);
    else
        c->err = KIKAN_EPROTO;
    free (hex);
}

static void
r_exec (Cursor *c, KikanExecInfo *x)
{
    x->type = r_u8 (c);
    x->signature = r_u8 (c);
    x->name_flags = r_u32 (c);
    if (c->err == 0
        && (x->type >= KIKAN_FILETYPE__COUNT || x->signature > KIKAN_AUTHENTICODE_INVALID))
        c->err = KIKAN_EPROTO;
    r_hex64 (c, x->sha256);
    r_hex64 (c, x->signer_sha256);
    x->signer_subject = r_nstr (c);
}

static void
w_report (Writer *w, const KikanFileReport *r)
{
    size_t hl = strnlen (r->sha256, sizeof r->sha256);

    if (hl == sizeof r->sha256 || !is_sha256_hex (r->sha256, hl)) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_str (w, r->path);
    w_u64 (w, r->size);
    w_str (w, r->sha256);
    w_result (w, r->result, r->reason);
    w_nstr (w, r->reason_detail);
    w_strv (w, r->signatures, r->n_signatures);
    if (r->n_members > 0 && r->members == NULL) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_count (w, r->n_members);
    for (size_t i = 0; i < r->n_members; i++) {
        const KikanMember *m = &r->members[i];

        w_nstr (w, m->name);
        w_u32 (w, m->depth);
        w_u64 (w, m->size);
        w_nstr (w, m->extractor);
        w_result (w, m->result, m->reason);
        w_nstr (w, m->reason_detail);
        w_strv (w, m->signatures, m->n_signatures);
        w_exec (w, &m->exec);
    }
    w_u32 (w, r->flags);
    w_f64 (w, r->seconds);
    w_exec (w, &r->exec);
    w_nstr (w, r->link_target);
}

static void
r_report (Cursor *c, KikanFileReport *r)
{
    r->path = r_str (c);
    r->size = r_u64 (c);
    r_hex64 (c, r->sha256);
    r_result (c, &r->result, &r->reason);
    r->reason_detail = r_nstr (c);
    r->signatures = r_strv (c, &r->n_signatures);
    r->members = r_array (c, MIN_MEMBER_SIZE, sizeof *r->members, &r->n_members);
    for (size_t i = 0; i < r->n_members && c->err == 0; i++) {
        KikanMember *m = &r->members[i];

        m->name = r_nstr (c);
        m->depth = r_u32 (c);
        m->size = r_u64 (c);
        m->extractor = r_nstr (c);
        r_result (c, &m->result, &m->reason);
        m->reason_detail = r_nstr (c);
        m->signatures = r_strv (c, &m->n_signatures);
        r_exec (c, &m->exec);
    }
    r->flags = r_u32 (c);
    r->seconds = r_f64 (c);
    r_exec (c, &r->exec);
    r->link_target = r_nstr (c);
}

/* ---- per-type codecs, dispatched from a table ---- */

static void
enc_hello (Writer *w, const KikanMsg *m)
{
    w_u16 (w, m->u.hello.protocol);
    w_info (w, &m->u.hello.info);
}

static void
dec_hello (Cursor *c, KikanMsg *m)
{
    m->u.hello.protocol = r_u16 (c);
    r_info (c, &m->u.hello.info);
}

static void
clr_hello (KikanMsg *m)
{
    kikan_ipc_engine_info_clear (&m->u.hello.info);
}

static void
enc_error (Writer *w, const KikanMsg *m)
{
    w_i32 (w, m->u.error.code);
    w_str (w, m->u.error.message);
}

static void
dec_error (Cursor *c, KikanMsg *m)
{
    m->u.error.code = r_i32 (c);
    m->u.error.message = r_str (c);
    /* An ERROR that claims success would turn a failure into silence. */
    if (c->err == 0 && m->u.error.code >= 0)
        c->err = KIKAN_EPROTO;
}

static void
clr_error (KikanMsg *m)
{
    free (m->u.error.message);
}

/* Passphrases: at most KIKAN_SCAN_MAX_SECRETS, each 1 … KIKAN_SCAN_MAX_SECRET_LEN
 * bytes without NUL. */
static void
w_secrets (Writer *w, const char *const *v, size_t n)
{
    if (n > KIKAN_SCAN_MAX_SECRETS || (n > 0 && v == NULL)) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_count (w, n);
    for (size_t i = 0; i < n; i++) {
        size_t len = v[i] != NULL ? strnlen (v[i], KIKAN_SCAN_MAX_SECRET_LEN + 1) : 0;

        if (len == 0 || len > KIKAN_SCAN_MAX_SECRET_LEN) {
            w->err = w->err ? w->err : KIKAN_EINVAL;
            return;
        }
        w_u32 (w, (uint32_t) len);
        w_bytes (w, v[i], len);
    }
}

/* Reads the passphrases into one locked block: the pointer array first,
 * then the NUL-terminated strings.  Everything is checked on a copy of the
 * cursor before the block is allocated, so a refused frame allocates
 * nothing. */
static void
r_secrets (Cursor *c, KikanMsgScan *s)
{
    size_t n = r_count (c, MIN_STRING_SIZE + 1), total;
    Cursor probe;
    char **v;
    char *p;

    if (c->err != 0 || n == 0)
        return;
    if (n > KIKAN_SCAN_MAX_SECRETS) {
        c->err = KIKAN_EPROTO;
        return;
    }
    probe = *c;
    total = n * sizeof (char *);
    for (size_t i = 0; i < n && probe.err == 0; i++) {
        uint32_t len = r_u32 (&probe);
        const uint8_t *b;

        if (probe.err != 0)
            break;
        if (len == 0 || len > KIKAN_SCAN_MAX_SECRET_LEN) {
            probe.err = KIKAN_EPROTO;
            break;
        }
        if ((b = r_take (&probe, len)) == NULL)
            break;
        if (memchr (b, '\0', len) != NULL)
            probe.err = KIKAN_EPROTO;
        total += (size_t) len + 1;
    }
    if (probe.err != 0) {
        c->err = probe.err;
        return;
    }
    if ((s->secrets_arena = kikan_secret_alloc (total)) == NULL) {
        c->err = KIKAN_ENOMEM;
        return;
    }
    v = s->secrets_arena;
    p = (char *) (v + n);
    for (size_t i = 0; i < n; i++) {
        uint32_t len = r_u32 (c);
        const uint8_t *b = r_take (c, len);

        memcpy (p, b, len);
        p[len] = '\0';
        v[i] = p;
        p += (size_t) len + 1;
    }
    s->params.secrets = (const char *const *) v;
    s->params.n_secrets = n;
}

static void
enc_scan (Writer *w, const KikanMsg *m)
{
    const KikanScanParams *p = &m->u.scan.params;

    w_u32 (w, p->jobs);
    w_u32 (w, p->timeout_s);
    w_bool (w, p->null_sandbox);
    w_bool (w, p->probe_only);
    w_bool (w, p->as_file);
    w_secrets (w, p->secrets, p->n_secrets);
    w_str (w, m->u.scan.name);
}

static void
dec_scan (Cursor *c, KikanMsg *m)
{
    KikanScanParams *p = &m->u.scan.params;

    p->jobs = r_u32 (c);
    p->timeout_s = r_u32 (c);
    p->null_sandbox = r_bool (c);
    p->probe_only = r_bool (c);
    p->as_file = r_bool (c);
    r_secrets (c, &m->u.scan);
    m->u.scan.name = r_str (c);
}

static void
clr_scan (KikanMsg *m)
{
    free (m->u.scan.name);
    /* Wipes the passphrases; params.secrets pointed into the block. */
    kikan_secret_free (m->u.scan.secrets_arena);
}

static void
enc_started (Writer *w, const KikanMsg *m)
{
    w_i32 (w, m->u.worker_started.pid);
    w_str (w, m->u.worker_started.sandbox);
}

static void
dec_started (Cursor *c, KikanMsg *m)
{
    m->u.worker_started.pid = r_i32 (c);
    m->u.worker_started.sandbox = r_str (c);
    if (c->err == 0 && m->u.worker_started.pid <= 0)
        c->err = KIKAN_EPROTO;
}

static void
clr_started (KikanMsg *m)
{
    free (m->u.worker_started.sandbox);
}

static void
enc_progress (Writer *w, const KikanMsg *m)
{
    const KikanProgress *p = &m->u.progress;

    w_u64 (w, p->files_done);
    w_u64 (w, p->bytes_done);
    w_u64 (w, p->files_total);
    w_u64 (w, p->bytes_total);
    w_bool (w, p->counting_done);
}

static void
dec_progress (Cursor *c, KikanMsg *m)
{
    KikanProgress *p = &m->u.progress;

    p->files_done = r_u64 (c);
    p->bytes_done = r_u64 (c);
    p->files_total = r_u64 (c);
    p->bytes_total = r_u64 (c);
    p->counting_done = r_bool (c);
}

static void
enc_file (Writer *w, const KikanMsg *m)
{
    w_report (w, &m->u.file);
}

static void
dec_file (Cursor *c, KikanMsg *m)
{
    r_report (c, &m->u.file);
}

static void
clr_file (KikanMsg *m)
{
    kikan_file_report_clear (&m->u.file);
}

static void
enc_done (Writer *w, const KikanMsg *m)
{
    w_u64 (w, m->u.worker_done.files_sent);
    w_u32 (w, m->u.worker_done.volumes_sent);
    w_u32 (w, m->u.worker_done.inventory_sent);
}

static void
dec_done (Cursor *c, KikanMsg *m)
{
    m->u.worker_done.files_sent = r_u64 (c);
    m->u.worker_done.volumes_sent = r_u32 (c);
    m->u.worker_done.inventory_sent = r_u32 (c);
}

static void
enc_end (Writer *w, const KikanMsg *m)
{
    const KikanTargetEnd *e = &m->u.target_end;

    if ((unsigned) e->status > KIKAN_TARGET_ERROR || e->worker_pid < 0
        || (e->wrong_secret && e->status != KIKAN_TARGET_ERROR)) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_u8 (w, (uint8_t) e->status);
    w_nstr (w, e->detail);
    w_nstr (w, e->sandbox);
    w_i32 (w, (int32_t) e->worker_pid);
    w_u64 (w, e->files_seen);
    w_u32 (w, e->volumes_seen);
    w_bool (w, e->wrong_secret);
    w_f64 (w, e->seconds);
}

static void
dec_end (Cursor *c, KikanMsg *m)
{
    KikanTargetEnd *e = &m->u.target_end;
    uint8_t st = r_u8 (c);
    int32_t pid;

    if (c->err == 0 && st > KIKAN_TARGET_ERROR)
        c->err = KIKAN_EPROTO;
    e->status = (KikanTargetStatus) st;
    e->detail = r_nstr (c);
    e->sandbox = r_nstr (c);
    pid = r_i32 (c);
    if (c->err == 0 && pid < 0)
        c->err = KIKAN_EPROTO;
    e->worker_pid = (pid_t) pid;
    e->files_seen = r_u64 (c);
    e->volumes_seen = r_u32 (c);
    e->wrong_secret = r_bool (c);
    /* A refused passphrase ends a target only as an error. */
    if (c->err == 0 && e->wrong_secret && e->status != KIKAN_TARGET_ERROR)
        c->err = KIKAN_EPROTO;
    e->seconds = r_f64 (c);
}

static void
clr_end (KikanMsg *m)
{
    kikan_target_end_clear (&m->u.target_end);
}

/* ---- volumes ---- */

const char *
kikan_volume_reason_to_string (KikanVolumeReason r)
{
    switch (r) {
    case KIKAN_VOLUME_REASON_ENCRYPTED:
        return "encrypted";
    case KIKAN_VOLUME_REASON_UNSUPPORTED_FILESYSTEM:
        return "unsupported_filesystem";
    case KIKAN_VOLUME_REASON_NO_FILESYSTEM:
        return "no_filesystem";
    case KIKAN_VOLUME_REASON_READ_ERROR:
        return "read_error";
    case KIKAN_VOLUME_REASON_NONE:
    case KIKAN_VOLUME_REASON__COUNT:
        break;
    }
    return NULL;
}

void
kikan_volume_report_clear (KikanVolumeReport *vr)
{
    if (vr == NULL)
        return;
    kikan_volume_clear (&vr->volume);
    memset (vr, 0, sizeof *vr);
}

/* A volume is either read (CLEAN, no reason: its files decide) or not
 * inspected with a reason; a volume itself is never INFECTED. */
static int
volume_verdict_ok (unsigned result, unsigned reason)
{
    if (result == KIKAN_RESULT_CLEAN)
        return reason == KIKAN_VOLUME_REASON_NONE;
    return result == KIKAN_RESULT_NOT_INSPECTED && reason != KIKAN_VOLUME_REASON_NONE
           && reason < KIKAN_VOLUME_REASON__COUNT;
}

static void
enc_volume (Writer *w, const KikanMsg *m)
{
    const KikanVolumeReport *vr = &m->u.volume;
    const KikanVolume *v = &vr->volume;

    if (v->index == 0 || (unsigned) v->encryption >= KIKAN_ENC__COUNT
        || !volume_verdict_ok ((unsigned) vr->result, (unsigned) vr->reason)) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_u32 (w, v->index);
    w_u64 (w, v->offset);
    w_u64 (w, v->size);
    w_nstr (w, v->scheme);
    w_nstr (w, v->part_type);
    w_nstr (w, v->part_name);
    w_nstr (w, v->filesystem);
    w_nstr (w, v->fs_version);
    w_nstr (w, v->label);
    w_nstr (w, v->uuid);
    w_u8 (w, (uint8_t) v->encryption);
    w_nstr (w, v->encryption_detail);
    w_f64 (w, v->entropy);
    w_bool (w, v->unlocked);
    w_bool (w, v->readable);
    w_nstr (w, v->os);
    w_nstr (w, v->os_evidence);
    w_nstr (w, v->problem);
    w_u8 (w, (uint8_t) vr->result);
    w_u8 (w, (uint8_t) vr->reason);
}

static void
dec_volume (Cursor *c, KikanMsg *m)
{
    KikanVolumeReport *vr = &m->u.volume;
    KikanVolume *v = &vr->volume;
    uint8_t enc, result, reason;

    v->index = r_u32 (c);
    if (c->err == 0 && v->index == 0)
        c->err = KIKAN_EPROTO;  /* paths are "p<index>:", 1-based */
    v->offset = r_u64 (c);
    v->size = r_u64 (c);
    v->scheme = r_nstr (c);
    v->part_type = r_nstr (c);
    v->part_name = r_nstr (c);
    v->filesystem = r_nstr (c);
    v->fs_version = r_nstr (c);
    v->label = r_nstr (c);
    v->uuid = r_nstr (c);
    enc = r_u8 (c);
    if (c->err == 0 && enc >= KIKAN_ENC__COUNT)
        c->err = KIKAN_EPROTO;
    v->encryption = (KikanEncryption) enc;
    v->encryption_detail = r_nstr (c);
    v->entropy = r_f64 (c);
    v->unlocked = r_bool (c);
    v->readable = r_bool (c);
    v->os = r_nstr (c);
    v->os_evidence = r_nstr (c);
    v->problem = r_nstr (c);
    result = r_u8 (c);
    reason = r_u8 (c);
    if (c->err == 0 && !volume_verdict_ok (result, reason))
        c->err = KIKAN_EPROTO;
    vr->result = (KikanResult) result;
    vr->reason = (KikanVolumeReason) reason;
}

static void
clr_volume (KikanMsg *m)
{
    kikan_volume_report_clear (&m->u.volume);
}

/* ---- inventory (issue #4): systems, programs and problems of a target ---- */

static void
enc_inventory (Writer *w, const KikanMsg *m)
{
    const KikanInventory *inv = &m->u.inventory;

    if ((inv->n_systems > 0 && inv->systems == NULL)
        || (inv->n_programs > 0 && inv->programs == NULL)
        || (inv->n_problems > 0 && inv->problems == NULL)) {
        w->err = w->err ? w->err : KIKAN_EINVAL;
        return;
    }
    w_count (w, inv->n_systems);
    for (size_t i = 0; i < inv->n_systems; i++) {
        const KikanSystem *y = &inv->systems[i];

        if ((unsigned) y->family > KIKAN_OS_MACOS) {
            w->err = w->err ? w->err : KIKAN_EINVAL;
            return;
        }
        w_u8 (w, (uint8_t) y->family);
        w_nstr (w, y->source);
        w_nstr (w, y->product);
        w_nstr (w, y->version);
        w_nstr (w, y->build);
        w_nstr (w, y->edition);
        w_i64 (w, y->installed);
        w_i64 (w, y->patched);
        w_nstr (w, y->patched_source);
        w_nstr (w, y->av_product);
        w_nstr (w, y->av_version);
        w_i64 (w, y->av_updated);
        w_bool (w, y->av_disabled);
    }
    w_count (w, inv->n_programs);
    for (size_t i = 0; i < inv->n_programs; i++) {
        const KikanProgram *p = &inv->programs[i];

        w_str (w, p->name);
        w_nstr (w, p->version);
        w_nstr (w, p->publisher);
        w_nstr (w, p->install_date);
        w_nstr (w, p->key);
        w_nstr (w, p->source);
        w_nstr (w, p->user);
        w_u32 (w, p->flags);
    }
    w_count (w, inv->n_problems);
    for (size_t i = 0; i < inv->n_problems; i++) {
        w_str (w, inv->problems[i].source);
        w_str (w, inv->problems[i].what);
    }
}

static void
dec_inventory (Cursor *c, KikanMsg *m)
{
    KikanInventory *inv = &m->u.inventory;

    inv->systems = r_array (c, MIN_SYSTEM_SIZE, sizeof *inv->systems, &inv->n_systems);
    for (size_t i = 0; i < inv->n_systems && c->err == 0; i++) {
        KikanSystem *y = &inv->systems[i];
        uint8_t fam = r_u8 (c);

        if (c->err == 0 && fam > KIKAN_OS_MACOS)
            c->err = KIKAN_EPROTO;
        y->family = (KikanOsFamily) fam;
        y->source = r_nstr (c);
        y->product = r_nstr (c);
        y->version = r_nstr (c);
        y->build = r_nstr (c);
        y->edition = r_nstr (c);
        y->installed = r_i64 (c);
        y->patched = r_i64 (c);
        y->patched_source = r_nstr (c);
        y->av_product = r_nstr (c);
        y->av_version = r_nstr (c);
        y->av_updated = r_i64 (c);
        y->av_disabled = r_bool (c);
    }
    inv->programs = r_array (c, MIN_PROGRAM_SIZE, sizeof *inv->programs, &inv->n_programs);
    for (size_t i = 0; i < inv->n_programs && c->err == 0; i++) {
        KikanProgram *p = &inv->programs[i];

        p->name = r_str (c);
        p->version = r_nstr (c);
        p->publisher = r_nstr (c);
        p->install_date = r_nstr (c);
        p->key = r_nstr (c);
        p->source = r_nstr (c);
        p->user = r_nstr (c);
        p->flags = r_u32 (c);
    }
    inv->problems = r_array (c, MIN_PROBLEM_SIZE, sizeof *inv->problems, &inv->n_problems);
    for (size_t i = 0; i < inv->n_problems && c->err == 0; i++) {
        inv->problems[i].source = r_str (c);
        inv->problems[i].what = r_str (c);
    }
}

static void
clr_inventory (KikanMsg *m)
{
    kikan_inventory_clear (&m->u.inventory);
}

typedef struct {
    const char *name;
    void (*encode) (Writer *w, const KikanMsg *m);
    void (*decode) (Cursor *c, KikanMsg *m);
    void (*clear) (KikanMsg *m);  /* NULL: nothing owned */
} MsgOps;

static const MsgOps msg_ops[KIKAN_MSG__COUNT] = {
    [KIKAN_MSG_HELLO] = { "hello", enc_hello, dec_hello, clr_hello },
    [KIKAN_MSG_ERROR] = { "error", enc_error, dec_error, clr_error },
    [KIKAN_MSG_SCAN] = { "scan", enc_scan, dec_scan, clr_scan },
    [KIKAN_MSG_WORKER_STARTED] = { "worker_started", enc_started, dec_started, clr_started },
    [KIKAN_MSG_PROGRESS] = { "progress", enc_progress, dec_progress, NULL },
    [KIKAN_MSG_FILE] = { "file", enc_file, dec_file, clr_file },
    [KIKAN_MSG_WORKER_DONE] = { "worker_done", enc_done, dec_done, NULL },
    [KIKAN_MSG_TARGET_END] = { "target_end", enc_end, dec_end, clr_end },
    [KIKAN_MSG_SHUTDOWN] = { "shutdown", NULL, NULL, NULL },
    [KIKAN_MSG_VOLUME] = { "volume", enc_volume, dec_volume, clr_volume },
    [KIKAN_MSG_INVENTORY] = { "inventory", enc_inventory, dec_inventory, clr_inventory },
};

static const MsgOps *
ops_for (unsigned type)
{
    if (type == 0 || type >= KIKAN_MSG__COUNT || msg_ops[type].name == NULL)
        return NULL;
    return &msg_ops[type];
}

const char *
kikan_msg_type_name (unsigned type)
{
    const MsgOps *o = ops_for (type);

    return o ? o->name : "unknown";
}

void
kikan_msg_init (KikanMsg *m, KikanMsgType type)
{
    memset (m, 0, sizeof *m);
    m->type = type;
    m->fd = -1;
}

void
kikan_msg_clear (KikanMsg *m)
{
    const MsgOps *o;

    if (m == NULL)
        return;
    o = ops_for (m->type);
    if (o != NULL && o->clear != NULL)
        o->clear (m);
    if (m->fd >= 0)
        close (m->fd);
    kikan_msg_init (m, m->type);
}

int
kikan_ipc_parse_header (const uint8_t hdr[KIKAN_IPC_HEADER_SIZE], uint16_t *type,
                        uint32_t *payload_len)
{
    Cursor c = { hdr, KIKAN_IPC_HEADER_SIZE, 0 };
    uint32_t magic = r_u32 (&c);
    uint16_t version = r_u16 (&c);
    uint16_t t = r_u16 (&c);
    uint32_t len = r_u32 (&c);

    if (magic != KIKAN_IPC_MAGIC || version != KIKAN_IPC_VERSION || ops_for (t) == NULL
        || len > KIKAN_IPC_MAX_PAYLOAD)
        return KIKAN_EPROTO;
    *type = t;
    *payload_len = len;
    return 0;
}

/* A SCAN with passphrases: its frame is kept in locked memory. */
static int
msg_is_secret (const KikanMsg *m)
{
    return m->type == KIKAN_MSG_SCAN && m->u.scan.params.n_secrets > 0;
}

static void
writer_free (Writer *w)
{
    if (w->secure)
        kikan_secret_free (w->buf);
    else
        free (w->buf);
    w->buf = NULL;
}

static int
encode_frame (const KikanMsg *m, int secure, uint8_t **frame, size_t *len)
{
    Writer w = { NULL, 0, 0, 0, secure };
    const MsgOps *o = ops_for (m->type);
    size_t payload;
    int r;

    *frame = NULL;
    *len = 0;
    if (o == NULL)
        return KIKAN_EINVAL;
    /* Header placeholder; filled in once the payload length is known. */
    w_u32 (&w, KIKAN_IPC_MAGIC);
    w_u16 (&w, KIKAN_IPC_VERSION);
    w_u16 (&w, (uint16_t) m->type);
    w_u32 (&w, 0);
    if (o->encode != NULL)
        o->encode (&w, m);
    if (w.err != 0) {
        r = w.err;
        goto out;
    }
    payload = w.len - KIKAN_IPC_HEADER_SIZE;
    if (payload > KIKAN_IPC_MAX_PAYLOAD) {
        r = KIKAN_EPROTO;
        goto out;
    }
    for (int i = 0; i < 4; i++)
        w.buf[8 + i] = (uint8_t) (payload >> (8 * i));
    *frame = w.buf;
    *len = w.len;
    w.buf = NULL;
    r = 0;
out:
    writer_free (&w);
    return r;
}

int
kikan_ipc_encode (const KikanMsg *m, uint8_t **frame, size_t *len)
{
    return encode_frame (m, 0, frame, len);
}

int
kikan_ipc_decode (const uint8_t *frame, size_t len, KikanMsg *out)
{
    Cursor c;
    const MsgOps *o;
    uint16_t type = 0;
    uint32_t plen = 0;
    int r;

    kikan_msg_init (out, KIKAN_MSG_SHUTDOWN);
    if (frame == NULL || len < KIKAN_IPC_HEADER_SIZE)
        return KIKAN_EPROTO;
    if ((r = kikan_ipc_parse_header (frame, &type, &plen)) != 0)
        return r;
    if (len - KIKAN_IPC_HEADER_SIZE != plen)
        return KIKAN_EPROTO;
    /* parse_header accepted the type, so it has ops; checked again so
     * that the compiler (and a reader) need not take that on trust. */
    if ((o = ops_for (type)) == NULL)
        return KIKAN_EPROTO;
    kikan_msg_init (out, (KikanMsgType) type);
    c.p = frame + KIKAN_IPC_HEADER_SIZE;
    c.left = plen;
    c.err = 0;
    if (o->decode != NULL)
        o->decode (&c, out);
    if (c.err == 0 && c.left != 0)
        c.err = KIKAN_EPROTO;  /* trailing garbage */
    if (c.err != 0) {
        kikan_msg_clear (out);
        return c.err;
    }
    return 0;
}

/* ---- transport ---- */

/* Room for a few descriptors so that a peer sending more than one is
 * noticed (and every one of them closed) rather than truncated. */
#define MAX_RX_FDS 4

void
kikan_ipc_reader_init (KikanIpcReader *r, int accept_fds)
{
    memset (r, 0, sizeof *r);
    r->fd = -1;
    r->accept_fds = accept_fds;
}

static void
reader_free_frame (KikanIpcReader *r)
{
    if (r->frame_secure)
        kikan_secret_free (r->frame);  /* wipes it */
    else
        free (r->frame);
    r->frame = NULL;
    r->frame_secure = 0;
}

void
kikan_ipc_reader_clear (KikanIpcReader *r)
{
    if (r == NULL)
        return;
    reader_free_frame (r);
    if (r->fd >= 0)
        close (r->fd);
    kikan_ipc_reader_init (r, r->accept_fds);
}

static void
reset_frame (KikanIpcReader *r)
{
    int accept = r->accept_fds, eof = r->eof;

    kikan_ipc_reader_clear (r);
    r->accept_fds = accept;
    r->eof = eof;
}

/* Collects descriptors from one recvmsg.  Every one received is either kept
 * (exactly one, when allowed) or closed: none may leak into the daemon. */
static int
take_fds (KikanIpcReader *r, struct msghdr *mh)
{
    int bad = 0;

    if (mh->msg_flags & MSG_CTRUNC)
        bad = 1;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR (mh); cm != NULL; cm = CMSG_NXTHDR (mh, cm)) {
        size_t n;
        int fds[MAX_RX_FDS];

        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
            bad = 1;
            continue;
        }
        n = (cm->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        if (n > MAX_RX_FDS)
            n = MAX_RX_FDS;
        memcpy (fds, CMSG_DATA (cm), n * sizeof (int));
        for (size_t i = 0; i < n; i++) {
            if (!bad && r->accept_fds && r->fd < 0 && fds[i] >= 0)
                r->fd = fds[i];
            else {
                bad = 1;
                if (fds[i] >= 0)
                    close (fds[i]);
            }
        }
    }
    return bad ? KIKAN_EPROTO : 0;
}

int
kikan_ipc_reader_read (KikanIpcReader *r, int sock)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE (sizeof (int) * MAX_RX_FDS)];
    } cbuf;
    struct msghdr mh;
    struct iovec iov;
    ssize_t n;
    int rr;

    if (r->frame != NULL && r->frame_got == r->frame_len)
        return 1;
    /* Read exactly up to the end of the current header or frame, never into
     * the next one: a descriptor then always belongs to the frame whose
     * bytes came with it. */
    if (r->frame == NULL) {
        iov.iov_base = r->hdr + r->hdr_got;
        iov.iov_len = KIKAN_IPC_HEADER_SIZE - r->hdr_got;
    } else {
        iov.iov_base = r->frame + r->frame_got;
        iov.iov_len = r->frame_len - r->frame_got;
    }
    memset (&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf.buf;
    mh.msg_controllen = sizeof cbuf.buf;
    do
        n = recvmsg (sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : KIKAN_EIO;
    if ((rr = take_fds (r, &mh)) != 0)
        return rr;
    if (n == 0) {
        r->eof = 1;
        return (r->hdr_got == 0 && r->frame == NULL) ? KIKAN_EIO : KIKAN_EPROTO;
    }
    if (r->frame == NULL) {
        uint16_t type;
        uint32_t plen;

        r->hdr_got += (size_t) n;
        if (r->hdr_got < KIKAN_IPC_HEADER_SIZE)
            return 0;
        /* The length is checked before anything is allocated for it. */
        if ((rr = kikan_ipc_parse_header (r->hdr, &type, &plen)) != 0)
            return rr;
        r->frame_len = KIKAN_IPC_HEADER_SIZE + (size_t) plen;
        /* A SCAN may carry passphrases: received into locked memory. */
        r->frame_secure = type == KIKAN_MSG_SCAN;
        r->frame = r->frame_secure ? kikan_secret_alloc (r->frame_len) : malloc (r->frame_len);
        if (r->frame == NULL) {
            r->frame_secure = 0;
            return KIKAN_ENOMEM;
        }
        memcpy (r->frame, r->hdr, KIKAN_IPC_HEADER_SIZE);
        r->frame_got = KIKAN_IPC_HEADER_SIZE;
    } else
        r->frame_got += (size_t) n;
    return r->frame_got == r->frame_len ? 1 : 0;
}

int
kikan_ipc_reader_take (KikanIpcReader *r, KikanMsg *out, uint8_t **raw, size_t *raw_len)
{
    int fd, rr;

    kikan_msg_init (out, KIKAN_MSG_SHUTDOWN);
    if (raw != NULL)
        *raw = NULL;
    if (raw_len != NULL)
        *raw_len = 0;
    if (r->frame == NULL || r->frame_got != r->frame_len)
        return KIKAN_ESTATE;
    rr = kikan_ipc_decode (r->frame, r->frame_len, out);
    fd = r->fd;
    r->fd = -1;
    if (rr == 0 && out->type == KIKAN_MSG_SCAN)
        out->fd = fd;
    else if (fd >= 0) {
        close (fd);
        if (rr == 0) {
            kikan_msg_clear (out);
            rr = KIKAN_EPROTO;
        }
    }
    if (rr == 0 && raw != NULL && r->frame_secure) {
        /* Nobody relays a SCAN; should anyone ask, it gets a plain copy. */
        if ((*raw = malloc (r->frame_len)) == NULL) {
            kikan_msg_clear (out);
            rr = KIKAN_ENOMEM;
        } else {
            memcpy (*raw, r->frame, r->frame_len);
            *raw_len = r->frame_len;
        }
    } else if (rr == 0 && raw != NULL) {
        *raw = r->frame;
        *raw_len = r->frame_len;
        r->frame = NULL;
    }
    reset_frame (r);
    return rr;
}

static int64_t
now_ms (void)
{
    struct timespec ts;

    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
kikan_ipc_recv (int sock, KikanIpcReader *r, int timeout_ms, KikanMsg *out)
{
    int64_t deadline = timeout_ms >= 0 ? now_ms () + timeout_ms : -1;
    int rr;

    kikan_msg_init (out, KIKAN_MSG_SHUTDOWN);
    for (;;) {
        struct pollfd pfd = { sock, POLLIN, 0 };
        int wait_ms = -1;

        if ((rr = kikan_ipc_reader_read (r, sock)) != 0)
            break;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms ();

            if (left <= 0)
                return KIKAN_ETIMEOUT;
            wait_ms = left > INT_MAX ? INT_MAX : (int) left;
        }
        rr = poll (&pfd, 1, wait_ms);
        if (rr < 0 && errno != EINTR)
            return KIKAN_EIO;
    }
    if (rr < 0)
        return rr;
    return kikan_ipc_reader_take (r, out, NULL, NULL);
}

int
kikan_ipc_send_frame (int sock, const uint8_t *frame, size_t len, int fd)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE (sizeof (int))];
    } cbuf;
    size_t off = 0;

    while (off < len) {
        struct msghdr mh;
        struct iovec iov = { (void *) (frame + off), len - off };
        ssize_t n;

        memset (&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        if (off == 0 && fd >= 0) {
            struct cmsghdr *cm;

            memset (&cbuf, 0, sizeof cbuf);
            mh.msg_control = cbuf.buf;
            mh.msg_controllen = sizeof cbuf.buf;
            cm = CMSG_FIRSTHDR (&mh);
            cm->cmsg_level = SOL_SOCKET;
            cm->cmsg_type = SCM_RIGHTS;
            cm->cmsg_len = CMSG_LEN (sizeof (int));
            memcpy (CMSG_DATA (cm), &fd, sizeof (int));
        }
        n = sendmsg (sock, &mh, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return KIKAN_EIO;
        off += (size_t) n;
    }
    return 0;
}

int
kikan_ipc_send (int sock, const KikanMsg *m, int fd)
{
    uint8_t *frame = NULL;
    size_t len = 0;
    int secure = msg_is_secret (m);
    int r;

    if ((r = encode_frame (m, secure, &frame, &len)) != 0)
        return r;
    r = kikan_ipc_send_frame (sock, frame, len, fd);
    if (secure)
        kikan_secret_free (frame);  /* wipes it */
    else
        free (frame);
    return r;
}
