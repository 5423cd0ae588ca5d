/* Kikan kiosk: sealing the audit chain (seal-private.h). */
#include "seal-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>

#include "audit-private.h"
#include "error-private.h"
#include "format-private.h"
#include "kill-point-private.h"
#include "verifier-private.h"

#define SEAL_KEY_MAGIC "kikan-seal-key-v1"
#define VK_PREFIX "kikan-vk1:"

static const char zero_hash[KIKAN_AUDIT_HASH_HEX_LEN + 1]
    = "0000000000000000000000000000000000000000000000000000000000000000";

/* The keys live beside the store, so that a test store and its keys
 * travel together and an installed kiosk keeps both under $KIKAN_HOME. */
static char *
keys_dir (KikanStore *store)
{
    g_autofree char *dir = g_path_get_dirname (kikan_store_get_path (store));

    return g_build_filename (dir, "keys", NULL);
}

static char *
key_path (KikanStore *store, const char *name)
{
    g_autofree char *dir = keys_dir (store);

    return g_build_filename (dir, name, NULL);
}

void
kikan_audit_kill_point (void)
{
    static KikanKillPoint kp = KIKAN_KILL_POINT_INIT ("KIKAN_TEST_KILL_AUDIT");

    kikan_kill_point (&kp);
}

static gboolean
fail_io (GError **error, const char *what, const char *path, int err)
{
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                 "%s (%s: %s). The kiosk writes no audit record it cannot seal: tell IT "
                 "(docs/audit.md \"Keys\").",
                 what, path, g_strerror (err));
    return FALSE;
}

void
kikan_audit_evolve_key (guint8 key[KIKAN_AUDIT_KEY_LEN])
{
    static const char label[] = "kikan-seal-evolve-v1";
    guint8 next[KIKAN_AUDIT_KEY_LEN];

    crypto_generichash (next, sizeof next, (const guint8 *)label, sizeof label - 1, key,
                        KIKAN_AUDIT_KEY_LEN);
    memcpy (key, next, sizeof next);
    sodium_memzero (next, sizeof next);
}

void
kikan_audit_key_id (const guint8 initial_key[KIKAN_AUDIT_KEY_LEN], char out[33])
{
    static const char label[] = "kikan-seal-key-id-v1";
    crypto_generichash_state h;
    guint8 id[16];

    crypto_generichash_init (&h, NULL, 0, sizeof id);
    crypto_generichash_update (&h, (const guint8 *)label, sizeof label);
    crypto_generichash_update (&h, initial_key, KIKAN_AUDIT_KEY_LEN);
    crypto_generichash_final (&h, id, sizeof id);
    sodium_bin2hex (out, 33, id, sizeof id);
}

void
kikan_audit_record_mac (const guint8 key[KIKAN_AUDIT_KEY_LEN], const char *hash, char out[65])
{
    static const char label[] = "kikan-record-mac-v1";
    crypto_generichash_state h;
    guint8 mac[32];

    crypto_generichash_init (&h, key, KIKAN_AUDIT_KEY_LEN, sizeof mac);
    crypto_generichash_update (&h, (const guint8 *)label, sizeof label);
    crypto_generichash_update (&h, (const guint8 *)hash, strlen (hash));
    crypto_generichash_final (&h, mac, sizeof mac);
    sodium_bin2hex (out, 65, mac, sizeof mac);
}

void
kikan_audit_seal_mac (const guint8 key[KIKAN_AUDIT_KEY_LEN], GBytes *message, char out[65])
{
    guint8 mac[32];
    gsize len;
    const guint8 *data = g_bytes_get_data (message, &len);

    crypto_generichash (mac, sizeof mac, data, len, key, KIKAN_AUDIT_KEY_LEN);
    sodium_bin2hex (out, 65, mac, sizeof mac);
}

/* seal.key: the magic, the epoch (20 digits, so that every rewrite has the
 * same length and overwrites the same bytes in place), the key, and a
 * BLAKE2b-128 check of what precedes it (a torn write is refused, not
 * read as another key). */
#define SEAL_KEY_FILE_LEN (sizeof SEAL_KEY_MAGIC + 21 + 65 + 33)

static void
format_seal_key (gint64 epoch, const guint8 key[KIKAN_AUDIT_KEY_LEN], char *out)
{
    char hex[65], check_hex[33];
    guint8 check[16];
    int n;

    sodium_bin2hex (hex, sizeof hex, key, KIKAN_AUDIT_KEY_LEN);
    n = g_snprintf (out, SEAL_KEY_FILE_LEN + 1, "%s\n%020" G_GINT64_FORMAT "\n%s\n", SEAL_KEY_MAGIC,
                    epoch, hex);
    crypto_generichash (check, sizeof check, (const guint8 *)out, (gsize)n, NULL, 0);
    sodium_bin2hex (check_hex, sizeof check_hex, check, sizeof check);
    g_snprintf (out + n, SEAL_KEY_FILE_LEN + 1 - (gsize)n, "%s\n", check_hex);
    sodium_memzero (hex, sizeof hex);
}

static gboolean
parse_seal_key (const char *text, gsize len, gint64 *epoch, guint8 key[KIKAN_AUDIT_KEY_LEN])
{
    char expect[SEAL_KEY_FILE_LEN + 1];
    g_auto (GStrv) lines = NULL;
    gboolean ok;
    guint64 e;

    if (len != SEAL_KEY_FILE_LEN)
        return FALSE;
    lines = g_strsplit (text, "\n", -1);
    if (g_strv_length (lines) != 5 || strcmp (lines[0], SEAL_KEY_MAGIC) != 0
        || !g_ascii_string_to_unsigned (lines[1], 10, 0, G_MAXINT64, &e, NULL)
        || sodium_hex2bin (key, KIKAN_AUDIT_KEY_LEN, lines[2], strlen (lines[2]), NULL, NULL,
                           NULL)
               != 0)
        return FALSE;
    format_seal_key ((gint64)e, key, expect);
    ok = sodium_memcmp (expect, text, SEAL_KEY_FILE_LEN) == 0;
    sodium_memzero (expect, sizeof expect);
    for (char **l = lines; *l != NULL; l++)
        sodium_memzero (*l, strlen (*l));
    if (!ok)
        sodium_memzero (key, KIKAN_AUDIT_KEY_LEN);
    *epoch = (gint64)e;
    return ok;
}

/* Reads or rewrites the whole small file under an flock, so that two
 * kikan processes never see half a key. */
static gboolean
read_locked (const char *path, char *buf, gsize size, gsize *len, GError **error)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n;

    if (fd < 0)
        return fail_io (error, "The audit sealing key cannot be read", path, errno);
    if (flock (fd, LOCK_SH) != 0 || (n = read (fd, buf, size - 1)) < 0) {
        int err = errno;

        close (fd);
        return fail_io (error, "The audit sealing key cannot be read", path, err);
    }
    close (fd);
    buf[n] = '\0';
    *len = (gsize)n;
    return TRUE;
}

static gboolean
write_locked (const char *path, const char *buf, gsize len, gboolean create, GError **error)
{
    int fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT | O_TRUNC : 0),
                   0600);
    gboolean ok;

    if (fd < 0)
        return fail_io (error, "The audit sealing key cannot be written", path, errno);
    /* In place: the new key overwrites the old one's bytes, so the old
     * key is not left behind in a freed block by a rename. */
    ok = flock (fd, LOCK_EX) == 0 && pwrite (fd, buf, len, 0) == (ssize_t)len
         && ftruncate (fd, (off_t)len) == 0 && fsync (fd) == 0;
    if (!ok) {
        int err = errno;

        close (fd);
        return fail_io (error, "The audit sealing key cannot be written", path, err);
    }
    close (fd);
    return TRUE;
}

static gboolean
load_seal_key (KikanStore *store, gint64 *epoch, guint8 key[KIKAN_AUDIT_KEY_LEN], GError **error)
{
    g_autofree char *path = key_path (store, "seal.key");
    char buf[SEAL_KEY_FILE_LEN + 2];
    gsize len = 0;
    gboolean ok;

    if (!read_locked (path, buf, sizeof buf, &len, error))
        return FALSE;
    ok = parse_seal_key (buf, len, epoch, key);
    sodium_memzero (buf, sizeof buf);
    if (!ok) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "The audit sealing key %s is damaged. The kiosk writes no audit record it "
                     "cannot seal: tell IT (docs/audit.md \"Keys\").",
                     path);
        return FALSE;
    }
    return TRUE;
}

static gboolean
save_seal_key (KikanStore *store, gint64 epoch, const guint8 key[KIKAN_AUDIT_KEY_LEN],
               gboolean create, GError **error)
{
    g_autofree char *path = key_path (store, "seal.key");
    char buf[SEAL_KEY_FILE_LEN + 1];
    gboolean ok;

    format_seal_key (epoch, key, buf);
    ok = write_locked (path, buf, SEAL_KEY_FILE_LEN, create, error);
    sodium_memzero (buf, sizeof buf);
    return ok;
}

static gboolean
load_signing_key (KikanStore *store, guint8 sk[crypto_sign_SECRETKEYBYTES], GError **error)
{
    g_autofree char *path = key_path (store, "kiosk.ed25519");
    char buf[2 * crypto_sign_SECRETKEYBYTES + 4];
    gsize len = 0;
    gboolean ok;

    if (!read_locked (path, buf, sizeof buf, &len, error))
        return FALSE;
    g_strchomp (buf);
    ok = sodium_hex2bin (sk, crypto_sign_SECRETKEYBYTES, buf, strlen (buf), NULL, &len, NULL) == 0
         && len == crypto_sign_SECRETKEYBYTES;
    sodium_memzero (buf, sizeof buf);
    if (!ok) {
        sodium_memzero (sk, crypto_sign_SECRETKEYBYTES);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "The kiosk's signing key %s is damaged: tell IT (docs/audit.md \"Keys\").",
                     path);
    }
    return ok;
}

/* Query helpers: one integer, or one row of text. */
static gboolean
query_int64 (KikanStore *store, const char *sql, gint64 *out, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (store, sql, error);
    int rc;

    if (st == NULL)
        return FALSE;
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW)
        return kikan_store_fail (store, "Could not read the audit seals", error);
    return TRUE;
}

gboolean
kikan_audit_identity (KikanStore *store, char **kiosk_id,
                      guint8 public_key[KIKAN_AUDIT_PUBLIC_KEY_LEN], GError **error)
{
    sqlite3_stmt *st;
    int rc;
    gboolean found = FALSE;

    if (kikan_store_get_version (store) < 3)
        return FALSE;
    st = kikan_store_prepare (store, "SELECT kiosk_id, public_key FROM audit_identity WHERE id = 1",
                              error);
    if (st == NULL)
        return FALSE;
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        const char *hex = (const char *)sqlite3_column_text (st, 1);
        guint8 pk[KIKAN_AUDIT_PUBLIC_KEY_LEN];
        gsize len = 0;

        if (hex == NULL
            || sodium_hex2bin (pk, sizeof pk, hex, strlen (hex), NULL, &len, NULL) != 0
            || len != sizeof pk || sqlite3_column_type (st, 0) != SQLITE_TEXT) {
            sqlite3_finalize (st);
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE_CORRUPT,
                         "The kiosk's audit identity in the store is damaged: keep the store as "
                         "evidence and tell the auditor.");
            return FALSE;
        }
        if (public_key != NULL)
            memcpy (public_key, pk, sizeof pk);
        if (kiosk_id != NULL)
            *kiosk_id = kikan_store_column_dup (st, 0);
        found = TRUE;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the kiosk's audit identity", error);
    if (!found && error != NULL)
        *error = NULL;
    return found;
}

gboolean
kikan_audit_head (KikanStore *store, gint64 *seq, char hash[65], GError **error)
{
    sqlite3_stmt *st
        = kikan_store_prepare (store, "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1",
                               error);
    int rc;

    if (st == NULL)
        return FALSE;
    *seq = 0;
    g_strlcpy (hash, zero_hash, 65);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64 (st, 0);
        g_strlcpy (hash, (const char *)sqlite3_column_text (st, 1), 65);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit chain", error);
    return TRUE;
}

gboolean
kikan_audit_last_sealed_seq (KikanStore *store, gint64 *seq, GError **error)
{
    return query_int64 (
        store, "SELECT coalesce((SELECT seq FROM audit_seals ORDER BY epoch DESC LIMIT 1), 0)",
        seq, error);
}

/* The epoch of the next seal: the number of seals so far (as this
 * transaction sees them). */
static gboolean
next_epoch (KikanStore *store, gint64 *epoch, GError **error)
{
    return query_int64 (store, "SELECT coalesce(max(epoch), -1) + 1 FROM audit_seals", epoch,
                        error);
}

/* Brings seal.key forward to @want in one exclusive lock (read, derive,
 * write), and never back: two kikan processes that each saw a seal
 * committed cannot write an older key over a newer one. */
static gboolean
evolve_key_file_to (KikanStore *store, gint64 want, GError **error)
{
    g_autofree char *path = key_path (store, "seal.key");
    char buf[SEAL_KEY_FILE_LEN + 2];
    guint8 key[KIKAN_AUDIT_KEY_LEN];
    gint64 have = 0;
    ssize_t n;
    gboolean ok = TRUE;
    int fd = open (path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0)
        return fail_io (error, "The audit sealing key cannot be read", path, errno);
    if (flock (fd, LOCK_EX) != 0 || (n = pread (fd, buf, sizeof buf - 1, 0)) < 0) {
        int err = errno;

        close (fd);
        return fail_io (error, "The audit sealing key cannot be read", path, err);
    }
    buf[n] = '\0';
    if (!parse_seal_key (buf, (gsize)n, &have, key)) {
        sodium_memzero (buf, sizeof buf);
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "The audit sealing key %s is damaged. The kiosk writes no audit record it "
                     "cannot seal: tell IT (docs/audit.md \"Keys\").",
                     path);
        return FALSE;
    }
    if (have < want) {
        while (have < want) {
            kikan_audit_evolve_key (key);
            have++;
        }
        kikan_audit_kill_point ();
        format_seal_key (have, key, buf);
        ok = pwrite (fd, buf, SEAL_KEY_FILE_LEN, 0) == (ssize_t)SEAL_KEY_FILE_LEN
             && ftruncate (fd, (off_t)SEAL_KEY_FILE_LEN) == 0 && fsync (fd) == 0;
        if (!ok)
            fail_io (error, "The audit sealing key cannot be written", path, errno);
    }
    sodium_memzero (buf, sizeof buf);
    sodium_memzero (key, sizeof key);
    close (fd);
    return ok;
}

gboolean
kikan_audit_wipe_used_keys (KikanStore *store, GError **error)
{
    g_autoptr (GError) local = NULL;
    gint64 want = 0;

    if (!kikan_audit_identity (store, NULL, NULL, &local)) {
        if (local == NULL)
            return TRUE;
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    return next_epoch (store, &want, error) && evolve_key_file_to (store, want, error);
}

/* After a commit: the key file is brought to the epoch the committed
 * seals call for, and with it the key that made the last seal is gone. */
static void
wipe_used_key (KikanStore *store, gpointer data)
{
    g_autoptr (GError) error = NULL;

    (void)data;
    if (!kikan_audit_wipe_used_keys (store, &error))
        g_printerr ("kikan: warning: the used audit sealing key could not be wiped: %s\n",
                    error->message);
}

/* K_e for the seal or record about to be written (e = seals so far).  A
 * key file behind the store is derived forward (and rewritten after the
 * commit); one ahead of it means seals were removed: fail closed. */
static gboolean
current_key (KikanStore *store, guint8 key[KIKAN_AUDIT_KEY_LEN], gint64 *epoch, GError **error)
{
    gint64 have = 0, want = 0;

    if (!next_epoch (store, &want, error) || !load_seal_key (store, &have, key, error))
        return FALSE;
    if (have > want) {
        sodium_memzero (key, KIKAN_AUDIT_KEY_LEN);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE_CORRUPT,
                     "The audit sealing key is at seal %" G_GINT64_FORMAT " but the store holds "
                     "only %" G_GINT64_FORMAT " seals: seals were removed from the store. "
                     "Nothing more is written; keep the store as evidence and tell the auditor.",
                     have, want);
        return FALSE;
    }
    if (have < want) {
        while (have < want) {
            kikan_audit_evolve_key (key);
            have++;
        }
        kikan_store_after_commit (store, wipe_used_key, NULL);
    }
    *epoch = want;
    return TRUE;
}

gboolean
kikan_audit_mac_for_append (KikanStore *store, const char *hash, char mac[65], gboolean *sealed,
                            GError **error)
{
    guint8 key[KIKAN_AUDIT_KEY_LEN];
    g_autoptr (GError) local = NULL;
    gint64 epoch;

    *sealed = kikan_audit_identity (store, NULL, NULL, &local);
    if (local != NULL) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    if (!*sealed)
        return TRUE;
    if (!current_key (store, key, &epoch, error))
        return FALSE;
    kikan_audit_record_mac (key, hash, mac);
    sodium_memzero (key, sizeof key);
    return TRUE;
}

GBytes *
kikan_audit_seal_message (const char *kiosk_id, gint64 epoch, gint64 seq, const char *head_hash,
                          const char *at, const char *why, const char *prev_mac)
{
    GByteArray *m = g_byte_array_new ();
    char num[32];
    const char *fields[8];

    fields[0] = "kikan-seal-v1";
    fields[1] = kiosk_id;
    g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, epoch);
    fields[2] = g_strdup (num);
    g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, seq);
    fields[3] = g_strdup (num);
    fields[4] = head_hash;
    fields[5] = at;
    fields[6] = why;
    fields[7] = prev_mac;
    /* Each field is followed by a NUL: no two seals cut into the same
     * bytes differently. */
    for (gsize i = 0; i < G_N_ELEMENTS (fields); i++) {
        const char *f = fields[i] != NULL ? fields[i] : "";

        g_byte_array_append (m, (const guint8 *)f, (guint)strlen (f) + 1);
    }
    g_free ((char *)fields[2]);
    g_free ((char *)fields[3]);
    return g_byte_array_free_to_bytes (m);
}

gboolean
kikan_audit_seal (KikanStore *store, const char *why, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autofree char *kiosk_id = NULL;
    g_autofree char *now = kikan_store_now_iso ();
    g_autoptr (GBytes) message = NULL;
    guint8 key[KIKAN_AUDIT_KEY_LEN], sk[crypto_sign_SECRETKEYBYTES];
    guint8 pk[KIKAN_AUDIT_PUBLIC_KEY_LEN], signature[crypto_sign_BYTES];
    char head[65], prev_mac[65], mac[65], sig_hex[2 * crypto_sign_BYTES + 1];
    gint64 seq = 0, epoch = 0, last_seq = -1;
    sqlite3_stmt *st;
    int rc;

    if (!kikan_audit_identity (store, &kiosk_id, pk, &local)) {
        if (local == NULL)
            return TRUE; /* not initialised: nothing to seal with */
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    if (!kikan_audit_head (store, &seq, head, error))
        return FALSE;
    g_strlcpy (prev_mac, zero_hash, sizeof prev_mac);
    st = kikan_store_prepare (store, "SELECT seq, mac FROM audit_seals ORDER BY epoch DESC LIMIT 1",
                              error);
    if (st == NULL)
        return FALSE;
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        last_seq = sqlite3_column_int64 (st, 0);
        g_strlcpy (prev_mac, (const char *)sqlite3_column_text (st, 1), sizeof prev_mac);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit seals", error);
    if (last_seq == seq)
        return TRUE; /* nothing appended since the last seal */
    if (!current_key (store, key, &epoch, error))
        return FALSE;
    if (!load_signing_key (store, sk, error)) {
        sodium_memzero (key, sizeof key);
        return FALSE;
    }
    message = kikan_audit_seal_message (kiosk_id, epoch, seq, head, now, why, prev_mac);
    kikan_audit_seal_mac (key, message, mac);
    sodium_memzero (key, sizeof key);
    crypto_sign_detached (signature, NULL, g_bytes_get_data (message, NULL),
                          g_bytes_get_size (message), sk);
    /* A signing key that is not the identity's would make checkpoints
     * nobody can check: refuse rather than write them. */
    if (memcmp (sk + crypto_sign_SEEDBYTES, pk, sizeof pk) != 0) {
        sodium_memzero (sk, sizeof sk);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE_CORRUPT,
                     "The kiosk's signing key is not the one its audit identity names: keep the "
                     "store and the keys as evidence and tell the auditor.");
        return FALSE;
    }
    sodium_memzero (sk, sizeof sk);
    sodium_bin2hex (sig_hex, sizeof sig_hex, signature, sizeof signature);
    st = kikan_store_prepare (store,
                              "INSERT INTO audit_seals (epoch, seq, head_hash, at, why, prev_mac, "
                              "mac, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              error);
    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, epoch);
    sqlite3_bind_int64 (st, 2, seq);
    kikan_store_bind_text (st, 3, head);
    kikan_store_bind_text (st, 4, now);
    kikan_store_bind_text (st, 5, why);
    kikan_store_bind_text (st, 6, prev_mac);
    kikan_store_bind_text (st, 7, mac);
    kikan_store_bind_text (st, 8, sig_hex);
    if (!kikan_store_step_done (store, st, "Could not seal the audit chain", error))
        return FALSE;
    kikan_audit_kill_point ();
    /* K_epoch has sealed once: it goes as soon as the seal is on disk. */
    kikan_store_after_commit (store, wipe_used_key, NULL);
    return TRUE;
}

gboolean
kikan_audit_sign (KikanStore *store, const guint8 *msg, gsize len,
                  guint8 signature[KIKAN_AUDIT_SIGNATURE_LEN], GError **error)
{
    g_autoptr (GError) local = NULL;
    guint8 pk[KIKAN_AUDIT_PUBLIC_KEY_LEN], sk[crypto_sign_SECRETKEYBYTES];
    gboolean same;

    if (!kikan_audit_identity (store, NULL, pk, &local)) {
        if (local != NULL)
            g_propagate_error (error, g_steal_pointer (&local));
        else
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                         "This kiosk has no signing key yet: IT must run `kikan audit init` once.");
        return FALSE;
    }
    if (!load_signing_key (store, sk, error))
        return FALSE;
    same = memcmp (sk + crypto_sign_SEEDBYTES, pk, sizeof pk) == 0;
    if (same)
        crypto_sign_detached (signature, NULL, msg, len, sk);
    sodium_memzero (sk, sizeof sk);
    if (!same) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE_CORRUPT,
                     "The kiosk's signing key is not the one its audit identity names: keep the "
                     "store and the keys as evidence and tell the auditor.");
        return FALSE;
    }
    return TRUE;
}

gboolean
kikan_audit_parse_verification_key (const char *text, guint8 key[KIKAN_AUDIT_KEY_LEN])
{
    g_autoptr (GString) hex = g_string_new (NULL);
    gsize len = 0;

    if (text == NULL || !g_str_has_prefix (text, VK_PREFIX))
        return FALSE;
    for (const char *p = text + strlen (VK_PREFIX); *p != '\0'; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        if (!g_ascii_isxdigit (*p))
            return FALSE;
        g_string_append_c (hex, g_ascii_tolower (*p));
    }
    if (hex->len != 2 * KIKAN_AUDIT_KEY_LEN
        || sodium_hex2bin (key, KIKAN_AUDIT_KEY_LEN, hex->str, hex->len, NULL, &len, NULL) != 0
        || len != KIKAN_AUDIT_KEY_LEN) {
        sodium_memzero (hex->str, hex->len);
        return FALSE;
    }
    sodium_memzero (hex->str, hex->len);
    return TRUE;
}

gboolean
kikan_audit_parse_public_key (const char *text, guint8 key[KIKAN_AUDIT_PUBLIC_KEY_LEN])
{
    g_autofree char *t = text != NULL ? g_strstrip (g_strdup (text)) : NULL;
    gsize len = 0;

    return t != NULL && strlen (t) == 2 * KIKAN_AUDIT_PUBLIC_KEY_LEN
           && sodium_hex2bin (key, KIKAN_AUDIT_PUBLIC_KEY_LEN, t, strlen (t), NULL, &len, NULL)
                  == 0
           && len == KIKAN_AUDIT_PUBLIC_KEY_LEN;
}

static char *
format_verification_key (const guint8 key[KIKAN_AUDIT_KEY_LEN])
{
    char hex[2 * KIKAN_AUDIT_KEY_LEN + 1];
    GString *s = g_string_new (VK_PREFIX);

    sodium_bin2hex (hex, sizeof hex, key, KIKAN_AUDIT_KEY_LEN);
    for (gsize i = 0; i < 2 * KIKAN_AUDIT_KEY_LEN; i += 8) {
        if (i > 0)
            g_string_append_c (s, '-');
        g_string_append_len (s, hex + i, 8);
    }
    sodium_memzero (hex, sizeof hex);
    return g_string_free (s, FALSE);
}

void
kikan_audit_init_free (KikanAuditInit *self)
{
    if (self == NULL)
        return;
    g_free (self->kiosk_id);
    if (self->verification_key != NULL)
        sodium_memzero (self->verification_key, strlen (self->verification_key));
    g_free (self->verification_key);
    g_free (self->public_key_hex);
    g_free (self);
}

static gboolean
write_new_keys (KikanStore *store, const guint8 k0[KIKAN_AUDIT_KEY_LEN],
                const guint8 sk[crypto_sign_SECRETKEYBYTES], GError **error)
{
    g_autofree char *dir = keys_dir (store);
    g_autofree char *sign_path = key_path (store, "kiosk.ed25519");
    char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
    gboolean ok;
    int dfd;

    if (g_mkdir_with_parents (dir, 0700) != 0)
        return fail_io (error, "The kiosk's key folder cannot be made", dir, errno);
    if (g_chmod (dir, 0700) != 0)
        return fail_io (error, "The kiosk's key folder cannot be protected", dir, errno);
    sodium_bin2hex (hex, sizeof hex - 1, sk, crypto_sign_SECRETKEYBYTES);
    strcat (hex, "\n");
    ok = write_locked (sign_path, hex, strlen (hex), TRUE, error)
         && save_seal_key (store, 0, k0, TRUE, error);
    sodium_memzero (hex, sizeof hex);
    if (ok && (dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync (dfd);
        close (dfd);
    }
    return ok;
}

KikanAuditInit *
kikan_audit_init (KikanStore *store, const char *kiosk_id, GError **error)
{
    g_autoptr (KikanAuditInit) out = g_new0 (KikanAuditInit, 1);
    g_autoptr (GError) local = NULL;
    g_autoptr (JsonNode) payload = NULL;
    g_autofree char *now = kikan_store_now_iso ();
    guint8 k0[KIKAN_AUDIT_KEY_LEN], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1], key_id[33];
    sqlite3_stmt *st;
    gboolean ok;

    if (!kikan_id_is_plain (kiosk_id)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "A kiosk ID is 1 to 64 letters, digits, '-', '_' or '.' (it is printed on "
                     "every slip).");
        return NULL;
    }
    if (sodium_init () < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "libsodium failed to start.");
        return NULL;
    }
    if (!kikan_store_begin (store, error))
        return NULL;
    if (kikan_audit_identity (store, NULL, NULL, &local) || local != NULL) {
        kikan_store_rollback (store);
        if (local != NULL)
            g_propagate_error (error, g_steal_pointer (&local));
        else
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                         "This kiosk's audit trail is already initialised; its verification key "
                         "was shown once, when it was. Nothing was changed.");
        return NULL;
    }
    randombytes_buf (k0, sizeof k0);
    crypto_sign_keypair (pk, sk);
    sodium_bin2hex (pk_hex, sizeof pk_hex, pk, sizeof pk);
    kikan_audit_key_id (k0, key_id);
    /* The keys are on disk before the identity that names them commits: a
     * crash in between leaves keys without an identity, which the next
     * init simply replaces. */
    ok = write_new_keys (store, k0, sk, error);
    sodium_memzero (sk, sizeof sk);
    if (!ok) {
        sodium_memzero (k0, sizeof k0);
        kikan_store_rollback (store);
        return NULL;
    }
    st = kikan_store_prepare (store,
                              "INSERT INTO audit_identity (id, kiosk_id, created_at, public_key, "
                              "seal_key_id) VALUES (1, ?, ?, ?, ?)",
                              error);
    payload = kikan_audit_payload ("kiosk_id", kiosk_id, "public_key", pk_hex, "seal_key_id",
                                   key_id, NULL);
    if (st != NULL) {
        kikan_store_bind_text (st, 1, kiosk_id);
        kikan_store_bind_text (st, 2, now);
        kikan_store_bind_text (st, 3, pk_hex);
        kikan_store_bind_text (st, 4, key_id);
    }
    ok = st != NULL
         && kikan_store_step_done (store, st, "Could not record the kiosk's identity", error)
         && kikan_audit_append (store, "audit_init", 0, payload, error)
         && kikan_audit_seal (store, "init", error) && kikan_store_commit (store, error);
    if (!ok) {
        sodium_memzero (k0, sizeof k0);
        kikan_store_rollback (store);
        return NULL;
    }
    out->kiosk_id = g_strdup (kiosk_id);
    out->verification_key = format_verification_key (k0);
    out->public_key_hex = g_strdup (pk_hex);
    sodium_memzero (k0, sizeof k0);
    return g_steal_pointer (&out);
}

gboolean
kikan_audit_key_file (KikanStore *store, gboolean *keys_dir_present, gboolean *present,
                      gint64 *epoch, guint8 key[KIKAN_AUDIT_KEY_LEN], GError **error)
{
    g_autofree char *dir = keys_dir (store);
    g_autofree char *path = key_path (store, "seal.key");

    *keys_dir_present = g_file_test (dir, G_FILE_TEST_IS_DIR);
    *present = g_file_test (path, G_FILE_TEST_EXISTS);
    *epoch = -1;
    if (!*present)
        return TRUE;
    return load_seal_key (store, epoch, key, error);
}

gboolean
kikan_audit_key_epoch (KikanStore *store, gint64 *epoch, GError **error)
{
    g_autofree char *path = key_path (store, "seal.key");
    guint8 key[KIKAN_AUDIT_KEY_LEN];
    gboolean ok;

    if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
        *epoch = -1;
        return TRUE;
    }
    ok = load_seal_key (store, epoch, key, error);
    sodium_memzero (key, sizeof key);
    return ok;
}
