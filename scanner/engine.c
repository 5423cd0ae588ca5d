/* The malware engine: libclamav 1.4 with a cross-check by fallback
 * extractors (issue #2 items 3 and 4; KR-07, KR-08, KR-09, KR-10).
 *
 * Classification is fail-closed (STYLE rule 6): a file is CLEAN only when
 * libclamav returned CL_CLEAN, raised no limit or encryption heuristic, and
 * every archive member the fallback extractors list was either reached by
 * libclamav (same name and size) or extracted and scanned clean by them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <clamav.h>
#include <openssl/evp.h>

#include "kikan/engine.h"
#include "kikan/errors.h"
#include "archive-sniff-private.h"
#include "extract-private.h"

struct KikanEngine {
    struct cl_engine *cl;
    KikanEngineInfo info;
    struct cl_scan_options options;
};

/* ---- limits and names ---- */

void
kikan_limits_apply_defaults (KikanLimits *l)
{
    if (l->max_filesize == 0)
        l->max_filesize = 100ull << 20;
    if (l->max_scansize == 0)
        l->max_scansize = 400ull << 20;
    if (l->max_recursion == 0)
        l->max_recursion = 16;
    if (l->max_files == 0)
        l->max_files = 10000;
    if (l->max_scantime_ms == 0)
        l->max_scantime_ms = 120000;
}

static const char *const signed_exts[] = { ".cvd", ".cld", ".cud", NULL };
static const char *const plain_exts[] = {
    ".hdb", ".hsb", ".hdu", ".hsu", ".mdb", ".msb", ".mdu", ".msu", ".ndb", ".ndu",
    ".ldb", ".ldu", ".idb", ".cdb", ".crb", ".cat", ".fp", ".sfp", ".ign", ".ign2",
    ".ftm", ".pdb", ".gdb", ".wdb", ".yara", ".yar", ".pwdb", ".cbc", NULL
};

static int
has_ext (const char *name, const char *const *exts)
{
    size_t n = strlen (name);

    for (; *exts != NULL; exts++) {
        size_t m = strlen (*exts);
        if (n > m && strcasecmp (name + n - m, *exts) == 0)
            return 1;
    }
    return 0;
}

int
kikan_db_is_signed_name (const char *name)
{
    return has_ext (name, signed_exts);
}

int
kikan_db_is_database_name (const char *name)
{
    return name[0] != '.' && (has_ext (name, signed_exts) || has_ext (name, plain_exts));
}

/* ---- global init ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = KIKAN_EENGINE;

/* libclamav's own messages may quote names taken from a medium, so they
 * are escaped before they reach stderr; its warnings (e.g. "database older
 * than 7 days": Kikan applies its own age policy) are shown only with
 * KIKAN_DEBUG set. */
static void
on_cl_message (enum cl_msg severity, const char *fullmsg, const char *msg, void *context)
{
    static int debug = -1;
    const unsigned char *p;

    if (debug < 0)
        debug = getenv ("KIKAN_DEBUG") != NULL;
    if (severity != CL_MSG_ERROR && !debug)
        return;
    fputs ("kikan-scanner: libclamav: ", stderr);
    for (p = (const unsigned char *) (msg ? msg : ""); *p; p++) {
        if (*p == '\n' && p[1] == '\0')
            break;
        if (*p < 0x20 || *p >= 0x7f)
            fprintf (stderr, "\\x%02x", *p);
        else
            fputc (*p, stderr);
    }
    fputc ('\n', stderr);
}

static void
do_global_init (void)
{
    cl_set_clcb_msg (on_cl_message);
    if (cl_init (CL_INIT_DEFAULT) == CL_SUCCESS)
        init_result = 0;
}

int
kikan_engine_global_init (void)
{
    pthread_once (&init_once, do_global_init);
    return init_result;
}

/* ---- database verification ---- */

int
kikan_db_verify (const char *path, unsigned *version, int64_t *build_time,
                 unsigned *signatures, char *err, size_t errlen)
{
    struct cl_cvd *head;
    cl_error_t ret;

    if (kikan_engine_global_init () != 0) {
        snprintf (err, errlen, "libclamav could not be initialised");
        return KIKAN_EENGINE;
    }
    /* cl_cvdverify checks the digest and the digital signature made with
     * the ClamAV key: a tampered or truncated database fails here. */
    ret = cl_cvdverify (path);
    if (ret != CL_SUCCESS) {
        snprintf (err, errlen, "%s failed verification (%s): it is damaged or was tampered with",
                  path, cl_strerror (ret));
        return KIKAN_EDB;
    }
    if ((head = cl_cvdhead (path)) == NULL) {
        snprintf (err, errlen, "%s: its header cannot be read", path);
        return KIKAN_EDB;
    }
    if (version)
        *version = head->version;
    if (build_time)
        *build_time = (int64_t) head->stime;
    if (signatures)
        *signatures = head->sigs;
    cl_cvdfree (head);
    return 0;
}

/* ---- engine info ---- */

void
kikan_engine_info_clear (KikanEngineInfo *info)
{
    if (info == NULL)
        return;
    free (info->engine_version);
    for (size_t i = 0; i < info->n_dbs; i++) {
        free (info->dbs[i].name);
        free (info->dbs[i].path);
    }
    free (info->dbs);
    memset (info, 0, sizeof *info);
}

int
kikan_engine_info_copy (KikanEngineInfo *dst, const KikanEngineInfo *src)
{
    memset (dst, 0, sizeof *dst);
    *dst = *src;
    dst->engine_version = NULL;
    dst->dbs = NULL;
    dst->n_dbs = 0;
    if (src->engine_version && (dst->engine_version = strdup (src->engine_version)) == NULL)
        goto fail;
    if (src->n_dbs > 0) {
        if ((dst->dbs = calloc (src->n_dbs, sizeof *dst->dbs)) == NULL)
            goto fail;
        dst->n_dbs = src->n_dbs;
        for (size_t i = 0; i < src->n_dbs; i++) {
            dst->dbs[i] = src->dbs[i];
            dst->dbs[i].name = src->dbs[i].name ? strdup (src->dbs[i].name) : NULL;
            dst->dbs[i].path = src->dbs[i].path ? strdup (src->dbs[i].path) : NULL;
            if ((src->dbs[i].name && !dst->dbs[i].name) || (src->dbs[i].path && !dst->dbs[i].path))
                goto fail;
        }
    }
    return 0;
fail:
    kikan_engine_info_clear (dst);
    return KIKAN_ENOMEM;
}

static int
info_add_db (KikanEngineInfo *info, const char *path, int is_signed, unsigned version,
             int64_t build_time, unsigned sigs)
{
    KikanDbInfo *v = realloc (info->dbs, (info->n_dbs + 1) * sizeof *v);
    const char *base = strrchr (path, '/');

    if (v == NULL)
        return KIKAN_ENOMEM;
    info->dbs = v;
    v = &info->dbs[info->n_dbs];
    memset (v, 0, sizeof *v);
    v->name = strdup (base ? base + 1 : path);
    v->path = strdup (path);
    if (v->name == NULL || v->path == NULL) {
        free (v->name);
        free (v->path);
        return KIKAN_ENOMEM;
    }
    v->is_signed = is_signed;
    v->version = version;
    v->build_time = build_time;
    v->signatures = sigs;
    info->n_dbs++;
    if (is_signed && build_time > info->newest_signed_build_time)
        info->newest_signed_build_time = build_time;
    return 0;
}

/* ---- loading ---- */

static int
name_cmp (const struct dirent **a, const struct dirent **b)
{
    return strcmp ((*a)->d_name, (*b)->d_name);
}

static int
db_filter (const struct dirent *d)
{
    return kikan_db_is_database_name (d->d_name);
}

static int
load_one (KikanEngine *e, const char *path, char *err, size_t errlen)
{
    struct stat st;
    unsigned version = 0, before = e->info.signatures, header_sigs = 0;
    int64_t build_time;
    int is_signed = kikan_db_is_signed_name (path);
    cl_error_t ret;
    int r;

    if (stat (path, &st) != 0 || !S_ISREG (st.st_mode)) {
        snprintf (err, errlen, "%s is not a readable database file", path);
        return KIKAN_EDB;
    }
    build_time = (int64_t) st.st_mtime;
    if (is_signed) {
        r = kikan_db_verify (path, &version, &build_time, &header_sigs, err, errlen);
        if (r != 0)
            return r;
    }
    ret = cl_load (path, e->cl, &e->info.signatures, CL_DB_STDOPT | CL_DB_PUA);
    if (ret != CL_SUCCESS) {
        snprintf (err, errlen, "%s could not be loaded (%s)", path, cl_strerror (ret));
        return KIKAN_EDB;
    }
    return info_add_db (&e->info, path, is_signed, version, build_time,
                        e->info.signatures - before);
}

static int
load_path (KikanEngine *e, const char *path, char *err, size_t errlen)
{
    struct stat st;
    struct dirent **names = NULL;
    int n, r = 0;

    if (stat (path, &st) != 0) {
        snprintf (err, errlen, "database location %s: %s", path, strerror (errno));
        return KIKAN_EDB;
    }
    if (!S_ISDIR (st.st_mode))
        return load_one (e, path, err, errlen);
    if ((n = scandir (path, &names, db_filter, name_cmp)) < 0) {
        snprintf (err, errlen, "database folder %s: %s", path, strerror (errno));
        return KIKAN_EDB;
    }
    for (int i = 0; i < n; i++) {
        char full[4096];

        if (r == 0) {
            if ((size_t) snprintf (full, sizeof full, "%s/%s", path, names[i]->d_name)
                >= sizeof full) {
                snprintf (err, errlen, "database path too long in %s", path);
                r = KIKAN_EDB;
            } else {
                r = load_one (e, full, err, errlen);
            }
        }
        free (names[i]);
    }
    free (names);
    return r;
}

static void on_virus_found (int fd, const char *virname, void *context);
static cl_error_t on_file_inspection (int fd, const char *type, const char **ancestors,
                                      size_t parent_file_size, const char *file_name,
                                      size_t file_size, const char *file_buffer,
                                      uint32_t recursion_level, uint32_t layer_attributes,
                                      void *context);

static double
now_seconds (void)
{
    struct timespec ts;

    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int
kikan_engine_new (const KikanEngineOptions *opts, KikanEngine **out, char *err, size_t errlen)
{
    KikanEngine *e = NULL;
    double t0 = now_seconds ();
    char dummy[8];
    cl_error_t ret;
    int r;

    if (err == NULL) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    *out = NULL;
    if ((r = kikan_engine_global_init ()) != 0) {
        snprintf (err, errlen, "libclamav could not be initialised");
        return r;
    }
    if (opts == NULL || opts->n_databases == 0) {
        snprintf (err, errlen, "no signature database given");
        return KIKAN_EDB;
    }
    if ((e = calloc (1, sizeof *e)) == NULL)
        return KIKAN_ENOMEM;
    if ((e->cl = cl_engine_new ()) == NULL) {
        r = KIKAN_ENOMEM;
        goto out;
    }
    e->info.limits = opts->limits;
    kikan_limits_apply_defaults (&e->info.limits);
    cl_engine_set_num (e->cl, CL_ENGINE_MAX_FILESIZE, (long long) e->info.limits.max_filesize);
    cl_engine_set_num (e->cl, CL_ENGINE_MAX_SCANSIZE, (long long) e->info.limits.max_scansize);
    cl_engine_set_num (e->cl, CL_ENGINE_MAX_RECURSION, e->info.limits.max_recursion);
    cl_engine_set_num (e->cl, CL_ENGINE_MAX_FILES, e->info.limits.max_files);
    cl_engine_set_num (e->cl, CL_ENGINE_MAX_SCANTIME, e->info.limits.max_scantime_ms);
    /* libclamav caches the hash of every layer it ends up calling clean,
     * also one the inspection callback cut off with CL_BREAK (past
     * max_recursion) without scanning it: the same bytes in a later file
     * would then be skipped as clean (third red-team round).  Every layer
     * is scanned instead. */
    cl_engine_set_num (e->cl, CL_ENGINE_DISABLE_CACHE, 1);

    for (size_t i = 0; i < opts->n_databases; i++)
        if ((r = load_path (e, opts->databases[i], err, errlen)) != 0)
            goto out;
    if (e->info.signatures == 0) {
        snprintf (err, errlen, "the signature databases hold no signatures: nothing could be "
                  "detected, so no scan is possible");
        r = KIKAN_EDB;
        goto out;
    }
    if ((ret = cl_engine_compile (e->cl)) != CL_SUCCESS) {
        snprintf (err, errlen, "the signature set could not be compiled (%s)", cl_strerror (ret));
        r = KIKAN_EDB;
        goto out;
    }
    cl_engine_set_clcb_virus_found (e->cl, on_virus_found);
    cl_engine_set_clcb_file_inspection (e->cl, on_file_inspection);

    /* Every parser, all matches, and the heuristics that turn "could not
     * look inside" into an alert (KR-09). */
    e->options.general = CL_SCAN_GENERAL_ALLMATCHES | CL_SCAN_GENERAL_HEURISTICS;
    e->options.parse = ~0u;
    e->options.heuristic = CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE | CL_SCAN_HEURISTIC_ENCRYPTED_DOC
                           | CL_SCAN_HEURISTIC_EXCEEDS_MAX | CL_SCAN_HEURISTIC_MACROS
                           | CL_SCAN_HEURISTIC_PHISHING_SSL_MISMATCH
                           | CL_SCAN_HEURISTIC_PHISHING_CLOAK;
    e->options.mail = 0;
    e->options.dev = 0;

    if ((e->info.engine_version = strdup (cl_retver ())) == NULL) {
        r = KIKAN_ENOMEM;
        goto out;
    }
    e->info.load_seconds = now_seconds () - t0;
    *out = e;
    e = NULL;
    r = 0;
out:
    kikan_engine_free (e);
    return r;
}

void
kikan_engine_free (KikanEngine *e)
{
    if (e == NULL)
        return;
    if (e->cl != NULL)
        cl_engine_free (e->cl);
    kikan_engine_info_clear (&e->info);
    free (e);
}

const KikanEngineInfo *
kikan_engine_get_info (const KikanEngine *e)
{
    return &e->info;
}

int
kikan_engine_set_tmpdir (KikanEngine *e, const char *dir)
{
    /* libclamav unpacks some formats into its temp dir, so a worker child
     * points it at its own private one. */
    return cl_engine_set_str (e->cl, CL_ENGINE_TMPDIR, dir) == CL_SUCCESS ? 0 : KIKAN_EENGINE;
}

/* ---- content digests ---- */

static void
sha256_raw (const void *p, size_t n, unsigned char out[32])
{
    unsigned int dlen = 0;

    if (EVP_Digest (p, n, out, &dlen, EVP_sha256 (), NULL) != 1)
        memset (out, 0, 32);  /* never equal to a real digest by chance */
}

/* A set of SHA-256 digests (open addressing; the digest is its own hash).
 * Holds what libclamav scanned in one blob, and what the extraction routes
 * already scanned in one file. */
typedef struct {
    unsigned char (*slots)[32];
    unsigned char *used;
    size_t cap, n;
} DigestSet;

static size_t
digest_slot (const unsigned char d[32], size_t cap)
{
    uint64_t h;

    memcpy (&h, d, sizeof h);
    return (size_t) (h & (cap - 1));
}

static int
digest_set_has (const DigestSet *s, const unsigned char d[32])
{
    if (s == NULL || s->cap == 0)
        return 0;
    for (size_t i = digest_slot (d, s->cap);; i = (i + 1) & (s->cap - 1)) {
        if (!s->used[i])
            return 0;
        if (memcmp (s->slots[i], d, 32) == 0)
            return 1;
    }
}

static int
digest_set_add (DigestSet *s, const unsigned char d[32])
{
    if (digest_set_has (s, d))
        return 0;
    if (2 * (s->n + 1) > s->cap) {
        DigestSet g = { 0 };

        g.cap = s->cap ? s->cap * 2 : 64;
        g.slots = malloc (g.cap * sizeof *g.slots);
        g.used = calloc (g.cap, 1);
        if (g.slots == NULL || g.used == NULL) {
            free (g.slots);
            free (g.used);
            return KIKAN_ENOMEM;
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->used[i])
                for (size_t k = digest_slot (s->slots[i], g.cap);; k = (k + 1) & (g.cap - 1))
                    if (!g.used[k]) {
                        memcpy (g.slots[k], s->slots[i], 32);
                        g.used[k] = 1;
                        break;
                    }
        g.n = s->n;
        free (s->slots);
        free (s->used);
        *s = g;
    }
    for (size_t i = digest_slot (d, s->cap);; i = (i + 1) & (s->cap - 1))
        if (!s->used[i]) {
            memcpy (s->slots[i], d, 32);
            s->used[i] = 1;
            s->n++;
            return 0;
        }
}

static void
digest_set_clear (DigestSet *s)
{
    free (s->slots);
    free (s->used);
    memset (s, 0, sizeof *s);
}

/* ---- one scan: context shared with the libclamav callbacks ---- */

typedef struct {
    uint32_t level;
    char *name;
    uint64_t size;
    char type[32];
    int normalized;
    unsigned char *copy;       /* bytes of a nested archive kept for the cross-check */
    size_t copy_len;
    int copy_refused;          /* too large to keep: cannot be cross-checked */
    unsigned char digest[32];  /* SHA-256 of the bytes libclamav scanned in this layer */
    int has_digest;
    int image_unopened;        /* a disk image whose file systems nothing here walks */
    int is_image;              /* a disk image (of any kind) by its content */
    char **sigs;
    size_t n_sigs;
    int beyond_depth;          /* deeper than max_recursion counting the fallback's depth */
    KikanExecInfo exec;        /* what kind of program this layer is (issue #4) */
} Layer;

typedef struct {
    KikanEngine *e;
    Layer *layers;
    size_t n_layers, cap_layers;
    char **sigs;
    size_t n_sigs;
    int oom;
    uint64_t copied;           /* bytes kept in Layer.copy */
    uint32_t max_layers;
    uint32_t base_depth;       /* depth of the scanned blob inside the file */
    int depth_cut;             /* a layer was not descended into: too deep */
} ScanCtx;

static int
strv_add (char ***v, size_t *n, const char *s)
{
    char **nv;
    char *c;

    for (size_t i = 0; i < *n; i++)
        if (strcmp ((*v)[i], s) == 0)
            return 0;
    if ((c = strdup (s)) == NULL)
        return KIKAN_ENOMEM;
    if ((nv = realloc (*v, (*n + 1) * sizeof *nv)) == NULL) {
        free (c);
        return KIKAN_ENOMEM;
    }
    nv[(*n)++] = c;
    *v = nv;
    return 0;
}

/* Appends @s (taken) without looking for duplicates. */
static int
strv_push (char ***v, size_t *n, char *s)
{
    char **nv = realloc (*v, (*n + 1) * sizeof *nv);

    if (nv == NULL)
        return KIKAN_ENOMEM;
    nv[(*n)++] = s;
    *v = nv;
    return 0;
}

static void
strv_free (char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free (v[i]);
    free (v);
}

static void
ctx_clear (ScanCtx *c)
{
    for (size_t i = 0; i < c->n_layers; i++) {
        free (c->layers[i].name);
        free (c->layers[i].copy);
        strv_free (c->layers[i].sigs, c->layers[i].n_sigs);
        kikan_exec_info_clear (&c->layers[i].exec);
    }
    free (c->layers);
    strv_free (c->sigs, c->n_sigs);
    memset (c, 0, sizeof *c);
}

static void
on_virus_found (int fd, const char *virname, void *context)
{
    ScanCtx *c = context;

    if (c == NULL || virname == NULL)
        return;
    if (strv_add (&c->sigs, &c->n_sigs, virname) != 0)
        c->oom = 1;
    /* libclamav does not say which layer matched; the layer being scanned
     * when the alert fires is the most recently inspected one. */
    if (c->n_layers > 0) {
        Layer *l = &c->layers[c->n_layers - 1];
        if (strv_add (&l->sigs, &l->n_sigs, virname) != 0)
            c->oom = 1;
    }
}

static int
is_archive_type (const char *type)
{
    static const char *const types[] = {
        "CL_TYPE_ZIP", "CL_TYPE_RAR", "CL_TYPE_7Z", "CL_TYPE_POSIX_TAR", "CL_TYPE_OLD_TAR",
        "CL_TYPE_CPIO_OLD", "CL_TYPE_CPIO_ODC", "CL_TYPE_CPIO_NEWC", "CL_TYPE_CPIO_CRC",
        "CL_TYPE_ISO9660", "CL_TYPE_MSCAB", NULL
    };
    for (size_t i = 0; types[i] != NULL; i++)
        if (strcmp (type, types[i]) == 0)
            return 1;
    return 0;
}

/* Layers taken apart again by the extraction routes: what libclamav types
 * as an archive, a document that is a zip (OOXML) or a self-extractor, and
 * whatever carries the signature of an archive or compressed stream a
 * person's tools open (ar, LHA, old tars and the like, which libclamav
 * does not type; the second red-team round). */
static int
needs_cross_check (const char *type, const unsigned char *p, size_t n)
{
    if (type != NULL
        && (is_archive_type (type) || strncmp (type, "CL_TYPE_OOXML", 13) == 0
            || strstr (type, "SFX") != NULL || strcmp (type, "CL_TYPE_GZ") == 0
            || strcmp (type, "CL_TYPE_BZ") == 0 || strcmp (type, "CL_TYPE_XZ") == 0
            || strcmp (type, "CL_TYPE_XAR") == 0))
        return 1;
    return kikan_stream_sniff (p, n) || kikan_archive_sniff (p, n) != NULL
           || kikan_embedded_archive_next (p, n, 0) != (size_t) -1;
}

/* Formats that libclamav here may not read at all (RAR: no libclamunrar in
 * Debian main) or misread (ZIP64): if no extractor reads them and libclamav
 * reached nothing inside, they were not inspected. */
static int
must_be_readable_type (const char *type)
{
    return strcmp (type, "CL_TYPE_RAR") == 0 || strcmp (type, "CL_TYPE_ZIP") == 0
           || strcmp (type, "CL_TYPE_7Z") == 0;
}

static void sha256_buffer (const void *p, size_t n, char out[65]);

static int
is_windows_program (KikanFileType t)
{
    return t == KIKAN_FILETYPE_PE_EXE || t == KIKAN_FILETYPE_PE_DLL
           || t == KIKAN_FILETYPE_INSTALLER_NSIS || t == KIKAN_FILETYPE_INSTALLER_INNO
           || t == KIKAN_FILETYPE_INSTALLER_INSTALLSHIELD;
}

/* Issue #4 item 2 (KR-17, Admin B-3): what kind of program @buf is, by
 * content; its hash and, for Windows programs, its Authenticode signer, so
 * that the policy can look it up.  @len < @size: only the head is known
 * (no hash, no signature: a rule can then only match by name). */
static void
exec_classify (KikanExecInfo *x, const char *name, const void *buf, size_t len, uint64_t size,
               int want_hash)
{
    KikanFileType t = kikan_filetype_classify (name, buf, buf != NULL ? len : 0, size);

    kikan_exec_info_clear (x);
    x->type = (uint8_t) t;
    x->name_flags = kikan_filetype_name_flags (name, t);
    if (t == KIKAN_FILETYPE_OTHER || buf == NULL || (uint64_t) len != size)
        return;
    if (want_hash)
        sha256_buffer (buf, len, x->sha256);
    if (is_windows_program (t)) {
        KikanAuthenticode a;

        x->signature = (uint8_t) kikan_authenticode_verify (buf, len, &a);
        if (a.status == KIKAN_AUTHENTICODE_VALID) {
            memcpy (x->signer_sha256, a.cert_sha256, sizeof x->signer_sha256);
            x->signer_subject = strdup (a.subject);
        }
    }
}

/* A disk image inside an archive or a compressed stream (issue #8 item 7).
 * The media layer opens images that are files on the medium (worker.c,
 * docs/media.md); inside an archive only libclamav looks, and it walks ISO
 * 9660, UDF, HFS+ and DMG itself but no FAT, NTFS, ext, exFAT or APFS file
 * system, nor an encrypted or virtual-machine disk.  Such an image is not
 * inspected: its files would never be reached. */
static int
image_not_walked (const KikanExecInfo *x, const unsigned char *p, size_t n)
{
    if (x->type == KIKAN_FILETYPE_DMG)
        return 0;
    if (x->type != KIKAN_FILETYPE_DISK_IMAGE)
        return 0;
    if (p == NULL)
        return 1;
    if (n >= 1028 && (memcmp (p + 1024, "H+\0\4", 4) == 0 || memcmp (p + 1024, "HX\0\5", 4) == 0))
        return 0;
    for (size_t off = 0x8000; off + 6 <= n && off < 0x10000; off += 2048)
        if (memcmp (p + off + 1, "CD001", 5) == 0 || memcmp (p + off + 1, "BEA01", 5) == 0
            || memcmp (p + off + 1, "NSR02", 5) == 0 || memcmp (p + off + 1, "NSR03", 5) == 0)
            return 0;
    return 1;
}

static const char image_not_walked_detail[] =
    "a disk image inside an archive or compressed file: its file systems are not opened there "
    "(extract the image and scan it as a file)";

static cl_error_t
on_file_inspection (int fd, const char *type, const char **ancestors, size_t parent_file_size,
                    const char *file_name, size_t file_size, const char *file_buffer,
                    uint32_t recursion_level, uint32_t layer_attributes, void *context)
{
    ScanCtx *c = context;
    Layer *l;

    if (c == NULL)
        return CL_CLEAN;
    if (c->n_layers >= c->max_layers)
        return CL_CLEAN;  /* the member list is capped; the scan goes on */
    if (c->n_layers == c->cap_layers) {
        size_t ncap = c->cap_layers ? c->cap_layers * 2 : 16;
        Layer *nl = realloc (c->layers, ncap * sizeof *nl);
        if (nl == NULL) {
            c->oom = 1;
            return CL_CLEAN;
        }
        c->layers = nl;
        c->cap_layers = ncap;
    }
    l = &c->layers[c->n_layers++];
    memset (l, 0, sizeof *l);
    l->level = recursion_level;
    l->size = file_size;
    l->normalized = (layer_attributes & LAYER_ATTRIBUTES_NORMALIZED) != 0;
    snprintf (l->type, sizeof l->type, "%s", type ? type : "");
    if (file_name != NULL && (l->name = strdup (file_name)) == NULL)
        c->oom = 1;
    /* A blob extracted by a fallback extractor is scanned by libclamav as a
     * new top-level file, so its recursion limit starts again at zero.
     * Counting the blob's own depth keeps the whole file within
     * max_recursion: deeper layers are not descended into (CL_BREAK skips
     * this layer) and the file is not inspected. */
    if (c->base_depth + recursion_level > c->e->info.limits.max_recursion) {
        l->beyond_depth = 1;
        c->depth_cut = 1;
        return CL_BREAK;
    }
    /* The file itself (depth 0 of a top-level scan) is hashed already
     * (scan_top): its program hash is copied from there. */
    if (!l->normalized) {
        exec_classify (&l->exec, file_name, file_buffer, file_buffer ? file_size : 0, file_size,
                       !(recursion_level == 0 && c->base_depth == 0));
        l->is_image = l->exec.type == KIKAN_FILETYPE_DISK_IMAGE
                      || l->exec.type == KIKAN_FILETYPE_DMG;
        if (recursion_level >= 1)
            l->image_unopened = image_not_walked (&l->exec, (const unsigned char *) file_buffer,
                                                  file_buffer ? file_size : 0);
    }
    /* What libclamav scanned in a member, by content: an extraction route
     * that delivers the same bytes needs no second scan, and one that
     * delivers other bytes under the same name gets one (issue #8 item 3). */
    if (recursion_level >= 1 && !l->normalized && file_buffer != NULL) {
        sha256_raw (file_buffer, file_size, l->digest);
        l->has_digest = 1;
    }
    /* Nested archives and compressed streams are kept so the fallback
     * extractors can take them apart after libclamav is done: the buffer
     * is only valid during this call. */
    if (recursion_level >= 1 && file_buffer != NULL
        && needs_cross_check (type, (const unsigned char *) file_buffer, file_size)) {
        const KikanLimits *lim = &c->e->info.limits;

        if (file_size > lim->max_filesize || c->copied + file_size > lim->max_scansize) {
            l->copy_refused = 1;
        } else if ((l->copy = malloc (file_size ? file_size : 1)) == NULL) {
            l->copy_refused = 1;
        } else {
            memcpy (l->copy, file_buffer, file_size);
            l->copy_len = file_size;
            c->copied += file_size;
        }
    }
    return CL_CLEAN;
}

/* ---- classification ---- */

static int
has_prefix (const char *s, const char *p)
{
    return strncmp (s, p, strlen (p)) == 0;
}

/* Maps one alert name onto the report.  Limit and encryption heuristics
 * mean "not fully inspected", never "infected" and never "clean". */
static void
apply_alert (KikanFileReport *r, const char *name)
{
    if (has_prefix (name, "Heuristics.Limits.Exceeded")) {
        KikanReason why = strstr (name, "MaxScanTime") ? KIKAN_REASON_TIMEOUT
                                                       : KIKAN_REASON_LIMIT_EXCEEDED;
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, why, name);
    } else if (has_prefix (name, "Heuristics.Encrypted")) {
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENCRYPTED, name);
    } else {
        kikan_file_report_add_signature (r, name);
        kikan_file_report_degrade (r, KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL);
    }
}

static void
apply_cl_result (KikanFileReport *r, cl_error_t ret)
{
    char detail[96];

    if (ret == CL_CLEAN || ret == CL_VIRUS)
        return;
    snprintf (detail, sizeof detail, "libclamav: %s", cl_strerror (ret));
    switch (ret) {
    case CL_ETIMEOUT:
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_TIMEOUT, detail);
        break;
    case CL_EMAXREC:
    case CL_EMAXSIZE:
    case CL_EMAXFILES:
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_LIMIT_EXCEEDED,
                                   detail);
        break;
    case CL_EREAD:
    case CL_ESEEK:
    case CL_EMAP:
    case CL_EOPEN:
    case CL_ESTAT:
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_READ_ERROR,
                                   detail);
        break;
    case CL_EFORMAT:
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_PARSE_ERROR,
                                   detail);
        break;
    default:
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENGINE_ERROR,
                                   detail);
        break;
    }
}

static KikanResult
classify_names (char **sigs, size_t n, KikanReason *reason, const char **detail)
{
    KikanResult res = KIKAN_RESULT_CLEAN;

    *reason = KIKAN_REASON_NONE;
    *detail = NULL;
    for (size_t i = 0; i < n; i++) {
        if (has_prefix (sigs[i], "Heuristics.Limits.Exceeded")
            || has_prefix (sigs[i], "Heuristics.Encrypted")) {
            if (res == KIKAN_RESULT_CLEAN) {
                res = KIKAN_RESULT_NOT_INSPECTED;
                *reason = has_prefix (sigs[i], "Heuristics.Encrypted")
                              ? KIKAN_REASON_ENCRYPTED
                              : (strstr (sigs[i], "MaxScanTime") ? KIKAN_REASON_TIMEOUT
                                                                 : KIKAN_REASON_LIMIT_EXCEEDED);
                *detail = sigs[i];
            }
        } else {
            res = KIKAN_RESULT_INFECTED;
        }
    }
    return res;
}

static KikanMember *
report_add_member (KikanFileReport *r, uint32_t max_members)
{
    KikanMember *v;

    if (r->n_members >= max_members)
        return NULL;
    if ((v = realloc (r->members, (r->n_members + 1) * sizeof *v)) == NULL)
        return NULL;
    r->members = v;
    v = &r->members[r->n_members++];
    memset (v, 0, sizeof *v);
    return v;
}

static void
member_set (KikanMember *m, const char *name, uint32_t depth, uint64_t size,
            const char *extractor)
{
    m->name = strdup (name ? name : "");
    m->depth = depth;
    m->size = size;
    m->extractor = strdup (extractor);
}

/* ---- scanning a blob, recursively cross-checked ---- */

typedef struct {
    KikanEngine *e;
    KikanFileReport *r;
    double deadline;
    DigestSet scanned;           /* content the extraction routes scanned in this file */
    int root_classified;         /* job->r->exec was filled from libclamav's root layer */
    uint64_t routed;             /* bytes the extraction routes decompressed in this file */
} FileJob;

/* The extraction routes of one top-level file may decompress this many
 * times max_scansize, nested archives included.  libclamav stops at
 * max_scansize, but the routes used to stop only at max_files members or at
 * the scan's deadline: a 13 MB zip of 12,000 members of 1 MiB of zeros, a
 * 42.zip, or an overlapping zip whose 1,500 members share one 32 MiB
 * kernel cost the whole max_scantime (120 s of every core) each (issue #12
 * item 2, the hostile-media corpus).  A file within libclamav's limits
 * costs the routes about what it cost libclamav once per route (the index
 * and, for a zip, its local headers), so four times leaves room for every
 * route over an archive libclamav read in full; beyond it the file is not
 * inspected (KR-10), never cleared. */
#define KIKAN_ROUTE_BUDGET_SCANSIZES 4

static void scan_blob (FileJob *job, const KikanBlob *blob, const char *name, uint32_t depth);

/* Scans @buf, a member one extraction route delivered, into a scratch
 * report so its own verdict lands on its member line, then merges it into
 * the file's report. */
static void
scan_member (FileJob *job, const unsigned char *buf, size_t len, const char *name,
             const char *extractor, uint32_t depth)
{
    const KikanLimits *lim = &job->e->info.limits;
    KikanFileReport sr = { 0 };
    KikanFileReport *saved = job->r;
    int saved_root = job->root_classified;
    KikanMember *m;
    size_t mi;
    KikanBlob sub;

    if ((m = report_add_member (job->r, lim->max_files)) != NULL)
        member_set (m, name, depth, len, extractor);
    mi = m ? (size_t) (m - job->r->members) : (size_t) -1;
    sub.data = buf;
    sub.src = NULL;
    sub.size = len;
    job->r = &sr;
    job->root_classified = 0;
    scan_blob (job, &sub, name, depth);
    if (!job->root_classified)
        exec_classify (&sr.exec, name, buf, len, len, 1);
    if (image_not_walked (&sr.exec, buf, len))
        kikan_file_report_degrade (&sr, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_UNSUPPORTED,
                                   image_not_walked_detail);
    job->r = saved;
    job->root_classified = saved_root;
    if (mi != (size_t) -1) {
        KikanMember *mm = &job->r->members[mi];
        mm->exec = sr.exec;
        memset (&sr.exec, 0, sizeof sr.exec);
        mm->result = sr.result;
        mm->reason = sr.reason;
        mm->reason_detail = sr.reason_detail ? strdup (sr.reason_detail) : NULL;
        for (size_t s = 0; s < sr.n_signatures; s++)
            strv_add (&mm->signatures, &mm->n_signatures, sr.signatures[s]);
    }
    for (size_t s = 0; s < sr.n_signatures; s++)
        kikan_file_report_add_signature (job->r, sr.signatures[s]);
    kikan_file_report_degrade (job->r, sr.result, sr.reason, sr.reason_detail);
    /* Members found inside the member keep their depth. */
    for (size_t k = 0; k < sr.n_members; k++) {
        KikanMember *dst = report_add_member (job->r, lim->max_files);
        if (dst == NULL)
            break;
        *dst = sr.members[k];
        memset (&sr.members[k], 0, sizeof sr.members[k]);
    }
    kikan_file_report_clear (&sr);
}

static int
name_ptr_cmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

/* 1 when two routes listed the same member names (as multisets). */
static int
same_names (char **a, size_t na, char **b, size_t nb)
{
    if (na != nb)
        return 0;
    qsort (a, na, sizeof *a, name_ptr_cmp);
    qsort (b, nb, sizeof *b, name_ptr_cmp);
    for (size_t i = 0; i < na; i++)
        if (strcmp (a[i], b[i]) != 0)
            return 0;
    return 1;
}

static void
route_warning (FileJob *job, KikanArchive *a)
{
    const char *w = kikan_archive_take_warning (a);

    if (w != NULL)
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                   KIKAN_REASON_INCONSISTENT, w);
}

/* Takes @blob apart along one extraction @route and scans every regular
 * member whose exact bytes (SHA-256) neither libclamav (@clam: the digests
 * of the layers it scanned) nor an earlier route of this file already
 * scanned.  Comparing by content, not by name and size, is what catches a
 * member two readers rebuild differently (a sparse tar member, a zip entry
 * whose local header and central directory disagree; issue #8 items 2-3).
 * Returns KIKAN_ARCHIVE_NOT_ARCHIVE when nothing on this route recognised
 * the bytes, 0 otherwise (problems are recorded on the report).  @names,
 * if given, receives a copy of every regular member's name. */
static int
run_route (FileJob *job, const DigestSet *clam, const KikanBlob *blob, KikanArchiveRoute route,
           const char *clam_type, uint32_t depth, char ***names, size_t *n_names, int *saw_tar,
           int *saw_zip)
{
    const KikanLimits *lim = &job->e->info.limits;
    KikanArchive *a = NULL;
    const char *extractor = NULL;
    char err[256] = "";
    uint32_t listed = 0, members = 0;
    int r;

    r = kikan_archive_open (blob, route, &a, &extractor, err, sizeof err);
    if (r == KIKAN_ARCHIVE_NOT_ARCHIVE) {
        /* Not an archive to any fallback extractor.  For a type that must
         * hold members the member list cannot be confirmed, whatever
         * libclamav reached: fail closed. */
        if (route == KIKAN_ROUTE_INDEX && clam_type != NULL && must_be_readable_type (clam_type))
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_PARSE_ERROR,
                                       err[0] ? err : "no extractor can read this archive");
        return KIKAN_ARCHIVE_NOT_ARCHIVE;
    }
    if (r != 0) {
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                   r == KIKAN_EENGINE ? KIKAN_REASON_ENGINE_ERROR
                                                      : KIKAN_REASON_PARSE_ERROR,
                                   err[0] ? err : "the archive could not be opened");
        return 0;
    }

    for (;;) {
        KikanArchiveEntry ent;
        unsigned char *buf = NULL, digest[32];
        size_t len = 0;
        char *name;

        r = kikan_archive_next (a, &ent);
        route_warning (job, a);
        if (r == 0)
            break;
        if (r < 0) {
            if (r == KIKAN_ENOTSUP && listed == 0) {
                if (route == KIKAN_ROUTE_INDEX && clam_type && must_be_readable_type (clam_type))
                    kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                               KIKAN_REASON_PARSE_ERROR, kikan_archive_error (a));
                kikan_archive_free (a);
                return KIKAN_ARCHIVE_NOT_ARCHIVE;  /* e.g. a lone .gz of plain text */
            }
            /* Past the first tar's end, GNU tar -i searches through
             * whatever follows; libarchive stops at what it cannot parse.
             * Everything up to there was scanned; the rest is the "data
             * after a tar's end" of docs/media.md. */
            if (route == KIKAN_ROUTE_TAR_CONCAT)
                break;
            /* The index route is the archive as its format defines it; a
             * streaming reader that fails where the index did not is a
             * disagreement between the two. */
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       route == KIKAN_ROUTE_STREAM ? KIKAN_REASON_INCONSISTENT
                                                                   : KIKAN_REASON_PARSE_ERROR,
                                       kikan_archive_error (a));
            break;
        }
        listed++;
        if (saw_tar != NULL && ent.is_tar)
            *saw_tar = 1;
        if (saw_zip != NULL && ent.is_zip)
            *saw_zip = 1;
        if (names != NULL && (name = strdup (ent.name)) != NULL
            && strv_push (names, n_names, name) != 0)
            free (name);
        if (ent.tar_special)
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_INCONSISTENT,
                                       "a tar device or FIFO entry: bytes after its header may "
                                       "be its data to one tool and the next header to another");
        if (ent.link_target != NULL && strlen (ent.link_target) > 5) {
            /* A zip stores a link's target as the entry's data; tools that
             * do not make links (7-Zip on Windows, Python's zipfile) write
             * it out as an ordinary file. */
            size_t tl = strlen (ent.link_target);

            sha256_raw (ent.link_target, tl, digest);
            if (!digest_set_has (clam, digest) && !digest_set_has (&job->scanned, digest)
                && digest_set_add (&job->scanned, digest) == 0)
                scan_member (job, (const unsigned char *) ent.link_target, tl, ent.name,
                             extractor, depth + 1);
        }
        if (ent.is_directory)
            continue;
        members++;
        if (now_seconds () > job->deadline) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_TIMEOUT,
                                       "scan time limit reached while cross-checking members");
            break;
        }
        if (job->routed > KIKAN_ROUTE_BUDGET_SCANSIZES * lim->max_scansize) {
            char why[160];

            snprintf (why, sizeof why, "the cross-check decompressed more than %d x "
                      "max_scansize from this file: its other members were not extracted",
                      KIKAN_ROUTE_BUDGET_SCANSIZES);
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED, why);
            break;
        }
        if (members > lim->max_files) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "too many archive members (max_files)");
            break;
        }
        if (ent.encrypted) {
            KikanMember *m = report_add_member (job->r, lim->max_files);
            if (m) {
                member_set (m, ent.name, depth + 1, ent.size, extractor);
                m->result = KIKAN_RESULT_NOT_INSPECTED;
                m->reason = KIKAN_REASON_ENCRYPTED;
            }
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_ENCRYPTED, "encrypted archive member");
            continue;
        }
        if (depth + 1 > lim->max_recursion) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "archive nesting beyond max_recursion");
            break;
        }
        r = kikan_archive_extract (a, lim->max_filesize, &buf, &len);
        route_warning (job, a);
        /* A member over the limit was decompressed up to it. */
        job->routed += r == KIKAN_ARCHIVE_OVER_LIMIT ? lim->max_filesize : (uint64_t) len;
        if (r == KIKAN_ARCHIVE_OVER_LIMIT) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "archive member larger than max_filesize");
            continue;
        }
        if (r != 0) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       r == KIKAN_ENOMEM ? KIKAN_REASON_LIMIT_EXCEEDED
                                       : route == KIKAN_ROUTE_STREAM ? KIKAN_REASON_INCONSISTENT
                                                                     : KIKAN_REASON_PARSE_ERROR,
                                       kikan_archive_error (a));
            break;
        }
        /* An entry that is not a plain file (a device, socket, directory
         * by its attributes, or of no type) whose header claims data that
         * the extractor here does not deliver: 7-Zip or Python's zipfile
         * may write those bytes out as a file. */
        if (!ent.is_regular && ent.size_known && ent.size > (uint64_t) len) {
            char why[160];

            snprintf (why, sizeof why,
                      "an archive entry of type '%s' claims %llu bytes of data the "
                      "extractor here does not deliver; other tools write them out as a file",
                      ent.type_name ? ent.type_name : "special", (unsigned long long) ent.size);
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_INCONSISTENT, why);
        }
        /* libclamav skips files this small, and so does the cross-check
         * (docs/json.md); decided on the bytes delivered, not on a size a
         * header claims. */
        if (len <= 5) {
            free (buf);
            continue;
        }
        sha256_raw (buf, len, digest);
        if (digest_set_has (clam, digest) || digest_set_has (&job->scanned, digest)) {
            free (buf);
            continue;
        }
        if (digest_set_add (&job->scanned, digest) != 0) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED, "out of memory while scanning");
            free (buf);
            break;
        }
        scan_member (job, buf, len, route == KIKAN_ROUTE_RAW ? "(decompressed)" : ent.name,
                     extractor, depth + 1);
        free (buf);
    }
    kikan_archive_free (a);
    return 0;
}

static uint32_t
le32 (const unsigned char *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* 1 for the magic of an lz4/zstd skippable frame (0x184D2A50-5F). */
static int
is_skippable_frame (const unsigned char *p, size_t n)
{
    return n >= 8 && (le32 (p) & 0xFFFFFFF0u) == 0x184D2A50u;
}

/* Moves @b past the skippable frames it starts with; 1 if it started
 * with one (even a malformed one), 0 otherwise. */
static int
skip_skippable_frames (KikanBlob *b)
{
    int seen = 0;

    while (b->data != NULL && is_skippable_frame (b->data, (size_t) b->size)) {
        uint64_t len = 8 + (uint64_t) le32 (b->data + 4);

        seen = 1;
        if (len > b->size)
            break;
        b->data += len;
        b->size -= len;
    }
    return seen;
}

static int
has_prefix_bytes (const unsigned char *p, size_t n, const char *magic, size_t len)
{
    return p != NULL && n >= len && memcmp (p, magic, len) == 0;
}

static int
blob_is_zip_local (const KikanBlob *blob)
{
    return blob->data != NULL && blob->size >= 4 && memcmp (blob->data, "PK\3\4", 4) == 0;
}

/* Every extraction route a person's tools would take through @blob: its
 * index (central directory, headers), for a zip also its local headers
 * front to back, and for a bare compressed stream every concatenated
 * stream decompressed.  What any route yields that libclamav did not scan
 * byte for byte is scanned here. */
static void
cross_check (FileJob *job, const DigestSet *clam, const KikanBlob *blob, const char *clam_type,
             uint32_t depth)
{
    char **by_index = NULL, **by_stream = NULL;
    size_t n_index = 0, n_stream = 0;
    int ri, rs, route_saw_tar = 0, route_saw_zip = 0;
    const unsigned char *p = blob->data;
    size_t n = (size_t) blob->size;
    const char *looks_like = kikan_archive_sniff (p, n);
    char why[256];

    ri = run_route (job, clam, blob, KIKAN_ROUTE_INDEX, clam_type, depth, &by_index, &n_index,
                    &route_saw_tar, &route_saw_zip);
    /* A zip is read through the end record unzip would find: split sets
     * and records that contradict each other or their ZIP64 twin. */
    switch (kikan_zip_end_check (p, n, why, sizeof why)) {
    case KIKAN_ZIP_END_SPLIT:
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_UNSUPPORTED,
                                   why);
        break;
    case KIKAN_ZIP_END_INCONSISTENT:
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                   KIKAN_REASON_INCONSISTENT, why);
        break;
    default:
        break;
    }
    if (has_prefix_bytes (p, n, "PK\7\10", 4))
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_UNSUPPORTED,
                                   "the first part of a split zip: join the parts (zip -s 0) "
                                   "and scan the whole archive");
    /* libarchive's bidders are stricter than unzip, lhasa or 7-Zip: bytes
     * that carry an archive's signature but that no extractor here reads
     * are not "not an archive", they are not inspected. */
    if (ri == KIKAN_ARCHIVE_NOT_ARCHIVE && looks_like != NULL) {
        snprintf (why, sizeof why, "it carries the signature of an archive (%s), but no "
                  "extractor here can read it", looks_like);
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_PARSE_ERROR,
                                   why);
    }
    /* A compressed stream is decoded whole even when it holds an archive
     * the index route already took apart: the decoded bytes (a tar that is
     * also a shell script, say) are content too, and libclamav decodes
     * only gzip and xz fully.  lz4 -d and zstd -d pass over "skippable
     * frames" at the start; libarchive's lz4 reader does not, so the
     * stream is handed over from its first real frame. */
    if (ri == KIKAN_ARCHIVE_NOT_ARCHIVE || kikan_stream_sniff (p, n)) {
        KikanBlob rest = *blob;
        int skipped = skip_skippable_frames (&rest);

        if (run_route (job, clam, &rest, KIKAN_ROUTE_RAW, NULL, depth, NULL, NULL, NULL, NULL)
                == KIKAN_ARCHIVE_NOT_ARCHIVE
            && (skipped || kikan_stream_sniff (p, n) == KIKAN_STREAM_STRONG))
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_PARSE_ERROR,
                                       "it starts like a compressed stream, but no decoder here "
                                       "can read it");
    }
    /* A RAR or 7z inside other bytes (a self-extractor, an archive
     * appended to a picture, a script or a program): libarchive looks for
     * a RAR only in programs and from 64 KiB on, 7-Zip and unrar in any
     * file.  Every signature found is tried (decoys in front of the real
     * one cost a failed open each) until the scan's deadline; one that
     * opens as an archive is taken apart, one that does not is only bytes
     * (fourth red-team round). */
    for (size_t at = kikan_embedded_archive_next (p, n, 0); at != (size_t) -1;
         at = kikan_embedded_archive_next (p, n, at + 1)) {
        KikanBlob sub = { p + at, NULL, blob->size - at };

        if (now_seconds () > job->deadline) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_TIMEOUT,
                                       "scan time limit reached while looking for an "
                                       "embedded archive");
            break;
        }
        run_route (job, clam, &sub, KIKAN_ROUTE_SFX, NULL, depth, NULL, NULL, NULL, NULL);
    }
    /* A tar (one with members: libarchive takes a block of zeros for an
     * empty tar) is read again past its end, for a tar that follows. */
    if (ri == 0 && route_saw_tar)
        run_route (job, clam, blob, KIKAN_ROUTE_TAR_CONCAT, NULL, depth, NULL, NULL, NULL,
                   NULL);
    /* A zip's end record ends bytes that the index route read as another
     * format (a tar that is also a zip: tar shows one set of files, unzip
     * the other).  Found by the hostile-media corpus (issue #12 item 2):
     * the zip's EICAR member was never extracted and the file came back
     * clean.  An ordinary zip was read as a zip by the index route and is
     * not taken apart twice. */
    if (!route_saw_zip && kikan_zip_end_check (p, n, NULL, 0) != KIKAN_ZIP_END_NONE)
        run_route (job, clam, blob, KIKAN_ROUTE_ZIP_END, NULL, depth, NULL, NULL, NULL, NULL);
    if (blob_is_zip_local (blob)) {
        rs = run_route (job, clam, blob, KIKAN_ROUTE_STREAM, NULL, depth, &by_stream, &n_stream,
                        NULL, NULL);
        if (ri == 0 && rs == 0 && !same_names (by_index, n_index, by_stream, n_stream))
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_INCONSISTENT,
                                       "the zip's central directory and its local headers "
                                       "list different members");
    }
    strv_free (by_index, n_index);
    strv_free (by_stream, n_stream);
}

/* 1 when every layer above layer @i, up to the file itself, is a disk
 * image, level by level: a partition libclamav found in a disk image that
 * is a file on the medium, which the worker opens through the media layer
 * anyway.  A disk image reached through anything else (a zip appended to
 * an image, say) is one nothing walks.  Layers are in pre-order: an
 * ancestor is the nearest earlier layer of each lower level. */
static int
within_images_only (const ScanCtx *c, size_t i)
{
    uint32_t want = c->layers[i].level;

    for (size_t j = i; j-- > 0 && want > 0;) {
        if (c->layers[j].level >= want)
            continue;
        /* libclamav does not report every layer (an archive it found
         * embedded in the image, for one): a level skipped is a layer of
         * unknown kind, not an image. */
        if (c->layers[j].level != want - 1 || !c->layers[j].is_image)
            return 0;
        want = c->layers[j].level;
    }
    return want == 0;
}

static void
scan_blob (FileJob *job, const KikanBlob *blob, const char *name, uint32_t depth)
{
    KikanEngine *e = job->e;
    const KikanLimits *lim = &e->info.limits;
    struct cl_scan_options options = e->options;
    ScanCtx c = { 0 };
    cl_fmap_t *map;
    const char *virname = NULL;
    unsigned long scanned = 0;
    cl_error_t ret;

    c.e = e;
    c.max_layers = lim->max_files + 1;
    c.base_depth = depth;
    /* Every blob is in memory (scan_top reads a file exactly once), so
     * libclamav, the extraction routes and the hash see the same bytes. */
    map = blob->data != NULL ? cl_fmap_open_memory (blob->data, blob->size) : NULL;
    if (map == NULL) {
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                   KIKAN_REASON_ENGINE_ERROR, "libclamav could not map the file");
        return;
    }
    ret = cl_scanmap_callback (map, name, &virname, &scanned, e->cl, &options, &c);
    cl_fmap_close (map);
    if (c.oom)
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                   KIKAN_REASON_LIMIT_EXCEEDED, "out of memory while scanning");
    for (size_t i = 0; i < c.n_sigs; i++)
        apply_alert (job->r, c.sigs[i]);
    if (ret == CL_VIRUS && c.n_sigs == 0 && virname != NULL)
        apply_alert (job->r, virname);
    apply_cl_result (job->r, ret);
    if (c.depth_cut)
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                   KIKAN_REASON_LIMIT_EXCEEDED,
                                   "Heuristics.Limits.Exceeded.MaxRecursion");

    /* An alert inside a layer belongs to every layer that contains it: an
     * inner.zip holding EICAR is itself infected.  Layers are in pre-order,
     * so a layer's ancestors are the nearest earlier layers of each lower
     * level. */
    for (size_t i = c.n_layers; i-- > 0;) {
        Layer *l = &c.layers[i];
        uint32_t want = l->level;

        if (l->n_sigs == 0)
            continue;
        for (size_t j = i; j-- > 0 && want > 0;) {
            if (c.layers[j].level >= want)
                continue;
            want = c.layers[j].level;
            for (size_t s = 0; s < l->n_sigs; s++)
                if (strv_add (&c.layers[j].sigs, &c.layers[j].n_sigs, l->sigs[s]) != 0)
                    c.oom = 1;
        }
    }


    /* Members libclamav reached (layers below the root), with their own
     * verdicts. */
    for (size_t i = 0; i < c.n_layers; i++) {
        Layer *l = &c.layers[i];
        KikanReason why;
        const char *detail;
        KikanResult res;
        KikanMember *m;

        /* Layers past the depth limit were seen but not read: the file's
         * reason says so, and they are not listed as reached. */
        if (l->level == 0 && !l->normalized && !l->beyond_depth && !job->root_classified) {
            /* The blob itself: the file, or the member a fallback
             * extractor handed over (cross_check moves it to its line). */
            kikan_exec_info_clear (&job->r->exec);
            job->r->exec = l->exec;
            memset (&l->exec, 0, sizeof l->exec);
            job->root_classified = 1;
        }
        if (l->level == 0 || l->normalized || l->beyond_depth)
            continue;
        res = classify_names (l->sigs, l->n_sigs, &why, &detail);
        if ((m = report_add_member (job->r, lim->max_files)) == NULL)
            break;
        member_set (m, l->name, depth + l->level, l->size, KIKAN_EXTRACTOR_CLAMAV);
        m->exec = l->exec;
        memset (&l->exec, 0, sizeof l->exec);
        m->result = res;
        m->reason = why;
        m->reason_detail = detail ? strdup (detail) : NULL;
        /* libclamav silently truncates a member at max_filesize: a layer of
         * exactly that size was not read to its end. */
        if (l->size >= lim->max_filesize && res != KIKAN_RESULT_INFECTED) {
            m->result = KIKAN_RESULT_NOT_INSPECTED;
            m->reason = KIKAN_REASON_LIMIT_EXCEEDED;
            free (m->reason_detail);
            m->reason_detail = strdup ("member truncated at max_filesize");
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "archive member larger than max_filesize");
        }
        if (l->image_unopened && res != KIKAN_RESULT_INFECTED
            && !(depth == 0 && within_images_only (&c, i))) {
            m->result = KIKAN_RESULT_NOT_INSPECTED;
            m->reason = KIKAN_REASON_UNSUPPORTED;
            free (m->reason_detail);
            m->reason_detail = strdup (image_not_walked_detail);
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_UNSUPPORTED, image_not_walked_detail);
        }
        for (size_t s = 0; s < l->n_sigs; s++)
            if (res == KIKAN_RESULT_INFECTED && !has_prefix (l->sigs[s], "Heuristics.Limits")
                && !has_prefix (l->sigs[s], "Heuristics.Encrypted"))
                strv_add (&m->signatures, &m->n_signatures, l->sigs[s]);
        if (l->copy_refused)
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "nested archive too large to cross-check");
    }

    /* Take the blob itself apart along every extraction route, then every
     * nested archive or compressed stream libclamav handed us.  A member is
     * covered when libclamav scanned its exact bytes anywhere in this blob
     * (layers past the depth limit were not scanned and do not count). */
    {
        const char *root_type = (c.n_layers > 0 && c.layers[0].level == 0) ? c.layers[0].type
                                                                           : NULL;
        DigestSet clam = { 0 };

        for (size_t i = 0; i < c.n_layers; i++)
            if (c.layers[i].has_digest && !c.layers[i].beyond_depth
                && digest_set_add (&clam, c.layers[i].digest) != 0)
                c.oom = 1;
        if (c.oom)
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "out of memory while scanning");
        if (depth < lim->max_recursion)
            cross_check (job, &clam, blob, root_type, depth);
        for (size_t i = 0; i < c.n_layers; i++) {
            Layer *l = &c.layers[i];
            KikanBlob nb;

            if (l->copy == NULL)
                continue;
            nb.data = l->copy;
            nb.src = NULL;
            nb.size = l->copy_len;
            if (depth + l->level < lim->max_recursion)
                cross_check (job, &clam, &nb, l->type, depth + l->level);
        }
        digest_set_clear (&clam);
    }
    ctx_clear (&c);
}

/* ---- public scan entry points ---- */

/* Reads a file's bytes exactly once (issue #8 item 8).  libclamav, every
 * extraction route, the program classification and the SHA-256 all work
 * on this one copy: a medium that answers differently on a second read,
 * or a file that shrinks or grows under the scan, cannot make the hash
 * describe other bytes than the ones scanned. */
typedef enum {
    SNAP_OK = 0,
    SNAP_NOMEM,
    SNAP_EIO,       /* a read failed */
    SNAP_SHORTER,   /* the end came before the size the file had when opened */
    SNAP_LONGER,    /* there was more than that */
} SnapStatus;

static SnapStatus
snapshot_read (const KikanSource *src, uint64_t size, unsigned char **out, uint64_t *got)
{
    unsigned char *buf, extra;
    uint64_t off = 0;

    *out = NULL;
    *got = 0;
    if ((buf = malloc (size ? (size_t) size : 1)) == NULL)
        return SNAP_NOMEM;
    while (off < size) {
        size_t want = size - off < (8u << 20) ? (size_t) (size - off) : (8u << 20);
        ssize_t n = src->pread (src->handle, buf + off, want, off);

        if (n < 0) {
            free (buf);
            *got = off;
            return SNAP_EIO;
        }
        if (n == 0) {
            free (buf);
            *got = off;
            return SNAP_SHORTER;
        }
        off += (uint64_t) n;
    }
    *got = off;
    if (src->pread (src->handle, &extra, 1, size) > 0) {
        free (buf);
        return SNAP_LONGER;
    }
    *out = buf;
    return SNAP_OK;
}

static void
sha256_buffer (const void *p, size_t n, char out[65])
{
    unsigned char digest[32];
    unsigned int dlen = 0;

    if (EVP_Digest (p, n, digest, &dlen, EVP_sha256 (), NULL) != 1) {
        out[0] = '\0';
        return;
    }
    for (unsigned i = 0; i < 32; i++)
        snprintf (out + 2 * i, 3, "%02x", digest[i]);
}

/* A file libclamav did not look at (too large, unreadable): classified
 * from its head alone. */
static void
classify_top (const KikanBlob *blob, const char *path, KikanFileReport *out)
{
    unsigned char *head = NULL;
    size_t n = 0;

    if (blob->data != NULL)
        exec_classify (&out->exec, path, blob->data, blob->size, blob->size, 0);
    else {
        size_t want = blob->size < (1u << 20) ? (size_t) blob->size : (1u << 20);
        ssize_t got;

        if ((head = malloc (want ? want : 1)) != NULL
            && (got = blob->src->pread (blob->src->handle, head, want, 0)) > 0)
            n = (size_t) got;
        exec_classify (&out->exec, path, n ? head : NULL, n, blob->size, 0);
        free (head);
    }
}

/* 1 when the file open at @fd is no longer what fstat said before it was
 * read: size, modification or change time, or identity. */
static int
fd_changed (int fd, const struct stat *before)
{
    struct stat now;

    if (fstat (fd, &now) != 0)
        return 1;
    return now.st_size != before->st_size || now.st_ino != before->st_ino
           || now.st_dev != before->st_dev || now.st_mtim.tv_sec != before->st_mtim.tv_sec
           || now.st_mtim.tv_nsec != before->st_mtim.tv_nsec
           || now.st_ctim.tv_sec != before->st_ctim.tv_sec
           || now.st_ctim.tv_nsec != before->st_ctim.tv_nsec;
}

/* @fd and @before: the descriptor a source reads and what fstat said of it
 * before the read (fd < 0 for other sources). */
static int
scan_top (KikanEngine *e, const KikanBlob *blob, const char *path, KikanFileReport *out, int fd,
          const struct stat *before)
{
    const KikanLimits *lim = &e->info.limits;
    double t0 = now_seconds ();
    FileJob job = { 0 };
    unsigned char *snap = NULL;
    KikanBlob mem;
    uint64_t got = 0;
    char detail[160];

    job.e = e;
    job.r = out;
    out->result = KIKAN_RESULT_CLEAN;
    out->size = blob->size;
    if ((out->path = strdup (path ? path : "")) == NULL)
        return KIKAN_ENOMEM;
    /* The size limit comes before any read: a 40 GB sparse file costs
     * nothing and is not inspected, with no hash (issue #8 item 10). */
    if (blob->size > lim->max_filesize) {
        kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_LIMIT_EXCEEDED,
                                   "file larger than max_filesize");
        goto done;
    }
    if (blob->data == NULL) {
        switch (snapshot_read (blob->src, blob->size, &snap, &got)) {
        case SNAP_OK:
            break;
        case SNAP_NOMEM:
            kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "not enough memory to hold the file while it is scanned");
            goto done;
        case SNAP_EIO:
            snprintf (detail, sizeof detail, "read error after %llu of %llu bytes",
                      (unsigned long long) got, (unsigned long long) blob->size);
            kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_READ_ERROR,
                                       detail);
            goto done;
        case SNAP_SHORTER:
            snprintf (detail, sizeof detail,
                      "changed during inspection: it ended after %llu of %llu bytes",
                      (unsigned long long) got, (unsigned long long) blob->size);
            kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_CHANGED,
                                       detail);
            goto done;
        case SNAP_LONGER:
            snprintf (detail, sizeof detail,
                      "changed during inspection: it grew beyond %llu bytes",
                      (unsigned long long) blob->size);
            kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_CHANGED,
                                       detail);
            goto done;
        }
        if (fd >= 0 && fd_changed (fd, before)) {
            free (snap);
            snap = NULL;
            kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_CHANGED,
                                       "changed during inspection: its size or modification "
                                       "time changed while it was read");
            goto done;
        }
        mem.data = snap;
    } else {
        mem.data = blob->data;
    }
    mem.src = NULL;
    mem.size = blob->size;
    sha256_buffer (mem.data, mem.size, out->sha256);
    if (mem.size <= 5) {
        /* libclamav skips these without looking; see docs/json.md. */
        out->flags |= KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE;
        exec_classify (&out->exec, path, mem.data, mem.size, mem.size, 0);
        job.root_classified = 1;
        goto done;
    }
    job.deadline = t0 + lim->max_scantime_ms / 1000.0;
    scan_blob (&job, &mem, path, 0);
    if (!job.root_classified) {
        exec_classify (&out->exec, path, mem.data, mem.size, mem.size, 0);
        job.root_classified = 1;
    }
done:
    if (!job.root_classified)
        classify_top (blob, path, out);
    /* A program's hash is the file's: the one of the bytes scanned, or ""
     * when they were not read. */
    if (out->exec.type != KIKAN_FILETYPE_OTHER)
        memcpy (out->exec.sha256, out->sha256, sizeof out->sha256);
    digest_set_clear (&job.scanned);
    free (snap);
    out->seconds = now_seconds () - t0;
    return 0;
}

int
kikan_engine_scan_fd (KikanEngine *e, int fd, const char *path, KikanFileReport *out)
{
    struct stat st;
    KikanSource src;
    KikanBlob blob;

    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        out->result = KIKAN_RESULT_NOT_INSPECTED;
        out->path = strdup (path ? path : "");
        kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_UNSUPPORTED,
                                   "not a regular file");
        return out->path ? 0 : KIKAN_ENOMEM;
    }
    kikan_source_init_fd (&src, &fd, (uint64_t) st.st_size);
    blob.data = NULL;
    blob.src = &src;
    blob.size = src.size;
    return scan_top (e, &blob, path, out, fd, &st);
}

int
kikan_engine_scan_source (KikanEngine *e, const KikanSource *src, const char *path,
                          KikanFileReport *out)
{
    KikanBlob blob;

    blob.data = NULL;
    blob.src = src;
    blob.size = src->size;
    return scan_top (e, &blob, path, out, -1, NULL);
}

int
kikan_engine_scan_buffer (KikanEngine *e, const void *buf, size_t len, const char *path,
                          KikanFileReport *out)
{
    KikanBlob blob;

    blob.data = buf;
    blob.src = NULL;
    blob.size = len;
    return scan_top (e, &blob, path, out, -1, NULL);
}
