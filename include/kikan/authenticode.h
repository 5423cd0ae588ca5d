/* Kikan: who signed a Windows program (issue #4 item 1, "by executable
 * signer where available"; Admin B-3).
 *
 * Verifies the Authenticode signature embedded in a PE file (the
 * WIN_CERTIFICATE table of the security data directory) with OpenSSL:
 *   1. the PKCS#7 SignedData parses, its content is SpcIndirectDataContent;
 *   2. the PE image hash (the file minus the CheckSum field, the security
 *      directory entry and the certificate table, per the Authenticode
 *      specification) computed with the digest named there equals the
 *      digest in SpcIndirectDataContent;
 *   3. the signer's signature over the authenticated attributes verifies
 *      with the signer certificate embedded in the PKCS#7, and the
 *      messageDigest attribute matches the SpcIndirectDataContent.
 * No chain building, no revocation, no timestamps: offline there is no
 * trust store.  The policy therefore pins signers by the SHA-256 of the
 * signing certificate (KIKAN_AUTHENTICODE_VALID gives it), never by name.
 *
 * Runs in the sandboxed worker on hostile bytes: never reads outside the
 * buffer, bounded work (only the first signature; at most 64 certificates).
 * Plain C, no GLib, no allocation left behind.  Fuzz harness:
 * tests/fuzz/fuzz-authenticode.c.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef enum {
    KIKAN_AUTHENTICODE_NONE = 0,   /* not a PE, or a PE with no signature */
    KIKAN_AUTHENTICODE_VALID,      /* intact: hash and signature verify */
    KIKAN_AUTHENTICODE_INVALID,    /* a signature is there but does not verify (tampered,
                                    * malformed, unsupported digest): never trusted */
} KikanAuthenticodeStatus;

/* "none", "valid", "invalid". */
const char *kikan_authenticode_status_to_string (KikanAuthenticodeStatus s);

typedef struct {
    KikanAuthenticodeStatus status;
    char cert_sha256[65];      /* VALID only: SHA-256 of the signer certificate (DER), hex */
    char subject[256];         /* VALID only: signer subject, one line ("CN=…, O=…"), hostile,
                                * cut to fit; "" otherwise */
    char detail[128];          /* INVALID: why, e.g. "image hash does not match" */
} KikanAuthenticode;

/* Examines the PE file @data of @len bytes (the whole file).  Always fills
 * @out; returns its status. */
KikanAuthenticodeStatus kikan_authenticode_verify (const void *data, size_t len,
                                                   KikanAuthenticode *out);
