/* Installed software and OS posture read from a system disk
 * (include/kikan/inventory.h; issue #4 item 3, JNSA-2.2, JNSA-2.4,
 * Admin C-1, F-1, KR-16, KR-46).
 *
 * Runs inside the sandboxed worker on hostile bytes.  Decisions worth
 * knowing:
 *
 *  - Hives are opened with hivex_open (path, 0), i.e. WITHOUT
 *    HIVEX_OPEN_UNSAFE.  UNSAFE skips damaged hbins and cells and would let
 *    a partly corrupt (or deliberately damaged) hive yield a partial
 *    program list that looks complete.  Strict mode rejects such a hive,
 *    which becomes a problem, hence a HOLD (fail closed, KR-19).  Before
 *    libhivex sees the file its base block is checked here, so that the
 *    problem names the cause in plain English (empty, truncated, not a
 *    hive, checksum).
 *  - REG_SZ / REG_EXPAND_SZ are decoded here from the raw bytes, not with
 *    hivex_value_string: that one fails on invalid UTF-16 (iconv EILSEQ),
 *    which would hide a hostile DisplayName.  The decoder replaces unpaired
 *    surrogates and a dangling odd byte with U+FFFD and stops at the first
 *    NUL, as Windows' own list shows the name.  Key and value NAMES are
 *    still decoded by libhivex (iconv); one that fails is skipped, it
 *    cannot equal the ASCII names looked up.
 *  - Child lookups are done here rather than with hivex_node_get_child,
 *    which gives up on the whole list when one sibling's name does not
 *    decode; the comparison is ASCII case-insensitive like Windows'.
 *  - The walk never recurses: fixed paths plus one level under Uninstall
 *    and CBS\Packages, so a cyclic hive cannot loop; the total number of
 *    keys and values looked at is still bounded (KIKAN_INV_MAX_VISITS).
 *  - Windows 11 keeps "Windows 10" in ProductName: with CurrentBuild >=
 *    22000 the product is reported as "Windows 11..." (what winver shows).
 *  - dpkg: a package counts when its files are on disk, i.e. the third
 *    Status word is installed, unpacked, half-configured, half-installed,
 *    triggers-awaited or triggers-pending (want "hold" or "deinstall" does
 *    not remove anything); config-files and not-installed do not count.
 *  - Systems are merged per volume and family (see add_marker); the most
 *    specific source wins the system's @source (hive / os-release /
 *    SystemVersion.plist over dpkg status over a marker).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hivex.h>
#include <plist/plist.h>

#include "kikan/errors.h"
#include "kikan/inventory.h"

/* Keys and values looked at in one hive.  A real SOFTWARE hive needs a
 * few tens of thousands (CBS\Packages is the largest list). */
#define KIKAN_INV_MAX_VISITS 1000000u

#define FILETIME_UNIX_EPOCH 116444736000000000LL

/* ---- Small helpers ---- */

/* Copies at most KIKAN_INV_MAX_STRING bytes of @s (@n bytes, stops at a NUL
 * too), cut on a UTF-8 boundary when longer; sets *@truncated then. */
static char *
dup_capped (const char *s, size_t n, int *truncated)
{
    char *r;

    n = strnlen (s, n);
    if (n > KIKAN_INV_MAX_STRING) {
        n = KIKAN_INV_MAX_STRING;
        /* Back over continuation bytes so a sequence is never split. */
        for (int k = 0; k < 3 && n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80; k++)
            n--;
        if (truncated != NULL)
            *truncated = 1;
    }
    r = malloc (n + 1);
    if (r == NULL)
        return NULL;
    memcpy (r, s, n);
    r[n] = '\0';
    return r;
}

static int
put_utf8 (char *out, size_t *o, uint32_t cp)
{
    size_t need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

    if (*o + need > KIKAN_INV_MAX_STRING)
        return -1;
    if (need == 1) {
        out[(*o)++] = (char) cp;
    } else if (need == 2) {
        out[(*o)++] = (char) (0xC0 | (cp >> 6));
        out[(*o)++] = (char) (0x80 | (cp & 0x3F));
    } else if (need == 3) {
        out[(*o)++] = (char) (0xE0 | (cp >> 12));
        out[(*o)++] = (char) (0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char) (0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char) (0xF0 | (cp >> 18));
        out[(*o)++] = (char) (0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char) (0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char) (0x80 | (cp & 0x3F));
    }
    return 0;
}

/* UTF-16LE registry string -> UTF-8, up to the first NUL, invalid code
 * units replaced by U+FFFD, capped at KIKAN_INV_MAX_STRING. */
static char *
utf16le_to_utf8 (const unsigned char *b, size_t n, int *truncated)
{
    char *out = malloc (KIKAN_INV_MAX_STRING + 1);
    size_t o = 0, i = 0;

    if (out == NULL)
        return NULL;
    while (i + 1 < n) {
        uint32_t u = (uint32_t) b[i] | ((uint32_t) b[i + 1] << 8);
        uint32_t cp;

        i += 2;
        if (u == 0)
            goto done;
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = i + 1 < n ? ((uint32_t) b[i] | ((uint32_t) b[i + 1] << 8)) : 0;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                cp = 0xFFFD;
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = 0xFFFD;
        } else {
            cp = u;
        }
        if (put_utf8 (out, &o, cp) != 0) {
            *truncated = 1;
            goto done;
        }
    }
    /* A dangling odd byte: the string was cut inside a code unit. */
    if (i < n && put_utf8 (out, &o, 0xFFFD) != 0)
        *truncated = 1;
done:
    out[o] = '\0';
    return out;
}

/* Arrays grow to powers of two (at least 8); the capacity is implied by
 * the count, as the public struct has no room for it. */
static int
grow (void **arr, size_t n, size_t elem)
{
    size_t cap;
    void *p;

    if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
        return 0;
    cap = n == 0 ? 8 : n * 2;
    if (cap > SIZE_MAX / elem)
        return KIKAN_ENOMEM;
    p = realloc (*arr, cap * elem);
    if (p == NULL)
        return KIKAN_ENOMEM;
    *arr = p;
    return 0;
}

int
kikan_inventory_add_problem (KikanInventory *inv, const char *source, const char *what)
{
    KikanInvProblem *p;

    if (inv == NULL || what == NULL)
        return KIKAN_EINVAL;
    if (grow ((void **) &inv->problems, inv->n_problems, sizeof *inv->problems) != 0)
        return KIKAN_ENOMEM;
    p = &inv->problems[inv->n_problems];
    p->source = strdup (source != NULL ? source : "");
    p->what = strdup (what);
    if (p->source == NULL || p->what == NULL) {
        free (p->source);
        free (p->what);
        return KIKAN_ENOMEM;
    }
    inv->n_problems++;
    return 0;
}

static int
problemf (KikanInventory *inv, const char *source, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
problemf (KikanInventory *inv, const char *source, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    va_start (ap, fmt);
    vsnprintf (what, sizeof what, fmt, ap);
    va_end (ap);
    return kikan_inventory_add_problem (inv, source, what);
}

/* Takes ownership of every string in @p (also on failure). */
static int
push_program (KikanInventory *inv, KikanProgram *p)
{
    if (grow ((void **) &inv->programs, inv->n_programs, sizeof *inv->programs) != 0) {
        kikan_program_clear (p);
        return KIKAN_ENOMEM;
    }
    inv->programs[inv->n_programs++] = *p;
    memset (p, 0, sizeof *p);
    return 0;
}

/* ---- Paths and volumes ---- */

/* Length of the volume part of a source ("p2" of "p2:/Windows/..."), 0
 * for a plain path (the whole target is one volume). */
static size_t
volume_len (const char *source)
{
    const char *c = strstr (source, ":/");

    if (c == NULL || memchr (source, '/', (size_t) (c - source)) != NULL)
        return 0;
    return (size_t) (c - source);
}

static int
same_volume (const char *a, const char *b)
{
    size_t la = volume_len (a), lb = volume_len (b);

    return la == lb && strncmp (a, b, la) == 0;
}

static int
source_rank (const char *source)
{
    switch (kikan_inventory_source_of_path (source)) {
    case KIKAN_INV_SOURCE_HIVE:
    case KIKAN_INV_SOURCE_OS_RELEASE:
    case KIKAN_INV_SOURCE_SYSTEM_PLIST:
        return 2;
    case KIKAN_INV_SOURCE_DPKG_STATUS:
        return 1;
    default:
        return 0;
    }
}

/* The system of @family on @source's volume, made if missing.  A more
 * specific @source replaces the system's. */
static int
get_system (KikanInventory *inv, KikanOsFamily family, const char *source, KikanSystem **out)
{
    KikanSystem *s;

    for (size_t i = 0; i < inv->n_systems; i++) {
        s = &inv->systems[i];
        if (s->family != family || !same_volume (s->source, source))
            continue;
        if (source_rank (source) > source_rank (s->source)) {
            char *c = strdup (source);
            if (c == NULL)
                return KIKAN_ENOMEM;
            free (s->source);
            s->source = c;
        }
        *out = s;
        return 0;
    }
    if (grow ((void **) &inv->systems, inv->n_systems, sizeof *inv->systems) != 0)
        return KIKAN_ENOMEM;
    s = &inv->systems[inv->n_systems];
    memset (s, 0, sizeof *s);
    s->family = family;
    if ((s->source = strdup (source)) == NULL)
        return KIKAN_ENOMEM;
    inv->n_systems++;
    *out = s;
    return 0;
}

/* Replaces *@field with @value (taken) when @value is set. */
static void
set_field (char **field, char *value)
{
    if (value == NULL)
        return;
    free (*field);
    *field = value;
}

int
kikan_inventory_add_marker (KikanInventory *inv, KikanOsFamily family, const char *source)
{
    KikanSystem *s;

    if (inv == NULL || source == NULL)
        return KIKAN_EINVAL;
    return get_system (inv, family, source, &s);
}

/* One component pattern: a literal, "*" (any one component but "." and
 * ".."), or "*.app" (one component ending in ".app"). */
static int
component_matches (const char *c, size_t n, const char *pat)
{
    if (strcmp (pat, "*") == 0)
        return n > 0 && !(n == 1 && c[0] == '.') && !(n == 2 && c[0] == '.' && c[1] == '.');
    if (strcmp (pat, "*.app") == 0)
        return n > 4 && strncasecmp (c + n - 4, ".app", 4) == 0;
    return strlen (pat) == n && strncasecmp (c, pat, n) == 0;
}

static int
path_matches (const char *path, const char *pattern)
{
    char pat[128];
    char *save = NULL, *tok;

    snprintf (pat, sizeof pat, "%s", pattern);
    tok = strtok_r (pat, "/", &save);
    while (tok != NULL) {
        const char *slash = strchr (path, '/');
        size_t n = slash != NULL ? (size_t) (slash - path) : strlen (path);

        if (!component_matches (path, n, tok))
            return 0;
        tok = strtok_r (NULL, "/", &save);
        if (tok == NULL)
            return slash == NULL;
        if (slash == NULL)
            return 0;
        path = slash + 1;
    }
    return 0;
}

static const struct {
    const char *pattern;
    KikanInvSource kind;
} source_table[] = {
    { "Windows/System32/config/SOFTWARE", KIKAN_INV_SOURCE_HIVE },
    { "Users/*/NTUSER.DAT", KIKAN_INV_SOURCE_HIVE },
    { "Documents and Settings/*/NTUSER.DAT", KIKAN_INV_SOURCE_HIVE },
    { "var/lib/dpkg/status", KIKAN_INV_SOURCE_DPKG_STATUS },
    { "etc/os-release", KIKAN_INV_SOURCE_OS_RELEASE },
    { "usr/lib/os-release", KIKAN_INV_SOURCE_OS_RELEASE },
    { "Applications/*.app/Contents/Info.plist", KIKAN_INV_SOURCE_APP_PLIST },
    { "System/Applications/*.app/Contents/Info.plist", KIKAN_INV_SOURCE_APP_PLIST },
    { "System/Library/CoreServices/SystemVersion.plist", KIKAN_INV_SOURCE_SYSTEM_PLIST },
    { "Windows/System32/config/SYSTEM", KIKAN_INV_SOURCE_MARKER_WINDOWS },
    { "Windows/explorer.exe", KIKAN_INV_SOURCE_MARKER_WINDOWS },
    { "Windows/System32/ntoskrnl.exe", KIKAN_INV_SOURCE_MARKER_WINDOWS },
    { "etc/passwd", KIKAN_INV_SOURCE_MARKER_LINUX },
    { "etc/fstab", KIKAN_INV_SOURCE_MARKER_LINUX },
    { "System/Library/CoreServices/boot.efi", KIKAN_INV_SOURCE_MARKER_MACOS },
};

KikanInvSource
kikan_inventory_source_of_path (const char *path)
{
    if (path == NULL)
        return KIKAN_INV_SOURCE_NONE;
    /* Optional volume prefix "pN:". */
    if (path[0] == 'p' && path[1] >= '0' && path[1] <= '9') {
        const char *q = path + 1;
        while (*q >= '0' && *q <= '9')
            q++;
        if (*q == ':')
            path = q + 1;
    }
    while (*path == '/')
        path++;
    for (size_t i = 0; i < sizeof source_table / sizeof source_table[0]; i++)
        if (path_matches (path, source_table[i].pattern))
            return source_table[i].kind;
    return KIKAN_INV_SOURCE_NONE;
}

uint64_t
kikan_inventory_source_max (KikanInvSource s)
{
    switch (s) {
    case KIKAN_INV_SOURCE_HIVE:
        return KIKAN_INV_MAX_HIVE;
    case KIKAN_INV_SOURCE_DPKG_STATUS:
        return KIKAN_INV_MAX_TEXT;
    case KIKAN_INV_SOURCE_OS_RELEASE:
    case KIKAN_INV_SOURCE_APP_PLIST:
    case KIKAN_INV_SOURCE_SYSTEM_PLIST:
        return KIKAN_INV_MAX_SMALL;
    default:
        return 0;   /* markers and non-sources are never read */
    }
}

/* ---- Registry hives ---- */

/* libhivex decodes key and value names with iconv (LATIN1 and UTF-16LE to
 * UTF-8).  glibc loads those converters on first use: it reads
 * gconv-modules.cache and dlopens ISO8859-1.so, which the worker's sandbox
 * (Landlock, seccomp) forbids.  Opening both converters once at program
 * start, before any sandbox, and never closing them keeps the modules
 * loaded, so libhivex's own iconv_open inside the sandbox finds them in
 * memory. */
#include <iconv.h>

static iconv_t preloaded[2];

__attribute__ ((constructor)) static void
preload_converters (void)
{
    preloaded[0] = iconv_open ("UTF-8", "LATIN1");
    preloaded[1] = iconv_open ("UTF-8", "UTF-16LE");
}

typedef struct {
    hive_h *h;
    KikanInventory *inv;
    const char *source;
    const char *user;
    size_t visits;
    int over_budget;      /* KIKAN_INV_MAX_VISITS reached */
    int unlisted;         /* a key's subkeys or values could not be listed */
    int oom;
    size_t n_programs;    /* programs taken from this hive */
    int over_programs;
} Hive;

static int
visit (Hive *hv, size_t n)
{
    if (hv->over_budget || n > KIKAN_INV_MAX_VISITS - hv->visits) {
        hv->over_budget = 1;
        return -1;
    }
    hv->visits += n;
    return 0;
}

/* Child @name of @node (ASCII case-insensitive), 0 when absent. */
static hive_node_h
child (Hive *hv, hive_node_h node, const char *name)
{
    hive_node_h *kids, r = 0;

    if (node == 0)
        return 0;
    if ((kids = hivex_node_children (hv->h, node)) == NULL) {
        if (errno == ENOMEM)
            hv->oom = 1;
        hv->unlisted++;
        return 0;
    }
    for (size_t i = 0; kids[i] != 0 && r == 0; i++) {
        char *n;
        if (visit (hv, 1) != 0)
            break;
        if ((n = hivex_node_name (hv->h, kids[i])) == NULL)
            continue;
        if (strcasecmp (n, name) == 0)
            r = kids[i];
        free (n);
    }
    free (kids);
    return r;
}

/* @path is '\'-separated below @node. */
static hive_node_h
lookup (Hive *hv, hive_node_h node, const char *path)
{
    char buf[256], *save = NULL, *tok;

    snprintf (buf, sizeof buf, "%s", path);
    for (tok = strtok_r (buf, "\\", &save); tok != NULL && node != 0;
         tok = strtok_r (NULL, "\\", &save))
        node = child (hv, node, tok);
    return node;
}

typedef struct {
    hive_type t;
    size_t len;
    char *data;   /* malloc'd by libhivex */
} Value;

static int
value_get (Hive *hv, hive_node_h node, const char *name, Value *v)
{
    hive_value_h *vals;
    int found = 0;

    memset (v, 0, sizeof *v);
    if (node == 0)
        return 0;
    if ((vals = hivex_node_values (hv->h, node)) == NULL) {
        if (errno == ENOMEM)
            hv->oom = 1;
        hv->unlisted++;
        return 0;
    }
    for (size_t i = 0; vals[i] != 0 && !found; i++) {
        char *k;
        if (visit (hv, 1) != 0)
            break;
        if ((k = hivex_value_key (hv->h, vals[i])) == NULL)
            continue;
        if (strcasecmp (k, name) == 0) {
            v->data = hivex_value_value (hv->h, vals[i], &v->t, &v->len);
            found = v->data != NULL;
        }
        free (k);
    }
    free (vals);
    return found;
}

/* A REG_SZ / REG_EXPAND_SZ as UTF-8; NULL when absent or of another type. */
static char *
value_to_string (Hive *hv, const Value *v, int *truncated)
{
    char *s;

    if (v->data == NULL || (v->t != hive_t_REG_SZ && v->t != hive_t_REG_EXPAND_SZ))
        return NULL;
    s = utf16le_to_utf8 ((const unsigned char *) v->data, v->len, truncated);
    if (s == NULL)
        hv->oom = 1;
    return s;
}

static char *
hive_string (Hive *hv, hive_node_h node, const char *name, int *truncated)
{
    Value v;
    char *s;

    if (!value_get (hv, node, name, &v))
        return NULL;
    s = value_to_string (hv, &v, truncated);
    free (v.data);
    return s;
}

/* DWORD (either order), QWORD, or an 8-byte REG_BINARY (a FILETIME). */
static int
value_to_u64 (const Value *v, uint64_t *out)
{
    const unsigned char *b = (const unsigned char *) v->data;

    if (b == NULL)
        return 0;
    if (v->t == hive_t_REG_DWORD && v->len >= 4) {
        *out = (uint64_t) b[0] | (uint64_t) b[1] << 8 | (uint64_t) b[2] << 16
               | (uint64_t) b[3] << 24;
        return 1;
    }
    if (v->t == hive_t_REG_DWORD_BIG_ENDIAN && v->len >= 4) {
        *out = (uint64_t) b[3] | (uint64_t) b[2] << 8 | (uint64_t) b[1] << 16
               | (uint64_t) b[0] << 24;
        return 1;
    }
    if ((v->t == hive_t_REG_QWORD || v->t == hive_t_REG_BINARY) && v->len == 8) {
        *out = 0;
        for (int i = 7; i >= 0; i--)
            *out = (*out << 8) | b[i];
        return 1;
    }
    return 0;
}

static int
hive_u64 (Hive *hv, hive_node_h node, const char *name, uint64_t *out)
{
    Value v;
    int ok;

    if (!value_get (hv, node, name, &v))
        return 0;
    ok = value_to_u64 (&v, out);
    free (v.data);
    return ok;
}

static int64_t
filetime_to_unix (uint64_t ft)
{
    if (ft <= (uint64_t) FILETIME_UNIX_EPOCH || ft > (uint64_t) INT64_MAX)
        return 0;
    return (int64_t) ((ft - (uint64_t) FILETIME_UNIX_EPOCH) / 10000000u);
}

/* "YYYYMMDD" -> "YYYY-MM-DD"; anything else is kept as it is. */
static char *
normalize_date (char *raw)
{
    char *r;

    if (raw == NULL || strlen (raw) != 8 || strspn (raw, "0123456789") != 8)
        return raw;
    if (strncmp (raw + 4, "01", 2) < 0 || strncmp (raw + 4, "12", 2) > 0
        || strncmp (raw + 6, "01", 2) < 0 || strncmp (raw + 6, "31", 2) > 0)
        return raw;
    if ((r = malloc (11)) == NULL)
        return raw;
    snprintf (r, 11, "%.4s-%.2s-%.2s", raw, raw + 4, raw + 6);
    free (raw);
    return r;
}

static int
is_update_release (const char *t)
{
    static const char *const kinds[] = { "Update", "Hotfix", "Security Update", "Service Pack" };

    for (size_t i = 0; t != NULL && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcasecmp (t, kinds[i]) == 0)
            return 1;
    return 0;
}

/* One Uninstall subkey -> a program (skipped without a DisplayName). */
static int
read_uninstall_entry (Hive *hv, hive_node_h node, uint32_t flags)
{
    KikanProgram p;
    hive_value_h *vals;
    int trunc = 0, r = 0;
    char *name;

    memset (&p, 0, sizeof p);
    if ((vals = hivex_node_values (hv->h, node)) == NULL) {
        if (errno == ENOMEM)
            hv->oom = 1;
        hv->unlisted++;
        return 0;
    }
    for (size_t i = 0; vals[i] != 0; i++) {
        Value v;
        char *k;
        uint64_t n;

        if (visit (hv, 1) != 0)
            break;
        if ((k = hivex_value_key (hv->h, vals[i])) == NULL)
            continue;
        memset (&v, 0, sizeof v);
        if (strcasecmp (k, "DisplayName") == 0 || strcasecmp (k, "DisplayVersion") == 0
            || strcasecmp (k, "Publisher") == 0 || strcasecmp (k, "InstallDate") == 0
            || strcasecmp (k, "SystemComponent") == 0 || strcasecmp (k, "ParentKeyName") == 0
            || strcasecmp (k, "ReleaseType") == 0)
            v.data = hivex_value_value (hv->h, vals[i], &v.t, &v.len);
        if (v.data == NULL) {
            free (k);
            continue;
        }
        if (strcasecmp (k, "DisplayName") == 0) {
            set_field (&p.name, value_to_string (hv, &v, &trunc));
        } else if (strcasecmp (k, "DisplayVersion") == 0) {
            set_field (&p.version, value_to_string (hv, &v, &trunc));
        } else if (strcasecmp (k, "Publisher") == 0) {
            set_field (&p.publisher, value_to_string (hv, &v, &trunc));
        } else if (strcasecmp (k, "InstallDate") == 0) {
            set_field (&p.install_date, normalize_date (value_to_string (hv, &v, &trunc)));
        } else if (strcasecmp (k, "SystemComponent") == 0) {
            if (value_to_u64 (&v, &n) && n != 0)
                p.flags |= KIKAN_PROGRAM_FLAG_SYSTEM_COMPONENT;
        } else if (strcasecmp (k, "ParentKeyName") == 0) {
            int t2 = 0;
            char *s = value_to_string (hv, &v, &t2);
            if (s != NULL && s[0] != '\0')
                p.flags |= KIKAN_PROGRAM_FLAG_UPDATE;
            free (s);
        } else {
            int t2 = 0;
            char *s = value_to_string (hv, &v, &t2);
            if (is_update_release (s))
                p.flags |= KIKAN_PROGRAM_FLAG_UPDATE;
            free (s);
        }
        free (v.data);
        free (k);
    }
    free (vals);
    if (hv->oom)
        goto fail;
    if (p.name == NULL || p.name[0] == '\0') {
        kikan_program_clear (&p);
        return 0;
    }
    if (hv->n_programs >= KIKAN_INV_MAX_PROGRAMS) {
        hv->over_programs = 1;
        kikan_program_clear (&p);
        return 0;
    }
    if ((name = hivex_node_name (hv->h, node)) != NULL) {
        p.key = dup_capped (name, strlen (name), &trunc);
        free (name);
        if (p.key == NULL)
            goto fail;
    }
    p.source = strdup (hv->source);
    if (p.source == NULL)
        goto fail;
    if (hv->user != NULL && (p.user = dup_capped (hv->user, strlen (hv->user), &trunc)) == NULL)
        goto fail;
    p.flags |= flags | (trunc ? KIKAN_PROGRAM_FLAG_TRUNCATED : 0);
    hv->n_programs++;
    r = push_program (hv->inv, &p);
    return r;
fail:
    kikan_program_clear (&p);
    hv->oom = 1;
    return KIKAN_ENOMEM;
}

static int
read_uninstall (Hive *hv, hive_node_h node, uint32_t flags)
{
    hive_node_h *kids;
    int r = 0;

    if (node == 0)
        return 0;
    if ((kids = hivex_node_children (hv->h, node)) == NULL) {
        if (errno == ENOMEM)
            return KIKAN_ENOMEM;
        hv->unlisted++;
        return 0;
    }
    for (size_t i = 0; kids[i] != 0 && !hv->over_programs; i++) {
        if (visit (hv, 1) != 0)
            break;
        if ((r = read_uninstall_entry (hv, kids[i], flags)) != 0)
            break;
    }
    free (kids);
    return r;
}

/* Newest CBS RollupFix package install time (FILETIME in two DWORDs). */
static int64_t
newest_rollup (Hive *hv, hive_node_h root)
{
    hive_node_h pkgs = lookup (hv, root,
                               "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\"
                               "Packages");
    hive_node_h *kids;
    int64_t best = 0;
    static const char prefix[] = "Package_for_RollupFix";

    if (pkgs == 0)
        return 0;
    if ((kids = hivex_node_children (hv->h, pkgs)) == NULL) {
        hv->unlisted++;
        return 0;
    }
    for (size_t i = 0; kids[i] != 0; i++) {
        uint64_t hi, lo;
        char *n;
        if (visit (hv, 1) != 0)
            break;
        if ((n = hivex_node_name (hv->h, kids[i])) == NULL)
            continue;
        if (strncasecmp (n, prefix, sizeof prefix - 1) == 0
            && hive_u64 (hv, kids[i], "InstallTimeHigh", &hi)
            && hive_u64 (hv, kids[i], "InstallTimeLow", &lo)) {
            int64_t t = filetime_to_unix (((hi & 0xFFFFFFFFu) << 32) | (lo & 0xFFFFFFFFu));
            if (t > best)
                best = t;
        }
        free (n);
    }
    free (kids);
    return best;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil (int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS" (UTC) -> Unix seconds, 0 when malformed.  Parsed
 * by hand: strptime/mktime may read /etc/localtime, which the sandbox
 * does not allow. */
static int64_t
parse_utc (const char *s)
{
    static const char shape[] = "dddd-dd-dd dd:dd:dd";
    int v[6] = { 0 }, k = 0;

    if (s == NULL || strlen (s) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        if (shape[i] == 'd') {
            if (s[i] < '0' || s[i] > '9')
                return 0;
            v[k] = v[k] * 10 + (s[i] - '0');
        } else {
            if (s[i] != shape[i])
                return 0;
            k++;
        }
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return 0;
    return days_from_civil (v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
}

static int
flag_set (Hive *hv, hive_node_h root, const char *path, const char *name)
{
    uint64_t n;

    return hive_u64 (hv, lookup (hv, root, path), name, &n) && n != 0;
}

static int
read_software (Hive *hv, hive_node_h root)
{
    KikanSystem *sys;
    hive_node_h cv, def;
    char *product = NULL, *version = NULL, *build = NULL, *edition = NULL;
    char *av_version = NULL, *wu = NULL, *patched_source = NULL, *av_product = NULL;
    int trunc = 0, r;
    uint64_t ubr = 0, n = 0;
    int has_ubr, win11 = 0;
    int64_t installed = 0, patched = 0, av_updated = 0, t;

    cv = lookup (hv, root, "Microsoft\\Windows NT\\CurrentVersion");
    product = hive_string (hv, cv, "ProductName", &trunc);
    if ((version = hive_string (hv, cv, "DisplayVersion", &trunc)) == NULL)
        version = hive_string (hv, cv, "ReleaseId", &trunc);
    if ((build = hive_string (hv, cv, "CurrentBuild", &trunc)) == NULL)
        build = hive_string (hv, cv, "CurrentBuildNumber", &trunc);
    has_ubr = hive_u64 (hv, cv, "UBR", &ubr);
    edition = hive_string (hv, cv, "EditionID", &trunc);
    if (hive_u64 (hv, cv, "InstallDate", &n) && n <= INT64_MAX)
        installed = (int64_t) n;

    if (build != NULL && strspn (build, "0123456789") == strlen (build) && build[0] != '\0'
        && strlen (build) < 10)
        win11 = atol (build) >= 22000;
    if (win11 && product != NULL && strncmp (product, "Windows 10", 10) == 0)
        product[9] = '1';
    if (build != NULL && has_ubr) {
        char *b = NULL;
        if (asprintf (&b, "%s.%" PRIu64, build, ubr & 0xFFFFFFFFu) < 0) {
            r = KIKAN_ENOMEM;
            goto out;
        }
        free (build);
        build = dup_capped (b, strlen (b), &trunc);
        free (b);
        if (build == NULL) {
            r = KIKAN_ENOMEM;
            goto out;
        }
    }

    if ((patched = newest_rollup (hv, root)) > 0)
        patched_source = strdup ("CBS RollupFix package");
    wu = hive_string (hv,
                      lookup (hv, root,
                              "Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\"
                              "Auto Update\\Results\\Install"),
                      "LastSuccessTime", &trunc);
    if ((t = parse_utc (wu)) > patched) {
        patched = t;
        free (patched_source);
        patched_source = strdup ("WindowsUpdate LastSuccessTime");
    }

    if ((def = lookup (hv, root, "Microsoft\\Windows Defender")) != 0) {
        hive_node_h su = child (hv, def, "Signature Updates");
        av_product = strdup ("Microsoft Defender");
        av_version = hive_string (hv, su, "AVSignatureVersion", &trunc);
        if (hive_u64 (hv, su, "SignaturesLastUpdated", &n)
            || hive_u64 (hv, su, "AVSignatureApplied", &n))
            av_updated = filetime_to_unix (n);
        if (av_product == NULL) {
            r = KIKAN_ENOMEM;
            goto out;
        }
    }
    if (hv->oom || (patched > 0 && patched_source == NULL)) {
        r = KIKAN_ENOMEM;
        goto out;
    }

    if ((r = get_system (hv->inv, KIKAN_OS_WINDOWS, hv->source, &sys)) != 0)
        goto out;
    set_field (&sys->product, product);
    set_field (&sys->version, version);
    set_field (&sys->build, build);
    set_field (&sys->edition, edition);
    set_field (&sys->av_product, av_product);
    set_field (&sys->av_version, av_version);
    product = version = build = edition = av_product = av_version = NULL;
    if (installed != 0)
        sys->installed = installed;
    if (patched > sys->patched) {
        sys->patched = patched;
        set_field (&sys->patched_source, patched_source);
        patched_source = NULL;
    }
    if (av_updated > sys->av_updated)
        sys->av_updated = av_updated;
    /* Any non-zero DWORD counts, as it does for Windows. */
    if ((def != 0
         && (flag_set (hv, def, "", "DisableAntiSpyware")
             || flag_set (hv, def, "Real-Time Protection", "DisableRealtimeMonitoring")))
        || flag_set (hv, root, "Policies\\Microsoft\\Windows Defender", "DisableAntiSpyware")
        || flag_set (hv, root, "Policies\\Microsoft\\Windows Defender\\Real-Time Protection",
                     "DisableRealtimeMonitoring"))
        sys->av_disabled = 1;

    if (sys->product == NULL
        && (r = kikan_inventory_add_problem (hv->inv, hv->source,
                                             "SOFTWARE hive names no Windows product (no "
                                             "Microsoft\\Windows NT\\CurrentVersion "
                                             "ProductName)")) != 0)
        goto out;
    if (trunc
        && (r = problemf (hv->inv, hv->source,
                          "a Windows version value is longer than %d bytes and was cut",
                          KIKAN_INV_MAX_STRING)) != 0)
        goto out;

    if ((r = read_uninstall (hv,
                             lookup (hv, root, "Microsoft\\Windows\\CurrentVersion\\Uninstall"),
                             0)) != 0)
        goto out;
    r = read_uninstall (hv,
                        lookup (hv, root,
                                "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"),
                        KIKAN_PROGRAM_FLAG_WOW64);
out:
    free (product);
    free (version);
    free (build);
    free (edition);
    free (av_product);
    free (av_version);
    free (wu);
    free (patched_source);
    return r;
}

/* Checks the base block ourselves so the problem says why in plain words;
 * returns 0 when libhivex may try, 1 when a problem was recorded. */
static int
precheck_hive (KikanInventory *inv, const char *hive_path, const char *source, int *r)
{
    unsigned char hdr[512];
    struct stat st;
    uint32_t sum = 0, v;
    int fd;
    ssize_t got;

    *r = 0;
    fd = open (hive_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *r = problemf (inv, source, "registry hive could not be opened: %s", strerror (errno));
        return 1;
    }
    if (fstat (fd, &st) != 0) {
        *r = problemf (inv, source, "registry hive could not be read: %s", strerror (errno));
        goto done;
    }
    if (!S_ISREG (st.st_mode)) {
        *r = problemf (inv, source, "registry hive is not a regular file");
        goto done;
    }
    if (st.st_size == 0) {
        *r = problemf (inv, source, "registry hive is empty (0 bytes)");
        goto done;
    }
    if ((uint64_t) st.st_size > KIKAN_INV_MAX_HIVE) {
        *r = problemf (inv, source, "registry hive is too large to read (%" PRIu64
                       " bytes, limit %u MiB)", (uint64_t) st.st_size, KIKAN_INV_MAX_HIVE >> 20);
        goto done;
    }
    got = pread (fd, hdr, sizeof hdr, 0);
    if (got < 0) {
        *r = problemf (inv, source, "registry hive could not be read: %s", strerror (errno));
        goto done;
    }
    if (got < 4 || memcmp (hdr, "regf", 4) != 0) {
        *r = problemf (inv, source, "file is not a registry hive (no \"regf\" signature)");
        goto done;
    }
    if (st.st_size < 0x2000 || got < (ssize_t) sizeof hdr) {
        *r = problemf (inv, source, "registry hive is truncated (%" PRIu64
                       " bytes, a hive has at least 8192)", (uint64_t) st.st_size);
        goto done;
    }
    for (size_t i = 0; i < 0x1FC; i += 4)
        sum ^= (uint32_t) hdr[i] | (uint32_t) hdr[i + 1] << 8 | (uint32_t) hdr[i + 2] << 16
               | (uint32_t) hdr[i + 3] << 24;
    v = (uint32_t) hdr[0x1FC] | (uint32_t) hdr[0x1FD] << 8 | (uint32_t) hdr[0x1FE] << 16
        | (uint32_t) hdr[0x1FF] << 24;
    if (sum != v) {
        *r = problemf (inv, source, "registry hive header is corrupt (checksum mismatch)");
        goto done;
    }
    v = (uint32_t) hdr[0x28] | (uint32_t) hdr[0x29] << 8 | (uint32_t) hdr[0x2A] << 16
        | (uint32_t) hdr[0x2B] << 24;
    if ((uint64_t) v + 0x1000 > (uint64_t) st.st_size) {
        *r = problemf (inv, source, "registry hive is truncated (the header declares %" PRIu64
                       " bytes, the file has %" PRIu64 ")", (uint64_t) v + 0x1000,
                       (uint64_t) st.st_size);
        goto done;
    }
    close (fd);
    return 0;
done:
    close (fd);
    return 1;
}

int
kikan_inventory_add_hive_file (KikanInventory *inv, const char *hive_path, const char *source,
                               const char *user)
{
    Hive hv;
    hive_node_h root;
    int r = 0;

    if (inv == NULL || hive_path == NULL || source == NULL)
        return KIKAN_EINVAL;
    memset (&hv, 0, sizeof hv);
    hv.inv = inv;
    hv.source = source;
    if (precheck_hive (inv, hive_path, source, &r))
        return r;
    errno = 0;
    if ((hv.h = hivex_open (hive_path, 0)) == NULL) {
        if (errno == ENOMEM)
            return KIKAN_ENOMEM;
        return problemf (inv, source, "registry hive is corrupt: its bins or cells are "
                         "damaged (%s)", errno != 0 ? strerror (errno) : "unknown error");
    }
    root = hivex_root (hv.h);
    if (root == 0) {
        r = problemf (inv, source, "registry hive is corrupt: no root key");
        goto out;
    }
    /* A user's hive has a Software\Microsoft key at its root, a SOFTWARE
     * hive has Microsoft directly.  (The Uninstall key of NTUSER.DAT exists
     * only when the user installed something per user.) */
    if (lookup (&hv, root, "Software\\Microsoft") != 0) {
        hv.user = user;
        r = read_uninstall (&hv, lookup (&hv, root,
                                         "Software\\Microsoft\\Windows\\CurrentVersion\\"
                                         "Uninstall"),
                            KIKAN_PROGRAM_FLAG_PER_USER);
    } else if (lookup (&hv, root, "Microsoft\\Windows NT\\CurrentVersion") != 0
               || lookup (&hv, root, "Microsoft\\Windows\\CurrentVersion\\Uninstall") != 0) {
        r = read_software (&hv, root);
    } else if (!hv.over_budget && hv.unlisted == 0 && !hv.oom) {
        r = problemf (inv, source, "registry hive is neither a SOFTWARE hive nor a user's "
                      "NTUSER.DAT (no Microsoft or Software\\Microsoft key)");
    }
    if (r != 0 || hv.oom) {
        r = KIKAN_ENOMEM;
        goto out;
    }
    if (hv.unlisted > 0
        && (r = problemf (inv, source, "registry hive is corrupt: %d key(s) could not be listed",
                          hv.unlisted)) != 0)
        goto out;
    if (hv.over_budget
        && (r = problemf (inv, source, "registry hive has too many keys or values (more than "
                          "%u looked at); the rest was not read", KIKAN_INV_MAX_VISITS)) != 0)
        goto out;
    if (hv.over_programs
        && (r = problemf (inv, source, "more than %d installed programs; the rest were not "
                          "read", KIKAN_INV_MAX_PROGRAMS)) != 0)
        goto out;
out:
    hivex_close (hv.h);
    return r;
}

/* ---- Text files ---- */

typedef struct {
    const char *p;
    size_t n;
} Span;

/* Next line of @buf from *@pos ('\n'-terminated, a trailing '\r' cut);
 * *@nl says whether a newline ended it. */
static int
next_line (const char *buf, size_t len, size_t *pos, Span *line, int *nl)
{
    const char *e;

    if (*pos >= len)
        return 0;
    line->p = buf + *pos;
    e = memchr (line->p, '\n', len - *pos);
    line->n = e != NULL ? (size_t) (e - line->p) : len - *pos;
    *pos += line->n + (e != NULL);
    *nl = e != NULL;
    if (line->n > 0 && line->p[line->n - 1] == '\r')
        line->n--;
    return 1;
}

static int
is_blank (Span s)
{
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] != ' ' && s.p[i] != '\t')
            return 0;
    return 1;
}

static Span
trim (Span s)
{
    while (s.n > 0 && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.n--;
    while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

typedef struct {
    Span package, status, version, maintainer;
    size_t lines;
} Stanza;

/* Whether the files of a package with this Status are on disk. */
static int
status_installed (Span st)
{
    static const char *const on_disk[] = { "installed", "unpacked", "half-configured",
                                           "half-installed", "triggers-awaited",
                                           "triggers-pending" };
    const char *last;
    size_t n;
    int words = 0;

    /* Three words: want flag status. */
    for (size_t i = 0; i < st.n; i++)
        if ((i == 0 || st.p[i - 1] == ' ') && st.p[i] != ' ')
            words++;
    if (words != 3)
        return 0;
    last = st.p + st.n;
    while (last > st.p && last[-1] != ' ')
        last--;
    n = (size_t) (st.p + st.n - last);
    for (size_t i = 0; i < sizeof on_disk / sizeof on_disk[0]; i++)
        if (strlen (on_disk[i]) == n && memcmp (last, on_disk[i], n) == 0)
            return 1;
    return 0;
}

static char *
span_dup (Span s, int *trunc)
{
    return s.p != NULL && s.n > 0 ? dup_capped (s.p, s.n, trunc) : NULL;
}

typedef struct {
    KikanInventory *inv;
    const char *source;
    size_t n_programs;
    int over_programs;
    size_t malformed_stanzas;
} Dpkg;

static int
dpkg_finish (Dpkg *d, Stanza *st)
{
    KikanProgram p;
    int trunc = 0;

    if (st->lines == 0)
        return 0;
    if (st->package.n == 0 || st->status.n == 0) {
        d->malformed_stanzas++;
        return 0;
    }
    if (!status_installed (st->status))
        return 0;
    if (d->n_programs >= KIKAN_INV_MAX_PROGRAMS) {
        d->over_programs = 1;
        return 0;
    }
    memset (&p, 0, sizeof p);
    p.name = span_dup (st->package, &trunc);
    p.key = span_dup (st->package, &trunc);
    p.version = span_dup (st->version, &trunc);
    p.publisher = span_dup (st->maintainer, &trunc);
    p.source = strdup (d->source);
    if (p.name == NULL || p.key == NULL || p.source == NULL
        || (st->version.n > 0 && p.version == NULL)
        || (st->maintainer.n > 0 && p.publisher == NULL)) {
        kikan_program_clear (&p);
        return KIKAN_ENOMEM;
    }
    if (trunc)
        p.flags |= KIKAN_PROGRAM_FLAG_TRUNCATED;
    d->n_programs++;
    return push_program (d->inv, &p);
}

int
kikan_inventory_add_dpkg_status (KikanInventory *inv, const void *buf, size_t len,
                                 const char *source, int64_t mtime)
{
    const char *b = buf;
    Dpkg d;
    Stanza st;
    KikanSystem *sys;
    Span line;
    size_t pos = 0, bad_lines = 0;
    int r, nl = 1, last_blank = 1, have_field = 0;

    if (inv == NULL || source == NULL || (buf == NULL && len > 0))
        return KIKAN_EINVAL;
    memset (&d, 0, sizeof d);
    d.inv = inv;
    d.source = source;

    if ((r = get_system (inv, KIKAN_OS_LINUX, source, &sys)) != 0)
        return r;
    if (mtime > sys->patched) {
        char *s = strdup ("dpkg status mtime");
        if (s == NULL)
            return KIKAN_ENOMEM;
        sys->patched = mtime;
        set_field (&sys->patched_source, s);
    }
    if (len > KIKAN_INV_MAX_TEXT)
        return problemf (inv, source, "dpkg status is too large to read (%zu bytes, limit %u "
                         "MiB)", len, KIKAN_INV_MAX_TEXT >> 20);
    if (len == 0)
        return problemf (inv, source, "dpkg status is empty");

    memset (&st, 0, sizeof st);
    while (next_line (b, len, &pos, &line, &nl)) {
        const char *colon;
        Span name, value;

        if (is_blank (line)) {
            if ((r = dpkg_finish (&d, &st)) != 0)
                return r;
            memset (&st, 0, sizeof st);
            have_field = 0;
            last_blank = 1;
            continue;
        }
        last_blank = 0;
        st.lines++;
        if (memchr (line.p, '\0', line.n) != NULL) {
            bad_lines++;
            continue;
        }
        if (line.p[0] == ' ' || line.p[0] == '\t') {
            /* Continuation of a multi-line field (Description, Conffiles). */
            if (!have_field)
                bad_lines++;
            continue;
        }
        colon = memchr (line.p, ':', line.n);
        if (colon == NULL || colon == line.p) {
            bad_lines++;
            continue;
        }
        name.p = line.p;
        name.n = (size_t) (colon - line.p);
        if (memchr (name.p, ' ', name.n) != NULL || memchr (name.p, '\t', name.n) != NULL) {
            bad_lines++;
            continue;
        }
        have_field = 1;
        value.p = colon + 1;
        value.n = line.n - name.n - 1;
        value = trim (value);
        if (name.n == 7 && strncasecmp (name.p, "Package", 7) == 0)
            st.package = value;
        else if (name.n == 6 && strncasecmp (name.p, "Status", 6) == 0)
            st.status = value;
        else if (name.n == 7 && strncasecmp (name.p, "Version", 7) == 0)
            st.version = value;
        else if (name.n == 10 && strncasecmp (name.p, "Maintainer", 10) == 0)
            st.maintainer = value;
    }
    /* The last record: a file that stops inside a record (no blank line
     * after it) before its Status or Version was cut. */
    if (!last_blank && (st.version.n == 0 || st.status.n == 0)) {
        if ((r = problemf (inv, source, "dpkg status is truncated in the middle of a package "
                           "record")) != 0)
            return r;
    } else if ((r = dpkg_finish (&d, &st)) != 0) {
        return r;
    }
    if (memchr (b, '\0', len) != NULL
        && (r = problemf (inv, source, "dpkg status contains binary data (NUL bytes)")) != 0)
        return r;
    if (bad_lines > 0
        && (r = problemf (inv, source, "dpkg status has %zu malformed line(s); they were "
                          "skipped", bad_lines)) != 0)
        return r;
    if (d.malformed_stanzas > 0
        && (r = problemf (inv, source, "dpkg status has %zu record(s) without Package or "
                          "Status", d.malformed_stanzas)) != 0)
        return r;
    if (d.over_programs
        && (r = problemf (inv, source, "more than %d installed packages; the rest were not "
                          "read", KIKAN_INV_MAX_PROGRAMS)) != 0)
        return r;
    return 0;
}

/* os-release value: optional single or double quotes, backslash escapes
 * (none inside single quotes).  Returns a malloc'd, capped string. */
static char *
os_release_value (Span v, int *trunc)
{
    char *out = malloc (v.n + 1), *r;
    size_t o = 0, i = 0;
    char q = 0;

    if (out == NULL)
        return NULL;
    if (v.n > 0 && (v.p[0] == '"' || v.p[0] == '\'')) {
        q = v.p[0];
        i = 1;
    }
    for (; i < v.n; i++) {
        char c = v.p[i];
        if (q != 0 && c == q)
            break;
        if (c == '\\' && q != '\'' && i + 1 < v.n)
            c = v.p[++i];
        out[o++] = c;
    }
    r = dup_capped (out, o, trunc);
    free (out);
    return r;
}

int
kikan_inventory_add_os_release (KikanInventory *inv, const void *buf, size_t len,
                                const char *source)
{
    const char *b = buf;
    char *name = NULL, *pretty = NULL, *version_id = NULL;
    KikanSystem *sys;
    Span line;
    size_t pos = 0;
    int r = 0, trunc = 0, nl;

    if (inv == NULL || source == NULL || (buf == NULL && len > 0))
        return KIKAN_EINVAL;
    if ((r = get_system (inv, KIKAN_OS_LINUX, source, &sys)) != 0)
        return r;
    if (len > KIKAN_INV_MAX_SMALL)
        return problemf (inv, source, "os-release is too large to read (%zu bytes)", len);
    while (next_line (b, len, &pos, &line, &nl)) {
        const char *eq;
        char **slot = NULL;
        Span key, value;

        line = trim (line);
        if (line.n == 0 || line.p[0] == '#' || memchr (line.p, '\0', line.n) != NULL)
            continue;
        if ((eq = memchr (line.p, '=', line.n)) == NULL)
            continue;
        key.p = line.p;
        key.n = (size_t) (eq - line.p);
        value.p = eq + 1;
        value.n = line.n - key.n - 1;
        if (key.n == 11 && memcmp (key.p, "PRETTY_NAME", 11) == 0)
            slot = &pretty;
        else if (key.n == 4 && memcmp (key.p, "NAME", 4) == 0)
            slot = &name;
        else if (key.n == 10 && memcmp (key.p, "VERSION_ID", 10) == 0)
            slot = &version_id;
        if (slot == NULL)
            continue;
        free (*slot);
        if ((*slot = os_release_value (value, &trunc)) == NULL) {
            r = KIKAN_ENOMEM;
            goto out;
        }
        if ((*slot)[0] == '\0') {
            free (*slot);
            *slot = NULL;
        }
    }
    if (pretty != NULL) {
        set_field (&sys->product, pretty);
        pretty = NULL;
    } else if (name != NULL) {
        set_field (&sys->product, name);
        name = NULL;
    }
    set_field (&sys->version, version_id);
    version_id = NULL;
    if (len > 0 && memchr (b, '\0', len) != NULL
        && (r = problemf (inv, source, "os-release contains binary data (NUL bytes)")) != 0)
        goto out;
    if (sys->product == NULL
        && (r = problemf (inv, source, "os-release names no operating system (no NAME or "
                          "PRETTY_NAME)")) != 0)
        goto out;
    if (trunc
        && (r = problemf (inv, source, "an os-release value is longer than %d bytes and was cut",
                          KIKAN_INV_MAX_STRING)) != 0)
        goto out;
out:
    free (name);
    free (pretty);
    free (version_id);
    return r;
}

/* ---- Property lists ---- */

/* A string entry of a dict, NULL when absent, empty or not a string. */
static char *
plist_string (plist_t dict, const char *key, int *trunc, int *oom)
{
    plist_t node = plist_dict_get_item (dict, key);
    const char *s;
    uint64_t n = 0;
    char *r;

    if (node == NULL || plist_get_node_type (node) != PLIST_STRING)
        return NULL;
    if ((s = plist_get_string_ptr (node, &n)) == NULL || n == 0 || s[0] == '\0')
        return NULL;
    if ((r = dup_capped (s, n > SIZE_MAX ? SIZE_MAX : (size_t) n, trunc)) == NULL)
        *oom = 1;
    return r;
}

/* "Foo" of ".../Foo.app/Contents/Info.plist" into *@out (NULL when the
 * path has none).  Only fails for memory. */
static int
app_name_of_path (const char *source, char **out, int *trunc)
{
    const char *end = NULL, *start;

    *out = NULL;
    for (const char *p = source; (p = strcasestr (p, ".app/")) != NULL; p++)
        end = p;
    if (end == NULL)
        return 0;
    start = end;
    while (start > source && start[-1] != '/' && start[-1] != ':')
        start--;
    if (start == end)
        return 0;
    *out = dup_capped (start, (size_t) (end - start), trunc);
    return *out == NULL ? KIKAN_ENOMEM : 0;
}

int
kikan_inventory_add_plist (KikanInventory *inv, KikanInvSource kind, const void *buf,
                           size_t len, const char *source)
{
    const char *what = kind == KIKAN_INV_SOURCE_SYSTEM_PLIST ? "SystemVersion.plist"
                                                             : "Info.plist";
    plist_t root = NULL;
    char *copy = NULL;
    KikanProgram p;
    int r = 0, trunc = 0, oom = 0;

    memset (&p, 0, sizeof p);
    if (inv == NULL || source == NULL || (buf == NULL && len > 0)
        || (kind != KIKAN_INV_SOURCE_APP_PLIST && kind != KIKAN_INV_SOURCE_SYSTEM_PLIST))
        return KIKAN_EINVAL;
    if (len > KIKAN_INV_MAX_SMALL)
        return problemf (inv, source, "%s is too large to read (%zu bytes)", what, len);
    if (len < 8)
        return problemf (inv, source, "%s is not a property list (%zu bytes)", what, len);
    /* libplist's XML reader is given a NUL-terminated copy: it should not
     * need one, but a terminator costs nothing against a reader overrun. */
    if ((copy = malloc (len + 1)) == NULL)
        return KIKAN_ENOMEM;
    memcpy (copy, buf, len);
    copy[len] = '\0';
    plist_from_memory (copy, (uint32_t) len, &root);
    if (root == NULL) {
        r = problemf (inv, source, "%s is not a valid property list (XML or binary)", what);
        goto out;
    }
    if (plist_get_node_type (root) != PLIST_DICT) {
        r = problemf (inv, source, "%s is not a dictionary", what);
        goto out;
    }

    if (kind == KIKAN_INV_SOURCE_SYSTEM_PLIST) {
        KikanSystem *sys;
        char *product = plist_string (root, "ProductName", &trunc, &oom);
        char *version = plist_string (root, "ProductVersion", &trunc, &oom);
        char *build = plist_string (root, "ProductBuildVersion", &trunc, &oom);
        int none = product == NULL && version == NULL && build == NULL;

        if (oom || (r = get_system (inv, KIKAN_OS_MACOS, source, &sys)) != 0) {
            free (product);
            free (version);
            free (build);
            r = KIKAN_ENOMEM;
            goto out;
        }
        set_field (&sys->product, product);
        set_field (&sys->version, version);
        set_field (&sys->build, build);
        if (none)
            r = problemf (inv, source, "SystemVersion.plist has no ProductName, ProductVersion "
                          "or ProductBuildVersion");
        else if (trunc)
            r = problemf (inv, source, "a SystemVersion.plist value is longer than %d bytes and "
                          "was cut", KIKAN_INV_MAX_STRING);
        goto out;
    }

    if ((p.name = plist_string (root, "CFBundleName", &trunc, &oom)) == NULL)
        p.name = plist_string (root, "CFBundleDisplayName", &trunc, &oom);
    if (p.name == NULL && !oom && app_name_of_path (source, &p.name, &trunc) != 0)
        oom = 1;
    if ((p.version = plist_string (root, "CFBundleShortVersionString", &trunc, &oom)) == NULL)
        p.version = plist_string (root, "CFBundleVersion", &trunc, &oom);
    p.key = plist_string (root, "CFBundleIdentifier", &trunc, &oom);
    if (oom) {
        r = KIKAN_ENOMEM;
        goto out;
    }
    if (p.name == NULL) {
        r = problemf (inv, source, "Info.plist names no application (no CFBundleName)");
        goto out;
    }
    if ((p.source = strdup (source)) == NULL) {
        r = KIKAN_ENOMEM;
        goto out;
    }
    if (trunc)
        p.flags |= KIKAN_PROGRAM_FLAG_TRUNCATED;
    r = push_program (inv, &p);
out:
    kikan_program_clear (&p);
    if (root != NULL)
        plist_free (root);
    free (copy);
    return r;
}
