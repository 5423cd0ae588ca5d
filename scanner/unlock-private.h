/* Unlocking encrypted volumes in user space (issue #3 item 5; Admin
 * E-7/E-8): no device-mapper, no kernel mount.  Runs inside the worker.
 *
 *   LUKS1, LUKS2   libcryptsetup on a copy of the header region (it wants a
 *                  path; the worker has only a descriptor) gives the volume
 *                  key; OpenSSL decrypts the sectors (aes-xts-plain64,
 *                  aes-xts-plain, aes-cbc-essiv:sha256, aes-cbc-plain64,
 *                  aes-cbc-plain; 512..4096-byte sectors).
 *   FileVault 2    libcryptsetup's FVAULT2 support on a sparse copy of the
 *                  exact Core Storage metadata ranges; OpenSSL AES-XTS.
 *   BitLocker      libbde over a libbfio handle on the KikanSource: XTS,
 *                  CBC and CBC + Elephant diffuser, BitLocker To Go, with a
 *                  password or a 48-digit recovery password.
 *
 * Secrets: the caller passes the passphrase in locked memory; this module
 * keeps its own copies of key material only in mlock()ed, MADV_DONTDUMP
 * pages, wipes them with explicit_bzero() as soon as the cipher contexts
 * are set up, and never logs them or puts them in a message.  The
 * libraries keep their own copies (libcryptsetup's wiped "safe" buffers,
 * libbde's and OpenSSL's key schedules, cleared when freed): docs/unlock.md
 * "Secrets". */
#pragma once

#include <stddef.h>

#include "kikan/source.h"
#include "kikan/volume.h"

typedef struct KikanUnlocked KikanUnlocked;

enum {
    KIKAN_UNLOCK_WRONG_SECRET = 1,   /* the passphrase or key does not open any slot */
};

/* Loads, before any worker is forked, what the libraries would otherwise
 * load lazily from the file system in the middle of an unlock, where the
 * sandbox forbids it: libcryptsetup's crypto backend (OpenSSL's "legacy"
 * provider is a dlopen()ed module) and its random-number source, glibc's
 * libgcc_s (dlopen()ed at the first pthread_exit(), which libargon2's
 * threads call: LUKS2's default key derivation), and libcryptsetup's log
 * routing (nothing reaches stdout/stderr).  Also turns off
 * libcryptsetup's metadata locking, which would need flock() and a lock
 * directory: the header copies are private files.  Call once in the daemon
 * (kikan_worker_prime); idempotent, thread-safe, and kikan_unlock() calls
 * it too (enough outside a sandbox, e.g. in tests). */
void kikan_unlock_prime (void);

/* Unlocks @vol (the encrypted bytes of one volume, as stored) of kind
 * @kind with @secret (@secret_len bytes, no terminator needed; UTF-8).
 * BitLocker accepts a password or a recovery password (48 digits, in
 * groups of six separated by dashes or spaces, or none); LUKS1/LUKS2 and
 * FileVault 2 a passphrase.  @tmpdir is the worker's private temp dir, for
 * libraries that insist on a path (the LUKS/FileVault 2 header copy, mode
 * 0600, deleted before this returns).  On success *out gives a KikanSource
 * of the decrypted volume (kikan_unlocked_get_source); @vol is read through
 * and must outlive *out.  Returns 0, KIKAN_UNLOCK_WRONG_SECRET, KIKAN_ENOTSUP
 * (kind or cipher not supported), or a negative KIKAN_E* code (KIKAN_EINVAL:
 * damaged or truncated header; KIKAN_EIO: @vol or @tmpdir failed), with a
 * message for people in @err (never containing the secret). */
int kikan_unlock (const KikanSource *vol, KikanEncryption kind, const char *secret,
                  size_t secret_len, const char *tmpdir, KikanUnlocked **out, char *err,
                  size_t errlen);

/* Thread-safe pread over the plaintext; valid until kikan_unlocked_free.
 * Reads at or past the end return 0; a read error of the encrypted volume
 * (or a decryption failure) returns -1 with errno set (EIO when the volume
 * gave none). */
const KikanSource *kikan_unlocked_get_source (const KikanUnlocked *u);
/* "LUKS2, aes-xts-plain64, 512-bit key, 4096-byte sectors", for the
 * report; borrowed, no secret in it. */
const char *kikan_unlocked_describe (const KikanUnlocked *u);
void kikan_unlocked_free (KikanUnlocked *u);  /* wipes keys; accepts NULL */
