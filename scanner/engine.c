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
    char **sigs;
    size_t n_sigs;
    int matched;               /* claimed by a fallback listing */
    int beyond_depth;          /* deeper than max_recursion counting the fallback's depth */
    long member;               /* index in the report's members, -1 if none */
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
    l->member = -1;
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
    if (!l->normalized)
        exec_classify (&l->exec, file_name, file_buffer, file_buffer ? file_size : 0, file_size,
                       !(recursion_level == 0 && c->base_depth == 0));
    /* Nested archives are kept so the fallback extractors can list them
     * after libclamav is done: the buffer is only valid during this call. */
    if (recursion_level >= 1 && type != NULL && is_archive_type (type) && file_buffer != NULL) {
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
    uint32_t fallback_members;   /* members the fallback extractors handled */
    int root_classified;         /* job->r->exec was filled from libclamav's root layer */
} FileJob;

/* libclamav's fmap reads through this, so a file inside a volume read by
 * The Sleuth Kit, or a decrypted volume, needs no temporary copy. */
static off_t
source_pread_cb (void *handle, void *buf, size_t count, off_t offset)
{
    const KikanSource *src = handle;

    if (offset < 0)
        return -1;
    return (off_t) src->pread (src->handle, buf, count, (uint64_t) offset);
}

static void scan_blob (FileJob *job, const KikanBlob *blob, const char *name, uint32_t depth);

static const char *
basename_of (const char *p)
{
    const char *s = strrchr (p, '/');
    const char *b = strrchr (p, '\\');

    if (b != NULL && (s == NULL || b > s))
        s = b;
    return s ? s + 1 : p;
}

static void
mark_member_short (KikanFileReport *r, Layer *l, uint64_t real_size)
{
    KikanMember *m;
    char detail[128];

    if (l->member < 0 || (size_t) l->member >= r->n_members)
        return;
    m = &r->members[l->member];
    if (m->result == KIKAN_RESULT_INFECTED)
        return;
    snprintf (detail, sizeof detail, "libclamav read %llu of %llu bytes",
              (unsigned long long) l->size, (unsigned long long) real_size);
    m->result = KIKAN_RESULT_NOT_INSPECTED;
    if (m->reason == KIKAN_REASON_NONE)
        m->reason = KIKAN_REASON_LIMIT_EXCEEDED;
    free (m->reason_detail);
    m->reason_detail = strdup (detail);
}

/* Lists @blob with a fallback extractor and compares with the libclamav
 * layers [first, end) that lie beneath it.  Members libclamav did not
 * reach (same basename and size) are extracted and scanned here. */
static void
cross_check (FileJob *job, ScanCtx *c, size_t first, size_t end, const KikanBlob *blob,
             const char *clam_type, uint32_t depth)
{
    const KikanLimits *lim = &job->e->info.limits;
    KikanArchive *a = NULL;
    const char *extractor = NULL;
    char err[256] = "";
    int r;

    r = kikan_archive_open (blob, lim->max_filesize, &a, &extractor, err, sizeof err);
    if (r == KIKAN_ARCHIVE_OVER_LIMIT) {
        kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                   KIKAN_REASON_LIMIT_EXCEEDED, err);
        return;
    }
    if (r != 0) {
        /* Not an archive to any fallback extractor.  For a type that must
         * hold members the member list cannot be confirmed, whatever
         * libclamav reached: fail closed. */
        if (clam_type != NULL && must_be_readable_type (clam_type))
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_PARSE_ERROR,
                                       err[0] ? err : "no extractor can read this archive");
        return;
    }

    for (;;) {
        KikanArchiveEntry ent;
        const char *ename;
        size_t match = end;

        r = kikan_archive_next (a, &ent);
        if (r == 0)
            break;
        if (r < 0) {
            if (r == KIKAN_ENOTSUP && !(clam_type && must_be_readable_type (clam_type)))
                break;  /* not an archive after all (e.g. a lone .gz) */
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_PARSE_ERROR, kikan_archive_error (a));
            break;
        }
        if (!ent.is_regular)
            continue;
        if (ent.size_known && ent.size <= 5)
            continue;  /* libclamav skips such files too; see docs/json.md */
        if (now_seconds () > job->deadline) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_TIMEOUT,
                                       "scan time limit reached while cross-checking members");
            break;
        }
        if (++job->fallback_members > lim->max_files) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "too many archive members (max_files)");
            break;
        }
        ename = basename_of (ent.name);
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
        /* libarchive and libunarr never reach a RAR's content through
         * libclamav here, so RAR members are always scanned by the fallback. */
        if (strcmp (extractor, KIKAN_EXTRACTOR_LIBUNARR) != 0) {
            for (size_t j = first; j < end; j++) {
                Layer *l = &c->layers[j];
                if (l->matched || l->normalized || l->name == NULL)
                    continue;
                if (strcmp (basename_of (l->name), ename) != 0)
                    continue;
                if (ent.size_known && l->size != ent.size) {
                    /* Same member, other size: libclamav read something
                     * else than the archive holds (truncation, ZIP64 local
                     * sizes).  Its verdict on that member does not count. */
                    mark_member_short (job->r, l, ent.size);
                    continue;
                }
                match = j;
                break;
            }
        }
        if (match < end) {
            c->layers[match].matched = 1;
            continue;
        }
        if (depth + 1 > lim->max_recursion) {
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "archive nesting beyond max_recursion");
            break;
        }
        {
            unsigned char *buf = NULL;
            size_t len = 0;
            KikanBlob sub;
            KikanMember *m;
            size_t mi;

            r = kikan_archive_extract (a, lim->max_filesize, &buf, &len);
            if (r == KIKAN_ARCHIVE_OVER_LIMIT) {
                kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                           KIKAN_REASON_LIMIT_EXCEEDED,
                                           "archive member larger than max_filesize");
                continue;
            }
            if (r != 0) {
                kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                           r == KIKAN_ENOMEM ? KIKAN_REASON_LIMIT_EXCEEDED
                                                             : KIKAN_REASON_PARSE_ERROR,
                                           kikan_archive_error (a));
                break;
            }
            if ((m = report_add_member (job->r, lim->max_files)) != NULL)
                member_set (m, ent.name, depth + 1, len, extractor);
            mi = m ? (size_t) (m - job->r->members) : (size_t) -1;
            sub.data = buf;
            sub.src = NULL;
            sub.size = len;
            {
                /* Scan the member into a scratch report so its own verdict
                 * can be recorded on its member line, then merge. */
                KikanFileReport sr = { 0 };
                KikanFileReport *saved = job->r;

                int saved_root = job->root_classified;

                job->r = &sr;
                job->root_classified = 0;
                scan_blob (job, &sub, ent.name, depth + 1);
                if (!job->root_classified)
                    exec_classify (&sr.exec, ent.name, buf, len, len, 1);
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
            free (buf);
        }
    }
    kikan_archive_free (a);
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
    if (blob->data != NULL)
        map = cl_fmap_open_memory (blob->data, blob->size);
    else
        map = cl_fmap_open_handle ((void *) blob->src, 0, blob->size, source_pread_cb, 1);
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
        l->member = (long) (m - job->r->members);
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
        for (size_t s = 0; s < l->n_sigs; s++)
            if (res == KIKAN_RESULT_INFECTED && !has_prefix (l->sigs[s], "Heuristics.Limits")
                && !has_prefix (l->sigs[s], "Heuristics.Encrypted"))
                strv_add (&m->signatures, &m->n_signatures, l->sigs[s]);
        if (l->copy_refused)
            kikan_file_report_degrade (job->r, KIKAN_RESULT_NOT_INSPECTED,
                                       KIKAN_REASON_LIMIT_EXCEEDED,
                                       "nested archive too large to cross-check");
    }

    /* Cross-check the blob itself, then every nested archive libclamav
     * handed us, each against the layers beneath it. */
    {
        const char *root_type = (c.n_layers > 0 && c.layers[0].level == 0) ? c.layers[0].type
                                                                           : NULL;
        size_t first = (c.n_layers > 0 && c.layers[0].level == 0) ? 1 : 0;

        if (depth < lim->max_recursion)
            cross_check (job, &c, first, c.n_layers, blob, root_type, depth);
    }
    for (size_t i = 0; i < c.n_layers; i++) {
        Layer *l = &c.layers[i];
        size_t end = i + 1;
        KikanBlob nb;

        if (l->copy == NULL)
            continue;
        while (end < c.n_layers && c.layers[end].level > l->level)
            end++;
        nb.data = l->copy;
        nb.src = NULL;
        nb.size = l->copy_len;
        if (depth + l->level < lim->max_recursion)
            cross_check (job, &c, i + 1, end, &nb, l->type, depth + l->level);
    }
    ctx_clear (&c);
}

/* ---- public scan entry points ---- */

static int
sha256_source (const KikanSource *src, uint64_t size, char out[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new ();
    unsigned char *buf = NULL, digest[32];
    unsigned int dlen = 0;
    uint64_t off = 0;
    int r = KIKAN_EIO;

    if (md == NULL || (buf = malloc (1 << 20)) == NULL) {
        r = KIKAN_ENOMEM;
        goto out;
    }
    if (EVP_DigestInit_ex (md, EVP_sha256 (), NULL) != 1)
        goto out;
    while (off < size) {
        size_t want = size - off < (1u << 20) ? (size_t) (size - off) : (1u << 20);
        ssize_t n = src->pread (src->handle, buf, want, off);
        if (n <= 0)
            goto out;
        EVP_DigestUpdate (md, buf, (size_t) n);
        off += (uint64_t) n;
    }
    if (EVP_DigestFinal_ex (md, digest, &dlen) != 1)
        goto out;
    for (unsigned i = 0; i < 32; i++)
        snprintf (out + 2 * i, 3, "%02x", digest[i]);
    r = 0;
out:
    free (buf);
    EVP_MD_CTX_free (md);
    return r;
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

/* A file libclamav did not look at (too small, too large, unreadable):
 * classified from its head, with the whole-file hash already computed. */
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

static int
scan_top (KikanEngine *e, const KikanBlob *blob, const char *path, KikanFileReport *out)
{
    const KikanLimits *lim = &e->info.limits;
    double t0 = now_seconds ();
    FileJob job = { e, out, 0, 0, 0 };

    out->result = KIKAN_RESULT_CLEAN;
    out->size = blob->size;
    if ((out->path = strdup (path ? path : "")) == NULL)
        return KIKAN_ENOMEM;
    if (blob->data != NULL)
        sha256_buffer (blob->data, blob->size, out->sha256);
    else if (sha256_source (blob->src, blob->size, out->sha256) != 0) {
        out->sha256[0] = '\0';
        kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_READ_ERROR,
                                   "the file could not be read to the end");
        goto done;
    }
    if (blob->size <= 5) {
        /* libclamav skips these without looking; see docs/json.md. */
        out->flags |= KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE;
        goto done;
    }
    if (blob->size > lim->max_filesize) {
        kikan_file_report_degrade (out, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_LIMIT_EXCEEDED,
                                   "file larger than max_filesize");
        goto done;
    }
    job.deadline = t0 + lim->max_scantime_ms / 1000.0;
    scan_blob (&job, blob, path, 0);
done:
    if (!job.root_classified)
        classify_top (blob, path, out);
    /* A program's hash is the file's, computed once above. */
    if (out->exec.type != KIKAN_FILETYPE_OTHER)
        memcpy (out->exec.sha256, out->sha256, sizeof out->sha256);
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
    return scan_top (e, &blob, path, out);
}

int
kikan_engine_scan_source (KikanEngine *e, const KikanSource *src, const char *path,
                          KikanFileReport *out)
{
    KikanBlob blob;

    blob.data = NULL;
    blob.src = src;
    blob.size = src->size;
    return scan_top (e, &blob, path, out);
}

int
kikan_engine_scan_buffer (KikanEngine *e, const void *buf, size_t len, const char *path,
                          KikanFileReport *out)
{
    KikanBlob blob;

    blob.data = buf;
    blob.src = NULL;
    blob.size = len;
    return scan_top (e, &blob, path, out);
}
