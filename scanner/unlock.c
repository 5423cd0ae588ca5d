/* Unlocking encrypted volumes in user space (see unlock-private.h and
 * docs/unlock.md).
 *
 * Two kinds of plaintext source come out of here:
 *
 *  - "sector" sources (LUKS1, LUKS2, FileVault 2): libcryptsetup only
 *    yields the volume key; the sectors are decrypted here with OpenSSL,
 *    the way dm-crypt would (IV = 512-byte sector number from the start of
 *    the data area, also with 4096-byte LUKS2 sectors);
 *  - BitLocker sources: for XTS volumes (Windows 10 and later) libcryptsetup
 *    yields the key and the sectors are decrypted here, with the layout
 *    BitLocker uses (the moved boot sectors, the metadata areas reading as
 *    zeros); everything else (CBC, Elephant diffuser, volumes still being
 *    encrypted, suspended ones) goes through libbde over a libbfio handle
 *    whose callbacks read the KikanSource.  libbde 20190102 (Debian 12)
 *    cannot open XTS-AES-256 volumes and decrypts at about 50 MB/s, which
 *    is why XTS does not go through it.
 *
 * libcryptsetup reads headers only from a path, and the sandboxed worker
 * has a descriptor of the medium and nothing else.  So the bytes
 * libcryptsetup will read -- the LUKS header region up to the data offset,
 * or the FileVault 2 metadata ranges -- are copied at their own offsets
 * into a sparse file in the worker's private temp dir, libcryptsetup opens
 * that, and the file is truncated and unlinked before kikan_unlock()
 * returns.  It holds wrapped key slots, never a usable key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libbde.h>
#include <libbfio.h>
#include <libcryptsetup.h>
#include <openssl/evp.h>

#include "kikan/errors.h"
#include "unlock-private.h"

/* The most of a volume copied into the temp dir for libcryptsetup: a LUKS2
 * header region is 16 MiB by default and rarely more than 32 MiB. */
#define KIKAN_UNLOCK_MAX_HEADER (64ull << 20)
/* libcryptsetup reads FileVault 2 metadata only below 1 GiB. */
#define FV_MAX_OFFSET (1ull << 30)
#define FV_MD_BLOCK 8192u
/* libcryptsetup reads regular files in page-size blocks. */
#define STAGE_ALIGN 4096u
/* Cipher contexts per sector source: concurrent readers rarely wait. */
#define N_SLOTS 8
/* Whole sectors are decrypted in chunks of this size per slot lock. */
#define CHUNK (1u << 20)
#define MAX_SECTOR 4096u
#define MAX_KEY 64u

/* ---- messages ---- */

static void
set_err (char *err, size_t errlen, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
set_err (char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start (ap, fmt);
    vsnprintf (err, errlen, fmt, ap);
    va_end (ap);
}

/* A cipher or mode name from a header, for a message: the medium wrote
 * it, so anything but [A-Za-z0-9:._-] becomes '?' (STYLE rule 14). */
static const char *
safe_name (const char *s, char *out, size_t n)
{
    size_t i = 0;

    if (s == NULL)
        s = "(none)";
    for (; s[i] != '\0' && i + 1 < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                 || c == ':' || c == '.' || c == '_' || c == '-';
        out[i] = ok ? c : '?';
    }
    out[i] = '\0';
    return out;
}

/* ---- locked memory for key material ---- */

/* An anonymous mapping, locked (never swapped), left out of core dumps and
 * zeroed in any child forked later.  Returns NULL with errno set. */
static void *
secure_alloc (size_t n, size_t *mapped)
{
    long page = sysconf (_SC_PAGESIZE);
    size_t len = (n + (size_t) page - 1) / (size_t) page * (size_t) page;
    void *p;

    p = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (mlock (p, len) != 0) {
        int e = errno;
        munmap (p, len);
        errno = e;
        return NULL;
    }
    (void) madvise (p, len, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
    (void) madvise (p, len, MADV_WIPEONFORK);
#endif
    *mapped = len;
    return p;
}

static void
secure_free (void *p, size_t mapped)
{
    if (p == NULL)
        return;
    explicit_bzero (p, mapped);
    munlock (p, mapped);
    munmap (p, mapped);
}

/* The secrets of one unlock, in one locked page. */
typedef struct {
    char pass[1024];          /* the passphrase as typed */
    char recovery[64];        /* BitLocker recovery password, normalised */
    unsigned char key[MAX_KEY];
    unsigned char essiv[32];  /* ESSIV salt: SHA-256 of the key */
} Secrets;

/* ---- libcryptsetup set-up ---- */

static pthread_once_t prime_once = PTHREAD_ONCE_INIT;
/* 1 once libcryptsetup could initialise its crypto backend: false when the
 * first unlock happens inside a sandbox that no kikan_unlock_prime() call
 * prepared for. */
static int prime_ok;

static void
discard_log (int level, const char *msg, void *usrptr)
{
    (void) level;
    (void) msg;
    (void) usrptr;
}

static void *
exit_thread (void *arg)
{
    pthread_exit (arg);
}

static void
prime_once_fn (void)
{
    static const unsigned char zero_key[64] = { 1 };
    struct crypt_device *cd = NULL;
    pthread_t t;
    unsigned char buf[32], out[32 + 16];
    const char *names[] = { "AES-128-XTS", "AES-256-CBC", "AES-256-ECB" };
    int n;

    /* Without a callback libcryptsetup prints to stdout/stderr. */
    crypt_set_log_callback (NULL, discard_log, NULL);
    crypt_metadata_locking (NULL, 0);
    /* crypt_load() initialises the crypto backend once for the process:
     * the RNG (opens /dev/urandom) and OpenSSL's legacy provider (dlopen).
     * Any regular file does; the executable itself is always there, and is
     * no LUKS volume, so nothing more happens. */
    if (crypt_init (&cd, "/proc/self/exe") == 0) {
        (void) crypt_load (cd, CRYPT_LUKS, NULL);
        prime_ok = 1;
    }
    crypt_free (cd);
    /* libargon2 (LUKS2's default key derivation) ends its threads with
     * pthread_exit(), for which glibc dlopen()s libgcc_s on first use: in
     * the sandbox that aborts the worker.  One such thread here loads it. */
    if (pthread_create (&t, NULL, exit_thread, NULL) == 0)
        pthread_join (t, NULL);
    /* OpenSSL's AES implementations, fetched once so that no worker reads
     * a provider or configuration file. */
    memset (buf, 0, sizeof buf);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        EVP_CIPHER *c = EVP_CIPHER_fetch (NULL, names[i], NULL);
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
        if (c != NULL && ctx != NULL
            && EVP_DecryptInit_ex2 (ctx, c, zero_key, zero_key + 32, NULL) == 1) {
            EVP_CIPHER_CTX_set_padding (ctx, 0);
            (void) EVP_DecryptUpdate (ctx, out, &n, buf, sizeof buf);
        }
        EVP_CIPHER_CTX_free (ctx);
        EVP_CIPHER_free (c);
    }
}

void
kikan_unlock_prime (void)
{
    pthread_once (&prime_once, prime_once_fn);
}

/* Per-device log sink.  Messages are never passed on: they may name the
 * temp file or quote header fields.  While @capture is set, what
 * crypt_dump() prints is kept: it is the only way libcryptsetup tells the
 * FileVault 2 logical volume size and the BitLocker layout. */
typedef struct {
    int capture;
    size_t len;
    char text[32 * 1024];
} CsLog;

static void
cs_log (int level, const char *msg, void *usrptr)
{
    CsLog *l = usrptr;
    size_t n;

    if (!l->capture || level != CRYPT_LOG_NORMAL || msg == NULL)
        return;
    n = strlen (msg);
    if (n > sizeof l->text - 1 - l->len)
        n = sizeof l->text - 1 - l->len;
    memcpy (l->text + l->len, msg, n);
    l->len += n;
    l->text[l->len] = '\0';
}

static void
cs_dump (struct crypt_device *cd, CsLog *log)
{
    log->capture = 1;
    log->len = 0;
    log->text[0] = '\0';
    (void) crypt_dump (cd);
    log->capture = 0;
}

/* The number after @label in the dump, from its first (@last = 0) or last
 * occurrence.  Fields printed after a free-text one (a BitLocker
 * description) are taken from the last occurrence, those printed before it
 * from the first, so the medium cannot forge them by text. */
static int
dump_u64 (const char *text, const char *label, int last, uint64_t *v)
{
    const char *p = NULL, *q = text;

    while ((q = strstr (q, label)) != NULL) {
        p = q;
        q += strlen (label);
        if (!last)
            break;
    }
    if (p == NULL)
        return -1;
    p += strlen (label);
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    *v = strtoull (p, NULL, 10);
    return errno == 0 ? 0 : -1;
}

/* ---- the header copy ---- */

typedef struct {
    int fd;
    char path[PATH_MAX];
} Stage;

static int
read_full (const KikanSource *src, void *buf, size_t n, uint64_t off)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = src->pread (src->handle, (char *) buf + done, n - done, off + done);
        if (r < 0)
            return -1;
        if (r == 0) {
            errno = EIO;
            return -1;
        }
        done += (size_t) r;
    }
    return 0;
}

static int
stage_open (Stage *s, const char *tmpdir, char *err, size_t errlen)
{
    s->fd = -1;
    if (tmpdir == NULL
        || snprintf (s->path, sizeof s->path, "%s/kikan-hdr-XXXXXX", tmpdir)
               >= (int) sizeof s->path) {
        set_err (err, errlen, "no usable temp dir for the header copy");
        return KIKAN_EINVAL;
    }
    /* mkostemp creates the file O_EXCL with mode 0600. */
    if ((s->fd = mkostemp (s->path, O_CLOEXEC)) < 0) {
        set_err (err, errlen, "cannot create the header copy in the temp dir: %s",
                 strerror (errno));
        return KIKAN_EIO;
    }
    return 0;
}

/* Discards the copy: truncation frees its blocks, then the name goes. */
static void
stage_close (Stage *s)
{
    if (s->fd < 0)
        return;
    if (ftruncate (s->fd, 0) != 0) {
        /* Unlinking below still frees the blocks once the file closes. */
    }
    close (s->fd);
    unlink (s->path);
    s->fd = -1;
}

static int
all_zero (const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* Copies [@off, @off+@len) of @vol to the same offsets of the copy, widened
 * to whole pages and clipped to the volume.  All-zero pages stay holes. */
static int
stage_copy (Stage *s, const KikanSource *vol, uint64_t off, uint64_t len, char *err,
            size_t errlen)
{
    unsigned char buf[64 * 1024];
    uint64_t end;

    end = off + len;
    off = off / STAGE_ALIGN * STAGE_ALIGN;
    end = (end + STAGE_ALIGN - 1) / STAGE_ALIGN * STAGE_ALIGN;
    if (end > vol->size)
        end = vol->size;
    while (off < end) {
        size_t n = end - off < sizeof buf ? (size_t) (end - off) : sizeof buf;
        if (read_full (vol, buf, n, off) != 0) {
            set_err (err, errlen, "cannot read the volume header: %s", strerror (errno));
            return KIKAN_EIO;
        }
        if (!all_zero (buf, n) && pwrite (s->fd, buf, n, (off_t) off) != (ssize_t) n) {
            set_err (err, errlen, "cannot write the header copy in the temp dir: %s",
                     strerror (errno));
            return KIKAN_EIO;
        }
        off += n;
    }
    return 0;
}

static int
stage_size (Stage *s, uint64_t size, char *err, size_t errlen)
{
    if (ftruncate (s->fd, (off_t) size) != 0) {
        set_err (err, errlen, "cannot size the header copy in the temp dir: %s",
                 strerror (errno));
        return KIKAN_EIO;
    }
    return 0;
}

/* ---- plaintext sources ---- */

typedef enum {
    IV_PLAIN64,   /* little-endian 64-bit sector number */
    IV_PLAIN,     /* little-endian 32-bit sector number (truncated) */
    IV_ESSIV,     /* plain64 encrypted with AES-256(SHA-256(key)) */
} IvMode;

typedef struct {
    pthread_mutex_t lock;
    EVP_CIPHER_CTX *data;
    EVP_CIPHER_CTX *essiv;
} Slot;

/* The state behind the libbfio handle that libbde reads the volume with. */
typedef struct BfioIo {
    const KikanSource *src;
    uint64_t pos;
    int is_open;
    int last_errno;   /* of the last failed read: libbde reports only "-1" */
} BfioIo;

/* A byte range of the plaintext that reads as zeros (BitLocker metadata). */
typedef struct {
    uint64_t start, end;
} Range;

struct KikanUnlocked {
    KikanSource source;          /* the plaintext, handed out */
    const KikanSource *vol;      /* the encrypted bytes, borrowed */
    char describe[160];

    /* Sector sources.  Plaintext byte x (outside the BitLocker special
     * ranges) is ciphertext byte data_offset + x; the sector holding it is
     * decrypted with IV number (x + iv_base) / iv_unit.  LUKS and FileVault
     * 2: iv_base = iv_offset * 512, iv_unit = 512 (dm-crypt counts 512-byte
     * sectors whatever the sector size).  BitLocker: iv_base is the
     * physical offset, iv_unit the sector size. */
    uint64_t data_offset;
    uint32_t sector_size;
    uint64_t iv_base;
    uint32_t iv_unit;
    IvMode iv_mode;
    EVP_CIPHER *cipher;
    EVP_CIPHER *essiv_cipher;
    Slot slots[N_SLOTS];
    int n_slots;
    atomic_uint next_slot;
    /* BitLocker layout: the first vh_size bytes are stored at vh_offset;
     * the metadata areas and the original place of those bytes read as
     * zeros. */
    uint64_t vh_offset, vh_size;
    Range zero[4];
    int n_zero;

    /* BitLocker through libbde */
    libbde_volume_t *bde;
    libbfio_handle_t *bfio;
    BfioIo *bfio_io;             /* owned by @bfio */
    pthread_mutex_t bde_lock;
    int bde_lock_ready;
};

static int
decrypt_sector (const KikanUnlocked *u, Slot *s, unsigned char *p, uint64_t ivn)
{
    unsigned char iv[16], tmp[16];
    int len;

    memset (iv, 0, sizeof iv);
    for (int i = 0; i < (u->iv_mode == IV_PLAIN ? 4 : 8); i++)
        iv[i] = (unsigned char) (ivn >> (8 * i));
    if (u->iv_mode == IV_ESSIV) {
        if (EVP_EncryptUpdate (s->essiv, tmp, &len, iv, 16) != 1 || len != 16)
            return -1;
        memcpy (iv, tmp, 16);
    }
    if (EVP_DecryptInit_ex2 (s->data, NULL, NULL, iv, NULL) != 1
        || EVP_DecryptUpdate (s->data, p, &len, p, (int) u->sector_size) != 1
        || len != (int) u->sector_size)
        return -1;
    return 0;
}

static Slot *
take_slot (KikanUnlocked *u)
{
    unsigned first = atomic_fetch_add (&u->next_slot, 1u);
    Slot *s;

    for (int i = 0; i < u->n_slots; i++) {
        s = &u->slots[(first + (unsigned) i) % (unsigned) u->n_slots];
        if (pthread_mutex_trylock (&s->lock) == 0)
            return s;
    }
    s = &u->slots[first % (unsigned) u->n_slots];
    pthread_mutex_lock (&s->lock);
    return s;
}

/* Decrypts the whole sectors [@p, @p+@n) in place; the first is plaintext
 * offset @x. */
static int
decrypt_run (KikanUnlocked *u, unsigned char *p, size_t n, uint64_t x, uint64_t iv_base)
{
    Slot *s = take_slot (u);
    int r = 0;

    for (size_t k = 0; k < n && r == 0; k += u->sector_size)
        r = decrypt_sector (u, s, p + k, (x + k + iv_base) / u->iv_unit);
    pthread_mutex_unlock (&s->lock);
    return r;
}

/* How the sector-aligned plaintext offset @x is stored: returns the number
 * of bytes from @x stored the same way (a multiple of the sector size), and
 * sets *zero, or *phys (ciphertext offset of @x) and *iv_base. */
static uint64_t
map_run (const KikanUnlocked *u, uint64_t x, int *zero, uint64_t *phys, uint64_t *iv_base)
{
    uint64_t end = u->source.size;

    *zero = 0;
    if (x < u->vh_size) {
        *phys = u->vh_offset + x;
        *iv_base = u->vh_offset;
        return u->vh_size - x;
    }
    for (int i = 0; i < u->n_zero; i++) {
        if (x >= u->zero[i].start && x < u->zero[i].end) {
            *zero = 1;
            return (u->zero[i].end < end ? u->zero[i].end : end) - x;
        }
        if (u->zero[i].start > x && u->zero[i].start < end)
            end = u->zero[i].start;
    }
    *phys = u->data_offset + x;
    *iv_base = u->iv_base;
    return end - x;
}

static ssize_t
sector_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    KikanUnlocked *u = handle;
    unsigned char *out = buf;
    const uint32_t ss = u->sector_size;
    size_t done = 0;

    if (off >= u->source.size)
        return 0;
    if (n > u->source.size - off)
        n = (size_t) (u->source.size - off);
    while (done < n) {
        uint64_t pos = off + done, x = pos / ss * ss, phys = 0, iv_base = 0, run;
        size_t within = (size_t) (pos - x), len;
        int zero;

        run = map_run (u, x, &zero, &phys, &iv_base);
        if (zero) {
            len = run - within < n - done ? (size_t) (run - within) : n - done;
            memset (out + done, 0, len);
        } else if (within == 0 && n - done >= ss) {
            len = (n - done) / ss * ss;
            if (len > CHUNK)
                len = CHUNK;
            if (len > run)
                len = (size_t) run;
            /* Read without holding a cipher context: the I/O is the slow
             * part, and other readers may decrypt meanwhile. */
            if (read_full (u->vol, out + done, len, phys) != 0)
                return -1;
            if (decrypt_run (u, out + done, len, x, iv_base) != 0) {
                errno = EIO;
                return -1;
            }
        } else {
            unsigned char tmp[MAX_SECTOR];
            len = ss - within < n - done ? ss - within : n - done;
            if (read_full (u->vol, tmp, ss, phys) != 0)
                return -1;
            if (decrypt_run (u, tmp, ss, x, iv_base) != 0) {
                errno = EIO;
                return -1;
            }
            memcpy (out + done, tmp + within, len);
        }
        done += len;
    }
    return (ssize_t) n;
}

static ssize_t
bde_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    KikanUnlocked *u = handle;
    libbde_error_t *e = NULL;
    ssize_t r;
    int saved;

    if (off >= u->source.size)
        return 0;
    if (n > u->source.size - off)
        n = (size_t) (u->source.size - off);
    if (n > SSIZE_MAX)
        n = SSIZE_MAX;
    /* libbde's volume keeps a current offset and its own caches: one
     * reader at a time. */
    pthread_mutex_lock (&u->bde_lock);
    u->bfio_io->last_errno = 0;
    r = libbde_volume_read_buffer_at_offset (u->bde, buf, n, (off64_t) off, &e);
    saved = u->bfio_io->last_errno;
    pthread_mutex_unlock (&u->bde_lock);
    if (r < 0) {
        libbde_error_free (&e);
        errno = saved != 0 ? saved : EIO;
        return -1;
    }
    return r;
}

const KikanSource *
kikan_unlocked_get_source (const KikanUnlocked *u)
{
    return u != NULL ? &u->source : NULL;
}

const char *
kikan_unlocked_describe (const KikanUnlocked *u)
{
    return u != NULL ? u->describe : NULL;
}

void
kikan_unlocked_free (KikanUnlocked *u)
{
    if (u == NULL)
        return;
    /* EVP_CIPHER_CTX_free cleanses the key schedule. */
    for (int i = 0; i < u->n_slots; i++) {
        EVP_CIPHER_CTX_free (u->slots[i].data);
        EVP_CIPHER_CTX_free (u->slots[i].essiv);
        pthread_mutex_destroy (&u->slots[i].lock);
    }
    EVP_CIPHER_free (u->cipher);
    EVP_CIPHER_free (u->essiv_cipher);
    if (u->bde != NULL) {
        (void) libbde_volume_close (u->bde, NULL);
        (void) libbde_volume_free (&u->bde, NULL);
    }
    if (u->bfio != NULL)
        (void) libbfio_handle_free (&u->bfio, NULL);
    if (u->bde_lock_ready)
        pthread_mutex_destroy (&u->bde_lock);
    explicit_bzero (u, sizeof *u);
    free (u);
}

static KikanUnlocked *
unlocked_new (const KikanSource *vol)
{
    KikanUnlocked *u = calloc (1, sizeof *u);

    if (u == NULL)
        return NULL;
    u->vol = vol;
    u->source.handle = u;
    atomic_init (&u->next_slot, 0u);
    return u;
}

/* The AES modes decrypted here -- and the only ones libcryptsetup can use
 * without the kernel crypto API, whose AF_ALG sockets the sandbox kills:
 * so a volume or key slot with any other mode is refused before
 * libcryptsetup touches it. */
static int
aes_mode_supported (const char *mode, int *xts, IvMode *iv)
{
    static const struct {
        const char *name;
        int xts;
        IvMode iv;
    } modes[] = {
        { "xts-plain64", 1, IV_PLAIN64 },     { "xts-plain", 1, IV_PLAIN },
        { "cbc-essiv:sha256", 0, IV_ESSIV },  { "cbc-plain64", 0, IV_PLAIN64 },
        { "cbc-plain", 0, IV_PLAIN },
    };

    for (size_t i = 0; mode != NULL && i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp (mode, modes[i].name) == 0) {
            if (xts != NULL)
                *xts = modes[i].xts;
            if (iv != NULL)
                *iv = modes[i].iv;
            return 1;
        }
    return 0;
}

/* AES-XTS takes two 128- or 256-bit keys, AES-CBC one of 128, 192 or 256
 * bits: any other size would also send libcryptsetup to the kernel. */
static int
aes_key_ok (int xts, size_t key_len)
{
    return xts ? key_len == 32 || key_len == 64
               : key_len == 16 || key_len == 24 || key_len == 32;
}

/* Sets up the sector cipher of @u from libcryptsetup's cipher and mode
 * names and the key in @sec.  Returns 0 or KIKAN_ENOTSUP/KIKAN_ENOMEM. */
static int
setup_sector_cipher (KikanUnlocked *u, const char *cipher, const char *mode, size_t key_len,
                     Secrets *sec, char *err, size_t errlen)
{
    char name[32], shown[48];
    const char *chain;
    int xts, bits;

    if (cipher == NULL || mode == NULL || strcmp (cipher, "aes") != 0) {
        set_err (err, errlen, "the cipher %s is not supported (AES only)",
                 safe_name (cipher, shown, sizeof shown));
        return KIKAN_ENOTSUP;
    }
    if (!aes_mode_supported (mode, &xts, &u->iv_mode)) {
        set_err (err, errlen, "the cipher mode aes-%s is not supported",
                 safe_name (mode, shown, sizeof shown));
        return KIKAN_ENOTSUP;
    }
    chain = xts ? "XTS" : "CBC";
    bits = (int) (xts ? key_len * 4 : key_len * 8);
    if (!aes_key_ok (xts, key_len)) {
        set_err (err, errlen, "aes-%s with a %zu-bit key is not supported",
                 safe_name (mode, shown, sizeof shown), key_len * 8);
        return KIKAN_ENOTSUP;
    }
    snprintf (name, sizeof name, "AES-%d-%s", bits, chain);
    if ((u->cipher = EVP_CIPHER_fetch (NULL, name, NULL)) == NULL) {
        set_err (err, errlen, "OpenSSL has no %s", name);
        return KIKAN_ENOTSUP;
    }
    if (u->iv_mode == IV_ESSIV) {
        unsigned int dlen = 0;
        if (EVP_Digest (sec->key, key_len, sec->essiv, &dlen, EVP_sha256 (), NULL) != 1
            || (u->essiv_cipher = EVP_CIPHER_fetch (NULL, "AES-256-ECB", NULL)) == NULL) {
            set_err (err, errlen, "OpenSSL cannot set up ESSIV");
            return KIKAN_ENOTSUP;
        }
    }
    for (int i = 0; i < N_SLOTS; i++) {
        Slot *s = &u->slots[i];
        pthread_mutex_init (&s->lock, NULL);
        u->n_slots = i + 1;
        if ((s->data = EVP_CIPHER_CTX_new ()) == NULL) {
            set_err (err, errlen, "out of memory");
            return KIKAN_ENOMEM;
        }
        /* OpenSSL refuses XTS keys whose halves are equal: such a volume
         * cannot be read here. */
        if (EVP_DecryptInit_ex2 (s->data, u->cipher, sec->key, NULL, NULL) != 1) {
            set_err (err, errlen, "OpenSSL refused the %s volume key", name);
            return KIKAN_ENOTSUP;
        }
        EVP_CIPHER_CTX_set_padding (s->data, 0);
        if (u->iv_mode == IV_ESSIV) {
            if ((s->essiv = EVP_CIPHER_CTX_new ()) == NULL) {
                set_err (err, errlen, "out of memory");
                return KIKAN_ENOMEM;
            }
            if (EVP_EncryptInit_ex2 (s->essiv, u->essiv_cipher, sec->essiv, NULL, NULL) != 1) {
                set_err (err, errlen, "OpenSSL cannot set up ESSIV");
                return KIKAN_ENOTSUP;
            }
            EVP_CIPHER_CTX_set_padding (s->essiv, 0);
        }
    }
    u->source.pread = sector_pread;
    return 0;
}

/* ---- LUKS ---- */

static uint64_t
be64 (const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint64_t
le_n (const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Tries the passphrase on every active key slot whose encryption is an AES
 * mode OpenSSL does (aes_mode_supported).  Returns the slot, or libcryptsetup's error: -EPERM when
 * no slot took the passphrase, another error when a slot could not be
 * read (that hides whether the passphrase was right), -ENOTSUP when only
 * non-AES slots exist, -ENOENT when there is no active slot. */
static int
luks_get_key (struct crypt_device *cd, int luks2, Secrets *sec, size_t pass_len,
              size_t *key_len)
{
    int max = crypt_keyslot_max (luks2 ? CRYPT_LUKS2 : CRYPT_LUKS1);
    int wrong = 0, unsupported = 0, failed = 0;

    for (int slot = 0; slot < max; slot++) {
        crypt_keyslot_info st = crypt_keyslot_status (cd, slot);
        size_t n = MAX_KEY;
        int q;

        if (st != CRYPT_SLOT_ACTIVE && st != CRYPT_SLOT_ACTIVE_LAST)
            continue;
        if (luks2) {
            size_t ks_key;
            const char *enc = crypt_keyslot_get_encryption (cd, slot, &ks_key);
            int xts;
            if (enc == NULL || strncmp (enc, "aes-", 4) != 0
                || !aes_mode_supported (enc + 4, &xts, NULL) || !aes_key_ok (xts, ks_key)) {
                unsupported = 1;
                continue;
            }
        }
        q = crypt_volume_key_get (cd, slot, (char *) sec->key, &n, sec->pass, pass_len);
        if (q >= 0) {
            *key_len = n;
            return q;
        }
        if (q == -EPERM)
            wrong = 1;
        else if (failed == 0)
            failed = q;
    }
    if (failed != 0)
        return failed;
    if (wrong)
        return -EPERM;
    return unsupported ? -ENOTSUP : -ENOENT;
}

static int
unlock_luks (KikanUnlocked *u, const KikanSource *vol, Secrets *sec, size_t pass_len,
             const char *tmpdir, char *err, size_t errlen)
{
    unsigned char hdr[4096];
    struct crypt_device *cd = NULL;
    struct crypt_params_integrity ip;
    Stage stage = { -1, "" };
    CsLog log = { 0 };
    uint64_t first, region, data_off, end;
    size_t key_len = 0;
    const char *cipher, *mode;
    char shown[48];
    int version, xts = 0, r, q;

    if (vol->size < 1024
        || read_full (vol, hdr, vol->size < sizeof hdr ? (size_t) vol->size : sizeof hdr, 0)
               != 0) {
        set_err (err, errlen, "the volume is too short or unreadable for a LUKS header");
        return vol->size < 1024 ? KIKAN_EINVAL : KIKAN_EIO;
    }
    if (memcmp (hdr, "LUKS\xba\xbe", 6) != 0) {
        set_err (err, errlen, "no LUKS header at the start of the volume");
        return KIKAN_EINVAL;
    }
    version = hdr[6] << 8 | hdr[7];
    if (version == 1) {
        first = 4096;
    } else if (version == 2) {
        /* Binary header + JSON area, twice (primary and secondary). */
        uint64_t hdr_size = be64 (hdr + 8);
        if (hdr_size < 16384 || hdr_size > (4u << 20) || (hdr_size & (hdr_size - 1)) != 0) {
            set_err (err, errlen, "the LUKS2 header is damaged (metadata size)");
            return KIKAN_EINVAL;
        }
        first = 2 * hdr_size;
    } else {
        set_err (err, errlen, "LUKS version %d is not supported", version);
        return KIKAN_ENOTSUP;
    }
    /* The copy has the size of the region libcryptsetup checks against the
     * header (it refuses a "device" smaller than the key slot area). */
    region = vol->size < KIKAN_UNLOCK_MAX_HEADER ? vol->size : KIKAN_UNLOCK_MAX_HEADER;
    if (first > region)
        first = region;
    if ((r = stage_open (&stage, tmpdir, err, errlen)) != 0
        || (r = stage_size (&stage, region, err, errlen)) != 0
        || (r = stage_copy (&stage, vol, 0, first, err, errlen)) != 0)
        goto out;

    if ((q = crypt_init (&cd, stage.path)) < 0) {
        set_err (err, errlen, "libcryptsetup cannot open the header copy (%s)", strerror (-q));
        r = KIKAN_EIO;
        goto out;
    }
    crypt_set_log_callback (cd, cs_log, &log);
    if ((q = crypt_load (cd, version == 1 ? CRYPT_LUKS1 : CRYPT_LUKS2, NULL)) < 0) {
        set_err (err, errlen, "the LUKS%d header is damaged or truncated", version);
        r = q == -ENOMEM ? KIKAN_ENOMEM : KIKAN_EINVAL;
        goto out;
    }
    data_off = crypt_get_data_offset (cd) * 512;
    cipher = crypt_get_cipher (cd);
    mode = crypt_get_cipher_mode (cd);
    if (data_off == 0) {
        set_err (err, errlen, "the LUKS header keeps its data elsewhere (detached header)");
        r = KIKAN_ENOTSUP;
        goto out;
    }
    if (data_off >= vol->size) {
        set_err (err, errlen, "the volume ends before its encrypted data begins");
        r = KIKAN_EINVAL;
        goto out;
    }
    if (version == 2) {
        memset (&ip, 0, sizeof ip);
        if (crypt_get_integrity_info (cd, &ip) == 0 && ip.integrity != NULL) {
            set_err (err, errlen, "LUKS2 with integrity protection is not supported");
            r = KIKAN_ENOTSUP;
            goto out;
        }
        if (crypt_reencrypt_status (cd, NULL) != CRYPT_REENCRYPT_NONE) {
            set_err (err, errlen, "the LUKS2 volume is being re-encrypted; it cannot be read"
                                  " until that has finished");
            r = KIKAN_ENOTSUP;
            goto out;
        }
    }
    /* Unsupported data ciphers are refused before the (slow) key
     * derivation; for LUKS1 they are also the key slots' cipher. */
    if (cipher == NULL || strcmp (cipher, "aes") != 0) {
        set_err (err, errlen, "the cipher %s is not supported (AES only)",
                 safe_name (cipher, shown, sizeof shown));
        r = KIKAN_ENOTSUP;
        goto out;
    }
    if (!aes_mode_supported (mode, &xts, NULL)) {
        set_err (err, errlen, "the cipher mode aes-%s is not supported",
                 safe_name (mode, shown, sizeof shown));
        r = KIKAN_ENOTSUP;
        goto out;
    }
    if (!aes_key_ok (xts, (size_t) crypt_get_volume_key_size (cd))) {
        set_err (err, errlen, "aes-%s with a %d-bit key is not supported",
                 safe_name (mode, shown, sizeof shown), crypt_get_volume_key_size (cd) * 8);
        r = KIKAN_ENOTSUP;
        goto out;
    }
    /* The key slots lie between the header and the data. */
    end = data_off < region ? data_off : region;
    if (end > first && (r = stage_copy (&stage, vol, first, end - first, err, errlen)) != 0)
        goto out;

    q = luks_get_key (cd, version == 2, sec, pass_len, &key_len);
    if (q == -EPERM) {
        set_err (err, errlen, "the passphrase does not open this LUKS%d volume", version);
        r = KIKAN_UNLOCK_WRONG_SECRET;
        goto out;
    } else if (q == -ENOTSUP) {
        set_err (err, errlen, "no key slot of this LUKS%d volume uses a supported AES mode",
                 version);
        r = KIKAN_ENOTSUP;
        goto out;
    } else if (q == -ENOENT) {
        set_err (err, errlen, "this LUKS%d volume has no usable key slot", version);
        r = KIKAN_EINVAL;
        goto out;
    } else if (q < 0) {
        set_err (err, errlen, "the key slots of this LUKS%d volume are damaged or truncated",
                 version);
        r = q == -ENOMEM ? KIKAN_ENOMEM : KIKAN_EINVAL;
        goto out;
    }

    u->data_offset = data_off;
    u->sector_size = (uint32_t) crypt_get_sector_size (cd);
    if (u->sector_size < 512 || u->sector_size > MAX_SECTOR
        || (u->sector_size & (u->sector_size - 1)) != 0) {
        set_err (err, errlen, "LUKS sector size %u is not supported", u->sector_size);
        r = KIKAN_ENOTSUP;
        goto out;
    }
    /* dm-crypt counts IVs in 512-byte sectors for LUKS, whatever the
     * sector size (no iv_large_sectors). */
    u->iv_base = crypt_get_iv_offset (cd) * 512;
    u->iv_unit = 512;
    u->source.size = (vol->size - data_off) / u->sector_size * u->sector_size;
    if ((r = setup_sector_cipher (u, cipher, mode, key_len, sec, err, errlen)) != 0)
        goto out;
    snprintf (u->describe, sizeof u->describe, "LUKS%d, aes-%s, %zu-bit key, %u-byte sectors",
              version, safe_name (mode, shown, sizeof shown), key_len * 8, u->sector_size);
    r = 0;
out:
    crypt_free (cd);
    stage_close (&stage);
    return r;
}

/* ---- FileVault 2 ---- */

/* Copies what libcryptsetup's FVAULT2 reader reads (cryptsetup 2.6
 * lib/fvault2/fvault2.c), at the same offsets: the physical volume header
 * (512 bytes at 0), the disk label metadata block (8 KiB at block_size *
 * disklbl_blkoff), the volume groups descriptor it points to (40 bytes),
 * and the encrypted metadata blocks (8 KiB each from enc_md_blkoff *
 * block_size) up to the first all-zero one, where the reader stops. */
static int
fv_stage (Stage *stage, const KikanSource *vol, char *err, size_t errlen)
{
    unsigned char vh[512], md[FV_MD_BLOCK], vgd[40];
    uint64_t block_size, label, vgd_off, n_blocks, enc_off, end;
    int r;

    if (vol->size < sizeof vh || read_full (vol, vh, sizeof vh, 0) != 0) {
        set_err (err, errlen, "the volume is too short or unreadable for a Core Storage header");
        return vol->size < sizeof vh ? KIKAN_EINVAL : KIKAN_EIO;
    }
    if (vh[88] != 'C' || vh[89] != 'S' || le_n (vh + 8, 2) != 1) {
        set_err (err, errlen, "no Core Storage (FileVault 2) header at the start of the volume");
        return KIKAN_EINVAL;
    }
    block_size = le_n (vh + 96, 4);
    label = le_n (vh + 104, 8);
    if (block_size < 512 || block_size > 65536 || label == 0
        || label > FV_MAX_OFFSET / block_size) {
        set_err (err, errlen, "the Core Storage header is damaged (block size or label offset)");
        return KIKAN_EINVAL;
    }
    label *= block_size;
    if (label + sizeof md > vol->size) {
        set_err (err, errlen, "the Core Storage disk label lies beyond the volume");
        return KIKAN_EINVAL;
    }
    if (read_full (vol, md, sizeof md, label) != 0) {
        set_err (err, errlen, "cannot read the Core Storage metadata: %s", strerror (errno));
        return KIKAN_EIO;
    }
    vgd_off = label + le_n (md + 220, 4);
    if (vgd_off > FV_MAX_OFFSET || vgd_off + sizeof vgd > vol->size) {
        set_err (err, errlen, "the Core Storage volume group descriptor lies beyond the volume");
        return KIKAN_EINVAL;
    }
    if (read_full (vol, vgd, sizeof vgd, vgd_off) != 0) {
        set_err (err, errlen, "cannot read the Core Storage metadata: %s", strerror (errno));
        return KIKAN_EIO;
    }
    n_blocks = le_n (vgd + 8, 8);
    enc_off = le_n (vgd + 32, 8);
    if (enc_off == 0 || enc_off > FV_MAX_OFFSET / block_size) {
        set_err (err, errlen, "the Core Storage encrypted metadata offset is out of range");
        return KIKAN_EINVAL;
    }
    enc_off *= block_size;

    end = enc_off;
    for (uint64_t i = 0; i < n_blocks; i++) {
        uint64_t off = enc_off + i * FV_MD_BLOCK;
        if (off > FV_MAX_OFFSET || off + FV_MD_BLOCK > vol->size
            || (off + FV_MD_BLOCK) - enc_off > KIKAN_UNLOCK_MAX_HEADER)
            break;
        if (read_full (vol, md, sizeof md, off) != 0) {
            set_err (err, errlen, "cannot read the Core Storage metadata: %s", strerror (errno));
            return KIKAN_EIO;
        }
        end = off + FV_MD_BLOCK;
        if (all_zero (md, sizeof md))
            break;
    }
    /* The copy must reach the last page libcryptsetup reads. */
    {
        uint64_t size = end;
        if (vgd_off + sizeof vgd > size)
            size = vgd_off + sizeof vgd;
        if (label + FV_MD_BLOCK > size)
            size = label + FV_MD_BLOCK;
        size = (size + STAGE_ALIGN - 1) / STAGE_ALIGN * STAGE_ALIGN;
        if (size > vol->size)
            size = vol->size;
        if ((r = stage_size (stage, size, err, errlen)) != 0)
            return r;
    }
    if ((r = stage_copy (stage, vol, 0, sizeof vh, err, errlen)) != 0
        || (r = stage_copy (stage, vol, label, FV_MD_BLOCK, err, errlen)) != 0
        || (r = stage_copy (stage, vol, vgd_off, sizeof vgd, err, errlen)) != 0
        || (r = stage_copy (stage, vol, enc_off, end - enc_off, err, errlen)) != 0)
        return r;
    return 0;
}

static int
unlock_fvault2 (KikanUnlocked *u, const KikanSource *vol, Secrets *sec, size_t pass_len,
                const char *tmpdir, char *err, size_t errlen)
{
    struct crypt_device *cd = NULL;
    Stage stage = { -1, "" };
    CsLog log = { 0 };
    uint64_t data_off, avail, lv_size;
    size_t key_len = MAX_KEY;
    int r, q;

    if ((r = stage_open (&stage, tmpdir, err, errlen)) != 0
        || (r = fv_stage (&stage, vol, err, errlen)) != 0)
        goto out;
    if ((q = crypt_init (&cd, stage.path)) < 0) {
        set_err (err, errlen, "libcryptsetup cannot open the header copy (%s)", strerror (-q));
        r = KIKAN_EIO;
        goto out;
    }
    crypt_set_log_callback (cd, cs_log, &log);
    if ((q = crypt_load (cd, CRYPT_FVAULT2, NULL)) < 0) {
        set_err (err, errlen, "the FileVault 2 metadata is damaged or not supported");
        r = q == -ENOMEM ? KIKAN_ENOMEM : KIKAN_EINVAL;
        goto out;
    }
    q = crypt_volume_key_get (cd, CRYPT_ANY_SLOT, (char *) sec->key, &key_len, sec->pass,
                              pass_len);
    if (q == -EPERM) {
        set_err (err, errlen, "the password does not unlock this FileVault 2 volume");
        r = KIKAN_UNLOCK_WRONG_SECRET;
        goto out;
    } else if (q < 0) {
        set_err (err, errlen, "the FileVault 2 key could not be derived (%s)", strerror (-q));
        r = q == -ENOMEM ? KIKAN_ENOMEM : KIKAN_EINVAL;
        goto out;
    }
    /* The logical volume's size has no getter; crypt_dump() prints it. */
    cs_dump (cd, &log);
    if (dump_u64 (log.text, "Logical volume size:", 0, &lv_size) != 0)
        lv_size = 0;
    data_off = crypt_get_data_offset (cd) * 512;
    if (data_off == 0 || data_off >= vol->size) {
        set_err (err, errlen, "the FileVault 2 logical volume lies outside the volume");
        r = KIKAN_EINVAL;
        goto out;
    }
    avail = vol->size - data_off;
    u->data_offset = data_off;
    u->sector_size = 512;
    u->iv_base = crypt_get_iv_offset (cd) * 512;
    u->iv_unit = 512;
    u->source.size = (lv_size != 0 && lv_size < avail ? lv_size : avail) / 512 * 512;
    if ((r = setup_sector_cipher (u, crypt_get_cipher (cd), crypt_get_cipher_mode (cd),
                                  key_len, sec, err, errlen))
        != 0)
        goto out;
    snprintf (u->describe, sizeof u->describe,
              "FileVault 2, aes-xts-plain64, %zu-bit key, 512-byte sectors", key_len * 8);
    r = 0;
out:
    crypt_free (cd);
    stage_close (&stage);
    return r;
}

/* ---- BitLocker ---- */

static int
bfio_free_io (intptr_t **h, libbfio_error_t **e)
{
    (void) e;
    free (*h);
    *h = NULL;
    return 1;
}

static int
bfio_clone_io (intptr_t **dst, intptr_t *src, libbfio_error_t **e)
{
    BfioIo *c;

    (void) e;
    if ((c = malloc (sizeof *c)) == NULL)
        return -1;
    *c = *(BfioIo *) src;
    c->is_open = 0;
    c->pos = 0;
    *dst = (intptr_t *) c;
    return 1;
}

static int
bfio_open_io (intptr_t *h, int flags, libbfio_error_t **e)
{
    (void) e;
    /* Read-only: the kiosk never writes to a returned medium. */
    if (flags & LIBBFIO_ACCESS_FLAG_WRITE)
        return -1;
    ((BfioIo *) h)->is_open = 1;
    ((BfioIo *) h)->pos = 0;
    return 1;
}

static int
bfio_close_io (intptr_t *h, libbfio_error_t **e)
{
    (void) e;
    ((BfioIo *) h)->is_open = 0;
    return 0;
}

static ssize_t
bfio_read_io (intptr_t *h, uint8_t *buf, size_t size, libbfio_error_t **e)
{
    BfioIo *io = (BfioIo *) h;
    size_t done = 0;

    (void) e;
    if (size > SSIZE_MAX)
        return -1;
    while (done < size && io->pos < io->src->size) {
        ssize_t r = io->src->pread (io->src->handle, buf + done, size - done, io->pos);
        if (r < 0) {
            io->last_errno = errno;
            return -1;
        }
        if (r == 0)
            break;
        done += (size_t) r;
        io->pos += (uint64_t) r;
    }
    return (ssize_t) done;
}

static ssize_t
bfio_write_io (intptr_t *h, const uint8_t *buf, size_t size, libbfio_error_t **e)
{
    (void) h, (void) buf, (void) size, (void) e;
    return -1;
}

static off64_t
bfio_seek_io (intptr_t *h, off64_t off, int whence, libbfio_error_t **e)
{
    BfioIo *io = (BfioIo *) h;
    int64_t base;

    (void) e;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t) io->pos; break;
    case SEEK_END: base = (int64_t) io->src->size; break;
    default: return -1;
    }
    if ((off < 0 && base + off < 0) || (off > 0 && base > INT64_MAX - off))
        return -1;
    io->pos = (uint64_t) (base + off);
    return (off64_t) io->pos;
}

static int
bfio_exists_io (intptr_t *h, libbfio_error_t **e)
{
    (void) h, (void) e;
    return 1;
}

static int
bfio_is_open_io (intptr_t *h, libbfio_error_t **e)
{
    (void) e;
    return ((BfioIo *) h)->is_open;
}

static int
bfio_get_size_io (intptr_t *h, size64_t *size, libbfio_error_t **e)
{
    (void) e;
    *size = ((BfioIo *) h)->src->size;
    return 1;
}

/* A BitLocker recovery password is 48 digits in eight groups of six; people
 * type it with dashes, spaces or nothing between the groups.  Writes the
 * dashed form libbde expects into @out and returns 1, or returns 0. */
static int
normalise_recovery (const char *s, size_t n, char *out, size_t outlen)
{
    size_t digits = 0, o = 0;

    if (outlen < 56)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (digits == 48)
                return 0;
            if (digits > 0 && digits % 6 == 0)
                out[o++] = '-';
            out[o++] = c;
            digits++;
        } else if (c != '-' && c != ' ') {
            return 0;
        }
    }
    out[o] = '\0';
    return digits == 48;
}

/* ---- BitLocker XTS through libcryptsetup ---- */

/* An internal result: this BitLocker volume is for libbde. */
#define BITLK_USE_LIBBDE 2
/* libcryptsetup reads one BitLocker FVE metadata area of at most 64 KiB. */
#define BITLK_FVE_SIZE 65536u
/* The worker's RLIMIT_FSIZE: the header copy cannot reach further. */
#define STAGE_MAX_END (1ull << 30)

/* Checks each form of the secret libcryptsetup may accept -- the recovery
 * password in its dashed form, then the password as typed -- with
 * crypt_activate_by_passphrase() and no name: a check that never touches
 * device-mapper, and that refuses what libcryptsetup cannot map before any
 * key derivation.  Sets the form that worked. */
static int
bitlk_check (struct crypt_device *cd, Secrets *sec, size_t pass_len, int is_recovery,
             const char **used, size_t *used_len)
{
    const char *cand[2];
    size_t len[2];
    int n = 0, r = -EPERM;

    if (is_recovery) {
        cand[n] = sec->recovery;
        len[n++] = strlen (sec->recovery);
    }
    if (!is_recovery || strcmp (sec->recovery, sec->pass) != 0) {
        cand[n] = sec->pass;
        len[n++] = pass_len;
    }
    for (int i = 0; i < n; i++) {
        r = crypt_activate_by_passphrase (cd, NULL, CRYPT_ANY_SLOT, cand[i], len[i], 0);
        /* A well-formed recovery password that fits no protector comes
         * back as -EINVAL from libcryptsetup 2.6. */
        if (r == -EINVAL && cand[i] == sec->recovery)
            r = -EPERM;
        if (r >= 0) {
            *used = cand[i];
            *used_len = len[i];
            return r;
        }
        if (r != -EPERM)
            return r;
    }
    return r;
}

/* 1 if @needle occurs in the line starting at @line. */
static int
line_has (const char *line, const char *needle)
{
    const char *nl = strchr (line, '\n'), *p = strstr (line, needle);

    return p != NULL && (nl == NULL || p < nl);
}

/* Reads the layout from crypt_dump(): sector size, the three metadata
 * areas and the moved volume header.  Returns 0 when it is complete and
 * consistent with a volume of @size bytes. */
static int
bitlk_layout (KikanUnlocked *u, const char *text, uint64_t size)
{
    const char *seg = NULL, *q = text, *line;
    uint64_t ss, v;
    int n_meta = 0;

    /* Printed before the (free-text) description: the first occurrence. */
    if (dump_u64 (text, "Sector size:", 0, &ss) != 0 || (ss != 512 && ss != 4096))
        return -1;
    /* Printed after it: the last one. */
    while ((q = strstr (q, "\nMetadata segments:")) != NULL)
        seg = q++;
    if (seg == NULL)
        return -1;
    u->n_zero = 0;
    u->vh_offset = u->vh_size = 0;
    for (line = seg + 1; (line = strchr (line, '\n')) != NULL;) {
        line++;
        if (line_has (line, ": FVE metadata area")) {
            if (n_meta == 3 || dump_u64 (line, "Offset:", 0, &v) != 0)
                return -1;
            u->zero[u->n_zero].start = v;
            if (dump_u64 (line, "Size:", 0, &v) != 0 || v == 0 || v > (1u << 20))
                return -1;
            u->zero[u->n_zero].end = u->zero[u->n_zero].start + v;
            u->n_zero++;
            n_meta++;
        } else if (line_has (line, ": Volume header")) {
            if (dump_u64 (line, "Offset:", 0, &u->vh_offset) != 0
                || dump_u64 (line, "Size:", 0, &u->vh_size) != 0)
                return -1;
        }
    }
    if (n_meta != 3 || u->vh_size == 0)
        return -1;
    u->zero[u->n_zero].start = u->vh_offset;
    u->zero[u->n_zero].end = u->vh_offset + u->vh_size;
    u->n_zero++;
    /* Every special range whole sectors inside the volume, the moved header
     * outside its own place. */
    for (int i = 0; i < u->n_zero; i++)
        if (u->zero[i].start % ss != 0 || u->zero[i].end % ss != 0 || u->zero[i].end > size
            || u->zero[i].end <= u->zero[i].start)
            return -1;
    if (u->vh_size % ss != 0 || u->vh_offset < u->vh_size)
        return -1;
    u->sector_size = (uint32_t) ss;
    return 0;
}

static int
has_non_ascii (const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char) s[i] >= 0x80)
            return 1;
    return 0;
}

/* Copies what libcryptsetup's BITLK reader reads -- the boot sector page and
 * the first FVE metadata area -- and loads it.  Returns 0 with *cd set,
 * BITLK_USE_LIBBDE when libcryptsetup cannot take this volume, or a
 * negative KIKAN_E* code (I/O). */
static int
bitlk_load (const KikanSource *vol, const char *tmpdir, Stage *stage, struct crypt_device **cd,
            CsLog *log, int *to_go, char *err, size_t errlen)
{
    unsigned char bs[512];
    uint64_t meta0, end;
    int q;

    *cd = NULL;
    if (vol->size < 4096)
        return BITLK_USE_LIBBDE;
    if (read_full (vol, bs, sizeof bs, 0) != 0) {
        set_err (err, errlen, "cannot read the BitLocker boot sector: %s", strerror (errno));
        return KIKAN_EIO;
    }
    /* Where libcryptsetup looks for the first FVE metadata area. */
    *to_go = memcmp (bs + 3, "MSWIN4.1", 8) == 0;
    if (memcmp (bs + 3, "-FVE-FS-", 8) == 0)
        meta0 = le_n (bs + 0xb0, 8);
    else if (*to_go)
        meta0 = le_n (bs + 0x1b8, 8);
    else
        return BITLK_USE_LIBBDE;
    end = (meta0 + BITLK_FVE_SIZE + STAGE_ALIGN - 1) / STAGE_ALIGN * STAGE_ALIGN;
    if (meta0 == 0 || meta0 > STAGE_MAX_END || end > STAGE_MAX_END || end > vol->size)
        return BITLK_USE_LIBBDE;
    if ((q = stage_open (stage, tmpdir, err, errlen)) != 0
        || (q = stage_size (stage, end, err, errlen)) != 0
        || (q = stage_copy (stage, vol, 0, 4096, err, errlen)) != 0
        || (q = stage_copy (stage, vol, meta0, BITLK_FVE_SIZE, err, errlen)) != 0)
        return q;
    if (crypt_init (cd, stage->path) < 0) {
        *cd = NULL;
        return BITLK_USE_LIBBDE;
    }
    crypt_set_log_callback (*cd, cs_log, log);
    if (crypt_load (*cd, CRYPT_BITLK, NULL) < 0)
        return BITLK_USE_LIBBDE;
    return 0;
}

/* 1 if libcryptsetup reads this volume's metadata and refuses its state
 * (still being encrypted or decrypted, encrypt-on-write, clear key).  Only
 * asked once libbde has failed too, to say so: the check runs before any
 * key derivation for such volumes. */
static int
bitlk_odd_state (const KikanSource *vol, const char *tmpdir)
{
    struct crypt_device *cd = NULL;
    Stage stage = { -1, "" };
    CsLog log;
    char err[8];
    int to_go, odd = 0;

    memset (&log, 0, sizeof log);
    if (bitlk_load (vol, tmpdir, &stage, &cd, &log, &to_go, err, sizeof err) == 0)
        odd = crypt_activate_by_passphrase (cd, NULL, CRYPT_ANY_SLOT, "", 0, 0) == -ENOTSUP;
    crypt_free (cd);
    stage_close (&stage);
    return odd;
}

/* Returns 0, KIKAN_UNLOCK_WRONG_SECRET, a negative KIKAN_E* code, or
 * BITLK_USE_LIBBDE (then *said_wrong tells whether libcryptsetup refused
 * the secret). */
static int
bitlk_xts (KikanUnlocked *u, const KikanSource *vol, Secrets *sec, size_t pass_len,
           int is_recovery, const char *tmpdir, int *said_wrong, char *err, size_t errlen)
{
    struct crypt_device *cd = NULL;
    Stage stage = { -1, "" };
    CsLog log;
    const char *cipher, *mode, *used = NULL;
    size_t key_len = MAX_KEY, used_len = 0;
    int to_go = 0, r, q;

    memset (&log, 0, sizeof log);
    if ((r = bitlk_load (vol, tmpdir, &stage, &cd, &log, &to_go, err, errlen)) != 0)
        goto out;
    r = BITLK_USE_LIBBDE;
    cipher = crypt_get_cipher (cd);
    mode = crypt_get_cipher_mode (cd);
    if (cipher == NULL || mode == NULL || strcmp (cipher, "aes") != 0
        || strcmp (mode, "xts-plain64") != 0)
        goto out;
    cs_dump (cd, &log);
    if (bitlk_layout (u, log.text, vol->size) != 0)
        goto out;
    /* What libcryptsetup cannot map goes to libbde: volumes still being
     * encrypted or decrypted, "used space only" (encrypt-on-write) ones,
     * suspended ones with a clear key. */
    q = bitlk_check (cd, sec, pass_len, is_recovery, &used, &used_len);
    if (q == -EPERM && has_non_ascii (sec->pass, pass_len)) {
        /* libcryptsetup 2.6 rejects some non-ASCII passwords that Windows
         * accepts ("anaconda£"); libbde gets them right. */
        *said_wrong = 1;
        goto out;
    }
    if (q == -EPERM) {
        set_err (err, errlen, "the password or recovery key does not unlock this BitLocker "
                              "volume");
        r = KIKAN_UNLOCK_WRONG_SECRET;
        goto out;
    }
    if (q < 0)
        goto out;
    if (crypt_volume_key_get (cd, CRYPT_ANY_SLOT, (char *) sec->key, &key_len, used, used_len)
        < 0) {
        set_err (err, errlen, "the BitLocker volume key could not be derived");
        r = KIKAN_EINVAL;
        goto out;
    }
    u->data_offset = 0;
    u->iv_base = 0;
    u->iv_unit = u->sector_size;
    u->source.size = vol->size / u->sector_size * u->sector_size;
    if ((r = setup_sector_cipher (u, cipher, mode, key_len, sec, err, errlen)) != 0)
        goto out;
    snprintf (u->describe, sizeof u->describe,
              "BitLocker%s, aes-xts-plain64, %zu-bit key, %u-byte sectors", to_go ? " To Go" : "",
              key_len * 8, u->sector_size);
    r = 0;
out:
    crypt_free (cd);
    stage_close (&stage);
    if (r == BITLK_USE_LIBBDE) {
        /* Nothing of this attempt must leak into the libbde one. */
        u->n_zero = 0;
        u->vh_offset = u->vh_size = 0;
        if (err != NULL && errlen > 0)
            err[0] = '\0';
    }
    return r;
}

/* ---- BitLocker through libbde ---- */

static const char *
bde_method_name (uint16_t m)
{
    switch (m) {
    case LIBBDE_ENCRYPTION_METHOD_AES_128_CBC_DIFFUSER: return "aes-cbc-128 + Elephant diffuser";
    case LIBBDE_ENCRYPTION_METHOD_AES_256_CBC_DIFFUSER: return "aes-cbc-256 + Elephant diffuser";
    case LIBBDE_ENCRYPTION_METHOD_AES_128_CBC: return "aes-cbc-128";
    case LIBBDE_ENCRYPTION_METHOD_AES_256_CBC: return "aes-cbc-256";
    case LIBBDE_ENCRYPTION_METHOD_AES_128_XTS: return "aes-xts-128";
    case LIBBDE_ENCRYPTION_METHOD_AES_256_XTS: return "aes-xts-256";
    default: return "unknown cipher";
    }
}

static int
unlock_bitlocker (KikanUnlocked *u, const KikanSource *vol, Secrets *sec, size_t pass_len,
                  const char *tmpdir, char *err, size_t errlen)
{
    libbde_error_t *e = NULL;
    libbfio_error_t *be = NULL;
    BfioIo *io;
    size64_t size = 0;
    uint16_t method = 0;
    int is_recovery, opened, locked, said_wrong = 0, r;

    is_recovery = normalise_recovery (sec->pass, pass_len, sec->recovery, sizeof sec->recovery);
    if (prime_ok
        && (r = bitlk_xts (u, vol, sec, pass_len, is_recovery, tmpdir, &said_wrong, err, errlen))
               != BITLK_USE_LIBBDE)
        return r;

    if ((io = calloc (1, sizeof *io)) == NULL) {
        set_err (err, errlen, "out of memory");
        return KIKAN_ENOMEM;
    }
    io->src = vol;
    u->bfio_io = io;
    /* MANAGED: libbfio frees @io with the handle. */
    if (libbfio_handle_initialize (&u->bfio, (intptr_t *) io, bfio_free_io, bfio_clone_io,
                                   bfio_open_io, bfio_close_io, bfio_read_io, bfio_write_io,
                                   bfio_seek_io, bfio_exists_io, bfio_is_open_io,
                                   bfio_get_size_io, LIBBFIO_FLAG_IO_HANDLE_MANAGED,
                                   &be)
        != 1) {
        libbfio_error_free (&be);
        if (u->bfio == NULL)
            free (io);
        set_err (err, errlen, "out of memory");
        return KIKAN_ENOMEM;
    }
    pthread_mutex_init (&u->bde_lock, NULL);
    u->bde_lock_ready = 1;
    if (libbde_volume_initialize (&u->bde, &e) != 1) {
        r = KIKAN_ENOMEM;
        set_err (err, errlen, "out of memory");
        goto out;
    }
    if (pass_len > 0
        && libbde_volume_set_utf8_password (u->bde, (const uint8_t *) sec->pass, pass_len, &e)
               != 1) {
        /* Not valid UTF-8, or too long: only a recovery password may still
         * apply. */
        libbde_error_free (&e);
        if (!is_recovery) {
            set_err (err, errlen, "the password does not unlock this BitLocker volume");
            r = KIKAN_UNLOCK_WRONG_SECRET;
            goto out;
        }
    }
    if (is_recovery
        && libbde_volume_set_utf8_recovery_password (u->bde, (const uint8_t *) sec->recovery,
                                                     strlen (sec->recovery), &e)
               != 1)
        libbde_error_free (&e);
    /* 1: open and unlocked (or unlocked by a clear key); 0: no protector
     * took the secret; -1: the metadata could not be read -- or, for XTS-AES
     * 256, libbde 20190102 cannot set up its cipher. */
    opened = libbde_volume_open_file_io_handle (u->bde, u->bfio, LIBBDE_OPEN_READ, &e);
    if (opened < 0 && !said_wrong && prime_ok && bitlk_odd_state (vol, tmpdir)) {
        libbde_error_free (&e);
        set_err (err, errlen, "this BitLocker volume is still being encrypted or decrypted, "
                              "was encrypted \"on write\", or has its protection suspended: "
                              "it cannot be read here");
        r = KIKAN_ENOTSUP;
        goto out;
    }
    if (opened < 0 && !said_wrong) {
        libbde_error_free (&e);
        set_err (err, errlen, "the BitLocker metadata is damaged or not supported");
        r = KIKAN_EINVAL;
        goto out;
    }
    libbde_error_free (&e);
    locked = opened < 0 ? 1 : libbde_volume_is_locked (u->bde, &e);
    if (locked != 0) {
        libbde_error_free (&e);
        set_err (err, errlen, "the password or recovery key does not unlock this BitLocker "
                              "volume");
        r = KIKAN_UNLOCK_WRONG_SECRET;
        goto out;
    }
    if (libbde_volume_get_size (u->bde, &size, &e) != 1 || size == 0) {
        libbde_error_free (&e);
        set_err (err, errlen, "the BitLocker volume reports no size");
        r = KIKAN_EINVAL;
        goto out;
    }
    if (libbde_volume_get_encryption_method (u->bde, &method, &e) != 1)
        libbde_error_free (&e);
    u->source.size = size;
    u->source.pread = bde_pread;
    snprintf (u->describe, sizeof u->describe, "BitLocker, %s (libbde)",
              bde_method_name (method));
    r = 0;
out:
    return r;
}

/* ---- entry point ---- */

int
kikan_unlock (const KikanSource *vol, KikanEncryption kind, const char *secret,
              size_t secret_len, const char *tmpdir, KikanUnlocked **out, char *err,
              size_t errlen)
{
    KikanUnlocked *u = NULL;
    Secrets *sec = NULL;
    size_t mapped = 0;
    int r;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL || vol == NULL || vol->pread == NULL || (secret == NULL && secret_len > 0)) {
        set_err (err, errlen, "invalid arguments");
        return KIKAN_EINVAL;
    }
    *out = NULL;
    switch (kind) {
    case KIKAN_ENC_LUKS1:
    case KIKAN_ENC_LUKS2:
    case KIKAN_ENC_FILEVAULT2:
    case KIKAN_ENC_BITLOCKER:
        break;
    case KIKAN_ENC_APFS:
        set_err (err, errlen, "encrypted APFS volumes cannot be unlocked here");
        return KIKAN_ENOTSUP;
    case KIKAN_ENC_UNKNOWN:
        set_err (err, errlen, "no encryption format was recognised (VeraCrypt and TrueCrypt "
                              "volumes cannot be unlocked here)");
        return KIKAN_ENOTSUP;
    default:
        set_err (err, errlen, "the volume is not encrypted");
        return KIKAN_EINVAL;
    }
    if (secret_len >= sizeof ((Secrets *) NULL)->pass) {
        set_err (err, errlen, "the passphrase is too long (%zu bytes at most)",
                 sizeof ((Secrets *) NULL)->pass - 1);
        return KIKAN_EINVAL;
    }
    kikan_unlock_prime ();

    if ((sec = secure_alloc (sizeof *sec, &mapped)) == NULL) {
        set_err (err, errlen, "cannot lock memory for the key: %s", strerror (errno));
        return KIKAN_ENOMEM;
    }
    if (secret_len > 0)
        memcpy (sec->pass, secret, secret_len);
    sec->pass[secret_len] = '\0';
    if ((u = unlocked_new (vol)) == NULL) {
        set_err (err, errlen, "out of memory");
        r = KIKAN_ENOMEM;
        goto out;
    }
    if (!prime_ok && kind != KIKAN_ENC_BITLOCKER) {
        /* libcryptsetup would fail on every header and call it damaged. */
        set_err (err, errlen, "libcryptsetup was not prepared before the sandbox "
                              "(kikan_unlock_prime)");
        r = KIKAN_ESANDBOX;
        goto out;
    }
    switch (kind) {
    case KIKAN_ENC_LUKS1:
    case KIKAN_ENC_LUKS2:
        r = unlock_luks (u, vol, sec, secret_len, tmpdir, err, errlen);
        break;
    case KIKAN_ENC_FILEVAULT2:
        r = unlock_fvault2 (u, vol, sec, secret_len, tmpdir, err, errlen);
        break;
    default:
        r = unlock_bitlocker (u, vol, sec, secret_len, tmpdir, err, errlen);
        break;
    }
    if (r == 0) {
        *out = u;
        u = NULL;
    }
out:
    kikan_unlocked_free (u);
    secure_free (sec, mapped);
    return r;
}
