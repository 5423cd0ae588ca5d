/* Fuzz harness: content classification and name flags (scanner/filetype.c;
 * issue #4 item 2, JNSA-2.4, KR-17).
 *
 * Input: byte 0 picks a name from the table below (index 15: the name is
 * taken from the input up to its first NUL, at most 1 KiB), the rest is
 * the content.  The content is classified whole, and as prefixes of a
 * larger file; every buffer is its own exact-size allocation so that ASan
 * sees any read past @len, not just past the fuzzer's input.
 *
 * Invariants beyond "no crash, no sanitizer report": the type is in range
 * and round-trips through its string; binary types (everything but OTHER,
 * scripts and autorun) do not depend on the name; the name flags hold only
 * the three defined bits, EXT_MISMATCH never for OTHER content, and none
 * for a NULL name. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kikan/filetype.h"

static const char *const names[] = {
    NULL,
    "",
    "autorun.inf",
    "x.ps1",
    "x.bat",
    "x.vbs",
    "x.js",
    "x.sh",
    "report.pdf.exe",
    "photo.jpg      .exe",
    "invoice\xe2\x80\xaegpj.exe",
    "x.jpg",
    "\xff\xfe\x80.cmd",
    "/media/usb/Setup.EXE",
    "C:\\dir\\x.wsf. .",
};
#define N_NAMES (sizeof names / sizeof names[0])

static int
name_independent (KikanFileType t)
{
    switch (t) {
    case KIKAN_FILETYPE_OTHER:
    case KIKAN_FILETYPE_SCRIPT_POWERSHELL:
    case KIKAN_FILETYPE_SCRIPT_BATCH:
    case KIKAN_FILETYPE_SCRIPT_VBS:
    case KIKAN_FILETYPE_SCRIPT_JS:
    case KIKAN_FILETYPE_SCRIPT_SHELL:
    case KIKAN_FILETYPE_AUTORUN:
        return 0;
    default:
        return 1;
    }
}

static void
check_type (KikanFileType t)
{
    KikanFileType back;

    if ((unsigned) t >= KIKAN_FILETYPE__COUNT)
        abort ();
    if (kikan_filetype_from_string (kikan_filetype_to_string (t), &back) != 0 || back != t)
        abort ();
    if (kikan_filetype_label (t) == NULL)
        abort ();
}

/* Classifies a copy of data[0, len) as the start of a file of @size bytes. */
static KikanFileType
classify_copy (const char *name, const uint8_t *data, size_t len, uint64_t size)
{
    uint8_t *copy = malloc (len > 0 ? len : 1);
    KikanFileType t;

    if (copy == NULL)
        abort ();
    if (len > 0)
        memcpy (copy, data, len);
    t = kikan_filetype_classify (name, len > 0 ? copy : NULL, len, size);
    check_type (t);
    if (name_independent (t) && kikan_filetype_classify (NULL, copy, len, size) != t)
        abort ();
    free (copy);
    return t;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *own = NULL;
    const char *name;
    const uint8_t *content;
    size_t n;
    KikanFileType t;
    uint32_t flags;

    if (size == 0)
        return 0;
    if (data[0] % (N_NAMES + 1) < N_NAMES) {
        name = names[data[0] % (N_NAMES + 1)];
        content = data + 1;
        n = size - 1;
    } else {
        const uint8_t *nul = memchr (data + 1, 0, size - 1 < 1024 ? size - 1 : 1024);
        size_t nl = nul != NULL ? (size_t) (nul - data - 1) : (size - 1 < 1024 ? size - 1 : 1024);

        own = malloc (nl + 1);
        if (own == NULL)
            abort ();
        memcpy (own, data + 1, nl);
        own[nl] = '\0';
        name = own;
        content = data + 1 + nl + (nul != NULL ? 1 : 0);
        n = size - 1 - nl - (nul != NULL ? 1 : 0);
    }

    t = classify_copy (name, content, n, n);
    (void) classify_copy (name, content, n / 2, n);
    (void) classify_copy (name, content, n / 2, UINT64_MAX);
    (void) classify_copy (name, content, n > 0 ? n - 1 : 0, n);
    (void) classify_copy (name, content, 0, n);
    (void) classify_copy (name, content, n, 0); /* size < len: taken as size = len */

    for (unsigned k = 0; k <= KIKAN_FILETYPE__COUNT; k++) {
        flags = kikan_filetype_name_flags (name, (KikanFileType) k);
        if (flags & ~(KIKAN_NAME_FLAG_EXT_MISMATCH | KIKAN_NAME_FLAG_BIDI
                      | KIKAN_NAME_FLAG_DOUBLE_EXT))
            abort ();
        if ((k == KIKAN_FILETYPE_OTHER || k == KIKAN_FILETYPE__COUNT)
            && (flags & KIKAN_NAME_FLAG_EXT_MISMATCH))
            abort ();
    }
    flags = kikan_filetype_name_flags (name, t);
    if (name == NULL && flags != 0)
        abort ();
    free (own);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each quarter, then
 * the same content under every other name in the table (byte 0). */
const unsigned kikan_fuzz_prefix_parts = 4;
const unsigned kikan_fuzz_selectors = N_NAMES + 1;
#endif
