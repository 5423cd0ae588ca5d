/* Unlocking encrypted volumes in user space (issue #3 item 5; Admin
 * E-7/E-8): no device-mapper, no kernel mount.  Runs inside the worker.
 *
 * Secrets: the caller passes the passphrase in locked memory; this module
 * keeps key material only in mlock()ed buffers, wipes it with
 * explicit_bzero() when done, and never logs it. */
#pragma once

#include <stddef.h>

#include "kikan/source.h"
#include "kikan/volume.h"

typedef struct KikanUnlocked KikanUnlocked;

enum {
    KIKAN_UNLOCK_WRONG_SECRET = 1,   /* the passphrase or key does not open any slot */
};

/* Unlocks @vol (the encrypted bytes of one volume, as stored) of kind
 * @kind with @secret.  BitLocker accepts a password or a recovery password
 * (48 digits with dashes); LUKS1/LUKS2 and FileVault 2 a passphrase.
 * @tmpdir is the worker's private temp dir, for libraries that insist on a
 * path (the LUKS header copy).  On success *out gives a KikanSource of the
 * decrypted volume (kikan_unlocked_get_source).  Returns 0,
 * KIKAN_UNLOCK_WRONG_SECRET, KIKAN_ENOTSUP (kind or cipher not supported),
 * or a negative KIKAN_E* code, with a message for people in @err (never
 * containing the secret). */
int kikan_unlock (const KikanSource *vol, KikanEncryption kind, const char *secret,
                  size_t secret_len, const char *tmpdir, KikanUnlocked **out, char *err,
                  size_t errlen);

/* Thread-safe pread over the plaintext; valid until kikan_unlocked_free. */
const KikanSource *kikan_unlocked_get_source (const KikanUnlocked *u);
/* "aes-xts-plain64, 512-byte sectors", for the report; borrowed. */
const char *kikan_unlocked_describe (const KikanUnlocked *u);
void kikan_unlocked_free (KikanUnlocked *u);  /* wipes keys; accepts NULL */
